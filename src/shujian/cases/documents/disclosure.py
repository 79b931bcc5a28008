"""What a 检察建议书 may say about the people in its evidence (未成年人保护法 art. 103).

A document goes to another body, and its copies to others still. The law forbids a procuratorate
to disclose "有关案件中未成年人的姓名、影像、住所、就读学校以及其他可能识别出其身份的信息", so:

- a *protected* person (a minor, or the victim where the model's person is one) is named by
  surname + 某 (郭某; 郭某甲, 郭某乙 when two share a surname in one document); their ID number
  and the columns the model lists as private (birth date, room, phone, diagnosis …) are not
  printed at all, and the link from 郭某 to the lead is kept in the platform (the issue's audit
  entry), never in the document;
- an *adult* is named in full; their ID number shows only its last four characters (尾号1234).
  Fourteen hidden characters — the region and the birth date among them — cannot be restored
  from the check digit, whatever else the document prints (a birth date restores eight of them,
  a region code six: never both);
- and whatever a column holds, an ID number or a mobile number found in any printed text is
  masked the same way (agency free text sometimes carries them).

Pure functions; `tests/cases/test_disclosure.py` tables them and the test over every model's
document searches the text for every identifier of every minor in the source files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from shujian.models.document import DocumentSpec

COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "太史",
        "端木",
        "上官",
        "司马",
        "东方",
        "独孤",
        "南宫",
        "万俟",
        "闻人",
        "夏侯",
        "诸葛",
        "尉迟",
        "公羊",
        "赫连",
        "澹台",
        "皇甫",
        "宗政",
        "濮阳",
        "公冶",
        "太叔",
        "申屠",
        "公孙",
        "慕容",
        "仲孙",
        "钟离",
        "长孙",
        "宇文",
        "司徒",
        "鲜于",
        "司空",
        "闾丘",
        "子车",
        "亓官",
        "司寇",
        "巫马",
        "公西",
        "颛孙",
        "壤驷",
        "公良",
        "漆雕",
        "乐正",
        "宰父",
        "谷梁",
        "拓跋",
        "夹谷",
        "轩辕",
        "令狐",
        "段干",
        "百里",
        "呼延",
        "东郭",
        "南门",
        "羊舌",
        "微生",
        "公户",
        "公玉",
        "公仪",
        "梁丘",
        "公仲",
        "公上",
        "公门",
        "公山",
        "公坚",
        "左丘",
        "公伯",
        "西门",
        "公祖",
        "第五",
        "公乘",
        "贯丘",
        "公皙",
        "南荣",
        "东里",
        "东宫",
        "仲长",
        "子书",
        "子桑",
        "即墨",
        "达奚",
        "褚师",
    ]
)
"""Two-character surnames (复姓): 欧阳某, not 欧某."""

ORDINALS = "甲乙丙丁戊己庚辛壬癸"

ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")
MOBILE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_MASKED_ID = re.compile(r"[0-9*]{6,}[0-9Xx*]")


def surname(name: str) -> str:
    """郭小花 → 郭; 欧阳娜娜 → 欧阳; a name that is not Chinese characters → its first letter."""
    name = name.strip()
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2]
    return name[:1]


def id_tail(value: str) -> str:
    """An adult's ID number as a document shows it: 尾号123X (never more)."""
    value = value.strip()
    return f"尾号{value[-4:]}" if len(value) > 4 else "****"


def scrub(text: str) -> str:
    """Any ID number or mobile number left in free text, masked to its last four."""
    text = ID_IN_TEXT.sub(lambda m: id_tail(m.group()), text)
    return MOBILE_IN_TEXT.sub(lambda m: f"尾号{m.group()[-4:]}的电话", text)


@dataclass
class Pseudonyms:
    """The names one document gives its protected persons, and the link back to the lead.

    Every protected person of the document is registered first (`register`, in the order the
    document tells them), so that 郭某甲 and 郭某乙 are settled before any text is written.
    """

    order: dict[tuple[str, str], None] = field(default_factory=dict)
    """(name, ID number or "") of each protected person, in the order met."""
    links: list[dict[str, Any]] = field(default_factory=list)
    """[{pseudonym, lead_id, row}] for the audit entry (never printed)."""

    def register(self, real: str, key: str, lead_id: int, row: int) -> None:
        self.order.setdefault((real.strip(), key.strip()), None)
        self.links.append({"person": (real.strip(), key.strip()), "lead_id": lead_id, "row": row})

    def names(self) -> dict[tuple[str, str], str]:
        """郭某 for the only 郭; 郭某甲, 郭某乙 … when several share a surname."""
        by_family: dict[str, list[tuple[str, str]]] = {}
        for person in self.order:
            by_family.setdefault(surname(person[0]) or "某", []).append(person)
        out = {}
        for family, people in by_family.items():
            for i, person in enumerate(people):
                suffix = "" if len(people) == 1 else ORDINALS[min(i, len(ORDINALS) - 1)]
                out[person] = f"{family}某{suffix}"
        return out

    def audit_links(self) -> list[dict[str, Any]]:
        names = self.names()
        return [
            {"pseudonym": names[link["person"]], "lead_id": link["lead_id"], "row": link["row"]}
            for link in self.links
        ]


def register_people(
    spec: DocumentSpec,
    rows: Sequence[Mapping[str, Any]],
    lead_id: int,
    pseudonyms: Pseudonyms,
) -> None:
    """Register the protected people of one lead's rows (first pass, before any text)."""
    for i, row in enumerate(rows):
        for person in spec.persons:
            real = row.get(person.name)
            if person.protected and real not in (None, ""):
                key = str(row.get(person.id) or "") if person.id else ""
                pseudonyms.register(str(real), key, lead_id, i)


def disclosed_rows(
    spec: DocumentSpec,
    rows: Sequence[Mapping[str, Any]],
    names: Mapping[tuple[str, str], str],
    birth_dates: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """The rows as a document may print them: protected persons renamed (`names`, from
    `Pseudonyms.names` once every person is registered), their hidden columns removed; adults'
    ID numbers cut to their tail and their birth dates dropped; every other text scrubbed of ID
    and mobile numbers."""
    out = []
    for row in rows:
        shown: dict[str, Any] = {k: scrub(v) if isinstance(v, str) else v for k, v in row.items()}
        for person in spec.persons:
            real = row.get(person.name)
            if person.protected:
                if real not in (None, ""):
                    key = str(row.get(person.id) or "") if person.id else ""
                    shown[person.name] = names[(str(real).strip(), key.strip())]
                for c in person.hidden:
                    shown.pop(c, None)
            elif person.id and row.get(person.id):
                shown[person.id] = id_tail(str(row[person.id]))
                # A birth date beside the tail would leave only the region to guess.
                for c in birth_dates:
                    shown.pop(c, None)
        out.append(shown)
    return out


def masked_numbers(text: str) -> list[str]:
    """Every run of digits and asterisks in a text that could be a masked ID number (for the
    restoration test and for checking a document before it is issued)."""
    return [m.group() for m in _MASKED_ID.finditer(text) if "*" in m.group()]
