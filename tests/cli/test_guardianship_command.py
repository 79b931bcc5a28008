"""`shujian minors order …`, `minors reprimand`, `minors guidance` on the 督办 county (imported
through the real importer), run through the real entry point: an order issued (numbered from the
order's own series), re-printed byte for byte, followed up — once on time, once late, once never —
listed overdue, a 未改善 visit answered by a 训诫, a guidance session recorded, and the statistics
counting them; the helping unit's account and a prosecutor of another department refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner, Result

from juvenile.supervision_county import Minor, build
from shujian.cli.main import cli
from shujian.juvenile.service import Register
from shujian.users.accounts import add_user
from shujian.users.departments import departments_of
from shujian.users.user import User
from shujian.workspace import Workspace, init_workspace, open_workspace

D = dt.date


def shujian(ws: Path, *args: str, user: str = "张检察官", code: int = 0) -> Result:
    result = CliRunner().invoke(cli, ["-w", str(ws), "-u", user, *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


def configure(ws: Workspace, numbering: str = "counter") -> Workspace:
    """青岚县人民检察院 (abbreviation 青), orders numbered as `numbering` says."""
    path = ws.root / "shujian.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('county = ""', 'county = "青岚县"', 1)
    text = text.replace('procuratorate = ""', 'procuratorate = "青岚县人民检察院"', 1)
    text = text.replace('abbreviation = ""', 'abbreviation = "青"', 1)
    text += f'\n[juvenile]\norder_numbering = "{numbering}"\n'
    path.write_text(text, encoding="utf-8")
    return open_workspace(ws.root)


@pytest.fixture
def county(tmp_path: Path) -> tuple[Workspace, dict[str, Minor]]:
    ws = init_workspace(tmp_path / "ws")
    admin = User("管理员", ws.region.procuratorate_name, None, frozenset({"admin"}))
    add_user(ws.store, admin, "管理员", None, ["admin"], departments_of(ws))
    add_user(ws.store, admin, "张检察官", "未成年人检察部", ["prosecutor"], departments_of(ws))
    add_user(ws.store, admin, "公益检察官", "公益诉讼检察部", ["prosecutor"], departments_of(ws))
    add_user(ws.store, admin, "刘帮扶", None, ["helper"], departments_of(ws), unit="县妇联")
    minors = build(ws, tmp_path / "files")
    return configure(ws), minors


def ref(ws: Workspace, number: str) -> str:
    return Register(ws).ref(number)


def issue(ws: Workspace, minor: str, on: str, *extra: str, code: int = 0) -> Result:
    return shujian(
        ws.root, "minors", "order", "issue", minor, "--guardian", "安大山", "--relation", "父亲",
        "--fact", "长期在外务工，对孩子疏于管教，未及时发现其多次夜不归宿。",
        "--item", "每周与孩子沟通不少于两次，了解其学习、生活和交友情况。",
        "--item", "不得让孩子脱离监护单独居住。",
        "--basis", "家庭教育促进法第四十九条", "--basis", "61",
        "--guidance", "自收到本令之日起三个月内参加家庭教育指导不少于四次。",
        "--on", on, *extra, code=code,
    )  # fmt: skip


def test_an_order_from_issue_to_statistics(county, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws, m = county
    a2 = ref(ws, m["A2"].number)
    # 2025-12-31: a month later is Saturday 2026-01-31, moved to Monday 2026-02-02.
    first = issue(ws, a2, "2025-12-31").output
    assert "已制发督促监护令 青检未督监〔2025〕1号" in first
    assert "第1次回访（第1个月）：2026-02-02（顺延）" in first
    assert "第2次回访（第3个月）：2026-03-31" in first
    assert "第3次回访（第6个月）：2026-06-30" in first
    assert m["A2"].number not in first
    # The next order of 2026 starts the 2026 series at 1.
    second = issue(ws, ref(ws, m["B2"].number), "2026-08-30").output
    assert "青检未督监〔2026〕1号" in second
    assert "第3次回访（第6个月）：2027-03-01（顺延）（暂定）" in second

    number = "青检未督监〔2025〕1号"
    archive = ws.root / "documents" / "2025" / f"{number}.docx"
    out = tmp_path / "printed.docx"
    printed = shujian(ws.root, "minors", "order", "document", number, "-o", str(out), "--pdf")
    assert out.read_bytes() == archive.read_bytes()
    pdf = out.with_suffix(".pdf")
    assert f"已另存：{pdf}" in printed.output and pdf.read_bytes().startswith(b"%PDF")
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "安大山：" in text and "安二" in text and m["A2"].number not in text

    said = shujian(ws.root, "minors", "order", "followup", number, "--on", "2026-02-02",
                   "--outcome", "有所改善", "--note", "父亲已每周通话").output  # fmt: skip
    assert "第1次回访（应于 2026-02-02，2026-02-02 按期回访）：有所改善" in said
    late = shujian(ws.root, "minors", "order", "followup", number, "--on", "2026-04-03",
                   "--outcome", "未改善", "--note", "仍多次夜不归宿").output  # fmt: skip
    assert "第2次回访（应于 2026-03-31，2026-04-03 逾期回访）：未改善" in late
    assert "训诫" in late
    refused = shujian(ws.root, "minors", "order", "followup", number, "--on", "2026-04-03",
                      "--outcome", "未改善", code=2)  # fmt: skip
    assert "回访情况" in refused.output

    listed = shujian(ws.root, "minors", "order", "list").output
    assert listed.index(number) < listed.index("青检未督监〔2026〕1号")
    assert "未改善待处理" in listed

    overdue = shujian(ws.root, "minors", "order", "overdue", "--today", "2026-12-06").output
    assert "逾期未回访 3 次" in overdue
    assert "青检未督监〔2026〕1号 第1次回访 应于 2026-09-30，逾期 67 日" in overdue
    assert f"{number} 第3次回访 应于 2026-06-30，逾期 159 日" in overdue
    assert "青检未督监〔2026〕1号 第2次回访 应于 2026-11-30，逾期 6 日" in overdue
    assert overdue.index(number) < overdue.index("青检未督监〔2026〕1号")
    assert m["A2"].number not in overdue and m["B2"].number not in overdue

    shujian(ws.root, "minors", "reprimand", a2, "--guardian", "安大山", "--relation", "父亲",
            "--ground", "61", "--text", "责令其依法履行监护职责", "--on", "2026-04-07",
            "--order", number)  # fmt: skip
    shujian(ws.root, "minors", "guidance", a2, "--guardian", "安大山", "--guardian", "李小红",
            "--on", "2026-04-10", "--form", "线上", "--content", "亲子沟通", "--order", number)  # fmt: skip
    shown = shujian(ws.root, "minors", "order", "show", number).output
    assert "有逾期未回访" in shown  # the 训诫 answered the 未改善; the third visit is overdue
    assert "训诫：2026-04-07 父亲安大山（《中华人民共和国预防未成年人犯罪法》第六十一条）" in shown
    assert "家庭教育指导：2026-04-10 线上 安大山、李小红：亲子沟通" in shown

    stats = shujian(ws.root, "minors", "stats", "--by", "town", "--since", "2025-12-01",
                    "--until", "2026-12-06").output  # fmt: skip
    header = stats.splitlines()[1].split("\t")
    total = next(line for line in stats.splitlines() if line.startswith("合计")).split("\t")
    row = dict(zip(header, total, strict=True))
    assert row["督促监护令制发数"] == "2"
    assert row["督促监护令按期回访数"] == "1"  # the first visit; the second was late
    assert row["家庭教育指导人次"] == "1"  # two guardians of one minor on one day: one 人次


def test_the_helper_and_another_department_see_nothing(county) -> None:  # type: ignore[no-untyped-def]
    ws, m = county
    issue(ws, ref(ws, m["A1"].number), "2026-11-02")
    for who in ("刘帮扶", "公益检察官"):
        assert shujian(ws.root, "minors", "order", "list", user=who, code=2).output
        out = shujian(ws.root, "minors", "order", "show", "青检未督监〔2026〕1号", user=who, code=2)
        assert "安大山" not in out.output
    helper_stats = shujian(ws.root, "minors", "stats", "--since", "2026-01-01", user="刘帮扶")
    assert "督促监护令制发数" not in helper_stats.output.splitlines()[1]


def test_entered_numbers_are_checked_and_unique(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    admin = User("管理员", "", None, frozenset({"admin"}))
    add_user(ws.store, admin, "管理员", None, ["admin"], departments_of(ws))
    add_user(ws.store, admin, "张检察官", "未成年人检察部", ["prosecutor"], departments_of(ws))
    m = build(ws, tmp_path / "files")
    ws = configure(ws, "entered")
    a1 = ref(ws, m["A1"].number)
    assert "须填写文号" in issue(ws, a1, "2026-11-02", code=2).output
    bad = issue(ws, a1, "2026-11-02", "--number", "青检未督监〔2025〕7号", code=2).output
    assert "年份 2025 与制发日期的年份 2026 不一致" in bad
    ok = issue(ws, a1, "2026-11-02", "--number", "青检未督监[2026] 7号").output
    assert "已制发督促监护令 青检未督监〔2026〕7号" in ok
    again = issue(ws, a1, "2026-11-03", "--number", "青检未督监（2026）7号", code=2).output
    assert "已被本院另一份督促监护令使用" in again
