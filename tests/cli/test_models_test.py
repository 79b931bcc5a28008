"""A procuratorate's own model, tested as its author would: `shujian models test` and `validate`
on real model and fixture files in a workspace's models/ folder (tests/cli/own_models/)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from shujian.cli.main import cli
from shujian.workspace import open_workspace

OWN = Path(__file__).with_name("own_models")
MODEL = "local.billiards_near_school"
STARLIGHT = "92520203MA6BJ1XG5U"  # 星光桌球, 187 m from the school: a lead
FAR_VIEW = "92520203MA6272HD8Q"  # 远景桌球, 201 m: the near miss


def shujian(ws: Path, *args: str):
    return CliRunner().invoke(cli, ["-w", str(ws), *args], catch_exceptions=False)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    assert CliRunner().invoke(cli, ["init", str(root)]).exit_code == 0
    for path in OWN.glob(f"{MODEL}*.yaml"):
        shutil.copy(path, root / "models" / path.name)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def model_file(ws: Path) -> Path:
    return ws / "models" / f"{MODEL}.yaml"


def fixture_file(ws: Path) -> Path:
    return ws / "models" / f"{MODEL}.fixture.yaml"


def test_own_model_whose_fixture_passes_exits_zero(ws: Path):
    result = shujian(ws, "models", "test", MODEL)
    assert result.exit_code == 0, result.output
    assert "测试通过" in result.output
    assert f"{STARLIGHT}  星光桌球（桌球室）距青岚县第一小学仅187米" in result.output


def test_own_model_is_tested_by_file_as_well_as_by_id(ws: Path):
    result = shujian(ws, "models", "test", str(model_file(ws)))
    assert result.exit_code == 0, result.output


def test_a_subject_the_query_misses_is_printed_with_its_rows_and_fails(ws: Path):
    edit(model_file(ws), "default: 200", "default: 150")  # the 187 m venue falls outside
    result = shujian(ws, "models", "test", MODEL)
    assert result.exit_code == 1
    assert "未命中 1 个" in result.output
    missing = result.output.split("未命中 1 个", 1)[1]
    assert STARLIGHT in missing
    assert "venues 第 1 行：场所名称 星光桌球" in missing and "纬度 26.3016817" in missing
    assert "测试未通过" in result.output


def test_a_flagged_near_miss_is_printed_as_false_with_its_distance(ws: Path):
    edit(model_file(ws), "default: 200", "default: 250")  # the 201 m near miss is now flagged
    result = shujian(ws, "models", "test", MODEL)
    assert result.exit_code == 1
    false = result.output.split("误报 1 个", 1)[1]
    assert FAR_VIEW in false and "距离（米） 201" in false and "禁设距离（米） 250" in false


def test_a_subject_found_but_not_mentioned_is_unexpected(ws: Path):
    edit(fixture_file(ws), f"not_leads: [{FAR_VIEW}, ", "not_leads: [")
    edit(model_file(ws), "default: 200", "default: 250")
    result = shujian(ws, "models", "test", MODEL)
    assert result.exit_code == 1
    unexpected = result.output.split("多出 1 个", 1)[1]
    assert FAR_VIEW in unexpected and "距离（米） 201" in unexpected


def test_a_fixture_row_refused_at_import_is_shown_with_its_reason(ws: Path):
    edit(fixture_file(ws), f"统一社会信用代码: {STARLIGHT}", "统一社会信用代码: 92520203MA6BJ1XG5X")
    result = shujian(ws, "models", "test", MODEL)
    assert result.exit_code == 1
    assert "venues 第 1 行 统一社会信用代码“92520203MA6BJ1XG5X”：校验码错误" in result.output
    assert "有 1 行在导入时被退回" in result.output


def test_validate_runs_the_fixture_when_there_is_one(ws: Path):
    edit(model_file(ws), "default: 200", "default: 150")
    result = shujian(ws, "models", "validate", str(model_file(ws)))
    assert result.exit_code == 1
    assert "检查通过" in result.output and "未命中 1 个" in result.output


def test_validate_warns_that_a_model_without_fixture_is_untested(ws: Path):
    fixture_file(ws).unlink()
    result = shujian(ws, "models", "validate", str(model_file(ws)))
    assert result.exit_code == 0
    assert "警告" in result.output and "未经测试" in result.output


def test_testing_a_model_touches_neither_warehouse_nor_leads(
    ws: Path, tmp_path: Path, fixture_csvs
):
    for dataset, path in fixture_csvs("campus.internet_cafe", tmp_path).items():
        assert shujian(ws, "import", dataset, str(path)).exit_code == 0
    assert shujian(ws, "run", "campus.internet_cafe", "--as-of", "2026-06-01").exit_code == 0
    before = sorted(p.relative_to(ws) for p in (ws / "warehouse").rglob("*"))
    leads = shujian(ws, "leads", "export", "--format", "jsonl").output

    assert shujian(ws, "models", "test", MODEL).exit_code == 0
    assert shujian(ws, "models", "test", "campus.internet_cafe").exit_code == 0

    assert sorted(p.relative_to(ws) for p in (ws / "warehouse").rglob("*")) == before
    assert shujian(ws, "leads", "export", "--format", "jsonl").output == leads
    from sqlalchemy import text

    with open_workspace(ws).store.connect() as conn:
        agencies = conn.execute(text("SELECT DISTINCT agency FROM batches")).scalars().all()
    assert "测试样例" not in agencies


def test_an_unedited_template_is_refused_with_what_to_edit(ws: Path):
    assert shujian(ws, "models", "new", "local.signs").exit_code == 0
    path = ws / "models" / "local.signs.yaml"
    for args in (("validate", str(path)), ("test", "local.signs"), ("test", str(path))):
        result = shujian(ws, "models", *args)
        assert result.exit_code == 2, args
        assert "还是新建模型时生成的模板" in result.output
        assert "name：写模型名称" in result.output and "query：" in result.output
    result = shujian(ws, "run", "local.signs", "--as-of", "2026-06-01")
    assert result.exit_code == 2 and "仍是模板内容" in result.output


def test_a_template_with_one_placeholder_left_is_refused_naming_only_that(ws: Path):
    """An author who wrote the model but kept the template's article “第X条”."""
    edit(model_file(ws), "article: 第五十八条", "article: 第X条")
    result = shujian(ws, "models", "test", MODEL)
    assert result.exit_code == 2
    assert "legal_basis 的 article" in result.output and "name：" not in result.output


def test_datasets_show_lists_headers_types_aliases_and_values(ws: Path):
    result = shujian(ws, "datasets", "show", "venues")
    assert result.exit_code == 0
    out = result.output
    assert "venues  经营场所" in out
    assert "* venue_type" in out and "场所类型" in out and "文本（text）" in out
    assert "别名：行业类别、经营类别、类别" in out
    assert "允许的取值：网吧、歌舞娱乐" in out and "台球→桌球" in out
    assert "统一社会信用代码（uscc）" in out and "别名：信用代码" in out
    assert "    licence_no" in out  # not required: no * mark


def test_datasets_list_names_every_dataset(ws: Path):
    result = shujian(ws, "datasets", "list")
    assert result.exit_code == 0
    assert "venues" in result.output and "经营场所" in result.output
    assert "hotel_checkins" in result.output


def test_datasets_show_refuses_an_unknown_dataset_in_chinese(ws: Path):
    result = shujian(ws, "datasets", "show", "venue")
    assert result.exit_code == 2 and "未知的数据集“venue”" in result.output
