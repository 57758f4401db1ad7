"""The scenario: three parties, a start interaction and the moves; run it to get a timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from stool._fields import enum_field, instance_of, text
from stool.enums import Authority, Channel
from stool.errors import ValidationError
from stool.interaction import Interaction
from stool.parties import Agent, Company, Customer
from stool.scenario._moves import Move, Propose, _check_moves, _moves_tuple, _thaw

if TYPE_CHECKING:
    from stool.models import StoolModel
    from stool.policy import Decision, Ledger, PolicyBook
    from stool.scenario._timeline import Timeline


def _check_request(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, Propose):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}", value, "a Propose, or None"
        )


def _check_start(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, Interaction):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}", value, "an Interaction, or None"
        )


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat() if not isinstance(value, dt.datetime) else value
    return value


def _check_date(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    try:
        ok = type(value) is str and dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        ok = False
    if not ok:
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}",
            value,
            "an ISO date such as '2024-06-01', or a datetime.date",
        )


@attrs.frozen(kw_only=True)
class Scenario:
    """A role-play: the three parties, where the contact starts, and the moves played.

    Scenarios are immutable: [then][stool.scenario.Scenario.then] and
    [branch][stool.scenario.Scenario.branch] return new ones.
    A scenario that proposes actions ([Propose][stool.scenario.Propose], in `moves` or as
    `request`) needs a company with a policy book (`company.policies`) to judge them.

    Example:
        >>> from stool import Customer, Interaction
        >>> from stool.events import BadNews, ExplainPolicy, Greet, Listen
        >>> braced = Customer(id="C-7", prior_bad_experiences=1, expectations=0.1)
        >>> refusal = Scenario(
        ...     customer=braced,
        ...     start=Interaction.for_parties(customer=braced, fulfilment=0.0, handle_time_s=0.0),
        ...     moves=(Greet(), Listen(), ExplainPolicy(), BadNews()),
        ... )
        >>> curt = refusal.branch(at=2, moves=[BadNews()])
        >>> len(refusal.moves), len(curt.moves)
        (4, 3)
    """

    customer: Customer = attrs.field(
        default=Customer(id="customer"), validator=instance_of(Customer)
    )
    """The customer who makes contact."""
    agent: Agent = attrs.field(default=Agent(id="agent"), validator=instance_of(Agent))
    """The agent who handles the contact."""
    company: Company = attrs.field(default=Company(name="company"), validator=instance_of(Company))
    """The company; its policy book (`company.policies`) judges every proposed action."""
    channel: Channel = enum_field(Channel, Channel.CALL)
    """The medium of the contact."""
    start: Interaction | None = attrs.field(default=None, validator=_check_start)
    """The interaction before the first move; None to start from the parties' facts
    (`Interaction.for_parties(customer=..., agent=..., company=..., channel=...)`).
    Its channel must be the scenario's."""
    moves: tuple[Move, ...] = attrs.field(
        default=(), converter=_moves_tuple, validator=_check_moves
    )
    """The moves, in order."""
    request: Propose | None = attrs.field(default=None, validator=_check_request)
    """What the customer asks for, as an action the policy book can judge: what
    [advise][stool.scenario.advise] weighs granting, bending, escalating or refusing.
    None if the scenario has no open request."""
    title: str = text("", min_len=0)
    """A short name for tables and plots."""
    date: str = attrs.field(default="2024-01-01", converter=_iso_date, validator=_check_date)
    """The ISO date of the contact (a `datetime.date` is converted): the period that
    bending budgets count in."""

    def __attrs_post_init__(self) -> None:
        if self.start is not None and self.start.channel is not self.channel:
            raise ValidationError(
                "Scenario.start.channel",
                self.start.channel,
                f"the scenario's channel, {self.channel.name}",
            )
        proposes = self.request is not None or any(isinstance(m, Propose) for m in self.moves)
        if proposes and _policies(self.company) is None:
            raise ValidationError(
                "Scenario.company.policies",
                None,
                "a PolicyBook to judge the proposed actions (Propose moves or the request)",
            )

    @property
    def initial(self) -> Interaction:
        """The interaction before the first move: `start`, or one built from the parties."""
        if self.start is not None:
            return self.start
        return Interaction.for_parties(
            customer=self.customer, agent=self.agent, company=self.company, channel=self.channel
        )

    def then(self, *moves: Move) -> Scenario:
        """Return a new scenario with `moves` played after this one's.

        Args:
            *moves: Moves to append, in order.

        Returns:
            The longer scenario; this one is unchanged.

        Raises:
            ValidationError: If something in `moves` is not a move.

        Example:
            >>> from stool.events import Greet, Thank
            >>> Scenario().then(Greet()).then(Thank()).moves
            (Greet(seconds=15.0), Thank())
        """
        return attrs.evolve(self, moves=(*self.moves, *moves))

    def branch(self, *, at: int, moves: Iterable[Move] = ()) -> Scenario:
        """Return a what-if: this scenario's first `at` moves, then `moves` instead of the rest.

        Args:
            at: How many of this scenario's moves to keep, from 0 (none) to `len(moves)`.
            moves: The moves that follow instead.

        Returns:
            The new scenario; this one is unchanged.

        Raises:
            ValidationError: If `at` is not a whole number from 0 to the number of moves,
                or something in `moves` is not a move.

        Example:
            >>> from stool.events import AgentUnprofessional, BadNews, ExplainPolicy
            >>> kind = Scenario().then(ExplainPolicy(), BadNews())
            >>> kind.branch(at=0, moves=[AgentUnprofessional(), BadNews()]).moves[0].label
            'agent unprofessional'
        """
        if type(at) is not int or not 0 <= at <= len(self.moves):
            raise ValidationError(
                "Scenario.branch.at", at, f"a whole number from 0 to {len(self.moves)}"
            )
        if isinstance(moves, (str, bytes, Mapping)) or not isinstance(moves, Iterable):
            raise ValidationError(
                "Scenario.branch.moves", moves, "a sequence of moves (a list or tuple)"
            )
        return attrs.evolve(self, moves=(*self.moves[:at], *tuple(moves)))

    def run(self, model: StoolModel | None = None, *, ledger: Ledger | None = None) -> Timeline:
        """Play every move and score the stool after each one.

        Each [Propose][stool.scenario.Propose] is judged by `company.policies` as its
        acting authority (its `by`, or the interaction's current `authority`), within one
        [Ledger][stool.policy.Ledger] for the whole run, so bending budgets apply within
        the scenario; the decision is folded into the interaction with
        [apply_decision][stool.policy.apply_decision].

        Args:
            model: The scoring model; None for the default
                [StoolModel][stool.models.StoolModel].
            ledger: The ledger to judge and record bends in, for example one that holds
                the agent's bends earlier in the day; None for a fresh, empty one.
                A given ledger records this run's decisions.

        Returns:
            The timeline: one [Step][stool.scenario.Step] per move.

        Example:
            >>> from stool import Leg
            >>> from stool.events import CustomerAbuse, EndCall
            >>> abusive = Scenario().then(CustomerAbuse(severity=1.0), EndCall(by_agent=True))
            >>> Leg.AGENT in abusive.run().final.at_risk
            True
        """
        from stool.models import StoolModel  # noqa: PLC0415
        from stool.policy import Ledger  # noqa: PLC0415
        from stool.scenario._timeline import Step, Timeline  # noqa: PLC0415 - it imports Scenario
        from stool.scoring import score  # noqa: PLC0415

        model = StoolModel() if model is None else model
        ledger = Ledger() if ledger is None else ledger
        interaction = self.initial
        start_score = score(interaction, model)
        steps: list[Step] = []
        for move in self.moves:
            decision: Decision | None = None
            if isinstance(move, Propose):
                interaction, decision = _act(self, move, interaction, ledger)
            else:
                interaction = move.apply(interaction)
            steps.append(
                Step(
                    move=move,
                    interaction=interaction,
                    decision=decision,
                    score=score(interaction, model),
                )
            )
        return Timeline(
            scenario=self,
            model=model,
            start=self.initial,
            start_score=start_score,
            steps=tuple(steps),
        )


def _policies(company: Company) -> PolicyBook | None:
    return company.policies


def _actor(agent: Agent, by: Authority) -> str:
    """Name who acts: the agent, or the higher authority the contact went to."""
    if by <= agent.authority:
        return agent.id
    return f"{by.name.lower()} of {agent.id}"


def _act(
    scenario: Scenario, move: Propose, interaction: Interaction, ledger: Ledger
) -> tuple[Interaction, Decision]:
    from stool.policy import apply_decision  # noqa: PLC0415

    book = _policies(scenario.company)
    if book is None:  # pragma: no cover - Scenario refuses this at construction
        raise ValidationError("Scenario.company.policies", None, "a PolicyBook")
    by = interaction.authority if move.by is None else move.by
    decision: Decision = book.evaluate(
        _thaw(move.context),
        by=by,
        ledger=ledger,
        justification=move.justification,
        actor=_actor(scenario.agent, by),
        when=scenario.date,
    )
    ledger.record(decision)
    after = move.apply_effect(interaction)
    return apply_decision(after, decision, cost=move.cost), decision
