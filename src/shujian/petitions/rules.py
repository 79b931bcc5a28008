"""12309 信访's rules as pure functions (table tests: tests/petitions/test_rules.py): the
declarations, the two due dates of 件件有回复, whether a petitioner is a minor and how they are
named, the replies still owed, and the figures.

Both periods run from the day of receipt and are counted by `cases.deadlines` (民法典 arts.
201–203 on the workspace's calendar: the day of receipt not counted, a last day on a rest day
moved to the next working day); a date counted through a year whose holidays are not published is
暂定 (`provisional`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from shujian import yamlfile
from shujian.calendar import HolidayCalendar
from shujian.cases.deadlines import deadline_or_refuse, provisional_years
from shujian.cases.documents.disclosure import surname
from shujian.cases.workflow import DeadlineRule, PeriodRule, Workflow

DECLARATIONS = Path(__file__).with_name("declarations.yaml")
PROCEDURAL = "procedural"
RESULT = "result"


@dataclass(frozen=True)
class Declarations:
    channels: dict[str, str]
    categories: dict[str, str]
    procedural_outcomes: dict[str, str]
    result_kinds: dict[str, str]
    feedback: dict[str, str]
    satisfied: tuple[str, ...]
    deadlines: dict[str, DeadlineRule]
    intake_department: str
    text_limit: int

    @property
    def workflow(self) -> Workflow:
        """The periods as `cases.deadlines` counts them (a workflow with deadlines only)."""
        return Workflow(
            states={}, fields={}, deadlines=self.deadlines, kind="petition", kind_label="信访"
        )


def _labels(raw: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in raw.items()}


@cache
def declarations() -> Declarations:
    with DECLARATIONS.open(encoding="utf-8") as fh:
        raw: dict[str, Any] = yamlfile.load(fh)
    deadlines = {}
    for did, d in raw["deadlines"].items():
        if (d.get("days") is None) == (d.get("months") is None):
            raise ValueError(f"petition deadline {did}: give exactly one of days or months")
        period = PeriodRule(basis=str(d["basis"]), days=d.get("days"), months=d.get("months"))
        deadlines[str(did)] = DeadlineRule(str(did), str(d["label"]), period)
    if set(deadlines) != {PROCEDURAL, RESULT}:
        raise ValueError("petition deadlines: exactly procedural and result")
    feedback = _labels(raw["feedback"])
    satisfied = tuple(raw["satisfied"])
    if not set(satisfied) <= set(feedback):
        raise ValueError("petition feedback: `satisfied` names an undeclared value")
    return Declarations(
        channels=_labels(raw["channels"]),
        categories=_labels(raw["categories"]),
        procedural_outcomes=_labels(raw["procedural_outcomes"]),
        result_kinds=_labels(raw["result_kinds"]),
        feedback=feedback,
        satisfied=satisfied,
        deadlines=deadlines,
        intake_department=str(raw["intake_department"]),
        text_limit=int(raw["text_limit"]),
    )


def choice(table: Mapping[str, str], value: str | None) -> str | None:
    """The id of a declared value given by its id or its Chinese label (None: not declared)."""
    text = (value or "").strip()
    if text in table:
        return text
    for key, label in table.items():
        if text and (text == label or label.startswith(text + "（")):
            return key
    return None


@dataclass(frozen=True)
class Due:
    procedural: dt.date
    result: dt.date
    provisional: tuple[int, ...]
    """Years of unpublished holidays either date was counted through (empty: both final)."""


def due_dates(received_on: dt.date, calendar: HolidayCalendar) -> Due:
    """The last day of each reply, counted from the day of receipt; refused in Chinese when the
    calendar does not know a year involved."""
    workflow = declarations().workflow
    procedural = deadline_or_refuse(PROCEDURAL, received_on, workflow=workflow, calendar=calendar)
    result = deadline_or_refuse(RESULT, received_on, workflow=workflow, calendar=calendar)
    years = provisional_years(calendar, received_on, max(procedural, result))
    return Due(procedural, result, years)


def birth_date(id_card: str | None) -> dt.date | None:
    """The birth date an 18-character ID number states (None: no number, or not one)."""
    if not id_card or len(id_card) != 18 or not id_card[:17].isdigit():
        return None
    try:
        return dt.date(int(id_card[6:10]), int(id_card[10:12]), int(id_card[12:14]))
    except ValueError:
        return None


def is_minor(id_card: str | None, declared: bool, on: dt.date) -> bool:
    """Under eighteen on the day of receipt (by the ID number's birth date), or declared so by
    who registered it (a child with no number given)."""
    if declared:
        return True
    born = birth_date(id_card)
    if born is None:
        return False
    try:
        adult = born.replace(year=born.year + 18)
    except ValueError:  # born on 29 February: adult on 1 March
        adult = dt.date(born.year + 18, 3, 1)
    return on < adult


def shown_name(name: str, minor: bool, *, full: bool) -> str:
    """How a petitioner is named: in full on the petition's own page to who handles it
    (`full`); a minor otherwise by surname only (郭某), in lists, figures, exports and the audit
    log's details — nothing that may leave the procuratorate names a child."""
    if not name:
        return "（匿名）"
    if minor and not full:
        return f"{surname(name)}某（未成年人）"
    return name


def owed(row: Mapping[str, Any]) -> list[tuple[str, dt.date]]:
    """The replies a petition still owes, with their last days (none when it is closed or its
    petitioner cannot be reached — anonymous, no contact)."""
    if row["state"] == "closed" or row["no_contact"]:
        return []
    out = []
    if row["procedural_on"] is None:
        out.append((PROCEDURAL, row["procedural_due"]))
    if row["result_on"] is None:
        out.append((RESULT, row["result_due"]))
    return out


def in_time(done: dt.date | None, due: dt.date) -> bool:
    return done is not None and done <= due


# --- figures -----------------------------------------------------------------------------------

FIGURES = (
    ("received", "受理信访件"),
    ("procedural_counted", "应程序性回复"),
    ("procedural_in_time", "七日内程序性回复"),
    ("procedural_rate", "七日内程序性回复率"),
    ("result_counted", "应答复办理过程或结果"),
    ("result_in_time", "三个月内答复"),
    ("result_rate", "三个月内办理过程或结果答复率"),
    ("closed", "办结"),
    ("closed_rate", "办结率"),
    ("feedback", "回访评价"),
    ("satisfied", "满意"),
    ("fairly_satisfied", "基本满意"),
    ("dissatisfied", "不满意"),
    ("satisfaction_rate", "满意率"),
    ("leader_cases", "领导包案"),
    ("reception_day", "检察长接待日接待"),
)
"""The columns of the figures, in order."""

RATES = ("procedural_rate", "result_rate", "closed_rate", "satisfaction_rate")

DEFINITIONS = {
    "received": "统计期间内收到的信访件（按收到日期）。",
    "procedural_counted": "受理信访件中，七日期限已届满或已程序性回复的件数；匿名、无联系方式无法回复的不计。",
    "procedural_in_time": "其中在七日期限内（含最后一日）作出程序性回复的件数。",
    "procedural_rate": "七日内程序性回复 ÷ 应程序性回复。",
    "result_counted": "受理信访件中，三个月期限已届满或已答复办理过程或结果的件数；无法回复的不计。",
    "result_in_time": "其中在三个月期限内（含最后一日）答复办理结果或办理进展的件数。",
    "result_rate": "三个月内答复 ÷ 应答复办理过程或结果。",
    "closed": "受理信访件中，截至统计截止日已答复办理结果（办结）的件数。",
    "closed_rate": "办结 ÷ 受理信访件。",
    "feedback": "已办结并登记信访人评价的件数。",
    "satisfaction_rate": "（满意 + 基本满意）÷ 回访评价。",
    "leader_cases": "由院领导包案办理的件数。",
    "reception_day": "在检察长接待日接待的来访件数。",
}

DIMENSIONS = {"department": "承办部门", "channel": "信访渠道", "category": "信访类别"}
TOTAL = "合计"
UNROUTED = "（未分流）"


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def count(rows: Iterable[Mapping[str, Any]], as_of: dt.date) -> dict[str, Any]:
    """The figures of some petitions as they stood at the end of `as_of` (a step recorded
    later is not yet counted)."""
    d = declarations()
    out: dict[str, Any] = dict.fromkeys((k for k, _ in FIGURES if k not in RATES), 0)
    for r in rows:
        out["received"] += 1
        closed_on = r["closed_on"] if r["closed_on"] and r["closed_on"] <= as_of else None
        if not r["no_contact"]:
            for kind in (PROCEDURAL, RESULT):
                done, due = r[f"{kind}_on"], r[f"{kind}_due"]
                done = done if done and done <= as_of else None
                if done is not None or due < as_of:
                    out[f"{kind}_counted"] += 1
                    out[f"{kind}_in_time"] += in_time(done, due)
        if closed_on:
            out["closed"] += 1
            feedback = r["feedback"] if r["feedback_on"] and r["feedback_on"] <= as_of else None
            if feedback in d.feedback:
                out["feedback"] += 1
                out[feedback] += 1
        out["leader_cases"] += bool(r["leader"])
        out["reception_day"] += r["reception_day_id"] is not None
    out["procedural_rate"] = _rate(out["procedural_in_time"], out["procedural_counted"])
    out["result_rate"] = _rate(out["result_in_time"], out["result_counted"])
    out["closed_rate"] = _rate(out["closed"], out["received"])
    satisfied = sum(out[k] for k in d.satisfied)
    out["satisfaction_rate"] = _rate(satisfied, out["feedback"])
    return out


def key_of(row: Mapping[str, Any], by: str) -> str:
    d = declarations()
    if by == "department":
        return str(row["department"] or UNROUTED)
    if by == "channel":
        return d.channels.get(row["channel"], row["channel"])
    if by == "category":
        return d.categories.get(row["category"], row["category"])
    raise ValueError(f"unknown dimension {by!r}")


def table(rows: Iterable[Mapping[str, Any]], by: str, as_of: dt.date) -> list[dict[str, Any]]:
    """One row of figures per department, channel or category (declared order, then by name),
    and the total last."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    every = list(rows)
    for r in every:
        groups.setdefault(key_of(r, by), []).append(r)
    d = declarations()
    order = {"channel": list(d.channels.values()), "category": list(d.categories.values())}.get(
        by, []
    )
    keys = sorted(groups, key=lambda k: (order.index(k) if k in order else len(order), k))
    out = [{"key": k, **count(groups[k], as_of)} for k in keys]
    out.append({"key": TOTAL, **count(every, as_of)})
    return out


def percent(value: float | None) -> str:
    """A rate as the reports print it: 97.5%; — when nothing was counted."""
    return "—" if value is None else f"{value:.1%}"
