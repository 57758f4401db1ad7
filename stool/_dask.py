"""Dask DataFrames in score_batch and evaluate_batch: lazy, partition by partition.

Each partition is a pandas DataFrame, scored (or judged) on a worker by the very
function that scores one in memory, through `map_partitions`. The output's `meta`, the
empty frame that tells Dask the columns and their types, is what that function gives
for the input's own `meta`, so nothing is computed to build the graph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stool.models import StoolModel
    from stool.policy import PolicyBook

__all__ = ["evaluate_dask", "score_dask"]


def _score_partition(partition: Any, model: StoolModel, options: Any) -> Any:
    from stool.batch import score_batch  # noqa: PLC0415 - on the worker

    return score_batch(partition, model, **options)


def score_dask(data: Any, model: StoolModel, options: Any) -> Any:
    """Score a Dask DataFrame lazily: a Dask DataFrame of scores, partition for partition."""
    from stool.batch import _reject_extra_columns  # noqa: PLC0415 - the package's own helper

    keywords = options._asdict()
    if keywords["extra_columns"] == "error":
        _reject_extra_columns(list(data.columns))  # known without computing anything
    meta = _score_partition(data._meta, model, keywords)  # noqa: SLF001 - Dask's documented meta
    return data.map_partitions(_score_partition, model, keywords, meta=meta)


def _judge_partition(partition: Any, book: PolicyBook, by: Any, justification: Any) -> Any:
    from stool.policy._batch import evaluate_batch  # noqa: PLC0415 - on the worker

    # A pandas partition in, its verdicts out: categorical columns, the partition's index.
    return evaluate_batch(book, partition, by=by, justification=justification)


def evaluate_dask(data: Any, book: PolicyBook, by: Any, justification: Any) -> Any:
    """Judge a Dask DataFrame lazily: a Dask DataFrame of verdicts, partition for partition."""
    meta = _judge_partition(data._meta, book, by, justification)  # noqa: SLF001 - Dask's meta
    return data.map_partitions(_judge_partition, book, by, justification, meta=meta)
