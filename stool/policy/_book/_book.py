"""PolicyBook: a named, versioned set of rules, compiled once and evaluated many times."""

from __future__ import annotations

import json
import types
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs

from stool._json import json_default
from stool.enums import Authority, Verdict
from stool.errors import ValidationError
from stool.policy._book._checks import book_problems, book_version, context_fields
from stool.policy._book._judges import Plan, plans, slot_setters
from stool.policy._decision import Decision, Finding, TraceEntry, context_problem
from stool.policy._errors import (
    STACK_EXHAUSTED,
    PolicyDefinitionError,
    PolicyError,
    PolicyEvaluationError,
    PolicyValidationError,
    StackExhaustedError,
    shown,
)
from stool.policy._expr import Compiled, not_a_mapping
from stool.policy._ledger import Ledger, LedgerError, iso_date
from stool.policy._rules import ContextField, PolicyTest, Rule

if TYPE_CHECKING:
    import os


__all__ = ["PolicyBook"]

_AUTHORITIES: Final = tuple(Authority)  # by value - 1
_AGENT: Final = Authority.AGENT
_SUPERVISOR: Final = Authority.SUPERVISOR
_COMPLIANT: Final = Verdict.COMPLIANT
_BROKEN: Final = Verdict.BROKEN

_new = object.__new__

(
    _d_book, _d_version, _d_verdict, _d_requires, _d_findings, _d_trace, _d_by, _d_actor,
    _d_when, _d_justification, _d_context,
) = slot_setters(
    Decision,
    "book", "version", "verdict", "requires", "findings", "trace", "by", "actor",
    "when", "justification", "context",
)  # fmt: skip


def _rules(rules: Iterable[Rule]) -> tuple[Rule, ...]:
    return tuple(rules)


def _tests(tests: Iterable[PolicyTest]) -> tuple[PolicyTest, ...]:
    return tuple(tests)


@attrs.frozen(kw_only=True, repr=False)
class PolicyBook:
    """A named, versioned set of rules: what an agent may bend, and what no one may break.

    Build one from a policy file with [from_toml][stool.policy.PolicyBook.from_toml],
    [from_json][stool.policy.PolicyBook.from_json],
    [from_yaml][stool.policy.PolicyBook.from_yaml] or
    [from_file][stool.policy.PolicyBook.from_file], or in Python; every way builds an
    identical book (equal, with the same version) from the same content.
    Every expression is parsed and checked when the book is built; problems raise one
    [PolicyValidationError][stool.policy.PolicyValidationError] listing all of them.
    The `version` is a hash of the content, so an audit record names exactly the rules
    it was judged by.

    Thread safety: immutable once built, and `evaluate` keeps no state between calls,
    so one book may judge from many threads at once. The budgets are the ledger's: see
    [Ledger][stool.policy.Ledger] for what it guarantees under concurrency.

    Examples:
        >>> from stool.policy import PolicyBook, Rule
        >>> book = PolicyBook(
        ...     name="conduct-lite",
        ...     context={"deceives_customer": "boolean"},
        ...     rules=[Rule(id="never-deceive", kind="hard", forbid="deceives_customer",
        ...                 rationale="Trust is the whole business.")],
        ... )
        >>> book.evaluate({"deceives_customer": True}).verdict
        <Verdict.BROKEN: 3>
    """

    name: str
    """The book's name; never empty."""
    rules: tuple[Rule, ...] = attrs.field(default=(), converter=_rules)
    """The rules, in evaluation and report order."""
    description: str = ""
    """What the book covers, for people reading it."""
    context: tuple[ContextField, ...] = attrs.field(default=(), converter=context_fields)
    """The declared context fields, sorted by name; empty to allow any field. Given as
    ContextFields, or a mapping of names to kinds (`"number"`) or to
    `{"kind": ..., "description": ...}`."""
    tests: tuple[PolicyTest, ...] = attrs.field(default=(), converter=_tests)
    """The book's own test cases, run by [run_tests][stool.policy.run_tests]."""
    version: str = attrs.field(init=False)
    """The first 16 hex digits of the SHA-256 of the book's canonical data."""
    _plans: tuple[Plan, ...] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _cache: dict[str, Any] = attrs.field(init=False, eq=False, hash=False, repr=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        this: Any = self  # the values may come from data: check them as such
        problems: list[PolicyDefinitionError] = []
        if not isinstance(this.name, str) or not this.name.strip():
            problems.append(
                PolicyDefinitionError(
                    f"got {shown(this.name)}; allowed: a non-empty string", field="name"
                )
            )
        if not isinstance(this.description, str):
            problems.append(
                PolicyDefinitionError(
                    f"got {shown(this.description)}; allowed: a string", field="description"
                )
            )
        for index, rule in enumerate(this.rules):
            if not isinstance(rule, Rule):
                problems.append(
                    PolicyDefinitionError(
                        f"got {type(rule).__name__}; allowed: a Rule (load files with from_toml)",
                        field=f"rules[{index}]",
                    )
                )
        for index, test in enumerate(this.tests):
            if not isinstance(test, PolicyTest):
                problems.append(
                    PolicyDefinitionError(
                        f"got {type(test).__name__}; allowed: a PolicyTest",
                        field=f"tests[{index}]",
                    )
                )
        if problems:
            raise PolicyValidationError(tuple(problems))
        sketches = [(rule.id, rule._expressions) for rule in self.rules]  # noqa: SLF001 - its own rules
        checked: dict[tuple[int, str], Compiled] = {}
        found = book_problems(sketches, self.tests, self.context, compiled_out=checked)
        if found:
            raise PolicyValidationError(tuple(problem for _, _, problem in found))
        object.__setattr__(self, "version", book_version(self.to_data()))
        object.__setattr__(self, "_plans", plans(self.name, self.rules, checked))

    def __reduce__(self) -> tuple[Any, ...]:
        # The compiled closures cannot be pickled; the source data rebuilds them.
        return (_rebuild_book, (self.to_data(),))

    def __repr__(self) -> str:
        return (
            f"PolicyBook(name={self.name!r}, version={self.version!r}, "
            f"rules={len(self.rules)}, tests={len(self.tests)})"
        )

    # ------------------------------------------------------------------------ data

    def to_data(self) -> dict[str, Any]:
        """Return the book as policy-file data.

        This is what `from_json` and `from_data` read and what
        [unstructure][stool.unstructure] writes; the version is derived, never stored.
        """
        data: dict[str, Any] = {"name": self.name}
        if self.description:
            data["description"] = self.description
        if self.context:
            data["context"] = {
                f.name: (
                    {"kind": f.kind, "description": f.description} if f.description else f.kind
                )
                for f in self.context
            }
        data["rule"] = [rule.to_data() for rule in self.rules]
        if self.tests:
            data["test"] = [test.to_data() for test in self.tests]
        return data

    def to_toml(self) -> str:
        """Return the book as a TOML policy file.

        [from_toml][stool.policy.PolicyBook.from_toml] reads it back.

        The file holds the book's data ([to_data][stool.policy.PolicyBook.to_data]): name,
        description, declared context, rules and tests, in that order. The book read
        back is equal to this one, with the same version; the comments and layout of the
        file the book came from are not kept.

        Returns:
            The TOML text.

        Raises:
            PolicyError: If a test context holds a value TOML cannot (such as a JSON
                null); [to_json][stool.policy.PolicyBook.to_json] writes every book.

        Examples:
            >>> from stool.policy import PolicyBook, load_example
            >>> book = load_example("returns")
            >>> print(book.to_toml().splitlines()[0])
            name = "returns"
            >>> PolicyBook.from_toml(book.to_toml()) == book
            True
        """
        from stool.policy._writing import toml_document  # noqa: PLC0415 - imported on first use, to keep import stool light

        return toml_document(self.to_data())

    def to_json(self) -> str:
        """Return the book as a JSON policy file.

        [from_json][stool.policy.PolicyBook.from_json] reads it back.

        Returns:
            The JSON text, indented, ending with a newline.

        Examples:
            >>> from stool.policy import PolicyBook, load_example
            >>> book = load_example("conduct")
            >>> PolicyBook.from_json(book.to_json()).version == book.version
            True
        """
        return json.dumps(self.to_data(), indent=2, ensure_ascii=False, default=json_default) + "\n"

    @classmethod
    def from_data(cls, data: Any, *, file: str | None = None) -> PolicyBook:
        """Build a book from policy-file data (the parsed content of a TOML, JSON or YAML file).

        Args:
            data: A mapping with `name`, optional `description` and `context`, a list
                `rule` of rule tables and an optional list `test` of test cases.
            file: The file the data came from, for error messages.

        Returns:
            The book.

        Raises:
            PolicyValidationError: Listing every problem: unknown keys, duplicate ids,
                shrinking ladders, tolerances on hard rules, unknown authorities,
                expressions that do not parse, undeclared fields.
        """
        from stool.policy._loaders import build  # noqa: PLC0415 - imported on first use, to keep import stool light

        return build(data, file=file, locate=None)

    @classmethod
    def from_toml(cls, source: str | bytes | os.PathLike[str]) -> PolicyBook:
        """Load a book from TOML.

        Args:
            source: A path (`pathlib.Path` or any `os.PathLike`) to read the file from,
                or the TOML itself as `str` or UTF-8 `bytes`. A `str` is always text,
                never a file name: use `Path(name)` or
                [from_file][stool.policy.PolicyBook.from_file] for files.

        Returns:
            The book.

        Raises:
            PolicyDefinitionError: If the file cannot be read or is not valid TOML
                (naming the line and column).
            PolicyValidationError: Listing every problem of the content, each with its
                file, line, rule and field.

        Examples:
            >>> from stool.policy import PolicyBook
            >>> book = PolicyBook.from_toml('''
            ... name = "tiny"
            ... [[rule]]
            ... id = "window"
            ... kind = "limit"
            ... quantity = "days"
            ... max = 30
            ... bend = { agent = 5 }
            ... rationale = "Old stock cannot be resold."
            ... ''')
            >>> book.evaluate({"days": 33}).verdict
            <Verdict.BENT: 2>
        """
        from stool.policy._loaders import load  # noqa: PLC0415 - imported on first use, to keep import stool light

        _refuse_file_name(source, "toml")
        return load(source, "toml")

    @classmethod
    def from_json(cls, source: str | bytes | os.PathLike[str]) -> PolicyBook:
        """Load a book from JSON (the same keys as TOML: `name`, `context`, `rule`, `test`).

        Args:
            source: A path to read, or the JSON itself as `str` or UTF-8 `bytes`
                (a `str` is always text, never a file name).

        Returns:
            The book.

        Raises:
            PolicyDefinitionError: If the source cannot be read or is not valid JSON.
            PolicyValidationError: Listing every problem of the content.
        """
        from stool.policy._loaders import load  # noqa: PLC0415 - imported on first use, to keep import stool light

        _refuse_file_name(source, "json")
        return load(source, "json")

    @classmethod
    def from_yaml(cls, source: str | bytes | os.PathLike[str]) -> PolicyBook:
        """Load a book from YAML (needs PyYAML, the `yaml` extra).

        Only plain data is read (PyYAML's safe loader); tags that build objects are errors.

        Args:
            source: A path to read, or the YAML itself as `str` or UTF-8 `bytes`
                (a `str` is always text, never a file name).

        Returns:
            The book.

        Raises:
            PolicyError: If PyYAML is not installed.
            PolicyDefinitionError: If the source cannot be read or is not valid YAML.
            PolicyValidationError: Listing every problem of the content.
        """
        from stool.policy._loaders import load  # noqa: PLC0415 - imported on first use, to keep import stool light

        _refuse_file_name(source, "yaml")
        return load(source, "yaml")

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> PolicyBook:
        """Load a book from a file, choosing the format by its suffix.

        Args:
            path: A `.toml`, `.json`, `.yaml` or `.yml` file.

        Returns:
            The book.

        Raises:
            PolicyDefinitionError: If the suffix is unknown or the file cannot be read.
            PolicyValidationError: Listing every problem of the content.
        """
        from stool.policy._loaders import load_file  # noqa: PLC0415 - imported on first use, to keep import stool light

        return load_file(path)

    # ------------------------------------------------------------------------ evaluation

    def evaluate(  # noqa: C901, PLR0912, PLR0915 - one branch per case, kept in one place
        self,
        context: Mapping[str, Any],
        *,
        by: Authority = Authority.AGENT,
        ledger: Ledger | None = None,
        justification: str | None = None,
        actor: str | None = None,
        when: Any = None,
        trace: bool = True,
        record: bool = False,
    ) -> Decision:
        """Judge a context: which rules apply, and is each kept, bent or broken?

        Every rule whose `applies` condition holds gets a [Finding][stool.policy.Finding];
        the verdict is the worst of them (a break always wins over a bend, like Cedar's
        forbid-overrides-permit), and `requires` the lowest authority that may approve
        every deviation.

        Args:
            context: The facts of the proposed action: a mapping of field names to
                numbers, strings, booleans, lists, and nested mappings for dotted names.
            by: The authority acting (or proposing to act).
            ledger: Bends recorded so far; budgets on bending are checked only when a
                ledger is given (evaluating records nothing unless `record` is True:
                call [Ledger.record][stool.policy.Ledger.record] for actions taken).
            justification: Why the actor deviates (the customer's benefit). Rules with
                `justification_required` treat a bend without one as BROKEN.
            actor: Who acts; needed, with `when`, to check budgets.
            when: The date of the action (a `datetime.date` or ISO string), which picks
                the budget period; never read from the clock.
            trace: Whether to record a trace entry for every rule (cheap; False gives a
                smaller audit record).
            record: Whether to record the decision's bends in `ledger` in the same
                transaction as the budget check, when the decision is BENT: see
                [Ledger.evaluate_and_record][stool.policy.Ledger.evaluate_and_record],
                which this calls. Needs a ledger.

        Returns:
            The [Decision][stool.policy.Decision].

        Raises:
            PolicyEvaluationError: If the context is not a mapping, lacks a field a rule
                reads, holds a value of the wrong kind, or a budgeted bend is checked
                against a ledger without `actor` and `when`; the error names the rule
                and the field.
            ValidationError: If `by`, `actor`, `when`, `justification` or `record` is
                malformed, or `record` is True without a ledger.

        Examples:
            >>> from stool import Authority
            >>> from stool.policy import load_example
            >>> book = load_example("returns")
            >>> refund = {"action": "refund", "days_since_purchase": 40, "refund_amount": 30.0,
            ...           "purchase_price": 30.0, "item_category": "kitchen"}
            >>> book.evaluate(refund, by=Authority.SUPERVISOR).verdict
            <Verdict.BENT: 2>
        """
        if type(by) is not Authority:
            raise ValidationError("evaluate.by", by, "an Authority (AGENT, SUPERVISOR, MANAGER)")
        if type(context) is not dict and not issubclass(type(context), Mapping):
            raise not_a_mapping(context)
        if justification is not None and (
            type(justification) is not str or not justification.strip()
        ):
            raise ValidationError(
                "evaluate.justification", justification, "a non-empty string or None"
            )
        if actor is not None and (type(actor) is not str or not actor):
            raise ValidationError("evaluate.actor", actor, "a non-empty string or None")
        if ledger is not None and not isinstance(ledger, Ledger):
            raise ValidationError("evaluate.ledger", ledger, "a Ledger or None")
        day = iso_date(when, field="evaluate.when") if when is not None else None
        problem = context_problem(context)
        if problem is not None:
            key, reason = problem
            raise PolicyEvaluationError(
                f"{reason}; a decision records its context, which must be plain data "
                "it can write out",
                field=key or None,
            )
        if record is not False:
            if record is not True:
                raise ValidationError("evaluate.record", record, "True or False")
            if ledger is None:
                raise ValidationError(
                    "evaluate.record",
                    record,
                    "False when no ledger is given (nothing to record in)",
                )
            return ledger.evaluate_and_record(
                self,
                context,
                by=by,
                justification=justification,
                actor=actor,
                when=day,
                trace=trace,
            )
        level = 1 if by is _AGENT else (2 if by is _SUPERVISOR else 3)
        justified = justification is not None
        findings: list[Finding] = []
        entries: list[TraceEntry] = []
        worst = 1
        required = 0
        approvable = True
        plan = None
        try:
            for plan in self._plans:
                applies = plan.applies
                if applies is not None and not applies(context):
                    if trace:
                        entries.append(plan.skipped)
                    continue
                finding = plan.judge(context, level, ledger, justified, actor, day)
                findings.append(finding)
                if trace:
                    entries.append(plan.applied)
                verdict = finding.verdict
                if verdict is not _COMPLIANT:
                    # Enum .value and hashing are slow; identity tests are not.
                    if verdict is _BROKEN:
                        worst = 3
                    elif worst == 1:
                        worst = 2
                    requires = finding.requires
                    if requires is None:
                        approvable = False
                    else:
                        rank = 1 if requires is _AGENT else (2 if requires is _SUPERVISOR else 3)
                        required = max(required, rank)
        except RecursionError:
            # The caller's stack is nearly full: raise without calling any Python code.
            raise StackExhaustedError(STACK_EXHAUSTED) from None
        except PolicyEvaluationError as error:
            try:
                enriched = error.with_context(rule=plan.rule.id if plan is not None else None)
            except RecursionError:
                raise error from None
            raise enriched from None
        except PolicyError:  # pragma: no cover - judges raise evaluation errors only
            raise
        except LedgerError:
            raise  # the ledger's store failed, not the policy: say so as it is
        except Exception as error:
            try:
                wrapped = PolicyEvaluationError(
                    f"could not evaluate: {type(error).__name__}: {error}",
                    rule=plan.rule.id if plan is not None else None,
                )
            except RecursionError:
                raise StackExhaustedError(STACK_EXHAUSTED) from None
            raise wrapped from error
        decision = _new(Decision)
        _d_book(decision, self.name)
        _d_version(decision, self.version)
        _d_verdict(decision, _VERDICTS[worst])
        _d_requires(decision, _AUTHORITIES[required - 1] if approvable and required else None)
        _d_findings(decision, tuple(findings))
        _d_trace(decision, tuple(entries))
        _d_by(decision, by)
        _d_actor(decision, actor)
        _d_when(decision, day)
        _d_justification(decision, justification)
        _d_context(decision, types.MappingProxyType(dict(context)))
        return decision

    def evaluate_batch(
        self,
        columns: Any,
        *,
        by: Authority = Authority.AGENT,
        justification: str | None = None,
    ) -> Any:
        """Judge many contexts at once, column by column, with numpy.

        Each row gets the verdict and `requires` that
        [evaluate][stool.policy.PolicyBook.evaluate] gives it with the same `by` and
        `justification` and no ledger (budgets count bends one at a time, in order,
        so they are not checked here). Needs the `batch` extra (numpy).

        `and` and `or` short-circuit row by row, so a missing column, a value of the
        wrong kind or a division by zero fails the batch only if some row reaches it,
        as it would fail that row's `evaluate`. Two differences are by design: each
        column holds one kind of value (a column mixing numbers and strings is refused
        even where no row reads it), and numbers are computed in float64, so integer
        columns must stay within 2**53 in magnitude.

        Args:
            columns: A pandas or polars DataFrame, a pyarrow Table or RecordBatch, or a
                mapping of field names to equal-length arrays or lists; a dotted field
                (`customer.tier`) is the column of that name. Numbers are computed in
                float64. A Dask DataFrame or an iterable of contexts is judged as
                [evaluate_batch][stool.policy.evaluate_batch] says.
            by: The authority acting on every row.
            justification: The justification given for every row, or None.

        Returns:
            For a mapping of columns, a [BatchDecision][stool.policy.BatchDecision]
            with a verdict and `requires` per row, and each rule's verdict per row; for
            a table, a table of the same kind with those columns (a pandas DataFrame
            keeps the input's index); see [evaluate_batch][stool.policy.evaluate_batch]
            for the other kinds.

        Raises:
            PolicyEvaluationError: If a row that needs it lacks a column or holds a value
                of the wrong kind, naming the field and the first such row.

        Examples:
            >>> from stool.policy import load_example
            >>> book = load_example("returns")
            >>> result = book.evaluate_batch({
            ...     "action": ["refund", "refund", "exchange"],
            ...     "days_since_purchase": [10, 33, 90],
            ...     "refund_amount": [5.0, 5.0, 5.0],
            ...     "purchase_price": [5.0, 5.0, 5.0],
            ...     "item_category": ["kitchen", "kitchen", "hygiene"],
            ... })
            >>> [v.name for v in result.verdicts()]
            ['COMPLIANT', 'BENT', 'COMPLIANT']
        """
        from stool.policy._batch import evaluate_batch  # noqa: PLC0415 - imported on first use, to keep import stool light

        return evaluate_batch(self, columns, by=by, justification=justification)


_VERDICTS: Final = (None, Verdict.COMPLIANT, Verdict.BENT, Verdict.BROKEN)

_FILE_SUFFIXES: Final = (".toml", ".json", ".yaml", ".yml")


def _refuse_file_name(source: Any, fmt: str) -> None:
    """Refuse a `str` that is a file name, not policy text, with the call to use instead."""
    if not isinstance(source, str):
        return
    text = source.strip()
    if (
        "\n" in text
        or not text.lower().endswith(_FILE_SUFFIXES)
        or any(mark in text for mark in ("=", "{", ": "))
    ):
        return
    raise PolicyDefinitionError(
        f"{text!r} looks like a file name, but from_{fmt} reads {fmt.upper()} text (a str is "
        f"never a path): use PolicyBook.from_file({text!r}) or stool.load_policy({text!r}), "
        f"or pass a pathlib.Path",
        file="<string>",
    )


def _rebuild_book(data: dict[str, Any]) -> PolicyBook:
    return PolicyBook.from_data(data)
