"""Tests for stool.events: every move changes exactly what its docstring says."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import stool
from stool import Authority, Interaction
from stool import events as ev
from stool.strategies import events, interactions

# The moves issue 2 names, at least.
CONTRACT_EVENTS = (
    "Greet",
    "Listen",
    "ExplainPolicy",
    "BadNews",
    "Resolve",
    "ExtraMile",
    "CustomerAbuse",
    "AgentUnprofessional",
    "Escalate",
    "Promise",
    "Deliver",
    "Hold",
    "Transfer",
    "Thank",
    "Survey",
    "EndCall",
)

Effect = Callable[[Any, Any], dict[str, Any]]


def _handle(i: Interaction, e: Any) -> float:
    return i.handle_time_s + e.seconds


def _lower(value, cap):
    """min, where an unobserved value (None) becomes the move's: the move makes it known."""
    return cap if value is None else min(value, cap)


def _higher(value, floor):
    return floor if value is None else max(value, floor)


def _plus(value, seconds):
    """An unobserved wait stays unobserved: its total is still unknown."""
    return None if value is None else value + seconds


# What each move's docstring says it changes, restated as functions of the interaction
# before (i) and the event (e).
EFFECTS: dict[type[ev.Event], Effect] = {
    ev.Greet: lambda i, e: {"handle_time_s": _handle(i, e)},
    ev.Listen: lambda i, e: {"empathy": e.empathy, "handle_time_s": _handle(i, e)},
    ev.ExplainPolicy: lambda i, e: {
        "explanation_clarity": e.clarity,
        "handle_time_s": _handle(i, e),
    },
    ev.BadNews: lambda i, e: {
        "fulfilment": _lower(i.fulfilment, e.fulfilment_cap),
        "handle_time_s": _handle(i, e),
    },
    ev.Resolve: lambda i, e: {"fulfilment": e.fulfilment, "handle_time_s": _handle(i, e)},
    ev.ExtraMile: lambda i, e: {"extra_mile": True, "handle_time_s": _handle(i, e)},
    ev.CustomerAbuse: lambda i, e: {
        "customer_abuse": _higher(i.customer_abuse, e.severity),
        "handle_time_s": _handle(i, e),
    },
    ev.AgentUnprofessional: lambda i, e: {
        "professionalism": _lower(i.professionalism, e.professionalism_shown),
        "handle_time_s": _handle(i, e),
    },
    ev.Escalate: lambda i, e: {
        "escalated": True,
        "authority": max(i.authority, e.to),
        "handle_time_s": _handle(i, e),
    },
    ev.Promise: lambda i, e: {"promised_days": e.days, "handle_time_s": _handle(i, e)},
    ev.Deliver: lambda i, e: {"delivered_days": e.days},
    ev.Hold: lambda i, e: {
        "handle_time_s": _handle(i, e),
        "wait_time_s": _plus(i.wait_time_s, e.seconds),
    },
    ev.Wait: lambda i, e: {"wait_time_s": _plus(i.wait_time_s, e.seconds)},
    ev.Transfer: lambda i, e: {
        "transfers": i.transfers + 1,
        "wait_time_s": _plus(i.wait_time_s, e.seconds),
    },
    ev.RepeatContact: lambda i, e: {"repeat_contacts": i.repeat_contacts + 1},
    ev.Concession: lambda i, e: {
        "concession_cost": i.concession_cost + e.amount,
        "handle_time_s": _handle(i, e),
    },
    ev.Thank: lambda i, e: {"thanked": True},
    ev.Survey: lambda i, e: {"csat": e.csat},
    ev.EndCall: lambda i, e: {"ended_by_agent": e.by_agent, "handle_time_s": _handle(i, e)},
}

EVENT_CLASSES = list(ev.EVENT_TYPES.values())
NAMES = [cls.__name__ for cls in EVENT_CLASSES]


def public_event_classes() -> list[type[ev.Event]]:
    """Every public concrete Event subclass stool.events defines."""
    return [
        obj
        for name in ev.__all__
        if inspect.isclass(obj := getattr(ev, name))
        and issubclass(obj, ev.Event)
        and obj is not ev.Event
    ]


def documented_changes(cls: type[ev.Event]) -> set[str]:
    """The field names assigned in the "Changes:" paragraph of a move's docstring."""
    doc = inspect.getdoc(cls) or ""
    match = re.search(r"Changes:(.*?)(?:\n\s*\n|\Z)", doc, re.DOTALL)
    assert match is not None, f"{cls.__name__} does not document its changes"
    return set(re.findall(r"`(\w+)\s*\+?=", match.group(1)))


def changed_fields(before: Interaction, after: Interaction) -> set[str]:
    """Names of the fields whose values differ."""
    return {
        a.name
        for a in attrs.fields(Interaction)
        if getattr(before, a.name) != getattr(after, a.name)
    }


class TestCatalogue:
    """The catalogue of moves is complete, named and registered."""

    def test_contract_names_exist(self):
        """Every move issue 2 names exists in stool.events and in its __all__."""
        for name in CONTRACT_EVENTS:
            assert name in ev.__all__
            assert issubclass(getattr(ev, name), ev.Event)

    def test_event_types_keys_are_class_names(self):
        """EVENT_TYPES maps each class's own name to the class."""
        assert all(name == cls.__name__ for name, cls in ev.EVENT_TYPES.items())

    def test_event_types_lists_every_public_move(self):
        """Every public move is in EVENT_TYPES, so structure() can read it back."""
        assert set(public_event_classes()) == set(ev.EVENT_TYPES.values())

    def test_effects_table_covers_every_move(self):
        """This module's table restates every registered move."""
        assert set(EFFECTS) == set(ev.EVENT_TYPES.values())

    def test_events_module_exported(self):
        """stool.events is reachable as an attribute of stool."""
        assert stool.events is ev


class TestDefaults:
    """Every move is constructible with no arguments, with sensible defaults."""

    @pytest.mark.parametrize("cls", EVENT_CLASSES, ids=NAMES)
    def test_no_arguments(self, cls):
        """cls() builds a valid move."""
        event = cls()
        attrs.validate(event)
        assert isinstance(event, ev.Event)

    def test_contract_examples(self):
        """The defaults issue 2 gives as examples hold."""
        assert ev.Resolve().fulfilment == 1.0
        assert ev.Escalate().to is Authority.SUPERVISOR
        assert 0.0 < ev.CustomerAbuse().severity <= 1.0
        assert ev.CustomerAbuse(severity=1.0).severity == 1.0

    def test_default_moves_do_what_their_names_say(self):
        """Applied to Interaction(), each default move has its expected visible effect."""
        start = Interaction(fulfilment=0.5, professionalism=1.0)
        assert ev.Resolve()(start).fulfilment == 1.0
        assert ev.BadNews()(start).fulfilment == 0.0
        assert ev.ExtraMile()(start).extra_mile
        assert ev.CustomerAbuse()(start).customer_abuse > 0.0
        assert (
            ev.AgentUnprofessional()(start).professionalism < stool.interaction.UNPROFESSIONAL_BELOW
        )
        assert ev.Escalate()(start).escalated
        assert ev.Promise()(start).promised_days is not None
        assert ev.Deliver()(start).delivered_days is not None
        assert ev.Transfer()(start).transfers == 1
        assert ev.Thank()(start).thanked
        assert ev.Survey()(start).csat is not None
        assert ev.EndCall(by_agent=True)(start).ended_by_agent

    @pytest.mark.parametrize("cls", EVENT_CLASSES, ids=NAMES)
    def test_keyword_only(self, cls):
        """Arguments are keyword-only."""
        if not attrs.fields(cls):
            with pytest.raises(TypeError):
                cls(1)
            return
        first = attrs.fields(cls)[0]
        with pytest.raises(TypeError):
            cls(first.default)

    def test_escalate_must_go_up(self):
        """Escalating to a front-line agent is not an escalation."""
        with pytest.raises(stool.ValidationError) as info:
            ev.Escalate(to=Authority.AGENT)
        assert info.value.field == "Escalate.to"
        assert "SUPERVISOR" in info.value.allowed
        assert "MANAGER" in info.value.allowed

    def test_base_event_has_no_move(self):
        """The base class is abstract in practice: applying it raises NotImplementedError."""
        with pytest.raises(NotImplementedError):
            ev.Event().apply(Interaction())


class TestDocumentedChanges:
    """Each move changes exactly the fields its docstring names, as it says."""

    @pytest.mark.parametrize("cls", EVENT_CLASSES, ids=NAMES)
    def test_docstring_names_the_table_fields(self, cls):
        """The "Changes:" paragraph names exactly the fields this module's table changes."""
        documented = documented_changes(cls)
        assert documented
        assert documented <= {a.name for a in attrs.fields(Interaction)}
        assert documented == set(EFFECTS[cls](Interaction(), cls()))

    @given(interactions(), events())
    def test_changes_exactly_what_is_documented(self, before, event):
        """After any move on any interaction, named fields are as documented, others equal."""
        after = event.apply(before)
        expected = attrs.evolve(before, **EFFECTS[type(event)](before, event))
        assert after == expected
        assert changed_fields(before, after) <= documented_changes(type(event))

    @given(interactions(), events())
    def test_call_is_apply(self, before, event):
        """Calling a move is the same as applying it."""
        assert event(before) == event.apply(before)

    @given(events(), st.sampled_from([None, {}, "start", stool.score]))
    def test_rejects_what_is_not_an_interaction(self, event, bad):
        """Applying or calling a move on anything but an Interaction names the move."""
        name = type(event).__name__
        for move in (event.apply, event):
            with pytest.raises(stool.ValidationError, match=rf"{name}\.apply\.interaction"):
                move(bad)

    @given(interactions(), events())
    def test_input_left_unchanged(self, before, event):
        """A move returns a new interaction and leaves its input as it was."""
        snapshot = attrs.asdict(before, recurse=False)
        event(before)
        assert attrs.asdict(before, recurse=False) == snapshot

    @given(interactions(), st.lists(events(), max_size=25))
    def test_never_produce_an_invalid_interaction(self, start, moves):
        """Any sequence of moves gives interactions that pass every validator."""
        current = start
        for move in moves:
            current = move(current)
            attrs.validate(current)
            assert Interaction(**attrs.asdict(current, recurse=False)) == current

    @given(interactions(), events())
    def test_time_never_goes_back(self, before, event):
        """No move lowers handle time, wait time or any count."""
        after = event(before)
        assert after.handle_time_s >= before.handle_time_s
        if before.wait_time_s is None:
            assert after.wait_time_s is None
        else:
            assert after.wait_time_s >= before.wait_time_s
        for name in ("transfers", "repeat_contacts", "bends", "breaks"):
            assert getattr(after, name) >= getattr(before, name)
        assert after.concession_cost >= before.concession_cost

    @given(interactions(), events(types=st.sampled_from([ev.Escalate])))
    def test_escalation_never_lowers_authority(self, before, event):
        """Escalating keeps the higher of the current and the target authority."""
        after = event(before)
        assert after.authority >= before.authority
        assert after.authority >= event.to
        assert after.escalated

    @given(interactions(), events(types=st.sampled_from([ev.CustomerAbuse])))
    def test_worst_abuse_counts(self, before, event):
        """Abuse only ever rises: the worst moment counts."""
        assert event(before).customer_abuse == _higher(before.customer_abuse, event.severity)

    @given(interactions(), events(types=st.sampled_from([ev.BadNews, ev.AgentUnprofessional])))
    def test_caps_never_raise(self, before, event):
        """Bad news never raises fulfilment; a rude moment never raises professionalism."""
        after = event(before)
        for name in ("fulfilment", "professionalism"):
            if getattr(before, name) is not None:
                assert getattr(after, name) <= getattr(before, name)

    @given(events(types=st.sampled_from([ev.BadNews, ev.AgentUnprofessional, ev.CustomerAbuse])))
    def test_a_move_makes_an_unknown_field_known(self, event):
        """A capping move on an unobserved field sets it to the move's value."""
        unknown = Interaction(fulfilment=None, professionalism=None, customer_abuse=None)
        after = event(unknown)
        assert None not in (
            after.fulfilment if isinstance(event, ev.BadNews) else 0,
            after.professionalism if isinstance(event, ev.AgentUnprofessional) else 0,
            after.customer_abuse if isinstance(event, ev.CustomerAbuse) else 0,
        )


class TestValues:
    """Moves are small frozen values."""

    @given(events())
    def test_frozen(self, event):
        """No move can be modified after construction."""
        for a in attrs.fields(type(event)):
            with pytest.raises(attrs.exceptions.FrozenInstanceError):
                setattr(event, a.name, getattr(event, a.name))

    @given(events())
    def test_copy_is_equal_and_hashes_equal(self, event):
        """A field-by-field copy is equal and hashes the same."""
        copy = type(event)(**attrs.asdict(event, recurse=False))
        assert copy == event
        assert hash(copy) == hash(event)

    @given(events(), events())
    def test_different_kinds_never_equal(self, a, b):
        """Moves of different kinds are never equal, even with no arguments."""
        if type(a) is not type(b):
            assert a != b

    def test_field_less_moves_are_distinct(self):
        """Thank() and RepeatContact() are different values."""
        assert ev.Thank() != ev.RepeatContact()
        assert len({ev.Thank(), ev.RepeatContact(), ev.Thank()}) == 2


class TestDescribe:
    """describe() gives a short label plus any non-default arguments."""

    def test_labels_unique_and_set(self):
        """Every move has its own label, not the base class's."""
        labels = [cls.label for cls in EVENT_CLASSES]
        assert len(set(labels)) == len(labels)
        assert ev.Event.label not in labels

    @pytest.mark.parametrize("cls", EVENT_CLASSES, ids=NAMES)
    def test_default_is_the_label(self, cls):
        """A move with default arguments is described by its label alone."""
        assert cls().describe() == cls.label

    @given(events())
    def test_mentions_every_non_default_argument(self, event):
        """Each argument that differs from its default appears as name=value."""
        text = event.describe()
        assert text.startswith(type(event).label)
        for a in attrs.fields(type(event)):
            value = getattr(event, a.name)
            if value != a.default:
                shown = value.name if isinstance(value, Authority) else repr(value)
                assert f"{a.name}={shown}" in text
            else:
                assert f"{a.name}=" not in text

    def test_example(self):
        """The documented example holds."""
        assert ev.CustomerAbuse(severity=1.0).describe() == "customer abuse (severity=1.0)"
        assert ev.Escalate(to=Authority.MANAGER).describe() == "escalate (to=MANAGER)"
