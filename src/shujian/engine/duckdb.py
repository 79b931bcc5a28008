"""The embedded engine: DuckDB over the warehouse's Parquet files."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from shujian.data.datasets import Dataset
from shujian.data.steps import stored_schema
from shujian.data.warehouse import Sources, Warehouse
from shujian.engine.dialects import CALENDAR_TABLE, compile_query
from shujian.engine.superseded import FOLDER as SUPERSEDED_FOLDER
from shujian.engine.superseded import superseded_rows


class QueryStopped(Exception):
    """A sealed connection's query that DuckDB refused or stopped (`DuckDBEngine.seal`).

    `reason` is `time` (the time limit passed: interrupted), `memory` (the memory limit),
    `refused` (a file, extension or setting outside the sandbox) or `failed` (any other error
    of the query); `detail` is DuckDB's own (English) message.
    """

    def __init__(self, reason: str, detail: str, error: BaseException | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.error = error
        """DuckDB's own exception, for the kind of failure (`models.failures`)."""


class FreshConnections:
    """New in-memory DuckDB connections for a run of several models, each opened on a thread of
    its own while the model before it runs, and closed there afterwards.

    Opening a connection costs about 13 ms, nearly all of it outside the interpreter's lock, so
    a run of 24 small models saves about 0.4 s. Every connection is new and used by one model
    only: nothing a model registers or seals is seen by another.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="duckdb-open")
        self._next: Future[duckdb.DuckDBPyConnection] | None = self._open()

    def _open(self) -> Future[duckdb.DuckDBPyConnection]:
        return self._pool.submit(duckdb.connect, ":memory:")

    def take(self) -> duckdb.DuckDBPyConnection:
        """A connection no one has used; the next one starts opening."""
        assert self._next is not None, "taken after close"
        con = self._next.result()
        self._next = self._open()
        return con

    def give_back(self, con: duckdb.DuckDBPyConnection) -> None:
        """Close `con` on the background thread (it is never handed out again)."""
        self._pool.submit(con.close)

    def close(self) -> None:
        if self._next is not None:
            self._next.result().close()
            self._next = None
        self._pool.shutdown(wait=True)

    def __enter__(self) -> FreshConnections:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


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

    def __init__(
        self,
        warehouse: Warehouse,
        datasets: Mapping[str, Dataset],
        temp_directory: Path | None = None,
        connections: FreshConnections | None = None,
    ) -> None:
        """`connections`: where a run of several models takes its new connection from (one
        is opened here otherwise)."""
        self.warehouse = warehouse
        self.datasets = datasets
        self._connections = connections
        self.con = connections.take() if connections is not None else duckdb.connect(":memory:")
        self.con.execute("SET threads TO 2")
        if temp_directory is not None:
            # where a query larger than the memory limit spills (`[engine.duckdb]`); DuckDB
            # creates the folder when it first spills and removes its files after the query
            self.con.execute(f"SET temp_directory = {_literal(str(temp_directory))}")
        self._registered: set[str] = set()
        self._files: set[str] = set()
        self._folders: set[str] = set()
        self.sealed = False

    def close(self) -> None:
        if self._connections is not None:
            self._connections.give_back(self.con)
        else:
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
        if self.sealed:
            raise RuntimeError("a sealed connection takes no new dataset")
        sql = current_rows(self.warehouse, dataset, con=self.con)
        # what the view reads: the current batches' files and the kept superseded rows
        self._files.update(str(f) for f in self.warehouse.sources(dataset.id).files)
        self._folders.add(str(self.warehouse.root / SUPERSEDED_FOLDER / dataset.id) + "/")
        name = _quote(dataset.id)
        if sql is None:
            empty = pl.DataFrame(schema=stored_schema(dataset))
            self.con.register(f"_empty_{dataset.id}", empty)
            self.con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM _empty_{dataset.id}")
            return
        self.con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")

    def compile(self, query: str, params: Mapping[str, Any]) -> str:
        """A model's query with its parameters, as DuckDB SQL (`dialects.compile_query`)."""
        return compile_query(query, params, "duckdb")

    def provide_calendar(self, table: pl.DataFrame) -> None:
        self.con.register("_calendar_frame", table)
        self.con.execute(
            f"CREATE OR REPLACE TABLE {CALENDAR_TABLE} AS SELECT * FROM _calendar_frame"
        )

    def seal(self, memory_mb: int) -> None:
        """Restrict the connection before an author's SQL runs on it, and lock the restriction.

        Only the files of the registered datasets' views stay readable (`allowed_paths`, and the
        folders of their kept superseded rows): any other file, directory listing (`glob`),
        database (`ATTACH`), extension (`INSTALL`/`LOAD`, automatic loading included) or write
        (`COPY … TO`) is refused by DuckDB itself. Python objects are not read as tables
        (`python_enable_replacements`), memory is capped, and the configuration is locked, so
        no `SET`, `RESET` or `PRAGMA` of the query can undo any of this. Register every dataset
        (and the calendar) first: a sealed connection takes no new view.
        """
        files = _list_literal(sorted(self._files))
        folders = _list_literal(sorted(self._folders))
        for statement in (
            "SET python_enable_replacements = false",
            "SET autoinstall_known_extensions = false",
            "SET autoload_known_extensions = false",
            # settings a query could read (`current_setting`) naming the server's home folder
            "SET secret_directory = ''",
            "SET extension_directory = ''",
            f"SET allowed_paths = {files}",
            f"SET allowed_directories = {folders}",
            "SET enable_external_access = false",
            f"SET memory_limit = '{int(memory_mb)}MB'",
            "SET lock_configuration = true",
        ):
            self.con.execute(statement)
        self.sealed = True

    def _interrupt(self) -> None:
        """Stop the running query (the timer's thread); a connection closed in the meantime
        has nothing left to stop."""
        with contextlib.suppress(duckdb.Error):
            self.con.interrupt()

    def query(self, sql: str, max_seconds: float | None = None) -> pl.DataFrame:
        """The query's rows. On a sealed connection, a query running longer than `max_seconds`
        is interrupted, and whatever DuckDB refuses or stops comes back as `QueryStopped`."""
        if not self.sealed:
            return self.con.sql(sql).pl()
        timer = None
        if max_seconds is not None:
            timer = threading.Timer(max_seconds, self._interrupt)
            timer.daemon = True
            timer.start()
        try:
            # DuckDB's own parser: one statement, and a SELECT (a checker's parser may differ)
            statements = self.con.extract_statements(sql)
            if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
                kinds = ", ".join(str(s.type) for s in statements)
                raise QueryStopped("refused", f"not one SELECT statement: {kinds}")
            return self.con.sql(sql).pl()
        except duckdb.InterruptException as error:
            raise QueryStopped("time", str(error)) from None
        except duckdb.OutOfMemoryException as error:
            raise QueryStopped("memory", str(error)) from None
        except duckdb.PermissionException as error:
            raise QueryStopped("refused", str(error)) from None
        except duckdb.Error as error:
            locked = "configuration has been locked" in str(error)
            raise QueryStopped("refused" if locked else "failed", str(error), error) from None
        finally:
            if timer is not None:
                timer.cancel()


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
    gone = superseded_rows(
        con, warehouse, dataset, found, source_sql(found), batch_place(found.places)
    )
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
            f"(PARTITION BY _record_key ORDER BY {batch_place(places)} DESC, _row DESC) = 1"
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


def batch_place(places: Mapping[int, int]) -> str:
    """A batch's place in the order of a snapshot's batches: its id, or for a replacement the id
    of the batch it replaced (`Warehouse.places`)."""
    if not places:
        return "_batch"
    whens = " ".join(f"WHEN {int(batch)} THEN {int(place)}" for batch, place in places.items())
    return f"CASE _batch {whens} ELSE _batch END"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _list_literal(items: list[str]) -> str:
    return "[" + ", ".join(_literal(i) for i in items) + "]::VARCHAR[]"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
