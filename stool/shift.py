"""A shift's queue, simulated call by call on SimPy: the first layer of `stool.Shift`.

A [Shift][stool.shift.Shift] is the agents on duty, the calls offered in each interval of
the day, the handle time and the callers' patience.
[Shift.run][stool.shift.Shift.run] simulates the day as a discrete-event simulation on
[SimPy](https://simpy.readthedocs.io) (the `sim` extra): calls arrive at random within
each interval, wait first come first served for the agent who has been free longest, and
hang up when their patience runs out.
The result gives every call, and per interval and per agent the service level,
abandonment and occupancy.

    >>> from stool import Agent
    >>> from stool.shift import Shift
    >>> shift = Shift(agents=[Agent(id=f"rep-{i}") for i in range(14)], arrivals=[100] * 4,
    ...               aht_s=180, patience_s=120, seed=7)
    >>> day = shift.run()
    >>> len(day.intervals), day.calls[0].agent
    (4, 'rep-0')

Runs are seeded and reproducible: arrivals, handle times and patience each draw from
their own random stream, so two shifts with the same seed face the same callers (common
random numbers), and a what-if changes only what it changes.
Contacts are not yet played as interactions, scored or judged by a policy book, and agents
carry no strain from call to call: those layers come next (issue 11, section 3).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

import attrs

from stool._fields import instance_of
from stool.errors import ValidationError
from stool.parties import Agent

if TYPE_CHECKING:
    from collections.abc import Generator

    from pandas import DataFrame

__all__ = ["AgentDay", "Call", "IntervalStats", "Shift", "ShiftResult"]

_STREAMS = ("arrivals", "handle", "patience")


def _positive(name: str, value: Any, *, infinite: bool = False) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
    if ok and not (math.isfinite(value) or (infinite and value == math.inf)):
        ok = False
    if not ok:
        extra = " (or math.inf)" if infinite else ""
        raise ValidationError(name, value, f"a number above 0{extra}")


def _agents_tuple(value: Any) -> Any:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
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
    if len(set(ids)) != len(ids):
        duplicate = next(i for i in ids if ids.count(i) > 1)
        raise ValidationError(name, duplicate, "agents with distinct ids")


def _arrivals_tuple(value: Any) -> Any:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
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


@attrs.frozen(kw_only=True)
class Shift:
    """A day (or part of one) at the contact centre: agents, calls, handle time, patience.

    Handle times and patience are exponential with the given means, the assumptions of
    [ErlangA][stool.queue.ErlangA], so a steady shift reproduces its figures (a test
    checks this).
    """

    agents: tuple[Agent, ...] = attrs.field(converter=_agents_tuple, validator=_check_agents)
    """The agents on duty all shift, with distinct ids."""
    arrivals: tuple[float, ...] = attrs.field(converter=_arrivals_tuple, validator=_check_arrivals)
    """Calls offered in each interval, in order (the mean of a Poisson count)."""
    interval_s: float = attrs.field(default=1800.0)
    """The length of an interval in seconds."""
    aht_s: float = attrs.field(default=300.0)
    """The mean handle time in seconds."""
    patience_s: float = attrs.field(default=math.inf)
    """The callers' mean patience in seconds; `math.inf` for callers who never hang up."""
    seed: int = attrs.field(default=0)
    """The seed of the run's random streams."""

    def __attrs_post_init__(self) -> None:
        _positive("Shift.interval_s", self.interval_s)
        _positive("Shift.aht_s", self.aht_s)
        _positive("Shift.patience_s", self.patience_s, infinite=True)
        if type(self.seed) is not int:
            raise ValidationError("Shift.seed", self.seed, "a whole number")

    @property
    def length_s(self) -> float:
        """The shift's length in seconds: the intervals end to end."""
        return len(self.arrivals) * self.interval_s

    def run(self) -> ShiftResult:
        """Simulate the shift on SimPy (needs the `sim` extra) and return every call.

        Calls arrive until the last interval ends; calls still waiting or in progress then
        run to their end.

        Returns:
            The calls, with per-interval and per-agent figures.

        Example:
            >>> from stool import Agent
            >>> shift = Shift(agents=[Agent(id="rep-1")], arrivals=[10], aht_s=60, seed=1)
            >>> shift.run() == shift.run()
            True
        """
        import simpy  # noqa: PLC0415 - SimPy is an optional extra

        streams = {
            name: random.Random(f"{self.seed}/{name}")  # noqa: S311 - simulation, not secrets
            for name in _STREAMS
        }
        env = simpy.Environment()
        free = simpy.Store(env)
        for index in range(len(self.agents)):
            free.put(index)
        calls: list[Call] = []

        def caller(number: int, arrived: float) -> Generator[Any, Any, None]:
            # Unit draws, scaled: a what-if on patience or handle time keeps the same callers.
            patience = streams["patience"].expovariate(1.0) * self.patience_s
            handle = streams["handle"].expovariate(1.0) * self.aht_s
            request = free.get()
            if self.patience_s == math.inf:
                yield request
            else:
                yield request | env.timeout(patience)
            if not request.triggered:
                request.cancel()
                calls.append(Call(number=number, arrived_s=arrived, wait_s=patience))
                return
            agent = cast("int", request.value)
            started = env.now
            yield env.timeout(handle)
            calls.append(
                Call(
                    number=number,
                    arrived_s=arrived,
                    wait_s=started - arrived,
                    agent=self.agents[agent].id,
                    handle_s=handle,
                )
            )
            yield free.put(agent)

        def source() -> Generator[Any, Any, None]:
            number = 0
            for index, offered in enumerate(self.arrivals):
                end = (index + 1) * self.interval_s
                if offered == 0:
                    yield env.timeout(end - env.now)
                    continue
                rate = offered / self.interval_s
                while True:
                    draw = streams["arrivals"].expovariate(1.0)
                    gap = draw / rate if rate > 0 else math.inf  # a rate below 1e-308 is 0
                    if env.now + gap >= end:
                        # Poisson arrivals are memoryless: restart the clock at the boundary.
                        yield env.timeout(end - env.now)
                        break
                    yield env.timeout(gap)
                    env.process(caller(number, env.now))
                    number += 1

        env.process(source())
        env.run()
        calls.sort(key=lambda call: call.number)
        return ShiftResult(shift=self, calls=tuple(calls))


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

    @property
    def abandoned(self) -> bool:
        """Whether the caller hung up before being answered."""
        return self.agent is None


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


@attrs.frozen(kw_only=True)
class AgentDay:
    """One agent's shift: calls answered and time on them."""

    agent: str
    """The agent's id."""
    calls: int
    """Calls the agent answered."""
    busy_s: float
    """Seconds on calls."""
    occupancy: float
    """`busy_s` over the shift's length."""


def _overlap(start: float, end: float, lo: float, hi: float) -> float:
    return max(0.0, min(end, hi) - max(start, lo))


@attrs.frozen(kw_only=True)
class ShiftResult:
    """What [Shift.run][stool.shift.Shift.run] gives: every call, and the day's figures."""

    shift: Shift = attrs.field(validator=instance_of(Shift))
    """The shift that was run."""
    calls: tuple[Call, ...]
    """Every call, in order of arrival."""

    def interval_stats(self, t_s: Any = 20.0) -> tuple[IntervalStats, ...]:
        """Return the figures of every interval, with a service-level target of `t_s` seconds.

        Args:
            t_s: The answer-time target in seconds.

        Returns:
            One [IntervalStats][stool.shift.IntervalStats] per interval.
        """
        if isinstance(t_s, bool) or not isinstance(t_s, (int, float)) or not 0 <= t_s < math.inf:
            raise ValidationError("ShiftResult.interval_stats.t_s", t_s, "a number at least 0")
        shift = self.shift
        width = shift.interval_s
        buckets: list[list[Call]] = [[] for _ in shift.arrivals]
        for call in self.calls:
            buckets[min(int(call.arrived_s // width), len(buckets) - 1)].append(call)
        stats = []
        for index, bucket in enumerate(buckets):
            lo, hi = index * width, (index + 1) * width
            answered = [c for c in bucket if not c.abandoned]
            within = sum(1 for c in answered if c.wait_s <= t_s)
            busy = sum(
                _overlap(c.arrived_s + c.wait_s, c.arrived_s + c.wait_s + c.handle_s, lo, hi)
                for c in self.calls
                if not c.abandoned
            )
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
                )
            )
        return tuple(stats)

    @property
    def intervals(self) -> tuple[IntervalStats, ...]:
        """The figures of every interval, with the usual 20-second service-level target."""
        return self.interval_stats()

    @property
    def agents(self) -> tuple[AgentDay, ...]:
        """Each agent's calls and occupancy over the shift, in the shift's order."""
        out = []
        for agent in self.shift.agents:
            mine = [c for c in self.calls if c.agent == agent.id]
            busy = sum(c.handle_s for c in mine)
            out.append(
                AgentDay(
                    agent=agent.id,
                    calls=len(mine),
                    busy_s=busy,
                    occupancy=busy / self.shift.length_s,
                )
            )
        return tuple(out)

    def to_frame(self, t_s: float = 20.0) -> DataFrame:
        """Return the interval figures as a pandas DataFrame (needs the `batch` extra).

        Args:
            t_s: The answer-time target in seconds.

        Returns:
            One row per interval, indexed by `interval`.
        """
        import pandas as pd  # noqa: PLC0415 - pandas is an optional extra

        rows = [attrs.asdict(stats) for stats in self.interval_stats(t_s)]
        frame: DataFrame = pd.DataFrame.from_records(rows).set_index("index")
        frame.index.name = "interval"
        return frame
