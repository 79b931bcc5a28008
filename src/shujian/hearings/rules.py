"""The pure rules of 公开听证: who may serve as 听证员 and how many, the notice period, the
majority of the opinions and whether a decision needs the 检察长's consent. Tested by tables
(tests/hearings/test_rules.py)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from shujian import yamlfile
from shujian.errors import UserError

DECLARATIONS = Path(__file__).with_name("declarations.yaml")


@dataclass(frozen=True)
class Declarations:
    rule: str
    min_age: int
    identities: tuple[str, ...]
    exclusions: tuple[str, ...]
    stances: dict[str, str]


@cache
def declarations() -> Declarations:
    with DECLARATIONS.open(encoding="utf-8") as fh:
        raw = yamlfile.load(fh)
    return Declarations(
        rule=str(raw["rule"]),
        min_age=int(raw["min_age"]),
        identities=tuple(str(i) for i in raw["identities"]),
        exclusions=tuple(str(e["text"]) for e in raw["exclusions"]),
        stances={str(k): str(v) for k, v in raw["stances"].items()},
    )


@dataclass(frozen=True)
class Member:
    """A 听证员 as proposed: name, identity (one declared), birth date, and the prosecutor's
    confirmation that they have no interest in the case and none of the exclusions."""

    name: str
    identity: str
    born_on: dt.date
    no_interest: bool = True
    no_exclusion: bool = True


def age_on(born: dt.date, day: dt.date) -> int:
    """Whole years of age on `day` (born 29 Feb: a year passes on 1 March in common years)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def check_members(members: Sequence[Member], held_on: dt.date, least: int, most: int) -> None:
    """Refuse, in Chinese and naming every problem at once, a panel the rule does not allow: fewer
    than `least` or more than `most`, a name twice, an undeclared identity, anyone under 23 on the
    day of the hearing, anyone with an interest in the case or one of the exclusions."""
    d = declarations()
    problems: list[str] = []
    if len(members) < least:
        problems.append(f"听证员只有{len(members)}人，至少应为{least}人")
    if len(members) > most:
        problems.append(f"听证员有{len(members)}人，至多为{most}人")
    names = Counter(m.name.strip() for m in members)
    problems += [f"听证员“{n}”重复" for n, k in names.items() if k > 1]
    for m in members:
        who = f"听证员“{m.name.strip() or '（未写姓名）'}”"
        if not m.name.strip():
            problems.append(f"{who}：应写明姓名")
        if m.identity not in d.identities:
            problems.append(f"{who}：身份应为{'、'.join(d.identities)}之一")
        if m.born_on >= held_on or age_on(m.born_on, held_on) < d.min_age:
            problems.append(f"{who}：听证之日未满{d.min_age}周岁")
        if not m.no_interest:
            problems.append(f"{who}：与案件有利害关系")
        if not m.no_exclusion:
            problems.append(f"{who}：有不得担任听证员的情形（{'；'.join(d.exclusions)}）")
    if problems:
        raise UserError(
            f"听证员不符合{d.rule}的要求：" + "；".join(problems) + "。", code="hearing_members"
        )


def latest_notice_day(held_on: dt.date, days: int) -> dt.date:
    """The last day the participants may be told (听证三日前: at least `days` whole days
    before the hearing; calendar days, the rule counts no working days)."""
    return held_on - dt.timedelta(days=days)


def check_notice(notified_on: dt.date, held_on: dt.date, days: int) -> None:
    last = latest_notice_day(held_on, days)
    if notified_on > last:
        raise UserError(
            f"应在听证{days}日前告知听证会参加人案由、听证时间和地点："
            f"听证定于{held_on.isoformat()}，至迟应于{last.isoformat()}告知，"
            f"登记的告知日期为{notified_on.isoformat()}。",
            code="hearing_notice_late",
        )


def majority(stances: Iterable[str]) -> str | None:
    """The stance more than half of the opinions take (None: no majority)."""
    counted = Counter(stances)
    total = sum(counted.values())
    for stance, n in counted.most_common(1):
        if n * 2 > total:
            return stance
    return None


def needs_consent(follows_majority: bool, majority_stance: str | None) -> bool:
    """A decision not following a majority of the 听证员 needs the 检察长's consent."""
    return majority_stance is not None and not follows_majority
