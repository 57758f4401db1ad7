"""The one formula of every factor, written once for floats and numpy arrays alike.

Each function takes a math backend `xp` first: `SCALAR` (the `math` module and
builtins) for one interaction, or `array_math()` (numpy) for a column batch.
The formulas use only arithmetic, comparisons and the backend's `exp`, `tanh`, `log`,
`log1p`, `isnan`, `minimum`, `maximum`, `where` and `capped` (a minimum where a condition
holds: a critical item), so the same code runs on both paths and they agree to the last
bit except where numpy's `exp`/`tanh` round differently from the C library's (an ulp or
so).

Inputs are the [Interaction][stool.Interaction] fields gathered in an
[Inputs][stool._formula.Inputs], except that a promise arrives as its lateness in days
([lateness_days][stool._formula.lateness_days]) and a wait with its channel's scale.
Unobserved inputs arrive at their best value, with an [Observed][stool._formula.Observed]
saying which they were.
Nothing here validates: [score][stool.score] reads a validated Interaction and
[score_batch][stool.score_batch] validates every column first.
"""

from __future__ import annotations

import math
import operator
import types
from typing import TYPE_CHECKING, Any, Final, NamedTuple

if TYPE_CHECKING:
    from stool.calibration import Calibration
    from stool.models import AgentModel, CompanyModel, CustomerModel, StoolModel

_mul = operator.mul

RATIO_CEILING: Final = 1e9
"""Ratios (handle time to target, concession to budget) and the disconfirmation saturate
here, long after their factor has reached 0 or 1, so that no finite input or parameter
can turn a factor into `0 * inf`."""

_NO_CASE: Final = 2.0
"""Above every satisfaction: marks a factor that is not a candidate to hold."""

TINY: Final = 1e-300
"""Ratios are floored here before a logarithm (a wait of 0 is handled on its own)."""

BUDGET_FLOOR: Final = 1e-12
"""A concession budget of 0 is divided as if it were this (any cost is then far over)."""


def _where(condition: Any, if_true: Any, if_false: Any) -> Any:
    return if_true if condition else if_false


def _minimum(a: Any, b: Any) -> Any:
    # What the builtin `min(a, b)` returns, NaN included, in half its time.
    return b if b < a else a  # noqa: FURB136 - the point


def _maximum(a: Any, b: Any) -> Any:
    # What the builtin `max(a, b)` returns, NaN included, in half its time.
    return b if b > a else a  # noqa: FURB136 - the point


def _capped(value: Any, condition: Any, ceiling: float) -> Any:
    return _minimum(value, ceiling) if condition else value


SCALAR: Final = types.SimpleNamespace(
    exp=math.exp,
    tanh=math.tanh,
    log=math.log,
    log1p=math.log1p,
    isnan=math.isnan,
    any=bool,
    minimum=_minimum,
    maximum=_maximum,
    where=_where,
    capped=_capped,
)
"""The float backend: one interaction."""


def array_math() -> Any:
    """Return the numpy backend (imports numpy; only the batch path calls this)."""
    import numpy as np  # noqa: PLC0415 - numpy is an optional extra

    any_of = np.logical_or.reduce

    def capped(value: Any, condition: Any, ceiling: float) -> Any:
        # The common case: no row is capped (a reduction is a fifth of `np.any`'s time).
        if not (any_of(condition) if isinstance(condition, np.ndarray) else condition):
            return value
        return np.where(condition, np.minimum(value, ceiling), value)

    return types.SimpleNamespace(
        exp=np.exp,
        tanh=np.tanh,
        log=np.log,
        log1p=np.log1p,
        isnan=np.isnan,
        any=np.any,
        minimum=np.minimum,
        maximum=np.maximum,
        where=np.where,
        capped=capped,
    )


def logistic(xp: Any, x: Any) -> Any:
    """The logistic curve `1 / (1 + exp(-x))`, written with tanh so it never overflows."""
    return 0.5 + 0.5 * xp.tanh(0.5 * x)


def logistic_of_half(xp: Any, half: Any) -> Any:
    """`logistic(2 * half)`: the logistic curve for callers that halve their argument.

    A caller that computes `k * x` with a constant `k` passes `(0.5 * k) * x`, one array
    operation fewer. Halving a float is exact, so the result is the same to the last bit.
    """
    return 0.5 + 0.5 * xp.tanh(half)


def overrun(xp: Any, handle_time_s: Any, aht_target_s: Any) -> Any:
    """How far the handle time ran over the AHT target, in targets: 0 up to the target.

    The target is what the agent is graded against, so time inside it costs nothing; the
    company and the agent then feel the overrun as `exp(-aht_slope * overrun)`, each
    with its own slope.
    """
    return xp.maximum(xp.minimum(handle_time_s / aht_target_s, RATIO_CEILING) - 1.0, 0.0)


def lateness_days(xp: Any, promised: Any, delivered: Any, elapsed: Any) -> Any:
    """Days a promise was delivered late (negative: early), NaN standing for None.

    Delivered: `delivered - promised`. Not delivered yet: how far `elapsed` is past the
    promise (0 until it is due, or when `elapsed` is unknown). No promise: 0.
    """
    delivered_late = delivered - promised
    if isinstance(elapsed, float) and elapsed != elapsed:  # noqa: PLR0124 - elapsed unknown
        # No promise is open and late: the formula below with `open_late` 0 everywhere.
        return xp.where(xp.isnan(delivered_late), 0.0, delivered_late)
    overdue = xp.maximum(elapsed - promised, 0.0)
    open_late = xp.where(xp.isnan(overdue), 0.0, overdue)
    late = xp.where(xp.isnan(delivered_late), open_late, delivered_late)
    return xp.where(xp.isnan(late), 0.0, late)


def expected_outcome(xp: Any, m: CustomerModel, expectation: Any, prior_bad: Any) -> Any:
    """What the customer expects to get, lowered by each prior bad experience.

    `expectation * exp(-expectation_drop * prior_bad)`: the
    gym caller braced for a fight expects little, so a quick yes delights (seed 004).
    """
    return expectation * xp.exp(-m.expectation_drop * prior_bad)


class Inputs(NamedTuple):
    """What the formulas read: the Interaction's fields, as floats or as arrays.

    Fields that were not observed hold their *best* value ([BEST][stool._formula.BEST]):
    the leg computed from them is the best case, which bounds the estimate from above.
    `wait_scale_s` is the customer model's scale for the contact's channel, and
    `lateness_days` the days a promise was (or, open and past due, is) late; negative
    when early, 0 with no promise.
    """

    fulfilment: Any
    professionalism: Any
    empathy: Any
    clarity: Any
    extra_mile: Any
    wait_time_s: Any
    wait_scale_s: Any
    transfers: Any
    repeat_contacts: Any
    lateness_days: Any
    expectation: Any
    prior_bad: Any
    customer_value: Any
    abuse: Any
    fatigue: Any
    ended_by_agent: Any
    escalated: Any
    thanked: Any
    bends: Any
    breaks: Any
    concession_cost: Any
    concession_budget: Any
    handle_time_s: Any
    aht_target_s: Any
    queue_wait_imposed_s: Any


class Observed(NamedTuple):
    """Whether each of the unknowable inputs was observed: 1/True or 0/False, or arrays.

    In the order of [UNKNOWABLE_FIELDS][stool.interaction.UNKNOWABLE_FIELDS].
    """

    fulfilment: Any
    professionalism: Any
    empathy: Any
    clarity: Any
    extra_mile: Any
    wait_time_s: Any
    expectation: Any
    prior_bad: Any
    customer_value: Any
    abuse: Any
    fatigue: Any
    thanked: Any


BEST: Final[dict[str, float]] = {
    "fulfilment": 1.0,
    "professionalism": 1.0,
    "empathy": 1.0,
    "explanation_clarity": 1.0,
    "extra_mile": 1.0,
    "wait_time_s": 0.0,
    "expectation": 0.0,
    "prior_bad_experiences": 0.0,
    "customer_value": 0.0,
    "customer_abuse": 0.0,
    "agent_fatigue": 0.0,
    "thanked": 1.0,
}
"""The value of each unknowable field that leaves every factor at its best: every factor
is monotone in each of these fields, so a factor computed with its unobserved inputs at
these values is its best case, which no known value beats."""


def customer_known(o: Observed) -> tuple[Any, ...]:
    """Whether each customer factor's inputs were all observed, in `FACTORS` order."""
    f = o.fulfilment
    return (
        f,
        o.professionalism,
        o.empathy,
        f * o.clarity,
        o.wait_time_s,
        f * o.expectation * o.prior_bad,
        1.0,
        o.extra_mile,
        f * o.professionalism * o.extra_mile * o.prior_bad,
    )


def company_known(o: Observed) -> tuple[Any, ...]:
    """Whether each company factor's inputs were all observed, in `FACTORS` order."""
    return (1.0, 1.0, 1.0, 1.0, o.customer_value * o.prior_bad, 1.0)


def agent_known(o: Observed) -> tuple[Any, ...]:
    """Whether each agent factor's inputs were all observed, in `FACTORS` order."""
    return (o.abuse, o.thanked, 1.0, 1.0, o.fatigue, o.abuse * o.fulfilment)


def wait_effort(xp: Any, wait_time_s: Any, wait_scale_s: Any, shape: float) -> Any:
    """Units of effort from waiting: `log(1 + (wait / scale) ** shape)`, without overflow.

    Written as the softplus of `shape * log(wait / scale)`, so that no wait and no shape
    overflows; a wait of 0 costs nothing.
    """
    ratio = xp.maximum(wait_time_s / wait_scale_s, TINY)
    z = shape * xp.log(ratio)
    units = xp.maximum(z, 0.0) + xp.log1p(xp.exp(-abs(z)))
    return xp.where(wait_time_s > 0.0, units, 0.0)


def effort_factor(xp: Any, m: CustomerModel, x: Inputs) -> Any:
    """Customer effort: waiting, transfers and repeat contacts, in units of effort."""
    # exp(-(wait + transfers + repeats)), with the minus sign folded into the constants:
    # negating is exact, so this is the same to the last bit, with one operation fewer.
    return xp.exp(
        -m.transfer_effort * x.transfers
        - wait_effort(xp, x.wait_time_s, x.wait_scale_s, m.wait_shape)
        - m.repeat_effort * x.repeat_contacts
    )


def expectations_factor(xp: Any, m: CustomerModel, x: Inputs) -> Any:
    """Expectation-disconfirmation: the outcome against the (lowered) expectation.

    A shortfall weighs `loss_aversion` times a surplus.
    """
    gap = x.fulfilment - expected_outcome(xp, m, x.expectation, x.prior_bad)
    felt = xp.where(gap < 0.0, m.loss_aversion * gap, gap)
    return logistic_of_half(xp, (0.5 * m.disconfirmation_steepness) * felt)


def promise_factor(xp: Any, m: CustomerModel, x: Inputs) -> Any:
    """A promise: kept is `promise_kept`; each day early adds a little, late takes a lot.

    Days early or late move the log-odds; the days are saturated so that no input turns
    them into `inf - inf` (at most one of the two terms is not 0, so the odds may reach
    an infinity, where the curve is 0 or 1, but never NaN). Kept to the day (or no
    promise) it is exactly `promise_kept`, on both paths alike.
    """
    late = xp.minimum(xp.maximum(x.lateness_days, -RATIO_CEILING), RATIO_CEILING)
    odds = (
        math.log(m.promise_kept / (1.0 - m.promise_kept))
        + xp.maximum(-late, 0.0) / m.promise_early_scale_days
        - xp.maximum(late, 0.0) / m.promise_late_scale_days
    )
    promise = logistic(xp, odds)
    return xp.where(late == 0.0, m.promise_kept, promise)


def recovery_factor(xp: Any, m: CustomerModel, x: Inputs) -> Any:
    """Recovery from a bad start: hostility from prior bad experiences, repaired.

    A professional fulfilment repairs it in part, fully so with the extra mile.
    """
    hostility = 1.0 - xp.exp(-m.hostility_rate * x.prior_bad)
    share = m.recovery_without_extra_mile
    repair = x.fulfilment * x.professionalism * (share + (1.0 - share) * x.extra_mile)
    return 1.0 - hostility * (1.0 - repair)


def customer_factors(xp: Any, m: CustomerModel, x: Inputs) -> tuple[Any, ...]:
    """Return the customer factor satisfactions, in `CustomerModel.FACTORS` order."""
    fulfilment = x.fulfilment
    # Informational justice: an explanation is owed in proportion to the bad news.
    explanation = 1.0 - (1.0 - fulfilment) * (1.0 - x.clarity)
    return (
        fulfilment,
        x.professionalism,
        x.empathy,
        explanation,
        effort_factor(xp, m, x),
        expectations_factor(xp, m, x),
        promise_factor(xp, m, x),
        x.extra_mile * 1.0,
        recovery_factor(xp, m, x),
    )


SHAPED_FACTORS: Final = {
    "effort": effort_factor,
    "expectations": expectations_factor,
    "promise": promise_factor,
    "recovery": recovery_factor,
}
"""The customer factors that have curve parameters, each with the function computing it
alone: the fit differentiates one factor at a time."""


def company_factors(
    xp: Any, m: CompanyModel, customer: Any, over: Any, x: Inputs
) -> tuple[Any, ...]:
    """Return the company factor satisfactions, in `CompanyModel.FACTORS` order.

    `customer` is the customer leg's value: the predicted customer satisfaction; `over`
    is the handle-time `overrun`.
    """
    # Minus signs folded into the constants (exact): one operation fewer a factor.
    policy = xp.exp(-m.bend_cost * x.bends - m.break_cost * x.breaks)
    spent = xp.minimum(
        x.concession_cost / xp.maximum(x.concession_budget, BUDGET_FLOOR), RATIO_CEILING
    )
    concession = xp.exp(
        -m.concession_within * xp.minimum(spent, 1.0)
        - m.concession_over * xp.maximum(spent - 1.0, 0.0)
    )
    handle = xp.exp(-m.aht_slope * over)
    # Word of mouth and a bad survey: likely below the midpoint, rare above it.
    reputation = logistic_of_half(
        xp, (0.5 * m.reputation_steepness) * (customer - m.reputation_midpoint)
    )
    # Retention: the share of the customer's value at stake, times the chance of losing
    # them; prior bad experiences leave a scar a good recovery does not remove.
    stake = x.customer_value / (x.customer_value + m.retention_value_scale)
    loyal = customer * xp.exp(-m.loyalty_scar * x.prior_bad)
    retention = 1.0 - stake * (1.0 - loyal)
    # The queue: the other callers' waiting this call's handle time cost, in scales.
    queue = xp.exp(-x.queue_wait_imposed_s / m.queue_wait_scale_s)
    return (policy, concession, handle, reputation, retention, queue)


def strain(xp: Any, abuse: Any, fulfilment: Any) -> Any:
    """How hard the contact was on the agent: abuse, or bad news to deliver."""
    return xp.maximum(abuse, 1.0 - fulfilment)


def agent_factors(xp: Any, m: AgentModel, customer: Any, over: Any, x: Inputs) -> tuple[Any, ...]:
    """Return the agent factor satisfactions, in `AgentModel.FACTORS` order.

    `customer` is the customer leg's value: a good survey is predicted, never read;
    `over` is the handle-time `overrun`.
    """
    respect = 1.0 - x.abuse
    recognition = 1.0 - (1.0 - m.thanks_boost * x.thanked) * (1.0 - customer)
    job = xp.exp(-m.job_break_cost * x.breaks)
    handle = xp.exp(-m.aht_slope * over)
    rested = 1.0 - x.fatigue
    # Support matters in proportion to the strain: abuse, or bad news to deliver.
    backed = xp.maximum(x.escalated, x.ended_by_agent)
    support = 1.0 - strain(xp, x.abuse, x.fulfilment) * (1.0 - backed)
    return (respect, recognition, job, handle, rested, support)


def weighted_mean(normalised: tuple[float, ...], factors: tuple[Any, ...]) -> tuple[list[Any], Any]:
    """Return the terms `w_i * s_i` (the contributions) and their sum, the leg's value.

    `normalised` are the leg's weights divided by their total, trimmed by the model so
    that they add up to at most 1 in floating point; since every `s_i <= 1`, the value
    stays at most 1, and the contributions add up to it exactly (summed in this order).
    """
    terms = list(map(_mul, normalised, factors))
    value: Any = terms[0]  # as 0.0 + terms[0]: every term is at least +0.0
    for term in terms[1:]:
        value = value + term
    return terms, value


def observed_mean(
    xp: Any, normalised: tuple[float, ...], factors: tuple[Any, ...], known: tuple[Any, ...]
) -> tuple[list[Any], Any, Any]:
    """Return the terms, value and coverage of a leg whose factors were partly observed.

    See [shared_mean][stool._formula.shared_mean], which also returns the shares.
    """
    terms, value, coverage, _ = shared_mean(xp, normalised, factors, known)
    return terms, value, coverage


def shared_mean(
    xp: Any, normalised: tuple[float, ...], factors: tuple[Any, ...], known: tuple[Any, ...]
) -> tuple[list[Any], Any, Any, list[Any]]:
    """Return the terms, value, coverage and shares of a partly observed leg.

    A factor that was not observed (`known` 0) is imputed at the leg's own value (so the
    leg is the mean of its observed factors, the weights renormalised), but never above
    its best case: its satisfaction with the unobserved inputs at their best, which
    `factors` holds for it. Where that best case is below the leg, the factor counts at
    its best case and the leg is solved again: the value `L` is the fixed point of
    `L = sum(w * s, observed) + sum(w * min(L, best), unobserved)`.
    So an unknown never raises a leg above what any known value would, and observed
    evidence (one transfer, whatever the wait) still counts.
    The coverage `sum(w_i * k_i)` is the share of the leg's weight that was observed;
    every leg model keeps a weight on a factor that is always observed, so it is above 0.

    Returns:
        The contributions (observed factors, and unobserved ones held at their best
        case; 0 for the others), the value they add up to, the coverage, and each
        factor's share of the leg (its weight over the weights that count; a term is its
        share times its satisfaction).
    """
    coverage: Any = 0.0
    observed: Any = 0.0
    for weight, flag, factor in zip(normalised, known, factors, strict=True):
        coverage = coverage + weight * flag
        observed = observed + weight * flag * factor
    held = [flag * 0.0 for flag in known]  # 1 where an unobserved factor is held at its best
    value = observed / coverage
    # Water-filling: hold the unobserved factor with the lowest best case while that best
    # case is below the value, one (or a tie) at a time; the value falls but stays above
    # every best case held so far, so the result is the fixed point.
    for _ in range(len(normalised)):
        lowest: Any = _NO_CASE
        for flag, was, factor in zip(known, held, factors, strict=True):
            lowest = xp.minimum(lowest, xp.where((flag + was) > 0.0, _NO_CASE, factor))
        hold = lowest < value
        if not xp.any(hold):
            break
        held = [
            was + (1.0 - flag) * (1.0 - was) * hold * (factor == lowest)
            for flag, was, factor in zip(known, held, factors, strict=True)
        ]
        capped: Any = 0.0
        capped_weight: Any = 0.0
        for weight, was, factor in zip(normalised, held, factors, strict=True):
            capped = capped + weight * was * factor
            capped_weight = capped_weight + weight * was
        value = (observed + capped) / (coverage + capped_weight)
    denominator = value * 0.0 + coverage
    for weight, was in zip(normalised, held, strict=True):
        denominator = denominator + weight * was
    shares = [
        weight * (flag + was) / denominator
        for weight, flag, was in zip(normalised, known, held, strict=True)
    ]
    terms = [share * factor for share, factor in zip(shares, factors, strict=True)]
    total: Any = 0.0
    for term in terms:
        total = total + term
    # The renormalised shares may add up to an ulp over 1.
    return terms, xp.minimum(total, 1.0), xp.minimum(coverage, 1.0), shares


class Legs(NamedTuple):
    """What [evaluate][stool._formula.evaluate] returns for the three legs.

    For each leg: its contributions (`*_terms`, over the observed factors and the
    unobserved ones held at their best case), its coverage, the factors' shares (None
    when everything was observed: the model's normalised weights), its value before its caps
    (`*_uncapped`) and after each cap in turn; `customer`, `company` and `agent` are the
    final values.
    """

    customer_terms: list[Any]
    customer_coverage: Any
    customer_shares: Any
    customer: Any
    company_terms: list[Any]
    company_coverage: Any
    company_shares: Any
    company_uncapped: Any
    company: Any
    agent_terms: list[Any]
    agent_coverage: Any
    agent_shares: Any
    agent_uncapped: Any
    agent_after_abuse: Any
    agent: Any


class CustomerLeg(NamedTuple):
    """The customer leg, as [customer_leg][stool._formula.customer_leg] returns it."""

    terms: list[Any]
    value: Any
    coverage: Any
    shares: Any


def customer_leg(
    xp: Any, normalised: tuple[float, ...], factors: tuple[Any, ...], known: tuple[Any, ...] | None
) -> CustomerLeg:
    """Compute the customer leg from its factor satisfactions and which were observed.

    `factors` come from [customer_factors][stool._formula.customer_factors] on inputs
    whose unobserved values hold their best; `known` from
    [customer_known][stool._formula.customer_known], or None when every input was
    observed (the weighted mean; coverage 1, shares None).
    [evaluate][stool._formula.evaluate] calls this, and so does the fit of
    `stool.research`, which evaluates the customer leg alone.
    """
    if known is None:
        terms, value = weighted_mean(normalised, factors)
        return CustomerLeg(terms, value, 1.0, None)
    return CustomerLeg(*shared_mean(xp, normalised, factors, known))


def evaluate(xp: Any, model: StoolModel, x: Inputs, observed: Observed | None) -> Legs:
    """Compute the three legs, the customer leg first (the service-profit chain).

    With `observed` None every input was observed: each leg is the weighted mean of its
    factors. Otherwise each leg is the mean of what was observed
    ([observed_mean][stool._formula.observed_mean]); `x` holds every unobserved input at
    its best value ([BEST][stool._formula.BEST]), which gives each unobserved factor's
    best case.
    """
    cm, km, am = model.customer, model.company, model.agent
    kw, aw = km._normalised, am._normalised  # noqa: SLF001
    over = overrun(xp, x.handle_time_s, x.aht_target_s)
    known = None if observed is None else customer_known(observed)
    c_terms, customer, c_coverage, c_shares = customer_leg(
        xp,
        cm._normalised,  # noqa: SLF001 - the model's own normalised weights
        customer_factors(xp, cm, x),
        known,
    )
    k_shares = a_shares = None
    # The company and agent legs read the customer leg's value.
    k_factors = company_factors(xp, km, customer, over, x)
    a_factors = agent_factors(xp, am, customer, over, x)
    if observed is None:
        k_terms, k_value = weighted_mean(kw, k_factors)
        a_terms, a_value = weighted_mean(aw, a_factors)
        k_coverage: Any = 1.0
        a_coverage: Any = 1.0
    else:
        k_terms, k_value, k_coverage, k_shares = shared_mean(
            xp, kw, k_factors, company_known(observed)
        )
        a_terms, a_value, a_coverage, a_shares = shared_mean(
            xp, aw, a_factors, agent_known(observed)
        )
    broke = x.breaks > 0
    company = xp.capped(k_value, broke, km.break_cap)
    agent_after_abuse = xp.capped(a_value, x.abuse >= am.severe_abuse_at, am.abuse_cap)
    agent = xp.capped(agent_after_abuse, broke, am.break_cap)
    return Legs(
        c_terms,
        c_coverage,
        c_shares,
        customer,
        k_terms,
        k_coverage,
        k_shares,
        k_value,
        company,
        a_terms,
        a_coverage,
        a_shares,
        a_value,
        agent_after_abuse,
        agent,
    )


def at_or_below(xp: Any, calibration: Calibration, customer: Any, answer: int) -> Any:
    """The probability of a survey answer at or below `answer` (1 to 4), given the leg."""
    # logistic(cut - slope * customer), halved term by term (exact), as `answers` has it.
    half_latent = (0.5 * calibration.slope) * customer
    return logistic_of_half(xp, 0.5 * calibration.cutpoints[answer - 1] - half_latent)


def expected_answer(xp: Any, calibration: Calibration, customer: Any) -> Any:
    """The expected survey answer from 1 to 5: `5 - sum of P(answer <= k), k = 1..4`."""
    return answers(xp, calibration, customer)[0]


def answers(xp: Any, calibration: Calibration, customer: Any) -> tuple[Any, Any]:
    """The expected answer and the probability of a low one (at or below `low`)."""
    total: Any = None
    low: Any = 0.0
    # logistic(cut - slope * customer) for each cut, halved term by term: halving is
    # exact, and the halved latent is computed once.
    half_latent = (0.5 * calibration.slope) * customer
    for answer, cut in enumerate(calibration.cutpoints, start=1):
        below = logistic_of_half(xp, 0.5 * cut - half_latent)
        # The sum starts at the first term, as 0.0 + it would (a probability is >= +0.0).
        total = below if total is None else total + below
        if answer == calibration.low:
            low = below
    return 5.0 - total, low
