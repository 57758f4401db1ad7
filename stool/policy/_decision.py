"""The result of evaluating a policy book: Decision, its Findings and its trace."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from stool.enums import Authority, Verdict
from stool.errors import ValidationError
from stool.policy._errors import shown

if TYPE_CHECKING:
    from stool.interaction import Interaction

__all__ = [
    "MAX_CONTEXT_DEPTH",
    "MAX_CONTEXT_VALUES",
    "Cause",
    "Decision",
    "Finding",
    "TraceEntry",
    "apply_decision",
    "context_problem",
]

MAX_CONTEXT_DEPTH: Final = 32
"""The deepest nesting of mappings and lists a decision records in its context."""

MAX_CONTEXT_VALUES: Final = 100_000
"""The most values a decision records in its context (a value shared by several
containers counts each time it appears, as writing it out would repeat it)."""


class Cause(enum.Enum):
    """Why a rule reached its verdict: the reason behind each [Finding][stool.policy.Finding].

    Thread safety: an enum, immutable, safe to share between threads.
    """

    WITHIN_BOUND = "within_bound"
    """COMPLIANT: the quantity is within its bound, or the hard condition holds."""
    WITHIN_TOLERANCE = "within_tolerance"
    """BENT: beyond the bound but within the acting authority's tolerance."""
    BEYOND_AUTHORITY = "beyond_authority"
    """BROKEN: beyond the acting authority's tolerance; a higher authority may approve it
    as a bend (see `requires`)."""
    BEYOND_TOLERANCE = "beyond_tolerance"
    """BROKEN: beyond every authority's tolerance; no one may approve it."""
    HARD_RULE = "hard_rule"
    """BROKEN: a hard rule was crossed; hard rules allow no deviation to anyone."""
    BUDGET_EXHAUSTED = "budget_exhausted"
    """BROKEN: within tolerance, but the actor's budget of bends for the period is used up
    ("a rule bent every day is a broken rule")."""
    UNJUSTIFIED = "unjustified"
    """BROKEN: within tolerance, but the rule requires a justification and none was given
    (a bend is disclosed and justified, or it is not a bend)."""


_VERDICT_OF: dict[Cause, Verdict] = {
    Cause.WITHIN_BOUND: Verdict.COMPLIANT,
    Cause.WITHIN_TOLERANCE: Verdict.BENT,
    Cause.BEYOND_AUTHORITY: Verdict.BROKEN,
    Cause.BEYOND_TOLERANCE: Verdict.BROKEN,
    Cause.HARD_RULE: Verdict.BROKEN,
    Cause.BUDGET_EXHAUSTED: Verdict.BROKEN,
    Cause.UNJUSTIFIED: Verdict.BROKEN,
}


def _number(value: float) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        # Shortened past 128 bits: Python refuses to print more than 4,300 digits.
        return shown(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _amount(value: float, unit: str) -> str:
    return f"{_number(value)} {unit}" if unit else _number(value)


def _name(authority: Authority) -> str:
    return authority.name.lower()


@attrs.frozen(kw_only=True)
class Finding:
    """How one applicable rule judged the context.

    Findings are built by [PolicyBook.evaluate][stool.policy.PolicyBook.evaluate];
    [reason][stool.policy.Finding.reason] says the same in a sentence.

    Thread safety: frozen, with immutable fields, so safe to share between threads.
    """

    rule: str
    """The rule's id."""
    verdict: Verdict
    """COMPLIANT, BENT or BROKEN."""
    cause: Cause
    """Why: within the bound, within tolerance, beyond authority, beyond every
    tolerance, a hard rule, an exhausted budget, or a missing justification."""
    kind: Literal["limit", "hard"]
    """The rule's kind."""
    check: Literal["max", "min", "require", "forbid"]
    """What the rule checks: a quantity against a maximum or minimum, or a condition that
    must hold (`require`) or must not hold (`forbid`)."""
    expression: str
    """The quantity (for `max`/`min`) or the condition (for `require`/`forbid`), as written."""
    observed: float | bool
    """The quantity's value, or the condition's truth value."""
    bound: float | None = None
    """The bound the quantity was held to (evaluated, when the bound is an expression);
    None for conditions."""
    deviation: float = 0.0
    """How far beyond the bound the quantity went, in `unit`; 0 when within it and for
    conditions."""
    unit: str = ""
    """The unit of the quantity, bound, deviation and tolerance (`days`, `currency`)."""
    tolerance: float | None = None
    """How far the acting authority may bend this rule, in `unit` (a percentage ladder is
    already applied to the bound); None for hard rules."""
    requires: Authority | None = None
    """The lowest authority that may approve this deviation as a bend; None when there
    is no deviation or when no one may."""
    budget_used: int | None = None
    """Bends of this rule the actor had already made in the budget's period, when the
    budget was checked; None when it was not (no deviation, no budget or no ledger)."""
    rationale: str = ""
    """Why the rule exists, in words to explain to the customer."""

    def __attrs_post_init__(self) -> None:
        expected = _VERDICT_OF.get(self.cause)
        if expected is not None and expected is not self.verdict:
            raise ValidationError(
                "Finding.verdict",
                self.verdict,
                f"{expected.name}, the verdict of cause {self.cause.name}",
            )
        if self.deviation < 0:
            raise ValidationError("Finding.deviation", self.deviation, "a number >= 0")

    @property
    def reason(self) -> str:  # noqa: PLR0911 - one branch per case, kept in one place
        """Say in one sentence why the rule reached its verdict."""
        cause = self.cause
        if self.check in ("require", "forbid"):
            condition = f"`{self.expression}`"
            if cause is Cause.WITHIN_BOUND:
                return (
                    f"{condition} holds, as this rule requires"
                    if self.check == "require"
                    else f"{condition} does not hold, as this rule requires"
                )
            verb = (
                "does not hold, but this rule requires it"
                if self.check == "require"
                else ("holds, and this rule forbids it")
            )
            return f"{condition} {verb}; a hard rule allows no exception"
        unit = self.unit
        bound = self.bound if self.bound is not None else 0.0
        side = "maximum" if self.check == "max" else "minimum"
        beyond = "over" if self.check == "max" else "under"
        observed = self.observed
        head = f"{self.expression} is {_amount(observed, unit)}"
        if cause is Cause.WITHIN_BOUND:
            return f"{head}, within the {side} of {_amount(bound, unit)}"
        head = (
            f"{head}, {_amount(self.deviation, unit)} {beyond} the {side} of {_amount(bound, unit)}"
        )
        if cause is Cause.HARD_RULE:
            return f"{head}; a hard rule allows no exception"
        tolerance = _amount(self.tolerance or 0.0, unit)
        if cause is Cause.WITHIN_TOLERANCE:
            return f"{head}, within the acting authority's tolerance of {tolerance}"
        if cause is Cause.BEYOND_AUTHORITY:
            approver = _name(self.requires) if self.requires is not None else "no one"
            return (
                f"{head}, beyond the acting authority's tolerance of {tolerance}; "
                f"a {approver} may approve it"
            )
        if cause is Cause.BEYOND_TOLERANCE:
            return f"{head}, beyond what any authority may approve"
        if cause is Cause.BUDGET_EXHAUSTED:
            used = self.budget_used if self.budget_used is not None else 0
            return (
                f"{head}, within the tolerance of {tolerance}, but the budget of bends for "
                f"the period is used up ({used} already made); a rule bent every day is a "
                "broken rule"
            )
        return (
            f"{head}, within the tolerance of {tolerance}, but this rule requires a "
            "justification and none was given"
        )


@attrs.frozen(kw_only=True)
class TraceEntry:
    """Whether one rule applied, and why: the answer to "why didn't my rule fire?".

    Thread safety: frozen, with immutable fields, so safe to share between threads.
    """

    rule: str
    """The rule's id."""
    applies: bool
    """Whether the rule applied to the context (and so has a finding)."""
    condition: str | None = None
    """The rule's applicability condition, as written; None when it always applies."""
    fields: tuple[str, ...] = ()
    """The context fields the condition reads, so their values can be shown."""
    reason: str = ""
    """Why the rule did or did not apply, in words."""


_PLAIN: Final = frozenset({str, int, float, bool, type(None)})


def context_problem(context: Mapping[str, Any]) -> tuple[str, str] | None:  # noqa: C901 - one walk, kept in one place
    """Return the top-level key and the reason a context cannot be recorded, or None.

    A decision records its context as an audit record that must round-trip through
    [unstructure][stool.unstructure]; a context nested more than
    `MAX_CONTEXT_DEPTH` (32) levels (a container holding itself is infinitely deep) or
    holding more than `MAX_CONTEXT_VALUES` (100,000) values cannot be written out.
    The walk is iterative, looks only at types and stops at the first problem; plain
    top-level values (the usual context) cost one type check each.
    """
    budget = MAX_CONTEXT_VALUES - len(context)
    if budget < 0:
        return "", f"the context holds more than {MAX_CONTEXT_VALUES:,} values"
    for value in context.values():
        if type(value) not in _PLAIN:
            break
    else:
        return None  # the usual context: plain values only
    for key, value in context.items():
        if type(value) in _PLAIN:
            continue
        stack: list[tuple[Any, int]] = [(value, 1)]
        while stack:
            item, depth = stack.pop()
            # Only the type is inspected (as the expression language does), so a foreign
            # value's own code never runs.
            kind = type(item)
            if issubclass(kind, Mapping):
                children: Any = item.values()
            elif issubclass(kind, (list, tuple, set, frozenset)):
                children = item
            else:
                continue
            if depth > MAX_CONTEXT_DEPTH:
                return str(key), (
                    f"nests mappings or lists more than {MAX_CONTEXT_DEPTH} levels deep "
                    "(or a container holds itself)"
                )
            budget -= len(children)
            if budget < 0:
                return str(key), f"the context holds more than {MAX_CONTEXT_VALUES:,} values"
            stack.extend((child, depth + 1) for child in children)
    return None


def _recordable(_instance: Any, _attribute: Any, value: Any) -> None:
    if not isinstance(value, Mapping):
        raise ValidationError("Decision.context", value, "a mapping of field names to values")
    problem = context_problem(value)
    if problem is not None:
        key, reason = problem
        raise ValidationError(
            f"Decision.context.{key}" if key else "Decision.context",
            value.get(key, value) if key else value,
            f"plain data that can be recorded; this {reason}",
        )


def _shown(context: Mapping[str, Any], name: str) -> str:
    value: Any = context
    for key in name.split("."):
        if not isinstance(value, Mapping) or key not in value:
            return f"{name} missing"
        value = value[key]
    return f"{name} = {shown(value)}"


@attrs.frozen(kw_only=True)
class Decision:
    """The verdict of a policy book on one context: the audit record of a proposed action.

    Built by [PolicyBook.evaluate][stool.policy.PolicyBook.evaluate].
    It round-trips through [unstructure][stool.unstructure] and
    [structure][stool.structure], so it can be stored as the record of who decided what,
    on which inputs, under which version of the book.

    Thread safety: frozen, so safe to share between threads; `context` is a read-only
    copy of the context's top level, and nested values in it are the caller's.

    Examples:
        >>> from stool.policy import load_example
        >>> from stool import Authority
        >>> book = load_example("returns")
        >>> late = {"action": "refund", "days_since_purchase": 40, "refund_amount": 25.0,
        ...         "purchase_price": 25.0, "item_category": "kitchen"}
        >>> decision = book.evaluate(late, by=Authority.AGENT)
        >>> decision.verdict, decision.requires
        (<Verdict.BROKEN: 3>, <Authority.SUPERVISOR: 2>)
    """

    book: str
    """The name of the policy book."""
    version: str
    """The content hash of the book: the same rules and tests give the same version."""
    verdict: Verdict
    """The worst verdict over the applicable rules (COMPLIANT when none applies):
    a break always wins over a bend, as Cedar's forbid overrides permit."""
    requires: Authority | None = None
    """The lowest authority that may approve every deviation as a bend; None when there
    is no deviation, or when some deviation no one may approve."""
    findings: tuple[Finding, ...] = ()
    """One finding per applicable rule, in the book's order."""
    trace: tuple[TraceEntry, ...] = ()
    """One entry per rule of the book, applicable or not, and why (empty when evaluated
    with `trace=False`)."""
    by: Authority = Authority.AGENT
    """The authority that acted (or proposes to act)."""
    actor: str | None = None
    """Who acted: your identifier for the agent, supervisor or manager; None if not given."""
    when: str | None = None
    """The ISO date the action belongs to (its budget period); None if not given."""
    justification: str | None = None
    """Why the actor deviated: the customer's benefit, in words; None if not given."""
    context: Mapping[str, Any] = attrs.field(factory=dict, hash=False, validator=_recordable)
    """The inputs the book judged (a read-only copy of the context's top level), nested at
    most 32 levels deep, so that the decision always round-trips."""

    @property
    def bends(self) -> tuple[Finding, ...]:
        """The BENT findings."""
        return tuple(f for f in self.findings if f.verdict is Verdict.BENT)

    @property
    def breaks(self) -> tuple[Finding, ...]:
        """The BROKEN findings."""
        return tuple(f for f in self.findings if f.verdict is Verdict.BROKEN)

    def finding(self, rule: str) -> Finding | None:
        """Return the finding of rule `rule`, or None if it did not apply."""
        for finding in self.findings:
            if finding.rule == rule:
                return finding
        return None

    def explain(self) -> str:
        """Say in plain language what was decided and why, rule by rule.

        Returns:
            A few lines: the verdict and who may approve it, one line per applicable
            rule with its reason and rationale, and the rules that did not apply and why.

        Examples:
            >>> from stool.policy import load_example
            >>> book = load_example("conduct")
            >>> lie = {"deceives_customer": True, "insults_customer": False,
            ...        "changes_account": False, "identity_verified": False}
            >>> print(book.evaluate(lie).explain().splitlines()[0])
            BROKEN under 'conduct' for an agent: no one may approve this.
        """
        who = _name(self.by)
        article = "an" if who[0] in "aeiou" else "a"
        head = f"{self.verdict.name} under {self.book!r} for {article} {who}"
        deviating = any(f.verdict is not Verdict.COMPLIANT for f in self.findings)
        if not deviating:
            head += ": every applicable rule is kept."
        elif self.requires is None:
            head += ": no one may approve this."
        elif self.requires <= self.by and self.verdict is Verdict.BENT:
            head += f": a bend {article} {who} may make."
        else:
            head += f": a {_name(self.requires)} may approve it as a bend."
        lines = [head]
        if self.actor is not None or self.when is not None:
            lines.append(
                "Acting: "
                + ", ".join(
                    part
                    for part in (
                        self.actor,
                        f"on {self.when}" if self.when is not None else None,
                    )
                    if part
                )
                + "."
            )
        if self.justification is not None:
            lines.append(f"Justification: {self.justification}")
        for finding in self.findings:
            line = f"- {finding.rule}: {finding.verdict.name}. {finding.reason}."
            if finding.rationale and finding.verdict is not Verdict.COMPLIANT:
                line += f" Why the rule exists: {finding.rationale}"
            lines.append(line)
        skipped = [entry for entry in self.trace if not entry.applies]
        if skipped:
            lines.append("Not applicable:")
            for entry in skipped:
                values = ", ".join(_shown(self.context, name) for name in entry.fields)
                detail = f" ({values})" if values else ""
                lines.append(f"- {entry.rule}: {entry.reason}{detail}.")
        return "\n".join(lines)


def apply_decision(
    interaction: Interaction, decision: Decision, *, cost: float = 0.0
) -> Interaction:
    """Fold a decision into an interaction, so that scoring sees the bends and breaks.

    Adds the decision's BENT findings to `bends` and its BROKEN findings to `breaks`,
    adds `cost` to `concession_cost`, and raises `authority` to the deciding authority
    when it is higher (a supervisor who decides has handled the contact).

    Args:
        interaction: The interaction the decision belongs to.
        decision: The decision to fold in.
        cost: What the decided action gives away (a refund beyond policy, a goodwill
            credit), in the interaction's currency; must be >= 0.

    Returns:
        The new interaction; the given one is unchanged.

    Raises:
        ValidationError: If `cost` is negative or not a finite number.

    Examples:
        >>> from stool import Interaction
        >>> from stool.policy import load_example, apply_decision
        >>> book = load_example("returns")
        >>> decision = book.evaluate({"action": "refund", "days_since_purchase": 33,
        ...     "refund_amount": 20.0, "purchase_price": 20.0, "item_category": "kitchen"})
        >>> apply_decision(Interaction(), decision, cost=20.0).bends
        1
    """
    if not isinstance(decision, Decision):
        raise ValidationError("apply_decision.decision", decision, "a Decision")
    bends = sum(1 for f in decision.findings if f.verdict is Verdict.BENT)
    breaks = sum(1 for f in decision.findings if f.verdict is Verdict.BROKEN)
    if not (type(cost) in (int, float) and 0.0 <= cost < float("inf")):
        raise ValidationError("apply_decision.cost", cost, "a finite number >= 0 (currency)")
    changes: dict[str, Any] = {
        "bends": interaction.bends + bends,
        "breaks": interaction.breaks + breaks,
        "concession_cost": interaction.concession_cost + cost,
    }
    if decision.by > interaction.authority:
        changes["authority"] = decision.by
    return attrs.evolve(interaction, **changes)
