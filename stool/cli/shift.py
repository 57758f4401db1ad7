"""`stool shift`: check a shift file, and run the day it describes.

From the shell: `stool shift run monday.toml`. From Python, in-process:

    >>> import json
    >>> from pathlib import Path
    >>> from click.testing import CliRunner
    >>> from stool import Agent
    >>> from stool.cli import app
    >>> from stool.shift import Shift, save_shift
    >>> save_shift(Shift(agents=[Agent(id="rep-1"), Agent(id="rep-2")], arrivals=[20, 30]),
    ...            "short.toml")
    >>> result = CliRunner().invoke(app, ["shift", "run", "short.toml", "--json"])
    >>> result.exit_code, len(json.loads(result.stdout)["intervals"])
    (0, 2)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import attrs
import click

from stool.cli._common import EXIT_FAILED, EXIT_STATUS, Clock, console, emit_json, json_option
from stool.errors import ValidationError

if TYPE_CHECKING:
    from stool.shift import LegSummary, ShiftResult

__all__ = ["command"]

_shift_argument = click.argument(
    "shift_file", metavar="SHIFT", type=click.Path(exists=True, dir_okay=False)
)


def _plain(value: Any) -> Any:
    """A value as JSON data: NaN as null, enums by name, records as objects."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if attrs.has(type(value)):
        return {key: _plain(item) for key, item in attrs.asdict(value, recurse=False).items()}
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _leg(summary: LegSummary | None, level: float) -> Any:
    from rich.text import Text  # noqa: PLC0415 - Rich loads only when a command prints

    if summary is None:
        return ""
    text = f"{summary.mean:.2f}"
    if summary.at_risk:
        text += f" ({summary.at_risk})"
    return Text(text, style="yellow" if summary.mean < level else "green")


@click.group(name="shift", epilog=EXIT_STATUS)
def command() -> None:
    """Check shift files, and simulate the day they describe.

    A shift file (TOML or JSON) holds the agents, the calls per interval, the customer
    mix, the agents' behaviour and strain, and the company with its policy book.

    \b
    Examples:
      stool shift check monday.toml
      stool shift run monday.toml
      stool shift run monday.toml --seed 2 --json
    """


@command.command(name="check", epilog=EXIT_STATUS)
@click.argument(
    "shift_files",
    metavar="SHIFT...",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False),
)
@json_option
@click.pass_context
def _check(ctx: click.Context, *, shift_files: tuple[str, ...], as_json: bool) -> None:
    """Read shift files as `stool shift run` would, and report every problem of each.

    Exits with 1 if any file has a problem, listing all of them; nothing is simulated.

    \b
    Examples:
      stool shift check monday.toml
      stool shift check shifts/*.toml --json
    """
    from stool.shift import ShiftFileError, load_shift  # noqa: PLC0415 - on first use

    report: list[dict[str, Any]] = []
    failed = False
    for path in shift_files:
        try:
            shift = load_shift(path)
        except ShiftFileError as error:
            failed = True
            report.append({"file": path, "ok": False, "problems": [str(p) for p in error.problems]})
            continue
        report.append(
            {
                "file": path,
                "ok": True,
                "problems": [],
                "agents": len(shift.agents),
                "intervals": len(shift.arrivals),
                "calls": sum(shift.arrivals),
            }
        )
    if as_json:
        emit_json(report)
    else:
        out = console()
        for entry in report:
            if entry["ok"]:
                out.print(
                    f"{entry['file']}: ok ({entry['agents']} agents, {entry['intervals']} "
                    f"intervals, {entry['calls']:g} calls expected)",
                    highlight=False,
                )
            else:
                problems = entry["problems"]
                noun = "problem" if len(problems) == 1 else "problems"
                out.print(f"{entry['file']}: {len(problems)} {noun}", style="bold red")
                for problem in problems:
                    out.print(f"  - {problem}", highlight=False, markup=False)
    if failed:
        ctx.exit(EXIT_FAILED)


def _report(result: ShiftResult) -> dict[str, Any]:
    return {
        "shift": result.shift.name,
        "seed": result.shift.seed,
        "summary": _plain(result.summary()),
        "intervals": _plain(result.intervals),
        "agents": _plain(result.agents),
        "budgets": _plain(result.budgets()),
    }


@command.command(name="run", epilog=EXIT_STATUS)
@_shift_argument
@click.option("--seed", type=int, help="Run on this seed instead of the file's.")
@json_option
def _run(*, shift_file: str, seed: int | None, as_json: bool) -> None:
    """Simulate the day a shift file describes: the queue, every contact, the agents' strain.

    Prints one row per interval (calls, abandonment, service level, ASA, occupancy, each
    leg's mean with the contacts at risk in brackets, collapses, bends, breaks and the
    agents' fatigue), one row per agent, and the budgets on bending. --json prints the
    same figures for programs.

    \b
    Examples:
      stool shift run monday.toml
      stool shift run monday.toml --seed 7 --json
    """
    from stool.shift import load_shift  # noqa: PLC0415 - the shift loads on first use

    shift = load_shift(shift_file)
    if seed is not None:
        shift = attrs.evolve(shift, seed=seed)
    clock = Clock()
    try:
        result = shift.run()
    except ModuleNotFoundError as error:
        msg = f"stool shift run needs SimPy: pip install 'stool[sim]' ({error})"
        raise ValidationError("shift", shift_file, msg) from None
    if as_json:
        emit_json(_report(result))
        return
    _print(result, clock.seconds())


def _print(result: ShiftResult, seconds: float) -> None:
    from rich import box  # noqa: PLC0415 - Rich loads only when a command prints
    from rich.table import Table  # noqa: PLC0415

    from stool.enums import Leg  # noqa: PLC0415

    shift = result.shift
    levels = [shift.model.thresholds.at_risk_level(leg) for leg in Leg]
    summary = result.summary()
    out = console()
    table = Table(
        title=f"{shift.name}: {len(shift.agents)} agents, seed {shift.seed}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1, 0, 0),
    )
    for name in (
        "hour",
        "offered",
        "abandoned",
        f"SL {shift.service_level_s:g}s",
        "ASA s",
        "occupancy",
        "customer",
        "company",
        "agent",
        "collapsed",
        "bends",
        "breaks",
        "fatigue",
    ):
        table.add_column(name, justify="right", no_wrap=True)
    for stats in result.intervals:
        table.add_row(
            f"{stats.index * shift.interval_s / 3600:.1f}",
            str(stats.offered),
            str(stats.abandoned),
            f"{stats.service_level:.0%}",
            f"{stats.asa_s:.0f}",
            f"{stats.occupancy:.0%}",
            *(
                _leg(getattr(stats, name), level)
                for name, level in zip(("customer", "company", "agent"), levels, strict=True)
            ),
            str(stats.collapsed),
            str(stats.bends),
            str(stats.breaks),
            "" if stats.fatigue is None else f"{stats.fatigue:.2f}",
        )
    out.print(table)
    agents = Table(
        title="agents",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1, 0, 0),
    )
    for name in (
        "agent",
        "calls",
        "occ",
        "customer",
        "company",
        "agent leg",
        "abuse",
        "thanks",
        "bends",
        "breaks",
        "escal",
        "rests",
        "fatigue",
        "peak",
    ):
        agents.add_column(name, justify="left" if name == "agent" else "right", no_wrap=True)
    for day in result.agents:
        agents.add_row(
            day.agent,
            str(day.calls),
            f"{day.occupancy:.0%}",
            _leg(day.customer, levels[0]),
            _leg(day.company, levels[1]),
            _leg(day.agent_leg, levels[2]),
            str(day.abusive),
            str(day.thanked),
            str(day.bends),
            str(day.breaks),
            str(day.escalated),
            str(day.rest_breaks),
            f"{day.fatigue_end:.2f}",
            f"{day.fatigue_peak:.2f}",
        )
    out.print(agents)
    budgets = result.budgets()
    if budgets:
        spent = Table(
            title="budgets on bending", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False
        )
        for name in ("rule", "actor", "per", "bends", "limit", "refused"):
            spent.add_column(name, no_wrap=True)
        for use in budgets:
            limit = "" if use.limit is None else str(use.limit)
            spent.add_row(use.rule, use.actor, use.per, str(use.bends), limit, str(use.refused))
        out.print(spent)
    line = (
        f"{summary.offered} calls, {summary.answered} answered, {summary.abandonment:.0%} "
        f"abandoned, service level {summary.service_level:.0%}, occupancy "
        f"{summary.occupancy:.0%}"
    )
    out.print(line, highlight=False)
    if not math.isnan(summary.customer):
        out.print(
            f"legs {summary.customer:.2f} / {summary.company:.2f} / {summary.agent:.2f} "
            f"(customer / company / agent), {summary.collapsed:.1%} collapsed, "
            f"{summary.bends} bends, {summary.breaks} breaks",
            highlight=False,
        )
    out.print(f"simulated in {seconds:.1f} s", highlight=False)
