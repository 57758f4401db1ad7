"""Tables as files: read and write CSV, Parquet and JSON Lines, whole or chunk by chunk.

Contact-center exports are files, and researchers' tables outgrow memory.
[read_table][stool.tables.read_table] reads a whole file,
[write_table][stool.tables.write_table] writes one, and
[iter_table][stool.tables.iter_table] reads a file of any size in chunks of a fixed
number of rows, holding one chunk at a time; [TableWriter][stool.tables.TableWriter]
writes chunks as they come.
The format follows the file's suffix (`.csv`, `.parquet` or `.pq`, `.jsonl` or `.ndjson`),
or `format=` names it.
Everything goes through pyarrow (the `batch` extra), imported when first needed.

    >>> import stool
    >>> stool.write_table({"fulfilment": [1.0, 0.5], "thanked": [True, False]}, "calls.csv")
    >>> stool.read_table("calls.csv")
       fulfilment  thanked
    0         1.0     True
    1         0.5    False

A problem with a file raises a [TableError][stool.errors.TableError] that names the file
and, for CSV and JSON Lines, the line: a record with too many fields, a value that is
not of its column's type, a line that is not JSON.
In a text format (CSV, JSON Lines) each column's type is otherwise inferred from its
first values; `types=` sets the type of the columns you know, so that a column of
whole numbers in its first rows still reads `0.5` further down.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import json
import os
import secrets
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final, Literal

from stool._text import shown
from stool.errors import StoolError, TableError, ValidationError

if TYPE_CHECKING:
    from collections.abc import Generator, Sequence
    from types import TracebackType

    from typing_extensions import Self

__all__ = [
    "CHUNK_ROWS",
    "FORMATS",
    "SUFFIXES",
    "TYPES",
    "TableChunks",
    "TableWriter",
    "find_line",
    "iter_table",
    "read_table",
    "table_columns",
    "table_format",
    "write_table",
]

FORMATS: Final = ("csv", "jsonl", "parquet")
"""The table formats stool reads and writes."""

SUFFIXES: Final[Mapping[str, str]] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
"""The file suffixes each format is recognised by (case does not matter)."""

TYPES: Final = ("bool", "float64", "int64", "string")
"""The column types `types=` may name (a pyarrow `DataType` is accepted too)."""

CHUNK_ROWS: Final = 65_536
"""The rows per chunk [iter_table][stool.tables.iter_table] reads by default."""


_BLOCK_BYTES: Final = 1 << 20
_TYPE_WORDS: Final = {
    "bool": "true or false (also True, TRUE, 1, False, FALSE, 0)",
    "double": "a number",
    "float": "a number",
    "int64": "a whole number",
    "string": "UTF-8 text",
}


# ------------------------------------------------------------------------------- helpers


def _pyarrow() -> Any:
    try:
        import pyarrow as pa  # noqa: PLC0415 - imported on first use, to keep import stool light
    except ImportError:  # pragma: no cover - pyarrow is installed in development
        raise StoolError(
            "reading and writing tables needs pyarrow, the batch extra: "
            "pip install 'stool[batch]', or '.[batch]' in a checkout of stool"
        ) from None
    return pa


def _name(path: Any) -> str:
    return os.fspath(path) if isinstance(path, (str, os.PathLike)) else shown(path)


def table_format(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,  # noqa: A002 - the word users know
) -> Literal["csv", "jsonl", "parquet"]:
    """Return the format of a table file: `format` if given, else the one its suffix names.

    Args:
        path: The file.
        format: `"csv"`, `"parquet"` or `"jsonl"`, or None to go by the suffix.

    Returns:
        One of [FORMATS][stool.tables.FORMATS].

    Raises:
        ValidationError: If `format` is not a known format.
        TableError: If `format` is None and the suffix is not one of
            [SUFFIXES][stool.tables.SUFFIXES].

    Examples:
        >>> from stool.tables import table_format
        >>> table_format("calls.PARQUET"), table_format("calls.txt", format="csv")
        ('parquet', 'csv')
    """
    if format is not None:
        if format not in FORMATS:
            raise ValidationError("format", format, "one of " + ", ".join(FORMATS))
        return format  # type: ignore[return-value]  # checked just above
    if not isinstance(path, (str, os.PathLike)):
        raise ValidationError("path", path, "a file name (str or os.PathLike)")
    suffix = Path(path).suffix.lower()
    found = SUFFIXES.get(suffix)
    if found is None:
        hint = (
            "; stool reads JSON Lines (one object per line): name the file .jsonl or pass "
            "format='jsonl'"
            if suffix == ".json"
            else ", or pass format= (one of " + ", ".join(FORMATS) + ")"
        )
        raise TableError(
            _name(path), f"a file name ending in {', '.join(SUFFIXES)}{hint}", value=suffix
        )
    return found  # type: ignore[return-value]  # the values of SUFFIXES are formats


def _arrow_types(types: Mapping[str, Any] | None) -> dict[str, Any]:
    if types is None:
        return {}
    if not isinstance(types, Mapping):
        raise ValidationError("types", types, "a mapping of column names to types")
    pa = _pyarrow()
    known = {
        "bool": pa.bool_(),
        "float64": pa.float64(),
        "int64": pa.int64(),
        "string": pa.string(),
    }
    out = {}
    for name, kind in types.items():
        if not isinstance(name, str):
            raise ValidationError("types", name, "column names (str) as keys")
        if isinstance(kind, pa.DataType):
            out[name] = kind
        elif isinstance(kind, str) and kind in known:
            out[name] = known[kind]
        else:
            raise ValidationError(
                f"types[{name!r}]", kind, "one of " + ", ".join(TYPES) + ", or a pyarrow DataType"
            )
    return out


def _check_columns(columns: Sequence[str] | None) -> list[str] | None:
    if columns is None:
        return None
    if isinstance(columns, str) or not all(isinstance(c, str) for c in columns):
        raise ValidationError("columns", columns, "a list of column names, or None for all")
    return list(columns)


def _missing_column(file: str, name: str, present: Sequence[str]) -> TableError:
    close = difflib.get_close_matches(name, list(present), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    listed = ", ".join(present) if len(present) <= 12 else ", ".join(present[:12]) + ", ..."
    return TableError(file, f"a column the file has{hint}; it has: {listed}", value=name)


def _exists(path: str | os.PathLike[str]) -> str:
    file = _name(path)
    if not Path(path).is_file():
        reason = "a folder, not a table file" if Path(path).is_dir() else "no such file"
        raise TableError(file, reason)
    return file


# ------------------------------------------------------------------- locating problems


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


# ---------------------------------------------------------------------------- reading


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


def _to(table: Any, to: Literal["pandas", "arrow"], offset: int = 0) -> Any:
    if to == "arrow":
        return table
    frame = table.to_pandas()
    if offset:
        import pandas as pd  # noqa: PLC0415 - an optional extra

        frame.index = pd.RangeIndex(offset, offset + len(frame))
    return frame


def _check_to(to: Any) -> Literal["pandas", "arrow"]:
    if to not in ("pandas", "arrow"):
        raise ValidationError("to", to, "'pandas' or 'arrow'")
    return to  # type: ignore[no-any-return]  # checked just above


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


class TableChunks(Iterator[Any]):
    """The chunks of a table file, as [iter_table][stool.tables.iter_table] yields them.

    An iterator that also tells how far it has read, for progress bars; use it in a
    `with` block (or exhaust it) to close the file.
    """

    def __init__(self, chunks: Generator[Any, None, None], progress: Any, total: int) -> None:
        self._chunks = chunks
        self._progress = progress
        self.bytes_total = total
        """The size of the file in bytes."""
        self.rows_read = 0
        """The rows yielded so far."""

    @property
    def bytes_read(self) -> int:
        """How many bytes of the file have been read so far (estimated for Parquet)."""
        return min(int(self._progress()), self.bytes_total)

    def __iter__(self) -> TableChunks:
        return self

    def __next__(self) -> Any:
        chunk = next(self._chunks)
        self.rows_read += len(chunk) if not hasattr(chunk, "num_rows") else chunk.num_rows
        return chunk

    def close(self) -> None:
        """Stop reading and close the file."""
        self._chunks.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _rebatch(tables: Iterator[Any], size: int) -> Generator[Any, None, None]:
    """Regroup a stream of arrow tables or batches into tables of exactly `size` rows."""
    pa = _pyarrow()
    pending: list[Any] = []
    count = 0
    for part in tables:
        if part.num_rows == 0:
            continue
        pending.append(part if isinstance(part, pa.Table) else pa.Table.from_batches([part]))
        count += part.num_rows
        while count >= size:
            table = pa.concat_tables(pending) if len(pending) > 1 else pending[0]
            yield table.slice(0, size).combine_chunks()
            rest = table.slice(size)
            pending = [rest] if rest.num_rows else []
            count -= size
    if count:
        table = pa.concat_tables(pending) if len(pending) > 1 else pending[0]
        yield table.combine_chunks()


def _iter_csv(
    path: str | os.PathLike[str], columns: list[str] | None, typed: Mapping[str, Any], source: Any
) -> Generator[Any, None, None]:
    pa = _pyarrow()
    import pyarrow.csv as pcsv  # noqa: PLC0415 - an optional extra

    try:
        reader = pcsv.open_csv(
            source,
            read_options=pcsv.ReadOptions(block_size=_BLOCK_BYTES),
            parse_options=pcsv.ParseOptions(newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(include_columns=columns, column_types=typed),
        )
        yield reader.schema
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            yield batch
    except (pa.ArrowInvalid, pa.ArrowKeyError, pa.ArrowTypeError) as error:
        raise _csv_error(path, error, typed) from None


def _iter_jsonl(
    path: str | os.PathLike[str],
    columns: list[str] | None,
    typed: Mapping[str, Any],
    size: int,
    handle: IO[bytes],
) -> Generator[Any, None, None]:
    file = _name(path)
    lines: list[tuple[int, bytes]] = []
    row = 0
    for number, raw in enumerate(handle, start=1):
        if not raw.strip():
            continue
        lines.append((number, raw))
        if len(lines) == size:
            yield _select(_parse_jsonl(file, lines, row, typed), columns, typed)
            row += size
            lines = []
    if lines or not row:
        table = _parse_jsonl(file, lines, row, typed) if lines else _empty(columns, typed)
        yield _select(table, columns, typed)


def iter_table(
    path: str | os.PathLike[str],
    *,
    chunk_size: int = CHUNK_ROWS,
    format: str | None = None,  # noqa: A002 - the word users know
    columns: Sequence[str] | None = None,
    types: Mapping[str, Any] | None = None,
    to: Literal["pandas", "arrow"] = "pandas",
) -> TableChunks:
    """Read a table file of any size in chunks of `chunk_size` rows, one chunk at a time.

    Memory stays bounded by the chunk size whatever the file's size: CSV is parsed
    block by block, Parquet row group by row group, JSON Lines `chunk_size` lines at a
    time. Every chunk has exactly `chunk_size` rows but the last; a file with no rows
    gives one empty chunk, so the columns are still known.

    In CSV, the type of a column not in `types` is inferred from the file's first
    block (about a megabyte), and a later value that does not fit raises a
    [TableError][stool.tables.TableError] naming its line: set `types` for the columns
    you know. In JSON Lines each chunk infers its own types.

    Args:
        path: The file.
        chunk_size: Rows per chunk, at least 1.
        format: `"csv"`, `"parquet"` or `"jsonl"`; None to go by the suffix.
        columns: The columns to read, in this order; None for all.
        types: For CSV and JSON Lines, the type of some columns (see
            [read_table][stool.tables.read_table]).
        to: `"pandas"` for pandas DataFrames (indexed by the row's position in the file),
            `"arrow"` for pyarrow Tables.

    Returns:
        A [TableChunks][stool.tables.TableChunks] iterator.

    Raises:
        TableError: As [read_table][stool.tables.read_table] does; a malformed record
            is reported when its chunk is read.
        ValidationError: If an argument is malformed.

    Examples:
        >>> import stool
        >>> stool.write_table({"fulfilment": [i / 10 for i in range(10)]}, "calls.csv")
        >>> with stool.iter_table("calls.csv", chunk_size=4) as chunks:
        ...     print([len(chunk) for chunk in chunks])
        [4, 4, 2]
    """
    fmt = table_format(path, format=format)
    kind = _check_to(to)
    names = _check_columns(columns)
    typed = _arrow_types(types)
    size: Any = chunk_size
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValidationError("chunk_size", chunk_size, "a whole number, 1 or more")
    file = _exists(path)
    total = Path(path).stat().st_size
    position = _Position(total)
    if fmt == "csv":
        if names is not None:
            header = _csv_header(path)
            for name in names:
                if name not in header:
                    raise _missing_column(file, name, header)
        generator = _chunks_csv(
            path, columns=names, typed=typed, size=chunk_size, to=kind, position=position
        )
    elif fmt == "jsonl":
        generator = _chunks_jsonl(
            path, columns=names, typed=typed, size=chunk_size, to=kind, position=position
        )
    else:
        with contextlib.closing(_parquet_file(path)) as parquet:
            present = parquet.schema_arrow.names
            rows = parquet.metadata.num_rows
        for name in names or ():
            if name not in present:
                raise _missing_column(file, name, present)
        generator = _chunks_parquet(path, names, chunk_size, kind, position)
        position.rows = max(rows, 1)
    chunks = TableChunks(generator, position, total)
    position.chunks = chunks
    return chunks


class _Position:
    """How far a chunked read has got, in bytes.

    The open file's position; for Parquet, read by row groups, the share of rows read.
    """

    def __init__(self, total: int) -> None:
        self.total = total
        self.handle: Any = None
        self.done = False
        self.rows = 0
        self.chunks: TableChunks | None = None

    def __call__(self) -> float:
        if self.done:
            return self.total
        if self.rows and self.chunks is not None:
            return self.total * self.chunks.rows_read / self.rows
        return 0 if self.handle is None or self.handle.closed else self.handle.tell()


def _chunks_csv(
    path: str | os.PathLike[str],
    *,
    columns: list[str] | None,
    typed: Mapping[str, Any],
    size: int,
    to: Literal["pandas", "arrow"],
    position: _Position,
) -> Generator[Any, None, None]:
    pa = _pyarrow()
    with pa.OSFile(os.fspath(path)) as source:
        position.handle = source
        parts = _iter_csv(path, columns, typed, source)
        schema = next(parts)
        yield from _offsets(_rebatch(parts, size), to, schema.empty_table(), position)


def _chunks_jsonl(
    path: str | os.PathLike[str],
    *,
    columns: list[str] | None,
    typed: Mapping[str, Any],
    size: int,
    to: Literal["pandas", "arrow"],
    position: _Position,
) -> Generator[Any, None, None]:
    with Path(path).open("rb") as handle:
        position.handle = handle
        offset = 0
        for table in _iter_jsonl(path, columns, typed, size, handle):
            yield _to(table, to, offset)
            offset += table.num_rows
        position.done = True


def _chunks_parquet(
    path: str | os.PathLike[str],
    columns: list[str] | None,
    size: int,
    to: Literal["pandas", "arrow"],
    position: _Position,
) -> Generator[Any, None, None]:
    with contextlib.closing(_parquet_file(path)) as parquet:
        batches = parquet.iter_batches(batch_size=size, columns=columns)
        empty = parquet.schema_arrow.empty_table()
        if columns is not None:
            empty = empty.select(columns)
            batches = (batch.select(columns) for batch in batches)
        yield from _offsets(_rebatch(batches, size), to, empty, position)


def _offsets(
    tables: Iterator[Any], to: Literal["pandas", "arrow"], empty: Any, position: _Position
) -> Generator[Any, None, None]:
    offset = 0
    for table in tables:
        yield _to(table, to, offset)
        offset += table.num_rows
    if offset == 0:
        yield _to(empty, to)
    position.done = True


# ---------------------------------------------------------------------------- writing


def _as_arrow(table: Any, file: str) -> Any:
    pa = _pyarrow()
    if isinstance(table, pa.Table):
        return table
    if isinstance(table, pa.RecordBatch):
        return pa.Table.from_batches([table])
    pandas = sys.modules.get("pandas")
    try:
        if pandas is not None and isinstance(table, pandas.DataFrame):
            return pa.Table.from_pandas(table, preserve_index=False)
        if isinstance(table, Mapping):
            return pa.table(dict(table))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as error:
        raise TableError(file, f"columns of one type each: {error}") from None
    raise ValidationError(
        "table",
        type(table).__name__,
        "a pandas DataFrame, a pyarrow Table or RecordBatch, or a mapping of column names "
        "to columns",
    )


def _nan_to_null(table: Any) -> Any:
    """Replace NaN by null in float columns, so that CSV shows an empty cell, not `nan`."""
    pa = _pyarrow()
    import pyarrow.compute as pc  # noqa: PLC0415 - an optional extra

    for index, field in enumerate(table.schema):
        if pa.types.is_floating(field.type):
            column = table.column(index)
            cleaned = pc.if_else(pc.is_nan(column), pa.scalar(None, field.type), column)
            table = table.set_column(index, field.name, cleaned)
    return table


def _json_default(value: Any) -> Any:
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return isoformat()
    msg = f"{type(value).__name__} is not a JSON value"
    raise TypeError(msg)


_ENCODE: Final = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, default=_json_default, separators=(",", ":")
).encode


class TableWriter:
    """Write a table file chunk by chunk, in constant memory.

    Every chunk must have the columns of the first (in any order; a column missing
    from a later chunk is null there); Parquet also keeps the first chunk's column
    types. A file is written under a temporary name beside its target and renamed
    when [close][stool.tables.TableWriter.close] is called, so a run that fails
    half-way never leaves a truncated table behind; a `with` block closes it, or
    discards it if the block raises.

    Args:
        target: The file to write, or a binary stream (then `format` is required).
        format: `"csv"`, `"parquet"` or `"jsonl"`; None to go by the suffix.

    Examples:
        >>> from stool.tables import TableWriter
        >>> with TableWriter("scores.jsonl") as writer:
        ...     writer.write({"customer": [0.9], "collapsed": [False]})
        ...     writer.write({"customer": [0.2], "collapsed": [True]})
        >>> from pathlib import Path
        >>> print(Path("scores.jsonl").read_text(), end="")
        {"customer":0.9,"collapsed":false}
        {"customer":0.2,"collapsed":true}
    """

    def __init__(
        self,
        target: str | os.PathLike[str] | IO[bytes],
        *,
        format: str | None = None,  # noqa: A002 - the word users know
    ) -> None:
        self.rows = 0
        """The rows written so far."""
        self._schema: Any = None
        self._parquet: Any = None
        self._temp: Path | None = None
        self._target: Path | None = None
        if isinstance(target, (str, os.PathLike)):
            self.file = os.fspath(target)
            """The file's name, for messages."""
            self.format: Literal["csv", "jsonl", "parquet"] = table_format(target, format=format)
            """The format written."""
            self._target = Path(target)
            if self._target.is_dir():
                raise TableError(self.file, "a file to write; it is a directory")
            name = f".{self._target.name}.{secrets.token_hex(4)}.partial"
            self._temp = self._target.with_name(name)
            try:
                self._handle: IO[bytes] = self._temp.open("xb")
            except OSError as error:
                raise TableError(
                    self.file, f"a file that can be written: {error.strerror or error}"
                ) from None
        else:
            if format is None:
                raise ValidationError("format", format, "a format, when writing to a stream")
            self.file = str(getattr(target, "name", "<stream>"))
            self.format = table_format(self.file, format=format)
            self._handle = target

    def write(self, table: Any) -> None:
        """Append the rows of `table` (a DataFrame, pyarrow Table or RecordBatch, or a mapping).

        Raises:
            TableError: If the columns differ from the first chunk's, or a value cannot
                be written in this format.
        """
        pa = _pyarrow()
        data = _as_arrow(table, self.file)
        try:
            if self.format == "jsonl":
                self._write_jsonl(data)
            else:
                data = self._conform(data)
                if self.format == "csv":
                    import pyarrow.csv as pcsv  # noqa: PLC0415 - an optional extra

                    data = _nan_to_null(data)

                    options = pcsv.WriteOptions(
                        include_header=self.rows == 0 and not self._wrote_header,
                        quoting_style="needed",
                    )
                    pcsv.write_csv(data, self._handle, write_options=options)
                    self._wrote_header = True
                else:
                    self._write_parquet(data)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as error:
            raise TableError(
                self.file, f"columns {self.format} can hold: {error}", row=self.rows
            ) from None
        self.rows += data.num_rows

    _wrote_header = False

    def _conform(self, table: Any) -> Any:
        pa = _pyarrow()
        if self._schema is None:
            self._schema = table.schema
            return table
        names = self._schema.names
        extra = [name for name in table.column_names if name not in names]
        if extra:
            raise TableError(
                self.file,
                "the columns of the first chunk (" + ", ".join(names) + ")",
                column=extra[0],
                row=self.rows,
            )
        present = table.column_names
        arrays = [
            table.column(name)
            if name in present
            else pa.nulls(table.num_rows, self._schema.field(name).type)
            for name in names
        ]
        table = pa.table(arrays, names=names)
        if self.format == "parquet" and table.schema != self._schema:
            try:
                table = table.cast(self._schema)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as error:
                raise TableError(
                    self.file, f"the column types of the first chunk: {error}", row=self.rows
                ) from None
        return table

    def _write_parquet(self, table: Any) -> None:
        import pyarrow.parquet as pq  # noqa: PLC0415 - an optional extra

        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self._handle, table.schema)
        self._parquet.write_table(table)

    def _write_jsonl(self, table: Any) -> None:
        pa = _pyarrow()
        import pyarrow.compute as pc  # noqa: PLC0415 - an optional extra

        rows = table.num_rows
        if rows == 0:
            return
        names = table.column_names
        if not names:
            self._handle.write(b"{}\n" * rows)
            return
        text = pa.large_string()
        pieces: list[Any] = []
        for index, (name, column) in enumerate(zip(names, table.columns, strict=True)):
            key = ("{" if index == 0 else ",") + json.dumps(name, ensure_ascii=False) + ":"
            pieces += [pa.scalar(key, text), self._json_texts(column)]
        pieces += [pa.scalar("}\n", text), pa.scalar("", text)]
        lines = pc.binary_join_element_wise(*pieces)
        listed = pa.LargeListArray.from_arrays(pa.array([0, rows], pa.int64()), lines)
        whole = pc.binary_join(listed, pa.scalar("", text))
        self._handle.write(whole[0].as_buffer())

    def _json_texts(self, column: Any) -> Any:
        """Each value of `column` as JSON text; NaN and infinities as null."""
        pa = _pyarrow()
        import pyarrow.compute as pc  # noqa: PLC0415 - an optional extra

        large = pa.large_string()
        column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        kind = column.type
        if pa.types.is_dictionary(kind):
            column = column.dictionary_decode()
            kind = column.type
        if pa.types.is_floating(kind):
            text = pc.cast(column, large)
            # Arrow writes the shortest text that reads back the same float; "1" gets ".0"
            # so that the column reads back as floats.
            whole = pc.invert(pc.match_substring_regex(text, r"[.e]"))
            dotted = pc.binary_join_element_wise(text, pa.scalar(".0", large), pa.scalar("", large))
            text = pc.if_else(whole, dotted, text)
            text = pc.if_else(pc.is_finite(column), text, pa.scalar(None, large))
        elif pa.types.is_integer(kind):
            text = pc.cast(column, large)
        elif pa.types.is_boolean(kind):
            text = pc.if_else(column, pa.scalar("true", large), pa.scalar("false", large))
        elif pa.types.is_null(kind):
            text = pa.nulls(len(column), large)
        elif (pa.types.is_string(kind) or pa.types.is_large_string(kind)) and not pc.any(
            pc.match_substring_regex(column, r'[\x00-\x1f"\\]')
        ).as_py():
            quote = pa.scalar('"', large)
            text = pc.binary_join_element_wise(
                quote, pc.cast(column, large), quote, pa.scalar("", large)
            )
        else:  # text that needs escaping, dates, lists, structs: one value at a time
            try:
                text = pa.array([_ENCODE(value) for value in column.to_pylist()], large)
            except (TypeError, ValueError) as error:
                raise TableError(
                    self.file, f"values JSON can hold: {error}", row=self.rows
                ) from None
        return pc.fill_null(text, pa.scalar("null", large))

    def close(self) -> None:
        """Finish the file: write Parquet's footer, and give the file its name."""
        if self._parquet is None and self.format == "parquet" and self._schema is not None:
            self._write_parquet(self._schema.empty_table())
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
        if self._temp is None:
            self._handle.flush()
            return
        self._handle.close()
        if self._target is not None:
            self._temp.replace(self._target)
        self._temp = None

    def abort(self) -> None:
        """Discard what was written: the target file is left as it was."""
        if self._parquet is not None:
            with contextlib.suppress(Exception):
                self._parquet.close()
            self._parquet = None
        if self._temp is not None:
            self._handle.close()
            self._temp.unlink(missing_ok=True)
            self._temp = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


def write_table(table: Any, path: str | os.PathLike[str], *, format: str | None = None) -> None:  # noqa: A002 - the word users know
    """Write a table to a CSV, Parquet or JSON Lines file.

    A pandas DataFrame's index is not written (`reset_index()` first to keep it).
    CSV quotes every text value (pyarrow's way) and writes a NaN as an empty cell and a
    whole float as a whole number (`1`; read it back with `types=` to keep floats);
    JSON Lines writes one object per row, with NaN and infinities as null. The file
    appears only once it is complete.

    Args:
        table: A pandas DataFrame, a pyarrow Table or RecordBatch, or a mapping of column
            names to equal-length columns (lists or numpy arrays), such as the result of
            [score_batch][stool.batch.score_batch].
        path: The file to write (replaced if it exists).
        format: `"csv"`, `"parquet"` or `"jsonl"`; None to go by the suffix.

    Raises:
        TableError: If the file cannot be written, or a column cannot be held by the
            format (nested values in CSV, for instance).
        ValidationError: If an argument is malformed.

    Examples:
        >>> import stool
        >>> stool.write_table({"ticket": ["T-1", "T-2"], "fulfilment": [1.0, 0.5]}, "calls.csv")
        >>> from pathlib import Path
        >>> print(Path("calls.csv").read_text(), end="")
        "ticket","fulfilment"
        "T-1",1
        "T-2",0.5
    """
    with TableWriter(path, format=format) as writer:
        writer.write(table)
