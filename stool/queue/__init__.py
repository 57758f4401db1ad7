"""Queue mathematics: what the calls of one interval cost everybody else in the queue.

[ErlangC][stool.queue.ErlangC] models callers who wait as long as it takes;
[ErlangA][stool.queue.ErlangA] adds callers who hang up.
Both give the probability of waiting, the service level, the average speed of answer,
the occupancy and the staffing a service-level target needs, for one interval or, with
numpy arrays, for a whole day of intervals at once.
[cost_of_longer_calls][stool.queue.cost_of_longer_calls] prices the AHT trade-off: what
handle time added to some calls costs the interval's service level, speed of answer,
abandonment and occupancy; [handle_time_budget][stool.queue.handle_time_budget] turns it
into a handle-time target that depends on the interval's load.

    >>> from stool.queue import ErlangC
    >>> queue = ErlangC(arrivals=100, interval_s=1800, aht_s=180, agents=14)
    >>> round(queue.service_level(20), 3)
    0.888
"""

from __future__ import annotations

from stool.queue._cost import QueueCost, cost_of_longer_calls, handle_time_budget
from stool.queue._erlang import ErlangA, ErlangC

__all__ = ["ErlangA", "ErlangC", "QueueCost", "cost_of_longer_calls", "handle_time_budget"]
