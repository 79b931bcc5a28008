"""Background benefit payments, custody records and deaths: nobody is paid who should not be.

民政 pays 低保, 特困供养, 高龄补贴 and 临时救助, 人社 pays 城乡居民 and 职工 pensions, month by
month from January 2025. The people in the prisons' and detention centres' records are other
people; a beneficiary who dies is paid up to the month of death at most. So
`benefit.in_custody` and `benefit.deceased` find nothing here: their leads come from the plants.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from shujian.demo.county import AS_OF, County, Person

FIRST_MONTH = dt.date(2025, 1, 1)
LAST_MONTH = dt.date(2026, 10, 1)
"""Payments run from January 2025 to the month of the run date (paid on the 10th)."""

# (待遇类型, people, born from/to (years), monthly amount range in yuan)
_BENEFITS: tuple[tuple[str, int, tuple[int, int], tuple[int, int]], ...] = (
    ("城乡低保", 70, (1945, 2000), (380, 760)),
    ("特困供养", 15, (1938, 1985), (920, 1120)),
    ("城乡居民养老金", 80, (1935, 1964), (153, 268)),
    ("职工养老金", 30, (1940, 1965), (2600, 4900)),
    ("高龄补贴", 20, (1930, 1945), (50, 100)),
)

_CUSTODY = (
    ("有期徒刑", 26), ("拘役", 6), ("刑事拘留", 8), ("逮捕", 6), ("缓刑", 12), ("社区矫正", 6),
    ("无期徒刑", 1),
)  # fmt: skip


def month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of the months from `first` to `last` inclusive."""
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def payment_row(
    person: Person, kind: str, month: dt.date, amount: Decimal, style: str = "plain"
) -> dict[str, Any]:
    """One payment line."""
    return {
        "姓名": person.name,
        "公民身份号码": person.id_number,
        "待遇类型": kind,
        "发放年月": month,
        "发放金额": amount,
        "_style": style,
    }


def pay_monthly(
    county: County,
    person: Person,
    kind: str,
    amount: Decimal,
    first: dt.date,
    last: dt.date,
    skip: tuple[dt.date, dt.date] | None = None,
) -> None:
    """Monthly payments from `first` to `last` (month starts), except the months in `skip`."""
    for month in month_starts(first, last):
        if skip and skip[0] <= month <= skip[1]:
            continue
        county.rows["benefit_payments"].append(payment_row(person, kind, month, amount))


def custody_row(
    person: Person, kind: str, admitted: dt.date, released: dt.date | None
) -> dict[str, Any]:
    """One custody line; no release date while the person is still held."""
    return {
        "姓名": person.name,
        "公民身份号码": person.id_number,
        "羁押类型": kind,
        "收押日期": admitted,
        "释放日期": released,
    }


def death_row(person: Person, died: dt.date) -> dict[str, Any]:
    """One death record."""
    return {"姓名": person.name, "公民身份号码": person.id_number, "死亡日期": died}


def _random_day(county: County, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=county.rng.randint(0, (last - first).days))


def build_benefits(county: County) -> None:
    """About 215 people paid monthly (some start late, some stop), plus one-off 临时救助.

    Some beneficiaries die: they are paid up to the month of death, or the month before.
    """
    rng = county.rng
    months = month_starts(FIRST_MONTH, LAST_MONTH)
    for kind, count, (born_from, born_to), (low, high) in _BENEFITS:
        for _ in range(count):
            person = county.new_person(dt.date(born_from, 1, 1), dt.date(born_to, 12, 31))
            amount = Decimal(rng.randrange(low, high + 1, 1 if high < 1000 else 10))
            first = rng.choice(months[:6]) if rng.random() < 0.8 else rng.choice(months)
            last = LAST_MONTH if rng.random() < 0.9 else rng.choice(months)
            if last < first:
                first, last = last, first
            if rng.random() < 0.07 and last >= dt.date(2025, 3, 1):
                died = _random_day(county, last, min(last + dt.timedelta(days=27), AS_OF))
                last = (
                    died.replace(day=1)
                    if rng.random() < 0.7
                    else ((died.replace(day=1) - dt.timedelta(days=1)).replace(day=1))
                )
                county.rows["death_records"].append(death_row(person, died))
            pay_monthly(county, person, kind, amount, max(first, FIRST_MONTH), last)
    for _ in range(25):
        person = county.new_person(dt.date(1950, 1, 1), dt.date(2003, 12, 31))
        month = rng.choice(months)
        amount = Decimal(rng.randrange(500, 3001, 100))
        county.rows["benefit_payments"].append(payment_row(person, "临时救助", month, amount))
    # Excel turned one ID number into 5.20203E+17 when the 民政 clerk re-saved the sheet.
    rng.choice(county.rows["benefit_payments"])["_style"] = "excel_truncated"


def build_custody(county: County) -> None:
    """About 65 people held or supervised since 2022, none of them on the benefit rolls."""
    rng = county.rng
    for kind, count in _CUSTODY:
        for _ in range(count):
            person = county.new_person(
                dt.date(1962, 1, 1), dt.date(2003, 12, 31), male=rng.random() < 0.9
            )
            admitted = _random_day(county, dt.date(2022, 1, 1), AS_OF - dt.timedelta(days=10))
            span = {
                "有期徒刑": rng.randint(300, 2500),
                "拘役": rng.randint(30, 180),
                "刑事拘留": rng.randint(3, 37),
                "逮捕": rng.randint(60, 400),
                "缓刑": rng.randint(365, 1460),
                "社区矫正": rng.randint(180, 1095),
                "无期徒刑": 100_000,
            }[kind]
            end = admitted + dt.timedelta(days=span)
            released = end if end < AS_OF else None
            county.rows["custody_records"].append(custody_row(person, kind, admitted, released))


def build_deaths(county: County) -> None:
    """About 110 deaths registered in 2025–2026 of people on no benefit roll."""
    for _ in range(110):
        person = county.new_person(dt.date(1928, 1, 1), dt.date(1975, 12, 31))
        county.rows["death_records"].append(
            death_row(
                person, _random_day(county, dt.date(2025, 1, 1), AS_OF - dt.timedelta(days=2))
            )
        )
