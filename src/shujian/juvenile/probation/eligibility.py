"""Whether a minor suspect may be given 附条件不起诉: pure, condition by condition (table tests in
tests/juvenile/test_probation_eligibility.py).

刑事诉讼法第二百八十二条: 未成年人涉嫌刑法分则第四章、第五章、第六章规定的犯罪，可能判处一年有期徒刑以下
刑罚，符合起诉条件，但有悔罪表现的 … 作出附条件不起诉的决定以前，应当听取公安机关、被害人的意见 …
未成年犯罪嫌疑人及其法定代理人对人民检察院决定附条件不起诉有异议的，人民检察院应当作出起诉的决定.
人民检察院刑事诉讼规则第四百六十九条 hears the suspect, the legal representative and the defender;
第四百七十条 holds that an objection only to the conditions or the length of the probation does not
force prosecution.

Each condition is met, not met or not recorded (nothing is assumed): the check is `eligible` only
when every condition is met; one not met makes it `not_eligible` (an objection to the decision
itself: `must_prosecute`); otherwise it is `incomplete`, naming what is missing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal

from shujian.errors import UserError
from shujian.juvenile.probation.charges import Charge, chapter_label
from shujian.juvenile.register import age_on

Status = Literal["met", "not_met", "not_recorded"]
STATUS_LABELS = {"met": "符合", "not_met": "不符合", "not_recorded": "未记录"}

PARTIES = {
    "police": "公安机关",
    "victim": "被害人",
    "suspect": "未成年犯罪嫌疑人",
    "guardian": "法定代理人",
    "defender": "辩护人",
}
"""Whose opinion is heard before the decision: 刑诉法第282条 (公安机关、被害人) and 规则第469条
(犯罪嫌疑人、法定代理人、辩护人)."""

PARTY_BASIS = {
    "police": "刑事诉讼法第二百八十二条第一款",
    "victim": "刑事诉讼法第二百八十二条第一款",
    "suspect": "人民检察院刑事诉讼规则第四百六十九条",
    "guardian": "人民检察院刑事诉讼规则第四百六十九条",
    "defender": "人民检察院刑事诉讼规则第四百六十九条",
}

HEARD = ("heard", "not_heard", "none")
"""A party's opinion: heard, not heard (yet), or there is no such party (no victim, no
defender) — `none` counts as met."""

OBJECTIONS = {
    "none": "无异议",
    "decision": "对附条件不起诉决定本身有异议",
    "terms": "仅对所附条件或考验期限有异议",
}

SENTENCE_KINDS = {
    "imprisonment": "有期徒刑",
    "detention": "拘役",
    "control": "管制",
    "fine": "单处罚金",
    "exempt": "免予刑事处罚",
}
LIMIT_MONTHS = 12
"""一年有期徒刑以下: 有期徒刑 of at most 12 months, or a lighter penalty (拘役、管制、单处罚金)."""


@dataclass(frozen=True)
class Sentence:
    """The sentence the suspect may expect (可能判处的刑罚)."""

    kind: str
    months: int | None = None

    @classmethod
    def parse(cls, text: str) -> Sentence:
        """有期徒刑八个月 as 8、8个月、有期徒刑1年6个月、1年; or 拘役、管制、单处罚金、免予刑事处罚."""
        t = (text or "").strip().replace(" ", "")
        for kind, label in SENTENCE_KINDS.items():
            if kind != "imprisonment" and (t == label or (kind == "fine" and t == "罚金")):
                return cls(kind)
        body = t.removeprefix("有期徒刑")
        found = re.fullmatch(r"(?:(\d{1,2})年)?(?:(\d{1,3})(?:个月|月)?)?", body)
        if body and found and (found.group(1) or found.group(2)):
            years, months = int(found.group(1) or 0), int(found.group(2) or 0)
            total = years * 12 + months
            if total > 0:
                return cls("imprisonment", total)
        raise UserError(
            f"可能判处的刑罚“{text}”看不懂。有期徒刑写月数（如 8 或 有期徒刑1年6个月），"
            "更轻的写 拘役、管制、单处罚金 或 免予刑事处罚。",
            code="bad_sentence",
        )

    @property
    def label(self) -> str:
        if self.kind != "imprisonment" or self.months is None:
            return SENTENCE_KINDS[self.kind]
        years, months = divmod(self.months, 12)
        text = (f"{years}年" if years else "") + (f"{months}个月" if months else "")
        return f"有期徒刑{text}"

    @property
    def within_limit(self) -> bool:
        return self.kind != "imprisonment" or (self.months or 0) <= LIMIT_MONTHS

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "months": self.months}


@dataclass(frozen=True)
class Facts:
    """What the prosecutor recorded in 审查; None is not recorded."""

    id_card: str
    act_on: dt.date | None = None
    charge: Charge | None = None
    sentence: Sentence | None = None
    prosecutable: bool | None = None
    """符合起诉条件 (the facts are clear, the evidence sufficient, criminal liability due)."""
    remorse: bool | None = None
    """有悔罪表现."""
    heard: dict[str, str] = field(default_factory=dict)
    """party → heard / not_heard / none (see `PARTIES`)."""
    objection: str | None = None
    """none / decision / terms (see `OBJECTIONS`)."""


@dataclass(frozen=True)
class Condition:
    id: str
    label: str
    status: Status
    basis: str
    note: str = ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class Check:
    conditions: tuple[Condition, ...]
    verdict: Literal["eligible", "not_eligible", "incomplete"]
    must_prosecute: bool

    @property
    def verdict_label(self) -> str:
        if self.must_prosecute:
            return "应当作出起诉的决定"
        return {"eligible": "符合附条件不起诉的条件", "not_eligible": "不符合附条件不起诉的条件",
                "incomplete": "尚不能判断：有条件未记录"}[self.verdict]  # fmt: skip

    def missing(self) -> list[str]:
        return [c.label for c in self.conditions if c.status == "not_recorded"]

    def failed(self) -> list[str]:
        return [c.label for c in self.conditions if c.status == "not_met"]


def _flag(value: bool | None, yes: str, no: str) -> tuple[Status, str]:
    if value is None:
        return "not_recorded", ""
    return ("met", yes) if value else ("not_met", no)


def check(facts: Facts) -> Check:
    """Every condition, in the order of the law, and the verdict."""
    out: list[Condition] = []
    basis_282 = "刑事诉讼法第二百八十二条第一款"

    if facts.act_on is None:
        out.append(
            Condition("minor", "行为时未满十八周岁", "not_recorded", basis_282, "未记录行为日期")
        )
    else:
        age = age_on(facts.id_card, facts.act_on)
        if age is None:
            out.append(Condition("minor", "行为时未满十八周岁", "not_recorded", basis_282,
                                 "身份证号码中读不出出生日期"))  # fmt: skip
        else:
            status: Status = "met" if age < 18 else "not_met"
            note = f"行为时 {age} 周岁（{facts.act_on.isoformat()}）"
            out.append(Condition("minor", "行为时未满十八周岁", status, basis_282, note))

    if facts.charge is None:
        out.append(
            Condition("chapter", "涉嫌刑法分则第四、五、六章规定的犯罪", "not_recorded", basis_282)
        )
    else:
        c = facts.charge
        note = f"{c.name}（刑法{c.article.cited}，{chapter_label(c.chapter)}）"
        out.append(Condition("chapter", "涉嫌刑法分则第四、五、六章规定的犯罪",
                             "met" if c.eligible else "not_met", basis_282, note))  # fmt: skip

    if facts.sentence is None:
        out.append(Condition("sentence", "可能判处一年有期徒刑以下刑罚", "not_recorded", basis_282))
    else:
        s = facts.sentence
        out.append(Condition("sentence", "可能判处一年有期徒刑以下刑罚",
                             "met" if s.within_limit else "not_met", basis_282, s.label))  # fmt: skip

    status, note = _flag(facts.prosecutable, "已记录", "不符合起诉条件")
    out.append(Condition("prosecutable", "符合起诉条件", status, basis_282, note))
    status, note = _flag(facts.remorse, "已记录", "没有悔罪表现")
    out.append(Condition("remorse", "有悔罪表现", status, basis_282, note))

    for party, name in PARTIES.items():
        heard = facts.heard.get(party)
        label = f"听取{name}的意见"
        if heard is None:
            out.append(Condition(f"heard_{party}", label, "not_recorded", PARTY_BASIS[party]))
        elif heard == "none":
            out.append(
                Condition(f"heard_{party}", label, "met", PARTY_BASIS[party], f"本案无{name}")
            )
        else:
            out.append(Condition(f"heard_{party}", label, "met" if heard == "heard" else "not_met",
                                 PARTY_BASIS[party], "已听取" if heard == "heard" else "尚未听取"))  # fmt: skip

    must = False
    objection_label = "未成年犯罪嫌疑人及其法定代理人没有异议"
    if facts.objection is None:
        out.append(Condition("objection", objection_label, "not_recorded",
                             "刑事诉讼法第二百八十二条第三款"))  # fmt: skip
    elif facts.objection == "decision":
        must = True
        out.append(Condition("objection", objection_label, "not_met",
                             "刑事诉讼法第二百八十二条第三款",
                             "对附条件不起诉决定有异议：人民检察院应当作出起诉的决定"))  # fmt: skip
    elif facts.objection == "terms":
        out.append(Condition("objection", objection_label, "met",
                             "人民检察院刑事诉讼规则第四百七十条",
                             "仅对所附条件或考验期限有异议，不影响作出附条件不起诉的决定；"
                             "可听取意见后调整所附条件或考验期限"))  # fmt: skip
    else:
        out.append(Condition("objection", objection_label, "met",
                             "刑事诉讼法第二百八十二条第三款", "无异议"))  # fmt: skip

    conditions = tuple(out)
    if any(c.status == "not_met" for c in conditions):
        verdict: Literal["eligible", "not_eligible", "incomplete"] = "not_eligible"
    elif any(c.status == "not_recorded" for c in conditions):
        verdict = "incomplete"
    else:
        verdict = "eligible"
    return Check(conditions, verdict, must)


def parse_heard(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """公安机关、被害人=无、辩护人=未听取 … → party → heard / none / not_heard."""
    names = {v: k for k, v in PARTIES.items()} | {k: k for k in PARTIES}
    names |= {"公安": "police", "嫌疑人": "suspect", "本人": "suspect", "监护人": "guardian"}
    values = {"": "heard", "已听取": "heard", "是": "heard", "无": "none", "没有": "none",
              "未听取": "not_heard", "否": "not_heard"}  # fmt: skip
    out: dict[str, str] = {}
    for pair in pairs:
        for part in re.split(r"[，,、;；]", pair):
            who, _, value = part.strip().partition("=")
            if not who:
                continue
            if who not in names or value.strip() not in values:
                listed = "、".join(PARTIES.values())
                raise UserError(
                    f"“{part.strip()}”看不懂。听取意见写 {listed} 之一，"
                    "可加 =无（本案没有该方）或 =未听取。",
                    code="bad_heard",
                )
            out[names[who]] = values[value.strip()]
    return out


def parse_objection(text: str) -> str:
    """无 / 对决定 / 仅对条件或期限 (or the ids none / decision / terms)."""
    t = (text or "").strip()
    aliases = {"无": "none", "无异议": "none", "对决定": "decision", "决定": "decision",
               "对条件": "terms", "对期限": "terms", "仅对条件或期限": "terms", "条件或期限": "terms"}  # fmt: skip
    found = aliases.get(t) or (t if t in OBJECTIONS else None)
    if found is None:
        raise UserError(
            f"异议“{text}”看不懂：写 无、对决定（对附条件不起诉决定本身有异议）或 仅对条件或期限。",
            code="bad_objection",
        )
    return found
