"""Tests for the example books, load_example and run_tests."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

import stool
from stool import Authority, Verdict
from stool.policy import (
    EXAMPLES,
    Ledger,
    PolicyBook,
    PolicyTest,
    PolicyTestReport,
    Rule,
    load_example,
    run_tests,
)
from stool.strategies import authorities


def refund(days: float, **more: Any) -> dict[str, Any]:
    """A refund request for the returns book."""
    return {
        "action": "refund",
        "days_since_purchase": days,
        "refund_amount": 40.0,
        "purchase_price": 40.0,
        "item_category": "kitchen",
        **more,
    }


def conduct(**facts: bool) -> dict[str, bool]:
    """A contact for the conduct book: nothing of note unless `facts` say so."""
    context = {
        "deceives_customer": False,
        "insults_customer": False,
        "changes_account": False,
        "identity_verified": False,
    }
    context.update(facts)
    return context


class TestExampleBooks:
    @pytest.mark.parametrize("name", EXAMPLES)
    def test_own_tests_pass(self, name):
        """Every example book passes its own tests and its generated boundary cases."""
        report = run_tests(load_example(name))
        assert report.failed == (), report.report()
        assert report.ok

    @pytest.mark.parametrize("name", EXAMPLES)
    def test_carries_tests_for_every_rule(self, name):
        """Every example book has written tests, and every rule is exercised by one."""
        book = load_example(name)
        assert len(book.tests) >= 5
        exercised = set()
        for case in book.tests:
            decision = book.evaluate(case.context, by=case.by, justification=case.justification)
            exercised |= {f.rule for f in decision.findings}
        assert exercised == {rule.id for rule in book.rules}

    @pytest.mark.parametrize("name", EXAMPLES)
    def test_boundary_cases_for_every_limit(self, name):
        """Boundary cases are generated for every limit rule, with no rule left out."""
        book = load_example(name)
        report = run_tests(book)
        assert report.notes == ()
        generated = {r.rule for r in report.results if r.generated}
        assert generated == {rule.id for rule in book.rules if rule.kind == "limit"}

    @pytest.mark.parametrize("name", EXAMPLES)
    def test_declares_its_context_and_explains_its_rules(self, name):
        """Every example declares its context fields, and every rule says why it exists."""
        book = load_example(name)
        assert book.context
        assert all(rule.rationale for rule in book.rules)
        assert book.name == name

    def test_unknown_example(self):
        """Asking for a book that is not shipped is a validation error listing the names."""
        with pytest.raises(stool.ValidationError, match="returns"):
            load_example("refunds")

    def test_loaded_twice_is_equal(self):
        """Loading an example twice gives equal books with one version."""
        assert load_example("returns") == load_example("returns")
        assert load_example("returns").version == load_example("returns").version


class TestReturns:
    """The returns policy exactly as the issue states it."""

    book = load_example("returns")

    def test_within_thirty_days(self):
        """A refund within 30 days of purchase is kept."""
        assert self.book.evaluate(refund(30)).verdict is Verdict.COMPLIANT

    @pytest.mark.parametrize(
        ("by", "tolerance"),
        [(Authority.AGENT, 5), (Authority.SUPERVISOR, 15), (Authority.MANAGER, 30)],
    )
    def test_each_authority_bends_its_own_way(self, by, tolerance):
        """An agent bends the window by up to 5 days, a supervisor by 15, a manager by 30."""
        assert self.book.evaluate(refund(30 + tolerance), by=by).verdict is Verdict.BENT
        beyond = self.book.evaluate(refund(30 + tolerance + 1), by=by)
        assert beyond.verdict is Verdict.BROKEN

    @given(st.integers(31, 60))
    def test_requires_the_lowest_approver(self, days):
        """A late refund requires the lowest authority whose tolerance covers it."""
        requires = self.book.evaluate(refund(days)).requires
        late = days - 30
        expected = (
            Authority.AGENT
            if late <= 5
            else Authority.SUPERVISOR
            if late <= 15
            else Authority.MANAGER
        )
        assert requires is expected

    def test_three_window_bends_per_agent_per_day(self):
        """At most 3 window bends per agent per day: the fourth is a break."""
        ledger = Ledger()
        verdicts = []
        for _ in range(4):
            decision = self.book.evaluate(
                refund(33), ledger=ledger, actor="rep-7", when="2024-06-01"
            )
            ledger.record(decision)
            verdicts.append(decision.verdict)
        assert verdicts == [Verdict.BENT, Verdict.BENT, Verdict.BENT, Verdict.BROKEN]

    @given(st.integers(0, 90), authorities())
    def test_hygiene_items_are_never_refunded(self, days, by):
        """Hygiene items are never refunded, by anyone, at any time."""
        decision = self.book.evaluate(refund(days, item_category="hygiene"), by=by)
        assert decision.verdict is Verdict.BROKEN
        assert decision.finding("hygiene-final-sale").verdict is Verdict.BROKEN
        assert decision.requires is None

    @given(st.floats(0.01, 1000), authorities())
    def test_a_refund_never_exceeds_the_price(self, extra, by):
        """A refund above the purchase price is broken, for every authority."""
        decision = self.book.evaluate(refund(3, refund_amount=40.0 + extra), by=by)
        assert decision.finding("refund-within-price").verdict is Verdict.BROKEN
        assert decision.requires is None


class TestConduct:
    """The code of conduct exactly as the issue states it."""

    book = load_example("conduct")

    @pytest.mark.parametrize(
        ("facts", "rule"),
        [
            ({"deceives_customer": True}, "never-deceive"),
            ({"insults_customer": True}, "never-insult"),
            ({"changes_account": True, "identity_verified": False}, "verify-identity"),
        ],
    )
    @pytest.mark.parametrize("by", list(Authority))
    def test_every_rule_is_hard(self, facts, rule, by):
        """Deceiving, insulting and unverified account changes are broken for every authority."""
        decision = self.book.evaluate(conduct(**facts), by=by)
        assert decision.finding(rule).verdict is Verdict.BROKEN
        assert (decision.verdict, decision.requires) == (Verdict.BROKEN, None)

    def test_no_rule_can_be_bent(self):
        """The conduct book has no tolerance anywhere."""
        assert all(rule.kind == "hard" and not rule.bend for rule in self.book.rules)

    def test_verified_account_change(self):
        """An account change after verifying identity is kept."""
        decision = self.book.evaluate(conduct(changes_account=True, identity_verified=True))
        assert decision.verdict is Verdict.COMPLIANT

    def test_verification_only_for_account_changes(self):
        """Without an account change, the identity rule does not apply, and the trace says why."""
        decision = self.book.evaluate(conduct())
        assert decision.finding("verify-identity") is None
        (entry,) = [e for e in decision.trace if e.rule == "verify-identity"]
        assert (entry.applies, entry.condition) == (False, "changes_account")


class TestDelivery:
    """The delivery book: a four-hour window, loaded trucks, quotes with margin."""

    book = load_example("delivery")
    base: ClassVar[dict[str, Any]] = {
        "action": "schedule",
        "window_hours": 4,
        "truck_loaded": False,
        "quoted_days": 6,
        "transit_days_max": 4,
    }

    def test_an_agent_may_not_narrow_the_window(self):
        """A three-hour window is beyond an agent and needs a supervisor."""
        decision = self.book.evaluate({**self.base, "window_hours": 3}, by=Authority.AGENT)
        assert (decision.verdict, decision.requires) == (Verdict.BROKEN, Authority.SUPERVISOR)
        finding = decision.finding("four-hour-window")
        assert (finding.deviation, finding.unit) == (1, "hours")

    def test_a_manager_may_narrow_it_to_two_hours(self):
        """A manager's tolerance is two hours, and no one may go below that."""
        two = self.book.evaluate({**self.base, "window_hours": 2}, by=Authority.MANAGER)
        assert two.verdict is Verdict.BENT
        one = self.book.evaluate({**self.base, "window_hours": 1.5}, by=Authority.MANAGER)
        assert (one.verdict, one.requires) == (Verdict.BROKEN, None)

    @pytest.mark.parametrize("by", list(Authority))
    def test_a_loaded_truck_keeps_its_route(self, by):
        """Rescheduling a delivery whose truck is loaded is broken for every authority."""
        context = {**self.base, "action": "reschedule", "truck_loaded": True}
        decision = self.book.evaluate(context, by=by)
        assert decision.finding("loaded-trucks-keep-their-route").verdict is Verdict.BROKEN
        assert decision.requires is None

    def test_quotes_carry_two_days_of_margin(self):
        """A quote must promise at least the longest transit time plus two days."""
        quote = {**self.base, "action": "quote"}
        assert self.book.evaluate({**quote, "quoted_days": 6}).verdict is Verdict.COMPLIANT
        assert self.book.evaluate({**quote, "quoted_days": 5}).verdict is Verdict.BENT


class TestWarranty:
    """The warranty book: a period bendable by percent, with a reason, and two hard rules."""

    book = load_example("warranty")
    base: ClassVar[dict[str, Any]] = {
        "action": "repair",
        "days_since_purchase": 200,
        "warranty_days": 365,
        "damage": "defect",
        "proof_of_purchase": True,
    }

    def test_the_tolerance_is_a_percentage_of_the_period(self):
        """A supervisor may cover up to 5% of the period past it, a manager 10%."""
        late = {**self.base, "days_since_purchase": 365 + 18}
        decision = self.book.evaluate(late, by=Authority.SUPERVISOR, justification="a loyal buyer")
        assert decision.verdict is Verdict.BENT
        assert decision.finding("warranty-period").tolerance == pytest.approx(0.05 * 365)
        later = {**self.base, "days_since_purchase": 365 + 19}
        decision = self.book.evaluate(later, by=Authority.SUPERVISOR, justification="loyal")
        assert (decision.verdict, decision.requires) == (Verdict.BROKEN, Authority.MANAGER)

    def test_a_bend_needs_a_justification(self):
        """Cover past the warranty without a reason is broken, and the finding says why."""
        late = {**self.base, "days_since_purchase": 370}
        decision = self.book.evaluate(late, by=Authority.SUPERVISOR)
        assert decision.verdict is Verdict.BROKEN
        assert decision.finding("warranty-period").cause.name == "UNJUSTIFIED"

    @pytest.mark.parametrize("by", list(Authority))
    def test_accidental_damage_and_missing_proof_are_never_covered(self, by):
        """Accidental damage, or a claim without proof of purchase, is broken for everyone."""
        for context in (
            {**self.base, "damage": "accidental"},
            {**self.base, "proof_of_purchase": False},
        ):
            decision = self.book.evaluate(context, by=by)
            assert (decision.verdict, decision.requires) == (Verdict.BROKEN, None)


class TestGymCancellation:
    """The gym book: cancel on the first contact, one retention offer, the contract's fee."""

    book = load_example("gym_cancellation")
    base: ClassVar[dict[str, Any]] = {
        "action": "cancel",
        "handoffs": 0,
        "retention_offers": 1,
        "notice_days": 30,
        "fee_charged": 0,
        "contract_fee": 25,
    }

    def test_the_quick_yes_is_kept(self):
        """A cancellation on the first contact, with one offer, is compliant."""
        assert self.book.evaluate(self.base).verdict is Verdict.COMPLIANT

    def test_an_agent_may_waive_the_notice(self):
        """Cancelling without notice is a bend an agent may make."""
        decision = self.book.evaluate({**self.base, "notice_days": 0})
        assert (decision.verdict, decision.requires) == (Verdict.BENT, Authority.AGENT)

    @pytest.mark.parametrize(
        ("change", "rule"),
        [
            ({"retention_offers": 2}, "one-retention-offer"),
            ({"fee_charged": 40}, "no-fee-beyond-contract"),
        ],
    )
    @pytest.mark.parametrize("by", list(Authority))
    def test_hard_rules_hold_for_everyone(self, change, rule, by):
        """A second retention offer or a fee beyond the contract is broken for every authority."""
        decision = self.book.evaluate({**self.base, **change}, by=by)
        assert decision.finding(rule).verdict is Verdict.BROKEN
        assert decision.requires is None

    def test_the_runaround_is_broken(self):
        """Passing the member on twice before cancelling is beyond an agent's tolerance."""
        decision = self.book.evaluate({**self.base, "handoffs": 2})
        assert decision.finding("cancel-on-first-contact").verdict is Verdict.BROKEN


def book_with(*tests: PolicyTest, quantity: str = "days") -> PolicyBook:
    """A one-rule book with `tests`."""
    rule = Rule(
        id="window",
        kind="limit",
        quantity=quantity,
        max=30,
        bend={"agent": 5},
        budget={"per": "day", "bends": 1},
        rationale="x",
    )
    return PolicyBook(name="b", rules=[rule], tests=tests)


class TestRunTests:
    def test_a_failing_case_is_reported(self):
        """A case whose expectation is wrong fails, and the report says how."""
        book = book_with(
            PolicyTest(name="wrong", context={"days": 33}, expect="compliant", requires="manager")
        )
        report = run_tests(book)
        (failed,) = [r for r in report.failed if not r.generated]
        assert failed.name == "wrong"
        assert (failed.expected, failed.actual) == (Verdict.COMPLIANT, Verdict.BENT)
        assert failed.problems[:2] == (
            "expected COMPLIANT, got BENT",
            "expected requires manager, got agent",
        )
        text = report.report()
        assert "FAIL  wrong" in text
        assert "1 failed" in text
        assert str(report) == text
        assert not report.ok

    def test_findings_expectations(self):
        """Expected per-rule verdicts are compared, including a rule that did not apply."""
        case = PolicyTest(
            name="f", context={"days": 33}, expect="bent", findings={"window": "broken"}
        )
        (result,) = [r for r in run_tests(book_with(case)).results if not r.generated]
        assert result.problems[0] == "expected rule 'window' BROKEN, got BENT"

    def test_evaluation_errors_fail_the_case(self):
        """A case whose context cannot be evaluated fails with the error."""
        case = PolicyTest(name="e", context={"other": 1}, expect="compliant")
        (result,) = [r for r in run_tests(book_with(case)).results if not r.generated]
        assert not result.passed
        assert "evaluation failed" in result.problems[0]
        assert result.actual is None

    def test_prior_bends_fill_a_ledger(self):
        """prior_bends put the actor's earlier bends in the ledger the case is evaluated with."""
        case = PolicyTest(
            name="second bend",
            context={"days": 33},
            actor="a",
            when="2024-01-01",
            prior_bends={"window": [2]},
            expect="broken",
            requires="supervisor",
        )
        (result,) = [r for r in run_tests(book_with(case)).results if not r.generated]
        assert result.passed, result.problems

    def test_prior_bends_need_actor_and_date(self):
        """prior_bends without actor and when are a validation error."""
        with pytest.raises(stool.policy.PolicyValidationError, match="actor and when"):
            PolicyTest(name="x", context={}, expect="bent", prior_bends={"window": [1]})

    def test_boundary_cases(self):
        """Boundary cases sit at the bound, at each tolerance and just beyond it."""
        book = book_with(PolicyTest(name="base", context={"days": 10}, expect="compliant"))
        generated = [r for r in run_tests(book).results if r.generated]
        assert [(r.by, r.expected) for r in generated] == [
            (Authority.AGENT, Verdict.COMPLIANT),
            (Authority.AGENT, Verdict.BENT),
            (Authority.AGENT, Verdict.BROKEN),
            (Authority.SUPERVISOR, Verdict.BENT),
            (Authority.SUPERVISOR, Verdict.BROKEN),
            (Authority.MANAGER, Verdict.BENT),
            (Authority.MANAGER, Verdict.BROKEN),
        ]
        assert all(r.passed for r in generated)
        assert all(r.rule == "window" for r in generated)

    def test_no_boundary_cases_without_a_plain_field(self):
        """A quantity that is not a plain field gets a note instead of boundary cases."""
        book = book_with(
            PolicyTest(name="base", context={"days": 10}, expect="compliant"), quantity="days * 1"
        )
        report = run_tests(book)
        assert not any(r.generated for r in report.results)
        assert "not a plain field" in report.notes[0]

    def test_no_boundary_cases_without_a_base_case(self):
        """A limit no written case applies to gets a note asking for one."""
        report = run_tests(book_with())
        assert "add one" in report.notes[0]
        assert report.results == ()

    def test_boundaries_can_be_left_out(self):
        """boundaries=False runs the written cases only."""
        book = book_with(PolicyTest(name="base", context={"days": 10}, expect="compliant"))
        assert len(run_tests(book, boundaries=False).results) == 1

    def test_rejects_other_values(self):
        """run_tests takes a PolicyBook."""
        with pytest.raises(stool.ValidationError):
            run_tests("returns")  # type: ignore[arg-type]

    def test_report_type(self):
        """run_tests returns a PolicyTestReport naming the book and its version."""
        book = load_example("delivery")
        report = run_tests(book)
        assert isinstance(report, PolicyTestReport)
        assert (report.book, report.version) == (book.name, book.version)
