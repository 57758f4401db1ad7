"""The satisfaction models: named, documented weights and curves for each leg.

A [StoolModel][stool.models.StoolModel] bundles a
[CustomerModel][stool.models.CustomerModel], a [CompanyModel][stool.models.CompanyModel],
an [AgentModel][stool.models.AgentModel] and the [Thresholds][stool.models.Thresholds]
that flag a leg at risk.
Every number is a named attribute with a default taken from the source stories, the
research and published survey figures; [How scoring works](../explanation/how-scoring-works.md)
gives each one's formula, citation and reason, and the evidence behind the calibrated ones.

Each leg is a weighted mean of factor satisfactions in [0, 1], so only the *ratios* of a
leg's weights matter: scaling them all by the same amount changes nothing.
Change one number with `attrs.evolve` and nothing else:

    >>> import attrs
    >>> from stool.models import StoolModel
    >>> model = StoolModel()
    >>> kinder = attrs.evolve(
    ...     model, customer=attrs.evolve(model.customer, explanation_weight=0.3)
    ... )
    >>> kinder.customer.explanation_weight
    0.3

Bad numbers raise [ValidationError][stool.ValidationError] naming the field:
NaN, infinities and negative values, fractions above 1, a leg with no weight on a factor
that is always observed, a break that costs less than a bend, a collapse level at or above
the at-risk level.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import attrs

from stool._fields import fraction, instance_of, non_negative, positive
from stool.calibration import Calibration
from stool.enums import Channel, Leg
from stool.errors import ValidationError
from stool.interaction import FULFILLED_AT, UNPROFESSIONAL_BELOW

__all__ = [
    "AgentModel",
    "CompanyModel",
    "CustomerModel",
    "StoolModel",
    "Thresholds",
]


def _weight(default: float) -> Any:
    return non_negative(default)


class _LegModel:
    """Shared behaviour of the three leg models: named weights and their mean."""

    __slots__ = ()

    FACTORS: ClassVar[tuple[str, ...]]
    ALWAYS_OBSERVED: ClassVar[tuple[str, ...]]
    _normalised: tuple[float, ...]

    @property
    def weights(self) -> dict[str, float]:
        """The weight of each factor, by factor name, in the order factors are listed."""
        return {name: getattr(self, f"{name}_weight") for name in self.FACTORS}

    def _check_weights(self) -> None:
        weights = self.weights
        values = tuple(weights.values())
        names = ", ".join(self.ALWAYS_OBSERVED)
        if max(weights[name] for name in self.ALWAYS_OBSERVED) == 0.0:
            raise ValidationError(
                f"{type(self).__name__}.weights",
                weights,
                "weights >= 0 of which at least one is > 0 on a factor that is always "
                f"observed ({names}), so that the leg has a value whatever is unknown",
            )
        try:
            total = math.fsum(values)
        except OverflowError:  # finite weights whose sum is not: only the ratios matter
            largest = max(values)
            values = tuple(weight / largest for weight in values)
            total = math.fsum(values)
        normalised = _normalise(values, total)
        shares = [normalised[self.FACTORS.index(name)] for name in self.ALWAYS_OBSERVED]
        if max(shares) == 0.0:
            raise ValidationError(
                f"{type(self).__name__}.weights",
                weights,
                f"weights whose always-observed share ({names}) does not vanish beside the others",
            )
        object.__setattr__(self, "_normalised", normalised)


def _normalise(weights: tuple[float, ...], total: float) -> tuple[float, ...]:
    """Divide by the total; trim the largest share until the running sum is at most 1.

    A leg's value is the running sum of share times satisfaction, each satisfaction at
    most 1, so this keeps every value at most 1 in floating point too. The largest share
    is at least 1/n, so a few ulps of it (never more than a few dozen steps) suffice.
    """
    normalised = [weight / total for weight in weights]
    largest = normalised.index(max(normalised))
    while True:
        running = 0.0
        for share in normalised:
            running += share
        if running <= 1.0:
            return tuple(normalised)
        normalised[largest] = math.nextafter(normalised[largest], 0.0)


@attrs.frozen(kw_only=True)
class CustomerModel(_LegModel):
    """How satisfied the customer leaves: nine factors of justice, effort and expectations.

    Each factor's satisfaction runs from 0 to 1 (`f` is the fulfilment):

    | factor | satisfaction |
    |---|---|
    | `fulfilment` | `f` (distributive justice) |
    | `professionalism` | `professionalism` (interactional justice) |
    | `empathy` | `empathy` (interactional justice) |
    | `explanation` | `1 - (1 - f) * (1 - explanation_clarity)` (informational justice) |
    | `effort` | `exp(-units)`, units of effort as below |
    | `expectations` | a logistic curve of the outcome against the expectation |
    | `promise` | a logistic curve of the days early or late against a promise |
    | `extra_mile` | 1 with the extra mile, else 0 |
    | `recovery` | `1 - hostility * (1 - repair)` |

    The units of effort are `log(1 + (wait_time_s / scale) ** wait_shape) +
    transfer_effort * transfers + repeat_effort * repeat_contacts`, the scale being the
    channel's (`call_wait_scale_s`, `chat_wait_scale_s`, `email_wait_scale_s`).
    The leg is their weighted mean; the customer leg has no caps.
    A factor whose inputs were not observed counts at the mean of the observed ones (the
    others' weights renormalised), never above its best case; `promise` is always
    observed (no promise counts as a promise kept).
    The defaults are calibrated against published figures:
    [How scoring works](../explanation/how-scoring-works.md) gives every formula and the
    evidence.

    Example:
        >>> import attrs
        >>> curt_hurts_more = attrs.evolve(CustomerModel(), professionalism_weight=0.3)
        >>> curt_hurts_more.weights["professionalism"]
        0.3
    """

    FACTORS: ClassVar[tuple[str, ...]] = (
        "fulfilment",
        "professionalism",
        "empathy",
        "explanation",
        "effort",
        "expectations",
        "promise",
        "extra_mile",
        "recovery",
    )
    """The factor names, in the order of the weights and of `contributions`."""
    ALWAYS_OBSERVED: ClassVar[tuple[str, ...]] = ("promise",)
    """The factors whose inputs can never be unknown: at least one must carry weight."""

    fulfilment_weight: float = _weight(0.30)
    """Weight of the outcome: how far the request was fulfilled (distributive justice).
    The largest single weight, yet less than the three interactional ones together."""
    professionalism_weight: float = _weight(0.18)
    """Weight of courtesy, calm and respect (interactional justice)."""
    empathy_weight: float = _weight(0.12)
    """Weight of acknowledging the customer's situation (interactional justice)."""
    explanation_weight: float = _weight(0.25)
    """Weight of a clear explanation of *why* (informational justice); it only costs
    anything when the news is bad."""
    effort_weight: float = _weight(0.20)
    """Weight of the customer's effort: waiting, transfers, repeat contacts. Two thirds of
    the outcome's: effort predicts loyalty best (Dixon, Freeman & Toman 2010), and the
    response delay moves CSAT by more than a point in published data. Equal to the
    promise weight: with the curves below they are fitted to published response-delay and
    delivery tables."""
    expectations_weight: float = _weight(0.12)
    """Weight of expectation-disconfirmation on the outcome: what was fulfilled against
    what the customer expected."""
    promise_weight: float = _weight(0.20)
    """Weight of a promise kept, beaten or broken (delivery, callback): a late delivery
    moves a review by up to 2.6 points in published data."""
    extra_mile_weight: float = _weight(0.05)
    """Weight of the extra mile: what lifts *satisfied* to *very satisfied*. Small, as
    customer-effort research warns against over-investing in delight."""
    recovery_weight: float = _weight(0.08)
    """Weight of recovery from a bad start (prior bad experiences)."""

    call_wait_scale_s: float = positive(7_200.0, unit="seconds")
    """The wait on a call that halves the effort satisfaction from waiting. Calibrated
    on response delays: CSAT falls by about a point between a reply within five minutes
    and one after a day, and keeps falling past both."""
    chat_wait_scale_s: float = positive(14_400.0, unit="seconds")
    """The wait on a chat that halves the effort satisfaction from waiting: chat replies
    are measured in hours, and a wait of a given length costs less than on a call."""
    email_wait_scale_s: float = positive(43_200.0, unit="seconds")
    """The wait for an email reply that halves the effort satisfaction from waiting:
    customers expect an email reply within the working day."""
    wait_shape: float = positive(0.4)
    """How the cost of waiting grows: the units of effort from a wait `w` are
    `log(1 + (w / scale) ** wait_shape)`, so with 0.4 the cost keeps growing from
    seconds to days: each tenfold longer wait costs more again."""
    transfer_effort: float = non_negative(0.3)
    """Units of effort per transfer."""
    repeat_effort: float = non_negative(0.5)
    """Units of effort per earlier contact about the same issue: having to come back is
    the costliest effort."""
    expectation_drop: float = non_negative(0.5)
    """How fast prior bad experiences lower the expectation: the expected outcome is
    `expectation * exp(-expectation_drop * prior_bad_experiences)`."""
    loss_aversion: float = non_negative(2.0)
    """How much more an outcome short of the expectation weighs than an equal surplus
    (1 = the same)."""
    disconfirmation_steepness: float = non_negative(3.0)
    """Steepness of the logistic curve from the outcome's disconfirmation to satisfaction."""
    promise_kept: float = fraction(0.75)
    """The promise factor's satisfaction when a promise is kept to the day (or none was
    made): from 0 to 1, both excluded. Arriving early adds a little, late takes a lot."""
    promise_early_scale_days: float = positive(60.0, unit="days")
    """Days early that add one unit to the promise factor's log-odds: early delivery
    pleases only a little (4.3 against 4.1 stars for ten days early in published data)."""
    promise_late_scale_days: float = positive(2.0, unit="days")
    """Days late that take one unit off the promise factor's log-odds: the mean review
    falls from 4.1 on time to 2.8 at two to five days late and 1.7 past ten days, where it
    saturates; an open promise past due costs the same."""
    hostility_rate: float = non_negative(0.3)
    """How fast prior bad experiences turn into hostility:
    `hostility = 1 - exp(-hostility_rate * prior_bad_experiences)`, so one bad experience
    brings 0.26 of hostility, three bring 0.59."""
    recovery_without_extra_mile: float = fraction(0.75)
    """Share of a bad start that a professional, fulfilled request repairs without the
    extra mile; with the extra mile it is all repaired."""

    _normalised: tuple[float, ...] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self._check_weights()
        if not 0.0 < self.promise_kept < 1.0:
            raise ValidationError(
                "CustomerModel.promise_kept",
                self.promise_kept,
                "a number between 0 and 1, both excluded",
            )

    def wait_scale_s(self, channel: Channel) -> float:
        """Return the wait that halves the effort satisfaction from waiting on `channel`."""
        if channel is Channel.EMAIL:
            return self.email_wait_scale_s
        if channel is Channel.CHAT:
            return self.chat_wait_scale_s
        return self.call_wait_scale_s


@attrs.frozen(kw_only=True)
class CompanyModel(_LegModel):
    """How well the company comes out: its rules, its costs, its reputation, its customers.

    Each factor's satisfaction runs from 0 to 1; `C` is the customer leg's value, the
    *predicted* customer satisfaction (the observed `csat` is never read):

    | factor | satisfaction |
    |---|---|
    | `policy` | `exp(-(bend_cost * bends + break_cost * breaks))` |
    | `concession` | `exp(-(concession_within * min(r, 1) + concession_over * max(r - 1, 0)))` |
    | `handle_time` | `exp(-aht_slope * max(handle_time / target - 1, 0))` |
    | `reputation` | a logistic curve of `C` around `reputation_midpoint` |
    | `retention` | `1 - stake * (1 - C * exp(-loyalty_scar * prior_bad_experiences))` |
    | `queue` | `exp(-queue_wait_imposed_s / queue_wait_scale_s)` |

    Here `r` is the concession cost over the concession budget.
    The `queue` factor weighs nothing by default (`queue_weight` 0): give it a weight to
    have the company leg read what a call's extra minutes cost the other callers (see
    [What a longer call costs the queue](../explanation/longer-calls.md)).
    The leg is their weighted mean, capped at `break_cap` when any rule was broken.
    """

    FACTORS: ClassVar[tuple[str, ...]] = (
        "policy",
        "concession",
        "handle_time",
        "reputation",
        "retention",
        "queue",
    )
    """The factor names, in the order of the weights and of `contributions`."""
    ALWAYS_OBSERVED: ClassVar[tuple[str, ...]] = (
        "policy",
        "concession",
        "handle_time",
        "reputation",
        "queue",
    )
    """The factors whose inputs can never be unknown: at least one must carry weight."""

    policy_weight: float = _weight(0.30)
    """Weight of the policy verdicts: bends cost a little, breaks a lot."""
    concession_weight: float = _weight(0.15)
    """Weight of what was given away, against the concession budget."""
    handle_time_weight: float = _weight(0.15)
    """Weight of handle time against the AHT target: what a long call costs the queue."""
    reputation_weight: float = _weight(0.25)
    """Weight of reputation: an unhappy customer talks and fills in a bad survey."""
    retention_weight: float = _weight(0.15)
    """Weight of keeping the customer's value."""
    queue_weight: float = _weight(0.0)
    """Weight of the queue: the waiting the call's handle time imposed on the other callers
    of its interval (`queue_wait_imposed_s`). 0 by default, so scores read the handle time
    against its fixed target only; give it a weight when the interactions carry the
    queue's price (a [Shift][stool.shift.Shift] fills it in)."""

    bend_cost: float = non_negative(0.3)
    """Policy penalty per bend: one bend leaves `exp(-0.3) = 0.74` of the policy factor."""
    break_cost: float = non_negative(1.0)
    """Policy penalty per break; never less than `bend_cost`."""
    break_cap: float = fraction(0.4)
    """The most the company leg can score when any rule was broken, as a critical item
    fails a QA scorecard. Below the default at-risk level, so a break always flags."""
    concession_within: float = non_negative(0.3)
    """Concession penalty for spending the whole budget (spending within it is allowed,
    yet not free)."""
    concession_over: float = non_negative(1.5)
    """Concession penalty per budget's worth spent beyond the budget."""
    aht_slope: float = non_negative(2.0)
    """Handle-time penalty per target's worth over the AHT target: 20 % over leaves
    `exp(-0.4) = 0.67`, about the service-level loss Erlang C gives for 20 % longer calls."""
    reputation_midpoint: float = fraction(0.5)
    """The customer-leg value at which a bad survey or bad word of mouth is as likely as
    not (predicted CSAT 3)."""
    reputation_steepness: float = non_negative(8.0)
    """Steepness of the reputation curve around `reputation_midpoint`."""
    retention_value_scale: float = positive(1000.0, unit="(currency)")
    """The customer value at which half the retention factor is at stake:
    `stake = value / (value + scale)`; a customer worth 0 puts nothing at stake."""
    loyalty_scar: float = non_negative(0.1)
    """Loyalty lost per prior bad experience even after a good recovery (the recovery
    paradox lifts satisfaction, not repurchase)."""
    queue_wait_scale_s: float = positive(60.0, unit="seconds")
    """The other callers' extra waiting, in seconds, that leaves `exp(-1) = 0.37` of the
    queue factor: a minute of waiting imposed by one call's extra handle time."""

    _normalised: tuple[float, ...] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self._check_weights()
        if self.break_cost < self.bend_cost:
            raise ValidationError(
                "CompanyModel.break_cost",
                self.break_cost,
                f"a number >= bend_cost ({self.bend_cost!r}): a break never costs less",
            )


@attrs.frozen(kw_only=True)
class AgentModel(_LegModel):
    """How the agent comes out: respect, recognition, a safe job, time, energy, support.

    Each factor's satisfaction runs from 0 to 1; `C` is the customer leg's value:

    | factor | satisfaction |
    |---|---|
    | `abuse` | `1 - customer_abuse` |
    | `recognition` | `1 - (1 - thanks_boost * thanked) * (1 - C)` |
    | `job_risk` | `exp(-job_break_cost * breaks)` |
    | `handle_time` | `exp(-aht_slope * max(handle_time / target - 1, 0))` |
    | `fatigue` | `1 - agent_fatigue` |
    | `support` | `1 - max(customer_abuse, 1 - f) * (1 - max(escalated, ended_by_agent))` |

    The leg is their weighted mean, capped at `abuse_cap` under severe abuse and at
    `break_cap` when any rule was broken.
    """

    FACTORS: ClassVar[tuple[str, ...]] = (
        "abuse",
        "recognition",
        "job_risk",
        "handle_time",
        "fatigue",
        "support",
    )
    """The factor names, in the order of the weights and of `contributions`."""
    ALWAYS_OBSERVED: ClassVar[tuple[str, ...]] = ("job_risk", "handle_time")
    """The factors whose inputs can never be unknown: at least one must carry weight."""

    abuse_weight: float = _weight(0.25)
    """Weight of abuse received from the customer (Grandey, Dickter & Sin 2004)."""
    recognition_weight: float = _weight(0.20)
    """Weight of recognition: being thanked, a good survey."""
    job_risk_weight: float = _weight(0.20)
    """Weight of the risk to the agent's job from breaking rules."""
    handle_time_weight: float = _weight(0.15)
    """Weight of AHT pressure: the agent is graded on handle time."""
    fatigue_weight: float = _weight(0.10)
    """Weight of the fatigue the agent carried into the contact."""
    support_weight: float = _weight(0.10)
    """Weight of support: a supervisor who took over, or the freedom to end an abusive
    call, when the contact was hard."""

    severe_abuse_at: float = fraction(0.75)
    """Abuse at or above this is severe (insults or threats) and caps the leg."""
    abuse_cap: float = fraction(0.4)
    """The most the agent leg can score after severe abuse."""
    break_cap: float = fraction(0.4)
    """The most the agent leg can score when any rule was broken: it may cost the job."""
    job_break_cost: float = non_negative(1.0)
    """Job-risk penalty per break."""
    aht_slope: float = non_negative(2.0)
    """Handle-time penalty per target's worth over the AHT target, as the agent feels it."""
    thanks_boost: float = fraction(0.6)
    """Share of the missing recognition that a customer's thanks supplies."""

    _normalised: tuple[float, ...] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self._check_weights()


def _level(default: float | None) -> Any:
    return fraction(default, optional=default is None)


@attrs.frozen(kw_only=True)
class Thresholds:
    """The levels that flag a leg at risk or collapsed, and the customer-type cut-offs.

    A leg whose value is below its at-risk level is at risk; below its collapse level
    the stool falls.
    The defaults follow customer health-score bands (Gainsight: red 0-50, yellow 51-75,
    green 76-100 of 100): at risk means in the red band, and collapsed means in its
    bottom half.
    Override any leg's levels with `customer_at_risk`, `company_collapse` and so on;
    None means "use the shared level".

    Example:
        >>> from stool.enums import Leg
        >>> Thresholds(agent_at_risk=0.6).at_risk_level(Leg.AGENT)
        0.6
    """

    at_risk: float = _level(0.5)
    """A leg below this is at risk (predicted CSAT below 3 for the customer)."""
    collapse: float = _level(0.25)
    """A leg below this has given way: the stool collapses."""
    customer_at_risk: float | None = _level(None)
    """The customer leg's own at-risk level, or None for `at_risk`."""
    company_at_risk: float | None = _level(None)
    """The company leg's own at-risk level, or None for `at_risk`."""
    agent_at_risk: float | None = _level(None)
    """The agent leg's own at-risk level, or None for `at_risk`."""
    customer_collapse: float | None = _level(None)
    """The customer leg's own collapse level, or None for `collapse`."""
    company_collapse: float | None = _level(None)
    """The company leg's own collapse level, or None for `collapse`."""
    agent_collapse: float | None = _level(None)
    """The agent leg's own collapse level, or None for `collapse`."""
    fulfilled_at: float = fraction(FULFILLED_AT)
    """Fulfilment at or above this counts as fulfilled in the customer type
    (see [classify][stool.classify])."""
    unprofessional_below: float = fraction(UNPROFESSIONAL_BELOW)
    """Professionalism below this counts as unprofessional in the customer type."""
    min_coverage: float = fraction(0.5)
    """A leg whose observed factors carry less than this share of its weight (its
    [coverage][stool.scoring.LegScore]) and that is not at risk is reported as
    "not enough evidence", never as "holds". Observed evidence of risk still flags it."""

    _levels: tuple[tuple[float, float, float], tuple[float, float, float]] = attrs.field(
        init=False, eq=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        at_risk_levels = tuple(self.at_risk_level(leg) for leg in Leg)
        collapse_levels = tuple(self.collapse_level(leg) for leg in Leg)
        # In Leg order (customer, company, agent), read by the scoring fast path.
        object.__setattr__(self, "_levels", (at_risk_levels, collapse_levels))
        for leg, at_risk, collapse in zip(Leg, at_risk_levels, collapse_levels, strict=True):
            if not collapse < at_risk:
                name = leg.name.lower()
                own = getattr(self, f"{name}_collapse")
                field = f"Thresholds.{name}_collapse" if own is not None else "Thresholds.collapse"
                raise ValidationError(
                    field, collapse, f"a level below the {name} at-risk level {at_risk!r}"
                )

    def at_risk_level(self, leg: Leg) -> float:
        """Return the at-risk level of `leg`: its own if set, else the shared one."""
        own: float | None = getattr(self, f"{leg.name.lower()}_at_risk")
        return self.at_risk if own is None else own

    def collapse_level(self, leg: Leg) -> float:
        """Return the collapse level of `leg`: its own if set, else the shared one."""
        own: float | None = getattr(self, f"{leg.name.lower()}_collapse")
        return self.collapse if own is None else own


@attrs.frozen(kw_only=True)
class StoolModel:
    """The whole model: one model per leg, and the thresholds.

    `StoolModel()` is the documented default model.

    Example:
        >>> import attrs
        >>> strict = attrs.evolve(StoolModel().thresholds, at_risk=0.6)
        >>> StoolModel(thresholds=strict).thresholds.at_risk
        0.6
    """

    customer: CustomerModel = attrs.field(
        factory=CustomerModel, validator=instance_of(CustomerModel)
    )
    """The customer leg's weights and curves."""
    company: CompanyModel = attrs.field(factory=CompanyModel, validator=instance_of(CompanyModel))
    """The company leg's weights and curves."""
    agent: AgentModel = attrs.field(factory=AgentModel, validator=instance_of(AgentModel))
    """The agent leg's weights and curves."""
    thresholds: Thresholds = attrs.field(factory=Thresholds, validator=instance_of(Thresholds))
    """The at-risk and collapse levels, the customer-type cut-offs and the coverage
    needed to say a leg holds."""
    calibration: Calibration = attrs.field(factory=Calibration, validator=instance_of(Calibration))
    """The mapping from the customer leg to survey answers from 1 to 5: the predicted
    CSAT and the probability of a low answer."""

    def to_toml(self, *, comments: bool = True) -> str:
        """Return the model as a TOML file a person can read and review.

        With `comments`, every key carries its documentation; the text reads back into an
        equal model with [from_toml][stool.models.StoolModel.from_toml]. See
        [stool.modelfile][] for the format.

        Example:
            >>> model = StoolModel()
            >>> StoolModel.from_toml(model.to_toml()) == model
            True
        """
        from stool.modelfile import model_to_toml  # noqa: PLC0415 - loaded on first use

        return model_to_toml(self, comments=comments)

    @classmethod
    def from_toml(cls, text: str) -> StoolModel:
        """Read a model from TOML text; keys left out take their defaults.

        Raises:
            ValidationError: Naming every bad key, with a "did you mean" for misspellings.
        """
        from stool.modelfile import model_from_toml  # noqa: PLC0415

        return model_from_toml(text)

    def to_json(self) -> str:
        """Return the model as indented JSON that reads back equal with `from_json`."""
        from stool.modelfile import model_to_json  # noqa: PLC0415

        return model_to_json(self)

    @classmethod
    def from_json(cls, text: str) -> StoolModel:
        """Read a model from JSON text written by `to_json` or by hand.

        Raises:
            ValidationError: Naming every bad key.
        """
        from stool.modelfile import model_from_json  # noqa: PLC0415

        return model_from_json(text)
