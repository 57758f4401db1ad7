"""The day, simulated event by event on SimPy: arrivals, the queue, contacts, breaks."""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING, Any, cast

from stool.shift._play import Draws, caller_of, draw, play
from stool.shift._result import Call, Contact, Rest

if TYPE_CHECKING:
    from collections.abc import Generator

    from stool.policy import LedgerEntry
    from stool.shift._parts import Breaks
    from stool.shift._play import Caller, Played
    from stool.shift._shift import Shift

__all__ = ["STREAMS", "simulate"]

STREAMS = ("arrivals", "handle", "patience", "callers")
"""The random streams of a run, each seeded from the shift's seed and its name."""


class _Answered:
    """A call answered, before its contact is priced and scored."""

    __slots__ = ("agent", "arrived", "caller", "fatigue", "handle", "number", "played", "wait")

    def __init__(self, number: int, arrived: float, wait: float, agent: str) -> None:
        self.number = number
        self.arrived = arrived
        self.wait = wait
        self.agent = agent
        self.handle = 0.0
        self.caller: Caller | None = None
        self.played: Played | None = None
        self.fatigue = 0.0


class _Day:
    """The state of a day in progress: the agents free, their fatigue, the ledger."""

    def __init__(self, shift: Shift) -> None:
        import simpy  # noqa: PLC0415 - SimPy is an optional extra

        from stool.policy import Ledger  # noqa: PLC0415 - the policy engine, on first use

        self.shift = shift
        self.streams = {
            name: random.Random(f"{shift.seed}/{name}")  # noqa: S311 - simulation, not secrets
            for name in STREAMS
        }
        self.env = simpy.Environment()
        self.free = simpy.Store(self.env)
        for index in range(len(shift.agents)):
            self.free.put(index)
        self.fatigue = [agent.fatigue for agent in shift.agents]
        self.last_call_end = [0.0] * len(shift.agents)
        # The first breaks are staggered: agent k of n is first due at every * (1/2 + k/n).
        team = len(shift.agents)
        every = shift.breaks.every_s if shift.breaks is not None else 0.0
        self.since_break = [every * (k / team - 0.5) for k in range(team)]
        self.ledger = Ledger(entries=shift.ledger)
        self.calls: list[Call | _Answered] = []
        self.rests: list[Rest] = []

    def answer(self, record: _Answered, index: int, draws: Draws) -> None:
        """Play the contact (or draw its handle time) as agent `index` picks it up."""
        shift = self.shift
        if not shift.play:
            record.handle = draws.handle * shift.aht_s
            return
        carried = shift.strain.after_rest(
            self.fatigue[index], self.env.now - self.last_call_end[index]
        )
        record.caller = caller_of(shift, draws)
        record.played = play(
            shift,
            agent=shift.agents[index],
            caller=record.caller,
            draws=draws,
            fatigue=carried,
            wait_s=record.wait,
            ledger=self.ledger,
        )
        record.fatigue = carried
        record.handle = record.played.interaction.handle_time_s
        self.fatigue[index] = record.played.fatigue_after

    def rest_due(self, index: int) -> bool:
        """Whether agent `index` is due a break now (only while calls still arrive)."""
        breaks = self.shift.breaks
        now = self.env.now
        return (
            breaks is not None
            and now < self.shift.length_s
            and now - self.since_break[index] >= breaks.every_s
        )

    def caller(self, number: int, arrived: float, draws: Draws) -> Generator[Any, Any, None]:
        """One caller: wait for an agent or hang up; hold the agent for the contact."""
        env = self.env
        patience = draws.patience * self.shift.patience_s
        request = self.free.get()
        if math.isinf(patience):
            yield request
        else:
            yield request | env.timeout(patience)
        if not request.triggered:
            request.cancel()
            self.calls.append(Call(number=number, arrived_s=arrived, wait_s=patience))
            return
        index = cast("int", request.value)
        record = _Answered(number, arrived, env.now - arrived, self.shift.agents[index].id)
        self.answer(record, index, draws)
        self.calls.append(record)
        yield env.timeout(record.handle)
        self.last_call_end[index] = env.now
        if self.rest_due(index):
            start = env.now
            length = cast("Breaks", self.shift.breaks).length_s
            yield env.timeout(length)
            self.rests.append(Rest(agent=record.agent, start_s=start, end_s=env.now))
            self.since_break[index] = self.last_call_end[index] = env.now
            self.fatigue[index] = self.shift.strain.after_break(self.fatigue[index], length)
        yield self.free.put(index)

    def source(self) -> Generator[Any, Any, None]:
        """The arrivals: a Poisson process within each interval."""
        env, shift, streams = self.env, self.shift, self.streams
        number = 0
        for index, offered in enumerate(shift.arrivals):
            end = (index + 1) * shift.interval_s
            rate = offered / shift.interval_s
            while True:
                gap = streams["arrivals"].expovariate(1.0) / rate if rate > 0 else math.inf
                if env.now + gap >= end:
                    # Poisson arrivals are memoryless: restart the clock at the boundary.
                    yield env.timeout(end - env.now)
                    break
                yield env.timeout(gap)
                draws = draw(streams["handle"], streams["patience"], streams["callers"])
                env.process(self.caller(number, env.now, draws))
                number += 1


def simulate(shift: Shift) -> tuple[list[Call | _Answered], list[Rest], tuple[LedgerEntry, ...]]:
    """Run the shift's day on SimPy; return its calls (answered ones still raw), rests, ledger.

    Calls arrive as a Poisson process within each interval, wait first come first served
    for the agent who has been free longest, and hang up when their patience runs out.
    An answered call is played at once: its contact sets how long it holds the agent.
    Agents due a break take it when their call ends.
    """
    day = _Day(shift)
    day.env.process(day.source())
    day.env.run()
    day.calls.sort(key=lambda call: call.number)
    day.rests.sort(key=lambda rest: (rest.start_s, rest.agent))
    return day.calls, day.rests, day.ledger.entries


def finish(shift: Shift, raw: list[Call | _Answered]) -> tuple[Call, ...]:
    """Price each contact's extra handle time on the queue, score it, and freeze the calls.

    A contact's `queue_wait_imposed_s` is what its handle time beyond the shift's
    `aht_s` costs the other callers of its interval, by
    [cost_of_longer_calls][stool.queue.cost_of_longer_calls] on the interval's
    [ErlangA][stool.queue.ErlangA] queue as planned (its arrivals, `aht_s`, every
    agent, `patience_s`), with `share` one call in the interval's (at least one).
    """
    from stool.queue import ErlangA, cost_of_longer_calls  # noqa: PLC0415 - on first use
    from stool.scoring import score  # noqa: PLC0415 - the scoring engine, on first use

    queues: dict[int, Any] = {}
    out: list[Call] = []
    width = shift.interval_s
    last = len(shift.arrivals) - 1
    for record in raw:
        if isinstance(record, Call):
            out.append(record)
            continue
        contact = None
        if record.played is not None and record.caller is not None:
            interaction = record.played.interaction
            extra = interaction.handle_time_s - shift.aht_s
            imposed = 0.0
            if extra > 0.0:
                interval = min(int(record.arrived // width), last)
                queue = queues.get(interval)
                if queue is None:
                    queue = queues[interval] = ErlangA(
                        arrivals=shift.arrivals[interval],
                        interval_s=width,
                        aht_s=shift.aht_s,
                        agents=len(shift.agents),
                        patience_s=shift.patience_s,
                    )
                share = 1.0 / max(shift.arrivals[interval], 1.0)
                cost = cost_of_longer_calls(queue, extra_s=extra, share=share)
                imposed = max(float(cost.imposed_wait_s), 0.0)
            interaction = interaction.replace(queue_wait_imposed_s=imposed)
            contact = Contact(
                caller=record.caller,
                moves=record.played.moves,
                decisions=record.played.decisions,
                interaction=interaction,
                score=score(interaction, shift.model),
                fatigue_before=record.fatigue,
                fatigue_after=record.played.fatigue_after,
            )
        out.append(
            Call(
                number=record.number,
                arrived_s=record.arrived,
                wait_s=record.wait,
                agent=record.agent,
                handle_s=record.handle,
                contact=contact,
            )
        )
    return tuple(out)
