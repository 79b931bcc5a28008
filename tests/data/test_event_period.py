"""An events file is compared only with the stored events of its own period.

An event's identity is its whole content, so a stored event equal to a new one has the same
date in the dataset's time column: reading only the stored events between the new file's first
and last date finds every duplicate, and a daily file costs what the first one did
(bench/incremental.py measures it).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select, update

from shujian.data.datasets import load_datasets
from shujian.data.importer import ImportOptions, import_file
from shujian.data.steps import event_period
from shujian.data.warehouse import Period, Warehouse, batches, overlaps
from shujian.workspace import init_workspace

DATASETS = load_datasets()
HEADER = ["旅馆名称", "旅馆统一社会信用代码", "房间号", "姓名", "公民身份号码", "入住时间"]
USCC = "91110000600037341L"
IDS = ["11010519491231002X", "440524188001010014", "52020319900101001X"]


@pytest.mark.parametrize(
    ("dataset", "column"),
    [
        ("hotel_checkins", "checked_in_at"),
        ("benefit_payments", "pay_month"),
        ("case_transfers", "transferred_on"),
        ("hospital_visits", "visited_on"),
        ("offence_records", "decided_on"),
        ("wage_deposits", "deposited_on"),
        ("venues", None),  # a snapshot: a newer row replaces the older one, it is no duplicate
        ("staff_roster", None),
    ],
)
def test_each_events_dataset_has_its_time_column(dataset: str, column: str | None) -> None:
    assert DATASETS[dataset].time_column == column


D = dt.datetime


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            [D(2026, 3, 2, 9), D(2026, 3, 1, 23), D(2026, 3, 2, 1)],
            (D(2026, 3, 1, 23), D(2026, 3, 2, 9)),
        ),
        ([D(2026, 3, 2, 9)], (D(2026, 3, 2, 9), D(2026, 3, 2, 9))),
        ([D(2026, 3, 2, 9), None], None),  # an empty time: compare with everything stored
    ],
)
def test_the_period_is_the_files_first_and_last_time(values, expected) -> None:
    table = pl.DataFrame({"checked_in_at": values}, schema={"checked_in_at": pl.Datetime("us")})
    got = event_period(table, DATASETS["hotel_checkins"])
    assert got == (None if expected is None else Period("checked_in_at", *expected))


def test_a_snapshot_has_no_period() -> None:
    table = pl.DataFrame({"name": ["x"]})
    assert event_period(table, DATASETS["venues"]) is None


def day_file(path: Path, day: int, guests: list[str], hour: int = 21) -> Path:
    with path.open("w", encoding="gbk", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i, guest in enumerate(guests):
            writer.writerow(
                ["青岚宾馆", USCC, f"80{i}", "王芳", guest, f"2026-03-{day:02d} {hour}:00"]
            )
    return path


def reordered(path: Path, other: Path) -> Path:
    """The same rows in reverse order, in UTF-8: another file holding the same events."""
    rows = list(csv.reader(path.open(encoding="gbk", newline="")))
    with other.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([rows[0], *reversed(rows[1:])])
    return other


def test_an_overlapping_export_still_finds_every_stored_event_and_no_other(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    warehouse = Warehouse(ws.warehouse_dir, ws.store)
    hotels = DATASETS["hotel_checkins"]
    for day in (1, 2, 3):
        done = import_file(
            warehouse, ws.reports_dir, hotels, day_file(tmp_path / f"d{day}.csv", day, IDS)
        )
        assert (done.imported, done.duplicates) == (3, 0)

    # the police's export of 2–4 March: days 2 and 3 again, then a new day
    export = tmp_path / "export.csv"
    with export.open("w", encoding="gbk", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for day in (2, 3, 4):
            for i, guest in enumerate(IDS):
                writer.writerow(
                    ["青岚宾馆", USCC, f"80{i}", "王芳", guest, f"2026-03-0{day} 21:00"]
                )
    done = import_file(warehouse, ws.reports_dir, hotels, export, ImportOptions())
    assert (done.imported, done.duplicates) == (3, 6)

    # the window really narrows the read: day 3's events only, out of the 12 stored
    period = Period("checked_in_at", D(2026, 3, 3), D(2026, 3, 3, 23, 59))
    assert warehouse.read_column(hotels.id, "_record_key").len() == 12
    assert warehouse.read_column(hotels.id, "_record_key", within=period).len() == 3

    # and only the stored keys among the new ones are held, whatever the history
    stored = warehouse.read_column(hotels.id, "_record_key")
    asked = pl.Series([stored[0], stored[5], stored[5], "0" * 32 + "#1"])
    held = warehouse.read_column(hotels.id, "_record_key", among=asked)
    assert sorted(held.to_list()) == sorted([stored[0], stored[5]])
    assert warehouse.read_column(hotels.id, "_record_key", among=asked[3:]).len() == 0
    assert warehouse.read_column(hotels.id, "_record_key", within=period, among=stored).len() == 3


def test_the_same_events_in_another_export_are_all_duplicates(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    warehouse = Warehouse(ws.warehouse_dir, ws.store)
    hotels = DATASETS["hotel_checkins"]
    late = day_file(tmp_path / "late.csv", 5, IDS, hour=23)
    assert import_file(warehouse, ws.reports_dir, hotels, late).imported == 3
    # the same three check-ins, listed in another order in another file
    again = import_file(warehouse, ws.reports_dir, hotels, reordered(late, tmp_path / "other.csv"))
    assert (again.imported, again.duplicates) == (0, 3)


KNOWN = {"column": "checked_in_at", "first": "2026-03-02 00:10:00", "last": "2026-03-02 23:50:00"}


@pytest.mark.parametrize(
    ("recorded", "first", "last", "read"),
    [
        (KNOWN, D(2026, 3, 2, 12), D(2026, 3, 2, 13), True),
        (KNOWN, D(2026, 3, 1), D(2026, 3, 2, 0, 10), True),  # touching at its first event
        (KNOWN, D(2026, 3, 2, 23, 50), D(2026, 3, 4), True),  # touching at its last event
        (KNOWN, D(2026, 3, 3), D(2026, 3, 4), False),
        (KNOWN, D(2026, 2, 1), D(2026, 3, 1, 23, 59), False),
        (None, D(2026, 3, 3), D(2026, 3, 4), True),  # imported before periods were recorded
        ({**KNOWN, "column": "checked_out_at"}, D(2026, 3, 3), D(2026, 3, 4), True),
    ],
)
def test_a_batch_is_read_unless_its_period_is_known_and_apart(recorded, first, last, read) -> None:
    assert overlaps(recorded, Period("checked_in_at", first, last)) is read


def test_a_batch_without_a_recorded_period_is_still_compared(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    warehouse = Warehouse(ws.warehouse_dir, ws.store)
    hotels = DATASETS["hotel_checkins"]
    first = day_file(tmp_path / "d1.csv", 1, IDS)
    assert import_file(warehouse, ws.reports_dir, hotels, first).imported == 3
    # as a batch of an earlier release left it: no period in its details
    with ws.store.begin() as conn:
        details = conn.execute(select(batches.c.details)).scalar_one()
        del details["period"]
        conn.execute(update(batches).values(details=details))
    again = import_file(warehouse, ws.reports_dir, hotels, reordered(first, tmp_path / "other.csv"))
    assert (again.imported, again.duplicates) == (0, 3)
