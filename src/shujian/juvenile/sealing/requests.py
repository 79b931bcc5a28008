"""Query requests (查询申请) for sealed records, and their answers.

人民检察院刑事诉讼规则第四百八十四条: 司法机关或者有关单位需要查询犯罪记录的，应当向封存犯罪记录的
人民检察院提出书面申请。人民检察院应当在七日以内作出是否许可的决定. Seven days, not working days:
the period is counted by 刑事诉讼法第一百零五条 (the day received not counted; a last day on a rest
day moves to the next working day), on the workspace's calendar.

Who may be given what: a sealed **non-prosecution** record only to a 司法机关 for 办案需要
(规则第四百八十六条) — a request of any other unit is refused; a sealed conviction to a 司法机关 for
办案需要 or a unit querying 根据国家规定 (刑诉法第二百八十六条), which must keep it confidential.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, insert, select

from shujian import audit
from shujian.calendar import HolidayCalendar
from shujian.cases.policy import check_not_future
from shujian.errors import UserError
from shujian.juvenile.sealing.rule import NON_PROSECUTIONS
from shujian.juvenile.sealing.store import sealed_records, sealing_answers, sealing_requests
from shujian.users.access import not_found, require
from shujian.users.user import User

ANSWER_DAYS = 7
"""规则第四百八十四条: 七日以内作出是否许可的决定."""

NON_PROSECUTION_REFUSAL = (
    "被封存的不起诉记录，除司法机关为办案需要进行查询外，不得向任何单位和个人提供"
    "（人民检察院刑事诉讼规则第四百八十六条）：非司法机关的查询申请只能不予许可"
)


def due_on(received_on: dt.date, calendar: HolidayCalendar) -> dt.date:
    """The last day to answer a request received on `received_on`: seven days after it (the
    day received not counted), moved off a rest day (刑事诉讼法第一百零五条)."""
    return calendar.extend_to_working_day(received_on + dt.timedelta(days=ANSWER_DAYS))


def _need(value: str, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise UserError(f"须填写{what}。", code="missing_field")
    return text


def record_request(
    store: Engine,
    user: User,
    calendar: HolidayCalendar,
    *,
    record_id: int,
    unit: str,
    judicial: bool,
    basis: str,
    purpose: str,
    received_on: dt.date,
    today: dt.date,
) -> dict[str, Any]:
    """Record a written query request about sealed record `record_id`; its due day counted.
    `handle_sealing`; audited."""
    require(user, "handle_sealing")
    unit_ = _need(unit, "申请查询的单位")
    basis_ = _need(basis, "查询依据（办案需要，或所依据的国家规定）")
    purpose_ = _need(purpose, "查询用途")
    check_not_future(received_on, today, "收到申请的日期")
    due = due_on(received_on, calendar)
    with store.begin() as conn:
        if (
            conn.execute(
                select(sealed_records.c.id).where(sealed_records.c.id == record_id)
            ).first()
            is None
        ):
            raise not_found("sealed_record", record_id)
        new_id = conn.execute(
            insert(sealing_requests).values(
                record_id=record_id,
                unit=unit_,
                judicial=judicial,
                basis=basis_,
                purpose=purpose_,
                received_on=received_on,
                due_on=due,
                actor=user.name,
                created_at=dt.datetime.now(dt.UTC),
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        audit.record(
            conn,
            user.name,
            "record_sealing_request",
            "sealing_request",
            int(new_id),
            {"record": record_id, "unit": unit_, "due_on": due.isoformat()},
        )
    return {"id": int(new_id), "due_on": due, "record_id": record_id}


def answer_request(
    store: Engine,
    user: User,
    request_id: int,
    *,
    granted: bool,
    text: str,
    answered_on: dt.date,
    today: dt.date,
) -> dict[str, Any]:
    """Answer a request: granted, with what was given; or refused, with the reason. Once only.
    A non-prosecution record is never given to a unit that is not a 司法机关. `handle_sealing`;
    audited."""
    require(user, "handle_sealing")
    what = _need(text, "提供的内容" if granted else "不予许可的理由")
    check_not_future(answered_on, today, "答复日期")
    with store.begin() as conn:
        request = conn.execute(
            select(sealing_requests).where(sealing_requests.c.id == request_id)
        ).first()
        if request is None:
            raise not_found("sealing_request", request_id)
        if answered_on < request.received_on:
            raise UserError("答复日期不能早于收到申请的日期。", code="bad_date_order")
        if conn.execute(
            select(sealing_answers.c.id).where(sealing_answers.c.request_id == request_id)
        ).first():
            raise UserError(f"查询申请 {request_id} 已答复。", code="already_answered")
        outcome = conn.execute(
            select(sealed_records.c.outcome).where(sealed_records.c.id == request.record_id)
        ).scalar_one()
        if granted and outcome in NON_PROSECUTIONS and not request.judicial:
            raise UserError(NON_PROSECUTION_REFUSAL + "。", code="non_prosecution_not_given")
        conn.execute(
            insert(sealing_answers).values(
                request_id=request_id,
                answered_on=answered_on,
                granted=granted,
                text=what,
                actor=user.name,
                at=dt.datetime.now(dt.UTC),
            )
        )
        audit.record(
            conn,
            user.name,
            "answer_sealing_request",
            "sealing_request",
            request_id,
            {
                "granted": granted,
                "on": answered_on.isoformat(),
                "on_time": answered_on <= request.due_on,
            },
        )
    return {
        "id": request_id,
        "granted": granted,
        "on_time": answered_on <= request.due_on,
        "due_on": request.due_on,
    }


def list_requests(
    store: Engine, user: User, today: dt.date, *, overdue_only: bool = False
) -> list[dict[str, Any]]:
    """Requests with their state: 待答复, 已逾期 (unanswered after the due day), 按期答复,
    逾期答复. Units and dates only — the person asked about is the sealed record's number.
    `handle_sealing`; audited."""
    require(user, "handle_sealing")
    query = (
        select(
            sealing_requests,
            sealing_answers.c.answered_on,
            sealing_answers.c.granted,
            sealing_answers.c.text.label("answer"),
        )
        .select_from(sealing_requests.outerjoin(sealing_answers))
        .order_by(sealing_requests.c.due_on, sealing_requests.c.id)
    )
    with store.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    out = []
    for r in rows:
        r["state"], r["state_label"] = request_state(r["due_on"], r["answered_on"], today)
        if not overdue_only or r["state"] == "overdue":
            out.append(r)
    audit.record_view(
        store,
        user.name,
        "sealing_request",
        None,
        {"ids": [r["id"] for r in out], "overdue_only": overdue_only},
        action="list",
    )
    return out


def request_state(due: dt.date, answered_on: dt.date | None, today: dt.date) -> tuple[str, str]:
    """A request's state on `today`, with its Chinese label (pure)."""
    if answered_on is None:
        return ("overdue", "已逾期未答复") if today > due else ("open", "待答复")
    return ("on_time", "按期答复") if answered_on <= due else ("late", "逾期答复")
