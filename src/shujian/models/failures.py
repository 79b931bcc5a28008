"""A model whose query fails while it runs: the reason shown to the user, and the log line.

DuckDB's message names the value it could not handle ("Could not convert string
'52020320100307123X' to INT32"): a citizen's ID number as often as not. The user reads only the
kind of failure, in Chinese, naming the model; the message itself goes to the workspace's
`logs/model-failures.log` for the administrator, in English, with every ID number masked and
every other quoted value replaced by its length.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from shujian.engine.duckdb import QueryStopped
from shujian.models.labels import mask_id_card

LOG_NAME = "model-failures.log"


@dataclass(frozen=True)
class ModelFailure:
    code: str
    """What kind of failure, as recorded in the run's audit entry (`conversion`, `query` …)."""
    reason: str
    """The same in Chinese, without any of the data."""

    @property
    def message(self) -> str:
        return f"运行出错（{self.reason}），本次未生成线索，原有线索保持不变"


REASONS: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str, str], ...] = (
    (
        (duckdb.ConversionException, duckdb.InvalidTypeException, duckdb.TypeMismatchException),
        "conversion",
        "数据类型转换出错",
    ),
    (duckdb.OutOfRangeException, "out_of_range", "数值超出范围"),
    ((duckdb.OutOfMemoryException, MemoryError), "out_of_memory", "超出内存限制"),
    (duckdb.InterruptException, "interrupted", "运行被中断"),
    (duckdb.IOException, "io", "读取数据文件出错"),
    (duckdb.InvalidInputException, "invalid_input", "数据不符合查询的要求"),
    (duckdb.Error, "query", "查询出错"),
    (pl.exceptions.PolarsError, "results", "整理查询结果出错"),
)
"""Error classes, most specific first → the failure's code and Chinese reason."""


def model_failure(error: BaseException, max_seconds: int, memory_mb: int) -> ModelFailure | None:
    """The failure of a model's query on its sealed connection (`engine.duckdb.QueryStopped`:
    stopped at a limit, refused by the sandbox, or failing), or of turning its rows into
    findings; None for an error that is not the model's."""
    if not isinstance(error, QueryStopped):
        return failure_of(error)
    if error.reason == "time":
        return ModelFailure(
            "time_limit",
            f"运行超过 {max_seconds} 秒，已中止；确需更长时间的，由管理员调整 [models] max_seconds",
        )
    if error.reason == "memory":
        return ModelFailure(
            "memory_limit",
            f"所需内存超过 {memory_mb} MB，已中止；确需更多内存的，由管理员调整 [models] max_memory_mb",
        )
    if error.reason == "refused":
        return ModelFailure(
            "sandbox_refused", "试图读取声明的数据集以外的文件、扩展或设置，已被拒绝"
        )
    return (failure_of(error.error) if error.error is not None else None) or ModelFailure(
        "query", "查询出错"
    )


SPARK_REASONS: tuple[tuple[str, str, str], ...] = (
    ("CAST_", "conversion", "数据类型转换出错"),
    ("DATATYPE_MISMATCH", "conversion", "数据类型转换出错"),
    ("ARITHMETIC_OVERFLOW", "out_of_range", "数值超出范围"),
    ("NUMERIC_", "out_of_range", "数值超出范围"),
    ("DIVIDE_BY_ZERO", "invalid_input", "数据不符合查询的要求"),
    ("INVALID_", "invalid_input", "数据不符合查询的要求"),
)
"""Spark's error classes (prefixes) → the failure's code and Chinese reason; any other is a
failing query."""


def failure_of(error: BaseException) -> ModelFailure | None:
    """The failure a model's query met, or None for an error that is not the query's (a bug of
    ours, which must still stop the run as an internal error)."""
    from shujian.engine.spark import SparkQueryError

    if isinstance(error, SparkQueryError):
        for prefix, code, reason in SPARK_REASONS:
            if error.condition.startswith(prefix):
                return ModelFailure(code, reason)
        return ModelFailure("query", "查询出错")
    for classes, code, reason in REASONS:
        if isinstance(error, classes):
            return ModelFailure(code, reason)
    return None


_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")


_QUOTED = re.compile(r"'([^'\n]*)'")


def masked(text: str) -> str:
    """`text` on one line, with every ID number in it masked (`mask_id_card`) and every other
    quoted value (DuckDB quotes the value it failed on: a name as well as a number) replaced by
    its length."""

    def value(m: re.Match[str]) -> str:
        quoted = m.group(1)
        if _ID_IN_TEXT.fullmatch(quoted):
            return f"'{mask_id_card(quoted)}'"
        return f"'<{len(quoted)} characters>'"

    text = _QUOTED.sub(value, text)
    text = _ID_IN_TEXT.sub(lambda m: mask_id_card(m.group()), text)
    return " ".join(text.split())


def log_failure(folder: Path, model_id: str, as_of: date, error: BaseException) -> Path | None:
    """Append one English line about the failure to `folder/model-failures.log` (the path; None
    when the folder cannot be written, which must not stop the run)."""
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    line = (
        f"{stamp} model {model_id} as of {as_of.isoformat()} failed: "
        f"{type(error).__name__}: {masked(str(error))}\n"
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / LOG_NAME
        with path.open("a", encoding="utf-8") as fh:
            fh.write(line)
    except OSError:
        return None
    return path
