"""`[engine.duckdb] temp_directory`: a model's query larger than `[models] max_memory_mb` spills to
the folder the workspace names (relative to the workspace) and finishes, on the sealed connection
a model's SQL runs on."""

from __future__ import annotations

from pathlib import Path

import pytest

from shujian.data.warehouse import Warehouse
from shujian.engine.duckdb import QueryStopped
from shujian.models.runner import duckdb_temp_directory, open_engine
from shujian.workspace import CONFIG_NAME, Workspace, init_workspace, open_workspace

# about 3,000,000 distinct 60-character strings: far more than 64 MB to aggregate
LARGE = (
    "SELECT count(*) AS n FROM (SELECT DISTINCT repeat('数检', 25) || i::VARCHAR AS s "
    "FROM range(3000000) AS t(i))"
)


def _workspace(tmp_path: Path, extra: str) -> Workspace:
    ws = init_workspace(tmp_path / "ws")
    ws.store.dispose()
    config = ws.root / CONFIG_NAME
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return open_workspace(ws.root)


def test_a_query_over_the_memory_limit_spills_to_the_workspace_folder_and_finishes(
    tmp_path: Path,
) -> None:
    ws = _workspace(tmp_path, '[engine.duckdb]\ntemp_directory = "spill"\n')
    spill = ws.root / "spill"
    assert duckdb_temp_directory(ws) == spill
    with open_engine("duckdb", ws, Warehouse(ws.warehouse_dir, ws.store), {}) as db:
        db.seal(64)
        setting = db.query("SELECT current_setting('temp_directory') AS d")
        assert setting["d"][0] == str(spill)
        assert db.query(LARGE)["n"][0] == 3_000_000


def test_the_same_query_without_a_place_to_spill_stops_at_the_memory_limit(
    tmp_path: Path,
) -> None:
    ws = _workspace(tmp_path, "")
    with open_engine("duckdb", ws, Warehouse(ws.warehouse_dir, ws.store), {}) as db:
        db.con.execute("SET temp_directory = ''")  # DuckDB's way of saying "never spill"
        db.seal(64)
        with pytest.raises(QueryStopped) as stopped:
            db.query(LARGE)
    assert stopped.value.reason == "memory"


def test_without_the_setting_duckdb_keeps_its_own_default(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, "")
    assert duckdb_temp_directory(ws) is None
    with open_engine("duckdb", ws, Warehouse(ws.warehouse_dir, ws.store), {}) as db:
        assert db.query("SELECT current_setting('temp_directory') AS d")["d"][0] == ".tmp"
