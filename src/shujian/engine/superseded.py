"""The stored rows a snapshot dataset no longer reads, found once per batch set and kept.

A snapshot read from several batches keeps, for each record key, the row of the newest batch
(`duckdb.newest_per_key`). Choosing it with a window over every stored row is the costliest part
of reading a large snapshot: for 5,000,000 net-café logins in five overlapping exports, ten times
the time of reading the rows themselves, paid again by every model and every reference to the
dataset in a query. And a filter on other columns (a minor's age) cannot be applied before the
choice, since an older version of a record may meet it when the newest does not.

The rows that are *not* the newest of their key depend only on the dataset's current batches and
their places, so they are found once per batch set and kept: a small Parquet file of
(`_batch`, `_row`) pairs under `warehouse/.superseded/<dataset>/`, named by a digest of the batch
set. Reading the current rows is then the stored rows less those pairs (an anti-join on two
integers), which a model's filters pass through to the scan. The file is derived data only:
a new import makes a new batch set and so a new file at the next read; files of other batch sets
are removed once a day old (never one a reader may still be opening), and a missing or unwritable
file only means finding the rows again.

Finding them: only keys whose 64-bit hash occurs more than once can have several versions, so only
those rows (a few per cent when exports overlap) are ranked by the exact window; the others are
the only row of their key.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import uuid
from pathlib import Path

import duckdb

from shujian.data.datasets import Dataset
from shujian.data.warehouse import Sources, Warehouse

FOLDER = ".superseded"
"""Inside the warehouse; a folder starting with a dot is no dataset's (the sweep leaves it)."""

KEEP_SECONDS = 24 * 3600
"""Files of other batch sets are removed when older than this."""

VERSION = "1"
"""Part of the digest: a change to how the rows are found makes new files."""


def superseded_rows(
    con: duckdb.DuckDBPyConnection,
    warehouse: Warehouse,
    dataset: Dataset,
    found: Sources,
    source: str,
    place: str,
) -> str:
    """A table expression of the (`_batch`, `_row`) pairs of `source`'s stored rows that are not
    the newest of their record key (by `place`, then `_row`), from the kept file of this batch
    set, found and kept first when there is none."""
    path = _path(warehouse, dataset, found)
    if path.is_file():
        return f"read_parquet({_literal(str(path))})"
    table = f"_superseded_{dataset.id}"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {_quote(table)} AS
        WITH stored AS (
          SELECT _record_key, _batch, _row, hash(_record_key) AS _hash FROM {source}
        ),
        repeated AS (SELECT _hash FROM stored GROUP BY _hash HAVING count(*) > 1)
        SELECT _batch, _row FROM stored
        WHERE _hash IN (SELECT _hash FROM repeated)
        QUALIFY row_number() OVER (PARTITION BY _record_key ORDER BY {place} DESC, _row DESC) > 1
        ORDER BY _batch, _row
        """
    )
    # not kept (a read-only warehouse): in this connection only, the next reader finds them again
    with contextlib.suppress(OSError, duckdb.IOException):
        _keep(con, table, path)
    return _quote(table)


def _path(warehouse: Warehouse, dataset: Dataset, found: Sources) -> Path:
    batch_set = [[b.id, found.places.get(b.id, b.id)] for b in found.batches]
    digest = hashlib.sha256(json.dumps([VERSION, dataset.id, batch_set]).encode()).hexdigest()
    return warehouse.root / FOLDER / dataset.id / f"{digest[:32]}.parquet"


def _keep(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    """Write the rows to `path` atomically (a temporary name, then a rename), and remove the
    files of other batch sets older than `KEEP_SECONDS`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}.parquet")
    try:
        con.execute(f"COPY {_quote(table)} TO {_literal(str(tmp))} (FORMAT parquet)")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    old = time.time() - KEEP_SECONDS
    for other in path.parent.iterdir():
        if other != path and other.stat().st_mtime < old:
            other.unlink(missing_ok=True)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
