"""督办 on a real workspace (the county of `supervision_county`, imported through the importer;
the warnings written by a real run of juvenile.visit_missing): the monthly prompts per unit as
the model warns, read back from their .xlsx; items taken up, followed up, moved, closed and
listed overdue first, every change audited and its history append-only; the month's sample drawn
once, reproduced, its checks recorded; the quarter's figures per town and unit."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import insert, select, text, update

from juvenile.people import send
from juvenile.supervision_county import UNSAFE_UNIT, Minor, build
from shujian import audit
from shujian.errors import UserError
from shujian.juvenile import service
from shujian.juvenile.register import Month
from shujian.juvenile.service import Register
from shujian.juvenile.supervision import items, prompts, quarterly, spot_checks
from shujian.juvenile.supervision.rules import Quarter
from shujian.juvenile.supervision.store import supervision_events, supervision_items
from shujian.leads.service import Finding, record_findings
from shujian.leads.store import leads, runs
from shujian.models.runner import run_models
from shujian.models.spec import load_library
from shujian.store import now
from shujian.users.user import User
from shujian.workspace import Workspace, init_workspace, open_workspace

D = dt.date
P = "青岚县人民检察院"
JUV = "未成年人检察部"
OCTOBER = Month.parse("2026-10")
PROMPT_DAY = D(2026, 11, 2)  # 1 November 2026 is a Sunday

HEAD = User("周主任", P, JUV, frozenset({"department_head"}))
PROSECUTOR = User("张检察官", P, JUV, frozenset({"prosecutor"}))
CHIEF = User("王检察长", P, None, frozenset({"chief"}))
OTHER = User("公益检察官", P, "公益诉讼检察部", frozenset({"prosecutor"}))
HELPER = User("刘帮扶", P, None, frozenset({"helper"}), unit="县妇联")


@pytest.fixture
def county(tmp_path: Path) -> tuple[Workspace, dict[str, Minor]]:
    ws = init_workspace(tmp_path / "ws")
    return ws, build(ws, tmp_path / "files")


@pytest.fixture(params=["sqlite", "postgresql"])
def either(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Workspace, dict[str, Minor]]:
    """The county with its case store in SQLite, then in PostgreSQL."""
    if request.param == "postgresql":
        monkeypatch.setenv("SHUJIAN_STORE_URL", request.getfixturevalue("pg_url"))
    ws = init_workspace(tmp_path / "ws")
    return ws, build(ws, tmp_path / "files")


def warned(ws: Workspace, as_of: dt.date) -> dict[str, int]:
    """Run juvenile.visit_missing as of the day; its leads: subject → id."""
    run_models(ws, load_library(), ["juvenile.visit_missing"], as_of)
    with ws.store.connect() as conn:
        return dict(
            conn.execute(
                select(leads.c.subject, leads.c.id).where(
                    leads.c.model_id == "juvenile.visit_missing"
                )
            ).all()
        )


def sheet_rows(path: Path) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(path)
    return [tuple(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def table(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """The data rows below the header row (序号 …), up to the first empty row."""
    start = next(i for i, r in enumerate(rows) if r[0] in ("序号", "乡镇（街道）", "包保单位"))
    out = []
    for r in rows[start + 1 :]:
        if r[0] is None:
            break
        out.append(r)
    return out


# ---------------------------------------------------------------------------- 一月一提示


def test_each_unit_gets_its_minors_missing_a_visit_as_the_model_warns(
    county: tuple[Workspace, dict[str, Minor]], tmp_path: Path
) -> None:
    ws, m = county
    register = Register(ws)
    made, paths = prompts.write_folder(register, HEAD, OCTOBER, PROMPT_DAY, tmp_path / "out")
    assert made.timing.state == "final" and made.timing.day == PROMPT_DAY
    assert sorted(p.name for p in paths) == sorted(
        ["县妇联.xlsx", "县团委.xlsx", "城关镇_东街社区居委会.xlsx", "龙场乡政府.xlsx"]
    )
    assert made.done_units == ["县教育局"]  # its one minor was fully visited: no file
    assert [r["name"] for r in made.unassigned] == ["安六"]
    assert (made.due, made.done) == (11, 5)

    tuanwei = sheet_rows(tmp_path / "out" / "县团委.xlsx")
    assert tuanwei[0][0] == "一月一提示：2026年10月重点未成年人走访未落实名单"
    assert tuanwei[1][0] == "包保单位：县团委"
    assert "2026-11-02" in str(tuanwei[2][0]) and "2026-11 第一个工作日" in str(tuanwei[2][0])
    assert table(tuanwei) == [
        (1, "安四", m["A4"].number[:7] + "********" + m["A4"].number[-3:], "城关镇", "城关镇一村",
         "安四的帮扶人", "本人、家庭、学校、社区", "本人、家庭、学校、社区"),
        # handed from 县妇联 to 县团委 on 16 October: the unit of the month's last day
        (2, "白四", m["B4"].number[:7] + "********" + m["B4"].number[-3:], "龙场乡", "龙场乡一村",
         "白四的帮扶人", "本人、家庭、学校、社区", "本人、家庭、学校、社区"),
    ]  # fmt: skip
    fulian = table(sheet_rows(tmp_path / "out" / "县妇联.xlsx"))
    assert [(r[1], r[6], r[7]) for r in fulian] == [("安二", "本人、家庭、学校、社区", "学校")]
    unsafe = table(sheet_rows(tmp_path / "out" / "城关镇_东街社区居委会.xlsx"))
    assert [(r[1], r[7]) for r in unsafe] == [("安五", "社区")]
    assert (
        sheet_rows(tmp_path / "out" / "城关镇_东街社区居委会.xlsx")[1][0]
        == f"包保单位：{UNSAFE_UNIT}"
    )
    for path in paths:
        content = str(sheet_rows(path))
        assert not any(minor.number in content for minor in m.values()), path
        assert "公民身份号码已遮蔽" in content

    # the same minors, month by month, as the model's warnings
    subjects = {s for s in warned(ws, PROMPT_DAY) if s.endswith("/2026-10")}
    [entry] = [e for e in audit.query(ws.store) if e["action"] == "export"]
    assert entry["actor"] == HEAD.name and entry["detail"]["monthly_prompt"] == "2026-10"
    listed = set(entry["detail"]["minor_ids"])
    assert listed | {f"{m['A6'].number}/2026-10"} == subjects
    assert len(subjects) == 6


def test_before_the_first_working_day_the_prompt_is_a_preview_and_before_months_end_nothing(
    county: tuple[Workspace, dict[str, Minor]], tmp_path: Path
) -> None:
    ws, _ = county
    register = Register(ws)
    made, paths = prompts.write_folder(
        register, PROSECUTOR, OCTOBER, D(2026, 11, 1), tmp_path / "out", unit="县妇联"
    )
    assert made.timing.preview and [p.name for p in paths] == ["预览-县妇联.xlsx"]
    rows = sheet_rows(paths[0])
    assert rows[0][0].endswith("（预览）")  # type: ignore[union-attr]
    assert any("正式提示以 2026-11-02 及以后生成的为准" in str(r[0]) for r in rows)
    with pytest.raises(UserError, match="2026-11-02") as refused:
        prompts.write_folder(register, HEAD, OCTOBER, D(2026, 10, 31), tmp_path / "early")
    assert refused.value.code == "month_not_over"
    assert not (tmp_path / "early").exists()
    with pytest.raises(UserError, match="没有“县教育局”需要提示") as none:
        prompts.write_folder(register, HEAD, OCTOBER, PROMPT_DAY, tmp_path / "x", unit="县教育局")
    assert none.value.code == "no_prompt"


def test_all_units_prompts_in_one_zip_and_only_the_department_makes_them(
    county: tuple[Workspace, dict[str, Minor]], tmp_path: Path
) -> None:
    ws, _ = county
    register = Register(ws)
    made, path = prompts.write_zip(register, HEAD, OCTOBER, PROMPT_DAY, tmp_path / "p.zip")
    assert prompts.zip_name(made) == "一月一提示-2026-10.zip"
    with zipfile.ZipFile(path) as archive:
        names = sorted(archive.namelist())
        archive.extractall(tmp_path / "unzipped")
    assert names == sorted(
        ["县妇联.xlsx", "县团委.xlsx", "城关镇_东街社区居委会.xlsx", "龙场乡政府.xlsx"]
    )
    assert table(sheet_rows(tmp_path / "unzipped" / "县妇联.xlsx"))[0][1] == "安二"
    assert not list(tmp_path.glob("*.parts"))
    for who in (CHIEF, OTHER, HELPER):
        with pytest.raises(UserError) as refused:
            prompts.write_zip(register, who, OCTOBER, PROMPT_DAY, tmp_path / "no.zip")
        assert refused.value.code == "forbidden", who
    overview = prompts.overview(register, CHIEF, OCTOBER, PROMPT_DAY)  # 院领导 see, not make
    assert {u.unit: (u.due, u.missing) for u in overview.units} == {
        "县妇联": (3, 1),
        "县团委": (2, 2),
        UNSAFE_UNIT: (1, 1),
        "龙场乡政府": (3, 1),
    }
    last = audit.query(ws.store)[-1]
    assert (last["action"], last["actor"], last["detail"]["total"]) == (
        "list_visits_due",
        CHIEF.name,
        6,
    )
    with pytest.raises(UserError) as hidden:
        prompts.overview(register, HELPER, OCTOBER, PROMPT_DAY)
    assert hidden.value.code == "forbidden"


# ---------------------------------------------------------------------------- 一案一督办


def test_a_warning_taken_up_followed_up_moved_and_closed_each_step_audited(
    either: tuple[Workspace, dict[str, Minor]],
) -> None:
    ws, m = either
    leads_of = warned(ws, PROMPT_DAY)
    register = Register(ws)
    lead_id = leads_of[f"{m['A2'].number}/2026-10"]

    proposal = items.propose(register, HEAD, lead_id, PROMPT_DAY)
    assert proposal["units"] == ["县妇联"] and proposal["name"] == "安二"
    assert proposal["deadline"] == D(2026, 11, 16) and proposal["provisional"] == ""
    assert m["A2"].number not in str(proposal)

    item_id = items.open_item(register, HEAD, lead_id, PROMPT_DAY, note="请县妇联补访学校")
    item = items.get_item(register, PROSECUTOR, item_id, PROMPT_DAY)
    assert (item["unit"], item["town"], item["deadline"], item["deadline_basis"]) == (
        "县妇联", "城关镇", D(2026, 11, 16), "10个工作日"
    )  # fmt: skip
    assert item["status_label"] == "办理中" and item["name"] == "安二"
    assert item["id_card"] == m["A2"].number[:7] + "********" + m["A2"].number[-3:]

    items.follow_up(
        register, PROSECUTOR, item_id, D(2026, 11, 10),
        on_date=D(2026, 11, 9), text="电话督促县妇联，答复本周内走访学校", by="张检察官、李助理",
    )  # fmt: skip
    items.move_deadline(
        register, HEAD, item_id, D(2026, 11, 12), deadline=D(2026, 11, 20), reason="学校期中考试"
    )
    assert items.get_item(register, HEAD, item_id, D(2026, 11, 23))["status"] == "overdue"
    items.close_item(
        register, PROSECUTOR, item_id, D(2026, 11, 24),
        closed_on=D(2026, 11, 23), result="县妇联已于11月20日走访学校，补登走访记录",
    )  # fmt: skip
    closed = items.get_item(register, HEAD, item_id, D(2026, 12, 6))
    assert (closed["status"], closed["status_label"], closed["days_overdue"]) == (
        "closed_late", "逾期办结", 3
    )  # fmt: skip
    assert [(e["kind_label"], e["on_date"], e["by_whom"]) for e in closed["events"]] == [
        ("列为督办", PROMPT_DAY, "周主任"),
        ("跟进", D(2026, 11, 9), "张检察官、李助理"),
        ("变更期限", D(2026, 11, 12), "周主任"),
        ("办结", D(2026, 11, 23), "张检察官"),
    ]
    assert closed["events"][2]["detail"] == {"from": "2026-11-16", "to": "2026-11-20"}
    with pytest.raises(UserError, match="已于 2026-11-23 办结") as refused:
        items.follow_up(
            register, HEAD, item_id, D(2026, 12, 6), on_date=D(2026, 12, 6), text="再跟进"
        )
    assert refused.value.code == "item_closed"

    changes = [e for e in audit.query(ws.store) if e["object_type"] == "supervision_item"]
    assert [e["action"] for e in changes if e["action"] not in ("view", "list")] == [
        "open_supervision_item",
        "follow_up_supervision_item",
        "move_supervision_deadline",
        "close_supervision_item",
    ]
    assert audit.verify(ws.store).ok

    # the history is append-only in the database too
    with pytest.raises(Exception, match="append-only"), ws.store.begin() as conn:
        conn.execute(update(supervision_events).values(text="改写"))
    with pytest.raises(Exception, match="append-only"), ws.store.begin() as conn:
        conn.execute(text("DELETE FROM supervision_events"))


def test_the_unit_is_asked_for_when_the_day_has_none_or_several(
    county: tuple[Workspace, dict[str, Minor]],
) -> None:
    ws, m = county
    leads_of = warned(ws, PROMPT_DAY)
    register = Register(ws)
    unassigned = leads_of[f"{m['A6'].number}/2026-10"]
    with pytest.raises(UserError, match="今日没有在期的包保单位") as refused:
        items.open_item(register, HEAD, unassigned, PROMPT_DAY)
    assert refused.value.code == "unit_required"
    item_id = items.open_item(register, HEAD, unassigned, PROMPT_DAY, unit="城关镇人民政府")
    assert items.get_item(register, HEAD, item_id, PROMPT_DAY)["unit"] == "城关镇人民政府"
    handed = leads_of[f"{m['B4'].number}/2026-10"]
    assert items.propose(register, HEAD, handed, PROMPT_DAY)["units"] == ["县团委"]


def test_what_cannot_be_taken_up_is_refused_in_chinese(
    county: tuple[Workspace, dict[str, Minor]], tmp_path: Path
) -> None:
    ws, m = county
    leads_of = warned(ws, PROMPT_DAY)
    register = Register(ws)
    lead_id = leads_of[f"{m['A4'].number}/2026-10"]
    items.open_item(register, HEAD, lead_id, PROMPT_DAY)
    with pytest.raises(UserError, match="已列为督办事项 1") as twice:
        items.open_item(register, PROSECUTOR, lead_id, PROMPT_DAY)
    assert twice.value.code == "already_supervised"

    with ws.store.begin() as conn:  # a lead of another model, about a patient
        run = conn.execute(
            insert(runs).values(started_at=now(), as_of=PROMPT_DAY, engine="duckdb", models=[])
        ).inserted_primary_key[0]
        finding = Finding(
            subject=m["A1"].number, title="医院未报告", evidence=[{}], evidence_hash="x"
        )
        record_findings(conn, run, "report.mandatory", [finding], {})
        other = conn.execute(
            select(leads.c.id).where(leads.c.model_id == "report.mandatory")
        ).scalar()
    with pytest.raises(UserError, match="不是对某一名未成年人的预警") as not_warning:
        items.open_item(register, HEAD, other, PROMPT_DAY)
    assert not_warning.value.code == "not_a_warning"
    with pytest.raises(UserError, match="找不到线索 9999") as missing:
        items.open_item(register, HEAD, 9999, PROMPT_DAY)
    assert missing.value.code == "not_found"
    for who in (CHIEF, OTHER, HELPER):
        with pytest.raises(UserError) as refused:
            items.open_item(register, who, leads_of[f"{m['B2'].number}/2026-10"], PROMPT_DAY)
        assert refused.value.code == "forbidden", who

    dismissed = leads_of[f"{m['B2'].number}/2026-10"]
    with ws.store.begin() as conn:
        conn.execute(update(leads).where(leads.c.id == dismissed).values(status="dismissed"))
    with pytest.raises(UserError, match="已作不成案处理"):
        items.open_item(register, HEAD, dismissed, PROMPT_DAY)

    # the missing visit recorded: the next run no longer finds the warning
    send(ws, "minor_visits", [{"公民身份号码": m["A2"].number, "走访日期": "2026-10-28",
                               "走访对象": "学校", "走访人": "补访"}], tmp_path / "more")  # fmt: skip
    service.forget()
    stale = warned(ws, PROMPT_DAY)[f"{m['A2'].number}/2026-10"]
    with pytest.raises(UserError, match="不再命中") as gone:
        items.open_item(register, HEAD, stale, PROMPT_DAY)
    assert gone.value.code == "warning_not_open"

    with pytest.raises(UserError, match="二者选一"):
        items.open_item(register, HEAD, leads_of[f"{m['B4'].number}/2026-10"], PROMPT_DAY,
                        deadline=D(2026, 11, 30), working_days=5)  # fmt: skip
    with pytest.raises(UserError, match="应晚于今天"):
        items.open_item(register, HEAD, leads_of[f"{m['B4'].number}/2026-10"], PROMPT_DAY,
                        deadline=PROMPT_DAY)  # fmt: skip


def test_the_list_shows_overdue_items_first(either: tuple[Workspace, dict[str, Minor]]) -> None:
    ws, m = either
    leads_of = warned(ws, PROMPT_DAY)
    register = Register(ws)

    def take(key: str, **how: object) -> int:
        lead = leads_of[f"{m[key].number}/2026-10"]
        return items.open_item(register, HEAD, lead, PROMPT_DAY, **how)  # type: ignore[arg-type]

    later = take("A2", working_days=20)  # 2026-11-30
    soon = take("A4", working_days=3)  # 2026-11-05: overdue on the 9th
    sooner = take("A5", working_days=1)  # 2026-11-03: overdue longer
    done = take("B2", working_days=2)
    items.close_item(
        register, HEAD, done, D(2026, 11, 4), closed_on=D(2026, 11, 4), result="已走访"
    )
    today = D(2026, 11, 9)
    listed = items.list_items(register, CHIEF, today, state="all")
    assert [r["id"] for r in listed] == [sooner, soon, later, done]
    assert [r["status_label"] for r in listed] == ["逾期", "逾期", "办理中", "已办结"]
    assert [r["days_overdue"] for r in listed] == [6, 4, 0, 0]
    assert listed.overdue == 2 and listed.total == 4
    assert [r["name"] for r in listed] == ["安五", "安四", "安二", "白二"]
    assert all(mi.number not in str(listed) for mi in m.values())
    assert [r["id"] for r in items.list_items(register, HEAD, today)] == [sooner, soon, later]
    assert [r["id"] for r in items.list_items(register, HEAD, today, state="closed")] == [done]
    page = items.list_items(register, HEAD, today, state="all", offset=1, limit=2)
    assert [r["id"] for r in page] == [soon, later] and page.total == 4
    entry = [e for e in audit.query(ws.store) if e["action"] == "list"][-1]
    assert entry["object_type"] == "supervision_item" and entry["detail"]["shown"] == 2
    with pytest.raises(UserError) as refused:
        items.list_items(register, HELPER, today)
    assert refused.value.code == "forbidden"


def test_a_deadline_into_2027_is_marked_provisional(
    county: tuple[Workspace, dict[str, Minor]],
) -> None:
    ws, m = county
    leads_of = warned(ws, D(2026, 12, 21))
    register = Register(ws)
    lead = leads_of[f"{m['A4'].number}/2026-11"]
    proposal = items.propose(register, HEAD, lead, D(2026, 12, 21))
    assert proposal["deadline"] == D(2027, 1, 5)
    assert proposal["provisional"] == "（暂定：2027年节假日安排未公布，按法定节假日推算）"
    item_id = items.open_item(register, HEAD, lead, D(2026, 12, 21))
    assert "暂定" in items.get_item(register, HEAD, item_id, D(2026, 12, 21))["provisional"]


# ---------------------------------------------------------------------------- 一月一暗访

NOVEMBER = Month.parse("2026-11")
TODAY = D(2026, 12, 6)


def test_a_months_sample_is_drawn_once_reproduced_and_its_checks_recorded(
    either: tuple[Workspace, dict[str, Minor]], tmp_path: Path
) -> None:
    ws, m = either
    register = Register(ws)
    drawn = spot_checks.draw(register, HEAD, NOVEMBER, TODAY)
    # 城关镇: A1–A5, A7, C1, C2 assigned on 1 November (8: 5% rounds up to 1); 龙场乡: B1–B4, C3
    assert drawn.population == 13 and drawn.strata == {"城关镇": (8, 1), "龙场乡": (5, 1)}
    with pytest.raises(UserError, match="已经抽取") as again:
        spot_checks.draw(register, PROSECUTOR, NOVEMBER, TODAY)
    assert again.value.code == "already_drawn"

    sample = spot_checks.sample(register, CHIEF, NOVEMBER)
    assert sample.reproduced is True and len(sample.rows) == 2
    assert [r["stratum"] for r in sample.rows] == ["城关镇", "龙场乡"]
    assert all(mi.number not in str(sample.rows) for mi in m.values())
    assigned = {mi.name for mi in m.values() if mi.key != "A6"}
    assert {r["name"] for r in sample.rows} <= assigned

    first, second = sample.rows
    spot_checks.record_result(
        register, PROSECUTOR, first["id"], TODAY,
        result="走访不实", checked_on=D(2026, 12, 3), note="家长称11月无人上门",
    )  # fmt: skip
    spot_checks.record_result(
        register, PROSECUTOR, second["id"], TODAY, result="属实", checked_on=D(2026, 12, 4)
    )
    spot_checks.record_result(  # a correction: the newest stands
        register, HEAD, first["id"], TODAY,
        result="unreachable", checked_on=D(2026, 12, 5), note="复核：家中无人，未能核实",
    )  # fmt: skip
    after = spot_checks.sample(register, HEAD, NOVEMBER)
    assert [r["result_label"] for r in after.rows] == ["无法核实（未见到本人和家庭）", "走访属实"]
    assert after.counts() == {"unreachable": 1, "as_reported": 1} and after.checked == 2

    _, path = spot_checks.write_xlsx(register, CHIEF, NOVEMBER, tmp_path / "暗访.xlsx")
    rows = sheet_rows(path)
    assert rows[0][0] == "一月一暗访：2026年11月抽查名单及核查结果"
    body = table(rows)
    assert [(r[1], r[7], r[8], r[9]) for r in body] == [
        ("城关镇", "无法核实（未见到本人和家庭）", "2026-12-05", "周主任"),
        ("龙场乡", "走访属实", "2026-12-04", "张检察官"),
    ]
    assert not any(mi.number in str(rows) for mi in m.values())
    actions = [e["action"] for e in audit.query(ws.store) if e["object_type"] == "spot_check"]
    assert actions.count("draw_spot_checks") == 1 and actions.count("record_spot_check") == 3
    assert actions[-1] == "export"


def test_the_same_secret_and_data_draw_the_same_sample_in_another_workspace(
    county: tuple[Workspace, dict[str, Minor]], tmp_path: Path
) -> None:
    ws, _ = county
    spot_checks.secret(Register(ws))  # made once, the first time it is needed
    copy = open_workspace(Path(shutil.copytree(ws.root, tmp_path / "copy")))
    spot_checks.draw(Register(ws), HEAD, NOVEMBER, TODAY, percent=30, minimum=1)
    drawn = {r["name"] for r in spot_checks.sample(Register(ws), HEAD, NOVEMBER).rows}
    service.forget()
    spot_checks.draw(Register(copy), HEAD, NOVEMBER, TODAY, percent=30, minimum=1)
    assert {r["name"] for r in spot_checks.sample(Register(copy), HEAD, NOVEMBER).rows} == drawn
    other = init_workspace(tmp_path / "other")  # another workspace has another secret
    assert spot_checks.secret(Register(other)) != spot_checks.secret(Register(copy))
    assert (copy.root / "spot-check.key").stat().st_mode & 0o077 == 0


def test_what_a_sample_refuses(county: tuple[Workspace, dict[str, Minor]]) -> None:
    ws, _ = county
    register = Register(ws)
    with pytest.raises(UserError, match="尚未开始") as early:
        spot_checks.draw(register, HEAD, Month.parse("2027-01"), TODAY)
    assert early.value.code == "month_not_started"
    with pytest.raises(UserError, match="无从抽取"):
        spot_checks.draw(register, HEAD, Month.parse("2024-06"), TODAY)
    for who in (CHIEF, HELPER, OTHER):
        with pytest.raises(UserError) as refused:
            spot_checks.draw(register, who, NOVEMBER, TODAY)
        assert refused.value.code == "forbidden"
    with pytest.raises(UserError) as hidden:
        spot_checks.sample(register, HELPER, NOVEMBER)  # a unit never sees who is drawn
    assert hidden.value.code == "forbidden"
    spot_checks.draw(register, HEAD, NOVEMBER, TODAY, percent=100, minimum=1)
    check = spot_checks.sample(register, HEAD, NOVEMBER).rows[0]["id"]
    for result, day, note, code in (
        ("去过了", TODAY, "", "bad_result"),
        ("未走访", TODAY, "", "text_required"),
        ("属实", D(2026, 10, 31), "", "date_too_early"),
        ("属实", D(2026, 12, 7), "", "date_in_future"),
    ):
        with pytest.raises(UserError) as refused:
            spot_checks.record_result(
                register, HEAD, check, TODAY, result=result, checked_on=day, note=note
            )
        assert refused.value.code == code
    assert len(spot_checks.sample(register, HEAD, NOVEMBER).rows) == 13


def test_a_later_import_does_not_move_a_drawn_sample(
    county: tuple[Workspace, dict[str, Minor]], tmp_path: Path
) -> None:
    ws, m = county
    register = Register(ws)
    spot_checks.draw(register, HEAD, NOVEMBER, TODAY, percent=50, minimum=1)
    drawn = spot_checks.sample(register, HEAD, NOVEMBER)
    assert drawn.reproduced is True
    before = {r["name"] for r in drawn.rows}
    send(ws, "minor_assignments", [{"公民身份号码": m["A6"].number, "包保单位": "县妇联",
                                    "包保责任人": "新帮扶人", "开始日期": "2026-10-01"}],
         tmp_path / "more")  # fmt: skip
    service.forget()
    after = spot_checks.sample(Register(ws), HEAD, NOVEMBER)
    assert {r["name"] for r in after.rows} == before  # kept as drawn
    # 城关镇 now has 9 assigned minors on 1 November: half of them is 5, not 4. The page says
    # that today's data would draw otherwise; the sample stays as it was drawn.
    assert after.reproduced is False


# ---------------------------------------------------------------------------- 一季一督导


def test_the_quarters_figures_per_town_and_unit(
    county: tuple[Workspace, dict[str, Minor]], tmp_path: Path
) -> None:
    ws, m = county
    leads_of = warned(ws, PROMPT_DAY)
    register = Register(ws)
    items.open_item(register, HEAD, leads_of[f"{m['A4'].number}/2026-10"], PROMPT_DAY,
                         working_days=3)  # fmt: skip
    b2 = items.open_item(register, HEAD, leads_of[f"{m['B2'].number}/2026-10"], PROMPT_DAY)
    items.close_item(
        register, HEAD, b2, D(2026, 11, 10), closed_on=D(2026, 11, 10), result="已走访"
    )
    spot_checks.draw(register, HEAD, NOVEMBER, TODAY, percent=100, minimum=1)
    checks = spot_checks.sample(register, HEAD, NOVEMBER).rows
    b1 = next(r for r in checks if r["name"] == "白一")
    spot_checks.record_result(register, HEAD, b1["id"], TODAY, result="未走访",
                              checked_on=D(2026, 12, 2), note="未见走访")  # fmt: skip

    review = quarterly.review(register, CHIEF, Quarter(2026, 4), TODAY)
    assert [mo.label for mo in review.months] == ["2026-10", "2026-11"]
    assert [mo.label for mo in review.pending] == ["2026-12"]
    towns = {r["name"]: r for r in review.towns}
    # October: 城关镇 A1, A3, A7 done of A1–A7; November: nobody visited
    assert {k: towns["城关镇"][k] for k in ("minors", "assigned", "due", "done", "rate", "missing")} == {
        "minors": 9, "assigned": 8, "due": 14, "done": 3, "rate": "21.4%", "missing": 7,
    }  # fmt: skip
    assert (towns["城关镇"]["opened"], towns["城关镇"]["overdue"]) == (1, 1)  # A4's item
    assert (towns["龙场乡"]["opened"], towns["龙场乡"]["closed"], towns["龙场乡"]["overdue"]) == (
        1,
        1,
        0,
    )
    assert (towns["龙场乡"]["checks"], towns["龙场乡"]["not_visited"]) == (1, 1)
    assert {k: review.total[k] for k in ("minors", "due", "done", "rate", "opened", "closed")} == {
        "minors": 14, "due": 22, "done": 5, "rate": "22.7%", "opened": 2, "closed": 1,
    }  # fmt: skip
    units = {r["name"]: r for r in review.units}
    assert (units["县团委"]["minors"], units["县团委"]["due"], units["县团委"]["done"]) == (2, 4, 0)
    assert (units["县教育局"]["due"], units["县教育局"]["done"], units["县教育局"]["rate"]) == (
        2,
        1,
        "50.0%",
    )
    assert units["县团委"]["overdue"] == 1 and units["龙场乡政府"]["not_visited"] == 1
    assert review.units[-1]["name"] == "（未落实包保）" and review.units[-1]["due"] == 2

    _, path = quarterly.write_xlsx(register, CHIEF, Quarter(2026, 4), TODAY, tmp_path / "q.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["按乡镇（街道）", "按包保单位"]
    by_town = table([tuple(r) for r in book.worksheets[0].iter_rows(values_only=True)])
    assert by_town[0] == ("城关镇", 9, 8, 14, 3, "21.4%", 7, 1, 0, 1, 0, 0)
    assert by_town[-1][0] == "合计" and by_town[-1][3:6] == (22, 5, "22.7%")
    assert "2026-12 尚未结束" in str(book.worksheets[0]["A4"].value)
    with pytest.raises(UserError) as refused:
        quarterly.review(register, HELPER, Quarter(2026, 4), TODAY)
    assert refused.value.code == "forbidden"
    with pytest.raises(UserError, match="尚未开始"):
        quarterly.review(register, HEAD, Quarter(2027, 1), TODAY)
    assert [e["action"] for e in audit.query(ws.store) if e["object_type"] == "stats"] == [
        "view",
        "export",
    ]


def test_the_item_tables_refuse_a_second_item_for_one_lead_in_the_database(
    county: tuple[Workspace, dict[str, Minor]],
) -> None:
    ws, m = county
    leads_of = warned(ws, PROMPT_DAY)
    register = Register(ws)
    lead = leads_of[f"{m['A4'].number}/2026-10"]
    items.open_item(register, HEAD, lead, PROMPT_DAY)
    with pytest.raises(Exception, match=r"(?i)unique"), ws.store.begin() as conn:
        conn.execute(
            insert(supervision_items).values(
                lead_id=lead, model_id="x", id_card="x", unit="x", opened_on=PROMPT_DAY,
                deadline=PROMPT_DAY, deadline_basis="x", state="open", opened_by="x",
                created_at=now(), updated_at=now(),
            )
        )  # fmt: skip
