"""Tests for stool.research: fit, evaluate, compare, sensitivity, and their honesty.

The data are synthetic, drawn from known models with `sample_answers`, so every test
knows the truth the fit should find. Fits are slow next to other tests: the tables are
small and the Hypothesis tests draw few, derandomised examples.
"""

from __future__ import annotations

import itertools
import math

import attrs
import matplotlib.pyplot as plt
import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import approx_fprime

import stool
import stool.research
from stool import _formula
from stool.calibration import Calibration
from stool.models import CustomerModel, StoolModel
from stool.research import (
    METRIC_NAMES,
    PARAMETERS,
    Evaluation,
    FitResult,
    compare,
    evaluate,
    fit,
    sample_answers,
    sensitivity,
)
from stool.research._data import read
from stool.research._fit import MIN_ROWS_PER_FOLD, folds
from stool.research._identification import identify
from stool.research._likelihood import Objective
from stool.research._metrics import MIN_FLAGGED, Scorer, bootstrap
from stool.research._parameters import CURVES, FACTOR_OF, check_names
from stool.research._predictions import Predictions, predict

plt.switch_backend("Agg")

# ------------------------------------------------------------------------------ the data


def export(n: int, seed: int) -> dict[str, np.ndarray]:
    """A table like an operational export: some judgements unknown in some rows."""
    rng = np.random.default_rng(seed)
    fulfilment = rng.choice([0.0, 0.5, 1.0], n, p=[0.2, 0.2, 0.6])
    return {
        "channel": rng.choice(["CALL", "CHAT", "EMAIL"], n, p=[0.5, 0.3, 0.2]),
        "fulfilment": np.where(rng.random(n) < 0.3, np.nan, fulfilment),
        "professionalism": rng.beta(5, 2, n),
        "empathy": rng.beta(4, 2, n),
        "explanation_clarity": np.where(rng.random(n) < 0.4, np.nan, rng.beta(3, 2, n)),
        "wait_time_s": rng.exponential(900.0, n) * rng.choice([0.2, 1.0, 5.0], n),
        "transfers": rng.poisson(0.4, n),
        "repeat_contacts": rng.poisson(0.3, n),
        "prior_bad_experiences": rng.poisson(0.6, n),
        "expectation": rng.uniform(0.0, 1.0, n),
        "extra_mile": rng.random(n) < 0.15,
        "promised_days": np.full(n, 5.0),
        "delivered_days": np.clip(5.0 + rng.normal(0.0, 3.0, n), 0.0, None),
    }


def simple(n: int, seed: int) -> dict[str, np.ndarray]:
    """Four observed customer factors (the outcome, courtesy, effort, a promise); no others."""
    rng = np.random.default_rng(seed)
    return {
        "fulfilment": rng.uniform(0.0, 1.0, n),
        "professionalism": rng.beta(3, 2, n),
        "wait_time_s": rng.exponential(3600.0, n),
        "transfers": rng.poisson(1.0, n),
        "promised_days": np.full(n, 10.0),
        "delivered_days": np.clip(10.0 + rng.normal(0.0, 4.0, n), 0.0, None),
    }


SIMPLE_FACTORS = ("fulfilment", "professionalism", "effort", "promise")
SIMPLE_PARAMS = [
    *(f"customer.{f}_weight" for f in SIMPLE_FACTORS),
    "customer.transfer_effort",
    "customer.promise_late_scale_days",
    "calibration.cutpoints",
    "calibration.slope",
]


def known_model(weights, *, transfer_effort, late_scale, cutpoints, slope) -> StoolModel:
    """A model that differs from the default in what a simple table identifies."""
    default = StoolModel()
    customer = attrs.evolve(
        default.customer,
        **{f"{f}_weight": w for f, w in zip(SIMPLE_FACTORS, weights, strict=True)},
        transfer_effort=transfer_effort,
        promise_late_scale_days=late_scale,
    )
    calibration = Calibration(cutpoints=cutpoints, slope=slope)
    return attrs.evolve(default, customer=customer, calibration=calibration)


def hidden_model() -> StoolModel:
    """The known model behind the larger recovery case."""
    default = StoolModel()
    customer = attrs.evolve(
        default.customer,
        effort_weight=0.35,
        professionalism_weight=0.25,
        explanation_weight=0.15,
        transfer_effort=0.6,
        promise_late_scale_days=3.0,
    )
    calibration = Calibration(cutpoints=(0.5, 1.0, 1.6, 3.0), slope=5.0)
    return attrs.evolve(default, customer=customer, calibration=calibration)


def shares(model: StoolModel, factors=CustomerModel.FACTORS) -> np.ndarray:
    """The weights of `factors`, divided by their total."""
    weights = np.array([getattr(model.customer, f"{f}_weight") for f in factors])
    return weights / weights.sum()


def no_signal(n: int, seed: int) -> dict[str, np.ndarray]:
    """An export whose answers are independent of every column (J-shaped, as CSAT is)."""
    table = export(n, seed)
    rng = np.random.default_rng(seed + 10_000)
    table["csat"] = rng.choice([1, 2, 3, 4, 5], n, p=[0.13, 0.02, 0.03, 0.13, 0.69])
    return table


def rows_of(table, model=None):
    """The table read once, as the research functions read it."""
    return read(
        table,
        model=model or StoolModel(),
        target="csat",
        owner="test",
        absent="unknown",
        extra_columns="error",
        require_target=False,
    )


def log_likelihood(model: StoolModel, table) -> float:
    """The log-likelihood of the table's answers under a model, computed directly."""
    customer = predict(rows_of(table, model), model, low=2).customer
    xp = _formula.array_math()
    below = [np.zeros_like(customer)]
    below += [_formula.at_or_below(xp, model.calibration, customer, k) for k in range(1, 5)]
    below.append(np.ones_like(customer))
    cumulative = np.column_stack(below)
    answers = np.asarray(table["csat"], dtype=int)
    rows = np.arange(len(answers))
    return float(np.log(cumulative[rows, answers] - cumulative[rows, answers - 1]).sum())


def with_answers(table, model, seed):
    """The table with answers drawn from `model`."""
    table = dict(table)
    table["csat"] = sample_answers(model, table, seed=seed)
    return table


@pytest.fixture(scope="module")
def signal_table():
    """An export of 3,000 contacts whose answers come from the hidden model."""
    return with_answers(export(3000, seed=21), hidden_model(), seed=22)


@pytest.fixture(scope="module")
def fitted(signal_table) -> FitResult:
    """The default fit of that table, with 3-fold cross-validation."""
    return fit(signal_table, cv=3, n_boot=200)


# ----------------------------------------------------------------------------- bad input


class TestBadInput:
    """Bad arguments and bad answers raise ValidationError naming them; nothing is fitted."""

    @pytest.mark.parametrize(
        ("answer", "position"), [(0, 3), (6, 5), (4.5, 7), (math.nan, 2), (-1, 0)]
    )
    def test_answers_outside_the_scale(self, answer, position):
        """An answer that is not a whole number from 1 to 5 names the column and the row."""
        table = with_answers(simple(100, 1), StoolModel(), seed=2)
        answers = table["csat"].astype(float)
        answers[position] = answer
        table["csat"] = answers
        with pytest.raises(stool.ValidationError) as caught:
            fit(table, cv=None, n_boot=0)
        assert caught.value.field == "csat"
        assert caught.value.row == position
        assert "from 1 to 5" in caught.value.allowed

    def test_missing_answers_say_what_to_do(self):
        """A row without an answer is an error that says to drop such rows first."""
        table = with_answers(simple(100, 1), StoolModel(), seed=2)
        table["csat"] = table["csat"].astype(float)
        table["csat"][10] = np.nan
        with pytest.raises(stool.ValidationError, match="drop the rows without an answer"):
            evaluate(None, table, n_boot=0)

    def test_target_column_missing(self):
        """A target that is not a column names the column meant."""
        table = with_answers(simple(100, 1), StoolModel(), seed=2)
        with pytest.raises(stool.ValidationError, match="did you mean 'csat'") as caught:
            fit(table, target="cast", cv=None)
        assert caught.value.field == "fit.target"

    def test_a_target_that_is_not_a_field(self):
        """Any column may hold the answers; it is let through the check of column names."""
        table = with_answers(simple(400, 1), StoolModel(), seed=2)
        table["review"] = table.pop("csat")
        result = evaluate(None, table, target="review", n_boot=0)
        assert result.target == "review"
        assert result.metrics["auc"].value is not None

    @pytest.mark.parametrize(
        ("params", "meant"),
        [
            (["customer.efort_weight"], "customer.effort_weight"),
            (["calibration.slop"], "calibration.slope"),
            (["customer.promise_late_scale"], "customer.promise_late_scale_days"),
        ],
    )
    def test_unknown_parameter(self, params, meant):
        """An unknown parameter name is refused with the name meant."""
        table = with_answers(simple(100, 1), StoolModel(), seed=2)
        with pytest.raises(stool.ValidationError) as caught:
            fit(table, params=params, cv=None)
        assert caught.value.field == "fit.params"
        assert f"did you mean {meant!r}" in caught.value.allowed

    @pytest.mark.parametrize(
        "params", [["company.policy_weight"], [], "calibration.slope", ["calibration.slope"] * 2]
    )
    def test_other_bad_parameter_lists(self, params):
        """Other legs' parameters, empty or repeated lists and bare strings are refused."""
        with pytest.raises(stool.ValidationError) as caught:
            check_names(params, "fit.params")
        assert caught.value.field == "fit.params"

    @pytest.mark.parametrize("cv", [1, 0, -3, 2.5, "5"])
    def test_cv_below_two(self, cv):
        """Fewer than two folds, or a number that is not whole, is refused."""
        table = with_answers(simple(200, 1), StoolModel(), seed=2)
        with pytest.raises(stool.ValidationError) as caught:
            fit(table, cv=cv)
        assert caught.value.field == "fit.cv"

    def test_too_few_rows_for_the_folds(self):
        """Cross-validation needs ten rows per fold, and says how many folds fit."""
        table = with_answers(simple(45, 1), StoolModel(), seed=2)
        with pytest.raises(stool.ValidationError) as caught:
            fit(table, cv=5)
        assert caught.value.field == "fit.cv"
        assert f"at most {45 // MIN_ROWS_PER_FOLD} folds" in caught.value.allowed

    def test_too_few_low_answers_for_the_folds(self):
        """Every fold needs a low answer: a table with two of them takes at most two folds."""
        table = simple(200, 1)
        table["csat"] = np.full(200, 5)
        table["csat"][:2] = 1
        with pytest.raises(stool.ValidationError, match="at most 2 folds"):
            fit(table, cv=3)

    @pytest.mark.parametrize(
        ("answers", "words"),
        [
            ([4, 5], "at least one answer at or below"),
            ([1, 2], "at least one answer above"),
            ([5], "two different values"),
        ],
    )
    def test_answers_a_fit_cannot_use(self, answers, words):
        """No low answers, only low answers, or one answer throughout: nothing is fitted."""
        table = simple(100, 1)
        table["csat"] = np.resize(answers, 100)
        with pytest.raises(stool.ValidationError, match=words) as caught:
            fit(table, cv=None)
        assert caught.value.field == "csat"

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"low": 5}, "fit.low"),
            ({"low": 2.0}, "fit.low"),
            ({"risk_ratio": 0.0}, "fit.risk_ratio"),
            ({"risk_ratio": math.inf}, "fit.risk_ratio"),
            ({"n_boot": 10}, "fit.n_boot"),
            ({"seed": -1}, "fit.seed"),
            ({"model": "default"}, "fit.model"),
            ({"absent": "none"}, "fit.absent"),
            ({"extra_columns": "drop"}, "fit.extra_columns"),
        ],
    )
    def test_bad_arguments(self, kwargs, field):
        """Each bad argument is refused, naming it."""
        table = with_answers(simple(100, 1), StoolModel(), seed=2)
        with pytest.raises(stool.ValidationError) as caught:
            fit(table, cv=None, **kwargs)
        assert caught.value.field == field

    def test_bad_tables(self):
        """A table of the wrong kind, or with an unknown column, names the function's data."""
        with pytest.raises(stool.ValidationError) as caught:
            fit([1, 2, 3])
        assert caught.value.field == "fit.data"
        table = with_answers(simple(100, 1), StoolModel(), seed=2)
        table["fullfilment"] = table["fulfilment"]
        with pytest.raises(stool.ValidationError, match="did you mean 'fulfilment'") as caught:
            evaluate(None, table)
        assert caught.value.field == "evaluate.data"

    def test_evaluate_without_low_answers_reports_not_available(self):
        """Without low answers the AUC, recall and lift are not available, with the reason."""
        table = simple(300, 1)
        table["csat"] = np.resize([3, 4, 5], 300)
        metrics = evaluate(None, table, n_boot=100).metrics
        for name in ("auc", "flag_recall", "flag_lift"):
            assert metrics[name].value is None
            assert metrics[name].low is None
            assert "no answer is at or below 2" in metrics[name].note
        assert metrics["spearman"].value is not None

    def test_evaluate_refuses_other_models(self):
        """The model is a StoolModel, a FitResult or None."""
        table = with_answers(simple(100, 1), StoolModel(), seed=2)
        with pytest.raises(stool.ValidationError) as caught:
            evaluate("fitted.toml", table)
        assert caught.value.field == "evaluate.model"


# -------------------------------------------------------------------------- the result


class TestFitResult:
    """A fit's result: an ordinary model, its flag rule, and tables that explain it."""

    def test_the_model_is_ordinary(self, fitted, signal_table):
        """score, score_batch and explain work on the fitted model unchanged."""
        model = fitted.model
        assert isinstance(model, StoolModel)
        scores = stool.score_batch(dict(signal_table), model)
        assert len(scores["customer"]) == 3000
        one = stool.score(stool.Interaction(fulfilment=0.0, wait_time_s=7200.0), model)
        assert "customer" in one.explain().lower()

    def test_flag_rule(self, fitted, signal_table):
        """The customer leg is flagged where p_low is twice the observed base rate."""
        calibration = fitted.model.calibration
        observed = float((np.asarray(signal_table["csat"]) <= 2).mean())
        assert calibration.base_rate == observed
        level = fitted.model.thresholds.customer_at_risk
        assert level == calibration.at_risk_level(2.0)
        assert calibration.p_low(level) == pytest.approx(2.0 * observed)
        assert fitted.model.thresholds.collapse_level(stool.Leg.CUSTOMER) < level

    def test_cross_validated_metrics_find_the_signal(self, fitted):
        """On answers from a known model, the out-of-fold AUC and correlation beat chance."""
        metrics = fitted.metrics
        assert metrics.cross_validated
        assert metrics.names == METRIC_NAMES
        assert metrics["auc"].low > 0.5
        assert metrics["spearman"].low > 0.0
        # Out of fold, 28 parameters fitted to 2,000 rows overfit a little: the slope of
        # answers on predictions falls below 1, as cross-validation should show.
        assert 0.5 < metrics["calibration_slope"].low < 1.0
        assert metrics["mean_error"].includes(0.0)
        for metric in metrics:
            if metric.low is not None:
                assert metric.low <= metric.value <= metric.high

    def test_drivers_add_up(self, fitted):
        """Both kinds of share add up to 1 over the factors, and every interval holds its value."""
        drivers = fitted.drivers
        assert len(drivers) == len(CustomerModel.FACTORS)
        assert math.fsum(d.leg_share for d in drivers) == pytest.approx(1.0)
        assert math.fsum(d.variation_share for d in drivers) == pytest.approx(1.0)
        assert math.fsum(d.weight for d in drivers) == pytest.approx(1.0)
        for driver in drivers:
            assert driver.leg_share_low <= driver.leg_share <= driver.leg_share_high
        assert drivers["fulfilment"].coverage == pytest.approx(fitted.coverage["fulfilment"])

    def test_coverage(self, fitted, signal_table):
        """Coverage is the share of rows observing each factor."""
        observed = float(np.isfinite(signal_table["fulfilment"]).mean())
        assert fitted.coverage["fulfilment"] == pytest.approx(observed)
        assert fitted.coverage["promise"] == 1.0
        assert set(fitted.coverage) == set(CustomerModel.FACTORS)

    def test_tables(self, fitted):
        """Every part comes out as a DataFrame; an unknown part is refused."""
        assert list(fitted.to_frame().index) == list(METRIC_NAMES)
        assert set(fitted.to_frame("drivers").index) == set(CustomerModel.FACTORS)
        assert len(fitted.to_frame("params")) == len(PARAMETERS) + 3  # four cut-points
        assert fitted.to_frame("coverage")["coverage"]["promise"] == 1.0
        curve = fitted.to_frame("calibration")
        assert curve["rows"].sum() == fitted.rows
        assert curve["predicted"].is_monotonic_increasing
        with pytest.raises(stool.ValidationError) as caught:
            fitted.to_frame("weights")
        assert caught.value.field == "FitResult.to_frame.part"

    def test_text_html_and_plot(self, fitted):
        """The result shows itself as text, as HTML and as a figure of two plots."""
        text = str(fitted)
        assert "Metrics" in text
        assert "Drivers" in text
        assert "calibration.slope" in text
        html = fitted._repr_html_()
        assert html.count("<table>") == 3
        assert "<script" not in html
        figure = fitted.plot()
        assert len(figure.axes) == 2
        plt.close(figure)

    def test_unidentified_parameters_are_left_and_reported(self):
        """Factors never observed and inputs that never vary leave their parameters at the start."""
        table = with_answers(simple(1500, 3), StoolModel(), seed=4)
        result = fit(table, cv=None, n_boot=0)
        start = StoolModel().customer
        empathy = result.params["customer.empathy_weight"]
        assert not empathy.identified
        assert "never observed" in empathy.reason
        assert result.model.customer.empathy_weight == start.empathy_weight
        early = result.params["customer.promise_early_scale_days"]
        assert early.identified  # deliveries are early and late in this table
        repeat = result.params["customer.repeat_effort"]
        assert not repeat.identified
        assert "repeat contacts never varies" in repeat.reason
        assert result.model.customer.repeat_effort == start.repeat_effort
        assert any("start total" in note for note in result.notes)
        assert {p.name for p in result.params.unidentified} >= {
            "customer.empathy_weight",
            "customer.repeat_effort",
            "customer.hostility_rate",
        }

    def test_a_constant_factor_is_an_intercept(self):
        """Without promises the promise factor is constant: its weight and curves stay put."""
        table = simple(800, 3)
        del table["promised_days"], table["delivered_days"]
        table = with_answers(table, StoolModel(), seed=4)
        result = fit(table, cv=None, n_boot=0)
        promise = result.params["customer.promise_weight"]
        assert not promise.identified
        assert "intercept" in promise.reason
        assert not result.params["customer.promise_kept"].identified

    def test_held_weights_with_a_constant_factor(self):
        """Two weights beside a constant promise keep their total and find their ratio."""
        truth = StoolModel()
        truth = attrs.evolve(
            truth, customer=attrs.evolve(truth.customer, fulfilment_weight=0.1, effort_weight=0.4)
        )
        table = simple(3000, 6)
        table = {k: table[k] for k in ("fulfilment", "wait_time_s")}
        table["csat"] = sample_answers(truth, table, seed=7)
        result = fit(table, cv=None, n_boot=0)
        fitted = result.model.customer
        assert result.converged
        assert fitted.fulfilment_weight + fitted.effort_weight == pytest.approx(0.5)
        assert fitted.effort_weight / fitted.fulfilment_weight > 1.5
        assert result.log_likelihood >= log_likelihood(truth, table) - 0.01

    def test_a_lone_weight_with_the_slope_is_not_identified(self):
        """With the slope fitted, one weight alone has nothing to be a ratio to."""
        table = with_answers(simple(600, 3), StoolModel(), seed=4)
        del table["promised_days"], table["delivered_days"]
        table = {k: table[k] for k in ("fulfilment", "csat")}
        result = fit(
            table, params=["customer.fulfilment_weight", "calibration.slope"], cv=None, n_boot=0
        )
        assert not result.params["customer.fulfilment_weight"].identified
        assert result.params["calibration.slope"].identified

    def test_missing_answers_at_the_ends_leave_their_cut_points(self):
        """Without a 1 the first cut-point keeps its start gap to the second."""
        table = with_answers(simple(800, 3), StoolModel(), seed=4)
        table["csat"] = np.where(table["csat"] == 1, 2, table["csat"])
        result = fit(table, params=["calibration.cutpoints"], cv=None, n_boot=0)
        first = result.params["calibration.cutpoints[0]"]
        assert not first.identified
        cuts = result.model.calibration.cutpoints
        start = StoolModel().calibration.cutpoints
        assert cuts[1] - cuts[0] == pytest.approx(start[1] - start[0])


# --------------------------------------------------------------------------- honesty


class TestHonesty:
    """On answers unrelated to the data, every interval includes what chance gives."""

    @pytest.mark.parametrize("seed", [0, 1])
    def test_no_signal_fit(self, seed):
        """A cross-validated fit to random answers reports chance, not a spurious fit."""
        result = fit(no_signal(2000, seed), n_boot=300, seed=seed)
        checked = 0
        for metric in result.metrics:
            if metric.chance is None or metric.value is None:
                continue
            assert metric.includes(metric.chance), metric
            checked += 1
        assert checked >= 7
        assert result.metrics["auc"].includes(0.5)
        assert result.metrics["spearman"].includes(0.0)
        # Nothing reaches twice the base rate: the flag says so rather than guess.
        assert result.metrics["flag_recall"].value is None
        assert any("flags no contact" in note for note in result.notes)

    def test_default_model_on_no_signal(self):
        """The default model tells random answers apart no better than chance, and says so."""
        metrics = evaluate(None, no_signal(3000, 5), n_boot=300).metrics
        for name in ("spearman", "auc", "calibration_slope"):
            assert metrics[name].includes(metrics[name].chance), metrics[name]

    def test_chance_levels(self):
        """Chance is what predicting the same for every row scores on these rows."""
        table = no_signal(500, 2)
        metrics = evaluate(None, table, n_boot=0).metrics
        answers = np.asarray(table["csat"], dtype=float)
        base = float((answers <= 2).mean())
        assert metrics["auc"].chance == 0.5
        assert metrics["brier"].chance == pytest.approx(base * (1.0 - base))
        assert metrics["rmse"].chance == pytest.approx(answers.std())
        assert metrics["calibration_intercept"].chance == pytest.approx(answers.mean())
        assert metrics["flag_lift"].chance == 1.0


# -------------------------------------------------------------------------- recovery


class TestRecovery:
    """Data drawn from a known model give that model back, within what the data can tell."""

    @settings(max_examples=4, derandomize=True, deadline=None)
    @given(
        weights=st.tuples(*[st.floats(0.3, 1.0)] * 4),
        transfer_effort=st.floats(0.3, 1.2),
        late_scale=st.floats(1.5, 5.0),
        first=st.floats(-0.5, 1.0),
        gaps=st.tuples(*[st.floats(0.3, 1.2)] * 3),
        slope=st.floats(4.0, 8.0),
        seed=st.integers(0, 1000),
    )
    def test_drawn_models_come_back(  # noqa: PLR0917 - one argument per drawn value
        self, weights, transfer_effort, late_scale, first, gaps, slope, seed
    ):
        """The fit beats the true model's likelihood and lands near its parameters."""
        cutpoints = tuple(np.cumsum([first, *gaps]).tolist())
        truth = known_model(
            weights,
            transfer_effort=transfer_effort,
            late_scale=late_scale,
            cutpoints=cutpoints,
            slope=slope,
        )
        table = with_answers(simple(6000, seed), truth, seed=seed + 1)
        result = fit(table, params=SIMPLE_PARAMS, cv=None, n_boot=0)
        model = result.model
        assert result.converged
        assert result.log_likelihood >= log_likelihood(truth, table) - 0.01
        assert result.log_likelihood == pytest.approx(log_likelihood(model, table), abs=1e-6)
        rows = rows_of(table, truth)
        true_p, fitted_p = predict(rows, truth, low=2), predict(rows, model, low=2)
        assert np.abs(true_p.p_low - fitted_p.p_low).mean() <= 0.03
        assert np.abs(true_p.predicted - fitted_p.predicted).mean() <= 0.1
        error = np.abs(shares(model, SIMPLE_FACTORS) - shares(truth, SIMPLE_FACTORS)).max()
        assert error <= 0.2
        assert model.calibration.slope == pytest.approx(slope, rel=0.3)
        assert np.abs(np.subtract(model.calibration.cutpoints, cutpoints)).max() <= 0.8
        assert model.customer.transfer_effort == pytest.approx(transfer_effort, rel=1.0)

    def test_a_larger_table_every_parameter(self):
        """20,000 answers, every default parameter: the optimum, the predictions, the main numbers.

        The fit from the default start does at least as well as a fit started from the
        truth, and better than the truth itself: the optimiser finds the maximum. Where
        the data pin a parameter down it is close; the promise's and the expectations'
        curves trade off with their weights at this size (the likelihood is flat along
        them), so they are checked through the predictions, not one by one.
        """
        truth = hidden_model()
        table = with_answers(export(20_000, seed=11), truth, seed=12)
        result = fit(table, cv=None, n_boot=0)
        from_truth = fit(table, model=truth, cv=None, n_boot=0)
        assert result.log_likelihood >= from_truth.log_likelihood - 0.1
        assert result.log_likelihood >= from_truth.start_log_likelihood
        model = result.model
        rows = rows_of(table, truth)
        true_p, fitted_p = predict(rows, truth, low=2), predict(rows, model, low=2)
        assert np.abs(true_p.p_low - fitted_p.p_low).mean() <= 0.01
        assert np.abs(true_p.predicted - fitted_p.predicted).mean() <= 0.06
        assert np.abs(shares(model) - shares(truth)).max() <= 0.08
        assert model.calibration.slope == pytest.approx(truth.calibration.slope, rel=0.1)
        cut_error = np.subtract(model.calibration.cutpoints, truth.calibration.cutpoints)
        assert np.abs(cut_error).max() <= 0.3
        for field, tolerance in (("wait_shape", 0.3), ("transfer_effort", 0.2)):
            expected = getattr(truth.customer, field)
            assert getattr(model.customer, field) == pytest.approx(expected, rel=tolerance)
        assert model.customer.repeat_effort == pytest.approx(0.5, rel=0.2)


class TestFittedModelProperties:
    """Whatever the data, a fitted calibration is monotone and the model saves exactly."""

    @settings(max_examples=5, derandomize=True, deadline=None)
    @given(n=st.integers(150, 400), seed=st.integers(0, 10_000), cv=st.sampled_from([None, 2]))
    def test_monotone_and_round_trips(self, tmp_path_factory, n, seed, cv):
        """Cut-points increase, the slope is positive, p_low falls and the file loads equal."""
        table = with_answers(simple(n, seed), StoolModel(), seed=seed + 1)
        result = fit(table, params=SIMPLE_PARAMS, cv=cv, n_boot=0, seed=seed)
        calibration = result.model.calibration
        assert all(a < b for a, b in itertools.pairwise(calibration.cutpoints))
        assert calibration.slope > 0.0
        legs = np.linspace(0.0, 1.0, 41)
        csat = [calibration.predicted_csat(leg) for leg in legs]
        p_low = [calibration.p_low(leg) for leg in legs]
        assert all(a <= b + 1e-12 for a, b in itertools.pairwise(csat))
        assert all(a >= b - 1e-12 for a, b in itertools.pairwise(p_low))
        folder = tmp_path_factory.mktemp("models")
        for name in ("fitted.toml", "fitted.json"):
            stool.save_model(result.model, folder / name)
            assert stool.load_model(folder / name) == result.model


# ------------------------------------------------------------------ the optimiser's parts


class TestObjective:
    """The likelihood's gradient, the parameters' map and bounds."""

    def test_gradient_matches_differences(self):
        """The analytic and forward-difference gradient agree with central differences."""
        table = with_answers(export(600, 7), hidden_model(), seed=8)
        rows = rows_of(table)
        space, _, _ = identify(rows, StoolModel(), PARAMETERS)
        objective = Objective(rows, space)
        rng = np.random.default_rng(0)
        v = np.clip(space.x0 + rng.normal(0.0, 0.05, space.size), space.lower, space.upper)
        _, gradient = objective(v)
        numeric = approx_fprime(v, lambda z: objective(z)[0], 1e-7)
        scale = np.maximum(np.abs(numeric), 1e-4)
        assert np.max(np.abs(gradient - numeric) / scale) < 1e-3

    def test_curves_are_every_other_field(self):
        """The curve parameters are exactly the customer model's fields that are not weights."""
        fields = {
            a.name for a in attrs.fields(CustomerModel) if a.init and not a.name.endswith("_weight")
        }
        assert set(CURVES) == fields
        assert set(PARAMETERS) >= {f"customer.{name}" for name in fields}

    @pytest.mark.parametrize("field", CURVES)
    def test_each_curve_shapes_one_factor(self, field):
        """Moving a curve parameter changes its own factor and no other."""
        table = export(400, 9)
        table["delivered_days"] = np.where(
            np.arange(400) % 3 == 0, np.nan, table["delivered_days"]
        )  # some promises still open
        table["elapsed_days"] = np.full(400, 9.0)
        rows = rows_of(table)
        model = StoolModel().customer
        moved = attrs.evolve(model, **{field: getattr(model, field) * 0.9})
        xp = _formula.array_math()
        before = _formula.customer_factors(xp, model, rows.with_scales(model))
        after = _formula.customer_factors(xp, moved, rows.with_scales(moved))
        changed = [
            name
            for name, a, b in zip(CustomerModel.FACTORS, before, after, strict=True)
            if not np.array_equal(np.broadcast_to(a, (400,)), np.broadcast_to(b, (400,)))
        ]
        assert changed == [FACTOR_OF[field]]

    def test_every_coordinate_bound_gives_a_valid_model(self):
        """At the lower and at the upper bound of every coordinate, the model is valid."""
        table = with_answers(export(800, 10), hidden_model(), seed=11)
        rows = rows_of(table)
        space, _, _ = identify(rows, StoolModel(), PARAMETERS)
        for v in (space.lower, space.upper):
            model = space.model(v, low=2, base_rate=0.2)
            assert model.customer.promise_weight > 0.0
            assert all(w >= 0.0 for w in model.customer.weights.values())
            cuts = model.calibration.cutpoints
            assert all(a < b for a, b in itertools.pairwise(cuts))
            assert 0.0 < model.customer.promise_kept < 1.0


class TestFolds:
    """Folds are stratified by answer and seeded."""

    @settings(max_examples=25, deadline=None)
    @given(
        answers=st.lists(st.integers(1, 5), min_size=20, max_size=200),
        cv=st.integers(2, 6),
        seed=st.integers(0, 100),
    )
    def test_stratified(self, answers, cv, seed):
        """Every fold holds each answer within one of the others, and the seed decides."""
        values = np.array(answers)
        fold = folds(values, cv, seed)
        assert set(fold.tolist()) <= set(range(cv))
        sizes = np.bincount(fold, minlength=cv)
        assert sizes.max() - sizes.min() <= 1
        for answer in range(1, 6):
            counts = np.bincount(fold[values == answer], minlength=cv)
            assert counts.max() - counts.min() <= 1
        assert np.array_equal(fold, folds(values, cv, seed))


# --------------------------------------------------------------------------- metrics


def _predictions(predicted, p_low, flagged):
    return Predictions(np.zeros_like(predicted), predicted, p_low, flagged, None)


class TestMetrics:
    """The metrics of a resample, counted by weights, equal the metrics of the resample."""

    @settings(max_examples=40, deadline=None)
    @given(
        data=st.lists(
            st.tuples(st.integers(1, 5), st.integers(0, 12), st.integers(0, 6)),
            min_size=8,
            max_size=60,
        ),
        seed=st.integers(0, 2**16),
    )
    def test_weighted_equals_resampled(self, data, seed):
        """Spearman, AUC, the calibration line, Brier and RMSE agree with scipy on the resample."""
        answers = np.array([d[0] for d in data], dtype=np.int8)
        predicted = 1.0 + np.array([d[1] for d in data]) / 3.0  # ties on purpose
        p_low = np.array([d[2] for d in data]) / 6.0
        flagged = p_low > 0.5
        scorer = Scorer(answers, _predictions(predicted, p_low, flagged), low=2)
        n = len(answers)
        counts = np.bincount(np.random.default_rng(seed).integers(0, n, n), minlength=n)
        values = dict(
            zip(METRIC_NAMES, scorer.values(counts[None, :].astype(np.int32))[0], strict=True)
        )
        index = np.repeat(np.arange(n), counts)
        y, pred, p = answers[index].astype(float), predicted[index], p_low[index]
        low = y <= 2
        assert values["brier"] == pytest.approx(np.mean((p - low) ** 2))
        assert values["rmse"] == pytest.approx(np.sqrt(np.mean((pred - y) ** 2)))
        assert values["mean_error"] == pytest.approx(pred.mean() - y.mean())
        assert values["base_rate"] == pytest.approx(low.mean())
        if 0 < low.sum() < len(low):
            u = scipy.stats.mannwhitneyu(p[low], p[~low]).statistic
            assert values["auc"] == pytest.approx(u / (low.sum() * (~low).sum()))
        else:
            assert math.isnan(values["auc"])
        if np.ptp(pred) > 0 and np.ptp(y) > 0:
            assert values["spearman"] == pytest.approx(scipy.stats.spearmanr(pred, y).statistic)
            line = scipy.stats.linregress(pred, y)
            assert values["calibration_slope"] == pytest.approx(line.slope, abs=1e-9)
            assert values["calibration_intercept"] == pytest.approx(line.intercept, abs=1e-8)
        else:
            assert math.isnan(values["spearman"])

    def test_recall_and_lift(self):
        """Recall is the share of low answers flagged; lift, their share among the flagged."""
        rng = np.random.default_rng(3)
        answers = rng.integers(1, 6, 400).astype(np.int8)
        flagged = rng.random(400) < 0.3
        scorer = Scorer(answers, _predictions(rng.random(400) + 3, rng.random(400), flagged), low=2)
        values = dict(
            zip(METRIC_NAMES, scorer.values(np.ones((1, 400), dtype=np.int32))[0], strict=True)
        )
        low = answers <= 2
        assert values["flag_recall"] == pytest.approx(flagged[low].mean())
        assert values["flag_lift"] == pytest.approx(low[flagged].mean() / low.mean())
        few = flagged & (np.cumsum(flagged) <= MIN_FLAGGED - 1)
        scorer = Scorer(answers, _predictions(rng.random(400) + 3, rng.random(400), few), low=2)
        values = dict(
            zip(METRIC_NAMES, scorer.values(np.ones((1, 400), dtype=np.int32))[0], strict=True)
        )
        assert math.isnan(values["flag_recall"])
        assert math.isnan(values["flag_lift"])

    def test_bootstrap_is_seeded(self):
        """The same seed gives the same resamples; another seed, others."""
        rng = np.random.default_rng(4)
        answers = rng.integers(1, 6, 300).astype(np.int8)
        scorer = Scorer(
            answers, _predictions(rng.random(300), rng.random(300), rng.random(300) < 0.5), low=2
        )
        first = bootstrap(300, 120, 7, [scorer])[0]
        again = bootstrap(300, 120, 7, [scorer])[0]
        other = bootstrap(300, 120, 8, [scorer])[0]
        assert first.shape == (120, len(METRIC_NAMES))
        assert np.array_equal(first, again, equal_nan=True)
        assert not np.array_equal(first, other, equal_nan=True)

    def test_predictions_that_never_vary(self):
        """A model whose predictions are all alike has no correlation, and says why."""
        table = simple(300, 5)
        table = {"csat": np.resize([1, 3, 5], 300), "transfers": np.zeros(300, dtype=int)}
        metrics = evaluate(None, table, n_boot=100).metrics
        assert metrics["spearman"].value is None
        assert "one value in every row" in metrics["spearman"].note
        assert metrics["auc"].value == 0.5


# -------------------------------------------------------------- evaluate and compare


class TestEvaluate:
    """evaluate scores with the very formulas of score_batch, and compare pairs two models."""

    def test_predictions_equal_score_batch(self):
        """The customer leg, predicted CSAT, p_low and flag equal score_batch's, row by row."""
        table = export(3000, 12)
        model = hidden_model()
        model = attrs.evolve(model, thresholds=attrs.evolve(model.thresholds, customer_at_risk=0.6))
        predictions = predict(rows_of(table, model), model, low=model.calibration.low)
        scores = stool.score_batch(table, model)
        np.testing.assert_allclose(predictions.customer, scores["customer"], rtol=0, atol=1e-12)
        np.testing.assert_allclose(predictions.predicted, scores["predicted_csat"], atol=1e-12)
        np.testing.assert_allclose(predictions.p_low, scores["p_low"], atol=1e-12)
        assert np.array_equal(predictions.flagged, scores["customer_at_risk"])

    def test_an_evaluation(self, signal_table, fitted):
        """Evaluating a FitResult evaluates its model, in sample."""
        result = evaluate(fitted, signal_table, n_boot=100)
        assert isinstance(result, Evaluation)
        assert result.model is fitted.model
        assert not result.metrics.cross_validated
        assert result.metrics["auc"].value > 0.6
        assert result.metrics.resamples == 100
        assert "Evaluation" in str(result)
        assert result.to_frame("drivers").shape[0] == len(CustomerModel.FACTORS)

    def test_compare_a_model_with_itself(self, signal_table):
        """A model compared with itself differs by exactly 0, with intervals of 0."""
        result = compare(None, StoolModel(), signal_table, n_boot=100)
        for metric in result.differences:
            if metric.value is not None:
                assert metric.value == 0.0
                assert metric.low == metric.high == 0.0

    def test_compare_finds_the_better_model(self, signal_table):
        """On answers from the hidden model, it beats the default with a paired interval above 0."""
        result = compare(None, hidden_model(), signal_table, n_boot=300)
        auc = result.differences["auc"]
        assert auc.value > 0.0
        assert auc.low > 0.0
        frame = result.to_frame()
        assert frame.loc["auc", "difference"] == pytest.approx(
            frame.loc["auc", "b"] - frame.loc["auc", "a"]
        )
        assert "paired bootstrap" in str(result)
        assert "<table>" in result._repr_html_()


class TestSensitivity:
    """sensitivity moves one parameter at a time and records what moves."""

    def test_a_wait_scale_moves_the_customer_leg(self):
        """A longer wait scale makes waiting cost less: the customer leg rises."""
        table = {"wait_time_s": np.linspace(0.0, 86_400.0, 60)}
        result = sensitivity(None, table, params=["customer.call_wait_scale_s"])
        down, up = result.change("customer.call_wait_scale_s", "customer")
        assert down < 0.0 < up
        assert result.change("customer.call_wait_scale_s", "company") != (0.0, 0.0)
        assert "auc" not in result.base  # no answers, no metrics

    def test_a_company_parameter_leaves_the_customer(self):
        """The company's handle-time slope moves the company leg, never the customer's."""
        table = {"handle_time_s": np.linspace(60.0, 1200.0, 60)}
        result = sensitivity(None, table, params=["company.aht_slope"])
        down, up = result.change("company.aht_slope", "company")
        assert up < 0.0 < down
        assert result.change("company.aht_slope", "customer") == (0.0, 0.0)

    def test_a_refused_value_is_reported(self):
        """A move the model refuses is not available, with the model's reason; nothing clamped."""
        start = StoolModel()
        model = attrs.evolve(start, customer=attrs.evolve(start.customer, promise_kept=0.95))
        result = sensitivity(model, {"fulfilment": np.ones(10)}, params=["customer.promise_kept"])
        down, up = result.change("customer.promise_kept", "customer")
        assert not math.isnan(down)
        assert math.isnan(up)
        (refused,) = [e for e in result if not e.available]
        assert "promise_kept" in refused.note
        assert refused.value == ()

    def test_metrics_table_and_tornado(self, signal_table):
        """With answers the metrics are recorded; the table has two rows a parameter."""
        params = ["customer.effort_weight", "calibration.slope", "calibration.cutpoints"]
        result = sensitivity(None, signal_table, params=params, step=0.2)
        assert "auc" in result.base
        frame = result.to_frame()
        assert frame.shape[0] == 2 * len(params)
        assert frame.loc[("calibration.cutpoints", 1), "value"] == pytest.approx(
            tuple(c * 1.2 for c in StoolModel().calibration.cutpoints)
        )
        ranking = result.ranking("customer_at_risk")
        spans = [max(abs(d), abs(u)) for _, d, u in ranking]
        assert spans == sorted(spans, reverse=True)
        ax = result.plot("auc")
        assert len(ax.patches) == 2 * len(params)
        plt.close(ax.figure)

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"params": ["customer.efort_weight"]}, "sensitivity.params"),
            ({"params": ["customer.channel"]}, "sensitivity.params"),
            ({"step": 0.0}, "sensitivity.step"),
            ({"step": 1.0}, "sensitivity.step"),
        ],
    )
    def test_bad_arguments(self, kwargs, field):
        """Unknown parameters (with the name meant) and steps outside (0, 1) are refused."""
        with pytest.raises(stool.ValidationError) as caught:
            sensitivity(None, {"fulfilment": np.ones(5)}, **kwargs)
        assert caught.value.field == field
        with pytest.raises(stool.ValidationError):
            sensitivity(None, {"fulfilment": np.ones(5)}).ranking("happiness")


class TestSampleAnswers:
    """sample_answers draws from the calibration's probabilities."""

    def test_frequencies(self):
        """For one leg value, each answer's share matches its probability."""
        table = {"wait_time_s": np.full(40_000, 1800.0)}
        answers = sample_answers(None, table, seed=3)
        leg = float(stool.score_batch(table)["customer"][0])
        expected = StoolModel().calibration.probabilities(leg)
        observed = np.bincount(answers, minlength=6)[1:] / len(answers)
        np.testing.assert_allclose(observed, expected, atol=0.01)

    def test_seeded(self):
        """The same seed draws the same answers."""
        table = export(500, 1)
        assert np.array_equal(
            sample_answers(None, table, seed=4), sample_answers(None, table, seed=4)
        )
        assert not np.array_equal(
            sample_answers(None, table, seed=4), sample_answers(None, table, seed=5)
        )


class TestTopLevel:
    """The research names load lazily from stool."""

    def test_lazy_names(self):
        """stool.fit and the rest are stool.research's own."""
        for name in ("fit", "evaluate", "compare", "sensitivity", "FitResult", "Evaluation"):
            assert getattr(stool, name) is getattr(stool.research, name)
