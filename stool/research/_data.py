"""A researcher's table, read and validated once: the customer leg's inputs and the answers.

[read][stool.research._data.read] checks the table with the very reader
[score_batch][stool.batch.score_batch] uses, then gathers what the customer leg reads
(the formulas' inputs, which factors were observed, each row's channel) and the survey
answers, so that a fit can evaluate the customer leg thousands of times on arrays that
need no further checking. [Rows][stool.research._data.Rows] holds them, whole or for
the rows of one cross-validation fold, cut into chunks small enough for the CPU cache.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np

from stool import _formula
from stool._readers import reader_of
from stool.batch import CHUNK_ROWS, _chunk_inputs, _read_columns, _reject_extra_columns
from stool.calibration import ANSWERS
from stool.errors import ValidationError
from stool.interaction import FIELD_SPECS
from stool.models import CustomerModel, StoolModel

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["SCALE_FIELDS", "Rows", "answers_of", "check_low", "read", "wait_scales"]

SCALE_FIELDS: Final = ("call_wait_scale_s", "chat_wait_scale_s", "email_wait_scale_s")
"""The customer model's wait scales, in the order of each row's scale index."""

_ANSWERS_ALLOWED: Final = "whole numbers from 1 to 5, one in every row"

_TABLES: Final = (
    "a pandas or polars DataFrame, a pyarrow Table or RecordBatch, or a mapping of column "
    "names to numpy arrays"
)

# A model whose wait scales are 1, 2 and 3 tells which scale each channel reads, without
# restating the rule of `CustomerModel.wait_scale_s` here.
_PROBE: Final = CustomerModel(call_wait_scale_s=1.0, chat_wait_scale_s=2.0, email_wait_scale_s=3.0)


def check_low(low: Any, field: str) -> int:
    """Return `low` if it is a whole number from 1 to 4 (the answers counted as low)."""
    if type(low) is not int or not 1 <= low <= len(ANSWERS) - 1:
        raise ValidationError(
            field, low, "a whole number from 1 to 4: answers at or below it are low"
        )
    return low


class Rows:
    """The customer leg's inputs and the answers of some rows, in chunks.

    Attributes are arrays over the rows (or one value shared by every row):
    `inputs` ([Inputs][stool._formula.Inputs], unobserved values at their best, and the
    wait scale of the model the table was read with), `known` (which customer factors
    were observed, in `CustomerModel.FACTORS` order, as 1.0 or 0.0; None when every
    input was), `scale_index` (0, 1 or 2: which of
    [SCALE_FIELDS][stool.research._data.SCALE_FIELDS] each row's channel reads) and
    `answers` (1 to 5, or None for a table without them).
    """

    __slots__ = ("_chunks", "answers", "columns", "inputs", "known", "n", "scale_index")

    def __init__(
        self,
        inputs: _formula.Inputs,
        known: tuple[Any, ...] | None,
        scale_index: Any,
        answers: npt.NDArray[np.int8] | None,
        n: int,
    ) -> None:
        self.inputs = inputs
        self.known = known
        self.scale_index = scale_index
        self.answers = answers
        self.n = n
        self.columns: dict[str, Any] | None = None  # the validated columns, for a whole table
        self._chunks: list[Rows] | None = None

    def take(self, index: npt.NDArray[np.intp]) -> Rows:
        """Return the rows at `index` (positions from 0)."""
        return Rows(
            _formula.Inputs(*(_take(value, index) for value in self.inputs)),
            None if self.known is None else tuple(_take(value, index) for value in self.known),
            _take(self.scale_index, index),
            None if self.answers is None else self.answers[index],
            len(index),
        )

    def chunks(self) -> list[Rows]:
        """The rows cut into chunks of at most `CHUNK_ROWS` (made once, then kept)."""
        if self._chunks is None:
            if self.n <= CHUNK_ROWS:
                self._chunks = [self]
            else:
                self._chunks = [
                    self._part(slice(start, min(start + CHUNK_ROWS, self.n)))
                    for start in range(0, self.n, CHUNK_ROWS)
                ]
        return self._chunks

    def _part(self, part: slice) -> Rows:
        return Rows(
            _formula.Inputs(*(_cut(value, part) for value in self.inputs)),
            None if self.known is None else tuple(_cut(value, part) for value in self.known),
            _cut(self.scale_index, part),
            None if self.answers is None else self.answers[part],
            part.stop - part.start,
        )

    def with_scales(self, customer: CustomerModel) -> _formula.Inputs:
        """The inputs with each row's wait scale taken from `customer`."""
        return self.inputs._replace(wait_scale_s=wait_scales(customer, self.scale_index))


def wait_scales(customer: CustomerModel, scale_index: Any) -> Any:
    """Each row's wait scale under `customer`, from the rows' scale indices."""
    scales = np.array([getattr(customer, name) for name in SCALE_FIELDS])
    if isinstance(scale_index, np.ndarray):
        return scales[scale_index]
    return float(scales[scale_index])


def _take(value: Any, index: npt.NDArray[np.intp]) -> Any:
    return value[index] if isinstance(value, np.ndarray) and value.ndim else value


def _cut(value: Any, part: slice) -> Any:
    return value[part] if isinstance(value, np.ndarray) and value.ndim else value


def read(
    data: Any,
    *,
    model: StoolModel,
    target: str | None,
    owner: str,
    absent: Literal["unknown", "default"],
    extra_columns: Literal["error", "ignore"],
    require_target: bool = True,
) -> Rows:
    """Validate a table once and return its rows, ready for the customer leg.

    Args:
        data: A pandas DataFrame, a pyarrow Table or a mapping of column name to array,
            whose columns are Interaction fields (and the target).
        model: The model whose wait scales the inputs carry.
        target: The column of survey answers (1 to 5).
        owner: The function's name, for the fields errors name (`fit.target`).
        absent: As in [score_batch][stool.batch.score_batch].
        extra_columns: As in [score_batch][stool.batch.score_batch]; the target column
            is always let through.
        require_target: Whether a missing target column is an error (otherwise the rows
            carry no answers).

    Returns:
        The rows.

    Raises:
        ValidationError: If the table, a column, an argument or an answer is bad.
    """
    _check_options(owner, target=target, absent=absent, extra_columns=extra_columns)
    if target is None and require_target:
        raise ValidationError(f"{owner}.target", target, "the name of the column of survey answers")
    try:
        reader = reader_of(data)
        if reader is not None and extra_columns == "error":
            _reject_extra_columns([name for name in reader.given() if name != target])
    except ValidationError as error:
        if error.field != "score_batch.data":
            raise
        allowed = _TABLES if error.allowed.startswith("a pandas") else error.allowed
        raise ValidationError(f"{owner}.data", error.value, allowed) from None
    if reader is None:  # an iterable of Interactions: no column of answers to read
        raise ValidationError(f"{owner}.data", type(data).__name__, _TABLES)
    given = reader.given()
    has_target = target is not None and target in given
    if not has_target and require_target:
        names = [str(name) for name in given]
        close = difflib.get_close_matches(str(target), names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValidationError(
            f"{owner}.target",
            target,
            f"the name of the table's column of survey answers{hint}; the table has "
            f"{', '.join(names[:12]) or 'no columns'}{', ...' if len(names) > 12 else ''}",
        )
    columns, rows = _read_columns(reader, model, unknown=absent == "unknown")
    answers = None
    if has_target:
        assert target is not None  # noqa: S101 - has_target says so
        raw = columns[target] if target in FIELD_SPECS else _raw_column(data, reader, target)
        answers = answers_of(raw, target, rows)
    inputs, observed, _ = _chunk_inputs(columns, slice(None))
    known = None
    if observed is not None:
        # As floats, so the leg's arithmetic needs no casts (1.0 and 0.0 give the same
        # numbers as True and False).
        known = tuple(
            value.astype(np.float64) if isinstance(value, np.ndarray) else float(value)
            for value in _formula.customer_known(observed)
        )
    out = Rows(inputs, known, _scale_index(columns["channel"]), answers, rows)
    out.columns = columns
    return out


def _check_options(owner: str, *, target: Any, absent: Any, extra_columns: Any) -> None:
    if absent not in ("unknown", "default"):
        raise ValidationError(f"{owner}.absent", absent, "'unknown' or 'default'")
    if extra_columns not in ("error", "ignore"):
        raise ValidationError(f"{owner}.extra_columns", extra_columns, "'error' or 'ignore'")
    if target is not None and not isinstance(target, str):
        raise ValidationError(f"{owner}.target", target, "the name of the column of survey answers")


def _raw_column(data: Any, reader: Any, name: str) -> Any:
    """A column that is not an Interaction field, as a numpy array."""
    if hasattr(data, "columns") or hasattr(data, "column_names"):
        return reader.column(name)  # pandas and pyarrow readers read any column
    return np.asarray(data[name])


def answers_of(raw: Any, name: str, rows: int) -> npt.NDArray[np.int8]:
    """Check a column of survey answers; return them as small integers.

    Raises:
        ValidationError: Naming the column and the first bad row, if a value is missing,
            not a whole number, or outside 1 to 5, or the column has the wrong length.
    """
    values = np.asarray(raw)
    if values.ndim != 1 or len(values) != rows:
        raise ValidationError(name, values.shape, f"a column of {rows} rows, as the others")
    if values.dtype.kind == "O":
        for row, value in enumerate(values.tolist()):
            if (
                isinstance(value, bool) or not isinstance(value, (int, float)) or value != value  # noqa: PLR0124 - NaN: no answer
            ):
                raise ValidationError(name, value, _missing_or(value), row=row)
        values = values.astype(np.float64)
    if values.dtype.kind not in "iuf":
        first = values[0] if len(values) else values.dtype
        raise ValidationError(name, _plain(first), _ANSWERS_ALLOWED, row=0 if len(values) else None)
    numbers = values.astype(np.float64, copy=False)
    good = (numbers >= ANSWERS[0]) & (numbers <= ANSWERS[-1]) & (numbers == np.trunc(numbers))
    if not good.all():
        row = int(np.argmin(good))
        value = _plain(values[row])
        raise ValidationError(name, value, _missing_or(value), row=row)
    return numbers.astype(np.int8)


def _missing_or(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):  # noqa: PLR0124
        return f"{_ANSWERS_ALLOWED} (drop the rows without an answer before fitting)"
    return _ANSWERS_ALLOWED


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _scale_index(channel: Any) -> Any:
    """Which wait scale each row's channel reads: 0 call, 1 chat, 2 email."""
    if not isinstance(channel, tuple):  # one channel for every row (a missing column)
        return int(_PROBE.wait_scale_s(channel)) - 1
    distinct, codes = channel
    lookup = np.array([int(_PROBE.wait_scale_s(member)) - 1 for member in distinct], dtype=np.intp)
    if not len(lookup):
        return np.zeros(len(codes), dtype=np.intp)
    return lookup[codes]
