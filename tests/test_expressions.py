"""Tests for the policy expression language: compile_expression and Expression."""

from __future__ import annotations

import math
import pickle
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import stool
from stool.policy import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_INTEGER,
    MAX_LENGTH,
    Expression,
    PolicyDefinitionError,
    PolicyEvaluationError,
    compile_expression,
)
from stool.strategies import identifiers


def value(text: str, context: Mapping[str, Any] | None = None, **fields: Any) -> Any:
    """Compile `text` and evaluate it on `context` (or on the keyword fields)."""
    return compile_expression(text)(context if context is not None else fields)


class Recording(Mapping[str, Any]):
    """A context mapping that records every key read."""

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


class TestLiterals:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("30", 30),
            ("2.5", 2.5),
            (".5", 0.5),
            ("1e3", 1000.0),
            ("1.5E-2", 0.015),
            ("-7", -7),
            ("'hygiene'", "hygiene"),
            ('"hygiene"', "hygiene"),
            (r"'it\'s'", "it's"),
            (r'"a\"b"', 'a"b'),
            (r"'tab\tnew\nline\\'", "tab\tnew\nline\\"),
            ("true", True),
            ("false", False),
        ],
    )
    def test_literal_values(self, text, expected):
        """Numbers, strings and booleans evaluate to the value they spell."""
        assert value(text) == expected
        assert type(value(text)) is type(expected)

    def test_literal_kinds(self):
        """A literal's kind is known before evaluation."""
        assert compile_expression("3").kind == "number"
        assert compile_expression("'x'").kind == "string"
        assert compile_expression("true").kind == "boolean"

    @pytest.mark.parametrize("text", ["True", "False", "None", "null"])
    def test_python_and_json_spellings_are_pointed_out(self, text):
        """`True`, `None` and friends raise an error saying what to write instead."""
        with pytest.raises(PolicyDefinitionError, match="not part of the language"):
            compile_expression(text)

    def test_unknown_escape(self):
        """An unknown backslash escape is an error at the backslash."""
        with pytest.raises(PolicyDefinitionError, match="unknown escape") as info:
            compile_expression(r"'a\qb'")
        assert info.value.column == 3


class TestFields:
    def test_plain_field(self):
        """A name reads that key of the context."""
        assert value("days_since_purchase", days_since_purchase=12) == 12

    def test_dotted_field_reads_nested_mappings(self):
        """`customer.tier` reads context['customer']['tier']."""
        assert value("customer.tier == 'gold'", {"customer": {"tier": "gold"}}) is True

    def test_fields_in_order_of_first_use(self):
        """Expression.fields lists each field once, in order of first use."""
        expression = compile_expression("b + a > a and c.d == 'x' or b < 0")
        assert expression.fields == ("b", "a", "c.d")

    def test_missing_field_names_it(self):
        """A field missing from the context raises an evaluation error naming it."""
        with pytest.raises(PolicyEvaluationError) as info:
            value("days_since_purchase <= 30", {})
        assert info.value.field == "days_since_purchase"
        assert "missing" in str(info.value)

    def test_missing_nested_field_names_the_path(self):
        """A missing nested key is named by its dotted path."""
        with pytest.raises(PolicyEvaluationError) as info:
            value("customer.tier == 'gold'", {"customer": {}})
        assert info.value.field == "customer.tier"

    def test_parent_that_is_not_a_mapping(self):
        """Reading a key of a non-mapping names the parent field."""
        with pytest.raises(PolicyEvaluationError) as info:
            value("customer.tier == 'gold'", {"customer": "gold"})
        assert info.value.field == "customer"

    @pytest.mark.parametrize("bad", [None, math.nan, math.inf, object(), {"a": 1}, b"bytes"])
    def test_unsupported_values_name_the_field(self, bad):
        """None, non-finite numbers, mappings and foreign objects are evaluation errors."""
        with pytest.raises(PolicyEvaluationError) as info:
            value("x == 1", x=bad)
        assert info.value.field == "x"

    def test_numpy_scalars_are_numbers(self):
        """numpy integers, floats and booleans read as the language's numbers and booleans."""
        np = pytest.importorskip("numpy")
        assert value("x + 1 == 3", x=np.int64(2)) is True
        assert value("x > 0.25", x=np.float64(0.5)) is True
        assert value("flag", flag=np.bool_(True)) is True

    def test_lists_read_as_tuples(self):
        """A list, tuple or set field reads as a list of scalars."""
        assert value("'vip' in tags", tags=["new", "vip"]) is True
        assert value("len(tags)", tags={"a", "b"}) == 2

    def test_context_must_be_a_mapping(self):
        """Evaluating on anything but a mapping is an evaluation error."""
        with pytest.raises(PolicyEvaluationError, match="mapping"):
            compile_expression("x")([1, 2])

    @pytest.mark.parametrize("text", ["_private", "a._b", "__class__", "x.__dict__"])
    def test_names_start_with_a_letter(self, text):
        """Field names starting with an underscore (dunders included) are rejected."""
        with pytest.raises(PolicyDefinitionError, match="start with a letter"):
            compile_expression(text)


class TestOperators:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("1 + 2 * 3", 7),
            ("(1 + 2) * 3", 9),
            ("10 - 4 - 3", 3),
            ("2 * 3 % 4", 2),
            ("7 / 2", 3.5),
            ("7 % 3", 1),
            ("-7 % 3", 2),
            ("- (2 + 3)", -5),
            ("+4", 4),
            ("not true or true", True),
            ("not (true or true)", False),
            ("true or false and false", True),
            ("(true or false) and false", False),
            ("1 + 1 == 2 and 3 > 2", True),
            ("not 1 > 2", True),
            ("'a' != 'b'", True),
            ("true == false", False),
        ],
    )
    def test_precedence(self, text, expected):
        """Operators bind as in Python: * / % over + -, comparisons, not, and, or."""
        assert value(text) == expected

    def test_chained_comparisons(self):
        """`a < b <= c` means `a < b and b <= c`."""
        assert value("0 <= x <= 30", x=30) is True
        assert value("0 <= x <= 30", x=31) is False
        assert value("1 < 2 > 1", {}) is True

    def test_chain_reads_each_operand_once(self):
        """A chained comparison evaluates its middle operand once."""
        context = Recording({"x": 5})
        assert compile_expression("0 < x < 10")(context) is True
        assert context.reads == ["x"]

    def test_short_circuit(self):
        """`and`/`or` stop at the first deciding operand, like Python's."""
        assert value("x != 0 and y / x > 1", x=0, y=1) is False
        assert value("x == 0 or y / x > 1", x=0, y=1) is True

    def test_division_by_zero(self):
        """Division or modulo by zero is an evaluation error naming the operand."""
        with pytest.raises(PolicyEvaluationError, match="division by zero"):
            value("y / x", x=0, y=1)
        with pytest.raises(PolicyEvaluationError, match="modulo by zero"):
            value("y % x", x=0, y=1)

    def test_overflow_is_an_error(self):
        """A result that is not a finite number is an evaluation error."""
        with pytest.raises(PolicyEvaluationError, match="finite"):
            value("x * x", x=1e300)

    def test_booleans_are_not_numbers(self):
        """`true + 1` and `x < 3` with a boolean x are errors, not coercions."""
        with pytest.raises(PolicyDefinitionError):
            compile_expression("true + 1")
        with pytest.raises(PolicyEvaluationError) as info:
            value("x < 3", x=True)
        assert info.value.field == "x"

    def test_conditions_must_be_booleans(self):
        """`and`, `or` and `not` take true or false, never a truthy number."""
        with pytest.raises(PolicyEvaluationError, match="true or false"):
            value("x and true", x=1)
        with pytest.raises(PolicyEvaluationError, match="true or false"):
            value("not x", x="yes")

    def test_equality_needs_one_kind(self):
        """`==` between a string and a number is an error, not False."""
        with pytest.raises(PolicyEvaluationError, match="same kind") as info:
            value("category == 3", category="hygiene")
        assert info.value.field == "category"
        with pytest.raises(PolicyDefinitionError, match="same kind"):
            compile_expression("'a' == 1")

    def test_numbers_compare_across_int_and_float(self):
        """Integers and floats are one kind, number."""
        assert value("x == 2", x=2.0) is True


class TestMembership:
    def test_in_a_list(self):
        """`x in [...]` tests membership in a literal list."""
        assert value("action in ['refund', 'exchange']", action="refund") is True
        assert value("action not in ['refund', 'exchange']", action="repair") is True

    def test_in_a_tuple(self):
        """A parenthesised tuple of literals works as a list."""
        assert value("x in (1, 2, 3)", x=2) is True
        assert value("x in (1,)", x=2) is False

    def test_in_a_string(self):
        """`'sub' in text` tests for a substring."""
        assert value("'HYG' in sku", sku="HYG-001") is True

    def test_in_a_list_field(self):
        """The right side may be a field holding a list."""
        assert value("'vip' in tags", tags=("vip",)) is True

    def test_empty_list(self):
        """Nothing is in an empty list."""
        assert value("x in []", x=1) is False

    def test_list_items_are_literals_of_one_kind(self):
        """Lists hold literals of one kind."""
        with pytest.raises(PolicyDefinitionError, match="one kind"):
            compile_expression("x in [1, 'a']")
        with pytest.raises(PolicyDefinitionError, match="literal"):
            compile_expression("x in [y]")

    def test_kind_mismatch(self):
        """A number is never looked for in a list of strings."""
        with pytest.raises(PolicyEvaluationError) as info:
            value("x in ['a']", x=1)
        assert info.value.field == "x"

    def test_in_cannot_chain(self):
        """`a in b in c` needs parentheses."""
        with pytest.raises(PolicyDefinitionError, match="chained"):
            compile_expression("a in b in c")


class TestFunctions:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("abs(-3)", 3),
            ("min(4, 2, 9)", 2),
            ("max(4, 2, 9)", 9),
            ("min(5)", 5),
            ("floor(2.7)", 2),
            ("ceil(2.1)", 3),
            ("len('abc')", 3),
            ("lower('HyGiene')", "hygiene"),
            ("upper('a')", "A"),
            ("startswith('HYG-1', 'HYG')", True),
            ("endswith('HYG-1', '-2')", False),
        ],
    )
    def test_each_function(self, text, expected):
        """Each documented function computes what its name says."""
        assert value(text) == expected

    def test_the_table_is_documented(self):
        """Exactly the documented functions exist."""
        assert set(FUNCTIONS) == {
            "abs",
            "min",
            "max",
            "floor",
            "ceil",
            "len",
            "lower",
            "upper",
            "startswith",
            "endswith",
        }

    def test_unknown_function_lists_the_known_ones(self):
        """Calling anything else is an error that lists the functions."""
        with pytest.raises(PolicyDefinitionError, match="unknown function 'open'") as info:
            compile_expression("open('/etc/passwd')")
        assert "lower" in str(info.value)

    @pytest.mark.parametrize("text", ["abs()", "abs(1, 2)", "startswith('a')", "min()"])
    def test_arity(self, text):
        """A wrong number of arguments is a definition error."""
        with pytest.raises(PolicyDefinitionError, match="argument"):
            compile_expression(text)

    def test_argument_kinds(self):
        """Functions check their argument kinds, statically or at run time."""
        with pytest.raises(PolicyDefinitionError):
            compile_expression("lower(3)")
        with pytest.raises(PolicyEvaluationError) as info:
            value("lower(x) == 'a'", x=3)
        assert info.value.field == "x"


class TestDeclaredFields:
    def test_unknown_field_with_suggestion(self):
        """With declared fields, a misspelt name is a definition error with a suggestion."""
        with pytest.raises(PolicyDefinitionError) as info:
            compile_expression("day_since_purchase <= 30", fields={"days_since_purchase": "number"})
        assert info.value.suggestion == "days_since_purchase"
        assert "did you mean 'days_since_purchase'" in str(info.value)

    def test_kind_mismatch_is_found_before_evaluation(self):
        """Declared kinds catch `item_category < 3` when compiling."""
        with pytest.raises(PolicyDefinitionError, match="string"):
            compile_expression("item_category < 3", fields={"item_category": "string"})

    def test_declared_kind_gives_the_result_kind(self):
        """An expression over declared fields knows its kind."""
        expression = compile_expression("days + 1", fields={"days": "number"})
        assert expression.kind == "number"
        assert expression.declared == (("days", "number"),)

    def test_bad_declarations(self):
        """Declared kinds must be number, string, boolean or list."""
        with pytest.raises(PolicyDefinitionError, match="kind"):
            compile_expression("x", fields={"x": "integer"})


class TestErrorPositions:
    def test_line_column_and_caret(self):
        """A syntax error names its line and column and points a caret at it."""
        with pytest.raises(PolicyDefinitionError) as info:
            compile_expression("days <= 30 and\n  amount <= $100")
        error = info.value
        assert (error.line, error.column) == (2, 13)
        assert error.expression == "days <= 30 and\n  amount <= $100"
        lines = str(error).splitlines()
        assert lines[-2].strip() == "amount <= $100"
        assert lines[-1].index("^") == lines[-2].index("$")

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("", "empty"),
            ("days <=", "ends too early"),
            ("(days", r"expected '\)'"),
            ("days = 30", "=="),
            ("a && b", "and"),
            ("a || b", "or"),
            ("!a", "not"),
            ("2 ** 3", "power"),
            ("7 // 2", "floor"),
            ("'open", "never closed"),
            ("30days", "cannot be followed"),
            ("a.b()", "methods"),
            ("a[0]", "indexed"),
            ("1 2", "unexpected"),
        ],
    )
    def test_messages_say_what_is_wrong(self, text, message):
        """Common mistakes get a pointed message."""
        with pytest.raises(PolicyDefinitionError, match=message):
            compile_expression(text)

    def test_non_text(self):
        """An expression is a str."""
        with pytest.raises(PolicyDefinitionError, match="str"):
            compile_expression(b"x == 1")  # type: ignore[arg-type]

    def test_every_error_is_a_stool_policy_error(self):
        """Definition and evaluation errors are PolicyErrors (StoolError and ValueError)."""
        assert issubclass(PolicyDefinitionError, stool.PolicyError)
        assert issubclass(PolicyEvaluationError, stool.PolicyError)
        assert issubclass(PolicyDefinitionError, ValueError)


class TestExpressionValue:
    def test_equal_by_text_and_declarations(self):
        """Two compilations of the same text are equal and hash alike."""
        a = compile_expression("x > 1")
        b = compile_expression("x > 1")
        assert a == b
        assert hash(a) == hash(b)
        assert a != compile_expression("x > 2")

    def test_repr_shows_the_text(self):
        """The repr shows the text and leaves the closure out."""
        assert "x > 1" in repr(compile_expression("x > 1"))
        assert "fn" not in repr(compile_expression("x > 1"))

    def test_pickles(self):
        """An expression pickles with its declared fields, and still works."""
        expression = compile_expression("days + 1 > 2", fields={"days": "number"})
        back = pickle.loads(pickle.dumps(expression))  # noqa: S301 - our own bytes
        assert back == expression
        assert back({"days": 5}) is True

    def test_is_an_expression(self):
        """compile_expression returns an Expression."""
        assert isinstance(compile_expression("1"), Expression)

    def test_limits_are_published(self):
        """The length and depth limits are constants users can read."""
        assert MAX_LENGTH >= 1000
        assert MAX_DEPTH >= 16


# ------------------------------------------------------------------------ property tests

small_ints = st.integers(min_value=-(10**6), max_value=10**6)
finite_floats = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
numbers = small_ints | finite_floats


def field_names() -> st.SearchStrategy[str]:
    """Valid field names built from stool's identifiers (letters, digits, '_' after 'f_')."""
    return identifiers().map(lambda s: "f_" + s.replace("-", "_").replace(".", "_"))


def number_text(x: float) -> str:
    """Spell a number as a literal of the language."""
    return repr(x)


@st.composite
def arithmetic(draw: st.DrawFn, depth: int = 3) -> tuple[str, float]:
    """An arithmetic expression and its value, computed with Python's rules."""
    if depth == 0 or draw(st.booleans()):
        x = draw(numbers)
        return f"({number_text(x)})", x
    left_text, left = draw(arithmetic(depth - 1))
    right_text, right = draw(arithmetic(depth - 1))
    op = draw(st.sampled_from(["+", "-", "*"]))
    result = left + right if op == "+" else left - right if op == "-" else left * right
    if isinstance(result, int) and abs(result) > MAX_INTEGER:
        result = float(result)  # as the engine does: beyond 2**53, a float64
    return f"({left_text} {op} {right_text})", result


@st.composite
def conditions(draw: st.DrawFn, names: tuple[str, ...], depth: int = 3) -> tuple[str, Any]:
    """A boolean expression over `names` and a Python function computing it."""
    if depth == 0 or draw(st.booleans()):
        name = draw(st.sampled_from(names))
        op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
        bound = draw(small_ints)
        compare = {
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
            "==": lambda a, b: a == b,
            "!=": lambda a, b: a != b,
        }[op]
        return f"{name} {op} {bound}", lambda ctx: compare(ctx[name], bound)
    kind = draw(st.sampled_from(["and", "or", "not"]))
    left_text, left = draw(conditions(names, depth - 1))
    if kind == "not":
        return f"not ({left_text})", lambda ctx: not left(ctx)
    right_text, right = draw(conditions(names, depth - 1))
    if kind == "and":
        return f"({left_text}) and ({right_text})", lambda ctx: left(ctx) and right(ctx)
    return f"({left_text}) or ({right_text})", lambda ctx: left(ctx) or right(ctx)


class TestProperties:
    @given(arithmetic())
    def test_arithmetic_agrees_with_python(self, case):
        """+, - and * on literals give exactly Python's result."""
        text, expected = case
        if not math.isfinite(expected):
            with pytest.raises(PolicyEvaluationError):
                value(text)
        else:
            assert value(text) == expected

    @given(numbers, numbers, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
    def test_comparisons_agree_with_python(self, a, b, op):
        """Comparing two fields gives Python's answer."""
        expected = {
            "<": a < b,
            "<=": a <= b,
            ">": a > b,
            ">=": a >= b,
            "==": a == b,
            "!=": a != b,
        }[op]
        assert value(f"a {op} b", a=a, b=b) is expected

    @given(st.data())
    def test_conditions_agree_with_python(self, data):
        """Random and/or/not formulas over fields evaluate as Python evaluates them."""
        names = tuple(data.draw(st.lists(field_names(), min_size=1, max_size=3, unique=True)))
        text, meaning = data.draw(conditions(names))
        context = {name: data.draw(small_ints) for name in names}
        assert compile_expression(text)(context) is meaning(context)

    @given(st.lists(numbers, min_size=1, max_size=5))
    def test_min_max_abs_agree_with_python(self, xs):
        """min, max and abs give Python's results."""
        args = ", ".join(number_text(x) for x in xs)
        assert value(f"min({args})") == min(xs)
        assert value(f"max({args})") == max(xs)
        assert value(f"abs({number_text(xs[0])})") == abs(xs[0])

    @given(st.text(max_size=30), st.text(max_size=30))
    def test_string_functions_agree_with_python(self, a, b):
        """Substring tests and case functions on any text agree with Python's."""
        context = {"a": a, "b": b}
        assert value("a in b", context) is (a in b)
        assert value("startswith(b, a)", context) is b.startswith(a)
        assert value("lower(a)", context) == a.lower()
        assert value("len(a)", context) == len(a)

    @given(st.text(max_size=40))
    def test_string_literals_round_trip(self, text):
        """Any text, quoted and escaped, reads back as itself."""
        escaped = text.replace("\\", "\\\\").replace("'", "\\'")
        assert value(f"'{escaped}'") == text
