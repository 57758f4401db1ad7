"""`stool score --dask SCHEDULER`: score a table file on a Dask cluster.

The workers read the file themselves (each a block of it), score their partitions with
[score_batch][stool.batch.score_batch], and send the scores back partition by
partition, in order, to be written and summed up here.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from stool.cli._stream import located
from stool.errors import PolicyError, StoolError, ValidationError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["CONNECT_TIMEOUT", "score_on_dask"]

_PANDAS_TYPES = {"float64": "float64", "bool": "boolean", "string": "string", "int64": "Int64"}
_BLOCK_BYTES = 1 << 26
CONNECT_TIMEOUT = "10s"
"""How long to wait for the scheduler of `--dask ADDRESS` to answer."""


def _client(scheduler: str) -> tuple[Any, Any]:
    try:
        from distributed import Client, LocalCluster  # noqa: PLC0415 - the dask extra
    except ImportError:
        msg = (
            "--dask needs Dask's distributed scheduler, the dask extra: "
            "pip install 'stool[dask]', or '.[dask]' in a checkout of stool"
        )
        raise StoolError(msg) from None
    if scheduler == "local":
        # Without a dashboard the scheduler still serves its metrics over HTTP, on port
        # 8787 unless told otherwise: a free port, so a busy 8787 is no matter.
        cluster = LocalCluster(
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        )
        return Client(cluster), cluster
    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT), None
    except (OSError, ValueError) as error:
        raise ValidationError(
            "--dask", scheduler, f"the address of a running Dask scheduler ({error})"
        ) from None


def _read(source: str, fmt: str, types: Mapping[str, str]) -> Any:
    import dask.dataframe as dd  # noqa: PLC0415 - the dask extra

    if fmt == "csv":
        dtypes = {name: _PANDAS_TYPES[kind] for name, kind in types.items()}
        return dd.read_csv(source, dtype=dtypes, blocksize=_BLOCK_BYTES)
    if fmt == "jsonl":
        return dd.read_json(source, lines=True, blocksize=_BLOCK_BYTES)
    return dd.read_parquet(source)


def score_on_dask(
    source: str,
    *,
    scheduler: str,
    input_format: str,
    output: str | None,
    output_format: str | None,
    types: Mapping[str, str],
    score: Callable[[Any], Any],
    keep_input: bool,
    tally: Callable[[Any], None],
) -> int:
    """Score `source` on the cluster at `scheduler`; write and tally the scores in order.

    Returns:
        The number of rows scored.
    """
    import dask.dataframe as dd  # noqa: PLC0415 - the dask extra
    import pyarrow as pa  # noqa: PLC0415

    from stool.tables import TableWriter  # noqa: PLC0415

    client, cluster = _client(scheduler)
    writer: TableWriter | None = None
    rows = 0
    try:
        frame = _read(source, input_format, types)
        scores = score(frame)
        result = dd.concat([frame, scores], axis=1) if keep_input else scores
        if output == "-":
            writer = TableWriter(sys.stdout.buffer, format=output_format)
        elif output is not None:
            writer = TableWriter(output, format=output_format)
        futures = client.compute(result.to_delayed())
        for future in futures:
            try:
                part = future.result()
            except (ValidationError, PolicyError) as error:
                raise located(error, source, input_format, rows) from None
            future.release()
            table = pa.Table.from_pandas(part, preserve_index=False)
            tally(table)
            if writer is not None:
                writer.write(table)
            rows += table.num_rows
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    if writer is not None:
        writer.close()
    return rows
