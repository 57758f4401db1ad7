"""Field specifications: one source of truth for validation, batches and strategies.

Every validated attribute of a stool value carries a [Spec][] in its attrs metadata.
The same spec validates a single value in `__init__`, validates a whole column in
[stool.batch][], and tells [stool.strategies][] which values are valid.
"""

from __future__ import annotations

import math
import numbers
import sys
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from stool.errors import ValidationError

if TYPE_CHECKING:
    import enum

__all__ = [
    "SPEC",
    "Kind",
    "Spec",
    "boolean",
    "count",
    "enum_field",
    "fraction",
    "instance_of",
    "non_negative",
    "positive",
    "spec_of",
    "text",
]

SPEC: Final = "stool.spec"
"""The attrs metadata key under which a field's [Spec][] is stored."""

Kind = Literal["real", "int", "bool", "enum", "str"]

_INF = math.inf
_MAX_FLOAT: Final = sys.float_info.max


def _normalise_real(value: Any) -> Any:
    """Turn numpy-style numbers into builtins when that loses nothing; leave the rest."""
    kind = type(value)
    if kind is float or kind is int:
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    as_float = float(value)
    # Keep NaN as NaN so the validator names it; otherwise only exact conversions.
    if as_float == value or math.isnan(as_float):
        return as_float
    return value


def _normalise_int(value: Any) -> Any:
    """Turn integer-like numbers (numpy integers) into `int`; leave everything else."""
    if type(value) is int or isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    return value


@attrs.frozen(kw_only=True)
class Spec:
    """What one field allows; also an attrs validator for that field.

    Numbers are finite; bounds are inclusive unless `low_open` is set.
    """

    kind: Kind
    """The Python type family of the field."""
    low: float = -_INF
    """Smallest allowed value (numbers only)."""
    high: float = _INF
    """Largest allowed value (numbers only)."""
    low_open: bool = False
    """Whether `low` itself is excluded (strictly positive fields)."""
    optional: bool = False
    """Whether None is allowed, meaning "absent"."""
    enum: type[enum.Enum] | None = None
    """The enumeration of an enum field."""
    min_len: int = 0
    """Smallest allowed length of a string field."""
    allowed: str = ""
    """What the field allows, in words, for error messages and docs."""

    def check(self, name: str, value: Any) -> None:
        """Raise [ValidationError][stool.ValidationError] unless `value` is allowed.

        Args:
            name: The qualified field name used in the message.
            value: The value to check.

        Raises:
            ValidationError: If `value` is not allowed.
        """
        if value is None:
            if self.optional:
                return
            raise ValidationError(name, value, self.allowed)
        kind = self.kind
        if kind == "real":
            ok = type(value) in (float, int) and (
                (self.low < value if self.low_open else self.low <= value) and value <= self.high
            )
            # Finite means representable as a float: no infinities, no ints beyond them.
            ok = ok and -_MAX_FLOAT <= value <= _MAX_FLOAT
        elif kind == "int":
            ok = type(value) is int and (
                (self.low < value if self.low_open else self.low <= value) and value <= self.high
            )
            if ok and not -_MAX_FLOAT <= value <= _MAX_FLOAT:
                # Scores compute in floats: a count no float can hold is out of range.
                allowed = f"{self.allowed} (at most {_MAX_FLOAT:g}, the largest float)"
                raise ValidationError(name, value, allowed)
        elif kind == "bool":
            ok = type(value) is bool
        elif kind == "enum":
            ok = isinstance(value, self.enum)  # type: ignore[arg-type]
        else:
            ok = type(value) is str and len(value) >= self.min_len
        if not ok:
            raise ValidationError(name, value, self.allowed)

    def __call__(self, instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        """Validate `value` as attrs does, naming `Class.field` in the error."""
        self.check(f"{type(instance).__name__}.{attribute.name}", value)


def instance_of(cls: type) -> Any:
    """An attrs validator: the value must be an instance of `cls` (a stool error if not)."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, cls):
            raise ValidationError(
                f"{type(instance).__name__}.{attribute.name}", value, f"a {cls.__name__}"
            )

    return check


def spec_of(attribute: attrs.Attribute[Any]) -> Spec | None:
    """Return the [Spec][] of an attrs attribute, or None if it has none."""
    spec = attribute.metadata.get(SPEC)
    return spec if isinstance(spec, Spec) else None


def _with_optional(words: str, *, optional: bool) -> str:
    return f"{words}, or None" if optional else words


def _number_field(spec: Spec, default: Any, converter: Any) -> Any:
    return attrs.field(default=default, converter=converter, validator=spec, metadata={SPEC: spec})


def fraction(default: float | None, *, optional: bool = False) -> Any:
    """A real number from 0 to 1 inclusive."""
    spec = Spec(
        kind="real",
        low=0.0,
        high=1.0,
        optional=optional,
        allowed=_with_optional("a number from 0 to 1", optional=optional),
    )
    return _number_field(spec, default, _normalise_real)


def non_negative(
    default: float | None, *, optional: bool = False, high: float = _INF, unit: str = ""
) -> Any:
    """A finite real number >= 0 (and <= `high` if given)."""
    suffix = f" {unit}" if unit else ""
    words = (
        f"a finite number >= 0{suffix}" if high == _INF else f"a number from 0 to {high:g}{suffix}"
    )
    spec = Spec(
        kind="real",
        low=0.0,
        high=high,
        optional=optional,
        allowed=_with_optional(words, optional=optional),
    )
    return _number_field(spec, default, _normalise_real)


def positive(default: float, *, unit: str = "") -> Any:
    """A finite real number > 0."""
    suffix = f" {unit}" if unit else ""
    spec = Spec(kind="real", low=0.0, low_open=True, allowed=f"a finite number > 0{suffix}")
    return _number_field(spec, default, _normalise_real)


def count(default: int | None, *, low: int = 0, high: float = _INF, optional: bool = False) -> Any:
    """A whole number (an `int`, never a float or bool) within `[low, high]`."""
    words = f"a whole number >= {low}" if high == _INF else f"a whole number from {low} to {high:g}"
    spec = Spec(
        kind="int",
        low=float(low),
        high=high,
        optional=optional,
        allowed=_with_optional(words, optional=optional),
    )
    return _number_field(spec, default, _normalise_int)


def boolean(default: bool | None, *, optional: bool = False) -> Any:
    """A `bool` (not an int, not a string); None too if `optional` (not observed)."""
    spec = Spec(
        kind="bool",
        optional=optional,
        allowed=_with_optional("True or False", optional=optional),
    )
    return attrs.field(default=default, validator=spec, metadata={SPEC: spec})


def enum_field(enum_cls: type[enum.Enum], default: Any = attrs.NOTHING, *, also: Any = None) -> Any:
    """A member of `enum_cls`; its member name in any case (`"CALL"`, `"call"`) is converted to it.

    `also` is a further attrs validator, run after the membership check.
    """
    names = ", ".join(enum_cls.__members__)
    spec = Spec(kind="enum", enum=enum_cls, allowed=f"one of {names} (a {enum_cls.__name__})")
    validator: Any = spec if also is None else [spec, also]

    members = enum_cls.__members__

    def convert(value: Any) -> Any:
        if isinstance(value, str):
            member = members.get(value)
            if member is None and value.isascii():
                member = members.get(value.upper())
            # Not a name: left as it is, for the validator to name the field.
            return value if member is None else member
        return value

    return attrs.field(
        default=default, converter=convert, validator=validator, metadata={SPEC: spec}
    )


def text(default: Any = attrs.NOTHING, *, min_len: int = 1) -> Any:
    """A `str` of at least `min_len` characters."""
    words = "a non-empty string" if min_len == 1 else f"a string of at least {min_len} characters"
    if min_len == 0:
        words = "a string"
    spec = Spec(kind="str", min_len=min_len, allowed=words)
    return attrs.field(default=default, validator=spec, metadata={SPEC: spec})
