"""What the command line says is true: a lead no longer found says so, a count over empty data
says 无数据, `init` on an existing workspace says it changed nothing, options that would have no
effect are refused, 可执行 lists only steps that will be taken, no step is dated after today."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from shujian.beijing import today_in_china
from shujian.cli.main import cli


def shujian(ws: Path, *args: str, user: str = "张检察官", code: int = 0):
    result = CliRunner().invoke(cli, ["-w", str(ws), "-u", user, *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


def init(root: Path, *options: str, code: int = 0):
    result = CliRunner().invoke(cli, ["init", str(root), *options], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


@pytest.fixture
def ws(tmp_path: Path, fixture_csvs) -> Path:
    root = tmp_path / "ws"
    init(root, "--county", "青岚县", "--procuratorate", "青岚县人民检察院")
    for dataset, path in fixture_csvs("campus.internet_cafe", tmp_path).items():
        shujian(root, "import", dataset, str(path), "--agency", "青岚县教育局")
    shujian(root, "run", "campus.internet_cafe", "--as-of", "2026-06-01")
    return root


def lead_ids(ws: Path) -> list[str]:
    return re.findall(r"^\s+(\d+)\s+待研判", shujian(ws, "leads", "list").output, re.M)


def close_first_cafe(ws: Path, tmp_path: Path, fixture_csvs) -> None:
    """The agency sends its venue list again: the first 网吧 has closed (注销)."""
    path = fixture_csvs("campus.internet_cafe", tmp_path / "again")["venues"]
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows[0]["经营状态"] = "注销"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    shujian(ws, "import", "venues", str(path), "--agency", "青岚县文化旅游局")


def test_a_lead_no_longer_found_is_marked_counted_and_accepted_only_when_confirmed(
    ws: Path, tmp_path: Path, fixture_csvs
) -> None:
    (tmp_path / "again").mkdir()
    close_first_cafe(ws, tmp_path, fixture_csvs)
    run = shujian(ws, "run", "campus.internet_cafe", "--as-of", "2026-06-01").output
    assert "不再命中" in run.splitlines()[1]
    assert "其中 1 条线索本次运行不再命中" in run

    listed = shujian(ws, "leads", "list").output
    (stale,) = re.findall(r"^\s+(\d+)\s+待研判（不再命中）", listed, re.M)
    assert "共 2 条。" in listed and "其中 1 条不再命中" in listed
    assert "状态：待研判（不再命中）" in shujian(ws, "leads", "show", stale).output
    assert "不再命中" in shujian(ws, "models", "stats").output.splitlines()[0]

    accept = ("leads", "accept", stale, "--department", "公益诉讼检察部",
              "--prosecutor", "张检察官", "--reason", "网吧距学校不足200米", "--on", "2026-06-02")  # fmt: skip
    refused = shujian(ws, *accept, code=2).output
    assert f"线索 {stale} 不再命中" in refused and "--confirm-stale" in refused
    assert "已立案" in shujian(ws, *accept, "--confirm-stale").output
    case = re.search(r"^承办：案件 (\d+)", shujian(ws, "leads", "show", stale).output, re.M)
    shown = shujian(ws, "cases", "show", case.group(1)).output
    assert f"经确认成案的不再命中线索：{stale}" in shown


def test_a_model_over_empty_datasets_says_no_data_not_zero(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    init(root)
    out = shujian(root, "run", "campus.internet_cafe", "--as-of", "2026-06-01").output
    line = next(x for x in out.splitlines() if x.startswith("campus.internet_cafe"))
    assert "无数据" in line
    assert "学校（幼儿园）名录（schools）" in out and "经营场所（venues）" in out
    stats = shujian(root, "models", "stats").output
    assert "无数据" in stats and "经营场所（venues）" in stats


def test_a_model_with_data_names_no_empty_dataset(ws: Path) -> None:
    assert "无数据" not in shujian(ws, "models", "stats").output


def test_init_on_an_existing_workspace_says_so_and_refuses_options_it_would_ignore(
    tmp_path: Path,
) -> None:
    root = tmp_path / "ws"
    assert "已创建工作区" in init(root, "--county", "青岚县").output
    config = (root / "shujian.toml").read_text(encoding="utf-8")

    again = init(root, "--county", "青岚县").output
    assert "工作区已存在" in again and "已创建" not in again
    assert "工作区已存在" in init(root).output

    refused = init(root, "--county", "红岩县", "--abbreviation", "红", code=2).output
    assert "县（--county）：配置文件中为“青岚县”，命令中为“红岩县”" in refused
    assert "院简称（--abbreviation）：配置文件中为“（空）”，命令中为“红”" in refused
    assert (root / "shujian.toml").read_text(encoding="utf-8") == config


def test_accepting_into_an_existing_case_refuses_options_only_a_new_case_takes(ws: Path) -> None:
    first, second = lead_ids(ws)
    out = shujian(ws, "leads", "accept", first, "--department", "公益诉讼检察部",
                  "--prosecutor", "张检察官", "--reason", "网吧距学校不足200米",
                  "--on", "2026-06-02").output  # fmt: skip
    case = re.search(r"案件 (\d+)", out).group(1)
    refused = shujian(ws, "leads", "accept", second, "--case", case, "--department", "刑事检察部",
                      "--prosecutor", "李检察官", "--reason", "同一单位", code=2).output  # fmt: skip
    assert "--department、--prosecutor" in refused
    assert re.search(rf"^\s+{second}\s+待研判", shujian(ws, "leads", "list").output, re.M)
    shujian(ws, "leads", "accept", second, "--case", case, "--reason", "同一单位")


def walk_to_reply(ws: Path, reply_result: str) -> str:
    first = lead_ids(ws)[0]
    out = shujian(ws, "leads", "accept", first, "--department", "公益诉讼检察部",
                  "--prosecutor", "张检察官", "--reason", "网吧距学校不足200米",
                  "--on", "2026-03-02").output  # fmt: skip
    case = re.search(r"案件 (\d+)", out).group(1)
    shujian(ws, "cases", "act", case, "investigate", "--on", "2026-03-03")
    shujian(ws, "cases", "recommend", case, "--recipient", "青岚县文化广电旅游局",
            "--category", "公益诉讼", "--on", "2026-03-20",
            "--number", "青检行公建〔2026〕1号")  # fmt: skip
    shujian(ws, "cases", "act", case, "serve", "--on", "2026-03-21", "--set", "送达方式=书面送达")
    shujian(ws, "cases", "act", case, "await_reply", "--on", "2026-03-21")
    shujian(ws, "cases", "act", case, "record_reply", "--on", "2026-04-10",
            "--set", f"回复结果={reply_result}")  # fmt: skip
    return case


def test_case_page_offers_objection_steps_only_after_an_objection(ws: Path) -> None:
    case = walk_to_reply(ws, "采纳")
    offered = next(x for x in shujian(ws, "cases", "show", case).output.splitlines()
                   if x.startswith("可执行："))  # fmt: skip
    assert "follow_up" in offered and "objection" not in offered
    refused = shujian(ws, "cases", "act", case, "fly", code=2).output
    assert "follow_up" in refused and "objection" not in refused


def test_case_page_offers_objection_steps_after_an_objection(ws: Path) -> None:
    case = walk_to_reply(ws, "提出异议")
    offered = next(x for x in shujian(ws, "cases", "show", case).output.splitlines()
                   if x.startswith("可执行："))  # fmt: skip
    assert "uphold_objection" in offered and "reject_objection" in offered
    shujian(ws, "cases", "act", case, "reject_objection", "--reason", "异议理由不成立",
            "--on", "2026-04-12")  # fmt: skip


def test_a_step_dated_after_today_is_refused_with_what_to_type(ws: Path) -> None:
    first, second = lead_ids(ws)
    tomorrow = (today_in_china() + dt.timedelta(days=1)).isoformat()
    out = shujian(ws, "leads", "accept", first, "--department", "公益诉讼检察部",
                  "--prosecutor", "张检察官", "--reason", "网吧距学校不足200米",
                  "--on", "2026-06-02").output  # fmt: skip
    case = re.search(r"案件 (\d+)", out).group(1)
    refused = shujian(ws, "cases", "act", case, "investigate", "--on", tomorrow, code=2).output
    assert f"日期 {tomorrow} 晚于今天" in refused and "--on YYYY-MM-DD" in refused
    refused = shujian(ws, "leads", "accept", second, "--department", "公益诉讼检察部",
                      "--prosecutor", "张检察官", "--reason", "网吧距学校不足200米",
                      "--on", tomorrow, code=2).output  # fmt: skip
    assert f"立案日期 {tomorrow} 晚于今天" in refused
    shujian(ws, "cases", "act", case, "investigate")  # today, by default
