"""Background staff and offence records: nobody on a roster has a record, unless planted.

The staff come from the schools and kindergartens plus 校外培训机构; the records belong to other
people. A few IDs are typed messily (lower-case x, full-width digits, a leading apostrophe,
spaces) and two are damaged beyond use, as in real rosters.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from shujian.demo import names
from shujian.demo.county import AS_OF, REGION_CODE, County, Person, Unit

# ---- staff roster --------------------------------------------------------------------------

_STAFF_SIZE = {
    "幼儿园": (5, 12), "小学": (10, 24), "初中": (12, 26), "高中": (24, 34), "完全中学": (28, 34),
    "九年一贯制学校": (14, 20), "中等职业学校": (18, 24), "特殊教育学校": (6, 9),
}  # fmt: skip

_POSTS = {
    "学校": (("教师", 70, 0.35), ("行政人员", 6, 0.5), ("保安", 6, 0.95), ("食堂工作人员", 6, 0.3),
            ("校医", 2, 0.3), ("宿管员", 3, 0.4), ("校车驾驶员", 3, 0.95), ("保洁员", 4, 0.2)),
    "幼儿园": (("教师", 55, 0.05), ("保育员", 25, 0.02), ("保健医生", 5, 0.2), ("保安", 8, 0.95),
             ("厨师", 7, 0.5)),
    "校外培训机构": (("培训教师", 75, 0.4), ("课程顾问", 15, 0.3), ("前台", 10, 0.1)),
}  # fmt: skip
"""Per 单位类别: (post, weight, share of men)."""

_TRAINING_NAMES = ("启航", "博学", "智慧树", "优才", "新起点", "书香", "翰林", "育英")


def build_units(county: County) -> None:
    """Employers on the roster: every school and kindergarten plus 校外培训机构."""
    for order, school in enumerate(county.schools):
        category = "幼儿园" if school.school_type == "幼儿园" else "学校"
        county.units.append(Unit(school.name, school.uscc, category, order, school))
    for k, word in enumerate(_TRAINING_NAMES):
        kind = "52" if k % 2 else "91"
        suffix = "培训学校" if kind == "52" else "教育科技有限公司"
        uscc = county.new_uscc(kind, prefix="MJ" if kind == "52" else "MA6")
        county.units.append(
            Unit(f"{names.COUNTY}{word}{suffix}", uscc, "校外培训机构", len(county.units))
        )


def staff_row(
    unit: Unit, person: Person, post: str, hired: dt.date, style: str = "plain"
) -> dict[str, Any]:
    """One roster line."""
    return {
        "单位名称": unit.name,
        "单位统一社会信用代码": unit.uscc,
        "单位类别": unit.category,
        "姓名": person.name,
        "公民身份号码": person.id_number,
        "岗位": post,
        "入职日期": hired,
        "_unit_order": unit.order,
        "_style": style,
    }


def random_hire_date(rng: random.Random, birth: dt.date) -> dt.date:
    """A hire date after the 21st birthday and before the demo's term starts; mostly 1 September."""
    first_year = max(birth.year + 21, 1990)
    year = rng.randint(first_year, 2026)
    if rng.random() < 0.6:
        return dt.date(year, 9, 1)
    return min(dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364)), dt.date(2026, 9, 1))


def build_staff(county: County) -> None:
    """About 600 staff with no records, a few IDs typed messily, and two damaged rows."""
    rng = county.rng
    for unit in county.units:
        low, high = _STAFF_SIZE.get(unit.school.school_type, (3, 7)) if unit.school else (3, 7)
        posts = _POSTS[unit.category]
        for _ in range(rng.randint(low, high)):
            post, _w, male_share = rng.choices(posts, weights=[p[1] for p in posts])[0]
            person = county.new_person(
                dt.date(1966, 1, 1), dt.date(2003, 12, 31), male=rng.random() < male_share
            )
            style = "plain"
            if person.id_number.endswith("X") and rng.random() < 0.5:
                style = "lower_x"
            elif rng.random() < 0.012:
                style = rng.choice(("fullwidth", "apostrophe", "spaces"))
            hired = random_hire_date(rng, person.birth)
            county.rows["staff_roster"].append(staff_row(unit, person, post, hired, style))
    # Damaged rows: Excel turned one ID into 5.20203E+17; someone mistyped another's check digit.
    for style in ("excel_truncated", "wrong_check"):
        unit = rng.choice([u for u in county.units if u.category == "学校"])
        person = county.new_person(dt.date(1975, 1, 1), dt.date(1998, 12, 31), region=REGION_CODE)
        hired = random_hire_date(rng, person.birth)
        county.rows["staff_roster"].append(staff_row(unit, person, "教师", hired, style))


# ---- offence records -----------------------------------------------------------------------

_OFFENCES: tuple[tuple[str, str, int], ...] = (
    ("盗窃", "刑事", 20), ("诈骗", "刑事", 8), ("危险驾驶", "刑事", 25), ("故意伤害", "刑事", 8),
    ("寻衅滋事", "刑事", 5), ("交通肇事", "刑事", 4), ("开设赌场", "刑事", 3),
    ("非法经营", "刑事", 2), ("强奸", "刑事", 2), ("强制猥亵", "刑事", 1), ("猥亵儿童", "刑事", 1),
    ("拐卖妇女、儿童", "刑事", 1),
    ("虐待", "刑事", 1), ("贩卖毒品", "刑事", 3), ("帮助信息网络犯罪活动", "刑事", 6),
    ("掩饰、隐瞒犯罪所得", "刑事", 2), ("赌博", "行政", 10), ("吸毒", "行政", 8),
    ("殴打他人", "行政", 8), ("盗窃", "行政", 5), ("卖淫嫖娼", "行政", 4), ("猥亵", "行政", 2),
    ("故意损毁财物", "行政", 2),
)  # fmt: skip
"""(罪名或违法行为, criminal or administrative, weight) of the background records."""


def document_number(rng: random.Random, outcome: str, when: dt.date) -> str:
    """A court case number, non-prosecution decision number or police penalty number."""
    n = rng.randint(1, 400)
    if outcome.endswith("不起诉"):  # every kind is decided by the procuratorate's 不起诉决定书
        return f"青检刑不诉〔{when.year}〕{n}号"
    return {
        "有罪判决": f"（{when.year}）黔0203刑初{n}号",
        "行政处罚": f"青公（治）行罚决字〔{when.year}〕{n:04d}号",
    }[outcome]


def offence_row(
    rng: random.Random, person: Person, offence: str, outcome: str, when: dt.date, style: str
) -> dict[str, Any]:
    """One record line."""
    return {
        "姓名": person.name,
        "公民身份号码": person.id_number,
        "罪名或违法行为": offence,
        "处理结果": outcome,
        "处理日期": when,
        "文书编号": document_number(rng, outcome, when),
        "_style": style,
    }


def build_offences(county: County) -> None:
    """About 290 records of people who work nowhere on the roster; some have several."""
    rng = county.rng
    people: list[Person] = []
    last_day = AS_OF - dt.timedelta(days=20)
    for _ in range(290):
        if people and rng.random() < 0.1:
            person = rng.choice(people)  # a repeat offender
        else:
            person = county.new_person(
                dt.date(1958, 1, 1), dt.date(2005, 12, 31), male=rng.random() < 0.86
            )
            people.append(person)
        offence, kind, _w = rng.choices(_OFFENCES, weights=[o[2] for o in _OFFENCES])[0]
        outcome = (
            "行政处罚" if kind == "行政" else rng.choices(["有罪判决", "相对不起诉"], [85, 15])[0]
        )
        adult = dt.date(person.birth.year + 18, person.birth.month, min(person.birth.day, 28))
        earliest = max(adult + dt.timedelta(days=4), dt.date(2000, 1, 1))
        when = earliest + dt.timedelta(days=rng.randint(0, max(0, (last_day - earliest).days)))
        style = "plain"
        if when.year < 2004 and person.birth.year < 2000 and rng.random() < 0.5:
            style = "id15"  # old police records still carry the 15-digit number
        county.rows["offence_records"].append(
            offence_row(rng, person, offence, outcome, when, style)
        )
