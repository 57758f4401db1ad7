"""From the customer leg to survey answers: an ordinal calibration of CSAT.

A survey answers on a scale of 1 to 5, and real answers are far from symmetric: most
customers answer 5, the unhappy ones answer 1, few answer 2 or 3 (a J-shaped
distribution). A straight line from the customer leg to the scale cannot match that, so
stool maps the leg to the *probability of each answer* with a cumulative-logit
(proportional-odds) model, the standard model for ordinal survey answers:

    P(answer <= k) = logistic(cutpoints[k - 1] - slope * customer)    for k = 1, 2, 3, 4

A higher customer leg moves every answer up; the four increasing cut-points set the
shape. The predicted CSAT is the expected answer, and `p_low` the probability of an
answer at or below `low` (2 by default: a 1 or a 2).
The default is fitted to the published figures that
[How scoring works](../explanation/how-scoring-works.md#the-calibration-evidence) shows;
`stool.research.fit` fits one to your own survey answers.

    >>> from stool.calibration import Calibration
    >>> calibration = Calibration()
    >>> round(calibration.predicted_csat(0.95), 2), round(calibration.p_low(0.95), 3)
    (4.63, 0.051)
"""

from __future__ import annotations

import itertools
import math
from typing import Any, Final

import attrs

from stool import _formula
from stool._fields import count, fraction, positive
from stool.errors import ValidationError

__all__ = ["ANSWERS", "Calibration"]

ANSWERS: Final = (1, 2, 3, 4, 5)
"""The answers of a five-point CSAT survey."""


def _cutpoints(value: Any) -> Any:
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _check_cutpoints(_instance: Any, _attribute: attrs.Attribute[Any], value: Any) -> None:
    allowed = "four finite, strictly increasing numbers"
    if type(value) is not tuple or len(value) != len(ANSWERS) - 1:
        raise ValidationError("Calibration.cutpoints", value, allowed)
    for number in value:
        if type(number) not in (float, int) or not math.isfinite(number):
            raise ValidationError("Calibration.cutpoints", value, allowed)
    if any(a >= b for a, b in itertools.pairwise(value)):
        raise ValidationError("Calibration.cutpoints", value, allowed)


@attrs.frozen(kw_only=True)
class Calibration:
    """The mapping from the customer leg to the answers of a 1-5 CSAT survey.

    A cumulative-logit model: `P(answer <= k) = logistic(cutpoints[k-1] - slope * C)`,
    `C` being the customer leg. The flag rule that makes the customer leg's at-risk level
    mean something measurable is written on its probability of a low answer: a leg is at
    risk where `p_low` is at least `risk_ratio` times `base_rate`
    ([at_risk_level][stool.calibration.Calibration.at_risk_level] gives the level).

    Example:
        >>> calibration = Calibration()
        >>> tuple(round(p, 2) for p in calibration.probabilities(0.5))
        (0.24, 0.05, 0.02, 0.37, 0.32)
    """

    cutpoints: tuple[float, float, float, float] = attrs.field(
        default=(1.1, 1.35, 1.45, 3.0), converter=_cutpoints, validator=_check_cutpoints
    )
    """The four cut-points on the latent scale, strictly increasing: the log-odds of an
    answer at or below 1, 2, 3 and 4 for a customer leg of 0. The default puts few
    answers on 2 and 3, as real surveys do."""
    slope: float = positive(4.5)
    """How far the latent scale moves per unit of customer leg: larger means answers
    follow the leg more sharply."""
    low: int = count(2, low=1, high=4)
    """Answers at or below this count as low (2: a 1 or a 2, the bottom-two box)."""
    base_rate: float = fraction(0.143)
    """The share of low answers in the data the calibration was fitted to: the base
    rate that the flag rule compares with (the default: 14.3 % of the published
    support-desk sample answered 1 or 2)."""

    def __attrs_post_init__(self) -> None:
        if not 0.0 < self.base_rate < 1.0:
            raise ValidationError(
                "Calibration.base_rate", self.base_rate, "a number between 0 and 1, both excluded"
            )

    def probabilities(self, customer: float) -> tuple[float, ...]:
        """Return the probability of each answer 1 to 5 for a customer leg value.

        Args:
            customer: The customer leg, from 0 to 1.

        Returns:
            Five probabilities that add up to 1.
        """
        below = [
            0.0,
            *(
                _formula.at_or_below(_formula.SCALAR, self, customer, k)
                for k in range(1, len(ANSWERS))
            ),
            1.0,
        ]
        return tuple(b - a for a, b in itertools.pairwise(below))

    def predicted_csat(self, customer: float) -> float:
        """Return the expected answer, from 1 to 5, for a customer leg value."""
        return float(_formula.expected_answer(_formula.SCALAR, self, customer))

    def p_low(self, customer: float, *, low: int | None = None) -> float:
        """Return the probability of an answer at or below `low` (default: `self.low`)."""
        if low is None:
            low = self.low
        elif type(low) is not int or not 1 <= low <= len(ANSWERS) - 1:
            raise ValidationError("Calibration.p_low.low", low, "a whole number from 1 to 4")
        return float(_formula.at_or_below(_formula.SCALAR, self, customer, low))

    def at_risk_level(self, risk_ratio: float = 2.0) -> float:
        """Return the customer leg below which `p_low` is at least `risk_ratio * base_rate`.

        Use it as [Thresholds.customer_at_risk][stool.models.Thresholds]
        to flag the customer leg where a low answer is `risk_ratio` times as likely as
        on average; `stool.research.fit` does so.

        Args:
            risk_ratio: How many times the base rate of low answers flags a contact.

        Returns:
            The level, from 0 to 1.

        Raises:
            ValidationError: If no level from 0 to 1 gives that probability.

        Example:
            >>> round(Calibration().at_risk_level(2.0), 3)
            0.503
        """
        if type(risk_ratio) not in (float, int) or not risk_ratio > 0:
            raise ValidationError(
                "Calibration.at_risk_level.risk_ratio", risk_ratio, "a number > 0"
            )
        target = risk_ratio * self.base_rate
        level = -1.0
        if 0.0 < target < 1.0:
            level = (self.cutpoints[self.low - 1] - math.log(target / (1.0 - target))) / self.slope
        if not 0.0 <= level <= 1.0:
            raise ValidationError(
                "Calibration.at_risk_level.risk_ratio",
                risk_ratio,
                f"a ratio whose probability of a low answer ({target:.3g}) some customer leg "
                "from 0 to 1 reaches",
            )
        return level
