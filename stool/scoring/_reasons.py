"""The reasons of an at-risk leg: readable sentences, each with the numbers behind it.

[LegScore.reasons][stool.scoring.LegScore.reasons] names the caps that bit, then the
factors that cost the leg most, each in a sentence that quotes the interaction and the
model (`"handle time 540 s is 1.5x the 360 s target (-0.09)"`).
`score` keeps what the sentences need in a `_Pending`, and they are written the first
time someone reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, NamedTuple, TypeVar, cast

from stool import _formula
from stool.interaction import Interaction
from stool.models import AgentModel, CompanyModel, CustomerModel, StoolModel
from stool.scoring._contributions import (
    _AGENT,
    _COMPANY,
    _CUSTOMER,
    _FACTOR_INDEXES,
    ABUSE_CAP,
)
from stool.scoring._inputs import _SCALAR, _inputs

__all__ = ["FACTOR_LABELS", "REASON_LIMIT", "REASON_MIN_LOSS"]

REASON_MIN_LOSS: Final = 0.02
"""A factor is named as a reason when it costs its leg at least this much."""

REASON_LIMIT: Final = 4
"""At most this many factors are named per leg (the caps that bit come on top)."""

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

# What `_Pending` keeps: the leg's model, each cap whose condition holds (its name, its
# ceiling, the value after it), what a sentence may quote (the interaction, the model,
# the customer leg) and which factors were observed (None: all of them).
_LegModel = CustomerModel | CompanyModel | AgentModel
_Caps = tuple[tuple[str, float, float], ...]
_Context = tuple[Interaction, StoolModel, float]
_Known = tuple[Any, ...] | None
_T = TypeVar("_T")


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


# Pickles of scores whose reasons are still to be written name this class where it was
# before stool.scoring became a package.
_Pending.__module__ = "stool.scoring"


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
