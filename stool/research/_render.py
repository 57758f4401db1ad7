"""How research results show themselves: text tables, HTML tables and matplotlib plots.

matplotlib is imported only when a plot is drawn.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stool.research._drivers import Drivers
    from stool.research._evaluate import Comparison
    from stool.research._metrics import Metric, Metrics
    from stool.research._sensitivity import Sensitivity

__all__ = [
    "comparison_html",
    "comparison_text",
    "drivers_html",
    "drivers_text",
    "metrics_html",
    "metrics_text",
    "number",
    "plot_drivers",
    "plot_result",
    "plot_tornado",
    "result_html",
    "result_text",
]


def number(value: float | None, digits: int = 3) -> str:
    """A number with `digits` decimals, or a dash for None or NaN."""
    if value is None or math.isnan(value):
        return "-"
    return f"{value:.{digits}f}"


def interval(low: float | None, high: float | None) -> str:
    """An interval as `[low, high]`, or a dash."""
    if low is None or high is None:
        return "-"
    return f"[{number(low)}, {number(high)}]"


def _metric_row(metric: Metric) -> list[str]:
    return [
        metric.name,
        number(metric.value),
        interval(metric.low, metric.high),
        number(metric.chance),
        metric.note,
    ]


_METRIC_HEADER = ["metric", "value", "95% interval", "chance", "note"]
_DRIVER_HEADER = ["factor", "weight", "coverage", "share of leg", "share of variation"]


def _text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(row[k])) for row in [header, *rows]) for k in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True))]
    lines.extend(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
    return "\n".join(line.rstrip() for line in lines)


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _metrics_caption(metrics: Metrics) -> str:
    kind = "cross-validated (out of fold)" if metrics.cross_validated else "in sample"
    boot = f"{metrics.resamples} bootstrap resamples" if metrics.resamples else "no intervals"
    return f"{metrics.rows:,} rows, {kind}, low = answers <= {metrics.low}, {boot}"


def metrics_text(metrics: Metrics) -> str:
    """The metrics as a text table."""
    table = _text_table(_METRIC_HEADER, [_metric_row(m) for m in metrics])
    return f"Metrics: {_metrics_caption(metrics)}\n{table}"


def metrics_html(metrics: Metrics) -> str:
    """The metrics as an HTML table."""
    caption = html.escape(_metrics_caption(metrics))
    return f"<p>{caption}</p>" + _html_table(_METRIC_HEADER, [_metric_row(m) for m in metrics])


def _driver_rows(drivers: Drivers) -> list[list[str]]:
    ranked = sorted(
        drivers,
        key=lambda d: -math.inf if d.variation_share is None else d.variation_share,
        reverse=True,
    )
    return [
        [
            d.factor,
            number(d.weight),
            number(d.coverage),
            f"{number(d.leg_share)} {interval(d.leg_share_low, d.leg_share_high)}",
            (
                f"{number(d.variation_share)} "
                f"{interval(d.variation_share_low, d.variation_share_high)}"
            ),
        ]
        for d in ranked
    ]


def drivers_text(drivers: Drivers) -> str:
    """The drivers as a text table, largest share of variation first."""
    return "Drivers of the customer leg\n" + _text_table(_DRIVER_HEADER, _driver_rows(drivers))


def drivers_html(drivers: Drivers) -> str:
    """The drivers as an HTML table, largest share of variation first."""
    return _html_table(_DRIVER_HEADER, _driver_rows(drivers))


def _params_rows(result: Any) -> list[list[str]]:
    return [
        [
            p.name,
            f"{p.start:.6g}",
            f"{p.fitted:.6g}",
            ("yes" + (", at a bound" if p.at_bound else "")) if p.identified else "no",
            p.reason,
        ]
        for p in result.params
    ]


_PARAMS_HEADER = ["parameter", "start", "fitted", "identified", "why not"]


def _summary(result: Any, title: str) -> str:
    if title == "FitResult":
        folds = f"{result.cv}-fold cross-validation" if result.cv else "no cross-validation"
        return (
            f"{title}: {result.rows:,} rows, {folds}, log-likelihood "
            f"{result.log_likelihood:,.1f} (start {result.start_log_likelihood:,.1f}), "
            f"{'converged' if result.converged else 'NOT converged'} in {result.iterations} "
            "iterations"
        )
    return f"{title}: {result.rows:,} rows of {result.target}"


def result_text(result: Any, *, title: str) -> str:
    """A fit or an evaluation as text: summary, metrics, drivers, parameters, notes."""
    parts = [_summary(result, title), metrics_text(result.metrics), drivers_text(result.drivers)]
    if title == "FitResult":
        parts.append("Parameters\n" + _text_table(_PARAMS_HEADER, _params_rows(result)))
        parts.extend(f"Note: {note}" for note in result.notes)
    return "\n\n".join(parts)


def result_html(result: Any, *, title: str) -> str:
    """A fit or an evaluation as HTML: summary, metrics, drivers, parameters, notes."""
    parts = [
        f"<p><b>{html.escape(_summary(result, title))}</b></p>",
        "<h4>Metrics</h4>",
        metrics_html(result.metrics),
        "<h4>Drivers of the customer leg</h4>",
        drivers_html(result.drivers),
    ]
    if title == "FitResult":
        parts.extend(["<h4>Parameters</h4>", _html_table(_PARAMS_HEADER, _params_rows(result))])
        parts.extend(f"<p>Note: {html.escape(note)}</p>" for note in result.notes)
    return "<div>" + "".join(parts) + "</div>"


def _comparison_rows(comparison: Comparison) -> list[list[str]]:
    rows = []
    for a, b, d in zip(
        comparison.a.metrics, comparison.b.metrics, comparison.differences, strict=True
    ):
        rows.append(
            [
                a.name,
                number(a.value),
                number(b.value),
                number(d.value),
                interval(d.low, d.high),
                d.note,
            ]
        )
    return rows


_COMPARISON_HEADER = ["metric", "a", "b", "b - a", "95% interval", "note"]


def comparison_text(comparison: Comparison) -> str:
    """A comparison as a text table."""
    caption = _metrics_caption(comparison.differences).replace("bootstrap", "paired bootstrap")
    return f"Comparison: {caption}\n" + _text_table(
        _COMPARISON_HEADER, _comparison_rows(comparison)
    )


def comparison_html(comparison: Comparison) -> str:
    """A comparison as an HTML table."""
    caption = _metrics_caption(comparison.differences).replace("bootstrap", "paired bootstrap")
    return f"<p>{html.escape(caption)}</p>" + _html_table(
        _COMPARISON_HEADER, _comparison_rows(comparison)
    )


# ------------------------------------------------------------------------------- plots


def _pyplot() -> Any:
    import matplotlib.pyplot as plt  # noqa: PLC0415 - matplotlib is an optional extra

    return plt


def plot_drivers(drivers: Drivers, ax: Any = None) -> Any:
    """Each factor's share of the leg's variation, with its interval, as horizontal bars."""
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(6, 4))
    shown = [d for d in drivers if d.variation_share is not None]
    shown.sort(key=lambda d: d.variation_share or 0.0)
    values = [d.variation_share or 0.0 for d in shown]
    errors = [
        [
            max(
                0.0,
                (d.variation_share or 0.0) - (d.variation_share_low or d.variation_share or 0.0),
            )
            for d in shown
        ],
        [
            max(
                0.0,
                (d.variation_share_high or d.variation_share or 0.0) - (d.variation_share or 0.0),
            )
            for d in shown
        ],
    ]
    ax.barh([d.factor for d in shown], values, xerr=errors, color="#8c6d31", capsize=3)
    ax.axvline(0.0, color="grey", lw=0.8)
    ax.set_xlabel("share of the customer leg's variation")
    ax.set_title("Drivers")
    return ax


def plot_result(result: Any) -> Any:
    """The calibration curve and the drivers of a fit or an evaluation, side by side."""
    plt = _pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    curve = result.calibration_curve
    predicted = [b.predicted for b in curve]
    observed = [b.observed for b in curve]
    sizes = [20.0 + 200.0 * b.rows / max(result.rows, 1) for b in curve]
    left.plot([1, 5], [1, 5], color="grey", lw=0.8, ls="--", label="calibrated")
    left.plot(predicted, observed, color="#8c6d31", lw=1.0)
    left.scatter(predicted, observed, s=sizes, color="#8c6d31", label="bins of the predictions")
    left.set_xlabel("mean predicted CSAT")
    left.set_ylabel("mean answer")
    left.set_xlim(1, 5)
    left.set_ylim(1, 5)
    left.set_title("Calibration")
    left.legend(loc="upper left")
    plot_drivers(result.drivers, right)
    figure.tight_layout()
    return figure


def plot_tornado(sensitivity: Sensitivity, outcome: str, *, top: int, ax: Any) -> Any:
    """A tornado plot: each parameter's down and up change of `outcome`, largest first."""
    ranked = sensitivity.ranking(outcome)[:top]
    ranked.reverse()
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(7, 0.35 * len(ranked) + 1.2))
    labels = [name for name, _, _ in ranked]
    down = [0.0 if math.isnan(d) else d for _, d, _ in ranked]
    up = [0.0 if math.isnan(u) else u for _, _, u in ranked]
    step = sensitivity.step
    ax.barh(labels, down, color="#b35806", label=f"x {1 - step:g}")
    ax.barh(labels, up, color="#542788", label=f"x {1 + step:g}")
    ax.axvline(0.0, color="grey", lw=0.8)
    ax.set_xlabel(f"change in {outcome} (base {sensitivity.base[outcome]:.3f})")
    ax.legend(loc="lower right")
    ax.set_title("Sensitivity")
    return ax
