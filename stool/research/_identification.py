"""Which requested parameters the data can identify, and why the others cannot.

A parameter the answers cannot inform would wander wherever the optimiser leaves it and
be reported as if it had been measured. [identify][stool.research._identification.identify]
checks, before fitting, the conditions without which a parameter cannot be identified,
and leaves such a parameter at its start value with the reason:

- a weight needs its factor observed in some row and taking more than one value there
  (a factor that never varies acts as an intercept, which the cut-points already fit);
- a curve parameter needs its factor identified and the input it shapes varying where
  it acts (waits above 0 on the scale's channel, transfers, prior bad experiences, days
  early or late, ...);
- a cut-point needs answers at or below it and answers above it;
- the slope needs a customer leg that varies.

These are necessary conditions, not sufficient ones: two factors that always move
together are each identified by these rules, yet the data cannot split their weight.
Such parameters show as large differences between fits on different folds or seeds.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from stool import _formula
from stool.calibration import ANSWERS
from stool.models import CustomerModel
from stool.research._data import SCALE_FIELDS
from stool.research._parameters import CURVES, FACTOR_OF, Fixed, Space

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    import numpy.typing as npt

    from stool.models import StoolModel
    from stool.research._data import Rows

__all__ = ["identify"]

_FACTORS = CustomerModel.FACTORS


def _column(value: Any, n: int) -> npt.NDArray[np.float64]:
    """A column (or one value shared by every row) as an array of `n` floats."""
    return np.broadcast_to(np.asarray(value, dtype=np.float64), (n,))


def _distinct(values: npt.NDArray[np.float64], where: npt.NDArray[np.bool_]) -> int:
    """How many distinct values `values` takes on the rows `where`."""
    return len(np.unique(values[where]))


def _varies(values: npt.NDArray[np.float64], where: npt.NDArray[np.bool_]) -> bool:
    chosen = values[where]
    return bool(len(chosen)) and float(np.ptp(chosen)) > 1e-12


class _Evidence:
    """What the rows show about each factor and input, at the starting model."""

    def __init__(self, rows: Rows, start: StoolModel) -> None:
        n = rows.n
        cm = start.customer
        self.customer = cm
        xp = _formula.array_math()
        x = rows.with_scales(cm)
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            factors = [_column(f, n) for f in _formula.customer_factors(xp, cm, x)]
            gap = x.fulfilment - _formula.expected_outcome(xp, cm, x.expectation, x.prior_bad)
        flags = rows.known if rows.known is not None else (1.0,) * len(_FACTORS)
        self.known = [_column(k, n) > 0.0 for k in flags]
        self.coverage = [float(k.mean()) if n else 0.0 for k in self.known]
        self.varies = [_varies(f, k) for f, k in zip(factors, self.known, strict=True)]
        self.wait = _column(x.wait_time_s, n)
        self.scale_index = np.broadcast_to(np.asarray(rows.scale_index), (n,))
        self.transfers = _column(x.transfers, n)
        self.repeats = _column(x.repeat_contacts, n)
        self.prior_bad = _column(x.prior_bad, n)
        self.lateness = _column(x.lateness_days, n)
        self.gap = _column(gap, n)
        repaired = _column(x.fulfilment * x.professionalism, n) > 0.0
        self.repaired_without_extra_mile = repaired & ~(_column(x.extra_mile, n) > 0.0)
        self.answers = rows.answers
        self.n = n

    def known_of(self, factor: str) -> npt.NDArray[np.bool_]:
        return self.known[_FACTORS.index(factor)]

    # ---------------------------------------------------------------- weights, factors

    def factor_problem(self, factor: str) -> str | None:
        """Why a factor's weight cannot be identified, or None."""
        index = _FACTORS.index(factor)
        label = factor.replace("_", " ")
        if self.coverage[index] == 0.0:
            return f"the {label} factor is never observed in the data"
        if not self.varies[index]:
            return (
                f"the {label} factor takes one value in every row where it is observed "
                "(a constant is an intercept, which the cut-points fit)"
            )
        return None

    # -------------------------------------------------------------------------- curves

    def curve_problem(self, field: str, free_weights: list[str]) -> str | None:
        """Why a curve parameter cannot be identified, or None."""
        factor = FACTOR_OF[field]
        problem = self.factor_problem(factor)
        weightless = getattr(self.customer, f"{factor}_weight") == 0.0
        if problem is None and weightless and factor not in free_weights:
            problem = f"the {factor.replace('_', ' ')} factor carries no weight"
        if problem is None:
            rule = _RULES.get(field, _Evidence._wait_scale)
            problem = rule(self, field)
        return problem

    def _wait_scale(self, field: str) -> str | None:
        channel = SCALE_FIELDS.index(field)
        where = self.known_of("effort") & (self.scale_index == channel) & (self.wait > 0.0)
        if _distinct(self.wait, where) < 2:
            name = field.split("_", maxsplit=1)[0]
            return f"fewer than two different waits (> 0) are observed on {name} contacts"
        return None

    def _wait_shape(self, _field: str) -> str | None:
        if _distinct(self.wait, self.known_of("effort") & (self.wait > 0.0)) < 2:
            return "fewer than two different waits (> 0) are observed"
        return None

    def _counts(self, field: str) -> str | None:
        column = self.transfers if field == "transfer_effort" else self.repeats
        if _distinct(column, self.known_of("effort")) < 2:
            what = "transfers" if field == "transfer_effort" else "repeat contacts"
            return f"the number of {what} never varies where the effort is observed"
        return None

    def _prior_bad(self, field: str) -> str | None:
        factor = "expectations" if field == "expectation_drop" else "recovery"
        if _distinct(self.prior_bad, self.known_of(factor)) < 2:
            return "prior bad experiences never vary where the factor is observed"
        return None

    def _loss_aversion(self, _field: str) -> str | None:
        known = self.known_of("expectations")
        if not (known & (self.gap < 0.0)).any():
            return "no outcome falls short of the expectation"
        if not (known & (self.gap > 0.0)).any():
            return (
                "every outcome falls short of the expectation: loss aversion and the "
                "steepness cannot be told apart"
            )
        return None

    def _steepness(self, _field: str) -> str | None:
        if not _varies(self.gap, self.known_of("expectations")):
            return "the outcome against the expectation never varies"
        return None

    def _promise_kept(self, _field: str) -> str | None:
        if len(np.unique(self.lateness)) < 2:
            return "the days early or late against a promise never vary"
        return None

    def _early(self, _field: str) -> str | None:
        if not (self.lateness < 0.0).any():
            return "no promise was delivered early"
        return None

    def _late(self, _field: str) -> str | None:
        if not (self.lateness > 0.0).any():
            return "no promise was delivered (or is due) late"
        return None

    def _recovery_share(self, _field: str) -> str | None:
        where = self.known_of("recovery") & (self.prior_bad > 0.0)
        if not (where & self.repaired_without_extra_mile).any():
            return (
                "no contact after a bad experience was fulfilled professionally without "
                "the extra mile"
            )
        return None

    # ------------------------------------------------------------ slope and cut-points

    def leg_moves(self, free_weights: list[str]) -> bool:
        """Whether the leg varies: some observed, varying factor carries (or may carry) weight."""
        cm = self.customer
        return any(
            self.varies[i]
            and self.coverage[i] > 0.0
            and (getattr(cm, f"{factor}_weight") > 0.0 or factor in free_weights)
            for i, factor in enumerate(_FACTORS)
        )

    def identified_cuts(self) -> tuple[list[int], list[Fixed]]:
        """The cut-points with answers on both sides, and the others with their reason."""
        answers = self.answers
        if answers is None:  # pragma: no cover - a fit always has answers
            return [], []
        counts = np.bincount(answers, minlength=len(ANSWERS) + 1)[1:]
        below = np.cumsum(counts)[:-1]
        identified = [k for k in range(len(ANSWERS) - 1) if 0 < below[k] < self.n]
        fixed = []
        for k in range(len(ANSWERS) - 1):
            if k not in identified:
                side = "at or below" if below[k] == 0 else "above"
                fixed.append(
                    Fixed(
                        name=f"calibration.cutpoints[{k}]",
                        reason=f"no answer is {side} {k + 1}: the cut-point keeps its start gap",
                    )
                )
        return identified, fixed

    def pinned(self, free_weights: list[str]) -> list[int]:
        """Factors outside the fit that the data see and that carry weight."""
        cm = self.customer
        return [
            i
            for i, factor in enumerate(_FACTORS)
            if factor not in free_weights
            and self.coverage[i] > 0.0
            and getattr(cm, f"{factor}_weight") > 0.0
        ]


_RULES: dict[str, Callable[[_Evidence, str], str | None]] = {
    "wait_shape": _Evidence._wait_shape,  # noqa: SLF001 - the rules are the class's own
    "transfer_effort": _Evidence._counts,  # noqa: SLF001
    "repeat_effort": _Evidence._counts,  # noqa: SLF001
    "expectation_drop": _Evidence._prior_bad,  # noqa: SLF001
    "hostility_rate": _Evidence._prior_bad,  # noqa: SLF001
    "loss_aversion": _Evidence._loss_aversion,  # noqa: SLF001
    "disconfirmation_steepness": _Evidence._steepness,  # noqa: SLF001
    "promise_kept": _Evidence._promise_kept,  # noqa: SLF001
    "promise_early_scale_days": _Evidence._early,  # noqa: SLF001
    "promise_late_scale_days": _Evidence._late,  # noqa: SLF001
    "recovery_without_extra_mile": _Evidence._recovery_share,  # noqa: SLF001
}
"""The rule of every curve parameter but the wait scales (which share one rule)."""


def identify(
    rows: Rows, start: StoolModel, names: Iterable[str]
) -> tuple[Space, list[Fixed], list[str]]:
    """Decide which requested parameters the data identify; build the space of the rest.

    When every weight the data see is free (or the fixed ones never vary and the slope
    is free), only the ratios of the free weights are identified: they keep their start
    total, and a single free weight is then not identified at all.

    Returns:
        The space of the identified parameters, the ones left at their start with the
        reason, and notes for the report.
    """
    names = list(names)
    evidence = _Evidence(rows, start)
    fixed: list[Fixed] = []
    notes: list[str] = []
    free_weights: list[str] = []
    for factor in _FACTORS:
        name = f"customer.{factor}_weight"
        if name in names:
            problem = evidence.factor_problem(factor)
            if problem is None:
                free_weights.append(factor)
            else:
                fixed.append(Fixed(name=name, reason=problem))
    free_curves: list[str] = []
    for field in CURVES:
        name = f"customer.{field}"
        if name in names:
            problem = evidence.curve_problem(field, free_weights)
            if problem is None:
                free_curves.append(field)
            else:
                fixed.append(Fixed(name=name, reason=problem))
    slope = "calibration.slope" in names and evidence.leg_moves(free_weights)
    if "calibration.slope" in names and not slope:
        fixed.append(Fixed(name="calibration.slope", reason="the customer leg never varies"))
    cuts = _cuts(evidence, fixed) if "calibration.cutpoints" in names else None
    hold = _hold_total(evidence, start, free_weights, slope=slope, fixed=fixed, notes=notes)
    space = Space(
        start,
        weights=free_weights,
        curves=free_curves,
        slope=slope,
        cuts=cuts,
        hold=hold and bool(free_weights),
    )
    return space, fixed, notes


def _cuts(evidence: _Evidence, fixed: list[Fixed]) -> tuple[int, int] | None:
    """The first and last identified cut-points; the others join `fixed`."""
    identified, unidentified = evidence.identified_cuts()
    fixed.extend(unidentified)
    return (identified[0], identified[-1]) if identified else None


def _hold_total(
    evidence: _Evidence,
    start: StoolModel,
    free_weights: list[str],
    *,
    slope: bool,
    fixed: list[Fixed],
    notes: list[str],
) -> bool:
    """Whether only the ratios of the free weights are identified (their total is held).

    A single free weight is then not identified at all: it leaves `free_weights` for
    `fixed`.
    """
    pinned = evidence.pinned(free_weights)
    hold = not pinned or (slope and not any(evidence.varies[i] for i in pinned))
    if hold and len(free_weights) == 1:
        only = free_weights.pop()
        fixed.append(
            Fixed(
                name=f"customer.{only}_weight",
                reason=(
                    "only ratios between weights are identified here: fit it with another "
                    "weight, or leave the calibration slope out"
                ),
            )
        )
    if hold and len(free_weights) > 1:
        total = math.fsum(getattr(start.customer, f"{f}_weight") for f in free_weights)
        notes.append(
            f"The fitted weights keep their start total ({total:.4g}): only the ratios "
            "between them are identified by the answers."
        )
    return hold
