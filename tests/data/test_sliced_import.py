"""A large file's columns are parsed, and its record keys made, a slice of rows at a time: the
batch, its rejections (by the file's row numbers) and its counts are those of one pass."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from shujian.data import steps
from shujian.data.importer import ImportOptions, import_file
from shujian.data.warehouse import Warehouse
from shujian.workspace import init_workspace

HEADER = ["姓名", "公民身份号码", "待遇类型", "发放年月", "发放金额"]
ROWS = [
    ["邓秀华", "520203199108243120", "城乡低保", "2024-07", "2120"],
    ["邓秀华", "520203199108243120", "城乡低保", "2024-08", "2120"],
    ["李四", "52020319910824312", "城乡低保", "2024-07", "300"],  # ID one digit short
    ["王五", "11010519491231002X", "城乡低保", "2024-13", "abc"],  # month and amount refused
    ["邓秀华", "520203199108243120", "城乡低保", "2024-07", "2120"],  # the first row again
    ["", "", "", "", ""],  # blank: skipped
    ["赵六", "11010519491231002X", "", "2024-09", "1,234.50"],
    ["钱七", "440524188001010014", "特困供养", "202410", "99"],
    ["邓秀华", "520203199108243120", "城乡低保", "2024-07", "2120"],  # and a third time
    ["孙八", "", "城乡低保", "2024-07", "10"],  # a required cell empty
]


def stored(ws_root: Path) -> tuple[pl.DataFrame, str]:
    files = sorted((ws_root / "warehouse").rglob("*.parquet"))
    table = pl.concat([pl.read_parquet(f) for f in files]).drop("_batch", strict=False)
    report = "\n".join(
        str(row)
        for p in sorted((ws_root / "reports").rglob("*.xlsx"))
        for sheet in openpyxl.load_workbook(p, read_only=True).worksheets
        for row in sheet.iter_rows(values_only=True)
    )
    return table.sort("_row"), report


@pytest.mark.parametrize(
    "slices",
    [
        (3, 4, steps.PARSE_SLICE_BYTES),
        (1, 1, steps.PARSE_SLICE_BYTES),
        # slices cut by the bytes of text (two or three rows here), parsed on two threads
        (steps.PARSE_SLICE_ROWS, steps.KEY_SLICE_ROWS, 60),
    ],
)
def test_a_file_read_in_slices_is_stored_as_in_one_pass(tmp_path, monkeypatch, slices):
    path = tmp_path / "benefit.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *ROWS])
    results = {}
    for name in ("whole", "sliced"):
        if name == "sliced":
            monkeypatch.setattr(steps, "PARSE_SLICE_ROWS", slices[0])
            monkeypatch.setattr(steps, "KEY_SLICE_ROWS", slices[1])
            monkeypatch.setattr(steps, "PARSE_SLICE_BYTES", slices[2])
        ws = init_workspace(tmp_path / name)
        r = import_file(
            Warehouse(ws.warehouse_dir, ws.store),
            ws.reports_dir,
            ws.datasets()["benefit_payments"],
            path,
            ImportOptions(),
        )
        results[name] = (r.imported, r.rejected, r.skipped, r.duplicates)
        ws.store.dispose()
    assert results["whole"] == results["sliced"]
    assert results["whole"][1] >= 3  # the messy rows are refused, not lost
    whole, sliced = stored(tmp_path / "whole"), stored(tmp_path / "sliced")
    assert whole[0].equals(sliced[0])
    assert "52020319910824312" in whole[1] and "必填项为空" in whole[1]
    assert whole[1] == sliced[1]
    # the repeated row is stored three times, told apart by its occurrence
    assert sorted(k.split("#")[1] for k in whole[0]["_record_key"] if k.endswith(("#2", "#3"))) == [
        "2",
        "3",
    ]


@pytest.mark.parametrize(
    ("cells", "limit", "rows"),
    [
        (["520203199108243120"] * 10, 1_000, steps.PARSE_SLICE_ROWS),  # within the limit
        (["一二三四五"] * 10, 150, steps.PARSE_SLICE_ROWS),  # 150 bytes: exactly the limit
        (["一二三四五"] * 10, 149, 9),  # 15 bytes a cell: 9 cells fit
        (["一二三四五"] * 10, 14, 1),  # not even one cell: one row at a time
        ([None, "一二三四五" * 4], 30, 1),  # 60 bytes in 2 rows
    ],
)
def test_a_slice_holds_at_most_the_bytes_of_text_allowed(monkeypatch, cells, limit, rows):
    monkeypatch.setattr(steps, "PARSE_SLICE_BYTES", limit)
    assert steps.parse_slice_rows(pl.Series(cells, dtype=pl.Utf8)) == rows
