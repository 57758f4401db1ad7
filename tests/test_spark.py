"""Tests for stool.spark: the mapInArrow recipe on a real Spark session, `local[2]`.

Spark needs PySpark (the spark extra) and a Java runtime (`.ci/run` installs Debian's
`default-jre-headless`). In CI (`CI=true`) a Spark that cannot start fails the tests;
elsewhere they are skipped, saying why.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from stool.batch import OUTPUT_COLUMNS, REASON_COLUMNS, score_batch
from stool.spark import score_partition, spark_schema

ROOT = Path(__file__).resolve().parent.parent

# PySpark warns, on import, that it does not yet fully support pandas 3; the recipe uses
# Arrow only.
pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")


def _no_spark(reason: str):
    message = (
        f"the Spark recipe's tests need PySpark and Java: {reason}. Install them with "
        "pip install -e '.[dev]' and apt-get install default-jre-headless (.ci/run does both)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def spark():
    """A Spark session on `local[2]`, with this interpreter for its Python workers."""
    try:
        from pyspark.sql import SparkSession  # noqa: PLC0415 - skipped or failed, with a reason
    except ImportError as error:
        _no_spark(f"PySpark is not installed ({error})")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        _no_spark("no java on the PATH and no JAVA_HOME")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    try:
        session = (
            SparkSession.builder.master("local[2]")
            .appName("stool-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.pyspark.python", sys.executable)
            .config("spark.pyspark.driver.python", sys.executable)
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate()
        )
    except Exception as error:  # noqa: BLE001 - any failure to start is reported as such
        _no_spark(f"Spark did not start ({type(error).__name__}: {error})")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def calls(rows: int = 2_000) -> pd.DataFrame:
    """A seeded table with an id, enum names in mixed case and blanks."""
    rng = np.random.default_rng(9)
    return pd.DataFrame(
        {
            "ticket": [f"T-{i}" for i in range(rows)],
            "channel": rng.choice(["call", "CHAT", "Email"], rows),
            "fulfilment": np.where(rng.random(rows) < 0.1, np.nan, rng.random(rows)),
            "customer_abuse": rng.random(rows) ** 4,
            "breaks": rng.poisson(0.05, rows).astype(float),
        }
    )


class TestSchema:
    def test_fields_follow_the_output_columns(self):
        """The schema lists the output columns, with Spark types for each."""
        pytest.importorskip("pyspark", reason="the spark extra")
        schema = spark_schema(reasons=True)
        assert tuple(schema.names) == OUTPUT_COLUMNS + REASON_COLUMNS
        kinds = {field.name: field.dataType.simpleString() for field in schema.fields}
        assert kinds["customer"] == "double"
        assert kinds["collapsed"] == "boolean"
        assert kinds["customer_type"] == kinds["agent_reason"] == "string"

    def test_partition_batches_match_the_schema(self):
        """score_partition yields batches of plain types, the input's columns first if kept."""
        batch = pa.RecordBatch.from_pandas(calls(50), preserve_index=False)
        (out,) = score_partition([batch], keep_input=True, reasons=True)
        assert out.schema.names[: batch.num_columns] == batch.schema.names
        assert not any(pa.types.is_dictionary(field.type) for field in out.schema)
        scores = score_batch(batch, extra_columns="ignore", reasons=True)
        assert out.column("customer").equals(scores.column("customer"))
        assert out.column("customer_type").to_pylist() == scores.column("customer_type").to_pylist()


class TestRecipe:
    def test_map_in_arrow_equals_pandas(self, spark):
        """The documented recipe on local[2] gives the pandas path's scores, row for row."""
        frame = calls(600)
        calls_df = spark.createDataFrame(frame)
        score = functools.partial(score_partition, keep_input=True, reasons=True)
        scored = calls_df.mapInArrow(score, spark_schema(calls_df.schema, reasons=True))
        got = pa.Table.from_batches(scored._collect_as_arrow()).to_pandas()
        got = got.set_index(got["ticket"].str[2:].astype(int)).sort_index()
        expected = score_batch(frame, extra_columns="ignore", reasons=True)
        for name in OUTPUT_COLUMNS + REASON_COLUMNS:
            left = got[name].astype(object).where(got[name].notna(), None).tolist()
            right = expected[name].astype(object).where(expected[name].notna(), None).tolist()
            assert left == right, name

    def test_scores_alone(self, spark):
        """Without options, the scores alone come back, one row per input row."""
        frame = calls(100)
        scored = spark.createDataFrame(frame.drop(columns="ticket")).mapInArrow(
            score_partition, spark_schema()
        )
        assert tuple(scored.columns) == OUTPUT_COLUMNS
        assert scored.count() == 100

    def test_bad_value_fails_the_job(self, spark):
        """A bad value fails the Spark job with stool's message."""
        frame = calls(20)
        frame.loc[7, "fulfilment"] = 1.5
        scored = spark.createDataFrame(frame).mapInArrow(score_partition, spark_schema())
        with pytest.raises(Exception, match=r"fulfilment \(row \d+\): got 1.5"):
            scored.collect()
