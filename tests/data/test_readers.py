"""The xlsx reader's scan of the sheet XML, against a scan of the whole sheet at once."""

from __future__ import annotations

import random
import re
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from shujian.data import readers


def whole_sheet_scan(path: Path) -> list[tuple[int, int, str]]:
    """The numeric cells of ≥16 digits, found by one regex pass over the whole sheet XML."""
    with zipfile.ZipFile(path) as zf:
        data = zf.read("xl/worksheets/sheet1.xml")
    found = []
    for match in readers._LONG_VALUE.finditer(data):
        cell = readers._CELL_START.match(data, data.rfind(b"<c ", 0, match.start()))
        assert cell is not None
        letters, row, attrs = cell.groups()
        number = float(match.group(1))
        if (b' t="' not in attrs or b' t="n"' in attrs) and abs(number) >= 1e15:
            found.append((int(row), readers._col_index(letters), f"{number:.14E}"))
    return found


@pytest.fixture
def mixed_sheet(tmp_path: Path) -> Path:
    """Text, long numbers, digits stored as text and formulas with long results, from C4 on."""
    rng = random.Random(7)
    path = tmp_path / "mixed.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("s")
    sheet.write_string(3, 2, "标题")
    for r in range(4, 3000):
        for c in range(2, 8):
            k = rng.random()
            if k < 0.01:
                sheet.write_number(r, c, float(rng.randrange(10**17, 10**18)))
            elif k < 0.02:
                sheet.write_number(r, c, rng.randrange(10**14, 10**16))
            elif k < 0.03:
                sheet.write_string(r, c, str(rng.randrange(10**17, 10**18)))
            elif k < 0.04:
                sheet.write_formula(r, c, "=1E17+1", None, 1e17 + rng.randrange(100))
            else:
                sheet.write_string(r, c, f"x{r}")
    book.close()
    return path


@pytest.mark.parametrize("piece_bytes", [64, 4096, 1 << 22])
def test_piecewise_scan_finds_what_a_whole_sheet_scan_finds(mixed_sheet, monkeypatch, piece_bytes):
    monkeypatch.setattr(readers, "_PIECE_BYTES", piece_bytes)
    monkeypatch.setattr(readers, "_PIECES_PER_SCAN", 3)
    numeric = readers._scan_sheet_xml(mixed_sheet, "s")
    expected = whole_sheet_scan(mixed_sheet)
    assert len(expected) > 100
    assert sorted(numeric) == sorted(expected)
    # both spellings of the exponent occur (xlsxwriter writes formula results with repr())
    with zipfile.ZipFile(mixed_sheet) as zf:
        data = zf.read("xl/worksheets/sheet1.xml")
    assert re.search(rb"<v>[0-9.]+E\+17</v>", data) and re.search(rb"<v>[0-9.]+e\+17</v>", data)


def test_pieces_end_after_a_cell_and_rejoin_to_the_sheet(mixed_sheet, monkeypatch):
    monkeypatch.setattr(readers, "_PIECE_BYTES", 1000)
    with zipfile.ZipFile(mixed_sheet) as zf:
        pieces = list(readers._sheet_pieces(zf, "xl/worksheets/sheet1.xml"))
        whole = zf.read("xl/worksheets/sheet1.xml")
    assert len(pieces) > 100
    assert b"".join(pieces) == whole
    assert all(piece.endswith(b"</c>") for piece in pieces[:-1])


def _texts() -> list[bytes]:
    """UTF-8 text of one- to four-byte characters, and the same text broken in the ways a
    non-UTF-8 file is: a GBK character, a lone continuation byte, a character cut at the end,
    a surrogate, an overlong form."""
    rng = random.Random(3)
    alphabet = "a,1\n青岚县é€𠀀"  # 1, 2, 3 and 4 bytes
    texts = []
    for _ in range(40):
        good = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))).encode()
        texts.append(good)
        at = rng.randint(0, len(good))
        for bad in ("青".encode("gbk"), b"\x80", b"\xed\xa0\x80", b"\xc0\xaf", b"\xff"):
            texts.append(good[:at] + bad + good[at:])
        texts.append(good + "𠀀".encode()[:2])
    return texts


@pytest.mark.parametrize("piece_bytes", [1, 2, 3, 5, 64])
def test_the_utf8_check_agrees_with_python_s_strict_decoder(tmp_path, monkeypatch, piece_bytes):
    """Checked a piece at a time, with characters cut at every place a piece can end."""
    monkeypatch.setattr(readers, "UTF8_PIECE_BYTES", piece_bytes)
    path = tmp_path / "t.csv"
    for text in _texts():
        path.write_bytes(text)
        try:
            text.decode("utf-8", errors="strict")
            strict = True
        except UnicodeDecodeError:
            strict = False
        assert readers._is_utf8(path) is strict, text


@pytest.mark.parametrize(
    ("data", "lone"),
    [
        (b"a,b\r\n1,2\r\n", False),  # Windows line ends, as Excel writes CSV
        (b"a,b\r\n1,2", False),
        (b"a,b\n1,2\n", False),
        (b"a,b\r1,2\r", True),  # old Mac line ends
        (b"a,b\r\n1,2\r", True),  # a CR ending the file
        (b"a,b\r\r\n1,2\r\n", True),  # the first of two CRs stands alone
        (b"a,b\r\n1\r2\r\n", True),
    ],
)
def test_a_lone_cr_is_found_wherever_the_chunks_are_cut(tmp_path, data, lone):
    # a CRLF file was once taken for one with lone CRs (its last CR judged without its LF), and
    # copied whole to change them
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    for chunk_bytes in [*range(1, len(data) + 1), 1 << 22]:
        assert readers._text_facts(path, chunk_bytes)[1] is lone, chunk_bytes
