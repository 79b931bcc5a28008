"""The register's rules, as pure functions (table tests: tests/juvenile/test_register_rules.py).

The same rules are written once more as SQL in `service.py`, which reads hundreds of thousands of
rows; `tests/juvenile/test_register_service.py` checks that both give the same answers.

* **Active on a date**: 认定日期 on or before it, and no 退出日期 or a 退出日期 after it.
* **On the register on a date**: active, and under 18 on that date by the 周岁 rule — an age is
  reached on the day *after* the birthday, so a minor leaves every active list the day after
  their 18th birthday; one born on 29 February reaches it on 1 March of a non-leap year
  (民法典 arts. 201–203; the engine's `age_on`, `engine/dialects.py`).
* **An assignment covers a date** when 开始日期 ≤ date and (no 结束日期 or 结束日期 ≥ date).
* **A visit is due in a month** (四访, monthly) for a minor of a due category (严重不良行为 by
  default) registered on or before the month's first day, not withdrawn before its last day
  (withdrawn on the last day: still due) and under 18 on its last day. The four targets are
  本人, 家庭, 学校 and 社区; a minor with no school (就读学校 empty or a placeholder such as 无)
  needs no 学校 visit. A minor due by several rows (two due categories) whose 就读学校 differ
  needs a 学校 visit when any of them names a school: a placeholder in one row does not outweigh
  a school another agency names, and a visit to that school is how the helper learns which is
  right (`school_required`).
* A month whose last day has passed with a target missing is **late**: the visits of a month
  may be made until its last day ends (民法典 art. 203: a period's last day ends at midnight), so
  on that day the month is still open and from the next day it is late (`late_months`,
  `visit_status`). `juvenile.visit_missing` looks back over the same months.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from shujian.errors import UserError
from shujian.limits import FIRST_YEAR, LAST_YEAR

FOUR_VISITS = ("本人", "家庭", "学校", "社区")
"""四访: the minor, the family, the school, the village or community (as `minor_visits` stores
them, in this order)."""

SCHOOL = "学校"

DUE_CATEGORIES = ("serious_misconduct",)
"""Categories whose minors are visited every month (the contract's rule; `juvenile.visit_missing`
may declare others as its parameter, and the register then follows the model)."""

NO_SCHOOL_VALUES = ("无", "/", "-", "—", "未就读", "不在校", "辍学", "未入学")
"""What registers write in 就读学校 for a minor not at school (as empty: no 学校 visit)."""

LATE_MONTHS = 3
"""Complete months before the current one that the late list looks back over (as the model)."""

ADULT_AGE = 18


def _ymd(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def age_on(id_card: str, day: dt.date) -> int | None:
    """Age in 周岁 on `day` from the birth date in an 18-character ID number (None if the number
    holds no birth date): the engine's `age_on`, in Python — reached on the day after the
    birthday, 29 February's on 1 March of a non-leap year."""
    birth = id_card[6:14] if len(id_card) == 18 else ""
    if not birth.isdigit():
        return None
    return (_ymd(day) - int(birth) - 1) // 10000


def under_18_on(id_card: str, day: dt.date) -> bool:
    """Under 18 on `day` (an unreadable number is not taken for a minor's)."""
    age = age_on(id_card, day)
    return age is not None and age < ADULT_AGE


def active_on(identified_on: dt.date, withdrawn_on: dt.date | None, day: dt.date) -> bool:
    """认定日期 ≤ day and (no 退出日期 or 退出日期 > day)."""
    return identified_on <= day and (withdrawn_on is None or withdrawn_on > day)


def on_register(
    id_card: str, identified_on: dt.date, withdrawn_on: dt.date | None, day: dt.date
) -> bool:
    """Active on `day` and under 18 on it: listed, counted, visible as a current minor."""
    return active_on(identified_on, withdrawn_on, day) and under_18_on(id_card, day)


def covers(started_on: dt.date, ended_on: dt.date | None, day: dt.date) -> bool:
    """An assignment covers `day`: 开始日期 ≤ day and (no 结束日期 or 结束日期 ≥ day)."""
    return started_on <= day and (ended_on is None or ended_on >= day)


_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, known by its first day."""

    first: dt.date

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.replace(day=1))

    @classmethod
    def parse(cls, text: str) -> Month:
        """2026-05 (also 2026/5, 2026年5月); refused in Chinese otherwise."""
        found = _MONTH.match(text or "")
        if (
            found
            and 1 <= int(found.group(2)) <= 12
            and FIRST_YEAR <= int(found.group(1)) <= LAST_YEAR
        ):
            return cls(dt.date(int(found.group(1)), int(found.group(2)), 1))
        raise UserError(f"月份“{text}”格式不对，应写作 2026-05。", code="bad_month")

    @property
    def last(self) -> dt.date:
        return self.next().first - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.first.year:04d}-{self.first.month:02d}"

    def next(self) -> Month:
        year, month = divmod(self.first.year * 12 + self.first.month, 12)
        return Month(dt.date(year, month + 1, 1))

    def previous(self) -> Month:
        year, month = divmod(self.first.year * 12 + self.first.month - 2, 12)
        return Month(dt.date(year, month + 1, 1))

    def __str__(self) -> str:
        return self.label


def late_months(today: dt.date, count: int = LATE_MONTHS) -> tuple[Month, ...]:
    """The `count` months before the month of `today`, oldest first: the months whose last day
    has passed (on a month's last day that month is not yet among them)."""
    months = []
    month = Month.of(today)
    for _ in range(count):
        month = month.previous()
        months.append(month)
    return tuple(reversed(months))


def due_in_month(
    id_card: str, identified_on: dt.date, withdrawn_on: dt.date | None, month: Month
) -> bool:
    """Whether one registry row (of a due category) makes the minor due a visit in `month`:
    registered on or before its first day, not withdrawn before its last day, under 18 on its
    last day. A minor with several such rows is due when any of them is."""
    return (
        identified_on <= month.first
        and (withdrawn_on is None or withdrawn_on >= month.last)
        and under_18_on(id_card, month.last)
    )


def has_school(school: str | None, no_school: Iterable[str] = NO_SCHOOL_VALUES) -> bool:
    """就读学校 names a school (not empty, not a placeholder such as 无)."""
    text = (school or "").strip()
    return bool(text) and text not in set(no_school)


def school_required(
    schools: Iterable[str | None], no_school: Iterable[str] = NO_SCHOOL_VALUES
) -> bool:
    """Whether the month's due rows of one minor ask for a 学校 visit: any of them names a school
    (青岚中学 in one row and 无 or 辍学 in another: the school is visited)."""
    placeholders = tuple(no_school)
    return any(has_school(s, placeholders) for s in schools)


def shown_school(
    schools: Iterable[str | None], no_school: Iterable[str] = NO_SCHOOL_VALUES
) -> str | None:
    """The 就读学校 shown for a minor with several rows: the school named (the greatest, when
    rows name different schools), else what the rows write (a placeholder), else None."""
    placeholders = tuple(no_school)
    written = [s for s in schools if s is not None]
    named = [s for s in written if has_school(s, placeholders)]
    return max(named or written, default=None)


def required_targets(school: bool) -> tuple[str, ...]:
    """The targets a month's visits must reach: all four, 学校 only when there is a school."""
    return tuple(t for t in FOUR_VISITS if school or t != SCHOOL)


def visited_targets(cells: Iterable[str | None]) -> frozenset[str]:
    """The targets reached by visits whose 走访对象 cells are given (stored as 本人、家庭)."""
    return frozenset(t for cell in cells if cell for t in cell.split("、") if t)


def missing_targets(required: Iterable[str], visited: Iterable[str]) -> tuple[str, ...]:
    """The required targets no visit reached, in the order of the four."""
    seen = set(visited)
    wanted = set(required)
    return tuple(t for t in FOUR_VISITS if t in wanted and t not in seen)


VisitStatus = Literal["done", "due", "late"]

STATUS_LABELS: dict[str, str] = {"done": "已落实", "due": "待走访", "late": "逾期未走访"}


def visit_status(month: Month, today: dt.date, missing: Iterable[str]) -> VisitStatus:
    """A due month's state on `today`: done (nothing missing), due (something missing and the
    month not over), late (something missing after its last day)."""
    if not tuple(missing):
        return "done"
    return "late" if month.last < today else "due"
