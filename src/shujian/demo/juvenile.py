"""Background of the juvenile datasets (护苗 / 预警): where none of the six juvenile models finds
anything.

The 护苗办's register (key_minors) lists about 140 minors of the six categories across the towns
and villages, each with a guardian, a school when of school age, and the categories written the
way each lead unit writes them (单亲离异, 困境留守, a 细类 such as 盗窃, now and then in traditional
characters). Every minor on the register on the run date and registered more than 15 days before
it has a helper (包保) whose assignment covers the run date; every 严重不良行为 minor was visited
every month of their registration, all four targets (本人, 家庭, 学校 when at school, 社区); the
police's conduct records belong to registered minors, or are one or two 不良行为 of a minor, or are
older than the warning window, or belong to minors now 18; every pupil on the 控辍保学 ledger was
brought back within 30 days (or left less than 30 days before the run date); and only adults log in
at the 网吧. So the six juvenile models find nothing here: their leads come from the plants
(`plants_juvenile.py`, `plants_netcafe.py`).

The helping units are the categories' lead units (妇联, 民政, 教育, 公安, 司法行政) and the villages'
committees. The county seat's single-parent minors are assigned to 青岚县妇联, the unit of the
demonstration's helper account (`accounts.py`), so that account signs in to minors of its own.
"""

from __future__ import annotations

import datetime as dt

from shujian.demo import names
from shujian.demo.county import County
from shujian.demo.minors import (
    HELPER_UNIT,
    LAST_DAY,
    SUBCATEGORIES,
    Minor,
    age_on,
    assign,
    birthday,
    conduct,
    dropout,
    last_minor_day,
    lead_unit,
    login,
    month_firsts,
    new_minor,
    open_netcafes,
    pick,
    real_schools,
    register,
    stage_of,
    visit,
    visit_every_month,
)

D = dt.date

REGISTER_FROM = D(2024, 3, 1)
"""The register was started then (the earliest 认定日期 of the background)."""

# ---- the register, its helpers and visits -----------------------------------------------------

_PLAN: tuple[tuple[str, int, dt.date, dt.date, int, dt.date], ...] = (
    ("single_parent", 34, D(2009, 1, 1), D(2019, 12, 31), 3, REGISTER_FROM),
    ("care_gap", 40, D(2009, 1, 1), D(2020, 6, 30), 3, REGISTER_FROM),
    ("idle_after_school", 12, D(2009, 1, 1), D(2011, 4, 30), 15, REGISTER_FROM),
    ("misconduct", 20, D(2009, 1, 1), D(2013, 12, 31), 12, REGISTER_FROM),
    ("serious_misconduct", 16, D(2009, 1, 1), D(2013, 12, 31), 12, D(2025, 1, 1)),
    ("corrections", 5, D(2009, 1, 1), D(2010, 12, 31), 15, D(2025, 3, 1)),
)
"""Per category: minors, born from/to, youngest age when identified, earliest 认定日期."""

_GRANDPARENTS = ("农村留守儿童", "孤儿", "事实无人抚养儿童")
"""细类 of children whose guardian is a grandparent, not a parent."""

_MILD_ACTS = ("吸烟", "饮酒", "逃学", "夜不归宿", "沉迷网络", "进入营业性网吧", "离家出走")
_SERIOUS_ACTS = {
    "盗窃": "盗窃",
    "寻衅滋事": "结伙斗殴",
    "殴打、辱骂、恐吓他人": "殴打他人",
    "携带管制刀具": "携带管制刀具",
    "吸食毒品": "吸食毒品",
    "触法": "故意伤害",
}
_SERIOUS_MEASURES = ("训诫", "训诫、责令具结悔过", "责令赔礼道歉、赔偿损失", "社会观护",
                     "训诫；责令定期报告活动情况", "责令接受心理辅导", "专门矫治教育")  # fmt: skip
_MILD_WRITTEN = ("不良行为", "不良行为", "一般不良行为")
_SERIOUS_WRITTEN = ("严重不良行为", "严重不良行为", "严重不良")


def _identified(county: County, birth: dt.date, youngest: int, earliest: dt.date) -> dt.date:
    """A 认定日期 once the child is `youngest`, at least 20 days before the run date."""
    first = max(earliest, birthday(birth, youngest))
    last = LAST_DAY - dt.timedelta(days=20)
    return first + dt.timedelta(days=county.rng.randint(0, max(0, (last - first).days)))


def _withdrawal(county: County, category: str, identified: dt.date) -> dt.date | None:
    """Some minors leave the register: 帮教期满 after half a year at least, others at any time."""
    rng = county.rng
    if rng.random() > 0.12:
        return None
    earliest = identified + dt.timedelta(days=180 if "conduct" in category else 60)
    if category in ("misconduct", "serious_misconduct") and identified > D(2025, 10, 31):
        return None  # too recent to have been helped to the end
    if earliest >= LAST_DAY:
        return None
    return earliest + dt.timedelta(days=rng.randint(0, (LAST_DAY - earliest).days))


def _take_on(county: County, minor: Minor, category: str, identified: dt.date,
             withdrawn: dt.date | None) -> tuple[str, str]:  # fmt: skip
    """Assign `minor` within two weeks of identification, sometimes handed over to a colleague
    later; the assignment ends on the day of withdrawal. Returns the helper at the end."""
    rng = county.rng
    unit = lead_unit(category, minor.town)
    started = identified + dt.timedelta(days=rng.randint(1, 12))
    mode = "一对多" if rng.random() < 0.3 else "一对一"
    if withdrawn is None and rng.random() < 0.15 and started < LAST_DAY - dt.timedelta(days=90):
        handover = started + dt.timedelta(days=rng.randint(30, (LAST_DAY - started).days - 30))
        first = assign(county, minor, unit, started, handover, mode=mode)
        staff = [s for s in county.unit_staff[unit] if s != first] or [first]
        return assign(
            county, minor, unit, handover + dt.timedelta(days=1), mode=mode,
            responsible=rng.choice(staff),
        )  # fmt: skip
    return assign(county, minor, unit, started, withdrawn, mode=mode)


def _records_before(county: County, minor: Minor, category: str, identified: dt.date) -> None:
    """The police records that brought a misconduct minor to the register, before identification."""
    rng = county.rng
    if category == "serious_misconduct":
        row = next(
            r for r in reversed(county.rows["key_minors"])
            if r["公民身份号码"] == minor.id_number and r["类别"] == category
        )  # fmt: skip
        act = _SERIOUS_ACTS.get(row["细类"], "盗窃")
        day = identified - dt.timedelta(days=rng.randint(5, 40))
        too_young = age_on(minor.person.birth, day) < 14 or row["细类"] == "触法"
        conduct_class = "触法" if too_young and act in ("故意伤害", "盗窃") else "严重不良行为"
        conduct(county, minor, day, conduct_class, act, measures=rng.choice(_SERIOUS_MEASURES),
                written=rng.choice(_SERIOUS_WRITTEN) if conduct_class != "触法" else "触法行为")  # fmt: skip
    mild = rng.randint(1, 3) if category == "misconduct" else rng.randint(0, 1)
    for before in rng.sample(range(10, 171), mild):
        day = identified - dt.timedelta(days=before)
        conduct(county, minor, day, "不良行为", rng.choice(_MILD_ACTS),
                written=rng.choice(_MILD_WRITTEN))  # fmt: skip


def build_register(county: County) -> list[Minor]:
    """The register with its assignments and visits, and the records behind its misconduct
    minors; returns the minors (for the dropout ledger)."""
    rng = county.rng
    minors: list[Minor] = []
    serious: list[Minor] = []
    for category, count, born_from, born_to, youngest, earliest in _PLAN:
        for k in range(count):
            seat = category == "serious_misconduct" and k < 3  # the helper's unit helps these
            town = rng.choice(names.TOWNS[:3]) if seat else None
            sub = pick(rng, SUBCATEGORIES[category])
            minor = new_minor(
                county, born_from, born_to, town=town, grandparent=sub in _GRANDPARENTS
            )
            identified = _identified(county, minor.person.birth, youngest, earliest)
            withdrawn = None if seat else _withdrawal(county, category, identified)
            style = "lower_x" if minor.id_number.endswith("X") and rng.random() < 0.5 else "plain"
            register(county, minor, category, identified, subcategory=sub, withdrawn=withdrawn,
                     style=style)  # fmt: skip
            helper = _take_on(county, minor, category, identified, withdrawn)
            minors.append(minor)
            if category in ("misconduct", "serious_misconduct"):
                _records_before(county, minor, category, identified)
            if category == "serious_misconduct":
                serious.append(minor)
                village = names.village_committee(minor.village)
                started = identified + dt.timedelta(days=rng.randint(1, 12))
                second = assign(county, minor, village, started, withdrawn, mode="多对一")
                if seat:  # also single-parent, helped by 青岚县妇联 since before
                    before = identified - dt.timedelta(days=rng.randint(60, 300))
                    register(county, minor, "single_parent", before)
                    assign(county, minor, HELPER_UNIT, before + dt.timedelta(days=6),
                           mode="多对一")  # fmt: skip
                last = LAST_DAY if withdrawn is None else withdrawn - dt.timedelta(days=1)
                visit_every_month(county, minor, identified, last, (helper[0], second[0]))
            elif category in ("single_parent", "care_gap") and withdrawn is None:
                _occasional_visits(county, minor, identified, helper[0])
    _second_categories(county, minors)
    _aged_out(county)
    _just_identified(county)
    # One minor's number mistyped in the register (check digit): the importer refuses the row.
    broken = next(r for r in county.rows["key_minors"] if r["类别"] == "care_gap")
    broken["_style"] = "wrong_check"
    return minors


def _occasional_visits(county: County, minor: Minor, identified: dt.date, helper: str) -> None:
    """A single-parent or left-behind child is visited now and then (no monthly duty)."""
    rng = county.rng
    for month in month_firsts(identified + dt.timedelta(days=15), LAST_DAY):
        if rng.random() < 0.22:
            day = month + dt.timedelta(days=rng.randint(0, 27))
            if identified < day <= LAST_DAY:
                visit(county, minor, day, ("本人", "家庭"), helper)


def _second_categories(county: County, minors: list[Minor]) -> None:
    """A few minors in a second category (each line with its own 认定日期): a left-behind child
    who misbehaves, a single-parent school-leaver."""
    rng = county.rng
    by_category: dict[str, list[Minor]] = {}
    for row in county.rows["key_minors"]:
        if row["退出日期"] is None:
            by_category.setdefault(row["类别"], []).append(
                next(m for m in minors if m.id_number == row["公民身份号码"])
            )
    for category, second, n in (("misconduct", "care_gap", 3),
                                ("idle_after_school", "single_parent", 2)):  # fmt: skip
        for minor in rng.sample(by_category[category], n):
            first = next(
                r["认定日期"] for r in county.rows["key_minors"]
                if r["公民身份号码"] == minor.id_number
            )  # fmt: skip
            earlier = max(REGISTER_FROM, first - dt.timedelta(days=rng.randint(90, 400)))
            register(county, minor, second, earlier)


def _aged_out(county: County) -> None:
    """Minors who reached 18 and left the register the next day (the history stays)."""
    for category in ("single_parent", "care_gap", "misconduct", "serious_misconduct", "care_gap"):
        minor = new_minor(county, D(2007, 10, 1), D(2008, 5, 31), school="")
        identified = _identified(county, minor.person.birth, 15, REGISTER_FROM)
        identified = min(identified, D(2025, 6, 30))
        adult = last_minor_day(minor.person.birth) + dt.timedelta(days=1)
        register(county, minor, category, identified, withdrawn=adult, reason="年满十八周岁")
        helper = _take_on(county, minor, category, identified, adult)
        if category in ("misconduct", "serious_misconduct"):
            _records_before(county, minor, category, identified)
        if category == "serious_misconduct":
            last = last_minor_day(minor.person.birth)
            visit_every_month(county, minor, identified, last, (helper[0], helper[0]))


def _just_identified(county: County) -> None:
    """Minors registered days before the run date, not yet assigned (15 days are allowed)."""
    rng = county.rng
    for category in ("care_gap", "single_parent", "idle_after_school"):
        born_to = D(2011, 4, 30) if category == "idle_after_school" else D(2018, 12, 31)
        minor = new_minor(county, D(2009, 1, 1), born_to)
        identified = LAST_DAY - dt.timedelta(days=rng.randint(2, 12))
        register(county, minor, category, identified)


# ---- conduct records of children not on the register -------------------------------------------


def build_conduct(county: County) -> None:
    """Other children's records: one or two 不良行为 each, and serious records of minors who have
    turned 18 since (the records of registered minors come with the register)."""
    rng = county.rng
    for _ in range(45):
        minor = new_minor(county, D(2009, 1, 1), D(2014, 6, 30))
        first = max(D(2025, 3, 1), birthday(minor.person.birth, 11))
        for after in rng.sample(range((LAST_DAY - first).days + 1), rng.choice((1, 1, 2))):
            day = first + dt.timedelta(days=after)
            conduct(county, minor, day, "不良行为", rng.choice(_MILD_ACTS),
                    written=rng.choice(_MILD_WRITTEN))  # fmt: skip
    for _ in range(4):
        minor = new_minor(county, D(2007, 11, 1), D(2008, 6, 30), school="")
        seventeen = birthday(minor.person.birth, 17) + dt.timedelta(days=1)
        day = seventeen + dt.timedelta(days=rng.randint(10, 300))
        day = min(day, last_minor_day(minor.person.birth))
        conduct(county, minor, day, "严重不良行为", rng.choice(("盗窃", "结伙斗殴", "抢夺")),
                measures=rng.choice(_SERIOUS_MEASURES))  # fmt: skip


# ---- the 控辍保学 ledger ---------------------------------------------------------------------

_REASONS = ("厌学", "外出务工", "家庭困难", "随父母外出", "沉迷网络", "身体原因", "")


def term_day(county: County, first: dt.date, last: dt.date) -> dt.date:
    """A school day in [first, last]: not in July or August, not on a weekend."""
    rng = county.rng
    while True:
        day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
        if day.month not in (7, 8) and day.weekday() < 5:
            return day


def build_dropouts(county: County, minors: list[Minor]) -> None:
    """Pupils who left school and were brought back within 30 days (or left less than 30 days
    before the run date), some of them on the register as well."""
    rng = county.rng
    registered = [
        m for m in minors
        if m.school and age_on(m.person.birth, D(2025, 9, 1)) in range(8, 15)
    ]  # fmt: skip
    pupils = rng.sample(registered, 10)
    pupils += [new_minor(county, D(2011, 1, 1), D(2017, 8, 31)) for _ in range(22)]
    for k, pupil in enumerate(pupils):
        back: dt.date | None
        if k < 3:  # left in the last weeks: the 30 days have not run out
            left = term_day(county, D(2026, 9, 21), LAST_DAY)
            back = None
        elif k < 5:  # left last autumn, brought back, and left again this year
            left = term_day(county, D(2025, 9, 1), D(2025, 12, 31))
            back = left + dt.timedelta(days=rng.randint(3, 30))
            _ledger(county, pupil, left, back)
            left = term_day(county, D(2026, 3, 1), D(2026, 9, 10))
            back = left + dt.timedelta(days=rng.randint(5, 25))
        else:
            left = term_day(county, D(2025, 9, 1), D(2026, 9, 10))
            back = left + dt.timedelta(days=rng.randint(3, 30))
        _ledger(county, pupil, left, back)


def _ledger(county: County, pupil: Minor, left: dt.date, back: dt.date | None) -> None:
    rng = county.rng
    stage, grade = stage_of(pupil.person.birth, left)
    schools = [
        s for s in real_schools(county)
        if s.school_type in ({"小学": ("小学", "九年一贯制学校"), "初中": ("初中", "九年一贯制学校")}[stage])
    ]  # fmt: skip
    local = [s for s in schools if s.town == pupil.town]
    school = (
        pupil.school
        if pupil.school in {s.name for s in schools}
        else rng.choice(local or schools).name
    )
    written = rng.choice((stage, stage, grade))
    dropout(county, pupil, school, stage, left, back, rng.choice(_REASONS), written=written)


# ---- 网吧 logins ------------------------------------------------------------------------------

LOGINS_FROM = D(2026, 6, 1)
"""The 上网实名登记 export covers 2026-06-01 to the day before the run date."""


def session(county: County, day: dt.date) -> tuple[dt.datetime, dt.datetime | None]:
    """A sitting at a 网吧: from late morning to near midnight, one to six hours."""
    rng = county.rng
    start = dt.datetime(day.year, day.month, day.day, rng.randint(10, 23), rng.randint(0, 59),
                        rng.randint(0, 59))  # fmt: skip
    end = start + dt.timedelta(minutes=rng.randint(45, 360))
    return start, (None if end.date() > LAST_DAY else end)


def build_logins(county: County) -> None:
    """Adults' logins at the 网吧 (regulars at one or two, and passers-by), about 1,300 rows."""
    rng = county.rng
    cafes = open_netcafes(county)
    span = (LAST_DAY - LOGINS_FROM).days
    regulars = [
        county.new_person(D(1984, 1, 1), D(2006, 6, 30), male=rng.random() < 0.8)
        for _ in range(140)
    ]
    for person in regulars:
        haunts = rng.sample(cafes, rng.choice((1, 1, 2)))
        for _ in range(rng.randint(3, 12)):
            day = LOGINS_FROM + dt.timedelta(days=rng.randint(0, span))
            login(county, rng.choice(haunts), person, *session(county, day))
    for _ in range(260):
        person = county.new_person(D(1975, 1, 1), D(2006, 6, 30), male=rng.random() < 0.75)
        day = LOGINS_FROM + dt.timedelta(days=rng.randint(0, span))
        login(county, rng.choice(cafes), person, *session(county, day))


def build_juvenile(county: County) -> None:
    """The juvenile datasets' background, in this order."""
    minors = build_register(county)
    build_conduct(county)
    build_dropouts(county, minors)
    build_logins(county)
