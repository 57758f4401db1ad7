"""The parameters a fit moves: their names, bounds, transforms, and which the data identify.

A parameter is named by a dotted path into [StoolModel][stool.models.StoolModel]:
`customer.effort_weight`, `customer.promise_late_scale_days`, `calibration.slope`, and
`calibration.cutpoints` for the four cut-points at once.
The optimiser works on unbounded-looking coordinates that keep every documented direction:

- weights stay at or above 0, and a free always-observed weight (`promise`) above a
  small share, so the fitted leg always has a value;
- scales and other positive numbers are fitted on a log scale, within a factor of
  [POSITIVE_RANGE][stool.research._parameters.POSITIVE_RANGE] of their start;
- numbers that are only non-negative (effort units, rates, steepness) stay from 0 to
  [NON_NEGATIVE_MAX][stool.research._parameters.NON_NEGATIVE_MAX] (or ten times their
  start, if larger);
- fractions stay from 0 to 1, or strictly inside where the model requires it
  (`promise_kept`, fitted on the logit scale);
- the cut-points stay strictly increasing: the lowest identified one and the gaps above
  it are the coordinates, each gap at least [MIN_GAP][stool.research._parameters.MIN_GAP].

[identify][stool.research._identification.identify] decides, from the data, which of the
requested parameters can be fitted at all, and why the others cannot.
"""

from __future__ import annotations

import difflib
import math
from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np

from stool.calibration import Calibration
from stool.errors import ValidationError
from stool.models import CustomerModel, StoolModel
from stool.research._data import SCALE_FIELDS

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt


__all__ = [
    "CURVES",
    "FACTOR_OF",
    "MIN_GAP",
    "NON_NEGATIVE_MAX",
    "PARAMETERS",
    "POSITIVE_RANGE",
    "Fixed",
    "Space",
    "check_names",
    "curve_groups",
]

FACTOR_OF: Final[dict[str, str]] = {
    "call_wait_scale_s": "effort",
    "chat_wait_scale_s": "effort",
    "email_wait_scale_s": "effort",
    "wait_shape": "effort",
    "transfer_effort": "effort",
    "repeat_effort": "effort",
    "expectation_drop": "expectations",
    "loss_aversion": "expectations",
    "disconfirmation_steepness": "expectations",
    "promise_kept": "promise",
    "promise_early_scale_days": "promise",
    "promise_late_scale_days": "promise",
    "hostility_rate": "recovery",
    "recovery_without_extra_mile": "recovery",
}
"""The one customer factor each curve parameter shapes (a test checks this against the
formula): the fit differentiates that factor alone when the parameter moves."""

CURVES: Final = tuple(FACTOR_OF)
"""The customer model's curve parameters (every number that is not a weight)."""

WEIGHTS: Final = tuple(f"{factor}_weight" for factor in CustomerModel.FACTORS)

PARAMETERS: Final[tuple[str, ...]] = (
    *(f"customer.{name}" for name in WEIGHTS),
    *(f"customer.{name}" for name in CURVES),
    "calibration.cutpoints",
    "calibration.slope",
)
"""Every parameter [fit][stool.research.fit] can move, and its default choice: every
weight and curve parameter of the customer leg, the four cut-points and the slope."""

POSITIVE_RANGE: Final = 1e4
"""Positive parameters are fitted within this factor of their start, either way."""
NON_NEGATIVE_MAX: Final = 1e3
"""Non-negative parameters are fitted from 0 to this (or ten times their start)."""
MIN_GAP: Final = 1e-6
"""The least gap between two fitted cut-points: they stay strictly increasing."""
MAX_GAP: Final = 100.0
"""The largest gap between two fitted cut-points (log-odds)."""
CUT_RANGE: Final = 100.0
"""The lowest fitted cut-point stays within this of 0 (log-odds)."""
LOGIT_RANGE: Final = 18.0
"""Open fractions are fitted on the logit scale within this of 0 (1.5e-8 from the ends)."""
ALWAYS_OBSERVED_FLOOR: Final = 1e-3
"""A free always-observed weight that is not the reference stays above this many times
the reference weight (or the largest start weight)."""
WEIGHT_MAX: Final = 1e3
"""Free weights stay below this many times the reference weight (or the largest start
weight)."""


def check_names(params: Any, field: str) -> tuple[str, ...]:
    """Validate parameter names; return them (None: the default choice, every parameter).

    Raises:
        ValidationError: Naming the first unknown or repeated name, with the name meant.
    """
    if params is None:
        return PARAMETERS
    if isinstance(params, str) or not hasattr(params, "__iter__"):
        raise ValidationError(field, params, "a list of parameter names, or None for all")
    names = list(params)
    if not names:
        raise ValidationError(field, names, "at least one parameter name, or None for all")
    seen: set[str] = set()
    for name in names:
        if not isinstance(name, str) or name not in PARAMETERS:
            close = difflib.get_close_matches(str(name), PARAMETERS, n=1, cutoff=0.5)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ValidationError(
                field,
                name,
                f"{hint}a parameter of the customer leg ('customer.<weight or curve>') or of "
                "the calibration ('calibration.cutpoints', 'calibration.slope'); the answers "
                "inform nothing else",
            )
        if name in seen:
            raise ValidationError(field, name, "each parameter named once")
        seen.add(name)
    return tuple(name for name in PARAMETERS if name in seen)


# ----------------------------------------------------------------------------- transforms


@attrs.frozen
class _Curve:
    """One free curve parameter: its field, factor index, transform and bounds."""

    field: str
    factor: int
    transform: str  # "log", "logit" or "identity"
    lower: float
    upper: float

    def to_value(self, v: float) -> float:
        if self.transform == "log":
            return math.exp(v)
        if self.transform == "logit":
            return 1.0 / (1.0 + math.exp(-v))
        return v

    def to_coordinate(self, value: float) -> float:
        if self.transform == "log":
            return math.log(value)
        if self.transform == "logit":
            return math.log(value / (1.0 - value))
        return value

    def derivative(self, value: float) -> float:
        """D value / d coordinate at `value`."""
        if self.transform == "log":
            return value
        if self.transform == "logit":
            return value * (1.0 - value)
        return 1.0


def _accepts(field: str, value: float) -> bool:
    try:
        attrs.evolve(CustomerModel(), **{field: value})
    except ValidationError:
        return False
    return True


def _curve(field: str, start: float) -> _Curve:
    """The transform and bounds of a curve parameter, from what the model accepts."""
    factor = CustomerModel.FACTORS.index(FACTOR_OF[field])
    spec = next(a for a in attrs.fields(CustomerModel) if a.name == field).metadata["stool.spec"]
    if spec.high == 1.0:  # a fraction: open at an end the model refuses
        if _accepts(field, 0.0) and _accepts(field, 1.0):
            return _Curve(field, factor, "identity", 0.0, 1.0)
        return _Curve(field, factor, "logit", -LOGIT_RANGE, LOGIT_RANGE)
    if spec.low_open:  # positive: a log scale around the start
        centre = math.log(start)
        spread = math.log(POSITIVE_RANGE)
        return _Curve(field, factor, "log", centre - spread, centre + spread)
    return _Curve(field, factor, "identity", 0.0, max(NON_NEGATIVE_MAX, 10.0 * start))


# --------------------------------------------------------------------------- the space


@attrs.frozen(kw_only=True)
class Fixed:
    """A requested parameter the data cannot identify, and why."""

    name: str
    reason: str


def _calibration_coordinates(
    calibration: Calibration, slope: bool, cuts: tuple[int, int] | None
) -> list[tuple[float, float, float]]:
    """The calibration's coordinates: (lower bound, upper bound, start) for each."""
    out = []
    if slope:
        centre = math.log(calibration.slope)
        spread = math.log(POSITIVE_RANGE)
        out.append((centre - spread, centre + spread, centre))
    if cuts is not None:
        first, last = cuts
        c = calibration.cutpoints
        out.append((-CUT_RANGE, CUT_RANGE, min(max(c[first], -CUT_RANGE), CUT_RANGE)))
        out.extend(
            (MIN_GAP, MAX_GAP, min(max(c[k + 1] - c[k], MIN_GAP), MAX_GAP))
            for k in range(first, last)
        )
    return out


class Space:
    """The free coordinates of a fit and the map from them to a model.

    Coordinates, in order: the free weights (`u`, see below), the free curve parameters
    (transformed), the slope (log), the lowest identified cut-point and the gaps above it.
    Weights: with `hold` the free weights are `total * u / sum(u)`, keeping their start
    total (only their ratios are identified), with `u` of a reference weight held at 1
    (the promise's if it is free, else the largest at the start), so that no direction
    of the coordinates leaves the weights unchanged; otherwise they are `scale * u`.
    """

    def __init__(
        self,
        start: StoolModel,
        *,
        weights: Sequence[str],
        curves: Sequence[str],
        slope: bool,
        cuts: tuple[int, int] | None,
        hold: bool,
    ) -> None:
        self.start = start
        cm = start.customer
        self.weight_names = tuple(weights)
        self.weight_index = tuple(CustomerModel.FACTORS.index(name) for name in weights)
        start_weights = [getattr(cm, f"{name}_weight") for name in weights]
        self.hold = hold
        largest = max(start_weights, default=0.0)
        self.weight_total = math.fsum(start_weights) if hold else 0.0
        if hold and self.weight_total == 0.0:
            self.weight_total = 1.0
        self.weight_scale = largest if largest > 0.0 else 1.0
        self.reference: int | None = None
        ratios = [value / self.weight_scale for value in start_weights]
        if hold and weights:
            preferred = [
                i for i, name in enumerate(weights) if name in CustomerModel.ALWAYS_OBSERVED
            ]
            self.reference = (
                preferred[0]
                if preferred
                else max(range(len(weights)), key=start_weights.__getitem__)
            )
            base = start_weights[self.reference]
            ratios = (
                [value / base for value in start_weights] if base > 0.0 else [1.0] * len(weights)
            )
        self.weight_coords = tuple(i for i in range(len(weights)) if i != self.reference)
        self.curves = tuple(_curve(name, getattr(cm, name)) for name in curves)
        self.slope_free = slope
        self.cuts = cuts  # the identified cut-points, first and last (0-based), if free
        lower: list[float] = []
        upper: list[float] = []
        x0: list[float] = []
        for i in self.weight_coords:
            floor = ALWAYS_OBSERVED_FLOOR if weights[i] in CustomerModel.ALWAYS_OBSERVED else 0.0
            lower.append(floor)
            upper.append(WEIGHT_MAX)
            x0.append(min(max(ratios[i], floor), WEIGHT_MAX))
        for curve in self.curves:
            lower.append(curve.lower)
            upper.append(curve.upper)
            x0.append(
                min(max(curve.to_coordinate(getattr(cm, curve.field)), curve.lower), curve.upper)
            )
        for low, high, value in _calibration_coordinates(start.calibration, slope, cuts):
            lower.append(low)
            upper.append(high)
            x0.append(value)
        self.lower = np.array(lower)
        self.upper = np.array(upper)
        self.x0 = np.array(x0)
        self.size = len(x0)

    # Positions of each block in the coordinate vector.
    @property
    def _curve_start(self) -> int:
        return len(self.weight_coords)

    @property
    def _slope_at(self) -> int:
        return self._curve_start + len(self.curves)

    @property
    def _cut_at(self) -> int:
        return self._slope_at + int(self.slope_free)

    def _ratios(self, v: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Every free weight's `u`, the reference's 1 included."""
        u = np.ones(len(self.weight_names))
        u[list(self.weight_coords)] = v[: len(self.weight_coords)]
        return u

    def weights(self, v: npt.NDArray[np.float64]) -> list[float]:
        """The free weights at `v`."""
        u = self._ratios(v)
        if self.hold:
            return [float(self.weight_total * x) for x in u / u.sum()]
        return [float(self.weight_scale * x) for x in u]

    def weight_gradient(self, v: npt.NDArray[np.float64], g: npt.NDArray[np.float64]) -> Any:
        """The gradient with respect to the weights' coordinates, given it for every free weight."""
        coords = list(self.weight_coords)
        if self.hold:
            u = self._ratios(v)
            total = float(u.sum())
            w = self.weight_total * u / total
            full = (self.weight_total / total) * (g - float(np.dot(g, w)) / self.weight_total)
            return full[coords]
        return self.weight_scale * g[coords]

    def customer(self, v: npt.NDArray[np.float64]) -> CustomerModel:
        """The customer model at `v`."""
        changes: dict[str, float] = {
            f"{name}_weight": weight
            for name, weight in zip(self.weight_names, self.weights(v), strict=True)
        }
        for position, curve in enumerate(self.curves, start=self._curve_start):
            changes[curve.field] = curve.to_value(float(v[position]))
        return attrs.evolve(self.start.customer, **changes)

    def curve_values(self, v: npt.NDArray[np.float64]) -> list[float]:
        """The free curve parameters' values at `v`."""
        return [
            curve.to_value(float(v[position]))
            for position, curve in enumerate(self.curves, start=self._curve_start)
        ]

    def slope(self, v: npt.NDArray[np.float64]) -> float:
        """The calibration slope at `v`."""
        if self.slope_free:
            return math.exp(float(v[self._slope_at]))
        return self.start.calibration.slope

    def cutpoints(self, v: npt.NDArray[np.float64]) -> tuple[float, float, float, float]:
        """The four cut-points at `v`: the free ones, and the rest at their start gaps."""
        start = self.start.calibration.cutpoints
        if self.cuts is None:
            return start
        first, last = self.cuts
        at = self._cut_at
        cuts = list(start)
        cuts[first] = float(v[at])
        for k in range(first, last):
            cuts[k + 1] = cuts[k] + float(v[at + 1 + k - first])
        for k in range(last + 1, len(cuts)):  # above the identified ones: start gaps
            cuts[k] = cuts[k - 1] + (start[k] - start[k - 1])
        for k in range(first - 1, -1, -1):  # below them: start gaps
            cuts[k] = cuts[k + 1] - (start[k + 1] - start[k])
        return (cuts[0], cuts[1], cuts[2], cuts[3])

    def cut_gradient(self, g_cuts: npt.NDArray[np.float64]) -> list[float]:
        """The gradient with respect to the cut-point coordinates, given it per cut-point."""
        if self.cuts is None:
            return []
        first, last = self.cuts
        out = [float(g_cuts.sum())]  # every cut-point moves with the lowest identified one
        out.extend(float(g_cuts[k + 1 :].sum()) for k in range(first, last))
        return out

    def model(self, v: npt.NDArray[np.float64], *, low: int, base_rate: float) -> StoolModel:
        """The whole model at `v`, with a calibration for `low` answers at `base_rate`."""
        calibration = Calibration(
            cutpoints=self.cutpoints(v), slope=self.slope(v), low=low, base_rate=base_rate
        )
        return attrs.evolve(self.start, customer=self.customer(v), calibration=calibration)

    def at_bound(self, v: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
        """Which coordinates sit on a bound (within a relative 1e-9)."""
        span = np.maximum(np.abs(self.upper - self.lower), 1.0)
        near: npt.NDArray[np.bool_] = (v - self.lower <= 1e-9 * span) | (
            self.upper - v <= 1e-9 * span
        )
        return near


def curve_groups(space: Space) -> list[list[tuple[int, _Curve]]]:
    """Free curve parameters grouped so that no two in a group shape the same factor.

    The three wait scales count as one (each row reads only its channel's), so one
    evaluation of the factors per group differentiates every parameter in it.
    """
    by_factor: dict[int, list[list[tuple[int, _Curve]]]] = {}
    scales: list[tuple[int, _Curve]] = []
    for position, curve in enumerate(space.curves):
        if curve.field in SCALE_FIELDS:
            scales.append((position, curve))
        else:
            by_factor.setdefault(curve.factor, []).append([(position, curve)])
    if scales:
        by_factor.setdefault(scales[0][1].factor, []).insert(0, scales)
    groups: list[list[tuple[int, _Curve]]] = []
    depth = max((len(entries) for entries in by_factor.values()), default=0)
    for level in range(depth):
        group: list[tuple[int, _Curve]] = []
        for entries in by_factor.values():
            if level < len(entries):
                group.extend(entries[level])
        groups.append(group)
    return groups
