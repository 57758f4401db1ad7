"""What `stool fit` and `stool evaluate` share: reading a table of answers, printing metrics."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Final, TypeVar

import click

from stool.cli._common import _option, format_option, json_option

if TYPE_CHECKING:
    from collections.abc import Callable

    from stool.research import Drivers, Metrics, Parameters

__all__ = [
    "answers_options",
    "at_chance",
    "drivers_json",
    "metrics_json",
    "print_drivers",
    "print_metrics",
    "print_unidentified",
    "read_answers",
    "target_option",
]

_SIGNAL: Final = ("auc", "spearman")
"""The metrics `--fail-at-chance` looks at: does the model tell answers apart at all?"""

target_option = _option(
    "--target",
    default="csat",
    show_default=True,
    help="The column of survey answers: whole numbers from 1 to 5, one in every row.",
)
low_option = _option(
    "--low",
    type=click.IntRange(1, 4),
    default=2,
    show_default=True,
    help="Answers at or below this count as low.",
)
n_boot_option = _option(
    "--n-boot",
    type=int,
    default=1000,
    show_default=True,
    help="Bootstrap resamples for the 95% intervals (0 for none).",
)
seed_option = _option("--seed", type=int, default=0, show_default=True, help="Seeds the resamples.")
absent_option = _option(
    "--absent",
    type=click.Choice(["unknown", "default"]),
    default="unknown",
    show_default=True,
    help="A missing column of a field operational data often lacks: not observed, or its default.",
)
extra_columns_option = _option(
    "--extra-columns",
    type=click.Choice(["error", "ignore"]),
    default="error",
    show_default=True,
    help="Whether a column that is neither an Interaction field nor the target is an error.",
)
fail_at_chance_option = _option(
    "--fail-at-chance",
    is_flag=True,
    help="Exit with status 1 when the AUC and Spearman intervals both include chance.",
)
_ANSWERS_OPTIONS: Final = (
    low_option,
    n_boot_option,
    seed_option,
    absent_option,
    extra_columns_option,
    format_option,
    fail_at_chance_option,
    json_option,
)


_F = TypeVar("_F", bound="Callable[..., Any]")


def answers_options(command: _F) -> _F:
    """The options `stool fit` and `stool evaluate` share after their own, in this order.

    `--low`, `--n-boot`, `--seed`, `--absent`, `--extra-columns`, `--format`,
    `--fail-at-chance` and `--json`.
    """
    for option in reversed(_ANSWERS_OPTIONS):
        command = option(command)
    return command


def read_answers(source: str, *, target: str, input_format: str | None) -> Any:
    """Read a table file whose columns are Interaction fields and the target."""
    from stool.cli.score import _field_types  # noqa: PLC0415 - one rule for column types
    from stool.tables import read_table, table_columns, table_format  # noqa: PLC0415

    fmt = table_format(source, format=input_format)
    columns = table_columns(source, format=fmt)
    types = {} if fmt == "parquet" else _field_types(columns)
    if target in types:
        types[target] = "float64"
    return read_table(source, format=fmt, types=types)


def _number(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "-"
    return f"{value:.3f}"


def print_metrics(out: Any, metrics: Metrics) -> None:
    """Print the metrics as a Rich table."""
    from rich import box  # noqa: PLC0415 - Rich loads only when a command prints
    from rich.table import Table  # noqa: PLC0415

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for name, justify in (
        ("metric", "left"),
        ("value", "right"),
        ("95% interval", "right"),
        ("chance", "right"),
        ("note", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for metric in metrics:
        interval = (
            "-"
            if metric.low is None or metric.high is None
            else f"[{_number(metric.low)}, {_number(metric.high)}]"
        )
        table.add_row(
            metric.name, _number(metric.value), interval, _number(metric.chance), metric.note
        )
    out.print(table)


def print_drivers(out: Any, drivers: Drivers) -> None:
    """Print the key-driver table (largest share of variation first) with Rich."""
    from rich import box  # noqa: PLC0415 - Rich loads only when a command prints
    from rich.table import Table  # noqa: PLC0415

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="Drivers of the customer leg")
    for name in ("factor", "weight", "coverage", "share of leg", "share of variation"):
        table.add_column(name, justify="left" if name == "factor" else "right")
    ranked = sorted(
        drivers,
        key=lambda d: -math.inf if d.variation_share is None else d.variation_share,
        reverse=True,
    )
    for d in ranked:
        table.add_row(
            d.factor,
            _number(d.weight),
            _number(d.coverage),
            _number(d.leg_share),
            _number(d.variation_share),
        )
    out.print(table)


def print_unidentified(out: Any, params: Parameters) -> None:
    """Print the parameters the data could not identify, with why, as a Rich table."""
    from rich import box  # noqa: PLC0415 - Rich loads only when a command prints
    from rich.table import Table  # noqa: PLC0415

    unidentified = params.unidentified
    if not unidentified:
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="Not identified: left at their start")
    table.add_column("parameter")
    table.add_column("start", justify="right")
    table.add_column("why")
    for p in unidentified:
        table.add_row(p.name, f"{p.start:.6g}", p.reason)
    out.print(table)


def _plain(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


def metrics_json(metrics: Metrics) -> dict[str, Any]:
    """The metrics as JSON-ready data, by name."""
    return {
        m.name: {
            "value": _plain(m.value),
            "low": _plain(m.low),
            "high": _plain(m.high),
            "chance": _plain(m.chance),
            "note": m.note,
        }
        for m in metrics
    }


def drivers_json(drivers: Drivers) -> dict[str, Any]:
    """The drivers as JSON-ready data, by factor."""
    return {
        d.factor: {
            "weight": d.weight,
            "coverage": d.coverage,
            "leg_share": _plain(d.leg_share),
            "variation_share": _plain(d.variation_share),
            "variation_share_low": _plain(d.variation_share_low),
            "variation_share_high": _plain(d.variation_share_high),
        }
        for d in drivers
    }


def at_chance(metrics: Metrics) -> bool:
    """Whether every available signal metric's interval includes its chance level."""
    for name in _SIGNAL:
        metric = metrics[name]
        if metric.chance is None or not metric.available:
            continue
        if metric.low is None or not metric.includes(metric.chance):
            return False
    return True
