"""One BLAS thread while stool.research computes.

The fit's own arithmetic runs in numpy's element-wise loops; BLAS is only called for
small matrices (inside scipy's L-BFGS-B, and the bootstrap's sums). OpenBLAS runs even
those on several threads, whose workers then spin between calls and take the cores the
element-wise loops need: on a 2-core machine a fit took 1.8 times as long. While a
research function runs, [single_blas_thread][stool.research._blas.single_blas_thread]
limits BLAS to one thread with threadpoolctl (part of the `research` extra), and puts
the limits back afterwards; without threadpoolctl it changes nothing.
"""

from __future__ import annotations

import contextlib
import functools
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["one_blas_thread", "single_blas_thread"]

P = ParamSpec("P")
R = TypeVar("R")


@contextlib.contextmanager
def single_blas_thread() -> Iterator[None]:
    """Limit BLAS libraries to one thread inside the block (if threadpoolctl is installed)."""
    try:
        from threadpoolctl import threadpool_limits  # noqa: PLC0415 - an optional extra
    except ImportError:  # pragma: no cover - the research extra installs it
        yield
        return
    # threadpoolctl limits the libraries loaded so far: load scipy's BLAS first.
    import scipy.optimize  # noqa: F401, PLC0415 - loaded for its BLAS

    limits: Any = threadpool_limits(limits=1, user_api="blas")
    with limits:
        yield


def one_blas_thread(function: Callable[P, R]) -> Callable[P, R]:
    """Run the decorated function under one BLAS thread (see `single_blas_thread`)."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with single_blas_thread():
            return function(*args, **kwargs)

    return wrapper
