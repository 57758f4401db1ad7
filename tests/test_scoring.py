"""Tests for stool.scoring: the stool score, its flags, reasons and explanation."""

from __future__ import annotations

import base64
import inspect
import json
import math
import pickle
import pickletools
import typing
from collections.abc import Mapping

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import stool
from stool import CustomerType, Interaction, Leg, LegStatus, classify, events
from stool.models import AgentModel, CompanyModel, CustomerModel, StoolModel, Thresholds
from stool.scoring import (
    ABUSE_CAP,
    BREAK_CAP,
    CAP_PREFIX,
    LegScore,
    StoolScore,
    score,
    score_timeline,
)
from stool.strategies import events as event_strategy
from stool.strategies import interactions, stool_models

DEFAULT = StoolModel()
LEGS = ("customer", "company", "agent")

# The stories' interactions, built as a developer would.
HEALTHY = Interaction(
    fulfilment=1.0,
    professionalism=1.0,
    empathy=1.0,
    explanation_clarity=1.0,
    handle_time_s=300.0,
    aht_target_s=360.0,
    customer_abuse=0.0,
    bends=0,
    breaks=0,
)
BAD_NEWS_KIND = Interaction(
    fulfilment=0.0, professionalism=1.0, empathy=1.0, explanation_clarity=1.0
)
BAD_NEWS_CURT = Interaction(
    fulfilment=0.0, professionalism=0.2, empathy=0.1, explanation_clarity=0.1
)


def _known(value, instead):
    """The drawn value, or `instead` where the strategy drew None (not observed)."""
    return instead if value is None else value


def values(result: StoolScore) -> tuple[float, float, float]:
    return (result.customer.value, result.company.value, result.agent.value)


class TestScoreBasics:
    def test_default_model_when_none(self):
        """Scoring without a model uses the default StoolModel."""
        assert score(HEALTHY) == score(HEALTHY, StoolModel())
        assert score(HEALTHY, None) == score(HEALTHY, DEFAULT)

    @pytest.mark.parametrize("bad", [None, {"fulfilment": 1.0}, 3, "Interaction()"])
    def test_rejects_what_is_not_an_interaction(self, bad):
        """Anything but an Interaction raises ValidationError naming the argument."""
        with pytest.raises(stool.ValidationError, match=r"score\.interaction"):
            score(bad)

    @pytest.mark.parametrize("bad", [CustomerModel(), {}, 1.0, "default"])
    def test_rejects_what_is_not_a_model(self, bad):
        """Anything but a StoolModel or None raises ValidationError naming the model."""
        with pytest.raises(stool.ValidationError, match=r"score\.model"):
            score(HEALTHY, bad)

    def test_importable_from_stool(self):
        """The public names load lazily from the top-level package."""
        assert stool.score is score
        assert stool.LegScore is LegScore
        assert stool.StoolScore is StoolScore
        assert stool.score_timeline is score_timeline

    def test_contributions_name_the_factors_in_order(self):
        """Each leg's contributions list its model's factors, in order."""
        result = score(HEALTHY)
        assert tuple(result.customer.contributions) == CustomerModel.FACTORS
        assert tuple(result.company.contributions) == CompanyModel.FACTORS
        assert tuple(result.agent.contributions) == AgentModel.FACTORS

    def test_contribution_is_weight_share_times_satisfaction(self):
        """A fully satisfied factor contributes exactly its share of the weights."""
        result = score(HEALTHY)
        weights = DEFAULT.customer.weights
        total = sum(weights.values())
        assert result.customer.contributions["fulfilment"] == pytest.approx(
            weights["fulfilment"] / total
        )
        assert result.customer.contributions["extra_mile"] == 0.0

    def test_cap_entry_holds_what_the_cap_took(self):
        """A break adds a cap entry holding the capped value minus the uncapped one."""
        broke = score(attrs.evolve(HEALTHY, breaks=1)).company
        factors = sum(v for k, v in broke.contributions.items() if not k.startswith(CAP_PREFIX))
        assert broke.value == DEFAULT.company.break_cap
        assert broke.caps == {BREAK_CAP: pytest.approx(broke.value - factors)}
        assert broke.caps[BREAK_CAP] < 0

    def test_severe_abuse_and_break_caps_both_listed_when_both_bite(self):
        """With two caps that both lower the agent leg, each gets its own entry."""
        model = attrs.evolve(DEFAULT, agent=attrs.evolve(DEFAULT.agent, break_cap=0.3))
        agent = score(attrs.evolve(HEALTHY, customer_abuse=0.9, breaks=1), model).agent
        assert set(agent.caps) == {ABUSE_CAP, BREAK_CAP}
        assert agent.value == 0.3
        assert math.isclose(sum(agent.contributions.values()), agent.value, abs_tol=1e-12)

    def test_predicted_csat_mapping(self):
        """The predicted CSAT and p_low come from the model's calibration of the customer leg."""
        result = score(BAD_NEWS_KIND)
        calibration = DEFAULT.calibration
        assert result.predicted_csat == calibration.predicted_csat(result.customer.value)
        assert result.p_low == calibration.p_low(result.customer.value)

    def test_leg_accessor(self):
        """`leg(Leg.X)` returns the matching leg score."""
        result = score(BAD_NEWS_CURT)
        assert result.leg(Leg.CUSTOMER) is result.customer
        assert result.leg(Leg.COMPANY) is result.company
        assert result.leg(Leg.AGENT) is result.agent
        with pytest.raises(stool.ValidationError):
            result.leg("customer")  # type: ignore[arg-type]

    def test_weakest_is_the_lowest_leg(self):
        """`weakest` names the leg with the lowest value."""
        assert score(BAD_NEWS_CURT).weakest is Leg.CUSTOMER
        assert score(attrs.evolve(HEALTHY, customer_abuse=1.0)).weakest is Leg.AGENT

    def test_collapsed_below_collapse_level(self):
        """A leg below its collapse level collapses the stool, and the explanation says so."""
        wrecked = attrs.evolve(BAD_NEWS_CURT, empathy=0.0, explanation_clarity=0.0, transfers=5)
        result = score(wrecked)
        assert result.customer.value < DEFAULT.thresholds.collapse
        assert result.collapsed
        assert result.explain().startswith("The stool collapses: the customer leg gave way.")

    def test_thresholds_per_leg(self):
        """A leg's own at-risk level overrides the shared one for that leg only."""
        strict = StoolModel(thresholds=Thresholds(company_at_risk=0.999))
        result = score(HEALTHY, strict)
        assert result.at_risk == frozenset({Leg.COMPANY})


class TestStoryBehaviour:
    """The eight behaviours the source stories demand."""

    @given(interactions())
    def test_1_taxonomy_through_customer_type(self, interaction):
        """The customer type is the seed taxonomy, exactly as `classify` gives it."""
        assert score(interaction).customer_type is classify(interaction)

    @pytest.mark.parametrize(
        ("fulfilment", "extra_mile", "professionalism", "expected"),
        [
            (1.0, True, 1.0, CustomerType.VERY_SATISFIED),
            (1.0, True, 0.1, CustomerType.VERY_SATISFIED),
            (1.0, False, 1.0, CustomerType.SATISFIED),
            (1.0, False, 0.1, CustomerType.SATISFIED),
            (0.0, False, 0.1, CustomerType.VERY_DISSATISFIED),
            (0.0, True, 0.1, CustomerType.VERY_DISSATISFIED),
            (0.0, False, 1.0, CustomerType.DISSATISFIED),
            (0.0, True, 1.0, CustomerType.DISSATISFIED),
        ],
    )
    def test_1_taxonomy_table(self, fulfilment, extra_mile, professionalism, expected):
        """Every row of seed 000's table comes out of `score` as written."""
        interaction = Interaction(
            fulfilment=fulfilment, extra_mile=extra_mile, professionalism=professionalism
        )
        assert score(interaction).customer_type is expected

    def test_2_recovery_with_the_extra_mile(self):
        """After the same bad start, fulfilment plus the extra mile beats fulfilment alone."""
        bad_start = Interaction(prior_bad_experiences=3, expectation=0.2, fulfilment=0.0)
        fixed = attrs.evolve(bad_start, fulfilment=1.0)
        delighted = attrs.evolve(fixed, extra_mile=True)
        assert score(delighted).customer.value > score(fixed).customer.value
        assert score(delighted).customer_type is CustomerType.VERY_SATISFIED
        assert score(bad_start).customer.value < score(fixed).customer.value

    def test_2_recovery_paradox(self):
        """A full recovery from a bad start ends above the same service with no bad start."""
        service = Interaction(fulfilment=1.0, extra_mile=True)
        recovered = attrs.evolve(service, prior_bad_experiences=2)
        assert score(recovered).customer.value > score(service).customer.value
        # ... and the loyalty scar stays on the company leg (de Matos et al. 2007).
        valuable = {"customer_value": 5000.0}
        assert (
            score(attrs.evolve(recovered, **valuable)).company.contributions["retention"]
            < score(attrs.evolve(service, **valuable)).company.contributions["retention"]
        )

    def test_3_bad_news_with_care_beats_curt_bad_news(self):
        """Bad news delivered professionally and clearly scores clearly higher than curtly."""
        kind, curt = score(BAD_NEWS_KIND), score(BAD_NEWS_CURT)
        assert kind.customer.value - curt.customer.value > 0.2
        assert Leg.CUSTOMER in curt.at_risk
        assert Leg.CUSTOMER not in kind.at_risk

    def test_3_explanation_counts_only_for_bad_news(self):
        """An unexplained yes costs nothing; an unexplained no costs the explanation."""
        yes = Interaction(fulfilment=1.0)
        no = Interaction(fulfilment=0.0)
        for outcome in (yes, no):
            unexplained = attrs.evolve(outcome, explanation_clarity=0.0)
            loss = score(outcome).customer.value - score(unexplained).customer.value
            weight = DEFAULT.customer._normalised[CustomerModel.FACTORS.index("explanation")]
            assert loss == pytest.approx(0.0 if outcome is yes else weight)

    def test_4_staying_longer_to_resolve_helps_the_customer(self):
        """Staying longer to resolve fully raises the customer leg."""
        quick_partial = Interaction(fulfilment=0.5, handle_time_s=300.0)
        long_full = Interaction(fulfilment=1.0, handle_time_s=720.0)
        assert score(long_full).customer.value > score(quick_partial).customer.value

    def test_4_longer_handle_time_alone_costs_company_and_agent(self):
        """Longer handle time alone lowers the company and agent legs, not the customer's."""
        short, long = Interaction(handle_time_s=300.0), Interaction(handle_time_s=720.0)
        assert score(long).company.value < score(short).company.value
        assert score(long).agent.value < score(short).agent.value
        assert score(long).customer.value == score(short).customer.value

    def test_5_bend_versus_break(self):
        """A bend lowers the company leg less than a break; only the break flags."""
        clean = score(HEALTHY)
        bent = score(attrs.evolve(HEALTHY, bends=1))
        broken = score(attrs.evolve(HEALTHY, breaks=1))
        assert clean.company.value > bent.company.value > broken.company.value
        assert broken.at_risk == frozenset({Leg.COMPANY, Leg.AGENT})
        assert bent.at_risk == frozenset()

    def test_6_severe_abuse_flags_the_agent(self):
        """Severe abuse puts the agent leg at risk even when everything else went well."""
        abused = attrs.evolve(HEALTHY, customer_abuse=0.9, thanked=True, extra_mile=True)
        result = score(abused)
        assert result.at_risk == frozenset({Leg.AGENT})
        assert any("severe abuse" in reason for reason in result.agent.reasons)

    def test_7_under_promise_over_deliver(self):
        """Promised 6 delivered 4 beats promised 4 delivered 4, which beats 3 then 5."""

        def customer(promised, delivered):
            interaction = Interaction(promised_days=promised, delivered_days=delivered)
            return score(interaction).customer.value

        assert customer(6, 4) > customer(4, 4) > customer(3, 5)

    def test_8_healthy_interaction_has_no_flags(self):
        """A healthy interaction has no flags and no reasons."""
        result = score(HEALTHY)
        assert result.at_risk == frozenset()
        assert not result.collapsed
        assert all(not result.leg(leg).reasons for leg in Leg)
        assert result.explain().startswith("The stool holds")


class TestInvariants:
    @given(interactions())
    def test_legs_in_unit_interval(self, interaction):
        """Every leg's value is from 0 to 1."""
        for value in values(score(interaction)):
            assert 0.0 <= value <= 1.0

    @given(interactions(), st.floats(0.0, 1.0))
    def test_more_fulfilment_never_lowers_the_customer_leg(self, interaction, other):
        """Raising fulfilment, all else equal, never lowers the customer leg."""
        low, high = sorted((_known(interaction.fulfilment, other), other))
        before = score(attrs.evolve(interaction, fulfilment=low)).customer.value
        after = score(attrs.evolve(interaction, fulfilment=high)).customer.value
        assert after >= before - 1e-12

    @given(interactions(), st.floats(0.0, 1.0))
    def test_more_abuse_never_raises_the_agent_leg(self, interaction, other):
        """Raising customer abuse, all else equal, never raises the agent leg."""
        low, high = sorted((_known(interaction.customer_abuse, other), other))
        before = score(attrs.evolve(interaction, customer_abuse=low)).agent.value
        after = score(attrs.evolve(interaction, customer_abuse=high)).agent.value
        assert after <= before + 1e-12

    @given(interactions())
    def test_a_break_never_beats_a_bend(self, interaction):
        """The same deviation judged a break never scores the company above a bend."""
        bent = attrs.evolve(interaction, bends=interaction.bends + 1)
        broken = attrs.evolve(interaction, breaks=interaction.breaks + 1)
        assert score(broken).company.value <= score(bent).company.value

    @given(interactions())
    def test_contributions_reconcile(self, interaction):
        """Each leg's contributions add up to its value; only caps are negative."""
        result = score(interaction)
        for name in LEGS:
            leg = getattr(result, name)
            assert math.isclose(sum(leg.contributions.values()), leg.value, abs_tol=1e-12)
            for key, contribution in leg.contributions.items():
                if key.startswith(CAP_PREFIX):
                    assert contribution < 0
                else:
                    assert contribution >= 0

    @given(interactions())
    def test_score_is_pure_and_deterministic(self, interaction):
        """Scoring twice, or scoring an equal copy, gives equal scores and hashes."""
        copy = stool.structure(stool.unstructure(interaction), Interaction)
        first, second, third = score(interaction), score(interaction), score(copy)
        assert first == second == third
        assert hash(first) == hash(third)
        assert first.explain() == third.explain()

    @given(interactions(), st.integers(1, 5) | st.none())
    def test_csat_is_never_read(self, interaction, csat):
        """Changing the observed survey answer changes nothing in the score."""
        assert score(attrs.evolve(interaction, csat=csat)) == score(interaction)

    @given(interactions())
    def test_flags_follow_thresholds(self, interaction):
        """A leg is at risk exactly when below its at-risk level, and has reasons then."""
        result = score(interaction)
        thresholds = DEFAULT.thresholds
        for leg in Leg:
            leg_score = result.leg(leg)
            assert leg_score.at_risk == (leg_score.value < thresholds.at_risk_level(leg))
            assert bool(leg_score.reasons) == leg_score.at_risk
            assert (leg in result.at_risk) == leg_score.at_risk
        assert result.collapsed == any(
            result.leg(leg).value < thresholds.collapse_level(leg) for leg in Leg
        )

    @given(interactions())
    def test_predicted_csat_in_range(self, interaction):
        """The predicted CSAT runs from 1 to 5."""
        assert 1.0 <= score(interaction).predicted_csat <= 5.0

    @given(interactions(), st.sampled_from(LEGS), st.floats(0.01, 100.0))
    def test_scaling_a_legs_weights_changes_nothing(self, interaction, leg, factor):
        """Multiplying all of one leg's weights by the same number leaves every score."""
        leg_model = getattr(DEFAULT, leg)
        scaled = {f"{name}_weight": w * factor for name, w in leg_model.weights.items()}
        model = attrs.evolve(DEFAULT, **{leg: attrs.evolve(leg_model, **scaled)})
        before, after = values(score(interaction)), values(score(interaction, model))
        assert after == pytest.approx(before, abs=1e-12)

    @given(stool_models(), interactions(), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
    def test_invariants_hold_under_any_model(self, model, interaction, fulfilment, abuse):
        """Under any valid model the invariants hold, not only under the defaults."""
        result = score(interaction, model)
        thresholds = model.thresholds
        for leg in Leg:
            leg_score = result.leg(leg)
            assert 0.0 <= leg_score.value <= 1.0
            assert math.isclose(
                sum(leg_score.contributions.values()), leg_score.value, abs_tol=1e-12
            )
            assert leg_score.at_risk == (leg_score.value < thresholds.at_risk_level(leg))
        assert result.collapsed == any(
            result.leg(leg).value < thresholds.collapse_level(leg) for leg in Leg
        )
        low, high = sorted((_known(interaction.fulfilment, fulfilment), fulfilment))
        assert (
            score(attrs.evolve(interaction, fulfilment=high), model).customer.value
            >= score(attrs.evolve(interaction, fulfilment=low), model).customer.value - 1e-12
        )
        low, high = sorted((_known(interaction.customer_abuse, abuse), abuse))
        assert (
            score(attrs.evolve(interaction, customer_abuse=high), model).agent.value
            <= score(attrs.evolve(interaction, customer_abuse=low), model).agent.value + 1e-12
        )
        bent = attrs.evolve(interaction, bends=interaction.bends + 1)
        broken = attrs.evolve(interaction, breaks=interaction.breaks + 1)
        assert score(broken, model).company.value <= score(bent, model).company.value

    @given(interactions())
    def test_round_trip(self, interaction):
        """A score survives unstructure, JSON and structure unchanged."""
        result = score(interaction)
        data = json.loads(json.dumps(stool.unstructure(result)))
        again = stool.structure(data, StoolScore)
        assert again == result
        assert again.customer.reasons == result.customer.reasons

    @given(interactions())
    def test_reasons_name_factors_with_numbers(self, interaction):
        """Every reason ends with what it cost the leg."""
        result = score(interaction)
        for name in LEGS:
            for reason in getattr(result, name).reasons:
                assert reason.endswith(")")
                assert "(-" in reason


class TestReasonsAndExplanation:
    def test_handle_time_reason_quotes_the_numbers(self):
        """The handle-time reason says how far over the target the contact ran."""
        long = attrs.evolve(HEALTHY, handle_time_s=540.0, breaks=1)
        reasons = score(long).company.reasons
        assert any("handle time 540 s is 1.5x the 360 s target" in r for r in reasons)

    def test_curt_bad_news_reasons(self):
        """Curt bad news names the unfulfilled request and the missing explanation."""
        reasons = score(BAD_NEWS_CURT).customer.reasons
        assert reasons[0].startswith("the request was not fulfilled")
        assert any("not told why" in reason for reason in reasons)
        assert any("professionalism 0.20" in reason for reason in reasons)

    def test_late_delivery_reason(self):
        """A late delivery says how late against the promise."""
        late = Interaction(
            promised_days=3,
            delivered_days=8,
            professionalism=0.1,
            empathy=0.0,
            explanation_clarity=0.0,
            fulfilment=0.5,
        )
        reasons = score(late).customer.reasons
        assert any("delivered in 8 days against 3 promised (5 days late)" in r for r in reasons)

    def test_break_reasons_lead_with_the_cap(self):
        """A break's first reason is the cap, on the company and on the agent leg."""
        result = score(attrs.evolve(HEALTHY, breaks=2))
        assert "2 rules broken" in result.company.reasons[0]
        assert "QA scorecard" in result.company.reasons[0]
        assert "agent's job" in result.agent.reasons[0]

    def test_explain_lists_every_leg(self):
        """The explanation has a status line and a block for each leg."""
        text = score(BAD_NEWS_CURT).explain()
        lines = text.splitlines()
        assert lines[0] == "The stool wobbles: the customer leg is at risk."
        for label in ("Customer", "Company", "Agent"):
            assert any(line.startswith(label) for line in lines)
        assert "very dissatisfied" in text
        for reason in score(BAD_NEWS_CURT).customer.reasons:
            assert f"  - {reason}" in lines

    def test_explain_names_two_legs(self):
        """When two legs are at risk, the first line names both."""
        text = score(attrs.evolve(HEALTHY, breaks=1)).explain()
        assert text.splitlines()[0] == "The stool wobbles: the company and agent legs are at risk."


class TestLegScore:
    def test_constructor_validates_value(self):
        """A value outside 0-1 raises ValidationError naming LegScore.value."""
        with pytest.raises(stool.ValidationError, match=r"LegScore\.value"):
            LegScore(value=1.5, contributions={"a": 1.5}, at_risk=False)

    def test_constructor_checks_reconciliation(self):
        """Contributions that do not add up to the value are rejected."""
        with pytest.raises(stool.ValidationError, match="adding up to value"):
            LegScore(value=0.5, contributions={"a": 0.2}, at_risk=False)

    @pytest.mark.parametrize(
        ("field", "kwargs"),
        [
            ("contributions.a", {"contributions": {"a": math.nan}}),
            ("contributions", {"contributions": [("a", 0.5)]}),
            ("at_risk", {"at_risk": 1}),
            ("reasons", {"reasons": "just one"}),
            ("reasons", {"reasons": (1,)}),
        ],
    )
    def test_constructor_rejects_bad_fields(self, field, kwargs):
        """Each field rejects a wrong type, naming the field."""
        base = {"value": 0.5, "contributions": {"a": 0.5}, "at_risk": False}
        with pytest.raises(stool.ValidationError, match=rf"LegScore\.{field}"):
            LegScore(**(base | kwargs))

    def test_equal_when_fields_equal(self):
        """Two leg scores with equal fields are equal and hash alike."""
        first = LegScore(value=0.3, contributions={"a": 0.3}, at_risk=True, reasons=["x"])
        second = LegScore(value=0.3, contributions={"a": 0.3}, at_risk=True, reasons=("x",))
        assert first == second
        assert hash(first) == hash(second)
        assert first != attrs.evolve(first, reasons=("y",))

    def test_contributions_are_read_only(self):
        """The contributions mapping cannot be changed."""
        leg = score(HEALTHY).customer
        with pytest.raises(TypeError):
            leg.contributions["fulfilment"] = 0.0  # type: ignore[index]

    def test_lazy_reasons_equal_eager_ones(self):
        """A scored leg equals the same leg built from its written-out reasons."""
        leg = score(BAD_NEWS_CURT).customer
        rebuilt = LegScore(
            value=leg.value,
            contributions=dict(leg.contributions),
            at_risk=leg.at_risk,
            reasons=leg.reasons,
        )
        assert rebuilt == score(BAD_NEWS_CURT).customer
        assert repr(rebuilt) == repr(leg)

    def test_pickles(self):
        """Scores survive pickling unchanged."""
        result = score(BAD_NEWS_CURT)
        assert pickle.loads(pickle.dumps(result)) == result  # noqa: S301 - our own bytes

    def test_structure_names_the_bad_key(self):
        """Structuring a leg score with a bad value names the key path."""
        data = stool.unstructure(score(HEALTHY))
        data["agent"]["value"] = 2.0
        with pytest.raises(stool.ValidationError, match=r"StoolScore\.agent\.value"):
            stool.structure(data, StoolScore)
        data = stool.unstructure(score(HEALTHY))
        data["agent"]["colour"] = "red"
        with pytest.raises(stool.ValidationError, match=r"StoolScore\.agent\.colour"):
            stool.structure(data, StoolScore)

    def test_stool_score_constructor_validates(self):
        """StoolScore rejects legs that are not LegScores and non-bool flags."""
        leg = score(HEALTHY).customer
        kwargs = {
            "customer": leg,
            "company": leg,
            "agent": leg,
            "collapsed": False,
            "customer_type": "SATISFIED",
            "predicted_csat": 4.5,
            "p_low": 0.05,
        }
        assert StoolScore(**kwargs).customer_type is CustomerType.SATISFIED
        with pytest.raises(stool.ValidationError, match=r"StoolScore\.agent"):
            StoolScore(**(kwargs | {"agent": 0.5}))
        with pytest.raises(stool.ValidationError, match=r"StoolScore\.collapsed"):
            StoolScore(**(kwargs | {"collapsed": 0}))
        with pytest.raises(stool.ValidationError, match=r"StoolScore\.predicted_csat"):
            StoolScore(**(kwargs | {"predicted_csat": 5.5}))
        assert StoolScore(**(kwargs | {"customer_type": None})).customer_type is None


# A StoolScore pickled (protocol 2) by stool.scoring when it was still one module,
# before it became a package: the score OLD_PICKLE_SCORE builds.
OLD_PICKLE = (
    "gAJjc3Rvb2wuc2NvcmluZwpTdG9vbFNjb3JlCnEAKYFxAX1xAihYCAAAAGN1c3RvbWVycQNjc3Rvb2wuc2Nvcmlu"
    "ZwpMZWdTY29yZQpxBCmBcQV9cQYoWAUAAAB2YWx1ZXEHRz/oAAAAAAAAWA0AAABjb250cmlidXRpb25zcQhjc3Rv"
    "b2wuc2NvcmluZwpfY29udHJpYnV0aW9uc19mcm9tCnEJfXEKKFgKAAAAZnVsZmlsbWVudHELRz/gAAAAAAAAWAcA"
    "AABlbXBhdGh5cQxHP9AAAAAAAAB1hXENUnEOWAcAAABhdF9yaXNrcQ+JWAgAAABfcmVhc29uc3EQKVgIAAAAY292"
    "ZXJhZ2VxEUc/4AAAAAAAAFgKAAAAdW5vYnNlcnZlZHESaAyFcRNYBgAAAHN0YXR1c3EUY3N0b29sLmVudW1zCkxl"
    "Z1N0YXR1cwpxFVgFAAAAaG9sZHNxFoVxF1JxGHViWAcAAABjb21wYW55cRloBCmBcRp9cRsoaAdHP9AAAAAAAABo"
    "CGgJfXEcKFgGAAAAcG9saWN5cR1HP+AAAAAAAABYEQAAAGNhcDogcG9saWN5IGJyZWFrcR5Hv9AAAAAAAAB1hXEf"
    "UnEgaA+IaBBYFQAAADEgcnVsZSBicm9rZW4gKC0wLjI1KXEhhXEiaBFHP/AAAAAAAABoEiloFGgVWAcAAABhdCBy"
    "aXNrcSOFcSRScSV1YlgFAAAAYWdlbnRxJmgFWAkAAABjb2xsYXBzZWRxJ4lYDQAAAGN1c3RvbWVyX3R5cGVxKGNz"
    "dG9vbC5lbnVtcwpDdXN0b21lclR5cGUKcSlYCQAAAHNhdGlzZmllZHEqhXErUnEsWA4AAABwcmVkaWN0ZWRfY3Nh"
    "dHEtR0ARAAAAAAAAWAUAAABwX2xvd3EuRz/AAAAAAAAAaBJoE3ViLg=="
)


def old_pickle_score() -> StoolScore:
    """The score OLD_PICKLE holds, built with today's constructors."""
    at_risk = LegScore(
        value=0.25,
        contributions={"policy": 0.5, "cap: policy break": -0.25},
        at_risk=True,
        reasons=("1 rule broken (-0.25)",),
    )
    holds = LegScore(
        value=0.75,
        contributions={"fulfilment": 0.5, "empathy": 0.25},
        at_risk=False,
        coverage=0.5,
        unobserved=("empathy",),
    )
    return StoolScore(
        customer=holds,
        company=at_risk,
        agent=holds,
        collapsed=False,
        customer_type=CustomerType.SATISFIED,
        predicted_csat=4.25,
        p_low=0.125,
        unobserved=("empathy",),
    )


def pickled_globals(data: bytes) -> set[str]:
    """The `module name` of every global a protocol-2 pickle names."""
    return {arg for op, arg, _ in pickletools.genops(data) if op.name == "GLOBAL"}


class TestPublicHome:
    def test_classes_name_the_package(self):
        """LegScore and StoolScore, and their methods, say they live in stool.scoring."""
        result = score(BAD_NEWS_CURT)
        assert LegScore.__module__ == StoolScore.__module__ == "stool.scoring"
        assert repr(type(result)) == "<class 'stool.scoring.StoolScore'>"
        assert inspect.getmodule(StoolScore.explain) is stool.scoring
        assert inspect.getmodule(LegScore.__init__) is stool.scoring

    def test_type_hints_resolve(self):
        """typing.get_type_hints reads the classes' annotations as before the split."""
        leg = typing.get_type_hints(LegScore)
        whole = typing.get_type_hints(StoolScore)
        assert leg["status"] is LegStatus
        assert leg["contributions"] == Mapping[str, float]
        assert whole["customer"] is LegScore
        assert whole["customer_type"] == CustomerType | None
        assert whole["at_risk"] == frozenset[Leg]

    def test_pickle_names_only_the_package(self):
        """A pickled StoolScore round-trips and names stool.scoring, never a private module."""
        result = score(BAD_NEWS_CURT)  # at-risk legs whose reasons are not written yet
        old_style = pickle.dumps(result, protocol=2)
        assert {name for name in pickled_globals(old_style) if "scoring" in name} == {
            "stool.scoring LegScore",
            "stool.scoring StoolScore",
            "stool.scoring _Pending",
            "stool.scoring _contributions_from",
        }
        newest = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        assert b"stool.scoring" in newest
        assert b"stool.scoring._" not in newest
        for data in (old_style, newest):
            loaded = pickle.loads(data)  # noqa: S301 - our own bytes
            assert loaded == result
            assert loaded.customer.reasons == result.customer.reasons != ()

    def test_pickle_from_before_the_split_loads(self):
        """A StoolScore pickled by the one-module stool.scoring loads as the same score."""
        loaded = pickle.loads(base64.b64decode(OLD_PICKLE))  # noqa: S301 - our own bytes
        assert type(loaded) is StoolScore
        assert loaded == old_pickle_score()
        assert loaded.company.caps == {"cap: policy break": -0.25}
        assert loaded.company.reasons == ("1 rule broken (-0.25)",)


class TestScoreTimeline:
    def test_one_score_per_move(self):
        """The timeline scores the interaction after each move."""
        moves = [events.Greet(), events.BadNews(), events.ExplainPolicy(), events.Thank()]
        start = Interaction(explanation_clarity=0.0, handle_time_s=0.0)
        scores = score_timeline(start, moves)
        interaction = start
        expected = []
        for move in moves:
            interaction = move.apply(interaction)
            expected.append(score(interaction))
        assert scores == expected

    def test_no_moves(self):
        """No moves give no scores."""
        assert score_timeline(HEALTHY, []) == []

    def test_explaining_helps_after_bad_news(self):
        """In a scenario, explaining the policy after bad news lifts the customer leg."""
        scores = score_timeline(
            Interaction(explanation_clarity=0.0), [events.BadNews(), events.ExplainPolicy()]
        )
        assert scores[1].customer.value > scores[0].customer.value

    @given(interactions(), st.lists(event_strategy(), max_size=5))
    def test_matches_scoring_each_step(self, start, moves):
        """Every score in a timeline equals scoring that step's interaction."""
        interaction = start
        for move, result in zip(moves, score_timeline(start, moves), strict=True):
            interaction = move.apply(interaction)
            assert result == score(interaction)

    def test_rejects_bad_input(self):
        """A start that is not an Interaction, or a move that is not an Event, is named."""
        with pytest.raises(stool.ValidationError, match=r"score_timeline\.start"):
            score_timeline("start", [])  # type: ignore[arg-type]
        with pytest.raises(stool.ValidationError, match=r"score_timeline\.moves\[1\]"):
            score_timeline(HEALTHY, [events.Greet(), "greet"])  # type: ignore[list-item]
        with pytest.raises(stool.ValidationError, match=r"score_timeline\.model"):
            score_timeline(HEALTHY, [], model="default")  # type: ignore[arg-type]

    @pytest.mark.parametrize("moves", [None, 5, events.Greet(), "greet", {"greet": 1}])
    def test_rejects_moves_that_are_not_a_sequence_of_events(self, moves):
        """`moves` that is not an iterable of events is named, never a bare TypeError."""
        with pytest.raises(stool.ValidationError, match=r"score_timeline\.moves"):
            score_timeline(HEALTHY, moves)


class TestUnknownInputs:
    """Not observed is a value of its own: factors drop out, coverage says how much."""

    @given(interactions(), stool_models())
    def test_coverage_in_unit_interval(self, interaction, model):
        """Every leg's coverage is in [0, 1], and 1 when nothing is unobserved."""
        result = score(interaction, model)
        for leg in Leg:
            leg_score = result.leg(leg)
            assert 0.0 < leg_score.coverage <= 1.0
            if not interaction.unobserved:
                assert leg_score.coverage == 1.0
                assert leg_score.unobserved == ()

    @given(interactions(), stool_models())
    def test_unknown_never_beats_the_best_known_value(self, interaction, model):
        """A leg with unobserved inputs is never above it with those inputs at their best."""
        best = {name: BEST_VALUES[name] for name in interaction.unobserved}
        known = score(interaction.replace(**best), model)
        result = score(interaction, model)
        for leg in Leg:
            assert result.leg(leg).value <= known.leg(leg).value + 1e-12

    @given(interactions(), st.sampled_from(stool.interaction.UNKNOWABLE_FIELDS), stool_models())
    def test_one_unknown_never_beats_any_known_value(self, interaction, name, model):
        """Forgetting one input never lifts a leg above every value that input could take."""
        forgotten = score(interaction.replace(**{name: None}), model)
        values = [score(interaction.replace(**{name: v}), model) for v in GRID[name]]
        for leg in Leg:
            best = max(value.leg(leg).value for value in values)
            assert forgotten.leg(leg).value <= best + 1e-12

    @given(interactions())
    def test_status_follows_flag_and_coverage(self, interaction):
        """At risk wins; otherwise a leg holds only with enough coverage."""
        result = score(interaction)
        for leg in Leg:
            leg_score = result.leg(leg)
            if leg_score.at_risk:
                assert leg_score.status is stool.LegStatus.AT_RISK
            elif leg_score.coverage >= DEFAULT.thresholds.min_coverage:
                assert leg_score.status is stool.LegStatus.HOLDS
            else:
                assert leg_score.status is stool.LegStatus.NOT_ENOUGH_EVIDENCE

    def test_explain_names_what_was_not_observed(self):
        """The explanation lists the unknown inputs and each leg's missing factors."""
        text = score(Interaction(empathy=None, thanked=None)).explain()
        assert "Unknown inputs: empathy, thanked." in text
        assert "not observed: empathy" in text
        assert "not observed: recognition" in text

    def test_a_move_makes_an_unknown_known(self):
        """Scenarios keep working: a move that sets a field makes it observed."""
        start = Interaction(fulfilment=None)
        after = events.Resolve(fulfilment=1.0)(start)
        assert score(start).customer.coverage < score(after).customer.coverage == 1.0

    def test_observed_risk_stands_at_low_coverage(self):
        """A late delivery flags the customer leg even when courtesy is unknown."""
        unknown = dict.fromkeys(stool.interaction.UNKNOWABLE_FIELDS)
        late = Interaction(**unknown, promised_days=3.0, delivered_days=10.0)
        result = score(late).customer
        assert result.at_risk
        assert result.status is stool.LegStatus.AT_RISK
        assert result.coverage < DEFAULT.thresholds.min_coverage


BEST_VALUES = {
    "fulfilment": 1.0,
    "professionalism": 1.0,
    "empathy": 1.0,
    "explanation_clarity": 1.0,
    "extra_mile": True,
    "wait_time_s": 0.0,
    "expectation": 0.0,
    "prior_bad_experiences": 0,
    "customer_value": 0.0,
    "customer_abuse": 0.0,
    "agent_fatigue": 0.0,
    "thanked": True,
}
"""Each unknowable field's best value, written out independently of stool._formula.BEST."""

_FRACTIONS = (0.0, 0.25, 0.5, 0.75, 1.0)
GRID = {
    "fulfilment": _FRACTIONS,
    "professionalism": _FRACTIONS,
    "empathy": _FRACTIONS,
    "explanation_clarity": _FRACTIONS,
    "extra_mile": (False, True),
    "wait_time_s": (0.0, 60.0, 3600.0, 86400.0),
    "expectation": _FRACTIONS,
    "prior_bad_experiences": (0, 1, 3),
    "customer_value": (0.0, 100.0, 10000.0),
    "customer_abuse": _FRACTIONS,
    "agent_fatigue": _FRACTIONS,
    "thanked": (False, True),
}
"""Known values to try for each unknowable field, including its best one."""


class TestExtremeModels:
    """A model that passes validation always scores finite numbers (issue 9)."""

    @pytest.mark.parametrize(
        "changes",
        [
            {"loss_aversion": 1.7e308, "disconfirmation_steepness": 0.0},
            {"loss_aversion": 1.7e308, "disconfirmation_steepness": 1.7e308},
            {"promise_late_scale_days": 5e-324, "promise_early_scale_days": 5e-324},
            {"wait_shape": 1.7e308, "call_wait_scale_s": 5e-324},
            {"wait_shape": 5e-324, "call_wait_scale_s": 1.7e308},
        ],
    )
    def test_scores_stay_finite(self, changes):
        """Huge or tiny curve parameters give legs in [0, 1] and a finite CSAT, never NaN."""
        model = StoolModel(customer=attrs.evolve(CustomerModel(), **changes))
        for interaction in (
            Interaction(promised_days=2.0, delivered_days=1.7e308, wait_time_s=1.7e308),
            Interaction(promised_days=1.7e308, delivered_days=0.0, wait_time_s=0.0),
            Interaction(fulfilment=0.0, expectation=1.0, prior_bad_experiences=10**6),
        ):
            result = score(interaction, model)
            for leg in Leg:
                assert 0.0 <= result.leg(leg).value <= 1.0
            assert 1.0 <= result.predicted_csat <= 5.0
            assert 0.0 <= result.p_low <= 1.0
            assert json.loads(json.dumps(stool.unstructure(result), allow_nan=False))
