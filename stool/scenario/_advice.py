"""Advice: weigh candidate next moves and rank them by the stool they leave behind."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

import attrs

from stool._fields import text
from stool.enums import Authority, Leg, Verdict
from stool.errors import ValidationError
from stool.events import BadNews, EndCall, Escalate, ExplainPolicy, ExtraMile, Resolve
from stool.interaction import Interaction
from stool.parties import Company
from stool.scenario._moves import (
    Deviate,
    Move,
    Propose,
    _check_moves,
    _describe,
    _is_move,
    _moves_tuple,
)
from stool.scenario._render import _LEGS, _first_reason, _flags_text, _leg, _legs_text, _legs_values
from stool.scenario._scenario import Scenario

if TYPE_CHECKING:
    from stool.models import StoolModel
    from stool.policy import Decision, Ledger
    from stool.scenario._timeline import Step
    from stool.scoring import StoolScore

__all__ = ["DEFAULT_JUSTIFICATION", "Advice", "Option", "OptionKind", "advise", "default_options"]

DEFAULT_JUSTIFICATION: Final = (
    "to keep a customer whose request is reasonable and who would otherwise leave"
)
"""The justification [default_options][stool.scenario.default_options] gives a bend when the
request carries none: the customer's benefit, as a bend must record it."""


OptionKind: TypeAlias = Literal[
    "refuse", "bend", "escalate", "extra_mile", "break", "let_go", "custom"
]
"""Which default option an [Option][stool.scenario.Option] is (see
[default_options][stool.scenario.default_options]); `"let_go"` is seed 002's last resort
and `"custom"` any other."""


def _check_option_moves(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    _check_moves(instance, attribute, value)
    if not value:
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}", value, "at least one move"
        )


@attrs.frozen(kw_only=True)
class Option:
    """A candidate next step for [advise][stool.scenario.advise]: a label and its moves.

    Example:
        >>> from stool.events import ExplainPolicy, BadNews
        >>> Option(label="refuse, explaining why", moves=(ExplainPolicy(), BadNews())).kind
        'custom'
    """

    label: str = text()
    """What the option is, in a phrase a trainee can read."""
    moves: tuple[Move, ...] = attrs.field(converter=_moves_tuple, validator=_check_option_moves)
    """The moves the option plays, in order."""
    kind: OptionKind = attrs.field(default="custom")
    """Which of the default options this is (`"refuse"`, `"bend"`, `"escalate"`,
    `"extra_mile"`, `"break"`, `"let_go"`), or `"custom"`."""

    @kind.validator
    def _check_kind(self, attribute: attrs.Attribute[Any], value: Any) -> None:
        allowed = ("refuse", "bend", "escalate", "extra_mile", "break", "let_go", "custom")
        if value not in allowed:
            raise ValidationError(f"Option.{attribute.name}", value, "one of " + ", ".join(allowed))


@attrs.frozen(kw_only=True, repr=False)
class Advice:
    """One weighed option: its decision, the stool it leaves, and why it ranks where it does."""

    option: Option
    """The option weighed."""
    decision: Decision | None
    """The policy decision on the option's proposed action (the worst one if it proposes
    several); None if it proposes nothing a policy book judges."""
    score: StoolScore
    """The three legs after the option."""
    reason: str
    """A sentence a trainee can read: what the option does to the rules and to each leg."""
    steps: tuple[Step, ...]
    """The steps the option played, one per move."""

    @property
    def verdict(self) -> Verdict | None:
        """The worst verdict among the option's steps, or None if no rule was involved."""
        verdicts = [step.verdict for step in self.steps if step.verdict is not None]
        return max(verdicts) if verdicts else None

    @property
    def broken(self) -> bool:
        """Whether the option breaks a rule."""
        return self.verdict is Verdict.BROKEN

    @property
    def standing(self) -> bool:
        """Whether the option keeps the stool standing: no rule broken and no leg at risk."""
        return not self.broken and not self.score.at_risk and not self.score.collapsed

    def __str__(self) -> str:
        return f"{self.option.label}: {self.reason}"

    def __repr__(self) -> str:
        verdict = "no rule" if self.verdict is None else self.verdict.name
        return (
            f"<Advice {self.option.label!r}: {verdict}; {_legs_values(self.score)}; "
            f"{_flags_text(self.score)}>"
        )


def _escalation_target(authority: Authority) -> Authority | None:
    if authority is Authority.AGENT:
        return Authority.SUPERVISOR
    if authority is Authority.SUPERVISOR:
        return Authority.MANAGER
    return None


def _as_scenario(situation: Scenario | Interaction, company: Company | None) -> Scenario:
    if isinstance(situation, Scenario):
        if company is not None:
            return attrs.evolve(situation, company=company)
        return situation
    if isinstance(situation, Interaction):
        return Scenario(
            start=situation,
            channel=situation.channel,
            company=Company(name="company") if company is None else company,
        )
    raise ValidationError(
        "advise.scenario_or_interaction", situation, "a Scenario or an Interaction"
    )


def _refusal() -> tuple[Move, ...]:
    return (ExplainPolicy(clarity=1.0), BadNews(fulfilment_cap=0.0))


def _let_go(current: Interaction) -> Option:
    closing: tuple[Move, ...] = (*_refusal(), EndCall())
    if current.authority < Authority.SUPERVISOR:
        return Option(
            label="escalate to a supervisor, then let the customer go",
            moves=(Escalate(to=Authority.SUPERVISOR), *closing),
            kind="let_go",
        )
    return Option(
        label="let the customer go, now that a supervisor has looked",
        moves=closing,
        kind="let_go",
    )


def default_options(
    scenario_or_interaction: Scenario | Interaction,
    *,
    request: Propose | None = None,
    company: Company | None = None,
    ledger: Ledger | None = None,
) -> tuple[Option, ...]:
    """Return the options [advise][stool.scenario.advise] weighs when given none.

    With a request (the scenario's `request`, or `request`) and a policy book to judge it,
    each option plays the request its own way, and the book judges each one:

    1. `refuse`: refuse, explaining why the rule exists (`ExplainPolicy`, `BadNews`);
    2. `bend`: grant it with a justification (the request's own, or
       [DEFAULT_JUSTIFICATION][stool.scenario.DEFAULT_JUSTIFICATION]), as the current
       authority: a bend where the rules call for one;
    3. `escalate`: escalate to the next authority, who grants it with the justification
       (left out when a manager already holds the contact);
    4. `extra_mile`: go the extra mile: the justified grant when the current authority may
       make it without a break, otherwise the refusal, then `ExtraMile`;
    5. `break`: grant it on the current authority's own say-so, with no justification.

    The labels say what each option does, not what the book will make of it: a request
    within the rules is granted COMPLIANT by the bend, escalate and break options alike,
    and [advise][stool.scenario.advise] reports each verdict.

    Without a request there is nothing for a policy book to judge, so the bend and the
    break are [Deviate][stool.scenario.Deviate] moves (counted as one bend or one break)
    after a `Resolve`; escalating adds an `Escalate` before the bend, and the extra mile
    is an explanation and `ExtraMile`, leaving fulfilment as it is.

    Args:
        scenario_or_interaction: Where the contact stands: a scenario (its moves so far)
            or an interaction.
        request: The action the customer asks for; None for the scenario's `request`.
        company: The company whose policy book judges the request; None for the
            scenario's company (a bare interaction has a company with no policy book).
        ledger: Bends made before the scenario, which the extra mile's check counts;
            None for none. It is not changed.

    Returns:
        The options, in the order above.

    Raises:
        ValidationError: If a request is given but no policy book can judge it.

    Example:
        >>> from stool import Interaction
        >>> " ".join(o.kind for o in default_options(Interaction(fulfilment=0.0)))
        'refuse bend escalate extra_mile break'
    """
    scenario = _as_scenario(scenario_or_interaction, company)
    request = scenario.request if request is None else request
    if request is not None and scenario.request is not request:
        scenario = attrs.evolve(scenario, request=request)
    current = scenario.run(ledger=_copy(ledger)).interaction
    target = _escalation_target(current.authority)
    refuse = Option(label="refuse, explaining why the rule exists", moves=_refusal(), kind="refuse")
    if request is None:
        return _nominal_options(refuse, target)
    justified = attrs.evolve(
        request, justification=request.justification or DEFAULT_JUSTIFICATION, by=None
    )
    bend = Option(label="grant it, with a justification", moves=(justified,), kind="bend")
    options = [refuse, bend]
    if target is not None:
        options.append(
            Option(
                label=f"escalate to a {target.name.lower()}, who grants it with a justification",
                moves=(Escalate(to=target), justified),
                kind="escalate",
            )
        )
    trial = scenario.then(justified).run(ledger=_copy(ledger))
    grantable = trial.steps[-1].verdict is not Verdict.BROKEN
    if grantable:
        extra = Option(
            label="grant it with a justification, and go the extra mile",
            moves=(justified, ExtraMile()),
            kind="extra_mile",
        )
    else:
        extra = Option(
            label="refuse, explaining why, and go the extra mile",
            moves=(*_refusal(), ExtraMile()),
            kind="extra_mile",
        )
    options.append(extra)
    options.append(
        Option(
            label="grant it on your own authority, without a justification",
            moves=(attrs.evolve(request, justification=None, by=None),),
            kind="break",
        )
    )
    return tuple(options)


def _nominal_options(refuse: Option, target: Authority | None) -> tuple[Option, ...]:
    bend = Deviate(verdict=Verdict.BENT, justification=DEFAULT_JUSTIFICATION)
    options = [
        refuse,
        Option(
            label="bend the rule to grant it, with a justification",
            moves=(Resolve(), bend),
            kind="bend",
        ),
    ]
    if target is not None:
        options.append(
            Option(
                label=f"escalate to a {target.name.lower()}, who approves the bend",
                moves=(Escalate(to=target), Resolve(), bend),
                kind="escalate",
            )
        )
    options.append(
        Option(
            label="explain why, and go the extra mile",
            moves=(ExplainPolicy(clarity=1.0), ExtraMile()),
            kind="extra_mile",
        )
    )
    options.append(
        Option(
            label="break the rule to grant it",
            moves=(Resolve(), Deviate(verdict=Verdict.BROKEN)),
            kind="break",
        )
    )
    return tuple(options)


def _as_option(item: Any, index: int) -> Option:
    if isinstance(item, Option):
        return item
    if _is_move(item):
        return Option(label=_describe(item), moves=(item,))
    if isinstance(item, (tuple, list)) and item and all(_is_move(m) for m in item):
        return Option(label=", then ".join(_describe(m) for m in item), moves=tuple(item))
    raise ValidationError(
        f"advise.options[{index}]", item, "an Option, a move, or a non-empty sequence of moves"
    )


def _copy(ledger: Ledger | None) -> Ledger | None:
    from stool.policy import Ledger  # noqa: PLC0415

    return None if ledger is None else Ledger(entries=ledger.entries)


def _weigh(
    scenario: Scenario, option: Option, model: StoolModel | None, ledger: Ledger | None
) -> Advice:
    timeline = scenario.then(*option.moves).run(model, ledger=_copy(ledger))
    steps = timeline.steps[len(scenario.moves) :]
    decisions = [step.decision for step in steps if step.decision is not None]
    decision = max(decisions, key=lambda d: d.verdict) if decisions else None
    advice = Advice(option=option, decision=decision, score=timeline.final, reason="", steps=steps)
    return attrs.evolve(advice, reason=_reason(advice))


def _tier(advice: Advice) -> int:
    if advice.broken:
        return 2
    score = advice.score
    if Leg.COMPANY in score.at_risk or Leg.AGENT in score.at_risk or score.collapsed:
        return 1
    return 0


def _rank_key(advice: Advice) -> tuple[Any, ...]:
    score = advice.score
    values = [_leg(score, leg).value for leg in _LEGS]
    tier = _tier(advice)
    if tier == 0:
        # Save the customer first: company and agent legs hold, so the customer decides.
        return (tier, -score.customer.value, -sum(values))
    return (tier, score.collapsed, len(score.at_risk), -min(values), -sum(values))


def advise(
    scenario_or_interaction: Scenario | Interaction,
    options: Iterable[Option | Move | Sequence[Move]] | None = None,
    model: StoolModel | None = None,
    *,
    request: Propose | None = None,
    company: Company | None = None,
    ledger: Ledger | None = None,
) -> list[Advice]:
    """Weigh candidate next moves and rank them by the stool they leave, as the stories advise.

    Each option is played after the scenario's moves (or from the interaction) and scored.
    The ranking:

    1. An option that breaks a rule never ranks above one that does not.
    2. Among the rest, options that keep the company and agent legs out of risk come
       first, the best for the customer first: "always remember to try saving the
       customer first" (seed 002), as long as it costs neither the company nor the agent.
    3. Then the others: a wobbling stool before a collapsed one, then fewer legs at risk,
       then a stronger weakest leg; the broken options come last, in the same order.
       Ties keep the options' order.
    4. When no option keeps the stool standing (no rule broken, no leg at risk), the
       first advice is to escalate and then let the customer go: "despite of you having
       given your best and despite of you having let your supervisor made a heatcheck
       and all) then it's time to let go of him" (seed 002). A given option of kind
       `"let_go"` is the one recommended; otherwise one is added.

    Args:
        scenario_or_interaction: Where the contact stands: a
            [Scenario][stool.scenario.Scenario] (its moves so far) or an
            [Interaction][stool.interaction.Interaction].
        options: The candidates: [Option][stool.scenario.Option]s, single moves, or
            sequences of moves; None for
            [default_options][stool.scenario.default_options].
        model: The scoring model; None for the default.
        request: The action the customer asks for, for the default options; None for the
            scenario's `request`.
        company: The company whose policy book judges proposed actions; None for the
            scenario's company.
        ledger: Bends made before the scenario (the agent's day so far), so budgets
            count them; None for none. Each option is weighed on a copy: advising never
            records anything in it.

    Returns:
        The advice, best first.

    Raises:
        ValidationError: If an option is not an option, a move or a sequence of moves, or
            a proposed action has no policy book to judge it.

    Example:
        >>> from stool import Interaction
        >>> best = advise(Interaction(fulfilment=0.0, handle_time_s=60.0))[0]
        >>> best.broken
        False
    """
    scenario = _as_scenario(scenario_or_interaction, company)
    if request is not None:
        scenario = attrs.evolve(scenario, request=request)
    if options is None:
        candidates = default_options(scenario, ledger=ledger)
    else:
        if isinstance(options, (str, bytes, Mapping)) or not isinstance(options, Iterable):
            raise ValidationError(
                "advise.options", options, "a sequence of options, moves or move sequences"
            )
        candidates = tuple(_as_option(item, i) for i, item in enumerate(options))
        if not candidates:
            raise ValidationError("advise.options", options, "at least one option, or None")
    weighed = sorted(
        (_weigh(scenario, option, model, ledger) for option in candidates), key=_rank_key
    )
    if any(advice.standing for advice in weighed):
        return weighed
    let_go = next((a for a in weighed if a.option.kind == "let_go"), None)
    if let_go is None:
        current = scenario.run(model, ledger=_copy(ledger)).interaction
        let_go = _weigh(scenario, _let_go(current), model, ledger)
    else:
        weighed.remove(let_go)
    recommended = attrs.evolve(let_go, reason=_let_go_reason(let_go))
    return [recommended, *weighed]


def _policy_text(advice: Advice) -> str:
    verdict = advice.verdict
    decision = advice.decision
    if verdict is None:
        return "no rule is involved"
    if verdict is Verdict.COMPLIANT:
        return "it keeps every rule"
    if decision is None:
        return (
            "it bends a rule (unjudged)"
            if verdict is Verdict.BENT
            else "it breaks a rule (unjudged)"
        )
    rules = _rule_ids(decision, verdict)
    if verdict is Verdict.BENT:
        return f"it bends {rules}, within the {decision.by.name.lower()}'s tolerance"
    broken = decision.breaks[0] if decision.breaks else None
    cause = broken.cause.name if broken is not None else ""
    if cause == "BEYOND_AUTHORITY" and decision.requires is not None:
        who = decision.requires.name.lower()
        return f"it breaks {rules} (a {who} could approve it as a bend)"
    return f"it breaks {rules}{_CAUSES.get(cause, '')}"


_CAUSES: Final[dict[str, str]] = {
    "BEYOND_AUTHORITY": ", beyond the acting authority's tolerance",
    "BEYOND_TOLERANCE": ", beyond what anyone may approve",
    "HARD_RULE": ", a hard rule no one may bend",
    "BUDGET_EXHAUSTED": ", as the budget of bends is used up",
    "UNJUSTIFIED": ", as a bend of it needs a justification and none was given",
}


def _rule_ids(decision: Decision, verdict: Verdict) -> str:
    ids = [f.rule for f in decision.findings if f.verdict is verdict]
    return ", ".join(ids)


def _stool_text(score: StoolScore) -> str:
    values = _legs_values(score)
    if score.collapsed:
        weakest = score.weakest
        reason = _first_reason(score, weakest)
        return f"the stool falls: the {weakest.value} leg collapses ({reason}; {values})"
    if not score.at_risk:
        return f"every leg holds ({values})"
    legs = _legs_text(score.at_risk)
    reasons = "; ".join(_first_reason(score, leg) for leg in _LEGS if leg in score.at_risk)
    return f"the {legs} at risk ({reasons}; {values})"


def _reason(advice: Advice) -> str:
    label = advice.option.label
    return (
        f"{label[0].upper()}{label[1:]}: {_policy_text(advice)}, and {_stool_text(advice.score)}."
    )


def _let_go_reason(advice: Advice) -> str:
    return (
        "No option keeps every leg out of risk without breaking a rule, so "
        f"{advice.option.label}, as seed 002 advises: "
        f"{_policy_text(advice)}, and {_stool_text(advice.score)}."
    )
