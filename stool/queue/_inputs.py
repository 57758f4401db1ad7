"""Validated numbers or arrays of numbers for the queue models, and element-wise evaluation.

A queue's inputs are plain numbers (one interval) or arrays (a day of intervals).
Arrays are read-only float64 numpy arrays, so a queue stays a value; numpy is imported
only when an input is an array.
"""

from __future__ import annotations

import math
import numbers
import sys
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs

from stool.errors import ValidationError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import numpy as np
    import numpy.typing as npt

    FloatArray: TypeAlias = npt.NDArray[np.float64]
else:
    FloatArray: TypeAlias = Any

Quantity: TypeAlias = "float | FloatArray"
"""A number, or a numpy array of numbers (one per interval)."""


def is_array(value: Any) -> bool:
    """Whether `value` is a numpy array (without importing numpy)."""
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(value, numpy.ndarray)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def to_quantity(value: Any) -> Any:
    """Convert a number to a float and a sequence or array of numbers to a read-only array.

    Anything else is returned as it is, for the validator to name.
    """
    if _is_number(value):
        return float(value)
    if isinstance(value, (list, tuple)) and value and all(_is_number(v) for v in value):
        import numpy as np  # noqa: PLC0415 - numpy is an optional extra

        return _frozen(np.asarray(value, dtype=np.float64))
    if is_array(value) and value.dtype.kind in "iuf":
        if value.ndim == 0:
            return float(value)
        import numpy as np  # noqa: PLC0415 - already loaded: value is an array

        return _frozen(np.array(value, dtype=np.float64))
    return value


def _frozen(array: FloatArray) -> FloatArray:
    array.setflags(write=False)
    return array


def _describe(minimum: float, maximum: float, *, strict: bool, infinite: bool) -> str:
    if minimum == -math.inf:
        return "a finite number, or a sequence or numpy array of them"
    bound = f"above {minimum:g}" if strict else f"at least {minimum:g}"
    if maximum < math.inf:
        bound = f"from {minimum:g} to {maximum:g}"
    kind = "a number" if not infinite else "a number (or math.inf)"
    return f"{kind} {bound}, or a sequence or numpy array of them"


def check_quantity(
    name: str,
    value: Any,
    *,
    minimum: float = 0.0,
    maximum: float = math.inf,
    strict: bool = False,
    infinite: bool = False,
) -> None:
    """Raise a [ValidationError][stool.ValidationError] unless `value` is a valid quantity.

    Args:
        name: The field to name in the error.
        value: A float or a float64 array (after [to_quantity][]).
        minimum: The lowest value allowed.
        maximum: The highest value allowed (inclusive).
        strict: Whether `minimum` itself is excluded.
        infinite: Whether `math.inf` is allowed.
    """
    allowed = _describe(minimum, maximum, strict=strict, infinite=infinite)
    if isinstance(value, float):
        ok = (value > minimum if strict else value >= minimum) and (  # NaN fails both
            math.isfinite(value) or (infinite and value == math.inf)
        )
        ok = ok and value <= maximum
        if not ok:
            raise ValidationError(name, value, allowed)
        return
    if not is_array(value) or value.dtype.kind != "f" or value.size == 0:
        if isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                if not _is_number(item):
                    raise ValidationError(f"{name}[{index}]", item, allowed)
        raise ValidationError(name, value, allowed)
    import numpy as np  # noqa: PLC0415 - already loaded: value is an array

    good = value > minimum if strict else value >= minimum
    good &= np.isfinite(value) | (infinite & (value == np.inf))
    good &= value <= maximum
    if not good.all():
        first = tuple(int(i) for i in np.argwhere(~good)[0])
        where = ", ".join(map(str, first))
        raise ValidationError(f"{name}[{where}]", float(value[first]), allowed)


def quantity_field(
    *, minimum: float = 0.0, strict: bool = False, infinite: bool = False, default: Any = None
) -> Any:
    """An attrs field holding a validated quantity; required unless a default is given."""

    def validate(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        check_quantity(
            f"{type(instance).__name__}.{attribute.name}",
            value,
            minimum=minimum,
            strict=strict,
            infinite=infinite,
        )

    if default is None:
        return attrs.field(converter=to_quantity, validator=validate)
    return attrs.field(default=default, converter=to_quantity, validator=validate)


def broadcast_shape(owner: str, values: dict[str, Any]) -> tuple[int, ...] | None:
    """Return the common shape of the array inputs, or None when all are numbers.

    Raises:
        ValidationError: If the arrays do not broadcast together.
    """
    arrays = {k: v for k, v in values.items() if is_array(v)}
    if not arrays:
        return None
    import numpy as np  # noqa: PLC0415 - already loaded: there are arrays

    try:
        return tuple(np.broadcast_shapes(*(v.shape for v in arrays.values())))
    except ValueError:
        shapes = ", ".join(f"{k} {v.shape}" for k, v in arrays.items())
        raise ValidationError(
            owner, shapes, "arrays of one shape (or shapes numpy broadcasts together)"
        ) from None


def elementwise(function: Callable[..., Any], values: Sequence[Any]) -> Any:
    """Apply a function of floats to numbers, or to every element of broadcast arrays.

    Repeated combinations of inputs (the same interval on many rows) are computed once.
    A function returning a tuple gives a tuple of arrays.
    """
    if not any(is_array(v) for v in values):
        return function(*values)
    import numpy as np  # noqa: PLC0415 - already loaded: there are arrays

    columns = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in values))
    shape = columns[0].shape
    table = np.stack([c.ravel() for c in columns], axis=1)
    unique, inverse = np.unique(table, axis=0, return_inverse=True)
    results = [function(*(float(x) for x in row)) for row in unique]
    inverse = inverse.ravel()
    if results and isinstance(results[0], tuple):
        parts = zip(*results, strict=True)
        return tuple(np.asarray(part)[inverse].reshape(shape) for part in parts)
    return np.asarray(results)[inverse].reshape(shape)


def same(a: Any, b: Any) -> bool:
    """Whether two quantities are equal: numbers by value, arrays by shape and elements."""
    if is_array(a) or is_array(b):
        if not (is_array(a) and is_array(b)):
            return False
        return bool(a.shape == b.shape and (a == b).all())
    return bool(a == b)


def key(value: Any) -> Any:
    """A hashable stand-in for a quantity."""
    if is_array(value):
        return (value.shape, value.tobytes())
    return value
