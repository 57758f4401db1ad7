"""Read what a scenario file plays: its proposals, moves, branches and request.

A move names an event, plays a `[proposal.NAME]` that the company's policy book judges,
or deviates from a rule no book judges; a branch replays other moves from a point of the
main line. Every proposal must be played somewhere, and every name played must exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stool.enums import Authority, Verdict
from stool.scenario._filekeys import BRANCH_KEYS, DEVIATE_KEYS, MOVE_KINDS, PROPOSAL_KEYS
from stool.scenario._filevalues import (
    construct,
    read_effects,
    read_enum,
    read_event,
    read_facts,
    read_fields,
)
from stool.scenario._moves import Deviate, Move, Propose
from stool.scenario._personas import suggest
from stool.scenario._scenario import Branch

if TYPE_CHECKING:
    from collections.abc import Mapping

    from stool.scenario._fileproblems import Problems
    from stool.scenario._locate import Path_

__all__ = ["read_plays"]


def _proposal(name: str, table: Any, path: Path_, problems: Problems) -> Propose | None:
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
            effect = read_effects(value, where, problems)
            ok = ok and effect is not None
            kwargs[key] = effect
        elif key == "changes":
            changes = read_facts(value, where, problems)
            ok = ok and changes is not None
            kwargs[key] = changes
        elif key == "by":
            kwargs[key] = read_enum(Authority, value, where, problems)
            ok = ok and kwargs[key] is not None
        else:
            fields = read_fields(Propose, {key: value}, path, problems)
            ok = ok and fields is not None
            kwargs.update(fields or {})
    if "context" not in mapping:
        problems.add(path, "a proposal has a 'context': the facts the policy book judges")
        ok = False
    if not ok:
        return None
    proposal: Propose | None = construct(Propose, kwargs, path, problems)
    return proposal


def _move(  # noqa: C901, PLR0911, PLR0912 - one branch per kind of move
    table: Any, path: Path_, problems: Problems, proposals: Mapping[str, Propose | None]
) -> tuple[Move | None, str | None]:
    """Read one move; also return the name of the proposal it plays, if any."""
    mapping = problems.table(path, table, "a move: 'event', 'propose' or 'deviate' and its keys")
    if mapping is None:
        return None, None
    kinds = [kind for kind in MOVE_KINDS if kind in mapping]
    if len(kinds) != 1:
        misspelt = [k for k in mapping if suggest(k, list(MOVE_KINDS))]
        if not kinds and misspelt:
            problems.unknown(path, misspelt[0], MOVE_KINDS, "a move")
        else:
            given = ", ".join(kinds) if kinds else "none"
            problems.add(
                path,
                f"a move names exactly one of event, propose or deviate (this one: {given})",
            )
        return None, None
    kind = kinds[0]
    if kind == "event":
        return read_event(mapping, path, problems), None
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
            verdict = read_enum(Verdict, value, (*path, key), problems)
            ok = ok and verdict is not None
            fields["verdict"] = verdict
        else:
            read = read_fields(Deviate, {key: value}, path, problems)
            ok = ok and read is not None
            fields.update(read or {})
    if not ok:
        return None, None
    return construct(Deviate, fields, path, problems), None


def _moves(
    value: Any, path: Path_, problems: Problems, proposals: Mapping[str, Propose | None]
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


def _branch(
    table: Any,
    path: Path_,
    problems: Problems,
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
            read = read_fields(Branch, {key: value}, path, problems)
            ok = ok and read is not None
            kwargs.update(read or {})
    if "name" not in mapping:
        problems.add(path, "a branch has a 'name'")
        ok = False
    if not ok:
        return None, used
    branch: Branch | None = construct(Branch, kwargs, path, problems)
    return branch, used


def _request(
    data: Mapping[str, Any], proposals: Mapping[str, Propose | None], problems: Problems
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
    problems: Problems,
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


def read_plays(data: Mapping[str, Any], problems: Problems, kwargs: dict[str, Any]) -> None:
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
