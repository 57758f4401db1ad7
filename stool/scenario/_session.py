"""A role-play being played: choose the next move, undo it, branch, and see the stool each time.

A [Session][stool.scenario.Session] holds a scenario's opening and the choices made so
far. Each choice plays one [Option][stool.scenario.Option] (one of the options
[advise][stool.scenario.advise] weighs, or a move from the palette); the session runs
the scenario again after every choice, judging proposals through the company's policy
book and one ledger for the run, so undoing a choice also undoes the bends it recorded.
The notebook widget ([play][stool.scenario.play]) and the terminal
(`stool scenario play FILE`) drive the same session; so can a test or a scripted demo.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from stool.errors import ValidationError
from stool.events import EVENT_TYPES
from stool.scenario._advice import Advice, Option, _copy, advise
from stool.scenario._moves import Move, Propose, _describe, _is_move
from stool.scenario._personas import suggest
from stool.scenario._scenario import Scenario

if TYPE_CHECKING:
    from stool.models import StoolModel
    from stool.policy import Ledger
    from stool.scenario._debrief import Debrief
    from stool.scenario._timeline import Timeline

__all__ = ["Session"]


def _palette(scenario: Scenario) -> dict[str, Move]:
    """Every event with its default arguments, then the scenario's own moves and proposals."""
    found: dict[str, Move] = {}
    for cls in EVENT_TYPES.values():
        move: Move = cls()
        found.setdefault(_describe(move), move)
    extra: list[Move] = [*scenario.moves, *(m for b in scenario.branches for m in b.moves)]
    if scenario.request is not None:
        extra.append(scenario.request)
    for move in extra:
        found.setdefault(_describe(move), move)
    return found


class Session:
    """A role-play being played, one choice at a time; drivable from code and from widgets.

    Example:
        >>> from stool.scenarios import furniture_delivery
        >>> session = Session(furniture_delivery())
        >>> _ = session.choose("greet")
        >>> _ = session.choose("listen")
        >>> _ = session.choose(session.options[0])   # advise's best next step
        >>> print(", ".join(step.describe() for step in session.timeline))
        greet, listen, explain policy, bad news, extra mile
        >>> _ = session.undo()
        >>> len(session.timeline)
        2
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        model: StoolModel | None = None,
        ledger: Ledger | None = None,
        at: int = 0,
    ) -> None:
        """Start a session from the scenario's opening, or after its first `at` moves.

        Args:
            scenario: The role-play: its parties, opening, request, policy book and
                branches; its own moves (after the first `at`) are the scripted path a
                debrief may compare with (`session.debrief(best=session.scenario)`).
            model: The scoring model; None for the default.
            ledger: Bends made before the contact (the agent's day so far), which
                budgets count; None for none. It is never changed: each run judges on a
                copy.
            at: How many of the scenario's moves are already played when the session
                starts (0: the trainee plays every move).

        Raises:
            ValidationError: If `scenario` is not a Scenario or `at` is out of range.
        """
        if not isinstance(scenario, Scenario):
            raise ValidationError("Session.scenario", scenario, "a Scenario")
        if type(at) is not int or not 0 <= at <= len(scenario.moves):
            raise ValidationError(
                "Session.at", at, f"a whole number from 0 to {len(scenario.moves)}"
            )
        self.scenario = scenario
        """The scenario the session plays."""
        self.model = model
        """The scoring model (None for the default)."""
        self.ledger = ledger
        """The bends made before the contact, or None."""
        self._opening = scenario.branch(at=at)
        self._choices: list[Option] = []
        self._lines: dict[str, Timeline] = {}
        self._timeline: Timeline | None = None
        self._options: tuple[Advice, ...] | None = None
        self.palette: Mapping[str, Move] = _palette(scenario)
        """Every move the trainee may play besides the advised options, by its description:
        every event with its default arguments, then the scenario's own moves and
        proposals (its request too)."""

    # ------------------------------------------------------------------------- state

    @property
    def current(self) -> Scenario:
        """The scenario as played so far: the opening and every choice's moves."""
        return self._opening.then(*(m for option in self._choices for m in option.moves))

    @property
    def timeline(self) -> Timeline:
        """The run of the moves so far, judged and scored: a [Timeline][stool.scenario.Timeline]."""
        if self._timeline is None:
            self._timeline = self.current.run(self.model, ledger=_copy(self.ledger))
        return self._timeline

    @property
    def choices(self) -> tuple[Option, ...]:
        """The choices made so far, in order; each plays one or more moves."""
        return tuple(self._choices)

    @property
    def options(self) -> tuple[Advice, ...]:
        """The options [advise][stool.scenario.advise] weighs from here, best first."""
        if self._options is None:
            self._options = tuple(advise(self.current, model=self.model, ledger=self.ledger))
        return self._options

    @property
    def lines(self) -> Mapping[str, Timeline]:
        """The lines put aside with [branch][stool.scenario.Session.branch], by name."""
        return dict(self._lines)

    def _changed(self) -> Timeline:
        self._timeline = None
        self._options = None
        return self.timeline

    # ----------------------------------------------------------------------- choosing

    def option(self, choice: Any) -> Option:
        """Return the [Option][stool.scenario.Option] `choice` stands for, without playing it.

        Args:
            choice: An [Advice][stool.scenario.Advice] or an
                [Option][stool.scenario.Option]; a move or a sequence of moves; a whole
                number (an index into [options][stool.scenario.Session.options]); or a
                string: an option's label or kind (`"refuse"`, `"bend"`, ...) or the
                name of a move in the [palette][stool.scenario.Session.palette].

        Returns:
            The option.

        Raises:
            ValidationError: If `choice` is none of these; a misspelt name gets a
                suggestion.
        """
        if isinstance(choice, Advice):
            return choice.option
        if isinstance(choice, Option):
            return choice
        if _is_move(choice):
            return Option(label=_describe(choice), moves=(choice,))
        if isinstance(choice, int) and not isinstance(choice, bool):
            options = self.options
            if 0 <= choice < len(options):
                return options[choice].option
            raise ValidationError(
                "Session.choose.option", choice, f"an index from 0 to {len(options) - 1}"
            )
        if isinstance(choice, str):
            return self._named(choice)
        if isinstance(choice, Sequence) and choice and all(_is_move(m) for m in choice):
            return Option(label=", then ".join(_describe(m) for m in choice), moves=tuple(choice))
        raise ValidationError(
            "Session.choose.option",
            choice,
            "an Advice, an Option, a move, a sequence of moves, an index into the options, "
            "or the name of an option or of a move in the palette",
        )

    def _named(self, name: str) -> Option:
        for advice in self.options:
            if name in (advice.option.label, advice.option.kind):
                return advice.option
        move = self.palette.get(name)
        if move is not None:
            return Option(label=name, moves=(move,))
        names = [a.option.label for a in self.options] + list(self.palette)
        close = suggest(name, names)
        allowed = "an option's label or kind, or a move of the palette: " + ", ".join(
            repr(n) for n in names
        )
        if close is not None:
            allowed += f" (did you mean {close!r}?)"
        raise ValidationError("Session.choose.option", name, allowed)

    def choose(self, option: Any) -> Timeline:
        """Play a choice: an advised option, or a move from the palette.

        Args:
            option: What to play; see [option][stool.scenario.Session.option] for what is
                accepted.

        Returns:
            The timeline after the choice.

        Raises:
            ValidationError: If `option` names nothing playable, or proposes an action the
                company has no policy book to judge.
        """
        chosen = self.option(option)
        for move in chosen.moves:
            if isinstance(move, Propose) and self.scenario.company.policies is None:
                raise ValidationError(
                    "Session.choose.option",
                    chosen.label,
                    "a choice with no proposal: the company has no policy book",
                )
        self._choices.append(chosen)
        return self._changed()

    def undo(self) -> Timeline:
        """Take back the last choice (and every move it played, and any bend it recorded).

        Returns:
            The timeline after undoing.

        Raises:
            ValidationError: If nothing has been chosen yet.
        """
        if not self._choices:
            raise ValidationError("Session.undo", 0, "at least one choice to take back")
        self._choices.pop()
        return self._changed()

    def branch(self, name: str | None = None, *, at: int | None = None) -> Timeline:
        """Put the current line aside under a name, and go back to try another way.

        Args:
            name: The line's name; None for "line 1", "line 2", ...
            at: How many choices to keep, from 0 to the number made; None to go back by
                one choice (the last one is taken back, as a one-click branch does).

        Returns:
            The timeline after going back.

        Raises:
            ValidationError: If the name is taken or empty, or `at` is out of range.
        """
        count = len(self._choices)
        keep = max(count - 1, 0) if at is None else at
        if type(keep) is not int or not 0 <= keep <= count:
            raise ValidationError("Session.branch.at", at, f"a whole number from 0 to {count}")
        if name is None:
            number = len(self._lines) + 1
            while f"line {number}" in self._lines:
                number += 1
            name = f"line {number}"
        candidate: object = name  # callers may pass anything, despite the annotation
        if not isinstance(candidate, str) or not name.strip() or name in self._lines:
            raise ValidationError(
                "Session.branch.name", name, "a non-empty name no other line has, or None"
            )
        self._lines[name] = self.timeline
        del self._choices[keep:]
        return self._changed()

    def debrief(self, best: Any = None) -> Debrief:
        """Return the debrief of the line so far (see [debrief][stool.scenario.Timeline.debrief]).

        Args:
            best: None for advise's best path; a reference path otherwise, for example
                `session.scenario` (its scripted moves) or the name of one of its
                branches.

        Returns:
            The debrief.
        """
        if isinstance(best, str) and best in self._lines:
            best = self._lines[best]
        elif isinstance(best, str):
            best = self.scenario.branch(best)
        return self.timeline.debrief(best, ledger=self.ledger)

    def __repr__(self) -> str:
        title = self.scenario.title or "Scenario"
        return f"<Session {title!r}: {len(self._choices)} choices, {len(self.timeline)} moves>"
