"""Hypothesis strategies for every public stool value, for your own property tests.

Importing this module imports Hypothesis; `import stool` never does.
Every strategy builds its examples from parts that are valid by construction (no
filtering), so examples shrink well.
Numbers shrink towards their lower bound (usually 0; strictly positive ones towards 1),
booleans towards False, enums towards their first member and optional fields towards None.
Each part can be overridden with a strategy of your own:

    >>> from hypothesis import strategies as st
    >>> from stool.strategies import interactions
    >>> angry = interactions(customer_abuse=st.floats(0.8, 1.0), fulfilment=st.just(0.0))

With Hypothesis installed, `st.from_type(stool.Interaction)` works too: stool registers
these strategies through Hypothesis's entry point.
"""

from __future__ import annotations

import string
from typing import Any, Final


def _hypothesis_setup_hook() -> None:
    """Register stool's strategies with `st.from_type` (Hypothesis entry point).

    Hypothesis calls this while it is itself being imported, possibly from the import
    of this very module, so it is defined before Hypothesis is imported and registers
    deferred strategies that look up this module's functions only when first drawn.
    """
    from hypothesis import strategies as st  # noqa: PLC0415

    from stool.events import EVENT_TYPES, Event  # noqa: PLC0415
    from stool.interaction import Interaction  # noqa: PLC0415
    from stool.parties import Agent, Company, Customer  # noqa: PLC0415

    st.register_type_strategy(Interaction, st.deferred(lambda: interactions()))  # noqa: PLW0108 - defined later
    st.register_type_strategy(Customer, st.deferred(lambda: customers()))  # noqa: PLW0108
    st.register_type_strategy(Agent, st.deferred(lambda: agents()))  # noqa: PLW0108
    st.register_type_strategy(Company, st.deferred(lambda: companies()))  # noqa: PLW0108
    st.register_type_strategy(Event, st.deferred(lambda: events()))  # noqa: PLW0108
    from stool.models import (  # noqa: PLC0415
        AgentModel,
        CompanyModel,
        CustomerModel,
        StoolModel,
        Thresholds,
    )

    st.register_type_strategy(CustomerModel, st.deferred(lambda: customer_models()))  # noqa: PLW0108
    st.register_type_strategy(CompanyModel, st.deferred(lambda: company_models()))  # noqa: PLW0108
    st.register_type_strategy(AgentModel, st.deferred(lambda: agent_models()))  # noqa: PLW0108
    st.register_type_strategy(Thresholds, st.deferred(lambda: thresholds()))  # noqa: PLW0108
    st.register_type_strategy(StoolModel, st.deferred(lambda: stool_models()))  # noqa: PLW0108
    for cls in EVENT_TYPES.values():
        st.register_type_strategy(cls, _deferred_event(cls))


def _deferred_event(cls: type[Any]) -> Any:
    from hypothesis import strategies as st  # noqa: PLC0415

    return st.deferred(lambda: _event_strategy(cls))


import attrs  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.errors import InvalidArgument  # noqa: E402

from stool._fields import Spec, spec_of  # noqa: E402
from stool.calibration import Calibration  # noqa: E402
from stool.enums import Authority, Channel, CustomerType, Leg, Verdict  # noqa: E402
from stool.events import EVENT_TYPES, Escalate, Event  # noqa: E402
from stool.interaction import Interaction  # noqa: E402
from stool.models import (  # noqa: E402
    AgentModel,
    CompanyModel,
    CustomerModel,
    StoolModel,
    Thresholds,
)
from stool.parties import Agent, Company, Customer  # noqa: E402

__all__ = [
    "MAX_COUNT",
    "MAX_CUTPOINT_GAP",
    "MAX_QUANTITY",
    "agent_models",
    "agents",
    "authorities",
    "calibrations",
    "channels",
    "companies",
    "company_models",
    "customer_models",
    "customer_types",
    "customers",
    "events",
    "from_spec",
    "identifiers",
    "interactions",
    "legs",
    "policy_contexts",
    "scenarios",
    "stool_models",
    "thresholds",
    "verdicts",
]

MAX_QUANTITY: Final = 1e7
"""Largest value drawn for unbounded numeric fields (seconds, days, currency)."""

MAX_COUNT: Final = 1000
"""Largest value drawn for unbounded count fields (transfers, bends, ...)."""

MAX_CUTPOINT_GAP: Final = 10.0
"""Largest gap drawn between two cut-points of a calibration."""

_ID_ALPHABET: Final = string.ascii_letters + string.digits + "-_."


def identifiers() -> st.SearchStrategy[str]:
    """Non-empty identifiers such as `"C-1042"`; shrinks towards `"0"`."""
    return st.text(_ID_ALPHABET, min_size=1, max_size=16)


def from_spec(spec: Spec) -> st.SearchStrategy[Any]:
    """Return a strategy for every value a field specification allows.

    Unbounded numbers are drawn up to [MAX_QUANTITY][stool.strategies.MAX_QUANTITY]
    and unbounded counts up to [MAX_COUNT][stool.strategies.MAX_COUNT].
    """
    base: st.SearchStrategy[Any]
    if spec.kind == "real":
        high = spec.high if spec.high != float("inf") else MAX_QUANTITY
        base = st.floats(
            min_value=spec.low,
            max_value=high,
            exclude_min=spec.low_open,
            allow_nan=False,
            allow_infinity=False,
        )
    elif spec.kind == "int":
        high = spec.high if spec.high != float("inf") else MAX_COUNT
        base = st.integers(min_value=int(spec.low), max_value=int(high))
    elif spec.kind == "bool":
        base = st.booleans()
    elif spec.kind == "enum":
        assert spec.enum is not None  # noqa: S101 - an enum spec always names its enum
        base = st.sampled_from(list(spec.enum))
    else:
        base = identifiers() if spec.min_len <= 1 else st.text(min_size=spec.min_len)
    return st.none() | base if spec.optional else base


def _fields_of(cls: type, overrides: dict[str, st.SearchStrategy[Any]]) -> dict[str, Any]:
    names = {a.name for a in attrs.fields(cls)}
    for name, value in overrides.items():
        if name not in names:
            msg = f"{cls.__name__} has no field {name!r}; fields: {', '.join(sorted(names))}"
            raise InvalidArgument(msg)
        candidate: object = value  # callers may pass anything, despite the annotation
        if not isinstance(candidate, st.SearchStrategy):
            msg = f"{name}={value!r} must be a strategy (for a constant, use st.just(...))"
            raise InvalidArgument(msg)
    strategies: dict[str, Any] = {}
    for a in attrs.fields(cls):
        if a.name in overrides:
            strategies[a.name] = overrides[a.name]
            continue
        spec = spec_of(a)
        if spec is not None:
            strategies[a.name] = from_spec(spec)
    return strategies


def interactions(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[Interaction]:
    """Valid [Interaction][stool.Interaction]s covering every field's whole range.

    Args:
        **fields: A strategy for any field, replacing the default one;
            for example `fulfilment=st.just(1.0)`.

    Returns:
        A strategy of interactions. Examples shrink towards unobserved judgements and
        facts (None in every field of
        [UNKNOWABLE_FIELDS][stool.interaction.UNKNOWABLE_FIELDS]), zero times and counts,
        and no promises.

    Raises:
        InvalidArgument: If a keyword is not a field of Interaction or not a strategy.
    """
    return st.builds(Interaction, **_fields_of(Interaction, fields))


def customers(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[Customer]:
    """Valid [Customer][stool.Customer]s; override any field with a strategy."""
    return st.builds(Customer, **_fields_of(Customer, fields))


def agents(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[Agent]:
    """Valid [Agent][stool.Agent]s; override any field with a strategy."""
    return st.builds(Agent, **_fields_of(Agent, fields))


def companies(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[Company]:
    """Valid [Company][stool.Company]s; override any field with a strategy.

    `policies` stays None unless you override it, for example with
    `policies=st.just(stool.load_example("returns"))`.
    """
    return st.builds(Company, **_fields_of(Company, fields))


def _event_strategy(cls: type[Event]) -> st.SearchStrategy[Event]:
    candidate: object = cls  # `types` may draw anything, despite the annotation
    if not (isinstance(candidate, type) and issubclass(candidate, Event)) or cls is Event:
        msg = f"types drew {cls!r}, which is not a subclass of stool.events.Event"
        raise InvalidArgument(msg)
    overrides: dict[str, st.SearchStrategy[Any]] = {}
    if cls is Escalate:
        overrides["to"] = st.sampled_from([Authority.SUPERVISOR, Authority.MANAGER])
    return st.builds(cls, **_fields_of(cls, overrides))


def events(*, types: st.SearchStrategy[type[Event]] | None = None) -> st.SearchStrategy[Event]:
    """Valid moves from [stool.events][], of every kind or of the kinds drawn by `types`.

    Args:
        types: A strategy of event classes, for example
            `st.sampled_from([Resolve, ExtraMile])`; None for every kind.

    Returns:
        A strategy of events. Examples shrink towards a move without arguments
        ([RepeatContact][stool.events.RepeatContact]; Hypothesis counts fewer draws as
        simpler), and a move's arguments towards their lower bounds.

    Raises:
        InvalidArgument: If `types` is not a strategy, or (when drawn) draws something
            that is not a subclass of [Event][stool.events.Event].
    """
    if types is None:
        return st.one_of([_event_strategy(cls) for cls in EVENT_TYPES.values()])
    candidate: object = types  # callers may pass anything, despite the annotation
    if not isinstance(candidate, st.SearchStrategy):
        msg = f"types={types!r} must be a strategy of event classes"
        raise InvalidArgument(msg)
    return types.flatmap(_event_strategy)


def legs() -> st.SearchStrategy[Leg]:
    """Members of [Leg][stool.Leg]; shrinks towards CUSTOMER."""
    return st.sampled_from(list(Leg))


def channels() -> st.SearchStrategy[Channel]:
    """Members of [Channel][stool.Channel]; shrinks towards CALL."""
    return st.sampled_from(list(Channel))


def customer_types() -> st.SearchStrategy[CustomerType]:
    """Members of [CustomerType][stool.CustomerType]; shrinks towards VERY_SATISFIED."""
    return st.sampled_from(list(CustomerType))


def authorities() -> st.SearchStrategy[Authority]:
    """Members of [Authority][stool.Authority]; shrinks towards AGENT."""
    return st.sampled_from(list(Authority))


def verdicts() -> st.SearchStrategy[Verdict]:
    """Members of [Verdict][stool.Verdict]; shrinks towards COMPLIANT."""
    return st.sampled_from(list(Verdict))


# ---------------------------------------------------------------------------- models


def _positive_weight() -> st.SearchStrategy[float]:
    # Shrinks towards 1; never below 1e-300, so that its share beside weights up to
    # MAX_QUANTITY cannot underflow to 0.
    return st.floats(min_value=1.0, max_value=MAX_QUANTITY) | st.floats(1e-300, 1.0)


def _open_unit() -> st.SearchStrategy[float]:
    return st.floats(min_value=0.0, max_value=1.0, exclude_min=True, exclude_max=True)


_POSITIVE_WEIGHT: Final = _positive_weight()


@st.composite
def _leg_model(
    draw: st.DrawFn,
    cls: type[CustomerModel | CompanyModel | AgentModel],
    strategies: dict[str, st.SearchStrategy[Any]],
    positive: st.SearchStrategy[str] | None,
    bend_below_break: bool,
) -> Any:
    if positive is not None:
        # Valid by construction: one weight of an always-observed factor that you did not
        # fix is drawn above 0.
        strategies = {**strategies, draw(positive): _POSITIVE_WEIGHT}
    if bend_below_break:
        # A break never costs less than a bend.
        bend = draw(strategies["bend_cost"])
        strategies = {
            **strategies,
            "bend_cost": st.just(bend),
            "break_cost": st.floats(
                min_value=bend, max_value=max(bend, MAX_QUANTITY), allow_nan=False
            ),
        }
    # Field by field, in the order st.builds would draw them, from strategies built once
    # in _leg_models rather than at every draw.
    return cls(**{name: draw(strategy) for name, strategy in strategies.items()})


def _leg_models(cls: type[Any], fields: dict[str, st.SearchStrategy[Any]]) -> Any:
    strategies = _fields_of(cls, fields)
    free = [f"{name}_weight" for name in cls.ALWAYS_OBSERVED if f"{name}_weight" not in fields]
    if cls is CustomerModel and "promise_kept" not in fields:
        strategies["promise_kept"] = _open_unit()
    positive = st.sampled_from(free) if free else None
    return _leg_model(cls, strategies, positive, cls is CompanyModel and "break_cost" not in fields)


def customer_models(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[CustomerModel]:
    """Valid [CustomerModel][stool.models.CustomerModel]s; override any field with a strategy.

    Every weight and curve parameter covers its whole range (unbounded ones up to
    [MAX_QUANTITY][stool.strategies.MAX_QUANTITY]), and the weight of one
    always-observed factor you did not override is always above 0, so the leg has a
    mean whatever is unobserved.
    Examples shrink towards a model whose first always-observed weight is 1, every other
    weight 0 and every parameter at its lower bound (strictly positive scales at 1,
    `promise_kept` at 0.5).

    Example:
        >>> from hypothesis import strategies as st
        >>> from stool.strategies import customer_models
        >>> outcome_only = customer_models(extra_mile_weight=st.just(0.0))
    """
    return _leg_models(CustomerModel, fields)  # type: ignore[no-any-return]


def company_models(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[CompanyModel]:
    """Valid [CompanyModel][stool.models.CompanyModel]s; override any field with a strategy.

    As [customer_models][stool.strategies.customer_models]; `break_cost` is drawn at
    or above the drawn `bend_cost` unless you override it.
    """
    return _leg_models(CompanyModel, fields)  # type: ignore[no-any-return]


def agent_models(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[AgentModel]:
    """Valid [AgentModel][stool.models.AgentModel]s; override any field with a strategy.

    As [customer_models][stool.strategies.customer_models].
    """
    return _leg_models(AgentModel, fields)  # type: ignore[no-any-return]


@st.composite
def _thresholds(
    draw: st.DrawFn, strategies: dict[str, st.SearchStrategy[Any]], overridden: frozenset[str]
) -> Thresholds:
    def level(name: str, default: st.SearchStrategy[Any]) -> Any:
        return draw(strategies[name] if name in overridden else default)

    def below(level: float) -> st.SearchStrategy[float]:
        return st.floats(min_value=0.0, max_value=level, exclude_max=level > 0.0)

    above_zero = st.floats(min_value=0.0, max_value=1.0, exclude_min=True)
    at_risk = level("at_risk", above_zero)
    collapse = level("collapse", below(at_risk))
    values: dict[str, Any] = {"at_risk": at_risk, "collapse": collapse}
    for leg in Leg:
        name = leg.name.lower()
        own = level(f"{name}_at_risk", st.none() | above_zero)
        effective = at_risk if own is None else own
        # The shared collapse level may serve only a leg whose at-risk level is above it.
        own_collapse: st.SearchStrategy[float | None] = below(effective)
        if collapse < effective:
            own_collapse = st.none() | own_collapse
        values[f"{name}_at_risk"] = own
        values[f"{name}_collapse"] = level(f"{name}_collapse", own_collapse)
    for name in ("fulfilled_at", "unprofessional_below", "min_coverage"):
        values[name] = level(name, strategies[name])
    return Thresholds(**values)


def thresholds(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[Thresholds]:
    """Valid [Thresholds][stool.models.Thresholds]; override any field with a strategy.

    Every leg's collapse level is drawn below its at-risk level, shared or its own.
    Examples shrink towards an at-risk level of 1, a collapse level of 0, no per-leg
    levels and customer-type cut-offs of 0.

    Example:
        >>> from hypothesis import strategies as st
        >>> from stool.strategies import thresholds
        >>> strict_on_agents = thresholds(agent_at_risk=st.floats(0.6, 0.9))
    """
    return _thresholds(_fields_of(Thresholds, fields), frozenset(fields))


@st.composite
def _cutpoints(draw: st.DrawFn) -> tuple[float, ...]:
    first = draw(st.floats(min_value=-MAX_CUTPOINT_GAP, max_value=MAX_CUTPOINT_GAP))
    gaps = draw(
        st.lists(st.floats(min_value=1e-3, max_value=MAX_CUTPOINT_GAP), min_size=3, max_size=3)
    )
    cuts = [first]
    for gap in gaps:
        cuts.append(cuts[-1] + gap)
    return tuple(cuts)


def calibrations(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[Calibration]:
    """Valid [Calibration][stool.calibration.Calibration]s; override any field with a strategy.

    Cut-points are drawn strictly increasing (gaps from 0.001 to
    [MAX_CUTPOINT_GAP][stool.strategies.MAX_CUTPOINT_GAP]), the slope above 0 and the
    base rate strictly between 0 and 1. Examples shrink towards cut-points 0, 0.001,
    0.002, 0.003 and the smallest slope.

    Example:
        >>> from hypothesis import strategies as st
        >>> from stool.strategies import calibrations
        >>> steep = calibrations(slope=st.floats(5.0, 20.0))
    """
    parts = _fields_of(Calibration, fields)
    parts.setdefault("cutpoints", _cutpoints())
    if "slope" not in fields:
        parts["slope"] = st.floats(min_value=1e-3, max_value=50.0)
    if "base_rate" not in fields:
        parts["base_rate"] = _open_unit()
    return st.builds(Calibration, **parts)


def stool_models(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[StoolModel]:
    """Valid [StoolModel][stool.models.StoolModel]s: every leg model and thresholds.

    Args:
        **fields: A strategy for `customer`, `company`, `agent` or `thresholds`,
            replacing [customer_models][stool.strategies.customer_models] and the rest;
            for example `thresholds=st.just(Thresholds())`.

    Returns:
        A strategy of whole models, for properties that must hold under any weights.

    Raises:
        InvalidArgument: If a keyword is not a field of StoolModel or not a strategy.

    Example:
        >>> from hypothesis import strategies as st
        >>> from stool.models import AgentModel
        >>> from stool.strategies import stool_models
        >>> default_agents = stool_models(agent=st.just(AgentModel()))
    """
    parts: dict[str, st.SearchStrategy[Any]] = {
        "customer": customer_models(),
        "company": company_models(),
        "agent": agent_models(),
        "thresholds": thresholds(),
        "calibration": calibrations(),
    }
    parts.update(_fields_of(StoolModel, fields))
    return st.builds(StoolModel, **parts)


_INT64: Final = 2**63 - 1


def _context_values() -> st.SearchStrategy[Any]:
    scalars = (
        st.booleans()
        | st.integers(min_value=-_INT64, max_value=_INT64)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=12)
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(identifiers(), inner, max_size=3)
        ),
        max_leaves=6,
    )


def policy_contexts(
    values: st.SearchStrategy[Any] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Policy contexts: field names to strings, numbers, booleans, lists and tables.

    Args:
        values: A strategy for the values; None for booleans, 64-bit integers, finite
            floats, short strings and small lists and tables of them (no None, so that
            every context has a TOML form; add `st.none()` for JSON's null).

    Returns:
        A strategy of contexts; shrinks towards the empty context.
    """
    return st.dictionaries(
        identifiers(), _context_values() if values is None else values, max_size=5
    )


def _example_books() -> list[Any]:
    from stool.policy import EXAMPLES, PolicyBook, load_example  # noqa: PLC0415 - loaded on first draw
    from stool.scenarios import CONSOLE_SUPPORT_POLICY  # noqa: PLC0415 - loaded on first draw

    return [
        *(load_example(name) for name in EXAMPLES),
        PolicyBook.from_toml(CONSOLE_SUPPORT_POLICY),
    ]


@st.composite
def _scenario(
    draw: st.DrawFn,
    *,
    books: st.SearchStrategy[Any],
    context_strategy: st.SearchStrategy[dict[str, Any]],
    texts: st.SearchStrategy[str],
    max_moves: int,
    max_branches: int,
) -> Any:
    from stool.scenario import Branch, Deviate, Propose, Scenario  # noqa: PLC0415 - loaded on first draw

    channel = draw(channels())
    book = draw(books)
    company = draw(companies(policies=st.just(book)))

    def proposals() -> st.SearchStrategy[Any]:
        return st.builds(
            Propose,
            context=context_strategy,
            effect=st.lists(events(), max_size=2).map(tuple),
            cost=st.floats(min_value=0.0, max_value=MAX_QUANTITY),
            justification=st.none() | texts.filter(lambda t: bool(t.strip())),
            by=st.none() | authorities(),
            label=texts,
        )

    move = (
        events()
        | st.builds(
            Deviate,
            verdict=st.sampled_from([Verdict.BENT, Verdict.BROKEN]),
            justification=st.none() | texts.filter(lambda t: bool(t.strip())),
            label=texts,
        )
        | (proposals() if book is not None else st.nothing())
    )
    moves = draw(st.lists(move, max_size=max_moves))
    names = draw(st.lists(identifiers(), max_size=max_branches, unique=True))
    branches = [
        Branch(
            name=name,
            at=draw(st.integers(0, len(moves))),
            moves=tuple(draw(st.lists(move, max_size=3))),
            description=draw(texts),
        )
        for name in names
    ]
    return Scenario(
        customer=draw(customers()),
        agent=draw(agents()),
        company=company,
        channel=channel,
        start=draw(st.none() | interactions(channel=st.just(channel))),
        moves=moves,
        request=draw(st.none() | proposals()) if book is not None else None,
        title=draw(texts),
        date=draw(st.dates()).isoformat(),
        description=draw(texts),
        outcome=draw(texts),
        branches=branches,
    )


def scenarios(
    *,
    books: st.SearchStrategy[Any] | None = None,
    contexts: st.SearchStrategy[dict[str, Any]] | None = None,
    texts: st.SearchStrategy[str] | None = None,
    max_moves: int = 6,
    max_branches: int = 2,
) -> st.SearchStrategy[Any]:
    """Valid [Scenario][stool.scenario.Scenario]s: parties, a start, moves, a request and branches.

    Moves are events, deviations and (when the company has a policy book) proposals with
    drawn contexts; a scenario is built, not run, so a drawn context need not be one the
    book can judge. Every drawn scenario has a TOML form unless `contexts` draws None.

    Args:
        books: A strategy for the company's policy book; None for no book, an example
            book or the console support book of the canned stories.
        contexts: A strategy for proposals' contexts; None for
            [policy_contexts][stool.strategies.policy_contexts]`()`.
        texts: A strategy for titles, descriptions, outcomes and labels; None for any
            short text.
        max_moves: The most moves drawn.
        max_branches: The most named branches drawn.

    Returns:
        A strategy of scenarios; shrinks towards a scenario with no book, no moves and
        no branches.

    Raises:
        InvalidArgument: If `max_moves` or `max_branches` is not a whole number >= 0.

    Example:
        >>> from stool.strategies import scenarios
        >>> short = scenarios(max_moves=2, max_branches=0)
    """
    for name, value in (("max_moves", max_moves), ("max_branches", max_branches)):
        if type(value) is not int or value < 0:
            msg = f"{name}={value!r} must be a whole number >= 0"
            raise InvalidArgument(msg)
    book_strategy = (
        st.none() | st.deferred(lambda: st.sampled_from(_example_books()))
        if books is None
        else books
    )
    return _scenario(
        books=book_strategy,
        context_strategy=policy_contexts() if contexts is None else contexts,
        texts=st.text(max_size=40) if texts is None else texts,
        max_moves=max_moves,
        max_branches=max_branches,
    )
