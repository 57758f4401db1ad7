"""Read scenario files (TOML, JSON, YAML) and point every problem at its line.

A scenario file is data, never code: the parties (or a named persona), the channel,
the opening facts, the moves by event name, the proposals the policy book judges, and
named branches. Reading reuses the policy loaders' readers and locators
([stool.policy][]); every problem found is collected, located and raised together, each
with a "did you mean" for a misspelt event, field or name.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import attrs

from stool._fields import spec_of
from stool._text import shown
from stool.enums import Authority, Channel, Verdict
from stool.errors import PolicyError, ValidationError
from stool.events import EVENT_TYPES, Event
from stool.interaction import FIELD_NAMES, Interaction
from stool.parties import Agent, Company, Customer
from stool.scenario._fileerrors import (
    NO_VALUE,
    ScenarioFileError,
    ScenarioValidationError,
    from_policy_error,
)
from stool.scenario._locate import Locate, Path_, field_name, toml_locator
from stool.scenario._moves import Deviate, Move, Propose
from stool.scenario._personas import PERSONAS, Persona, suggest
from stool.scenario._scenario import Branch, Scenario

__all__ = [
    "BRANCH_KEYS",
    "COMPANY_KEYS",
    "DEVIATE_KEYS",
    "PROPOSAL_KEYS",
    "TOP_KEYS",
    "ScenarioFileError",
    "ScenarioValidationError",
    "build",
    "load",
    "load_file",
]

TOP_KEYS: Final = (
    "title",
    "description",
    "outcome",
    "persona",
    "channel",
    "date",
    "request",
    "customer",
    "agent",
    "company",
    "start",
    "proposal",
    "move",
    "branch",
)
"""The keys of a scenario file's top level."""
PROPOSAL_KEYS: Final = ("label", "context", "effect", "changes", "cost", "justification", "by")
"""The keys of a `[proposal.NAME]` table."""
BRANCH_KEYS: Final = ("name", "at", "description", "move")
"""The keys of a `[[branch]]` table."""
DEVIATE_KEYS: Final = ("deviate", "justification", "label")
"""The keys of a move that bends or breaks a rule no book judges."""
COMPANY_KEYS: Final = ("name", "aht_target_s", "concession_budget", "policies")
"""The keys of the `[company]` table."""
UNOBSERVED: Final = "unobserved"
"""The key that lists the facts not observed (None) in `[start]` and in a proposal's
`changes`: TOML has no null."""

_SUFFIXES: Final = {".toml": "toml", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}
_MOVE_KINDS: Final = ("event", "propose", "deviate")


# ------------------------------------------------------------------------------- building


def _max_problems() -> int:
    """The most problems listed: the policy books' limit, one for every file stool reads."""
    from stool.policy import MAX_PROBLEMS  # noqa: PLC0415 - loaded on first use, to keep import stool light

    limit: int = MAX_PROBLEMS
    return limit


class _Problems:
    """Collects the problems of one file, each located at its key path."""

    def __init__(self, file: str | None, locate: Locate | None) -> None:
        self.file = file
        self.locate = locate
        self.found: list[ScenarioFileError] = []
        self.omitted = 0
        """Problems found beyond MAX_PROBLEMS: counted, neither located nor listed."""

    def __bool__(self) -> bool:
        return bool(self.found) or self.omitted > 0

    def extend(self, errors: tuple[ScenarioFileError, ...], omitted: int = 0) -> None:
        """Record problems located elsewhere (a policy book's own)."""
        room = max(0, _max_problems() - len(self.found))
        self.found.extend(errors[:room])
        self.omitted += max(0, len(errors) - room) + omitted

    def exception(self) -> ScenarioValidationError:
        """Return the error listing every problem found, in file order."""
        self.found.sort(key=lambda e: e.line if e.line is not None else 0)
        return ScenarioValidationError(tuple(self.found), file=self.file, omitted=self.omitted)

    def add(
        self,
        path: Path_,
        allowed: str,
        *,
        value: Any = NO_VALUE,
        choices: list[str] | tuple[str, ...] = (),
    ) -> None:
        """Record a problem at `path`; suggest the choice `value` most likely meant."""
        if len(self.found) >= _max_problems():
            self.omitted += 1
            return
        suggestion = suggest(value, list(choices)) if choices else None
        line = column = None
        if self.locate is not None:
            where = self.locate(path)
            if where is not None:
                line, column, _ = where
        self.found.append(
            ScenarioFileError(
                field_name(path),
                allowed,
                value=value,
                file=self.file,
                line=line,
                column=column,
                suggestion=suggestion,
            )
        )

    def error(self, path: Path_, error: ValidationError) -> None:
        """Record a stool ValidationError raised while building the value at `path`."""
        self.add(path, error.allowed, value=error.value)

    def unknown(
        self, path: Path_, key: Any, allowed: tuple[str, ...] | list[str], where: str
    ) -> None:
        if not isinstance(key, str):
            self.add((*path, shown(key)), f"keys are strings, not {type(key).__name__}")
            return
        self.add(
            (*path, key),
            f"a key of {where}: " + ", ".join(allowed),
            value=key,
            choices=list(allowed),
        )

    def table(self, path: Path_, value: Any, what: str) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.add(path, f"a table of {what}", value=value)
        return None


def _hint(cls: type, name: str) -> Any:
    from stool.serialization import _hints  # noqa: PLC0415 - loaded on first use, to keep import stool light

    return _hints(cls)[name]


def _field_value(cls: type, attribute: attrs.Attribute[Any], value: Any, field: str) -> Any:
    """Read one field of `cls` from file data: enum names, numbers, strings; check its range."""
    from stool.serialization import _structure  # noqa: PLC0415 - loaded on first use, to keep import stool light

    if isinstance(value, dt.date) and attribute.name == "date":
        value = value.isoformat()
    built = _structure(value, _hint(cls, attribute.name), field)
    spec = spec_of(attribute)
    if spec is not None:
        spec.check(field, built)
    return built


def _enum_name(enum_cls: type[Any], value: Any, path: Path_, problems: _Problems) -> Any:
    if isinstance(value, str):
        members = enum_cls.__members__
        found = members.get(value)
        if found is None and value.isascii():
            found = members.get(value.upper())  # names are read in any case, as everywhere
        if found is not None:
            return found
    names = list(enum_cls.__members__)
    problems.add(
        path,
        f"one of {', '.join(names)}",
        value=value,
        choices=names,
    )
    return None


def _read_fields(
    cls: type,
    table: Mapping[str, Any],
    path: Path_,
    problems: _Problems,
    *,
    keys: tuple[str, ...] | None = None,
    where: str | None = None,
) -> dict[str, Any] | None:
    """Read the fields of `cls` a table gives, reporting every unknown key and bad value."""
    attributes = {a.name: a for a in attrs.fields(cls) if a.init}
    allowed = keys if keys is not None else tuple(attributes)
    out: dict[str, Any] = {}
    ok = True
    for key, value in table.items():
        if key not in allowed or key not in attributes:
            problems.unknown(path, key, allowed, where or f"a {cls.__name__}")
            ok = False
            continue
        try:
            out[key] = _field_value(cls, attributes[key], value, field_name((*path, key)))
        except ValidationError as error:
            spec = spec_of(attributes[key])
            names = list(spec.enum.__members__) if spec is not None and spec.enum else []
            words = f"one of {', '.join(names)}" if names else error.allowed
            problems.add((*path, key), words, value=error.value, choices=names)
            ok = False
    return out if ok else None


def _build(cls: type[Any], kwargs: dict[str, Any], path: Path_, problems: _Problems) -> Any:
    try:
        return cls(**kwargs)
    except ValidationError as error:
        prefix = f"{cls.__name__}."
        key = error.field.removeprefix(prefix).split(".")[0].split("[")[0]
        inner = (*path, key) if error.field.startswith(prefix) and key in kwargs else path
        problems.error(inner, error)
        return None


def _facts(
    table: Any, path: Path_, problems: _Problems, *, channel_allowed: bool = True
) -> dict[str, Any] | None:
    """Read facts of an Interaction: field names to values, and `unobserved` (a list)."""
    mapping = problems.table(path, table, "Interaction fields and their values")
    if mapping is None:
        return None
    attributes = attrs.fields_dict(Interaction)
    names = [n for n in FIELD_NAMES if channel_allowed or n != "channel"]
    out: dict[str, Any] = {}
    ok = True
    for key, value in mapping.items():
        if key == UNOBSERVED:
            ok = _unobserved(value, (*path, key), problems, out) and ok
            continue
        if key not in names:
            problems.unknown(path, key, [*names, UNOBSERVED], "the Interaction's facts")
            ok = False
            continue
        try:
            out[key] = _field_value(Interaction, attributes[key], value, field_name((*path, key)))
        except ValidationError as error:
            problems.error((*path, key), error)
            ok = False
    return out if ok else None


def _unobserved(value: Any, path: Path_, problems: _Problems, out: dict[str, Any]) -> bool:
    attributes = attrs.fields_dict(Interaction)
    optional = [n for n in FIELD_NAMES if (s := spec_of(attributes[n])) is not None and s.optional]
    if not isinstance(value, list):
        problems.add(path, "a list of the facts not observed: " + ", ".join(optional), value=value)
        return False
    ok = True
    for index, name in enumerate(value):
        if name not in optional:
            problems.add(
                (*path, index),
                "a fact that may be unobserved: " + ", ".join(optional),
                value=name,
                choices=optional,
            )
            ok = False
        elif name in out:
            problems.add((*path, index), "a fact not also given a value", value=name)
            ok = False
        else:
            out[name] = None
    return ok


def _event(value: Any, path: Path_, problems: _Problems) -> Event | None:
    """Read an event: its class name alone (`"Greet"`), or a table with `event` and arguments."""
    name: Any
    if isinstance(value, str):
        name, arguments, name_path = value, {}, path
    elif isinstance(value, Mapping):
        name = value.get("event")
        arguments = {k: v for k, v in value.items() if k != "event"}
        name_path = (*path, "event")
        if "event" not in value:
            problems.add(path, "a table with the key 'event' naming the event")
            return None
    else:
        problems.add(
            path, "an event's name, or a table with 'event' and its arguments", value=value
        )
        return None
    cls = EVENT_TYPES.get(name) if isinstance(name, str) else None
    if cls is None:
        names = list(EVENT_TYPES)
        problems.add(
            name_path,
            "the name of an event: " + ", ".join(names),
            value=name,
            choices=names,
        )
        return None
    fields = _read_fields(cls, arguments, path, problems, where=f"the event {name}")
    if fields is None:
        return None
    event: Event | None = _build(cls, fields, path, problems)
    return event


def _effects(value: Any, path: Path_, problems: _Problems) -> tuple[Event, ...] | None:
    if not isinstance(value, list):
        problems.add(path, "a list of events (names, or tables with 'event')", value=value)
        return None
    found = [_event(item, (*path, index), problems) for index, item in enumerate(value)]
    return None if any(item is None for item in found) else tuple(e for e in found if e)


def _proposal(name: str, table: Any, path: Path_, problems: _Problems) -> Propose | None:
    mapping = problems.table(path, table, "the keys of a proposal: " + ", ".join(PROPOSAL_KEYS))
    if mapping is None:
        return None
    kwargs: dict[str, Any] = {}
    ok = True
    for key, value in mapping.items():
        where = (*path, key)
        if key not in PROPOSAL_KEYS:
            problems.unknown(path, key, PROPOSAL_KEYS, f"the proposal {name!r}")
            ok = False
        elif key == "context":
            context = problems.table(where, value, "the facts the policy book reads")
            ok = ok and context is not None
            kwargs[key] = context
        elif key == "effect":
            effect = _effects(value, where, problems)
            ok = ok and effect is not None
            kwargs[key] = effect
        elif key == "changes":
            changes = _facts(value, where, problems)
            ok = ok and changes is not None
            kwargs[key] = changes
        elif key == "by":
            kwargs[key] = _enum_name(Authority, value, where, problems)
            ok = ok and kwargs[key] is not None
        else:
            fields = _read_fields(Propose, {key: value}, path, problems)
            ok = ok and fields is not None
            kwargs.update(fields or {})
    if "context" not in mapping:
        problems.add(path, "a proposal has a 'context': the facts the policy book judges")
        ok = False
    if not ok:
        return None
    proposal: Propose | None = _build(Propose, kwargs, path, problems)
    return proposal


def _move(  # noqa: C901, PLR0911, PLR0912 - one branch per kind of move
    table: Any, path: Path_, problems: _Problems, proposals: Mapping[str, Propose | None]
) -> tuple[Move | None, str | None]:
    """Read one move; also return the name of the proposal it plays, if any."""
    mapping = problems.table(path, table, "a move: 'event', 'propose' or 'deviate' and its keys")
    if mapping is None:
        return None, None
    kinds = [kind for kind in _MOVE_KINDS if kind in mapping]
    if len(kinds) != 1:
        misspelt = [k for k in mapping if suggest(k, list(_MOVE_KINDS))]
        if not kinds and misspelt:
            problems.unknown(path, misspelt[0], _MOVE_KINDS, "a move")
        else:
            given = ", ".join(kinds) if kinds else "none"
            problems.add(
                path,
                f"a move names exactly one of event, propose or deviate (this one: {given})",
            )
        return None, None
    kind = kinds[0]
    if kind == "event":
        return _event(mapping, path, problems), None
    if kind == "propose":
        for key in mapping:
            if key != "propose":
                problems.unknown(path, key, ("propose",), "a move that plays a proposal")
        name = mapping["propose"]
        if name not in proposals:
            names = list(proposals)
            problems.add(
                (*path, "propose"),
                "the name of a [proposal.NAME] table: " + (", ".join(names) or "none defined"),
                value=name,
                choices=names,
            )
            return None, None
        return proposals[name], name
    fields: dict[str, Any] = {}
    ok = True
    for key, value in mapping.items():
        if key not in DEVIATE_KEYS:
            problems.unknown(path, key, DEVIATE_KEYS, "a move that deviates")
            ok = False
        elif key == "deviate":
            verdict = _enum_name(Verdict, value, (*path, key), problems)
            ok = ok and verdict is not None
            fields["verdict"] = verdict
        else:
            read = _read_fields(Deviate, {key: value}, path, problems)
            ok = ok and read is not None
            fields.update(read or {})
    if not ok:
        return None, None
    return _build(Deviate, fields, path, problems), None


def _moves(
    value: Any, path: Path_, problems: _Problems, proposals: Mapping[str, Propose | None]
) -> tuple[tuple[Move, ...] | None, set[str]]:
    if not isinstance(value, list):
        problems.add(path, "a list of move tables ([[move]] in TOML)", value=value)
        return None, set()
    used: set[str] = set()
    moves: list[Move | None] = []
    for index, item in enumerate(value):
        move, name = _move(item, (*path, index), problems, proposals)
        moves.append(move)
        if name is not None:
            used.add(name)
    if any(move is None for move in moves):
        return None, used
    return tuple(m for m in moves if m is not None), used


def _policies(  # noqa: PLR0911 - one return per way of naming a book
    value: Any, path: Path_, problems: _Problems, base: Path | None
) -> Any:
    """Read the company's book: an example's name, a policy file's path, or the book's table."""
    from stool.policy import (  # noqa: PLC0415 - loaded on first use, to keep import stool light
        EXAMPLES,
        PolicyDefinitionError,
        PolicyValidationError,
        load_example,
    )
    from stool.policy._loaders import build, load_file  # noqa: PLC0415 - loaded on first use, to keep import stool light

    try:
        if isinstance(value, Mapping):
            locate = problems.locate
            inner = None if locate is None else (lambda p: locate((*path, *p)))
            return build(value, file=problems.file, locate=inner)
        if isinstance(value, str) and value in EXAMPLES:
            return load_example(value)
        if isinstance(value, str) and Path(value).suffix.lower() in _SUFFIXES:
            where = Path(value) if base is None else base / value
            return load_file(where)
    except PolicyValidationError as error:
        found = tuple(from_policy_error(p, field=field_name(path)) for p in error.problems)
        problems.extend(found, error.omitted)
        return None
    except PolicyDefinitionError as error:
        problems.extend((from_policy_error(error, field=field_name(path)),))
        return None
    except PolicyError as error:
        problems.add(path, str(error), value=value)
        return None
    problems.add(
        path,
        "the name of an example book ("
        + ", ".join(EXAMPLES)
        + "), a policy file (.toml, .json, .yaml) next to the scenario, or a table holding "
        "the book",
        value=value,
        choices=list(EXAMPLES),
    )
    return None


def _persona(value: Any, problems: _Problems) -> Persona | None:
    found = PERSONAS.get(value) if isinstance(value, str) else None
    if found is None:
        names = list(PERSONAS)
        problems.add(
            ("persona",),
            "the name of a persona: " + ", ".join(names),
            value=value,
            choices=names,
        )
    return found


def _branch(
    table: Any,
    path: Path_,
    problems: _Problems,
    proposals: Mapping[str, Propose | None],
) -> tuple[Branch | None, set[str]]:
    mapping = problems.table(path, table, "the keys of a branch: " + ", ".join(BRANCH_KEYS))
    if mapping is None:
        return None, set()
    kwargs: dict[str, Any] = {}
    used: set[str] = set()
    ok = True
    for key, value in mapping.items():
        if key not in BRANCH_KEYS:
            problems.unknown(path, key, BRANCH_KEYS, "a branch")
            ok = False
        elif key == "move":
            moves, used = _moves(value, (*path, key), problems, proposals)
            ok = ok and moves is not None
            kwargs["moves"] = moves
        else:
            read = _read_fields(Branch, {key: value}, path, problems)
            ok = ok and read is not None
            kwargs.update(read or {})
    if "name" not in mapping:
        problems.add(path, "a branch has a 'name'")
        ok = False
    if not ok:
        return None, used
    branch: Branch | None = _build(Branch, kwargs, path, problems)
    return branch, used


def _top_text(data: Mapping[str, Any], key: str, problems: _Problems) -> str:
    value = data.get(key, "")
    if type(value) is not str:
        problems.add((key,), "a string", value=value)
        return ""
    return value


def _header(data: Mapping[str, Any], problems: _Problems) -> dict[str, Any]:
    """Read the plain keys: title, description, outcome, channel and date."""
    kwargs: dict[str, Any] = {
        key: _top_text(data, key, problems)
        for key in ("title", "description", "outcome")
        if key in data
    }
    channel = Channel.CALL
    if "channel" in data:
        channel = _enum_name(Channel, data["channel"], ("channel",), problems) or Channel.CALL
    kwargs["channel"] = channel
    if "date" in data:
        date = data["date"]
        kwargs["date"] = date.isoformat() if isinstance(date, dt.date) else date
    return kwargs


def _person(
    data: Mapping[str, Any],
    key: str,
    cls: type[Customer | Agent],
    chosen: Persona | None,
    problems: _Problems,
) -> Customer | Agent | None:
    """Read the customer or the agent; a persona gives the customer's defaults."""
    preset = chosen.customer if chosen is not None and key == "customer" else None
    if key not in data:
        return preset
    table = problems.table((key,), data[key], f"{cls.__name__} fields")
    fields = _read_fields(cls, table, (key,), problems) if table is not None else None
    if fields is None:
        return None
    if preset is None and "id" not in fields:
        problems.add((key,), f"a {key} table has an 'id'")
        return None
    try:
        return attrs.evolve(preset, **fields) if preset is not None else cls(**fields)
    except ValidationError as error:
        problems.error((key,), error)
        return None


def _company(data: Mapping[str, Any], problems: _Problems, base: Path | None) -> Company | None:
    table = problems.table(("company",), data["company"], "Company fields")
    if table is None:
        return None
    plain = {k: v for k, v in table.items() if k != "policies"}
    fields = _read_fields(Company, plain, ("company",), problems, keys=COMPANY_KEYS)
    book = None
    if "policies" in table:
        book = _policies(table["policies"], ("company", "policies"), problems, base)
    if fields is None:
        return None
    if "name" not in fields:
        problems.add(("company",), "a company table has a 'name'")
        return None
    company: Company | None = _build(Company, {**fields, "policies": book}, ("company",), problems)
    return company


def _request(
    data: Mapping[str, Any], proposals: Mapping[str, Propose | None], problems: _Problems
) -> Propose | None:
    name = data["request"]
    if name in proposals:
        return proposals[name]
    names = list(proposals)
    problems.add(
        ("request",),
        "the name of a [proposal.NAME] table: " + (", ".join(names) or "none defined"),
        value=name,
        choices=names,
    )
    return None


def _branches(
    raw: Any,
    moves_count: int | None,
    proposals: Mapping[str, Propose | None],
    problems: _Problems,
) -> tuple[tuple[Branch, ...], set[str]]:
    if not isinstance(raw, list):
        problems.add(("branch",), "a list of branch tables ([[branch]] in TOML)", value=raw)
        return (), set()
    branches: list[Branch] = []
    used: set[str] = set()
    for index, item in enumerate(raw):
        branch, played = _branch(item, ("branch", index), problems, proposals)
        used |= played
        if branch is None:
            continue
        if any(b.name == branch.name for b in branches):
            problems.add(("branch", index, "name"), "a name no other branch has", value=branch.name)
        if moves_count is not None and branch.at > moves_count:
            problems.add(
                ("branch", index, "at"),
                f"a whole number from 0 to {moves_count}, the number of moves",
                value=branch.at,
            )
        branches.append(branch)
    return tuple(branches), used


def _plays(data: Mapping[str, Any], problems: _Problems, kwargs: dict[str, Any]) -> None:
    """Read the proposals, the request, the moves and the branches into `kwargs`."""
    proposals: dict[str, Propose | None] = {}
    if "proposal" in data:
        table = problems.table(("proposal",), data["proposal"], "proposals by name")
        for name, item in (table or {}).items():
            proposals[name] = _proposal(name, item, ("proposal", name), problems)
    used: set[str] = set()
    if "request" in data:
        kwargs["request"] = _request(data, proposals, problems)
        used.add(data["request"])
    moves_count = 0
    if "move" in data:
        moves, played = _moves(data["move"], ("move",), problems, proposals)
        used |= played
        if moves is not None:
            kwargs["moves"] = moves
        moves_count = len(moves) if moves is not None else -1
    if "branch" in data:
        kwargs["branches"], played = _branches(
            data["branch"], None if moves_count < 0 else moves_count, proposals, problems
        )
        used |= played
    company = kwargs.get("company")
    if proposals and (company is None or company.policies is None) and "company" not in data:
        problems.add(
            ("proposal",),
            "proposals, once the company has a policy book to judge them "
            "([company] with policies = ...)",
        )
    for name in proposals:
        if name not in used:
            problems.add(
                ("proposal", name),
                "a proposal some move, branch or the request plays; this one is never used",
            )


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
    problems = _Problems(file, locate)
    if not isinstance(data, Mapping):
        problems.add((), "a table of the keys " + ", ".join(TOP_KEYS), value=data)
        raise problems.exception()
    for key in data:
        if key not in TOP_KEYS:
            problems.unknown((), key, TOP_KEYS, "a scenario file")
    kwargs = _header(data, problems)
    chosen = _persona(data["persona"], problems) if "persona" in data else None
    parties = {
        "customer": _person(data, "customer", Customer, chosen, problems),
        "agent": _person(data, "agent", Agent, None, problems),
        "company": _company(data, problems, base) if "company" in data else None,
    }
    kwargs.update({k: v for k, v in parties.items() if v is not None})
    facts: dict[str, Any] | None = dict(chosen.opening) if chosen is not None else None
    if "start" in data:
        given = _facts(data["start"], ("start",), problems, channel_allowed=False)
        facts = {**(facts or {}), **(given or {})}
    _plays(data, problems, kwargs)
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
    from stool.policy._loaders import (  # noqa: PLC0415 - loaded on first use, to keep import stool light
        _check_nesting,
        _json_locator,
        _parse_json,
        _parse_toml,
        _parse_yaml,
        _read,
        _yaml_locator,
    )

    base = Path(os.fspath(source)).parent if isinstance(source, os.PathLike) else None
    try:
        text, file = _read(source)
        if label is not None:
            file = label
        locate: Locate
        if fmt == "toml":
            data = _parse_toml(text, file)
            locate = toml_locator(text)
        elif fmt == "json":
            data = _parse_json(text, file)
            locate = _json_locator(text)
        else:
            data, node = _parse_yaml(text, file)
            locate = _yaml_locator(node) if node is not None else (lambda _path: None)
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
    fmt = _SUFFIXES.get(file.suffix.lower())
    if fmt is None:
        raise ScenarioFileError(
            "", f"a scenario file ends in {', '.join(_SUFFIXES)}", value=file.suffix, file=str(file)
        )
    return load(file, fmt)


def refuse_file_name(source: Any, fmt: str) -> None:
    """Raise when a one-line `str` that names a file is given where text is expected."""
    if isinstance(source, str) and "\n" not in source and Path(source).suffix.lower() in _SUFFIXES:
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
