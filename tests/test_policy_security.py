"""Hostile expressions and policy files raise PolicyError, and nothing outside the grammar runs."""

from __future__ import annotations

import builtins
import json
import re
import sys
import traceback
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import stool
from stool.policy import (
    MAX_DEPTH,
    MAX_LENGTH,
    Cause,
    Decision,
    Finding,
    PolicyBook,
    PolicyDefinitionError,
    PolicyError,
    PolicyEvaluationError,
    PolicyTest,
    compile_expression,
    load_example,
)

PACKAGE = Path(stool.__file__).parent

HOSTILE_EXPRESSIONS = [
    "__import__('os').system('echo pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__",
    "x.__globals__",
    "__builtins__",
    "getattr(x, 'y')",
    "eval('1')",
    "exec('1')",
    "open('/etc/passwd')",
    "compile('1', 'f', 'eval')",
    "x.lower()",
    "'abc'.upper()",
    "lambda: 1",
    "lambda x: x",
    "[x for x in y]",
    "(x for x in y)",
    "{x: 1 for x in y}",
    "{1, 2}",
    "{'a': 1}",
    "import os",
    "from os import system",
    "x if y else z",
    "(x := 1)",
    "x = 1",
    "x; y",
    "*x",
    "**x",
    "@x",
    "f'{x}'",
    "x[0]",
    "x[0:1]",
    "`x`",
    "x is None",
    "None",
    "$x",
    "#comment",
    "\\x",
    "x\x00",
    "x \udcff",
    "\u200bx",
    "café == 1",
    "abs.__call__(1)",
    "len(x)(1)",
    "max(*x)",
    "min(key=x)",
]


def is_policy_error(error: BaseException) -> bool:
    """Whether `error` is exactly what the engine promises to raise."""
    return isinstance(error, PolicyError) and isinstance(error, stool.StoolError)


def deepest_frame_in_stool(error: BaseException) -> bool:
    """Whether the innermost frame of the error's traceback is stool's code."""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and str(PACKAGE) in tb.tb_frame.f_code.co_filename


def attempt(function: Any, *args: Any) -> tuple[Any, Exception | None]:
    """Call `function`, returning its result and None, or None and the exception it raised."""
    try:
        return function(*args), None
    except Exception as error:  # noqa: BLE001 - the callers check every exception's type
        return None, error


class TestHostileExpressions:
    @pytest.mark.parametrize("text", HOSTILE_EXPRESSIONS)
    def test_rejected_when_compiled(self, text):
        """Dunders, attribute access, calls, lambdas, comprehensions and imports do not compile."""
        with pytest.raises(PolicyDefinitionError) as info:
            compile_expression(text)
        assert (
            info.value.line is not None or info.value.column is not None or "str" in str(info.value)
        )

    def test_ten_thousand_deep_parentheses(self):
        """10,000 nested parentheses are refused, with no RecursionError."""
        text = "(" * 10_000 + "1" + ")" * 10_000
        with pytest.raises(PolicyDefinitionError):
            compile_expression(text)

    @pytest.mark.parametrize(
        "text",
        [
            "(" * 4_000 + "1" + ")" * 4_000,
            "not " * 2_000 + "true",
            "-" * 9_000 + "x",
            "[" * 5_000,
            "abs(" * 1_900 + "1" + ")" * 1_900,
            "x in " + "[" * 3_000,
        ],
    )
    def test_deep_nesting_within_the_length_limit(self, text):
        """Nesting deeper than MAX_DEPTH is refused even when the text is short enough."""
        assert len(text) <= MAX_LENGTH
        with pytest.raises(PolicyDefinitionError, match="nested"):
            compile_expression(text)

    def test_long_dotted_paths_are_not_nesting(self):
        """A 4,000-part dotted name compiles and reads nested mappings without recursion."""
        expression = compile_expression("a" + ".a" * 4_000)
        with pytest.raises(PolicyEvaluationError) as info:
            expression({"a": {"a": 1}})
        assert info.value.field == "a.a"

    def test_nesting_at_the_limit_compiles_and_runs(self):
        """An expression nested just within the limit works."""
        text = "(" * (MAX_DEPTH - 2) + "x + 1" + ")" * (MAX_DEPTH - 2) + " > 0"
        assert compile_expression(text)({"x": 1}) is True

    def test_long_flat_chains_are_not_deep(self):
        """A thousand-term sum or conjunction is flat, not nested: it compiles and runs."""
        total = compile_expression(" + ".join(["x"] * 1000))
        assert total({"x": 1}) == 1000
        both = compile_expression(" and ".join(["x > 0"] * 500))
        assert both({"x": 1}) is True

    def test_one_megabyte_string(self):
        """A 1 MB expression is refused by the length limit."""
        text = "'" + "a" * 1_000_000 + "'"
        with pytest.raises(PolicyDefinitionError, match="limit"):
            compile_expression(text)

    def test_one_megabyte_value_in_the_context(self):
        """A 1 MB string value is compared like any other."""
        big = "a" * 1_000_000
        assert compile_expression("x != 'hygiene'")({"x": big}) is True

    @pytest.mark.parametrize("text", ["9" * 41, "1e999", "1" + "0" * 50 + ".5", "-1e400"])
    def test_huge_number_literals(self, text):
        """Number literals longer than the limit, or not finite, are refused."""
        with pytest.raises(PolicyDefinitionError):
            compile_expression(text)

    def test_huge_numbers_in_the_context(self):
        """Integers beyond 2**53 are refused naming the field, as the column path refuses them."""
        for huge in (10**5000, 2**53 + 1, -(2**60)):
            for text in ("x > 30", "x / 3", "x == 1", "x + 0"):
                with pytest.raises(PolicyEvaluationError, match=r"2\*\*53") as caught:
                    compile_expression(text)({"x": huge})
                assert caught.value.field == "x"
        assert compile_expression("x > 30")({"x": 2**53}) is True

    def test_non_utf8_bytes(self):
        """Bytes are not an expression; invalid UTF-8 in a file is a definition error."""
        with pytest.raises(PolicyDefinitionError):
            compile_expression(b"\xff\xfe x")  # type: ignore[arg-type]
        with pytest.raises(PolicyDefinitionError, match="UTF-8") as info:
            PolicyBook.from_toml(b'name = "x"\n\xff = 1\n')
        assert (info.value.line, info.value.column) == (2, 1)

    @given(st.text(max_size=60))
    def test_random_text_raises_only_policy_errors(self, text):
        """Any text either compiles or raises a PolicyDefinitionError."""
        expression, error = attempt(compile_expression, text)
        if error is not None:
            assert isinstance(error, PolicyDefinitionError), repr(error)
            return
        _, error = attempt(expression, {"x": 1, "y": "a", "z": True})
        assert error is None or isinstance(error, PolicyEvaluationError), repr(error)

    @given(
        st.lists(
            st.sampled_from(
                [
                    "x",
                    "y",
                    "z",
                    "1",
                    "0",
                    "2.5",
                    "'a'",
                    "true",
                    "false",
                    "(",
                    ")",
                    "[",
                    "]",
                    ",",
                    ".",
                    "+",
                    "-",
                    "*",
                    "/",
                    "%",
                    "==",
                    "!=",
                    "<",
                    "<=",
                    ">",
                    ">=",
                    "and",
                    "or",
                    "not",
                    "in",
                    "abs",
                    "min",
                    "max",
                    "len",
                    "lower",
                    "startswith",
                    "__class__",
                    "__import__",
                    "lambda",
                    ":",
                    "=",
                    "'",
                    "\\",
                ]
            ),
            max_size=25,
        ),
        st.dictionaries(
            st.sampled_from(["x", "y", "z"]),
            st.one_of(
                st.integers(),
                st.floats(),
                st.text(max_size=5),
                st.booleans(),
                st.none(),
                st.lists(st.integers(), max_size=3),
                st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
            ),
        ),
    )
    def test_token_soup_raises_only_policy_errors(self, tokens, context):
        """Random runs of the language's own tokens, on random contexts, raise only PolicyErrors."""
        expression, error = attempt(compile_expression, " ".join(tokens))
        if error is not None:
            assert isinstance(error, PolicyDefinitionError), repr(error)
            return
        _, error = attempt(expression, context)
        assert error is None or isinstance(error, PolicyEvaluationError), repr(error)


class Recording(Mapping[str, Any]):
    """A context that records every key read."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.reads: list[str] = []

    def __getitem__(self, key: str) -> Any:
        self.reads.append(key)
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


class Trap:
    """A value that records any attempt to look at it beyond its type."""

    touched: list[str]

    def __init__(self) -> None:
        object.__setattr__(self, "touched", [])

    def __getattribute__(self, name: str) -> Any:
        object.__getattribute__(self, "touched").append(name)
        return object.__getattribute__(self, name)

    def __eq__(self, other: object) -> bool:
        object.__getattribute__(self, "touched").append("__eq__")
        return True

    def __hash__(self) -> int:
        return 0

    def __lt__(self, other: object) -> bool:
        object.__getattribute__(self, "touched").append("__lt__")
        return True


class TestNothingOutsideTheGrammarRuns:
    def test_only_the_named_keys_are_read(self):
        """Evaluation reads exactly the context keys the expression names."""
        expression = compile_expression("a > 1 and (b == 'x' or c)")
        context = Recording({"a": 2, "b": "x", "c": True, "secret": 1})
        assert expression(context) is True
        assert set(context.reads) == {"a", "b"}
        assert "secret" not in context.reads

    def test_values_are_never_asked_anything(self):
        """A foreign object in the context is refused by its type alone: none of its code runs."""
        trap = Trap()
        for text in ("x < 3", "x == 1", "x in [1, 2]", "lower(x) == 'a'", "x"):
            with pytest.raises(PolicyEvaluationError):
                compile_expression(text)({"x": trap})
        assert object.__getattribute__(trap, "touched") == []

    def test_no_builtin_escape_hatch_is_called(self, monkeypatch):
        """Compiling and evaluating never calls eval, exec, compile, getattr or __import__."""
        calls: list[str] = []

        def trap(name: str) -> Any:
            original = getattr(builtins, name)

            def wrapper(*args: Any, **kwargs: Any) -> Any:
                calls.append(name)
                return original(*args, **kwargs)

            return wrapper

        texts = [
            "days_since_purchase <= 30 and refund_amount <= 100 and item_category != 'hygiene'",
            "lower(c) in ['a', 'b'] or startswith(c, 'x')",
            "max(a, 2) * 3 - abs(-a) / 2 >= 1",
        ]
        context = {
            "days_since_purchase": 3,
            "refund_amount": 5,
            "item_category": "kitchen",
            "c": "A",
            "a": 2,
        }
        expressions = [compile_expression(text) for text in texts]
        for name in ("eval", "exec", "compile", "getattr", "setattr", "__import__", "open"):
            monkeypatch.setattr(builtins, name, trap(name))
        calls.clear()  # monkeypatch itself uses getattr while installing the traps
        for text in texts:
            compile_expression(text)(context)
        for expression in expressions:
            expression(context)
        seen = list(calls)
        monkeypatch.undo()
        assert seen == []

    @pytest.mark.parametrize("pattern", [r"\beval\(", r"\bexec\("])
    def test_no_eval_or_exec_in_stool(self, pattern):
        """No stool source file calls eval or exec."""
        offenders = [
            str(path)
            for path in PACKAGE.rglob("*.py")
            if re.search(pattern, path.read_text(encoding="utf-8"))
        ]
        assert offenders == []

    def test_the_language_modules_call_no_getattr(self):
        """The parser and both compilers never call getattr, setattr or __import__."""
        policy = PACKAGE / "policy"
        paths = [
            policy / "_syntax.py",
            *sorted((policy / "_expr").glob("*.py")),
            policy / "_vector.py",
        ]
        assert len(paths) > 3
        for path in paths:
            source = path.read_text(encoding="utf-8")
            assert not re.search(r"\b(getattr|setattr|__import__|importlib)\(", source), path.name


# ------------------------------------------------------------------------ policy files

MINIMAL = """
name = "x"
[[rule]]
id = "r"
kind = "hard"
forbid = "flag"
rationale = "Because."
"""


class TestHostilePolicyFiles:
    def test_deeply_nested_toml(self):
        """10,000-deep TOML arrays are a definition error, not a RecursionError."""
        text = 'name = "x"\nrule = ' + "[" * 10_000 + "]" * 10_000 + "\n"
        with pytest.raises(PolicyDefinitionError):
            PolicyBook.from_toml(text)

    def test_deeply_nested_json(self):
        """100,000-deep JSON is a definition error."""
        text = '{"name": "x", "rule": ' + "[" * 100_000 + "]" * 100_000 + "}"
        with pytest.raises(PolicyDefinitionError):
            PolicyBook.from_json(text)

    def test_nesting_beyond_the_limit_in_valid_json(self):
        """Data nested deeper than MAX_NESTING, though valid JSON, is refused."""
        deep: Any = 1
        for _ in range(60):
            deep = {"a": deep}
        data = {
            "name": "x",
            "rule": [],
            "test": [{"name": "t", "context": deep, "expect": "compliant"}],
        }
        with pytest.raises(PolicyDefinitionError, match="nested"):
            PolicyBook.from_json(json.dumps(data))

    def test_yaml_alias_bomb(self):
        """YAML aliases (the billion laughs) are refused before anything expands."""
        pytest.importorskip("yaml")
        lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        for i in range(1, 9):
            previous = chr(ord("a") + i - 1)
            name = chr(ord("a") + i)
            lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        lines.append("name: bomb")
        with pytest.raises(PolicyDefinitionError, match="alias"):
            PolicyBook.from_yaml("\n".join(lines))

    def test_yaml_object_tags(self):
        """YAML tags that would build Python objects are refused (safe loading only)."""
        pytest.importorskip("yaml")
        text = "name: !!python/object/apply:os.system ['echo pwned']\nrule: []\n"
        with pytest.raises(PolicyDefinitionError, match="YAML"):
            PolicyBook.from_yaml(text)

    def test_huge_integer_in_toml(self):
        """A 5,000-digit integer is a definition error."""
        text = (
            MINIMAL
            + "\n[[test]]\nname = 't'\nexpect = 'compliant'\ncontext = { flag = "
            + "9" * 5000
            + " }\n"
        )
        with pytest.raises(PolicyDefinitionError):
            PolicyBook.from_toml(text)

    def test_non_finite_bounds(self):
        """inf and nan are not bounds or tolerances."""
        text = """
name = "x"
[[rule]]
id = "r"
kind = "limit"
quantity = "q"
max = inf
bend = { agent = nan }
rationale = "Because."
"""
        with pytest.raises(PolicyDefinitionError) as info:
            PolicyBook.from_toml(text)
        fields = {problem.field for problem in info.value.problems}
        assert {"max", "bend.agent"} <= fields

    def test_megabyte_expression_in_a_file(self):
        """A 1 MB expression in a rule is reported as a problem of that rule."""
        text = MINIMAL.replace('forbid = "flag"', 'forbid = "' + "a" * 1_000_000 + '"')
        with pytest.raises(PolicyDefinitionError) as info:
            PolicyBook.from_toml(text)
        assert info.value.problems[0].rule == "r"

    def test_hostile_expression_in_a_file(self):
        """An expression that tries to escape is a validation problem naming rule and field."""
        text = MINIMAL.replace('forbid = "flag"', "forbid = \"__import__('os').system('x')\"")
        with pytest.raises(PolicyDefinitionError) as info:
            PolicyBook.from_toml(text)
        problem = info.value.problems[0]
        assert (problem.rule, problem.field, problem.line) == ("r", "forbid", 6)

    @given(st.binary(max_size=200))
    def test_random_bytes_raise_only_policy_errors(self, data):
        """Any bytes, read as TOML, JSON or YAML, load or raise only PolicyErrors."""
        for load in (PolicyBook.from_toml, PolicyBook.from_json, PolicyBook.from_yaml):
            _, error = attempt(load, data)
            assert error is None or is_policy_error(error), repr(error)

    json_data = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=8), children, max_size=4)
        ),
        max_leaves=30,
    )

    @given(
        st.fixed_dictionaries(
            {},
            optional={
                "name": json_data,
                "context": json_data,
                "rule": st.lists(
                    st.dictionaries(
                        st.sampled_from(
                            [
                                "id",
                                "kind",
                                "rationale",
                                "applies",
                                "quantity",
                                "max",
                                "min",
                                "require",
                                "forbid",
                                "bend",
                                "budget",
                                "unit",
                                "justification_required",
                                "extra",
                            ]
                        ),
                        json_data,
                    ),
                    max_size=3,
                )
                | json_data,
                "test": json_data,
                "other": json_data,
            },
        )
    )
    def test_random_data_raises_only_policy_errors(self, data):
        """Random policy-shaped data builds a book or raises only PolicyErrors."""
        _, error = attempt(PolicyBook.from_data, data)
        assert error is None or is_policy_error(error), repr(error)

    def test_the_python_api_refuses_deep_data(self):
        """Building a test case from deeply nested data is a validation error."""
        deep: Any = 1
        for _ in range(500):
            deep = [deep]
        with pytest.raises(PolicyDefinitionError):
            PolicyTest(name="t", context={"x": deep}, expect="compliant")

    def test_evaluating_a_book_with_hostile_contexts(self):
        """Booby-trapped or wrongly typed context values raise only evaluation errors."""
        book = load_example("returns")
        trap = Trap()
        contexts = [
            {"action": trap},
            {"action": "refund", "days_since_purchase": trap},
            {"action": "refund", "days_since_purchase": "soon"},
            {"action": "refund", "days_since_purchase": float("nan")},
            [("action", "refund")],
            "refund",
        ]
        for context in contexts:
            with pytest.raises(PolicyEvaluationError):
                book.evaluate(context)  # type: ignore[arg-type]
        assert object.__getattribute__(trap, "touched") == []

    def test_deep_recursion_in_the_callers_stack(self):
        """Evaluating with the stack nearly full raises an evaluation error, not RecursionError."""
        expression = compile_expression("not " * (MAX_DEPTH - 2) + "x")
        book = load_example("returns")
        context = {
            "action": "refund",
            "days_since_purchase": 1,
            "refund_amount": 1.0,
            "purchase_price": 1.0,
            "item_category": "kitchen",
        }
        limit = sys.getrecursionlimit()
        here = len(traceback.extract_stack())
        while True:  # the lowest limit the interpreter accepts here is the current depth
            try:
                sys.setrecursionlimit(here)
                break
            except RecursionError:
                here += 1
        sys.setrecursionlimit(limit)
        outcomes = []
        for headroom in (2, 5, 10, 20, 40):
            sys.setrecursionlimit(here + headroom)
            try:
                outcomes.append(attempt(expression, {"x": True}))
                outcomes.append(attempt(book.evaluate, context))
            finally:
                sys.setrecursionlimit(limit)
        errors = [error for _, error in outcomes if error is not None]
        assert any(isinstance(error, PolicyEvaluationError) for error in errors)
        for error in errors:
            if isinstance(error, RecursionError):
                # Only acceptable when the very call into stool found no stack left:
                # then no stool code ran, and the error is raised in the caller.
                assert not deepest_frame_in_stool(error), error
            else:
                assert isinstance(error, PolicyEvaluationError), error


HUGE = 10**5000
"""An integer too long for `repr` (Python refuses to print more than 4,300 digits)."""

RULE = {
    "id": "window",
    "kind": "limit",
    "quantity": "days",
    "max": 30,
    "bend": {"agent": 5},
    "rationale": "r",
}
TEST = {"name": "t", "context": {"days": 1}, "expect": "compliant"}


class TestHugeValuesInMessages:
    @pytest.mark.parametrize(
        "key",
        ["id", "kind", "quantity", "max", "min", "bend", "budget", "unit", "rationale", "applies"],
    )
    def test_a_huge_integer_in_a_rule(self, key):
        """A rule key holding an integer too long to print is a definition error naming it."""
        with pytest.raises(PolicyDefinitionError, match="digits") as caught:
            PolicyBook.from_data({"name": "b", "rule": [{**RULE, key: HUGE}]})
        assert key in str(caught.value)

    @pytest.mark.parametrize("key", ["per", "bends", "total"])
    def test_a_huge_integer_in_a_budget(self, key):
        """A budget key holding an integer too long to print is a definition error."""
        budget = {"per": "day", "bends": 3, key: HUGE}
        with pytest.raises(PolicyDefinitionError, match=f"budget.{key}"):
            PolicyBook.from_data({"name": "b", "rule": [{**RULE, "budget": budget}]})

    def test_a_huge_tolerance(self):
        """A tolerance too long to print is a definition error naming the authority."""
        with pytest.raises(PolicyDefinitionError, match=r"bend\.agent"):
            PolicyBook.from_data({"name": "b", "rule": [{**RULE, "bend": {"agent": HUGE}}]})

    @pytest.mark.parametrize(
        "key", ["name", "context", "expect", "by", "requires", "when", "prior_bends", "findings"]
    )
    def test_a_huge_integer_in_a_test(self, key):
        """A test case key holding an integer too long to print is a definition error."""
        with pytest.raises(PolicyDefinitionError, match=key):
            PolicyBook.from_data({"name": "b", "rule": [RULE], "test": [{**TEST, key: HUGE}]})

    @pytest.mark.parametrize(
        "data",
        [
            {"name": HUGE, "rule": [RULE]},
            {"name": "b", "description": HUGE, "rule": [RULE]},
            {"name": "b", "context": HUGE, "rule": [RULE]},
            {"name": "b", "context": {"days": {"kind": HUGE}}, "rule": [RULE]},
            {"name": "b", "context": {HUGE: {"kind": "number"}}, "rule": [RULE]},
            {"name": "b", HUGE: 1, "rule": [RULE]},
            {"name": "b", "rule": [{**RULE, HUGE: 1}]},
            {"name": "b", "rule": [RULE], "test": [{**TEST, "context": {"days": HUGE}}]},
            {"name": "b", "rule": [RULE], "test": [{**TEST, "prior_bends": {"window": [HUGE]}}]},
            {"name": "b", "rule": [RULE], "test": [{**TEST, "findings": {"window": HUGE}}]},
        ],
    )
    def test_a_huge_integer_anywhere_in_a_book(self, data):
        """Huge integers as keys or values anywhere in book data raise only PolicyErrors."""
        with pytest.raises(PolicyDefinitionError):
            PolicyBook.from_data(data)

    def test_a_bend_count_beyond_int64(self):
        """A budget's bend count is bounded, so the book's version can always be computed."""
        budget = {"per": "day", "bends": 2**63}
        with pytest.raises(PolicyDefinitionError, match=r"budget\.bends"):
            PolicyBook.from_data({"name": "b", "rule": [{**RULE, "budget": budget}]})
        budget = {"per": "day", "bends": 2**63 - 1}
        book = PolicyBook.from_data({"name": "b", "rule": [{**RULE, "budget": budget}]})
        assert len(book.version) == 16

    @pytest.mark.parametrize("fmt", ["json", "toml", "yaml"])
    def test_a_huge_integer_literal_in_a_file(self, fmt):
        """A 5,000-digit bound in a policy file is a definition error, in every format."""
        digits = "9" * 5000
        text = {
            "json": '{"name": "b", "rule": [{"id": "w", "kind": "limit", "quantity": "d", '
            f'"max": {digits}, "bend": {{"agent": 1}}, "rationale": "r"}}]}}',
            "toml": f'name = "b"\n[[rule]]\nid = "w"\nkind = "limit"\nquantity = "d"\n'
            f'max = {digits}\nbend = {{ agent = 1 }}\nrationale = "r"\n',
            "yaml": "name: b\nrule:\n- {id: w, kind: limit, quantity: d, "
            f"max: {digits}, bend: {{agent: 1}}, rationale: r}}\n",
        }[fmt]
        with pytest.raises(PolicyDefinitionError, match="max"):
            getattr(PolicyBook, f"from_{fmt}")(text)

    @pytest.mark.parametrize(
        "text", ["x + 'a'", "lower(x)", "x and y", "x in y", "not x", "startswith(x, 'a')"]
    )
    def test_a_huge_integer_in_a_type_error(self, text):
        """A wrongly typed huge integer in the context is an evaluation error, not ValueError."""
        try:
            expression = compile_expression(text)
        except PolicyDefinitionError:
            return
        with pytest.raises(PolicyEvaluationError):
            expression({"x": HUGE, "y": HUGE})

    @pytest.mark.parametrize(
        "field", ["action", "days_since_purchase", "refund_amount", "item_category"]
    )
    def test_a_huge_integer_in_a_batch_column(self, field):
        """A huge integer in an object column is an evaluation error naming field and row."""
        book = load_example("returns")
        columns: dict[str, list[Any]] = {
            "action": ["refund", "refund"],
            "days_since_purchase": [1, 2],
            "refund_amount": [1.0, 1.0],
            "purchase_price": [1.0, 1.0],
            "item_category": ["kitchen", "kitchen"],
        }
        columns[field] = [columns[field][0], HUGE]
        with pytest.raises(PolicyEvaluationError) as caught:
            book.evaluate_batch(columns)
        assert caught.value.field == field
        assert caught.value.row == 1

    def test_a_huge_integer_in_the_explanation(self):
        """A huge value shown in a decision's trace is summarised, not printed in full."""
        book = PolicyBook.from_data(
            {"name": "b", "rule": [{**RULE, "applies": "kind == 'x' and days > 0"}]},
        )
        decision = book.evaluate({"kind": "y", "days": HUGE})
        assert "days = <an integer of about 5001 digits>" in decision.explain()

    @pytest.mark.parametrize("key", ["observed", "bound", "deviation", "tolerance"])
    def test_a_huge_integer_in_a_finding(self, key):
        """A finding holding a huge integer explains itself with the value shortened."""
        values = {"observed": 40, "bound": 30, "deviation": 10, "tolerance": 5} | {key: HUGE}
        finding = Finding(
            rule="window",
            verdict=stool.Verdict.BROKEN,
            cause=Cause.BEYOND_AUTHORITY,
            kind="limit",
            check="max",
            expression="days",
            requires=stool.Authority.MANAGER,
            **values,
        )
        decision = Decision(
            book="b", version="v", verdict=stool.Verdict.BROKEN, findings=(finding,)
        )
        text = decision.explain()
        assert len(text) < 1000
        assert "<an integer of about 5001 digits>" in finding.reason
        assert "<an integer of about 5001 digits>" in text
