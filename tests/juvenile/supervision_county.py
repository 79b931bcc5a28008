"""A small county for the 督办 tests: minors of 严重不良行为 in two towns, visited (or not) in
October 2026 by five helping units, one of them named with characters a file name cannot hold,
one minor with no unit, one handed from a unit to another mid-October, and minors of other
categories (assigned, never due a visit). Imported through the real importer. (Imported as
`juvenile.supervision_county`: `tests/` is on the path.)"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from juvenile.people import id_card, send
from shujian.juvenile import service
from shujian.workspace import Workspace

D = dt.date

FULLY = "本人、家庭、学校、社区"


@dataclass(frozen=True)
class Minor:
    key: str
    name: str
    number: str
    town: str
    category: str = "严重不良行为"
    school: str = "青岚一中"
    units: tuple[tuple[str, str, str | None], ...] = ()
    """(unit, start, end)."""
    october: str = ""
    """The targets visited in October 2026 (empty: no visit)."""


UNSAFE_UNIT = "城关镇/东街社区居委会"


def county(tag: str = "") -> dict[str, Minor]:
    """The minors, by key; `tag` is added to every town and unit name (so that two counties can
    share one workspace without meeting)."""
    t = tag
    rows = [
        Minor("A1", "安一", id_card(D(2010, 1, 11)), f"城关镇{t}", units=((f"县妇联{t}", "2025-01-01", None),), october=FULLY),
        Minor("A2", "安二", id_card(D(2010, 2, 12)), f"城关镇{t}", units=((f"县妇联{t}", "2025-01-01", None),), october="本人、家庭、社区"),
        Minor("A3", "安三", id_card(D(2010, 3, 13)), f"城关镇{t}", school="无", units=((f"县妇联{t}", "2025-01-01", None),), october="本人、家庭、社区"),
        Minor("A4", "安四", id_card(D(2010, 4, 14)), f"城关镇{t}", units=((f"县团委{t}", "2025-01-01", None),)),
        Minor("A5", "安五", id_card(D(2010, 5, 15)), f"城关镇{t}", units=((f"{UNSAFE_UNIT}{t}", "2025-01-01", None),), october="本人、家庭、学校"),
        Minor("A6", "安六", id_card(D(2010, 6, 16)), f"城关镇{t}"),
        Minor("A7", "安七", id_card(D(2010, 7, 17)), f"城关镇{t}", units=((f"县教育局{t}", "2025-01-01", None),), october=FULLY),
        Minor("B1", "白一", id_card(D(2011, 1, 21)), f"龙场乡{t}", units=((f"龙场乡政府{t}", "2025-01-01", None),), october=FULLY),
        Minor("B2", "白二", id_card(D(2011, 2, 22)), f"龙场乡{t}", units=((f"龙场乡政府{t}", "2025-01-01", None),), october="本人"),
        Minor("B3", "白三", id_card(D(2011, 3, 23)), f"龙场乡{t}", units=((f"龙场乡政府{t}", "2025-01-01", None),), october=FULLY),
        Minor("B4", "白四", id_card(D(2011, 4, 24)), f"龙场乡{t}", units=((f"县妇联{t}", "2025-01-01", "2026-10-15"), (f"县团委{t}", "2026-10-16", None))),
        Minor("C1", "陈一", id_card(D(2012, 1, 1)), f"城关镇{t}", category="单亲", units=((f"县妇联{t}", "2025-01-01", None),)),
        Minor("C2", "陈二", id_card(D(2012, 2, 2)), f"城关镇{t}", category="留守儿童", units=((f"县妇联{t}", "2025-01-01", None),)),
        Minor("C3", "陈三", id_card(D(2012, 3, 3)), f"龙场乡{t}", category="单亲", units=((f"龙场乡政府{t}", "2025-01-01", None),)),
    ]  # fmt: skip
    return {m.key: m for m in rows}


def build(ws: Workspace, folder: Path, tag: str = "") -> dict[str, Minor]:
    """Import the county's register, assignments and October visits; returns its minors."""
    minors = county(tag)
    send(ws, "key_minors", [
        {"姓名": m.name, "公民身份号码": m.number, "类别": m.category, "认定日期": "2025-01-10",
         "所属乡镇（街道）": m.town, "村（社区）": f"{m.town}一村", "就读学校": m.school}
        for m in minors.values()
    ], folder)  # fmt: skip
    send(ws, "minor_assignments", [
        {"公民身份号码": m.number, "包保单位": unit, "包保责任人": f"{m.name}的帮扶人",
         "开始日期": start, "结束日期": end or ""}
        for m in minors.values() for unit, start, end in m.units
    ], folder, agency="护苗办")  # fmt: skip
    send(ws, "minor_visits", [
        {"公民身份号码": m.number, "走访日期": "2026-10-12", "走访对象": m.october,
         "走访人": f"{m.name}的帮扶人"}
        for m in minors.values() if m.october
    ], folder)  # fmt: skip
    service.forget()
    return minors
