"""Meet the data: fit the customer leg to survey answers, evaluate, compare, test sensitivity.

A researcher's table has [Interaction][stool.Interaction] fields as columns (as
[score_batch][stool.batch.score_batch] reads them) and a column of survey answers from
1 to 5. This package closes the loop between stool's model and those answers:

- [evaluate][stool.research.evaluate] measures any model (the default, a fitted one)
  against the answers: rank correlation, the ROC area for low answers, calibration
  slope and intercept, Brier score, RMSE, mean predicted against observed, and the
  recall and lift of the customer flag, each with a bootstrap 95 % interval and its
  chance level;
- [fit][stool.research.fit] fits the customer leg's weights and curves and the
  calibration's cut-points and slope by maximum likelihood, cross-validated, and sets
  the flag rule so the customer flag means something measurable;
- [compare][stool.research.compare] gives paired intervals of two models' differences;
- [sensitivity][stool.research.sensitivity] moves one parameter at a time and shows what
  moves with it;
- [sample_answers][stool.research.sample_answers] draws answers from a known model.

It needs the `research` extra (scipy, numpy, pandas; matplotlib for plots).

    >>> import numpy as np
    >>> from stool.research import fit, sample_answers
    >>> from stool.models import StoolModel
    >>> rng = np.random.default_rng(7)
    >>> table = {
    ...     "fulfilment": rng.choice([0.0, 1.0], 800),
    ...     "wait_time_s": rng.exponential(900.0, 800),
    ... }
    >>> table["csat"] = sample_answers(StoolModel(), table, seed=7)
    >>> result = fit(table, params=["customer.fulfilment_weight", "customer.effort_weight",
    ...     "calibration.cutpoints", "calibration.slope"], n_boot=200)
    >>> result.metrics["auc"].includes(0.5)
    False

The package's files name its concepts: `_data` (a table read once), `_parameters`
(names, bounds, identification), `_likelihood` (the objective), `_predictions`,
`_metrics` (metrics and the bootstrap), `_drivers` (key drivers), `_curve` (the
calibration curve), `_fit`, `_evaluate` (evaluation and comparison), `_sensitivity`,
`_simulate` and `_render` (tables and plots). Every public name lives here.
"""

from __future__ import annotations

try:
    import numpy as np  # noqa: F401 - checked here to say which extra is missing
except ImportError as _error:  # pragma: no cover - the extra is installed in development
    _msg = "stool.research needs the research extra: pip install 'stool[research]'"
    raise ImportError(_msg) from _error

from stool.research._curve import CalibrationBin
from stool.research._drivers import Driver, Drivers
from stool.research._evaluate import Comparison, Evaluation, compare, evaluate
from stool.research._fit import FitResult, Parameter, Parameters, fit
from stool.research._metrics import METRIC_NAMES, Metric, Metrics
from stool.research._parameters import PARAMETERS
from stool.research._sensitivity import Effect, Sensitivity, sensitivity, sensitivity_names
from stool.research._simulate import sample_answers

__all__ = [
    "METRIC_NAMES",
    "PARAMETERS",
    "CalibrationBin",
    "Comparison",
    "Driver",
    "Drivers",
    "Effect",
    "Evaluation",
    "FitResult",
    "Metric",
    "Metrics",
    "Parameter",
    "Parameters",
    "Sensitivity",
    "compare",
    "evaluate",
    "fit",
    "sample_answers",
    "sensitivity",
    "sensitivity_names",
]
