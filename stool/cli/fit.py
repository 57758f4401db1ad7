"""`stool fit`: fit the customer leg and its calibration to a table's survey answers.

From the shell: `stool fit surveys.csv --target csat -o fitted.toml`. From Python,
click's test runner calls the same command in-process:

    >>> import json
    >>> import numpy as np
    >>> import stool
    >>> from click.testing import CliRunner
    >>> from stool.cli import app
    >>> from stool.research import sample_answers
    >>> rng = np.random.default_rng(0)
    >>> table = {"fulfilment": rng.choice([0.0, 1.0], 300)}
    >>> table["wait_time_s"] = rng.exponential(900.0, 300)
    >>> table["csat"] = sample_answers(None, table, seed=1)
    >>> stool.write_table(table, "surveys.csv")
    >>> result = CliRunner().invoke(
    ...     app, ["fit", "surveys.csv", "-o", "fitted.toml", "--n-boot", "100", "--json"]
    ... )
    >>> result.exit_code, json.loads(result.stdout)["output"]
    (0, 'fitted.toml')
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
    print_unidentified,
    read_answers,
    target_option,
)

__all__ = ["command"]


@click.command(name="fit", epilog=EXIT_STATUS)
@click.argument("source", metavar="IN", type=click.Path(dir_okay=False))
@target_option
@click.option(
    "-o",
    "--output",
    metavar="MODEL",
    type=click.Path(dir_okay=False),
    help="Save the fitted model here (.toml or .json, read back with stool.load_model).",
)
@click.option(
    "--model",
    metavar="START",
    type=click.Path(exists=True, dir_okay=False),
    help="A model file to start from; the default model otherwise.",
)
@click.option(
    "--params",
    metavar="NAMES",
    help="Comma-separated parameters to fit (customer.effort_weight, calibration.slope, "
    "...); all of the customer leg and the calibration by default.",
)
@click.option(
    "--cv",
    type=int,
    default=5,
    show_default=True,
    help="Cross-validation folds; 0 for in-sample metrics only.",
)
@click.option(
    "--risk-ratio",
    type=float,
    default=2.0,
    show_default=True,
    help="Flag the customer leg where a low answer is this many times the base rate.",
)
@answers_options
def command(
    *,
    source: str,
    target: str,
    output: str | None,
    model: str | None,
    params: str | None,
    cv: int,
    risk_ratio: float,
    low: int,
    n_boot: int,
    seed: int,
    absent: str,
    extra_columns: str,
    input_format: str | None,
    fail_at_chance: bool,
    as_json: bool,
) -> int:
    """Fit the customer leg and its calibration to the survey answers of a table.

    IN is a CSV, Parquet or JSON Lines file whose columns are Interaction fields and a
    column of answers from 1 to 5 (--target). The fit maximises the likelihood of the
    answers, cross-validated (--cv folds), and prints the metrics with their 95%
    intervals, the drivers and the parameters the data could not identify. With -o the
    fitted model is saved as a file that `stool score --model` reads. Exit status 1
    means the optimiser did not converge, or (with --fail-at-chance) that the fitted
    model tells answers apart no better than chance.

    \b
    Examples:
      stool fit surveys.csv -o fitted.toml
      stool fit export.parquet --target review_score --extra-columns ignore -o fitted.json
      stool fit surveys.csv --params customer.effort_weight,calibration.slope --cv 10
      stool fit surveys.csv --json --fail-at-chance
    """
    from stool.modelfile import save_model  # noqa: PLC0415 - loads with the command
    from stool.research import fit  # noqa: PLC0415 - numpy and scipy load here

    if cv < 0 or cv == 1:
        msg = f"--cv {cv}: use 0 for no cross-validation, or 2 folds or more"
        raise click.UsageError(msg)
    start = load_model_file(model) if model is not None else None
    names = [name.strip() for name in params.split(",")] if params is not None else None
    clock = Clock()
    table = read_answers(source, target=target, input_format=input_format)
    result = fit(
        table,
        target=target,
        model=start,
        params=names,
        low=low,
        cv=cv or None,
        seed=seed,
        risk_ratio=risk_ratio,
        n_boot=n_boot,
        absent=absent,  # type: ignore[arg-type]
        extra_columns=extra_columns,  # type: ignore[arg-type]
    )
    if output is not None:
        save_model(result.model, output)
    seconds = clock.seconds()
    failed = not result.converged or (fail_at_chance and at_chance(result.metrics))
    if as_json:
        emit_json(
            {
                "input": source,
                "output": output,
                "rows": result.rows,
                "cv": result.cv,
                "converged": result.converged,
                "log_likelihood": result.log_likelihood,
                "metrics": metrics_json(result.metrics),
                "drivers": drivers_json(result.drivers),
                "params": {
                    p.name: {
                        "start": p.start,
                        "fitted": p.fitted,
                        "identified": p.identified,
                        "reason": p.reason,
                        "at_bound": p.at_bound,
                    }
                    for p in result.params
                },
                "notes": list(result.notes),
                "at_chance": at_chance(result.metrics),
                "seconds": round(seconds, 3),
            }
        )
        return EXIT_FAILED if failed else EXIT_OK
    out = console()
    folds = f"{result.cv}-fold cross-validated" if result.cv else "in sample"
    saved = f"; saved {output}" if output is not None else ""
    out.print(
        f"Fitted {result.rows:,} answers of {source} in {seconds:.1f} s: log-likelihood "
        f"{result.log_likelihood:,.1f} (start {result.start_log_likelihood:,.1f}){saved}."
    )
    out.print(f"Metrics, {folds}:")
    print_metrics(out, result.metrics)
    print_drivers(out, result.drivers)
    print_unidentified(out, result.params)
    for note in result.notes:
        out.print(f"Note: {note}")
    if fail_at_chance and at_chance(result.metrics):
        out.print("The fitted model tells answers apart no better than chance.")
    return EXIT_FAILED if failed else EXIT_OK
