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
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import duckdb
import polars as pl

from shujian.data.datasets import Dataset
from shujian.data.steps import stored_schema
from shujian.data.warehouse import Warehouse
from shujian.engine.connect import connect_address, connect_problem, is_connect, unreachable
from shujian.engine.dialects import CALENDAR_TABLE, compile_query
from shujian.engine.duckdb import QueryStopped, batch_place
from shujian.errors import UserError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

INSTALL_HOW = "请在程序目录中运行 uv sync --extra spark（或 pip install 'shujian[spark]'）安装"
INSTALL_HINT = (
    f"本机未安装 Spark 计算引擎（pyspark）。{INSTALL_HOW}，并确认已安装 Java 17（如 Debian 的 "
    "default-jre-headless）；不使用 Spark 时请用默认的 --engine duckdb。"
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
        return is_connect(self.master)

    def options(self) -> dict[str, str]:
        """The session's configuration (extra `conf` last, so it can override ours).

        A Spark Connect session takes only what a session may change (the `spark.sql.*` runtime
        settings): the application's name, its web UI and memory are the server's, fixed when
        it started."""
        options = {
            "spark.sql.session.timeZone": "Asia/Shanghai",
            "spark.sql.shuffle.partitions": str(self.shuffle_partitions),
            # a model reads its declared views only: no `SELECT * FROM parquet.`/some/path``
            "spark.sql.runSQLOnFiles": "false",
            "spark.sql.ansi.enabled": "true",
        }
        if not self.connect:
            options["spark.app.name"] = "shujian"
            options["spark.ui.enabled"] = "false"
            options["spark.ui.showConsoleProgress"] = "false"
            options["spark.driver.memory"] = self.driver_memory
            options["spark.executor.memory"] = self.executor_memory
        options.update({str(k): str(v) for k, v in self.conf.items()})
        return options


CONF_DIR = Path(__file__).with_name("spark-conf")
"""`SPARK_CONF_DIR` unless one is set: its log4j2.properties has the local driver log nothing
(a failing task's message quotes the value it failed on, an ID number as often as not)."""

CONNECT_RETRIES = 8
CONNECT_MAX_BACKOFF_MS = 10_000
"""How long the Spark Connect client keeps retrying a server that does not answer: about 45
seconds (pyspark's default is ten minutes or more, for each request, before an English
message). A run then stops with `connection_lost`'s message."""

_SESSION: SparkSession | None = None
_ENDPOINT = ""
"""The Spark Connect server's host and port, for messages (`connect_failure`)."""
_SESSION_LOCK = threading.Lock()


def session(settings: SparkSettings) -> SparkSession:
    """The process's Spark session, started on first use with `settings` (later calls reuse it:
    a session's master and memory cannot change once its JVM runs)."""
    global _SESSION, _ENDPOINT
    with _SESSION_LOCK:
        if _SESSION is not None:
            return _SESSION
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise UserError(INSTALL_HINT, code="spark_missing") from None
        # Spark's error messages are logged by pyspark before they are raised: the runner
        # reports a failure itself, without the data the message may quote
        logging.getLogger("SQLQueryContextLogger").disabled = True
        if settings.connect:
            _SESSION = connect_session(settings)
            _ENDPOINT = connect_address(settings.master).endpoint
            return _SESSION
        # the local driver listens on the loopback only, whatever the host's name resolves to
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("SPARK_CONF_DIR", str(CONF_DIR))
        builder = SparkSession.builder.master(settings.master)
        for key, value in settings.options().items():
            builder = builder.config(key, value)
        try:
            spark = builder.getOrCreate()
        except Exception as error:
            if "JAVA_HOME" in str(error) or "Java gateway" in str(error):
                raise UserError(
                    "无法启动 Spark：本机没有可用的 Java（需要 Java 17，如 Debian 的 "
                    "default-jre-headless），或 JAVA_HOME 设置有误。",
                    code="spark_missing",
                ) from None
            raise
        spark.sparkContext.setLogLevel("OFF")
        _SESSION = spark
        return spark


def connect_session(settings: SparkSettings) -> SparkSession:
    """A session on the Spark Connect server `settings.master`, reached first with a plain TCP
    connection (a clear message at once when it cannot be), with `settings.options()` in force:
    one the server refuses (a setting fixed when it started) stops the run rather than being
    ignored in silence."""
    try:
        address = connect_address(settings.master)
    except ValueError as error:  # checked when shujian.toml is read; here for SparkSettings()
        raise UserError(
            f"[engine.spark] master {connect_problem(settings.master) or error}。",
            code="bad_config",
        ) from None
    if problem := unreachable(address):
        raise UserError(
            f"无法连接 Spark Connect 服务 {address.endpoint}：{problem}。请确认服务已在该主机上"
            "启动（Spark 的 sbin/start-connect-server.sh），[engine.spark] master 中的主机和端口"
            "与服务一致，且本机到该端口的网络已放行。",
            code="spark_unreachable",
        )
    try:
        from pyspark.sql.connect.client.retries import DefaultPolicy
        from pyspark.sql.connect.session import SparkSession as ConnectSession
    except ImportError as error:  # Spark Connect's client libraries (grpcio, pandas…)
        raise UserError(
            f"连接 Spark Connect 服务需要 pyspark 的 connect 组件，本机缺少 {error.name or error}。"
            f"{INSTALL_HOW}。",
            code="spark_missing",
        ) from None
    # the server keeps a session's views until it times out, unless the client releases it
    os.environ.setdefault("SPARK_CONNECT_RELEASE_SESSION_ON_EXIT", "true")
    # pyspark's own notice when it gives up retrying: `connection_lost` says it in Chinese
    warnings.filterwarnings("ignore", message=r"\[RETRIES_EXCEEDED\]")
    # the client sends nothing before its first request: the retries are set before any
    spark = ConnectSession.builder.remote(settings.master).getOrCreate()
    spark.client.set_retry_policies(
        [DefaultPolicy(max_retries=CONNECT_RETRIES, max_backoff=CONNECT_MAX_BACKOFF_MS)]
    )
    options = settings.options()
    try:
        for key, value in options.items():
            try:
                spark.conf.set(key, value)
            except Exception as error:
                # the server's answer about this setting (one fixed when it started, a value it
                # does not take) has an error class: read back below; any other is no answer
                if connection_lost(error) or not condition_of(error):
                    raise
        refused = [k for k, v in options.items() if spark.conf.get(k, None) != v]
    except Exception as error:
        stop_quietly(spark)  # `session` holds the lock `give_up` takes
        raise connect_failure(error, address.endpoint) from None
    if refused:
        stop_quietly(spark)
        raise UserError(
            f"Spark Connect 服务 {address.endpoint} 没有接受以下配置：{'、'.join(refused)}（有的只能"
            "在服务启动时设定，如执行器的个数和内存；有的取值服务不认可）。请从 [engine.spark.conf] "
            "中删去或改正；需要时由集群管理员在启动服务时设置。",
            code="bad_config",
        )
    # pyspark's Spark Connect session has the classic session's interface (but no SparkContext)
    return cast("SparkSession", spark)


def give_up(spark: Any) -> None:
    """Stop a Spark Connect session whose server has gone, without retrying: the client would
    otherwise retry releasing the session and its last operation (in the background, and when
    the process ends) for as long again. The next `session` opens a new one."""
    global _SESSION
    stop_quietly(spark)
    with _SESSION_LOCK:
        if _SESSION is spark:
            _SESSION = None


def stop_quietly(spark: Any) -> None:
    spark.client.set_retry_policies([])
    with contextlib.suppress(Exception):
        spark.stop()


def connection_lost(error: BaseException) -> bool:
    """Whether a Spark Connect request failed because the server is gone (stopped, restarted,
    or the network between) rather than because of the query."""
    code = getattr(error, "getGrpcStatusCode", None)
    if callable(code):
        import grpc

        if code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
            return True
    if condition_of(error).startswith("INVALID_HANDLE.SESSION"):  # a restarted server
        return True
    # a server shutting down answers so until it stops listening
    return "stopped SparkContext" in str(error)


def connect_failure(error: BaseException, endpoint: str) -> UserError:
    """The Chinese message for a Spark Connect request that failed for a reason of the
    connection, not of a query."""
    if connection_lost(error):
        return UserError(
            f"与 Spark Connect 服务 {endpoint} 的连接中断（服务已停止或重启，或网络不通），"
            "运行已停止，本次没有写入任何线索。请确认服务在运行后重新运行。",
            code="spark_unreachable",
        )
    code = getattr(error, "getGrpcStatusCode", None)
    status = code().name if callable(code) else type(error).__name__
    if status in ("UNAUTHENTICATED", "PERMISSION_DENIED"):
        return UserError(
            f"Spark Connect 服务 {endpoint} 拒绝了本机的连接（身份验证未通过）：请检查 "
            "[engine.spark] master 中的 token 参数。",
            code="spark_unreachable",
        )
    return UserError(
        f"Spark Connect 服务 {endpoint} 无法建立会话（{condition_of(error) or status}）："
        "请确认该地址是 Spark Connect 服务，且其 Spark 版本与本机的 pyspark 相同（4.3）。",
        code="spark_unreachable",
    )


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


def condition_of(error: BaseException) -> str:
    """A Spark error's class (`CAST_INVALID_INPUT`, `PATH_NOT_FOUND`…); empty when it has none."""
    # getErrorClass, deprecated since Spark 4.0 (a FutureWarning), only where getCondition is not
    getter = getattr(error, "getCondition", None) or getattr(error, "getErrorClass", None)
    if callable(getter):
        with contextlib.suppress(Exception):
            return str(getter() or "")
    return ""


def query_error(error: BaseException) -> SparkQueryError:
    """The error class and the telling line of a Spark failure (a JVM exception arrives as a
    Py4J error whose text is the whole Java stack: its innermost cause is kept)."""
    condition = condition_of(error)
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
        # the process's session decides, whatever settings this engine was given
        self.connect = type(self.spark).__module__.startswith("pyspark.sql.connect")
        self._lost = False
        # `spark.shujian.scatter` in the session's conf does the same for every engine (tests)
        with self._connection():
            self.scatter = scatter or int(self.spark.conf.get(SCATTER_CONF, "0") or 0)
        self._views: set[str] = set()
        self._schemas: dict[str, dict[str, pl.DataType]] = {}
        self._calendar: pl.DataFrame | None = None
        self._reference: dict[str, str] = {}
        self.sealed = False
        self._group = f"shujian-{os.getpid()}-{next(_VIEW_NUMBERS)}"

    def close(self) -> None:
        if not self._lost:  # a server gone: its session's views went with it
            with self._connection():
                for view in self._views:
                    self.spark.catalog.dropTempView(view)
        self._views.clear()

    @contextlib.contextmanager
    def _connection(self) -> Iterator[None]:
        """Requests to a Spark Connect server that has gone stop the run with a Chinese message
        (`connect_failure`), not as a model's failure: every other model would fail the same."""
        try:
            yield
        except Exception as error:
            if not (self.connect and connection_lost(error)):
                raise
            self._lost = True
            give_up(self.spark)
            raise connect_failure(error, _ENDPOINT) from None

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
            with self._connection(), self._readable(dataset_id):
                frame = self.current_rows(dataset)
                if self.scatter:
                    frame = frame.repartition(self.scatter)
                frame.createOrReplaceTempView(dataset_id)
            self._views.add(dataset_id)
            self._schemas[dataset_id] = stored_schema(dataset)

    @contextlib.contextmanager
    def _readable(self, dataset_id: str) -> Iterator[None]:
        """A warehouse file Spark cannot find (a cluster, or a Spark Connect server on another
        machine, reading the workspace's local folder; a wrong `[engine.spark] warehouse`)
        stops the run with a message saying where the files must be."""
        try:
            yield
        except Exception as error:
            if condition_of(error) != "PATH_NOT_FOUND":
                raise
            where = self.settings.warehouse or str(self.warehouse.root)
            raise UserError(
                f"Spark 读不到数据集 {dataset_id} 的文件（在 {where} 下）。Spark 在集群上运行时"
                "（包括 Spark Connect 服务），数据仓库须放在各节点都能读到的共享存储上"
                "（HDFS、对象存储或共同挂载的文件夹），由 [engine.spark] warehouse 写明地址，"
                "且内容与工作区的 warehouse 文件夹一致。",
                code="spark_warehouse_unreadable",
            ) from None

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
        with self._connection():
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
        # on the timer's thread: a session stopped or a server gone in the meantime is no error
        with contextlib.suppress(Exception):
            if self.connect:
                # a Spark Connect session has no SparkContext: its operations carry tags
                self.spark.interruptTag(self._group)
            else:
                self.spark.sparkContext.cancelJobGroup(self._group)

    def query(self, sql: str, max_seconds: float | None = None) -> pl.DataFrame:
        """The query's rows, in DuckDB's column types (`reference_types`). A query running
        longer than `max_seconds` is cancelled; any failure comes back as `QueryStopped`."""
        from pyspark.errors import PySparkException

        stopped = threading.Event()
        finished = threading.Event()
        timer = None
        if max_seconds is not None:

            def stop() -> None:
                stopped.set()
                # again every half second until the query ends: a cancel sent after its SQL was
                # analysed but before its execution began finds nothing to cancel
                while True:
                    self._cancel()
                    if finished.wait(0.5):
                        return

            timer = threading.Timer(max_seconds, stop)
            timer.daemon = True
        try:
            with self._connection():
                if self.connect:
                    self.spark.addTag(self._group)  # this thread's requests, until removed
                else:
                    self.spark.sparkContext.setJobGroup(self._group, "shujian model", True)
                if timer is not None:
                    timer.start()
                try:
                    planned = self.spark.sql(sql)  # analysed (on Spark Connect, by the server)
                    if stopped.is_set():
                        raise QueryStopped("time", "stopped before its execution began")
                    table = planned.toArrow()
                except Exception as error:
                    if stopped.is_set():
                        raise QueryStopped("time", str(error)) from None
                    if self.connect and connection_lost(error):
                        raise
                    if isinstance(error, PySparkException) or type(error).__module__.startswith(
                        "py4j"
                    ):
                        failed = query_error(error)
                        raise QueryStopped("failed", str(failed), failed) from None
                    raise
        finally:
            finished.set()
            if timer is not None:
                timer.cancel()
            if self.connect:
                self.spark.removeTag(self._group)
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
