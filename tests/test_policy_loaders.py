"""Tests for reading policy books from TOML, JSON, YAML and Python, and for their validation."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import stool
from stool import Authority, Verdict
from stool.policy import (
    EXAMPLES,
    PolicyBook,
    PolicyDefinitionError,
    PolicyError,
    PolicyTest,
    PolicyValidationError,
    Rule,
    load_example,
)

TINY_TOML = """\
name = "tiny"
description = "A refund window."

[context]
action = "string"
days = { kind = "number", description = "Days since purchase." }

[[rule]]
id = "window"
kind = "limit"
applies = "action == 'refund'"
quantity = "days"
max = 30
unit = "days"
bend = { agent = "10%", supervisor = "50%" }
budget = { per = "day", bends = 3 }
rationale = "Old stock cannot be resold."

[[test]]
name = "late"
context = { action = "refund", days = 33 }
by = "agent"
expect = "bent"
requires = "agent"
"""

TINY_JSON = """{
  "name": "tiny",
  "description": "A refund window.",
  "context": {
    "action": "string",
    "days": {"kind": "number", "description": "Days since purchase."}
  },
  "rule": [
    {
      "id": "window",
      "kind": "limit",
      "applies": "action == 'refund'",
      "quantity": "days",
      "max": 30,
      "unit": "days",
      "bend": {"agent": "10%", "supervisor": "50%"},
      "budget": {"per": "day", "bends": 3},
      "rationale": "Old stock cannot be resold."
    }
  ],
  "test": [
    {"name": "late", "context": {"action": "refund", "days": 33}, "by": "agent",
     "expect": "bent", "requires": "agent"}
  ]
}
"""

TINY_YAML = """\
name: tiny
description: A refund window.
context:
  action: string
  days: {kind: number, description: Days since purchase.}
rule:
  - id: window
    kind: limit
    applies: "action == 'refund'"
    quantity: days
    max: 30
    unit: days
    bend: {agent: "10%", supervisor: "50%"}
    budget: {per: day, bends: 3}
    rationale: Old stock cannot be resold.
test:
  - name: late
    context: {action: refund, days: 33}
    by: agent
    expect: bent
    requires: agent
"""


def tiny_python() -> PolicyBook:
    """The tiny book, built in Python."""
    return PolicyBook(
        name="tiny",
        description="A refund window.",
        context={
            "action": "string",
            "days": {"kind": "number", "description": "Days since purchase."},
        },
        rules=[
            Rule(
                id="window",
                kind="limit",
                applies="action == 'refund'",
                quantity="days",
                max=30,
                unit="days",
                bend={Authority.AGENT: "10%", "supervisor": "50%"},
                budget={"per": "day", "bends": 3},
                rationale="Old stock cannot be resold.",
            )
        ],
        tests=[
            PolicyTest(
                name="late",
                context={"action": "refund", "days": 33},
                by=Authority.AGENT,
                expect=Verdict.BENT,
                requires=Authority.AGENT,
            )
        ],
    )


class TestIdenticalBooks:
    def test_every_loader_builds_the_same_book(self):
        """TOML, JSON, YAML, from_data and the Python API build equal books with one version."""
        books = [
            PolicyBook.from_toml(TINY_TOML),
            PolicyBook.from_json(TINY_JSON),
            PolicyBook.from_yaml(TINY_YAML),
            PolicyBook.from_data(json.loads(TINY_JSON)),
            tiny_python(),
        ]
        assert all(book == books[0] for book in books)
        assert len({book.version for book in books}) == 1

    @pytest.mark.parametrize("name", EXAMPLES)
    def test_examples_survive_json_and_yaml(self, name):
        """Every example book, written as JSON or YAML and read back, is the same book."""
        book = load_example(name)
        data = book.to_data()
        assert PolicyBook.from_json(json.dumps(data)) == book
        assert PolicyBook.from_yaml(yaml.safe_dump(data)) == book
        assert PolicyBook.from_json(json.dumps(data)).version == book.version

    @pytest.mark.parametrize("name", EXAMPLES)
    def test_unstructure_writes_the_source_data(self, name):
        """stool.unstructure writes a book as its policy-file data, and structure reads it."""
        book = load_example(name)
        data = json.loads(json.dumps(stool.unstructure(book)))
        assert data == book.to_data()
        assert "version" not in data
        back = stool.structure(data, PolicyBook)
        assert (back, back.version) == (book, book.version)


class TestSources:
    def test_paths_are_files_and_strings_are_text(self, tmp_path):
        """A Path is read from disk; a str is always policy text, never a file name."""
        path = tmp_path / "tiny.toml"
        path.write_text(TINY_TOML, encoding="utf-8")
        assert PolicyBook.from_toml(path) == PolicyBook.from_toml(TINY_TOML)
        with pytest.raises(PolicyDefinitionError, match="TOML"):
            PolicyBook.from_toml(str(path))

    def test_bytes_are_utf8(self):
        """Bytes are decoded as UTF-8, with or without a byte-order mark."""
        encoded = TINY_TOML.encode("utf-8")
        assert PolicyBook.from_toml(encoded) == PolicyBook.from_toml(b"\xef\xbb\xbf" + encoded)

    @pytest.mark.parametrize(
        ("suffix", "text"),
        [(".toml", TINY_TOML), (".json", TINY_JSON), (".yaml", TINY_YAML), (".yml", TINY_YAML)],
    )
    def test_from_file_picks_the_format(self, tmp_path, suffix, text):
        """from_file chooses the reader by suffix."""
        path = tmp_path / f"tiny{suffix}"
        path.write_text(text, encoding="utf-8")
        assert PolicyBook.from_file(path) == tiny_python()
        assert PolicyBook.from_file(str(path)) == tiny_python()

    def test_unknown_suffix(self, tmp_path):
        """Other suffixes are refused, naming the allowed ones."""
        with pytest.raises(PolicyDefinitionError, match=r"\.toml"):
            PolicyBook.from_file(tmp_path / "book.ini")

    def test_missing_file(self, tmp_path):
        """A file that cannot be read is a definition error naming it."""
        missing = tmp_path / "nope.toml"
        with pytest.raises(PolicyDefinitionError) as info:
            PolicyBook.from_toml(missing)
        assert info.value.file == str(missing)

    def test_other_sources(self):
        """Numbers and other objects are not sources."""
        with pytest.raises(PolicyDefinitionError, match="path"):
            PolicyBook.from_toml(42)  # type: ignore[arg-type]

    def test_examples_are_package_data(self):
        """The example books live inside the package, so wheels ship them."""
        folder = Path(stool.__file__).parent / "policy" / "examples"
        assert {p.stem for p in folder.glob("*.toml")} == set(EXAMPLES)

    def test_yaml_needs_pyyaml(self, monkeypatch):
        """Without PyYAML, from_yaml says which extra to install."""
        monkeypatch.setitem(sys.modules, "yaml", None)
        with pytest.raises(PolicyError, match=r"stool\[yaml\]"):
            PolicyBook.from_yaml(TINY_YAML)


# Every kind of problem the issue names, one per rule, at known lines.
BROKEN_TOML = """\
name = "broken"

[context]
days = "number"
action = "string"

[[rule]]
id = "window"
kind = "limit"
quantity = "days"
max = 30
bend = { agent = 10, supervisor = 5 }
rationale = "Old stock."

[[rule]]
id = "window"
kind = "hard"
quantity = "days"
max = 30
bend = { agent = 5 }
rationale = "Duplicate id, and a tolerance on a hard rule."

[[rule]]
id = "authority"
kind = "limit"
quantity = "days"
max = 30
bend = { agnet = 5 }
rationale = "Unknown authority."

[[rule]]
id = "syntax"
kind = "hard"
forbid = "action == 'refund' and"
rationale = "Does not parse."

[[rule]]
id = "typo"
kind = "hard"
applies = "acton == 'refund'"
forbid = "days > 90"
ratonale = "Unknown key and a misspelt field."
"""


class TestValidationCollectsEverything:
    def test_every_problem_with_file_line_rule_and_field(self, tmp_path):
        """One load reports every problem, each naming its file, line, rule and field."""
        path = tmp_path / "broken.toml"
        path.write_text(BROKEN_TOML, encoding="utf-8")
        with pytest.raises(PolicyValidationError) as info:
            PolicyBook.from_toml(path)
        found = {(p.rule, p.field, p.line) for p in info.value.problems}
        assert found == {
            ("window", "bend.supervisor", 12),  # a shrinking ladder
            ("window", "id", 16),  # a duplicate id
            ("window", "bend", 20),  # a tolerance on a hard rule
            ("authority", "bend.agnet", 28),  # an unknown authority
            ("syntax", "forbid", 34),  # an expression that does not parse
            ("typo", "ratonale", 42),  # an unknown key
            ("typo", "rationale", 37),  # the missing key it was meant to be
            ("typo", "applies", 40),  # an undeclared field
        }
        assert all(p.file == str(path) for p in info.value.problems)
        assert info.value.file == str(path)
        text = str(info.value)
        assert text.startswith(f"8 problems in the policy book {path}:")
        assert "did you mean 'agent'?" in text
        assert "did you mean 'rationale'?" in text
        assert "did you mean 'action'?" in text

    def test_expression_errors_point_into_the_file(self):
        """An expression error's column is its place on the file's line, with a caret."""
        with pytest.raises(PolicyValidationError) as info:
            PolicyBook.from_toml(BROKEN_TOML)
        (problem,) = [p for p in info.value.problems if p.rule == "syntax"]
        line = BROKEN_TOML.splitlines()[problem.line - 1]
        assert problem.column == len(line)  # just past the trailing "and", at the closing quote
        assert problem.file == "<string>"
        assert str(problem).endswith("^")

    def test_json_problems_are_located(self):
        """JSON problems name the line of their key."""
        data = json.loads(TINY_JSON)
        data["rule"][0]["bend"] = {"agent": 5, "supervisor": 1}
        data["rule"][0]["oops"] = 1
        text = json.dumps(data, indent=2)
        with pytest.raises(PolicyValidationError) as info:
            PolicyBook.from_json(text)
        lines = text.splitlines()
        for problem in info.value.problems:
            key = problem.field.split(".")[-1]
            assert f'"{key}"' in lines[problem.line - 1]

    def test_yaml_problems_are_located(self):
        """YAML problems name the line of their key."""
        text = TINY_YAML.replace("kind: limit", "kind: limits").replace("by: agent", "by: agnet")
        with pytest.raises(PolicyValidationError) as info:
            PolicyBook.from_yaml(text)
        lines = text.splitlines()
        located = {p.field: lines[p.line - 1].strip() for p in info.value.problems}
        assert located["kind"] == "kind: limits"
        assert located["test[0].by"] == "by: agnet"

    def test_problems_of_tests(self):
        """Malformed test cases are reported with the index of the test."""
        text = TINY_TOML.replace('expect = "bent"', 'expect = "bend"') + '\n[[test]]\nname = "x"\n'
        with pytest.raises(PolicyValidationError) as info:
            PolicyBook.from_toml(text)
        fields = {p.field for p in info.value.problems}
        assert {"test[0].expect", "test[1].context", "test[1].expect"} <= fields
        (expect,) = [p for p in info.value.problems if p.field == "test[0].expect"]
        assert expect.suggestion == "bent"

    def test_top_level_problems(self):
        """A missing name, unknown top-level keys and a non-list rule are reported."""
        with pytest.raises(PolicyValidationError) as info:
            PolicyBook.from_toml('rules = 1\nrule = "x"\n')
        messages = " ".join(p.message for p in info.value.problems)
        assert "missing key 'name'" in messages
        assert "unknown key 'rules'" in messages
        assert "list of rule tables" in messages

    def test_yaml_booleans_as_keys(self):
        """An unquoted `on:` key, read by YAML as a boolean, gets a pointed message."""
        with pytest.raises(PolicyValidationError, match="quote the key"):
            PolicyBook.from_yaml("name: x\non: 1\n")

    def test_not_a_table(self):
        """A top level that is not a table is a validation error."""
        with pytest.raises(PolicyValidationError, match="top level"):
            PolicyBook.from_json("[1, 2]")


class TestSyntaxErrors:
    def test_toml(self):
        """Malformed TOML names its line and column."""
        with pytest.raises(PolicyDefinitionError, match="not valid TOML") as info:
            PolicyBook.from_toml('name = "x"\nrule = ]\n')
        assert (info.value.line, info.value.column) == (2, 8)

    def test_json(self):
        """Malformed JSON names its line and column."""
        with pytest.raises(PolicyDefinitionError, match="not valid JSON") as info:
            PolicyBook.from_json('{"name": "x",\n "rule": [}')
        assert (info.value.line, info.value.column) == (2, 11)

    def test_json_duplicate_keys(self):
        """A key twice in one JSON object is refused rather than silently dropped."""
        with pytest.raises(PolicyDefinitionError, match="duplicate key 'name'"):
            PolicyBook.from_json('{"name": "a", "name": "b"}')

    def test_json_nan(self):
        """NaN and Infinity are not policy numbers."""
        with pytest.raises(PolicyDefinitionError, match="NaN"):
            PolicyBook.from_json('{"name": "a", "rule": [], "test": [{"x": NaN}]}')

    def test_yaml(self):
        """Malformed YAML names its line and column."""
        with pytest.raises(PolicyDefinitionError, match="not valid YAML") as info:
            PolicyBook.from_yaml("name: x\nrule: [\n")
        assert info.value.line is not None

    def test_yaml_duplicate_keys(self):
        """A key twice in one YAML mapping is refused, naming its line."""
        with pytest.raises(PolicyDefinitionError, match="duplicate key 'name'") as info:
            PolicyBook.from_yaml("name: a\nname: b\n")
        assert info.value.line == 2


class TestDataProperties:
    @given(
        st.lists(st.integers(0, 30), min_size=1, max_size=3).map(sorted),
        st.integers(1, 100),
        st.booleans(),
        st.sampled_from(["day", "week", "month", "quarter", "year"]),
    )
    def test_to_data_and_back(self, amounts, bound, percent, per):
        """Any valid limit rule survives to_data, JSON and from_data with the same version."""
        names = ["agent", "supervisor", "manager"][: len(amounts)]
        ladder = {n: (f"{a}%" if percent else a) for n, a in zip(names, amounts, strict=True)}
        book = PolicyBook(
            name="p",
            rules=[
                Rule(
                    id="r",
                    kind="limit",
                    quantity="q",
                    max=bound,
                    bend=ladder,
                    budget={"per": per, "bends": 2},
                    rationale="x",
                )
            ],
        )
        back = PolicyBook.from_json(json.dumps(book.to_data()))
        assert (back, back.version) == (book, book.version)

    def test_stool_round_trips_a_company_with_an_example_book(self):
        """A Company carrying an example book round-trips through JSON."""
        company = stool.Company(name="Acme", policies=load_example("warranty"))
        data = json.loads(json.dumps(stool.unstructure(company)))
        assert stool.structure(data, stool.Company) == company
