"""The one place that knows Chinese working days and how legal periods are counted.

Deadlines in supervision work are counted two ways: in Chinese working days (a wage deposit is due
"within 20 working days" of the construction permit) and in calendar months (an agency replies to a
procuratorial recommendation within two months). Both follow the 民法典 rules on periods
(arts. 200–204). Working days are not weekdays: the State Council moves days around every year
(调休), so a Saturday can be a working day and a Thursday a holiday. The schedule is published one
year at a time, so for a year the bundled data does not know we refuse to answer rather than
silently treating it as Monday-to-Friday, which would give wrong deadlines with no warning.

Everything here is backed by the `chinesecalendar` package (`chinese_calendar`). A year it does
not know yet (its schedule is published each November by the State Council) can be added by the
procuratorate from the official notice, with that notice as its source: `[[calendar]]` entries in
shujian.toml make the workspace's own `HolidayCalendar` (`Workspace.calendar`), so one workspace's
additions never reach another's. Added years must follow on from the known ones, and a year the
package knows cannot be redefined. The module-level functions answer for the bundled years only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar
import polars as pl
from chinese_calendar.constants import holidays as _holidays

__all__ = [
    "BUNDLED",
    "CalendarYearUnknownError",
    "HolidayCalendar",
    "YearSchedule",
    "add_months",
    "add_working_days",
    "ensure_known",
    "extend_to_working_day",
    "is_working_day",
    "known_years",
    "working_day_table",
]


class CalendarYearUnknownError(ValueError):
    """A date falls in a year whose holiday schedule is not in the bundled calendar.

    Raised instead of guessing, because a guessed schedule yields deadlines that look right and
    are wrong around every holiday.
    """

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"{year}年的法定节假日和调休安排尚未收录，无法计算工作日期限。请升级节假日日历，"
            f"或依国务院办公厅公布的{year}年节假日安排通知，在工作区配置 shujian.toml 中添加"
            f"[[calendar]]（year、holidays、workdays、source）后重试。"
        )


@dataclass(frozen=True)
class YearSchedule:
    """One year's schedule as the State Council's notice gives it."""

    year: int
    holidays: frozenset[dt.date]
    """Days off (法定节假日 and the rest days joined to them), weekdays or not."""
    workdays: frozenset[dt.date]
    """Make-up working days (调休上班), usually a Saturday or Sunday."""
    source: str


@lru_cache(maxsize=1)
def _package_years() -> range:
    years = [d.year for d in _holidays]
    return range(min(years), max(years) + 1)


def _as_date(d: dt.date) -> dt.date:
    # datetime is a subclass of date; callers sometimes pass timestamps.
    return d.date() if isinstance(d, dt.datetime) else d


@dataclass(frozen=True)
class HolidayCalendar:
    """The working-day calendar of one workspace: the bundled years and the years its
    procuratorate added from the State Council's notices (`[[calendar]]` in shujian.toml).

    A value, not process state: two workspaces served by one process each count deadlines by
    their own additions, and adding a year makes a new calendar (`with_year`).
    """

    added: tuple[YearSchedule, ...] = ()

    def _schedule(self, year: int) -> YearSchedule | None:
        return next((s for s in self.added if s.year == year), None)

    def known_years(self) -> range:
        """Years whose statutory holidays and make-up working days the calendar knows."""
        base = _package_years()
        return range(base.start, max([base.stop - 1, *(s.year for s in self.added)]) + 1)

    def with_year(self, schedule: YearSchedule) -> HolidayCalendar:
        """This calendar and a year the package does not know, from the official notice.

        Raises:
            ValueError: the year is known to the package or added already with another
                schedule, does not follow on from the known years, has no source, or lists a
                day of another year.
        """
        year = schedule.year
        if year in _package_years():
            raise ValueError(f"{year}年的节假日安排已经收录，不能在配置中另行规定。")
        existing = self._schedule(year)
        if existing is not None:
            if existing != schedule:
                raise ValueError(f"{year}年的节假日安排已经以不同内容添加过。")
            return self
        if year != self.known_years().stop:
            raise ValueError(
                f"只能接续已收录的年份添加节假日安排：下一个应为{self.known_years().stop}年。"
            )
        if not schedule.source.strip():
            raise ValueError(f"{year}年的节假日安排必须写明依据（source），即国务院办公厅的通知。")
        stray = sorted(d for d in schedule.holidays | schedule.workdays if d.year != year)
        if stray:
            raise ValueError(
                f"{year}年的节假日安排中出现了其他年份的日期：{stray[0].isoformat()}。"
            )
        return HolidayCalendar((*self.added, schedule))

    def ensure_known(self, d: dt.date) -> None:
        """Raise `CalendarYearUnknownError` unless the year of `d` is known."""
        if d.year not in self.known_years():
            raise CalendarYearUnknownError(d.year)

    def is_working_day(self, d: dt.date) -> bool:
        """Whether `d` is a working day in mainland China.

        Statutory holidays are off even on weekdays; make-up working days (调休上班) are working
        days even on a Saturday or Sunday.
        """
        d = _as_date(d)
        self.ensure_known(d)
        added = self._schedule(d.year)
        if added is not None:
            if d in added.workdays:
                return True
            return d.weekday() < 5 and d not in added.holidays
        return bool(chinese_calendar.is_workday(d))

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The last day of a period of `n` working days that starts on `start`.

        民法典 art. 201: "按照年、月、日计算期间的，开始的当日不计入，自下一日开始计算".
        So the start day is never counted, even when it is itself a working day; the following
        working days are counted and the `n`-th is returned. `n == 0` returns `start`.

        Raises:
            ValueError: `n` is negative.
            CalendarYearUnknownError: a day that has to be examined lies outside the known years.
        """
        if n < 0:
            raise ValueError("工作日天数不能为负数")
        day = _as_date(start)
        remaining = n
        while remaining:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def extend_to_working_day(self, d: dt.date) -> dt.date:
        """Move the last day of a period off a rest day.

        民法典 art. 203: "期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日".
        Rest days (法定休假日) include ordinary weekends as well as statutory holidays, and a
        make-up working day is not a rest day, so the result is `d` itself if it is a working
        day, otherwise the next working day.

        Use it for deadlines counted in months or calendar days (e.g. a two-month reply period,
        `extend_to_working_day(add_months(served, 2))`). Periods counted in working days already
        end on a working day and need no extension.
        """
        d = _as_date(d)
        while not self.is_working_day(d):
            d += dt.timedelta(days=1)
        return d

    def working_day_table(self, years: range) -> pl.DataFrame:
        """Every day of `years` with a running count of working days, for deadlines in SQL.

        Columns: `day` (Date), `is_working_day` (Boolean), `working_day_no` (Int32: number of
        working days on or before `day` since the first day of the range). A deadline of `n`
        working days after `start` is then an equi-join: the working day whose
        `working_day_no` equals `working_day_no(start) + n`. This matches `add_working_days`
        because the count does not move on rest days, so the start day itself is never counted.

        Raises:
            ValueError: `years` is not a run of consecutive years.
            CalendarYearUnknownError: a year of `years` is outside the known years.
        """
        if years.step != 1:
            raise ValueError("年份范围必须是连续的年份")
        for year in years:
            if year not in self.known_years():
                raise CalendarYearUnknownError(year)
        if len(years) == 0:
            return pl.DataFrame(
                schema={"day": pl.Date, "is_working_day": pl.Boolean, "working_day_no": pl.Int32}
            )
        first = dt.date(years[0], 1, 1)
        last = dt.date(years[-1], 12, 31)
        days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        working = [self.is_working_day(d) for d in days]
        return pl.DataFrame(
            {"day": days, "is_working_day": working},
            schema={"day": pl.Date, "is_working_day": pl.Boolean},
        ).with_columns(pl.col("is_working_day").cast(pl.Int32).cum_sum().alias("working_day_no"))


BUNDLED = HolidayCalendar()
"""The package's years only: for code that has no workspace (the demo generator, tests)."""

known_years = BUNDLED.known_years
ensure_known = BUNDLED.ensure_known
is_working_day = BUNDLED.is_working_day
add_working_days = BUNDLED.add_working_days
extend_to_working_day = BUNDLED.extend_to_working_day
working_day_table = BUNDLED.working_day_table


def add_months(start: dt.date, n: int) -> dt.date:
    """The day `n` calendar months after `start` (`n` may be negative).

    民法典 art. 202: "按照年、月计算期间的，到期月的对应日为期间的最后一日；
    没有对应日的，月末日为期间的最后一日". So 2024-01-31 + 1 month is 2024-02-29 and
    2023-01-31 + 1 month is 2023-02-28. Holidays are not considered here; apply
    `extend_to_working_day` to the result for that.
    """
    start = _as_date(start)
    month_index = start.year * 12 + (start.month - 1) + n
    year, month = divmod(month_index, 12)
    month += 1
    return dt.date(year, month, min(start.day, _days_in_month(year, month)))


def _days_in_month(year: int, month: int) -> int:
    first_of_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return (first_of_next - dt.timedelta(days=1)).day
