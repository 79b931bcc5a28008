"""Open cases from leads and move them through the declared workflow.

Every change is one transaction that updates the case's current state and appends a
`case_events` row (who, when, from, to, why, fields), so the history is the full audit trail and
the current state can always be explained by it. Each case follows the declared workflow of its
kind (`cases.case_kind`). The decisions — is the step allowed, its guard, its fields, its date,
what happens to the running deadline — are pure functions in `policy`; this module reads what
they need from the store and writes what they decided. A refused step is a `UserError` in Chinese
with a code, naming the current state and what may be done instead.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from shujian import audit
from shujian.beijing import today_in_china
from shujian.calendar import BUNDLED, HolidayCalendar
from shujian.cases import policy
from shujian.cases.deadlines import Periods, deadline_or_refuse
from shujian.cases.documents.kinds import document_kind
from shujian.cases.scope import case_scope
from shujian.cases.store import case_events, case_leads, cases
from shujian.cases.workflow import (
    DEFAULT_CASE_KIND,
    Transition,
    Workflow,
    case_kinds,
    load_workflow,
)
from shujian.errors import UserError
from shujian.juvenile.sealing import visibility as sealing_visibility
from shujian.leads.queue import check_visible
from shujian.leads.store import lead_events, leads
from shujian.paging import Page, fetch_page
from shujian.store import now
from shujian.tamper import ledger
from shujian.users.access import (
    CaseRef,
    can,
    case_step_action,
    not_found,
    require,
    scope_of,
)
from shujian.users.access import visible as visible_to
from shujian.users.accounts import check_prosecutor
from shujian.users.departments import Departments
from shujian.users.user import User


def case_ref(row: Any) -> CaseRef:
    return CaseRef(row.id, row.department, row.prosecutor)


def visible_case(conn: Connection, case_id: int, user: User | None, *, lock: bool = False) -> Any:
    """The case's row, if it exists and is in the user's scope (no user: internal use, any
    case); else not found, the same answer either way."""
    query = select(cases).where(cases.c.id == case_id)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None or (user is not None and not visible_to(scope_of(user), case_ref(row))):
        raise not_found("case", case_id)
    if user is not None and sealing_visibility.case_is_sealed(conn, case_id):
        # built on a lead resting on a sealed juvenile record: nobody's case page
        raise not_found("case", case_id)
    return row


def _accept_leads(
    conn: Connection,
    case_id: int,
    lead_ids: Sequence[int],
    actor: str,
    reason: str,
    confirm_stale: bool,
) -> list[int]:
    """成案: mark each lead accepted into `case_id`; refuse leads that are not awaiting triage,
    and leads no longer found (不再命中) unless `confirm_stale`. Returns those confirmed stale,
    which their `accepted` event records too."""
    found = conn.execute(
        select(leads.c.id, leads.c.status, leads.c.active)
        .where(leads.c.id.in_(list(lead_ids)))
        .with_for_update()
    ).all()
    statuses = {r.id: r.status for r in found}
    inactive = {r.id for r in found if not r.active}
    stale = [i for i in lead_ids if i in inactive]
    policy.check_leads_acceptable(lead_ids, statuses, stale, confirm_stale=confirm_stale)
    stamp = now()
    conn.execute(
        update(leads)
        .where(leads.c.id.in_(lead_ids))
        .values(status="accepted", updated_at=stamp, decided_at=stamp)
    )
    conn.execute(
        insert(case_leads),
        [{"case_id": case_id, "lead_id": i, "added_at": stamp, "actor": actor} for i in lead_ids],
    )
    conn.execute(
        insert(lead_events),
        [
            {
                "lead_id": i,
                "run_id": None,
                "at": stamp,
                "kind": "accepted",
                "actor": actor,
                "detail": {
                    "case_id": case_id,
                    "reason": reason,
                    **({"confirmed_stale": True} if i in stale else {}),
                },
            }
            for i in lead_ids
        ],
    )
    return stale


@dataclass(frozen=True)
class Opening:
    """A checked request to open a case: who, why, when, and the deadline it starts."""

    workflow: Workflow
    department: str
    prosecutor: str
    actor: str
    reason: str
    opened_on: dt.date
    urgent: bool
    juvenile: bool
    deadline_kind: str | None
    deadline_due: dt.date | None
    fields: dict[str, Any] = dataclasses.field(default_factory=dict)
    """The opening step's declared fields (支持起诉: the applicant and the claim)."""


def _plan_opening(
    case_kind: str,
    department: str,
    prosecutor: str,
    user: User,
    reason: str,
    opened_on: dt.date,
    urgent: bool,
    juvenile: bool,
    departments: Departments,
    calendar: HolidayCalendar,
    periods: Periods | None = None,
    fields: Mapping[str, Any] | None = None,
) -> Opening:
    """Check the request against the kind's declared opening step and the procuratorate's
    departments, before touching the store."""
    workflow = load_workflow(case_kind)
    policy.check_not_future(opened_on, today_in_china(), "立案日期")
    reason = policy.need_text(reason, "立案理由")
    clean = policy.check_fields(workflow, workflow.opening, reason, dict(fields or {}))
    plan = policy.plan_deadline(workflow.opening, opened_on, None, None)
    due = (
        deadline_or_refuse(
            plan.start,
            opened_on,
            urgent,
            juvenile,
            workflow=workflow,
            calendar=calendar,
            periods=periods,
        )
        if plan.start
        else None
    )
    return Opening(
        workflow=workflow,
        department=departments.check(department, "承办部门"),
        prosecutor=policy.need_text(prosecutor, "承办检察官"),
        actor=user.name,
        reason=reason,
        opened_on=opened_on,
        urgent=urgent,
        juvenile=juvenile,
        deadline_kind=plan.start,
        deadline_due=due,
        fields=clean,
    )


def open_case(
    store: Engine,
    lead_ids: Sequence[int],
    department: str,
    prosecutor: str,
    user: User,
    reason: str,
    opened_on: dt.date,
    *,
    urgent: bool = False,
    juvenile: bool = False,
    case_kind: str = DEFAULT_CASE_KIND,
    departments: Departments | None = None,
    calendar: HolidayCalendar = BUNDLED,
    confirm_stale: bool = False,
    home: Mapping[str, str] | None = None,
    periods: Periods | None = None,
    fields: Mapping[str, Any] | None = None,
) -> int:
    """立案 from one or more leads, which become accepted (成案); returns the new case id.

    The case follows the declared workflow of `case_kind`; its opening step's deadline (for
    检察建议, the 2-month investigation of 检察建议工作规定 art. 15) starts on `opened_on`.
    `urgent` / `juvenile` select the shorter reply periods later on; they may also be set when the
    recommendation is drafted, when the kind of recommendation is known. The department must be
    one of `departments` (default: the bundled list); in a workspace with accounts the prosecutor
    must be an active account of that department. Deadlines count by the workspace's `calendar`
    (front ends pass `Workspace.calendar`; the default knows the bundled years only).
    `opened_on` may not be after today. A lead the latest run no longer found (不再命中) is
    refused unless `confirm_stale`; the case's opening step records which were confirmed.
    The leads must be in the user's scope (`home`: where undispatched leads wait,
    `leads.queue.homes`). `fields` are the opening step's declared fields; `periods` the
    workspace's own deadline days (`deadlines.periods_of`).

    A kind declared `opens_without_leads` (支持起诉: an application) may be opened with no lead;
    the new case must then be one the user could see (their department, or their own case for
    whom only their own are visible), so nobody opens a case they could not read.
    """
    require(user, "open_case")
    o = _plan_opening(
        case_kind,
        department,
        prosecutor,
        user,
        reason,
        opened_on,
        urgent,
        juvenile,
        departments or Departments.bundled(),
        calendar,
        periods,
        fields,
    )
    without_leads = not lead_ids and o.workflow.opens_without_leads
    if without_leads and not visible_to(scope_of(user), CaseRef(0, o.department, o.prosecutor)):
        raise UserError(
            f"“{user.name}”（{user.role_labels}）不能为{o.department}、承办检察官{o.prosecutor}"
            "登记案件：只能登记本人能够查看的案件。",
            code="forbidden",
        )
    with store.begin() as conn:
        if not without_leads:
            check_visible(conn, user, lead_ids, home or {})
        check_prosecutor(conn, o.department, o.prosecutor)
        case_id = _insert_case(conn, o)
        stale = (
            []
            if without_leads
            else _accept_leads(conn, case_id, lead_ids, o.actor, o.reason, confirm_stale)
        )
        _record_opening(conn, case_id, o, lead_ids, stale)
    return case_id


def _insert_case(conn: Connection, o: Opening) -> int:
    stamp = now()
    case_id = conn.execute(
        insert(cases)
        .values(
            case_kind=o.workflow.kind,
            department=o.department,
            prosecutor=o.prosecutor,
            state=o.workflow.opening.target,
            urgent=o.urgent,
            juvenile=o.juvenile,
            deadline_kind=o.deadline_kind,
            deadline_start=o.opened_on if o.deadline_kind else None,
            deadline_due=o.deadline_due,
            opened_on=o.opened_on,
            created_at=stamp,
            updated_at=stamp,
        )
        .returning(cases.c.id)
    ).scalar_one()
    return int(case_id)


def _record_opening(
    conn: Connection, case_id: int, o: Opening, lead_ids: Sequence[int], stale: Sequence[int]
) -> None:
    confirmed = {"confirmed_stale": list(stale)} if stale else {}
    event_id = conn.execute(
        insert(case_events)
        .values(
            case_id=case_id,
            at=now(),
            on_date=o.opened_on,
            actor=o.actor,
            action=o.workflow.opening.action,
            from_state=None,
            to_state=o.workflow.opening.target,
            reason=o.reason,
            fields={
                "lead_ids": list(lead_ids),
                "department": o.department,
                "prosecutor": o.prosecutor,
                "urgent": o.urgent,
                "juvenile": o.juvenile,
                **o.fields,
                **confirmed,
            },
        )
        .returning(case_events.c.id)
    ).scalar_one()
    audit.record(
        conn,
        o.actor,
        "open_case",
        "case",
        case_id,
        {
            "lead_ids": list(lead_ids),
            "department": o.department,
            "prosecutor": o.prosecutor,
            "reason": o.reason,
            "opened_on": o.opened_on.isoformat(),
            **({"case_kind": o.workflow.kind} if o.workflow.kind != DEFAULT_CASE_KIND else {}),
            **o.fields,
            **confirmed,
        },
        state=[
            *ledger.track(conn, "case", [case_id]),
            *ledger.track(conn, "case_event", [event_id]),
            *(ledger.track(conn, "lead", lead_ids, {"status"}) if lead_ids else []),
        ],
    )


def _last_step_date(conn: Connection, case_id: int, workflow: Workflow) -> dt.date:
    """The date of the case's latest state change (a new one may not be dated earlier).

    Steps that leave the state as it is (并入线索, 备案) run beside the workflow and do not count:
    a 备案 recorded after 送达 may well be dated before it.
    """
    return conn.execute(
        select(case_events.c.on_date)
        .where(
            case_events.c.case_id == case_id,
            case_events.c.action.not_in(list(workflow.steps)),
        )
        .order_by(case_events.c.id.desc())
        .limit(1)
    ).scalar_one()


def _latest_fields(
    conn: Connection, workflow: Workflow, case_id: int, wanted: Sequence[str]
) -> dict[str, Any]:
    """The latest value of each wanted field recorded on any step of the case (absent if never),
    under its id or an id it had before (`FieldSpec.formerly`)."""
    if not wanted:
        return {}
    rows = conn.execute(
        select(case_events.c.fields)
        .where(case_events.c.case_id == case_id)
        .order_by(case_events.c.id.desc())
    ).scalars()
    out: dict[str, Any] = {}
    for fields in rows:
        for f in wanted:
            value = workflow.recorded(fields, f)
            if value is not None and f not in out:
                out[f] = value
        if len(out) == len(wanted):
            break
    return out


def _load_case(conn: Connection, case_id: int, user: User) -> Any:
    return visible_case(conn, case_id, user, lock=True)


def add_leads_to_case(
    store: Engine,
    case_id: int,
    lead_ids: Sequence[int],
    user: User,
    reason: str,
    on_date: dt.date | None = None,
    *,
    confirm_stale: bool = False,
    home: Mapping[str, str] | None = None,
) -> None:
    """Accept further leads (成案) into an existing case that has not ended; the case and the
    leads must be in the user's scope (`home` as for `open_case`).

    The step is recorded in the case history (action `add_leads`) without changing its state,
    dated `on_date` (today when not given; never after today), and records the leads no longer
    found (不再命中) that were taken in with `confirm_stale`, which is needed for them.
    """
    require(user, "open_case")
    actor = user.name
    reason = policy.need_text(reason, "理由")
    today = today_in_china()
    policy.check_not_future(on_date or today, today, "并入日期")
    with store.begin() as conn:
        row = _load_case(conn, case_id, user)
        check_visible(conn, user, lead_ids, home or {})
        workflow = load_workflow(row.case_kind)
        if workflow.is_terminal(row.state):
            raise UserError(
                f"案件 {case_id} 已“{workflow.label(row.state)}”，不能再并入线索。",
                code="case_ended",
            )
        stale = _accept_leads(conn, case_id, lead_ids, actor, reason, confirm_stale)
        confirmed = {"confirmed_stale": stale} if stale else {}
        last = _last_step_date(conn, case_id, workflow)
        event_id = conn.execute(
            insert(case_events)
            .values(
                case_id=case_id,
                at=now(),
                on_date=max(last, on_date or today),
                actor=actor,
                action="add_leads",
                from_state=row.state,
                to_state=row.state,
                reason=reason,
                fields={"lead_ids": list(lead_ids), **confirmed},
            )
            .returning(case_events.c.id)
        ).scalar_one()
        audit.record(
            conn,
            actor,
            "add_leads",
            "case",
            case_id,
            {"lead_ids": list(lead_ids), "reason": reason, **confirmed},
            state=[
                *ledger.track(conn, "case_event", [event_id]),
                *ledger.track(conn, "lead", lead_ids, {"status"}),
            ],
        )


def _decide(
    conn: Connection,
    row: Any,
    action: str,
    reason: str,
    on_date: dt.date,
    fields: dict[str, Any],
    document: str | None,
) -> tuple[Workflow, Transition, dict[str, Any]]:
    """Ask the policy whether the step may be taken; the checked fields when it may."""
    workflow = load_workflow(row.case_kind)
    latest = _latest_fields(conn, workflow, row.id, workflow.guarded_fields(row.state))
    tr = policy.check_allowed(workflow, row.id, row.state, action, latest)
    policy.check_guard(workflow, row.id, tr, latest)
    label = document_kind(tr.document).label if tr.document else "文书"
    policy.check_document(tr, document, label)
    clean = policy.check_fields(workflow, tr, reason, fields)
    policy.check_not_future(on_date, today_in_china())
    policy.check_date(on_date, _last_step_date(conn, row.id, workflow))
    return workflow, tr, clean


def _case_changes(
    workflow: Workflow,
    row: Any,
    tr: Transition,
    on_date: dt.date,
    clean: dict[str, Any],
    calendar: HolidayCalendar,
    periods: Periods | None = None,
) -> dict[str, Any]:
    """The new values of the case row; adds the deadline it started or ended to `clean`."""
    urgent, juvenile = policy.flags_after(clean, row.urgent, row.juvenile)
    values: dict[str, Any] = {
        "state": tr.target,
        "updated_at": now(),
        "urgent": urgent,
        "juvenile": juvenile,
    }
    plan = policy.plan_deadline(tr, on_date, row.deadline_kind, row.deadline_due)
    if plan.start:
        due = deadline_or_refuse(
            plan.start,
            on_date,
            urgent,
            juvenile,
            workflow=workflow,
            calendar=calendar,
            periods=periods,
        )
        values.update(deadline_kind=plan.start, deadline_start=on_date, deadline_due=due)
        clean["deadline_due"] = due.isoformat()
    elif plan.end:
        values.update(deadline_kind=None, deadline_start=None, deadline_due=None)
    if plan.ended is not None:
        clean["ended_deadline"] = plan.ended
    return values


def apply_transition(
    conn: Connection,
    case_id: int,
    action: str,
    user: User,
    reason: str,
    on_date: dt.date,
    fields: dict[str, Any],
    *,
    document: str | None = None,
    calendar: HolidayCalendar = BUNDLED,
    periods: Periods | None = None,
) -> tuple[Transition, dict[str, Any]]:
    """Apply `action` inside the caller's transaction; returns the transition and clean fields.

    Used by `transition` and by steps that must happen in the same transaction as the state change
    (reserving the number of the document the step issues). `document` is the document kind the
    caller issues; a step that declares one is refused to any other caller. The case must be in
    the user's scope, and the step one their role may take (`users.access.case_step_action`).
    """
    actor = user.name
    reason = (reason or "").strip()
    row = _load_case(conn, case_id, user)
    workflow, tr, clean = _decide(conn, row, action, reason, on_date, fields, document)
    require(user, case_step_action(tr.action, tr.document is not None))
    values = _case_changes(workflow, row, tr, on_date, clean, calendar, periods)
    conn.execute(update(cases).where(cases.c.id == case_id).values(**values))
    event_id = conn.execute(
        insert(case_events)
        .values(
            case_id=case_id,
            at=now(),
            on_date=on_date,
            actor=actor,
            action=tr.action,
            from_state=row.state,
            to_state=tr.target,
            reason=reason,
            fields=clean,
        )
        .returning(case_events.c.id)
    ).scalar_one()
    audit.record(
        conn,
        actor,
        "transition",
        "case",
        case_id,
        {
            "action": tr.action,
            "from": row.state,
            "to": tr.target,
            "on_date": on_date.isoformat(),
            "reason": reason,
            "fields": clean,
        },
        state=[
            *ledger.track(conn, "case", [case_id], set(values)),
            *ledger.track(conn, "case_event", [event_id]),
        ],
    )
    return tr, clean


def transition(
    store: Engine,
    case_id: int,
    action: str,
    user: User,
    reason: str,
    on_date: dt.date,
    *,
    calendar: HolidayCalendar = BUNDLED,
    periods: Periods | None = None,
    **fields: Any,
) -> str:
    """Apply `action` (id or Chinese label) to a case on `on_date`; returns the new state id.

    Refuses, with a `UserError` in Chinese, an action the current state does not allow, a missing
    or invalid required field, and a date earlier than the case's last recorded step (history must
    read forwards). A deadline the step starts counts by `calendar` (the workspace's).
    """
    with store.begin() as conn:
        tr, _ = apply_transition(
            conn, case_id, action, user, reason, on_date, fields, calendar=calendar, periods=periods
        )
    return tr.target


def workflow_of(store: Engine, case_id: int, user: User | None = None) -> Workflow:
    """The declared workflow a case follows (its `case_kind`); the case must be in the user's
    scope when a user is given."""
    with store.connect() as conn:
        row = visible_case(conn, case_id, user)
    return load_workflow(row.case_kind)


def available_actions(store: Engine, case_id: int, user: User | None = None) -> list[Transition]:
    """The steps the case may take now: its state's, less those whose guard does not hold on
    what was recorded (the list a case page shows; `transition` refuses no step in it for
    want of a guard); when a user is given, the case must be in their scope and only the steps
    their role may take are listed."""
    with store.connect() as conn:
        row = visible_case(conn, case_id, user)
        workflow = load_workflow(row.case_kind)
        latest = _latest_fields(conn, workflow, case_id, workflow.guarded_fields(row.state))
    steps = workflow.available(row.state, latest)
    if user is None:
        return steps
    return [t for t in steps if can(user, case_step_action(t.action, t.document is not None))]


def get_case(store: Engine, case_id: int, user: User) -> dict[str, Any]:
    """The case's current row, with its lead ids and Chinese state label; the view is audited.
    A case outside the user's scope is not found, exactly like one that does not exist."""
    require(user, "view_cases")
    out = case_row(store, case_id, user)
    audit.record_view(store, user.name, "case", case_id)
    return out


def case_row(store: Engine, case_id: int, user: User | None = None) -> dict[str, Any]:
    """The case's current row for internal use (documents, statistics): not a user's view
    (when a user is given, the case must be in their scope)."""
    with store.connect() as conn:
        row = visible_case(conn, case_id, user)
        lead_ids = list(
            conn.execute(
                select(case_leads.c.lead_id)
                .where(case_leads.c.case_id == case_id)
                .order_by(case_leads.c.lead_id)
            ).scalars()
        )
    out = dict(row._mapping)
    workflow = load_workflow(out["case_kind"])
    out["state_label"] = workflow.label(out["state"])
    out["case_kind_label"] = workflow.kind_label
    out["lead_ids"] = lead_ids
    return out


def history(store: Engine, case_id: int, user: User) -> list[dict[str, Any]]:
    """Every recorded step of a case, oldest first, with Chinese labels; the view is audited.
    A case outside the user's scope is not found."""
    require(user, "view_cases")
    workflow = workflow_of(store, case_id, user)
    with store.connect() as conn:
        rows = [
            dict(r._mapping)
            for r in conn.execute(
                select(case_events)
                .where(case_events.c.case_id == case_id)
                .order_by(case_events.c.id)
            )
        ]
    for r in rows:
        r["action_label"] = workflow.action_label(r["action"])
        r["from_label"] = workflow.label(r["from_state"]) if r["from_state"] else None
        r["to_label"] = workflow.label(r["to_state"])
    audit.record_view(store, user.name, "case", case_id, {"what": "history"})
    return rows


def case_of_lead(store: Engine, lead_id: int) -> dict[str, Any] | None:
    """The case a lead was accepted into (成案): its id, department and prosecutor, or None."""
    with store.connect() as conn:
        row = conn.execute(
            select(cases.c.id, cases.c.department, cases.c.prosecutor)
            .join(case_leads, case_leads.c.case_id == cases.c.id)
            .where(case_leads.c.lead_id == lead_id)
        ).first()
    return dict(row._mapping) if row else None


def list_cases(
    store: Engine,
    user: User,
    *,
    state: str | None = None,
    department: str | None = None,
    prosecutor: str | None = None,
    case_kind: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Page:
    """Cases in the user's scope, newest first, filtered by state (id or label, in any kind's
    workflow), department, prosecutor or case kind; one page of them when `limit` is given; the
    view is audited."""
    require(user, "view_cases")
    workflows = [load_workflow(k) for k in case_kinds()]
    query = select(cases).order_by(cases.c.id.desc())
    scoped = case_scope(scope_of(user))
    if scoped is not None:
        query = query.where(scoped)
    hidden = sealing_visibility.sealed(store).case_ids
    if hidden:  # resting on a sealed juvenile record: in no list
        query = query.where(cases.c.id.not_in(hidden))
    if case_kind:
        query = query.where(cases.c.case_kind == load_workflow(case_kind).kind)
    if state:
        found = {s.id for w in workflows for s in w.states.values() if state in (s.id, s.label)}
        if not found:
            labels = "、".join(dict.fromkeys(s.label for w in workflows for s in w.states.values()))
            raise UserError(f"未知的案件状态“{state}”。可选：{labels}。", code="unknown_state")
        query = query.where(cases.c.state.in_(sorted(found)))
    if department:
        query = query.where(cases.c.department == department)
    if prosecutor:
        query = query.where(cases.c.prosecutor == prosecutor)
    with store.connect() as conn:
        rows = fetch_page(conn, query, offset, limit)
    for r in rows:
        r["state_label"] = load_workflow(r["case_kind"]).label(r["state"])
    filters = {
        "state": state,
        "department": department,
        "prosecutor": prosecutor,
        "case_kind": case_kind,
    }
    audit.record_page_view(store, user.name, "case", filters, rows)
    return rows
