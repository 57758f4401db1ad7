"""Erlang C (callers wait as long as it takes) and Erlang A (callers hang up), per interval."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import attrs

from stool.errors import ValidationError
from stool.queue._inputs import (
    Quantity,
    broadcast_shape,
    check_quantity,
    elementwise,
    is_array,
    key,
    quantity_field,
    same,
    to_quantity,
)
from stool.queue._math import SeriesLimitError, erlang_b, log_add, palm_series

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["ErlangA", "ErlangC"]

_BISECTION_STEPS = 60


# ------------------------------------------------------------------------- Erlang C, floats


def _erlang_c(agents: float, load: float) -> float:
    """P(wait) in M/M/n: `n·B / (n - A·(1 - B))`."""
    b = erlang_b(agents, load)
    return agents * b / (agents - load * (1.0 - b))


def _c_service_level(agents: float, load: float, aht_s: float, t_s: float) -> float:
    return 1.0 - _erlang_c(agents, load) * math.exp(-(agents - load) * t_s / aht_s)


def _c_asa(agents: float, load: float, aht_s: float) -> float:
    return _erlang_c(agents, load) * aht_s / (agents - load)


# ------------------------------------------------------------------------- Erlang A, floats


class _Palm(NamedTuple):
    """What every Erlang A measure of one interval needs (rates per second)."""

    x: float  # agents · patience / AHT: service capacity in units of the abandonment rate
    y: float  # arrivals per second · patience: the load in the same units
    theta: float  # abandonment rate, 1 / patience
    log_pi_n: float  # log P(exactly n callers in the system)
    p_wait: float  # P(a caller waits at all) = π_n · A(x, y)
    p_abandon: float


def _palm(agents: float, load: float, aht_s: float, patience_s: float) -> _Palm:
    theta = 1.0 / patience_s
    x = agents * patience_s / aht_s
    y = load * patience_s / aht_s
    b = erlang_b(agents, load)
    if b == 0.0:
        return _Palm(x, y, theta, -math.inf, 0.0, 0.0)
    log_a, _ = palm_series(x, y)
    log_ab = log_a + math.log(b)
    # 1 = pi_n * (1/B - 1 + A), so pi_n = B / (1 - B + A*B)
    log_den = log_add(math.log1p(-b), log_ab)
    log_pi_n = math.log(b) - log_den
    p_wait = math.exp(log_ab - log_den)
    # P(abandon) = pi_n * (A - (A - 1) / rho), with rho = y / x
    p_abandon = p_wait * (1.0 - x / y) + math.exp(log_pi_n) * x / y
    return _Palm(x, y, theta, log_pi_n, p_wait, min(max(p_abandon, 0.0), p_wait))


def _a_measures(agents: float, load: float, aht_s: float, patience_s: float) -> tuple[float, ...]:
    """P(wait), P(abandon), average wait of the served, occupancy."""
    if load == 0.0:
        return (0.0, 0.0, 0.0, 0.0)
    if patience_s == math.inf:
        return (
            _erlang_c(agents, load),
            0.0,
            _c_asa(agents, load, aht_s),
            load / agents,
        )
    palm = _palm(agents, load, aht_s, patience_s)
    served = 1.0 - palm.p_abandon
    if palm.p_wait == 0.0:
        return (0.0, 0.0, 0.0, served * load / agents)
    # E[wait; served] = pi_n * patience * x/(x+1) * sum_j c_j(x+1, y) H_j (a Laplace derivative)
    _, log_h = palm_series(palm.x + 1.0, palm.y, harmonic=True)
    wait_served = math.exp(palm.log_pi_n + log_h) * patience_s * palm.x / (palm.x + 1.0)
    # In overload the answered load is the agents' capacity, up to an ulp of rounding.
    occupancy = min(served * load / agents, 1.0)
    return (palm.p_wait, palm.p_abandon, wait_served / served, occupancy)


def _a_service_level(
    agents: float, load: float, aht_s: float, patience_s: float, t_s: float
) -> float:
    """P(answered within t | answered)."""
    if load == 0.0:
        return 1.0
    if patience_s == math.inf:
        return _c_service_level(agents, load, aht_s, t_s)
    palm = _palm(agents, load, aht_s, patience_s)
    if palm.p_wait == 0.0:
        return 1.0
    x, y, theta = palm.x, palm.y, palm.theta
    u = y * math.exp(-theta * t_s)
    log_a_u, _ = palm_series(x, u)
    # Answered by t = 1 - P(W > t) - P(abandoned by t) = 1 - P(abandon) - late, where
    # late = pi_n * E_t * (x/y) * (A(x, u) - 1), E_t = exp(y(1 - e^(-t/patience)) - n t/aht),
    # u = y e^(-t/patience).
    log_e = -y * math.expm1(-theta * t_s) - agents * t_s / aht_s
    late = math.exp(palm.log_pi_n + log_e + log_a_u) * -math.expm1(-log_a_u) * x / y
    # Rounding may take the result an ulp outside [0, 1]; nothing else can.
    return min(max(1.0 - late / (1.0 - palm.p_abandon), 0.0), 1.0)


# --------------------------------------------------------------------------- the classes


class _Queue:
    """Value semantics for queue classes whose fields may be arrays."""

    __slots__ = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, a.name) for a in attrs.fields(cast("Any", type(self))))

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        pairs = zip(self._values(), other._values(), strict=True)
        return all(same(a, b) for a, b in pairs)

    def __hash__(self) -> int:
        return hash((type(self), *(key(v) for v in self._values())))


def _check_target(owner: str, service_level: Any, within_s: Any) -> tuple[float, float]:
    level = to_quantity(service_level)
    if not isinstance(level, float) or not 0.0 < level < 1.0:
        raise ValidationError(
            f"{owner}.service_level", service_level, "a number strictly between 0 and 1"
        )
    within = to_quantity(within_s)
    check_quantity(f"{owner}.within_s", within)
    if not isinstance(within, float):
        raise ValidationError(f"{owner}.within_s", within_s, "a number of seconds, at least 0")
    return level, within


def _smallest(good: Callable[[float], bool], low: float, *, whole: bool) -> float:
    """Return the least staffing above `low` for which `good` holds; `good` rises with it.

    Whole agents are found by doubling, then halving; fractional staffing by bisection
    between the last whole number that fails and the first that holds.
    """
    lo = math.floor(low)  # staffing must exceed `low`, so `lo` never holds
    hi = lo + 1
    step = 1
    while not good(hi):
        lo, step = hi, step * 2
        hi = lo + step
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if good(mid):
            hi = mid
        else:
            lo = mid
    if whole:
        return float(hi)
    lo_x, hi_x = max(float(hi - 1), low), float(hi)
    for _ in range(_BISECTION_STEPS):
        mid_x = 0.5 * (lo_x + hi_x)
        if good(mid_x):
            hi_x = mid_x
        else:
            lo_x = mid_x
    return hi_x


def _result(value: Any, *, whole: bool) -> Any:
    if is_array(value):
        return value.astype("int64") if whole else value
    return int(value) if whole else value


@attrs.frozen(kw_only=True, eq=False)
class ErlangC(_Queue):
    """Erlang C: one interval of a queue whose callers wait as long as it takes (M/M/n).

    Calls arrive at random (Poisson) at `arrivals / interval_s` a second, each holds an
    agent for an exponential time with mean `aht_s`, and `agents` agents answer them in
    order.
    The offered load is `A = arrivals · aht_s / interval_s` Erlangs (agents' worth of work);
    Erlang C needs `agents > A`, or the queue grows without end.

    Every field takes a number or a sequence or numpy array of numbers (one per interval,
    broadcast together): the measures are then arrays of the same shape (needs numpy).
    `agents` need not be whole: planners' fractional staffing uses Jagerman's continuous
    extension of Erlang B, `1 / B(x, A) = A ∫₀^∞ e^(-At) (1 + t)^x dt`, which agrees
    with Erlang B at every whole number and rises smoothly between them.

    Example:
        >>> queue = ErlangC(arrivals=100, interval_s=1800, aht_s=180, agents=14)
        >>> round(queue.p_wait, 3), round(queue.service_level(20), 3), round(queue.occupancy, 3)
        (0.174, 0.888, 0.714)
        >>> round(queue.asa_s, 1), queue.agents_for(service_level=0.8, within_s=20)
        (7.8, 14)
    """

    arrivals: Quantity = quantity_field()
    """Calls offered in the interval (at least 0)."""
    interval_s: Quantity = quantity_field(strict=True, default=1800.0)
    """The interval's length in seconds; 1800 (half an hour) by default."""
    aht_s: Quantity = quantity_field(strict=True)
    """Average handle time in seconds (talk, hold and wrap-up)."""
    agents: Quantity = quantity_field(strict=True)
    """Agents answering; need not be whole."""

    def __attrs_post_init__(self) -> None:
        fields = {a.name: getattr(self, a.name) for a in attrs.fields(cast("Any", type(self)))}
        broadcast_shape(type(self).__name__, fields)
        _check_stable(type(self).__name__, self.agents, self.offered_load, math.inf)

    @property
    def offered_load(self) -> Quantity:
        """The offered load `A` in Erlangs: `arrivals · aht_s / interval_s`."""
        return self.arrivals * self.aht_s / self.interval_s

    @property
    def p_wait(self) -> Quantity:
        """The probability that a caller waits at all (Erlang's C formula)."""
        result: Quantity = elementwise(_erlang_c, (self.agents, self.offered_load))
        return result

    def service_level(self, t_s: Quantity) -> Quantity:
        """Return the share of callers answered within `t_s` seconds.

        `SL(t) = 1 - P(wait) · exp(-(agents - A) · t / aht_s)`.

        Args:
            t_s: The answer-time target in seconds (at least 0); a number or an array.

        Returns:
            The service level, in [0, 1].

        Example:
            >>> round(ErlangC(arrivals=100, aht_s=216, agents=14).service_level(20), 3)
            0.6
        """
        t = to_quantity(t_s)
        check_quantity(f"{type(self).__name__}.service_level.t_s", t)
        result: Quantity = elementwise(
            _c_service_level, (self.agents, self.offered_load, self.aht_s, t)
        )
        return result

    @property
    def asa_s(self) -> Quantity:
        """The average speed of answer in seconds: `P(wait) · aht_s / (agents - A)`."""
        result: Quantity = elementwise(_c_asa, (self.agents, self.offered_load, self.aht_s))
        return result

    @property
    def occupancy(self) -> Quantity:
        """The share of the agents' time spent handling calls: `A / agents`."""
        return self.offered_load / self.agents

    def agents_for(
        self, *, service_level: float, within_s: float, whole: bool = True
    ) -> int | float | Any:
        """Return the fewest agents that answer `service_level` of calls within `within_s`.

        The answer ignores this queue's own `agents`.

        Args:
            service_level: The target share of calls, strictly between 0 and 1.
            within_s: The answer-time target in seconds.
            whole: Whether to count whole agents (an int); False for the fractional staffing
                that meets the target exactly.

        Returns:
            The staffing, one per interval for array inputs.

        Example:
            >>> queue = ErlangC(arrivals=100, aht_s=180, agents=14)
            >>> queue.agents_for(service_level=0.8, within_s=20)
            14
            >>> round(queue.agents_for(service_level=0.8, within_s=20, whole=False), 2)
            13.04
        """
        level, within = _check_target(f"{type(self).__name__}.agents_for", service_level, within_s)

        def one(load: float, aht_s: float) -> float:
            if load == 0.0:
                return 1.0 if whole else 0.0

            def good(n: float) -> bool:
                return _c_service_level(n, load, aht_s, within) >= level

            return _smallest(good, load, whole=whole)

        return _result(elementwise(one, (self.offered_load, self.aht_s)), whole=whole)


def _check_stable(owner: str, agents: Any, load: Any, patience_s: Any) -> None:
    """Refuse an Erlang C queue (infinite patience) with no more agents than its load."""
    if not (is_array(agents) or is_array(load) or is_array(patience_s)):
        if patience_s == math.inf and agents <= load:
            _unstable(f"{owner}.agents", agents, load)
        return
    import numpy as np  # noqa: PLC0415 - already loaded: there are arrays

    agents_b, load_b, patience_b = np.broadcast_arrays(agents, load, patience_s)
    bad = np.argwhere((patience_b == np.inf) & (agents_b <= load_b))
    if bad.size:
        index = tuple(int(i) for i in bad[0])
        _unstable(f"{owner}.agents[{', '.join(map(str, index))}]", agents_b[index], load_b[index])


def _unstable(field: str, agents: float, load: float) -> None:
    raise ValidationError(
        field,
        float(agents),
        f"more agents than the offered load of {float(load):.6g} Erlangs "
        "(arrivals x aht_s / interval_s): at or below it an Erlang C queue grows without end "
        "(ErlangA models callers who hang up)",
    )


@attrs.frozen(kw_only=True, eq=False)
class ErlangA(_Queue):
    """Erlang A (Palm's model, M/M/n+M): one interval of a queue whose callers hang up.

    As [ErlangC][stool.queue.ErlangC], plus each waiting caller's patience: exponential,
    with mean `patience_s`; a caller still waiting when it runs out abandons.
    Abandonment keeps the queue finite, so any number of agents is allowed, even below the
    offered load.
    With `patience_s=math.inf` every measure is Erlang C's.

    The formulas are those of Garnett, Mandelbaum and Reiman (2002), written with Palm's
    series `A(x, y) = Σ_j y^j / ((x+1)···(x+j))` for `x = agents · patience_s / aht_s`
    and `y = A · patience_s / aht_s`; the average wait of the served comes from the
    derivative of the waiting time's Laplace transform.
    Each term is summed in order with a running scale, so nothing overflows in overload;
    the number of terms grows with `y - x` when the queue is overloaded (the
    [performance page](../performance.md#queue-mathematics) gives timings).

    Example:
        >>> queue = ErlangA(arrivals=100, interval_s=1800, aht_s=180, agents=14, patience_s=120)
        >>> round(queue.p_wait, 3), round(queue.p_abandon, 3), round(queue.service_level(20), 3)
        (0.127, 0.023, 0.955)
    """

    arrivals: Quantity = quantity_field()
    """Calls offered in the interval (at least 0)."""
    interval_s: Quantity = quantity_field(strict=True, default=1800.0)
    """The interval's length in seconds; 1800 (half an hour) by default."""
    aht_s: Quantity = quantity_field(strict=True)
    """Average handle time in seconds."""
    agents: Quantity = quantity_field(strict=True)
    """Agents answering; need not be whole."""
    patience_s: Quantity = quantity_field(strict=True, infinite=True)
    """Callers' average patience in seconds (exponential); `math.inf` for Erlang C."""

    def __attrs_post_init__(self) -> None:
        fields = {a.name: getattr(self, a.name) for a in attrs.fields(cast("Any", type(self)))}
        broadcast_shape(type(self).__name__, fields)
        # Infinite patience is Erlang C, which needs more agents than the load.
        _check_stable(type(self).__name__, self.agents, self.offered_load, self.patience_s)

    @property
    def offered_load(self) -> Quantity:
        """The offered load `A` in Erlangs: `arrivals · aht_s / interval_s`."""
        return self.arrivals * self.aht_s / self.interval_s

    def _measures(self) -> tuple[Quantity, Quantity, Quantity, Quantity]:
        try:
            result: tuple[Quantity, Quantity, Quantity, Quantity] = elementwise(
                _a_measures, (self.agents, self.offered_load, self.aht_s, self.patience_s)
            )
        except SeriesLimitError:  # pragma: no cover - needs an overload of millions of calls
            raise ValidationError(
                "ErlangA.patience_s",
                self.patience_s,
                "a patience short enough for Palm's series to converge "
                "(arrivals per second x patience_s under about ten million)",
            ) from None
        return result

    @property
    def p_wait(self) -> Quantity:
        """The probability that a caller waits at all (finds every agent busy)."""
        return self._measures()[0]

    @property
    def p_abandon(self) -> Quantity:
        """The probability that a caller hangs up before being answered."""
        return self._measures()[1]

    @property
    def asa_s(self) -> Quantity:
        """The average speed of answer in seconds: the average wait of the callers answered."""
        return self._measures()[2]

    @property
    def mean_wait_s(self) -> Quantity:
        """The average wait of all callers, those who hang up included.

        Each waiting caller hangs up at the rate `1 / patience_s`, so this is
        `P(abandon) · patience_s` (Little's law).
        """
        p_abandon = self.p_abandon
        patience = self.patience_s
        if is_array(patience) or is_array(p_abandon):
            import numpy as np  # noqa: PLC0415 - already loaded: there are arrays

            return np.where(np.asarray(patience) == np.inf, self.asa_s, p_abandon * patience)
        return self.asa_s if patience == math.inf else p_abandon * patience

    @property
    def occupancy(self) -> Quantity:
        """The share of the agents' time spent handling the calls answered."""
        return self._measures()[3]

    def service_level(self, t_s: Quantity) -> Quantity:
        """Return the share of answered callers answered within `t_s` seconds.

        Callers who hang up are left out (the service level among the served).

        Args:
            t_s: The answer-time target in seconds (at least 0); a number or an array.

        Returns:
            The service level, in [0, 1].

        Example:
            >>> queue = ErlangA(arrivals=100, aht_s=180, agents=14, patience_s=120)
            >>> answered_at_once = (1 - queue.p_wait) / (1 - queue.p_abandon)
            >>> abs(queue.service_level(0) - answered_at_once) < 1e-12
            True
        """
        t = to_quantity(t_s)
        check_quantity(f"{type(self).__name__}.service_level.t_s", t)
        result: Quantity = elementwise(
            _a_service_level, (self.agents, self.offered_load, self.aht_s, self.patience_s, t)
        )
        return result

    def agents_for(
        self,
        *,
        service_level: float,
        within_s: float,
        max_abandon: float | None = None,
        whole: bool = True,
    ) -> int | float | Any:
        """Return the fewest agents that answer `service_level` of answered calls in `within_s`.

        A service level among the answered rises as callers give up, so a target on it
        alone can be met by a queue that loses many callers: give `max_abandon` too.

        Args:
            service_level: The target share of answered calls, strictly between 0 and 1.
            within_s: The answer-time target in seconds.
            max_abandon: The highest share of callers allowed to hang up; None for no limit.
            whole: Whether to count whole agents (an int); False for fractional staffing.

        Returns:
            The staffing, one per interval for array inputs.

        Example:
            >>> queue = ErlangA(arrivals=100, aht_s=180, agents=14, patience_s=120)
            >>> queue.agents_for(service_level=0.8, within_s=20)
            11
            >>> queue.agents_for(service_level=0.8, within_s=20, max_abandon=0.01)
            16
        """
        owner = f"{type(self).__name__}.agents_for"
        level, within = _check_target(owner, service_level, within_s)
        if max_abandon is not None and (
            not isinstance(to_quantity(max_abandon), float) or not 0.0 < max_abandon < 1.0
        ):
            raise ValidationError(
                f"{owner}.max_abandon", max_abandon, "a number strictly between 0 and 1, or None"
            )

        def one(load: float, aht_s: float, patience_s: float) -> float:
            if load == 0.0:
                return 1.0 if whole else 0.0

            def good(n: float) -> bool:
                if _a_service_level(n, load, aht_s, patience_s, within) < level:
                    return False
                return max_abandon is None or _a_measures(n, load, aht_s, patience_s)[1] <= (
                    max_abandon
                )

            low = load if patience_s == math.inf else 0.0
            return _smallest(good, low, whole=whole)

        return _result(
            elementwise(one, (self.offered_load, self.aht_s, self.patience_s)), whole=whole
        )
