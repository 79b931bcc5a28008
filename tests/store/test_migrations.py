"""The case store's schema belongs to its migrations: made by them, checked on open, upgraded by
the administrator, and a store of the previous release keeps its data through the upgrade."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy import Connection, create_engine, inspect, text

from helpers import AS_OF, LIBRARY, assert_tallies_exact, load_fixture_data, person
from shujian import migrations
from shujian.beijing import today_in_china
from shujian.cli.main import cli
from shujian.errors import UserError
from shujian.leads.service import list_leads
from shujian.models.runner import run_models
from shujian.store import open_store
from shujian.workspace import init_workspace, open_workspace

RELEASE_010 = Path(__file__).parents[1] / "fixtures" / "release-0.1.0"


def shujian(ws: Path, *args: str, code: int = 0):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["-w", str(ws), "-u", "张检察官", *args])
    assert result.exit_code == code, result.output
    return result


def test_a_new_workspace_is_made_by_the_migrations(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    with ws.store.connect() as conn:
        assert migrations.version(conn).state == "current"
        assert conn.execute(text("SELECT seq FROM audit_head WHERE id = 1")).scalar() == 0
    with pytest.raises(Exception, match="append-only"), ws.store.begin() as conn:
        conn.execute(text("INSERT INTO audit_log (seq, at, actor, action, object_type, "
                          "object_id, detail, prev_hash, hash) "
                          "VALUES (1,'t','a','b','c','d','{}','p','h')"))  # fmt: skip
        conn.execute(text("UPDATE audit_log SET actor = 'x'"))


def test_opening_an_empty_store_creates_nothing_and_says_what_to_do(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    with pytest.raises(UserError, match="需要管理员先建表") as refused:
        open_store(url)
    assert refused.value.code == "store_empty"
    assert inspect(create_engine(url)).get_table_names() == []


def test_a_store_of_a_version_this_program_does_not_know_is_refused(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    with ws.store.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(UserError, match="不认识这个版本") as refused:
        open_store(ws.store_url)
    assert refused.value.code == "store_unknown_version"
    shujian(ws.root, "db", "upgrade", code=2)  # an upgrade refuses it too, changing nothing
    with ws.store.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999"


def _release_010_workspace(tmp_path: Path, store: str) -> Path:
    """A workspace as release 0.1.0 left it (tests/fixtures/release-0.1.0/make.sh)."""
    ws = tmp_path / "ws"
    ws.mkdir()
    shutil.copy(RELEASE_010 / "shujian.toml", ws / "shujian.toml")
    folder = "warehouse" if store == "sqlite" else "warehouse-postgresql"
    shutil.copytree(RELEASE_010 / folder, ws / "warehouse")
    for sub in ("reports", "models", "datasets"):
        (ws / sub).mkdir()
    if store == "sqlite":
        con = sqlite3.connect(ws / "case_store.sqlite")
        con.executescript((RELEASE_010 / "store.sqlite.sql").read_text(encoding="utf-8"))
        con.close()
    return ws


def _load_pg_dump(url: str) -> None:
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        dump = (RELEASE_010 / "store.postgresql.sql").read_text(encoding="utf-8")
        # psql meta-commands (pg_dump writes \\restrict lines) are not SQL
        conn.execute("\n".join(x for x in dump.splitlines() if not x.startswith("\\")))


def _release_010_store(
    tmp_path: Path, store: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, str]:
    """The workspace of release 0.1.0 and its store's URL (SQLite in the workspace, or a new
    PostgreSQL database the workspace is pointed to)."""
    ws = _release_010_workspace(tmp_path, store)
    if store == "sqlite":
        return ws, f"sqlite:///{ws / 'case_store.sqlite'}"
    url = request.getfixturevalue("pg_url")
    _load_pg_dump(url)
    monkeypatch.setenv("SHUJIAN_STORE_URL", url)
    return ws, url


MISSING_DOCUMENT = (
    "- 检察建议书 青检行公建〔2026〕1号（#1）的文书文件 documents/2026/青检行公建〔2026〕1号.docx"
    " 已不存在（被删除或移走）。"
)


def _verify_problems(ws: Path) -> list[str]:
    """The differences `audit verify` lists (it exits 1 when there are any)."""
    result = CliRunner().invoke(cli, ["-w", str(ws), "-u", "张检察官", "audit", "verify"])
    assert result.exit_code == 1, result.output
    assert "时为已有数据（线索、案件、办案记录、检察建议书）建立的状态摘要基线" in result.output
    return [line for line in result.output.splitlines() if line.startswith("- ")]


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_a_store_of_release_010_is_refused_then_upgraded_with_its_data(
    tmp_path: Path, store: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = _release_010_workspace(tmp_path, store)
    if store == "postgresql":
        url = request.getfixturevalue("pg_url")
        _load_pg_dump(url)
        monkeypatch.setenv("SHUJIAN_STORE_URL", url)

    refused = shujian(ws, "leads", "list", code=2)
    assert "需要升级" in refused.output and "shujian db upgrade" in refused.output
    assert "未编号的早期版本" in shujian(ws, "db", "upgrade").output
    assert "无需升级" in shujian(ws, "db", "upgrade").output
    assert_tallies_exact(open_workspace(ws).store)  # counted from the leads it found

    listed = shujian(ws, "leads", "list", "--status", "all").output
    assert "不成案" in listed and "成案" in listed
    case = shujian(ws, "cases", "show", "1").output
    assert "送达" in case and "青检行公建〔2026〕1号" in case
    # the fixture keeps the store, not the 检察建议书 file release 0.1.0 wrote: verify names the
    # missing file and nothing else, and says the history before the upgrade cannot be proven
    assert _verify_problems(ws) == [MISSING_DOCUMENT]
    # the workspace goes on working: a next step, a re-run that respects the dismissal
    shujian(ws, "cases", "act", "1", "进入回复期", "--on", "2026-06-12")
    shujian(ws, "run", "campus.internet_cafe", "--as-of", "2026-06-02")
    assert "不成案" in shujian(ws, "leads", "list", "--status", "all").output
    assert _verify_problems(ws) == [MISSING_DOCUMENT]
    assert_tallies_exact(open_workspace(ws).store)


def test_a_store_from_before_the_evidence_count_is_adopted_with_true_counts(
    tmp_path: Path,
) -> None:
    ws = _release_010_workspace(tmp_path, "sqlite")
    con = sqlite3.connect(ws / "case_store.sqlite")
    con.execute("ALTER TABLE leads DROP COLUMN evidence_rows")
    con.execute("ALTER TABLE batches ADD COLUMN report VARCHAR(512)")
    con.commit()
    con.close()
    out = shujian(ws, "db", "upgrade").output
    assert "补记证据行数" in out and "report" in out
    con = sqlite3.connect(ws / "case_store.sqlite")
    rows = con.execute("SELECT evidence_rows, json_array_length(evidence) FROM leads").fetchall()
    assert rows and all(count == length > 0 for count, length in rows)


def test_a_store_that_differs_otherwise_is_refused_unchanged(tmp_path: Path) -> None:
    ws = _release_010_workspace(tmp_path, "sqlite")
    con = sqlite3.connect(ws / "case_store.sqlite")
    con.execute("ALTER TABLE cases DROP COLUMN juvenile")
    con.commit()
    con.close()
    out = shujian(ws, "db", "upgrade", code=2).output
    assert "cases 缺少列：juvenile" in out
    tables = {r[0] for r in sqlite3.connect(ws / "case_store.sqlite").execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}  # fmt: skip
    assert "alembic_version" not in tables


def test_opening_a_postgresql_store_does_not_wait_behind_a_write(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each command opens the store: it must not take table locks an open write holds (the
    release 0.1.0 re-created its triggers on every open and waited for the write to end)."""
    monkeypatch.setenv("SHUJIAN_STORE_URL", pg_url)
    ws = init_workspace(tmp_path / "ws")
    writer = psycopg.connect(pg_url.replace("+psycopg", ""))
    # a write in progress: an audit entry not yet committed (checked: release 0.1.0 waits here)
    writer.execute("INSERT INTO audit_log VALUES (1, 't', 'a', 'b', 'c', 'd', '{}', 'p', 'h')")
    took: list[float] = []

    def open_and_read() -> None:
        started = time.perf_counter()
        engine = open_store(ws.store_url)
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM leads")).scalar()
        took.append(time.perf_counter() - started)

    reader = threading.Thread(target=open_and_read)
    reader.start()
    reader.join(timeout=10)
    writer.rollback()
    writer.close()
    reader.join()
    assert took and took[0] < 5, took


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_the_migrations_make_exactly_the_tables_the_code_declares(
    tmp_path: Path, store: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table or column declared in code without its migration (or the reverse) fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from shujian.store import metadata

    if store == "postgresql":
        monkeypatch.setenv("SHUJIAN_STORE_URL", request.getfixturevalue("pg_url"))
    ws = init_workspace(tmp_path / "ws")
    with ws.store.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_a_dispatch_made_before_0004_survives_its_rename(
    tmp_path: Path, store: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migration 0005 renames `lead_assignments` to `lead_dispatches` keeping every row; the event
    written then (kind `assigned`) stays as it was and still reads as 分派."""
    import datetime as dt

    import sqlalchemy as sa
    from alembic import command

    from shujian.store import connect_store

    ws, url = _release_010_store(tmp_path, store, request, monkeypatch)
    engine = connect_store(url)
    at = dt.datetime(2026, 6, 1, 9, 30, tzinfo=dt.UTC)
    with engine.begin() as conn:  # a store at 0004, and a 分派 made by the code of that time
        migrations._adopt(conn)
        command.stamp(migrations._config(conn), migrations.BASELINE)
        command.upgrade(migrations._config(conn), "0004")
        conn.execute(
            text(
                "INSERT INTO lead_assignments (lead_id, department, prosecutor, assigned_at, "
                "actor) VALUES (2, '公益诉讼检察部', '李检察官', :at, '李部长')"
            ),
            {"at": at},
        )
        events = sa.table(
            "lead_events", *(sa.column(c) for c in ("lead_id", "at", "kind", "actor")),
            sa.column("detail", sa.JSON),
        )  # fmt: skip
        conn.execute(
            sa.insert(events).values(
                lead_id=2,
                at=at,
                kind="assigned",
                actor="李部长",
                detail={"department": "公益诉讼检察部", "prosecutor": "李检察官"},
            )
        )
    engine.dispose()

    assert f"升级到版本 {migrations.head()}" in shujian(ws, "db", "upgrade").output
    listed = shujian(ws, "leads", "list", "--status", "all").output
    assert "公益诉讼检察部/李检察官" in listed
    shown = shujian(ws, "leads", "show", "2").output
    assert "承办：公益诉讼检察部 / 李检察官" in shown
    assert re.search(r"分派\s+李部长", shown), shown
    engine = connect_store(url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT prosecutor, dispatched_at, actor FROM lead_dispatches"))
        prosecutor, dispatched_at, actor = row.one()
        kinds = conn.execute(text("SELECT kind FROM lead_events WHERE lead_id = 2")).scalars()
        assert (prosecutor, actor) == ("李检察官", "李部长")
        assert str(dispatched_at).startswith("2026-06-01")
        assert "assigned" in list(kinds)
        assert "lead_assignments" not in inspect(conn).get_table_names()
    engine.dispose()


def test_a_reply_recorded_as_outcome_by_release_010_still_guards_and_counts(
    tmp_path: Path,
) -> None:
    """回复结果 was recorded under `outcome` before 成效 took that word: history is not
    rewritten, so the objection steps and the statistics read the old key too."""
    ws = _release_010_workspace(tmp_path, "sqlite")
    shujian(ws, "db", "upgrade")
    shujian(ws, "cases", "act", "1", "进入回复期", "--on", "2026-06-12")
    con = sqlite3.connect(ws / "case_store.sqlite")
    with con:  # a 登记回复 step as release 0.1.0 wrote it
        con.execute(
            "INSERT INTO case_events (case_id, at, on_date, actor, action, from_state, to_state, "
            "reason, fields) VALUES (1, '2026-06-20 08:00:00.000000', '2026-06-20', '张检察官', "
            "'record_reply', 'awaiting_reply', 'replied', '', ?)",
            ('{"outcome": "提出异议"}',),
        )
        con.execute("UPDATE cases SET state = 'replied' WHERE id = 1")
    shown = shujian(ws, "cases", "show", "1").output
    assert "回复结果" in shown and "提出异议" in shown
    shujian(
        ws, "cases", "act", "1", "uphold_objection", "--reason", "异议成立", "--on", "2026-06-21"
    )
    assert "撤回检察建议" in shujian(ws, "cases", "show", "1").output


def test_the_revisions_read_as_text_are_alembic_s() -> None:
    """The check every command makes reads the revision files as text (importing Alembic's
    script directory costs about a second); it must agree with Alembic."""
    script = migrations._script()
    assert migrations.head() == script.get_current_head()
    assert migrations.known() == {r.revision for r in script.walk_revisions()}


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_leads_of_release_010_gain_an_indexed_town_filled_by_the_next_run(
    tmp_path: Path, store: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migration 0009 adds `leads.town` (NULL for the leads it finds) and its index; the next
    run of a model declaring a town writes it on every lead it finds, whatever their status."""
    ws_path = _release_010_workspace(tmp_path, store)
    if store == "postgresql":
        url = request.getfixturevalue("pg_url")
        _load_pg_dump(url)
        monkeypatch.setenv("SHUJIAN_STORE_URL", url)
    shujian(ws_path, "db", "upgrade")
    ws = open_workspace(ws_path)
    with ws.store.connect() as conn:
        indexes = {i["name"]: i["column_names"] for i in inspect(conn).get_indexes("leads")}
    assert indexes["ix_leads_town"] == ["town"]
    before = list_leads(ws.store)
    assert {x["status"] for x in before} == {"accepted", "dismissed"}
    assert {x["town"] for x in before} == {None}

    def addresses(dataset: str, rows: list[dict]) -> None:
        if dataset == "venues":
            for r in rows:
                r["地址"] = f"青岚县新场镇兴业路{len(r['场所名称'])}号"

    (tmp_path / "files").mkdir()
    load_fixture_data(ws, tmp_path / "files", addresses)
    run_models(ws, LIBRARY, ["campus.internet_cafe"], AS_OF)
    after = {x["id"]: x for x in list_leads(ws.store)}
    assert {after[x["id"]]["town"] for x in before} == {"新场镇"}
    ws.store.dispose()


def _rows_of_0023(conn: Connection, root: Path) -> None:
    """What the code of revisions 0020 to 0023 wrote, with no record of any of it: a 支持起诉意见书
    (its file on disk) and a 国家司法救助决定书 on case 1, a hearing with its 听证员 and step, a
    检察长接待日 and a petition received on it with its step. Tables as they were at 0023."""
    import hashlib

    import sqlalchemy as sa

    at = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
    document = "documents/2026/青检民支〔2026〕1号.docx"
    (root / "documents" / "2026").mkdir(parents=True, exist_ok=True)
    (root / document).write_bytes(b"PK\x03\x04 the opinion as 0020 rendered it")
    digest = hashlib.sha256((root / document).read_bytes()).hexdigest()
    rows: list[tuple[str, dict[str, object]]] = [
        ("support_opinions", {"case_id": 1, "procuratorate": "青岚县人民检察院", "year": 2026,
         "seq": 1, "number": "青检民支〔2026〕1号", "numbering": "counter", "court": "青岚县人民法院",
         "issued_on": dt.date(2026, 11, 20), "content": {"court": "青岚县人民法院"},
         "document": document, "document_sha256": digest, "actor": "李检察官", "created_at": at}),
        ("judicial_aid_decisions", {"case_id": 1, "number": "青检救〔2026〕1号", "year": 2026,
         "seq": 1, "issued_on": dt.date(2026, 11, 20), "content": {"amount": "50,000.00"},
         "actor": "李检察官", "at": at}),
        ("hearings", {"case_id": 1, "matter": "是否制发检察建议", "public": True, "place": "听证室",
         "host": "李检察官", "scheduled_on": dt.date(2026, 11, 25),
         "notified_on": dt.date(2026, 11, 20), "announced_on": dt.date(2026, 11, 19),
         "state": "scheduled", "created_by": "李检察官", "created_at": at, "updated_at": at}),
        ("hearing_members", {"hearing_id": 1, "seq": 1, "name": "周人大", "identity": "人大代表",
         "born_on": dt.date(1970, 3, 1)}),
        ("hearing_events", {"hearing_id": 1, "at": at, "on_date": dt.date(2026, 11, 20),
         "kind": "scheduled", "actor": "李检察官", "detail": {"matter": "是否制发检察建议"}}),
        ("reception_days", {"on_date": dt.date(2026, 11, 20), "leader": "王检察长",
         "place": "接待室", "note": "", "actor": "赵控申", "at": at}),
        ("petitions", {"received_on": dt.date(2026, 11, 20), "channel": "visit",
         "category": "complaint", "name": "张三", "contact": "13900000000", "minor": False,
         "no_contact": False, "matter": "反映工程款被拖欠", "state": "received",
         "procedural_due": dt.date(2026, 11, 27), "result_due": dt.date(2027, 2, 20),
         "reception_day_id": 1, "registered_by": "赵控申", "created_at": at, "updated_at": at}),
        ("petition_events", {"petition_id": 1, "at": at, "on_date": dt.date(2026, 11, 20),
         "kind": "received", "actor": "赵控申", "text": "反映工程款被拖欠", "detail": {}}),
    ]  # fmt: skip
    for name, values in rows:
        columns = [
            sa.column(c, sa.JSON if isinstance(v, dict) else None) for c, v in values.items()
        ]
        conn.execute(sa.insert(sa.table(name, *columns)).values(**values))


def _upgraded_to_0023_with_rows(conn: Connection, root: Path) -> None:
    """The store of release 0.1.0 adopted, upgraded to 0023 and given `_rows_of_0023`."""
    from alembic import command

    migrations._adopt(conn)
    command.stamp(migrations._config(conn), migrations.BASELINE)
    command.upgrade(migrations._config(conn), "0023")
    _rows_of_0023(conn, root)


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_a_store_of_0023_with_petitions_hearings_and_aid_verifies_clean_after_0024(
    tmp_path: Path, store: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """0024 records the rows of 支持起诉, 国家司法救助, 公开听证 and 信访 a store already held,
    naming itself in verify's note; from then on a step through the services verifies, and a
    forgery of one of those rows is named. (0019 recorded only its own four kinds: the store of
    release 0.1.0 has none of these tables then.) 0024 runs before 0025 adds the 决定书's file
    columns: it records them as NULL, as 0025 adds them, so 0025 has nothing to record again."""
    from shujian.petitions.service import Petitions, route
    from shujian.store import connect_store

    ws, url = _release_010_store(tmp_path, store, request, monkeypatch)
    engine = connect_store(url)
    with engine.begin() as conn:
        _upgraded_to_0023_with_rows(conn, ws)
    engine.dispose()

    assert f"升级到版本 {migrations.head()}" in shujian(ws, "db", "upgrade").output
    result = CliRunner().invoke(cli, ["-w", str(ws), "-u", "张检察官", "audit", "verify"])
    assert [x for x in result.output.splitlines() if x.startswith("- ")] == [MISSING_DOCUMENT]
    notes = re.findall(r"为升级到数据库版本 (\d+) 时为已有数据（(.*?)）建立", result.output)
    assert notes == [
        ("0019", "线索、案件、办案记录、检察建议书"),
        ("0024", "支持起诉意见书、国家司法救助决定书、听证会、听证员、听证记录、检察长接待日、"
                 "信访件、信访办理记录"),
    ]  # fmt: skip

    upgraded = open_workspace(ws)
    route(Petitions(upgraded), person("赵控申", "控告申诉检察部"), today_in_china(), 1,
          "民事检察部", on=dt.date(2026, 11, 21))  # fmt: skip
    upgraded.store.dispose()
    assert _verify_problems(ws) == [MISSING_DOCUMENT]
    engine = connect_store(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE hearings SET record = '伪造的笔录' WHERE id = 1"))
    engine.dispose()
    (ws / "documents/2026/青检民支〔2026〕1号.docx").write_bytes(b"PK\x03\x04 another")
    found = _verify_problems(ws)
    assert found[2].startswith("- 案件 #1 的听证会 #1（表 hearings）的听证笔录与审计记录")
    assert found[2].endswith("（被直接改动）。")
    assert found[1].startswith(
        "- 支持起诉意见书 青检民支〔2026〕1号（#1）的文书文件 documents/2026/青检民支〔2026〕1号.docx"
        " 与写入时记录的 SHA-256 不符"
    )
    assert len(found) == 3


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_a_store_of_0024_with_an_aid_decision_verifies_clean_after_0025(
    tmp_path: Path, store: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """0024 recorded a 国家司法救助决定书 without its file's columns (the kind as it was declared
    then, put back for that step); 0025 adds them, NULL, and records the row again under its own
    baseline entry, which verify names. The decision's content is still compared; its file is not
    (none was recorded), and the table is still append-only."""
    import dataclasses

    from alembic import command

    from shujian.store import connect_store
    from shujian.tamper.policy import TRACKED

    kind = TRACKED["judicial_aid_decision"]
    as_at_0024 = dataclasses.replace(
        kind,
        columns=tuple(c for c in kind.columns if c[0] not in ("document", "document_sha256")),
        document=None,
    )
    ws, url = _release_010_store(tmp_path, store, request, monkeypatch)
    engine = connect_store(url)
    with engine.begin() as conn:
        _upgraded_to_0023_with_rows(conn, ws)
        with monkeypatch.context() as declared:
            declared.setitem(TRACKED, "judicial_aid_decision", as_at_0024)
            command.upgrade(migrations._config(conn), "0024")
        recorded = conn.execute(
            text("SELECT digest FROM state_digests WHERE kind = 'judicial_aid_decision'")
        ).scalar_one()
    engine.dispose()
    assert len(recorded) == 24 * 7  # the seven columns 0024 knew

    assert f"升级到版本 {migrations.head()}" in shujian(ws, "db", "upgrade").output
    result = CliRunner().invoke(cli, ["-w", str(ws), "-u", "张检察官", "audit", "verify"])
    assert [x for x in result.output.splitlines() if x.startswith("- ")] == [MISSING_DOCUMENT]
    notes = re.findall(r"为升级到数据库版本 (\d+) 时为已有数据（(.*?)）建立", result.output)
    assert [n[0] for n in notes] == ["0019", "0024", "0025"]
    assert notes[2][1] == "国家司法救助决定书"

    engine = connect_store(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT document, document_sha256 FROM judicial_aid_decisions"))
            assert row.one() == (None, None)
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text("UPDATE judicial_aid_decisions SET document = 'x.docx'"))
        forged = "DISABLE TRIGGER USER" if store == "postgresql" else None
        with engine.begin() as conn:
            if forged:
                conn.execute(text(f"ALTER TABLE judicial_aid_decisions {forged}"))
            else:
                conn.execute(text("DROP TRIGGER judicial_aid_decisions_no_update"))
            conn.execute(text('UPDATE judicial_aid_decisions SET content = \'{"amount": "1"}\''))
    finally:
        engine.dispose()
    found = _verify_problems(ws)
    assert found[0] == MISSING_DOCUMENT
    assert found[1].startswith(
        "- 国家司法救助决定书 青检救〔2026〕1号（#1）（表 judicial_aid_decisions）的内容与审计记录"
    )
    assert len(found) == 2
