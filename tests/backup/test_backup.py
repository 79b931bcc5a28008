"""`shujian backup` and `shujian restore` through the command line, on the demonstration county:
the restored workspace passes `audit verify` and holds every row of every table and every file
the original holds — on SQLite, on PostgreSQL and from one to the other — and a backup taken
while an import runs restores to the workspace before the import or after it, never between."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import select

from helpers import hotel_checkins_csv
from shujian.backup import copy
from shujian.backup.archive import backup, restore
from shujian.data.warehouse import batches
from shujian.store import connect_store
from shujian.users.accounts import resolve
from shujian.workspace import init_workspace, open_workspace

CLI = [sys.executable, "-c", "from shujian.cli.main import main; main()"]
ADMIN = "演示管理员"
IMPORTER = "演示部门负责人"


def shujian(*args: str, check: bool = True, user: str = ADMIN) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*CLI, "-u", user, *args], capture_output=True, text=True, env={**os.environ}
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demonstration county's workspace, built once (read only by the tests)."""
    folder = tmp_path_factory.mktemp("demo")
    subprocess.run([*CLI, "demo", str(folder)], check=True, capture_output=True)
    return folder / "workspace"


def tables(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, zone-aware times in UTC; the tallies without their zero rows."""
    engine = connect_store(url)
    try:
        with engine.connect() as conn:
            found = {t.name: list(copy.rows(conn, t)) for t in copy.tables()}
    finally:
        engine.dispose()
    for name in copy.DERIVED:
        found[name] = [r for r in found[name] if r["n"]]
    return found


def url_of(root: Path) -> str:
    ws = open_workspace(root)
    return ws.store_url


def files(root: Path) -> dict[str, bytes]:
    """The workspace's files but the store's own and the temporaries and locks."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        hidden = any(p.startswith(".") for p in rel.parts)
        store_or_config = rel.name.startswith("case_store.sqlite") or rel.name == "shujian.toml"
        if path.is_file() and not hidden and not store_or_config:
            out[str(rel)] = path.read_bytes()
    return out


def assert_same(original: Path, restored: Path) -> None:
    """Every table equal row for row — the audit log up to the entry the restore added — and
    every file equal byte for byte."""
    before, after = tables(url_of(original)), tables(url_of(restored))
    assert after["audit_log"][-1]["action"] == "restore"
    after_log = after.pop("audit_log")[:-1]
    # the original has recorded the backup (and perhaps more) after the copy was taken
    assert before.pop("audit_log")[: len(after_log)] == after_log
    before.pop("audit_head"), after.pop("audit_head")
    for name in before:
        assert after[name] == before[name], name
    assert len(after["leads"]) > 50 and after["cases"] and after["recommendations"]
    assert files(restored) == files(original)
    assert any(p.startswith("documents/") for p in files(restored))


def verify(root: Path) -> None:
    done = shujian("-w", str(root), "audit", "verify")
    assert done.stdout.startswith("审计日志完整"), done.stdout


DEMO = pytest.mark.xdist_group("backup_demo")
"""The tests on the demonstration county run on one worker, which builds it once."""


@DEMO
def test_restored_sqlite_workspace_is_the_original_and_a_damaged_backup_is_refused(
    demo: Path, tmp_path: Path
) -> None:
    shujian("-w", str(demo), "backup", str(tmp_path / "backup"))
    shujian("restore", str(tmp_path / "backup"), str(tmp_path / "restored"))
    verify(tmp_path / "restored")
    assert_same(demo, tmp_path / "restored")
    # the restored workspace works: an import goes on from where the original stood
    extra = hotel_checkins_csv(tmp_path / "extra.csv", 20)
    shujian("-w", str(tmp_path / "restored"), "import", "hotel_checkins", str(extra), user=IMPORTER)
    # refused: a second backup into a used folder, a restore into a used folder, a backup with
    # one byte of a document changed, a backup without its manifest (unfinished)
    backup = tmp_path / "backup"
    refused = shujian("-w", str(demo), "backup", str(backup), check=False)
    assert refused.returncode == 2 and "不是空目录" in refused.stderr
    refused = shujian("restore", str(backup), str(tmp_path / "restored"), check=False)
    assert refused.returncode == 2 and "不是空目录" in refused.stderr
    document = next((backup / "files" / "documents").rglob("*.docx"))
    document.write_bytes(document.read_bytes() + b"x")
    refused = shujian("restore", str(backup), str(tmp_path / "t1"), check=False)
    assert refused.returncode == 2 and "已被改动" in refused.stderr
    assert not (tmp_path / "t1").exists()
    (backup / "manifest.json").unlink()
    refused = shujian("restore", str(backup), str(tmp_path / "t2"), check=False)
    assert refused.returncode == 2 and "不是完整的数检备份" in refused.stderr


@DEMO
def test_moved_to_postgresql_and_back_nothing_differs(
    demo: Path, tmp_path: Path, pg_url: str
) -> None:
    shujian("-w", str(demo), "backup", str(tmp_path / "from-sqlite"))
    shujian("restore", str(tmp_path / "from-sqlite"), str(tmp_path / "pg"), "--store-url", pg_url)
    assert url_of(tmp_path / "pg") == pg_url
    verify(tmp_path / "pg")
    assert_same(demo, tmp_path / "pg")
    # a backup of the PostgreSQL workspace restores to SQLite with nothing lost
    shujian("-w", str(tmp_path / "pg"), "backup", str(tmp_path / "from-pg"))
    shujian("restore", str(tmp_path / "from-pg"), str(tmp_path / "back"))
    verify(tmp_path / "back")
    assert_same(tmp_path / "pg", tmp_path / "back")
    # ids go on after the restored ones on PostgreSQL (its sequences were moved past them)
    extra = hotel_checkins_csv(tmp_path / "extra.csv", 20)
    shujian("-w", str(tmp_path / "pg"), "import", "hotel_checkins", str(extra), user=IMPORTER)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_backup_during_an_import_restores_to_before_or_after_it(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The backups are taken in this process, one after another, while the import runs in its
    own; each is restored and checked whole (`restore` verifies the audit log and the counts)."""
    root = tmp_path / "ws"
    init_workspace(root).store.dispose()
    if kind == "postgresql":
        config = root / "shujian.toml"
        text = config.read_text(encoding="utf-8")
        url = request.getfixturevalue("pg_url")
        config.write_text(text.replace("sqlite:///case_store.sqlite", url), encoding="utf-8")
        (root / "case_store.sqlite").unlink()
        shutil.rmtree(root / "warehouse")
        init_workspace(root).store.dispose()
    importer = [*CLI, "-u", ADMIN, "-w", str(root), "import", "hotel_checkins"]
    subprocess.run([*importer, str(hotel_checkins_csv(tmp_path / "a.csv", 30))], check=True)
    big = hotel_checkins_csv(tmp_path / "big.csv", 30_000, first=1000)
    importing = subprocess.Popen([*importer, str(big)], stderr=subprocess.PIPE)
    ws = open_workspace(root)
    admin = resolve(ws.store, ADMIN, ws.region.procuratorate_name)
    taken: list[Path] = []
    while importing.poll() is None or len(taken) < 2:
        taken.append(tmp_path / f"backup-{len(taken)}")
        backup(ws, taken[-1], admin)
        time.sleep(0.1)
    assert importing.wait() == 0, importing.stderr.read() if importing.stderr else ""
    # and one surely after it: the loop's last backup may have begun just before the commit
    taken.append(tmp_path / f"backup-{len(taken)}")
    backup(ws, taken[-1], admin)
    ws.store.dispose()
    seen = set()
    # the first (the import reading its file), one taken while it wrote, the last (after it)
    for n, folder in enumerate((taken[0], taken[len(taken) // 2], taken[-1])):
        restored = restore(folder, tmp_path / f"restored-{n}", ADMIN).folder
        ws = open_workspace(restored)
        with ws.store.connect() as conn:
            listed = conn.execute(select(batches.c.parquet, batches.c.imported)).all()
        ws.store.dispose()
        assert len(listed) in (1, 2)  # before the big import, or after it: nothing between
        for parquet, imported in listed:
            assert pl.read_parquet(restored / "warehouse" / parquet).height == imported
        on_disk = {
            str(p.relative_to(restored / "warehouse"))
            for p in (restored / "warehouse").rglob("*.parquet")
        }
        assert on_disk == {p for p, _ in listed}  # no file of a batch the copy does not list
        seen.add(len(listed))
    assert seen == {1, 2}, f"every backup saw {seen} batches: none was taken during the import"
