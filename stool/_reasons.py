"""The reason columns of `score_batch(..., reasons=True)`: each at-risk leg's top reason.

The sentences are the ones [LegScore.reasons][stool.scoring.LegScore.reasons] writes,
from the same phrases: each row with a leg at risk is rebuilt as an
[Interaction][stool.Interaction] and scored with [score][stool.score], once per
distinct row. Rows with no leg at risk cost nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stool._validate import DeferredCodes
from stool.interaction import FIELD_SPECS, Interaction

if TYPE_CHECKING:
    from stool.models import StoolModel

__all__ = ["interaction_at", "reason_columns"]

_LEGS = ("customer", "company", "agent")


def interaction_at(columns: dict[str, Any], row: int) -> Interaction:
    """Row `row` of validated batch columns, as the Interaction it stands for."""
    import numpy as np  # noqa: PLC0415

    facts: dict[str, Any] = {}
    for name, spec in FIELD_SPECS.items():
        if spec is None:
            continue
        column = columns[name]
        if isinstance(column, DeferredCodes):
            column = column.resolve()
        if isinstance(column, tuple):  # an enum column: its members, and each row's code
            members, codes = column
            facts[name] = members[codes[row]]
            continue
        value = column[row] if isinstance(column, np.ndarray) else column
        if isinstance(value, (float, np.floating)) and value != value:  # noqa: PLR0124 - NaN
            facts[name] = None
        elif spec.kind == "bool":
            facts[name] = bool(value)
        elif spec.kind == "int":
            facts[name] = int(value)
        elif spec.kind == "real":
            facts[name] = float(value)
        else:
            facts[name] = value
    return Interaction(**facts)


def reason_columns(
    columns: dict[str, Any], results: dict[str, Any], model: StoolModel
) -> dict[str, Any]:
    """The top reason of each at-risk leg, per row (None where the leg holds).

    Args:
        columns: The validated columns score_batch read.
        results: score_batch's results, with the at-risk flags.
        model: The model the batch was scored with.

    Returns:
        `customer_reason`, `company_reason` and `agent_reason` as numpy object arrays.
    """
    import numpy as np  # noqa: PLC0415

    from stool.scoring import score  # noqa: PLC0415 - the scalar path writes the sentences

    flags = [results[f"{leg}_at_risk"] for leg in _LEGS]
    rows = len(flags[0])
    out = {f"{leg}_reason": np.full(rows, None, dtype=object) for leg in _LEGS}
    risky = np.flatnonzero(flags[0] | flags[1] | flags[2])
    seen: dict[Interaction, tuple[str | None, ...]] = {}
    for row in risky.tolist():
        interaction = interaction_at(columns, row)
        top = seen.get(interaction)
        if top is None:
            scored = score(interaction, model)
            top = tuple(
                leg.reasons[0] if leg.reasons else None
                for leg in (scored.customer, scored.company, scored.agent)
            )
            seen[interaction] = top
        for leg, flag, reason in zip(_LEGS, flags, top, strict=True):
            if flag[row]:
                out[f"{leg}_reason"][row] = reason
    return out
