"""The enumerations of the stool domain.

Every enum is written by its member *name* (`"SUPERVISOR"`), which is what
[unstructure][stool.unstructure] writes, and read by its name in any case (`"supervisor"`,
`"Supervisor"`), which is what `Interaction(...)`, the events,
[structure][stool.structure] and the batch columns accept.
[Authority][stool.enums.Authority] and [Verdict][stool.enums.Verdict] are ordered:
`Authority.AGENT < Authority.SUPERVISOR` and `max(Verdict.BENT, Verdict.BROKEN)` work
as a reader expects, and comparing with anything but the same enum raises `TypeError`.
"""

from __future__ import annotations

import enum
from typing import Any, TypeVar

from stool.errors import ValidationError

__all__ = [
    "Authority",
    "Channel",
    "CustomerType",
    "Leg",
    "LegStatus",
    "Verdict",
    "member_from_name",
]

E = TypeVar("E", bound=enum.Enum)


class _Ordered(enum.Enum):
    """An enum whose members compare by their integer value, only with each other."""

    def __lt__(self, other: object) -> bool:
        if type(other) is type(self):
            return self.value < other.value  # type: ignore[no-any-return]
        return NotImplemented

    def __le__(self, other: object) -> bool:
        if type(other) is type(self):
            return self.value <= other.value  # type: ignore[no-any-return]
        return NotImplemented

    def __gt__(self, other: object) -> bool:
        if type(other) is type(self):
            return self.value > other.value  # type: ignore[no-any-return]
        return NotImplemented

    def __ge__(self, other: object) -> bool:
        if type(other) is type(self):
            return self.value >= other.value  # type: ignore[no-any-return]
        return NotImplemented


class Leg(enum.Enum):
    """The three legs of the stool: whose satisfaction a score measures."""

    CUSTOMER = "customer"
    """The person who contacted the company."""
    COMPANY = "company"
    """The business the agent represents: its policies, costs and reputation."""
    AGENT = "agent"
    """The representative who handled the contact."""


class LegStatus(enum.Enum):
    """What a leg's score says: it holds, it is at risk, or there is not enough evidence.

    A leg is at risk when its value is below its at-risk level, whatever was unobserved:
    observed evidence of risk stands. A leg that is not at risk holds only when enough of
    it was observed (its coverage is at least
    [Thresholds.min_coverage][stool.models.Thresholds]).
    """

    HOLDS = "holds"
    """Not at risk, and enough of the leg was observed to say so."""
    AT_RISK = "at risk"
    """Below the leg's at-risk level."""
    NOT_ENOUGH_EVIDENCE = "not enough evidence"
    """Not at risk on what was observed, but too little was observed to say it holds."""


class Channel(enum.Enum):
    """The medium of an interaction."""

    CALL = "call"
    """A voice call."""
    CHAT = "chat"
    """A live chat or messaging session."""
    EMAIL = "email"
    """An email thread."""


class CustomerType(enum.Enum):
    """The four customer outcomes of the source stories (the email associate's story).

    See [classify][stool.classify] for how an interaction is sorted into one.
    """

    VERY_SATISFIED = "very_satisfied"
    """Got what they asked for, and the agent went the extra mile."""
    SATISFIED = "satisfied"
    """Got what they asked for; the resolution made up for the inconvenience."""
    DISSATISFIED = "dissatisfied"
    """The request was not fulfilled."""
    VERY_DISSATISFIED = "very_dissatisfied"
    """The request was not fulfilled *and* the agent handled it unprofessionally."""


class Authority(_Ordered):
    """Who acts or approves, ordered `AGENT < SUPERVISOR < MANAGER`."""

    AGENT = 1
    """A front-line representative."""
    SUPERVISOR = 2
    """A team lead or supervisor: may approve what an agent alone may not."""
    MANAGER = 3
    """A manager: the widest authority stool models."""


class Verdict(_Ordered):
    """How an action stands against a policy, ordered `COMPLIANT < BENT < BROKEN`.

    `max()` over verdicts gives the worst one, so a break always wins over a bend.
    """

    COMPLIANT = 1
    """Within every applicable rule."""
    BENT = 2
    """Outside a rule's bound but inside the actor's tolerance: a bend."""
    BROKEN = 3
    """A hard rule crossed, a tolerance or budget exceeded: a break."""


def member_from_name(enum_cls: type[E], value: Any, *, field: str) -> E:
    """Return the member of `enum_cls` that `value` names, or `value` if it is a member.

    A name is read in any case (`"CALL"`, `"call"`, `"Call"`), as a table or a form
    writes it; nothing else is guessed: no spaces are stripped, and a member's value is
    not a name.

    Args:
        enum_cls: The enumeration to look in.
        value: A member of `enum_cls`, or the name of one in any case.
        field: The field name used in the error message.

    Returns:
        The member.

    Raises:
        ValidationError: If `value` is neither a member nor the name of one.

    Examples:
        >>> member_from_name(Channel, "CHAT", field="channel")
        <Channel.CHAT: 'chat'>
        >>> member_from_name(Authority, "supervisor", field="by")
        <Authority.SUPERVISOR: 2>
    """
    if isinstance(value, enum_cls):
        return value
    if type(value) is str or isinstance(value, str):
        members = enum_cls.__members__
        member = members.get(value)
        if member is None and value.isascii():
            member = members.get(value.upper())
        if member is not None:
            return member
    names = ", ".join(enum_cls.__members__)
    raise ValidationError(field, value, f"one of {names} (a {enum_cls.__name__} name, in any case)")
