"""Background hotel check-ins: every minor a hotel takes in is registered as the law requires.

The hotels are the open 宾馆 and 电竞酒店 of the venues list. Guests are registered in the police
旅馆业治安管理信息系统 one row per person; a minor always arrives with a parent whose phone number
is recorded as the guardian contact and whose relationship (母子, 父女 …) is recorded, and no minor
ever stays in an e-sports hotel or an 电竞房. So `hotel.minor_guest` and `hotel.esports_minor`
find nothing here: their leads come from the plants.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shujian.demo import names
from shujian.demo.campus import add_venue
from shujian.demo.county import AS_OF, BROKEN_STYLES, County, Hotel, Person

FIRST_DAY = dt.date(2025, 1, 1)
"""Check-ins run from here to the day before `AS_OF`."""

_MIN_HOTELS = {("宾馆", False): 10, ("宾馆", True): 3, ("电竞酒店", False): 4}
"""Hotels the plants need (with room to spare): ordinary, with an 电竞房 area, e-sports."""

_ORDINARY_ROOMS = (("标准间", 50), ("大床房", 35), ("三人间", 8), ("家庭房", 7))
_ESPORTS_ROOMS = (("电竞房", 60), ("双人电竞房", 25), ("五人电竞房", 15))
_ADULT_PAIRS = ("夫妻", "朋友", "同事", "朋友", "", "", "")


def relation(minor: Person, guardian: Person, grandparent: bool = False) -> str:
    """母子, 父女, 祖孙 … as the front desk writes the relationship of a minor to the adult."""
    if grandparent:
        return "祖孙"
    return ("父" if guardian.male else "母") + ("子" if minor.male else "女")


def checkin_row(
    hotel: Hotel,
    room: tuple[str, str],
    person: Person,
    arrived: dt.datetime,
    left: dt.datetime | None,
    *,
    guardian: str = "",
    relation: str = "",
    style: str = "plain",
) -> dict[str, Any]:
    """One registration line: one guest of one stay."""
    return {
        "旅馆名称": hotel.name,
        "旅馆统一社会信用代码": hotel.uscc,
        "房间号": room[0],
        "房间类型": room[1],
        "姓名": person.name,
        "公民身份号码": person.id_number,
        "入住时间": arrived,
        "退房时间": left,
        "监护人联系方式": guardian,
        "同住人关系": relation,
        "_style": style,
    }


def ordinary_room(county: County, hotel: Hotel) -> tuple[str, str]:
    """A room that is not an 电竞房 (floors 2–5)."""
    rng = county.rng
    kind = rng.choices([k for k, _ in _ORDINARY_ROOMS], [w for _, w in _ORDINARY_ROOMS])[0]
    return f"{rng.randint(2, 5)}{rng.randint(1, 18):02d}", kind


def esports_room(county: County, hotel: Hotel) -> tuple[str, str]:
    """An 电竞房: anywhere in an e-sports hotel, on the sixth floor of an ordinary one."""
    rng = county.rng
    kind = rng.choices([k for k, _ in _ESPORTS_ROOMS], [w for _, w in _ESPORTS_ROOMS])[0]
    floor = 6 if hotel.venue_type == "宾馆" else rng.randint(2, 6)
    return f"{floor}{rng.randint(1, 12):02d}", kind


def stay_times(
    county: County, day: dt.date | None = None
) -> tuple[dt.datetime, dt.datetime | None]:
    """Arrival (afternoon to small hours) and departure (a few nights later, before 13:00).

    A guest who has not left by the morning of `AS_OF` has no 退房时间 yet.
    """
    rng = county.rng
    if day is None:
        day = FIRST_DAY + dt.timedelta(days=rng.randint(0, (AS_OF - FIRST_DAY).days - 1))
    hour = rng.choices([13, 15, 17, 19, 20, 21, 22, 23], [6, 10, 12, 14, 14, 14, 12, 8])[0]
    arrived = dt.datetime(
        day.year, day.month, day.day, hour, rng.randint(0, 59), rng.randint(0, 59)
    )
    nights = rng.choices([1, 2, 3, 4], [60, 25, 10, 5])[0]
    out = day + dt.timedelta(days=nights)
    left = dt.datetime(out.year, out.month, out.day, rng.randint(7, 12), rng.randint(0, 59))
    if left.date() >= AS_OF:
        return arrived, None
    return arrived, left


def adult(county: County, on: dt.date, youngest: int = 19, oldest: int = 68, **kw: Any) -> Person:
    """A guest aged `youngest`–`oldest` on `on` (19 at least, well clear of 18)."""
    born_to = dt.date(on.year - youngest - 1, 12, 31)
    return county.new_person(dt.date(on.year - oldest, 1, 1), born_to, **kw)


def minor(county: County, on: dt.date, youngest: int = 3, oldest: int = 16) -> Person:
    """A child aged `youngest`–`oldest` on `on` (16 at most, well clear of 18)."""
    return county.new_person(
        dt.date(on.year - oldest, 1, 1), dt.date(on.year - youngest - 1, 12, 31)
    )


def ordinary_stays(county: County, hotel: Hotel, count: int, day: dt.date | None = None) -> None:
    """`count` stays of adults travelling alone or in pairs (what most of a hotel's rows are)."""
    rng = county.rng
    for _ in range(count):
        arrived, left = stay_times(county, day)
        esports = hotel.venue_type == "电竞酒店" or (hotel.esports_rooms and rng.random() < 0.25)
        room = esports_room(county, hotel) if esports else ordinary_room(county, hotel)
        guests = [adult(county, arrived.date())]
        word = ""
        if rng.random() < 0.35:
            guests.append(adult(county, arrived.date()))
            word = rng.choice(_ADULT_PAIRS)
            if word == "夫妻" and guests[0].male == guests[1].male:
                word = "朋友"
        for guest in guests:
            county.rows["hotel_checkins"].append(
                checkin_row(
                    hotel, room, guest, arrived, left, relation=word, style=_id_style(county, guest)
                )
            )


def _family_stay(county: County, hotel: Hotel) -> None:
    """A parent (or grandparent) with one or two children, all registered as required."""
    rng = county.rng
    arrived, left = stay_times(county)
    on = arrived.date()
    grandparent = rng.random() < 0.12
    elder = adult(county, on, 55, 70) if grandparent else adult(county, on, 27, 48)
    phone = names.phone_number(rng)
    children = [minor(county, on) for _ in range(rng.choice((1, 1, 1, 2)))]
    room = ordinary_room(county, hotel)
    word = relation(children[0], elder, grandparent)
    county.rows["hotel_checkins"].append(
        checkin_row(
            hotel, room, elder, arrived, left, relation=word, style=_id_style(county, elder)
        )
    )
    for child in children:
        county.rows["hotel_checkins"].append(
            checkin_row(
                hotel,
                room,
                child,
                arrived,
                left,
                guardian=phone,
                relation=relation(child, elder, grandparent),
                style=_id_style(county, child),
            )
        )


def _esports_group(county: County, hotel: Hotel) -> None:
    """Two to five young adults gaming in one 电竞房."""
    rng = county.rng
    arrived, left = stay_times(county)
    room = esports_room(county, hotel)
    for _ in range(rng.choice((2, 2, 3, 4, 5))):
        guest = adult(county, arrived.date(), 19, 32, male=rng.random() < 0.8)
        county.rows["hotel_checkins"].append(
            checkin_row(
                hotel, room, guest, arrived, left, relation="朋友", style=_id_style(county, guest)
            )
        )


def _id_style(county: County, person: Person) -> str:
    if person.id_number.endswith("X") and county.rng.random() < 0.5:
        return "lower_x"
    return "spaces" if county.rng.random() < 0.01 else "plain"


def _hotel(county: County, venue: dict[str, Any], esports_rooms: bool | None = None) -> Hotel:
    if esports_rooms is None:
        esports_rooms = venue["场所类型"] == "宾馆" and county.rng.random() < 0.2
    town = next(t for t in names.TOWNS if t.name in venue["地址"])
    return Hotel(
        venue["场所名称"], venue["统一社会信用代码"], venue["场所类型"], town, esports_rooms
    )


def build_hotels(county: County) -> None:
    """The open hotels of the venues list, topped up so every plant can have a hotel of its own."""
    rng = county.rng
    for venue in county.rows["venues"]:
        if (
            venue["场所类型"] in ("宾馆", "电竞酒店")
            and venue["经营状态"] == "在营"
            and venue["_style"] not in BROKEN_STYLES
        ):
            county.hotels.append(_hotel(county, venue))
    for (venue_type, esports_rooms), need in _MIN_HOTELS.items():
        have = sum(
            1
            for h in county.hotels
            if h.venue_type == venue_type
            and (venue_type != "宾馆" or h.esports_rooms == esports_rooms)
        )
        for _ in range(need - have):
            venue = add_venue(county, venue_type, rng.choice(names.TOWNS[:5]))
            county.hotels.append(_hotel(county, venue, esports_rooms))


def build_checkins(county: County) -> None:
    """About 600 registrations over 2025-01 … 2026-10; one ID mistyped beyond use."""
    rng = county.rng
    for hotel in county.hotels:
        ordinary_stays(county, hotel, rng.randint(4, 9))
    family_hotels = [h for h in county.hotels if h.venue_type == "宾馆"]
    gaming_hotels = [h for h in county.hotels if h.venue_type == "电竞酒店" or h.esports_rooms]
    for _ in range(45):
        _family_stay(county, rng.choice(family_hotels))
    for _ in range(30):
        _esports_group(county, rng.choice(gaming_hotels))
    # Last night's guests have not checked out on the morning of the run date.
    for hotel in rng.sample(county.hotels, 6):
        ordinary_stays(county, hotel, 1, AS_OF - dt.timedelta(days=1))
    # A clerk mistyped one adult's ID number: the check digit fails and the row is rejected.
    single = [
        r
        for r in county.rows["hotel_checkins"]
        if not r["同住人关系"] and r["_style"] == "plain" and r["入住时间"].year == 2026
    ]
    rng.choice(single)["_style"] = "wrong_check"
