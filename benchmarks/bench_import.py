"""Whole-process import time: `python -c "import stool"` against `python -c "import attrs"`.

Each run starts a fresh interpreter, so the figures include interpreter start-up, which is
what a command-line tool or a worker process pays.
The two commands alternate so that drifting machine load affects both alike; the script
reports the median of each and their ratio (target: at most 1.3).
Bytecode caches are allowed (PYTHONDONTWRITEBYTECODE is dropped for the child processes),
so the untimed warm-up rounds compile stool once, as an installed wheel would be:
without caches every run would time compiling stool's source, which no user pays.

Run it with the project's interpreter:

    python benchmarks/bench_import.py            # 40 runs of each
    python benchmarks/bench_import.py --runs 100
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

TARGET_RATIO = 1.3
COMMANDS = {"attrs": "import attrs", "stool": "import stool"}


CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_once(code: str) -> float:
    """Return the wall time in seconds of one fresh interpreter running `code`."""
    start = time.perf_counter()
    subprocess.run(  # noqa: S603 - runs this interpreter on our own code
        [sys.executable, "-c", code], check=True, env=CHILD_ENV
    )
    return time.perf_counter() - start


def measure(runs: int, warmup: int) -> dict[str, list[float]]:
    """Alternate the commands `runs` times each, after `warmup` untimed rounds."""
    for _ in range(warmup):
        for code in COMMANDS.values():
            run_once(code)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, code in COMMANDS.items():
            times[name].append(run_once(code))
    return times


def main() -> None:
    """Measure and print the medians, quartiles and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="timed runs of each command")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first")
    args = parser.parse_args()

    times = measure(args.runs, args.warmup)
    print(f"python {sys.version.split()[0]}, {args.runs} alternating runs of each")
    medians = {}
    for name, samples in times.items():
        q1, median, q3 = statistics.quantiles(samples, n=4)
        medians[name] = median
        print(
            f"  import {name:<6} median {median * 1e3:7.1f} ms  (IQR {q1 * 1e3:.1f}-{q3 * 1e3:.1f})"
        )
    ratio = medians["stool"] / medians["attrs"]
    verdict = "ok" if ratio <= TARGET_RATIO else "ABOVE TARGET"
    print(f"  ratio stool/attrs {ratio:.2f} (target <= {TARGET_RATIO}): {verdict}")


if __name__ == "__main__":
    main()
