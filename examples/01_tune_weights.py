"""Change one weight with `attrs.evolve` and see which flags move.

A researcher suspects that a clear explanation of *why* matters more than stool's default
says (the veteran rep's essay: "you must clearly explain to them why you can not do it").
This script doubles `CustomerModel.explanation_weight`, changes nothing else, scores a
set of seeded, randomly varied refusals and partial fixes under both models, and prints
the interactions whose flags moved, with the explanation of each.

Run it with `python examples/01_tune_weights.py`; it takes about a second.
"""

from __future__ import annotations

import random

import attrs

import stool
from stool import Interaction, Leg
from stool.models import StoolModel

SEED = 4


def refusals(count: int, seed: int = SEED) -> list[Interaction]:
    """Seeded contacts where the request was refused or only partly met."""
    rng = random.Random(seed)
    return [
        Interaction(
            fulfilment=rng.choice([0.0, 0.0, 0.25, 0.5]),
            professionalism=round(rng.uniform(0.5, 1.0), 2),
            empathy=round(rng.uniform(0.3, 1.0), 2),
            explanation_clarity=round(rng.uniform(0.0, 1.0), 2),
            wait_time_s=round(rng.expovariate(1 / 120)),
            prior_bad_experiences=rng.choice([0, 0, 0, 1, 2]),
        )
        for _ in range(count)
    ]


def main() -> None:
    """Score the refusals under the default and the tuned model; print what moved."""
    default = StoolModel()
    tuned = attrs.evolve(default, customer=attrs.evolve(default.customer, explanation_weight=0.30))
    changed = {
        field.name: (getattr(default.customer, field.name), getattr(tuned.customer, field.name))
        for field in attrs.fields(type(default.customer))
        if field.init
        and getattr(default.customer, field.name) != getattr(tuned.customer, field.name)
    }
    print(f"changed (default, tuned): {changed}")

    contacts = refusals(200)
    before = [stool.score(contact, default) for contact in contacts]
    after = [stool.score(contact, tuned) for contact in contacts]
    at_risk_before = sum(Leg.CUSTOMER in result.at_risk for result in before)
    at_risk_after = sum(Leg.CUSTOMER in result.at_risk for result in after)
    print(
        f"customer leg at risk: {at_risk_before} of {len(contacts)} before, {at_risk_after} after"
    )

    cleared = [
        (contact, old, new)
        for contact, old, new in zip(contacts, before, after, strict=True)
        if Leg.CUSTOMER in old.at_risk and Leg.CUSTOMER not in new.at_risk
    ]
    flagged = [
        (contact, old, new)
        for contact, old, new in zip(contacts, before, after, strict=True)
        if Leg.CUSTOMER not in old.at_risk and Leg.CUSTOMER in new.at_risk
    ]
    print(f"{len(cleared)} no longer at risk, {len(flagged)} newly at risk; one of each:")
    for contact, old, new in cleared[:1] + flagged[:1]:
        print()
        print(
            f"fulfilment {contact.fulfilment:.2f}, clarity {contact.explanation_clarity:.2f}: "
            f"customer {old.customer.value:.2f} -> {new.customer.value:.2f}"
        )
        print("  " + new.explain().replace("\n", "\n  "))

    # Only the ratios of a leg's weights matter: scaling them all changes nothing.
    weights = {f"{name}_weight": 10 * w for name, w in tuned.customer.weights.items()}
    scaled = attrs.evolve(tuned, customer=attrs.evolve(tuned.customer, **weights))
    same = all(
        abs(stool.score(contact, scaled).customer.value - result.customer.value) < 1e-12
        for contact, result in zip(contacts, after, strict=True)
    )
    print()
    print(f"all weights times 10 gives the same scores: {same}")


if __name__ == "__main__":
    main()
