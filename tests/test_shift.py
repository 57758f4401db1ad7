"""Tests for stool.shift: a shift's queue simulated on SimPy, checked against Erlang A and C."""

from __future__ import annotations

import math
import statistics

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stool import Agent, ValidationError
from stool.queue import ErlangA, ErlangC
from stool.shift import Shift

TEAM = tuple(Agent(id=f"rep-{i}") for i in range(14))


def pooled(result, t_s=20.0, warm_up=2):
    """Per-interval P(wait), P(abandon) and SL after the warm-up intervals."""
    stats = result.interval_stats(t_s)[warm_up:]
    return [
        (s.waited / s.offered, s.abandoned / s.offered, s.service_level) for s in stats if s.offered
    ]


def assert_within_ci(samples, expected):
    """Each measure's mean over intervals lies within 4.5 standard errors of the model."""
    for column, value in zip(zip(*samples, strict=True), expected, strict=True):
        mean = statistics.fmean(column)
        error = statistics.stdev(column) / math.sqrt(len(column))
        assert abs(mean - value) < 4.5 * error + 2e-3, (mean, value, error)


class TestSteadyState:
    """In steady state the simulated queue matches Erlang A and C within their confidence."""

    def test_matches_erlang_a(self):
        """40 half hours of 100 calls, 14 agents, 120 s patience: Erlang A's figures."""
        shift = Shift(agents=TEAM, arrivals=[100] * 40, aht_s=180, patience_s=120, seed=3)
        queue = ErlangA(arrivals=100, aht_s=180, agents=14, patience_s=120)
        expected = (queue.p_wait, queue.p_abandon, queue.service_level(20))
        assert_within_ci(pooled(shift.run()), expected)

    def test_matches_erlang_c(self):
        """Callers who never hang up: Erlang C's figures, and nobody abandons."""
        shift = Shift(agents=TEAM, arrivals=[100] * 40, aht_s=180, seed=5)
        queue = ErlangC(arrivals=100, aht_s=180, agents=14)
        result = shift.run()
        assert not any(call.abandoned for call in result.calls)
        assert_within_ci(pooled(result), (queue.p_wait, 0.0, queue.service_level(20)))


class TestRun:
    """Runs are reproducible, consistent and share random numbers across what-ifs."""

    def test_reproducible(self):
        """The same shift gives the same calls; another seed gives others."""
        shift = Shift(agents=TEAM[:3], arrivals=[20, 30], aht_s=120, patience_s=60, seed=1)
        assert shift.run() == shift.run()
        assert attrs.evolve(shift, seed=2).run().calls != shift.run().calls

    def test_common_random_numbers(self):
        """One more agent meets the same callers at the same times."""
        shift = Shift(agents=TEAM[:10], arrivals=[100, 120], aht_s=180, patience_s=90, seed=9)
        more = attrs.evolve(shift, agents=TEAM[:11])
        a, b = shift.run(), more.run()
        assert [c.arrived_s for c in a.calls] == [c.arrived_s for c in b.calls]
        assert sum(c.abandoned for c in b.calls) <= sum(c.abandoned for c in a.calls)

    @settings(max_examples=15)
    @given(
        agents=st.integers(1, 6),
        arrivals=st.lists(st.floats(0, 60), min_size=1, max_size=4),
        patience=st.sampled_from([30.0, 300.0, math.inf]),
        seed=st.integers(0, 2**16),
    )
    def test_figures_add_up(self, agents, arrivals, patience, seed):
        """Offered = answered + abandoned; agents answer every answered call; shares in [0, 1]."""
        shift = Shift(
            agents=TEAM[:agents], arrivals=arrivals, aht_s=240, patience_s=patience, seed=seed
        )
        result = shift.run()
        stats = result.intervals
        assert len(stats) == len(arrivals)
        assert sum(s.offered for s in stats) == len(result.calls)
        assert all(s.offered == s.answered + s.abandoned for s in stats)
        assert sum(a.calls for a in result.agents) == sum(s.answered for s in stats)
        assert all(0 <= s.occupancy <= 1 + 1e-9 for s in stats)
        assert all(0 <= s.service_level <= 1 for s in stats)
        assert all(call.wait_s >= 0 for call in result.calls)
        assert all(call.arrived_s < shift.length_s for call in result.calls)

    def test_to_frame(self):
        """The interval figures come as a DataFrame indexed by interval."""
        frame = Shift(agents=TEAM, arrivals=[50, 0, 80], aht_s=180, seed=4).run().to_frame(30)
        assert list(frame.index) == [0, 1, 2]
        assert frame.loc[1, "offered"] == 0
        assert frame.loc[1, "service_level"] == 1.0
        assert {"answered", "abandoned", "asa_s", "occupancy"} <= set(frame.columns)


class TestValidation:
    """Bad shifts are refused, naming the field."""

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"agents": []}, "Shift.agents"),
            ({"agents": ["rep-1"]}, "Shift.agents[0]"),
            ({"agents": [Agent(id="a"), Agent(id="a")]}, "Shift.agents"),
            ({"arrivals": []}, "Shift.arrivals"),
            ({"arrivals": [10, -1]}, "Shift.arrivals[1]"),
            ({"arrivals": [math.nan]}, "Shift.arrivals[0]"),
            ({"aht_s": 0}, "Shift.aht_s"),
            ({"interval_s": math.inf}, "Shift.interval_s"),
            ({"patience_s": -5}, "Shift.patience_s"),
            ({"seed": 1.5}, "Shift.seed"),
        ],
    )
    def test_bad_fields(self, kwargs, field):
        """Each bad field raises a ValidationError naming it."""
        with pytest.raises(ValidationError) as info:
            Shift(**({"agents": TEAM, "arrivals": [10]} | kwargs))
        assert info.value.field == field

    def test_bad_target(self):
        """A negative service-level target is refused."""
        result = Shift(agents=TEAM, arrivals=[10], seed=1).run()
        with pytest.raises(ValidationError, match=r"interval_stats\.t_s"):
            result.interval_stats(-1)
