"""The one schema for facts: [Interaction][stool.Interaction], and [classify][stool.classify].

An `Interaction` is a flat, frozen record of what happened in one contact.
A developer builds one from their own record, a scenario builds one move by move
(see [stool.events][]), and a researcher's table uses the same field names as columns
(see [score_batch][stool.batch.score_batch]).
`Interaction()` is a routine contact: the request met, courteously and clearly,
inside the handle-time target, with nothing else of note.
"""

from __future__ import annotations

import functools
import numbers
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar

import attrs

from stool._fields import (
    _normalise_real,
    boolean,
    count,
    enum_field,
    fraction,
    non_negative,
    positive,
    spec_of,
)
from stool.enums import Authority, Channel, CustomerType
from stool.errors import ValidationError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from stool.parties import Agent, Company, Customer

__all__ = [
    "CUSTOMER_TYPES",
    "FIELD_DEFAULTS",
    "FIELD_NAMES",
    "FIELD_SPECS",
    "FULFILLED_AT",
    "UNKNOWABLE_FIELDS",
    "UNPROFESSIONAL_BELOW",
    "Interaction",
    "classify",
    "taxonomy_code",
    "type_code",
]

FULFILLED_AT: Final = 0.8
"""Default `fulfilled_at` of [classify][stool.classify]: fulfilment at or above it counts
as "got what they asked for"."""

UNPROFESSIONAL_BELOW: Final = 0.5
"""Default `unprofessional_below` of [classify][stool.classify]: professionalism below it
counts as "handled unprofessionally"."""

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class Interaction:
    """What happened in one customer contact: flat, frozen, hashable facts.

    Every field has a default, and `Interaction()` is a routine contact.
    Bad values raise [ValidationError][stool.ValidationError] naming the field, the
    value and what is allowed; nothing is clamped.
    Change a field with `attrs.evolve`, or move by move with [stool.events][].

    Examples:
        >>> from stool import Interaction
        >>> bad_news = Interaction(fulfilment=0.0, explanation_clarity=1.0)
        >>> bad_news.fulfilment
        0.0
    """

    channel: Channel = enum_field(Channel, Channel.CALL)
    """The medium of the contact."""

    # The outcome and how it was delivered (justice theory: distributive,
    # interactional, informational).
    fulfilment: float | None = fraction(1.0, optional=True)
    """How far the customer's request was fulfilled: 0 not at all, 1 completely;
    None if not observed."""
    professionalism: float | None = fraction(1.0, optional=True)
    """Courtesy, calm and respect shown by the agent: 0 rude, 1 impeccable; None if not
    observed."""
    empathy: float | None = fraction(1.0, optional=True)
    """How far the agent acknowledged the customer's situation and feelings; None if not
    observed."""
    explanation_clarity: float | None = fraction(1.0, optional=True)
    """How clearly the agent explained *why* (the rule, the delay, the limits); None if
    not observed."""
    extra_mile: bool | None = boolean(False, optional=True)  # noqa: FBT003
    """Whether the agent did more than was required (the "extra mile" that turns a
    satisfied customer into a very satisfied one); None if not observed."""

    # Time and effort.
    handle_time_s: float = non_negative(300.0, unit="seconds")
    """Handle time of the contact, in seconds."""
    aht_target_s: float = positive(360.0, unit="seconds")
    """The average handle time target the agent is graded against, in seconds."""
    queue_wait_imposed_s: float = non_negative(0.0, unit="seconds")
    """The extra waiting this contact's handle time imposed on the other callers of its
    interval, in seconds: the `imposed_wait_s` of
    [cost_of_longer_calls][stool.queue.cost_of_longer_calls] for this one call (0 for a
    call no longer than the interval's average). Read by the company leg's `queue`
    factor; see [What a longer call costs the queue](../explanation/longer-calls.md)."""
    wait_time_s: float | None = non_negative(0.0, optional=True, unit="seconds")
    """Time the customer spent waiting for a response (queue and hold, or for a reply to
    an email or chat), in seconds; None if not observed."""
    transfers: int = count(0)
    """How many times the customer was transferred."""
    repeat_contacts: int = count(0)
    """How many earlier contacts the customer made about the same issue."""

    # Promises and expectations (expectation-disconfirmation).
    promised_days: float | None = non_negative(None, optional=True, unit="days")
    """What the customer was promised (delivery, callback), in days; None if no promise."""
    delivered_days: float | None = non_negative(None, optional=True, unit="days")
    """When it was actually delivered, in days; None if not (yet) delivered."""
    elapsed_days: float | None = non_negative(None, optional=True, unit="days")
    """Days since the promise was made, when the contact is scored; None if not
    observed. With nothing delivered yet, a promise past due (`elapsed_days` beyond
    `promised_days`) costs like a delivery that many days late; an open promise counts as
    overdue only when this says so."""
    expectation: float | None = fraction(0.5, optional=True)
    """What the customer expected coming in: 0 braced for a fight, 0.5 ordinary,
    1 expects to be delighted; None if not observed."""
    prior_bad_experiences: int | None = count(0, optional=True)
    """Earlier bad service experiences the customer brings along; None if not observed."""
    customer_value: float | None = non_negative(0.0, optional=True, unit="(currency)")
    """The customer's lifetime value at stake, in your currency; None if not observed."""

    # The agent's side.
    customer_abuse: float | None = fraction(0.0, optional=True)
    """Abuse the agent received: 0 none, about 0.5 shouting or cursing, 1 insults or
    threats; None if not observed."""
    agent_fatigue: float | None = fraction(0.0, optional=True)
    """Fatigue the agent carried into the contact: 0 fresh, 1 exhausted; None if not
    observed."""
    ended_by_agent: bool = boolean(False)  # noqa: FBT003
    """Whether the agent ended the contact (for example, an abusive call)."""
    escalated: bool = boolean(False)  # noqa: FBT003
    """Whether the contact was escalated to a higher authority."""
    authority: Authority = enum_field(Authority, Authority.AGENT)
    """The highest authority that handled the contact."""
    thanked: bool | None = boolean(False, optional=True)  # noqa: FBT003
    """Whether the customer thanked the agent; None if not observed."""

    # The company's side.
    bends: int = count(0)
    """Policy rules bent in this contact (see [stool.policy][])."""
    breaks: int = count(0)
    """Policy rules broken in this contact (see [stool.policy][])."""
    concession_cost: float = non_negative(0.0, unit="(currency)")
    """What the company gave away (refunds beyond policy, credits, goodwill)."""
    concession_budget: float = non_negative(50.0, unit="(currency)")
    """What the agent may give away in one contact, in the same currency."""

    # A label, never an input.
    csat: int | None = count(None, low=1, high=5, optional=True)
    """An observed survey answer, 1 (very dissatisfied) to 5 (very satisfied); None if
    no survey. A label for research: no score ever reads it."""

    @classmethod
    def for_parties(
        cls,
        *,
        customer: Customer | None = None,
        agent: Agent | None = None,
        company: Company | None = None,
        **facts: Any,
    ) -> Interaction:
        """Build an interaction that carries the facts of its parties.

        Copies `customer.expectations`, `customer.prior_bad_experiences` and
        `customer.lifetime_value` (as `customer_value`); `agent.fatigue` (as
        `agent_fatigue`) and `agent.authority` (as `authority`); and
        `company.aht_target_s` and `company.concession_budget`.
        Keyword arguments in `facts` set any field and win over the parties.

        Args:
            customer: The customer, or None to keep the defaults.
            agent: The agent, or None to keep the defaults.
            company: The company, or None to keep the defaults.
            **facts: Further fields of the interaction.

        Returns:
            The new interaction.

        Raises:
            ValidationError: If a fact is not a field of Interaction, or is invalid.

        Examples:
            >>> from stool import Customer, Interaction
            >>> gym = Customer(id="C-9", prior_bad_experiences=1, expectations=0.1)
            >>> Interaction.for_parties(customer=gym, fulfilment=0.0).expectation
            0.1
        """
        values: dict[str, Any] = {}
        if customer is not None:
            values["expectation"] = customer.expectations
            values["prior_bad_experiences"] = customer.prior_bad_experiences
            values["customer_value"] = customer.lifetime_value
        if agent is not None:
            values["agent_fatigue"] = agent.fatigue
            values["authority"] = agent.authority
        if company is not None:
            values["aht_target_s"] = company.aht_target_s
            values["concession_budget"] = company.concession_budget
        _refuse_unknown_fields(facts)
        values.update(facts)
        return cls(**values)

    @classmethod
    def from_row(
        cls,
        row: Mapping[str, Any],
        *,
        extra_columns: Literal["error", "ignore"] = "error",
        absent: Literal["unknown", "default"] = "unknown",
        blank: Literal["unknown", "error"] = "unknown",
    ) -> Interaction:
        """Build the interaction one row of a table stands for, as score_batch reads it.

        `score(Interaction.from_row(row))` is row `k` of
        [score_batch][stool.batch.score_batch] of the table, with the same options, so
        one row of a batch can be explained. A blank cell (None, NaN, `pd.NA`) of an
        unknowable field is not observed (None); the enum fields take member names in
        any case (`"call"`); whole numbers may come as floats (`2.0`), as a column with
        blanks holds them; numpy scalars are read as the numbers they hold.

        Args:
            row: A mapping of column names to values: a `dict`, a pandas row
                (`frame.iloc[k]`), a polars row (`frame.row(k, named=True)`).
            extra_columns: `"error"` to refuse a key that is not a field (with the
                closest field name), `"ignore"` to skip it.
            absent: `"unknown"`: an unknowable field the row lacks is not observed;
                `"default"`: it takes its default.
            blank: `"unknown"`: a blank in an unknowable field is not observed;
                `"error"`: it is an error.

        Returns:
            The interaction.

        Raises:
            ValidationError: If a key is not a field (unless ignored), a value is
                invalid, or a cell is blank where no blank is allowed.

        Examples:
            >>> from stool import Interaction
            >>> row = {"channel": "chat", "fulfilment": 0.5, "empathy": float("nan"),
            ...        "transfers": 2.0, "ticket": "T-17"}
            >>> call = Interaction.from_row(row, extra_columns="ignore", absent="default")
            >>> call.channel, call.empathy, call.transfers
            (<Channel.CHAT: 'chat'>, None, 2)
        """
        _check_options("from_row", extra_columns=extra_columns, absent=absent, blank=blank)
        items = getattr(row, "items", None)
        if not callable(items) or isinstance(row, type):
            raise ValidationError("from_row.row", row, "a mapping of column names to values")
        facts: dict[str, Any] = {}
        for key, value in items():
            spec = FIELD_SPECS.get(key) if isinstance(key, str) else None
            if spec is None:
                if extra_columns == "error":
                    _refuse_unknown_fields({key: value}, "; pass extra_columns='ignore' to skip it")
                continue
            if _is_blank(value):
                _allow_blank(key, value, spec, blank)
                facts[key] = None
            else:
                facts[key] = _cell(value, spec.kind)
        if absent == "unknown":
            for name in UNKNOWABLE_FIELDS:
                facts.setdefault(name, None)
        return cls(**facts)

    def replace(self, **changes: Any) -> Interaction:
        """Return a copy with `changes` applied and validated (`attrs.evolve`)."""
        return attrs.evolve(self, **changes)

    @property
    def unobserved(self) -> tuple[str, ...]:
        """The unknowable fields that are None (not observed), in declaration order.

        Empty when everything was observed; see
        [UNKNOWABLE_FIELDS][stool.interaction.UNKNOWABLE_FIELDS].

        Examples:
            >>> from stool import Interaction
            >>> Interaction(empathy=None, thanked=None).unobserved
            ('empathy', 'thanked')
        """
        return tuple(name for name in UNKNOWABLE_FIELDS if getattr(self, name) is None)


def _check_options(where: str, *, extra_columns: Any, absent: Any, blank: Any) -> None:
    """Check the options a table's reader takes (score_batch's, and from_row's)."""
    if extra_columns not in ("error", "ignore"):
        raise ValidationError(f"{where}.extra_columns", extra_columns, "'error' or 'ignore'")
    if absent not in ("unknown", "default"):
        raise ValidationError(f"{where}.absent", absent, "'unknown' or 'default'")
    if blank not in ("unknown", "error"):
        raise ValidationError(f"{where}.blank", blank, "'unknown' or 'error'")


def _allow_blank(name: str, value: Any, spec: Any, blank: str) -> None:
    """Return if a blank is allowed in field `name` (not observed, or absent); else raise."""
    if (name in UNKNOWABLE_FIELDS and blank == "unknown") or (
        spec.optional and name not in UNKNOWABLE_FIELDS
    ):
        return
    allowed = spec.allowed.removesuffix(", or None")
    raise ValidationError(f"Interaction.{name}", value, f"{allowed}, not a blank")


def _is_blank(value: Any) -> bool:
    """Whether a table cell is blank: None, NaN (of any float type) or pandas' NA."""
    if value is None:
        return True
    kind = type(value)
    if kind is float or isinstance(value, numbers.Real):
        return bool(value != value)  # noqa: PLR0124 - NaN
    return kind.__name__ == "NAType"


_NP_BOOLS: Final = ("bool", "bool_")  # numpy 2's name of numpy.bool_, and numpy 1's


def _cell(value: Any, kind: str) -> Any:
    """A table cell as Interaction takes it: numpy booleans as bool, whole floats as int."""
    if kind == "bool" and type(value).__module__ == "numpy" and type(value).__name__ in _NP_BOOLS:
        return bool(value)
    if kind == "int" and isinstance(value, float) and value.is_integer():
        return int(value)
    if kind == "int" and type(value).__module__ == "numpy" and isinstance(value, numbers.Real):
        as_float = float(value)
        return int(as_float) if as_float.is_integer() else value
    return value


def _refuse_unknown_fields(given: Mapping[str, Any], advice: str = "") -> None:
    """Raise ValidationError for the first key of `given` that is not a field, with a hint."""
    unknown = [name for name in given if name not in _FIELD_SET]
    if not unknown:
        return
    import difflib  # noqa: PLC0415 - only to word the error

    name = unknown[0]
    close = difflib.get_close_matches(str(name), FIELD_NAMES, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ValidationError(
        f"Interaction.{name}", given[name], f"a field of Interaction{hint}{advice}"
    )


def _hint_unknown_fields(init: Callable[..., None]) -> Callable[..., None]:
    """Wrap attrs' `__init__` so that a misspelt field is a ValidationError with a hint.

    attrs raises `TypeError` for an unexpected keyword; the wrapper adds one `try` to the
    path of a good call and looks at the keywords only when that TypeError happens.
    """

    @functools.wraps(init)
    def __init__(self: Interaction, /, **fields: Any) -> None:  # noqa: N807 - it is __init__
        try:
            init(self, **fields)
        except TypeError:
            _refuse_unknown_fields(fields)
            raise

    return __init__


Interaction.__init__ = _hint_unknown_fields(Interaction.__init__)  # type: ignore[method-assign]

FIELD_NAMES: Final[tuple[str, ...]] = tuple(a.name for a in attrs.fields(Interaction))
"""The field names of [Interaction][stool.Interaction], in declaration order: also the
column names [score_batch][stool.batch.score_batch] reads."""

_FIELD_SET: Final = frozenset(FIELD_NAMES)

FIELD_DEFAULTS: Final[dict[str, Any]] = {a.name: a.default for a in attrs.fields(Interaction)}
"""The default of every field of [Interaction][stool.Interaction]."""

FIELD_SPECS = {a.name: spec_of(a) for a in attrs.fields(Interaction)}

UNKNOWABLE_FIELDS: Final[tuple[str, ...]] = (
    "fulfilment",
    "professionalism",
    "empathy",
    "explanation_clarity",
    "extra_mile",
    "wait_time_s",
    "expectation",
    "prior_bad_experiences",
    "customer_value",
    "customer_abuse",
    "agent_fatigue",
    "thanked",
)
"""The fields where None means *not observed*: the judgements and facts that operational
exports often lack. A factor that reads one of them drops out of its leg when it is None
(see [score][stool.score]); in [score_batch][stool.batch.score_batch] a NaN or null in
such a column means the same, and so, by default, does a missing column.
(`promised_days`, `delivered_days` and `csat` may be None too, meaning no promise, nothing
delivered yet and no survey; `elapsed_days` None means the age of an open promise is not
known, and such a promise counts as not yet overdue.)"""


def taxonomy_code(
    fulfilment: T,
    professionalism: T,
    extra_mile: Any,
    fulfilled_at: float,
    unprofessional_below: float,
) -> T:
    """Return the customer-type code 0-3 of the seed taxonomy, on floats or arrays.

    Codes follow the order of [CustomerType][stool.CustomerType]:
    0 VERY_SATISFIED, 1 SATISFIED, 2 DISSATISFIED, 3 VERY_DISSATISFIED.
    Written once with comparisons and arithmetic only, so the same expression runs on
    Python scalars (one interaction) and on numpy arrays (a batch).
    """
    fulfilled = fulfilment >= fulfilled_at  # type: ignore[operator]
    unprofessional = professionalism < unprofessional_below  # type: ignore[operator]
    return fulfilled * (1 - extra_mile) + (1 - fulfilled) * (2 + unprofessional)  # type: ignore[no-any-return]


CUSTOMER_TYPES: Final[tuple[CustomerType, ...]] = tuple(CustomerType)
"""[CustomerType][stool.CustomerType] members by taxonomy code."""


def classify(
    interaction: Interaction,
    *,
    fulfilled_at: float = FULFILLED_AT,
    unprofessional_below: float = UNPROFESSIONAL_BELOW,
) -> CustomerType | None:
    """Sort an interaction into the four customer types of the source stories.

    The taxonomy of seed 000, exactly:

    | fulfilled? | extra mile? | unprofessional? | type |
    |---|---|---|---|
    | yes | yes | any | VERY_SATISFIED |
    | yes | no | any | SATISFIED |
    | no | any | yes | VERY_DISSATISFIED |
    | no | any | no | DISSATISFIED |

    The type needs the fulfilment, and then either the extra mile (fulfilled) or the
    professionalism (not fulfilled). When one it needs was not observed (None), the type
    is not known and `classify` returns None: it never guesses.

    Args:
        interaction: The interaction to classify.
        fulfilled_at: Fulfilment at or above this counts as fulfilled ("got what they
            asked for"); from 0 to 1.
        unprofessional_below: Professionalism below this counts as handled
            unprofessionally; from 0 to 1.

    Returns:
        The customer type, or None when an input it needs was not observed.

    Raises:
        ValidationError: If `interaction` is not an Interaction, or a threshold is not
            a number from 0 to 1.

    Examples:
        >>> from stool import Interaction, classify
        >>> classify(Interaction(fulfilment=1.0, extra_mile=True))
        <CustomerType.VERY_SATISFIED: 'very_satisfied'>
        >>> classify(Interaction(fulfilment=0.0, professionalism=0.2))
        <CustomerType.VERY_DISSATISFIED: 'very_dissatisfied'>
        >>> print(classify(Interaction(fulfilment=None)))
        None
    """
    if not isinstance(interaction, Interaction):
        raise ValidationError("classify.interaction", interaction, "an Interaction")
    fulfilled_at = _check_threshold("classify.fulfilled_at", fulfilled_at)
    unprofessional_below = _check_threshold("classify.unprofessional_below", unprofessional_below)
    code = type_code(
        interaction.fulfilment,
        interaction.professionalism,
        interaction.extra_mile,
        fulfilled_at,
        unprofessional_below,
    )
    return None if code is None else CUSTOMER_TYPES[code]


def type_code(
    fulfilment: float | None,
    professionalism: float | None,
    extra_mile: bool | None,
    fulfilled_at: float,
    unprofessional_below: float,
) -> int | None:
    """Return the customer-type code of one interaction, or None if it is not known."""
    if fulfilment is None:
        return None
    if fulfilment >= fulfilled_at:
        return None if extra_mile is None else int(not extra_mile)
    if professionalism is None:
        return None
    return 3 if professionalism < unprofessional_below else 2


def _check_threshold(name: str, value: Any) -> float:
    number = _normalise_real(value)  # numpy numbers count, as in every field
    if not (type(number) in (int, float) and 0.0 <= number <= 1.0):
        raise ValidationError(name, value, "a number from 0 to 1")
    return float(number)
