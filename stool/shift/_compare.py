"""What-ifs: two shifts run on the same days (common random numbers), their differences."""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

import attrs

from stool.errors import ValidationError
from stool.shift._result import IntervalStats, ShiftSummary
from stool.shift._shift import Shift

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from pandas import DataFrame

__all__ = ["Comparison", "Difference", "compare", "t_quantile"]

_INTERVAL_METRICS = ("service_level", "asa_s", "occupancy", "offered", "answered", "abandoned")
_LEG_METRICS = ("customer", "company", "agent")


def _log_beta_cf(a: float, b: float, x: float) -> float:
    """The continued fraction of the regularised incomplete beta function (Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b), for 0 <= x <= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _log_beta_cf(a, b, x) / a
    return 1.0 - front * _log_beta_cf(b, a, 1.0 - x) / b


def _t_cdf(t: float, df: float) -> float:
    tail = 0.5 * _incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def t_quantile(p: float, df: float) -> float:
    """Return the `p` quantile of Student's t distribution with `df` degrees of freedom."""
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    lo, hi = 0.0, 1.0
    while _t_cdf(hi, df) < p:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if _t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-13 * hi:
            break
    return 0.5 * (lo + hi)


@attrs.frozen(kw_only=True)
class Difference:
    """One figure of two shifts run on the same days: their means and the paired change."""

    metric: str
    """The figure's name (a [ShiftSummary][stool.shift.ShiftSummary] field, or an
    interval figure)."""
    a: float
    """Its mean over the runs of the first shift."""
    b: float
    """Its mean over the runs of the second shift."""
    change: float
    """The mean of the paired differences, second minus first."""
    low: float
    """The lower end of the change's confidence interval."""
    high: float
    """The upper end of the change's confidence interval."""

    @property
    def significant(self) -> bool:
        """Whether the confidence interval excludes no change (0)."""
        return not (self.low <= 0.0 <= self.high)


def _difference(metric: str, a: list[float], b: list[float], confidence: float) -> Difference:
    runs = len(a)
    changes = [y - x for x, y in zip(a, b, strict=True)]
    mean_a, mean_b = math.fsum(a) / runs, math.fsum(b) / runs
    change = math.fsum(changes) / runs
    if any(math.isnan(value) for value in changes):
        return Difference(
            metric=metric, a=mean_a, b=mean_b, change=math.nan, low=math.nan, high=math.nan
        )
    spread = math.sqrt(math.fsum((c - change) ** 2 for c in changes) / (runs - 1))
    half = t_quantile(0.5 + confidence / 2.0, runs - 1) * spread / math.sqrt(runs)
    return Difference(
        metric=metric, a=mean_a, b=mean_b, change=change, low=change - half, high=change + half
    )


def _interval_value(stats: IntervalStats, metric: str) -> float:
    if metric in _LEG_METRICS:
        leg = getattr(stats, metric)
        return math.nan if leg is None else float(leg.mean)
    return float(getattr(stats, metric))


@attrs.frozen(kw_only=True)
class Comparison:
    """Two shifts run on the same seeds, and what changed, with confidence intervals.

    Index it by a figure's name (`comparison["service_level"]`) for its
    [Difference][stool.shift.Difference]; in a notebook it shows as a table.
    """

    a: Shift
    """The first shift (the baseline), as given."""
    b: Shift
    """The second shift (the what-if), as given."""
    seeds: tuple[int, ...]
    """The seed of each run, shared by both shifts."""
    confidence: float
    """The confidence level of the intervals."""
    runs_a: tuple[ShiftSummary, ...]
    """The first shift's figures, one per seed."""
    runs_b: tuple[ShiftSummary, ...]
    """The second shift's figures, one per seed."""
    intervals_a: tuple[tuple[IntervalStats, ...], ...] = attrs.field(repr=False)
    """The first shift's interval figures, one tuple per seed."""
    intervals_b: tuple[tuple[IntervalStats, ...], ...] = attrs.field(repr=False)
    """The second shift's interval figures, one tuple per seed."""

    @property
    def differences(self) -> tuple[Difference, ...]:
        """Every figure of [ShiftSummary][stool.shift.ShiftSummary], compared."""
        return tuple(self[metric] for metric in ShiftSummary.metrics())

    def __getitem__(self, metric: str) -> Difference:
        """Return the comparison of one figure of [ShiftSummary][stool.shift.ShiftSummary]."""
        if metric not in ShiftSummary.metrics():
            raise ValidationError(
                "Comparison.metric", metric, "one of " + ", ".join(ShiftSummary.metrics())
            )
        a = [float(getattr(run, metric)) for run in self.runs_a]
        b = [float(getattr(run, metric)) for run in self.runs_b]
        return _difference(metric, a, b, self.confidence)

    def by_interval(self, metric: str = "service_level") -> tuple[Difference, ...]:
        """Return one figure compared interval by interval.

        Args:
            metric: `service_level`, `asa_s`, `occupancy`, `offered`, `answered`,
                `abandoned`, or a leg (`customer`, `company`, `agent`: its mean).

        Returns:
            One [Difference][stool.shift.Difference] per interval (NaN where an interval
            had no contacts to score in some run).

        Raises:
            ValidationError: If `metric` is not one of these, or the shifts have
                different numbers of intervals.
        """
        allowed = (*_INTERVAL_METRICS, *_LEG_METRICS)
        if metric not in allowed:
            raise ValidationError(
                "Comparison.by_interval.metric", metric, "one of " + ", ".join(allowed)
            )
        if len(self.a.arrivals) != len(self.b.arrivals):
            raise ValidationError(
                "Comparison.by_interval",
                (len(self.a.arrivals), len(self.b.arrivals)),
                "two shifts with the same number of intervals",
            )
        out = []
        for index in range(len(self.a.arrivals)):
            a = [_interval_value(run[index], metric) for run in self.intervals_a]
            b = [_interval_value(run[index], metric) for run in self.intervals_b]
            out.append(_difference(f"{metric}[{index}]", a, b, self.confidence))
        return tuple(out)

    def to_frame(self) -> DataFrame:
        """Return the differences as a pandas DataFrame indexed by figure (the `batch` extra).

        Returns:
            Columns `a`, `b`, `change`, `low`, `high` and `significant`.
        """
        import pandas as pd  # noqa: PLC0415 - pandas is an optional extra

        rows = [{**attrs.asdict(d), "significant": d.significant} for d in self.differences]
        table: DataFrame = pd.DataFrame.from_records(rows).set_index("metric")
        return table

    def __repr__(self) -> str:
        return (
            f"<Comparison {self.a.name!r} (a) against {self.b.name!r} (b): "
            f"{len(self.seeds)} runs on seeds {self.seeds[0]}-{self.seeds[-1]}>"
        )

    def _repr_html_(self) -> str:
        esc = html.escape
        level = f"{self.confidence:.0%}"
        head = "".join(f"<th>{h}</th>" for h in ("figure", "a", "b", "change", f"{level} interval"))
        rows = []
        for d in self.differences:
            style = ' style="font-weight:bold"' if d.significant else ""
            rows.append(
                f"<tr{style}><td>{esc(d.metric)}</td><td>{d.a:.4g}</td><td>{d.b:.4g}</td>"
                f"<td>{d.change:+.4g}</td><td>[{d.low:+.4g}, {d.high:+.4g}]</td></tr>"
            )
        caption = (
            f"{esc(self.a.name)} (a) against {esc(self.b.name)} (b): {len(self.seeds)} runs "
            "on common random numbers; bold where the interval excludes no change"
        )
        return (
            f'<table class="stool-comparison"><caption>{caption}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )

    def plot(self, metric: str = "service_level", *, ax: Axes | None = None) -> Axes:
        """Draw one figure per interval for both shifts, and the change's interval.

        Needs the `plot` extra (matplotlib).

        Args:
            metric: As for [by_interval][stool.shift.Comparison.by_interval].
            ax: The Axes to draw on; None for a new figure.

        Returns:
            The Axes drawn on.
        """
        import matplotlib.pyplot as plt  # noqa: PLC0415 - matplotlib is an optional extra

        differences = self.by_interval(metric)
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 3.5))
        hours = [i * self.a.interval_s / 3600.0 for i in range(len(differences))]
        ax.plot(hours, [d.a for d in differences], marker="o", label=f"{self.a.name} (a)")
        ax.plot(hours, [d.b for d in differences], marker="o", label=f"{self.b.name} (b)")
        ax.fill_between(
            hours,
            [d.a + d.low for d in differences],
            [d.a + d.high for d in differences],
            alpha=0.2,
            color="C1",
            label=f"a + change, {self.confidence:.0%} interval",
        )
        ax.set_xlabel("hours into the shift")
        ax.set_ylabel(metric)
        ax.legend(loc="best", fontsize="small")
        return ax


def compare(
    a: Shift,
    b: Shift,
    *,
    runs: int = 5,
    seed: int | None = None,
    confidence: float = 0.95,
    t_s: float | None = None,
) -> Comparison:
    """Run two shifts on the same seeds and compare their days, figure by figure.

    Run `k` of both shifts uses the seed `seed + k`: the same arrivals, the same callers
    with the same needs and the same luck (common random numbers), so the paired
    differences show what the change does, with far less noise than two independent
    runs. Each figure's change comes with a Student-t confidence interval over the runs.

    Args:
        a: The baseline shift.
        b: The what-if: `a` with something changed (`attrs.evolve`).
        runs: How many seeds to run each shift on; at least 2.
        seed: The first seed; None for `a.seed`.
        confidence: The confidence level of the intervals, between 0 and 1.
        t_s: The answer-time target of the service level; None for each shift's own.

    Returns:
        The [Comparison][stool.shift.Comparison].

    Raises:
        ValidationError: If an argument is out of range.

    Example:
        >>> import attrs
        >>> from stool import Agent
        >>> from stool.shift import Shift, compare
        >>> team = [Agent(id=f"rep-{i}") for i in range(10)]
        >>> base = Shift(agents=team, arrivals=[100, 110], aht_s=180, seed=1)
        >>> more = attrs.evolve(base, agents=[*team, Agent(id="rep-10")])
        >>> what_if = compare(base, more, runs=3)
        >>> what_if["asa_s"].change < 0
        True
    """
    for name, shift in (("a", a), ("b", b)):
        if not isinstance(shift, Shift):
            raise ValidationError(f"compare.{name}", shift, "a Shift")
    if type(runs) is not int or runs < 2:
        raise ValidationError("compare.runs", runs, "a whole number at least 2")
    if seed is not None and type(seed) is not int:
        raise ValidationError("compare.seed", seed, "a whole number, or None")
    if not (type(confidence) is float and 0.0 < confidence < 1.0):
        raise ValidationError("compare.confidence", confidence, "a number between 0 and 1")
    first = a.seed if seed is None else seed
    seeds = tuple(first + k for k in range(runs))
    summaries: dict[str, list[ShiftSummary]] = {"a": [], "b": []}
    intervals: dict[str, list[tuple[IntervalStats, ...]]] = {"a": [], "b": []}
    for value in seeds:
        for name, shift in (("a", a), ("b", b)):
            result = attrs.evolve(shift, seed=value).run()
            summaries[name].append(result.summary(t_s))
            intervals[name].append(result.interval_stats(t_s))
    return Comparison(
        a=a,
        b=b,
        seeds=seeds,
        confidence=confidence,
        runs_a=tuple(summaries["a"]),
        runs_b=tuple(summaries["b"]),
        intervals_a=tuple(intervals["a"]),
        intervals_b=tuple(intervals["b"]),
    )
