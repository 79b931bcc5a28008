"""The town (乡镇, a 乡, 镇, 街道 or 苏木) a lead's subject is in, for the queue's 乡镇 filter.

A model declares which of its evidence columns places the subject (`town: venue_address` in its
YAML). That column may hold the town itself (a dataset's 所属乡镇 column: 新场镇) or an address
that names it (贵州省六盘水市青岚县新场镇兴业路117号); `town_of` reads either. The runner stores
the result on the lead (`leads.town`). A model that declares no column has no town: its leads
are listed under `NO_TOWN`.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, func, select

from shujian.leads.store import leads

NO_TOWN = "未登记乡镇"
"""The filter's choice for leads without a town (their model declares none, or the address named
none). A town name always ends in 乡, 镇, 街道 or 苏木, so it never equals this."""

_SUFFIX = re.compile(r"街道|镇|乡|苏木")
_ABOVE = set("省市州盟县区旗")
"""Last characters of the units above a town (province, city, prefecture, county, district,
banner): a town's name starts after the last of them before its suffix."""
_HARD = set("省县旗")
"""Of those, the ones no town name contains (a 新市镇 or 城区街道 keeps its 市 or 区)."""
_NAME = re.compile(r"[\u4e00-\u9fff]+")
_MAX_NAME = 10


def town_of(text: object) -> str | None:
    """The town named in `text` (a town or an address), or None.

    A name is the run of Chinese characters that ends with 乡, 镇, 街道 or 苏木 and starts after
    the unit above it (…省, …市, …县, …区): 青岚县新场镇兴业路117号 → 新场镇. Where the
    character before the suffix is itself such a unit (新市镇), the name reaches back over it;
    that reading is taken only when no later suffix gives a name of the first kind, so the 镇 of
    the county 镇宁…自治县 does not hide the town after it. A 县, 省 or 旗 never belongs to a
    name, so the 乡 of 青岚县乡村振兴大道 names no town.
    """
    if not isinstance(text, str):
        return None
    fallback = None
    for run in _NAME.finditer(text):
        word = run.group()
        for suffix in _SUFFIX.finditer(word):
            name, direct = _name_before(word[: suffix.start()])
            if name and direct:
                return name + suffix.group()
            if name and fallback is None:
                fallback = name + suffix.group()
    return fallback


def _name_before(head: str) -> tuple[str | None, bool]:
    """The town's name proper in `head` (what precedes its suffix), and whether it follows the
    unit above it directly; None when there is none (no character, longer than `_MAX_NAME`, or a
    county-level character in it)."""
    direct = True
    for cut in range(len(head) - 1, -2, -1):
        if cut >= 0 and head[cut] not in _ABOVE:
            continue
        name = head[cut + 1 :]
        if not name:
            direct = False  # 新市镇: the 市 belongs to the name; look further back
            continue
        if any(c in _HARD for c in name) or len(name) > _MAX_NAME:
            return None, False
        return name, direct
    return None, False


def towns_present(store: Engine) -> list[str]:
    """The towns leads are in (any status, any scope: names of places, not of people), sorted."""
    # A DISTINCT read the whole index (a million entries, 60 ms a page); this asks the index for
    # the next town after each one found, a lookup per town (a loose index scan).
    step = select(func.min(leads.c.town).label("town")).cte("step", recursive=True)
    step = step.union_all(
        select(
            select(func.min(leads.c.town)).where(leads.c.town > step.c.town).scalar_subquery()
        ).where(step.c.town.is_not(None))
    )
    with store.connect() as conn:
        found = conn.execute(select(step.c.town).where(step.c.town.is_not(None)))
        return sorted(t for (t,) in found)
