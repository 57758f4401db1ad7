"""Tests for stool.enums: members, orderings and name lookup."""

from __future__ import annotations

import enum
import itertools
import operator

import pytest
from hypothesis import given
from hypothesis import strategies as st

import stool
from stool.enums import Authority, Channel, CustomerType, Leg, Verdict, member_from_name
from stool.strategies import authorities, channels, customer_types, legs, verdicts

ALL_ENUMS: tuple[type[enum.Enum], ...] = (Leg, Channel, CustomerType, Authority, Verdict)
ORDERED: tuple[type[enum.Enum], ...] = (Authority, Verdict)
UNORDERED: tuple[type[enum.Enum], ...] = (Leg, Channel, CustomerType)
COMPARISONS = (operator.lt, operator.le, operator.gt, operator.ge)


class TestMembers:
    """The enums carry exactly the members the contract names."""

    @pytest.mark.parametrize(
        ("enum_cls", "names"),
        [
            (Leg, ["CUSTOMER", "COMPANY", "AGENT"]),
            (Channel, ["CALL", "CHAT", "EMAIL"]),
            (
                CustomerType,
                ["VERY_SATISFIED", "SATISFIED", "DISSATISFIED", "VERY_DISSATISFIED"],
            ),
            (Authority, ["AGENT", "SUPERVISOR", "MANAGER"]),
            (Verdict, ["COMPLIANT", "BENT", "BROKEN"]),
        ],
    )
    def test_member_names(self, enum_cls, names):
        """Each enum has exactly the contract's members, in the contract's order."""
        assert list(enum_cls.__members__) == names

    @pytest.mark.parametrize("enum_cls", ALL_ENUMS)
    def test_exported_from_stool(self, enum_cls):
        """Every enum is importable from the top-level package."""
        assert getattr(stool, enum_cls.__name__) is enum_cls

    @pytest.mark.parametrize("enum_cls", ALL_ENUMS)
    def test_members_documented(self, enum_cls):
        """Every enum has its own docstring for the reference docs."""
        assert enum_cls.__doc__
        assert enum_cls.__doc__ != enum.Enum.__doc__


class TestOrdering:
    """Authority and Verdict are ordered; the other enums are not."""

    def test_authority_chain(self):
        """AGENT < SUPERVISOR < MANAGER, as the contract says."""
        assert Authority.AGENT < Authority.SUPERVISOR < Authority.MANAGER
        assert Authority.MANAGER > Authority.SUPERVISOR > Authority.AGENT
        assert Authority.AGENT <= Authority.AGENT
        assert Authority.MANAGER >= Authority.MANAGER

    def test_verdict_chain(self):
        """COMPLIANT < BENT < BROKEN, as the contract says."""
        assert Verdict.COMPLIANT < Verdict.BENT < Verdict.BROKEN
        assert Verdict.BROKEN > Verdict.BENT > Verdict.COMPLIANT
        assert Verdict.BENT <= Verdict.BENT
        assert Verdict.BENT >= Verdict.BENT

    def test_max_verdict_is_the_worst(self):
        """max() over verdicts gives the worst one: a break wins over a bend."""
        assert max(Verdict.BENT, Verdict.BROKEN) == Verdict.BROKEN
        assert max([Verdict.COMPLIANT, Verdict.BENT, Verdict.COMPLIANT]) == Verdict.BENT
        assert min(Verdict) == Verdict.COMPLIANT

    def test_max_authority(self):
        """max() over authorities gives the highest one."""
        assert max(Authority.SUPERVISOR, Authority.AGENT) == Authority.SUPERVISOR
        assert max(Authority) == Authority.MANAGER

    @pytest.mark.parametrize("enum_cls", ORDERED)
    def test_sorted_is_declaration_order(self, enum_cls):
        """Sorting the members gives the declared (contract) order."""
        members = list(enum_cls)
        shuffled = [members[2], members[0], members[1]]
        assert sorted(shuffled) == members

    @given(st.lists(authorities()) | st.lists(verdicts()))
    def test_sorted_is_a_total_order(self, members):
        """Sorted members are non-decreasing, and <, <=, == agree with one another."""
        ordered = sorted(members)
        for low, high in itertools.pairwise(ordered):
            assert low <= high
            assert not high < low
            assert (low < high) == (low != high)

    @given(st.data())
    def test_comparisons_consistent_with_position(self, data):
        """Comparing two members compares their positions in the declaration."""
        enum_cls = data.draw(st.sampled_from(ORDERED))
        members = list(enum_cls)
        a, b = data.draw(st.sampled_from(members)), data.draw(st.sampled_from(members))
        ia, ib = members.index(a), members.index(b)
        assert (a < b) == (ia < ib)
        assert (a <= b) == (ia <= ib)
        assert (a > b) == (ia > ib)
        assert (a >= b) == (ia >= ib)

    @pytest.mark.parametrize("compare", COMPARISONS)
    @pytest.mark.parametrize(
        "other",
        [1, 2.0, "AGENT", None, Verdict.BENT, Leg.AGENT],
        ids=["int", "float", "str", "None", "Verdict", "Leg"],
    )
    def test_authority_refuses_other_types(self, compare, other):
        """Comparing an Authority with anything but an Authority raises TypeError."""
        with pytest.raises(TypeError):
            compare(Authority.SUPERVISOR, other)
        with pytest.raises(TypeError):
            compare(other, Authority.SUPERVISOR)

    @pytest.mark.parametrize("compare", COMPARISONS)
    @pytest.mark.parametrize(
        "other",
        [1, 2.0, "BENT", None, Authority.SUPERVISOR],
        ids=["int", "float", "str", "None", "Authority"],
    )
    def test_verdict_refuses_other_types(self, compare, other):
        """Comparing a Verdict with anything but a Verdict raises TypeError."""
        with pytest.raises(TypeError):
            compare(Verdict.BENT, other)
        with pytest.raises(TypeError):
            compare(other, Verdict.BENT)

    @pytest.mark.parametrize("enum_cls", ORDERED)
    def test_not_equal_to_ints(self, enum_cls):
        """An ordered member is not an int in disguise: it never equals a number."""
        for member in enum_cls:
            assert member != member.value
            assert all(member != n for n in range(-1, 5))

    def test_max_mixing_types_raises(self):
        """max() over mixed Authority and Verdict members raises TypeError."""
        with pytest.raises(TypeError):
            max(Authority.MANAGER, Verdict.BROKEN)

    @pytest.mark.parametrize("enum_cls", UNORDERED)
    @pytest.mark.parametrize("compare", COMPARISONS)
    def test_unordered_enums_refuse_ordering(self, enum_cls, compare):
        """Leg, Channel and CustomerType have no order: comparing raises TypeError."""
        first, second = list(enum_cls)[:2]
        with pytest.raises(TypeError):
            compare(first, second)

    @pytest.mark.parametrize("enum_cls", ALL_ENUMS)
    def test_hashable_and_usable_as_keys(self, enum_cls):
        """Members are hashable, so they key dicts (for example, scores by leg)."""
        table = {member: member.name for member in enum_cls}
        assert [table[m] for m in enum_cls] == list(enum_cls.__members__)


class TestMemberFromName:
    """member_from_name reads names in any case and refuses everything else."""

    @given(
        st.one_of(legs(), channels(), customer_types(), authorities(), verdicts()),
    )
    def test_name_round_trip(self, member):
        """The name of any member reads back as that member."""
        assert member_from_name(type(member), member.name, field="f") is member

    @given(st.one_of(legs(), channels(), customer_types(), authorities(), verdicts()))
    def test_member_passes_through(self, member):
        """A member is returned as it is."""
        assert member_from_name(type(member), member, field="f") is member

    @given(
        st.one_of(legs(), channels(), customer_types(), authorities(), verdicts()),
        st.sampled_from([str.lower, str.title, str.swapcase, str.capitalize]),
    )
    def test_names_in_any_case(self, member, transform):
        """A member's name in any case ("call", "Call") reads back as that member."""
        assert member_from_name(type(member), transform(member.name), field="f") is member

    @pytest.mark.parametrize("enum_cls", ALL_ENUMS)
    def test_non_ascii_look_alikes_rejected(self, enum_cls):
        """A non-ASCII letter that upper-cases to an ASCII one is not read as it."""
        for name in enum_cls.__members__:
            if "I" not in name:
                continue
            bad = name.lower().replace("i", "\u0131")  # dotless i: "\u0131".upper() == "I"
            with pytest.raises(stool.ValidationError):
                member_from_name(enum_cls, bad, field="f")

    @pytest.mark.parametrize("enum_cls", ALL_ENUMS)
    @pytest.mark.parametrize(
        "transform",
        [lambda n: f" {n}", lambda n: f"{n} ", lambda n: n + "X", lambda n: n.replace("_", " ")],
        ids=["leading-space", "trailing-space", "suffix", "spaces-for-underscores"],
    )
    def test_near_names_rejected(self, enum_cls, transform):
        """Near misses raise: only the case is forgiven, nothing else is guessed."""
        for name in enum_cls.__members__:
            bad = transform(name)
            if bad == name:
                continue
            with pytest.raises(stool.ValidationError) as info:
                member_from_name(enum_cls, bad, field="thing.kind")
            assert info.value.field == "thing.kind"
            assert info.value.value == bad

    @pytest.mark.parametrize("enum_cls", ALL_ENUMS)
    def test_values_are_not_names(self, enum_cls):
        """A member's value (1, "call") is not accepted in place of its name."""
        for member in enum_cls:
            if str(member.value).upper() == member.name:
                continue
            with pytest.raises(stool.ValidationError):
                member_from_name(enum_cls, member.value, field="f")

    @pytest.mark.parametrize("bad", ["", "UNKNOWN", None, 0, 1.5, True, ["CALL"]])
    def test_message_lists_allowed_names(self, bad):
        """The error names the field, the value and every allowed name."""
        with pytest.raises(stool.ValidationError) as info:
            member_from_name(Channel, bad, field="Interaction.channel")
        message = str(info.value)
        assert message.startswith("Interaction.channel")
        assert repr(bad) in message
        for name in Channel.__members__:
            assert name in message

    def test_member_of_another_enum_rejected(self):
        """A member of a different enum with the same name is not accepted."""
        with pytest.raises(stool.ValidationError):
            member_from_name(Leg, Authority.AGENT, field="leg")
