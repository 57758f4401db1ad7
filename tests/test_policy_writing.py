"""Tests for writing policy books back out (TOML, JSON) and for loading them by file name."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import stool
from stool.policy import (
    EXAMPLES,
    PolicyBook,
    PolicyDefinitionError,
    PolicyError,
    Rule,
    load_example,
    load_policy,
)
from stool.policy._writing import toml_document, toml_key, toml_value

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 reads TOML with tomli (the toml extra)
    import tomli as tomllib

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
NON_BLANK = TEXT.filter(str.strip)
SCALARS = st.one_of(
    TEXT,
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.text(st.characters(blacklist_categories=("Cs",)), max_size=6), inner, max_size=3
        ),
    ),
    max_leaves=8,
)


class TestTomlValues:
    """Every value the writer writes, tomllib reads back as the same value."""

    @given(key=st.text(st.characters(blacklist_categories=("Cs",)), max_size=10), value=VALUES)
    def test_round_trip(self, key, value):
        """`key = value` reads back as {key: value}."""
        assert tomllib.loads(f"{toml_key(key)} = {toml_value(value)}\n") == {key: value}

    @pytest.mark.parametrize("value", [math.inf, -math.inf])
    def test_infinities(self, value):
        """Infinities are written as TOML's inf."""
        assert tomllib.loads(f"x = {toml_value(value)}")["x"] == value

    def test_nan(self):
        """NaN is written as TOML's nan."""
        assert math.isnan(tomllib.loads(f"x = {toml_value(math.nan)}")["x"])

    def test_bare_and_quoted_keys(self):
        """Plain keys stay bare; a dotted field name is quoted, so it stays one key."""
        assert toml_key("refund-window") == "refund-window"
        assert toml_key("customer.tier") == '"customer.tier"'
        assert toml_key("") == '""'

    @pytest.mark.parametrize("value", [None, object(), 2**64, "\ud800"])
    def test_values_without_a_toml_form(self, value):
        """None, other objects, huge integers and lone surrogates are PolicyErrors."""
        with pytest.raises(PolicyError):
            toml_value(value)

    @given(data=st.dictionaries(st.text(max_size=5).map(lambda k: "k" + k), SCALARS, max_size=4))
    def test_document(self, data):
        """A document of plain values, tables and arrays of tables reads back whole."""
        document = {
            **data,
            "table": {"a": 1, "b": "two"},
            "item": [{"x": 1, "context": {"y": True}}, {"x": 2}],
        }
        document.pop("", None)
        text = toml_document(document)
        assert tomllib.loads(text) == document
        assert "[item.context]" in text


@st.composite
def books(draw):
    """Small valid books with drawn names, texts, bounds and ladders."""
    bound = draw(st.integers(min_value=0, max_value=10_000) | st.floats(0, 1e6, allow_nan=False))
    steps = sorted(draw(st.lists(st.integers(0, 100), min_size=1, max_size=3)))
    ladder = dict(zip(("agent", "supervisor", "manager"), steps, strict=False))
    rules = [
        Rule(
            id="limit",
            kind="limit",
            quantity="amount",
            max=bound,
            bend=ladder,
            unit=draw(st.sampled_from(["", "days", "currency"])),
            rationale=draw(NON_BLANK),
        ),
        Rule(id="hard", kind="hard", forbid="lies", rationale=draw(NON_BLANK)),
    ]
    return PolicyBook(
        name=draw(NON_BLANK),
        description=draw(TEXT),
        context={"amount": "number", "lies": "boolean"},
        rules=rules,
    )


class TestBookRoundTrip:
    """A book written to TOML or JSON reads back equal, with the same version."""

    @pytest.mark.parametrize("name", EXAMPLES)
    def test_examples(self, name):
        """Every example book survives TOML and JSON, tests and all."""
        book = load_example(name)
        assert PolicyBook.from_toml(book.to_toml()) == book
        assert PolicyBook.from_json(book.to_json()) == book
        assert PolicyBook.from_toml(book.to_toml()).version == book.version

    @given(book=books())
    def test_any_book(self, book):
        """Drawn books, with any text in them, survive TOML and JSON."""
        assert PolicyBook.from_toml(book.to_toml()) == book
        assert PolicyBook.from_json(book.to_json()) == book

    def test_json_is_to_data(self):
        """to_json writes exactly to_data, indented."""
        book = load_example("delivery")
        assert json.loads(book.to_json()) == book.to_data()
        assert book.to_json().endswith("}\n")

    def test_files(self, tmp_path):
        """Written to files, books load back with load_policy in either format."""
        book = load_example("warranty")
        (tmp_path / "w.toml").write_text(book.to_toml(), encoding="utf-8")
        (tmp_path / "w.json").write_text(book.to_json(), encoding="utf-8")
        assert load_policy(tmp_path / "w.toml") == book
        assert load_policy(str(tmp_path / "w.json")) == book

    def test_dotted_context_fields(self):
        """A dotted context field and a nested test context survive TOML."""
        text = """
name = "tiers"
[context]
"customer.tier" = "string"
[[rule]]
id = "gold-only"
kind = "hard"
require = "customer.tier == 'gold'"
rationale = "Gold customers only."
[[test]]
name = "silver is refused"
context = { customer = { tier = "silver" } }
expect = "broken"
"""
        book = PolicyBook.from_toml(text)
        assert PolicyBook.from_toml(book.to_toml()) == book


class TestLoadPolicy:
    """stool.load_policy reads any supported format, and from_toml refuses file names."""

    def test_exported(self):
        """stool.load_policy is stool.policy.load_policy."""
        assert stool.load_policy is load_policy

    def test_unknown_suffix(self, tmp_path):
        """An unknown suffix is a PolicyDefinitionError listing the known ones."""
        path = tmp_path / "book.txt"
        path.write_text("", encoding="utf-8")
        with pytest.raises(PolicyDefinitionError, match=r"\.toml"):
            load_policy(path)

    @pytest.mark.parametrize(
        ("method", "name"),
        [("from_toml", "returns.toml"), ("from_json", "book.JSON"), ("from_yaml", " b.yml ")],
    )
    def test_file_name_given_as_text(self, method, name):
        """A file name passed as text says to use from_file or load_policy."""
        with pytest.raises(PolicyDefinitionError) as caught:
            getattr(PolicyBook, method)(name)
        message = str(caught.value)
        assert "looks like a file name" in message
        assert f"from_file({name.strip()!r})" in message
        assert "stool.load_policy" in message

    def test_policy_text_is_still_text(self):
        """Real policy text that mentions a file name is read as text."""
        book = PolicyBook.from_toml('name = "book.toml"\n')
        assert book.name == "book.toml"
        assert PolicyBook.from_json('{"name": "a.json"}').name == "a.json"

    def test_path_objects_still_load(self, tmp_path):
        """A pathlib.Path is read as a file, as before."""
        path = tmp_path / "c.toml"
        path.write_text(load_example("conduct").to_toml(), encoding="utf-8")
        assert PolicyBook.from_toml(Path(path)) == load_example("conduct")
