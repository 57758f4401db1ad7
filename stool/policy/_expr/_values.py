"""The language's values: their kinds, and how a context's values are read and normalised.

Every value an expression sees is an `int`, a finite `float`, a `str`, a `bool` or a
tuple of those; `normalise_value` turns what a caller's context holds into one, and
`reader` compiles a (dotted) field name to the closure that reads it.
Only a value's type is inspected, never its attributes, so no code of its own can run.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from typing import Any, Final

from stool import enums
from stool.policy._errors import PolicyEvaluationError, shown
from stool.policy._syntax import MAX_INTEGER

__all__ = ["KINDS", "Fn", "article", "kind_name", "normalise_value", "reader", "same_list"]

KINDS: Final = ("number", "string", "boolean", "list")
"""The kinds of value a context field may hold, as a policy book declares them."""

Fn = Callable[[Mapping[str, Any]], Any]

_MAX = MAX_INTEGER
_MIN = -MAX_INTEGER


def kind_name(value: Any) -> str:
    """Return the language's name for the kind of a (normalised) value."""
    cls = type(value)
    if cls is bool:
        return "boolean"
    if cls is int or cls is float:
        return "number"
    if cls is str:
        return "string"
    if cls is tuple:
        return "list"
    return type(value).__name__


def article(kind: str) -> str:
    """Return `kind` with its indefinite article (`a number`, `an int`)."""
    return f"an {kind}" if kind[:1] in "aeiou" else f"a {kind}"


def _is_numpy_bool(cls: type) -> bool:
    return cls.__module__ == "numpy" and cls.__name__ in ("bool", "bool_")


def _integer_too_big(value: Any, field: str) -> PolicyEvaluationError:
    return PolicyEvaluationError(
        f"got {shown(value)}; allowed: a whole number from -2**53 to 2**53 "
        f"({MAX_INTEGER}, the largest exact in float64) or a finite float",
        field=field,
        value=value,
    )


def _in_order(value: Any) -> tuple[str, Any]:
    return kind_name(value), value


_STOOL_ENUMS: Final = frozenset(
    (enums.Authority, enums.Channel, enums.CustomerType, enums.Leg, enums.LegStatus, enums.Verdict)
)


def normalise_value(value: Any, field: str, *, nested: bool = False) -> Any:  # noqa: C901, PLR0911, PLR0912 - one branch per kind of value
    """Return `value` as the language sees it, or raise PolicyEvaluationError naming `field`.

    Numbers become `int` (within [MAX_INTEGER][stool.policy.MAX_INTEGER]) or finite
    `float` (numpy scalars included), strings `str`, booleans `bool`, lists and tuples a
    tuple of such scalars, and sets a tuple of them in ascending order (booleans, then
    numbers, then strings), so that nothing depends on the order of a hash.
    A member of one of stool's own enums (`Channel.CALL`, `Authority.SUPERVISOR`) reads
    as its name (`"CALL"`), as [unstructure][stool.unstructure] writes it.
    Only the value's type is inspected (`type(value)`, never `value.__class__` or any
    other attribute of the value), so no code of the value's own can run here.
    """
    cls = type(value)
    if cls is bool or cls is str:
        return value
    if cls in _STOOL_ENUMS:
        return value.name
    if cls is int:
        if _MIN <= value <= _MAX:
            return value
        raise _integer_too_big(value, field)
    if cls is float:
        if value - value == 0.0:
            return value
        raise PolicyEvaluationError(
            f"got {shown(value)}; allowed: a finite number", field=field, value=value
        )
    if value is None:
        raise PolicyEvaluationError(
            "is None; a field holds a number, string, boolean or list", field=field, value=value
        )
    if issubclass(cls, bool) or _is_numpy_bool(cls):
        return bool(value)
    if issubclass(cls, str):
        return str.__str__(value)
    if issubclass(cls, numbers.Integral):
        as_int = int(value)
        if _MIN <= as_int <= _MAX:
            return as_int
        raise _integer_too_big(value, field)
    if issubclass(cls, numbers.Real):
        try:
            as_float = float(value)
        except (OverflowError, ValueError):
            as_float = math.nan
        if as_float - as_float == 0.0:
            return as_float
        raise PolicyEvaluationError(
            f"got {shown(value)}; allowed: a finite number", field=field, value=value
        )
    if issubclass(cls, Mapping):
        raise PolicyEvaluationError(
            "is a mapping; read one of its keys with a dot (field.key)", field=field, value=value
        )
    if issubclass(cls, (list, tuple)) and not nested:
        return tuple(normalise_value(item, field, nested=True) for item in value)
    if issubclass(cls, (set, frozenset)) and not nested:
        items = [normalise_value(item, field, nested=True) for item in value]
        return tuple(sorted(items, key=_in_order))
    allowed = "a number, string or boolean" if nested else "a number, string, boolean or list"
    raise PolicyEvaluationError(
        f"has unsupported type {cls.__name__}; allowed: {allowed}",
        field=field,
        value=value,
    )


def _missing(name: str) -> PolicyEvaluationError:
    return PolicyEvaluationError("is missing from the context", field=name)


def reader(path: tuple[str, ...]) -> Fn:
    """Return the closure that reads the (dotted) field `path` of a context, normalised."""
    name = ".".join(path)
    if len(path) == 1:
        key = path[0]

        def read(context: Mapping[str, Any]) -> Any:
            try:
                value = context[key]
            except KeyError:
                raise _missing(name) from None
            cls = type(value)
            if (
                cls is str
                or cls is bool
                or (cls is int and _MIN <= value <= _MAX)
                or (cls is float and value - value == 0.0)
            ):
                return value
            return normalise_value(value, name)

        return read

    def read_nested(context: Mapping[str, Any]) -> Any:
        value: Any = context
        for depth, key in enumerate(path):
            if depth and not issubclass(type(value), Mapping):
                parent = ".".join(path[:depth])
                raise PolicyEvaluationError(
                    f"is {article(kind_name(value))}, not a mapping, so {name!r} cannot be read",
                    field=parent,
                    value=value,
                )
            try:
                value = value[key]
            except KeyError:
                raise _missing(".".join(path[: depth + 1])) from None
        return normalise_value(value, name)

    return read_nested


def same_list(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """Whether two lists hold equal items of the same kinds, in order.

    A boolean never equals a number (`[true] == [1]` is false), as in the language's
    scalars, unlike Python's `True == 1`.
    """
    return len(a) == len(b) and all(
        kind_name(x) == kind_name(y) and x == y for x, y in zip(a, b, strict=True)
    )
