"""The three parties of an interaction: the customer, the agent and the company.

Parties are frozen values.
An [Interaction][stool.Interaction] copies the facts it needs from them
(see [Interaction.for_parties][stool.interaction.Interaction.for_parties]), so a score never
depends on anything but the interaction itself.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import attrs

from stool._fields import count, enum_field, fraction, non_negative, positive, text
from stool.enums import Authority
from stool.errors import ValidationError

if TYPE_CHECKING:
    # Only for type checkers: the data model sits below the policy engine and never
    # imports it; the engine loads on first use, not with `import stool`.
    from stool.policy import PolicyBook

__all__ = ["Agent", "Company", "Customer"]


@attrs.frozen(kw_only=True)
class Customer:
    """The person who contacted the company.

    Examples:
        >>> Customer(id="C-1042", prior_bad_experiences=2, expectations=0.2)
        Customer(id='C-1042', lifetime_value=0.0, prior_bad_experiences=2, expectations=0.2)
    """

    id: str = text()
    """Your identifier for the customer; never empty."""
    lifetime_value: float = non_negative(0.0, unit="(currency)")
    """What the relationship is worth to the company, in your currency; 0 when unknown."""
    prior_bad_experiences: int = count(0)
    """Earlier bad service experiences the customer brings along (the veteran rep's essay:
    they lower expectations and raise hostility)."""
    expectations: float = fraction(0.5)
    """What the customer expects from this contact: 0 braced for a fight, 0.5 ordinary,
    1 expects to be delighted (Oliver's expectation-disconfirmation)."""


@attrs.frozen(kw_only=True)
class Agent:
    """The representative handling the interaction.

    Examples:
        >>> Agent(id="rep-7", tenure_months=30, fatigue=0.4)
        Agent(id='rep-7', authority=<Authority.AGENT: 1>, tenure_months=30, fatigue=0.4)
    """

    id: str = text()
    """Your identifier for the agent; never empty."""
    authority: Authority = enum_field(Authority, Authority.AGENT)
    """The agent's own authority (a supervisor taking a call acts as SUPERVISOR)."""
    tenure_months: float = non_negative(0.0, unit="months")
    """Months in the role."""
    fatigue: float = fraction(0.0)
    """Fatigue carried into the interaction: 0 fresh, 1 exhausted (emotional exhaustion,
    Maslach & Jackson 1981)."""


def _policies(_instance: Any, _attribute: Any, value: Any) -> None:
    if value is None:
        return
    # Data flows one way: the policy engine imports the data model, never the reverse.
    # A PolicyBook can only exist once the engine is loaded, so until then nothing is one.
    engine = sys.modules.get("stool.policy")
    if engine is None or not isinstance(value, engine.PolicyBook):
        raise ValidationError("Company.policies", value, "a PolicyBook, or None")


@attrs.frozen(kw_only=True)
class Company:
    """The business the agent represents.

    Examples:
        >>> Company(name="Acme Furniture", aht_target_s=420)
        Company(name='Acme Furniture', aht_target_s=420, concession_budget=50.0, policies=None)
    """

    name: str = text()
    """The company's name; never empty."""
    aht_target_s: float = positive(360.0, unit="seconds")
    """The average handle time target agents are graded against, in seconds."""
    concession_budget: float = non_negative(50.0, unit="(currency)")
    """What an agent may give away in one interaction (credits, refunds beyond policy,
    goodwill), in your currency."""
    policies: PolicyBook | None = attrs.field(default=None, validator=_policies)
    """The company's policy book (see [stool.policy][]): what its agents may bend and what
    no one may break; None when the company has none on record."""
