"""The petition figures as an .xlsx workbook: the table (rates as percentages) and, on a second
sheet, what each figure counts."""

from __future__ import annotations

from pathlib import Path

from shujian import formulas
from shujian.petitions import rules
from shujian.petitions.service import Figures


def export_xlsx(figures: Figures, path: Path) -> None:
    import xlsxwriter

    by = rules.DIMENSIONS[figures.by]
    book = xlsxwriter.Workbook(str(path), formulas.XLSX_OPTIONS)
    try:
        sheet = book.add_worksheet(f"信访按{by}统计")
        bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        percent = book.add_format({"num_format": "0.0%"})
        sheet.write_string(0, 0, f"12309信访统计（{figures.period}）", bold)
        sheet.write_string(1, 0, by, bold)
        for j, (_, label) in enumerate(rules.FIGURES, start=1):
            sheet.write_string(1, j, label, bold)
        for i, row in enumerate(figures.rows, start=2):
            sheet.write_string(i, 0, str(row["key"]))
            for j, (key, _) in enumerate(rules.FIGURES, start=1):
                value = row[key]
                if value is None:
                    sheet.write_string(i, j, "—")
                elif key in rules.RATES:
                    sheet.write_number(i, j, float(value), percent)
                else:
                    sheet.write_number(i, j, value)
        sheet.freeze_panes(2, 1)
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, len(rules.FIGURES), 12)
        notes = book.add_worksheet("指标说明")
        notes.write_string(0, 0, "指标", bold)
        notes.write_string(0, 1, "口径", bold)
        labels = dict(rules.FIGURES)
        for i, (key, text) in enumerate(rules.DEFINITIONS.items(), start=1):
            notes.write_string(i, 0, labels[key])
            notes.write_string(i, 1, text)
        notes.set_column(0, 0, 30)
        notes.set_column(1, 1, 90)
    finally:
        book.close()
