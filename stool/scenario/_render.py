"""How a timeline shows itself: a text table, an HTML table, a DataFrame and a plot.

The sentences that name legs and their reasons are shared with the advice, so a trainee
reads the same words in a timeline and in a ranking.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, Final

from stool.batch import OUTPUT_COLUMNS
from stool.enums import Leg, Verdict
from stool.errors import ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from matplotlib.axes import Axes
    from pandas import DataFrame

    from stool.models import StoolModel
    from stool.scenario._timeline import Step, Timeline
    from stool.scoring import LegScore, StoolScore

_LEGS: Final = (Leg.CUSTOMER, Leg.COMPANY, Leg.AGENT)

_COLOURS: Final[dict[str, str]] = {
    "ok": "#d8f0d2",
    "at risk": "#fbe3a6",
    "collapsed": "#f5b7b1",
}
_LINE_COLOURS: Final[dict[Leg, str]] = {
    Leg.CUSTOMER: "#1f77b4",
    Leg.COMPANY: "#8c564b",
    Leg.AGENT: "#2ca02c",
}


def timeline_repr(timeline: Timeline) -> str:
    """Return the one-line repr of a timeline: its title, length and final legs."""
    return (
        f"<Timeline {timeline.scenario.title or 'Scenario'!r}: {len(timeline)} steps; "
        f"final {_legs_values(timeline.final)}; {_flags_text(timeline.final)}>"
    )


def _row(
    timeline: Timeline, number: int | str, label: str, verdict: str, score: StoolScore
) -> list[str]:
    cells = [str(number), label, verdict]
    for leg in _LEGS:
        state = timeline.leg_state(score, leg)
        mark = "" if state == "ok" else f" {state}"
        cells.append(f"{_leg(score, leg).value:.2f}{mark}")
    cells.append(_type_words(score))
    return cells


def _heading(timeline: Timeline) -> str:
    title = timeline.scenario.title or "Scenario"
    moves = "move" if len(timeline) == 1 else "moves"
    return f"{title} ({timeline.scenario.channel.name.lower()}, {len(timeline)} {moves})"


def timeline_text(timeline: Timeline) -> str:
    """Return the timeline as a text table, one row per move, and a closing summary."""
    header = ["#", "move", "decision", "customer", "company", "agent", "customer type"]
    rows = [_row(timeline, "", "(start)", "", timeline.start_score)]
    rows += [
        _row(timeline, i, step.describe(), _verdict_text(step), step.score)
        for i, step in enumerate(timeline.steps, start=1)
    ]
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]
    lines = [_heading(timeline)]
    for r in [header, *rows]:
        cells = [r[0].rjust(widths[0])] + [
            c.ljust(w) for c, w in zip(r[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    lines.append(_summary(timeline.final))
    return "\n".join(lines)


def timeline_html(timeline: Timeline) -> str:
    """Return the timeline as an HTML table, the legs coloured by risk."""
    esc = html.escape
    head = "".join(
        f"<th>{esc(h)}</th>"
        for h in ("#", "move", "decision", "customer", "company", "agent", "customer type")
    )
    body = []
    for number, step in enumerate(timeline.steps, start=1):
        cells = [f"<td>{number}</td>", f"<td>{esc(step.describe())}</td>"]
        cells.append(f"<td>{esc(_verdict_text(step))}</td>")
        cells += [_html_leg(timeline, step.score, leg) for leg in _LEGS]
        kind = _type_words(step.score)
        cells.append(f"<td>{esc(kind)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    start = ", ".join(
        f"{leg.value} {_leg(timeline.start_score, leg).value:.2f}"
        + (
            ""
            if timeline.leg_state(timeline.start_score, leg) == "ok"
            else f" ({timeline.leg_state(timeline.start_score, leg)})"
        )
        for leg in _LEGS
    )
    legend = " ".join(
        f'<span style="background:{colour};padding:0 0.4em">{state}</span>'
        for state, colour in _COLOURS.items()
    )
    caption = f"{esc(_heading(timeline))}<br><small>start: {esc(start)} &middot; {legend}</small>"
    return (
        '<table class="stool-timeline">'
        f"<caption>{caption}</caption>"
        f"<thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody>"
        f'<tfoot><tr><td colspan="7">{esc(_summary(timeline.final))}</td></tr></tfoot>'
        "</table>"
    )


def _html_leg(timeline: Timeline, score: StoolScore, leg: Leg) -> str:
    state = timeline.leg_state(score, leg)
    leg_score = _leg(score, leg)
    title = "; ".join(leg_score.reasons) or state
    return (
        f'<td style="background:{_COLOURS[state]}" title="{html.escape(title)}">'
        f"{leg_score.value:.2f}{'' if state == 'ok' else ' ' + state}</td>"
    )


def timeline_frame(timeline: Timeline) -> DataFrame:
    """Return the timeline as a pandas DataFrame, one row per move."""
    import pandas as pd  # noqa: PLC0415

    records = []
    for step in timeline.steps:
        requires = step.decision.requires if step.decision is not None else None
        verdict = step.verdict
        record: dict[str, Any] = {
            "move": step.describe(),
            "verdict": None if verdict is None else verdict.name,
            "requires": None if requires is None else requires.name,
        }
        for leg in _LEGS:
            record[leg.value] = _leg(step.score, leg).value
        for leg in _LEGS:
            record[f"{leg.value}_at_risk"] = _leg(step.score, leg).at_risk
        record["collapsed"] = step.score.collapsed
        kind = step.score.customer_type
        record["customer_type"] = None if kind is None else kind.name
        record["predicted_csat"] = step.score.predicted_csat
        record["p_low"] = step.score.p_low
        for leg in _LEGS:
            record[f"{leg.value}_coverage"] = _leg(step.score, leg).coverage
        for leg in _LEGS:
            record[f"{leg.value}_status"] = _leg(step.score, leg).status.name
        records.append(record)
    columns = ["move", "verdict", "requires", *OUTPUT_COLUMNS]
    frame: DataFrame = pd.DataFrame.from_records(records, columns=columns)
    frame.index = pd.RangeIndex(1, len(records) + 1, name="step")
    return frame


_LABEL_WIDTH: Final = 14
"""Characters per line of a move's label under the plot; longer labels wrap."""
_INCHES_PER_MOVE: Final = 1.05
_LEGEND_INCHES: Final = 2.4
_FONT_SIZE: Final = 8.0


def _wrapped(text: str, width: int = _LABEL_WIDTH) -> str:
    """Wrap a label into lines of `width`, with `$` escaped so matplotlib shows it as text."""
    import textwrap  # noqa: PLC0415 - loaded on first use, to keep import stool light

    lines = textwrap.wrap(text, width, break_long_words=True) or [text]
    return "\n".join(line.replace("$", "\\$") for line in lines)


def _tick_labels(timeline: Timeline) -> list[str]:
    return ["start", *(_wrapped(step.describe()) for step in timeline.steps)]


def figure_size(timeline: Timeline) -> tuple[float, float]:
    """Return the size, in inches, of a figure that fits the timeline's plot and labels.

    One slot per move (and the start) wide enough for a wrapped label, room on the
    right for the level labels and the legend, and height for the longest label.
    """
    lines = max(label.count("\n") + 1 for label in _tick_labels(timeline))
    width = max(4.5, _INCHES_PER_MOVE * (len(timeline) + 1)) + _LEGEND_INCHES
    return width, 3.6 + 0.15 * lines


def _level_ticks(timeline: Timeline) -> list[tuple[float, str]]:
    """The at-risk and collapse levels, each with its label, close levels merged."""
    levels = {leg: _levels(timeline.model, leg) for leg in _LEGS}
    shared = len(set(levels.values())) == 1
    named: dict[tuple[str, float], list[str]] = {}
    for leg, (at_risk, collapse) in levels.items():
        named.setdefault(("at risk", at_risk), []).append(leg.value)
        named.setdefault(("collapse", collapse), []).append(leg.value)
    ticks: list[tuple[float, str]] = []
    for (kind, value), legs in sorted(named.items(), key=lambda item: item[0][1]):
        who = "" if shared or len(legs) == len(_LEGS) else f"{', '.join(legs)} "
        text = f"{who}{kind} {value:.2f}"
        if ticks and value - ticks[-1][0] < 0.06:
            previous, label = ticks[-1]
            ticks[-1] = (previous, f"{label}\n{text}")
        else:
            ticks.append((value, text))
    return ticks


def _text_width_points(text: str, size: float) -> float:
    from matplotlib.font_manager import FontProperties  # noqa: PLC0415 - loaded on first use, to keep import stool light
    from matplotlib.textpath import TextToPath  # noqa: PLC0415 - loaded on first use, to keep import stool light

    width = 0.0
    for line in text.split("\n"):
        w, _, _ = TextToPath().get_text_width_height_descent(
            line, FontProperties(size=size), ismath=False
        )
        width = max(width, w)
    return width


def timeline_plot(timeline: Timeline, ax: Axes | None) -> Axes:
    """Draw one line per leg over the moves of the timeline."""
    import matplotlib.axes  # noqa: PLC0415
    import matplotlib.pyplot as plt  # noqa: PLC0415
    from matplotlib.transforms import offset_copy  # noqa: PLC0415 - loaded on first use, to keep import stool light

    if ax is not None and not isinstance(ax, matplotlib.axes.Axes):
        raise ValidationError("Timeline.plot.ax", ax, "a matplotlib Axes, or None")
    if ax is None:
        _, ax = plt.subplots(figsize=figure_size(timeline), layout="constrained")
    xs = list(range(len(timeline) + 1))
    scores = [timeline.start_score, *(step.score for step in timeline.steps)]
    levels = {leg: _levels(timeline.model, leg) for leg in _LEGS}
    shared = len(set(levels.values())) == 1
    if shared:
        at_risk, collapse = levels[Leg.CUSTOMER]
        ax.axhspan(
            0.0, collapse, color=_COLOURS["collapsed"], alpha=0.6, lw=0, label="collapse band"
        )
        ax.axhspan(
            collapse, at_risk, color=_COLOURS["at risk"], alpha=0.6, lw=0, label="at-risk band"
        )
    for leg in _LEGS:
        values = [_leg(s, leg).value for s in scores]
        ax.plot(xs, values, marker="o", color=_LINE_COLOURS[leg], label=leg.value)
        if not shared:
            at_risk, collapse = levels[leg]
            ax.axhline(at_risk, color=_LINE_COLOURS[leg], ls="--", lw=0.8, alpha=0.7)
            ax.axhline(collapse, color=_LINE_COLOURS[leg], ls=":", lw=0.8, alpha=0.7)
    marked: set[Verdict] = set()
    for x, step in enumerate(timeline.steps, start=1):
        verdict = step.verdict
        if verdict in (Verdict.BENT, Verdict.BROKEN):
            marker = "o" if verdict is Verdict.BENT else "X"
            ax.plot(
                [x],
                [step.score.company.value],
                marker=marker,
                ms=12,
                mfc="none" if verdict is Verdict.BENT else "#c0392b",
                mec="#c0392b",
                ls="none",
                label=None if verdict in marked else f"{verdict.name.lower()} (company)",
            )
            marked.add(verdict)
            ax.annotate(
                verdict.name,
                (x, step.score.company.value),
                textcoords="offset points",
                xytext=(0, 11),
                ha="center",
                fontsize=_FONT_SIZE,
                color="#c0392b",
            )
    ax.set_xticks(xs)
    ax.set_xticklabels(_tick_labels(timeline), fontsize=_FONT_SIZE, ha="center", va="top")
    ax.set_ylim(0.0, 1.05)
    ax.set_xlim(-0.4, len(timeline) + 0.4)
    ax.set_ylabel("leg score")
    columns = max(20, int(9 * (len(timeline) + 1)))
    ax.set_title(_wrapped(timeline.scenario.title or "Scenario", columns))
    # The levels, labelled with their values on the right-hand axis, never over the data.
    ticks = _level_ticks(timeline)
    levels_axis = ax.secondary_yaxis("right")
    levels_axis.set_yticks([value for value, _ in ticks], [text for _, text in ticks])
    levels_axis.tick_params(labelsize=_FONT_SIZE - 1, length=3, colors="#555555")
    # The legend sits to the right of the level labels, outside the data.
    widest = max(_text_width_points(text, _FONT_SIZE - 1) for _, text in ticks)
    anchor = offset_copy(
        ax.transAxes, fig=ax.get_figure(root=True), x=widest + 12, y=0, units="points"
    )
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: ("band" in labels[i], i))
    ax.legend(
        [handles[i] for i in order],
        [labels[i] for i in order],
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        bbox_transform=anchor,
        borderaxespad=0.0,
        fontsize=_FONT_SIZE,
        ncols=1,
    )
    return ax


def timeline_svg(timeline: Timeline) -> str:
    """Return the timeline's plot as an SVG document fragment (`<svg ...>...</svg>`).

    Drawn on a figure of its own (no pyplot state), sized by
    [figure_size][stool.scenario._render.figure_size], its text kept as text.
    """
    import io  # noqa: PLC0415 - loaded on first use, to keep import stool light

    import matplotlib as mpl  # noqa: PLC0415 - loaded on first use, to keep import stool light
    from matplotlib.figure import Figure  # noqa: PLC0415 - loaded on first use, to keep import stool light

    # Text stays text (searchable, selectable, read by screen readers), in the page's fonts.
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "stool"}):
        figure = Figure(figsize=figure_size(timeline), layout="constrained")
        timeline_plot(timeline, figure.add_subplot())
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    # The metadata (creator, licence namespaces) says nothing a reader of the page needs.
    start, end = text.find("<metadata>"), text.find("</metadata>")
    if start != -1 and end != -1:
        text = text[:start] + text[end + len("</metadata>") :]
    return text


def _leg(score: StoolScore, leg: Leg) -> LegScore:
    return score.leg(leg)


def _levels(model: StoolModel, leg: Leg) -> tuple[float, float]:
    thresholds = model.thresholds
    return thresholds.at_risk_level(leg), thresholds.collapse_level(leg)


def _legs_values(score: StoolScore) -> str:
    return ", ".join(f"{leg.value} {_leg(score, leg).value:.2f}" for leg in _LEGS)


def _flags_text(score: StoolScore) -> str:
    if score.collapsed:
        return f"{score.weakest.value} leg collapsed"
    if not score.at_risk:
        return "no leg at risk"
    return f"{_legs_text(score.at_risk)} at risk"


def _verdict_text(step: Step) -> str:
    verdict = step.verdict
    if verdict is None:
        return ""
    text_ = verdict.name
    if step.decision is None:
        return f"{text_} (unjudged)"
    requires = step.decision.requires
    if verdict is Verdict.BROKEN and requires is not None:
        return f"{text_} ({requires.name} may approve)"
    return text_


def _summary(score: StoolScore) -> str:
    if score.collapsed:
        weakest = score.weakest.value
        return (
            f"The stool falls: the {weakest} leg collapses ({_first_reason(score, score.weakest)})."
        )
    if not score.at_risk:
        return "The stool stands: no leg is at risk."
    legs = _legs_text(score.at_risk)
    reasons = "; ".join(_first_reason(score, leg) for leg in _LEGS if leg in score.at_risk)
    return f"The stool wobbles: the {legs} at risk ({reasons})."


def _legs_text(legs: Iterable[Leg]) -> str:
    names = [leg.value for leg in _LEGS if leg in set(legs)]
    if len(names) == 1:
        return f"{names[0]} leg is"
    return f"{', '.join(names[:-1])} and {names[-1]} legs are"


def _first_reason(score: StoolScore, leg: Leg) -> str:
    reasons = _leg(score, leg).reasons
    return reasons[0] if reasons else f"{leg.value} {_leg(score, leg).value:.2f}"


def _type_words(score: StoolScore) -> str:
    kind = score.customer_type
    return "unknown" if kind is None else kind.name.lower().replace("_", " ")
