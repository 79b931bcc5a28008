"""Beijing days over UTC instants: the bounds every date filter uses."""

from __future__ import annotations

import datetime as dt

import pytest

from shujian import beijing

UTC = dt.UTC


@pytest.mark.parametrize(
    ("day", "start", "after"),
    [
        (
            dt.date(2026, 12, 6),
            dt.datetime(2026, 12, 5, 16, tzinfo=UTC),
            dt.datetime(2026, 12, 6, 16, tzinfo=UTC),
        ),
        (
            dt.date(2027, 1, 1),
            dt.datetime(2026, 12, 31, 16, tzinfo=UTC),
            dt.datetime(2027, 1, 1, 16, tzinfo=UTC),
        ),
        (
            dt.date(2028, 2, 29),
            dt.datetime(2028, 2, 28, 16, tzinfo=UTC),
            dt.datetime(2028, 2, 29, 16, tzinfo=UTC),
        ),
    ],
)
def test_a_beijing_day_starts_at_16_utc_the_day_before(
    day: dt.date, start: dt.datetime, after: dt.datetime
) -> None:
    assert beijing.day_start(day) == start
    assert beijing.day_after(day) == after


def test_a_lead_found_at_1_30_in_beijing_is_inside_that_day() -> None:
    found = dt.datetime(2026, 12, 5, 17, 30, tzinfo=UTC)  # 2026-12-06 01:30 in Beijing
    day = dt.date(2026, 12, 6)
    assert beijing.day_start(day) <= found < beijing.day_after(day)
    assert not found < beijing.day_start(day)


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (dt.datetime(2026, 12, 5, 15, 59, 59, tzinfo=UTC), dt.date(2026, 12, 5)),
        (dt.datetime(2026, 12, 5, 16, tzinfo=UTC), dt.date(2026, 12, 6)),
        (dt.datetime(2026, 12, 5, 17, 30), dt.date(2026, 12, 6)),  # naive, as SQLite gives it: UTC
        (dt.datetime(2026, 12, 6, 1, 30, tzinfo=beijing.CHINA), dt.date(2026, 12, 6)),
    ],
)
def test_the_beijing_day_of_a_stored_instant(moment: dt.datetime, day: dt.date) -> None:
    assert beijing.day_of(moment) == day
