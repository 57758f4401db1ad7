"""Script a contact move by move, see the stool after every move, branch what-ifs, get advice.

A [Scenario][stool.scenario.Scenario] is the three parties, a start
[Interaction][stool.interaction.Interaction] and a sequence of moves.
A move is an event from [stool.events][] (a greeting, an explanation, an insult), a
[Propose][stool.scenario.Propose] (an action the company's policy book judges, such as a
refund 34 days after purchase), or a [Deviate][stool.scenario.Deviate] (a bend or break
that no policy book judges).
[Scenario.run][stool.scenario.Scenario.run] plays the moves and returns a
[Timeline][stool.scenario.Timeline]: the interaction, the policy decision and the
[StoolScore][stool.scoring.StoolScore] after every move.
[advise][stool.scenario.advise] weighs candidate next moves and ranks them by the stool
they leave behind, as the source stories advise.

    >>> from stool.events import Greet, Listen, Resolve, Thank
    >>> from stool.scenario import Scenario
    >>> timeline = Scenario(title="A quick yes").then(Greet(), Listen(), Resolve(), Thank()).run()
    >>> len(timeline), timeline.final.at_risk
    (4, frozenset())

Scenarios are values: `then` and `branch` return new scenarios and never change the one
they start from, and running the same scenario twice gives equal timelines.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, overload

import attrs

from stool._fields import enum_field, instance_of, non_negative, spec_of, text
from stool.batch import OUTPUT_COLUMNS
from stool.enums import Authority, Channel, Leg, Verdict
from stool.errors import ValidationError
from stool.events import BadNews, EndCall, Escalate, Event, ExplainPolicy, ExtraMile, Resolve
from stool.interaction import Interaction
from stool.parties import Agent, Company, Customer
from stool.serialization import register

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from pandas import DataFrame

    from stool.models import StoolModel
    from stool.policy import Decision, Ledger, PolicyBook
    from stool.scoring import LegScore, StoolScore

__all__ = [
    "DEFAULT_JUSTIFICATION",
    "Advice",
    "Deviate",
    "LegState",
    "Move",
    "Option",
    "OptionKind",
    "Propose",
    "Scenario",
    "Step",
    "Timeline",
    "advise",
    "default_options",
]

DEFAULT_JUSTIFICATION: Final = (
    "to keep a customer whose request is reasonable and who would otherwise leave"
)
"""The justification [default_options][stool.scenario.default_options] gives a bend when the
request carries none: the customer's benefit, as a bend must record it."""


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
            out[key] = spec.enum.__members__.get(item, item)
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


# ---------------------------------------------------------------------------- the scenario


def _check_request(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, Propose):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}", value, "a Propose, or None"
        )


def _check_start(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, Interaction):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}", value, "an Interaction, or None"
        )


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat() if not isinstance(value, dt.datetime) else value
    return value


def _check_date(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    try:
        ok = type(value) is str and dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        ok = False
    if not ok:
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}",
            value,
            "an ISO date such as '2024-06-01', or a datetime.date",
        )


@attrs.frozen(kw_only=True)
class Scenario:
    """A role-play: the three parties, where the contact starts, and the moves played.

    Scenarios are immutable: [then][stool.scenario.Scenario.then] and
    [branch][stool.scenario.Scenario.branch] return new ones.
    A scenario that proposes actions ([Propose][stool.scenario.Propose], in `moves` or as
    `request`) needs a company with a policy book (`company.policies`) to judge them.

    Example:
        >>> from stool import Customer, Interaction
        >>> from stool.events import BadNews, ExplainPolicy, Greet, Listen
        >>> braced = Customer(id="C-7", prior_bad_experiences=1, expectations=0.1)
        >>> refusal = Scenario(
        ...     customer=braced,
        ...     start=Interaction.for_parties(customer=braced, fulfilment=0.0, handle_time_s=0.0),
        ...     moves=(Greet(), Listen(), ExplainPolicy(), BadNews()),
        ... )
        >>> curt = refusal.branch(at=2, moves=[BadNews()])
        >>> len(refusal.moves), len(curt.moves)
        (4, 3)
    """

    customer: Customer = attrs.field(
        default=Customer(id="customer"), validator=instance_of(Customer)
    )
    """The customer who makes contact."""
    agent: Agent = attrs.field(default=Agent(id="agent"), validator=instance_of(Agent))
    """The agent who handles the contact."""
    company: Company = attrs.field(default=Company(name="company"), validator=instance_of(Company))
    """The company; its policy book (`company.policies`) judges every proposed action."""
    channel: Channel = enum_field(Channel, Channel.CALL)
    """The medium of the contact."""
    start: Interaction | None = attrs.field(default=None, validator=_check_start)
    """The interaction before the first move; None to start from the parties' facts
    (`Interaction.for_parties(customer=..., agent=..., company=..., channel=...)`).
    Its channel must be the scenario's."""
    moves: tuple[Move, ...] = attrs.field(
        default=(), converter=_moves_tuple, validator=_check_moves
    )
    """The moves, in order."""
    request: Propose | None = attrs.field(default=None, validator=_check_request)
    """What the customer asks for, as an action the policy book can judge: what
    [advise][stool.scenario.advise] weighs granting, bending, escalating or refusing.
    None if the scenario has no open request."""
    title: str = text("", min_len=0)
    """A short name for tables and plots."""
    date: str = attrs.field(default="2024-01-01", converter=_iso_date, validator=_check_date)
    """The ISO date of the contact (a `datetime.date` is converted): the period that
    bending budgets count in."""

    def __attrs_post_init__(self) -> None:
        if self.start is not None and self.start.channel is not self.channel:
            raise ValidationError(
                "Scenario.start.channel",
                self.start.channel,
                f"the scenario's channel, {self.channel.name}",
            )
        proposes = self.request is not None or any(isinstance(m, Propose) for m in self.moves)
        if proposes and _policies(self.company) is None:
            raise ValidationError(
                "Scenario.company.policies",
                None,
                "a PolicyBook to judge the proposed actions (Propose moves or the request)",
            )

    @property
    def initial(self) -> Interaction:
        """The interaction before the first move: `start`, or one built from the parties."""
        if self.start is not None:
            return self.start
        return Interaction.for_parties(
            customer=self.customer, agent=self.agent, company=self.company, channel=self.channel
        )

    def then(self, *moves: Move) -> Scenario:
        """Return a new scenario with `moves` played after this one's.

        Args:
            *moves: Moves to append, in order.

        Returns:
            The longer scenario; this one is unchanged.

        Raises:
            ValidationError: If something in `moves` is not a move.

        Example:
            >>> from stool.events import Greet, Thank
            >>> Scenario().then(Greet()).then(Thank()).moves
            (Greet(seconds=15.0), Thank())
        """
        return attrs.evolve(self, moves=(*self.moves, *moves))

    def branch(self, *, at: int, moves: Iterable[Move] = ()) -> Scenario:
        """Return a what-if: this scenario's first `at` moves, then `moves` instead of the rest.

        Args:
            at: How many of this scenario's moves to keep, from 0 (none) to `len(moves)`.
            moves: The moves that follow instead.

        Returns:
            The new scenario; this one is unchanged.

        Raises:
            ValidationError: If `at` is not a whole number from 0 to the number of moves,
                or something in `moves` is not a move.

        Example:
            >>> from stool.events import AgentUnprofessional, BadNews, ExplainPolicy
            >>> kind = Scenario().then(ExplainPolicy(), BadNews())
            >>> kind.branch(at=0, moves=[AgentUnprofessional(), BadNews()]).moves[0].label
            'agent unprofessional'
        """
        if type(at) is not int or not 0 <= at <= len(self.moves):
            raise ValidationError(
                "Scenario.branch.at", at, f"a whole number from 0 to {len(self.moves)}"
            )
        if isinstance(moves, (str, bytes, Mapping)) or not isinstance(moves, Iterable):
            raise ValidationError(
                "Scenario.branch.moves", moves, "a sequence of moves (a list or tuple)"
            )
        return attrs.evolve(self, moves=(*self.moves[:at], *tuple(moves)))

    def run(self, model: StoolModel | None = None, *, ledger: Ledger | None = None) -> Timeline:
        """Play every move and score the stool after each one.

        Each [Propose][stool.scenario.Propose] is judged by `company.policies` as its
        acting authority (its `by`, or the interaction's current `authority`), within one
        [Ledger][stool.policy.Ledger] for the whole run, so bending budgets apply within
        the scenario; the decision is folded into the interaction with
        [apply_decision][stool.policy.apply_decision].

        Args:
            model: The scoring model; None for the default
                [StoolModel][stool.models.StoolModel].
            ledger: The ledger to judge and record bends in, for example one that holds
                the agent's bends earlier in the day; None for a fresh, empty one.
                A given ledger records this run's decisions.

        Returns:
            The timeline: one [Step][stool.scenario.Step] per move.

        Example:
            >>> from stool.events import CustomerAbuse, EndCall
            >>> abusive = Scenario().then(CustomerAbuse(severity=1.0), EndCall(by_agent=True))
            >>> Leg.AGENT in abusive.run().final.at_risk
            True
        """
        from stool.models import StoolModel  # noqa: PLC0415
        from stool.policy import Ledger  # noqa: PLC0415
        from stool.scoring import score  # noqa: PLC0415

        model = StoolModel() if model is None else model
        ledger = Ledger() if ledger is None else ledger
        interaction = self.initial
        start_score = score(interaction, model)
        steps: list[Step] = []
        for move in self.moves:
            decision: Decision | None = None
            if isinstance(move, Propose):
                interaction, decision = _act(self, move, interaction, ledger)
            else:
                interaction = move.apply(interaction)
            steps.append(
                Step(
                    move=move,
                    interaction=interaction,
                    decision=decision,
                    score=score(interaction, model),
                )
            )
        return Timeline(
            scenario=self,
            model=model,
            start=self.initial,
            start_score=start_score,
            steps=tuple(steps),
        )


def _policies(company: Company) -> PolicyBook | None:
    return company.policies


def _actor(agent: Agent, by: Authority) -> str:
    """Name who acts: the agent, or the higher authority the contact went to."""
    if by <= agent.authority:
        return agent.id
    return f"{by.name.lower()} of {agent.id}"


def _act(
    scenario: Scenario, move: Propose, interaction: Interaction, ledger: Ledger
) -> tuple[Interaction, Decision]:
    from stool.policy import apply_decision  # noqa: PLC0415

    book = _policies(scenario.company)
    if book is None:  # pragma: no cover - Scenario refuses this at construction
        raise ValidationError("Scenario.company.policies", None, "a PolicyBook")
    by = interaction.authority if move.by is None else move.by
    decision: Decision = book.evaluate(
        _thaw(move.context),
        by=by,
        ledger=ledger,
        justification=move.justification,
        actor=_actor(scenario.agent, by),
        when=scenario.date,
    )
    ledger.record(decision)
    after = move.apply_effect(interaction)
    return apply_decision(after, decision, cost=move.cost), decision


# --------------------------------------------------------------------------- the timeline


@attrs.frozen(kw_only=True)
class Step:
    """One move of a run and where it left the stool."""

    move: Move
    """The move played."""
    interaction: Interaction
    """The interaction after the move."""
    decision: Decision | None
    """The policy decision on the move (a [Propose][stool.scenario.Propose]); None for
    every other move."""
    score: StoolScore
    """The three legs after the move."""

    @property
    def verdict(self) -> Verdict | None:
        """The move's verdict: the decision's, a [Deviate][stool.scenario.Deviate]'s, or None."""
        if self.decision is not None:
            return self.decision.verdict
        if isinstance(self.move, Deviate):
            return self.move.verdict
        return None

    def describe(self) -> str:
        """Return the move's one-line description."""
        return _describe(self.move)


_LEGS: Final = (Leg.CUSTOMER, Leg.COMPANY, Leg.AGENT)

LegState: TypeAlias = Literal["ok", "at risk", "collapsed"]
"""How a leg stands in a timeline: `"ok"`, `"at risk"` or `"collapsed"` (see
[Timeline.leg_state][stool.scenario.Timeline.leg_state])."""

_COLOURS: Final[dict[str, str]] = {
    "ok": "#d8f0d2",
    "at risk": "#fbe3a6",
    "collapsed": "#f5b7b1",
}
_LINE_COLOURS: Final[dict[Leg, str]] = {
    Leg.CUSTOMER: "#1f77b4",
    Leg.COMPANY: "#8c564b",
    Leg.AGENT: "#2ca02c",
}


@attrs.frozen(kw_only=True, repr=False)
class Timeline(Sequence[Step]):
    """The result of [Scenario.run][stool.scenario.Scenario.run]: one step per move.

    A timeline is a sequence of [Step][stool.scenario.Step]s: iterate over it, index it,
    take its `len`.
    In a notebook it renders as a table with one row per move, the legs coloured by risk;
    [plot][stool.scenario.Timeline.plot] draws the legs over the moves, and
    [to_frame][stool.scenario.Timeline.to_frame] gives a pandas DataFrame.
    `print(timeline)` shows the same table as text.
    """

    scenario: Scenario
    """The scenario that was run."""
    model: StoolModel
    """The scoring model used."""
    start: Interaction
    """The interaction before the first move."""
    start_score: StoolScore
    """The three legs before the first move."""
    steps: tuple[Step, ...]
    """One step per move, in order."""

    def __len__(self) -> int:
        return len(self.steps)

    def __repr__(self) -> str:
        return (
            f"<Timeline {self.scenario.title or 'Scenario'!r}: {len(self)} steps; "
            f"final {_legs_values(self.final)}; {_flags_text(self.final)}>"
        )

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    @overload
    def __getitem__(self, index: int) -> Step: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Step, ...]: ...

    def __getitem__(self, index: int | slice) -> Step | tuple[Step, ...]:
        if isinstance(index, bool) or not isinstance(index, (int, slice)):
            raise ValidationError("Timeline.index", index, "a whole number or a slice")
        return self.steps[index]

    @property
    def final(self) -> StoolScore:
        """The score after the last move (the start score if there are no moves)."""
        return self.steps[-1].score if self.steps else self.start_score

    @property
    def interaction(self) -> Interaction:
        """The interaction after the last move (the start if there are no moves)."""
        return self.steps[-1].interaction if self.steps else self.start

    @property
    def decisions(self) -> tuple[Decision, ...]:
        """The policy decisions taken during the run, in order."""
        return tuple(step.decision for step in self.steps if step.decision is not None)

    def leg_state(self, score: StoolScore, leg: Leg) -> LegState:
        """Return how `leg` stands in `score` under this timeline's model.

        Args:
            score: A score from this timeline.
            leg: The leg to look at.

        Returns:
            `"collapsed"` below the leg's collapse level, `"at risk"` when the leg is
            flagged, `"ok"` otherwise.
        """
        leg_score = _leg(score, leg)
        _, collapse = _levels(self.model, leg)
        if leg_score.value < collapse:
            return "collapsed"
        return "at risk" if leg_score.at_risk else "ok"

    # ------------------------------------------------------------------- text and tables

    def _row(self, number: int | str, label: str, verdict: str, score: StoolScore) -> list[str]:
        cells = [str(number), label, verdict]
        for leg in _LEGS:
            state = self.leg_state(score, leg)
            mark = "" if state == "ok" else f" {state}"
            cells.append(f"{_leg(score, leg).value:.2f}{mark}")
        cells.append(_type_words(score))
        return cells

    def _heading(self) -> str:
        title = self.scenario.title or "Scenario"
        moves = "move" if len(self) == 1 else "moves"
        return f"{title} ({self.scenario.channel.name.lower()}, {len(self)} {moves})"

    def __str__(self) -> str:
        header = ["#", "move", "decision", "customer", "company", "agent", "customer type"]
        rows = [self._row("", "(start)", "", self.start_score)]
        rows += [
            self._row(i, step.describe(), _verdict_text(step), step.score)
            for i, step in enumerate(self.steps, start=1)
        ]
        widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]
        lines = [self._heading()]
        for r in [header, *rows]:
            cells = [r[0].rjust(widths[0])] + [
                c.ljust(w) for c, w in zip(r[1:], widths[1:], strict=True)
            ]
            lines.append("  ".join(cells).rstrip())
        lines.append(_summary(self.final))
        return "\n".join(lines)

    def explain(self) -> str:
        """Return the table of legs per move, then the final score's explanation.

        Example:
            >>> from stool.events import Greet
            >>> print(Scenario(title="Hello").then(Greet()).run().explain())  # doctest: +ELLIPSIS
            Hello (call, 1 move)
            ...
        """
        return f"{self}\n\n{self.final.explain()}"

    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(
            f"<th>{esc(h)}</th>"
            for h in ("#", "move", "decision", "customer", "company", "agent", "customer type")
        )
        body = []
        for number, step in enumerate(self.steps, start=1):
            cells = [f"<td>{number}</td>", f"<td>{esc(step.describe())}</td>"]
            cells.append(f"<td>{esc(_verdict_text(step))}</td>")
            cells += [self._html_leg(step.score, leg) for leg in _LEGS]
            kind = _type_words(step.score)
            cells.append(f"<td>{esc(kind)}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        start = ", ".join(
            f"{leg.value} {_leg(self.start_score, leg).value:.2f}"
            + (
                ""
                if self.leg_state(self.start_score, leg) == "ok"
                else f" ({self.leg_state(self.start_score, leg)})"
            )
            for leg in _LEGS
        )
        legend = " ".join(
            f'<span style="background:{colour};padding:0 0.4em">{state}</span>'
            for state, colour in _COLOURS.items()
        )
        caption = f"{esc(self._heading())}<br><small>start: {esc(start)} &middot; {legend}</small>"
        return (
            '<table class="stool-timeline">'
            f"<caption>{caption}</caption>"
            f"<thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody>"
            f'<tfoot><tr><td colspan="7">{esc(_summary(self.final))}</td></tr></tfoot>'
            "</table>"
        )

    def _html_leg(self, score: StoolScore, leg: Leg) -> str:
        state = self.leg_state(score, leg)
        leg_score = _leg(score, leg)
        title = "; ".join(leg_score.reasons) or state
        return (
            f'<td style="background:{_COLOURS[state]}" title="{html.escape(title)}">'
            f"{leg_score.value:.2f}{'' if state == 'ok' else ' ' + state}</td>"
        )

    def to_frame(self) -> DataFrame:
        """Return a pandas DataFrame with one row per move (needs the `batch` extra).

        Columns: `move`, `verdict` (a [Verdict][stool.enums.Verdict] name),
        `requires` (the authority that could approve the deviation as a bend),
        `customer`, `company`, `agent` (leg values), `customer_at_risk`,
        `company_at_risk`, `agent_at_risk`, `collapsed`, `customer_type` (a name),
        `predicted_csat`, `p_low`, and each leg's `*_coverage` and `*_status`: the columns
        of [score_batch][stool.batch.score_batch]; the index, `step`, counts moves from 1.
        `verdict` and `requires` are missing (None or NaN, as pandas stores it) where a
        move has no verdict or no deviation.

        Returns:
            The table.

        Example:
            >>> from stool.events import Greet, Resolve
            >>> Scenario().then(Greet(), Resolve()).run().to_frame()["move"].tolist()
            ['greet', 'resolve']
        """
        import pandas as pd  # noqa: PLC0415

        records = []
        for step in self.steps:
            requires = step.decision.requires if step.decision is not None else None
            verdict = step.verdict
            record: dict[str, Any] = {
                "move": step.describe(),
                "verdict": None if verdict is None else verdict.name,
                "requires": None if requires is None else requires.name,
            }
            for leg in _LEGS:
                record[leg.value] = _leg(step.score, leg).value
            for leg in _LEGS:
                record[f"{leg.value}_at_risk"] = _leg(step.score, leg).at_risk
            record["collapsed"] = step.score.collapsed
            kind = step.score.customer_type
            record["customer_type"] = None if kind is None else kind.name
            record["predicted_csat"] = step.score.predicted_csat
            record["p_low"] = step.score.p_low
            for leg in _LEGS:
                record[f"{leg.value}_coverage"] = _leg(step.score, leg).coverage
            for leg in _LEGS:
                record[f"{leg.value}_status"] = _leg(step.score, leg).status.name
            records.append(record)
        columns = ["move", "verdict", "requires", *OUTPUT_COLUMNS]
        frame: DataFrame = pd.DataFrame.from_records(records, columns=columns)
        frame.index = pd.RangeIndex(1, len(records) + 1, name="step")
        return frame

    def plot(self, ax: Axes | None = None) -> Axes:
        """Draw one line per leg over the moves, on the at-risk and collapse bands.

        Needs the `plot` extra (matplotlib). The x axis runs from the start (0) through
        every move; a bend is marked with an open circle on the company line and a break
        with a cross.

        Args:
            ax: The matplotlib Axes to draw on; None for a new figure.

        Returns:
            The Axes drawn on.
        """
        import matplotlib.axes  # noqa: PLC0415
        import matplotlib.pyplot as plt  # noqa: PLC0415

        if ax is not None and not isinstance(ax, matplotlib.axes.Axes):
            raise ValidationError("Timeline.plot.ax", ax, "a matplotlib Axes, or None")
        if ax is None:
            _, ax = plt.subplots(figsize=(max(6.0, 0.9 * (len(self) + 1)), 4.0))
        xs = list(range(len(self) + 1))
        scores = [self.start_score, *(step.score for step in self.steps)]
        levels = {leg: _levels(self.model, leg) for leg in _LEGS}
        shared = len(set(levels.values())) == 1
        if shared:
            at_risk, collapse = levels[Leg.CUSTOMER]
            ax.axhspan(
                0.0, collapse, color=_COLOURS["collapsed"], alpha=0.6, lw=0, label="collapse band"
            )
            ax.axhspan(
                collapse, at_risk, color=_COLOURS["at risk"], alpha=0.6, lw=0, label="at-risk band"
            )
        for leg in _LEGS:
            values = [_leg(s, leg).value for s in scores]
            ax.plot(xs, values, marker="o", color=_LINE_COLOURS[leg], label=leg.value)
            if not shared:
                at_risk, collapse = levels[leg]
                ax.axhline(at_risk, color=_LINE_COLOURS[leg], ls="--", lw=0.8, alpha=0.7)
                ax.axhline(collapse, color=_LINE_COLOURS[leg], ls=":", lw=0.8, alpha=0.7)
        for x, step in enumerate(self.steps, start=1):
            verdict = step.verdict
            if verdict in (Verdict.BENT, Verdict.BROKEN):
                marker = "o" if verdict is Verdict.BENT else "X"
                ax.plot(
                    [x],
                    [step.score.company.value],
                    marker=marker,
                    ms=12,
                    mfc="none" if verdict is Verdict.BENT else "#c0392b",
                    mec="#c0392b",
                    ls="none",
                )
                ax.annotate(
                    verdict.name,
                    (x, step.score.company.value),
                    textcoords="offset points",
                    xytext=(0, 9),
                    ha="center",
                    fontsize=8,
                    color="#c0392b",
                )
        ax.set_xticks(xs)
        ax.set_xticklabels(
            ["start", *(step.describe() for step in self.steps)],
            rotation=30,
            ha="right",
            fontsize=8,
        )
        ax.set_ylim(0.0, 1.05)
        ax.set_xlim(-0.3, len(self) + 0.3)
        ax.set_ylabel("leg score")
        ax.set_title(self.scenario.title or "Scenario")
        ax.legend(loc="lower left", fontsize=8, ncols=2)
        return ax


def _leg(score: StoolScore, leg: Leg) -> LegScore:
    return score.leg(leg)


def _levels(model: StoolModel, leg: Leg) -> tuple[float, float]:
    thresholds = model.thresholds
    return thresholds.at_risk_level(leg), thresholds.collapse_level(leg)


def _legs_values(score: StoolScore) -> str:
    return ", ".join(f"{leg.value} {_leg(score, leg).value:.2f}" for leg in _LEGS)


def _flags_text(score: StoolScore) -> str:
    if score.collapsed:
        return f"{score.weakest.value} leg collapsed"
    if not score.at_risk:
        return "no leg at risk"
    return f"{_legs_text(score.at_risk)} at risk"


def _verdict_text(step: Step) -> str:
    verdict = step.verdict
    if verdict is None:
        return ""
    text_ = verdict.name
    if step.decision is None:
        return f"{text_} (unjudged)"
    requires = step.decision.requires
    if verdict is Verdict.BROKEN and requires is not None:
        return f"{text_} ({requires.name} may approve)"
    return text_


def _summary(score: StoolScore) -> str:
    if score.collapsed:
        weakest = score.weakest.value
        return (
            f"The stool falls: the {weakest} leg collapses ({_first_reason(score, score.weakest)})."
        )
    if not score.at_risk:
        return "The stool stands: no leg is at risk."
    legs = _legs_text(score.at_risk)
    reasons = "; ".join(_first_reason(score, leg) for leg in _LEGS if leg in score.at_risk)
    return f"The stool wobbles: the {legs} at risk ({reasons})."


def _legs_text(legs: Iterable[Leg]) -> str:
    names = [leg.value for leg in _LEGS if leg in set(legs)]
    if len(names) == 1:
        return f"{names[0]} leg is"
    return f"{', '.join(names[:-1])} and {names[-1]} legs are"


def _first_reason(score: StoolScore, leg: Leg) -> str:
    reasons = _leg(score, leg).reasons
    return reasons[0] if reasons else f"{leg.value} {_leg(score, leg).value:.2f}"


# ------------------------------------------------------------------------------ advice

OptionKind: TypeAlias = Literal[
    "refuse", "bend", "escalate", "extra_mile", "break", "let_go", "custom"
]
"""Which default option an [Option][stool.scenario.Option] is (see
[default_options][stool.scenario.default_options]); `"let_go"` is seed 002's last resort
and `"custom"` any other."""


def _check_option_moves(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    _check_moves(instance, attribute, value)
    if not value:
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}", value, "at least one move"
        )


@attrs.frozen(kw_only=True)
class Option:
    """A candidate next step for [advise][stool.scenario.advise]: a label and its moves.

    Example:
        >>> from stool.events import ExplainPolicy, BadNews
        >>> Option(label="refuse, explaining why", moves=(ExplainPolicy(), BadNews())).kind
        'custom'
    """

    label: str = text()
    """What the option is, in a phrase a trainee can read."""
    moves: tuple[Move, ...] = attrs.field(converter=_moves_tuple, validator=_check_option_moves)
    """The moves the option plays, in order."""
    kind: OptionKind = attrs.field(default="custom")
    """Which of the default options this is (`"refuse"`, `"bend"`, `"escalate"`,
    `"extra_mile"`, `"break"`, `"let_go"`), or `"custom"`."""

    @kind.validator
    def _check_kind(self, attribute: attrs.Attribute[Any], value: Any) -> None:
        allowed = ("refuse", "bend", "escalate", "extra_mile", "break", "let_go", "custom")
        if value not in allowed:
            raise ValidationError(f"Option.{attribute.name}", value, "one of " + ", ".join(allowed))


@attrs.frozen(kw_only=True, repr=False)
class Advice:
    """One weighed option: its decision, the stool it leaves, and why it ranks where it does."""

    option: Option
    """The option weighed."""
    decision: Decision | None
    """The policy decision on the option's proposed action (the worst one if it proposes
    several); None if it proposes nothing a policy book judges."""
    score: StoolScore
    """The three legs after the option."""
    reason: str
    """A sentence a trainee can read: what the option does to the rules and to each leg."""
    steps: tuple[Step, ...]
    """The steps the option played, one per move."""

    @property
    def verdict(self) -> Verdict | None:
        """The worst verdict among the option's steps, or None if no rule was involved."""
        verdicts = [step.verdict for step in self.steps if step.verdict is not None]
        return max(verdicts) if verdicts else None

    @property
    def broken(self) -> bool:
        """Whether the option breaks a rule."""
        return self.verdict is Verdict.BROKEN

    @property
    def standing(self) -> bool:
        """Whether the option keeps the stool standing: no rule broken and no leg at risk."""
        return not self.broken and not self.score.at_risk and not self.score.collapsed

    def __str__(self) -> str:
        return f"{self.option.label}: {self.reason}"

    def __repr__(self) -> str:
        verdict = "no rule" if self.verdict is None else self.verdict.name
        return (
            f"<Advice {self.option.label!r}: {verdict}; {_legs_values(self.score)}; "
            f"{_flags_text(self.score)}>"
        )


def _escalation_target(authority: Authority) -> Authority | None:
    if authority is Authority.AGENT:
        return Authority.SUPERVISOR
    if authority is Authority.SUPERVISOR:
        return Authority.MANAGER
    return None


def _as_scenario(situation: Scenario | Interaction, company: Company | None) -> Scenario:
    if isinstance(situation, Scenario):
        if company is not None:
            return attrs.evolve(situation, company=company)
        return situation
    if isinstance(situation, Interaction):
        return Scenario(
            start=situation,
            channel=situation.channel,
            company=Company(name="company") if company is None else company,
        )
    raise ValidationError(
        "advise.scenario_or_interaction", situation, "a Scenario or an Interaction"
    )


def _refusal() -> tuple[Move, ...]:
    return (ExplainPolicy(clarity=1.0), BadNews(fulfilment_cap=0.0))


def _let_go(current: Interaction) -> Option:
    closing: tuple[Move, ...] = (*_refusal(), EndCall())
    if current.authority < Authority.SUPERVISOR:
        return Option(
            label="escalate to a supervisor, then let the customer go",
            moves=(Escalate(to=Authority.SUPERVISOR), *closing),
            kind="let_go",
        )
    return Option(
        label="let the customer go, now that a supervisor has looked",
        moves=closing,
        kind="let_go",
    )


def default_options(
    scenario_or_interaction: Scenario | Interaction,
    *,
    request: Propose | None = None,
    company: Company | None = None,
    ledger: Ledger | None = None,
) -> tuple[Option, ...]:
    """Return the options [advise][stool.scenario.advise] weighs when given none.

    With a request (the scenario's `request`, or `request`) and a policy book to judge it,
    each option plays the request its own way, and the book judges each one:

    1. `refuse`: refuse, explaining why the rule exists (`ExplainPolicy`, `BadNews`);
    2. `bend`: grant it with a justification (the request's own, or
       [DEFAULT_JUSTIFICATION][stool.scenario.DEFAULT_JUSTIFICATION]), as the current
       authority: a bend where the rules call for one;
    3. `escalate`: escalate to the next authority, who grants it with the justification
       (left out when a manager already holds the contact);
    4. `extra_mile`: go the extra mile: the justified grant when the current authority may
       make it without a break, otherwise the refusal, then `ExtraMile`;
    5. `break`: grant it on the current authority's own say-so, with no justification.

    The labels say what each option does, not what the book will make of it: a request
    within the rules is granted COMPLIANT by the bend, escalate and break options alike,
    and [advise][stool.scenario.advise] reports each verdict.

    Without a request there is nothing for a policy book to judge, so the bend and the
    break are [Deviate][stool.scenario.Deviate] moves (counted as one bend or one break)
    after a `Resolve`; escalating adds an `Escalate` before the bend, and the extra mile
    is an explanation and `ExtraMile`, leaving fulfilment as it is.

    Args:
        scenario_or_interaction: Where the contact stands: a scenario (its moves so far)
            or an interaction.
        request: The action the customer asks for; None for the scenario's `request`.
        company: The company whose policy book judges the request; None for the
            scenario's company (a bare interaction has a company with no policy book).
        ledger: Bends made before the scenario, which the extra mile's check counts;
            None for none. It is not changed.

    Returns:
        The options, in the order above.

    Raises:
        ValidationError: If a request is given but no policy book can judge it.

    Example:
        >>> from stool import Interaction
        >>> " ".join(o.kind for o in default_options(Interaction(fulfilment=0.0)))
        'refuse bend escalate extra_mile break'
    """
    scenario = _as_scenario(scenario_or_interaction, company)
    request = scenario.request if request is None else request
    if request is not None and scenario.request is not request:
        scenario = attrs.evolve(scenario, request=request)
    current = scenario.run(ledger=_copy(ledger)).interaction
    target = _escalation_target(current.authority)
    refuse = Option(label="refuse, explaining why the rule exists", moves=_refusal(), kind="refuse")
    if request is None:
        return _nominal_options(refuse, target)
    justified = attrs.evolve(
        request, justification=request.justification or DEFAULT_JUSTIFICATION, by=None
    )
    bend = Option(label="grant it, with a justification", moves=(justified,), kind="bend")
    options = [refuse, bend]
    if target is not None:
        options.append(
            Option(
                label=f"escalate to a {target.name.lower()}, who grants it with a justification",
                moves=(Escalate(to=target), justified),
                kind="escalate",
            )
        )
    trial = scenario.then(justified).run(ledger=_copy(ledger))
    grantable = trial.steps[-1].verdict is not Verdict.BROKEN
    if grantable:
        extra = Option(
            label="grant it with a justification, and go the extra mile",
            moves=(justified, ExtraMile()),
            kind="extra_mile",
        )
    else:
        extra = Option(
            label="refuse, explaining why, and go the extra mile",
            moves=(*_refusal(), ExtraMile()),
            kind="extra_mile",
        )
    options.append(extra)
    options.append(
        Option(
            label="grant it on your own authority, without a justification",
            moves=(attrs.evolve(request, justification=None, by=None),),
            kind="break",
        )
    )
    return tuple(options)


def _nominal_options(refuse: Option, target: Authority | None) -> tuple[Option, ...]:
    bend = Deviate(verdict=Verdict.BENT, justification=DEFAULT_JUSTIFICATION)
    options = [
        refuse,
        Option(
            label="bend the rule to grant it, with a justification",
            moves=(Resolve(), bend),
            kind="bend",
        ),
    ]
    if target is not None:
        options.append(
            Option(
                label=f"escalate to a {target.name.lower()}, who approves the bend",
                moves=(Escalate(to=target), Resolve(), bend),
                kind="escalate",
            )
        )
    options.append(
        Option(
            label="explain why, and go the extra mile",
            moves=(ExplainPolicy(clarity=1.0), ExtraMile()),
            kind="extra_mile",
        )
    )
    options.append(
        Option(
            label="break the rule to grant it",
            moves=(Resolve(), Deviate(verdict=Verdict.BROKEN)),
            kind="break",
        )
    )
    return tuple(options)


def _as_option(item: Any, index: int) -> Option:
    if isinstance(item, Option):
        return item
    if _is_move(item):
        return Option(label=_describe(item), moves=(item,))
    if isinstance(item, (tuple, list)) and item and all(_is_move(m) for m in item):
        return Option(label=", then ".join(_describe(m) for m in item), moves=tuple(item))
    raise ValidationError(
        f"advise.options[{index}]", item, "an Option, a move, or a non-empty sequence of moves"
    )


def _copy(ledger: Ledger | None) -> Ledger | None:
    from stool.policy import Ledger  # noqa: PLC0415

    return None if ledger is None else Ledger(entries=ledger.entries)


def _weigh(
    scenario: Scenario, option: Option, model: StoolModel | None, ledger: Ledger | None
) -> Advice:
    timeline = scenario.then(*option.moves).run(model, ledger=_copy(ledger))
    steps = timeline.steps[len(scenario.moves) :]
    decisions = [step.decision for step in steps if step.decision is not None]
    decision = max(decisions, key=lambda d: d.verdict) if decisions else None
    advice = Advice(option=option, decision=decision, score=timeline.final, reason="", steps=steps)
    return attrs.evolve(advice, reason=_reason(advice))


def _tier(advice: Advice) -> int:
    if advice.broken:
        return 2
    score = advice.score
    if Leg.COMPANY in score.at_risk or Leg.AGENT in score.at_risk or score.collapsed:
        return 1
    return 0


def _rank_key(advice: Advice) -> tuple[Any, ...]:
    score = advice.score
    values = [_leg(score, leg).value for leg in _LEGS]
    tier = _tier(advice)
    if tier == 0:
        # Save the customer first: company and agent legs hold, so the customer decides.
        return (tier, -score.customer.value, -sum(values))
    return (tier, score.collapsed, len(score.at_risk), -min(values), -sum(values))


def advise(
    scenario_or_interaction: Scenario | Interaction,
    options: Iterable[Option | Move | Sequence[Move]] | None = None,
    model: StoolModel | None = None,
    *,
    request: Propose | None = None,
    company: Company | None = None,
    ledger: Ledger | None = None,
) -> list[Advice]:
    """Weigh candidate next moves and rank them by the stool they leave, as the stories advise.

    Each option is played after the scenario's moves (or from the interaction) and scored.
    The ranking:

    1. An option that breaks a rule never ranks above one that does not.
    2. Among the rest, options that keep the company and agent legs out of risk come
       first, the best for the customer first: "always remember to try saving the
       customer first" (seed 002), as long as it costs neither the company nor the agent.
    3. Then the others: a wobbling stool before a collapsed one, then fewer legs at risk,
       then a stronger weakest leg; the broken options come last, in the same order.
       Ties keep the options' order.
    4. When no option keeps the stool standing (no rule broken, no leg at risk), the
       first advice is to escalate and then let the customer go: "despite of you having
       given your best and despite of you having let your supervisor made a heatcheck
       and all) then it's time to let go of him" (seed 002). A given option of kind
       `"let_go"` is the one recommended; otherwise one is added.

    Args:
        scenario_or_interaction: Where the contact stands: a
            [Scenario][stool.scenario.Scenario] (its moves so far) or an
            [Interaction][stool.interaction.Interaction].
        options: The candidates: [Option][stool.scenario.Option]s, single moves, or
            sequences of moves; None for
            [default_options][stool.scenario.default_options].
        model: The scoring model; None for the default.
        request: The action the customer asks for, for the default options; None for the
            scenario's `request`.
        company: The company whose policy book judges proposed actions; None for the
            scenario's company.
        ledger: Bends made before the scenario (the agent's day so far), so budgets
            count them; None for none. Each option is weighed on a copy: advising never
            records anything in it.

    Returns:
        The advice, best first.

    Raises:
        ValidationError: If an option is not an option, a move or a sequence of moves, or
            a proposed action has no policy book to judge it.

    Example:
        >>> from stool import Interaction
        >>> best = advise(Interaction(fulfilment=0.0, handle_time_s=60.0))[0]
        >>> best.broken
        False
    """
    scenario = _as_scenario(scenario_or_interaction, company)
    if request is not None:
        scenario = attrs.evolve(scenario, request=request)
    if options is None:
        candidates = default_options(scenario, ledger=ledger)
    else:
        if isinstance(options, (str, bytes, Mapping)) or not isinstance(options, Iterable):
            raise ValidationError(
                "advise.options", options, "a sequence of options, moves or move sequences"
            )
        candidates = tuple(_as_option(item, i) for i, item in enumerate(options))
        if not candidates:
            raise ValidationError("advise.options", options, "at least one option, or None")
    weighed = sorted(
        (_weigh(scenario, option, model, ledger) for option in candidates), key=_rank_key
    )
    if any(advice.standing for advice in weighed):
        return weighed
    let_go = next((a for a in weighed if a.option.kind == "let_go"), None)
    if let_go is None:
        current = scenario.run(model, ledger=_copy(ledger)).interaction
        let_go = _weigh(scenario, _let_go(current), model, ledger)
    else:
        weighed.remove(let_go)
    recommended = attrs.evolve(let_go, reason=_let_go_reason(let_go))
    return [recommended, *weighed]


def _policy_text(advice: Advice) -> str:
    verdict = advice.verdict
    decision = advice.decision
    if verdict is None:
        return "no rule is involved"
    if verdict is Verdict.COMPLIANT:
        return "it keeps every rule"
    if decision is None:
        return (
            "it bends a rule (unjudged)"
            if verdict is Verdict.BENT
            else "it breaks a rule (unjudged)"
        )
    rules = _rule_ids(decision, verdict)
    if verdict is Verdict.BENT:
        return f"it bends {rules}, within the {decision.by.name.lower()}'s tolerance"
    broken = decision.breaks[0] if decision.breaks else None
    cause = broken.cause.name if broken is not None else ""
    if cause == "BEYOND_AUTHORITY" and decision.requires is not None:
        who = decision.requires.name.lower()
        return f"it breaks {rules} (a {who} could approve it as a bend)"
    return f"it breaks {rules}{_CAUSES.get(cause, '')}"


_CAUSES: Final[dict[str, str]] = {
    "BEYOND_AUTHORITY": ", beyond the acting authority's tolerance",
    "BEYOND_TOLERANCE": ", beyond what anyone may approve",
    "HARD_RULE": ", a hard rule no one may bend",
    "BUDGET_EXHAUSTED": ", as the budget of bends is used up",
    "UNJUSTIFIED": ", as a bend of it needs a justification and none was given",
}


def _rule_ids(decision: Decision, verdict: Verdict) -> str:
    ids = [f.rule for f in decision.findings if f.verdict is verdict]
    return ", ".join(ids)


def _stool_text(score: StoolScore) -> str:
    values = _legs_values(score)
    if score.collapsed:
        weakest = score.weakest
        reason = _first_reason(score, weakest)
        return f"the stool falls: the {weakest.value} leg collapses ({reason}; {values})"
    if not score.at_risk:
        return f"every leg holds ({values})"
    legs = _legs_text(score.at_risk)
    reasons = "; ".join(_first_reason(score, leg) for leg in _LEGS if leg in score.at_risk)
    return f"the {legs} at risk ({reasons}; {values})"


def _reason(advice: Advice) -> str:
    label = advice.option.label
    return (
        f"{label[0].upper()}{label[1:]}: {_policy_text(advice)}, and {_stool_text(advice.score)}."
    )


def _let_go_reason(advice: Advice) -> str:
    return (
        "No option keeps every leg out of risk without breaking a rule, so "
        f"{advice.option.label}, as seed 002 advises: "
        f"{_policy_text(advice)}, and {_stool_text(advice.score)}."
    )


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


def _type_words(score: StoolScore) -> str:
    kind = score.customer_type
    return "unknown" if kind is None else kind.name.lower().replace("_", " ")
