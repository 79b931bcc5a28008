"""判处刑罚: the sentence a court passed, as written in a judgment, read into one canonical form.

The sealing rule (刑诉法第二百八十六条: 五年有期徒刑以下刑罚) needs the principal penalty and,
for 有期徒刑, its length. Courts and agencies write it many ways: 有期徒刑三年六个月, 有期徒刑3年6个月,
有期徒刑一年零六个月, 有期徒刑十八个月, 有期徒刑二年，缓刑三年, 拘役五个月, 管制一年, 单处罚金,
免予刑事处罚. Each is stored canonically (有期徒刑3年6个月（缓刑3年）, 拘役5个月, 单处罚金 …); a text
that cannot be read as one of them is refused with the reason, never guessed — like the 处理结果
column refuses a bare 不起诉.

`parse_sentence` is the pure reading (table tests: tests/data/fields/test_field_sentence.py); the field
type (`data/fields/sentence.py`) applies it to a column. Kept apart from the field type so that the
sealing rule reads a sentence without loading the import pipeline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = (
    "死刑",
    "无期徒刑",
    "有期徒刑",
    "拘役",
    "管制",
    "单处罚金",
    "单处剥夺政治权利",
    "单处没收财产",
    "单处驱逐出境",
    "免予刑事处罚",
)
"""Principal penalties (刑法第三十三条), the additional ones a court may pass alone (第三十四条:
附加刑也可以独立适用, and 第三十五条 驱逐出境), and 免予刑事处罚 (第三十七条)."""

TERMED = ("有期徒刑", "拘役", "管制")
"""Penalties with a term, written in years and months."""

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7}
_DIGITS |= {"八": 8, "九": 9}

_SYNONYMS = {
    "免除刑事处罚": "免予刑事处罚",
    "免于刑事处罚": "免予刑事处罚",
    "免予刑事处分": "免予刑事处罚",
    "定罪免刑": "免予刑事处罚",
    "定罪免罚": "免予刑事处罚",
    "单处罚金刑": "单处罚金",
    "判处罚金": "单处罚金",
    "罚金": "单处罚金",
    "无期": "无期徒刑",
    "死缓": "死刑",
}
"""Other names of exactly one penalty. 死缓 (死刑缓期二年执行) is a death sentence."""


@dataclass(frozen=True)
class Sentence:
    """A sentence read: its penalty and, for a termed one, its length in months."""

    kind: str
    months: int | None = None
    probation_months: int | None = None
    """缓刑考验期 (刑法第七十二条), kept so that the record says what the court decided."""

    @property
    def text(self) -> str:
        """The canonical form stored in the warehouse."""
        out = self.kind + (_term_text(self.months) if self.months is not None else "")
        if self.probation_months is not None:
            out += f"（缓刑{_term_text(self.probation_months)}）"
        return out

    @property
    def five_years_or_less(self) -> bool:
        """五年有期徒刑以下刑罚 (刑诉法第二百八十六条; 以下 includes five years, 刑法第九十九条):
        有期徒刑 of at most 60 months, 拘役, 管制, an additional penalty alone, or 免予刑事处罚."""
        if self.kind in ("死刑", "无期徒刑"):
            return False
        if self.kind == "有期徒刑":
            return self.months is not None and self.months <= 60
        return True


def _term_text(months: int) -> str:
    years, rest = divmod(months, 12)
    return (f"{years}年" if years else "") + (f"{rest}个月" if rest or not years else "")


def chinese_number(text: str) -> int | None:
    """An integer written in Arabic digits or Chinese numerals up to 九十九 (十八, 二十, 两, 零);
    None when it is neither."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _DIGITS and ch != "十" for ch in text):
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        if "十" in ones or len(tens) > 1 or len(ones) > 1:
            return None
        t = _DIGITS[tens] if tens else 1
        o = _DIGITS[ones] if ones else 0
        return t * 10 + o
    if len(text) == 1:
        return _DIGITS[text]
    return None


_NUMBER = r"([0-9]+|[零〇一二两三四五六七八九十]+)"
_TERM = re.compile(
    rf"^(?:{_NUMBER}年)?(?:零)?(?:{_NUMBER}个?月)?$",
)


def _term_months(text: str) -> int | None:
    """三年六个月, 3年6个月, 一年零六个月, 十八个月, 6月 → months; None when unreadable or empty."""
    m = _TERM.match(text)
    if not m or not text:
        return None
    years_text, months_text = m.group(1), m.group(2)
    if years_text is None and months_text is None:
        return None
    years = chinese_number(years_text) if years_text is not None else 0
    months = chinese_number(months_text) if months_text is not None else 0
    if years is None or months is None:
        return None
    total = years * 12 + months
    return total if total > 0 else None


_PROBATION = re.compile(r"[,，;；、\s]*(?:宣告)?缓刑(?:考验期)?[:：]?(.*)$")
_PREFIX = re.compile(r"^(?:判处|判决|处|主刑)[:：]?")


def parse_sentence(raw: str) -> Sentence | str:
    """The sentence `raw` states, or the reason (Chinese) it cannot be read."""
    text = re.sub(r"\s+", "", raw).strip("。.")
    text = _PREFIX.sub("", text)
    # the canonical form (有期徒刑2年（缓刑3年）) reads as written
    text = re.sub(r"[（(](缓刑[^）)]*)[）)]$", r"，\1", text)
    if not text:
        return "判处刑罚为空"
    if text in _SYNONYMS:
        text = _SYNONYMS[text]
    probation = None
    found = _PROBATION.search(text)
    if found:
        probation = _term_months(found.group(1).rstrip("。"))
        if probation is None:
            return f"“{raw}”中的缓刑考验期无法识别：请写作“缓刑X年”或“缓刑X个月”"
        text = text[: found.start()]
    for kind in ("有期徒刑", "拘役", "管制"):
        if text.startswith(kind):
            months = _term_months(text[len(kind) :])
            if months is None:
                return (
                    f"“{raw}”的刑期无法识别：请写作“{kind}X年Y个月”（数字或汉字均可），"
                    "不要写“半年”“数月”等约数"
                )
            return Sentence(kind, months, probation)
    if text in KINDS and text not in TERMED:
        if probation is not None:
            return f"“{raw}”：{text}不能宣告缓刑，请核对判决书"
        return Sentence(text)
    return (
        f"“{raw}”不是可识别的刑罚：请按判决书写明主刑，如“有期徒刑二年六个月”“拘役五个月”"
        "“管制一年”“单处罚金”“免予刑事处罚”，有缓刑的在后面写“缓刑X年”"
    )
