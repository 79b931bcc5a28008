"""Background schools and venues: where every campus rule must find nothing.

Schools keep `SCHOOL_SPACING_M` between them and ordinary venues keep `BACKGROUND_CLEARANCE_M`
from every school, so any campus lead must come from a plant.
"""

from __future__ import annotations

import random
from typing import Any

from shujian.demo import geo, names
from shujian.demo.county import (
    BACKGROUND_CLEARANCE_M,
    CRS_LABELS,
    REGION_CODE,
    SCHOOL_SPACING_M,
    County,
    School,
    round_coord,
)

# ---- schools -------------------------------------------------------------------------------

# (type, how many, town indexes it may go to): county-seat 街道 are 0–2, towns 3–8.
_SCHOOL_PLAN: tuple[tuple[str, int, tuple[int, ...]], ...] = (
    ("高中", 2, (0, 1)),
    ("完全中学", 1, (2,)),
    ("中等职业学校", 1, (1,)),
    ("特殊教育学校", 1, (2,)),
    ("九年一贯制学校", 2, (5, 6)),
    ("初中", 6, (0, 1, 2, 3, 4, 7)),
    ("小学", 13, (0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 8, 0)),
    ("幼儿园", 14, (0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 8, 0, 1)),
)

_DIGITS = "〇一二三四五六七八九"


def chinese_ordinal(n: int) -> str:
    """1 → 一, 10 → 十, 13 → 十三, 21 → 二十一 (for 第N小学)."""
    if not 1 <= n <= 99:
        raise ValueError("1–99 only")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


_KINDERGARTEN_WORDS = ("小太阳", "童心", "蓓蕾", "启明星", "阳光", "快乐宝贝", "小天使", "向日葵")


def _school_name(school_type: str, town: names.Town, k: int, public: bool, seat_no: int) -> str:
    """`seat_no` numbers the county seat's schools of one type (第一小学, 第二小学 …)."""
    seat = town.name.endswith("街道")
    n = chinese_ordinal(seat_no) if seat_no else ""
    if school_type == "幼儿园":
        if public:
            return f"{names.COUNTY}第{n}幼儿园" if seat else f"{town.name}中心幼儿园"
        return f"{names.COUNTY}{_KINDERGARTEN_WORDS[k % len(_KINDERGARTEN_WORDS)]}幼儿园"
    if school_type == "小学":
        return f"{names.COUNTY}第{n}小学" if seat else f"{town.name}中心小学"
    if school_type == "初中":
        return f"{names.COUNTY}第{chinese_ordinal(seat_no + 3)}中学" if seat else f"{town.name}中学"
    return {
        "高中": f"{names.COUNTY}{('民族', '第一')[k % 2]}高级中学",
        "完全中学": f"{names.COUNTY}第三中学",
        "中等职业学校": f"{names.COUNTY}中等职业学校",
        "特殊教育学校": f"{names.COUNTY}特殊教育学校",
        "九年一贯制学校": f"{town.name}九年一贯制学校",
    }[school_type]


def build_schools(county: County) -> None:
    """About 40 schools and kindergartens, each at least `SCHOOL_SPACING_M` from the others."""
    rng = county.rng
    used_names: set[str] = set()
    for school_type, count, towns in _SCHOOL_PLAN:
        seat_no = 0
        for k in range(count):
            town = names.TOWNS[towns[k % len(towns)]]
            public = school_type != "幼儿园" or k % 3 != 2
            seat_no += public and town.name.endswith("街道")
            name = _school_name(school_type, town, k, public, seat_no)
            if name in used_names:
                raise AssertionError(f"duplicate school name {name}")
            used_names.add(name)
            spread = town.radius_m + 200.0
            for attempt in range(10_000):
                lon, lat = county.point_in(town, spread + attempt)
                lon, lat = round_coord(lon), round_coord(lat)
                if county.nearest_school_m(lon, lat) >= SCHOOL_SPACING_M:
                    break
            uscc = (
                county.new_uscc("12", prefix="") if public else county.new_uscc("52", prefix="MJ")
            )
            street = rng.choice(town.streets)
            county.schools.append(
                School(
                    name, school_type, "公办" if public else "民办", uscc, town, street, lon, lat
                )
            )
            county.rows["schools"].append(
                {
                    "学校名称": name,
                    "学校类型": school_type,
                    "办学性质": "公办" if public else "民办",
                    "统一社会信用代码": uscc,
                    "地址": f"{names.COUNTY}{town.name}{street}{rng.randint(1, 200)}号",
                    "经度": lon,
                    "纬度": lat,
                    "_note": rng.choice(("", "", "", "寄宿制", "含学前班", "2025年新建校区")),
                }
            )


# ---- venues --------------------------------------------------------------------------------

_VENUE_MIX: dict[str, int] = {
    "网吧": 24, "歌舞娱乐": 18, "游艺娱乐": 9, "酒吧": 14, "烟草零售": 120, "酒类零售": 46,
    "彩票销售": 28, "宾馆": 40, "电竞酒店": 5, "文身": 5, "桌球": 14, "其他": 61,
}  # fmt: skip
"""Background venues by 场所类型 (384; the plants bring the total to about 400)."""

_COMPANY_SHARE = {
    "网吧": 0.7,
    "歌舞娱乐": 0.8,
    "游艺娱乐": 0.7,
    "酒吧": 0.5,
    "宾馆": 0.6,
    "电竞酒店": 1.0,
}


def licence_number(rng: random.Random, venue_type: str) -> str:
    """A licence number in the style of the licence each trade needs (empty when none)."""
    year = rng.randint(2012, 2026)
    n = rng.randint(1, 9999)
    return {
        "网吧": f"黔网文〔{year}〕{n:04d}号",
        "歌舞娱乐": f"{REGION_CODE}{year}{n:04d}",
        "游艺娱乐": f"{REGION_CODE}{year}{n:04d}",
        "酒吧": "",
        "烟草零售": f"{REGION_CODE}{n:06d}",
        "酒类零售": f"JL{REGION_CODE}{n:05d}",
        "彩票销售": f"{REGION_CODE}{n:05d}",
        "宾馆": f"青公特旅字第{n:04d}号",
        "电竞酒店": f"青公特旅字第{n:04d}号",
    }.get(venue_type, "")


def venue_row(
    county: County,
    *,
    venue_type: str,
    lon: float,
    lat: float,
    town: names.Town,
    status: str = "在营",
    crs_label: str = "WGS84",
    street: str | None = None,
    style: str = "plain",
) -> dict[str, Any]:
    """One venue at the true WGS-84 point (`lon`, `lat`), written in the CRS `crs_label` names."""
    rng = county.rng
    company = rng.random() < _COMPANY_SHARE.get(venue_type, 0.15)
    uscc = county.new_uscc("91" if company else "92")
    lon, lat = round_coord(lon), round_coord(lat)
    if CRS_LABELS[crs_label] == "GCJ02":
        file_lon, file_lat = (round_coord(v) for v in geo.wgs84_to_gcj02(lon, lat))
    else:
        file_lon, file_lat = lon, lat
    street = street or rng.choice(town.streets)
    return {
        "场所名称": names.venue_name(rng, venue_type, town),
        "统一社会信用代码": uscc,
        "场所类型": venue_type,
        "许可证号": licence_number(rng, venue_type),
        "地址": f"{names.COUNTY}{town.name}{street}{rng.randint(1, 320)}号",
        "经度": file_lon,
        "纬度": file_lat,
        "坐标系": crs_label,
        "经营状态": status,
        "联系电话": f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}",
        "_wgs84_lon": lon,
        "_wgs84_lat": lat,
        "_style": style,
    }


def build_venues(county: County) -> None:
    """Ordinary venues in the towns, never within `BACKGROUND_CLEARANCE_M` of a school.

    About a third are written in GCJ-02 (copied from 高德), so an importer that ignores the
    坐标系 column would move them by ~500 m and invent leads.
    """
    rng = county.rng
    town_weights = [6, 4, 4, 2, 1.5, 1.5, 1.5, 1, 1]
    for venue_type, count in _VENUE_MIX.items():
        for _ in range(count):
            town = rng.choices(names.TOWNS, weights=town_weights)[0]
            while True:
                lon, lat = county.point_in(town, town.radius_m + 400.0)
                if county.nearest_school_m(lon, lat) > BACKGROUND_CLEARANCE_M + 1.0:
                    break
            crs_label = rng.choices(["WGS84", "GCJ02", "GPS", "火星坐标"], weights=[60, 30, 5, 5])[
                0
            ]
            status = rng.choices(["在营", "注销", "吊销", "停业"], weights=[88, 6, 2, 4])[0]
            style = "lower" if rng.random() < 0.03 else "plain"
            county.rows["venues"].append(
                venue_row(
                    county,
                    venue_type=venue_type,
                    lon=lon,
                    lat=lat,
                    town=town,
                    status=status,
                    crs_label=crs_label,
                    style=style,
                )
            )
    # One shop whose clerk typed the letter O for a zero in its credit code: a rejected row.
    bad = next(r for r in county.rows["venues"] if "0" in r["统一社会信用代码"][2:])
    bad["_style"] = "letter_o"


# ---- places for rows added after the background ----------------------------------------------


def nearest_venue_m(county: County, lon: float, lat: float) -> float:
    """Distance to the nearest venue of any type (true WGS-84 position)."""
    return min(
        (
            geo.haversine_m(lon, lat, v["_wgs84_lon"], v["_wgs84_lat"])
            for v in county.rows["venues"]
        ),
        default=float("inf"),
    )


def add_venue(county: County, venue_type: str, town: names.Town) -> dict[str, Any]:
    """A new 在营 venue in `town`, as far from every school as the background keeps its venues."""
    for attempt in range(10_000):
        lon, lat = county.point_in(town, town.radius_m + 400.0 + attempt)
        if county.nearest_school_m(lon, lat) > BACKGROUND_CLEARANCE_M + 1.0:
            break
    row = venue_row(county, venue_type=venue_type, lon=lon, lat=lat, town=town)
    county.rows["venues"].append(row)
    return row


def add_school(
    county: County,
    *,
    name: str,
    school_type: str,
    public: bool,
    town: names.Town,
    note: str = "",
    style: str = "plain",
) -> School:
    """A school placed like the background ones and clear of every venue already in the county.

    Schools added after the venues (the kindergarten-name plants) keep `SCHOOL_SPACING_M` from
    other schools and stay beyond `BACKGROUND_CLEARANCE_M` of every venue, so they bring no venue
    within reach of a campus rule.
    """
    rng = county.rng
    for attempt in range(20_000):
        lon, lat = county.point_in(town, town.radius_m + 600.0 + attempt)
        lon, lat = round_coord(lon), round_coord(lat)
        if (
            county.nearest_school_m(lon, lat) >= SCHOOL_SPACING_M
            and nearest_venue_m(county, lon, lat) > BACKGROUND_CLEARANCE_M + 1.0
        ):
            break
    else:
        raise RuntimeError(f"no room for a new school in {town.name}")
    uscc = county.new_uscc("12", prefix="") if public else county.new_uscc("52", prefix="MJ")
    street = rng.choice(town.streets)
    nature = "公办" if public else "民办"
    school = School(name, school_type, nature, uscc, town, street, lon, lat)
    county.schools.append(school)
    county.rows["schools"].append(
        {
            "学校名称": name,
            "学校类型": school_type,
            "办学性质": nature,
            "统一社会信用代码": uscc,
            "地址": f"{names.COUNTY}{town.name}{street}{rng.randint(1, 200)}号",
            "经度": lon,
            "纬度": lat,
            "_note": note,
            "_style": style,
        }
    )
    return school
