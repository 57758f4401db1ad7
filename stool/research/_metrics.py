"""How well predictions meet the answers: the metrics, their bootstrap intervals, and chance.

Every metric is computed from four columns (the answers, the predicted CSAT, `p_low` and
the flag) with *weights*: a row's weight is how many times a bootstrap resample drew
it, and 1 for the estimate itself. A resample is `n` rows drawn with replacement, and
counting draws gives exactly the resample's statistic, ranks included (a row drawn
twice is two tied values), without sorting each resample again.
The interval is the 2.5th to 97.5th percentile over the resamples.

Each metric also carries its *chance* level: what a model that predicts the same for
every row (the observed mean answer, the observed share of low answers) scores on the
same rows. On data without signal, an honest interval includes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np

from stool.errors import ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterator

    import numpy.typing as npt

    from stool.research._predictions import Predictions

__all__ = [
    "METRIC_NAMES",
    "Metric",
    "Metrics",
    "Scorer",
    "bootstrap",
    "check_resamples",
    "check_seed",
    "metrics_from",
]

LEVEL: Final = 0.95
"""The coverage of the intervals: 95 %."""

MIN_FLAGGED: Final = 30
"""The flag's recall and lift need at least this many flagged contacts: with fewer, a
rate of caught low answers is mostly noise (and a bootstrap of none caught is none)."""

MIN_DEFINED: Final = 0.9
"""An interval is given when the metric is defined in at least this share of resamples."""

METRIC_NAMES: Final = (
    "spearman",
    "auc",
    "calibration_slope",
    "calibration_intercept",
    "brier",
    "rmse",
    "mean_predicted",
    "mean_observed",
    "mean_error",
    "base_rate",
    "flag_rate",
    "flag_recall",
    "flag_lift",
)
"""The metrics every [Metrics][stool.research.Metrics] holds, in this order."""

_DESCRIPTIONS: Final = {
    "spearman": "rank correlation of the predicted CSAT with the answers",
    "auc": "chance that a low answer has a higher p_low than another answer (ROC area)",
    "calibration_slope": "slope of the answers regressed on the predicted CSAT",
    "calibration_intercept": "intercept of the answers regressed on the predicted CSAT",
    "brier": "mean squared error of p_low against the low answers",
    "rmse": "root mean squared error of the predicted CSAT against the answers",
    "mean_predicted": "mean predicted CSAT",
    "mean_observed": "mean answer",
    "mean_error": "mean predicted CSAT minus the mean answer",
    "base_rate": "share of answers that are low",
    "flag_rate": "share of contacts whose customer leg is flagged at risk",
    "flag_recall": "share of the low answers whose contact was flagged",
    "flag_lift": "share of low answers among flagged contacts, over the base rate",
}

_IDEAL: Final[dict[str, float | None]] = {
    "spearman": 1.0,
    "auc": 1.0,
    "calibration_slope": 1.0,
    "calibration_intercept": 0.0,
    "brier": 0.0,
    "rmse": 0.0,
    "mean_error": 0.0,
    "flag_recall": 1.0,
}


def check_resamples(n_boot: Any, field: str) -> int:
    """Return `n_boot` if it is a whole number of resamples from 100 up (or 0 for none)."""
    if type(n_boot) is not int or not (n_boot == 0 or n_boot >= 100):
        raise ValidationError(
            field, n_boot, "a whole number of bootstrap resamples >= 100, or 0 for no intervals"
        )
    return n_boot


def check_seed(seed: Any, field: str) -> int:
    """Return `seed` if it is a whole number >= 0."""
    if type(seed) is not int or seed < 0:
        raise ValidationError(field, seed, "a whole number >= 0")
    return seed


@attrs.frozen(kw_only=True)
class Metric:
    """One metric: its value, its bootstrap 95 % interval, and the chance level.

    A metric the data cannot give (an AUC without low answers, a lift with nothing
    flagged, a correlation of predictions that never vary) has `value` None and says why
    in `note`; it is never a made-up number.
    """

    name: str
    """The metric's name, one of [METRIC_NAMES][stool.research.METRIC_NAMES]."""
    value: float | None
    """The estimate, or None when the data cannot give it."""
    low: float | None
    """The interval's lower end (2.5th percentile of the resamples), or None."""
    high: float | None
    """The interval's upper end (97.5th percentile of the resamples), or None."""
    chance: float | None
    """What a model predicting the same for every row scores, or None where that means
    nothing (the mean answer, the base rate)."""
    ideal: float | None
    """What a perfect model scores, where there is such a value."""
    description: str
    """What the metric measures, in words."""
    note: str = ""
    """Why the value or the interval is missing, or a caveat; empty otherwise."""

    @property
    def available(self) -> bool:
        """Whether the data gave a value."""
        return self.value is not None

    def includes(self, value: float) -> bool:
        """Whether `value` lies within the interval (False without an interval)."""
        if self.low is None or self.high is None:
            return False
        return self.low <= value <= self.high


@attrs.frozen(kw_only=True)
class Metrics:
    """A table of [Metric][stool.research.Metric]s, one per name, with how they were made.

    Index it by name (`metrics["auc"].value`); iterate it for every metric.
    """

    items: tuple[Metric, ...]
    """The metrics, in the order of [METRIC_NAMES][stool.research.METRIC_NAMES]."""
    rows: int
    """How many rows they were computed on."""
    resamples: int
    """How many bootstrap resamples gave the intervals (0: no intervals)."""
    cross_validated: bool
    """Whether the predictions were out of fold (each row predicted by a model fitted
    without it)."""
    low: int
    """Answers at or below this counted as low."""

    def __getitem__(self, name: str) -> Metric:
        for metric in self.items:
            if metric.name == name:
                return metric
        raise KeyError(name)

    def __iter__(self) -> Iterator[Metric]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def names(self) -> tuple[str, ...]:
        """The metrics' names, in order."""
        return tuple(metric.name for metric in self.items)

    def to_frame(self) -> Any:
        """Return the metrics as a pandas DataFrame, one row per metric.

        Columns: `value`, `low`, `high`, `chance`, `ideal`, `description` and `note`;
        missing values are NaN.
        """
        import pandas as pd  # noqa: PLC0415 - pandas is an optional extra

        return pd.DataFrame(
            {
                "value": [_nan(m.value) for m in self.items],
                "low": [_nan(m.low) for m in self.items],
                "high": [_nan(m.high) for m in self.items],
                "chance": [_nan(m.chance) for m in self.items],
                "ideal": [_nan(m.ideal) for m in self.items],
                "description": [m.description for m in self.items],
                "note": [m.note for m in self.items],
            },
            index=pd.Index(self.names, name="metric"),
        )

    def _repr_html_(self) -> str:
        from stool.research._render import metrics_html  # noqa: PLC0415

        return metrics_html(self)

    def __str__(self) -> str:
        from stool.research._render import metrics_text  # noqa: PLC0415

        return metrics_text(self)


def _nan(value: float | None) -> float:
    return float("nan") if value is None else value


# --------------------------------------------------------------------------- computing


class Scorer:
    """The metrics of one set of predictions, for any weights of the rows.

    [values][stool.research._metrics.Scorer.values] takes a matrix of weights (one row
    per resample, one column per data row) and returns every metric for each resample;
    weights of 1 give the estimates. NaN marks a metric a resample cannot give.
    """

    def __init__(self, answers: npt.NDArray[Any], predictions: Predictions, *, low: int) -> None:
        y = answers.astype(np.float64)
        pred = predictions.predicted
        p = predictions.p_low
        flagged = predictions.flagged.astype(np.float64)
        positive = (answers <= low).astype(np.float64)
        self.n = len(y)
        # Centred columns keep the variances exact when predictions barely vary.
        self.pred_centre = float(pred.mean()) if self.n else 0.0
        self.y_centre = float(y.mean()) if self.n else 0.0
        pc = pred - self.pred_centre
        yc = y - self.y_centre
        self.columns = np.column_stack(
            [
                pc,
                yc,
                pc * yc,
                pc * pc,
                yc * yc,
                (pred - y) ** 2,
                (p - positive) ** 2,
                flagged,
                positive,
                flagged * positive,
            ]
        )
        self.positive = positive
        # Ranks: rows sorted by p_low (for the AUC) and by predicted CSAT (Spearman); runs
        # of equal values are summed only when there are any.
        self.auc_order, self.auc_starts = _groups(p)
        self.auc_ties = len(self.auc_starts) < self.n
        self.auc_positive = (answers <= low)[self.auc_order].astype(np.int32)
        self.rank_order, self.rank_starts = _groups(pred)
        self.rank_ties = len(self.rank_starts) < self.n
        self.rank_group = np.cumsum(np.isin(np.arange(self.n), self.rank_starts)) - 1
        levels = answers.astype(np.intp) - 1
        self.answer_columns = np.zeros((self.n, 5))
        self.answer_columns[np.arange(self.n), levels] = 1.0
        self.levels_sorted_columns = self.answer_columns[self.rank_order]

    def values(self, weights: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
        """Every metric (columns, in METRIC_NAMES order) for each row of `weights`.

        `weights` are whole numbers (int32 counts of draws, or ones).
        """
        with np.errstate(divide="ignore", invalid="ignore"):
            return self._values(weights)

    def _values(self, weights: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
        total = weights.sum(axis=1, dtype=np.float64)
        sums = weights.astype(np.float64) @ self.columns / total[:, None]
        mp, my, mpy, mpp, myy = (sums[:, k] for k in range(5))
        var_p = mpp - mp * mp
        var_y = myy - my * my
        cov = mpy - mp * my
        slope = np.where(var_p > 0.0, cov / var_p, np.nan)
        mean_pred = mp + self.pred_centre
        mean_obs = my + self.y_centre
        intercept = mean_obs - slope * mean_pred
        rmse = np.sqrt(sums[:, 5])
        brier = sums[:, 6]
        flag_rate = sums[:, 7]
        base = sums[:, 8]
        hits = sums[:, 9]
        enough = flag_rate * total >= MIN_FLAGGED
        recall = np.where(enough & (base > 0.0), hits / base, np.nan)
        lift = np.where(enough & (base > 0.0), hits / flag_rate / base, np.nan)
        auc = self._auc(weights)
        spearman = np.where((var_p > 0.0) & (var_y > 0.0), self._spearman(weights, total), np.nan)
        return np.column_stack(
            [
                spearman,
                auc,
                slope,
                intercept,
                brier,
                rmse,
                mean_pred,
                mean_obs,
                mean_pred - mean_obs,
                base,
                flag_rate,
                recall,
                lift,
            ]
        )

    def _auc(self, weights: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
        """The ROC area of p_low for low answers, ties counting a half.

        Counts are whole numbers, so the sums are exact integers: the area is
        `sum(pos * (2 * below + neg)) / (2 * n_pos * n_neg)` over runs of equal p_low.
        """
        w = weights[:, self.auc_order]
        pos = w * self.auc_positive
        neg = w - pos
        if self.auc_ties:
            pos = np.add.reduceat(pos, self.auc_starts, axis=1)
            neg = np.add.reduceat(neg, self.auc_starts, axis=1)
        below = np.cumsum(neg, axis=1, dtype=np.int64) - neg
        area = np.einsum("bi,bi->b", pos, 2 * below + neg, dtype=np.float64)
        n_pos = pos.sum(axis=1, dtype=np.float64)
        n_neg = neg.sum(axis=1, dtype=np.float64)
        return np.where((n_pos > 0.0) & (n_neg > 0.0), area / (2.0 * n_pos * n_neg), np.nan)

    def _spearman(
        self, weights: npt.NDArray[Any], total: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64]:
        """The rank correlation of predicted CSAT and answers, with midranks for ties.

        Ranks are kept doubled (`2 * rank = 2 * before + count + 1`), whole numbers, so
        every sum but the last division is exact.
        """
        w = weights[:, self.rank_order]
        group = np.add.reduceat(w, self.rank_starts, axis=1) if self.rank_ties else w
        rank2 = 2 * np.cumsum(group, axis=1, dtype=np.int64) - group + 1
        level = (weights @ self.answer_columns).round()
        level_rank2 = 2.0 * np.cumsum(level, axis=1) - level + 1.0
        # Sum of weight * rank per answer level, then against the levels' ranks.
        weighted = (w * (rank2 if not self.rank_ties else rank2[:, self.rank_group])).astype(
            np.float64
        )
        per_level = weighted @ self.levels_sorted_columns
        cross = np.einsum("bl,bl->b", per_level, level_rank2)
        sum_r = np.einsum("bi,bi->b", group, rank2, dtype=np.float64)
        sum_r2 = np.einsum("bi,bi->b", group * rank2, rank2, dtype=np.float64)
        sum_y = np.einsum("bl,bl->b", level, level_rank2)
        sum_y2 = np.einsum("bl,bl->b", level * level_rank2, level_rank2)
        mean_r, mean_y = sum_r / total, sum_y / total
        var_r = sum_r2 / total - mean_r * mean_r
        var_y = sum_y2 / total - mean_y * mean_y
        cov = cross / total - mean_r * mean_y
        correlation: npt.NDArray[np.float64] = cov / np.sqrt(var_r * var_y)
        return correlation

    def chance(self) -> dict[str, float | None]:
        """Each metric's chance level on these rows."""
        n = max(self.n, 1)
        base = float(self.positive.sum()) / n
        flag_rate = float(self.columns[:, 7].sum()) / n
        mean_obs = self.y_centre
        spread = float(np.sqrt((self.columns[:, 4]).mean())) if self.n else 0.0
        return {
            "spearman": 0.0,
            "auc": 0.5,
            "calibration_slope": 0.0,
            "calibration_intercept": mean_obs,
            "brier": base * (1.0 - base),
            "rmse": spread,
            "mean_predicted": None,
            "mean_observed": None,
            "mean_error": 0.0,
            "base_rate": None,
            "flag_rate": None,
            "flag_recall": flag_rate,
            "flag_lift": 1.0,
        }


def _groups(values: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The order that sorts `values`, and where each run of equal values starts in it."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    if not len(ordered):
        return order, np.zeros(1, dtype=np.intp)
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    return order, starts


def bootstrap(
    n: int, n_boot: int, seed: int, consumers: list[Any]
) -> list[npt.NDArray[np.float64]]:
    """Draw `n_boot` resamples of `n` rows; collect each consumer's values over them.

    Each consumer has `values(weights) -> (resamples, k)`. The resamples are drawn in
    batches small enough for memory, from a generator seeded with `seed`, so the same
    seed gives the same intervals; consumers given together see the same resamples
    (a paired bootstrap).
    """
    rng = np.random.default_rng(seed)
    batch = max(1, min(64, 1_000_000 // max(n, 1)))
    out: list[list[npt.NDArray[np.float64]]] = [[] for _ in consumers]
    done = 0
    while done < n_boot:
        size = min(batch, n_boot - done)
        weights = np.empty((size, n), dtype=np.int32)
        for k in range(size):
            weights[k] = np.bincount(rng.integers(0, n, size=n), minlength=n)
        for collected, consumer in zip(out, consumers, strict=True):
            collected.append(consumer.values(weights))
        done += size
    return [np.concatenate(parts) if parts else np.empty((0, 0)) for parts in out]


def intervals(
    resampled: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Lower and upper percentile ends per column, and the share of resamples defined."""
    if not resampled.size:
        empty = np.full(resampled.shape[1] if resampled.ndim == 2 else 0, np.nan)
        return empty, empty, empty
    defined = np.isfinite(resampled).mean(axis=0)
    tail = (1.0 - LEVEL) / 2.0 * 100.0
    with np.errstate(invalid="ignore"):
        low = np.full(resampled.shape[1], np.nan)
        high = np.full(resampled.shape[1], np.nan)
        for k in range(resampled.shape[1]):
            column = resampled[:, k]
            column = column[np.isfinite(column)]
            if len(column):
                low[k], high[k] = np.percentile(column, [tail, 100.0 - tail])
    return low, high, defined


def metrics_from(
    estimate: npt.NDArray[np.float64],
    resampled: npt.NDArray[np.float64] | None,
    chance: dict[str, float | None],
    reasons: dict[str, str],
    *,
    rows: int,
    cross_validated: bool,
    low: int,
    ideal: dict[str, float | None] | None = None,
    descriptions: dict[str, str] | None = None,
) -> Metrics:
    """Assemble [Metrics][stool.research.Metrics] from estimates and resampled values."""
    names = METRIC_NAMES
    resamples = 0 if resampled is None else len(resampled)
    if resampled is not None and resamples:
        lows, highs, defined = intervals(resampled)
    else:
        lows = highs = defined = np.full(len(names), np.nan)
    items = []
    for k, name in enumerate(names):
        value = float(estimate[k])
        note = ""
        low_k: float | None = None
        high_k: float | None = None
        if not np.isfinite(value):
            items.append(
                Metric(
                    name=name,
                    value=None,
                    low=None,
                    high=None,
                    chance=(chance or {}).get(name),
                    ideal=(ideal if ideal is not None else _IDEAL).get(name),
                    description=(descriptions or _DESCRIPTIONS)[name],
                    note=reasons.get(name, "not available on these rows"),
                )
            )
            continue
        if resamples:
            if defined[k] >= MIN_DEFINED:
                low_k, high_k = float(lows[k]), float(highs[k])
                if defined[k] < 1.0:
                    share = 1.0 - float(defined[k])
                    note = f"undefined in {share:.1%} of resamples, which the interval leaves out"
            else:
                note = (
                    f"no interval: undefined in {1.0 - float(defined[k]):.0%} of resamples "
                    f"({reasons.get(name, 'too few rows')})"
                )
        items.append(
            Metric(
                name=name,
                value=value,
                low=low_k,
                high=high_k,
                chance=chance.get(name),
                ideal=(ideal if ideal is not None else _IDEAL).get(name),
                description=(descriptions or _DESCRIPTIONS)[name],
                note=note,
            )
        )
    return Metrics(
        items=tuple(items), rows=rows, resamples=resamples, cross_validated=cross_validated, low=low
    )


def reasons_for(answers: npt.NDArray[Any], predictions: Predictions, *, low: int) -> dict[str, str]:
    """Why each metric might be unavailable on these rows, in words."""
    positive = answers <= low
    reasons: dict[str, str] = {}
    if not positive.any():
        why = f"no answer is at or below {low}"
        reasons.update(auc=why, flag_recall=why, flag_lift=why)
    elif positive.all():
        reasons["auc"] = f"every answer is at or below {low}"
    flagged = int(predictions.flagged.sum())
    if flagged < MIN_FLAGGED:
        why = (
            f"{flagged} contacts are flagged: at least {MIN_FLAGGED} are needed to measure "
            "the flag's recall and lift"
        )
        reasons.setdefault("flag_recall", why)
        reasons.setdefault("flag_lift", why)
    if len(np.unique(predictions.predicted)) < 2:
        why = "the predictions take one value in every row"
        reasons.update(spearman=why, calibration_slope=why, calibration_intercept=why)
    elif len(np.unique(answers)) < 2:
        reasons["spearman"] = "the answers take one value in every row"
    return reasons


def describe(name: str) -> str:
    """A metric's description."""
    return _DESCRIPTIONS[name]


def ideal_of(name: str) -> float | None:
    """A metric's ideal value."""
    return _IDEAL.get(name)
