"""LegScore's wire format: a plain object, its reasons written out.

A leg's reasons are written lazily, so [LegScore][stool.scoring.LegScore] brings its own
unstructure and structure hooks to [stool.serialization][] (the package registers them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stool.enums import LegStatus
from stool.errors import ValidationError
from stool.scoring._result import LegScore


def _unstructure_leg(leg: LegScore) -> dict[str, Any]:
    return {
        "value": leg.value,
        "contributions": dict(leg.contributions.items()),
        "at_risk": leg.at_risk,
        "reasons": list(leg.reasons),
        "coverage": leg.coverage,
        "unobserved": list(leg.unobserved),
        "status": leg.status.name,
    }


def _structure_leg(data: Any, path: str) -> LegScore:
    from stool.serialization import _structure  # noqa: PLC0415 - the package's own helper

    if not isinstance(data, Mapping):
        raise ValidationError(path, data, "an object with the fields of LegScore")
    kinds: dict[str, Any] = {
        "value": float,
        "contributions": dict[str, float],
        "at_risk": bool,
        "reasons": tuple[str, ...],
        "coverage": float,
        "unobserved": tuple[str, ...],
        "status": LegStatus,
    }
    for key in data:
        if key not in kinds:
            allowed = "a field of LegScore: " + ", ".join(kinds)
            raise ValidationError(f"{path}.{key}", data[key], allowed)
    kwargs: dict[str, Any] = {}
    for key, kind in kinds.items():
        if key in data:
            kwargs[key] = _structure(data[key], kind, f"{path}.{key}")
        elif key in ("value", "contributions", "at_risk"):
            raise ValidationError(f"{path}.{key}", None, "a value (this key is required)")
    try:
        return LegScore(**kwargs)
    except ValidationError as error:
        if path.endswith("LegScore") or not error.field.startswith("LegScore."):
            raise
        field = path + error.field[len("LegScore") :]
        raise ValidationError(field, error.value, error.allowed) from error
