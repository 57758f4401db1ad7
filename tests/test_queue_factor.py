"""Tests for the company leg's queue factor: the waiting a call imposed on the queue.

The factor spans the field `Interaction.queue_wait_imposed_s`, the weights of
`CompanyModel`, the formula in `stool._formula`, `score`, its reasons and `score_batch`.
"""

from __future__ import annotations

import math

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stool import Interaction, ValidationError
from stool.batch import score_batch
from stool.models import CompanyModel, StoolModel
from stool.queue import ErlangC, cost_of_longer_calls
from stool.scoring import score
from stool.strategies import interactions

DEFAULT = StoolModel()
WAITS = st.floats(0.0, 1e6, allow_nan=False)


def weighted(weight=0.15, scale=60.0):
    """The default model with the queue factor weighted."""
    company = attrs.evolve(DEFAULT.company, queue_weight=weight, queue_wait_scale_s=scale)
    return attrs.evolve(DEFAULT, company=company)


class TestField:
    """Interaction.queue_wait_imposed_s is a validated number of seconds, 0 by default."""

    def test_default(self):
        """A routine contact imposed no waiting on anyone."""
        assert Interaction().queue_wait_imposed_s == 0.0

    @pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf, "60", None, True])
    def test_refused(self, bad):
        """Negative, non-finite and non-numbers are refused, naming the field."""
        with pytest.raises(ValidationError, match=r"Interaction\.queue_wait_imposed_s"):
            Interaction(queue_wait_imposed_s=bad)


class TestModel:
    """CompanyModel carries the factor with no weight by default."""

    def test_defaults(self):
        """The factor is listed last, weighs 0, and its scale is a minute."""
        model = CompanyModel()
        assert model.FACTORS[-1] == "queue"
        assert "queue" in model.ALWAYS_OBSERVED
        assert model.queue_weight == 0.0
        assert model.queue_wait_scale_s == 60.0

    @pytest.mark.parametrize(
        ("field", "bad"), [("queue_weight", -0.1), ("queue_wait_scale_s", 0.0)]
    )
    def test_refused(self, field, bad):
        """A negative weight or a scale of 0 is refused, naming the field."""
        with pytest.raises(ValidationError, match=rf"CompanyModel\.{field}"):
            CompanyModel(**{field: bad})

    def test_queue_alone_is_a_leg(self):
        """The queue is always observed, so it may carry the leg's only weight."""
        zeros = {f"{name}_weight": 0.0 for name in CompanyModel.FACTORS}
        model = CompanyModel(**(zeros | {"queue_weight": 1.0}))
        scored = score(Interaction(queue_wait_imposed_s=60.0), StoolModel(company=model))
        assert scored.company.value == pytest.approx(math.exp(-1.0))


class TestScore:
    """The factor is exp(-imposed / scale), and only a weight makes it count."""

    @given(interaction=interactions(), wait=WAITS)
    def test_default_scores_unchanged(self, interaction, wait):
        """With the default weight of 0 the imposed waiting changes no leg."""
        before = score(attrs.evolve(interaction, queue_wait_imposed_s=0.0))
        after = score(attrs.evolve(interaction, queue_wait_imposed_s=wait))
        assert after.company.value == before.company.value
        assert after.customer.value == before.customer.value
        assert after.agent.value == before.agent.value
        assert after.company.contributions["queue"] == 0.0

    @given(wait=WAITS, scale=st.floats(1.0, 1e4))
    def test_formula(self, wait, scale):
        """The queue's contribution is its normalised weight times exp(-imposed / scale)."""
        model = weighted(scale=scale)
        leg = score(Interaction(queue_wait_imposed_s=wait), model).company
        share = model.company._normalised[-1]
        assert leg.contributions["queue"] == pytest.approx(share * math.exp(-wait / scale))

    @given(interaction=interactions(), low=WAITS, high=WAITS)
    def test_more_waiting_never_helps(self, interaction, low, high):
        """More waiting imposed never raises the company leg, and leaves the others alone."""
        low, high = min(low, high), max(low, high)
        model = weighted()
        a = score(attrs.evolve(interaction, queue_wait_imposed_s=low), model)
        b = score(attrs.evolve(interaction, queue_wait_imposed_s=high), model)
        assert b.company.value <= a.company.value
        assert (b.customer.value, b.agent.value) == (a.customer.value, a.agent.value)

    def test_reason(self):
        """An at-risk company leg names the waiting its call imposed."""
        hard = Interaction(handle_time_s=420.0, queue_wait_imposed_s=759.0, fulfilment=0.0)
        leg = score(hard, weighted(weight=3.0)).company
        assert leg.at_risk
        assert leg.reasons[0].startswith(
            "the call's handle time made the other callers wait 759 s more in all (-"
        )

    def test_priced_by_the_queue(self):
        """The same long call costs more at a busier interval, as cost_of_longer_calls says."""
        legs = []
        for arrivals in (60, 100, 120):
            interval = ErlangC(arrivals=arrivals, aht_s=180, agents=14)
            imposed = cost_of_longer_calls(interval, extra_s=240, share=1 / arrivals)
            call = Interaction(handle_time_s=420.0, queue_wait_imposed_s=imposed.imposed_wait_s)
            legs.append(score(call, weighted()).company.value)
        assert legs[0] > legs[1] > legs[2]


class TestBatch:
    """score_batch reads the column and agrees with score row by row."""

    @given(
        rows=st.lists(st.tuples(WAITS, st.floats(0.0, 3600.0)), min_size=1, max_size=20),
        weight=st.floats(0.0, 5.0),
    )
    def test_agrees_with_score(self, rows, weight):
        """Each row's company leg equals score's for the same interaction."""
        model = weighted(weight=weight)
        waits = np.array([wait for wait, _ in rows])
        handles = np.array([handle for _, handle in rows])
        out = score_batch(
            {"queue_wait_imposed_s": waits, "handle_time_s": handles}, model, absent="default"
        )
        for k, (wait, handle) in enumerate(rows):
            one = score(Interaction(queue_wait_imposed_s=wait, handle_time_s=handle), model)
            assert out["company"][k] == pytest.approx(one.company.value, rel=1e-12, abs=1e-12)

    def test_bad_column(self):
        """A negative imposed wait in a column is refused, naming the column and row."""
        with pytest.raises(ValidationError) as info:
            score_batch({"queue_wait_imposed_s": np.array([0.0, -1.0])})
        assert (info.value.field, info.value.row) == ("queue_wait_imposed_s", 1)
