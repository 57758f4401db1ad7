"""`stool scenario`: list the canned role-plays, run one, or play one move by move.

From the shell: `stool scenario run gym_cancellation`, or `stool scenario play
lesson.toml` to play a scenario file at the terminal, choosing each move at a prompt.
From Python, in-process:

    >>> import json
    >>> from click.testing import CliRunner
    >>> from stool.cli import app
    >>> result = CliRunner().invoke(app, ["scenario", "list", "--json"])
    >>> "gym_cancellation" in [entry["name"] for entry in json.loads(result.stdout)]
    True
"""

from __future__ import annotations

import inspect
import sys
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape

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
    """List the canned role-plays from the source stories, run one, or play one.

    \b
    Examples:
      stool scenario list
      stool scenario run furniture_delivery
      stool scenario run lesson.toml
      stool scenario run wrong_address_email --set honest=false --explain
      stool scenario play lesson.toml
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


_FILE_SUFFIXES = (".toml", ".json", ".yaml", ".yml")


def _scenario(name: str, settings: tuple[str, ...] = ()) -> Scenario:
    """The scenario NAME stands for: a scenario file, or a canned scenario with its settings."""
    if name.lower().endswith(_FILE_SUFFIXES):
        if settings:
            msg = f"--set applies to canned scenarios; {name} is a file"
            raise click.UsageError(msg)
        import stool  # noqa: PLC0415 - loaded on first use, to keep import stool light

        return stool.load_scenario(name)
    catalogue = _catalogue()
    function = catalogue.get(name)
    if function is None:
        import difflib  # noqa: PLC0415 - only to word an error

        close = difflib.get_close_matches(name, catalogue, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        msg = f"no scenario {name!r}; {hint}see `stool scenario list`, or name a scenario file"
        raise click.UsageError(msg)
    return function(**_arguments(name, function, settings))


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
@click.argument("name", metavar="NAME|FILE")
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
    """Play a canned scenario or a scenario file and show the three legs after every move.

    NAME is a canned scenario (see `stool scenario list`) or a scenario file
    (.toml, .json, .yaml). Prints one row per move: the move, the policy verdict on
    it, each leg's value (and whether it is at risk or collapsed) and the customer
    type. --json prints the whole
    timeline (stool.unstructure), scores and decisions included.

    \b
    Examples:
      stool scenario run gym_cancellation
      stool scenario run lesson.toml
      stool scenario run abusive_caller --explain
      stool scenario run wrong_address_email --set honest=false --json
    """
    import stool  # noqa: PLC0415 - the package is imported already; this names it

    scenario = _scenario(name, settings)
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


# ------------------------------------------------------------------------------------ play


def _stool_table(timeline: Timeline) -> Any:
    from rich.table import Table  # noqa: PLC0415 - Rich loads only when a command prints

    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column("leg", style="bold")
    table.add_column("value", no_wrap=True)
    table.add_column("bar", no_wrap=True)
    for leg in (Leg.CUSTOMER, Leg.COMPANY, Leg.AGENT):
        score = timeline.final
        value = score.leg(leg).value
        filled = round(value * 20)
        state = timeline.leg_state(score, leg)
        bar = "#" * filled + "." * (20 - filled)
        table.add_row(leg.value, _cell(timeline, score, leg), f"[{_STYLES[state]}]{bar}[/]")
    return table


def _show_state(out: Any, session: Any) -> None:
    timeline = session.timeline
    out.print()
    played = len(session.choices[-1].moves) if session.choices else 0
    first = len(timeline) - played + 1
    for number, step in enumerate(timeline.steps[first - 1 :], start=first):
        verdict = _verdict(step)
        out.print(
            f"[bold]Move {number}:[/] {escape(step.describe())}"
            + (f"  [bold]{verdict}[/]" if verdict else "")
        )
        if step.decision is not None:
            out.print(escape(step.decision.explain().partition("\n")[0]))
    if not played:
        out.print("[bold]The contact opens.[/]" if not timeline.steps else "[bold]Back to:[/]")
    out.print(_stool_table(timeline))
    out.print(escape(timeline.final.explain().partition("\n")[0]))


def _ask(out: Any, text: str, choices: list[str], default: str) -> str | None:
    from rich.prompt import Prompt  # noqa: PLC0415 - loaded on first use, to keep import stool light

    try:
        answer = Prompt.ask(text, console=out, choices=choices, default=default, show_choices=False)
    except EOFError:
        out.print()
        return None
    if not sys.stdin.isatty():
        # Piped answers are not echoed by a terminal: echo them, so the transcript reads.
        out.print(escape(answer), highlight=False)
    return answer


def _pick_from_palette(out: Any, session: Any) -> str | None:
    names = list(session.palette)
    for number, name in enumerate(names, start=1):
        out.print(f"  {number:>2}. {escape(name)}")
    picked = _ask(out, "Which move?", [str(n) for n in range(1, len(names) + 1)], "1")
    return None if picked is None else names[int(picked) - 1]


@command.command(name="play", epilog=EXIT_STATUS)
@click.argument("name", metavar="FILE|NAME")
@click.option(
    "--model",
    metavar="MODEL",
    type=click.Path(exists=True, dir_okay=False),
    help="A model file (read with stool.load_model); the default model otherwise.",
)
@click.option(
    "--at",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="How many of the scenario's own moves are already played when you start.",
)
@click.option(
    "--against",
    metavar="BENCHMARK",
    default="advice",
    show_default=True,
    help="What the debrief compares with: advice, scripted (the scenario's own moves), "
    "or the name of one of its branches.",
)
@click.option(
    "--html",
    "html_path",
    metavar="PAGE",
    type=click.Path(dir_okay=False, writable=True),
    help="Also write the debrief as a self-contained HTML page.",
)
def _play(*, name: str, model: str | None, at: int, against: str, html_path: str | None) -> None:
    """Play a role-play at the terminal: choose each move, see the stool, get a debrief.

    FILE is a scenario file (.toml, .json, .yaml), or NAME a canned scenario. At each
    prompt, type the number of one of the options advise weighs (best first), or
    m (any other move, from a numbered list), u (undo), b (branch: put the line
    aside and take back the last move), d (debrief so far) or q (quit). The game
    also ends when the input ends. On quitting, the debrief is printed (and written
    to --html).

    \b
    Examples:
      stool scenario play lesson.toml
      stool scenario play furniture_delivery --against scripted --html debrief.html
      printf '1\nq\n' | stool scenario play gym_cancellation
    """
    from stool.scenario import Session  # noqa: PLC0415 - loaded on first use, to keep import stool light

    scenario = _scenario(name)
    if at > len(scenario.moves):
        msg = f"--at {at}: the scenario has {len(scenario.moves)} moves"
        raise click.UsageError(msg)
    if against not in ("advice", "scripted") and against not in {b.name for b in scenario.branches}:
        names = ", ".join(["advice", "scripted", *(b.name for b in scenario.branches)])
        msg = f"--against {against}: allowed: {names}"
        raise click.UsageError(msg)
    session = Session(scenario, model=load_model_file(model) if model is not None else None, at=at)
    out = console()
    out.print(f"[bold]{escape(scenario.title or name)}[/] ({scenario.channel.name.lower()})")
    if scenario.description:
        out.print(escape(scenario.description.strip().partition("\n\n")[0]))
    while True:
        _show_state(out, session)
        options = session.options
        out.print("[bold]Next move[/] (advise weighs, best first):")
        for number, advice in enumerate(options, start=1):
            verdict = "no rule" if advice.verdict is None else advice.verdict.name
            out.print(f"  {number}. {escape(advice.option.label)} [dim]({verdict})[/]")
        out.print("  m. any other move   u. undo   b. branch   d. debrief   q. quit")
        keys = [str(n) for n in range(1, len(options) + 1)] + ["m", "u", "b", "d", "q"]
        picked = _ask(out, "Your move", keys, "1")
        if picked is None or picked == "q" or not _answer(out, session, picked, against):
            break
    review = session.debrief(_benchmark(session, against))
    out.print()
    out.print(escape(str(review)))
    if html_path is not None:
        review.to_html(html_path)
        out.print(f"Debrief written to {escape(html_path)}")


def _answer(out: Any, session: Any, picked: str, against: str) -> bool:
    """Do what the answer says; return False when the game should end (input ran out)."""
    if picked == "d":
        out.print(escape(str(session.debrief(_benchmark(session, against)))))
    elif picked in ("u", "b") and not session.choices:
        out.print("[yellow]Nothing to take back yet.[/]")
    elif picked == "u":
        session.undo()
    elif picked == "b":
        session.branch()
        out.print(f"Put aside as {escape(list(session.lines)[-1])!r}; back one move.")
    elif picked == "m":
        move = _pick_from_palette(out, session)
        if move is None:
            return False
        session.choose(move)
    else:
        session.choose(session.options[int(picked) - 1])
    return True


def _benchmark(session: Any, against: str) -> Any:
    if against == "advice":
        return None
    if against == "scripted":
        return session.scenario
    return against
