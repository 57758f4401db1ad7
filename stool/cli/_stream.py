"""Stream a table file through a function chunk by chunk, in constant memory."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from stool.cli._common import progress_bar
from stool.errors import PolicyError, TableError, ValidationError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["located", "output_format", "stream"]


def output_format(output: str | None, given: str | None) -> str | None:
    """The format to write: `--output-format`, else OUT's suffix, else CSV for standard output."""
    from stool.tables import table_format  # noqa: PLC0415 - pyarrow loads only when a command runs

    if output is None:
        if given is not None:
            msg = "--output-format needs -o/--output"
            raise click.UsageError(msg)
        return None
    if output == "-":
        return given or "csv"
    return table_format(output, format=given)


def located(error: Exception, source: str, fmt: str, offset: int) -> Exception:
    """Return `error` as a TableError naming the file, line, row and column, when it names a row.

    Batch functions report the first bad row of a chunk by its position; this adds the
    chunk's offset and finds the row's line in a CSV or JSON Lines file.
    """
    from stool.tables import find_line  # noqa: PLC0415 - pyarrow loads only when a command runs

    row = getattr(error, "row", None)
    if row is None or isinstance(error, TableError):
        return error
    row += offset
    line = find_line(source, row, format=fmt)
    if isinstance(error, ValidationError):
        return TableError(
            source, error.allowed, column=error.field, value=error.value, row=row, line=line
        )
    if isinstance(error, PolicyError):
        rule = getattr(error, "rule", None)
        message = str(getattr(error, "message", error))
        if rule is not None:
            message += f" (rule {rule!r})"
        return TableError(source, message, column=getattr(error, "field", None), row=row, line=line)
    return error  # pragma: no cover - only stool's errors name rows


def stream(
    source: str,
    *,
    input_format: str,
    output: str | None,
    output_format: str | None,
    chunk_size: int,
    types: Mapping[str, Any],
    process: Callable[[Any], Any],
    keep_input: bool,
    show_progress: bool | None,
    what: str,
    tally: Callable[[Any], None],
) -> int:
    """Read `source` in chunks, apply `process`, write the results to `output`, tally them.

    Args:
        source: The input file.
        input_format: Its format.
        output: The output file, `"-"` for standard output, or None to write nothing.
        output_format: The output's format (None when there is no output).
        chunk_size: Rows per chunk.
        types: Column types for text formats.
        process: Maps an arrow table (one chunk) to an arrow table of results, row for row.
        keep_input: Whether to write the chunk's own columns before the results.
        show_progress: Whether to show a progress bar (None: only on a terminal).
        what: The progress bar's label.
        tally: Called with each chunk's results, to build the summary.

    Returns:
        The number of rows read.
    """
    from stool.tables import TableWriter, iter_table  # noqa: PLC0415 - pyarrow loads here

    writer: TableWriter | None = None
    if output == "-":
        writer = TableWriter(sys.stdout.buffer, format=output_format)
    elif output is not None:
        writer = TableWriter(output, format=output_format)
    rows = 0
    try:
        with (
            iter_table(
                source, chunk_size=chunk_size, format=input_format, types=types, to="arrow"
            ) as chunks,
            progress_bar(show=show_progress, what=what) as bar,
        ):
            task = bar.add_task(what, total=chunks.bytes_total, rows=0)
            for chunk in chunks:
                try:
                    results = process(chunk)
                except (ValidationError, PolicyError) as error:
                    raise located(error, source, input_format, rows) from None
                tally(results)
                if writer is not None:
                    writer.write(_joined(chunk, results) if keep_input else results)
                rows += chunk.num_rows
                bar.update(task, completed=chunks.bytes_read, rows=rows)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    if writer is not None:
        writer.close()
    return rows


def _joined(chunk: Any, results: Any) -> Any:
    table = chunk
    for name in results.column_names:
        table = table.append_column(name, results.column(name))
    return table
