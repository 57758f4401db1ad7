"""Validating a batch's columns with the rules of `Interaction(...)`, whole columns at a time.

Private to [stool.batch][]: numbers by a few reductions, enum columns through their
distinct values, object columns value by value (the slow path, which names the first
bad row).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from stool._fields import Spec, _normalise_int, _normalise_real
from stool.enums import member_from_name
from stool.errors import ValidationError
from stool.interaction import UNKNOWABLE_FIELDS

if TYPE_CHECKING:
    import enum
    from collections.abc import Callable

    import numpy as np
    import numpy.typing as npt

    from stool._readers import Reader

__all__ = ["check", "factorize", "is_missing"]


def check(name: str, spec: Spec, reader: Reader) -> Any:
    """Validate one column; return it as the formulas want it (codes for enum columns)."""
    import numpy as np  # noqa: PLC0415

    if spec.kind == "enum":
        return _check_enum(name, spec, reader)
    column = reader.column(name)
    kind = column.dtype.kind if isinstance(column, np.ndarray) else "O"
    if kind == "O":
        return _check_objects(name, spec, column, reader)
    strict = reader.blank == "error" and name in UNKNOWABLE_FIELDS
    if spec.kind == "bool":
        if kind == "f" and spec.optional and np.isnan(column).all():
            if strict and len(column):
                raise reader.error(name, 0, spec.allowed)
            return column  # nothing observed
        if kind != "b":
            raise reader.error(name, 0, spec.allowed)
        return column
    if kind not in "iuf":
        raise reader.error(name, 0, spec.allowed)
    # Integers are checked and used as they are: the formulas promote them to floats a
    # chunk at a time, exactly, so no float copy of the whole column is made.
    values = column if column.dtype == np.float64 or kind in "iu" else column.astype(np.float64)
    if len(values) and not _in_range(spec, values, integral=spec.kind == "int" and kind == "f"):
        row = _first_bad(spec, values, integral=spec.kind == "int" and kind == "f")
        raise reader.error(name, row, spec.allowed)
    if strict and kind == "f":
        _refuse_blanks(name, spec, values, reader)
    return values


def _refuse_blanks(name: str, spec: Spec, values: npt.NDArray[np.float64], reader: Reader) -> None:
    import numpy as np  # noqa: PLC0415

    if len(values) and np.isnan(values.sum()):  # finite values (checked): NaN only from NaN
        raise reader.error(name, int(np.argmax(np.isnan(values))), spec.allowed)


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


def _check_enum(name: str, spec: Spec, reader: Reader) -> tuple[tuple[Any, ...], Any]:
    """Validate an enum column through its distinct values.

    Returns the distinct values (as members) and each row's code into them. A pandas
    categorical or an Arrow dictionary is read through its categories; other columns are
    factorized (in pandas or Arrow, not one Python string at a time).
    """
    import numpy as np  # noqa: PLC0415

    enum_cls: type[enum.Enum] = spec.enum  # type: ignore[assignment]
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
