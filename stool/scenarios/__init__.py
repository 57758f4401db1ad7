"""Canned role-plays from the source stories, ready to run, branch, play and debrief.

Each story is a scenario file shipped with stool (`stool/scenarios/*.toml`, listed in
[FILES][stool.scenarios.FILES]); each function below loads one with
[load_scenario][stool.scenario.load_scenario] and returns the
[Scenario][stool.scenario.Scenario] it holds, with the company's policy book where one
applies ([load_example][stool.policy.load_example]).
Each docstring tells the story and its documented outcome, which the test suite checks;
the files carry the same words (`description`, `outcome`) and the named branches worth
discussing. Copy a file to write your own.

    >>> from stool.scenarios import gym_cancellation
    >>> timeline = gym_cancellation().run()
    >>> timeline.final.customer_type.name, timeline.final.at_risk
    ('SATISFIED', frozenset())

Every scenario opens the same way: the customer's request is still open (`fulfilment`
0), the agent has not yet shown empathy or explained anything (`empathy` 0.5,
`explanation_clarity` 0), and no time has passed; the customer's and the agent's
baggage (prior bad experiences, expectations, fatigue) comes from the parties, most of
them named [personas][stool.scenario.PERSONAS].
The moves do the rest.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from stool.scenario import Scenario, load_scenario

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "CONSOLE_SUPPORT_POLICY",
    "FILES",
    "abusive_caller",
    "extra_mile_gamer",
    "furniture_delivery",
    "gym_cancellation",
    "hygiene_return",
    "warranty_bad_news",
    "wrong_address_email",
]

_FOLDER: Final = Path(str(resources.files(__name__)))

FILES: Final[Mapping[str, Path]] = MappingProxyType(
    {
        name: _FOLDER / f"{name}.toml"
        for name in (
            "gym_cancellation",
            "furniture_delivery",
            "hygiene_return",
            "warranty_bad_news",
            "abusive_caller",
            "extra_mile_gamer",
            "wrong_address_email",
        )
    }
)
"""The scenario file of each story, by the name of the function that loads it, in the
order of the stories: read one, copy it to start your own, or load it yourself.

    >>> import stool
    >>> stool.load_scenario(FILES["hygiene_return"]).title
    'Hygiene return'
"""


def _load(name: str) -> Scenario:
    return load_scenario(FILES[name])


CONSOLE_SUPPORT_POLICY: Final = (_FOLDER / "console_support.toml").read_text(encoding="utf-8")
"""The policy book of [extra_mile_gamer][stool.scenarios.extra_mile_gamer], as TOML (the
file `console_support.toml` next to the scenario file): none of the example books covers
troubleshooting, so the scenario carries its own (policies are data, and this one has its
own tests)."""


def gym_cancellation() -> Scenario:
    """A caller braced for a fight, and a quick yes (the veteran rep's essay).

    The story: years ago the writer spent "at least one hour" with the salesman, the
    manager and the executive director of a gym to cancel personal training, was pushed
    towards a cheaper plan and postponed sessions, "and still [had] to pay".
    Months ago, cancelling at another gym, the writer called "in a bad mood because I was
    waiting for a fight", and the first person simply processed the cancellation:
    "one of my most enjoyable customer service experiences".

    The scenario: a member with one bad experience behind them and low expectations
    (`expectations=0.1`) calls the second gym.
    The agent greets, listens and cancels at once, with no handoff, no retention offer
    and no fee ([load_example][stool.policy.load_example]`("gym_cancellation")`);
    the member thanks the agent.
    The request, for [advise][stool.scenario.advise], is the same cancellation.

    Documented outcome: the cancellation is COMPLIANT; the customer leg, at risk at the
    start, ends SATISFIED with no leg at risk; the call ends well inside the handle-time
    target.
    Branch it into the first gym's hour (transfers, holds, three people, three offers)
    and the same cancellation is BROKEN, putting the company and agent legs at risk.
    """
    return _load("gym_cancellation")


def furniture_delivery() -> Scenario:
    """A four-hour delivery window, explained and not bent (the veteran rep's essay).

    The story: furniture deliveries get "a four-hour time window", an industry standard
    "simply because everybody's home is different"; the window was on the receipt and
    explained when the delivery was booked, yet some customers "screamed, shouted and
    even insulted me" to get an exact time, and "it was often impossible when the
    trucks were already loaded". Refusing to break a rule "should never be considered a
    bad service".

    The scenario: on delivery day, with the truck loaded, a buyer who expects to choose
    the time (`expectations=0.8`) calls and shouts.
    The agent greets, listens, explains why the window exists and keeps the four-hour
    window ([load_example][stool.policy.load_example]`("delivery")`).
    The request, for [advise][stool.scenario.advise], is a one-hour slot on the loaded
    truck.

    Documented outcome: keeping the window is COMPLIANT and nothing is bent or broken;
    the customer does not get the exact time (DISSATISFIED, not VERY_DISSATISFIED, as
    the agent stayed professional) yet the customer leg is not at risk, thanks to the
    explanation; the shouting costs the agent leg, which still holds.
    Granting the one-hour slot is BROKEN for every authority (a loaded truck keeps its
    route), so [advise][stool.scenario.advise] ranks every refusal above it.
    """
    return _load("furniture_delivery")


def hygiene_return() -> Scenario:
    """A non-refundable hygiene item, refused kindly (the veteran rep's essay).

    The story: at a healthcare retailer "most of the lots are usually non-refundable for
    hygienic reasons" (toilet seats, shower stalls, bathing utensils), a policy shown
    before purchase, yet customers still expect the retailer to take an item back, and
    call a refusal "bad customer service". "Employee inability or refusal to violate
    rules should never be considered a bad service. In many cases, rules are created to
    protect the client."

    The scenario: a shopper asks to return a toilet seat bought 12 days ago.
    The agent greets, listens, explains why hygiene items are final sale, and gives the
    bad news; nothing is proposed to the policy book, because nothing is done against
    it.
    The request, for [advise][stool.scenario.advise], is the refund
    ([load_example][stool.policy.load_example]`("returns")`).

    Documented outcome: no decision is taken and nothing is bent or broken; the
    customer is DISSATISFIED (the request was not met) but not at risk, and no leg is at
    risk.
    The refund is BROKEN for every authority (`hygiene-final-sale` is a hard rule), so
    [advise][stool.scenario.advise] puts the kind refusals first and never recommends
    the refund, not even through a supervisor.
    """
    return _load("hygiene_return")


def warranty_bad_news() -> Scenario:
    """Not covered by the warranty, and told with empathy (the trainer's notes).

    The story: the customer "must be satisfied at all times. Despite having to break him
    the bad news (for example, his issue is not covered under warranty) without making
    him feel degraded or 'unserved' properly. (it depends on how you convey it, thru
    your emphatetic skills and sincere approach of communication)."

    The scenario: a laptop owner calls tech support about a cracked screen after a fall.
    The agent greets, listens at length, checks the case on hold, explains what the
    warranty covers and why, and gives the bad news.
    The request, for [advise][stool.scenario.advise], is a repair under warranty
    ([load_example][stool.policy.load_example]`("warranty")`), which accidental damage
    rules out (`no-accidental-damage` is a hard rule).

    Documented outcome: the customer is DISSATISFIED but the customer leg is not at risk,
    and no leg is; the same news delivered curtly (branch at 3 with
    [AgentUnprofessional][stool.events.AgentUnprofessional] instead of the explanation)
    leaves the customer VERY_DISSATISFIED, with the customer leg at risk and clearly
    lower.
    """
    return _load("warranty_bad_news")


def abusive_caller() -> Scenario:
    """Insults; the agent stays calm, then ends the call (the supervisor, the two reps).

    The story: "Please do NOT scream at, berate, curse at, belittle, degrade, demean, or
    otherwise insult the rep" (the supervisor's tips, rule number one);
    "Even if they start raging their asses off, stay calm and professional" (the junior rep's post);
    "I found myself hanging up a number of times because they crossed the line"
    (the veteran rep's essay).

    The scenario: a customer on a third contact about the same issue, with two bad
    experiences behind them, calls a tired agent (`fatigue=0.3`) and shouts; the agent
    listens and explains; the customer turns to personal insults; the agent warns them
    courteously (judged by the code of conduct,
    [load_example][stool.policy.load_example]`("conduct")`) and ends the call.

    Documented outcome: the agent's conduct is COMPLIANT and nothing is bent or broken;
    the customer is DISSATISFIED, not VERY_DISSATISFIED, because the agent stayed
    professional; the agent leg ends at risk, capped by the severe abuse, while the
    company leg holds.
    With the agent leg at risk whatever comes next, [advise][stool.scenario.advise]
    recommends escalating and letting the customer go.
    """
    return _load("abusive_caller")


def extra_mile_gamer() -> Scenario:
    """A rep recommends what he technically should not, within a bend (the junior rep's post).

    The story, from a comment on the junior rep's post: "I recently had a run in with Xbox customer
    support and they were actually really cool. He even recommended actions that he
    technically shouldn't, being a fellow gamer. That was an awesome guy. Plus I was
    ever so grateful. I lost count of how many times I thanked him".

    The scenario: a gamer calls console support; the scripted fixes have failed.
    The agent listens, checks on hold, and recommends one step off the troubleshooting
    script, with a justification, which fixes the console
    ([CONSOLE_SUPPORT_POLICY][stool.scenarios.CONSOLE_SUPPORT_POLICY]: an agent may go
    one step off the script, with a reason); then he goes the extra mile with tips for
    the future, the gamer thanks him and answers the survey with a 5.

    Documented outcome: the off-script step is BENT, not BROKEN (within the agent's own
    tolerance, and justified); the customer ends VERY_SATISFIED; a single bend does not
    put the company leg at risk, and no leg is at risk.
    Without the justification the same step is BROKEN.
    """
    return _load("extra_mile_gamer")


def wrong_address_email(honest: bool) -> Scenario:
    """An email sent to the wrong address: own up, or cover it with a lie (the junior rep's post).

    The story: a new email associate writes "it's okay to make mistakes", then jokes
    "(It's also okay to lie if you made a stupid mistake like accidentally sending an
    email at the wrong time or to the wrong address. They'll never know your true
    stupidity behind it that way. ;D)". stool disagrees: honesty is not negotiable.

    The scenario: the customer writes again, asking where the promised email is (it went
    to the wrong address). With `honest=True` the associate owns up, explains and
    resends; with `honest=False` the associate blames "a system glitch" and resends.
    The code of conduct ([load_example][stool.policy.load_example]`("conduct")`) judges
    the reply; either way the customer gets the email and says thank you.

    Documented outcome: owning up is COMPLIANT and no leg is at risk; the lie is a
    BROKEN decision under the code of conduct (`never-deceive`, which no one may
    approve), and it puts the company and agent legs at risk, while buying the customer
    nothing that the honest reply did not.

    Args:
        honest: Whether the associate owns up (True) or covers the mistake with a lie.
    """
    scenario = _load("wrong_address_email")
    return scenario if honest else scenario.branch("covered up")
