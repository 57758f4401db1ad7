"""`stool score`: score a table file of interactions, chunk by chunk.

From the shell: `stool score calls.csv -o scored.parquet`. From Python, click's test
runner calls the same command in-process:

    >>> import json, stool
    >>> from click.testing import CliRunner
    >>> from stool.cli import app
    >>> stool.write_table({"fulfilment": [1.0, 0.5], "breaks": [0, 1]}, "calls.csv")
    >>> result = CliRunner().invoke(app, ["score", "calls.csv", "-o", "scored.csv", "--json"])
    >>> result.exit_code, json.loads(result.stdout)["rows"]
    (0, 2)
"""

from __future__ import annotations

from typing import Any

import click

from stool.cli._common import (
    EXIT_STATUS,
    Clock,
    chunk_size_option,
    console,
    emit_json,
    format_option,
    json_option,
    load_model_file,
    output_format_option,
    progress_option,
)
from stool.cli._stream import output_format as format_to_write
from stool.cli._stream import stream
from stool.errors import TableError

__all__ = ["command"]

_LEGS = ("customer", "company", "agent")


def _field_types(columns: list[str]) -> dict[str, str]:
    """The types to read each column as: Interaction fields by their kind, others as text.

    Text passes ids and notes through exactly as written; a field of whole numbers is read
    as float64 so that a `1.0` written by pandas is accepted (and checked to be whole).
    """
    from stool.interaction import FIELD_SPECS  # noqa: PLC0415 - the data model, on first use

    kinds = {"real": "float64", "int": "float64", "bool": "bool", "enum": "string", "str": "string"}
    types: dict[str, str] = {}
    for name in columns:
        spec = FIELD_SPECS.get(name)
        types[name] = "string" if spec is None else kinds[spec.kind]
    return types


def _check_columns(source: str, columns: list[str], *, extra: str, keep_input: bool) -> None:
    import difflib  # noqa: PLC0415 - only to word an error

    from stool.batch import OUTPUT_COLUMNS  # noqa: PLC0415 - the batch engine, on first use
    from stool.interaction import FIELD_SPECS  # noqa: PLC0415 - the data model, on first use

    if extra == "error":
        for name in columns:
            if name not in FIELD_SPECS:
                close = difflib.get_close_matches(name, FIELD_SPECS, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise TableError(
                    source,
                    f"not an Interaction field{hint}; pass --extra-columns ignore to let "
                    "other columns (ids, notes) through",
                    column=name,
                )
    if keep_input:
        for name in columns:
            if name in OUTPUT_COLUMNS:
                raise TableError(
                    source,
                    "a name that is not one of the score columns "
                    f"({', '.join(OUTPUT_COLUMNS)}); rename it, or pass --results-only",
                    column=name,
                )


class _Summary:
    def __init__(self) -> None:
        self.rows = 0
        self.at_risk = dict.fromkeys(_LEGS, 0)
        self.any_at_risk = 0
        self.collapsed = 0
        self.types: dict[str, int] = {}

    def add(self, scores: Any) -> None:
        import pyarrow.compute as pc  # noqa: PLC0415 - an optional extra

        self.rows += scores.num_rows
        flags = [scores.column(f"{leg}_at_risk") for leg in _LEGS]
        for leg, flag in zip(_LEGS, flags, strict=True):
            self.at_risk[leg] += int(pc.sum(flag).as_py() or 0)
        anyone = pc.or_(pc.or_(flags[0], flags[1]), flags[2])
        self.any_at_risk += int(pc.sum(anyone).as_py() or 0)
        self.collapsed += int(pc.sum(scores.column("collapsed")).as_py() or 0)
        counts = pc.value_counts(
            scores.column("customer_type").combine_chunks().dictionary_decode()
        )
        for item in counts.to_pylist():
            name = item["values"] or "UNKNOWN"  # null: an input the type needs not observed
            self.types[name] = self.types.get(name, 0) + item["counts"]


@click.command(name="score", epilog=EXIT_STATUS)
@click.argument("source", metavar="IN", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    metavar="OUT",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write the scored rows here (same or another format); '-' for standard output.",
)
@click.option(
    "--model",
    metavar="MODEL",
    type=click.Path(exists=True, dir_okay=False),
    help="A model file (read with stool.load_model); the default model otherwise.",
)
@chunk_size_option
@format_option
@output_format_option
@click.option(
    "--extra-columns",
    type=click.Choice(["error", "ignore"]),
    default="error",
    show_default=True,
    help="Whether a column that is not an Interaction field is an error or passed through.",
)
@click.option(
    "--results-only",
    is_flag=True,
    help="Write only the score columns, not the input's columns before them.",
)
@click.option(
    "--reasons",
    is_flag=True,
    help="Add customer_reason, company_reason and agent_reason: each at-risk leg's top reason.",
)
@click.option(
    "--blank",
    type=click.Choice(["unknown", "error"]),
    default="unknown",
    show_default=True,
    help="A blank cell of an unknowable field (fulfilment, empathy, ...): not observed, or an "
    "error.",
)
@click.option(
    "--dask",
    "scheduler",
    metavar="SCHEDULER",
    help="Score on a Dask cluster: its scheduler's address (tcp://host:8786), or 'local' for "
    "a cluster of worker processes on this machine. The workers read IN themselves.",
)
@progress_option
@json_option
def command(
    *,
    source: str,
    output: str | None,
    model: str | None,
    chunk_size: int,
    input_format: str | None,
    output_format: str | None,
    extra_columns: str,
    results_only: bool,
    reasons: bool,
    blank: str,
    scheduler: str | None,
    progress: bool | None,
    as_json: bool,
) -> None:
    """Score every row of a table file of interactions.

    IN is a CSV, Parquet or JSON Lines file whose columns are Interaction fields
    (fulfilment, professionalism, channel, ...). It is read, scored and written CHUNK-SIZE
    rows at a time, so memory stays flat whatever the file's size. The output has the
    input's columns followed by the scores: customer, company, agent (0 to 1), the
    three at-risk flags, collapsed, customer_type and predicted_csat. A summary follows:
    rows, legs at risk, stools collapsed, time.

    \b
    Examples:
      stool score calls.csv
      stool score calls.csv -o scored.parquet
      stool score calls.jsonl -o - --output-format csv | head
      stool score export.csv -o scored.csv --extra-columns ignore --chunk-size 100000
      stool score calls.parquet --json
      stool score calls.csv -o scored.csv --reasons
      stool score big.parquet -o scored.parquet --dask tcp://scheduler:8786
    """
    from stool.batch import score_batch  # noqa: PLC0415 - numpy and pyarrow load here
    from stool.tables import table_columns, table_format  # noqa: PLC0415 - pyarrow loads here

    if as_json and output == "-":
        msg = "--json and -o - both print to standard output; choose one"
        raise click.UsageError(msg)
    fmt = table_format(source, format=input_format)
    out_fmt = format_to_write(output, output_format)
    columns = table_columns(source, format=fmt)
    keep_input = not results_only
    _check_columns(source, columns, extra=extra_columns, keep_input=keep_input)
    chosen = load_model_file(model) if model is not None else None
    summary = _Summary()
    clock = Clock()

    options: dict[str, Any] = {"extra_columns": extra_columns, "blank": blank, "reasons": reasons}

    def process(chunk: Any) -> Any:
        return score_batch(chunk, chosen, **options)

    if scheduler is not None:
        from stool.cli._dask import score_on_dask  # noqa: PLC0415 - Dask loads only here

        score_on_dask(
            source,
            scheduler=scheduler,
            input_format=fmt,
            output=output,
            output_format=out_fmt,
            types=_field_types(columns),
            score=lambda frame: score_batch(frame, chosen, **options),
            keep_input=keep_input,
            tally=summary.add,
        )
    else:
        stream(
            source,
            input_format=fmt,
            output=output,
            output_format=out_fmt,
            chunk_size=chunk_size,
            types=_field_types(columns) if fmt != "parquet" else {},
            process=process,
            keep_input=keep_input,
            show_progress=progress,
            what="scoring",
            tally=summary.add,
        )
    seconds = clock.seconds()
    if as_json:
        emit_json(
            {
                "input": source,
                "output": output,
                "rows": summary.rows,
                "at_risk": summary.at_risk,
                "any_at_risk": summary.any_at_risk,
                "collapsed": summary.collapsed,
                "customer_types": dict(sorted(summary.types.items())),
                "seconds": round(seconds, 3),
            }
        )
        return
    _print_summary(summary, source, output, seconds)


def _print_summary(summary: _Summary, source: str, output: str | None, seconds: float) -> None:
    from rich import box  # noqa: PLC0415 - Rich loads only when a command prints
    from rich.table import Table  # noqa: PLC0415 - Rich loads only when a command prints

    out = console(stderr=output == "-")
    rows = summary.rows

    def share(count: int) -> tuple[str, str]:
        return f"{count:,}", f"{count / rows:.1%}" if rows else "-"

    rate = f", {rows / seconds:,.0f} rows/s" if seconds > 0 and rows else ""
    written = f"; wrote {output}" if output not in (None, "-") else ""
    out.print(f"Scored {rows:,} rows of {source} in {seconds:.2f} s{rate}{written}.")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("")
    table.add_column("rows", justify="right")
    table.add_column("share", justify="right")
    for leg in _LEGS:
        table.add_row(f"{leg} leg at risk", *share(summary.at_risk[leg]))
    table.add_row("any leg at risk", *share(summary.any_at_risk))
    table.add_row("collapsed", *share(summary.collapsed), end_section=True)
    for name, count in sorted(summary.types.items()):
        table.add_row(name.lower().replace("_", " "), *share(count))
    out.print(table)
