"""Replay the records of the state and compare them with the store and the document files.

Three things are checked, each difference named in Chinese (table, row, what differs):

1. each change entry that made records states their count and joint hash in its hashed detail:
   the records stored under it must give the same (records inserted, changed or deleted in
   `state_digests` are named by entry);
2. each tracked row's last record must equal the row as it is now, column by column; a row with
   no record was inserted behind the platform's back, a record with no row names a deleted row;
3. each document file of a kind that holds one (`Tracked.document`: 检察建议书, 支持起诉意见书,
   国家司法救助决定书) must exist and hash to the SHA-256 recorded when the platform wrote it (the recorded hash is
   a column of the row's record, so changing it in the store is caught by 2).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from shujian.audit import ACTION_LABELS, OBJECT_LABELS, audit_log, china_time
from shujian.store import metadata
from shujian.tamper.ledger import STATE_KEY, state_digests
from shujian.tamper.policy import TRACKED, Tracked, differing_columns, digests_of, group_digest

BASELINE_ACTION = "baseline_state"
"""The entry migrations 0019, 0024 and 0025 wrote when they recorded the rows a store already
held (its object id is the revision; its detail counts the rows of each kind)."""

READ_BATCH = 5000
"""Rows read at a time when comparing a table (a 100,000-lead store is never held whole)."""


@dataclass
class StateReport:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    compared: dict[str, int] = field(default_factory=dict)
    """Rows compared per tracked kind."""
    documents: int = 0
    """Document files compared with their recorded SHA-256."""


def check_state(conn: Connection, root: Path | None) -> StateReport:
    """Every difference between the records and the store (and the files under `root`)."""
    report = StateReport()
    stated = _statements(conn, report)
    groups: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
    last: dict[tuple[str, int], tuple[int, str]] = {}
    for r in conn.execute(select(state_digests).order_by(state_digests.c.seq)):
        groups[int(r.seq)].append((str(r.kind), int(r.object_id), str(r.digest)))
        last[(str(r.kind), int(r.object_id))] = (int(r.seq), str(r.digest))
    for seq in sorted(set(stated) | set(groups)):
        rows = groups.get(seq, [])
        said = stated.get(seq)
        if said is None:
            report.problems.append(
                f"状态摘要表（state_digests）中有 {len(rows)} 条摘要记在变更记录链第 {seq} 条名下，"
                "而该条记录并未登记它们（摘要被直接插入）。"
            )
        elif said.get("rows") != len(rows) or said.get("sha256") != group_digest(rows):
            report.problems.append(
                f"变更记录链第 {seq} 条记录登记了 {said.get('rows')} 条状态摘要，状态摘要表"
                f"（state_digests）中现有 {len(rows)} 条且与登记不符（摘要被改动或删除）。"
            )
    for kind, tracked in TRACKED.items():
        recorded = {oid: rec for (k, oid), rec in last.items() if k == kind}
        _compare(conn, tracked, recorded, report, root)
    return report


def _statements(conn: Connection, report: StateReport) -> dict[int, dict[str, Any]]:
    """The records each change entry says it made, by entry number; notes the baseline."""
    stated: dict[int, dict[str, Any]] = {}
    a = audit_log
    query = select(a.c.seq, a.c.at, a.c.action, a.c.object_id, a.c.detail).where(
        a.c.detail.like(f'%"{STATE_KEY}"%')
    )
    for r in conn.execute(query):
        detail = json.loads(r.detail)
        said = detail.get(STATE_KEY)
        if not isinstance(said, dict):
            continue
        stated[int(r.seq)] = said
        if r.action == BASELINE_ACTION:
            report.notes.append(baseline_note(int(r.seq), china_time(r.at), r.object_id, detail))
    return stated


def baseline_note(seq: int, at: str, revision: str, detail: dict[str, Any]) -> str:
    """What verify says of a baseline entry: the revision that wrote it, the kinds it covered."""
    counts = detail.get("rows")
    counts = counts if isinstance(counts, dict) else {}
    kinds = "、".join(t.label for k, t in TRACKED.items() if counts.get(k))  # declared order
    covered = f"（{kinds}）" if kinds else ""
    return (
        f"变更记录链第 {seq} 条（{at}）为升级到数据库版本 {revision} 时为已有数据{covered}建立"
        "的状态摘要基线：此后的改动均可核对，此前对这些数据的改动无法证明。"
    )


def _compare(
    conn: Connection,
    tracked: Tracked,
    recorded: dict[int, tuple[int, str]],
    report: StateReport,
    root: Path | None,
) -> None:
    table = metadata.tables[tracked.table]
    columns = [table.c.id, *(table.c[n] for n in tracked.names)]
    seen: set[int] = set()
    last_id = 0
    while True:
        batch = conn.execute(
            select(*columns).where(table.c.id > last_id).order_by(table.c.id).limit(READ_BATCH)
        ).all()
        if not batch:
            break
        for row in batch:
            oid = int(row.id)
            seen.add(oid)
            values = row._mapping
            name = tracked.name(oid, values)
            entry = recorded.get(oid)
            if entry is None:
                report.problems.append(
                    f"{name}（表 {tracked.table}）没有审计记录（被直接插入数据库）。"
                )
            else:
                differ = differing_columns(tracked, entry[1], digests_of(tracked.names, row[1:]))
                if differ:
                    report.problems.append(
                        f"{name}（表 {tracked.table}）的{'、'.join(differ)}与审计记录"
                        f"（变更记录链第 {entry[0]} 条）不符（被直接改动）。"
                    )
            if tracked.document is not None and root is not None:
                _check_document(tracked.document, values, name, root, report)
        last_id = int(batch[-1].id)
    report.compared[tracked.kind] = len(seen)
    for oid in sorted(set(recorded) - seen):
        seq = recorded[oid][0]
        report.problems.append(
            f"{tracked.label} #{oid}（表 {tracked.table}）已不在库中，而审计记录有它"
            f"（最后记于变更记录链第 {seq} 条{_entry_text(conn, seq)}）：被直接删除。"
        )


def _entry_text(conn: Connection, seq: int) -> str:
    """What change entry `seq` was, to name a deleted row's place: “，立案 案件 3”."""
    row = conn.execute(
        select(audit_log.c.action, audit_log.c.object_type, audit_log.c.object_id).where(
            audit_log.c.seq == seq
        )
    ).first()
    if row is None:
        return ""
    action = ACTION_LABELS.get(row.action, row.action)
    return f"，{action} {OBJECT_LABELS.get(row.object_type, row.object_type)} {row.object_id}"


def _check_document(
    columns: tuple[str, str], values: Any, name: str, root: Path, report: StateReport
) -> None:
    file_column, hash_column = columns
    recorded = values[hash_column]
    if recorded is None:
        return  # not rendered yet (or its rendering failed): no file is expected
    report.documents += 1
    where = str(values[file_column])
    try:
        data = (root / where).read_bytes()
    except FileNotFoundError:
        report.problems.append(f"{name}的文书文件 {where} 已不存在（被删除或移走）。")
        return
    except OSError as exc:
        report.problems.append(f"{name}的文书文件 {where} 无法读取：{exc.strerror}。")
        return
    found = hashlib.sha256(data).hexdigest()
    if found != recorded:
        report.problems.append(
            f"{name}的文书文件 {where} 与写入时记录的 SHA-256 不符"
            f"（记录 {recorded[:12]}…，现为 {found[:12]}…）：文件被改动或替换。"
        )
