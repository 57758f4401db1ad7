"""The parts of a shift: who calls and what they ask, how agents act, how strain builds.

Each part is a frozen value with named, documented numbers, as the leg models are:
[CustomerMix][stool.shift.CustomerMix] (the callers, and the [Request][stool.shift.Request]s
a policy book judges), [Behaviour][stool.shift.Behaviour] (how often agents bend,
escalate, go the extra mile, stay longer), [Strain][stool.shift.Strain] (how fatigue
builds and recovers) and [Breaks][stool.shift.Breaks] (rest breaks).
"""

from __future__ import annotations

import math
import types
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

from stool._fields import SPEC, Spec, _normalise_real, fraction, non_negative, positive, text
from stool.enums import CustomerType
from stool.errors import ValidationError

__all__ = ["STARTING", "Behaviour", "Breaks", "CustomerMix", "Request", "Starting", "Strain"]


@attrs.frozen(kw_only=True)
class Starting:
    """What a caller brings into the contact from the state they start in."""

    expectation: float
    """The caller's expectation of this contact (see
    `Interaction.expectation`)."""
    prior_bad_experiences: int
    """Bad experiences the state itself stands for, added to the mix's random ones."""
    repeat_contacts: int
    """Earlier contacts about the same issue: a caller whose request was not fulfilled
    is calling again."""


STARTING: Final[types.MappingProxyType[CustomerType, Starting]] = types.MappingProxyType(
    {
        CustomerType.VERY_SATISFIED: Starting(
            expectation=0.9, prior_bad_experiences=0, repeat_contacts=0
        ),
        CustomerType.SATISFIED: Starting(
            expectation=0.6, prior_bad_experiences=0, repeat_contacts=0
        ),
        CustomerType.DISSATISFIED: Starting(
            expectation=0.3, prior_bad_experiences=1, repeat_contacts=1
        ),
        CustomerType.VERY_DISSATISFIED: Starting(
            expectation=0.1, prior_bad_experiences=2, repeat_contacts=1
        ),
    }
)
"""How each of the four customer types of the source stories starts a contact.

A caller who starts *very satisfied* (a fan, after an extra mile last time) expects much;
one who starts *very dissatisfied* (not fulfilled and handled unprofessionally last time)
comes back braced for a fight, with two bad experiences behind them (the veteran rep's
essay: past bad experiences lower expectations and raise hostility).
"""


_SEVERITY: Final = Spec(
    kind="real", low=0.0, low_open=True, high=1.0, allowed="a number above 0, at most 1"
)


def _frozen_context(value: Any) -> Any:
    if isinstance(value, Mapping):
        return types.MappingProxyType(dict(value))
    return value


def _check_context(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    name = f"{type(instance).__name__}.{attribute.name}"
    if not isinstance(value, Mapping):
        raise ValidationError(name, value, "a mapping of the policy book's context fields")
    for key in value:
        if type(key) is not str or not key:
            raise ValidationError(name, key, "field names (non-empty strings) as keys")


def _optional_text(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (type(value) is not str or not value):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}", value, "a non-empty string, or None"
        )


@attrs.frozen(kw_only=True)
class Request:
    """A kind of request that the company's policy book judges: a refund, a waiver.

    The agent proposes the action in `context` to the book, acting with their own
    authority, through the shift's ledger; the
    [Behaviour][stool.shift.Behaviour] says what they do with the verdict.

    Example:
        >>> late = Request(name="refund three days late", share=0.1, cost=40.0, context={
        ...     "action": "refund", "days_since_purchase": 33, "refund_amount": 40.0,
        ...     "purchase_price": 40.0, "item_category": "kitchen"})
        >>> late.context["days_since_purchase"]
        33
    """

    name: str = text()
    """A name for reports; never empty, and distinct within a mix."""
    share: float = fraction(0.0)
    """The share of all callers who come with this request, from 0 to 1."""
    context: Mapping[str, Any] = attrs.field(
        converter=_frozen_context, validator=_check_context, hash=False
    )
    """The action proposed, as the policy book's context (read-only)."""
    cost: float = non_negative(0.0, unit="(currency)")
    """What granting the request beyond policy gives away (the concession), in the
    company's currency; 0 when it costs nothing beyond what policy allows."""
    justification: str | None = attrs.field(default=None, validator=_optional_text)
    """Why the agent deviates, for rules that need a justification; None for none."""


def _requests_tuple(value: Any) -> Any:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        return value
    return tuple(value)


def _check_requests(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    name = f"{type(instance).__name__}.{attribute.name}"
    if not isinstance(value, tuple):
        raise ValidationError(name, value, "a sequence of Requests")
    for index, request in enumerate(value):
        if not isinstance(request, Request):
            raise ValidationError(f"{name}[{index}]", request, "a Request")
    names = [request.name for request in value]
    for index, request in enumerate(value):
        if names.index(request.name) != index:
            raise ValidationError(f"{name}[{index}].name", request.name, "a name used once")
    total = math.fsum(request.share for request in value)
    if total > 1.0 + 1e-12:
        raise ValidationError(
            name, total, "requests whose shares add up to at most 1 (the rest are routine)"
        )


@attrs.frozen(kw_only=True)
class CustomerMix:
    """Who calls: the state callers start in, their history, their abuse, their requests.

    The four `very_satisfied` ... `very_dissatisfied` numbers are relative shares of the
    state callers start in (only their ratios matter; see
    [STARTING][stool.shift.STARTING] for what each state brings).
    `requests` are the requests a policy book judges; the callers left over (one minus
    their shares) bring a routine request, within policy, which the agent resolves, in
    full or, when it is `complex`, in part unless they stay longer.

    Example:
        >>> difficult = CustomerMix(very_dissatisfied=0.5, abusive=0.3)
        >>> round(difficult.starting_shares[CustomerType.VERY_DISSATISFIED], 3)
        0.357
    """

    very_satisfied: float = non_negative(0.1)
    """Relative share of callers who start very satisfied."""
    satisfied: float = non_negative(0.5)
    """Relative share of callers who start satisfied."""
    dissatisfied: float = non_negative(0.3)
    """Relative share of callers who start dissatisfied (a request not fulfilled before)."""
    very_dissatisfied: float = non_negative(0.1)
    """Relative share of callers who start very dissatisfied (not fulfilled, and handled
    unprofessionally, before)."""
    prior_bad_experiences: float = non_negative(0.3, high=20.0)
    """The mean number of further bad service experiences a caller brings along
    (a Poisson count on top of the starting state's), at most 20."""
    abusive: float = fraction(0.1)
    """The share of callers who abuse the agent (Grandey, Dickter & Sin 2004 found about
    ten aggressive calls a day per agent)."""
    abuse_severity: float = attrs.field(
        default=0.6, converter=_normalise_real, validator=_SEVERITY, metadata={SPEC: _SEVERITY}
    )
    """How severe their abuse is: about 0.5 shouting or cursing, 0.75 and above insults
    or threats (see [CustomerAbuse][stool.events.CustomerAbuse]); above 0, at most 1."""
    complex: float = fraction(0.3)
    """The share of routine requests a standard call resolves only in part."""
    partial: float = fraction(0.5)
    """How far a complex request is fulfilled when the agent does not stay longer."""
    thanks: float = fraction(0.5)
    """The chance that a caller whose request was fulfilled thanks the agent; a caller
    who got bad news, clearly explained, thanks at half that rate times the clarity.
    Abusive callers never do."""
    lifetime_value: float = non_negative(500.0, unit="(currency)")
    """Each caller's lifetime value, in the company's currency (the retention at stake)."""
    requests: tuple[Request, ...] = attrs.field(
        default=(), converter=_requests_tuple, validator=_check_requests
    )
    """The requests the policy book judges, each with its share of the callers."""

    def __attrs_post_init__(self) -> None:
        shares = (self.very_satisfied, self.satisfied, self.dissatisfied, self.very_dissatisfied)
        total = math.fsum(shares)
        if not (0.0 < total < math.inf):
            names = ("very_satisfied", "satisfied", "dissatisfied", "very_dissatisfied")
            raise ValidationError(
                "CustomerMix.satisfied",
                dict(zip(names, shares, strict=True)),
                f"starting shares ({', '.join(names)}) of which at least one is above 0, "
                "adding up to a finite number",
            )

    @property
    def starting_shares(self) -> dict[CustomerType, float]:
        """The share of callers starting in each state, adding up to 1."""
        shares = (self.very_satisfied, self.satisfied, self.dissatisfied, self.very_dissatisfied)
        total = math.fsum(shares)
        return {kind: share / total for kind, share in zip(CustomerType, shares, strict=True)}

    @property
    def routine(self) -> float:
        """The share of callers whose request is routine (no policy book needed)."""
        return max(0.0, 1.0 - math.fsum(request.share for request in self.requests))


@attrs.frozen(kw_only=True)
class Behaviour:
    """How the agents act: how often they bend, escalate, go the extra mile, stay longer.

    Each rate is the chance the agent does it when the situation arises; the same
    random numbers decide each caller's case in every what-if, so raising a rate changes
    only the calls where it makes a difference.

    Example:
        >>> careful = Behaviour(bend=0.2, escalate=0.9)
        >>> careful.bend, careful.stay_longer
        (0.2, 0.5)
    """

    bend: float = fraction(0.6)
    """The chance an agent bends a rule when the book allows them to (BENT)."""
    escalate: float = fraction(0.5)
    """The chance an agent escalates a request beyond their authority that a higher
    authority may approve."""
    break_rules: float = fraction(0.0)
    """The chance an agent grants a request the book calls broken anyway."""
    extra_mile: float = fraction(0.15)
    """The chance an agent goes the extra mile once a request is fulfilled."""
    stay_longer: float = fraction(0.5)
    """The chance an agent stays on to resolve a complex request fully."""
    stay_longer_s: float = non_negative(120.0, unit="seconds")
    """The extra handle time it takes to resolve a complex request fully."""
    extra_mile_s: float = non_negative(120.0, unit="seconds")
    """The handle time the extra mile takes."""
    escalation_s: float = non_negative(180.0, unit="seconds")
    """The agent's own time on an escalation: briefing and holding while a supervisor
    decides (180 s), or a warm transfer when supervisors take escalations over (30 s)."""
    end_abusive: float = fraction(0.5)
    """The chance an agent ends an abusive call (as the source stories allow)."""
    empathy: float = fraction(0.9)
    """The empathy a fresh agent shows; fatigue lowers it (see
    `Strain.empathy_drop`)."""
    clarity: float = fraction(0.8)
    """How clearly agents explain why, when the news is bad."""


@attrs.frozen(kw_only=True)
class Strain:
    """How an agent's fatigue builds over a shift and recovers, from contact to contact.

    Fatigue runs from 0 (fresh) to 1 (exhausted). After each contact it rises towards 1,
    `fatigue = 1 - (1 - fatigue) * exp(-load)`, with the load

        load = work_per_hour * handle_hours
             + abuse * severity * (1 - buffer * backed)
             + long_call * overrun

    where `backed` is 1 when the agent ended the call or a supervisor took part, and
    `overrun` the handle time beyond the AHT target, in targets.
    A thank-you takes `thanks` of the fatigue off; time between contacts lets it decay,
    `fatigue *= exp(-idle / recovery_s)`, and a rest break faster,
    `fatigue *= exp(-break / break_recovery_s)`.
    Every step keeps fatigue between 0 and 1. The fatigue carried into a contact is the
    interaction's `agent_fatigue`, and lowers the empathy the agent shows.

    The shape follows the research: customer verbal aggression, about ten times a day in
    call centres, and its appraisal drive emotional exhaustion, and autonomy buffers it
    (Grandey, Dickter & Sin 2004); exhaustion is the first dimension of burnout and
    shows as depersonalisation (Maslach & Jackson 1981). The numbers are illustrative
    defaults, not fitted: change them with `attrs.evolve`.

    Example:
        >>> round(Strain().after_contact(0.0, handle_s=3600.0, severity=0.0, backed=False,
        ...                              overrun=0.0, thanked=False), 3)
        0.095
    """

    work_per_hour: float = non_negative(0.1)
    """Load per hour on calls: an hour of ordinary calls takes a fresh agent to 0.095."""
    abuse: float = non_negative(0.3)
    """Load per unit of abuse severity: one call of insults (0.9) takes a fresh agent to
    0.24."""
    buffer: float = fraction(0.5)
    """The share of abuse's load taken off when the agent could end the call or had a
    supervisor's support (autonomy buffers exhaustion)."""
    long_call: float = non_negative(0.2)
    """Load per AHT target's worth of handle time beyond the target."""
    thanks: float = fraction(0.1)
    """The share of the fatigue a customer's thanks takes off."""
    recovery_s: float = positive(3600.0, unit="seconds")
    """Time between contacts in which fatigue falls to `exp(-1) = 37 %` of itself: the
    agent, waiting for the next call, is still on duty."""
    break_recovery_s: float = positive(900.0, unit="seconds")
    """Time on a rest break in which fatigue falls to 37 % of itself: a quarter of an
    hour off the phones restores more than an hour of gaps between calls."""
    empathy_drop: float = fraction(0.5)
    """The share of the empathy an exhausted agent no longer shows (depersonalisation)."""

    def after_contact(
        self,
        fatigue: float,
        *,
        handle_s: float,
        severity: float,
        backed: bool,
        overrun: float,
        thanked: bool,
    ) -> float:
        """Return the fatigue after a contact, from the fatigue carried into it."""
        load = (
            self.work_per_hour * handle_s / 3600.0
            + self.abuse * severity * (1.0 - self.buffer * backed)
            + self.long_call * overrun
        )
        # fatigue + (1 - fatigue) * (1 - exp(-load)), which never falls below `fatigue`
        # in floating point; the minimum only catches a last-ulp rounding above 1.
        after = min(fatigue - (1.0 - fatigue) * math.expm1(-load), 1.0)
        if thanked:
            after *= 1.0 - self.thanks
        return after

    def after_rest(self, fatigue: float, idle_s: float) -> float:
        """Return the fatigue after `idle_s` seconds between contacts."""
        return fatigue * math.exp(-idle_s / self.recovery_s)

    def after_break(self, fatigue: float, break_s: float) -> float:
        """Return the fatigue after a rest break of `break_s` seconds."""
        return fatigue * math.exp(-break_s / self.break_recovery_s)

    def empathy(self, shown: float, fatigue: float) -> float:
        """Return the empathy an agent with `fatigue` shows, fresh they would show `shown`."""
        return shown * (1.0 - self.empathy_drop * fatigue)


@attrs.frozen(kw_only=True)
class Breaks:
    """Rest breaks: a break of `length_s` after every `every_s` seconds on duty.

    The first breaks are staggered so that the team does not leave the phones together:
    agent `k` of `n` (in the shift's order, from 0) is first due a break after
    `every_s * (1/2 + k/n)`, then `every_s` after the end of each break.
    An agent due a break takes it when their current call ends; an agent on a break takes
    no calls. Breaks are taken only while calls still arrive.

    Example:
        >>> Breaks(every_s=7200, length_s=900).length_s
        900
    """

    every_s: float = positive(7200.0, unit="seconds")
    """Time on duty between breaks, in seconds."""
    length_s: float = positive(900.0, unit="seconds")
    """The length of a break, in seconds."""
