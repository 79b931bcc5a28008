"""Working days and legal periods, checked against hand counts on the official schedules."""

from __future__ import annotations

from datetime import date, datetime

import chinese_calendar
import polars as pl
import pytest

from helpers import NOTICE_2027
from shujian.calendar import (
    BUNDLED,
    CalendarYearUnknownError,
    HolidayCalendar,
    YearSchedule,
    add_months,
    add_working_days,
    ensure_countable,
    extend_to_working_day,
    is_working_day,
    known_years,
    statutory_days,
    working_day_table,
)


def test_known_years_cover_2004_to_2026() -> None:
    assert known_years()[0] == 2004
    assert 2026 in known_years()


def test_wage_deposit_deadline_across_national_day_2024() -> None:
    # Permit issued Friday 2024-09-20; deposit due within 20 working days (人社部发〔2021〕65号
    # art. 8). Official 2024 schedule (国办发明电〔2023〕7号): 10-01..10-07 off; Sunday 09-29 and
    # Saturday 10-12 are make-up working days. The permit day itself is not counted (民法典 201).
    #   09-23 Mon 1, 09-24 2, 09-25 3, 09-26 4, 09-27 5, (09-28 Sat off), 09-29 Sun 6,
    #   09-30 Mon 7, (10-01..10-07 off), 10-08 8, 10-09 9, 10-10 10, 10-11 11, 10-12 Sat 12,
    #   (10-13 Sun off), 10-14 13, 10-15 14, 10-16 15, 10-17 16, 10-18 17, (10-19/20 off),
    #   10-21 18, 10-22 19, 10-23 20  -> deadline Wednesday 2024-10-23.
    assert add_working_days(date(2024, 9, 20), 20) == date(2024, 10, 23)


def test_start_day_is_not_counted_even_when_it_is_a_working_day() -> None:
    assert add_working_days(date(2024, 3, 4), 1) == date(2024, 3, 5)  # Monday -> Tuesday
    assert add_working_days(date(2024, 3, 8), 1) == date(2024, 3, 11)  # Friday -> Monday
    assert add_working_days(date(2024, 3, 4), 0) == date(2024, 3, 4)


def test_spring_festival_2025_and_make_up_saturday_counts() -> None:
    # 2025 schedule (国办发明电〔2024〕12号): 01-28..02-04 off; Sunday 01-26 and Saturday 02-08 are
    # make-up working days.
    #   from Monday 01-20: 01-21 1, 01-22 2, 01-23 3, 01-24 4, (01-25 Sat off), 01-26 Sun 5,
    #   01-27 6, (01-28..02-04 off), 02-05 7, 02-06 8, 02-07 9, 02-08 Sat 10.
    assert add_working_days(date(2025, 1, 20), 10) == date(2025, 2, 8)
    assert is_working_day(date(2025, 2, 8))
    assert is_working_day(date(2025, 1, 26))
    assert not is_working_day(date(2025, 1, 29))  # 春节, a Wednesday


def test_make_up_saturday_is_a_working_day() -> None:
    assert date(2024, 10, 12).weekday() == 5
    assert is_working_day(date(2024, 10, 12))
    assert not is_working_day(date(2024, 10, 13))
    assert not is_working_day(date(2024, 10, 1))  # 国庆, a Tuesday


def test_datetime_is_accepted_as_its_date() -> None:
    assert is_working_day(datetime(2024, 10, 12, 9, 30))
    assert add_working_days(datetime(2024, 9, 20, 17, 0), 20) == date(2024, 10, 23)


def test_year_beyond_the_provisional_years_raises_in_chinese() -> None:
    assert list(BUNDLED.provisional_years()) == [2027, 2028, 2029, 2030, 2031]
    with pytest.raises(CalendarYearUnknownError, match="2032年") as info:
        is_working_day(date(2032, 1, 5))
    assert info.value.year == 2032
    assert "2004–2031年" in str(info.value)
    assert isinstance(info.value, ValueError)
    with pytest.raises(CalendarYearUnknownError):
        ensure_countable(date(2003, 12, 31))
    ensure_countable(date(2031, 12, 31))
    strict = HolidayCalendar(horizon=0)
    with pytest.raises(CalendarYearUnknownError, match="2027"):
        strict.is_working_day(date(2027, 1, 4))


def test_working_days_running_beyond_the_provisional_years_raise() -> None:
    with pytest.raises(CalendarYearUnknownError, match="2032"):
        add_working_days(date(2031, 12, 20), 20)
    with pytest.raises(CalendarYearUnknownError):
        extend_to_working_day(date(2032, 1, 1))


def test_lunar_library_s_statutory_days_are_holidays_in_every_bundled_year() -> None:
    """lunar-python computes the 春节 / 清明 / 端午 / 中秋 dates of the provisional years: every
    statutory day it gives for 2020–2026 must be a holiday in the published schedules
    (chinesecalendar), under the revision of the 放假办法 in force that year."""
    for year in range(2020, 2027):
        days = statutory_days(year)
        assert len(days) == (13 if year >= 2025 else 11), year
        for s in days:
            on_holiday, name = chinese_calendar.get_holiday_detail(s.day)
            assert on_holiday and name is not None, f"{s} is not a holiday in {year}"


def test_statutory_days_of_2027_from_the_2024_revision() -> None:
    # 2027: 除夕 Friday 02-05, 正月初一 Saturday 02-06; 清明 04-05; 端午 06-09; 中秋 09-15.
    assert [str(s) for s in statutory_days(2027)] == [
        "2027-01-01（元旦）",
        "2027-02-05（春节除夕）",
        "2027-02-06（春节初一）",
        "2027-02-07（春节初二）",
        "2027-02-08（春节初三）",
        "2027-04-05（清明节）",
        "2027-05-01（劳动节）",
        "2027-05-02（劳动节）",
        "2027-06-09（端午节）",
        "2027-09-15（中秋节）",
        "2027-10-01（国庆节）",
        "2027-10-02（国庆节）",
        "2027-10-03（国庆节）",
    ]


def test_a_provisional_year_rests_on_statutory_days_and_weekends_only() -> None:
    assert 2027 not in known_years()
    assert BUNDLED.is_provisional(2027) and not BUNDLED.is_provisional(2026)
    assert not is_working_day(date(2027, 2, 5))  # 除夕, a Friday
    assert not is_working_day(date(2027, 2, 8))  # 初三, a Monday
    assert is_working_day(date(2027, 2, 9))  # a Tuesday: no bridging day is assumed
    assert not is_working_day(date(2027, 1, 9))  # a Saturday: no make-up day is assumed
    # 2026-12-05 + 2 months = 2027-02-05 (除夕) → 02-06..02-08 off → Tuesday 02-09
    assert extend_to_working_day(add_months(date(2026, 12, 5), 2)) == date(2027, 2, 9)
    assert BUNDLED.provisional_in(date(2026, 12, 5), date(2027, 2, 9)) == (2027,)
    assert BUNDLED.provisional_in(date(2026, 10, 5), date(2026, 12, 7)) == ()


def test_an_added_year_omitting_a_statutory_day_is_refused_naming_it() -> None:
    days = frozenset(s.day for s in statutory_days(2027) if s.festival != "国庆节")
    with pytest.raises(ValueError, match="缺少") as info:
        BUNDLED.with_year(YearSchedule(2027, days, frozenset(), "测试用通知"))
    message = str(info.value)
    for d in ("2027-10-01（国庆节）", "2027-10-02（国庆节）", "2027-10-03（国庆节）"):
        assert d in message
    assert "春节" not in message
    both = frozenset(s.day for s in statutory_days(2027))
    with pytest.raises(ValueError, match="既是放假日又是调休上班日"):
        BUNDLED.with_year(YearSchedule(2027, both, frozenset({date(2027, 10, 1)}), "测试用通知"))
    added = BUNDLED.with_year(YearSchedule(2027, both, frozenset(), "测试用通知"))
    assert 2027 in added.known_years() and not added.is_provisional(2027)
    assert added.provisional_years() == range(2028, 2033)


def test_negative_working_days_are_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2024, 3, 4), -1)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year: February has 29 days
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 8, 31), 6, date(2025, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 11, 15), 2, date(2025, 1, 15)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 5, 10), 0, date(2024, 5, 10)),
    ],
)
def test_add_months_uses_the_corresponding_day_or_the_month_end(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected


def test_extend_to_working_day_moves_off_holidays_and_weekends_only() -> None:
    assert extend_to_working_day(date(2024, 10, 1)) == date(2024, 10, 8)
    assert extend_to_working_day(date(2024, 10, 12)) == date(2024, 10, 12)  # make-up Saturday
    assert extend_to_working_day(date(2024, 10, 13)) == date(2024, 10, 14)
    assert extend_to_working_day(date(2024, 10, 9)) == date(2024, 10, 9)


def test_two_month_reply_period_ending_in_national_day_is_extended() -> None:
    served = date(2024, 8, 1)
    assert add_months(served, 2) == date(2024, 10, 1)
    assert extend_to_working_day(add_months(served, 2)) == date(2024, 10, 8)


def test_working_day_table_columns_and_types() -> None:
    table = working_day_table(range(2024, 2025))
    assert table.schema == pl.Schema(
        {"day": pl.Date, "is_working_day": pl.Boolean, "working_day_no": pl.Int32}
    )
    assert table.height == 366
    assert table["working_day_no"][-1] == table["is_working_day"].sum()
    row = table.filter(pl.col("day") == date(2024, 10, 12)).row(0, named=True)
    assert row["is_working_day"] is True


def test_working_day_table_refuses_unknown_years_and_gaps() -> None:
    with pytest.raises(CalendarYearUnknownError):
        working_day_table(range(2031, 2033))
    with pytest.raises(ValueError):
        working_day_table(range(2020, 2026, 2))


@pytest.mark.parametrize("n", [1, 5, 20])
def test_working_day_table_equi_join_matches_add_working_days_for_every_day_of_2024(
    n: int,
) -> None:
    table = working_day_table(range(2024, 2026))
    targets = table.filter(pl.col("is_working_day")).select(
        pl.col("day").alias("deadline"), "working_day_no"
    )
    joined = (
        table.filter(pl.col("day").dt.year() == 2024)
        .select(pl.col("day").alias("start"), (pl.col("working_day_no") + n).alias("target"))
        .join(targets, left_on="target", right_on="working_day_no", how="left")
        .sort("start")
    )
    assert joined.height == 366
    expected = [add_working_days(d, n) for d in joined["start"]]
    assert joined["deadline"].to_list() == expected


def test_a_year_the_package_does_not_know_can_be_added_from_the_notice(tmp_path) -> None:
    """Today (December 2026) a two-month deadline ends in 2027: it is counted provisionally until
    the procuratorate adds the year from the State Council's notice, with its source; then its
    deadlines count by the notice."""
    from shujian.cases.deadlines import deadline
    from shujian.errors import UserError
    from shujian.workspace import init_workspace, open_workspace

    ws = init_workspace(tmp_path / "ws")
    assert deadline("reply", date(2026, 12, 5), calendar=ws.calendar) == date(2027, 2, 9)
    config = ws.root / "shujian.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + NOTICE_2027, encoding="utf-8")
    calendar = open_workspace(ws.root).calendar
    assert 2027 in calendar.known_years() and not calendar.is_provisional(2027)
    assert not calendar.is_working_day(date(2027, 2, 9))  # a Tuesday, in the notice's 春节
    assert calendar.is_working_day(date(2027, 2, 20))  # a Saturday, a make-up day
    assert calendar.is_working_day(date(2027, 2, 15))  # an ordinary Monday
    # 2026-12-05 + 2 months = 2027-02-05, off until 02-14 (a Sunday) → Monday 02-15
    assert deadline("reply", date(2026, 12, 5), calendar=calendar) == date(2027, 2, 15)
    assert calendar.is_provisional(2028)
    config.write_text(
        text + NOTICE_2027.replace("测试用通知（虚构的2027年节假日安排）", " "), encoding="utf-8"
    )
    with pytest.raises(UserError, match="source"):
        open_workspace(ws.root)
    config.write_text(text + NOTICE_2027.replace("year = 2027", "year = 2026"), encoding="utf-8")
    with pytest.raises(UserError, match="已经收录"):
        open_workspace(ws.root)
    config.write_text(text + NOTICE_2027.replace("2027", "2029"), encoding="utf-8")
    with pytest.raises(UserError, match="下一个应为2027年"):
        open_workspace(ws.root)
    without_national_day = NOTICE_2027.replace('"2027-10-01..2027-10-07", ', "")
    config.write_text(text + without_national_day, encoding="utf-8")
    with pytest.raises(UserError, match=r"缺少.*2027-10-01（国庆节）、2027-10-02（国庆节）"):
        open_workspace(ws.root)


def test_one_workspace_s_added_year_does_not_reach_another(tmp_path) -> None:
    """The calendar belongs to the workspace: a process serving two procuratorates (the web
    application) counts each one's deadlines by its own notices only."""
    from shujian.workspace import init_workspace, open_workspace

    with_2027 = init_workspace(tmp_path / "a")
    config = with_2027.root / "shujian.toml"
    config.write_text(config.read_text(encoding="utf-8") + NOTICE_2027, encoding="utf-8")
    added = open_workspace(with_2027.root).calendar
    assert 2027 in added.known_years()
    without = init_workspace(tmp_path / "b")
    assert 2027 not in without.calendar.known_years()
    assert 2027 not in known_years()
    assert without.calendar.is_provisional(2027)
    assert not added.is_working_day(date(2027, 2, 9))
    assert without.calendar.is_working_day(date(2027, 2, 9))


def test_the_config_template_s_calendar_example_is_a_complete_year(tmp_path) -> None:
    """The example a procuratorate copies from shujian.toml must itself pass the statutory check."""
    from shujian.workspace import CONFIG_TEMPLATE, init_workspace, open_workspace

    lines = CONFIG_TEMPLATE.splitlines()
    first = lines.index("# [[calendar]]")
    example = []
    for line in lines[first:]:
        if not line.startswith("# ") or line == "#":
            break
        example.append(line[2:])
    ws = init_workspace(tmp_path / "ws")
    config = ws.root / "shujian.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + "\n" + "\n".join(example) + "\n", encoding="utf-8"
    )
    assert 2027 in open_workspace(ws.root).calendar.known_years()


def test_the_working_day_table_kept_for_one_calendar_is_never_another_calendars() -> None:
    """The table is built once per calendar and years (`_working_day_table`): a workspace that
    adds 2027's notice counts by the notice, never by the table kept for the bundled calendar."""
    years = range(2027, 2028)
    weekday = date(2027, 3, 3)  # a Wednesday, a working day until a notice says otherwise
    kept = BUNDLED.working_day_table(years)
    assert kept.filter(pl.col("day") == weekday)["is_working_day"].item() is True
    statutory = frozenset(s.day for s in statutory_days(2027))
    added = BUNDLED.with_year(YearSchedule(2027, statutory | {weekday}, frozenset(), "测试用通知"))
    table = added.working_day_table(years)
    assert table.filter(pl.col("day") == weekday)["is_working_day"].item() is False
    assert BUNDLED.working_day_table(years) is kept
    assert BUNDLED.working_day_table(years).equals(kept)
