"""evaluate_batch: a policy book over columns, with numpy, agreeing with evaluate row by row."""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from stool.enums import Authority, Verdict
from stool.errors import ValidationError
from stool.policy._book import PolicyBook
from stool.policy._errors import PolicyEvaluationError
from stool.policy._rules import Rule, effective_tolerances
from stool.policy._syntax import FieldRef, Node
from stool.policy._vector import NONE_KIND, Columns, Value, VectorFn, compile_vector, numpy

__all__ = ["BatchDecision", "evaluate_batch"]

_AUTHORITIES = (None, *Authority)
_VERDICTS = (None, *Verdict)
# The names the codes 1, 2, 3 stand for, in code order; a table's categories.
_VERDICT_NAMES = tuple(verdict.name for verdict in sorted(Verdict, key=lambda v: v.value))
_AUTHORITY_NAMES = tuple(a.name for a in sorted(Authority, key=lambda a: a.value))
_BOOK_COLUMNS = ("verdict", "requires")
_TOP_CODE = 3  # BROKEN, and MANAGER


@attrs.frozen(kw_only=True, eq=False)
class BatchDecision:
    """The verdict of a policy book on every row of a batch, as numpy arrays.

    What [evaluate_batch][stool.policy.evaluate_batch] returns for a mapping of
    columns (numpy arrays or lists); a table in gives a table of the same kind, the one
    [to_pandas][stool.policy.BatchDecision.to_pandas],
    [to_arrow][stool.policy.BatchDecision.to_arrow] or
    [to_polars][stool.policy.BatchDecision.to_polars] makes.

    Codes follow the enums' values: verdicts 1 COMPLIANT, 2 BENT, 3 BROKEN;
    authorities 1 AGENT, 2 SUPERVISOR, 3 MANAGER, and 0 for "nobody" (None).
    Per-rule codes use 0 for "did not apply".

    Thread safety: frozen, and safe to read from many threads; its numpy arrays are
    shared, not copied, so do not write into them while others read.
    """

    book: str
    """The book's name."""
    version: str
    """The book's version."""
    by: Authority
    """The authority acting on every row."""
    verdict: Any
    """The verdict code of each row (an int8 numpy array)."""
    requires: Any
    """The `requires` code of each row (an int8 numpy array; 0 for None)."""
    rules: Mapping[str, Any] = attrs.field(factory=dict)
    """Each rule's verdict code per row (int8 numpy arrays; 0 where it did not apply)."""

    def __len__(self) -> int:
        return len(self.verdict)

    def verdicts(self) -> tuple[Verdict, ...]:
        """Return every row's verdict as a [Verdict][stool.Verdict]."""
        return tuple(_VERDICTS[code] for code in self.verdict.tolist())

    def requirements(self) -> tuple[Authority | None, ...]:
        """Return every row's `requires` as an [Authority][stool.Authority] or None."""
        return tuple(_AUTHORITIES[code] for code in self.requires.tolist())

    def counts(self) -> dict[Verdict, int]:
        """Return how many rows got each verdict."""
        np = numpy()
        counted = np.bincount(self.verdict, minlength=4)
        return {verdict: int(counted[verdict.value]) for verdict in Verdict}

    def to_pandas(self, *, index: Any = None) -> Any:
        """Return a pandas DataFrame of the verdicts, as categorical columns.

        Columns: `verdict`, `requires`, then one per rule id, in the book's order. Each
        is categorical, built from the codes without a string per row: `verdict` and
        the rules' columns have the categories COMPLIANT, BENT, BROKEN, `requires` the
        categories AGENT, SUPERVISOR, MANAGER; a missing value (NaN; code -1 in
        `.cat.codes`) is "nobody" in `requires` and "did not apply" in a rule's column.
        So `.cat.codes + 1` gives back this decision's codes.

        Args:
            index: The frame's index (the judged frame's, say); None for 0, 1, 2, ...

        Raises:
            PolicyEvaluationError: If a rule's id is `verdict` or `requires`, which would
                name two columns alike.
            ValidationError: If a code is not one of those above (in a BatchDecision
                built by hand), naming the column and the code.

        Examples:
            >>> from stool.policy import load_example
            >>> result = load_example("conduct").evaluate_batch({
            ...     "deceives_customer": [False, True],
            ...     "insults_customer": [False, False],
            ...     "changes_account": [True, False],
            ...     "identity_verified": [True, False],
            ... })
            >>> frame = result.to_pandas(index=["call-1", "call-2"])
            >>> frame["verdict"].tolist()
            ['COMPLIANT', 'BROKEN']
            >>> frame["verdict"].cat.codes.tolist()  # the codes, less one
            [0, 2]
        """
        import pandas as pd  # noqa: PLC0415 - imported on first use, to keep import stool light

        verdicts, authorities = _pandas_dtypes()
        data = {
            name: pd.Categorical.from_codes(
                codes - 1,
                dtype=authorities if name == "requires" else verdicts,
                validate=False,  # checked: 0 to 3, so -1 to 2 after the shift
            )
            for name, codes in self._columns()
        }
        return pd.DataFrame(data, index=index, copy=False)

    def to_arrow(self) -> Any:
        """Return a pyarrow Table of the verdicts, by name, as dictionary columns.

        The columns of [to_pandas][stool.policy.BatchDecision.to_pandas], each a
        dictionary array (int8 indices into the few names, the codes less one), null
        where `to_pandas` has NaN.

        Raises:
            PolicyEvaluationError: If a rule's id is `verdict` or `requires`.
            ValidationError: If a code is out of range, as `to_pandas` says.
        """
        import pyarrow as pa  # noqa: PLC0415 - imported on first use

        names, arrays = self._arrow_arrays()
        return pa.Table.from_arrays(arrays, names=names)

    def to_polars(self) -> Any:
        """Return a polars DataFrame of the verdicts, through Arrow (no pandas).

        The dictionary columns of [to_arrow][stool.policy.BatchDecision.to_arrow]
        become polars categoricals.

        Raises:
            PolicyEvaluationError: If a rule's id is `verdict` or `requires`.
            ValidationError: If a code is out of range, as `to_pandas` says.
        """
        import polars as pl  # noqa: PLC0415 - imported on first use

        return pl.from_arrow(self.to_arrow())

    def _record_batch(self) -> Any:
        """The columns of `to_arrow` as one pyarrow RecordBatch."""
        import pyarrow as pa  # noqa: PLC0415 - loaded already: a RecordBatch was judged

        names, arrays = self._arrow_arrays()
        return pa.RecordBatch.from_arrays(arrays, names=names)

    def _arrow_arrays(self) -> tuple[list[str], list[Any]]:
        """Each column's name and dictionary array, built from the codes' own buffer.

        The indices are the codes less one (a numpy subtraction) and the validity
        bitmap the packed "has a value" bits: about 40 times faster than `pa.array`
        with a mask and Arrow's index check, which the checked codes make redundant.
        """
        import pyarrow as pa  # noqa: PLC0415 - imported on first use

        np = numpy()
        verdicts, authorities = _arrow_dictionaries()
        names, arrays = [], []
        for name, codes in self._columns():
            missing = codes == 0
            valid = (
                pa.py_buffer(np.packbits(~missing, bitorder="little")) if missing.any() else None
            )
            indices = pa.Array.from_buffers(pa.int8(), len(codes), [valid, pa.py_buffer(codes - 1)])
            names.append(name)
            arrays.append(
                pa.DictionaryArray.from_arrays(
                    indices, authorities if name == "requires" else verdicts, safe=False
                )
            )
        return names, arrays

    def _columns(self) -> list[tuple[str, Any]]:
        """The output columns, in order: name and int8 codes (0 for none), checked.

        A table's columns are built from the codes without Arrow's or pandas' own checks,
        so the codes are checked here, two reductions each: a BatchDecision may be built
        by hand.
        """
        for rule in self.rules:
            if rule in _BOOK_COLUMNS:
                raise PolicyEvaluationError(
                    f"is also the name of the table's {rule!r} column, so the rule's "
                    "verdicts cannot be a column of their own; give the rule another id "
                    "(or read BatchDecision.rules, from a mapping of columns)",
                    rule=rule,
                )
        return [
            ("verdict", _codes(self.verdict, "verdict", lowest=1)),
            ("requires", _codes(self.requires, "requires", lowest=0)),
            *(
                (rule, _codes(codes, f"rules[{rule!r}]", lowest=0))
                for rule, codes in self.rules.items()
            ),
        ]


def _codes(codes: Any, name: str, *, lowest: int) -> Any:
    """`codes` as a one-dimensional int8 array of codes `lowest` to 3, or raise."""
    np = numpy()
    array = np.asarray(codes)
    if array.ndim != 1 or array.dtype.kind not in "iu":
        raise ValidationError(
            f"BatchDecision.{name}",
            f"{array.dtype} array of shape {array.shape}",
            "a one-dimensional integer array",
        )
    if len(array) and (array.min() < lowest or array.max() > _TOP_CODE):
        bad = array[(array < lowest) | (array > _TOP_CODE)][0].item()
        raise ValidationError(f"BatchDecision.{name}", bad, f"a code from {lowest} to {_TOP_CODE}")
    return array.astype(np.int8, copy=False)


@functools.cache
def _pandas_dtypes() -> tuple[Any, Any]:
    """The categorical dtypes of the verdict and `requires` columns, built once."""
    import pandas as pd  # noqa: PLC0415 - imported on first use

    return pd.CategoricalDtype(list(_VERDICT_NAMES)), pd.CategoricalDtype(list(_AUTHORITY_NAMES))


@functools.cache
def _arrow_dictionaries() -> tuple[Any, Any]:
    """The dictionaries of the verdict and `requires` columns, built once."""
    import pyarrow as pa  # noqa: PLC0415 - imported on first use

    return pa.array(list(_VERDICT_NAMES)), pa.array(list(_AUTHORITY_NAMES))


class _VectorPlan:
    __slots__ = ("applies", "bound", "condition", "quantity", "rule")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        expressions = rule._expressions  # noqa: SLF001 - the package's own private state
        self.applies = _compiled(expressions.get("applies"))
        check = rule.check
        self.condition = (
            _compiled(expressions.get(check)) if check in ("require", "forbid") else None
        )
        self.quantity = _compiled(expressions.get("quantity"))
        self.bound = _compiled(expressions.get(check)) if check in ("max", "min") else None


def _compiled(entry: tuple[str, Node] | None) -> tuple[str, Node, VectorFn] | None:
    if entry is None:
        return None
    text, node = entry
    return text, node, compile_vector(text, node)


def _plans(book: PolicyBook) -> tuple[_VectorPlan, ...]:
    cache = book._cache  # noqa: SLF001 - the package's own private state
    plans = cache.get("vector")
    if plans is None:
        plans = tuple(_VectorPlan(rule) for rule in book.rules)
        cache["vector"] = plans
    return plans


def _first(mask: Any) -> int:
    return int(mask.argmax())


def _need(
    value: Value,
    kind: str,
    entry: tuple[str, Node, VectorFn],
    *,
    mask: Any,
    role: str,
    rule: str,
) -> None:
    if value.kind in (kind, NONE_KIND):
        return
    text, node, _ = entry
    field = node.name if isinstance(node, FieldRef) else None
    wanted = "true or false" if kind == "boolean" else "a number"
    raise PolicyEvaluationError(
        f"`{text}` is a {value.kind}; {role} must be {wanted}",
        field=field,
        rule=rule,
        expression=text,
        row=_first(mask),
    )


def _bools(columns: Columns, value: Value, n: int) -> Any:
    np = columns.np
    if value.kind == NONE_KIND:
        return np.zeros(n, dtype=bool)
    return np.broadcast_to(np.asarray(value.data, dtype=bool), (n,))


def _numbers(columns: Columns, value: Value, n: int) -> Any:
    np = columns.np
    if value.kind == NONE_KIND:
        return np.zeros(n, dtype=np.float64)
    return np.broadcast_to(np.asarray(value.data, dtype=np.float64), (n,))


def evaluate_batch(
    book: PolicyBook,
    columns: Any,
    *,
    by: Authority = Authority.AGENT,
    justification: str | None = None,
) -> Any:
    """Judge every row of `columns` with `book`, returning the kind of table it was given.

    The function form of
    [PolicyBook.evaluate_batch][stool.policy.PolicyBook.evaluate_batch].

    Args:
        book: The policy book.
        columns: A pandas or polars DataFrame, a pyarrow Table or RecordBatch, a
            mapping of field names to equal-length arrays, a Dask DataFrame, or an
            iterable of contexts (mappings, or [Interaction][stool.Interaction]s, whose
            enum fields read as their names).
        by: The authority acting on every row.
        justification: The justification given for every row, or None.

    Returns:
        The verdicts in the kind given. A table gives a table of the same kind, one row
        per row: a pandas DataFrame with the input's index, a pyarrow Table, a pyarrow
        RecordBatch or a polars DataFrame (through Arrow, never pandas), whose columns
        are `verdict`, `requires` and one per rule, categorical or dictionary-encoded
        (see [BatchDecision.to_pandas][stool.policy.BatchDecision.to_pandas]). A
        mapping of columns (numpy arrays or lists) gives a
        [BatchDecision][stool.policy.BatchDecision]: the codes as numpy arrays, with
        counts and the verdicts as enums. A Dask DataFrame gives a lazy Dask DataFrame
        of the pandas columns, partition for partition with the same index. An iterable
        of contexts gives a list of [Decision][stool.policy.Decision]s, the same as
        `[book.evaluate(c, by=by, justification=justification) for c in columns]`.

    Raises:
        PolicyEvaluationError: If a row needs a missing column or a value of the wrong
            kind, naming the field and the first such row; or if a table is to be
            returned and a rule's id is `verdict` or `requires`.
        ValidationError: If `book`, `by` or `justification` is malformed.

    Examples:
        >>> import pandas as pd
        >>> from stool.policy import evaluate_batch, load_example
        >>> calls = pd.DataFrame({
        ...     "deceives_customer": [False, True],
        ...     "insults_customer": [False, False],
        ...     "changes_account": [True, False],
        ...     "identity_verified": [True, False],
        ... }, index=["call-1", "call-2"])
        >>> verdicts = evaluate_batch(load_example("conduct"), calls)
        >>> verdicts["verdict"].to_dict()
        {'call-1': 'COMPLIANT', 'call-2': 'BROKEN'}
        >>> str(verdicts["verdict"].dtype)
        'category'

        A mapping of numpy arrays gives the codes:

        >>> from stool import Verdict
        >>> result = evaluate_batch(load_example("conduct"), calls.to_dict("list"))
        >>> result.counts()[Verdict.BROKEN]
        1
    """
    checked: Any = book
    if not isinstance(checked, PolicyBook):
        raise ValidationError("evaluate_batch.book", book, "a PolicyBook")
    if not isinstance(by, Authority):
        raise ValidationError("evaluate_batch.by", by, "an Authority (AGENT, SUPERVISOR, MANAGER)")
    given: Any = justification
    if given is not None and (not isinstance(given, str) or not given.strip()):
        raise ValidationError(
            "evaluate_batch.justification", justification, "a non-empty string or None"
        )
    if _is_dask(columns):
        from stool._dask import evaluate_dask  # noqa: PLC0415 - Dask loads only for Dask input

        return evaluate_dask(columns, book, by, justification)
    if _is_contexts(columns):
        return _evaluate_each(book, columns, by, justification)
    return _as_given(_decide(book, columns, by, justification), columns)


def _as_given(decision: BatchDecision, columns: Any) -> Any:
    """The decision as a table of the kind judged; the decision itself for a mapping."""
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(columns, pandas.DataFrame):
        return decision.to_pandas(index=columns.index)
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None and isinstance(columns, pyarrow.Table):
        return decision.to_arrow()
    if pyarrow is not None and isinstance(columns, pyarrow.RecordBatch):
        return decision._record_batch()  # noqa: SLF001 - the module's own helper
    polars = sys.modules.get("polars")
    if polars is not None and isinstance(columns, polars.DataFrame):
        return decision.to_polars()
    return decision


def _decide(
    book: PolicyBook, columns: Any, by: Authority, justification: str | None
) -> BatchDecision:
    """Judge a table or mapping of columns: the codes of every row."""
    np = numpy()
    table = Columns(columns)
    n = table.length()
    everyone = np.ones(n, dtype=bool)
    worst = np.ones(n, dtype=np.int8)
    required = np.zeros(n, dtype=np.int8)
    unapprovable = np.zeros(n, dtype=bool)
    per_rule: dict[str, Any] = {}
    level = by.value
    justified = justification is not None
    for plan in _plans(book):
        rule = plan.rule
        try:
            # Rows a rule does not apply to may hold anything (an overflow, a NaN from
            # a division guarded elsewhere); they are masked out, so numpy stays quiet.
            with np.errstate(all="ignore"):
                codes, needs = _judge(
                    table, plan, n=n, everyone=everyone, level=level, justified=justified
                )
        except PolicyEvaluationError as error:
            raise error.with_context(rule=rule.id) from None
        per_rule[rule.id] = codes
        np.maximum(worst, codes, out=worst)
        deviating = codes >= Verdict.BENT.value
        unapprovable |= deviating & (needs == 0)
        np.maximum(required, np.where(deviating, needs, 0).astype(np.int8), out=required)
    requires = np.where(unapprovable, 0, required).astype(np.int8)
    return BatchDecision(
        book=book.name,
        version=book.version,
        by=by,
        verdict=worst,
        requires=requires,
        rules=per_rule,
    )


def _is_dask(data: Any) -> bool:
    from stool._readers import is_dask  # noqa: PLC0415 - the batch package's own test

    return is_dask(data)


def _is_contexts(data: Any) -> bool:
    """Whether `data` is an iterable of contexts rather than a table of columns."""
    if isinstance(data, (Mapping, str, bytes)) or not isinstance(data, Iterable):
        return False
    for module_name, names in _TABLE_KINDS:
        module = sys.modules.get(module_name)
        if module is not None and isinstance(data, tuple(getattr(module, n) for n in names)):
            return False  # a DataFrame iterates over its column names: still a table
    return True


_TABLE_KINDS = (
    ("pandas", ("DataFrame",)),
    ("pyarrow", ("Table", "RecordBatch")),
    ("polars", ("DataFrame",)),
)


def _evaluate_each(
    book: PolicyBook, contexts: Iterable[Any], by: Authority, justification: str | None
) -> list[Any]:
    from stool.interaction import Interaction  # noqa: PLC0415
    from stool.serialization import unstructure  # noqa: PLC0415

    decisions = []
    for row, context in enumerate(contexts):
        given = unstructure(context) if isinstance(context, Interaction) else context
        try:
            decisions.append(book.evaluate(given, by=by, justification=justification))
        except PolicyEvaluationError as error:
            raise error.with_context(row=row) from None
    return decisions


def _percent_tolerances(np: Any, bound: Any, amounts: tuple[float, ...]) -> list[Any]:
    """Each amount percent of `abs(bound)`: percent_of, element by element.

    The product comes first, unless it overflows; then the bound is divided first.
    """
    scale = np.abs(bound)
    tolerances = []
    for amount in amounts:
        product = scale * amount
        tolerances.append(np.where(np.isfinite(product), product / 100, scale / 100 * amount))
    return tolerances


def _judge(
    table: Columns,
    plan: _VectorPlan,
    *,
    n: int,
    everyone: Any,
    level: int,
    justified: bool,
) -> tuple[Any, Any]:
    """Return the verdict codes (0 where not applicable) and requires codes of one rule."""
    np = table.np
    rule = plan.rule
    if plan.applies is not None:
        value = plan.applies[2](table, everyone)
        _need(value, "boolean", plan.applies, mask=everyone, role="a condition", rule=rule.id)
        applies = _bools(table, value, n)
    else:
        applies = everyone
    if plan.condition is not None:
        value = plan.condition[2](table, applies)
        _need(value, "boolean", plan.condition, mask=applies, role="a condition", rule=rule.id)
        holds = _bools(table, value, n)
        kept = holds if rule.check == "require" else ~holds
        codes = np.where(applies, np.where(kept, 1, 3), 0).astype(np.int8)
        return codes, np.zeros(n, dtype=np.int8)
    assert plan.quantity is not None  # noqa: S101 - narrows a type the code already guarantees
    value = plan.quantity[2](table, applies)
    _need(value, "number", plan.quantity, mask=applies, role="a quantity", rule=rule.id)
    observed = _numbers(table, value, n)
    if plan.bound is not None:
        bound_value = plan.bound[2](table, applies)
        _need(bound_value, "number", plan.bound, mask=applies, role="a bound", rule=rule.id)
        bound = _numbers(table, bound_value, n)
    else:
        constant = rule.max if rule.max is not None else rule.min
        bound = np.full(n, float(constant))  # type: ignore[arg-type]
    deviation = observed - bound if rule.check == "max" else bound - observed
    overflow = applies & ~np.isfinite(deviation)
    if overflow.any():
        side = "above its maximum" if rule.check == "max" else "below its minimum"
        raise PolicyEvaluationError(
            f"`{rule.quantity}` is {side} by more than the largest float (overflow); "
            "no verdict can be computed",
            expression=rule.quantity,
            row=_first(overflow),
        )
    over = applies & (deviation > 0)
    if rule.kind == "hard":
        codes = np.where(applies, np.where(over, 3, 1), 0).astype(np.int8)
        return codes, np.zeros(n, dtype=np.int8)
    amounts = effective_tolerances(rule.bend)
    if rule.bend and rule.bend[0].percent:
        tolerances = _percent_tolerances(np, bound, amounts)
        overflow = applies & ~np.isfinite(tolerances[level - 1])
        if overflow.any():
            raise PolicyEvaluationError(
                f"{amounts[level - 1]:g}% of the bound is beyond the largest float (overflow); "
                "no verdict can be computed",
                expression=rule.quantity,
                row=_first(overflow),
            )
    else:
        tolerances = [np.full(n, amount) for amount in amounts]
    needs = np.where(
        deviation <= tolerances[0],
        1,
        np.where(deviation <= tolerances[1], 2, np.where(deviation <= tolerances[2], 3, 0)),
    ).astype(np.int8)
    needs = np.where(over, needs, 0).astype(np.int8)
    bent = over & (deviation <= tolerances[level - 1])
    if rule.justification_required and not justified:
        bent = np.zeros(n, dtype=bool)
    codes = np.where(applies, np.where(over, np.where(bent, 2, 3), 1), 0).astype(np.int8)
    return codes, needs
