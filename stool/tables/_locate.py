"""Locating a problem in a CSV or JSON Lines file: the line of a row, and errors that name it."""

from __future__ import annotations

import contextlib
import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from stool.errors import TableError, ValidationError
from stool.tables._formats import _name, _pyarrow, table_format

if TYPE_CHECKING:
    import os
    from collections.abc import Generator, Iterator, Mapping, Sequence

__all__ = ["find_line"]

_TYPE_WORDS: Final = {
    "bool": "true or false (also True, TRUE, 1, False, FALSE, 0)",
    "double": "a number",
    "float": "a number",
    "int64": "a whole number",
    "string": "UTF-8 text",
}


@contextlib.contextmanager
def _large_fields() -> Iterator[None]:
    # Free-text columns (call notes) may exceed csv's default field limit of 128 KiB.
    old = csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _csv_records(path: str | os.PathLike[str]) -> Generator[tuple[int, list[str]], None, None]:
    """Yield (first line, fields) of each data record of a CSV file, as pyarrow counts them."""
    with (
        _large_fields(),
        Path(path).open(newline="", encoding="utf-8-sig", errors="surrogateescape") as handle,
    ):
        reader = csv.reader(handle)
        end = 0
        header = True
        for record in reader:
            start, end = end + 1, reader.line_num
            if not record:  # blank lines are skipped, as pyarrow skips them
                continue
            if header:
                header = False
                continue
            yield start, record


def _csv_header(path: str | os.PathLike[str]) -> list[str]:
    with (
        _large_fields(),
        Path(path).open(newline="", encoding="utf-8-sig", errors="surrogateescape") as handle,
    ):
        for record in csv.reader(handle):
            if record:
                return record
    return []


def _jsonl_lines(path: str | os.PathLike[str]) -> Generator[tuple[int, bytes], None, None]:
    """Yield (line number, text) of each non-blank line of a JSON Lines file."""
    with Path(path).open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if raw.strip():
                yield number, raw


def find_line(path: str | os.PathLike[str], row: int, *, format: str | None = None) -> int | None:  # noqa: A002 - the word users know
    r"""Return the line of a CSV or JSON Lines file on which data row `row` starts.

    Rows count from 0 and skip the header and blank lines, as
    [read_table][stool.tables.read_table] does; a quoted value may span lines, so the
    line is found by reading the file up to that row. Use it to point at the line of a
    bad row that a batch function reported by position.

    Args:
        path: The file.
        row: The data row, from 0.
        format: The format, or None to go by the suffix.

    Returns:
        The 1-based line, or None for Parquet (which has no lines) or a row past the end.

    Examples:
        >>> from pathlib import Path
        >>> from stool.tables import find_line
        >>> _ = Path("notes.csv").write_text('id,note\n1,"two\nlines"\n2,short\n')
        >>> find_line("notes.csv", 1)
        4
    """
    fmt = table_format(path, format=format)
    given: Any = row
    if isinstance(given, bool) or not isinstance(given, int) or given < 0:
        raise ValidationError("row", row, "a whole number, 0 or more")
    if fmt == "parquet":
        return None
    records = _csv_records(path) if fmt == "csv" else _jsonl_lines(path)
    for index, (line, _) in enumerate(records):
        if index == row:
            records.close()
            return line
    return None


def _conversion_problem(message: str) -> tuple[int, str, str] | None:
    """Parse `In CSV column #k: CSV conversion error to T: invalid value 'v'`."""
    marker = "In CSV column #"
    if not message.startswith(marker):
        return None
    index_text, _, rest = message[len(marker) :].partition(":")
    if not index_text.isdigit():
        return None
    kind = rest.partition("conversion error to ")[2].partition(":")[0].strip()
    value = rest.partition("invalid value '")[2]
    return int(index_text), kind, value.removesuffix("'")


def _csv_error(
    path: str | os.PathLike[str], error: Exception, typed: Mapping[str, Any]
) -> TableError:
    """Turn a pyarrow CSV error into a TableError naming the line, from a scan of the file."""
    file = _name(path)
    message = str(error)
    if message.startswith("Empty CSV file"):
        return TableError(file, "a header line naming the columns; the file is empty")
    header = _csv_header(path)
    conversion = _conversion_problem(message)
    if conversion is not None:
        index, kind, value = conversion
        column = header[index] if index < len(header) else f"#{index}"
        words = _TYPE_WORDS.get(kind, kind)
        hint = (
            ""
            if column in typed
            else f" (the type {kind} was inferred from the column's first rows; "
            f"pass types={{{column!r}: ...}} to set it)"
        )
        utf8 = "UTF8" in message
        for row, (line, record) in enumerate(_csv_records(path)):
            if index >= len(record):
                continue
            cell = record[index]
            bad = any("\udc80" <= ch <= "\udcff" for ch in cell) if utf8 else cell == value
            if bad:
                shown_value = cell.encode("utf-8", "surrogateescape") if utf8 else cell
                return TableError(
                    file, words + hint, column=column, value=shown_value, row=row, line=line
                )
        return TableError(file, words + hint, column=column, value=value)
    if "Expected" in message and "columns, got" in message:
        for row, (line, record) in enumerate(_csv_records(path)):
            if len(record) != len(header):
                return TableError(
                    file,
                    f"as many fields as the header's {len(header)}; this record has {len(record)}",
                    row=row,
                    line=line,
                )
    return TableError(file, f"CSV that can be read: {message}")


_JSON_KINDS: Final = {bool: "boolean", int: "number", float: "number", str: "string"}


def _json_kind(value: Any) -> str | None:
    if value is None:
        return None
    return _JSON_KINDS.get(type(value), "object" if isinstance(value, dict) else "array")


def _accepts(arrow_type: Any, value: Any) -> bool:
    pa = _pyarrow()
    if value is None:
        return True
    if pa.types.is_boolean(arrow_type):
        return isinstance(value, bool)
    if pa.types.is_integer(arrow_type):
        return type(value) is int
    if pa.types.is_floating(arrow_type):
        return type(value) in (int, float)
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return isinstance(value, str)
    return True


def _jsonl_error(
    file: str, lines: Sequence[tuple[int, bytes]], first_row: int, typed: Mapping[str, Any]
) -> TableError | None:
    """Find the first line of a chunk that pyarrow refused, and say why."""
    kinds: dict[str, str] = {}
    for offset, (line, raw) in enumerate(lines):
        row = first_row + offset
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError) as error:
            reason = error.msg if isinstance(error, json.JSONDecodeError) else "not JSON"
            return TableError(file, f"one JSON object per line ({reason})", row=row, line=line)
        if not isinstance(value, dict):
            return TableError(
                file, "one JSON object per line", value=_json_kind(value), row=row, line=line
            )
        for key, item in value.items():
            wanted = typed.get(key)
            if wanted is not None:
                if not _accepts(wanted, item):
                    words = _TYPE_WORDS.get(str(wanted), str(wanted))
                    return TableError(file, words, column=key, value=item, row=row, line=line)
                continue
            kind = _json_kind(item)
            if kind is None:
                continue
            seen = kinds.setdefault(key, kind)
            if seen != kind:
                return TableError(
                    file,
                    f"a {seen}, as in the column's earlier rows (pass types= to set its type)",
                    column=key,
                    value=item,
                    row=row,
                    line=line,
                )
    return None
