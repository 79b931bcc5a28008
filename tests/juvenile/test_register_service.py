"""The register read from a real warehouse (files imported through the importer): counts, the
list and its filters and pages, a helper's minors, one minor's file with its warnings, and the
due and late lists — whose SQL must give what `register.py`'s rules give for the same rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from juvenile.people import id_card, send
from shujian import audit
from shujian.data.importer import ImportOptions, import_file
from shujian.data.warehouse import Warehouse
from shujian.errors import UserError
from shujian.juvenile import service
from shujian.juvenile.register import (
    Month,
    due_in_month,
    has_school,
    late_months,
    missing_targets,
    on_register,
    required_targets,
    school_required,
    shown_school,
    visited_targets,
)
from shujian.juvenile.service import Register
from shujian.leads.service import Finding, record_findings
from shujian.leads.store import runs
from shujian.models.runner import run_models
from shujian.models.spec import load_library
from shujian.store import now
from shujian.users.user import SYSTEM, User
from shujian.workspace import Workspace, init_workspace, open_workspace

D = dt.date
P = "青岚县人民检察院"
JUV = "未成年人检察部"
TODAY = D(2026, 5, 10)

A = id_card(D(2010, 3, 15))  # serious_misconduct and single_parent, assigned to 县妇联
B = id_card(D(2012, 1, 1))  # care_gap; 县妇联's assignment ended 2026-03-31
C = id_card(D(2008, 5, 10))  # serious_misconduct: 18th birthday on TODAY, 18 the day after
W = id_card(D(2011, 7, 7))  # withdrawn on 2026-04-30 by a later file
L = id_card(D(2013, 2, 2))  # registered after TODAY
F = id_card(D(2011, 9, 9))  # moved from 城关镇 to 龙场乡 by a later file; 县团委
GUARDIAN = id_card(D(1980, 1, 1))


def row(
    name: str, number: str, category: str, town: str, village: str, **more: Any
) -> dict[str, Any]:
    return {
        "姓名": name,
        "公民身份号码": number,
        "类别": category,
        "认定日期": more.pop("identified", "2025-01-10"),
        "所属乡镇（街道）": town,
        "村（社区）": village,
        **more,
    }


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    ws = init_workspace(tmp_path / "ws")
    files = tmp_path / "files"
    send(ws, "key_minors", [
        row("甲", A, "严重不良行为", "城关镇", "东街社区", 就读学校="青岚一中",
            监护人姓名="甲父", 监护人公民身份号码=GUARDIAN, identified="2025-02-01"),
        row("甲", A, "单亲", "城关镇", "东街社区", identified="2024-06-01"),
        row("乙", B, "留守儿童", "龙场乡", "龙场村"),
        row("丙", C, "严重不良行为", "城关镇", "西街社区"),
        row("丁", W, "不良行为", "城关镇", "东街社区"),
        row("戊", L, "困境儿童", "龙场乡", "龙场村", identified="2026-06-01"),
        row("己", F, "社区矫正", "城关镇", "东街社区"),
    ], files)  # fmt: skip
    send(ws, "key_minors", [
        row("丁", W, "不良行为", "城关镇", "东街社区", 退出日期="2026-04-30", 退出原因="迁出"),
        row("己", F, "社区矫正", "龙场乡", "龙场村"),
    ], files)  # fmt: skip
    send(ws, "minor_assignments", [
        {"公民身份号码": A, "包保单位": "县妇联", "包保责任人": "王五", "开始日期": "2025-01-01"},
        {"公民身份号码": B, "包保单位": "县妇联", "包保责任人": "赵六", "开始日期": "2025-01-01",
         "结束日期": "2026-03-31"},
        {"公民身份号码": F, "包保单位": "县团委", "包保责任人": "钱七", "开始日期": "2025-01-01"},
    ], files, agency="护苗办")  # fmt: skip
    send(ws, "minor_visits", [
        {"公民身份号码": A, "走访日期": "2026-05-03", "走访对象": "本人、家长", "走访人": "王五",
         "帮扶内容": "学业、法治", "帮扶措施": "心理疏导"},
        {"公民身份号码": A, "走访日期": "2026-04-03", "走访对象": "本人", "走访人": "王五"},
    ], files)  # fmt: skip
    send(ws, "minor_conduct", [
        {"姓名": "甲", "公民身份号码": A, "行为日期": "2024-12-01", "行为类别": "严重不良行为",
         "行为": "盗窃", "处置措施": "训诫", "处置单位": "城关派出所"},
    ], files)  # fmt: skip
    service.forget()
    return ws


def person(*roles: str, department: str | None = JUV, unit: str | None = None) -> User:
    return User(f"某{'、'.join(roles)}", P, department, frozenset(roles), unit=unit)


PROSECUTOR = person("prosecutor")
HELPER = person("helper", department=None, unit="县妇联")


def test_counts_per_category_town_and_village(ws: Workspace) -> None:
    counts = Register(ws).counts(PROSECUTOR, TODAY)
    cells = {(r["category"], r["town"], r["village"]): r["minors"] for r in counts.rows}
    assert cells == {
        ("single_parent", "城关镇", "东街社区"): 1,
        ("care_gap", "龙场乡", "龙场村"): 1,
        ("serious_misconduct", "城关镇", "东街社区"): 1,
        ("serious_misconduct", "城关镇", "西街社区"): 1,
        ("corrections", "龙场乡", "龙场村"): 1,  # the newer row's town
    }
    assert counts.minors == 4  # 甲 counts once; 丁 withdrawn, 戊 not yet registered
    the_day_after = Register(ws).counts(PROSECUTOR, TODAY + dt.timedelta(days=1))
    assert the_day_after.minors == 3  # 丙 turned 18 yesterday: leaves every list today
    [entry] = [e for e in audit.query(ws.store) if e["action"] == "count"][-1:]
    assert entry["actor"] == PROSECUTOR.name and entry["detail"]["minors"] == 3


def test_the_list_filters_pages_masks_and_is_audited(ws: Workspace) -> None:
    register = Register(ws)
    everyone = register.minors(PROSECUTOR, TODAY)
    # by town, village, name (Unicode order): 城关镇 东街社区, 西街社区; 龙场乡 龙场村
    assert [r["name"] for r in everyone] == ["甲", "丙", "乙", "己"]
    assert everyone.total == 4
    first = everyone[0]
    assert first["id_card"] == "5202032********" + A[-3:]
    assert first["category_labels"] == ["单亲、离异家庭未成年人", "严重不良行为未成年人"]
    assert [(a["unit"], a["responsible"]) for a in first["assignments"]] == [("县妇联", "王五")]
    assert all(A not in str(r) and C not in str(r) for r in everyone)
    serious = register.minors(PROSECUTOR, TODAY, category="serious_misconduct")
    assert {r["name"] for r in serious} == {"甲", "丙"}
    longchang = register.minors(PROSECUTOR, TODAY, town="龙场乡")
    assert {r["name"] for r in longchang} == {"乙", "己"}
    one = register.minors(PROSECUTOR, TODAY, town="城关镇", village="西街社区")
    assert [r["name"] for r in one] == ["丙"]
    page = register.minors(PROSECUTOR, TODAY, offset=1, limit=2)
    assert (len(page), page.total, page.pages) == (2, 4, 2)
    beyond = register.minors(PROSECUTOR, TODAY, offset=40, limit=2)
    assert (len(beyond), beyond.total) == (0, 4)
    listed = [e for e in audit.query(ws.store) if e["action"] == "list"][-1]
    assert listed["object_type"] == "minor" and listed["detail"]["total"] == 4


def test_a_helper_sees_only_the_minors_assigned_to_its_unit_today(ws: Workspace) -> None:
    register = Register(ws)
    helper = register.with_grants(HELPER, TODAY)
    assert helper.grants == {("minor", A)}
    assert register.with_grants(HELPER, D(2026, 3, 31)).grants == {("minor", A), ("minor", B)}
    assert [r["name"] for r in register.minors(helper, TODAY)] == ["甲"]
    assert register.counts(helper, TODAY).minors == 1
    with pytest.raises(UserError) as hidden:
        register.minor_file(helper, B, TODAY)
    with pytest.raises(UserError) as missing:
        register.minor_file(helper, id_card(D(2012, 2, 2)), TODAY)
    assert hidden.value.code == missing.value.code == "not_found"
    assert "名册中找不到未成年人" in hidden.value.message
    with pytest.raises(UserError, match="找不到"):
        register.resolve_ref(helper, register.ref(B))
    assert register.resolve_ref(helper, register.ref(A)) == A


def test_a_new_assignment_file_moves_the_grants_at_the_next_request(
    ws: Workspace, tmp_path: Path
) -> None:
    register = Register(ws)
    assert register.with_grants(HELPER, TODAY).grants == {("minor", A)}
    send(ws, "minor_assignments", [
        {"公民身份号码": A, "包保单位": "县团委", "包保责任人": "王五", "开始日期": "2025-01-01"},
    ], tmp_path / "more")  # fmt: skip
    assert Register(ws).with_grants(HELPER, TODAY).grants == frozenset()


def test_the_register_belongs_to_the_juvenile_department(ws: Workspace) -> None:
    register = Register(ws)
    for user in (
        person("prosecutor", department="公益诉讼检察部"),
        person("assistant"),
        person("admin", department=None),
    ):
        with pytest.raises(UserError) as refused:
            register.minors(user, TODAY)
        assert refused.value.code == "forbidden"
    assert register.minors(person("chief", department=None), TODAY).total == 4


def warn(ws: Workspace, subject: str, number: str) -> None:
    """A lead of a model whose subject is a minor's number (report.mandatory's), written as a
    run writes it."""
    with ws.store.begin() as conn:
        run = conn.execute(
            insert(runs).values(started_at=now(), as_of=TODAY, engine="duckdb", models=[])
        ).inserted_primary_key[0]
        finding = Finding(
            subject=subject,
            title="医院未报告",
            evidence=[{"id_card": number, "patient_name": "甲", "birth_date": "2010-03-15"}],
            evidence_rows=1,
            evidence_hash=subject,
        )
        record_findings(conn, run, "report.mandatory", [finding], {})


def test_one_minors_file_in_date_order_masked_unless_revealed_with_a_reason(
    ws: Workspace,
) -> None:
    warn(ws, A, A)
    warn(ws, f"{A}/2026-04", A)
    warn(ws, B, B)
    register = Register(ws)
    file = register.minor_file(PROSECUTOR, A, TODAY)
    assert file["name"] == "甲" and file["on_register"]
    assert [r["category"] for r in file["registry"]] == ["single_parent", "serious_misconduct"]
    assert file["registry"][1]["guardian_id_card"] == "5202031********" + GUARDIAN[-3:]
    assert [str(v["visited_on"]) for v in file["visits"]] == ["2026-04-03", "2026-05-03"]
    assert file["visits"][1]["target"] == "本人、家庭"
    assert file["visits"][1]["measures"] == "心理辅导"
    assert [c["act"] for c in file["conduct"]] == ["盗窃"]
    assert [a["unit"] for a in file["assignments"]] == ["县妇联"]
    assert file["month"]["missing"] == ("学校", "社区") and file["month"]["status"] == "due"
    assert [w["subject"] for w in file["warnings"]] == [
        "5202032********" + A[-3:],
        "5202032********" + A[-3:] + "/2026-04",
    ]
    assert A not in str(file) and GUARDIAN not in str(file)
    viewed = [e for e in audit.query(ws.store, object_type="minor") if e["action"] == "view"]
    assert viewed[-1]["object_id"] == A and viewed[-1]["detail"]["revealed"] is False
    assert len(viewed[-1]["detail"]["warnings"]) == 2

    with pytest.raises(UserError) as no_reason:
        register.minor_file(PROSECUTOR, A, TODAY, reveal=True, reason="  ")
    assert no_reason.value.code == "reason_required"
    with pytest.raises(UserError) as chief:
        register.minor_file(person("chief", department=None), A, TODAY, reveal=True, reason="核查")
    assert chief.value.code == "forbidden"
    shown = register.minor_file(PROSECUTOR, A, TODAY, reveal=True, reason="核对走访记录")
    assert shown["id_card"] == A and shown["registry"][1]["guardian_id_card"] == GUARDIAN
    revealed = [e for e in audit.query(ws.store, object_type="minor") if e["action"] == "view"]
    assert revealed[-1]["detail"]["reason"] == "核对走访记录"


def test_a_helper_sees_no_warnings_and_a_former_minor_keeps_a_file(ws: Workspace) -> None:
    warn(ws, A, A)
    register = Register(ws)
    assert register.minor_file(register.with_grants(HELPER, TODAY), A, TODAY)["warnings"] is None
    later = register.minor_file(PROSECUTOR, C, TODAY + dt.timedelta(days=1))
    assert not later["on_register"] and later["name"] == "丙"


def test_a_reference_is_found_again_in_a_new_process_and_a_number_by_find(ws: Workspace) -> None:
    register = Register(ws)
    ref = register.ref(F)
    service.forget()  # nothing remembered: the reference is hashed again among the register's
    assert Register(ws).resolve_ref(PROSECUTOR, ref) == F
    assert Register(ws).find(PROSECUTOR, ref.upper()) == F
    assert Register(ws).find(PROSECUTOR, f" {F.lower()} ") == F
    with pytest.raises(UserError, match="找不到"):
        Register(ws).resolve_ref(PROSECUTOR, "0" * 16)
    with pytest.raises(UserError, match="找不到"):
        Register(ws).resolve_ref(PROSECUTOR, "../etc")


# ---- due and late: the SQL against the rules --------------------------------------------------

MAY = Month(D(2026, 5, 1))
Case = tuple[str, str, str | None, str]
"""(认定日期, 退出日期 or None, 就读学校, the born day of the number)"""


@pytest.fixture
def visits_ws(tmp_path: Path) -> tuple[Workspace, list[dict[str, Any]], list[dict[str, Any]]]:
    """Serious-misconduct minors at every edge of the monthly rule, and their visits."""
    ws = init_workspace(tmp_path / "ws")
    people = {
        "first_day": ("2026-05-01", None, "一中", D(2010, 1, 1)),
        "second_day": ("2026-05-02", None, "一中", D(2010, 1, 2)),
        "withdrawn_last_day": ("2025-01-01", "2026-05-31", "一中", D(2010, 1, 3)),
        "withdrawn_before": ("2025-01-01", "2026-05-30", "一中", D(2010, 1, 4)),
        "birthday_last_day": ("2025-01-01", None, "一中", D(2008, 5, 31)),
        "adult_on_last_day": ("2025-01-01", None, "一中", D(2008, 5, 30)),
        "no_school": ("2025-01-01", None, None, D(2010, 1, 5)),
        "placeholder_school": ("2025-01-01", None, "无", D(2010, 1, 6)),
        "all_visited": ("2025-01-01", None, "一中", D(2010, 1, 7)),
        "visited_in_april": ("2025-01-01", None, "一中", D(2010, 1, 8)),
        "twice_registered": ("2026-05-15", None, "一中", D(2010, 1, 9)),
    }
    numbers = {k: id_card(v[3]) for k, v in people.items()}
    registry = [
        {"姓名": k, "公民身份号码": numbers[k], "类别": "严重不良行为", "认定日期": v[0],
         "退出日期": v[1] or "", "就读学校": v[2] or "", "所属乡镇（街道）": "城关镇",
         "村（社区）": "东街社区"}
        for k, v in people.items()
    ]  # fmt: skip
    # registered twice: as serious_misconduct after the first day (not due by that row) and as
    # misconduct (not a due category); a single_parent row for all_visited changes nothing
    registry.append({**registry[-1], "类别": "不良行为", "认定日期": "2024-01-01"})
    registry.append({**registry[8], "类别": "单亲", "认定日期": "2020-01-01"})
    visits = [
        {"公民身份号码": numbers["all_visited"], "走访日期": "2026-05-02", "走访对象": "本人、家庭"},
        {"公民身份号码": numbers["all_visited"], "走访日期": "2026-05-31", "走访对象": "老师"},
        {"公民身份号码": numbers["all_visited"], "走访日期": "2026-05-01", "走访对象": "村委会"},
        {"公民身份号码": numbers["no_school"], "走访日期": "2026-05-09", "走访对象": "本人,家长,居委会"},
        {"公民身份号码": numbers["placeholder_school"], "走访日期": "2026-05-09", "走访对象": "本人"},
        {"公民身份号码": numbers["visited_in_april"], "走访日期": "2026-04-30",
         "走访对象": "本人、家庭、学校、社区"},
        {"公民身份号码": numbers["visited_in_april"], "走访日期": "2026-06-01", "走访对象": "本人"},
        {"公民身份号码": numbers["first_day"], "走访日期": "2026-03-15", "走访对象": "本人"},
    ]  # fmt: skip
    for v in visits:
        v["走访人"] = "王五"
    send(ws, "key_minors", registry, tmp_path / "files")
    send(ws, "minor_visits", visits, tmp_path / "files")
    # the same visit again in a later export, its 记录 filled in: still one visit
    send(ws, "minor_visits", [{**visits[0], "记录": "补记"}], tmp_path / "files")
    service.forget()
    return ws, registry, visits


def expected(
    registry: list[dict[str, Any]], visits: list[dict[str, Any]], month: Month
) -> dict[str, tuple[str, ...]]:
    """What the rules of register.py say: number → missing targets, for each minor due."""
    out = {}
    for number in {r["公民身份号码"] for r in registry}:
        rows = [
            r
            for r in registry
            if r["公民身份号码"] == number
            and r["类别"] == "严重不良行为"
            and due_in_month(
                number,
                D.fromisoformat(r["认定日期"]),
                D.fromisoformat(r["退出日期"]) if r["退出日期"] else None,
                month,
            )
        ]
        if not rows:
            continue
        seen = visited_targets(
            _stored_targets(v["走访对象"])
            for v in visits
            if v["公民身份号码"] == number
            and month.first <= D.fromisoformat(v["走访日期"]) <= month.last
        )
        needed = required_targets(any(has_school(r["就读学校"] or None) for r in rows))
        out[number] = missing_targets(needed, seen)
    return out


def _stored_targets(cell: str) -> str:
    """As the importer stores 走访对象 (its synonyms; tested in tests/data)."""
    words = {"家长": "家庭", "老师": "学校", "村委会": "社区", "居委会": "社区"}
    parts = [words.get(p, p) for p in cell.replace(",", "、").split("、")]
    return "、".join(parts)


def test_the_due_list_is_the_rules_answer(visits_ws) -> None:  # type: ignore[no-untyped-def]
    ws, registry, visits = visits_ws
    register = Register(ws)
    today = D(2026, 5, 20)
    page = register.due(SYSTEM, MAY, today, everyone=True)
    got = {_number(register, r): tuple(r["missing"]) for r in page}
    assert got == expected(registry, visits, MAY)
    names = {r["name"]: r for r in page}
    assert set(names) == {
        "first_day", "withdrawn_last_day", "birthday_last_day", "no_school",
        "placeholder_school", "all_visited", "visited_in_april",
    }  # fmt: skip
    assert names["all_visited"]["status"] == "done" and names["no_school"]["missing"] == []
    assert names["placeholder_school"]["missing"] == ["家庭", "社区"]
    assert names["first_day"]["status_label"] == "待走访"
    assert (page.due, page.done) == (7, 2)
    todo = register.due(SYSTEM, MAY, today)
    assert todo.total == 5 and {r["name"] for r in todo} == set(names) - {
        "all_visited",
        "no_school",
    }
    assert all(r["id_card"].count("*") == 8 for r in todo)
    after = register.due(SYSTEM, MAY, D(2026, 6, 1))
    assert {r["status"] for r in after} == {"late"}
    before_anyone = register.due(SYSTEM, Month(D(2020, 1, 1)), today)
    assert (before_anyone.total, before_anyone.due, before_anyone.done) == (0, 0, 0)
    beyond = register.due(SYSTEM, MAY, today, offset=50, limit=10)  # the same connection again
    assert (len(beyond), beyond.total, beyond.due) == (0, 5, 7)


def test_the_late_list_covers_the_complete_months_before_this_one(visits_ws) -> None:  # type: ignore[no-untyped-def]
    ws, registry, visits = visits_ws
    register = Register(ws)
    today = D(2026, 6, 3)
    page = register.late(SYSTEM, today)
    got: dict[tuple[str, str], tuple[str, ...]] = {
        (_number(register, r), r["month"]): tuple(r["missing"]) for r in page
    }
    want = {
        (number, month.label): missing
        for month in late_months(today)
        for number, missing in expected(registry, visits, month).items()
        if missing
    }
    assert got == want
    assert {m for _, m in got} == {"2026-03", "2026-04", "2026-05"}
    assert all(r["status"] == "late" for r in page)
    small = register.late(SYSTEM, today, offset=2, limit=3)
    assert (len(small), small.total) == (3, page.total)
    entry = [e for e in audit.query(ws.store) if e["action"] == "list_visits_due"][-1]
    assert entry["detail"]["filters"]["late"] == ["2026-03", "2026-04", "2026-05"]


@pytest.mark.parametrize(
    ("today", "months"),
    [
        (D(2026, 5, 30), ("2026-02", "2026-03", "2026-04")),
        # May's last day: its visits may still be made today, so May is not yet late
        (D(2026, 5, 31), ("2026-02", "2026-03", "2026-04")),
        (D(2026, 6, 1), ("2026-03", "2026-04", "2026-05")),
        (D(2026, 6, 3), ("2026-03", "2026-04", "2026-05")),
        (D(2026, 6, 30), ("2026-03", "2026-04", "2026-05")),
    ],
)
def test_the_late_list_and_the_models_warnings_agree(visits_ws, today, months) -> None:  # type: ignore[no-untyped-def]
    """What the register lists as late is what juvenile.visit_missing warns about, whatever the
    day: the same months (a month is late from the day after its last day, for both), the same
    rule, the same placeholders."""
    ws, _, _ = visits_ws
    report = run_models(ws, load_library(), ["juvenile.visit_missing"], today)
    [outcome] = report.outcomes
    warned = {f.subject: f.evidence_list()[0]["missing_targets"] for f in outcome.findings}
    register = Register(ws)
    late = {
        f"{_number(register, r)}/{r['month']}": "、".join(r["missing"])
        for r in register.late(SYSTEM, today)
    }
    assert late == warned
    assert {m.label for m in late_months(today)} == set(months)
    assert {k.split("/")[1] for k in late} == set(months)


def _number(register: Register, row: dict[str, Any]) -> str:
    return register.resolve_ref(SYSTEM, row["ref"])


def test_on_register_is_the_rules_answer_for_every_row(ws: Workspace) -> None:
    """The list's SQL (active, under 18) against `on_register` over the registry rows."""
    register = Register(ws)
    for day in (D(2026, 4, 30), TODAY, TODAY + dt.timedelta(days=1), D(2026, 6, 1)):
        rows = register.registry_rows().to_dicts()
        want = {
            r["id_card"]
            for r in rows
            if on_register(r["id_card"], r["identified_on"], r["withdrawn_on"], day)
        }
        listed = {_number(register, r) for r in register.minors(SYSTEM, day)}
        assert listed == want, day


# ---- large batches from their files, small ones from memory -------------------------------------


def test_large_and_small_batches_are_read_alike(tmp_path: Path) -> None:
    """An agency's file of many rows is read from Parquet, a visit recorded in the platform from
    memory (`SMALL_BATCH`); a newer small batch still replaces an older large one's record, and a
    small batch replaced by a re-import is no longer read."""
    ws = init_workspace(tmp_path / "ws")
    numbers = [
        id_card(D(2010, 1, 1) + dt.timedelta(days=i)) for i in range(service.SMALL_BATCH + 10)
    ]
    send(ws, "key_minors", [
        {"姓名": f"甲{i}", "公民身份号码": n, "类别": "严重不良行为", "认定日期": "2025-01-01",
         "所属乡镇（街道）": "城关镇", "就读学校": "一中"}
        for i, n in enumerate(numbers)
    ], tmp_path / "files")  # fmt: skip
    visit = {
        "公民身份号码": numbers[0],
        "走访日期": "2026-05-03",
        "走访对象": "本人",
        "走访人": "王五",
    }
    send(ws, "minor_visits", [
        {**visit, "公民身份号码": n, "记录": "导出"} for n in numbers
    ], tmp_path / "files")  # fmt: skip
    service.forget()
    register = Register(ws)
    assert register.due(SYSTEM, MAY, TODAY, everyone=True).due == len(numbers)
    [first] = register.minor_file(SYSTEM, numbers[0], TODAY)["visits"]
    assert first["notes"] == "导出"
    # newer, small: the same visit with its 记录 corrected, and a withdrawal
    send(ws, "minor_visits", [{**visit, "记录": "更正"}], tmp_path / "files")
    send(ws, "key_minors", [
        {"姓名": "甲1", "公民身份号码": numbers[1], "类别": "严重不良行为", "认定日期": "2025-01-01",
         "所属乡镇（街道）": "城关镇", "退出日期": "2026-01-31"},
    ], tmp_path / "files")  # fmt: skip
    register = Register(ws)
    [corrected] = register.minor_file(SYSTEM, numbers[0], TODAY)["visits"]
    assert corrected["notes"] == "更正"
    assert register.minors(SYSTEM, TODAY).total == len(numbers) - 1
    # a small file imported again with another option replaces its batch: the first is not read
    small = tmp_path / "small.csv"
    small.write_text(
        f"公民身份号码,走访日期,走访对象\n{numbers[2]},2026-05-04,家长\n", encoding="utf-8"
    )
    warehouse = Warehouse(ws.warehouse_dir, ws.store)
    visits = ws.datasets()["minor_visits"]
    import_file(
        warehouse, ws.reports_dir, visits, small, ImportOptions(constants={"走访人": "王五"})
    )
    first_import = Register(ws).minor_file(SYSTEM, numbers[2], TODAY)["visits"]
    assert [(v["target"], v["visitor"]) for v in first_import] == [
        ("本人", "王五"),
        ("家庭", "王五"),
    ]
    replaced = import_file(
        warehouse, ws.reports_dir, visits, small, ImportOptions(constants={"走访人": "赵六"})
    )
    assert replaced.replaced is not None
    again = Register(ws).minor_file(SYSTEM, numbers[2], TODAY)["visits"]
    assert [(v["target"], v["visitor"]) for v in again] == [("本人", "王五"), ("家庭", "赵六")]


# ---- a minor due by two rows whose 就读学校 differ -----------------------------------------------

MIXED_SCHOOLS = {
    # (就读学校 as registered for serious misconduct, for misconduct): is 学校 required?
    "named_and_placeholder": ("青岚中学", "无", True),
    "placeholder_and_named": ("辍学", "第1镇中学", True),
    "named_and_empty": ("第1镇中学", None, True),
    "two_schools": ("青岚中学", "第1镇中学", True),
    "two_placeholders": ("无", "辍学", False),
    "placeholder_and_empty": (None, "辍学", False),
}


@pytest.fixture
def mixed_ws(tmp_path: Path) -> Workspace:
    """Minors registered in two categories that both need monthly visits (the model's parameter
    set so in shujian.toml), whose rows name a school in one and none, or a placeholder, in the
    other; a later file corrects one row's school to a placeholder (a newer version)."""
    root = tmp_path / "ws"
    init_workspace(root)
    with (root / "shujian.toml").open("a", encoding="utf-8") as toml:
        toml.write(
            '\n[[overrides]]\nmodel = "juvenile.visit_missing"\nparameter = "categories"\n'
            'value = ["serious_misconduct", "misconduct"]\n'
            'source = "测试：不良行为未成年人也每月走访"\n'
        )
    ws = open_workspace(root)
    numbers = {k: id_card(D(2010, 2, 1 + i)) for i, k in enumerate(MIXED_SCHOOLS)}
    rows = []
    for key, (serious, mild, _) in MIXED_SCHOOLS.items():
        for category, school, identified in (
            ("严重不良行为", serious, "2025-01-01"),
            ("不良行为", mild, "2025-06-01"),
        ):
            rows.append({"姓名": key, "公民身份号码": numbers[key], "类别": category,
                         "认定日期": identified, "就读学校": school or "",
                         "所属乡镇（街道）": "城关镇", "村（社区）": "东街社区"})  # fmt: skip
    send(ws, "key_minors", rows, tmp_path / "files")
    # a newer version of one row: its school was a mistake, the minor left school
    late_fix = {**rows[-2], "就读学校": "未入学"}  # two_placeholders' 不良行为 row → still none
    send(ws, "key_minors", [late_fix], tmp_path / "files")
    # every minor visited at home, in person and in the village in April; never at a school
    send(ws, "minor_visits", [
        {"公民身份号码": n, "走访日期": "2026-04-10", "走访对象": "本人、家长、村委会", "走访人": "王五"}
        for n in numbers.values()
    ], tmp_path / "files")  # fmt: skip
    service.forget()
    return ws


def test_a_school_named_in_any_due_row_is_visited_by_register_and_model_alike(
    mixed_ws: Workspace,
) -> None:
    """One rule for both: a minor due by several rows needs a 学校 visit when any of them names a
    school (a placeholder in another row does not outweigh it), and the school shown is the one
    named."""
    today = D(2026, 5, 10)
    register = Register(mixed_ws)
    assert register.rule.categories == ("serious_misconduct", "misconduct")
    april = Month(D(2026, 4, 1))
    listed = {r["name"]: r for r in register.due(SYSTEM, april, today, everyone=True)}
    report = run_models(mixed_ws, load_library(), ["juvenile.visit_missing"], today)
    [outcome] = report.outcomes
    warned = {f.evidence_list()[0]["name"]: f.evidence_list()[0] for f in outcome.findings
              if f.subject.endswith("/2026-04")}  # fmt: skip
    for key, (serious, mild, needs_school) in MIXED_SCHOOLS.items():
        assert school_required([serious, mild]) is needs_school, key
        row = listed[key]
        assert ("学校" in row["required"]) is needs_school, key
        assert row["missing"] == (["学校"] if needs_school else []), key
        assert row["school"] == shown_school([serious, mild]), key
        if needs_school:
            assert warned[key]["missing_targets"] == "学校", key
            assert warned[key]["required_targets"] == "本人、家庭、学校、社区", key
            assert warned[key]["school"] == shown_school([serious, mild]), key
        else:
            assert key not in warned, key
    # one minor's file says the same for this month's visits (May: nothing visited yet)
    number = register.resolve_ref(SYSTEM, listed["placeholder_and_named"]["ref"])
    may = register.minor_file(SYSTEM, number, today)["month"]
    assert may["required"] == ("本人", "家庭", "学校", "社区") and may["status"] == "due"
    # and the list of minors shows the school named, not the placeholder
    shown = {r["name"]: r["school"] for r in register.minors(SYSTEM, today)}
    assert shown["placeholder_and_named"] == "第1镇中学"
    assert shown["two_placeholders"] == "辍学"
