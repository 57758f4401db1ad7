"""Reading a table file of any size in chunks of a fixed number of rows, with its progress."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final, Literal

from stool.errors import ValidationError
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
from stool.tables._locate import _csv_error, _csv_header
from stool.tables._reading import _empty, _parquet_file, _parse_jsonl, _select

if TYPE_CHECKING:
    from collections.abc import Generator, Mapping, Sequence
    from types import TracebackType

    from typing_extensions import Self

__all__ = ["CHUNK_ROWS", "TableChunks", "iter_table"]

CHUNK_ROWS: Final = 65_536
"""The rows per chunk [iter_table][stool.tables.iter_table] reads by default."""


class TableChunks(Iterator[Any]):
    """The chunks of a table file, as [iter_table][stool.tables.iter_table] yields them.

    An iterator that also tells how far it has read, for progress bars; use it in a
    `with` block (or exhaust it) to close the file.
    """

    __module__ = "stool.tables"  # its public home: reprs, pickles and docs name it

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
