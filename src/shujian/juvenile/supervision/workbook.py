"""The .xlsx files of 督办: a title, a few lines saying what the table is, the table, a note.

Every cell is written as text except counts (numbers), so that a masked ID number, a date or a
rate reads the same in any spreadsheet and Excel changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter

from shujian import formulas


@dataclass
class Sheet:
    """One sheet: `title` (row 1), `lines` below it, `headers` and `rows`, `notes` at the end."""

    name: str
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    lines: Sequence[str] = ()
    notes: Sequence[str] = ()
    widths: dict[int, int] = field(default_factory=dict)


def write(path: Path, sheets: Sequence[Sheet]) -> Path:
    """Write `sheets` to `path` (an .xlsx); returns `path`."""
    book = xlsxwriter.Workbook(str(path), formulas.XLSX_OPTIONS)
    try:
        title = book.add_format({"bold": True, "font_size": 14})
        head = book.add_format(
            {"bold": True, "bg_color": "#EEF1F5", "border": 1, "text_wrap": True}
        )
        cell = book.add_format({"border": 1, "valign": "top", "text_wrap": True})
        muted = book.add_format({"font_color": "#555555"})
        for sheet in sheets:
            out = book.add_worksheet(sheet.name[:31])
            width = max(len(sheet.headers), 1)
            if width > 1:
                out.merge_range(0, 0, 0, width - 1, sheet.title, title)
            else:
                out.write_string(0, 0, sheet.title, title)
            row = 1
            for line in sheet.lines:
                out.write_string(row, 0, line, muted)
                row += 1
            row += 1
            header_row = row
            for j, label in enumerate(sheet.headers):
                out.write_string(row, j, label, head)
            for values in sheet.rows:
                row += 1
                for j, value in enumerate(values):
                    if isinstance(value, int) and not isinstance(value, bool):
                        out.write_number(row, j, value, cell)
                    else:
                        out.write_string(row, j, "" if value is None else str(value), cell)
            row += 2
            for note in sheet.notes:
                out.write_string(row, 0, note, muted)
                row += 1
            out.freeze_panes(header_row + 1, 0)
            for j, label in enumerate(sheet.headers):
                out.set_column(j, j, sheet.widths.get(j, max(8, min(40, 2 * len(label) + 4))))
    finally:
        book.close()
    return path
