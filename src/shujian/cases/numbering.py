"""Document numbers (文号) that run per document kind, procuratorate, category and year, with no
gap and no duplicate.

The counter is one row per (kind, procuratorate, category, year), incremented by a single
INSERT … ON CONFLICT DO UPDATE … RETURNING inside the transaction that records the issued
document. The row stays locked until that transaction ends, so two users issuing at the same
moment get consecutive numbers; if the transaction fails, the increment is rolled back with it and
the number is not lost (a gap in 文号 would need explaining to the 案件管理 department). Because the
lock is held for the whole transaction, that transaction must be short: the issuing services
reserve the number, move the case and record the document in it, and render the file after it
commits (see `recommendations`). The kind is part of the key so that each kind of document
(检察建议书, 督促监护令 …) keeps its own series.

The counter is not the default. 《人民检察院检察建议工作规定》 art. 7 has recommendations made in
the 统一业务应用系统, "以院名义统一编号": the official 文号 is the one that system gave, and the
prosecutor enters it (`[recommendations] numbering = "entered"`, the default). The counter is for a
procuratorate that numbers here (`numbering = "counter"`); the two are never mixed in one
workspace, since a counter knows nothing of the numbers entered beside it. An entered number is
checked for the form `<机关代字>检<部门代字>建〔YYYY〕N号` (`parse_entered_number`): lenient on
the 代字, which the unified system assigns and which may differ from this workspace's
abbreviations, strict on the rest.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from shujian.cases.documents.kinds import DocumentKind
from shujian.cases.store import document_counters
from shujian.errors import UserError

ENTERED = "entered"
COUNTER = "counter"
MODES = (ENTERED, COUNTER)
"""How 文号 are given (`[recommendations] numbering`): entered from the 统一业务应用系统, or
taken from this platform's counter."""


def next_seq(
    conn: Connection, kind: DocumentKind, procuratorate: str, category: str, year: int
) -> int:
    """Take the next number of the year for this kind, procuratorate and category (1, 2, 3 …)."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        stmt: postgresql.Insert | sqlite.Insert = postgresql.insert(document_counters)
    elif dialect == "sqlite":
        stmt = sqlite.insert(document_counters)
    else:
        raise RuntimeError(f"document numbering is not implemented for {dialect}")
    stmt = stmt.values(
        kind=kind.id, procuratorate=procuratorate, category=category, year=year, last=1
    )
    upsert = stmt.on_conflict_do_update(
        index_elements=["kind", "procuratorate", "category", "year"],
        set_={"last": document_counters.c.last + 1},
    ).returning(document_counters.c.last)
    return int(conn.execute(upsert).scalar_one())


def format_number(kind: DocumentKind, abbreviation: str, code: str, year: int, seq: int) -> str:
    """The 文号 by the kind's declared pattern: 青 + 行公 + 2026 + 3 → 青检行公建〔2026〕3号."""
    return kind.number(abbreviation, code, year, seq)


def numbering_mode(settings: Any) -> str:
    """`entered` or `counter`, as the workspace's `[recommendations] numbering` says (a
    `Workspace`, or anything with its `setting`)."""
    mode = str(settings.setting("recommendations.numbering"))
    if mode not in MODES:  # refused when shujian.toml is read; kept for settings made in code
        raise UserError(
            f"[recommendations] numbering 应为 “entered” 或 “counter”，收到：“{mode}”。",
            code="bad_config",
        )
    return mode


@dataclass(frozen=True)
class EnteredNumber:
    """An official 文号 as entered, in its one written form (〔〕 brackets, no spaces)."""

    number: str
    agency: str
    """机关代字 before 检: 青, 黔南 …"""
    department: str
    """部门代字 between 检 and 建 (may be empty: 青检建〔2026〕3号)."""
    year: int
    seq: int


_OPENING = "[［(（〔﹝【〖"
_CLOSING = "]］)）〕﹞】〗"
_BRACKETS = re.compile(rf"[{re.escape(_OPENING)}](\d+)[{re.escape(_CLOSING)}]")
_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_FORM = re.compile(
    rf"(?P<agency>{_HAN}+?)检(?P<department>{_HAN}*?)建〔(?P<year>\d{{4}})〕(?P<seq>\d+)号"
)


def normalise_number(text: str) -> str:
    """The typed variants of one 文号 in its written form: spaces (also the full-width one)
    dropped, full-width digits made ASCII, and the year's brackets — [2026], ［2026］, (2026),
    （2026）, ﹝2026﹞, 【2026】 — made 〔2026〕. Nothing else is changed."""
    text = "".join(ch for ch in text if not ch.isspace())
    text = "".join(str(unicodedata.digit(ch)) if "０" <= ch <= "９" else ch for ch in text)
    return _BRACKETS.sub(lambda m: f"〔{m.group(1)}〕", text, count=1)


def parse_entered_number(text: str, year: int, example: str) -> EnteredNumber:
    """Check an entered 文号 and give it in its written form.

    Lenient on the 代字 (any Chinese characters: the unified system's codes, e.g. 青检建 or
    黔南检公建); strict on 检…建, the year in 〔〕 being the issue date's, the number being a
    positive integer without a leading zero, and the closing 号. `example` is shown in refusals.

    Raises:
        UserError: code `bad_number`, saying what is wrong and showing `example`.
    """
    number = normalise_number(text)
    form = "机关代字 + 检 + 部门代字 + 建 + 〔年份〕 + 序号 + 号"

    def refuse(why: str) -> UserError:
        return UserError(
            f"文号“{text.strip()}”不符合检察建议书文号的格式：{why}。"
            f"应为“{form}”，例如“{example}”（以统一业务应用系统编定的文号为准）。",
            code="bad_number",
        )

    if not number:
        raise refuse("文号为空")
    found = _FORM.fullmatch(number)
    if found is None:
        if not number.endswith("号"):
            raise refuse("应以“号”结尾")
        if not re.search(r"〔\d{4}〕", number):
            raise refuse("年份应为四位数字，写在六角括号〔〕内")
        if "检" not in number or "建" not in number:
            raise refuse("缺少“检”字或“建”字")
        if number.startswith("检"):
            raise refuse("“检”字前应有机关代字，如“青检”“黔南检”")
        raise refuse("代字应为汉字，“检”在前、“建”在后，紧接〔年份〕")
    seq = found["seq"]
    if seq.startswith("0"):
        raise refuse(f"序号“{seq}”应为正整数，不以 0 开头")
    if int(found["year"]) != year:
        raise refuse(f"文号中的年份 {found['year']} 与制发日期的年份 {year} 不一致")
    return EnteredNumber(number, found["agency"], found["department"], year, int(seq))


_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_ENTERED_FORM = re.compile(rf"(?P<prefix>{_HAN}*检{_HAN}*)〔(?P<year>\d{{4}})〕(?P<seq>[1-9]\d*)号")


def parse_entered_seq(text: str, year: int, example: str, label: str) -> tuple[str, int]:
    """An entered 文号 of a document kind (`label`, e.g. 督促监护令) in its written form and its
    sequence number: Chinese 代字 containing 检, the issue year in 〔〕, a positive number, 号
    (lenient on the 代字, which the unified system assigns).

    Raises:
        UserError: code `bad_number`, showing `example`.
    """
    number = normalise_number(text)
    found = _ENTERED_FORM.fullmatch(number)
    if found is None:
        raise UserError(
            f"文号“{text.strip()}”不符合{label}文号的格式：应为“代字（含“检”字）+〔年份〕+序号+号”，"
            f"例如“{example}”（以统一业务应用系统编定的文号为准）。",
            code="bad_number",
        )
    if int(found["year"]) != year:
        raise UserError(
            f"文号中的年份 {found['year']} 与制发日期的年份 {year} 不一致。", code="bad_number"
        )
    return number, int(found["seq"])


def refuse_taken(
    conn: Connection,
    table: Table,
    number: str,
    label: str,
    hint: str = "",
    *,
    by_case: bool = False,
) -> None:
    """Refuse a 文号 another document of `table` (a numbered series: `number`, `issued_on`)
    already bears; `label` names the document (督促监护令), `hint` what to check. `by_case`:
    the refusal names the case whose document bears it (a table with `case_id`)."""
    taken = conn.execute(
        select(table.c.issued_on, *([table.c.case_id] if by_case else [])).where(
            table.c.number == number
        )
    ).first()
    if taken is None:
        return
    if by_case:
        message = f"文号 {number} 已被案件 {taken.case_id} 的{label}使用，{hint}"
    else:
        message = (
            f"文号 {number} 已被本院另一份{label}使用（{taken.issued_on.isoformat()} 制发）。{hint}"
        )
    raise UserError(message, code="number_taken")


def check_date_order(conn: Connection, table: Table, procuratorate: str, day: dt.date) -> None:
    """A number the platform counts may not bear a date before the previous number's of the
    same series (`table`: procuratorate, year, numbering, seq, number, issued_on)."""
    latest = conn.execute(
        select(table.c.number, table.c.issued_on)
        .where(
            table.c.procuratorate == procuratorate,
            table.c.year == day.year,
            table.c.numbering == COUNTER,
        )
        .order_by(table.c.issued_on.desc(), table.c.seq.desc())
        .limit(1)
    ).first()
    if latest is not None and day < latest.issued_on:
        raise UserError(
            f"制发日期 {day.isoformat()} 早于已制发的 {latest.number}（{latest.issued_on.isoformat()}）。"
            "由本平台编号时，文号按制发先后顺序编排：请填写不早于该日的制发日期。",
            code="date_before_previous_number",
        )
