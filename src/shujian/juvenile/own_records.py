"""The procuratorate's own juvenile records on a minor's 一人一档 (one file per minor).

The register's rows (名册、包保、走访、不良行为) are read from the warehouse; the records the
procuratorate itself keeps in the case store — intervention tiers (分级干预), 督促监护令 and
家庭教育指导, 附条件不起诉考察 — each come from their own module, which names a reader here.
`Register.minor_file` calls every reader for the minor and places what they return, with the
register's rows, on the file's timeline in date order.

These records are the procuratorate's own juvenile case work (帮教考察 material is sealed with the
minor's criminal record, 《关于未成年人犯罪记录封存的实施办法》), so they are read only for users
who see the whole register (`juvenile.access.register_scope(...).everything`): a helping unit's
account sees none of them.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection


@dataclass(frozen=True)
class FileEntry:
    """One dated entry of a minor's file."""

    on: dt.date
    kind: str
    """The Chinese label of the entry's kind: 干预等级, 督促监护令, 回访, 附条件不起诉 …"""
    summary: str
    """One line of Chinese: no full ID number, no other person's ID number."""
    link: str | None = None
    """The web path of the record's own page, when it has one."""
    detail: dict[str, Any] = field(default_factory=dict)


Reader = Callable[[Connection, str], list[FileEntry]]
"""Reads one kind of record of a minor (by ID number) from the case store, in date order."""

READERS: dict[str, str] = {
    # section id: "module:function" of a Reader; each records module adds its own line
    "guardianship": "shujian.juvenile.guardianship.records:file_entries",
    "tiers": "shujian.juvenile.tiers.service:file_entries",
    "probation": "shujian.juvenile.probation.readers:file_entries",
}


def reader(section: str) -> Reader:
    module, _, name = READERS[section].partition(":")
    fn: Reader = getattr(importlib.import_module(module), name)
    return fn


def own_records(conn: Connection, id_card: str) -> dict[str, list[FileEntry]]:
    """Every registered section's entries for the minor, each in date order."""
    return {
        section: sorted(reader(section)(conn, id_card), key=lambda e: e.on) for section in READERS
    }
