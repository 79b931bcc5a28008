"""Alembic's environment for the case store.

Run only through `shujian.migrations` (which hands over an open connection); the `alembic`
command line is for developers writing a new revision (see docs/architecture.md).
"""

from __future__ import annotations

from alembic import context

from shujian.store import metadata, register_tables

register_tables()
config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - developers' `alembic revision --autogenerate`
    from sqlalchemy import create_engine

    connection = create_engine(config.get_main_option("sqlalchemy.url") or "").connect()

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things: batch mode copies the table
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
