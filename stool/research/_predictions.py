"""What a model predicts for each row: the customer leg, the expected answer, p_low, the flag.

[predict][stool.research._predictions.predict] runs the formula functions
[score_batch][stool.batch.score_batch] runs, on the customer leg alone, so its columns
equal score_batch's `customer`, `predicted_csat`, `p_low` (for the same `low`) and
`customer_at_risk`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np

from stool import _formula
from stool.enums import Leg
from stool.models import CustomerModel

if TYPE_CHECKING:
    import numpy.typing as npt

    from stool.models import StoolModel
    from stool.research._data import Rows

__all__ = ["Predictions", "predict"]

_XP: Final = _formula.array_math()


class Predictions:
    """One model's predictions for some rows, as arrays.

    `customer` is the customer leg, `predicted` the expected answer (1 to 5), `p_low` the
    probability of an answer at or below `low`, `flagged` whether the leg is below the
    model's customer at-risk level, and `terms` (when asked for) the contribution of each
    customer factor, in `CustomerModel.FACTORS` order (rows by factors; they add up to
    the leg's estimate).
    """

    __slots__ = ("customer", "flagged", "p_low", "predicted", "terms")

    def __init__(
        self,
        customer: npt.NDArray[np.float64],
        predicted: npt.NDArray[np.float64],
        p_low: npt.NDArray[np.float64],
        flagged: npt.NDArray[np.bool_],
        terms: npt.NDArray[np.float64] | None,
    ) -> None:
        self.customer = customer
        self.predicted = predicted
        self.p_low = p_low
        self.flagged = flagged
        self.terms = terms


def predict(rows: Rows, model: StoolModel, *, low: int, terms: bool = False) -> Predictions:
    """Return `model`'s predictions for `rows`, chunk by chunk."""
    n = rows.n
    customer = np.empty(n)
    predicted = np.empty(n)
    p_low = np.empty(n)
    contributions = np.empty((n, len(CustomerModel.FACTORS))) if terms else None
    cm = model.customer
    calibration = model.calibration
    normalised = cm._normalised  # noqa: SLF001 - the model's own normalised weights
    start = 0
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        for chunk in rows.chunks():
            part = slice(start, start + chunk.n)
            factors = _formula.customer_factors(_XP, cm, chunk.with_scales(cm))
            leg = _formula.customer_leg(_XP, normalised, factors, chunk.known)
            customer[part] = leg.value
            predicted[part] = _formula.expected_answer(_XP, calibration, leg.value)
            p_low[part] = _formula.at_or_below(_XP, calibration, leg.value, low)
            if contributions is not None:
                for j, term in enumerate(leg.terms):
                    contributions[part, j] = term
            start += chunk.n
    flagged = customer < model.thresholds.at_risk_level(Leg.CUSTOMER)
    return Predictions(customer, predicted, p_low, flagged, contributions)
