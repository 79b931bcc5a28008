"""Background hospital visits and mandatory reports: no minor's visit calls for a report.

Children come with colds, bronchitis and hand-foot-and-mouth disease; pregnancy, childbirth and
abortion codes belong to women of 20 and over, and the sexual-disease and injury codes that the
reporting rule watches belong to adults only. The police intake log holds reports from schools,
hospitals, hotels and village committees about other children. So `report.mandatory` finds
nothing in the background: its leads come from the plants.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shujian.demo import names
from shujian.demo.county import AS_OF, County, Institution, Person

FIRST_DAY = dt.date(2025, 1, 1)

# (诊断名称, 诊断编码 as the hospital's coding system writes it, weight)
_CHILD = (
    ("急性上呼吸道感染", "J06.900", 30), ("急性支气管炎", "J20.900", 12),
    ("支气管肺炎", "J18.000", 8), ("手足口病", "B08.401", 5), ("急性胃肠炎", "K52.916", 8),
    ("急性扁桃体炎", "J03.900", 8), ("龋病", "K02.900", 6), ("过敏性鼻炎", "J30.400", 5),
    ("急性结膜炎", "H10.300", 4), ("湿疹", "L30.900", 4), ("发热", "R50.900", 6),
)  # fmt: skip
_ADULT = (
    ("原发性高血压", "I10.x00", 14), ("2型糖尿病", "E11.900", 9),
    ("急性上呼吸道感染", "J06.900", 14), ("腰椎间盘突出", "M51.202", 5),
    ("慢性胃炎", "K29.500", 6), ("冠状动脉粥样硬化性心脏病", "I25.103", 4),
    ("社区获得性肺炎", "J18.900", 4), ("桡骨远端骨折", "S52.500", 2),
    ("慢性阻塞性肺疾病", "J44.900", 4), ("痛风", "M10.900", 2), ("潜伏梅毒", "A53.000", 1),
)  # fmt: skip
_PREGNANCY = (
    ("早孕", "Z32.100", 4), ("正常妊娠监督", "Z34.900", 8), ("单胎顺产", "O80.000", 5),
    ("剖宫产", "O82.000", 3), ("稽留流产", "O02.100", 1), ("人工流产", "O04.900", 2),
)  # fmt: skip

_VILLAGES = ("岩脚", "坪上", "大寨", "新民", "河坝", "营盘", "龙井", "高坡")


def visit_row(
    hospital: Institution, patient: Person, day: dt.date, diagnosis: str, code: str, style: str
) -> dict[str, Any]:
    """One visit line."""
    return {
        "医疗机构名称": hospital.name,
        "医疗机构统一社会信用代码": hospital.uscc,
        "患者姓名": patient.name,
        "公民身份号码": patient.id_number,
        "就诊日期": day,
        "诊断名称": diagnosis,
        "诊断编码": code,
        "_style": style,
    }


def report_row(reporter: str, reporter_uscc: str, victim: Person, day: dt.date) -> dict[str, Any]:
    """One line of the police intake log of mandatory reports."""
    return {
        "报告单位": reporter,
        "报告单位统一社会信用代码": reporter_uscc,
        "被害人公民身份号码": victim.id_number,
        "报告日期": day,
    }


def _day(county: County) -> dt.date:
    return FIRST_DAY + dt.timedelta(days=county.rng.randint(0, (AS_OF - FIRST_DAY).days - 1))


def _pick(county: County, table: tuple[tuple[str, str, int], ...]) -> tuple[str, str]:
    name, code, _w = county.rng.choices(table, weights=[t[2] for t in table])[0]
    return name, code


def hospital(county: County, kind: str) -> Institution:
    """The first institution of `kind` (医院, 妇幼保健院, 中医医院 …)."""
    return next(h for h in county.hospitals if h.kind == kind)


def build_visits(county: County) -> None:
    """About 600 visits in 2025-01 … 2026-10 at the county's hospitals and clinics."""
    rng = county.rng
    weights = [
        {"医院": 30, "中医医院": 10, "妇幼保健院": 10, "卫生院": 5}.get(h.kind, 1)
        for h in county.hospitals
    ]
    obstetric = [h for h in county.hospitals if h.kind in ("医院", "妇幼保健院")]
    for _ in range(600):
        day = _day(county)
        roll = rng.random()
        if roll < 0.3:
            place = rng.choices(county.hospitals, weights)[0]
            if place.kind == "妇幼保健院" or rng.random() < 0.5:
                place = rng.choice(obstetric)
            patient = county.new_person(
                dt.date(day.year - 15, 1, 1), dt.date(day.year - 2, 12, 31)
            )  # 1–15 on the day: never near 14 with a watched code, since children get none
            diagnosis, code = _pick(county, _CHILD)
        elif roll < 0.42:
            place = rng.choice(obstetric)
            patient = county.new_person(
                dt.date(day.year - 42, 1, 1), dt.date(day.year - 21, 12, 31), male=False
            )
            diagnosis, code = _pick(county, _PREGNANCY)
        else:
            place = rng.choices(county.hospitals, weights)[0]
            patient = county.new_person(
                dt.date(day.year - 88, 1, 1), dt.date(day.year - 19, 12, 31)
            )
            diagnosis, code = _pick(county, _ADULT)
        style = "plain"
        if patient.id_number.endswith("X") and rng.random() < 0.5:
            style = "lower_x"
        elif rng.random() < 0.01:
            style = "fullwidth"
        county.rows["hospital_visits"].append(
            visit_row(place, patient, day, diagnosis, code, style)
        )


def build_reports(county: County) -> None:
    """About 35 reports received by the police: schools, hospitals, hotels, village committees."""
    rng = county.rng
    for _ in range(35):
        day = _day(county)
        victim = county.new_person(dt.date(day.year - 17, 1, 1), dt.date(day.year - 3, 12, 31))
        kind = rng.choices(["school", "hospital", "hotel", "village"], [12, 10, 3, 10])[0]
        if kind == "school":
            school = rng.choice(county.schools)
            reporter, uscc = school.name, school.uscc
        elif kind == "hospital":
            place = rng.choice(county.hospitals[:6])
            reporter, uscc = place.name, place.uscc
        elif kind == "hotel":
            hotel = rng.choice(county.hotels)
            reporter, uscc = hotel.name, hotel.uscc
        else:
            town = rng.choice(names.TOWNS[3:])
            reporter, uscc = f"{town.name}{rng.choice(_VILLAGES)}村民委员会", ""
        county.rows["mandatory_reports"].append(report_row(reporter, uscc, victim, day))
