"""Schema migrations of the case store (Alembic).

The schema is created and changed by migrations only: `versions/` holds one file per change,
oldest first, the first being the baseline (the schema of release 0.1.0). Opening a store never
creates or alters anything; it reads the store's revision and refuses, in Chinese, a store that
is empty, older than this program (an administrator runs `shujian db upgrade`, after a backup)
or of a revision this program does not know (made by a newer release).

A store made before migrations existed (release 0.1.0 and the development builds before it) has
the tables but no `alembic_version`. `upgrade` adopts it: it checks that its tables are the
baseline's (bringing the two earlier, unmigrated changes forward where the data allows), stamps
it with the baseline and runs the later migrations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

from shujian.errors import UserError

HERE = Path(__file__).parent
BASELINE = "0001"


@lru_cache(maxsize=1)
def _script():  # type: ignore[no-untyped-def]
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(HERE))


def _config(connection: Connection):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


_DECLARED = re.compile(r'^(revision|down_revision) = (?:"([^"]*)"|None)$', re.M)


@lru_cache(maxsize=1)
def _chain() -> dict[str, str | None]:
    """Revision → the revision it follows, read off the files of `versions/` as text.

    Every command checks its store's revision, and loading Alembic's script directory to learn
    the head costs about a second (it imports Alembic and every revision module); the two
    declarations read here are all the check needs. `test_migrations` compares this with
    Alembic's own reading, so the two cannot drift apart.
    """
    chain: dict[str, str | None] = {}
    for path in sorted((HERE / "versions").glob("*.py")):
        found = dict(
            (m.group(1), m.group(2)) for m in _DECLARED.finditer(path.read_text(encoding="utf-8"))
        )
        chain[str(found["revision"])] = found.get("down_revision")
    return chain


@lru_cache(maxsize=1)
def head() -> str:
    """The newest revision this program knows (the one no other revision follows)."""
    chain = _chain()
    (newest,) = set(chain) - {d for d in chain.values() if d}
    return newest


@lru_cache(maxsize=1)
def known() -> frozenset[str]:
    return frozenset(_chain())


@dataclass(frozen=True)
class StoreVersion:
    revision: str | None
    """The store's revision; None when it has no `alembic_version` table."""
    has_tables: bool

    @property
    def state(self) -> str:
        if self.revision is None:
            return "legacy" if self.has_tables else "empty"
        if self.revision == head():
            return "current"
        return "behind" if self.revision in known() else "unknown"


def version(conn: Connection) -> StoreVersion:
    names = set(inspect(conn).get_table_names())
    if "alembic_version" not in names:
        return StoreVersion(None, bool(names & {"leads", "batches", "cases", "audit_log"}))
    revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return StoreVersion(None if revision is None else str(revision), True)


def check(engine: Engine) -> None:
    """Refuse a store this program cannot use as it is (nothing is changed)."""
    with engine.connect() as conn:
        found = version(conn)
    state = found.state
    if state == "current":
        return
    where = _where(engine)
    if state == "empty":
        raise UserError(
            f"案件库 {where} 是空的，尚未建立数据表：需要管理员先建表。",
            code="store_empty",
        )
    if state == "unknown":
        raise UserError(
            f"案件库 {where} 的版本为 {found.revision}，本程序不认识这个版本（可能由更新的版本"
            f"创建；本程序的最新版本为 {head()}）。请使用相同或更新版本的数检。",
            code="store_unknown_version",
        )
    old = "未编号的早期版本" if state == "legacy" else f"版本 {found.revision} "
    raise UserError(
        f"案件库 {where} 由数检的{old}创建，需要升级到版本 {head()} 才能使用。"
        "请先备份案件库，再由管理员升级。",
        code="store_behind",
    )


@dataclass(frozen=True)
class Upgrade:
    before: str | None
    after: str
    adopted: bool
    """The store had no revision (made before migrations existed) and was adopted."""
    repairs: tuple[str, ...] = ()


def upgrade(engine: Engine) -> Upgrade:
    """Bring the store to `head()`: create an empty one, adopt a legacy one, migrate the rest."""
    from alembic import command

    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            # Python's sqlite3 opens a transaction only before the first INSERT/UPDATE/DELETE:
            # DDL before it (Alembic's version table, a migration's first ALTER) was committed
            # at once, so a kill -9 there left a half-upgraded store (bench/crash.py found it)
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        found = version(conn)
        if found.state == "unknown":
            check(engine)
        repairs: tuple[str, ...] = ()
        if found.state == "legacy":
            repairs = _adopt(conn)
            command.stamp(_config(conn), BASELINE)
        command.upgrade(_config(conn), "head")
    return Upgrade(found.revision, head(), found.state == "legacy", repairs)


def _adopt(conn: Connection) -> tuple[str, ...]:
    """Make a pre-migration store's tables the baseline's, or refuse naming what differs."""
    from shujian.migrations.legacy import adopt

    return adopt(conn)


def _where(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
