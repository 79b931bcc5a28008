"""Anchors: the chains' heads written down outside the store (打印或抄录留存).

A chain alone cannot show that its last entries were deleted and its head rewritten to the new
last entry; the anchors between the chains (`audit`) catch it only when a later entry of another
chain remains. An anchor taken earlier and kept on paper or another machine does: every entry it
names must still be there with the same hash. The text is meant to be read and typed back by a
person: one line per chain, its label, entry number, hash and the entry's time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, select

from shujian import beijing
from shujian.audit import (
    CHANGES,
    VIEW_CHAINS,
    audit_head,
    audit_log,
    audit_views,
    chain_label,
    china_time,
)
from shujian.errors import UserError
from shujian.store import now

TITLE = "数检审计锚点"


@dataclass(frozen=True)
class Anchor:
    head_id: int
    seq: int
    hash: str
    at: str = ""
    """When the entry was written (Beijing time), for the reader; not checked."""

    @property
    def label(self) -> str:
        return chain_label(self.head_id)


def anchor_line(a: Anchor) -> str:
    at = f"  写入于 {a.at}" if a.at else ""
    return f"{a.label}  第 {a.seq} 条  哈希 {a.hash}{at}"


def anchor_text(anchors: list[Anchor], workspace: str) -> str:
    """The anchor as printed and written to a file: a title, when and where, one line a chain."""
    taken = now().astimezone(beijing.CHINA).strftime("%Y-%m-%d %H:%M:%S")
    lines = [
        f"{TITLE}（请打印或抄录，在数检之外留存）",
        f"工作区：{workspace}",
        f"取得时间：{taken}（北京时间）",
        *(anchor_line(a) for a in anchors),
    ]
    return "\n".join(lines) + "\n"


_LINE = re.compile(
    r"(变更记录链|查看记录链[（(]\s*(\d+)\s*[）)])\s*第\s*(\d+)\s*条\s*哈希\s*([0-9a-fA-F]{64})"
)


def parse(text: str) -> list[Anchor]:
    """The anchors in a text (a file written by `anchor_text`, or lines typed back from paper);
    a text with none is refused in Chinese."""
    found = []
    for m in _LINE.finditer(text):
        head_id = CHANGES if m.group(2) is None else int(m.group(2)) + 1
        if head_id != CHANGES and head_id not in VIEW_CHAINS:
            raise UserError(f"锚点中的“{m.group(1)}”不是数检的记录链。", code="anchor_unreadable")
        found.append(Anchor(head_id, int(m.group(3)), m.group(4).lower()))
    if not found:
        raise UserError(
            "锚点中没有可核对的内容：应有形如“变更记录链  第 123 条  哈希 <64 位十六进制>”的行"
            "（取锚点时写出的行）。",
            code="anchor_unreadable",
        )
    return found


def current(conn: Connection) -> list[Anchor]:
    """The head of every chain that has entries, with its last entry's time."""
    out = []
    for head in conn.execute(select(audit_head).order_by(audit_head.c.id)):
        if head.seq == 0:
            continue
        entry = _entry(conn, int(head.id), int(head.seq))
        at = china_time(entry[1]) if entry else ""
        out.append(Anchor(int(head.id), int(head.seq), str(head.hash), at))
    return out


def _entry(conn: Connection, head_id: int, seq: int) -> tuple[str, str] | None:
    """(hash, time) of entry `seq` of a chain, if it is there."""
    if head_id == CHANGES:
        q = select(audit_log.c.hash, audit_log.c.at).where(audit_log.c.seq == seq)
    else:
        q = select(audit_views.c.hash, audit_views.c.at).where(
            audit_views.c.chain == head_id, audit_views.c.seq == seq
        )
    row = conn.execute(q).first()
    return (str(row.hash), str(row.at)) if row else None


def check(conn: Connection, anchors: list[Anchor]) -> list[str]:
    """What no longer agrees with the anchors, in Chinese (nothing: every anchored entry is there
    with the same hash)."""
    problems = []
    for a in anchors:
        entry = _entry(conn, a.head_id, a.seq)
        if entry is None:
            problems.append(
                f"锚点记下的{a.label}第 {a.seq} 条记录已不存在：记录链在锚点之后被截断"
                "（末尾的记录被删除，头记录被改写）。"
            )
        elif entry[0] != a.hash:
            problems.append(
                f"{a.label}第 {a.seq} 条记录的哈希与锚点不符（锚点 {a.hash[:12]}…，"
                f"现为 {entry[0][:12]}…）：记录被改动，或记录链被重建。"
            )
    return problems
