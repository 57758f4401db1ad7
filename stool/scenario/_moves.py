"""The moves of a scenario: events, proposed actions the policy book judges, and deviations.

[Propose][stool.scenario.Propose] carries a policy context, frozen into a read-only
mapping so that moves stay hashable values; [Deviate][stool.scenario.Deviate] is a bend
or break no policy book judges.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final, TypeAlias

import attrs

from stool._fields import enum_field, non_negative, spec_of, text
from stool.enums import Authority, Verdict
from stool.errors import ValidationError
from stool.events import Event
from stool.interaction import Interaction
from stool.serialization import register

__all__ = ["Deviate", "Move", "Propose"]


# ------------------------------------------------------------------------ frozen mappings


class _FrozenMap(Mapping[str, Any]):
    """A read-only, hashable mapping of field names to scalar values."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> None:
        self._data: dict[str, Any] = dict(data)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._data == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return repr(self._data)

    def __getstate__(self) -> dict[str, Any]:
        return self._data

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._data = dict(state)


def _freeze(value: Any) -> Any:
    """Freeze JSON-like context data: mappings to read-only mappings, lists to tuples."""
    if isinstance(value, Mapping):
        return _FrozenMap((key, _freeze(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(item) for item in value)
    return value


def _freeze_context(value: Any) -> Any:
    return _freeze(value) if isinstance(value, Mapping) else value


def _thaw(value: Any) -> Any:
    """Turn frozen context data back into plain dicts and lists."""
    if isinstance(value, Mapping):
        return {key: _thaw(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [_thaw(item) for item in value]
    return value


def _to_changes(value: Any) -> Any:
    """Freeze a mapping of field changes, reading enum fields' member names (`"EMAIL"`)."""
    if not isinstance(value, Mapping):
        return value
    fields = attrs.fields_dict(Interaction)
    out: dict[Any, Any] = {}
    for key, item in value.items():
        spec = spec_of(fields[key]) if key in fields else None
        if spec is not None and spec.enum is not None and isinstance(item, str):
            members = spec.enum.__members__
            out[key] = members.get(item) or members.get(
                item.upper() if item.isascii() else item, item
            )
        else:
            out[key] = item
    return _FrozenMap(out)


def _is_scalar(value: Any) -> bool:
    if value is None or type(value) in (bool, int, str):
        return True
    return type(value) is float and math.isfinite(value)


_CONTEXT_VALUES: Final = (
    "strings, whole numbers, finite numbers, booleans, None, lists of these, "
    "or nested mappings of them"
)


def _check_context_value(name: str, value: Any, depth: int = 0) -> None:
    if depth > _MAX_DEPTH:
        raise ValidationError(name, value, f"data nested at most {_MAX_DEPTH} levels deep")
    if isinstance(value, _FrozenMap):
        for key, item in value.items():
            if type(key) is not str or not key:
                raise ValidationError(name, key, "non-empty string keys")
            _check_context_value(f"{name}.{key}", item, depth + 1)
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            _check_context_value(f"{name}[{index}]", item, depth + 1)
    elif not _is_scalar(value):
        raise ValidationError(name, value, _CONTEXT_VALUES)


_MAX_DEPTH: Final = 16


def _check_context(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    name = f"{type(instance).__name__}.{attribute.name}"
    if not isinstance(value, _FrozenMap):
        raise ValidationError(name, value, f"a mapping of field names to {_CONTEXT_VALUES}")
    _check_context_value(name, value)


def _check_changes(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    name = f"{type(instance).__name__}.{attribute.name}"
    if not isinstance(value, _FrozenMap):
        raise ValidationError(name, value, "a mapping of Interaction field names to values")
    fields = attrs.fields_dict(Interaction)
    for key, item in value.items():
        if key not in fields:
            raise ValidationError(f"{name}.{key}", item, "a field of Interaction")
        spec = spec_of(fields[key])
        if spec is not None:
            spec.check(f"{name}.{key}", item)


def _as_tuple(value: Any) -> Any:
    """Turn a list or other iterable into a tuple; leave strings, mappings and scalars."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        return value
    return tuple(value)


def _events_tuple(value: Iterable[Event]) -> tuple[Event, ...]:
    return _as_tuple(value)  # type: ignore[no-any-return]


def _moves_tuple(value: Iterable[Move]) -> tuple[Move, ...]:
    return _as_tuple(value)  # type: ignore[no-any-return]


def _check_events(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    name = f"{type(instance).__name__}.{attribute.name}"
    if not isinstance(value, tuple):
        raise ValidationError(name, value, "a sequence of moves from stool.events")
    for index, item in enumerate(value):
        if not isinstance(item, Event) or type(item) is Event:
            raise ValidationError(f"{name}[{index}]", item, "a move from stool.events")


def _optional_text(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (type(value) is not str or not value.strip()):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}", value, "a non-empty string, or None"
        )


def _optional_authority(value: Any) -> Any:
    if isinstance(value, str) and value in Authority.__members__:
        return Authority[value]
    return value


def _check_optional_authority(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, Authority):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}",
            value,
            "one of AGENT, SUPERVISOR, MANAGER (an Authority), or None",
        )


# ------------------------------------------------------------------------------ the moves


@attrs.frozen(kw_only=True)
class Propose:
    """An action the agent (or the escalated authority) takes, judged by the company's policies.

    When a scenario runs, the company's [PolicyBook][stool.policy.PolicyBook] judges
    `context` as the acting authority, within the run's [Ledger][stool.policy.Ledger] (so
    bending budgets apply within a scenario); then `effect` and `changes` are applied, and
    [apply_decision][stool.policy.apply_decision] folds the decision into the interaction
    (`bends`, `breaks`).
    The action is taken whatever the verdict: a scenario records what the agent did, and
    the timeline shows what it cost.

    Example:
        >>> from stool.events import Resolve
        >>> late_refund = Propose(
        ...     context={"action": "refund", "days_since_purchase": 34, "refund_amount": 60,
        ...              "purchase_price": 60, "item_category": "kitchen"},
        ...     effect=(Resolve(),),
        ...     justification="a loyal customer whose parcel sat at a neighbour's for a week",
        ...     label="refund 34 days after purchase",
        ... )
        >>> late_refund.describe()
        'refund 34 days after purchase'
    """

    context: Mapping[str, Any] = attrs.field(converter=_freeze_context, validator=_check_context)
    """The facts the policy book reads (field names to strings, numbers, booleans or None),
    for example `{"action": "refund", "days_since_purchase": 34}`."""
    effect: tuple[Event, ...] = attrs.field(
        default=(), converter=_events_tuple, validator=_check_events
    )
    """The moves from [stool.events][] the action amounts to, applied in order (for a
    granted refund, `(Resolve(),)`)."""
    changes: Mapping[str, Any] = attrs.field(
        factory=_FrozenMap, converter=_to_changes, validator=_check_changes
    )
    """Fields of the interaction the action sets directly, applied after `effect`
    (for example `{"concession_cost": 60.0}`)."""
    cost: float = non_negative(0.0, unit="(currency)")
    """What the action gives away beyond what the policy grants anyway (a refund outside
    the window, a goodwill credit), added to `concession_cost` by
    [apply_decision][stool.policy.apply_decision]."""
    justification: str | None = attrs.field(default=None, validator=_optional_text)
    """Why the deviation benefits the customer; a policy may require one for a bend."""
    by: Authority | None = attrs.field(
        default=None, converter=_optional_authority, validator=_check_optional_authority
    )
    """Who acts; None for the interaction's current `authority` (the escalated authority
    after an [Escalate][stool.events.Escalate])."""
    label: str = text("", min_len=0)
    """A short phrase for timelines; empty to describe the action by its context."""

    def describe(self) -> str:
        """Return a one-line description: the label, or the action and its context."""
        if self.label:
            return self.label
        shown = ", ".join(f"{k}={v!r}" for k, v in self.context.items())
        return f"propose ({shown})" if shown else "propose"

    def apply_effect(self, interaction: Interaction) -> Interaction:
        """Return `interaction` after `effect` and `changes`, without any policy judgement.

        Args:
            interaction: The interaction before the action.

        Returns:
            The interaction after the action's effect.
        """
        for event in self.effect:
            interaction = event.apply(interaction)
        if self.changes:
            interaction = interaction.replace(**self.changes)
        return interaction


def _check_deviation(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is Verdict.COMPLIANT:
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}", value, "BENT or BROKEN (a Verdict)"
        )


@attrs.frozen(kw_only=True)
class Deviate:
    """A bend or a break that no policy book judges: the scenario says what it was.

    Use it to script a role-play without a policy book, or to replay a record in which
    someone already judged the deviation.
    Changes: `bends += 1` when `verdict` is BENT, `breaks += 1` when it is BROKEN.

    Example:
        >>> from stool import Interaction, Verdict
        >>> Deviate(verdict=Verdict.BROKEN).apply(Interaction()).breaks
        1
    """

    verdict: Verdict = enum_field(Verdict, Verdict.BENT, also=_check_deviation)
    """BENT or BROKEN."""
    justification: str | None = attrs.field(default=None, validator=_optional_text)
    """Why the deviation benefits the customer (for the record and the timeline)."""
    label: str = text("", min_len=0)
    """A short phrase for timelines; empty for "bend a rule" or "break a rule"."""

    def describe(self) -> str:
        """Return a one-line description of the deviation."""
        if self.label:
            return self.label
        return "bend a rule" if self.verdict is Verdict.BENT else "break a rule"

    def apply(self, interaction: Interaction) -> Interaction:
        """Return the interaction with one more bend or break; `interaction` is unchanged."""
        if self.verdict is Verdict.BENT:
            return attrs.evolve(interaction, bends=interaction.bends + 1)
        return attrs.evolve(interaction, breaks=interaction.breaks + 1)


Move: TypeAlias = Event | Propose | Deviate
"""One move of a scenario: an event from [stool.events][], a [Propose][stool.scenario.Propose]
or a [Deviate][stool.scenario.Deviate]."""


def _describe(move: Move) -> str:
    return move.describe()


def _by_customer(move: Move) -> bool:
    """Whether the customer makes the move (or it happens to the agent), not the agent."""
    from stool.events import (  # noqa: PLC0415 - loaded on first use, to keep import stool light
        CustomerAbuse,
        Deliver,
        RepeatContact,
        Survey,
        Thank,
        Wait,
    )

    return isinstance(move, (CustomerAbuse, Deliver, RepeatContact, Survey, Thank, Wait))


def _check_moves(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    name = f"{type(instance).__name__}.{attribute.name}"
    if not isinstance(value, tuple):
        raise ValidationError(name, value, "a sequence of moves")
    for index, item in enumerate(value):
        if not _is_move(item):
            raise ValidationError(
                f"{name}[{index}]", item, "a move: a stool.events event, a Propose or a Deviate"
            )


def _is_move(item: Any) -> bool:
    if isinstance(item, (Propose, Deviate)):
        return True
    return isinstance(item, Event) and type(item) is not Event


# ------------------------------------------------------------------------- serialization


def _unstructure_move(move: Propose | Deviate) -> dict[str, Any]:
    from stool.serialization import unstructure  # noqa: PLC0415

    data: dict[str, Any] = {"type": type(move).__name__}
    for a in attrs.fields(type(move)):
        data[a.name] = unstructure(getattr(move, a.name))
    return data


def _structure_move(cls: type[Propose | Deviate]) -> Any:
    def hook(data: Any, path: str) -> Any:
        from stool.serialization import _structure_attrs  # noqa: PLC0415

        kind = data.get("type") if isinstance(data, Mapping) else None
        if kind != cls.__name__:
            raise ValidationError(f"{path}.type", kind, repr(cls.__name__))
        rest = {k: v for k, v in data.items() if k != "type"}
        return _structure_attrs(rest, cls, path)

    return hook


register(Propose, unstructure=_unstructure_move, structure=_structure_move(Propose))
register(Deviate, unstructure=_unstructure_move, structure=_structure_move(Deviate))
