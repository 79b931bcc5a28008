"""The embedded engine: DuckDB over the warehouse's Parquet files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb
import polars as pl

from shujian.data.datasets import Dataset
from shujian.data.steps import stored_schema
from shujian.data.warehouse import Warehouse
from shujian.engine.dialects import CALENDAR_TABLE


class DuckDBEngine:
    """One in-memory DuckDB connection with a view per dataset (current state only).

    Only current batches are read (`Warehouse.files`): a batch replaced by a re-import of its
    file with other options is kept in the warehouse but is invisible to every model.

    A snapshot dataset's view keeps, for each record key, the row of the newest batch (a batch
    holds each key once: the importer keeps a file's last row per key, so a single batch needs
    no window); an events dataset's view is the union of its batches (duplicates were refused
    at import).
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
        sql = current_rows(self.warehouse, dataset)
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
    warehouse: Warehouse, dataset: Dataset, where: str | None = None, columns: str = "*"
) -> str | None:
    """The SELECT of a dataset's current rows (None when it has no current batch): the newest
    row per record key of a snapshot, the union of an events dataset's batches.

    `where` is applied to the stored rows *before* the newest row per key is chosen, so that a
    service reading a few records (one minor's visits, one month's) does not rank every row.
    It must test record-key columns only (or `_record_key`): a condition on another column
    would pick an older row whose newer version no longer meets it. `columns` lists what to
    read (the record key and `_batch`, `_row` are read for the ranking in any case).
    """
    files = warehouse.files(dataset.id)
    if not files:
        return None
    condition = f" WHERE {where}" if where else ""
    several = len(files) > 1
    return newest_per_key(
        dataset,
        f"(SELECT * FROM {parquet_source(files)}{condition})",
        warehouse.places(dataset.id) if several and dataset.mode == "snapshot" else {},
        several,
        columns,
    )


def newest_per_key(
    dataset: Dataset, source: str, places: dict[int, int], several: bool, columns: str = "*"
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
    (a `read_parquet` table expression); None when it has no current batch."""
    files = warehouse.files(dataset.id)
    return parquet_source(files) if files else None


def parquet_source(files: list[Path]) -> str:
    """A table expression reading these Parquet files (by column name: older batches may lack
    columns a declaration added since)."""
    listing = "[" + ", ".join(_literal(str(f)) for f in files) + "]"
    return f"read_parquet({listing}, union_by_name = true)"


def _place(places: dict[int, int]) -> str:
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
