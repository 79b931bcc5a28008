"""Shared fixtures: fresh workspaces on SQLite, a real PostgreSQL database, and a model
fixture's datasets written out as the CSV files an agency would send."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from helpers import write_fixture_csvs
from shujian.workspace import Workspace, init_workspace

PG_ADMIN_URL = os.environ.get(
    "SHUJIAN_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return init_workspace(tmp_path / "ws")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"shujian_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture
def fixture_csvs() -> Callable[..., dict[str, Path]]:
    """`write_fixture_csvs`, for tests that import a model's fixture as files."""
    return write_fixture_csvs


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """The test run's one Spark session (local, two cores), for tests marked `spark` and
    grouped on one worker (`xdist_group("spark")`): a second JVM would double their time.

    Every dataset a model reads is spread over three partitions (`spark.shujian.scatter`) and
    files are split into small pieces, so that order-dependent queries show."""
    import time

    from shujian.engine.spark import SCATTER_CONF, SparkSettings, session

    started = time.perf_counter()
    spark = session(
        SparkSettings(
            master="local[2]",
            driver_memory="1g",
            shuffle_partitions=2,
            conf={
                SCATTER_CONF: "3",
                "spark.sql.files.maxPartitionBytes": "256k",
                "spark.sql.files.openCostInBytes": "0",
                # kilobytes of rows per query: compiling generated code and re-planning after
                # each shuffle cost more than they save (the results are the same)
                "spark.sql.codegen.wholeStage": "false",
                "spark.sql.codegen.factoryMode": "NO_CODEGEN",
                "spark.sql.adaptive.enabled": "false",
            },
        )
    )
    print(f"\nSpark session started in {time.perf_counter() - started:.1f} s")
    yield spark
    spark.stop()  # type: ignore[attr-defined]
