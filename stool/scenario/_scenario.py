"""The scenario: three parties, a start interaction and the moves; run it to get a timeline."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, overload

import attrs

from stool._fields import count, enum_field, instance_of, text
from stool.enums import Authority, Channel
from stool.errors import ValidationError
from stool.interaction import Interaction
from stool.parties import Agent, Company, Customer
from stool.scenario._moves import Move, Propose, _check_moves, _moves_tuple, _thaw

if TYPE_CHECKING:
    import os

    from stool.models import StoolModel
    from stool.policy import Decision, Ledger, PolicyBook
    from stool.scenario._timeline import Timeline


def _check_request(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, Propose):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}", value, "a Propose, or None"
        )


def _check_start(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, Interaction):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}", value, "an Interaction, or None"
        )


@attrs.frozen(kw_only=True)
class Branch:
    """A named what-if a scenario carries: its first `at` moves, then `moves` instead of the rest.

    A trainer writes the branches worth discussing into the scenario (in a scenario
    file, as `[[branch]]` tables); [Scenario.branch][stool.scenario.Scenario.branch]
    with the branch's name returns the scenario it makes.

    Example:
        >>> from stool.events import AgentUnprofessional, BadNews
        >>> curt = Branch(name="curt", at=1, moves=(AgentUnprofessional(), BadNews()))
        >>> curt.name, len(curt.moves)
        ('curt', 2)
    """

    name: str = text()
    """The branch's name, unique within its scenario (`"curt"`, `"the first gym"`)."""
    at: int = count(0)
    """How many of the scenario's moves the branch keeps, from 0 to the number of moves."""
    moves: tuple[Move, ...] = attrs.field(
        default=(), converter=_moves_tuple, validator=_check_moves
    )
    """The moves played instead of the rest."""
    description: str = text("", min_len=0)
    """What the branch shows and how it ends, for the trainer and the debrief."""


def _branches_tuple(value: Iterable[Branch]) -> tuple[Branch, ...]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]  # the validator names it
    return tuple(value)


def _check_branches(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    name = f"{type(instance).__name__}.{attribute.name}"
    if not isinstance(value, tuple):
        raise ValidationError(name, value, "a sequence of Branches")
    seen: set[str] = set()
    for index, item in enumerate(value):
        if not isinstance(item, Branch):
            raise ValidationError(f"{name}[{index}]", item, "a Branch")
        if item.name in seen:
            raise ValidationError(f"{name}[{index}].name", item.name, "a name no other branch has")
        seen.add(item.name)


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat() if not isinstance(value, dt.datetime) else value
    return value


def _check_date(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    try:
        ok = type(value) is str and dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        ok = False
    if not ok:
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}",
            value,
            "an ISO date such as '2024-06-01', or a datetime.date",
        )


@attrs.frozen(kw_only=True)
class Scenario:
    """A role-play: the three parties, where the contact starts, and the moves played.

    Scenarios are immutable: [then][stool.scenario.Scenario.then] and
    [branch][stool.scenario.Scenario.branch] return new ones.
    A scenario that proposes actions ([Propose][stool.scenario.Propose], in `moves` or as
    `request`) needs a company with a policy book (`company.policies`) to judge them.

    Example:
        >>> from stool import Customer, Interaction
        >>> from stool.events import BadNews, ExplainPolicy, Greet, Listen
        >>> braced = Customer(id="C-7", prior_bad_experiences=1, expectations=0.1)
        >>> refusal = Scenario(
        ...     customer=braced,
        ...     start=Interaction.for_parties(customer=braced, fulfilment=0.0, handle_time_s=0.0),
        ...     moves=(Greet(), Listen(), ExplainPolicy(), BadNews()),
        ... )
        >>> curt = refusal.branch(at=2, moves=[BadNews()])
        >>> len(refusal.moves), len(curt.moves)
        (4, 3)
    """

    customer: Customer = attrs.field(
        default=Customer(id="customer"), validator=instance_of(Customer)
    )
    """The customer who makes contact."""
    agent: Agent = attrs.field(default=Agent(id="agent"), validator=instance_of(Agent))
    """The agent who handles the contact."""
    company: Company = attrs.field(default=Company(name="company"), validator=instance_of(Company))
    """The company; its policy book (`company.policies`) judges every proposed action."""
    channel: Channel = enum_field(Channel, Channel.CALL)
    """The medium of the contact."""
    start: Interaction | None = attrs.field(default=None, validator=_check_start)
    """The interaction before the first move; None to start from the parties' facts
    (`Interaction.for_parties(customer=..., agent=..., company=..., channel=...)`).
    Its channel must be the scenario's."""
    moves: tuple[Move, ...] = attrs.field(
        default=(), converter=_moves_tuple, validator=_check_moves
    )
    """The moves, in order."""
    request: Propose | None = attrs.field(default=None, validator=_check_request)
    """What the customer asks for, as an action the policy book can judge: what
    [advise][stool.scenario.advise] weighs granting, bending, escalating or refusing.
    None if the scenario has no open request."""
    title: str = text("", min_len=0)
    """A short name for tables and plots."""
    date: str = attrs.field(default="2024-01-01", converter=_iso_date, validator=_check_date)
    """The ISO date of the contact (a `datetime.date` is converted): the period that
    bending budgets count in."""
    description: str = text("", min_len=0)
    """The story and the set-up, in Markdown, for the trainer and the trainee."""
    outcome: str = text("", min_len=0)
    """The documented outcome: how the scripted moves end, in words a test can check."""
    branches: tuple[Branch, ...] = attrs.field(
        default=(), converter=_branches_tuple, validator=_check_branches
    )
    """Named what-ifs worth discussing (see [Branch][stool.scenario.Branch]); each keeps
    at most as many moves as the scenario has."""

    def __attrs_post_init__(self) -> None:
        if self.start is not None and self.start.channel is not self.channel:
            raise ValidationError(
                "Scenario.start.channel",
                self.start.channel,
                f"the scenario's channel, {self.channel.name}",
            )
        for index, named in enumerate(self.branches):
            if named.at > len(self.moves):
                raise ValidationError(
                    f"Scenario.branches[{index}].at",
                    named.at,
                    f"a whole number from 0 to {len(self.moves)}, the number of moves",
                )
        every = (*self.moves, *(m for named in self.branches for m in named.moves))
        proposes = self.request is not None or any(isinstance(m, Propose) for m in every)
        if proposes and _policies(self.company) is None:
            raise ValidationError(
                "Scenario.company.policies",
                None,
                "a PolicyBook to judge the proposed actions (Propose moves or the request)",
            )

    @property
    def initial(self) -> Interaction:
        """The interaction before the first move: `start`, or one built from the parties."""
        if self.start is not None:
            return self.start
        return Interaction.for_parties(
            customer=self.customer, agent=self.agent, company=self.company, channel=self.channel
        )

    def then(self, *moves: Move) -> Scenario:
        """Return a new scenario with `moves` played after this one's.

        Args:
            *moves: Moves to append, in order.

        Returns:
            The longer scenario; this one is unchanged.

        Raises:
            ValidationError: If something in `moves` is not a move.

        Example:
            >>> from stool.events import Greet, Thank
            >>> Scenario().then(Greet()).then(Thank()).moves
            (Greet(seconds=15.0), Thank())
        """
        return attrs.evolve(self, moves=(*self.moves, *moves))

    @overload
    def branch(self, name: str, /) -> Scenario: ...

    @overload
    def branch(self, name: None = None, /, *, at: int, moves: Iterable[Move] = ()) -> Scenario: ...

    def branch(
        self, name: str | None = None, /, *, at: int | None = None, moves: Iterable[Move] = ()
    ) -> Scenario:
        """Return a what-if: the first `at` moves, then `moves` instead of the rest.

        Or, given the name of one of the scenario's [branches][stool.scenario.Branch],
        the what-if that branch describes: titled "title (name)", described by the
        branch's description.
        The what-if keeps the named branches that branch off within the moves it keeps.

        Args:
            name: The name of one of `branches`; None to give `at` and `moves`.
            at: How many of this scenario's moves to keep, from 0 (none) to `len(moves)`.
            moves: The moves that follow instead.

        Returns:
            The new scenario; this one is unchanged.

        Raises:
            ValidationError: If `name` names no branch (the error suggests the closest
                name), if both a name and `at` are given, if `at` is not a whole number
                from 0 to the number of moves, or something in `moves` is not a move.

        Example:
            >>> from stool.events import AgentUnprofessional, BadNews, ExplainPolicy
            >>> kind = Scenario().then(ExplainPolicy(), BadNews())
            >>> kind.branch(at=0, moves=[AgentUnprofessional(), BadNews()]).moves[0].label
            'agent unprofessional'
            >>> curt = Branch(name="curt", at=0, moves=(AgentUnprofessional(), BadNews()))
            >>> attrs.evolve(kind, title="Bad news", branches=[curt]).branch("curt").title
            'Bad news (curt)'
        """
        if name is not None:
            if at is not None or moves != ():
                raise ValidationError(
                    "Scenario.branch.at", at, "None when a branch is named (its moves are set)"
                )
            named = self._named(name)
            title = f"{self.title} ({named.name})" if self.title else named.name
            return attrs.evolve(
                self._cut(named.at, named.moves),
                title=title,
                description=named.description,
                outcome="",
            )
        if type(at) is not int or not 0 <= at <= len(self.moves):
            raise ValidationError(
                "Scenario.branch.at", at, f"a whole number from 0 to {len(self.moves)}"
            )
        if isinstance(moves, (str, bytes, Mapping)) or not isinstance(moves, Iterable):
            raise ValidationError(
                "Scenario.branch.moves", moves, "a sequence of moves (a list or tuple)"
            )
        return self._cut(at, tuple(moves))

    def _cut(self, at: int, moves: tuple[Move, ...]) -> Scenario:
        kept = tuple(named for named in self.branches if named.at <= at)
        return attrs.evolve(self, moves=(*self.moves[:at], *moves), branches=kept)

    def _named(self, name: str) -> Branch:
        for named in self.branches:
            if named.name == name:
                return named
        names = [named.name for named in self.branches]
        if not names:
            raise ValidationError(
                "Scenario.branch.name", name, "the name of a branch; this scenario has none"
            )
        candidate: object = name  # callers may pass anything, despite the annotation
        close = difflib.get_close_matches(name, names, n=1) if isinstance(candidate, str) else []
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValidationError(
            "Scenario.branch.name", name, "one of " + ", ".join(map(repr, names)) + hint
        )

    # ------------------------------------------------------------------------ files

    def to_data(self) -> dict[str, Any]:
        """Return the scenario as scenario-file data (what `to_json` writes).

        Returns:
            Plain data: strings, numbers, booleans, lists and tables.
        """
        from stool.scenario._writing import scenario_data  # noqa: PLC0415 - loaded on first use, to keep import stool light

        return scenario_data(self)

    def to_toml(self) -> str:
        """Return the scenario as a TOML scenario file.

        [from_toml][stool.scenario.Scenario.from_toml] reads it back as an equal scenario
        (the persona a file named is written out as the customer and opening facts it
        stands for, and the comments of a hand-written file are not kept).

        Returns:
            The TOML text.

        Raises:
            ValidationError: If the scenario holds a value TOML cannot (a None in a
                policy context); [to_json][stool.scenario.Scenario.to_json] writes every
                scenario.

        Example:
            >>> from stool.events import Greet, Thank
            >>> lesson = Scenario(title="Hello").then(Greet(), Thank())
            >>> print(lesson.to_toml())  # doctest: +ELLIPSIS
            title = "Hello"
            channel = "CALL"
            ...
            [[move]]
            event = "Greet"
            <BLANKLINE>
            [[move]]
            event = "Thank"
            <BLANKLINE>
            >>> Scenario.from_toml(lesson.to_toml()) == lesson
            True
        """
        from stool.scenario._writing import scenario_toml  # noqa: PLC0415 - loaded on first use, to keep import stool light

        return scenario_toml(self)

    def to_json(self) -> str:
        """Return the scenario as a JSON scenario file (the same keys as TOML).

        Returns:
            The JSON text, indented, ending with a newline.
        """
        from stool.scenario._writing import scenario_json  # noqa: PLC0415 - loaded on first use, to keep import stool light

        return scenario_json(self)

    @classmethod
    def from_data(cls, data: Any, *, file: str | None = None) -> Scenario:
        """Build a scenario from scenario-file data (a parsed TOML, JSON or YAML file).

        Args:
            data: A mapping with the keys of a scenario file.
            file: The file the data came from, for messages.

        Returns:
            The scenario.

        Raises:
            ScenarioValidationError: Listing every problem.
        """
        from stool.scenario._files import build  # noqa: PLC0415 - loaded on first use, to keep import stool light

        return build(data, file=file)

    @classmethod
    def from_toml(cls, source: str | bytes | os.PathLike[str]) -> Scenario:
        """Load a scenario from TOML: the text, UTF-8 bytes, or a path.

        A scenario file names the parties (or a [persona][stool.scenario.PERSONAS]),
        the channel, the opening facts, the moves by event name, the proposals the
        company's policy book judges, and named branches: see the how-to "Write a
        scenario file". It is data, never code.

        Args:
            source: A path (`pathlib.Path`), or the TOML itself as `str` or `bytes`.
                A `str` is always text: use [load_scenario][stool.scenario.load_scenario]
                for a file name.

        Returns:
            The scenario.

        Raises:
            ScenarioFileError: If the source cannot be read or is not valid TOML.
            ScenarioValidationError: Listing every problem of the content, each with
                its file, line, field and, for a misspelt name, a suggestion.

        Example:
            >>> lesson = Scenario.from_toml('''
            ... title = "A quick yes"
            ... persona = "braced-for-a-fight"
            ... [[move]]
            ... event = "Greet"
            ... [[move]]
            ... event = "Resolve"
            ... seconds = 60
            ... ''')
            >>> lesson.customer.prior_bad_experiences, lesson.run().final.at_risk
            (1, frozenset())
        """
        from stool.scenario._files import load, refuse_file_name  # noqa: PLC0415 - loaded on first use, to keep import stool light

        refuse_file_name(source, "toml")
        return load(source, "toml")

    @classmethod
    def from_json(cls, source: str | bytes | os.PathLike[str]) -> Scenario:
        """Load a scenario from JSON (the same keys as TOML); see `from_toml`.

        Args:
            source: A path, or the JSON itself as `str` or `bytes`.

        Returns:
            The scenario.

        Raises:
            ScenarioFileError: If the source cannot be read or is not valid JSON.
            ScenarioValidationError: Listing every problem of the content.
        """
        from stool.scenario._files import load, refuse_file_name  # noqa: PLC0415 - loaded on first use, to keep import stool light

        refuse_file_name(source, "json")
        return load(source, "json")

    @classmethod
    def from_yaml(cls, source: str | bytes | os.PathLike[str]) -> Scenario:
        """Load a scenario from YAML (needs the `yaml` extra); see `from_toml`.

        Args:
            source: A path, or the YAML itself as `str` or `bytes`.

        Returns:
            The scenario.

        Raises:
            ScenarioFileError: If the source cannot be read or is not valid YAML.
            ScenarioValidationError: Listing every problem of the content.
        """
        from stool.scenario._files import load, refuse_file_name  # noqa: PLC0415 - loaded on first use, to keep import stool light

        refuse_file_name(source, "yaml")
        return load(source, "yaml")

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Scenario:
        """Load a scenario file, choosing the format by its suffix (`.toml`, `.json`, `.yaml`).

        A policy file the scenario names (`policies = "console.toml"`) is read from the
        scenario file's folder.

        Args:
            path: The file.

        Returns:
            The scenario.

        Raises:
            ScenarioFileError: If the suffix is unknown or the file cannot be read.
            ScenarioValidationError: Listing every problem of the content.
        """
        from stool.scenario._files import load_file  # noqa: PLC0415 - loaded on first use, to keep import stool light

        return load_file(path)

    def run(self, model: StoolModel | None = None, *, ledger: Ledger | None = None) -> Timeline:
        """Play every move and score the stool after each one.

        Each [Propose][stool.scenario.Propose] is judged by `company.policies` as its
        acting authority (its `by`, or the interaction's current `authority`), within one
        [Ledger][stool.policy.Ledger] for the whole run, so bending budgets apply within
        the scenario; the decision is folded into the interaction with
        [apply_decision][stool.policy.apply_decision].

        Args:
            model: The scoring model; None for the default
                [StoolModel][stool.models.StoolModel].
            ledger: The ledger to judge and record bends in, for example one that holds
                the agent's bends earlier in the day; None for a fresh, empty one.
                A given ledger records this run's decisions.

        Returns:
            The timeline: one [Step][stool.scenario.Step] per move.

        Example:
            >>> from stool import Leg
            >>> from stool.events import CustomerAbuse, EndCall
            >>> abusive = Scenario().then(CustomerAbuse(severity=1.0), EndCall(by_agent=True))
            >>> Leg.AGENT in abusive.run().final.at_risk
            True
        """
        from stool.models import StoolModel  # noqa: PLC0415
        from stool.policy import Ledger  # noqa: PLC0415
        from stool.scenario._timeline import Step, Timeline  # noqa: PLC0415 - it imports Scenario
        from stool.scoring import score  # noqa: PLC0415

        model = StoolModel() if model is None else model
        ledger = Ledger() if ledger is None else ledger
        interaction = self.initial
        start_score = score(interaction, model)
        steps: list[Step] = []
        for move in self.moves:
            decision: Decision | None = None
            if isinstance(move, Propose):
                interaction, decision = _act(self, move, interaction, ledger)
            else:
                interaction = move.apply(interaction)
            steps.append(
                Step(
                    move=move,
                    interaction=interaction,
                    decision=decision,
                    score=score(interaction, model),
                )
            )
        return Timeline(
            scenario=self,
            model=model,
            start=self.initial,
            start_score=start_score,
            steps=tuple(steps),
        )


def _policies(company: Company) -> PolicyBook | None:
    return company.policies


def _actor(agent: Agent, by: Authority) -> str:
    """Name who acts: the agent, or the higher authority the contact went to."""
    if by <= agent.authority:
        return agent.id
    return f"{by.name.lower()} of {agent.id}"


def _act(
    scenario: Scenario, move: Propose, interaction: Interaction, ledger: Ledger
) -> tuple[Interaction, Decision]:
    from stool.policy import apply_decision  # noqa: PLC0415

    book = _policies(scenario.company)
    if book is None:  # pragma: no cover - Scenario refuses this at construction
        raise ValidationError("Scenario.company.policies", None, "a PolicyBook")
    by = interaction.authority if move.by is None else move.by
    decision: Decision = book.evaluate(
        _thaw(move.context),
        by=by,
        ledger=ledger,
        justification=move.justification,
        actor=_actor(scenario.agent, by),
        when=scenario.date,
    )
    ledger.record(decision)
    after = move.apply_effect(interaction)
    return apply_decision(after, decision, cost=move.cost), decision
