"""How a book's rules are judged: each rule compiled once into a plan with its judge.

A judge turns one context into a [Finding][stool.policy.Finding] on the hot path of
[PolicyBook.evaluate][stool.policy.PolicyBook.evaluate], so it reads its rule's settings
from its closure and fills each Finding's slots directly (see `slot_setters`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from stool.enums import Authority, Verdict
from stool.policy._decision import Cause, Finding, TraceEntry
from stool.policy._errors import PolicyEvaluationError, shown
from stool.policy._expr import Compiled, Fn, field_names, kind_name
from stool.policy._rules import (
    EXPRESSION_KINDS,
    Rule,
    effective_tolerances,
    format_amount,
    percent_of,
)
from stool.policy._syntax import MAX_INTEGER, FieldRef, Node

if TYPE_CHECKING:
    from collections.abc import Iterable

    from stool.policy._ledger import Ledger

__all__ = ["Judge", "Plan", "plans", "slot_setters"]

Judge = Callable[
    [Mapping[str, Any], int, "Ledger | None", bool, "str | None", "str | None"], Finding
]

_AUTHORITIES: Final = tuple(Authority)  # by value - 1
_COMPLIANT: Final = Verdict.COMPLIANT
_BENT: Final = Verdict.BENT
_BROKEN: Final = Verdict.BROKEN

_new = object.__new__
_MAX = MAX_INTEGER
_MIN = -MAX_INTEGER


def slot_setters(cls: type, *names: str) -> tuple[Callable[[Any, Any], None], ...]:
    """Return the slot setters of a frozen attrs class, in `names` order.

    The engine builds its results through these: a slot's own setter bypasses the
    frozen `__setattr__` (as attrs' generated `__init__` does) and is the cheapest way
    to fill a slot, which keeps a Decision with its findings within microseconds.
    """
    return tuple(cls.__dict__[name].__set__ for name in names)


(
    _f_rule, _f_verdict, _f_cause, _f_kind, _f_check, _f_expression, _f_observed,
    _f_bound, _f_deviation, _f_unit, _f_tolerance, _f_requires, _f_budget_used, _f_rationale,
) = slot_setters(
    Finding,
    "rule", "verdict", "cause", "kind", "check", "expression", "observed",
    "bound", "deviation", "unit", "tolerance", "requires", "budget_used", "rationale",
)  # fmt: skip


def _finding(  # noqa: PLR0917 - positional for speed on the hot path
    rule: str,
    verdict: Verdict,
    cause: Cause,
    kind: str,
    check: str,
    expression: str,
    observed: Any,
    bound: Any,
    deviation: Any,
    unit: str,
    tolerance: Any,
    requires: Authority | None,
    budget_used: int | None,
    rationale: str,
) -> Finding:
    """Build a Finding the engine has already validated, without re-running checks."""
    finding = _new(Finding)
    _f_rule(finding, rule)
    _f_verdict(finding, verdict)
    _f_cause(finding, cause)
    _f_kind(finding, kind)
    _f_check(finding, check)
    _f_expression(finding, expression)
    _f_observed(finding, observed)
    _f_bound(finding, bound)
    _f_deviation(finding, deviation)
    _f_unit(finding, unit)
    _f_tolerance(finding, tolerance)
    _f_requires(finding, requires)
    _f_budget_used(finding, budget_used)
    _f_rationale(finding, rationale)
    return finding


def _checked(compiled: Compiled, node: Node, text: str, wanted: str) -> Fn:
    """Return the closure of `compiled`, checking at run time that it gives a `wanted` value.

    `wanted` is `number` (a quantity or bound) or `boolean` (a condition); an expression
    whose kind is known from the declared context needs no check and runs as it is.
    """
    fn = compiled.fn
    if compiled.kind == wanted:
        return fn
    field = node.name if isinstance(node, FieldRef) else None

    def wrong(value: Any, needs: str) -> PolicyEvaluationError:
        return PolicyEvaluationError(
            f"`{text}` is {kind_name(value)} ({shown(value)}); {needs}",
            field=field,
            value=value,
            expression=text,
        )

    if wanted == "number":

        def number(context: Mapping[str, Any]) -> Any:
            value = fn(context)
            cls = type(value)
            if cls is int or cls is float:
                return value
            raise wrong(value, "a quantity or bound must be a number")

        return number

    def boolean(context: Mapping[str, Any]) -> Any:
        value = fn(context)
        if value is True or value is False:
            return value
        raise wrong(value, "a condition must be true or false")

    return boolean


class Plan:
    """One compiled rule: its applicability test, its judge and its trace entries."""

    __slots__ = ("applied", "applies", "judge", "rule", "skipped")

    def __init__(self, rule: Rule, applies: Fn | None, judge: Judge) -> None:
        self.rule = rule
        self.applies = applies
        self.judge = judge
        condition = rule.applies
        fields = field_names(rule._expressions["applies"][1]) if condition is not None else ()  # noqa: SLF001 - the package's own private state
        self.applied = TraceEntry(
            rule=rule.id,
            applies=True,
            condition=condition,
            fields=fields,
            reason=f"applies: `{condition}` holds" if condition is not None else "applies always",
        )
        self.skipped = TraceEntry(
            rule=rule.id,
            applies=False,
            condition=condition,
            fields=fields,
            reason=f"does not apply: `{condition}` does not hold",
        )


def _limit_judge(  # noqa: C901, PLR0915 - one branch per case, kept in one place (the hot path)
    book: str,
    rule: Rule,
    quantity: Fn,
    bound_fn: Fn | None,
) -> Judge:
    rule_id = rule.id
    kind = rule.kind
    check = rule.check
    is_max = check == "max"
    expression = rule.quantity or ""
    unit = rule.unit
    rationale = rule.rationale
    constant = rule.max if is_max else rule.min
    bound_const = constant if bound_fn is None else None
    hard = kind == "hard"
    percent = bool(rule.bend) and rule.bend[0].percent
    amounts = effective_tolerances(rule.bend)
    budget = rule.budget
    side = "above its maximum" if is_max else "below its minimum"
    needs_justification = rule.justification_required

    def judge(  # noqa: C901, PLR0911, PLR0912, PLR0917 - positional for speed on the hot path
        context: Mapping[str, Any],
        by: int,
        ledger: Ledger | None,
        justified: bool,
        actor: str | None,
        when: str | None,
    ) -> Finding:
        observed = quantity(context)
        bound: Any = bound_const if bound_fn is None else bound_fn(context)
        deviation = observed - bound if is_max else bound - observed
        if type(deviation) is float:
            if deviation - deviation != 0.0:
                raise PolicyEvaluationError(
                    f"`{expression}` is {shown(observed)}, {side} of {shown(bound)} by more "
                    "than the largest float (overflow); no verdict can be computed",
                    rule=rule_id,
                    expression=expression,
                )
        elif not _MIN <= deviation <= _MAX:
            # As in expressions: an integer beyond 2**53 becomes the float64 the column
            # path computes, so both paths compare the same deviation.
            deviation = float(deviation)
        if hard:
            if deviation <= 0:
                return _finding(
                    rule_id, _COMPLIANT, Cause.WITHIN_BOUND, kind, check, expression,
                    observed, bound, 0.0, unit, None, None, None, rationale,
                )  # fmt: skip
            return _finding(
                rule_id, _BROKEN, Cause.HARD_RULE, kind, check, expression,
                observed, bound, deviation, unit, None, None, None, rationale,
            )  # fmt: skip
        if percent:
            tolerances = (
                percent_of(bound, amounts[0]),
                percent_of(bound, amounts[1]),
                percent_of(bound, amounts[2]),
            )
            tolerance = tolerances[by - 1]
            if tolerance - tolerance != 0.0:
                # A higher authority's tolerance beyond the largest float still compares
                # right; the acting one is recorded in the finding, which must be finite.
                raise PolicyEvaluationError(
                    f"{format_amount(amounts[by - 1])}% of the bound {shown(bound)} is beyond "
                    "the largest float (overflow); no verdict can be computed",
                    rule=rule_id,
                    expression=expression,
                )
        else:
            tolerances = amounts
            tolerance = tolerances[by - 1]
        if deviation <= 0:
            return _finding(
                rule_id, _COMPLIANT, Cause.WITHIN_BOUND, kind, check, expression,
                observed, bound, 0.0, unit, tolerance, None, None, rationale,
            )  # fmt: skip
        requires = None
        for index in range(3):
            if deviation <= tolerances[index]:
                requires = _AUTHORITIES[index]
                break
        if deviation > tolerance:
            if requires is None:
                return _finding(
                    rule_id, _BROKEN, Cause.BEYOND_TOLERANCE, kind, check, expression,
                    observed, bound, deviation, unit, tolerance, None, None, rationale,
                )  # fmt: skip
            return _finding(
                rule_id, _BROKEN, Cause.BEYOND_AUTHORITY, kind, check, expression,
                observed, bound, deviation, unit, tolerance, requires, None, rationale,
            )  # fmt: skip
        if needs_justification and not justified:
            return _finding(
                rule_id, _BROKEN, Cause.UNJUSTIFIED, kind, check, expression,
                observed, bound, deviation, unit, tolerance, requires, None, rationale,
            )  # fmt: skip
        if budget is not None and ledger is not None:
            if actor is None or when is None:
                raise PolicyEvaluationError(
                    f"this rule has a budget per {budget.per}, so a bend checked against a "
                    "ledger needs actor= and when= (who bends, and on which date)",
                    rule=rule_id,
                )
            used, total = ledger.usage(
                book=book, rule=rule_id, actor=actor, when=when, per=budget.per
            )
            if (budget.bends is not None and used >= budget.bends) or (
                budget.total is not None and total + deviation > budget.total
            ):
                # Another, higher authority (with a budget of their own) may approve it.
                above = None
                for index in range(by, 3):
                    if deviation <= tolerances[index]:
                        above = _AUTHORITIES[index]
                        break
                return _finding(
                    rule_id, _BROKEN, Cause.BUDGET_EXHAUSTED, kind, check, expression,
                    observed, bound, deviation, unit, tolerance, above, used, rationale,
                )  # fmt: skip
            return _finding(
                rule_id, _BENT, Cause.WITHIN_TOLERANCE, kind, check, expression,
                observed, bound, deviation, unit, tolerance, requires, used, rationale,
            )  # fmt: skip
        return _finding(
            rule_id, _BENT, Cause.WITHIN_TOLERANCE, kind, check, expression,
            observed, bound, deviation, unit, tolerance, requires, None, rationale,
        )  # fmt: skip

    return judge


def _condition_judge(rule: Rule, condition: Fn) -> Judge:
    rule_id = rule.id
    check = rule.check
    expression = (rule.require if check == "require" else rule.forbid) or ""
    rationale = rule.rationale
    must_hold = check == "require"

    # A condition has two outcomes, so its two findings are built once, here.
    kept = Finding(
        rule=rule_id, verdict=_COMPLIANT, cause=Cause.WITHIN_BOUND, kind="hard", check=check,
        expression=expression, observed=must_hold, rationale=rationale,
    )  # fmt: skip
    crossed = Finding(
        rule=rule_id, verdict=_BROKEN, cause=Cause.HARD_RULE, kind="hard", check=check,
        expression=expression, observed=not must_hold, rationale=rationale,
    )  # fmt: skip

    def judge(  # noqa: PLR0917 - positional for speed on the hot path
        context: Mapping[str, Any],
        by: int,  # noqa: ARG001 - every judge has the same signature
        ledger: Ledger | None,  # noqa: ARG001 - every judge has the same signature
        justified: bool,  # noqa: ARG001 - every judge has the same signature
        actor: str | None,  # noqa: ARG001 - every judge has the same signature
        when: str | None,  # noqa: ARG001 - every judge has the same signature
    ) -> Finding:
        return kept if condition(context) is must_hold else crossed

    return judge


def plans(
    book: str, rules: Iterable[Rule], checked: Mapping[tuple[int, str], Compiled]
) -> tuple[Plan, ...]:
    """Return the plan of each rule of the book named `book`, from its checked expressions.

    `checked` holds each rule's compiled expressions by rule index and key, as
    `book_problems` stores them.
    """
    found = []
    for index, rule in enumerate(rules):
        compiled: dict[str, Fn] = {}
        for key, (text, node) in rule._expressions.items():  # noqa: SLF001 - the package's own private state
            part = checked[index, key]
            compiled[key] = _checked(part, node, text, EXPRESSION_KINDS[key])
        check = rule.check
        if check in ("require", "forbid"):
            judge = _condition_judge(rule, compiled[check])
        else:
            judge = _limit_judge(book, rule, compiled["quantity"], compiled.get(check))
        found.append(Plan(rule, compiled.get("applies"), judge))
    return tuple(found)
