"""The error a model file raises: every problem found, each naming its dotted key."""

from __future__ import annotations

from typing import Any, Final

from stool._text import clipped
from stool.errors import ValidationError

__all__ = ["MAX_LISTED", "ModelFileError"]

MAX_LISTED: Final = 50
"""The most problems a [ModelFileError][stool.modelfile.ModelFileError] lists; it counts
the rest, so a hostile file gives a short message fast."""


class ModelFileError(ValidationError):
    """A model file could not be read: every problem found, each naming its key.

    `problems` holds one [ValidationError][stool.errors.ValidationError] per problem,
    each naming the dotted key (`customer.wait_scale_s`), the value and what is allowed;
    the message lists them all.
    `field`, `value` and `allowed` are those of the first problem, so code that handles
    a single `ValidationError` keeps working.
    At most [MAX_LISTED][stool.modelfile.MAX_LISTED] problems are listed, each cut to
    1,000 characters; `omitted` counts the rest.

    Args:
        problems: The problems, at least one, in the order the model's fields are listed.
        file: The file they are in (its path, or `<string>` for text), or None.
        omitted: How many more problems were found and not listed.

    Examples:
        >>> from stool.modelfile import model_from_toml
        >>> text = '''
        ... format = "stool.model"
        ... version = 1
        ... [customer]
        ... wait_scale = 900.0
        ... '''
        >>> try:
        ...     model_from_toml(text)
        ... except ModelFileError as error:
        ...     print(error.field)
        customer.wait_scale
    """

    def __init__(
        self,
        problems: tuple[ValidationError, ...],
        *,
        file: str | None = None,
        omitted: int = 0,
    ) -> None:
        if not problems:
            msg = "a ModelFileError holds at least one problem"
            raise ValueError(msg)
        problems = tuple(problems)
        self.problems = problems[:MAX_LISTED]
        self.omitted = omitted + max(0, len(problems) - MAX_LISTED)
        self.file = file
        first = self.problems[0]
        self.field = first.field
        self.value = first.value
        self.allowed = first.allowed
        self.row = None
        count = len(self.problems) + self.omitted
        noun = "problem" if count == 1 else "problems"
        where = f" {clipped(file, 200)}" if file else ""
        lines = [f"{count:,} {noun} in the model file{where}:"]
        lines.extend(f"  - {clipped(str(problem), 1_000)}" for problem in self.problems)
        if self.omitted:
            lines.append(f"  ... and {self.omitted:,} more (the first {MAX_LISTED} are listed)")
        Exception.__init__(self, "\n".join(lines))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_model_file_error, (self.problems, self.file, self.omitted))


def _rebuild_model_file_error(
    problems: tuple[ValidationError, ...], file: str | None, omitted: int = 0
) -> ModelFileError:
    return ModelFileError(problems, file=file, omitted=omitted)


def _problem(field: str, value: Any, allowed: str, *, file: str) -> ModelFileError:
    """A file-level problem (syntax, size, encoding, header) as a ModelFileError."""
    return ModelFileError((ValidationError(field, value, allowed),), file=file)
