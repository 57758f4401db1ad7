"""Tests for stool.parties: Customer, Agent and Company as frozen, validated values."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import stool
from stool import Agent, Authority, Company, Customer
from stool.strategies import agents, companies, customers

# Each strategy is built once; the tests draw from it through st.data().
PARTIES = [(Customer, "id", customers()), (Agent, "id", agents()), (Company, "name", companies())]
IDS = ["Customer", "Agent", "Company"]


class TestConstruction:
    """Parties need only their identifier; everything else has a documented default."""

    def test_customer_defaults(self):
        """A customer with only an id is an ordinary customer with no history."""
        c = Customer(id="C-1")
        assert (c.id, c.lifetime_value, c.prior_bad_experiences, c.expectations) == (
            "C-1",
            0.0,
            0,
            0.5,
        )

    def test_agent_defaults(self):
        """An agent with only an id is a fresh front-line agent."""
        a = Agent(id="rep-1")
        assert (a.id, a.authority, a.tenure_months, a.fatigue) == (
            "rep-1",
            Authority.AGENT,
            0.0,
            0.0,
        )

    def test_company_defaults(self):
        """A company with only a name has a positive AHT target and a budget."""
        c = Company(name="Acme")
        assert c.name == "Acme"
        assert c.aht_target_s > 0
        assert c.concession_budget >= 0

    def test_company_aht_matches_interaction_default(self):
        """A company's default AHT target is the one an Interaction assumes by default."""
        assert Company(name="Acme").aht_target_s == stool.Interaction().aht_target_s

    def test_company_budget_matches_interaction_default(self):
        """A company's default concession budget is the one an Interaction assumes."""
        assert Company(name="Acme").concession_budget == stool.Interaction().concession_budget

    @pytest.mark.parametrize(("cls", "key", "strategy"), PARTIES, ids=IDS)
    def test_identifier_required(self, cls, key, strategy):
        """The identifier has no default: leaving it out is a TypeError."""
        with pytest.raises(TypeError):
            cls()

    @pytest.mark.parametrize(("cls", "key", "strategy"), PARTIES, ids=IDS)
    @pytest.mark.parametrize("bad", ["", None, 7, b"id"])
    def test_identifier_never_empty(self, cls, key, strategy, bad):
        """An empty or non-string identifier raises ValidationError naming the field."""
        with pytest.raises(stool.ValidationError) as info:
            cls(**{key: bad})
        assert info.value.field == f"{cls.__name__}.{key}"
        assert "non-empty" in info.value.allowed

    @pytest.mark.parametrize(("cls", "key", "strategy"), PARTIES, ids=IDS)
    def test_keyword_only(self, cls, key, strategy):
        """Parties are built with keywords only."""
        with pytest.raises(TypeError):
            cls("x")

    def test_authority_by_name(self):
        """An agent's authority may be given by its name, in any case."""
        assert Agent(id="s", authority="SUPERVISOR").authority is Authority.SUPERVISOR
        assert Agent(id="s", authority="supervisor").authority is Authority.SUPERVISOR

    @pytest.mark.parametrize("bad", ["super visor", "BOSS", 2, None])
    def test_authority_unknown_name(self, bad):
        """An unknown authority raises, listing the allowed names."""
        with pytest.raises(stool.ValidationError) as info:
            Agent(id="s", authority=bad)
        assert info.value.field == "Agent.authority"
        for name in ("AGENT", "SUPERVISOR", "MANAGER"):
            assert name in info.value.allowed

    @pytest.mark.parametrize(
        ("cls", "kwargs", "field"),
        [
            (Customer, {"lifetime_value": -0.01}, "lifetime_value"),
            (Customer, {"prior_bad_experiences": -1}, "prior_bad_experiences"),
            (Customer, {"prior_bad_experiences": 1.0}, "prior_bad_experiences"),
            (Customer, {"expectations": 1.2}, "expectations"),
            (Agent, {"tenure_months": float("nan")}, "tenure_months"),
            (Agent, {"fatigue": -0.5}, "fatigue"),
            (Company, {"aht_target_s": 0.0}, "aht_target_s"),
            (Company, {"aht_target_s": float("inf")}, "aht_target_s"),
            (Company, {"concession_budget": -1}, "concession_budget"),
        ],
    )
    def test_out_of_range(self, cls, kwargs, field):
        """Out-of-range facts raise ValidationError naming the class and field."""
        ident = {"name": "n"} if cls is Company else {"id": "i"}
        with pytest.raises(stool.ValidationError) as info:
            cls(**ident, **kwargs)
        assert info.value.field == f"{cls.__name__}.{field}"


class TestValueSemantics:
    """Parties are frozen, hashable and compared by value."""

    @pytest.mark.parametrize(("cls", "key", "strategy"), PARTIES, ids=IDS)
    @given(data=st.data())
    def test_frozen(self, cls, key, strategy, data):
        """No attribute can be assigned after construction."""
        party = data.draw(strategy)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(party, key, "other")

    @pytest.mark.parametrize(("cls", "key", "strategy"), PARTIES, ids=IDS)
    @given(data=st.data())
    def test_copy_is_equal_and_hashes_equal(self, cls, key, strategy, data):
        """A field-by-field copy is equal and has the same hash."""
        party = data.draw(strategy)
        copy = cls(**attrs.asdict(party, recurse=False))
        assert copy == party
        assert hash(copy) == hash(party)

    @pytest.mark.parametrize(("cls", "key", "strategy"), PARTIES, ids=IDS)
    @given(data=st.data())
    def test_evolve_revalidates(self, cls, key, strategy, data):
        """attrs.evolve keeps validation: an empty identifier still raises."""
        party = data.draw(strategy)
        with pytest.raises(stool.ValidationError):
            attrs.evolve(party, **{key: ""})

    @pytest.mark.parametrize(("cls", "key", "strategy"), PARTIES, ids=IDS)
    def test_slotted(self, cls, key, strategy):
        """Parties are slotted: no per-instance __dict__."""
        assert not hasattr(cls(**{key: "x"}), "__dict__")

    @given(customers(), customers())
    def test_customers_equal_by_value(self, a, b):
        """Two customers are equal exactly when all their fields are."""
        assert (a == b) == (attrs.astuple(a) == attrs.astuple(b))

    def test_different_parties_never_equal(self):
        """A customer and an agent with the same id are different values."""
        assert Customer(id="x") != Agent(id="x")

    @pytest.mark.parametrize(("cls", "key", "strategy"), PARTIES, ids=IDS)
    def test_exported(self, cls, key, strategy):
        """Each party is importable from stool."""
        assert getattr(stool, cls.__name__) is cls


class TestIntoInteraction:
    """A party's facts reach an interaction only through Interaction.for_parties."""

    @given(agents(authority=st.sampled_from(list(Authority))))
    def test_agent_authority_carries(self, agent):
        """The agent's authority becomes the interaction's authority."""
        assert stool.Interaction.for_parties(agent=agent).authority is agent.authority

    @given(customers())
    def test_customer_expectations_carry(self, customer):
        """The customer's expectations become the interaction's expectation."""
        interaction = stool.Interaction.for_parties(customer=customer)
        assert interaction.expectation == customer.expectations
        assert interaction.customer_value == customer.lifetime_value
