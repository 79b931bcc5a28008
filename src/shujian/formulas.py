"""Text that a spreadsheet program would take for a formula (formula injection, CSV injection).

A value written to a file that people open in Excel or WPS must stay text, whoever supplied it
(an agency's file, a user's form, a file name). The rule, in one place:

* a value *starts a formula* when its first character is ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return — unless the whole value is a plain number (``-3``, ``+2.5``), which a
  spreadsheet reads as that number and nothing more;
* in .xlsx every such value is written as a string cell (xlsxwriter with `XLSX_OPTIONS`, and
  `write_string`), unchanged: a string cell is never evaluated;
* in .csv (which has no cell types) it is written with a leading ``'`` (OWASP's advice), and so
  is a value that itself starts with ``'``, so that `from_csv` gives back exactly what was
  written: it removes one leading ``'``.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = frozenset("=+-@\t\r")
"""First characters that make Excel, WPS or LibreOffice read a cell as a formula."""

PREFIX = "'"
"""What a .csv cell that would start a formula is written after."""

PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")

XLSX_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
"""xlsxwriter.Workbook options: `write()` of any text writes a string cell, never a formula,
a number or a link."""

IN_MEMORY_CELLS = 200_000
"""A workbook of at most this many cells is assembled in memory (`xlsx_options`)."""


def xlsx_options(cells: int) -> dict[str, Any]:
    """`XLSX_OPTIONS` for a workbook of about `cells` cells: a small one is assembled in memory.

    xlsxwriter otherwise writes each part of the workbook to a temporary file before zipping
    them, about 30 ms for a workbook of three small sheets against 1.5 ms in memory: every import
    writes its rejection report, usually of a few rows. A large one keeps the temporary files,
    so that its XML is not held in memory beside its cells."""
    return {**XLSX_OPTIONS, "in_memory": cells <= IN_MEMORY_CELLS}


def starts_formula(text: str) -> bool:
    """Whether a spreadsheet would read `text` as a formula."""
    return bool(text) and text[0] in FORMULA_STARTS and not PLAIN_NUMBER.fullmatch(text)


def csv_cell(text: str) -> str:
    """`text` as written to a .csv cell: after a ``'`` when it would start a formula (or
    starts with ``'`` itself), else unchanged."""
    if starts_formula(text) or text.startswith(PREFIX):
        return PREFIX + text
    return text


def from_csv(text: str) -> str:
    """The value `csv_cell` wrote as `text`."""
    return text[len(PREFIX) :] if text.startswith(PREFIX) else text
