"""The exceptions stool raises on purpose.

Everything derives from [StoolError][stool.errors.StoolError], so one
`except stool.StoolError` catches every problem stool reports.
Where a builtin fits, the error inherits from it too:
a [ValidationError][stool.errors.ValidationError] is also a `ValueError`.

Bending or breaking a policy is a *result*, not an exception:
see [Decision][stool.policy.Decision].
"""

from __future__ import annotations

from typing import Any

from stool._text import shown

__all__ = ["PolicyError", "StoolError", "ValidationError"]


class StoolError(Exception):
    """Base class of every error stool raises on purpose."""


class ValidationError(StoolError, ValueError):
    """A value is outside what a field allows.

    The message names the field, the bad value and what is allowed,
    for example `Interaction.fulfilment: got 1.5; allowed: a number from 0 to 1`.
    The same three facts are attributes, for tools that report errors themselves.

    Args:
        field: The qualified field name (`Interaction.fulfilment`), a column name in a
            batch, or a key path in structured data (`customer.lifetime_value`).
        value: The offending value, as given.
        allowed: What the field allows, in words.
        row: For batch input, the index of the first bad row; otherwise None.

    Examples:
        >>> import stool
        >>> try:
        ...     stool.Interaction(fulfilment=1.5)
        ... except stool.ValidationError as error:
        ...     print(error.field, error.value)
        Interaction.fulfilment 1.5
    """

    def __init__(self, field: str, value: Any, allowed: str, *, row: int | None = None) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        self.row = row
        where = f"{field} (row {row})" if row is not None else field
        super().__init__(f"{where}: got {shown(value)}; allowed: {allowed}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only `row` means the default pickling (args only) would lose it.
        return (_rebuild_validation_error, (self.field, self.value, self.allowed, self.row))


def _rebuild_validation_error(
    field: str, value: Any, allowed: str, row: int | None
) -> ValidationError:
    return ValidationError(field, value, allowed, row=row)


class PolicyError(StoolError, ValueError):
    """A policy could not be read, validated or evaluated.

    The policy engine ([stool.policy][]) raises subclasses split by phase:
    definition errors when a policy is loaded, evaluation errors when it runs.
    """
