"""Each batch of events keeps its record keys' first 64 bits, sorted: an import reads only the
stored batches whose index holds one of its keys (a province's cities all send the same year, so
the period cannot narrow the comparison), and still finds every duplicate and no other."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from shujian.backup.archive import backup
from shujian.data import key_index
from shujian.data.datasets import load_datasets
from shujian.data.importer import import_file
from shujian.data.warehouse import KEY_INDEX_DIR, Warehouse
from shujian.users.user import SYSTEM
from shujian.workspace import Workspace, init_workspace

HOTELS = load_datasets()["hotel_checkins"]
HEADER = ["旅馆名称", "旅馆统一社会信用代码", "房间号", "姓名", "公民身份号码", "入住时间"]
USCC = "91110000600037341L"
IDS = ["11010519491231002X", "440524188001010014", "52020319900101001X"]
MD5 = "0123456789abcdef" + "0" * 16


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["ffffffffffffffff" + "1" * 16, MD5], [0x0123456789ABCDEF, 0xFFFFFFFFFFFFFFFF]),
        # sorted, and a repeated row (`#1`) keeps its own entry
        ([MD5 + "#1", MD5, "0" * 32], [0, 0x0123456789ABCDEF, 0x0123456789ABCDEF]),
        (["ABCDEF0123456789" + "0" * 16], [0xABCDEF0123456789]),  # upper case is hexadecimal too
        ([MD5, "青岚宾馆0123456789abcdef"], None),  # a key that is not a digest: none
        ([MD5, "0123456789abcde"], None),  # too short
        ([MD5, "0123456789abcdeg" + "0" * 16], None),
    ],
)
def test_a_keys_number_is_its_first_sixteen_hexadecimal_digits(keys, expected) -> None:
    got = key_index.key_numbers(pl.Series(keys))
    assert (None if got is None else got.tolist()) == expected


@pytest.mark.parametrize(
    ("index", "wanted", "meets"),
    [
        ([1, 5, 9], [5], True),
        ([1, 5, 9], [0, 2, 10], False),  # below, between and above every stored number
        ([1, 5, 9], [9], True),
        ([1, 5, 9], [], False),
        ([], [1], False),
        ([2**64 - 1], [2**64 - 2, 2**64 - 1], True),
    ],
)
def test_an_index_meets_the_wanted_numbers_when_it_holds_one(index, wanted, meets) -> None:
    got = key_index.meets(np.array(index, dtype="<u8"), np.array(wanted, dtype="<u8"))
    assert got is meets


@pytest.mark.parametrize("slice_rows", [3, 4, 1_000_000])
def test_a_batch_files_numbers_are_read_a_slice_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slice_rows: int
) -> None:
    # a file of three row groups, read in slices that do and do not fall on their edges
    keys = [f"{(i * 0x9E3779B97F4A7C15) % 2**64:016x}" + "0" * 16 for i in range(10)]
    path = tmp_path / "batch.parquet"
    pl.DataFrame({"_record_key": keys, "x": range(10)}).write_parquet(path, row_group_size=4)
    monkeypatch.setattr(key_index, "SLICE_ROWS", slice_rows)
    whole = key_index.key_numbers(pl.Series(keys))
    assert whole is not None
    got = key_index.batch_numbers(path, 10)
    assert got is not None and got.tolist() == whole.tolist()
    assert key_index.batch_numbers(path, 9) is None  # the file holds more rows than the batch
    assert key_index.batch_numbers(path, 11) is None  # or fewer
    pl.DataFrame({"_record_key": [*keys[:9], "青岚宾馆"]}).write_parquet(path, row_group_size=4)
    assert (
        key_index.batch_numbers(path, 10) is None
    )  # a key that is not a digest, in the last slice


def test_an_index_is_read_only_when_it_is_whole_sorted_and_of_the_batchs_rows(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.parquet.npy"
    key_index.write(path, np.array([1, 2, 3], dtype="<u8"))
    assert key_index.read(path, 3).tolist() == [1, 2, 3]
    assert key_index.read(path, 4) is None  # another batch's, or one cut short
    assert key_index.read(tmp_path / "missing.npy", 3) is None
    path.write_bytes(path.read_bytes()[:-5])  # a file cut short
    assert key_index.read(path, 3) is None
    np.save(path, np.array([3, 1, 2], dtype="<u8"))  # not written by `write`
    assert key_index.read(path, 3) is None
    np.save(path, np.array([1, 2, 3], dtype="<i8"))
    assert key_index.read(path, 3) is None
    assert not list(tmp_path.glob(".tmp-*"))  # nothing left aside


def hotel_file(path: Path, rooms: range, day: int = 1) -> Path:
    """Check-ins of one day, a room each (the rooms make the events distinct)."""
    with path.open("w", encoding="gbk", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for room in rooms:
            writer.writerow(
                ["青岚宾馆", USCC, f"{room}", "王芳", IDS[room % 3], f"2026-03-{day:02d} 21:00"]
            )
    return path


def index_files(ws: Workspace) -> list[Path]:
    return sorted((ws.warehouse_dir / KEY_INDEX_DIR).rglob("*.npy"))


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return init_workspace(tmp_path / "ws")


def imported(ws: Workspace, path: Path) -> tuple[int, int]:
    done = import_file(Warehouse(ws.warehouse_dir, ws.store), ws.reports_dir, HOTELS, path)
    return done.imported, done.duplicates


def test_an_import_of_events_writes_its_batchs_index(ws: Workspace, tmp_path: Path) -> None:
    assert imported(ws, hotel_file(tmp_path / "a.csv", range(100))) == (100, 0)
    warehouse = Warehouse(ws.warehouse_dir, ws.store)
    (batch,) = warehouse.batches(HOTELS.id)
    (path,) = index_files(ws)
    assert path == ws.warehouse_dir / KEY_INDEX_DIR / f"{batch.parquet}.npy"
    keys = pl.read_parquet(ws.warehouse_dir / batch.parquet)["_record_key"]
    assert key_index.read(path, 100).tolist() == sorted(int(k[:16], 16) for k in keys)


def test_files_of_the_same_day_find_every_duplicate_through_the_indexes(
    ws: Workspace, tmp_path: Path
) -> None:
    assert imported(ws, hotel_file(tmp_path / "a.csv", range(0, 100))) == (100, 0)
    assert imported(ws, hotel_file(tmp_path / "b.csv", range(200, 300))) == (100, 0)
    # rooms 90–99 are in a, 200–209 in b, 140–199 in neither
    assert imported(ws, hotel_file(tmp_path / "c.csv", [*range(90, 100), *range(140, 210)])) == (
        60,
        20,
    )
    assert len(index_files(ws)) == 3
    assert imported(ws, hotel_file(tmp_path / "d.csv", range(0, 300), day=1)) == (40, 260)


def test_a_batch_whose_index_lacks_the_new_keys_is_not_read(ws: Workspace, tmp_path: Path) -> None:
    """The index decides which batches are read: one that lacks the keys (here replaced by
    other numbers) is not opened, so its events are not found. This is why an index is only
    ever written from the batch's own file, whole, or not at all."""
    assert imported(ws, hotel_file(tmp_path / "a.csv", range(100))) == (100, 0)
    (path,) = index_files(ws)
    key_index.write(path, np.arange(100, dtype="<u8"))
    assert imported(ws, hotel_file(tmp_path / "b.csv", range(50, 150))) == (100, 0)


@pytest.mark.parametrize("damage", ["delete", "cut", "other_batch"])
def test_a_missing_or_damaged_index_is_rebuilt_and_every_duplicate_found(
    ws: Workspace, tmp_path: Path, damage: str
) -> None:
    assert imported(ws, hotel_file(tmp_path / "a.csv", range(100))) == (100, 0)
    (path,) = index_files(ws)
    whole = path.read_bytes()
    if damage == "delete":
        path.unlink()
    elif damage == "cut":
        path.write_bytes(whole[:-16])
    else:
        key_index.write(path, np.arange(99, dtype="<u8"))
    assert imported(ws, hotel_file(tmp_path / "b.csv", range(50, 150))) == (50, 50)
    assert path.read_bytes() == whole  # rebuilt from the batch's file


def test_keys_sharing_their_first_64_bits_are_compared_whole(ws: Workspace, tmp_path: Path) -> None:
    assert imported(ws, hotel_file(tmp_path / "a.csv", range(100))) == (100, 0)
    warehouse = Warehouse(ws.warehouse_dir, ws.store)
    stored = warehouse.read_column(HOTELS.id, "_record_key")
    twin = stored[0][:16] + ("0" if stored[0][16] != "0" else "1") + stored[0][17:]
    assert warehouse.stored_keys(HOTELS.id, pl.Series([twin])).len() == 0
    assert warehouse.stored_keys(HOTELS.id, pl.Series([twin, stored[7]])).to_list() == [stored[7]]
    # a key that is not a digest: every batch is read, as before indexes
    assert warehouse.stored_keys(HOTELS.id, pl.Series(["青岚", stored[3]])).to_list() == [stored[3]]


def test_a_small_batch_has_no_index_and_is_still_compared(ws: Workspace, tmp_path: Path) -> None:
    assert imported(ws, hotel_file(tmp_path / "a.csv", range(10))) == (10, 0)
    assert index_files(ws) == []
    assert imported(ws, hotel_file(tmp_path / "b.csv", range(5, 15))) == (5, 5)


def test_a_backup_leaves_the_indexes_out(ws: Workspace, tmp_path: Path) -> None:
    assert imported(ws, hotel_file(tmp_path / "a.csv", range(100))) == (100, 0)
    assert index_files(ws)
    backup(ws, tmp_path / "backup", SYSTEM)
    copied = [p.relative_to(tmp_path / "backup") for p in (tmp_path / "backup").rglob("*")]
    assert copied and not [p for p in copied if KEY_INDEX_DIR in p.parts]
