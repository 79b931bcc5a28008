"""Working days and legal periods, checked against hand counts on the official schedules."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from shujian.calendar import (
    CalendarYearUnknownError,
    add_months,
    add_working_days,
    ensure_known,
    extend_to_working_day,
    is_working_day,
    known_years,
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


def test_year_outside_the_data_raises_in_chinese() -> None:
    with pytest.raises(CalendarYearUnknownError, match="2027年") as info:
        is_working_day(date(2027, 1, 4))
    assert info.value.year == 2027
    assert isinstance(info.value, ValueError)
    with pytest.raises(CalendarYearUnknownError):
        ensure_known(date(2003, 12, 31))
    ensure_known(date(2026, 12, 31))


def test_working_days_running_into_an_unknown_year_raise() -> None:
    with pytest.raises(CalendarYearUnknownError, match="2027"):
        add_working_days(date(2026, 12, 20), 20)
    with pytest.raises(CalendarYearUnknownError):
        extend_to_working_day(date(2027, 1, 1))


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
        working_day_table(range(2026, 2028))
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
    """Today (December 2026) a two-month deadline ends in 2027: the procuratorate adds the
    year from the State Council's notice, with its source, and its deadlines count by it."""
    from shujian.cases.deadlines import deadline
    from shujian.errors import UserError
    from shujian.workspace import init_workspace, open_workspace

    ws = init_workspace(tmp_path / "ws")
    with pytest.raises(CalendarYearUnknownError, match=r"shujian\.toml"):
        deadline("reply", date(2026, 12, 1), calendar=ws.calendar)
    config = ws.root / "shujian.toml"
    text = config.read_text(encoding="utf-8")
    # an invented schedule for the test only (not the real 2027 notice)
    entry = (
        '\n[[calendar]]\nyear = 2027\nsource = "测试用通知"\n'
        'holidays = ["2027-01-01", "2027-02-01..2027-02-03"]\nworkdays = ["2027-01-30"]\n'
    )
    config.write_text(text + entry, encoding="utf-8")
    calendar = open_workspace(ws.root).calendar
    assert 2027 in calendar.known_years()
    assert not calendar.is_working_day(date(2027, 2, 2))  # a Tuesday, declared a holiday
    assert calendar.is_working_day(date(2027, 1, 30))  # a Saturday, declared a make-up day
    assert calendar.is_working_day(date(2027, 2, 4))  # an ordinary Thursday
    # 2026-12-01 + 2 months = 2027-02-01, a declared holiday → 02-04 (Thursday)
    assert deadline("reply", date(2026, 12, 1), calendar=calendar) == date(2027, 2, 4)
    with pytest.raises(CalendarYearUnknownError, match="2028"):
        calendar.is_working_day(date(2028, 1, 3))
    config.write_text(text + entry.replace("测试用通知", " "), encoding="utf-8")
    with pytest.raises(UserError, match="source"):
        open_workspace(ws.root)
    config.write_text(text + entry.replace("2027", "2026"), encoding="utf-8")
    with pytest.raises(UserError, match="已经收录"):
        open_workspace(ws.root)
    config.write_text(text + entry.replace("2027", "2029"), encoding="utf-8")
    with pytest.raises(UserError, match="下一个应为2027年"):
        open_workspace(ws.root)


def test_one_workspace_s_added_year_does_not_reach_another(tmp_path) -> None:
    """The calendar belongs to the workspace: a process serving two procuratorates (the web
    application) counts each one's deadlines by its own notices only."""
    from shujian.workspace import init_workspace, open_workspace

    with_2027 = init_workspace(tmp_path / "a")
    config = with_2027.root / "shujian.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[[calendar]]\nyear = 2027\nsource = "测试用通知"\nholidays = ["2027-01-01"]\n',
        encoding="utf-8",
    )
    assert 2027 in open_workspace(with_2027.root).calendar.known_years()
    without = init_workspace(tmp_path / "b")
    assert 2027 not in without.calendar.known_years()
    assert 2027 not in known_years()
    with pytest.raises(CalendarYearUnknownError):
        without.calendar.is_working_day(date(2027, 1, 4))
