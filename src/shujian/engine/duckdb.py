"""The embedded engine: DuckDB over the warehouse's Parquet files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb
import polars as pl

from shujian.data.datasets import Dataset
from shujian.data.steps import stored_schema
from shujian.data.warehouse import Sources, Warehouse
from shujian.engine.dialects import CALENDAR_TABLE
from shujian.engine.superseded import superseded_rows


class DuckDBEngine:
    """One in-memory DuckDB connection with a view per dataset (current state only).

    Only current batches are read (`Warehouse.sources`): a batch replaced by a re-import of its
    file with other options is kept in the warehouse but is invisible to every model. Small
    batches compacted together are read from the compaction's one file.

    A snapshot dataset's view keeps, for each record key, the row of the newest batch (a batch
    holds each key once: the importer keeps a file's last row per key, so a single batch needs
    nothing more): its stored rows less those another batch's row replaces, found once per batch
    set (`superseded`). An events dataset's view is the union of its batches (duplicates were
    refused at import).
    """

    name = "duckdb"

    def __init__(self, warehouse: Warehouse, datasets: Mapping[str, Dataset]) -> None:
        self.warehouse = warehouse
        self.datasets = datasets
        self.con = duckdb.connect(":memory:")
        self.con.execute("SET threads TO 2")
        self._registered: set[str] = set()

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> DuckDBEngine:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def register(self, dataset_ids: Iterable[str]) -> None:
        for dataset_id in dataset_ids:
            if dataset_id in self._registered:
                continue
            self._create_view(self.datasets[dataset_id])
            self._registered.add(dataset_id)

    def _create_view(self, dataset: Dataset) -> None:
        sql = current_rows(self.warehouse, dataset, con=self.con)
        name = _quote(dataset.id)
        if sql is None:
            empty = pl.DataFrame(schema=stored_schema(dataset))
            self.con.register(f"_empty_{dataset.id}", empty)
            self.con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM _empty_{dataset.id}")
            return
        self.con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")

    def provide_calendar(self, table: pl.DataFrame) -> None:
        self.con.register("_calendar_frame", table)
        self.con.execute(
            f"CREATE OR REPLACE TABLE {CALENDAR_TABLE} AS SELECT * FROM _calendar_frame"
        )

    def query(self, sql: str) -> pl.DataFrame:
        return self.con.sql(sql).pl()


def current_rows(
    warehouse: Warehouse,
    dataset: Dataset,
    where: str | None = None,
    columns: str = "*",
    *,
    con: duckdb.DuckDBPyConnection | None = None,
) -> str | None:
    """The SELECT of a dataset's current rows (None when it has no current batch): the newest
    row per record key of a snapshot, the union of an events dataset's batches.

    `where` is applied to the stored rows *before* the newest row per key is chosen, so that a
    service reading a few records (one minor's visits, one month's) does not rank every row.
    It must test record-key columns only (or `_record_key`): a condition on another column
    would pick an older row whose newer version no longer meets it. `columns` lists what to
    read (the record key and `_batch`, `_row` are read for the ranking in any case).

    With `con` (the engine's connection), a snapshot of several batches is read as its stored
    rows less those that are not the newest of their key, found once per batch set and kept
    (`superseded.superseded_rows`): no window at all, and a query's own filters on any column
    reach the scan.
    """
    found = warehouse.sources(dataset.id)
    if not found.batches:
        return None
    condition = f" WHERE {where}" if where else ""
    # several batches, whether in several files or in one compaction's file
    several = len(found.batches) > 1
    places = found.places if several and dataset.mode == "snapshot" else {}
    if con is not None and several and dataset.mode == "snapshot":
        return without_superseded(
            con,
            warehouse,
            dataset,
            found,
            f"(SELECT * FROM {source_sql(found)}{condition})",
            columns,
        )
    return newest_per_key(
        dataset, f"(SELECT * FROM {source_sql(found)}{condition})", places, several, columns
    )


def without_superseded(
    con: duckdb.DuckDBPyConnection,
    warehouse: Warehouse,
    dataset: Dataset,
    found: Sources,
    source: str,
    columns: str = "*",
) -> str:
    """The SELECT of `source`'s rows — stored rows of `found`'s batches of a snapshot, read any
    way — less those that are not the newest of their record key (`superseded.superseded_rows`,
    kept per batch set): what `newest_per_key` chooses, without ranking every row."""
    gone = superseded_rows(con, warehouse, dataset, found, source_sql(found), _place(found.places))
    return (
        f"SELECT {columns} FROM {source} AS s "
        f"ANTI JOIN {gone} AS g ON g._batch = s._batch AND g._row = s._row"
    )


def newest_per_key(
    dataset: Dataset, source: str, places: Mapping[int, int], several: bool, columns: str = "*"
) -> str:
    """The SELECT of `source`'s rows (stored rows of the dataset's current batches) reduced as a
    model reads them: for a snapshot read from several batches, the newest row per record key
    (the batch's place, `Warehouse.places`, then the row); otherwise every row."""
    if dataset.mode == "snapshot" and several:
        return (
            f"SELECT {columns} FROM {source} QUALIFY row_number() OVER "
            f"(PARTITION BY _record_key ORDER BY {_place(places)} DESC, _row DESC) = 1"
        )
    return f"SELECT {columns} FROM {source}"


def stored_rows(warehouse: Warehouse, dataset: Dataset) -> str | None:
    """Every stored row of the dataset's current batches, older versions of a record included
    (a table expression); None when it has no current batch."""
    found = warehouse.sources(dataset.id)
    return source_sql(found) if found.batches else None


def source_sql(found: Sources) -> str:
    """A table expression reading the stored rows of these sources' batches: their files, less
    the rows of the batches a compaction's file holds that are not to be read."""
    read = parquet_source(list(found.files))
    if not found.skip:
        return read
    skipped = ", ".join(str(int(b)) for b in found.skip)
    return f"(SELECT * FROM {read} WHERE _batch NOT IN ({skipped}))"


def parquet_source(files: list[Path]) -> str:
    """A table expression reading these Parquet files (by column name: older batches may lack
    columns a declaration added since)."""
    listing = "[" + ", ".join(_literal(str(f)) for f in files) + "]"
    return f"read_parquet({listing}, union_by_name = true)"


def _place(places: Mapping[int, int]) -> str:
    """A batch's place in the order of a snapshot's batches: its id, or for a replacement the id
    of the batch it replaced (`Warehouse.places`)."""
    if not places:
        return "_batch"
    whens = " ".join(f"WHEN {int(batch)} THEN {int(place)}" for batch, place in places.items())
    return f"CASE _batch {whens} ELSE _batch END"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
