"""Tests for `stool fit` and `stool evaluate`, in-process with click's runner."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

import stool
from stool import cli
from stool.research import sample_answers


def invoke(*args):
    """Run `stool ARGS` in-process and return click's result."""
    return CliRunner().invoke(cli.app, [str(a) for a in args])


def survey_table(n: int, seed: int, *, signal: bool = True) -> dict[str, np.ndarray]:
    """A table of contacts with answers from the default model (or independent of it)."""
    rng = np.random.default_rng(seed)
    table = {
        "fulfilment": rng.choice([0.0, 0.5, 1.0], n),
        "professionalism": rng.beta(4, 2, n),
        "wait_time_s": rng.exponential(1800.0, n),
        "transfers": rng.poisson(0.5, n),
    }
    if signal:
        table["csat"] = sample_answers(None, table, seed=seed + 1)
    else:
        table["csat"] = rng.choice([1, 2, 3, 4, 5], n, p=[0.15, 0.05, 0.1, 0.2, 0.5])
    return table


@pytest.fixture(scope="module")
def surveys(tmp_path_factory):
    """A CSV file of 1,200 answered contacts."""
    path = tmp_path_factory.mktemp("surveys") / "surveys.csv"
    stool.write_table(survey_table(1200, 3), path)
    return path


class TestFit:
    """`stool fit` fits, prints, saves and exits with a meaningful status."""

    def test_fit_saves_a_model_that_scores(self, surveys, tmp_path):
        """The saved model loads with stool.load_model and `stool score --model` uses it."""
        model = tmp_path / "fitted.toml"
        result = invoke("fit", surveys, "-o", model, "--n-boot", "100", "--cv", "3")
        assert result.exit_code == 0, result.output
        assert "Metrics, 3-fold cross-validated" in result.stdout
        assert "auc" in result.stdout
        assert "Drivers of the customer leg" in result.stdout
        assert "Not identified" in result.stdout  # empathy, among others, is not in the table
        fitted = stool.load_model(model)
        assert fitted.calibration.base_rate > 0.0
        scored = invoke("score", surveys, "--model", model, "--json")
        assert scored.exit_code == 0, scored.output

    def test_json(self, surveys, tmp_path):
        """--json prints the metrics, parameters, drivers and notes for programs."""
        model = tmp_path / "fitted.json"
        result = invoke(
            "fit",
            surveys,
            "-o",
            model,
            "--json",
            "--n-boot",
            "100",
            "--params",
            "customer.fulfilment_weight, customer.effort_weight,calibration.cutpoints",
        )
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["output"] == str(model)
        assert data["cv"] == 5
        assert set(data["params"]) == {
            "customer.fulfilment_weight",
            "customer.effort_weight",
            *(f"calibration.cutpoints[{k}]" for k in range(4)),
        }
        assert data["metrics"]["auc"]["low"] > 0.5
        assert data["at_chance"] is False
        assert stool.load_model(model).customer.effort_weight == pytest.approx(
            data["params"]["customer.effort_weight"]["fitted"]
        )

    def test_fail_at_chance(self, tmp_path):
        """On answers that nothing predicts, --fail-at-chance exits with status 1."""
        path = tmp_path / "noise.csv"
        stool.write_table(survey_table(800, 5, signal=False), path)
        result = invoke("fit", path, "--fail-at-chance", "--n-boot", "200", "--cv", "0")
        assert result.exit_code in (0, 1)
        data = json.loads(invoke("fit", path, "--json", "--n-boot", "200", "--cv", "2").stdout)
        status = invoke("fit", path, "--fail-at-chance", "--n-boot", "200", "--cv", "2")
        assert status.exit_code == (1 if data["at_chance"] else 0)
        assert data["at_chance"] is True

    @pytest.mark.parametrize(
        ("args", "words"),
        [
            (["--target", "review"], "fit.target"),
            (["--params", "customer.efort_weight"], "did you mean 'customer.effort_weight'"),
            (["--cv", "1"], "--cv 1"),
            (["--low", "5"], "--low"),
        ],
    )
    def test_bad_input_is_one_line(self, surveys, args, words):
        """Bad options and bad names exit with status 2 and one line naming them."""
        result = invoke("fit", surveys, *args)
        assert result.exit_code == 2
        assert words in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1

    def test_bad_answers_name_the_row(self, tmp_path):
        """An answer outside 1 to 5 is reported with its column and row."""
        table = survey_table(100, 1)
        table["csat"] = table["csat"].astype(float)
        table["csat"][7] = 6.0
        path = tmp_path / "bad.csv"
        stool.write_table(table, path)
        result = invoke("fit", path)
        assert result.exit_code == 2
        assert "csat (row 7)" in result.stderr


class TestEvaluate:
    """`stool evaluate` measures the default or a saved model."""

    def test_default_model(self, surveys):
        """Without --model the default model is measured; the table shows every metric."""
        result = invoke("evaluate", surveys, "--n-boot", "100")
        assert result.exit_code == 0, result.output
        assert "the default model" in result.stdout
        for name in ("spearman", "auc", "brier", "flag_lift"):
            assert name in result.stdout

    def test_saved_model_and_json(self, surveys, tmp_path):
        """--model reads a model file; --json prints metrics, drivers and coverage."""
        model = tmp_path / "m.toml"
        stool.save_model(stool.StoolModel(), model)
        result = invoke("evaluate", surveys, "--model", model, "--json", "--n-boot", "100")
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["rows"] == 1200
        assert data["coverage"]["empathy"] == 0.0
        assert data["metrics"]["auc"]["value"] > 0.6
        assert set(data["drivers"]) == set(stool.CustomerModel.FACTORS)

    def test_fail_at_chance_passes_with_signal(self, surveys):
        """A model that predicts the answers passes --fail-at-chance."""
        assert invoke("evaluate", surveys, "--fail-at-chance", "--n-boot", "100").exit_code == 0

    def test_missing_target(self, surveys):
        """A target column that is not there is bad input, named."""
        result = invoke("evaluate", surveys, "--target", "cast")
        assert result.exit_code == 2
        assert "did you mean 'csat'" in result.stderr
