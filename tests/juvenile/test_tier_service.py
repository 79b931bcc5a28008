"""分级干预 on a real workspace (the 督办 county, imported through the importer; the warnings
written by a real run of juvenile.visit_missing): a tier set from a warning, the history and the
tier now, every refusal that needs the store, every change audited, the table append-only in
SQLite and PostgreSQL; the minor's file with its own records and timeline (none of it for a
helping unit); 提前干预 and 确定干预等级人数 counted per person."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text, update

from juvenile.supervision_county import Minor, build
from shujian import audit
from shujian.beijing import today_in_china
from shujian.errors import UserError
from shujian.juvenile import statistics
from shujian.juvenile.counting import TOTAL
from shujian.juvenile.service import Register
from shujian.juvenile.tiers import service as tiers
from shujian.juvenile.tiers.rules import Change
from shujian.juvenile.tiers.store import intervention_tiers
from shujian.leads import triage
from shujian.leads.queue import homes
from shujian.leads.store import leads
from shujian.models.runner import run_models
from shujian.models.spec import load_library
from shujian.store import now
from shujian.users.departments import departments_of
from shujian.users.user import User
from shujian.workspace import Workspace, init_workspace

D = dt.date
P = "青岚县人民检察院"
JUV = "未成年人检察部"


def today() -> dt.date:
    """The runs of these tests find their warnings today (a lead's found day is its run's): a tier
    taking one up is decided today, one without a warning may be decided earlier. Read when a test
    runs, not when the module is imported: a suite crossing Beijing's midnight (16:00 UTC) found
    its warnings a day after a module-level date (failed in a fresh clone at 16:01 UTC)."""
    return today_in_china()


HEAD = User("周主任", P, JUV, frozenset({"department_head"}))
PROSECUTOR = User("张检察官", P, JUV, frozenset({"prosecutor"}))
CHIEF = User("王检察长", P, None, frozenset({"chief"}))
OTHER = User("公益检察官", P, "公益诉讼检察部", frozenset({"prosecutor"}))
HELPER = User("刘帮扶", P, None, frozenset({"helper"}), unit="县团委")


def warned(ws: Workspace) -> dict[str, int]:
    run_models(ws, load_library(), ["juvenile.visit_missing"], D(2026, 11, 2))
    with ws.store.connect() as conn:
        return dict(conn.execute(select(leads.c.subject, leads.c.id)).all())


@pytest.fixture
def county(tmp_path: Path) -> tuple[Workspace, dict[str, Minor], dict[str, int]]:
    ws = init_workspace(tmp_path / "ws")
    minors = build(ws, tmp_path / "files")
    return ws, minors, warned(ws)


@pytest.fixture(params=["sqlite", "postgresql"])
def either(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Workspace, dict[str, Minor], dict[str, int]]:
    if request.param == "postgresql":
        monkeypatch.setenv("SHUJIAN_STORE_URL", request.getfixturevalue("pg_url"))
    ws = init_workspace(tmp_path / "ws")
    minors = build(ws, tmp_path / "files")
    return ws, minors, warned(ws)


def t2(on: dt.date, lead: int | None = None) -> Change:
    return Change(
        tier="serious_misconduct",
        decided_on=on,
        items=("38.1",),
        reason="十月结伙拦截同学强拿硬要，四访未落实。",
        measures=("训诫", "责令具结悔过"),
        lead_id=lead,
    )


def test_a_tier_from_a_warning_then_ended_audited_and_append_only(either) -> None:  # type: ignore[no-untyped-def]
    ws, m, found = either
    a4 = m["A4"].number
    register = Register(ws)
    lead = found[f"{a4}/2026-10"]
    too_early = t2(today() - dt.timedelta(days=1), lead)
    with pytest.raises(UserError) as before_warning:
        tiers.set_tier(register, PROSECUTOR, a4, too_early, today())
    assert before_warning.value.code == "decided_before_warning"
    first = tiers.set_tier(register, PROSECUTOR, a4, t2(today(), lead), today())
    seen = tiers.history(register, CHIEF, a4)  # 院领导 see
    assert seen["current"] == "T2 严重不良行为"
    [c] = seen["changes"]
    assert (c["id"], c["decided_on"], c["lead_id"], c["decided_by"]) == (
        first,
        today(),
        lead,
        "张检察官",
    )
    assert c["items"] == [
        "第三十八条第一项：结伙斗殴，追逐、拦截他人，强拿硬要或者任意损毁、占用公私财物等寻衅滋事行为"
    ]
    assert c["measures"] == ["训诫（第四十一条）", "责令具结悔过（第四十一条）"]

    with pytest.raises(UserError) as earlier:
        tiers.set_tier(register, PROSECUTOR, a4, t2(today() - dt.timedelta(days=1)), today())
    assert earlier.value.code == "date_before_previous"
    ended = Change("ended", today(), reason=f"已返校（{a4}），经评估结束干预。")
    second = tiers.set_tier(register, HEAD, a4, ended, today())
    after = tiers.history(register, HEAD, a4)
    masked = f"已返校（{a4[:7]}********{a4[-3:]}），经评估结束干预。"
    assert after["changes"][-1]["reason"] == masked  # a number typed into the reason: masked
    [end] = [
        e for e in register.minor_file(HEAD, a4, today())["timeline"] if "结束干预" in e.summary
    ]
    assert masked in end.summary and a4 not in end.summary
    assert after["current"] is None and [x["tier"] for x in after["changes"]] == [
        "serious_misconduct",
        "ended",
    ]

    changes = [e for e in audit.query(ws.store) if e["action"] == "set_intervention_tier"]
    assert [(e["actor"], e["object_type"], e["object_id"]) for e in changes] == [
        ("张检察官", "minor", a4),
        ("周主任", "minor", a4),
    ]
    assert changes[0]["detail"]["lead_id"] == lead and changes[1]["detail"]["change"] == second
    views = [e for e in audit.query(ws.store) if e["action"] == "tiers"]
    assert [(e["actor"], e["detail"]["tiers"]) for e in views] == [("王检察长", 1), ("周主任", 2)]
    assert audit.verify(ws.store).ok

    # the history is append-only in the database too
    with pytest.raises(Exception, match="append-only"), ws.store.begin() as conn:
        conn.execute(update(intervention_tiers).values(tier="crime"))
    with pytest.raises(Exception, match="append-only"), ws.store.begin() as conn:
        conn.execute(text("DELETE FROM intervention_tiers"))
    with ws.store.connect() as conn:
        assert conn.execute(select(intervention_tiers.c.tier)).scalars().all() == [
            "serious_misconduct",
            "ended",
        ]


def refused(register: Register, user: User, id_card: str, change: Change) -> UserError:
    with pytest.raises(UserError) as caught:
        tiers.set_tier(register, user, id_card, change, today())
    assert caught.value.message
    return caught.value


def test_refusals_that_need_the_store(county) -> None:  # type: ignore[no-untyped-def]
    ws, m, found = county
    register = Register(ws)
    a4, a2 = m["A4"].number, m["A2"].number
    on = today()
    # not this minor's warning
    error = refused(register, PROSECUTOR, a4, t2(on, found[f"{a2}/2026-10"]))
    assert error.code == "warning_not_this_minor"
    # a warning the user does not see is not found, like one that does not exist
    other_lead = found[f"{m['B2'].number}/2026-10"]
    home = homes(register.library, departments_of(ws))
    triage.dispatch(ws.store, [other_lead], "公益诉讼检察部", "公益检察官", HEAD, home=home)
    hidden = refused(register, PROSECUTOR, m["B2"].number, t2(on, other_lead))
    missing = refused(register, PROSECUTOR, m["B2"].number, t2(on, 99999))
    assert hidden.code == missing.code == "not_found"
    # the minor is not on the register on the day decided (identified on 2025-01-10)
    assert refused(register, HEAD, a4, t2(D(2025, 1, 9))).code == "not_on_register_on_day"
    # nor known to the register at all: answered as not found
    assert refused(register, HEAD, "110101201001011234", t2(on)).code == "not_found"
    # who may not set a tier
    for user in (CHIEF, OTHER, HELPER):
        assert refused(register, user, a4, t2(on)).code == "forbidden"
    for user in (OTHER, HELPER):
        with pytest.raises(UserError) as no_view:
            tiers.history(register, register.with_grants(user, today()), a4)
        assert no_view.value.code == "forbidden"
    with ws.store.connect() as conn:
        assert conn.execute(select(intervention_tiers.c.id)).first() is None


def test_the_file_has_the_own_records_and_one_timeline_but_not_for_a_helper(county) -> None:  # type: ignore[no-untyped-def]
    ws, m, found = county
    register = Register(ws)
    a4 = m["A4"].number
    lead = found[f"{a4}/2026-10"]
    tiers.set_tier(register, PROSECUTOR, a4, t2(today(), lead), today())
    file = register.minor_file(HEAD, a4, today())
    [entry] = file["own"]["tiers"]
    assert entry.kind == "干预等级" and entry.on == today()
    assert entry.summary.startswith("T2 严重不良行为；理由：第三十八条第一项")
    assert f"承接预警（线索 {lead}）" in entry.summary and a4 not in entry.summary
    kinds = [(e.on, e.kind) for e in file["timeline"]]
    warnings = len(file["warnings"])  # one per month the look-back found unvisited
    assert warnings >= 1 and kinds == [
        (D(2025, 1, 1), "包保开始"),
        (D(2025, 1, 10), "名册认定"),
        *[(today(), "预警")] * warnings,  # the day's warnings before the day's own records
        (today(), "干预等级"),
    ]
    assert f"/leads/{lead}" in [e.link for e in file["timeline"]]
    assert all(a4 not in e.summary for e in file["timeline"])
    view = [e for e in audit.query(ws.store) if e["action"] == "view" and e["object_id"] == a4][-1]
    assert view["detail"]["own"] == {"guardianship": 0, "tiers": 1, "probation": 0}

    helper = register.with_grants(HELPER, today())  # 县团委 helps A4 today
    theirs = register.minor_file(helper, a4, today())
    assert theirs["own"] is None
    assert [e.kind for e in theirs["timeline"]] == ["包保开始", "名册认定"]
    view = [e for e in audit.query(ws.store) if e["actor"] == "刘帮扶"][-1]
    assert view["detail"]["own"] is None


def test_early_intervention_and_tiers_set_are_counted_per_person(county) -> None:  # type: ignore[no-untyped-def]
    ws, m, found = county
    register = Register(ws)
    a4, b2, a2 = m["A4"].number, m["B2"].number, m["A2"].number
    november = (D(2026, 11, 1), D(2026, 11, 30))
    statistics.forget()
    before = statistics.compute(register, HEAD, *november, today())
    total = next(r for r in before.tables["category"] if r["key"] == TOTAL)
    assert (total["tiers_set"], total["early_intervention"]) == (0, 0)
    assert "early_intervention" not in [f.id for f in before.pending]

    tiers.set_tier(register, HEAD, b2, t2(D(2026, 11, 5)), today())  # no warning taken up
    tiers.set_tier(register, HEAD, b2, Change("ended", D(2026, 11, 20), reason="结束。"), today())
    tiers.set_tier(register, HEAD, a4, t2(today(), found[f"{a4}/2026-10"]), today())
    tiers.set_tier(register, HEAD, a4, t2(today(), found[f"{a4}/2026-09"]), today())  # again: one
    tiers.set_tier(register, HEAD, a2, t2(today(), found[f"{a2}/2026-10"]), today())

    def totals(user: User, since: dt.date, until: dt.date) -> tuple[int, int]:
        stats = statistics.compute(register, user, since, until, today())
        row = next(r for r in stats.tables["category"] if r["key"] == TOTAL)
        return row["tiers_set"], row["early_intervention"]

    assert totals(HEAD, *november) == (1, 0)  # the answer kept before the changes is not reused
    assert totals(CHIEF, today(), today()) == (2, 2)
    assert totals(HEAD, D(2026, 11, 1), today()) == (3, 2)
    since_november = statistics.compute(register, HEAD, D(2026, 11, 1), today(), today())
    by_town = {r["key"]: r for r in since_november.tables["town"]}
    assert (by_town["城关镇"]["tiers_set"], by_town["城关镇"]["early_intervention"]) == (2, 2)
    assert (by_town["龙场乡"]["tiers_set"], by_town["龙场乡"]["early_intervention"]) == (1, 0)
    # a helping unit's account sees neither figure
    helper = statistics.compute(
        register, register.with_grants(HELPER, today()), D(2026, 11, 1), today(), today()
    )
    assert {"tiers_set", "early_intervention"}.isdisjoint(f.id for f in helper.figures)


def test_two_changes_of_one_minor_at_once_are_taken_in_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pg_url: str
) -> None:
    """PostgreSQL: while one change of a minor is being recorded, another waits for it and is
    then checked against it (without the lock it would read no previous change and be kept,
    dated before the one recorded first)."""
    monkeypatch.setenv("SHUJIAN_STORE_URL", pg_url)
    ws = init_workspace(tmp_path / "ws")
    b2 = build(ws, tmp_path / "files")["B2"].number
    Register(ws).registry_rows()  # read once, before the threads
    outcome: dict[str, str] = {}

    def earlier() -> None:
        try:
            tiers.set_tier(Register(ws), HEAD, b2, t2(today() - dt.timedelta(days=3)), today())
            outcome["kept"] = "yes"
        except UserError as refused:
            outcome["refused"] = refused.code or ""

    with ws.store.begin() as conn:  # a change of B2 in the middle of being recorded
        tiers._lock_minor(conn, b2)
        conn.execute(
            insert(intervention_tiers).values(
                id_card=b2, tier="serious_misconduct", decided_on=today(), items=["38.1"],
                reason="先登记的一条", measures=[], decided_by="周主任", at=now(),
            )
        )  # fmt: skip
        waiting = threading.Thread(target=earlier)
        waiting.start()
        waiting.join(1.5)
        assert waiting.is_alive()  # it waits for the first change
    waiting.join(20)
    assert outcome == {"refused": "date_before_previous"}
    with ws.store.connect() as conn:
        assert conn.execute(select(intervention_tiers.c.reason)).scalars().all() == ["先登记的一条"]
