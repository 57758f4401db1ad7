"""`stool policy`: check, test and evaluate policy books, one action or a whole table.

From the shell: `stool policy test returns.toml`. From Python, in-process:

    >>> from pathlib import Path
    >>> from click.testing import CliRunner
    >>> from stool.cli import app
    >>> from stool.policy import load_example
    >>> _ = Path("conduct.toml").write_text(load_example("conduct").to_toml())
    >>> result = CliRunner().invoke(app, ["policy", "check", "conduct.toml"])
    >>> result.exit_code, result.stdout.split(":")[0]
    (0, 'conduct.toml')
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from stool.cli._common import (
    EXIT_FAILED,
    EXIT_STATUS,
    Clock,
    chunk_size_option,
    console,
    emit_json,
    format_option,
    json_option,
    output_format_option,
    progress_option,
)
from stool.cli._stream import output_format as format_to_write
from stool.cli._stream import stream
from stool.enums import Authority, Verdict
from stool.errors import TableError

if TYPE_CHECKING:
    from stool.policy import Decision, PolicyBook, PolicyDefinitionError

__all__ = ["command"]

_SUFFIXES = (".toml", ".json", ".yaml", ".yml")
_AUTHORITIES = [a.name.lower() for a in Authority]
_VERDICTS = ["bent", "broken"]

_book_argument = click.argument(
    "book", metavar="BOOK", type=click.Path(exists=True, dir_okay=False)
)
_by_option = click.option(
    "--by",
    type=click.Choice(_AUTHORITIES, case_sensitive=False),
    default="agent",
    show_default=True,
    help="The authority acting.",
)
_justification_option = click.option(
    "--justification",
    metavar="TEXT",
    help="Why the actor deviates; rules that require one break without it.",
)
_fail_on_option = click.option(
    "--fail-on",
    type=click.Choice(_VERDICTS, case_sensitive=False),
    help="Exit with status 1 when a verdict is this or worse (bent: any deviation).",
)


def _suffix_checked(book: str) -> None:
    if Path(book).suffix.lower() not in _SUFFIXES:
        msg = f"{book}: a policy book is a {', '.join(_SUFFIXES)} file"
        raise click.UsageError(msg)


def _load(book: str) -> PolicyBook:
    from stool.policy import PolicyBook  # noqa: PLC0415 - the policy engine, on first use

    _suffix_checked(book)
    return PolicyBook.from_file(book)


def _problems(error: PolicyDefinitionError) -> tuple[tuple[PolicyDefinitionError, ...], int]:
    """The problems an error lists, and how many more it found but does not list."""
    from stool.policy import PolicyValidationError  # noqa: PLC0415 - on first use

    if isinstance(error, PolicyValidationError):
        return error.problems, error.omitted
    return (error,), 0


def _problem_data(problem: PolicyDefinitionError) -> dict[str, Any]:
    return {
        "message": problem.message,
        "file": problem.file,
        "line": problem.line,
        "column": problem.column,
        "rule": problem.rule,
        "field": problem.field,
        "suggestion": problem.suggestion,
        "text": str(problem),
    }


@click.group(name="policy", epilog=EXIT_STATUS)
def command() -> None:
    """Check, test and evaluate policy books (TOML, JSON or YAML).

    \b
    Examples:
      stool policy check returns.toml
      stool policy test returns.toml
      stool policy eval returns.toml --context refund.json --by supervisor
      stool policy batch returns.toml refunds.csv -o verdicts.csv
    """


@command.command(name="check", epilog=EXIT_STATUS)
@click.argument(
    "books",
    metavar="BOOK...",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False),
)
@json_option
@click.pass_context
def _check(ctx: click.Context, *, books: tuple[str, ...], as_json: bool) -> None:
    """Validate policy books and report every problem, each with its line, rule and field.

    A book is read as stool reads it: the keys, the tolerance ladders, every expression
    and every field it reads (against the declared context). Exits with 1 if any book
    has a problem, listing all of them; nothing is evaluated.

    \b
    Examples:
      stool policy check returns.toml
      stool policy check policies/*.toml --json
    """
    from stool.policy import PolicyDefinitionError  # noqa: PLC0415 - on first use

    reports: list[dict[str, Any]] = []
    for book in books:
        _suffix_checked(book)
        try:
            loaded = _load(book)
        except PolicyDefinitionError as error:
            problems, omitted = _problems(error)
            reports.append(
                {
                    "file": book,
                    "ok": False,
                    "problems": [_problem_data(p) for p in problems],
                    "omitted": omitted,
                }
            )
            if not as_json:
                count = len(problems) + omitted
                noun = "problem" if count == 1 else "problems"
                click.echo(f"{book}: {count:,} {noun}")
                for problem in problems:
                    click.echo("  " + str(problem).replace("\n", "\n  "))
                if omitted:
                    click.echo(f"  ... and {omitted:,} more (the first {len(problems)} are listed)")
            continue
        reports.append(
            {
                "file": book,
                "ok": True,
                "book": loaded.name,
                "version": loaded.version,
                "rules": len(loaded.rules),
                "tests": len(loaded.tests),
                "problems": [],
            }
        )
        if not as_json:
            click.echo(
                f"{book}: ok (book {loaded.name!r}, version {loaded.version}, "
                f"{_count(len(loaded.rules), 'rule')}, {_count(len(loaded.tests), 'test')})"
            )
    if as_json:
        emit_json(reports if len(reports) > 1 else reports[0])
    if not all(report["ok"] for report in reports):
        ctx.exit(EXIT_FAILED)


def _article(noun: str) -> str:
    """`a` or `an`, for an authority's name."""
    return "an" if noun[:1] in "aeiou" else "a"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@command.command(name="test", epilog=EXIT_STATUS)
@_book_argument
@click.option(
    "--boundaries/--no-boundaries",
    default=True,
    show_default=True,
    help="Also run the cases generated at every tolerance edge.",
)
@click.option("-v", "--verbose", is_flag=True, help="List every case, not only the failures.")
@json_option
@click.pass_context
def _test(ctx: click.Context, *, book: str, boundaries: bool, verbose: bool, as_json: bool) -> None:
    """Run a book's [[test]] cases and the boundary cases generated from its rules.

    Like `opa test`: prints the failures (every case with -v) and a summary, and exits
    with 1 if any case fails.

    \b
    Examples:
      stool policy test returns.toml
      stool policy test returns.toml -v --no-boundaries
      stool policy test returns.toml --json
    """
    import stool  # noqa: PLC0415 - the package is imported already; this names it
    from stool.policy import run_tests  # noqa: PLC0415 - the policy engine, on first use

    report = run_tests(_load(book), boundaries=boundaries)
    if as_json:
        data = stool.unstructure(report)
        data["ok"] = report.ok
        emit_json(data)
    else:
        for result in report.results:
            if verbose or not result.passed:
                mark = "PASS" if result.passed else "FAIL"
                click.echo(f"{mark}  {result.name}")
                for problem in result.problems:
                    click.echo(f"      {problem}")
        for note in report.notes:
            click.echo(f"note: {note}")
        own = sum(1 for r in report.results if not r.generated)
        click.echo(
            f"{book}: {len(report.passed)}/{len(report.results)} passed "
            f"({own} written, {len(report.results) - own} boundary), "
            f"{len(report.failed)} failed"
        )
    if not report.ok:
        ctx.exit(EXIT_FAILED)


def _context(value: str) -> dict[str, Any]:
    if value == "-":
        text, where = sys.stdin.read(), "standard input"
    elif value.lstrip().startswith("{"):
        text, where = value, "--context"
    else:
        path = Path(value)
        if not path.is_file():
            msg = f"--context {value}: neither a JSON object nor a file"
            raise click.UsageError(msg)
        text, where = path.read_text(encoding="utf-8"), value
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        msg = f"{where}, line {error.lineno}, column {error.colno}: not valid JSON: {error.msg}"
        raise click.UsageError(msg) from None
    if not isinstance(data, dict):
        msg = f"{where}: a context is a JSON object of field names and values"
        raise click.UsageError(msg)
    return data


def _fails(verdict: Verdict, fail_on: str | None) -> bool:
    return fail_on is not None and verdict >= Verdict[fail_on.upper()]


@command.command(name="eval", epilog=EXIT_STATUS)
@_book_argument
@click.option(
    "--context",
    "context_text",
    metavar="JSON|FILE",
    required=True,
    help="The proposed action's facts: a JSON object, a JSON file, or '-' for standard input.",
)
@_by_option
@_justification_option
@click.option("--actor", metavar="ID", help="Who acts (with --when, for bending budgets).")
@click.option("--when", metavar="DATE", help="The ISO date of the action (with --actor).")
@_fail_on_option
@json_option
@click.pass_context
def _evaluate(
    ctx: click.Context,
    *,
    book: str,
    context_text: str,
    by: str,
    justification: str | None,
    actor: str | None,
    when: str | None,
    fail_on: str | None,
    as_json: bool,
) -> None:
    """Judge one proposed action: compliant, bent or broken, who may approve it, and why.

    Prints the decision's explanation, rule by rule; --json prints the decision as an
    audit record (stool.unstructure), which stool.structure reads back.

    \b
    Examples:
      stool policy eval returns.toml --by agent --context '{"action": "refund",
        "days_since_purchase": 33, "refund_amount": 40, "purchase_price": 40,
        "item_category": "kitchen"}'
      stool policy eval returns.toml --context refund.json --by supervisor --json
      cat refund.json | stool policy eval returns.toml --context - --fail-on broken
    """
    import stool  # noqa: PLC0415 - the package is imported already; this names it
    from stool.policy import PolicyEvaluationError  # noqa: PLC0415 - on first use

    loaded = _load(book)
    where = "--context" if context_text.lstrip().startswith("{") else context_text
    try:
        decision: Decision = loaded.evaluate(
            _context(context_text),
            by=Authority[by.upper()],
            justification=justification,
            actor=actor,
            when=when,
        )
    except PolicyEvaluationError as error:
        msg = f"{'standard input' if where == '-' else where}: {error}"
        raise click.UsageError(msg) from None
    if as_json:
        emit_json(stool.unstructure(decision))
    else:
        click.echo(decision.explain())
    if _fails(decision.verdict, fail_on):
        ctx.exit(EXIT_FAILED)


def _book_types(loaded: PolicyBook, columns: list[str]) -> dict[str, str]:
    """The types to read columns as: declared fields by their kind, others as text.

    A book that declares no context gets every type inferred.
    """
    if not loaded.context:
        return {}
    kinds = {"number": "float64", "boolean": "bool", "string": "string"}
    declared = {f.name: kinds.get(f.kind) for f in loaded.context}
    types: dict[str, str] = {}
    for name in columns:
        kind = declared.get(name, "string")
        if kind is not None:
            types[name] = kind
    return types


def _count_verdicts(verdicts: Any, counts: dict[Verdict, int]) -> None:
    """Add a chunk's verdicts (an Arrow dictionary column, never null) to `counts`."""
    import numpy as np  # noqa: PLC0415 - an optional extra

    indices = verdicts.combine_chunks().indices.to_numpy(zero_copy_only=False)
    counted = np.bincount(indices, minlength=len(Verdict)).tolist()
    for verdict in Verdict:
        counts[verdict] += counted[verdict.value - 1]  # the indices are the codes less one


@command.command(name="batch", epilog=EXIT_STATUS)
@_book_argument
@click.argument("source", metavar="IN", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    metavar="OUT",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write the verdicts here (same or another format); '-' for standard output.",
)
@_by_option
@_justification_option
@chunk_size_option
@format_option
@output_format_option
@click.option(
    "--results-only",
    is_flag=True,
    help="Write only the verdict columns, not the input's columns before them.",
)
@_fail_on_option
@progress_option
@json_option
@click.pass_context
def _batch(
    ctx: click.Context,
    *,
    book: str,
    source: str,
    output: str | None,
    by: str,
    justification: str | None,
    chunk_size: int,
    input_format: str | None,
    output_format: str | None,
    results_only: bool,
    fail_on: str | None,
    progress: bool | None,
    as_json: bool,
) -> None:
    """Judge every row of a table file of contexts, chunk by chunk.

    IN is a CSV, Parquet or JSON Lines file whose columns are the fields the book
    reads (a dotted field such as customer.tier is the column of that name). Each row
    gets the verdict and `requires` that `policy eval` would give it (without a
    ledger, so budgets are not counted), plus one column per rule with that rule's
    verdict (empty where it did not apply). A summary of the verdicts follows.

    \b
    Examples:
      stool policy batch returns.toml refunds.csv
      stool policy batch returns.toml refunds.csv -o verdicts.parquet --by supervisor
      stool policy batch conduct.toml calls.jsonl --results-only -o - | head
      stool policy batch returns.toml refunds.csv --fail-on broken --json
    """
    from stool.policy import evaluate_batch  # noqa: PLC0415 - the policy engine, on first use
    from stool.tables import table_columns, table_format  # noqa: PLC0415 - pyarrow loads here

    if as_json and output == "-":
        msg = "--json and -o - both print to standard output; choose one"
        raise click.UsageError(msg)
    loaded = _load(book)
    fmt = table_format(source, format=input_format)
    out_fmt = format_to_write(output, output_format)
    columns = table_columns(source, format=fmt)
    result_names = ["verdict", "requires", *(rule.id for rule in loaded.rules)]
    if not results_only:
        for name in columns:
            if name in result_names:
                raise TableError(
                    source,
                    "a name that is not one of the verdict columns (verdict, requires and "
                    "the rule ids); rename it, or pass --results-only",
                    column=name,
                )
    authority = Authority[by.upper()]
    counts = dict.fromkeys(Verdict, 0)
    clock = Clock()

    def process(chunk: Any) -> Any:
        # An Arrow table in, an Arrow table of dictionary columns out: no pandas.
        result = evaluate_batch(loaded, chunk, by=authority, justification=justification)
        _count_verdicts(result.column("verdict"), counts)
        return result

    rows = stream(
        source,
        input_format=fmt,
        output=output,
        output_format=out_fmt,
        chunk_size=chunk_size,
        types=_book_types(loaded, columns) if fmt != "parquet" else {},
        process=process,
        keep_input=not results_only,
        show_progress=progress,
        what="judging",
        tally=lambda _: None,
    )
    seconds = clock.seconds()
    if as_json:
        emit_json(
            {
                "input": source,
                "output": output,
                "book": loaded.name,
                "version": loaded.version,
                "by": authority.name,
                "rows": rows,
                "verdicts": {verdict.name: count for verdict, count in counts.items()},
                "seconds": round(seconds, 3),
            }
        )
    else:
        out = console(stderr=output == "-")
        written = f"; wrote {output}" if output not in (None, "-") else ""
        out.print(
            f"Judged {rows:,} rows of {source} by {loaded.name!r} for {_article(by)} {by} "
            f"in {seconds:.2f} s{written}."
        )
        out.print(", ".join(f"{verdict.name.lower()} {n:,}" for verdict, n in counts.items()))
    worst = max((v for v, c in counts.items() if c), default=Verdict.COMPLIANT)
    if _fails(worst, fail_on):
        ctx.exit(EXIT_FAILED)
