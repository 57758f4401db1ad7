"""Score an interaction: three legs, their flags, the reasons, and an explanation.

[score][stool.scoring.score] turns one [Interaction][stool.Interaction] into a
[StoolScore][stool.scoring.StoolScore]: a [LegScore][stool.scoring.LegScore] for the
customer, the company and the agent, the legs at risk, whether the stool collapsed, the
customer type of the source stories and a predicted CSAT.
[score_timeline][stool.scoring.score_timeline] scores an interaction after every move of a
scenario.
The formulas are those of [How scoring works](../explanation/how-scoring-works.md), and
the very same code scores a whole table in [score_batch][stool.batch.score_batch].

    >>> from stool import Interaction
    >>> from stool.scoring import score
    >>> curt = score(Interaction(fulfilment=0.0, professionalism=0.2, empathy=0.2,
    ...                          explanation_clarity=0.1))
    >>> sorted(leg.name for leg in curt.at_risk), curt.customer_type.name
    (['CUSTOMER'], 'VERY_DISSATISFIED')
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import SimpleNamespace
from typing import Any, Final, NamedTuple, TypeVar, cast

import attrs

from stool import _formula
from stool._fields import fraction
from stool.enums import CustomerType, Leg, LegStatus
from stool.errors import ValidationError
from stool.events import Event
from stool.interaction import (
    CUSTOMER_TYPES,
    FIELD_NAMES,
    UNKNOWABLE_FIELDS,
    Interaction,
    type_code,
)
from stool.models import AgentModel, CompanyModel, CustomerModel, StoolModel
from stool.serialization import register

__all__ = [
    "ABUSE_CAP",
    "BREAK_CAP",
    "CAP_PREFIX",
    "FACTOR_LABELS",
    "REASON_LIMIT",
    "REASON_MIN_LOSS",
    "RECONCILE_TOLERANCE",
    "LegScore",
    "StoolScore",
    "score",
    "score_timeline",
]

RECONCILE_TOLERANCE: Final = 1e-9
"""How closely a leg's contributions must add up to its value."""

REASON_MIN_LOSS: Final = 0.02
"""A factor is named as a reason when it costs its leg at least this much."""

REASON_LIMIT: Final = 4
"""At most this many factors are named per leg (the caps that bit come on top)."""

CAP_PREFIX: Final = "cap: "
"""Contributions whose name starts with this are caps, not factors."""

BREAK_CAP: Final = "cap: policy break"
"""The contribution of the break cap (company and agent legs), when it bites."""

ABUSE_CAP: Final = "cap: severe abuse"
"""The contribution of the severe-abuse cap (agent leg), when it bites."""


FACTOR_LABELS: Final[dict[str, str]] = {
    "fulfilment": "fulfilment",
    "professionalism": "professionalism",
    "empathy": "empathy",
    "explanation": "explanation",
    "effort": "low effort",
    "expectations": "expectations",
    "extra_mile": "extra mile",
    "recovery": "recovery",
    "policy": "policy",
    "concession": "concession",
    "handle_time": "handle time",
    "reputation": "reputation",
    "retention": "retention",
    "abuse": "respect",
    "recognition": "recognition",
    "job_risk": "job safety",
    "fatigue": "energy",
    "support": "support",
    "promise": "promise kept",
    "queue": "queue",
}
"""Readable names of the factors, as explanations print them."""

_LegModel = CustomerModel | CompanyModel | AgentModel
_Caps = tuple[tuple[str, float, float], ...]
_Context = tuple[Interaction, StoolModel, float]
_Known = tuple[Any, ...] | None
_T = TypeVar("_T")


# --------------------------------------------------------------------------- fast paths

_new = object.__new__


def _setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    # The slot's own descriptor: the fastest way to fill a frozen, slotted instance that
    # `score` computed itself and so need not validate.
    setter: Callable[[Any, Any], None] = cls.__dict__[name].__set__
    return setter


class _Contributions(Mapping[str, float]):
    """A read-only mapping of factor names to contributions, cheap to build."""

    __slots__ = ("_index", "_values")

    _index: Mapping[str, int]
    _values: list[float]

    def __getitem__(self, key: str) -> float:
        return self._values[self._index[key]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(dict(self.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_contributions_from, (dict(self.items()),))


_set_index = _setter(_Contributions, "_index")
_set_values = _setter(_Contributions, "_values")
_INDEXES: dict[tuple[str, ...], dict[str, int]] = {}


def _index(names: tuple[str, ...]) -> dict[str, int]:
    index = _INDEXES.get(names)
    if index is None:
        index = _INDEXES[names] = {name: position for position, name in enumerate(names)}
    return index


def _contributions_from(data: Mapping[str, float]) -> _Contributions:
    # A copy of what the caller gave, so that later changes to it do not show through.
    mapping = _new(_Contributions)
    _set_index(mapping, {name: position for position, name in enumerate(data)})
    _set_values(mapping, list(data.values()))
    return mapping


class _Pending:
    """The reasons of an at-risk leg, written only when someone reads them, then kept."""

    __slots__ = ("_args", "_reasons")

    def __init__(self, *args: Any) -> None:
        self._args = args
        self._reasons: tuple[str, ...] | None = None

    def __call__(self) -> tuple[str, ...]:
        if self._reasons is None:
            self._reasons = _write_reasons(*self._args)
        return self._reasons


def _resolve(reasons: Any) -> tuple[str, ...]:
    resolved: tuple[str, ...] = reasons() if type(reasons) is _Pending else reasons
    return resolved


# ------------------------------------------------------------------------------ values


def _check_value(_instance: Any, _attribute: attrs.Attribute[Any], value: Any) -> None:
    if not (type(value) in (float, int) and 0.0 <= value <= 1.0):
        raise ValidationError("LegScore.value", value, "a number from 0 to 1")


def _freeze(contributions: Any) -> Any:
    return (
        _contributions_from(contributions) if isinstance(contributions, Mapping) else contributions
    )


def _check_contributions(_instance: Any, _attribute: attrs.Attribute[Any], value: Any) -> None:
    allowed = "a mapping of factor names to finite numbers"
    if not isinstance(value, Mapping):
        raise ValidationError("LegScore.contributions", value, allowed)
    for key, number in value.items():
        if type(key) is not str:
            raise ValidationError("LegScore.contributions", key, "factor names (strings)")
        if type(number) not in (float, int) or not math.isfinite(number):
            raise ValidationError(f"LegScore.contributions.{key}", number, allowed)


def _check_bool(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not bool:
        raise ValidationError(f"{type(instance).__name__}.{attribute.name}", value, "True or False")


def _to_reasons(value: Any) -> Any:
    if type(value) is _Pending:
        return value()
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _check_reasons(_instance: Any, _attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not tuple or not all(type(reason) is str for reason in value):
        raise ValidationError("LegScore.reasons", value, "a tuple of strings")


def _to_names(value: Any) -> Any:
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _check_names(_instance: Any, _attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not tuple or not all(type(name) is str for name in value):
        raise ValidationError("LegScore.unobserved", value, "a tuple of factor names")


def _default_status(leg: LegScore) -> LegStatus:
    return LegStatus.AT_RISK if leg.at_risk else LegStatus.HOLDS


@attrs.frozen(kw_only=True, repr=False)
class LegScore:
    """The score of one leg: its value, what each factor contributed, and its flag.

    The contributions add up to the value: each factor contributes `w * s / sum(w)`, its
    normalised weight times its satisfaction, and each cap that bit adds one more entry
    named `"cap: ..."` holding what it took off (a negative number).
    `LegScore(...)` validates what it is given, including that the contributions add up
    to the value within [RECONCILE_TOLERANCE][stool.scoring.RECONCILE_TOLERANCE].

    Example:
        >>> from stool import Interaction
        >>> from stool.scoring import score
        >>> company = score(Interaction(breaks=1)).company
        >>> company.value, company.at_risk, round(company.caps["cap: policy break"], 2)
        (0.4, True, -0.4)
    """

    value: float = attrs.field(validator=_check_value)
    """The leg's satisfaction, from 0 (gave way) to 1 (fully satisfied)."""
    contributions: Mapping[str, float] = attrs.field(
        converter=_freeze, validator=_check_contributions, hash=False
    )
    """What each factor contributed to `value`, by factor name (in the leg model's
    `FACTORS` order), then one `"cap: ..."` entry per cap that bit; read-only."""
    at_risk: bool = attrs.field(validator=_check_bool)
    """Whether `value` is below the leg's at-risk level."""
    _reasons: tuple[str, ...] = attrs.field(
        alias="reasons", default=(), converter=_to_reasons, validator=_check_reasons, eq=_resolve
    )
    coverage: float = fraction(1.0)
    """The share of the leg's weight whose inputs were observed, from 0 to 1: 1 when
    everything was, lower when factors dropped out for unobserved inputs."""
    unobserved: tuple[str, ...] = attrs.field(
        default=(), converter=_to_names, validator=_check_names
    )
    """The factors that dropped out because an input they read was not observed."""
    status: LegStatus = attrs.field(
        default=attrs.Factory(_default_status, takes_self=True),
        validator=attrs.validators.instance_of(LegStatus),
    )
    """[AT_RISK][stool.enums.LegStatus.AT_RISK] when at risk; otherwise
    [HOLDS][stool.enums.LegStatus.HOLDS], or
    [NOT_ENOUGH_EVIDENCE][stool.enums.LegStatus.NOT_ENOUGH_EVIDENCE] when the coverage
    is below [Thresholds.min_coverage][stool.models.Thresholds]."""

    def __attrs_post_init__(self) -> None:
        if (self.status is LegStatus.AT_RISK) != self.at_risk:
            raise ValidationError(
                "LegScore.status", self.status, f"AT_RISK exactly when at_risk ({self.at_risk})"
            )
        total = 0.0
        for number in self.contributions.values():
            total += number
        if abs(total - self.value) > RECONCILE_TOLERANCE:
            raise ValidationError(
                "LegScore.contributions",
                dict(self.contributions),
                f"contributions adding up to value {self.value!r} (they add up to {total!r})",
            )

    @property
    def reasons(self) -> tuple[str, ...]:
        """Readable sentences naming what put the leg at risk, worst first.

        The caps that bit come first, then up to
        [REASON_LIMIT][stool.scoring.REASON_LIMIT] factors that cost the leg at least
        [REASON_MIN_LOSS][stool.scoring.REASON_MIN_LOSS], each with the numbers behind it
        and what it cost, for example
        `"handle time 540 s is 1.5x the 360 s target (-0.09)"`.
        Empty when the leg is not at risk.
        """
        pending: Any = self._reasons
        if type(pending) is not _Pending:
            return self._reasons
        # Written on first reading (a score after every move of a scenario rarely
        # needs them), then kept.
        reasons = pending()
        _set_reasons(self, reasons)
        return reasons

    @property
    def caps(self) -> dict[str, float]:
        """The caps that bit, by name, with what each took off (a negative number)."""
        return {k: v for k, v in self.contributions.items() if k.startswith(CAP_PREFIX)}

    def __repr__(self) -> str:
        return (
            f"LegScore(value={self.value!r}, contributions={self.contributions!r}, "
            f"at_risk={self.at_risk!r}, reasons={self.reasons!r}, coverage={self.coverage!r}, "
            f"unobserved={self.unobserved!r}, status={self.status!r})"
        )


_set_value = _setter(LegScore, "value")
_set_contributions = _setter(LegScore, "contributions")
_set_at_risk = _setter(LegScore, "at_risk")
_set_reasons = _setter(LegScore, "_reasons")
_set_coverage = _setter(LegScore, "coverage")
_set_unobserved = _setter(LegScore, "unobserved")
_set_status = _setter(LegScore, "status")


def _check_leg(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, LegScore):
        raise ValidationError(f"StoolScore.{attribute.name}", value, "a LegScore")


def _optional_type(value: Any) -> Any:
    if isinstance(value, str) and value in CustomerType.__members__:
        return CustomerType[value]
    return value


def _check_optional_type(_instance: Any, _attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, CustomerType):
        names = ", ".join(CustomerType.__members__)
        raise ValidationError(
            "StoolScore.customer_type", value, f"one of {names} (a CustomerType), or None"
        )


def _check_csat(_instance: Any, _attribute: attrs.Attribute[Any], value: Any) -> None:
    if not (type(value) in (float, int) and 1.0 <= value <= 5.0):
        raise ValidationError("StoolScore.predicted_csat", value, "a number from 1 to 5")


@attrs.frozen(kw_only=True)
class StoolScore:
    """The three legs of one interaction, the flags, and a readable explanation.

    Equal interactions scored with equal models give equal scores.
    `at_risk`, `weakest` and `predicted_csat` are derived from the legs.

    Example:
        >>> from stool import Interaction, Leg
        >>> from stool.scoring import score
        >>> result = score(Interaction(customer_abuse=0.9))
        >>> result.at_risk == frozenset({Leg.AGENT}), result.weakest
        (True, <Leg.AGENT: 'agent'>)
    """

    customer: LegScore = attrs.field(validator=_check_leg)
    """The customer leg."""
    company: LegScore = attrs.field(validator=_check_leg)
    """The company leg."""
    agent: LegScore = attrs.field(validator=_check_leg)
    """The agent leg."""
    collapsed: bool = attrs.field(validator=_check_bool)
    """Whether some leg is below its collapse level: the stool falls."""
    customer_type: CustomerType | None = attrs.field(
        converter=_optional_type, validator=_check_optional_type
    )
    """The customer type of the source stories (see [classify][stool.classify]); None
    when an input it needs was not observed."""
    predicted_csat: float = attrs.field(validator=_check_csat)
    """The expected survey answer, from 1 to 5, from the model's
    [Calibration][stool.calibration.Calibration] of the customer leg. The observed `csat`
    of the interaction is never read: compare the two."""
    p_low: float = fraction(0.0)
    """The probability of a low survey answer (at or below the calibration's `low`, a 1
    or a 2 by default), from the same calibration."""
    unobserved: tuple[str, ...] = attrs.field(
        default=(), converter=_to_names, validator=_check_names
    )
    """The [Interaction][stool.Interaction] fields that were not observed (None)."""

    def leg(self, leg: Leg) -> LegScore:
        """Return the score of `leg`.

        Example:
            >>> from stool import Interaction, Leg
            >>> from stool.scoring import score
            >>> score(Interaction()).leg(Leg.AGENT).at_risk
            False
        """
        if leg is Leg.CUSTOMER:
            return self.customer
        if leg is Leg.COMPANY:
            return self.company
        if leg is Leg.AGENT:
            return self.agent
        raise ValidationError("StoolScore.leg", leg, "a Leg")

    @functools.cached_property
    def at_risk(self) -> frozenset[Leg]:
        """The legs at risk (empty when all three hold)."""
        legs = (self.customer, self.company, self.agent)
        return frozenset(leg for leg, leg_score in zip(Leg, legs, strict=True) if leg_score.at_risk)

    @functools.cached_property
    def weakest(self) -> Leg:
        """The leg with the lowest value (the first in `Leg` order on a tie)."""
        values = (self.customer.value, self.company.value, self.agent.value)
        return tuple(Leg)[values.index(min(values))]

    def explain(self) -> str:
        """Return a readable, multi-line account of the score for a person.

        The first line says whether the stool holds; then one block per leg with its
        value and flag, and either the reasons it is at risk or what held it up.

        Example:
            >>> from stool import Interaction
            >>> from stool.scoring import score
            >>> print(score(Interaction(breaks=1)).explain())
            The stool wobbles: the company and agent legs are at risk.
            Customer 0.92  holds    satisfied, predicted CSAT 4.6
              held up by fulfilment +0.20, explanation +0.17, low effort +0.13
            Company  0.40  AT RISK
              - 1 rule broken: a critical item, as on a QA scorecard, caps the leg at 0.40 (-0.40)
              - policy: 1 rule broken (-0.19)
            Agent    0.40  AT RISK
              - 1 rule broken may cost the agent's job: the leg is capped at 0.40 (-0.46)
              - job safety: 1 rule broken (-0.13)
        """
        at_risk = [leg.value for leg in Leg if leg in self.at_risk]
        if self.collapsed:
            lines = [f"The stool collapses: the {self.weakest.value} leg gave way."]
        elif len(at_risk) == 1:
            lines = [f"The stool wobbles: the {at_risk[0]} leg is at risk."]
        elif at_risk:
            names = ", ".join(at_risk[:-1]) + " and " + at_risk[-1]
            lines = [f"The stool wobbles: the {names} legs are at risk."]
        else:
            lines = ["The stool holds: no leg at risk."]
        for leg in Leg:
            leg_score = self.leg(leg)
            status = _STATUS_WORDS[leg_score.status]
            line = f"{leg.value.capitalize():<8} {leg_score.value:.2f}  {status:<7}"
            if leg is Leg.CUSTOMER:
                kind = (
                    "type unknown"
                    if self.customer_type is None
                    else self.customer_type.name.replace("_", " ").lower()
                )
                line += f"  {kind}, predicted CSAT {self.predicted_csat:.1f}"
            lines.append(line.rstrip())
            if leg_score.unobserved:
                unknown = ", ".join(FACTOR_LABELS[name] for name in leg_score.unobserved)
                lines.append(f"  not observed: {unknown} (coverage {leg_score.coverage:.0%})")
            if leg_score.reasons:
                lines.extend(f"  - {reason}" for reason in leg_score.reasons)
            else:
                lines.append(f"  held up by {_strongest(leg_score.contributions)}")
        if self.unobserved:
            lines.append("Unknown inputs: " + ", ".join(self.unobserved) + ".")
        return "\n".join(lines)


_set_customer = _setter(StoolScore, "customer")
_set_company = _setter(StoolScore, "company")
_set_agent = _setter(StoolScore, "agent")
_set_collapsed = _setter(StoolScore, "collapsed")
_set_customer_type = _setter(StoolScore, "customer_type")
_set_predicted_csat = _setter(StoolScore, "predicted_csat")
_set_p_low = _setter(StoolScore, "p_low")
_set_score_unobserved = _setter(StoolScore, "unobserved")

_STATUS_WORDS: Final = {
    LegStatus.HOLDS: "holds",
    LegStatus.AT_RISK: "AT RISK",
    LegStatus.NOT_ENOUGH_EVIDENCE: "not enough evidence",
}


def _strongest(contributions: Mapping[str, float]) -> str:
    factors = [(v, k) for k, v in contributions.items() if not k.startswith(CAP_PREFIX) and v > 0]
    factors.sort(key=lambda item: -item[0])
    return ", ".join(f"{FACTOR_LABELS.get(k, k)} +{v:.2f}" for v, k in factors[:3])


def _unstructure_leg(leg: LegScore) -> dict[str, Any]:
    return {
        "value": leg.value,
        "contributions": dict(leg.contributions.items()),
        "at_risk": leg.at_risk,
        "reasons": list(leg.reasons),
        "coverage": leg.coverage,
        "unobserved": list(leg.unobserved),
        "status": leg.status.name,
    }


def _structure_leg(data: Any, path: str) -> LegScore:
    from stool.serialization import _structure  # noqa: PLC0415 - the package's own helper

    if not isinstance(data, Mapping):
        raise ValidationError(path, data, "an object with the fields of LegScore")
    kinds: dict[str, Any] = {
        "value": float,
        "contributions": dict[str, float],
        "at_risk": bool,
        "reasons": tuple[str, ...],
        "coverage": float,
        "unobserved": tuple[str, ...],
        "status": LegStatus,
    }
    for key in data:
        if key not in kinds:
            allowed = "a field of LegScore: " + ", ".join(kinds)
            raise ValidationError(f"{path}.{key}", data[key], allowed)
    kwargs: dict[str, Any] = {}
    for key, kind in kinds.items():
        if key in data:
            kwargs[key] = _structure(data[key], kind, f"{path}.{key}")
        elif key in ("value", "contributions", "at_risk"):
            raise ValidationError(f"{path}.{key}", None, "a value (this key is required)")
    try:
        return LegScore(**kwargs)
    except ValidationError as error:
        if path.endswith("LegScore") or not error.field.startswith("LegScore."):
            raise
        field = path + error.field[len("LegScore") :]
        raise ValidationError(field, error.value, error.allowed) from error


# `reasons` is written lazily, so LegScore brings its own (plain) wire format.
register(LegScore, unstructure=_unstructure_leg, structure=_structure_leg)


# ----------------------------------------------------------------------------- scoring

_SCALAR = _formula.SCALAR
_BEST = _formula.BEST
_Observed = _formula.Observed
_NAN: Final = math.nan
_FIELD_NAMES: Final = FIELD_NAMES
_DEFAULT_MODEL: list[StoolModel] = []
_CUSTOMER: Final = "customer"
_COMPANY: Final = "company"
_AGENT: Final = "agent"
_FACTOR_INDEXES: Final = {
    _CUSTOMER: _index(CustomerModel.FACTORS),
    _COMPANY: _index(CompanyModel.FACTORS),
    _AGENT: _index(AgentModel.FACTORS),
}


def _default_model() -> StoolModel:
    if not _DEFAULT_MODEL:
        _DEFAULT_MODEL.append(StoolModel())
    return _DEFAULT_MODEL[0]


def score(interaction: Interaction, model: StoolModel | None = None) -> StoolScore:
    """Score one interaction: the three legs, their flags, the reasons and the type.

    The customer leg is computed first; the company's reputation and retention and the
    agent's recognition read its value (the *predicted* customer satisfaction), never
    the observed `csat`, which is a label no score reads.

    Args:
        interaction: What happened.
        model: The weights, curves and thresholds; None for the default
            [StoolModel][stool.models.StoolModel].

    Returns:
        The score. Equal inputs give equal scores.

    Raises:
        ValidationError: If `interaction` is not an Interaction or `model` not a
            StoolModel.

    Example:
        >>> from stool import Interaction
        >>> from stool.scoring import score
        >>> result = score(Interaction(fulfilment=1.0, extra_mile=True))
        >>> result.customer_type.name, result.at_risk
        ('VERY_SATISFIED', frozenset())
    """
    if not isinstance(interaction, Interaction):
        raise ValidationError("score.interaction", interaction, "an Interaction")
    if model is None:
        model = _DEFAULT_MODEL[0] if _DEFAULT_MODEL else _default_model()
    elif not isinstance(model, StoolModel):
        raise ValidationError("score.model", model, "a StoolModel, or None for the default")
    inputs, observed, unobserved = _prepare(interaction, model)
    legs = _formula.evaluate(_SCALAR, model, inputs, observed)
    customer, company, agent = legs.customer, legs.company, legs.agent
    thresholds = model.thresholds
    collapse = thresholds._levels[1]  # noqa: SLF001
    result = _new(StoolScore)
    _set_legs(result, legs, (interaction, model, customer), inputs, observed)
    _set_collapsed(result, customer < collapse[0] or company < collapse[1] or agent < collapse[2])
    code = type_code(
        interaction.fulfilment,
        interaction.professionalism,
        interaction.extra_mile,
        thresholds.fulfilled_at,
        thresholds.unprofessional_below,
    )
    _set_customer_type(result, None if code is None else CUSTOMER_TYPES[code])
    expected, p_low = _formula.answers(_SCALAR, model.calibration, customer)
    _set_predicted_csat(result, expected)
    _set_p_low(result, p_low)
    _set_score_unobserved(result, unobserved)
    return result


def _prepare(
    i: Interaction, model: StoolModel
) -> tuple[_formula.Inputs, _formula.Observed | None, tuple[str, ...]]:
    """The formulas' inputs, with every unobserved one at its best, and what was observed."""
    if None not in (
        i.fulfilment,
        i.professionalism,
        i.empathy,
        i.explanation_clarity,
        i.extra_mile,
        i.wait_time_s,
        i.expectation,
        i.prior_bad_experiences,
        i.customer_value,
        i.customer_abuse,
        i.agent_fatigue,
        i.thanked,
    ):
        return _inputs(i, model), None, ()
    unobserved = i.unobserved
    observed = _Observed(*(name not in unobserved for name in UNKNOWABLE_FIELDS))
    facts = {name: getattr(i, name) for name in _FIELD_NAMES}
    facts.update((name, _BEST[name]) for name in unobserved)
    return _inputs(SimpleNamespace(**facts), model), observed, unobserved


def _set_legs(
    result: StoolScore,
    legs: _formula.Legs,
    context: _Context,
    inputs: _formula.Inputs,
    observed: _formula.Observed | None,
) -> None:
    """Fill in the three LegScores, with the caps that bit on each."""
    model = context[1]
    levels = model.thresholds._levels[0]  # noqa: SLF001
    minimum = model.thresholds.min_coverage
    known: tuple[_Known, _Known, _Known] = (None, None, None)
    if observed is not None:
        known = (
            _formula.customer_known(observed),
            _formula.company_known(observed),
            _formula.agent_known(observed),
        )
    estimate = (
        legs.customer_terms,
        legs.customer,
        legs.customer_coverage,
        known[0],
        legs.customer_shares,
    )
    _set_customer(
        result, _leg(_CUSTOMER, model.customer, estimate, (), (levels[0], minimum), context)
    )
    broke = inputs.breaks > 0
    km = model.company
    caps: _Caps = ()
    if broke:
        caps = ((BREAK_CAP, km.break_cap, legs.company),)
    estimate = (
        legs.company_terms,
        legs.company_uncapped,
        legs.company_coverage,
        known[1],
        legs.company_shares,
    )
    _set_company(result, _leg(_COMPANY, km, estimate, caps, (levels[1], minimum), context))
    am = model.agent
    caps = ()
    if inputs.abuse >= am.severe_abuse_at:
        caps = ((ABUSE_CAP, am.abuse_cap, legs.agent_after_abuse),)
    if broke:
        caps = (*caps, (BREAK_CAP, am.break_cap, legs.agent))
    estimate = (
        legs.agent_terms,
        legs.agent_uncapped,
        legs.agent_coverage,
        known[2],
        legs.agent_shares,
    )
    _set_agent(result, _leg(_AGENT, am, estimate, caps, (levels[2], minimum), context))


def _inputs(i: Any, model: StoolModel) -> _formula.Inputs:
    """The formulas' inputs from an interaction (or its facts) with every unknowable set."""
    promised = i.promised_days
    late = 0.0
    if promised is not None:
        delivered, elapsed = i.delivered_days, i.elapsed_days
        late = _formula.lateness_days(
            _SCALAR,
            promised,
            _NAN if delivered is None else delivered,
            _NAN if elapsed is None else elapsed,
        )
    return _formula.Inputs(
        i.fulfilment,
        i.professionalism,
        i.empathy,
        i.explanation_clarity,
        i.extra_mile,
        i.wait_time_s,
        model.customer.wait_scale_s(i.channel),
        i.transfers,
        i.repeat_contacts,
        late,
        i.expectation,
        i.prior_bad_experiences,
        i.customer_value,
        i.customer_abuse,
        i.agent_fatigue,
        i.ended_by_agent,
        i.escalated,
        i.thanked,
        i.bends,
        i.breaks,
        i.concession_cost,
        i.concession_budget,
        i.handle_time_s,
        i.aht_target_s,
        i.queue_wait_imposed_s,
    )


def _leg(  # noqa: PLR0917 - the private fast path
    leg: str,
    leg_model: _LegModel,
    estimate: tuple[list[float], float, float, _Known, Any],
    caps: _Caps,
    levels: tuple[float, float],
    context: _Context,
) -> LegScore:
    # `estimate` holds the contributions, the value they add up to, the coverage, which
    # factors were observed and their shares (None, None: all observed). `caps` holds
    # (name, ceiling, value after it) for each cap whose condition holds, in the order
    # they apply; one that lowers the value adds an entry holding what it took off, so
    # the contributions add up to the capped value.
    terms, uncapped, coverage, known, shares = estimate
    value = uncapped
    factor_terms = terms
    mapping = _new(_Contributions)
    if caps:
        names = leg_model.FACTORS
        factor_terms = list(terms)
        for name, _, after in caps:
            if after < value:
                names = (*names, name)
                terms.append(after - value)
                value = after
        _set_index(mapping, _index(names))
    else:
        _set_index(mapping, _FACTOR_INDEXES[leg])
    _set_values(mapping, terms)
    result = _new(LegScore)
    _set_value(result, value)
    _set_contributions(result, mapping)
    _set_coverage(result, coverage)
    if known is None:
        _set_unobserved(result, ())
    else:
        dropped = tuple(
            name for name, flag in zip(leg_model.FACTORS, known, strict=True) if not flag
        )
        _set_unobserved(result, dropped)
    level, minimum = levels
    if value < level:
        _set_at_risk(result, True)  # noqa: FBT003 - a slot setter
        _set_status(result, LegStatus.AT_RISK)
        _set_reasons(
            result,
            _Pending(leg, leg_model, factor_terms, (uncapped, shares, known), caps, context),
        )
    else:
        _set_at_risk(result, False)  # noqa: FBT003
        _set_status(
            result, LegStatus.HOLDS if coverage >= minimum else LegStatus.NOT_ENOUGH_EVIDENCE
        )
        _set_reasons(result, ())
    return result


def score_timeline(
    start: Interaction, moves: Iterable[Event], model: StoolModel | None = None
) -> list[StoolScore]:
    """Score an interaction after every move of a scenario.

    Args:
        start: The interaction before the first move.
        moves: Events from [stool.events][], applied in order.
        model: The model; None for the default.

    Returns:
        One score per move, the score after that move; an empty list for no moves.

    Raises:
        ValidationError: If `start` is not an Interaction, `moves` is not an iterable,
            or a move is not an Event.

    Example:
        >>> from stool import Interaction
        >>> from stool.events import BadNews, ExplainPolicy
        >>> from stool.scoring import score_timeline
        >>> curt = Interaction(explanation_clarity=0.0)
        >>> scores = score_timeline(curt, [BadNews(), ExplainPolicy()])
        >>> scores[0].customer.value < scores[1].customer.value
        True
    """
    if not isinstance(start, Interaction):
        raise ValidationError("score_timeline.start", start, "an Interaction")
    if model is not None and not isinstance(model, StoolModel):
        raise ValidationError("score_timeline.model", model, "a StoolModel, or None")
    if isinstance(moves, (str, bytes, Mapping)) or not isinstance(moves, Iterable):
        raise ValidationError("score_timeline.moves", moves, "an iterable of Events")
    interaction = start
    scores = []
    for index, move in enumerate(moves):
        if not isinstance(move, Event):
            raise ValidationError(f"score_timeline.moves[{index}]", move, "an Event")
        interaction = move.apply(interaction)
        scores.append(score(interaction, model))
    return scores


# ----------------------------------------------------------------------------- reasons


def _write_reasons(  # noqa: PLR0917 - called with the arguments _Pending kept
    leg: str,
    leg_model: _LegModel,
    terms: list[float],
    estimate: tuple[float, Any, _Known],
    caps: _Caps,
    context: _Context,
) -> tuple[str, ...]:
    uncapped, shares, known = estimate  # the value before caps, the shares, what was observed
    facts = _Facts(*context)
    out = []
    # Caps first: the ones that lowered the value, with what each took off.
    value = uncapped
    for cap, ceiling, after in caps:
        if after < value:
            out.append(f"{_cap_phrase(cap, ceiling, facts, leg=leg)} (-{value - after:.2f})")
            value = after
    # A factor's loss is what it would add at full satisfaction: w(1 - s) = w - ws, with
    # the shares of what counted (an unobserved factor that was not held loses 0).
    normalised = leg_model._normalised if shares is None else shares  # noqa: SLF001
    losses = sorted(
        (
            (weight - term, name)
            for name, weight, term in zip(leg_model.FACTORS, normalised, terms, strict=True)
        ),
        key=lambda item: -item[0],
    )
    # A promise kept (or none made) is par, not a reason: only one broken is named.
    kept = leg == _CUSTOMER and _late_days(facts) <= 0.0
    named = [
        (loss, name)
        for loss, name in losses
        if loss >= REASON_MIN_LOSS and not (kept and name == "promise")
    ][:REASON_LIMIT]
    if not named and not out:
        named = losses[:1]
    phrases = _PHRASES[leg]
    index = _FACTOR_INDEXES[leg]
    for loss, name in named:
        position = index[name]
        if known is not None and not known[position]:
            # Held at its best case: its inputs were only partly observed.
            best = terms[position] / normalised[position]
            phrase = f"{FACTOR_LABELS[name]}: partly unobserved, at best {best:.2f}"
        else:
            phrase = phrases[name](facts)
        out.append(f"{phrase} (-{loss:.2f})")
    return tuple(out)


class _Facts(NamedTuple):
    """What a reason may quote: the interaction, the model and the customer leg."""

    interaction: Interaction
    model: StoolModel
    customer: float


def _seen(value: _T | None) -> _T:
    """A value that a named reason's factor read, and so was observed."""
    return cast("_T", value)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _number(number: float) -> str:
    return f"{number:,.2f}".rstrip("0").rstrip(".")


def _csat(facts: _Facts) -> str:
    return f"predicted CSAT {facts.model.calibration.predicted_csat(facts.customer):.1f}"


def _fulfilment(facts: _Facts) -> str:
    fulfilment = facts.interaction.fulfilment
    if fulfilment == 0:
        return "the request was not fulfilled"
    return f"the request was only {fulfilment:.0%} fulfilled"


def _professionalism(facts: _Facts) -> str:
    shown = facts.interaction.professionalism
    return f"professionalism {shown:.2f}: handled curtly or without respect"


def _empathy(facts: _Facts) -> str:
    return f"empathy {facts.interaction.empathy:.2f}: the customer's situation was not acknowledged"


def _explanation(facts: _Facts) -> str:
    i = facts.interaction
    return (
        f"explanation clarity {i.explanation_clarity:.2f} with the request "
        f"{i.fulfilment:.0%} fulfilled: the customer was not told why"
    )


def _effort(facts: _Facts) -> str:
    i = facts.interaction
    parts = []
    wait = _seen(i.wait_time_s)
    if wait > 0:
        parts.append(f"waited {wait:.0f} s")
    if i.transfers:
        parts.append(_plural(i.transfers, "transfer"))
    if i.repeat_contacts:
        parts.append(_plural(i.repeat_contacts, "repeat contact"))
    return "customer effort: " + ", ".join(parts or ["none"])


def _expectations(facts: _Facts) -> str:
    i = facts.interaction
    expected = float(
        _formula.expected_outcome(
            _SCALAR, facts.model.customer, i.expectation, i.prior_bad_experiences
        )
    )
    fulfilment = _seen(i.fulfilment)
    verb = "fell short of" if fulfilment < expected else "barely beat"
    return (
        f"the outcome ({fulfilment:.0%} fulfilled) {verb} what the customer expected "
        f"({expected:.0%})"
    )


def _late_days(facts: _Facts) -> float:
    i = facts.interaction
    return _inputs(i, facts.model).lateness_days if i.promised_days is not None else 0.0


def _promise(facts: _Facts) -> str:
    i = facts.interaction
    promised, delivered = i.promised_days, i.delivered_days
    if promised is None:
        return "no promise made, so none kept"
    if delivered is None:
        elapsed = i.elapsed_days
        if elapsed is not None and elapsed > promised:
            return (
                f"promised in {_number(promised)} days, still not delivered after "
                f"{_number(elapsed)} ({_number(elapsed - promised)} days overdue)"
            )
        return f"promised in {_number(promised)} days, not delivered yet"
    if delivered > promised:
        return (
            f"delivered in {_number(delivered)} days against {_number(promised)} promised "
            f"({_number(delivered - promised)} days late)"
        )
    return f"delivered in {_number(delivered)} days against {_number(promised)} promised"


def _extra_mile(_facts: _Facts) -> str:
    return "no extra mile"


def _recovery(facts: _Facts) -> str:
    prior = _plural(_seen(facts.interaction.prior_bad_experiences), "prior bad experience")
    return f"{prior} not repaired: the customer came in hostile"


def _policy(facts: _Facts) -> str:
    i = facts.interaction
    parts = []
    if i.bends:
        parts.append(f"{_plural(i.bends, 'rule')} bent")
    if i.breaks:
        parts.append(f"{_plural(i.breaks, 'rule')} broken")
    return "policy: " + ", ".join(parts)


def _concession(facts: _Facts) -> str:
    cost, budget = facts.interaction.concession_cost, facts.interaction.concession_budget
    if budget == 0:
        return f"concession {_number(cost)} with no concession budget"
    return f"concession {_number(cost)} is {cost / budget:.1f}x the {_number(budget)} budget"


def _handle(i: Interaction, target: str) -> str:
    ratio = i.handle_time_s / i.aht_target_s
    return (
        f"handle time {i.handle_time_s:.0f} s is {ratio:.1f}x the {i.aht_target_s:.0f} s {target}"
    )


def _company_handle_time(facts: _Facts) -> str:
    return _handle(facts.interaction, "target")


def _queue(facts: _Facts) -> str:
    imposed = facts.interaction.queue_wait_imposed_s
    return f"the call's handle time made the other callers wait {imposed:.0f} s more in all"


def _reputation(facts: _Facts) -> str:
    return f"{_csat(facts)}: a bad survey and bad word of mouth are likely"


def _retention(facts: _Facts) -> str:
    i = facts.interaction
    text = f"customer value {_number(_seen(i.customer_value))} at stake with {_csat(facts)}"
    if i.prior_bad_experiences:
        text += f" after {_plural(i.prior_bad_experiences, 'prior bad experience')}"
    return text


def _abuse(facts: _Facts) -> str:
    abuse = _seen(facts.interaction.customer_abuse)
    severe = abuse >= facts.model.agent.severe_abuse_at
    return (
        f"customer abuse {abuse:.2f} ({'insults or threats' if severe else 'shouting or cursing'})"
    )


def _recognition(facts: _Facts) -> str:
    thanks = "thanked" if facts.interaction.thanked else "not thanked"
    return f"little recognition: {thanks}, {_csat(facts)}"


def _job_risk(facts: _Facts) -> str:
    return f"job safety: {_plural(facts.interaction.breaks, 'rule')} broken"


def _agent_handle_time(facts: _Facts) -> str:
    return _handle(facts.interaction, "AHT target the agent is graded on")


def _fatigue(facts: _Facts) -> str:
    return f"fatigue {facts.interaction.agent_fatigue:.2f} carried into the contact"


def _support(facts: _Facts) -> str:
    i = facts.interaction
    strain = float(_formula.strain(_SCALAR, i.customer_abuse, i.fulfilment))
    return f"a hard contact (strain {strain:.2f}) with no supervisor and no way out"


_Phrase = Callable[[_Facts], str]
_PHRASES: Final[dict[str, dict[str, _Phrase]]] = {
    _CUSTOMER: {
        "fulfilment": _fulfilment,
        "professionalism": _professionalism,
        "empathy": _empathy,
        "explanation": _explanation,
        "effort": _effort,
        "expectations": _expectations,
        "promise": _promise,
        "extra_mile": _extra_mile,
        "recovery": _recovery,
    },
    _COMPANY: {
        "policy": _policy,
        "concession": _concession,
        "handle_time": _company_handle_time,
        "reputation": _reputation,
        "retention": _retention,
        "queue": _queue,
    },
    _AGENT: {
        "abuse": _abuse,
        "recognition": _recognition,
        "job_risk": _job_risk,
        "handle_time": _agent_handle_time,
        "fatigue": _fatigue,
        "support": _support,
    },
}


def _cap_phrase(cap: str, ceiling: float, facts: _Facts, *, leg: str) -> str:
    i = facts.interaction
    if cap == ABUSE_CAP:
        return (
            f"severe abuse ({i.customer_abuse:.2f}, at or above "
            f"{facts.model.agent.severe_abuse_at:.2f}) caps the agent leg at {ceiling:.2f}"
        )
    broken = _plural(i.breaks, "rule")
    if leg == _AGENT:
        return f"{broken} broken may cost the agent's job: the leg is capped at {ceiling:.2f}"
    return f"{broken} broken: a critical item, as on a QA scorecard, caps the leg at {ceiling:.2f}"
