"""The expression language's column back end: the same tree, compiled to numpy operations.

Every node is evaluated under a boolean *active* mask: the rows whose value is needed,
exactly the rows where the one-context closure would evaluate that node (`and` and
`or` narrow it, as short-circuiting does). A problem (a missing column, a value of the
wrong kind, a division by zero) is raised only if it touches an active row, naming the
first such row, so a batch fails exactly when some row evaluated on its own would.

numpy is imported by the functions that use it, never when stool is imported.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any, Final

from stool.policy._errors import PolicyEvaluationError, shown
from stool.policy._expr import kind_name, normalise_value, same_list
from stool.policy._syntax import (
    Arith,
    Call,
    Compare,
    Const,
    FieldRef,
    ListConst,
    Logic,
    Member,
    Negate,
    Node,
    Not,
)

__all__ = ["Columns", "Value", "VectorFn", "compile_vector", "numpy"]

EXACT_INTEGERS: Final = 2**53
"""Integers up to this magnitude convert to float64 exactly."""


def numpy() -> Any:
    """Import numpy, or raise a clear error naming the extra that provides it."""
    try:
        import numpy as np  # noqa: PLC0415 - imported on first use, to keep import stool light
    except ImportError as error:  # pragma: no cover - numpy is installed in development
        raise PolicyEvaluationError(
            "evaluate_batch needs numpy, the batch extra: "
            "pip install 'stool[batch]', or '.[batch]' in a checkout of stool"
        ) from error
    return np


class Value:
    """A column value: an array of length n (or a scalar, broadcast) and its kind."""

    __slots__ = ("_data", "encoded", "kind")

    def __init__(self, data: Any, kind: str, encoded: Any = None) -> None:
        self._data = data
        self.kind = kind  # number, string, boolean, list; "none" when no row is active
        # For a string column read from a categorical, a dictionary or by factorizing:
        # its distinct values (an object array) and each row's code into them, so that a
        # comparison is decided once per distinct value and spread by code.
        self.encoded = encoded

    @property
    def data(self) -> Any:
        """The value: an array of length n, or a scalar (a string column spread on use)."""
        data = self._data
        return data.array() if type(data) is _Spread else data


class _Spread:
    """A string column held as its distinct values and codes; its strings made when asked.

    Comparing with `==`, `!=` or `in [...]` needs only the distinct values and the codes
    ([Value.encoded][stool.policy._vector.Value]); an object array of a million strings,
    a tenth of a batch's time, is made only for the operations that read each row.
    """

    __slots__ = ("_array", "codes", "distinct")

    def __init__(self, distinct: Any, codes: Any) -> None:
        self.distinct = distinct
        self.codes = codes
        self._array: Any = None

    def array(self) -> Any:
        if self._array is None:
            self._array = self.distinct[self.codes]
        return self._array


NONE_KIND: Final = "none"


class Columns:
    """The batch's columns, read, checked and converted once each, on first use."""

    def __init__(self, data: Any) -> None:
        np = numpy()
        self.np = np
        self.source = _as_mapping(data)
        self.cache: dict[str, tuple[Any, str] | PolicyEvaluationError] = {}
        self.encoded: dict[str, tuple[Any, Any]] = {}
        self.rows: int | None = None
        self.first_column: str | None = None

    def length(self) -> int:
        """Return the number of rows: the length of the first column (0 without columns)."""
        if self.rows is None:
            for name in self.source:
                try:
                    self.rows = len(self.source[name])
                except TypeError:
                    raise PolicyEvaluationError(
                        "is not a column (it has no length); allowed: an array or a list",
                        field=str(name),
                    ) from None
                self.first_column = str(name)
                break
            else:
                self.rows = 0
        return self.rows

    def read(self, name: str) -> tuple[Any, str]:
        """Return the converted column `name` and its kind, or raise naming the field."""
        cached = self.cache.get(name)
        if cached is None:
            try:
                cached = self._convert(name)
            except PolicyEvaluationError as error:
                cached = error
            self.cache[name] = cached
        if isinstance(cached, PolicyEvaluationError):
            raise cached
        return cached

    def _convert(self, name: str) -> tuple[Any, str]:
        np = self.np
        if name not in self.source:
            raise PolicyEvaluationError("is missing from the columns", field=name)
        raw = self.source[name]
        strings = _pandas_strings(raw, name)
        if strings is None:
            strings = _arrow_strings(raw, name)
        if strings is not None and all(type(u) is str for u in strings[1]):
            distinct, codes = strings[2]
            self._check_length(name, len(codes))
            self.encoded[name] = (distinct, codes)
            return strings[0], "string"
        if strings is not None:
            array = strings[0].array()
        elif _is_arrow(raw):
            array = raw.to_numpy(zero_copy_only=False)
        elif isinstance(raw, (list, tuple)):
            # numpy would turn [1, "a"] into strings; an object array keeps every kind.
            array = np.empty(len(raw), dtype=object)
            array[:] = raw
        else:
            array = np.asarray(raw)
        if array.ndim != 1:
            raise PolicyEvaluationError(
                f"is a {array.ndim}-dimensional array; allowed: one value per row",
                field=name,
            )
        self._check_length(name, len(array))
        return _convert_array(np, array, name)

    def _check_length(self, name: str, n: int) -> None:
        rows = self.length()
        if n != rows:
            raise PolicyEvaluationError(
                f"has {n} rows but column {self.first_column!r} has {rows}", field=name
            )


def _as_mapping(data: Any) -> Mapping[str, Any]:
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(data, pandas.DataFrame):
        return {str(column): data[column] for column in data.columns}
    polars = sys.modules.get("polars")
    if polars is not None and isinstance(data, polars.DataFrame):
        data = data.to_arrow()  # polars through Arrow, never through pandas
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None and isinstance(data, (pyarrow.Table, pyarrow.RecordBatch)):
        return {name: data.column(name) for name in data.schema.names}
    if isinstance(data, Mapping):
        return data
    raise PolicyEvaluationError(
        f"columns must be a mapping of field names to arrays, a pandas or polars DataFrame, "
        f"or a pyarrow Table or RecordBatch, not {type(data).__name__}"
    )


def _is_arrow(raw: Any) -> bool:
    pyarrow = sys.modules.get("pyarrow")
    return pyarrow is not None and isinstance(raw, (pyarrow.Array, pyarrow.ChunkedArray))


def _arrow_strings(raw: Any, name: str) -> tuple[_Spread, list[Any], tuple[Any, Any]] | None:
    """An Arrow string or dictionary column, encoded in Arrow's C++: see `_pandas_strings`."""
    if not _is_arrow(raw):
        return None
    import pyarrow as pa  # noqa: PLC0415 - loaded already: raw is an Arrow array
    import pyarrow.compute as pc  # noqa: PLC0415

    if isinstance(raw, pa.ChunkedArray):
        raw = raw.combine_chunks()
    kind = raw.type
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        raw = pc.dictionary_encode(raw)
    else:
        return None
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        return None
    np = numpy()
    if raw.null_count:
        row = _first(np.asarray(raw.is_null()))
        raise PolicyEvaluationError(
            "is missing (null); every row needs a value", field=name, row=row
        )
    return _spread(np, raw.dictionary.to_pylist(), raw.indices.to_numpy())


def _spread(np: Any, distinct: list[Any], codes: Any) -> tuple[_Spread, list[Any], tuple[Any, Any]]:
    """The column (its object array made on use), its distinct values, and the encoding."""
    values = np.empty(len(distinct), dtype=object)
    values[:] = distinct
    return _Spread(values, codes), distinct, (values, codes)


def _pandas_strings(raw: Any, name: str) -> tuple[_Spread, list[Any], tuple[Any, Any]] | None:
    """Return a pandas string or categorical column, encoded, fast.

    Returns the column (a `_Spread`: its object array is made when first asked for), its
    distinct values and the encoding (distinct values as an object array, and each row's
    code), or None for other columns.

    Converting an Arrow-backed string column item by item is slow; factorizing it (in
    C) and taking its few distinct values by code is not.
    """
    pandas = sys.modules.get("pandas")
    if pandas is None or not isinstance(raw, (pandas.Series, pandas.Index)):
        return None
    dtype = raw.dtype
    if not (isinstance(dtype, (pandas.StringDtype, pandas.CategoricalDtype))):
        return None
    np = numpy()
    codes, uniques = pandas.factorize(raw, use_na_sentinel=True)
    missing = codes < 0
    if missing.any():
        row = _first(missing)
        raise PolicyEvaluationError("is missing (NA); every row needs a value", field=name, row=row)
    return _spread(np, list(uniques), codes)


def _first(mask: Any) -> int:
    return int(mask.argmax())


def _convert_array(np: Any, array: Any, name: str) -> tuple[Any, str]:
    kind = array.dtype.kind
    if kind == "b":
        return array, "boolean"
    if kind in "iu":
        # Compared as integers: 2**53 + 1 would round to 2**53 as a float and pass.
        too_big = array > EXACT_INTEGERS
        if kind == "i":
            too_big |= array < -EXACT_INTEGERS
        if too_big.any():
            row = _first(too_big)
            raise PolicyEvaluationError(
                f"holds {shown(array[row])}; evaluate_batch computes in float64, "
                f"so integers must be at most 2**53 in magnitude",
                field=name,
                value=array[row].item(),
                row=row,
            )
        return array.astype(np.float64), "number"
    if kind == "f":
        values = array.astype(np.float64)
        bad = ~np.isfinite(values)
        if bad.any():
            row = _first(bad)
            raise PolicyEvaluationError(
                f"got {shown(array[row])}; allowed: a finite number",
                field=name,
                value=array[row].item(),
                row=row,
            )
        return values, "number"
    if kind == "U":
        return array, "string"
    if kind == "O":
        return _convert_objects(np, array, name)
    raise PolicyEvaluationError(
        f"has dtype {array.dtype}; allowed: numbers, booleans, strings or lists", field=name
    )


def _convert_objects(np: Any, array: Any, name: str) -> tuple[Any, str]:  # noqa: C901, PLR0911, PLR0912 - one branch per case, kept in one place
    n = len(array)
    if n == 0:
        return array, "string"
    values = array.tolist()
    classes = set(map(type, values))
    # Fast paths for the common, homogeneous columns; anything else is checked item by
    # item below, which names the first bad row.
    if classes == {str}:
        return array, "string"
    if classes == {bool}:
        return np.array(values, dtype=bool), "boolean"
    if classes and classes <= {int, float}:
        try:
            numbers_ = np.array(values, dtype=np.float64)
        except OverflowError:
            numbers_ = None  # an integer beyond float64: the item checks below name it
        if (
            numbers_ is not None
            and np.isfinite(numbers_).all()
            # Checked before rounding: 2**53 + 1 becomes 2**53 as a float.
            and (
                int not in classes
                or -EXACT_INTEGERS <= min(values) <= max(values) <= EXACT_INTEGERS
            )
        ):
            return numbers_, "number"
    kinds: list[str] = []
    normalised: list[Any] = []
    for row, item in enumerate(values):
        try:
            value = normalise_value(item, name)
        except PolicyEvaluationError as error:
            raise error.with_context(row=row) from None
        kind = kind_name(value)
        if kinds and kind != kinds[0]:
            raise PolicyEvaluationError(
                f"mixes kinds: row 0 holds {_a(kinds[0])}, row {row} holds {_a(kind)}; "
                "each column holds one kind",
                field=name,
                value=item,
                row=row,
            )
        if not kinds:
            kinds.append(kind)
        normalised.append(value)
    values = normalised
    kind = kinds[0]
    if kind == "number":
        too_big = np.array([type(v) is int and abs(v) > EXACT_INTEGERS for v in values], dtype=bool)
        if too_big.any():
            row = _first(too_big)
            raise PolicyEvaluationError(
                "evaluate_batch computes in float64, so integers must be at most 2**53 "
                "in magnitude",
                field=name,
                value=values[row],
                row=row,
            )
        return np.array(values, dtype=np.float64), "number"
    if kind == "boolean":
        return np.array(values, dtype=bool), "boolean"
    out = np.empty(n, dtype=object)
    out[:] = values
    return out, kind


def _a(kind: str) -> str:
    return f"an {kind}" if kind[:1] in "aeiou" else f"a {kind}"


VectorFn = Callable[["Columns", Any], Value]


# -------------------------------------------------------------------------- the compiler


class _VectorCompiler:
    def __init__(self, text: str) -> None:
        self.text = text

    def source(self, node: Node) -> str:
        return " ".join(self.text[node.start : node.end].split())

    def kind_error(
        self, node: Node, kind: str, needed: str, op: str, row: int
    ) -> PolicyEvaluationError:
        field = node.name if isinstance(node, FieldRef) else None
        return PolicyEvaluationError(
            f"`{self.source(node)}` is {_a(kind)}; {op} needs {needed}",
            field=field,
            expression=self.text,
            row=row,
        )

    def compile(self, node: Node) -> VectorFn:
        compiled = self._compile(node)

        def guarded(columns: Columns, active: Any) -> Value:
            if not active.any():
                return Value(None, NONE_KIND)
            return compiled(columns, active)

        if isinstance(node, Const):
            return compiled
        return guarded

    def _compile(self, node: Node) -> VectorFn:  # noqa: C901, PLR0911 - one branch per case, kept in one place
        if isinstance(node, Const):
            value = node.value
            kind = node.kind
            if kind == "number":
                value = float(value)  # type: ignore[arg-type]
            constant = Value(value, kind)
            return lambda _columns, _active: constant
        if isinstance(node, FieldRef):
            return self.field(node)
        if isinstance(node, ListConst):
            constant = Value(node.values, "list")
            return lambda _columns, _active: constant
        if isinstance(node, Negate):
            return self.negate(node)
        if isinstance(node, Not):
            return self.not_(node)
        if isinstance(node, Logic):
            return self.logic(node)
        if isinstance(node, Compare):
            return self.compare(node)
        if isinstance(node, Member):
            return self.member(node)
        if isinstance(node, Arith):
            return self.arith(node)
        if isinstance(node, Call):
            return self.call(node)
        msg = f"unsupported node {type(node).__name__}"  # pragma: no cover
        raise TypeError(msg)  # pragma: no cover

    def field(self, node: FieldRef) -> VectorFn:
        name = node.name

        def read(columns: Columns, active: Any) -> Value:
            try:
                data, kind = columns.read(name)
            except PolicyEvaluationError as error:
                row = error.row if error.row is not None else _first(active)
                if error.row is not None and not active[error.row]:
                    # The bad value is in a row that never reads this field; any other
                    # active row still needs a converted column, which cannot exist.
                    row = _first(active)
                raise error.with_context(row=row, expression=self.text) from None
            return Value(data, kind, columns.encoded.get(name))

        return read

    def need(self, node: Node, value: Value, kind: str, op: str, active: Any) -> None:
        if value.kind not in (kind, NONE_KIND):
            raise self.kind_error(node, value.kind, _a(kind), op, _first(active))

    def boolean(self, node: Node) -> VectorFn:
        fn = self.compile(node)

        def checked(columns: Columns, active: Any) -> Value:
            value = fn(columns, active)
            self.need(node, value, "boolean", "a condition", active)
            return value

        return checked

    def not_(self, node: Not) -> VectorFn:
        fn = self.boolean(node.operand)

        def negate(columns: Columns, active: Any) -> Value:
            value = fn(columns, active)
            return Value(~_bools(columns, value), "boolean")

        return negate

    def logic(self, node: Logic) -> VectorFn:
        fns = [self.boolean(operand) for operand in node.operands]
        is_and = node.op == "and"

        def combine(columns: Columns, active: Any) -> Value:
            result = _bools(columns, fns[0](columns, active))
            for fn in fns[1:]:
                # Short-circuit: the next operand is needed only where the result is
                # still undecided (true for `and`, false for `or`).
                needed = active & (result if is_and else ~result)
                value = _bools(columns, fn(columns, needed))
                result = (result & value) if is_and else (result | value)
            return Value(result, "boolean")

        return combine

    def number(self, node: Node, op: str) -> VectorFn:
        fn = self.compile(node)

        def checked(columns: Columns, active: Any) -> Value:
            value = fn(columns, active)
            self.need(node, value, "number", op, active)
            return value

        return checked

    def negate(self, node: Negate) -> VectorFn:
        fn = self.number(node.operand, "unary minus" if node.negative else "unary plus")
        negative = node.negative

        def negate(columns: Columns, active: Any) -> Value:
            value = fn(columns, active)
            return Value(-value.data if negative else value.data, "number")

        return negate

    def arith(self, node: Arith) -> VectorFn:
        first = self.number(node.first, f"`{node.rest[0][0]}`")
        steps = [(op, self.number(operand, f"`{op}`"), operand) for op, operand in node.rest]

        def evaluate(columns: Columns, active: Any) -> Value:
            np = columns.np
            value = first(columns, active).data
            for op, fn, operand in steps:
                other = fn(columns, active).data
                with np.errstate(all="ignore"):
                    if op == "+":
                        value = np.add(value, other)
                    elif op == "-":
                        value = np.subtract(value, other)
                    elif op == "*":
                        value = np.multiply(value, other)
                    else:
                        zero = active & (np.asarray(other) == 0)
                        if zero.any():
                            word = "division" if op == "/" else "modulo"
                            raise PolicyEvaluationError(
                                f"{word} by zero: `{self.source(operand)}` is 0",
                                expression=self.text,
                                row=_first(zero),
                            )
                        value = (
                            np.true_divide(value, other)
                            if op == "/"
                            else np.remainder(value, other)
                        )
                bad = active & ~np.isfinite(value)
                if bad.any():
                    raise PolicyEvaluationError(
                        "the result is not a finite number (overflow)",
                        expression=self.text,
                        row=_first(bad),
                    )
            return Value(value, "number")

        return evaluate

    def compare(self, node: Compare) -> VectorFn:
        fns = [self.compile(operand) for operand in node.operands]
        ops = node.ops
        operands = node.operands

        def chain(columns: Columns, active: Any) -> Value:
            np = columns.np
            result = None
            left = fns[0](columns, active)
            needed = active
            for i, op in enumerate(ops):
                # Like Python's chains, a later link is evaluated only where the earlier
                # links all held.
                right = fns[i + 1](columns, needed)
                if NONE_KIND in (left.kind, right.kind):
                    part = np.zeros(columns.length(), dtype=bool)
                else:
                    part = self.compare_pair(
                        columns, operands[i], left, op, operands[i + 1], right, needed
                    )
                result = part if result is None else (result & part)
                needed = needed & part
                left = right
            return Value(result, "boolean")

        return chain

    def compare_pair(  # noqa: PLR0917 - positional for speed on the hot path
        self,
        columns: Columns,
        left_node: Node,
        left: Value,
        op: str,
        right_node: Node,
        right: Value,
        active: Any,
    ) -> Any:
        np = columns.np
        what = f"`{op}`"
        if op not in ("==", "!="):
            self.need(left_node, left, "number", what, active)
            self.need(right_node, right, "number", what, active)
        elif left.kind != right.kind:
            raise PolicyEvaluationError(
                f"`{self.source(left_node)}` is {_a(left.kind)} and "
                f"`{self.source(right_node)}` is {_a(right.kind)}; {what} compares values "
                "of the same kind",
                field=left_node.name if isinstance(left_node, FieldRef) else None,
                expression=self.text,
                row=_first(active),
            )
        if left.kind == "list":
            pairs = _broadcast_objects(columns, left.data, right.data)
            equal = np.fromiter(
                (same_list(a, b) for a, b in pairs), dtype=bool, count=columns.length()
            )
            return equal if op == "==" else ~equal
        if op in ("==", "!=") and left.kind == "string":
            spread = _by_distinct(left, right)
            if spread is not None:
                return spread if op == "==" else ~spread
        function = _NUMPY_COMPARISONS[op]
        result = function(np, left.data, right.data)
        return _full(columns, result)

    def member(self, node: Member) -> VectorFn:  # noqa: C901 - one branch per case, kept in one place
        left_fn = self.compile(node.left)
        right_fn = self.compile(node.right)
        negated = node.negated
        what = "`not in`" if negated else "`in`"
        left_node = node.left
        right_node = node.right

        def member(columns: Columns, active: Any) -> Value:  # noqa: C901, PLR0912 - one branch per case, kept in one place
            np = columns.np
            left = left_fn(columns, active)
            right = right_fn(columns, active)
            if left.kind == "list":
                raise self.kind_error(left_node, "list", "one value", what, _first(active))
            if right.kind == "list" and isinstance(right.data, tuple):
                members = right.data
                if members:
                    element = kind_name(members[0])
                    if left.kind != element:
                        raise self.kind_error(
                            left_node, left.kind, _a(element), what, _first(active)
                        )
                    data = left.data
                    if left.encoded is not None:
                        distinct, codes = left.encoded
                        found = np.isin(distinct, np.array(members, dtype=object))[codes]
                    elif isinstance(data, np.ndarray):
                        found = np.isin(
                            data,
                            np.array(members, dtype=data.dtype if element == "number" else object),
                        )
                    else:
                        found = np.full(columns.length(), data in members)
                else:
                    found = np.zeros(columns.length(), dtype=bool)
            elif right.kind == "string":
                self.need(left_node, left, "string", f"{what} a string", active)
                pairs = _broadcast_objects(columns, left.data, right.data)
                found = np.fromiter((a in b for a, b in pairs), dtype=bool, count=columns.length())
            elif right.kind == "list":
                pairs = _broadcast_objects(columns, left.data, right.data)
                found = np.empty(columns.length(), dtype=bool)
                # The value's kind is the column's (a number held as a numpy float is
                # still a number).
                kind = left.kind
                for row, (a, b) in enumerate(pairs):
                    if not active[row]:
                        found[row] = False
                        continue
                    for item in b:
                        if kind_name(item) != kind:
                            raise PolicyEvaluationError(
                                f"`{self.source(right_node)}` holds {_a(kind_name(item))} "
                                f"({shown(item)}); {what} needs a list of {kind}s",
                                field=right_node.name if isinstance(right_node, FieldRef) else None,
                                expression=self.text,
                                row=row,
                            )
                    found[row] = a in b
            else:
                raise self.kind_error(
                    right_node, right.kind, "a list or a string", what, _first(active)
                )
            found = _full(columns, found)
            return Value(~found if negated else found, "boolean")

        return member

    def call(self, node: Call) -> VectorFn:  # noqa: C901 - one branch per case, kept in one place
        name = node.name
        args = node.args
        if name in ("abs", "floor", "ceil", "min", "max"):
            fns = [self.number(arg, f"{name}()") for arg in args]
        else:
            fns = [self.compile(arg) for arg in args]

        def evaluate(columns: Columns, active: Any) -> Value:  # noqa: C901, PLR0911 - one branch per case, kept in one place
            np = columns.np
            values = [fn(columns, active) for fn in fns]
            if name == "abs":
                return Value(np.abs(values[0].data), "number")
            if name == "floor":
                return Value(np.floor(values[0].data), "number")
            if name == "ceil":
                return Value(np.ceil(values[0].data), "number")
            if name in ("min", "max"):
                reduce = np.minimum if name == "min" else np.maximum
                result = values[0].data
                for value in values[1:]:
                    result = reduce(result, value.data)
                return Value(result, "number")
            if name == "len":
                value = values[0]
                if value.kind not in ("string", "list"):
                    raise self.kind_error(
                        args[0], value.kind, "a string or a list", "len()", _first(active)
                    )
                items = _broadcast_objects(columns, value.data, 0)
                return Value(
                    np.fromiter(
                        (float(len(a)) for a, _ in items), dtype=np.float64, count=columns.length()
                    ),
                    "number",
                )
            for arg, value in zip(args, values, strict=True):
                self.need(arg, value, "string", f"{name}()", active)
            if name in ("lower", "upper"):
                items = _broadcast_objects(columns, values[0].data, 0)
                out = np.empty(columns.length(), dtype=object)
                out[:] = [a.lower() if name == "lower" else a.upper() for a, _ in items]
                return Value(out, "string")
            pairs = _broadcast_objects(columns, values[0].data, values[1].data)
            if name == "startswith":
                found = np.fromiter(
                    (a.startswith(b) for a, b in pairs), dtype=bool, count=columns.length()
                )
            else:
                found = np.fromiter(
                    (a.endswith(b) for a, b in pairs), dtype=bool, count=columns.length()
                )
            return Value(found, "boolean")

        return evaluate


def _by_distinct(left: Value, right: Value) -> Any:
    """`left == right` for an encoded column and one string: once per distinct value."""
    if left.encoded is not None and type(right.data) is str:
        distinct, codes = left.encoded
        return (distinct == right.data)[codes]
    if right.encoded is not None and type(left.data) is str:
        distinct, codes = right.encoded
        return (distinct == left.data)[codes]
    return None


def _bools(columns: Columns, value: Value) -> Any:
    if value.kind == NONE_KIND:
        return columns.np.zeros(columns.length(), dtype=bool)
    return _full(columns, value.data)


def _full(columns: Columns, data: Any) -> Any:
    np = columns.np
    array = np.asarray(data)
    if array.ndim == 0:
        return np.full(columns.length(), array.item())
    return array


def _broadcast_objects(columns: Columns, left: Any, right: Any) -> Any:
    n = columns.length()
    np = columns.np

    def items(data: Any) -> Any:
        if isinstance(data, np.ndarray):
            return data.tolist()
        return [data] * n

    return zip(items(left), items(right), strict=True)


_NUMPY_COMPARISONS: Final[dict[str, Callable[[Any, Any, Any], Any]]] = {
    "==": lambda np, a, b: np.equal(a, b),
    "!=": lambda np, a, b: np.not_equal(a, b),
    "<": lambda np, a, b: np.less(a, b),
    "<=": lambda np, a, b: np.less_equal(a, b),
    ">": lambda np, a, b: np.greater(a, b),
    ">=": lambda np, a, b: np.greater_equal(a, b),
}


def compile_vector(text: str, node: Node) -> VectorFn:
    """Compile a parsed (and already type-checked) expression to a column function."""
    return _VectorCompiler(text).compile(node)
