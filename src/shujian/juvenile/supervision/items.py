"""一案一督办: a juvenile warning taken up as a 督办 item, with a deadline, follow-ups and closing.

A warning (预警) is a lead of one of the juvenile models whose subject is a minor
(`declarations.yaml` `warning_models`). The 未成年人检察部 takes one up as an item: the unit
responsible for acting on it (by default the unit whose assignment covers the day, when there is
exactly one), a deadline (by default 10 working days, the opening day not counted; a date or
another count may be given, and the deadline moved later with a reason), follow-ups (the day, what
was done, by whom), and closing (the day and the result). An item open after its deadline is
overdue (逾期); lists show overdue items first.

Every change appends an event (`supervision_events`, append-only) and its audit entry in the
same transaction; every view is audited. A lead the user does not see is not found, exactly like
one that does not exist; an item is seen by whoever sees 督办 (`access.check_view`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from sqlalchemy import Connection, and_, case, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from shujian import audit
from shujian.cases.deadlines import provisional_note
from shujian.errors import UserError
from shujian.juvenile.service import Register
from shujian.juvenile.supervision.access import check_supervise, check_view
from shujian.juvenile.supervision.rules import (
    ITEM_STATUS_LABELS,
    days_overdue,
    deadline_after,
    declarations,
    item_status,
    subject_number,
)
from shujian.juvenile.supervision.store import supervision_events, supervision_items
from shujian.juvenile.texts import entered_text
from shujian.leads.queue import check_visible, homes
from shujian.leads.service import status_label
from shujian.leads.store import leads
from shujian.models.labels import Masking, mask_id_card
from shujian.paging import Page, check_window, count
from shujian.store import now
from shujian.users.departments import departments_of
from shujian.users.user import User

ITEM = "supervision_item"
"""The object type of an item in the audit log."""

EVENT_LABELS = {"opened": "列为督办", "follow_up": "跟进", "deadline": "变更期限", "closed": "办结"}

STATES = {"open": "未办结", "closed": "已办结", "all": "全部"}
"""The lists' filters: open items (overdue first), closed ones, or all."""


def _not_found(item_id: int) -> UserError:
    return UserError(f"找不到督办事项 {item_id}。", code="not_found")


def _text(value: str, what: str, *, required: bool = True) -> str:
    return entered_text(value, what, declarations().text_limit, required=required)


def _day(day: dt.date, what: str, *, not_before: dt.date | None, today: dt.date) -> dt.date:
    if day > today:
        raise UserError(
            f"{what} {day.isoformat()} 晚于今天（{today.isoformat()}）。", code="date_in_future"
        )
    if not_before is not None and day < not_before:
        raise UserError(
            f"{what} {day.isoformat()} 早于列为督办的日期（{not_before.isoformat()}）。",
            code="date_too_early",
        )
    return day


# ---------------------------------------------------------------------------- the warning


def _lead(conn: Connection, register: Register, user: User, lead_id: int) -> dict[str, Any]:
    """The lead, if the user sees it (not found else) and it is a warning about one minor."""
    check_visible(conn, user, [lead_id], homes(register.library, departments_of(register.ws)))
    row = conn.execute(select(leads).where(leads.c.id == lead_id)).one()
    lead = dict(row._mapping)
    models = declarations().warning_models
    if lead["model_id"] not in models or lead["model_id"] not in register.library:
        names = "、".join(register.library[m].name if m in register.library else m for m in models)
        raise UserError(
            f"线索 {lead_id} 不是对某一名未成年人的预警，不能列为督办（可列为督办的预警：{names}）。",
            code="not_a_warning",
        )
    return lead


def _minor(register: Register, id_card: str, lead: dict[str, Any]) -> dict[str, Any]:
    """The minor's name and town: the register's (earliest registration), else the warning's."""
    rows = register.registry_rows().filter(pl.col("id_card") == id_card).sort("identified_on")
    if rows.height:
        return {"name": rows["name"][0], "town": rows["town"][0]}
    evidence = lead.get("evidence") or [{}]
    return {"name": str(evidence[0].get("name") or ""), "town": lead.get("town")}


def units_on(register: Register, id_card: str, day: dt.date) -> list[str]:
    """The units whose assignment of the minor covers `day`."""
    rows = register.assignment_rows().filter(
        (pl.col("id_card") == id_card)
        & (pl.col("started_on") <= day)
        & (pl.col("ended_on").is_null() | (pl.col("ended_on") >= day))
    )
    return sorted(set(rows["unit"].to_list()))


def propose(register: Register, user: User, lead_id: int, today: dt.date) -> dict[str, Any]:
    """What taking up a warning would make: the warning (masked), the minor, the units assigned
    today (the default when there is one) and the default deadline. Refused when it cannot be
    taken up; the view of the warning is audited."""
    check_supervise(user, register.juvenile_department)
    with register.store.connect() as conn:
        lead = _lead(conn, register, user, lead_id)
        existing = conn.execute(
            select(supervision_items.c.id).where(supervision_items.c.lead_id == lead_id)
        ).scalar()
    id_card = subject_number(lead["subject"])
    rule = declarations()
    deadline = deadline_after(today, rule.working_days, register.ws.calendar)
    masked = Masking(register.library, register.datasets).lead(lead)
    minor = _minor(register, id_card, lead)
    audit.record_view(register.store, user.name, "lead", lead_id, {"revealed": False, "for": ITEM})
    return {
        "lead": {
            "id": lead_id,
            "model_id": lead["model_id"],
            "model_name": register.library[lead["model_id"]].name,
            "title": masked["title"],
            "subject": mask_id_card(id_card) + lead["subject"][len(id_card) :],
            "status_label": status_label(lead["status"], bool(lead["active"])),
            "usable": _refusal(lead) is None,
            "refusal": _refusal(lead),
        },
        "existing": existing,
        "name": minor["name"],
        "id_card": mask_id_card(id_card),
        "ref": register.ref(id_card),
        "town": minor["town"],
        "units": units_on(register, id_card, today),
        "deadline": deadline,
        "working_days": rule.working_days,
        "provisional": provisional_note(register.ws.calendar.provisional_in(today, deadline)),
        "source": rule.deadline_source,
    }


def _refusal(lead: dict[str, Any]) -> str | None:
    if lead["status"] == "dismissed":
        return f"线索 {lead['id']} 已作不成案处理，不能列为督办。"
    if not lead["active"]:
        return f"线索 {lead['id']} 最近一次运行已不再命中（预警的情形已经消除），不能列为督办。"
    return None


def open_item(
    register: Register,
    user: User,
    lead_id: int,
    today: dt.date,
    *,
    unit: str | None = None,
    deadline: dt.date | None = None,
    working_days: int | None = None,
    note: str = "",
) -> int:
    """Take the warning up as an item (opened today); returns its number. The unit defaults to
    the one assigned today; the deadline to the declared working days (or `working_days`), or
    `deadline` itself."""
    check_supervise(user, register.juvenile_department)
    if deadline is not None and working_days is not None:
        raise UserError("期限写日期或工作日数，二者选一。", code="bad_deadline")
    note = _text(note, "督办意见", required=False)
    calendar = register.ws.calendar
    if deadline is not None:
        if deadline <= today:
            raise UserError(
                f"督办期限 {deadline.isoformat()} 应晚于今天（{today.isoformat()}）。",
                code="bad_deadline",
            )
        due, basis = deadline, "指定日期"
    else:
        days = working_days if working_days is not None else declarations().working_days
        due, basis = deadline_after(today, days, calendar), f"{days}个工作日"
    with register.store.begin() as conn:
        lead = _lead(conn, register, user, lead_id)
        refusal = _refusal(lead)
        if refusal:
            raise UserError(refusal, code="warning_not_open")
        id_card = subject_number(lead["subject"])
        assigned = units_on(register, id_card, today)
        chosen = (unit or "").strip()
        if not chosen:
            if len(assigned) != 1:
                listed = (
                    f"今日在期的包保单位有：{'、'.join(assigned)}"
                    if assigned
                    else "今日没有在期的包保单位"
                )
                raise UserError(f"请写明督办的责任单位（{listed}）。", code="unit_required")
            chosen = assigned[0]
        if len(chosen) > 128:
            raise UserError("责任单位名称过长（最多128字）。", code="text_too_long")
        minor = _minor(register, id_card, lead)
        stamp = now()
        try:
            item_id = conn.execute(
                insert(supervision_items)
                .values(
                    lead_id=lead_id,
                    model_id=lead["model_id"],
                    id_card=id_card,
                    town=minor["town"],
                    unit=chosen,
                    opened_on=today,
                    deadline=due,
                    deadline_basis=basis,
                    state="open",
                    opened_by=user.name,
                    created_at=stamp,
                    updated_at=stamp,
                )
                .returning(supervision_items.c.id)
            ).scalar_one()
        except IntegrityError:
            raise _already(register, lead_id) from None
        detail = {
            "lead_id": lead_id,
            "unit": chosen,
            "deadline": due.isoformat(),
            "basis": basis,
        }
        _event(conn, item_id, stamp, today, "opened", user.name, user.name, note, detail)
        audit.record(
            conn, user.name, "open_supervision_item", ITEM, item_id, {**detail, "note": note}
        )
    return int(item_id)


def _already(register: Register, lead_id: int) -> UserError:
    with register.store.connect() as conn:
        found = conn.execute(
            select(supervision_items.c.id).where(supervision_items.c.lead_id == lead_id)
        ).scalar()
    return UserError(f"线索 {lead_id} 已列为督办事项 {found}。", code="already_supervised")


def _event(
    conn: Connection,
    item_id: int,
    at: dt.datetime,
    on_date: dt.date,
    kind: str,
    actor: str,
    by_whom: str,
    text: str,
    detail: dict[str, Any],
) -> None:
    conn.execute(
        insert(supervision_events).values(
            item_id=item_id,
            at=at,
            on_date=on_date,
            kind=kind,
            actor=actor,
            by_whom=by_whom,
            text=text,
            detail=detail,
        )
    )


def _open_row(conn: Connection, item_id: int) -> dict[str, Any]:
    """The item, locked for the change (PostgreSQL), refused once closed."""
    row = conn.execute(
        select(supervision_items).where(supervision_items.c.id == item_id).with_for_update()
    ).first()
    if row is None:
        raise _not_found(item_id)
    item = dict(row._mapping)
    if item["state"] == "closed":
        raise UserError(
            f"督办事项 {item_id} 已于 {item['closed_on'].isoformat()} 办结，不能再变更。",
            code="item_closed",
        )
    return item


def follow_up(
    register: Register,
    user: User,
    item_id: int,
    today: dt.date,
    *,
    on_date: dt.date,
    text: str,
    by: str | None = None,
) -> None:
    """Record a follow-up: the day, what was done (督促、核查、单位反馈……), by whom (default the
    user)."""
    check_supervise(user, register.juvenile_department)
    text = _text(text, "跟进情况")
    by = (by or user.name).strip() or user.name
    if len(by) > 128:
        raise UserError("跟进人姓名过长（最多128字）。", code="text_too_long")
    with register.store.begin() as conn:
        item = _open_row(conn, item_id)
        _day(on_date, "跟进日期", not_before=item["opened_on"], today=today)
        stamp = now()
        _event(conn, item_id, stamp, on_date, "follow_up", user.name, by, text, {})
        conn.execute(
            update(supervision_items)
            .where(supervision_items.c.id == item_id)
            .values(updated_at=stamp)
        )
        audit.record(
            conn,
            user.name,
            "follow_up_supervision_item",
            ITEM,
            item_id,
            {"on_date": on_date.isoformat(), "by": by, "text": text},
        )


def move_deadline(
    register: Register,
    user: User,
    item_id: int,
    today: dt.date,
    *,
    deadline: dt.date,
    reason: str,
) -> None:
    """Set another deadline (延期 or 提前), with the reason; the former one stays in the history."""
    check_supervise(user, register.juvenile_department)
    reason = _text(reason, "变更期限的理由")
    with register.store.begin() as conn:
        item = _open_row(conn, item_id)
        if deadline <= item["opened_on"]:
            raise UserError(
                f"督办期限 {deadline.isoformat()} 应晚于列为督办的日期（{item['opened_on'].isoformat()}）。",
                code="bad_deadline",
            )
        if deadline == item["deadline"]:
            raise UserError(f"督办期限已是 {deadline.isoformat()}。", code="bad_deadline")
        stamp = now()
        detail = {"from": item["deadline"].isoformat(), "to": deadline.isoformat()}
        _event(conn, item_id, stamp, today, "deadline", user.name, user.name, reason, detail)
        conn.execute(
            update(supervision_items)
            .where(supervision_items.c.id == item_id)
            .values(deadline=deadline, deadline_basis="指定日期", updated_at=stamp)
        )
        audit.record(
            conn,
            user.name,
            "move_supervision_deadline",
            ITEM,
            item_id,
            {**detail, "reason": reason},
        )


def close_item(
    register: Register,
    user: User,
    item_id: int,
    today: dt.date,
    *,
    closed_on: dt.date,
    result: str,
) -> None:
    """Close the item on `closed_on` with its result (整改落实情况); closed after the deadline it
    is 逾期办结."""
    check_supervise(user, register.juvenile_department)
    result = _text(result, "办结结果")
    with register.store.begin() as conn:
        item = _open_row(conn, item_id)
        _day(closed_on, "办结日期", not_before=item["opened_on"], today=today)
        stamp = now()
        late = closed_on > item["deadline"]
        detail = {"closed_on": closed_on.isoformat(), "late": late}
        _event(conn, item_id, stamp, closed_on, "closed", user.name, user.name, result, detail)
        conn.execute(
            update(supervision_items)
            .where(supervision_items.c.id == item_id)
            .values(state="closed", closed_on=closed_on, result=result, updated_at=stamp)
        )
        audit.record(
            conn, user.name, "close_supervision_item", ITEM, item_id, {**detail, "result": result}
        )


# ---------------------------------------------------------------------------- reading


def _shown(register: Register, row: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """An item as lists and pages show it: status, days overdue, the minor's name and masked
    number, the model's name, 暂定 when its deadline was counted through a provisional year."""
    out = dict(row)
    status = item_status(row["deadline"], row["closed_on"], today)
    out["status"] = status
    out["status_label"] = ITEM_STATUS_LABELS[status]
    out["days_overdue"] = days_overdue(row["deadline"], row["closed_on"], today)
    out["ref"] = register.ref(row["id_card"])
    out["id_card"] = mask_id_card(row["id_card"])
    spec = register.library.get(row["model_id"])
    out["model_name"] = spec.name if spec else row["model_id"]
    out["provisional"] = provisional_note(
        register.ws.calendar.provisional_in(row["opened_on"], row["deadline"])
    )
    return out


def _names(register: Register, ids: list[str]) -> dict[str, str]:
    rows = (
        register.registry_rows()
        .filter(pl.col("id_card").is_in(ids))
        .sort("identified_on")
        .unique("id_card", keep="first")
    )
    return dict(zip(rows["id_card"].to_list(), rows["name"].to_list(), strict=True))


def list_items(
    register: Register,
    user: User,
    today: dt.date,
    *,
    state: str = "open",
    offset: int = 0,
    limit: int | None = None,
) -> ItemPage:
    """Items, overdue first (longest overdue first), then open ones by deadline, then closed ones
    (latest closed first); `state` open, closed or all. One page, audited."""
    check_view(user, register.juvenile_department)
    check_window(offset, limit)
    if state not in STATES:
        raise UserError(
            f"督办事项的筛选应为 {'、'.join(f'{k}（{v}）' for k, v in STATES.items())}。",
            code="bad_state",
        )
    t = supervision_items.c
    overdue = and_(t.state == "open", t.deadline < today)
    rank = case((overdue, 0), (t.state == "open", 1), else_=2)
    query = select(supervision_items).order_by(
        rank, case((t.state == "open", t.deadline), else_=None), t.closed_on.desc(), t.id
    )
    if state != "all":
        query = query.where(t.state == state)
    with register.store.connect() as conn:
        window = query.offset(offset)
        if limit is not None:
            window = window.limit(limit)
        rows = [dict(r._mapping) for r in conn.execute(window)]
        total = count(conn, query)
        overdue_total = conn.execute(
            select(func.count()).select_from(supervision_items).where(overdue)
        ).scalar_one()
        latest = _latest_follow_ups(conn, [r["id"] for r in rows])
    names = _names(register, [r["id_card"] for r in rows])
    shown = []
    for r in rows:
        out = _shown(register, r, today)
        out["name"] = names.get(r["id_card"], "")
        out["latest"] = latest.get(r["id"])
        shown.append(out)
    page = ItemPage(Page(shown, int(total), offset, limit), int(overdue_total))
    audit.record_list_view(
        register.store,
        user.name,
        ITEM,
        {"state": state},
        [r["id"] for r in rows],
        offset=offset,
        limit=limit,
        total=int(total),
    )
    return page


class ItemPage(Page):
    """A page of items, with how many items are overdue in all."""

    def __init__(self, page: Page, overdue: int) -> None:
        super().__init__(list(page), page.total, page.offset, page.limit)
        self.overdue = overdue


def _latest_follow_ups(conn: Connection, ids: list[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    e = supervision_events.c
    newest = (
        select(e.item_id, func.max(e.id).label("id"))
        .where(e.item_id.in_(ids), e.kind == "follow_up")
        .group_by(e.item_id)
        .subquery()
    )
    rows = conn.execute(
        select(supervision_events).join(newest, supervision_events.c.id == newest.c.id)
    )
    return {r.item_id: dict(r._mapping) for r in rows}


def get_item(register: Register, user: User, item_id: int, today: dt.date) -> dict[str, Any]:
    """One item with its warning (masked) and every event in order; the view is audited."""
    check_view(user, register.juvenile_department)
    with register.store.connect() as conn:
        row = conn.execute(
            select(supervision_items).where(supervision_items.c.id == item_id)
        ).first()
        if row is None:
            raise _not_found(item_id)
        item = dict(row._mapping)
        lead = dict(conn.execute(select(leads).where(leads.c.id == item["lead_id"])).one()._mapping)
        events = [
            dict(r._mapping)
            for r in conn.execute(
                select(supervision_events)
                .where(supervision_events.c.item_id == item_id)
                .order_by(supervision_events.c.id)
            )
        ]
    out = _shown(register, item, today)
    out["name"] = _minor(register, item["id_card"], lead)["name"]
    masked = Masking(register.library, register.datasets).lead(lead)
    out["lead"] = {
        "id": lead["id"],
        "title": masked["title"],
        "status_label": status_label(lead["status"], bool(lead["active"])),
    }
    for e in events:
        e["kind_label"] = EVENT_LABELS.get(e["kind"], e["kind"])
    out["events"] = events
    out["units"] = units_on(register, item["id_card"], today)
    audit.record_view(register.store, user.name, ITEM, item_id, {"events": len(events)})
    return out


def all_items(register: Register) -> list[dict[str, Any]]:
    """Every item (unscoped, unaudited: for the quarterly figures, whose view is audited)."""
    with register.store.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(supervision_items))]
