"""A snapshot file that lacks a column never erases what earlier files said in it: a 网吧 imported
as 注销 does not become a lead after a file without 经营状态 (refused), nor after one whose
经营状态 header carries an invisible character (matched)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import CAFE, LIBRARY, load_fixture_data, person
from shujian.cli.main import cli
from shujian.data.datasets import load_datasets, normalise_header
from shujian.data.importer import ImportOptions, ImportResult, import_file
from shujian.data.warehouse import Warehouse
from shujian.errors import UserError
from shujian.models.fixtures import load_fixture
from shujian.models.runner import run_models
from shujian.workspace import Workspace

CANCELLED = "92520203MA61TJ3Y6Q"  # 旧城网吧, 注销, 200 m from a primary school in the fixture
NEAR = "92520203MA6BJ1XG5U"  # 极速网吧, 在营: a lead
UNKNOWN = "92520203MA6NQ2KD78"  # 不明网吧: 经营状态 left empty, not a lead
STATUS = "经营状态"


@pytest.mark.parametrize(
    "header",
    [
        "经营状态",
        "经营状态\u200b",
        "\u200b经营状态",
        "经\u200c营状态",
        "经营\u200d状态",
        "经营状态\u2060",
        "\ufeff经营状态",
        "经营状态\x00",
        " 经营 状态\u3000",
        "\ufeff\u200b经营状态\x00\r\n",
    ],
    ids=ascii,
)
def test_invisible_characters_do_not_change_a_header(header: str) -> None:
    assert normalise_header(header) == "经营状态"
    assert load_datasets()["venues"].header_index()[normalise_header(header)] == "status"


@pytest.mark.parametrize("header", ["经营状况", "经营状态2", "状态\u200b名"], ids=ascii)
def test_visible_differences_still_count(header: str) -> None:
    assert normalise_header(header) not in load_datasets()["venues"].header_index()


def venue_rows() -> list[dict[str, object]]:
    fixture = load_fixture(LIBRARY[CAFE].fixture_path)  # type: ignore[arg-type]
    return [dict(r) for r in fixture["datasets"]["venues"]]


def write_venues(path: Path, rows: list[dict[str, object]], rename: dict[str, str]) -> Path:
    """The rows as a CSV file, each header renamed as `rename` says (to None: dropped)."""
    headers = [h for h in dict.fromkeys(h for r in rows for h in r) if rename.get(h, h)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow([rename.get(h, h) for h in headers])
        out.writerows([[r.get(h, "") for h in headers] for r in rows])
    return path


def import_venues(ws: Workspace, path: Path, **options: object) -> ImportResult:
    return import_file(
        Warehouse(ws.warehouse_dir, ws.store),
        ws.reports_dir,
        ws.datasets()["venues"],
        path,
        ImportOptions(crs="WGS84", **options),  # type: ignore[arg-type]
        user=person("张检察官"),
    )


def leads(ws: Workspace) -> set[str]:
    report = run_models(ws, LIBRARY, [CAFE], dt.date(2026, 6, 1))
    (outcome,) = report.outcomes
    return {f.subject for f in outcome.findings}


@pytest.fixture
def cafes(workspace: Workspace, tmp_path: Path) -> Workspace:
    (tmp_path / "first").mkdir()
    load_fixture_data(workspace, tmp_path / "first")
    found = leads(workspace)
    assert NEAR in found and CANCELLED not in found and UNKNOWN not in found
    return workspace


def test_a_newer_file_without_the_status_column_is_refused(cafes: Workspace, tmp_path: Path):
    path = write_venues(tmp_path / "venues-later.csv", venue_rows(), {STATUS: ""})
    with pytest.raises(UserError) as refused:
        import_venues(cafes, path)
    assert refused.value.code == "snapshot_lacks_column"
    assert "“经营状态”" in str(refused.value) and "7 条记录" in str(refused.value)
    assert CANCELLED not in leads(cafes)


def test_the_command_line_says_how_to_give_the_column(cafes: Workspace, tmp_path: Path):
    path = write_venues(tmp_path / "venues-later.csv", venue_rows(), {STATUS: ""})
    result = CliRunner().invoke(
        cli, ["-w", str(cafes.root), "import", "venues", str(path), "--crs", "WGS84"]
    )
    assert result.exit_code != 0
    assert "经营状态" in result.output and "--set 字段=值" in result.output
    given = CliRunner().invoke(
        cli,
        ["-w", str(cafes.root), "import", "venues", str(path), "--crs", "WGS84",
         "--set", "经营状态=注销"],
    )  # fmt: skip
    assert given.exit_code == 0, given.output
    assert NEAR not in leads(cafes) and CANCELLED not in leads(cafes)


def test_a_zero_width_character_after_the_header_still_reads_the_column(
    cafes: Workspace, tmp_path: Path
):
    path = write_venues(tmp_path / "venues-later.csv", venue_rows(), {STATUS: STATUS + "\u200b"})
    result = import_venues(cafes, path)
    assert result.imported == len(venue_rows()) and result.extra_columns == []
    assert "status" in result.columns.values()
    found = leads(cafes)
    assert NEAR in found and CANCELLED not in found


def test_a_column_no_stored_record_has_a_value_in_may_be_missing(cafes: Workspace, tmp_path: Path):
    # the fixture has no 地址 and no 许可证号: nothing to lose
    rows = venue_rows()
    assert not any("地址" in r or "许可证号" in r for r in rows)
    rows[0]["场所名称"] = "极速网吧（更名）"
    assert import_venues(cafes, write_venues(tmp_path / "again.csv", rows, {})).imported == 8
    # a newer file naming only a record never stored loses nothing either
    fresh = [{**rows[0], "统一社会信用代码": "92520203MA6BJ1XG5U", "场所类型": "桌球"}]
    result = import_venues(cafes, write_venues(tmp_path / "new.csv", fresh, {STATUS: ""}))
    assert result.imported == 1
