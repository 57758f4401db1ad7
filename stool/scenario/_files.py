"""Read scenario files (TOML, JSON, YAML) and point every problem at its line.

A scenario file is data, never code: the parties (or a named persona), the channel,
the opening facts, the moves by event name, the proposals the policy book judges, and
named branches. Reading reuses the policy loaders' readers and locators
([stool.policy][]); every problem found is collected, located and raised together, each
with a "did you mean" for a misspelt event, field or name.

This module reads the file and its top level; the rest is read by the modules named for
what they read: `_fileparties` (persona, customer, agent, company), `_fileplays`
(proposals, moves, branches), `_filevalues` (fields, facts, events), with the keys in
`_filekeys` and the problems collected by `_fileproblems`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stool._datafile import SUFFIXES, read_data
from stool.enums import Channel
from stool.errors import PolicyError, ValidationError
from stool.interaction import Interaction
from stool.parties import Agent, Company, Customer
from stool.scenario._fileerrors import (
    ScenarioFileError,
    ScenarioValidationError,
    from_policy_error,
)
from stool.scenario._filekeys import TOP_KEYS
from stool.scenario._fileparties import read_company, read_person, read_persona
from stool.scenario._fileplays import read_plays
from stool.scenario._fileproblems import Problems
from stool.scenario._filevalues import read_enum, read_facts
from stool.scenario._locate import Locate, toml_locator
from stool.scenario._scenario import Scenario

__all__ = [
    "ScenarioFileError",
    "ScenarioValidationError",
    "build",
    "load",
    "load_file",
    "load_scenario",
    "refuse_file_name",
]


def _top_text(data: Mapping[str, Any], key: str, problems: Problems) -> str:
    value = data.get(key, "")
    if type(value) is not str:
        problems.add((key,), "a string", value=value)
        return ""
    return value


def _header(data: Mapping[str, Any], problems: Problems) -> dict[str, Any]:
    """Read the plain keys: title, description, outcome, channel and date."""
    kwargs: dict[str, Any] = {
        key: _top_text(data, key, problems)
        for key in ("title", "description", "outcome")
        if key in data
    }
    channel = Channel.CALL
    if "channel" in data:
        channel = read_enum(Channel, data["channel"], ("channel",), problems) or Channel.CALL
    kwargs["channel"] = channel
    if "date" in data:
        date = data["date"]
        kwargs["date"] = date.isoformat() if isinstance(date, dt.date) else date
    return kwargs


def build(
    data: Any,
    *,
    file: str | None = None,
    locate: Locate | None = None,
    base: Path | None = None,
) -> Scenario:
    """Build a scenario from file data, collecting every problem first.

    Args:
        data: The parsed file: a mapping with the keys of [TOP_KEYS][].
        file: The file the data came from, for messages.
        locate: Maps a key path to its line and column in the source.
        base: The folder a policy file named in `company.policies` is read from; None
            for the current folder.

    Returns:
        The scenario.

    Raises:
        ScenarioValidationError: Listing every problem found.
    """
    problems = Problems(file, locate)
    if not isinstance(data, Mapping):
        problems.add((), "a table of the keys " + ", ".join(TOP_KEYS), value=data)
        raise problems.exception()
    for key in data:
        if key not in TOP_KEYS:
            problems.unknown((), key, TOP_KEYS, "a scenario file")
    kwargs = _header(data, problems)
    chosen = read_persona(data["persona"], problems) if "persona" in data else None
    parties = {
        "customer": read_person(data, "customer", Customer, chosen, problems),
        "agent": read_person(data, "agent", Agent, None, problems),
        "company": read_company(data, problems, base) if "company" in data else None,
    }
    kwargs.update({k: v for k, v in parties.items() if v is not None})
    facts: dict[str, Any] | None = dict(chosen.opening) if chosen is not None else None
    if "start" in data:
        given = read_facts(data["start"], ("start",), problems, channel_allowed=False)
        facts = {**(facts or {}), **(given or {})}
    read_plays(data, problems, kwargs)
    if facts is not None and not problems:
        try:
            kwargs["start"] = Interaction.for_parties(
                customer=kwargs.get("customer", Customer(id="customer")),
                agent=kwargs.get("agent", Agent(id="agent")),
                company=kwargs.get("company", Company(name="company")),
                **{**facts, "channel": kwargs["channel"]},
            )
        except ValidationError as error:
            problems.error(("start",), error)
    if not problems:
        try:
            return Scenario(**kwargs)
        except ValidationError as error:
            field = error.field.removeprefix("Scenario.")
            parts = tuple(p for p in field.replace("[", ".").replace("]", "").split(".") if p)
            problems.error(parts[:1] if parts and parts[0] in TOP_KEYS else (), error)
    raise problems.exception()


# -------------------------------------------------------------------------------- reading


def load(source: Any, fmt: str, *, label: str | None = None) -> Scenario:
    """Read `source` (a path, text or bytes) in format `fmt` and build the scenario."""
    from stool.policy import PolicyDefinitionError  # noqa: PLC0415 - loaded on first use, to keep import stool light
    from stool.policy._loaders import _check_nesting  # noqa: PLC0415 - loaded on first use, to keep import stool light

    base = Path(os.fspath(source)).parent if isinstance(source, os.PathLike) else None
    try:
        data, file, locate = read_data(source, fmt, label=label, toml_locator=toml_locator)
        _check_nesting(data, file)
    except PolicyDefinitionError as error:
        raise from_policy_error(error) from None
    except PolicyError as error:
        raise ScenarioFileError("", str(error)) from None
    return build(data, file=file, locate=locate, base=base)


def load_file(path: str | os.PathLike[str]) -> Scenario:
    """Read a scenario file, choosing the format by its suffix."""
    if not isinstance(path, (str, os.PathLike)):
        raise ScenarioFileError("path", "a str or os.PathLike", value=path)
    file = Path(path)
    fmt = SUFFIXES.get(file.suffix.lower())
    if fmt is None:
        raise ScenarioFileError(
            "", f"a scenario file ends in {', '.join(SUFFIXES)}", value=file.suffix, file=str(file)
        )
    return load(file, fmt)


def refuse_file_name(source: Any, fmt: str) -> None:
    """Raise when a one-line `str` that names a file is given where text is expected."""
    if isinstance(source, str) and "\n" not in source and Path(source).suffix.lower() in SUFFIXES:
        raise ScenarioFileError(
            "source",
            f"{fmt.upper()} text, or a path (pathlib.Path); to read a file, "
            "use stool.load_scenario(name) or Scenario.from_file(Path(name))",
            value=source,
        )


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Load a scenario file: TOML, JSON or YAML, by its suffix.

    The one call to remember: `stool.load_scenario("lesson.toml")`; the same as
    [Scenario.from_file][stool.scenario.Scenario.from_file].

    Args:
        path: The file, as a `str` or any `os.PathLike`.

    Returns:
        The scenario.

    Raises:
        ScenarioFileError: If the suffix is unknown, or the file cannot be read or parsed.
        ScenarioValidationError: Listing every problem of the content, each with its
            file, line, field and, for a misspelt name, a suggestion.

    Example:
        >>> from pathlib import Path
        >>> import stool
        >>> _ = Path("hello.toml").write_text('''
        ... title = "Hello"
        ... [[move]]
        ... event = "Greet"
        ... ''')
        >>> stool.load_scenario("hello.toml").moves
        (Greet(seconds=15.0),)
    """
    return load_file(path)
