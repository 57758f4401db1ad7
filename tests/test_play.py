"""Tests for playing a role-play: the session, the notebook player and the terminal."""

from __future__ import annotations

import builtins
import re

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stool
from stool import Authority, Company, Interaction, StoolError, ValidationError, Verdict, events
from stool import scenarios as canned
from stool import strategies as ss
from stool.cli import app
from stool.policy import Ledger, load_example
from stool.scenario import Advice, Option, Player, Scenario, Session, play

OPENING = Interaction(fulfilment=0.0, empathy=0.5, explanation_clarity=0.0, handle_time_s=0.0)


def late_refund():
    """A refund 34 days after purchase: a bend an agent may make three times a day."""
    return Scenario.from_toml(
        """
title = "Late refund"
request = "refund"
[company]
name = "Home goods"
policies = "returns"
[start]
fulfilment = 0.0
handle_time_s = 0.0
[proposal.refund]
label = "refund 34 days after purchase"
justification = "the parcel sat at a neighbour's"
effect = ["Resolve"]
[proposal.refund.context]
action = "refund"
days_since_purchase = 34
refund_amount = 60.0
purchase_price = 60.0
item_category = "kitchen"
[[move]]
event = "Greet"
[[move]]
propose = "refund"
"""
    )


class TestSession:
    """A session plays one choice at a time, from code."""

    def test_starts_at_the_opening(self):
        """A new session has played nothing; the scenario's own moves are its script."""
        session = Session(canned.furniture_delivery())
        assert len(session.timeline) == 0
        assert session.timeline.start == canned.furniture_delivery().initial
        assert session.choices == ()

    def test_choose_by_every_kind_of_name(self):
        """Advice, options, moves, move lists, indexes, labels, kinds and palette names all play."""
        session = Session(late_refund())
        session.choose("greet")
        session.choose(events.Listen())
        session.choose([events.Hold(), events.Hold(seconds=5)])
        session.choose(Option(label="explain", moves=(events.ExplainPolicy(),)))
        best = session.options[0]
        assert isinstance(best, Advice)
        session.choose(best)
        kinds = [a.option.kind for a in session.options]
        session.choose(kinds.index("refuse"))
        session.choose("bend")
        session.choose(session.options[0].option.label)
        moves = [step.describe() for step in session.timeline]
        assert moves[:5] == ["greet", "listen", "hold", "hold (seconds=5)", "explain policy"]
        assert len(session.choices) == 8

    def test_the_run_is_judged_with_one_ledger(self):
        """Proposals are judged through the book, and bends count in the run's ledger."""
        session = Session(late_refund())
        for _ in range(4):
            session.choose("refund 34 days after purchase")
        verdicts = [step.verdict for step in session.timeline]
        assert verdicts == [Verdict.BENT, Verdict.BENT, Verdict.BENT, Verdict.BROKEN]

    def test_a_ledger_from_earlier_counts_and_stays_unchanged(self):
        """Bends made earlier in the day count; the given ledger is never written to."""
        earlier = Ledger()
        book = load_example("returns")
        context = dict(late_refund().request.context)
        for _ in range(3):
            decision = book.evaluate(
                context,
                by=Authority.AGENT,
                ledger=earlier,
                justification="x",
                actor="agent",
                when="2024-01-01",
            )
            earlier.record(decision)
        session = Session(late_refund(), ledger=earlier)
        session.choose("refund 34 days after purchase")
        assert session.timeline[-1].verdict is Verdict.BROKEN
        assert len(earlier.entries) == 3

    def test_undo(self):
        """Undo takes back the last choice, all its moves and the bends it recorded."""
        session = Session(late_refund())
        session.choose("refund 34 days after purchase")
        session.choose([events.ExtraMile(), events.Thank()])
        assert len(session.undo()) == 1
        assert session.undo().steps == ()
        with pytest.raises(ValidationError):
            session.undo()
        for _ in range(3):
            session.choose("refund 34 days after purchase")
            session.undo()
        session.choose("refund 34 days after purchase")
        assert session.timeline[-1].verdict is Verdict.BENT

    def test_branch(self):
        """Branch puts the line aside and goes back; lines keep their names."""
        session = Session(canned.warranty_bad_news())
        session.choose("greet")
        session.choose("agent unprofessional")
        curt = session.timeline
        assert len(session.branch()) == 1
        assert session.lines == {"line 1": curt}
        session.choose("explain policy")
        session.branch("kind", at=0)
        assert len(session.timeline) == 0
        assert list(session.lines) == ["line 1", "kind"]
        with pytest.raises(ValidationError):
            session.branch("kind")
        with pytest.raises(ValidationError):
            session.branch(at=3)

    @pytest.mark.parametrize("bad", ["gret", 99, -1, 1.5, None, [], ["greet"], True])
    def test_bad_choices(self, bad):
        """Anything that names no option or move is refused; a misspelling gets a suggestion."""
        session = Session(canned.gym_cancellation())
        with pytest.raises(ValidationError) as info:
            session.choose(bad)
        assert info.value.field == "Session.choose.option"
        if bad == "gret":
            assert "(did you mean 'greet'?)" in str(info.value)
        assert session.choices == ()

    def test_start_part_way(self):
        """`at` starts the session after the scenario's first moves."""
        session = Session(canned.furniture_delivery(), at=4)
        assert [s.describe() for s in session.timeline][-1] == "explain policy (seconds=90)"
        with pytest.raises(ValidationError):
            Session(canned.furniture_delivery(), at=7)
        with pytest.raises(ValidationError):
            Session("gym_cancellation")

    def test_the_palette(self):
        """The palette holds every event and the scenario's own moves and request."""
        palette = Session(canned.furniture_delivery()).palette
        assert {"greet", "escalate", "end call"} <= set(palette)
        assert palette["promise a one-hour slot"] == canned.furniture_delivery().request
        assert palette["customer abuse"] == events.CustomerAbuse()

    def test_a_proposal_needs_a_book(self):
        """A proposal played where the company has no book is refused."""
        session = Session(Scenario())
        with pytest.raises(ValidationError):
            session.choose(late_refund().request)

    def test_debrief(self):
        """The session's debrief is its timeline's; a line put aside can be the reference."""
        session = Session(canned.warranty_bad_news())
        for move in ("greet", "explain policy", "bad news"):
            session.choose(move)
        session.branch("kind", at=3)
        session.undo()
        session.choose("agent unprofessional")
        review = session.debrief("kind")
        assert review.benchmark == "reference"
        assert review.costliest.label == "agent unprofessional"
        assert session.debrief("curt").reference.scenario.title == "Warranty bad news (curt)"
        assert session.debrief().benchmark == "advice"

    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(ss.events(), min_size=1, max_size=4), st.data())
    def test_choices_then_undo_all_is_the_opening(self, moves, data):
        """Any choices, each undone, leave the session where it started."""
        session = Session(Scenario(start=OPENING))
        for move in moves:
            session.choose(move)
        assert [s.move for s in session.timeline] == moves
        count = data.draw(st.integers(0, len(moves)))
        for _ in range(count):
            session.undo()
        assert [s.move for s in session.timeline] == moves[: len(moves) - count]


class TestPlayer:
    """The notebook player shows the session and redraws on every click."""

    def test_the_widgets(self):
        """The stool, the latest explanation, the options, the table and the plot are shown."""
        player = play(canned.gym_cancellation())
        assert isinstance(player, Player)
        assert "at risk" in player.stool.value
        assert "The contact opens" in player.latest.value
        labels = [b.description for b in player.option_buttons]
        assert len(labels) == len(player.session.options)
        assert labels[0].startswith("1. ")
        assert player.undo_button.disabled
        assert '<table class="stool-timeline">' in player.table.value
        assert "<svg" in player.plot.value
        bundle = player._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in bundle

    def test_a_click_plays_and_redraws_in_place(self):
        """Clicking an option plays it and redraws the same widgets with the new state."""
        player = play(canned.gym_cancellation())
        table, plot = player.table, player.plot
        before = plot.value
        best = player.session.options[0]
        player.option_buttons[0].click()
        assert [s.move for s in player.timeline] == list(best.option.moves)
        assert player.table is table
        assert player.plot is plot
        assert plot.value != before
        assert "cancel at once" in table.value
        assert "COMPLIANT" in player.latest.value
        assert not player.undo_button.disabled

    def test_palette_undo_and_branch_buttons(self):
        """The palette plays any move; undo and branch are one click each."""
        player = play(canned.warranty_bad_news())
        player.palette.value = "agent unprofessional"
        player.play_button.click()
        assert player.timeline[-1].move == events.AgentUnprofessional()
        player.palette.value = "bad news"
        player.play_button.click()
        player.branch_button.click()
        assert len(player.timeline) == 1
        assert "line 1" in player.lines.value
        player.undo_button.click()
        assert len(player.timeline) == 0
        player.undo_button.click()  # nothing to undo: a message, not an exception
        assert player.session.choices == ()

    def test_driven_from_code(self):
        """`choose`, `undo`, `branch` and `debrief` drive the player as a session."""
        player = play(canned.furniture_delivery())
        player.choose("greet")
        player.choose("listen")
        assert "listen" in player.table.value
        player.branch("listened")
        player.undo()
        assert player.timeline.steps == ()
        player.choose("agent unprofessional")
        assert player.debrief("listened").benchmark == "reference"
        assert "agent unprofessional" in player.latest.value

    def test_a_bad_click_shows_a_message(self):
        """A choice the session refuses shows its reason instead of raising in the notebook."""
        player = play(canned.gym_cancellation())
        player._act(lambda: player.session.choose("nothing like it"))
        assert "a move of the palette" in player.message.value
        player.choose("greet")
        assert player.message.value == ""

    def test_the_extra_is_named_when_missing(self, monkeypatch):
        """Without ipywidgets, play says which extra to install."""
        real = builtins.__import__

        def no_widgets(name, *args, **kwargs):
            if name == "ipywidgets":
                raise ImportError(name)
            return real(name, *args, **kwargs)

        monkeypatch.setattr(builtins, "__import__", no_widgets)
        with pytest.raises(StoolError) as info:
            play(canned.gym_cancellation())
        assert "stool[play]" in str(info.value)

    def test_top_level_names(self):
        """`stool.play` and `stool.load_scenario` are the package's own."""
        assert stool.play is play
        assert stool.load_scenario is stool.scenario.load_scenario


def invoke(*args, stdin=""):
    """Run the command line in-process with the given standard input."""
    return CliRunner().invoke(app, list(args), input=stdin)


class TestTerminal:
    """`stool scenario play` plays at a terminal, driven here through standard input."""

    def test_play_a_file(self, tmp_path):
        """Choose the best option, look at the debrief, quit: the debrief is printed and kept."""
        path = tmp_path / "lesson.toml"
        path.write_text(late_refund().to_toml(), encoding="utf-8")
        page = tmp_path / "debrief.html"
        result = invoke("scenario", "play", str(path), "--html", str(page), stdin="1\nd\nq\n")
        assert result.exit_code == 0, result.output
        out = result.output
        assert "Late refund (call)" in out
        assert "The contact opens." in out
        assert "Your move (1): 1" in out
        assert "refund 34 days after purchase  BENT" in out
        assert out.count("Debrief: Late refund (against advice)") == 2
        assert '<table class="stool-debrief">' in page.read_text(encoding="utf-8")

    def test_palette_undo_branch(self):
        """m picks from the palette; u and b take moves back; the end of input ends the game."""
        result = invoke("scenario", "play", "warranty_bad_news", stdin="m\n8\nb\nu\nm\n1\n")
        assert result.exit_code == 0, result.output
        out = result.output
        assert "Move 1: agent unprofessional" in out
        assert "Put aside as 'line 1'; back one move." in out
        assert "Nothing to take back yet." in out
        assert "Move 1: greet" in out
        assert "Debrief: Warranty bad news (against advice)" in out

    def test_against_the_script(self):
        """--against scripted debriefs against the scenario's own moves."""
        result = invoke(
            "scenario", "play", "warranty_bad_news", "--against", "scripted", stdin="m\n8\nq\n"
        )
        assert result.exit_code == 0, result.output
        out = " ".join(result.output.split())
        assert "(against reference)" in out
        assert "the reference there: 'greet'" in out

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["nope"], "no scenario 'nope'"),
            (["gym_cancellation", "--against", "nothing"], "--against nothing"),
            (["gym_cancellation", "--at", "9"], "--at 9"),
        ],
    )
    def test_bad_input(self, args, message):
        """Bad names and options exit with 2 and one line naming the problem."""
        result = invoke("scenario", "play", *args)
        assert result.exit_code == 2
        assert message in result.output

    def test_a_bad_file(self, tmp_path):
        """A scenario file with problems exits with 2 and lists them, with lines."""
        path = tmp_path / "bad.toml"
        path.write_text('[[move]]\nevent = "Gret"\n', encoding="utf-8")
        result = invoke("scenario", "play", str(path))
        assert result.exit_code == 2
        assert re.search(r"line 2.*did you mean 'Greet'", result.output)

    def test_run_takes_a_file(self, tmp_path):
        """`stool scenario run FILE` runs a scenario file like a canned one."""
        path = tmp_path / "lesson.toml"
        path.write_text(canned.gym_cancellation().to_toml(), encoding="utf-8")
        from_file = invoke("scenario", "run", str(path))
        canned_run = invoke("scenario", "run", "gym_cancellation")
        assert from_file.exit_code == 0
        assert from_file.output == canned_run.output
        with_settings = invoke("scenario", "run", str(path), "--set", "honest=true")
        assert with_settings.exit_code == 2


class TestCompany:
    """Sessions respect the company the scenario names."""

    def test_no_book_no_request_options(self):
        """Without a request, advise's options are the nominal bend and break."""
        session = Session(Scenario(company=Company(name="x"), start=OPENING))
        kinds = {a.option.kind for a in session.options}
        assert {"refuse", "bend", "break"} <= kinds
