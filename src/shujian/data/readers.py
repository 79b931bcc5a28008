"""Reading agency files into a grid of text, exactly as the agency wrote it.

Every cell becomes text (or null when empty); nothing is interpreted here except one fact the
text alone cannot show: that Excel held a long digit string as a *number*. An 18-digit ID
number typed into a numeric cell has already lost its last digits inside Excel, so such cells
are re-written in scientific notation, which the `id_card` field type recognises and rejects
(never repairs).
"""

from __future__ import annotations

import codecs
import csv
import logging
import re
import string
import tempfile
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import polars as pl

from shujian.data.limits import (
    DEFAULT_LIMITS,
    ReadLimits,
    check_archive,
    check_shared_strings,
    inflate,
    open_archive,
    verify_members,
)
from shujian.errors import UserError

log = logging.getLogger(__name__)

HEADER_SCAN_ROWS = 30
"""Header rows are looked for among the first rows only (title rows sit above them)."""


@dataclass
class Grid:
    """Raw cells of one sheet: columns c0..cN of Utf8, and each row's number in the source.

    `row_numbers` are what a user sees in Excel or a text editor (1-based), so the rejection
    report points at the right line.
    """

    frame: pl.DataFrame
    row_numbers: pl.Series
    encoding: str | None = None
    sheet: str | None = None


def read_grid(
    path: Path,
    sheet: str | None = None,
    encoding: str = "auto",
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Grid:
    """Every cell of the sheet as text. A file that cannot be read whole, or exceeds `limits`,
    is refused with a Chinese message naming it (and the row, where there is one)."""
    parts = list(read_grid_parts(path, sheet, encoding, limits))
    if len(parts) == 1:
        return parts[0]
    # one chunk: polars' string formatting panics on a literal of several chunks
    return Grid(
        frame=pl.concat([p.frame for p in parts], rechunk=True),
        row_numbers=pl.concat([p.row_numbers for p in parts], rechunk=True),
        encoding=parts[0].encoding,
        sheet=parts[0].sheet,
    )


CSV_PART_ROWS = 500_000
"""Rows of a CSV file read at a time (`read_grid_parts`): an import holds one part of a large
file, not the whole file (bench/imports.py: a part of 500,000 rows of six million keeps the
import's peak the same for a file twice that size)."""


def read_grid_parts(
    path: Path,
    sheet: str | None = None,
    encoding: str = "auto",
    limits: ReadLimits = DEFAULT_LIMITS,
    part_rows: int | None = None,
) -> Generator[Grid, None, None]:
    """The sheet as consecutive grids, in the file's order, each row keeping its number in the
    file: a CSV file `part_rows` rows at a time (`CSV_PART_ROWS`; the first part also holds
    every title row and at least `HEADER_SCAN_ROWS` rows), an Excel sheet whole, as one part.

    Each part is checked as `read_grid` checks the whole (field lengths, swallowed rows): a
    refusal names the same kind of fault and a row of the file. Reading stops at the first.
    """
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        parts: Iterator[Grid] = iter([_read_xlsx(path, sheet, limits)])
    elif suffix == ".xls":
        parts = iter([_read_xls(path, sheet)])
    elif suffix in (".csv", ".txt", ".tsv"):
        rows = max(part_rows or CSV_PART_ROWS, HEADER_SCAN_ROWS)
        parts = _read_csv(path, encoding, limits, rows)
    else:
        raise UserError(f"不支持的文件类型“{path.suffix}”：请提供 xlsx、xls 或 csv 文件。")
    for grid in parts:
        check_field_lengths(grid, path.name, limits)
        yield grid


def check_field_lengths(grid: Grid, name: str, limits: ReadLimits) -> None:
    """Refuse a cell longer than `max_field_chars`, naming its row: no agency writes such a
    cell, and in a CSV file it is most often a stray quote that swallowed the rows below it."""
    if grid.frame.width == 0 or grid.frame.height == 0:
        return
    longest_bytes = grid.frame.select(pl.max_horizontal(pl.all().str.len_bytes().max())).item()
    if longest_bytes is None or longest_bytes <= limits.max_field_chars:
        return  # no cell has more characters than bytes: three times cheaper than counting them
    lengths = grid.frame.select(pl.max_horizontal(pl.all().str.len_chars())).to_series()
    longest = lengths.max()
    if longest is None or int(longest) <= limits.max_field_chars:  # type: ignore[arg-type]
        return
    at = int(lengths.arg_max())  # type: ignore[arg-type]
    hint = (
        "CSV 文件出现这种情况，多半是某个引号没有配对，把下面的行都当成了这一个单元格。"
        if Path(name).suffix.lower() in (".csv", ".txt", ".tsv")
        else ""
    )
    raise UserError(
        f"文件 {name} 第 {int(grid.row_numbers[at])} 行有一个单元格长 {int(longest)} 个字符，"  # type: ignore[arg-type]
        f"超过上限 {limits.max_field_chars}（[import] max_field_chars）。{hint}整份文件未导入。",
        code="field_too_long",
    )


def _columns(n: int) -> list[str]:
    return [f"c{i}" for i in range(n)]


# --------------------------------------------------------------------------- xlsx


def _read_xlsx(path: Path, sheet: str | None, limits: ReadLimits) -> Grid:
    """The sheet through calamine, once the archive and the sheet's XML have been checked in
    Python (`limits.py`): calamine aborts the process on a cell far out, and inflates a zip
    bomb whole, so neither may reach it."""
    import fastexcel

    with open_archive(path) as zf:
        check_archive(zf, path.name, limits)
        sheets = _workbook_sheets(zf, path.name, limits)
        name = _pick_sheet(list(sheets), sheet, path)
        member = sheets[name]
        verify_members(zf, path.name, limits, skip=member)
        numeric = _scan_sheet(zf, member, path.name, limits)
    # The grid's columns start at the first column calamine finds a value in (a styled empty
    # cell, or a wrong <dimension>, says nothing about it): each column's absolute index is
    # read off as calamine selects it. skip_rows=0 makes its rows absolute (row 1 first).
    absolute: list[int] = []

    def keep(column: Any) -> bool:
        absolute.append(int(column.absolute_index))
        return True

    try:
        reader = fastexcel.read_excel(str(path))
        # eager loading hands one Arrow batch over, about a second faster per million rows
        batch = reader.load_sheet(
            name, header_row=None, dtypes="string", eager=True, skip_rows=0, use_columns=keep
        )
        frame = pl.DataFrame(pl.from_arrow(batch))
    except Exception as exc:  # fastexcel raises its own error types for corrupt files
        raise UserError(
            f"无法读取 Excel 文件 {path.name} 的工作表“{name}”：文件可能已损坏或不是 xlsx 格式，"
            "整份文件未导入。",
            code="corrupt_xlsx",
        ) from exc
    frame.columns = _columns(frame.width)
    if numeric:
        frame = _mark_numeric_cells(frame, numeric, absolute)
    used = frame.select(pl.any_horizontal(pl.all().is_not_null())).to_series()
    first = int(used.arg_true()[0]) if used.any() else 0
    if first:
        frame = frame.slice(first)  # leading blank rows: the grid starts at the first used row
    rows = pl.Series("row", range(first + 1, first + 1 + frame.height), dtype=pl.Int64)
    return Grid(frame=frame, row_numbers=rows, sheet=name)


def sheet_names(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> list[str]:
    """The sheets of an Excel file, in the workbook's order; none for a CSV file."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        with open_archive(path) as zf:
            check_archive(zf, path.name, limits)
            return list(_workbook_sheets(zf, path.name, limits))
    if suffix == ".xls":
        import xlrd

        try:
            return list(xlrd.open_workbook(str(path), on_demand=True).sheet_names())
        except Exception as exc:  # xlrd raises its own error types for corrupt files
            raise UserError(
                f"无法打开 Excel 文件 {path.name}：文件可能已损坏或不是 xls 格式。"
            ) from exc
    return []


def _pick_sheet(names: list[str], wanted: str | None, path: Path) -> str:
    if wanted is None:
        return names[0]
    if wanted in names:
        return wanted
    if wanted.isdigit() and 0 < int(wanted) <= len(names):
        return names[int(wanted) - 1]
    raise UserError(f"文件 {path.name} 中没有名为“{wanted}”的工作表；现有：{'、'.join(names)}。")


_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
# A value of 16+ digits or in scientific notation with a large exponent (Excel writes "E+17",
# Python-based writers "e+17"). The same pattern runs in polars (Rust regex) and Python's re.
_LONG_VALUE_PATTERN = (
    r"<v>(-?[0-9]{16,}(?:\.[0-9]*)?|-?[0-9](?:\.[0-9]+)?[Ee]\+?(?:1[5-9]|[2-9][0-9]))</v>"
)
_LONG_VALUE = re.compile(_LONG_VALUE_PATTERN.encode("ascii"))
_CELL_START = re.compile(rb'<c r="([A-Z]+)([0-9]+)"([^>]*)>')
_PIECE_BYTES = 1 << 20
"""The sheet XML is inflated in pieces of about 1 MiB (larger ones cost more page faults)."""
_PIECES_PER_SCAN = 16
"""Pieces handed to polars at once: 16 MiB of XML held twice at most, not the whole sheet."""
_MAX_CARRY = 64 << 20
"""A stretch of the sheet this long without the end of a cell is handed on whole."""


def _workbook_sheets(zf: zipfile.ZipFile, name: str, limits: ReadLimits) -> dict[str, str]:
    """Sheet name → its member in the archive, in the workbook's order (read here rather than
    by calamine, so that the sheet's XML can be checked before calamine reads it)."""

    def part(member: str) -> ElementTree.Element:
        try:
            info = zf.getinfo(member)
            return ElementTree.fromstring(b"".join(inflate(zf, info, name, limits)))
        except (KeyError, ElementTree.ParseError) as exc:
            raise UserError(
                f"无法打开 Excel 文件 {name}：缺少或损坏了 {member}，文件可能已损坏或不是 xlsx 格式，"
                "整份文件未导入。",
                code="corrupt_xlsx",
            ) from exc

    workbook = part("xl/workbook.xml")
    rels = part("xl/_rels/workbook.xml.rels")
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", _NS)}
    sheets: dict[str, str] = {}
    members = set(zf.namelist())
    for node in workbook.findall("m:sheets/m:sheet", _NS):
        target = targets.get(node.get(f"{{{_NS['r']}}}id"), "").lstrip("/")
        member = target if target.startswith("xl/") else f"xl/{target}"
        sheet = node.get("name")
        if sheet is None or member not in members or sheet in sheets:
            raise UserError(
                f"无法打开 Excel 文件 {name}：工作表清单与文件内容不符，文件可能已损坏，整份文件未导入。",
                code="corrupt_xlsx",
            )
        sheets[sheet] = member
    if not sheets:
        raise UserError(f"Excel 文件 {name} 中没有工作表，整份文件未导入。", code="corrupt_xlsx")
    shared = {
        f"xl/{t.lstrip('/').removeprefix('xl/')}"
        for r in rels.findall("rel:Relationship", _NS)
        if r.get("Type", "").endswith("/sharedStrings") and (t := r.get("Target", ""))
    }
    shared |= {m for m in members if m.lower().endswith("sharedstrings.xml")}
    for member in sorted(shared & members):
        check_shared_strings(zf, member, name, limits)
    return sheets


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _scan_sheet_xml(
    path: Path, sheet: str, limits: ReadLimits = DEFAULT_LIMITS
) -> list[tuple[int, int, str]]:
    """`_scan_sheet` of the sheet named `sheet` of the file at `path`."""
    with open_archive(path) as zf:
        member = _workbook_sheets(zf, path.name, limits)[sheet]
        return _scan_sheet(zf, member, path.name, limits)


def _scan_sheet(
    zf: zipfile.ZipFile, member: str, name: str, limits: ReadLimits
) -> list[tuple[int, int, str]]:
    """Every numeric cell of 16 or more digits: (row, column), both absolute, and its value;
    and a refusal when the cells span more than `limits.max_cells`.

    Such a cell cannot hold an exact value: Excel keeps 15 significant digits, so the cell's
    text must not be trusted as an identifier. The span matters because calamine allocates
    the whole rectangle from the first cell to the last, empty or not.

    The sheet is inflated and looked at piece by piece (`_sheet_pieces`), never whole.
    """
    numeric: list[tuple[int, int, str]] = []
    bounds = _Bounds()
    batch: list[bytes] = []
    size = 0
    for piece in _sheet_pieces(zf, member, name, limits):
        if b"<c" not in piece and b"<row" not in piece:
            continue  # no cell, no row: nothing to look at (a long comment, a run of spaces)
        batch.append(piece)
        size += len(piece)
        if len(batch) == _PIECES_PER_SCAN or size >= _PIECES_PER_SCAN * _PIECE_BYTES:
            numeric.extend(_scan_batch(batch, bounds, name, limits))
            batch, size = [], 0
    numeric.extend(_scan_batch(batch, bounds, name, limits))
    return numeric


_CELL_REF = r"""\sr\s*=\s*["']([^"']*)["']"""
"""A `r="B7"` attribute (of a cell) or `r="7"` (of a row), with either quote."""
_ODD_REF = r"""\sr\s*=\s*'|\sr\s+=|\sr=\s"""
"""Any other way of writing such an attribute (single quotes, spaces around `=`)."""
_PLAIN_REF = r"^(?:[A-Z]{1,3}[0-9]{1,7}|[0-9]{1,7})$"
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384


@dataclass
class _Bounds:
    """The rectangle calamine will allocate for the sheet, as far as scanned (1-based).

    Cells and rows without a reference (`<c>`, `<row>`: some writers omit them) take the place
    after the previous one, so they widen the rectangle by their number: a row of 16,384 such
    cells and a row numbered 1048576 ask for 512 GiB as surely as a cell at XFD1048576.
    """

    first_row: int = EXCEL_ROWS + 1
    last_row: int = 0
    first_col: int = EXCEL_COLUMNS + 1
    last_col: int = 0
    unnumbered_rows: int = 0
    widest: int = 0
    """The most cells one row has, counted only once a cell without a reference is seen."""
    open_row: int = 0
    """Cells counted so far in the row still open at the end of the last piece."""

    def rows(self) -> int:
        first = 1 if self.unnumbered_rows else self.first_row
        return max(0, self.last_row + self.unnumbered_rows - first + 1)

    def columns(self) -> int:
        first = 1 if self.widest else self.first_col
        return max(1, self.last_col + self.widest - first + 1)

    def cells(self) -> int:
        return self.rows() * self.columns()


_CELL_TAG = re.compile(rb"<c[\s/>]")


def _widest_row(pieces: list[bytes], bounds: _Bounds) -> int:
    """The most cell tags between two row tags in `pieces` (the first row continuing the one
    open at the end of the previous pieces)."""
    widest = 0
    for piece in pieces:
        segments = piece.split(b"<row")
        for i, segment in enumerate(segments):
            count = len(_CELL_TAG.findall(segment))
            bounds.open_row = bounds.open_row + count if i == 0 else count
            widest = max(widest, bounds.open_row)
    return widest


def _scan_batch(
    pieces: list[bytes], bounds: _Bounds, name: str, limits: ReadLimits
) -> list[tuple[int, int, str]]:
    if not pieces:
        return []
    text = _as_text(pieces)
    # only pieces with a cell or a row hold references (a long comment has none)
    tagged = text.filter(
        text.str.contains("<c", literal=True) | text.str.contains("<row", literal=True)
    )
    refs = _references(tagged)
    if refs.len():
        plain = refs.str.contains(_PLAIN_REF)
        if not plain.all():
            bad = refs.filter(~plain)[0]
            raise UserError(
                f"Excel 文件 {name} 中有位置写法不合规的单元格（{bad[:20]}），"
                f"超出 Excel 的 {EXCEL_COLUMNS} 列、{EXCEL_ROWS} 行，或不是 Excel 写出的文件，"
                "整份文件未导入。",
                code="corrupt_xlsx",
            )
        numbers = refs.str.strip_chars_start(string.ascii_uppercase).cast(pl.Int64)
        bounds.first_row = min(bounds.first_row, int(numbers.min()))  # type: ignore[arg-type]
        bounds.last_row = max(bounds.last_row, int(numbers.max()))  # type: ignore[arg-type]
        for letters in refs.str.strip_chars_end(string.digits).unique():
            if not letters:
                continue  # a row's reference
            col = _col_index(letters.encode("ascii")) + 1
            bounds.first_col = min(bounds.first_col, col)
            bounds.last_col = max(bounds.last_col, col)
    if not tagged.is_empty():
        cell_refs = int(refs.str.contains("^[A-Z]").sum()) if refs.len() else 0
        row_refs = refs.len() - cell_refs
        cell_tags = int(tagged.str.count_matches(r"<c[\s/>]").sum())
        row_tags = int(tagged.str.count_matches(r"<row[\s/>]").sum())
        bounds.unnumbered_rows += max(0, row_tags - row_refs)
        if cell_tags > cell_refs or bounds.widest:
            bounds.widest = max(bounds.widest, _widest_row(pieces, bounds))
    if bounds.last_row > EXCEL_ROWS or bounds.last_col > EXCEL_COLUMNS:
        raise UserError(
            f"Excel 文件 {name} 中有单元格超出 Excel 的 {EXCEL_COLUMNS} 列、{EXCEL_ROWS} 行，"
            "文件可能已损坏，整份文件未导入。",
            code="corrupt_xlsx",
        )
    if bounds.cells() > limits.max_cells:
        raise UserError(
            f"Excel 文件 {name} 的单元格占 {bounds.rows()} 行、{bounds.columns()} 列，"
            f"合 {bounds.cells()} 格，超过上限 {limits.max_cells}（[import] max_cells），"
            "整份文件未导入。确属正常的大文件，请拆分后分批导入，或由管理员调高该上限。",
            code="xlsx_too_large",
        )
    return list(_numeric_cells(pieces, text))


def _as_text(pieces: list[bytes]) -> pl.Series:
    """The pieces as text for polars' regex engine. Bytes that are not UTF-8 (which calamine
    refuses anyway) become U+FFFD: polars' own cast, five times faster, raises on them, strict
    or not."""
    try:
        return pl.Series(pieces, dtype=pl.Binary).cast(pl.Utf8, strict=False)
    except pl.exceptions.ComputeError:
        return pl.Series([p.decode("utf-8", errors="replace") for p in pieces], dtype=pl.Utf8)


def _references(text: pl.Series) -> pl.Series:
    """The value of every `r` attribute in `text`: `B7` of a cell, `7` of a row."""
    if text.is_empty():
        return pl.Series([], dtype=pl.Utf8)
    if text.str.contains(_ODD_REF).any():
        # written otherwise than Excel writes it: the slower, general pattern
        return text.str.extract_all(_CELL_REF).explode().drop_nulls().str.extract(_CELL_REF)
    refs = text.str.extract_all(r'\sr="[^"]*"').explode().drop_nulls()
    return refs.str.slice(4).str.strip_suffix('"')


def _sheet_pieces(
    zf: zipfile.ZipFile, member: str, name: str = "", limits: ReadLimits = DEFAULT_LIMITS
) -> Iterator[bytes]:
    """The sheet XML, inflated piece by piece; each piece ends just after a cell (``</c>``).

    No cell is split between two pieces, so a `<v>` value and the `<c …>` tag that opens its
    cell are always in the same piece, and scanning the pieces finds exactly what scanning
    the whole sheet would, without holding its 250 MB (per million rows) in memory.

    Only each new chunk is searched for the end of a cell, so a long stretch without one
    (rows of styled empty cells `<c …/>`, a huge comment) costs its length, not its square;
    a stretch longer than `_MAX_CARRY` is handed on whole (no cell with a value is that long).
    """
    carry: list[bytes] = []
    carried = 0
    tail = b""
    for chunk in _chunks(inflate(zf, zf.getinfo(member), name or member, limits)):
        cut = chunk.rfind(b"</c>")
        if cut >= 0:
            cut += 4
        else:  # the end of a cell may straddle the previous chunk and this one
            edge = (tail + chunk[:3]).rfind(b"</c>")
            cut = edge + 4 - len(tail) if edge >= 0 else -1
        if cut < 0:
            carry.append(chunk)
            carried += len(chunk)
            tail = (tail + chunk)[-3:]
            if carried >= _MAX_CARRY:
                yield b"".join(carry)
                carry, carried, tail = [], 0, b""
            continue
        carry.append(chunk[:cut])
        yield b"".join(carry)
        rest = chunk[cut:]
        carry, carried, tail = ([rest], len(rest), rest[-3:]) if rest else ([], 0, b"")
    if carry:
        yield b"".join(carry)


def _chunks(stream: Iterator[bytes]) -> Iterator[bytes]:
    """The inflated stream regrouped in pieces of `_PIECE_BYTES`."""
    pending = b""
    for data in stream:
        if pending:
            data = pending + data
        view, start = memoryview(data), 0
        while len(data) - start >= _PIECE_BYTES:
            yield bytes(view[start : start + _PIECE_BYTES])
            start += _PIECE_BYTES
        pending = data[start:]
    if pending:
        yield pending


def _numeric_cells(
    pieces: list[bytes], text: pl.Series | None = None
) -> Iterator[tuple[int, int, str]]:
    """(row, column, scientific text) of each numeric cell of 16 or more digits in `pieces`.

    Python's re takes about 0.6 s per million rows to look at every `<v>`; polars' Rust regex,
    with its literal prefilter, a fifth of that. Such values are rare, so polars picks the
    few pieces holding one and only those are examined cell by cell in Python (`_as_text`
    makes bytes that are not UTF-8 a replacement character, which no value pattern holds).
    """
    if not pieces:
        return
    if text is None:
        text = _as_text(pieces)
    for piece, hit in zip(pieces, text.str.contains(_LONG_VALUE_PATTERN), strict=True):
        if hit is False:
            continue
        for match in _LONG_VALUE.finditer(piece):
            opening = piece.rfind(b"<c ", 0, match.start())
            cell = _CELL_START.match(piece, opening)
            if cell is None:
                continue
            letters, row_text, attrs = cell.groups()
            if b' t="' in attrs and b' t="n"' not in attrs:
                continue  # a text cell that happens to hold digits is what we want
            number = float(match.group(1))
            if abs(number) >= 1e15:
                yield int(row_text), _col_index(letters), f"{number:.14E}"


def _mark_numeric_cells(
    frame: pl.DataFrame, cells: list[tuple[int, int, str]], absolute: list[int]
) -> pl.DataFrame:
    """Write each long numeric cell's scientific text over calamine's digits, in place.

    `absolute` is the absolute column index of each frame column; the frame's row 0 is row 1.
    """
    column_of = {a: i for i, a in enumerate(absolute)}
    by_col: dict[int, list[tuple[int, str]]] = {}
    for row, col, text in cells:
        if col in column_of and 0 < row <= frame.height:
            by_col.setdefault(column_of[col], []).append((row - 1, text))
    updates = []
    for col, entries in by_col.items():
        name = f"c{col}"
        idx = pl.Series([i for i, _ in entries], dtype=pl.Int64)
        series = frame[name].clone()
        series.scatter(idx, pl.Series([t for _, t in entries], dtype=pl.Utf8))
        updates.append(series)
    return frame.with_columns(updates) if updates else frame


# --------------------------------------------------------------------------- xls


def _read_xls(path: Path, sheet: str | None) -> Grid:
    """Legacy .xls (≤65,536 rows): xlrd gives cell types, so numeric IDs are seen exactly."""
    import xlrd

    try:
        book = xlrd.open_workbook(str(path))
    except Exception as exc:
        raise UserError(
            f"无法打开 Excel 文件 {path.name}：文件可能已损坏或不是 xls 格式。"
        ) from exc
    name = _pick_sheet(book.sheet_names(), sheet, path)
    ws = book.sheet_by_name(name)
    columns: list[list[str | None]] = [[] for _ in range(ws.ncols)]
    for r in range(ws.nrows):
        for c in range(ws.ncols):
            columns[c].append(_xls_text(ws.cell(r, c), book.datemode))
    frame = pl.DataFrame({f"c{i}": pl.Series(col, dtype=pl.Utf8) for i, col in enumerate(columns)})
    rows = pl.Series("row", range(1, ws.nrows + 1), dtype=pl.Int64)
    return Grid(frame=frame, row_numbers=rows, sheet=name)


def _xls_text(cell: object, datemode: int) -> str | None:
    import xlrd

    kind = cell.ctype  # type: ignore[attr-defined]
    value = cell.value  # type: ignore[attr-defined]
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if kind == xlrd.XL_CELL_NUMBER:
        if abs(value) >= 1e15:
            return f"{value:.14E}"
        return str(int(value)) if float(value).is_integer() else repr(value)
    if kind == xlrd.XL_CELL_DATE:
        dt = xlrd.xldate.xldate_as_datetime(value, datemode)
        return dt.isoformat(sep=" ")
    if kind == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if value else "FALSE"
    return str(value)


# --------------------------------------------------------------------------- csv

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK).

    UTF-8 is tried strictly over the whole file: GBK bytes almost never form valid UTF-8, so a
    clean decode is decisive. Anything that is neither is refused rather than guessed.
    """
    with path.open("rb") as fh:
        head = fh.read(4)
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    if _decodes(path, "utf-8"):
        return "utf-8"
    if _decodes(path, "gb18030"):
        return "gb18030"
    raise UserError(
        f"无法识别文件 {path.name} 的编码：既不是 UTF-8，也不是 GBK/GB18030"
        "（不带 BOM 的 UTF-16 也不能识别，请另存为 UTF-8），整份文件未导入。",
        code="unknown_encoding",
    )


def _decodes(path: Path, encoding: str) -> bool:
    if encoding == "utf-8":
        return _is_utf8(path)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 22):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


UTF8_PIECE_BYTES = 1 << 22
"""Bytes of a file checked for UTF-8 at a time (`_is_utf8`)."""


def _is_utf8(path: Path) -> bool:
    """Whether the whole file is strict UTF-8, checked by polars (Rust) a piece at a time: five
    times faster than Python's decoder, which builds the text only to throw it away. A piece
    ends before a character it may cut, which goes with the next (or is checked alone at the
    end of the file)."""
    held = b""
    with path.open("rb") as fh:
        while chunk := fh.read(UTF8_PIECE_BYTES):
            data = held + chunk
            cut = _complete_utf8(data)
            held = data[cut:]
            if not _valid_utf8(data[:cut]):
                return False
    return _valid_utf8(held)


def _valid_utf8(data: bytes) -> bool:
    try:
        pl.Series([data], dtype=pl.Binary).cast(pl.Utf8)
    except pl.exceptions.ComputeError:
        return False
    return True


def _complete_utf8(data: bytes) -> int:
    """Where `data` ends if a multi-byte character at its end may be cut: before that
    character's first byte (at most three continuation bytes back); otherwise its length."""
    i = len(data) - 1
    while i >= 0 and len(data) - i <= 3 and data[i] & 0xC0 == 0x80:
        i -= 1
    return i if i >= 0 and data[i] >= 0xC0 else len(data)


def _read_csv(path: Path, encoding: str, limits: ReadLimits, part_rows: int) -> Iterator[Grid]:
    if encoding == "auto":
        encoding = detect_encoding(path)
    elif encoding in ("gbk", "gb2312"):
        encoding = "gb18030"
    elif encoding in ("utf-8", "utf8") and not _decodes(path, "utf-8"):
        raise UserError(
            f"文件 {path.name} 不能按 UTF-8 编码读取：其中有不是 UTF-8 的字节"
            "（多半是 GBK 编码）。请改用自动识别，或按 GBK 读取。",
            code="bad_encoding",
        )
    with tempfile.TemporaryDirectory(prefix="shujian-csv-") as tmp:
        source = path
        if encoding not in ("utf-8", "utf8"):
            # the whole file is transcoded to UTF-8 first (an incremental decoder: a character
            # is never cut), so the parts below are cut by the CSV reader between records
            source = Path(tmp) / "utf8.csv"
            try:
                _transcode(path, source, encoding)
            except UnicodeDecodeError as exc:
                raise UserError(
                    f"文件 {path.name} 不能按 {encoding.upper()} 编码读取：其中有该编码没有的字节。"
                    "请改用自动识别的编码。",
                    code="bad_encoding",
                ) from exc
        nul_line, lone_cr, quoted = _text_facts(source)
        if nul_line:
            raise UserError(
                f"文件 {path.name} 第 {nul_line} 行有空字符（NUL），不是文本格式的 CSV 文件"
                "（若是不带 BOM 的 UTF-16 编码，请另存为 UTF-8），整份文件未导入。",
                code="not_text",
            )
        if lone_cr:
            # a lone CR ends a line (old Mac files, and Python's csv say so); polars only knows LF
            lf = Path(tmp) / "lf.csv"
            _lone_cr_to_lf(source, lf)
            source = lf
        first_row = 1
        spool = Path(tmp) / "parts.arrow" if source.stat().st_size > CSV_SPOOL_BYTES else None
        for frame in _parse_csv(source, path.name, limits, part_rows, quoted, spool):
            rows = pl.Series("row", range(first_row, first_row + frame.height), dtype=pl.Int64)
            first_row += frame.height
            yield Grid(frame=frame, row_numbers=rows, encoding=encoding)


def _parse_csv(
    source: Path,
    name: str,
    limits: ReadLimits,
    part_rows: int,
    quoted: bool = True,
    spool: Path | None = None,
) -> Iterator[pl.DataFrame]:
    """The UTF-8 CSV file at `source` as grids of text, `part_rows` rows at a time (the title
    lines above the table go with the first), refused whole (naming the row where it can) when
    it is not CSV that polars and Python's csv read alike. A file with no quote character
    (`quoted` false) has no cell holding a line break, so none is looked for. With `spool`, the
    table is read through that Arrow file (`_csv_batches`)."""
    if csv.field_size_limit() <= limits.max_field_chars:
        csv.field_size_limit(limits.max_field_chars + 1)
    head = _head_lines(source, HEADER_SCAN_ROWS)
    delimiter = _sniff_delimiter(head)
    reader = csv.reader(head, delimiter=delimiter)
    try:
        parsed_head = list(reader)
    except csv.Error as exc:
        raise _not_csv(name, reader.line_num, str(exc), limits) from exc
    width = max((len(r) for r in parsed_head), default=0)
    if width == 0:
        raise UserError(f"文件 {name} 是空的。", code="empty_file")
    # polars takes the column count from the first line it reads, so title lines above
    # the header (narrower than the table) are read here and the table from the first
    # full-width line on.
    start = next(i for i, r in enumerate(parsed_head) if len(r) == width)
    names = _columns(width)
    titles = pl.DataFrame(
        [[*r, *[None] * (width - len(r))] for r in parsed_head[:start]],
        schema=dict.fromkeys(names, pl.Utf8),
        orient="row",
    )
    table = pl.scan_csv(
        source,
        has_header=False,
        infer_schema=False,
        separator=delimiter,
        skip_rows=start,
        new_columns=names,
        truncate_ragged_lines=True,
        raise_if_empty=False,
        schema_overrides=dict.fromkeys(names, pl.Utf8),
    )
    first_row = 1
    batches = _csv_batches(table, source, name, delimiter, limits, part_rows, spool)
    for part in _regroup(batches, part_rows, start):
        if part.width != width:  # polars and Python's csv did not agree on the lines
            row, why = _first_bad_row(source, delimiter)
            raise _not_csv(name, row, why, limits)
        if first_row == 1 and start:
            # one chunk: polars' string formatting panics on a literal of several chunks
            # (found by bench/fuzz.py: `_check_vocabulary` on a file with a title row)
            part = pl.concat([titles, part], rechunk=True)
        swallowed = _swallowed_rows(part, delimiter, width) if quoted else None
        if swallowed is not None:
            raise UserError(
                f"文件 {name} 第 {first_row - 1 + swallowed} 行有一个以引号开始的单元格没有配对的结束引号，"
                "把下面的几行也当成了这一个单元格的内容。请检查该行的引号，整份文件未导入。",
                code="unbalanced_quote",
            )
        first_row += part.height
        yield part
    if first_row == 1:  # no table below the title lines (if any): one empty or title-only part
        yield titles


CSV_SPOOL_BYTES = 512 * 2**20
"""A CSV file larger than this is read through an Arrow file (`_csv_batches`). polars' batch
iterator reads on ahead of its consumer, and an import spends seconds on each part, so the
iterator holds about as much as the rest of the file: a 700 MB registry had all four of its parts
(823 MiB) in memory before the first was parsed, and its import peaked at 2.1 GiB. Writing and
reading the Arrow file costs about 1 CPU s per 300 MB, and below this size the parts held ahead
are not what sets an import's peak (a 340 MB file of six million payments peaked as high either
way), so the iterator is kept (docs/benchmark.md)."""


def _csv_batches(
    table: pl.LazyFrame,
    source: Path,
    name: str,
    delimiter: str,
    limits: ReadLimits,
    rows: int,
    spool: Path | None = None,
) -> Iterator[pl.DataFrame]:
    """The record batches of `table`, in the file's order, `rows` at a time: a part's own size,
    so that most parts are one batch and are not copied to be joined (`_regroup`). A file it
    cannot read is refused naming the line where Python's strict csv reader fails.

    Without `spool`, polars' streaming reader hands the batches over as it reads. With it, the
    reader first writes the whole table to that Arrow file (lz4, in the reader's temporary
    folder), with memory bounded by its own buffers, and the parts are read back from it one at
    a time, so that an import holds one part whatever the file's length."""
    try:
        if spool is not None:
            table.sink_ipc(spool, compression="lz4")
            spooled = pl.scan_ipc(spool)
            offset = 0
            while (part := spooled.slice(offset, rows).collect()).height:
                offset += part.height
                yield part
            return
        batches = table.collect_batches(chunk_size=rows, maintain_order=True)
        while (batch := next(batches, None)) is not None:
            yield batch
    except (pl.exceptions.PolarsError, OSError) as exc:
        spooling = spool if isinstance(exc, OSError) else None
        if spooling and (getattr(exc, "errno", None) == 28 or "os error 28" in str(exc)):  # ENOSPC
            raise _spool_refused(name, spooling, "所在磁盘空间不足", "no_space") from exc
        row, why = _first_bad_row(source, delimiter)
        if spooling and row is None:  # the file reads: the spool could not be written or read
            log.warning("spool %s failed", spooling, exc_info=True)
            raise _spool_refused(name, spooling, "无法写入", "spool_failed") from exc
        raise _not_csv(name, row, why, limits) from exc


def _spool_refused(name: str, spool: Path, why: str, code: str) -> UserError:
    return UserError(
        f"读取文件 {name} 时，临时文件夹 {spool.parent.parent} {why}（大的 CSV 文件读取时先暂存在"
        "那里），整份文件未导入。请腾出空间、检查该文件夹的权限，或用环境变量 TMPDIR 指向空间足够的"
        "磁盘后重试。",
        code=code,
    )


def _regroup(batches: Iterator[pl.DataFrame], rows: int, titles: int) -> Iterator[pl.DataFrame]:
    """`batches` as frames of `rows` rows each (the last fewer), the first `titles` rows fewer
    (the title lines join it), each one chunk; none empty."""
    pending: list[pl.DataFrame] = []
    held, want = 0, max(rows - titles, 1)
    for batch in batches:
        while batch.height:
            take = batch.slice(0, want - held)
            pending.append(take)
            held += take.height
            batch = batch.slice(take.height)
            if held == want:
                yield pl.concat(pending, rechunk=True)
                pending, held, want = [], 0, rows
    if pending:
        yield pl.concat(pending, rechunk=True)


def _not_csv(name: str, row: int | None, why: str, limits: ReadLimits) -> UserError:
    """The refusal of a file that is not CSV, naming the line where reading failed."""
    where = f"第 {row} 行" if row else ""
    if "field larger than field limit" in why:
        return UserError(
            f"文件 {name} {where}有一个单元格长于上限 {limits.max_field_chars} 个字符"
            "（[import] max_field_chars），多半是某个引号没有配对，把下面的行都当成了这一个单元格。"
            "整份文件未导入。",
            code="field_too_long",
        )
    return UserError(
        f"文件 {name} {where and where + '起'}不是规范的 CSV 格式（常见原因：引号没有配对），"
        "无法读取，整份文件未导入。",
        code="bad_csv",
    )


def _first_bad_row(source: Path, delimiter: str) -> tuple[int | None, str]:
    """The line where the record Python's strict csv reader first fails on begins, and why."""
    with source.open("r", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter, strict=True)
        begins = 1
        try:
            for _ in reader:
                begins = reader.line_num + 1
        except csv.Error as exc:
            return begins, str(exc)
    return None, ""


def _swallowed_rows(frame: pl.DataFrame, delimiter: str, width: int) -> int | None:
    """The row (1-based, in the grid) of the first cell holding a line break followed by a
    line that has a whole row's delimiters: the mark of a quote opened and never closed, which
    turns the rows below it into one cell. A cell with a line break of its own (an address on
    two lines) has no such line."""
    if width < 3 or frame.height == 0:
        return None
    line = rf"\n[^\n]*(?:{re.escape(delimiter)}[^\n]*){{{width - 1},}}"
    hits = frame.select(pl.any_horizontal(pl.all().str.contains(line).fill_null(False))).to_series()
    return int(hits.arg_true()[0]) + 1 if hits.any() else None


def _text_facts(path: Path, chunk_bytes: int = 1 << 22) -> tuple[int | None, bool, bool]:
    """The line of the first NUL byte, if any; whether a CR stands without its LF; whether the
    file has a quote character (only a quoted cell can hold a line break). Read `chunk_bytes` at
    a time: a CR ending a chunk is judged with the next one, or as lone at the end of the file."""
    line, lone_cr, quoted, previous = 1, False, False, b""
    with path.open("rb") as fh:
        while chunk := fh.read(chunk_bytes):
            nul = chunk.find(b"\x00")
            if nul >= 0:
                return line + chunk.count(b"\n", 0, nul), lone_cr, quoted
            line += chunk.count(b"\n")
            quoted = quoted or b'"' in chunk
            if not lone_cr and (b"\r" in chunk or previous == b"\r"):
                # a CR followed by anything but LF; one at the chunk's end waits for the next
                # (cutting that byte off instead made every CRLF file's last CR look lone, and
                # each such file was copied whole to turn lone CRs into LFs)
                lone_cr = re.search(rb"\r[^\n]", previous + chunk) is not None
            previous = chunk[-1:]
    return None, lone_cr or previous == b"\r", quoted


def _lone_cr_to_lf(src: Path, dst: Path) -> None:
    held = b""
    with src.open("rb") as fin, dst.open("wb") as fout:
        while chunk := fin.read(1 << 22):
            data = held + chunk
            held = data[-1:] if data.endswith(b"\r") else b""
            fout.write(re.sub(rb"\r(?!\n)", b"\n", data[: len(data) - len(held)]))
        fout.write(held.replace(b"\r", b"\n"))


def _transcode(src: Path, dst: Path, encoding: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with src.open("rb") as fin, dst.open("w", encoding="utf-8", newline="") as fout:
        while chunk := fin.read(1 << 22):
            fout.write(decoder.decode(chunk))
        fout.write(decoder.decode(b"", final=True))


def _head_lines(path: Path, n: int) -> list[str]:
    # lines end at LF only, as polars reads them (a lone CR was made an LF before)
    with path.open("r", encoding="utf-8-sig", newline="\n") as fh:
        return [line for _, line in zip(range(n), fh, strict=False)]


def _sniff_delimiter(lines: list[str]) -> str:
    sample = "".join(lines)
    counts = {d: sample.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","
