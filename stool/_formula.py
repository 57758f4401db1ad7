"""The one formula of every factor, written once for floats and numpy arrays alike.

Each function takes a math backend `xp` first: `SCALAR` (the `math` module and
builtins) for one interaction, or `array_math()` (numpy) for a column batch.
The formulas use only arithmetic, comparisons and the backend's `exp`, `tanh`,
`minimum`, `maximum`, `where` and `capped` (a minimum where a condition holds: a
critical item), so the same code runs on both paths and they agree to the last bit except
where numpy's `exp`/`tanh` round differently from the C library's (an ulp or so).

Inputs are the [Interaction][stool.Interaction] fields, except that an optional promise
arrives as `promise_gap`: promised minus delivered days, or 0 when either is absent.
Nothing here validates: [score][stool.score] reads a validated Interaction and
[score_batch][stool.score_batch] validates every column first.
"""

from __future__ import annotations

import math
import operator
import types
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from stool.models import AgentModel, CompanyModel, CustomerModel, StoolModel

_mul = operator.mul

RATIO_CEILING: Final = 1e9
"""Ratios (handle time to target, concession to budget) and the disconfirmation saturate
here, long after their factor has reached 0 or 1, so that no finite input or parameter
can turn a factor into `0 * inf`."""

BUDGET_FLOOR: Final = 1e-12
"""A concession budget of 0 is divided as if it were this (any cost is then far over)."""


def _where(condition: Any, if_true: Any, if_false: Any) -> Any:
    return if_true if condition else if_false


def _capped(value: Any, condition: Any, ceiling: float) -> Any:
    return min(value, ceiling) if condition else value


SCALAR: Final = types.SimpleNamespace(
    exp=math.exp, tanh=math.tanh, minimum=min, maximum=max, where=_where, capped=_capped
)
"""The float backend: one interaction."""


def array_math() -> Any:
    """Return the numpy backend (imports numpy; only the batch path calls this)."""
    import numpy as np  # noqa: PLC0415 - numpy is an optional extra

    def capped(value: Any, condition: Any, ceiling: float) -> Any:
        return np.where(condition, np.minimum(value, ceiling), value)

    return types.SimpleNamespace(
        exp=np.exp,
        tanh=np.tanh,
        minimum=np.minimum,
        maximum=np.maximum,
        where=np.where,
        capped=capped,
    )


def logistic(xp: Any, x: Any) -> Any:
    """The logistic curve `1 / (1 + exp(-x))`, written with tanh so it never overflows."""
    return 0.5 + 0.5 * xp.tanh(0.5 * x)


def overrun(xp: Any, handle_time_s: Any, aht_target_s: Any) -> Any:
    """How far the handle time ran over the AHT target, in targets: 0 up to the target.

    The target is what the agent is graded against, so time inside it costs nothing; the
    company and the agent then feel the overrun as `exp(-aht_slope * overrun)`, each
    with its own slope.
    """
    return xp.maximum(xp.minimum(handle_time_s / aht_target_s, RATIO_CEILING) - 1.0, 0.0)


def expected_outcome(xp: Any, m: CustomerModel, expectation: Any, prior_bad: Any) -> Any:
    """What the customer expects to get, lowered by each prior bad experience.

    `expectation * exp(-expectation_drop * prior_bad)`: the
    gym caller braced for a fight expects little, so a quick yes delights (seed 004).
    """
    return expectation * xp.exp(-m.expectation_drop * prior_bad)


def customer_factors(  # noqa: PLR0917 - positional on purpose: called once per interaction
    xp: Any,
    m: CustomerModel,
    fulfilment: Any,
    professionalism: Any,
    empathy: Any,
    clarity: Any,
    extra_mile: Any,
    wait_time_s: Any,
    transfers: Any,
    repeat_contacts: Any,
    promise_gap: Any,
    expectation: Any,
    prior_bad: Any,
) -> tuple[Any, ...]:
    """Return the customer factor satisfactions, in `CustomerModel.FACTORS` order."""
    # Informational justice: an explanation is owed in proportion to the bad news.
    explanation = 1.0 - (1.0 - fulfilment) * (1.0 - clarity)
    # Customer effort: waiting, transfers and repeat contacts, in units of effort.
    effort = xp.exp(
        -(
            wait_time_s / m.wait_scale_s
            + m.transfer_effort * transfers
            + m.repeat_effort * repeat_contacts
        )
    )
    # Expectation-disconfirmation: outcome against the (lowered) expectation, plus days
    # early against the promise; a shortfall weighs loss_aversion times a surplus.
    expected = expected_outcome(xp, m, expectation, prior_bad)
    gap = fulfilment - expected + promise_gap / m.promise_scale_days
    # Saturate (tanh is flat long before) so that no parameter turns it into 0 * inf.
    gap = xp.minimum(xp.maximum(gap, -RATIO_CEILING), RATIO_CEILING)
    felt = xp.where(gap < 0.0, m.loss_aversion * gap, gap)
    expectations = logistic(xp, m.disconfirmation_steepness * felt)
    # Recovery from a bad start: hostility from prior bad experiences, repaired by a
    # professional fulfilment, fully so with the extra mile.
    hostility = 1.0 - xp.exp(-m.hostility_rate * prior_bad)
    share = m.recovery_without_extra_mile
    repair = fulfilment * professionalism * (share + (1.0 - share) * extra_mile)
    recovery = 1.0 - hostility * (1.0 - repair)
    return (
        fulfilment,
        professionalism,
        empathy,
        explanation,
        effort,
        expectations,
        extra_mile * 1.0,
        recovery,
    )


def company_factors(  # noqa: PLR0917
    xp: Any,
    m: CompanyModel,
    customer: Any,
    bends: Any,
    breaks: Any,
    concession_cost: Any,
    concession_budget: Any,
    over: Any,
    customer_value: Any,
    prior_bad: Any,
) -> tuple[Any, ...]:
    """Return the company factor satisfactions, in `CompanyModel.FACTORS` order.

    `customer` is the customer leg's value: the predicted customer satisfaction; `over`
    is the handle-time `overrun`.
    """
    policy = xp.exp(-(m.bend_cost * bends + m.break_cost * breaks))
    spent = xp.minimum(concession_cost / xp.maximum(concession_budget, BUDGET_FLOOR), RATIO_CEILING)
    concession = xp.exp(
        -(
            m.concession_within * xp.minimum(spent, 1.0)
            + m.concession_over * xp.maximum(spent - 1.0, 0.0)
        )
    )
    handle = xp.exp(-m.aht_slope * over)
    # Word of mouth and a bad survey: likely below the midpoint, rare above it.
    reputation = logistic(xp, m.reputation_steepness * (customer - m.reputation_midpoint))
    # Retention: the share of the customer's value at stake, times the chance of losing
    # them; prior bad experiences leave a scar a good recovery does not remove.
    stake = customer_value / (customer_value + m.retention_value_scale)
    loyal = customer * xp.exp(-m.loyalty_scar * prior_bad)
    retention = 1.0 - stake * (1.0 - loyal)
    return (policy, concession, handle, reputation, retention)


def strain(xp: Any, abuse: Any, fulfilment: Any) -> Any:
    """How hard the contact was on the agent: abuse, or bad news to deliver."""
    return xp.maximum(abuse, 1.0 - fulfilment)


def agent_factors(  # noqa: PLR0917
    xp: Any,
    m: AgentModel,
    customer: Any,
    abuse: Any,
    thanked: Any,
    breaks: Any,
    over: Any,
    fatigue: Any,
    fulfilment: Any,
    escalated: Any,
    ended_by_agent: Any,
) -> tuple[Any, ...]:
    """Return the agent factor satisfactions, in `AgentModel.FACTORS` order.

    `customer` is the customer leg's value: a good survey is predicted, never read;
    `over` is the handle-time `overrun`.
    """
    respect = 1.0 - abuse
    recognition = 1.0 - (1.0 - m.thanks_boost * thanked) * (1.0 - customer)
    job = xp.exp(-m.job_break_cost * breaks)
    handle = xp.exp(-m.aht_slope * over)
    rested = 1.0 - fatigue
    # Support matters in proportion to the strain: abuse, or bad news to deliver.
    backed = xp.maximum(escalated, ended_by_agent)
    support = 1.0 - strain(xp, abuse, fulfilment) * (1.0 - backed)
    return (respect, recognition, job, handle, rested, support)


def weighted_mean(normalised: tuple[float, ...], factors: tuple[Any, ...]) -> tuple[list[Any], Any]:
    """Return the terms `w_i * s_i` (the contributions) and their sum, the leg's value.

    `normalised` are the leg's weights divided by their total, trimmed by the model so
    that they add up to at most 1 in floating point; since every `s_i <= 1`, the value
    stays at most 1, and the contributions add up to it exactly (summed in this order).
    """
    terms = list(map(_mul, normalised, factors))
    value: Any = 0.0
    for term in terms:
        value = value + term
    return terms, value


def evaluate(  # noqa: PLR0917 - positional on purpose: the hot path of both paths
    xp: Any,
    model: StoolModel,
    fulfilment: Any,
    professionalism: Any,
    empathy: Any,
    clarity: Any,
    extra_mile: Any,
    wait_time_s: Any,
    transfers: Any,
    repeat_contacts: Any,
    promise_gap: Any,
    expectation: Any,
    prior_bad: Any,
    customer_value: Any,
    abuse: Any,
    fatigue: Any,
    ended_by_agent: Any,
    escalated: Any,
    thanked: Any,
    bends: Any,
    breaks: Any,
    concession_cost: Any,
    concession_budget: Any,
    handle_time_s: Any,
    aht_target_s: Any,
) -> tuple[Any, ...]:
    """Compute the three legs, the customer leg first (the service-profit chain).

    Returns:
        `(customer_terms, customer, company_terms, company_uncapped, company,
        agent_terms, agent_uncapped, agent_after_abuse, agent)`: each leg's
        contributions, its value before its caps, after each cap in turn, and its value.
    """
    cm = model.customer
    customer_terms, customer = weighted_mean(
        cm._normalised,  # noqa: SLF001
        customer_factors(
            xp,
            cm,
            fulfilment,
            professionalism,
            empathy,
            clarity,
            extra_mile,
            wait_time_s,
            transfers,
            repeat_contacts,
            promise_gap,
            expectation,
            prior_bad,
        ),
    )
    over = overrun(xp, handle_time_s, aht_target_s)
    km = model.company
    company_terms, company_uncapped = weighted_mean(
        km._normalised,  # noqa: SLF001
        company_factors(
            xp,
            km,
            customer,
            bends,
            breaks,
            concession_cost,
            concession_budget,
            over,
            customer_value,
            prior_bad,
        ),
    )
    broke = breaks > 0
    company = xp.capped(company_uncapped, broke, km.break_cap)
    am = model.agent
    agent_terms, agent_uncapped = weighted_mean(
        am._normalised,  # noqa: SLF001
        agent_factors(
            xp,
            am,
            customer,
            abuse,
            thanked,
            breaks,
            over,
            fatigue,
            fulfilment,
            escalated,
            ended_by_agent,
        ),
    )
    agent_after_abuse = xp.capped(agent_uncapped, abuse >= am.severe_abuse_at, am.abuse_cap)
    agent = xp.capped(agent_after_abuse, broke, am.break_cap)
    return (
        customer_terms,
        customer,
        company_terms,
        company_uncapped,
        company,
        agent_terms,
        agent_uncapped,
        agent_after_abuse,
        agent,
    )


def predicted_csat(customer: Any) -> Any:
    """Map the customer leg's value to a CSAT answer from 1 to 5: `1 + 4 * customer`.

    The top-two box (4 and 5) starts at a customer leg of 0.75, the start of the green band; the
    neutral answer 3 is 0.5, the default at-risk level.
    """
    return 1.0 + 4.0 * customer
