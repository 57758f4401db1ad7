"""The AHT trade-off, priced: what longer calls cost everybody else in the queue."""

from __future__ import annotations

import math
from typing import Any

import attrs

from stool.errors import ValidationError
from stool.queue._erlang import _BISECTION_STEPS, ErlangA, ErlangC, _a_measures, _c_asa
from stool.queue._inputs import Quantity, check_quantity, elementwise, is_array, to_quantity

__all__ = ["QueueCost", "cost_of_longer_calls", "handle_time_budget"]

_LONGEST_BUDGET_S = 1e9


def _check_queue(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, (ErlangC, ErlangA)):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}", value, "an ErlangC or an ErlangA"
        )


def _mean_wait(queue: ErlangC | ErlangA) -> Quantity:
    return queue.asa_s if isinstance(queue, ErlangC) else queue.mean_wait_s


def _abandon(queue: ErlangC | ErlangA) -> Quantity:
    if isinstance(queue, ErlangA):
        return queue.p_abandon
    return queue.occupancy * 0.0  # zeros, in the queue's shape


@attrs.frozen(kw_only=True)
class QueueCost:
    """The queue of one interval before and after its calls ran longer, and the difference.

    Each `*_change` is after minus before: a negative `service_level_change` is service
    level lost; a positive `asa_change_s`, abandonment lost callers.
    Built by [cost_of_longer_calls][stool.queue.cost_of_longer_calls].
    """

    before: ErlangC | ErlangA = attrs.field(validator=_check_queue)
    """The interval's queue as it is."""
    after: ErlangC | ErlangA = attrs.field(validator=_check_queue)
    """The same queue with the longer calls' average handle time."""
    t_s: float = attrs.field(default=20.0, converter=to_quantity)
    """The answer-time target of the service level, in seconds."""

    @t_s.validator
    def _check_t(self, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, float):
            raise ValidationError(f"QueueCost.{attribute.name}", value, "a number of seconds")
        check_quantity(f"QueueCost.{attribute.name}", value)

    @property
    def service_level_before(self) -> Quantity:
        """The share of calls (answered calls, for Erlang A) answered within `t_s`, before."""
        return self.before.service_level(self.t_s)

    @property
    def service_level_after(self) -> Quantity:
        """The same share after the calls ran longer."""
        return self.after.service_level(self.t_s)

    @property
    def service_level_change(self) -> Quantity:
        """After minus before: the service level the longer calls cost (negative)."""
        return self.service_level_after - self.service_level_before

    @property
    def asa_change_s(self) -> Quantity:
        """The change in the average speed of answer, in seconds."""
        return self.after.asa_s - self.before.asa_s

    @property
    def abandon_change(self) -> Quantity:
        """The change in the share of callers who hang up (0 under Erlang C)."""
        return _abandon(self.after) - _abandon(self.before)

    @property
    def occupancy_change(self) -> Quantity:
        """The change in the share of the agents' time spent on calls."""
        return self.after.occupancy - self.before.occupancy

    @property
    def extra_work_s(self) -> Quantity:
        """The agents' extra handling time in the interval, in seconds."""
        return self.after.arrivals * (self.after.aht_s - self.before.aht_s)

    @property
    def imposed_wait_s(self) -> Quantity:
        """The extra waiting the longer calls impose on the interval's callers, in seconds.

        The change in the average wait of all callers (those who hang up included), times
        the number of callers: the other callers' minutes a long call spends.
        """
        return self.after.arrivals * (_mean_wait(self.after) - _mean_wait(self.before))


def cost_of_longer_calls(
    queue: ErlangC | ErlangA,
    *,
    extra_s: Quantity,
    share: Quantity = 1.0,
    t_s: float = 20.0,
) -> QueueCost:
    """Price "handle time up by `extra_s` seconds for a `share` of calls" in the queue.

    The longer calls raise the interval's average handle time by `share · extra_s`; the
    queue is solved again with it (Erlang C or A, as `queue` is), and the result holds both
    queues and every change: service level, ASA, abandonment, occupancy, and the waiting
    the extra minutes impose on the other callers.
    Erlang's models see handle times through their mean, so a few very long calls and many
    slightly longer ones of the same total cost the same here; a simulation sees the
    difference.

    For one interaction, `share=1 / queue.arrivals` prices its own extra seconds; arrays of
    `extra_s` and `share` (one per interaction or per interval) price a batch at once.

    Args:
        queue: The interval's queue as it is.
        extra_s: Seconds added to each longer call (negative for shorter calls).
        share: The share of the interval's calls that run longer, from 0 to 1.
        t_s: The answer-time target of the service level, in seconds.

    Returns:
        The queue before and after, with the changes.

    Raises:
        ValidationError: If an argument is out of range, the handle time would fall to 0
            or below, or an Erlang C queue would reach its capacity (use
            [ErlangA][stool.queue.ErlangA], whose callers hang up, for an overload).

    Example:
        >>> from stool.queue import ErlangC, cost_of_longer_calls
        >>> queue = ErlangC(arrivals=100, aht_s=180, agents=14)
        >>> cost = cost_of_longer_calls(queue, extra_s=36)  # every call 20% longer
        >>> round(cost.service_level_change, 3), round(cost.occupancy_change, 3)
        (-0.289, 0.143)
        >>> one = cost_of_longer_calls(queue, extra_s=120, share=1 / queue.arrivals)
        >>> round(one.imposed_wait_s)  # one call two minutes longer: seconds others wait
        51
    """
    if not isinstance(queue, (ErlangC, ErlangA)):
        raise ValidationError("cost_of_longer_calls.queue", queue, "an ErlangC or an ErlangA queue")
    extra = to_quantity(extra_s)
    check_quantity("cost_of_longer_calls.extra_s", extra, minimum=-math.inf)
    fraction = to_quantity(share)
    check_quantity("cost_of_longer_calls.share", fraction, maximum=1.0)
    target = to_quantity(t_s)
    if not isinstance(target, float):
        raise ValidationError("cost_of_longer_calls.t_s", t_s, "a number of seconds, at least 0")
    check_quantity("cost_of_longer_calls.t_s", target)
    aht = queue.aht_s + fraction * extra
    if (is_array(aht) and not (aht > 0).all()) or (not is_array(aht) and not aht > 0):
        raise ValidationError(
            "cost_of_longer_calls.extra_s",
            extra_s,
            "a change that leaves the average handle time above 0 (aht_s + share x extra_s > 0)",
        )
    try:
        after = attrs.evolve(queue, aht_s=aht)
    except ValidationError as error:
        if not error.field.startswith("ErlangC.agents"):  # pragma: no cover - checked above
            raise
        raise ValidationError(
            "cost_of_longer_calls.extra_s",
            extra_s,
            "a change that keeps the offered load below the agents: " + error.allowed,
        ) from error
    return QueueCost(before=queue, after=after, t_s=target)


def _mean_wait_of(
    arrivals: float, interval_s: float, aht_s: float, agents: float, patience_s: float
) -> float:
    load = arrivals * aht_s / interval_s
    if patience_s == math.inf:
        return _c_asa(agents, load, aht_s)
    return _a_measures(agents, load, aht_s, patience_s)[1] * patience_s


def _budget(  # noqa: PLR0917 - elementwise passes one value per input
    arrivals: float, interval_s: float, aht_s: float, agents: float, patience_s: float, wait: float
) -> float:
    """The handle time at which one call's extra seconds impose `wait` seconds on the rest."""

    def imposed(extra: float) -> float:
        after = _mean_wait_of(arrivals, interval_s, aht_s + extra / arrivals, agents, patience_s)
        return arrivals * (after - base)

    base = _mean_wait_of(arrivals, interval_s, aht_s, agents, patience_s)
    if patience_s == math.inf:
        # Erlang C: waiting grows without end as the extra work fills the idle capacity.
        hi = (agents * interval_s - arrivals * aht_s) * (1.0 - 1e-12)
    else:
        hi = aht_s
        while imposed(hi) < wait:
            hi *= 2.0
            if hi > _LONGEST_BUDGET_S:
                raise ValidationError(
                    "handle_time_budget.imposed_wait_s",
                    wait,
                    "less waiting than one call can impose on this queue, whose callers hang "
                    f"up (about {imposed(hi):.6g} seconds at most)",
                )
    lo = 0.0
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        if imposed(mid) < wait:
            lo = mid
        else:
            hi = mid
    return aht_s + 0.5 * (lo + hi)


def handle_time_budget(queue: ErlangC | ErlangA, *, imposed_wait_s: float) -> Quantity:
    """Return the handle time at which one call imposes `imposed_wait_s` on the queue.

    A call longer than the interval's average handle time makes the other callers wait;
    this is the handle time at which that waiting (the
    [imposed_wait_s][stool.queue.QueueCost.imposed_wait_s] of
    [cost_of_longer_calls][stool.queue.cost_of_longer_calls] with `share=1 / arrivals`)
    reaches the budget.
    At a light load the budget allows long calls, near capacity it allows little more than
    the average: used as an interaction's `aht_target_s`, it makes the company leg's
    handle-time factor read what the call costs the queue at its interval's load.

    Args:
        queue: The interval's queue; its `arrivals` must be above 0.
        imposed_wait_s: The other callers' extra waiting one call may cost, in seconds
            (above 0).

    Returns:
        The handle time in seconds, one per interval for array inputs.

    Raises:
        ValidationError: If an argument is out of range, or (Erlang A) no handle time
            imposes that much waiting.

    Example:
        >>> from stool.queue import ErlangC, handle_time_budget
        >>> quiet = ErlangC(arrivals=60, aht_s=180, agents=14)
        >>> busy = ErlangC(arrivals=120, aht_s=180, agents=14)
        >>> round(handle_time_budget(quiet, imposed_wait_s=60)), round(
        ...     handle_time_budget(busy, imposed_wait_s=60))
        (3242, 200)
    """
    if not isinstance(queue, (ErlangC, ErlangA)):
        raise ValidationError("handle_time_budget.queue", queue, "an ErlangC or an ErlangA queue")
    wait = to_quantity(imposed_wait_s)
    if not isinstance(wait, float):
        raise ValidationError(
            "handle_time_budget.imposed_wait_s", imposed_wait_s, "a number of seconds above 0"
        )
    check_quantity("handle_time_budget.imposed_wait_s", wait, strict=True)
    check_quantity("handle_time_budget.queue.arrivals", queue.arrivals, strict=True)
    patience = queue.patience_s if isinstance(queue, ErlangA) else math.inf
    values = (queue.arrivals, queue.interval_s, queue.aht_s, queue.agents, patience, wait)
    result: Quantity = elementwise(_budget, values)
    return result
