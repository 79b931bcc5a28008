"""Adopting a store made before migrations existed (no `alembic_version` table).

Release 0.1.0 and the development builds before it created their tables from the code's
declarations. Two changes were made to those tables without a migration: `leads.evidence_rows`
(the count of a lead's evidence rows, added when evidence was capped at 50 rows) and the
dropping of `batches.report` (a path derivable from the batch). A store of either age is brought
to the baseline here, where that can be done from its own data: a lead of a build without the
cap kept every evidence row, so its count is the length of its evidence. Any other difference is
refused, naming it, rather than guessed at. The append-only triggers and the audit head row,
which early builds created on each start, are created if missing.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Connection, create_engine, inspect, text

from shujian.errors import UserError


@lru_cache(maxsize=1)
def baseline_tables() -> dict[str, frozenset[str]]:
    """Each baseline table's columns, read off the frozen baseline built in memory."""
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        _create_missing_tables(conn, list(_baseline().TABLES))
        inspector = inspect(conn)
        return {
            t: frozenset(c["name"] for c in inspector.get_columns(t)) for t in _baseline().TABLES
        }


def _baseline():  # type: ignore[no-untyped-def]
    from shujian.migrations import BASELINE, _script

    return _script().get_revision(BASELINE).module


APPEND_ONLY = ("audit_log", "case_events", "lead_events")


def adopt(conn: Connection) -> tuple[str, ...]:
    """Bring a pre-migration store to the baseline; returns what was repaired, in Chinese.

    Everything is checked before anything is changed: a store that cannot be adopted is refused
    as it was found.
    """
    inspector = inspect(conn)
    present = set(inspector.get_table_names())
    columns = {
        t: {c["name"] for c in inspector.get_columns(t)} for t in baseline_tables() if t in present
    }
    problems = [
        f"数据表 {table} 缺少列：{'、'.join(sorted(lacking))}"
        for table, have in columns.items()
        if (lacking := baseline_tables()[table] - have)
        and (table, lacking) != ("leads", {"evidence_rows"})
    ]
    if problems:
        raise UserError(
            "案件库由早期版本创建，其结构与能够自动升级的版本不符，未做任何改动：\n- "
            + "\n- ".join(problems)
            + "\n请保留此案件库，并联系技术支持人员手工迁移。",
            code="store_unadoptable",
        )
    repairs: list[str] = []
    missing = [t for t in baseline_tables() if t not in present]
    if missing:
        _create_missing_tables(conn, missing)
        repairs.append(f"新建了早期版本尚无的数据表：{'、'.join(missing)}")
    if "evidence_rows" not in columns.get("leads", {"evidence_rows"}):
        _add_evidence_rows(conn)
        repairs.append("为线索补记证据行数（早期版本保存了全部证据行，行数即证据条数）")
    if "report" in columns.get("batches", set()):
        _drop_batches_report(conn)
        repairs.append("删去导入批次中可由批次推出的退回记录路径列（report）")
    _ensure_append_only(conn)
    if conn.execute(text("SELECT count(*) FROM audit_head")).scalar() == 0:
        conn.execute(
            text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :h)"), {"h": "0" * 64}
        )
    return tuple(repairs)


def _create_missing_tables(conn: Connection, names: list[str]) -> list[str]:
    """Create the baseline tables an early build had not made yet (as its start-up would have).

    Only tables that hold nothing of the early build's can be missing, so creating them empty,
    from the frozen baseline, loses nothing.
    """
    if not names:
        return []
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    with Operations.context(MigrationContext.configure(conn)):
        _baseline().create_tables(set(names))
    return names


def _add_evidence_rows(conn: Connection) -> None:
    length = (
        "json_array_length(evidence)"
        if conn.dialect.name == "sqlite"
        else "json_array_length(evidence::json)"
    )
    conn.execute(text("ALTER TABLE leads ADD COLUMN evidence_rows INTEGER NOT NULL DEFAULT 0"))
    conn.execute(text(f"UPDATE leads SET evidence_rows = {length}"))


def _drop_batches_report(conn: Connection) -> None:
    conn.execute(text("ALTER TABLE batches DROP COLUMN report"))


def _ensure_append_only(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        for table in APPEND_ONLY:
            for verb in ("UPDATE", "DELETE"):
                conn.exec_driver_sql(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON "
                    f"{table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
        return
    conn.exec_driver_sql(
        "CREATE OR REPLACE FUNCTION shujian_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION '%% is append-only', TG_TABLE_NAME; END $$"
    )
    for table in APPEND_ONLY:
        conn.exec_driver_sql(
            f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION shujian_append_only()"
        )
