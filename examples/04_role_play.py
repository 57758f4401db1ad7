"""A trainer's role-play: run a canned scenario, branch a what-if, ask for advice.

The scenario is the trainer's bad news: a laptop owner's cracked screen is not covered by
the warranty. The script prints the stool after every move, then replays the call with
the news delivered curtly instead of explained, then asks `stool.advise` what the agent
could do at the moment the news has to be given, and prints the options, best first.

Run it with `python examples/04_role_play.py`; it needs no extras and takes a second.
"""

from __future__ import annotations

from stool import advise, events
from stool.scenarios import warranty_bad_news


def main() -> None:
    """Run the role-play, the curt what-if and the advice, and print them."""
    scenario = warranty_bad_news()
    kind = scenario.run()
    print(kind)
    print()

    # What if, after the hold, the agent had been curt instead of explaining?
    curt = scenario.branch(
        at=3, moves=[events.AgentUnprofessional(), events.BadNews(), events.EndCall()]
    ).run()
    print(curt)
    print()
    drop = kind.final.customer.value - curt.final.customer.value
    print(f"Explaining instead of being curt keeps {drop:.2f} of the customer leg.")
    print()

    # At the moment of truth (after the hold), what could the agent do?
    print("Advice after the hold, best first:")
    for rank, advice in enumerate(advise(scenario.branch(at=3)), start=1):
        print(f"{rank}. {advice.reason}")


if __name__ == "__main__":
    main()
