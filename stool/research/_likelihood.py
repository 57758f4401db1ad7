"""The likelihood of the observed answers under the calibration's ordinal model, and its gradient.

For a row with customer leg `C` and answer `y`, the calibration gives
`P(y) = F(c[y] - b C) - F(c[y-1] - b C)`, with `F` the logistic curve, `c[0] = -inf`
and `c[5] = +inf`. Written as `log F(u) + log F(-l) + log(1 - exp(-(c[y] - c[y-1])))`
with `u = c[y] - b C` and `l = c[y-1] - b C`, every term is finite and the last one
depends on the cut-points alone.

[Objective][stool.research._likelihood.Objective] returns the mean negative
log-likelihood and its gradient in the coordinates of a
[Space][stool.research._parameters.Space]. The leg is computed by the very formula
functions [score_batch][stool.batch.score_batch] runs (`customer_factors`,
`customer_leg`); the gradient is exact for the weights, the slope and the cut-points,
and a forward difference of the one factor each curve parameter shapes for the curves
(parameters that shape different factors share one evaluation of the factors).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from stool import _formula
from stool.calibration import ANSWERS
from stool.models import CustomerModel
from stool.research._data import SCALE_FIELDS
from stool.research._parameters import curve_groups

if TYPE_CHECKING:
    import numpy.typing as npt

    from stool.research._data import Rows
    from stool.research._parameters import Space

__all__ = ["STEP", "Objective"]

STEP: Final = 1e-7
"""The forward-difference step of a curve parameter's coordinate (relative above 1)."""

_XP: Final = _formula.array_math()

# The function computing each shaped factor alone, by its index in CustomerModel.FACTORS.
_SHAPED: Final = {
    CustomerModel.FACTORS.index(name): function
    for name, function in _formula.SHAPED_FACTORS.items()
}


class _Totals:
    """The log-likelihood and gradient sums over the chunks of one evaluation."""

    __slots__ = ("curves", "cuts", "loglik", "slope", "weights")

    def __init__(self, weights: int, curves: int, cuts: int) -> None:
        self.loglik = 0.0
        self.weights = np.zeros(weights)
        self.curves = np.zeros(curves)
        self.slope = 0.0
        self.cuts = np.zeros(cuts)


class _State:
    """What every chunk of one evaluation reads: the model, the calibration, the steps."""

    __slots__ = ("lower", "model", "slope", "steps", "upper")

    def __init__(
        self,
        *,
        model: CustomerModel,
        slope: float,
        upper: npt.NDArray[np.float64],
        lower: npt.NDArray[np.float64],
        steps: list[tuple[CustomerModel, list[tuple[int, Any, float]]]],
    ) -> None:
        self.model = model
        self.slope = slope
        self.upper = upper
        self.lower = lower
        self.steps = steps


class Objective:
    """The mean negative log-likelihood of some rows' answers, as a function of coordinates."""

    def __init__(self, rows: Rows, space: Space, *, curves: bool = True) -> None:
        answers = rows.answers
        if answers is None:  # pragma: no cover - a fit always reads answers
            msg = "an objective needs answers"
            raise ValueError(msg)
        self.rows = rows
        self.space = space
        # Without `curves`, the curve parameters are held and their gradient left at 0.
        self.groups = curve_groups(space) if curves else []
        counts = np.bincount(answers, minlength=len(ANSWERS) + 1)[1:]
        self.counts = counts.astype(np.float64)
        self.evaluations = 0
        self.needed = sorted(
            set(space.weight_index) | {curve.factor for group in self.groups for _, curve in group}
        )

    def __call__(self, v: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
        """Return the mean negative log-likelihood at `v` and its gradient."""
        self.evaluations += 1
        space = self.space
        cm = space.customer(v)
        slope = space.slope(v)
        cuts = np.array(space.cutpoints(v))
        total = _Totals(len(space.weight_index), len(space.curves), len(cuts))
        state = _State(
            model=cm,
            slope=slope,
            upper=np.append(cuts, np.inf),  # c[y] for answers 1 to 5
            lower=np.insert(cuts, 0, -np.inf),  # c[y - 1]
            steps=self._steps(v, cm),
        )
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            for chunk in self.rows.chunks():
                self._chunk(chunk, state, total)
        gaps = np.diff(cuts)
        middle = self.counts[1:-1]  # answers 2, 3 and 4 lie between two cut-points
        loglik = total.loglik + float(np.dot(middle, np.log(-np.expm1(-gaps))))
        pull = middle / np.expm1(gaps)
        total.cuts[1:] += pull
        total.cuts[:-1] -= pull
        gradient = np.concatenate(
            [
                space.weight_gradient(v, total.weights),
                total.curves,
                [total.slope * slope] if space.slope_free else [],
                space.cut_gradient(total.cuts),
            ]
        )
        n = self.rows.n
        return -loglik / n, -gradient / n

    def _chunk(self, chunk: Rows, state: _State, total: _Totals) -> None:
        """Add one chunk's log-likelihood and gradient to `total`."""
        cm = state.model
        normalised = cm._normalised  # noqa: SLF001 - the model's own normalised weights
        factors = _formula.customer_factors(_XP, cm, chunk.with_scales(cm))
        leg = _formula.customer_leg(_XP, normalised, factors, chunk.known)
        value = leg.value
        index = chunk.answers.astype(np.intp) - 1  # type: ignore[union-attr]
        eta = state.slope * value
        u = state.upper[index] - eta
        low = state.lower[index] - eta
        total.loglik -= float(np.logaddexp(0.0, -u).sum() + np.logaddexp(0.0, low).sum())
        f_not_u = _formula.logistic(_XP, -u)  # F(-u)
        f_low = _formula.logistic(_XP, low)  # F(l)
        d_eta = f_low - f_not_u
        total.slope += _dot(d_eta, value)
        by_answer_u = np.bincount(index, weights=f_not_u, minlength=len(ANSWERS))
        by_answer_l = np.bincount(index, weights=f_low, minlength=len(ANSWERS))
        total.cuts += by_answer_u[:-1] - by_answer_l[1:]
        g_leg = state.slope * d_eta  # d loglik / d leg, per row
        # The leg is the mean of the factors that count in it: the observed ones, and the
        # unobserved ones held at their best case because it is below the leg
        # (`shared_mean`). With m_j = 1 for those and D = sum(nu_i * m_i):
        # d leg / d s_j = nu_j * m_j / D and d leg / d w_j = m_j * (s_j - leg) / (W * D).
        known = chunk.known
        free = self.space.weight_index
        per_factor = {}
        if known is None:
            for j in self.needed:
                per_factor[j] = g_leg
        else:
            counts = [
                flag + (1.0 - flag) * (factor < value)
                for flag, factor in zip(known, factors, strict=True)
            ]
            denominator: Any = 0.0
            for share, count in zip(normalised, counts, strict=True):
                denominator = denominator + share * count
            on_leg = g_leg / denominator
            for j in self.needed:
                per_factor[j] = on_leg * counts[j]
        if free:
            raw_total = math.fsum(cm.weights.values())
            for position, j in enumerate(free):
                change = _dot(per_factor[j], factors[j]) - _dot(per_factor[j], value)
                total.weights[position] += change / raw_total
        for model, curves in state.steps:
            self._curve_gradient(
                chunk=chunk,
                model=model,
                curves=curves,
                factors=factors,
                normalised=normalised,
                per_factor=per_factor,
                g_curves=total.curves,
            )

    def _steps(
        self, v: npt.NDArray[np.float64], cm: CustomerModel
    ) -> list[tuple[CustomerModel, list[tuple[int, Any, float]]]]:
        """For each group of curve parameters, the model with each moved by its step."""
        space = self.space
        out = []
        start = len(space.weight_coords)
        for group in self.groups:
            # The wait scales share one step: each row's change is divided by it.
            scales = [start + p for p, curve in group if curve.field in SCALE_FIELDS]
            shared = STEP * max([1.0, *(abs(float(v[i])) for i in scales)])
            if any(float(v[i]) + shared > space.upper[i] for i in scales):
                shared = -shared
            changes: dict[str, float] = {}
            moved: list[tuple[int, Any, float]] = []
            for position, curve in group:
                coordinate = float(v[start + position])
                if curve.field in SCALE_FIELDS:
                    step = shared
                else:
                    step = STEP * max(1.0, abs(coordinate))
                    if coordinate + step > space.upper[start + position]:
                        step = -step
                changes[curve.field] = curve.to_value(coordinate + step)
                moved.append((position, curve, step))
            out.append((_evolve(cm, changes), moved))
        return out

    def _curve_gradient(
        self,
        *,
        chunk: Rows,
        model: CustomerModel,
        curves: list[tuple[int, Any, float]],
        factors: tuple[Any, ...],
        normalised: tuple[float, ...],
        per_factor: dict[int, Any],
        g_curves: npt.NDArray[np.float64],
    ) -> None:
        """Add the forward-difference gradient of one group of curve parameters."""
        x = chunk.with_scales(model)
        moved = {j: _SHAPED[j](_XP, model, x) for j in {curve.factor for _, curve, _ in curves}}
        scales_done = False
        for position, curve, step in curves:
            j = curve.factor
            change = moved[j] - factors[j]
            if curve.field not in SCALE_FIELDS:
                g_curves[position] += _dot(per_factor[j], change) * (normalised[j] / step)
            elif not scales_done:  # one pass gives every scale: each row reads one
                scales_done = True
                sums = _by_scale(per_factor[j] * change, chunk.scale_index, chunk.n)
                for other, scale_curve, _ in curves:
                    if scale_curve.field in SCALE_FIELDS:
                        field = SCALE_FIELDS.index(scale_curve.field)
                        g_curves[other] += sums[field] * (normalised[j] / step)


def _evolve(cm: CustomerModel, changes: dict[str, float]) -> CustomerModel:
    import attrs  # noqa: PLC0415 - attrs is loaded already; kept next to its one use

    return attrs.evolve(cm, **changes)


def _dot(a: Any, b: Any) -> float:
    """The sum of `a * b` over the rows, for arrays or values shared by every row.

    Written with `einsum`, not `np.dot`: BLAS may start threads for a long dot product,
    which costs far more than the sum on a busy machine.
    """
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.ndim == b.ndim == 1:
        return float(np.einsum("i,i->", a, b))
    return float(np.sum(a * b))


def _by_scale(values: Any, scale_index: Any, n: int) -> npt.NDArray[np.float64]:
    """Sums of `values` over the rows reading each wait scale."""
    values = np.broadcast_to(np.asarray(values, dtype=np.float64), (n,))
    if isinstance(scale_index, np.ndarray):
        sums: npt.NDArray[np.float64] = np.bincount(
            scale_index, weights=values, minlength=len(SCALE_FIELDS)
        ).astype(np.float64)
        return sums
    sums = np.zeros(len(SCALE_FIELDS))
    sums[int(scale_index)] = values.sum()
    return sums
