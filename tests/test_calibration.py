"""The calibration from the customer leg to survey answers, and the default model against
the published figures of ../shared/CALIBRATION.md (tables A and B)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import stool
from stool import Channel, Interaction, ValidationError
from stool.batch import score_batch
from stool.calibration import Calibration
from stool.strategies import calibrations

# Published aggregates (CALIBRATION.md). Each bucket: (low, high, mean CSAT, share low).
# Table A: response delay (seconds) and CSAT, an e-commerce support desk, phone contacts.
TABLE_A = (
    (0.0, 300.0, 4.50, 0.086),
    (300.0, 900.0, 4.22, 0.145),
    (900.0, 3600.0, 3.98, 0.206),
    (3600.0, 14400.0, 3.94, 0.215),
    (14400.0, 86400.0, 3.88, 0.232),
    (86400.0, 4 * 86400.0, 3.31, 0.380),
)
# Table B: days late against the promised delivery date and review score.
TABLE_B = (
    (-25.0, -10.0, 4.32, 0.089),
    (-10.0, -5.0, 4.28, 0.091),
    (-5.0, -2.0, 4.16, 0.109),
    (-2.0, 0.0, 4.14, 0.113),
    (0.0, 2.0, 3.92, 0.152),
    (2.0, 5.0, 2.81, 0.462),
    (5.0, 10.0, 1.89, 0.738),
    (10.0, 30.0, 1.70, 0.791),
)
NOT_DELIVERED = 1.75
TOLERANCE = 0.35
SAMPLES = 400
PROMISED = 30.0  # a typical promised delivery time; only the lateness matters


def _delays(low: float, high: float) -> np.ndarray:
    """Delays spread log-uniformly over a bucket (from 10 s in the first one)."""
    rng = np.random.default_rng(0)
    return np.exp(rng.uniform(math.log(max(low, 10.0)), math.log(high), SAMPLES))


def _lateness(low: float, high: float) -> np.ndarray:
    return np.random.default_rng(0).uniform(low, high, SAMPLES)


def _table_a_means() -> list[float]:
    """Mean predicted CSAT per delay bucket: only the delay and the channel are known."""
    means = []
    for low, high, _, _ in TABLE_A:
        wait = _delays(low, high)
        out = score_batch({"wait_time_s": wait, "channel": np.full(SAMPLES, "CALL")})
        means.append(float(out["predicted_csat"].mean()))
    return means


def _table_b_means() -> list[float]:
    """Mean predicted CSAT per lateness bucket: only the promise and its delivery are known."""
    means = []
    for low, high, _, _ in TABLE_B:
        late = _lateness(low, high)
        out = score_batch(
            {
                "promised_days": np.full(SAMPLES, PROMISED),
                "delivered_days": PROMISED + late,
                "wait_time_s": np.full(SAMPLES, np.nan),
            }
        )
        means.append(float(out["predicted_csat"].mean()))
    return means


class TestPublishedFigures:
    """The default model meets the published tables within 0.35 and in the same order."""

    def test_response_delay_table(self):
        """Mean predicted CSAT per delay bucket is within 0.35 of the observed mean."""
        predicted = _table_a_means()
        for (_, _, observed, _), mean in zip(TABLE_A, predicted, strict=True):
            assert abs(mean - observed) <= TOLERANCE, (mean, observed)

    def test_response_delay_order(self):
        """Longer delays predict lower CSAT, bucket by bucket, as observed."""
        predicted = _table_a_means()
        assert predicted == sorted(predicted, reverse=True)
        assert len(set(predicted)) == len(predicted)

    def test_lateness_table(self):
        """Mean predicted CSAT per lateness bucket is within 0.35 of the observed mean."""
        predicted = _table_b_means()
        for (_, _, observed, _), mean in zip(TABLE_B, predicted, strict=True):
            assert abs(mean - observed) <= TOLERANCE, (mean, observed)

    def test_lateness_order(self):
        """Later deliveries predict lower reviews, bucket by bucket, as observed."""
        predicted = _table_b_means()
        assert predicted == sorted(predicted, reverse=True)
        assert len(set(predicted)) == len(predicted)

    def test_an_overdue_open_promise_costs_like_a_late_delivery(self):
        """An order not delivered, well past its due date, scores like a very late one."""
        overdue = _lateness(10.0, 30.0)
        out = score_batch(
            {
                "promised_days": np.full(SAMPLES, PROMISED),
                "elapsed_days": PROMISED + overdue,
                "wait_time_s": np.full(SAMPLES, np.nan),
            }
        )
        assert abs(float(out["predicted_csat"].mean()) - NOT_DELIVERED) <= TOLERANCE

    def test_a_day_long_wait_flags_the_customer_with_little_else_known(self):
        """Observed evidence of risk stands even when courtesy and the outcome are unknown."""
        result = stool.score(Interaction.for_parties(**_only_wait(2 * 86400.0)))
        assert result.customer.at_risk
        assert result.customer.coverage < 0.5

    def test_a_quick_answer_alone_is_not_enough_evidence(self):
        """With only a quick answer known, the customer leg is not said to hold."""
        result = stool.score(Interaction.for_parties(**_only_wait(60.0)))
        assert not result.customer.at_risk
        assert result.customer.status is stool.LegStatus.NOT_ENOUGH_EVIDENCE

    def test_share_low_follows_the_delay(self):
        """The probability of a low answer rises with the delay, as the share of 1s and 2s."""
        p_low = []
        for low, high, _, _ in TABLE_A:
            out = score_batch({"wait_time_s": _delays(low, high)})
            p_low.append(float(out["p_low"].mean()))
        assert p_low == sorted(p_low)
        assert p_low[0] < 0.15
        assert p_low[-1] > 0.25


def _only_wait(wait: float) -> dict[str, object]:
    unknown = dict.fromkeys(stool.interaction.UNKNOWABLE_FIELDS)
    unknown.update(wait_time_s=wait, channel=Channel.CALL)
    return unknown


class TestCalibration:
    """The ordinal calibration: probabilities, expected answer, p_low and the flag level."""

    @given(calibrations(), st.floats(0.0, 1.0))
    def test_probabilities_add_up_to_one(self, calibration, customer):
        """The five answer probabilities are in [0, 1] and add up to 1."""
        probabilities = calibration.probabilities(customer)
        assert len(probabilities) == 5
        assert all(-1e-12 <= p <= 1.0 + 1e-12 for p in probabilities)
        assert math.fsum(probabilities) == pytest.approx(1.0, abs=1e-12)

    @given(calibrations(), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
    def test_calibration_is_monotone(self, calibration, a, b):
        """A higher customer leg never lowers the predicted CSAT nor raises p_low."""
        low, high = sorted((a, b))
        assert calibration.predicted_csat(low) <= calibration.predicted_csat(high) + 1e-12
        assert calibration.p_low(low) >= calibration.p_low(high) - 1e-12

    @given(calibrations(), st.floats(0.0, 1.0))
    def test_expected_answer_is_the_mean_of_the_distribution(self, calibration, customer):
        """The predicted CSAT is the mean answer under the probabilities."""
        probabilities = calibration.probabilities(customer)
        mean = math.fsum(k * p for k, p in enumerate(probabilities, start=1))
        assert calibration.predicted_csat(customer) == pytest.approx(mean, abs=1e-9)
        assert 1.0 <= calibration.predicted_csat(customer) <= 5.0

    def test_default_flag_rule_matches_the_default_level(self):
        """At the default at-risk level a low answer is twice the base rate."""
        calibration = Calibration()
        level = calibration.at_risk_level(2.0)
        assert abs(level - stool.Thresholds().at_risk) < 0.01
        assert calibration.p_low(level) == pytest.approx(2 * calibration.base_rate)

    @given(calibrations(), st.floats(0.5, 3.0))
    def test_at_risk_level_inverts_p_low(self, calibration, ratio):
        """Where a level exists, p_low there is exactly ratio times the base rate."""
        try:
            level = calibration.at_risk_level(ratio)
        except ValidationError:
            return
        assert 0.0 <= level <= 1.0
        assert calibration.p_low(level) == pytest.approx(ratio * calibration.base_rate, rel=1e-6)

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"cutpoints": (1.0, 0.5, 2.0, 3.0)}, "Calibration.cutpoints"),
            ({"cutpoints": (1.0, 2.0, 3.0)}, "Calibration.cutpoints"),
            ({"cutpoints": (1.0, 2.0, math.nan, 3.0)}, "Calibration.cutpoints"),
            ({"slope": 0.0}, "Calibration.slope"),
            ({"low": 5}, "Calibration.low"),
            ({"base_rate": 0.0}, "Calibration.base_rate"),
            ({"base_rate": 1.0}, "Calibration.base_rate"),
        ],
    )
    def test_rejects_bad_values(self, kwargs, field):
        """Bad values raise a ValidationError naming the field."""
        with pytest.raises(ValidationError) as caught:
            Calibration(**kwargs)
        assert caught.value.field == field

    def test_unreachable_flag_level_is_an_error(self):
        """A ratio whose probability no leg reaches is refused, naming it."""
        with pytest.raises(ValidationError, match="risk_ratio"):
            Calibration().at_risk_level(100.0)

    def test_round_trip(self):
        """A calibration survives unstructure and structure."""
        calibration = Calibration(cutpoints=(0.5, 1.0, 1.5, 2.0), slope=3.0)
        data = stool.unstructure(calibration)
        assert stool.structure(data, Calibration) == calibration
