"""One contact, played: the caller's draws, the moves, the book's verdicts, the strain.

Everything random about a caller is drawn when they arrive, from streams of their own
(see [Draws][stool.shift._play.Draws]), so two what-ifs of the same shift meet the same
callers with the same luck; what an agent does is decided by comparing those draws with
the [Behaviour][stool.shift.Behaviour] rates.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs

from stool import events
from stool.enums import CustomerType, Verdict
from stool.interaction import Interaction
from stool.shift._parts import STARTING

if TYPE_CHECKING:
    import random

    from stool.parties import Agent
    from stool.policy import Decision, Ledger
    from stool.shift._shift import Shift

__all__ = ["Caller", "Draws", "Played", "caller_of", "draw", "play"]

# The shares of a call's routine handle time: greeting, listening, the request.
_GREET, _LISTEN, _WORK = 0.05, 0.30, 0.65

_POISSON_LIMIT = 1000


class Draws(NamedTuple):
    """One caller's random numbers: unit exponentials, then uniforms in [0, 1)."""

    handle: float
    patience: float
    starting: float
    prior: float
    abusive: float
    request: float
    complex: float
    bend: float
    escalate: float
    break_rules: float
    extra_mile: float
    stay: float
    end: float
    thanks: float


_UNIFORMS = len(Draws._fields) - 2


def draw(handle: random.Random, patience: random.Random, callers: random.Random) -> Draws:
    """Draw one caller's numbers: always the same count from each stream, in order."""
    return Draws(
        handle.expovariate(1.0),
        patience.expovariate(1.0),
        *(callers.random() for _ in range(_UNIFORMS)),
    )


@attrs.frozen(kw_only=True)
class Caller:
    """Who a caller is: the state they start in, their history, their abuse, their request."""

    starting: CustomerType
    """The customer type they start the contact in (see [STARTING][stool.shift.STARTING])."""
    prior_bad_experiences: int
    """Bad service experiences they bring along, the starting state's included."""
    abuse: float
    """The severity of their abuse of the agent; 0 for a caller who abuses no one."""
    request: str | None
    """The name of their [Request][stool.shift.Request], or None for a routine request."""
    complex: bool
    """Whether their routine request takes longer to resolve fully."""


def _poisson(mean: float, u: float) -> int:
    """The Poisson count with `mean` at quantile `u` (inverse transform)."""
    term = math.exp(-mean)
    cdf, k = term, 0
    while u > cdf and k < _POISSON_LIMIT:
        k += 1
        term *= mean / k
        cdf += term
    return k


def caller_of(shift: Shift, draws: Draws) -> Caller:
    """Turn a caller's draws into who they are, under the shift's customer mix."""
    mix = shift.customers
    shares = mix.starting_shares
    starting = CustomerType.VERY_DISSATISFIED
    running = 0.0
    for kind, share in shares.items():
        running += share
        if draws.starting < running:
            starting = kind
            break
    prior = STARTING[starting].prior_bad_experiences + _poisson(
        mix.prior_bad_experiences, draws.prior
    )
    abuse = mix.abuse_severity if draws.abusive < mix.abusive else 0.0
    request: str | None = None
    running = 0.0
    for candidate in mix.requests:
        running += candidate.share
        if draws.request < running:
            request = candidate.name
            break
    return Caller(
        starting=starting,
        prior_bad_experiences=prior,
        abuse=abuse,
        request=request,
        complex=request is None and draws.complex < mix.complex,
    )


class Played(NamedTuple):
    """A played contact: the moves, the decisions asked for, the final interaction."""

    moves: tuple[events.Event, ...]
    decisions: tuple[Decision, ...]
    interaction: Interaction
    fatigue_after: float


class _Call:
    """The interaction as the moves and decisions change it."""

    __slots__ = ("decisions", "interaction", "moves")

    def __init__(self, interaction: Interaction) -> None:
        self.interaction = interaction
        self.moves: list[events.Event] = []
        self.decisions: list[Decision] = []

    def move(self, move: events.Event) -> None:
        self.moves.append(move)
        self.interaction = move.apply(self.interaction)

    def decline(self, seconds: float, clarity: float) -> None:
        self.move(events.BadNews(seconds=seconds / 2))
        self.move(events.ExplainPolicy(clarity=clarity, seconds=seconds / 2))


def _judge(
    call: _Call, shift: Shift, *, agent: Agent, caller: Caller, draws: Draws, ledger: Ledger
) -> None:
    """Propose the caller's request to the book and act on the verdict."""
    from stool.policy import apply_decision  # noqa: PLC0415 - the policy engine, on first use

    book = shift.company.policies
    assert book is not None  # noqa: S101 - Shift refuses requests without a book
    assert caller.request is not None  # noqa: S101
    request = next(r for r in shift.customers.requests if r.name == caller.request)
    behaviour = shift.behaviour
    work = draws.handle * shift.aht_s * _WORK

    def ask(by: Any, actor: str) -> Decision:
        decision = book.evaluate(
            request.context,
            by=by,
            ledger=ledger,
            actor=actor,
            when=shift.date,
            justification=request.justification,
            trace=False,
        )
        call.decisions.append(decision)
        return decision

    def grant(decision: Decision) -> None:
        if decision.verdict is Verdict.BENT:
            ledger.record(decision)
        cost = request.cost if decision.verdict is not Verdict.COMPLIANT else 0.0
        call.interaction = apply_decision(call.interaction, decision, cost=cost)
        call.move(events.Resolve(seconds=work))

    decision = ask(agent.authority, agent.id)
    if decision.verdict is Verdict.COMPLIANT:
        grant(decision)
    elif decision.verdict is Verdict.BENT:
        if draws.bend < behaviour.bend:
            grant(decision)
        else:
            call.decline(work, behaviour.clarity)
    elif (
        decision.requires is not None
        and decision.requires > agent.authority
        and draws.escalate < behaviour.escalate
    ):
        call.move(events.Escalate(to=decision.requires, seconds=behaviour.escalation_s))
        above = ask(decision.requires, shift.supervisor)
        if above.verdict is Verdict.BROKEN:
            call.decline(work, behaviour.clarity)
        else:
            grant(above)
    elif draws.break_rules < behaviour.break_rules:
        grant(decision)
    else:
        call.decline(work, behaviour.clarity)


def play(
    shift: Shift,
    *,
    agent: Agent,
    caller: Caller,
    draws: Draws,
    fatigue: float,
    wait_s: float,
    ledger: Ledger,
) -> Played:
    """Play one answered contact with the events of [stool.events][] and the book.

    The routine part of the call takes the caller's handle-time draw (greeting,
    listening, then the request); abuse, escalations, staying longer and the extra mile
    add their own time.
    """
    mix, behaviour, strain = shift.customers, shift.behaviour, shift.strain
    starting = STARTING[caller.starting]
    company = shift.company
    call = _Call(
        Interaction(
            fulfilment=0.0,
            empathy=1.0,
            explanation_clarity=0.0,
            extra_mile=False,
            handle_time_s=0.0,
            aht_target_s=company.aht_target_s,
            wait_time_s=wait_s,
            repeat_contacts=starting.repeat_contacts,
            expectation=starting.expectation,
            prior_bad_experiences=caller.prior_bad_experiences,
            customer_value=mix.lifetime_value,
            customer_abuse=0.0,
            agent_fatigue=fatigue,
            authority=agent.authority,
            thanked=False,
            concession_budget=company.concession_budget,
        )
    )
    base = draws.handle * shift.aht_s
    call.move(events.Greet(seconds=base * _GREET))
    empathy = strain.empathy(behaviour.empathy, fatigue)
    call.move(events.Listen(empathy=empathy, seconds=base * _LISTEN))
    ended = False
    if caller.abuse > 0.0:
        call.move(events.CustomerAbuse(severity=caller.abuse))
        if draws.end < behaviour.end_abusive:
            call.move(events.EndCall(by_agent=True))
            ended = True
    if not ended:
        if caller.request is not None:
            _judge(call, shift, agent=agent, caller=caller, draws=draws, ledger=ledger)
        elif not caller.complex:
            call.move(events.Resolve(seconds=base * _WORK))
        elif draws.stay < behaviour.stay_longer:
            call.move(events.Resolve(seconds=base * _WORK + behaviour.stay_longer_s))
        else:
            call.move(events.Resolve(fulfilment=mix.partial, seconds=base * _WORK))
        fulfilment = call.interaction.fulfilment or 0.0
        if (
            fulfilment >= shift.model.thresholds.fulfilled_at
            and draws.extra_mile < behaviour.extra_mile
        ):
            call.move(events.ExtraMile(seconds=behaviour.extra_mile_s))
        clarity = call.interaction.explanation_clarity or 0.0
        chance = mix.thanks * (fulfilment + (1.0 - fulfilment) * 0.5 * clarity)
        if caller.abuse == 0.0 and draws.thanks < chance:
            call.move(events.Thank())
    final = call.interaction
    overrun = max(final.handle_time_s / final.aht_target_s - 1.0, 0.0)
    after = strain.after_contact(
        fatigue,
        handle_s=final.handle_time_s,
        severity=caller.abuse,
        backed=final.escalated or final.ended_by_agent,
        overrun=overrun,
        thanked=bool(final.thanked),
    )
    return Played(tuple(call.moves), tuple(call.decisions), final, after)
