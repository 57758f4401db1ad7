"""`stool evaluate`: measure a model against a table's survey answers.

From the shell: `stool evaluate surveys.csv --model fitted.toml`. From Python, click's
test runner calls the same command in-process:

    >>> import json
    >>> import numpy as np
    >>> import stool
    >>> from click.testing import CliRunner
    >>> from stool.cli import app
    >>> from stool.research import sample_answers
    >>> table = {"wait_time_s": np.random.default_rng(2).exponential(3600.0, 300)}
    >>> table["csat"] = sample_answers(None, table, seed=3)
    >>> stool.write_table(table, "answers.csv")
    >>> result = CliRunner().invoke(app, ["evaluate", "answers.csv", "--n-boot", "100", "--json"])
    >>> result.exit_code, sorted(json.loads(result.stdout)["metrics"])[:2]
    (0, ['auc', 'base_rate'])
"""

from __future__ import annotations

import click

from stool.cli._common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_STATUS,
    Clock,
    console,
    emit_json,
    load_model_file,
)
from stool.cli._research import (
    answers_options,
    at_chance,
    drivers_json,
    metrics_json,
    print_drivers,
    print_metrics,
    read_answers,
    target_option,
)

__all__ = ["command"]


@click.command(name="evaluate", epilog=EXIT_STATUS)
@click.argument("source", metavar="IN", type=click.Path(dir_okay=False))
@click.option(
    "--model",
    metavar="MODEL",
    type=click.Path(exists=True, dir_okay=False),
    help="A model file (read with stool.load_model); the default model otherwise.",
)
@target_option
@answers_options
def command(
    *,
    source: str,
    model: str | None,
    target: str,
    low: int,
    n_boot: int,
    seed: int,
    absent: str,
    extra_columns: str,
    input_format: str | None,
    fail_at_chance: bool,
    as_json: bool,
) -> int:
    """Measure how a model's customer leg predicts the survey answers of a table.

    IN is a CSV, Parquet or JSON Lines file whose columns are Interaction fields and a
    column of answers from 1 to 5 (--target). Prints every metric with its bootstrap
    95% interval and chance level, and the drivers of the customer leg. A metric the
    data cannot give (an AUC without low answers) says why instead of a number. With
    --fail-at-chance the exit status is 1 when the model tells answers apart no better
    than chance.

    \b
    Examples:
      stool evaluate surveys.csv
      stool evaluate surveys.csv --model fitted.toml
      stool evaluate export.parquet --target review_score --extra-columns ignore --json
      stool evaluate holdout.csv --model fitted.toml --fail-at-chance
    """
    from stool.research import evaluate  # noqa: PLC0415 - numpy and scipy load here

    chosen = load_model_file(model) if model is not None else None
    clock = Clock()
    table = read_answers(source, target=target, input_format=input_format)
    result = evaluate(
        chosen,
        table,
        target=target,
        low=low,
        n_boot=n_boot,
        seed=seed,
        absent=absent,  # type: ignore[arg-type]
        extra_columns=extra_columns,  # type: ignore[arg-type]
    )
    seconds = clock.seconds()
    failed = fail_at_chance and at_chance(result.metrics)
    if as_json:
        emit_json(
            {
                "input": source,
                "model": model,
                "rows": result.rows,
                "metrics": metrics_json(result.metrics),
                "drivers": drivers_json(result.drivers),
                "coverage": dict(result.coverage),
                "at_chance": at_chance(result.metrics),
                "seconds": round(seconds, 3),
            }
        )
        return EXIT_FAILED if failed else EXIT_OK
    out = console()
    which = model if model is not None else "the default model"
    out.print(f"Evaluated {which} on {result.rows:,} answers of {source} in {seconds:.1f} s.")
    print_metrics(out, result.metrics)
    print_drivers(out, result.drivers)
    if failed:
        out.print("The model tells answers apart no better than chance.")
    return EXIT_FAILED if failed else EXIT_OK
