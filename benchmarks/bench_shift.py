"""Benchmark stool.shift: a 10-hour day with 20 agents and about 3,000 calls.

Run from the repository root:

    .venv/bin/python benchmarks/bench_shift.py

Issue 11 targets a full shift (calls played as interactions, scored and judged) in under
5 seconds; this measures the layer that exists, the queue simulated on SimPy, and prints
the time per call so the layers to come can be budgeted against it.
"""

from __future__ import annotations

import platform
import time

import simpy

from stool import Agent
from stool.shift import Shift

TARGET_S = 5.0


def main() -> None:
    print(f"Python {platform.python_version()}, SimPy {simpy.__version__}")
    shift = Shift(
        agents=[Agent(id=f"rep-{i}") for i in range(20)],
        arrivals=[150.0] * 20,  # 20 half hours: 10 hours, 3,000 calls expected
        aht_s=210,
        patience_s=180,
        seed=1,
    )
    times = []
    for _ in range(5):
        start = time.process_time()
        result = shift.run()
        stats = result.intervals
        times.append(time.process_time() - start)
    best = min(times)
    calls = len(result.calls)
    answered = sum(s.answered for s in stats)
    print(f"calls simulated       {calls:8d} ({answered} answered)")
    print(f"run + interval stats  {best:8.3f} s (best of 5)")
    print(f"per call              {best / calls * 1e6:8.1f} us")
    print(f"share of the 5 s target {best / TARGET_S:6.1%}")


if __name__ == "__main__":
    main()
