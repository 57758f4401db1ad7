"""Shift: a day at the contact centre, as data, and its simulation."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from stool._fields import boolean, instance_of, non_negative, positive, text
from stool.enums import Authority
from stool.errors import PolicyError, ValidationError
from stool.models import StoolModel
from stool.parties import Agent, Company
from stool.shift._parts import Behaviour, Breaks, CustomerMix, Strain

if TYPE_CHECKING:
    from pathlib import Path

    from stool.policy import LedgerEntry, PolicyBook
    from stool.shift._parts import Request
    from stool.shift._result import ShiftResult

__all__ = ["Shift", "request_problems"]


def _positive_or_infinite(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    ok = type(value) in (int, float) and value > 0 and (math.isfinite(value) or value == math.inf)
    if not ok:
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}",
            value,
            "a number above 0, or infinity (math.inf; inf in a file)",
        )


def _tuple_of(value: Any) -> Any:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        return value
    return tuple(value)


def _check_agents(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    name = f"{type(instance).__name__}.{attribute.name}"
    if not isinstance(value, tuple) or not value:
        raise ValidationError(name, value, "a non-empty sequence of Agents")
    for index, agent in enumerate(value):
        if not isinstance(agent, Agent):
            raise ValidationError(f"{name}[{index}]", agent, "an Agent")
    ids = [agent.id for agent in value]
    for index, agent_id in enumerate(ids):
        if ids.index(agent_id) != index:
            raise ValidationError(f"{name}[{index}].id", agent_id, "agents with distinct ids")


def _arrivals_tuple(value: Any) -> Any:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        return value
    return tuple(float(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value)


def _check_arrivals(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    name = f"{type(instance).__name__}.{attribute.name}"
    allowed = "a non-empty sequence of calls per interval, each a finite number at least 0"
    if not isinstance(value, tuple) or not value:
        raise ValidationError(name, value, allowed)
    for index, calls in enumerate(value):
        if type(calls) is not float or not (math.isfinite(calls) and calls >= 0):
            raise ValidationError(f"{name}[{index}]", calls, allowed)


def _check_seed(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not int:
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}", value, "a whole number"
        )


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _check_date(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    allowed = "a date, or an ISO date string such as '2024-06-03'"
    name = f"{type(instance).__name__}.{attribute.name}"
    if type(value) is not str or len(value) != 10:
        raise ValidationError(name, value, allowed)
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(name, value, allowed) from None


def _check_entries(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    from stool.policy import LedgerEntry  # noqa: PLC0415 - the policy engine, on first use

    name = f"{type(instance).__name__}.{attribute.name}"
    if not isinstance(value, tuple):
        raise ValidationError(name, value, "a sequence of LedgerEntry")
    for index, entry in enumerate(value):
        if not isinstance(entry, LedgerEntry):
            raise ValidationError(f"{name}[{index}]", entry, "a LedgerEntry")


def _optional_breaks(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, Breaks):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}", value, "a Breaks, or None"
        )


def request_problems(
    book: PolicyBook | None, requests: tuple[Request, ...]
) -> list[ValidationError]:
    """Return a problem for every request the book cannot judge (all of them, in order)."""
    if not requests:
        return []
    if book is None:
        return [
            ValidationError(
                "Shift.company.policies",
                None,
                "a PolicyBook: the customer mix has requests for the book to judge",
            )
        ]
    problems = []
    for index, request in enumerate(requests):
        problem = _request_problem(book, request, index)
        if problem is not None:
            problems.append(problem)
    return problems


def _request_problem(book: PolicyBook, request: Request, index: int) -> ValidationError | None:
    try:
        book.evaluate(
            request.context, by=Authority.AGENT, justification=request.justification, trace=False
        )
    except PolicyError as error:
        return ValidationError(
            f"Shift.customers.requests[{index}].context",
            dict(request.context),
            f"a context the book {book.name!r} can judge ({error})",
        )
    return None


@attrs.frozen(kw_only=True)
class Shift:
    """A day (or part of one) at the contact centre, as data: who works, who calls, the rules.

    The agents (with their [Agent][stool.Agent] parties, authority and starting fatigue)
    answer the calls offered in each interval; callers hang up when their patience runs
    out. Each answered call is played as an [Interaction][stool.Interaction], move by
    move with [stool.events][]: the caller comes from the
    [CustomerMix][stool.shift.CustomerMix], the agent acts by the
    [Behaviour][stool.shift.Behaviour], requests are judged by the company's policy
    book through one ledger kept all day (so budgets on bending hold across the day),
    and the agent's fatigue carries over from contact to contact by the
    [Strain][stool.shift.Strain]. [run][stool.shift.Shift.run] simulates the day.

    Handle times and patience are exponential with the given means (the routine part of
    a call; abuse, escalations, the extra mile and staying longer add to it), the
    assumptions of [ErlangA][stool.queue.ErlangA], so a steady shift with `play=False`
    reproduces Erlang's figures (a test checks this).

    Shifts are data: [from_toml][stool.shift.Shift.from_toml] and
    [to_toml][stool.shift.Shift.to_toml] (and JSON) read and write them.

    Example:
        >>> from stool import Agent
        >>> from stool.shift import Shift
        >>> shift = Shift(agents=[Agent(id=f"rep-{i}") for i in range(14)],
        ...               arrivals=[100] * 4, aht_s=180, seed=7)
        >>> day = shift.run()
        >>> len(day.intervals), day.calls[0].agent
        (4, 'rep-0')
    """

    agents: tuple[Agent, ...] = attrs.field(converter=_tuple_of, validator=_check_agents)
    """The agents on duty all shift, with distinct ids."""
    arrivals: tuple[float, ...] = attrs.field(converter=_arrivals_tuple, validator=_check_arrivals)
    """Calls offered in each interval, in order (the mean of a Poisson count)."""
    interval_s: float = positive(1800.0, unit="seconds")
    """The length of an interval in seconds."""
    aht_s: float = positive(300.0, unit="seconds")
    """The mean handle time of a call's routine part, in seconds: what the company plans
    and staffs for."""
    patience_s: float = attrs.field(default=180.0, validator=_positive_or_infinite)
    """The callers' mean patience in seconds; `math.inf` for callers who never hang up
    (only with `play=False`: Erlang C cannot price a contact that takes its interval past
    capacity, and callers always hang up in the end)."""
    seed: int = attrs.field(default=0, validator=_check_seed)
    """The seed of the run's random streams."""
    name: str = text("shift")
    """A name for reports."""
    company: Company = attrs.field(
        factory=lambda: Company(name="The company"), validator=instance_of(Company)
    )
    """The company: its AHT target, concession budget and policy book."""
    customers: CustomerMix = attrs.field(factory=CustomerMix, validator=instance_of(CustomerMix))
    """Who calls, and with what requests."""
    behaviour: Behaviour = attrs.field(factory=Behaviour, validator=instance_of(Behaviour))
    """How the agents act."""
    strain: Strain = attrs.field(factory=Strain, validator=instance_of(Strain))
    """How the agents' fatigue builds and recovers."""
    breaks: Breaks | None = attrs.field(default=None, validator=_optional_breaks)
    """The agents' rest breaks; None for none."""
    model: StoolModel = attrs.field(factory=StoolModel, validator=instance_of(StoolModel))
    """The model every contact is scored with."""
    date: str = attrs.field(default="2024-06-03", converter=_iso_date, validator=_check_date)
    """The day of the shift, an ISO date: the period the ledger's budgets count in."""
    supervisor: str = text("supervisor")
    """The actor id of the supervisors who decide escalated requests (their budgets are
    shared)."""
    service_level_s: float = non_negative(20.0, unit="seconds")
    """The answer-time target of the service level."""
    play: bool = boolean(True)  # noqa: FBT003
    """Whether to play and score each answered call; False simulates the queue alone."""
    ledger: tuple[LedgerEntry, ...] = attrs.field(
        default=(), converter=_tuple_of, validator=_check_entries
    )
    """Bends recorded before the shift (earlier that day, say), which budgets count."""

    def __attrs_post_init__(self) -> None:
        if self.play and math.isinf(self.patience_s):
            raise ValidationError(
                "Shift.patience_s",
                self.patience_s,
                "a finite number of seconds when contacts are played: a contact's extra "
                "handle time is priced on Erlang A, whose callers hang up (or play=False)",
            )
        if self.play:
            problems = request_problems(self.company.policies, self.customers.requests)
            if problems:
                raise problems[0]

    @property
    def length_s(self) -> float:
        """The shift's length in seconds: the intervals end to end."""
        return len(self.arrivals) * self.interval_s

    def run(self) -> ShiftResult:
        """Simulate the shift on SimPy (needs the `sim` extra) and return every call.

        Calls arrive until the last interval ends; calls still waiting or in progress then
        run to their end. Each answered call is played, priced on the queue (its
        `queue_wait_imposed_s`) and scored with `model`, unless `play` is False.

        Returns:
            The calls, with per-interval and per-agent figures.

        Example:
            >>> from stool import Agent
            >>> shift = Shift(agents=[Agent(id="rep-1")], arrivals=[10], aht_s=60, seed=1)
            >>> shift.run() == shift.run()
            True
        """
        from stool.shift._result import ShiftResult  # noqa: PLC0415 - imports the engines
        from stool.shift._sim import finish, simulate  # noqa: PLC0415

        raw, rests, entries = simulate(self)
        return ShiftResult(
            shift=self, calls=finish(self, raw), rests=tuple(rests), ledger_entries=entries
        )

    # ----------------------------------------------------------------- files

    @classmethod
    def from_toml(cls, text: str, *, base: str | Path | None = None) -> Shift:
        """Read a shift from TOML text (see [Shift files](../explanation/shift.md#shift-files)).

        Args:
            text: The TOML.
            base: The folder that relative policy and model file names are read from;
                None for the current folder.

        Returns:
            The shift.

        Raises:
            ShiftFileError: Listing every problem at once, each with its dotted key
                and, for a misspelt key, the key you probably meant.
        """
        from stool.shift._file import shift_from_text  # noqa: PLC0415 - on first use

        return shift_from_text(text, "toml", base=base)

    @classmethod
    def from_json(cls, text: str, *, base: str | Path | None = None) -> Shift:
        """Read a shift from JSON text, with the keys of [from_toml][stool.shift.Shift.from_toml].

        Args:
            text: The JSON.
            base: The folder that relative policy and model file names are read from.

        Returns:
            The shift.

        Raises:
            ShiftFileError: Listing every problem at once.
        """
        from stool.shift._file import shift_from_text  # noqa: PLC0415 - on first use

        return shift_from_text(text, "json", base=base)

    def to_toml(self) -> str:
        """Write the shift as TOML that [from_toml][stool.shift.Shift.from_toml] reads back.

        The policy book is written by name when it is one of stool's example books, and
        in full otherwise; the model only when it is not the default.

        Returns:
            The TOML text.

        Example:
            >>> from stool import Agent
            >>> shift = Shift(agents=[Agent(id="rep-1")], arrivals=[10, 20])
            >>> Shift.from_toml(shift.to_toml()) == shift
            True
        """
        from stool.shift._file import shift_to_text  # noqa: PLC0415 - on first use

        return shift_to_text(self, "toml")

    def to_json(self) -> str:
        """Write the shift as JSON that [from_json][stool.shift.Shift.from_json] reads back.

        Returns:
            The JSON text.
        """
        from stool.shift._file import shift_to_text  # noqa: PLC0415 - on first use

        return shift_to_text(self, "json")
