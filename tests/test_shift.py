"""Tests for stool.shift: a shift simulated on SimPy, every contact played, scored and priced."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import statistics

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import stool
from stool import Agent, Authority, Company, CustomerType, ValidationError, Verdict, events
from stool.modelfile import save_model
from stool.models import StoolModel
from stool.policy import LedgerEntry, load_example
from stool.queue import ErlangA, ErlangC, cost_of_longer_calls
from stool.scoring import score
from stool.shift import (
    STARTING,
    Behaviour,
    Breaks,
    CustomerMix,
    Request,
    Shift,
    ShiftSummary,
    Strain,
    compare,
)
from stool.shift._compare import t_quantile

TEAM = tuple(Agent(id=f"rep-{i}") for i in range(14))
RETURNS = load_example("returns")
KITCHEN = {
    "action": "refund",
    "days_since_purchase": 12,
    "refund_amount": 40.0,
    "purchase_price": 40.0,
    "item_category": "kitchen",
}
LATE = KITCHEN | {"days_since_purchase": 33}
VERY_LATE = KITCHEN | {"days_since_purchase": 40}
HYGIENE = KITCHEN | {"item_category": "hygiene", "days_since_purchase": 3}
STORE = Company(name="Home & Bath", policies=RETURNS)
REQUESTS = (
    Request(name="refund", share=0.1, context=KITCHEN),
    Request(name="late refund", share=0.3, context=LATE, cost=40.0),
    Request(name="very late refund", share=0.1, context=VERY_LATE, cost=40.0),
    Request(name="hygiene refund", share=0.05, context=HYGIENE, cost=25.0),
)


def pooled(result, t_s=20.0, warm_up=2):
    """Per-interval P(wait), P(abandon) and SL after the warm-up intervals."""
    stats = result.interval_stats(t_s)[warm_up:]
    return [
        (s.waited / s.offered, s.abandoned / s.offered, s.service_level) for s in stats if s.offered
    ]


def assert_within_ci(samples, expected):
    """Each measure's mean over intervals lies within 4.5 standard errors of the model."""
    for column, value in zip(zip(*samples, strict=True), expected, strict=True):
        mean = statistics.fmean(column)
        error = statistics.stdev(column) / math.sqrt(len(column))
        assert abs(mean - value) < 4.5 * error + 2e-3, (mean, value, error)


fractions = st.floats(0.0, 1.0)


@st.composite
def shifts(draw, *, play=True, max_agents=4, max_intervals=3, max_calls=40.0):
    """Small valid shifts: every part drawn, the returns book's requests sometimes."""
    agents = [
        Agent(
            id=f"rep-{i}",
            authority=draw(
                st.sampled_from([Authority.AGENT, Authority.AGENT, Authority.SUPERVISOR])
            ),
            fatigue=draw(fractions),
        )
        for i in range(draw(st.integers(1, max_agents)))
    ]
    arrivals = draw(st.lists(st.floats(0.0, max_calls), min_size=1, max_size=max_intervals))
    requests = draw(st.sampled_from([(), REQUESTS]))
    mix = CustomerMix(
        very_satisfied=draw(fractions),
        satisfied=draw(st.floats(0.01, 1.0)),
        dissatisfied=draw(fractions),
        very_dissatisfied=draw(fractions),
        prior_bad_experiences=draw(st.floats(0.0, 3.0)),
        abusive=draw(fractions),
        abuse_severity=draw(st.floats(0.05, 1.0)),
        complex=draw(fractions),
        partial=draw(fractions),
        thanks=draw(fractions),
        requests=requests,
    )
    behaviour = Behaviour(
        bend=draw(fractions),
        escalate=draw(fractions),
        break_rules=draw(fractions),
        extra_mile=draw(fractions),
        stay_longer=draw(fractions),
        end_abusive=draw(fractions),
        empathy=draw(fractions),
        clarity=draw(fractions),
        escalation_s=draw(st.sampled_from([30.0, 180.0])),
    )
    strain = Strain(
        work_per_hour=draw(st.floats(0.0, 2.0)),
        abuse=draw(st.floats(0.0, 3.0)),
        buffer=draw(fractions),
        long_call=draw(st.floats(0.0, 2.0)),
        thanks=draw(fractions),
        recovery_s=draw(st.floats(60.0, 1e5)),
        break_recovery_s=draw(st.floats(60.0, 1e5)),
        empathy_drop=draw(fractions),
    )
    return Shift(
        agents=agents,
        arrivals=arrivals,
        interval_s=draw(st.sampled_from([900.0, 1800.0])),
        aht_s=draw(st.floats(60.0, 400.0)),
        patience_s=draw(st.floats(20.0, 600.0)),
        seed=draw(st.integers(0, 2**16)),
        company=STORE if requests else Company(name="Plain"),
        customers=mix,
        behaviour=behaviour,
        strain=strain,
        breaks=draw(st.sampled_from([None, Breaks(every_s=1200.0, length_s=300.0)])),
        play=play,
    )


def busy_store(**changes):
    """A returns desk with many requests that need a bend: budgets run out."""
    shift = Shift(
        agents=TEAM[:4],
        arrivals=[60.0, 60.0],
        aht_s=200,
        patience_s=300,
        seed=11,
        company=STORE,
        customers=CustomerMix(requests=REQUESTS),
        behaviour=Behaviour(bend=1.0, escalate=1.0),
    )
    return attrs.evolve(shift, **changes)


class TestSteadyState:
    """In steady state, with contacts not played, the queue matches Erlang A and C."""

    def test_matches_erlang_a(self):
        """40 half hours of 100 calls, 14 agents, 120 s patience: Erlang A's figures."""
        shift = Shift(
            agents=TEAM, arrivals=[100] * 40, aht_s=180, patience_s=120, seed=3, play=False
        )
        queue = ErlangA(arrivals=100, aht_s=180, agents=14, patience_s=120)
        expected = (queue.p_wait, queue.p_abandon, queue.service_level(20))
        assert_within_ci(pooled(shift.run()), expected)

    def test_matches_erlang_c(self):
        """Callers who never hang up: Erlang C's figures, and nobody abandons."""
        shift = Shift(
            agents=TEAM, arrivals=[100] * 40, aht_s=180, patience_s=math.inf, seed=5, play=False
        )
        queue = ErlangC(arrivals=100, aht_s=180, agents=14)
        result = shift.run()
        assert not any(call.abandoned for call in result.calls)
        assert_within_ci(pooled(result), (queue.p_wait, 0.0, queue.service_level(20)))

    def test_matches_erlang_c_at_another_load(self):
        """A lighter load (80 calls, 12 agents, 150 s) matches Erlang C as well."""
        shift = Shift(
            agents=TEAM[:12],
            arrivals=[80] * 40,
            aht_s=150,
            patience_s=math.inf,
            seed=8,
            play=False,
        )
        queue = ErlangC(arrivals=80, aht_s=150, agents=12)
        assert_within_ci(pooled(shift.run()), (queue.p_wait, 0.0, queue.service_level(20)))

    def test_queue_only_plays_nothing(self):
        """With play=False no contact is played and no leg is scored."""
        result = Shift(agents=TEAM[:3], arrivals=[20], seed=2, play=False).run()
        assert result.contacts == ()
        assert math.isnan(result.summary().customer)
        assert all(s.customer is None and s.played == 0 for s in result.intervals)


class TestRun:
    """Runs are reproducible, consistent and share random numbers across what-ifs."""

    def test_reproducible(self):
        """The same shift gives the same calls; another seed gives others."""
        shift = Shift(agents=TEAM[:3], arrivals=[20, 30], aht_s=120, patience_s=60, seed=1)
        assert shift.run() == shift.run()
        assert attrs.evolve(shift, seed=2).run().calls != shift.run().calls

    def test_common_random_numbers(self):
        """One more agent meets the same callers, with the same needs, at the same times."""
        shift = Shift(agents=TEAM[:10], arrivals=[100, 120], aht_s=180, patience_s=90, seed=9)
        more = attrs.evolve(shift, agents=TEAM[:11])
        a, b = shift.run(), more.run()
        assert [c.arrived_s for c in a.calls] == [c.arrived_s for c in b.calls]
        assert sum(c.abandoned for c in b.calls) <= sum(c.abandoned for c in a.calls)
        both = [
            (x.contact.caller, y.contact.caller)
            for x, y in zip(a.calls, b.calls, strict=True)
            if x.contact is not None and y.contact is not None
        ]
        assert both
        assert all(x == y for x, y in both)

    @settings(max_examples=25)
    @given(shift=shifts())
    def test_figures_add_up(self, shift):
        """Answered + abandoned = arrived, per interval and in all; contacts are the answered."""
        result = shift.run()
        stats = result.intervals
        assert len(stats) == len(shift.arrivals)
        assert sum(s.offered for s in stats) == len(result.calls)
        assert all(s.offered == s.answered + s.abandoned for s in stats)
        summary = result.summary()
        assert summary.offered == summary.answered + summary.abandoned == len(result.calls)
        assert sum(a.calls for a in result.agents) == sum(s.answered for s in stats)
        assert len(result.contacts) == summary.answered == sum(s.played for s in stats)
        assert all(0 <= s.occupancy <= 1 + 1e-9 for s in stats)
        assert all(0 <= s.service_level <= 1 for s in stats)
        assert all(call.wait_s >= 0 for call in result.calls)
        assert all(call.arrived_s < shift.length_s for call in result.calls)
        assert sum(result.transitions().values()) == len(result.contacts)

    @settings(max_examples=25)
    @given(shift=shifts())
    def test_fatigue_stays_in_range(self, shift):
        """Every fatigue carried into or out of a contact lies in [0, 1]."""
        result = shift.run()
        for contact in result.contacts:
            assert 0.0 <= contact.fatigue_before <= 1.0
            assert 0.0 <= contact.fatigue_after <= 1.0
            assert contact.interaction.agent_fatigue == contact.fatigue_before
        for day in result.agents:
            assert 0.0 <= day.fatigue_end <= day.fatigue_peak <= 1.0

    @settings(max_examples=15)
    @given(shift=shifts(max_agents=2, max_intervals=2, max_calls=15.0))
    def test_same_seed_same_result(self, shift):
        """Running a shift twice gives equal results, scores and ledgers included."""
        first, second = shift.run(), shift.run()
        assert first == second
        assert first.summary() == second.summary() or math.isnan(first.summary().customer)

    @settings(max_examples=20)
    @given(shift=shifts(max_calls=60.0))
    def test_budgets_never_exceeded(self, shift):
        """No actor's recorded bends of a budgeted rule exceed its budget for the day."""
        result = shift.run()
        for use in result.budgets():
            assert use.limit is None or use.bends <= use.limit
        for rule in RETURNS.rules:
            if rule.budget is None:
                continue
            for actor in {e.actor for e in result.ledger_entries}:
                used, _ = result.ledger.usage(
                    book="returns", rule=rule.id, actor=actor, when=shift.date, per="day"
                )
                assert used <= rule.budget.bends

    def test_breaks_and_their_figures(self):
        """Agents on breaks take rests that the result lists, outside their calls."""
        shift = Shift(agents=TEAM[:5], arrivals=[40] * 8, aht_s=200, seed=4, breaks=Breaks())
        result = shift.run()
        assert result.rests
        assert all(rest.end_s - rest.start_s == pytest.approx(900.0) for rest in result.rests)
        for rest in result.rests:
            mine = [c for c in result.calls if c.agent == rest.agent]
            for call in mine:
                start = call.arrived_s + call.wait_s
                assert start + call.handle_s <= rest.start_s + 1e-6 or start >= rest.end_s - 1e-6
        assert sum(day.rest_breaks for day in result.agents) == len(result.rests)


class TestContacts:
    """Each answered call is played as an Interaction with stool.events and scored."""

    def test_played_with_events_and_scored(self):
        """Moves are events, the handle time is the call's, the score is score()'s."""
        shift = busy_store()
        result = shift.run()
        assert result.contacts
        for call in result.calls:
            if call.contact is None:
                assert call.abandoned
                continue
            contact = call.contact
            assert all(isinstance(move, events.Event) for move in contact.moves)
            assert isinstance(contact.moves[0], events.Greet)
            assert contact.interaction.handle_time_s == pytest.approx(call.handle_s)
            assert contact.score == score(contact.interaction, shift.model)
            assert contact.interaction.wait_time_s == pytest.approx(call.wait_s)

    def test_caller_brings_their_starting_state(self):
        """Expectation, history and repeat contacts come from the starting state."""
        result = busy_store().run()
        for contact in result.contacts:
            starting = STARTING[contact.caller.starting]
            assert contact.interaction.expectation == starting.expectation
            assert contact.interaction.repeat_contacts == starting.repeat_contacts
            assert contact.caller.prior_bad_experiences >= starting.prior_bad_experiences

    def test_the_mix_is_drawn_in_proportion(self):
        """Starting states, abuse and requests come at their shares, within sampling error."""
        mix = CustomerMix(
            very_dissatisfied=1.0,
            satisfied=1.0,
            very_satisfied=0.0,
            dissatisfied=0.0,
            abusive=0.25,
            requests=REQUESTS,
        )
        shift = busy_store(customers=mix, agents=TEAM, arrivals=[300.0] * 4, behaviour=Behaviour())
        contacts = shift.run().contacts
        n = len(contacts)
        for share, count in (
            (0.5, sum(c.caller.starting is CustomerType.VERY_DISSATISFIED for c in contacts)),
            (0.25, sum(c.caller.abuse > 0 for c in contacts)),
            (0.3, sum(c.caller.request == "late refund" for c in contacts)),
        ):
            assert abs(count / n - share) < 4.5 * math.sqrt(share * (1 - share) / n)
        assert not any(c.caller.starting is CustomerType.VERY_SATISFIED for c in contacts)

    def test_queue_price(self):
        """A contact longer than the AHT carries what cost_of_longer_calls says it imposed."""
        shift = busy_store()
        result = shift.run()
        priced = 0
        for call in result.calls:
            if call.contact is None:
                continue
            imposed = call.contact.interaction.queue_wait_imposed_s
            extra = call.handle_s - shift.aht_s
            if extra <= 0:
                assert imposed == 0.0
                continue
            interval = int(call.arrived_s // shift.interval_s)
            queue = ErlangA(
                arrivals=shift.arrivals[interval],
                aht_s=shift.aht_s,
                agents=len(shift.agents),
                patience_s=shift.patience_s,
            )
            cost = cost_of_longer_calls(queue, extra_s=extra, share=1 / shift.arrivals[interval])
            assert imposed == pytest.approx(max(cost.imposed_wait_s, 0.0))
            priced += imposed > 0
        assert priced

    def test_queue_weight_reaches_the_company_leg(self):
        """A model that weighs the queue scores the long contacts' company leg lower."""
        model = StoolModel()
        heavy = attrs.evolve(model, company=attrs.evolve(model.company, queue_weight=1.0))
        plain, weighed = busy_store().run(), busy_store(model=heavy).run()
        pairs = [
            (x.contact, y.contact)
            for x, y in zip(plain.calls, weighed.calls, strict=True)
            if x.contact is not None
        ]
        long = [(x, y) for x, y in pairs if x.interaction.queue_wait_imposed_s > 60.0]
        assert long
        assert all(y.score.company.value < x.score.company.value for x, y in long)

    def test_abusive_caller_ended_or_endured(self):
        """An agent who ends abusive calls ends them all; one who never does, endures them."""
        mix = CustomerMix(abusive=1.0, abuse_severity=0.9)
        ends = busy_store(customers=mix, behaviour=Behaviour(end_abusive=1.0)).run()
        endures = busy_store(customers=mix, behaviour=Behaviour(end_abusive=0.0)).run()
        assert all(c.interaction.ended_by_agent for c in ends.contacts)
        assert not any(c.interaction.ended_by_agent for c in endures.contacts)
        assert all(c.interaction.customer_abuse == 0.9 for c in endures.contacts)
        assert ends.summary().fatigue_end < endures.summary().fatigue_end


class TestPolicy:
    """Requests are judged by the company's book, through one ledger kept all day."""

    def test_bends_recorded_per_agent_within_budget(self):
        """Agents who always bend spend their three window bends, then escalate."""
        result = busy_store().run()
        uses = {use.actor: use for use in result.budgets()}
        assert any(use.bends == 3 and use.refused > 0 for use in uses.values())
        assert all(use.bends <= 3 for use in uses.values())
        escalated = [c for c in result.contacts if c.escalated]
        assert escalated
        assert all(len(c.decisions) == 2 for c in escalated)
        assert all(c.decisions[1].actor == "supervisor" for c in escalated)

    def test_decisions_match_the_book(self):
        """Routine callers ask nothing; a hygiene refund is never granted."""
        result = busy_store().run()
        for contact in result.contacts:
            if contact.caller.request is None:
                assert contact.decisions == ()
            if contact.caller.request == "hygiene refund":
                assert all(d.verdict is Verdict.BROKEN for d in contact.decisions)
                assert contact.interaction.fulfilment == 0.0
                assert not contact.broke

    def test_breaking_agents_break(self):
        """Agents who grant what the book calls broken record breaks, never ledger entries."""
        result = busy_store(behaviour=Behaviour(bend=1.0, escalate=0.0, break_rules=1.0)).run()
        broke = [c for c in result.contacts if c.broke]
        assert broke
        assert result.summary().breaks == len(broke)
        assert all(c.score.company.value <= StoolModel().company.break_cap for c in broke)

    def test_never_bending_agents_bend_nothing(self):
        """With bend 0 and no escalations, the ledger stays empty."""
        result = busy_store(behaviour=Behaviour(bend=0.0, escalate=0.0)).run()
        assert result.ledger_entries == ()
        assert result.summary().bends == 0

    def test_prior_bends_count(self):
        """Bends recorded before the shift use up the day's budget."""
        earlier = tuple(
            LedgerEntry(
                book="returns",
                rule="refund-window",
                actor=agent.id,
                when="2024-06-03",
                deviation=3.0,
                unit="days",
            )
            for agent in TEAM[:4]
            for _ in range(3)
        )
        shift = busy_store(ledger=earlier, behaviour=Behaviour(bend=1.0, escalate=0.0))
        result = shift.run()
        assert result.ledger_entries == earlier
        assert not any(c.bent for c in result.contacts if c.caller.request == "late refund")

    def test_supervisors_decide_as_supervisors(self):
        """An escalated decision is taken with the authority the book required."""
        result = busy_store().run()
        for contact in result.contacts:
            if contact.escalated:
                first, second = contact.decisions
                assert second.by == first.requires
                assert contact.interaction.authority >= Authority.SUPERVISOR


class TestStrain:
    """Fatigue builds with work, abuse and long calls, and falls with thanks and rest."""

    @given(
        fatigue=fractions,
        handle=st.floats(0.0, 1e5),
        severity=fractions,
        overrun=st.floats(0.0, 1e3),
        backed=st.booleans(),
        thanked=st.booleans(),
    )
    def test_after_contact_in_range(self, fatigue, handle, severity, overrun, backed, thanked):  # noqa: PLR0917
        """Fatigue after a contact stays in [0, 1], and without thanks never falls."""
        after = Strain().after_contact(
            fatigue,
            handle_s=handle,
            severity=severity,
            backed=backed,
            overrun=overrun,
            thanked=thanked,
        )
        assert 0.0 <= after <= 1.0
        if not thanked:
            assert after >= fatigue

    @given(fatigue=fractions, low=fractions, high=fractions)
    def test_abuse_wears_more(self, fatigue, low, high):
        """More severe abuse never leaves an agent less tired; support buffers it."""
        low, high = min(low, high), max(low, high)
        strain = Strain()

        def after(severity, *, backed=False):
            return strain.after_contact(
                fatigue,
                handle_s=300.0,
                severity=severity,
                backed=backed,
                overrun=0.0,
                thanked=False,
            )

        assert after(low) <= after(high)
        assert after(high, backed=True) <= after(high)

    @given(fatigue=fractions, idle=st.floats(0.0, 1e6))
    def test_rest_recovers(self, fatigue, idle):
        """Time off calls never raises fatigue, and a break restores more than a gap."""
        strain = Strain()
        assert 0.0 <= strain.after_break(fatigue, idle) <= strain.after_rest(fatigue, idle)
        assert strain.after_rest(fatigue, idle) <= fatigue

    def test_fatigue_carries_over(self):
        """Each contact starts with the fatigue the previous one left, rested between them."""
        shift = busy_store(
            agents=TEAM[:1], arrivals=[20.0, 20.0], breaks=Breaks(every_s=1200.0, length_s=300.0)
        )
        result = shift.run()
        assert result.rests
        mine = [c for c in result.calls if c.contact is not None]
        strain = shift.strain
        for previous, following in itertools.pairwise(mine):
            end = previous.arrived_s + previous.wait_s + previous.handle_s
            start = following.arrived_s + following.wait_s
            fatigue = previous.contact.fatigue_after
            for rest in result.rests:
                if end <= rest.start_s < start:
                    fatigue = strain.after_break(fatigue, rest.end_s - rest.start_s)
                    end = rest.end_s
            expected = strain.after_rest(fatigue, start - end)
            assert following.contact.fatigue_before == pytest.approx(expected)

    def test_a_shift_of_abuse_tires_more(self):
        """On the same callers, a shift where all abuse ends with more tired agents."""
        calm = busy_store(customers=CustomerMix(abusive=0.0))
        rough = busy_store(customers=CustomerMix(abusive=1.0), behaviour=Behaviour(end_abusive=0.0))
        assert rough.run().summary().fatigue_end > calm.run().summary().fatigue_end

    def test_breaks_refresh(self):
        """The same day with breaks ends with less tired agents than without."""
        base = busy_store(arrivals=[60.0] * 6)
        rested = attrs.evolve(base, breaks=Breaks(every_s=3600.0, length_s=900.0))
        assert rested.run().summary().fatigue_end < base.run().summary().fatigue_end

    def test_fatigue_lowers_empathy(self):
        """A tired agent shows less empathy than a fresh one."""
        strain = Strain()
        assert strain.empathy(0.9, 0.8) < strain.empathy(0.9, 0.0) == 0.9


class TestCompare:
    """compare runs two shifts on common random numbers and gives intervals."""

    def test_one_more_agent(self):
        """One more agent cuts the waiting, significantly, on the same callers."""
        base = busy_store(agents=TEAM[:5], arrivals=[40.0] * 4)
        more = attrs.evolve(base, agents=TEAM[:6], name="one more agent")
        comparison = compare(base, more, runs=4)
        asa = comparison["asa_s"]
        assert asa.change < 0
        assert asa.high < 0
        assert asa.significant
        assert comparison.seeds == (11, 12, 13, 14)
        assert len(comparison.differences) == len(ShiftSummary.metrics())

    def test_identical_shifts_change_nothing(self):
        """A shift compared with itself changes nothing, with an interval of zero width."""
        base = busy_store()
        comparison = compare(base, base, runs=2, seed=5)
        for difference in comparison.differences:
            if math.isnan(difference.change):
                continue
            assert difference.change == 0.0
            assert difference.low == difference.high == 0.0
            assert not difference.significant

    def test_stricter_policy(self):
        """Agents who never bend bend nothing, and late refunds leave customers less happy."""
        base = busy_store(agents=TEAM[:6], arrivals=[40.0, 40.0])
        strict = attrs.evolve(base, behaviour=Behaviour(bend=0.0, escalate=0.0))
        comparison = compare(base, strict, runs=2)
        assert comparison["bends"].a > 0
        assert comparison["bends"].b == 0.0

        def late(shift):
            contacts = shift.run().contacts
            return statistics.fmean(
                c.score.customer.value for c in contacts if c.caller.request == "late refund"
            )

        assert late(strict) < late(base)

    def test_by_interval(self):
        """The comparison interval by interval has one difference per interval."""
        base = busy_store()
        comparison = compare(base, attrs.evolve(base, agents=TEAM[:6]), runs=2)
        per = comparison.by_interval("customer")
        assert len(per) == len(base.arrivals)
        assert [d.metric for d in per] == ["customer[0]", "customer[1]"]
        frame = comparison.to_frame()
        assert set(frame.columns) == {"a", "b", "change", "low", "high", "significant"}
        assert "<table" in comparison._repr_html_()
        assert (
            repr(comparison)
            == "<Comparison 'shift' (a) against 'shift' (b): 2 runs on seeds 11-12>"
        )
        ax = comparison.plot("customer")
        assert len(ax.lines) == 2
        assert ax.get_ylabel() == "customer"

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"runs": 1}, "compare.runs"),
            ({"runs": 2.0}, "compare.runs"),
            ({"seed": "1"}, "compare.seed"),
            ({"confidence": 1.0}, "compare.confidence"),
            ({"a": "shift"}, "compare.a"),
        ],
    )
    def test_bad_arguments(self, kwargs, field):
        """Bad arguments are refused, naming them."""
        base = Shift(agents=TEAM[:1], arrivals=[1.0])
        arguments = {"a": base, "b": base} | kwargs
        a, b = arguments.pop("a"), arguments.pop("b")
        with pytest.raises(ValidationError) as info:
            compare(a, b, **arguments)
        assert info.value.field == field

    def test_bad_metric(self):
        """An unknown figure is refused, listing the known ones."""
        base = Shift(agents=TEAM[:1], arrivals=[2.0])
        comparison = compare(base, base, runs=2)
        with pytest.raises(ValidationError, match="service_level"):
            comparison["satisfaction"]
        with pytest.raises(ValidationError, match="by_interval"):
            comparison.by_interval("bends")

    @pytest.mark.parametrize("df", [1, 2, 4, 9, 30, 200])
    @pytest.mark.parametrize("p", [0.9, 0.975, 0.995])
    def test_t_quantile(self, df, p):
        """The t quantile agrees with scipy's."""
        assert t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-9)


class TestResults:
    """The result shows as frames, HTML and a plot."""

    def test_frames(self):
        """Intervals, agents and contacts come as DataFrames with the legs spread out."""
        result = busy_store().run()
        intervals = result.to_frame()
        assert list(intervals.index) == [0, 1]
        assert {"customer_mean", "company_low", "agent_at_risk", "bends"} <= set(intervals.columns)
        agents = result.to_frame(by="agent")
        assert list(agents.index) == [a.id for a in TEAM[:4]]
        assert {"agent_mean", "fatigue_end", "rest_breaks"} <= set(agents.columns)
        contacts = result.to_frame(by="contact")
        assert len(contacts) == len(result.calls)
        assert contacts["customer"].isna().sum() == sum(c.abandoned for c in result.calls)
        with pytest.raises(ValidationError, match=r"to_frame\.by"):
            result.to_frame(by="day")

    def test_html_and_plot(self):
        """The HTML table has a row per interval; the plot has three panels."""
        result = busy_store().run()
        page = result._repr_html_()
        assert page.partition("<tbody>")[2].count("<tr>") == len(result.intervals)
        figure = result.plot()
        assert len(figure.axes) == 5  # three panels, two with a second y axis
        assert repr(result).startswith("<ShiftResult 'shift':")

    def test_summary_agrees_with_intervals(self):
        """The day's totals are the sums of its intervals'."""
        result = busy_store().run()
        summary, stats = result.summary(), result.intervals
        assert summary.bends == sum(s.bends for s in stats)
        assert summary.escalated == sum(s.escalated for s in stats)
        assert summary.answered == sum(s.answered for s in stats)

    def test_bad_target(self):
        """A negative service-level target is refused."""
        result = Shift(agents=TEAM, arrivals=[10], seed=1).run()
        with pytest.raises(ValidationError, match=r"interval_stats\.t_s"):
            result.interval_stats(-1)


class TestValidation:
    """Bad shifts and parts are refused, naming the field."""

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"agents": []}, "Shift.agents"),
            ({"agents": ["rep-1"]}, "Shift.agents[0]"),
            ({"agents": [Agent(id="a"), Agent(id="a")]}, "Shift.agents[1].id"),
            ({"arrivals": []}, "Shift.arrivals"),
            ({"arrivals": [10, -1]}, "Shift.arrivals[1]"),
            ({"arrivals": [math.nan]}, "Shift.arrivals[0]"),
            ({"aht_s": 0}, "Shift.aht_s"),
            ({"interval_s": math.inf}, "Shift.interval_s"),
            ({"patience_s": -5}, "Shift.patience_s"),
            ({"patience_s": math.inf}, "Shift.patience_s"),
            ({"seed": 1.5}, "Shift.seed"),
            ({"date": "June 3rd"}, "Shift.date"),
            ({"company": "Acme"}, "Shift.company"),
            ({"breaks": 900}, "Shift.breaks"),
            ({"play": 1}, "Shift.play"),
            ({"name": ""}, "Shift.name"),
            ({"ledger": ["entry"]}, "Shift.ledger[0]"),
            (
                {"customers": CustomerMix(requests=REQUESTS[:1])},
                "Shift.company.policies",
            ),
            (
                {
                    "company": STORE,
                    "customers": CustomerMix(
                        requests=[Request(name="odd", share=0.1, context={"action": "refund"})]
                    ),
                },
                "Shift.customers.requests[0].context",
            ),
        ],
    )
    def test_bad_fields(self, kwargs, field):
        """Each bad field raises a ValidationError naming it."""
        with pytest.raises(ValidationError) as info:
            Shift(**({"agents": TEAM, "arrivals": [10]} | kwargs))
        assert info.value.field == field

    def test_a_date_object(self):
        """A datetime.date is read as its ISO string."""
        shift = Shift(agents=TEAM[:1], arrivals=[1], date=dt.date(2024, 6, 4))
        assert shift.date == "2024-06-04"

    @pytest.mark.parametrize(
        ("cls", "kwargs", "field"),
        [
            (CustomerMix, {"abusive": 1.5}, "CustomerMix.abusive"),
            (CustomerMix, {"abuse_severity": 0.0}, "CustomerMix.abuse_severity"),
            (CustomerMix, {"prior_bad_experiences": 50.0}, "CustomerMix.prior_bad_experiences"),
            (
                CustomerMix,
                {"very_satisfied": 0, "satisfied": 0, "dissatisfied": 0, "very_dissatisfied": 0},
                "CustomerMix.satisfied",
            ),
            (CustomerMix, {"requests": [REQUESTS[1]] * 2}, "CustomerMix.requests[1].name"),
            (CustomerMix, {"requests": REQUESTS * 2}, "CustomerMix.requests[4].name"),
            (
                CustomerMix,
                {"requests": [attrs.evolve(r, share=0.5) for r in REQUESTS]},
                "CustomerMix.requests",
            ),
            (CustomerMix, {"requests": ["refund"]}, "CustomerMix.requests[0]"),
            (Request, {"name": "x", "context": ["a"]}, "Request.context"),
            (Request, {"name": "x", "context": {1: 2}}, "Request.context"),
            (Request, {"name": "", "context": {}}, "Request.name"),
            (Request, {"name": "x", "context": {}, "justification": ""}, "Request.justification"),
            (Behaviour, {"bend": -0.1}, "Behaviour.bend"),
            (Behaviour, {"escalation_s": math.nan}, "Behaviour.escalation_s"),
            (Strain, {"recovery_s": 0.0}, "Strain.recovery_s"),
            (Strain, {"buffer": 2.0}, "Strain.buffer"),
            (Breaks, {"every_s": -1.0}, "Breaks.every_s"),
        ],
    )
    def test_bad_parts(self, cls, kwargs, field):
        """Each bad part field raises a ValidationError naming it."""
        with pytest.raises(ValidationError) as info:
            cls(**kwargs)
        assert info.value.field == field

    def test_hashable_and_equal_by_value(self):
        """Equal shifts are equal and hash alike, requests' contexts included."""
        assert busy_store() == busy_store()
        assert hash(busy_store()) == hash(busy_store())
        assert busy_store() != busy_store(seed=12)

    def test_exported(self):
        """Shift and load_shift are stool's own names."""
        assert stool.Shift is Shift
        assert stool.load_shift is stool.shift.load_shift


MINIMAL = """
format = "stool.shift"
version = 1
arrivals = [10, 20]

[[agent]]
id = "rep-1"
"""


class TestFiles:
    """Shifts are data: TOML and JSON read back equal, and bad files list every problem."""

    @settings(max_examples=25)
    @given(shift=shifts())
    def test_round_trip(self, shift):
        """to_toml and to_json read back to an equal shift."""
        assert Shift.from_toml(shift.to_toml()) == shift
        assert Shift.from_json(shift.to_json()) == shift

    def test_round_trip_everything(self):
        """A custom book, a custom model, a ledger, breaks and infinite patience survive."""
        model = StoolModel()
        heavy = attrs.evolve(model, company=attrs.evolve(model.company, queue_weight=0.5))
        book = attrs.evolve(RETURNS, description="Our own returns book.")
        entry = LedgerEntry(
            book="returns",
            rule="refund-window",
            actor="rep-1",
            when="2024-06-03",
            deviation=2.0,
            unit="days",
        )
        shift = busy_store(
            model=heavy,
            company=attrs.evolve(STORE, policies=book),
            ledger=(entry,),
            breaks=Breaks(every_s=3600.0, length_s=600.0),
            name="Tuesday",
        )
        assert Shift.from_toml(shift.to_toml()) == shift
        assert Shift.from_json(shift.to_json()) == shift
        queue_only = attrs.evolve(shift, play=False, patience_s=math.inf)
        assert Shift.from_toml(queue_only.to_toml()) == queue_only
        assert Shift.from_json(queue_only.to_json()) == queue_only
        assert '"patience_s": "inf"' in queue_only.to_json()

    def test_minimal(self):
        """A file with only the agents and the arrivals is a whole shift, defaults elsewhere."""
        shift = Shift.from_toml(MINIMAL)
        assert shift == Shift(agents=[Agent(id="rep-1")], arrivals=[10, 20])

    def test_files_relative_to_the_shift(self, tmp_path):
        """Policy and model files named in a shift file are read from its folder."""
        (tmp_path / "books").mkdir()
        (tmp_path / "books" / "returns.toml").write_text(RETURNS.to_toml(), encoding="utf-8")
        model = attrs.evolve(
            StoolModel(), company=attrs.evolve(StoolModel().company, queue_weight=0.2)
        )
        save_model(model, tmp_path / "model.toml")
        text = MINIMAL.replace("arrivals", 'model = "model.toml"\narrivals')
        text += '\n[company]\nname = "Home & Bath"\npolicies = "books/returns.toml"\n'
        path = tmp_path / "tuesday.toml"
        path.write_text(text, encoding="utf-8")
        shift = stool.load_shift(path)
        assert shift.company.policies == RETURNS
        assert shift.model == model
        stool.shift.save_shift(shift, tmp_path / "copy.json")
        assert stool.load_shift(tmp_path / "copy.json") == shift

    def test_every_problem_at_once(self):
        """Misspelt keys, bad values and missing parts are all listed, each with its key."""
        text = """
format = "stool.shift"
version = 1
arrivals = [10, -2]
aht = 300
patience_s = 0

[[agent]]
id = "rep-1"
fatigue = 1.5

[[agent]]
tenure_months = 3

[behaviour]
bend = 2
extra_mile_rate = 0.1

[customers]
abusive = 0.1
bend = 0.4

[[customers.request]]
name = "refund"
share = 0.1
context = { action = "refund" }

[company]
policies = "nonsense"
"""
        with pytest.raises(stool.shift.ShiftFileError) as info:
            Shift.from_toml(text)
        found = {problem.field: problem.allowed for problem in info.value.problems}
        assert "did you mean 'aht_s'" in found["aht"]
        assert "arrivals[1]" in found
        assert "patience_s" in found
        assert "agent[0].fatigue" in found
        assert "agent[1].id" in found
        assert "behaviour.bend" in found
        assert "did you mean 'behaviour.extra_mile" in found["behaviour.extra_mile_rate"]
        assert "it belongs in [behaviour]" in found["customers.bend"]
        assert "company.name" in found
        assert "example book" in found["company.policies"]
        assert len(info.value.problems) == 10
        assert str(info.value).startswith("10 problems in the shift file <string>:")
        assert isinstance(info.value, ValidationError)

    def test_request_the_book_cannot_judge(self):
        """A request whose context the book cannot judge is named by its table."""
        text = (
            MINIMAL
            + """
[company]
name = "Home & Bath"
policies = "returns"

[customers]
[[customers.request]]
name = "odd"
share = 0.1
context = { action = "refund" }
"""
        )
        with pytest.raises(stool.shift.ShiftFileError) as info:
            Shift.from_toml(text)
        assert info.value.field == "customers.request[0].context"

    def test_an_inline_book_with_problems(self):
        """Every problem of an inline book is listed under company.policies."""
        text = (
            MINIMAL
            + """
[company]
name = "Tiny"

[company.policies]
name = "tiny"

[[company.policies.rule]]
id = "window"
kind = "limit"
quantity = "days +"
max = 30
"""
        )
        with pytest.raises(stool.shift.ShiftFileError) as info:
            Shift.from_toml(text)
        assert {p.field for p in info.value.problems} == {"company.policies"}

    @pytest.mark.parametrize(
        ("text", "field"),
        [
            ('format = "stool.model"\nversion = 1\n', "format"),
            ('format = "stool.shift"\nversion = 9\n', "version"),
            ("format = ", "<string>"),
            (
                'format = "stool.shift"\nversion = 1\n[model]\n[model.customer]\nweight = 1\n',
                "model.customer.weight",
            ),
            ('format = "stool.shift"\nversion = 1\nmodel = 3\n', "model"),
            ('format = "stool.shift"\nversion = 1\nagent = 3\n', "agent"),
            ('format = "stool.shift"\nversion = 1\nledger = [{ book = "" }]\n', "ledger[0].book"),
        ],
    )
    def test_bad_files(self, text, field):
        """Bad headers, syntax and parts are refused, naming the key."""
        with pytest.raises(stool.shift.ShiftFileError) as info:
            Shift.from_toml(text)
        assert field in {problem.field for problem in info.value.problems}

    def test_bad_json(self):
        """JSON that does not parse names its line; JSON that is not an object is refused."""
        with pytest.raises(stool.shift.ShiftFileError, match="line 2"):
            Shift.from_json('{\n  "format": }')
        with pytest.raises(stool.shift.ShiftFileError, match="a table of keys"):
            Shift.from_json("[1, 2]")

    def test_bad_paths(self, tmp_path):
        """Saving needs a .toml or .json name; loading a file that is not UTF-8 is refused."""
        shift = Shift(agents=TEAM[:1], arrivals=[1.0])
        with pytest.raises(ValidationError, match=r"ending in \.toml or \.json"):
            stool.shift.save_shift(shift, tmp_path / "shift.yaml")
        with pytest.raises(ValidationError, match="a Shift"):
            stool.shift.save_shift("shift", tmp_path / "shift.toml")
        bad = tmp_path / "bad.toml"
        bad.write_bytes(b"\xff\xfe")
        with pytest.raises(stool.shift.ShiftFileError, match="UTF-8"):
            stool.load_shift(bad)
        with pytest.raises(ValidationError, match="a path"):
            stool.load_shift(3)
        with pytest.raises(ValidationError, match=r"to read a file use stool\.load_shift"):
            Shift.from_toml(bad)

    def test_never_code(self):
        """Text that looks like code in a shift file stays text."""
        text = MINIMAL.replace('id = "rep-1"', "id = \"__import__('os').system('exit 3')\"")
        shift = Shift.from_toml(text)
        assert shift.agents[0].id.startswith("__import__")
