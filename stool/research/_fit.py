"""Fit the customer leg and its calibration to observed answers, by maximum likelihood.

[fit][stool.research.fit] reads the table once, decides which of the requested
parameters the data identify ([identify][stool.research._parameters.identify]), and
maximises the likelihood of the answers under the calibration's ordinal model with
scipy's L-BFGS-B inside bounds that keep every documented direction. It then sets the
flag rule (flag where `p_low` is at least `risk_ratio` times the observed base rate of
low answers) and measures the model by cross-validation: each fold is fitted afresh from
the starting model, and its held-out rows give the predictions the metrics are computed
from.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs
import numpy as np

from stool.calibration import ANSWERS
from stool.enums import Leg
from stool.errors import ValidationError
from stool.models import StoolModel
from stool.research._blas import one_blas_thread
from stool.research._curve import CalibrationBin, calibration_curve
from stool.research._data import check_low, read
from stool.research._evaluate import _frame, assess, coverage_of
from stool.research._identification import identify
from stool.research._likelihood import Objective
from stool.research._metrics import Metrics, check_resamples, check_seed
from stool.research._parameters import Fixed, Space, check_names
from stool.research._predictions import predict

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    import numpy.typing as npt

    from stool.research._data import Rows
    from stool.research._drivers import Drivers

__all__ = ["FitResult", "Parameter", "Parameters", "fit"]

MIN_ROWS_PER_FOLD: Final = 10
"""Cross-validation needs at least this many rows per fold."""

TOLERANCE: Final = 1e-3
"""The optimiser stops when an iteration raises the log-likelihood of the whole table by
less than about this much: far below what the answers can tell apart."""

MAX_ITERATIONS: Final = 1000
"""The optimiser gives up (and the result says so) after this many iterations."""

MEMORY: Final = 30
"""The L-BFGS-B memory: corrections kept to approximate the curvature."""

SCALING_ROWS: Final = 4000
"""Rows sampled to estimate each coordinate's curvature, by which the coordinates are
scaled before optimising."""


@attrs.frozen(kw_only=True)
class Parameter:
    """One requested parameter: its start, its fitted value, and whether data identify it."""

    name: str
    """Its dotted name (`customer.effort_weight`, `calibration.cutpoints[0]`)."""
    start: float
    """Its value in the starting model."""
    fitted: float
    """Its value in the fitted model (the start, if not identified)."""
    identified: bool
    """Whether the data identify it (otherwise it was left at its start)."""
    reason: str = ""
    """Why it was not identified; empty if it was."""
    at_bound: bool = False
    """Whether the fit left it on one of its bounds (a weight of 0, a gap between
    cut-points at its least): the data push it further than the model allows."""


@attrs.frozen(kw_only=True)
class Parameters:
    """The requested parameters, start against fitted; index by name."""

    items: tuple[Parameter, ...]
    """One per requested parameter (four for `calibration.cutpoints`)."""

    def __getitem__(self, name: str) -> Parameter:
        for parameter in self.items:
            if parameter.name == name:
                return parameter
        raise KeyError(name)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def unidentified(self) -> tuple[Parameter, ...]:
        """The parameters left at their start, each with its reason."""
        return tuple(p for p in self.items if not p.identified)

    def to_frame(self) -> Any:
        """Return the table as a pandas DataFrame, one row per parameter."""
        import pandas as pd  # noqa: PLC0415 - pandas is an optional extra

        fields = [a.name for a in attrs.fields(Parameter) if a.name != "name"]
        return pd.DataFrame(
            {name: [getattr(p, name) for p in self.items] for name in fields},
            index=pd.Index([p.name for p in self.items], name="parameter"),
        )


@attrs.frozen(kw_only=True, eq=False)
class FitResult:
    """A fitted model and how well it predicts, cross-validated.

    `model` is an ordinary [StoolModel][stool.models.StoolModel]: `score`,
    `score_batch`, `explain` and [save_model][stool.modelfile.save_model] work on it
    unchanged. Its calibration was fitted with the customer leg; its
    `calibration.base_rate` is the observed share of low answers, and its
    `thresholds.customer_at_risk` flags a contact where `p_low` is at least
    `risk_ratio` times that base rate.
    """

    model: StoolModel
    """The fitted model."""
    start: StoolModel
    """The model the fit started from."""
    params: Parameters
    """Every requested parameter: start, fitted, identified or not and why."""
    metrics: Metrics
    """Cross-validated metrics (out-of-fold predictions), each with a bootstrap 95 %
    interval and its chance level; in-sample when `cv` is None."""
    drivers: Drivers
    """The key-driver table of the fitted customer leg on the data."""
    coverage: Mapping[str, float]
    """The share of rows observing each customer factor."""
    calibration_curve: tuple[CalibrationBin, ...]
    """Out-of-fold predicted against observed CSAT, bin by bin."""
    notes: tuple[str, ...]
    """What the reader should know: weights held to their total, a flag rule no leg
    reaches, an optimiser that did not converge."""
    rows: int
    """How many rows were fitted."""
    target: str
    """The column of answers."""
    low: int
    """Answers at or below this counted as low."""
    cv: int | None
    """The number of cross-validation folds, or None."""
    seed: int
    """The seed of the folds, the curvature sample and the bootstrap."""
    risk_ratio: float
    """The flag rule's multiple of the base rate."""
    log_likelihood: float
    """The log-likelihood of all the answers under the fitted model."""
    start_log_likelihood: float
    """The log-likelihood of all the answers under the starting model's leg and cut-points."""
    converged: bool
    """Whether the optimiser met its tolerance on the whole table (and on every fold)."""
    iterations: int
    """Optimiser iterations on the whole table."""

    def to_frame(
        self, part: Literal["metrics", "drivers", "coverage", "calibration", "params"] = "metrics"
    ) -> Any:
        """Return one part of the result as a pandas DataFrame.

        Args:
            part: `"metrics"` (the default), `"drivers"`, `"coverage"`,
                `"calibration"` (the calibration curve's bins) or `"params"` (start
                against fitted).

        Returns:
            The table.
        """
        return _frame(self, part, "FitResult.to_frame.part")

    def params_frame(self) -> Any:
        """The parameters table as a pandas DataFrame (also `to_frame("params")`)."""
        return self.params.to_frame()

    def plot(self) -> Any:
        """Draw the calibration curve and the drivers (matplotlib); return the figure."""
        from stool.research._render import plot_result  # noqa: PLC0415

        return plot_result(self)

    def _repr_html_(self) -> str:
        from stool.research._render import result_html  # noqa: PLC0415

        return result_html(self, title="FitResult")

    def __str__(self) -> str:
        from stool.research._render import result_text  # noqa: PLC0415

        return result_text(self, title="FitResult")


# ------------------------------------------------------------------------------ checks


def _check_args(model: Any, cv: Any, risk_ratio: Any) -> tuple[StoolModel, int | None, float]:
    if model is None:
        model = StoolModel()
    elif not isinstance(model, StoolModel):
        raise ValidationError(
            "fit.model", model, "a StoolModel to start from, or None for the default"
        )
    if cv is not None and (type(cv) is not int or cv < 2):
        raise ValidationError(
            "fit.cv", cv, "a whole number of folds >= 2, or None for no cross-validation"
        )
    if type(risk_ratio) not in (int, float) or not (0.0 < risk_ratio < math.inf):
        raise ValidationError("fit.risk_ratio", risk_ratio, "a finite number > 0")
    return model, cv, float(risk_ratio)


def _check_answers(answers: npt.NDArray[Any], *, low: int, cv: int | None, target: str) -> None:
    n = len(answers)
    counts = np.bincount(answers, minlength=len(ANSWERS) + 1)[1:]
    if np.count_nonzero(counts) < 2:
        raise ValidationError(
            target, n, "answers of at least two different values: one value fits nothing"
        )
    lows = int(counts[:low].sum())
    if lows == 0:
        raise ValidationError(
            target,
            0,
            f"at least one answer at or below low={low}: the flag rule compares with the "
            "base rate of low answers",
        )
    if lows == n:
        raise ValidationError(
            target,
            n,
            f"at least one answer above low={low}: every answer is low, so nothing can be "
            "told apart",
        )
    if cv is not None:
        if n < MIN_ROWS_PER_FOLD * cv:
            raise ValidationError(
                "fit.cv",
                cv,
                f"at most {n // MIN_ROWS_PER_FOLD} folds for {n} rows (at least "
                f"{MIN_ROWS_PER_FOLD} rows per fold), or None for no cross-validation",
            )
        if min(lows, n - lows) < cv:
            raise ValidationError(
                "fit.cv",
                cv,
                f"at most {min(lows, n - lows)} folds: every fold needs a low answer and "
                f"another answer (there are {lows} low answers of {n}), or None",
            )
    elif n < MIN_ROWS_PER_FOLD:
        raise ValidationError("fit.data", n, f"a table of at least {MIN_ROWS_PER_FOLD} rows")


# ---------------------------------------------------------------------------- optimising


class _Optimum:
    __slots__ = ("converged", "iterations", "message", "v")

    def __init__(
        self, v: npt.NDArray[np.float64], *, converged: bool, iterations: int, message: str
    ) -> None:
        self.v = v
        self.converged = converged
        self.iterations = iterations
        self.message = message


def _scaling(rows: Rows, space: Space, seed: int) -> npt.NDArray[np.float64]:
    """Each coordinate's scale: the root of its curvature on a sample of rows, at the start.

    L-BFGS-B works best when a unit step means as much in every coordinate; the
    curvature comes from differences of the gradient on a sample of rows.
    """
    if rows.n > SCALING_ROWS:
        index = np.sort(np.random.default_rng(seed).choice(rows.n, SCALING_ROWS, replace=False))
        rows = rows.take(index)
    objective = Objective(rows, space)
    v = space.x0
    _, gradient = objective(v)
    curvature = np.empty(space.size)
    for i in range(space.size):
        step = 1e-4 * max(1.0, abs(v[i]))
        if v[i] + step > space.upper[i]:
            step = -step
        moved = v.copy()
        moved[i] += step
        curvature[i] = abs((objective(moved)[1][i] - gradient[i]) / step)
    largest = float(curvature.max()) if space.size else 1.0
    return np.sqrt(np.maximum(curvature, max(largest, 1e-12) * 1e-6))


def _optimise(rows: Rows, space: Space, scale: npt.NDArray[np.float64]) -> _Optimum:
    """Maximise the likelihood in two stages: the curves held first, then everything.

    The first stage fits the weights and the calibration with every curve at its
    start, which is quick (no curve to differentiate) and brings the cut-points and
    slope to the answers' scale before any curve moves; a curve moved while the
    calibration is still far off can run into a worse local optimum.
    """
    if not space.size:
        return _Optimum(space.x0, converged=True, iterations=0, message="nothing to fit")
    v = space.x0
    iterations = 0
    curves = slice(len(space.weight_coords), len(space.weight_coords) + len(space.curves))
    if space.curves and space.size > len(space.curves):
        lower = space.lower.copy()
        upper = space.upper.copy()
        lower[curves] = upper[curves] = v[curves]
        held = _minimise(Objective(rows, space, curves=False), v, lower, upper, scale, rows.n)
        v, iterations = held.v, held.iterations
    whole = _minimise(Objective(rows, space), v, space.lower, space.upper, scale, rows.n)
    whole.iterations += iterations
    return whole


def _minimise(  # noqa: PLR0917 - a private step of _optimise
    objective: Objective,
    v: npt.NDArray[np.float64],
    lower: npt.NDArray[np.float64],
    upper: npt.NDArray[np.float64],
    scale: npt.NDArray[np.float64],
    rows: int,
) -> _Optimum:
    from scipy.optimize import minimize  # noqa: PLC0415 - scipy is an optional extra

    def scaled(z: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
        value, gradient = objective(z / scale)
        return value, gradient / scale

    result = minimize(
        scaled,
        v * scale,
        jac=True,
        method="L-BFGS-B",
        bounds=list(zip(lower * scale, upper * scale, strict=True)),
        options={"maxcor": MEMORY, "maxiter": MAX_ITERATIONS, "ftol": TOLERANCE / rows},
    )
    return _Optimum(
        np.clip(result.x / scale, lower, upper),
        converged=bool(result.success),
        iterations=int(result.nit),
        message=str(result.message),
    )


def _log_likelihood(rows: Rows, space: Space, v: npt.NDArray[np.float64]) -> float:
    value, _ = Objective(rows, space)(v)
    return -value * rows.n


# ------------------------------------------------------------------------ the flag rule


def _flagging(model: StoolModel, risk_ratio: float) -> tuple[StoolModel, str | None]:
    """Set the customer at-risk level by the flag rule; say so if no level meets it."""
    calibration = model.calibration
    thresholds = model.thresholds
    note = None
    target = risk_ratio * calibration.base_rate
    try:
        level = calibration.at_risk_level(risk_ratio)
    except ValidationError:
        if target >= calibration.p_low(0.0):
            level = math.ulp(0.0)
            note = (
                f"No customer leg from 0 to 1 reaches a probability of a low answer of "
                f"{target:.3g} ({risk_ratio:g} times the base rate {calibration.base_rate:.3g}): "
                "the fitted model flags no contact (its customer at-risk level is the "
                "smallest positive number)."
            )
        else:
            level = 1.0
            note = (
                f"Every customer leg from 0 to 1 has a probability of a low answer of at "
                f"least {target:.3g} ({risk_ratio:g} times the base rate): the fitted model "
                "flags every contact below a perfect leg."
            )
    collapse = thresholds.collapse_level(Leg.CUSTOMER)
    changes: dict[str, float] = {"customer_at_risk": level}
    if collapse >= level:
        # Keep the collapse level's proportion to the at-risk level.
        proportion = collapse / thresholds.at_risk_level(Leg.CUSTOMER)
        changes["customer_collapse"] = level * proportion
        moved = (
            f"The customer collapse level moved from {collapse:.3g} to "
            f"{changes['customer_collapse']:.3g}, below the fitted at-risk level {level:.3g}, "
            "keeping its proportion to the at-risk level."
        )
        note = moved if note is None else f"{note} {moved}"
    return attrs.evolve(model, thresholds=attrs.evolve(thresholds, **changes)), note


def _fitted_model(
    space: Space, v: npt.NDArray[np.float64], answers: npt.NDArray[Any], low: int, risk_ratio: float
) -> tuple[StoolModel, str | None]:
    base_rate = float((answers <= low).mean())
    return _flagging(space.model(v, low=low, base_rate=base_rate), risk_ratio)


# -------------------------------------------------------------------------------- folds


def folds(answers: npt.NDArray[Any], cv: int, seed: int) -> npt.NDArray[np.intp]:
    """Each row's fold, from 0 to `cv - 1`: stratified by answer, shuffled with `seed`.

    Each answer's rows are shuffled and dealt to the folds in turn, continuing from
    where the previous answer's stopped, so every fold has about the same size and the
    same mix of answers.
    """
    rng = np.random.default_rng(seed)
    fold = np.empty(len(answers), dtype=np.intp)
    offset = 0
    for answer in ANSWERS:
        where = np.flatnonzero(answers == answer)
        rng.shuffle(where)
        fold[where] = (offset + np.arange(len(where))) % cv
        offset += len(where)
    return fold


# ---------------------------------------------------------------------------------- fit


@one_blas_thread
def fit(
    data: Any,
    *,
    target: str = "csat",
    model: StoolModel | None = None,
    params: Any = None,
    low: int = 2,
    cv: int | None = 5,
    seed: int = 0,
    risk_ratio: float = 2.0,
    n_boot: int = 1000,
    absent: Literal["unknown", "default"] = "unknown",
    extra_columns: Literal["error", "ignore"] = "error",
) -> FitResult:
    """Fit the customer leg and its calibration to a table's survey answers.

    Maximises the likelihood of the observed answers (1 to 5) under the calibration's
    ordinal model of the customer leg ([Calibration][stool.calibration.Calibration]),
    moving the parameters named in `params`: by default every weight and curve
    parameter of the customer leg, the four cut-points and the slope. Parameters the
    data cannot identify (a factor never observed, an input that never varies) stay at
    their start, and the result says which and why. The bounds keep every documented
    direction: weights at or above 0, effort never raising satisfaction, scales above 0,
    fractions from 0 to 1, cut-points strictly increasing.

    The fitted model flags the customer leg where its probability of a low answer is at
    least `risk_ratio` times the observed base rate of low answers
    ([Calibration.at_risk_level][stool.calibration.Calibration.at_risk_level]).
    With `cv` folds (stratified by answer, seeded), each fold is fitted afresh from the
    starting model and predicts its held-out rows; the metrics and the calibration
    curve come from those out-of-fold predictions.

    Args:
        data: A pandas DataFrame, pyarrow Table or mapping of column name to array, with
            [Interaction][stool.Interaction] fields as columns (read as
            [score_batch][stool.batch.score_batch] reads them) and the answers.
        target: The column of answers: whole numbers from 1 to 5, one in every row.
        model: The model to start from (its company and agent legs, thresholds and any
            parameter not fitted are kept); None for the default.
        params: Dotted names of the parameters to fit (see
            [PARAMETERS][stool.research.PARAMETERS]); None for all of them.
        low: Answers at or below this count as low (2: a 1 or a 2).
        cv: Cross-validation folds (at least 2), or None for in-sample metrics only.
        seed: Seeds the folds, the curvature sample and the bootstrap.
        risk_ratio: The flag rule's multiple of the base rate of low answers.
        n_boot: Bootstrap resamples for the 95 % intervals (0: none).
        absent: As in score_batch: a missing column of an unknowable field is not
            observed (`"unknown"`) or takes its default (`"default"`).
        extra_columns: As in score_batch; the target column is always let through.

    Returns:
        The [FitResult][stool.research.FitResult].

    Raises:
        ValidationError: If an argument, a column or an answer is bad: answers outside
            1 to 5, not whole or missing; answers all alike, none low or all low; an
            unknown parameter name (with the name meant); `cv` below 2 or above what
            the rows allow (10 rows and one low and one other answer per fold).

    Example:
        >>> import numpy as np
        >>> from stool.research import fit
        >>> rng = np.random.default_rng(0)
        >>> wait = rng.exponential(3600.0, 600)
        >>> answers = np.where(rng.random(600) < wait / 20_000.0, 2, 5)  # no 1s
        >>> result = fit(
        ...     {"wait_time_s": wait, "csat": answers},
        ...     params=["customer.call_wait_scale_s", "calibration.cutpoints"],
        ...     n_boot=200,
        ... )
        >>> result.metrics["auc"].value > 0.6
        True
        >>> print(result.params["calibration.cutpoints[0]"].reason)
        no answer is at or below 1: the cut-point keeps its start gap
    """
    start, cv, risk_ratio = _check_args(model, cv, risk_ratio)
    names = check_names(params, "fit.params")
    low = check_low(low, "fit.low")
    seed = check_seed(seed, "fit.seed")
    n_boot = check_resamples(n_boot, "fit.n_boot")
    rows = read(
        data, model=start, target=target, owner="fit", absent=absent, extra_columns=extra_columns
    )
    answers = rows.answers
    assert answers is not None  # noqa: S101 - read with require_target
    _check_answers(answers, low=low, cv=cv, target=target)
    space, fixed, notes = identify(rows, start, names)
    scale = _scaling(rows, space, seed)
    whole = _optimise(rows, space, scale)
    fitted, flag_note = _fitted_model(space, whole.v, answers, low, risk_ratio)
    if flag_note:
        notes.append(flag_note)
    converged = whole.converged
    if not whole.converged:
        notes.append(f"The optimiser stopped before converging on the whole table: {whole.message}")
    if cv is None:
        predictions = predict(rows, fitted, low=low)
    else:
        predictions, folds_converged = _cross_validate(
            rows, space, scale, cv=cv, seed=seed, low=low, risk_ratio=risk_ratio
        )
        if not folds_converged:
            converged = False
            notes.append("The optimiser stopped before converging on at least one fold.")
    coverage = coverage_of(rows)
    in_sample = predict(rows, fitted, low=low, terms=True)
    metrics, drivers = assess(
        answers,
        predictions,
        in_sample,
        fitted,
        coverage,
        low=low,
        n_boot=n_boot,
        seed=seed,
        cross_validated=cv is not None,
    )
    start_space = space.x0
    return FitResult(
        model=fitted,
        start=start,
        params=_parameters(space, whole.v, fixed, names),
        metrics=metrics,
        drivers=drivers,
        coverage=coverage,
        calibration_curve=calibration_curve(answers, predictions, low=low),
        notes=tuple(notes),
        rows=rows.n,
        target=target,
        low=low,
        cv=cv,
        seed=seed,
        risk_ratio=risk_ratio,
        log_likelihood=_log_likelihood(rows, space, whole.v),
        start_log_likelihood=_log_likelihood(rows, space, start_space),
        converged=converged,
        iterations=whole.iterations,
    )


def _cross_validate(
    rows: Rows,
    space: Space,
    scale: npt.NDArray[np.float64],
    *,
    cv: int,
    seed: int,
    low: int,
    risk_ratio: float,
) -> tuple[Any, bool]:
    """Fit each fold from the start; return the out-of-fold predictions."""
    from stool.research._predictions import Predictions  # noqa: PLC0415

    answers = rows.answers
    assert answers is not None  # noqa: S101 - a fit always has answers
    fold = folds(answers, cv, seed)
    n = rows.n
    customer = np.empty(n)
    predicted = np.empty(n)
    p_low = np.empty(n)
    flagged = np.empty(n, dtype=bool)
    converged = True
    for k in range(cv):
        train = np.flatnonzero(fold != k)
        test = np.flatnonzero(fold == k)
        optimum = _optimise(rows.take(train), space, scale)
        converged = converged and optimum.converged
        model, _ = _fitted_model(space, optimum.v, answers[train], low, risk_ratio)
        held_out = predict(rows.take(test), model, low=low)
        customer[test] = held_out.customer
        predicted[test] = held_out.predicted
        p_low[test] = held_out.p_low
        flagged[test] = held_out.flagged
    return Predictions(customer, predicted, p_low, flagged, None), converged


def _parameters(
    space: Space, v: npt.NDArray[np.float64], fixed: list[Fixed], names: tuple[str, ...]
) -> Parameters:
    """The table of requested parameters, start against fitted, in PARAMETERS order."""
    start = space.start
    reasons = {f.name: f.reason for f in fixed}
    bound = space.at_bound(v)
    fitted_customer = space.customer(v)
    at: dict[str, bool] = {}
    for position, index in enumerate(space.weight_coords):
        at[f"customer.{space.weight_names[index]}_weight"] = bool(bound[position])
    offset = len(space.weight_coords)
    for position, curve in enumerate(space.curves, start=offset):
        at[f"customer.{curve.field}"] = bool(bound[position])
    offset += len(space.curves)
    if space.slope_free:
        at["calibration.slope"] = bool(bound[offset])
        offset += 1
    if space.cuts is not None:
        first, last = space.cuts
        at[f"calibration.cutpoints[{first}]"] = bool(bound[offset])
        for k in range(first, last):
            at[f"calibration.cutpoints[{k + 1}]"] = bool(bound[offset + 1 + k - first])
    cuts = space.cutpoints(v)
    items = []
    for name in names:
        if name == "calibration.cutpoints":
            for k in range(len(cuts)):
                key = f"{name}[{k}]"
                items.append(
                    Parameter(
                        name=key,
                        start=start.calibration.cutpoints[k],
                        fitted=cuts[k],
                        identified=key not in reasons,
                        reason=reasons.get(key, ""),
                        at_bound=at.get(key, False),
                    )
                )
            continue
        part, field = name.split(".")
        begin = getattr(getattr(start, part), field)
        end = space.slope(v) if part == "calibration" else getattr(fitted_customer, field)
        items.append(
            Parameter(
                name=name,
                start=begin,
                fitted=end,
                identified=name not in reasons,
                reason=reasons.get(name, ""),
                at_bound=at.get(name, False),
            )
        )
    return Parameters(items=tuple(items))
