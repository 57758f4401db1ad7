"""Turn every public stool value into JSON-compatible data and back, losslessly.

[unstructure][stool.unstructure] writes plain dicts, lists, strings, numbers, booleans
and None: enums as their member names, tuples as lists, frozensets as sorted lists,
[events][stool.events] with a `"type"` key naming their class.
[structure][stool.structure] reads them back, strictly: unknown keys, missing required
keys, wrong types and out-of-range values raise
[ValidationError][stool.ValidationError] naming the key path.

    >>> import json, stool
    >>> data = stool.unstructure(stool.Interaction(fulfilment=0.5))
    >>> stool.structure(json.loads(json.dumps(data)), stool.Interaction).fulfilment
    0.5

Modules that own values with their own wire format (the policy engine's compiled
books, for instance) register hooks with [register][stool.serialization.register].
"""

from __future__ import annotations

import enum
import functools
import math
import sys
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar, Union

import attrs

from stool.enums import member_from_name
from stool.errors import ValidationError

__all__ = ["StructureHook", "UnstructureHook", "register", "structure", "unstructure"]

T = TypeVar("T")

UnstructureHook = Callable[[Any], Any]
StructureHook = Callable[[Any, str], Any]

# The deepest nesting unstructure writes; deeper data (or a container that holds itself)
# is refused, well before Python's recursion limit.
_MAX_DEPTH = 100

_unstructure_hooks: dict[type, UnstructureHook] = {}
_structure_hooks: dict[type, StructureHook] = {}


def register(
    cls: type[Any],
    *,
    unstructure: UnstructureHook | None = None,
    structure: StructureHook | None = None,
) -> None:
    """Give `cls` (and its subclasses) its own wire format.

    Args:
        cls: The class the hooks are for.
        unstructure: Turns an instance into JSON-compatible data.
        structure: Turns data back into an instance; it receives the data and the key
            path to name in errors, and raises [ValidationError][stool.ValidationError]
            (or another [StoolError][stool.StoolError]) on bad data.
    """
    if unstructure is not None:
        _unstructure_hooks[cls] = unstructure
    if structure is not None:
        _structure_hooks[cls] = structure


def _hook(hooks: Mapping[type, Any], cls: type) -> Any:
    for klass in cls.__mro__:
        hook = hooks.get(klass)
        if hook is not None:
            return hook
    return None


# --------------------------------------------------------------------------- unstructure


def unstructure(obj: Any) -> Any:
    """Return JSON-compatible data for a stool value.

    Args:
        obj: Any public stool value (an attrs instance such as
            [Interaction][stool.Interaction]), or a container of them.

    Returns:
        Plain dicts, lists, strings, numbers, booleans and None, ready for `json.dumps`.

    Raises:
        ValidationError: If `obj` holds something with no JSON form (a NaN, a set of
            mixed types, an arbitrary object, an integer too long for Python to write
            as text, data nested more than 100 levels deep or a container that holds
            itself).

    Examples:
        >>> import stool
        >>> stool.unstructure(stool.Customer(id="C-1"))
        {'id': 'C-1', 'lifetime_value': 0.0, 'prior_bad_experiences': 0, 'expectations': 0.5}
    """
    return _unstructure(obj, "value")


def _digits_limit() -> int:
    limit: int = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    return limit


def _writable_int(obj: int, path: str) -> int:
    # Python refuses to write (and json to read) integers longer than its digit limit.
    limit = _digits_limit()
    if limit and obj.bit_length() > limit * 3:
        try:
            str(obj)
        except ValueError:
            raise ValidationError(
                path,
                obj,
                f"an integer of at most {limit:,} digits (Python's limit for writing "
                "integers as text, so JSON could not carry it)",
            ) from None
    return obj


def _unstructure(obj: Any, path: str, *, depth: int = 0) -> Any:  # noqa: C901, PLR0911, PLR0912
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int):
        return _writable_int(obj, path)
    if isinstance(obj, float):
        if not math.isfinite(obj):
            raise ValidationError(path, obj, "a finite number (JSON has no NaN or infinity)")
        return obj
    if isinstance(obj, enum.Enum):
        return obj.name
    if depth > _MAX_DEPTH:
        raise ValidationError(
            path,
            obj,
            f"data nested at most {_MAX_DEPTH} levels deep (a container cannot hold itself)",
        )
    depth += 1
    cls = type(obj)
    hook = _hook(_unstructure_hooks, cls)
    if hook is not None:
        return hook(obj)
    if attrs.has(cls):
        out: dict[str, Any] = {}
        if _is_event_class(cls):
            out["type"] = cls.__name__
        for a in attrs.fields(cls):
            if a.init:
                out[a.name] = _unstructure(getattr(obj, a.name), f"{path}.{a.name}", depth=depth)
        return out
    if isinstance(obj, Mapping):
        return {
            str(_key(k, path)): _unstructure(v, f"{path}.{k}", depth=depth) for k, v in obj.items()
        }
    if isinstance(obj, (tuple, list)):
        return [_unstructure(v, f"{path}[{i}]", depth=depth) for i, v in enumerate(obj)]
    if isinstance(obj, (frozenset, set)):
        import json  # noqa: PLC0415 - only sets need a canonical order

        items = [_unstructure(v, path, depth=depth) for v in obj]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    raise ValidationError(path, obj, "a stool value, a container of them, or JSON data")


def _key(key: Any, path: str) -> Any:
    if isinstance(key, enum.Enum):
        return key.name
    if isinstance(key, str):
        return key
    raise ValidationError(path, key, "string or enum keys")


def _is_event_class(cls: type) -> bool:
    # stool.events loads on first use, to keep `import stool` light; until it is loaded,
    # no event class exists, so nothing can be one.
    if "stool.events" not in sys.modules:
        return False
    from stool.events import Event  # noqa: PLC0415 - already loaded, see above

    return issubclass(cls, Event)


# ----------------------------------------------------------------------------- structure


def structure(data: Any, cls: type[T]) -> T:
    """Build a `cls` from data written by [unstructure][stool.unstructure].

    Args:
        data: JSON-compatible data, for example from `json.loads`.
        cls: The class to build: any public stool value class, or a container type
            such as `tuple[Interaction, ...]`. `stool.events.Event` reads the
            `"type"` key to pick the event class.

    Returns:
        The value, equal to the one that was unstructured.

    Raises:
        ValidationError: On unknown keys, missing required keys, wrong types and
            out-of-range values; the error names the key path, the value and what is
            allowed.

    Examples:
        >>> import stool
        >>> stool.structure({"id": "rep-1", "authority": "SUPERVISOR"}, stool.Agent).authority
        <Authority.SUPERVISOR: 2>
        >>> stool.structure({"id": "rep-1", "rank": 3}, stool.Agent)
        Traceback (most recent call last):
        ...
        stool.errors.ValidationError: Agent.rank: got 3; allowed: a field of Agent: ...
    """
    name = getattr(cls, "__name__", None) or str(cls)
    return typing.cast("T", _structure(data, cls, name))


def _structure(data: Any, tp: Any, path: str) -> Any:  # noqa: C901, PLR0911, PLR0912
    if tp is Any:
        return data
    if tp is type(None):
        if data is not None:
            raise ValidationError(path, data, "null")
        return None
    origin = typing.get_origin(tp)
    if origin is Union or origin is types.UnionType:
        return _structure_union(data, typing.get_args(tp), path)
    if origin is typing.Literal:
        allowed = typing.get_args(tp)
        if data in allowed and type(data) in {type(a) for a in allowed}:
            return data
        raise ValidationError(path, data, "one of " + ", ".join(map(repr, allowed)))
    if origin in (tuple, list, frozenset, set) or tp in (tuple, list, frozenset, set):
        return _structure_sequence(data, tp, origin or tp, path)
    if origin in (dict, Mapping) or tp in (dict, Mapping) or origin is typing.Mapping:
        return _structure_mapping(data, tp, path)
    if not isinstance(tp, type):
        raise ValidationError(path, data, f"a value of a supported type, not {tp!r}")
    hook = _hook(_structure_hooks, tp)
    if hook is not None:
        return hook(data, path)
    if tp is bool:
        if type(data) is not bool:
            raise ValidationError(path, data, "true or false")
        return data
    if tp is int:
        if type(data) is not int:
            raise ValidationError(path, data, "a whole number")
        return data
    if tp is float:
        if type(data) not in (int, float):
            raise ValidationError(path, data, "a number")
        return data  # an int stays an int: float() would round ints beyond 2**53
    if tp is str:
        if type(data) is not str:
            raise ValidationError(path, data, "a string")
        return data
    if issubclass(tp, enum.Enum):
        if type(data) is not str:
            names = ", ".join(tp.__members__)
            raise ValidationError(path, data, f"one of {names} (a {tp.__name__} name)")
        return member_from_name(tp, data, field=path)
    if attrs.has(tp):
        return _structure_attrs(data, tp, path)
    raise ValidationError(path, data, f"data for {tp.__name__}, which stool cannot structure")


def _structure_union(data: Any, members: tuple[Any, ...], path: str) -> Any:
    if data is None and type(None) in members:
        return None
    candidates = [m for m in members if m is not type(None)]
    if len(candidates) == 1:
        return _structure(data, candidates[0], path)
    problems = []
    for member in candidates:
        try:
            return _structure(data, member, path)
        except ValidationError as error:  # noqa: PERF203 - a union tries each member
            problems.append(error.allowed)
    raise ValidationError(path, data, " or ".join(problems))


def _structure_sequence(data: Any, tp: Any, origin: Any, path: str) -> Any:
    if not isinstance(data, (list, tuple)):
        raise ValidationError(path, data, "a list")
    args = typing.get_args(tp)
    if origin is tuple and args and not (len(args) == 2 and args[1] is Ellipsis):
        if len(args) != len(data):
            raise ValidationError(path, data, f"a list of {len(args)} items")
        pairs = enumerate(zip(args, data, strict=True))
        return tuple(_structure(v, a, f"{path}[{i}]") for i, (a, v) in pairs)
    item = args[0] if args else Any
    items = [_structure(v, item, f"{path}[{i}]") for i, v in enumerate(data)]
    if origin in (frozenset, set):
        return frozenset(items)
    if origin is list:
        return items
    return tuple(items)


def _structure_mapping(data: Any, tp: Any, path: str) -> Any:
    if not isinstance(data, Mapping):
        raise ValidationError(path, data, "an object (a mapping)")
    args = typing.get_args(tp)
    key_tp, value_tp = args or (Any, Any)
    return {
        _structure(k, key_tp, f"{path}.{k}"): _structure(v, value_tp, f"{path}.{k}")
        for k, v in data.items()
    }


class _PublicNames(Mapping[str, Any]):
    """stool's public names, as the top-level package gives them (loading on first use).

    A field typed with a name imported only for type checkers (`Company.policies` is a
    `PolicyBook`, and the data model never imports the policy engine) resolves here,
    through the package's own lazy loading rather than an import from the data model.
    """

    def __getitem__(self, name: str) -> Any:
        package = sys.modules["stool"]
        if name not in package.__all__:
            raise KeyError(name)
        return getattr(package, name)

    def __iter__(self) -> Iterator[str]:
        return iter(sys.modules["stool"].__all__)

    def __len__(self) -> int:
        return len(sys.modules["stool"].__all__)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except NameError:
        return typing.get_type_hints(cls, localns=_PublicNames())


def _structure_attrs(data: Any, cls: type, path: str) -> Any:
    if _is_event_class(cls):
        cls, data = _event_class(data, cls, path)
    if not isinstance(data, Mapping):
        raise ValidationError(path, data, f"an object with the fields of {cls.__name__}")
    fields = [a for a in attrs.fields(cls) if a.init]
    names = {a.name for a in fields}
    for key in data:
        if key not in names:
            allowed = f"a field of {cls.__name__}: " + ", ".join(a.name for a in fields)
            raise ValidationError(f"{path}.{key}", data[key], allowed)
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    for a in fields:
        if a.name in data:
            kwargs[a.alias] = _structure(data[a.name], hints[a.name], f"{path}.{a.name}")
        elif a.default is attrs.NOTHING:
            raise ValidationError(f"{path}.{a.name}", None, "a value (this key is required)")
    try:
        return cls(**kwargs)
    except ValidationError as error:
        prefix = f"{cls.__name__}."
        if error.field.startswith(prefix) and not path.endswith(cls.__name__):
            field = path + error.field[len(cls.__name__) :]
            raise ValidationError(field, error.value, error.allowed) from error
        raise


def _event_class(data: Any, cls: type, path: str) -> tuple[type, Any]:
    from stool.events import EVENT_TYPES  # noqa: PLC0415 - loaded with `cls`, an event class

    if not isinstance(data, Mapping) or "type" not in data:
        raise ValidationError(f"{path}.type", None, "the name of an event class")
    name = data["type"]
    event_cls = EVENT_TYPES.get(name) if isinstance(name, str) else None
    if event_cls is None or not issubclass(event_cls, cls):
        allowed = ", ".join(n for n, c in EVENT_TYPES.items() if issubclass(c, cls))
        raise ValidationError(f"{path}.type", name, f"one of {allowed}")
    rest = {k: v for k, v in data.items() if k != "type"}
    return event_cls, rest
