"""Read the values of a scenario file: fields of stool's classes, facts and events.

Each reader takes the file data at one key path and records every problem it finds in a
`Problems`; it returns None when the value cannot
be built, so the readers above it go on to find the other problems.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from stool._fields import spec_of
from stool.errors import ValidationError
from stool.events import EVENT_TYPES, Event
from stool.interaction import FIELD_NAMES, Interaction
from stool.scenario._filekeys import UNOBSERVED
from stool.scenario._locate import Path_, field_name

if TYPE_CHECKING:
    from stool.scenario._fileproblems import Problems

__all__ = [
    "construct",
    "read_effects",
    "read_enum",
    "read_event",
    "read_facts",
    "read_fields",
]


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


def read_enum(enum_cls: type[Any], value: Any, path: Path_, problems: Problems) -> Any:
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


def read_fields(
    cls: type,
    table: Mapping[str, Any],
    path: Path_,
    problems: Problems,
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


def construct(cls: type[Any], kwargs: dict[str, Any], path: Path_, problems: Problems) -> Any:
    try:
        return cls(**kwargs)
    except ValidationError as error:
        prefix = f"{cls.__name__}."
        key = error.field.removeprefix(prefix).split(".")[0].split("[")[0]
        inner = (*path, key) if error.field.startswith(prefix) and key in kwargs else path
        problems.error(inner, error)
        return None


def read_facts(
    table: Any, path: Path_, problems: Problems, *, channel_allowed: bool = True
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


def _unobserved(value: Any, path: Path_, problems: Problems, out: dict[str, Any]) -> bool:
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


def read_event(value: Any, path: Path_, problems: Problems) -> Event | None:
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
    fields = read_fields(cls, arguments, path, problems, where=f"the event {name}")
    if fields is None:
        return None
    event: Event | None = construct(cls, fields, path, problems)
    return event


def read_effects(value: Any, path: Path_, problems: Problems) -> tuple[Event, ...] | None:
    if not isinstance(value, list):
        problems.add(path, "a list of events (names, or tables with 'event')", value=value)
        return None
    found = [read_event(item, (*path, index), problems) for index, item in enumerate(value)]
    return None if any(item is None for item in found) else tuple(e for e in found if e)
