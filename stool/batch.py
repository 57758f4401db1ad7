"""Score a whole table of interactions at once, with the formulas of [score][stool.score].

[score_batch][stool.batch.score_batch] reads a pandas DataFrame, a pyarrow Table or a
mapping of column names to numpy arrays whose columns are
[Interaction][stool.Interaction] field names, validates every column with the same
rules as `Interaction(...)`, and runs the very code [score][stool.score] runs, on
arrays: the two agree row by row.
numpy, pandas and pyarrow are imported here, when first needed, and never by
`import stool`.

    >>> import numpy as np
    >>> from stool.batch import score_batch
    >>> out = score_batch({"fulfilment": np.array([1.0, 0.0]), "breaks": np.array([0, 1])})
    >>> out["company_at_risk"].tolist(), out["customer_type"].tolist()
    ([False, True], ['SATISFIED', 'DISSATISFIED'])
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal

from stool import _formula
from stool._fields import Spec, _normalise_int, _normalise_real
from stool.enums import CustomerType, member_from_name
from stool.errors import ValidationError
from stool.interaction import FIELD_DEFAULTS, FIELD_SPECS, taxonomy_code
from stool.models import StoolModel

if TYPE_CHECKING:
    import enum

    import numpy as np
    import numpy.typing as npt

__all__ = ["CHUNK_ROWS", "OUTPUT_COLUMNS", "score_batch"]

CHUNK_ROWS: Final = 16_384
"""Rows scored per step: small enough that the intermediate arrays stay in the CPU cache,
large enough that numpy's per-call overhead vanishes."""

OUTPUT_COLUMNS: Final[tuple[str, ...]] = (
    "customer",
    "company",
    "agent",
    "customer_at_risk",
    "company_at_risk",
    "agent_at_risk",
    "collapsed",
    "customer_type",
    "predicted_csat",
)
"""The columns [score_batch][stool.batch.score_batch] returns, in this order."""

_TYPE_NAMES: Final = tuple(member.name for member in CustomerType)

# The Interaction fields the formulas read, in the order `_formula.evaluate` takes them
# (`promise_gap` stands for promised_days and delivered_days).
_INPUTS: Final = (
    "fulfilment",
    "professionalism",
    "empathy",
    "explanation_clarity",
    "extra_mile",
    "wait_time_s",
    "transfers",
    "repeat_contacts",
    "promise_gap",
    "expectation",
    "prior_bad_experiences",
    "customer_value",
    "customer_abuse",
    "agent_fatigue",
    "ended_by_agent",
    "escalated",
    "thanked",
    "bends",
    "breaks",
    "concession_cost",
    "concession_budget",
    "handle_time_s",
    "aht_target_s",
)

_KINDS: Final = "a pandas DataFrame, a pyarrow Table or a mapping of column names to numpy arrays"


def score_batch(
    data: Any,
    model: StoolModel | None = None,
    *,
    extra_columns: Literal["error", "ignore"] = "error",
) -> Any:
    """Score every row of a table of interactions; return a table of the same kind.

    Columns are [Interaction][stool.Interaction] field names.
    A column that is not a field is an error by default, naming the column and the
    closest field name: a misspelt field (`fulfillment` for `fulfilment`) would
    otherwise take its default in every row without a word.
    Pass `extra_columns="ignore"` when the table also carries ids or other data.
    A missing column takes the field's default for every row.
    Enum columns (`channel`, `authority`) hold member names, as
    [unstructure][stool.unstructure] writes them, or members.
    In the optional columns (`promised_days`, `delivered_days`, `csat`) a null or NaN
    means absent; anywhere else it is an error.

    Args:
        data: A pandas DataFrame, a pyarrow Table, or a mapping of column name to a
            one-dimensional numpy array (all of one length).
        model: The model; None for the default [StoolModel][stool.models.StoolModel].
        extra_columns: `"error"` (the default) to reject columns that are not
            Interaction fields, `"ignore"` to let them through unread.

    Returns:
        The same kind as `data` (a DataFrame keeps `data`'s index; a mapping is a
        `dict` of numpy arrays), with the columns of
        [OUTPUT_COLUMNS][stool.batch.OUTPUT_COLUMNS]: `customer`, `company`, `agent`
        (floats from 0 to 1); `customer_at_risk`, `company_at_risk`, `agent_at_risk`,
        `collapsed` (booleans); `customer_type` (CustomerType names: a pandas
        categorical, an arrow dictionary array, or a numpy string array); and
        `predicted_csat` (1 to 5). Row `k` equals
        [score][stool.score] of row `k` as an Interaction.

    Raises:
        ValidationError: If a value is invalid: NaN or infinite, out of range, a
            negative or fractional count, a number in a boolean column, an unknown enum
            name, columns of different lengths, or (unless `extra_columns="ignore"`) a
            column that is not an Interaction field. The error names the column, the
            first bad row (its position, from 0, as `error.row`) and the value.

    Example:
        >>> import pandas as pd
        >>> from stool.batch import score_batch
        >>> table = pd.DataFrame({"customer_abuse": [0.0, 0.9], "thanked": [True, False]})
        >>> score_batch(table)[["agent_at_risk", "customer_type"]]
           agent_at_risk customer_type
        0          False     SATISFIED
        1           True     SATISFIED
    """
    if model is None:
        model = StoolModel()
    elif not isinstance(model, StoolModel):
        raise ValidationError("score_batch.model", model, "a StoolModel, or None for the default")
    if extra_columns not in ("error", "ignore"):
        raise ValidationError("score_batch.extra_columns", extra_columns, "'error' or 'ignore'")
    reader = _reader(data)
    if extra_columns == "error":
        _reject_extra_columns(reader.given())
    columns, rows = reader.read()
    results = _score_columns(columns, rows, model)
    return reader.write(results)


# ------------------------------------------------------------------------------- scoring


def _score_columns(
    columns: dict[str, Any], rows: int, model: StoolModel
) -> dict[str, npt.NDArray[Any]]:
    import numpy as np  # noqa: PLC0415 - numpy is an optional extra

    xp = _formula.array_math()
    thresholds = model.thresholds
    levels, collapse = thresholds._levels  # noqa: SLF001
    customer_out = np.empty(rows)
    company_out = np.empty(rows)
    agent_out = np.empty(rows)
    flags = np.empty((4, rows), dtype=bool)
    codes = np.empty(rows, dtype=np.int8)
    inputs = [columns[name] for name in _INPUTS]
    # Ratios may overflow to inf before they saturate, as Python floats silently do in
    # `score`; numpy would warn about it.
    with np.errstate(over="ignore", under="ignore"):
        for start in range(0, rows, CHUNK_ROWS):
            part = slice(start, min(start + CHUNK_ROWS, rows))
            args = [value[part] if isinstance(value, np.ndarray) else value for value in inputs]
            result = _formula.evaluate(xp, model, *args)
            customer, company, agent = result[1], result[4], result[8]
            customer_out[part] = customer
            company_out[part] = company
            agent_out[part] = agent
            flags[0, part] = customer < levels[0]
            flags[1, part] = company < levels[1]
            flags[2, part] = agent < levels[2]
            flags[3, part] = (
                (customer < collapse[0]) | (company < collapse[1]) | (agent < collapse[2])
            )
            codes[part] = taxonomy_code(
                args[0], args[1], args[4], thresholds.fulfilled_at, thresholds.unprofessional_below
            )
    return {
        "customer": customer_out,
        "company": company_out,
        "agent": agent_out,
        "customer_at_risk": flags[0],
        "company_at_risk": flags[1],
        "agent_at_risk": flags[2],
        "collapsed": flags[3],
        "customer_type": codes,
        "predicted_csat": _formula.predicted_csat(customer_out),
    }


# ------------------------------------------------------------------------ reading tables


def _reject_extra_columns(names: list[Any]) -> None:
    for name in names:
        if isinstance(name, str) and name in FIELD_SPECS:
            continue
        import difflib  # noqa: PLC0415 - only needed to word the error

        close = difflib.get_close_matches(str(name), FIELD_SPECS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValidationError(
            "score_batch.data",
            name,
            f"Interaction field names as columns{hint}; pass extra_columns='ignore' to let "
            "other columns through",
        )


class _Reader:
    """Reads the Interaction columns of one kind of table and writes the result back."""

    rows: int

    def names(self) -> list[Any]:
        """The names of the columns that hold Interaction fields (and possibly others)."""
        raise NotImplementedError

    def given(self) -> list[Any]:
        """The names of every column of the table, as given."""
        return self.names()

    def column(self, name: str) -> Any:
        """The column as a numpy array (or a pandas categorical, left as it is)."""
        raise NotImplementedError

    def value(self, name: str, row: int) -> Any:
        """The value at `row` as the user wrote it, for error messages."""
        raise NotImplementedError

    def write(self, results: dict[str, Any]) -> Any:
        raise NotImplementedError

    def read(self) -> tuple[dict[str, Any], int]:
        present = {name for name in self.names() if isinstance(name, str)}
        checked: dict[str, Any] = {}
        for name, spec in FIELD_SPECS.items():
            if spec is None:
                continue
            # A missing column broadcasts its default.
            checked[name] = (
                _check(name, spec, self.column(name), self)
                if name in present
                else FIELD_DEFAULTS[name]
            )
        checked["promise_gap"] = _promise_gap(checked["promised_days"], checked["delivered_days"])
        return checked, self.rows


def _promise_gap(promised: Any, delivered: Any) -> Any:
    """Promised minus delivered days where both are present, else 0 (no disconfirmation)."""
    import numpy as np  # noqa: PLC0415

    if promised is None or delivered is None:
        return 0.0
    gap = np.subtract(promised, delivered)
    if isinstance(gap, np.ndarray):
        gap[np.isnan(gap)] = 0.0
        return gap
    return 0.0 if gap != gap else float(gap)  # noqa: PLR0124 - NaN test on a scalar


def _reader(data: Any) -> _Reader:
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(data, pandas.DataFrame):
        return _PandasReader(data)
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None and isinstance(data, pyarrow.Table):
        return _ArrowReader(data)
    if isinstance(data, Mapping):
        return _MappingReader(data)
    raise ValidationError("score_batch.data", type(data).__name__, _KINDS)


class _MappingReader(_Reader):
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
        out["customer_type"] = np.asarray(_TYPE_NAMES)[results["customer_type"]]
        return {name: out[name] for name in OUTPUT_COLUMNS}


class _PandasReader(_Reader):
    def __init__(self, data: Any) -> None:
        self.data = data
        self.rows = len(data)
        duplicated = data.columns[data.columns.duplicated()]
        for name in duplicated:
            if isinstance(name, str) and name in FIELD_SPECS:
                raise ValidationError(name, name, "one column per field (this one is repeated)")

    def names(self) -> list[Any]:
        return list(self.data.columns)

    def column(self, name: str) -> Any:
        import numpy as np  # noqa: PLC0415
        import pandas as pd  # noqa: PLC0415

        series = self.data[name]
        dtype = series.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            return series.array
        if isinstance(dtype, np.dtype):
            return series.to_numpy()
        # Extension dtypes (Int64, Float64, boolean, string, arrow): nullable numbers
        # become floats with NaN for "missing"; everything else an object array.
        if getattr(dtype, "kind", "O") in "iuf":
            return series.to_numpy(dtype="float64", na_value=np.nan)
        return series.to_numpy(dtype=object, na_value=None)

    def value(self, name: str, row: int) -> Any:
        return _plain(self.data[name].iloc[row])

    def write(self, results: dict[str, Any]) -> Any:
        import pandas as pd  # noqa: PLC0415

        out = dict(results)
        out["customer_type"] = pd.Categorical.from_codes(
            results["customer_type"], dtype=pd.CategoricalDtype(list(_TYPE_NAMES))
        )
        return pd.DataFrame({name: out[name] for name in OUTPUT_COLUMNS}, index=self.data.index)


class _ArrowReader(_Reader):
    def __init__(self, data: Any) -> None:
        self.data = data
        self.rows = data.num_rows
        names = list(data.column_names)
        for name in set(names):
            if names.count(name) > 1 and name in FIELD_SPECS:
                raise ValidationError(name, name, "one column per field (this one is repeated)")

    def names(self) -> list[Any]:
        return list(self.data.column_names)

    def column(self, name: str) -> Any:
        return self.data.column(name).to_numpy()

    def value(self, name: str, row: int) -> Any:
        return self.data.column(name)[row].as_py()

    def write(self, results: dict[str, Any]) -> Any:
        import pyarrow as pa  # noqa: PLC0415

        arrays = {name: pa.array(results[name]) for name in OUTPUT_COLUMNS}
        arrays["customer_type"] = pa.DictionaryArray.from_arrays(
            pa.array(results["customer_type"], type=pa.int8()), pa.array(list(_TYPE_NAMES))
        )
        return pa.table({name: arrays[name] for name in OUTPUT_COLUMNS})


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds, for readable error messages."""
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        return item()
    return value


# ---------------------------------------------------------------------------- validating


def _check(name: str, spec: Spec, column: Any, reader: _Reader) -> Any:
    """Validate one column; return it as the formulas want it (None for enum columns)."""
    import numpy as np  # noqa: PLC0415

    if spec.kind == "enum":
        _check_enum(name, spec, column, reader)
        return None
    kind = column.dtype.kind if isinstance(column, np.ndarray) else "O"
    if kind == "O":
        return _check_objects(name, spec, column, reader)
    if spec.kind == "bool":
        if kind != "b":
            raise ValidationError(name, reader.value(name, 0), spec.allowed, row=0)
        return column
    if kind not in "iuf":
        raise ValidationError(name, reader.value(name, 0), spec.allowed, row=0)
    values = column if column.dtype == np.float64 else column.astype(np.float64)
    if len(values) and not _in_range(spec, values, integral=spec.kind == "int" and kind == "f"):
        row = _first_bad(spec, values, integral=spec.kind == "int")
        raise ValidationError(name, reader.value(name, row), spec.allowed, row=row)
    return values


def _in_range(spec: Spec, values: npt.NDArray[np.float64], *, integral: bool) -> bool:
    """The fast check: a few reductions, no temporary arrays."""
    import numpy as np  # noqa: PLC0415

    if spec.optional:
        low, high = np.fmin.reduce(values), np.fmax.reduce(values)
        if low != low:  # noqa: PLR0124 - every value absent
            return True
    else:
        low, high = values.min(), values.max()
    inside = (low > spec.low if spec.low_open else low >= spec.low) and high <= spec.high
    if not (inside and -np.inf < low and high < np.inf):
        return False
    if integral:
        present = values if not spec.optional else values[~np.isnan(values)]
        return bool(np.array_equal(present, np.trunc(present)))
    return True


def _first_bad(spec: Spec, values: npt.NDArray[np.float64], *, integral: bool) -> int:
    import numpy as np  # noqa: PLC0415

    low = values > spec.low if spec.low_open else values >= spec.low
    good = low & (values <= spec.high) & np.isfinite(values)
    if integral:
        good &= values == np.trunc(values)
    if spec.optional:
        good |= np.isnan(values)
    return int(np.argmin(good))


def _is_missing(value: Any) -> bool:
    if value is None or (isinstance(value, float) and value != value):  # noqa: PLR0124
        return True
    pandas = sys.modules.get("pandas")
    return pandas is not None and value is pandas.NA


def _check_objects(name: str, spec: Spec, column: Any, reader: _Reader) -> Any:
    """The slow path for object columns: each value checked as `Interaction` checks it."""
    import numpy as np  # noqa: PLC0415

    normalise: Callable[[Any], Any] = _normalise_int if spec.kind == "int" else _normalise_real
    if spec.kind == "bool":
        normalise = _normalise_bool
    out = np.empty(len(column), dtype=bool if spec.kind == "bool" else np.float64)
    for row, raw in enumerate(column.tolist()):
        if spec.optional and _is_missing(raw):
            out[row] = np.nan
            continue
        value = normalise(raw)
        try:
            spec.check(name, value)
        except ValidationError as error:
            raise ValidationError(name, reader.value(name, row), error.allowed, row=row) from None
        out[row] = value
    return out


def _normalise_bool(value: Any) -> Any:
    return bool(value) if type(value).__name__ == "bool_" else value


def _check_enum(name: str, spec: Spec, column: Any, reader: _Reader) -> None:
    import numpy as np  # noqa: PLC0415

    enum_cls: type[enum.Enum] = spec.enum  # type: ignore[assignment]
    allowed = f"one of {', '.join(enum_cls.__members__)} (a {enum_cls.__name__} name)"
    if not isinstance(column, np.ndarray):
        row = _bad_category(enum_cls, column)
    elif column.dtype.kind in "US":
        good = np.zeros(len(column), dtype=bool)
        for member_name in enum_cls.__members__:
            good |= column == member_name
        row = None if good.all() else int(np.argmin(good))
    elif column.dtype.kind == "O":
        row = _bad_object(enum_cls, column.tolist())
    else:
        row = 0 if len(column) else None
    if row is not None:
        raise ValidationError(name, reader.value(name, row), allowed, row=row)


def _bad_category(enum_cls: type[enum.Enum], column: Any) -> int | None:
    """The first bad row of a pandas categorical: check its categories, not its rows."""
    import numpy as np  # noqa: PLC0415

    codes = np.asarray(column.codes)
    bad_categories = [
        position
        for position, category in enumerate(column.categories)
        if not _is_member(enum_cls, category)
    ]
    bad = (codes < 0) | np.isin(codes, bad_categories)
    return int(np.argmax(bad)) if bad.any() else None


def _bad_object(enum_cls: type[enum.Enum], values: list[Any]) -> int | None:
    """The first bad row of an object column: check its distinct values first."""
    try:
        distinct = set(values)
    except TypeError:  # unhashable values: check them one by one
        pass
    else:
        if all(_is_member(enum_cls, value) for value in distinct):
            return None
    for row, value in enumerate(values):
        if not _is_member(enum_cls, value):
            return row
    return None


def _is_member(enum_cls: type[enum.Enum], value: Any) -> bool:
    try:
        member_from_name(enum_cls, value, field="")
    except (ValidationError, TypeError):
        return False
    return True
