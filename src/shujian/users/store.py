"""The accounts of a workspace. The procuratorate is the workspace's, so it is not stored.

Passwords and the lock-out after repeated failed logins are `users/passwords.py`'s; their
columns are here so that the one table says what an account is (migration 0008).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from shujian.store import metadata
from shujian.users.user import User

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False),
    Column("department", String(64)),
    Column("roles", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # argon2id (PHC string); NULL: no password set, the account cannot sign in to the web pages
    Column("password_hash", String(255)),
    Column("password_changed_at", DateTime(timezone=True)),
    # failed logins since `first_failed_at`; `locked_until` is set when they reach the limit
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("first_failed_at", DateTime(timezone=True)),
    Column("locked_until", DateTime(timezone=True)),
    # the 包保单位 of a helping unit's account (role `helper`); NULL for the procuratorate's own
    # (migration 0009)
    Column("unit", String(128)),
    UniqueConstraint("name", name="uq_users_name"),
)
"""One row per account; an account is deactivated, never deleted (its name is in history)."""


def account_user(row: Any, procuratorate: str) -> User:
    """The `User` a row of `users` stands for (grants, for a role that has them, are filled
    where they are computed: `juvenile.access`)."""
    return User(row.name, procuratorate, row.department, frozenset(row.roles), unit=row.unit)
