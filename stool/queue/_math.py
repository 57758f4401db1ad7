"""The special functions behind Erlang B, C and A, on plain floats, stable at any size.

- [erlang_b][] uses the recursion `B(k) = A·B(k-1) / (k + A·B(k-1))`, which never forms a
  factorial or a power and stays accurate for thousands of agents; a non-integer number of
  agents `x = n + f` starts the recursion at `B(f)`, Jagerman's continuous extension
  `1 / B(f, A) = e^A · A^(-f) · Γ(f + 1, A)` (the upper incomplete gamma function).
- [palm_series][] is the series `A(x, u) = Σ_j u^j / ((x+1)(x+2)···(x+j))` of Palm's
  Erlang A model (Garnett, Mandelbaum and Reiman 2002), summed term by term with a running
  scale, so that it neither overflows nor loses digits in overload.

Nothing here validates its arguments: the queue classes do.
"""

from __future__ import annotations

import math
import sys
from typing import Final

EPS: Final = 1e-16
"""Relative size at which a term no longer changes a sum."""

MAX_TERMS: Final = 10_000_000
"""Most terms any series or continued fraction may take before it is declared divergent."""

_FPMIN: Final = 1e-300
_RESCALE: Final = 1e250
_LOG_RESCALE: Final = math.log(_RESCALE)


class SeriesLimitError(ArithmeticError):
    """A series needed more than [MAX_TERMS][] terms (the queue classes name the input)."""


def _upper_gamma_scaled(s: float, a: float) -> float:
    """Return `h` with `Γ(s, a) = e^(-a) · a^s · h`, by Lentz's continued fraction (a ≥ s + 1)."""
    b = a + 1.0 - s
    c = 1.0 / _FPMIN
    d = 1.0 / b
    h = d
    for i in range(1, MAX_TERMS):
        an = -i * (i - s)
        b += 2.0
        d = an * d + b
        if abs(d) < _FPMIN:
            d = _FPMIN
        c = b + an / c
        if abs(c) < _FPMIN:
            c = _FPMIN
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < EPS:
            return h
    raise SeriesLimitError(s, a)  # pragma: no cover - converges in a few dozen steps for s < 2


_LOG_MAX_FLOAT: Final = math.log(sys.float_info.max)


def _inverse_erlang_b_fraction(f: float, a: float) -> float:
    """Return `1 / B(f, a)` for a fraction of an agent `0 < f < 1` and a load `a > 0`."""
    s = f + 1.0
    if a >= s + 1.0:
        return a * _upper_gamma_scaled(s, a)
    # Upper = Gamma(s) - lower, the lower incomplete gamma function being
    # e^(-a) a^s / s * sum_j a^j / ((s+1)...(s+j)); here a < 3, so nothing overflows, and
    # the lower part is at most about half of Gamma(s).
    log_whole = a - f * math.log(a) + math.lgamma(s)
    if log_whole > _LOG_MAX_FLOAT:
        # A load so small (below about 1e-300) that B underflows: the lower part, at
        # most about half of Gamma(s), cannot bring 1/B back into range.
        return math.inf
    log_series, _ = palm_series(s, a)
    return math.exp(log_whole) - a / s * math.exp(log_series)


def erlang_b(agents: float, load: float) -> float:
    """Return Erlang's loss probability `B(agents, load)`, for any real `agents > 0`.

    Args:
        agents: The number of servers; a non-integer uses Jagerman's extension.
        load: The offered load in Erlangs, at least 0.

    Returns:
        The probability that all servers are busy in a loss system, in [0, 1].
    """
    if load == 0.0:
        return 0.0
    whole = math.floor(agents)
    fraction = agents - whole
    b = 1.0 if fraction == 0.0 else 1.0 / _inverse_erlang_b_fraction(fraction, load)
    for k in range(1, whole + 1):
        ab = load * b
        b = ab / (k + fraction + ab)
    return b


def palm_series(x: float, u: float, *, harmonic: bool = False) -> tuple[float, float]:
    """Return the logarithm of `A(x, u) = Σ_j c_j`, `c_j = u^j / ((x+1)···(x+j))`.

    With `harmonic`, also the logarithm of `Σ_j c_j · H_j`, `H_j = Σ_{i=0..j} 1 / (x + i)`
    (the derivative the average wait of served callers needs); otherwise `-inf`.

    Args:
        x: A positive real number.
        u: A number at least 0.
        harmonic: Whether to sum the harmonic-weighted series too.

    Returns:
        The two logarithms.

    Raises:
        SeriesLimitError: If the series needs more than [MAX_TERMS][] terms.
    """
    term = 1.0
    total = 1.0
    h = 1.0 / x
    htotal = h
    log_scale = 0.0
    for j in range(1, MAX_TERMS):
        ratio = u / (x + j)
        term *= ratio
        total += term
        if harmonic:
            h += 1.0 / (x + j)
            htotal += term * h
        if term > _RESCALE:
            term /= _RESCALE
            total /= _RESCALE
            htotal /= _RESCALE
            log_scale += _LOG_RESCALE
        # Past the peak the ratios fall, so the tail is below term * ratio / (1 - ratio).
        if ratio < 1.0:
            tail = term * ratio / (1.0 - ratio)
            growth = h + 1.0 / ((1.0 - ratio) * (x + j))
            if tail <= EPS * total and (not harmonic or tail * growth <= EPS * htotal):
                break
    else:
        raise SeriesLimitError(x, u)
    log_htotal = math.log(htotal) + log_scale if harmonic else -math.inf
    return math.log(total) + log_scale, log_htotal


def log_add(a: float, b: float) -> float:
    """Return `log(e^a + e^b)` without overflow."""
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    top = max(a, b)
    return top + math.log1p(math.exp(-abs(a - b)))
