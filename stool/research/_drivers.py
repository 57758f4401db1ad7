"""Key drivers: how much each customer factor makes of the leg, and of its variation.

For each row the customer leg's estimate is the sum of its factors' contributions
(over the observed factors, renormalised). Two shares summarise a factor over a table:

- its **share of the leg**: its mean contribution over the mean leg. Factors that are
  usually satisfied carry a large share of a high leg without explaining anything.
- its **share of the variation**: the covariance of its contribution with the leg, over
  the leg's variance. These shares add up to 1 (a factor that pulls against the others
  has a negative share); they say which factors make contacts differ, which is what
  the model uses to tell answers apart. This is the covariance decomposition of the
  leg's variance (the "Pratt measure" of key-driver analysis).

Both come with bootstrap 95 % intervals over the rows, from the same resamples as the
metrics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from stool.models import CustomerModel

if TYPE_CHECKING:
    from collections.abc import Iterator

    import numpy.typing as npt

    from stool.research._predictions import Predictions

__all__ = ["Driver", "DriverScorer", "Drivers", "drivers_from"]


@attrs.frozen(kw_only=True)
class Driver:
    """One customer factor's weight, coverage and shares, with 95 % intervals."""

    factor: str
    """The factor, one of `CustomerModel.FACTORS`."""
    weight: float
    """Its share of the customer model's weights (they add up to 1)."""
    coverage: float
    """The share of rows in which it was observed."""
    leg_share: float | None
    """Its mean contribution over the mean leg (None when nothing was observed)."""
    leg_share_low: float | None
    """The interval's lower end."""
    leg_share_high: float | None
    """The interval's upper end."""
    variation_share: float | None
    """The covariance of its contribution with the leg over the leg's variance (None when
    the leg never varies)."""
    variation_share_low: float | None
    """The interval's lower end."""
    variation_share_high: float | None
    """The interval's upper end."""


@attrs.frozen(kw_only=True)
class Drivers:
    """The key-driver table: one [Driver][stool.research.Driver] per customer factor.

    Index it by factor (`drivers["effort"].variation_share`); iterate it for every one.
    """

    items: tuple[Driver, ...]
    """The factors, in the order of `CustomerModel.FACTORS`."""
    resamples: int
    """How many bootstrap resamples gave the intervals (0: none)."""

    def __getitem__(self, factor: str) -> Driver:
        for driver in self.items:
            if driver.factor == factor:
                return driver
        raise KeyError(factor)

    def __iter__(self) -> Iterator[Driver]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def to_frame(self) -> Any:
        """Return the table as a pandas DataFrame, one row per factor, largest variation first."""
        import pandas as pd  # noqa: PLC0415 - pandas is an optional extra

        fields = [a.name for a in attrs.fields(Driver) if a.name != "factor"]
        frame = pd.DataFrame(
            {name: [_nan(getattr(d, name)) for d in self.items] for name in fields},
            index=pd.Index([d.factor for d in self.items], name="factor"),
        )
        return frame.sort_values("variation_share", ascending=False, na_position="last")

    def plot(self, ax: Any = None) -> Any:
        """Draw each factor's share of the variation with its interval (matplotlib).

        Args:
            ax: A matplotlib Axes to draw on; None for a new figure.

        Returns:
            The Axes.
        """
        from stool.research._render import plot_drivers  # noqa: PLC0415

        return plot_drivers(self, ax)

    def _repr_html_(self) -> str:
        from stool.research._render import drivers_html  # noqa: PLC0415

        return drivers_html(self)

    def __str__(self) -> str:
        from stool.research._render import drivers_text  # noqa: PLC0415

        return drivers_text(self)


def _nan(value: float | None) -> float:
    return float("nan") if value is None else value


class DriverScorer:
    """The two shares of every factor, for any weights of the rows (see `Scorer`)."""

    def __init__(self, predictions: Predictions) -> None:
        terms = predictions.terms
        if terms is None:  # pragma: no cover - the callers ask for the terms
            msg = "drivers need the contributions"
            raise ValueError(msg)
        leg = terms.sum(axis=1)
        k = terms.shape[1]
        self.k = k
        centred = terms - terms.mean(axis=0) if len(terms) else terms
        leg_centred = leg - leg.mean() if len(leg) else leg
        self.columns = np.column_stack(
            [terms, leg, centred, leg_centred, centred * leg_centred[:, None], leg_centred**2]
        )

    def values(self, weights: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Leg shares then variation shares (2k columns) for each row of `weights`."""
        k = self.k
        with np.errstate(divide="ignore", invalid="ignore"):
            sums = weights @ self.columns / weights.sum(axis=1)[:, None]
            terms, leg = sums[:, :k], sums[:, k : k + 1]
            centred, leg_c = sums[:, k + 1 : 2 * k + 1], sums[:, 2 * k + 1 : 2 * k + 2]
            cross, square = sums[:, 2 * k + 2 : 3 * k + 2], sums[:, 3 * k + 2 : 3 * k + 3]
            variance = square - leg_c * leg_c
            leg_share = np.where(leg > 0.0, terms / leg, np.nan)
            variation = np.where(variance > 0.0, (cross - centred * leg_c) / variance, np.nan)
        return np.concatenate([leg_share, variation], axis=1)


def drivers_from(
    model_weights: tuple[float, ...],
    coverage: dict[str, float],
    estimate: npt.NDArray[np.float64],
    resampled: npt.NDArray[np.float64] | None,
) -> Drivers:
    """Assemble [Drivers][stool.research.Drivers] from estimates and resampled shares."""
    from stool.research._metrics import intervals  # noqa: PLC0415

    factors = CustomerModel.FACTORS
    k = len(factors)
    resamples = 0 if resampled is None else len(resampled)
    if resampled is not None and resamples:
        lows, highs, _ = intervals(resampled)
    else:
        lows = highs = np.full(2 * k, np.nan)

    def number(values: Any, index: int) -> float | None:
        value = float(values[index])
        return value if np.isfinite(value) else None

    items = []
    for j, factor in enumerate(factors):
        leg_share = number(estimate, j)
        variation = number(estimate, k + j)
        items.append(
            Driver(
                factor=factor,
                weight=model_weights[j],
                coverage=coverage[factor],
                leg_share=leg_share,
                leg_share_low=number(lows, j) if leg_share is not None else None,
                leg_share_high=number(highs, j) if leg_share is not None else None,
                variation_share=variation,
                variation_share_low=number(lows, k + j) if variation is not None else None,
                variation_share_high=number(highs, k + j) if variation is not None else None,
            )
        )
    return Drivers(items=tuple(items), resamples=resamples)
