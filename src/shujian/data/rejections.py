"""The rejection report of an import: every refused cell, and every row skipped, in Chinese."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from shujian import formulas
from shujian.data.datasets import Dataset


@dataclass(frozen=True)
class Rejection:
    row: int
    column: str
    value: str | None
    reason: str


def write_report(
    path: Path,
    dataset: Dataset,
    file_name: str,
    record: Mapping[str, object],
    rejections: Sequence[Rejection],
    skipped: Sequence[Mapping[str, object]],
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{path.name}")
    cells = 16 + 4 * len(rejections) + 2 * len(skipped)
    book = xlsxwriter.Workbook(str(tmp), formulas.xlsx_options(cells))
    try:
        bold = book.add_format({"bold": True})
        summary = book.add_worksheet("概要")
        rows = [
            ("文件", file_name),
            ("数据集", f"{dataset.label}（{dataset.id}）"),
            ("报送单位", str(record.get("agency") or "")),
            ("读取数据行", record["rows_read"]),
            ("导入", record["imported"]),
            ("退回（有错误的行）", record["rejected"]),
            ("跳过（合计行等）", record["skipped"]),
            ("与已导入数据重复、未再存储", record["duplicates"]),
        ]
        for i, (k, v) in enumerate(rows):
            summary.write_string(i, 0, k, bold)
            if isinstance(v, int):
                summary.write_number(i, 1, v)
            else:
                summary.write_string(i, 1, str(v))
        summary.set_column(0, 0, 28)
        summary.set_column(1, 1, 40)

        sheet = book.add_worksheet("退回记录")
        for j, title in enumerate(("行号", "列", "原始值", "原因")):
            sheet.write_string(0, j, title, bold)
        for i, r in enumerate(rejections, start=1):
            sheet.write_number(i, 0, r.row)
            sheet.write_string(i, 1, r.column)
            sheet.write_string(i, 2, "" if r.value is None else str(r.value))
            sheet.write_string(i, 3, r.reason)
        sheet.set_column(0, 0, 8)
        sheet.set_column(1, 1, 18)
        sheet.set_column(2, 2, 28)
        sheet.set_column(3, 3, 60)
        sheet.freeze_panes(1, 0)

        skip = book.add_worksheet("跳过的行")
        skip.write_string(0, 0, "行号", bold)
        skip.write_string(0, 1, "原因", bold)
        for i, s in enumerate(skipped, start=1):
            skip.write_number(i, 0, int(s["row"]))  # type: ignore[call-overload]
            skip.write_string(i, 1, str(s["reason"]))
        skip.set_column(1, 1, 40)
    finally:
        book.close()
    tmp.replace(path)


@dataclass(frozen=True)
class ReportExcerpt:
    """The first rows of a rejection report, and how many it holds (a page shows a few)."""

    rejections: list[Rejection]
    rejected_cells: int
    """Refused cells the report lists (a row with two bad cells counts twice)."""
    skipped: list[tuple[int, str]]
    """(row, reason) of the first rows skipped."""
    skipped_rows: int


def read_excerpt(path: Path, limit: int) -> ReportExcerpt:
    """The first `limit` refused cells and skipped rows of the report `write_report` wrote."""
    import fastexcel

    book = fastexcel.read_excel(str(path))
    cells = book.load_sheet("退回记录", n_rows=limit, dtypes="string")
    skips = book.load_sheet("跳过的行", n_rows=limit, dtypes="string")
    rejections = [
        Rejection(int(row or 0), column or "", value, reason or "")
        for row, column, value, reason in cells.to_polars().iter_rows()
    ]
    skipped = [(int(row or 0), reason or "") for row, reason in skips.to_polars().iter_rows()]
    return ReportExcerpt(rejections, cells.total_height, skipped, skips.total_height)
