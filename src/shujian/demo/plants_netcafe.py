"""Planted cases of the two 网吧 models: venues that admitted minors, minors who go often.

Both read the same real-name logins, so they are planted together. Seven 网吧 of the venues list
(in business, not planted near a school) are taken, A to G: the minors planted for
`juvenile.netcafe_frequent` log in at A and D only, so the venues `netcafe.minor_admitted` must
report are exactly A to D, and E to G stay near misses with nothing but their own boundary case.
A venue's figures (latest admission, logins and minors in its evidence window) are counted from
every minor's login there once all are planted.

The boundaries (juvenile.md): the 90-day window includes its 90th day and 上机时间 decides which
day a sitting belongs to (a sitting begun at 23:40 on the 91st day is outside, though it ended
on the 90th); the 18th birthday is still a minor's day, the day after is not; frequency counts
distinct days (two sittings on one day, or at two 网吧, are one day), within one complete month of
the look-back (2026-07 to 2026-09), never adding two months together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from shujian.demo.county import AS_OF, County, Person
from shujian.demo.manifest import Plant
from shujian.demo.minors import (
    LAST_DAY,
    age_on,
    assign,
    lead_unit,
    login,
    minor_born,
    new_minor,
    open_netcafes,
    register,
)

D = dt.date
T = dt.datetime

WINDOW_DAYS = 90
VENUES = "ABCDEFG"


@dataclass(frozen=True)
class AdmitCase:
    """Venue `key`, where a minor born on `born` sat from `at` to `until` (the frequency plants
    add theirs at A and D)."""

    key: str
    lead: bool
    description: str
    born: dt.date
    at: dt.datetime
    until: dt.datetime


MINOR_ADMITTED = (
    AdmitCase("A", True, "{venue}：{age}周岁的{name}{at}上网；另有多名未成年人频繁在此上网",
              D(2012, 5, 9), T(2026, 10, 16, 22, 40), T(2026, 10, 17, 0, 55)),
    AdmitCase("B", True, "{venue}：{name}在18周岁生日当天（{at}）上网，按周岁计算仍未满18周岁",
              D(2008, 9, 27), T(2026, 9, 27, 20, 15), T(2026, 9, 27, 23, 50)),
    AdmitCase("C", True, "{venue}：{age}周岁的{name}{at}上网，为运行日期前第90日，在回看期间内",
              D(2010, 6, 2), T(2026, 7, 22, 14, 30), T(2026, 7, 22, 18, 5)),
    AdmitCase("D", True, "{venue}：{age}周岁的{name}凌晨{at}上网",
              D(2010, 1, 25), T(2026, 8, 9, 1, 20), T(2026, 8, 9, 5, 40)),
    AdmitCase("E", False, "{venue}：{name}于18周岁生日次日（{at}）上网，已成年；此外只有成年人上网",
              D(2008, 8, 14), T(2026, 8, 15, 19, 0), T(2026, 8, 15, 22, 30)),
    AdmitCase("F", False, "{venue}：{age}周岁的{name}{at}上网，为运行日期前第91日，已在回看期间外",
              D(2011, 2, 19), T(2026, 7, 21, 10, 5), T(2026, 7, 21, 13, 20)),
    AdmitCase("G", False,
              "{venue}：{age}周岁的{name}7月21日23:40上机（运行日期前第91日），次日01:15下机；"
              "按上机时间计，在回看期间外",
              D(2010, 12, 1), T(2026, 7, 21, 23, 40), T(2026, 7, 22, 1, 15)),
)  # fmt: skip
"""netcafe.minor_admitted: a 网吧 with a login of a person under 18 on the day, in the 90 days up to
the run date."""


@dataclass(frozen=True)
class FrequentCase:
    """A minor born on `born` (None: a 14- to 16-year-old) who logged in on `days` (day, venue
    key; two sittings of a day are written as two entries). `registered` puts the minor on the
    register in that category, with its 认定日期."""

    lead: bool
    description: str
    days: tuple[tuple[dt.date, str], ...]
    born: dt.date | None = None
    registered: tuple[str, dt.date] | None = None


def _days(month: int, *days: int, at: str = "A") -> tuple[tuple[dt.date, str], ...]:
    return tuple((D(2026, month, d), at) for d in days)


NETCAFE_FREQUENT = (
    FrequentCase(True, "{name}9月有4天上网（其中9月19日先后在两家网吧上网，只算一天），未登记为重点未成年人",
                 (*_days(9, 5, 12, 19), (D(2026, 9, 19), "D"), *_days(9, 26))),
    FrequentCase(True, "{name}8月有6天上网，已登记为不良行为未成年人（沉迷网络）",
                 _days(8, 1, 3, 8, 15, 22, 29), registered=("misconduct", D(2026, 4, 10))),
    FrequentCase(True,
                 "{name}8月3日、10日、17日和8月20日（18周岁生日当天）上网，未满18周岁的日子共4天；"
                 "8月24日已成年，不计入",
                 _days(8, 3, 10, 17, 20, 24), born=D(2008, 8, 20)),
    FrequentCase(True, "{name}7月1日（回看期第一日）、7日、14日、21日上网，共4天",
                 _days(7, 1, 7, 14, 21)),
    FrequentCase(False, "{name}9月上网4次，但其中两次在同一天（9月13日），只有3天",
                 _days(9, 6, 13, 13, 20)),
    FrequentCase(False, "{name}8月下旬2天、9月上旬2天，跨月不合并，每月都不足4天",
                 (*_days(8, 25, 29), *_days(9, 1, 4))),
    FrequentCase(False,
                 "{name}9月2日、9日、15日（18周岁生日当天）和16日上网，16日已成年，未满18周岁的只有3天",
                 _days(9, 2, 9, 15, 16), born=D(2008, 9, 15)),
    FrequentCase(False, "{name}10月有5天上网，但10月不是运行日期前的完整月份",
                 _days(10, 2, 5, 9, 13, 17)),
    FrequentCase(False, "{name}6月有5天上网，6月不在回看期（7月至9月）内",
                 _days(6, 6, 13, 20, 27, 28)),
)  # fmt: skip
"""juvenile.netcafe_frequent: a minor's logins on 4 or more distinct days of one complete month
of the look-back (2026-07 to 2026-09), only the days under 18 counted."""


def _evening(county: County, day: dt.date, earlier: bool) -> tuple[dt.datetime, dt.datetime]:
    """A sitting after school (or, for the day's first of two, in the afternoon)."""
    rng = county.rng
    hour = rng.randint(13, 16) if earlier else rng.randint(18, 21)
    start = T(day.year, day.month, day.day, hour, rng.randint(0, 59), rng.randint(0, 59))
    return start, start + dt.timedelta(minutes=rng.randint(60, 170))


def plant_netcafes(county: County) -> None:
    """Plant `MINOR_ADMITTED` and `NETCAFE_FREQUENT` at seven 网吧, then count each venue."""
    rng = county.rng
    venues = dict(zip(VENUES, rng.sample(open_netcafes(county), len(VENUES)), strict=True))
    admitted: list[tuple[AdmitCase, Person]] = []
    for case in MINOR_ADMITTED:
        person = minor_born(county, case.born, school="").person
        login(county, venues[case.key], person, case.at, case.until)
        admitted.append((case, person))
    for frequent in NETCAFE_FREQUENT:
        _plant_frequent(county, frequent, venues)
    for case, person in admitted:
        venue = venues[case.key]
        figures = {**_counted(county, venue), **_planted_row(person, case.at)}
        text = case.description.format(
            venue=venue["场所名称"],
            name=person.name,
            age=age_on(person.birth, case.at.date()),
            at=f"{case.at:%Y-%m-%d %H:%M}",
        )
        county.plants.append(
            Plant("netcafe.minor_admitted", venue["统一社会信用代码"], case.lead, text, figures)
        )


def _planted_row(person: Person, at: dt.datetime) -> dict[str, Any]:
    return {
        "name": person.name,
        "id_card": person.id_number,
        "birth_date": person.birth.isoformat(),
        "age_on_day": age_on(person.birth, at.date()),
        "logged_in_at": at.isoformat(sep=" "),
    }


def _counted(county: County, venue: dict[str, Any]) -> dict[str, Any]:
    """The venue's minors as the rule counts them: logins of people under 18 on the day, up to
    the run date; the latest, and those within 90 days before it."""
    minors = []
    for row in county.rows["netcafe_logins"]:
        if row["场所统一社会信用代码"] != venue["统一社会信用代码"]:
            continue
        day: dt.date = row["上机时间"].date()
        id_number: str = row["公民身份号码"]
        birth = D(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
        if day <= AS_OF and age_on(birth, day) < 18:
            minors.append((day, id_number))
    if not minors:
        return {"venue_name": venue["场所名称"], "minor_logins": 0}
    latest = max(day for day, _ in minors)
    shown = [(day, i) for day, i in minors if (latest - day).days <= WINDOW_DAYS]
    return {
        "venue_name": venue["场所名称"],
        "latest_login_date": latest.isoformat(),
        "days_before_run_date": (AS_OF - latest).days,
        "minor_logins": len(shown),
        "minors_admitted": len({i for _, i in shown}),
    }


def _plant_frequent(county: County, case: FrequentCase, venues: dict[str, dict[str, Any]]) -> None:
    if case.born is not None:
        minor = minor_born(county, case.born)
    else:
        minor = new_minor(county, D(2010, 1, 1), D(2012, 6, 30))
    history = "未登记"
    if case.registered is not None:
        category, identified = case.registered
        register(county, minor, category, identified, subcategory="沉迷网络", written="沉迷网络")
        assign(county, minor, lead_unit(category, minor.town), identified + dt.timedelta(days=5))
        history = f"不良行为未成年人（{identified.isoformat()}认定）"
    seen: set[dt.date] = set()
    for day, key in case.days:
        start, end = _evening(county, day, earlier=day not in seen and _twice(case, day))
        seen.add(day)
        login(county, venues[key], minor.person, start, None if end.date() > LAST_DAY else end)
    counted: dict[dt.date, set[str]] = {}
    for day, key in case.days:
        if age_on(minor.person.birth, day) < 18:
            counted.setdefault(day.replace(day=1), set()).add(key)
    by_month = {
        m: sorted({d for d, _ in case.days if d.replace(day=1) == m and age_on(minor.person.birth, d) < 18})
        for m in counted
    }  # fmt: skip
    month = max(counted, key=lambda m: (len(by_month[m]) >= 4, m))
    days = by_month[month]
    figures = {
        "name": minor.name,
        "birth_date": minor.person.birth.isoformat(),
        "month": f"{month:%Y-%m}",
        "login_days": len(days),
        "login_days_list": "、".join(f"{d:%m-%d}" for d in days),
        "venues": "、".join(sorted(venues[k]["场所名称"] for k in counted[month])),
        "registration_history": history,
    }
    text = case.description.format(name=minor.name)
    county.plants.append(
        Plant("juvenile.netcafe_frequent", minor.id_number, case.lead, text, figures)
    )


def _twice(case: FrequentCase, day: dt.date) -> bool:
    """Whether the minor sat twice on `day` (the first sitting is then in the afternoon)."""
    return sum(1 for d, _ in case.days if d == day) > 1
