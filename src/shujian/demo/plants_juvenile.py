"""Planted cases of four juvenile models: 四访 visits, assignments, escalation, dropouts.

As in `plants.py`, every case is one row of a table and gets a minor of its own. The cases sit on
the boundaries the counting rules name (juvenile.md): an 18th birthday on a month's last day or the
day before it, a withdrawal on the month's last day or the day before, a registration on the
month's first day or the second, 认定 15 or 16 days before the run date, an assignment ending the
day before the run date or on it, a serious record on the 180th day or the 181st, three 不良行为
with the first and third 180 or 181 days apart, a 劝返 on the 30th day or the 31st, a 16th birthday
on the day of leaving school or the day before. Ages follow the 周岁 rule: an age is reached on the
day after the birthday.

Every planted minor who is on the register on the run date has a helper covering it, and every
严重不良行为 minor is visited completely in every month but the planted one, so each model finds
only its own plants. The first 四访 case is a minor of the demonstration helper's unit
(青岚县妇联): signed in as that unit, one records the missing visits in the web application, and
the next run no longer finds that month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from shujian.demo import names
from shujian.demo.county import AS_OF, County
from shujian.demo.manifest import Plant
from shujian.demo.minors import (
    CATEGORY_NAMES,
    FOUR,
    HELPER_UNIT,
    LAST_DAY,
    Minor,
    age_on,
    assign,
    conduct,
    dropout,
    last_minor_day,
    lead_unit,
    minor_born,
    month_last,
    new_minor,
    real_schools,
    register,
    school_for,
    stage_of,
    visit,
    visit_every_month,
)

D = dt.date


def _minor(
    county: County,
    born: dt.date | None,
    *,
    town: names.Town | None = None,
    school: str | None = None,
) -> Minor:
    """A minor born on `born` (or a 13- to 15-year-old), at the school of their age unless
    `school` says otherwise (a placeholder such as 无 for none)."""
    if born is not None:
        minor = minor_born(county, born, town=town, school="")
    else:
        minor = new_minor(county, D(2011, 1, 1), D(2013, 6, 30), town=town, school="")
    if school is None:
        school = school_for(county, minor.town, minor.person.birth)
    return replace(minor, school=school)


def _take_on(county: County, minor: Minor, category: str, identified: dt.date,
             ended: dt.date | None = None) -> tuple[str, str]:  # fmt: skip
    """The category's lead unit takes the minor on a few days after identification."""
    started = min(identified + dt.timedelta(days=3), LAST_DAY)
    return assign(county, minor, lead_unit(category, minor.town), started, ended)


def _history(rows: list[tuple[str, dt.date, dt.date | None]]) -> str:
    """The registrations as the models' evidence writes them."""
    return "；".join(
        f"{CATEGORY_NAMES[c]}（{i.isoformat()}认定" + (f"，{w.isoformat()}退出" if w else "") + "）"
        for c, i, w in sorted(rows, key=lambda r: (r[1], r[0]))
        if i <= AS_OF
    )


# ---- juvenile.visit_missing ---------------------------------------------------------------------


REGISTERED = D(2025, 12, 9)
"""The 认定日期 of a 四访 case, unless the case says otherwise."""


@dataclass(frozen=True)
class VisitCase:
    """A 严重不良行为 minor visited completely in every month but `month`, whose visits are
    `visits` (day of the month, targets). `school` None: at the school of the minor's age; a
    placeholder (无, 不在校): not at school. `helper`: also a single-parent minor taken on by
    the demonstration helper's unit."""

    month: str
    lead: bool
    description: str
    visits: tuple[tuple[int, tuple[str, ...]], ...]
    born: dt.date | None = None
    identified: dt.date = REGISTERED
    withdrawn: dt.date | None = None
    reason: str = ""
    school: str | None = None
    helper: bool = False


_SELF_FAMILY = ("本人", "家庭")

VISIT_MISSING = (
    VisitCase("2026-09", True,
              "{name}（严重不良行为，另属单亲家庭，由青岚县妇联和派出所包保）9月只在6日走访了本人和家庭，"
              "未走访学校、社区；演示包保单位账号补录9月的走访后，下次运行不再命中",
              ((6, _SELF_FAMILY),), born=D(2012, 5, 17), identified=D(2025, 11, 18), helper=True),
    VisitCase("2026-09", True,
              "{name}18周岁生日为9月30日（当月最后一日），当日仍未满18周岁，9月仍应四访；"
              "9月只走访了本人和家庭，未走访社区（不在校，无须走访学校）",
              ((3, _SELF_FAMILY),), born=D(2008, 9, 30), withdrawn=D(2026, 10, 1),
              reason="年满十八周岁", school="无"),
    VisitCase("2026-08", False,
              "{name}18周岁生日为8月30日，8月最后一日已满18周岁，8月不再应四访（当月只走访了本人）",
              ((5, ("本人",)),), born=D(2008, 8, 30), withdrawn=D(2026, 8, 31),
              reason="年满十八周岁", school="无"),
    VisitCase("2026-08", True,
              "{name}于8月31日（当月最后一日）退出名册，8月仍应四访；8月未走访社区",
              ((4, _SELF_FAMILY), (20, ("学校",))), withdrawn=D(2026, 8, 31)),
    VisitCase("2026-08", False,
              "{name}于8月30日（当月最后一日之前）退出名册，8月不再应四访（当月只走访了本人）",
              ((4, ("本人",)),), withdrawn=D(2026, 8, 30)),
    VisitCase("2026-07", True,
              "{name}于7月1日（当月第一日）认定为严重不良行为未成年人，7月即应四访；7月未走访社区",
              ((10, ("本人", "家庭", "学校")),), identified=D(2026, 7, 1)),
    VisitCase("2026-07", False,
              "{name}于7月2日认定，晚于当月第一日，7月不应四访（当月只走访了本人）",
              ((15, ("本人",)),), identified=D(2026, 7, 2)),
    VisitCase("2026-07", True, "{name}7月没有任何走访记录，四访均未落实", ()),
    VisitCase("2026-09", False,
              "{name}不在校（就读学校填“不在校”），无须走访学校；9月走访了本人、家庭和社区，已落实",
              ((8, _SELF_FAMILY), (22, ("社区",))), school="不在校"),
    VisitCase("2026-09", False,
              "{name}9月1日走访本人和家庭、9月30日走访学校和社区：当月第一日和最后一日的走访都计入，已落实",
              ((1, _SELF_FAMILY), (30, ("学校", "社区")))),
)  # fmt: skip
"""juvenile.visit_missing: a month of the look-back (2026-07 to 2026-09) due and not fully
visited; the lead's subject is the minor's number and the month."""


def _plant_visits(county: County, case: VisitCase) -> None:
    rng = county.rng
    town = rng.choice(names.TOWNS[:3]) if case.helper else None
    minor = _minor(county, case.born, town=town, school=case.school)
    register(county, minor, "serious_misconduct", case.identified, withdrawn=case.withdrawn,
             reason=case.reason, subcategory="盗窃")  # fmt: skip
    conduct(county, minor, case.identified - dt.timedelta(days=12), "严重不良行为", "盗窃",
            measures="训诫、责令具结悔过")  # fmt: skip
    police = _take_on(county, minor, "serious_misconduct", case.identified, case.withdrawn)
    village = assign(county, minor, names.village_committee(minor.village),
                     case.identified + dt.timedelta(days=3), case.withdrawn, mode="多对一")  # fmt: skip
    visitors = (police[0], village[0])
    if case.helper:  # single-parent since the year before, helped by 青岚县妇联
        before = D(2025, 3, 6)
        register(county, minor, "single_parent", before, subcategory="离异", written="单亲离异")
        helper = assign(county, minor, HELPER_UNIT, before + dt.timedelta(days=7), mode="多对一")
        visitors = (helper[0], village[0])
    last = LAST_DAY
    if case.withdrawn is not None:
        last = min(last, case.withdrawn - dt.timedelta(days=1))
    if case.born is not None:
        last = min(last, last_minor_day(case.born))
    month = D(int(case.month[:4]), int(case.month[5:]), 1)
    visit_every_month(county, minor, case.identified, last, visitors, skip=frozenset({month}))
    for day, targets in case.visits:
        when = month.replace(day=day)
        if case.identified <= when <= last:
            visit(county, minor, when, targets, visitors[0])
    seen = {t for _, targets in case.visits for t in targets}
    required = [t for t in FOUR if minor.school not in ("", "无", "不在校") or t != "学校"]
    end = month_last(month)
    figures = {
        "name": minor.name,
        "month": case.month,
        "age_at_month_end": age_on(minor.person.birth, end),
        "identified_on": case.identified.isoformat(),
        "withdrawn_on": case.withdrawn.isoformat() if case.withdrawn else None,
        "school": minor.school,
        "required_targets": "、".join(required),
        "missing_targets": "、".join(t for t in required if t not in seen),
        "visit_count": len(case.visits),
        "helper_unit": HELPER_UNIT if case.helper else None,
    }
    text = case.description.format(name=minor.name)
    subject = f"{minor.id_number}/{case.month}"
    county.plants.append(Plant("juvenile.visit_missing", subject, case.lead, text, figures))


def plant_visit_missing(county: County) -> None:
    """Plant `VISIT_MISSING`."""
    for case in VISIT_MISSING:
        _plant_visits(county, case)


# ---- juvenile.unassigned ------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignCase:
    """A minor on the register (`registrations`: category, 认定日期, 退出日期) with the
    `assignments` (开始日期, 结束日期) of the lead unit of the first category."""

    lead: bool
    description: str
    registrations: tuple[tuple[str, dt.date, dt.date | None], ...]
    assignments: tuple[tuple[dt.date, dt.date | None], ...] = ()
    born: dt.date | None = None


UNASSIGNED = (
    AssignCase(True, "{name}于10月4日认定（至运行日期已16日），仍无包保帮扶责任人",
               (("care_gap", D(2026, 10, 4), None),)),
    AssignCase(False, "{name}于10月5日认定，至运行日期满15日，尚在落实期限内",
               (("single_parent", D(2026, 10, 5), None),)),
    AssignCase(True, "{name}的包保已于10月19日（运行日期前一日）终止，此后无人接手",
               (("care_gap", D(2026, 3, 12), None),), ((D(2026, 3, 20), D(2026, 10, 19)),)),
    AssignCase(False, "{name}的包保于10月20日（运行日期当日）终止，当日仍在期",
               (("care_gap", D(2026, 3, 12), None),), ((D(2026, 3, 20), D(2026, 10, 20)),)),
    AssignCase(False, "{name}于10月4日认定，第16日（10月20日，运行日期当日）落实包保，已在期",
               (("single_parent", D(2026, 10, 4), None),), ((D(2026, 10, 20), None),)),
    AssignCase(True, "{name}于10月4日认定，包保定于10月21日开始，运行日期尚未在期",
               (("single_parent", D(2026, 10, 4), None),), ((D(2026, 10, 21), None),)),
    AssignCase(True, "{name}18周岁生日即运行日期，当日仍未满18周岁；包保已于6月30日终止，未再落实",
               (("care_gap", D(2026, 1, 10), None),), ((D(2026, 1, 15), D(2026, 6, 30)),),
               born=D(2008, 10, 20)),
    AssignCase(False, "{name}18周岁生日为运行日期前一日，运行日期已满18周岁，退出在册名单",
               (("care_gap", D(2026, 1, 10), None),), ((D(2026, 1, 15), D(2026, 6, 30)),),
               born=D(2008, 10, 19)),
    AssignCase(True,
               "{name}同属两类：困境留守自2025年5月6日在册，不良行为于10月12日认定；"
               "从最早的在册认定日期起算已超过15日，包保于9月30日终止后无人接手",
               (("care_gap", D(2025, 5, 6), None), ("misconduct", D(2026, 10, 12), None)),
               ((D(2025, 5, 12), D(2026, 9, 30)),)),
    AssignCase(False,
               "{name}困境留守一类已于8月15日退出，不良行为于10月12日认定：从在册的认定日期起算仅8日",
               (("care_gap", D(2025, 5, 6), D(2026, 8, 15)), ("misconduct", D(2026, 10, 12), None)),
               ((D(2025, 5, 12), D(2026, 8, 15)),)),
)  # fmt: skip
"""juvenile.unassigned: on the register on the run date, first active 认定 more than 15 days
before, and no assignment covering the run date."""


def _plant_assignment(county: County, case: AssignCase) -> None:
    born = case.born
    minor = _minor(county, born) if born else new_minor(county, D(2010, 1, 1), D(2016, 12, 31))
    for category, identified, withdrawn in case.registrations:
        written = {"misconduct": "沉迷网络", "care_gap": "困境留守"}.get(category)
        sub = "沉迷网络" if category == "misconduct" else None
        register(county, minor, category, identified, withdrawn=withdrawn, written=written,
                 subcategory=sub)  # fmt: skip
    first = case.registrations[0][0]
    last: tuple[str, str, dt.date, dt.date | None] | None = None
    for started, ended in case.assignments:
        unit = lead_unit(first, minor.town)
        who = assign(county, minor, unit, started, ended)
        if started <= AS_OF:  # the latest assignment begun by the run date
            last = (unit, who[0], started, ended)
    active = [(c, i) for c, i, w in case.registrations if i <= AS_OF and (w is None or w > AS_OF)]
    first_active = min(i for _, i in active)
    figures = {
        "name": minor.name,
        "birth_date": minor.person.birth.isoformat(),
        "first_identified_on": first_active.isoformat(),
        "categories_now": "；".join(
            CATEGORY_NAMES[c] for c, i in sorted(active, key=lambda a: (a[1], a[0]))
        ),
        "last_unit": last[0] if last else None,
        "last_responsible": last[1] if last else None,
        "last_started_on": last[2].isoformat() if last else None,
        "last_ended_on": last[3].isoformat() if last and last[3] else None,
        "days_since_identified": (AS_OF - first_active).days,
    }
    text = case.description.format(name=minor.name)
    county.plants.append(Plant("juvenile.unassigned", minor.id_number, case.lead, text, figures))


def plant_unassigned(county: County) -> None:
    """Plant `UNASSIGNED`."""
    for case in UNASSIGNED:
        _plant_assignment(county, case)


# ---- juvenile.escalation ------------------------------------------------------------------------


@dataclass(frozen=True)
class ConductCase:
    """A minor's police `records` (行为日期, 行为类别, 行为) and `registrations` (category,
    认定日期, 退出日期)."""

    lead: bool
    description: str
    records: tuple[tuple[dt.date, str, str], ...]
    registrations: tuple[tuple[str, dt.date, dt.date | None], ...] = ()
    born: dt.date | None = None


MILD, SERIOUS, TOUCHED = "不良行为", "严重不良行为", "触法"
WINDOW_DAYS = 180

ESCALATION = (
    ConductCase(True, "{name}于4月23日盗窃（运行日期前第180日，在预警期间内），未登记为严重不良行为未成年人",
                ((D(2026, 4, 23), SERIOUS, "盗窃"),)),
    ConductCase(False, "{name}于4月22日盗窃，为运行日期前第181日，已在预警期间外",
                ((D(2026, 4, 22), SERIOUS, "盗窃"),)),
    ConductCase(True, "{age}周岁的{name}8月14日故意伤害他人（触法），只在册为不良行为未成年人",
                ((D(2026, 8, 14), TOUCHED, "故意伤害"),),
                (("misconduct", D(2025, 11, 3), None),), born=D(2013, 2, 8)),
    ConductCase(True, "{name}三次不良行为（3月1日、5月20日、8月28日），第一次与第三次恰好相隔180日，未登记",
                ((D(2026, 3, 1), MILD, "饮酒"), (D(2026, 5, 20), MILD, "夜不归宿"),
                 (D(2026, 8, 28), MILD, "逃学"))),
    ConductCase(False, "{name}三次不良行为（2月28日、5月20日、8月28日），第一次与第三次相隔181日，不构成反复",
                ((D(2026, 2, 28), MILD, "饮酒"), (D(2026, 5, 20), MILD, "夜不归宿"),
                 (D(2026, 8, 28), MILD, "逃学"))),
    ConductCase(True, "{name}6月12日同一天吸烟、逃学两条，9月3日又沉迷网络，三条不良行为，未登记",
                ((D(2026, 6, 12), MILD, "吸烟"), (D(2026, 6, 12), MILD, "逃学"),
                 (D(2026, 9, 3), MILD, "沉迷网络"))),
    ConductCase(False, "{name}9月5日寻衅滋事，9月21日已认定为严重不良行为未成年人，运行日期在册",
                ((D(2026, 9, 5), SERIOUS, "寻衅滋事"),),
                (("serious_misconduct", D(2026, 9, 21), None),)),
    ConductCase(True, "{name}7月15日抢夺；18周岁生日即运行日期，当日仍未满18周岁，未登记",
                ((D(2026, 7, 15), SERIOUS, "抢夺"),), born=D(2008, 10, 20)),
    ConductCase(False, "{name}7月15日抢夺；18周岁生日为运行日期前一日，运行日期已成年",
                ((D(2026, 7, 15), SERIOUS, "抢夺"),), born=D(2008, 10, 19)),
    ConductCase(False,
                "{name}两条不良行为（5月8日、9月12日）和一条严重不良行为（2025年11月20日，预警期间外）："
                "严重不良行为不计入不良行为的条数",
                ((D(2025, 11, 20), SERIOUS, "盗窃"), (D(2026, 5, 8), MILD, "吸烟"),
                 (D(2026, 9, 12), MILD, "逃学"))),
    ConductCase(False, "{name}三条不良行为（6月、7月、9月），已于9月15日登记为不良行为未成年人",
                ((D(2026, 6, 2), MILD, "夜不归宿"), (D(2026, 7, 19), MILD, "饮酒"),
                 (D(2026, 9, 6), MILD, "夜不归宿")),
                (("misconduct", D(2026, 9, 15), None),)),
)  # fmt: skip
"""juvenile.escalation: a 严重不良行为 or 触法 record, or a third 不良行为 within 180 days of the
first, in the 180 days up to the run date, of a minor still under 18 and not registered for it."""


def _plant_conduct(county: County, case: ConductCase) -> None:
    minor = _minor(county, case.born)
    rows: list[tuple[str, dt.date, dt.date | None]] = list(case.registrations)
    for category, identified, withdrawn in case.registrations:
        register(county, minor, category, identified, withdrawn=withdrawn)
        helper = _take_on(county, minor, category, identified, withdrawn)
        if category == "serious_misconduct":
            village = assign(county, minor, names.village_committee(minor.village),
                             identified + dt.timedelta(days=4), mode="多对一")  # fmt: skip
            visit_every_month(county, minor, identified, LAST_DAY, (helper[0], village[0]))
    written = {MILD: "一般不良行为", SERIOUS: "严重不良", TOUCHED: "触法行为"}
    for k, (day, conduct_class, act) in enumerate(case.records):
        conduct(county, minor, day, conduct_class, act,
                measures="" if conduct_class == MILD else "训诫、责令具结悔过",
                written=written[conduct_class] if k % 2 else conduct_class)  # fmt: skip
    latest_day, latest_class, latest_act = max(case.records)
    figures = {
        "name": minor.name,
        "birth_date": minor.person.birth.isoformat(),
        "act_on": latest_day.isoformat(),
        "conduct_class": latest_class,
        "act": latest_act,
        "age_on_act": age_on(minor.person.birth, latest_day),
        "age_on_run_date": age_on(minor.person.birth, AS_OF),
        "days_before_run_date": [(AS_OF - d).days for d, _, _ in case.records],
        "registration_history": _history(rows) or "未登记",
    }
    if case.lead:
        serious = any(c != MILD for d, c, _ in case.records if (AS_OF - d).days <= WINDOW_DAYS)
        figures["latest_trigger_on"] = latest_day.isoformat()
        figures["needed_registration"] = (
            "严重不良行为未成年人" if serious else "不良行为或严重不良行为未成年人"
        )
    text = case.description.format(name=minor.name, age=figures["age_on_act"])
    county.plants.append(Plant("juvenile.escalation", minor.id_number, case.lead, text, figures))


def plant_escalation(county: County) -> None:
    """Plant `ESCALATION`."""
    for case in ESCALATION:
        _plant_conduct(county, case)


# ---- juvenile.dropout_not_returned --------------------------------------------------------------


@dataclass(frozen=True)
class DropoutCase:
    """A pupil's lines on the ledger (离校日期, 劝返日期); `written` is how the ledger writes
    the 学段 (a grade) when not the 学段 itself."""

    lead: bool
    description: str
    rows: tuple[tuple[dt.date, dt.date | None], ...]
    born: dt.date | None = None
    written: str | None = None


RETURN_DAYS = 30

DROPOUT = (
    DropoutCase(True, "{name}9月18日离校，劝返期限至10月18日已过，仍未劝返",
                ((D(2026, 9, 18), None),)),
    DropoutCase(False, "{name}9月20日（调休上课日）离校，劝返期限为10月20日即运行日期，尚未届满",
                ((D(2026, 9, 20), None),)),
    DropoutCase(True, "{name}5月11日离校，6月11日（第31日）才劝返，逾期1日",
                ((D(2026, 5, 11), D(2026, 6, 11)),)),
    DropoutCase(False, "{name}5月11日离校，6月10日（第30日，期限当日）劝返，及时",
                ((D(2026, 5, 11), D(2026, 6, 10)),)),
    DropoutCase(True, "{name}在16周岁生日当天（3月16日）离校，当日仍未满16周岁，未劝返",
                ((D(2026, 3, 16), None),), born=D(2010, 3, 16)),
    DropoutCase(False, "{name}16周岁生日为3月15日，3月16日离校时已满16周岁，不在控辍范围",
                ((D(2026, 3, 16), None),), born=D(2010, 3, 15)),
    DropoutCase(True, "{name}（台账学段写作“八年级”）2025年11月17日离校，至今未劝返",
                ((D(2025, 11, 17), None),), born=D(2012, 4, 23), written="八年级"),
    DropoutCase(False,
                "{name}2025年11月3日离校、11月20日劝返；10月9日再次离校，劝返期限11月8日尚未届满",
                ((D(2025, 11, 3), D(2025, 11, 20)), (D(2026, 10, 9), None))),
)  # fmt: skip
"""juvenile.dropout_not_returned: a 小学 or 初中 pupil under 16 on the day of leaving, not
brought back within 30 days (the 30th day counts), the 30 days over by the run date."""


def _plant_dropout(county: County, case: DropoutCase) -> None:
    rng = county.rng
    pupil = _minor(county, case.born)
    stage, _grade = stage_of(pupil.person.birth, case.rows[0][0])
    kinds = ("小学", "九年一贯制学校") if stage == "小学" else ("初中", "九年一贯制学校")
    schools = [s for s in real_schools(county) if s.school_type in kinds]
    local = [s for s in schools if s.town == pupil.town]
    school = rng.choice(local or schools).name
    for left, back in case.rows:
        dropout(county, pupil, school, stage, left, back,
                rng.choice(("厌学", "外出务工", "家庭困难", "沉迷网络")), written=case.written)  # fmt: skip
    left, back = case.rows[-1]
    deadline = left + dt.timedelta(days=RETURN_DAYS)
    figures = {
        "name": pupil.name,
        "school": school,
        "stage": stage,
        "stage_in_file": case.written or stage,
        "birth_date": pupil.person.birth.isoformat(),
        "left_on": left.isoformat(),
        "age_on_leaving": age_on(pupil.person.birth, left),
        "return_deadline": deadline.isoformat(),
        "returned_on": back.isoformat() if back else None,
    }
    text = case.description.format(name=pupil.name)
    county.plants.append(
        Plant("juvenile.dropout_not_returned", pupil.id_number, case.lead, text, figures)
    )


def plant_dropout_not_returned(county: County) -> None:
    """Plant `DROPOUT`."""
    for case in DROPOUT:
        _plant_dropout(county, case)
