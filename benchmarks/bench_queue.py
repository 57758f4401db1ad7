"""Benchmark stool.queue: one interval, a day of intervals, and a batch of a million calls.

Run from the repository root:

    .venv/bin/python benchmarks/bench_queue.py

Figures, each the best of several repeats of CPU time:

- `ErlangC` P(wait) and SL(20 s) for one interval, against pyworkforce's `ErlangC` (a peer
  that uses the same Erlang B recursion), as a ratio measured in the same run.
- `ErlangA` P(abandon) and SL(20 s) for one interval, at 14 and at 300 agents.
- A day of 48 intervals as arrays, and 1,000,000 calls priced with `cost_of_longer_calls`
  over those 48 intervals (repeated intervals are computed once).
"""

from __future__ import annotations

import platform
import time

import numpy as np
from pyworkforce.queuing import ErlangC as PeerErlangC

from stool.queue import ErlangA, ErlangC, cost_of_longer_calls


def best(function, *, repeats: int = 5, number: int = 1) -> float:
    """The best CPU time of `repeats` runs of `number` calls, per call, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(number):
            function()
        times.append((time.process_time() - start) / number)
    return min(times)


def main() -> None:
    print(f"Python {platform.python_version()}, numpy {np.__version__}")

    def ours() -> None:
        queue = ErlangC(arrivals=100, interval_s=1800, aht_s=180, agents=14)
        _ = queue.p_wait, queue.service_level(20)

    def peer() -> None:
        queue = PeerErlangC(transactions=100, aht=3, asa=20 / 60, interval=30)
        _ = queue.waiting_probability(14), queue.service_level(14)

    t_ours = best(ours, number=2000)
    t_peer = best(peer, number=2000)
    print(f"ErlangC, 14 agents, P(wait) + SL   {t_ours * 1e6:8.1f} us")
    print(f"pyworkforce, same                  {t_peer * 1e6:8.1f} us")
    print(f"ratio stool / pyworkforce          {t_ours / t_peer:8.2f}")

    for agents, arrivals in ((14, 100), (300, 2900)):

        def erlang_a(agents: int = agents, arrivals: int = arrivals) -> None:
            queue = ErlangA(
                arrivals=arrivals, interval_s=1800, aht_s=180, agents=agents, patience_s=120
            )
            _ = queue.p_abandon, queue.service_level(20)

        t_a = best(erlang_a, number=200)
        print(f"ErlangA, {agents:3} agents, P(abandon) + SL {t_a * 1e6:8.1f} us")

    rng = np.random.default_rng(1)
    arrivals = 100 + 80 * np.sin(np.linspace(0, np.pi, 48))
    agents = np.ceil(arrivals / 10) + 3

    def day() -> None:
        queue = ErlangC(arrivals=arrivals, interval_s=1800, aht_s=180, agents=agents)
        _ = queue.service_level(20), queue.agents_for(service_level=0.8, within_s=20)

    print(f"a day of 48 intervals, SL + staffing {best(day) * 1e3:8.1f} ms")

    calls = 1_000_000
    interval = rng.integers(0, 48, calls)
    extra = rng.choice([0.0, 30.0, 60.0, 120.0], calls)

    def batch() -> None:
        queue = ErlangC(
            arrivals=arrivals[interval], interval_s=1800, aht_s=180, agents=agents[interval]
        )
        cost = cost_of_longer_calls(queue, extra_s=extra, share=1 / arrivals[interval])
        _ = cost.imposed_wait_s

    t_batch = best(batch, repeats=3)
    print(f"1,000,000 calls priced, 48 intervals {t_batch:8.2f} s ({calls / t_batch:,.0f} calls/s)")


if __name__ == "__main__":
    main()
