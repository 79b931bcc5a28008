"""分级干预: the declared tiers (`declarations.yaml`) and the pure rules of a change of tier.

A change of a minor's tier (`Change`) is decided by `check_change` against the declaration and
the minor's previous change — no store, no clock: table tests in tests/juvenile/test_tier_rules.py
run every tier × measure and every refusal. The service (`service.py`) adds what needs the store:
whether the minor is on the register and visible, whether the warning is this minor's and seen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from shujian import yamlfile
from shujian.cases.policy import check_not_future
from shujian.data.datasets import load_datasets
from shujian.errors import UserError

DECLARATIONS = Path(__file__).with_name("declarations.yaml")

ENDED = "ended"
"""The id of the end of intervention (结束干预): a change after which the minor has no tier."""


@dataclass(frozen=True)
class Item:
    """An item of art. 28 or 38 that is a reason for a tier."""

    code: str
    article: str
    text: str

    @property
    def label(self) -> str:
        return f"{self.article}：{self.text}"


@dataclass(frozen=True)
class Measure:
    """A measure a tier allows, with its article."""

    value: str
    article: str

    @property
    def label(self) -> str:
        return f"{self.value}（{self.article}）"


@dataclass(frozen=True)
class Tier:
    id: str
    grade: str
    label: str
    basis: str
    items: tuple[str, ...]
    measures: tuple[Measure, ...]
    requires: str | None = None
    ends: bool = False

    @property
    def title(self) -> str:
        """What a reader sees: `T1 不良行为`, `触法`, `结束干预`."""
        return self.label if self.grade in (self.label, "结束") else f"{self.grade} {self.label}"

    def measure(self, value: str) -> Measure | None:
        return next((m for m in self.measures if m.value == value), None)


@dataclass(frozen=True)
class Declarations:
    law: str
    items: dict[str, Item]
    tiers: tuple[Tier, ...]
    text_limit: int

    def tier(self, tier_id: str) -> Tier:
        for t in self.tiers:
            if t.id == tier_id:
                return t
        raise KeyError(tier_id)

    @property
    def measures(self) -> dict[str, Measure]:
        """Every measure of every tier, by value (a value has one article everywhere)."""
        return {m.value: m for t in self.tiers for m in t.measures}


class DeclarationError(ValueError):
    """A declarations file that does not say what it must (a programming error)."""


def _dataset_values(ref: str) -> tuple[str, ...]:
    dataset_id, _, column = ref.partition(".")
    return tuple(load_datasets()[dataset_id].column(column).values)


def parse(raw: dict[str, Any]) -> Declarations:
    """The declaration, checked: items known, measures of a dataset among its values, tier labels
    among the dataset's classes, one article per measure, exactly one end of intervention."""
    items = {
        str(code): Item(str(code), str(v["article"]), str(v["text"]))
        for code, v in (raw.get("items") or {}).items()
    }
    tiers: list[Tier] = []
    for t in raw["tiers"]:
        where = f"tier {t.get('id')!r}"
        if "label_from" in t and t["label"] not in _dataset_values(t["label_from"]):
            raise DeclarationError(f"{where}: {t['label']!r} is not a value of {t['label_from']}")
        unknown = [c for c in t.get("items") or () if str(c) not in items]
        if unknown:
            raise DeclarationError(f"{where}: unknown items {unknown}")
        measures: list[Measure] = []
        for group in t.get("measures") or ():
            values = [str(v) for v in group["values"]]
            if "from" in group:
                known = _dataset_values(group["from"])
                missing = [v for v in values if v not in known]
                if missing:
                    raise DeclarationError(f"{where}: {missing} are not values of {group['from']}")
            measures += [Measure(v, str(group["article"])) for v in values]
        requires = t.get("requires")
        if requires is not None and str(requires) not in (t.get("items") or ()):
            raise DeclarationError(f"{where}: requires {requires!r} which is not its item")
        tiers.append(
            Tier(
                id=str(t["id"]),
                grade=str(t["grade"]),
                label=str(t["label"]),
                basis=str(t["basis"]),
                items=tuple(str(c) for c in t.get("items") or ()),
                measures=tuple(measures),
                requires=None if requires is None else str(requires),
                ends=bool(t.get("ends", False)),
            )
        )
    ends = [t for t in tiers if t.ends]
    if len(ends) != 1 or ends[0].id != ENDED or ends[0].items or ends[0].measures:
        raise DeclarationError(f"exactly one tier {ENDED!r} ends intervention, with no measures")
    articles: dict[str, str] = {}
    for t in tiers:
        for m in t.measures:
            if articles.setdefault(m.value, m.article) != m.article:
                raise DeclarationError(f"measure {m.value!r} has two articles")
    if len({t.id for t in tiers}) != len(tiers):
        raise DeclarationError("tier ids must be unique")
    return Declarations(str(raw["law"]), items, tuple(tiers), int(raw["text_limit"]))


@cache
def declarations(path: Path = DECLARATIONS) -> Declarations:
    return parse(yamlfile.load(path.read_text(encoding="utf-8")))


# ---------------------------------------------------------------------------- reading a user's words


def tier_of(dec: Declarations, text: str) -> Tier:
    """A tier as typed: its id (misconduct), grade (T1) or label (不良行为, 结束干预)."""
    wanted = (text or "").strip()
    for t in dec.tiers:
        if wanted in (t.id, t.label, t.title) or wanted.upper() == t.grade.upper():
            return t
    listed = "、".join(f"{t.title}（{t.id}）" for t in dec.tiers)
    raise UserError(f"没有“{wanted}”这一干预等级。可选：{listed}。", code="unknown_tier")


def item_of(dec: Declarations, text: str) -> str:
    """An item as typed: its code (28.1) or its text (吸烟、饮酒)."""
    wanted = (text or "").strip()
    if wanted in dec.items:
        return wanted
    for code, item in dec.items.items():
        if wanted in (item.text, item.label):
            return code
    raise UserError(
        f"没有“{wanted}”这一项：请写{dec.law}第二十八条、第三十八条所列的项，如 28.1、38.4。",
        code="unknown_item",
    )


# ---------------------------------------------------------------------------- the rule of a change


@dataclass(frozen=True)
class Change:
    """A change of a minor's tier as asked: the tier, the day decided, the reason (items and
    text), the measures taken and the warning (a lead id) it takes up."""

    tier: str
    decided_on: dt.date
    items: tuple[str, ...] = ()
    reason: str = ""
    measures: tuple[str, ...] = ()
    lead_id: int | None = None


@dataclass(frozen=True)
class Previous:
    """The minor's newest change (None when there is none)."""

    tier: str
    decided_on: dt.date


def check_change(
    dec: Declarations, change: Change, previous: Previous | None, today: dt.date
) -> Change:
    """The change as it will be recorded (items and measures in declared order, each once, the
    reason trimmed), or a refusal in Chinese naming what is wrong."""
    tier = tier_of(dec, change.tier)  # an id, grade or label; unknown_tier lists the tiers
    check_not_future(change.decided_on, today, "决定日期")
    if previous is not None and change.decided_on < previous.decided_on:
        raise UserError(
            f"决定日期 {change.decided_on.isoformat()} 早于该未成年人上一次确定干预等级的日期"
            f"（{previous.decided_on.isoformat()}）：分级干预记录按日期先后登记，不能插到以前。",
            code="date_before_previous",
        )
    if tier.ends and (previous is None or previous.tier == ENDED):
        raise UserError("该未成年人目前没有干预等级，无需结束干预。", code="not_in_intervention")
    reason = (change.reason or "").strip()
    if not reason:
        raise UserError("请写明理由（事实和依据）。", code="reason_required")
    if len(reason) > dec.text_limit:
        raise UserError(
            f"理由最多 {dec.text_limit} 字，现有 {len(reason)} 字。", code="text_too_long"
        )
    items = _ordered(change.items, dec.items)
    for code in items:
        if code not in dec.items:
            item_of(dec, code)  # raises unknown_item
        if code not in tier.items:
            allowed = "、".join(tier.items) or "无（只写理由）"
            raise UserError(
                f"“{dec.items[code].label}”不是{tier.title}的理由（可选：{allowed}）。",
                code="item_not_of_tier",
            )
    if tier.items and not items:
        raise UserError(
            f"请选择{tier.title}的理由：{dec.law}{_articles(dec, tier.items)}所列的项。",
            code="item_required",
        )
    if tier.requires and tier.requires not in items:
        raise UserError(
            f"{tier.title}须以“{dec.items[tier.requires].label}”为理由。",
            code="item_required",
        )
    measures = _ordered(change.measures, [m.value for m in tier.measures])
    for value in measures:
        if tier.measure(value) is None:
            known = dec.measures.get(value)
            where = f"（{known.article}）" if known else ""
            if not tier.measures:
                raise UserError(
                    f"{tier.title}不登记处置措施（“{value}”{where}）。"
                    + ("刑事诉讼中的措施在相应案件中办理。" if tier.id == "crime" else ""),
                    code="measure_not_of_tier",
                )
            raise UserError(
                f"“{value}”{where}不是{tier.title}可以采取的措施（可选：{_measure_list(tier)}）。",
                code="measure_not_of_tier",
            )
    if tier.ends and change.lead_id is not None:
        raise UserError("结束干预不承接预警：预警应确定干预等级。", code="warning_for_ended")
    return Change(tier.id, change.decided_on, tuple(items), reason, tuple(measures), change.lead_id)


def _ordered(given: Sequence[str], declared: Any) -> list[str]:
    """The values given, each once, those declared in declared order first."""
    wanted = [str(v).strip() for v in given if str(v).strip()]
    order = {v: i for i, v in enumerate(declared)}
    unique = list(dict.fromkeys(wanted))
    return sorted(unique, key=lambda v: (order.get(v, len(order)), unique.index(v)))


def _articles(dec: Declarations, codes: Sequence[str]) -> str:
    """The articles of the items: 第二十八条第一项 → 第二十八条, each once."""
    return "、".join(dict.fromkeys(dec.items[c].article.partition("条")[0] + "条" for c in codes))


def _measure_list(tier: Tier) -> str:
    return "；".join(
        f"{article}：{'、'.join(m.value for m in tier.measures if m.article == article)}"
        for article in dict.fromkeys(m.article for m in tier.measures)
    )


def current(previous: Previous | None) -> str | None:
    """The minor's tier now: the newest change's, none after an end of intervention."""
    if previous is None or previous.tier == ENDED:
        return None
    return previous.tier
