"""Tests for stool.scenario: scenarios, moves, timelines and advice."""

from __future__ import annotations

import datetime as dt
import functools
import json
import pickle
from collections.abc import Sequence

import attrs
import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stool
from stool import (
    Agent,
    Authority,
    Channel,
    Company,
    Customer,
    CustomerType,
    Interaction,
    Leg,
    ValidationError,
    Verdict,
    structure,
    unstructure,
)
from stool import events as ev
from stool.batch import OUTPUT_COLUMNS
from stool.models import StoolModel, Thresholds
from stool.policy import Ledger, load_example
from stool.scenario import (
    DEFAULT_JUSTIFICATION,
    Advice,
    Deviate,
    Option,
    Propose,
    Scenario,
    Step,
    Timeline,
    advise,
    default_options,
)
from stool.scoring import score, score_timeline
from stool.strategies import (
    agents,
    authorities,
    channels,
    companies,
    customers,
    events,
    interactions,
)

RETURNS = load_example("returns")
SHOP = Company(name="Home goods", policies=RETURNS)


def refund(days: int, **kwargs) -> Propose:
    """A refund of a 40.00 kitchen item, `days` after purchase."""
    context = {
        "action": "refund",
        "days_since_purchase": days,
        "refund_amount": 40.0,
        "purchase_price": 40.0,
        "item_category": kwargs.pop("category", "kitchen"),
    }
    kwargs.setdefault("effect", (ev.Resolve(),))
    return Propose(context=context, **kwargs)


@functools.cache
def refund_proposals() -> st.SearchStrategy[Propose]:
    """Refund proposals the returns book can judge, compliant, bent and broken alike."""
    context = st.fixed_dictionaries(
        {
            "action": st.sampled_from(["refund", "exchange"]),
            "days_since_purchase": st.integers(0, 90),
            "refund_amount": st.sampled_from([10.0, 40.0, 60.0]),
            "purchase_price": st.just(40.0),
            "item_category": st.sampled_from(["kitchen", "hygiene"]),
        }
    )
    changes = st.fixed_dictionaries(
        {}, optional={"thanked": st.booleans(), "concession_cost": st.floats(0, 100)}
    )
    return st.builds(
        Propose,
        context=context,
        effect=st.lists(events(), max_size=2).map(tuple),
        changes=changes,
        cost=st.floats(0, 100),
        justification=st.none() | st.just("a loyal customer whose parcel was lost"),
        by=st.none() | authorities(),
    )


def deviations() -> st.SearchStrategy[Deviate]:
    """Unjudged bends and breaks."""
    return st.builds(
        Deviate,
        verdict=st.sampled_from([Verdict.BENT, Verdict.BROKEN]),
        justification=st.none() | st.just("goodwill"),
    )


@functools.cache
def moves(*, with_book: bool) -> st.SearchStrategy[object]:
    """Any move; proposals only when the company has a policy book."""
    parts = [events(), deviations()]
    if with_book:
        parts.append(refund_proposals())
    return st.one_of(parts)


@functools.cache
def _scenario_parts(*, with_book: bool) -> dict[str, object]:
    """The strategies `scenarios` draws from, built once rather than at every draw."""
    return {
        "company": companies(policies=st.just(RETURNS) if with_book else st.none()),
        "customer": customers(),
        "agent": agents(),
        "start": {c: st.none() | interactions(channel=st.just(c)) for c in Channel},
        "moves": moves(with_book=with_book),
        "request": st.none() | refund_proposals(),
        "title": st.sampled_from(["", "A role-play"]),
    }


@st.composite
def scenarios(draw, max_moves: int = 6, book: st.SearchStrategy[bool] | None = None):
    """Scenarios of every shape, with or without the returns book and a request."""
    with_book = draw(st.booleans() if book is None else book)
    channel = draw(channels())
    parts = _scenario_parts(with_book=with_book)
    company = draw(parts["company"])
    return Scenario(
        customer=draw(parts["customer"]),
        agent=draw(parts["agent"]),
        company=company,
        channel=channel,
        start=draw(parts["start"][channel]),
        moves=draw(st.lists(parts["moves"], max_size=max_moves)),
        request=draw(parts["request"]) if with_book else None,
        title=draw(parts["title"]),
    )


MORE_MOVES = st.lists(events(), max_size=3)
"""Up to three moves to branch with."""


def bad_start() -> Interaction:
    """An open request: nothing fulfilled, shown or explained yet."""
    return Interaction(fulfilment=0.0, empathy=0.5, explanation_clarity=0.0, handle_time_s=0.0)


class TestPropose:
    """A proposed action holds a frozen context, its effect and who acts."""

    def test_context_is_frozen_and_hashable(self):
        """The context is copied, read-only and hashable, so the action is a value."""
        context = {"action": "refund", "tags": ["a", "b"], "customer": {"tier": "gold"}}
        action = Propose(context=context)
        context["action"] = "exchange"
        assert action.context["action"] == "refund"
        assert action.context["tags"] == ("a", "b")
        assert action.context["customer"]["tier"] == "gold"
        with pytest.raises(TypeError):
            action.context["action"] = "x"  # type: ignore[index]
        assert hash(action) == hash(
            Propose(context={"action": "refund", "tags": ["a", "b"], "customer": {"tier": "gold"}})
        )

    @pytest.mark.parametrize(
        ("context", "field"),
        [
            ("refund", "Propose.context"),
            ({"days": float("nan")}, "Propose.context.days"),
            ({"days": float("inf")}, "Propose.context.days"),
            ({"when": dt.date(2024, 1, 1)}, "Propose.context.when"),
            ({"": 1}, "Propose.context"),
            ({"nested": {"x": object()}}, "Propose.context.nested.x"),
            ({"items": [1, {2}]}, "Propose.context.items[1]"),
        ],
    )
    def test_bad_context_is_rejected(self, context, field):
        """Contexts hold only JSON-like data; the error names the offending key."""
        with pytest.raises(ValidationError) as info:
            Propose(context=context)
        assert info.value.field == field

    def test_effect_must_be_events(self):
        """The effect is a sequence of stool.events moves, nothing else."""
        with pytest.raises(ValidationError) as info:
            Propose(context={}, effect=(ev.Resolve(), "resolve"))
        assert info.value.field == "Propose.effect[1]"
        with pytest.raises(ValidationError):
            Propose(context={}, effect=ev.Resolve())

    def test_changes_are_validated_fields(self):
        """Field changes must name Interaction fields and hold values those fields allow."""
        with pytest.raises(ValidationError) as info:
            Propose(context={}, changes={"mood": 1.0})
        assert info.value.field == "Propose.changes.mood"
        with pytest.raises(ValidationError) as info:
            Propose(context={}, changes={"fulfilment": 2.0})
        assert info.value.field == "Propose.changes.fulfilment"

    def test_changes_read_enum_names(self):
        """An enum field change may be given by member name, as JSON carries it."""
        action = Propose(context={}, changes={"authority": "SUPERVISOR"})
        assert action.changes["authority"] is Authority.SUPERVISOR

    def test_by_reads_authority_names(self):
        """The acting authority may be given by name; anything else is rejected."""
        assert Propose(context={}, by="MANAGER").by is Authority.MANAGER
        with pytest.raises(ValidationError):
            Propose(context={}, by="boss")

    @pytest.mark.parametrize("justification", ["", "   ", 3])
    def test_justification_must_be_text(self, justification):
        """A justification is a non-empty string, or None."""
        with pytest.raises(ValidationError):
            Propose(context={}, justification=justification)

    def test_cost_must_be_non_negative(self):
        """What an action gives away is never negative."""
        with pytest.raises(ValidationError):
            Propose(context={}, cost=-1.0)

    def test_apply_effect_plays_events_then_changes(self):
        """The effect's events run in order, then the field changes."""
        action = Propose(
            context={},
            effect=(ev.Resolve(fulfilment=0.5), ev.ExtraMile()),
            changes={"thanked": True},
        )
        after = action.apply_effect(bad_start())
        expected = ev.ExtraMile()(ev.Resolve(fulfilment=0.5)(bad_start())).replace(thanked=True)
        assert after == expected

    def test_describe(self):
        """A label wins; otherwise the context is shown."""
        assert Propose(context={"a": 1}, label="do it").describe() == "do it"
        assert Propose(context={"a": 1}).describe() == "propose (a=1)"
        assert Propose(context={}).describe() == "propose"

    def test_pickles(self):
        """A proposal survives pickling, frozen context included."""
        action = refund(33, justification="late parcel")
        assert pickle.loads(pickle.dumps(action)) == action  # noqa: S301 - our own bytes


class TestDeviate:
    """An unjudged bend or break counts itself into the interaction."""

    def test_bend_and_break_count(self):
        """A bend adds one bend; a break adds one break."""
        start = Interaction(bends=1, breaks=2)
        assert Deviate().apply(start).bends == 2
        assert Deviate(verdict=Verdict.BROKEN).apply(start).breaks == 3

    def test_compliant_is_not_a_deviation(self):
        """COMPLIANT is not a deviation."""
        with pytest.raises(ValidationError) as info:
            Deviate(verdict=Verdict.COMPLIANT)
        assert info.value.field == "Deviate.verdict"

    def test_describe(self):
        """The description says bend or break unless labelled."""
        assert Deviate().describe() == "bend a rule"
        assert Deviate(verdict="BROKEN").describe() == "break a rule"
        assert Deviate(label="waive the fee").describe() == "waive the fee"


class TestScenario:
    """A scenario is an immutable value: parties, a start and moves."""

    def test_defaults_run(self):
        """`Scenario()` is a valid, empty role-play."""
        timeline = Scenario().run()
        assert len(timeline) == 0
        assert timeline.final == score(Scenario().initial)

    def test_initial_comes_from_the_parties(self):
        """Without a start, the first interaction carries the parties' facts and channel."""
        customer = Customer(id="c", prior_bad_experiences=2, expectations=0.1)
        agent = Agent(id="a", fatigue=0.4, authority=Authority.SUPERVISOR)
        company = Company(name="co", aht_target_s=200.0)
        scenario = Scenario(customer=customer, agent=agent, company=company, channel=Channel.CHAT)
        expected = Interaction.for_parties(
            customer=customer, agent=agent, company=company, channel=Channel.CHAT
        )
        assert scenario.initial == expected

    def test_start_wins_and_must_share_the_channel(self):
        """A given start is used as is, and its channel must be the scenario's."""
        start = Interaction(channel=Channel.EMAIL, fulfilment=0.0)
        assert Scenario(channel=Channel.EMAIL, start=start).initial is start
        with pytest.raises(ValidationError) as info:
            Scenario(start=start)
        assert info.value.field == "Scenario.start.channel"

    def test_proposals_need_a_policy_book(self):
        """A proposal, as a move or as the request, needs a company with a policy book."""
        with pytest.raises(ValidationError) as info:
            Scenario(moves=(refund(10),))
        assert info.value.field == "Scenario.company.policies"
        with pytest.raises(ValidationError):
            Scenario(request=refund(10))
        assert Scenario(company=SHOP, moves=(refund(10),)).moves == (refund(10),)

    @pytest.mark.parametrize("bad", ["greet", ev.Event(), 3, None])
    def test_moves_must_be_moves(self, bad):
        """Something that is not a move is rejected, naming its index."""
        with pytest.raises(ValidationError) as info:
            Scenario(moves=[ev.Greet(), bad])
        assert info.value.field == "Scenario.moves[1]"

    def test_moves_must_be_a_sequence(self):
        """A single move is not a sequence of moves."""
        with pytest.raises(ValidationError):
            Scenario(moves=ev.Greet())

    def test_parties_are_checked(self):
        """Each party must be of its class."""
        with pytest.raises(ValidationError) as info:
            Scenario(customer=Agent(id="x"))
        assert info.value.field == "Scenario.customer"

    def test_date(self):
        """The date is an ISO date; a datetime.date is converted, anything else rejected."""
        assert Scenario(date=dt.date(2024, 6, 1)).date == "2024-06-01"
        for bad in (
            "2024-13-01",
            "June 1st",
            dt.datetime(2024, 6, 1, 12, tzinfo=dt.timezone.utc),
            20240601,
        ):
            with pytest.raises(ValidationError):
                Scenario(date=bad)

    def test_then_appends(self):
        """`then` appends moves and leaves the original alone."""
        first = Scenario().then(ev.Greet())
        second = first.then(ev.Listen(), ev.Thank())
        assert first.moves == (ev.Greet(),)
        assert second.moves == (ev.Greet(), ev.Listen(), ev.Thank())

    def test_branch_keeps_a_prefix(self):
        """`branch(at=k)` keeps the first k moves and continues differently."""
        original = Scenario().then(ev.Greet(), ev.ExplainPolicy(), ev.BadNews())
        curt = original.branch(at=1, moves=[ev.AgentUnprofessional(), ev.BadNews()])
        assert curt.moves == (ev.Greet(), ev.AgentUnprofessional(), ev.BadNews())
        assert original.branch(at=3).moves == original.moves
        assert original.branch(at=0).moves == ()

    @pytest.mark.parametrize("at", [-1, 4, 1.0, True, "1", None])
    def test_branch_point_is_checked(self, at):
        """The branch point is a whole number from 0 to the number of moves."""
        original = Scenario().then(ev.Greet(), ev.ExplainPolicy(), ev.BadNews())
        with pytest.raises(ValidationError) as info:
            original.branch(at=at)
        assert info.value.field == "Scenario.branch.at"
        assert "from 0 to 3" in info.value.allowed

    @pytest.mark.parametrize("moves", [1, None, ev.Greet(), "greet", {"at": 1}])
    def test_branch_moves_are_checked(self, moves):
        """The moves of a branch are a sequence of moves, not a single move or a scalar."""
        original = Scenario().then(ev.Greet())
        with pytest.raises(ValidationError) as info:
            original.branch(at=1, moves=moves)
        assert info.value.field.startswith("Scenario.")

    @given(scenarios(), st.data())
    def test_branching_never_mutates_the_original(self, scenario, data):
        """Branching at any point leaves the original scenario exactly as it was."""
        before = unstructure(scenario)
        at = data.draw(st.integers(0, len(scenario.moves)))
        more = data.draw(MORE_MOVES)
        branched = scenario.branch(at=at, moves=more)
        assert unstructure(scenario) == before
        assert branched.moves == (*scenario.moves[:at], *more)
        assert attrs.evolve(branched, moves=scenario.moves) == scenario


class TestRun:
    """Running plays every move, judges proposals and scores the stool after each."""

    @given(scenarios())
    def test_one_step_per_move(self, scenario):
        """The timeline has exactly one step per move, in order."""
        timeline = scenario.run()
        assert len(timeline) == len(scenario.moves)
        assert tuple(step.move for step in timeline) == scenario.moves

    @given(scenarios())
    def test_running_is_deterministic(self, scenario):
        """Running the same scenario twice gives equal timelines."""
        assert scenario.run() == scenario.run()

    @given(scenarios())
    def test_each_step_is_scored(self, scenario):
        """Each step's score is the score of its interaction; `final` is the last one."""
        timeline = scenario.run()
        for step in timeline:
            assert step.score == score(step.interaction)
        assert timeline.final == (timeline[-1].score if timeline else timeline.start_score)
        assert timeline.start == scenario.initial

    @given(scenarios(book=st.just(False)))
    def test_events_only_agree_with_score_timeline(self, scenario):
        """Without proposals or deviations, a run agrees with score_timeline."""
        plain = [m for m in scenario.moves if isinstance(m, ev.Event)]
        scenario = attrs.evolve(scenario, moves=plain)
        scores = score_timeline(scenario.initial, plain)
        assert [step.score for step in scenario.run()] == scores
        assert all(step.decision is None for step in scenario.run())

    @given(scenarios(book=st.just(True)))
    def test_proposals_are_judged_and_folded(self, scenario):
        """Every proposal is judged as its acting authority, and its verdicts are counted."""
        timeline = scenario.run()
        before = scenario.initial
        for step in timeline:
            move = step.move
            if isinstance(move, Propose):
                decision = step.decision
                assert decision is not None
                assert decision.by is (before.authority if move.by is None else move.by)
                effect = move.apply_effect(before)
                after = step.interaction
                assert after.bends == effect.bends + len(decision.bends)
                assert after.breaks == effect.breaks + len(decision.breaks)
                assert after.concession_cost == pytest.approx(effect.concession_cost + move.cost)
                assert after.authority == max(effect.authority, decision.by)
            else:
                assert step.decision is None
            before = step.interaction

    def test_escalated_authority_acts(self):
        """After an escalation the supervisor acts: ten days late becomes a bend."""
        shop = Scenario(company=SHOP, start=bad_start())
        late = refund(40, justification="the parcel sat at a neighbour's")
        alone = shop.then(late).run()
        assert alone[-1].decision.verdict is Verdict.BROKEN
        assert alone[-1].decision.requires is Authority.SUPERVISOR
        escalated = shop.then(ev.Escalate(), late).run()
        assert escalated[-1].decision.verdict is Verdict.BENT
        assert escalated[-1].decision.by is Authority.SUPERVISOR
        as_agent = shop.then(ev.Escalate(), attrs.evolve(late, by=Authority.AGENT)).run()
        assert as_agent[-1].decision.verdict is Verdict.BROKEN

    def test_budgets_apply_within_a_run(self):
        """Three window bends a day are allowed; the fourth in one scenario is a break."""
        late = refund(33)
        timeline = Scenario(company=SHOP).then(late, late, late, late).run()
        verdicts = [step.verdict for step in timeline]
        assert verdicts == [Verdict.BENT, Verdict.BENT, Verdict.BENT, Verdict.BROKEN]
        assert timeline[-1].decision.breaks[0].cause.name == "BUDGET_EXHAUSTED"
        assert timeline.final.company.at_risk

    def test_each_run_has_its_own_ledger(self):
        """Two runs of the same scenario do not share a budget."""
        scenario = Scenario(company=SHOP).then(refund(33), refund(33), refund(33))
        assert scenario.run() == scenario.run()
        assert all(step.verdict is Verdict.BENT for step in scenario.run())

    def test_a_given_ledger_counts_and_records(self):
        """A ledger holding earlier bends counts them, and records this run's bends."""
        ledger = Ledger()
        day = Scenario(company=SHOP, agent=Agent(id="rep-7"), date="2024-06-01")
        day.then(refund(33), refund(33)).run(ledger=ledger)
        assert len(ledger.entries) == 2
        third = day.then(refund(33), refund(33)).run(ledger=ledger)
        assert [step.verdict for step in third] == [Verdict.BENT, Verdict.BROKEN]
        other_day = attrs.evolve(day, date="2024-06-02").then(refund(33)).run(ledger=ledger)
        assert other_day[-1].verdict is Verdict.BENT

    def test_cost_reaches_the_concession(self):
        """What a proposal gives away is added to the concession cost."""
        timeline = Scenario(company=SHOP).then(refund(33, cost=40.0)).run()
        assert timeline.final == score(timeline.interaction)
        assert timeline.interaction.concession_cost == 40.0

    def test_deviations_are_counted_not_judged(self):
        """A Deviate counts a bend or break with no decision, even without a book."""
        timeline = Scenario().then(Deviate(), Deviate(verdict=Verdict.BROKEN)).run()
        assert [step.decision for step in timeline] == [None, None]
        assert [step.verdict for step in timeline] == [Verdict.BENT, Verdict.BROKEN]
        assert (timeline.interaction.bends, timeline.interaction.breaks) == (1, 1)

    def test_model_is_used(self):
        """A stricter model flags what the default does not."""
        strict = StoolModel(thresholds=Thresholds(at_risk=0.99, collapse=0.2))
        scenario = Scenario().then(ev.Greet())
        assert not scenario.run().final.at_risk
        assert scenario.run(strict).final.at_risk
        assert scenario.run(strict).model is strict


def collapsing() -> Scenario:
    """A role-play whose customer leg gives way, after a bend and a break."""
    braced = bad_start().replace(wait_time_s=3600.0, prior_bad_experiences=2)
    return Scenario(title="Rude", start=braced).then(
        ev.Greet(),
        Deviate(),
        ev.AgentUnprofessional(professionalism_shown=0.0),
        ev.Listen(empathy=0.0),
        ev.BadNews(),
        Deviate(verdict=Verdict.BROKEN),
    )


class TestTimeline:
    """A timeline is a sequence of steps that prints, tabulates and plots itself."""

    def test_sequence_protocol(self):
        """Iterate, index, slice and measure a timeline like a tuple of steps."""
        timeline = collapsing().run()
        assert isinstance(timeline[0], Step)
        assert timeline[1:3] == timeline.steps[1:3]
        assert list(timeline) == list(timeline.steps)
        assert timeline[-1].move == Deviate(verdict=Verdict.BROKEN)
        assert timeline.index(timeline[2]) == 2
        assert timeline.interaction == timeline[-1].interaction
        assert timeline.decisions == ()

    def test_decisions_collects_policy_decisions(self):
        """`decisions` holds the decision of each proposal, in order."""
        timeline = Scenario(company=SHOP).then(ev.Greet(), refund(10), refund(70)).run()
        assert [d.verdict for d in timeline.decisions] == [Verdict.COMPLIANT, Verdict.BROKEN]

    def test_leg_state(self):
        """A leg is ok, at risk, or collapsed below its collapse level."""
        timeline = collapsing().run()
        assert timeline.leg_state(timeline.start_score, Leg.COMPANY) == "ok"
        assert timeline.leg_state(timeline.final, Leg.CUSTOMER) == "collapsed"
        assert timeline.leg_state(timeline.final, Leg.COMPANY) == "at risk"

    def test_str_is_a_table(self):
        """Printing shows a heading, a start row, one row per move and a summary."""
        text = str(collapsing().run())
        lines = text.splitlines()
        assert lines[0] == "Rude (call, 6 moves)"
        assert "(start)" in lines[2]
        assert len(lines) == 2 + 1 + 6 + 1
        assert "bend a rule" in text
        assert "BENT (unjudged)" in text
        assert "collapsed" in text
        assert lines[-1].startswith("The stool falls: the customer leg collapses")

    def test_repr_is_short(self):
        """The repr names the title, the number of steps and the final legs, on one line."""
        timeline = collapsing().run()
        text = repr(timeline)
        assert text.startswith("<Timeline 'Rude': 6 steps; final customer ")
        assert text.endswith("customer leg collapsed>")
        assert "\n" not in text
        assert repr(Scenario().run()).endswith("no leg at risk>")

    def test_explain_ends_with_the_final_explanation(self):
        """`explain` is the table, then the final score's own explanation."""
        timeline = collapsing().run()
        assert timeline.explain() == f"{timeline}\n\n{timeline.final.explain()}"

    def test_summary_names_what_is_at_risk(self):
        """The last line says whether the stool stands, wobbles or falls."""
        assert str(Scenario().then(ev.Greet()).run()).endswith("no leg is at risk.")
        wobbly = str(Scenario().then(ev.CustomerAbuse(severity=1.0)).run())
        assert wobbly.splitlines()[-1].startswith("The stool wobbles: the agent leg is at risk")

    def test_to_frame(self):
        """The frame has one row per move, indexed from 1, with legs, flags and verdicts."""
        timeline = (
            Scenario(company=SHOP, start=bad_start())
            .then(ev.Greet(), refund(40), ev.Escalate(), refund(40))
            .run()
        )
        frame = timeline.to_frame()
        assert list(frame.index) == [1, 2, 3, 4]
        assert frame.index.name == "step"
        assert list(frame.columns) == ["move", "verdict", "requires", *OUTPUT_COLUMNS]
        assert frame["verdict"].isna().tolist() == [True, False, True, False]
        assert frame.loc[2, "verdict"] == "BROKEN"
        assert frame.loc[4, "verdict"] == "BENT"
        assert frame.loc[2, "requires"] == "SUPERVISOR"
        for number, step in enumerate(timeline, start=1):
            row = frame.loc[number]
            assert row["move"] == step.describe()
            assert row["customer"] == step.score.customer.value
            assert row["company_at_risk"] == step.score.company.at_risk
            assert row["customer_type"] == step.score.customer_type.name
            assert row["predicted_csat"] == step.score.predicted_csat

    def test_repr_html_has_one_row_per_move(self):
        """The HTML table has one body row per move, coloured by risk."""
        timeline = collapsing().run()
        page = timeline._repr_html_()
        body = page.split("<tbody>")[1].split("</tbody>")[0]
        assert body.count("<tr>") == len(timeline)
        assert "#f5b7b1" in body  # collapsed
        assert "#fbe3a6" in body  # at risk
        assert "#d8f0d2" in body  # ok
        assert "BROKEN (unjudged)" in body
        assert page.startswith('<table class="stool-timeline">')

    def test_repr_html_escapes(self):
        """Labels are escaped, so a label cannot inject markup."""
        timeline = Scenario(title="<b>x</b>").then(Deviate(label="<script>")).run()
        page = timeline._repr_html_()
        assert "<script>" not in page
        assert "&lt;script&gt;" in page
        assert "&lt;b&gt;x&lt;/b&gt;" in page

    def test_plot(self):
        """The plot draws one line per leg over start and moves, on shaded bands."""
        mpl.use("Agg")
        timeline = collapsing().run()
        ax = timeline.plot()
        try:
            lines = {line.get_label(): line for line in ax.get_lines()}
            for leg in Leg:
                ys = list(lines[leg.value].get_ydata())
                expected = [timeline.start_score.leg(leg).value] + [
                    step.score.leg(leg).value for step in timeline
                ]
                assert ys == expected
            assert len(ax.patches) == 2  # the collapse band and the at-risk band
            assert ax.get_xticklabels()[0].get_text() == "start"
            assert ax.get_title() == "Rude"
        finally:
            plt.close(ax.figure)

    @pytest.mark.parametrize("ax", [1, "axes", object()])
    def test_plot_refuses_what_is_not_axes(self, ax):
        """Something other than matplotlib Axes to draw on is a validation error."""
        with pytest.raises(ValidationError) as info:
            collapsing().run().plot(ax=ax)
        assert info.value.field == "Timeline.plot.ax"

    @pytest.mark.parametrize("index", ["0", 1.0, None, True])
    def test_index_must_be_a_whole_number_or_slice(self, index):
        """Indexing a timeline with anything but a whole number or a slice is refused."""
        with pytest.raises(ValidationError) as info:
            collapsing().run()[index]
        assert info.value.field == "Timeline.index"

    def test_plot_on_given_axes_with_per_leg_thresholds(self):
        """Given Axes are drawn on; per-leg thresholds draw lines instead of bands."""
        mpl.use("Agg")
        fig, ax = plt.subplots()
        try:
            model = StoolModel(thresholds=Thresholds(agent_at_risk=0.6))
            returned = collapsing().run(model).plot(ax=ax)
            assert returned is ax
            assert len(ax.patches) == 0
            assert len(ax.get_lines()) >= 3 + 6
        finally:
            plt.close(fig)


class TestDefaultOptions:
    """The default options: refuse, grant (bend), escalate, extra mile and the break."""

    def test_with_a_request(self):
        """With a request and a book, each option plays the request its own way."""
        late = refund(34, justification=None)
        scenario = Scenario(company=SHOP, request=late).then(ev.Greet())
        options = default_options(scenario)
        kinds = [o.kind for o in options]
        assert kinds == ["refuse", "bend", "escalate", "extra_mile", "break"]
        by_kind = dict(zip(kinds, options, strict=True))
        assert by_kind["bend"].moves[0].justification == DEFAULT_JUSTIFICATION
        assert by_kind["escalate"].moves[0] == ev.Escalate(to=Authority.SUPERVISOR)
        assert by_kind["break"].moves[0].justification is None
        assert by_kind["extra_mile"].moves[-1] == ev.ExtraMile()
        assert isinstance(by_kind["extra_mile"].moves[0], Propose)

    def test_extra_mile_refuses_what_cannot_be_granted(self):
        """When granting would break a rule, the extra mile goes with the refusal."""
        scenario = Scenario(company=SHOP, request=refund(10, category="hygiene"))
        extra = next(o for o in default_options(scenario) if o.kind == "extra_mile")
        assert not any(isinstance(m, Propose) for m in extra.moves)
        assert ev.BadNews() in extra.moves

    def test_no_escalation_above_a_manager(self):
        """A manager has no one to escalate to."""
        scenario = Scenario(company=SHOP, request=refund(40)).then(
            ev.Escalate(to=Authority.MANAGER)
        )
        assert "escalate" not in [o.kind for o in default_options(scenario)]
        supervisor = Scenario(company=SHOP, request=refund(40)).then(ev.Escalate())
        escalate = next(o for o in default_options(supervisor) if o.kind == "escalate")
        assert escalate.moves[0] == ev.Escalate(to=Authority.MANAGER)

    def test_without_a_request_bends_and_breaks_are_counted(self):
        """Without a request, the bend and the break are Deviate moves."""
        options = default_options(Interaction(fulfilment=0.0))
        by_kind = {o.kind: o for o in options}
        assert by_kind["bend"].moves[-1].verdict is Verdict.BENT
        assert by_kind["break"].moves[-1].verdict is Verdict.BROKEN

    def test_a_request_needs_a_book(self):
        """A request on a bare interaction needs a company with a policy book."""
        with pytest.raises(ValidationError):
            default_options(Interaction(), request=refund(10))
        options = default_options(Interaction(), request=refund(10), company=SHOP)
        assert [o.kind for o in options][1] == "bend"


class TestAdvise:
    """Advice ranks options by the stool they leave, as the source stories advise."""

    def test_hygiene_refund_is_never_advised(self):
        """A hard rule cannot be bent: the refusals come first, every grant is a break."""
        scenario = Scenario(company=SHOP, start=bad_start(), request=refund(5, category="hygiene"))
        advice = advise(scenario.then(ev.Greet(), ev.Listen()))
        assert advice[0].option.kind in {"refuse", "extra_mile"}
        grants = [a for a in advice if a.option.kind in {"bend", "escalate", "break"}]
        assert all(a.broken for a in grants)
        assert advice[-len(grants) :] == grants

    def test_escalation_saves_ten_days_late(self):
        """Beyond the agent's tolerance but within a supervisor's, escalate first."""
        scenario = Scenario(company=SHOP, start=bad_start(), request=refund(40))
        best = advise(scenario.then(ev.Greet(), ev.Listen()))[0]
        assert best.option.kind == "escalate"
        assert best.verdict is Verdict.BENT
        assert best.decision.by is Authority.SUPERVISOR
        assert best.standing

    def test_saves_the_customer_first(self):
        """When the company and agent legs hold either way, the customer's best comes first."""
        scenario = Scenario(company=SHOP, start=bad_start(), request=refund(33))
        advice = advise(scenario.then(ev.Greet()))
        assert advice[0].option.kind == "extra_mile"
        assert advice[0].score.customer.value == max(a.score.customer.value for a in advice)
        assert advice[-1].option.kind == "refuse"

    def test_lets_the_customer_go_when_nothing_stands(self):
        """When no option keeps every leg out of risk, escalate and let the customer go."""
        abusive = Scenario(start=bad_start()).then(ev.CustomerAbuse(severity=1.0))
        advice = advise(abusive)
        first = advice[0]
        assert first.option.kind == "let_go"
        assert first.option.moves[0] == ev.Escalate(to=Authority.SUPERVISOR)
        assert first.option.moves[-1] == ev.EndCall()
        assert "seed 002" in first.reason
        assert not any(a.standing for a in advice)

    def test_let_go_after_escalation_does_not_escalate_again(self):
        """Once a supervisor has looked, letting go needs no second escalation."""
        abusive = Scenario(start=bad_start()).then(ev.Escalate(), ev.CustomerAbuse(severity=1.0))
        first = advise(abusive)[0]
        assert first.option.kind == "let_go"
        assert not any(isinstance(m, ev.Escalate) for m in first.option.moves)

    def test_a_given_let_go_option_is_promoted(self):
        """A let-go option among the given ones is the one recommended."""
        mine = Option(label="hand over and close", moves=(ev.EndCall(),), kind="let_go")
        abusive = Scenario().then(ev.CustomerAbuse(severity=1.0))
        advice = advise(abusive, [ev.ExplainPolicy(), mine])
        assert advice[0].option is mine
        assert len(advice) == 2

    def test_options_may_be_moves_or_sequences(self):
        """Options may be Options, single moves or sequences of moves."""
        advice = advise(
            Interaction(fulfilment=0.0),
            [
                ev.ExplainPolicy(),
                (ev.Resolve(), ev.ExtraMile()),
                Option(label="wait", moves=[ev.Hold()]),
            ],
        )
        labels = {a.option.label for a in advice}
        assert labels == {"explain policy", "resolve, then extra mile", "wait"}
        assert advice[0].option.label == "resolve, then extra mile"

    @pytest.mark.parametrize("bad", [["greet"], [()], [3], []])
    def test_bad_options_are_rejected(self, bad):
        """Anything but an option, a move or a non-empty sequence of moves is rejected."""
        with pytest.raises(ValidationError):
            advise(Interaction(), bad)

    @pytest.mark.parametrize("bad", [3, ev.Greet(), "greet", {"a": ev.Greet()}])
    def test_options_that_are_not_a_sequence_are_rejected(self, bad):
        """Options given as a scalar, a single move, text or a mapping are a validation error."""
        with pytest.raises(ValidationError) as info:
            advise(Interaction(), bad)
        assert info.value.field == "advise.options"

    def test_bad_situation_is_rejected(self):
        """Advice needs a scenario or an interaction."""
        with pytest.raises(ValidationError) as info:
            advise("a call")
        assert info.value.field == "advise.scenario_or_interaction"

    def test_reason_is_a_sentence(self):
        """Each reason starts with the option, ends with a full stop and names each leg."""
        scenario = Scenario(company=SHOP, request=refund(40))
        for advice in advise(scenario):
            assert advice.reason.endswith(".")
            assert advice.reason[0].isupper()
            for leg in Leg:
                assert f"{leg.value} {advice.score.leg(leg).value:.2f}" in advice.reason
            assert str(advice) == f"{advice.option.label}: {advice.reason}"
        broken = next(a for a in advise(scenario) if a.option.kind == "bend")
        assert "breaks refund-window (a supervisor could approve it as a bend)" in broken.reason

    def test_advice_fields(self):
        """Advice carries the option's steps, its worst decision and its final score."""
        scenario = Scenario(company=SHOP, request=refund(40))
        for advice in advise(scenario):
            assert isinstance(advice, Advice)
            assert len(advice.steps) == len(advice.option.moves)
            assert advice.score == advice.steps[-1].score
            if any(isinstance(m, Propose) for m in advice.option.moves):
                assert advice.decision is not None
                assert advice.decision.verdict is advice.verdict
            else:
                assert advice.decision is None

    def test_repr_is_short(self):
        """An advice's repr names the option, its verdict and the legs, on one line."""
        advice = advise(Scenario(company=SHOP, request=refund(40)))
        escalate = next(a for a in advice if a.option.kind == "escalate")
        assert repr(escalate).startswith("<Advice 'escalate to a supervisor")
        assert ": BENT; customer " in repr(escalate)
        refuse = next(a for a in advice if a.option.kind == "refuse")
        assert ": no rule; " in repr(refuse)

    def test_advising_leaves_the_ledger_alone(self):
        """Advising weighs options on copies of the ledger and records nothing."""
        ledger = Ledger()
        scenario = Scenario(company=SHOP, request=refund(33))
        advise(scenario, ledger=ledger)
        assert ledger.entries == ()

    def test_a_spent_budget_turns_the_bend_into_a_break(self):
        """Bends made earlier in the day count against the budget when advising."""
        day = Scenario(company=SHOP, agent=Agent(id="rep-7"), date="2024-06-01")
        ledger = Ledger()
        day.then(refund(33), refund(33), refund(33)).run(ledger=ledger)
        advice = advise(attrs.evolve(day, request=refund(33)), ledger=ledger)
        bend = next(a for a in advice if a.option.kind == "bend")
        assert bend.broken
        assert advice[0].option.kind == "escalate"

    def test_request_and_company_for_an_interaction(self):
        """A bare interaction can be advised on with a request and a company."""
        advice = advise(Interaction(fulfilment=0.0), request=refund(40), company=SHOP)
        assert advice[0].option.kind == "escalate"

    @settings(max_examples=25)
    @given(scenarios(max_moves=4))
    def test_never_broken_first(self, scenario):
        """No BROKEN option ever ranks above one that is not broken."""
        advice = advise(scenario)
        broken = [a.broken for a in advice]
        assert broken == sorted(broken)
        if not all(broken):
            assert not advice[0].broken

    @settings(max_examples=25)
    @given(
        scenarios(max_moves=3),
        st.lists(st.lists(moves(with_book=False), min_size=1, max_size=3), min_size=1, max_size=4),
    )
    def test_never_broken_first_with_given_options(self, scenario, options):
        """The ranking rules hold for any options, not just the defaults."""
        advice = advise(scenario, options)
        assert len(advice) in {len(options), len(options) + 1}
        broken = [a.broken for a in advice]
        assert broken == sorted(broken)

    @settings(max_examples=25)
    @given(scenarios(max_moves=3))
    def test_customer_first_when_company_and_agent_hold(self, scenario):
        """Options that keep company and agent out of risk come first, best customer first."""
        advice = [a for a in advise(scenario) if a.option.kind != "let_go"]

        def safe(a):
            legs = a.score.at_risk
            return not a.broken and not a.score.collapsed and not legs & {Leg.COMPANY, Leg.AGENT}

        flags = [safe(a) for a in advice]
        assert flags == sorted(flags, reverse=True)
        customers = [a.score.customer.value for a in advice if safe(a)]
        assert customers == sorted(customers, reverse=True)

    @settings(max_examples=25)
    @given(scenarios(max_moves=3))
    def test_let_go_exactly_when_nothing_stands(self, scenario):
        """The let-go advice comes first exactly when no option keeps the stool standing."""
        advice = advise(scenario)
        others = [a for a in advice if a.option.kind != "let_go"]
        nothing_stands = not any(a.standing for a in others)
        assert (advice[0].option.kind == "let_go") is nothing_stands
        assert len(advice) == len(others) + nothing_stands
        if nothing_stands:
            assert not advice[0].broken


class TestSerialization:
    """Scenarios and their moves round-trip through unstructure and structure."""

    @given(scenarios())
    def test_round_trip(self, scenario):
        """Any scenario survives unstructure, JSON and structure unchanged."""
        data = json.loads(json.dumps(unstructure(scenario)))
        assert structure(data, Scenario) == scenario

    def test_moves_carry_their_type(self):
        """Every move is written with a `type` key naming its class."""
        scenario = Scenario(company=SHOP).then(ev.Greet(), refund(33, by="SUPERVISOR"), Deviate())
        data = unstructure(scenario)
        assert [m["type"] for m in data["moves"]] == ["Greet", "Propose", "Deviate"]
        assert data["moves"][1]["by"] == "SUPERVISOR"
        assert data["moves"][1]["effect"] == [
            {"type": "Resolve", "fulfilment": 1.0, "seconds": 120.0}
        ]

    def test_unknown_move_type_is_rejected(self):
        """An unknown move type is rejected, naming where it is."""
        data = unstructure(Scenario().then(ev.Greet()))
        data["moves"][0]["type"] = "Shout"
        with pytest.raises(ValidationError) as info:
            structure(data, Scenario)
        assert info.value.field.startswith("Scenario.moves[0]")

    def test_unknown_key_in_a_proposal_is_rejected(self):
        """A proposal with an unknown key is rejected, naming the key."""
        data = unstructure(refund(33))
        data["colour"] = "red"
        with pytest.raises(ValidationError) as info:
            structure(data, Propose)
        assert info.value.field == "Propose.colour"

    def test_wrong_type_key_is_rejected(self):
        """A Deviate's data is not a Propose."""
        with pytest.raises(ValidationError) as info:
            structure(unstructure(Deviate()), Propose)
        assert info.value.field == "Propose.type"

    @settings(max_examples=25)
    @given(scenarios(max_moves=4))
    def test_timeline_round_trip(self, scenario):
        """Any run's timeline, and each of its steps, survives unstructure, JSON and structure."""
        timeline = scenario.run()
        data = json.loads(json.dumps(unstructure(timeline)))
        again = structure(data, Timeline)
        assert again == timeline
        assert str(again) == str(timeline)
        for step in timeline:
            assert structure(json.loads(json.dumps(unstructure(step))), Step) == step

    def test_step_with_a_decision_round_trips(self):
        """A step that carries a policy decision reads back with an equal decision."""
        step = Scenario(company=SHOP).then(refund(33)).run().steps[0]
        assert step.decision is not None
        again = structure(json.loads(json.dumps(unstructure(step))), Step)
        assert again.decision == step.decision
        assert again == step

    def test_timeline_of_other_moves_is_refused(self):
        """Structured data whose steps do not play the scenario's moves is refused."""
        data = unstructure(Scenario().then(ev.Greet(), ev.Thank()).run())
        data["steps"] = data["steps"][:1]
        with pytest.raises(ValidationError) as info:
            structure(data, Timeline)
        assert info.value.field == "Timeline.steps"

    def test_step_fields_are_checked(self):
        """A Step refuses a field of the wrong type, naming it."""
        step = Scenario().then(ev.Greet()).run().steps[0]
        with pytest.raises(ValidationError) as info:
            attrs.evolve(step, score=0.5)
        assert info.value.field == "Step.score"
        with pytest.raises(ValidationError) as info:
            attrs.evolve(step, move="greet")
        assert info.value.field == "Step.move"
        with pytest.raises(ValidationError) as info:
            attrs.evolve(step, decision="BENT")
        assert info.value.field == "Step.decision"

    def test_timeline_fields_are_checked(self):
        """A Timeline refuses a field of the wrong type, naming it."""
        timeline = Scenario().then(ev.Greet()).run()
        with pytest.raises(ValidationError) as info:
            attrs.evolve(timeline, model=None)
        assert info.value.field == "Timeline.model"
        with pytest.raises(ValidationError) as info:
            attrs.evolve(timeline, steps=[timeline.start_score])
        assert info.value.field == "Timeline.steps[0]"
        assert attrs.evolve(timeline, steps=list(timeline.steps)) == timeline

    def test_changes_round_trip_enums(self):
        """Enum field changes are written by name and read back as members."""
        action = Propose(context={}, changes={"channel": Channel.CHAT})
        data = json.loads(json.dumps(unstructure(action)))
        assert data["changes"] == {"channel": "CHAT"}
        assert structure(data, Propose) == action


class TestPublicNames:
    """The contract's names are importable from stool."""

    def test_names(self):
        """Scenario, Timeline, Step, Advice and advise come from stool.scenario."""
        for name in ("Scenario", "Timeline", "Step", "Advice", "advise"):
            assert getattr(stool, name) is getattr(stool.scenario, name)

    def test_timeline_is_a_sequence(self):
        """A Timeline is a collections.abc.Sequence."""
        assert isinstance(Scenario().run(), Sequence)
        assert issubclass(Timeline, Sequence)

    def test_customer_type_in_table(self):
        """The table names the customer type in words."""
        text = str(Scenario().then(ev.ExtraMile()).run())
        assert CustomerType.VERY_SATISFIED.name.lower().replace("_", " ") in text
