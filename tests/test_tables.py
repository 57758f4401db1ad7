"""Tests for stool.tables: CSV, Parquet and JSON Lines files, whole and in chunks."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import pickle
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import stool
from stool import tables
from stool.errors import TableError, ValidationError
from stool.tables import (
    FORMATS,
    SUFFIXES,
    TableWriter,
    find_line,
    iter_table,
    read_table,
    table_columns,
    table_format,
    write_table,
)

SUFFIX = {"csv": ".csv", "parquet": ".parquet", "jsonl": ".jsonl"}

# Text that survives every format: CSV has no way to tell a lone "\r" from a line end.
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=20)
FLOATS = st.floats(allow_nan=False, allow_infinity=False)
INTS = st.integers(min_value=-(2**53), max_value=2**53)


@st.composite
def table_data(draw, *, min_rows=0, max_rows=30):
    """Tables of a text, a float, an integer and a boolean column, of equal length."""
    rows = draw(st.integers(min_value=min_rows, max_value=max_rows))
    return {
        "note": draw(st.lists(TEXT, min_size=rows, max_size=rows)),
        "value": draw(st.lists(FLOATS, min_size=rows, max_size=rows)),
        "count": draw(st.lists(INTS, min_size=rows, max_size=rows)),
        "flag": draw(st.lists(st.booleans(), min_size=rows, max_size=rows)),
    }


TYPES = {"note": "string", "value": "float64", "count": "int64", "flag": "bool"}


def write_chunks(path, *chunks):
    """Write each chunk with one TableWriter; an exception among them is raised there."""
    with TableWriter(path) as writer:
        for chunk in chunks:
            if isinstance(chunk, Exception):
                raise chunk
            writer.write(chunk)


class TestFormat:
    """The format comes from format= or the suffix, and anything else is refused."""

    @pytest.mark.parametrize(("suffix", "expected"), sorted(SUFFIXES.items()))
    def test_suffixes(self, suffix, expected):
        """Each known suffix names its format, whatever its case."""
        assert table_format(f"calls{suffix.upper()}") == expected

    def test_format_wins(self):
        """An explicit format is used whatever the suffix."""
        assert table_format("calls.txt", format="jsonl") == "jsonl"

    def test_unknown_format(self):
        """An unknown format= is a ValidationError listing the formats."""
        with pytest.raises(ValidationError, match="csv, jsonl, parquet"):
            table_format("calls.csv", format="xlsx")

    def test_unknown_suffix(self):
        """An unknown suffix is a TableError naming the file and the suffixes."""
        with pytest.raises(TableError, match=r"calls\.txt: got '\.txt'.*\.csv"):
            table_format("calls.txt")

    def test_json_suffix_hint(self):
        """A .json file is pointed to JSON Lines."""
        with pytest.raises(TableError, match="JSON Lines"):
            table_format("calls.json")

    def test_path_type(self):
        """A path that is not text or os.PathLike is a ValidationError."""
        with pytest.raises(ValidationError, match="path"):
            table_format(42)  # type: ignore[arg-type]


class TestRoundTrip:
    """What write_table writes, read_table reads back, in every format."""

    @pytest.mark.parametrize("fmt", FORMATS)
    @given(data=table_data())
    def test_round_trip(self, fmt, data):
        """Text, floats, integers and booleans come back exactly, row for row."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"t{SUFFIX[fmt]}"
            write_table(data, path)
            back = read_table(path, types=TYPES, to="arrow")
        if fmt == "jsonl" and not data["note"]:
            # JSON Lines has no header: a file without rows has no columns either.
            assert back.column_names == []
            return
        assert back.column_names == list(data)
        for name, values in data.items():
            assert back.column(name).to_pylist() == values

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_pandas_in_and_out(self, fmt, tmp_path):
        """A DataFrame written and read back is equal, without its index."""
        frame = pd.DataFrame({"ticket": ["T-1", "T-2"], "fulfilment": [1.0, 0.5]}, index=[7, 9])
        path = tmp_path / f"t{SUFFIX[fmt]}"
        write_table(frame, path)
        pd.testing.assert_frame_equal(read_table(path), frame.reset_index(drop=True))

    def test_record_batch_and_table(self, tmp_path):
        """pyarrow RecordBatches and Tables are written as they are."""
        batch = pa.record_batch({"a": [1, 2]})
        write_table(batch, tmp_path / "b.parquet")
        write_table(pa.Table.from_batches([batch]), tmp_path / "t.parquet")
        assert read_table(tmp_path / "b.parquet", to="arrow").equals(
            read_table(tmp_path / "t.parquet", to="arrow")
        )

    def test_score_batch_result(self, tmp_path):
        """The result of score_batch (a dict of numpy arrays) is written with its names."""
        scores = stool.score_batch({"fulfilment": pd.Series([1.0, 0.0]).to_numpy()})
        write_table(scores, tmp_path / "s.csv")
        back = read_table(tmp_path / "s.csv")
        assert list(back.columns) == list(scores)
        assert back["customer_type"].tolist() == scores["customer_type"].tolist()

    def test_nan_is_blank_and_null(self, tmp_path):
        """NaN is written as an empty CSV cell and as JSON null, and reads back as null."""
        data = {"x": [1.5, math.nan, math.inf]}
        write_table(data, tmp_path / "n.csv")
        write_table(data, tmp_path / "n.jsonl")
        assert (tmp_path / "n.csv").read_text().splitlines() == ['"x"', "1.5", "", "inf"]
        assert [
            json.loads(line)["x"] for line in (tmp_path / "n.jsonl").read_text().splitlines()
        ] == [
            1.5,
            None,
            None,
        ]

    def test_json_whole_floats_stay_floats(self, tmp_path):
        """A float column of whole numbers is written as 1.0, so it reads back as floats."""
        write_table({"x": [1.0, 2.0]}, tmp_path / "w.jsonl")
        assert read_table(tmp_path / "w.jsonl", to="arrow").column("x").type == pa.float64()

    def test_columns_selects_and_orders(self, tmp_path):
        """columns= reads only those columns, in that order, in every format."""
        data = {"a": [1], "b": [2], "c": [3]}
        for fmt in FORMATS:
            path = tmp_path / f"t{SUFFIX[fmt]}"
            write_table(data, path)
            assert list(read_table(path, columns=["c", "a"]).columns) == ["c", "a"]

    def test_to_is_checked(self, tmp_path):
        """to= is 'pandas' or 'arrow'."""
        write_table({"a": [1]}, tmp_path / "t.csv")
        with pytest.raises(ValidationError, match="'pandas' or 'arrow'"):
            read_table(tmp_path / "t.csv", to="polars")  # type: ignore[arg-type]

    def test_types_are_checked(self, tmp_path):
        """types= names known types or pyarrow types."""
        write_table({"a": [1]}, tmp_path / "t.csv")
        with pytest.raises(ValidationError, match=r"types\['a'\]"):
            read_table(tmp_path / "t.csv", types={"a": "decimal"})
        assert (
            read_table(tmp_path / "t.csv", types={"a": pa.float32()}, to="arrow").column("a").type
            == pa.float32()
        )

    def test_not_a_table(self, tmp_path):
        """Writing something that is not a table is a ValidationError naming the kinds."""
        with pytest.raises(ValidationError, match="DataFrame"):
            write_table([1, 2, 3], tmp_path / "t.csv")

    def test_nested_values_in_csv(self, tmp_path):
        """A column CSV cannot hold is a TableError naming the file, and nothing is left."""
        with pytest.raises(TableError, match=r"t\.csv"):
            write_table({"a": [[1, 2]]}, tmp_path / "t.csv")
        assert list(tmp_path.iterdir()) == []

    def test_empty_file_has_columns(self, tmp_path):
        """A header-only CSV reads as an empty table with its columns."""
        (tmp_path / "h.csv").write_text("a,b\n")
        assert list(read_table(tmp_path / "h.csv").columns) == ["a", "b"]
        assert len(read_table(tmp_path / "h.csv")) == 0


class TestReadErrors:
    """A broken file raises a TableError naming the file and, in text formats, the line."""

    def test_missing_file(self, tmp_path):
        """A missing file is named."""
        with pytest.raises(TableError, match=r"nope\.csv: no such file"):
            read_table(tmp_path / "nope.csv")

    def test_folder(self, tmp_path):
        """A folder is not a table file."""
        folder = tmp_path / "d.csv"
        folder.mkdir()
        with pytest.raises(TableError, match="a folder"):
            read_table(folder)

    def test_missing_column(self, tmp_path):
        """A column that is not in the file is named, with the closest one."""
        write_table({"ticket": [1]}, tmp_path / "t.csv")
        with pytest.raises(TableError, match="did you mean 'ticket'"):
            read_table(tmp_path / "t.csv", columns=["tiket"])

    def test_too_many_fields(self, tmp_path):
        """A CSV record with too many fields is named by its line and row."""
        path = tmp_path / "t.csv"
        path.write_text('a,b\n1,"two\nlines"\n\n3,4,5\n')
        with pytest.raises(TableError) as caught:
            read_table(path)
        assert caught.value.line == 5
        assert caught.value.row == 1
        assert "header's 2" in str(caught.value)

    def test_conversion_error(self, tmp_path, monkeypatch):
        """A value not of its column's type is named with its line, column and value."""
        monkeypatch.chdir(tmp_path)
        path = Path("t.csv")
        path.write_text("a,b\n1,2\n3,x\n")
        with pytest.raises(TableError) as caught:
            read_table(path, types={"b": "float64"})
        error = caught.value
        assert (error.line, error.row, error.column, error.value) == (3, 1, "b", "x")
        assert str(error) == "t.csv, line 3 (row 1), column 'b': got 'x'; allowed: a number"

    def test_inferred_type_hint(self, tmp_path):
        """When a chunked read inferred a column's type, the error says how to set it."""
        path = tmp_path / "t.csv"
        path.write_text("a\n" + "1\n" * 600_000 + "1.5\n")
        with pytest.raises(TableError, match=r"line 600002 .*types="):
            list(iter_table(path, to="arrow"))

    def test_empty_csv(self, tmp_path):
        """An empty CSV has no header, and says so."""
        (tmp_path / "e.csv").write_text("")
        with pytest.raises(TableError, match="empty"):
            read_table(tmp_path / "e.csv")

    def test_bad_json_line(self, tmp_path):
        """A line that is not JSON is named by its line, blank lines counted."""
        path = tmp_path / "t.jsonl"
        path.write_text('{"a": 1}\n\n{"a": 2\n')
        with pytest.raises(TableError, match=r"t\.jsonl, line 3 \(row 1\): one JSON object"):
            read_table(path)

    def test_json_not_an_object(self, tmp_path):
        """A line holding an array is refused."""
        path = tmp_path / "t.jsonl"
        path.write_text('{"a": 1}\n[1, 2]\n')
        with pytest.raises(TableError, match="line 2"):
            read_table(path)

    def test_json_kind_change(self, tmp_path):
        """A value of another JSON kind than the column's earlier rows is named."""
        path = tmp_path / "t.jsonl"
        path.write_text('{"a": 1}\n{"a": "x"}\n')
        with pytest.raises(TableError, match=r"line 2 .*column 'a': got 'x'"):
            read_table(path)

    def test_json_typed_column(self, tmp_path):
        """A value that does not fit a types= column is named."""
        path = tmp_path / "t.jsonl"
        path.write_text('{"a": true}\n')
        with pytest.raises(TableError, match="column 'a': got True; allowed: a number"):
            read_table(path, types={"a": "float64"})

    def test_bad_parquet(self, tmp_path):
        """A file that is not Parquet is named."""
        (tmp_path / "t.parquet").write_text("not parquet")
        with pytest.raises(TableError, match=r"t\.parquet: a Parquet file"):
            read_table(tmp_path / "t.parquet")

    def test_error_pickles(self):
        """A TableError survives pickling with its facts."""
        error = TableError("t.csv", "a number", column="b", value="x", row=1, line=3)
        back = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
        assert (back.file, back.column, back.value, back.row, back.line) == (
            "t.csv",
            "b",
            "x",
            1,
            3,
        )
        assert str(back) == str(error)

    def test_error_is_validation_error(self):
        """A TableError is caught as a ValidationError and a StoolError."""
        assert issubclass(TableError, ValidationError)
        assert TableError("t.csv", "x").field == "t.csv"


class TestChunks:
    """iter_table yields the file in chunks of a fixed size that add up to the whole."""

    @pytest.mark.parametrize("fmt", FORMATS)
    @given(data=table_data(max_rows=40), size=st.integers(min_value=1, max_value=12))
    def test_chunks_add_up(self, fmt, data, size):
        """Every chunk has `size` rows but the last, and together they are the table."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"t{SUFFIX[fmt]}"
            write_table(data, path)
            with iter_table(path, chunk_size=size, types=TYPES, to="arrow") as chunks:
                parts = list(chunks)
        rows = len(data["note"])
        if fmt == "jsonl" and not rows:
            assert [p.num_rows for p in parts] == [0]  # no header: no columns either
            return
        assert [p.num_rows for p in parts[:-1]] == [size] * (len(parts) - 1)
        assert 0 < parts[-1].num_rows <= size or rows == 0
        assert sum(p.num_rows for p in parts) == rows
        for name, values in data.items():
            assert [v for p in parts for v in p.column(name).to_pylist()] == values

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_pandas_chunks_are_indexed_by_row(self, fmt, tmp_path):
        """pandas chunks carry the rows' positions in the file as their index."""
        path = tmp_path / f"t{SUFFIX[fmt]}"
        write_table({"a": list(range(7))}, path)
        chunks = list(iter_table(path, chunk_size=3))
        assert [list(c.index) for c in chunks] == [[0, 1, 2], [3, 4, 5], [6]]

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_empty_table_gives_one_empty_chunk(self, fmt, tmp_path):
        """A table with no rows gives one empty chunk that still has its columns."""
        path = tmp_path / f"t{SUFFIX[fmt]}"
        write_table(pa.table({"a": pa.array([], pa.int64())}), path)
        chunks = list(iter_table(path, columns=["a"], to="arrow"))
        assert len(chunks) == 1
        assert chunks[0].num_rows == 0
        assert chunks[0].column_names == ["a"]

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_progress(self, fmt, tmp_path):
        """bytes_read grows to bytes_total, the file's size, and rows_read counts rows."""
        path = tmp_path / f"t{SUFFIX[fmt]}"
        write_table({"a": list(range(5000))}, path)
        chunks = iter_table(path, chunk_size=1000, to="arrow")
        seen = [chunks.bytes_read for _ in chunks]
        assert seen == sorted(seen)
        assert seen[-1] == chunks.bytes_total == path.stat().st_size
        assert chunks.rows_read == 5000

    def test_typed_columns_read_late_values(self, tmp_path):
        """With types=, a float column whose first block is whole numbers reads 0.5 later."""
        path = tmp_path / "t.csv"
        path.write_text("a\n" + "1\n" * 300_000 + "0.5\n")
        chunks = list(iter_table(path, chunk_size=100_000, types={"a": "float64"}, to="arrow"))
        assert chunks[-1].column("a").to_pylist()[-1] == 0.5

    def test_chunk_size_is_checked(self, tmp_path):
        """chunk_size is a whole number of at least 1."""
        write_table({"a": [1]}, tmp_path / "t.csv")
        for bad in (0, 1.5, True):
            with pytest.raises(ValidationError, match="chunk_size"):
                iter_table(tmp_path / "t.csv", chunk_size=bad)

    def test_missing_column(self, tmp_path):
        """A column not in the file fails before any chunk is read, in every format."""
        for fmt in ("csv", "parquet"):
            path = tmp_path / f"t{SUFFIX[fmt]}"
            write_table({"a": [1]}, path)
            with pytest.raises(TableError, match="'b'"):
                iter_table(path, columns=["b"])

    def test_json_chunk_lacking_a_column(self, tmp_path):
        """A JSON Lines chunk whose lines lack a selected key holds nulls there."""
        path = tmp_path / "t.jsonl"
        path.write_text('{"a": 1}\n{"a": 2, "b": 3}\n')
        chunks = list(iter_table(path, chunk_size=1, columns=["a", "b"], to="arrow"))
        assert [c.column("b").to_pylist() for c in chunks] == [[None], [3]]


class TestColumnsAndLines:
    """table_columns reads the names; find_line finds a row's line."""

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_table_columns(self, fmt, tmp_path):
        """The column names come back in order, in every format."""
        path = tmp_path / f"t{SUFFIX[fmt]}"
        write_table({"b": [1], "a": [2]}, path)
        assert table_columns(path) == ["b", "a"]

    @given(
        cells=st.lists(st.text(st.sampled_from('ab\n,"'), max_size=6), min_size=1, max_size=12),
        blank=st.integers(min_value=0, max_value=12),
    )
    def test_find_line_counts_quoted_newlines(self, cells, blank):
        """The line of each row counts the newlines inside quoted values and blank lines."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(["note"])
        expected = []
        line = 2
        for index, cell in enumerate(cells):
            if index == blank:
                buffer.write("\n")
                line += 1
            expected.append(line)
            writer.writerow([cell])
            line += cell.count("\n") + 1
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "t.csv"
            path.write_text(buffer.getvalue())
            found = [find_line(path, row) for row in range(len(cells))]
            assert find_line(path, len(cells)) is None
        assert found == expected

    def test_find_line_jsonl_and_parquet(self, tmp_path):
        """JSON Lines rows skip blank lines; Parquet has no lines."""
        (tmp_path / "t.jsonl").write_text('{"a": 1}\n\n{"a": 2}\n')
        assert find_line(tmp_path / "t.jsonl", 1) == 3
        write_table({"a": [1]}, tmp_path / "t.parquet")
        assert find_line(tmp_path / "t.parquet", 0) is None

    def test_find_line_row_is_checked(self, tmp_path):
        """The row is a whole number, 0 or more."""
        write_table({"a": [1]}, tmp_path / "t.csv")
        with pytest.raises(ValidationError, match="row"):
            find_line(tmp_path / "t.csv", -1)


class TestWriter:
    """TableWriter writes chunk by chunk, and leaves no half-written file behind."""

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_chunks_make_one_table(self, fmt, tmp_path):
        """Chunks written one after another read back as one table."""
        path = tmp_path / f"t{SUFFIX[fmt]}"
        with TableWriter(path) as writer:
            writer.write({"a": [1, 2], "b": ["x", "y"]})
            writer.write({"b": ["z"], "a": [3]})
        assert writer.rows == 3
        back = read_table(path, to="arrow")
        assert back.column("a").to_pylist() == [1, 2, 3]
        assert back.column("b").to_pylist() == ["x", "y", "z"]

    def test_missing_column_is_null(self, tmp_path):
        """A column missing from a later chunk is null there."""
        path = tmp_path / "t.parquet"
        with TableWriter(path) as writer:
            writer.write({"a": [1], "b": [1.5]})
            writer.write({"a": [2]})
        assert read_table(path, to="arrow").column("b").to_pylist() == [1.5, None]

    def test_new_column_is_refused(self, tmp_path):
        """A column the first chunk did not have is a TableError, and no file is left."""
        with pytest.raises(TableError, match="column 'c'"):
            write_chunks(tmp_path / "t.csv", {"a": [1]}, {"a": [2], "c": [3]})
        assert list(tmp_path.iterdir()) == []

    def test_parquet_keeps_types(self, tmp_path):
        """A Parquet chunk whose column cannot take the first chunk's type is refused."""
        with pytest.raises(TableError, match="types of the first chunk"):
            write_chunks(tmp_path / "t.parquet", {"a": [1]}, {"a": ["x"]})

    def test_existing_file_kept_on_failure(self, tmp_path):
        """A failed write leaves the file that was there untouched."""
        path = tmp_path / "t.csv"
        path.write_text("old\n")
        with pytest.raises(RuntimeError, match="half-way"):
            write_chunks(path, {"a": [1]}, RuntimeError("half-way"))
        assert path.read_text() == "old\n"

    def test_stream_needs_format(self):
        """Writing to a stream needs format=."""
        with pytest.raises(ValidationError, match="format"):
            TableWriter(io.BytesIO())

    def test_stream(self):
        """A stream gets the table's bytes, and is left open."""
        stream = io.BytesIO()
        with TableWriter(stream, format="jsonl") as writer:
            writer.write({"a": [1]})
        assert stream.getvalue() == b'{"a":1}\n'

    def test_empty_parquet_has_schema(self, tmp_path):
        """A Parquet file given only an empty chunk still has its columns."""
        path = tmp_path / "t.parquet"
        with TableWriter(path) as writer:
            writer.write(pa.table({"a": pa.array([], pa.float64())}))
        assert read_table(path, to="arrow").schema.names == ["a"]

    def test_unwritable_folder(self, tmp_path):
        """A file in a folder that does not exist is a TableError naming it."""
        with pytest.raises(TableError, match="can be written"):
            TableWriter(tmp_path / "no" / "t.csv")

    def test_json_escapes(self, tmp_path):
        """Quotes, backslashes and newlines in text are escaped, and JSON reads them back."""
        values = ['a"b', "c\\d", "e\nf", None, "é"]
        write_table({"s": values}, tmp_path / "t.jsonl")
        lines = (tmp_path / "t.jsonl").read_text(encoding="utf-8").splitlines()
        assert [json.loads(line)["s"] for line in lines] == values

    def test_json_dates(self, tmp_path):
        """Dates are written as ISO text."""
        write_table(pa.table({"d": [dt.date(2024, 6, 1)]}), tmp_path / "t.jsonl")
        assert (tmp_path / "t.jsonl").read_text() == '{"d":"2024-06-01"}\n'


class TestTopLevel:
    """The table functions are reachable from stool itself, lazily."""

    @pytest.mark.parametrize("name", ["read_table", "write_table", "iter_table"])
    def test_exported(self, name):
        """stool.<name> is stool.tables.<name>."""
        assert getattr(stool, name) is getattr(tables, name)

    @pytest.mark.parametrize("cls", [tables.TableChunks, tables.TableWriter])
    def test_classes_name_their_public_home(self, cls):
        """The classes say stool.tables in their repr, and pickle by that name."""
        assert repr(cls) == f"<class 'stool.tables.{cls.__name__}'>"
        assert pickle.loads(pickle.dumps(cls)) is cls  # noqa: S301 - our own bytes
