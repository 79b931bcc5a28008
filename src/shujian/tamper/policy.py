"""What is digested of which row, and how digests are compared: pure functions, no store.

A row's record is one short digest per material column, in the declared order: comparing the
record with the row as it is names the columns that differ. Material columns are what a reader is
shown and what decides (a lead's evidence and title, a case's state and deadline, a
recommendation's number, content and document hash); bookkeeping (timestamps, run numbers,
tallies) is left out, so that a run that finds the same facts again records nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

DIGEST_CHARS = 24
"""Hex characters kept of each column's SHA-256: 96 bits, so forging a value with the same digest
(a second preimage) stays out of reach, while a lead's record is 264 characters, not 700."""


@dataclass(frozen=True)
class Tracked:
    """A kind of row whose changes are recorded: its table, its Chinese name, its columns."""

    kind: str
    table: str
    label: str
    columns: tuple[tuple[str, str], ...]
    """(column, Chinese label) in digest order; changing the order changes every record."""

    @functools.cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.columns)

    def column_label(self, column: str) -> str:
        return dict(self.columns)[column]


TRACKED: dict[str, Tracked] = {
    t.kind: t
    for t in (
        Tracked(
            "lead",
            "leads",
            "线索",
            (
                ("model_id", "模型"),
                ("subject", "对象"),
                ("title", "标题"),
                ("status", "研判状态"),
                ("active", "是否仍命中"),
                ("evidence", "证据"),
                ("evidence_hash", "证据摘要"),
                ("evidence_rows", "证据行数"),
                ("town", "乡镇"),
                ("dispatch_department", "分派部门"),
                ("dispatch_prosecutor", "分派检察官"),
            ),
        ),
        Tracked(
            "case",
            "cases",
            "案件",
            (
                ("case_kind", "案件类别"),
                ("department", "承办部门"),
                ("prosecutor", "承办检察官"),
                ("state", "办理状态"),
                ("urgent", "紧急"),
                ("juvenile", "涉未成年人"),
                ("deadline_kind", "期限类别"),
                ("deadline_start", "期限起算日"),
                ("deadline_due", "期限届满日"),
                ("opened_on", "立案日期"),
            ),
        ),
        Tracked(
            "case_event",
            "case_events",
            "办案记录",
            (
                ("case_id", "所属案件"),
                ("on_date", "日期"),
                ("actor", "办理人"),
                ("action", "操作"),
                ("from_state", "原状态"),
                ("to_state", "新状态"),
                ("reason", "理由"),
                ("fields", "内容"),
            ),
        ),
        Tracked(
            "recommendation",
            "recommendations",
            "检察建议书",
            (
                ("case_id", "所属案件"),
                ("procuratorate", "检察院"),
                ("category", "类别"),
                ("year", "年度"),
                ("seq", "序号"),
                ("number", "文号"),
                ("numbering", "编号方式"),
                ("recipient", "被建议单位"),
                ("issued_on", "制发日期"),
                ("content", "内容"),
                ("template_sha256", "文书模板摘要"),
                ("document", "文书文件位置"),
                ("document_sha256", "文书文件 SHA-256"),
                ("filing_due", "备案期限"),
                ("filed_on", "备案日期"),
            ),
        ),
    )
}
"""The tracked kinds, as data: a column added here is a new record for every row of its kind
(its rows then read as changed until a baseline is recorded again)."""


def value_text(value: Any) -> str:
    """A value as canonical text, tagged with its kind: the same on SQLite and PostgreSQL for the
    same stored value. Scalars are written directly (a run records 100,000 leads: JSON-encoding
    each of their columns was most of the cost); lists and objects as JSON with sorted keys,
    Decimals and anything else as their text."""
    if value is None:
        return "n"
    if isinstance(value, bool):
        return "b1" if value else "b0"
    if isinstance(value, int):
        return f"i{value}"
    if isinstance(value, str):
        return f"s{value}"
    if isinstance(value, dt.date):  # a datetime too
        return f"d{value.isoformat()}"
    return "j" + _CANONICAL.encode(value)


_CANONICAL = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
)
"""`json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)`,
made once (json.dumps with arguments builds an encoder on every call: 100,000 leads' evidence)."""


def column_digest(column: str, value: Any) -> str:
    """One column's digest: its name and its canonical value, hashed together."""
    text = f"{column}\x1f{value_text(value)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGEST_CHARS]


def column_digests(tracked: Tracked, row: Mapping[Any, Any]) -> dict[str, str]:
    """The digest of each of the tracked columns `row` holds (a partial row: only those)."""
    return {c: column_digest(c, row[c]) for c in tracked.names if c in row}


def digests_of(names: Sequence[str], values: Sequence[Any]) -> dict[str, str]:
    """The digests of `values`, read in the order of `names` (a row as the store returns it)."""
    return {c: column_digest(c, v) for c, v in zip(names, values, strict=True)}


def encode(tracked: Tracked, digests: Mapping[str, str]) -> str:
    """A whole row's record as stored: the column digests in declared order, concatenated."""
    return "".join(digests[c] for c in tracked.names)


def decode(tracked: Tracked, record: str) -> dict[str, str]:
    """The column digests of a stored record (a record of another length decodes to nothing)."""
    if len(record) != DIGEST_CHARS * len(tracked.columns):
        return {}
    return {
        c: record[i * DIGEST_CHARS : (i + 1) * DIGEST_CHARS] for i, c in enumerate(tracked.names)
    }


def merge(
    tracked: Tracked,
    previous: str | None,
    current: Mapping[str, str],
    written: Collection[str] | None,
) -> str | None:
    """The record after a write: the columns the platform wrote from the row as it is now, every
    other column as recorded before.

    Why not the whole row as it is now: a column forged in the database and not written by this
    change would be recorded as if the platform had written it, and the forgery would pass from
    then on. `written` None is a row the platform has just made (every column is its own). A row
    with no record that the platform did not make (inserted behind its back) gets none: None.
    """
    if written is None:
        return encode(tracked, current)
    if previous is None:
        return None
    before = decode(tracked, previous)
    if not before:
        return None
    return encode(tracked, {c: current[c] if c in written else before[c] for c in tracked.names})


def differing_columns(tracked: Tracked, record: str, current: Mapping[str, str]) -> list[str]:
    """The Chinese labels of the columns whose digest differs from the record, in declared
    order."""
    before = decode(tracked, record)
    return [label for c, label in tracked.columns if before.get(c) != current.get(c)]


def group_digest(rows: Iterable[tuple[str, int, str]]) -> str:
    """The joint hash of the records one change entry made: (kind, id, record) lines, sorted, so
    the hash does not depend on the order they were read in."""
    lines = sorted(f"{kind}\x1f{object_id}\x1f{record}" for kind, object_id, record in rows)
    return hashlib.sha256("\x1e".join(lines).encode("utf-8")).hexdigest()
