"""The hearing counts as an xlsx workbook with Chinese headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter

from shujian import formulas
from shujian.hearings.service import FIGURES


def export_xlsx(rows: list[dict[str, Any]], path: Path) -> None:
    book = xlsxwriter.Workbook(str(path), formulas.XLSX_OPTIONS)
    try:
        sheet = book.add_worksheet("公开听证")
        bold = book.add_format({"bold": True})
        headers = ["部门", "案件类型", *(label for _, label in FIGURES)]
        for j, h in enumerate(headers):
            sheet.write_string(0, j, h, bold)
        for i, r in enumerate(rows, start=1):
            sheet.write_string(i, 0, str(r["department"]))
            sheet.write_string(i, 1, str(r["case_kind"]))
            for j, (key, _) in enumerate(FIGURES, start=2):
                sheet.write_number(i, j, r[key])
        sheet.freeze_panes(1, 2)
        sheet.set_column(0, 1, 16)
        sheet.set_column(2, len(headers), 14)
    finally:
        book.close()
