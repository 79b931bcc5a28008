"""The triage, case, statistics and audit commands, driven as a prosecutor and an administrator
would from a shell: every step through `shujian`, nothing through Python."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from helpers import NOTICE_2027
from shujian.cli.main import cli


def shujian(ws: Path, *args: str, user: str = "张检察官", code: int = 0):
    result = CliRunner().invoke(cli, ["-w", str(ws), "-u", user, *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


@pytest.fixture
def ws(tmp_path: Path, fixture_csvs) -> Path:
    root = tmp_path / "ws"
    init = ["init", str(root), "--county", "青岚县", "--procuratorate", "青岚县人民检察院"]
    assert CliRunner().invoke(cli, init).exit_code == 0
    for dataset, path in fixture_csvs("campus.internet_cafe", tmp_path, "gb18030").items():
        shujian(root, "import", dataset, str(path), "--agency", "青岚县教育局")
    shujian(root, "run", "campus.internet_cafe", "--as-of", "2026-06-01")
    return root


ACCEPT_ON_5_DECEMBER = ["--department", "公益诉讼检察部", "--prosecutor", "张检察官",
                        "--reason", "网吧距学校不足200米", "--on", "2026-12-05"]  # fmt: skip


def _open_on_5_december(ws: Path) -> str:
    out = shujian(ws, "leads", "accept", lead_ids(ws)[0], *ACCEPT_ON_5_DECEMBER).output
    return re.search(r"案件 (\d+)", out).group(1)


def lead_ids(ws: Path) -> list[str]:
    out = shujian(ws, "leads", "list").output
    return re.findall(r"^\s+(\d+)\s+待研判", out, re.M)


def test_a_prosecutor_takes_a_lead_to_a_closed_case_from_the_shell(ws: Path, tmp_path: Path):
    first, second = lead_ids(ws)
    out = shujian(ws, "leads", "dispatch", f"{first}-{second}", "--department", "公益诉讼检察部",
                  "--prosecutor", "张检察官", user="李部长").output  # fmt: skip
    assert "已将 2 条线索分派给 公益诉讼检察部 张检察官" in out
    assert (
        "公益诉讼检察部/张检察官" in shujian(ws, "leads", "list", "--prosecutor", "张检察官").output
    )
    assert "其他（须填写具体说明）" in shujian(ws, "leads", "reasons").output
    refused = shujian(ws, "leads", "dismiss", second, "--reason", "其他", code=2)
    assert "必须填写具体说明" in refused.output
    shujian(ws, "leads", "dismiss", second, "--reason", "其他", "--note", "学校已迁址")
    out = shujian(ws, "leads", "accept", first, "--department", "公益诉讼检察部",
                  "--prosecutor", "张检察官", "--reason", "网吧距学校不足200米",
                  "--on", "2026-03-02").output  # fmt: skip
    case = re.search(r"案件 (\d+)", out).group(1)

    assert (
        f"承办：案件 {case}（公益诉讼检察部 / 张检察官）"
        in shujian(ws, "leads", "show", first).output
    )
    refused = shujian(ws, "cases", "act", case, "close", "--on", "2026-03-03", code=2)
    assert "当前状态为“已立案”" in refused.output and "investigate" in refused.output
    shujian(ws, "cases", "act", case, "investigate", "--on", "2026-03-03")
    out = shujian(ws, "cases", "recommend", case, "--recipient", "青岚县文化广电旅游局",
                  "--category", "公益诉讼", "--item", "依法查处该网吧。", "--on", "2026-03-20",
                  "--number", "青检行公建〔2026〕1号", "--pdf").output  # fmt: skip
    assert "青检行公建〔2026〕1号" in out and "收到本检察建议书之日起二个月内" in out
    docx = ws / "documents" / "2026" / "青检行公建〔2026〕1号.docx"
    assert "依法查处该网吧。" in "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert docx.with_suffix(".pdf").is_file()
    assert "未备案（2026-03-25 前）" in shujian(ws, "cases", "show", case).output
    out = shujian(ws, "cases", "file", "青检行公建〔2026〕1号", "--to", "六盘水市人民检察院公益诉讼检察部",
                  "--on", "2026-03-24").output  # fmt: skip
    assert "已备案（按期）" in out
    shujian(
        ws,
        "cases",
        "act",
        case,
        "送达检察建议书",
        "--set",
        "送达方式=宣告送达",
        "--on",
        "2026-03-23",
    )
    shujian(ws, "cases", "act", case, "await_reply", "--on", "2026-03-23")
    due = shujian(ws, "cases", "due", "--today", "2026-05-20", "--within", "7").output
    assert "张检察官：" in due and "书面回复期限 2026-05-25 届满" in due  # 05-23 is a Saturday
    assert "已超期 2 日" in shujian(ws, "cases", "overdue", "--today", "2026-05-27").output
    shujian(
        ws, "cases", "act", case, "record_reply", "--set", "回复结果=采纳", "--on", "2026-05-22"
    )
    shujian(ws, "cases", "act", case, "follow_up", "--on", "2026-06-22")
    shujian(
        ws, "cases", "outcome", case, "fines_imposed", "--amount", "1.5万元", "--on", "2026-06-22"
    )
    refused = shujian(ws, "cases", "outcome", case, "wages_paid", code=2)
    assert "必须填写金额" in refused.output
    shujian(
        ws, "cases", "act", case, "confirm_rectified", "--reason", "已关停", "--on", "2026-06-25"
    )
    shujian(ws, "cases", "act", case, "close", "--reason", "整改到位", "--on", "2026-06-26",
            user="李部长")  # fmt: skip
    show = shujian(ws, "cases", "show", case).output
    assert "结案" in show and "青检行公建〔2026〕1号" in show and "行政罚款 15000.00元" in show

    out = shujian(ws, "stats", "--by", "month").output
    assert out.splitlines()[0].startswith("月份\t线索数\t已研判\t成案\t不成案\t成案率")
    book = tmp_path / "统计.xlsx"
    shujian(ws, "stats", "--by", "prosecutor", "-o", str(book))
    sheet = openpyxl.load_workbook(book).active
    rows = {r[0].value: [c.value for c in r] for r in sheet.iter_rows(min_row=2)}
    assert rows["张检察官"][1:6] == [2, 2, 1, 1, 0.5]  # leads, triaged, 成案, 不成案, 成案率

    log = shujian(ws, "audit", "log", "--object", "case", "--id", case, user="管理员").output
    assert "制发检察建议书" in log and "李部长" in log
    assert "审计日志完整" in shujian(ws, "audit", "verify", user="管理员").output


def test_audit_verify_fails_on_an_edited_entry(ws: Path):
    import sqlite3

    con = sqlite3.connect(ws / "case_store.sqlite")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("UPDATE audit_log SET detail = '{}' WHERE seq = 1")
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("UPDATE audit_log SET detail = '{}' WHERE seq = 1")
    con.commit()
    con.close()
    result = shujian(ws, "audit", "verify", user="管理员", code=1)
    assert "第 1 条记录的内容与其哈希值不符" in result.output


def test_a_document_that_could_not_be_rendered_is_shown_and_rendered_again(ws: Path):
    first, _ = lead_ids(ws)
    out = shujian(ws, "leads", "accept", first, "--department", "公益诉讼检察部",
                  "--prosecutor", "张检察官", "--reason", "成案", "--on", "2026-03-02").output  # fmt: skip
    case = re.search(r"案件 (\d+)", out).group(1)
    shujian(ws, "cases", "act", case, "investigate", "--on", "2026-03-03")
    refused = shujian(ws, "cases", "act", case, "draft_recommendation", "--set", "被建议单位=某局",
                      "--on", "2026-03-04", code=2)  # fmt: skip
    assert "须同时制发并编号检察建议书" in refused.output
    assert "命令行：shujian cases recommend" in refused.output  # the hint is the command line's
    (ws / "documents").mkdir(exist_ok=True)
    (ws / "documents" / "2026").write_text("", encoding="utf-8")  # the year's folder cannot be made
    failed = shujian(ws, "cases", "recommend", case, "--recipient", "某局", "--category", "公益诉讼",
                     "--on", "2026-03-04", "--number", "青检行公建〔2026〕1号", code=2)  # fmt: skip
    assert "青检行公建〔2026〕1号 已制发并编号，但文书未能生成" in failed.output
    assert "命令行：shujian cases render 青检行公建〔2026〕1号" in failed.output
    show = shujian(ws, "cases", "show", case).output
    assert "制发检察建议" in show and "文书未生成：" in show
    (ws / "documents" / "2026").unlink()
    out = shujian(ws, "cases", "render", "青检行公建〔2026〕1号").output
    assert "已生成" in out
    assert (ws / "documents" / "2026" / "青检行公建〔2026〕1号.docx").is_file()
    show = shujian(ws, "cases", "show", case).output
    assert "文书未生成" not in show and "documents/2026/青检行公建〔2026〕1号.docx" in show
    again = shujian(ws, "cases", "render", "青检行公建〔2026〕1号", code=2)
    assert "的文书已生成" in again.output


def test_a_case_opened_in_december_counts_by_its_own_workspace_s_2027(
    tmp_path: Path, fixture_csvs
) -> None:
    """Two procuratorates in one process: the one that added 2027 from the notice opens its case
    on 2026-12-05 with a deadline counted by that year; the other, which added nothing, opens its
    case too, with the deadline counted on provisional 2027 days and marked 暂定 — it is not
    handed the first one's holidays."""
    roots = []
    for name in ("a", "b"):
        root = tmp_path / name
        assert CliRunner().invoke(cli, ["init", str(root), "--county", "青岚县"]).exit_code == 0
        folder = tmp_path / f"files-{name}"
        folder.mkdir()
        for dataset, path in fixture_csvs("campus.internet_cafe", folder).items():
            shujian(root, "import", dataset, str(path))
        shujian(root, "run", "campus.internet_cafe", "--as-of", "2026-06-01")
        roots.append(root)
    added, bare = roots
    config = added / "shujian.toml"
    config.write_text(config.read_text(encoding="utf-8") + NOTICE_2027, encoding="utf-8")
    # 2026-12-05 + 2 months = 2027-02-05 (除夕); the notice gives 02-05..02-12 off and the
    # weekend after → Monday 02-15. Provisionally only 除夕..初三 (02-05..02-08) are off → 02-09.
    added_case = _open_on_5_december(added)
    bare_case = _open_on_5_december(bare)
    show = shujian(added, "cases", "show", added_case).output
    assert "调查核实期限：2027-02-15 届满\n" in show and "暂定" not in show
    show = shujian(bare, "cases", "show", bare_case).output
    assert "调查核实期限：2027-02-09 届满（暂定：2027年节假日安排未公布，按法定节假日推算）" in show


def test_a_provisional_deadline_is_marked_everywhere_and_moved_when_the_notice_is_added(
    ws: Path,
) -> None:
    """Opened on 2026-12-05, the 2-month investigation deadline is counted on provisional 2027
    days (02-09) and marked 暂定 in every list; once the notice is added every list says the
    deadline should be recomputed, `cases deadlines` shows the move and `--recompute` makes it,
    as a step of the case and an audit entry."""
    case = _open_on_5_december(ws)
    assert re.search(rf"^\s+{case}\s.*2027-02-09 暂定$", shujian(ws, "cases", "list").output, re.M)
    due = shujian(ws, "cases", "due", "--today", "2027-02-03", "--within", "7").output
    assert "调查核实期限 2027-02-09 暂定 届满（还有 6 日）" in due
    overdue = shujian(ws, "cases", "overdue", "--today", "2027-02-10").output
    assert "调查核实期限 2027-02-09 暂定 届满，已超期 1 日" in overdue
    listing = shujian(ws, "cases", "deadlines").output
    assert f"案件 {case}  调查核实期限  2027-02-09 届满（暂定：2027年" in listing
    assert "应重新计算" not in listing

    config = ws / "shujian.toml"
    config.write_text(config.read_text(encoding="utf-8") + NOTICE_2027, encoding="utf-8")
    due = shujian(ws, "cases", "due", "--today", "2027-02-03", "--within", "7").output
    assert "2027-02-09 届满" in due and "暂定" not in due.split("注意")[0]
    assert "注意：1 个进行中的期限按现行节假日日历应为其他日期" in due
    assert "shujian cases deadlines --recompute" in due
    assert "注意：1 个" in shujian(ws, "cases", "list").output
    show = shujian(ws, "cases", "show", case).output
    assert "注意：调查核实期限按现行节假日日历应为 2027-02-15（原按 2027-02-09 计算）" in show
    assert (
        f"案件 {case}  调查核实期限  2027-02-09 → 2027-02-15"
        in shujian(ws, "cases", "deadlines").output
    )

    out = shujian(ws, "cases", "deadlines", "--recompute").output
    assert "已按现行节假日日历重新计算 1 个期限：" in out
    assert f"  案件 {case}  调查核实期限  2027-02-09 → 2027-02-15" in out
    show = shujian(ws, "cases", "show", case).output
    assert "调查核实期限：2027-02-15 届满\n" in show and "注意" not in show
    assert "重新计算期限" in show and "原届满日：2027-02-09，现届满日：2027-02-15" in show
    assert "没有需要重新计算的期限。" in shujian(ws, "cases", "deadlines", "--recompute").output
    log = shujian(ws, "audit", "log", "--object", "case", "--id", case, user="管理员").output
    assert "重新计算期限" in log
    due = shujian(ws, "cases", "due", "--today", "2027-02-10", "--within", "7").output
    assert "调查核实期限 2027-02-15 届满（还有 5 日）" in due and "注意" not in due


def test_a_draft_is_read_before_issue_and_takes_no_number(ws: Path, tmp_path: Path):
    case = _open_on_5_december(ws)
    out = tmp_path / "草稿.docx"
    shown = shujian(ws, "cases", "draft", case, "--recipient", "青岚县文化广电旅游局",
                    "-o", str(out), "--on", "2026-12-20").output  # fmt: skip
    assert "文号待编，未制发" in shown
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "（文号待编）" in text and "经查，" in text and "本院认为，" in text
    # the kind follows the model: a campus model is 公益诉讼 or 未检, never 行政
    refused = shujian(ws, "cases", "draft", case, "--recipient", "某局", "--category", "行政",
                      "-o", str(out), code=2).output  # fmt: skip
    assert "不支持“行政”类检察建议：可选 公益诉讼、未检" in refused
    assert "立案" in shujian(ws, "cases", "show", case).output  # the case did not move


def test_a_lead_s_history_is_shown_in_beijing_time(ws: Path) -> None:
    """The store keeps UTC; the prosecutor reads Beijing time on the command line as on the
    web pages (the history printed UTC, eight hours early, until 2026-12-07)."""
    import sqlite3

    from shujian.beijing import shown

    first = lead_ids(ws)[0]
    with sqlite3.connect(ws / "case_store.sqlite") as db:
        (at,) = db.execute("SELECT at FROM lead_events WHERE lead_id = ?", (first,)).fetchone()
    stored = dt.datetime.fromisoformat(at)  # naive UTC, as SQLite keeps it
    out = shujian(ws, "leads", "show", first).output
    beijing = shown(stored)
    assert beijing == (stored + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    assert f"  {beijing}  模型发现" in out
    assert stored.strftime("%Y-%m-%d %H:%M") not in out
