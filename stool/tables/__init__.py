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

The package's files name its parts: `_formats` (the formats, their suffixes and column
types, and the checks every read shares), `_locate` (the line of a row, and the errors
that name it), `_reading` (whole files, and their column names), `_reading_chunks`
(files in chunks, with their progress) and `_writing` (whole files, or chunk by chunk).
Every public name lives here.
"""

from __future__ import annotations

# TableError is importable from here, as it was when stool.tables was a single module.
from stool.errors import TableError as TableError
from stool.tables._formats import FORMATS, SUFFIXES, TYPES, table_format
from stool.tables._locate import find_line
from stool.tables._reading import read_table, table_columns
from stool.tables._reading_chunks import CHUNK_ROWS, TableChunks, iter_table
from stool.tables._writing import TableWriter, write_table

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
