"""The audit log under many users: a reader never waits for a write, both chains verify, and
every way of hiding an entry — edited, deleted, the tail cut with its head rewritten — is found
and named by chain. A list view names its page, filters and (capped) ids with the counts."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select, text, update

from shujian import audit
from shujian.cli.main import cli
from shujian.users import User
from shujian.workspace import Workspace, init_workspace

WRITE_HELD = 3.0
"""How long the writer keeps its transaction open after appending its entry (seconds)."""


@pytest.fixture(params=["sqlite", "postgresql"])
def ws(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Workspace:
    if request.param == "postgresql":
        monkeypatch.setenv("SHUJIAN_STORE_URL", request.getfixturevalue("pg_url"))
    return init_workspace(tmp_path / "ws")


def test_a_view_completes_while_a_write_holding_its_entry_is_open_on_postgresql(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A prosecutor opening a lead must not wait for a colleague's change to commit (with one
    chain, the view queued on the head row for the whole of the write: checked on 097cb4e)."""
    monkeypatch.setenv("SHUJIAN_STORE_URL", pg_url)
    store = init_workspace(tmp_path / "ws").store
    appended, release = threading.Event(), threading.Event()

    def write() -> None:
        with store.begin() as conn:
            audit.record(conn, "检察官甲", "assign", "lead", 1, {"department": "行政检察部"})
            appended.set()
            release.wait(WRITE_HELD)

    writer = threading.Thread(target=write)
    writer.start()
    assert appended.wait(10)
    took: list[float] = []

    def read() -> None:
        started = time.perf_counter()
        audit.record_view(store, "检察官乙", "lead", 1)
        took.append(time.perf_counter() - started)

    readers = [threading.Thread(target=read) for _ in range(5)]
    for r in readers:
        r.start()
    deadline = time.monotonic() + WRITE_HELD - 1.0
    for r in readers:
        r.join(timeout=max(0.0, deadline - time.monotonic()))
    done_while_writing = len(took)
    assert writer.is_alive()
    release.set()
    writer.join()
    for r in readers:
        r.join()
    assert done_while_writing == 5, f"{done_while_writing} of 5 views done during the write"
    assert max(took) < 1.0, took
    assert audit.verify(store).ok
    assert {e["chain"] == audit.CHANGES for e in audit.query(store)} == {True, False}


def _some_entries(store: Engine) -> None:
    for n in range(3):
        with store.begin() as conn:
            audit.record(conn, "检察官甲", "assign", "lead", n, {"department": "行政检察部"})
        audit.record_view(store, "检察官乙", "lead", n)
    audit.record_view(store, "检察官乙", "case", 7, {"what": "history"})


def _newest_view(store: Engine) -> tuple[int, int, str]:
    """(chain, seq, label) of the newest view entry: on PostgreSQL a view takes any free chain."""
    newest = audit.query(store, action="view")[-1]
    return newest["chain"], newest["seq"], newest["chain_label"]


def _unguard(store: Engine) -> None:
    """What someone with direct write access to the database does first."""
    with store.begin() as conn:
        for table in ("audit_log", "audit_views"):
            if store.dialect.name == "sqlite":
                for verb in ("update", "delete"):
                    conn.execute(text(f"DROP TRIGGER {table}_no_{verb}"))
            else:
                conn.execute(text(f"DROP TRIGGER {table}_append_only ON {table}"))


def _tamper(store: Engine, sql: str, **params: object) -> audit.Verification:
    with store.begin() as conn:
        conn.execute(text(sql), params)
    return audit.verify(store)


def test_the_view_chain_is_append_only_in_the_database(ws: Workspace) -> None:
    _some_entries(ws.store)
    for sql in ("UPDATE audit_views SET actor = 'x'", "DELETE FROM audit_views"):
        with pytest.raises(Exception, match="append-only"), ws.store.begin() as conn:
            conn.execute(text(sql))
    assert audit.verify(ws.store).ok


def test_verify_names_an_edited_view_entry(ws: Workspace) -> None:
    store = ws.store
    _some_entries(store)
    chain, seq, label = _newest_view(store)
    _unguard(store)
    result = _tamper(
        store, "UPDATE audit_views SET actor = '某人' WHERE chain = :c AND seq = :s", c=chain, s=seq
    )
    assert result.problems == (f"{label}第 {seq} 条记录的内容与其哈希值不符（记录被修改）。",)


def test_verify_finds_the_last_view_entry_deleted(ws: Workspace) -> None:
    store = ws.store
    _some_entries(store)
    chain, seq, label = _newest_view(store)
    _unguard(store)
    result = _tamper(store, "DELETE FROM audit_views WHERE chain = :c AND seq = :s", c=chain, s=seq)
    assert not result.ok
    assert any(p.startswith(label) and "截断" in p for p in result.problems), result.problems


def test_verify_finds_the_last_change_cut_with_its_head_rewritten(ws: Workspace) -> None:
    """Hiding the newest change: delete it and make the head point at the entry before, as a
    single chain could not show. The views recorded after it still name it."""
    store = ws.store
    _some_entries(store)
    _unguard(store)
    with store.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 3"))
        prev = conn.execute(select(audit.audit_log).where(audit.audit_log.c.seq == 2)).one()
        conn.execute(
            update(audit.audit_head)
            .where(audit.audit_head.c.id == 1)
            .values(seq=prev.seq, hash=prev.hash)
        )
    result = audit.verify(store)
    assert result.problems  # each view chain that recorded a view after it says so
    for problem in result.problems:
        assert problem.startswith("查看记录链（")
        assert problem.endswith(
            "写入时变更记录链已有第 3 条记录，而变更记录链现在只到第 2 条"
            "（变更记录链末尾的记录被删除，头记录被改写）。"
        )


def test_verify_finds_the_last_views_cut_with_their_head_rewritten_once_a_change_follows(
    ws: Workspace,
) -> None:
    store = ws.store
    _some_entries(store)
    with store.begin() as conn:  # a change after the views counts them (4)
        audit.record(conn, "检察官甲", "dismiss", "lead", 2, {"reason": "不成案"})
    chain, seq, _ = _newest_view(store)
    _unguard(store)
    with store.begin() as conn:
        conn.execute(
            text("DELETE FROM audit_views WHERE chain = :c AND seq = :s"), {"c": chain, "s": seq}
        )
        prev = conn.execute(
            select(audit.audit_head.c.hash).where(audit.audit_head.c.id == chain)
        ).scalar_one()
        before = conn.execute(
            select(audit.audit_views.c.hash).where(
                audit.audit_views.c.chain == chain, audit.audit_views.c.seq == seq - 1
            )
        ).scalar()
        conn.execute(
            update(audit.audit_head)
            .where(audit.audit_head.c.id == chain)
            .values(seq=seq - 1, hash=before or audit.GENESIS)
        )
    assert prev != (before or audit.GENESIS)
    result = audit.verify(store)
    assert result.problems == (
        "变更记录链第 4 条记录写入时查看记录共有 4 条，而查看记录链现在合计只有 3 条"
        "（查看记录末尾被删除，头记录被改写）。",
    )


def test_verify_prints_both_heads_in_chinese_and_names_the_broken_chain(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    _some_entries(ws.store)
    runner = CliRunner()
    ok = runner.invoke(cli, ["-w", str(ws.root), "-u", "管理员", "audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "审计日志完整：共 7 条记录" in ok.output
    assert "变更记录链：3 条，最后一条为第 3 条" in ok.output
    assert "查看记录链（1）：4 条，最后一条为第 4 条" in ok.output  # SQLite: one view chain
    log = runner.invoke(cli, ["-w", str(ws.root), "-u", "管理员", "audit", "log"]).output
    assert [line.split()[0] for line in log.splitlines()] == [
        "变更记录链",
        "查看记录链（1）",
        "变更记录链",
        "查看记录链（1）",
        "变更记录链",
        "查看记录链（1）",
        "查看记录链（1）",
    ]
    _unguard(ws.store)
    _tamper(ws.store, "UPDATE audit_views SET detail = '{}' WHERE seq = 4")
    broken = runner.invoke(cli, ["-w", str(ws.root), "-u", "管理员", "audit", "verify"])
    assert broken.exit_code == 1
    assert "查看记录链（1）第 4 条记录的内容与其哈希值不符" in broken.output


def test_a_list_view_records_its_page_filters_capped_ids_and_counts(tmp_path: Path) -> None:
    store = init_workspace(tmp_path / "ws").store
    ids = list(range(1000, 1450))
    audit.record_list_view(
        store,
        "科长",
        "lead",
        {"status": "new", "department": "行政检察部", "prosecutor": None, "unassigned": False},
        ids,
        offset=900,
        limit=450,
        total=1350,
    )
    (entry,) = audit.query(store, action="list")
    assert entry["chain"] != audit.CHANGES
    assert (entry["object_type"], entry["actor"]) == ("lead", "科长")
    assert entry["detail"] == {
        "filters": {"status": "new", "department": "行政检察部"},
        "page": {"offset": 900, "limit": 450},
        "lead_ids": ids[: audit.MAX_LISTED_IDS],
        "shown": 450,
        "total": 1350,
    }
    assert audit.MAX_LISTED_IDS == 200


def test_an_unpaged_list_counts_what_it_showed_as_the_total(tmp_path: Path) -> None:
    from shujian.cases.service import list_cases

    store = init_workspace(tmp_path / "ws").store
    assert (
        list_cases(
            store,
            User("科长", "青岚县人民检察院", roles=frozenset({"single_user"})),
            department="行政检察部",
        )
        == []
    )
    (entry,) = audit.query(store, action="list")
    assert entry["detail"] == {
        "filters": {"department": "行政检察部"},
        "page": {"offset": 0, "limit": None},
        "case_ids": [],
        "shown": 0,
        "total": 0,
    }


@pytest.mark.parametrize(
    ("since", "until", "lower", "upper"),
    [
        # A Beijing day starts at 16:00 UTC the day before.
        (dt.date(2026, 12, 6), None, "2026-12-05T16:00:00.000000+00:00", None),
        (None, dt.date(2026, 12, 6), None, "2026-12-06T16:00:00.000000+00:00"),
        (
            dt.date(2026, 12, 31),
            dt.date(2026, 12, 31),
            "2026-12-30T16:00:00.000000+00:00",
            "2026-12-31T16:00:00.000000+00:00",
        ),
        (None, None, None, None),
    ],
)
def test_audit_days_are_beijing_days(
    since: dt.date | None, until: dt.date | None, lower: str | None, upper: str | None
) -> None:
    assert audit.china_day_bounds(since, until) == (lower, upper)


def test_an_entry_shows_in_beijing_time_under_its_beijing_day(ws: Workspace) -> None:
    """An entry made now is found under today's Beijing date, shown in Beijing time and in Chinese."""
    store = ws.store
    audit.record_view(store, "甲", "lead", 1)
    today = dt.datetime.now(audit.CHINA).date()
    (entry,) = audit.query(store, action="view", since=today, until=today)
    assert entry["local_at"][:10] == today.isoformat()
    assert entry["action_label"] == "查看" and entry["object_label"] == "线索"
    assert audit.query(store, action="view", until=today - dt.timedelta(days=1)) == []
    assert audit.china_time("2026-12-05T17:30:00.000001+00:00") == "2026-12-06 01:30:00"


@pytest.mark.parametrize(
    ("ids", "ranges"),
    [
        ([], []),
        ([5], [[5, 5]]),
        ([1, 2, 3], [[1, 3]]),
        ([3, 1, 2, 2], [[1, 3]]),
        ([1, 2, 4, 5, 9], [[1, 2], [4, 5], [9, 9]]),
        (list(range(1, 221_531)), [[1, 221_530]]),
    ],
)
def test_ids_are_named_as_runs_of_consecutive_numbers(
    ids: list[int], ranges: list[list[int]]
) -> None:
    assert audit.id_ranges(ids) == ranges
    named = [i for first, last in ranges for i in range(first, last + 1)]
    assert named == sorted(set(ids))
