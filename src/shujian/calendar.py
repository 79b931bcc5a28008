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
additions never reach another's. Added years must follow on from the known ones, a year the
package knows cannot be redefined, and an added year must give every statutory day of that year
off (a schedule that omits one is a typo or an invented year, not a notice).

Until the notice is out, a year is *provisional* (暂定): a deadline that runs into it must still
be counted (a case opened on 5 December has a two-month deadline in February), so it is counted
from the days 《全国年节及纪念日放假办法》 itself gives off — fixed dates, lunar dates and the
清明 solar term, computed by `lunar-python` — with weekends as rest days and no make-up working
days, which no rule predicts. Such dates are marked 暂定 wherever they are shown and recomputed
once the notice is added. Only the `PROVISIONAL_YEARS` years after the last known one are counted
so; beyond them, and before the package's first year, the calendar still refuses to answer.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import chinese_calendar
from chinese_calendar.constants import holidays as _holidays
from chinese_calendar.constants import workdays as _workdays
from lunar_python import Lunar

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "BUNDLED",
    "PROVISIONAL_YEARS",
    "CalendarYearUnknownError",
    "HolidayCalendar",
    "StatutoryDay",
    "YearSchedule",
    "add_months",
    "add_working_days",
    "ensure_countable",
    "extend_to_working_day",
    "is_working_day",
    "known_years",
    "statutory_days",
    "working_day_table",
]

PROVISIONAL_YEARS = 5
"""Years after the last known one whose deadlines are counted provisionally from the statutory
days. Deadlines run months, not years, ahead of today; a date further out than this means the
bundled calendar has not been upgraded for years, which should be fixed rather than guessed."""


class CalendarYearUnknownError(ValueError):
    """A date falls in a year whose holiday schedule is not in the bundled calendar.

    Raised instead of guessing, because a guessed schedule yields deadlines that look right and
    are wrong around every holiday.
    """

    def __init__(self, year: int, countable: range | None = None) -> None:
        self.year = year
        scope = (
            f"可计算的年份为{countable[0]}–{countable[-1]}年（已收录年份之后的"
            f"{PROVISIONAL_YEARS}年按法定节假日暂定计算）。"
            if countable
            else ""
        )
        super().__init__(
            f"{year}年的法定节假日和调休安排尚未收录，无法计算工作日期限。{scope}请升级节假日日历，"
            f"或依国务院办公厅公布的节假日安排通知，在工作区配置 shujian.toml 中逐年添加"
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


@dataclass(frozen=True)
class StatutoryDay:
    """A day 《全国年节及纪念日放假办法》 gives every citizen off, and the festival it is for."""

    day: dt.date
    festival: str

    def __str__(self) -> str:
        return f"{self.day.isoformat()}（{self.festival}）"


REVISION_2024 = "《全国年节及纪念日放假办法》（2024年修订，2025年1月1日起施行）"
REVISION_2013 = "《全国年节及纪念日放假办法》（2013年修订，2014年1月1日起施行）"


@lru_cache(maxsize=64)
def statutory_days(year: int) -> tuple[StatutoryDay, ...]:
    """The days off that 《全国年节及纪念日放假办法》 in force in `year` gives (art. 2), in order.

    The 2024 revision (国务院令第795号, from 2025): 元旦 1 day, 春节 4 days (除夕 to 正月初三),
    清明 1 (the day of the 清明 solar term), 劳动节 2 (1–2 May), 端午 1 (五月初五), 中秋 1 (八月十五),
    国庆 3 (1–3 October). The 2013 revision (国务院令第644号, 2014–2024) had 春节 from 正月初一
    to 初三 and 劳动节 on 1 May only; it is kept so that the lunar library can be checked against
    the published years. The State Council's yearly notice only adds to these days (bridging
    weekends, make-up working days); it never takes one away.

    Lunar dates and the solar term come from `lunar-python` (its dates are checked against every
    bundled year in the tests).

    Raises:
        ValueError: `year` is before 2014 (every such year is in the bundled data).
    """
    if year < 2014:
        raise ValueError(f"{year}年早于本程序支持的放假办法（2014年起）")
    new_year = Lunar.fromYmd(year, 1, 1)
    spring = [
        (f"春节{n}", _solar(new_year.next(i))) for i, n in enumerate(("初一", "初二", "初三"))
    ]
    if year >= 2025:
        spring.insert(0, ("春节除夕", _solar(new_year.next(-1))))
    may = [dt.date(year, 5, 1), dt.date(year, 5, 2)] if year >= 2025 else [dt.date(year, 5, 1)]
    days = [
        ("元旦", dt.date(year, 1, 1)),
        *spring,
        ("清明节", _qingming(year)),
        *(("劳动节", d) for d in may),
        ("端午节", _solar(Lunar.fromYmd(year, 5, 5))),
        ("中秋节", _solar(Lunar.fromYmd(year, 8, 15))),
        *(("国庆节", dt.date(year, 10, d)) for d in (1, 2, 3)),
    ]
    return tuple(StatutoryDay(day, name) for name, day in sorted(days, key=lambda p: p[1]))


def _solar(lunar: Lunar) -> dt.date:
    solar = lunar.getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def _qingming(year: int) -> dt.date:
    # The table of the lunar year that begins in `year` holds that spring's solar terms.
    solar = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    day = dt.date(solar.getYear(), solar.getMonth(), solar.getDay())
    if (day.year, day.month) != (year, 4):
        raise ValueError(f"{year}年清明节气日期异常：{day.isoformat()}")
    return day


def provisional_schedule(year: int) -> YearSchedule:
    """A year whose notice is not out, counted from its statutory days alone: weekends off, no
    make-up working days (no rule predicts them), every statutory day off."""
    revision = REVISION_2024 if year >= 2025 else REVISION_2013
    return YearSchedule(
        year=year,
        holidays=frozenset(s.day for s in statutory_days(year)),
        workdays=frozenset(),
        source=f"{revision}规定的放假日（暂定，未计调休）",
    )


@lru_cache(maxsize=1)
def _package_years() -> range:
    years = [d.year for d in _holidays]
    return range(min(years), max(years) + 1)


def _as_date(d: dt.date) -> dt.date:
    # datetime is a subclass of date; callers sometimes pass timestamps.
    return d.date() if isinstance(d, dt.datetime) else d


@dataclass(frozen=True)
class HolidayCalendar:
    """The working-day calendar of one workspace: the bundled years, the years its
    procuratorate added from the State Council's notices (`[[calendar]]` in shujian.toml), and
    the provisional years after them (`horizon` of them, counted from the statutory days).

    A value, not process state: two workspaces served by one process each count deadlines by
    their own additions, and adding a year makes a new calendar (`with_year`) in which that year
    is no longer provisional.
    """

    added: tuple[YearSchedule, ...] = ()
    horizon: int = PROVISIONAL_YEARS
    """How many years after the last known one are counted provisionally (0: none)."""

    def _schedule(self, year: int) -> YearSchedule | None:
        added = next((s for s in self.added if s.year == year), None)
        if added is None and self.is_provisional(year):
            return provisional_schedule(year)
        return added

    def known_years(self) -> range:
        """Years whose holidays and make-up working days are published (bundled or added)."""
        base = _package_years()
        return range(base.start, max([base.stop - 1, *(s.year for s in self.added)]) + 1)

    def provisional_years(self) -> range:
        """Years counted from the statutory days alone until their notice is added (暂定)."""
        stop = self.known_years().stop
        return range(stop, stop + self.horizon)

    def countable_years(self) -> range:
        """Years the calendar answers for: the known years and the provisional ones."""
        return range(self.known_years().start, self.provisional_years().stop)

    def is_provisional(self, year: int) -> bool:
        return year in self.provisional_years()

    def provisional_in(self, start: dt.date, end: dt.date) -> tuple[int, ...]:
        """The provisional years a period from `start` to `end` touches: a date counted through
        one of them may move when its notice is added, so it is shown as 暂定 (empty: final).

        Derived from the calendar rather than stored with the date, so adding the notice ends
        the mark by itself, and a workspace that has not added it keeps it.
        """
        first, last = sorted((_as_date(start).year, _as_date(end).year))
        return tuple(y for y in range(first, last + 1) if self.is_provisional(y))

    def with_year(self, schedule: YearSchedule) -> HolidayCalendar:
        """This calendar and a year the package does not know, from the official notice.

        Raises:
            ValueError: the year is known to the package or added already with another
                schedule, does not follow on from the known years, has no source, lists a day of
                another year, lists a day as both off and working, or omits a statutory day
                (named in the message).
        """
        year = schedule.year
        if year in _package_years():
            raise ValueError(f"{year}年的节假日安排已经收录，不能在配置中另行规定。")
        existing = next((s for s in self.added if s.year == year), None)
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
        both = sorted(schedule.holidays & schedule.workdays)
        if both:
            raise ValueError(
                f"{year}年的节假日安排中 {both[0].isoformat()} 既是放假日又是调休上班日。"
            )
        missing = [s for s in statutory_days(year) if s.day not in schedule.holidays]
        if missing:
            raise ValueError(
                f"{year}年的节假日安排（holidays）缺少《全国年节及纪念日放假办法》规定的放假日："
                f"{'、'.join(map(str, missing))}。国务院办公厅的通知只会在这些日子之外增加"
                "放假日，请对照通知补全。"
            )
        return HolidayCalendar((*self.added, schedule), self.horizon)

    def ensure_countable(self, d: dt.date) -> None:
        """Raise `CalendarYearUnknownError` unless the year of `d` is known or provisional."""
        if _as_date(d).year not in self.countable_years():
            raise CalendarYearUnknownError(_as_date(d).year, self.countable_years())

    def is_working_day(self, d: dt.date) -> bool:
        """Whether `d` is a working day in mainland China (provisionally, in a provisional year).

        Statutory holidays are off even on weekdays; make-up working days (调休上班) are working
        days even on a Saturday or Sunday.
        """
        d = _as_date(d)
        self.ensure_countable(d)
        schedule = self._schedule(d.year)
        if schedule is not None:
            if d in schedule.workdays:
                return True
            return d.weekday() < 5 and d not in schedule.holidays
        return bool(chinese_calendar.is_workday(d))

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The last day of a period of `n` working days that starts on `start`.

        民法典 art. 201: "按照年、月、日计算期间的，开始的当日不计入，自下一日开始计算".
        So the start day is never counted, even when it is itself a working day; the following
        working days are counted and the `n`-th is returned. `n == 0` returns `start`.

        Raises:
            ValueError: `n` is negative.
            CalendarYearUnknownError: a day that has to be examined lies outside the countable
                years (known or provisional).
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

        Built once per process for a calendar and years (a calendar is a value): a process that
        runs models again and again (the web application, `shujian demo`'s second process)
        shares one table, which no caller changes.

        Raises:
            ValueError: `years` is not a run of consecutive years.
            CalendarYearUnknownError: a year of `years` is neither known nor provisional.
        """
        return _working_day_table(self, years)


@functools.lru_cache(maxsize=8)
def _working_day_table(calendar: HolidayCalendar, years: range) -> pl.DataFrame:
    """`HolidayCalendar.working_day_table`, kept."""
    import polars as pl  # only the model runs build the table

    if years.step != 1:
        raise ValueError("年份范围必须是连续的年份")
    for year in years:
        if year not in calendar.countable_years():
            raise CalendarYearUnknownError(year, calendar.countable_years())
    if len(years) == 0:
        return pl.DataFrame(
            schema={"day": pl.Date, "is_working_day": pl.Boolean, "working_day_no": pl.Int32}
        )
    first = dt.date(years[0], 1, 1)
    last = dt.date(years[-1], 12, 31)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    # `is_working_day` for each day, with each year's schedule looked up once (a run's table
    # spans some thirty years: ten thousand days, each checked and looked up again before)
    schedules = {y: calendar._schedule(y) for y in years}
    working = []
    for d in days:
        schedule = schedules[d.year]
        off, on = (
            (schedule.holidays, schedule.workdays)
            if schedule is not None
            else (_holidays, _workdays)
        )
        working.append(d in on or (d.weekday() < 5 and d not in off))
    return pl.DataFrame(
        {"day": days, "is_working_day": working},
        schema={"day": pl.Date, "is_working_day": pl.Boolean},
    ).with_columns(pl.col("is_working_day").cast(pl.Int32).cum_sum().alias("working_day_no"))


BUNDLED = HolidayCalendar()
"""The package's years (and the provisional ones after them): for code that has no workspace
(the demo generator, tests)."""

known_years = BUNDLED.known_years
ensure_countable = BUNDLED.ensure_countable
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
