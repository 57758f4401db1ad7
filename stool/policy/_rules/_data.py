"""Policy-file data as the parts read it: names, plain numbers and read-only copies."""

from __future__ import annotations

import math
import types
from collections.abc import Mapping
from typing import Any, Final, TypeVar

from stool.enums import Authority, Verdict
from stool.policy._errors import PolicyDefinitionError, PolicyValidationError

__all__ = [
    "AUTHORITY_NAMES",
    "MAX_NESTING",
    "VERDICT_NAMES",
    "authority_from",
    "freeze",
    "plain_number",
    "thaw",
    "verdict_from",
]

AUTHORITY_NAMES: Final = tuple(a.name.lower() for a in Authority)
"""Authority names as a policy file writes them: `agent`, `supervisor`, `manager`."""

VERDICT_NAMES: Final = tuple(v.name.lower() for v in Verdict)
"""Verdict names as a policy file writes them: `compliant`, `bent`, `broken`."""

MAX_NESTING: Final = 32
"""How deeply data in a book (a test context) may nest."""


def plain_number(value: Any) -> float | None:
    """Return a finite real number as stored in a book (a float), else None.

    An integer is stored as the float it equals; an integer no float holds exactly
    (beyond 2**53, such as 2**53 + 1) is refused, since the column path computes in
    float64 and both paths must judge the same number.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    try:
        as_float = float(value)
    except OverflowError:
        return None
    return as_float if as_float == value else None


_Named = TypeVar("_Named", Authority, Verdict)


def _member(cls: type[_Named], names: tuple[str, ...], value: Any) -> _Named | None:
    """Return the member of `cls` that `value` names (a member, or its name in any case)."""
    if isinstance(value, cls):
        return value
    if isinstance(value, str) and value.isascii() and value.lower() in names:
        return cls[value.upper()]
    return None


def authority_from(value: Any) -> Authority | None:
    """Return the Authority `value` names (a member, or its name in any case), else None."""
    return _member(Authority, AUTHORITY_NAMES, value)


def verdict_from(value: Any) -> Verdict | None:
    """Return the Verdict `value` names (a member, or its name in any case), else None."""
    return _member(Verdict, VERDICT_NAMES, value)


def freeze(value: Any, _depth: int = 0) -> Any:
    """Return a read-only deep copy of JSON-like data (mappings become read-only views).

    Raises:
        PolicyValidationError: If the data is nested more than 32 levels deep.
    """
    if _depth > MAX_NESTING:
        raise PolicyValidationError(
            (PolicyDefinitionError(f"data nested more than {MAX_NESTING} levels deep"),)
        )
    if isinstance(value, Mapping):
        return types.MappingProxyType({k: freeze(v, _depth + 1) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v, _depth + 1) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Return plain JSON data (dicts and lists) for data made by [freeze][]."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [thaw(v) for v in value]
    return value
