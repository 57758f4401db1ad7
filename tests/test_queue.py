"""Tests for stool.queue: Erlang C and Erlang A against published figures, peers and simulation."""

from __future__ import annotations

import heapq
import math
import random
import statistics
from fractions import Fraction

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyworkforce.queuing import ErlangC as PeerErlangC
from scipy import integrate, special
from scipy.linalg import expm

import stool
from stool import ValidationError
from stool.queue import ErlangA, ErlangC, QueueCost, cost_of_longer_calls, handle_time_budget
from stool.queue._math import erlang_b, palm_series

# ----------------------------------------------------------------------------- oracles


def exact_erlang_b(n: int, load: Fraction) -> Fraction:
    """Erlang B from its definition, in exact rational arithmetic."""
    term = Fraction(1)
    total = Fraction(1)
    for k in range(1, n + 1):
        term = term * load / k
        total += term
    return term / total


def exact_erlang_c(n: int, load: Fraction) -> Fraction:
    """Erlang C from REFERENCES.md's sum, in exact rational arithmetic."""
    term = Fraction(1)
    head = Fraction(0)
    for k in range(n):
        head += term
        term = term * load / (k + 1)
    tail = term * n / (n - load)
    return tail / (head + tail)


def jagerman_b(x: float, load: float) -> float:
    """Jagerman's continuous Erlang B, by numerical integration."""
    value, _ = integrate.quad(lambda t: math.exp(-load * t) * (1 + t) ** x, 0, math.inf)
    return 1.0 / (load * value)


def palm_chain(arrivals, interval_s, aht_s, n, patience_s, *, t_s, ahead=300):
    """Erlang A measures from the truncated birth-death chain and matrix exponentials.

    An independent derivation: the stationary law of the number in system, then per number
    of callers ahead, the tagged caller's race between service and its own patience.
    """
    lam, mu, theta = arrivals / interval_s, 1 / aht_s, 1 / patience_s
    top = n + ahead
    logw = [0.0]
    for k in range(1, top + 1):
        logw.append(logw[-1] + math.log(lam) - math.log(min(k, n) * mu + max(k - n, 0) * theta))
    pi = np.exp(np.array(logw) - max(logw))
    pi /= pi.sum()
    p_wait = pi[n:].sum()
    p_abandon = sum((k - n) * theta * pi[k] for k in range(n + 1, top + 1)) / lam
    size = ahead + 1
    generator = np.zeros((size + 2, size + 2))
    for j in range(size):
        rate = n * mu + j * theta
        generator[j, j] = -rate - theta
        if j:
            generator[j, j - 1] = rate
        generator[j, size + 1] = theta
    generator[0, size] = n * mu
    served_by_t = expm(generator * t_s)[:size, size]
    x = n * patience_s / aht_s
    served_j = np.array([x / (x + j + 1) for j in range(size)])
    weights = pi[n : n + size]
    served = (1 - p_wait) + (weights * served_j).sum()
    level = ((1 - p_wait) + (weights * served_by_t).sum()) / served
    harmonic = np.array([sum(1 / (x + i) for i in range(1, j + 2)) for j in range(size)])
    asa = (weights * served_j * harmonic).sum() * patience_s / served
    return p_wait, p_abandon, level, asa


def simulate(arrivals, interval_s, aht_s, n, patience_s, *, callers, seed, within_s):
    """A seeded event simulation of M/M/n+M, first come first served, in 20 batches.

    Returns per batch: the share who waited, the share who hung up, the share of the
    answered answered within `within_s`, and the answered callers' average wait.
    """
    rng = random.Random(seed)  # noqa: S311 - a seeded simulation, not cryptography
    rate = arrivals / interval_s
    busy: list[float] = []  # completion times of the calls in progress
    queue: list[tuple[float, float]] = []  # (arrival, deadline), first come first served
    head = 0
    now = 0.0
    records = []  # (waited, abandoned, answered within, wait)
    for _ in range(callers):
        now += rng.expovariate(rate)
        deadline = now + rng.expovariate(1 / patience_s)
        while busy and busy[0] <= now:
            free_at = heapq.heappop(busy)
            while head < len(queue) and queue[head][1] <= free_at:
                records.append((True, True, False, math.nan))
                head += 1
            if head < len(queue):
                wait = free_at - queue[head][0]
                head += 1
                records.append((True, False, wait <= within_s, wait))
                heapq.heappush(busy, free_at + rng.expovariate(1 / aht_s))
        if len(busy) < n:
            records.append((False, False, True, 0.0))
            heapq.heappush(busy, now + rng.expovariate(1 / aht_s))
        else:
            queue.append((now, deadline))
    batches = 20
    size = len(records) // batches
    out = []
    for b in range(1, batches):  # the first batch warms the queue up
        part = records[b * size : (b + 1) * size]
        answered = [r for r in part if not r[1]]
        out.append(
            (
                statistics.fmean(r[0] for r in part),
                statistics.fmean(r[1] for r in part),
                statistics.fmean(r[2] for r in answered),
                statistics.fmean(r[3] for r in answered),
            )
        )
    return out


# ------------------------------------------------------------------------------- tests


class TestPublishedFigures:
    """The worked example of REFERENCES.md and issue 11."""

    def test_example(self):
        """100 calls in 30 minutes, AHT 180 s, 14 agents: the published figures."""
        queue = ErlangC(arrivals=100, interval_s=1800, aht_s=180, agents=14)
        assert round(queue.p_wait, 3) == 0.174
        assert round(queue.service_level(20), 3) == 0.888
        assert round(queue.occupancy, 3) == 0.714
        assert round(queue.asa_s, 1) == 7.8

    def test_longer_calls(self):
        """With the AHT 20% longer, SL(20 s) falls to 0.600 and occupancy rises to 0.857."""
        queue = ErlangC(arrivals=100, interval_s=1800, aht_s=180 * 1.2, agents=14)
        assert round(queue.service_level(20), 3) == 0.600
        assert round(queue.occupancy, 3) == 0.857

    def test_reachable_from_stool(self):
        """stool.queue loads on first use from the top-level package."""
        assert stool.queue.ErlangC is ErlangC


class TestErlangB:
    """The recursion and its continuous extension are exact and stable."""

    @given(n=st.integers(1, 60), load=st.fractions(Fraction(1, 50), 80, max_denominator=50))
    def test_matches_exact_arithmetic(self, n, load):
        """For whole agents, B equals the exact rational value to 1e-13."""
        exact = float(exact_erlang_b(n, load))
        assert erlang_b(float(n), float(load)) == pytest.approx(exact, rel=1e-13, abs=1e-300)

    @pytest.mark.parametrize(
        ("x", "load"),
        [(0.5, 0.3), (0.5, 5.0), (1.7, 2.5), (2.9, 2.95), (14.3, 10.0), (20.25, 30.0)],
    )
    def test_fractional_agents_match_jagerman(self, x, load):
        """Between whole numbers, B is Jagerman's integral."""
        assert erlang_b(x, load) == pytest.approx(jagerman_b(x, load), rel=1e-9)

    @pytest.mark.parametrize(("x", "load"), [(300.5, 280.0), (1000.0, 990.0), (5000.25, 4990.5)])
    def test_hundreds_of_agents(self, x, load):
        """Thousands of agents near capacity agree with the incomplete gamma form."""
        reference = 1.0 / math.exp(
            load
            - x * math.log(load)
            + special.gammaln(x + 1)
            + math.log(special.gammaincc(x + 1, load))
        )
        assert erlang_b(x, load) == pytest.approx(reference, rel=1e-8)

    @given(n=st.integers(1, 200), load=st.floats(0.01, 300))
    def test_continuous_at_whole_numbers(self, n, load):
        """The extension joins the whole-number values without a jump."""
        assert erlang_b(n - 1e-9, load) == pytest.approx(erlang_b(float(n), load), rel=1e-6)
        assert erlang_b(n + 1e-9, load) == pytest.approx(erlang_b(float(n), load), rel=1e-6)

    @given(x=st.floats(0.05, 300), load=st.floats(0.01, 300))
    def test_falls_with_agents(self, x, load):
        """One more agent never raises the blocking probability."""
        assert erlang_b(x + 0.5, load) <= erlang_b(x, load)

    @pytest.mark.parametrize(
        ("x", "u"), [(5.0, 3.0), (5.0, 50.0), (100.0, 300.0), (1000.0, 5000.0)]
    )
    def test_palm_series_matches_incomplete_gamma(self, x, u):
        """Palm's series is x e^u u^-x times the lower incomplete gamma, also in overload."""
        log_sum, _ = palm_series(x, u)
        reference = (
            math.log(x)
            + u
            - x * math.log(u)
            + special.gammaln(x)
            + math.log(special.gammainc(x, u))
        )
        assert log_sum == pytest.approx(reference, rel=1e-12)


def erlang_c_queues(max_agents: int = 400) -> st.SearchStrategy[ErlangC]:
    """Erlang C queues of every size and load below capacity."""
    return st.builds(
        lambda agents, fill, aht: ErlangC(
            arrivals=fill * agents * 1800 / aht, aht_s=aht, agents=agents
        ),
        agents=st.floats(0.5, max_agents),
        fill=st.floats(0.0, 0.999),
        aht=st.floats(10, 1200),
    )


class TestErlangC:
    """Erlang C agrees with exact arithmetic and a peer library, and keeps its invariants."""

    @pytest.mark.parametrize("n", [2, 14, 50, 300])
    @pytest.mark.parametrize("fill", [0.3, 0.9, 0.999])
    def test_matches_exact_formula(self, n, fill):
        """P(wait) equals the textbook sum in exact arithmetic, even at 99.9% load."""
        load = Fraction(n) * Fraction(fill)
        queue = ErlangC(arrivals=float(load) * 10, interval_s=1800, aht_s=180, agents=n)
        assert queue.p_wait == pytest.approx(float(exact_erlang_c(n, load)), rel=1e-11)

    @pytest.mark.parametrize("arrivals", [10, 100, 400, 1500])
    @pytest.mark.parametrize("aht_s", [60, 180, 420])
    @pytest.mark.parametrize("extra", [1, 3, 12])
    def test_matches_pyworkforce(self, arrivals, aht_s, extra):
        """P(wait), SL(20 s), occupancy and the staffing match pyworkforce on a grid."""
        load = arrivals * aht_s / 1800
        agents = math.floor(load) + extra
        ours = ErlangC(arrivals=arrivals, interval_s=1800, aht_s=aht_s, agents=agents)
        peer = PeerErlangC(transactions=arrivals, aht=aht_s / 60, asa=20 / 60, interval=30)
        assert ours.p_wait == pytest.approx(peer.waiting_probability(agents), rel=1e-9)
        assert ours.service_level(20) == pytest.approx(peer.service_level(agents), rel=1e-9)
        assert ours.occupancy == pytest.approx(peer.achieved_occupancy(agents), rel=1e-12)
        needed = peer.required_positions(service_level=0.8)["positions"]
        assert ours.agents_for(service_level=0.8, within_s=20) == needed

    @given(erlang_c_queues(), st.floats(0, 600))
    def test_measures_in_range(self, queue, t_s):
        """Probabilities and occupancy stay in [0, 1]; SL(0) = 1 - P(wait); ASA is finite."""
        level = queue.service_level(t_s)
        assert 0.0 <= queue.p_wait <= 1.0
        assert 0.0 <= level <= 1.0
        assert 0.0 <= queue.occupancy < 1.0
        assert math.isfinite(queue.asa_s)
        assert queue.asa_s >= 0.0
        assert queue.service_level(0) == pytest.approx(1 - queue.p_wait, abs=1e-12)

    @pytest.mark.parametrize("agents", [1.96875, 0.5, 7.25])
    def test_a_vanishing_load_never_waits(self, agents):
        """A load below a float's range (found by Hypothesis) waits no time: no overflow."""
        queue = ErlangC(arrivals=1.78e-321, interval_s=1800.0, aht_s=10.0, agents=agents)
        assert queue.service_level(0.0) == pytest.approx(1.0, abs=1e-100)
        assert 0.0 <= queue.p_wait < 1e-100
        assert 0.0 <= queue.asa_s < 1e-100

    @given(erlang_c_queues(), st.floats(0, 300))
    def test_more_agents_serve_better(self, queue, t_s):
        """Half an agent more never lowers the service level nor raises the wait."""
        better = attrs.evolve(queue, agents=queue.agents + 0.5)
        assert better.service_level(t_s) >= queue.service_level(t_s) - 1e-12
        assert better.asa_s <= queue.asa_s + 1e-12

    @settings(max_examples=25)
    @given(erlang_c_queues(max_agents=200), st.floats(0.05, 0.95), st.floats(0, 120))
    def test_agents_for_is_the_least(self, queue, target, within):
        """agents_for meets the target, one agent fewer does not; fractional staffing meets it."""
        if queue.arrivals == 0:
            assert queue.agents_for(service_level=target, within_s=within) == 1
            return
        n = queue.agents_for(service_level=target, within_s=within)
        assert isinstance(n, int)
        assert attrs.evolve(queue, agents=n).service_level(within) >= target
        if n - 1 > queue.offered_load:
            assert attrs.evolve(queue, agents=n - 1).service_level(within) < target
        x = queue.agents_for(service_level=target, within_s=within, whole=False)
        assert n - 1 <= x <= n
        assert attrs.evolve(queue, agents=x).service_level(within) >= target
        assert attrs.evolve(queue, agents=x).service_level(within) == pytest.approx(
            target, abs=1e-6
        ) or x == max(n - 1, queue.offered_load)

    def test_load_at_capacity_is_refused(self):
        """Agents at or below the offered load raise, naming agents and the load."""
        with pytest.raises(ValidationError) as info:
            ErlangC(arrivals=140, interval_s=1800, aht_s=180, agents=14)
        assert info.value.field == "ErlangC.agents"
        assert "14 Erlangs" in info.value.allowed

    def test_hundreds_of_agents_near_capacity(self):
        """500 agents at 99.9% load give the exact waiting time and ordered measures."""
        queue = ErlangC(arrivals=499.5 * 10, interval_s=1800, aht_s=180, agents=500)
        exact = exact_erlang_c(500, Fraction(999, 2))
        assert queue.asa_s == pytest.approx(float(exact * 180 / Fraction(1, 2)), rel=1e-10)
        assert queue.service_level(20) < queue.service_level(600) < 1.0

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("arrivals", -1),
            ("arrivals", math.nan),
            ("arrivals", True),
            ("arrivals", "100"),
            ("aht_s", 0),
            ("aht_s", math.inf),
            ("interval_s", -1800),
            ("agents", 0),
            ("agents", []),
        ],
    )
    def test_bad_inputs(self, field, value):
        """Each bad input raises a ValidationError naming the field and the value."""
        kwargs = {"arrivals": 100, "aht_s": 180, "agents": 14} | {field: value}
        with pytest.raises(ValidationError) as info:
            ErlangC(**kwargs)
        assert info.value.field == f"ErlangC.{field}"

    def test_bad_element_is_named(self):
        """A bad element of a sequence is named by its index."""
        with pytest.raises(ValidationError) as info:
            ErlangC(arrivals=[100, -5, 80], aht_s=180, agents=14)
        assert info.value.field == "ErlangC.arrivals[1]"
        with pytest.raises(ValidationError) as info:
            ErlangC(arrivals=[100, "x"], aht_s=180, agents=14)
        assert info.value.field == "ErlangC.arrivals[1]"
        with pytest.raises(ValidationError) as info:
            ErlangC(arrivals=[50, 150], aht_s=180, agents=[10, 14])
        assert info.value.field == "ErlangC.agents[1]"

    def test_bad_targets(self):
        """agents_for and service_level refuse targets outside their ranges."""
        queue = ErlangC(arrivals=100, aht_s=180, agents=14)
        for level in (0, 1, 1.5, "high"):
            with pytest.raises(ValidationError, match=r"agents_for\.service_level"):
                queue.agents_for(service_level=level, within_s=20)
        with pytest.raises(ValidationError, match=r"agents_for\.within_s"):
            queue.agents_for(service_level=0.8, within_s=-1)
        with pytest.raises(ValidationError, match=r"service_level\.t_s"):
            queue.service_level(-1)

    def test_frozen_value(self):
        """A queue is frozen, equal by value and hashable."""
        queue = ErlangC(arrivals=100, aht_s=180, agents=14)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            queue.agents = 15  # type: ignore[misc]
        assert queue == ErlangC(arrivals=100.0, interval_s=1800, aht_s=180, agents=14)
        assert hash(queue) == hash(ErlangC(arrivals=100.0, aht_s=180.0, agents=14.0))
        assert queue != ErlangC(arrivals=100, aht_s=180, agents=15)


class TestArrays:
    """Whole days of intervals at once: arrays in, arrays out, element by element."""

    def test_arrays_match_scalars(self):
        """Each element of an array result is the scalar result for that interval."""
        arrivals = np.array([20.0, 100.0, 150.0, 100.0])
        agents = np.array([5.0, 14.0, 19.5, 14.0])
        day = ErlangC(arrivals=arrivals, aht_s=180, agents=agents)
        for i in range(4):
            one = ErlangC(arrivals=arrivals[i], aht_s=180, agents=agents[i])
            assert day.p_wait[i] == one.p_wait
            assert day.service_level(20)[i] == one.service_level(20)
            assert day.asa_s[i] == one.asa_s
            assert day.occupancy[i] == one.occupancy
        assert list(day.agents_for(service_level=0.8, within_s=20)) == [
            ErlangC(arrivals=a, aht_s=180, agents=n).agents_for(service_level=0.8, within_s=20)
            for a, n in zip(arrivals, agents, strict=True)
        ]

    def test_erlang_a_arrays(self):
        """Erlang A takes arrays too, patience included."""
        day = ErlangA(arrivals=[50, 100, 200], aht_s=180, agents=14, patience_s=[60, 120, 300])
        one = ErlangA(arrivals=200, aht_s=180, agents=14, patience_s=300)
        assert day.p_abandon[2] == one.p_abandon
        assert day.service_level(20)[2] == one.service_level(20)
        assert day.mean_wait_s.shape == (3,)

    def test_inputs_are_read_only_copies(self):
        """A queue copies its arrays and makes them read-only."""
        arrivals = np.array([50.0, 100.0])
        day = ErlangC(arrivals=arrivals, aht_s=180, agents=14)
        arrivals[0] = 130.0
        assert day.arrivals[0] == 50.0
        with pytest.raises(ValueError, match="read-only"):
            day.arrivals[0] = 1.0
        assert day == ErlangC(arrivals=[50, 100], aht_s=180, agents=14)
        assert hash(day) == hash(ErlangC(arrivals=(50, 100), aht_s=180, agents=14))

    def test_shapes_must_broadcast(self):
        """Arrays of shapes that do not broadcast are refused, naming both."""
        with pytest.raises(ValidationError) as info:
            ErlangC(arrivals=[50, 100, 120], aht_s=180, agents=[14, 15])
        assert "arrivals (3,)" in str(info.value.value)

    def test_a_day_of_intervals(self):
        """A 48-interval day and its staffing come back in the day's shape."""
        arrivals = 100 + 80 * np.sin(np.linspace(0, np.pi, 48))
        day = ErlangC(arrivals=arrivals, aht_s=180, agents=np.ceil(arrivals / 10) + 3)
        staffing = day.agents_for(service_level=0.8, within_s=20)
        assert staffing.shape == (48,)
        assert staffing.dtype == np.int64
        assert (day.service_level(20) > 0).all()


class TestErlangA:
    """Erlang A agrees with an independent chain, its Erlang C limit and a simulation."""

    @pytest.mark.parametrize(
        "case",
        [
            (100, 1800, 180, 14, 120, 20),
            (1000, 1800, 180, 50, 60, 20),
            (30, 1800, 300, 3, 200, 60),
            (200, 1800, 180, 25, 30, 10),
        ],
    )
    def test_matches_the_chain(self, case):
        """P(wait), P(abandon), SL and ASA match the truncated chain to 1e-10."""
        arrivals, interval, aht, n, patience, t = case
        queue = ErlangA(
            arrivals=arrivals, interval_s=interval, aht_s=aht, agents=n, patience_s=patience
        )
        p_wait, p_abandon, level, asa = palm_chain(arrivals, interval, aht, n, patience, t_s=t)
        assert queue.p_wait == pytest.approx(p_wait, rel=1e-10)
        assert queue.p_abandon == pytest.approx(p_abandon, rel=1e-10)
        assert queue.service_level(t) == pytest.approx(level, rel=1e-10)
        assert queue.asa_s == pytest.approx(asa, rel=1e-10)

    def test_infinite_patience_is_erlang_c(self):
        """With math.inf patience every measure is Erlang C's, exactly."""
        c = ErlangC(arrivals=100, aht_s=180, agents=14)
        a = ErlangA(arrivals=100, aht_s=180, agents=14, patience_s=math.inf)
        assert (a.p_wait, a.asa_s, a.occupancy, a.p_abandon) == (c.p_wait, c.asa_s, c.occupancy, 0)
        assert a.service_level(20) == c.service_level(20)
        assert a.mean_wait_s == c.asa_s
        assert a.agents_for(service_level=0.8, within_s=20) == c.agents_for(
            service_level=0.8, within_s=20
        )
        with pytest.raises(ValidationError, match=r"ErlangA\.agents"):
            ErlangA(arrivals=140, aht_s=180, agents=14, patience_s=math.inf)

    @pytest.mark.parametrize("n", [14, 120])
    def test_patience_tends_to_erlang_c(self, n):
        """As patience grows, Erlang A's measures approach Erlang C's."""
        arrivals = 0.9 * n * 10
        c = ErlangC(arrivals=arrivals, aht_s=180, agents=n)
        a = ErlangA(arrivals=arrivals, aht_s=180, agents=n, patience_s=1e7)
        assert a.p_wait == pytest.approx(c.p_wait, rel=1e-4)
        assert a.service_level(20) == pytest.approx(c.service_level(20), rel=1e-4)
        assert a.asa_s == pytest.approx(c.asa_s, rel=1e-3)
        assert a.p_abandon < 1e-4

    def test_matches_a_simulation(self):
        """A seeded simulation of 60,000 callers falls within 4 standard errors of each measure."""
        arrivals, aht, n, patience, within = 300, 180, 30, 90, 20
        queue = ErlangA(arrivals=arrivals, aht_s=aht, agents=n, patience_s=patience)
        batches = simulate(
            arrivals, 1800, aht, n, patience, callers=60_000, seed=11, within_s=within
        )
        expected = (queue.p_wait, queue.p_abandon, queue.service_level(within), queue.asa_s)
        for column, value in zip(zip(*batches, strict=True), expected, strict=True):
            mean = statistics.fmean(column)
            error = statistics.stdev(column) / math.sqrt(len(column))
            assert abs(mean - value) < 4 * error + 1e-3, (mean, value, error)

    @settings(max_examples=30)
    @given(
        agents=st.floats(0.5, 300),
        fill=st.floats(0.0, 3.0),
        patience=st.floats(5, 3000),
        t_s=st.floats(0, 300),
    )
    def test_invariants(self, agents, fill, patience, t_s):
        """Probabilities in [0, 1], abandoning needs waiting, occupancy below 1, SL rises with t."""
        queue = ErlangA(arrivals=fill * agents * 10, aht_s=180, agents=agents, patience_s=patience)
        assert 0.0 <= queue.p_abandon <= queue.p_wait <= 1.0
        assert 0.0 <= queue.occupancy <= 1.0
        level = queue.service_level(t_s)
        assert 0.0 <= level <= queue.service_level(t_s + 30) + 1e-12
        assert queue.mean_wait_s == pytest.approx(queue.p_abandon * patience)
        # the answered calls never need more agents than there are
        assert (1 - queue.p_abandon) * queue.offered_load <= agents * (1 + 1e-9)

    def test_overload_is_allowed(self):
        """Fewer agents than the load: half the callers hang up, the agents never rest."""
        queue = ErlangA(arrivals=1000, aht_s=180, agents=50, patience_s=60)
        assert queue.p_abandon == pytest.approx(0.5, abs=1e-3)
        assert queue.occupancy > 0.999

    def test_agents_for_with_abandonment(self):
        """The staffing meets both targets, and one agent fewer misses one."""
        queue = ErlangA(arrivals=100, aht_s=180, agents=14, patience_s=120)
        n = queue.agents_for(service_level=0.8, within_s=20, max_abandon=0.01)
        fewer = attrs.evolve(queue, agents=n - 1)
        assert attrs.evolve(queue, agents=n).p_abandon <= 0.01
        assert fewer.p_abandon > 0.01 or fewer.service_level(20) < 0.8
        x = queue.agents_for(service_level=0.8, within_s=20, max_abandon=0.01, whole=False)
        assert n - 1 < x <= n
        with pytest.raises(ValidationError, match="max_abandon"):
            queue.agents_for(service_level=0.8, within_s=20, max_abandon=1.0)

    def test_bad_patience(self):
        """Patience must be positive; math.inf is allowed, NaN is not."""
        for bad in (0, -5, math.nan):
            with pytest.raises(ValidationError) as info:
                ErlangA(arrivals=100, aht_s=180, agents=14, patience_s=bad)
            assert info.value.field == "ErlangA.patience_s"


class TestCostOfLongerCalls:
    """Longer calls, priced in service level, speed of answer, abandonment and occupancy."""

    def test_published_trade_off(self):
        """Every call 36 s (20%) longer takes SL(20 s) from 0.888 to 0.600."""
        cost = cost_of_longer_calls(ErlangC(arrivals=100, aht_s=180, agents=14), extra_s=36)
        assert round(cost.service_level_before, 3) == 0.888
        assert round(cost.service_level_after, 3) == 0.600
        assert round(cost.occupancy_change, 3) == round(0.857 - 0.714, 3)
        assert cost.abandon_change == 0.0
        assert cost.extra_work_s == pytest.approx(3600.0)

    @given(erlang_c_queues(max_agents=100), st.floats(0, 1), st.floats(-60, 600))
    def test_after_is_the_queue_with_the_new_aht(self, queue, share, extra):
        """The after queue is the same queue with aht_s + share x extra_s, when that is valid."""
        aht = queue.aht_s + share * extra
        try:
            expected = attrs.evolve(queue, aht_s=aht)
        except ValidationError:
            with pytest.raises(ValidationError) as info:
                cost_of_longer_calls(queue, extra_s=extra, share=share)
            assert info.value.field == "cost_of_longer_calls.extra_s"
            return
        cost = cost_of_longer_calls(queue, extra_s=extra, share=share)
        assert cost.after == expected
        assert cost.before == queue
        assert cost.service_level_change == cost.after.service_level(20) - queue.service_level(20)
        assert cost.extra_work_s == pytest.approx(queue.arrivals * share * extra, abs=1e-6)
        if extra * share > 0:
            assert cost.service_level_change <= 1e-12
            assert cost.imposed_wait_s >= -1e-9
            assert cost.occupancy_change >= 0

    def test_nothing_longer_costs_nothing(self):
        """No extra seconds, or no calls affected, change nothing."""
        queue = ErlangA(arrivals=100, aht_s=180, agents=14, patience_s=120)
        for cost in (
            cost_of_longer_calls(queue, extra_s=0),
            cost_of_longer_calls(queue, extra_s=90, share=0),
        ):
            assert cost.service_level_change == 0
            assert cost.asa_change_s == 0
            assert cost.abandon_change == 0
            assert cost.imposed_wait_s == 0

    def test_erlang_a_loses_callers(self):
        """Under Erlang A, longer calls make more callers hang up, and never overflow."""
        queue = ErlangA(arrivals=100, aht_s=180, agents=14, patience_s=120)
        cost = cost_of_longer_calls(queue, extra_s=120)
        assert cost.abandon_change > 0.05
        assert cost.after.offered_load > queue.agents
        assert cost.imposed_wait_s > 0

    def test_one_call_and_a_batch(self):
        """Arrays of extra seconds price a batch; each element is the one-call price."""
        queue = ErlangC(arrivals=100, aht_s=180, agents=14)
        extras = np.array([0.0, 60.0, 120.0, -30.0])
        batch = cost_of_longer_calls(queue, extra_s=extras, share=1 / 100)
        for i, extra in enumerate(extras):
            one = cost_of_longer_calls(queue, extra_s=float(extra), share=1 / 100)
            assert batch.imposed_wait_s[i] == pytest.approx(one.imposed_wait_s, rel=1e-12)
            assert batch.service_level_change[i] == one.service_level_change
        assert batch.imposed_wait_s[2] > batch.imposed_wait_s[1] > 0 > batch.imposed_wait_s[3]

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"extra_s": 100}, "cost_of_longer_calls.extra_s"),
            ({"extra_s": -200}, "cost_of_longer_calls.extra_s"),
            ({"extra_s": math.nan}, "cost_of_longer_calls.extra_s"),
            ({"extra_s": 10, "share": 1.5}, "cost_of_longer_calls.share"),
            ({"extra_s": 10, "t_s": -1}, "cost_of_longer_calls.t_s"),
            ({"extra_s": 10, "t_s": [20, 30]}, "cost_of_longer_calls.t_s"),
        ],
    )
    def test_bad_arguments(self, kwargs, field):
        """Bad arguments, and an Erlang C queue pushed to capacity, raise naming the argument."""
        queue = ErlangC(arrivals=100, aht_s=180, agents=14)
        with pytest.raises(ValidationError) as info:
            cost_of_longer_calls(queue, **kwargs)
        assert info.value.field == field

    def test_refuses_what_is_not_a_queue(self):
        """The queue must be an ErlangC or an ErlangA, in the function and the result."""
        with pytest.raises(ValidationError, match=r"cost_of_longer_calls\.queue"):
            cost_of_longer_calls("queue", extra_s=10)  # type: ignore[arg-type]
        queue = ErlangC(arrivals=100, aht_s=180, agents=14)
        with pytest.raises(ValidationError, match=r"QueueCost\.after"):
            QueueCost(before=queue, after=None)  # type: ignore[arg-type]


class TestHandleTimeBudget:
    """A handle-time target that reads the queue: what one call may cost the others."""

    @pytest.mark.parametrize("arrivals", [20, 60, 100, 130])
    @pytest.mark.parametrize("patience_s", [math.inf, 60.0, 300.0])
    def test_imposes_the_budget(self, arrivals, patience_s):
        """A call of exactly the budget's length imposes the budgeted wait on the others."""
        queue = ErlangA(arrivals=arrivals, aht_s=180, agents=14, patience_s=patience_s)
        budget = handle_time_budget(queue, imposed_wait_s=45)
        cost = cost_of_longer_calls(queue, extra_s=budget - 180, share=1 / arrivals)
        assert cost.imposed_wait_s == pytest.approx(45, rel=1e-6)

    def test_busier_queues_allow_less(self):
        """The busier the interval, the shorter the call that costs the same waiting."""
        day = ErlangC(arrivals=np.array([30.0, 60.0, 90.0, 120.0]), aht_s=180, agents=14)
        budgets = handle_time_budget(day, imposed_wait_s=60)
        assert (np.diff(budgets) < 0).all()
        assert budgets[-1] > 180
        one = handle_time_budget(ErlangC(arrivals=90, aht_s=180, agents=14), imposed_wait_s=60)
        assert budgets[2] == one

    def test_refusals(self):
        """Bad budgets, an empty interval and an unreachable budget raise, naming the input."""
        queue = ErlangA(arrivals=120, aht_s=180, agents=14, patience_s=120)
        for bad in (0, -1, [60, 70], "60"):
            with pytest.raises(ValidationError, match=r"handle_time_budget\.imposed_wait_s"):
                handle_time_budget(queue, imposed_wait_s=bad)
        with pytest.raises(ValidationError, match=r"hang up"):
            handle_time_budget(queue, imposed_wait_s=1e6)
        with pytest.raises(ValidationError, match=r"handle_time_budget\.queue\.arrivals"):
            handle_time_budget(ErlangC(arrivals=0, aht_s=180, agents=14), imposed_wait_s=60)
        with pytest.raises(ValidationError, match=r"handle_time_budget\.queue"):
            handle_time_budget(None, imposed_wait_s=60)  # type: ignore[arg-type]
