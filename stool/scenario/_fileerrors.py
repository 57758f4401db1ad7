"""The errors of scenario files: one per problem, located at its file, line and field."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stool._text import shown
from stool.errors import ValidationError

if TYPE_CHECKING:
    from stool.policy import PolicyDefinitionError

__all__ = ["NO_VALUE", "ScenarioFileError", "ScenarioValidationError", "from_policy_error"]

NO_VALUE: Any = object()
"""Stands for "no offending value" in a [ScenarioFileError][]."""
_NO_VALUE = NO_VALUE


class ScenarioFileError(ValidationError):
    """A scenario file has a problem: where it is, the value, and what is allowed.

    The message reads like the policy engine's:
    `lesson.toml, line 12, column 1, field 'move[3].event': got 'Gret'; allowed: the name
    of an event: ... (did you mean 'Greet'?)`.
    The same facts are attributes. A `ScenarioFileError` is a
    [ValidationError][stool.errors.ValidationError], so code that catches bad input
    catches bad scenario files too.

    Args:
        field: The key path of the problem (`move[3].event`, `customer.expectations`),
            or the empty string for the file as a whole.
        allowed: What is allowed, in words; the whole message when there is no value.
        value: The offending value, when there is one.
        file: The file (a path, or `<string>` for text), or None.
        line: The 1-based line of the problem, when known (best effort for JSON).
        column: The 1-based column on that line, when known.
        suggestion: The likely fix for a misspelt name, or None.

    Example:
        >>> error = ScenarioFileError("move[0].event", "Greet or Thank", value="Gret",
        ...                           file="a.toml", line=3, suggestion="Greet")
        >>> error.suggestion, error.line
        ('Greet', 3)
        >>> print(error)  # doctest: +NORMALIZE_WHITESPACE
        a.toml, line 3, field 'move[0].event': got 'Gret';
        allowed: Greet or Thank (did you mean 'Greet'?)
    """

    def __init__(
        self,
        field: str,
        allowed: str,
        *,
        value: Any = _NO_VALUE,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        suggestion: str | None = None,
    ) -> None:
        self.field = field
        self.has_value = value is not _NO_VALUE
        self.value = value if self.has_value else None
        self.allowed = allowed
        self.row = None
        self.file = file
        self.line = line
        self.column = column
        self.suggestion = suggestion
        Exception.__init__(self, self._render())

    def _render(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
            if self.column is not None:
                where.append(f"column {self.column}")
        if self.field:
            where.append(f"field {self.field!r}")
        what = (
            f"got {shown(self.value)}; allowed: {self.allowed}" if self.has_value else self.allowed
        )
        if self.suggestion is not None:
            what += f" (did you mean {self.suggestion!r}?)"
        return f"{', '.join(where)}: {what}" if where else what

    def _facts(self) -> dict[str, Any]:
        facts: dict[str, Any] = {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "suggestion": self.suggestion,
        }
        if self.has_value:
            facts["value"] = self.value
        return facts

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_file_error, (self.field, self.allowed, self._facts()))


def _rebuild_file_error(field: str, allowed: str, facts: dict[str, Any]) -> ScenarioFileError:
    return ScenarioFileError(field, allowed, **facts)


class ScenarioValidationError(ScenarioFileError):
    """A scenario file has problems: every one of them, found in one pass.

    `problems` holds one [ScenarioFileError][stool.scenario.ScenarioFileError] per
    problem, in file order; the message lists them all. Fix the list, load again.
    As with policy books, at most [MAX_PROBLEMS][stool.policy.MAX_PROBLEMS] are listed
    and `omitted` counts the rest, so a file of a million mistakes gets a short message.

    Args:
        problems: The problems.
        file: The file they are in, or None.
        omitted: How many more problems were found and not listed.

    Example:
        >>> from stool.scenario import Scenario
        >>> try:
        ...     Scenario.from_toml('''
        ... title = "Typos"
        ... [[move]]
        ... event = "Gret"
        ... [[move]]
        ... evnt = "Thank"
        ... ''')
        ... except ScenarioValidationError as error:
        ...     print([problem.suggestion for problem in error.problems])
        ['Greet', 'event']
    """

    def __init__(
        self,
        problems: tuple[ScenarioFileError, ...],
        *,
        file: str | None = None,
        omitted: int = 0,
    ) -> None:
        from stool.policy import MAX_PROBLEMS  # noqa: PLC0415 - loaded on first use, to keep import stool light

        self.problems = tuple(problems)[:MAX_PROBLEMS]
        self.omitted = omitted + max(0, len(problems) - MAX_PROBLEMS)
        count = len(self.problems) + self.omitted
        noun = "problem" if count == 1 else "problems"
        lines = [f"{count:,} {noun} in the scenario file" + (f" {file}" if file else "") + ":"]
        lines.extend(f"  - {problem}" for problem in self.problems)
        if self.omitted:
            lines.append(
                f"  ... and {self.omitted:,} more (the first {len(self.problems)} are listed; "
                "fix these and load again)"
            )
        super().__init__("", "\n".join(lines), file=file)

    def _render(self) -> str:
        return self.allowed

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_validation_error, (self.problems, self.file, self.omitted))


def _rebuild_validation_error(
    problems: tuple[ScenarioFileError, ...], file: str | None, omitted: int = 0
) -> ScenarioValidationError:
    return ScenarioValidationError(problems, file=file, omitted=omitted)


def from_policy_error(error: PolicyDefinitionError, *, field: str = "") -> ScenarioFileError:
    """Restate a policy loader's problem (a bad file, a bad rule) as a scenario file error."""
    where = []
    if error.rule is not None:
        where.append(f"rule {error.rule!r}")
    if error.field is not None:
        where.append(f"field {error.field!r}")
    message = f"{', '.join(where)}: {error.message}" if where else error.message
    return ScenarioFileError(
        field,
        message,
        file=error.file,
        line=error.line,
        column=error.column,
        suggestion=error.suggestion,
    )
