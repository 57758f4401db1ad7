"""Tests for policy books, rules, decisions, ledgers and apply_decision."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import subprocess
import sys
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import stool
from stool import Authority, Interaction, Verdict, policy
from stool.policy import (
    PERIODS,
    Budget,
    Cause,
    ContextField,
    Decision,
    Finding,
    Ledger,
    LedgerEntry,
    PolicyBook,
    PolicyDefinitionError,
    PolicyEvaluationError,
    PolicyTest,
    PolicyValidationError,
    Rule,
    Tolerance,
    TraceEntry,
    apply_decision,
)
from stool.strategies import authorities, interactions

RATIONALE = "Stock returned late cannot be resold as new."


def window(**changes: Any) -> Rule:
    """The refund window of the returns story, with `changes` applied."""
    fields: dict[str, Any] = {
        "id": "window",
        "kind": "limit",
        "applies": "action == 'refund'",
        "quantity": "days",
        "max": 30,
        "unit": "days",
        "bend": {"agent": 5, "supervisor": 15, "manager": 30},
        "rationale": RATIONALE,
    }
    fields.update(changes)
    return Rule(**fields)


def book_of(*rules: Rule, **changes: Any) -> PolicyBook:
    """A book of `rules`, declaring the fields the tests use."""
    fields: dict[str, Any] = {
        "name": "test-book",
        "context": {
            "action": "string",
            "days": "number",
            "amount": "number",
            "price": "number",
            "category": "string",
            "flag": "boolean",
        },
        "rules": rules,
    }
    fields.update(changes)
    return PolicyBook(**fields)


def refund(days: float, **more: Any) -> dict[str, Any]:
    """A refund request `days` after purchase."""
    return {
        "action": "refund",
        "days": days,
        "amount": 10.0,
        "price": 10.0,
        "category": "kitchen",
        "flag": False,
        **more,
    }


def problems_of(error: PolicyValidationError) -> set[tuple[str | None, str | None]]:
    """The (rule, field) of every problem."""
    return {(p.rule, p.field) for p in error.problems}


class TestRuleValidation:
    def test_a_valid_limit(self):
        """A limit with a quantity, a bound and a ladder builds, with the ladder ordered."""
        rule = window(bend={"manager": 30, "agent": 5})
        assert [t.authority for t in rule.bend] == [Authority.AGENT, Authority.MANAGER]
        assert rule.check == "max"
        assert rule.max == 30.0

    def test_every_problem_at_once(self):
        """A rule with many problems reports all of them in one error."""
        with pytest.raises(PolicyValidationError) as info:
            Rule(
                id="bad rule!",
                kind="limit",
                rationale="",
                quantity="days <=",
                max="30",
                min=1,
                bend={"agnet": 5, "supervisor": -1},
                budget={"per": "fortnight", "bends": 0},
            )
        fields = {field for _, field in problems_of(info.value)}
        assert {"id", "rationale", "quantity", "min", "bend.agnet", "bend.supervisor",
                "budget.per", "budget.bends"} <= fields  # fmt: skip

    def test_unknown_authority_is_suggested(self):
        """A misspelt authority comes with a suggestion."""
        with pytest.raises(PolicyValidationError) as info:
            window(bend={"supervsor": 10})
        (problem,) = info.value.problems
        assert problem.suggestion == "supervisor"
        assert problem.rule == "window"

    def test_shrinking_ladder(self):
        """A tolerance that shrinks as authority rises is refused, naming the higher authority."""
        with pytest.raises(PolicyValidationError, match="shrinks") as info:
            window(bend={"agent": 10, "supervisor": 5})
        assert problems_of(info.value) == {("window", "bend.supervisor")}

    def test_mixed_ladder(self):
        """A ladder mixing amounts and percentages cannot be checked, so it is refused."""
        with pytest.raises(PolicyValidationError, match="percentages"):
            window(bend={"agent": 5, "supervisor": "10%"})

    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("bend", {"agent": 5}),
            ("budget", {"per": "day", "bends": 1}),
            ("justification_required", True),
        ],
    )
    def test_no_tolerance_on_a_hard_rule(self, key, value):
        """A hard rule takes no tolerance, budget or justification."""
        with pytest.raises(PolicyValidationError, match="hard rule allows no deviation") as info:
            Rule(id="h", kind="hard", forbid="flag", rationale="x", **{key: value})
        assert ("h", key) in problems_of(info.value)

    def test_limit_needs_a_ladder(self):
        """A limit without a ladder is pointed to kind = 'hard'."""
        with pytest.raises(PolicyValidationError, match="kind = 'hard'"):
            window(bend={})

    def test_max_or_min_not_both(self):
        """A limit has a max or a min; a range is two rules."""
        with pytest.raises(PolicyValidationError, match="two rules"):
            window(min=1)

    def test_hard_rules_need_something_to_check(self):
        """A hard rule needs require, forbid, or a quantity and a bound."""
        with pytest.raises(PolicyValidationError):
            Rule(id="h", kind="hard", rationale="x")
        with pytest.raises(PolicyValidationError, match="not both"):
            Rule(id="h", kind="hard", require="flag", forbid="flag", rationale="x")

    def test_percent_tolerances(self):
        """Percentages are read from strings such as '10%'."""
        rule = window(bend={"supervisor": "5%", "manager": "12.5%"})
        assert rule.bend == (
            Tolerance(authority=Authority.SUPERVISOR, amount=5.0, percent=True),
            Tolerance(authority=Authority.MANAGER, amount=12.5, percent=True),
        )

    def test_round_trip_through_data(self):
        """Rule(**rule.to_data()) rebuilds an equal rule."""
        rule = window(
            bend={"supervisor": "5%"},
            budget={"per": "week", "total": 9},
            justification_required=True,
        )
        assert Rule(**rule.to_data()) == rule

    def test_budget_and_parts_validate_themselves(self):
        """Budget, Tolerance and ContextField reject bad values on their own."""
        with pytest.raises(PolicyValidationError):
            Budget(per="day")
        with pytest.raises(PolicyValidationError):
            Tolerance(authority=Authority.AGENT, amount=-1)
        with pytest.raises(PolicyValidationError):
            ContextField(name="x", kind="integer")  # type: ignore[arg-type]
        with pytest.raises(PolicyValidationError):
            ContextField(name="_x", kind="number")


class TestBookValidation:
    def test_duplicate_ids(self):
        """Two rules with one id are refused."""
        with pytest.raises(PolicyValidationError, match="duplicate rule id"):
            book_of(window(), window())

    def test_undeclared_field_with_suggestion(self):
        """An expression reading an undeclared field is a load error naming rule and field."""
        with pytest.raises(PolicyValidationError) as info:
            book_of(window(quantity="day"))
        (problem,) = info.value.problems
        assert (problem.rule, problem.field, problem.suggestion) == ("window", "quantity", "days")

    def test_kinds_are_checked_when_loading(self):
        """A condition that is a number, or a quantity that is a string, is a load error."""
        with pytest.raises(PolicyValidationError) as info:
            book_of(window(applies="days + 1", quantity="category"))
        assert {field for _, field in problems_of(info.value)} == {"applies", "quantity"}

    def test_without_declared_fields_any_name_loads(self):
        """A book that declares no context accepts any field name."""
        book = PolicyBook(name="open", rules=[window(quantity="anything")])
        assert book.evaluate({"action": "refund", "anything": 31}).verdict is Verdict.BENT

    def test_tests_must_name_known_rules(self):
        """A test case expecting a finding of an unknown rule is refused."""
        case = PolicyTest(
            name="t", context=refund(1), expect="compliant", findings={"nope": "bent"}
        )
        with pytest.raises(PolicyValidationError, match="unknown rule 'nope'"):
            book_of(window(), tests=[case])

    def test_rules_must_be_rules(self):
        """Plain mappings are not rules; from_data reads data."""
        with pytest.raises(PolicyValidationError, match="from_toml"):
            PolicyBook(name="x", rules=[{"id": "r"}])  # type: ignore[list-item]


class TestBookValue:
    def test_version_is_a_content_hash(self):
        """Equal content gives an equal version; any change gives another."""
        assert book_of(window()).version == book_of(window()).version
        assert book_of(window()).version != book_of(window(max=31)).version
        assert len(book_of(window()).version) == 16

    def test_equal_and_hashable(self):
        """Books compare and hash by content."""
        assert book_of(window()) == book_of(window())
        assert hash(book_of(window())) == hash(book_of(window()))

    def test_short_repr(self):
        """The repr names the book, its version and its size."""
        book = book_of(window())
        assert (
            repr(book)
            == f"PolicyBook(name='test-book', version='{book.version}', rules=1, tests=0)"
        )

    def test_pickles(self):
        """A book pickles (for multiprocessing) and comes back equal and working."""
        book = book_of(window())
        back = pickle.loads(pickle.dumps(book))  # noqa: S301 - our own bytes
        assert (back, back.version) == (book, book.version)
        assert back.evaluate(refund(33)).verdict is Verdict.BENT

    def test_context_fields(self):
        """The context mapping becomes ContextFields, kinds and descriptions kept."""
        book = book_of(
            window(), context={"action": "string", "days": {"kind": "number", "description": "d"}}
        )
        assert book.context == (
            ContextField(name="action", kind="string"),
            ContextField(name="days", kind="number", description="d"),
        )

    def test_test_contexts_are_read_only(self):
        """A test case's context cannot be changed behind the book's version."""
        case = PolicyTest(name="t", context={"a": {"b": [1]}}, expect="compliant")
        with pytest.raises(TypeError):
            case.context["a"] = 2  # type: ignore[index]
        assert case.context["a"]["b"] == (1,)


class TestLimitVerdicts:
    @pytest.mark.parametrize(
        ("days", "by", "verdict", "cause", "requires"),
        [
            (30, Authority.AGENT, Verdict.COMPLIANT, Cause.WITHIN_BOUND, None),
            (35, Authority.AGENT, Verdict.BENT, Cause.WITHIN_TOLERANCE, Authority.AGENT),
            (36, Authority.AGENT, Verdict.BROKEN, Cause.BEYOND_AUTHORITY, Authority.SUPERVISOR),
            (36, Authority.SUPERVISOR, Verdict.BENT, Cause.WITHIN_TOLERANCE, Authority.SUPERVISOR),
            (45, Authority.SUPERVISOR, Verdict.BENT, Cause.WITHIN_TOLERANCE, Authority.SUPERVISOR),
            (46, Authority.SUPERVISOR, Verdict.BROKEN, Cause.BEYOND_AUTHORITY, Authority.MANAGER),
            (60, Authority.MANAGER, Verdict.BENT, Cause.WITHIN_TOLERANCE, Authority.MANAGER),
            (61, Authority.MANAGER, Verdict.BROKEN, Cause.BEYOND_TOLERANCE, None),
            (33, Authority.MANAGER, Verdict.BENT, Cause.WITHIN_TOLERANCE, Authority.AGENT),
        ],
    )
    def test_the_ladder(self, days, by, verdict, cause, requires):
        """Within the bound, within the actor's tolerance, beyond it, beyond everyone's."""
        decision = book_of(window()).evaluate(refund(days), by=by)
        (finding,) = decision.findings
        assert (finding.verdict, finding.cause, finding.requires) == (verdict, cause, requires)
        assert (decision.verdict, decision.requires) == (verdict, requires)

    def test_finding_facts(self):
        """A finding carries the observed value, bound, deviation, unit and tolerance."""
        (finding,) = book_of(window()).evaluate(refund(33)).findings
        assert (finding.observed, finding.bound, finding.deviation) == (33, 30.0, 3.0)
        assert (finding.unit, finding.tolerance, finding.rationale) == ("days", 5.0, RATIONALE)
        assert (finding.kind, finding.check, finding.expression) == ("limit", "max", "days")

    def test_a_minimum(self):
        """A min bound measures the deviation below it."""
        rule = window(max=None, min=10, bend={"agent": 2})
        (finding,) = book_of(rule).evaluate(refund(8)).findings
        assert (finding.verdict, finding.deviation, finding.check) == (Verdict.BENT, 2.0, "min")

    def test_an_expression_bound(self):
        """A bound may be an expression of the context."""
        rule = window(quantity="amount", max="price", bend={"supervisor": 5})
        decision = book_of(rule).evaluate(
            refund(1, amount=13.0, price=10.0), by=Authority.SUPERVISOR
        )
        assert (decision.verdict, decision.findings[0].bound) == (Verdict.BENT, 10.0)

    def test_percentages_of_the_bound(self):
        """A percentage ladder applies to the evaluated bound."""
        rule = window(quantity="amount", max="price", bend={"supervisor": "10%", "manager": "20%"})
        book = book_of(rule)
        assert (
            book.evaluate(refund(1, amount=215.0, price=200.0), by=Authority.SUPERVISOR).verdict
            is Verdict.BENT
        )
        decision = book.evaluate(refund(1, amount=230.0, price=200.0), by=Authority.SUPERVISOR)
        assert (decision.verdict, decision.requires) == (Verdict.BROKEN, Authority.MANAGER)
        assert decision.findings[0].tolerance == 20.0

    def test_missing_authorities_inherit_from_below(self):
        """A supervisor may bend as far as an agent when the ladder names only the agent."""
        book = book_of(window(bend={"agent": 5}))
        assert book.evaluate(refund(35), by=Authority.MANAGER).verdict is Verdict.BENT
        assert book.evaluate(refund(36), by=Authority.MANAGER).requires is None

    def test_an_agent_with_no_tolerance(self):
        """When the ladder starts at the supervisor, any deviation by an agent is a break."""
        decision = book_of(window(bend={"supervisor": 3})).evaluate(refund(31))
        assert (decision.verdict, decision.requires) == (Verdict.BROKEN, Authority.SUPERVISOR)

    @given(
        st.lists(st.integers(0, 20), min_size=3, max_size=3).map(sorted),
        st.integers(0, 60),
        authorities(),
    )
    def test_requires_is_the_lowest_covering_authority(self, amounts, deviation, by):
        """requires is the lowest authority covering the deviation; BENT iff the actor is one."""
        ladder = dict(zip(["agent", "supervisor", "manager"], amounts, strict=True))
        decision = book_of(window(bend=ladder)).evaluate(refund(30 + deviation), by=by)
        covering = [a for a, amount in zip(Authority, amounts, strict=True) if deviation <= amount]
        if deviation == 0:
            assert (decision.verdict, decision.requires) == (Verdict.COMPLIANT, None)
            return
        assert decision.requires == (covering[0] if covering else None)
        expected = Verdict.BENT if by in covering else Verdict.BROKEN
        assert decision.verdict is expected

    @given(
        st.integers(0, 90),
        st.sampled_from(["refund", "exchange"]),
        st.sampled_from(["kitchen", "hygiene"]),
    )
    def test_higher_authority_never_makes_it_worse(self, days, action, category):
        """The verdict never gets worse as the acting authority rises."""
        book = book_of(
            window(), Rule(id="hyg", kind="hard", forbid="category == 'hygiene'", rationale="x")
        )
        context = refund(days, action=action, category=category)
        verdicts = [book.evaluate(context, by=by).verdict for by in Authority]
        assert verdicts == sorted(verdicts, reverse=True)


class TestHardRules:
    @pytest.mark.parametrize("by", list(Authority))
    def test_forbid(self, by):
        """A forbidden condition that holds is BROKEN for everyone, and no one may approve it."""
        rule = Rule(id="hyg", kind="hard", forbid="category == 'hygiene'", rationale="Health.")
        decision = book_of(rule).evaluate(refund(1, category="hygiene"), by=by)
        (finding,) = decision.findings
        assert (finding.verdict, finding.cause, finding.requires) == (
            Verdict.BROKEN,
            Cause.HARD_RULE,
            None,
        )
        assert (finding.observed, finding.check) == (True, "forbid")
        assert decision.requires is None

    def test_require(self):
        """A required condition that does not hold is BROKEN; one that holds is kept."""
        rule = Rule(
            id="id", kind="hard", applies="action == 'change'", require="flag", rationale="Fraud."
        )
        book = book_of(rule)
        assert book.evaluate({"action": "change", "flag": False}).verdict is Verdict.BROKEN
        assert book.evaluate({"action": "change", "flag": True}).verdict is Verdict.COMPLIANT

    def test_hard_limit(self):
        """A hard limit reports the size of the deviation and allows none of it."""
        rule = Rule(
            id="price", kind="hard", quantity="amount", max="price", unit="currency", rationale="x"
        )
        decision = book_of(rule).evaluate(refund(1, amount=12.5, price=10.0), by=Authority.MANAGER)
        (finding,) = decision.findings
        assert (finding.verdict, finding.deviation, finding.tolerance) == (
            Verdict.BROKEN,
            2.5,
            None,
        )

    def test_a_break_wins_over_a_bend(self):
        """The verdict is the worst finding; requires is None if any break is unapprovable."""
        hyg = Rule(id="hyg", kind="hard", forbid="category == 'hygiene'", rationale="x")
        decision = book_of(window(), hyg).evaluate(refund(33, category="hygiene"))
        assert [f.verdict for f in decision.findings] == [Verdict.BENT, Verdict.BROKEN]
        assert (decision.verdict, decision.requires) == (Verdict.BROKEN, None)
        assert decision.bends[0].rule == "window"
        assert decision.breaks[0].rule == "hyg"


class TestBudgets:
    def budgeted(self, **budget: Any) -> PolicyBook:
        return book_of(window(budget=budget or {"per": "day", "bends": 3}))

    def test_the_fourth_bend_of_the_day_is_a_break(self):
        """Three bends a day are bends; the fourth is BROKEN and a supervisor may approve it."""
        book, ledger = self.budgeted(), Ledger()
        verdicts = []
        for _ in range(4):
            decision = book.evaluate(
                refund(33), ledger=ledger, actor="rep-7", when=dt.date(2024, 6, 1)
            )
            ledger.record(decision)
            verdicts.append(decision.verdict)
        assert verdicts == [Verdict.BENT] * 3 + [Verdict.BROKEN]
        assert decision.findings[0].cause is Cause.BUDGET_EXHAUSTED
        assert decision.findings[0].budget_used == 3
        assert decision.requires is Authority.SUPERVISOR
        assert len(ledger.entries) == 3

    def test_budgets_are_per_actor_and_per_period(self):
        """Another agent, or the next day, has a budget of their own."""
        book = self.budgeted()
        ledger = Ledger(
            entries=[
                LedgerEntry(
                    book="test-book", rule="window", actor="rep-7", when="2024-06-01", deviation=1.0
                )
            ]
            * 3
        )
        assert (
            book.evaluate(refund(33), ledger=ledger, actor="rep-7", when="2024-06-01").verdict
            is Verdict.BROKEN
        )
        assert (
            book.evaluate(refund(33), ledger=ledger, actor="rep-8", when="2024-06-01").verdict
            is Verdict.BENT
        )
        assert (
            book.evaluate(refund(33), ledger=ledger, actor="rep-7", when="2024-06-02").verdict
            is Verdict.BENT
        )

    @pytest.mark.parametrize(
        ("per", "same", "other"),
        [
            ("week", "2024-06-09", "2024-06-10"),
            ("month", "2024-06-30", "2024-07-01"),
            ("quarter", "2024-04-01", "2024-07-01"),
            ("year", "2024-12-31", "2025-01-01"),
        ],
    )
    def test_periods(self, per, same, other):
        """A bend counts for the whole week, month, quarter or year it falls in."""
        book, ledger = self.budgeted(per=per, bends=1), Ledger()
        ledger.record(book.evaluate(refund(33), ledger=ledger, actor="a", when="2024-06-05"))
        assert (
            book.evaluate(refund(33), ledger=ledger, actor="a", when=same).verdict is Verdict.BROKEN
        )
        assert (
            book.evaluate(refund(33), ledger=ledger, actor="a", when=other).verdict is Verdict.BENT
        )
        assert per in PERIODS

    def test_total_budgets(self):
        """A total budget caps the sum of deviations per period."""
        book, ledger = self.budgeted(per="day", total=5), Ledger()
        first = book.evaluate(refund(33), ledger=ledger, actor="a", when="2024-06-01")
        ledger.record(first)
        assert (
            book.evaluate(refund(32), ledger=ledger, actor="a", when="2024-06-01").verdict
            is Verdict.BENT
        )
        assert (
            book.evaluate(refund(33), ledger=ledger, actor="a", when="2024-06-01").verdict
            is Verdict.BROKEN
        )

    def test_evaluating_records_nothing(self):
        """A what-if evaluation spends no budget; only record() does."""
        book, ledger = self.budgeted(), Ledger()
        for _ in range(5):
            book.evaluate(refund(33), ledger=ledger, actor="a", when="2024-06-01")
        assert ledger.entries == ()

    def test_only_bends_are_recorded(self):
        """Compliant and broken findings are not recorded."""
        book, ledger = self.budgeted(), Ledger()
        assert (
            ledger.record(book.evaluate(refund(10), ledger=ledger, actor="a", when="2024-06-01"))
            == ()
        )
        assert (
            ledger.record(book.evaluate(refund(50), ledger=ledger, actor="a", when="2024-06-01"))
            == ()
        )
        (entry,) = ledger.record(
            book.evaluate(refund(33), ledger=ledger, actor="a", when="2024-06-01")
        )
        assert entry == LedgerEntry(
            book="test-book",
            rule="window",
            actor="a",
            when="2024-06-01",
            deviation=3.0,
            unit="days",
        )
        assert ledger.bends_of("a") == (entry,)

    def test_a_ledger_needs_actor_and_date(self):
        """Checking a budget without who and when is an error naming the rule."""
        with pytest.raises(PolicyEvaluationError, match="actor=") as info:
            self.budgeted().evaluate(refund(33), ledger=Ledger())
        assert info.value.rule == "window"

    def test_no_ledger_no_budget(self):
        """Without a ledger, budgets are not checked and the finding says so (budget_used None)."""
        (finding,) = self.budgeted().evaluate(refund(33)).findings
        assert (finding.verdict, finding.budget_used) == (Verdict.BENT, None)

    def test_ledger_round_trip(self):
        """A ledger survives unstructure, JSON and structure, and keeps counting."""
        book, ledger = self.budgeted(), Ledger()
        for _ in range(3):
            ledger.record(book.evaluate(refund(33), ledger=ledger, actor="a", when="2024-06-01"))
        back = stool.structure(json.loads(json.dumps(stool.unstructure(ledger))), Ledger)
        assert back == ledger
        assert (
            book.evaluate(refund(33), ledger=back, actor="a", when="2024-06-01").verdict
            is Verdict.BROKEN
        )

    def test_replacing_entries_rebuilds_the_index(self):
        """Assigning entries directly is seen by the next budget check."""
        book, ledger = self.budgeted(), Ledger()
        for _ in range(3):
            ledger.record(book.evaluate(refund(33), ledger=ledger, actor="a", when="2024-06-01"))
        ledger.entries = ()
        assert (
            book.evaluate(refund(33), ledger=ledger, actor="a", when="2024-06-01").verdict
            is Verdict.BENT
        )

    def test_bad_dates(self):
        """A date that is not a date is a validation error."""
        with pytest.raises(stool.ValidationError):
            self.budgeted().evaluate(refund(33), when="June 1st")


class TestJustification:
    def test_required_justification(self):
        """A bend of a rule requiring a justification is BROKEN without one and BENT with one."""
        book = book_of(window(justification_required=True))
        unjustified = book.evaluate(refund(33))
        assert (unjustified.verdict, unjustified.findings[0].cause) == (
            Verdict.BROKEN,
            Cause.UNJUSTIFIED,
        )
        assert unjustified.requires is Authority.AGENT
        justified = book.evaluate(refund(33), justification="Hospital stay; receipt attached.")
        assert justified.verdict is Verdict.BENT
        assert justified.justification == "Hospital stay; receipt attached."

    @pytest.mark.parametrize("bad", ["", "   ", 3])
    def test_blank_justifications(self, bad):
        """A justification is a non-empty string or None."""
        with pytest.raises(stool.ValidationError):
            book_of(window()).evaluate(refund(33), justification=bad)


class TestDecision:
    def book(self) -> PolicyBook:
        hyg = Rule(
            id="hyg",
            kind="hard",
            applies="action == 'refund'",
            forbid="category == 'hygiene'",
            rationale="Health.",
        )
        other = Rule(
            id="exchange-only",
            kind="hard",
            applies="action == 'exchange'",
            require="flag",
            rationale="x",
        )
        return book_of(window(), hyg, other)

    def test_trace_covers_every_rule(self):
        """The trace has one entry per rule, applicable or not, and why."""
        decision = self.book().evaluate(refund(33))
        assert [entry.rule for entry in decision.trace] == ["window", "hyg", "exchange-only"]
        assert [entry.applies for entry in decision.trace] == [True, True, False]
        skipped = decision.trace[2]
        assert skipped.condition == "action == 'exchange'"
        assert skipped.fields == ("action",)
        assert "does not hold" in skipped.reason

    def test_trace_can_be_left_out(self):
        """trace=False leaves the trace empty and the findings whole."""
        decision = self.book().evaluate(refund(33), trace=False)
        assert decision.trace == ()
        assert len(decision.findings) == 2

    def test_no_rule_applies(self):
        """When no rule applies the verdict is COMPLIANT with no findings."""
        decision = self.book().evaluate({"action": "repair"})
        assert (decision.verdict, decision.findings, decision.requires) == (
            Verdict.COMPLIANT,
            (),
            None,
        )

    def test_explain(self):
        """explain() says the verdict, who may approve, each finding and what did not apply."""
        text = (
            self.book()
            .evaluate(refund(40), actor="rep-7", when="2024-06-01", justification="Loyal customer.")
            .explain()
        )
        assert (
            text.splitlines()[0]
            == "BROKEN under 'test-book' for an agent: a supervisor may approve it as a bend."
        )
        assert "rep-7, on 2024-06-01" in text
        assert "Justification: Loyal customer." in text
        assert "days is 40 days, 10 days over the maximum of 30 days" in text
        assert RATIONALE in text
        assert (
            "exchange-only: does not apply: `action == 'exchange'` does not hold "
            "(action = 'refund')" in text
        )

    def test_explain_a_compliant_decision(self):
        """A decision within every rule says so."""
        assert "every applicable rule is kept" in self.book().evaluate(refund(3)).explain()

    def test_finding_lookup(self):
        """finding(rule) returns that rule's finding, or None if it did not apply."""
        decision = self.book().evaluate(refund(33))
        assert decision.finding("hyg").verdict is Verdict.COMPLIANT
        assert decision.finding("exchange-only") is None

    def test_context_is_a_read_only_copy(self):
        """The decision keeps the inputs it judged; changing the caller's dict changes nothing."""
        context = refund(33)
        decision = self.book().evaluate(context)
        context["days"] = 99
        assert decision.context["days"] == 33
        with pytest.raises(TypeError):
            decision.context["days"] = 1  # type: ignore[index]

    @given(
        st.integers(0, 90),
        st.sampled_from(["refund", "exchange"]),
        st.sampled_from(["kitchen", "hygiene"]),
        st.booleans(),
        authorities(),
    )
    def test_round_trip_as_an_audit_record(self, days, action, category, flag, by):
        """A decision survives unstructure, JSON and structure unchanged."""
        decision = self.book().evaluate(
            refund(days, action=action, category=category, flag=flag),
            by=by,
            actor="rep-1",
            when="2024-01-31",
            justification="why",
        )
        data = json.loads(json.dumps(stool.unstructure(decision)))
        back = stool.structure(data, Decision)
        assert back == decision
        assert data["version"] == self.book().version
        assert back.explain() == decision.explain()

    @given(st.integers(0, 90), st.sampled_from(["kitchen", "hygiene"]), authorities())
    def test_verdict_is_the_worst_finding(self, days, category, by):
        """The verdict is the maximum over the findings' verdicts."""
        decision = self.book().evaluate(refund(days, category=category), by=by)
        assert decision.verdict == max(
            [f.verdict for f in decision.findings], default=Verdict.COMPLIANT
        )

    def test_findings_check_their_consistency(self):
        """A Finding whose verdict contradicts its cause is refused."""
        with pytest.raises(stool.ValidationError):
            Finding(
                rule="r",
                verdict=Verdict.BENT,
                cause=Cause.HARD_RULE,
                kind="hard",
                check="forbid",
                expression="x",
                observed=True,
            )

    def test_trace_entries_are_values(self):
        """Trace entries compare by value."""
        assert TraceEntry(rule="r", applies=True) == TraceEntry(rule="r", applies=True)


class TestEvaluationErrors:
    def test_missing_field_names_rule_and_field(self):
        """A field missing from the context raises an error naming the rule and the field."""
        with pytest.raises(PolicyEvaluationError) as info:
            book_of(window()).evaluate({"action": "refund"})
        assert (info.value.rule, info.value.field) == ("window", "days")

    def test_wrong_kind(self):
        """A string quantity is an evaluation error naming the field."""
        book = PolicyBook(name="open", rules=[window()])
        with pytest.raises(PolicyEvaluationError) as info:
            book.evaluate({"action": "refund", "days": "late"})
        assert info.value.field == "days"

    def test_bad_arguments(self):
        """`by` must be an Authority and the context a mapping."""
        book = book_of(window())
        with pytest.raises(stool.ValidationError):
            book.evaluate(refund(1), by="agent")  # type: ignore[arg-type]
        with pytest.raises(PolicyEvaluationError, match="mapping"):
            book.evaluate([("action", "refund")])  # type: ignore[arg-type]
        with pytest.raises(stool.ValidationError):
            book.evaluate(refund(1), ledger={})  # type: ignore[arg-type]

    def test_errors_pickle(self):
        """Policy errors survive pickling with their facts."""
        error = PolicyEvaluationError("is missing", field="days", rule="window", value=3)
        back = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
        assert (back.field, back.rule, back.value, str(back)) == ("days", "window", 3, str(error))
        definition = PolicyDefinitionError("bad", file="f.toml", line=3, rule="r", field="applies")
        assert str(pickle.loads(pickle.dumps(definition))) == str(definition)  # noqa: S301
        group = PolicyValidationError((definition,), file="f.toml")
        assert pickle.loads(pickle.dumps(group)).problems[0].line == 3  # noqa: S301


class TestApplyDecision:
    @given(
        interactions(),
        st.integers(0, 90),
        st.sampled_from(["kitchen", "hygiene"]),
        authorities(),
        st.floats(0, 1000),
    )
    def test_folds_bends_breaks_and_cost(self, interaction, days, category, by, cost):
        """bends and breaks grow by the decision's counts, plus the cost; authority rises to by."""
        hyg = Rule(id="hyg", kind="hard", forbid="category == 'hygiene'", rationale="x")
        decision = book_of(window(), hyg).evaluate(refund(days, category=category), by=by)
        after = apply_decision(interaction, decision, cost=cost)
        assert after.bends == interaction.bends + len(decision.bends)
        assert after.breaks == interaction.breaks + len(decision.breaks)
        assert after.concession_cost == interaction.concession_cost + cost
        assert after.authority == max(interaction.authority, by)
        unchanged = {"bends", "breaks", "concession_cost", "authority"}
        assert all(
            getattr(after, a.name) == getattr(interaction, a.name)
            for a in attrs.fields(Interaction)
            if a.name not in unchanged
        )

    @pytest.mark.parametrize("cost", [-1.0, float("nan"), float("inf"), "5"])
    def test_bad_cost(self, cost):
        """A cost is a finite number >= 0."""
        decision = book_of(window()).evaluate(refund(1))
        with pytest.raises(stool.ValidationError):
            apply_decision(Interaction(), decision, cost=cost)

    def test_scoring_sees_it(self):
        """The folded interaction carries the break into stool's records."""
        hyg = Rule(id="hyg", kind="hard", forbid="category == 'hygiene'", rationale="x")
        decision = book_of(window(), hyg).evaluate(refund(1, category="hygiene"))
        assert apply_decision(Interaction(), decision).breaks == 1


class TestCompanyPolicies:
    def test_company_carries_a_book(self):
        """A Company may carry a policy book, and round-trips with it or without it."""
        book = book_of(window())
        for company in (stool.Company(name="Acme"), stool.Company(name="Acme", policies=book)):
            data = json.loads(json.dumps(stool.unstructure(company)))
            back = stool.structure(data, stool.Company)
            assert back == company
        assert (
            stool.structure(
                stool.unstructure(stool.Company(name="A", policies=book)), stool.Company
            ).policies.version
            == book.version
        )

    def test_company_refuses_other_values(self):
        """Only a PolicyBook or None is a company's policies."""
        with pytest.raises(stool.ValidationError, match="PolicyBook"):
            stool.Company(name="Acme", policies={"rule": []})  # type: ignore[arg-type]

    def test_import_stool_does_not_load_the_engine(self):
        """`import stool` leaves the policy engine unloaded until it is used."""
        code = "import sys, stool; stool.Company(name='x'); print('stool.policy' in sys.modules)"
        out = subprocess.run(  # noqa: S603 - runs this interpreter on our own code
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == "False"

    def test_lazy_names_resolve(self):
        """stool.PolicyBook and friends are the policy engine's."""
        for name in (
            "PolicyBook",
            "Rule",
            "Decision",
            "Finding",
            "Ledger",
            "compile_expression",
            "run_tests",
            "load_example",
            "apply_decision",
        ):
            assert getattr(stool, name) is getattr(policy, name)
