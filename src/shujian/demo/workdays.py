"""Working days for the demonstration's planted steps: a procuratorate acts on working days."""

from __future__ import annotations

import datetime as dt

from shujian.workspace import Workspace


def on_or_before(ws: Workspace, day: dt.date) -> dt.date:
    """`day`, or the last working day before it."""
    while not ws.calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def on_or_after(ws: Workspace, day: dt.date) -> dt.date:
    """`day`, or the first working day after it."""
    return ws.calendar.extend_to_working_day(day)
