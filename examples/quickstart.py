"""Score a handful of interactions from the source stories: three legs, flags, reasons.

After a routine contact for comparison, each interaction below retells a moment from the
five first-hand accounts stool is built from: the gym caller braced for a fight, the furniture
delivery window, the hygiene item refused kindly and curtly, the abusive caller, the
warranty bad news, a refund that breaks a rule, and the very dissatisfied customer turned
very satisfied.
For each one the script prints the three legs, the flags and stool's explanation.

Run it with `python examples/quickstart.py`; it takes well under a second.
"""

from __future__ import annotations

import stool
from stool import Interaction

STORIES: list[tuple[str, str, Interaction]] = [
    (
        "A routine contact, for comparison",
        "The request met courteously and clearly, inside the handle-time target.",
        Interaction(),
    ),
    (
        "The gym caller braced for a fight",
        (
            "The veteran rep's essay: after an hour-long fight to cancel at one gym, the "
            "author called the next one 'waiting for a fight' and got a quick yes."
        ),
        Interaction(
            expectation=0.0,
            prior_bad_experiences=1,
            fulfilment=1.0,
            handle_time_s=120.0,
        ),
    ),
    (
        "The furniture delivery window, explained and not bent",
        (
            "The veteran rep's essay: a customer shouts about the four-hour delivery window "
            "printed on the receipt; the agent explains why the window exists and keeps to it."
        ),
        Interaction(
            fulfilment=0.2,
            explanation_clarity=1.0,
            empathy=0.8,
            customer_abuse=0.5,
            handle_time_s=480.0,
        ),
    ),
    (
        "A hygiene item refused, kindly",
        (
            "The veteran rep's essay: a shower stool cannot be returned for hygiene reasons; "
            "the agent says so with empathy and explains why the rule protects customers."
        ),
        Interaction(fulfilment=0.0, professionalism=1.0, empathy=1.0, explanation_clarity=1.0),
    ),
    (
        "The same refusal, curtly",
        "The same rule and the same answer, delivered without courtesy or a reason.",
        Interaction(fulfilment=0.0, professionalism=0.2, empathy=0.1, explanation_clarity=0.1),
    ),
    (
        "The abusive caller",
        (
            "The supervisor's tips and the veteran rep's essay: the caller insults the agent, "
            "who ends the call."
        ),
        Interaction(fulfilment=0.0, customer_abuse=1.0, ended_by_agent=True, handle_time_s=240.0),
    ),
    (
        "Bad news about the warranty, delivered with empathy",
        (
            "The trainer's notes: the issue is not covered under warranty; the agent breaks "
            "the news without making the customer feel degraded."
        ),
        Interaction(fulfilment=0.0, empathy=1.0, explanation_clarity=0.9, thanked=True),
    ),
    (
        "A refund granted by breaking the rule",
        (
            "The email associate's story: bending is reasonable; here the agent goes past the "
            "rule and the budget."
        ),
        Interaction(fulfilment=1.0, breaks=1, concession_cost=120.0, concession_budget=50.0),
    ),
    (
        "Very dissatisfied to very satisfied",
        (
            "The email associate's story: 'Curses to praises'. A customer with bad experiences "
            "behind them, a full fix, the extra mile and a thank-you, on a long call."
        ),
        Interaction(
            prior_bad_experiences=2,
            expectation=0.2,
            repeat_contacts=1,
            fulfilment=1.0,
            extra_mile=True,
            thanked=True,
            handle_time_s=900.0,
        ),
    ),
]


def main() -> None:
    """Score every story and print the legs, the flags and the explanation."""
    for title, story, interaction in STORIES:
        result = stool.score(interaction)
        legs = "  ".join(f"{leg.value} {result.leg(leg).value:.2f}" for leg in stool.Leg)
        flags = ", ".join(sorted(leg.value for leg in result.at_risk)) or "none"
        print(f"== {title}")
        print(f"   {story}")
        print(f"   legs: {legs}   at risk: {flags}   collapsed: {result.collapsed}")
        print("   " + result.explain().replace("\n", "\n   "))
        print()


if __name__ == "__main__":
    main()
