"""Tests for Dask DataFrames in score_batch, evaluate_batch and `stool score --dask`.

They run on a real `distributed.LocalCluster` of two worker processes, started once for
the module, and compare every row with the pandas path.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stool
from stool import cli
from stool.batch import score_batch
from stool.policy import load_example
from stool.strategies import interactions

dd = pytest.importorskip("dask.dataframe", reason="the dask extra: pip install -e '.[dev]'")
distributed = pytest.importorskip("distributed", reason="the dask extra: pip install -e '.[dev]'")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def client():
    """A client of a LocalCluster with two worker processes, for the whole module."""
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            # Without a dashboard the scheduler still serves its metrics over HTTP, on port
            # 8787 unless told otherwise; a free port keeps parallel runs from colliding.
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        ) as cluster,
        distributed.Client(cluster) as connected,
    ):
        yield connected


def calls(rows: int = 3_000, seed: int = 5) -> pd.DataFrame:
    """A seeded table with an id, string enums in mixed case, and blanks."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "ticket": [f"T-{i}" for i in range(rows)],
            "channel": rng.choice(["call", "CHAT", "Email"], rows),
            "fulfilment": np.where(rng.random(rows) < 0.1, np.nan, rng.random(rows)),
            "customer_abuse": rng.random(rows) ** 4,
            "breaks": rng.poisson(0.05, rows),
            "transfers": rng.integers(0, 3, rows),
        },
        index=pd.Index(np.arange(rows) * 10, name="row"),
    )


class TestScoreDask:
    def test_lazy_with_correct_meta(self, client):
        """A Dask frame gives a lazy Dask frame whose meta matches what it computes."""
        frame = calls()
        lazy = score_batch(dd.from_pandas(frame, npartitions=4), extra_columns="ignore")
        assert isinstance(lazy, dd.DataFrame)
        assert lazy.npartitions == 4
        computed = lazy.compute()
        assert dict(lazy.dtypes) == dict(computed.dtypes)
        assert tuple(lazy.columns) == stool.batch.OUTPUT_COLUMNS

    @pytest.mark.parametrize("reasons", [False, True])
    def test_row_for_row_as_pandas(self, client, reasons):
        """Every row, index and type equal the pandas path's, on two worker processes."""
        frame = calls()
        expected = score_batch(frame, extra_columns="ignore", reasons=reasons)
        lazy = score_batch(
            dd.from_pandas(frame, npartitions=5), extra_columns="ignore", reasons=reasons
        )
        pd.testing.assert_frame_equal(lazy.compute(), expected)

    @settings(
        max_examples=10,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(rows=st.lists(interactions(), min_size=2, max_size=20), parts=st.integers(1, 3))
    def test_generated_tables(self, client, rows, parts):
        """Generated interactions scored on the cluster equal the pandas path's scores."""
        records = [stool.unstructure(row) for row in rows]
        # Dask turns object columns into strings: booleans with blanks need pandas'
        # nullable "boolean" dtype, as the scale-out how-to says.
        frame = pd.DataFrame.from_records(records, columns=list(records[0])).convert_dtypes()
        lazy = score_batch(dd.from_pandas(frame, npartitions=parts))
        pd.testing.assert_frame_equal(lazy.compute(), score_batch(frame))

    def test_extra_columns_checked_before_computing(self, client):
        """A misspelt column is refused at once, without running the graph."""
        frame = dd.from_pandas(pd.DataFrame({"fulfillment": [1.0]}), npartitions=1)
        with pytest.raises(stool.ValidationError, match="did you mean 'fulfilment'"):
            score_batch(frame)

    def test_bad_value_raises_on_compute(self, client):
        """A bad value is found on a worker and raised, as a ValidationError, on compute."""
        frame = calls()
        frame.loc[frame.index[2_500], "fulfilment"] = 1.5
        lazy = score_batch(dd.from_pandas(frame, npartitions=3), extra_columns="ignore")
        with pytest.raises(stool.ValidationError) as info:
            lazy.compute()
        assert (info.value.field, info.value.label) == ("fulfilment", 25_000)


class TestEvaluateDask:
    def test_row_for_row_as_pandas(self, client):
        """Verdicts on the cluster equal evaluate_batch's on the pandas frame, index kept."""
        rng = np.random.default_rng(11)
        rows = 2_000
        frame = pd.DataFrame(
            {
                "action": rng.choice(["refund", "exchange"], rows),
                "days_since_purchase": rng.integers(0, 90, rows),
                "refund_amount": rng.uniform(0, 100, rows).round(2),
                "purchase_price": rng.uniform(0, 100, rows).round(2),
                "item_category": rng.choice(["kitchen", "hygiene"], rows),
            },
            index=pd.RangeIndex(5, 5 + rows),
        )
        book = load_example("returns")
        lazy = book.evaluate_batch(
            dd.from_pandas(frame, npartitions=4), by=stool.Authority.SUPERVISOR
        )
        assert isinstance(lazy, dd.DataFrame)
        expected = book.evaluate_batch(frame, by=stool.Authority.SUPERVISOR)
        pd.testing.assert_frame_equal(lazy.compute(), expected)
        pd.testing.assert_index_equal(expected.index, frame.index)

    def test_meta_matches_the_partitions(self, client):
        """The lazy frame's meta has each computed partition's categorical dtypes."""
        frame = pd.DataFrame(
            {
                "action": ["refund", "exchange", "refund", "refund"],
                "days_since_purchase": [40, 3, 33, 2],
                "refund_amount": [5.0, 5.0, 5.0, 9.0],
                "purchase_price": [5.0, 5.0, 5.0, 5.0],
                "item_category": ["kitchen", "hygiene", "kitchen", "kitchen"],
            }
        )
        lazy = load_example("returns").evaluate_batch(dd.from_pandas(frame, npartitions=2))
        meta = lazy._meta  # Dask's documented meta
        assert all(isinstance(dtype, pd.CategoricalDtype) for dtype in meta.dtypes)
        for partition in lazy.to_delayed():
            computed = partition.compute()
            assert len(computed) > 0
            pd.testing.assert_series_equal(computed.dtypes, meta.dtypes)


class TestCommandLine:
    def test_score_dask_equals_score(self, client, tmp_path):
        """`stool score --dask ADDRESS` writes the file `stool score` writes."""
        path = tmp_path / "calls.csv"
        stool.write_table(calls(rows=4_000).reset_index(drop=True), path)
        args = ["score", str(path), "--extra-columns", "ignore", "--reasons"]
        local = CliRunner().invoke(cli.app, [*args, "-o", str(tmp_path / "local.csv")])
        assert local.exit_code == 0, local.output
        on_dask = CliRunner().invoke(
            cli.app,
            [*args, "-o", str(tmp_path / "dask.csv"), "--dask", client.scheduler.address, "--json"],
        )
        assert on_dask.exit_code == 0, on_dask.output
        assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()
        assert '"rows": 4000' in on_dask.stdout

    def test_score_dask_local_equals_score(self, tmp_path):
        """`stool score --dask local` starts a cluster of its own and writes the same file."""
        path = tmp_path / "calls.csv"
        stool.write_table(calls(rows=2_000).reset_index(drop=True), path)
        args = ["score", str(path), "--extra-columns", "ignore"]
        local = CliRunner().invoke(cli.app, [*args, "-o", str(tmp_path / "local.csv")])
        assert local.exit_code == 0, local.output
        on_dask = CliRunner().invoke(
            cli.app, [*args, "-o", str(tmp_path / "dask.csv"), "--dask", "local"]
        )
        assert on_dask.exit_code == 0, on_dask.output
        assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()

    def test_bad_row_names_the_line(self, client, tmp_path):
        """A bad value read by a worker is reported with the file's line, as without Dask."""
        path = tmp_path / "calls.csv"
        path.write_text("fulfilment,transfers\n" + "1.0,0\n" * 5 + "1.0,-1\n")
        result = CliRunner().invoke(
            cli.app, ["score", str(path), "--dask", client.scheduler.address]
        )
        assert result.exit_code == 2
        assert "line 7 (row 5), column 'transfers'" in result.output

    def test_unreachable_scheduler(self, tmp_path, monkeypatch):
        """An address where no scheduler answers is bad input, said in one line."""
        monkeypatch.setattr("stool.cli._dask.CONNECT_TIMEOUT", "1s")
        path = tmp_path / "calls.csv"
        path.write_text("fulfilment\n1.0\n")
        result = CliRunner().invoke(cli.app, ["score", str(path), "--dask", "tcp://127.0.0.1:9"])
        assert result.exit_code == 2
        assert "--dask" in result.output
