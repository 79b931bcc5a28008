"""Hostile agency files through the real import: a Chinese refusal naming the file, or an
import; never a traceback, an abort, a hang or a partial batch (tests/hostile.py).

The red team's files come first, each as it was found; then hypothesis makes a few thousand
more. bench/fuzz.py runs many more, and the 1 GB zip bomb.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from hostile import (
    HEADER,
    ROWS,
    SHARED,
    SHEET,
    TEMPLATE,
    Outcome,
    bomb_xlsx,
    hostile_files,
    import_once,
    zip_bytes,
)
from shujian.data import readers
from shujian.data.limits import DEFAULT_LIMITS, ReadLimits
from shujian.workspace import Workspace, init_workspace

# one worker, in file order: the last test reads what the fuzz test counted in this process
pytestmark = pytest.mark.xdist_group("hostile_files")

SECONDS = 30.0
"""No file may take longer than this here: the slowest of thousands takes about a second on
an idle machine, ten on one running three other test suites; a hang took minutes."""


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return init_workspace(tmp_path_factory.mktemp("hostile") / "ws")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("files")


def csv_text(*rows: list[str], end: str = "\n") -> str:
    return "".join(",".join(r) + end for r in rows)


def sheet_with(old: bytes, new: bytes) -> bytes:
    return zip_bytes([(n, d.replace(old, new) if n == SHEET else d) for n, d in TEMPLATE.items()])


def central_directory_moved(by: int) -> bytes:
    """The template with its end record saying the central directory is `by` bytes further on:
    zipfile then places every member `by` bytes earlier, the first before the file's start."""
    data = bytearray(zip_bytes(list(TEMPLATE.items())))
    end = data.rfind(b"PK\x05\x06")
    offset = int.from_bytes(data[end + 16 : end + 20], "little")
    data[end + 16 : end + 20] = (offset + by).to_bytes(4, "little")
    return bytes(data)


def needs_zip_version(version: int) -> bytes:
    """The template with its first member saying it needs `version` (25.5 for 255) to open."""
    data = bytearray(zip_bytes(list(TEMPLATE.items())))
    central = data.find(b"PK\x01\x02")
    data[central + 6] = version
    return bytes(data)


def shared_strings_claiming(count: int) -> bytes:
    shared = TEMPLATE[SHARED].replace(b'uniqueCount="', b'uniqueCount="%d" x="' % count)
    return zip_bytes([(n, shared if n == SHARED else d) for n, d in TEMPLATE.items()])


def unnumbered_wide_row_and_far_row() -> bytes:
    """A row of 16,384 cells without references (each takes the next column) and a row
    numbered 1048576: the same 512 GiB as a cell at XFD1048576."""
    cell = b'<c t="inlineStr"><is><t>x</t></is></c>'
    rows = b'<row r="6">' + cell * 16_384 + b'</row><row r="1048576">' + cell + b"</row>"
    return sheet_with(b"</sheetData>", rows + b"</sheetData>")


def without(member: str) -> bytes:
    return zip_bytes([(n, d) for n, d in TEMPLATE.items() if n != member])


RED_TEAM = {
    # CSV: each was a traceback
    "field_over_128k": (
        "名录.csv",
        (csv_text(HEADER, ROWS[0]) + '"' + "长" * 140_000 + '",小学\n').encode(),
        "field_too_long",
    ),
    "unbalanced_quote": (
        "名录.csv",
        (csv_text(HEADER) + '"青岚县第一小学,小学\n' + csv_text(*ROWS)).encode(),
        "bad_csv",
    ),
    "quote_swallowing_rows": (
        "名录.csv",
        (
            csv_text(HEADER, [*ROWS[0][:-1], '"城关镇1号'], ROWS[1])
            + ",".join(ROWS[2][:-1])
            + ',"\n'
        ).encode(),
        "unbalanced_quote",
    ),
    "utf16_without_bom": (
        "名录.csv",
        csv_text(HEADER, *ROWS).encode("utf-16-le"),
        "unknown_encoding",
    ),
    "utf16_without_bom_ascii": ("名录.csv", b"a,b\n1,2\n".decode().encode("utf-16-le"), "not_text"),
    # xlsx: corrupt parts were tracebacks, a far cell aborted the process
    "sheet_cut_short": (
        "名录.xlsx",
        zip_bytes([(n, d[: len(d) // 2] if n == SHEET else d) for n, d in TEMPLATE.items()]),
        "corrupt_xlsx",
    ),
    "no_shared_strings": ("名录.xlsx", without(SHARED), "corrupt_xlsx"),
    "no_workbook": ("名录.xlsx", without("xl/workbook.xml"), "corrupt_xlsx"),
    "cell_at_XFD1048576": (
        "名录.xlsx",
        sheet_with(b'r="C2"', b'r="XFD1048576"'),
        "xlsx_too_large",
    ),
    # found by atheris: a seek before the start of the file raised OSError
    "member_before_the_file": ("名录.xlsx", central_directory_moved(100), "corrupt_xlsx"),
    # found by atheris: zipfile raised NotImplementedError
    "zip_version_25_5": ("名录.xlsx", needs_zip_version(255), "corrupt_xlsx"),
    # calamine reserved room for 2,000,000,000 strings: 48 GB, and aborted the process
    "shared_strings_claiming_2e9": (
        "名录.xlsx",
        shared_strings_claiming(2_000_000_000),
        "corrupt_xlsx",
    ),
    "not_a_zip": ("名录.xlsx", b"PK\x03\x04" + b"\x00" * 40, "corrupt_xlsx"),
    # a zip bomb hung: 64 MiB of spaces in 64 KB, over the 8 MiB bound of these tests
    "zip_bomb": ("名录.xlsx", bomb_xlsx(64 << 20), "xlsx_too_large"),
    "zip_bomb_lying_about_its_size": (
        "名录.xlsx",
        bomb_xlsx(64 << 20, liar=True),
        "corrupt_xlsx",
    ),
}


@pytest.mark.parametrize("case", sorted(RED_TEAM))
def test_the_red_teams_files_are_refused_in_chinese_naming_the_file(ws, folder, case):
    name, data, code = RED_TEAM[case]
    outcome = import_once(ws, folder, name, data)
    assert (outcome.kind, outcome.code) == ("refused", code), outcome
    assert outcome.seconds < SECONDS


def test_cells_without_references_count_toward_the_span(ws, folder):
    """With the default bounds: the referenced cells span 1,048,576 rows × 7 columns (7 million
    cells, under the 50 million), but calamine would place the 16,384 unnumbered cells in
    16,384 columns and abort the process on the 512 GiB grid."""
    outcome = import_once(
        ws, folder, "无编号.xlsx", unnumbered_wide_row_and_far_row(), DEFAULT_LIMITS
    )
    assert (outcome.kind, outcome.code) == ("refused", "xlsx_too_large"), outcome
    assert "16391 列" in outcome.message


def test_a_sheet_with_bytes_not_utf8_between_its_tags_is_read(ws, folder):
    """Found by bench/fuzz.py: polars' cast of the sheet's bytes raised on them (a traceback);
    calamine itself reads past them."""
    data = sheet_with(b"<sheetData>", b"<sheetData>\xff\xfe")
    outcome = import_once(ws, folder, "乱码.xlsx", data)
    assert outcome.kind == "accepted", outcome


def test_a_header_read_apart_from_the_table_does_not_make_polars_panic(ws, folder):
    """Found by bench/fuzz.py (the file is the one it kept): a row wider than the header put
    the header among the title rows, read apart from the table; the two pieces joined made
    columns of two chunks, on which polars' formatting of a 学校类型 refusal panicked (a
    PanicException, not even an Exception). The grid is one chunk now."""
    data = (Path(__file__).parent.parent / "fixtures/hostile/two_chunk_vocabulary.csv").read_bytes()
    outcome = import_once(ws, folder, "两块.csv", data)
    assert outcome.kind == "accepted", outcome


def test_a_file_with_cr_line_ends_imports_every_row(ws, folder):
    outcome = import_once(ws, folder, "旧式.csv", csv_text(HEADER, *ROWS, end="\r").encode())
    assert outcome.kind == "accepted", outcome
    with ws.store.connect() as conn:
        from sqlalchemy import text

        rows_read = conn.execute(
            text("SELECT rows_read FROM batches WHERE file_name = '旧式.csv'")
        ).scalar()
    assert rows_read == len(ROWS)


def test_a_long_stretch_without_a_cell_end_is_read_in_linear_time(ws, folder, monkeypatch):
    """The sheet scan searched the whole carried stretch again at every piece: a 977 KB file
    held the import lock for over 150 s. With pieces of 4 KiB instead of 1 MiB the same
    happens on 40 MB of comment (10,000 pieces): minutes before, well under a second now."""
    monkeypatch.setattr(readers, "_PIECE_BYTES", 4096)
    data = bomb_xlsx(40 << 20)
    outcome = import_once(ws, folder, "长注释.xlsx", data, ReadLimits(max_inflated_mb=64))
    assert outcome.kind == "accepted", outcome
    assert outcome.seconds < SECONDS


def test_a_refusal_names_the_row(ws, folder):
    data = (csv_text(HEADER, ROWS[0], ROWS[1]) + ",".join(ROWS[2]) + "\x00\n").encode()
    outcome = import_once(ws, folder, "空字符.csv", data)
    assert outcome.code == "not_text"
    assert "第 4 行" in outcome.message


OUTCOMES: Counter[tuple[str, str]] = Counter()


@settings(
    max_examples=2000,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(case=hostile_files)
def test_no_hostile_file_causes_a_traceback_a_hang_or_a_partial_batch(ws, folder, case):
    name, data = case
    outcome: Outcome = import_once(ws, folder, name, data)
    OUTCOMES[(outcome.kind, outcome.code)] += 1
    assert outcome.kind != "traceback", outcome
    assert outcome.seconds < SECONDS, outcome


def test_the_fuzzing_reached_both_outcomes():
    """Run after the fuzz test (same module, in order): it must have accepted some files and
    refused others for several reasons, or it tested less than it claims."""
    if not OUTCOMES:
        pytest.fail("the fuzz test did not run first in this process")
    accepted = sum(n for (kind, _), n in OUTCOMES.items() if kind == "accepted")
    codes = {code for (kind, code), _ in OUTCOMES.items() if kind == "refused"}
    assert accepted > 50
    assert {"bad_csv", "corrupt_xlsx", "xlsx_too_large", "header_not_found"} <= codes
