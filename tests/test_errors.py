"""Tests for stool.errors: the hierarchy and ValidationError's message and attributes."""

from __future__ import annotations

import copy
import math
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

import stool
from stool.errors import PolicyError, StoolError, ValidationError

JSONISH = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(),
    st.lists(st.integers(), max_size=3),
)


class TestHierarchy:
    """Every stool error is a StoolError, and a builtin where one fits."""

    def test_stool_error_is_exception(self):
        """StoolError is an Exception, not a BaseException outside the usual catch."""
        assert issubclass(StoolError, Exception)

    @pytest.mark.parametrize("cls", [ValidationError, PolicyError])
    def test_subclasses(self, cls):
        """ValidationError and PolicyError are both StoolError and ValueError."""
        assert issubclass(cls, StoolError)
        assert issubclass(cls, ValueError)

    def test_validation_is_not_policy(self):
        """A validation problem is not a policy problem, and the reverse."""
        assert not issubclass(ValidationError, PolicyError)
        assert not issubclass(PolicyError, ValidationError)

    @pytest.mark.parametrize("name", ["StoolError", "ValidationError", "PolicyError"])
    def test_exported(self, name):
        """The error classes are importable from stool itself."""
        assert getattr(stool, name) is getattr(stool.errors, name)

    def test_caught_as_value_error(self):
        """Code that catches ValueError catches stool's validation errors."""
        with pytest.raises(ValueError, match="fulfilment"):
            stool.Interaction(fulfilment=2.0)

    def test_policy_error_caught_as_stool_error(self):
        """One `except StoolError` catches a PolicyError."""
        with pytest.raises(StoolError, match="bad rule"):
            raise PolicyError("bad rule")


class TestValidationError:
    """ValidationError names the field, the value and what is allowed."""

    @given(field=st.text(min_size=1), value=JSONISH, allowed=st.text(min_size=1))
    def test_message_names_all_three(self, field, value, allowed):
        """The message holds the field, the value (its repr, shortened past 120 characters)
        and the allowed range."""
        error = ValidationError(field, value, allowed)
        message = str(error)
        assert message.startswith(field)
        text = repr(value)
        assert (text if len(text) <= 120 else text[:117] + "...") in message
        assert message.endswith(allowed)

    @given(field=st.text(min_size=1), value=JSONISH, allowed=st.text(), row=st.integers(0))
    def test_attributes(self, field, value, allowed, row):
        """The three facts and the row are attributes, as given."""
        error = ValidationError(field, value, allowed, row=row)
        assert (error.field, error.value, error.allowed, error.row) == (field, value, allowed, row)

    def test_row_in_message(self):
        """A batch error names the first bad row next to the column."""
        error = ValidationError("fulfilment", 1.5, "a number from 0 to 1", row=7)
        assert str(error) == "fulfilment (row 7): got 1.5; allowed: a number from 0 to 1"

    def test_no_row_by_default(self):
        """Without a row, the message has no row and the attribute is None."""
        error = ValidationError("Interaction.transfers", -1, "a whole number >= 0")
        assert error.row is None
        assert "row" not in str(error)
        assert str(error) == "Interaction.transfers: got -1; allowed: a whole number >= 0"

    def test_nan_value_is_named(self):
        """A NaN is shown as nan, so the reader sees what was wrong."""
        error = ValidationError("x", math.nan, "a finite number")
        assert "got nan" in str(error)

    @pytest.mark.parametrize("row", [None, 0, 12])
    def test_pickle_round_trip(self, row):
        """Pickling keeps all attributes, the row too (multiprocessing sends errors)."""
        error = ValidationError("Agent.fatigue", 2.0, "a number from 0 to 1", row=row)
        again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
        assert type(again) is ValidationError
        assert (again.field, again.value, again.allowed, again.row) == (
            "Agent.fatigue",
            2.0,
            "a number from 0 to 1",
            row,
        )
        assert str(again) == str(error)

    def test_copy(self):
        """copy.copy and deepcopy keep the attributes."""
        error = ValidationError("f", [1], "a number", row=3)
        for again in (copy.copy(error), copy.deepcopy(error)):
            assert (again.field, again.value, again.allowed, again.row) == ("f", [1], "a number", 3)

    def test_raised_from_interaction_carries_structure(self):
        """An error raised by a stool value carries the qualified field and the value."""
        with pytest.raises(ValidationError) as info:
            stool.Interaction(fulfilment=1.5)
        assert info.value.field == "Interaction.fulfilment"
        assert info.value.value == 1.5
        assert "0" in info.value.allowed
        assert "1" in info.value.allowed


class TestHostileValues:
    def test_integer_too_long_to_print_is_summarised(self):
        """An integer beyond repr's digit limit still gives a message, not a ValueError."""
        error = ValidationError("Interaction.transfers", 10**5000, "a whole number >= 0")
        assert "<an integer of about 5001 digits>" in str(error)
        assert error.value == 10**5000

    def test_long_values_are_shortened_in_the_message_only(self):
        """A megabyte of text is cut in the message; the attribute keeps it whole."""
        big = "x" * 1_000_000
        error = ValidationError("Customer.id", big, "a non-empty string")
        assert len(str(error)) < 300
        assert error.value is big
