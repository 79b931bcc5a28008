"""What the forgery tests share: the commands run as a user would, raw SQL on a workspace's
SQLite store as an insider would (triggers dropped first), and what `audit verify` names."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner, Result

from shujian.cli.main import cli


def shujian(ws: Path, *args: str, user: str = "张检察官", code: int | None = 0) -> Result:
    result = CliRunner().invoke(cli, ["-w", str(ws), "-u", user, *args])
    assert code is None or result.exit_code == code, result.output
    return result


def forge(ws: Path, *statements: str) -> None:
    """Raw SQL on the store, as someone with the database file would: the append-only triggers
    are dropped first, as they can be by anyone who can write the file."""
    con = sqlite3.connect(ws / "case_store.sqlite")
    with con:
        for (name,) in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        ).fetchall():
            if name.endswith(("_no_update", "_no_delete")):
                con.execute(f"DROP TRIGGER {name}")
        for s in statements:
            con.execute(s)
    con.close()


def problems(ws: Path, *args: str) -> list[str]:
    """What `audit verify` names (it must fail, exit 1)."""
    out = shujian(ws, "audit", "verify", *args, user="管理员", code=1).output
    return [line[2:] for line in out.splitlines() if line.startswith("- ")]


def scalar(ws: Path, query: str) -> int:
    con = sqlite3.connect(ws / "case_store.sqlite")
    try:
        return int(con.execute(query).fetchone()[0])
    finally:
        con.close()


SPOILS = ("edited", "replaced", "deleted")


def spoil(docx: Path, how: str) -> None:
    """A document file edited in place (one part renamed), replaced by another, or deleted."""
    if how == "edited":
        docx.write_bytes(docx.read_bytes().replace(b"word/document.xml", b"word/documenT.xml", 1))
    elif how == "replaced":
        docx.write_bytes(b"PK\x03\x04 another document")
    else:
        docx.unlink()
