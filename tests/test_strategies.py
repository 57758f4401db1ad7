"""Tests for stool.strategies, in the style of Hypothesis's own tests/cover."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any, Final

import attrs
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import stool
from stool import Agent, Authority, Channel, Company, Customer, Interaction
from stool import events as ev
from stool import strategies as ss
from stool._fields import Spec, spec_of
from stool.models import AgentModel, CompanyModel, CustomerModel, StoolModel, Thresholds

PARTY_STRATEGIES = [
    (ss.interactions, Interaction),
    (ss.customers, Customer),
    (ss.agents, Agent),
    (ss.companies, Company),
]
ENUM_STRATEGIES = [
    (ss.legs, stool.Leg),
    (ss.channels, stool.Channel),
    (ss.customer_types, stool.CustomerType),
    (ss.authorities, stool.Authority),
    (ss.verdicts, stool.Verdict),
]
MODEL_CLASSES = (CustomerModel, CompanyModel, AgentModel, Thresholds, StoolModel)
LEG_MODEL_STRATEGIES = [
    (ss.customer_models, CustomerModel),
    (ss.company_models, CompanyModel),
    (ss.agent_models, AgentModel),
]
ALL_VALUES = st.one_of(ss.interactions(), ss.customers(), ss.agents(), ss.companies(), ss.events())


SHRINK: Final = settings(max_examples=2_000, database=None, deadline=None)
"""The search of `minimum`: `find`'s own, without the example database.

`find` keys its saved examples by the condition's code, which the searches of this module
share (one default condition, one lambda per parametrised test): without the database,
no search starts from the example another strategy shrank to.
"""


def minimum(strategy: st.SearchStrategy[Any], condition: Any = lambda _: True) -> Any:
    """The simplest example satisfying `condition`, as Hypothesis shrinks it."""
    return find(strategy, condition, settings=SHRINK)


REACH: Final = settings(phases=[Phase.generate], max_examples=5_000, database=None, deadline=None)
"""The search of `reachable`: generation only, as many tries as `find` makes by default."""


def reachable(strategy: st.SearchStrategy[Any], condition: Any) -> Any:
    """An example satisfying `condition`: the first Hypothesis generates, not shrunk.

    Coverage tests ask whether a value is reachable at all; shrinking the example that
    shows it (a whole model, sixty fields) would cost ten times the search and prove
    nothing more.
    """
    return find(strategy, condition, settings=REACH)


def documented_minimum(cls: type) -> dict[str, Any]:
    """The module docstring's shrink targets for every field of `cls`.

    Numbers shrink towards their lower bound (strictly positive ones towards 1),
    booleans towards False, enums towards their first member, optional fields towards
    None, identifiers towards "0".
    """
    out: dict[str, Any] = {}
    for a in attrs.fields(cls):
        spec = spec_of(a)
        if spec is None:
            # Fields without a spec (Company.policies) keep their default unless overridden.
            out[a.name] = a.default
        elif spec.optional:
            out[a.name] = None
        elif spec.kind == "bool":
            out[a.name] = False
        elif spec.kind == "enum":
            assert spec.enum is not None
            out[a.name] = next(iter(spec.enum))
        elif spec.kind == "str":
            out[a.name] = "0"
        elif spec.low_open:
            out[a.name] = 1.0
        else:
            out[a.name] = type(a.default)(spec.low)
    return out


class TestValidExamples:
    """Every example of every strategy is a valid value."""

    @given(ALL_VALUES)
    def test_examples_pass_validation(self, value):
        """Each drawn value passes its validators and rebuilds equal from its fields."""
        attrs.validate(value)
        assert type(value)(**attrs.asdict(value, recurse=False)) == value

    @given(ss.interactions())
    def test_interactions_within_draw_bounds(self, interaction):
        """Unbounded quantities stay at or below MAX_QUANTITY, counts at or below MAX_COUNT."""
        for a in attrs.fields(Interaction):
            spec = spec_of(a)
            value = getattr(interaction, a.name)
            assert spec is not None
            spec.check(a.name, value)
            if spec.kind == "real" and value is not None:
                assert value <= ss.MAX_QUANTITY
            if spec.kind == "int" and value is not None:
                assert value <= ss.MAX_COUNT

    @given(ss.events())
    def test_escalations_go_up(self, event):
        """Drawn escalations always target SUPERVISOR or MANAGER."""
        if isinstance(event, ev.Escalate):
            assert event.to > Authority.AGENT

    @pytest.mark.parametrize(("strategy", "enum_cls"), ENUM_STRATEGIES)
    @given(data=st.data())
    def test_enum_strategies(self, strategy, enum_cls, data):
        """Enum strategies draw members of their enum."""
        assert isinstance(data.draw(strategy()), enum_cls)

    @given(ss.identifiers())
    def test_identifiers_are_valid_ids(self, ident):
        """Identifiers are non-empty and accepted as customer ids."""
        assert ident
        assert Customer(id=ident).id == ident

    @given(data=st.data())
    def test_from_spec_of_every_field(self, data):
        """from_spec draws only values its spec allows, for every field of every value."""
        classes = [Interaction, Customer, Agent, Company, *ev.EVENT_TYPES.values()]
        cls = data.draw(st.sampled_from(classes))
        for a in attrs.fields(cls):
            spec = spec_of(a)
            if spec is not None and not (cls is ev.Escalate and a.name == "to"):
                spec.check(a.name, data.draw(ss.from_spec(spec), label=a.name))

    @given(st.data())
    def test_from_spec_long_strings(self, data):
        """A string spec with a minimum length draws strings at least that long."""
        spec = Spec(kind="str", min_len=3, allowed="3+")
        value = data.draw(ss.from_spec(spec))
        spec.check("s", value)
        assert len(value) >= 3

    @given(st.data())
    def test_from_spec_open_bound(self, data):
        """A strictly positive spec never draws its bound."""
        spec = Spec(kind="real", low=0.0, low_open=True, allowed="> 0")
        assert data.draw(ss.from_spec(spec)) > 0.0


class TestOverrides:
    """Any field can be replaced by a strategy of the caller's."""

    @given(ss.interactions(fulfilment=st.just(0.25), channel=st.just(Channel.EMAIL)))
    def test_override_is_used(self, interaction):
        """An overridden field always takes the override's values."""
        assert interaction.fulfilment == 0.25
        assert interaction.channel is Channel.EMAIL

    @given(ss.agents(authority=st.just(Authority.MANAGER)), ss.customers(id=st.just("C-1")))
    def test_party_overrides(self, agent, customer):
        """Party strategies take overrides too."""
        assert agent.authority is Authority.MANAGER
        assert customer.id == "C-1"

    def test_invalid_override_values_raise_when_drawn(self):
        """An override that draws an invalid value surfaces the ValidationError."""
        # Generation only: shrinking an error raised on every draw is slow and pointless.
        once = settings(phases=[Phase.generate], database=None)
        with pytest.raises(stool.ValidationError):
            find(ss.interactions(fulfilment=st.just(2.0)), lambda _: True, settings=once)

    @given(ss.events(types=st.sampled_from([ev.Resolve, ev.ExtraMile])))
    def test_event_types(self, event):
        """events(types=...) draws only the kinds given."""
        assert type(event) in {ev.Resolve, ev.ExtraMile}


BAD_ARGUMENTS = [
    pytest.param(lambda: ss.interactions(satisfaction=st.just(1.0)), id="unknown-field"),
    pytest.param(lambda: ss.interactions(fulfilment=0.5), id="value-not-strategy"),
    pytest.param(lambda: ss.interactions(fulfilment=None), id="none-not-strategy"),
    pytest.param(lambda: ss.customers(name=st.just("x")), id="customer-unknown-field"),
    pytest.param(lambda: ss.customers(id="C-1"), id="customer-value"),
    pytest.param(lambda: ss.agents(rank=st.just(1)), id="agent-unknown-field"),
    pytest.param(lambda: ss.agents(authority=Authority.AGENT), id="agent-value"),
    pytest.param(lambda: ss.companies(id=st.just("x")), id="company-unknown-field"),
    pytest.param(lambda: ss.companies(aht_target_s=[1.0]), id="company-list"),
    pytest.param(lambda: ss.events(types=ev.Greet), id="types-class"),
    pytest.param(lambda: ss.events(types=[ev.Greet]), id="types-list"),
    pytest.param(lambda: ss.events(types="Greet"), id="types-str"),
    pytest.param(lambda: ss.events(types=st.just(int)), id="types-draws-int"),
    pytest.param(lambda: ss.events(types=st.just(ev.Event)), id="types-draws-base"),
    pytest.param(lambda: ss.events(types=st.just("Greet")), id="types-draws-str"),
    pytest.param(lambda: ss.events(types=st.just(Interaction)), id="types-draws-interaction"),
    pytest.param(lambda: ss.customer_models(weight=st.just(1.0)), id="customer-model-field"),
    pytest.param(lambda: ss.company_models(bend_cost=0.1), id="company-model-value"),
    pytest.param(lambda: ss.agent_models(abuse_cap=None), id="agent-model-none"),
    pytest.param(lambda: ss.thresholds(red=st.just(0.5)), id="thresholds-field"),
    pytest.param(lambda: ss.stool_models(customer=CustomerModel()), id="model-value"),
    pytest.param(lambda: ss.stool_models(leg=st.just(1)), id="model-field"),
]


class TestInvalidArguments:
    """Bad arguments raise hypothesis.errors.InvalidArgument."""

    @pytest.mark.parametrize("make", BAD_ARGUMENTS)
    def test_invalid_argument(self, make):
        """The call, or at the latest the first draw, raises InvalidArgument."""
        with pytest.raises(InvalidArgument):
            minimum(make())

    def test_message_lists_fields(self):
        """An unknown field's message names it and lists the real fields."""
        with pytest.raises(InvalidArgument, match="satisfaction") as info:
            ss.interactions(satisfaction=st.just(1.0))
        assert "fulfilment" in str(info.value)

    def test_message_suggests_just(self):
        """A plain value's message suggests st.just."""
        with pytest.raises(InvalidArgument, match=r"st\.just"):
            ss.interactions(fulfilment=0.5)


class TestMinimalExamples:
    """hypothesis.find shrinks to the documented minimum."""

    @pytest.mark.parametrize(("strategy", "cls"), PARTY_STRATEGIES)
    def test_all_lower_bounds(self, strategy, cls):
        """The minimal value has every field at its documented shrink target."""
        assert minimum(strategy()) == cls(**documented_minimum(cls))

    def test_minimal_interaction_spelled_out(self):
        """The minimal interaction: nothing observed, nothing spent, no promises, a call."""
        i = minimum(ss.interactions())
        assert i.channel is Channel.CALL
        assert i.unobserved == stool.interaction.UNKNOWABLE_FIELDS
        assert (i.handle_time_s, i.transfers) == (0.0, 0)
        assert (i.promised_days, i.delivered_days, i.csat) == (None, None, None)
        assert i.aht_target_s == 1.0
        assert i.authority is Authority.AGENT

    def test_minimal_event_has_no_arguments(self):
        """The simplest move is the first one without arguments: RepeatContact."""
        assert minimum(ss.events()) == ev.RepeatContact()

    def test_minimal_greet(self):
        """The simplest Greet takes no time."""
        assert minimum(ss.events(), lambda e: isinstance(e, ev.Greet)) == ev.Greet(seconds=0.0)

    def test_minimal_of_one_type(self):
        """With one kind, the minimum is that kind at its lower bounds."""
        got = minimum(ss.events(types=st.just(ev.Resolve)))
        assert got == ev.Resolve(fulfilment=0.0, seconds=0.0)

    def test_minimal_escalation(self):
        """The simplest escalation goes to a supervisor and takes no time."""
        got = minimum(ss.events(types=st.just(ev.Escalate)))
        assert got == ev.Escalate(to=Authority.SUPERVISOR, seconds=0.0)

    @pytest.mark.parametrize(("strategy", "enum_cls"), ENUM_STRATEGIES)
    def test_enum_minimum_is_first_member(self, strategy, enum_cls):
        """Enum strategies shrink towards their first member."""
        assert minimum(strategy()) is next(iter(enum_cls))

    def test_identifier_minimum(self):
        """Identifiers shrink towards "0"."""
        assert minimum(ss.identifiers()) == "0"

    def test_count_shrinks_to_threshold(self):
        """A condition on a count shrinks to the smallest count meeting it.

        Only the count is drawn (the other fields are fixed), so the shrinker works on it
        alone: the same shrink, without first shrinking thirty unrelated fields.
        """
        defaults = stool.interaction.FIELD_DEFAULTS
        others = {name: st.just(value) for name, value in defaults.items() if name != "transfers"}
        found = minimum(ss.interactions(**others), lambda i: i.transfers >= 3)
        assert found.transfers == 3

    @pytest.mark.parametrize("cls", list(ev.EVENT_TYPES.values()))
    def test_every_kind_reachable(self, cls):
        """events() draws every kind of move."""
        assert type(minimum(ss.events(), lambda e, cls=cls: type(e) is cls)) is cls

    @pytest.mark.parametrize(
        "condition",
        [
            lambda i: i.csat == 5,
            lambda i: i.fulfilment == 1.0,
            lambda i: i.promised_days is not None and i.delivered_days is not None,
            lambda i: i.extra_mile and i.escalated and i.thanked,
            lambda i: i.authority is Authority.MANAGER,
            lambda i: i.channel is Channel.EMAIL,
        ],
        ids=["csat-5", "fulfilled", "promise-kept", "booleans", "manager", "email"],
    )
    def test_whole_range_covered(self, condition):
        """Upper bounds, optional values and every enum member are reachable."""
        assert condition(reachable(ss.interactions(), condition))


class TestFromType:
    """st.from_type works for stool's classes through Hypothesis's entry point."""

    @pytest.mark.parametrize(
        "cls",
        [
            Interaction,
            Customer,
            Agent,
            Company,
            ev.Event,
            *ev.EVENT_TYPES.values(),
            *MODEL_CLASSES,
        ],
    )
    @given(data=st.data())
    def test_from_type(self, cls, data):
        """st.from_type(cls) draws valid instances of cls."""
        value = data.draw(st.from_type(cls))
        assert isinstance(value, cls)
        attrs.validate(value)

    def test_entry_point_in_fresh_process(self):
        """In a fresh process, importing hypothesis alone registers stool's strategies."""
        code = textwrap.dedent(
            """
            import sys
            from hypothesis import find, strategies as st
            import stool
            value = find(st.from_type(stool.Interaction), lambda i: True)
            assert isinstance(value, stool.Interaction), value
            event = find(st.from_type(stool.events.Event), lambda e: True)
            assert isinstance(event, stool.events.Event), event
            print("ok")
            """
        )
        result = subprocess.run(  # noqa: S603 - runs this interpreter on our own code
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "ok"


class TestModelStrategies:
    """Strategies for the satisfaction models: valid by construction, whole range."""

    @given(st.one_of(*(strategy() for strategy, _ in LEG_MODEL_STRATEGIES)))
    def test_leg_models_are_valid(self, model):
        """Every drawn leg model validates, has a positive weight and rebuilds equal."""
        attrs.validate(model)
        assert max(model.weights.values()) > 0.0
        fields = {a.name: getattr(model, a.name) for a in attrs.fields(type(model)) if a.init}
        assert type(model)(**fields) == model

    @given(ss.company_models())
    def test_breaks_never_cheaper_than_bends(self, model):
        """Drawn company models never price a break below a bend."""
        assert model.break_cost >= model.bend_cost

    @given(ss.thresholds())
    def test_thresholds_collapse_below_at_risk(self, drawn):
        """Every leg's collapse level is below its at-risk level."""
        for leg in stool.Leg:
            assert drawn.collapse_level(leg) < drawn.at_risk_level(leg)

    @given(ss.stool_models())
    def test_stool_models_round_trip(self, model):
        """A drawn whole model validates and survives unstructure and structure."""
        assert stool.structure(stool.unstructure(model), StoolModel) == model

    @pytest.mark.parametrize(("strategy", "cls"), LEG_MODEL_STRATEGIES)
    def test_leg_model_minimum(self, strategy, cls):
        """The simplest leg model: first always-observed weight 1, others 0, parameters low."""
        expected = {
            a.name: v
            for a in attrs.fields(cls)
            if a.init
            for v in [documented_minimum(cls)[a.name]]
        }
        expected[f"{cls.ALWAYS_OBSERVED[0]}_weight"] = 1.0
        if cls is CustomerModel:
            expected["promise_kept"] = 0.5  # strictly between 0 and 1
        assert minimum(strategy()) == cls(**expected)

    def test_thresholds_minimum(self):
        """The simplest thresholds: at risk below 1, collapse below 0, no per-leg levels."""
        assert minimum(ss.thresholds()) == Thresholds(
            at_risk=1.0, collapse=0.0, fulfilled_at=0.0, unprofessional_below=0.0, min_coverage=0.0
        )

    @pytest.mark.parametrize(
        ("part", "condition"),
        [
            (
                "customer",
                lambda m: m.customer.weights["recovery"] > 0 and m.customer.fulfilment_weight == 0,
            ),
            ("company", lambda m: m.company.break_cost > m.company.bend_cost > 0),
            ("agent", lambda m: m.agent.severe_abuse_at == 1.0),
            ("thresholds", lambda m: m.thresholds.agent_collapse is not None),
            ("thresholds", lambda m: m.thresholds.company_at_risk is not None),
            ("customer", lambda m: m.customer.loss_aversion >= ss.MAX_QUANTITY / 2),
        ],
        ids=[
            "other-weight",
            "break-above-bend",
            "upper-bound",
            "own-collapse",
            "own-at-risk",
            "large",
        ],
    )
    def test_whole_range_covered(self, part, condition):
        """Any weight alone, per-leg levels, upper bounds and large values are reachable.

        stool_models() draws the part the condition reads; the other parts are fixed, so
        that each try draws only what can make the condition hold.
        """
        fixed = {
            "customer": st.just(CustomerModel()),
            "company": st.just(CompanyModel()),
            "agent": st.just(AgentModel()),
            "thresholds": st.just(Thresholds()),
        }
        del fixed[part]
        assert condition(reachable(ss.stool_models(**fixed), condition))

    @given(
        ss.stool_models(
            customer=ss.customer_models(fulfilment_weight=st.just(0.0)),
            company=ss.company_models(bend_cost=st.just(0.2), break_cost=st.just(0.2)),
            thresholds=ss.thresholds(at_risk=st.just(0.6)),
        )
    )
    def test_overrides_are_used(self, model):
        """An overridden weight, cost or level takes the override's values."""
        assert model.customer.fulfilment_weight == 0.0
        assert max(model.customer.weights.values()) > 0.0
        assert (model.company.bend_cost, model.company.break_cost) == (0.2, 0.2)
        assert model.thresholds.at_risk == 0.6

    def test_all_weights_overridden_to_zero_raise_when_drawn(self):
        """Overriding every weight with 0 draws an invalid model: its ValidationError shows."""
        zeros = {f"{name}_weight": st.just(0.0) for name in AgentModel.FACTORS}
        once = settings(phases=[Phase.generate], database=None)
        with pytest.raises(stool.ValidationError, match=r"AgentModel\.weights"):
            find(ss.agent_models(**zeros), lambda _: True, settings=once)
