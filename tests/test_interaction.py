"""Tests for stool.interaction: the Interaction record, classify and the field tables."""

from __future__ import annotations

import inspect
import math

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import stool
from stool import CustomerType, Interaction, classify
from stool.enums import Authority, Channel
from stool.interaction import (
    FIELD_DEFAULTS,
    FIELD_NAMES,
    FIELD_SPECS,
    FULFILLED_AT,
    UNPROFESSIONAL_BELOW,
    taxonomy_code,
)
from stool.strategies import agents, companies, customers, interactions

# The fields issue 2 names, with exactly these names.
CONTRACT_FIELDS = (
    "channel",
    "fulfilment",
    "professionalism",
    "explanation_clarity",
    "extra_mile",
    "handle_time_s",
    "aht_target_s",
    "wait_time_s",
    "transfers",
    "repeat_contacts",
    "promised_days",
    "delivered_days",
    "prior_bad_experiences",
    "customer_abuse",
    "escalated",
    "bends",
    "breaks",
    "concession_cost",
    "thanked",
    "csat",
)

THRESHOLDS = st.floats(0.0, 1.0)
# Interactions whose type-deciding fields were all observed.
KNOWN = interactions(
    fulfilment=st.floats(0.0, 1.0),
    professionalism=st.floats(0.0, 1.0),
    extra_mile=st.booleans(),
)
BAD_THRESHOLDS = [math.nan, math.inf, -math.inf, -0.01, 1.01, 2, -1, True, False, "0.5", None]


def expected_type(
    fulfilment: float | None,
    professionalism: float | None,
    extra_mile: bool | None,
    at: float,
    below: float,
) -> CustomerType | None:
    """The taxonomy of the source stories, written out as its table reads; None when an
    input the row needs was not observed."""
    if fulfilment is None:
        return None
    fulfilled = fulfilment >= at
    if (fulfilled and extra_mile is None) or (not fulfilled and professionalism is None):
        return None
    unprofessional = professionalism is not None and professionalism < below
    if fulfilled and extra_mile:
        return CustomerType.VERY_SATISFIED
    if fulfilled:
        return CustomerType.SATISFIED
    if unprofessional:
        return CustomerType.VERY_DISSATISFIED
    return CustomerType.DISSATISFIED


class TestInteractionRecord:
    """Interaction is a flat, frozen, slotted, hashable record with neutral defaults."""

    def test_contract_fields_present(self):
        """Every field issue 2 names exists, with exactly that name."""
        names = {a.name for a in attrs.fields(Interaction)}
        assert set(CONTRACT_FIELDS) <= names

    def test_no_arguments_needed(self):
        """Interaction() builds, so every field has a default."""
        assert all(a.default is not attrs.NOTHING for a in attrs.fields(Interaction))
        assert isinstance(Interaction(), Interaction)

    def test_default_is_a_routine_contact(self):
        """The default is the documented routine contact: met, courteous, on time."""
        i = Interaction()
        assert i.channel is Channel.CALL
        assert i.fulfilment == 1.0
        assert i.professionalism == 1.0
        assert i.explanation_clarity == 1.0
        assert i.handle_time_s <= i.aht_target_s
        assert (i.transfers, i.repeat_contacts, i.bends, i.breaks) == (0, 0, 0, 0)
        assert (i.prior_bad_experiences, i.wait_time_s, i.customer_abuse) == (0, 0.0, 0.0)
        assert not i.extra_mile
        assert not i.escalated
        assert not i.thanked
        assert not i.ended_by_agent
        assert (i.promised_days, i.delivered_days, i.csat) == (None, None, None)
        assert i.authority is Authority.AGENT
        assert i.concession_cost == 0.0
        assert classify(i) is CustomerType.SATISFIED

    def test_keyword_only(self):
        """Fields are keyword-only: positional arguments are refused."""
        with pytest.raises(TypeError):
            Interaction(Channel.CALL)  # type: ignore[misc]

    def test_slotted(self):
        """Instances have slots and no __dict__ (small, fast records)."""
        assert "__slots__" in vars(Interaction)
        assert not hasattr(Interaction(), "__dict__")

    @given(interactions())
    def test_frozen(self, interaction):
        """No field can be assigned or deleted after construction."""
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            interaction.fulfilment = 0.5
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            del interaction.fulfilment

    @given(interactions())
    def test_equal_copies_hash_equal(self, interaction):
        """A field-by-field copy is equal and hashes the same (usable in sets and dicts)."""
        copy = Interaction(**attrs.asdict(interaction, recurse=False))
        assert copy == interaction
        assert hash(copy) == hash(interaction)
        assert len({copy, interaction}) == 1

    @given(interactions(), interactions())
    def test_equality_is_by_value(self, a, b):
        """Two interactions are equal exactly when every field is equal."""
        assert (a == b) == (attrs.astuple(a, recurse=False) == attrs.astuple(b, recurse=False))

    @given(interactions(), st.floats(0.0, 1.0))
    def test_replace_changes_one_field(self, interaction, value):
        """replace() returns a copy with the change and leaves the original alone."""
        before = attrs.asdict(interaction, recurse=False)
        after = interaction.replace(fulfilment=value)
        assert after.fulfilment == value
        assert attrs.asdict(interaction, recurse=False) == before
        assert {**before, "fulfilment": value} == attrs.asdict(after, recurse=False)

    @pytest.mark.parametrize(
        ("name", "bad"),
        [("fulfilment", 1.5), ("transfers", -1), ("csat", 6), ("channel", "PHONE")],
    )
    def test_replace_validates(self, name, bad):
        """replace() validates as the constructor does."""
        with pytest.raises(stool.ValidationError) as info:
            Interaction().replace(**{name: bad})
        assert info.value.field == f"Interaction.{name}"

    def test_replace_unknown_field(self):
        """replace() refuses a name that is not a field, with a ValidationError."""
        with pytest.raises(stool.ValidationError, match=r"Interaction\.satisfaction"):
            Interaction().replace(satisfaction=1.0)

    def test_repr_names_every_field(self):
        """The repr names every field, so a printed interaction shows all the facts."""
        text = repr(Interaction(fulfilment=0.25, transfers=2))
        for name in FIELD_NAMES:
            assert f"{name}=" in text
        assert "fulfilment=0.25" in text
        assert "transfers=2" in text


class TestFieldTables:
    """FIELD_NAMES, FIELD_DEFAULTS and FIELD_SPECS describe Interaction exactly."""

    def test_names_in_declaration_order(self):
        """FIELD_NAMES lists the fields in declaration order."""
        assert [a.name for a in attrs.fields(Interaction)] == list(FIELD_NAMES)

    def test_names_unique(self):
        """No field name appears twice."""
        assert len(set(FIELD_NAMES)) == len(FIELD_NAMES)

    def test_defaults_match_default_instance(self):
        """FIELD_DEFAULTS holds exactly the values of Interaction()."""
        assert set(FIELD_DEFAULTS) == set(FIELD_NAMES)
        default = Interaction()
        for name, value in FIELD_DEFAULTS.items():
            assert getattr(default, name) == value
            assert type(getattr(default, name)) is type(value)

    def test_defaults_build_the_default(self):
        """Interaction(**FIELD_DEFAULTS) is Interaction()."""
        assert Interaction(**FIELD_DEFAULTS) == Interaction()

    def test_every_field_has_a_spec(self):
        """Every field has a Spec (batches and strategies read them)."""
        assert set(FIELD_SPECS) == set(FIELD_NAMES)
        assert all(spec is not None for spec in FIELD_SPECS.values())

    def test_defaults_pass_their_specs(self):
        """Every default is valid under its own Spec."""
        for name, spec in FIELD_SPECS.items():
            assert spec is not None
            spec.check(name, FIELD_DEFAULTS[name])


class TestClassify:
    """classify implements the four customer types of seed 000 exactly."""

    @pytest.mark.parametrize("fulfilled", [True, False])
    @pytest.mark.parametrize("extra_mile", [True, False])
    @pytest.mark.parametrize("professional", [True, False])
    def test_taxonomy_table(self, fulfilled, extra_mile, professional):
        """Every combination of fulfilled, extra mile and professional gets its row's type."""
        interaction = Interaction(
            fulfilment=1.0 if fulfilled else 0.0,
            professionalism=1.0 if professional else 0.0,
            extra_mile=extra_mile,
        )
        if fulfilled:
            expected = CustomerType.VERY_SATISFIED if extra_mile else CustomerType.SATISFIED
        else:
            expected = CustomerType.DISSATISFIED if professional else CustomerType.VERY_DISSATISFIED
        assert classify(interaction) is expected

    @given(interactions(), THRESHOLDS, THRESHOLDS)
    def test_matches_table_for_any_interaction_and_thresholds(self, interaction, at, below):
        """For any interaction and thresholds, classify follows the table."""
        got = classify(interaction, fulfilled_at=at, unprofessional_below=below)
        assert got is expected_type(
            interaction.fulfilment, interaction.professionalism, interaction.extra_mile, at, below
        )

    @given(interactions(), interactions())
    def test_reads_only_three_fields(self, a, b):
        """Only fulfilment, professionalism and extra_mile decide the type (csat never does)."""
        mixed = b.replace(
            fulfilment=a.fulfilment, professionalism=a.professionalism, extra_mile=a.extra_mile
        )
        assert classify(mixed) is classify(a)

    @given(interactions(), THRESHOLDS)
    def test_fulfilled_at_is_inclusive(self, interaction, at):
        """Fulfilment exactly at fulfilled_at counts as fulfilled; just below does not."""
        at_edge = interaction.replace(fulfilment=at, extra_mile=False)
        assert classify(at_edge, fulfilled_at=at) is CustomerType.SATISFIED
        if at > 0.0:
            below = interaction.replace(fulfilment=math.nextafter(at, 0.0), professionalism=1.0)
            assert classify(below, fulfilled_at=at) in {
                CustomerType.DISSATISFIED,
                CustomerType.VERY_DISSATISFIED,
            }

    @given(interactions(), THRESHOLDS)
    def test_unprofessional_below_is_exclusive(self, interaction, below):
        """Professionalism exactly at unprofessional_below is professional; just below is not."""
        unmet = interaction.replace(fulfilment=0.0)
        at_edge = unmet.replace(professionalism=below)
        assert (
            classify(at_edge, fulfilled_at=1.0, unprofessional_below=below)
            is CustomerType.DISSATISFIED
        )
        if below > 0.0:
            under = unmet.replace(professionalism=math.nextafter(below, 0.0))
            assert (
                classify(under, fulfilled_at=1.0, unprofessional_below=below)
                is CustomerType.VERY_DISSATISFIED
            )

    def test_default_threshold_edges(self):
        """The defaults are FULFILLED_AT and UNPROFESSIONAL_BELOW, at the documented edges."""
        assert classify(Interaction(fulfilment=FULFILLED_AT)) is CustomerType.SATISFIED
        just_under = math.nextafter(FULFILLED_AT, 0.0)
        assert classify(Interaction(fulfilment=just_under)) is CustomerType.DISSATISFIED
        rude = Interaction(fulfilment=0.0, professionalism=math.nextafter(UNPROFESSIONAL_BELOW, 0))
        assert classify(rude) is CustomerType.VERY_DISSATISFIED
        edge = Interaction(fulfilment=0.0, professionalism=UNPROFESSIONAL_BELOW)
        assert classify(edge) is CustomerType.DISSATISFIED

    def test_thresholds_are_documented_defaults(self):
        """The signature's defaults are the named constants, and both are keyword-only."""
        params = inspect.signature(classify).parameters
        assert params["fulfilled_at"].default == FULFILLED_AT
        assert params["unprofessional_below"].default == UNPROFESSIONAL_BELOW
        assert params["fulfilled_at"].kind is inspect.Parameter.KEYWORD_ONLY
        assert params["unprofessional_below"].kind is inspect.Parameter.KEYWORD_ONLY
        assert 0.0 <= UNPROFESSIONAL_BELOW <= 1.0
        assert 0.0 <= FULFILLED_AT <= 1.0

    def test_thresholds_not_positional(self):
        """Passing a threshold positionally is a TypeError."""
        with pytest.raises(TypeError):
            classify(Interaction(), 0.5)  # type: ignore[misc]

    def test_extreme_thresholds(self):
        """fulfilled_at=0 fulfils everything; unprofessional_below=0 flags nobody."""
        nothing = Interaction(fulfilment=0.0, professionalism=0.0)
        assert classify(nothing, fulfilled_at=0.0) is CustomerType.SATISFIED
        assert (
            classify(nothing, fulfilled_at=1.0, unprofessional_below=0.0)
            is CustomerType.DISSATISFIED
        )
        almost = Interaction(fulfilment=math.nextafter(1.0, 0.0), professionalism=0.99)
        assert (
            classify(almost, fulfilled_at=1.0, unprofessional_below=1.0)
            is CustomerType.VERY_DISSATISFIED
        )

    def test_int_thresholds_accepted(self):
        """Whole-number thresholds 0 and 1 are numbers from 0 to 1 too."""
        assert classify(Interaction(fulfilment=0.0), fulfilled_at=0) is CustomerType.SATISFIED
        assert classify(Interaction(fulfilment=0.99), fulfilled_at=1) is CustomerType.DISSATISFIED

    @pytest.mark.parametrize("name", ["fulfilled_at", "unprofessional_below"])
    @pytest.mark.parametrize("bad", BAD_THRESHOLDS, ids=repr)
    def test_bad_thresholds_raise(self, name, bad):
        """A threshold that is not a number from 0 to 1 raises, naming it and its value."""
        with pytest.raises(stool.ValidationError) as info:
            classify(Interaction(), **{name: bad})
        assert info.value.field == f"classify.{name}"
        assert info.value.value is bad
        assert "0 to 1" in info.value.allowed
        assert name in str(info.value)

    @pytest.mark.parametrize("bad", [None, {"fulfilment": 1.0}, "SATISFIED"], ids=repr)
    def test_rejects_what_is_not_an_interaction(self, bad):
        """Something other than an Interaction raises ValidationError naming it."""
        with pytest.raises(stool.ValidationError, match=r"classify\.interaction") as info:
            classify(bad)
        assert info.value.value is bad

    def test_numpy_thresholds_accepted(self):
        """A numpy number is a threshold as a Python float is, as in every field."""
        at = np.float64(0.5)
        assert classify(Interaction(fulfilment=0.6), fulfilled_at=at) is CustomerType.SATISFIED
        rude = Interaction(fulfilment=0.0, professionalism=0.6)
        below = np.float32(0.75)
        assert classify(rude, unprofessional_below=below) is CustomerType.VERY_DISSATISFIED

    @given(KNOWN)
    def test_returns_a_member(self, interaction):
        """classify returns a CustomerType member when its inputs were observed."""
        assert isinstance(classify(interaction), CustomerType)

    @pytest.mark.parametrize(
        "facts",
        [
            {"fulfilment": None},
            {"fulfilment": 1.0, "extra_mile": None},
            {"fulfilment": 0.0, "professionalism": None},
        ],
    )
    def test_unknown_input_gives_none(self, facts):
        """When an input the type needs was not observed, classify says None, not a guess."""
        assert classify(Interaction(**facts)) is None

    def test_an_input_the_type_does_not_need_may_be_unknown(self):
        """A fulfilled request needs no professionalism; an unfulfilled one no extra mile."""
        fulfilled = Interaction(fulfilment=1.0, professionalism=None)
        refused = Interaction(fulfilment=0.0, extra_mile=None, professionalism=0.1)
        assert classify(fulfilled) is CustomerType.SATISFIED
        assert classify(refused) is CustomerType.VERY_DISSATISFIED


class TestTaxonomyCode:
    """taxonomy_code gives the same answer on floats and on numpy arrays."""

    @given(st.lists(KNOWN, min_size=1, max_size=20), THRESHOLDS, THRESHOLDS)
    def test_array_path_equals_float_path(self, batch, at, below):
        """The array expression gives, row by row, the code of classify on each row."""
        fulfilment = np.array([i.fulfilment for i in batch])
        professionalism = np.array([i.professionalism for i in batch])
        extra = np.array([i.extra_mile for i in batch])
        codes = taxonomy_code(fulfilment, professionalism, extra, at, below)
        members = list(CustomerType)
        for code, interaction in zip(codes.tolist(), batch, strict=True):
            got = classify(interaction, fulfilled_at=at, unprofessional_below=below)
            assert members[code] is got

    @given(KNOWN, THRESHOLDS, THRESHOLDS)
    def test_scalar_code_is_the_member_index(self, interaction, at, below):
        """On scalars, the code is the index of classify's answer in CustomerType."""
        code = taxonomy_code(
            interaction.fulfilment, interaction.professionalism, interaction.extra_mile, at, below
        )
        got = classify(interaction, fulfilled_at=at, unprofessional_below=below)
        assert list(CustomerType)[code] is got


class TestForParties:
    """Interaction.for_parties copies the documented facts of the parties."""

    @given(customers(), agents(), companies())
    def test_copies_documented_facts(self, customer, agent, company):
        """Each documented party attribute lands in its interaction field."""
        i = Interaction.for_parties(customer=customer, agent=agent, company=company)
        assert i.expectation == customer.expectations
        assert i.prior_bad_experiences == customer.prior_bad_experiences
        assert i.customer_value == customer.lifetime_value
        assert i.agent_fatigue == agent.fatigue
        assert i.authority is agent.authority
        assert i.aht_target_s == company.aht_target_s
        assert i.concession_budget == company.concession_budget

    @given(customers(), agents(), companies())
    def test_copies_nothing_else(self, customer, agent, company):
        """Fields the docstring does not name keep their defaults."""
        copied = {
            "expectation",
            "prior_bad_experiences",
            "customer_value",
            "agent_fatigue",
            "authority",
            "aht_target_s",
            "concession_budget",
        }
        i = Interaction.for_parties(customer=customer, agent=agent, company=company)
        for name in set(FIELD_NAMES) - copied:
            assert getattr(i, name) == FIELD_DEFAULTS[name]

    @pytest.mark.parametrize("party", ["customer", "agent", "company"])
    def test_each_party_alone(self, party):
        """Each party may be given alone; the others' fields keep their defaults."""
        parties = {
            "customer": stool.Customer(id="c", expectations=0.1, prior_bad_experiences=3),
            "agent": stool.Agent(id="a", fatigue=0.7, authority=Authority.MANAGER),
            "company": stool.Company(name="n", aht_target_s=90.0, concession_budget=5.0),
        }
        i = Interaction.for_parties(**{party: parties[party]})
        changed = {n for n in FIELD_NAMES if getattr(i, n) != FIELD_DEFAULTS[n]}
        expected = {
            "customer": {"expectation", "prior_bad_experiences"},
            "agent": {"agent_fatigue", "authority"},
            "company": {"aht_target_s", "concession_budget"},
        }[party]
        assert changed == expected

    def test_no_parties_is_the_default(self):
        """With no parties and no facts, the result is Interaction()."""
        assert Interaction.for_parties() == Interaction()

    @given(customers(), agents(), companies(), interactions())
    def test_facts_win_over_parties(self, customer, agent, company, facts):
        """Keyword facts override what the parties would set."""
        given_facts = attrs.asdict(facts, recurse=False)
        i = Interaction.for_parties(customer=customer, agent=agent, company=company, **given_facts)
        assert i == facts

    def test_unknown_fact_raises(self):
        """A fact that is not a field raises ValidationError naming it."""
        with pytest.raises(stool.ValidationError) as info:
            Interaction.for_parties(satisfaction=0.9)
        assert info.value.field == "Interaction.satisfaction"
        assert info.value.value == 0.9

    def test_invalid_fact_raises(self):
        """A fact outside its range raises ValidationError naming the field."""
        with pytest.raises(stool.ValidationError) as info:
            Interaction.for_parties(customer=stool.Customer(id="c"), fulfilment=-0.1)
        assert info.value.field == "Interaction.fulfilment"


class TestMisspeltFields:
    @pytest.mark.parametrize(
        ("given_name", "hint"),
        [("fulfillment", "fulfilment"), ("empahty", "empathy"), ("handle_time", "handle_time_s")],
    )
    def test_hint_names_the_field(self, given_name, hint):
        """A misspelt field is a ValidationError saying which field was meant."""
        with pytest.raises(stool.ValidationError) as info:
            Interaction(**{given_name: 1.0})
        assert f"did you mean {hint!r}" in str(info.value)
        assert info.value.field == f"Interaction.{given_name}"

    def test_far_from_any_field(self):
        """A name like no field is refused without a guess."""
        with pytest.raises(stool.ValidationError) as info:
            Interaction(zzz=1)
        assert "did you mean" not in str(info.value)

    def test_other_type_errors_stay_type_errors(self):
        """A positional argument is still a TypeError, as for any keyword-only class."""
        with pytest.raises(TypeError):
            Interaction(1.0)  # type: ignore[misc]

    def test_signature_is_kept(self):
        """The constructor's signature still lists every field, for help() and tools."""
        assert list(inspect.signature(Interaction).parameters) == list(FIELD_NAMES)

    @given(interactions())
    def test_valid_interactions_unchanged(self, interaction):
        """Building from valid fields gives the same interaction as before."""
        assert Interaction(**attrs.asdict(interaction, recurse=False)) == interaction

    def test_enum_names_in_any_case(self):
        """Enum fields take their names in any case."""
        call = Interaction(channel="email", authority="Supervisor")
        assert (call.channel, call.authority) == (Channel.EMAIL, Authority.SUPERVISOR)
        with pytest.raises(stool.ValidationError, match=r"Interaction\.channel"):
            Interaction(channel="e-mail")
