"""Beijing time: the stores keep instants in UTC; users count days in Beijing time (UTC+8).

A lead found at 01:30 on 6 December in Beijing is stored as 17:30 on 5 December UTC; a filter
"from 6 December" must find it, and a page must show it as 6 December 01:30.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
"""China has kept UTC+8 with no daylight saving since 1991."""


def today_in_china() -> dt.date:
    """Today's date in Beijing time, whatever the server's clock zone."""
    return dt.datetime.now(CHINA).date()


def day_start(day: dt.date) -> dt.datetime:
    """The first instant of the Beijing day `day`, as an aware UTC datetime."""
    return dt.datetime.combine(day, dt.time(), CHINA).astimezone(dt.UTC)


def day_after(day: dt.date) -> dt.datetime:
    """The first instant after the Beijing day `day` (an inclusive `until` bound's end)."""
    return day_start(day + dt.timedelta(days=1))


def day_of(moment: dt.datetime) -> dt.date:
    """The Beijing day of a stored instant (a naive value, as SQLite gives it back, is UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(CHINA).date()


def shown(moment: dt.datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A stored instant as Beijing time, for people to read (a naive value is UTC): the web
    pages' `beijing` filter and the command line's listings."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(CHINA).strftime(pattern)


def whole_months(since: dt.date | None, until: dt.date | None) -> bool:
    """Whether a period of days is whole months (an open end counts as whole): the running
    tallies of leads count by Beijing month (`leads.store`)."""
    return (since is None or since.day == 1) and (
        until is None or (until + dt.timedelta(days=1)).day == 1
    )


def month_window(column: Any, since: dt.date | None, until: dt.date | None) -> list[Any]:
    """Conditions keeping a month column (YYYY-MM) within a period of whole months."""
    out = []
    if since:
        out.append(column >= since.strftime("%Y-%m"))
    if until:
        out.append(column <= until.strftime("%Y-%m"))
    return out
