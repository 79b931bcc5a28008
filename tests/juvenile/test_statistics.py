"""The juvenile statistics read from a real workspace (files imported through the importer,
warnings found by the real models and triaged through the real services): each figure by
category, town and month against a hand count; the same answers as the register's own counts
and due lists; a helper's and a lead scope's view; the audit; the workbook read back; the CLI."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select

from juvenile.people import id_card, send
from shujian import audit
from shujian.beijing import today_in_china
from shujian.cli.main import cli
from shujian.errors import UserError
from shujian.juvenile import service, statistics
from shujian.juvenile.counting import TOTAL, UNREGISTERED
from shujian.juvenile.register import Month
from shujian.juvenile.service import Register
from shujian.leads.store import leads
from shujian.leads.triage import dismiss, dispatch
from shujian.models.runner import run_models
from shujian.models.spec import load_library
from shujian.users.user import User
from shujian.workspace import Workspace, init_workspace, open_workspace

D = dt.date
P = "青岚县人民检察院"
JUV = "未成年人检察部"
TODAY = D(2026, 5, 20)

A = id_card(D(2010, 3, 15))  # serious_misconduct since 2025, single_parent from 2026-02-10
B = id_card(D(2012, 1, 1))  # care_gap; its assignment ended 2026-03-31
C = id_card(D(2008, 4, 30))  # serious_misconduct, no school: 18 on 2026-05-01
W = id_card(D(2011, 7, 7))  # misconduct, withdrawn 2026-03-15
N = id_card(D(2013, 2, 2))  # corrections from 2026-04-08
U = id_card(D(2011, 5, 5))  # never on the register: a conduct record, a dropout


def person(*roles: str, department: str | None = JUV, unit: str | None = None) -> User:
    return User(f"某{'、'.join(roles)}", P, department, frozenset(roles), unit=unit)


PROSECUTOR = person("prosecutor")
CHIEF = person("chief", department=None)
HELPER = person("helper", department=None, unit="县妇联")


def minor(
    name: str, number: str, category: str, identified: str, town: str, **more: Any
) -> dict[str, Any]:
    return {"姓名": name, "公民身份号码": number, "类别": category, "认定日期": identified,
            "所属乡镇（街道）": town, **more}  # fmt: skip


def visit(
    number: str, day: str, target: str, measures: str = "", visitor: str = "王五"
) -> dict[str, Any]:
    return {"公民身份号码": number, "走访日期": day, "走访对象": target, "走访人": visitor,
            "帮扶措施": measures}  # fmt: skip


def conduct(number: str, day: str, kind: str, act: str, measures: str) -> dict[str, Any]:
    return {"姓名": "某", "公民身份号码": number, "行为日期": day, "行为类别": kind, "行为": act,
            "处置措施": measures, "处置单位": "城关派出所"}  # fmt: skip


def dropout(number: str, left: str, returned: str = "") -> dict[str, Any]:
    return {"姓名": "某", "公民身份号码": number, "学校": "青岚二中", "学段": "初中",
            "离校日期": left, "劝返日期": returned}  # fmt: skip


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workspace with its files imported, made once for the module."""
    tmp_path = tmp_path_factory.mktemp("stats")
    ws = init_workspace(tmp_path / "ws")
    files = tmp_path / "files"
    send(ws, "key_minors", [
        minor("甲", A, "严重不良行为", "2025-02-01", "城关镇", 就读学校="青岚一中"),
        minor("甲", A, "单亲", "2026-02-10", "城关镇"),
        minor("乙", B, "留守儿童", "2025-01-10", "龙场乡"),
        minor("丙", C, "严重不良行为", "2025-01-10", "城关镇"),
        minor("丁", W, "不良行为", "2025-01-10", "城关镇"),
        minor("戊", N, "社区矫正", "2026-04-08", "龙场乡"),
    ], files)  # fmt: skip
    send(ws, "key_minors", [
        minor("丁", W, "不良行为", "2025-01-10", "城关镇", 退出日期="2026-03-15", 退出原因="迁出"),
    ], files)  # fmt: skip
    send(ws, "minor_assignments", [
        {"公民身份号码": A, "包保单位": "县妇联", "包保责任人": "王五", "开始日期": "2025-01-01"},
        {"公民身份号码": B, "包保单位": "县妇联", "包保责任人": "赵六", "开始日期": "2025-01-01",
         "结束日期": "2026-03-31"},
        {"公民身份号码": C, "包保单位": "县团委", "包保责任人": "钱七", "开始日期": "2025-01-01"},
        {"公民身份号码": N, "包保单位": "县团委", "包保责任人": "钱七", "开始日期": "2026-04-10"},
    ], files, agency="护苗办")  # fmt: skip
    send(ws, "minor_visits", [
        visit(A, "2026-01-10", "本人、家长、老师、村委会", "心理疏导"),
        visit(A, "2026-02-05", "本人", "家庭教育指导"),
        visit(A, "2026-02-05", "家庭", "家庭教育指导", visitor="赵六"),  # same day: one 人次
        visit(A, "2026-03-03", "本人、家庭、学校、社区", "劝返回校、经济救助"),
        visit(A, "2026-05-06", "本人、家庭、学校、社区", "矫治教育、帮助就业"),
        visit(A, "2025-12-20", "本人、家庭、学校、社区", "心理辅导"),  # before the period
        visit(C, "2026-01-20", "本人、家庭、社区", "送专门学校"),
        visit(B, "2026-03-10", "本人", "心理辅导"),
        visit(W, "2026-04-01", "本人", "心理辅导"),  # after the withdrawal: 未在册
    ], files)  # fmt: skip
    send(ws, "minor_conduct", [
        conduct(C, "2026-01-15", "严重不良行为", "盗窃", "送专门学校"),
        conduct(U, "2026-02-01", "严重不良行为", "寻衅滋事", "训诫、责令具结悔过、送专门学校"),
        conduct(A, "2026-03-20", "不良行为", "夜不归宿", "训诫"),
        conduct(A, "2025-12-01", "不良行为", "逃学", "训诫"),  # before the period
    ], files)  # fmt: skip
    send(ws, "school_dropouts", [
        dropout(U, "2026-03-20"),
        dropout(B, "2026-02-20", "2026-03-12"),
        dropout(B, "2025-11-01", "2025-12-20"),  # returned before the period
    ], files)  # fmt: skip
    send(ws, "school_dropouts", [dropout(U, "2026-03-20", "2026-04-15")], files)  # 劝返 later
    ws.store.dispose()
    return ws.root


@pytest.fixture
def ws(made: Path, tmp_path: Path) -> Workspace:
    """A copy of it for each test (a test may run models, triage and audit)."""
    service.forget()
    return open_workspace(Path(shutil.copytree(made, tmp_path / "ws")))


def compute(
    ws: Workspace,
    user: User = PROSECUTOR,
    since: dt.date | None = None,
    until: dt.date | None = None,
    today: dt.date = TODAY,
) -> statistics.Statistics:
    register = Register(ws)
    return statistics.compute(register, register.with_grants(user, today), since, until, today)


def table(stats: statistics.Statistics, by: str, *figures: str) -> dict[str, tuple[Any, ...]]:
    return {r["key"]: tuple(r[f] for f in figures) for r in stats.tables[by]}


REGISTER = ("active", "identified", "withdrawn", "assigned", "assignment_rate")
VISITS = ("under_visits", "visits_due", "visits_done", "visit_rate", "visits")
MEASURES = ("counselling", "returned_to_school", "special_school", "employment", "relief",
            "corrective_measures", "family_education")  # fmt: skip


def test_the_register_figures_by_category(ws: Workspace) -> None:
    stats = compute(ws)
    assert (stats.period.since, stats.period.until) == (D(2026, 1, 1), TODAY)
    assert table(stats, "category", *REGISTER) == {
        "single_parent": (1, 1, 0, 1, 1.0),
        "care_gap": (1, 0, 0, 0, 0.0),
        "idle_after_school": (0, 0, 0, 0, None),
        "misconduct": (0, 0, 1, 0, None),
        "serious_misconduct": (1, 0, 0, 1, 1.0),  # 丙 is 18 since 2026-05-01
        "corrections": (1, 1, 0, 1, 1.0),
        UNREGISTERED: (0, 0, 0, 0, None),
        TOTAL: (3, 2, 1, 2, 0.6667),  # 甲 once
    }
    labels = [r["label"] for r in stats.tables["category"]]
    assert labels[0] == "单亲、离异家庭未成年人" and labels[-2:] == [UNREGISTERED, TOTAL]


def test_the_visits_by_category(ws: Workspace) -> None:
    stats = compute(ws)
    assert table(stats, "category", *VISITS) == {
        # 甲 is due January–May as serious_misconduct, February–May as single_parent too;
        # 丙 January–April; done: 甲 January, March, May; 丙 January (no school: no 学校 visit)
        "single_parent": (1, 4, 2, 0.5, 2),
        "care_gap": (0, 0, 0, None, 1),
        "idle_after_school": (0, 0, 0, None, 0),
        "misconduct": (0, 0, 0, None, 0),
        "serious_misconduct": (1, 9, 4, 0.4444, 5),
        "corrections": (0, 0, 0, None, 0),
        UNREGISTERED: (0, 0, 0, None, 1),  # 丁's visit after the withdrawal
        TOTAL: (1, 9, 4, 0.4444, 7),
    }


def test_the_measures_by_category(ws: Workspace) -> None:
    stats = compute(ws)
    assert table(stats, "category", *MEASURES) == {
        "single_parent": (0, 1, 0, 1, 1, 2, 0),
        "care_gap": (1, 1, 0, 0, 0, 0, 0),  # 乙's 劝返 from the dropouts' ledger
        "idle_after_school": (0, 0, 0, 0, 0, 0, 0),
        "misconduct": (0, 0, 0, 0, 0, 0, 0),
        # 丙 sent to a special school by a visit and by a conduct record: one minor
        "serious_misconduct": (1, 1, 1, 1, 1, 2, 1),
        "corrections": (0, 0, 0, 0, 0, 0, 0),
        # 无名's 训诫 and 具结悔过 (送专门学校 counted apart), its 劝返 (the newer ledger row)
        UNREGISTERED: (1, 1, 1, 0, 0, 2, 0),
        TOTAL: (3, 3, 2, 1, 1, 4, 1),
    }


def test_by_town_and_by_month(ws: Workspace) -> None:
    stats = compute(ws)
    assert table(stats, "town", "active", "visits_due", "visits", "corrective_measures") == {
        "城关镇": (1, 9, 5, 2),
        "龙场乡": (2, 0, 1, 0),
        UNREGISTERED: (0, 0, 1, 2),
        TOTAL: (3, 9, 7, 4),
    }
    by_month = table(stats, "month", "active", "assigned", "visits_due", "visits_done", "visits",
                     "withdrawn", "identified")  # fmt: skip
    assert by_month == {
        "2026-01": (4, 3, 2, 2, 2, 0, 0),
        "2026-02": (4, 3, 2, 0, 1, 0, 1),
        "2026-03": (3, 3, 2, 1, 2, 1, 0),  # 乙's assignment ended 03-31: still covers that day
        "2026-04": (4, 3, 2, 0, 1, 0, 1),  # 丙 is 18 on 05-01: still on the register 04-30
        "2026-05": (3, 2, 1, 1, 1, 0, 0),
        TOTAL: (3, 2, 9, 4, 7, 1, 2),
    }


def test_the_same_answers_as_the_registers_counts_and_due_lists(ws: Workspace) -> None:
    register = Register(ws)
    stats = compute(ws)
    counts = register.counts(PROSECUTOR, TODAY)
    total = stats.tables["category"][-1]
    assert total["active"] == counts.minors
    for row in stats.tables["category"][:-1]:
        assert row["active"] == counts.categories.get(row["key"], 0), row["key"]
    for row in stats.tables["month"][:-1]:
        due = register.due(PROSECUTOR, Month.parse(row["key"]), TODAY, everyone=True)
        assert (row["visits_due"], row["visits_done"]) == (due.due, due.done), row["key"]
    may = register.due(PROSECUTOR, Month.of(TODAY), TODAY, everyone=True)
    assert total["under_visits"] == may.due


def test_a_period_and_a_later_until(ws: Workspace) -> None:
    spring = compute(ws, since=D(2026, 3, 1), until=D(2026, 3, 31))
    assert [r["key"] for r in spring.tables["month"]] == ["2026-03", TOTAL]
    assert table(spring, "month", "active", "withdrawn", "visits", "visits_due") == {
        "2026-03": (3, 1, 2, 2),
        TOTAL: (3, 1, 2, 2),
    }
    later = compute(ws, since=D(2026, 5, 1), until=D(2026, 12, 31))
    assert later.period.until == TODAY and later.period.asked_until == D(2026, 12, 31)
    with pytest.raises(UserError, match="晚于截止日期"):
        compute(ws, since=D(2026, 5, 2), until=D(2026, 5, 1))


def test_kept_statistics_follow_a_new_file_and_a_new_grant(ws: Workspace, tmp_path: Path) -> None:
    first = compute(ws)
    assert compute(ws) is first  # kept: the same inputs
    send(ws, "minor_visits", [visit(B, "2026-05-08", "本人", "经济救助")], tmp_path / "more")
    again = compute(ws)
    assert again is not first
    assert table(again, "category", "visits", "relief")[TOTAL] == (8, 2)
    helper = compute(ws, HELPER)
    send(ws, "minor_assignments", [
        {"公民身份号码": B, "包保单位": "县妇联", "包保责任人": "赵六", "开始日期": "2026-05-01"},
    ], tmp_path / "more")  # fmt: skip
    widened = compute(ws, HELPER)
    assert table(helper, "category", "active")[TOTAL] == (1,)
    assert table(widened, "category", "active")[TOTAL] == (2,)


def test_a_helper_counts_its_units_minors_and_sees_no_warnings(ws: Workspace) -> None:
    stats = compute(ws, HELPER)
    assert stats.unit == "县妇联"
    # the warnings need view_leads; the procuratorate's own records (分级干预, 督促监护令,
    # 附条件不起诉) are not a helper's, nor are the sealed records and their requests
    hidden = {
        "warnings_issued",
        "warnings_handled",
        "early_intervention",
        "tiers_set",
        "guardianship_orders",
        "guardianship_follow_ups_on_time",
        "conditional_non_prosecution_on_probation",
        "conditional_non_prosecution_ended",
        "conditional_non_prosecution_revoked",
        "sealed_records",
        "sealing_requests_on_time",
    }
    assert {f.id for f in stats.hidden} == hidden
    assert not hidden & {f.id for f in stats.figures}
    assert table(stats, "category", "active", "visits_due", "visits", "counselling") == {
        "single_parent": (1, 4, 2, 0),
        "care_gap": (0, 0, 0, 0),  # 乙's assignment ended: not the unit's today
        "idle_after_school": (0, 0, 0, 0),
        "misconduct": (0, 0, 0, 0),
        "serious_misconduct": (1, 5, 4, 1),
        "corrections": (0, 0, 0, 0),
        TOTAL: (1, 5, 4, 1),
    }


def test_the_statistics_belong_to_the_juvenile_department(ws: Workspace) -> None:
    with pytest.raises(UserError) as refused:
        compute(ws, person("prosecutor", department="公益诉讼检察部"))
    assert refused.value.code == "forbidden"
    with pytest.raises(UserError, match="统计维度只能是"):
        statistics.view(Register(ws), PROSECUTOR, "prosecutor", None, None, TODAY)


# ---- warnings --------------------------------------------------------------------------------


def test_warnings_found_and_handled_count_where_their_minor_is(ws: Workspace) -> None:
    """The models run as of TODAY; their leads are found (created) today, the real day."""
    library = load_library()
    report = run_models(
        ws, library, ["juvenile.escalation", "juvenile.unassigned", "juvenile.visit_missing"], TODAY
    )
    assert report is not None
    with ws.store.connect() as conn:
        found = {s: i for i, s in conn.execute(select(leads.c.id, leads.c.subject))}
    # 无名 (serious conduct, not on the register); 乙 (no assignment since 04-01); 甲's February
    # and April, 丙's February to April (no visits)
    assert set(found) == {
        U, B, f"{A}/2026-02", f"{A}/2026-04", f"{C}/2026-02", f"{C}/2026-03", f"{C}/2026-04"
    }  # fmt: skip
    today = today_in_china()
    home = {"juvenile.escalation": JUV, "juvenile.unassigned": JUV, "juvenile.visit_missing": JUV}
    head = person("department_head")
    dismiss(ws.store, [found[B]], "已自行整改到位", head, home=home)
    dispatch(ws.store, [found[f"{C}/2026-02"]], "公益诉讼检察部", "某检察官", head, home=home)

    def warnings(user: User) -> dict[str, tuple[Any, ...]]:
        stats = compute(ws, user, since=today, until=today, today=today)
        return table(stats, "category", "warnings_issued", "warnings_handled")

    # on the day they were found, 甲 (16) is in two categories, 乙 in one, 丙 is an adult
    expected = {
        "single_parent": (2, 0),
        "care_gap": (1, 1),
        "idle_after_school": (0, 0),
        "misconduct": (0, 0),
        "serious_misconduct": (2, 0),
        "corrections": (0, 0),
        UNREGISTERED: (4, 0),
        TOTAL: (7, 1),
    }
    assert warnings(CHIEF) == expected
    # the juvenile prosecutor's lead scope: not the lead dispatched to another department
    assert warnings(PROSECUTOR)[UNREGISTERED] == (3, 0)
    assert warnings(PROSECUTOR)[TOTAL] == (6, 1)
    yesterday = compute(ws, CHIEF, since=TODAY, until=TODAY, today=TODAY)
    assert table(yesterday, "category", "warnings_issued")[TOTAL] == (0,)


# ---- audit, workbook, command line --------------------------------------------------------------


def test_a_view_and_an_export_are_audited_and_the_workbook_reads_back(
    ws: Workspace, tmp_path: Path
) -> None:
    register = Register(ws)
    shown = statistics.view(register, PROSECUTOR, "town", None, None, TODAY)
    path = tmp_path / "统计.xlsx"
    statistics.export(register, PROSECUTOR, "month", None, None, TODAY, path, "统计.xlsx")
    entries = [e for e in audit.query(ws.store, object_type="minor")][-2:]
    assert [e["action"] for e in entries] == ["stats", "export"]
    assert entries[0]["detail"]["by"] == "town" and entries[0]["detail"]["minors"] == 3
    assert entries[1]["detail"]["file"] == "统计.xlsx"
    assert entries[1]["detail"]["since"] == "2026-01-01"

    book = load_workbook(path)
    assert book.sheetnames == ["按月份", "按类别", "按乡镇（街道）", "说明"]
    for by, name in (("month", "按月份"), ("category", "按类别"), ("town", "按乡镇（街道）")):
        rows = [list(r) for r in book[name].iter_rows(values_only=True)]
        assert "2026-01-01 至 2026-05-20" in rows[1][0]
        header = rows[2]
        assert header[0] == {"month": "月份", "category": "类别", "town": "乡镇（街道）"}[by]
        assert header[1 : len(shown.figures) + 1] == [f.label for f in shown.figures]
        body = rows[3 : 3 + len(shown.tables[by])]
        for got, want in zip(body, shown.tables[by], strict=True):
            assert got[0] == want["label"]
            for f, value in zip(shown.figures, got[1:], strict=False):
                assert value == want[f.id], (by, want["key"], f.id)
        assert any("合计按人计" in str(r[0]) for r in rows)
    explained = [list(r) for r in book["说明"].iter_rows(values_only=True)]
    named = {r[0] for r in explained}
    assert {"在册人数", "矫治教育措施次数", "督促监护令制发数", "撤销附条件不起诉人数"} <= named
    # every figure is counted now: none is explained as waiting for its records
    assert not any(r[1] == "附条件不起诉记录" for r in explained)
    every_cell = " ".join(
        str(c) for s in book.worksheets for r in s.iter_rows(values_only=True) for c in r
    )
    assert all(n not in every_cell for n in (A, B, C, W, N, U))


def test_the_command_line_prints_and_exports(ws: Workspace, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["-w", str(ws.root), "-u", "某人"]
    # the command line counts up to today (the real day): these dates are all in the past
    printed = runner.invoke(
        cli,
        [
            *base,
            "minors",
            "stats",
            "--by",
            "town",
            "--since",
            "2026-01-01",
            "--until",
            "2026-05-20",
        ],
    )
    assert printed.exit_code == 0, printed.output
    lines = printed.output.splitlines()
    assert lines[1].split("\t")[:3] == ["乡镇（街道）", "在册人数", "新认定人数"]
    rows = {line.split("\t")[0]: line.split("\t") for line in lines[2:] if "\t" in line}
    assert rows["合计"][1] == "3" and rows["城关镇"][1] == "1" and rows["龙场乡"][1] == "2"
    assert "合计按人计" in printed.output and "尚未统计" not in printed.output
    assert "督促监护令制发数" in printed.output and "附条件不起诉考验期中人数" in printed.output

    out = tmp_path / "out.xlsx"
    exported = runner.invoke(cli, [*base, "minors", "stats", "--by", "category", "-o", str(out)])
    assert exported.exit_code == 0 and "已导出" in exported.output
    assert load_workbook(out).sheetnames[0] == "按类别"
    bad = runner.invoke(cli, [*base, "minors", "stats", "--since", "2026-13-01"])
    assert bad.exit_code != 0 and "起始日期应为 YYYY-MM-DD 格式" in bad.output
