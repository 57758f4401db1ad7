"""Score a whole table of interactions at once, with the formulas of [score][stool.score].

[score_batch][stool.batch.score_batch] reads a pandas DataFrame, a pyarrow Table or a
mapping of column names to numpy arrays whose columns are
[Interaction][stool.Interaction] field names, validates every column with the same
rules as `Interaction(...)`, and runs the very code [score][stool.score] runs, on
arrays: the two agree row by row.
numpy, pandas and pyarrow are imported here, when first needed, and never by
`import stool`.

A column the table does not have is *not observed* when it is one of
[UNKNOWABLE_FIELDS][stool.interaction.UNKNOWABLE_FIELDS]: the factors that read it drop
out, and each leg reports the share of its weight that was observed (its coverage) and a
status. Here the first row's customer type is unknown, since whether a fulfilled request
left the customer satisfied or very satisfied turns on the extra mile, which the table
does not record:

    >>> import numpy as np
    >>> from stool.batch import score_batch
    >>> out = score_batch(
    ...     {
    ...         "fulfilment": np.array([1.0, 0.0]),
    ...         "professionalism": np.array([1.0, 0.2]),
    ...         "breaks": np.array([0, 1]),
    ...     }
    ... )
    >>> out["company_at_risk"].tolist(), out["customer_type"].tolist()
    ([False, True], [None, 'VERY_DISSATISFIED'])
    >>> out["customer_coverage"].round(2).tolist(), out["customer_status"].tolist()
    ([0.45, 0.45], ['NOT_ENOUGH_EVIDENCE', 'AT_RISK'])
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal

from stool import _formula
from stool._fields import Spec, _normalise_int, _normalise_real
from stool.enums import Channel, CustomerType, LegStatus, member_from_name
from stool.errors import ValidationError
from stool.interaction import FIELD_DEFAULTS, FIELD_SPECS, UNKNOWABLE_FIELDS, taxonomy_code
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
    "p_low",
    "customer_coverage",
    "company_coverage",
    "agent_coverage",
    "customer_status",
    "company_status",
    "agent_status",
)
"""The columns [score_batch][stool.batch.score_batch] returns, in this order."""

_TYPE_NAMES: Final = tuple(member.name for member in CustomerType)
_STATUS_NAMES: Final = tuple(member.name for member in LegStatus)
_STATUS_CODES: Final = {member: code for code, member in enumerate(LegStatus)}

# The Interaction fields the formulas read, in the order of `_formula.Inputs`
# (`wait_scale_s` comes from the channel, `lateness_days` from the promise).
_INPUTS: Final = (
    "fulfilment",
    "professionalism",
    "empathy",
    "explanation_clarity",
    "extra_mile",
    "wait_time_s",
    "wait_scale_s",
    "transfers",
    "repeat_contacts",
    "lateness_days",
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
    "queue_wait_imposed_s",
)

_KINDS: Final = "a pandas DataFrame, a pyarrow Table or a mapping of column names to numpy arrays"


def score_batch(
    data: Any,
    model: StoolModel | None = None,
    *,
    extra_columns: Literal["error", "ignore"] = "error",
    absent: Literal["unknown", "default"] = "unknown",
) -> Any:
    """Score every row of a table of interactions; return a table of the same kind.

    Columns are [Interaction][stool.Interaction] field names.
    A column that is not a field is an error by default, naming the column and the
    closest field name: a misspelt field (`fulfillment` for `fulfilment`) would
    otherwise be missing from every row without a word.
    Pass `extra_columns="ignore"` when the table also carries ids or other data.
    In the columns of [UNKNOWABLE_FIELDS][stool.interaction.UNKNOWABLE_FIELDS]
    (fulfilment, professionalism, empathy, explanation clarity, the extra mile, the
    wait, ...) a null or NaN means *not observed*, and so does a missing column, by
    default (`absent="unknown"`): the factors that read it drop out, as in
    [score][stool.score]. `absent="default"` gives a missing column the field's default
    instead (a routine contact), for synthetic tables. Other missing columns take their
    default. Enum columns (`channel`, `authority`) hold member names, as
    [unstructure][stool.unstructure] writes them, or members.
    In `promised_days`, `delivered_days`, `elapsed_days` and `csat` a null or NaN means
    absent; anywhere else it is an error.

    Args:
        data: A pandas DataFrame, a pyarrow Table, or a mapping of column name to a
            one-dimensional numpy array (all of one length).
        model: The model; None for the default [StoolModel][stool.models.StoolModel].
        extra_columns: `"error"` (the default) to reject columns that are not
            Interaction fields, `"ignore"` to let them through unread.
        absent: `"unknown"` (the default): a missing column of an unknowable field is
            not observed in any row; `"default"`: it takes the field's default.

    Returns:
        The same kind as `data` (a DataFrame keeps `data`'s index; a mapping is a
        `dict` of numpy arrays), with the columns of
        [OUTPUT_COLUMNS][stool.batch.OUTPUT_COLUMNS]: `customer`, `company`, `agent`
        (floats from 0 to 1); `customer_at_risk`, `company_at_risk`, `agent_at_risk`,
        `collapsed` (booleans); `customer_type` (CustomerType names, null where not
        known: a pandas categorical, an arrow dictionary array, or a numpy array);
        `predicted_csat` (1 to 5) and `p_low` (the probability of a low answer);
        `customer_coverage`, `company_coverage`, `agent_coverage` (0 to 1); and
        `customer_status`, `company_status`, `agent_status` (LegStatus names: HOLDS,
        AT_RISK or NOT_ENOUGH_EVIDENCE). Row `k` equals [score][stool.score] of row `k`
        as an Interaction, with None for every field the row does not observe.

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
        >>> score_batch(table)[["agent_at_risk", "agent_coverage", "agent_status"]]
           agent_at_risk  agent_coverage agent_status
        0          False             0.8        HOLDS
        1           True             0.8      AT_RISK
    """
    if model is None:
        model = StoolModel()
    elif not isinstance(model, StoolModel):
        raise ValidationError("score_batch.model", model, "a StoolModel, or None for the default")
    if extra_columns not in ("error", "ignore"):
        raise ValidationError("score_batch.extra_columns", extra_columns, "'error' or 'ignore'")
    if absent not in ("unknown", "default"):
        raise ValidationError("score_batch.absent", absent, "'unknown' or 'default'")
    reader = _reader(data)
    if extra_columns == "error":
        _reject_extra_columns(reader.given())
    columns, rows = reader.read(model, unknown=absent == "unknown")
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
    minimum = thresholds.min_coverage
    calibration = model.calibration
    legs_out = np.empty((3, rows))
    coverage_out = np.ones((3, rows))
    p_low = np.empty(rows)
    predicted = np.empty(rows)
    flags = np.empty((4, rows), dtype=bool)
    status = np.empty((3, rows), dtype=np.int8)
    codes = np.empty(rows, dtype=np.int8)
    inputs = [columns[name] for name in _INPUTS]
    unknowable = [columns[name] for name in UNKNOWABLE_FIELDS]
    positions = [_INPUTS.index(name) for name in UNKNOWABLE_FIELDS]
    best = [_formula.BEST[name] for name in UNKNOWABLE_FIELDS]
    holds, at_risk, thin = (_STATUS_CODES[member] for member in LegStatus)
    # Ratios may overflow to inf before they saturate, as Python floats silently do in
    # `score`; numpy would warn about it.
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        for start in range(0, rows, CHUNK_ROWS):
            part = slice(start, min(start + CHUNK_ROWS, rows))
            args = [value[part] if isinstance(value, np.ndarray) else value for value in inputs]
            observed = _observed(
                [value[part] if isinstance(value, np.ndarray) else value for value in unknowable]
            )
            if observed is not None:
                for position, flag, value in zip(positions, observed, best, strict=True):
                    if flag is not True:
                        args[position] = np.where(flag, args[position], value)
            legs = _formula.evaluate(xp, model, _formula.Inputs(*args), observed)
            customer = legs.customer
            values = (customer, legs.company, legs.agent)
            coverages = (legs.customer_coverage, legs.company_coverage, legs.agent_coverage)
            for leg in range(3):
                legs_out[leg, part] = values[leg]
                coverage_out[leg, part] = coverages[leg]
                flags[leg, part] = risky = values[leg] < levels[leg]
                status[leg, part] = np.where(
                    risky, at_risk, np.where(coverage_out[leg, part] >= minimum, holds, thin)
                )
            flags[3, part] = (
                (customer < collapse[0]) | (legs.company < collapse[1]) | (legs.agent < collapse[2])
            )
            predicted[part], p_low[part] = _formula.answers(xp, calibration, customer)
            codes[part] = _type_codes(
                [value[part] if isinstance(value, np.ndarray) else value for value in unknowable],
                thresholds,
            )
    return {
        "customer": legs_out[0],
        "company": legs_out[1],
        "agent": legs_out[2],
        "customer_at_risk": flags[0],
        "company_at_risk": flags[1],
        "agent_at_risk": flags[2],
        "collapsed": flags[3],
        "customer_type": codes,
        "predicted_csat": predicted,
        "p_low": p_low,
        "customer_coverage": coverage_out[0],
        "company_coverage": coverage_out[1],
        "agent_coverage": coverage_out[2],
        "customer_status": status[0],
        "company_status": status[1],
        "agent_status": status[2],
    }


def _observed(values: list[Any]) -> _formula.Observed | None:
    """Which unknowable inputs were observed (NaN: not); None when all of them were."""
    import numpy as np  # noqa: PLC0415

    flags: list[Any] = []
    anything_unknown = False
    for value in values:
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            missing = np.isnan(value)
            if missing.any():
                anything_unknown = True
                flags.append(~missing)
                continue
        elif isinstance(value, float) and value != value:  # noqa: PLR0124 - an absent column
            anything_unknown = True
            flags.append(False)
            continue
        flags.append(True)
    return _formula.Observed(*flags) if anything_unknown else None


def _type_codes(values: list[Any], thresholds: Any) -> Any:
    """Customer-type codes 0-3, or -1 where an input the type needs was not observed."""
    import numpy as np  # noqa: PLC0415

    fulfilment, professionalism, _, _, extra_mile = (
        np.asarray(value, dtype=np.float64) for value in values[:5]
    )
    codes = taxonomy_code(
        np.nan_to_num(fulfilment),
        np.nan_to_num(professionalism),
        np.nan_to_num(extra_mile),
        thresholds.fulfilled_at,
        thresholds.unprofessional_below,
    )
    fulfilled = np.asarray(fulfilment) >= thresholds.fulfilled_at
    unknown = (
        np.isnan(fulfilment)
        | (fulfilled & np.isnan(extra_mile))
        | (~fulfilled & np.isnan(professionalism))
    )
    return np.where(unknown, -1, codes)


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

    def read(self, model: StoolModel, *, unknown: bool) -> tuple[dict[str, Any], int]:
        """Validate every Interaction column; add the formulas' derived inputs."""
        import numpy as np  # noqa: PLC0415

        present = {name for name in self.names() if isinstance(name, str)}
        checked: dict[str, Any] = {}
        for name, spec in FIELD_SPECS.items():
            if spec is None:
                continue
            if name in present:
                checked[name] = _check(name, spec, self.column(name), self)
            elif unknown and name in UNKNOWABLE_FIELDS:
                checked[name] = np.nan  # a missing column: not observed in any row
            else:
                default = FIELD_DEFAULTS[name]
                # A missing column broadcasts its default (None: absent, as NaN).
                checked[name] = np.nan if default is None else default
        checked["wait_scale_s"] = _wait_scales(checked["channel"], model)
        late = _formula.lateness_days(
            _formula.array_math(),
            checked["promised_days"],
            checked["delivered_days"],
            checked["elapsed_days"],
        )
        checked["lateness_days"] = float(late) if np.ndim(late) == 0 else late
        return checked, self.rows


def _wait_scales(channel: Any, model: StoolModel) -> Any:
    """The customer model's wait scale for each row's channel: one look-up per distinct value."""
    import numpy as np  # noqa: PLC0415

    scale = model.customer.wait_scale_s
    if isinstance(channel, Channel):
        return scale(channel)
    distinct, codes = channel
    scales = np.array([scale(member) for member in distinct])
    return scales[codes]


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
        out["customer_type"] = _names(np, _TYPE_NAMES, results["customer_type"])
        for name in _STATUS_COLUMNS:
            out[name] = _names(np, _STATUS_NAMES, results[name])
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
        for name in _STATUS_COLUMNS:
            out[name] = pd.Categorical.from_codes(
                results[name], dtype=pd.CategoricalDtype(list(_STATUS_NAMES))
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
        for name, names in (("customer_type", _TYPE_NAMES), *_STATUS_PAIRS):
            codes = results[name]
            arrays[name] = pa.DictionaryArray.from_arrays(
                pa.array(codes, type=pa.int8(), mask=codes < 0), pa.array(list(names))
            )
        return pa.table({name: arrays[name] for name in OUTPUT_COLUMNS})


_STATUS_COLUMNS: Final = ("customer_status", "company_status", "agent_status")
_STATUS_PAIRS: Final = tuple((name, _STATUS_NAMES) for name in _STATUS_COLUMNS)


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


# ---------------------------------------------------------------------------- validating


def _check(name: str, spec: Spec, column: Any, reader: _Reader) -> Any:
    """Validate one column; return it as the formulas want it (None for enum columns)."""
    import numpy as np  # noqa: PLC0415

    if spec.kind == "enum":
        return _check_enum(name, spec, column, reader)
    kind = column.dtype.kind if isinstance(column, np.ndarray) else "O"
    if kind == "O":
        return _check_objects(name, spec, column, reader)
    if spec.kind == "bool":
        if kind == "f" and spec.optional and np.isnan(column).all():
            return column  # nothing observed
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
    as_bool = spec.kind == "bool" and not spec.optional
    out = np.empty(len(column), dtype=bool if as_bool else np.float64)
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


def _check_enum(name: str, spec: Spec, column: Any, reader: _Reader) -> tuple[tuple[Any, ...], Any]:
    """Validate an enum column through its distinct values.

    Returns the distinct values (as members) and each row's code into them.
    """
    import numpy as np  # noqa: PLC0415

    enum_cls: type[enum.Enum] = spec.enum  # type: ignore[assignment]
    allowed = f"one of {', '.join(enum_cls.__members__)} (a {enum_cls.__name__} name)"
    if not isinstance(column, np.ndarray):  # a pandas categorical
        distinct, codes = list(column.categories), np.asarray(column.codes)
    elif column.dtype.kind in "USO":
        distinct, codes = _factorize(column)
    else:
        distinct, codes = [], np.full(len(column), -1)
    members: list[Any] = []
    bad_codes = [-1]
    for code, value in enumerate(distinct):
        member = _member(enum_cls, value)
        members.append(member)
        if member is None:
            bad_codes.append(code)
    bad = np.isin(codes, bad_codes)
    if bad.any():
        row = int(np.argmax(bad))
        raise ValidationError(name, reader.value(name, row), allowed, row=row)
    return tuple(members), codes


def _factorize(column: Any) -> tuple[list[Any], Any]:
    """The distinct values of a column and each row's code into them (-1: unhashable)."""
    import numpy as np  # noqa: PLC0415

    pandas = sys.modules.get("pandas")
    if pandas is not None:
        try:
            codes, uniques = pandas.factorize(column, use_na_sentinel=True)
        except TypeError:
            pass
        else:
            return list(uniques), np.asarray(codes)
    index: dict[Any, int] = {}
    codes = np.empty(len(column), dtype=np.intp)
    for row, value in enumerate(column.tolist()):
        codes[row] = index.setdefault(value, len(index)) if _hashable(value) else -1
    return list(index), codes


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _member(enum_cls: type[enum.Enum], value: Any) -> Any:
    """The member `value` names (or is), or None if it is none."""
    try:
        return member_from_name(enum_cls, value, field="")
    except (ValidationError, TypeError):
        return None
