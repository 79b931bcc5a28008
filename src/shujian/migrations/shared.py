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
