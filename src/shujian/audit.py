"""Who saw or changed what, when: the append-only, hash-chained audit log (审计日志).

Every view and change of a lead or a case appends one entry, to one of two kinds of chain:

* the change chain (`audit_log`, head row 1 of `audit_head`): dispatches, 成案/不成案, case
  steps, recommendations, outcomes, model runs. A change is audited inside the transaction that
  makes it, so a change never exists without its entry; its writers are serialised on head row 1
  (an UPDATE takes the row lock first and keeps it until commit), which keeps the chain linear
  under concurrent writers on PostgreSQL and SQLite alike.
* the view chains (`audit_views`, head rows 2–17, one chain each): what a user was shown — a
  lead, a case, a list, an export, statistics — each in its own short transaction that touches
  one view head only.

Why: views are most entries of a web application a whole procuratorate uses, and with one chain
every view took the one head row. Readers then queued behind each other, and behind every write
transaction that had appended its entry, until it committed (a document being rendered, a bulk
assignment). A view now never touches the change head, so it never waits for a write. And a view
does not wait for other views either: on PostgreSQL it takes whichever of the sixteen view heads
no other view holds (`FOR UPDATE SKIP LOCKED`), waiting only when all sixteen are busy. With one
view chain, twenty busy readers queued for about twenty commits each (measured in
`bench/audit_concurrency.py`, docs/benchmark.md). SQLite has one writer at a time whatever the
schema, so there every view uses the first view chain (head row 2) and waits as before. Views
need no place in the change order — a view records what was committed — and the order among views of one user is
their time. `query` and `shujian audit log` merge all chains by time.

Entries are chained: each entry's hash covers its own content and the previous entry's hash, and
a head row holds the number and hash of its chain's last entry. Editing an entry breaks its hash;
deleting one leaves a gap in the numbers and breaks the next entry's link; cutting the tail leaves
the head pointing past the end. `verify` finds each of these in any chain and names the chain.

Cutting the tail *and* rewriting the head to match the new last entry is what a chain alone
cannot show. The chains therefore anchor each other: each view entry records the number of the
last committed change (`change_seq`), each new change entry the total of the view heads
(`view_seq`), both inside the entry's hash. Cut the last changes and rewrite their head, and any
view recorded after them names a change that no longer exists; cut views and rewrite their head,
and any later change counted more views than remain. In a working procuratorate views follow every
change within minutes. What remains possible, and docs/cases.md says so: someone with write
access to the database who cuts every chain at the same moment and rewrites every head (or
rebuilds the chains entirely) is not detected from inside the database; nor is the cut of the
newest views when no change has followed them yet. Against that, write down the heads `verify`
prints, outside the system: a cut chain no longer reaches a head written down before the cut.
Not done: anchoring each head with an HMAC under a secret kept in the workspace folder, which
would stop someone who can write the database but not read the workspace. The secret would have to
reach every `record` call, i.e. be attached where the workspace opens its store (`Workspace.store`),
and a store upgraded from 0.1 would need its heads anchored on first open.

Entries recorded before the split (migration 0004) stay in `audit_log` as they were, views
included, with no `view_seq`; their hash is computed as before and they still verify.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
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
    func,
    insert,
    select,
    update,
)

from shujian import beijing
from shujian.paging import Page
from shujian.store import metadata, now
from shujian.tamper import ledger
from shujian.users.access import require
from shujian.users.user import User

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
    # the view chain's committed head when this change was recorded; NULL before migration 0004
    Column("view_seq", Integer, nullable=True),
)

audit_views = Table(
    "audit_views",
    metadata,
    Column("chain", Integer, primary_key=True, autoincrement=False),  # its head row's id
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
    Column("id", Integer, primary_key=True, autoincrement=False),  # 1: changes, 2–17: views
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)


CHANGES = 1
"""The change chain's head row."""
VIEW_CHAINS = range(2, 18)
"""The view chains' head rows (migration 0004 made them): sixteen, so that twenty readers at
once seldom find every one taken."""


def chain_label(head_id: int) -> str:
    """The chain's Chinese name, as `verify` and `audit log` print it."""
    return "变更记录链" if head_id == CHANGES else f"查看记录链（{head_id - 1}）"


ACTION_LABELS = {
    "view": "查看",
    "list": "查看列表",
    "export": "导出",
    "assign": "分派",  # entries written before 分派 was named `dispatch`
    "dispatch": "分派",
    "add_user": "开通账号",
    "deactivate_user": "停用账号",
    "render_document": "生成文书",
    "render_failed": "文书生成失败",
    "accept": "成案",
    "dismiss": "不成案",
    "open_case": "立案",
    "add_leads": "并入线索",
    "transition": "案件流转",
    "issue_recommendation": "制发检察建议书",
    "file_record": "报上一级院备案",
    "recompute_deadline": "重新计算期限",
    "record_outcome": "登记成效",
    "run_models": "运行模型",
    "import": "导入数据",
    "reimport": "重新导入",
    "compact": "合并小批次",
    "save_mappings": "保存表头对应",
    "delete_mappings": "删除表头对应",
    "login": "登录",
    "login_failed": "登录失败",
    "login_refused_locked": "锁定期间登录被拒",
    "account_locked": "账号锁定",
    "logout": "退出登录",
    "set_password": "设置密码",
    "count": "查看统计",
    "list_visits_due": "查看应走访名单",
    "open_supervision_item": "列为督办",
    "follow_up_supervision_item": "督办跟进",
    "move_supervision_deadline": "调整督办期限",
    "close_supervision_item": "督办办结",
    "draw_spot_checks": "抽取暗访名单",
    "record_spot_check": "登记暗访结果",
    "issue_guardianship_order": "制发督促监护令",
    "render_guardianship_order": "生成督促监护令文书",
    "follow_up_guardianship_order": "督促监护令回访",
    "reprimand_guardian": "训诫监护人",
    "record_guidance_session": "登记家庭教育指导",
    "seal_records": "封存未成年人犯罪记录",
    "view_sealed": "查阅封存记录",
    "unseal_record": "解除封存",
    "record_sealing_request": "登记查询申请",
    "answer_sealing_request": "答复查询申请",
    "baseline_state": "建立状态摘要基线",
    "issue_support_opinion": "制发支持起诉意见书",
    "render_support_opinion": "生成支持起诉意见书文书",
    "issue_judicial_aid_decision": "制发国家司法救助决定书",
    "schedule_hearing": "决定召开听证会",
    "hold_hearing": "举行听证会",
    "hearing_opinion": "登记听证员意见",
    "decide_hearing": "作出听证处理决定",
    "petition_received": "登记信访",
    "petition_routed": "信访分流",
    "petition_procedural_reply": "信访程序性回复",
    "petition_result_reply": "信访答复",
    "petition_feedback": "信访回访评价",
    "petition_leader_case": "领导包案",
    "petition_recompute_deadline": "重新计算信访期限",
    "add_reception_day": "登记检察长接待日",
}

OBJECT_LABELS = {
    "lead": "线索",
    "case": "案件",
    "user": "账号",
    "batch": "导入批次",
    "compaction": "小批次合并文件",
    "run": "模型运行",
    "stats": "统计",
    "minor": "未成年人",
    "supervision_item": "督办事项",
    "spot_check": "暗访",
    "guardianship_order": "督促监护令",
    "guardian_reprimand": "训诫",
    "guidance_session": "家庭教育指导",
    "sealed_record": "封存记录",
    "sealing_request": "封存记录查询申请",
    "store": "案件库",
    "support_opinion": "支持起诉意见书",
    "petition": "信访件",
    "reception_day": "检察长接待日",
    "workspace": "工作区",
}
"""The Chinese name of each kind of object the log names (an unknown kind shows its id)."""

CHINA = beijing.CHINA
"""Beijing time: the days a user filters by and the times the pages show (the log stores UTC)."""


def china_day_bounds(since: dt.date | None, until: dt.date | None) -> tuple[str | None, str | None]:
    """The UTC instants (as the log stores them) bounding the Beijing days `since` … `until`
    inclusive: the first instant of `since` and the first instant after `until`."""

    return (
        beijing.day_start(since).isoformat(timespec="microseconds") if since else None,
        beijing.day_after(until).isoformat(timespec="microseconds") if until else None,
    )


def china_time(at: str) -> str:
    """A stored UTC instant as Beijing time, to the second: 2026-12-06 10:20:29."""
    return dt.datetime.fromisoformat(at).astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


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


def _take_head(conn: Connection, head_id: int) -> tuple[int, str]:
    """Advance a head and lock it until commit; returns the new number and the previous hash."""
    head = conn.execute(
        update(audit_head)
        .where(audit_head.c.id == head_id)
        .values(seq=audit_head.c.seq + 1)
        .returning(audit_head.c.seq, audit_head.c.hash)  # the hash is still the previous entry's
    ).first()
    if head is None:
        raise RuntimeError("audit_head row missing: the store was not made by its migrations")
    return int(head.seq), str(head.hash)


def _free_view_chain(conn: Connection) -> int:
    """A view chain no other transaction holds (PostgreSQL), else one at random to wait on."""
    if conn.dialect.name == "postgresql":
        free = conn.execute(
            select(audit_head.c.id)
            .where(audit_head.c.id >= VIEW_CHAINS.start)
            .order_by(func.random())
            .limit(1)
            .with_for_update(skip_locked=True)
        ).scalar()
        return int(free) if free is not None else random.choice(VIEW_CHAINS)
    return VIEW_CHAINS.start  # SQLite: one writer at a time whatever the chain


def _entry(
    seq: int,
    prev: str,
    anchor: int,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | int | None,
    detail: dict[str, Any] | None,
) -> dict[str, Any]:
    at = now().isoformat(timespec="microseconds")
    body = _canonical(detail or {})
    oid = "" if object_id is None else str(object_id)
    digest = entry_hash(seq, at, actor, action, object_type, oid, body, prev, anchor)
    return {
        "seq": seq,
        "at": at,
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": oid,
        "detail": body,
        "prev_hash": prev,
        "hash": digest,
    }


def record(
    conn: Connection,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | int | None,
    detail: dict[str, Any] | None = None,
    *,
    state: Sequence[ledger.StateRow] = (),
) -> int:
    """Append a change's entry inside the caller's (changing) transaction; returns its number.

    `state` are the records of the rows the change wrote (`tamper.ledger.track`): they are stored
    under this entry, and the entry's hashed detail states their count and joint hash."""
    if state:
        detail = {**(detail or {}), ledger.STATE_KEY: ledger.statement(state)}
    # The UPDATE comes first: it takes the head row lock (SQLite: the write lock) before anything
    # is read, so the chain stays linear and a SQLite transaction never has to upgrade its lock.
    seq, prev = _take_head(conn, CHANGES)
    # A plain read of the view heads: committed data, no lock, never waits for a view.
    views = conn.execute(
        select(func.coalesce(func.sum(audit_head.c.seq), 0)).where(audit_head.c.id != CHANGES)
    ).scalar_one()
    row = _entry(seq, prev, int(views), actor, action, object_type, object_id, detail)
    conn.execute(insert(audit_log).values(**row, view_seq=int(views)))
    conn.execute(update(audit_head).where(audit_head.c.id == CHANGES).values(hash=row["hash"]))
    ledger.store_rows(conn, seq, state)
    return seq


def record_view(
    store: Engine,
    actor: str,
    object_type: str,
    object_id: str | int | None,
    detail: dict[str, Any] | None = None,
    action: str = "view",
) -> None:
    """Audit a read in its own short transaction, on a free view chain: it never waits for a
    write, and for another view only when every view chain is taken."""
    with store.begin() as conn:
        chain = _free_view_chain(conn)
        seq, prev = _take_head(conn, chain)
        changes = conn.execute(
            select(audit_head.c.seq).where(audit_head.c.id == CHANGES)
        ).scalar_one()
        row = _entry(seq, prev, int(changes), actor, action, object_type, object_id, detail)
        conn.execute(insert(audit_views).values(**row, chain=chain, change_seq=int(changes)))
        conn.execute(update(audit_head).where(audit_head.c.id == chain).values(hash=row["hash"]))


def id_ranges(ids: Sequence[int]) -> list[list[int]]:
    """`ids` as runs of consecutive numbers, [first, last] each, in order: every id named
    exactly, in a few numbers where a change made thousands of rows at once (a million-row
    export seals some 220,000 records; their ids in full were 1.4 MB of one entry, all of it
    on the audit page)."""
    ranges: list[list[int]] = []
    for i in sorted(set(ids)):
        if ranges and i == ranges[-1][1] + 1:
            ranges[-1][1] = i
        else:
            ranges.append([i, i])
    return ranges


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


def record_page_view(
    store: Engine, actor: str, object_type: str, filters: Mapping[str, Any], page: Page
) -> None:
    """Audit one `Page` of a list (the rows' ids, its window and its total)."""
    record_list_view(
        store,
        actor,
        object_type,
        filters,
        [r["id"] for r in page],
        offset=page.offset,
        limit=page.limit,
        total=page.total,
    )


@dataclass(frozen=True)
class ChainState:
    head_id: int
    label: str
    entries: int
    head_seq: int
    head_hash: str


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    chains: tuple[ChainState, ...]
    """The change chain, then each view chain that has entries."""
    problems: tuple[str, ...]
    notes: tuple[str, ...] = ()
    """What a reader should know that is not a problem (what cannot be proven)."""


def _rows(conn: Connection, head_id: int, batch: int = 5000) -> Iterator[Any]:
    table = audit_log if head_id == CHANGES else audit_views
    last = 0
    while True:
        q = select(table).where(table.c.seq > last).order_by(table.c.seq).limit(batch)
        if head_id != CHANGES:
            q = q.where(audit_views.c.chain == head_id)
        chunk = conn.execute(q).all()
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq


def _heads(conn: Connection) -> dict[int, tuple[int, str]]:
    """Every head, read in one statement so they belong to one moment."""
    return {int(r.id): (int(r.seq), str(r.hash)) for r in conn.execute(select(audit_head))}


@dataclass
class _Walked:
    entries: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS
    highest: tuple[int, int] | None = None
    """The entry with the highest anchor: (its seq, the anchor)."""


def verify(store: Engine, max_problems: int = 20, *, user: User | None = None) -> Verification:
    """Recompute every chain from its first entry; report every break (in Chinese), naming it.
    A user given must be allowed to verify the log (no user: the platform's own checks).

    Safe while users work: the heads are read before and after the entries. An entry committed
    meanwhile is neither "past the head" (it is within the later head) nor does the earlier head
    make the chain look cut; anchors are checked against the later heads, which only grow.
    """
    if user is not None:
        require(user, "verify_audit")
    problems: list[str] = []
    with store.connect() as conn:
        before = _heads(conn)
        chains = sorted(
            {CHANGES, *VIEW_CHAINS, *before}
            | set(conn.execute(select(audit_views.c.chain).distinct()).scalars())
        )
        walked = {c: _walk(conn, c, problems) for c in chains}
        after = _heads(conn)
    states: list[ChainState] = []
    for head_id in chains:
        w, label = walked[head_id], chain_label(head_id)
        early = before.get(head_id, (0, GENESIS))
        late = after.get(head_id, early)
        if head_id not in after:
            problems.append(f"{label}的头记录缺失（头记录被删除）。")
        elif w.last_seq < early[0]:
            problems.append(
                f"{label}：头记录最后一条为第 {early[0]} 条，实际最后一条为第 {w.last_seq} 条"
                "（记录被截断或头记录被改动）。"
            )
        elif w.last_seq > late[0]:
            problems.append(
                f"{label}：第 {late[0] + 1}–{w.last_seq} 条记录在头记录之后"
                "（记录被插入或头记录被改动）。"
            )
        elif (w.last_seq, w.last_hash) not in (early, late) and w.last_seq in (early[0], late[0]):
            problems.append(f"{label}：头记录的哈希值与最后一条记录不符。")
        if head_id == CHANGES or w.entries or late[0]:
            states.append(ChainState(head_id, label, w.entries, late[0], late[1]))
    changes_now = after.get(CHANGES, (0, GENESIS))[0]
    views_now = sum(seq for head_id, (seq, _) in after.items() if head_id != CHANGES)
    for head_id in chains:
        highest = walked[head_id].highest
        if head_id == CHANGES and highest and highest[1] > views_now:
            problems.append(
                f"变更记录链第 {highest[0]} 条记录写入时查看记录共有 {highest[1]} 条，"
                f"而查看记录链现在合计只有 {views_now} 条（查看记录末尾被删除，头记录被改写）。"
            )
        elif head_id != CHANGES and highest and highest[1] > changes_now:
            problems.append(
                f"{chain_label(head_id)}第 {highest[0]} 条记录写入时变更记录链已有第 "
                f"{highest[1]} 条记录，而变更记录链现在只到第 {changes_now} 条"
                "（变更记录链末尾的记录被删除，头记录被改写）。"
            )
    total = sum(w.entries for w in walked.values())
    problems = problems[:max_problems]
    return Verification(not problems, total, tuple(states), tuple(problems))


def _walk(conn: Connection, head_id: int, problems: list[str]) -> _Walked:
    """Check one chain's entries in order, adding what is broken to `problems`."""
    w = _Walked()
    label = chain_label(head_id)
    anchor_column = "view_seq" if head_id == CHANGES else "change_seq"
    for r in _rows(conn, head_id):
        w.entries += 1
        if r.seq != w.last_seq + 1:
            problems.append(f"{label}第 {w.last_seq + 1}–{r.seq - 1} 条记录缺失（已被删除）。")
        if r.prev_hash != w.last_hash:
            problems.append(
                f"{label}第 {r.seq} 条记录与前一条记录的链接不符（前一条被修改或删除）。"
            )
        anchor = getattr(r, anchor_column)
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
        if anchor is not None and (w.highest is None or anchor > w.highest[1]):
            w.highest = (int(r.seq), int(anchor))
        w.last_seq, w.last_hash = int(r.seq), str(r.hash)
    return w


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
    user: User | None = None,
) -> list[dict[str, Any]]:
    """Entries of both chains matching every given filter, oldest first, merged by time (dates
    are Beijing days); each says its `chain` (head row id: 1 changes, 2–17 views), the
    chain's Chinese label and its `seq` there. A user given must be allowed to read the log
    (系统管理员, 院领导: the log names every lead and case, so it is the procuratorate's whole;
    no user: the platform's own reads)."""
    if user is not None:
        require(user, "view_audit")
    rows: list[dict[str, Any]] = []
    lower, upper = china_day_bounds(since, until)
    with store.connect() as conn:
        for t in (audit_log, audit_views):
            q = select(t).order_by(t.c.seq)
            if actor:
                q = q.where(t.c.actor == actor)
            if object_type:
                q = q.where(t.c.object_type == object_type)
            if object_id is not None:
                q = q.where(t.c.object_id == str(object_id))
            if action:
                q = q.where(t.c.action == action)
            if lower:
                q = q.where(t.c.at >= lower)
            if upper:
                q = q.where(t.c.at < upper)
            if limit:
                q = q.order_by(None).order_by(t.c.seq.desc()).limit(limit)
            for found in conn.execute(q):
                row = dict(found._mapping)
                row["chain"] = int(row.get("chain", CHANGES))
                row["chain_label"] = chain_label(row["chain"])
                rows.append(row)
    # `at` is ISO 8601 UTC with microseconds, so text order is time order; within one instant,
    # each chain keeps its own order.
    rows.sort(key=lambda r: (r["at"], r["chain"], r["seq"]))
    if limit:
        rows = rows[-limit:]
    for r in rows:
        r["detail"] = json.loads(r["detail"])
        r["action_label"] = ACTION_LABELS.get(r["action"], r["action"])
        r["object_label"] = OBJECT_LABELS.get(r["object_type"], r["object_type"])
        r["local_at"] = china_time(r["at"])
    return rows
