"""Score a table of 100,000 interactions with `score_batch` and summarise it.

The table is synthetic and seeded: its columns are Interaction field names, as a
researcher's export would be, plus a ticket id that stool is told to let through.
The script scores it in one call, joins the scores back onto the table, and prints how
often each leg is at risk, the mix of customer types, the legs by customer type, and the
weakest stools.

Run it with `python examples/02_score_a_table.py` (needs the `batch` extra); it takes a
couple of seconds.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd

import stool
from stool.interaction import FIELD_NAMES

ROWS = 100_000
SEED = 2024


def synthetic_table(rows: int = ROWS, seed: int = SEED) -> pd.DataFrame:
    """A seeded table of contacts, one Interaction field per column."""
    rng = np.random.default_rng(seed)
    promised = rng.random(rows) < 0.3
    return pd.DataFrame(
        {
            "ticket": [f"T-{k:06d}" for k in range(rows)],
            "channel": rng.choice(["CALL", "CHAT", "EMAIL"], size=rows, p=[0.5, 0.3, 0.2]),
            "fulfilment": rng.choice([0.0, 0.5, 1.0], size=rows, p=[0.2, 0.15, 0.65]),
            "professionalism": rng.beta(8, 1.5, rows),
            "empathy": rng.beta(5, 2, rows),
            "explanation_clarity": rng.beta(4, 2, rows),
            "extra_mile": rng.random(rows) < 0.12,
            "handle_time_s": rng.gamma(4.0, 90.0, rows),
            "wait_time_s": rng.exponential(90.0, rows),
            "transfers": rng.poisson(0.3, rows),
            "repeat_contacts": rng.poisson(0.2, rows),
            "promised_days": np.where(promised, rng.integers(3, 7, rows), np.nan),
            "delivered_days": np.where(promised, rng.integers(2, 8, rows), np.nan),
            "prior_bad_experiences": rng.poisson(0.4, rows),
            "customer_value": rng.exponential(400.0, rows),
            "customer_abuse": np.where(rng.random(rows) < 0.06, rng.uniform(0.3, 1.0, rows), 0.0),
            "agent_fatigue": rng.beta(2, 6, rows),
            "escalated": rng.random(rows) < 0.04,
            "thanked": rng.random(rows) < 0.35,
            "bends": rng.poisson(0.08, rows),
            "breaks": (rng.random(rows) < 0.015).astype(int),
            "concession_cost": rng.exponential(8.0, rows),
        }
    )


def main() -> None:
    """Score the table and print a summary."""
    table = synthetic_table()
    start = time.perf_counter()
    scores = stool.score_batch(table, extra_columns="ignore")
    seconds = time.perf_counter() - start
    print(f"scored {len(table):,} interactions in {seconds:.2f} s")

    flags = ["customer_at_risk", "company_at_risk", "agent_at_risk", "collapsed"]
    print()
    print("share of contacts flagged:")
    print(scores[flags].mean().round(4).to_string())

    print()
    print("customer types, and the mean of each leg by type:")
    summary = scores.groupby("customer_type", observed=True)[["customer", "company", "agent"]]
    by_type = summary.mean().round(3)
    by_type.insert(0, "share", scores["customer_type"].value_counts(normalize=True).round(3))
    print(by_type.to_string())

    joined = table.join(scores)
    legs = ["customer", "company", "agent"]
    joined["weakest_leg"] = joined[legs].min(axis=1)
    flags = ["customer_at_risk", "company_at_risk", "agent_at_risk"]
    joined["legs_at_risk"] = joined[flags].sum(axis=1)
    several = joined[joined["legs_at_risk"] > 1]
    columns = ["ticket", "fulfilment", "professionalism", "customer_abuse", "breaks"]
    print()
    print(f"{len(several)} contacts put two or more legs at risk; the three weakest of them:")
    weakest = several.nsmallest(3, "weakest_leg")[[*columns, *legs, "legs_at_risk"]]
    print(weakest.round(2).to_string(index=False))

    # Any row, scored on its own as an Interaction, gives the same numbers.
    record = table.iloc[[17]].to_dict(orient="records")[0]
    facts = {
        name: None if isinstance(value, float) and math.isnan(value) else value
        for name, value in record.items()
        if name in FIELD_NAMES
    }
    alone = stool.score(stool.Interaction(**facts))
    print()
    print(
        f"row 17 alone: customer {alone.customer.value:.6f}, in the batch: "
        f"{scores['customer'].iloc[17]:.6f} ({alone.customer_type.name})"
    )


if __name__ == "__main__":
    main()
