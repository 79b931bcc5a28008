"""督促监护令's rules as pure functions (table tests in tests/juvenile/test_guardianship_rules.py).

* **The follow-up schedule.** An order is followed up by visits (回访) a number of months after
  it is issued (`[juvenile] order_followup_months`, by default 1, 3 and 6). Each due date is
  counted in months as 民法典 art. 202 counts them — the corresponding day of the month, or the
  month's last day when it has none (an order of 31 January is due on 28/29 February) — and a due
  date on a rest day moves to the next working day (民法典 art. 203; 刑诉法 art. 105 for periods
  of procedure). Dates counted through a year whose holiday notice is not published are 暂定.
* **On time or late.** A visit recorded on or before its due date is 按期; after it, 逾期回访
  (late); a visit not recorded by the end of its due date is 逾期未回访 (overdue).
* **Outcomes.** 监护到位, 有所改善, 未改善 (with the text of what was found).
* **What 未改善 leads to.** An order whose latest visit found 未改善 needs the procuratorate to act:
  训诫 of the guardian (预防未成年人犯罪法 art. 61 / 家庭教育促进法 art. 49), and it may order
  家庭教育指导. Until a 训诫 is recorded for that guardian on or after that visit, the order is
  shown as 未改善待处理 (lists put it with the overdue ones); the remaining scheduled visits stay
  due. Nothing is decided automatically.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shujian.calendar import HolidayCalendar, add_months

OUTCOMES: dict[str, str] = {
    "good": "监护到位",
    "improved": "有所改善",
    "not_improved": "未改善",
}
"""Outcome id → its Chinese label (what a follow-up visit found)."""

GROUNDS: dict[str, str] = {
    "family_education_49": "《中华人民共和国家庭教育促进法》第四十九条",
    "prevention_61": "《中华人民共和国预防未成年人犯罪法》第六十一条",
    "protection_118": "《中华人民共和国未成年人保护法》第一百一十八条第二款",
}
"""The ground of a 训诫: id → the provision as it is cited."""

FORMS = ("线下", "线上")
"""How a 家庭教育指导 session was given."""

VISIT_STATUS_LABELS = {
    "pending": "未到期",
    "on_time": "按期回访",
    "late": "逾期回访",
    "overdue": "逾期未回访",
}

ORDER_STATUS_LABELS = {
    "following": "回访中",
    "attention": "未改善待处理",
    "overdue": "有逾期未回访",
    "done": "回访完毕",
}


def outcome_id(text: str) -> str | None:
    """An outcome as typed (id or Chinese label) → its id; None when unknown."""
    text = (text or "").strip()
    if text in OUTCOMES:
        return text
    return next((k for k, v in OUTCOMES.items() if v == text), None)


def ground_id(text: str) -> str | None:
    """A ground as typed: its id, its citation, or the short forms 家庭教育促进法第四十九条 /
    家庭教育促进法49 / 预防未成年人犯罪法第六十一条 / 61 / 未成年人保护法118 …; None when unknown."""
    text = "".join((text or "").split()).replace("《", "").replace("》", "")
    text = text.replace("中华人民共和国", "")
    if text in GROUNDS:
        return text
    short = {
        "family_education_49": ("家庭教育促进法第四十九条", "家庭教育促进法49", "49"),
        "prevention_61": ("预防未成年人犯罪法第六十一条", "预防未成年人犯罪法61", "61"),
        "protection_118": (
            "未成年人保护法第一百一十八条第二款",
            "未成年人保护法第一百一十八条",
            "未成年人保护法118",
            "118",
        ),
    }
    return next((k for k, forms in short.items() if text in forms), None)


@dataclass(frozen=True)
class Due:
    """One scheduled follow-up visit of an order."""

    visit: int
    """1, 2, 3 … in schedule order."""
    months: int
    """Months after the issue date."""
    on: dt.date
    """The due date (moved off a rest day)."""
    moved: bool
    """Whether the month's corresponding day was a rest day and the date moved."""
    provisional: tuple[int, ...]
    """The provisional years the date was counted through (暂定 when not empty)."""


def schedule(issued_on: dt.date, months: Sequence[int], calendar: HolidayCalendar) -> list[Due]:
    """The due dates of an order issued on `issued_on`, visited `months` months after it."""
    out = []
    for i, m in enumerate(sorted(set(months)), 1):
        plain = add_months(issued_on, m)
        due = calendar.extend_to_working_day(plain)
        out.append(Due(i, m, due, due != plain, calendar.provisional_in(issued_on, due)))
    return out


def visit_status(due: dt.date, visited_on: dt.date | None, today: dt.date) -> str:
    """pending / on_time / late / overdue (see the module docstring)."""
    if visited_on is not None:
        return "on_time" if visited_on <= due else "late"
    return "overdue" if today > due else "pending"


def order_status(
    visits: Sequence[tuple[dt.date, dt.date | None, str | None]],
    reprimanded_on: Sequence[dt.date],
    today: dt.date,
) -> str:
    """The order's state from its scheduled visits — (due, visited on, outcome) each, in schedule
    order — and the days its guardian was reprimanded: 未改善待处理 first (the latest visit
    found 未改善 and no 训诫 since), then 有逾期未回访, 回访完毕 when every visit is recorded,
    else 回访中."""
    done = [(v, o) for _, v, o in visits if v is not None]
    if done:
        last_day, last_outcome = max(done, key=lambda d: d[0])
        if last_outcome == "not_improved" and not any(r >= last_day for r in reprimanded_on):
            return "attention"
    if any(visit_status(due, v, today) == "overdue" for due, v, _ in visits):
        return "overdue"
    if all(v is not None for _, v, _ in visits):
        return "done"
    return "following"


def standing(rows: Sequence[Mapping[str, object]]) -> dict[int, Mapping[str, object]]:
    """The standing record of each scheduled visit: the newest row (highest id) of each."""
    out: dict[int, Mapping[str, object]] = {}
    for r in sorted(rows, key=lambda r: int(str(r["id"]))):
        out[int(str(r["visit"]))] = r
    return out
