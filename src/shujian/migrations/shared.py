"""Helpers the migrations share. Frozen like the migrations that call them: a migration that
needs other triggers gets a new function here, never a change to this one (a store upgraded
last year and one upgraded today must have the same schema)."""

from __future__ import annotations

from alembic import op


def append_only(tables: tuple[str, ...]) -> None:
    """The baseline's triggers (0001 `append_only`) refusing UPDATE and DELETE, on `tables`."""
    if op.get_bind().dialect.name == "sqlite":
        for table in tables:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION shujian_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
    )
    for table in tables:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION shujian_append_only()"
        )


def baseline_state(revision: str, kinds: tuple[str, ...]) -> None:
    """Record the rows of `kinds` the store already holds (`tamper.ledger`), under one change
    entry `baseline_state` naming `revision`, with each kind's count: `audit verify` notes it as
    the point before which nothing is proven. A store with none of these rows gets no entry.

    The platform's own code computes the records, so that they are exactly what `verify`
    recomputes; it runs on the calling revision's schema of the kinds' tables, which later
    migrations only add to: a tracked column a later migration adds (nullable, NULL on the rows
    it finds: 0025's `judicial_aid_decisions.document`) is not there yet and is recorded as NULL,
    as it will be."""
    import sqlalchemy as sa

    from shujian import audit
    from shujian.store import register_tables
    from shujian.tamper import ledger
    from shujian.tamper.policy import TRACKED

    conn = op.get_bind()
    register_tables()
    state: list[ledger.StateRow] = []
    counts: dict[str, int] = {}
    for kind in kinds:
        table = TRACKED[kind].table
        ids = [int(i) for i in conn.execute(sa.text(f"SELECT id FROM {table}")).scalars()]
        counts[kind] = len(ids)
        there = {c["name"] for c in sa.inspect(conn).get_columns(table)}
        absent = [c for c in TRACKED[kind].names if c not in there]
        state += ledger.track(conn, kind, ids, absent=absent)
    if state:
        audit.record(
            conn,
            "system",
            "baseline_state",
            "store",
            revision,
            {"rows": counts, "note": "升级时为已有数据建立状态摘要基线，此前的改动无法证明"},
            state=state,
        )
