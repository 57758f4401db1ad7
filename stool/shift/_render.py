"""How a shift's result shows itself: DataFrames, an HTML table and the day at a glance."""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any, Final

import attrs

from stool.enums import Leg
from stool.errors import ValidationError
from stool.shift._result import LegSummary

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from pandas import DataFrame

    from stool.shift._result import IntervalStats, ShiftResult

__all__ = ["frame", "result_html", "result_plot"]

_LEG_NAMES: Final = ("customer", "company", "agent")
_COLOURS: Final = {"customer": "#1f77b4", "company": "#8c564b", "agent": "#2ca02c"}
_BANDS: Final = {"ok": "#d8f0d2", "at risk": "#fbe3a6"}
_SUMMARIES: Final = frozenset({"customer", "company", "agent", "agent_leg"})


def _flat(record: Any, rename: dict[str, str] | None = None) -> dict[str, Any]:
    """A record's fields, each LegSummary spread into `<leg>_mean`, `<leg>_low`, ..."""
    row: dict[str, Any] = {}
    for field in attrs.fields(type(record)):
        value = getattr(record, field.name)
        name = (rename or {}).get(field.name, field.name)
        if isinstance(value, LegSummary) or (value is None and field.name in _SUMMARIES):
            for part in ("mean", "low", "median", "high", "at_risk"):
                row[f"{name}_{part}"] = math.nan if value is None else getattr(value, part)
        else:
            row[name] = value
    return row


def frame(result: ShiftResult, t_s: float, by: str) -> DataFrame:
    """The result's intervals, agents or contacts as a DataFrame."""
    import pandas as pd  # noqa: PLC0415 - pandas is an optional extra

    if by == "interval":
        rows = [_flat(stats) for stats in result.interval_stats(t_s)]
        table: DataFrame = pd.DataFrame.from_records(rows).set_index("index")
        table.index.name = "interval"
        return table
    if by == "agent":
        rows = [_flat(day, {"agent_leg": "agent"}) for day in result.agents]
        for row, day in zip(rows, result.agents, strict=True):
            row["agent_id"] = day.agent
        table = pd.DataFrame.from_records(rows).set_index("agent_id")
        table.index.name = "agent"
        return table
    if by == "contact":
        width = result.shift.interval_s
        last = len(result.shift.arrivals) - 1
        records = []
        for call in result.calls:
            contact = call.contact
            record: dict[str, Any] = {
                "number": call.number,
                "interval": min(int(call.arrived_s // width), last),
                "arrived_s": call.arrived_s,
                "wait_s": call.wait_s,
                "abandoned": call.abandoned,
                "agent_id": call.agent,
                "handle_s": call.handle_s,
            }
            if contact is not None:
                score = contact.score
                record |= {
                    "starting": contact.caller.starting.name,
                    "request": contact.caller.request,
                    "abuse": contact.caller.abuse,
                    "fatigue_before": contact.fatigue_before,
                    "fatigue_after": contact.fatigue_after,
                    "queue_wait_imposed_s": contact.interaction.queue_wait_imposed_s,
                    "bends": contact.interaction.bends,
                    "breaks": contact.interaction.breaks,
                    "escalated": contact.escalated,
                    "customer": score.customer.value,
                    "company": score.company.value,
                    "agent": score.agent.value,
                    "customer_at_risk": score.customer.at_risk,
                    "company_at_risk": score.company.at_risk,
                    "agent_at_risk": score.agent.at_risk,
                    "collapsed": score.collapsed,
                    "customer_type": (
                        None if score.customer_type is None else score.customer_type.name
                    ),
                }
            records.append(record)
        contacts: DataFrame = pd.DataFrame.from_records(records).set_index("number")
        return contacts
    raise ValidationError("ShiftResult.to_frame.by", by, "'interval', 'agent' or 'contact'")


def _leg_cell(summary: LegSummary | None, level: float) -> str:
    if summary is None:
        return "<td></td>"
    state = "at risk" if summary.mean < level else "ok"
    return (
        f'<td style="background:{_BANDS[state]}" title="10th-90th percentile '
        f'{summary.low:.2f}-{summary.high:.2f}">{summary.mean:.2f}</td>'
    )


def _interval_row(stats: IntervalStats, result: ShiftResult) -> str:
    thresholds = result.shift.model.thresholds
    hours = stats.index * result.shift.interval_s / 3600.0
    cells = [
        f"<td>{hours:.1f}</td>",
        f"<td>{stats.offered}</td>",
        f"<td>{stats.abandoned}</td>",
        f"<td>{stats.service_level:.0%}</td>",
        f"<td>{stats.asa_s:.0f}</td>",
        f"<td>{stats.occupancy:.0%}</td>",
    ]
    for name, leg in zip(_LEG_NAMES, Leg, strict=True):
        cells.append(_leg_cell(getattr(stats, name), thresholds.at_risk_level(leg)))
    at_risk = sum(getattr(stats, name).at_risk for name in _LEG_NAMES if getattr(stats, name))
    fatigue = "" if stats.fatigue is None else f"{stats.fatigue:.2f}"
    cells += [
        f"<td>{at_risk}</td>",
        f"<td>{stats.collapsed}</td>",
        f"<td>{stats.bends}</td>",
        f"<td>{stats.breaks}</td>",
        f"<td>{fatigue}</td>",
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def result_html(result: ShiftResult) -> str:
    """The result as an HTML table of its intervals, with a one-line summary."""
    esc = html.escape
    summary = result.summary()
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "hour",
            "offered",
            "abandoned",
            f"SL {result.shift.service_level_s:g} s",
            "ASA s",
            "occupancy",
            "customer",
            "company",
            "agent",
            "legs at risk",
            "collapsed",
            "bends",
            "breaks",
            "fatigue in",
        )
    )
    body = "".join(_interval_row(stats, result) for stats in result.intervals)
    line = (
        f"{summary.offered} calls, {summary.answered} answered ({summary.abandonment:.0%} "
        f"abandoned), service level {summary.service_level:.0%}, occupancy "
        f"{summary.occupancy:.0%}"
    )
    if not math.isnan(summary.customer):
        line += (
            f"; legs {summary.customer:.2f} / {summary.company:.2f} / {summary.agent:.2f}, "
            f"{summary.collapsed:.0%} collapsed, {summary.bends} bends, {summary.breaks} "
            f"breaks, fatigue at the end {summary.fatigue_end:.2f}"
        )
    caption = f"{esc(result.shift.name)}: {esc(line)}"
    return (
        f'<table class="stool-shift"><caption>{caption}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def result_plot(result: ShiftResult, t_s: float) -> Figure:
    """The day at a glance: queue, legs and strain per interval."""
    import matplotlib.pyplot as plt  # noqa: PLC0415 - matplotlib is an optional extra

    stats = result.interval_stats(t_s)
    width_h = result.shift.interval_s / 3600.0
    hours = [s.index * width_h for s in stats]
    mids = [h + width_h / 2 for h in hours]
    figure, (queue, legs, strain) = plt.subplots(
        3, 1, figsize=(9, 8), sharex=True, constrained_layout=True
    )
    bar = width_h * 0.8
    queue.bar(mids, [s.answered for s in stats], width=bar, color="#9ecae1", label="answered")
    queue.bar(
        mids,
        [s.abandoned for s in stats],
        width=bar,
        bottom=[s.answered for s in stats],
        color="#fc9272",
        label="abandoned",
    )
    queue.set_ylabel("calls")
    level = queue.twinx()
    level.plot(mids, [s.service_level for s in stats], color="black", marker="o", label="SL")
    level.set_ylim(0, 1.05)
    level.set_ylabel(f"service level ({t_s:g} s)")
    handles, labels = queue.get_legend_handles_labels()
    more, more_labels = level.get_legend_handles_labels()
    queue.legend(handles + more, labels + more_labels, loc="upper left", fontsize="small")
    queue.set_title(f"{result.shift.name}: the day at a glance")
    thresholds = result.shift.model.thresholds
    legs.axhspan(0, thresholds.at_risk, color=_BANDS["at risk"], alpha=0.5, lw=0)
    for name in _LEG_NAMES:
        points = [(m, getattr(s, name)) for m, s in zip(mids, stats, strict=True)]
        shown = [(m, leg) for m, leg in points if leg is not None]
        if not shown:
            continue
        xs = [m for m, _ in shown]
        legs.plot(xs, [leg.mean for _, leg in shown], color=_COLOURS[name], label=name)
        legs.fill_between(
            xs,
            [leg.low for _, leg in shown],
            [leg.high for _, leg in shown],
            color=_COLOURS[name],
            alpha=0.15,
        )
    legs.set_ylim(0, 1)
    legs.set_ylabel("leg (mean, 10th-90th)")
    legs.legend(loc="lower left", fontsize="small", ncols=3)
    risky = [
        sum(getattr(s, name).at_risk for name in _LEG_NAMES if getattr(s, name)) for s in stats
    ]
    strain.bar(mids, risky, width=bar, color="#fdd49e", label="legs at risk")
    strain.bar(mids, [s.bends for s in stats], width=bar / 2, color="#6baed6", label="bends")
    strain.bar(mids, [s.breaks for s in stats], width=bar / 4, color="#de2d26", label="breaks")
    strain.set_ylabel("contacts")
    strain.set_xlabel("hours into the shift")
    tired = strain.twinx()
    tired.plot(
        [m for m, s in zip(mids, stats, strict=True) if s.fatigue is not None],
        [s.fatigue for s in stats if s.fatigue is not None],
        color="purple",
        marker=".",
        label="fatigue in",
    )
    tired.set_ylim(0, 1)
    tired.set_ylabel("mean fatigue")
    handles, labels = strain.get_legend_handles_labels()
    more, more_labels = tired.get_legend_handles_labels()
    strain.legend(handles + more, labels + more_labels, loc="upper left", fontsize="small")
    return figure
