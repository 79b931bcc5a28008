"""Open cases from leads and move them through the declared workflow.

Every change is one transaction that updates the case's current state and appends a
`case_events` row (who, when, from, to, why, fields), so the history is the full audit trail and
the current state can always be explained by it. A transition the workflow does not allow is
refused with a Chinese message naming the current state and what may be done instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from shujian import audit
from shujian.cases.deadlines import deadline_or_refuse
from shujian.cases.store import case_events, case_leads, cases
from shujian.cases.workflow import Transition, Workflow, load_workflow
from shujian.errors import UserError
from shujian.leads.service import STATUS_LABELS
from shujian.leads.store import lead_events, leads
from shujian.store import now


def _need_text(value: str, what: str) -> str:
    if not value or not value.strip():
        raise UserError(f"{what}不能为空。")
    return value.strip()


def _accept_leads(
    conn: Connection, case_id: int, lead_ids: Sequence[int], actor: str, reason: str
) -> None:
    """成案: mark each lead accepted into `case_id`; refuse leads that are not awaiting triage."""
    if not lead_ids:
        raise UserError("至少需要一条线索才能立案。")
    if len(set(lead_ids)) != len(lead_ids):
        raise UserError("线索编号重复。")
    found = {
        r.id: r
        for r in conn.execute(
            select(leads.c.id, leads.c.status).where(leads.c.id.in_(lead_ids)).with_for_update()
        )
    }
    for lead_id in lead_ids:
        row = found.get(lead_id)
        if row is None:
            raise UserError(f"线索 {lead_id} 不存在。")
        if row.status != "new":
            label = STATUS_LABELS.get(row.status, row.status)
            raise UserError(f"线索 {lead_id} 当前为“{label}”，只有待研判的线索可以成案。")
    stamp = now()
    conn.execute(
        update(leads).where(leads.c.id.in_(lead_ids)).values(status="accepted", updated_at=stamp)
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
                "detail": {"case_id": case_id, "reason": reason},
            }
            for i in lead_ids
        ],
    )


def open_case(
    store: Engine,
    lead_ids: Sequence[int],
    department: str,
    prosecutor: str,
    actor: str,
    reason: str,
    opened_on: dt.date,
    *,
    urgent: bool = False,
    juvenile: bool = False,
) -> int:
    """立案 from one or more leads, which become accepted (成案); returns the new case id.

    The investigation deadline (2 months, 检察建议工作规定 art. 15) starts on `opened_on`.
    `urgent` / `juvenile` select the shorter reply periods later on; they may also be set when the
    recommendation is drafted, when the kind of recommendation is known.
    """
    workflow = load_workflow()
    opening = workflow.by_action("open")
    assert opening is not None and not opening.sources, "states.yaml must declare `open`"
    department = _need_text(department, "承办部门")
    prosecutor = _need_text(prosecutor, "承办检察官")
    actor = _need_text(actor, "操作人")
    reason = _need_text(reason, "立案理由")
    kind = opening.starts_deadline
    due = deadline_or_refuse(kind, opened_on, urgent, juvenile) if kind else None
    stamp = now()
    with store.begin() as conn:
        case_id = conn.execute(
            insert(cases)
            .values(
                department=department,
                prosecutor=prosecutor,
                state=opening.target,
                urgent=urgent,
                juvenile=juvenile,
                deadline_kind=kind,
                deadline_start=opened_on if kind else None,
                deadline_due=due,
                opened_on=opened_on,
                created_at=stamp,
                updated_at=stamp,
            )
            .returning(cases.c.id)
        ).scalar_one()
        _accept_leads(conn, case_id, lead_ids, actor, reason)
        conn.execute(
            insert(case_events).values(
                case_id=case_id,
                at=stamp,
                on_date=opened_on,
                actor=actor,
                action=opening.action,
                from_state=None,
                to_state=opening.target,
                reason=reason,
                fields={
                    "lead_ids": list(lead_ids),
                    "department": department,
                    "prosecutor": prosecutor,
                    "urgent": urgent,
                    "juvenile": juvenile,
                },
            )
        )
        audit.record(
            conn,
            actor,
            "open_case",
            "case",
            case_id,
            {
                "lead_ids": list(lead_ids),
                "department": department,
                "prosecutor": prosecutor,
                "reason": reason,
                "opened_on": opened_on.isoformat(),
            },
        )
    return int(case_id)


def _last_step_date(conn: Connection, case_id: int) -> dt.date:
    """The date of the case's latest state change (a new one may not be dated earlier).

    Steps that leave the state as it is (并入线索, 备案) run beside the workflow and do not count:
    a 备案 recorded after 送达 may well be dated before it.
    """
    return conn.execute(
        select(case_events.c.on_date)
        .where(
            case_events.c.case_id == case_id,
            case_events.c.action.not_in(list(load_workflow().steps)),
        )
        .order_by(case_events.c.id.desc())
        .limit(1)
    ).scalar_one()


def _latest_field(conn: Connection, case_id: int, field: str) -> Any:
    """The latest value of a field recorded on any step of the case (None if never recorded)."""
    rows = conn.execute(
        select(case_events.c.fields)
        .where(case_events.c.case_id == case_id)
        .order_by(case_events.c.id.desc())
    ).scalars()
    for fields in rows:
        if fields and field in fields:
            return fields[field]
    return None


def _load_case(conn: Connection, case_id: int) -> Any:
    row = conn.execute(select(cases).where(cases.c.id == case_id).with_for_update()).first()
    if row is None:
        raise UserError(f"案件 {case_id} 不存在。")
    return row


def add_leads_to_case(
    store: Engine,
    case_id: int,
    lead_ids: Sequence[int],
    actor: str,
    reason: str,
    on_date: dt.date | None = None,
) -> None:
    """Accept further leads (成案) into an existing case that has not ended.

    The step is recorded in the case history (action `add_leads`) without changing its state.
    """
    workflow = load_workflow()
    actor = _need_text(actor, "操作人")
    reason = _need_text(reason, "理由")
    with store.begin() as conn:
        row = _load_case(conn, case_id)
        if workflow.is_terminal(row.state):
            raise UserError(f"案件 {case_id} 已“{workflow.label(row.state)}”，不能再并入线索。")
        _accept_leads(conn, case_id, lead_ids, actor, reason)
        last = _last_step_date(conn, case_id)
        conn.execute(
            insert(case_events).values(
                case_id=case_id,
                at=now(),
                on_date=max(last, on_date or dt.date.today()),
                actor=actor,
                action="add_leads",
                from_state=row.state,
                to_state=row.state,
                reason=reason,
                fields={"lead_ids": list(lead_ids)},
            )
        )
        audit.record(
            conn,
            actor,
            "add_leads",
            "case",
            case_id,
            {"lead_ids": list(lead_ids), "reason": reason},
        )


def _refusal(workflow: Workflow, case_id: int, state: str, action: str) -> UserError:
    allowed = workflow.allowed(state)
    here = f"案件 {case_id} 当前状态为“{workflow.label(state)}”"
    if allowed:
        options = "、".join(f"“{t.label}”（{t.action}）" for t in allowed)
        tail = f"当前可执行的操作：{options}。"
    else:
        tail = "案件已经结束，没有可执行的操作。"
    known = workflow.by_action(action)
    what = f"“{known.label}”" if known else f"未知操作“{action}”"
    return UserError(f"{here}，不能执行{what}。{tail}")


def _check_fields(
    workflow: Workflow, tr: Transition, reason: str, fields: dict[str, Any]
) -> dict[str, Any]:
    unknown = set(fields) - set(tr.requires) - set(tr.optional)
    if unknown:
        names = "、".join(sorted(unknown))
        raise UserError(f"“{tr.label}”不接受以下字段：{names}。")
    clean: dict[str, Any] = {}
    for fid in (*tr.requires, *tr.optional):
        spec = workflow.fields[fid]
        value = reason if fid == "reason" else fields.get(fid)
        if value is None or (isinstance(value, str) and not value.strip()):
            if fid in tr.requires:
                raise UserError(f"“{tr.label}”必须填写{spec.label}。")
            continue
        if spec.kind == "bool":
            if not isinstance(value, bool):
                raise UserError(f"{spec.label}只能是“是”或“否”。")
        elif spec.choices and value not in spec.choices:
            raise UserError(f"{spec.label}只能是：{'、'.join(spec.choices)}。")
        if fid != "reason":
            clean[fid] = value.strip() if isinstance(value, str) else value
    return clean


def apply_transition(
    conn: Connection,
    case_id: int,
    action: str,
    actor: str,
    reason: str,
    on_date: dt.date,
    fields: dict[str, Any],
    *,
    document: str | None = None,
) -> tuple[Transition, dict[str, Any]]:
    """Apply `action` inside the caller's transaction; returns the transition and clean fields.

    Used by `transition` and by steps that must happen in the same transaction as the state change
    (issuing a numbered recommendation).
    """
    workflow = load_workflow()
    actor = _need_text(actor, "操作人")
    reason = (reason or "").strip()
    row = _load_case(conn, case_id)
    tr = workflow.by_action(action)
    if tr is None or row.state not in tr.sources:
        raise _refusal(workflow, case_id, row.state, action)
    for f, wanted in tr.when:
        if _latest_field(conn, case_id, f) != wanted:
            spec = workflow.fields[f]
            raise UserError(f"案件 {case_id} 的{spec.label}不是“{wanted}”，不能执行“{tr.label}”。")
    if tr.document != document:
        raise UserError(
            f"“{tr.label}”须同时制发并编号检察建议书，请使用制发检察建议功能"
            "（命令行：shujian cases recommend）。"
        )
    clean = _check_fields(workflow, tr, reason, fields)
    last = _last_step_date(conn, case_id)
    if on_date < last:
        raise UserError(f"日期 {on_date.isoformat()} 早于案件上一步的日期 {last.isoformat()}。")
    values: dict[str, Any] = {"state": tr.target, "updated_at": now()}
    urgent = bool(clean.get("urgent", row.urgent))
    juvenile = bool(clean.get("juvenile", row.juvenile))
    values.update(urgent=urgent, juvenile=juvenile)
    if tr.starts_deadline:
        due = deadline_or_refuse(tr.starts_deadline, on_date, urgent, juvenile)
        values.update(deadline_kind=tr.starts_deadline, deadline_start=on_date, deadline_due=due)
        clean["deadline_due"] = due.isoformat()
    elif tr.ends_deadline:
        values.update(deadline_kind=None, deadline_start=None, deadline_due=None)
        if row.deadline_due is not None:
            clean["ended_deadline"] = {
                "kind": row.deadline_kind,
                "due": row.deadline_due.isoformat(),
                "in_time": on_date <= row.deadline_due,
            }
    conn.execute(update(cases).where(cases.c.id == case_id).values(**values))
    conn.execute(
        insert(case_events).values(
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
    )
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
    )
    return tr, clean


def transition(
    store: Engine,
    case_id: int,
    action: str,
    actor: str,
    reason: str,
    on_date: dt.date,
    **fields: Any,
) -> str:
    """Apply `action` (id or Chinese label) to a case on `on_date`; returns the new state id.

    Refuses, with a `UserError` in Chinese, an action the current state does not allow, a missing
    or invalid required field, and a date earlier than the case's last recorded step (history must
    read forwards).
    """
    with store.begin() as conn:
        tr, _ = apply_transition(conn, case_id, action, actor, reason, on_date, fields)
    return tr.target


def get_case(store: Engine, case_id: int, actor: str) -> dict[str, Any]:
    """The case's current row, with its lead ids and Chinese state label; the view is audited."""
    out = case_row(store, case_id)
    audit.record_view(store, actor, "case", case_id)
    return out


def case_row(store: Engine, case_id: int) -> dict[str, Any]:
    """The case's current row for internal use (documents, statistics): not a user's view."""
    with store.connect() as conn:
        row = conn.execute(select(cases).where(cases.c.id == case_id)).first()
        if row is None:
            raise UserError(f"案件 {case_id} 不存在。")
        lead_ids = list(
            conn.execute(
                select(case_leads.c.lead_id)
                .where(case_leads.c.case_id == case_id)
                .order_by(case_leads.c.lead_id)
            ).scalars()
        )
    out = dict(row._mapping)
    out["state_label"] = load_workflow().label(out["state"])
    out["lead_ids"] = lead_ids
    return out


def history(store: Engine, case_id: int, actor: str) -> list[dict[str, Any]]:
    """Every recorded step of a case, oldest first, with Chinese labels; the view is audited."""
    workflow = load_workflow()
    with store.connect() as conn:
        if conn.execute(select(cases.c.id).where(cases.c.id == case_id)).first() is None:
            raise UserError(f"案件 {case_id} 不存在。")
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
    audit.record_view(store, actor, "case", case_id, {"what": "history"})
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
    actor: str,
    *,
    state: str | None = None,
    department: str | None = None,
    prosecutor: str | None = None,
) -> list[dict[str, Any]]:
    """Cases, newest first, filtered by state, department or prosecutor; the view is audited."""
    workflow = load_workflow()
    query = select(cases).order_by(cases.c.id.desc())
    if state:
        found = [s.id for s in workflow.states.values() if state in (s.id, s.label)]
        if not found:
            labels = "、".join(s.label for s in workflow.states.values())
            raise UserError(f"未知的案件状态“{state}”。可选：{labels}。")
        query = query.where(cases.c.state == found[0])
    if department:
        query = query.where(cases.c.department == department)
    if prosecutor:
        query = query.where(cases.c.prosecutor == prosecutor)
    with store.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    for r in rows:
        r["state_label"] = workflow.label(r["state"])
    filters = {"state": state, "department": department, "prosecutor": prosecutor}
    audit.record_list_view(store, actor, "case", filters, [r["id"] for r in rows])
    return rows
