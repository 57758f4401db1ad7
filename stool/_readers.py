"""The readers of score_batch: each kind of table's columns in, the scores out in the same kind.

Private to [stool.batch][]; numpy, pandas, pyarrow and polars are imported when used.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import weakref
from collections.abc import Container, Iterable, Mapping
from typing import Any, Final, Literal, NamedTuple

from stool._validate import factorize, is_missing
from stool.enums import CustomerType, LegStatus
from stool.errors import ValidationError
from stool.interaction import FIELD_SPECS, UNKNOWABLE_FIELDS

__all__ = ["KINDS", "Extremes", "Reader", "is_dask", "reader_of"]

KINDS: Final = (
    "a pandas or polars DataFrame, a pyarrow Table or RecordBatch, a mapping of column names "
    "to numpy arrays, a Dask DataFrame, or an iterable of Interactions"
)

_TYPE_NAMES: Final = tuple(member.name for member in CustomerType)
_STATUS_NAMES: Final = tuple(member.name for member in LegStatus)
_STATUS_COLUMNS: Final = ("customer_status", "company_status", "agent_status")
_SCORE_COLUMNS: Final = 16  # len(stool.batch.OUTPUT_COLUMNS); the reasons follow


class Reader:
    """Reads the Interaction columns of one kind of table and writes the result back."""

    rows: int
    blank: Literal["unknown", "error"] = "unknown"

    def names(self) -> list[Any]:
        """The names of the columns that hold Interaction fields (and possibly others)."""
        raise NotImplementedError

    def given(self) -> list[Any]:
        """The names of every column of the table, as given."""
        return self.names()

    def present(self) -> Container[Any]:
        """The names of [names][stool._readers.Reader.names], to ask `name in` of."""
        return set(self.names())

    def column(self, name: str) -> Any:
        """The column as a numpy array."""
        raise NotImplementedError

    def encoded(self, name: str) -> tuple[list[Any], Any]:
        """The column's distinct values and each row's code into them (-1: blank)."""
        return factorize(self.column(name))

    def distinct(self, name: str) -> list[Any] | None:  # noqa: ARG002 - see the readers
        """The column's distinct values, where cheaper than coding it; else None.

        For a column of text, whose codes need not be made (None among the values for a
        blank); [encoded][stool._readers.Reader.encoded] gives the codes too.
        """
        return None

    def extremes(self) -> list[Extremes]:
        """The table's numeric and boolean columns a block at a time, where cheaper.

        Empty: check the columns one by one. See
        [Extremes][stool._readers.Extremes].
        """
        return []

    def value(self, name: str, row: int) -> Any:
        """The value at `row` as the user wrote it, for error messages."""
        raise NotImplementedError

    def label(self, row: int) -> Any:  # noqa: ARG002 - only DataFrames have labels
        """The row's label, when the table has labels of its own; else None."""
        return None

    def error(self, name: str, row: int, allowed: str) -> ValidationError:
        """The error for the value at `row`: its position, its label and what is allowed."""
        value = self.value(name, row)
        if is_missing(value):
            spec = FIELD_SPECS[name]
            if spec is not None and name in UNKNOWABLE_FIELDS and self.blank == "error":
                allowed = (
                    f"{allowed.removesuffix(', or None')}, not a blank cell (blank='error'; "
                    "pass blank='unknown' to read a blank as not observed)"
                )
            else:
                allowed += (
                    ", not a blank cell (only the unknowable fields, and promised_days, "
                    "delivered_days, elapsed_days and csat, may be blank)"
                )
        return ValidationError(name, value, allowed, row=row, label=self.label(row))

    def write(self, results: dict[str, Any]) -> Any:
        raise NotImplementedError


def is_dask(data: Any) -> bool:
    module = type(data).__module__
    if not module.startswith("dask"):
        return False
    dd = sys.modules.get("dask.dataframe")
    return dd is not None and isinstance(data, dd.DataFrame)


def reader_of(data: Any) -> Reader | None:
    """The reader of a table; None for an iterable of Interactions."""
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(data, pandas.DataFrame):
        return _PandasReader(data)
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None and isinstance(data, (pyarrow.Table, pyarrow.RecordBatch)):
        return _ArrowReader(data)
    polars = sys.modules.get("polars")
    if polars is not None and isinstance(data, polars.DataFrame):
        return _ArrowReader(data.to_arrow(), polars=True)
    if isinstance(data, Mapping):
        return _MappingReader(data)
    if isinstance(data, Iterable) and not isinstance(data, (str, bytes)):
        return None
    raise ValidationError("score_batch.data", type(data).__name__, KINDS)


class _MappingReader(Reader):
    def __init__(self, data: Mapping[Any, Any]) -> None:
        import numpy as np  # noqa: PLC0415

        self.arrays: dict[str, Any] = {}
        self.all_names = list(data)
        rows: int | None = None
        for name, column in data.items():
            if not isinstance(name, str) or name not in FIELD_SPECS:
                if rows is None and hasattr(column, "__len__"):
                    rows = len(column)
                continue
            array = np.asarray(column)
            if array.ndim != 1:
                raise ValidationError(name, array.shape, "a one-dimensional column")
            if rows is None:
                rows = len(array)
            elif len(array) != rows:
                raise ValidationError(name, len(array), f"a column of {rows} rows, as the others")
            self.arrays[name] = array
        self.rows = rows or 0

    def names(self) -> list[Any]:
        return list(self.arrays)

    def given(self) -> list[Any]:
        return self.all_names

    def column(self, name: str) -> Any:
        return self.arrays[name]

    def value(self, name: str, row: int) -> Any:
        return _plain(self.arrays[name][row])

    def write(self, results: dict[str, Any]) -> dict[str, Any]:
        import numpy as np  # noqa: PLC0415

        out = dict(results)
        out["customer_type"] = _names(np, _TYPE_NAMES, results["customer_type"])
        for name in _STATUS_COLUMNS:
            out[name] = _names(np, _STATUS_NAMES, results[name])
        return {name: out[name] for name in _columns_of(results)}


class _PandasReader(Reader):
    def __init__(self, data: Any) -> None:
        self.data = data
        self.rows = len(data)
        self.all_names, self.positions = _names_of(data.columns)
        self._blocks: dict[int, tuple[Any, int]] | None = None
        index = data.index
        self.labelled = not (
            type(index).__name__ == "RangeIndex" and index.start == 0 and index.step == 1
        )

    def names(self) -> list[Any]:
        return self.all_names

    def present(self) -> Container[Any]:
        return self.positions  # the names' positions, kept with the column index

    def _values(self, name: str) -> Any:
        """The column's numpy array if it has a numpy dtype, else None.

        Taken from the frame's blocks, without building a Series: a 1,000-row call reads
        28 columns, and a Series costs about 8 us each, the array 0.2 us. The blocks are
        pandas' own (2.x and 3.x); should they change, the Series path is used.
        """
        if self._blocks is None:
            self._blocks = _numpy_blocks(self.data)
        found = self._blocks.get(self.positions[name])
        return None if found is None else found[0][found[1]]

    def column(self, name: str) -> Any:
        import numpy as np  # noqa: PLC0415

        values = self._values(name)
        if values is not None:
            return values
        series = self.data[name]
        dtype = series.dtype
        if isinstance(dtype, np.dtype):
            return series.to_numpy()
        # Extension dtypes (Int64, Float64, boolean, string, arrow): nullable numbers
        # become floats with NaN for "missing"; everything else an object array.
        if getattr(dtype, "kind", "O") in "iuf":
            return series.to_numpy(dtype="float64", na_value=np.nan)
        if getattr(dtype, "kind", "O") == "b" and not series.hasnans:
            return series.to_numpy(dtype=bool)
        return series.to_numpy(dtype=object, na_value=None)

    def extremes(self) -> list[Extremes]:
        """A small frame's blocks, with the extremes of their Interaction columns.

        A small call's columns cost more in Python than in arithmetic: two or three
        reductions per block (all of its columns at once) in place of two per column
        halve the time of checking them. A large frame's columns are read one by one,
        since its blocks may hold many columns that are not Interaction fields.
        """
        if not 0 < self.rows <= _SMALL_FRAME:
            return []
        return _block_extremes(self.data, self.all_names)

    def _array(self, name: str) -> Any:
        """The column's own array (numpy, or pandas' extension array), without a Series."""
        try:
            return self.data._mgr.iget_values(self.positions[name])  # noqa: SLF001
        except AttributeError:  # pragma: no cover - pandas moved
            return self.data[name].array

    def distinct(self, name: str) -> list[Any] | None:
        array = getattr(self._array(name), "_pa_array", None)  # pandas' Arrow strings
        return None if array is None else _arrow_distinct(array)

    def encoded(self, name: str) -> tuple[list[Any], Any]:
        import numpy as np  # noqa: PLC0415
        import pandas as pd  # noqa: PLC0415

        arrow = getattr(self._array(name), "_pa_array", None)  # pandas' Arrow strings
        if arrow is not None and _is_text(arrow.type):
            return _arrow_codes(arrow)  # a third of pandas.factorize's time on them
        series = self.data[name]
        if isinstance(series.dtype, pd.CategoricalDtype):
            return list(series.cat.categories), np.asarray(series.cat.codes)
        try:
            codes, uniques = pd.factorize(series, use_na_sentinel=True)
        except TypeError:  # unhashable values: the slow path names the first
            return factorize(series.to_numpy(dtype=object))
        return list(uniques), np.asarray(codes)

    def value(self, name: str, row: int) -> Any:
        return _plain(self.data[name].iloc[row])

    def label(self, row: int) -> Any:
        return _plain(self.data.index[row]) if self.labelled else None

    def write(self, results: dict[str, Any]) -> Any:
        import pandas as pd  # noqa: PLC0415

        type_dtype, status_dtype = _pandas_dtypes()
        blocks = getattr(results, "blocks", None)
        if blocks is not None and len(results) == _SCORE_COLUMNS:
            frame = _frame_of_blocks(pd, blocks, (type_dtype, status_dtype), self.data.index)
            if frame is not None:
                return frame
        out = dict(results)
        out["customer_type"] = pd.Categorical.from_codes(
            results["customer_type"], dtype=type_dtype, validate=False
        )
        for name in _STATUS_COLUMNS:
            out[name] = pd.Categorical.from_codes(results[name], dtype=status_dtype, validate=False)
        columns = _columns_of(results)
        index = self.data.index
        for name in columns[_SCORE_COLUMNS:]:  # the reasons: text, None where the leg holds
            out[name] = pd.Series(results[name], dtype=object, index=index, copy=False)
        return _frame(pd, [out[name] for name in columns], columns, index)


_last_columns: tuple[Any, Any] = (None, None)


def _names_of(columns: Any) -> tuple[list[Any], dict[Any, int]]:
    """A frame's column names and each one's position, checked for repeated fields.

    The last answer is kept for the same (immutable) column index: a stream of small
    frames cut from one table, or one frame scored again, shares it.
    """
    global _last_columns  # noqa: PLW0603 - a cache of one entry, replaced whole
    cached, answer = _last_columns
    if cached is not None and cached() is columns:
        return answer  # type: ignore[no-any-return]
    names: list[Any] = columns.tolist()  # fast, where list() reads an Arrow index item by item
    if not columns.is_unique:
        for name in columns[columns.duplicated()]:
            if isinstance(name, str) and name in FIELD_SPECS:
                raise ValidationError(name, name, "one column per field (this one is repeated)")
    answer = (names, {name: k for k, name in enumerate(names)})
    with contextlib.suppress(TypeError):  # an index that takes no weak reference
        _last_columns = (weakref.ref(columns), answer)
    return answer


def _frame_blocks(data: Any) -> list[tuple[Any, list[int]]]:
    """A frame's 2-D numpy blocks, each with the positions of its columns, in order.

    Empty when the frame's blocks are not what pandas 2 and 3 keep (pandas moved): the
    columns are then read as Series, one by one.
    """
    import numpy as np  # noqa: PLC0415

    try:
        blocks = [(block.values, block.mgr_locs.as_array) for block in data._mgr.blocks]  # noqa: PD011, SLF001
    except AttributeError:  # pragma: no cover - pandas moved
        return []
    return [
        (values, positions.tolist())
        for values, positions in blocks
        if isinstance(values, np.ndarray) and values.ndim == 2
    ]


def _numpy_blocks(data: Any) -> dict[int, tuple[Any, int]]:
    """Where each column of a numpy dtype is: its block's 2-D array and its row in it."""
    return {
        position: (values, row)
        for values, positions in _frame_blocks(data)
        for row, position in enumerate(positions)
    }


class Extremes(NamedTuple):
    """The Interaction columns of one 2-D block of a frame, with their extremes.

    `rows` are the block's rows that hold Interaction fields, and `names` their fields.
    For numbers, `lows` and `highs` are each of those columns' smallest and largest
    value present, as Python numbers (NaN where every value is blank), and `blank`
    whether it has a blank (NaN); for booleans the three are None.
    """

    values: Any
    kind: str
    rows: tuple[int, ...]
    names: tuple[str, ...]
    lows: list[Any] | None
    highs: list[Any] | None
    blank: list[bool] | None


def _block_extremes(data: Any, names: list[Any]) -> list[Extremes]:
    """The numeric and boolean blocks of a frame that hold Interaction fields.

    Two reductions per block of integers (which hold no blank), three per block of
    floats, give the extremes of every column of the block at once; the block's other
    columns (an id, a number of the export's own) go along and are dropped.
    """
    import numpy as np  # noqa: PLC0415

    out: list[Extremes] = []
    every_name = tuple(names)
    for values, positions in _frame_blocks(data):
        kind = values.dtype.kind
        if not (kind in "biu" or values.dtype == np.float64):
            continue
        rows, fields = _fields_of_block(every_name, tuple(positions))
        if not rows:
            continue
        if kind == "b":
            out.append(Extremes(values, kind, rows, fields, None, None, None))
            continue
        if kind == "f":
            lows = np.fmin.reduce(values, axis=1).tolist()
            highs = np.fmax.reduce(values, axis=1).tolist()
            blanks = np.isnan(np.minimum.reduce(values, axis=1)).tolist()
        else:
            lows = np.minimum.reduce(values, axis=1).tolist()
            highs = np.maximum.reduce(values, axis=1).tolist()
            blanks = [False] * len(values)
        if len(rows) < len(values):
            lows = [lows[row] for row in rows]
            highs = [highs[row] for row in rows]
            blanks = [blanks[row] for row in rows]
        out.append(Extremes(values, kind, rows, fields, lows, highs, blanks))
    return out


@functools.lru_cache(maxsize=64)
def _fields_of_block(
    names: tuple[Any, ...], positions: tuple[int, ...]
) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """The rows of a block that hold Interaction fields, and their fields.

    Kept for the frame's column names and the block's columns: a stream of frames of one
    shape shares them.
    """
    rows = tuple(row for row, position in enumerate(positions) if names[position] in FIELD_SPECS)
    return rows, tuple(names[positions[row]] for row in rows)


def _frame(pd: Any, arrays: list[Any], columns: tuple[str, ...], index: Any) -> Any:
    """A DataFrame of fresh columns, kept as they are (no copy, no checks).

    Large frames go through the public constructor with `copy=False` (the arrays are this
    call's own), which keeps each column as it is; pandas would otherwise consolidate the
    float columns into one block, a copy as large as them. For small frames, where that
    copy is cheap, pandas' `DataFrame._from_arrays` builds the frame in 20 us where the
    constructor takes 100 us, which a 1,000-row call feels.
    """
    arrays = [getattr(array, "array", array) for array in arrays]  # a Series: its values
    if len(index) > _SMALL_FRAME:
        return pd.DataFrame(dict(zip(columns, arrays, strict=True)), index=index, copy=False)
    try:
        return pd.DataFrame._from_arrays(  # noqa: SLF001
            arrays, columns=_column_index(columns), index=index, verify_integrity=False
        )
    except (AttributeError, TypeError):  # pragma: no cover - pandas moved
        return pd.DataFrame(dict(zip(columns, arrays, strict=True)), index=index, copy=False)


_SMALL_FRAME: Final = 16_384

# Where the rows of each of score_batch's output blocks go among its columns.
_BLOCK_COLUMNS: Final = (
    (
        "customer",
        "company",
        "agent",
        "predicted_csat",
        "p_low",
        "customer_coverage",
        "company_coverage",
        "agent_coverage",
    ),
    ("customer_at_risk", "company_at_risk", "agent_at_risk", "collapsed"),
    ("customer_type", *_STATUS_COLUMNS),
)


def _frame_of_blocks(pd: Any, blocks: Any, dtypes: tuple[Any, Any], index: Any) -> Any:
    """The output frame made of score_batch's blocks as they are; None where pandas can't.

    Each block becomes one of pandas' blocks without a copy or a check: the arrays are
    this call's own, of the right shapes, and their placements cover every column once.
    pandas' own block classes take them in 8 us, where its `create_dataframe_from_blocks`
    (pandas 3) takes 17 us and building the frame column by column twice that: a cost a
    1,000-row call feels. Should pandas move its internals, the public function is used.
    """
    columns = _columns_of({})
    floats, flags, codes = blocks
    floats_at, flags_at, *codes_at = _placements(columns)
    type_dtype, status_dtype = dtypes  # the customer type's codes, then the statuses'
    categoricals = [
        pd.Categorical.from_codes(
            codes[row], dtype=type_dtype if row == 0 else status_dtype, validate=False
        )
        for row in range(len(codes_at))
    ]
    internals = _pandas_internals()
    if internals is not None:
        numpy_block, extension_block, manager, placement = internals
        with contextlib.suppress(AttributeError, TypeError):  # pandas changed its blocks
            made = [
                numpy_block(floats, ndim=2, placement=placement(floats_at)),
                numpy_block(flags, ndim=2, placement=placement(flags_at)),
                *(
                    extension_block(categorical, ndim=2, placement=placement(at))
                    for categorical, at in zip(categoricals, codes_at, strict=True)
                ),
            ]
            axes = [_column_index(columns), index]
            return pd.DataFrame._from_mgr(manager(tuple(made), axes, verify_integrity=False), axes)  # noqa: SLF001
    try:
        from pandas.api.internals import (  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
            create_dataframe_from_blocks,
        )
    except ImportError:  # pragma: no cover - pandas 2
        return None
    placed = [(floats, floats_at), (flags, flags_at), *zip(categoricals, codes_at, strict=True)]
    return create_dataframe_from_blocks(placed, index=index, columns=_column_index(columns))


@functools.cache
def _pandas_internals() -> tuple[Any, Any, Any, Any] | None:
    """The block classes, block manager and placement of pandas 2 and 3; None if moved."""
    try:
        from pandas._libs.internals import (  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
            BlockPlacement,
        )
        from pandas.core.internals.blocks import (  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
            ExtensionBlock,
            NumpyBlock,
        )
        from pandas.core.internals.managers import (  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
            BlockManager,
        )
    except ImportError:  # pragma: no cover - pandas moved
        return None
    return NumpyBlock, ExtensionBlock, BlockManager, BlockPlacement


@functools.cache
def _placements(columns: tuple[str, ...]) -> tuple[Any, ...]:
    """Where each output block goes among `columns`: the floats, the flags, each code."""
    import numpy as np  # noqa: PLC0415

    floats, flags, codes = _BLOCK_COLUMNS
    return (
        np.array([columns.index(name) for name in floats]),
        np.array([columns.index(name) for name in flags]),
        *(np.array([columns.index(name)]) for name in codes),
    )


@functools.cache
def _column_index(columns: tuple[str, ...]) -> Any:
    import pandas as pd  # noqa: PLC0415

    return pd.Index(list(columns))


@functools.cache
def _pandas_dtypes() -> tuple[Any, Any]:
    """The categorical dtypes of the output, built once."""
    import pandas as pd  # noqa: PLC0415

    return pd.CategoricalDtype(list(_TYPE_NAMES)), pd.CategoricalDtype(list(_STATUS_NAMES))


@functools.cache
def _arrow_dictionaries() -> tuple[Any, Any]:
    """The dictionaries of the output's Arrow name columns, built once."""
    import pyarrow as pa  # noqa: PLC0415

    return pa.array(list(_TYPE_NAMES)), pa.array(list(_STATUS_NAMES))


class _ArrowReader(Reader):
    """A pyarrow Table or RecordBatch, or a polars DataFrame seen through Arrow."""

    def __init__(self, data: Any, *, polars: bool = False) -> None:
        self.data = data
        self.polars = polars
        self.rows = data.num_rows
        names = list(data.schema.names)
        for name in set(names):
            if names.count(name) > 1 and name in FIELD_SPECS:
                raise ValidationError(name, name, "one column per field (this one is repeated)")

    def names(self) -> list[Any]:
        return list(self.data.schema.names)

    def _array(self, name: str) -> Any:
        """The column as one Arrow array (a Table's chunks joined)."""
        column = self.data.column(name)
        if hasattr(column, "combine_chunks"):
            column = column.combine_chunks()
        return column

    def column(self, name: str) -> Any:
        import pyarrow as pa  # noqa: PLC0415

        array = self._array(name)
        kind = array.type
        if pa.types.is_dictionary(kind):
            array = array.dictionary_decode()
        elif pa.types.is_floating(kind) or (pa.types.is_integer(kind) and array.null_count):
            # Nulls become NaN: blanks, as in pandas.
            return array.to_numpy(zero_copy_only=False)
        return array.to_numpy(zero_copy_only=False)

    def distinct(self, name: str) -> list[Any] | None:
        return _arrow_distinct(self.data.column(name))

    def encoded(self, name: str) -> tuple[list[Any], Any]:
        import pyarrow as pa  # noqa: PLC0415

        array = self._array(name)
        if not (pa.types.is_dictionary(array.type) or _is_text(array.type)):
            return factorize(array.to_numpy(zero_copy_only=False))
        return _arrow_codes(array)

    def value(self, name: str, row: int) -> Any:
        return self.data.column(name)[row].as_py()

    def write(self, results: dict[str, Any]) -> Any:
        import pyarrow as pa  # noqa: PLC0415

        columns = _columns_of(results)
        arrays = {name: pa.array(results[name]) for name in columns}
        types, statuses = _arrow_dictionaries()
        for name, names in (("customer_type", types), *((n, statuses) for n in _STATUS_COLUMNS)):
            codes = results[name]
            arrays[name] = pa.DictionaryArray.from_arrays(
                pa.array(codes, type=pa.int8(), mask=codes < 0), names
            )
        for name in columns[_SCORE_COLUMNS:]:  # the reasons, if any
            arrays[name] = pa.array(results[name], type=pa.string())
        if isinstance(self.data, pa.RecordBatch):
            return pa.RecordBatch.from_arrays(
                [arrays[name] for name in columns], names=list(columns)
            )
        table = pa.table({name: arrays[name] for name in columns})
        if self.polars:
            import polars as pl  # noqa: PLC0415 - loaded already: the input was a polars frame

            return pl.from_arrow(table)
        return table


def _is_text(kind: Any) -> bool:
    """Whether an Arrow type is one of text."""
    import pyarrow as pa  # noqa: PLC0415

    return bool(
        pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)
    )


def _arrow_codes(array: Any) -> tuple[list[Any], Any]:
    """The distinct values of an Arrow column of text or a dictionary, and each row's code.

    Coded in Arrow's C++, no Python string per row; -1 for a null.
    """
    import pyarrow as pa  # noqa: PLC0415

    if isinstance(array, pa.ChunkedArray):
        array = array.chunk(0) if array.num_chunks == 1 else array.combine_chunks()
    if not pa.types.is_dictionary(array.type):
        array = array.dictionary_encode()
    indices = array.indices
    if indices.null_count:  # each compute call costs ~10 us: a small call feels them
        indices = indices.cast(pa.int64()).fill_null(-1)  # (polars' indices are unsigned)
    return array.dictionary.to_pylist(), indices.to_numpy(zero_copy_only=False)


def _arrow_distinct(array: Any) -> list[Any] | None:
    """The distinct values of an Arrow column of text (hashed in C++), else None."""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.compute as pc  # noqa: PLC0415

    kind = array.type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        return None
    return pc.unique(array).to_pylist()  # type: ignore[no-any-return]


def _columns_of(results: dict[str, Any]) -> tuple[str, ...]:
    """The output columns, in order: the scores, then the reasons when asked for."""
    scores, reasons = _output_columns()
    return scores + reasons if "customer_reason" in results else scores


@functools.cache
def _output_columns() -> tuple[tuple[str, ...], tuple[str, ...]]:
    from stool.batch import OUTPUT_COLUMNS, REASON_COLUMNS  # noqa: PLC0415 - loaded: it called us

    return OUTPUT_COLUMNS, REASON_COLUMNS


def _names(np: Any, names: tuple[str, ...], codes: Any) -> Any:
    """Codes as a numpy array of names: strings, or objects with None where unknown."""
    if (codes < 0).any():
        return np.asarray((*names, None), dtype=object)[codes]
    return np.asarray(names)[codes]


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds, for readable error messages."""
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        return item()
    return value
