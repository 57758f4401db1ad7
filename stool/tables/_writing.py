"""Writing a table file, whole or chunk by chunk, under a temporary name until complete."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final, Literal

from stool._json import json_default
from stool.errors import TableError, ValidationError
from stool.tables._formats import _pyarrow, table_format

if TYPE_CHECKING:
    from types import TracebackType

    from typing_extensions import Self

__all__ = ["TableWriter", "write_table"]


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


_ENCODE: Final = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, default=json_default, separators=(",", ":")
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

    __module__ = "stool.tables"  # its public home: reprs, pickles and docs name it

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
