"""The timeline of a run: the interaction, the policy decision and the stool after every move.

A [Timeline][stool.scenario.Timeline] is a value like the rest of stool: its fields are
checked at construction, and it round-trips through
[unstructure][stool.unstructure] and [structure][stool.structure].
How it shows itself (text, HTML, a DataFrame, a plot) is in `_render`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, overload

import attrs

from stool._fields import instance_of
from stool.errors import ValidationError
from stool.interaction import Interaction
from stool.models import StoolModel
from stool.scenario._moves import Deviate, Move, _as_tuple, _describe, _is_move
from stool.scenario._render import (
    _levels,
    timeline_frame,
    timeline_html,
    timeline_plot,
    timeline_repr,
    timeline_text,
)
from stool.scenario._scenario import Scenario
from stool.scoring import StoolScore

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from pandas import DataFrame

    from stool.enums import Leg, Verdict
    from stool.policy import Decision, Ledger
    from stool.scenario._debrief import Debrief

__all__ = ["LegState", "Step", "Timeline"]


def _check_move(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not _is_move(value):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}",
            value,
            "a move: a stool.events event, a Propose or a Deviate",
        )


def _check_decision(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    # Only the policy engine makes decisions, so it is loaded whenever one is given.
    from stool.policy import Decision  # noqa: PLC0415

    if not isinstance(value, Decision):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}", value, "a Decision, or None"
        )


@attrs.frozen(kw_only=True)
class Step:
    """One move of a run and where it left the stool."""

    move: Move = attrs.field(validator=_check_move)
    """The move played."""
    interaction: Interaction = attrs.field(validator=instance_of(Interaction))
    """The interaction after the move."""
    decision: Decision | None = attrs.field(validator=_check_decision)
    """The policy decision on the move (a [Propose][stool.scenario.Propose]); None for
    every other move."""
    score: StoolScore = attrs.field(validator=instance_of(StoolScore))
    """The three legs after the move."""

    @property
    def verdict(self) -> Verdict | None:
        """The move's verdict: the decision's, a [Deviate][stool.scenario.Deviate]'s, or None."""
        if self.decision is not None:
            return self.decision.verdict
        if isinstance(self.move, Deviate):
            return self.move.verdict
        return None

    def describe(self) -> str:
        """Return the move's one-line description."""
        return _describe(self.move)


LegState: TypeAlias = Literal["ok", "at risk", "collapsed"]
"""How a leg stands in a timeline: `"ok"`, `"at risk"` or `"collapsed"` (see
[Timeline.leg_state][stool.scenario.Timeline.leg_state])."""


def _steps_tuple(value: Iterable[Step]) -> tuple[Step, ...]:
    return _as_tuple(value)  # type: ignore[no-any-return]


def _check_steps(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    name = f"{type(instance).__name__}.{attribute.name}"
    if not isinstance(value, tuple):
        raise ValidationError(name, value, "a sequence of Steps")
    for index, item in enumerate(value):
        if not isinstance(item, Step):
            raise ValidationError(f"{name}[{index}]", item, "a Step")


@attrs.frozen(kw_only=True, repr=False)
class Timeline(Sequence[Step]):
    """The result of [Scenario.run][stool.scenario.Scenario.run]: one step per move.

    A timeline is a sequence of [Step][stool.scenario.Step]s: iterate over it, index it,
    take its `len`.
    In a notebook it renders as a table with one row per move, the legs coloured by risk;
    [plot][stool.scenario.Timeline.plot] draws the legs over the moves, and
    [to_frame][stool.scenario.Timeline.to_frame] gives a pandas DataFrame.
    `print(timeline)` shows the same table as text.
    """

    scenario: Scenario = attrs.field(validator=instance_of(Scenario))
    """The scenario that was run."""
    model: StoolModel = attrs.field(validator=instance_of(StoolModel))
    """The scoring model used."""
    start: Interaction = attrs.field(validator=instance_of(Interaction))
    """The interaction before the first move."""
    start_score: StoolScore = attrs.field(validator=instance_of(StoolScore))
    """The three legs before the first move."""
    steps: tuple[Step, ...] = attrs.field(converter=_steps_tuple, validator=_check_steps)
    """One step per move, in order: the n-th step plays the scenario's n-th move."""

    def __attrs_post_init__(self) -> None:
        played = tuple(step.move for step in self.steps)
        if played != self.scenario.moves:
            raise ValidationError(
                "Timeline.steps",
                [step.describe() for step in self.steps],
                f"one step per move of the scenario, in order ({len(self.scenario.moves)} steps)",
            )

    def __len__(self) -> int:
        return len(self.steps)

    def __repr__(self) -> str:
        return timeline_repr(self)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    @overload
    def __getitem__(self, index: int) -> Step: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Step, ...]: ...

    def __getitem__(self, index: int | slice) -> Step | tuple[Step, ...]:
        if isinstance(index, bool) or not isinstance(index, (int, slice)):
            raise ValidationError("Timeline.index", index, "a whole number or a slice")
        return self.steps[index]

    @property
    def final(self) -> StoolScore:
        """The score after the last move (the start score if there are no moves)."""
        return self.steps[-1].score if self.steps else self.start_score

    @property
    def interaction(self) -> Interaction:
        """The interaction after the last move (the start if there are no moves)."""
        return self.steps[-1].interaction if self.steps else self.start

    @property
    def decisions(self) -> tuple[Decision, ...]:
        """The policy decisions taken during the run, in order."""
        return tuple(step.decision for step in self.steps if step.decision is not None)

    def leg_state(self, score: StoolScore, leg: Leg) -> LegState:
        """Return how `leg` stands in `score` under this timeline's model.

        Args:
            score: A score from this timeline.
            leg: The leg to look at.

        Returns:
            `"collapsed"` below the leg's collapse level, `"at risk"` when the leg is
            flagged, `"ok"` otherwise.
        """
        leg_score = score.leg(leg)
        _, collapse = _levels(self.model, leg)
        if leg_score.value < collapse:
            return "collapsed"
        return "at risk" if leg_score.at_risk else "ok"

    def __str__(self) -> str:
        return timeline_text(self)

    def explain(self) -> str:
        """Return the table of legs per move, then the final score's explanation.

        Example:
            >>> from stool.events import Greet
            >>> from stool.scenario import Scenario
            >>> print(Scenario(title="Hello").then(Greet()).run().explain())  # doctest: +ELLIPSIS
            Hello (call, 1 move)
            ...
        """
        return f"{self}\n\n{self.final.explain()}"

    def _repr_html_(self) -> str:
        return timeline_html(self)

    def to_frame(self) -> DataFrame:
        """Return a pandas DataFrame with one row per move (needs the `batch` extra).

        Columns: `move`, `verdict` (a [Verdict][stool.enums.Verdict] name),
        `requires` (the authority that could approve the deviation as a bend),
        `customer`, `company`, `agent` (leg values), `customer_at_risk`,
        `company_at_risk`, `agent_at_risk`, `collapsed`, `customer_type` (a name),
        `predicted_csat`, `p_low`, and each leg's `*_coverage` and `*_status`: the columns
        of [score_batch][stool.batch.score_batch]; the index, `step`, counts moves from 1.
        `verdict` and `requires` are missing (None or NaN, as pandas stores it) where a
        move has no verdict or no deviation.

        Returns:
            The table.

        Example:
            >>> from stool.events import Greet, Resolve
            >>> from stool.scenario import Scenario
            >>> Scenario().then(Greet(), Resolve()).run().to_frame()["move"].tolist()
            ['greet', 'resolve']
        """
        return timeline_frame(self)

    def plot(self, ax: Axes | None = None) -> Axes:
        """Draw one line per leg over the moves, on the at-risk and collapse bands.

        Needs the `plot` extra (matplotlib). The x axis runs from the start (0) through
        every move; a bend is marked with an open circle on the company line and a break
        with a cross.

        Args:
            ax: The matplotlib Axes to draw on; None for a new figure.

        Returns:
            The Axes drawn on.
        """
        return timeline_plot(self, ax)

    def debrief(self, best: Any = None, *, ledger: Ledger | None = None) -> Debrief:
        """Review every move: what it did to each leg, its decision, and what it gave away.

        Against advise's best path by default: before each move,
        [advise][stool.scenario.advise] names the best next step and the stool it would
        leave; a move that lowers that best reachable stool gave the difference away.
        Or against a trainer's reference path, move by move. See
        [Debrief][stool.scenario.Debrief].

        Args:
            best: None for advise's best path from every point; or a reference path: a
                [Scenario][stool.scenario.Scenario] (run with this timeline's model), a
                [Timeline][stool.scenario.Timeline], the name of one of this scenario's
                [branches][stool.scenario.Branch], or a sequence of moves played from the
                start.
            ledger: The bends made before the run (the agent's day so far), for advise and
                for the reference run; None for none. It is not changed.

        Returns:
            The debrief.

        Raises:
            ValidationError: If `best` is none of the above, or names no branch.

        Example:
            >>> from stool.events import AgentUnprofessional, BadNews, Greet, Listen
            >>> from stool.scenario import Scenario
            >>> from stool import Interaction
            >>> opening = Interaction(fulfilment=0.0, empathy=0.5, explanation_clarity=0.0,
            ...                       handle_time_s=0.0)
            >>> curt = Scenario(title="Curt", start=opening).then(
            ...     Greet(), AgentUnprofessional(), BadNews())
            >>> review = curt.run().debrief()
            >>> review.costliest.label
            'agent unprofessional'
        """
        from stool.scenario._debrief import debrief  # noqa: PLC0415 - loaded on first use, to keep import stool light

        return debrief(self, best, ledger=ledger)

    def to_html(self, path: Any = None) -> str:
        """Return the timeline as a self-contained HTML page, and write it to `path` if given.

        The page holds the story (the scenario's description), the table of legs per
        move, the plot as inline SVG (needs the `plot` extra) and the explanations of
        every decision and of the final stool. It loads nothing else: no scripts, no
        fonts, no links, so it can be kept in a training record as one file.

        Args:
            path: A file to write (a `str` or `os.PathLike`); None to only return the page.

        Returns:
            The HTML text.

        Raises:
            ValidationError: If `path` is not a path, or cannot be written.

        Example:
            >>> from stool.events import Greet
            >>> from stool.scenario import Scenario
            >>> page = Scenario(title="Hello").then(Greet()).run().to_html("hello.html")
            >>> page.startswith("<!DOCTYPE html>"), "<svg" in page, "<script" in page
            (True, True, False)
        """
        from stool.scenario._page import page, write  # noqa: PLC0415 - loaded on first use, to keep import stool light

        text = page(self)
        if path is not None:
            write(path, text, field="Timeline.to_html.path")
        return text
