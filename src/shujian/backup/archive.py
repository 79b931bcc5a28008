"""`backup` and `restore` of a workspace (see the package docstring for why they are consistent)."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import version as installed_version
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url

from shujian import audit, migrations
from shujian.backup import copy, manifest
from shujian.backup.manifest import FILES, STORE_FILE, Manifest
from shujian.errors import UserError
from shujian.identity import ID_FILE, workspace_identity
from shujian.store import connect_store, create_store, now
from shujian.users.access import require
from shujian.users.user import User
from shujian.workspace import CONFIG_NAME, Workspace, open_workspace

DEFAULT_STORE = "sqlite:///case_store.sqlite"
"""The store a restored workspace uses when no other is named: a SQLite file inside it."""

_REPORT = re.compile(r"-批次(\d+)-")


@dataclass
class Done:
    folder: Path
    files: int
    size: int
    tables: dict[str, int]
    audit_heads: dict[str, list[object]]
    seconds: float
    notes: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------------- backup


def backup(ws: Workspace, folder: Path, user: User) -> Done:
    """Back the workspace up into `folder` (new, or empty) while it is in use."""
    require(user, "manage_settings")
    started = time.monotonic()
    folder = folder.resolve()
    _refuse_inside(folder, ws.root)
    _empty_or_refuse(folder, "备份目录")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    store_copy = folder / STORE_FILE
    _snapshot(ws.store, store_copy)
    snap = connect_store(f"sqlite:///{store_copy}")
    try:
        with snap.connect() as conn:
            revision = migrations.version(conn).revision or ""
            heads = {str(r.id): [r.seq, r.hash] for r in conn.execute(select(audit.audit_head))}
            tables = copy.counts(conn)
            wid = conn.execute(select(workspace_identity.c.workspace_id)).scalar() or ""
            listed = _listed_parquet(conn)
            batch_ids = {str(i) for i in conn.execute(select(_batches().c.id)).scalars()}
            recorded, pending = _documents(conn)
    finally:
        snap.dispose()
    with ws.store.connect() as conn:
        _, live_pending = _documents(conn)
        live = set(_documents(conn)[0]) | set(live_pending)
    # written after the copy was taken, or not yet recorded then: not the copied store's
    later = (live - set(recorded)) | set(pending)
    files = {STORE_FILE: manifest.hashed(store_copy)}
    for rel in _workspace_files(ws, listed, batch_ids, later):
        files[f"{FILES}/{rel}"] = manifest.copy_hashed(ws.root / rel, folder / FILES / rel)
    found = Manifest(
        created_at=now().isoformat(),
        program=installed_version("shujian"),
        revision=revision,
        source_store=make_url(ws.store_url).get_backend_name(),
        workspace_id=wid,
        audit_heads=heads,
        tables=tables,
        files=files,
    )
    found.write(folder)
    with ws.store.begin() as conn:
        audit.record(
            conn,
            user.name,
            "backup",
            "workspace",
            wid,
            {"folder": str(folder), "files": len(files), "audit_heads": heads},
        )
    return Done(
        folder,
        len(files),
        sum(int(f["size"]) for f in files.values()),
        tables,
        heads,
        time.monotonic() - started,
    )


def _batches():  # type: ignore[no-untyped-def]
    from shujian.data.warehouse import batches

    return batches


def _snapshot(store: Engine, target: Path) -> None:
    """The store at one instant, as a SQLite file at `target`."""
    if store.dialect.name == "sqlite":
        with store.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM INTO ?", (str(target),))
        return
    snapshot = store.connect().execution_options(isolation_level="REPEATABLE READ")
    with snapshot as src, src.begin():
        # the snapshot is taken by the first query: now, not after the file's tables are made
        src.exec_driver_sql("SET TRANSACTION READ ONLY")
        src.execute(select(audit.audit_head.c.seq)).all()
        dst = create_store(f"sqlite:///{target}")
        try:
            with dst.begin() as out:
                copy.copy_rows(src, out)
        finally:
            dst.dispose()


def _listed_parquet(conn) -> set[str]:  # type: ignore[no-untyped-def]
    from shujian.data.warehouse import batches, compactions

    return set(conn.execute(select(batches.c.parquet)).scalars()) | set(
        conn.execute(select(compactions.c.parquet)).scalars()
    )


def _document_tables():  # type: ignore[no-untyped-def]
    return [t for t in copy.tables() if "document" in t.columns and "document_sha256" in t.columns]


def _documents(conn) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """The stems (path without suffix: the .docx and its PDF preview) of the documents the store
    records as written, and of those whose number is taken but file not yet recorded."""
    recorded: list[str] = []
    pending: list[str] = []
    for table in _document_tables():
        for path, digest in conn.execute(select(table.c.document, table.c.document_sha256)):
            (recorded if digest else pending).append(_stem(path))
    return recorded, pending


def _stem(rel: str) -> str:
    return str(Path(rel).with_suffix(""))


def _store_files(ws: Workspace) -> set[str]:
    url = make_url(ws.store_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        return set()
    path = Path(url.database).resolve()
    try:
        rel = str(path.relative_to(ws.root))
    except ValueError:
        return set()
    return {rel, f"{rel}-wal", f"{rel}-shm", f"{rel}-journal"}


def _workspace_files(
    ws: Workspace, listed: set[str], batch_ids: set[str], later: set[str]
) -> Iterator[str]:
    """The workspace's files that belong in the backup, as paths in the workspace.

    Left out: temporaries and locks (names beginning with a dot), the store's own file (copied
    above), warehouse files the copied store does not list, and what was written after the copy
    of a batch or a document it does not know."""
    skip = _store_files(ws)
    warehouse = ws.warehouse_dir.relative_to(ws.root)
    yield str(warehouse / ID_FILE)
    for rel in sorted(listed):
        path = ws.warehouse_dir / rel
        if not path.is_file():
            raise RuntimeError(f"batch file {rel} listed by the store is missing")
        yield str(warehouse / rel)
    for dirpath, dirnames, filenames in os.walk(ws.root):
        here = Path(dirpath).relative_to(ws.root)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and here / d != warehouse)
        for name in sorted(filenames):
            rel = str(here / name)
            if name.startswith(".") or rel in skip:
                continue
            report = _REPORT.search(name) if here.parts[:1] == ("reports",) else None
            if report and report.group(1) not in batch_ids:
                continue
            if here.parts[:1] == ("documents",) and _stem(rel) in later:
                continue
            yield rel


def _refuse_inside(folder: Path, root: Path) -> None:
    if folder == root or root in folder.parents:
        raise UserError(
            f"备份目录 {folder} 在工作区之内：请放在工作区以外（最好是另一块磁盘）。",
            code="backup_inside_workspace",
        )


def _empty_or_refuse(folder: Path, what: str) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UserError(
            f"{what} {folder} 已存在且不是空目录：请指定一个新的目录。", code="target_not_empty"
        )


# ----------------------------------------------------------------------------------- restore


def restore(folder: Path, target: Path, user_name: str, store_url: str | None = None) -> Done:
    """Restore the backup in `folder` as a new workspace at `target` (new, or empty), its store
    at `store_url` (an empty database) or, by default, a SQLite file inside it.

    The backup is checked whole (every file's hash) before anything is written; the restored
    workspace's audit log is verified and its heads compared with the manifest's."""
    started = time.monotonic()
    folder, target = folder.resolve(), target.resolve()
    found = manifest.read(folder)
    manifest.check_files(folder, found)
    _empty_or_refuse(target, "恢复的目标目录")
    url = store_url or DEFAULT_STORE
    kind = make_url(url).get_backend_name()
    if kind not in ("sqlite", "postgresql"):
        raise UserError(f"案件库地址只能是 SQLite 或 PostgreSQL：{url}", code="bad_store_url")
    if found.revision not in migrations.known():
        raise UserError(
            f"备份的案件库版本 {found.revision} 比本程序新（本程序版本 {migrations.head()}）："
            "请用不低于备份时的程序版本恢复。",
            code="backup_newer",
        )
    if kind != "sqlite" and found.revision != migrations.head():
        raise UserError(
            f"备份的案件库版本为 {found.revision}，本程序为 {migrations.head()}：恢复到 "
            "PostgreSQL 须版本一致。请先恢复到 SQLite 工作区并升级案件库，"
            "再备份后恢复到 PostgreSQL。",
            code="backup_older",
        )
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    for rel in sorted(found.files):
        if rel.startswith(f"{FILES}/"):
            dest = target / rel.removeprefix(f"{FILES}/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(folder / rel, dest)
    _write_store_url(target / CONFIG_NAME, url)
    _restore_store(folder / STORE_FILE, target, url)
    ws = open_workspace(target)
    notes: list[str] = []
    if found.revision != migrations.head():
        notes.append(
            f"案件库版本为 {found.revision}，本程序为 {migrations.head()}："
            "须由管理员升级案件库后使用。"
        )
        return Done(target, len(found.files), 0, found.tables, found.audit_heads, 0.0, notes)
    try:
        _check_restored(ws, found)
        with ws.store.begin() as conn:
            audit.record(
                conn,
                user_name,
                "restore",
                "workspace",
                found.workspace_id,
                {"backup": str(folder), "created_at": found.created_at},
            )
    finally:
        ws.store.dispose()
    size = sum(int(f["size"]) for f in found.files.values())
    return Done(
        target,
        len(found.files),
        size,
        found.tables,
        found.audit_heads,
        time.monotonic() - started,
        notes,
    )


def _restore_store(source: Path, target: Path, url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        path = Path(database) if database.startswith("/") else target / database
        if path.exists():
            raise UserError(f"案件库文件 {path} 已存在：请指定新的文件。", code="target_not_empty")
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, path)
        return
    dst = connect_store(url)
    try:
        with dst.connect() as conn:
            state = migrations.version(conn).state
        if state != "empty":
            raise UserError(
                f"案件库 {parsed.render_as_string(hide_password=True)} 不是空库："
                "恢复只能写入新建的空数据库。",
                code="target_not_empty",
            )
        migrations.upgrade(dst)
        src = connect_store(f"sqlite:///{source}")
        try:
            with src.connect() as s, dst.begin() as d:
                copy.copy_rows(s, d)
        finally:
            src.dispose()
    finally:
        dst.dispose()


def _check_restored(ws: Workspace, found: Manifest) -> None:
    with ws.store.connect() as conn:
        tables = copy.counts(conn)
        heads = {str(r.id): [r.seq, r.hash] for r in conn.execute(select(audit.audit_head))}
    problems = [
        f"{name} 应有 {n} 行，恢复后 {tables.get(name)} 行"
        for name, n in found.tables.items()
        if tables.get(name) != n
    ]
    if heads != found.audit_heads:
        problems.append("审计日志的链头与备份清单不符")
    checked = audit.verify(ws.store)
    problems.extend(checked.problems)
    if problems:
        raise UserError(
            f"恢复后的工作区 {ws.root} 未通过核对："
            + "；".join(problems[:10])
            + "。恢复的内容留在该目录中以便检查，请勿使用。",
            code="restore_check_failed",
        )


_STORE_SECTION = re.compile(r"^\[store\][^\S\n]*$", re.M)
_URL_LINE = re.compile(r"^url[^\S\n]*=.*$", re.M)


def _write_store_url(config: Path, url: str) -> None:
    """Point the restored shujian.toml at its store, keeping everything else as written."""
    text = config.read_text(encoding="utf-8")
    line = f'url = "{url}"'
    section = _STORE_SECTION.search(text)
    if section is None:
        text = text.rstrip("\n") + f"\n\n[store]\n{line}\n"
    else:
        end = text.find("\n[", section.end())
        end = len(text) if end < 0 else end
        body = text[section.end() : end]
        body = (
            _URL_LINE.sub(line.replace("\\", "\\\\"), body, count=1)
            if _URL_LINE.search(body)
            else f"\n{line}{body}"
        )
        text = text[: section.end()] + body + text[end:]
    config.write_text(text, encoding="utf-8")
