"""What a simulated shift gives: every call and contact, and the day's figures.

[ShiftResult][stool.shift.ShiftResult] holds every [Call][stool.shift.Call] (with its
played [Contact][stool.shift.Contact]) and computes, per interval and per agent, the
queue's figures, the three legs' distributions, the at-risk and collapse counts, the
bends and breaks, and the agents' fatigue.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import TYPE_CHECKING, Any, Literal

import attrs

from stool.enums import CustomerType, Leg
from stool.errors import ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from matplotlib.figure import Figure
    from pandas import DataFrame

    from stool.events import Event
    from stool.interaction import Interaction
    from stool.policy import Decision, Ledger, LedgerEntry
    from stool.scoring import StoolScore
    from stool.shift._play import Caller
    from stool.shift._shift import Shift

__all__ = [
    "AgentDay",
    "BudgetUse",
    "Call",
    "Contact",
    "IntervalStats",
    "LegSummary",
    "Rest",
    "ShiftResult",
    "ShiftSummary",
]

_LEGS = (Leg.CUSTOMER, Leg.COMPANY, Leg.AGENT)


@attrs.frozen(kw_only=True)
class Contact:
    """One answered call, played: the caller, the moves, the verdicts, the score, the strain."""

    caller: Caller
    """Who called, and with what."""
    moves: tuple[Event, ...]
    """The moves of the contact, in order (see [stool.events][])."""
    decisions: tuple[Decision, ...]
    """The policy book's decisions asked for: the agent's, then a supervisor's if the
    contact was escalated; empty for a routine request."""
    interaction: Interaction
    """The contact's facts after the last move, its `queue_wait_imposed_s` priced."""
    score: StoolScore
    """The three legs of the contact, scored with the shift's model."""
    fatigue_before: float
    """The agent's fatigue carried into the contact (its `agent_fatigue`)."""
    fatigue_after: float
    """The agent's fatigue after it."""

    @property
    def bent(self) -> bool:
        """Whether a rule was bent (within someone's authority and budget)."""
        return self.interaction.bends > 0

    @property
    def broke(self) -> bool:
        """Whether a rule was broken."""
        return self.interaction.breaks > 0

    @property
    def escalated(self) -> bool:
        """Whether the contact went to a supervisor or manager."""
        return self.interaction.escalated


@attrs.frozen(kw_only=True)
class Call:
    """One simulated call: when it came, how long it waited, who answered and for how long."""

    number: int
    """The call's order of arrival, from 0."""
    arrived_s: float
    """When it arrived, in seconds from the start of the shift."""
    wait_s: float
    """How long the caller waited: until answered, or until hanging up."""
    agent: str | None = None
    """The id of the agent who answered; None if the caller hung up."""
    handle_s: float = 0.0
    """How long the call held the agent; 0 if the caller hung up."""
    contact: Contact | None = None
    """The played contact; None if the caller hung up or contacts were not played."""

    @property
    def abandoned(self) -> bool:
        """Whether the caller hung up before being answered."""
        return self.agent is None


@attrs.frozen(kw_only=True)
class Rest:
    """A rest break one agent took."""

    agent: str
    """The agent's id."""
    start_s: float
    """When it started, in seconds from the start of the shift."""
    end_s: float
    """When it ended."""


@attrs.frozen(kw_only=True)
class LegSummary:
    """The distribution of one leg over a set of contacts."""

    count: int
    """Contacts scored."""
    mean: float
    """The mean value."""
    low: float
    """The 10th percentile: one contact in ten scored at or below it."""
    median: float
    """The median."""
    high: float
    """The 90th percentile."""
    at_risk: int
    """Contacts whose leg was at risk."""


def _quantile(ordered: list[float], q: float) -> float:
    """The `q` quantile of sorted values, interpolated linearly (numpy's default)."""
    position = q * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def _summaries(contacts: list[Contact]) -> tuple[LegSummary | None, ...]:
    if not contacts:
        return (None, None, None)
    out = []
    for leg in _LEGS:
        scores = [contact.score.leg(leg) for contact in contacts]
        ordered = sorted(score.value for score in scores)
        out.append(
            LegSummary(
                count=len(ordered),
                mean=math.fsum(ordered) / len(ordered),
                low=_quantile(ordered, 0.1),
                median=_quantile(ordered, 0.5),
                high=_quantile(ordered, 0.9),
                at_risk=sum(score.at_risk for score in scores),
            )
        )
    return tuple(out)


@attrs.frozen(kw_only=True)
class IntervalStats:
    """The figures of one interval, for the calls that arrived in it."""

    index: int
    """The interval's position in the shift, from 0."""
    offered: int
    """Calls that arrived."""
    answered: int
    """Calls answered."""
    abandoned: int
    """Callers who hung up."""
    waited: int
    """Callers who waited at all (answered or not)."""
    answered_within: int
    """Calls answered within the service-level target."""
    service_level: float
    """`answered_within / answered` (the service level among the answered); 1 without calls."""
    asa_s: float
    """The answered calls' average wait in seconds; 0 without answered calls."""
    occupancy: float
    """The share of the agents' time in the interval spent on calls (of any interval)."""
    played: int = 0
    """Contacts played (the answered calls, when the shift plays contacts)."""
    customer: LegSummary | None = None
    """The customer leg over the interval's contacts; None without any."""
    company: LegSummary | None = None
    """The company leg over the interval's contacts."""
    agent: LegSummary | None = None
    """The agent leg over the interval's contacts."""
    collapsed: int = 0
    """Contacts whose stool collapsed (a leg below its collapse level)."""
    bends: int = 0
    """Contacts in which a rule was bent."""
    breaks: int = 0
    """Contacts in which a rule was broken."""
    escalated: int = 0
    """Contacts escalated to a supervisor or manager."""
    abusive: int = 0
    """Contacts with an abusive caller."""
    fatigue: float | None = None
    """The agents' mean fatigue carried into the interval's contacts; None without any."""
    queue_wait_imposed_s: float = 0.0
    """The waiting the interval's contacts imposed on other callers, in seconds, in all."""


@attrs.frozen(kw_only=True)
class AgentDay:
    """One agent's shift: calls answered, time on them, their legs, strain and breaks."""

    agent: str
    """The agent's id."""
    calls: int
    """Calls the agent answered."""
    busy_s: float
    """Seconds on calls."""
    occupancy: float
    """The share of the shift's length the agent spent on calls (calls running on after
    the last interval count only up to its end)."""
    customer: LegSummary | None = None
    """The customer leg over the agent's contacts; None without any played."""
    company: LegSummary | None = None
    """The company leg over the agent's contacts."""
    agent_leg: LegSummary | None = None
    """The agent leg over the agent's contacts."""
    collapsed: int = 0
    """Contacts whose stool collapsed."""
    bends: int = 0
    """Contacts in which the agent (or a supervisor they escalated to) bent a rule."""
    breaks: int = 0
    """Contacts in which a rule was broken."""
    escalated: int = 0
    """Contacts escalated."""
    abusive: int = 0
    """Abusive callers met."""
    thanked: int = 0
    """Callers who thanked the agent."""
    rest_breaks: int = 0
    """Rest breaks taken."""
    fatigue_start: float = 0.0
    """Fatigue at the start of the shift (the `Agent`'s own)."""
    fatigue_end: float = 0.0
    """Fatigue after the agent's last contact."""
    fatigue_peak: float = 0.0
    """The highest fatigue over the shift."""


@attrs.frozen(kw_only=True)
class BudgetUse:
    """The bends of one budgeted rule by one actor in the shift's budget period."""

    book: str
    """The policy book's name."""
    rule: str
    """The rule's id."""
    actor: str
    """Who bent it: an agent's id, or the shift's supervisor."""
    per: str
    """The budget's period: day, week, month, quarter or year."""
    limit: int | None
    """The bends the budget allows per period; None when it limits only the total."""
    bends: int
    """The bends recorded in the period (the ledger's entries before the shift included)."""
    refused: int
    """Decisions that found this rule's budget used up (`BUDGET_EXHAUSTED`)."""


@attrs.frozen(kw_only=True)
class ShiftSummary:
    """The day in one row: the figures a what-if compares.

    Shares of contacts are over the contacts played; the legs are their means.
    Without contacts played, the leg figures are NaN.
    """

    offered: int
    """Calls that arrived."""
    answered: int
    """Calls answered."""
    abandoned: int
    """Callers who hung up."""
    service_level: float
    """The share of answered calls answered within the target."""
    abandonment: float
    """The share of callers who hung up."""
    asa_s: float
    """The answered calls' average wait, in seconds."""
    occupancy: float
    """The share of the agents' time on calls, over the shift's length."""
    customer: float
    """The customer leg's mean."""
    company: float
    """The company leg's mean."""
    agent: float
    """The agent leg's mean."""
    customer_at_risk: float
    """The share of contacts with the customer leg at risk."""
    company_at_risk: float
    """The share of contacts with the company leg at risk."""
    agent_at_risk: float
    """The share of contacts with the agent leg at risk."""
    collapsed: float
    """The share of contacts whose stool collapsed."""
    bends: int
    """Contacts with a rule bent."""
    breaks: int
    """Contacts with a rule broken."""
    escalated: int
    """Contacts escalated."""
    fatigue_end: float
    """The agents' mean fatigue at the end of the shift."""
    fatigue_peak: float
    """The highest fatigue any agent reached."""

    @classmethod
    def metrics(cls) -> tuple[str, ...]:
        """The names of the figures, in order."""
        return tuple(a.name for a in attrs.fields(cls))


def _check_target(t_s: Any, default: float) -> float:
    if t_s is None:
        return default
    if isinstance(t_s, bool) or not isinstance(t_s, (int, float)) or not 0 <= t_s < math.inf:
        raise ValidationError("ShiftResult.interval_stats.t_s", t_s, "a number at least 0")
    return float(t_s)


def _overlap(start: float, end: float, lo: float, hi: float) -> float:
    return max(0.0, min(end, hi) - max(start, lo))


def _busy_per_interval(calls: Iterable[Call], width: float, intervals: int) -> list[float]:
    """The agents' time on calls within each interval: each call split across its intervals."""
    busy = [0.0] * intervals
    for call in calls:
        if call.abandoned:
            continue
        start = call.arrived_s + call.wait_s
        end = start + call.handle_s
        first = int(start // width)
        last = min(int(end // width), intervals - 1)
        for index in range(first, last + 1):
            busy[index] += _overlap(start, end, index * width, (index + 1) * width)
    return busy


def _played(calls: Iterable[Call]) -> list[Contact]:
    return [call.contact for call in calls if call.contact is not None]


def _mean(values: list[float]) -> float:
    return math.fsum(values) / len(values) if values else math.nan


@attrs.frozen(kw_only=True)
class ShiftResult:
    """What [Shift.run][stool.shift.Shift.run] gives: every call, and the day's figures.

    In a notebook it shows as an HTML table of the intervals; `to_frame()` gives the
    intervals, the agents or the contacts as a DataFrame, and `plot()` the day at a
    glance.
    """

    shift: Shift
    """The shift that was run."""
    calls: tuple[Call, ...]
    """Every call, in order of arrival."""
    rests: tuple[Rest, ...] = ()
    """Every rest break, in the order they started."""
    ledger_entries: tuple[LedgerEntry, ...] = ()
    """The ledger's entries at the end of the shift: those it started with, then the
    shift's bends."""

    @property
    def contacts(self) -> tuple[Contact, ...]:
        """The played contacts, in order of arrival."""
        return tuple(_played(self.calls))

    @property
    def ledger(self) -> Ledger:
        """The ledger at the end of the shift, in memory (a new object on every call)."""
        from stool.policy import Ledger  # noqa: PLC0415 - the policy engine, on first use

        return Ledger(entries=self.ledger_entries)

    def _buckets(self) -> list[list[Call]]:
        width = self.shift.interval_s
        buckets: list[list[Call]] = [[] for _ in self.shift.arrivals]
        for call in self.calls:
            buckets[min(int(call.arrived_s // width), len(buckets) - 1)].append(call)
        return buckets

    def interval_stats(self, t_s: Any = None) -> tuple[IntervalStats, ...]:
        """Return the figures of every interval, with a service-level target of `t_s` seconds.

        Args:
            t_s: The answer-time target in seconds; None for the shift's
                `service_level_s`.

        Returns:
            One [IntervalStats][stool.shift.IntervalStats] per interval.

        Raises:
            ValidationError: If `t_s` is not a number at least 0.
        """
        target = _check_target(t_s, self.shift.service_level_s)
        shift = self.shift
        width = shift.interval_s
        busy_in = _busy_per_interval(self.calls, width, len(shift.arrivals))
        stats = []
        for index, bucket in enumerate(self._buckets()):
            answered = [c for c in bucket if not c.abandoned]
            within = sum(1 for c in answered if c.wait_s <= target)
            busy = busy_in[index]
            contacts = _played(bucket)
            customer, company, agent = _summaries(contacts)
            stats.append(
                IntervalStats(
                    index=index,
                    offered=len(bucket),
                    answered=len(answered),
                    abandoned=len(bucket) - len(answered),
                    waited=sum(1 for c in bucket if c.wait_s > 0),
                    answered_within=within,
                    service_level=within / len(answered) if answered else 1.0,
                    asa_s=sum(c.wait_s for c in answered) / len(answered) if answered else 0.0,
                    occupancy=busy / (len(shift.agents) * width),
                    played=len(contacts),
                    customer=customer,
                    company=company,
                    agent=agent,
                    collapsed=sum(c.score.collapsed for c in contacts),
                    bends=sum(c.bent for c in contacts),
                    breaks=sum(c.broke for c in contacts),
                    escalated=sum(c.escalated for c in contacts),
                    abusive=sum(c.caller.abuse > 0 for c in contacts),
                    fatigue=_mean([c.fatigue_before for c in contacts]) if contacts else None,
                    queue_wait_imposed_s=math.fsum(
                        c.interaction.queue_wait_imposed_s for c in contacts
                    ),
                )
            )
        return tuple(stats)

    @property
    def intervals(self) -> tuple[IntervalStats, ...]:
        """The figures of every interval, with the shift's service-level target."""
        return self.interval_stats()

    @property
    def agents(self) -> tuple[AgentDay, ...]:
        """Each agent's day, in the shift's order."""
        out = []
        length = self.shift.length_s
        rests = Counter(rest.agent for rest in self.rests)
        for agent in self.shift.agents:
            mine = [c for c in self.calls if c.agent == agent.id]
            busy = sum(c.handle_s for c in mine)
            within = sum(
                _overlap(c.arrived_s + c.wait_s, c.arrived_s + c.wait_s + c.handle_s, 0.0, length)
                for c in mine
            )
            contacts = _played(mine)
            customer, company, leg = _summaries(contacts)
            fatigue = [agent.fatigue, *(c.fatigue_after for c in contacts)]
            out.append(
                AgentDay(
                    agent=agent.id,
                    calls=len(mine),
                    busy_s=busy,
                    occupancy=within / length,
                    customer=customer,
                    company=company,
                    agent_leg=leg,
                    collapsed=sum(c.score.collapsed for c in contacts),
                    bends=sum(c.bent for c in contacts),
                    breaks=sum(c.broke for c in contacts),
                    escalated=sum(c.escalated for c in contacts),
                    abusive=sum(c.caller.abuse > 0 for c in contacts),
                    thanked=sum(bool(c.interaction.thanked) for c in contacts),
                    rest_breaks=rests[agent.id],
                    fatigue_start=agent.fatigue,
                    fatigue_end=fatigue[-1],
                    fatigue_peak=max(fatigue),
                )
            )
        return tuple(out)

    def budgets(self) -> tuple[BudgetUse, ...]:
        """Return the bends of every budgeted rule, per actor who bent or was refused it.

        Counts the ledger's entries in the budget period of the shift's `date` (so the
        entries the shift started with count too), and the decisions that found the
        budget used up.

        Returns:
            One [BudgetUse][stool.shift.BudgetUse] per budgeted rule and actor, in the
            book's rule order, then by actor.
        """
        from stool.policy import Cause  # noqa: PLC0415 - the policy engine, on first use

        book = self.shift.company.policies
        if book is None:
            return ()
        ledger = self.ledger
        refused: Counter[tuple[str, str]] = Counter()
        for contact in self.contacts:
            for decision in contact.decisions:
                for finding in decision.findings:
                    if finding.cause is Cause.BUDGET_EXHAUSTED and decision.actor is not None:
                        refused[finding.rule, decision.actor] += 1
        out = []
        for rule in book.rules:
            if rule.budget is None:
                continue
            actors = {
                e.actor for e in self.ledger_entries if e.rule == rule.id and e.actor is not None
            }
            actors |= {actor for (name, actor) in refused if name == rule.id}
            for actor in sorted(actors):
                bends, _ = ledger.usage(
                    book=book.name,
                    rule=rule.id,
                    actor=actor,
                    when=self.shift.date,
                    per=rule.budget.per,
                )
                out.append(
                    BudgetUse(
                        book=book.name,
                        rule=rule.id,
                        actor=actor,
                        per=rule.budget.per,
                        limit=rule.budget.bends,
                        bends=bends,
                        refused=refused[rule.id, actor],
                    )
                )
        return tuple(out)

    def transitions(self) -> dict[tuple[CustomerType, CustomerType | None], int]:
        """Count contacts by the state the caller started in and the type they left as.

        `(VERY_DISSATISFIED, VERY_SATISFIED)` counts the best outcome there is: a caller
        who came in very dissatisfied and left very satisfied.

        Returns:
            A count per (starting state, customer type) pair that occurred.
        """
        return dict(Counter((c.caller.starting, c.score.customer_type) for c in self.contacts))

    def summary(self, t_s: Any = None) -> ShiftSummary:
        """Return the whole day's figures in one row (what [compare][stool.shift.compare] compares).

        Args:
            t_s: The answer-time target in seconds; None for the shift's
                `service_level_s`.

        Returns:
            The [ShiftSummary][stool.shift.ShiftSummary].
        """
        target = _check_target(t_s, self.shift.service_level_s)
        answered = [c for c in self.calls if not c.abandoned]
        offered = len(self.calls)
        contacts = self.contacts
        played = len(contacts)
        days = self.agents
        legs = [[c.score.leg(leg) for c in contacts] for leg in _LEGS]
        length = self.shift.length_s
        busy = math.fsum(
            _overlap(c.arrived_s + c.wait_s, c.arrived_s + c.wait_s + c.handle_s, 0.0, length)
            for c in answered
        )
        return ShiftSummary(
            offered=offered,
            answered=len(answered),
            abandoned=offered - len(answered),
            service_level=(
                sum(c.wait_s <= target for c in answered) / len(answered) if answered else 1.0
            ),
            abandonment=(offered - len(answered)) / offered if offered else 0.0,
            asa_s=_mean([c.wait_s for c in answered]) if answered else 0.0,
            occupancy=busy / (len(self.shift.agents) * length),
            customer=_mean([s.value for s in legs[0]]),
            company=_mean([s.value for s in legs[1]]),
            agent=_mean([s.value for s in legs[2]]),
            customer_at_risk=sum(s.at_risk for s in legs[0]) / played if played else math.nan,
            company_at_risk=sum(s.at_risk for s in legs[1]) / played if played else math.nan,
            agent_at_risk=sum(s.at_risk for s in legs[2]) / played if played else math.nan,
            collapsed=sum(c.score.collapsed for c in contacts) / played if played else math.nan,
            bends=sum(c.bent for c in contacts),
            breaks=sum(c.broke for c in contacts),
            escalated=sum(c.escalated for c in contacts),
            fatigue_end=_mean([day.fatigue_end for day in days]),
            fatigue_peak=max(day.fatigue_peak for day in days),
        )

    def to_frame(
        self, t_s: Any = None, *, by: Literal["interval", "agent", "contact"] = "interval"
    ) -> DataFrame:
        """Return the day as a pandas DataFrame (needs the `batch` extra).

        Args:
            t_s: The answer-time target in seconds; None for the shift's
                `service_level_s`.
            by: `"interval"` (one row per interval, indexed by `interval`), `"agent"`
                (one row per agent, indexed by `agent`) or `"contact"` (one row per
                call, indexed by `number`; the legs are NaN for callers who hung up).
                A leg's distribution becomes the columns `<leg>_mean`, `<leg>_low`,
                `<leg>_median`, `<leg>_high` and `<leg>_at_risk`.

        Returns:
            The table.

        Raises:
            ValidationError: If `by` is not one of the three, or `t_s` is bad.
        """
        from stool.shift._render import frame  # noqa: PLC0415 - pandas, on first use

        return frame(self, _check_target(t_s, self.shift.service_level_s), by)

    def _repr_html_(self) -> str:
        from stool.shift._render import result_html  # noqa: PLC0415

        return result_html(self)

    def plot(self, *, t_s: Any = None) -> Figure:
        """Draw the day at a glance: the queue, the legs and the strain over the intervals.

        Needs the `plot` extra (matplotlib). The top panel shows the calls offered,
        answered and abandoned per interval with the service level; the middle one each
        leg's mean with its 10th to 90th percentile band, over the at-risk level; the
        bottom one the agents' mean fatigue and the bends, breaks and at-risk contacts.

        Args:
            t_s: The answer-time target in seconds; None for the shift's
                `service_level_s`.

        Returns:
            The matplotlib Figure.
        """
        from stool.shift._render import result_plot  # noqa: PLC0415 - matplotlib, on first use

        return result_plot(self, _check_target(t_s, self.shift.service_level_s))

    def __repr__(self) -> str:
        shift = self.shift
        answered = sum(not c.abandoned for c in self.calls)
        return (
            f"<ShiftResult {shift.name!r}: {len(self.calls)} calls, {answered} answered, "
            f"{len(shift.agents)} agents, {len(shift.arrivals)} intervals>"
        )
