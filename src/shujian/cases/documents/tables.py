"""Data tables in a 检察建议书's attachment: column widths, fonts and borders.

Evidence tables come from models, with any number of columns and values of any length, so the
widths are planned from the values: a table must span the type area, stay readable (4号, or 小四
when it is too wide) and never break a date, amount or masked ID number in the middle. Text
columns (names, addresses) wrap instead.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from docx.document import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Pt, Twips
from docx.table import Table
from docx.text.paragraph import Paragraph

from shujian.cases.documents import layout

CELL_MARGIN = 80  # twips, left and right of each cell's text
_PAD = 2 * CELL_MARGIN + 60
_MAX_COLUMN_CHARS = 16.0  # longer values wrap
_RIGID_CHARS = 14.0  # values without Chinese up to this width (an ID number) never wrap
_MIN_TEXT_CHARS = 3.0
_TAIL = re.compile(r"尾号[0-9X]{4}")  # an adult's ID number as a document shows it: kept whole
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """`text` without the control characters XML 1.0 forbids (agency data carries some)."""
    return _XML_INVALID.sub("", text)


def text_width(text: str) -> float:
    """Approximate width of `text` in a CJK font, in full-width characters (em)."""
    return sum(_char_width(c) for c in text)


def _char_width(c: str) -> float:
    if unicodedata.east_asian_width(c) in "WF":
        return 1.0
    # Latin glyphs of the CJK fonts (official ones and the Noto substitutes) run wider than half
    # an em; overestimating costs a little white space, underestimating breaks a value.
    if c.isupper():
        return 0.7
    if c in " -.,:;/'|()[]":
        return 0.36
    return 0.58


def _has_wide(text: str) -> bool:
    return any(unicodedata.east_asian_width(c) in "WF" for c in text)


def header_lines(header: str) -> tuple[str, ...]:
    """A header split before its unit in brackets, where it wraps: 合同金额 / （万元）."""
    for bracket in ("（", "("):
        at = header.find(bracket)
        if at > 0:
            return header[:at], header[at:]
    return (header,)


@dataclass(frozen=True)
class Column:
    width: int  # twips
    rigid: bool  # short value without Chinese: kept whole and centred
    header: tuple[str, ...]  # header lines as laid out


def plan_columns(
    columns: Sequence[str], rows: Sequence[Sequence[str]]
) -> tuple[list[Column], float]:
    """Columns filling the type area, and the font size (4号, else 小四).

    Each column asks for its longest value (up to 16 characters) and its header, which may wrap
    before a bracketed unit or, when longer than six characters, in the middle. If the table is
    too wide even in 小四, text columns give up width down to three characters; rigid columns
    keep theirs unless even that is too wide.
    """
    total = layout.text_width_twips()
    need: list[float] = []
    floor: list[float] = []
    rigid: list[bool] = []
    for i, header in enumerate(columns):
        values = [row[i] for row in rows]
        data = min(max((text_width(v) for v in values), default=0.0), _MAX_COLUMN_CHARS)
        head = text_width(header)
        parts = header_lines(header)
        if len(parts) > 1:
            head_need = max(text_width(p) for p in parts)
        else:
            head_need = head if head <= 6 else max(data, math.ceil(head / 2))
        is_rigid = all(
            text_width(v) <= _RIGID_CHARS and (not _has_wide(v) or _TAIL.fullmatch(v))
            for v in values
        )
        # A code kept whole gets a character's margin: the estimate of Latin glyph widths is
        # rough, and an 18-character credit code one glyph short breaks before its last letter.
        need.append(max(data + (1.0 if is_rigid and data else 0.0), head_need, 2.0))
        rigid.append(is_rigid)
        floor.append(need[-1] if rigid[-1] else max(_MIN_TEXT_CHARS, min(need[-1], head_need)))
    size = layout.SIZE_4
    widths = [n * size * 20 + _PAD for n in need]
    if sum(widths) > total:
        size = layout.SIZE_SMALL_4
        widths = [n * size * 20 + _PAD for n in need]
    if sum(widths) > total:
        lows = [f * size * 20 + _PAD for f in floor]
        if sum(lows) >= total:  # even the floors do not fit: shrink every column alike
            lows = [w * total / sum(lows) for w in lows]
        spare = (total - sum(lows)) / (sum(widths) - sum(lows))
        widths = [lo + (w - lo) * spare for lo, w in zip(lows, widths, strict=True)]
    # Share what is left in proportion, so that the table spans the type area.
    scale = total / sum(widths)
    twips = [int(w * scale) for w in widths]
    twips[-1] += total - sum(twips)
    plan = []
    for header, width, is_rigid in zip(columns, twips, rigid, strict=True):
        room = (width - _PAD) / (size * 20)
        lines = header_lines(header) if text_width(header) > room else (header,)
        plan.append(Column(width, is_rigid, lines))
    return plan, size


def add_data_table(doc: Document, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    """A ruled table: header row in 黑体 repeated on each page, rows never split across pages."""
    plan, size = plan_columns(columns, rows)
    table = doc.add_table(rows=1 + len(rows), cols=len(columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout.table_width(tbl_pr, sum(c.width for c in plan))
    layout.table_cell_margins(tbl_pr, top=30, bottom=30, left=CELL_MARGIN, right=CELL_MARGIN)
    for i, column in enumerate(plan):
        table.columns[i].width = Twips(column.width)
    for r, values in enumerate((None, *rows)):
        row = table.rows[r]
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if values is None:
            tr_pr.append(OxmlElement("w:tblHeader"))  # repeated on each page
        for c, column in enumerate(plan):
            cell = row.cells[c]
            cell.width = Twips(column.width)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = cell.paragraphs[0]
            paragraph.style = doc.styles["表格文字"]
            paragraph.paragraph_format.line_spacing = Pt(size * 1.35)
            if values is None:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                for n, line in enumerate(column.header):
                    run = layout.set_run(paragraph.add_run(clean(line)), layout.HEITI, size)
                    if n < len(column.header) - 1:
                        run.add_break()
            else:
                if column.rigid:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                layout.set_run(paragraph.add_run(clean(values[c])), layout.FANGSONG, size)
    return table


WIDE_TABLE_COLUMNS = 6
"""More columns than this do not fit a portrait A4 type area legibly (28 characters a line)."""
ROWS_PER_TRANSPOSED_BLOCK = 3


def fit_to_page(
    columns: Sequence[str], rows: Sequence[Sequence[str]]
) -> list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]:
    """The evidence as one or more tables that fit the page.

    A table of up to `WIDE_TABLE_COLUMNS` columns stays as it is. A wider one (a distance lead
    has fifteen columns) is turned on its side: one row per column, labelled 项目, and one column
    per evidence row (第1条, 第2条 …), `ROWS_PER_TRANSPOSED_BLOCK` evidence rows to a table, so
    every value keeps a readable width instead of one character a line.
    """
    cols = tuple(columns)
    body = tuple(tuple(r) for r in rows)
    if len(cols) <= WIDE_TABLE_COLUMNS:
        return [(cols, body)]
    blocks = []
    step = ROWS_PER_TRANSPOSED_BLOCK
    for start in range(0, max(len(body), 1), step):
        chunk = body[start : start + step]
        header = ("项目", *(f"第{start + i + 1}条" for i in range(len(chunk))))
        blocks.append(
            (header, tuple((label, *(r[j] for r in chunk)) for j, label in enumerate(cols)))
        )
    return blocks


def signature_block(
    para: Callable[[str, str], Paragraph], signature: str, date: str
) -> list[Paragraph]:
    """署名 centred over the date, the date 右空四字 (GB/T 9704 7.3.5.1, sealed documents):
    `para(text, style)` writes one paragraph in the style 署名."""
    date_right = 4.0
    sign_right = max(0.0, date_right + (text_width(date) - text_width(signature)) / 2)
    written = []
    for text, right in ((signature, sign_right), (date, date_right)):
        paragraph = para(text, "署名")
        if right:
            layout.indent_chars(paragraph._p.get_or_add_pPr(), right=right)
        written.append(paragraph)
    return written
