"""Collect the problems of one scenario file, each located at its line and field.

Reading a scenario file goes on past the first problem: every reader records what it
finds in one `Problems`, which places each problem
in the source and suggests the name a misspelt one meant, and the whole list is raised at
the end as one [ScenarioValidationError][stool.scenario.ScenarioValidationError].
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from stool._text import shown
from stool.scenario._fileerrors import NO_VALUE, ScenarioFileError, ScenarioValidationError
from stool.scenario._locate import Locate, Path_, field_name
from stool.scenario._personas import suggest

if TYPE_CHECKING:
    from stool.errors import ValidationError

__all__ = ["Problems"]


def _max_problems() -> int:
    """The most problems listed: the policy books' limit, one for every file stool reads."""
    from stool.policy import MAX_PROBLEMS  # noqa: PLC0415 - loaded on first use, to keep import stool light

    limit: int = MAX_PROBLEMS
    return limit


class Problems:
    """Collects the problems of one file, each located at its key path."""

    def __init__(self, file: str | None, locate: Locate | None) -> None:
        self.file = file
        self.locate = locate
        self.found: list[ScenarioFileError] = []
        self.omitted = 0
        """Problems found beyond MAX_PROBLEMS: counted, neither located nor listed."""

    def __bool__(self) -> bool:
        return bool(self.found) or self.omitted > 0

    def extend(self, errors: tuple[ScenarioFileError, ...], omitted: int = 0) -> None:
        """Record problems located elsewhere (a policy book's own)."""
        room = max(0, _max_problems() - len(self.found))
        self.found.extend(errors[:room])
        self.omitted += max(0, len(errors) - room) + omitted

    def exception(self) -> ScenarioValidationError:
        """Return the error listing every problem found, in file order."""
        self.found.sort(key=lambda e: e.line if e.line is not None else 0)
        return ScenarioValidationError(tuple(self.found), file=self.file, omitted=self.omitted)

    def add(
        self,
        path: Path_,
        allowed: str,
        *,
        value: Any = NO_VALUE,
        choices: list[str] | tuple[str, ...] = (),
    ) -> None:
        """Record a problem at `path`; suggest the choice `value` most likely meant."""
        if len(self.found) >= _max_problems():
            self.omitted += 1
            return
        suggestion = suggest(value, list(choices)) if choices else None
        line = column = None
        if self.locate is not None:
            where = self.locate(path)
            if where is not None:
                line, column, _ = where
        self.found.append(
            ScenarioFileError(
                field_name(path),
                allowed,
                value=value,
                file=self.file,
                line=line,
                column=column,
                suggestion=suggestion,
            )
        )

    def error(self, path: Path_, error: ValidationError) -> None:
        """Record a stool ValidationError raised while building the value at `path`."""
        self.add(path, error.allowed, value=error.value)

    def unknown(
        self, path: Path_, key: Any, allowed: tuple[str, ...] | list[str], where: str
    ) -> None:
        if not isinstance(key, str):
            self.add((*path, shown(key)), f"keys are strings, not {type(key).__name__}")
            return
        self.add(
            (*path, key),
            f"a key of {where}: " + ", ".join(allowed),
            value=key,
            choices=list(allowed),
        )

    def table(self, path: Path_, value: Any, what: str) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.add(path, f"a table of {what}", value=value)
        return None
