"""Score a Spark DataFrame with stool: the output schema and the function for `mapInArrow`.

Spark runs Python on Arrow record batches: `DataFrame.mapInArrow(function, schema)`
hands each partition's batches to `function` and expects batches of `schema` back.
[score_partition][stool.spark.score_partition] is such a function (it scores each batch
with [score_batch][stool.batch.score_batch]) and
[spark_schema][stool.spark.spark_schema] is its schema:

```python
from stool.spark import score_partition, spark_schema

scored = calls.mapInArrow(score_partition, spark_schema())
```

To keep the input's columns (ids, say) beside the scores, or to pass options, bind them
with `functools.partial` and give the input's schema:

```python
from functools import partial

score = partial(score_partition, keep_input=True, reasons=True)
scored = calls.mapInArrow(score, spark_schema(calls.schema, reasons=True))
```

Nothing here imports PySpark but [spark_schema][stool.spark.spark_schema]; the workers
need stool, numpy and pyarrow installed, as they need them for any Python function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from stool.models import StoolModel

__all__ = ["score_partition", "spark_schema"]

_FLAGS = ("customer_at_risk", "company_at_risk", "agent_at_risk", "collapsed")
_NAMES = ("customer_type", "customer_status", "company_status", "agent_status")


def spark_schema(input_schema: Any = None, *, reasons: bool = False) -> Any:
    """Return the Spark schema of [score_partition][stool.spark.score_partition]'s batches.

    Args:
        input_schema: The scored DataFrame's schema (`frame.schema`), when its columns
            are kept (`keep_input=True`); None for the scores alone.
        reasons: Whether the reason columns are added (`reasons=True`).

    Returns:
        A `pyspark.sql.types.StructType`: the input's fields, if given, then the columns
        of [OUTPUT_COLUMNS][stool.batch.OUTPUT_COLUMNS] (and
        [REASON_COLUMNS][stool.batch.REASON_COLUMNS]): doubles for the legs and
        figures, booleans for the flags, strings (nullable) for the names and reasons.

    Example:
        >>> from stool.spark import spark_schema
        >>> names = spark_schema().fieldNames()
        >>> tuple(names[:4])
        ('customer', 'company', 'agent', 'customer_at_risk')
    """
    from pyspark.sql import types  # noqa: PLC0415 - PySpark, only where Spark runs

    from stool.batch import OUTPUT_COLUMNS, REASON_COLUMNS  # noqa: PLC0415

    fields = list(input_schema.fields) if input_schema is not None else []
    for name in OUTPUT_COLUMNS + (REASON_COLUMNS if reasons else ()):
        if name in _FLAGS:
            kind: Any = types.BooleanType()
        elif name in _NAMES or name in REASON_COLUMNS:
            kind = types.StringType()
        else:
            kind = types.DoubleType()
        fields.append(types.StructField(name, kind, nullable=name not in _FLAGS))
    return types.StructType(fields)


def score_partition(
    batches: Iterable[Any],
    model: StoolModel | None = None,
    *,
    keep_input: bool = False,
    extra_columns: Literal["error", "ignore"] = "ignore",
    absent: Literal["unknown", "default"] = "unknown",
    blank: Literal["unknown", "error"] = "unknown",
    reasons: bool = False,
) -> Iterator[Any]:
    """Score Arrow record batches one by one, as Spark's `mapInArrow` hands them over.

    Each batch is scored with [score_batch][stool.batch.score_batch]; the name columns
    come back as plain strings (Spark reads no Arrow dictionaries).

    Args:
        batches: pyarrow RecordBatches whose columns are Interaction fields.
        model: The model; None for the default.
        keep_input: Whether each output batch starts with the input batch's columns.
        extra_columns: As for score_batch; `"ignore"` by default, since Spark tables
            usually carry ids.
        absent: As for score_batch.
        blank: As for score_batch.
        reasons: As for score_batch.

    Yields:
        One pyarrow RecordBatch per input batch, with the columns
        [spark_schema][stool.spark.spark_schema] describes.

    Example:
        >>> import pyarrow as pa
        >>> from stool.spark import score_partition
        >>> batch = pa.RecordBatch.from_pydict({"fulfilment": [1.0, 0.0]})
        >>> (out,) = score_partition([batch])
        >>> out.column("customer_type").to_pylist()
        [None, None]
    """
    import pyarrow as pa  # noqa: PLC0415 - the batch extra

    from stool.batch import score_batch  # noqa: PLC0415

    for batch in batches:
        scores = score_batch(
            batch,
            model,
            extra_columns=extra_columns,
            absent=absent,
            blank=blank,
            reasons=reasons,
        )
        arrays = [
            column.dictionary_decode() if pa.types.is_dictionary(column.type) else column
            for column in scores.columns
        ]
        names = list(scores.schema.names)
        if keep_input:
            arrays = [*batch.columns, *arrays]
            names = [*batch.schema.names, *names]
        yield pa.RecordBatch.from_arrays(arrays, names=names)
