"""The debrief of a run: what each move did to the legs, and where the trainee gave the most away.

[Timeline.debrief][stool.scenario.Timeline.debrief] compares each move with a benchmark:

- **advice** (the default): before each move, [advise][stool.scenario.advise] names the
  best next step from that point and the stool it would leave. A move that lowers that
  best reachable stool gave something away, however good it looked at the time: a curt
  word caps professionalism for the rest of the contact, a break stays on the record.
  Move *i* gives away `best(i - 1) - best(i)`, leg by leg, where `best(k)` is the stool
  advise's best step leaves after the first *k* moves.
- **a reference path** (a trainer's model answer, a scenario's scripted moves): the
  reference and the run are compared move by move. Move *i* gives away what the
  reference's *i*-th move gained minus what the trainee's gained (a reference that has
  ended stays where it ended).

Either way, the amounts given away add up, move by move, to the whole gap between the
benchmark and the run, and each is reported per leg and as a total (the sum over the
three legs).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, cast

import attrs

from stool.errors import ValidationError
from stool.scenario._moves import Move, _by_customer, _describe, _FrozenMap, _is_move
from stool.scenario._render import _LEGS, _leg, _summary, _verdict_text

if TYPE_CHECKING:
    from stool.enums import Leg, Verdict
    from stool.policy import Decision, Ledger
    from stool.scenario._scenario import Scenario
    from stool.scenario._timeline import Step, Timeline
    from stool.scoring import StoolScore

__all__ = ["Benchmark", "Debrief", "MoveReview", "debrief"]

Benchmark: TypeAlias = Literal["advice", "reference"]
"""What a [Debrief][stool.scenario.Debrief] compares the run with: `"advice"` (advise's
best next step from every point) or `"reference"` (a trainer's reference path)."""

NOTICEABLE: Final = 0.005
"""The smallest change of a leg a debrief calls raising or lowering it (it shows two
decimals)."""


def _per_leg(values: Mapping[Leg, float]) -> Mapping[Leg, float]:
    """Freeze one value per leg into a read-only, hashable mapping, in leg order."""
    data: Any = {leg: float(values[leg]) for leg in _LEGS}
    frozen: Any = _FrozenMap(data)
    return cast("Mapping[Leg, float]", frozen)


def _signed(value: float) -> str:
    return f"{value:+.2f}" if abs(value) >= NOTICEABLE else "0.00"


def _legs_amounts(values: Mapping[Leg, float]) -> str:
    parts = [f"{leg.value} {values[leg]:.2f}" for leg in _LEGS if abs(values[leg]) >= NOTICEABLE]
    return ", ".join(parts) if parts else "no leg"


@attrs.frozen(kw_only=True)
class MoveReview:
    """One move of a debrief: what it did to each leg, its decision, and what it gave away."""

    number: int
    """The move's number, from 1."""
    move: Move
    """The move played."""
    before: StoolScore
    """The stool before the move."""
    after: StoolScore
    """The stool after the move."""
    decision: Decision | None
    """The policy decision the move drew (a [Propose][stool.scenario.Propose]), or None."""
    verdict: Verdict | None
    """The move's verdict: the decision's, a [Deviate][stool.scenario.Deviate]'s, or None."""
    best_before: StoolScore
    """The benchmark before the move: the stool advise's best step would leave, or the
    reference path's stool at the same point."""
    best_after: StoolScore
    """The benchmark after the move."""
    given_away: Mapping[Leg, float]
    """What the move gave away against the benchmark, per leg (negative: it gained)."""
    benchmark_move: str | None
    """What the benchmark did at this point: advise's best option (its label) or the
    reference's move (its description); None when the reference had ended."""

    @property
    def label(self) -> str:
        """The move's one-line description."""
        return _describe(self.move)

    @property
    def by_customer(self) -> bool:
        """Whether the customer made the move, not the agent.

        An outburst, a thank-you, a survey, a repeat contact, a wait or a delivery: such
        moves are reviewed, but never named the trainee's costliest or strongest.
        """
        return _by_customer(self.move)

    def change(self, leg: Leg) -> float:
        """Return how much the move raised (positive) or lowered (negative) `leg`."""
        return _leg(self.after, leg).value - _leg(self.before, leg).value

    @property
    def raised(self) -> tuple[Leg, ...]:
        """The legs the move raised by at least 0.005, in leg order."""
        return tuple(leg for leg in _LEGS if self.change(leg) >= NOTICEABLE)

    @property
    def lowered(self) -> tuple[Leg, ...]:
        """The legs the move lowered by at least 0.005, in leg order."""
        return tuple(leg for leg in _LEGS if self.change(leg) <= -NOTICEABLE)

    @property
    def total_given_away(self) -> float:
        """What the move gave away over the three legs (negative: it gained)."""
        return sum(self.given_away[leg] for leg in _LEGS)

    def describe(self) -> str:
        """Return a sentence: the move, what it did to the legs, and its decision."""
        effects = []
        if self.raised:
            effects.append(
                "raised "
                + ", ".join(f"{leg.value} by {self.change(leg):.2f}" for leg in self.raised)
            )
        if self.lowered:
            effects.append(
                "lowered "
                + ", ".join(f"{leg.value} by {-self.change(leg):.2f}" for leg in self.lowered)
            )
        done = "; ".join(effects) if effects else "changed no leg"
        verdict = "" if self.verdict is None else f" ({self.verdict.name})"
        return f"Move {self.number}, {self.label!r}{verdict}: {done}."


def _check_reviews(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, tuple) or not all(isinstance(v, MoveReview) for v in value):
        raise ValidationError(f"Debrief.{attribute.name}", value, "a tuple of MoveReviews")


@attrs.frozen(kw_only=True)
class Debrief:
    """What each move of a run did, and where the trainee gave the most away.

    Made by [Timeline.debrief][stool.scenario.Timeline.debrief]; `print(debrief)` shows
    one row per move and the summary, a notebook shows it as a table, and
    [to_html][stool.scenario.Debrief.to_html] writes a page to keep in a training record.
    """

    timeline: Timeline
    """The run debriefed."""
    benchmark: Benchmark
    """What the run is compared with: `"advice"` or `"reference"`."""
    reference: Timeline | None
    """The reference path's run, for a `"reference"` debrief; None for `"advice"`."""
    best_start: StoolScore
    """The benchmark's stool before the first move (what the best path from the start
    reaches, for `"advice"`)."""
    reviews: tuple[MoveReview, ...] = attrs.field(validator=_check_reviews)
    """One review per move, in order."""

    def __len__(self) -> int:
        return len(self.reviews)

    @property
    def given_away(self) -> Mapping[Leg, float]:
        """What the moves gave away in all, per leg: the sum over the reviews."""
        return _per_leg({leg: sum(r.given_away[leg] for r in self.reviews) for leg in _LEGS})

    @property
    def costliest(self) -> MoveReview | None:
        """The agent's move that gave the most away (the first of equals).

        None if no move of the agent gave away at least 0.005.
        """
        mine = [r for r in self.reviews if not r.by_customer]
        if not mine:
            return None
        worst = max(mine, key=lambda r: r.total_given_away)
        return worst if worst.total_given_away >= NOTICEABLE else None

    @property
    def strongest(self) -> MoveReview | None:
        """The agent's move that raised the legs the most in all (the first of equals).

        None if no move of the agent raised a leg.
        """
        raised = [r for r in self.reviews if r.raised and not r.by_customer]
        if not raised:
            return None
        return max(raised, key=lambda r: sum(r.change(leg) for leg in _LEGS))

    def summary(self) -> str:
        """Return a short summary a trainee can act on.

        Returns:
            Three to four sentences: where the stool ended, what the moves gave away in
            all against the benchmark, the costliest move and what the benchmark did
            there, and the strongest move.
        """
        final = self.timeline.final
        title = self.timeline.scenario.title or "The role-play"
        count = len(self.reviews)
        lines = [f"{title}, {count} move{'s' if count != 1 else ''}. {_summary(final)}"]
        against = (
            "advise's best next step at every point"
            if self.benchmark == "advice"
            else "the reference path"
        )
        total = sum(self.given_away[leg] for leg in _LEGS)
        if total >= NOTICEABLE:
            lines.append(
                f"Against {against}, the moves gave away {total:.2f} in all "
                f"({_legs_amounts(self.given_away)})."
            )
        elif total <= -NOTICEABLE:
            gained = _per_leg({leg: -self.given_away[leg] for leg in _LEGS})
            lines.append(
                f"Against {against}, the moves gained {-total:.2f} in all "
                f"({_legs_amounts(gained)})."
            )
        else:
            lines.append(f"Against {against}, the moves gave nothing away.")
        worst = self.costliest
        if worst is not None:
            text = (
                f"Your costliest move was move {worst.number}, {worst.label!r}: it gave away "
                f"{worst.total_given_away:.2f} ({_legs_amounts(worst.given_away)})"
            )
            if worst.benchmark_move is not None:
                who = "advise's pick there" if self.benchmark == "advice" else "the reference there"
                text += f"; {who}: {worst.benchmark_move!r}"
            lines.append(text + ".")
        best = self.strongest
        if best is not None:
            gains = ", ".join(f"{leg.value} by {best.change(leg):.2f}" for leg in best.raised)
            lines.append(
                f"Your strongest move was move {best.number}, {best.label!r}: it raised {gains}."
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        header = ["#", "move", "by", "decision", "customer", "company", "agent", "gave away"]
        rows = [header]
        for review in self.reviews:
            step = self.timeline.steps[review.number - 1]
            rows.append(
                [
                    str(review.number),
                    review.label,
                    "customer" if review.by_customer else "agent",
                    _verdict_text(step),
                    *(_signed(review.change(leg)) for leg in _LEGS),
                    _signed(review.total_given_away),
                ]
            )
        widths = [max(len(r[c]) for r in rows) for c in range(len(header))]
        lines = [
            f"Debrief: {self.timeline.scenario.title or 'Scenario'} (against {self.benchmark})"
        ]
        for row in rows:
            cells = [row[0].rjust(widths[0])] + [
                c.ljust(w) for c, w in zip(row[1:], widths[1:], strict=True)
            ]
            lines.append("  ".join(cells).rstrip())
        return "\n".join(lines) + "\n" + self.summary()

    def _repr_html_(self) -> str:
        from stool.scenario._page import debrief_section  # noqa: PLC0415 - loaded on first use, to keep import stool light

        return debrief_section(self)

    def to_html(self, path: Any = None) -> str:
        """Return the debrief as a self-contained HTML page, and write it to `path` if given.

        The page holds the summary, the review of every move, the timeline table, the
        plot (inline SVG; needs the `plot` extra) and the explanations of every decision
        and of the final stool. It loads nothing else: no scripts, no fonts, no links.

        Args:
            path: A file to write (a `str` or `os.PathLike`); None to only return the page.

        Returns:
            The HTML text.
        """
        from stool.scenario._page import page, write  # noqa: PLC0415 - loaded on first use, to keep import stool light

        text = page(self.timeline, debrief=self)
        if path is not None:
            write(path, text, field="Debrief.to_html.path")
        return text


def _reference_timeline(timeline: Timeline, best: Any, ledger: Ledger | None) -> Timeline:
    from stool.scenario._scenario import Scenario  # noqa: PLC0415 - loaded on first use, to keep import stool light
    from stool.scenario._timeline import Timeline  # noqa: PLC0415 - loaded on first use, to keep import stool light

    if isinstance(best, Timeline):
        return best
    scenario: Scenario
    if isinstance(best, Scenario):
        scenario = best
    elif isinstance(best, str):
        scenario = timeline.scenario.branch(best)
    elif isinstance(best, Iterable) and not isinstance(best, (bytes, Mapping)):
        moves = tuple(best)
        for index, move in enumerate(moves):
            if not _is_move(move):
                raise ValidationError(f"Timeline.debrief.best[{index}]", move, "a move")
        scenario = timeline.scenario.branch(at=0, moves=moves)
    else:
        raise ValidationError(
            "Timeline.debrief.best",
            best,
            "None (advise's best path), a Scenario, a Timeline, the name of one of the "
            "scenario's branches, or a sequence of moves",
        )
    return scenario.run(timeline.model, ledger=_copy(ledger))


def _copy(ledger: Ledger | None) -> Ledger | None:
    from stool.policy import Ledger  # noqa: PLC0415 - loaded on first use, to keep import stool light

    return None if ledger is None else Ledger(entries=ledger.entries)


def _scores(timeline: Timeline) -> list[StoolScore]:
    return [timeline.start_score, *(step.score for step in timeline.steps)]


def debrief(timeline: Timeline, best: Any = None, *, ledger: Ledger | None = None) -> Debrief:
    """Review every move of `timeline` against advise's best path or a reference path."""
    from stool.scenario._advice import advise  # noqa: PLC0415 - loaded on first use, to keep import stool light

    mine = _scores(timeline)
    steps: Sequence[Step] = timeline.steps
    benchmark: Benchmark
    if best is None:
        benchmark = "advice"
        reference = None
        picks = [
            advise(timeline.scenario.branch(at=k), model=timeline.model, ledger=ledger)[0]
            for k in range(len(steps) + 1)
        ]
        bests = [pick.score for pick in picks]
        labels: list[str | None] = [pick.option.label for pick in picks]
    else:
        benchmark = "reference"
        reference = _reference_timeline(timeline, best, ledger)
        theirs = _scores(reference)
        bests = [theirs[min(k, len(theirs) - 1)] for k in range(len(steps) + 1)]
        labels = [
            reference.steps[k].describe() if k < len(reference.steps) else None
            for k in range(len(steps) + 1)
        ]
    reviews = []
    for number, step in enumerate(steps, start=1):
        before, after = mine[number - 1], mine[number]
        best_before, best_after = bests[number - 1], bests[number]
        if benchmark == "advice":
            given = {
                leg: _leg(best_before, leg).value - _leg(best_after, leg).value for leg in _LEGS
            }
        else:
            given = {
                leg: (_leg(best_after, leg).value - _leg(best_before, leg).value)
                - (_leg(after, leg).value - _leg(before, leg).value)
                for leg in _LEGS
            }
        reviews.append(
            MoveReview(
                number=number,
                move=step.move,
                before=before,
                after=after,
                decision=step.decision,
                verdict=step.verdict,
                best_before=best_before,
                best_after=best_after,
                given_away=_per_leg(given),
                benchmark_move=labels[number - 1],
            )
        )
    return Debrief(
        timeline=timeline,
        benchmark=benchmark,
        reference=reference,
        best_start=bests[0],
        reviews=tuple(reviews),
    )
