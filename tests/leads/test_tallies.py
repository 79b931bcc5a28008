"""The tallies of leads (migration 0012) are kept by the database's triggers whoever writes a lead —
a run, a dispatch, a 不成案, a 成案, a bulk insert, an update in SQL, a delete — and are exact: the
queue's counts and the statistics read from them equal what counting the leads themselves gives,
on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from sqlalchemy import delete, update

from helpers import LIBRARY, assert_tallies_exact, lead_copies, person
from shujian.beijing import CHINA
from shujian.cases import stats
from shujian.cases.service import open_case
from shujian.leads import triage
from shujian.leads.queue import homes, queue
from shujian.leads.store import leads
from shujian.users import Departments
from shujian.workspace import init_workspace

HOME = homes(LIBRARY, Departments.bundled())
CHIEF = person("院领导", None, "chief")
HEAD = person("李部长")
PUBLIC = person("公益部长", "公益诉讼检察部", "department_head")
MINORS = person("未检部长", "未成年人检察部", "department_head")
ZHAO = person("赵检察官", "公益诉讼检察部")
WANG = person("王助理", "公益诉讼检察部", "assistant")
QIAN = person("钱检察官", "未成年人检察部")
FOUND = [  # Beijing instants, two on each side of a month's end
    dt.datetime(2026, 1, 15, 9, 0, tzinfo=CHINA),
    dt.datetime(2026, 3, 31, 23, 30, tzinfo=CHINA),  # 15:30 UTC, still March in Beijing
    dt.datetime(2026, 4, 1, 0, 10, tzinfo=CHINA),  # 31 March in UTC, April in Beijing
    dt.datetime(2026, 5, 20, 14, 0, tzinfo=CHINA),
]

FOUND_IN = {  # the same leads as a period of whole months, by days that are not
    "March": (dt.date(2026, 3, 2), dt.date(2026, 3, 31)),
    "spring": (dt.date(2026, 2, 27), dt.date(2026, 5, 2)),
}


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_the_tallies_follow_every_write_and_count_as_the_leads_do(
    tmp_path: Path, store: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if store == "postgresql":
        monkeypatch.setenv("SHUJIAN_STORE_URL", request.getfixturevalue("pg_url"))
    ws = init_workspace(tmp_path / "ws")
    ids = lead_copies(ws, tmp_path / "data", 16)  # bulk-inserted, as a run writes them
    assert_tallies_exact(ws.store)
    with ws.store.begin() as conn:  # found in other months; some no longer found; one removed
        for lead_id, at in zip(ids, itertools.cycle(FOUND), strict=False):
            stamp = at.astimezone(dt.UTC)
            conn.execute(update(leads).where(leads.c.id == lead_id).values(created_at=stamp))
        conn.execute(update(leads).where(leads.c.id.in_(ids[::5])).values(active=False))
        conn.execute(delete(leads).where(leads.c.id == ids[-1]))
    assert_tallies_exact(ws.store)

    triage.dispatch(ws.store, ids[0:6], "公益诉讼检察部", "赵检察官", HEAD, home=HOME)
    triage.dispatch(ws.store, ids[6:9], "公益诉讼检察部", "王助理", HEAD, home=HOME)
    triage.dispatch(ws.store, ids[9:11], "未成年人检察部", "钱检察官", HEAD, home=HOME)
    triage.dispatch(ws.store, [ids[1]], "未成年人检察部", "钱检察官", HEAD, home=HOME)  # again
    triage.dismiss(ws.store, ids[2:4], "已自行整改到位", ZHAO, home=HOME)
    triage.dismiss(ws.store, [ids[12]], "已自行整改到位", MINORS, home=HOME)  # undispatched
    open_case(
        ws.store, ids[4:6], "公益诉讼检察部", "赵检察官", ZHAO, "成案", dt.date(2026, 6, 1),
        confirm_stale=True,
    )  # fmt: skip
    assert_tallies_exact(ws.store)

    # the queue's counts from the tallies equal its counts from the leads (a day that is not a
    # month's first narrows the list to the leads path: every lead was found after 2000-01-02)
    everything = dt.date(2000, 1, 2)
    filters = [
        {"status": None},
        {"status": "new"},
        {"status": "dismissed"},
        {"status": None, "undispatched": True},
        {"status": None, "model_id": "campus.internet_cafe"},
        {"status": None, "department": "公益诉讼检察部"},
        {"status": None, "prosecutor": "赵检察官"},
        {"status": "new", "department": "未成年人检察部"},
    ]
    seen = set()
    for user, chosen in itertools.product([CHIEF, PUBLIC, MINORS, ZHAO, WANG, QIAN], filters):
        tallied = queue(ws.store, user, home=HOME, limit=1, offset=1, **chosen)
        counted = queue(ws.store, user, home=HOME, limit=1, offset=1, since=everything, **chosen)
        assert (tallied.total, tallied.stale) == (counted.total, counted.stale), (user, chosen)
        seen.add((tallied.total, tallied.stale))
    assert len(seen) > 5  # the filters and scopes do tell the leads apart

    # whole Beijing months are read from the tallies: March ends at midnight in Beijing
    def total(user, since, until, **chosen) -> int:  # type: ignore[no-untyped-def]
        page = queue(
            ws.store, user, home=HOME, limit=1, offset=1, since=since, until=until, **chosen
        )
        return page.total

    march = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert total(CHIEF, *march, status=None) == total(CHIEF, *FOUND_IN["March"], status=None) == 4
    spring = (dt.date(2026, 3, 1), dt.date(2026, 4, 30))
    for user, chosen in itertools.product([CHIEF, PUBLIC, MINORS, ZHAO, QIAN], filters):
        # no lead was found on 27–28 February or on 1–2 May
        assert total(user, *spring, **chosen) == total(user, *FOUND_IN["spring"], **chosen)

    # the statistics from the tallies equal the statistics from the leads: a period of whole
    # months is read from the tallies, one of other days from the leads
    def figures(user, **period):  # type: ignore[no-untyped-def]
        return stats.tables(ws.store, tuple(stats.DIMENSIONS), home=HOME, user=user, **period)

    for user in (CHIEF, PUBLIC, MINORS, ZHAO, QIAN):
        assert figures(user) == figures(user, since=dt.date(2000, 1, 2))
        # no lead was found between 16 January and 1 February, or between 21 May and 31 May
        assert figures(user, since=dt.date(2026, 2, 1)) == figures(user, since=dt.date(2026, 1, 16))
        assert figures(user, until=dt.date(2026, 5, 31)) == figures(
            user, until=dt.date(2026, 5, 21)
        )
    months = {r["key"]: r["leads"] for r in figures(CHIEF)["month"]}
    assert [months[m] for m in ("2026-01", "2026-03", "2026-04", "2026-05")] == [4, 4, 4, 3]


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_one_statement_of_many_leads_of_every_kind_is_counted_exactly(
    tmp_path: Path, store: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL an INSERT (or a COPY: `insert_many`) of many leads is counted once per
    statement (migration 0026), grouped by what each lead counts under: leads of two models,
    three statuses (the decided ones by the month decided), dispatched or not, 不再命中 or not,
    found on both sides of a Beijing month's end, some under a tally row that already exists."""
    from sqlalchemy import insert, select

    from shujian.store import insert_many

    if store == "postgresql":
        monkeypatch.setenv("SHUJIAN_STORE_URL", request.getfixturevalue("pg_url"))
    ws = init_workspace(tmp_path / "ws")
    lead_copies(ws, tmp_path / "data", 2)
    with ws.store.connect() as conn:
        model = dict(conn.execute(select(leads).limit(1)).one()._mapping)
    model.pop("id")
    kinds = itertools.product(
        ("campus.internet_cafe", "hotel.minor_guest"),
        ("new", "accepted", "dismissed"),
        (None, "公益诉讼检察部"),
        (True, False),
        FOUND,
    )
    rows = []
    for i, (model_id, status, department, active, found) in enumerate(kinds):
        decided = found.astimezone(dt.UTC) + dt.timedelta(days=40) if status != "new" else None
        rows.append(
            {
                **model,
                "model_id": model_id,
                "subject": f"批量-{i}",
                "status": status,
                "dispatch_department": department,
                "active": active,
                "created_at": found.astimezone(dt.UTC),
                "decided_at": decided,
            }
        )
    half = len(rows) // 2
    with ws.store.begin() as conn:
        conn.execute(insert(leads), rows[:half])  # SQLAlchemy's own many-row INSERT
        insert_many(conn, leads, rows[half:])  # PostgreSQL: one COPY
    assert_tallies_exact(ws.store)
    with ws.store.begin() as conn:
        conn.execute(delete(leads).where(leads.c.subject.in_([r["subject"] for r in rows[::3]])))
    assert_tallies_exact(ws.store)


def test_leads_counted_at_the_end_of_their_insert_on_sqlite_are_counted_exactly(
    tmp_path: Path,
) -> None:
    """SQLite has no statement-level trigger: a run's new leads are inserted without the row
    trigger and added to the tallies at the end, grouped (`leads.tallies`). Every kind of lead
    of the model is counted as the trigger counts it, the trigger is back as it was, a lead
    inserted later is counted by it, and a write that fails inside leaves the trigger in place."""
    from sqlalchemy import select

    from shujian.leads.tallies import INSERT_TRIGGER, counted_at_end
    from shujian.store import insert_many

    ws = init_workspace(tmp_path / "ws")
    lead_copies(ws, tmp_path / "data", 2)
    trigger_sql = "SELECT sql FROM sqlite_master WHERE name = ?"
    with ws.store.connect() as conn:
        model = dict(conn.execute(select(leads).limit(1)).one()._mapping)
        trigger = conn.exec_driver_sql(trigger_sql, (INSERT_TRIGGER,)).scalar()
    model.pop("id")
    assert trigger is not None
    kinds = itertools.product(
        ("new", "accepted", "dismissed"), (None, "公益诉讼检察部"), (True, False), FOUND
    )
    rows = []
    for i, (status, department, active, found) in enumerate(kinds):
        decided = found.astimezone(dt.UTC) + dt.timedelta(days=40) if status != "new" else None
        rows.append(
            {
                **model,
                "model_id": "hotel.minor_guest",  # the run's other model's lead is not counted
                "subject": f"一次写入-{i}",
                "status": status,
                "dispatch_department": department,
                "active": active,
                "created_at": found.astimezone(dt.UTC),
                "decided_at": decided,
            }
        )
    with ws.store.begin() as conn, counted_at_end(conn, "hotel.minor_guest", model["first_run_id"]):
        insert_many(conn, leads, rows)
    assert_tallies_exact(ws.store)
    with ws.store.connect() as conn:
        assert conn.exec_driver_sql(trigger_sql, (INSERT_TRIGGER,)).scalar() == trigger
    with ws.store.begin() as conn:  # the trigger counts again
        insert_many(conn, leads, [{**rows[5], "subject": "之后一条"}])
    assert_tallies_exact(ws.store)
    with (
        pytest.raises(RuntimeError),
        ws.store.begin() as conn,
        counted_at_end(conn, "hotel.minor_guest", model["first_run_id"]),
    ):
        insert_many(conn, leads, [{**rows[7], "subject": "失败的一条"}])
        raise RuntimeError("the run fails")
    with ws.store.connect() as conn:
        assert conn.exec_driver_sql(trigger_sql, (INSERT_TRIGGER,)).scalar() == trigger
        assert not conn.execute(select(leads.c.id).where(leads.c.subject == "失败的一条")).all()
    assert_tallies_exact(ws.store)
