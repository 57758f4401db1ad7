"""Play a role-play live in Jupyter: the stool, the latest explanation, and the next-move choices.

[play][stool.scenario.play] shows a [Session][stool.scenario.Session] as ipywidgets (the
`play` extra): the three legs on their bands, what the last move did and why, one
button per option [advise][stool.scenario.advise] weighs, a palette of every other
move, and one-click undo and branch; below them the timeline table and the plot, which
every click redraws in place. The [Player][stool.scenario.Player] it returns is driven
from code the same way (`player.choose(...)`, `player.undo()`), for tests and for
scripted classroom demos.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, Final

from stool.errors import StoolError, ValidationError
from stool.scenario._render import (
    _COLOURS,
    _LEGS,
    _leg,
    _levels,
    _summary,
    _verdict_text,
    timeline_html,
)
from stool.scenario._session import Session

if TYPE_CHECKING:
    from collections.abc import Callable

    from stool.models import StoolModel
    from stool.policy import Ledger
    from stool.scenario._advice import Advice
    from stool.scenario._debrief import Debrief
    from stool.scenario._scenario import Scenario
    from stool.scenario._timeline import Timeline

__all__ = ["Player", "play"]

_BAR_WIDTH: Final = 320


def _widgets() -> Any:
    try:
        import ipywidgets  # noqa: PLC0415 - loaded on first use, to keep import stool light
    except ImportError:
        raise StoolError(
            "playing a scenario in a notebook needs ipywidgets, the play extra: "
            "pip install 'stool[play]', or '.[play]' in a checkout of stool; "
            "in a terminal, run `stool scenario play FILE`"
        ) from None
    return ipywidgets


def stool_html(timeline: Timeline) -> str:
    """Return the current stool as HTML: each leg's value on its collapse, at-risk and ok bands."""
    score = timeline.final
    rows = []
    for leg in _LEGS:
        at_risk, collapse = _levels(timeline.model, leg)
        value = _leg(score, leg).value
        state = timeline.leg_state(score, leg)
        bands = (
            f"linear-gradient(to right, {_COLOURS['collapsed']} 0 {collapse:.1%}, "
            f"{_COLOURS['at risk']} {collapse:.1%} {at_risk:.1%}, "
            f"{_COLOURS['ok']} {at_risk:.1%} 100%)"
        )
        marker = (
            f'<div style="position:absolute;left:{value:.1%};top:-3px;width:3px;height:22px;'
            'background:#222;margin-left:-1px"></div>'
        )
        bar = (
            f'<div style="position:relative;display:inline-block;width:{_BAR_WIDTH}px;'
            f'height:16px;background:{bands};border:1px solid #aaa;vertical-align:middle">'
            f"{marker}</div>"
        )
        label = f"{leg.value} {value:.2f}" + ("" if state == "ok" else f" {state}")
        rows.append(
            f'<div style="margin:4px 0"><span style="display:inline-block;width:8em">'
            f"{html.escape(leg.value)}</span>{bar} <b>{html.escape(label)}</b></div>"
        )
    kind = score.customer_type
    words = "unknown" if kind is None else kind.name.lower().replace("_", " ")
    return (
        '<div class="stool-now">'
        + "".join(rows)
        + f"<div>customer type: {html.escape(words)}. {html.escape(_summary(score))}</div></div>"
    )


def latest_html(timeline: Timeline, *, played: int = 1) -> str:
    """Return what the last choice did (its `played` moves): legs' changes, decisions, and why."""
    esc = html.escape
    if not timeline.steps:
        body = "<p>The contact opens. Choose the first move.</p>"
    else:
        first = max(len(timeline) - max(played, 1), 0)
        body = "".join(_move_html(timeline, index) for index in range(first, len(timeline)))
    return (
        body + "<details><summary>Why each leg stands where it does</summary>"
        f"<pre>{esc(timeline.final.explain())}</pre></details>"
    )


def _move_html(timeline: Timeline, index: int) -> str:
    esc = html.escape
    step = timeline.steps[index]
    before = timeline.steps[index - 1].score if index else timeline.start_score
    changes = []
    for leg in _LEGS:
        delta = _leg(step.score, leg).value - _leg(before, leg).value
        if abs(delta) >= 0.005:
            changes.append(f"{leg.value} {delta:+.2f}")
    verdict = _verdict_text(step)
    head = f"Move {index + 1}, {step.describe()}" + (f": {verdict}" if verdict else "")
    body = f"<p><b>{esc(head)}</b> ({esc(', '.join(changes) or 'no leg changed')})</p>"
    if step.decision is not None:
        body += f"<pre>{esc(step.decision.explain())}</pre>"
    return body


class Player:
    """A [Session][stool.scenario.Session] shown as widgets; every click redraws it in place.

    Made by [play][stool.scenario.play]. Display it in a notebook (it is the last value
    of a cell, or `display(player)`); drive it from code with the same calls as a
    session.
    """

    def __init__(self, session: Session) -> None:
        """Build the widgets for `session` (use [play][stool.scenario.play])."""
        widgets = _widgets()
        self._w = widgets
        self.session = session
        """The session played."""
        title = session.scenario.title or "Scenario"
        self.heading = widgets.HTML(value=f"<h3>{html.escape(title)}</h3>")
        self.stool = widgets.HTML()
        """The current stool: each leg on its bands."""
        self.latest = widgets.HTML()
        """What the last move did, its decision, and why each leg stands where it does."""
        self.options = widgets.VBox()
        """One button per option advise weighs, best first."""
        self.palette = widgets.Dropdown(
            options=list(session.palette), description="any move", layout={"width": "28em"}
        )
        """Every other move: each event, and the scenario's own moves and proposals."""
        self.play_button = widgets.Button(description="play it", icon="play")
        self.undo_button = widgets.Button(description="undo", icon="undo")
        """Takes back the last choice."""
        self.branch_button = widgets.Button(description="branch here", icon="code-fork")
        """Puts the current line aside and takes back the last choice, to try another."""
        self.message = widgets.HTML()
        self.table = widgets.HTML()
        """The timeline table: one row per move, the legs coloured by risk."""
        self.plot = widgets.HTML()
        """The plot of the three legs over the moves, as inline SVG."""
        self.lines = widgets.HTML()
        """The lines put aside, with where each left the stool."""
        self.play_button.on_click(
            lambda _: self._act(lambda: self.session.choose(self.palette.value))
        )
        self.undo_button.on_click(lambda _: self._act(self.session.undo))
        self.branch_button.on_click(lambda _: self._act(self.session.branch))
        controls = widgets.HBox(
            [self.palette, self.play_button, self.undo_button, self.branch_button]
        )
        self.widget = widgets.VBox(
            [
                self.heading,
                self.stool,
                self.latest,
                widgets.HTML(value="<b>Next move: advise weighs</b>"),
                self.options,
                controls,
                self.message,
                self.table,
                self.plot,
                self.lines,
            ]
        )
        """The whole player, as one ipywidgets box."""
        self.refresh()

    # --------------------------------------------------------------------- driving

    @property
    def timeline(self) -> Timeline:
        """The run of the moves so far."""
        return self.session.timeline

    def choose(self, option: Any) -> Timeline:
        """Play a choice (see [Session.choose][stool.scenario.Session.choose]) and redraw."""
        timeline = self.session.choose(option)
        self.refresh()
        return timeline

    def undo(self) -> Timeline:
        """Take back the last choice ([Session.undo][stool.scenario.Session.undo]); redraw."""
        timeline = self.session.undo()
        self.refresh()
        return timeline

    def branch(self, name: str | None = None, *, at: int | None = None) -> Timeline:
        """Put the line aside and go back ([Session.branch][stool.scenario.Session.branch])."""
        timeline = self.session.branch(name, at=at)
        self.refresh()
        return timeline

    def debrief(self, best: Any = None) -> Debrief:
        """Return the debrief of the line so far ([Session.debrief][stool.scenario.Session])."""
        return self.session.debrief(best)

    def _act(self, action: Callable[[], Any]) -> None:
        try:
            action()
        except ValidationError as error:
            self.refresh()
            self.message.value = f'<span style="color:#c0392b">{html.escape(error.allowed)}</span>'
            return
        self.refresh()

    def _option_button(self, rank: int, advice: Advice) -> Any:
        verdict = "no rule" if advice.verdict is None else advice.verdict.name
        button = self._w.Button(
            description=f"{rank}. {advice.option.label} ({verdict})",
            tooltip=advice.reason,
            layout={"width": "auto"},
            button_style="success" if rank == 1 else "",
        )
        button.on_click(lambda _: self._act(lambda: self.session.choose(advice)))
        return button

    @property
    def option_buttons(self) -> tuple[Any, ...]:
        """The buttons of the options, best first: clicking one plays that option."""
        return tuple(self.options.children)

    def refresh(self) -> None:
        """Redraw every part from the session (after a change made to it directly)."""
        timeline = self.session.timeline
        self.stool.value = stool_html(timeline)
        choices = self.session.choices
        self.latest.value = latest_html(timeline, played=len(choices[-1].moves) if choices else 0)
        self.options.children = [
            self._option_button(rank, advice)
            for rank, advice in enumerate(self.session.options, start=1)
        ]
        self.undo_button.disabled = not self.session.choices
        self.branch_button.disabled = not self.session.choices
        self.message.value = ""
        self.table.value = timeline_html(timeline)
        self.plot.value = _plot(timeline)
        self.lines.value = _lines_html(self.session)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"<Player {self.session!r}>"


def _plot(timeline: Timeline) -> str:
    from stool.scenario._render import timeline_svg  # noqa: PLC0415 - loaded on first use, to keep import stool light

    try:
        return f'<div style="overflow-x:auto">{timeline_svg(timeline)}</div>'
    except ImportError:
        return "<p><i>The plot needs matplotlib, the plot extra.</i></p>"


def _lines_html(session: Session) -> str:
    lines = session.lines
    if not lines:
        return ""
    items = "".join(
        f"<li><b>{html.escape(name)}</b>: {len(line)} moves; "
        f"{html.escape(_summary(line.final))}</li>"
        for name, line in lines.items()
    )
    return f"<p><b>Lines put aside</b></p><ul>{items}</ul>"


def play(
    scenario: Scenario,
    *,
    model: StoolModel | None = None,
    ledger: Ledger | None = None,
    at: int = 0,
) -> Player:
    """Play a role-play live in a notebook: choose each move, see the stool, undo, branch.

    Shows the current stool (the three legs on their bands), the latest explanation,
    and the next-move choices: one button per option [advise][stool.scenario.advise]
    weighs (best first, each with its reason as a tooltip) and a palette of every other
    move. Each click plays the move, judges proposals through the company's policy book
    and the run's ledger, and redraws the table and the plot in place; undo and branch
    are one click each. Needs ipywidgets (the `play` extra); outside Jupyter, run
    `stool scenario play FILE` in a terminal.

    Args:
        scenario: The role-play (a scenario file loaded with
            [load_scenario][stool.scenario.load_scenario], a canned story, or one built
            in Python).
        model: The scoring model; None for the default.
        ledger: Bends made before the contact, which budgets count; None for none.
        at: How many of the scenario's own moves are already played (0: the trainee
            plays every move).

    Returns:
        The player: display it, click it, or drive it with `choose`, `undo`, `branch`
        and read `timeline` and `debrief()`.

    Raises:
        StoolError: If ipywidgets is not installed.
        ValidationError: If `scenario` is not a Scenario or `at` is out of range.

    Example:
        >>> from stool.scenarios import gym_cancellation
        >>> player = play(gym_cancellation())
        >>> _ = player.choose("greet")
        >>> player.option_buttons[0].click()   # what a trainee's click does
        >>> print(" / ".join(step.describe() for step in player.timeline))
        greet / cancel at once, no questions asked / extra mile
    """
    return Player(Session(scenario, model=model, ledger=ledger, at=at))
