"""What `score` returns: a LegScore per leg, in a StoolScore that explains itself.

Both validate what a caller gives them; `score` fills them through their slots instead,
since it computed every value itself.
"""

from __future__ import annotations

import functools
import inspect
import math
import typing
from collections.abc import Mapping
from typing import Any, Final

import attrs

from stool._fields import fraction
from stool.enums import CustomerType, Leg, LegStatus
from stool.errors import ValidationError
from stool.scoring._contributions import CAP_PREFIX, _contributions_from, _setter
from stool.scoring._reasons import FACTOR_LABELS, _Pending

__all__ = ["RECONCILE_TOLERANCE", "LegScore", "StoolScore"]

RECONCILE_TOLERANCE: Final = 1e-9
"""How closely a leg's contributions must add up to its value."""


def _resolve(reasons: Any) -> tuple[str, ...]:
    resolved: tuple[str, ...] = reasons() if type(reasons) is _Pending else reasons
    return resolved


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


_set_reasons = _setter(LegScore, "_reasons")


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


_STATUS_WORDS: Final = {
    LegStatus.HOLDS: "holds",
    LegStatus.AT_RISK: "AT RISK",
    LegStatus.NOT_ENOUGH_EVIDENCE: "not enough evidence",
}


def _strongest(contributions: Mapping[str, float]) -> str:
    factors = [(v, k) for k, v in contributions.items() if not k.startswith(CAP_PREFIX) and v > 0]
    factors.sort(key=lambda item: -item[0])
    return ", ".join(f"{FACTOR_LABELS.get(k, k)} +{v:.2f}" for v, k in factors[:3])


def _rehome(cls: type) -> None:
    """Name `cls`, and the methods written for it here, by the package: its public home.

    Reprs, pickles, doctests and the docs then say `stool.scoring`, as they did before it
    became a package. The annotations are resolved first, while `__module__` still names
    this module, since `typing.get_type_hints` looks their names up there.
    """
    cls.__annotations__ = typing.get_type_hints(cls)
    for member in vars(cls).values():
        function = member.fget if isinstance(member, property) else member
        if inspect.isfunction(function) and function.__module__ == __name__:
            function.__module__ = _HOME
    cls.__module__ = _HOME


_HOME: Final = "stool.scoring"
_rehome(LegScore)
_rehome(StoolScore)
