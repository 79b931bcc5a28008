"""Who saw or changed what, when: the append-only, hash-chained audit log (审计日志).

Every view and change of a lead or a case appends one entry, to one of two chains:

* the change chain (`audit_log`, head row 1 of `audit_head`): assignments, 成案/不成案, case
  steps, recommendations, outcomes, model runs. A change is audited inside the transaction that
  makes it, so a change never exists without its entry; its writers are serialised on head row 1
  (an UPDATE takes the row lock first and keeps it until commit), which keeps the chain linear
  under concurrent writers on PostgreSQL and SQLite alike.
* the view chain (`audit_views`, head row 2): what a user was shown — a lead, a case, a list, an
  export, statistics — each in its own short transaction that touches head row 2 only.

Why two: views are most entries of a web application a whole procuratorate uses, and with one
chain every view took the one head row. Readers then queued behind each other, and behind every
write transaction that had appended its entry, until that transaction committed (a document
being rendered, a bulk assignment). With two chains a view never touches the change head, so a
reader waits only for other views' tiny insert-and-commit, never for a write (measured in
`bench/audit_concurrency.py`, docs/benchmark.md). Views need no place in the change order: a
view records what was committed, and its own order among views is all an investigation needs.
The two chains are merged by time for reading (`query`, `shujian audit log`).

Entries are chained: each entry's hash covers its own content and the previous entry's hash, and
a head row holds the number and hash of its chain's last entry. Editing an entry breaks its hash;
deleting one leaves a gap in the numbers and breaks the next entry's link; cutting the tail leaves
the head pointing past the end. `verify` finds each of these in either chain and names the chain.

Cutting the tail *and* rewriting the head to match the new last entry is what one chain alone
cannot show. The two chains therefore anchor each other: each view entry records the number of
the last committed change (`change_seq`), each new change entry the number of the last committed
view (`view_seq`), both inside the entry's hash. Cut the last changes and rewrite their head, and
any view recorded after them names a change that no longer exists (and the other way round) —
in a working procuratorate views follow every change within minutes. What remains possible, and
is documented in docs/cases.md: someone with write access to the database who cuts *both* chains
at the same moment and rewrites both heads (or rebuilds both chains entirely) is not detected
from inside the database. Against that, write down the heads `verify` prints, outside the system;
a cut chain no longer reaches a head written down before the cut.

Entries recorded before the chains were split (migration 0003) stay in `audit_log` as they were,
views included, with no `view_seq`; their hash is computed as before and they still verify.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
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

MAX_LISTED_IDS = 200
"""How many of the ids a list showed its audit entry names; the entry also records how many were
shown, so a page of 10,000 leads costs a small entry, not a 100 kB one, on every opening."""

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
    # the view chain's committed head when this change was recorded; NULL before migration 0003
    Column("view_seq", Integer, nullable=True),
)

audit_views = Table(
    "audit_views",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("actor", String(128), nullable=False, index=True),
    Column("action", String(64), nullable=False),
    Column("object_type", String(32), nullable=False),
    Column("object_id", String(128), nullable=False),
    Column("detail", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    # the change chain's committed head when this view was recorded
    Column("change_seq", Integer, nullable=False),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # 1: changes, 2: views
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)


@dataclass(frozen=True)
class Chain:
    name: str
    label: str
    table: Table
    head_id: int
    anchor: str
    """The column recording the other chain's committed head."""


CHANGES = Chain("changes", "变更记录链", audit_log, 1, "view_seq")
VIEWS = Chain("views", "查看记录链", audit_views, 2, "change_seq")
CHAINS = (CHANGES, VIEWS)


def _other(chain: Chain) -> Chain:
    return VIEWS if chain is CHANGES else CHANGES


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
    anchor: int | None = None,
) -> str:
    """The hash of one entry: every stored field, in a fixed order, and the previous hash.

    `anchor` (the other chain's head) is hashed when present; entries made before it existed
    have none and keep the hash they were given.
    """
    fields = [str(seq), at, actor, action, object_type, object_id, detail, prev_hash]
    if anchor is not None:
        fields.append(str(anchor))
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


def _append(
    conn: Connection,
    chain: Chain,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | int | None,
    detail: dict[str, Any] | None,
) -> int:
    # The UPDATE comes first: it takes this chain's head row lock (SQLite: the write lock) before
    # anything is read, so the chain stays linear and a SQLite reader never has to upgrade.
    head = conn.execute(
        update(audit_head)
        .where(audit_head.c.id == chain.head_id)
        .values(seq=audit_head.c.seq + 1)
        .returning(audit_head.c.seq, audit_head.c.hash)  # the hash is still the previous entry's
    ).first()
    if head is None:
        raise RuntimeError("audit_head row missing: the store was not made by its migrations")
    # A plain read of the other head: committed data, no lock, never waits for its writers.
    anchor = conn.execute(
        select(audit_head.c.seq).where(audit_head.c.id == _other(chain).head_id)
    ).scalar_one()
    seq, prev = int(head.seq), str(head.hash)
    at = now().isoformat(timespec="microseconds")
    body = _canonical(detail or {})
    oid = "" if object_id is None else str(object_id)
    digest = entry_hash(seq, at, actor, action, object_type, oid, body, prev, int(anchor))
    conn.execute(
        insert(chain.table).values(
            seq=seq,
            at=at,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=oid,
            detail=body,
            prev_hash=prev,
            hash=digest,
            **{chain.anchor: int(anchor)},
        )
    )
    conn.execute(update(audit_head).where(audit_head.c.id == chain.head_id).values(hash=digest))
    return seq


def record(
    conn: Connection,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | int | None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Append a change's entry inside the caller's (changing) transaction; returns its number."""
    return _append(conn, CHANGES, actor, action, object_type, object_id, detail)


def record_view(
    store: Engine,
    actor: str,
    object_type: str,
    object_id: str | int | None,
    detail: dict[str, Any] | None = None,
    action: str = "view",
) -> None:
    """Audit a read in its own short transaction, on the view chain (never waits for a write)."""
    with store.begin() as conn:
        _append(conn, VIEWS, actor, action, object_type, object_id, detail)


def record_list_view(
    store: Engine,
    actor: str,
    object_type: str,
    filters: Mapping[str, Any],
    ids: Sequence[int | str],
    *,
    offset: int = 0,
    limit: int | None = None,
    total: int | None = None,
    action: str = "list",
) -> None:
    """Audit one page of a list: its filters, its page, the ids shown (capped) and the counts.

    Filters that are unset (None, False, empty) are left out: the entry says what narrowed the
    list. Only the first `MAX_LISTED_IDS` ids are named, under `<object_type>_ids` as entries
    always have; `shown` is how many the page held and `total` how many matched (the page's
    own count when the list is not paged), so a capped entry says how much it leaves out.
    """
    named = list(ids[:MAX_LISTED_IDS])
    detail = {
        "filters": {k: v for k, v in filters.items() if v not in (None, False, "")},
        "page": {"offset": offset, "limit": limit},
        f"{object_type}_ids": named,
        "shown": len(ids),
        "total": len(ids) if total is None and limit is None and offset == 0 else total,
    }
    record_view(store, actor, object_type, None, detail, action=action)


@dataclass(frozen=True)
class ChainState:
    name: str
    label: str
    entries: int
    head_seq: int
    head_hash: str


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    chains: tuple[ChainState, ...]
    problems: tuple[str, ...]


def _rows(conn: Connection, table: Table, batch: int = 5000) -> Iterator[Any]:
    last = 0
    while True:
        chunk = conn.execute(
            select(table).where(table.c.seq > last).order_by(table.c.seq).limit(batch)
        ).all()
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq


def _heads(conn: Connection) -> dict[int, tuple[int, str]]:
    """Both heads, read in one statement so they belong to one moment."""
    return {int(r.id): (int(r.seq), str(r.hash)) for r in conn.execute(select(audit_head))}


def verify(store: Engine, max_problems: int = 20) -> Verification:
    """Recompute both chains from their first entries; report every break (in Chinese).

    Safe while users work: the heads are read before and after the entries. An entry committed
    meanwhile is neither "past the head" (it is within the later head) nor does the earlier head
    make the chain look cut; anchors are checked against the later heads, which only grow.
    """
    problems: list[str] = []
    states: list[ChainState] = []
    total = 0
    with store.connect() as conn:
        before = _heads(conn)
        walked = {c.name: _walk(conn, c, problems, max_problems) for c in CHAINS}
        after = _heads(conn)
    for chain in CHAINS:
        count, last_seq, last_hash, max_anchor = walked[chain.name]
        total += count
        early = before.get(chain.head_id, (0, GENESIS))
        late = after.get(chain.head_id, early)
        if chain.head_id not in after:
            problems.append(f"{chain.label}的头记录缺失（头记录被删除）。")
        elif last_seq < early[0]:
            problems.append(
                f"{chain.label}：头记录最后一条为第 {early[0]} 条，实际最后一条为第 {last_seq} 条"
                "（记录被截断或头记录被改动）。"
            )
        elif last_seq > late[0]:
            problems.append(
                f"{chain.label}：第 {late[0] + 1}–{last_seq} 条记录在头记录之后"
                "（记录被插入或头记录被改动）。"
            )
        elif (last_seq, last_hash) not in (early, late) and last_seq in (early[0], late[0]):
            problems.append(f"{chain.label}：头记录的哈希值与最后一条记录不符。")
        other = _other(chain)
        other_head = after.get(other.head_id, (0, GENESIS))[0]
        if max_anchor is not None and max_anchor[1] > other_head:
            seq, anchored = max_anchor
            problems.append(
                f"{chain.label}第 {seq} 条记录写入时{other.label}已有第 {anchored} 条记录，"
                f"而{other.label}现在只到第 {other_head} 条（{other.label}末尾的记录被删除，"
                "头记录被改写）。"
            )
        states.append(ChainState(chain.name, chain.label, count, late[0], late[1]))
    problems = problems[:max_problems]
    return Verification(not problems, total, tuple(states), tuple(problems))


def _walk(
    conn: Connection, chain: Chain, problems: list[str], max_problems: int
) -> tuple[int, int, str, tuple[int, int] | None]:
    """Check one chain's entries in order; returns (count, last seq, last hash, highest anchor
    as (seq, anchor))."""
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    highest: tuple[int, int] | None = None
    label = chain.label
    for r in _rows(conn, chain.table):
        count += 1
        if r.seq != expected_seq:
            problems.append(f"{label}第 {expected_seq}–{r.seq - 1} 条记录缺失（已被删除）。")
        if r.prev_hash != expected_prev:
            problems.append(
                f"{label}第 {r.seq} 条记录与前一条记录的链接不符（前一条被修改或删除）。"
            )
        anchor = getattr(r, chain.anchor)
        digest = entry_hash(
            r.seq,
            r.at,
            r.actor,
            r.action,
            r.object_type,
            r.object_id,
            r.detail,
            r.prev_hash,
            anchor,
        )
        if digest != r.hash:
            problems.append(f"{label}第 {r.seq} 条记录的内容与其哈希值不符（记录被修改）。")
        if anchor is not None and (highest is None or anchor > highest[1]):
            highest = (int(r.seq), int(anchor))
        expected_prev = r.hash
        expected_seq = r.seq + 1
        if len(problems) >= max_problems:
            break
    return count, expected_seq - 1, expected_prev, highest


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
    """Entries of both chains matching every given filter, oldest first, merged by time (dates
    compare on the UTC day); each says its `chain` ("changes" or "views") and its `seq` there."""
    rows: list[dict[str, Any]] = []
    with store.connect() as conn:
        for chain in CHAINS:
            t = chain.table
            q = select(t).order_by(t.c.seq)
            if actor:
                q = q.where(t.c.actor == actor)
            if object_type:
                q = q.where(t.c.object_type == object_type)
            if object_id is not None:
                q = q.where(t.c.object_id == str(object_id))
            if action:
                q = q.where(t.c.action == action)
            if since:
                q = q.where(t.c.at >= since.isoformat())
            if until:
                q = q.where(t.c.at < (until + dt.timedelta(days=1)).isoformat())
            if limit:
                q = q.order_by(None).order_by(t.c.seq.desc()).limit(limit)
            rows.extend({**r._mapping, "chain": chain.name} for r in conn.execute(q))
    # `at` is ISO 8601 UTC with microseconds, so text order is time order; within one instant,
    # each chain keeps its own order.
    rows.sort(key=lambda r: (r["at"], r["chain"], r["seq"]))
    if limit:
        rows = rows[-limit:]
    for r in rows:
        r["detail"] = json.loads(r["detail"])
        r["action_label"] = ACTION_LABELS.get(r["action"], r["action"])
    return rows
