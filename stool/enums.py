"""The enumerations of the stool domain.

Every enum is written and read by its member *name* (`"SUPERVISOR"`), which is what
[unstructure][stool.unstructure] writes and what [structure][stool.structure] and the
batch columns accept.
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

    Args:
        enum_cls: The enumeration to look in.
        value: A member of `enum_cls`, or the exact name of one (`"CALL"`).
        field: The field name used in the error message.

    Returns:
        The member.

    Raises:
        ValidationError: If `value` is neither a member nor the exact name of one.
            Names are case-sensitive; nothing is guessed.

    Examples:
        >>> member_from_name(Channel, "CHAT", field="channel")
        <Channel.CHAT: 'chat'>
    """
    if isinstance(value, enum_cls):
        return value
    if isinstance(value, str):
        member = enum_cls.__members__.get(value)
        if member is not None:
            return member
    names = ", ".join(enum_cls.__members__)
    raise ValidationError(field, value, f"one of {names} (a {enum_cls.__name__} name)")
