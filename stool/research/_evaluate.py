"""Evaluate any model on a table with survey answers, and compare two models on one table.

[evaluate][stool.research.evaluate] scores the customer leg of every row with the model
as it is (the default model or a fitted one) and measures its predictions against the
answers; [compare][stool.research.compare] does so for two models on the same bootstrap
resamples, so the intervals of their differences are paired.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np

from stool.errors import ValidationError
from stool.models import CustomerModel, StoolModel
from stool.research._blas import one_blas_thread
from stool.research._curve import CalibrationBin, calibration_curve, curve_frame
from stool.research._data import check_low, read
from stool.research._drivers import Drivers, DriverScorer, drivers_from
from stool.research._metrics import (
    METRIC_NAMES,
    Metrics,
    Scorer,
    bootstrap,
    check_resamples,
    check_seed,
    describe,
    metrics_from,
    reasons_for,
)
from stool.research._predictions import Predictions, predict

if TYPE_CHECKING:
    from collections.abc import Mapping

    import numpy.typing as npt

    from stool.research._data import Rows

__all__ = ["Comparison", "Evaluation", "assess", "compare", "coverage_of", "evaluate"]

N_BOOT = 1000
"""Bootstrap resamples for the intervals, by default."""


@attrs.frozen(kw_only=True, eq=False)
class Evaluation:
    """How one model's predictions meet the answers of one table.

    `metrics` are computed on the model as given (in-sample for a model fitted to the
    same rows; see [fit][stool.research.fit] for cross-validated ones).
    """

    model: StoolModel
    """The model evaluated."""
    metrics: Metrics
    """Every metric, with its bootstrap 95 % interval and chance level."""
    drivers: Drivers
    """The key-driver table of the customer leg on these rows."""
    coverage: Mapping[str, float]
    """The share of rows observing each customer factor."""
    calibration_curve: tuple[CalibrationBin, ...]
    """Predicted against observed, bin by bin of the predicted CSAT."""
    rows: int
    """How many rows were evaluated."""
    target: str
    """The column of answers."""
    low: int
    """Answers at or below this counted as low."""

    def to_frame(
        self, part: Literal["metrics", "drivers", "coverage", "calibration"] = "metrics"
    ) -> Any:
        """Return one part of the evaluation as a pandas DataFrame.

        Args:
            part: `"metrics"` (the default), `"drivers"`, `"coverage"` or
                `"calibration"` (the calibration curve's bins).

        Returns:
            The table.
        """
        return _frame(self, part, "Evaluation.to_frame.part")

    def plot(self) -> Any:
        """Draw the calibration curve and the drivers (matplotlib); return the figure."""
        from stool.research._render import plot_result  # noqa: PLC0415

        return plot_result(self)

    def _repr_html_(self) -> str:
        from stool.research._render import result_html  # noqa: PLC0415

        return result_html(self, title="Evaluation")

    def __str__(self) -> str:
        from stool.research._render import result_text  # noqa: PLC0415

        return result_text(self, title="Evaluation")


@attrs.frozen(kw_only=True, eq=False)
class Comparison:
    """Two models on the same table: each one's evaluation, and `b` minus `a`.

    `differences` holds, for every metric, `b`'s value minus `a`'s with a *paired*
    bootstrap interval (both models scored on the same resamples): an interval that
    excludes 0 says the models differ on these data beyond resampling noise.
    """

    a: Evaluation
    """The first model's evaluation."""
    b: Evaluation
    """The second model's evaluation."""
    differences: Metrics
    """`b` minus `a`, metric by metric; the chance level of a difference is 0."""

    def to_frame(self) -> Any:
        """Return `a`, `b` and the difference with its interval, one row per metric."""
        import pandas as pd  # noqa: PLC0415 - pandas is an optional extra

        a = self.a.metrics.to_frame()
        b = self.b.metrics.to_frame()
        d = self.differences.to_frame()
        return pd.DataFrame(
            {
                "a": a["value"],
                "b": b["value"],
                "difference": d["value"],
                "low": d["low"],
                "high": d["high"],
            }
        )

    def _repr_html_(self) -> str:
        from stool.research._render import comparison_html  # noqa: PLC0415

        return comparison_html(self)

    def __str__(self) -> str:
        from stool.research._render import comparison_text  # noqa: PLC0415

        return comparison_text(self)


def _frame(result: Any, part: Any, field: str) -> Any:
    import pandas as pd  # noqa: PLC0415 - pandas is an optional extra

    if part == "metrics":
        return result.metrics.to_frame()
    if part == "drivers":
        return result.drivers.to_frame()
    if part == "coverage":
        return pd.Series(dict(result.coverage), name="coverage").rename_axis("factor").to_frame()
    if part == "calibration":
        return curve_frame(result.calibration_curve)
    if part == "params" and hasattr(result, "params"):
        return result.params_frame()
    allowed = "'metrics', 'drivers', 'coverage' or 'calibration'"
    if hasattr(result, "params"):
        allowed = "'metrics', 'drivers', 'coverage', 'calibration' or 'params'"
    raise ValidationError(field, part, allowed)


def coverage_of(rows: Rows) -> dict[str, float]:
    """The share of rows observing each customer factor."""
    factors = CustomerModel.FACTORS
    if rows.known is None:
        return dict.fromkeys(factors, 1.0)
    out = {}
    for factor, flag in zip(factors, rows.known, strict=True):
        value = np.asarray(flag, dtype=np.float64)
        out[factor] = float(value.mean()) if value.ndim else float(value)
    return out


def assess(
    answers: npt.NDArray[Any],
    predictions: Predictions,
    drivers_of: Predictions,
    model: StoolModel,
    coverage: dict[str, float],
    *,
    low: int,
    n_boot: int,
    seed: int,
    cross_validated: bool,
) -> tuple[Metrics, Drivers]:
    """Metrics of `predictions` and drivers of `drivers_of`, from the same resamples."""
    scorer = Scorer(answers, predictions, low=low)
    driver_scorer = DriverScorer(drivers_of)
    ones = np.ones((1, len(answers)))
    estimate = scorer.values(ones)[0]
    driver_estimate = driver_scorer.values(ones)[0]
    resampled = driver_resampled = None
    if n_boot:
        resampled, driver_resampled = bootstrap(len(answers), n_boot, seed, [scorer, driver_scorer])
    metrics = metrics_from(
        estimate,
        resampled,
        scorer.chance(),
        reasons_for(answers, predictions, low=low),
        rows=len(answers),
        cross_validated=cross_validated,
        low=low,
    )
    weights = model.customer._normalised  # noqa: SLF001 - the model's own normalised weights
    drivers = drivers_from(weights, coverage, driver_estimate, driver_resampled)
    return metrics, drivers


def _check_model(model: Any, field: str) -> StoolModel:
    if model is None:
        return StoolModel()
    fitted = getattr(model, "model", None)
    if isinstance(fitted, StoolModel) and not isinstance(model, StoolModel):
        return fitted  # a FitResult or an Evaluation
    if not isinstance(model, StoolModel):
        raise ValidationError(field, model, "a StoolModel, a FitResult, or None for the default")
    return model


def _too_few(rows: Rows, owner: str) -> None:
    if rows.n < 2:
        raise ValidationError(f"{owner}.data", rows.n, "a table of at least 2 rows with answers")


@one_blas_thread
def evaluate(
    model: Any,
    data: Any,
    *,
    target: str = "csat",
    low: int = 2,
    n_boot: int = N_BOOT,
    seed: int = 0,
    absent: Literal["unknown", "default"] = "unknown",
    extra_columns: Literal["error", "ignore"] = "error",
) -> Evaluation:
    """Measure how a model's customer leg predicts the survey answers of a table.

    The model is used as it is: its customer leg, its calibration's predicted CSAT and
    probability of an answer at or below `low`, and its customer at-risk flag.

    Args:
        model: A [StoolModel][stool.models.StoolModel], a
            [FitResult][stool.research.FitResult] (its model), or None for the default.
        data: A pandas DataFrame, pyarrow Table or mapping of column name to array, with
            [Interaction][stool.Interaction] fields as columns (read as
            [score_batch][stool.batch.score_batch] reads them) and the answers.
        target: The column of answers: whole numbers from 1 to 5, one in every row.
        low: Answers at or below this count as low (2: a 1 or a 2).
        n_boot: Bootstrap resamples for the 95 % intervals (0: none).
        seed: Seeds the resamples.
        absent: As in score_batch: a missing column of an unknowable field is not
            observed (`"unknown"`) or takes its default (`"default"`).
        extra_columns: As in score_batch; the target column is always let through.

    Returns:
        The [Evaluation][stool.research.Evaluation]: metrics, drivers, coverage and the
        calibration curve. A metric the data cannot give (an AUC without low answers)
        is reported as not available, with the reason, never as a number.

    Raises:
        ValidationError: If an argument, a column or an answer is bad (answers outside 1
            to 5, not whole, or missing), or the table has fewer than 2 rows.

    Example:
        >>> import numpy as np
        >>> from stool.research import evaluate
        >>> rng = np.random.default_rng(0)
        >>> wait = rng.exponential(3600.0, 400)
        >>> answers = np.where(rng.random(400) < wait / 20_000.0, 1, 5)
        >>> result = evaluate(None, {"wait_time_s": wait, "csat": answers}, n_boot=200)
        >>> result.metrics["auc"].value > 0.6
        True
    """
    chosen = _check_model(model, "evaluate.model")
    low = check_low(low, "evaluate.low")
    n_boot = check_resamples(n_boot, "evaluate.n_boot")
    seed = check_seed(seed, "evaluate.seed")
    rows = read(
        data,
        model=chosen,
        target=target,
        owner="evaluate",
        absent=absent,
        extra_columns=extra_columns,
    )
    _too_few(rows, "evaluate")
    return _evaluation(chosen, rows, target=target, low=low, n_boot=n_boot, seed=seed)


def _evaluation(
    model: StoolModel, rows: Rows, *, target: str, low: int, n_boot: int, seed: int
) -> Evaluation:
    answers = rows.answers
    assert answers is not None  # noqa: S101 - read with require_target
    predictions = predict(rows, model, low=low, terms=True)
    coverage = coverage_of(rows)
    metrics, drivers = assess(
        answers,
        predictions,
        predictions,
        model,
        coverage,
        low=low,
        n_boot=n_boot,
        seed=seed,
        cross_validated=False,
    )
    return Evaluation(
        model=model,
        metrics=metrics,
        drivers=drivers,
        coverage=coverage,
        calibration_curve=calibration_curve(answers, predictions, low=low),
        rows=rows.n,
        target=target,
        low=low,
    )


@one_blas_thread
def compare(
    a: Any,
    b: Any,
    data: Any,
    *,
    target: str = "csat",
    low: int = 2,
    n_boot: int = N_BOOT,
    seed: int = 0,
    absent: Literal["unknown", "default"] = "unknown",
    extra_columns: Literal["error", "ignore"] = "error",
) -> Comparison:
    """Evaluate two models on one table and give paired intervals of their differences.

    Both models are scored on the same bootstrap resamples, so the interval of each
    difference (`b` minus `a`) reflects how the models differ, not how the rows vary.
    Compare on rows neither model was fitted to: a model fitted to these very rows has
    an in-sample advantage.

    Args:
        a: The first model (a StoolModel, a FitResult, or None for the default).
        b: The second model, likewise.
        data: The table, as for [evaluate][stool.research.evaluate].
        target: The column of answers (1 to 5).
        low: Answers at or below this count as low.
        n_boot: Bootstrap resamples for the intervals (0: none).
        seed: Seeds the resamples.
        absent: As in score_batch.
        extra_columns: As in score_batch; the target column is always let through.

    Returns:
        The [Comparison][stool.research.Comparison].

    Raises:
        ValidationError: As [evaluate][stool.research.evaluate] does.

    Example:
        >>> import attrs
        >>> import numpy as np
        >>> from stool.models import StoolModel
        >>> from stool.research import compare
        >>> rng = np.random.default_rng(1)
        >>> wait = rng.exponential(3600.0, 400)
        >>> answers = np.where(rng.random(400) < wait / 20_000.0, 1, 5)
        >>> table = {"wait_time_s": wait, "csat": answers}
        >>> default = StoolModel()
        >>> patient = attrs.evolve(
        ...     default, customer=attrs.evolve(default.customer, call_wait_scale_s=1e6)
        ... )
        >>> result = compare(default, patient, table, n_boot=200)
        >>> result.differences["auc"].value == 0.0  # one factor: the same order
        True
    """
    first = _check_model(a, "compare.a")
    second = _check_model(b, "compare.b")
    low = check_low(low, "compare.low")
    n_boot = check_resamples(n_boot, "compare.n_boot")
    seed = check_seed(seed, "compare.seed")
    rows = read(
        data,
        model=first,
        target=target,
        owner="compare",
        absent=absent,
        extra_columns=extra_columns,
    )
    _too_few(rows, "compare")
    answers = rows.answers
    assert answers is not None  # noqa: S101 - read with require_target
    coverage = coverage_of(rows)
    pa = predict(rows, first, low=low, terms=True)
    pb = predict(rows, second, low=low, terms=True)
    sa, sb = Scorer(answers, pa, low=low), Scorer(answers, pb, low=low)
    da, db = DriverScorer(pa), DriverScorer(pb)
    ones = np.ones((1, rows.n))
    est = [s.values(ones)[0] for s in (sa, sb, da, db)]
    resampled: list[Any] = [None] * 4
    if n_boot:
        resampled = bootstrap(rows.n, n_boot, seed, [sa, sb, da, db])
    evaluations = []
    for model, scorer, predictions, k in ((first, sa, pa, 0), (second, sb, pb, 1)):
        metrics = metrics_from(
            est[k],
            resampled[k],
            scorer.chance(),
            reasons_for(answers, predictions, low=low),
            rows=rows.n,
            cross_validated=False,
            low=low,
        )
        drivers = drivers_from(
            model.customer._normalised,  # noqa: SLF001 - the model's own normalised weights
            coverage,
            est[k + 2],
            resampled[k + 2],
        )
        evaluations.append(
            Evaluation(
                model=model,
                metrics=metrics,
                drivers=drivers,
                coverage=coverage,
                calibration_curve=calibration_curve(answers, predictions, low=low),
                rows=rows.n,
                target=target,
                low=low,
            )
        )
    difference = est[1] - est[0]
    resampled_difference = None if resampled[0] is None else resampled[1] - resampled[0]
    reasons = {**reasons_for(answers, pa, low=low), **reasons_for(answers, pb, low=low)}
    differences = metrics_from(
        difference,
        resampled_difference,
        {name: (None if name == "mean_observed" else 0.0) for name in METRIC_NAMES},
        reasons,
        rows=rows.n,
        cross_validated=False,
        low=low,
        ideal={},
        descriptions={name: f"b minus a: {describe(name)}" for name in METRIC_NAMES},
    )
    return Comparison(a=evaluations[0], b=evaluations[1], differences=differences)
