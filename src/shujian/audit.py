"""Who saw or changed what, when: the append-only, hash-chained audit log (审计日志).

Every view and change of a lead or a case appends one entry. Entries are chained: each entry's
hash covers its own content and the previous entry's hash, and the head row (`audit_head`) holds
the number and hash of the last entry. Editing an entry breaks its hash; deleting one leaves a gap
in the numbers and breaks the next entry's link; cutting the tail leaves the head pointing past
the end. `verify` finds each of these. (Someone able to rewrite the whole chain and the head can
still forge it; the head hash `verify` prints is meant to be written down outside the system, so
a rewritten chain no longer matches an earlier record of it.)

Changes are audited inside the transaction that makes them, so a change never exists without its
entry. Writers are serialised on the head row (an UPDATE takes its lock first), which keeps the
chain linear under concurrent writers on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)

from shujian.store import metadata, now

GENESIS = "0" * 64

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),  # ISO 8601 UTC, hashed exactly as stored
    Column("actor", String(128), nullable=False, index=True),
    Column("action", String(64), nullable=False),
    Column("object_type", String(32), nullable=False),
    Column("object_id", String(128), nullable=False),
    Column("detail", Text, nullable=False),  # canonical JSON, hashed exactly as stored
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

ACTION_LABELS = {
    "view": "查看",
    "list": "查看列表",
    "export": "导出",
    "assign": "分派",
    "accept": "成案",
    "dismiss": "不成案",
    "open_case": "立案",
    "add_leads": "并入线索",
    "transition": "案件流转",
    "issue_recommendation": "制发检察建议书",
    "file_record": "报上一级院备案",
    "record_outcome": "登记成效",
    "run_models": "运行模型",
}


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(
    seq: int,
    at: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    detail: str,
    prev_hash: str,
) -> str:
    """The hash of one entry: every stored field, in a fixed order, and the previous hash."""
    text = "\x1f".join((str(seq), at, actor, action, object_type, object_id, detail, prev_hash))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record(
    conn: Connection,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | int | None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Append one entry inside the caller's transaction; returns its number."""
    head = conn.execute(
        update(audit_head)
        .where(audit_head.c.id == 1)
        .values(seq=audit_head.c.seq + 1)
        .returning(audit_head.c.seq, audit_head.c.hash)  # the hash is still the previous entry's
    ).first()
    if head is None:
        raise RuntimeError("audit_head row missing: the store was not made by its migrations")
    seq, prev = int(head.seq), str(head.hash)
    at = now().isoformat(timespec="microseconds")
    body = _canonical(detail or {})
    oid = "" if object_id is None else str(object_id)
    digest = entry_hash(seq, at, actor, action, object_type, oid, body, prev)
    conn.execute(
        insert(audit_log).values(
            seq=seq,
            at=at,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=oid,
            detail=body,
            prev_hash=prev,
            hash=digest,
        )
    )
    conn.execute(update(audit_head).where(audit_head.c.id == 1).values(hash=digest))
    return seq


def record_view(
    store: Engine,
    actor: str,
    object_type: str,
    object_id: str | int | None,
    detail: dict[str, Any] | None = None,
    action: str = "view",
) -> None:
    """Audit a read in its own short transaction."""
    with store.begin() as conn:
        record(conn, actor, action, object_type, object_id, detail)


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    problems: tuple[str, ...]


def _rows(conn: Connection, batch: int = 5000) -> Iterator[Any]:
    last = 0
    while True:
        chunk = conn.execute(
            select(audit_log).where(audit_log.c.seq > last).order_by(audit_log.c.seq).limit(batch)
        ).all()
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq


def verify(store: Engine, max_problems: int = 20) -> Verification:
    """Recompute the chain from the first entry; report every break (in Chinese)."""
    problems: list[str] = []
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    with store.connect() as conn:
        head = conn.execute(select(audit_head).where(audit_head.c.id == 1)).first()
        for r in _rows(conn):
            count += 1
            if r.seq != expected_seq:
                problems.append(f"第 {expected_seq}–{r.seq - 1} 条记录缺失（已被删除）。")
            if r.prev_hash != expected_prev:
                problems.append(f"第 {r.seq} 条记录与前一条记录的链接不符（前一条被修改或删除）。")
            digest = entry_hash(
                r.seq, r.at, r.actor, r.action, r.object_type, r.object_id, r.detail, r.prev_hash
            )
            if digest != r.hash:
                problems.append(f"第 {r.seq} 条记录的内容与其哈希值不符（记录被修改）。")
            expected_prev = r.hash
            expected_seq = r.seq + 1
            if len(problems) >= max_problems:
                break
    head_seq = int(head.seq) if head else 0
    head_hash = str(head.hash) if head else GENESIS
    if len(problems) < max_problems:
        if head_seq != expected_seq - 1:
            problems.append(
                f"日志头记录最后一条为第 {head_seq} 条，实际最后一条为第 {expected_seq - 1} 条"
                "（记录被截断或头记录被改动）。"
            )
        elif head_hash != expected_prev:
            problems.append("日志头记录的哈希值与最后一条记录不符。")
    return Verification(not problems, count, head_seq, head_hash, tuple(problems))


def query(
    store: Engine,
    *,
    actor: str | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    action: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Entries matching every given filter, oldest first (dates compare on the UTC day)."""
    q = select(audit_log).order_by(audit_log.c.seq)
    if actor:
        q = q.where(audit_log.c.actor == actor)
    if object_type:
        q = q.where(audit_log.c.object_type == object_type)
    if object_id is not None:
        q = q.where(audit_log.c.object_id == str(object_id))
    if action:
        q = q.where(audit_log.c.action == action)
    if since:
        q = q.where(audit_log.c.at >= since.isoformat())
    if until:
        q = q.where(audit_log.c.at < (until + dt.timedelta(days=1)).isoformat())
    if limit:
        q = q.order_by(None).order_by(audit_log.c.seq.desc()).limit(limit)
    with store.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(q)]
    if limit:
        rows.reverse()
    for r in rows:
        r["detail"] = json.loads(r["detail"])
        r["action_label"] = ACTION_LABELS.get(r["action"], r["action"])
    return rows
