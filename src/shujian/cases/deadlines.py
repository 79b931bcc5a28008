"""Due dates of case deadlines, and the cases that have run past theirs.

Periods follow the 民法典 rules (arts. 201–203) as implemented in `shujian.calendar`: the start day
is not counted; a month period ends on the corresponding day of the final month, or on its last
day when there is none (31 Jan + 1 month = 28/29 Feb); a period whose last day is a rest day
(weekend or statutory holiday) ends on the next working day. The 15-day urgent reply period is
counted in calendar days, so it is extended the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, and_, or_, select

from shujian.calendar import BUNDLED, CalendarYearUnknownError, HolidayCalendar, add_months
from shujian.cases.store import cases, recommendations
from shujian.cases.workflow import PeriodRule, Workflow, case_kinds, load_workflow
from shujian.errors import UserError


def applicable_rules(
    kind: str, urgent: bool = False, juvenile: bool = False, *, workflow: Workflow | None = None
) -> list[PeriodRule]:
    """The period rules that apply to a deadline of `kind` (the standard one if no special one),
    as declared by `workflow` (the 检察建议 workflow unless given)."""
    workflow = workflow or load_workflow()
    if kind not in workflow.deadlines:
        raise ValueError(f"unknown deadline kind {kind!r}")
    rule = workflow.deadlines[kind]
    special = [
        r
        for flag, r in ((urgent, rule.urgent), (juvenile, rule.juvenile))
        if flag and r is not None
    ]
    return special or [rule.standard]


def _end(rule: PeriodRule, start: dt.date, calendar: HolidayCalendar) -> dt.date:
    if rule.months is not None:
        last = add_months(start, rule.months)
    else:
        # Start day not counted (民法典 art. 201): day 1 is the day after `start`.
        last = start + dt.timedelta(days=rule.days or 0)
    return calendar.extend_to_working_day(last)


def binding_rule(
    kind: str,
    start: dt.date,
    urgent: bool = False,
    juvenile: bool = False,
    *,
    workflow: Workflow | None = None,
    calendar: HolidayCalendar = BUNDLED,
) -> PeriodRule:
    """Of the rules that apply, the one whose period ends first (the one `deadline` counts)."""
    rules = applicable_rules(kind, urgent, juvenile, workflow=workflow)
    return min(rules, key=lambda r: _end(r, start, calendar))


def deadline(
    kind: str,
    start: dt.date,
    urgent: bool = False,
    juvenile: bool = False,
    *,
    workflow: Workflow | None = None,
    calendar: HolidayCalendar = BUNDLED,
) -> dt.date:
    """The last day of a deadline of `kind` starting on `start`, counted by the workspace's
    `calendar` (the bundled years only when none is given).

    When both the urgent and the juvenile rule apply, the earlier date governs: each rule is a
    maximum the recipient must respect, so the stricter one binds.

    Raises:
        ValueError: unknown `kind`.
        CalendarYearUnknownError: the holiday schedule of a year involved is not known.
    """
    rules = applicable_rules(kind, urgent, juvenile, workflow=workflow)
    return min(_end(r, start, calendar) for r in rules)


def _open_cases() -> Any:
    """A condition: the case has not reached a terminal state of its own kind's workflow."""
    per_kind = []
    for kind in case_kinds():
        terminal = [s.id for s in load_workflow(kind).states.values() if s.terminal]
        per_kind.append(and_(cases.c.case_kind == kind, cases.c.state.not_in(terminal)))
    return or_(*per_kind)


def _running(store: Engine, *conditions: Any, order: tuple[Any, ...]) -> list[dict[str, Any]]:
    """Open (non-terminal) cases with a running deadline that meet `conditions`, labelled."""
    query = (
        select(cases)
        .where(cases.c.deadline_due.is_not(None), _open_cases(), *conditions)
        .order_by(*order)
    )
    with store.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    for r in rows:
        workflow = load_workflow(r["case_kind"])
        r["state_label"] = workflow.label(r["state"])
        r["deadline_label"] = workflow.deadlines[r["deadline_kind"]].label
    return rows


def _unfiled(store: Engine, *conditions: Any) -> list[dict[str, Any]]:
    """Recommendations not yet filed with the upper procuratorate (art. 21), as case rows whose
    running deadline is the filing deadline — whatever state the case is in, even ended."""
    workflow = load_workflow("recommendation")  # the filing rule is the 检察建议 workflow's
    query = (
        select(cases, recommendations.c.number, recommendations.c.filing_due)
        .join(recommendations, recommendations.c.case_id == cases.c.id)
        .where(recommendations.c.filed_on.is_(None), *conditions)
    )
    with store.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    for r in rows:
        r["state_label"] = load_workflow(r["case_kind"]).label(r["state"])
        r["deadline_kind"] = "filing"
        r["deadline_due"] = r.pop("filing_due")
        r["deadline_label"] = f"{workflow.deadlines['filing'].label}（{r['number']}）"
    return rows


def deadline_or_refuse(
    kind: str,
    start: dt.date,
    urgent: bool = False,
    juvenile: bool = False,
    *,
    workflow: Workflow | None = None,
    calendar: HolidayCalendar = BUNDLED,
) -> dt.date:
    """`deadline`, refusing in Chinese (UserError) when the calendar does not know a year."""
    try:
        return deadline(
            kind, start, urgent=urgent, juvenile=juvenile, workflow=workflow, calendar=calendar
        )
    except CalendarYearUnknownError as e:
        raise UserError(str(e), code="calendar_year_unknown") from e


def overdue(store: Engine, today: dt.date) -> list[dict[str, Any]]:
    """Open cases whose running deadline ended before `today`, and issued recommendations not
    filed in time (art. 21), most overdue first.

    A deadline's last day is still in time, so a case is overdue only from the next day.
    """
    rows = _running(store, cases.c.deadline_due < today, order=(cases.c.deadline_due, cases.c.id))
    rows += _unfiled(store, recommendations.c.filing_due < today)
    rows.sort(key=lambda r: (r["deadline_due"], r["id"]))
    for r in rows:
        r["days_overdue"] = (today - r["deadline_due"]).days
    return rows


def due_soon(
    store: Engine, today: dt.date, within_days: int = 7, prosecutor: str | None = None
) -> list[dict[str, Any]]:
    """Open cases whose running deadline ends within `within_days` from `today` (today included),
    soonest first, optionally for one prosecutor — each prosecutor's list of what is coming due."""
    conditions = [
        cases.c.deadline_due >= today,
        cases.c.deadline_due <= today + dt.timedelta(days=within_days),
    ]
    if prosecutor:
        conditions.append(cases.c.prosecutor == prosecutor)
    rows = _running(
        store, *conditions, order=(cases.c.prosecutor, cases.c.deadline_due, cases.c.id)
    )
    filing = [
        recommendations.c.filing_due >= today,
        recommendations.c.filing_due <= today + dt.timedelta(days=within_days),
    ]
    if prosecutor:
        filing.append(cases.c.prosecutor == prosecutor)
    rows += _unfiled(store, *filing)
    rows.sort(key=lambda r: (r["prosecutor"], r["deadline_due"], r["id"]))
    for r in rows:
        r["days_left"] = (r["deadline_due"] - today).days
    return rows
