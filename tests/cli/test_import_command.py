"""`shujian import` as a user meets it: the question a file without a coordinate system asks,
the flag that answers it, counts that cannot be misread, saved mappings, constants, and the
audit log."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from shujian.cli.main import cli

USCC_A = "91110000600037341L"
ID_A = "11010519491231002X"


def shujian(ws: Path, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(cli, ["-w", str(ws), "-u", "张检察官", *args])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.output


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    assert CliRunner().invoke(cli, ["init", str(root)]).exit_code == 0
    return root


def venues(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "经营场所.csv",
        [
            ["场所名称", "统一社会信用代码", "场所类型", "经度", "纬度"],
            ["甲网吧", "92520203MA6BJ1XG5U", "网吧", 105.5, 26.3005],
        ],
    )


def test_a_file_without_a_coordinate_system_asks_and_says_how_to_answer(ws, tmp_path):
    path = venues(tmp_path)
    out = shujian(ws, "import", "venues", str(path), code=2)
    assert "坐标来自哪里" in out and "高德地图、腾讯地图 → GCJ02" in out
    assert "--crs GCJ02" in out  # the command line's hint
    out = shujian(ws, "import", "venues", str(path), "--crs", "WGS84")
    assert "导入 1 行" in out and "退回报告" not in out  # nothing rejected, no report to read
    out = shujian(ws, "import", "venues", str(path), "--crs", "WGS84")
    assert "已经导入过" in out and "未做任何更改" in out
    out = shujian(ws, "import", "venues", str(path), "--crs", "GCJ02", "--json")
    assert "取代该批次" in out and "批次 1" in out
    assert json.loads(out.strip().splitlines()[-1])["replaced"] == 1


def test_an_import_whose_rows_were_all_rejected_says_all_rejected(ws, tmp_path):
    path = write_csv(
        tmp_path / "学校.csv",
        [
            ["学校名称", "学校类型", "统一社会信用代码", "经度", "纬度"],
            ["甲小学", "小学", "91110000600037341X", 105.5, 26.3],
        ],
    )
    out = shujian(ws, "import", "schools", str(path), "--crs", "WGS84")
    assert "全部退回" in out and "导入 0 行" not in out
    assert "退回报告：" in out


def test_a_mapping_is_saved_for_the_agency_applied_next_time_listed_and_deleted(ws, tmp_path):
    def roster(name: str, person: str) -> str:
        return str(
            write_csv(
                tmp_path / name,
                [
                    ["单位名称", "单位信用代码", "单位类别", "职工姓名", "身份证号", "入职日期"],
                    ["青岚县阳光幼儿园", USCC_A, "幼儿园", person, ID_A, "2026-09-01"],
                ],
            )
        )

    agency = ("--agency", "青岚县阳光幼儿园")
    out = shujian(
        ws, "import", "staff_roster", roster("一月.csv", "王芳"), "--map", "职工姓名=姓名"
    )
    assert "未指定 --agency，本次的表头对应没有保存" in out
    out = shujian(
        ws, "import", "staff_roster", roster("二月.csv", "李娜"), *agency, "--map", "职工姓名=姓名"
    )
    assert "已保存表头对应" in out and "职工姓名→姓名" in out
    out = shujian(ws, "import", "staff_roster", roster("三月.csv", "赵敏"), *agency)
    assert "沿用已保存的表头对应：职工姓名→姓名" in out and "导入 1 行" in out

    listed = shujian(ws, "datasets", "mappings", "list", "staff_roster")
    assert "青岚县阳光幼儿园" in listed and "职工姓名→姓名" in listed and "共 1 条" in listed
    shujian(ws, "datasets", "mappings", "set", "staff_roster", *agency, "职务名称=岗位")
    assert "职务名称→岗位" in shujian(ws, "datasets", "mappings", "list", *agency)
    out = shujian(ws, "datasets", "mappings", "delete", "staff_roster", *agency, "职工姓名")
    assert "已删除：职工姓名" in out
    out = shujian(ws, "import", "staff_roster", roster("四月.csv", "钱进"), *agency, code=2)
    assert "姓名" in out
    shujian(ws, "datasets", "mappings", "delete", "staff_roster", *agency, "职工姓名", code=2)

    log = shujian(ws, "audit", "log", "--json")
    actions = [json.loads(line)["action"] for line in log.splitlines()]
    assert actions == ["import", "import", "import", "save_mappings", "delete_mappings"]


def test_constants_fill_columns_a_kindergarten_s_roster_lacks(ws, tmp_path):
    path = write_csv(
        tmp_path / "名单.csv",
        [["姓名", "身份证号", "入职日期"], ["王芳", ID_A, "2020-09-01"]],
    )
    out = shujian(ws, "import", "staff_roster", str(path), code=2)
    assert "单位名称" in out and "--set 字段=值" in out  # the hint names the way out
    sets = ["--set", "单位名称=青岚县阳光幼儿园", "--set", f"单位信用代码={USCC_A}"]
    sets += ["--set", "单位类别=幼儿园"]
    out = shujian(ws, "import", "staff_roster", str(path), *sets)
    assert "整份文件统一取值：单位名称=青岚县阳光幼儿园" in out and "导入 1 行" in out
    out = shujian(ws, "import", "staff_roster", str(path), *sets, "--set", "姓名=李娜", code=2)
    assert "已有“姓名”列" in out


def test_the_import_appears_in_the_audit_log(ws, tmp_path):
    path = venues(tmp_path)
    shujian(ws, "import", "venues", str(path), "--crs", "GCJ02", "--agency", "青岚县文旅局")
    out = shujian(ws, "audit", "log")
    assert "导入数据" in out and "张检察官" in out and "经营场所.csv" in out
    (line,) = shujian(ws, "audit", "log", "--action", "import", "--json").splitlines()
    detail = json.loads(line)["detail"]
    assert detail["agency"] == "青岚县文旅局" and len(detail["file_sha256"]) == 64
