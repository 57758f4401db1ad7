"""How each parameter moves the legs, the flags and the metrics: a one-at-a-time sensitivity.

[sensitivity][stool.research.sensitivity] multiplies one parameter at a time by
`1 - step` and by `1 + step`, rescores the table, and records how far each outcome
moves: the mean of each leg, the share of contacts each flag catches, the share of
stools that collapse and, when the table has answers, the metrics of
[evaluate][stool.research.evaluate] (point estimates). A tornado plot ranks the
parameters by how far they move one outcome.
"""

from __future__ import annotations

import difflib
import math
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs
import numpy as np

from stool.batch import _score_columns, _wait_scales
from stool.errors import ValidationError
from stool.research._blas import one_blas_thread
from stool.research._data import check_low, read
from stool.research._evaluate import _check_model
from stool.research._metrics import METRIC_NAMES, Scorer
from stool.research._parameters import PARAMETERS
from stool.research._predictions import predict

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from stool.models import StoolModel
    from stool.research._data import Rows

__all__ = ["LEG_OUTCOMES", "Effect", "Sensitivity", "sensitivity", "sensitivity_names"]

LEG_OUTCOMES: Final = (
    "customer",
    "company",
    "agent",
    "customer_at_risk",
    "company_at_risk",
    "agent_at_risk",
    "collapsed",
)
"""The outcomes every sensitivity records: each leg's mean, each flag's rate, the
share collapsed."""

_METRIC_OUTCOMES: Final = tuple(
    name for name in METRIC_NAMES if name not in {"mean_observed", "base_rate"}
)


def sensitivity_names(model: StoolModel) -> tuple[str, ...]:
    """Every parameter [sensitivity][stool.research.sensitivity] can move for `model`.

    The real-valued fields of the three leg models and the thresholds (those not None),
    `calibration.cutpoints` (all four together), `calibration.slope` and
    `calibration.base_rate`.
    """
    names: list[str] = []
    for part in ("customer", "company", "agent", "thresholds"):
        owner = getattr(model, part)
        for attribute in attrs.fields(type(owner)):
            spec = attribute.metadata.get("stool.spec")
            if not attribute.init or spec is None or spec.kind != "real":
                continue
            if getattr(owner, attribute.name) is None:
                continue
            names.append(f"{part}.{attribute.name}")
    names.extend(("calibration.cutpoints", "calibration.slope", "calibration.base_rate"))
    return tuple(names)


@attrs.frozen(kw_only=True, eq=False)
class Effect:
    """One parameter moved one way, and where each outcome went."""

    parameter: str
    """The parameter's dotted name."""
    direction: int
    """-1 for `1 - step` times the value, +1 for `1 + step` times it."""
    value: tuple[float, ...]
    """The moved value (four numbers for the cut-points); empty if the model refused it."""
    outcomes: Mapping[str, float]
    """Each outcome under the moved model (empty if the model refused the value)."""
    note: str = ""
    """Why the move was not possible (the model's own error), or empty."""

    @property
    def available(self) -> bool:
        """Whether the model accepted the moved value."""
        return bool(self.outcomes)


@attrs.frozen(kw_only=True, eq=False)
class Sensitivity:
    """The one-at-a-time sensitivity of a model on a table."""

    model: StoolModel
    """The model as given."""
    base: Mapping[str, float]
    """Each outcome under the model as given."""
    effects: tuple[Effect, ...]
    """Two per parameter (down, then up), in the order the parameters were named."""
    step: float
    """The relative step."""
    rows: int
    """How many rows were scored."""

    def __iter__(self) -> Iterator[Effect]:
        return iter(self.effects)

    @property
    def outcomes(self) -> tuple[str, ...]:
        """The outcomes recorded, in order."""
        return tuple(self.base)

    def change(self, parameter: str, outcome: str) -> tuple[float, float]:
        """How far `outcome` moves when `parameter` goes down and up (NaN if refused)."""
        down = up = math.nan
        for effect in self.effects:
            if effect.parameter == parameter and effect.available:
                moved = effect.outcomes[outcome] - self.base[outcome]
                if effect.direction < 0:
                    down = moved
                else:
                    up = moved
        return down, up

    def ranking(self, outcome: str = "customer") -> list[tuple[str, float, float]]:
        """Parameters with their down and up changes of `outcome`, largest span first.

        Raises:
            ValidationError: If `outcome` is not one of
                [outcomes][stool.research.Sensitivity.outcomes].
        """
        if outcome not in self.base:
            raise ValidationError("Sensitivity.outcome", outcome, f"one of {', '.join(self.base)}")
        parameters = list(dict.fromkeys(effect.parameter for effect in self.effects))
        rows = [(name, *self.change(name, outcome)) for name in parameters]

        def span(row: tuple[str, float, float]) -> float:
            values = [abs(v) for v in row[1:] if not math.isnan(v)]
            return max(values, default=-1.0)

        return sorted(rows, key=span, reverse=True)

    def to_frame(self) -> Any:
        """Return one row per parameter and direction: the moved value and each outcome's change.

        The index is (`parameter`, `direction`); the columns are `value` and, for each
        outcome, its change from the model as given (NaN where the model refused the
        moved value, with the reason in `note`).
        """
        import pandas as pd  # noqa: PLC0415 - pandas is an optional extra

        records = []
        for effect in self.effects:
            record: dict[str, Any] = {
                "parameter": effect.parameter,
                "direction": effect.direction,
                "value": (
                    effect.value[0] if len(effect.value) == 1 else (effect.value or math.nan)
                ),
            }
            for outcome in self.base:
                record[outcome] = (
                    effect.outcomes[outcome] - self.base[outcome] if effect.available else math.nan
                )
            record["note"] = effect.note
            records.append(record)
        return pd.DataFrame.from_records(records).set_index(["parameter", "direction"])

    def plot(self, outcome: str = "customer", *, top: int = 15, ax: Any = None) -> Any:
        """Draw a tornado plot of how far each parameter moves `outcome` (matplotlib).

        Args:
            outcome: One of [outcomes][stool.research.Sensitivity.outcomes].
            top: How many parameters to show, largest span first.
            ax: A matplotlib Axes to draw on; None for a new figure.

        Returns:
            The Axes.
        """
        from stool.research._render import plot_tornado  # noqa: PLC0415

        return plot_tornado(self, outcome, top=top, ax=ax)


def _check_names(params: Any, allowed: tuple[str, ...]) -> tuple[str, ...]:
    if params is None:
        return PARAMETERS
    if isinstance(params, str) or not hasattr(params, "__iter__"):
        raise ValidationError("sensitivity.params", params, "a list of parameter names, or None")
    names = list(params)
    if not names:
        raise ValidationError("sensitivity.params", names, "at least one parameter name, or None")
    for name in names:
        if not isinstance(name, str) or name not in allowed:
            close = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.5)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ValidationError(
                "sensitivity.params",
                name,
                f"{hint}a real-valued parameter of the model: 'customer.<field>', "
                "'company.<field>', 'agent.<field>', 'thresholds.<field>' or "
                "'calibration.cutpoints', 'calibration.slope', 'calibration.base_rate'",
            )
    if len(set(names)) != len(names):
        repeated = next(name for name in names if names.count(name) > 1)
        raise ValidationError("sensitivity.params", repeated, "each parameter named once")
    return tuple(names)


def _moved(model: StoolModel, name: str, factor: float) -> tuple[StoolModel, tuple[float, ...]]:
    part, field = name.split(".")
    owner = getattr(model, part)
    value = getattr(owner, field)
    if field == "cutpoints":
        moved: Any = tuple(c * factor for c in value)
        shown = moved
    else:
        moved = value * factor
        shown = (moved,)
    return attrs.evolve(model, **{part: attrs.evolve(owner, **{field: moved})}), shown


def _outcomes(rows: Rows, model: StoolModel, low: int) -> dict[str, float]:
    columns = rows.columns
    assert columns is not None  # noqa: S101 - a whole table keeps its columns
    columns = {**columns, "wait_scale_s": _wait_scales(columns["channel"], model)}
    scores = _score_columns(columns, rows.n, model)
    out = {name: float(np.mean(scores[name])) for name in LEG_OUTCOMES}
    if rows.answers is not None:
        predictions = predict(rows, model, low=low)
        values = Scorer(rows.answers, predictions, low=low).values(np.ones((1, rows.n)))[0]
        for name in _METRIC_OUTCOMES:
            out[name] = float(values[METRIC_NAMES.index(name)])
    return out


@one_blas_thread
def sensitivity(
    model: Any,
    data: Any,
    *,
    params: Any = None,
    step: float = 0.1,
    target: str = "csat",
    low: int = 2,
    absent: Literal["unknown", "default"] = "unknown",
    extra_columns: Literal["error", "ignore"] = "error",
) -> Sensitivity:
    """Move each parameter down and up by `step` (relative) and record what moves.

    Each parameter is multiplied by `1 - step`, then by `1 + step` (the four cut-points
    together, which keeps them in order), one at a time; the table is rescored with the
    same formulas as [score_batch][stool.batch.score_batch]. A value the model refuses
    (a fraction pushed above 1, a collapse level no longer below the at-risk level) is
    recorded as not available, with the model's reason; nothing is clamped.

    Args:
        model: A [StoolModel][stool.models.StoolModel], a
            [FitResult][stool.research.FitResult], or None for the default.
        data: The table, as for [evaluate][stool.research.evaluate]; the target column
            is optional (without it only the legs and flags are recorded).
        params: Dotted parameter names (see
            [sensitivity_names][stool.research.sensitivity_names]); None for the ones
            [fit][stool.research.fit] moves by default.
        step: The relative step, above 0 and below 1.
        target: The column of answers, if the table has one.
        low: Answers at or below this count as low.
        absent: As in score_batch.
        extra_columns: As in score_batch; the target column is always let through.

    Returns:
        The [Sensitivity][stool.research.Sensitivity]: a table and a tornado plot.

    Raises:
        ValidationError: If an argument, a parameter name (with the name meant), a
            column or an answer is bad.

    Example:
        >>> import numpy as np
        >>> from stool.research import sensitivity
        >>> table = {"wait_time_s": np.linspace(0.0, 86_400.0, 50)}
        >>> result = sensitivity(None, table, params=["customer.call_wait_scale_s"])
        >>> down, up = result.change("customer.call_wait_scale_s", "customer")
        >>> down < 0.0 < up  # a longer scale makes waiting cost less
        True
    """
    chosen = _check_model(model, "sensitivity.model")
    names = _check_names(params, sensitivity_names(chosen))
    if type(step) not in (int, float) or not 0.0 < step < 1.0:
        raise ValidationError("sensitivity.step", step, "a number above 0 and below 1")
    low = check_low(low, "sensitivity.low")
    rows = read(
        data,
        model=chosen,
        target=target,
        owner="sensitivity",
        absent=absent,
        extra_columns=extra_columns,
        require_target=False,
    )
    base = _outcomes(rows, chosen, low)
    effects = []
    for name in names:
        for direction in (-1, 1):
            try:
                moved, value = _moved(chosen, name, 1.0 + direction * step)
            except ValidationError as error:
                effects.append(
                    Effect(
                        parameter=name, direction=direction, value=(), outcomes={}, note=str(error)
                    )
                )
                continue
            effects.append(
                Effect(
                    parameter=name,
                    direction=direction,
                    value=value,
                    outcomes=_outcomes(rows, moved, low),
                )
            )
    return Sensitivity(
        model=chosen, base=base, effects=tuple(effects), step=float(step), rows=rows.n
    )
