"""Workspace identity: the warehouse and the case store must belong to the same workspace.

Which batches exist is decided by the case store (`warehouse.py`), so a warehouse opened with
another store is a warehouse whose data that store does not know: pointing a workspace at a new
PostgreSQL database, or setting SHUJIAN_STORE_URL for a test, once made the next import erase
every earlier batch. Both halves therefore carry one random identity, made when the workspace is
created (`shujian init`): the file `warehouse/WORKSPACE_ID` and the one-row table
`workspace_identity` in the store. Opening a pair whose identities differ is refused.

A half may still lack the identity — a new empty database, or a workspace made by a release
before identities. The missing half is stamped only when the pair is *consistent*, i.e. clearly
made together:

* the store lists no batch and the warehouse holds no batch file (a new workspace, or a new
  empty database paired with an empty warehouse: first use), or
* the store lists at least one batch and every file it lists is in this warehouse (a workspace
  of the previous release, whose SQLite file lives in the workspace beside the warehouse; or a
  stamping cut short between its two writes).

Anything else is refused, not stamped: an unstamped store beside a warehouse that already has
data is exactly the "switched the store to PostgreSQL" accident, and stamping it would make the
mistake permanent. Files in the warehouse that a consistent store does not list (leftovers of a
killed import of an old release) do not block stamping; the next import moves them aside.
"""

from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

from shujian.errors import UserError
from shujian.store import metadata, now

ID_FILE = "WORKSPACE_ID"
"""In the warehouse folder: the workspace identity, one line."""

workspace_identity = Table(
    "workspace_identity",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("workspace_id", String(36), nullable=False),
    Column("stamped_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("id = 1", name="ck_workspace_identity_one_row"),
)


def ensure_identity(warehouse_dir: Path, store: Engine) -> str:
    """The identity shared by this warehouse and store; stamps a missing half when consistent.

    Raises UserError when the two belong to different workspaces, or when one is unstamped and
    the pair does not look made together (see the module docstring).
    """
    found = warehouse_identity(warehouse_dir), store_identity(store)
    if found[0] is not None and found[0] == found[1]:
        return found[0]
    _refuse_mismatch(warehouse_dir, store, *found)
    with _stamping(warehouse_dir):
        held, stored = warehouse_identity(warehouse_dir), store_identity(store)
        if held is not None and held == stored:
            return held  # stamped by another process meanwhile
        _refuse_mismatch(warehouse_dir, store, held, stored)
        _refuse_inconsistent(warehouse_dir, store, held, stored)
        chosen = held or stored or str(uuid.uuid4())
        if stored is None:
            _stamp_store(store, chosen)
            chosen = store_identity(store) or chosen
        if held is None:
            _stamp_warehouse(warehouse_dir, chosen)
        return chosen


def warehouse_identity(warehouse_dir: Path) -> str | None:
    path = warehouse_dir / ID_FILE
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return text or None


def store_identity(store: Engine) -> str | None:
    with store.connect() as conn:
        return conn.execute(select(workspace_identity.c.workspace_id)).scalar_one_or_none()


def _refuse_mismatch(
    warehouse_dir: Path, store: Engine, held: str | None, stored: str | None
) -> None:
    if held is None or stored is None or held == stored:
        return
    raise UserError(
        f"数据仓库与案件库不属于同一个工作区，为防止数据丢失，本次操作未执行，数据均未改动。\n"
        f"  数据仓库 {warehouse_dir} 的工作区标识：{held}\n"
        f"  案件库 {_url(store)} 的工作区标识：{stored}\n"
        f"请把环境变量 SHUJIAN_STORE_URL 或 shujian.toml 中 [store] 的 url 改回本工作区原来的"
        f"案件库；如确要使用这个案件库，请换用它自己的工作区（数据仓库），或新建一个工作区。",
        code="workspace_mismatch",
    )


def _refuse_inconsistent(
    warehouse_dir: Path, store: Engine, held: str | None, stored: str | None
) -> None:
    """Refuse to stamp a pair that was not made together (the module docstring's rule)."""
    from shujian.data.warehouse import Warehouse  # polars: only for an unstamped pair

    warehouse = Warehouse(warehouse_dir, store)
    listed = [b.parquet for b in warehouse.batches()]
    present = {f"{p.parent.name}/{p.name}" for p in warehouse.data_files()}
    missing = [p for p in listed if p not in present]
    if listed and not missing:
        return
    if not listed and not present:
        return
    what = f"数据仓库 {warehouse_dir}（{f'工作区标识 {held}' if held else '尚无工作区标识'}）"
    store_what = f"案件库 {_url(store)}（{f'工作区标识 {stored}' if stored else '尚无工作区标识'}）"
    if not listed:
        reason = (
            f"{what}中已有 {len(present)} 个批次数据文件，而{store_what}中没有任何批次登记。"
            f"这通常是把案件库换成了另一个数据库（设置了 SHUJIAN_STORE_URL，"
            f"或把 [store] 的 url 改成了 PostgreSQL）：在这个案件库上导入，原有数据将不再可见。"
        )
    else:
        reason = (
            f"{store_what}登记的 {len(listed)} 个批次中，有 {len(missing)} 个的数据文件"
            f"不在{what}中（例如 {missing[0]}）：这个案件库不是和这个数据仓库一起建立的。"
        )
    raise UserError(
        f"{reason}\n为防止数据丢失，本次操作未执行，数据均未改动。"
        f"请把环境变量 SHUJIAN_STORE_URL 或 shujian.toml 中 [store] 的 url 改回本工作区原来的"
        f"案件库；如要改用新的数据库，请先把原案件库的内容迁移过去，或新建一个工作区"
        f"（新的数据仓库）再导入数据。",
        code="workspace_mismatch",
    )


def _stamp_store(store: Engine, workspace_id: str) -> None:
    try:
        with store.begin() as conn:
            conn.execute(
                insert(workspace_identity).values(id=1, workspace_id=workspace_id, stamped_at=now())
            )
    except IntegrityError:
        pass  # another process stamped it first; the caller reads back what won


def _stamp_warehouse(warehouse_dir: Path, workspace_id: str) -> None:
    """Write the identity file whole (temporary name, flush, rename) so it is never half there."""
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    tmp = warehouse_dir / f".{ID_FILE}.{uuid.uuid4().hex}"
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(workspace_id + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    tmp.rename(warehouse_dir / ID_FILE)
    fd = os.open(warehouse_dir, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _stamping(warehouse_dir: Path) -> Iterator[None]:
    """One process stamps at a time. Its own lock file: the import lock is held for minutes."""
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    with (warehouse_dir / ".identity.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _url(store: Engine) -> str:
    return store.url.render_as_string(hide_password=True)
