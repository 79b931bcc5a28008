"""附条件不起诉's rules as pure functions (table tests: tests/juvenile/test_probation_rules.py):
the declared states and steps, the periods and the report schedule.

Periods are counted as 刑事诉讼法第一百零五条 has them: the day of the decision is not counted, and
a time to act whose last day is a rest day ends on the next working day (the workspace's
`HolidayCalendar`, provisional years marked 暂定 by the caller).

* **考验期** (art. 283: 六个月以上一年以下，从作出决定之日起计算): the day `months` calendar months
  after the decision (民法典第二百零二条: the corresponding day, else the month's last day), NOT
  moved off a rest day. Art. 105's second paragraph moves the last day of a time to act so that
  nobody loses a day, and in the same sentence refuses to lengthen custody for holidays (在押期间
  …不得因节假日而延长); a probation is no time to act but a restriction on the minor, so the
  platform does not lengthen it either (its reading, docs/probation.md).
* **送达** (规则第四百七十一条: 三日以内): three days after the decision, moved off a rest day.
* **报告** (art. 283 (二): 按照考察机关的规定报告自己的活动情况): every `every` days from the
  decision (`[juvenile] probation_report_days`), each due day moved off a rest day, the last
  window ending with the period (a last window shorter than half an interval is merged into the
  one before it). A window whose due day has passed with no report in it is
  missed (逾期未报告); a report made in the window after a missed one is late (逾期报告).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from shujian import yamlfile
from shujian.calendar import HolidayCalendar, add_months
from shujian.errors import UserError

DECLARATIONS = Path(__file__).with_name("declarations.yaml")


@dataclass(frozen=True)
class Step:
    id: str
    label: str
    sources: tuple[str, ...]
    to: str | None
    """The state after the step; None: the state does not change."""
    basis: str


@dataclass(frozen=True)
class Declarations:
    states: dict[str, str]
    terminal: tuple[str, ...]
    steps: dict[str, Step]
    conditions: tuple[str, ...]
    measures: dict[str, str]
    grounds: dict[str, str]
    min_months: int
    max_months: int
    service_days: int
    text_limit: int


@cache
def declarations() -> Declarations:
    with DECLARATIONS.open(encoding="utf-8") as fh:
        raw: dict[str, Any] = yamlfile.load(fh)
    states = {str(k): str(v) for k, v in raw["states"].items()}
    steps = {}
    for sid, s in raw["steps"].items():
        for state in [*s["from"], *([s["to"]] if s["to"] else [])]:
            if state not in states:
                raise ValueError(f"probation step {sid}: unknown state {state}")
        steps[str(sid)] = Step(
            str(sid), str(s["label"]), tuple(s["from"]), s["to"], str(s["basis"])
        )
    return Declarations(
        states=states,
        terminal=tuple(raw["terminal"]),
        steps=steps,
        conditions=tuple(raw["conditions"]),
        measures={str(k): str(v) for k, v in raw["measures"].items()},
        grounds={str(k): str(v) for k, v in raw["revocation_grounds"].items()},
        min_months=int(raw["period_months"]["min"]),
        max_months=int(raw["period_months"]["max"]),
        service_days=int(raw["service_days"]),
        text_limit=int(raw["text_limit"]),
    )


def check_step(state: str, step: str) -> Step:
    """The step, if the state allows it; refused in Chinese (code `step_not_allowed`)."""
    d = declarations()
    s = d.steps[step]
    if state not in s.sources:
        allowed = "、".join(d.steps[k].label for k, v in d.steps.items() if state in v.sources)
        raise UserError(
            f"当前状态为“{d.states[state]}”，不能{s.label}。"
            + (f"此时可以：{allowed}。" if allowed else "此案已办结。"),
            code="step_not_allowed",
        )
    return s


def check_months(months: int) -> int:
    d = declarations()
    if not d.min_months <= months <= d.max_months:
        raise UserError(
            f"考验期为{d.min_months}个月以上{d.max_months}个月以下（刑事诉讼法第二百八十三条），"
            f"不能定为 {months} 个月。",
            code="bad_period",
        )
    return months


def period_end(decided_on: dt.date, months: int) -> dt.date:
    """The last day of the probation: the corresponding day, never moved (module docstring)."""
    return add_months(decided_on, months)


def service_deadline(decided_on: dt.date, calendar: HolidayCalendar) -> dt.date:
    """The last day to serve and announce the decision (三日以内)."""
    days = declarations().service_days
    return calendar.extend_to_working_day(decided_on + dt.timedelta(days=days))


@dataclass(frozen=True)
class Window:
    """One report period: (starts after `opens`, ends on `due`]."""

    no: int
    opens: dt.date
    due: dt.date


WindowStatus = Literal["done", "late", "missed", "open", "future"]
WINDOW_LABELS = {
    "done": "已报告",
    "late": "逾期报告",
    "missed": "逾期未报告",
    "open": "本期待报告",
    "future": "未到期",
}


def report_windows(
    decided_on: dt.date, ends_on: dt.date, every: int, calendar: HolidayCalendar
) -> list[Window]:
    """The report periods from the decision to the end of the probation."""
    if every < 1:
        raise ValueError("the report interval must be at least one day")
    out: list[Window] = []
    opens = decided_on
    k = 1
    while opens < ends_on:
        due = min(
            calendar.extend_to_working_day(decided_on + dt.timedelta(days=every * k)), ends_on
        )
        out.append(Window(k, opens, due))
        opens, k = due, k + 1
    if len(out) > 1 and (out[-1].due - out[-1].opens).days * 2 < every:
        # a last period shorter than half an interval (the period's end falls just after a
        # due day) is no period of its own: the one before it runs to the end
        out[-2:] = [Window(out[-2].no, out[-2].opens, ends_on)]
    if out and out[-1].due == ends_on:
        # the last report is a time to act: due on the end day, or the next working day after it
        out[-1] = Window(out[-1].no, out[-1].opens, calendar.extend_to_working_day(ends_on))
    return out


def last_day_for(step: str, ends_on: dt.date, calendar: HolidayCalendar) -> dt.date:
    """The last day a step can be dated: a violation happens within the period, so on its end
    day at the latest; the last report is due on the end day or, when that is a rest day, the
    next working day (the last window of `report_windows`), so a report dated then is on time."""
    if step == "report":
        return calendar.extend_to_working_day(ends_on)
    return ends_on


@dataclass(frozen=True)
class ScheduledWindow:
    window: Window
    status: WindowStatus
    report_on: dt.date | None

    @property
    def label(self) -> str:
        return WINDOW_LABELS[self.status]


def schedule(
    windows: list[Window], reports: list[dt.date], today: dt.date
) -> list[ScheduledWindow]:
    """Each window with its first report (if any) and its status on `today`."""
    out: list[ScheduledWindow] = []
    previous_missed = False
    for w in windows:
        found = sorted(r for r in reports if w.opens < r <= w.due)
        if found:
            status: WindowStatus = "late" if previous_missed else "done"
            out.append(ScheduledWindow(w, status, found[0]))
            previous_missed = False
        elif today > w.due:
            out.append(ScheduledWindow(w, "missed", None))
            previous_missed = True
        elif today > w.opens:
            out.append(ScheduledWindow(w, "open", None))
            previous_missed = False
        else:
            out.append(ScheduledWindow(w, "future", None))
    return out


def late_report_days(scheduled: list[ScheduledWindow]) -> set[dt.date]:
    """The days of reports made after a missed window (逾期报告)."""
    return {s.report_on for s in scheduled if s.status == "late" and s.report_on is not None}


def missed(scheduled: list[ScheduledWindow]) -> int:
    return sum(1 for s in scheduled if s.status == "missed")


def days_left(ends_on: dt.date, today: dt.date) -> int:
    return (ends_on - today).days


def ending_soon(ends_on: dt.date, today: dt.date, alert_days: int) -> bool:
    """The period ends within `alert_days` days (today included) and has not ended."""
    return 0 <= days_left(ends_on, today) <= alert_days
