"""A self-contained HTML page for a timeline or a debrief: table, inline SVG plot, explanations.

The page loads nothing: no scripts, no fonts, no style sheets or images from elsewhere.
It is kept in a training record as one file, and opens the same way in any browser.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from stool.errors import ValidationError
from stool.scenario._render import _LEGS, _heading, _verdict_text, timeline_html, timeline_svg

if TYPE_CHECKING:
    from stool.scenario._debrief import Debrief
    from stool.scenario._timeline import Timeline

__all__ = ["debrief_section", "page", "write"]

_STYLE: Final = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; color: #222;
       padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }
.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.8em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
caption { text-align: left; padding-bottom: 0.4em; }
td.up { background: #d8f0d2; } td.down { background: #f5b7b1; }
figure { margin: 0.8em 0; overflow-x: auto; }
figure svg { max-width: none; height: auto; }
pre { background: #f6f6f6; padding: 0.8em; white-space: pre-wrap; }
.summary p { margin: 0.3em 0; }
.stool-timeline td:nth-child(n+4), .stool-debrief td:nth-child(n+5) { white-space: nowrap; }
"""


def _paragraphs(text: str) -> str:
    """Escape plain text (Markdown-ish) into paragraphs, with `code` spans kept."""
    out = []
    for block in text.strip().split("\n\n"):
        escaped = html.escape(" ".join(block.split()))
        parts = escaped.split("`")
        for index in range(1, len(parts), 2):
            if index < len(parts) - 1:
                parts[index] = f"<code>{parts[index]}</code>"
            else:
                parts[index] = "`" + parts[index]
        out.append(f"<p>{''.join(parts)}</p>")
    return "".join(out)


def _change_cell(value: float) -> str:
    if value >= 0.005:
        return f'<td class="up">{value:+.2f}</td>'
    if value <= -0.005:
        return f'<td class="down">{value:+.2f}</td>'
    return "<td>0.00</td>"


def _given_cell(value: float) -> str:
    if value >= 0.005:
        return f'<td class="down">{value:.2f}</td>'
    if value <= -0.005:
        return f'<td class="up">{value:.2f}</td>'
    return "<td>0.00</td>"


def debrief_section(debrief: Debrief) -> str:
    """Return the debrief as HTML: its summary, then one row per move."""
    esc = html.escape
    summary = "".join(f"<p>{esc(line)}</p>" for line in debrief.summary().splitlines())
    against = "advise's pick" if debrief.benchmark == "advice" else "the reference"
    head = "".join(
        f"<th>{esc(h)}</th>"
        for h in (
            "#",
            "move",
            "by",
            "decision",
            *(leg.value for leg in _LEGS),
            "gave away",
            against,
        )
    )
    rows = []
    for review in debrief.reviews:
        step = debrief.timeline.steps[review.number - 1]
        cells = [
            f"<td>{review.number}</td>",
            f"<td>{esc(review.label)}</td>",
            f"<td>{'customer' if review.by_customer else 'agent'}</td>",
            f"<td>{esc(_verdict_text(step))}</td>",
            *(_change_cell(review.change(leg)) for leg in _LEGS),
            _given_cell(review.total_given_away),
            f"<td>{esc(review.benchmark_move or '')}</td>",
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    caption = (
        f"Debrief against {esc(debrief.benchmark)}: what each move did to each leg, and what "
        "it gave away"
    )
    return (
        f'<div class="summary">{summary}</div>'
        '<table class="stool-debrief">'
        f"<caption>{caption}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _explanations(timeline: Timeline) -> str:
    esc = html.escape
    parts = [
        "<h3>The stool at the end</h3>",
        f"<pre>{esc(timeline.final.explain())}</pre>",
    ]
    decided = [(n, step) for n, step in enumerate(timeline.steps, start=1) if step.decision]
    if decided:
        parts.append("<h3>The decisions</h3>")
        for number, step in decided:
            decision = step.decision
            if decision is None:  # pragma: no cover - filtered above
                continue
            summary = f"Move {number}, {step.describe()}: {_verdict_text(step)}"
            parts.append(
                f"<details open><summary>{esc(summary)}</summary>"
                f"<pre>{esc(decision.explain())}</pre></details>"
            )
    return "".join(parts)


def page(timeline: Timeline, *, debrief: Debrief | None = None) -> str:
    """Return a self-contained HTML page for a timeline, with its debrief if given."""
    esc = html.escape
    scenario = timeline.scenario
    title = scenario.title or "Scenario"
    meta = (
        f"{_heading(timeline)}; {scenario.date}; customer {scenario.customer.id}, "
        f"agent {scenario.agent.id}, {scenario.company.name}"
    )
    sections = [f"<h1>{esc(title)}</h1>", f'<p class="meta">{esc(meta)}</p>']
    if scenario.description:
        sections.append(f'<section id="story">{_paragraphs(scenario.description)}</section>')
    if debrief is not None:
        sections.append(
            f'<section id="debrief"><h2>Debrief</h2>{debrief_section(debrief)}</section>'
        )
    sections.append(
        f'<section id="timeline"><h2>Move by move</h2>{timeline_html(timeline)}</section>'
    )
    sections.append(
        '<section id="plot"><h2>The three legs over the moves</h2>'
        f"<figure>{timeline_svg(timeline)}</figure></section>"
    )
    sections.append(f'<section id="explanations"><h2>Why</h2>{_explanations(timeline)}</section>')
    heading = f"Debrief: {title}" if debrief is not None else title
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(heading)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{''.join(sections)}\n</main>\n</body>\n</html>\n"
    )


def write(path: Any, text: str, *, field: str) -> None:
    """Write a page to `path` as UTF-8, naming `field` in the error if it cannot be."""
    if not isinstance(path, (str, os.PathLike)):
        raise ValidationError(field, path, "a path (str or os.PathLike), or None")
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as error:
        raise ValidationError(
            field, path, f"a file that can be written ({error.strerror})"
        ) from None
