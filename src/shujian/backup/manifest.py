"""The backup's manifest: what the backup holds, so that `restore` can prove it is whole.

Written last (to a temporary name, then renamed), so a backup cut short has none and is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shujian.errors import UserError

NAME = "manifest.json"
FORMAT = 1
STORE_FILE = "case_store.sqlite"
"""The case store in the backup, a SQLite file whatever the workspace's store."""
FILES = "files"
"""The workspace's files in the backup, under their paths in the workspace."""


@dataclass
class Manifest:
    created_at: str
    program: str
    revision: str
    source_store: str
    """The dialect of the store backed up (sqlite, postgresql): the URL may hold a password."""
    workspace_id: str
    audit_heads: dict[str, list[Any]]
    """Chain head id → [its last entry's number, its hash], as the copied store has them."""
    tables: dict[str, int]
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Path in the backup → {"sha256", "size"}; the store file included."""
    format: int = FORMAT

    def write(self, folder: Path) -> None:
        tmp = folder / f".{NAME}.tmp"
        tmp.write_text(json.dumps(self.__dict__, ensure_ascii=False, indent=1), encoding="utf-8")
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        tmp.rename(folder / NAME)


def read(folder: Path) -> Manifest:
    path = folder / NAME
    if not path.is_file():
        raise UserError(
            f"{folder} 不是完整的数检备份（找不到 {NAME}）：备份可能未完成或目录有误。",
            code="not_a_backup",
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        found = Manifest(**data)
    except (ValueError, TypeError) as exc:
        raise UserError(f"备份清单 {path} 无法读取：{exc}", code="bad_backup") from exc
    if found.format != FORMAT:
        raise UserError(
            f"备份 {folder} 的格式版本为 {found.format}，本程序只能恢复格式版本 {FORMAT}。",
            code="bad_backup",
        )
    return found


def copy_hashed(source: Path, target: Path) -> dict[str, Any]:
    """Copy a file, hashing what was read; returns its manifest entry."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as src, target.open("wb") as out:
        while block := src.read(1 << 20):
            digest.update(block)
            out.write(block)
            size += len(block)
        out.flush()
        os.fsync(out.fileno())
    shutil.copymode(source, target)
    return {"sha256": digest.hexdigest(), "size": size}


def hashed(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
            size += len(block)
    return {"sha256": digest.hexdigest(), "size": size}


def check_files(folder: Path, found: Manifest) -> None:
    """Every file the manifest lists is in the backup with its size and hash."""
    bad: list[str] = []
    for rel, expected in sorted(found.files.items()):
        path = folder / rel
        if not path.is_file():
            bad.append(f"缺少 {rel}")
        elif hashed(path) != expected:
            bad.append(f"{rel} 与备份时不同")
        if len(bad) >= 10:
            break
    if bad:
        raise UserError(
            f"备份 {folder} 不完整或已被改动，不能恢复：" + "；".join(bad) + "。",
            code="bad_backup",
        )
