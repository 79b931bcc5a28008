"""The 国家司法救助 figures per ground as an xlsx workbook with Chinese headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter

from shujian import formulas
from shujian.judicial_aid.rules import FIGURES


def export_xlsx(rows: list[dict[str, Any]], path: Path) -> None:
    book = xlsxwriter.Workbook(str(path), formulas.XLSX_OPTIONS)
    try:
        sheet = book.add_worksheet("国家司法救助")
        bold = book.add_format({"bold": True})
        money = book.add_format({"num_format": "#,##0.00"})
        headers = ["救助情形", *(label for _, label in FIGURES)]
        for j, h in enumerate(headers):
            sheet.write_string(0, j, h, bold)
        for i, r in enumerate(rows, start=1):
            sheet.write_string(i, 0, str(r["ground"]))
            for j, (key, _) in enumerate(FIGURES, start=1):
                if "amount" in key:
                    sheet.write_number(i, j, float(r[key]), money)
                else:
                    sheet.write_number(i, j, r[key])
        sheet.freeze_panes(1, 1)
        sheet.set_column(0, 0, 26)
        sheet.set_column(1, len(headers), 14)
    finally:
        book.close()
