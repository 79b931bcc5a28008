"""Shared fixtures: fresh workspaces on SQLite, a real PostgreSQL database, and a model
fixture's datasets written out as the CSV files an agency would send."""

from __future__ import annotations

import csv
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from shujian.models.fixtures import load_fixture
from shujian.models.spec import load_library
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


def write_fixture_csvs(model_id: str, folder: Path, encoding: str = "utf-8") -> dict[str, Path]:
    """Each dataset of a model's fixture as one CSV file in `folder` → {dataset: path}."""
    fixture = load_fixture(load_library()[model_id].fixture_path)
    paths = {}
    for dataset, rows in fixture["datasets"].items():
        headers = list(dict.fromkeys(h for r in rows for h in r))
        path = folder / f"{dataset}.csv"
        with path.open("w", encoding=encoding, newline="") as fh:
            w = csv.writer(fh)
            w.writerow(headers)
            w.writerows([[r.get(h, "") for h in headers] for r in rows])
        paths[dataset] = path
    return paths


@pytest.fixture
def fixture_csvs() -> Callable[..., dict[str, Path]]:
    """`write_fixture_csvs`, for tests that import a model's fixture as files."""
    return write_fixture_csvs
