"""Tests for stool.models: the leg models, the thresholds and the whole model."""

from __future__ import annotations

import json
import math
import sys

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import stool
from stool import Leg
from stool.models import AgentModel, CompanyModel, CustomerModel, StoolModel, Thresholds
from stool.scoring import score
from stool.strategies import (
    agent_models,
    company_models,
    customer_models,
    interactions,
    stool_models,
)

LEG_MODELS = (CustomerModel, CompanyModel, AgentModel)

# Fields whose value is a fraction (at most 1), by class.
FRACTIONS = {
    "recovery_without_extra_mile",
    "break_cap",
    "abuse_cap",
    "severe_abuse_at",
    "thanks_boost",
    "reputation_midpoint",
    "promise_kept",
}
# Fields that must be strictly positive (they divide).
POSITIVE = {
    "call_wait_scale_s",
    "chat_wait_scale_s",
    "email_wait_scale_s",
    "wait_shape",
    "promise_early_scale_days",
    "promise_late_scale_days",
    "retention_value_scale",
}


def type_leg(cls):
    """The StoolModel field that holds a leg model of `cls`."""
    return cls.__name__.removesuffix("Model").lower()


def numeric_fields(cls):
    return [a.name for a in attrs.fields(cls) if a.init]


def leg_weights(cls):
    """Weights for a leg model: non-negative, one on an always-observed factor positive."""
    names = [f"{name}_weight" for name in cls.FACTORS]
    observed = f"{cls.ALWAYS_OBSERVED[0]}_weight"
    weights = st.lists(st.floats(0.0, 10.0), min_size=len(names), max_size=len(names))
    return st.tuples(weights, st.floats(0.01, 10.0)).map(
        lambda drawn: dict(zip(names, drawn[0], strict=True)) | {observed: drawn[1]}
    )


def leg_models(cls):
    return leg_weights(cls).map(lambda weights: cls(**weights))


class TestLegModels:
    @pytest.mark.parametrize("cls", LEG_MODELS)
    def test_every_factor_has_a_named_weight(self, cls):
        """Each factor in FACTORS has a `<factor>_weight` attribute, in the same order."""
        names = [a.name for a in attrs.fields(cls) if a.name.endswith("_weight")]
        assert names == [f"{factor}_weight" for factor in cls.FACTORS]
        assert list(cls().weights) == list(cls.FACTORS)

    @pytest.mark.parametrize(
        ("cls", "field"),
        [(cls, name) for cls in (*LEG_MODELS, Thresholds) for name in numeric_fields(cls)],
    )
    @pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, -0.5, "0.5", True])
    def test_every_number_is_validated(self, cls, field, bad):
        """NaN, infinities, negatives and non-numbers raise ValidationError naming the field."""
        with pytest.raises(stool.ValidationError, match=rf"{cls.__name__}\.{field}"):
            cls(**{field: bad})

    @pytest.mark.parametrize(
        ("cls", "field"),
        [
            (cls, name)
            for cls in (*LEG_MODELS, Thresholds)
            for name in numeric_fields(cls)
            if name in FRACTIONS or cls is Thresholds
        ],
    )
    def test_fractions_stay_at_most_one(self, cls, field):
        """Caps, cut-offs and shares above 1 are rejected."""
        with pytest.raises(stool.ValidationError, match=rf"{cls.__name__}\.{field}"):
            cls(**{field: 1.5})

    @pytest.mark.parametrize(
        ("cls", "field"),
        [(cls, name) for cls in LEG_MODELS for name in numeric_fields(cls) if name in POSITIVE],
    )
    def test_scales_are_positive(self, cls, field):
        """A scale that divides cannot be zero."""
        with pytest.raises(stool.ValidationError, match=rf"{cls.__name__}\.{field}"):
            cls(**{field: 0.0})

    @pytest.mark.parametrize("cls", LEG_MODELS)
    def test_all_zero_weights_rejected(self, cls):
        """A leg whose weights are all zero raises ValidationError naming its weights."""
        zeros = {f"{name}_weight": 0.0 for name in cls.FACTORS}
        with pytest.raises(stool.ValidationError, match=rf"{cls.__name__}\.weights"):
            cls(**zeros)

    @pytest.mark.parametrize("cls", LEG_MODELS)
    def test_one_weight_is_enough(self, cls):
        """A leg with a single non-zero weight, on an always-observed factor, is valid."""
        weights = {f"{name}_weight": 0.0 for name in cls.FACTORS}
        weights[f"{cls.ALWAYS_OBSERVED[-1]}_weight"] = 2.0
        assert cls(**weights).weights[cls.ALWAYS_OBSERVED[-1]] == 2.0

    @pytest.mark.parametrize("cls", LEG_MODELS)
    def test_a_leg_needs_weight_on_an_always_observed_factor(self, cls):
        """Weight only on factors that may go unobserved is refused: the leg could be empty."""
        weights = {f"{name}_weight": 1.0 for name in cls.FACTORS}
        weights.update({f"{name}_weight": 0.0 for name in cls.ALWAYS_OBSERVED})
        with pytest.raises(stool.ValidationError, match="always observed"):
            cls(**weights)

    @pytest.mark.parametrize("cls", LEG_MODELS)
    def test_a_vanishing_observed_share_is_refused(self, cls):
        """An always-observed weight whose share underflows to 0 is refused too."""
        weights = {f"{name}_weight": 0.0 for name in cls.FACTORS}
        weights[f"{cls.ALWAYS_OBSERVED[0]}_weight"] = 5e-324
        other = next(name for name in cls.FACTORS if name not in cls.ALWAYS_OBSERVED)
        weights[f"{other}_weight"] = 2.0
        with pytest.raises(stool.ValidationError, match="does not vanish"):
            cls(**weights)

    def test_break_never_costs_less_than_a_bend(self):
        """A break cost below the bend cost is rejected, naming break_cost."""
        with pytest.raises(stool.ValidationError, match=r"CompanyModel\.break_cost"):
            CompanyModel(bend_cost=0.5, break_cost=0.4)
        assert CompanyModel(bend_cost=0.5, break_cost=0.5).break_cost == 0.5

    @pytest.mark.parametrize("cls", LEG_MODELS)
    def test_evolve_changes_one_weight_only(self, cls):
        """`attrs.evolve` changes the named weight and leaves every other field alone."""
        model = cls()
        name = f"{cls.FACTORS[0]}_weight"
        changed = attrs.evolve(model, **{name: 0.9})
        assert getattr(changed, name) == 0.9
        for field in numeric_fields(cls):
            if field != name:
                assert getattr(changed, field) == getattr(model, field)

    @given(st.sampled_from(LEG_MODELS).flatmap(leg_models))
    def test_normalised_weights_sum_to_at_most_one(self, model):
        """The normalised weights add up to at most 1 and in proportion to the weights."""
        normalised = model._normalised
        running = 0.0
        for weight in normalised:
            running += weight
        assert running <= 1.0
        assert running == pytest.approx(1.0)
        total = sum(model.weights.values())
        for weight, share in zip(model.weights.values(), normalised, strict=True):
            assert share == pytest.approx(weight / total)

    @pytest.mark.parametrize("cls", LEG_MODELS)
    @pytest.mark.parametrize("huge", [1e308, sys.float_info.max])
    def test_weights_whose_sum_overflows(self, cls, huge):
        """Finite weights whose sum is not a float still normalise: only ratios matter."""
        names = [f"{name}_weight" for name in cls.FACTORS]
        observed = f"{cls.ALWAYS_OBSERVED[0]}_weight"
        pair = [observed, next(name for name in names if name != observed)]
        zeros = {name: 0.0 for name in names if name not in pair}
        model = cls(**dict.fromkeys(pair, huge), **zeros)
        assert sorted(model._normalised) == sorted((0.5, 0.5, *zeros.values()))
        leg = type_leg(cls)
        small = StoolModel(**{leg: cls(**dict.fromkeys(pair, 1.0), **zeros)})
        large = StoolModel(**{leg: model})
        interaction = stool.Interaction(fulfilment=0.3, customer_abuse=0.2, bends=1)
        assert score(interaction, large) == score(interaction, small)

    @given(customer_models(), company_models(), agent_models())
    def test_any_weights_normalise(self, customer, company, agent):
        """Drawn weights of any size normalise to shares adding up to at most 1."""
        for model in (customer, company, agent):
            running = 0.0
            for share in model._normalised:
                running += share
            assert running == pytest.approx(1.0)
            assert running <= 1.0

    def test_tiny_last_weight(self):
        """Weights whose shares overshoot 1 by rounding, with a tiny last one, normalise."""
        weights = [
            4.378875936505721,
            4.958122413818506,
            2.3308445025757263,
            2.308665415409843,
            2.187810373376886,
            4.596034657377336,
            2.897816145904856,
            1.2345678901234567,
            1e-10,
        ]
        names = [f"{name}_weight" for name in CustomerModel.FACTORS]
        model = CustomerModel(**dict(zip(names, weights, strict=True)))
        running = 0.0
        for share in model._normalised:
            running += share
        assert running <= 1.0
        assert model._normalised[-1] == pytest.approx(1e-10 / sum(weights))

    @given(st.one_of(customer_models(), company_models(), agent_models()))
    def test_round_trip(self, model):
        """A leg model survives unstructure, JSON and structure unchanged."""
        data = json.loads(json.dumps(stool.unstructure(model)))
        assert stool.structure(data, type(model)) == model


class TestThresholds:
    def test_defaults_follow_health_bands(self):
        """At risk below 0.5 (the red band), collapsed below 0.25."""
        thresholds = Thresholds()
        assert thresholds.at_risk == 0.5
        assert thresholds.collapse == 0.25
        for leg in Leg:
            assert thresholds.at_risk_level(leg) == 0.5
            assert thresholds.collapse_level(leg) == 0.25

    @pytest.mark.parametrize("leg", list(Leg))
    def test_per_leg_overrides(self, leg):
        """A leg's own levels override the shared ones for that leg only."""
        name = leg.name.lower()
        thresholds = Thresholds(**{f"{name}_at_risk": 0.7, f"{name}_collapse": 0.1})
        for other in Leg:
            expected = (0.7, 0.1) if other is leg else (0.5, 0.25)
            assert (thresholds.at_risk_level(other), thresholds.collapse_level(other)) == expected

    def test_collapse_must_be_below_at_risk(self):
        """A collapse level at or above the at-risk level is rejected, naming it."""
        with pytest.raises(stool.ValidationError, match=r"Thresholds\.collapse"):
            Thresholds(collapse=0.5)
        with pytest.raises(stool.ValidationError, match=r"Thresholds\.agent_collapse"):
            Thresholds(agent_collapse=0.6)
        with pytest.raises(stool.ValidationError, match=r"Thresholds\.collapse"):
            Thresholds(company_at_risk=0.2)

    def test_taxonomy_cut_offs_reach_customer_type(self):
        """The customer-type cut-offs of the thresholds are the ones `score` uses."""
        partial = stool.Interaction(fulfilment=0.6)
        assert score(partial).customer_type is stool.CustomerType.DISSATISFIED
        lenient = StoolModel(thresholds=Thresholds(fulfilled_at=0.5))
        assert score(partial, lenient).customer_type is stool.CustomerType.SATISFIED


class TestStoolModel:
    def test_defaults(self):
        """`StoolModel()` holds the default leg models and thresholds."""
        model = StoolModel()
        assert model.customer == CustomerModel()
        assert model.company == CompanyModel()
        assert model.agent == AgentModel()
        assert model.thresholds == Thresholds()

    @pytest.mark.parametrize("field", ["customer", "company", "agent", "thresholds"])
    def test_parts_are_type_checked(self, field):
        """Each part must be of its own class; a wrong one is named."""
        with pytest.raises(stool.ValidationError, match=rf"StoolModel\.{field}"):
            StoolModel(**{field: AgentModel() if field != "agent" else CustomerModel()})

    def test_importable_from_stool(self):
        """The model classes load lazily from the top-level package."""
        assert stool.StoolModel is StoolModel
        assert stool.CustomerModel is CustomerModel
        assert stool.CompanyModel is CompanyModel
        assert stool.AgentModel is AgentModel
        assert stool.Thresholds is Thresholds

    def test_hashable_and_equal_by_value(self):
        """Equal models are equal and hash alike, so they can key a cache."""
        assert StoolModel() == StoolModel()
        assert hash(StoolModel()) == hash(StoolModel())

    @given(stool_models())
    def test_round_trip(self, model):
        """A whole model survives unstructure, JSON and structure unchanged."""
        data = json.loads(json.dumps(stool.unstructure(model)))
        assert stool.structure(data, StoolModel) == model

    @given(stool_models(), interactions())
    def test_any_valid_model_scores_in_range(self, model, interaction):
        """Any valid model scores every leg from 0 to 1 with reconciling contributions."""
        result = score(interaction, model)
        for leg in Leg:
            leg_score = result.leg(leg)
            assert 0.0 <= leg_score.value <= 1.0
            assert math.isclose(
                sum(leg_score.contributions.values()), leg_score.value, abs_tol=1e-12
            )

    def test_a_researcher_changes_one_weight(self):
        """Raising the explanation weight raises a well-explained refusal's customer leg."""
        refusal = stool.Interaction(fulfilment=0.0)
        model = StoolModel()
        kinder = attrs.evolve(model, customer=attrs.evolve(model.customer, explanation_weight=0.6))
        assert score(refusal, kinder).customer.value > score(refusal, model).customer.value
