"""Due dates of case deadlines, and the cases that have run past theirs.

Periods follow the 民法典 rules (arts. 201–203) as implemented in `shujian.calendar`: the start day
is not counted; a month period ends on the corresponding day of the final month, or on its last
day when there is none (31 Jan + 1 month = 28/29 Feb); a period whose last day is a rest day
(weekend or statutory holiday) ends on the next working day. The 15-day urgent reply period is
counted in calendar days, so it is extended the same way.

A due date counted through a provisional year (one whose State Council notice is not out, see
`shujian.calendar`) is 暂定. Whether it is, is derived whenever it is shown — from the period's
start and due date and the workspace's calendar (`provisional_years`) — rather than stored, so
adding the notice ends the mark by itself. What the notice changes is found the same way: a
running deadline whose stored date differs from the one the workspace's calendar now gives
(`pending_moves`) is moved by `recompute`, which records each move as a step of its case.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, insert, or_, select, update

from shujian import audit
from shujian.calendar import BUNDLED, CalendarYearUnknownError, HolidayCalendar, add_months
from shujian.cases.scope import case_scope
from shujian.cases.store import case_events, cases, recommendations
from shujian.cases.workflow import PeriodRule, Workflow, case_kinds, load_workflow
from shujian.errors import UserError
from shujian.juvenile.sealing import visibility as sealing_visibility
from shujian.store import now
from shujian.tamper import ledger
from shujian.users.access import scope_of
from shujian.users.user import User

RECOMPUTE_ACTION = "recompute_deadline"
"""The case step that records a running deadline moved by `recompute` (history is appended to,
never rewritten: the step that started the deadline keeps the date it computed)."""


Periods = Mapping[str, int]
"""Days a workspace sets for deadlines declared with a `setting` (`periods_of`), keyed
`<case kind>.<deadline>`; a deadline not in it counts its declared days."""


def periods_of(settings: Any) -> dict[str, int]:
    """The workspace's own periods (a `Workspace`, or anything with its `setting`): for every
    deadline a workflow declares with a `setting`, the days that setting gives."""
    out: dict[str, int] = {}
    for kind in case_kinds():
        for did, rule in load_workflow(kind).deadlines.items():
            if rule.setting:
                out[f"{kind}.{did}"] = int(settings.setting(rule.setting))
    return out


def applicable_rules(
    kind: str,
    urgent: bool = False,
    juvenile: bool = False,
    *,
    workflow: Workflow | None = None,
    periods: Periods | None = None,
) -> list[PeriodRule]:
    """The period rules that apply to a deadline of `kind` (the standard one if no special one),
    as declared by `workflow` (the 检察建议 workflow unless given); a standard period of days
    the workspace sets itself (`periods`) counts those days."""
    workflow = workflow or load_workflow()
    if kind not in workflow.deadlines:
        raise ValueError(f"unknown deadline kind {kind!r}")
    rule = workflow.deadlines[kind]
    special = [
        r
        for flag, r in ((urgent, rule.urgent), (juvenile, rule.juvenile))
        if flag and r is not None
    ]
    if special:
        return special
    days = (periods or {}).get(f"{workflow.kind}.{kind}")
    if rule.setting and days is not None:
        return [dataclasses.replace(rule.standard, days=days)]
    return [rule.standard]


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
    category: str | None = None,
    periods: Periods | None = None,
) -> PeriodRule:
    """Of the rules that apply, the one whose period ends first (the one `deadline` counts),
    with `cite` set to the provision a recommendation of `category` names for it."""
    rules = applicable_rules(kind, urgent, juvenile, workflow=workflow, periods=periods)
    rule = min(rules, key=lambda r: _end(r, start, calendar))
    return dataclasses.replace(rule, cite=rule.cite_for(category), by_category=())


def deadline(
    kind: str,
    start: dt.date,
    urgent: bool = False,
    juvenile: bool = False,
    *,
    workflow: Workflow | None = None,
    calendar: HolidayCalendar = BUNDLED,
    periods: Periods | None = None,
) -> dt.date:
    """The last day of a deadline of `kind` starting on `start`, counted by the workspace's
    `calendar` (the bundled years only when none is given).

    When both the urgent and the juvenile rule apply, the earlier date governs: each rule is a
    maximum the recipient must respect, so the stricter one binds.

    Raises:
        ValueError: unknown `kind`.
        CalendarYearUnknownError: the holiday schedule of a year involved is not known.
    """
    rules = applicable_rules(kind, urgent, juvenile, workflow=workflow, periods=periods)
    return min(_end(r, start, calendar) for r in rules)


def _open_cases() -> Any:
    """A condition: the case has not reached a terminal state of its own kind's workflow."""
    per_kind = []
    for kind in case_kinds():
        terminal = [s.id for s in load_workflow(kind).states.values() if s.terminal]
        per_kind.append(and_(cases.c.case_kind == kind, cases.c.state.not_in(terminal)))
    return or_(*per_kind)


def provisional_years(
    calendar: HolidayCalendar, start: dt.date | None, due: dt.date | None
) -> tuple[int, ...]:
    """The provisional years a deadline counted from `start` to `due` ran through (empty: the
    date is final). A deadline without a recorded start is judged by its due date alone."""
    if due is None:
        return ()
    return calendar.provisional_in(start or due, due)


def provisional_note(years: tuple[int, ...]) -> str:
    """How a 暂定 date is marked where it is shown (empty for a final date)."""
    if not years:
        return ""
    named = "、".join(f"{y}年" for y in years)
    return f"（暂定：{named}节假日安排未公布，按法定节假日推算）"


def _mark(rows: list[dict[str, Any]], calendar: HolidayCalendar) -> list[dict[str, Any]]:
    for r in rows:
        r["provisional"] = provisional_years(calendar, r.get("deadline_start"), r["deadline_due"])
    return rows


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
        select(
            cases,
            recommendations.c.number,
            recommendations.c.filing_due,
            recommendations.c.issued_on,
        )
        .join(recommendations, recommendations.c.case_id == cases.c.id)
        .where(recommendations.c.filed_on.is_(None), *conditions)
    )
    with store.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    for r in rows:
        r["state_label"] = load_workflow(r["case_kind"]).label(r["state"])
        r["deadline_kind"] = "filing"
        r["deadline_start"] = r.pop("issued_on")
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
    periods: Periods | None = None,
) -> dt.date:
    """`deadline`, refusing in Chinese (UserError) when the calendar does not know a year."""
    try:
        return deadline(
            kind,
            start,
            urgent=urgent,
            juvenile=juvenile,
            workflow=workflow,
            calendar=calendar,
            periods=periods,
        )
    except CalendarYearUnknownError as e:
        raise UserError(str(e), code="calendar_year_unknown") from e


def _within(store: Engine, user: User | None) -> list[Any]:
    """The condition keeping a list to the cases `user` may see (none: every case)."""
    if user is None:
        return []
    scoped = case_scope(scope_of(user))
    out = [] if scoped is None else [scoped]
    hidden = sealing_visibility.sealed(store).case_ids
    if hidden:  # resting on a sealed juvenile record: in no list
        out.append(cases.c.id.not_in(hidden))
    return out


def overdue(
    store: Engine,
    today: dt.date,
    *,
    calendar: HolidayCalendar = BUNDLED,
    user: User | None = None,
) -> list[dict[str, Any]]:
    """Open cases whose running deadline ended before `today`, and issued recommendations not
    filed in time (art. 21), most overdue first; `provisional` names the provisional years of
    the workspace's `calendar` each date was counted through.

    A deadline's last day is still in time, so a case is overdue only from the next day.
    """
    scoped = _within(store, user)
    rows = _running(
        store, cases.c.deadline_due < today, *scoped, order=(cases.c.deadline_due, cases.c.id)
    )
    rows += _unfiled(store, recommendations.c.filing_due < today, *scoped)
    rows.sort(key=lambda r: (r["deadline_due"], r["id"]))
    for r in rows:
        r["days_overdue"] = (today - r["deadline_due"]).days
    return _mark(rows, calendar)


def due_soon(
    store: Engine,
    today: dt.date,
    within_days: int = 7,
    prosecutor: str | None = None,
    *,
    calendar: HolidayCalendar = BUNDLED,
    user: User | None = None,
) -> list[dict[str, Any]]:
    """Open cases whose running deadline ends within `within_days` from `today` (today included),
    soonest first, optionally for one prosecutor — each prosecutor's list of what is coming due;
    `provisional` as in `overdue`; only the cases `user` may see, when given."""
    horizon = today + dt.timedelta(days=min(within_days, (dt.date.max - today).days))
    conditions = [
        cases.c.deadline_due >= today,
        cases.c.deadline_due <= horizon,
        *_within(store, user),
    ]
    if prosecutor:
        conditions.append(cases.c.prosecutor == prosecutor)
    rows = _running(
        store, *conditions, order=(cases.c.prosecutor, cases.c.deadline_due, cases.c.id)
    )
    filing = [
        recommendations.c.filing_due >= today,
        recommendations.c.filing_due <= horizon,
        *_within(store, user),
    ]
    if prosecutor:
        filing.append(cases.c.prosecutor == prosecutor)
    rows += _unfiled(store, *filing)
    rows.sort(key=lambda r: (r["prosecutor"], r["deadline_due"], r["id"]))
    for r in rows:
        r["days_left"] = (r["deadline_due"] - today).days
    return _mark(rows, calendar)


def running(store: Engine, calendar: HolidayCalendar) -> list[dict[str, Any]]:
    """Every running deadline (open cases' and unfiled recommendations'), by due date, marked
    with the provisional years of `calendar` it was counted through."""
    rows = _running(store, order=(cases.c.deadline_due, cases.c.id)) + _unfiled(store)
    rows.sort(key=lambda r: (r["deadline_due"], r["id"]))
    return _mark(rows, calendar)


@dataclass(frozen=True)
class Move:
    """A running deadline whose stored last day is not the one the calendar now gives."""

    case_id: int
    deadline_kind: str
    label: str
    old: dt.date
    new: dt.date
    provisional: tuple[int, ...]
    """Provisional years the new date is still counted through (empty: final)."""
    number: str | None = None
    """The recommendation's 文号, for its filing deadline."""


def pending_moves(
    store: Engine, calendar: HolidayCalendar, periods: Periods | None = None
) -> list[Move]:
    """Running deadlines (open cases' `deadline_due`, unfiled recommendations' `filing_due`)
    whose stored date differs from what `calendar` gives today, by case — typically deadlines
    counted on provisional days before the year's notice was added. Nothing is written.

    A case's deadline is recounted from its recorded start with the case's current urgent and
    juvenile flags, which are those the step that started it used: the flags change only on
    the step that drafts the recommendation, before the reply period starts.
    """
    moves = []
    for r in _running(store, order=(cases.c.id,)):
        if r["deadline_start"] is None:
            continue
        workflow = load_workflow(r["case_kind"])
        new = deadline_or_refuse(
            r["deadline_kind"],
            r["deadline_start"],
            r["urgent"],
            r["juvenile"],
            workflow=workflow,
            calendar=calendar,
            periods=periods,
        )
        if new != r["deadline_due"]:
            moves.append(
                Move(
                    case_id=r["id"],
                    deadline_kind=r["deadline_kind"],
                    label=r["deadline_label"],
                    old=r["deadline_due"],
                    new=new,
                    provisional=provisional_years(calendar, r["deadline_start"], new),
                )
            )
    for r in _unfiled(store):
        new = deadline_or_refuse("filing", r["deadline_start"], calendar=calendar)
        if new != r["deadline_due"]:
            moves.append(
                Move(
                    case_id=r["id"],
                    deadline_kind="filing",
                    label=r["deadline_label"],
                    old=r["deadline_due"],
                    new=new,
                    provisional=provisional_years(calendar, r["deadline_start"], new),
                    number=r["number"],
                )
            )
    moves.sort(key=lambda m: (m.case_id, m.deadline_kind != "filing", m.number or ""))
    return moves


def recompute(
    store: Engine,
    calendar: HolidayCalendar,
    user: User,
    on_date: dt.date,
    periods: Periods | None = None,
) -> list[Move]:
    """Move every running deadline to the date `calendar` now gives (`pending_moves`), in one
    transaction; returns what moved.

    Each move is a step of its case (`recompute_deadline`, dated `on_date`, state unchanged, the
    old and new dates as its fields) and an audit entry, so a prosecutor reading the history
    sees why the date in the list is not the one the starting step recorded. A deadline that
    changed in the meantime (another user's step) is left to that step.
    """
    moves = pending_moves(store, calendar, periods)
    done = []
    with store.begin() as conn:
        for m in moves:
            if m.number is None:
                changed = conn.execute(
                    update(cases)
                    .where(
                        cases.c.id == m.case_id,
                        cases.c.deadline_kind == m.deadline_kind,
                        cases.c.deadline_due == m.old,
                    )
                    .values(deadline_due=m.new, updated_at=now())
                ).rowcount
            else:
                changed = conn.execute(
                    update(recommendations)
                    .where(
                        recommendations.c.number == m.number,
                        recommendations.c.filed_on.is_(None),
                        recommendations.c.filing_due == m.old,
                    )
                    .values(filing_due=m.new)
                ).rowcount
            if not changed:
                continue
            state = conn.execute(select(cases.c.state).where(cases.c.id == m.case_id)).scalar_one()
            fields: dict[str, Any] = {
                "recomputed_deadline": m.label,
                "old_due": m.old.isoformat(),
                "new_due": m.new.isoformat(),
            }
            if m.provisional:
                fields["provisional_years"] = list(m.provisional)
            event_id = conn.execute(
                insert(case_events)
                .values(
                    case_id=m.case_id,
                    at=now(),
                    on_date=on_date,
                    actor=user.name,
                    action=RECOMPUTE_ACTION,
                    from_state=state,
                    to_state=state,
                    reason="按现行节假日日历重新计算期限",
                    fields=fields,
                )
                .returning(case_events.c.id)
            ).scalar_one()
            if m.number is None:
                moved = ledger.track(conn, "case", [m.case_id], {"deadline_due"})
            else:
                rec_ids = select(recommendations.c.id).where(recommendations.c.number == m.number)
                moved = ledger.track(
                    conn, "recommendation", conn.execute(rec_ids).scalars(), {"filing_due"}
                )
            audit.record(
                conn,
                user.name,
                RECOMPUTE_ACTION,
                "case",
                m.case_id,
                fields,
                state=[*moved, *ledger.track(conn, "case_event", [event_id])],
            )
            done.append(m)
    return done
