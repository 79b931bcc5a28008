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
import re
import tempfile
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import polars as pl

from shujian.errors import UserError

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


def read_grid(path: Path, sheet: str | None = None, encoding: str = "auto") -> Grid:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix == ".xls":
        return _read_xls(path, sheet)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path, encoding)
    raise UserError(f"不支持的文件类型“{path.suffix}”：请提供 xlsx、xls 或 csv 文件。")


def _columns(n: int) -> list[str]:
    return [f"c{i}" for i in range(n)]


# --------------------------------------------------------------------------- xlsx


def _read_xlsx(path: Path, sheet: str | None) -> Grid:
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # fastexcel raises its own error types for corrupt files
        raise UserError(
            f"无法打开 Excel 文件 {path.name}：文件可能已损坏或不是 xlsx 格式。"
        ) from exc
    name = _pick_sheet(reader.sheet_names, sheet, path)
    # The grid's columns start at the first column calamine finds a value in (a styled empty
    # cell, or a wrong <dimension>, says nothing about it): each column's absolute index is
    # read off as calamine selects it. skip_rows=0 makes its rows absolute (row 1 first).
    absolute: list[int] = []

    def keep(column: Any) -> bool:
        absolute.append(int(column.absolute_index))
        return True

    # calamine parses in Rust without the GIL, so the scan of the raw XML runs beside it.
    with ThreadPoolExecutor(max_workers=1) as pool:
        scan = pool.submit(_scan_sheet_xml, path, name)
        # eager loading hands one Arrow batch over, about a second faster per million rows
        batch = reader.load_sheet(
            name, header_row=None, dtypes="string", eager=True, skip_rows=0, use_columns=keep
        )
        frame = pl.DataFrame(pl.from_arrow(batch))
        numeric = scan.result()
    frame.columns = _columns(frame.width)
    if numeric:
        frame = _mark_numeric_cells(frame, numeric, absolute)
    used = frame.select(pl.any_horizontal(pl.all().is_not_null())).to_series()
    first = int(used.arg_true()[0]) if used.any() else 0
    if first:
        frame = frame.slice(first)  # leading blank rows: the grid starts at the first used row
    rows = pl.Series("row", range(first + 1, first + 1 + frame.height), dtype=pl.Int64)
    return Grid(frame=frame, row_numbers=rows, sheet=name)


def sheet_names(path: Path) -> list[str]:
    """The sheets of an Excel file, in the workbook's order; none for a CSV file."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            import fastexcel

            return list(fastexcel.read_excel(str(path)).sheet_names)
        if suffix == ".xls":
            import xlrd

            return list(xlrd.open_workbook(str(path), on_demand=True).sheet_names())
    except Exception as exc:  # fastexcel and xlrd raise their own error types for corrupt files
        raise UserError(
            f"无法打开 Excel 文件 {path.name}：文件可能已损坏或不是 {suffix[1:]} 格式。"
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


def _sheet_member(zf: zipfile.ZipFile, sheet: str) -> str:
    workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", _NS)}
    for node in workbook.findall("m:sheets/m:sheet", _NS):
        if node.get("name") == sheet:
            target = targets[node.get(f"{{{_NS['r']}}}id")]
            target = target.lstrip("/")
            return target if target.startswith("xl/") else f"xl/{target}"
    raise UserError(f"工作表“{sheet}”不存在。")


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _scan_sheet_xml(path: Path, sheet: str) -> list[tuple[int, int, str]]:
    """Every numeric cell of 16 or more digits: (row, column), both absolute, and its value.

    Such a cell cannot hold an exact value: Excel keeps 15 significant digits, so the cell's
    text must not be trusted as an identifier.

    The sheet is inflated and looked at piece by piece (`_sheet_pieces`), never whole.
    """
    numeric: list[tuple[int, int, str]] = []
    batch: list[bytes] = []
    with zipfile.ZipFile(path) as zf:
        for piece in _sheet_pieces(zf, _sheet_member(zf, sheet)):
            batch.append(piece)
            if len(batch) == _PIECES_PER_SCAN:
                numeric.extend(_numeric_cells(batch))
                batch = []
    numeric.extend(_numeric_cells(batch))
    return numeric


def _sheet_pieces(zf: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    """The sheet XML, inflated piece by piece; each piece ends just after a cell (``</c>``).

    No cell is split between two pieces, so a `<v>` value and the `<c …>` tag that opens its
    cell are always in the same piece, and scanning the pieces finds exactly what scanning
    the whole sheet would, without holding its 250 MB (per million rows) in memory.
    """
    carry = b""
    with zf.open(member) as fh:
        while chunk := fh.read(_PIECE_BYTES):
            data = carry + chunk if carry else chunk
            cut = data.rfind(b"</c>")
            if cut < 0:
                carry = data
                continue
            cut += 4
            yield data[:cut]
            carry = data[cut:]
    if carry:
        yield carry


def _numeric_cells(pieces: list[bytes]) -> Iterator[tuple[int, int, str]]:
    """(row, column, scientific text) of each numeric cell of 16 or more digits in `pieces`.

    Python's re takes about 0.6 s per million rows to look at every `<v>`; polars' Rust regex,
    with its literal prefilter, a fifth of that. Such values are rare, so polars picks the
    few pieces holding one and only those are examined cell by cell in Python. A piece that
    is not valid UTF-8 (which calamine would refuse anyway) is searched with Python's re.
    """
    if not pieces:
        return
    hits = pl.Series(pieces, dtype=pl.Binary).cast(pl.Utf8, strict=False)
    for piece, hit in zip(pieces, hits.str.contains(_LONG_VALUE_PATTERN), strict=True):
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
    raise UserError(f"无法识别文件 {path.name} 的编码：既不是 UTF-8，也不是 GBK/GB18030。")


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 22):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _read_csv(path: Path, encoding: str) -> Grid:
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
    source = path
    tmp: tempfile.TemporaryDirectory[str] | None = None
    if encoding not in ("utf-8", "utf8"):
        tmp = tempfile.TemporaryDirectory(prefix="shujian-csv-")
        source = Path(tmp.name) / "utf8.csv"
        try:
            _transcode(path, source, encoding)
        except UnicodeDecodeError as exc:
            tmp.cleanup()
            raise UserError(
                f"文件 {path.name} 不能按 {encoding.upper()} 编码读取：其中有该编码没有的字节。"
                "请改用自动识别的编码。",
                code="bad_encoding",
            ) from exc
    try:
        head = _head_lines(source, HEADER_SCAN_ROWS)
        delimiter = _sniff_delimiter(head)
        parsed_head = list(csv.reader(head, delimiter=delimiter))
        width = max((len(r) for r in parsed_head), default=0)
        if width == 0:
            raise UserError(f"文件 {path.name} 是空的。")
        # polars takes the column count from the first line it reads, so title lines above
        # the header (narrower than the table) are read here and the table from the first
        # full-width line on.
        start = next(i for i, r in enumerate(parsed_head) if len(r) == width)
        names = _columns(width)
        table = pl.read_csv(
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
        titles = pl.DataFrame(
            [[*r, *[None] * (width - len(r))] for r in parsed_head[:start]],
            schema=dict.fromkeys(names, pl.Utf8),
            orient="row",
        )
        frame = pl.concat([titles, table]) if start else table
    finally:
        if tmp is not None:
            tmp.cleanup()
    rows = pl.Series("row", range(1, frame.height + 1), dtype=pl.Int64)
    return Grid(frame=frame, row_numbers=rows, encoding=encoding)


def _transcode(src: Path, dst: Path, encoding: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with src.open("rb") as fin, dst.open("w", encoding="utf-8", newline="") as fout:
        while chunk := fin.read(1 << 22):
            fout.write(decoder.decode(chunk))
        fout.write(decoder.decode(b"", final=True))


def _head_lines(path: Path, n: int) -> list[str]:
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        return [line for _, line in zip(range(n), fh, strict=False)]


def _sniff_delimiter(lines: list[str]) -> str:
    sample = "".join(lines)
    counts = {d: sample.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","
