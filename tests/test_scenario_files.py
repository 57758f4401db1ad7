"""Tests for scenario files: reading, writing, validation, personas and the shipped stories."""

from __future__ import annotations

import importlib.util
import json
import pickle
from pathlib import Path

import attrs
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import stool
from stool import Channel, CustomerType, Interaction, ValidationError, classify, events
from stool import scenarios as canned
from stool import strategies as ss
from stool.policy import MAX_PROBLEMS, load_example
from stool.scenario import (
    OPEN_REQUEST,
    PERSONAS,
    Branch,
    Propose,
    Scenario,
    ScenarioFileError,
    ScenarioValidationError,
    load_scenario,
    persona,
)
from stool.scenario._moves import _thaw
from stool.scenario._writing import _table


def _python_built():
    """Load tests/python_scenarios.py, the stories as they were built in Python."""
    path = Path(__file__).with_name("python_scenarios.py")
    spec = importlib.util.spec_from_file_location("python_scenarios", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


built_in_python = _python_built()

PYTHON_BUILT = {
    "gym_cancellation": built_in_python.gym_cancellation,
    "furniture_delivery": built_in_python.furniture_delivery,
    "hygiene_return": built_in_python.hygiene_return,
    "warranty_bad_news": built_in_python.warranty_bad_news,
    "abusive_caller": built_in_python.abusive_caller,
    "extra_mile_gamer": built_in_python.extra_mile_gamer,
    "wrong_address_email": lambda: built_in_python.wrong_address_email(honest=True),
}

QUICK = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LESSON = """\
title = "A late refund"
persona = "braced-for-a-fight"
request = "refund"

[agent]
id = "trainee"

[company]
name = "Home goods"
policies = "returns"

[proposal.refund]
label = "refund 34 days after purchase"
justification = "the parcel sat at a neighbour's for a week"
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
event = "Listen"
seconds = 30

[[move]]
propose = "refund"

[[branch]]
name = "curt"
at = 1

[[branch.move]]
event = "AgentUnprofessional"
"""


def problems_of(source, fmt="toml"):
    """The problems a scenario source raises, by field."""
    reader = {"toml": Scenario.from_toml, "json": Scenario.from_json, "yaml": Scenario.from_yaml}
    with pytest.raises(ScenarioValidationError) as info:
        reader[fmt](source)
    return {problem.field: problem for problem in info.value.problems}


def core(scenario):
    """A scenario without the words and branches a file adds to the Python-built one."""
    return attrs.evolve(scenario, description="", outcome="", branches=())


class TestReading:
    """A scenario file reads as the scenario it describes."""

    def test_a_lesson(self):
        """Persona, parties, book, proposals, moves and branches all read as written."""
        lesson = Scenario.from_toml(LESSON)
        braced = PERSONAS["braced-for-a-fight"]
        assert lesson.title == "A late refund"
        assert lesson.customer == braced.customer
        assert lesson.agent == stool.Agent(id="trainee")
        assert lesson.company.policies == load_example("returns")
        assert lesson.moves[:2] == (events.Greet(), events.Listen(seconds=30))
        assert lesson.moves[2] is lesson.request
        assert lesson.request.context["days_since_purchase"] == 34
        assert lesson.start == braced.start(agent=lesson.agent, company=lesson.company)
        assert lesson.branches == (
            Branch(name="curt", at=1, moves=(events.AgentUnprofessional(),)),
        )
        assert lesson.run().decisions[0].verdict is stool.Verdict.BENT

    def test_enum_names_in_any_case(self):
        """An enum name is read in any case, as everywhere in stool."""
        text = 'title = "Up the chain"\n\n[[move]]\nevent = "Escalate"\nto = "supervisor"\n'
        (move,) = Scenario.from_toml(text).moves
        assert move == events.Escalate(to=stool.Authority.SUPERVISOR)

    def test_json_and_yaml_read_the_same_data(self):
        """The same data as JSON or YAML builds an equal scenario."""
        lesson = Scenario.from_toml(LESSON)
        data = lesson.to_data()
        assert Scenario.from_json(json.dumps(data)) == lesson
        assert Scenario.from_yaml(yaml.safe_dump(data)) == lesson
        assert Scenario.from_data(data) == lesson

    def test_load_scenario_picks_the_format_by_suffix(self, tmp_path):
        """`stool.load_scenario` reads .toml, .json, .yaml and .yml files alike."""
        lesson = Scenario.from_toml(LESSON)
        for suffix, text in (
            (".toml", LESSON),
            (".json", lesson.to_json()),
            (".yaml", yaml.safe_dump(lesson.to_data())),
            (".yml", yaml.safe_dump(lesson.to_data())),
        ):
            path = tmp_path / f"lesson{suffix}"
            path.write_text(text, encoding="utf-8")
            assert stool.load_scenario(path) == lesson
            assert load_scenario(str(path)) == lesson

    def test_a_policy_file_is_read_next_to_the_scenario(self, tmp_path):
        """`policies = "book.toml"` names a policy file in the scenario file's folder."""
        (tmp_path / "book.toml").write_text(load_example("conduct").to_toml(), encoding="utf-8")
        (tmp_path / "lesson.toml").write_text(
            '[company]\nname = "x"\npolicies = "book.toml"\n', encoding="utf-8"
        )
        assert load_scenario(tmp_path / "lesson.toml").company.policies == load_example("conduct")

    def test_an_inline_book(self):
        """A book written inside the file, as a table, is read with the policy loader."""
        data = {"company": {"name": "x", "policies": load_example("warranty").to_data()}}
        assert Scenario.from_data(data).company.policies == load_example("warranty")

    def test_unobserved_facts(self):
        """`unobserved` lists the opening facts that were not observed (None)."""
        lesson = Scenario.from_toml('[start]\nfulfilment = 0.0\nunobserved = ["empathy"]\n')
        assert lesson.start.fulfilment == 0.0
        assert lesson.start.empathy is None

    def test_an_empty_file_is_the_empty_scenario(self):
        """A file with nothing in it is `Scenario()`."""
        assert Scenario.from_toml("") == Scenario()

    def test_a_date_literal(self):
        """A TOML date reads as the ISO date."""
        assert Scenario.from_toml("date = 2024-06-01").date == "2024-06-01"

    def test_a_file_name_given_as_text_is_refused(self):
        """`from_toml("lesson.toml")` points to load_scenario instead of reading a name as TOML."""
        with pytest.raises(ScenarioFileError) as info:
            Scenario.from_toml("lesson.toml")
        assert "load_scenario" in str(info.value)


class TestWriting:
    """A written scenario reads back as the same scenario."""

    @QUICK
    @given(ss.scenarios())
    def test_toml_round_trip(self, scenario):
        """`from_toml(to_toml())` gives back an equal scenario, for any drawn scenario."""
        assert Scenario.from_toml(scenario.to_toml()) == scenario

    @QUICK
    @given(ss.scenarios(contexts=ss.policy_contexts(st.none() | st.integers() | st.text())))
    def test_json_round_trip(self, scenario):
        """`from_json(to_json())` gives back an equal scenario, nulls and big integers too."""
        assert Scenario.from_json(scenario.to_json()) == scenario

    @QUICK
    @given(ss.scenarios(max_moves=3))
    def test_a_file_runs_as_the_scenario_it_was_written_from(self, scenario):
        """A run of the file is the run of the scenario: steps, scores and decisions alike."""
        without_proposals = attrs.evolve(
            scenario,
            moves=[m for m in scenario.moves if not isinstance(m, Propose)],
            request=None,
            branches=(),
        )
        assert Scenario.from_toml(without_proposals.to_toml()).run() == without_proposals.run()

    def test_toml_has_no_null(self):
        """A None in a policy context has no TOML form: the error says to write JSON."""
        scenario = Scenario(
            company=stool.Company(name="x", policies=load_example("conduct")),
            moves=[Propose(context={"deceives_customer": None})],
        )
        with pytest.raises(ValidationError) as info:
            scenario.to_toml()
        assert "to_json" in str(info.value)
        assert Scenario.from_json(scenario.to_json()) == scenario

    def test_only_what_differs_is_written(self):
        """Default arguments and the parties' own facts are left out of the file."""
        text = Scenario.from_toml(LESSON).to_toml()
        assert 'policies = "returns"' in text
        assert "seconds = 15" not in text  # Greet's default
        assert "expectation =" not in text  # the customer's, copied into the start

    def test_multi_line_text_stays_readable(self):
        """Descriptions with line breaks are written as multi-line strings."""
        scenario = Scenario(description='Line one, "quoted".\nLine two \\ done.\r')
        text = scenario.to_toml()
        assert 'description = """\nLine one,' in text
        assert Scenario.from_toml(text) == scenario


class TestStoriesAsFiles:
    """The seven stories ship as files that run as the Python-built scenarios did."""

    @pytest.mark.parametrize("name", list(canned.FILES))
    def test_the_file_is_the_python_built_scenario(self, name):
        """Each file loads as the scenario the Python function built, and runs the same."""
        loaded = load_scenario(canned.FILES[name])
        before = PYTHON_BUILT[name]()
        assert core(loaded) == before
        assert loaded.run().steps == before.run().steps

    def test_the_covered_up_email_is_a_branch(self):
        """`wrong_address_email(honest=False)` is the file's branch "covered up"."""
        assert core(canned.wrong_address_email(honest=False)) == core(
            built_in_python.wrong_address_email(honest=False)
        )

    @pytest.mark.parametrize("name", list(canned.FILES))
    def test_each_file_tells_its_story_and_outcome(self, name):
        """Each file has a title, a description, a documented outcome and at least one branch."""
        loaded = load_scenario(canned.FILES[name])
        assert loaded.title
        assert len(loaded.description) > 200
        assert len(loaded.outcome) > 80
        assert loaded.branches

    @pytest.mark.parametrize("name", list(canned.FILES))
    def test_each_file_round_trips(self, name):
        """Each story, written out and read back, is the same scenario."""
        loaded = load_scenario(canned.FILES[name])
        assert Scenario.from_toml(loaded.to_toml()) == loaded

    @pytest.mark.parametrize(
        ("name", "branch", "verdict", "at_risk"),
        [
            ("gym_cancellation", "the first gym", "BROKEN", {"company", "agent"}),
            ("furniture_delivery", "curt", None, {"customer"}),
            ("furniture_delivery", "gives in", "BROKEN", {"company", "agent"}),
            ("hygiene_return", "refund anyway", "BROKEN", {"company", "agent"}),
            ("warranty_bad_news", "curt", None, {"customer"}),
            ("abusive_caller", "snaps back", None, {"customer", "agent"}),
            ("extra_mile_gamer", "no reason given", "BROKEN", {"company", "agent"}),
            ("wrong_address_email", "covered up", "BROKEN", {"company", "agent"}),
        ],
    )
    def test_each_branch_ends_as_described(self, name, branch, verdict, at_risk):
        """Each named branch ends with the verdict and the legs at risk its description names."""
        scenario = load_scenario(canned.FILES[name])
        what_if = scenario.branch(branch)
        timeline = what_if.run()
        verdicts = {step.verdict.name for step in timeline if step.verdict is not None}
        assert verdicts == ({verdict} if verdict else set())
        assert {leg.value for leg in timeline.final.at_risk} == at_risk
        assert what_if.title == f"{scenario.title} ({branch})"
        assert (verdict or "at risk") in what_if.description

    def test_the_console_book_is_the_file_next_to_the_story(self):
        """CONSOLE_SUPPORT_POLICY is the text of the book the gamer's file names."""
        folder = canned.FILES["extra_mile_gamer"].parent
        assert (folder / "console_support.toml").read_text(
            encoding="utf-8"
        ) == canned.CONSOLE_SUPPORT_POLICY


class TestPersonas:
    """Personas are named, documented presets a file can refer to."""

    @pytest.mark.parametrize(
        ("name", "kind"),
        [
            ("very-satisfied", CustomerType.VERY_SATISFIED),
            ("satisfied", CustomerType.SATISFIED),
            ("dissatisfied", CustomerType.DISSATISFIED),
            ("very-dissatisfied", CustomerType.VERY_DISSATISFIED),
        ],
    )
    def test_the_four_types_open_as_their_type(self, name, kind):
        """Each customer type's persona opens a contact as a customer of that type."""
        assert classify(PERSONAS[name].start()) is kind
        assert stool.score(PERSONAS[name].start()).customer_type is kind

    def test_the_story_characters(self):
        """The stories' characters carry their baggage into the contact."""
        braced = PERSONAS["braced-for-a-fight"]
        abusive = PERSONAS["abusive-caller"]
        knows = PERSONAS["knows-the-rule"]
        assert braced.customer.prior_bad_experiences == 1
        assert braced.customer.expectations < 0.5
        assert abusive.start().repeat_contacts == 2
        assert abusive.customer.prior_bad_experiences == 2
        assert knows.customer.expectations > 0.5
        for one in (braced, abusive, knows):
            assert one.start().fulfilment == OPEN_REQUEST["fulfilment"]

    @pytest.mark.parametrize("name", list(PERSONAS))
    def test_each_is_documented(self, name):
        """Each persona has its name, a title and a description."""
        one = PERSONAS[name]
        assert one.name == name
        assert one.title
        assert len(one.description) > 60

    def test_the_file_wins_over_the_persona(self):
        """A file's own customer fields and opening facts override the persona's."""
        lesson = Scenario.from_toml(
            'persona = "abusive-caller"\n[customer]\nid = "x"\nexpectations = 0.9\n'
            "[start]\nrepeat_contacts = 0\n"
        )
        assert lesson.customer.expectations == 0.9
        assert lesson.customer.prior_bad_experiences == 2
        assert lesson.start.repeat_contacts == 0

    def test_an_unknown_persona(self):
        """A misspelt persona is an error with a suggestion."""
        with pytest.raises(ValidationError) as info:
            persona("abusive caller")
        assert "did you mean 'abusive-caller'?" in str(info.value)
        problem = problems_of('persona = "braced for a fight"')["persona"]
        assert problem.suggestion == "braced-for-a-fight"


class TestValidation:
    """Bad files list every problem at once, each with its line and a suggestion."""

    def test_every_problem_at_once(self):
        """Misspelt events, keys, names and values are all reported, each on its line."""
        text = """\
title = "Typos"
chanel = "CALL"

[customer]
id = "c"
expectations = 1.5

[proposal.refund]
context = { action = "refund" }

[[move]]
event = "Gret"

[[move]]
event = "Listen"
secnds = 30

[[move]]
propose = "refnd"

[[move]]
event = "Escalate"
to = "SUPERVSOR"
"""
        found = problems_of(text)
        lines = text.splitlines()
        expected = {
            "chanel": ("channel", "chanel"),
            "customer.expectations": (None, "expectations"),
            "move[0].event": ("Greet", "Gret"),
            "move[1].secnds": ("seconds", "secnds"),
            "move[2].propose": ("refund", "refnd"),
            "move[3].to": ("SUPERVISOR", "SUPERVSOR"),
        }
        for field, (suggestion, word) in expected.items():
            problem = found[field]
            assert problem.suggestion == suggestion, field
            assert problem.file == "<string>"
            assert word in lines[problem.line - 1], field
        # proposals need a book, and there is none; the misspelt one is never played
        assert "policy book" in found["proposal"].allowed
        assert found["proposal"].line == 8
        assert "never used" in found["proposal.refund"].allowed
        assert len(found) == len(expected) + 2

    def test_the_message_lists_them_all(self):
        """The error's message names the file, each line and each suggestion."""
        with pytest.raises(ScenarioValidationError) as info:
            Scenario.from_toml('[[move]]\nevent = "Gret"\n[[move]]\nevent = "Thnak"\n')
        message = str(info.value)
        assert message.startswith("2 problems in the scenario file <string>:")
        assert "line 2" in message
        assert "line 4" in message
        assert "(did you mean 'Greet'?)" in message
        assert "(did you mean 'Thank'?)" in message
        assert isinstance(info.value, stool.StoolError)
        assert isinstance(info.value, ValueError)

    def test_an_unused_proposal_is_a_problem(self):
        """A proposal no move, branch or request plays is reported, not silently dropped."""
        found = problems_of(
            '[company]\nname = "x"\npolicies = "conduct"\n'
            "[proposal.spare]\ncontext = { deceives_customer = false }\n"
        )
        assert "never used" in found["proposal.spare"].allowed

    def test_a_move_names_one_kind(self):
        """A move with no kind, or two, is reported; a misspelt kind gets a suggestion."""
        found = problems_of(
            '[[move]]\nevnt = "Greet"\n[[move]]\nevent = "Greet"\ndeviate = "BENT"\n'
            "[[move]]\nseconds = 3\n"
        )
        assert found["move[0].evnt"].suggestion == "event"
        assert "exactly one" in found["move[1]"].allowed
        assert "exactly one" in found["move[2]"].allowed

    def test_branches_are_checked(self):
        """A branch past the moves, a duplicate name or a missing name is reported."""
        found = problems_of(
            '[[move]]\nevent = "Greet"\n'
            '[[branch]]\nname = "a"\nat = 2\n'
            '[[branch]]\nname = "a"\nat = 0\n'
            "[[branch]]\nat = 0\n"
        )
        assert "from 0 to 1" in found["branch[0].at"].allowed
        assert found["branch[1].name"].value == "a"
        assert "name" in found["branch[2]"].allowed

    def test_a_bad_book_is_located_in_its_own_file(self, tmp_path):
        """Problems of a policy file the scenario names are reported with that file's lines."""
        (tmp_path / "book.toml").write_text('name = "b"\n[[rule]]\nid = "r"\nkind = "hrad"\n')
        (tmp_path / "lesson.toml").write_text('[company]\nname = "x"\npolicies = "book.toml"\n')
        with pytest.raises(ScenarioValidationError) as info:
            load_scenario(tmp_path / "lesson.toml")
        files = {problem.file for problem in info.value.problems}
        assert files == {str(tmp_path / "book.toml")}
        assert all(problem.field == "company.policies" for problem in info.value.problems)

    def test_an_unknown_example_book(self):
        """A misspelt example book's name gets a suggestion."""
        problem = problems_of('[company]\nname = "x"\npolicies = "retuns"\n')["company.policies"]
        assert problem.suggestion == "returns"

    def test_unreadable_and_malformed_sources(self, tmp_path):
        """Bad TOML, a missing file and an unknown suffix are one error naming the place."""
        with pytest.raises(ScenarioFileError) as info:
            Scenario.from_toml('title = "unterminated\n')
        assert info.value.line == 1
        with pytest.raises(ScenarioFileError) as info:
            load_scenario(tmp_path / "missing.toml")
        assert "cannot read" in str(info.value)
        with pytest.raises(ScenarioFileError):
            load_scenario(tmp_path / "lesson.txt")
        with pytest.raises(ScenarioFileError) as info:
            Scenario.from_json('{"title": "a", "title": "b"}')
        assert "duplicate key" in str(info.value)

    def test_json_and_yaml_problems_are_located(self):
        """JSON and YAML files get lines for their problems too."""
        source = '{\n  "move": [\n    {"event": "Gret"}\n  ]\n}\n'
        assert problems_of(source, "json")["move[0].event"].line == 3
        assert problems_of("move:\n  - event: Gret\n", "yaml")["move[0].event"].line == 2

    def test_a_file_is_data_never_code(self):
        """YAML tags that would build objects are refused; text is never evaluated."""
        with pytest.raises(ScenarioFileError):
            Scenario.from_yaml("title: !!python/object/apply:os.system ['true']\n")
        lesson = Scenario.from_toml("title = \"__import__('os').system('true')\"\n")
        assert lesson.title == "__import__('os').system('true')"

    def test_a_flood_of_mistakes_is_capped(self):
        """Thousands of problems list the first MAX_PROBLEMS and count the rest."""
        with pytest.raises(ScenarioValidationError) as info:
            Scenario.from_toml('[[move]]\nevent = "Gret"\n' * 2000)
        error = info.value
        assert len(error.problems) == MAX_PROBLEMS
        assert error.omitted == 2000 - MAX_PROBLEMS
        assert str(error).startswith("2,000 problems in the scenario file <string>:")
        assert f"... and {2000 - MAX_PROBLEMS:,} more" in str(error)
        assert len(str(error)) < 100 * 1000
        again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own error, just pickled
        assert again.omitted == error.omitted

    def test_errors_pickle(self):
        """Both errors survive pickling with every fact."""
        with pytest.raises(ScenarioValidationError) as info:
            Scenario.from_toml('[[move]]\nevent = "Gret"\n')
        again = pickle.loads(pickle.dumps(info.value))  # noqa: S301 - our own error, just pickled
        assert str(again) == str(info.value)
        assert again.problems[0].suggestion == "Greet"

    @QUICK
    @given(ss.scenarios(max_branches=0), st.data())
    def test_every_misspelling_is_reported_with_its_fix(self, scenario, data):
        """Lower-cased event names and misspelt arguments are each reported, with the fix."""
        written = scenario.to_data()
        moves = written.get("move", [])
        spoilt = {}
        for index, move in enumerate(moves):
            if "event" not in move or not data.draw(st.booleans()):
                continue
            event = move["event"]
            arguments = [a.name for a in attrs.fields(events.EVENT_TYPES[event])]
            if arguments and data.draw(st.booleans()):
                name = data.draw(st.sampled_from(arguments))
                move[name + "x"] = move.pop(name, 1)
                spoilt[f"move[{index}].{name}x"] = name
            else:
                move["event"] = event.lower()
                spoilt[f"move[{index}].event"] = event
        text = _toml_of(written)
        if not spoilt:
            assert Scenario.from_toml(text) == scenario
            return
        with pytest.raises(ScenarioValidationError) as info:
            Scenario.from_toml(text)
        found = {problem.field: problem for problem in info.value.problems}
        assert set(found) == set(spoilt)
        lines = text.splitlines()
        for field, fix in spoilt.items():
            assert found[field].suggestion == fix
            key = field.rpartition(".")[2]
            assert lines[found[field].line - 1].startswith(key)


def _toml_of(data):
    """Write scenario-file data as TOML with the scenario writer's own rules."""
    lines: list[str] = []
    _table(lines, (), data, array=False)
    return "\n".join(lines).lstrip("\n") + "\n"


class TestNamedBranches:
    """A scenario carries named branches; branching keeps the ones that still fit."""

    def test_branch_by_name(self):
        """`branch(name)` plays the named what-if, titled after it."""
        lesson = Scenario.from_toml(LESSON)
        curt = lesson.branch("curt")
        assert curt.moves == (events.Greet(), events.AgentUnprofessional())
        assert curt.title == "A late refund (curt)"

    def test_a_misspelt_branch(self):
        """An unknown branch name is an error with a suggestion."""
        with pytest.raises(ValidationError) as info:
            Scenario.from_toml(LESSON).branch("crt")
        assert "did you mean 'curt'?" in str(info.value)
        with pytest.raises(ValidationError):
            Scenario().branch("any")

    def test_a_name_and_a_cut_are_exclusive(self):
        """Naming a branch and giving `at` together is refused."""
        with pytest.raises(ValidationError):
            Scenario.from_toml(LESSON).branch("curt", at=1)  # type: ignore[call-overload]

    def test_branching_keeps_the_branches_that_fit(self):
        """Cutting the moves keeps the branches that branch off within what is kept."""
        lesson = Scenario.from_toml(LESSON)
        assert lesson.branch(at=1).branches == lesson.branches
        assert lesson.branch(at=0).branches == ()
        assert lesson.then(events.Thank()).branches == lesson.branches

    def test_a_branch_must_fit(self):
        """A branch past the scenario's moves, or a duplicate name, is refused."""
        with pytest.raises(ValidationError):
            Scenario(branches=[Branch(name="a", at=1)])
        with pytest.raises(ValidationError):
            Scenario(branches=[Branch(name="a"), Branch(name="a")])

    def test_a_branch_proposing_needs_a_book(self):
        """A branch that proposes an action needs the company's policy book."""
        with pytest.raises(ValidationError):
            Scenario(branches=[Branch(name="a", moves=[Propose(context={})])])


class TestStrategies:
    """The scenario strategies draw valid scenarios and refuse bad arguments."""

    @pytest.mark.parametrize("bad", [-1, 1.5, "3"])
    def test_bad_sizes(self, bad):
        """A size that is not a whole number >= 0 is refused."""
        with pytest.raises(InvalidArgument):
            ss.scenarios(max_moves=bad).example()

    @QUICK
    @given(ss.scenarios(books=st.none(), max_moves=2, max_branches=1))
    def test_without_a_book_nothing_is_proposed(self, scenario):
        """With no book, no move proposes and there is no request."""
        assert scenario.request is None
        assert not any(isinstance(m, Propose) for m in scenario.moves)
        assert len(scenario.moves) <= 2
        assert len(scenario.branches) <= 1

    @QUICK
    @given(ss.policy_contexts())
    def test_contexts_are_valid(self, context):
        """Drawn contexts are accepted by a proposal."""
        assert _thaw(Propose(context=context).context) == context


class TestChannels:
    """The channel reads by name and applies to the opening."""

    def test_email(self):
        """A file on the EMAIL channel opens an email contact."""
        lesson = Scenario.from_toml('channel = "EMAIL"\npersona = "dissatisfied"\n')
        assert lesson.channel is Channel.EMAIL
        assert lesson.initial.channel is Channel.EMAIL
        assert isinstance(lesson.initial, Interaction)

    def test_a_channel_in_the_start_is_refused(self):
        """The opening takes its channel from the file; `start.channel` is an unknown key."""
        assert "start.channel" in problems_of('[start]\nchannel = "EMAIL"\n')

    def test_shipped_files_are_real_files(self):
        """The shipped files exist where FILES says."""
        assert all(Path(path).is_file() for path in canned.FILES.values())
