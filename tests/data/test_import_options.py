"""How a file is asked to be read: a coordinate system that must be stated, a re-import with
other options that replaces its batch, an agency's mappings remembered, constants for a whole
file, and every import in the audit log."""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

import polars as pl
import pytest

from helpers import person
from shujian import audit
from shujian.data import mappings
from shujian.data.fields.geo import haversine_m
from shujian.data.importer import ImportOptions, ImportResult, import_file
from shujian.data.warehouse import Warehouse
from shujian.engine.duckdb import DuckDBEngine
from shujian.errors import UserError
from shujian.models.runner import run_models
from shujian.models.spec import load_library
from shujian.workspace import Workspace

LIBRARY = load_library()
CAFE = "campus.internet_cafe"
AS_OF = dt.date(2026, 6, 1)

SCHOOL = (105.5, 26.3)  # WGS-84, as the education bureau's GPS survey gives it
METRE_LAT = 1 / 111_195.0
# 甲网吧: its 高德 (GCJ-02) point, read as if it were WGS-84, is 55 m north of the school; it is
# really 548 m away. 乙网吧: really 150 m east of the school; its 高德 point, read as WGS-84,
# is 614 m away.
FALSE_NEAR = (105.5, SCHOOL[1] + 55 * METRE_LAT)
REAL_NEAR_GCJ = (105.5048347825252, 26.296575088351997)
VENUE_A, VENUE_B = "92520203MA6BJ1XG5U", "92520203MA6612DD3E"
SCHOOL_USCC = "92520203MA6AY4CL13"
ID_A = "11010519491231002X"
USCC_A = "91110000600037341L"


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def run_import(
    ws: Workspace, dataset: str, path: Path, *, actor: str = "张检察官", **options: object
) -> ImportResult:
    return import_file(
        Warehouse(ws.warehouse_dir, ws.store),
        ws.reports_dir,
        ws.datasets()[dataset],
        path,
        ImportOptions(**options),  # type: ignore[arg-type]
        user=person(actor),
    )


def gaode_venues(folder: Path) -> Path:
    """A 市场监管 export with 高德 coordinates and no 坐标系 column."""
    return write_csv(
        folder / "经营场所.csv",
        [
            ["场所名称", "统一社会信用代码", "场所类型", "经度", "纬度", "经营状态"],
            ["甲网吧", VENUE_A, "网吧", *FALSE_NEAR, "在营"],
            ["乙网吧", VENUE_B, "网吧", *REAL_NEAR_GCJ, "在营"],
        ],
    )


def one_school(folder: Path) -> Path:
    return write_csv(
        folder / "学校.csv",
        [
            ["学校名称", "学校类型", "统一社会信用代码", "经度", "纬度"],
            ["青岚县第一小学", "小学", SCHOOL_USCC, *SCHOOL],
        ],
    )


def cafe_leads(ws: Workspace) -> dict[str, float]:
    """The 网吧 model's leads now: subject → distance in metres."""
    report = run_models(ws, LIBRARY, [CAFE], AS_OF)
    (outcome,) = report.outcomes
    return {f.subject: float(f.evidence_list()[0]["distance_m"]) for f in outcome.findings}


def current(ws: Workspace, dataset: str) -> pl.DataFrame:
    with DuckDBEngine(Warehouse(ws.warehouse_dir, ws.store), ws.datasets()) as db:
        db.register([dataset])
        return db.query(f"SELECT * FROM {dataset} ORDER BY _row")


# ----------------------------------------------------------------------------- coordinates


def test_a_gaode_file_without_a_coordinate_system_is_refused_with_the_question(workspace, tmp_path):
    with pytest.raises(UserError) as refused:
        run_import(workspace, "venues", gaode_venues(tmp_path))
    assert refused.value.code == "crs_unknown"
    message = refused.value.message
    assert "坐标来自哪里" in message
    assert "高德地图、腾讯地图 → GCJ02" in message and "百度地图 → BD09" in message
    assert "GPS 设备、天地图、北斗 → WGS84" in message
    assert "--crs" not in message  # services never name flags; the command line adds the hint
    assert Warehouse(workspace.warehouse_dir, workspace.store).batches() == []


def test_an_empty_coordinate_system_cell_without_crs_rejects_its_row(workspace, tmp_path):
    path = write_csv(
        tmp_path / "场所.csv",
        [
            ["场所名称", "统一社会信用代码", "场所类型", "经度", "纬度", "坐标系"],
            ["甲网吧", VENUE_A, "网吧", *FALSE_NEAR, "高德"],
            ["乙网吧", VENUE_B, "网吧", *REAL_NEAR_GCJ, ""],
        ],
    )
    result = run_import(workspace, "venues", path)
    assert (result.imported, result.rejected) == (1, 1)
    stated = run_import(workspace, "venues", path, crs="GCJ02")  # the empty cell, answered
    assert (stated.imported, stated.rejected, stated.replaced) == (2, 0, result.batch_id)


def test_the_same_file_with_the_right_crs_replaces_its_batch_and_the_lead_moves(
    workspace, tmp_path
):
    run_import(workspace, "schools", one_school(tmp_path), crs="WGS84")
    venues = gaode_venues(tmp_path)
    wrong = run_import(workspace, "venues", venues, crs="WGS84")  # the old silent default
    leads = cafe_leads(workspace)
    assert list(leads) == [VENUE_A] and math.isclose(leads[VENUE_A], 55, abs_tol=1)

    right = run_import(workspace, "venues", venues, crs="GCJ02", actor="李检察官")
    assert not right.already_imported and right.replaced == wrong.batch_id
    leads = cafe_leads(workspace)
    assert list(leads) == [VENUE_B] and math.isclose(leads[VENUE_B], 150, abs_tol=1)
    a = current(workspace, "venues").filter(pl.col("uscc") == VENUE_A)
    assert haversine_m(a["lon"][0], a["lat"][0], *SCHOOL) == pytest.approx(548, abs=1)

    # the earlier batch is kept — its row and its file — and marked superseded
    warehouse = Warehouse(workspace.warehouse_dir, workspace.store)
    old, new = warehouse.batches("venues")
    assert (old.id, old.superseded_by, old.current) == (wrong.batch_id, new.id, False)
    assert (new.id, new.replaces, new.current) == (right.batch_id, old.id, True)
    assert (workspace.warehouse_dir / old.parquet).is_file()
    assert warehouse.files("venues") == [workspace.warehouse_dir / new.parquet]
    assert new.details["options"]["crs"] == "GCJ02"  # type: ignore[index]

    (entry,) = audit.query(workspace.store, action="reimport")
    assert (entry["actor"], entry["object_type"], entry["object_id"]) == (
        "李检察官",
        "batch",
        str(new.id),
    )
    assert entry["detail"]["replaces"] == old.id
    assert entry["detail"]["options"]["crs"] == "GCJ02"
    assert audit.verify(workspace.store).ok


def test_the_same_file_with_the_same_options_changes_nothing(workspace, tmp_path):
    venues = gaode_venues(tmp_path)
    first = run_import(workspace, "venues", venues, crs="GCJ02")
    again = run_import(workspace, "venues", venues, crs="火星坐标")  # the same system, said so
    assert again.already_imported and again.batch_id == first.batch_id
    warehouse = Warehouse(workspace.warehouse_dir, workspace.store)
    assert [b.id for b in warehouse.batches("venues")] == [first.batch_id]
    assert [e["action"] for e in audit.query(workspace.store)] == ["import"]


def test_a_replacement_stands_where_the_batch_it_replaced_stood(workspace, tmp_path):
    """Re-importing last month's list with the right option corrects it; it does not make it
    newer than this month's, in which the school has moved."""
    (tmp_path / "old").mkdir()
    old_list = write_csv(
        tmp_path / "old" / "学校.csv",
        [
            ["学校名称", "学校类型", "统一社会信用代码", "经度", "纬度"],
            ["青岚县第一小学", "小学", SCHOOL_USCC, *SCHOOL],
            ["青岚县第二小学", "小学", USCC_A, 105.6, 26.3],
        ],
    )
    new_list = write_csv(
        tmp_path / "学校-新址.csv",
        [
            ["学校名称", "学校类型", "统一社会信用代码", "经度", "纬度"],
            ["青岚县第一小学（新址）", "小学", SCHOOL_USCC, 105.52, 26.3],
        ],
    )
    run_import(workspace, "schools", old_list, crs="GCJ02")
    run_import(workspace, "schools", new_list, crs="WGS84")
    fixed = run_import(workspace, "schools", old_list, crs="WGS84")
    assert fixed.replaced is not None
    rows = {r["uscc"]: (r["name"], r["lon"]) for r in current(workspace, "schools").to_dicts()}
    assert rows == {
        SCHOOL_USCC: ("青岚县第一小学(新址)", 105.52),
        USCC_A: ("青岚县第二小学", 105.6),  # the old list's point, now read as WGS-84
    }


def test_an_events_file_imported_again_is_not_counted_as_its_own_duplicate(workspace, tmp_path):
    path = write_csv(
        tmp_path / "违法犯罪.csv",
        [
            ["姓名", "身份证号", "罪名", "处理结果", "判决日期"],
            ["张三", ID_A, "盗窃罪", "有罪判决", "2020-01-01"],
        ],
    )
    first = run_import(workspace, "offence_records", path)
    again = run_import(workspace, "offence_records", path, encoding="utf-8")
    assert (again.replaced, again.imported, again.duplicates) == (first.batch_id, 1, 0)
    assert current(workspace, "offence_records").height == 1


# ----------------------------------------------------------------------------- zero


def test_an_import_whose_rows_were_all_rejected_says_so(workspace, tmp_path):
    path = write_csv(
        tmp_path / "学校.csv",
        [
            ["学校名称", "学校类型", "统一社会信用代码", "经度", "纬度"],
            ["甲小学", "小学", "91110000600037341X", *SCHOOL],
            ["乙小学", "完全小学", USCC_A, *SCHOOL],
        ],
    )
    result = run_import(workspace, "schools", path, crs="WGS84")
    assert (result.imported, result.rejected, result.all_rejected) == (0, 2, True)
    assert result.as_json()["all_rejected"] is True
    assert result.report is not None and result.report.is_file()
    partly = run_import(workspace, "schools", one_school(tmp_path), crs="WGS84")
    assert not partly.all_rejected


# ----------------------------------------------------------------------------- mappings


def roster(path: Path, person: str = "王芳") -> Path:
    """A kindergarten's monthly roster, its system's own header 职工姓名 for 姓名."""
    return write_csv(
        path,
        [
            ["单位名称", "单位统一社会信用代码", "单位类别", "职工姓名", "身份证号", "入职日期"],
            ["青岚县阳光幼儿园", USCC_A, "幼儿园", person, ID_A, "2020-09-01"],
        ],
    )


def test_a_mapping_typed_once_applies_to_the_agency_s_next_file(workspace, tmp_path):
    kindergarten = "青岚县阳光幼儿园"
    first = run_import(
        workspace,
        "staff_roster",
        roster(tmp_path / "一月.csv"),
        agency=kindergarten,
        mapping={"职工姓名": "姓名"},
    )
    assert first.mappings_saved == {"职工姓名": "姓名"}
    (saved,) = mappings.saved(workspace.store, kindergarten, "staff_roster")
    assert (saved.header, saved.column_id, saved.saved_by) == ("职工姓名", "name", "张检察官")

    second = run_import(
        workspace, "staff_roster", roster(tmp_path / "二月.csv", "王芳芳"), agency=kindergarten
    )
    assert second.imported == 1 and second.saved_mappings_used == {"职工姓名": "姓名"}
    assert second.mappings_saved == {}

    with pytest.raises(UserError) as other_agency:
        run_import(
            workspace, "staff_roster", roster(tmp_path / "三月.csv", "李娜"), agency="另一所幼儿园"
        )
    assert other_agency.value.code == "missing_columns"

    (entry, _) = audit.query(workspace.store, action="import")
    assert entry["detail"]["mappings_saved"] == {"职工姓名": "name"}
    assert entry["detail"]["agency"] == kindergarten


def test_a_mapping_typed_for_the_file_wins_over_a_saved_one(workspace, tmp_path):
    agency = "青岚县教育局"
    with workspace.store.begin() as conn:  # a mistake, saved earlier
        mappings.save(conn, agency, "staff_roster", {"职工姓名": "position"}, "张检察官")
    fixed = run_import(
        workspace,
        "staff_roster",
        roster(tmp_path / "b.csv"),
        agency=agency,
        mapping={"职工 姓名": "姓名"},
    )
    assert fixed.imported == 1 and fixed.saved_mappings_used == {}
    assert fixed.mappings_saved == {"职工姓名": "姓名"}
    (saved,) = mappings.saved(workspace.store, agency, "staff_roster")
    assert saved.column_id == "name"


# ----------------------------------------------------------------------------- constants


def kindergarten_roster(path: Path) -> Path:
    """One kindergarten's own list: who works there, not where."""
    return write_csv(
        path,
        [
            ["姓名", "身份证号", "岗位", "入职日期"],
            ["王芳", ID_A, "保育员", "2020-09-01"],
            ["李娜", "440524188001010014", "厨师", "2021-03-01"],
        ],
    )


def test_constants_fill_a_roster_without_the_unit_s_columns(workspace, tmp_path):
    constants = {
        "单位名称": "青岚县阳光幼儿园",
        "单位信用代码": USCC_A.lower(),
        "单位类别": "幼儿园",
    }
    result = run_import(
        workspace, "staff_roster", kindergarten_roster(tmp_path / "名单.csv"), constants=constants
    )
    assert (result.imported, result.rejected) == (2, 0)
    rows = current(workspace, "staff_roster")
    assert set(rows["employer_name"]) == {"青岚县阳光幼儿园"}
    assert set(rows["employer_uscc"]) == {USCC_A}  # normalised like a cell
    assert set(rows["employer_type"]) == {"幼儿园"}
    assert result.constants == {
        "单位名称": "青岚县阳光幼儿园",
        "单位统一社会信用代码": USCC_A.lower(),
        "单位类别": "幼儿园",
    }
    (batch,) = Warehouse(workspace.warehouse_dir, workspace.store).batches("staff_roster")
    assert batch.details["constants"] == {
        "employer_name": "青岚县阳光幼儿园",
        "employer_uscc": USCC_A.lower(),
        "employer_type": "幼儿园",
    }


@pytest.mark.parametrize(
    ("constants", "code"),
    [
        ({"姓名": "王芳", "单位名称": "甲", "单位信用代码": USCC_A, "单位类别": "幼儿园"},
         "constant_for_present_column"),
        ({"单位名称": "甲", "单位信用代码": "91110000600037341X", "单位类别": "幼儿园"},
         "bad_constant"),
        ({"单位名称": "甲", "单位信用代码": USCC_A, "单位类别": "饭店"}, "bad_constant"),
        ({"单位地址": "甲"}, "unknown_constant_column"),
    ],
)  # fmt: skip
def test_a_constant_the_file_contradicts_or_that_is_wrong_refuses_the_file(
    workspace, tmp_path, constants, code
):
    with pytest.raises(UserError) as refused:
        run_import(
            workspace,
            "staff_roster",
            kindergarten_roster(tmp_path / "名单.csv"),
            constants=constants,
        )
    assert refused.value.code == code
    assert Warehouse(workspace.warehouse_dir, workspace.store).batches() == []


# ----------------------------------------------------------------------------- audit


def test_every_import_is_in_the_audit_log(workspace, tmp_path):
    path = one_school(tmp_path)
    result = run_import(workspace, "schools", path, crs="WGS84", agency="青岚县教育局")
    (entry,) = audit.query(workspace.store)
    assert (entry["actor"], entry["action"], entry["object_type"], entry["object_id"]) == (
        "张检察官",
        "import",
        "batch",
        str(result.batch_id),
    )
    detail = entry["detail"]
    assert detail["file_name"] == "学校.csv" and detail["file_sha256"] == result.sha256
    assert detail["agency"] == "青岚县教育局" and detail["dataset"] == "schools"
    assert (detail["rows_read"], detail["imported"], detail["rejected"]) == (1, 1, 0)
    assert entry["action_label"] == "导入数据"
