"""Tests for evaluate_batch: the column path agrees with evaluate, row by row."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import stool
from stool import Authority, Verdict
from stool.policy import (
    BatchDecision,
    PolicyBook,
    PolicyDefinitionError,
    PolicyError,
    PolicyEvaluationError,
    Rule,
    compile_expression,
    evaluate_batch,
    load_example,
)
from stool.policy._syntax import parse
from stool.policy._vector import Columns, compile_vector
from stool.strategies import authorities

RICH = PolicyBook(
    name="rich",
    context={
        "kind": "string",
        "a": "number",
        "b": "number",
        "flag": "boolean",
        "tag": "string",
        "customer.tier": "string",
    },
    rules=[
        Rule(
            id="percent",
            kind="limit",
            applies="kind in ['x', 'y'] and not flag",
            quantity="a",
            max="b * 2",
            bend={"agent": "10%", "supervisor": "25%", "manager": "50%"},
            rationale="r",
        ),
        Rule(
            id="minimum",
            kind="limit",
            applies="0 <= b < 50 or lower(tag) == 'vip'",
            quantity="abs(a - b)",
            min=5,
            bend={"supervisor": 3},
            justification_required=True,
            rationale="r",
        ),
        Rule(id="ratio", kind="hard", applies="b != 0", quantity="a / b", max=10, rationale="r"),
        Rule(
            id="condition",
            kind="hard",
            applies="startswith(tag, 'v') and customer.tier != 'gold'",
            require="flag or max(a, b) > 20",
            rationale="r",
        ),
        Rule(id="forbid", kind="hard", forbid="kind == 'z' and a % 7 == 3", rationale="r"),
    ],
)


def rows_of(columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Turn columns into one context per row, nesting dotted names."""
    n = len(next(iter(columns.values())))
    rows = []
    for i in range(n):
        row: dict[str, Any] = {}
        for name, values in columns.items():
            head, _, rest = name.partition(".")
            if rest:
                row.setdefault(head, {})[rest] = values[i]
            else:
                row[name] = values[i]
        rows.append(row)
    return rows


def agree(
    book: PolicyBook, columns: dict[str, list[Any]], by: Authority, justification: str | None
) -> None:
    """Assert that evaluate_batch and evaluate agree on every row, rule by rule.

    Through both outputs: the codes of a mapping's BatchDecision and the names of a
    pandas frame's categorical columns.
    """
    batch = book.evaluate_batch(columns, by=by, justification=justification)
    frame = book.evaluate_batch(pd.DataFrame(columns), by=by, justification=justification)
    assert list(frame.columns) == ["verdict", "requires", *(rule.id for rule in book.rules)]
    for i, row in enumerate(rows_of(columns)):
        decision = book.evaluate(row, by=by, justification=justification)
        assert batch.verdicts()[i] is decision.verdict, (i, row)
        assert batch.requirements()[i] is decision.requires, (i, row)
        assert frame["verdict"].iloc[i] == decision.verdict.name, (i, row)
        assert named(frame["requires"].iloc[i]) == _name(decision.requires), (i, row)
        for rule in book.rules:
            finding = decision.finding(rule.id)
            expected = 0 if finding is None else finding.verdict.value
            assert batch.rules[rule.id][i] == expected, (i, rule.id, row)
            wanted = None if finding is None else finding.verdict.name
            assert named(frame[rule.id].iloc[i]) == wanted, (i, rule.id, row)


def named(value: Any) -> str | None:
    """A categorical cell as its name, None where it is missing (NaN)."""
    return None if pd.isna(value) else str(value)


def _name(member: Authority | None) -> str | None:
    return None if member is None else member.name


VERDICT_NAMES = ("COMPLIANT", "BENT", "BROKEN")
AUTHORITY_NAMES = ("AGENT", "SUPERVISOR", "MANAGER")


def codes_of(result: Any, name: str) -> np.ndarray:
    """One column of a table evaluate_batch returned, as BatchDecision's codes (0: none).

    Read from each kind's own codes: pandas' `.cat.codes`, Arrow's dictionary indices;
    polars numbers its categories in a process-wide order, so its column is read by name.
    A BatchDecision (from a mapping) gives its own codes.
    """
    if isinstance(result, BatchDecision):
        if name in ("verdict", "requires"):
            return getattr(result, name)
        return result.rules[name]
    if isinstance(result, pd.DataFrame):
        return result[name].cat.codes.to_numpy() + 1
    if isinstance(result, (pa.Table, pa.RecordBatch)):
        column = result.column(name)
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        return column.indices.fill_null(-1).to_numpy() + 1
    names = AUTHORITY_NAMES if name == "requires" else VERDICT_NAMES
    return np.array([0 if v is None else names.index(v) + 1 for v in result[name].to_list()])


@st.composite
def rich_columns(draw: st.DrawFn) -> dict[str, list[Any]]:
    """Columns for the RICH book, with zeros, negatives and every branch reachable."""
    n = draw(st.integers(1, 30))
    ints = st.integers(-100, 100)
    return {
        "kind": draw(st.lists(st.sampled_from(["x", "y", "z"]), min_size=n, max_size=n)),
        "a": draw(st.lists(ints, min_size=n, max_size=n)),
        "b": draw(st.lists(ints | st.just(0), min_size=n, max_size=n)),
        "flag": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
        "tag": draw(
            st.lists(st.sampled_from(["vip", "VIP", "v1", "other"]), min_size=n, max_size=n)
        ),
        "customer.tier": draw(
            st.lists(st.sampled_from(["gold", "silver"]), min_size=n, max_size=n)
        ),
    }


@st.composite
def returns_columns(draw: st.DrawFn) -> dict[str, list[Any]]:
    """Columns for the returns book."""
    n = draw(st.integers(1, 40))
    prices = st.floats(0, 500, allow_nan=False).map(lambda x: round(x, 2))
    return {
        "action": draw(st.lists(st.sampled_from(["refund", "exchange"]), min_size=n, max_size=n)),
        "days_since_purchase": draw(st.lists(st.integers(0, 90), min_size=n, max_size=n)),
        "refund_amount": draw(st.lists(prices, min_size=n, max_size=n)),
        "purchase_price": draw(st.lists(prices, min_size=n, max_size=n)),
        "item_category": draw(
            st.lists(st.sampled_from(["kitchen", "hygiene"]), min_size=n, max_size=n)
        ),
    }


class TestAgreement:
    @given(returns_columns(), authorities())
    def test_returns_book(self, columns, by):
        """On the returns book, every row's verdict and requires match evaluate's."""
        agree(load_example("returns"), columns, by, None)

    @given(rich_columns(), authorities(), st.sampled_from([None, "why"]))
    def test_rich_book(self, columns, by, justification):
        """Percent ladders, expression bounds, minimums, justification, functions, nested fields
        and short-circuits all agree row by row."""
        agree(RICH, columns, by, justification)

    @pytest.mark.parametrize("name", ["conduct", "delivery", "warranty", "gym_cancellation"])
    def test_examples_own_cases(self, name):
        """Each example book's own test contexts, as one batch, agree with evaluate."""
        book = load_example(name)
        contexts = [dict(case.context) for case in book.tests]
        columns = {key: [c[key] for c in contexts] for key in contexts[0]}
        for by in Authority:
            for justification in (None, "why"):
                agree(book, columns, by, justification)


class TestInputs:
    def columns(self) -> dict[str, Any]:
        return {
            "action": ["refund", "refund", "exchange"],
            "days_since_purchase": [10, 33, 90],
            "refund_amount": [5.0, 5.0, 5.0],
            "purchase_price": [5.0, 5.0, 5.0],
            "item_category": ["kitchen", "kitchen", "hygiene"],
        }

    def test_numpy_arrays(self):
        """Columns may be numpy arrays, including unicode string arrays."""
        columns = {k: np.asarray(v) for k, v in self.columns().items()}
        assert columns["action"].dtype.kind == "U"
        result = load_example("returns").evaluate_batch(columns)
        assert result.verdicts() == (Verdict.COMPLIANT, Verdict.BENT, Verdict.COMPLIANT)

    @pytest.mark.parametrize("dtype", [None, "string", "category", object])
    def test_pandas_frames(self, dtype):
        """A pandas DataFrame works with plain, string, categorical and object columns."""
        frame = pd.DataFrame(self.columns())
        if dtype is not None:
            frame["action"] = frame["action"].astype(dtype)
            frame["item_category"] = frame["item_category"].astype(dtype)
        result = load_example("returns").evaluate_batch(frame)
        assert result["verdict"].tolist() == ["COMPLIANT", "BENT", "COMPLIANT"]

    def test_missing_column(self):
        """A column the rows need is named, with the first row that needs it."""
        columns = self.columns()
        del columns["days_since_purchase"]
        with pytest.raises(PolicyEvaluationError) as info:
            load_example("returns").evaluate_batch(columns)
        assert (info.value.field, info.value.rule, info.value.row) == (
            "days_since_purchase",
            "refund-window",
            0,
        )

    def test_missing_column_no_row_needs(self):
        """A column no row reaches is not needed, as with evaluate."""
        columns = self.columns()
        columns["action"] = ["exchange"] * 3
        del columns["days_since_purchase"]
        assert (
            load_example("returns").evaluate_batch(columns).verdicts() == (Verdict.COMPLIANT,) * 3
        )

    def test_not_a_finite_number(self):
        """NaN in a numeric column is an error naming the field and the row."""
        columns = self.columns()
        columns["days_since_purchase"] = [10, float("nan"), 3]
        with pytest.raises(PolicyEvaluationError) as info:
            load_example("returns").evaluate_batch(columns)
        assert (info.value.field, info.value.row) == ("days_since_purchase", 1)

    def test_missing_values_in_pandas(self):
        """A missing (NA) string is an error naming the field and the row."""
        frame = pd.DataFrame(self.columns())
        frame["action"] = pd.array(["refund", None, "refund"], dtype="string")
        with pytest.raises(PolicyEvaluationError) as info:
            load_example("returns").evaluate_batch(frame)
        assert (info.value.field, info.value.row) == ("action", 1)

    def test_wrong_kind(self):
        """A string column where a number is needed is an error."""
        columns = self.columns()
        columns["days_since_purchase"] = ["ten", "eleven", "twelve"]
        with pytest.raises(PolicyEvaluationError, match="number"):
            PolicyBook.from_data(
                load_example("returns").to_data() | {"context": {}}
            ).evaluate_batch(columns)

    def test_mixed_kinds(self):
        """A column mixing kinds is refused, naming the first odd row."""
        columns = self.columns()
        columns["item_category"] = ["kitchen", 3, "hygiene"]
        with pytest.raises(PolicyEvaluationError, match="mixes kinds") as info:
            load_example("returns").evaluate_batch(columns)
        assert info.value.row == 1

    def test_lengths_must_match(self):
        """Columns of different lengths are refused."""
        columns = self.columns()
        columns["refund_amount"] = [5.0]
        with pytest.raises(PolicyEvaluationError, match="rows"):
            load_example("returns").evaluate_batch(columns)

    def test_huge_integers(self):
        """Integers beyond 2**53 cannot be computed exactly in float64, so they are refused."""
        columns = self.columns()
        columns["days_since_purchase"] = [10, 2**60, 3]
        with pytest.raises(PolicyEvaluationError, match="2\\*\\*53") as info:
            load_example("returns").evaluate_batch(columns)
        assert info.value.row == 1

    def test_division_by_zero_only_where_reached(self):
        """A division by zero fails the batch only in a row that evaluates it."""
        safe = {
            "kind": ["x"],
            "a": [1],
            "b": [0],
            "flag": [True],
            "tag": ["o"],
            "customer.tier": ["gold"],
        }
        result = RICH.evaluate_batch(safe)
        assert result.rules["ratio"][0] == 0  # b == 0: the ratio rule does not apply
        assert result.verdicts() == (RICH.evaluate(rows_of(safe)[0]).verdict,)
        book = PolicyBook(
            name="d", rules=[Rule(id="r", kind="hard", quantity="a / b", max=1, rationale="x")]
        )
        with pytest.raises(PolicyEvaluationError, match="division by zero") as info:
            book.evaluate_batch({"a": [1, 2], "b": [1, 0]})
        assert info.value.row == 1

    def test_other_inputs(self):
        """Columns are a mapping or a DataFrame; by is an Authority."""
        book = load_example("returns")
        with pytest.raises(PolicyEvaluationError, match="mapping"):
            book.evaluate_batch([1, 2, 3])
        with pytest.raises(ValueError, match="Authority"):
            book.evaluate_batch(self.columns(), by="agent")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="PolicyBook"):
            evaluate_batch("returns", self.columns())  # type: ignore[arg-type]

    def test_empty_batch(self):
        """Zero rows give an empty decision."""
        columns = {k: [] for k in self.columns()}
        result = load_example("returns").evaluate_batch(columns)
        assert len(result) == 0
        assert result.counts() == dict.fromkeys(Verdict, 0)


class TestBatchDecision:
    def test_views(self):
        """A batch decision offers enums, counts and a DataFrame."""
        book = load_example("returns")
        columns = TestInputs().columns()
        result = evaluate_batch(book, columns, by=Authority.AGENT)
        assert isinstance(result, BatchDecision)
        assert (result.book, result.version, result.by) == (
            "returns",
            book.version,
            Authority.AGENT,
        )
        assert len(result) == 3
        assert result.requirements() == (None, Authority.AGENT, None)
        assert result.counts() == {Verdict.COMPLIANT: 2, Verdict.BENT: 1, Verdict.BROKEN: 0}
        frame = result.to_pandas()
        assert list(frame["verdict"]) == ["COMPLIANT", "BENT", "COMPLIANT"]
        assert frame["refund-window"].tolist()[:2] == ["COMPLIANT", "BENT"]
        assert frame["refund-window"].isna().tolist() == [False, False, True]
        assert result.verdict.dtype == np.int8

    def test_pandas_columns_are_categorical(self):
        """to_pandas gives categoricals whose codes, plus one, are the decision's codes."""
        result = evaluate_batch(load_example("returns"), TestInputs().columns())
        frame = result.to_pandas()
        assert list(frame.columns) == ["verdict", "requires", *result.rules]
        for name in frame.columns:
            dtype = frame[name].dtype
            assert isinstance(dtype, pd.CategoricalDtype), name
            names = AUTHORITY_NAMES if name == "requires" else VERDICT_NAMES
            assert tuple(dtype.categories) == names, name
            assert frame[name].cat.codes.dtype == np.int8, name
        assert frame["requires"].isna().tolist() == [True, False, True]
        assert (frame["verdict"].cat.codes.to_numpy() + 1).tolist() == result.verdict.tolist()

    @pytest.mark.parametrize(
        ("field", "codes", "shown"),
        [
            ("verdict", np.array([1, 0], dtype=np.int8), 0),
            ("requires", np.array([0, 4]), 4),
            ("requires", np.array([-1, 1]), -1),
            ("rules", np.array([1, 300]), 300),
            ("verdict", np.array([1.0, 2.0]), "float64 array of shape (2,)"),
        ],
    )
    def test_hand_built_codes_are_checked(self, field, codes, shown):
        """A code out of range in a hand-built decision is refused by every table, named."""
        good = np.array([1, 1], dtype=np.int8)
        parts = {"verdict": good, "requires": good, "rules": {"r": good}}
        parts[field] = {"r": codes} if field == "rules" else codes
        result = BatchDecision(book="b", version="1", by=Authority.AGENT, **parts)
        for convert in (result.to_pandas, result.to_arrow, result.to_polars):
            with pytest.raises(stool.ValidationError) as info:
                convert()
            assert info.value.field.startswith(f"BatchDecision.{field}")
            assert info.value.value == shown

    def test_a_rule_named_like_a_column(self):
        """A rule whose id is a book column's name is refused in a table, kept in the codes."""
        book = PolicyBook(
            name="n",
            rules=[Rule(id="requires", kind="hard", forbid="a > 1", rationale="r")],
        )
        result = book.evaluate_batch({"a": np.array([1, 2])})
        assert result.rules["requires"].tolist() == [1, 3]
        for convert in (result.to_pandas, result.to_arrow, result.to_polars):
            with pytest.raises(PolicyEvaluationError, match="another id") as info:
                convert()
            assert info.value.rule == "requires"
        with pytest.raises(PolicyEvaluationError, match="another id"):
            book.evaluate_batch(pd.DataFrame({"a": [1, 2]}))


# ------------------------------------------------------------------ differential testing

NUMBER_FIELDS = ("n1", "n2", "n3")
STRING_FIELDS = ("s1", "s2", "c.t")
LIST_FIELDS = ("l1", "l2", "lb", "lm")
EDGE_NUMBERS = (
    0,
    1,
    -1,
    2,
    3,
    7,
    -0.0,
    0.5,
    -2.5,
    1e-300,
    2**26 + 1,
    2**52 + 1,
    2**53,
    -(2**53),
    1.7e308,
    -1.7e308,
    1e308,
    9007199254740993.0,
)
NUMBER_LITERALS = ("0", "1", "-1", "2", "3", "0.5", "-0.0", "1e308", "9007199254740992", "1.5e-300")


def _call(name: str, *args: str) -> str:
    return f"{name}({', '.join(args)})"


def _expression_strategies() -> dict[str, st.SearchStrategy[str]]:
    """Expression texts by kind, mostly well kinded, sometimes not (so errors are compared)."""
    number: st.SearchStrategy[str] = st.deferred(lambda: numbers)
    boolean: st.SearchStrategy[str] = st.deferred(lambda: booleans)
    string: st.SearchStrategy[str] = st.deferred(lambda: strings)
    lists = st.sampled_from(
        (*LIST_FIELDS, "[1, 0]", "[true, false]", "[1]", "[true]", "['a']", "[]", "(2, 1.0)")
    )
    anything = st.one_of(number, boolean, string, lists)
    numbers = st.one_of(
        st.sampled_from((*NUMBER_FIELDS, *NUMBER_LITERALS, "zz", "s1")),
        st.builds(lambda a, op, b: f"({a} {op} {b})", number, st.sampled_from("+-*/%"), number),
        st.builds(lambda a: f"-{a}", number),
        st.builds(_call, st.sampled_from(["abs", "floor", "ceil"]), number),
        st.builds(_call, st.sampled_from(["min", "max"]), number, number),
        st.builds(lambda a: f"len({a})", string | lists),
    )
    comparisons = st.sampled_from(["<", "<=", ">", ">=", "==", "!="])
    same_kind = st.one_of(
        st.tuples(number, number),
        st.tuples(string, string),
        st.tuples(boolean, boolean),
        st.tuples(lists, lists),
        st.tuples(anything, anything),
    )
    booleans = st.one_of(
        st.sampled_from(("b1", "true", "false", "n1")),
        st.builds(lambda a, op, b: f"({a} {op} {b})", number, comparisons, number),
        st.builds(
            lambda pair, op: f"({pair[0]} {op} {pair[1]})", same_kind, st.sampled_from(["==", "!="])
        ),
        st.builds(
            lambda a, op, b: f"({a} {op} {b})",
            st.one_of(number, string, boolean),
            st.sampled_from(["in", "not in"]),
            lists,
        ),
        st.builds(lambda a, b: f"({a} in {b})", string, string),
        st.builds(lambda a: f"not {a}", boolean),
        st.builds(
            lambda parts, op: "(" + f" {op} ".join(parts) + ")",
            st.lists(boolean, min_size=2, max_size=3),
            st.sampled_from(["and", "or"]),
        ),
        st.builds(_call, st.sampled_from(["startswith", "endswith"]), string, string),
        st.builds(lambda a, b, c: f"({a} < {b} <= {c})", number, number, number),
    )
    strings = st.one_of(
        st.sampled_from((*STRING_FIELDS, "'a'", "'A'", "''", "'ab'")),
        st.builds(_call, st.sampled_from(["lower", "upper"]), string),
    )
    return {
        "number": numbers,
        "boolean": booleans,
        "string": strings,
        "list": lists,
        "any": st.one_of(booleans, numbers, strings, lists),
    }


EXPRESSIONS = _expression_strategies()


def expressions(kind: str = "any") -> st.SearchStrategy[str]:
    """Expression texts of one kind (or any), built from the language's every form."""
    return EXPRESSIONS[kind]


@functools.cache  # built once per field, not at every draw
def field_values(name: str) -> st.SearchStrategy[Any]:
    """Values of one field's column: one kind per column, as evaluate_batch requires."""
    if name in NUMBER_FIELDS:
        return st.sampled_from(EDGE_NUMBERS) | st.integers(-20, 20) | st.floats(-1e3, 1e3)
    if name in STRING_FIELDS:
        return st.sampled_from(["a", "A", "ab", "", "b", "ß"])
    if name == "b1":
        return st.booleans()
    items = {
        "l1": st.sampled_from(EDGE_NUMBERS) | st.integers(-3, 3),
        "l2": st.sampled_from(["a", "b", "ab"]),
        "lb": st.booleans(),
        "lm": st.sampled_from([1, 0, True, False, "a"]),
    }[name]
    lists = st.lists(items, max_size=3)
    return lists | lists.map(tuple) | st.frozensets(items, max_size=3)


FIELDS = (*NUMBER_FIELDS, *STRING_FIELDS, "b1", *LIST_FIELDS)


@st.composite
def differential_columns(draw: st.DrawFn, rows: int) -> dict[str, list[Any]]:
    """Columns for every field of the differential tests, `rows` rows each."""
    return {
        name: draw(st.lists(field_values(name), min_size=rows, max_size=rows)) for name in FIELDS
    }


def scalar(text: str, row: dict[str, Any]) -> tuple[str, Any]:
    """Evaluate `text` on one context: ("ok", value) or ("error", None)."""
    try:
        return "ok", compile_expression(text)(row)
    except PolicyEvaluationError:
        return "error", None


def vector(text: str, columns: Any) -> tuple[str, Any]:
    """Evaluate `text` over columns with the batch back end: ("ok", values) or ("error", row)."""
    table = Columns(columns)
    n = table.length()
    try:
        value = compile_vector(text, parse(text))(table, np.ones(n, dtype=bool))
    except PolicyEvaluationError as error:
        return "error", error.row
    data = value.data
    if isinstance(data, np.ndarray):
        return "ok", data.tolist()
    return "ok", [data.item() if isinstance(data, np.generic) else data] * n


def assert_rows_agree(text: str, columns: dict[str, list[Any]], table: Any) -> None:
    """`text` over `table` (the columns, in some form) gives each row's value of evaluate.

    Or it fails at a row where evaluate fails; an expression that does not compile is
    left out.
    """
    try:
        compile_expression(text)
    except PolicyDefinitionError:
        return
    rows = rows_of(columns)
    status, result = vector(text, table)
    if status == "error":
        assert scalar(text, rows[result])[0] == "error", (text, columns, result)
        return
    for row, value in zip(rows, result, strict=True):
        expected = scalar(text, row)
        assert expected[0] == "ok", (text, row)
        assert same_value(expected[1], value), (text, row, expected, value)


def batch_or_row(
    book: PolicyBook, columns: dict[str, list[Any]], by: Authority
) -> tuple[BatchDecision | None, int | None]:
    """Judge the batch: (the decision, None), or (None, the row it failed at)."""
    try:
        return book.evaluate_batch(columns, by=by), None
    except PolicyEvaluationError as error:
        return None, error.row


def same_value(a: Any, b: Any) -> bool:
    """Whether two results are the same value of the same kind (a number as a float)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


class TestDifferential:
    @given(expressions(), differential_columns(1))
    def test_one_row_agrees_with_evaluate(self, text, columns):
        """On one context, the batch back end gives evaluate's value, or fails where it fails."""
        try:
            compile_expression(text)
        except PolicyDefinitionError:
            return
        expected = scalar(text, rows_of(columns)[0])
        status, values = vector(text, columns)
        assert status == expected[0], (text, columns, expected)
        if status == "ok":
            assert same_value(expected[1], values[0]), (text, columns, expected, values)

    @given(expressions(), differential_columns(5))
    def test_many_rows_agree_with_evaluate(self, text, columns):
        """Over five rows, the batch gives each row's value, or fails at a row that fails."""
        assert_rows_agree(text, columns, columns)

    @given(expressions(), differential_columns(5))
    def test_coded_string_columns_agree_with_evaluate(self, text, columns):
        """String columns of a pandas frame, coded by distinct value, give each row's value.

        `==`, `!=` and `in [...]` read only the distinct values; every other operation
        reads the column's strings, made from the codes when first asked for.
        """
        frame = pd.DataFrame(columns)
        assert all(pd.api.types.is_string_dtype(frame[name]) for name in STRING_FIELDS)
        assert_rows_agree(text, columns, frame)

    @given(
        expressions("number"),
        expressions("number"),
        differential_columns(3),
        authorities(),
        st.sampled_from(["10%", "200%", "1e300%", 5]),
    )
    def test_verdicts_agree(self, quantity, bound, columns, by, tolerance):
        """A limit over generated expressions gets the same verdicts row by row, or fails alike."""
        try:
            book = PolicyBook(
                name="d",
                rules=[
                    Rule(
                        id="r",
                        kind="limit",
                        applies="b1 or n1 > 0",
                        quantity=quantity,
                        max=bound,
                        bend={
                            "agent": tolerance,
                            "manager": "300%" if "%" in str(tolerance) else 9,
                        },
                        rationale="x",
                    )
                ],
            )
        except PolicyDefinitionError:
            return
        batch, failed_row = batch_or_row(book, columns, by)
        if batch is None:
            assert failed_row is not None
            with pytest.raises(PolicyError):
                book.evaluate(rows_of(columns)[failed_row], by=by)
            return
        for i, row in enumerate(rows_of(columns)):
            decision = book.evaluate(row, by=by)
            assert batch.verdicts()[i] is decision.verdict, (i, row, quantity, bound)
            assert batch.requirements()[i] is decision.requires, (i, row, quantity, bound)

    @pytest.mark.parametrize(
        ("text", "context", "answer"),
        [
            ("(1 + 1) in l", {"l": [1, 2]}, True),
            ("l == [1, 0]", {"l": [True, False]}, False),
            ("l == m", {"l": [True, False], "m": [1, 0]}, False),
            ("l == m", {"l": {1, "a"}, "m": ["a", 1]}, False),
            ("l == m", {"l": {"b", "a", 3, True}, "m": [True, 3, "a", "b"]}, True),
        ],
    )
    def test_known_disagreements(self, text, context, answer):
        """Each input the back ends once disagreed on (or got wrong) gets the right answer."""
        columns = {name: [value] for name, value in context.items()}
        assert scalar(text, context) == ("ok", answer)
        assert vector(text, columns) == ("ok", [answer])


def _table_kind(columns: dict[str, list[Any]], kind: str):
    """The columns as a table of `kind`; string columns as categories, strings or dictionaries."""
    frame = pd.DataFrame(columns)
    if kind == "pandas":
        return frame
    if kind == "categories":
        return frame.astype({name: "category" for name in frame if frame[name].dtype == object})
    table = pa.Table.from_pandas(frame.astype(object).infer_objects(), preserve_index=False)
    if kind == "arrow":
        return table
    if kind == "dictionary":
        return pa.table(
            {
                name: table.column(name).dictionary_encode()
                if pa.types.is_string(table.column(name).type)
                else table.column(name)
                for name in table.column_names
            }
        )
    if kind == "record_batch":
        return table.to_batches()[0] if table.num_rows else table
    return pl.from_arrow(table)


class TestMoreKinds:
    @pytest.mark.parametrize(
        "kind", ["pandas", "categories", "arrow", "dictionary", "record_batch", "polars"]
    )
    @given(columns=rich_columns(), by=authorities())
    def test_every_table_kind_agrees(self, kind, columns, by):
        """Every kind of table, strings encoded once per distinct value, gives the same codes."""
        expected = RICH.evaluate_batch(columns, by=by)
        result = RICH.evaluate_batch(_table_kind(columns, kind), by=by)
        assert np.array_equal(codes_of(result, "verdict"), expected.verdict)
        assert np.array_equal(codes_of(result, "requires"), expected.requires)
        for rule in RICH.rules:
            assert np.array_equal(codes_of(result, rule.id), expected.rules[rule.id]), rule.id

    @given(columns=returns_columns(), by=authorities())
    def test_contexts_give_decisions(self, columns, by):
        """An iterable of contexts gives the list of their Decisions, in order."""
        book = load_example("returns")
        contexts = rows_of(columns)
        decisions = evaluate_batch(book, iter(contexts), by=by)
        assert decisions == [book.evaluate(context, by=by) for context in contexts]

    def test_interactions_are_contexts(self):
        """An Interaction is judged as its unstructured fields, enums by name."""
        book = PolicyBook(
            name="calls",
            context={"channel": "string", "breaks": "number"},
            rules=[
                Rule(
                    id="no-email-breaks",
                    kind="hard",
                    forbid="channel == 'EMAIL' and breaks > 0",
                    rationale="r",
                )
            ],
        )
        calls = [stool.Interaction(channel="email", breaks=1), stool.Interaction(breaks=1)]
        verdicts = [d.verdict for d in book.evaluate_batch(calls)]
        assert verdicts == [Verdict.BROKEN, Verdict.COMPLIANT]

    def test_a_bad_context_names_its_position(self):
        """A context that fails names its position in the iterable."""
        book = load_example("returns")
        good = {"action": "exchange"}
        with pytest.raises(PolicyEvaluationError) as info:
            book.evaluate_batch([good, good, {"action": "refund"}])
        assert info.value.row == 2

    def test_arrow_nulls_are_refused(self):
        """A null in an Arrow string column a row reads is refused, naming its row."""
        table = pa.table({"action": pa.array(["exchange", None]), "days_since_purchase": [1, 2]})
        with pytest.raises(PolicyEvaluationError) as info:
            load_example("returns").evaluate_batch(table)
        assert (info.value.field, info.value.row) == ("action", 1)

    def test_to_arrow_and_polars(self):
        """The verdicts as Arrow dictionaries and polars, equal to to_pandas's names."""
        result = load_example("returns").evaluate_batch(
            {
                "action": ["refund", "exchange", "refund"],
                "days_since_purchase": [40, 1, 33],
                "refund_amount": [5.0, 5.0, 5.0],
                "purchase_price": [5.0, 5.0, 5.0],
                "item_category": ["kitchen", "kitchen", "hygiene"],
            }
        )
        expected = result.to_pandas()
        arrow = result.to_arrow()
        assert arrow.column_names == list(expected.columns)
        for name in expected.columns:
            names = expected[name].astype(object).where(expected[name].notna(), None)
            assert arrow.column(name).to_pylist() == names.tolist()
        assert result.to_polars().to_dict(as_series=False) == arrow.to_pydict()
        indexed = result.to_pandas(index=pd.Index(["a", "b", "c"]))
        assert list(indexed.index) == ["a", "b", "c"]


def _returns_frame(index: Any = None) -> pd.DataFrame:
    """Four refund requests: compliant, bent, broken twice (one no rule can approve)."""
    return pd.DataFrame(
        {
            "action": ["refund", "refund", "refund", "exchange"],
            "days_since_purchase": [10, 33, 90, 5],
            "refund_amount": [5.0, 5.0, 5.0, 0.0],
            "purchase_price": [5.0, 5.0, 5.0, 5.0],
            "item_category": ["kitchen", "kitchen", "kitchen", "hygiene"],
        },
        index=index,
    )


class TestSameKind:
    @pytest.mark.parametrize(
        ("convert", "kind"),
        [
            (lambda frame: frame, pd.DataFrame),
            (lambda frame: pa.Table.from_pandas(frame, preserve_index=False), pa.Table),
            (lambda frame: pa.RecordBatch.from_pandas(frame, preserve_index=False), pa.RecordBatch),
            (pl.from_pandas, pl.DataFrame),
            (lambda frame: {k: frame[k].to_numpy() for k in frame}, BatchDecision),
            (lambda frame: frame.to_dict("list"), BatchDecision),
        ],
        ids=["pandas", "arrow", "record_batch", "polars", "numpy", "lists"],
    )
    def test_each_kind_returns_its_own(self, convert, kind):
        """A table in gives a table of its kind; a mapping of columns gives a BatchDecision."""
        book = load_example("returns")
        result = book.evaluate_batch(convert(_returns_frame()))
        assert type(result) is kind
        assert len(result) == 4
        expected = book.evaluate_batch(_returns_frame().to_dict("list"))
        assert np.array_equal(codes_of(result, "verdict"), expected.verdict)
        assert expected.verdicts() == (
            Verdict.COMPLIANT,
            Verdict.BENT,
            Verdict.BROKEN,
            Verdict.COMPLIANT,
        )

    def test_pandas_keeps_the_index(self):
        """The pandas result has the judged frame's index, labels and order, not 0, 1, 2."""
        index = pd.Index(["r-9", "r-3", "r-7", "r-1"], name="request")
        frame = _returns_frame(index).iloc[[2, 0, 3, 1]]
        result = load_example("returns").evaluate_batch(frame, by=Authority.SUPERVISOR)
        pd.testing.assert_index_equal(result.index, frame.index)
        assert result["verdict"].to_dict() == {
            "r-7": "BROKEN",
            "r-9": "COMPLIANT",
            "r-1": "COMPLIANT",
            "r-3": "BENT",
        }
        assert result.loc["r-3", "requires"] == "AGENT"

    def test_table_columns_are_typed(self):
        """Arrow and polars columns are dictionaries and categoricals, never plain strings."""
        book = load_example("returns")
        names = ["verdict", "requires", *(rule.id for rule in book.rules)]
        table = book.evaluate_batch(pa.Table.from_pandas(_returns_frame()))
        assert table.column_names == names
        for field in table.schema:
            assert field.type == pa.dictionary(pa.int8(), pa.string()), field.name
        assert table.column("requires").to_pylist() == [None, "AGENT", None, None]
        frame = book.evaluate_batch(pl.from_pandas(_returns_frame()))
        assert frame.columns == names
        assert all(dtype == pl.Categorical for dtype in frame.dtypes)
        assert frame["requires"].to_list() == [None, "AGENT", None, None]

    def test_empty_tables(self):
        """Zero rows give an empty table of the kind, with every column and its type."""
        book = load_example("returns")
        empty = _returns_frame().iloc[:0]
        frame = book.evaluate_batch(empty)
        assert frame.shape == (0, 2 + len(book.rules))
        assert all(isinstance(dtype, pd.CategoricalDtype) for dtype in frame.dtypes)
        batch = book.evaluate_batch(pa.RecordBatch.from_pandas(empty, preserve_index=False))
        assert (type(batch), batch.num_rows, batch.num_columns) == (pa.RecordBatch, 0, 5)

    @given(columns=rich_columns(), by=authorities(), start=st.integers(-5, 5))
    def test_pandas_equals_the_decision_as_pandas(self, columns, by, start):
        """evaluate_batch(frame) is the mapping's BatchDecision.to_pandas with the frame's index."""
        frame = pd.DataFrame(columns, index=pd.RangeIndex(start, start + 2 * len(columns["a"]), 2))
        result = RICH.evaluate_batch(frame, by=by)
        decision = RICH.evaluate_batch(frame.to_dict("list"), by=by)
        pd.testing.assert_frame_equal(result, decision.to_pandas(index=frame.index))
        arrays = {name: frame[name].to_numpy() for name in frame}
        pd.testing.assert_frame_equal(
            result, RICH.evaluate_batch(arrays, by=by).to_pandas(index=frame.index)
        )

    @given(columns=rich_columns(), by=authorities())
    def test_arrow_and_polars_equal_the_decision(self, columns, by):
        """Arrow and polars inputs give the decision's to_arrow and to_polars exactly."""
        decision = RICH.evaluate_batch(columns, by=by)
        table = _table_kind(columns, "arrow")
        assert RICH.evaluate_batch(table, by=by).equals(decision.to_arrow())
        polars = RICH.evaluate_batch(_table_kind(columns, "polars"), by=by)
        assert polars.equals(decision.to_polars())


class TestEnumMembers:
    def test_members_read_as_names(self):
        """A stool enum member in a context, alone or in a column, reads as its name."""
        book = PolicyBook(
            name="calls",
            context={"channel": "string", "breaks": "number"},
            rules=[
                Rule(
                    id="no-email-breaks",
                    kind="hard",
                    forbid="channel == 'EMAIL' and breaks > 0",
                    rationale="r",
                )
            ],
        )
        context = {"channel": stool.Channel.EMAIL, "breaks": 1}
        assert book.evaluate(context).verdict is Verdict.BROKEN
        columns = {"channel": [stool.Channel.EMAIL, stool.Channel.CALL], "breaks": [1, 1]}
        assert [v.name for v in book.evaluate_batch(columns).verdicts()] == ["BROKEN", "COMPLIANT"]
