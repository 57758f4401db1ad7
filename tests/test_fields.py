"""Tests for stool._fields: every validator of every public value, against the contract.

The table `CONTRACT` below restates, independently of the implementation, what each
field of each public value allows (issue 2 and the field docstrings).
Every field is checked both ways: each value the contract allows is stored unchanged
(nothing clamped), and each value it forbids raises a ValidationError naming the
field, the value and the allowed range.
"""

from __future__ import annotations

import functools
import math
import sys
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import stool
from stool import events as ev
from stool._fields import (
    SPEC,
    Spec,
    boolean,
    count,
    enum_field,
    fraction,
    non_negative,
    positive,
    spec_of,
    text,
)
from stool._text import shown
from stool.enums import Authority, Channel, Leg

if TYPE_CHECKING:
    import enum

INF = math.inf
MAX = sys.float_info.max
TINY = math.nextafter(0.0, 1.0)


@attrs.frozen
class Range:
    """What one field allows, as the contract states it."""

    kind: str
    low: float = -INF
    high: float = INF
    low_open: bool = False
    optional: bool = False
    enum: type[enum.Enum] | None = None
    exclude: tuple[Any, ...] = ()


def real(low: float = 0.0, high: float = INF, *, low_open: bool = False, optional=False):
    return Range("real", low, high, low_open=low_open, optional=optional)


FRACTION = real(0.0, 1.0)
OPT_FRACTION = real(0.0, 1.0, optional=True)  # None: not observed
NON_NEG = real()
OPT_NON_NEG = real(optional=True)
POSITIVE = real(low_open=True)
COUNT = Range("int", 0, INF)
BOOL = Range("bool")
OPT_BOOL = Range("bool", optional=True)
OPT_COUNT = Range("int", 0, INF, optional=True)
TEXT = Range("str")


def one_of(enum_cls: type[enum.Enum], *exclude: Any) -> Range:
    return Range("enum", enum=enum_cls, exclude=exclude)


SECONDS = {"seconds": NON_NEG}

CONTRACT: dict[type, dict[str, Range]] = {
    stool.Interaction: {
        "channel": one_of(Channel),
        "fulfilment": OPT_FRACTION,
        "professionalism": OPT_FRACTION,
        "empathy": OPT_FRACTION,
        "explanation_clarity": OPT_FRACTION,
        "extra_mile": OPT_BOOL,
        "handle_time_s": NON_NEG,
        "aht_target_s": POSITIVE,
        "queue_wait_imposed_s": NON_NEG,
        "wait_time_s": OPT_NON_NEG,
        "transfers": COUNT,
        "repeat_contacts": COUNT,
        "promised_days": OPT_NON_NEG,
        "delivered_days": OPT_NON_NEG,
        "elapsed_days": OPT_NON_NEG,
        "expectation": OPT_FRACTION,
        "prior_bad_experiences": OPT_COUNT,
        "customer_value": OPT_NON_NEG,
        "customer_abuse": OPT_FRACTION,
        "agent_fatigue": OPT_FRACTION,
        "ended_by_agent": BOOL,
        "escalated": BOOL,
        "authority": one_of(Authority),
        "thanked": OPT_BOOL,
        "bends": COUNT,
        "breaks": COUNT,
        "concession_cost": NON_NEG,
        "concession_budget": NON_NEG,
        "csat": Range("int", 1, 5, optional=True),
    },
    stool.Customer: {
        "id": TEXT,
        "lifetime_value": NON_NEG,
        "prior_bad_experiences": COUNT,
        "expectations": FRACTION,
    },
    stool.Agent: {
        "id": TEXT,
        "authority": one_of(Authority),
        "tenure_months": NON_NEG,
        "fatigue": FRACTION,
    },
    stool.Company: {"name": TEXT, "aht_target_s": POSITIVE, "concession_budget": NON_NEG},
    ev.Greet: SECONDS,
    ev.Listen: {"empathy": FRACTION, **SECONDS},
    ev.ExplainPolicy: {"clarity": FRACTION, **SECONDS},
    ev.BadNews: {"fulfilment_cap": FRACTION, **SECONDS},
    ev.Resolve: {"fulfilment": FRACTION, **SECONDS},
    ev.ExtraMile: SECONDS,
    ev.CustomerAbuse: {"severity": FRACTION, **SECONDS},
    ev.AgentUnprofessional: {"professionalism_shown": FRACTION, **SECONDS},
    ev.Escalate: {"to": one_of(Authority, Authority.AGENT), **SECONDS},
    ev.Promise: {"days": NON_NEG, **SECONDS},
    ev.Deliver: {"days": NON_NEG},
    ev.Hold: SECONDS,
    ev.Wait: SECONDS,
    ev.Transfer: SECONDS,
    ev.RepeatContact: {},
    ev.Concession: {"amount": NON_NEG, **SECONDS},
    ev.Thank: {},
    ev.Survey: {"csat": Range("int", 1, 5)},
    ev.EndCall: {"by_agent": BOOL, **SECONDS},
}

# Classes whose every field is in the table: the flat record and the moves.
# Parties may grow fields in later issues (a company's policy book), so for them the
# table is checked as a subset.
COMPLETE = [c for c in CONTRACT if c is stool.Interaction or issubclass(c, ev.Event)]

CASES = [(cls, name, rng) for cls, fields in CONTRACT.items() for name, rng in fields.items()]
CASE_IDS = [f"{cls.__name__}.{name}" for cls, name, _ in CASES]
REQUIRED = {stool.Customer: {"id": "c"}, stool.Agent: {"id": "a"}, stool.Company: {"name": "n"}}


def build(cls: type, name: str, value: Any) -> Any:
    """Construct `cls` with `name=value` and whatever else it requires."""
    kwargs = dict(REQUIRED.get(cls, {}))
    kwargs[name] = value
    return cls(**kwargs)


def bad_values(rng: Range) -> list[Any]:
    """Values the contract forbids for a field with range `rng`."""
    out: list[Any] = [] if rng.optional else [None]
    if rng.kind in {"real", "int"}:
        out += [math.nan, INF, -INF, True, False, "1", b"1", [1], 1j, Decimal(1), Fraction(1, 3)]
        if rng.low_open:
            out += [rng.low, -0.0, -TINY, -1.0]
        elif rng.low > -INF:
            below = rng.low - 1
            out += [below, int(below), math.nextafter(rng.low, -INF), -1e300]
        if rng.high < INF:
            out += [math.nextafter(rng.high, INF), rng.high + 1, int(rng.high) + 1, 1e300]
        elif rng.kind == "real":
            out += [10**400]  # a whole number, but beyond every finite float
    if rng.kind == "int":
        out += [1.0, 2.0, 0.5, 3.0]
    if rng.kind == "bool":
        out += [0, 1, 0.0, 1.0, "True", "false", "", [True]]
    if rng.kind == "enum":
        assert rng.enum is not None
        members = list(rng.enum)
        # Names are read in any case; near misses and values are not names.
        out += [f" {m.name}" for m in members] + [f"{m.name.lower()}x" for m in members]
        out += [m.value for m in members if str(m.value).upper() != m.name]
        out += ["", "UNKNOWN", 0, 1.5, True, Leg.CUSTOMER if rng.enum is not Leg else Channel.CALL]
        out += list(rng.exclude) + [m.name for m in rng.exclude]
    if rng.kind == "str":
        out += ["", 1, 0.0, True, b"id", ["id"]]
    return out


def good_values(rng: Range) -> list[Any]:
    """Edge values the contract allows for a field with range `rng`."""
    out: list[Any] = [None] if rng.optional else []
    if rng.kind == "real":
        out += [math.nextafter(rng.low, INF)] if rng.low_open else [rng.low, int(rng.low)]
        out += [rng.high, int(rng.high)] if rng.high < INF else [MAX, 2**53 + 1, 10**300]
    if rng.kind == "int":
        out += [int(rng.low), int(rng.low) + 1]
        out += [int(rng.high), int(rng.high) - 1] if rng.high < INF else [10**30]
    if rng.kind == "bool":
        out += [True, False]
    if rng.kind == "enum":
        assert rng.enum is not None
        out += [m for m in rng.enum if m not in rng.exclude]
    if rng.kind == "str":
        out += ["x", "C-1042", " ", "é" * 300]
    return out


def same(a: Any, b: Any) -> bool:
    """Equal and of the same type, with NaN equal to NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def expect_rejected(cls: type, name: str, bad: Any) -> stool.ValidationError:
    """Assert that `cls(name=bad)` raises a ValidationError that names all three facts."""
    with pytest.raises(stool.ValidationError) as info:
        build(cls, name, bad)
    error = info.value
    assert error.field == f"{cls.__name__}.{name}"
    # An enum name is converted before validation, so the error shows the member.
    assert error.value is bad or same(error.value, bad) or getattr(error.value, "name", 0) == bad
    message = str(error)
    assert message.startswith(error.field)
    assert shown(error.value) in message  # the value, shortened only when huge
    assert error.allowed
    assert message.endswith(error.allowed)
    return error


@functools.cache  # built once per field, not at every draw
def values_in(rng: Range) -> st.SearchStrategy[Any]:
    """Every value the contract allows for a field (floats and ints of the range)."""
    base: st.SearchStrategy[Any]
    if rng.kind == "real":
        high = min(rng.high, MAX)
        base = st.floats(rng.low, high, exclude_min=rng.low_open)
        if rng.high == INF:
            base |= st.integers(min_value=int(rng.low) + rng.low_open)
    elif rng.kind == "int":
        base = st.integers(int(rng.low), None if rng.high == INF else int(rng.high))
    elif rng.kind == "bool":
        base = st.booleans()
    elif rng.kind == "enum":
        assert rng.enum is not None
        base = st.sampled_from([m for m in rng.enum if m not in rng.exclude])
    else:
        base = st.text(min_size=1)
    return st.none() | base if rng.optional else base


@functools.cache  # built once per field, not at every draw
def values_out(rng: Range) -> st.SearchStrategy[Any]:
    """Numbers of the right type family outside the contract's range."""
    if rng.kind == "real":

        def outside(x: float) -> bool:
            low_ok = rng.low < x if rng.low_open else rng.low <= x
            return not (low_ok and x <= rng.high and math.isfinite(x))

        return st.floats().filter(outside)
    if rng.kind == "int":
        below = st.integers(max_value=int(rng.low) - 1)
        return below | st.integers(min_value=int(rng.high) + 1) if rng.high < INF else below
    return st.nothing()


class TestContractTable:
    """The table in this module matches the public classes it describes."""

    @pytest.mark.parametrize("cls", COMPLETE, ids=lambda c: c.__name__)
    def test_covers_every_field(self, cls):
        """The table lists every field of Interaction and of every event."""
        assert [a.name for a in attrs.fields(cls)] == list(CONTRACT[cls])

    @pytest.mark.parametrize("cls", [stool.Customer, stool.Agent, stool.Company])
    def test_party_fields_exist(self, cls):
        """Every party field the table lists exists on the class."""
        assert set(CONTRACT[cls]) <= {a.name for a in attrs.fields(cls)}

    def test_covers_every_event(self):
        """The table lists every event class that structure() knows."""
        assert set(ev.EVENT_TYPES.values()) <= set(CONTRACT)

    @pytest.mark.parametrize(("cls", "name", "rng"), CASES, ids=CASE_IDS)
    def test_every_field_has_a_spec(self, cls, name, rng):
        """Each field carries a Spec of the contract's kind and optionality."""
        spec = spec_of(attrs.fields_dict(cls)[name])
        assert spec is not None
        assert spec.kind == rng.kind
        assert spec.optional == rng.optional


class TestEveryValidator:
    """Every field of every public value enforces exactly its contract range."""

    @pytest.mark.parametrize(("cls", "name", "rng"), CASES, ids=CASE_IDS)
    def test_rejects_every_bad_value(self, cls, name, rng):
        """NaN, infinities, out-of-range numbers, wrong types and bad names all raise."""
        for bad in bad_values(rng):
            expect_rejected(cls, name, bad)

    @pytest.mark.parametrize(("cls", "name", "rng"), CASES, ids=CASE_IDS)
    def test_stores_edge_values_unchanged(self, cls, name, rng):
        """Bounds and extremes the contract allows are kept exactly, never clamped."""
        for good in good_values(rng):
            stored = getattr(build(cls, name, good), name)
            assert same(stored, good) or stored is good

    @pytest.mark.parametrize(("cls", "name", "rng"), CASES, ids=CASE_IDS)
    def test_message_states_the_range(self, cls, name, rng):
        """The allowed text states the bounds, the member names or the type."""
        error = expect_rejected(cls, name, bad_values(rng)[-1])
        allowed = error.allowed
        if rng.kind in {"real", "int"}:
            assert format(rng.low, "g") in allowed
            if rng.high < INF:
                assert format(rng.high, "g") in allowed
            if rng.low_open:
                assert "> 0" in allowed
        if rng.kind == "int":
            assert "whole number" in allowed
        if rng.kind == "enum":
            assert rng.enum is not None
            for member in rng.enum:
                if member not in rng.exclude:
                    assert member.name in allowed
        if rng.kind == "bool":
            assert "True" in allowed
            assert "False" in allowed
        if rng.kind == "str":
            assert "non-empty" in allowed
        if rng.optional:
            assert "None" in allowed

    @pytest.mark.parametrize("cls", list(CONTRACT), ids=lambda c: c.__name__)
    @given(data=st.data())
    def test_any_allowed_values_are_stored_unchanged(self, cls, data):
        """Values drawn from every field's whole range are stored as given (no clamping)."""
        values = {
            name: data.draw(values_in(rng), label=name) for name, rng in CONTRACT[cls].items()
        }
        obj = cls(**{**REQUIRED.get(cls, {}), **values})
        for name, value in values.items():
            stored = getattr(obj, name)
            assert same(stored, value) or stored is value

    @pytest.mark.parametrize(
        "cls",
        [c for c in CONTRACT if any(r.kind in {"real", "int"} for r in CONTRACT[c].values())],
        ids=lambda c: c.__name__,
    )
    @given(data=st.data())
    def test_any_number_outside_is_rejected(self, cls, data):
        """Every number outside a field's range raises; none is clamped into it."""
        numeric = [n for n, r in CONTRACT[cls].items() if r.kind in {"real", "int"}]
        name = data.draw(st.sampled_from(numeric), label="field")
        expect_rejected(cls, name, data.draw(values_out(CONTRACT[cls][name]), label="value"))

    @pytest.mark.parametrize(("cls", "name", "rng"), CASES, ids=CASE_IDS)
    def test_evolve_validates_too(self, cls, name, rng):
        """attrs.evolve runs the same validators as the constructor."""
        obj = build(cls, name, good_values(rng)[0])
        with pytest.raises(stool.ValidationError) as info:
            attrs.evolve(obj, **{name: bad_values(rng)[-1]})
        assert info.value.field == f"{cls.__name__}.{name}"

    @pytest.mark.parametrize(("cls", "name", "rng"), CASES, ids=CASE_IDS)
    def test_frozen(self, cls, name, rng):
        """Fields cannot be assigned after construction."""
        obj = build(cls, name, good_values(rng)[0])
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(obj, name, good_values(rng)[0])


class TestEnumNames:
    """Enum fields accept the exact member name and convert it."""

    @pytest.mark.parametrize(
        ("cls", "name", "rng"),
        [c for c in CASES if c[2].kind == "enum"],
        ids=[i for i, c in zip(CASE_IDS, CASES, strict=True) if c[2].kind == "enum"],
    )
    def test_name_converts_to_member(self, cls, name, rng):
        """Passing "SUPERVISOR" stores Authority.SUPERVISOR."""
        assert rng.enum is not None
        for member in rng.enum:
            if member in rng.exclude:
                continue
            assert getattr(build(cls, name, member.name), name) is member


class TestNumericNormalisation:
    """Numpy-style numbers become builtins only when nothing is lost."""

    def test_numpy_float_becomes_float(self):
        """A numpy float64 in a real field is stored as a builtin float, same value."""
        stored = stool.Interaction(fulfilment=np.float64(0.25)).fulfilment
        assert type(stored) is float
        assert stored == 0.25

    def test_numpy_float32_is_exact(self):
        """A numpy float32 is widened exactly, not rounded to a nicer decimal."""
        value = np.float32(0.1)
        stored = stool.Interaction(fulfilment=value).fulfilment
        assert type(stored) is float
        assert stored == float(value)

    def test_numpy_int_becomes_int(self):
        """A numpy int64 in a count field is stored as a builtin int."""
        stored = stool.Interaction(transfers=np.int64(3)).transfers
        assert type(stored) is int
        assert stored == 3

    def test_numpy_int_in_real_field(self):
        """A numpy integer in a real field is stored as a builtin int, exactly."""
        stored = stool.Interaction(handle_time_s=np.int64(2**62)).handle_time_s
        assert type(stored) is int
        assert stored == 2**62

    @pytest.mark.parametrize(
        ("name", "make"),
        [
            ("fulfilment", lambda np: np.float64("nan")),
            ("fulfilment", lambda np: np.float64(1.5)),
            ("handle_time_s", lambda np: np.float64("inf")),
            ("transfers", lambda np: np.int64(-1)),
            ("transfers", lambda np: np.float64(1.0)),
            ("extra_mile", lambda np: np.bool_(True)),
            ("fulfilment", lambda np: np.bool_(True)),
        ],
    )
    def test_numpy_bad_values_rejected(self, name, make):
        """Numpy NaN, out-of-range values, floats for counts and numpy bools raise."""
        with pytest.raises(stool.ValidationError) as info:
            stool.Interaction(**{name: make(np)})
        assert info.value.field == f"Interaction.{name}"

    def test_exact_fraction_converts(self):
        """A Fraction that is exactly a float is stored as that float."""
        stored = stool.Interaction(fulfilment=Fraction(1, 4)).fulfilment
        assert type(stored) is float
        assert stored == 0.25

    def test_inexact_fraction_rejected(self):
        """A Fraction with no exact float is refused rather than rounded."""
        with pytest.raises(stool.ValidationError):
            stool.Interaction(fulfilment=Fraction(1, 3))

    def test_float_subclass_becomes_float(self):
        """A float subclass is stored as a plain float with the same value."""

        class Money(float):
            pass

        stored = stool.Interaction(concession_cost=Money(2.5)).concession_cost
        assert type(stored) is float
        assert stored == 2.5


@attrs.frozen(kw_only=True)
class Demo:
    """A class using every field helper with non-default options."""

    share: float = fraction(0.5)
    maybe_share: float | None = fraction(None, optional=True)
    capped: float = non_negative(1.0, high=10.0, unit="kg")
    rate: float = positive(2.0, unit="per hour")
    level: int = count(3, low=2, high=4)
    open_count: int | None = count(None, optional=True)
    flag: bool = boolean(True)
    colour: Channel = enum_field(Channel, Channel.CHAT)
    label: str = text("x")
    code: str = text("abc", min_len=3)
    note: str = text("", min_len=0)


class TestFieldHelpers:
    """The field helpers build specs that mean what their names say."""

    def test_defaults(self):
        """Each helper's default is the given one."""
        demo = Demo()
        assert (demo.share, demo.maybe_share, demo.capped, demo.rate) == (0.5, None, 1.0, 2.0)
        assert (demo.level, demo.open_count, demo.flag, demo.colour) == (
            3,
            None,
            True,
            Channel.CHAT,
        )
        assert (demo.label, demo.code, demo.note) == ("x", "abc", "")

    def test_every_field_has_metadata(self):
        """Every helper stores its Spec under the SPEC metadata key."""
        for a in attrs.fields(Demo):
            assert isinstance(a.metadata[SPEC], Spec)
            assert spec_of(a) is a.metadata[SPEC]

    def test_spec_of_plain_field_is_none(self):
        """A field without a Spec reports None."""

        @attrs.frozen
        class Plain:
            x: int = 0

        assert spec_of(attrs.fields(Plain).x) is None

    @pytest.mark.parametrize(
        ("name", "bad", "words"),
        [
            ("share", 1.01, "a number from 0 to 1"),
            ("maybe_share", -0.1, "a number from 0 to 1, or None"),
            ("capped", 10.5, "a number from 0 to 10 kg"),
            ("rate", 0.0, "a finite number > 0 per hour"),
            ("level", 5, "a whole number from 2 to 4"),
            ("level", 1, "a whole number from 2 to 4"),
            ("open_count", -1, "a whole number >= 0, or None"),
            ("flag", 1, "True or False"),
            ("label", "", "a non-empty string"),
            ("code", "ab", "a string of at least 3 characters"),
            ("note", None, "a string"),
        ],
    )
    def test_allowed_words(self, name, bad, words):
        """Each helper describes its range in words that name the bounds and unit."""
        with pytest.raises(stool.ValidationError) as info:
            Demo(**{name: bad})
        assert info.value.field == f"Demo.{name}"
        assert info.value.allowed == words

    def test_enum_field_allowed_words(self):
        """An enum field lists its member names in the error."""
        with pytest.raises(stool.ValidationError) as info:
            Demo(colour="SMS")
        assert info.value.allowed == "one of CALL, CHAT, EMAIL (a Channel)"

    def test_empty_string_allowed_when_min_len_zero(self):
        """text(min_len=0) allows the empty string."""
        assert Demo(note="").note == ""

    def test_enum_field_also_runs_after_membership(self):
        """The `also` validator of enum_field runs on members that pass membership."""
        calls: list[Any] = []

        def also(instance: Any, attribute: Any, value: Any) -> None:
            calls.append(value)

        @attrs.frozen(kw_only=True)
        class WithAlso:
            kind: Channel = enum_field(Channel, Channel.CALL, also=also)

        WithAlso(kind="EMAIL")
        assert calls == [Channel.EMAIL]
        with pytest.raises(stool.ValidationError):
            WithAlso(kind="FAX")
        assert calls == [Channel.EMAIL]


class TestSpecCheck:
    """Spec.check is usable on its own (the batch path validates columns with it)."""

    @given(st.floats(0.0, 1.0))
    def test_accepts_inside(self, value):
        """A fraction spec accepts every float from 0 to 1."""
        Spec(kind="real", low=0.0, high=1.0, allowed="0-1").check("col", value)

    @given(st.floats().filter(lambda x: not 0.0 <= x <= 1.0))
    def test_rejects_outside(self, value):
        """A fraction spec rejects every float outside 0 to 1, NaN included."""
        with pytest.raises(stool.ValidationError) as info:
            Spec(kind="real", low=0.0, high=1.0, allowed="0-1").check("col", value)
        assert info.value.field == "col"

    def test_unbounded_below_still_refuses_infinities(self):
        """A spec without a lower bound still refuses -inf and ints beyond any float."""
        spec = Spec(kind="real", allowed="a finite number")
        spec.check("x", -MAX)
        for bad in (-INF, INF, math.nan, -(10**400), 10**400):
            with pytest.raises(stool.ValidationError):
                spec.check("x", bad)

    def test_open_low_bound(self):
        """With low_open, the bound itself is refused and the next float allowed."""
        spec = Spec(kind="real", low=0.0, low_open=True, allowed="> 0")
        spec.check("x", TINY)
        with pytest.raises(stool.ValidationError):
            spec.check("x", 0.0)

    def test_open_low_bound_on_int(self):
        """low_open applies to whole numbers too."""
        spec = Spec(kind="int", low=0.0, low_open=True, allowed="> 0")
        spec.check("x", 1)
        with pytest.raises(stool.ValidationError):
            spec.check("x", 0)

    def test_optional_allows_none(self):
        """An optional spec accepts None; a required one does not."""
        Spec(kind="int", optional=True, allowed="n").check("x", None)
        with pytest.raises(stool.ValidationError):
            Spec(kind="int", allowed="n").check("x", None)

    def test_bytes_refused(self):
        """A str spec wants a str, not bytes."""
        spec = Spec(kind="str", min_len=1, allowed="s")
        spec.check("x", "ok")
        with pytest.raises(stool.ValidationError):
            spec.check("x", b"ok")

    def test_counts_beyond_any_float_refused(self):
        """A whole number no float can hold is refused, naming the limit; scores need floats."""
        spec = Spec(kind="int", low=0.0, allowed="a whole number >= 0")
        spec.check("x", int(MAX))
        with pytest.raises(stool.ValidationError, match="largest float") as info:
            spec.check("x", 10**400)
        assert info.value.value == 10**400

    @pytest.mark.parametrize(
        "name", ["transfers", "repeat_contacts", "prior_bad_experiences", "bends", "breaks"]
    )
    def test_huge_counts_never_reach_the_score(self, name):
        """An Interaction refuses a count beyond the float range with a ValidationError."""
        with pytest.raises(stool.ValidationError, match=rf"Interaction\.{name}"):
            stool.Interaction(**{name: 10**400})
