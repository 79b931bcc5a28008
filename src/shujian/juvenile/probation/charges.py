"""The charges (罪名) of 刑法分则 chapters 4, 5 and 6, declared in `charges.yaml`, and the lookup
that turns what a prosecutor types into one of them.

A charge is found by its name (盗窃罪, or 盗窃 without the final 罪) or by its article (264,
第264条, 262之二). An article with several charges (第二百三十七条: 强制猥亵、侮辱罪 and 猥亵儿童罪)
is refused naming them; a name nobody declared is refused saying what to enter. Nothing is guessed:
an article outside every chapter's range is answered as outside chapters 4–6 (the ranges are the
statute's), a name outside the table is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from shujian import yamlfile
from shujian.errors import UserError

CHARGES_FILE = Path(__file__).with_name("charges.yaml")

ELIGIBLE_CHAPTERS = (4, 5, 6)
"""刑事诉讼法第二百八十二条: 刑法分则第四章、第五章、第六章规定的犯罪."""

CHAPTER_NAMES = {2: "第二章", 3: "第三章", 4: "第四章", 5: "第五章", 6: "第六章", 8: "第八章"}

_SUFFIXES = {"之一": 1, "之二": 2, "之三": 3, "之四": 4, "之五": 5}
_ARTICLE = re.compile(r"^\s*(?:刑法)?\s*第?\s*(\d{1,3})\s*条?\s*(之[一二三四五])?\s*(?:条)?\s*$")


@dataclass(frozen=True, order=True)
class Article:
    """An article of the Criminal Law: 264 or 262之二 (number, suffix 0 for none)."""

    number: int
    suffix: int = 0

    @classmethod
    def parse(cls, text: str) -> Article:
        """264, 第264条, 262之二, 第262条之二; refused in Chinese otherwise."""
        found = _ARTICLE.match(text or "")
        if not found:
            raise UserError(
                f"条文“{text}”格式不对，应写作 264、第264条或 262之二。", code="bad_article"
            )
        return cls(int(found.group(1)), _SUFFIXES[found.group(2)] if found.group(2) else 0)

    def __str__(self) -> str:
        suffix = next((k for k, v in _SUFFIXES.items() if v == self.suffix), "")
        return f"{self.number}{suffix}"

    @property
    def cited(self) -> str:
        """As a document cites it: 第264条, 第262条之二."""
        suffix = next((k for k, v in _SUFFIXES.items() if v == self.suffix), "")
        return f"第{self.number}条{suffix}"


@dataclass(frozen=True)
class Chapter:
    number: int
    title: str
    first: Article
    last: Article

    def holds(self, article: Article) -> bool:
        return self.first <= article <= self.last


@dataclass(frozen=True)
class Charge:
    name: str
    article: Article
    chapter: int

    @property
    def eligible(self) -> bool:
        return self.chapter in ELIGIBLE_CHAPTERS


@dataclass(frozen=True)
class ChargeTable:
    chapters: dict[int, Chapter]
    charges: tuple[Charge, ...]
    """Chapters 4, 5 and 6, in the file's order."""
    outside: tuple[Charge, ...]
    """A few charges of other chapters, named so that they are answered without a guess."""

    def chapter_of(self, article: Article) -> int | None:
        """The eligible chapter whose range holds the article (None: outside chapters 4–6)."""
        return next((c.number for c in self.chapters.values() if c.holds(article)), None)

    def find(self, text: str) -> Charge:
        """The charge a prosecutor typed: by name, or by an article with one charge."""
        text = (text or "").strip()
        if not text:
            raise UserError("请填写涉嫌的罪名或刑法条文。", code="charge_required")
        if _ARTICLE.match(text):
            return self._by_article(Article.parse(text))
        name = text if text.endswith("罪") else f"{text}罪"
        for charge in (*self.charges, *self.outside):
            if charge.name == name:
                return charge
        raise UserError(
            f"罪名表中没有“{text}”。请按最高人民法院、最高人民检察院确定的罪名填写全称"
            "（如“盗窃罪”“故意伤害罪”“寻衅滋事罪”），或填写刑法条文（如 264、第293条）。",
            code="unknown_charge",
        )

    def _by_article(self, article: Article) -> Charge:
        found = [c for c in (*self.charges, *self.outside) if c.article == article]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = "、".join(c.name for c in found)
            raise UserError(
                f"刑法{article.cited}规定了几个罪名：{names}。请写明罪名。",
                code="ambiguous_article",
            )
        chapter = self.chapter_of(article)
        if chapter is None:
            # Outside the statute's ranges of chapters 4–6: certain, whatever the charge is.
            return Charge(f"刑法{article.cited}规定的犯罪", article, 0)
        raise UserError(
            f"罪名表中没有刑法{article.cited}的罪名（该条在第{_cn(chapter)}章的条文范围内）。"
            "请填写罪名全称。",
            code="unknown_charge",
        )


def _cn(n: int) -> str:
    return "〇一二三四五六七八九十"[n] if n <= 10 else str(n)


def chapter_label(chapter: int) -> str:
    """第四章; 0 for an article outside chapters 4–6 whose chapter the table does not name."""
    return f"第{_cn(chapter)}章" if chapter else "第四、五、六章以外"


def parse_table(raw: dict[str, object]) -> ChargeTable:
    chapters_raw = raw["chapters"]
    charges_raw = raw["charges"]
    assert isinstance(chapters_raw, dict) and isinstance(charges_raw, dict)
    chapters = {
        int(n): Chapter(
            int(n), str(c["title"]), Article.parse(str(c["first"])), Article.parse(str(c["last"]))
        )
        for n, c in chapters_raw.items()
    }
    charges = tuple(
        Charge(str(name), Article.parse(str(article)), int(n))
        for n, rows in charges_raw.items()
        for name, article in rows
    )
    outside_raw = raw.get("outside") or []
    assert isinstance(outside_raw, list)
    outside = tuple(
        Charge(str(name), Article.parse(str(article)), int(ch)) for name, article, ch in outside_raw
    )
    names = [c.name for c in (*charges, *outside)]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        raise ValueError(f"charges.yaml: charges declared twice: {doubled}")
    return ChargeTable(chapters, charges, outside)


@cache
def charge_table() -> ChargeTable:
    with CHARGES_FILE.open(encoding="utf-8") as fh:
        return parse_table(yamlfile.load(fh))
