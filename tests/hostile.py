"""Hostile agency files, as hypothesis strategies, and one import of one file with its checks.

Used by tests/data/test_hostile_files.py (a few thousand cases in CI) and bench/fuzz.py (many
more). Every file goes through `import_file`, the function `shujian import` calls, on a real
workspace; `import_once` says what came of it and checks what must hold whatever the file:
a refusal is a `UserError` in Chinese naming the file, and leaves the warehouse and the case
store exactly as they were.
"""

from __future__ import annotations

import io
import re
import struct
import time
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from hypothesis import strategies as st
from sqlalchemy import text

from shujian.data.importer import import_file
from shujian.data.limits import ReadLimits
from shujian.data.warehouse import Warehouse
from shujian.errors import UserError
from shujian.workspace import Workspace

DATASET = "schools"
HEADER = ["学校名称", "学校类型", "统一社会信用代码", "经度", "纬度", "坐标系", "地址"]
ROWS = [
    ["青岚县第一小学", "小学", "91110000600037341L", "104.83", "26.59", "WGS84", "城关镇1号"],
    ["青岚县实验幼儿园", "幼儿园", "91520221MA6DJ1XK2B", "104.84", "26.60", "GCJ02", "新街2号"],
    ["青岚县第二中学", "初中", "12520221429380123T", "104.85", "26.61", "WGS84", ""],
]
LIMITS = ReadLimits(max_inflated_mb=8, max_cells=50_000, max_field_chars=50_000)
"""Small bounds, so that the bombs made here stay small (8 MiB inflated, not a gigabyte) and a
sheet made 16,384 columns wide by one far cell is refused rather than imported in seconds."""
CJK = re.compile(r"[\u4e00-\u9fff]")

# ----------------------------------------------------------------------------- CSV

_CELL_PIECES = st.sampled_from(
    [*"a1,;\t|\"'\n\r\x00 \u3000学校小\ufeff\u200b\U0001f600é=+-@", "\r\n", '""']
)
_cell = st.one_of(
    st.sampled_from([c for row in ROWS for c in row] + ["", " ", "合计", "1.2E+17"]),
    st.lists(_CELL_PIECES, max_size=12).map("".join),
    st.text(max_size=6),
)


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """A CSV file as bytes: headers and rows good or bad, any delimiter, quoting, line end and
    encoding, ragged rows, huge fields, stray quotes, then perhaps raw bytes broken."""
    delimiter = draw(st.sampled_from([",", ",", ";", "\t", "|"]))
    header = list(HEADER)
    if draw(st.booleans()):
        header = draw(st.permutations(header))[: draw(st.integers(1, len(header)))]
    lines = [header]
    if draw(st.integers(0, 4)) == 0:
        lines.insert(0, ["青岚县学校名录"])  # a title row above the header
    body = draw(
        st.lists(
            st.one_of(
                st.sampled_from(ROWS),
                st.lists(_cell, max_size=len(HEADER) + 2),
            ),
            max_size=8,
        )
    )
    lines.extend(list(row) for row in body)
    if draw(st.integers(0, 5)) == 0:
        size = draw(st.sampled_from([1_000, 49_999, 50_001, 140_000]))
        at = draw(st.integers(0, len(lines) - 1))
        lines[at] = [*lines[at], "长" * size]
    quote = draw(st.sampled_from(["minimal", "all", "none", "stray"]))
    ends = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]))
    out = []
    for i, row in enumerate(lines):
        cells = []
        for cell in row:
            needs = any(ch in cell for ch in (delimiter, '"', "\n", "\r"))
            if quote == "all" or (quote == "minimal" and needs):
                cell = '"' + cell.replace('"', '""') + '"'
            elif quote == "stray" and draw(st.integers(0, 6)) == 0:
                cell = draw(st.sampled_from(['"', '"x', 'x"', '"x""'])) + cell
            cells.append(cell)
        end = ends if ends != "mixed" else ["\n", "\r\n", "\r"][i % 3]
        out.append(delimiter.join(cells) + end)
    content = "".join(out)
    encoding = draw(
        st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le"])
    )
    data = content.encode(encoding, errors="replace")
    data = draw(_broken_bytes(data))
    return draw(st.sampled_from(["学校名录.csv", "名录.txt", "名录.tsv"])), data


@st.composite
def _broken_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """`data`, or with a few bytes flipped, inserted or cut off."""
    kind = draw(st.sampled_from(["same", "same", "same", "flip", "insert", "truncate"]))
    if kind == "same" or not data:
        return data
    at = draw(st.integers(0, len(data) - 1))
    if kind == "flip":
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    if kind == "insert":
        return data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    return data[:at]


# ----------------------------------------------------------------------------- xlsx


def template_xlsx() -> dict[str, bytes]:
    """The members of a good workbook of the dataset, with text, numbers and a long number."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("学校")
    for c, value in enumerate(HEADER):
        sheet.write_string(0, c, value)
    for r, row in enumerate(ROWS, start=1):
        for c, value in enumerate(row):
            if c in (3, 4):
                sheet.write_number(r, c, float(value))
            else:
                sheet.write_string(r, c, value)
    sheet.write_number(4, 2, 520203197001011234.0)  # an ID number Excel held as a number
    book.close()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


TEMPLATE = template_xlsx()
SHEET = "xl/worksheets/sheet1.xml"
SHARED = "xl/sharedStrings.xml"


def zip_bytes(
    members: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED, level: int = 6
) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are one of the hostile cases
        with zipfile.ZipFile(buffer, "w", method, compresslevel=level) as zf:
            for name, data in members:
                zf.writestr(name, data)
    return buffer.getvalue()


def declare_size(data: bytes, member: str, size: int) -> bytes:
    """The archive with `member`'s declared inflated size changed to `size` (a liar)."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(member)
    struct.pack_into("<I", out, info.header_offset + 22, size)
    pos = 0
    encoded = member.encode()
    while (pos := out.find(b"PK\x01\x02", pos)) >= 0:
        length = struct.unpack_from("<H", out, pos + 28)[0]
        if out[pos + 46 : pos + 46 + length] == encoded:
            struct.pack_into("<I", out, pos + 24, size)
        pos += 4
    return bytes(out)


def bomb_xlsx(inflated: int, *, liar: bool = False, level: int = 1) -> bytes:
    """A workbook whose sheet holds `inflated` bytes of spaces in a comment: about a
    two-hundredth of that on disk (a thousandth at `level` 9, slower to make). A liar declares
    the sheet's old size."""
    sheet = TEMPLATE[SHEET].replace(b"</worksheet>", b"<!--" + b" " * inflated + b"--></worksheet>")
    members = [(n, sheet if n == SHEET else d) for n, d in TEMPLATE.items()]
    data = zip_bytes(members, level=level)
    return declare_size(data, SHEET, len(TEMPLATE[SHEET])) if liar else data


_COLUMNS = st.sampled_from(["A", "C", "Z", "AA", "ZZ", "XFD", "XFE", "AAAA", "a", ""])
_ROW_NUMBERS = st.sampled_from(["1", "2", "5", "999", "1048576", "1048577", "99999999999", "0"])


@st.composite
def _mutation(draw: st.DrawFn, members: dict[str, bytes]) -> list[tuple[str, bytes]] | None:
    """One change to the workbook's members; None when the change is to the whole archive."""
    kind = draw(
        st.sampled_from(
            [
                "cell_ref",
                "dimension",
                "truncate",
                "delete",
                "garble",
                "shared_index",
                "inline",
                "no_close",
                "entities",
                "long_number",
                "duplicate",
                "bomb",
                "shared_count",
                "unnumbered",
            ]
        )
    )
    if not members:
        return None
    name = draw(st.sampled_from(sorted(members)))
    if SHEET not in members:
        kind = draw(st.sampled_from(["truncate", "delete", "garble", "duplicate"]))
    sheet = members.get(SHEET, b"")
    if kind == "cell_ref":
        ref = draw(_COLUMNS) + draw(_ROW_NUMBERS)
        quote = draw(st.sampled_from(['"', "'"]))
        old = draw(st.sampled_from([b'r="C2"', b'r="A1"', b'r="G4"']))
        members[SHEET] = sheet.replace(old, f"r={quote}{ref}{quote}".encode(), 1)
    elif kind == "dimension":
        ref = draw(_COLUMNS) + draw(_ROW_NUMBERS)
        members[SHEET] = re.sub(
            rb'<dimension ref="[^"]*"', f'<dimension ref="A1:{ref}"'.encode(), sheet
        )
    elif kind == "truncate":
        members[name] = members[name][: draw(st.integers(0, len(members[name])))]
    elif kind == "delete":
        del members[name]
    elif kind == "garble":
        data = members[name]
        at = draw(st.integers(0, len(data)))
        members[name] = data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]
    elif kind == "shared_index":
        value = draw(st.sampled_from(["99999", "-1", "x", "", "4294967296"]))
        members[SHEET] = re.sub(rb'(t="s"><v>)[0-9]+', rb"\g<1>" + value.encode(), sheet, count=1)
    elif kind == "inline":
        size = draw(st.sampled_from([10, 49_999, 50_001, 300_000]))
        cell = f'<c r="H2" t="inlineStr"><is><t>{"长" * size}</t></is></c>'.encode()
        members[SHEET] = sheet.replace(b"</row>", cell + b"</row>", 1)
    elif kind == "no_close":
        # a long stretch without "</c>": rows of styled empty cells
        count = draw(st.sampled_from([100, 20_000]))
        rows = b"".join(
            b'<row r="%d"><c r="A%d" s="1"/></row>' % (i, i) for i in range(6, 6 + count)
        )
        members[SHEET] = sheet.replace(b"</sheetData>", rows + b"</sheetData>")
    elif kind == "entities":
        laughs = (
            b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa">'
            + b"".join(b'<!ENTITY %c "%s">' % (98 + i, (b"&%c;" % (97 + i)) * 10) for i in range(8))
            + b"]>"
        )
        members[name] = laughs + re.sub(rb"^<\?xml[^>]*\?>", b"", members[name]).replace(
            b"<t>", b"<t>&i;", 1
        )
    elif kind == "long_number":
        value = draw(st.sampled_from(["1E+17", "123456789012345678", "1e308", "NaN", "-0"]))
        members[SHEET] = re.sub(rb"<v>[0-9.]+</v>", f"<v>{value}</v>".encode(), sheet, count=1)
    elif kind == "shared_count" and SHARED in members:
        count = draw(st.sampled_from(["0", "3", "50000001", "2000000000", "99999999999", "-1"]))
        attribute = draw(st.sampled_from([b"count", b"uniqueCount"]))
        members[SHARED] = re.sub(
            attribute + rb'="[0-9]+"', attribute + b'="' + count.encode() + b'"', members[SHARED]
        )
    elif kind == "unnumbered":
        # cells and rows without a reference take the next place: wide rows, far rows
        width = draw(st.sampled_from([3, 100, 2_000]))
        far = draw(st.sampled_from([b"7", b"1048576", b""]))
        row = b'<row r="%s">' % far if far else b"<row>"
        cells = b'<c t="inlineStr"><is><t>x</t></is></c>' * width
        members[SHEET] = sheet.replace(b"</sheetData>", row + cells + b"</row></sheetData>")
    elif kind == "duplicate":
        return [*members.items(), (name, members[name][: len(members[name]) // 2])]
    elif kind == "bomb":
        size = draw(st.sampled_from([1 << 20, 9 << 20]))
        members[SHEET] = sheet.replace(b"</worksheet>", b"<!--" + b" " * size + b"--></worksheet>")
    return None


@st.composite
def xlsx_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """An xlsx file as bytes: the template with a few parts mangled, an archive oddly made
    (stored, bzip2, a liar about a size), or raw bytes broken."""
    members = dict(TEMPLATE)
    listed: list[tuple[str, bytes]] | None = None
    for _ in range(draw(st.integers(0, 3))):
        listed = draw(_mutation(members)) or listed
    items = listed if listed is not None else list(members.items())
    method = draw(
        st.sampled_from(
            [zipfile.ZIP_DEFLATED, zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED, zipfile.ZIP_BZIP2]
        )
    )
    data = zip_bytes(items, method)
    if SHEET in members and draw(st.integers(0, 9)) == 0:
        data = declare_size(data, SHEET, draw(st.sampled_from([10, 100])))
    data = draw(_broken_bytes(data))
    return draw(st.sampled_from(["学校名录.xlsx", "名录.xlsm"])), data


hostile_files = st.one_of(csv_files(), xlsx_files())


# ----------------------------------------------------------------------------- one import


@dataclass(frozen=True)
class Outcome:
    kind: str
    """`accepted`, `refused` or `traceback`."""
    code: str
    """The refusal's code, or the exception's type for a traceback."""
    message: str
    seconds: float


def stored_state(ws: Workspace) -> tuple[object, ...]:
    """What an import may change: the batches, the warehouse's files (not its lock files, made
    by the first import), the audit log and the saved mappings."""
    with ws.store.connect() as conn:
        counts = tuple(
            conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()
            for table in ("batches", "audit_log", "audit_head", "import_mappings", "compactions")
        )
    files = sorted(
        str(p) for p in ws.warehouse_dir.rglob("*") if p.is_file() and not p.name.endswith(".lock")
    )
    return counts, tuple(files)


def import_once(
    ws: Workspace, folder: Path, name: str, data: bytes, limits: ReadLimits = LIMITS
) -> Outcome:
    """Import `data` as the file `name` of the dataset; check a refusal as it must be."""
    path = folder / name
    path.write_bytes(data)
    before = stored_state(ws)
    started = time.perf_counter()
    try:
        import_file(
            Warehouse(ws.warehouse_dir, ws.store),
            ws.reports_dir,
            ws.datasets()[DATASET],
            path,
            limits=limits,
        )
    except UserError as error:
        seconds = time.perf_counter() - started
        assert name in error.message, error.message
        assert CJK.search(error.message), error.message
        after = stored_state(ws)
        assert after == before, f"a refused import changed the workspace: {error.message}"
        return Outcome("refused", error.code or "(无代码)", error.message, seconds)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # a Rust panic in polars is a BaseException
        return Outcome(
            "traceback", type(error).__name__, str(error)[:300], time.perf_counter() - started
        )
    finally:
        path.unlink()
    return Outcome("accepted", "", "", time.perf_counter() - started)
