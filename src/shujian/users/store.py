"""The accounts of a workspace. The procuratorate is the workspace's, so it is not stored."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, Integer, String, Table, UniqueConstraint

from shujian.store import metadata

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False),
    Column("department", String(64)),
    Column("roles", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("name", name="uq_users_name"),
)
"""One row per account; an account is deactivated, never deleted (its name is in history)."""
