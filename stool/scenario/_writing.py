"""Write a scenario as file data, TOML or JSON: the inverse of reading a scenario file.

[scenario_data][] gives the data a scenario file holds; reading it back with
[build][stool.scenario._files.build] gives an equal scenario. Only what differs from the
defaults is written: a customer's non-default fields, the opening facts that differ from
what the parties bring, an event's non-default arguments.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs

from stool.errors import PolicyError, ValidationError
from stool.interaction import FIELD_NAMES, Interaction
from stool.scenario._filekeys import UNOBSERVED
from stool.scenario._moves import Deviate, Move, Propose, _thaw
from stool.serialization import unstructure

if TYPE_CHECKING:
    from stool.events import Event
    from stool.parties import Company
    from stool.scenario._scenario import Scenario

__all__ = ["scenario_data", "scenario_json", "scenario_toml"]

_SLUG_LIMIT: Final = 40


def _non_defaults(value: Any, *, always: tuple[str, ...] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for a in attrs.fields(type(value)):
        if not a.init:
            continue
        current = getattr(value, a.name)
        if a.name in always or current != a.default:
            out[a.name] = unstructure(current)
    return out


def _event(event: Event) -> dict[str, Any]:
    return {"event": type(event).__name__, **_non_defaults(event)}


def _facts(changes: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    missing: list[str] = []
    for name, value in changes.items():
        if value is None:
            missing.append(name)
        else:
            out[name] = unstructure(value)
    if missing:
        out[UNOBSERVED] = missing
    return out


def _slug(label: str) -> str:
    words = "".join(ch if ch.isalnum() else " " for ch in label.lower()).split()
    slug = "-".join(words)[:_SLUG_LIMIT].strip("-")
    return slug or "proposal"


class _Names:
    """Names the proposals of a scenario: one name per distinct proposal, from its label."""

    def __init__(self) -> None:
        self.names: dict[Propose, str] = {}

    def name(self, proposal: Propose) -> str:
        known = self.names.get(proposal)
        if known is not None:
            return known
        base = _slug(proposal.label)
        name, number = base, 1
        taken = set(self.names.values())
        while name in taken:
            number += 1
            name = f"{base}-{number}"
        self.names[proposal] = name
        return name


def _proposal(proposal: Propose) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if proposal.label:
        data["label"] = proposal.label
    if proposal.by is not None:
        data["by"] = proposal.by.name
    if proposal.cost:
        data["cost"] = proposal.cost
    if proposal.justification is not None:
        data["justification"] = proposal.justification
    if proposal.effect:
        data["effect"] = [
            type(e).__name__ if not _non_defaults(e) else _event(e) for e in proposal.effect
        ]
    data["context"] = _thaw(proposal.context)
    if proposal.changes:
        data["changes"] = _facts(proposal.changes)
    return data


def _move(move: Move, names: _Names) -> dict[str, Any]:
    if isinstance(move, Propose):
        return {"propose": names.name(move)}
    if isinstance(move, Deviate):
        data: dict[str, Any] = {"deviate": move.verdict.name}
        if move.justification is not None:
            data["justification"] = move.justification
        if move.label:
            data["label"] = move.label
        return data
    return _event(move)


def _company(company: Company) -> dict[str, Any]:
    data = _non_defaults(company, always=("name",))
    data.pop("policies", None)
    book = company.policies
    if book is not None:
        from stool.policy import EXAMPLES, load_example  # noqa: PLC0415 - loaded on first use, to keep import stool light

        if book.name in EXAMPLES and load_example(book.name) == book:
            data["policies"] = book.name
        else:
            data["policies"] = book.to_data()
    return data


def _start(scenario: Scenario) -> dict[str, Any]:
    start = scenario.start
    if start is None:  # pragma: no cover - the caller checks
        return {}
    base = Interaction.for_parties(
        customer=scenario.customer,
        agent=scenario.agent,
        company=scenario.company,
        channel=scenario.channel,
    )
    changed = {
        name: getattr(start, name)
        for name in FIELD_NAMES
        if getattr(start, name) != getattr(base, name)
    }
    return _facts(changed)


def scenario_data(scenario: Scenario) -> dict[str, Any]:
    """Return the data of a scenario file that reads back as `scenario`.

    Args:
        scenario: The scenario to write.

    Returns:
        A mapping of plain data: strings, numbers, booleans, lists and tables (and None
        only inside a policy context, which TOML cannot hold).
    """
    names = _Names()
    data: dict[str, Any] = {}
    for key in ("title", "description", "outcome"):
        if getattr(scenario, key):
            data[key] = getattr(scenario, key)
    data["channel"] = scenario.channel.name
    data["date"] = scenario.date
    moves = [_move(move, names) for move in scenario.moves]
    branches = []
    for branch in scenario.branches:
        written: dict[str, Any] = {"name": branch.name, "at": branch.at}
        if branch.description:
            written["description"] = branch.description
        written["move"] = [_move(move, names) for move in branch.moves]
        branches.append(written)
    if scenario.request is not None:
        data["request"] = names.name(scenario.request)
    data["customer"] = _non_defaults(scenario.customer, always=("id",))
    data["agent"] = _non_defaults(scenario.agent, always=("id",))
    data["company"] = _company(scenario.company)
    if scenario.start is not None:
        data["start"] = _start(scenario)
    if names.names:
        data["proposal"] = {name: _proposal(p) for p, name in names.names.items()}
    if moves:
        data["move"] = moves
    if branches:
        data["branch"] = branches
    return data


def scenario_json(scenario: Scenario) -> str:
    """Return the scenario as a JSON scenario file, indented, ending with a newline."""
    return json.dumps(scenario_data(scenario), indent=2, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------------------------ TOML


def _multiline(text: str) -> str:
    """Write `text` as a TOML multi-line basic string, escaping what must be escaped."""
    out = []
    for ch in text:
        if ch == "\n":
            out.append(ch)
        elif ch in '"\\':
            out.append("\\" + ch)
        elif ch < " " or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"""\n' + "".join(out) + '"""'


def _is_tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _inline_ok(value: Mapping[str, Any]) -> bool:
    """Whether a table reads well inline: a few plain values on one short line."""
    from stool.policy._writing import toml_value  # noqa: PLC0415 - loaded on first use, to keep import stool light

    if not value:
        return True
    if any(isinstance(v, (Mapping, list)) for v in value.values()):
        return False
    return len(toml_value(value)) <= 60


def _table(
    lines: list[str], path: tuple[str, ...], table: Mapping[str, Any], *, array: bool
) -> None:
    from stool.policy._writing import toml_key, toml_value  # noqa: PLC0415 - loaded on first use, to keep import stool light

    plain: list[tuple[str, Any]] = []
    tables: list[tuple[str, Mapping[str, Any]]] = []
    arrays: list[tuple[str, list[Mapping[str, Any]]]] = []
    for key, value in table.items():
        if isinstance(value, Mapping) and (not path or key == "policies" or not _inline_ok(value)):
            tables.append((key, value))
        elif _is_tables(value) and (not path or key in ("move", "rule", "test")):
            arrays.append((key, value))
        else:
            plain.append((key, value))
    if path and (array or plain or not (tables or arrays)):
        header = ".".join(toml_key(part) for part in path)
        lines += ["", f"[[{header}]]" if array else f"[{header}]"]
    for key, value in plain:
        shown = _multiline(value) if isinstance(value, str) and "\n" in value else toml_value(value)
        lines.append(f"{toml_key(key)} = {shown}")
    for key, value in tables:
        _table(lines, (*path, key), value, array=False)
    for key, items in arrays:
        for item in items:
            _table(lines, (*path, key), item, array=True)


def scenario_toml(scenario: Scenario) -> str:
    """Return the scenario as a TOML scenario file.

    Raises:
        ValidationError: If the scenario holds a value TOML cannot (a None in a policy
            context, an integer beyond 64 bits); write it as JSON instead.
    """
    lines: list[str] = []
    try:
        _table(lines, (), scenario_data(scenario), array=False)
    except PolicyError as error:
        raise ValidationError(
            "Scenario.to_toml", scenario.title or "the scenario", f"{error} (use to_json)"
        ) from None
    return "\n".join(lines).lstrip("\n") + "\n"
