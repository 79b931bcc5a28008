"""The distributed engine: Apache Spark over the warehouse's Parquet files.

The same interface as `engine.duckdb.DuckDBEngine` (`register`, `provide_calendar`, `seal`,
`query`, `close`), so `models.runner.evaluate` runs a model on either. What differs in the SQL
is written by `engine.dialects` (`compile_query(..., "spark")`); nothing here rewrites a query.

- Each dataset is a temporary view read with the schema its declaration gives
  (`data.steps.stored_schema`), never inferred: a file written before a column was declared
  gives nulls in that column, as DuckDB's `union_by_name` does.
- A snapshot read from several batches keeps the newest row per record key with DuckDB's tie
  rule: the batch's place (`Warehouse.places`), then the row, both descending. An events
  dataset is the union of its batches.
- The working-day calendar is a temporary view named `workday_calendar`.
- Rows come back through Arrow as a polars frame. Its column types are DuckDB's for the same
  query (`reference_types`, the query run on empty tables of the same schema), so a lead's
  figures are written the same way whichever engine found it: Spark gives `floor(double)` as an
  integer and DuckDB as a double, which would otherwise change the text of the figure.

One Spark session serves the whole process (`session`): starting one takes seconds to tens of
seconds and a driver's memory, and views are dropped when an engine closes.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl

from shujian.data.datasets import Dataset
from shujian.data.steps import stored_schema
from shujian.data.warehouse import Warehouse
from shujian.engine.dialects import CALENDAR_TABLE, compile_query
from shujian.engine.duckdb import QueryStopped, batch_place
from shujian.errors import UserError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

INSTALL_HINT = (
    "本机未安装 Spark 计算引擎（pyspark）。请在程序目录中运行 uv sync --extra spark"
    "（或 pip install 'shujian[spark]'）安装，并确认已安装 Java 17（如 Debian 的 default-jre-headless）；"
    "不使用 Spark 时请用默认的 --engine duckdb。"
)


@dataclass(frozen=True)
class SparkSettings:
    """`[engine.spark]` of shujian.toml (`settings.py` declares and documents each)."""

    master: str = "local[*]"
    warehouse: str = ""
    """Where the cluster reads the warehouse (hdfs://…, s3a://…); empty: the workspace's folder."""
    driver_memory: str = "2g"
    executor_memory: str = "2g"
    shuffle_partitions: int = 8
    conf: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, read: Any) -> SparkSettings:
        """From a workspace (`Workspace.setting`)."""
        return cls(
            master=read("engine.spark.master"),
            warehouse=read("engine.spark.warehouse"),
            driver_memory=read("engine.spark.driver_memory"),
            executor_memory=read("engine.spark.executor_memory"),
            shuffle_partitions=read("engine.spark.shuffle_partitions"),
            conf=dict(read("engine.spark.conf") or {}),
        )

    @property
    def connect(self) -> bool:
        """A Spark Connect server (`sc://host:15002`): the thin client, no local JVM."""
        return self.master.startswith("sc://")

    def options(self) -> dict[str, str]:
        """The session's configuration (extra `conf` last, so it can override ours)."""
        options = {
            "spark.app.name": "shujian",
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.sql.session.timeZone": "Asia/Shanghai",
            "spark.sql.shuffle.partitions": str(self.shuffle_partitions),
            # a model reads its declared views only: no `SELECT * FROM parquet.`/some/path``
            "spark.sql.runSQLOnFiles": "false",
            "spark.sql.ansi.enabled": "true",
        }
        if not self.connect:
            options["spark.driver.memory"] = self.driver_memory
            options["spark.executor.memory"] = self.executor_memory
        options.update({str(k): str(v) for k, v in self.conf.items()})
        return options


CONF_DIR = Path(__file__).with_name("spark-conf")
"""`SPARK_CONF_DIR` unless one is set: its log4j2.properties has the local driver log nothing
(a failing task's message quotes the value it failed on, an ID number as often as not)."""

_SESSION: SparkSession | None = None
_SESSION_LOCK = threading.Lock()


def session(settings: SparkSettings) -> SparkSession:
    """The process's Spark session, started on first use with `settings` (later calls reuse it:
    a session's master and memory cannot change once its JVM runs)."""
    global _SESSION
    with _SESSION_LOCK:
        if _SESSION is not None:
            return _SESSION
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise UserError(INSTALL_HINT, code="spark_missing") from None
        # the local driver listens on the loopback only, whatever the host's name resolves to
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("SPARK_CONF_DIR", str(CONF_DIR))
        # Spark's error messages are logged by pyspark before they are raised: the runner
        # reports a failure itself, without the data the message may quote
        logging.getLogger("SQLQueryContextLogger").disabled = True
        builder = SparkSession.builder
        if settings.connect:
            builder = builder.remote(settings.master)
        else:
            builder = builder.master(settings.master)
        for key, value in settings.options().items():
            builder = builder.config(key, value)
        try:
            spark = builder.getOrCreate()
        except ImportError as error:  # Spark Connect's client libraries (grpcio, pandas)
            raise UserError(
                f"连接 Spark Connect 服务 {settings.master} 需要 pyspark 的 connect 组件"
                f"（pip install 'pyspark[connect]'）：{error}",
                code="spark_missing",
            ) from None
        except Exception as error:
            if "JAVA_HOME" in str(error) or "Java gateway" in str(error):
                raise UserError(
                    "无法启动 Spark：本机没有可用的 Java（需要 Java 17，如 Debian 的 "
                    "default-jre-headless），或 JAVA_HOME 设置有误。",
                    code="spark_missing",
                ) from None
            raise
        if not settings.connect:
            spark.sparkContext.setLogLevel("OFF")
        _SESSION = spark
        return spark


def spark_type(dtype: pl.DataType) -> Any:
    """The Spark type of a stored column's polars type (`stored_schema`)."""
    from pyspark.sql import types as T

    if isinstance(dtype, pl.Decimal):
        return T.DecimalType(dtype.precision or 38, dtype.scale or 0)
    if isinstance(dtype, pl.Datetime):
        # polars writes naive timestamps, which Spark reads as TIMESTAMP_NTZ (no time zone)
        return T.TimestampNTZType()
    simple = {
        pl.Utf8: T.StringType(),
        pl.Date: T.DateType(),
        pl.Float64: T.DoubleType(),
        pl.Float32: T.FloatType(),
        pl.Int64: T.LongType(),
        pl.Int32: T.IntegerType(),
        pl.Boolean: T.BooleanType(),
    }
    for polars_type, spark in simple.items():
        if dtype == polars_type:
            return spark
    raise ValueError(f"no Spark type for {dtype}")


def spark_schema(schema: Mapping[str, pl.DataType]) -> Any:
    from pyspark.sql import types as T

    return T.StructType([T.StructField(n, spark_type(t), True) for n, t in schema.items()])


def cluster_path(path: Path, root: Path, shared: str) -> str:
    """Where the cluster reads a warehouse file: the `shared` location (`[engine.spark]
    warehouse`, e.g. hdfs://…) in place of the workspace's warehouse folder `root`, else the
    local path."""
    if not shared:
        return str(path)
    relative = path.resolve().relative_to(root.resolve()).as_posix()
    return shared.rstrip("/") + "/" + relative


class SparkQueryError(Exception):
    """A model's query that Spark refused or failed: its error class (`CAST_INVALID_INPUT`…)
    and the first line of its message (Spark's own, in English: it may quote a value, and is
    masked before it is logged, `models.failures`)."""

    def __init__(self, condition: str, message: str) -> None:
        super().__init__(message)
        self.condition = condition


def query_error(error: BaseException) -> SparkQueryError:
    """The error class and the telling line of a Spark failure (a JVM exception arrives as a
    Py4J error whose text is the whole Java stack: its innermost cause is kept)."""
    condition = ""
    for name in ("getCondition", "getErrorClass"):
        getter = getattr(error, name, None)
        if callable(getter):
            with contextlib.suppress(Exception):
                condition = getter() or ""
            if condition:
                break
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    causes = [line for line in lines if line.startswith("Caused by:")]
    line = causes[-1].removeprefix("Caused by:").strip() if causes else (lines or [""])[0]
    if not condition and (found := re.search(r"\[([A-Z_]+)(?:\.[A-Z_]+)?\]", line)):
        condition = found.group(1)
    return SparkQueryError(condition, line[:500])


_VIEW_NUMBERS = itertools.count(1)

SCATTER_CONF = "spark.shujian.scatter"
"""Session conf: spread each dataset's rows over this many partitions (`SparkEngine`)."""


class SparkEngine:
    """Temporary views of one model's datasets on the process's Spark session.

    `scatter` (tests) spreads every dataset's rows over that many partitions in an arbitrary
    order, so that a query whose answer depends on the order of its input shows it.
    """

    name = "spark"

    def __init__(
        self,
        warehouse: Warehouse,
        datasets: Mapping[str, Dataset],
        settings: SparkSettings | None = None,
        *,
        scatter: int = 0,
    ) -> None:
        self.warehouse = warehouse
        self.datasets = datasets
        self.settings = settings or SparkSettings()
        self.spark = session(self.settings)
        # `spark.shujian.scatter` in the session's conf does the same for every engine (tests)
        self.scatter = scatter or int(self.spark.conf.get(SCATTER_CONF, "0") or 0)
        self._views: set[str] = set()
        self._schemas: dict[str, dict[str, pl.DataType]] = {}
        self._calendar: pl.DataFrame | None = None
        self._reference: dict[str, str] = {}
        self.sealed = False
        self._group = f"shujian-{os.getpid()}-{next(_VIEW_NUMBERS)}"

    def close(self) -> None:
        for view in self._views:
            self.spark.catalog.dropTempView(view)
        self._views.clear()

    def __enter__(self) -> SparkEngine:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def location(self, path: Path) -> str:
        return cluster_path(path, self.warehouse.root, self.settings.warehouse)

    def register(self, dataset_ids: Iterable[str]) -> None:
        for dataset_id in dataset_ids:
            if dataset_id in self._views:
                continue
            if self.sealed:
                raise RuntimeError("a sealed engine takes no new dataset")
            dataset = self.datasets[dataset_id]
            frame = self.current_rows(dataset)
            if self.scatter:
                frame = frame.repartition(self.scatter)
            frame.createOrReplaceTempView(dataset_id)
            self._views.add(dataset_id)
            self._schemas[dataset_id] = stored_schema(dataset)

    def current_rows(self, dataset: Dataset) -> DataFrame:
        """The dataset's current rows (`engine.duckdb.current_rows`): the newest row per record
        key of a snapshot read from several batches, otherwise every stored row."""
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        schema = stored_schema(dataset)
        found = self.warehouse.sources(dataset.id)
        if not found.batches:
            return self.spark.createDataFrame([], spark_schema(schema))
        reader = self.spark.read.schema(spark_schema(schema))
        frame = reader.parquet(*[self.location(f) for f in found.files])
        if found.skip:
            frame = frame.filter(~F.col("_batch").isin([int(b) for b in found.skip]))
        if dataset.mode == "snapshot" and len(found.batches) > 1:
            place = F.expr(batch_place(found.places))
            newest = Window.partitionBy("_record_key").orderBy(place.desc(), F.col("_row").desc())
            rank = "__shujian_newest"
            frame = (
                frame.withColumn(rank, F.row_number().over(newest))
                .filter(F.col(rank) == 1)
                .drop(rank)
            )
        return frame

    def provide_calendar(self, table: pl.DataFrame) -> None:
        frame = self.spark.createDataFrame(table.to_arrow())
        frame.createOrReplaceTempView(CALENDAR_TABLE)
        self._views.add(CALENDAR_TABLE)
        self._calendar = table

    def seal(self, memory_mb: int) -> None:
        """Take no new dataset. A model's SQL was checked before (read-only, its declared
        datasets only, no refused function: `models.checks`); the session reads no file by
        path (`spark.sql.runSQLOnFiles`). Memory is the cluster's (`[engine.spark]`), not a
        per-query limit as on DuckDB."""
        self.sealed = True

    def _cancel(self) -> None:
        if self.settings.connect:
            self.spark.interruptAll()
        else:
            self.spark.sparkContext.cancelJobGroup(self._group)

    def query(self, sql: str, max_seconds: float | None = None) -> pl.DataFrame:
        """The query's rows, in DuckDB's column types (`reference_types`). A query running
        longer than `max_seconds` is cancelled; any failure comes back as `QueryStopped`."""
        from pyspark.errors import PySparkException

        stopped = threading.Event()
        timer = None
        if max_seconds is not None:

            def stop() -> None:
                stopped.set()
                self._cancel()

            timer = threading.Timer(max_seconds, stop)
            timer.daemon = True
        try:
            if not self.settings.connect:
                self.spark.sparkContext.setJobGroup(self._group, "shujian model", True)
            if timer is not None:
                timer.start()
            table = self.spark.sql(sql).toArrow()
        except Exception as error:
            if stopped.is_set():
                raise QueryStopped("time", str(error)) from None
            if isinstance(error, PySparkException) or type(error).__module__.startswith("py4j"):
                failed = query_error(error)
                raise QueryStopped("failed", str(failed), failed) from None
            raise
        finally:
            if timer is not None:
                timer.cancel()
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        return self.as_reference(sql, frame)

    def compile(self, query: str, params: Mapping[str, Any]) -> str:
        """A model's query with its parameters, as Spark SQL (`dialects.compile_query`); the
        DuckDB text is kept for the result's column types (`as_reference`)."""
        sql = compile_query(query, params, "spark")
        self._reference[sql] = compile_query(query, params, "duckdb")
        return sql

    def as_reference(self, sql: str, frame: pl.DataFrame) -> pl.DataFrame:
        """`frame` with DuckDB's column types for `sql` (`reference_types`), where they differ."""
        reference = self._reference.get(sql)
        if reference is None:
            return frame
        wanted = reference_types(reference, self._schemas, self._calendar)
        casts = [
            pl.col(name).cast(wanted[name])
            for name, dtype in frame.schema.items()
            if name in wanted and dtype != wanted[name] and wanted[name] != pl.Null
        ]
        return frame.with_columns(casts) if casts else frame


def reference_types(
    sql: str,
    schemas: Mapping[str, Mapping[str, pl.DataType]],
    calendar: pl.DataFrame | None,
) -> dict[str, pl.DataType]:
    """The column types DuckDB gives `sql` (DuckDB SQL) over empty tables of these schemas."""
    con = duckdb.connect(":memory:")
    try:
        for name, schema in schemas.items():
            con.register(f"_empty_{name}", pl.DataFrame(schema=dict(schema)))
            con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM "_empty_{name}"')
        if calendar is not None:
            con.register("_empty_calendar", calendar.clear())
            con.execute(f"CREATE VIEW {CALENDAR_TABLE} AS SELECT * FROM _empty_calendar")
        return dict(con.sql(sql).limit(0).pl().schema)
    finally:
        con.close()
