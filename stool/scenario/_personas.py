"""Personas: named customers with their typical state when the contact opens.

A scenario file names one (`persona = "braced-for-a-fight"`) instead of spelling out
the customer and the opening facts; the file's own `[customer]` and `[start]` keys win
over the persona's.
"""

from __future__ import annotations

import difflib
import types
from typing import TYPE_CHECKING, Any, Final

import attrs

from stool._fields import enum_field, instance_of, text
from stool.enums import Channel
from stool.errors import ValidationError
from stool.interaction import Interaction
from stool.parties import Customer
from stool.scenario._moves import _check_changes, _FrozenMap, _to_changes

if TYPE_CHECKING:
    from collections.abc import Mapping

    from stool.parties import Agent, Company

__all__ = ["OPEN_REQUEST", "PERSONAS", "Persona", "persona"]


OPEN_REQUEST: Final[Mapping[str, Any]] = _FrozenMap(
    {"fulfilment": 0.0, "empathy": 0.5, "explanation_clarity": 0.0, "handle_time_s": 0.0}
)
"""The facts of a contact that has just opened on a request: nothing fulfilled, no empathy
shown yet (`empathy` 0.5, neutral), nothing explained, no time spent."""


@attrs.frozen(kw_only=True)
class Persona:
    """A named customer and the state the contact opens in: a preset for scenario files.

    Example:
        >>> braced = PERSONAS["braced-for-a-fight"]
        >>> braced.customer.prior_bad_experiences, braced.start().fulfilment
        (1, 0.0)
    """

    name: str = text()
    """The name a scenario file uses (`persona = "abusive-caller"`)."""
    title: str = text()
    """A short phrase for menus and pages."""
    description: str = text()
    """Who this customer is and what a trainee should expect, in the source stories' words."""
    customer: Customer = attrs.field(validator=instance_of(Customer))
    """The customer: expectations, prior bad experiences, lifetime value."""
    opening: Mapping[str, Any] = attrs.field(
        factory=_FrozenMap, converter=_to_changes, validator=_check_changes
    )
    """Facts of the [Interaction][stool.interaction.Interaction] when the contact opens,
    on top of what the parties bring (for example `{"repeat_contacts": 2}`)."""
    channel: Channel = enum_field(Channel, Channel.CALL)
    """The channel the persona's examples use; a scenario may choose another."""

    def start(
        self,
        *,
        agent: Agent | None = None,
        company: Company | None = None,
        channel: Channel | None = None,
    ) -> Interaction:
        """Return the interaction the contact opens with: the parties' facts, then `opening`.

        Args:
            agent: The agent; None for the defaults.
            company: The company; None for the defaults.
            channel: The channel; None for the persona's.

        Returns:
            The opening interaction.

        Example:
            >>> PERSONAS["abusive-caller"].start().repeat_contacts
            2
        """
        return Interaction.for_parties(
            customer=self.customer,
            agent=agent,
            company=company,
            **{"channel": self.channel if channel is None else channel, **self.opening},
        )


def _open(**facts: Any) -> dict[str, Any]:
    return {**OPEN_REQUEST, **facts}


PERSONAS: Final[Mapping[str, Persona]] = types.MappingProxyType(
    {
        p.name: p
        for p in (
            Persona(
                name="very-satisfied",
                title="A very satisfied customer",
                description=(
                    "Got what they asked for last time, and the agent went the extra mile "
                    "(the customer types of seed 000); calls back with a follow-up. "
                    "The trainee's job is not to spoil it."
                ),
                customer=Customer(id="very-satisfied", expectations=0.7, lifetime_value=1500.0),
                opening={
                    "fulfilment": 1.0,
                    "extra_mile": True,
                    "empathy": 1.0,
                    "explanation_clarity": 1.0,
                    "handle_time_s": 0.0,
                },
            ),
            Persona(
                name="satisfied",
                title="A satisfied customer",
                description=(
                    "Got what they asked for; the inconvenience was made up for by the "
                    "resolution. Calls to confirm a detail."
                ),
                customer=Customer(id="satisfied", expectations=0.5, lifetime_value=600.0),
                opening={"fulfilment": 1.0, "empathy": 0.5, "handle_time_s": 0.0},
            ),
            Persona(
                name="dissatisfied",
                title="A dissatisfied customer",
                description=(
                    "The request is open and not yet fulfilled; nobody has been rude. "
                    "Where every canned scenario starts."
                ),
                customer=Customer(id="dissatisfied"),
                opening=_open(),
            ),
            Persona(
                name="very-dissatisfied",
                title="A very dissatisfied customer",
                description=(
                    "Not fulfilled, and handled unprofessionally before the call reached the "
                    "trainee (a curt first agent, then a transfer). Turning this customer into "
                    "a very satisfied one is the best outcome there is."
                ),
                customer=Customer(
                    id="very-dissatisfied", prior_bad_experiences=1, expectations=0.2
                ),
                opening=_open(professionalism=0.2, transfers=1),
            ),
            Persona(
                name="braced-for-a-fight",
                title="A caller braced for a fight",
                description=(
                    "One bad experience behind them (an hour with three people to cancel, and "
                    "still paying: the veteran rep's essay) and low expectations: they call "
                    '"in a bad mood because I was waiting for a fight". A quick yes wins them.'
                ),
                customer=Customer(
                    id="braced-for-a-fight", prior_bad_experiences=1, expectations=0.1
                ),
                opening=_open(),
            ),
            Persona(
                name="abusive-caller",
                title="An abusive caller",
                description=(
                    "A third contact about the same issue, two bad experiences behind them; "
                    "shouts, then insults (the supervisor's tips: \"Please do NOT scream at, "
                    'berate, curse at ... the rep"). Script the outbursts as CustomerAbuse '
                    "moves, so the trainee sees what each costs the agent leg."
                ),
                customer=Customer(id="abusive-caller", prior_bad_experiences=2, expectations=0.2),
                opening=_open(repeat_contacts=2),
            ),
            Persona(
                name="knows-the-rule",
                title="A customer who knows the rule and asks anyway",
                description=(
                    "The rule was on the receipt and explained at booking (the four-hour "
                    "delivery window of the veteran rep's essay), and they expect an exception "
                    "all the same: high expectations, request open. Explaining why the rule "
                    "exists is what lifts them."
                ),
                customer=Customer(id="knows-the-rule", expectations=0.8, lifetime_value=1200.0),
                opening=_open(),
            ),
        )
    }
)
"""The personas a scenario file can name, by name: the four customer types' typical
opening states (`very-satisfied`, `satisfied`, `dissatisfied`, `very-dissatisfied`) and
the characters of the source stories (`braced-for-a-fight`, `abusive-caller`,
`knows-the-rule`)."""


def persona(name: str) -> Persona:
    """Return the persona called `name`.

    Args:
        name: One of the names in [PERSONAS][stool.scenario.PERSONAS].

    Returns:
        The persona.

    Raises:
        ValidationError: If no persona has that name; the message suggests the closest.

    Example:
        >>> persona("knows-the-rule").customer.expectations
        0.8
    """
    candidate: object = name  # callers may pass anything, despite the annotation
    found = PERSONAS.get(name) if isinstance(candidate, str) else None
    if found is not None:
        return found
    allowed = "one of " + ", ".join(PERSONAS)
    close = suggest(name, list(PERSONAS))
    if close is not None:
        allowed += f" (did you mean {close!r}?)"
    raise ValidationError("persona", name, allowed)


def suggest(value: Any, choices: list[str]) -> str | None:
    """Return the choice `value` most likely meant: same letters ignoring case, or close."""
    if not isinstance(value, str) or not choices:
        return None
    squashed = _squash(value)
    for choice in choices:
        if _squash(choice) == squashed:
            return choice
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    if close:
        return close[0]
    lowered = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())
