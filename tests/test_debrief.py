"""Tests for debriefs, the HTML pages (checked in a real headless Chromium) and the plot."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stool
from stool import Interaction, Leg, ValidationError, Verdict, events
from stool import scenarios as canned
from stool import strategies as ss
from stool.scenario import Debrief, Deviate, MoveReview, Scenario
from stool.scenario._render import figure_size, timeline_svg

mpl.use("Agg")

QUICK = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LEGS = (Leg.CUSTOMER, Leg.COMPANY, Leg.AGENT)
OPENING = Interaction(fulfilment=0.0, empathy=0.5, explanation_clarity=0.0, handle_time_s=0.0)


def curt_warranty():
    """The warranty story's branch in which the bad news is given curtly."""
    return canned.warranty_bad_news().branch("curt").run()


def plain_moves():
    """Events of every kind, no proposals: scenarios that need no policy book."""
    return st.lists(ss.events(), min_size=1, max_size=5)


class TestDebrief:
    """A debrief reviews each move: legs raised and lowered, the decision, what it gave away."""

    def test_each_move_is_reviewed(self):
        """One review per move, with the move's scores before and after and its decision."""
        timeline = canned.gym_cancellation().run()
        review = timeline.debrief()
        assert isinstance(review, Debrief)
        assert len(review) == len(timeline)
        for number, (item, step) in enumerate(zip(review.reviews, timeline, strict=True), 1):
            assert isinstance(item, MoveReview)
            assert item.number == number
            assert item.move == step.move
            assert item.after == step.score
            assert item.decision == step.decision
        assert review.reviews[0].before == timeline.start_score
        assert review.reviews[2].verdict is Verdict.COMPLIANT

    @QUICK
    @given(plain_moves())
    def test_changes_are_the_score_differences(self, moves):
        """Each review's change of a leg is the leg after the move minus the leg before."""
        timeline = Scenario(start=OPENING, moves=moves).run()
        review = timeline.debrief(best=timeline)
        previous = timeline.start_score
        for item, step in zip(review.reviews, timeline, strict=True):
            for leg in LEGS:
                change = step.score.leg(leg).value - previous.leg(leg).value
                assert item.change(leg) == pytest.approx(change)
                assert (leg in item.raised) == (change >= 0.005)
                assert (leg in item.lowered) == (change <= -0.005)
            previous = step.score

    @QUICK
    @given(plain_moves())
    def test_what_is_given_away_adds_up_against_advice(self, moves):
        """Against advice, the moves give away, in all, the fall of the best reachable stool."""
        timeline = Scenario(start=OPENING, moves=moves).run()
        review = timeline.debrief()
        last = review.reviews[-1].best_after
        for leg in LEGS:
            fall = review.best_start.leg(leg).value - last.leg(leg).value
            assert review.given_away[leg] == pytest.approx(fall, abs=1e-9)

    @QUICK
    @given(plain_moves(), plain_moves())
    def test_what_is_given_away_adds_up_against_a_reference(self, mine, theirs):
        """Against a reference, the moves give away the gap they opened between the two runs."""
        timeline = Scenario(start=OPENING, moves=mine).run()
        reference = Scenario(start=OPENING, moves=theirs).run()
        review = timeline.debrief(best=reference)
        assert review.reference is reference
        n = len(timeline)
        theirs_at_n = reference.steps[min(n, len(reference)) - 1].score
        for leg in LEGS:
            gap = theirs_at_n.leg(leg).value - timeline.final.leg(leg).value
            assert review.given_away[leg] == pytest.approx(gap, abs=1e-9)

    def test_against_itself_nothing_is_given_away(self):
        """A run debriefed against itself gives nothing away."""
        timeline = canned.furniture_delivery().run()
        review = timeline.debrief(best=timeline)
        assert all(item.total_given_away == pytest.approx(0.0) for item in review.reviews)
        assert review.costliest is None
        assert "gave nothing away" in review.summary()

    def test_the_curt_move_gives_away_the_most(self):
        """In the curt branch, the curt word is where the trainee gave away the most."""
        review = curt_warranty().debrief()
        worst = review.costliest
        assert isinstance(worst.move, events.AgentUnprofessional)
        assert worst.total_given_away > 0.05
        assert Leg.CUSTOMER in worst.lowered
        assert worst.benchmark_move is not None
        summary = review.summary()
        assert f"move {worst.number}, 'agent unprofessional'" in summary
        assert f"advise's pick there: {worst.benchmark_move!r}" in summary

    def test_against_the_scripted_path(self):
        """Against the story's own moves, the curt word gives away what explaining gained."""
        story = canned.warranty_bad_news()
        review = curt_warranty().debrief(best=story)
        assert review.benchmark == "reference"
        worst = review.costliest
        assert isinstance(worst.move, events.AgentUnprofessional)
        assert worst.benchmark_move == "explain policy (seconds=90)"
        assert review.reviews[0].total_given_away == pytest.approx(0.0)

    def test_customer_moves_are_never_the_trainees(self):
        """The insults cost the agent leg, but are never named the trainee's costliest."""
        review = canned.abusive_caller().run().debrief()
        insults = review.reviews[4]
        assert insults.by_customer
        assert insults.total_given_away > 0.1
        assert review.costliest is None or not review.costliest.by_customer
        assert review.strongest is not None
        assert not review.strongest.by_customer

    @pytest.mark.parametrize(
        "best",
        [
            "curt",
            [events.Greet(), events.AgentUnprofessional(), events.BadNews()],
        ],
    )
    def test_a_reference_by_name_or_by_moves(self, best):
        """A branch's name or a list of moves from the start is a reference path."""
        lesson = Scenario(
            title="Bad news",
            start=OPENING,
            moves=(events.Greet(), events.ExplainPolicy(), events.BadNews()),
            branches=[
                stool.scenario.Branch(
                    name="curt", at=1, moves=(events.AgentUnprofessional(), events.BadNews())
                )
            ],
        )
        review = lesson.run().debrief(best=best)
        assert review.reference.scenario.moves == (
            events.Greet(),
            events.AgentUnprofessional(),
            events.BadNews(),
        )
        assert review.given_away[Leg.CUSTOMER] < 0  # explaining beat the curt reference

    @pytest.mark.parametrize("best", [1, {"moves": []}, [events.Greet(), "thank"]])
    def test_a_bad_reference(self, best):
        """Anything else as a reference is refused, naming what is allowed."""
        with pytest.raises(ValidationError) as info:
            curt_warranty().debrief(best=best)
        assert info.value.field.startswith("Timeline.debrief.best")

    def test_the_text(self):
        """`str(debrief)` shows one row per move with who made it, then the summary."""
        text = str(curt_warranty().debrief())
        lines = text.splitlines()
        assert lines[0] == "Debrief: Warranty bad news (curt) (against advice)"
        assert lines[1].split() == [
            "#",
            "move",
            "by",
            "decision",
            "customer",
            "company",
            "agent",
            "gave",
            "away",
        ]
        assert len([line for line in lines if re.match(r"\s*\d+ ", line)]) == 6
        assert "Your costliest move was move 4" in text


class TestPages:
    """Timelines and debriefs write self-contained pages."""

    def test_timeline_page(self, tmp_path):
        """The page holds the story, the table, the plot as SVG and the explanations."""
        timeline = canned.gym_cancellation().run()
        path = tmp_path / "gym.html"
        page = timeline.to_html(path)
        assert path.read_text(encoding="utf-8") == page
        assert page.startswith("<!DOCTYPE html>")
        assert page.count('<table class="stool-timeline">') == 1
        assert page.count("<svg") == 1
        assert "first person simply processed the cancellation" in page
        assert "COMPLIANT under &#x27;gym_cancellation&#x27;" in page
        assert timeline.final.explain().splitlines()[1] in page
        assert '<table class="stool-debrief">' not in page

    def test_debrief_page(self, tmp_path):
        """A debrief's page adds its summary and review table to the timeline's."""
        review = curt_warranty().debrief()
        page = review.to_html(tmp_path / "debrief.html")
        assert '<table class="stool-debrief">' in page
        assert '<table class="stool-timeline">' in page
        assert "Your costliest move was move 4" in page
        assert review._repr_html_() in page

    def test_pages_load_nothing(self):
        """No scripts, no links, no external resources: the page is one file."""
        page = curt_warranty().debrief().to_html()
        lowered = page.lower()
        for needle in ("<script", "<link", "<img", "<iframe", "<object", "@import", "<metadata"):
            assert needle not in lowered, needle
        # Links and urls only point inside the page (`#id`), never to a resource.
        assert re.findall(r'(?:href|src)\s*=\s*"(?!#)', lowered) == []
        assert re.findall(r"url\((?!#)", lowered) == []
        assert "url(#" in lowered  # the plot's clip paths, inside the page

    def test_user_text_is_escaped(self):
        """Titles, descriptions and labels are shown as text, never as markup."""
        hostile = Scenario(
            title="<script>alert(1)</script>",
            description="<img onerror=x> `code`",
            start=OPENING,
            moves=[Deviate(label="<b>bend</b>")],
        )
        page = hostile.run().to_html()
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<img" not in page
        assert "<code>code</code>" in page

    @pytest.mark.parametrize("path", [3, object()])
    def test_a_bad_path(self, path):
        """A path that is not a path is refused."""
        with pytest.raises(ValidationError) as info:
            curt_warranty().to_html(path)
        assert info.value.field == "Timeline.to_html.path"

    def test_an_unwritable_path(self, tmp_path):
        """A path that cannot be written is a validation error, not an OSError."""
        with pytest.raises(ValidationError):
            curt_warranty().debrief().to_html(tmp_path / "missing" / "page.html")


# ------------------------------------------------------------------------------ Chromium


def chromium():
    """The Chromium executable: required in CI, skipped with a reason elsewhere."""
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("needs Debian's chromium package (apt-get install chromium); CI installs it")
    return found


def load_in_chromium(path, tmp_path):
    """Load a page in headless Chromium; return its rendered DOM and its console lines."""
    profile = tmp_path / "chromium-profile"
    result = subprocess.run(  # noqa: S603 - a fixed argument list, no shell
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            path.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return result.stdout, console


class TestInABrowser:
    """The pages load in a real headless Chromium with no console errors."""

    def test_the_checker_sees_console_errors(self, tmp_path):
        """A page that logs an error and throws is caught: the check can fail."""
        broken = tmp_path / "broken.html"
        broken.write_text(
            "<!DOCTYPE html><html><body><p>x</p>"
            "<script>console.error('boom'); undefinedFunction();</script></body></html>",
            encoding="utf-8",
        )
        dom, console = load_in_chromium(broken, tmp_path)
        assert "<p>x</p>" in dom
        assert any("boom" in line for line in console)
        assert any("undefinedFunction" in line for line in console)

    def test_the_debrief_page(self, tmp_path):
        """The debrief page renders its tables and the SVG plot, with nothing in the console."""
        timeline = curt_warranty()
        path = tmp_path / "debrief.html"
        timeline.debrief().to_html(path)
        dom, console = load_in_chromium(path, tmp_path)
        assert console == []
        assert re.search(r'<table class="stool-debrief">.*</table>', dom, flags=re.DOTALL)
        assert re.search(r'<table class="stool-timeline">.*</table>', dom, flags=re.DOTALL)
        plot = re.search(r'<section id="plot">.*?<svg[^>]*>(.*?)</svg>', dom, flags=re.DOTALL)
        assert plot is not None
        for step in timeline:
            assert step.describe().split()[0] in plot.group(1)
        assert "at risk 0.50" in plot.group(1)
        assert "</html>" in dom


# ---------------------------------------------------------------------------------- plot


def _inside(inner, outer, slack=1.0):
    return (
        inner.x0 >= outer.x0 - slack
        and inner.y0 >= outer.y0 - slack
        and inner.x1 <= outer.x1 + slack
        and inner.y1 <= outer.y1 + slack
    )


def _texts(ax):
    legend = ax.get_legend()
    levels = list(ax.child_axes)
    texts = [*ax.get_xticklabels(), *legend.get_texts(), ax.title]
    for axis in levels:
        texts += axis.get_yticklabels()
    return texts, legend, levels


LABELS = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=90
)


class TestPlot:
    """The plot fits its labels, keeps its legend off the data and labels its levels."""

    @settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(LABELS, min_size=1, max_size=7))
    def test_no_label_is_clipped(self, labels):
        """Whatever the move names, every label lies inside the figure, none over another."""
        timeline = Scenario(
            title=labels[0] * 2, start=OPENING, moves=[Deviate(label=label) for label in labels]
        ).run()
        ax = timeline.plot()
        try:
            figure = ax.figure
            figure.canvas.draw()
            renderer = figure.canvas.get_renderer()
            texts, legend, _ = _texts(ax)
            for text in texts:
                box = text.get_window_extent(renderer)
                assert _inside(box, figure.bbox), text.get_text()
            ticks = [t.get_window_extent(renderer) for t in ax.get_xticklabels()]
            for left, right in itertools.pairwise(ticks):
                assert left.x1 <= right.x0 + 1.0
            data = ax.get_window_extent(renderer)
            assert not legend.get_window_extent(renderer).overlaps(data)
        finally:
            plt.close(ax.figure)

    def test_levels_are_labelled_with_their_values(self):
        """The at-risk and collapse levels are named, with their values, beside the data."""
        ax = canned.furniture_delivery().run().plot()
        try:
            _, _, levels = _texts(ax)
            labels = [t.get_text() for axis in levels for t in axis.get_yticklabels()]
            thresholds = stool.StoolModel().thresholds
            assert f"at risk {thresholds.at_risk_level(Leg.CUSTOMER):.2f}" in labels
            assert f"collapse {thresholds.collapse_level(Leg.CUSTOMER):.2f}" in labels
        finally:
            plt.close(ax.figure)

    def test_per_leg_levels_name_their_legs(self):
        """With a level of its own, a leg's level label names the leg."""
        model = stool.StoolModel(thresholds=stool.Thresholds(agent_at_risk=0.6))
        ax = canned.furniture_delivery().run(model).plot()
        try:
            _, _, levels = _texts(ax)
            labels = " ".join(t.get_text() for axis in levels for t in axis.get_yticklabels())
            assert "agent at risk 0.60" in labels
        finally:
            plt.close(ax.figure)

    def test_the_figure_grows_with_the_moves(self):
        """More moves, or longer names, make a wider or taller figure."""
        short = Scenario(start=OPENING, moves=[Deviate(label="a")]).run()
        many = Scenario(start=OPENING, moves=[Deviate(label="a")] * 12).run()
        long = Scenario(start=OPENING, moves=[Deviate(label="a very " * 12)]).run()
        assert figure_size(many)[0] > figure_size(short)[0]
        assert figure_size(long)[1] > figure_size(short)[1]

    def test_dollar_signs_are_text(self):
        """A `$` in a move's name is shown as itself, not read as mathematics."""
        timeline = Scenario(start=OPENING, moves=[Deviate(label="a $5 credit, $x")]).run()
        ax = timeline.plot()
        try:
            ax.figure.canvas.draw()
            assert "\\$5" in ax.get_xticklabels()[1].get_text()
        finally:
            plt.close(ax.figure)

    def test_the_svg_keeps_its_text(self):
        """The page's plot keeps its labels as text, and carries no date stamp."""
        timeline = canned.gym_cancellation().run()
        svg = timeline_svg(timeline)
        assert svg.startswith("<svg")
        assert "questions" in svg
        assert svg == timeline_svg(timeline)
