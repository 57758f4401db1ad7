"""The calibration curve: predicted against observed, bin by bin of the predicted CSAT.

Rows are cut into (at most ten) bins of equal size by their predicted CSAT; each bin
gives its mean prediction, its mean answer, its predicted and observed share of low
answers, and its size. A calibrated model's bins lie on the diagonal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

    from stool.research._predictions import Predictions

__all__ = ["BINS", "CalibrationBin", "calibration_curve", "curve_frame"]

BINS: Final = 10
"""The most bins of a calibration curve (fewer when predictions take fewer values)."""


@attrs.frozen(kw_only=True)
class CalibrationBin:
    """One bin of a calibration curve."""

    rows: int
    """How many rows fell in the bin."""
    predicted: float
    """Their mean predicted CSAT."""
    observed: float
    """Their mean answer."""
    p_low: float
    """Their mean predicted probability of a low answer."""
    share_low: float
    """Their observed share of low answers."""


def calibration_curve(
    answers: npt.NDArray[Any], predictions: Predictions, *, low: int
) -> tuple[CalibrationBin, ...]:
    """Return the bins of the calibration curve, lowest prediction first."""
    predicted = predictions.predicted
    n = len(predicted)
    if not n:
        return ()
    order = np.argsort(predicted, kind="stable")
    ranks = np.empty(n, dtype=np.intp)
    ranks[order] = np.arange(n)
    bins = min(BINS, len(np.unique(predicted)))
    # Equal-size bins by rank; rows with equal predictions share the bin of their first.
    edges = predicted[order][(np.arange(1, bins) * n) // bins]
    index = np.searchsorted(np.unique(edges), predicted, side="right")
    counts = np.bincount(index)
    out = []
    low_answers = (answers <= low).astype(np.float64)
    for b in np.flatnonzero(counts):
        inside = index == b
        out.append(
            CalibrationBin(
                rows=int(counts[b]),
                predicted=float(predicted[inside].mean()),
                observed=float(answers[inside].mean()),
                p_low=float(predictions.p_low[inside].mean()),
                share_low=float(low_answers[inside].mean()),
            )
        )
    return tuple(out)


def curve_frame(curve: tuple[CalibrationBin, ...]) -> Any:
    """The bins as a pandas DataFrame."""
    import pandas as pd  # noqa: PLC0415 - pandas is an optional extra

    fields = [a.name for a in attrs.fields(CalibrationBin)]
    return pd.DataFrame({name: [getattr(b, name) for b in curve] for name in fields})
