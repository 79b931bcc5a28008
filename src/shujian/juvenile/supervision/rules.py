"""督办's rules, as pure functions (table tests: tests/juvenile/test_supervision_rules.py).

* **一月一提示**: the prompt of a month M is due on the first working day of M+1 (the workspace's
  calendar: 调休 counted, a provisional year's days marked 暂定). Before M has ended there is
  nothing to prompt; after M's last day and before that working day the lists are a *preview*.
* **一季一督导**: quarters are calendar quarters (1–3, 4–6, 7–9, 10–12); only the months of a
  quarter that have ended count (a month is judged after its last day).
* **一案一督办**: a deadline of N working days counts from the day after the item is opened
  (民法典 art. 201, `HolidayCalendar.add_working_days`). An item is overdue (逾期) while it is open
  after its deadline; one closed after its deadline was closed late (逾期办结).
* **一月一暗访**: each minor of a month's population gets a score, HMAC-SHA256 under a secret of
  the workspace over the month and the number; each stratum's sample is its lowest scores. The
  same month, secret and population give the same sample (reproducible); without the secret no
  one can tell who will be drawn (units cannot prepare); a minor joining or leaving a stratum
  moves at most one place of its sample while its size stays the same (stable).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from shujian import yamlfile
from shujian.calendar import HolidayCalendar
from shujian.errors import UserError
from shujian.juvenile.register import Month
from shujian.limits import FIRST_YEAR, LAST_YEAR

DECLARATIONS = Path(__file__).with_name("declarations.yaml")


@dataclass(frozen=True)
class SpotCheckRule:
    percent: float
    minimum: int
    by: Literal["town", "unit"]
    source: str
    results: dict[str, str]


@dataclass(frozen=True)
class Declarations:
    """What `declarations.yaml` declares (see the comments there)."""

    warning_models: tuple[str, ...]
    working_days: int
    deadline_source: str
    spot_check: SpotCheckRule
    text_limit: int


@lru_cache(maxsize=1)
def declarations() -> Declarations:
    raw: dict[str, Any] = yamlfile.load(DECLARATIONS.read_text(encoding="utf-8"))
    spot = raw["spot_check"]
    if spot["by"] not in ("town", "unit"):
        raise ValueError(f"spot_check.by must be town or unit, not {spot['by']!r}")
    return Declarations(
        warning_models=tuple(raw["warning_models"]),
        working_days=int(raw["deadline"]["working_days"]),
        deadline_source=str(raw["deadline"]["source"]),
        spot_check=SpotCheckRule(
            percent=float(spot["percent"]),
            minimum=int(spot["minimum"]),
            by=spot["by"],
            source=str(spot["source"]),
            results={str(k): str(v) for k, v in spot["results"].items()},
        ),
        text_limit=int(raw["text_limit"]),
    )


# ---------------------------------------------------------------------------- 一月一提示


PromptState = Literal["not_over", "preview", "final"]


@dataclass(frozen=True)
class PromptTiming:
    """When a month's prompt is due and what it is on `today`."""

    month: Month
    day: dt.date
    """The first working day of the next month."""
    state: PromptState
    provisional: tuple[int, ...]
    """Provisional years the day was counted through (empty: the day is final)."""

    @property
    def preview(self) -> bool:
        return self.state == "preview"


def first_working_day(month: Month, calendar: HolidayCalendar) -> dt.date:
    """The month's first working day (a make-up Sunday counts; a holiday does not)."""
    return calendar.extend_to_working_day(month.first)


def prompt_timing(month: Month, today: dt.date, calendar: HolidayCalendar) -> PromptTiming:
    """The prompt of `month`: due on the first working day of the next month; `not_over` until
    the month's last day has passed, `preview` from then until that working day, `final` after."""
    day = first_working_day(month.next(), calendar)
    state: PromptState
    if today <= month.last:
        state = "not_over"
    elif today < day:
        state = "preview"
    else:
        state = "final"
    return PromptTiming(month, day, state, calendar.provisional_in(day, day))


def refuse_unfinished(timing: PromptTiming) -> None:
    if timing.state == "not_over":
        raise UserError(
            f"{timing.month.label} 尚未结束（最后一日为 {timing.month.last.isoformat()}），"
            "还不能判断当月走访是否落实：一月一提示在次月第一个工作日"
            f"（{timing.day.isoformat()}）发出。",
            code="month_not_over",
        )


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def safe_file_name(name: str, fallback: str = "未命名单位") -> str:
    """A unit's name as a file name on every system: the characters Windows and Unix refuse
    (\\ / : * ? " < > | and control characters) become "_", NFC, no leading or trailing dots
    or spaces, at most 80 characters."""
    text = unicodedata.normalize("NFC", name or "")
    text = _UNSAFE.sub("_", text).strip(" .")
    return text[:80].strip(" .") or fallback


def file_names(names: Iterable[str], suffix: str = ".xlsx") -> dict[str, str]:
    """Name → a safe, distinct file name (two names made alike get -2, -3 …; compared without
    case, as Windows and macOS compare them)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        base = safe_file_name(name)
        candidate, n = base, 1
        while candidate.casefold() in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate.casefold())
        out[name] = candidate + suffix
    return out


# ---------------------------------------------------------------------------- 一季一督导

_QUARTER = re.compile(
    r"^\s*(\d{4})\s*(?:[-/ ]?\s*[Qq]\s*([1-4])|年?\s*第?\s*([1-4一二三四])\s*季度?)\s*$"
)
_CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter: 1 (January–March) to 4 (October–December)."""

    year: int
    number: int

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """2026Q4, 2026-Q4, 2026年第四季度, 2026年第4季度; refused in Chinese otherwise."""
        found = _QUARTER.match(text or "")
        if found and FIRST_YEAR <= int(found.group(1)) <= LAST_YEAR:
            digit = found.group(2) or found.group(3)
            number = _CHINESE_DIGITS.get(digit) or int(digit)
            return cls(int(found.group(1)), number)
        raise UserError(
            f"季度“{text}”格式不对，应写作 2026Q4 或 2026年第四季度。", code="bad_quarter"
        )

    @property
    def months(self) -> tuple[Month, ...]:
        first = Month(dt.date(self.year, 3 * self.number - 2, 1))
        return (first, first.next(), first.next().next())

    @property
    def first(self) -> dt.date:
        return self.months[0].first

    @property
    def last(self) -> dt.date:
        return self.months[-1].last

    @property
    def label(self) -> str:
        return f"{self.year}年第{'一二三四'[self.number - 1]}季度"

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.number}"

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    def __str__(self) -> str:
        return self.code


def ended_months(quarter: Quarter, today: dt.date) -> tuple[Month, ...]:
    """The quarter's months whose last day is before `today` (the ones whose visits are judged)."""
    return tuple(m for m in quarter.months if m.last < today)


def done_rate(due: int, done: int) -> str:
    """落实率 as the reports write it: 93.3% (one decimal), — when nothing was due."""
    if not due:
        return "—"
    return f"{100 * done / due:.1f}%"


# ---------------------------------------------------------------------------- 一案一督办

ItemStatus = Literal["open", "overdue", "closed", "closed_late"]

ITEM_STATUS_LABELS: dict[str, str] = {
    "open": "办理中",
    "overdue": "逾期",
    "closed": "已办结",
    "closed_late": "逾期办结",
}


MAX_WORKING_DAYS = 250
"""About a year of working days: a 督办 deadline further out is a typing mistake."""


def deadline_after(opened_on: dt.date, working_days: int, calendar: HolidayCalendar) -> dt.date:
    """The deadline of an item opened on `opened_on`: its `working_days`-th working day, the
    opening day not counted (民法典 art. 201)."""
    if not 1 <= working_days <= MAX_WORKING_DAYS:
        raise UserError(
            f"督办期限应为1至{MAX_WORKING_DAYS}个工作日，收到 {working_days}。", code="bad_deadline"
        )
    return calendar.add_working_days(opened_on, working_days)


def item_status(deadline: dt.date, closed_on: dt.date | None, today: dt.date) -> ItemStatus:
    """An item's status on `today`: open until closed, overdue once `today` is after the
    deadline while it is open; closed on or before the deadline, or closed late."""
    if closed_on is not None:
        return "closed_late" if closed_on > deadline else "closed"
    return "overdue" if today > deadline else "open"


def days_overdue(deadline: dt.date, closed_on: dt.date | None, today: dt.date) -> int:
    """Days past the deadline: to `today` while open, to the closing day once closed (0 if none)."""
    end = closed_on if closed_on is not None else today
    return max(0, (end - deadline).days)


def overdue_in(
    deadline: dt.date, closed_on: dt.date | None, first: dt.date, last: dt.date, today: dt.date
) -> bool:
    """Whether an item counts as 逾期 in the period `first`–`last`: its deadline fell in the
    period and had passed by `today` without the item being closed on or before it. Each overdue
    item is counted once, in the period of its deadline."""
    return (
        first <= deadline <= last
        and deadline < today
        and (closed_on is None or closed_on > deadline)
    )


def subject_number(subject: str) -> str:
    """The minor's ID number in a warning's subject (the number, or number/YYYY-MM)."""
    return subject.partition("/")[0]


# ---------------------------------------------------------------------------- 一月一暗访


def sample_size(population: int, percent: float, minimum: int) -> int:
    """How many to draw from a stratum of `population`: `percent` of it rounded up, at least
    `minimum`, at most all of it."""
    if population <= 0:
        return 0
    wanted = max(minimum, math.ceil(population * percent / 100 - 1e-9))
    return min(population, wanted)


def spot_score(secret: str, month: Month, id_card: str) -> str:
    """A minor's place in a month's draw: HMAC-SHA256(secret, "YYYY-MM|number"), hex."""
    message = f"{month.label}|{id_card}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def check_sample_parameters(percent: float, minimum: int) -> None:
    if not 0 < percent <= 100:
        raise UserError(
            f"抽查比例应大于0、不超过100（百分比），收到 {percent}。", code="bad_sample_size"
        )
    if minimum < 0:
        raise UserError(f"每组最少抽查人数不能为负数，收到 {minimum}。", code="bad_sample_size")


def draw_sample(
    population: Mapping[str, str],
    secret: str,
    month: Month,
    percent: float,
    minimum: int,
) -> dict[str, list[str]]:
    """Stratum → the numbers drawn from it, lowest score first. `population` maps each minor's
    number to its stratum (town or unit)."""
    check_sample_parameters(percent, minimum)
    strata: dict[str, list[str]] = {}
    for id_card, stratum in population.items():
        strata.setdefault(stratum, []).append(id_card)
    out: dict[str, list[str]] = {}
    for stratum in sorted(strata):
        members = sorted(strata[stratum], key=lambda i: (spot_score(secret, month, i), i))
        out[stratum] = members[: sample_size(len(members), percent, minimum)]
    return out
