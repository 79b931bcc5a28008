"""The declared kinds of recommendation (文号 code, template) and kinds of case outcome."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from shujian import yamlfile
from shujian.errors import UserError

CATEGORIES_FILE = Path(__file__).with_name("categories.yaml")


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    code: str
    model_category: str

    @property
    def template(self) -> str:
        return self.id


@dataclass(frozen=True)
class OutcomeKind:
    id: str
    label: str
    money: bool = False
    people: bool = False
    count: bool = False


@dataclass(frozen=True)
class Declarations:
    categories: dict[str, Category]
    outcomes: dict[str, OutcomeKind]
    objection_days: int

    def category(self, key: str) -> Category:
        """A category by id (`public_interest`) or Chinese label (`公益诉讼`)."""
        for c in self.categories.values():
            if key in (c.id, c.label, c.model_category):
                return c
        options = "、".join(f"{c.label}（{c.id}）" for c in self.categories.values())
        raise UserError(f"未知的检察建议类别“{key}”。可选：{options}。")

    def outcome(self, key: str) -> OutcomeKind:
        for o in self.outcomes.values():
            if key in (o.id, o.label):
                return o
        options = "、".join(f"{o.label}（{o.id}）" for o in self.outcomes.values())
        raise UserError(f"未知的成效类别“{key}”。可选：{options}。")


def parse(raw: dict[str, Any]) -> Declarations:
    categories = {
        cid: Category(cid, c["label"], c["code"], c.get("model_category", c["label"]))
        for cid, c in raw["categories"].items()
    }
    outcomes = {
        oid: OutcomeKind(
            oid, o["label"], bool(o.get("money")), bool(o.get("people")), bool(o.get("count"))
        )
        for oid, o in raw["outcomes"].items()
    }
    return Declarations(categories, outcomes, int(raw["objection_days"]))


@lru_cache(maxsize=1)
def declarations() -> Declarations:
    return parse(yamlfile.load(CATEGORIES_FILE.read_text(encoding="utf-8")))
