"""A leg's contributions: the read-only mapping a leg score carries, and the names in it.

A [LegScore][stool.scoring.LegScore]'s `contributions` hold one entry per factor of its
leg model, in the model's `FACTORS` order, then one `"cap: ..."` entry per cap that bit.
`score` builds the mapping from a shared index of names and a list of numbers, and fills
frozen, slotted instances through their slots' own descriptors (`_setter`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

from stool.models import AgentModel, CompanyModel, CustomerModel

__all__ = ["ABUSE_CAP", "BREAK_CAP", "CAP_PREFIX"]

CAP_PREFIX: Final = "cap: "
"""Contributions whose name starts with this are caps, not factors."""

BREAK_CAP: Final = "cap: policy break"
"""The contribution of the break cap (company and agent legs), when it bites."""

ABUSE_CAP: Final = "cap: severe abuse"
"""The contribution of the severe-abuse cap (agent leg), when it bites."""

_new = object.__new__


def _setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    # The slot's own descriptor: the fastest way to fill a frozen, slotted instance that
    # `score` computed itself and so need not validate.
    setter: Callable[[Any, Any], None] = cls.__dict__[name].__set__
    return setter


class _Contributions(Mapping[str, float]):
    """A read-only mapping of factor names to contributions, cheap to build."""

    __slots__ = ("_index", "_values")

    _index: Mapping[str, int]
    _values: list[float]

    def __getitem__(self, key: str) -> float:
        return self._values[self._index[key]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(dict(self.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_contributions_from, (dict(self.items()),))


_set_index = _setter(_Contributions, "_index")
_set_values = _setter(_Contributions, "_values")
_INDEXES: dict[tuple[str, ...], dict[str, int]] = {}


def _index(names: tuple[str, ...]) -> dict[str, int]:
    index = _INDEXES.get(names)
    if index is None:
        index = _INDEXES[names] = {name: position for position, name in enumerate(names)}
    return index


def _contributions_from(data: Mapping[str, float]) -> _Contributions:
    # A copy of what the caller gave, so that later changes to it do not show through.
    mapping = _new(_Contributions)
    _set_index(mapping, {name: position for position, name in enumerate(data)})
    _set_values(mapping, list(data.values()))
    return mapping


# Pickles name the rebuilder where it was before stool.scoring became a package.
_contributions_from.__module__ = "stool.scoring"

# The legs by name, and each leg's factors by position in its model's `FACTORS`.
_CUSTOMER: Final = "customer"
_COMPANY: Final = "company"
_AGENT: Final = "agent"
_FACTOR_INDEXES: Final = {
    _CUSTOMER: _index(CustomerModel.FACTORS),
    _COMPANY: _index(CompanyModel.FACTORS),
    _AGENT: _index(AgentModel.FACTORS),
}
