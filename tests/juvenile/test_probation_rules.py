"""附条件不起诉's periods on the calendar (刑诉法第一百零五条): the three-day service across the
National Day holidays, periods ending on a month's end and in 2027 (provisional), the report
windows and their statuses, the declared steps."""

from __future__ import annotations

import datetime as dt

import pytest

from shujian.calendar import BUNDLED
from shujian.errors import UserError
from shujian.juvenile.probation import rules

D = dt.date


@pytest.mark.parametrize(
    ("decided", "due"),
    [
        (D(2026, 12, 1), D(2026, 12, 4)),  # Tue → Fri, all working days
        (D(2026, 12, 4), D(2026, 12, 7)),  # Fri → Mon 7 (Sun 6 is a rest day)
        (D(2026, 9, 29), D(2026, 10, 8)),  # into 国庆: 10-02 is a holiday, first working day 10-08
        (D(2026, 12, 30), D(2027, 1, 4)),  # into 2027's New Year (provisional year)
    ],
)
def test_service_is_due_three_days_after_the_decision_off_rest_days(decided: D, due: D) -> None:
    assert rules.service_deadline(decided, BUNDLED) == due


@pytest.mark.parametrize(
    ("decided", "months", "ends"),
    [
        (D(2026, 3, 31), 6, D(2026, 9, 30)),  # month end to month end
        (D(2026, 8, 31), 6, D(2027, 2, 28)),  # a Sunday: the probation is not lengthened
        (D(2026, 4, 30), 10, D(2027, 2, 28)),
        (D(2026, 12, 31), 12, D(2027, 12, 31)),
        (D(2026, 1, 5), 6, D(2026, 7, 5)),  # a Sunday too
        (D(2026, 4, 3), 6, D(2026, 10, 3)),  # in 国庆: the day itself, not 10-08
    ],
)
def test_the_period_ends_on_its_corresponding_day_never_lengthened_by_rest_days(
    decided: D, months: int, ends: D
) -> None:
    """刑诉法第一百零五条 moves a time to act off a holiday but never lengthens custody for one;
    a probation restricts the minor, so it ends on its corresponding day (docs/probation.md)."""
    assert rules.period_end(decided, months) == ends


@pytest.mark.parametrize("months", [5, 13, 0])
def test_a_period_outside_six_to_twelve_months_is_refused(months: int) -> None:
    with pytest.raises(UserError) as caught:
        rules.check_months(months)
    assert caught.value.code == "bad_period"


def test_report_windows_every_30_days_moved_off_rest_days_ending_with_the_period() -> None:
    ends = rules.period_end(D(2026, 1, 5), 6)
    windows = rules.report_windows(D(2026, 1, 5), ends, 30, BUNDLED)
    assert [w.due for w in windows] == [
        D(2026, 2, 4),
        D(2026, 3, 6),
        D(2026, 4, 7),
        D(2026, 5, 6),
        D(2026, 6, 4),
        D(2026, 7, 6),
    ]  # fmt: skip  (04-05 is a Sunday in 清明's holidays → 04-07)
    assert windows[0].opens == D(2026, 1, 5) and windows[1].opens == windows[0].due


def test_report_statuses_done_missed_late_open_future() -> None:
    ends = rules.period_end(D(2026, 1, 5), 6)
    windows = rules.report_windows(D(2026, 1, 5), ends, 30, BUNDLED)
    reports = [D(2026, 2, 1), D(2026, 3, 20)]  # window 2 (to 03-06) missed; 03-20 is late
    got = rules.schedule(windows, reports, D(2026, 4, 10))
    assert [s.status for s in got] == ["done", "missed", "late", "open", "future", "future"]
    assert rules.late_report_days(got) == {D(2026, 3, 20)}
    assert rules.missed(got) == 1
    # the report of window 3 was due 04-07: on 04-10 with none more, window 4 is open
    assert got[3].label == "本期待报告"


def test_ending_soon_counts_the_days_left() -> None:
    assert rules.ending_soon(D(2026, 12, 15), D(2026, 12, 1), 15)
    assert not rules.ending_soon(D(2026, 12, 17), D(2026, 12, 1), 15)
    assert not rules.ending_soon(D(2026, 11, 30), D(2026, 12, 1), 15)


def test_steps_follow_the_declared_states() -> None:
    assert rules.check_step("review", "decide").to == "decided"
    assert rules.check_step("probation", "report").to == "probation"
    with pytest.raises(UserError, match="不能决定附条件不起诉") as caught:
        rules.check_step("probation", "decide")
    assert caught.value.code == "step_not_allowed"
    with pytest.raises(UserError, match="此案已办结"):
        rules.check_step("revoked", "report")
    d = rules.declarations()
    assert len(d.conditions) == 4 and len(d.measures) == 6 and len(d.grounds) == 4


def test_a_last_window_shorter_than_half_an_interval_joins_the_one_before() -> None:
    # decided 2026-03-16 for 6 months: ends 2026-09-16; the sixth due day 09-12 (Saturday) moves
    # to 09-14, which would leave a window of two days
    ends = rules.period_end(D(2026, 3, 16), 6)
    assert ends == D(2026, 9, 16)
    windows = rules.report_windows(D(2026, 3, 16), ends, 30, BUNDLED)
    assert len(windows) == 6
    assert (windows[-1].opens, windows[-1].due) == (D(2026, 8, 13), D(2026, 9, 16))


@pytest.mark.parametrize(
    ("step", "ends", "last"),
    [
        # 2026-11-07 is a Saturday: the last report is due on Monday the 9th (CI found the
        # service refusing a report on the due day its own schedule had given)
        ("report", D(2026, 11, 7), D(2026, 11, 9)),
        ("violation", D(2026, 11, 7), D(2026, 11, 7)),
        # a working day: the same for both
        ("report", D(2026, 11, 6), D(2026, 11, 6)),
        ("violation", D(2026, 11, 6), D(2026, 11, 6)),
        # 国庆 2026: the end on 10-03 carries the last report to the first working day
        ("report", D(2026, 10, 3), BUNDLED.extend_to_working_day(D(2026, 10, 3))),
    ],
)
def test_the_last_day_a_step_can_be_dated(step: str, ends: D, last: D) -> None:
    assert rules.last_day_for(step, ends, BUNDLED) == last


def test_the_last_report_is_accepted_until_the_last_windows_due_day() -> None:
    ends = D(2026, 11, 7)
    windows = rules.report_windows(D(2026, 5, 7), ends, 30, BUNDLED)
    assert windows[-1].due == rules.last_day_for("report", ends, BUNDLED)
