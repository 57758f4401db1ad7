"""Validating a batch's columns with the rules of `Interaction(...)`, whole columns at a time.

Private to [stool.batch][]: numbers by a few reductions, enum columns through their
distinct values, object columns value by value (the slow path, which names the first
bad row).
"""

from __future__ import annotations

import functools
import sys
from typing import TYPE_CHECKING, Any, Final

from stool._fields import _MAX_FLOAT, Spec, _normalise_int, _normalise_real
from stool.enums import member_from_name
from stool.errors import ValidationError
from stool.interaction import FIELD_SPECS, UNKNOWABLE_FIELDS

if TYPE_CHECKING:
    import enum
    from collections.abc import Callable

    import numpy as np
    import numpy.typing as npt

    from stool._readers import Reader

__all__ = ["DeferredCodes", "check", "check_blocks", "factorize", "is_missing"]

_CODED: Final = frozenset({"channel"})
"""The enum fields the formulas read (each row's wait scale comes from its channel); the
codes of the others are made only when asked (for `reasons=True`)."""


def check_blocks(reader: Reader, blanks: set[str]) -> dict[str, Any]:
    """The columns of a small frame that are plainly good, found a block at a time.

    A boolean column of a boolean field, or numbers in range (blanks where the field is
    optional and blanks are not refused), is good as it is: it comes back by name, and
    a name whose column has a blank goes into `blanks`. The other columns are left to
    [check][stool._validate.check], which names their first bad row. One loop over each
    block's extremes ([Reader.extremes][stool._readers.Reader.extremes]), with each
    field's rule made once: a 1,000-row call checks 20 columns, and a few function calls
    for each would cost more than the arithmetic.
    """
    good: dict[str, Any] = {}
    strict = reader.blank == "error"
    for block in reader.extremes():
        values = block.values
        rules = _block_rules(block.names, block.kind, strict=strict)
        if block.lows is None or block.highs is None or block.blank is None:  # booleans
            for row, name, rule in zip(block.rows, block.names, rules, strict=True):
                if rule is not None:
                    good[name] = values[row]
            continue
        for row, name, rule, low, high, gap in zip(
            block.rows, block.names, rules, block.lows, block.highs, block.blank, strict=True
        ):
            if rule is None:
                continue
            floor, low_open, ceiling, blank_ok = rule
            if gap and not blank_ok:
                continue
            if low != low or (  # noqa: PLR0124 - NaN: every value is blank
                (low > floor if low_open else low >= floor) and high <= ceiling
            ):
                good[name] = values[row]
                if gap:
                    blanks.add(name)
    return good


@functools.lru_cache(maxsize=256)
def _block_rules(
    names: tuple[str, ...], kind: str, *, strict: bool
) -> tuple[tuple[float, bool, float, bool] | None, ...]:
    """What each field of a block of dtype `kind` allows (a stream's frames share it).

    None where the dtype does not suit the field at a glance: booleans suit a boolean
    field, integers numbers and counts, floats numbers only (a float count must be
    checked whole, value by value). Else `(floor, low_open, ceiling, blank_ok)`: the
    bounds, with "finite" folded in, and whether a blank passes (the field is optional,
    and blanks of unknowable fields are not refused).
    """
    kinds = {"b": ("bool",), "f": ("real",)}.get(kind, ("real", "int"))
    rules: list[tuple[float, bool, float, bool] | None] = []
    for name in names:
        spec = FIELD_SPECS[name]
        if spec is None or spec.kind not in kinds:
            rules.append(None)
            continue
        finite_low = spec.low >= -_MAX_FLOAT
        rules.append(
            (
                spec.low if finite_low else -_MAX_FLOAT,
                spec.low_open and finite_low,
                min(spec.high, _MAX_FLOAT),
                spec.optional and not (strict and name in UNKNOWABLE_FIELDS),
            )
        )
    return tuple(rules)


def check(name: str, spec: Spec, reader: Reader, blanks: set[str]) -> Any:
    """Validate one column; return it as the formulas want it (codes for enum columns).

    Adds `name` to `blanks` when the column may hold a blank (NaN); a column left out
    has none, so the scoring need not look for them.
    """
    import numpy as np  # noqa: PLC0415

    if spec.kind == "enum":
        return _check_enum(name, spec, reader, coded=name in _CODED)
    column = reader.column(name)
    kind = column.dtype.kind if isinstance(column, np.ndarray) else "O"
    if kind == "O":
        blanks.add(name)
        return _check_objects(name, spec, column, reader)
    strict = reader.blank == "error" and name in UNKNOWABLE_FIELDS
    if spec.kind == "bool":
        if kind == "f" and spec.optional and np.isnan(column).all():
            if strict and len(column):
                raise reader.error(name, 0, spec.allowed)
            blanks.add(name)
            return column  # nothing observed
        if kind != "b":
            raise reader.error(name, 0, spec.allowed)
        return column
    if kind not in "iuf":
        raise reader.error(name, 0, spec.allowed)
    return _check_numbers(name, spec, column, reader, blanks)


def _check_numbers(
    name: str, spec: Spec, column: npt.NDArray[Any], reader: Reader, blanks: set[str]
) -> Any:
    """A column of numbers: two reductions (or the reader's), then the slow path to name a row."""
    import numpy as np  # noqa: PLC0415

    kind = column.dtype.kind
    # Integers are checked and used as they are: the formulas promote them to floats a
    # chunk at a time, exactly, so no float copy of the whole column is made.
    values = column if column.dtype == np.float64 or kind in "iu" else column.astype(np.float64)
    if not len(values):
        return values
    integral = spec.kind == "int" and kind == "f"
    low, high = _extremes(values)
    if low != low:  # noqa: PLR0124 - NaN: a blank somewhere
        blanks.add(name)
        if not spec.optional:
            raise reader.error(name, _first_bad(spec, values, integral=integral), spec.allowed)
        low, high = np.fmin.reduce(values).item(), np.fmax.reduce(values).item()
        if low == low and not (  # noqa: PLR0124 - NaN: every value absent
            _in_range(spec, low, high) and (not integral or _integral(values, blanks=True))
        ):
            raise reader.error(name, _first_bad(spec, values, integral=integral), spec.allowed)
        if reader.blank == "error" and name in UNKNOWABLE_FIELDS:
            raise reader.error(name, int(np.argmax(np.isnan(values))), spec.allowed)
        return values
    if not _in_range(spec, low, high) or (integral and not _integral(values, blanks=False)):
        raise reader.error(name, _first_bad(spec, values, integral=integral), spec.allowed)
    return values


def _extremes(values: npt.NDArray[Any]) -> tuple[Any, Any]:
    """The smallest and largest value as Python numbers (NaN first if there is a blank).

    `item()` is exact for integers, and Python numbers compare in a fraction of the
    time numpy scalars do: a 1,000-row call checks 20 columns.
    """
    import numpy as np  # noqa: PLC0415

    return np.minimum.reduce(values).item(), np.maximum.reduce(values).item()


def _in_range(spec: Spec, low: Any, high: Any) -> bool:
    """Whether values from `low` to `high` (no NaN) are all inside the spec, and finite."""
    inside = (low > spec.low if spec.low_open else low >= spec.low) and high <= spec.high
    return bool(inside and low >= -_MAX_FLOAT and high <= _MAX_FLOAT)


def _integral(values: npt.NDArray[Any], *, blanks: bool) -> bool:
    """Whether the present values of a float column of counts are whole numbers."""
    import numpy as np  # noqa: PLC0415

    present = values[~np.isnan(values)] if blanks else values
    return bool(np.array_equal(present, np.trunc(present)))


def _first_bad(spec: Spec, values: npt.NDArray[np.float64], *, integral: bool) -> int:
    import numpy as np  # noqa: PLC0415

    low = values > spec.low if spec.low_open else values >= spec.low
    good = low & (values <= spec.high) & np.isfinite(values)
    if integral:
        good &= values == np.trunc(values)
    if spec.optional:
        good |= np.isnan(values)
    return int(np.argmin(good))


def is_missing(value: Any) -> bool:
    if value is None or (isinstance(value, float) and value != value):  # noqa: PLR0124
        return True
    pandas = sys.modules.get("pandas")
    return pandas is not None and value is pandas.NA


def _check_objects(name: str, spec: Spec, column: Any, reader: Reader) -> Any:
    """The slow path for object columns: each value checked as `Interaction` checks it."""
    import numpy as np  # noqa: PLC0415

    normalise: Callable[[Any], Any] = _normalise_int if spec.kind == "int" else _normalise_real
    if spec.kind == "bool":
        normalise = _normalise_bool
    as_bool = spec.kind == "bool" and not spec.optional
    strict = reader.blank == "error" and name in UNKNOWABLE_FIELDS
    out = np.empty(len(column), dtype=bool if as_bool else np.float64)
    for row, raw in enumerate(column.tolist()):
        if spec.optional and is_missing(raw):
            if strict:
                raise reader.error(name, row, spec.allowed)
            out[row] = np.nan
            continue
        value = normalise(raw)
        try:
            spec.check(name, value)
        except ValidationError as error:
            raise reader.error(name, row, error.allowed) from None
        out[row] = value
    return out


def _normalise_bool(value: Any) -> Any:
    return bool(value) if type(value).__name__ == "bool_" else value


class DeferredCodes:
    """An enum column found good through its distinct values; its codes made when asked.

    Scoring does not read every enum column (`authority`), and hashing a million strings
    to code them costs more than finding their few distinct values. `resolve()` gives
    what [check][stool._validate.check] gives for an enum column: the members, and each
    row's code into them.
    """

    __slots__ = ("_resolve", "_resolved")

    def __init__(self, resolve: Callable[[], tuple[tuple[Any, ...], Any]]) -> None:
        self._resolve = resolve
        self._resolved: tuple[tuple[Any, ...], Any] | None = None

    def resolve(self) -> tuple[tuple[Any, ...], Any]:
        if self._resolved is None:
            self._resolved = self._resolve()
        return self._resolved


def _check_enum(
    name: str, spec: Spec, reader: Reader, *, coded: bool
) -> tuple[tuple[Any, ...], Any] | DeferredCodes:
    """Validate an enum column through its distinct values.

    Returns the distinct values (as members) and each row's code into them. A pandas
    categorical or an Arrow dictionary is read through its categories; other columns are
    factorized (in pandas or Arrow, not one Python string at a time). Unless `coded`,
    a column of text whose distinct values are all good is not coded until asked.
    """
    import numpy as np  # noqa: PLC0415

    enum_cls: type[enum.Enum] = spec.enum  # type: ignore[assignment]
    if not coded:
        values = reader.distinct(name)
        if values is not None and all(_member(enum_cls, value) for value in values):
            return DeferredCodes(lambda: _coded_enum(name, spec, reader))
    allowed = f"one of {', '.join(enum_cls.__members__)} (a {enum_cls.__name__} name, in any case)"
    distinct, codes = reader.encoded(name)
    members: list[Any] = []
    bad_codes = [-1]
    for code, value in enumerate(distinct):
        member = _member(enum_cls, value)
        members.append(member)
        if member is None:
            bad_codes.append(code)
    bad = codes < 0 if len(bad_codes) == 1 else np.isin(codes, bad_codes)
    if bad.any():
        raise reader.error(name, int(np.argmax(bad)), allowed)
    return tuple(members), codes


def _coded_enum(name: str, spec: Spec, reader: Reader) -> tuple[tuple[Any, ...], Any]:
    coded = _check_enum(name, spec, reader, coded=True)
    assert isinstance(coded, tuple)  # noqa: S101 - coded=True codes the column
    return coded


def factorize(column: Any) -> tuple[list[Any], Any]:
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
