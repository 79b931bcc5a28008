"""A snapshot's current rows as the engine reads them — its stored rows less those found once per
batch set to be replaced by a newer version — are exactly the newest row of each record key (the
window the register and the reference use): across overlapping exports, a replacement standing
where the batch it replaced stood, a one-row batch and a compaction."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import Any

import pytest

from juvenile.people import id_card, send
from shujian.data.importer import ImportOptions, import_file
from shujian.data.warehouse import Warehouse
from shujian.engine.duckdb import DuckDBEngine, current_rows
from shujian.engine.superseded import FOLDER, KEEP_SECONDS
from shujian.workspace import Workspace, init_workspace

D = dt.date
MINORS = [id_card(D(2011, 1, 1) + dt.timedelta(days=i)) for i in range(120)]


def visit(i: int, notes: str) -> dict[str, Any]:
    return {
        "公民身份号码": MINORS[i],
        "走访日期": f"2026-04-{1 + i % 28:02d}",
        "走访对象": "本人",
        "走访人": "王五",
        "记录": notes,
    }


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """Visits of 120 minors: an export of 0–79, a later one of 40–119 (40–79 corrected), one
    visit sent alone (10, corrected again), and the first export imported again with another
    option — a replacement that stands where the first stood, so the later export still wins."""
    ws = init_workspace(tmp_path / "ws")
    files = tmp_path / "files"
    first = send(ws, "minor_visits", [visit(i, "一月导出") for i in range(80)], files)
    send(ws, "minor_visits", [visit(i, "二月导出") for i in range(40, 120)], files)
    send(ws, "minor_visits", [visit(10, "平台更正")], files)
    path = files / first.file
    again = import_file(
        Warehouse(ws.warehouse_dir, ws.store),
        ws.reports_dir,
        ws.datasets()["minor_visits"],
        path,
        ImportOptions(encoding="utf-8"),
    )
    assert again.replaced == first.batch_id
    return ws


def engine_rows(ws: Workspace) -> list[tuple[Any, ...]]:
    with DuckDBEngine(Warehouse(ws.warehouse_dir, ws.store), ws.datasets()) as db:
        db.register(["minor_visits"])
        frame = db.query("SELECT id_card, notes, _batch, _row FROM minor_visits")
    return sorted(frame.iter_rows())


def window_rows(ws: Workspace) -> list[tuple[Any, ...]]:
    """The reference: the newest row per record key chosen by the window."""
    sql = current_rows(Warehouse(ws.warehouse_dir, ws.store), ws.datasets()["minor_visits"])
    with DuckDBEngine(Warehouse(ws.warehouse_dir, ws.store), ws.datasets()) as db:
        frame = db.query(f"SELECT id_card, notes, _batch, _row FROM ({sql})")
    return sorted(frame.iter_rows())


def kept(ws: Workspace) -> list[Path]:
    folder = ws.warehouse_dir / FOLDER / "minor_visits"
    return sorted(folder.glob("*.parquet")) if folder.exists() else []


def test_the_current_rows_are_the_newest_of_each_record(ws: Workspace) -> None:
    rows = engine_rows(ws)
    assert rows == window_rows(ws)
    notes = {number: note for number, note, _, _ in rows}
    assert len(notes) == len(rows) == 120
    assert notes[MINORS[0]] == "一月导出" and notes[MINORS[79]] == "二月导出"
    assert notes[MINORS[10]] == "平台更正" and notes[MINORS[119]] == "二月导出"


def test_the_replaced_rows_are_found_once_per_batch_set_and_kept(
    ws: Workspace, tmp_path: Path
) -> None:
    engine_rows(ws)
    [first] = kept(ws)
    made = first.stat().st_mtime_ns
    engine_rows(ws)
    assert kept(ws) == [first] and first.stat().st_mtime_ns == made  # read, not found again
    # a new batch: a new batch set, a new file; the other is kept for a day
    send(ws, "minor_visits", [visit(11, "平台更正")], tmp_path / "later")
    rows = engine_rows(ws)
    assert rows == window_rows(ws) and dict((n, m) for n, m, _, _ in rows)[MINORS[11]] == "平台更正"
    assert len(kept(ws)) == 2
    old = time.time() - KEEP_SECONDS - 60
    os.utime(first, (old, old))
    send(ws, "minor_visits", [visit(12, "平台更正")], tmp_path / "later")
    assert engine_rows(ws) == window_rows(ws)
    assert len(kept(ws)) == 2 and first not in kept(ws)


def test_compacted_batches_and_a_warehouse_that_cannot_keep_them_read_alike(
    ws: Workspace,
) -> None:
    want = window_rows(ws)
    Warehouse(ws.warehouse_dir, ws.store).compact("minor_visits", everything=True)
    assert window_rows(ws) == want
    # where nothing can be written, the rows are found again for each reader
    (ws.warehouse_dir / FOLDER).write_text("not a folder", encoding="utf-8")
    assert engine_rows(ws) == want
    assert engine_rows(ws) == want


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_spark_reads_the_same_current_rows_with_the_same_tie_rule(
    spark: Any, ws: Workspace
) -> None:
    """Overlapping exports, a replacement standing where the first stood, then a compaction
    holding every batch: Spark's view keeps the same newest row of each record as DuckDB's."""
    from shujian.engine.spark import SparkEngine

    def spark_rows() -> list[tuple[Any, ...]]:
        with SparkEngine(Warehouse(ws.warehouse_dir, ws.store), ws.datasets()) as db:
            db.register(["minor_visits"])
            frame = db.query("SELECT id_card, notes, _batch, _row FROM minor_visits")
        return sorted(frame.iter_rows())

    assert spark_rows() == engine_rows(ws)
    Warehouse(ws.warehouse_dir, ws.store).compact("minor_visits", everything=True)
    assert spark_rows() == engine_rows(ws)
