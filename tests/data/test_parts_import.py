"""A CSV file longer than a part (`readers.CSV_PART_ROWS`) is imported a part at a time
(`parts.py`): its batch — rows in file order, record keys, refusals by the file's row numbers,
skipped rows, duplicates, period and report — is exactly the batch of one pass over the file,
and a file failing in its last part leaves nothing behind."""

from __future__ import annotations

import csv
import hashlib
import itertools
import tempfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from shujian.data import readers
from shujian.data.importer import ImportOptions, import_file
from shujian.data.limits import ReadLimits
from shujian.data.steps import digest_halves, occurrence
from shujian.data.warehouse import Warehouse
from shujian.errors import UserError
from shujian.workspace import Workspace, init_workspace

PART = 40
"""Rows of a part in these tests: the files below are five to six parts long."""

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def id_number(i: int) -> str:
    first17 = f"520203{19600101 + (i % 28) + 10000 * (i % 40):08d}{i % 1000:03d}"
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def uscc(i: int) -> str:
    first17 = f"91520203MA{i:07d}"
    total = sum(USCC_CHARS.index(c) * pow(3, k, 31) for k, c in enumerate(first17))
    return first17 + USCC_CHARS[(31 - total % 31) % 31]


def benefit_rows(n: int) -> list[list[str]]:
    """Payments in no time order, with a row repeated in far parts, bad cells in every part,
    blank rows and a totals row below the first part."""
    months = [f"2024-{m:02d}" for m in range(1, 13)]
    rows = []
    for i in range(n):
        rows.append(
            [f"领取人{i % 37}", id_number(i % 53), "城乡低保", months[(i * 7) % 12], str(300 + i)]
        )
    for at in (45, 120, 199):  # the same payment as row 2 of the file, in three later parts
        rows[at] = list(rows[3])
    rows[81] = list(rows[80])  # a repeat across the edge of two parts
    rows[10][1] = rows[10][1][:-1]  # an ID one digit short
    rows[77][3] = "2024-13"
    rows[150][4] = "abc"
    rows[151][0] = ""  # a required cell empty
    rows[190] = ["", "", "", "", ""]
    rows[160] = ["合计", "", "", "", "123456"]
    return rows


def write_csv(path: Path, rows: list[list[str]], header: list[str], encoding: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["青岚县2024年社会救助发放明细"])  # a title line above the header
        writer.writerow(header)
        writer.writerows(rows)
    return path


BENEFIT_HEADER = ["姓名", "公民身份号码", "待遇类型", "发放年月", "发放金额"]


def import_into(ws: Workspace, dataset: str, path: Path, **options: object):
    return import_file(
        Warehouse(ws.warehouse_dir, ws.store),
        ws.reports_dir,
        ws.datasets()[dataset],
        path,
        ImportOptions(**options),  # type: ignore[arg-type]
    )


def batch_of(ws: Workspace, batch_id: int) -> tuple[pl.DataFrame, list[tuple], dict]:
    """The stored rows of a batch as written, its report's cells, and its record."""
    warehouse = Warehouse(ws.warehouse_dir, ws.store)
    batch = warehouse.batch(batch_id)
    assert batch is not None
    rows = pl.read_parquet(ws.warehouse_dir / batch.parquet)
    report = [
        row
        for p in sorted(ws.reports_dir.glob(f"*批次{batch_id}-*.xlsx"))
        for sheet in openpyxl.load_workbook(p, read_only=True).worksheets
        for row in sheet.iter_rows(values_only=True)
    ]
    record = {
        k: getattr(batch, k)
        for k in ("rows_read", "imported", "rejected", "skipped", "duplicates", "details")
    }
    return rows, report, record


def both_ways(tmp_path, monkeypatch, dataset, earlier, path, **options):
    """Import `earlier` then `path` into a workspace reading the file whole, into one reading it
    `PART` rows at a time as polars' reader hands them over, and into one reading those parts
    back from the Arrow file a large file is spooled to (`readers.CSV_SPOOL_BYTES`): each
    import's result, stored rows, report and record, the two ways in parts checked alike."""
    seen = {}
    for way in ("whole", "parts", "spooled"):
        monkeypatch.setattr(readers, "CSV_PART_ROWS", 1_000_000 if way == "whole" else PART)
        monkeypatch.setattr(readers, "CSV_SPOOL_BYTES", 0 if way == "spooled" else 1 << 40)
        ws = init_workspace(tmp_path / way)
        first = import_into(ws, dataset, earlier, **options)
        result = import_into(ws, dataset, path, **options)
        assert result.batch_id == first.batch_id + 1  # type: ignore[operator]
        summary = result.as_json()
        summary.pop("report")
        seen[way] = (summary, *batch_of(ws, result.batch_id))  # type: ignore[arg-type]
        ws.store.dispose()
    assert seen["spooled"][0] == seen["parts"][0]
    assert seen["spooled"][1].equals(seen["parts"][1])
    assert seen["spooled"][2:] == seen["parts"][2:]
    return seen["whole"], seen["parts"]


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_events_read_in_parts_are_stored_as_in_one_pass(tmp_path, monkeypatch, encoding):
    rows = benefit_rows(230)
    path = write_csv(tmp_path / "发放.csv", rows, BENEFIT_HEADER, encoding)
    # stored before: two of the file's payments, one from its first part and one from its fifth
    earlier = write_csv(tmp_path / "上月.csv", [rows[5], rows[170]], BENEFIT_HEADER, encoding)
    whole, parts = both_ways(tmp_path, monkeypatch, "benefit_payments", earlier, path)
    assert parts[0] == whole[0]
    assert parts[1].equals(whole[1])  # the rows in file order, with their keys
    assert parts[2] == whole[2]
    assert parts[3] == whole[3]
    summary, stored, report, record = whole
    assert summary["rows_read"] == 228  # less the blank and the totals rows
    assert (summary["rejected"], summary["skipped"], summary["duplicates"]) == (4, 1, 2)
    assert summary["imported"] == 228 - 4 - 2
    assert record["details"]["encoding"] == ("utf-8" if encoding == "utf-8" else "gb18030")
    assert record["details"]["period"]["first"] == "2024-01-01"
    # the payment of row 5 (file row numbers: title and header first) is in four parts
    repeated = stored.filter(pl.col("_row").is_in([6, 48, 123, 202]))["_record_key"].to_list()
    assert [k.split("#")[1] for k in repeated] == ["1", "2", "3", "4"]
    assert len({k.split("#")[0] for k in repeated}) == 1
    refused = sorted({r[0] for r in report if len(r) == 4 and isinstance(r[0], int)})
    assert refused == [13, 80, 153, 154]
    assert stored["_row"].is_sorted()


def venue_rows(n: int) -> list[list[str]]:
    kinds = ["网吧", "歌舞娱乐", "酒吧", "宾馆"]
    rows = [
        [f"场所{i}", uscc(i % 70), kinds[i % 4], f"104.{800 + i}", f"26.{500 + i}", "WGS84"]
        for i in range(n)
    ]
    rows[150] = [f"场所{3}（新址）", *rows[3][1:]]  # record of row 3 listed again, parts apart
    rows[60][1] = uscc(60)[:-1] + ("1" if uscc(60)[-1] == "0" else "0")  # a wrong check digit
    rows[170] = ["合计", "", "", "", "", ""]
    return rows


def test_a_snapshot_read_in_parts_keeps_each_record_s_last_row_as_one_pass(tmp_path, monkeypatch):
    header = ["场所名称", "统一社会信用代码", "场所类型", "经度", "纬度", "坐标系"]
    path = write_csv(tmp_path / "场所.csv", venue_rows(210), header, "utf-8")
    earlier = write_csv(tmp_path / "上次.csv", venue_rows(210)[:3], header, "utf-8")
    whole, parts = both_ways(tmp_path, monkeypatch, "venues", earlier, path)
    assert parts[0] == whole[0]
    assert parts[1].equals(whole[1])
    assert parts[2] == whole[2]
    assert parts[3] == whole[3]
    summary, stored, _, record = whole
    # 70 credit codes × 4 kinds: the record of data row i is listed again at i + 140, but for
    # rows 10 (row 150 is row 3's record now), 30 (row 170 is a totals row) and 60 (refused);
    # row 3's record is listed a third time at row 150, which supersedes row 143 too
    assert (summary["skipped"], summary["rejected"]) == (1 + 67 + 1, 1)
    assert record["details"]["skipped_rows"][0]["row"] == 173  # the totals row comes first
    assert stored.filter(pl.col("_row") == 153)["name"].to_list() == ["场所3(新址)"]


@pytest.mark.parametrize("spool_bytes", [0, 1 << 40])
def test_a_file_failing_in_its_last_part_leaves_nothing(tmp_path, monkeypatch, spool_bytes):
    monkeypatch.setattr(readers, "CSV_PART_ROWS", PART)
    monkeypatch.setattr(readers, "CSV_SPOOL_BYTES", spool_bytes)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    ws = init_workspace(tmp_path / "ws")
    rows = benefit_rows(230)
    earlier = write_csv(tmp_path / "上月.csv", rows[:3], BENEFIT_HEADER, "utf-8")
    import_into(ws, "benefit_payments", earlier)
    folders = (ws.warehouse_dir, ws.reports_dir)
    before = sorted(p for f in folders for p in f.rglob("*") if p.is_file())
    rows[225][0] = "长" * 2_000  # a cell over the limit in the last part
    path = write_csv(tmp_path / "发放.csv", rows, BENEFIT_HEADER, "utf-8")
    warehouse = Warehouse(ws.warehouse_dir, ws.store)
    with pytest.raises(UserError, match="第 228 行"):
        import_file(
            warehouse,
            ws.reports_dir,
            ws.datasets()["benefit_payments"],
            path,
            limits=ReadLimits(max_field_chars=1_000),
        )
    after = sorted(p for f in folders for p in f.rglob("*") if p.is_file())
    assert [b.id for b in warehouse.batches()] == [1]
    assert after == before
    assert list((tmp_path / "tmp").iterdir()) == []  # the staged parts are gone too


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


@pytest.mark.parametrize(
    ("contents", "cut"),
    [
        (["a", "b", "a", "c", "a", "b"], [2, 4]),
        (["a", "b", "c", "d"], [1, 2, 3]),
        (["a"] * 7, [3]),
        (["a", "b", "b", "a"], [2]),
    ],
)
def test_occurrences_counted_across_parts_are_those_of_one_pass(contents, cut):
    digests = pl.Series([md5(c) for c in contents])
    whole = occurrence(digests).to_list()
    bounds = [0, *cut, len(contents)]
    earlier: list[pl.DataFrame] = []
    counted = []
    for start, end in itertools.pairwise(bounds):
        part = digests.slice(start, end - start)
        counted.extend(occurrence(part, earlier).to_list())
        earlier.append(digest_halves(part))
    assert counted == whole


@pytest.mark.parametrize("spool_bytes", [0, 1 << 40])
@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_a_csv_file_read_in_parts_is_the_grid_read_whole(
    tmp_path, monkeypatch, encoding, spool_bytes
):
    """Parts are cut between records: a quoted cell with line breaks near a part's edge stays
    whole, title lines go with the first part, and every row keeps its number in the file;
    whether the parts come from polars' reader or from the Arrow file a large file goes to."""
    rows = [
        [f"名称{i}", f"地址{i}\n第二行\n第三行" if 35 <= i <= 45 else f"地址{i}"]
        for i in range(130)
    ]
    path = tmp_path / "分行.csv"
    with path.open("w", encoding=encoding, newline="") as fh:
        fh.write("青岚县名录\n")
        csv.writer(fh).writerows([["名称", "地址"], *rows])
    whole = readers.read_grid(path)
    monkeypatch.setattr(readers, "CSV_PART_ROWS", PART)
    monkeypatch.setattr(readers, "CSV_SPOOL_BYTES", spool_bytes)
    parts = list(readers.read_grid_parts(path))
    assert [p.frame.height for p in parts] == [40, 40, 40, 12]
    assert pl.concat([p.frame for p in parts]).equals(whole.frame)
    assert pl.concat([p.row_numbers for p in parts]).to_list() == list(range(1, 133))
    assert whole.frame.row(38 + 2) == ("名称38", "地址38\n第二行\n第三行")
    assert readers.read_grid(path).frame.equals(whole.frame)


def test_a_file_polars_cannot_read_is_refused_alike_when_spooled(tmp_path, monkeypatch):
    path = tmp_path / "名录.csv"
    rows = [[f"学校{i}", "小学"] for i in range(100)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["学校名称", "学校类型"], *rows[:60]])
        fh.write('"青岚县第一小学,小学\n')  # a quote never closed, in the second part
        csv.writer(fh).writerows(rows[60:])
    refusals = []
    for spool_bytes in (1 << 40, 0):
        monkeypatch.setattr(readers, "CSV_PART_ROWS", PART)
        monkeypatch.setattr(readers, "CSV_SPOOL_BYTES", spool_bytes)
        with pytest.raises(UserError) as caught:
            list(readers.read_grid_parts(path))
        refusals.append((caught.value.code, caught.value.message))
    assert refusals[0] == refusals[1]
    assert refusals[0][0] in ("bad_csv", "unbalanced_quote")


def test_a_full_disk_while_spooling_says_so(tmp_path):
    """The spool is written before any part is read: with no space left for it (/dev/full
    answers every write with ENOSPC), the refusal names the disk, not the file."""
    path = tmp_path / "名录.csv"
    path.write_text("学校名称,学校类型\n青岚县第一小学,小学\n", encoding="utf-8")
    table = pl.scan_csv(path, infer_schema=False)
    with pytest.raises(UserError, match="磁盘空间不足") as caught:
        list(
            readers._csv_batches(table, path, path.name, ",", ReadLimits(), PART, Path("/dev/full"))
        )
    assert caught.value.code == "no_space"


def test_a_spool_that_cannot_be_written_is_not_blamed_on_the_file(tmp_path):
    path = tmp_path / "名录.csv"
    path.write_text("学校名称,学校类型\n青岚县第一小学,小学\n", encoding="utf-8")
    table = pl.scan_csv(path, infer_schema=False)
    gone = tmp_path / "已删除的临时文件夹" / "parts.arrow"
    with pytest.raises(UserError, match="无法写入") as caught:
        list(readers._csv_batches(table, path, path.name, ",", ReadLimits(), PART, gone))
    assert caught.value.code == "spool_failed"
    assert "不是规范的 CSV" not in caught.value.message
