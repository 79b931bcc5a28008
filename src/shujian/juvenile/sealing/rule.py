"""Which offence records are a minor's sealed criminal records, and when a sealed record is
unsealed: pure functions (table tests: tests/juvenile/test_sealing_rule.py).

**Sealed** (刑诉法第二百八十六条; 人民检察院刑事诉讼规则第四百八十三条、第四百八十六条): the person was
under 18 when they acted (不满十八周岁 by the 周岁 rule, `register.under_18_on`), and

* a court found them guilty and passed 五年有期徒刑以下刑罚 — 有期徒刑 of at most five years, 拘役,
  管制, an additional penalty alone (单处罚金 …) — or found them guilty without penalty
  (免予刑事处罚), or
* the procuratorate decided not to prosecute them (相对、法定、存疑、附条件不起诉: 规则第四百八十六条
  says 不起诉决定 without distinguishing them).

**Under 18 when they acted.** The act date decides. Without it, being under 18 on the decision
date proves it (the act came before the decision). A person already 18 on the decision date
but 18 for less than `UNKNOWN_ACT_YEARS` years may have acted as a minor: the record is sealed
as a precaution (ground `act_unknown`) until the act date is established — a minor's record
shown to everybody cannot be taken back, an adult's record sealed by mistake is still in the
procuratorate's hands and is released by `handle_sealing` once the act date shows an adult
(`unseal_grounds`: `adult_at_act`). Older persons' records without an act date are not sealed.

**A conviction without a readable sentence** (判处刑罚 empty) of a person under 18 at the act is
sealed as a precaution too (`sentence_unknown`): most juvenile sentences are within five years,
and the record is released the same way when the sentence shows more.

**Unsealed** (规则第四百八十五条): a new crime, or an earlier crime found later (漏罪), which
together with the sealed one leads to a sentence of 五年有期徒刑以上 (five years or more: 以上
includes five, 刑法第九十九条) — the new sentence recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shujian.data.sentences import Sentence, parse_sentence
from shujian.juvenile.register import age_on, under_18_on

UNKNOWN_ACT_YEARS = 3
"""How long after their 18th birthday a decision without an act date may still be on an act
committed as a minor, for the precaution above. A juvenile case from the act to an effective
judgment (侦查羁押、审查起诉、一审、二审 with their extensions) rarely takes longer; see
docs/sealing.md."""

CONVICTIONS = ("有罪判决",)
EXEMPTED = ("免予刑事处罚",)
NON_PROSECUTIONS = ("相对不起诉", "法定不起诉", "存疑不起诉", "附条件不起诉")
SEALABLE = (*CONVICTIONS, *EXEMPTED, *NON_PROSECUTIONS)
"""The outcomes a record may be sealed for; any other is never sealed (`decide`'s first test)."""

GROUNDS = {
    "sentence": "犯罪时不满十八周岁，被判处五年有期徒刑以下刑罚（刑事诉讼法第二百八十六条，"
    "人民检察院刑事诉讼规则第四百八十三条）",
    "exempted": "犯罪时不满十八周岁，被判决有罪并免予刑事处罚（刑事诉讼法第二百八十六条；"
    "《关于未成年人犯罪记录封存的实施办法》）",
    "non_prosecution": "对未成年犯罪嫌疑人作出不起诉决定（人民检察院刑事诉讼规则第四百八十六条）",
    "sentence_unknown": "犯罪时不满十八周岁的有罪判决，判处刑罚未填写：先行封存，待核实刑罚",
    "act_unknown": "行为日期未填写，处理时已满十八周岁未满二十一周岁，不能排除犯罪时未满十八周岁：先行封存，"
    "待核实行为日期",
}
"""Why a record was sealed, by ground code (kept with the sealed record)."""

UNSEAL_GROUNDS = {
    "new_crime": "实施新的犯罪，且新罪与封存记录之罪数罪并罚后被决定执行五年有期徒刑以上刑罚"
    "（人民检察院刑事诉讼规则第四百八十五条第二款第一项）",
    "undiscovered_crime": "发现漏罪，且漏罪与封存记录之罪数罪并罚后被决定执行五年有期徒刑以上刑罚"
    "（人民检察院刑事诉讼规则第四百八十五条第二款第二项）",
    "adult_at_act": "经核实犯罪时已满十八周岁，不属于应当封存的未成年人犯罪记录（仅限先行封存的记录）",
    "sentence_over_five": "经核实判处刑罚超过五年有期徒刑，不属于应当封存的犯罪记录（仅限先行封存的记录）",
}
"""Why a sealed record may be unsealed: 规则第四百八十五条's two grounds, and the correction of
a precautionary seal (`act_unknown`, `sentence_unknown`) when the fact it waited for is known."""

PRECAUTIONARY = {"act_unknown": "adult_at_act", "sentence_unknown": "sentence_over_five"}
"""A precautionary ground → the correction that releases it."""


@dataclass(frozen=True)
class Decision:
    sealed: bool
    ground: str | None = None
    """A key of `GROUNDS` when sealed."""
    why: str = ""
    """In Chinese: the ground, or why the record is not sealed."""


def minor_at_act(id_card: str, act_date: dt.date | None, decided_on: dt.date) -> bool | None:
    """True: under 18 when they acted (proved). False: 18 or over (proved, or too old at the
    decision for the precaution). None: not known, within `UNKNOWN_ACT_YEARS` of 18."""
    if act_date is not None:
        return under_18_on(id_card, act_date)
    if under_18_on(id_card, decided_on):
        return True
    age = age_on(id_card, decided_on)
    if age is None:
        return False
    return None if age < 18 + UNKNOWN_ACT_YEARS else False


def decide(
    id_card: str,
    outcome: str,
    decided_on: dt.date,
    act_date: dt.date | None = None,
    sentence: str | None = None,
) -> Decision:
    """Whether the record is sealed, and on which ground."""
    minor = minor_at_act(id_card, act_date, decided_on) if outcome in SEALABLE else False
    return decide_for(outcome, minor, sentence)


def decide_for(outcome: str, minor: bool | None, sentence: str | None) -> Decision:
    """`decide` once whether the person was a minor at the act is known (`minor_at_act`): a
    file's rows share a few hundred (outcome, minor, sentence) triples, so an import decides
    each triple once (`sealing.columnwise`)."""
    if outcome not in SEALABLE:
        return Decision(False, why=f"处理结果为{outcome}，不属于应当封存的犯罪记录")
    if minor is False:
        return Decision(False, why="犯罪时已满十八周岁")
    if outcome in NON_PROSECUTIONS:
        ground = "non_prosecution"
    elif outcome in EXEMPTED:
        ground = "exempted"
    else:
        read = parse_sentence(sentence) if sentence else None
        if read is None:
            ground = "sentence_unknown"
        elif isinstance(read, str):
            # the importer refuses an unreadable sentence; a caller passing one gets the same
            # precaution as for an empty one
            ground = "sentence_unknown"
        elif not _within_five(read):
            return Decision(False, why=f"判处{read.text}，超过五年有期徒刑")
        else:
            ground = "sentence"
    if minor is None:
        ground = "act_unknown"
    return Decision(True, ground, GROUNDS[ground])


def _within_five(sentence: Sentence) -> bool:
    return sentence.five_years_or_less


def unseal_allowed(ground: str, new_sentence: str | None, sealed_ground: str) -> str | None:
    """None when `ground` allows unsealing this record, else the reason (Chinese) it does not.

    规则第四百八十五条: the combined sentence must be 五年有期徒刑以上 (five years or more,
    death and life included). A correction releases only a precautionary seal."""
    if ground not in UNSEAL_GROUNDS:
        known = "、".join(UNSEAL_GROUNDS)
        return f"解除封存的事由“{ground}”无效。可选：{known}"
    if ground in ("new_crime", "undiscovered_crime"):
        if not new_sentence:
            return "须写明数罪并罚后决定执行的刑罚"
        read = parse_sentence(new_sentence)
        if isinstance(read, str):
            return read
        if not five_years_or_more(read):
            return (
                f"数罪并罚后决定执行{read.text}，不到五年有期徒刑，不符合解除封存的条件"
                "（人民检察院刑事诉讼规则第四百八十五条）"
            )
        return None
    if PRECAUTIONARY.get(sealed_ground) != ground:
        return "该记录不是先行封存的记录，只能依人民检察院刑事诉讼规则第四百八十五条解除封存"
    if ground == "sentence_over_five":
        if not new_sentence:
            return "须写明核实的判处刑罚"
        read = parse_sentence(new_sentence)
        if isinstance(read, str):
            return read
        if read.five_years_or_less:
            return f"判处{read.text}，属于五年有期徒刑以下刑罚，应当继续封存"
    return None


def five_years_or_more(sentence: Sentence) -> bool:
    """五年有期徒刑以上: 有期徒刑 of 60 months or more, 无期徒刑, 死刑."""
    if sentence.kind in ("死刑", "无期徒刑"):
        return True
    return sentence.kind == "有期徒刑" and (sentence.months or 0) >= 60
