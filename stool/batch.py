"""Score a whole table of interactions at once, with the formulas of [score][stool.score].

[score_batch][stool.batch.score_batch] reads a pandas or polars DataFrame, a pyarrow
Table or RecordBatch, or a mapping of column names to numpy arrays whose columns are
[Interaction][stool.Interaction] field names, validates every column with the same
rules as `Interaction(...)`, and runs the very code [score][stool.score] runs, on
arrays: the two agree row by row. It returns the same kind of table it was given; a
Dask DataFrame gives a lazy Dask DataFrame, scored partition by partition on the
cluster. [score_batches][stool.batch.score_batches] scores a file of any size, chunk
by chunk.
numpy, pandas, pyarrow, polars and Dask are imported here, when first needed, and
never by `import stool`.

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

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final, Literal, NamedTuple

from stool import _formula
from stool._readers import KINDS, Reader, is_dask, reader_of
from stool._validate import check, check_blocks
from stool.enums import Channel, CustomerType, LegStatus
from stool.errors import TableError, ValidationError
from stool.interaction import FIELD_DEFAULTS, FIELD_SPECS, UNKNOWABLE_FIELDS, taxonomy_code
from stool.models import StoolModel

__all__ = [
    "CHUNK_ROWS",
    "FILE_CHUNK_ROWS",
    "OUTPUT_COLUMNS",
    "REASON_COLUMNS",
    "score_batch",
    "score_batches",
]

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

FILE_CHUNK_ROWS: Final = 65_536
"""The rows per chunk [score_batches][stool.batch.score_batches] reads from a file by
default, as [iter_table][stool.tables.iter_table] does."""

REASON_COLUMNS: Final[tuple[str, ...]] = ("customer_reason", "company_reason", "agent_reason")
"""The columns `score_batch(..., reasons=True)` adds after
[OUTPUT_COLUMNS][stool.batch.OUTPUT_COLUMNS]: `customer_reason`, `company_reason` and
`agent_reason`, each leg's top reason where it is at risk."""


def score_batch(
    data: Any,
    model: StoolModel | None = None,
    *,
    extra_columns: Literal["error", "ignore"] = "error",
    absent: Literal["unknown", "default"] = "unknown",
    blank: Literal["unknown", "error"] = "unknown",
    reasons: bool = False,
) -> Any:
    """Score every row of a table of interactions; return a table of the same kind.

    Columns are [Interaction][stool.Interaction] field names.
    A column that is not a field is an error by default, naming the column and the
    closest field name: a misspelt field (`fulfillment` for `fulfilment`) would
    otherwise be missing from every row without a word.
    Pass `extra_columns="ignore"` when the table also carries ids or other data.
    In the columns of [UNKNOWABLE_FIELDS][stool.interaction.UNKNOWABLE_FIELDS]
    (fulfilment, professionalism, empathy, explanation clarity, the extra mile, the
    wait, ...) a blank cell (null, NaN, `pd.NA`) means *not observed* (`blank="unknown"`,
    the default), and so does a missing column, by default (`absent="unknown"`): the
    factors that read it drop out, as in [score][stool.score].
    `blank="error"` refuses every blank cell of those columns instead, for tables that
    should be complete. `absent="default"` gives a missing column the field's default
    instead (a routine contact), for synthetic tables. Other missing columns take their
    default. Enum columns (`channel`, `authority`) hold member names in any case
    (`"CALL"`, `"call"`), or members; categoricals and Arrow dictionaries are read
    through their categories.
    In `promised_days`, `delivered_days`, `elapsed_days` and `csat` a blank means
    absent (no promise, nothing delivered, no survey); anywhere else a blank is an
    error whatever `blank` says, since those fields have no "not observed".

    Args:
        data: A pandas DataFrame, a polars DataFrame, a pyarrow Table or RecordBatch, a
            mapping of column name to a one-dimensional numpy array (all of one length),
            a Dask DataFrame, or an iterable of [Interaction][stool.Interaction]s.
        model: The model; None for the default [StoolModel][stool.models.StoolModel].
        extra_columns: `"error"` (the default) to reject columns that are not
            Interaction fields, `"ignore"` to let them through unread.
        absent: `"unknown"` (the default): a missing column of an unknowable field is
            not observed in any row; `"default"`: it takes the field's default.
        blank: `"unknown"` (the default): a blank cell of an unknowable field is not
            observed; `"error"`: it is an error.
        reasons: Whether to add the columns of
            [REASON_COLUMNS][stool.batch.REASON_COLUMNS]: for each leg at risk, its
            top reason, the first of [LegScore.reasons][stool.scoring.LegScore.reasons]
            (null where the leg is not at risk). Reasons are sentences written row by
            row, about 0.1 ms for each row with a leg at risk.

    Returns:
        The same kind as `data`: a pandas DataFrame (with `data`'s index), a polars
        DataFrame, a pyarrow Table or RecordBatch, a `dict` of numpy arrays for a
        mapping, a lazy Dask DataFrame (one partition per partition of `data`), or for
        an iterable of Interactions a `list` of [StoolScore][stool.StoolScore]s, the
        same as `[score(i, model) for i in data]`.
        A table has the columns of [OUTPUT_COLUMNS][stool.batch.OUTPUT_COLUMNS]:
        `customer`, `company`, `agent` (floats from 0 to 1); `customer_at_risk`,
        `company_at_risk`, `agent_at_risk`, `collapsed` (booleans); `customer_type`
        (CustomerType names, null where not known: a pandas categorical, an arrow
        dictionary array, or a numpy array); `predicted_csat` (1 to 5) and `p_low` (the
        probability of a low answer); `customer_coverage`, `company_coverage`,
        `agent_coverage` (0 to 1); and `customer_status`, `company_status`,
        `agent_status` (LegStatus names: HOLDS, AT_RISK or NOT_ENOUGH_EVIDENCE); then,
        with `reasons=True`, `customer_reason`, `company_reason` and `agent_reason`.
        Row `k` equals [score][stool.score] of row `k` as an Interaction, with None
        for every field the row does not observe
        ([Interaction.from_row][stool.interaction.Interaction.from_row] builds it).

    Raises:
        ValidationError: If a value is invalid: NaN or infinite, out of range, a
            negative or fractional count, a number in a boolean column, an unknown enum
            name, a blank where none is allowed, columns of different lengths, or
            (unless `extra_columns="ignore"`) a column that is not an Interaction field.
            The error names the column, the first bad row (its position, from 0, as
            `error.row`, and for a DataFrame with an index of its own its label, as
            `error.label`) and the value.

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
        model = _default_model()
    elif not isinstance(model, StoolModel):
        raise ValidationError("score_batch.model", model, "a StoolModel, or None for the default")
    if extra_columns not in ("error", "ignore"):
        raise ValidationError("score_batch.extra_columns", extra_columns, "'error' or 'ignore'")
    if absent not in ("unknown", "default"):
        raise ValidationError("score_batch.absent", absent, "'unknown' or 'default'")
    if blank not in ("unknown", "error"):
        raise ValidationError("score_batch.blank", blank, "'unknown' or 'error'")
    if type(reasons) is not bool:
        raise ValidationError("score_batch.reasons", reasons, "True or False")
    options = _Options(extra_columns=extra_columns, absent=absent, blank=blank, reasons=reasons)
    if is_dask(data):
        from stool._dask import score_dask  # noqa: PLC0415 - Dask loads only for Dask input

        return score_dask(data, model, options)
    reader = reader_of(data)
    if reader is None:
        return _score_interactions(data, model)
    return _score_reader(reader, model, options)


class _Options(NamedTuple):
    """The keyword arguments of score_batch, checked, for the readers and Dask."""

    extra_columns: Literal["error", "ignore"]
    absent: Literal["unknown", "default"]
    blank: Literal["unknown", "error"]
    reasons: bool


def _score_reader(reader: Reader, model: StoolModel, options: _Options) -> Any:
    if options.extra_columns == "error":
        _reject_extra_columns(reader.given())
    reader.blank = options.blank
    columns, rows = _read_columns(reader, model, unknown=options.absent == "unknown")
    results = _score_columns(columns, rows, model)
    if options.reasons:
        from stool._reasons import reason_columns  # noqa: PLC0415 - the sentences, on demand

        results.update(reason_columns(columns, results, model))
    return reader.write(results)


def _default_model() -> StoolModel:
    from stool.scoring import _default_model as default  # noqa: PLC0415 - shared, built once

    return default()


def _score_interactions(data: Any, model: StoolModel) -> list[Any]:
    """Score an iterable of Interactions one by one: a list of StoolScores."""
    from stool.interaction import Interaction  # noqa: PLC0415
    from stool.scoring import score  # noqa: PLC0415

    out = []
    for row, item in enumerate(data):
        if not isinstance(item, Interaction):
            raise ValidationError(
                "score_batch.data",
                item,
                f"an Interaction in every item of an iterable ({KINDS} otherwise)",
                row=row,
            )
        out.append(score(item, model))
    return out


def score_batches(
    source: Any,
    model: StoolModel | None = None,
    *,
    chunk_size: int = FILE_CHUNK_ROWS,
    format: str | None = None,  # noqa: A002 - the word users know
    to: Literal["pandas", "arrow"] = "pandas",
    extra_columns: Literal["error", "ignore"] = "error",
    absent: Literal["unknown", "default"] = "unknown",
    blank: Literal["unknown", "error"] = "unknown",
    reasons: bool = False,
) -> Iterator[Any]:
    """Score a table too large for memory, one chunk at a time; yield each chunk's scores.

    `source` is a table file (CSV, Parquet or JSON Lines, read with
    [iter_table][stool.tables.iter_table] `chunk_size` rows at a time) or an iterable of
    tables (DataFrames, Arrow record batches, ...), each scored as
    [score_batch][stool.batch.score_batch] scores it. Only one chunk and its scores are
    in memory at a time. A bad value in a file raises a
    [TableError][stool.errors.TableError] naming the file, the line, the row (counted
    from the file's first data row) and the column.

    Args:
        source: A file name, or an iterable of tables of any kind score_batch takes.
        model: The model; None for the default.
        chunk_size: Rows per chunk when reading a file.
        format: The file's format; None to go by its suffix.
        to: For a file, `"pandas"` to yield DataFrames (indexed by the row's position in
            the file) or `"arrow"` to yield pyarrow Tables.
        extra_columns: As for score_batch.
        absent: As for score_batch.
        blank: As for score_batch.
        reasons: As for score_batch.

    Yields:
        The scores of each chunk, row for row, as score_batch returns them.

    Raises:
        TableError: If the file cannot be read, or a value in it is bad.
        ValidationError: If a value of a table in an iterable is bad.

    Example:
        >>> import stool
        >>> from stool.batch import score_batches
        >>> stool.write_table({"fulfilment": [i / 10 for i in range(10)]}, "calls.csv")
        >>> parts = score_batches("calls.csv", chunk_size=4)
        >>> at_risk = [int(part["customer_at_risk"].sum()) for part in parts]
        >>> at_risk
        [4, 0, 0]
    """
    keywords: dict[str, Any] = {
        "extra_columns": extra_columns,
        "absent": absent,
        "blank": blank,
        "reasons": reasons,
    }
    if isinstance(source, (str, os.PathLike)):
        return _score_file(source, model, chunk_size, format, to, keywords)
    if isinstance(source, (bytes, Mapping)) or not isinstance(source, Iterable):
        raise ValidationError(
            "score_batches.source", source, "a table file's name, or an iterable of tables"
        )
    return (score_batch(table, model, **keywords) for table in source)


def _score_file(  # noqa: PLR0917 - private, called once
    path: str | os.PathLike[str],
    model: StoolModel | None,
    chunk_size: int,
    format: str | None,  # noqa: A002
    to: Literal["pandas", "arrow"],
    keywords: dict[str, Any],
) -> Iterator[Any]:
    from stool.tables import find_line, iter_table, table_format  # noqa: PLC0415

    fmt = table_format(path, format=format)
    chunks = iter_table(path, chunk_size=chunk_size, format=fmt, to=to)

    def scored() -> Iterator[Any]:
        offset = 0
        with chunks:
            for chunk in chunks:
                try:
                    yield score_batch(chunk, model, **keywords)
                except ValidationError as error:
                    if error.row is None:
                        raise
                    row = offset + error.row
                    raise TableError(
                        os.fspath(path),
                        error.allowed,
                        column=error.field,
                        value=error.value,
                        row=row,
                        line=find_line(path, row, format=fmt),
                    ) from None
                offset += len(chunk) if to == "pandas" else chunk.num_rows

    return scored()


# ------------------------------------------------------------------------------- scoring


class _Scores(dict[str, Any]):
    """The output columns by name; `blocks` holds them as three arrays, one per type.

    Rows of `blocks`: floats (`customer`, `company`, `agent`, `predicted_csat`, `p_low`
    and the three coverages), booleans (the three `*_at_risk` and `collapsed`) and int8
    codes (`customer_type` and the three statuses). A reader that builds tables from
    blocks (pandas) takes them as they are: no copy, and few objects for a small call.
    """

    def __init__(self, blocks: tuple[Any, Any, Any], **columns: Any) -> None:
        super().__init__(**columns)
        self.blocks = blocks


def _score_columns(columns: dict[str, Any], rows: int, model: StoolModel) -> _Scores:
    import numpy as np  # noqa: PLC0415 - numpy is an optional extra

    xp = _formula.array_math()
    thresholds = model.thresholds
    levels, collapse = thresholds._levels  # noqa: SLF001
    minimum = thresholds.min_coverage
    calibration = model.calibration
    # The output as three blocks, one per type, for tables that keep columns in blocks.
    floats = np.empty((8, rows))
    flags = np.empty((4, rows), dtype=bool)
    small = np.empty((4, rows), dtype=np.int8)
    legs_out, (predicted, p_low), coverage_out = floats[:3], floats[3:5], floats[5:]
    codes, status = small[0], small[1:]
    # Ratios may overflow to inf before they saturate, as Python floats silently do in
    # `score`; numpy would warn about it.
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        for start in range(0, rows, CHUNK_ROWS):
            part = slice(start, min(start + CHUNK_ROWS, rows)) if rows > CHUNK_ROWS else _WHOLE
            inputs, observed, _ = _chunk_inputs(columns, part)
            legs = _formula.evaluate(xp, model, inputs, observed)
            customer = legs.customer
            values = (customer, legs.company, legs.agent)
            coverages = (legs.customer_coverage, legs.company_coverage, legs.agent_coverage)
            for leg in range(3):
                legs_out[leg, part] = values[leg]
                coverage_out[leg, part] = coverage = coverages[leg]
                risky = np.less(values[leg], levels[leg], out=flags[leg, part])
                if isinstance(coverage, float) and coverage >= minimum:
                    status[leg, part] = risky  # HOLDS is 0 and AT_RISK 1
                else:
                    status[leg, part] = np.where(
                        risky, _AT_RISK, np.where(coverage >= minimum, _HOLDS, _THIN)
                    )
            collapsed = np.less(customer, collapse[0], out=flags[3, part])
            collapsed |= legs.company < collapse[1]
            collapsed |= legs.agent < collapse[2]
            predicted[part], p_low[part] = _formula.answers(xp, calibration, customer)
            codes[part] = _type_codes(inputs, observed, thresholds)
            # Let this chunk's arrays go before the next chunk's are made.
            del inputs, observed, legs, customer, values, coverages, risky, collapsed
    return _Scores(
        (floats, flags, small),
        customer=legs_out[0],
        company=legs_out[1],
        agent=legs_out[2],
        customer_at_risk=flags[0],
        company_at_risk=flags[1],
        agent_at_risk=flags[2],
        collapsed=flags[3],
        customer_type=codes,
        predicted_csat=predicted,
        p_low=p_low,
        customer_coverage=coverage_out[0],
        company_coverage=coverage_out[1],
        agent_coverage=coverage_out[2],
        customer_status=status[0],
        company_status=status[1],
        agent_status=status[2],
    )


_HOLDS, _AT_RISK, _THIN = (_STATUS_CODES[member] for member in LegStatus)
assert (_HOLDS, _AT_RISK) == (0, 1)  # noqa: S101 - _score_columns writes flags as codes

_UNKNOWABLE_POSITIONS: Final = tuple(_INPUTS.index(name) for name in UNKNOWABLE_FIELDS)
_DERIVED_POSITIONS: Final = (_INPUTS.index("wait_scale_s"), _INPUTS.index("lateness_days"))
"""Where the inputs that may be computed a chunk at a time (a `_PerChunk`) are."""
_UNKNOWABLE_BEST: Final = tuple(_formula.BEST[name] for name in UNKNOWABLE_FIELDS)


class _PerChunk:
    """A derived column, computed for the rows of one chunk at a time when asked.

    The formulas' `wait_scale_s` (from the channel) and `lateness_days` (from the
    promise) are kept this way, so that no column of the input's length is made for them.
    """

    __slots__ = ("compute",)

    def __init__(self, compute: Callable[[slice], Any]) -> None:
        self.compute = compute


def _chunk_inputs(
    columns: dict[str, Any], part: slice
) -> tuple[_formula.Inputs, _formula.Observed | None, list[Any]]:
    """The formulas' inputs for the rows in `part` of validated columns.

    Returns the [Inputs][stool._formula.Inputs] with every unobserved value at its best,
    which inputs were observed (None: all of them), and the unknowable columns' values as
    read (NaN: not observed). [score_batch][stool.batch.score_batch] calls this for each
    chunk (`slice(None)` for a table of one chunk), and `stool.research` once for a
    whole table.
    """
    import numpy as np  # noqa: PLC0415

    args = [columns[name] for name in _INPUTS]
    if part != _WHOLE:
        args = [value[part] if isinstance(value, np.ndarray) else value for value in args]
    for position in _DERIVED_POSITIONS:
        value = args[position]
        if isinstance(value, _PerChunk):
            args[position] = value.compute(part)
    unknowable = [args[position] for position in _UNKNOWABLE_POSITIONS]
    # Columns that validation found free of blanks need no look; a plain dict, all.
    blanks = getattr(columns, "blanks", UNKNOWABLE_FIELDS)
    observed = _observed(unknowable, [name in blanks for name in UNKNOWABLE_FIELDS])
    if observed is not None:
        for position, flag, value in zip(
            _UNKNOWABLE_POSITIONS, observed, _UNKNOWABLE_BEST, strict=True
        ):
            if flag is not True:
                args[position] = np.where(flag, args[position], value)
    return _formula.Inputs(*args), observed, unknowable


_WHOLE: Final = slice(None)


def _rows(value: Any, part: slice) -> Any:
    """The rows in `part` of a column, or the value of a column that is one constant."""
    import numpy as np  # noqa: PLC0415

    if isinstance(value, np.ndarray):
        return value[part]
    if isinstance(value, _PerChunk):
        return value.compute(part)
    return value


def _observed(values: list[Any], maybe_blank: list[bool]) -> _formula.Observed | None:
    """Which unknowable inputs were observed (NaN: not); None when all of them were.

    Only the values `maybe_blank` marks are looked at.
    """
    import numpy as np  # noqa: PLC0415

    if not any(maybe_blank):
        return None
    flags: list[Any] = []
    anything_unknown = False
    for value, maybe in zip(values, maybe_blank, strict=True):
        if not maybe:
            pass
        elif isinstance(value, np.ndarray):
            # A sum is NaN exactly when a value is: one reduction, no mask, for the
            # columns (most of them) without a blank.
            total = np.add.reduce(value) if value.dtype.kind == "f" else 0.0
            if total != total:  # noqa: PLR0124
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


def _type_codes(
    inputs: _formula.Inputs, observed: _formula.Observed | None, thresholds: Any
) -> Any:
    """Customer-type codes 0-3, or -1 where an input the type needs was not observed."""
    import numpy as np  # noqa: PLC0415

    codes = taxonomy_code(
        inputs.fulfilment,
        inputs.professionalism,
        inputs.extra_mile,
        thresholds.fulfilled_at,
        thresholds.unprofessional_below,
    )
    if observed is None:
        return codes
    fulfilled = inputs.fulfilment >= thresholds.fulfilled_at
    unknown = (
        np.logical_not(observed.fulfilment)
        | (fulfilled & np.logical_not(observed.extra_mile))
        | (~fulfilled & np.logical_not(observed.professionalism))
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


class _Columns(dict[str, Any]):
    """Validated columns by field name; `blanks` names those that may hold a NaN.

    A column not in `blanks` has none, so scoring need not look for them. A plain dict
    of columns is read as if every column might.
    """

    def __init__(self) -> None:
        super().__init__()
        self.blanks: set[str] = set()


def _read_columns(reader: Reader, model: StoolModel, *, unknown: bool) -> tuple[_Columns, int]:
    """Validate every Interaction column; add the formulas' derived inputs."""
    import numpy as np  # noqa: PLC0415

    present = reader.present()
    checked = _Columns()
    good = check_blocks(reader, checked.blanks)
    for name, spec in FIELD_SPECS.items():
        if spec is None:
            continue
        if name in good:
            checked[name] = good[name]
        elif name in present:
            checked[name] = check(name, spec, reader, checked.blanks)
        elif unknown and name in UNKNOWABLE_FIELDS:
            checked[name] = np.nan  # a missing column: not observed in any row
            checked.blanks.add(name)
        else:
            default = FIELD_DEFAULTS[name]
            # A missing column broadcasts its default (None: absent, as NaN).
            checked[name] = np.nan if default is None else default
    checked["wait_scale_s"] = _wait_scales(checked["channel"], model)
    checked["lateness_days"] = _lateness(
        [checked[name] for name in ("promised_days", "delivered_days", "elapsed_days")]
    )
    return checked, reader.rows


def _lateness(dates: list[Any]) -> Any:
    """Each row's lateness in days: a number, or computed a chunk at a time."""
    import numpy as np  # noqa: PLC0415

    xp = _formula.array_math()
    if not any(isinstance(value, np.ndarray) for value in dates):
        return float(_formula.lateness_days(xp, *dates))

    def compute(part: slice) -> Any:
        rows = dates if part == _WHOLE else [_rows(value, part) for value in dates]
        with np.errstate(invalid="ignore"):
            return _formula.lateness_days(xp, *rows)

    return _PerChunk(compute)


def _wait_scales(channel: Any, model: StoolModel) -> Any:
    """The customer model's wait scale for each row's channel: one look-up per distinct value.

    A number for a constant channel, else computed a chunk at a time from the codes.
    """
    import numpy as np  # noqa: PLC0415

    scale = model.customer.wait_scale_s
    if isinstance(channel, Channel):
        return scale(channel)
    distinct, codes = channel
    scales = np.array([scale(member) for member in distinct])
    if len(scales) == 1:
        return float(scales[0])
    return _PerChunk(lambda part: scales[codes[part]])
