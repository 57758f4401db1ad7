"""Hostile input at every entry point: each class of defect found by the audit of issue 9.

Each class below would have caught its defect; none asserts a time (speed is measured in
benchmarks/bench_hostile.py), but the big inputs here are the ones that once took minutes.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import math
import os
import pickle
import subprocess
import sys
import textwrap
import threading
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

import stool
import stool.policy
import stool.policy._loaders as loaders
from stool import Authority, Verdict
from stool.policy import (
    MAX_INTEGER,
    MAX_PROBLEMS,
    Decision,
    PolicyBook,
    PolicyDefinitionError,
    PolicyError,
    PolicyEvaluationError,
    PolicyValidationError,
    Rule,
    compile_expression,
    load_example,
    run_tests,
)

MESSAGE_LIMIT = 64 * 1024
"""No error message may be longer (issue 9)."""

LIMIT_RULE = {
    "id": "window",
    "kind": "limit",
    "quantity": "days",
    "max": 30,
    "bend": {"agent": 5},
    "rationale": "r",
}

CONDUCT = {
    "deceives_customer": False,
    "insults_customer": False,
    "changes_account": False,
    "identity_verified": True,
}


def percent_book(ladder: dict[str, Any]) -> PolicyBook:
    """A limit whose bound is a field, bent by percentages of it."""
    return PolicyBook(
        name="p",
        rules=[Rule(id="r", kind="limit", quantity="q", max="m", bend=ladder, rationale="x")],
    )


def verdict_or_error(book: PolicyBook, context: dict[str, Any]) -> Verdict | str:
    """The verdict on `context`, or the message of the evaluation error it raises."""
    try:
        return book.evaluate(context).verdict
    except PolicyEvaluationError as error:
        return str(error)


class TestArithmeticAtTheEdges:
    def test_a_percentage_of_a_huge_bound_does_not_overflow(self):
        """A 70% overrun of a bound near 1e308 with a 10% tolerance is BROKEN, not BENT."""
        book = percent_book({"agent": "10%"})
        context = {"q": 1.7e308, "m": 1e308}
        decision = book.evaluate(context)
        assert decision.verdict is Verdict.BROKEN
        assert decision.findings[0].tolerance == pytest.approx(1e307)
        batch = book.evaluate_batch({"q": [1.7e308], "m": [1e308]})
        assert batch.verdicts() == (Verdict.BROKEN,)

    def test_exact_edges_stay_exact(self):
        """10% of 30 is exactly 3, so a deviation of 3 is still a bend."""
        book = percent_book({"agent": "10%"})
        assert book.evaluate({"q": 33, "m": 30}).verdict is Verdict.BENT
        assert book.evaluate_batch({"q": [33], "m": [30]}).verdicts() == (Verdict.BENT,)

    def test_a_tolerance_beyond_the_largest_float_raises(self):
        """The acting tolerance cannot be recorded if infinite: evaluation raises, in both paths."""
        book = percent_book({"agent": "10%", "manager": "1e300%"})
        context = {"q": 1.7e308, "m": 1e308}
        with pytest.raises(PolicyEvaluationError, match="largest float") as caught:
            book.evaluate(context, by=Authority.MANAGER)
        assert caught.value.rule == "r"
        with pytest.raises(PolicyEvaluationError, match="largest float") as batch:
            book.evaluate_batch({"q": [1.0, 1.7e308], "m": [2.0, 1e308]}, by=Authority.MANAGER)
        assert batch.value.row == 1

    def test_an_integer_percentage_beyond_the_largest_float_is_named(self):
        """A Tolerance built in Python with a huge integer percentage is named in the error."""
        ladder = (stool.policy.Tolerance(authority=Authority.AGENT, amount=2**1000, percent=True),)
        book = PolicyBook(
            name="p",
            rules=[Rule(id="r", kind="limit", quantity="q", max=1e300, bend=ladder, rationale="x")],
        )
        with pytest.raises(PolicyEvaluationError, match="largest float") as caught:
            book.evaluate({"q": 1e308})
        assert f"{2**1000}% of the bound 1e+300" in str(caught.value)

    def test_a_higher_tolerance_beyond_the_largest_float_still_compares(self):
        """An agent's break that only a manager's huge tolerance covers requires a manager."""
        book = percent_book({"agent": "10%", "manager": "1e300%"})
        decision = book.evaluate({"q": 1.7e308, "m": 1e308})
        assert (decision.verdict, decision.requires) == (Verdict.BROKEN, Authority.MANAGER)
        batch = book.evaluate_batch({"q": [1.7e308], "m": [1e308]})
        assert batch.requirements() == (Authority.MANAGER,)

    @pytest.mark.parametrize("kind", ["limit", "hard"])
    def test_a_deviation_beyond_the_largest_float_raises(self, kind):
        """A quantity and a bound of opposite signs near 1e308 raise instead of an infinity."""
        extra = {"bend": {"agent": 5}} if kind == "limit" else {}
        book = PolicyBook(
            name="d",
            rules=[Rule(id="r", kind=kind, quantity="q", max="m", rationale="x", **extra)],
        )
        with pytest.raises(PolicyEvaluationError, match="overflow"):
            book.evaluate({"q": 1.7e308, "m": -1.7e308})
        with pytest.raises(PolicyEvaluationError, match="overflow") as caught:
            book.evaluate_batch({"q": [1.0, 1.7e308], "m": [2.0, -1.7e308]})
        assert caught.value.row == 1

    @given(
        st.floats(1e300, 1.7e308) | st.floats(-1e6, 1e6) | st.floats(-1.7e308, 1.7e308),
        st.floats(-1.5, 2.0),
        st.sampled_from([1, 10, 50, 100, 250, 1e6]),
    )
    @example(bound=1e308, ratio=0.7, percent=10)  # the overrun issue 9 found judged BENT
    def test_percent_verdicts_are_right_or_raise(self, bound, ratio, percent):
        """Away from rounding at the edge, the verdict is the exact one, or evaluation raises."""
        observed = bound + ratio * abs(bound)
        if not math.isfinite(observed):
            observed = math.copysign(sys.float_info.max, observed)
        book = percent_book({"agent": f"{percent:g}%"})
        exact_deviation = Fraction(observed) - Fraction(bound)
        exact_tolerance = abs(Fraction(bound)) * Fraction(percent) / 100
        verdict = verdict_or_error(book, {"q": observed, "m": bound})
        if isinstance(verdict, str):
            assert "largest float" in verdict
            assert abs(exact_deviation) > Fraction(sys.float_info.max) or (
                exact_tolerance > Fraction(sys.float_info.max)
            )
            return
        margin = abs(exact_tolerance) * Fraction(1, 10**9)
        if exact_deviation <= 0:
            assert verdict is Verdict.COMPLIANT
        elif exact_deviation < exact_tolerance - margin:
            assert verdict is Verdict.BENT
        elif exact_deviation > exact_tolerance + margin:
            assert verdict is Verdict.BROKEN

    def test_run_tests_skips_edges_it_cannot_compute(self):
        """Boundary cases of a percentage ladder on a huge bound are right or not generated."""
        book = PolicyBook.from_data(
            {
                "name": "b",
                "rule": [{**LIMIT_RULE, "max": 1e308, "bend": {"agent": "10%"}}],
                "test": [{"name": "t", "context": {"days": 1.0}, "expect": "compliant"}],
            }
        )
        report = run_tests(book)
        assert report.ok, report.report()
        assert any("beyond the largest float" in note for note in report.notes)


class TestIntegerGrowth:
    def test_a_product_of_thousands_of_integers(self):
        """Integers become floats beyond 2**53, so a long product overflows (an error) at once."""
        product = compile_expression(" * ".join(["x"] * 2400))
        with pytest.raises(PolicyEvaluationError, match="overflow"):
            product({"x": 2**52})
        assert product({"x": 1}) == 1
        assert type(product({"x": 1})) is int

    @given(
        st.integers(-MAX_INTEGER, MAX_INTEGER),
        st.integers(-MAX_INTEGER, MAX_INTEGER),
        st.sampled_from(["+", "-", "*"]),
    )
    def test_integer_results_are_exact_or_the_float64_result(self, a, b, op):
        """An integer result is exact within 2**53 and otherwise the float64 of the same sum."""
        value = compile_expression(f"a {op} b")({"a": a, "b": b})
        exact = {"+": a + b, "-": a - b, "*": a * b}[op]
        if abs(exact) <= MAX_INTEGER:
            assert (type(value), value) == (int, exact)
        else:
            floats = {"+": float(a) + float(b), "-": float(a) - float(b), "*": float(a) * float(b)}
            assert (type(value), value) == (float, floats[op])

    @pytest.mark.parametrize(
        "text", ["9007199254740993", "x == 10000000000000000000", "[1, 2**64]"]
    )
    def test_integer_literals_beyond_two_to_the_53(self, text):
        """An integer literal that float64 cannot hold exactly is refused when compiled."""
        with pytest.raises(PolicyDefinitionError):
            compile_expression(text)

    @pytest.mark.parametrize(
        "value", [2**53 + 1, -(2**60), 10**5000], ids=["2**53+1", "-2**60", "10**5000"]
    )
    def test_context_integers_beyond_two_to_the_53(self, value):
        """A context integer beyond 2**53 is refused naming the field, by both paths."""
        book = PolicyBook.from_data({"name": "b", "rule": [LIMIT_RULE]})
        with pytest.raises(PolicyEvaluationError, match=r"2\*\*53") as caught:
            book.evaluate({"days": value})
        assert caught.value.field == "days"
        with pytest.raises(PolicyEvaluationError, match=r"2\*\*53"):
            book.evaluate_batch({"days": [value]})

    def test_floor_of_a_huge_float_stays_a_float(self):
        """floor and ceil of a float beyond 2**53 give it back, not a 300-digit integer."""
        assert compile_expression("floor(x)")({"x": 1e300}) == 1e300
        assert type(compile_expression("ceil(x)")({"x": -1e300})) is float
        assert compile_expression("floor(x)")({"x": 2.5}) == 2

    def test_a_huge_integer_is_shortened_when_explained(self):
        """explain() names a huge context value shortened; it never fails to print it."""
        book = PolicyBook.from_data(
            {"name": "b", "rule": [{**LIMIT_RULE, "applies": "kind == 'x' and days > 0"}]}
        )
        decision = book.evaluate({"kind": "y", "days": 10**5000})
        assert "days = <an integer of about 5001 digits>" in decision.explain()

    def test_a_huge_integer_is_refused_by_unstructure(self):
        """unstructure refuses an integer Python cannot write as JSON, naming where it is."""
        book = PolicyBook.from_data(
            {"name": "b", "rule": [{**LIMIT_RULE, "applies": "kind == 'x' and days > 0"}]}
        )
        decision = book.evaluate({"kind": "y", "days": 10**5000})
        with pytest.raises(stool.ValidationError, match="digits") as caught:
            stool.unstructure(decision)
        assert caught.value.field == "value.context.days"
        data = stool.unstructure(book.evaluate({"kind": "y", "days": 10**4000}))
        assert stool.structure(json.loads(json.dumps(data)), Decision).context["days"] == 10**4000


def unknown_keys_toml(n: int) -> str:
    """One rule with `n` unknown keys, one per line."""
    keys = "".join(f"unknown_key_{i} = 1\n" for i in range(n))
    return (
        'name = "hostile"\n[[rule]]\nid = "r"\nkind = "hard"\nforbid = "x"\nrationale = "r"\n'
        + keys
    )


def unknown_keys_data(n: int) -> dict[str, Any]:
    """The same book as data."""
    rule = {"id": "r", "kind": "hard", "forbid": "x", "rationale": "r"}
    rule |= {f"unknown_key_{i}": 1 for i in range(n)}
    return {"name": "hostile", "rule": [rule]}


def unknown_keys_yaml(n: int) -> str:
    """The same book in YAML, one key per line."""
    keys = "".join(f"  unknown_key_{i}: 1\n" for i in range(n))
    return "name: hostile\nrule:\n- id: r\n  kind: hard\n  forbid: x\n  rationale: r\n" + keys


def refused(load: Any, source: Any) -> PolicyValidationError:
    """Load `source`, which must be refused with a PolicyValidationError; return it."""
    with pytest.raises(PolicyValidationError) as caught:
        load(source)
    assert len(str(caught.value)) <= MESSAGE_LIMIT
    return caught.value


class TestErrorReporting:
    @pytest.mark.parametrize(
        ("load", "make"),
        [
            (PolicyBook.from_toml, unknown_keys_toml),
            (PolicyBook.from_json, lambda n: json.dumps(unknown_keys_data(n), indent=1)),
            (PolicyBook.from_yaml, unknown_keys_yaml),
            (PolicyBook.from_data, unknown_keys_data),
        ],
    )
    def test_thousands_of_problems_are_capped_and_counted(self, load, make):
        """10,000 unknown keys list the first 50, count the rest, and place them, in one pass."""
        n = 10_000
        error = refused(load, make(n))
        assert len(error.problems) == MAX_PROBLEMS
        assert error.omitted == n - MAX_PROBLEMS
        assert f"{n:,} problems" in str(error)
        assert f"and {n - MAX_PROBLEMS:,} more" in str(error)
        assert [p.field for p in error.problems[:2]] == ["unknown_key_0", "unknown_key_1"]
        if load != PolicyBook.from_data:
            lines = make(n).splitlines()
            for problem in error.problems:
                assert str(problem.field) in lines[problem.line - 1]

    def test_undeclared_fields_do_not_repeat_the_declared_ones(self):
        """Each unknown-field message lists 20 declared fields and counts the rest."""
        n = 3_000
        context = {f"field_{i}": "number" for i in range(n)}
        rules = [
            {
                "id": f"r{i}",
                "kind": "hard",
                "quantity": f"undeclared_{i}",
                "max": 1,
                "rationale": "r",
            }
            for i in range(n)
        ]
        error = refused(PolicyBook.from_data, {"name": "b", "context": context, "rule": rules})
        assert error.omitted == n - MAX_PROBLEMS
        message = error.problems[0].message
        assert f"(and {n - 20:,} more)" in message
        assert len(message) < 1_000

    def test_unknown_rules_in_tests_do_not_repeat_every_rule(self):
        """A test naming a missing rule lists 20 of the book's rules, not all 3,000."""
        n = 3_000
        rules = [{**LIMIT_RULE, "id": f"rule_{i}"} for i in range(n)]
        tests = [
            {
                "name": f"t{i}",
                "context": {"days": 1},
                "expect": "compliant",
                "findings": {"x": "bent"},
            }
            for i in range(n)
        ]
        error = refused(PolicyBook.from_data, {"name": "b", "rule": rules, "test": tests})
        assert error.omitted == n - MAX_PROBLEMS
        assert all(len(str(problem)) < 1_000 for problem in error.problems)

    @pytest.mark.parametrize("where", ["key", "id", "value", "file"])
    def test_a_megabyte_of_text_in_a_problem_is_cut(self, where, tmp_path):
        """A 1 MB key, rule id, value or file name gives a message of a few hundred characters."""
        big = "k" * 1_000_000
        rule = {"id": "r", "kind": "hard", "forbid": "x", "rationale": "r"}
        if where == "key":
            rule[big] = 1
        elif where == "id":
            rule["id"] = big
        elif where == "value":
            rule["kind"] = big
        if where == "file":
            with pytest.raises(PolicyDefinitionError) as caught:
                PolicyBook.from_toml(tmp_path / (("k" * 200) + ".toml"))
            assert len(str(caught.value)) < 1_000
            return
        error = refused(PolicyBook.from_data, {"name": "b", "rule": [rule]})
        assert len(str(error)) < 2_000

    def test_an_error_that_lists_too_much_is_capped_when_built_by_hand(self):
        """PolicyValidationError itself lists at most MAX_PROBLEMS, whoever builds it."""
        problems = tuple(PolicyDefinitionError(f"problem {i}") for i in range(120))
        error = PolicyValidationError(problems, omitted=5)
        assert (len(error.problems), error.omitted) == (MAX_PROBLEMS, 75)
        assert "125 problems" in str(error)
        copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
        assert (len(copy.problems), copy.omitted, str(copy)) == (MAX_PROBLEMS, 75, str(error))

    @pytest.mark.parametrize(
        "error",
        [
            lambda: stool.ValidationError("k" * 1_000_000, 1, "a" * 1_000_000),
            lambda: PolicyEvaluationError("m" * 1_000_000, field="f" * 1_000_000, rule="r" * 10**6),
            lambda: PolicyDefinitionError("m" * 1_000_000, field="f" * 10**6, file="x" * 10**6),
        ],
    )
    def test_every_error_message_is_bounded(self, error):
        """Each error class cuts what it quotes, so its message stays a few KB."""
        assert len(str(error())) < 4_000


class TestBoundedReads:
    def test_an_endless_device(self):
        """/dev/zero reports no size; it is read up to the limit and refused."""
        with pytest.raises(PolicyDefinitionError, match="larger than the limit"):
            PolicyBook.from_toml(Path("/dev/zero"))

    def test_a_pipe_is_read_up_to_the_limit(self, tmp_path, monkeypatch):
        """A named pipe is read like a file: at most the limit, whatever it sends."""
        monkeypatch.setattr(loaders, "MAX_SOURCE_BYTES", 1_000)
        pipe = tmp_path / "book.toml"

        def feed(data: bytes) -> threading.Thread:
            def write() -> None:
                with pipe.open("wb") as handle, contextlib.suppress(BrokenPipeError):
                    handle.write(data)

            thread = threading.Thread(target=write)
            thread.start()
            return thread

        os.mkfifo(pipe)
        thread = feed(b'name = "piped"\n' + b"# padding\n" * 10_000)
        with pytest.raises(PolicyDefinitionError, match="larger than the limit"):
            PolicyBook.from_file(pipe)
        thread.join()
        thread = feed(b'name = "piped"\n')
        assert PolicyBook.from_file(pipe).name == "piped"
        thread.join()

    @pytest.mark.parametrize("path", ["bad\x00name.toml", "\ud800.toml"])
    def test_unreadable_paths(self, path):
        """A path with a NUL or a lone surrogate is a definition error, not ValueError."""
        with pytest.raises(PolicyDefinitionError, match="cannot read"):
            PolicyBook.from_toml(Path(path))


SURROGATE = "\udcff"
CONDUCT_RULE = {"id": "r", "kind": "hard", "forbid": "x == 'a'", "rationale": "why"}


class TestExceptionTypes:
    @pytest.mark.parametrize(
        "attempt",
        [
            lambda: PolicyBook.from_data({"name": SURROGATE, "rule": [CONDUCT_RULE]}),
            lambda: PolicyBook(name="b" + SURROGATE),
            lambda: PolicyBook.from_data({"name": "b", "description": SURROGATE}),
            lambda: PolicyBook.from_data(
                {"name": "b", "rule": [CONDUCT_RULE | {"unit": SURROGATE}]}
            ),
            lambda: PolicyBook.from_data(
                {"name": "b", "rule": [CONDUCT_RULE | {"forbid": f"x == '{SURROGATE}'"}]}
            ),
            lambda: PolicyBook.from_json('{"name": "\\udcff", "rule": []}'),
            lambda: PolicyBook.from_toml(f'name = "{SURROGATE}"\n'),
            lambda: PolicyBook.from_yaml(f"name: {SURROGATE}\n"),
            lambda: PolicyBook.from_data(
                {
                    "name": "b",
                    "rule": [CONDUCT_RULE],
                    "test": [{"name": SURROGATE, "context": {"x": "a"}, "expect": "broken"}],
                }
            ),
            lambda: compile_expression(f"x == '{SURROGATE}' $"),
            lambda: compile_expression("x + 1")({"x": SURROGATE}),
            lambda: PolicyBook.from_file(f"/nonexistent/{SURROGATE}.toml"),
            lambda: stool.structure({"id": "x", SURROGATE: 1}, stool.Customer),
        ],
    )
    def test_a_lone_surrogate_raises_a_printable_stool_error(self, attempt):
        """Text with a lone surrogate is refused with a StoolError whose message prints as UTF-8."""
        with pytest.raises(stool.StoolError) as caught:
            attempt()
        str(caught.value).encode("utf-8")

    def test_everything_raised_on_purpose_is_a_stool_error(self):
        """Every exception class stool defines derives from StoolError."""
        for module in (stool, stool.policy, stool.errors):
            for _, value in inspect.getmembers(module, inspect.isclass):
                if issubclass(value, BaseException) and value.__module__.startswith("stool"):
                    assert issubclass(value, stool.StoolError), value


class TestHashOrder:
    def test_sets_are_read_in_sorted_order(self):
        """A set in a context is a list in ascending order (booleans, numbers, strings)."""
        read = compile_expression("l == m")
        assert read({"l": {"b", 3, "a", True, 1.5}, "m": [True, 1.5, 3, "a", "b"]}) is True
        assert read({"l": frozenset({2, 1}), "m": [2, 1]}) is False

    def test_no_verdict_depends_on_the_hash_seed(self):
        """The same sets give the same verdicts under two hash seeds."""
        script = textwrap.dedent(
            """
            from stool.policy import PolicyBook, Rule
            book = PolicyBook(name="h", rules=[
                Rule(id="r", kind="hard", require="l == ['a', 'b', 'c', 'd']", rationale="x")])
            sets = [set("abcd"), set("dcba"), {"d", "a", "c", "b"}, frozenset("bdca")]
            print([book.evaluate({"l": s}).verdict.name for s in sets])
            print(book.evaluate_batch({"l": sets}).verdicts())
            """
        )
        outputs = set()
        for seed in ("1", "2"):
            env = {**os.environ, "PYTHONHASHSEED": seed}
            result = subprocess.run(  # noqa: S603 - runs this interpreter on our own code
                [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
            )
            outputs.add(result.stdout)
        assert len(outputs) == 1
        assert "BROKEN" not in outputs.pop()


def nested(depth: int) -> dict[str, Any]:
    """A mapping nested `depth` levels deep."""
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


class TestRecordedContexts:
    @pytest.mark.parametrize("kind", ["cyclic", "deep", "cyclic list", "shared 2**20 ways"])
    def test_a_context_that_cannot_be_recorded_is_refused(self, kind):
        """evaluate refuses a context it could not write out as a decision, naming the field."""
        value: Any
        if kind == "cyclic":
            value = {}
            value["self"] = value
        elif kind == "deep":
            value = nested(5_000)
        elif kind == "cyclic list":
            value = []
            value.append(value)
        else:
            value = []
            for _ in range(20):
                value = [value, value]
        book = load_example("conduct")
        with pytest.raises(PolicyEvaluationError, match="decision records its context") as caught:
            book.evaluate(CONDUCT | {"extra": value})
        assert caught.value.field == "extra"

    def test_a_decision_built_by_hand_is_checked(self):
        """Decision(context=...) refuses a context that holds itself."""
        context: dict[str, Any] = {}
        context["self"] = context
        with pytest.raises(stool.ValidationError, match=r"Decision\.context\.self"):
            Decision(book="b", version="v", verdict=Verdict.COMPLIANT, context=context)

    @given(
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats(allow_nan=False, allow_infinity=False)
            | st.text(),
            lambda children: (
                st.lists(children, max_size=3)
                | st.dictionaries(st.text(max_size=5), children, max_size=3)
            ),
            max_leaves=20,
        )
    )
    def test_every_accepted_context_round_trips(self, extra):
        """Whatever nested data evaluate accepts, its decision round-trips through JSON."""
        decision = load_example("conduct").evaluate(CONDUCT | {"extra": extra})
        data = json.loads(json.dumps(stool.unstructure(decision)))
        assert stool.structure(data, Decision) == decision

    def test_the_deepest_recorded_context_round_trips(self):
        """A context nested exactly 32 levels deep is recorded and round-trips."""
        decision = load_example("conduct").evaluate(CONDUCT | {"extra": nested(31)})
        data = json.loads(json.dumps(stool.unstructure(decision)))
        assert stool.structure(data, Decision) == decision

    @pytest.mark.parametrize("kind", ["cyclic", "deep"])
    def test_unstructure_refuses_what_it_cannot_write(self, kind):
        """unstructure refuses data that holds itself or is too deep, with no RecursionError."""
        value: Any
        if kind == "cyclic":
            value = []
            value.append(value)
        else:
            value = nested(5_000)
        with pytest.raises(stool.ValidationError, match="nested at most"):
            stool.unstructure({"x": value})


class TestYamlLoader:
    def test_the_c_loader_reads_yaml(self, monkeypatch):
        """Policy YAML is parsed by PyYAML's C-accelerated safe loader when it is built."""
        assert hasattr(yaml, "CSafeLoader"), "PyYAML was built without libyaml"
        used: list[str] = []

        class Recording(yaml.CSafeLoader):  # type: ignore[misc, name-defined]
            def __init__(self, stream: Any) -> None:
                used.append("C")
                super().__init__(stream)

        monkeypatch.setattr(yaml, "CSafeLoader", Recording)
        book = PolicyBook.from_yaml(
            "name: y\nrule:\n- {id: r, kind: hard, forbid: x, rationale: r}\n"
        )
        assert (book.name, used) == ("y", ["C"])

    def test_the_c_loader_locates_problems(self):
        """Problems found after the C loader still name their line and column."""
        text = "name: y\nrule:\n- id: r\n  kind: hard\n  forbid: x\n  rationale: r\n  colour: 1\n"
        error = refused(PolicyBook.from_yaml, text)
        assert (error.problems[0].line, error.problems[0].column) == (7, 3)

    def test_yaml_aliases_are_still_refused(self):
        """The C loader's documents are checked for aliases like the pure-Python ones."""
        with pytest.raises(PolicyDefinitionError, match="aliases"):
            PolicyBook.from_yaml("a: &x [1]\nb: *x\n")


class TestBigHostileSources:
    @pytest.mark.parametrize(
        "source",
        [
            "[" * 500_000 + "]" * 500_000,
            '{"name": "b", "rule": [' + ", ".join(['{"id": 1}'] * 15_000) + "]}",
            '{"name": "b", "context": {'
            + ", ".join(f'"f{i}": "nope"' for i in range(20_000))
            + "}}",
        ],
    )
    def test_hundreds_of_kilobytes_of_json(self, source):
        """Hundreds of KB of hostile JSON are refused with a bounded message naming a problem."""
        assert 150_000 < len(source) < 1_100_000
        with pytest.raises(PolicyDefinitionError) as caught:
            PolicyBook.from_json(source)
        assert 0 < len(str(caught.value)) <= MESSAGE_LIMIT

    def test_a_big_valid_yaml_book(self):
        """A valid 180 KB YAML book of 500 rules loads, evaluates and equals its data twin."""
        rules = [
            {
                "id": f"r{i}",
                "kind": "limit",
                "applies": f"action == 'refund' and days > {i % 7}",
                "quantity": "amount",
                "max": "price",
                "bend": {"agent": "10%", "supervisor": "25%"},
                "rationale": "A refund never exceeds the price paid. " * 5,
            }
            for i in range(500)
        ]
        data = {"name": "big", "rule": rules}
        text = yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False)
        assert len(text) > 180_000
        book = PolicyBook.from_yaml(text)
        assert book == PolicyBook.from_data(data)
        decision = book.evaluate({"action": "refund", "days": 9, "amount": 11.0, "price": 10.0})
        assert decision.verdict is Verdict.BENT
        assert math.isfinite(decision.findings[0].tolerance or 0.0)

    def test_hostile_inputs_raise_only_policy_errors(self):
        """A handful of crafted sources raise PolicyErrors and nothing else."""
        sources = [
            (
                '{"name": "b", "rule": [{"id": "r", "kind": "limit", "max": 9007199254740993, '
                '"quantity": "q", "bend": {"agent": 1}, "rationale": "r"}]}'
            ),
            (
                '{"name": "b", "rule": [], "test": [{"name": "t", '
                '"context": {"a[99999999999999999999]": true}, "expect": 1}]}'
            ),
        ]
        for source in sources:
            with pytest.raises(PolicyError):
                PolicyBook.from_json(source)
