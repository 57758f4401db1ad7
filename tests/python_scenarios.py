"""The seven stories as they were built in Python before they became files.

The scenario files under `stool/scenarios/` must load as these same scenarios (up to the
words and branches the files add), so a run of a file equals a run of the Python-built
scenario; tests/test_scenario_files.py checks it.
"""

from __future__ import annotations

from typing import Any, Final

from stool.enums import Channel
from stool.events import (
    BadNews,
    CustomerAbuse,
    EndCall,
    ExplainPolicy,
    ExtraMile,
    Greet,
    Hold,
    Listen,
    RepeatContact,
    Resolve,
    Survey,
    Thank,
)
from stool.interaction import Interaction
from stool.parties import Agent, Company, Customer
from stool.policy import PolicyBook, load_example
from stool.scenario import Propose, Scenario


def _opening(
    customer: Customer,
    agent: Agent,
    company: Company,
    channel: Channel = Channel.CALL,
    **facts: Any,
) -> Interaction:
    """The interaction before the first move: request open, nothing shown or explained yet."""
    values: dict[str, Any] = {
        "fulfilment": 0.0,
        "empathy": 0.5,
        "explanation_clarity": 0.0,
        "handle_time_s": 0.0,
    }
    values.update(facts)
    return Interaction.for_parties(
        customer=customer, agent=agent, company=company, channel=channel, **values
    )


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
    member = Customer(id="gym-member", prior_bad_experiences=1, expectations=0.1)
    desk = Agent(id="gym-front-desk", tenure_months=14)
    gym = Company(
        name="The second gym", aht_target_s=300.0, policies=load_example("gym_cancellation")
    )
    cancel = Propose(
        context={
            "action": "cancel",
            "handoffs": 0,
            "retention_offers": 0,
            "notice_days": 30,
            "fee_charged": 0,
            "contract_fee": 25,
        },
        effect=(Resolve(seconds=60),),
        label="cancel at once, no questions asked",
    )
    return Scenario(
        title="Gym cancellation",
        customer=member,
        agent=desk,
        company=gym,
        start=_opening(member, desk, gym),
        moves=(Greet(), Listen(seconds=30), cancel, Thank(), EndCall()),
        request=cancel,
    )


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
    buyer = Customer(id="furniture-buyer", expectations=0.8, lifetime_value=1200.0)
    desk = Agent(id="delivery-desk", tenure_months=18)
    store = Company(name="Acme Furniture", aht_target_s=420.0, policies=load_example("delivery"))
    booked = {
        "action": "schedule",
        "window_hours": 4,
        "truck_loaded": True,
        "quoted_days": 6,
        "transit_days_max": 4,
    }
    keep = Propose(
        context=booked,
        effect=(BadNews(fulfilment_cap=0.5),),
        label="keep the four-hour window",
    )
    exact = Propose(
        context={**booked, "action": "reschedule", "window_hours": 1},
        effect=(Resolve(),),
        label="promise a one-hour slot",
    )
    return Scenario(
        title="Furniture delivery",
        customer=buyer,
        agent=desk,
        company=store,
        start=_opening(buyer, desk, store),
        moves=(
            Greet(),
            CustomerAbuse(severity=0.5),
            Listen(),
            ExplainPolicy(seconds=90),
            keep,
            EndCall(),
        ),
        request=exact,
    )


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
    shopper = Customer(id="bath-shopper", expectations=0.6, lifetime_value=300.0)
    desk = Agent(id="returns-desk", tenure_months=8)
    store = Company(name="Home & Bath", aht_target_s=360.0, policies=load_example("returns"))
    refund = Propose(
        context={
            "action": "refund",
            "days_since_purchase": 12,
            "refund_amount": 35.0,
            "purchase_price": 35.0,
            "item_category": "hygiene",
        },
        effect=(Resolve(),),
        cost=35.0,
        label="refund the toilet seat",
    )
    return Scenario(
        title="Hygiene return",
        customer=shopper,
        agent=desk,
        company=store,
        start=_opening(shopper, desk, store),
        moves=(Greet(), Listen(), ExplainPolicy(), BadNews(), EndCall()),
        request=refund,
    )


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
    owner = Customer(id="laptop-owner", expectations=0.6, lifetime_value=800.0)
    tech = Agent(id="tech-support", tenure_months=36)
    support = Company(name="Laptop support", aht_target_s=600.0, policies=load_example("warranty"))
    repair = Propose(
        context={
            "action": "repair",
            "days_since_purchase": 200,
            "warranty_days": 365,
            "damage": "accidental",
            "proof_of_purchase": True,
        },
        effect=(Resolve(),),
        label="repair the screen under warranty",
    )
    return Scenario(
        title="Warranty bad news",
        customer=owner,
        agent=tech,
        company=support,
        start=_opening(owner, tech, support),
        moves=(
            Greet(),
            Listen(seconds=90),
            Hold(seconds=120),
            ExplainPolicy(seconds=90),
            BadNews(),
            EndCall(),
        ),
        request=repair,
    )


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
    caller = Customer(id="angry-caller", prior_bad_experiences=2, expectations=0.2)
    rep = Agent(id="utility-rep", tenure_months=20, fatigue=0.3)
    utility = Company(name="City Utility", aht_target_s=420.0, policies=load_example("conduct"))
    warn = Propose(
        context={
            "deceives_customer": False,
            "insults_customer": False,
            "changes_account": False,
            "identity_verified": False,
        },
        label="warn the caller, courteously",
    )
    return Scenario(
        title="Abusive caller",
        customer=caller,
        agent=rep,
        company=utility,
        start=_opening(caller, rep, utility, repeat_contacts=2),
        moves=(
            Greet(),
            CustomerAbuse(severity=0.5),
            Listen(),
            ExplainPolicy(),
            CustomerAbuse(severity=1.0),
            warn,
            EndCall(by_agent=True),
        ),
    )


CONSOLE_SUPPORT_POLICY: Final = r'''name = "console_support"
description = """
Console troubleshooting: the tested script first; one step off it, for a reason."""

[context.action]
kind = "string"
description = "What is done: troubleshoot or repair."

[context.off_script_steps]
kind = "number"
description = "Steps recommended outside the troubleshooting script."

[context.voids_warranty]
kind = "boolean"
description = "Whether a recommended step voids the console's warranty."

[[rule]]
id = "troubleshooting-script"
kind = "limit"
applies = "action == 'troubleshoot'"
quantity = "off_script_steps"
max = 0
unit = "steps"
bend = { agent = 1, supervisor = 2, manager = 3 }
budget = { per = "day", bends = 2 }
justification_required = true
rationale = """
The scripted fixes are tested on every console model; a step off the script is \
the agent's own judgement, and must be worth it."""

[[rule]]
id = "never-void-the-warranty"
kind = "hard"
applies = "action == 'troubleshoot'"
forbid = "voids_warranty"
rationale = """
Opening the console or flashing its firmware voids the warranty; we never ask a \
customer to risk that."""

[[test]]
name = "the script is kept"
context = { action = "troubleshoot", off_script_steps = 0, voids_warranty = false }
expect = "compliant"

[[test]]
name = "one step off the script, with a reason, is a bend an agent may make"
context = { action = "troubleshoot", off_script_steps = 1, voids_warranty = false }
justification = "The scripted fixes had failed."
expect = "bent"
requires = "agent"

[[test]]
name = "one step off the script without a reason is not a bend"
context = { action = "troubleshoot", off_script_steps = 1, voids_warranty = false }
expect = "broken"

[[test]]
name = "a step that voids the warranty is a break"
context = { action = "troubleshoot", off_script_steps = 1, voids_warranty = true }
by = "manager"
justification = "The customer asked for it."
expect = "broken"
requires = "nobody"
'''
"""The policy book of [extra_mile_gamer][stool.scenarios.extra_mile_gamer], as TOML: none of
the example books covers troubleshooting, so the scenario carries its own (policies are
data, and this one has its own tests)."""


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
    gamer = Customer(id="gamer", expectations=0.5, lifetime_value=400.0)
    fellow = Agent(id="fellow-gamer", tenure_months=24)
    support = Company(
        name="Console support",
        aht_target_s=600.0,
        policies=PolicyBook.from_toml(CONSOLE_SUPPORT_POLICY),
    )
    tip = Propose(
        context={"action": "troubleshoot", "off_script_steps": 1, "voids_warranty": False},
        effect=(Resolve(),),
        justification="the scripted fixes had failed, and a known fix saves the gamer a repair",
        label="recommend an off-script fix",
    )
    return Scenario(
        title="Extra-mile gamer",
        customer=gamer,
        agent=fellow,
        company=support,
        start=_opening(gamer, fellow, support),
        moves=(
            Greet(),
            Listen(),
            Hold(),
            tip,
            ExtraMile(seconds=60),
            Thank(),
            Survey(csat=5),
            EndCall(),
        ),
        request=tip,
    )


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
    client = Customer(id="email-client", expectations=0.5)
    associate = Agent(id="email-associate", tenure_months=3)
    bpo = Company(name="Ortigas BPO", aht_target_s=600.0, policies=load_example("conduct"))
    conduct = {
        "deceives_customer": not honest,
        "insults_customer": False,
        "changes_account": False,
        "identity_verified": False,
    }
    if honest:
        reply = Propose(
            context=conduct,
            effect=(ExplainPolicy(seconds=120), Resolve(seconds=120)),
            label="own up and resend",
        )
    else:
        reply = Propose(
            context=conduct,
            effect=(Resolve(seconds=120),),
            label="blame a system glitch and resend",
        )
    return Scenario(
        title="Wrong-address email" + ("" if honest else " (covered up)"),
        customer=client,
        agent=associate,
        company=bpo,
        channel=Channel.EMAIL,
        start=_opening(client, associate, bpo, channel=Channel.EMAIL),
        moves=(RepeatContact(), Greet(), reply, Thank()),
    )
