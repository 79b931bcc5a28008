"""Planted cases of the minors' models: kindergarten names, hotels, tattoo scopes, reporting.

As in `plants.py`, every case is one row of a table and gets a subject of its own: a new school,
a hotel no other plant uses, a new market entity, a new child. Ages follow the 周岁 rule of
datasets.md: a person reaches an age on the day *after* the birthday, so a guest checking in on
the 18th birthday is still a minor and a girl seen on her 14th birthday is still under 14.

Hotel plants keep the two hotel models apart: every minor planted for `hotel.esports_minor` has a
guardian's number and a relationship on record (so `hotel.minor_guest` stays quiet about that
hotel), and every minor planted for `hotel.minor_guest` sleeps in an ordinary room of an ordinary
hotel.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from shujian.demo import names
from shujian.demo.campus import add_school
from shujian.demo.county import County, Hotel, Person
from shujian.demo.health import hospital, report_row, visit_row
from shujian.demo.hotels import (
    adult,
    checkin_row,
    esports_room,
    ordinary_room,
    ordinary_stays,
    relation,
)
from shujian.demo.manifest import Plant
from shujian.demo.registry import registry_row

D = dt.date
T = dt.datetime


def age_on(birth: dt.date, day: dt.date) -> int:
    """周岁 on `day`: an age is reached on the day after the birthday (datasets.md)."""
    years = day.year - birth.year - ((day.month, day.day) <= (birth.month, birth.day))
    return max(years, 0)


def born_on(county: County, birth: dt.date, male: bool) -> Person:
    """A new person born exactly on `birth`."""
    return county.new_person(birth, birth, male=male)


# ---- kindergarten names --------------------------------------------------------------------

PROHIBITED_WORDS = (
    "中国", "中华", "全国", "国际", "世界", "全球", "双语", "艺术", "国学", "私塾", "外国语",
    "英语", "贵族",
)  # fmt: skip
"""The default word list of `kindergarten.name` (models.md)."""


@dataclass(frozen=True)
class NameCase:
    """A school added to the list under `name`; `traditional` writes it in traditional characters."""

    name: str
    school_type: str
    town: int
    lead: bool
    description: str
    traditional: bool = False


KINDERGARTEN_NAME = (
    NameCase("青岚县金色摇篮国际幼儿园", "幼儿园", 1, True,
             "民办幼儿园名称含禁用字词“国际”；名录中用繁体写作“{written}”", traditional=True),
    NameCase("青岚县博雅双语幼儿园", "幼儿园", 2, True, "民办幼儿园名称含“双语”（强调课程特色）"),
    NameCase("青岚县贝乐Kids幼儿园", "幼儿园", 0, True, "民办幼儿园名称含外文字母“Kids”"),
    NameCase("青岚县博文国际实验小学", "小学", 3, False,
             "名称含“国际”的是小学，幼儿园名称规则只查幼儿园"),
    NameCase("青岚县英才幼儿园", "幼儿园", 4, False,
             "名称含“英”字但不含“英语”，不是禁用字词（逐字匹配会误报）"),
    NameCase("青岚县小橘灯幼儿园", "幼儿园", 6, False, "普通幼儿园名称，无禁用字词、无外文字母"),
)  # fmt: skip
"""kindergarten.name: a 幼儿园 named with a prohibited word or Latin letters."""


def plant_kindergarten_name(county: County) -> None:
    """Plant `KINDERGARTEN_NAME` (new schools, clear of every venue and school)."""
    for case in KINDERGARTEN_NAME:
        school = add_school(
            county,
            name=case.name,
            school_type=case.school_type,
            public=False,
            town=names.TOWNS[case.town],
            style="traditional" if case.traditional else "plain",
        )
        written = names.to_traditional(case.name) if case.traditional else case.name
        figures = {
            "name": case.name,
            "name_in_file": written,
            "school_type": case.school_type,
            "prohibited_words": [w for w in PROHIBITED_WORDS if w in case.name],
            "latin_letters": "".join(re.findall("[A-Za-z]+", case.name)),
        }
        text = case.description.format(written=written)
        county.plants.append(Plant("kindergarten.name", school.uscc, case.lead, text, figures))


# ---- hotels --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StayCase:
    """A planted guest in a hotel of their own.

    `hotel` is 宾馆, 宾馆+电竞 (an ordinary hotel with an 电竞房 area) or 电竞酒店; `room` is
    "esports" or "ordinary". `guardian` is "phone" (a number is recorded) or what the clerk typed.
    `companion` registers a second person in the room: "parent" (the minor's parent, who
    answers for the relationship) or "classmate" (another minor of the same age, registered
    the same way as the guest).
    """

    hotel: str
    room: str
    born: dt.date
    arrived: dt.datetime
    male: bool
    guardian: str
    relation: str
    companion: str | None
    lead: bool
    description: str


MINOR_GUEST = (
    StayCase("宾馆", "ordinary", D(2009, 11, 23), T(2026, 7, 18, 21, 40), False, "", "同学",
             "classmate", True, "{age}周岁的{name}与同龄同学同住{room}，两人都未登记监护人联系方式"),
    StayCase("宾馆", "ordinary", D(2011, 4, 6), T(2026, 2, 14, 22, 15), True, "phone", "",
             "adult", True,
             "{age}周岁的{name}与一名成年男子同住{room}，登记了监护人电话，未登记同住人关系"),
    StayCase("宾馆", "ordinary", D(2008, 5, 14), T(2026, 5, 14, 23, 5), True, "", "", None, True,
             "{name}在18周岁生日当天入住，按周岁计算仍未满18周岁（{age}周岁），两项均未登记"),
    StayCase("宾馆", "ordinary", D(2010, 9, 30), T(2025, 10, 3, 15, 20), False, "无", "母女",
             "parent", True,
             "{age}周岁的{name}随母亲入住，监护人联系方式填“无”，等于未登记"),
    StayCase("宾馆", "ordinary", D(2008, 3, 2), T(2026, 3, 3, 14, 5), True, "", "", None, False,
             "{name}于18周岁生日次日入住，已满18周岁（{age}周岁），无须登记监护人"),
    StayCase("宾馆", "ordinary", D(2012, 1, 19), T(2026, 4, 4, 16, 30), True, "phone", "母子",
             "parent", False, "{age}周岁的{name}随母亲入住，监护人电话和同住人关系均已登记"),
    StayCase("宾馆", "ordinary", D(2009, 6, 11), T(2026, 8, 21, 19, 10), False, "phone",
             "独自入住", None, False,
             "{age}周岁的{name}独自入住，登记了监护人电话，同住人关系登记为“独自入住”"),
)  # fmt: skip
"""hotel.minor_guest: a guest under 18 whose guardian contact or co-occupant relation is empty."""

ESPORTS_MINOR = (
    StayCase("宾馆+电竞", "esports", D(2010, 2, 27), T(2026, 7, 25, 20, 35), True, "phone", "同学",
             "classmate", True,
             "{age}周岁的{name}与同学入住普通宾馆电竞房区域的{room}（房型“{room_type}”）；"
             "监护人电话和同住人关系已登记"),
    StayCase("电竞酒店", "ordinary", D(2009, 1, 8), T(2026, 1, 31, 18, 50), True, "phone", "父子",
             "parent", True,
             "{age}周岁的{name}随父亲入住电竞酒店的{room}（房型“{room_type}”），"
             "经营场所名录中该旅馆登记为电竞酒店"),
    StayCase("电竞酒店", "esports", D(2008, 9, 12), T(2026, 9, 12, 21, 25), True, "phone", "同学",
             "classmate", True,
             "{name}在18周岁生日当天与同学入住电竞房（{room}），按周岁计算仍未满18周岁（{age}周岁）"),
    StayCase("电竞酒店", "esports", D(2008, 6, 19), T(2026, 6, 20, 22, 0), True, "", "", None, False,
             "{name}于18周岁生日次日入住电竞房（{room}），已满18周岁（{age}周岁）"),
    StayCase("宾馆+电竞", "ordinary", D(2012, 5, 2), T(2026, 5, 2, 19, 30), False, "phone", "母女",
             "parent", False,
             "{age}周岁的{name}随母亲入住设有电竞房区域的普通宾馆，但住的是普通客房"
             "（{room}，房型“{room_type}”），不在电竞房区域"),
    StayCase("宾馆", "ordinary", D(2011, 8, 3), T(2026, 8, 9, 17, 45), False, "phone", "母女",
             "parent", False,
             "{age}周岁的{name}随母亲入住普通宾馆的普通客房（房型“{room_type}”），"
             "监护人电话和同住人关系均已登记"),
)  # fmt: skip
"""hotel.esports_minor: a guest under 18 in an 电竞房 or in a hotel listed as 电竞酒店."""


def _take(county: County, kind: str) -> Hotel:
    if kind == "宾馆+电竞":
        return county.take_hotel("宾馆", esports_rooms=True)
    return county.take_hotel(kind)


def _plant_stay(county: County, model: str, case: StayCase) -> None:
    rng = county.rng
    hotel = _take(county, case.hotel)
    ordinary_stays(county, hotel, 3)  # the hotel's other guests of the period
    room = esports_room(county, hotel) if case.room == "esports" else ordinary_room(county, hotel)
    if case.room == "esports":
        room = (room[0], "电竞房")
    day = case.arrived.date()
    left = case.arrived.replace(hour=11, minute=rng.randint(0, 59)) + dt.timedelta(days=1)
    guest = born_on(county, case.born, case.male)
    phone = names.phone_number(rng)
    guardian = phone if case.guardian == "phone" else case.guardian
    rows = county.rows["hotel_checkins"]
    if case.companion == "parent":
        parent = adult(county, day, 32, 46, male=case.relation.startswith("父"))
        rows.append(checkin_row(hotel, room, parent, case.arrived, left, relation=case.relation))
        assert relation(guest, parent) == case.relation
    elif case.companion == "adult":
        other = adult(county, day, 24, 35, male=True)
        rows.append(checkin_row(hotel, room, other, case.arrived, left))
    elif case.companion == "classmate":
        other = county.new_person(
            case.born - dt.timedelta(days=120), case.born + dt.timedelta(days=120), male=case.male
        )
        other_guardian = names.phone_number(rng) if case.guardian == "phone" else case.guardian
        rows.append(
            checkin_row(
                hotel,
                room,
                other,
                case.arrived,
                left,
                guardian=other_guardian,
                relation=case.relation,
            )
        )
    rows.append(
        checkin_row(
            hotel, room, guest, case.arrived, left, guardian=guardian, relation=case.relation
        )
    )
    age = age_on(case.born, day)
    figures = {
        "hotel": hotel.name,
        "hotel_type": hotel.venue_type,
        "hotel_has_esports_area": hotel.esports_rooms,
        "room_no": room[0],
        "room_type": room[1],
        "guest_id": guest.id_number,
        "birth_date": case.born.isoformat(),
        "checked_in_at": case.arrived.isoformat(sep=" "),
        "age_on_day": age,
        "guardian_contact": guardian,
        "co_occupant_relation": case.relation,
    }
    text = case.description.format(age=age, name=guest.name, room=room[0], room_type=room[1])
    county.plants.append(Plant(model, hotel.uscc, case.lead, f"{hotel.name}：{text}", figures))


def plant_minor_guest(county: County) -> None:
    """Plant `MINOR_GUEST`."""
    for case in MINOR_GUEST:
        _plant_stay(county, "hotel.minor_guest", case)


def plant_esports_minor(county: County) -> None:
    """Plant `ESPORTS_MINOR`."""
    for case in ESPORTS_MINOR:
        _plant_stay(county, "hotel.esports_minor", case)


# ---- tattoo scopes -------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeCase:
    """A market entity registered with `scope` (written in traditional characters if asked)."""

    name: str
    scope: str
    lead: bool
    description: str
    traditional: bool = False
    status: str = "存续"


TATTOO_SCOPE = (
    ScopeCase("青岚县墨痕文身工作室", "一般项目：文身服务；美甲服务", True,
              "经营范围含“文身服务”，未标注“除面向未成年人”"),
    ScopeCase("青岚县刺客纹身店", "一般项目：纹身服务；饰品零售；服装服饰零售", True,
              "经营范围写作“纹身服务”，未标注“除面向未成年人”"),
    ScopeCase("青岚县老街刺青工作室", "一般项目：刺青服务；摄影扩印服务", True,
              "经营范围写作“刺青服务”，未标注“除面向未成年人”"),
    ScopeCase("青岚县夜猫纹身馆", "一般项目：纹身服务；饰品销售", True,
              "经营范围以繁体字登记为“{written}”，转为简体即“纹身服务”，未标注", traditional=True),
    ScopeCase("青岚县艺墨文身工作室", "一般项目：文身服务（除面向未成年人）；美甲服务", False,
              "经营范围为“文身服务（除面向未成年人）”，已按规定标注"),
    ScopeCase("青岚县青柠刺青馆", "一般项目：刺青服务(除面向未成年人)；化妆品零售", False,
              "经营范围为“刺青服务(除面向未成年人)”（半角括号），已标注"),
    ScopeCase("青岚县黑玫瑰纹身店", "一般项目：纹身服务；美甲服务", False,
              "经营范围未标注，但该个体户已于2024年注销登记，不再持照经营", status="注销"),
)  # fmt: skip
"""tattoo.scope: 经营范围 with 文身/纹身/刺青 and without 除面向未成年人."""


def plant_tattoo_scope(county: County) -> None:
    """Plant `TATTOO_SCOPE` (new 个体工商户 on the register)."""
    rng = county.rng
    for case in TATTOO_SCOPE:
        uscc = county.new_uscc("92")
        town = rng.choice(names.TOWNS[:3])
        county.rows["business_registry"].append(
            registry_row(
                county,
                name=case.name,
                uscc=uscc,
                scope=case.scope,
                address=names.address(rng, town),
                founded=D(2019, 1, 1) + dt.timedelta(days=rng.randint(0, 1500)),
                status=case.status,
                style="traditional" if case.traditional else "plain",
            )
        )
        written = names.to_traditional(case.scope) if case.traditional else case.scope
        figures = {
            "name": case.name,
            "business_scope": case.scope,
            "scope_in_file": written,
            "registration_status": case.status,
        }
        text = case.description.format(written=written.split("：")[-1].split("；")[0])
        county.plants.append(
            Plant("tattoo.scope", uscc, case.lead, f"{case.name}：{text}", figures)
        )


# ---- mandatory reporting -------------------------------------------------------------------


@dataclass(frozen=True)
class VisitCase:
    """A child's visit with a watched diagnosis and the report that followed (if any).

    `report_after` is days from the visit to the report by the same hospital (None: no report);
    `school_report_after` adds a report by the child's school instead.
    """

    place: str
    born: dt.date
    visited: dt.date
    male: bool
    diagnosis: str
    code: str
    report_after: int | None
    lead: bool
    description: str
    school_report_after: int | None = None


REPORT_WINDOW_DAYS = 7

MANDATORY_REPORT = (
    VisitCase("妇幼保健院", D(2012, 9, 4), D(2026, 6, 8), False, "药物流产", "O04.901", 10, True,
              "{age}周岁女童因药物流产就诊，医院第{after}天才报告，超过{window}天"),
    VisitCase("医院", D(2013, 2, 17), D(2026, 3, 26), False, "早孕", "Z32.101", None, True,
              "{age}周岁女童被诊断早孕，医院未报告"),
    VisitCase("医院", D(2011, 7, 30), D(2025, 7, 30), False, "早孕", "Z32.101", None, True,
              "女童在14周岁生日当天就诊，按周岁计算仍未满14周岁（{age}周岁），诊断早孕，医院未报告"),
    VisitCase("妇幼保健院", D(2012, 12, 1), D(2026, 5, 12), False, "人工流产", "O04.900", 3, False,
              "{age}周岁女童人工流产，医院第{after}天报告，在{window}天内"),
    VisitCase("医院", D(2011, 10, 9), D(2025, 10, 10), False, "早孕", "Z32.101", None, False,
              "女童于14周岁生日次日就诊，已满14周岁（{age}周岁）；妊娠本身不是14周岁以上报告情形"),
    VisitCase("中医医院", D(2016, 3, 12), D(2026, 7, 3), True, "躯体虐待", "T74.100", None, True,
              "{age}周岁男孩因躯体虐待就诊，医院未报告；只有学校次日报告了，不能代替医院的报告义务",
              school_report_after=1),
    VisitCase("医院", D(2012, 11, 20), D(2026, 4, 15), True, "妊娠状态", "Z33.x00", None, False,
              "{age}周岁男孩的就诊记录带妊娠编码（疑为录入错误）；妊娠、流产规则只适用于女童"),
    VisitCase("妇幼保健院", D(2013, 8, 25), D(2026, 10, 16), False, "早孕", "Z32.101", None, False,
              "{age}周岁女童{visited}就诊诊断早孕，尚未报告，但{window}天报告期限到运行日仍未届满"),
)  # fmt: skip
"""report.mandatory: a girl under 14 with a pregnancy/abortion code and no report by that
hospital within 7 days."""


def plant_mandatory_report(county: County) -> None:
    """Plant `MANDATORY_REPORT`."""
    for case in MANDATORY_REPORT:
        place = hospital(county, case.place)
        child = born_on(county, case.born, case.male)
        county.rows["hospital_visits"].append(
            visit_row(place, child, case.visited, case.diagnosis, case.code, "plain")
        )
        reported = None
        if case.report_after is not None:
            reported = case.visited + dt.timedelta(days=case.report_after)
            county.rows["mandatory_reports"].append(
                report_row(place.name, place.uscc, child, reported)
            )
        school_report = None
        if case.school_report_after is not None:
            school = county.rng.choice([s for s in county.schools if s.school_type == "小学"])
            school_report = {
                "reporter": school.name,
                "date": (case.visited + dt.timedelta(days=case.school_report_after)).isoformat(),
            }
            county.rows["mandatory_reports"].append(
                report_row(
                    school.name,
                    school.uscc,
                    child,
                    case.visited + dt.timedelta(days=case.school_report_after),
                )
            )
        age = age_on(case.born, case.visited)
        figures = {
            "hospital": place.name,
            "hospital_uscc": place.uscc,
            "sex": "男" if case.male else "女",
            "birth_date": case.born.isoformat(),
            "visit_date": case.visited.isoformat(),
            "age_on_day": age,
            "diagnosis": case.diagnosis,
            "icd10": case.code,
            "report_date": reported.isoformat() if reported else None,
            "days_to_report": case.report_after,
            "window_days": REPORT_WINDOW_DAYS,
            "deadline": (case.visited + dt.timedelta(days=REPORT_WINDOW_DAYS)).isoformat(),
            "other_report": school_report,
        }
        text = case.description.format(
            age=age, after=case.report_after, window=REPORT_WINDOW_DAYS, visited=case.visited
        )
        county.plants.append(
            Plant("report.mandatory", child.id_number, case.lead, f"{place.name}：{text}", figures)
        )
