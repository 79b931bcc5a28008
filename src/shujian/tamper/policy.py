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

from shujian.jsontext import EncodedJSON

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
    named: str = ""
    """How a row is named in a difference, a `str.format` template over `id` and its tracked
    columns (“检察建议书 {number}（#{id}）”); empty: the label and the id. A deleted row is
    named by its label and id, its values gone."""
    document: tuple[str, str] | None = None
    """(file column, SHA-256 column) of a row that holds a document file: `verify` hashes the
    file (under the workspace) and compares it with the recorded hash, which is itself a tracked
    column. A NULL hash is a file not rendered yet, or a 国家司法救助决定书 issued before 0025
    recorded its file: none is expected."""

    @functools.cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.columns)

    def column_label(self, column: str) -> str:
        return dict(self.columns)[column]

    def name(self, object_id: int, values: Mapping[Any, Any]) -> str:
        """The row as a difference names it: “案件 #3 的办案记录 #12”."""
        if not self.named:
            return f"{self.label} #{object_id}"
        return self.named.format(id=object_id, **{c: values[c] for c in self.names})


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
            named="案件 #{case_id} 的办案记录 #{id}",
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
            named="检察建议书 {number}（#{id}）",
            document=("document", "document_sha256"),
        ),
        Tracked(
            "support_opinion",
            "support_opinions",
            "支持起诉意见书",
            (
                ("case_id", "所属案件"),
                ("procuratorate", "检察院"),
                ("year", "年度"),
                ("seq", "序号"),
                ("number", "文号"),
                ("numbering", "编号方式"),
                ("court", "受诉法院"),
                ("issued_on", "制发日期"),
                ("content", "内容"),
                ("document", "文书文件位置"),
                ("document_sha256", "文书文件 SHA-256"),
                ("actor", "制发人"),
            ),
            named="支持起诉意见书 {number}（#{id}）",
            document=("document", "document_sha256"),
        ),
        Tracked(
            "judicial_aid_decision",
            "judicial_aid_decisions",
            "国家司法救助决定书",
            (
                ("case_id", "所属案件"),
                ("number", "文号"),
                ("year", "年度"),
                ("seq", "序号"),
                ("issued_on", "决定日期"),
                ("content", "内容"),
                ("actor", "制发人"),
                ("document", "文书文件位置"),
                ("document_sha256", "文书文件 SHA-256"),
            ),
            named="国家司法救助决定书 {number}（#{id}）",
            document=("document", "document_sha256"),
        ),
        Tracked(
            "hearing",
            "hearings",
            "听证会",
            (
                ("case_id", "所属案件"),
                ("matter", "听证事项"),
                ("public", "是否公开"),
                ("place", "听证地点"),
                ("host", "主持人"),
                ("scheduled_on", "定于日期"),
                ("notified_on", "告知日期"),
                ("announced_on", "公告日期"),
                ("state", "听证状态"),
                ("held_on", "举行日期"),
                ("record", "听证笔录"),
                ("decision", "处理决定"),
                ("decided_on", "决定日期"),
                ("follows_majority", "是否采纳多数意见"),
                ("chief_consent", "检察长同意情况"),
                ("created_by", "登记人"),
            ),
            named="案件 #{case_id} 的听证会 #{id}",
        ),
        Tracked(
            "hearing_member",
            "hearing_members",
            "听证员",
            (
                ("hearing_id", "所属听证会"),
                ("seq", "序号"),
                ("name", "姓名"),
                ("identity", "身份"),
                ("born_on", "出生日期"),
            ),
            named="听证会 #{hearing_id} 的听证员 #{id}",
        ),
        Tracked(
            "hearing_event",
            "hearing_events",
            "听证记录",
            (
                ("hearing_id", "所属听证会"),
                ("on_date", "日期"),
                ("kind", "步骤"),
                ("actor", "办理人"),
                ("detail", "内容"),
            ),
            named="听证会 #{hearing_id} 的听证记录 #{id}",
        ),
        Tracked(
            "reception_day",
            "reception_days",
            "检察长接待日",
            (
                ("on_date", "接待日期"),
                ("leader", "接待领导"),
                ("place", "接待地点"),
                ("note", "说明"),
                ("actor", "登记人"),
            ),
        ),
        Tracked(
            "petition",
            "petitions",
            "信访件",
            (
                ("received_on", "收到日期"),
                ("channel", "信访渠道"),
                ("category", "信访类别"),
                ("name", "信访人姓名"),
                ("id_card", "公民身份号码"),
                ("contact", "联系方式"),
                ("minor", "是否未成年人"),
                ("no_contact", "匿名或无联系方式"),
                ("matter", "信访事项"),
                ("state", "办理状态"),
                ("department", "承办部门"),
                ("handler", "承办人"),
                ("procedural_due", "程序性回复期限"),
                ("procedural_on", "程序性回复日期"),
                ("procedural_outcome", "程序性回复结果"),
                ("result_due", "结果答复期限"),
                ("result_on", "结果答复日期"),
                ("closed_on", "办结日期"),
                ("feedback", "回访评价"),
                ("feedback_on", "回访日期"),
                ("leader", "包案领导"),
                ("leader_on", "包案日期"),
                ("reception_day_id", "检察长接待日"),
                ("registered_by", "登记人"),
            ),
        ),
        Tracked(
            "petition_event",
            "petition_events",
            "信访办理记录",
            (
                ("petition_id", "所属信访件"),
                ("on_date", "日期"),
                ("kind", "步骤"),
                ("actor", "办理人"),
                ("text", "内容"),
                ("detail", "详情"),
            ),
            named="信访件 #{petition_id} 的办理记录 #{id}",
        ),
    )
}
"""The tracked kinds, as data: a column added here is a new record for every row of its kind
(its rows then read as changed until a baseline is recorded again). The first four have had
records since migration 0019; 支持起诉, 国家司法救助, 公开听证 and 12309 信访 since 0024, which
recorded the rows a store already held; the 国家司法救助决定书's file (its two columns) since 0025,
which recorded its rows again."""


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
    if type(value) is EncodedJSON:  # a run's evidence, encoded column-wise as below
        return "j" + value.canonical
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
