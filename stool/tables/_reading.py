"""Reading a whole CSV, JSON Lines or Parquet file, or just its column names."""

from __future__ import annotations

import contextlib
import json
import os
from typing import TYPE_CHECKING, Any, Literal

from stool.errors import TableError
from stool.tables._formats import (
    _BLOCK_BYTES,
    _arrow_types,
    _check_columns,
    _check_to,
    _exists,
    _missing_column,
    _name,
    _pyarrow,
    _to,
    table_format,
)
from stool.tables._locate import _csv_error, _csv_header, _jsonl_error, _jsonl_lines

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["read_table", "table_columns"]


def _select(table: Any, columns: list[str] | None, typed: Mapping[str, Any]) -> Any:
    """Keep `columns`, in that order; a column absent from a JSON chunk is all null."""
    if columns is None:
        return table
    pa = _pyarrow()
    arrays = []
    for name in columns:
        if name in table.column_names:
            arrays.append(table.column(name))
        else:
            arrays.append(pa.nulls(table.num_rows, typed.get(name, pa.null())))
    return pa.table(arrays, names=columns) if columns else table.select([])


def _cast(table: Any, file: str, typed: Mapping[str, Any]) -> Any:
    """Give the typed columns of a JSON table their types (pyarrow reads `1` as int64)."""
    pa = _pyarrow()
    for name, arrow_type in typed.items():
        if name in table.column_names:
            index = table.column_names.index(name)
            column = table.column(index)
            if column.type != arrow_type:
                try:
                    column = column.cast(arrow_type)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
                    raise TableError(
                        file, f"a column of {arrow_type}: {error}", column=name
                    ) from None
                table = table.set_column(index, name, column)
    return table


def _read_csv(
    path: str | os.PathLike[str], columns: list[str] | None, typed: Mapping[str, Any]
) -> Any:
    pa = _pyarrow()
    import pyarrow.csv as pcsv  # noqa: PLC0415 - an optional extra

    file = _name(path)
    if columns is not None:
        header = _csv_header(path)
        for name in columns:
            if name not in header:
                raise _missing_column(file, name, header)
    try:
        return pcsv.read_csv(
            os.fspath(path),
            parse_options=pcsv.ParseOptions(newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(include_columns=columns, column_types=typed),
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError, pa.ArrowTypeError) as error:
        raise _csv_error(path, error, typed) from None


def _parse_jsonl(
    file: str, lines: Sequence[tuple[int, bytes]], first_row: int, typed: Mapping[str, Any]
) -> Any:
    pa = _pyarrow()
    import pyarrow.json as pjson  # noqa: PLC0415 - an optional extra

    body = b"".join(raw if raw.endswith(b"\n") else raw + b"\n" for _, raw in lines)
    try:
        table = pjson.read_json(
            pa.BufferReader(body),
            read_options=pjson.ReadOptions(block_size=max(_BLOCK_BYTES, len(body) + 1)),
            parse_options=pjson.ParseOptions(
                explicit_schema=pa.schema(list(typed.items())) if typed else None,
                unexpected_field_behavior="infer",
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as error:
        problem = _jsonl_error(file, lines, first_row, typed)
        if problem is None:
            line = lines[0][0]
            raise TableError(
                file, f"JSON Lines that can be read: {error}", row=first_row, line=line
            ) from None
        raise problem from None
    return _cast(table, file, typed)


def _empty(columns: list[str] | None, typed: Mapping[str, Any]) -> Any:
    pa = _pyarrow()
    names = columns or []
    return pa.table([pa.array([], typed.get(n, pa.null())) for n in names], names=names)


def _read_jsonl(
    path: str | os.PathLike[str], columns: list[str] | None, typed: Mapping[str, Any]
) -> Any:
    file = _name(path)
    lines = list(_jsonl_lines(path))
    if not lines:
        return _empty(columns, typed)
    return _select(_parse_jsonl(file, lines, 0, typed), columns, typed)


def _read_parquet(path: str | os.PathLike[str], columns: list[str] | None) -> Any:
    pa = _pyarrow()
    import pyarrow.parquet as pq  # noqa: PLC0415 - an optional extra

    file = _name(path)
    parquet = _parquet_file(path)
    if columns is not None:
        names = parquet.schema_arrow.names
        for name in columns:
            if name not in names:
                raise _missing_column(file, name, names)
    try:
        table = pq.read_table(os.fspath(path), columns=columns)
    except (pa.ArrowInvalid, OSError) as error:
        raise TableError(file, f"a Parquet file that can be read: {error}") from None
    return table.select(columns) if columns is not None else table


def _parquet_file(path: str | os.PathLike[str]) -> Any:
    pa = _pyarrow()
    import pyarrow.parquet as pq  # noqa: PLC0415 - an optional extra

    try:
        return pq.ParquetFile(os.fspath(path))
    except (pa.ArrowInvalid, OSError) as error:
        raise TableError(_name(path), f"a Parquet file: {error}") from None


def read_table(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,  # noqa: A002 - the word users know
    columns: Sequence[str] | None = None,
    types: Mapping[str, Any] | None = None,
    to: Literal["pandas", "arrow"] = "pandas",
) -> Any:
    r"""Read a whole CSV, Parquet or JSON Lines file into a table.

    CSV: a header line names the columns; blank lines are skipped, a quoted value may
    span lines, and an empty cell is null in a column of numbers or booleans (and an
    empty string in a column of text). JSON Lines: one object per line, a key absent
    from a line is null in that row. Parquet files carry their own column types, and
    `types` does not change them.

    Args:
        path: The file.
        format: `"csv"`, `"parquet"` or `"jsonl"`; None to go by the suffix.
        columns: The columns to read, in this order; None for all.
        types: For CSV and JSON Lines, the type of some columns (names from
            [TYPES][stool.tables.TYPES], or pyarrow types), instead of inferring it.
        to: `"pandas"` for a pandas DataFrame, `"arrow"` for a pyarrow Table.

    Returns:
        The table.

    Raises:
        TableError: If the file is missing or unreadable, a named column is not in it,
            or a record is malformed or holds a value not of its column's type; for CSV
            and JSON Lines the error names the line.
        ValidationError: If an argument is malformed.

    Examples:
        >>> from pathlib import Path
        >>> import stool
        >>> _ = Path("calls.jsonl").write_text('{"fulfilment": 1}\n{"fulfilment": 0.5}\n')
        >>> stool.read_table("calls.jsonl", to="arrow").column("fulfilment").to_pylist()
        [1.0, 0.5]
    """
    fmt = table_format(path, format=format)
    kind = _check_to(to)
    names = _check_columns(columns)
    typed = _arrow_types(types)
    _exists(path)
    if fmt == "csv":
        table = _read_csv(path, names, typed)
    elif fmt == "jsonl":
        table = _read_jsonl(path, names, typed)
    else:
        table = _read_parquet(path, names)
    return _to(table, kind)


def table_columns(path: str | os.PathLike[str], *, format: str | None = None) -> list[str]:  # noqa: A002 - the word users know
    """Return the column names of a table file, reading as little of it as its format allows.

    CSV: the header line. Parquet: the schema in the footer. JSON Lines: the keys of
    the first 1,000 lines, in order of first appearance.

    Args:
        path: The file.
        format: The format, or None to go by the suffix.

    Returns:
        The names.

    Examples:
        >>> import stool
        >>> from stool.tables import table_columns
        >>> stool.write_table({"ticket": ["T-1"], "thanked": [True]}, "calls.parquet")
        >>> table_columns("calls.parquet")
        ['ticket', 'thanked']
    """
    fmt = table_format(path, format=format)
    _exists(path)
    if fmt == "csv":
        return _csv_header(path)
    if fmt == "parquet":
        return list(_parquet_file(path).schema_arrow.names)
    names: dict[str, None] = {}
    for count, (_, raw) in enumerate(_jsonl_lines(path)):
        if count == 1000:
            break
        with contextlib.suppress(ValueError, RecursionError):
            value = json.loads(raw)
            if isinstance(value, dict):
                names.update(dict.fromkeys(value))
    return list(names)
