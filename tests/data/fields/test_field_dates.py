"""Dates, date-times and months in every form agencies export, including Excel serials."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from shujian.data.fields.dates import DateField, DateTimeField, MonthField, parse_temporal


def parse_dates(*cells: str | None) -> list[tuple[date | None, str | None]]:
    parsed = DateField().parse(pl.Series("日期", list(cells), dtype=pl.Utf8))
    return list(zip(parsed.value.to_list(), parsed.error.to_list(), strict=True))


def parse_moments(*cells: str | None) -> list[tuple[datetime | None, str | None]]:
    parsed = DateTimeField().parse(pl.Series("时间", list(cells), dtype=pl.Utf8))
    return list(zip(parsed.value.to_list(), parsed.error.to_list(), strict=True))


def parse_months(*cells: str | None) -> list[tuple[date | None, str | None]]:
    parsed = MonthField().parse(pl.Series("年月", list(cells), dtype=pl.Utf8))
    return list(zip(parsed.value.to_list(), parsed.error.to_list(), strict=True))


MARCH_1 = date(2024, 3, 1)


@pytest.mark.parametrize(
    "written",
    [
        "2024-03-01",
        "2024-3-1",
        "2024/3/1",
        "2024/03/01",
        "2024.3.1",
        "20240301",
        "2024年3月1日",
        "2024年03月01日",
        "2024年3月1号",
        "２０２４－０３－０１",
        "２０２４年３月１日",
        " 2024-03-01 ",
        "2024-03-01 00:00:00",
        "2024/3/1 0:00",
        "2024-03-01T08:30:00",
        "45352",
        "45352.0",
        "45352.75",
    ],
)
def test_every_written_form_of_a_date_is_read(written: str) -> None:
    assert parse_dates(written) == [(MARCH_1, None)]


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        ("1", date(1900, 1, 1)),
        ("59", date(1900, 2, 28)),
        ("61", date(1900, 3, 1)),  # after Excel's fictitious 1900-02-29 the base shifts
        ("45352", date(2024, 3, 1)),
        ("99999", date(2173, 10, 13)),
    ],
)
def test_excel_serials_follow_the_1900_date_system(serial: str, expected: date) -> None:
    assert parse_dates(serial) == [(expected, None)]


def test_excel_serial_60_is_the_1900_leap_day_that_never_was() -> None:
    assert parse_dates("60") == [(None, "日期不存在")]


@pytest.mark.parametrize("year_like", ["2024", "1999", "2024.0"])
def test_a_bare_year_is_not_taken_for_an_excel_serial(year_like: str) -> None:
    # 2024 as a serial would be 1905-07-16; a lone year is almost certainly a year.
    assert parse_dates(year_like)[0][0] is None


@pytest.mark.parametrize("impossible", ["2024-02-30", "2023-02-29", "2024-13-01", "2024-04-31"])
def test_impossible_dates_are_rejected_not_rolled_over(impossible: str) -> None:
    assert parse_dates(impossible) == [(None, "日期不存在")]


def test_leap_day_is_a_real_date() -> None:
    assert parse_dates("2024-02-29", "2000-02-29") == [
        (date(2024, 2, 29), None),
        (date(2000, 2, 29), None),
    ]


@pytest.mark.parametrize("garbage", ["abc", "3/1/2024", "24-3-1", "2024-03-011", "0", "-5", "明天"])
def test_unrecognisable_text_is_rejected(garbage: str) -> None:
    assert parse_dates(garbage) == [(None, "无法识别的日期格式")]


def test_implausible_year_is_rejected() -> None:
    assert parse_dates("0224-03-01") == [(None, "年份超出合理范围（1800–2200年）")]


def test_a_month_is_not_a_date() -> None:
    assert parse_dates("2024-03", "2024年3月") == [(None, "日期不完整（缺少日）")] * 2


def test_empty_cells_have_no_value_and_no_reason() -> None:
    assert parse_dates(None, "", "   ", "\u3000") == [(None, None)] * 4


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2024-03-01 12:30:45", datetime(2024, 3, 1, 12, 30, 45)),
        ("2024/3/1 9:05", datetime(2024, 3, 1, 9, 5)),
        ("2024-03-01T12:30:45.25", datetime(2024, 3, 1, 12, 30, 45, 250000)),
        ("2024年3月1日 12:30", datetime(2024, 3, 1, 12, 30)),
        ("2024年3月1日12时30分", datetime(2024, 3, 1, 12, 30)),
        ("2024年3月1日12点30分15秒", datetime(2024, 3, 1, 12, 30, 15)),
        ("2024/3/1 下午 3:05:00", datetime(2024, 3, 1, 15, 5)),
        ("2024/3/1 12:05 AM", datetime(2024, 3, 1, 0, 5)),
        ("20240301123045", datetime(2024, 3, 1, 12, 30, 45)),
        ("２０２４－０３－０１　１２：３０", datetime(2024, 3, 1, 12, 30)),
        ("2024-03-01", datetime(2024, 3, 1)),
        ("45352.5", datetime(2024, 3, 1, 12, 0)),
        ("45352.75", datetime(2024, 3, 1, 18, 0)),
        ("2024-03-01T04:30:00Z", datetime(2024, 3, 1, 12, 30)),
        ("2024-03-01T12:30:00+08:00", datetime(2024, 3, 1, 12, 30)),
        ("2024-03-01T06:30:00+02:00", datetime(2024, 3, 1, 12, 30)),
    ],
)
def test_date_times_are_read_as_beijing_local_time(written: str, expected: datetime) -> None:
    assert parse_moments(written) == [(expected, None)]


@pytest.mark.parametrize(
    "bad_time", ["2024-03-01 24:00", "2024-03-01 12:60", "2024-03-01 13:00 PM"]
)
def test_impossible_times_are_rejected(bad_time: str) -> None:
    assert parse_moments(bad_time) == [(None, "时间不存在")]


@pytest.mark.parametrize(
    "written",
    [
        "2024-03",
        "2024/3",
        "2024.3",
        "202403",
        "2024年3月",
        "2024年03月",
        "２０２４年３月",
        "2024-03-17",
        "2024/3/31 23:59:59",
        "45352",
    ],
)
def test_month_accepts_a_month_or_a_date_in_it(written: str) -> None:
    assert parse_months(written) == [(MARCH_1, None)]


def test_month_13_does_not_exist() -> None:
    assert parse_months("2024-13", "202413") == [(None, "日期不存在")] * 2


def test_all_three_types_share_one_parser() -> None:
    raw = pl.Series(["2024/3/1 12:30", "45352.5", "2024-02-30", "2024年3月"])
    for field, want in (
        (DateField(), "date"),
        (DateTimeField(), "datetime"),
        (MonthField(), "month"),
    ):
        direct = parse_temporal(raw, want)
        via_field = field.parse(raw)
        assert via_field.value.to_list() == direct.value.to_list()
        assert via_field.error.to_list() == direct.error.to_list()


def _mixed_dates(n: int) -> pl.Series:
    """Dates over 30 years in the six forms agencies mix within one column."""
    rng = np.random.default_rng(0)
    days = pl.Series(rng.integers(9_000, 20_000, n)).cast(pl.Date)  # 1994 … 2024
    form = rng.integers(0, 6, n)
    frame = pl.DataFrame({"d": days, "form": form}).select(
        pl.when(pl.col("form") == 0)
        .then(pl.col("d").dt.strftime("%Y-%m-%d"))
        .when(pl.col("form") == 1)
        .then(pl.col("d").dt.strftime("%Y/%-m/%-d"))
        .when(pl.col("form") == 2)
        .then(pl.col("d").dt.strftime("%Y年%-m月%-d日"))
        .when(pl.col("form") == 3)
        .then(pl.col("d").dt.strftime("%Y%m%d"))
        .when(pl.col("form") == 4)
        .then((pl.col("d").cast(pl.Int64) + 25_569).cast(pl.Utf8))  # Excel serial
        .otherwise(pl.col("d").dt.strftime("%Y-%m-%d 00:00:00"))
    )
    return frame.to_series()


@pytest.mark.parametrize("field", [DateField(), MonthField()])
def test_parses_a_million_mixed_dates_in_bulk(field: DateField | MonthField) -> None:
    raw = _mixed_dates(1_000_000)
    parsed = field.parse(raw)
    assert parsed.error.null_count() == raw.len()


def test_parses_a_million_unique_check_in_times_in_bulk() -> None:
    rng = np.random.default_rng(0)
    seconds = pl.Series(rng.integers(0, 10**8, 1_000_000))
    raw = (pl.lit(datetime(2020, 1, 1)) + pl.duration(seconds=seconds)).dt.strftime(
        "%Y-%m-%d %H:%M:%S"
    )
    raw = pl.select(raw).to_series()
    parsed = DateTimeField().parse(raw)
    assert parsed.error.null_count() == raw.len()
    assert parsed.value[0] == datetime(2020, 1, 1) + timedelta(seconds=int(seconds[0]))
