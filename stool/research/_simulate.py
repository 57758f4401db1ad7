"""Draw survey answers from a model: data from a known model, for checks and planning.

[sample_answers][stool.research.sample_answers] computes each row's customer leg and
draws an answer from the probabilities the model's calibration gives it. A table whose
answers come from a known model is how [fit][stool.research.fit] is checked (it must
recover the model), and how a researcher can see, before a survey, how many answers a
fit needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from stool import _formula
from stool.calibration import ANSWERS
from stool.research._data import read
from stool.research._evaluate import _check_model
from stool.research._metrics import check_seed
from stool.research._predictions import predict

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["sample_answers"]


def sample_answers(
    model: Any,
    data: Any,
    *,
    seed: int = 0,
    absent: Literal["unknown", "default"] = "unknown",
    extra_columns: Literal["error", "ignore"] = "error",
) -> npt.NDArray[np.int8]:
    """Draw one survey answer (1 to 5) per row from the model's calibrated probabilities.

    Args:
        model: A [StoolModel][stool.models.StoolModel], a
            [FitResult][stool.research.FitResult], or None for the default.
        data: A table of interactions, as [score_batch][stool.batch.score_batch] reads it.
        seed: Seeds the draws.
        absent: As in score_batch.
        extra_columns: As in score_batch.

    Returns:
        The answers, a numpy array of small integers from 1 to 5.

    Raises:
        ValidationError: If an argument or a column is bad.

    Example:
        >>> import numpy as np
        >>> from stool.research import sample_answers
        >>> answers = sample_answers(None, {"wait_time_s": np.full(1000, 60.0)}, seed=1)
        >>> sorted(set(answers.tolist())) == [1, 2, 3, 4, 5], round(float(answers.mean()), 1)
        (True, 4.4)
    """
    chosen = _check_model(model, "sample_answers.model")
    seed = check_seed(seed, "sample_answers.seed")
    rows = read(
        data,
        model=chosen,
        target=None,
        owner="sample_answers",
        absent=absent,
        extra_columns=extra_columns,
        require_target=False,
    )
    customer = predict(rows, chosen, low=1).customer
    xp = _formula.array_math()
    calibration = chosen.calibration
    draws = np.random.default_rng(seed).random(rows.n)
    answers = np.ones(rows.n, dtype=np.int8)
    for answer in ANSWERS[:-1]:
        answers += draws > _formula.at_or_below(xp, calibration, customer, answer)
    return answers
