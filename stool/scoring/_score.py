"""Score one interaction, or one after every move of a scenario.

`score` evaluates the formulas of `stool._formula` once on plain floats, then fills the
[StoolScore][stool.scoring.StoolScore] and its three [LegScore][stool.scoring.LegScore]s
through their slots, with the caps that bit on each leg, and leaves the reasons of an
at-risk leg to be written when they are read.
This is the hot path: every name it calls is a global of this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from stool import _formula
from stool.enums import LegStatus
from stool.errors import ValidationError
from stool.events import Event
from stool.interaction import CUSTOMER_TYPES, Interaction, type_code
from stool.models import StoolModel
from stool.scoring._contributions import (
    _AGENT,
    _COMPANY,
    _CUSTOMER,
    _FACTOR_INDEXES,
    ABUSE_CAP,
    BREAK_CAP,
    _Contributions,
    _index,
    _new,
    _set_index,
    _set_values,
    _setter,
)
from stool.scoring._inputs import _SCALAR, _prepare
from stool.scoring._reasons import _Pending
from stool.scoring._result import LegScore, StoolScore, _set_reasons

if TYPE_CHECKING:
    from stool.scoring._reasons import _Caps, _Context, _Known, _LegModel

__all__ = ["score", "score_timeline"]

_DEFAULT_MODEL: list[StoolModel] = []  # built on first use, shared with stool.batch

# Each slot's own setter: `score` fills what it computed itself without checking it again.
_set_value = _setter(LegScore, "value")
_set_contributions = _setter(LegScore, "contributions")
_set_at_risk = _setter(LegScore, "at_risk")
_set_coverage = _setter(LegScore, "coverage")
_set_unobserved = _setter(LegScore, "unobserved")
_set_status = _setter(LegScore, "status")

_set_customer = _setter(StoolScore, "customer")
_set_company = _setter(StoolScore, "company")
_set_agent = _setter(StoolScore, "agent")
_set_collapsed = _setter(StoolScore, "collapsed")
_set_customer_type = _setter(StoolScore, "customer_type")
_set_predicted_csat = _setter(StoolScore, "predicted_csat")
_set_p_low = _setter(StoolScore, "p_low")
_set_score_unobserved = _setter(StoolScore, "unobserved")


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
