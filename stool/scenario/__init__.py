"""Script a contact move by move, see the stool after every move, branch what-ifs, get advice.

A [Scenario][stool.scenario.Scenario] is the three parties, a start
[Interaction][stool.interaction.Interaction] and a sequence of moves.
A move is an event from [stool.events][] (a greeting, an explanation, an insult), a
[Propose][stool.scenario.Propose] (an action the company's policy book judges, such as a
refund 34 days after purchase), or a [Deviate][stool.scenario.Deviate] (a bend or break
that no policy book judges).
[Scenario.run][stool.scenario.Scenario.run] plays the moves and returns a
[Timeline][stool.scenario.Timeline]: the interaction, the policy decision and the
[StoolScore][stool.scoring.StoolScore] after every move.
[advise][stool.scenario.advise] weighs candidate next moves and ranks them by the stool
they leave behind, as the source stories advise.

    >>> from stool.events import Greet, Listen, Resolve, Thank
    >>> from stool.scenario import Scenario
    >>> timeline = Scenario(title="A quick yes").then(Greet(), Listen(), Resolve(), Thank()).run()
    >>> len(timeline), timeline.final.at_risk
    (4, frozenset())

Scenarios are values: `then` and `branch` return new scenarios and never change the one
they start from, and running the same scenario twice gives equal timelines.

The package's files name its concepts: `_moves` (what can be played), `_scenario` (the
role-play and its run), `_timeline` (the result), `_render` (how a timeline shows
itself) and `_advice` (ranking the next moves). Every public name lives here.
"""

from __future__ import annotations

from stool.scenario._advice import (
    DEFAULT_JUSTIFICATION,
    Advice,
    Option,
    OptionKind,
    advise,
    default_options,
)
from stool.scenario._debrief import Benchmark, Debrief, MoveReview
from stool.scenario._files import ScenarioFileError, ScenarioValidationError, load_scenario
from stool.scenario._moves import Deviate, Move, Propose
from stool.scenario._personas import OPEN_REQUEST, PERSONAS, Persona, persona
from stool.scenario._play import Player, play
from stool.scenario._scenario import Branch, Scenario
from stool.scenario._session import Session
from stool.scenario._timeline import LegState, Step, Timeline

__all__ = [
    "DEFAULT_JUSTIFICATION",
    "OPEN_REQUEST",
    "PERSONAS",
    "Advice",
    "Benchmark",
    "Branch",
    "Debrief",
    "Deviate",
    "LegState",
    "Move",
    "MoveReview",
    "Option",
    "OptionKind",
    "Persona",
    "Player",
    "Propose",
    "Scenario",
    "ScenarioFileError",
    "ScenarioValidationError",
    "Session",
    "Step",
    "Timeline",
    "advise",
    "default_options",
    "load_scenario",
    "persona",
    "play",
]
