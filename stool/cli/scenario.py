"""`stool scenario`: list the canned role-plays and play one, move by move.

From the shell: `stool scenario run gym_cancellation`. From Python, in-process:

    >>> import json
    >>> from click.testing import CliRunner
    >>> from stool.cli import app
    >>> result = CliRunner().invoke(app, ["scenario", "list", "--json"])
    >>> "gym_cancellation" in [entry["name"] for entry in json.loads(result.stdout)]
    True
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

import click

from stool.cli._common import EXIT_STATUS, console, emit_json, json_option, load_model_file
from stool.enums import Leg

if TYPE_CHECKING:
    from collections.abc import Callable

    from stool.scenario import Scenario, Timeline

__all__ = ["command"]

_STYLES = {"ok": "green", "at risk": "yellow", "collapsed": "bold red"}
_TRUE = ("true", "yes", "1", "on")
_FALSE = ("false", "no", "0", "off")


def _catalogue() -> dict[str, Callable[..., Scenario]]:
    """The canned scenarios: every function of stool.scenarios, by name."""
    from stool import scenarios  # noqa: PLC0415 - the scenarios load on first use

    found: dict[str, Callable[..., Scenario]] = {}
    for name in scenarios.__all__:
        value = getattr(scenarios, name)
        if inspect.isfunction(value):
            found[name] = value
    return found


def _summary(function: Callable[..., Any]) -> str:
    return (inspect.getdoc(function) or "").partition("\n")[0]


def _parameters(function: Callable[..., Any]) -> list[inspect.Parameter]:
    return list(inspect.signature(function, eval_str=True).parameters.values())


def _signature(function: Callable[..., Any]) -> str:
    parts = []
    for parameter in _parameters(function):
        kind = getattr(parameter.annotation, "__name__", str(parameter.annotation))
        parts.append(f"{parameter.name}={kind}")
    return " ".join(parts)


@click.group(name="scenario", epilog=EXIT_STATUS)
def command() -> None:
    """List the canned role-plays from the source stories, and play one.

    \b
    Examples:
      stool scenario list
      stool scenario run furniture_delivery
      stool scenario run wrong_address_email --set honest=false --explain
    """


@command.command(name="list", epilog=EXIT_STATUS)
@json_option
def _list(*, as_json: bool) -> None:
    """List the canned scenarios, with what each retells and the settings it takes.

    \b
    Examples:
      stool scenario list
      stool scenario list --json
    """
    catalogue = _catalogue()
    if as_json:
        emit_json(
            [
                {
                    "name": name,
                    "summary": _summary(function),
                    "settings": {
                        p.name: getattr(p.annotation, "__name__", str(p.annotation))
                        for p in _parameters(function)
                    },
                }
                for name, function in catalogue.items()
            ]
        )
        return
    from rich.table import Table  # noqa: PLC0415 - Rich loads only when a command prints

    table = Table(box=None, pad_edge=False)
    table.add_column("name", style="bold", no_wrap=True)
    table.add_column("story")
    table.add_column("settings (--set)", no_wrap=True)
    for name, function in catalogue.items():
        table.add_row(name, _summary(function), _signature(function))
    console().print(table)


def _value(name: str, text: str, annotation: Any) -> Any:
    if annotation is bool:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        msg = f"--set {name}={text}: {name} is true or false"
        raise click.UsageError(msg)
    if annotation in (int, float):
        try:
            return annotation(text)
        except ValueError:
            msg = f"--set {name}={text}: {name} is a number"
            raise click.UsageError(msg) from None
    return text


def _arguments(
    name: str, function: Callable[..., Any], settings: tuple[str, ...]
) -> dict[str, Any]:
    parameters = {p.name: p for p in _parameters(function)}
    given: dict[str, Any] = {}
    for setting in settings:
        key, equals, text = setting.partition("=")
        if not equals:
            msg = f"--set {setting}: write NAME=VALUE"
            raise click.UsageError(msg)
        if key not in parameters:
            allowed = ", ".join(parameters) or "none"
            msg = f"--set {setting}: {name} has no setting {key!r} (its settings: {allowed})"
            raise click.UsageError(msg)
        given[key] = _value(key, text, parameters[key].annotation)
    missing = [
        p
        for p in parameters.values()
        if p.default is inspect.Parameter.empty and p.name not in given
    ]
    if missing:
        needed = " ".join(f"--set {p.name}=..." for p in missing)
        msg = f"{name} needs {needed}"
        raise click.UsageError(msg)
    return given


def _cell(timeline: Timeline, score: Any, leg: Leg) -> Any:
    from rich.text import Text  # noqa: PLC0415 - Rich loads only when a command prints

    state = timeline.leg_state(score, leg)
    value = f"{score.leg(leg).value:.2f}"
    return Text(value if state == "ok" else f"{value} {state}", style=_STYLES[state])


def _verdict(step: Any) -> str:
    verdict = step.verdict
    if verdict is None:
        return ""
    requires = step.decision.requires if step.decision is not None else None
    name: str = verdict.name
    if requires is not None and name == "BROKEN":
        return f"{name} ({requires.name.lower()} may approve)"
    return name


@command.command(name="run", epilog=EXIT_STATUS)
@click.argument("name", metavar="NAME")
@click.option(
    "--set",
    "settings",
    metavar="NAME=VALUE",
    multiple=True,
    help="A setting of the scenario (see `stool scenario list`); repeatable.",
)
@click.option(
    "--model",
    metavar="MODEL",
    type=click.Path(exists=True, dir_okay=False),
    help="A model file (read with stool.load_model); the default model otherwise.",
)
@click.option("--explain", is_flag=True, help="Also explain the final score, leg by leg.")
@json_option
def _run(
    *, name: str, settings: tuple[str, ...], model: str | None, explain: bool, as_json: bool
) -> None:
    """Play a canned scenario and show the three legs after every move.

    Prints one row per move: the move, the policy verdict on it, each leg's value (and
    whether it is at risk or collapsed) and the customer type. --json prints the whole
    timeline (stool.unstructure), scores and decisions included.

    \b
    Examples:
      stool scenario run gym_cancellation
      stool scenario run abusive_caller --explain
      stool scenario run wrong_address_email --set honest=false --json
    """
    import stool  # noqa: PLC0415 - the package is imported already; this names it

    catalogue = _catalogue()
    function = catalogue.get(name)
    if function is None:
        import difflib  # noqa: PLC0415 - only to word an error

        close = difflib.get_close_matches(name, catalogue, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        msg = f"no scenario {name!r}; {hint}see `stool scenario list`"
        raise click.UsageError(msg)
    scenario = function(**_arguments(name, function, settings))
    timeline = scenario.run(load_model_file(model) if model is not None else None)
    if as_json:
        emit_json(stool.unstructure(timeline))
        return
    from rich import box  # noqa: PLC0415 - Rich loads only when a command prints
    from rich.table import Table  # noqa: PLC0415 - Rich loads only when a command prints

    legs = (Leg.CUSTOMER, Leg.COMPANY, Leg.AGENT)
    channel = scenario.channel.name.lower()
    table = Table(
        title=f"{scenario.title or name} ({channel}, {len(timeline)} moves)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("#", justify="right")
    table.add_column("move")
    table.add_column("decision")
    for leg in legs:
        table.add_column(leg.value, no_wrap=True)
    table.add_column("customer type", no_wrap=True)

    def row(number: str, label: str, verdict: str, score: Any) -> None:
        kind = (
            "unknown"
            if score.customer_type is None
            else score.customer_type.name.lower().replace("_", " ")
        )
        table.add_row(number, label, verdict, *(_cell(timeline, score, leg) for leg in legs), kind)

    row("", "(start)", "", timeline.start_score)
    for number, step in enumerate(timeline, start=1):
        row(str(number), step.describe(), _verdict(step), step.score)
    out = console()
    out.print(table)
    final = timeline.final.explain()
    out.print(final if explain else final.partition("\n")[0])
