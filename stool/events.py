"""Moves: small frozen values that each map an Interaction to the next one.

A scenario is a start [Interaction][stool.Interaction] and a sequence of moves.
Every move is constructible with no arguments, and every docstring says exactly
which fields it changes and how; fields it does not name stay as they are.
Most moves also take `seconds`, the agent's time they cost, added to `handle_time_s`.

Apply a move with [Event.apply][stool.events.Event.apply] or by calling it:

    >>> from stool import Interaction
    >>> from stool.events import Resolve, ExtraMile
    >>> after = ExtraMile()(Resolve()(Interaction(fulfilment=0.0, handle_time_s=0.0)))
    >>> after.fulfilment, after.extra_mile, after.handle_time_s
    (1.0, True, 240.0)
"""

from __future__ import annotations

from typing import Any, ClassVar, Final

import attrs

from stool._fields import boolean, count, enum_field, fraction, non_negative
from stool.enums import Authority
from stool.errors import ValidationError
from stool.interaction import Interaction

__all__ = [
    "EVENT_TYPES",
    "AgentUnprofessional",
    "BadNews",
    "Concession",
    "CustomerAbuse",
    "Deliver",
    "EndCall",
    "Escalate",
    "Event",
    "ExplainPolicy",
    "ExtraMile",
    "Greet",
    "Hold",
    "Listen",
    "Promise",
    "RepeatContact",
    "Resolve",
    "Survey",
    "Thank",
    "Transfer",
    "Wait",
]


def _seconds(default: float) -> Any:
    return non_negative(default, unit="seconds")


@attrs.frozen(kw_only=True)
class Event:
    """Base class of every move: maps an Interaction to the next one.

    Subclasses implement [apply][stool.events.Event.apply]; calling an event is the
    same as applying it.
    """

    label: ClassVar[str] = "event"
    """A short phrase for timelines and reports."""

    def apply(self, interaction: Interaction) -> Interaction:
        """Return the interaction after this move; `interaction` is left unchanged.

        Args:
            interaction: The interaction before the move.

        Returns:
            The interaction after the move.

        Raises:
            ValidationError: If `interaction` is not an
                [Interaction][stool.Interaction], or the move would take a field out of
                its range (for example `handle_time_s` past the largest float).
        """
        raise NotImplementedError

    def __call__(self, interaction: Interaction) -> Interaction:
        """Apply this move: the same as [apply][stool.events.Event.apply]."""
        return self.apply(interaction)

    def describe(self) -> str:
        """Return a one-line description: the label and any non-default arguments.

        Examples:
            >>> CustomerAbuse(severity=1.0).describe()
            'customer abuse (severity=1.0)'
        """
        changed = [
            f"{a.name}={_show(getattr(self, a.name))}"
            for a in attrs.fields(type(self))
            if getattr(self, a.name) != a.default
        ]
        return f"{self.label} ({', '.join(changed)})" if changed else self.label


def _require(event: Event, interaction: Any) -> None:
    """Raise [ValidationError][stool.ValidationError] unless `interaction` is one."""
    if not isinstance(interaction, Interaction):
        name = type(event).__name__
        raise ValidationError(f"{name}.apply.interaction", interaction, "an Interaction")


def _show(value: Any) -> str:
    return value.name if isinstance(value, Authority) else repr(value)


def _at_most(value: float | None, cap: float) -> float:
    """`min(value, cap)`, or `cap` when `value` was not observed: the move makes it known."""
    return cap if value is None else min(value, cap)


def _at_least(value: float | None, floor: float) -> float:
    """`max(value, floor)`, or `floor` when `value` was not observed."""
    return floor if value is None else max(value, floor)


def _waited(interaction: Interaction, seconds: float) -> float | None:
    """The wait plus `seconds`; an unobserved wait stays unobserved (its total is unknown)."""
    wait = interaction.wait_time_s
    return None if wait is None else wait + seconds


def _took(interaction: Interaction, seconds: float) -> float:
    return interaction.handle_time_s + seconds


@attrs.frozen(kw_only=True)
class Greet(Event):
    """The opening spiel.

    Changes: `handle_time_s += seconds`.
    """

    label: ClassVar[str] = "greet"
    seconds: float = _seconds(15.0)
    """Time the greeting takes."""

    def apply(self, interaction: Interaction) -> Interaction:  # noqa: D102
        _require(self, interaction)
        return attrs.evolve(interaction, handle_time_s=_took(interaction, self.seconds))


@attrs.frozen(kw_only=True)
class Listen(Event):
    """The agent listens and acknowledges the customer's situation.

    Changes: `empathy = empathy`; `handle_time_s += seconds`.
    """

    label: ClassVar[str] = "listen"
    empathy: float = fraction(1.0)
    """The empathy the agent shows while listening, from 0 to 1."""
    seconds: float = _seconds(60.0)
    """Time spent listening."""

    def apply(self, interaction: Interaction) -> Interaction:  # noqa: D102
        _require(self, interaction)
        return attrs.evolve(
            interaction, empathy=self.empathy, handle_time_s=_took(interaction, self.seconds)
        )


@attrs.frozen(kw_only=True)
class ExplainPolicy(Event):
    """The agent explains a rule and *why* it exists (the veteran rep's essay: "explain why").

    Changes: `explanation_clarity = clarity`; `handle_time_s += seconds`.
    """

    label: ClassVar[str] = "explain policy"
    clarity: float = fraction(1.0)
    """How clear the explanation is, from 0 to 1."""
    seconds: float = _seconds(60.0)
    """Time spent explaining."""

    def apply(self, interaction: Interaction) -> Interaction:  # noqa: D102
        _require(self, interaction)
        return attrs.evolve(
            interaction,
            explanation_clarity=self.clarity,
            handle_time_s=_took(interaction, self.seconds),
        )


@attrs.frozen(kw_only=True)
class BadNews(Event):
    """The agent tells the customer the request cannot be met (in full).

    Changes: `fulfilment = min(fulfilment, fulfilment_cap)` (`fulfilment_cap` when the
    fulfilment was not observed: the move makes it known); `handle_time_s += seconds`.
    """

    label: ClassVar[str] = "bad news"
    fulfilment_cap: float = fraction(0.0)
    """The most of the request that can be met, from 0 (nothing) to 1."""
    seconds: float = _seconds(30.0)
    """Time spent breaking the news."""

    def apply(self, interaction: Interaction) -> Interaction:  # noqa: D102
        _require(self, interaction)
        return attrs.evolve(
            interaction,
            fulfilment=_at_most(interaction.fulfilment, self.fulfilment_cap),
            handle_time_s=_took(interaction, self.seconds),
        )


@attrs.frozen(kw_only=True)
class Resolve(Event):
    """The agent resolves the request, fully or in part.

    Changes: `fulfilment = fulfilment`; `handle_time_s += seconds`.
    """

    label: ClassVar[str] = "resolve"
    fulfilment: float = fraction(1.0)
    """How far the request is fulfilled after this move, from 0 to 1."""
    seconds: float = _seconds(120.0)
    """Time spent resolving."""

    def apply(self, interaction: Interaction) -> Interaction:  # noqa: D102
        _require(self, interaction)
        return attrs.evolve(
            interaction, fulfilment=self.fulfilment, handle_time_s=_took(interaction, self.seconds)
        )


@attrs.frozen(kw_only=True)
class ExtraMile(Event):
    """The agent does more than required (the email associate's story: help "for future reference").

    Changes: `extra_mile = True`; `handle_time_s += seconds`.
    """

    label: ClassVar[str] = "extra mile"
    seconds: float = _seconds(120.0)
    """Time the extra help takes."""

    def apply(self, interaction: Interaction) -> Interaction:  # noqa: D102
        _require(self, interaction)
        return attrs.evolve(
            interaction, extra_mile=True, handle_time_s=_took(interaction, self.seconds)
        )


@attrs.frozen(kw_only=True)
class CustomerAbuse(Event):
    """The customer screams at, curses or insults the agent.

    Changes: `customer_abuse = max(customer_abuse, severity)` (the worst moment counts;
    `severity` when the abuse was not observed);
    `handle_time_s += seconds`.
    """

    label: ClassVar[str] = "customer abuse"
    severity: float = fraction(0.5)
    """0 none, about 0.5 shouting or cursing, 1 personal insults or threats."""
    seconds: float = _seconds(30.0)
    """Time the outburst takes."""

    def apply(self, interaction: Interaction) -> Interaction:  # noqa: D102
        _require(self, interaction)
        return attrs.evolve(
            interaction,
            customer_abuse=_at_least(interaction.customer_abuse, self.severity),
            handle_time_s=_took(interaction, self.seconds),
        )


@attrs.frozen(kw_only=True)
class AgentUnprofessional(Event):
    """The agent is curt, raises their voice or belittles the customer.

    Changes: `professionalism = min(professionalism, professionalism_shown)` (or
    `professionalism_shown` when it was not observed; one rude
    moment colours the whole contact, as a QA critical item does);
    `handle_time_s += seconds`.
    """

    label: ClassVar[str] = "agent unprofessional"
    professionalism_shown: float = fraction(0.2)
    """The professionalism shown in this moment, from 0 (rude) to 1."""
    seconds: float = _seconds(15.0)
    """Time the moment takes."""

    def apply(self, interaction: Interaction) -> Interaction:  # noqa: D102
        _require(self, interaction)
        return attrs.evolve(
            interaction,
            professionalism=_at_most(interaction.professionalism, self.professionalism_shown),
            handle_time_s=_took(interaction, self.seconds),
        )


def _above_agent(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, Authority) and value <= Authority.AGENT:
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}", value, "SUPERVISOR or MANAGER"
        )


@attrs.frozen(kw_only=True)
class Escalate(Event):
    """The contact goes to a higher authority (asking for one is fine, says the supervisor).

    Changes: `escalated = True`; `authority = max(authority, to)`;
    `handle_time_s += seconds`.
    """

    label: ClassVar[str] = "escalate"
    to: Authority = enum_field(Authority, Authority.SUPERVISOR, also=_above_agent)
    """Who takes over: SUPERVISOR or MANAGER."""
    seconds: float = _seconds(180.0)
    """Time the escalation takes (briefing, hold, review)."""

    def apply(self, interaction: Interaction) -> Interaction:  # noqa: D102
        _require(self, interaction)
        return attrs.evolve(
            interaction,
            escalated=True,
            authority=max(interaction.authority, self.to),
            handle_time_s=_took(interaction, self.seconds),
        )


@attrs.frozen(kw_only=True)
class Promise(Event):
    """The agent promises a delivery or callback time (quote with margin, says the veteran rep).

    Changes: `promised_days = days`; `handle_time_s += seconds`.
    """

    label: ClassVar[str] = "promise"
    days: float = non_negative(5.0, unit="days")
    """The time promised, in days."""
    seconds: float = _seconds(15.0)
    """Time the promise takes."""

    def apply(self, interaction: Interaction) -> Interaction:  # noqa: D102
        _require(self, interaction)
        return attrs.evolve(
            interaction, promised_days=self.days, handle_time_s=_took(interaction, self.seconds)
        )


@attrs.frozen(kw_only=True)
class Deliver(Event):
    """What was promised arrives (after the contact: no handle time).

    Changes: `delivered_days = days`.
    """

    label: ClassVar[str] = "deliver"
    days: float = non_negative(4.0, unit="days")
    """When it arrived, in days."""

    def apply(self, interaction: Interaction) -> Interaction:  # noqa: D102
        _require(self, interaction)
        return attrs.evolve(interaction, delivered_days=self.days)


@attrs.frozen(kw_only=True)
class Hold(Event):
    """The agent puts the customer on hold (to look something up, to ask for help).

    Changes: `handle_time_s += seconds`; `wait_time_s += seconds` (an unobserved wait
    stays unobserved).
    """

    label: ClassVar[str] = "hold"
    seconds: float = _seconds(60.0)
    """Time on hold."""

    def apply(self, interaction: Interaction) -> Interaction:  # noqa: D102
        _require(self, interaction)
        return attrs.evolve(
            interaction,
            handle_time_s=_took(interaction, self.seconds),
            wait_time_s=_waited(interaction, self.seconds),
        )


@attrs.frozen(kw_only=True)
class Wait(Event):
    """The customer waits in a queue before anyone answers.

    Changes: `wait_time_s += seconds` (an unobserved wait stays unobserved).
    """

    label: ClassVar[str] = "wait"
    seconds: float = _seconds(60.0)
    """Time in the queue."""

    def apply(self, interaction: Interaction) -> Interaction:  # noqa: D102
        _require(self, interaction)
        return attrs.evolve(interaction, wait_time_s=_waited(interaction, self.seconds))


@attrs.frozen(kw_only=True)
class Transfer(Event):
    """The customer is transferred to another queue or team.

    Changes: `transfers += 1`; `wait_time_s += seconds` (an unobserved wait stays unobserved).
    """

    label: ClassVar[str] = "transfer"
    seconds: float = _seconds(60.0)
    """Time the customer waits for the transfer."""

    def apply(self, interaction: Interaction) -> Interaction:  # noqa: D102
        _require(self, interaction)
        return attrs.evolve(
            interaction,
            transfers=interaction.transfers + 1,
            wait_time_s=_waited(interaction, self.seconds),
        )


@attrs.frozen(kw_only=True)
class RepeatContact(Event):
    """The customer had to contact the company again about the same issue.

    Changes: `repeat_contacts += 1`.
    """

    label: ClassVar[str] = "repeat contact"

    def apply(self, interaction: Interaction) -> Interaction:  # noqa: D102
        _require(self, interaction)
        return attrs.evolve(interaction, repeat_contacts=interaction.repeat_contacts + 1)


@attrs.frozen(kw_only=True)
class Concession(Event):
    """The agent gives something away: a credit, a fee waived, goodwill.

    Changes: `concession_cost += amount`; `handle_time_s += seconds`.
    """

    label: ClassVar[str] = "concession"
    amount: float = non_negative(10.0, unit="(currency)")
    """What it costs the company, in the interaction's currency."""
    seconds: float = _seconds(30.0)
    """Time it takes."""

    def apply(self, interaction: Interaction) -> Interaction:  # noqa: D102
        _require(self, interaction)
        return attrs.evolve(
            interaction,
            concession_cost=interaction.concession_cost + self.amount,
            handle_time_s=_took(interaction, self.seconds),
        )


@attrs.frozen(kw_only=True)
class Thank(Event):
    """The customer thanks the agent (the email associate's story: "the best customer experience").

    Changes: `thanked = True`.
    """

    label: ClassVar[str] = "thank"

    def apply(self, interaction: Interaction) -> Interaction:  # noqa: D102
        _require(self, interaction)
        return attrs.evolve(interaction, thanked=True)


@attrs.frozen(kw_only=True)
class Survey(Event):
    """The customer answers the satisfaction survey (the supervisor's tips: "take it!").

    Changes: `csat = csat`. The answer is a label: no score reads it.
    """

    label: ClassVar[str] = "survey"
    csat: int = count(5, low=1, high=5)
    """The answer, 1 (very dissatisfied) to 5 (very satisfied)."""

    def apply(self, interaction: Interaction) -> Interaction:  # noqa: D102
        _require(self, interaction)
        return attrs.evolve(interaction, csat=self.csat)


@attrs.frozen(kw_only=True)
class EndCall(Event):
    """The contact ends; `by_agent=True` when the agent ends it (an abusive call, say).

    Changes: `ended_by_agent = by_agent`; `handle_time_s += seconds`.
    """

    label: ClassVar[str] = "end call"
    by_agent: bool = boolean(False)  # noqa: FBT003
    """Whether the agent ended the contact."""
    seconds: float = _seconds(10.0)
    """Time the closing takes."""

    def apply(self, interaction: Interaction) -> Interaction:  # noqa: D102
        _require(self, interaction)
        return attrs.evolve(
            interaction,
            ended_by_agent=self.by_agent,
            handle_time_s=_took(interaction, self.seconds),
        )


EVENT_TYPES: Final[dict[str, type[Event]]] = {
    cls.__name__: cls
    for cls in (
        Greet,
        Listen,
        ExplainPolicy,
        BadNews,
        Resolve,
        ExtraMile,
        CustomerAbuse,
        AgentUnprofessional,
        Escalate,
        Promise,
        Deliver,
        Hold,
        Wait,
        Transfer,
        RepeatContact,
        Concession,
        Thank,
        Survey,
        EndCall,
    )
}
"""Every event class by name: what [structure][stool.structure] reads in an event's
`"type"` key."""
