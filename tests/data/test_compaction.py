"""Small batches compacted into one file: readers see exactly what they saw before, every batch
keeps its record, hash, audit entry and own file, imports compact by the hundred and merge the
compactions level by level, and a killed compaction leaves nothing behind."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner

from juvenile.people import id_card, send
from shujian import audit
from shujian.cli.main import cli
from shujian.data.importer import ImportOptions, compact, import_file
from shujian.data.warehouse import Warehouse
from shujian.engine.duckdb import DuckDBEngine
from shujian.errors import UserError
from shujian.juvenile import service
from shujian.juvenile.register import Month
from shujian.juvenile.service import Register
from shujian.models.runner import evaluate
from shujian.models.spec import load_library
from shujian.users.user import SYSTEM, User
from shujian.workspace import STORE_URL_ENV, Workspace, init_workspace, open_workspace

D = dt.date
TODAY = D(2026, 6, 10)
MINORS = [id_card(D(2010, 1, 1) + dt.timedelta(days=i)) for i in range(60)]
TARGETS = ["本人", "家长", "老师", "村委会"]


def visit(i: int, **more: Any) -> dict[str, Any]:
    """A visit of one of the minors in March–May 2026 (which minor, day and target from `i`)."""
    return {
        "公民身份号码": MINORS[i % len(MINORS)],
        "走访日期": f"2026-{3 + i % 3:02d}-{1 + i % 28:02d}",
        "走访对象": TARGETS[i % 4],
        "走访人": f"王{i % 7}",
        **more,
    }


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """Sixty serious-misconduct minors, an export of 120 visits, then 40 visits sent one by one
    (as the platform records them): ten of them new versions of exported visits (their 记录
    corrected), one the same visit twice (the later stands)."""
    ws = init_workspace(tmp_path / "ws")
    files = tmp_path / "files"
    send(ws, "key_minors", [
        {"姓名": f"甲{i}", "公民身份号码": n, "类别": "严重不良行为", "认定日期": "2025-01-01",
         "所属乡镇（街道）": "城关镇", "村（社区）": "东街社区",
         "就读学校": "一中" if i % 5 else "无"}
        for i, n in enumerate(MINORS)
    ], files)  # fmt: skip
    send(ws, "minor_visits", [visit(i, 记录="导出") for i in range(120)], files)
    for i in range(110, 150):
        send(ws, "minor_visits", [visit(i, 记录=f"平台{i}")], files)
    send(ws, "minor_visits", [visit(149, 记录="再次更正")], files)
    service.forget()
    return ws


def seen(ws: Workspace) -> dict[str, Any]:
    """What every reader sees: the engine's view of the visits, visit_missing's findings, the
    register's due and late lists and one minor's file."""
    with DuckDBEngine(Warehouse(ws.warehouse_dir, ws.store), ws.datasets()) as db:
        db.register(["minor_visits"])
        view = db.query("SELECT * FROM minor_visits ORDER BY _batch, _row")
    spec = load_library()["juvenile.visit_missing"]
    [outcome] = evaluate(ws, ws.datasets(), [spec], TODAY, "duckdb")
    service.forget()
    register = Register(ws)
    listed = {
        "due": [dict(r) for r in register.due(SYSTEM, Month(D(2026, 5, 1)), TODAY)],
        "late": [dict(r) for r in register.late(SYSTEM, TODAY)],
        "file": register.minor_file(SYSTEM, MINORS[149 % 60], TODAY)["visits"],
    }
    register.close()
    return {
        "view": view.to_dicts(),
        "findings": sorted(
            (f.subject, f.title, json.dumps(f.evidence_list(), default=str))
            for f in outcome.findings
        ),
        **listed,
    }


def test_a_compacted_workspace_reads_as_before_and_keeps_every_batch(ws: Workspace) -> None:
    warehouse = Warehouse(ws.warehouse_dir, ws.store)
    before = seen(ws)
    batches = warehouse.batches("minor_visits")
    own_files = {b.id: (ws.warehouse_dir / b.parquet).read_bytes() for b in batches}
    assert len(warehouse.sources("minor_visits").files) == 42  # the export and 41 small ones
    assert any(r["notes"] == "再次更正" for r in before["file"])

    done = compact(warehouse, ws.datasets()["minor_visits"])

    assert done is not None and (done.batches, done.rows, done.level) == (41, 41, 0)
    after = warehouse.sources("minor_visits")
    assert len(after.files) == 2 and after.skip == ()
    assert after.files[0] == ws.warehouse_dir / batches[0].parquet
    assert after.files[1] == ws.warehouse_dir / done.parquet
    # every batch as it was: its record, its hash, its own file
    assert warehouse.batches("minor_visits") == batches
    assert {b.id: (ws.warehouse_dir / b.parquet).read_bytes() for b in batches} == own_files
    assert seen(ws) == before
    [entry] = [e for e in audit.query(ws.store) if e["action"] == "compact"]
    assert entry["object_type"] == "compaction" and entry["actor"] == SYSTEM.name
    assert entry["detail"]["batches"] == [b.id for b in batches[1:]]
    assert audit.verify(ws.store).ok
    # nothing is left to compact
    assert compact(warehouse, ws.datasets()["minor_visits"]) is None


def test_a_batch_replaced_after_its_compaction_is_no_longer_read(
    ws: Workspace, tmp_path: Path
) -> None:
    warehouse = Warehouse(ws.warehouse_dir, ws.store)
    visits = ws.datasets()["minor_visits"]
    small = tmp_path / "one.csv"
    small.write_text(
        f"公民身份号码,走访日期,走访对象\n{MINORS[1]},2026-05-20,家长\n", encoding="utf-8"
    )
    first = import_file(
        warehouse, ws.reports_dir, visits, small, ImportOptions(constants={"走访人": "王五"})
    )
    done = compact(warehouse, visits)
    assert done is not None and first.batch_id is not None
    # the same file again with another option: its batch is replaced, inside the compaction
    again = import_file(
        warehouse, ws.reports_dir, visits, small, ImportOptions(constants={"走访人": "赵六"})
    )
    assert again.replaced == first.batch_id
    found = warehouse.sources("minor_visits")
    assert found.skip == (first.batch_id,) and first.batch_id not in found.compacted
    service.forget()
    on_the_day = [
        (v["target"], v["visitor"])
        for v in Register(ws).minor_file(SYSTEM, MINORS[1], TODAY)["visits"]
        if v["visited_on"] == D(2026, 5, 20)
    ]
    assert on_the_day == [("家庭", "赵六")]
    before = seen(ws)
    # the next compaction leaves the replaced batch's rows out, and merges the first
    merged = compact(warehouse, visits)
    assert merged is not None and merged.merged == (done.id,) and merged.level == 1
    assert warehouse.sources("minor_visits").skip == ()
    assert (ws.warehouse_dir / done.parquet).exists()  # superseded, kept
    stored = pl.read_parquet(ws.warehouse_dir / merged.parquet)
    assert first.batch_id not in stored["_batch"].to_list()
    assert again.batch_id in stored["_batch"].to_list()
    assert seen(ws) == before


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_imports_compact_by_the_hundred_and_merge_compactions_level_by_level(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With compactions every 3 small batches and merges of 2 (for the test; 100 and 10 in
    use), the files a reader opens stay few as one-row batches keep coming."""
    if backend == "postgresql":
        monkeypatch.setenv(STORE_URL_ENV, request.getfixturevalue("pg_url"))
    ws = init_workspace(tmp_path / "ws")
    warehouse = Warehouse(ws.warehouse_dir, ws.store, compact_loose=3, compact_merge=2)
    visits = ws.datasets()["minor_visits"]
    opened = []
    for i in range(20):
        path = tmp_path / f"visit-{i}.csv"
        path.write_text(
            f"公民身份号码,走访日期,走访对象,走访人\n{MINORS[i]},2026-05-{1 + i:02d},本人,王五\n",
            encoding="utf-8",
        )
        import_file(warehouse, ws.reports_dir, visits, path, ImportOptions())
        opened.append(len(warehouse.sources("minor_visits").files))
    # 3 loose → one file; two level-0 files → one of level 1; two of level 1 → one of level 2
    assert opened[:12] == [1, 2, 1, 2, 3, 1, 2, 3, 2, 3, 4, 1]
    assert max(opened) == 4
    levels = sorted(c["level"] for c in warehouse._compactions("minor_visits"))
    assert levels == [1, 2]
    with DuckDBEngine(warehouse, ws.datasets()) as db:
        db.register(["minor_visits"])
        rows = db.query("SELECT id_card, _batch FROM minor_visits ORDER BY _batch")
    assert rows["id_card"].to_list() == MINORS[:20]
    assert rows["_batch"].to_list() == [b.id for b in warehouse.batches("minor_visits")]
    assert audit.verify(ws.store).ok
    ws.store.dispose()


def test_compacting_needs_the_import_permission_and_is_a_command(ws: Workspace) -> None:
    helper = User("刘帮扶", "青岚县人民检察院", None, frozenset({"helper"}), unit="县妇联")
    warehouse = Warehouse(ws.warehouse_dir, ws.store)
    with pytest.raises(UserError):
        compact(warehouse, ws.datasets()["minor_visits"], user=helper)
    assert warehouse.sources("minor_visits").compacted == {}
    result = CliRunner().invoke(cli, ["-w", str(ws.root), "datasets", "compact", "minor_visits"])
    assert result.exit_code == 0, result.output
    assert "已合并 走访帮扶记录" in result.output and "41 个小批次" in result.output
    again = CliRunner().invoke(cli, ["-w", str(ws.root), "datasets", "compact", "minor_visits"])
    assert again.exit_code == 0 and "没有需要合并的小批次" in again.output


KILL_AT_COMMIT = """
import os, signal, sys
from pathlib import Path
from sqlalchemy import event
from shujian.data.warehouse import Warehouse
from shujian.workspace import open_workspace

ws = open_workspace(Path(sys.argv[1]))
# the compacted file is renamed into place; the process dies as its record is being committed
event.listen(ws.store, "commit", lambda conn: os.kill(os.getpid(), signal.SIGKILL))
Warehouse(ws.warehouse_dir, ws.store).compact("minor_visits", everything=True)
"""


def test_a_killed_compaction_changes_nothing_and_its_file_is_swept(
    ws: Workspace, tmp_path: Path
) -> None:
    root = ws.root
    read_before = seen(ws)
    before = {p: p.read_bytes() for p in ws.warehouse_dir.rglob("*.parquet")}
    ws.store.dispose()
    killed = subprocess.run(
        [sys.executable, "-c", KILL_AT_COMMIT, str(root)], capture_output=True, env={**os.environ}
    )
    assert killed.returncode == -9, killed.stderr
    left = set(ws.warehouse_dir.rglob("*.parquet")) - set(before)
    assert [p.name.startswith("compacted-") for p in left] == [True]
    ws = open_workspace(root)
    warehouse = Warehouse(ws.warehouse_dir, ws.store)
    assert warehouse.sources("minor_visits").compacted == {}  # not read: no compaction lists it
    assert seen(ws) == read_before
    send(ws, "minor_visits", [visit(7, 记录="之后")], tmp_path / "later")
    assert not (set(ws.warehouse_dir.rglob("*.parquet")) - set(before)) & left
    assert {p: p.read_bytes() for p in before} == before
    assert not list((ws.warehouse_dir / ".journal").glob("*"))
    assert not (ws.warehouse_dir / ".unclaimed").exists()
