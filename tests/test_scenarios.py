"""Tests for stool.scenarios: each canned role-play shows its documented outcome."""

from __future__ import annotations

import inspect
import json

import attrs
import pytest

from stool import Authority, Channel, CustomerType, Leg, Verdict, events, structure, unstructure
from stool import scenarios as canned
from stool.policy import PolicyBook, run_tests
from stool.scenario import Propose, Scenario, advise

SCENARIOS = {
    "gym_cancellation": canned.gym_cancellation,
    "furniture_delivery": canned.furniture_delivery,
    "hygiene_return": canned.hygiene_return,
    "warranty_bad_news": canned.warranty_bad_news,
    "abusive_caller": canned.abusive_caller,
    "extra_mile_gamer": canned.extra_mile_gamer,
    "wrong_address_email(honest=True)": lambda: canned.wrong_address_email(honest=True),
    "wrong_address_email(honest=False)": lambda: canned.wrong_address_email(honest=False),
}
ALL = list(SCENARIOS.values())
IDS = list(SCENARIOS)


def proposals(timeline):
    """The steps of a timeline that proposed an action."""
    return [step for step in timeline if isinstance(step.move, Propose)]


def grant_kinds(advice):
    """The advice entries that grant the request (bend, escalate or break)."""
    return [a for a in advice if a.option.kind in {"bend", "escalate", "break"}]


class TestModule:
    """The module offers exactly the canned scenarios of the contract."""

    def test_names(self):
        """`__all__` lists the seven scenarios, the console support policy and the files."""
        assert sorted(canned.__all__) == sorted(
            [
                "CONSOLE_SUPPORT_POLICY",
                "FILES",
                "abusive_caller",
                "extra_mile_gamer",
                "furniture_delivery",
                "gym_cancellation",
                "hygiene_return",
                "warranty_bad_news",
                "wrong_address_email",
            ]
        )

    @pytest.mark.parametrize("make", ALL, ids=IDS)
    def test_each_is_a_titled_scenario_built_afresh(self, make):
        """Each call returns an equal, titled Scenario that runs."""
        scenario = make()
        assert isinstance(scenario, Scenario)
        assert scenario.title
        assert scenario == make()
        assert len(scenario.run()) == len(scenario.moves) > 0

    @pytest.mark.parametrize("name", [n for n in canned.__all__ if n.islower()])
    def test_docstrings_tell_story_and_outcome(self, name):
        """Each docstring tells its story, naming the source story's writer, and its outcome."""
        doc = inspect.getdoc(getattr(canned, name))
        assert doc is not None
        writers = ("email associate", "supervisor", "trainer", "junior rep", "veteran rep", "reps")
        assert any(writer in doc.splitlines()[0] for writer in writers)
        assert "The story" in doc
        assert "Documented outcome" in doc

    @pytest.mark.parametrize("make", ALL, ids=IDS)
    def test_each_opens_with_the_request_open(self, make):
        """Every scenario starts with nothing fulfilled and no time spent."""
        start = make().initial
        assert (start.fulfilment, start.handle_time_s, start.explanation_clarity) == (0.0, 0.0, 0.0)

    @pytest.mark.parametrize("make", ALL, ids=IDS)
    def test_round_trips(self, make):
        """Each canned scenario survives unstructure, JSON and structure."""
        scenario = make()
        data = json.loads(json.dumps(unstructure(scenario)))
        assert structure(data, Scenario) == scenario

    @pytest.mark.parametrize("make", ALL, ids=IDS)
    def test_advice_never_puts_a_break_first(self, make):
        """On every canned scenario, at every move, no break ranks above a non-break."""
        scenario = make()
        for at in range(len(scenario.moves) + 1):
            advice = advise(scenario.branch(at=at))
            broken = [a.broken for a in advice]
            assert broken == sorted(broken)


class TestGymCancellation:
    """A caller braced for a fight, and a quick yes."""

    def test_documented_outcome(self):
        """The cancellation is compliant and the braced customer ends satisfied."""
        scenario = canned.gym_cancellation()
        timeline = scenario.run()
        (cancel,) = proposals(timeline)
        assert cancel.decision.verdict is Verdict.COMPLIANT
        assert Leg.CUSTOMER in timeline.start_score.at_risk
        assert timeline.final.customer_type is CustomerType.SATISFIED
        assert timeline.final.at_risk == frozenset()
        assert timeline.interaction.handle_time_s < scenario.company.aht_target_s
        assert scenario.customer.expectations < 0.5
        assert scenario.company.policies.name == "gym_cancellation"

    def test_the_first_gym_breaks_the_rules(self):
        """The first gym's hour of handoffs and offers is a break, putting two legs at risk."""
        scenario = canned.gym_cancellation()
        hour = attrs.evolve(
            scenario.request,
            context={**scenario.request.context, "handoffs": 3, "retention_offers": 3},
            by=Authority.MANAGER,
        )
        first_gym = scenario.branch(
            at=2, moves=[events.Transfer(), events.Hold(seconds=900), events.Transfer(), hour]
        ).run()
        assert proposals(first_gym)[0].decision.verdict is Verdict.BROKEN
        assert {Leg.COMPANY, Leg.AGENT} <= first_gym.final.at_risk


class TestFurnitureDelivery:
    """A four-hour window, explained and not bent."""

    def test_documented_outcome(self):
        """Keeping the window is compliant; the customer is dissatisfied, not at risk."""
        timeline = canned.furniture_delivery().run()
        (keep,) = proposals(timeline)
        assert keep.decision.verdict is Verdict.COMPLIANT
        assert (timeline.interaction.bends, timeline.interaction.breaks) == (0, 0)
        assert timeline.final.customer_type is CustomerType.DISSATISFIED
        assert Leg.CUSTOMER not in timeline.final.at_risk
        assert timeline.final.at_risk == frozenset()

    def test_shouting_costs_the_agent(self):
        """The shouting lowers the agent leg, which still holds."""
        timeline = canned.furniture_delivery().run()
        before, after = timeline[0].score.agent, timeline[1].score.agent
        assert isinstance(timeline[1].move, events.CustomerAbuse)
        assert after.value < before.value
        assert not timeline.final.agent.at_risk

    def test_explanation_lifts_the_customer_out_of_risk(self):
        """Before the explanation the customer leg is at risk; after it, it is not."""
        timeline = canned.furniture_delivery().run()
        explained = next(
            i for i, s in enumerate(timeline) if isinstance(s.move, events.ExplainPolicy)
        )
        assert timeline[explained - 1].score.customer.at_risk
        assert not timeline[explained].score.customer.at_risk

    def test_an_exact_slot_is_broken_for_everyone(self):
        """Promising a slot on a loaded truck is BROKEN for every authority."""
        scenario = canned.furniture_delivery()
        for authority in Authority:
            decision = scenario.company.policies.evaluate(
                dict(scenario.request.context), by=authority
            )
            assert decision.verdict is Verdict.BROKEN
            assert decision.requires is None
        advice = advise(scenario.branch(at=4))
        assert advice[0].option.kind in {"refuse", "extra_mile"}
        assert all(a.broken for a in grant_kinds(advice))


class TestHygieneReturn:
    """A non-refundable hygiene item, refused kindly."""

    def test_documented_outcome(self):
        """Nothing is decided or bent; the customer is dissatisfied and no leg is at risk."""
        timeline = canned.hygiene_return().run()
        assert timeline.decisions == ()
        assert (timeline.interaction.bends, timeline.interaction.breaks) == (0, 0)
        assert timeline.final.customer_type is CustomerType.DISSATISFIED
        assert timeline.final.at_risk == frozenset()

    def test_the_refund_is_never_advised(self):
        """The refund breaks a hard rule for everyone, so the refusals rank first."""
        scenario = canned.hygiene_return()
        for authority in Authority:
            decision = scenario.company.policies.evaluate(
                dict(scenario.request.context), by=authority
            )
            assert decision.finding("hygiene-final-sale").verdict is Verdict.BROKEN
        advice = advise(scenario.branch(at=2))
        assert advice[0].option.kind in {"refuse", "extra_mile"}
        assert not advice[0].broken
        grants = grant_kinds(advice)
        assert len(grants) == 3
        assert all(a.broken for a in grants)


class TestWarrantyBadNews:
    """Not covered, and told with empathy."""

    def test_documented_outcome(self):
        """The customer is dissatisfied but not at risk; no leg is."""
        timeline = canned.warranty_bad_news().run()
        assert timeline.final.customer_type is CustomerType.DISSATISFIED
        assert timeline.final.at_risk == frozenset()

    def test_curt_delivery_costs_the_customer(self):
        """The same news delivered curtly leaves the customer very dissatisfied and at risk."""
        scenario = canned.warranty_bad_news()
        kind = scenario.run().final
        curt = scenario.branch(
            at=3, moves=[events.AgentUnprofessional(), events.BadNews(), events.EndCall()]
        ).run()
        assert curt.final.customer_type is CustomerType.VERY_DISSATISFIED
        assert curt.final.customer.at_risk
        assert kind.customer.value - curt.final.customer.value > 0.1

    def test_the_repair_is_not_covered(self):
        """Accidental damage is not covered by anyone."""
        scenario = canned.warranty_bad_news()
        decision = scenario.company.policies.evaluate(
            dict(scenario.request.context), by=Authority.MANAGER
        )
        assert decision.finding("no-accidental-damage").verdict is Verdict.BROKEN


class TestAbusiveCaller:
    """Insults; the agent stays calm, then ends the call."""

    def test_documented_outcome(self):
        """Conduct is kept, the customer is dissatisfied, and the agent leg ends at risk."""
        scenario = canned.abusive_caller()
        timeline = scenario.run()
        (warn,) = proposals(timeline)
        assert warn.decision.verdict is Verdict.COMPLIANT
        assert (timeline.interaction.bends, timeline.interaction.breaks) == (0, 0)
        assert timeline.final.customer_type is CustomerType.DISSATISFIED
        assert timeline.final.at_risk == frozenset({Leg.AGENT})
        assert timeline.interaction.ended_by_agent
        assert timeline[-1].move == events.EndCall(by_agent=True)

    def test_insults_put_the_agent_at_risk(self):
        """The agent leg holds through the shouting and falls into risk at the insults."""
        timeline = canned.abusive_caller().run()
        insults = next(
            i
            for i, step in enumerate(timeline)
            if isinstance(step.move, events.CustomerAbuse) and step.move.severity == 1.0
        )
        assert not timeline[insults - 1].score.agent.at_risk
        assert timeline[insults].score.agent.at_risk

    def test_advice_is_to_let_go(self):
        """After the insults nothing keeps the stool standing: escalate and let go."""
        scenario = canned.abusive_caller()
        advice = advise(scenario.branch(at=5))
        assert advice[0].option.kind == "let_go"
        assert not any(a.standing for a in advice)


class TestExtraMileGamer:
    """A rep recommends what he technically should not, within a bend."""

    def test_documented_outcome(self):
        """The off-script fix is a bend; the gamer ends very satisfied and nothing is at risk."""
        timeline = canned.extra_mile_gamer().run()
        (tip,) = proposals(timeline)
        assert tip.decision.verdict is Verdict.BENT
        assert tip.decision.by is Authority.AGENT
        assert timeline.final.customer_type is CustomerType.VERY_SATISFIED
        assert timeline.final.at_risk == frozenset()
        assert timeline.interaction.thanked
        assert timeline.interaction.csat == 5

    def test_without_justification_it_is_broken(self):
        """The same step without a justification is not a bend but a break."""
        scenario = canned.extra_mile_gamer()
        tip_at = next(i for i, m in enumerate(scenario.moves) if isinstance(m, Propose))
        bare = attrs.evolve(scenario.moves[tip_at], justification=None)
        timeline = scenario.branch(at=tip_at, moves=[bare]).run()
        assert timeline[-1].decision.verdict is Verdict.BROKEN
        assert Leg.COMPANY in timeline.final.at_risk

    def test_the_policy_passes_its_own_tests(self):
        """The console support book is valid TOML whose test cases all pass."""
        book = PolicyBook.from_toml(canned.CONSOLE_SUPPORT_POLICY)
        assert book == canned.extra_mile_gamer().company.policies
        report = run_tests(book)
        assert report.failed == ()


class TestWrongAddressEmail:
    """Owning up is fine; covering up with a lie is a break."""

    def test_honest_outcome(self):
        """Owning up is compliant and no leg is at risk."""
        scenario = canned.wrong_address_email(honest=True)
        timeline = scenario.run()
        (reply,) = proposals(timeline)
        assert reply.decision.verdict is Verdict.COMPLIANT
        assert timeline.final.at_risk == frozenset()
        assert scenario.channel is Channel.EMAIL

    def test_lie_is_broken(self):
        """The lie is BROKEN under the code of conduct, which no one may approve."""
        timeline = canned.wrong_address_email(honest=False).run()
        (reply,) = proposals(timeline)
        decision = reply.decision
        assert decision.verdict is Verdict.BROKEN
        assert decision.book == "conduct"
        assert decision.finding("never-deceive").verdict is Verdict.BROKEN
        assert decision.requires is None
        assert {Leg.COMPANY, Leg.AGENT} <= timeline.final.at_risk

    def test_the_lie_buys_the_customer_nothing(self):
        """The customer leg after the lie is no higher than after owning up."""
        honest = canned.wrong_address_email(honest=True).run().final
        lie = canned.wrong_address_email(honest=False).run().final
        assert lie.customer.value <= honest.customer.value
        assert lie.company.value < honest.company.value
        assert lie.agent.value < honest.agent.value

    def test_positional_argument(self):
        """`honest` may be passed positionally, as the contract writes it."""
        assert canned.wrong_address_email(True) == canned.wrong_address_email(honest=True)
