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

from stool._text import clipped, printable, shown

__all__ = ["PolicyError", "StoolError", "TableError", "ValidationError"]


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
        label: For a pandas DataFrame whose index is not the default 0, 1, 2, ...,
            the bad row's index label (a ticket id, say); otherwise None.

    Examples:
        >>> import stool
        >>> try:
        ...     stool.Interaction(fulfilment=1.5)
        ... except stool.ValidationError as error:
        ...     print(error.field, error.value)
        Interaction.fulfilment 1.5
    """

    label: Any = None
    """For a pandas DataFrame with an index of its own, the bad row's index label."""

    def __init__(
        self, field: str, value: Any, allowed: str, *, row: int | None = None, label: Any = None
    ) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        self.row = row
        self.label = label
        # The field (a key path that may hold user data) and the allowed text are cut,
        # so that no message grows with its input; the attributes keep them whole.
        name = clipped(str(field), 200)
        where = name
        if row is not None:
            where += f" (row {row}, label {shown(label)})" if label is not None else f" (row {row})"
        message = f"{where}: got {shown(value)}; allowed: {clipped(str(allowed), 1000)}"
        super().__init__(printable(message))

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only `row` means the default pickling (args only) would lose it.
        return (
            _rebuild_validation_error,
            (self.field, self.value, self.allowed, self.row, self.label),
        )


def _rebuild_validation_error(
    field: str, value: Any, allowed: str, row: int | None, label: Any = None
) -> ValidationError:
    return ValidationError(field, value, allowed, row=row, label=label)


_NO_VALUE: Any = object()


class TableError(ValidationError):
    """A table file could not be read or written, or a value in it is bad.

    Raised by [stool.tables][] and by the command line. The message names the file
    and, where they are known, the line (CSV and JSON Lines), the data row and the
    column, for example
    `calls.csv, line 14 (row 12), column 'fulfilment': got 1.5; allowed: a number from 0 to 1`.
    The same facts are attributes. A `TableError` is a
    [ValidationError][stool.errors.ValidationError], so code that catches bad input
    catches bad files too.

    Args:
        file: The file, as the user named it.
        allowed: What was expected, in words; the whole message when there is no value.
        column: The column, or None when the problem is not in one column. The
            inherited `field` attribute is the column, or the file when there is none.
        value: The offending value, when there is one.
        row: The data row (from 0, not counting a header), or None.
        line: The 1-based line of the file where that row starts, or None.
        label: The row's label (an index label of a DataFrame), or None.

    Examples:
        >>> from stool.errors import TableError
        >>> error = TableError("calls.csv", "a number from 0 to 1", column="fulfilment",
        ...                    value=1.5, row=12, line=14)
        >>> print(error)
        calls.csv, line 14 (row 12), column 'fulfilment': got 1.5; allowed: a number from 0 to 1
    """

    def __init__(
        self,
        file: str,
        allowed: str,
        *,
        column: str | None = None,
        value: Any = _NO_VALUE,
        row: int | None = None,
        line: int | None = None,
        label: Any = None,
    ) -> None:
        self.file = file
        self.label = label
        self.column = column
        self.field = column if column is not None else file
        self.has_value = value is not _NO_VALUE
        self.value = value if self.has_value else None
        self.allowed = allowed
        self.row = row
        self.line = line
        where = file
        if line is not None:
            where += f", line {line}"
            if row is not None:
                where += f" (row {row})"
        elif row is not None:
            where += f", row {row}"
        if label is not None:
            where += f", label {shown(label)}"
        if column is not None:
            where += f", column {shown(column)}"
        what = f"got {shown(value)}; allowed: {allowed}" if self.has_value else allowed
        Exception.__init__(self, f"{where}: {what}")

    def __reduce__(self) -> tuple[Any, ...]:
        facts = {"column": self.column, "row": self.row, "line": self.line, "label": self.label}
        if self.has_value:
            facts["value"] = self.value
        return (_rebuild_table_error, (self.file, self.allowed, facts))


def _rebuild_table_error(file: str, allowed: str, facts: dict[str, Any]) -> TableError:
    return TableError(file, allowed, **facts)


class PolicyError(StoolError, ValueError):
    """A policy could not be read, validated or evaluated.

    The policy engine ([stool.policy][]) raises subclasses split by phase:
    definition errors when a policy is loaded, evaluation errors when it runs.
    """
