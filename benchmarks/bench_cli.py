"""Benchmark `stool score` on CSV files: bounded memory whatever the size, and its speed.

Run from the repository root:

    python benchmarks/bench_cli.py                      # 250,000 and 2,000,000 rows
    python benchmarks/bench_cli.py --rows 100000 --scale 4

It writes two seeded CSV files of interactions to a temporary folder, the second `--scale`
times the first, and runs `python -m stool score FILE -o OUT.csv --extra-columns ignore`
on each in a fresh process, measuring its wall time and peak resident memory
(`ru_maxrss` of the child).

Targets (issue 10):

- Memory stays bounded: the peak RSS on the large file is at most 1.25x the peak on the
  small one, although the file is `--scale` times larger (the chunk size fixes it).
- The stream costs little over doing it all in memory: on the small file, `stool score`
  runs within 2x of the in-memory peer measured in the same run, a fresh process that
  reads the whole file (`stool.read_table`), scores it (`stool.score_batch`) and writes
  it (`stool.write_table`) in one go.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from stool.tables import TableWriter

TARGET_MEMORY_RATIO = 1.25
TARGET_PEER_RATIO = 2.0

PEER = """
import sys, stool
table = stool.read_table(sys.argv[1], to="arrow")
stool.write_table(stool.score_batch(table, extra_columns="ignore"), sys.argv[2])
"""

MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
seconds = time.perf_counter() - start
print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def chunk(rows: int, rng: np.random.Generator, start: int) -> dict[str, object]:
    """A seeded block of interactions, as a contact-center export has them."""
    promised = rng.random(rows) < 0.3
    return {
        "ticket": [f"T-{start + k:08d}" for k in range(rows)],
        "channel": rng.choice(["CALL", "CHAT", "EMAIL"], size=rows),
        "fulfilment": rng.choice([0.0, 0.5, 1.0], size=rows),
        "professionalism": rng.random(rows),
        "empathy": rng.random(rows),
        "explanation_clarity": rng.random(rows),
        "extra_mile": rng.random(rows) < 0.1,
        "handle_time_s": rng.gamma(4.0, 90.0, rows),
        "wait_time_s": rng.exponential(90.0, rows),
        "transfers": rng.poisson(0.3, rows),
        "promised_days": np.where(promised, rng.integers(3, 7, rows), np.nan),
        "delivered_days": np.where(promised, rng.integers(2, 8, rows), np.nan),
        "customer_abuse": np.where(rng.random(rows) < 0.06, rng.random(rows), 0.0),
        "thanked": rng.random(rows) < 0.35,
        "breaks": (rng.random(rows) < 0.02).astype(int),
    }


def write_csv(path: Path, rows: int) -> None:
    """Write `rows` seeded interactions to `path`, 100,000 at a time."""
    rng = np.random.default_rng(2024)
    with TableWriter(path) as writer:
        for start in range(0, rows, 100_000):
            writer.write(chunk(min(100_000, rows - start), rng, start))


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of `command`, run in a fresh process."""
    result = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", MEASURE, *command],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, kib = result.stdout.split()
    return float(seconds), int(kib) / 1024


def main() -> None:
    """Measure and print the figures, and whether each target is met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=250_000, help="rows of the small file")
    parser.add_argument("--scale", type=int, default=8, help="the large file is this much bigger")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        small, large = Path(folder) / "small.csv", Path(folder) / "large.csv"
        write_csv(small, args.rows)
        write_csv(large, args.rows * args.scale)
        out = str(Path(folder) / "out.csv")
        stool = [sys.executable, "-m", "stool", "score"]
        figures = {}
        for name, path in (("small", small), ("large", large)):
            rows = args.rows if name == "small" else args.rows * args.scale
            seconds, rss = measure([*stool, str(path), "-o", out, "--extra-columns", "ignore"])
            figures[name] = (rows, seconds, rss, path.stat().st_size / 2**20)
        peer_seconds, peer_rss = measure([sys.executable, "-c", PEER, str(small), out])

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    for rows, seconds, rss, size in figures.values():
        print(
            f"  stool score, {rows:>10,} rows ({size:7.1f} MiB CSV): {seconds:6.2f} s, "
            f"{rows / seconds / 1e3:6.0f} k rows/s, peak RSS {rss:6.0f} MiB"
        )
    rows = figures["small"][0]
    print(
        f"  in-memory peer, {rows:>7,} rows: {peer_seconds:6.2f} s, "
        f"{rows / peer_seconds / 1e3:6.0f} k rows/s, peak RSS {peer_rss:6.0f} MiB"
    )
    memory = figures["large"][2] / figures["small"][2]
    verdict = "ok" if memory <= TARGET_MEMORY_RATIO else "ABOVE TARGET"
    print(f"  peak RSS large/small {memory:.2f} (target <= {TARGET_MEMORY_RATIO}): {verdict}")
    peer = figures["small"][1] / peer_seconds
    verdict = "ok" if peer <= TARGET_PEER_RATIO else "ABOVE TARGET"
    print(f"  stool score / in-memory peer {peer:.2f} (target <= {TARGET_PEER_RATIO}): {verdict}")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"  (benchmark took {time.perf_counter() - start:.0f} s)")
