"""Benchmark stool.research.fit: 100,000 rows, every default parameter, 5-fold cross-validation.

Run from the repository root:

    .venv/bin/python benchmarks/bench_fit.py            # add --rows 20000 for a quick run

Target (issue 8): `fit` on 100,000 rows with 5-fold cross-validation finishes in under
60 s on the 2-core reference machine. The script prints the wall time and the CPU time of
the whole fit (six optimisations, the out-of-fold predictions, 1,000 bootstrap resamples
of every metric and driver), and, as a floor measured in the same run, the time of one
`score_batch` pass over the same table: the fit's cost in table scorings.

The table is seeded and synthetic, like an export: channel, fulfilment (a third of it
unknown), professionalism, empathy, explanation clarity (40 % unknown), the wait, transfers,
repeat contacts, prior bad experiences, the expectation, the extra mile and a promised
delivery with its lateness. The answers are drawn from a model that differs from the
default (heavier effort, a steeper lateness), so the fit has somewhere to go.
"""

from __future__ import annotations

import argparse
import platform
import time

import attrs
import numpy as np
import scipy

import stool
from stool.models import StoolModel
from stool.research import fit, sample_answers

TARGET_S = 60.0


def table(rows: int, seed: int = 2024) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    fulfilment = rng.choice([0.0, 0.5, 1.0], rows, p=[0.2, 0.2, 0.6])
    clarity = rng.beta(3, 2, rows)
    return {
        "channel": rng.choice(["CALL", "CHAT", "EMAIL"], rows, p=[0.5, 0.3, 0.2]),
        "fulfilment": np.where(rng.random(rows) < 0.33, np.nan, fulfilment),
        "professionalism": rng.beta(5, 2, rows),
        "empathy": rng.beta(4, 2, rows),
        "explanation_clarity": np.where(rng.random(rows) < 0.4, np.nan, clarity),
        "wait_time_s": rng.exponential(900.0, rows) * rng.choice([0.2, 1.0, 5.0], rows),
        "transfers": rng.poisson(0.4, rows),
        "repeat_contacts": rng.poisson(0.3, rows),
        "prior_bad_experiences": rng.poisson(0.6, rows),
        "expectation": rng.uniform(0.0, 1.0, rows),
        "extra_mile": rng.random(rows) < 0.15,
        "promised_days": np.full(rows, 5.0),
        "delivered_days": np.clip(5.0 + rng.normal(0.0, 3.0, rows), 0.0, None),
    }


def hidden_model() -> StoolModel:
    default = StoolModel()
    customer = attrs.evolve(
        default.customer, effort_weight=0.4, promise_late_scale_days=1.0, wait_shape=0.6
    )
    return attrs.evolve(default, customer=customer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--cv", type=int, default=5)
    arguments = parser.parse_args()
    rows = arguments.rows
    print(f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}")
    data = table(rows)
    data["csat"] = sample_answers(hidden_model(), data, seed=1)

    floor = []
    for _ in range(3):
        start = time.perf_counter()
        stool.score_batch({k: v for k, v in data.items() if k != "csat"})
        floor.append(time.perf_counter() - start)
    one_scoring = min(floor)

    wall = time.perf_counter()
    cpu = time.process_time()
    result = fit(data, cv=arguments.cv)
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall

    print(f"rows {rows:,}, {arguments.cv}-fold cross-validation, {len(result.params)} parameters")
    print(f"fit, wall time                 {wall:8.2f} s   (target < {TARGET_S:.0f} s)")
    print(f"fit, CPU time                  {cpu:8.2f} s")
    print(f"score_batch, one pass (floor)  {one_scoring:8.3f} s")
    print(f"fit / one scoring              {wall / one_scoring:8.0f} x")
    print(
        f"iterations on the whole table {result.iterations}, converged {result.converged}, "
        f"cross-validated AUC {result.metrics['auc'].value:.3f}"
    )
    print("target met" if wall < TARGET_S else "TARGET MISSED")


if __name__ == "__main__":
    main()
