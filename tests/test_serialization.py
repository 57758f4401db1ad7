"""Tests for stool.serialization: lossless round trips and strict structuring."""

from __future__ import annotations

import json
import math
from typing import Any, Literal, Optional

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import stool
from stool import (
    Agent,
    Authority,
    Channel,
    Company,
    Customer,
    CustomerType,
    Interaction,
    Leg,
    Verdict,
    structure,
    unstructure,
)
from stool import events as ev
from stool import serialization as ser
from stool._text import shown
from stool.interaction import FIELD_NAMES
from stool.strategies import (
    agents,
    authorities,
    channels,
    companies,
    customer_types,
    customers,
    events,
    interactions,
    legs,
    verdicts,
)

VALUES = st.one_of(interactions(), customers(), agents(), companies(), events())
MEMBERS = st.one_of(legs(), channels(), customer_types(), authorities(), verdicts())


def via_json(data: Any) -> Any:
    """Send data through strict JSON text and back."""
    return json.loads(json.dumps(data, allow_nan=False))


def assert_json_data(data: Any) -> None:
    """Assert that data holds only dicts with str keys, lists, str, int, float, bool, None."""
    if isinstance(data, dict):
        for key, value in data.items():
            assert type(key) is str
            assert_json_data(value)
    elif isinstance(data, list):
        for item in data:
            assert_json_data(item)
    else:
        assert data is None or type(data) in {str, int, float, bool}
        if type(data) is float:
            assert math.isfinite(data)


def same_types(a: Any, b: Any) -> bool:
    """Every field of two attrs values has the same type on both sides."""
    return all(type(getattr(a, f.name)) is type(getattr(b, f.name)) for f in attrs.fields(type(a)))


class TestRoundTrip:
    """structure(unstructure(x), type(x)) == x for every public value."""

    @given(VALUES)
    def test_value_round_trip(self, value):
        """Every public value comes back equal, field types included."""
        again = structure(unstructure(value), type(value))
        assert again == value
        assert same_types(again, value)

    @given(VALUES)
    def test_value_round_trip_through_json(self, value):
        """Every public value survives json.dumps and json.loads (no NaN, no tuples)."""
        again = structure(via_json(unstructure(value)), type(value))
        assert again == value
        assert same_types(again, value)

    @given(events())
    def test_event_round_trip_as_base_class(self, event):
        """An event read as Event comes back as its own class, equal."""
        again = structure(via_json(unstructure(event)), ev.Event)
        assert type(again) is type(event)
        assert again == event

    @given(MEMBERS)
    def test_enum_round_trip(self, member):
        """Enum members are written as their names and read back."""
        assert unstructure(member) == member.name
        assert structure(via_json(unstructure(member)), type(member)) is member

    @given(st.lists(interactions(), max_size=5).map(tuple))
    def test_tuple_of_interactions(self, batch):
        """A tuple of interactions round-trips as a list of objects."""
        data = via_json(unstructure(batch))
        assert isinstance(data, list)
        assert structure(data, tuple[Interaction, ...]) == batch

    @given(st.lists(events(), max_size=10))
    def test_list_of_mixed_events(self, moves):
        """A list of moves of mixed kinds comes back in order, each of its own kind."""
        assert structure(via_json(unstructure(moves)), list[ev.Event]) == moves

    @given(st.dictionaries(st.text(), customers(), max_size=4))
    def test_dict_of_customers(self, table):
        """A dict of customers keyed by str round-trips."""
        assert structure(via_json(unstructure(table)), dict[str, Customer]) == table

    @given(st.dictionaries(legs(), st.floats(allow_nan=False, allow_infinity=False)))
    def test_enum_keyed_dict(self, table):
        """Enum keys are written as names and read back as members."""
        data = via_json(unstructure(table))
        assert set(data) == {leg.name for leg in table}
        assert structure(data, dict[Leg, float]) == table

    @given(st.frozensets(channels()))
    def test_frozenset_of_members(self, members):
        """A frozenset is written as a sorted list and read back equal."""
        data = unstructure(members)
        assert data == sorted(data)
        assert structure(via_json(data), frozenset[Channel]) == members

    @given(st.none() | interactions())
    def test_optional(self, value):
        """None and a value both round-trip through an Optional type."""
        assert structure(via_json(unstructure(value)), Optional[Interaction]) == value  # noqa: UP045

    @given(interactions())
    def test_fixed_tuple(self, interaction):
        """A fixed-length tuple type reads each position with its own type."""
        value = (interaction, Leg.AGENT, 3)
        assert structure(via_json(unstructure(value)), tuple[Interaction, Leg, int]) == value

    @pytest.mark.parametrize("value", [2**53 + 1, 10**300, 2**63])
    def test_large_whole_numbers_are_lossless(self, value):
        """A whole number in a real field comes back exactly, not rounded to a float."""
        interaction = Interaction(customer_value=value)
        again = structure(via_json(unstructure(interaction)), Interaction)
        assert again.customer_value == value
        assert again == interaction

    def test_whole_number_in_real_field_accepted(self):
        """JSON `300` is fine for a float field (JSON writers drop the `.0`)."""
        assert structure({"handle_time_s": 300}, Interaction).handle_time_s == 300


class TestUnstructureShape:
    """unstructure writes plain JSON data in a documented shape."""

    @given(VALUES)
    def test_plain_json_data(self, value):
        """The result holds only JSON types and str keys."""
        assert_json_data(unstructure(value))

    @given(interactions())
    def test_interaction_keys_are_field_names(self, interaction):
        """An interaction is one flat object keyed by its field names, in order."""
        data = unstructure(interaction)
        assert list(data) == list(FIELD_NAMES)
        assert data["channel"] == interaction.channel.name
        assert data["authority"] == interaction.authority.name

    @given(events())
    def test_events_carry_type(self, event):
        """An event's data starts with a "type" key naming its class, then its fields."""
        data = unstructure(event)
        assert next(iter(data)) == "type"
        assert data["type"] == type(event).__name__
        assert set(data) - {"type"} == {a.name for a in attrs.fields(type(event))}

    @pytest.mark.parametrize("cls", list(ev.EVENT_TYPES.values()))
    def test_field_less_events_are_just_a_type(self, cls):
        """A default move is written with its type, even when it has no fields."""
        data = unstructure(cls())
        assert data["type"] == cls.__name__

    def test_parties_are_not_events(self):
        """Only events carry a "type" key."""
        assert "type" not in unstructure(Customer(id="c"))
        assert "type" not in unstructure(Interaction())

    @pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
    def test_non_finite_refused(self, bad):
        """NaN and infinities have no JSON form: unstructure raises, naming the path."""
        with pytest.raises(stool.ValidationError) as info:
            unstructure({"scores": [0.5, bad]})
        assert info.value.field == "value.scores[1]"

    def test_arbitrary_object_refused(self):
        """An object with no JSON form raises instead of being stringified."""
        with pytest.raises(stool.ValidationError) as info:
            unstructure({"when": object()})
        assert info.value.field == "value.when"

    @pytest.mark.parametrize("key", [1, 2.5, None, (1, 2)])
    def test_non_string_keys_refused(self, key):
        """Dict keys must be strings or enum members."""
        with pytest.raises(stool.ValidationError):
            unstructure({key: 1})

    def test_enum_members_in_containers(self):
        """Members inside lists and dict values are written as names."""
        data = unstructure(
            {"verdicts": [Verdict.BENT, Verdict.BROKEN], "type": CustomerType.SATISFIED}
        )
        assert data == {"verdicts": ["BENT", "BROKEN"], "type": "SATISFIED"}


WRONG_TYPES = [
    ("fulfilment", "0.5", "Interaction.fulfilment"),
    ("fulfilment", True, "Interaction.fulfilment"),
    ("handle_time_s", None, "Interaction.handle_time_s"),
    ("fulfilment", [0.5], "Interaction.fulfilment"),
    ("transfers", 1.0, "Interaction.transfers"),
    ("transfers", "1", "Interaction.transfers"),
    ("transfers", False, "Interaction.transfers"),
    ("extra_mile", 1, "Interaction.extra_mile"),
    ("extra_mile", "true", "Interaction.extra_mile"),
    ("channel", 1, "Interaction.channel"),
    ("channel", "CALL ", "Interaction.channel"),
    ("channel", "FAX", "Interaction.channel"),
    ("channel", None, "Interaction.channel"),
    ("authority", 2, "Interaction.authority"),
    ("csat", 4.0, "Interaction.csat"),
    ("csat", "5", "Interaction.csat"),
    ("promised_days", "3", "Interaction.promised_days"),
]

OUT_OF_RANGE = [
    ("fulfilment", 1.5),
    ("fulfilment", -0.1),
    ("handle_time_s", -1.0),
    ("aht_target_s", 0),
    ("transfers", -1),
    ("csat", 0),
    ("csat", 6),
    ("promised_days", -2.0),
    ("customer_value", 10**400),
]


class TestStrictStructure:
    """structure refuses bad data with a StoolError naming the key path."""

    def test_empty_object_is_the_default(self):
        """Missing optional keys take their defaults."""
        assert structure({}, Interaction) == Interaction()

    @pytest.mark.parametrize(("key", "bad", "path"), WRONG_TYPES)
    def test_wrong_types(self, key, bad, path):
        """A value of the wrong type raises, naming the key path and the value."""
        with pytest.raises(stool.StoolError) as info:
            structure({key: bad}, Interaction)
        error = info.value
        assert isinstance(error, stool.ValidationError)
        assert error.field == path
        assert error.value == bad
        assert shown(bad) in str(error)

    @pytest.mark.parametrize(("key", "bad"), OUT_OF_RANGE)
    def test_out_of_range(self, key, bad):
        """A value of the right type but out of range raises, naming the key."""
        with pytest.raises(stool.ValidationError) as info:
            structure({key: bad}, Interaction)
        assert info.value.field == f"Interaction.{key}"
        assert info.value.value == bad

    @pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
    def test_non_finite_numbers_from_json(self, bad):
        """NaN and Infinity, which lenient JSON readers accept, are refused."""
        with pytest.raises(stool.ValidationError) as info:
            structure({"wait_time_s": bad}, Interaction)
        assert info.value.field == "Interaction.wait_time_s"

    @given(interactions(), st.text(min_size=1).filter(lambda k: k not in FIELD_NAMES))
    def test_unknown_key(self, interaction, key):
        """Any key that is not a field raises, naming it and listing the fields."""
        data = {**unstructure(interaction), key: 1}
        with pytest.raises(stool.ValidationError) as info:
            structure(data, Interaction)
        assert info.value.field == f"Interaction.{key}"
        assert "fulfilment" in info.value.allowed

    def test_unknown_key_is_never_dropped(self):
        """A misspelt field is an error, not silently ignored."""
        with pytest.raises(stool.ValidationError, match="fulfillment"):
            structure({"fulfillment": 0.5}, Interaction)

    @pytest.mark.parametrize(("cls", "key"), [(Customer, "id"), (Agent, "id"), (Company, "name")])
    def test_missing_required_key(self, cls, key):
        """A required key that is missing raises, naming it."""
        with pytest.raises(stool.ValidationError) as info:
            structure({}, cls)
        assert info.value.field == f"{cls.__name__}.{key}"
        assert "required" in info.value.allowed

    @pytest.mark.parametrize("bad", [[], "x", 1, None, [("fulfilment", 1.0)]])
    def test_not_an_object(self, bad):
        """Data that is not a mapping raises, naming the class."""
        with pytest.raises(stool.ValidationError) as info:
            structure(bad, Interaction)
        assert info.value.field == "Interaction"

    def test_nested_unknown_key_path(self):
        """In a list, the error names the index and the key."""
        good = unstructure(Interaction())
        with pytest.raises(stool.ValidationError) as info:
            structure([good, {**good, "bogus": 1}], tuple[Interaction, ...])
        assert info.value.field.endswith("[1].bogus")

    def test_nested_bad_value_path(self):
        """In a list, a bad value names the index and the key."""
        with pytest.raises(stool.ValidationError) as info:
            structure([{}, {}, {"fulfilment": 2.0}], list[Interaction])
        assert info.value.field.endswith("[2].fulfilment")
        assert info.value.value == 2.0

    def test_nested_in_dict_path(self):
        """In a dict, the error names the dict key and the field."""
        with pytest.raises(stool.ValidationError) as info:
            structure({"alice": {"id": ""}}, dict[str, Customer])
        assert info.value.field.endswith("alice.id")

    def test_sequence_not_a_list(self):
        """A tuple type needs a list."""
        with pytest.raises(stool.ValidationError):
            structure({"a": 1}, tuple[Interaction, ...])

    def test_fixed_tuple_length(self):
        """A fixed-length tuple type needs exactly that many items."""
        with pytest.raises(stool.ValidationError):
            structure([1, 2, 3], tuple[int, int])

    def test_literal(self):
        """A Literal type accepts exactly its values, of the same type."""
        assert structure("a", Literal["a", "b"]) == "a"
        with pytest.raises(stool.ValidationError):
            structure("c", Literal["a", "b"])
        with pytest.raises(stool.ValidationError):
            structure(True, Literal[1])

    def test_any_passes_through(self):
        """An Any type takes data as it is."""
        data = {"anything": [1, "two"]}
        assert structure(data, Any) is data  # type: ignore[arg-type]

    def test_union_reports_every_member(self):
        """A value matching no member of a union names what each would allow."""
        with pytest.raises(stool.ValidationError) as info:
            structure("x", int | Leg)  # type: ignore[arg-type]
        assert "whole number" in info.value.allowed
        assert "CUSTOMER" in info.value.allowed

    def test_unsupported_class(self):
        """A class stool cannot build raises a StoolError, not a bare TypeError."""

        class Thing:
            pass

        with pytest.raises(stool.StoolError):
            structure({}, Thing)


class TestEvents:
    """Events are read by their "type" key, strictly."""

    def test_missing_type(self):
        """Event data without "type" raises, naming the type key."""
        with pytest.raises(stool.ValidationError) as info:
            structure({"seconds": 1.0}, ev.Event)
        assert info.value.field == "Event.type"

    @pytest.mark.parametrize("bad", ["Nap", "greet", "Event", 1, None])
    def test_unknown_type(self, bad):
        """An unknown event type raises and lists the known ones."""
        with pytest.raises(stool.ValidationError) as info:
            structure({"type": bad}, ev.Event)
        assert info.value.field == "Event.type"
        assert info.value.value == bad
        for name in ev.EVENT_TYPES:
            assert name in info.value.allowed

    def test_type_must_match_requested_class(self):
        """Reading Resolve data as Greet raises instead of returning the wrong class."""
        with pytest.raises(stool.ValidationError) as info:
            structure(unstructure(ev.Resolve()), ev.Greet)
        assert info.value.field == "Greet.type"

    def test_event_field_error_names_path(self):
        """A bad event field is named under the requested class's path."""
        with pytest.raises(stool.ValidationError) as info:
            structure({"type": "Greet", "seconds": -1.0}, ev.Event)
        assert info.value.field == "Event.seconds"
        with pytest.raises(stool.ValidationError) as info:
            structure({"type": "Greet", "seconds": -1.0}, ev.Greet)
        assert info.value.field == "Greet.seconds"

    def test_event_unknown_key(self):
        """An event key that is not a field of that event raises."""
        with pytest.raises(stool.ValidationError) as info:
            structure({"type": "Thank", "seconds": 1.0}, ev.Event)
        assert info.value.field == "Event.seconds"

    def test_escalate_by_name(self):
        """Escalate's target is read by name, and AGENT is still refused."""
        assert structure({"type": "Escalate", "to": "MANAGER"}, ev.Event) == ev.Escalate(
            to=Authority.MANAGER
        )
        with pytest.raises(stool.ValidationError):
            structure({"type": "Escalate", "to": "AGENT"}, ev.Event)


@attrs.frozen
class Point:
    """A test value with its own wire format."""

    x: int
    y: int


@attrs.frozen
class Point3(Point):
    """A subclass that inherits the wire format."""

    z: int = 0


class TestRegister:
    """register gives a class (and its subclasses) its own wire format."""

    @pytest.fixture(autouse=True)
    def _private_registry(self, monkeypatch):
        monkeypatch.setattr(ser, "_unstructure_hooks", dict(ser._unstructure_hooks))
        monkeypatch.setattr(ser, "_structure_hooks", dict(ser._structure_hooks))

    def test_hooks_used_both_ways(self):
        """The registered hooks write and read the value."""
        seen: list[str] = []

        def read(data: Any, path: str) -> Point:
            seen.append(path)
            return Point(*data)

        stool.serialization.register(Point, unstructure=lambda p: [p.x, p.y], structure=read)
        assert unstructure({"p": Point(1, 2)}) == {"p": [1, 2]}
        assert structure({"p": [1, 2]}, dict[str, Point]) == {"p": Point(1, 2)}
        assert seen == ["dict.p"]

    def test_subclass_inherits_hook(self):
        """A subclass without its own hook uses its base class's hook."""
        stool.serialization.register(Point, unstructure=lambda p: "point")
        assert unstructure(Point3(1, 2, 3)) == "point"

    def test_one_direction_only(self):
        """Registering only an unstructure hook leaves structuring to the default."""
        stool.serialization.register(Point, unstructure=lambda p: [p.x, p.y])
        assert structure({"x": 1, "y": 2}, Point) == Point(1, 2)

    def test_without_hooks_attrs_default(self):
        """Without hooks, an attrs class is written field by field."""
        assert unstructure(Point(1, 2)) == {"x": 1, "y": 2}
