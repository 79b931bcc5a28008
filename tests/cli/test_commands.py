"""The command-line contract of product.md, driven as a user (or a script) would."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from helpers import person
from shujian.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]


def shujian(ws: Path, *args: str):
    return CliRunner().invoke(cli, ["-w", str(ws), *args], catch_exceptions=False)


@pytest.fixture
def ws(tmp_path: Path, fixture_csvs) -> Path:
    root = tmp_path / "ws"
    assert CliRunner().invoke(cli, ["init", str(root)]).exit_code == 0
    fixture_csvs("campus.internet_cafe", tmp_path, encoding="gb18030")
    return root


def test_import_prints_counts_and_a_json_last_line(ws: Path):
    result = shujian(
        ws, "import", "schools", str(ws.parent / "schools.csv"), "--agency", "教育局", "--json"
    )
    assert result.exit_code == 0
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert (summary["imported"], summary["rejected"]) == (2, 0)
    assert "导入 2 行" in result.output


def test_a_file_with_rejected_rows_is_still_taken(ws: Path, tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "学校名称,学校类型,统一社会信用代码,经度,纬度\n甲小学,小学,91110000600037341L,105.5,26.3\n"
        "乙小学,小学,91110000600037341X,105.5,26.3\n",
        encoding="utf-8",
    )
    result = shujian(ws, "import", "schools", str(path), "--crs", "WGS84", "--json")
    assert result.exit_code == 0
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert (summary["imported"], summary["rejected"]) == (1, 1)
    assert Path(summary["report"]).exists()


def test_a_refused_file_exits_non_zero_with_a_chinese_message(ws: Path, tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_text("名称,经度\n甲小学,105.5\n", encoding="utf-8")
    result = shujian(ws, "import", "schools", str(path))
    assert result.exit_code == 2
    assert (
        "缺少" in result.output
        and "学校类型" in result.output
        and "统一社会信用代码" in result.output
    )
    assert shujian(ws, "import", "no_such", str(path)).exit_code == 2


def test_run_and_export_leads_in_every_format(ws: Path, tmp_path: Path):
    for dataset in ("schools", "venues"):
        assert shujian(ws, "import", dataset, str(ws.parent / f"{dataset}.csv")).exit_code == 0
    result = shujian(ws, "run", "campus.internet_cafe", "--as-of", "2026-06-01")
    assert result.exit_code == 0 and "campus.internet_cafe" in result.output

    out = shujian(ws, "leads", "export", "--format", "jsonl")
    records = [json.loads(line) for line in out.output.strip().splitlines()]
    assert len(records) == 2
    for r in records:
        assert r["model"] == "campus.internet_cafe" and r["status"] == "new"
        assert len(r["subject"]) == 18 and r["title"] and r["evidence"][0]["distance_m"] <= 200

    csv_path = tmp_path / "leads.csv"
    assert shujian(ws, "leads", "export", "--format", "csv", "-o", str(csv_path)).exit_code == 0
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8-sig")))
    assert {r["subject"] for r in rows} == {r["subject"] for r in records}

    xlsx_path = tmp_path / "leads.xlsx"
    assert shujian(ws, "leads", "export", "--format", "xlsx", "-o", str(xlsx_path)).exit_code == 0
    sheet = openpyxl.load_workbook(xlsx_path)["线索"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["线索编号", "模型", "监督对象", "标题", "状态"]
    assert sheet.max_row == 3


def test_models_show_prints_parameters_in_force_with_their_source(ws: Path):
    config = ws / "shujian.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + (
            '\n[[overrides]]\nmodel = "campus.internet_cafe"\nparameter = "max_distance_m"\n'
            'value = 150\nsource = "某省文化和旅游厅通知（2024）"\n'
        ),
        encoding="utf-8",
    )
    result = shujian(ws, "models", "show", "campus.internet_cafe")
    assert result.exit_code == 0
    assert "max_distance_m（最小距离（米））= 150" in result.output
    assert "地方调整：某省文化和旅游厅通知（2024）" in result.output
    assert "默认值：《互联网上网服务营业场所管理条例》第九条" not in result.output
    assert "《互联网上网服务营业场所管理条例》第九条" in result.output  # legal basis still cited

    for dataset in ("schools", "venues"):
        shujian(ws, "import", dataset, str(ws.parent / f"{dataset}.csv"))
    shujian(ws, "run", "campus.internet_cafe", "--as-of", "2026-06-01")
    leads = [json.loads(x) for x in shujian(ws, "leads", "export").output.strip().splitlines()]
    assert [r["evidence"][0]["distance_m"] <= 150 for r in leads] == [True] * len(leads)
    assert all(r["parameters"]["max_distance_m"] == 150 for r in leads)


def test_models_list_and_an_override_without_source_is_refused(ws: Path):
    listing = shujian(ws, "models", "list").output
    assert "campus.internet_cafe" in listing and "wage.deposit_missing" in listing
    config = ws / "shujian.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + (
            '\n[[overrides]]\nmodel = "campus.internet_cafe"\nparameter = "max_distance_m"\nvalue = 150\n'
        ),
        encoding="utf-8",
    )
    result = shujian(ws, "models", "show", "campus.internet_cafe")
    assert result.exit_code == 2 and "依据文件" in result.output


def test_new_model_is_listed_and_broken_models_are_explained(ws: Path, tmp_path: Path):
    result = shujian(ws, "models", "new", "local.signs")
    assert result.exit_code == 0
    model_file = ws / "models" / "local.signs.yaml"
    assert "local.signs" in shujian(ws, "models", "list").output
    # the template itself is refused until edited (tests/cli/test_models_test.py)
    assert shujian(ws, "models", "validate", str(model_file)).exit_code == 2

    own = Path(__file__).with_name("own_models") / "local.billiards_near_school.yaml"
    text = own.read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        text.replace("FROM venues AS v", "FROM hotel_checkins AS v"), encoding="utf-8"
    )
    result = shujian(ws, "models", "validate", str(broken))
    assert result.exit_code == 1 and "未在 datasets 中声明的数据集“hotel_checkins”" in result.output

    broken.write_text(
        text.replace("SELECT v.name AS venue_name", "SELECT v.nam AS venue_name"), encoding="utf-8"
    )
    result = shujian(ws, "models", "validate", str(broken))
    assert result.exit_code == 1 and "无法对应到数据集的字段" in result.output
    assert "nam" in result.output

    query = text[text.index("  SELECT v.name") :]
    broken.write_text(text.replace(query, "  DELETE FROM venues\n"), encoding="utf-8")
    result = shujian(ws, "models", "validate", str(broken))
    assert result.exit_code == 1 and "SELECT" in result.output

    # a text aggregate whose order Spark would lose: refused before it can run anywhere
    broken.write_text(
        text.replace(
            "SELECT v.name AS venue_name",
            "SELECT array_to_string(list(s.name ORDER BY s.name), '、') OVER () AS schools,"
            " v.name AS venue_name",
        ),
        encoding="utf-8",
    )
    result = shujian(ws, "models", "validate", str(broken))
    assert result.exit_code == 1 and "Spark" in result.output and "string_agg" in result.output


def test_validate_warns_of_a_join_condition_naming_three_tables(ws: Path, tmp_path: Path):
    """A join Spark would run pair by pair passes (its leads are right) with a warning that
    says how to write it instead; the shipped way of writing the same join gets none."""
    shipped = (ROOT / "src/shujian/models/catalogue/campus.internet_cafe.yaml").read_text(
        encoding="utf-8"
    )
    assert "提示" not in shujian(ws, "models", "validate", str(_copy(shipped, tmp_path))).output
    three = shipped.replace(
        "    FROM v\n    JOIN near AS s ON s.gx = v.gx AND s.gy = v.gy\n",
        "    FROM v\n    CROSS JOIN (SELECT 0 AS dx, 0 AS dy) AS n\n"
        "    JOIN near AS s ON s.gx = v.gx + n.dx AND s.gy = v.gy + n.dy\n",
    )
    assert three != shipped
    result = shujian(ws, "models", "validate", str(_copy(three, tmp_path)))
    assert result.exit_code == 0, result.output
    # one warning for the join, naming both of its equalities
    assert (
        "提示：连接条件 s.gx = v.gx + n.dx、s.gy = v.gy + n.dy 同时涉及 3 张表（n、s、v）"
        in result.output
    )
    assert result.output.count("提示：连接条件") == 1
    assert "逐对比较" in result.output and "docs/authoring.md" in result.output


def _copy(text: str, folder: Path) -> Path:
    path = folder / "campus.internet_cafe.yaml"
    path.write_text(text, encoding="utf-8")
    fixture = ROOT / "src/shujian/models/catalogue/campus.internet_cafe.fixture.yaml"
    (folder / fixture.name).write_bytes(fixture.read_bytes())
    return path


def test_a_working_day_model_refuses_a_year_beyond_the_provisional_ones(ws: Path):
    # 2027–2031 are counted provisionally from the statutory days; 2032 is too far to guess.
    result = shujian(ws, "run", "wage.deposit_missing", "--as-of", "2032-03-01")
    assert result.exit_code == 2 and "2032年" in result.output and "节假日" in result.output


def test_run_all_in_january_2027_runs_every_shipped_model(ws: Path, fixture_csvs):
    """No year after 2026 is published in the bundled calendar: the working-day model runs on
    provisional 2027 days, and the models that need no working days are not held up by it."""
    from helpers import LIBRARY

    folder = ws.parent / "wage"
    folder.mkdir()
    for dataset, path in fixture_csvs("wage.deposit_missing", folder).items():
        assert shujian(ws, "import", dataset, str(path)).exit_code == 0
    result = shujian(ws, "run", "--all", "--as-of", "2027-01-05")
    assert result.exit_code == 0, result.output
    # the seventeen of the catalogue (wage.support_prosecution the latest), transfer.review,
    # and the six juvenile models
    assert len(LIBRARY) == 24
    for model_id in LIBRARY:
        assert model_id in result.output
    assert "未运行" not in result.output


def test_only_the_working_day_model_is_refused_beyond_the_provisional_years(ws: Path):
    result = shujian(ws, "run", "--all", "--as-of", "2032-03-01")
    assert result.exit_code == 0, result.output
    refused = [line for line in result.output.splitlines() if "未运行" in line]
    assert len(refused) == 1 and refused[0].startswith("wage.deposit_missing")
    assert "2032年" in refused[0]
    assert "campus.internet_cafe" in result.output


def test_models_stats_counts_new_unchanged_and_suppressed(ws: Path):
    from shujian.leads.service import list_leads
    from shujian.leads.triage import dismiss
    from shujian.workspace import open_workspace

    for dataset in ("schools", "venues"):
        shujian(ws, "import", dataset, str(ws.parent / f"{dataset}.csv"))
    assert "还没有运行记录" in shujian(ws, "models", "stats").output
    shujian(ws, "run", "campus.internet_cafe", "--as-of", "2026-06-01")
    store = open_workspace(ws).store
    dismiss(store, list_leads(store)[0]["id"], "已自行整改到位", person("检察官甲"))
    shujian(ws, "run", "campus.internet_cafe", "--as-of", "2026-06-01")
    lines = shujian(ws, "models", "stats").output.strip().splitlines()
    second, first = lines[1].split(), lines[2].split()
    assert second[0] == "2" and second[2] == "campus.internet_cafe"
    # rows, leads, new, refreshed, unchanged, suppressed, reopened
    assert second[3:10] == ["2", "2", "0", "0", "1", "1", "0"]
    assert first[3:10] == ["2", "2", "2", "0", "0", "0", "0"]


def test_validate_explains_a_model_without_subject_or_legal_basis(ws: Path, tmp_path: Path):
    shujian(ws, "models", "new", "local.incomplete")
    text = (ws / "models" / "local.incomplete.yaml").read_text(encoding="utf-8")
    start = text.index("legal_basis:")
    broken = text[:start] + text[text.index("datasets:") :]
    broken = broken.replace(
        "subject: {column: subject_uscc, dataset: venues, label: 统一社会信用代码}\n", ""
    )
    path = tmp_path / "incomplete.yaml"
    path.write_text(broken, encoding="utf-8")
    result = shujian(ws, "models", "validate", str(path))
    assert result.exit_code != 0
    assert "法律依据 legal_basis" in result.output and "监督对象 subject" in result.output


def test_a_refused_file_says_why_and_the_command_line_says_what_to_type(
    ws: Path, tmp_path: Path
) -> None:
    """The importer names the missing columns (no flag in its message: the web application will
    offer a mapping form instead); the command line adds --map."""
    bad = tmp_path / "名单.csv"
    bad.write_text("姓名,电话\n张三,13800000000\n", encoding="gb18030")
    result = shujian(ws, "import", "staff_roster", str(bad))
    assert result.exit_code == 2
    assert "必填列：单位名称" in result.output and "整份文件未导入" in result.output
    assert "提示：如这些列在文件中用了别的表头，请用 --map 表头=字段 指定" in result.output
    assert "Traceback" not in result.output


def test_an_added_2027_without_national_day_is_refused_naming_the_days(ws: Path):
    from helpers import NOTICE_2027

    config = ws / "shujian.toml"
    without = NOTICE_2027.replace('"2027-10-01..2027-10-07", ', "")
    config.write_text(config.read_text(encoding="utf-8") + without, encoding="utf-8")
    result = shujian(ws, "cases", "list")
    assert result.exit_code == 2
    assert "2027-10-01（国庆节）、2027-10-02（国庆节）、2027-10-03（国庆节）" in result.output
    assert "Traceback" not in result.output
