"""What a kill -9 must never leave behind, checked after each kill by `bench/crash.py` (30 random
kill points per command) and by the tests under `tests/crash/` (a few of each)."""

from __future__ import annotations

import hashlib
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
from sqlalchemy import func, select

from helpers import assert_tallies_exact
from shujian import audit, migrations
from shujian.cases.store import recommendations
from shujian.data.warehouse import JOURNAL_DIR, batches, compactions
from shujian.leads.store import run_models, runs
from shujian.store import connect_store
from shujian.workspace import open_workspace

CLI = [sys.executable, "-m", "shujian.cli.main"]
RELEASE_010 = Path(__file__).parent / "fixtures" / "release-0.1.0"


def kill_at(argv: list[str], delay: float) -> bool:
    """Start the command, SIGKILL it after `delay` s; whether it was still running."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    alive = proc.poll() is None
    if alive:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    return alive


def timed(argv: list[str]) -> float:
    started = time.monotonic()
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr}")
    return time.monotonic() - started


# ------------------------------------------------------------------------ the invariants


def warehouse_problems(root: Path) -> list[str]:
    """Every batch listed is whole; every file on disk is listed or named by a journal entry."""
    ws = open_workspace(root)
    problems = []
    try:
        with ws.store.connect() as conn:
            listed = conn.execute(select(batches.c.parquet, batches.c.imported)).all()
            listed_c = set(conn.execute(select(compactions.c.parquet)).scalars())
        journal = ws.warehouse_dir / JOURNAL_DIR
        named = set()
        for entry in journal.glob("*.json") if journal.exists() else []:
            named |= {line for line in entry.read_text(encoding="utf-8").split('"') if "/" in line}
        for parquet, imported in listed:
            path = ws.warehouse_dir / parquet
            if not path.is_file():
                problems.append(f"batch file {parquet} missing")
            elif pl.read_parquet(path).height != imported:
                problems.append(f"batch file {parquet} partial")
        known = {p for p, _ in listed} | listed_c
        for path in ws.warehouse_dir.rglob("*"):
            rel = str(path.relative_to(ws.warehouse_dir))
            if (path.name.endswith(".parquet") or path.name.startswith(".tmp-")) and (
                rel not in known and rel not in named and ".unclaimed" not in rel
            ):
                problems.append(f"orphan file {rel}")
        problems += store_problems(ws.store)
    finally:
        ws.store.dispose()
    return problems


def store_problems(store) -> list[str]:  # type: ignore[no-untyped-def]
    problems = []
    checked = audit.verify(store)
    problems += [f"audit: {p}" for p in checked.problems]
    try:
        assert_tallies_exact(store)
    except AssertionError as exc:
        problems.append(f"tallies: {exc}")
    with store.connect() as conn:
        for run in conn.execute(select(runs)):
            ran = conn.execute(
                select(func.count()).select_from(run_models).where(run_models.c.run_id == run.id)
            ).scalar_one()
            if run.finished_at is None or ran != len(run.models):
                problems.append(f"run {run.id} partial")
    return problems


def document_problems(root: Path) -> tuple[list[str], list[str]]:
    """Problems, and the numbers used whose document is recorded as not yet written."""
    ws = open_workspace(root)
    problems, unwritten = [], []
    try:
        with ws.store.connect() as conn:
            rows = conn.execute(select(recommendations).order_by(recommendations.c.seq)).all()
        seqs = [r.seq for r in rows]
        if seqs != list(range(1, len(seqs) + 1)):
            problems.append(f"文号 not 1…n: {seqs}")
        for r in rows:
            path = ws.root / r.document
            if r.document_sha256 is None:
                unwritten.append(r.number)
            elif not path.is_file():
                problems.append(f"{r.number}: document missing")
            elif hashlib.sha256(path.read_bytes()).hexdigest() != r.document_sha256:
                problems.append(f"{r.number}: document differs from its hash")
        problems += store_problems(ws.store)
    finally:
        ws.store.dispose()
    return problems, unwritten


def leftovers(root: Path) -> list[str]:
    """Files of an unfinished rendering left in the documents folder."""
    folder = root / "documents"
    return [str(p) for p in folder.rglob(".*.part")] if folder.exists() else []


def release_010(folder: Path) -> Path:
    """A workspace as release 0.1.0 left it, on SQLite (tests/fixtures/release-0.1.0)."""

    folder.mkdir()
    shutil.copy(RELEASE_010 / "shujian.toml", folder / "shujian.toml")
    shutil.copytree(RELEASE_010 / "warehouse", folder / "warehouse")
    for sub in ("reports", "models", "datasets"):
        (folder / sub).mkdir()
    con = sqlite3.connect(folder / "case_store.sqlite")
    con.executescript((RELEASE_010 / "store.sqlite.sql").read_text(encoding="utf-8"))
    con.close()
    return folder


def table_counts(root: Path) -> dict[str, int]:

    con = sqlite3.connect(root / "case_store.sqlite")
    names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    out = {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    con.close()
    return out


def upgrade_problems(root: Path, before: dict[str, int]) -> list[str]:
    """A killed upgrade left the store as it was, or wholly upgraded."""
    engine = connect_store(f"sqlite:///{root / 'case_store.sqlite'}")
    with engine.connect() as conn:
        state = migrations.version(conn).state
    engine.dispose()
    if state == "legacy":
        return [] if table_counts(root) == before else ["store changed but not upgraded"]
    if state != "current":
        return [f"store left {state}"]
    return []
