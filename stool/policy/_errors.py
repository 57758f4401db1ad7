"""The policy engine's errors, split by phase (definition, evaluation)."""

from __future__ import annotations

from typing import Any, Final

from stool._text import SHOWN_LIMIT, clipped, printable, shown
from stool.errors import PolicyError

__all__ = [
    "MAX_PROBLEMS",
    "SHOWN_LIMIT",
    "STACK_EXHAUSTED",
    "PolicyDefinitionError",
    "PolicyError",
    "PolicyEvaluationError",
    "PolicyValidationError",
    "StackExhaustedError",
    "shown",
]

MAX_PROBLEMS: Final = 50
"""The most problems a [PolicyValidationError][stool.policy.PolicyValidationError] lists;
it counts the rest."""

MESSAGE_LIMIT: Final = 1_000
"""The longest text, in characters, of one problem's message (and of each part naming
where it is), so that no error message grows with its input."""

_NAME_LIMIT: Final = 200


def caret_excerpt(text: str, offset: int) -> str:
    """Return the line of `text` holding `offset`, and a caret under that character."""
    offset = max(0, min(offset, len(text)))
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    if end == -1:
        end = len(text)
    line = text[start:end]
    column = offset - start
    # Long lines (a megabyte of expression) are cut to a window around the caret.
    window = 60
    if len(line) > 2 * window:
        left = max(0, column - window)
        prefix = "..." if left else ""
        suffix = "..." if left + 2 * window < len(line) else ""
        line = prefix + line[left : left + 2 * window] + suffix
        column = column - left + len(prefix)
    line = line.replace("\t", " ")
    return f"    {line}\n    {' ' * column}^"


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """Return the 1-based line and column of character `offset` in `text`."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


class PolicyDefinitionError(PolicyError):
    """A policy book or expression is malformed: raised when it is loaded or compiled.

    The message says what is wrong and where; the same facts are attributes.

    Args:
        message: What is wrong, in words.
        file: The file the problem is in (a path, or `"<string>"` for text), or None.
        line: The 1-based line of the problem: in `file` when there is one (best
            effort for JSON), otherwise in `expression`.
        column: The 1-based column on that line, when known.
        rule: The id of the rule the problem is in (or `rule[3]` for a rule without
            a usable id), or None.
        field: The key the problem is in (`applies`, `bend.agent`, `test[2].expect`),
            or None.
        expression: The expression text the problem is in, or None.
        offset: The 0-based character offset of the problem in `expression`.
        suggestion: A likely fix (`days_since_purchase` for a misspelt field), or None.

    Examples:
        >>> from stool.policy import compile_expression
        >>> try:
        ...     compile_expression("days_since_purchase <= 30 $")
        ... except PolicyDefinitionError as error:
        ...     print(error.line, error.column)
        1 27
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        rule: str | None = None,
        field: str | None = None,
        expression: str | None = None,
        offset: int | None = None,
        suggestion: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.rule = rule
        self.field = field
        self.expression = expression
        self.offset = offset
        self.suggestion = suggestion
        super().__init__(message)

    _text: str | None = None

    def __str__(self) -> str:
        # Rendered on first use: a book with thousands of problems builds an error for
        # each, and lists (so renders) only the first few.
        if self._text is None:
            self._text = printable(self._render())
        return self._text

    def _where(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            parts.append(clipped(self.file, _NAME_LIMIT))
        if self.line is not None:
            parts.append(f"line {self.line}")
            if self.column is not None:
                parts.append(f"column {self.column}")
        if self.rule is not None:
            parts.append(f"rule {shown(self.rule, _NAME_LIMIT)}")
        if self.field is not None:
            parts.append(f"field {shown(self.field, _NAME_LIMIT)}")
        return ", ".join(parts)

    def _render(self) -> str:
        where = self._where()
        message = clipped(self.message, MESSAGE_LIMIT)
        text = f"{where}: {message}" if where else message
        if self.suggestion is not None:
            text += f" (did you mean {shown(self.suggestion, _NAME_LIMIT)}?)"
        if self.expression is not None and self.offset is not None:
            text += "\n" + caret_excerpt(self.expression, self.offset)
        return text

    def located(
        self,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        rule: str | None = None,
        field: str | None = None,
    ) -> PolicyDefinitionError:
        """Return a copy with the location facts that are given filled in.

        Facts already known are kept, except `line` and `column`, which a file
        location replaces (a position in a file says more than one in an expression).
        """
        return PolicyDefinitionError(
            self.message,
            file=file if file is not None else self.file,
            line=line if line is not None else self.line,
            column=column if line is not None else self.column,
            rule=self.rule if self.rule is not None else rule,
            field=self.field if self.field is not None else field,
            expression=self.expression,
            offset=self.offset,
            suggestion=self.suggestion,
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_definition_error, (self.message, self._facts()))

    def _facts(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "rule": self.rule,
            "field": self.field,
            "expression": self.expression,
            "offset": self.offset,
            "suggestion": self.suggestion,
        }


def _rebuild_definition_error(message: str, facts: dict[str, Any]) -> PolicyDefinitionError:
    return PolicyDefinitionError(message, **facts)


class PolicyValidationError(PolicyDefinitionError):
    """A policy book has problems: every one of them, found in one pass.

    `problems` holds one [PolicyDefinitionError][stool.policy.PolicyDefinitionError]
    per problem, each naming its file, line, rule and field; the message lists them all.
    Nothing is reported one problem at a time: fix the list, load again.
    A hostile or badly broken book can have thousands of problems: the first
    [MAX_PROBLEMS][stool.policy.MAX_PROBLEMS] are listed, `omitted` counts the rest,
    and each problem's text is cut to 1,000 characters, so the message stays short.

    Args:
        problems: The problems, in file order (beyond `MAX_PROBLEMS`, counted only).
        file: The file they are in, or None.
        omitted: How many more problems were found and not listed.

    Examples:
        >>> from stool.policy import PolicyBook
        >>> text = '''
        ... name = "demo"
        ... [[rule]]
        ... id = "window"
        ... kind = "hard"
        ... quantity = "days"
        ... max = 30
        ... bend = { agent = 5 }
        ... '''
        >>> try:
        ...     PolicyBook.from_toml(text)
        ... except PolicyValidationError as error:
        ...     print(len(error.problems))
        2
    """

    def __init__(
        self,
        problems: tuple[PolicyDefinitionError, ...],
        *,
        file: str | None = None,
        omitted: int = 0,
    ) -> None:
        problems = tuple(problems)
        self.problems = problems[:MAX_PROBLEMS]
        self.omitted = omitted + max(0, len(problems) - MAX_PROBLEMS)
        count = len(self.problems) + self.omitted
        noun = "problem" if count == 1 else "problems"
        where = f" {clipped(file, _NAME_LIMIT)}" if file else ""
        # The message names the count; the list of problems is written when shown (a
        # part that fails its checks raises one of these, and most are never shown).
        super().__init__(f"{count:,} {noun} in the policy book{where}", file=file)

    def _render(self) -> str:
        lines = [f"{self.message}:"]
        lines.extend(
            f"  - {clipped(str(problem), MESSAGE_LIMIT)}".replace("\n", "\n    ")
            for problem in self.problems
        )
        if self.omitted:
            lines.append(
                f"  ... and {self.omitted:,} more (the first {len(self.problems)} are listed; "
                "fix them and load again)"
            )
        return "\n".join(lines)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_validation_error, (self.problems, self.file, self.omitted))


def _rebuild_validation_error(
    problems: tuple[PolicyDefinitionError, ...], file: str | None, omitted: int = 0
) -> PolicyValidationError:
    return PolicyValidationError(problems, file=file, omitted=omitted)


class PolicyEvaluationError(PolicyError):
    """A policy could not be evaluated on a context: raised at run time.

    Typical causes are a field missing from the context, a value of the wrong type
    (a string where a number is needed), a division by zero, or a budget rule
    evaluated with a ledger but without `actor` and `on`.

    Args:
        message: What went wrong, in words.
        field: The context field involved (dotted, `customer.tier`), or None.
        value: The offending value, when there is one.
        rule: The id of the rule being evaluated, or None.
        expression: The expression being evaluated, or None.
        row: For [evaluate_batch][stool.policy.PolicyBook.evaluate_batch], the index of
            the first bad row; otherwise None.

    Examples:
        >>> from stool.policy import compile_expression
        >>> try:
        ...     compile_expression("days_since_purchase <= 30")({})
        ... except PolicyEvaluationError as error:
        ...     print(error.field)
        days_since_purchase
    """

    _NO_VALUE: Any = object()

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        value: Any = _NO_VALUE,
        rule: str | None = None,
        expression: str | None = None,
        row: int | None = None,
    ) -> None:
        self.message = message
        self.field = field
        self.value = None if value is PolicyEvaluationError._NO_VALUE else value
        self._has_value = value is not PolicyEvaluationError._NO_VALUE
        self.rule = rule
        self.expression = expression
        self.row = row
        super().__init__(message)

    _text: str | None = None

    def __str__(self) -> str:
        # Rendered on first use, like PolicyDefinitionError's.
        if self._text is None:
            self._text = printable(self._render())
        return self._text

    def _render(self) -> str:
        parts: list[str] = []
        if self.rule is not None:
            parts.append(f"rule {shown(self.rule, _NAME_LIMIT)}")
        if self.field is not None:
            parts.append(f"field {shown(self.field, _NAME_LIMIT)}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        where = ", ".join(parts)
        message = clipped(self.message, MESSAGE_LIMIT)
        text = f"{where}: {message}" if where else message
        if self.expression is not None:
            text += f" (in `{_shorten(self.expression)}`)"
        return text

    def with_context(
        self,
        *,
        rule: str | None = None,
        expression: str | None = None,
        row: int | None = None,
    ) -> PolicyEvaluationError:
        """Return a copy that also names the rule, expression or row, if not yet named."""
        return PolicyEvaluationError(
            self.message,
            field=self.field,
            value=self.value if self._has_value else PolicyEvaluationError._NO_VALUE,
            rule=self.rule if self.rule is not None else rule,
            expression=self.expression if self.expression is not None else expression,
            row=self.row if self.row is not None else row,
        )

    def __reduce__(self) -> tuple[Any, ...]:
        value = self.value if self._has_value else PolicyEvaluationError._NO_VALUE
        facts = {
            "field": self.field,
            "rule": self.rule,
            "expression": self.expression,
            "row": self.row,
        }
        if value is not PolicyEvaluationError._NO_VALUE:
            facts["value"] = value
        return (_rebuild_evaluation_error, (self.message, facts))


def _rebuild_evaluation_error(message: str, facts: dict[str, Any]) -> PolicyEvaluationError:
    return PolicyEvaluationError(message, **facts)


def _shorten(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


class StackExhaustedError(PolicyEvaluationError):
    """Evaluation ran out of Python stack (the caller was nearly at the recursion limit).

    Raising it calls no Python-level code (its `__init__` is the C one of
    BaseException), so it can be raised where a RecursionError was just caught and no
    Python frame may be left to spare.
    """

    __init__ = BaseException.__init__
    message = "the stack is nearly exhausted; evaluate with more recursion headroom"
    field = None
    value = None
    rule = None
    expression = None
    row = None
    _has_value = False


STACK_EXHAUSTED: Final = StackExhaustedError.message
"""The message of [StackExhaustedError][], ready to raise it with."""
