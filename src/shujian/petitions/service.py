"""12309 信访's service: receive a petition, route it, record both replies, 领导包案, the
petitioner's feedback and 检察长接待日; list what is owed, overdue or coming due; count the
figures. Every step is one transaction that updates the petition's row and appends an event
and an audit entry; every read of a user's is audited. The rules are in `rules.py`, who may do
what in `access.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, and_, case, func, insert, or_, select, update

from shujian import audit
from shujian.calendar import HolidayCalendar
from shujian.cases.deadlines import provisional_note, provisional_years
from shujian.cases.policy import check_not_future
from shujian.errors import UserError
from shujian.juvenile.texts import entered_text
from shujian.leads.queue import home_department
from shujian.models.labels import mask_id_card
from shujian.paging import Page, fetch_page
from shujian.petitions import rules
from shujian.petitions.access import (
    HANDLE,
    PETITION,
    PetitionScope,
    check_intake,
    not_found,
    petition_scope,
)
from shujian.petitions.store import petition_events, petitions, reception_days
from shujian.store import now
from shujian.tamper import ledger
from shujian.users.access import require
from shujian.users.departments import Departments, departments_of
from shujian.users.user import User
from shujian.workspace import Workspace

RECEPTION_DAY = "reception_day"
"""The object type of a 检察长接待日 in the audit log."""

VIEWS = {
    "open": "未办结",
    "overdue": "回复逾期",
    "due_soon": "即将到期",
    "closed": "已办结",
    "leader": "领导包案",
    "all": "全部",
}

STATES = {"received": "已登记（待分流）", "routed": "办理中", "closed": "已办结"}

RECOMPUTE = "recompute_deadline"
"""The step recording a last day moved because the calendar changed (a year's notice added)."""

DUE_SOON_DAYS = 3
"""A reply whose last day is within this many days (today included) is 即将到期."""


@dataclass
class Petitions:
    """One workspace's petitions: its store, calendar and departments."""

    ws: Workspace

    @property
    def store(self) -> Any:
        return self.ws.store

    @property
    def calendar(self) -> HolidayCalendar:
        return self.ws.calendar

    @cached_property
    def departments(self) -> Departments:
        return departments_of(self.ws)

    @cached_property
    def intake_department(self) -> str | None:
        """Where the procuratorate keeps the standard 控告申诉检察部."""
        return home_department(rules.declarations().intake_department, self.departments)


# --- checks ------------------------------------------------------------------------------------


def _text(value: str | None, what: str, *, required: bool = True) -> str:
    return entered_text(value, what, rules.declarations().text_limit, required=required)


def _choice(table: dict[str, str], value: str | None, what: str) -> str:
    found = rules.choice(table, value)
    if found is None:
        raise UserError(
            f"{what}“{(value or '').strip() or '（空）'}”不对，可选：{'、'.join(table.values())}。",
            code="bad_choice",
        )
    return found


def check_id_card(text: str | None) -> str | None:
    """An 18-character ID number with a valid check character, or None when none is given."""
    import polars as pl

    from shujian.data.fields.id_card import check_char

    value = (text or "").strip().upper()
    if not value:
        return None
    shown = mask_id_card(value)
    if len(value) != 18 or not value[:17].isdigit():
        raise UserError(f"公民身份号码 {shown} 应为18位。", code="bad_id_card")
    if check_char(pl.Series([value[:17]]))[0] != value[17]:
        raise UserError(f"公民身份号码 {shown} 的校验码不对，请核对。", code="bad_id_card")
    if rules.birth_date(value) is None:
        raise UserError(f"公民身份号码 {shown} 中的出生日期不存在。", code="bad_id_card")
    return value


def _on(day: dt.date, what: str, today: dt.date, not_before: dt.date, after: str) -> None:
    check_not_future(day, today, what)
    if day < not_before:
        raise UserError(
            f"{what} {day.isoformat()} 早于{after}（{not_before.isoformat()}）。",
            code="date_too_early",
        )


def _row(conn: Connection, pid: int, scope: PetitionScope, *, lock: bool = False) -> Any:
    query = select(petitions).where(petitions.c.id == pid)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None or not scope.sees(row):
        raise not_found(pid)
    return row


def _event(
    conn: Connection,
    pid: int,
    on: dt.date,
    step: str,
    user: User,
    text: str,
    written: Collection[str] | None,
    **detail: Any,
) -> None:
    """Append the step and its audit entry, with the records of the step and of the petition's
    `written` columns (None: the petition was just made; `tamper.ledger.track`)."""
    eid = conn.execute(
        insert(petition_events)
        .values(
            petition_id=pid,
            at=now(),
            on_date=on,
            kind=step,
            actor=user.name,
            text=text,
            detail=detail,
        )
        .returning(petition_events.c.id)
    ).scalar_one()
    audit.record(
        conn,
        user.name,
        f"petition_{step}",
        PETITION,
        pid,
        {"on": on.isoformat(), **detail},
        state=[
            *ledger.track(conn, "petition", [pid], written),
            *ledger.track(conn, "petition_event", [eid]),
        ],
    )


def _set(conn: Connection, pid: int, **values: Any) -> set[str]:
    """Update the petition; returns the columns written (for `_event`)."""
    conn.execute(update(petitions).where(petitions.c.id == pid).values(updated_at=now(), **values))
    return set(values)


def _department(ps: Petitions, department: str) -> str:
    return ps.departments.check(department, "承办部门")


# --- steps -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Intake:
    """What a petition says when it comes in."""

    received_on: dt.date
    channel: str
    category: str
    name: str
    matter: str
    id_card: str | None = None
    contact: str = ""
    minor: bool = False
    no_contact: bool = False
    """Anonymous, or no way to reach the petitioner: no reply can be made (not counted in the
    reply rates)."""
    reception_day: int | None = None
    department: str | None = None
    handler: str | None = None


def receive(ps: Petitions, user: User, today: dt.date, intake: Intake) -> int:
    """Register a petition (and route it when a department is given); returns its number."""
    check_intake(user, ps.intake_department)
    d = rules.declarations()
    check_not_future(intake.received_on, today, "收到日期")
    channel = _choice(d.channels, intake.channel, "信访渠道")
    category = _choice(d.categories, intake.category, "信访类别")
    name = _text(intake.name, "信访人姓名", required=False)
    if len(name) > 64:
        raise UserError("信访人姓名过长（最多64字）。", code="text_too_long")
    contact = _text(intake.contact, "联系方式", required=False)[:128]
    if not name and not intake.no_contact:
        raise UserError("匿名信访请勾选“匿名或无联系方式”。", code="text_required")
    if not contact and not intake.no_contact:
        raise UserError(
            "请填写信访人的联系方式（电话或地址），或勾选“匿名或无联系方式”。",
            code="text_required",
        )
    matter = _text(intake.matter, "信访事项")
    id_card = check_id_card(intake.id_card)
    minor = rules.is_minor(id_card, intake.minor, intake.received_on)
    due = rules.due_dates(intake.received_on, ps.calendar)
    department = _department(ps, intake.department) if intake.department else None
    handler = (intake.handler or "").strip() or None
    stamp = now()
    with ps.store.begin() as conn:
        if intake.reception_day is not None:
            day = conn.execute(
                select(reception_days).where(reception_days.c.id == intake.reception_day)
            ).first()
            if day is None:
                raise UserError(f"找不到检察长接待日 {intake.reception_day}。", code="not_found")
            if channel != "visit" or day.on_date != intake.received_on:
                raise UserError(
                    f"检察长接待日 {intake.reception_day}（{day.on_date.isoformat()}）只能登记"
                    "当天接待的来访。",
                    code="bad_reception_day",
                )
        pid = conn.execute(
            insert(petitions)
            .values(
                received_on=intake.received_on,
                channel=channel,
                category=category,
                name=name,
                id_card=id_card,
                contact=contact,
                minor=minor,
                no_contact=intake.no_contact,
                matter=matter,
                state="routed" if department else "received",
                department=department,
                handler=handler if department else None,
                procedural_due=due.procedural,
                result_due=due.result,
                reception_day_id=intake.reception_day,
                registered_by=user.name,
                created_at=stamp,
                updated_at=stamp,
            )
            .returning(petitions.c.id)
        ).scalar_one()
        _event(
            conn,
            pid,
            intake.received_on,
            "received",
            user,
            matter,
            None,
            channel=channel,
            category=category,
            petitioner=rules.shown_name(name, minor, full=False),
            id_card=mask_id_card(id_card or ""),
            minor=minor,
            no_contact=intake.no_contact,
            procedural_due=due.procedural.isoformat(),
            result_due=due.result.isoformat(),
            reception_day=intake.reception_day,
        )
        if department:
            _event(
                conn,
                pid,
                intake.received_on,
                "routed",
                user,
                "",
                (),
                department=department,
                handler=handler,
            )
    return int(pid)


def route(
    ps: Petitions,
    user: User,
    today: dt.date,
    pid: int,
    department: str,
    *,
    handler: str = "",
    on: dt.date | None = None,
    text: str = "",
) -> None:
    """分流: send the petition to the department that handles it (again, to send it elsewhere)."""
    scope = check_intake(user, ps.intake_department)
    department = _department(ps, department)
    on = on or today
    with ps.store.begin() as conn:
        row = _row(conn, pid, scope, lock=True)
        if row.state == "closed":
            raise UserError(f"信访件 {pid} 已办结，不能再分流。", code="step_not_allowed")
        _on(on, "分流日期", today, row.received_on, "收到日期")
        who = (handler or "").strip() or None
        written = _set(conn, pid, state="routed", department=department, handler=who)
        _event(
            conn,
            pid,
            on,
            "routed",
            user,
            _text(text, "说明", required=False),
            written,
            department=department,
            handler=who,
            previous=row.department,
        )


def _check_handle(ps: Petitions, user: User) -> PetitionScope:
    require(user, HANDLE)
    return petition_scope(user, ps.intake_department)


def procedural_reply(
    ps: Petitions,
    user: User,
    today: dt.date,
    pid: int,
    *,
    outcome: str,
    text: str,
    on: dt.date | None = None,
) -> bool:
    """程序性回复 (受理、不予受理、补充材料、移送、当场答复); returns whether it was in time."""
    scope = _check_handle(ps, user)
    outcome = _choice(rules.declarations().procedural_outcomes, outcome, "程序性回复")
    on = on or today
    body = _text(text, "回复内容")
    with ps.store.begin() as conn:
        row = _row(conn, pid, scope, lock=True)
        if row.procedural_on is not None:
            raise UserError(
                f"信访件 {pid} 已于 {row.procedural_on.isoformat()} 程序性回复。",
                code="step_not_allowed",
            )
        _on(on, "回复日期", today, row.received_on, "收到日期")
        timely = rules.in_time(on, row.procedural_due)
        written = _set(conn, pid, procedural_on=on, procedural_outcome=outcome)
        _event(
            conn,
            pid,
            on,
            "procedural_reply",
            user,
            body,
            written,
            outcome=outcome,
            due=row.procedural_due.isoformat(),
            in_time=timely,
        )
    return timely


def result_reply(
    ps: Petitions,
    user: User,
    today: dt.date,
    pid: int,
    *,
    kind: str,
    text: str,
    on: dt.date | None = None,
) -> bool:
    """办理过程或结果答复: the result (办结) or the progress; returns whether the petition's first
    such reply was in time (within three months)."""
    scope = _check_handle(ps, user)
    kind = _choice(rules.declarations().result_kinds, kind, "答复种类")
    on = on or today
    body = _text(text, "答复内容")
    with ps.store.begin() as conn:
        row = _row(conn, pid, scope, lock=True)
        if row.state == "closed":
            raise UserError(f"信访件 {pid} 已办结。", code="step_not_allowed")
        if row.procedural_on is None:
            raise UserError(
                f"信访件 {pid} 尚未程序性回复：请先登记程序性回复。", code="step_not_allowed"
            )
        # not routed: the intake department answered it itself (a question answered on the
        # spot) and is its handling department in the figures
        own = None
        if kind == "result" and row.department is None:
            own = ps.intake_department
            if own is None:
                raise UserError(
                    f"信访件 {pid} 尚未分流，不能答复办理结果。", code="step_not_allowed"
                )
        _on(on, "答复日期", today, row.procedural_on, "程序性回复日期")
        first = row.result_on or on
        timely = rules.in_time(first, row.result_due)
        values: dict[str, Any] = {"result_on": first}
        if kind == "result":
            values.update(state="closed", closed_on=on)
        if own is not None:
            values.update(department=own, handler=user.name)
        written = _set(conn, pid, **values)
        _event(
            conn,
            pid,
            on,
            "result_reply",
            user,
            body,
            written,
            kind=kind,
            due=row.result_due.isoformat(),
            in_time=rules.in_time(on, row.result_due),
        )
    return timely


def record_feedback(
    ps: Petitions,
    user: User,
    today: dt.date,
    pid: int,
    *,
    value: str,
    text: str = "",
    on: dt.date | None = None,
) -> None:
    """The petitioner's assessment after 办结 (满意、基本满意、不满意), once."""
    scope = _check_handle(ps, user)
    value = _choice(rules.declarations().feedback, value, "评价")
    on = on or today
    with ps.store.begin() as conn:
        row = _row(conn, pid, scope, lock=True)
        if row.state != "closed":
            raise UserError(f"信访件 {pid} 尚未办结，办结后再回访评价。", code="step_not_allowed")
        if row.feedback is not None:
            raise UserError(f"信访件 {pid} 已登记评价。", code="step_not_allowed")
        _on(on, "回访日期", today, row.closed_on, "办结日期")
        written = _set(conn, pid, feedback=value, feedback_on=on)
        _event(
            conn, pid, on, "feedback", user, _text(text, "说明", required=False), written,
            value=value,
        )  # fmt: skip


def take_as_leader(
    ps: Petitions,
    user: User,
    today: dt.date,
    pid: int,
    *,
    leader: str,
    on: dt.date | None = None,
    text: str = "",
) -> None:
    """领导包案: a leader of the procuratorate takes the petition as their own case."""
    scope = check_intake(user, ps.intake_department)
    who = _text(leader, "包案领导")[:128]
    on = on or today
    with ps.store.begin() as conn:
        row = _row(conn, pid, scope, lock=True)
        if row.state == "closed":
            raise UserError(f"信访件 {pid} 已办结。", code="step_not_allowed")
        _on(on, "包案日期", today, row.received_on, "收到日期")
        written = _set(conn, pid, leader=who, leader_on=on)
        _event(
            conn,
            pid,
            on,
            "leader_case",
            user,
            _text(text, "说明", required=False),
            written,
            leader=who,
            previous=row.leader,
        )


def add_reception_day(
    ps: Petitions,
    user: User,
    today: dt.date,
    *,
    on: dt.date,
    leader: str,
    place: str,
    note: str = "",
) -> int:
    """Record a 检察长接待日 (the day, who received, where); returns its number."""
    check_intake(user, ps.intake_department)
    check_not_future(on, today, "接待日期")
    who = _text(leader, "接待领导")[:128]
    where = _text(place, "接待地点")[:256]
    with ps.store.begin() as conn:
        rid = conn.execute(
            insert(reception_days)
            .values(
                on_date=on,
                leader=who,
                place=where,
                note=_text(note, "说明", required=False),
                actor=user.name,
                at=now(),
            )
            .returning(reception_days.c.id)
        ).scalar_one()
        audit.record(
            conn,
            user.name,
            "add_reception_day",
            RECEPTION_DAY,
            rid,
            {"on": on.isoformat(), "leader": who, "place": where},
            state=ledger.track(conn, "reception_day", [rid]),
        )
    return int(rid)


# --- reading -----------------------------------------------------------------------------------


def _shown(ps: Petitions, row: dict[str, Any], today: dt.date, *, full: bool) -> dict[str, Any]:
    """A petition as a list or page shows it: labels, the masked ID number, the minor named as
    `rules.shown_name` says, the replies owed with their marks."""
    d = rules.declarations()
    out = dict(row)
    out["petitioner"] = rules.shown_name(row["name"], row["minor"], full=full)
    out["id_card"] = mask_id_card(row["id_card"] or "")
    if not full:
        out["name"] = out["petitioner"]
        out["contact"] = "" if row["minor"] else row["contact"]
    out["channel_label"] = d.channels.get(row["channel"], row["channel"])
    out["category_label"] = d.categories.get(row["category"], row["category"])
    out["state_label"] = STATES.get(row["state"], row["state"])
    out["outcome_label"] = d.procedural_outcomes.get(row["procedural_outcome"] or "", "")
    out["feedback_label"] = d.feedback.get(row["feedback"] or "", "")
    owed = []
    for kind, due in rules.owed(row):
        years = provisional_years(ps.calendar, row["received_on"], due)
        owed.append(
            {
                "kind": kind,
                "label": d.deadlines[kind].label,
                "due": due,
                "days_left": (due - today).days,
                "overdue": due < today,
                "provisional": years,
                "note": provisional_note(years),
            }
        )
    out["owed"] = owed
    out["overdue"] = any(o["overdue"] for o in owed)
    out["procedural_in_time"] = (
        rules.in_time(row["procedural_on"], row["procedural_due"]) if row["procedural_on"] else None
    )
    out["result_in_time"] = (
        rules.in_time(row["result_on"], row["result_due"]) if row["result_on"] else None
    )
    years = provisional_years(ps.calendar, row["received_on"], row["result_due"])
    out["provisional_note"] = provisional_note(years)
    return out


def _owed_by(today: dt.date, horizon: dt.date | None) -> Any:
    """Open petitions owing a reply whose last day is before `today` (overdue), or — with a
    `horizon` — from today to the horizon (coming due)."""

    def window(done: Any, due: Any) -> Any:
        if horizon is None:
            return and_(done.is_(None), due < today)
        return and_(done.is_(None), due >= today, due <= horizon)

    return and_(
        petitions.c.state != "closed",
        petitions.c.no_contact.is_(False),
        or_(
            window(petitions.c.procedural_on, petitions.c.procedural_due),
            window(petitions.c.result_on, petitions.c.result_due),
        ),
    )


def _view_condition(view: str, today: dt.date) -> Any:
    if view == "open":
        return petitions.c.state != "closed"
    if view == "closed":
        return petitions.c.state == "closed"
    if view == "overdue":
        return _owed_by(today, None)
    if view == "due_soon":
        return _owed_by(today, today + dt.timedelta(days=DUE_SOON_DAYS))
    if view == "leader":
        return petitions.c.leader.is_not(None)
    if view == "all":
        return None
    raise UserError(f"没有“{view}”这个清单，可选：{'、'.join(VIEWS)}。", code="bad_choice")


def list_petitions(
    ps: Petitions,
    user: User,
    today: dt.date,
    *,
    view: str = "open",
    department: str | None = None,
    reception_day: int | None = None,
    offset: int = 0,
    limit: int | None = 50,
) -> Page:
    """One page of the petitions the user sees, by view (未办结, 回复逾期, 即将到期 …), oldest
    last day first for the deadline views, newest receipt first otherwise; audited."""
    scope = petition_scope(user, ps.intake_department)
    conditions = [scope.condition()]
    cond = _view_condition(view, today)
    if cond is not None:
        conditions.append(cond)
    if department:
        conditions.append(petitions.c.department == department)
    if reception_day is not None:
        conditions.append(petitions.c.reception_day_id == reception_day)
    # the last day of the first reply still owed (the procedural one comes first)
    soonest = case(
        (petitions.c.procedural_on.is_(None), petitions.c.procedural_due),
        else_=petitions.c.result_due,
    )
    order = (
        (soonest, petitions.c.id)
        if view in ("overdue", "due_soon")
        else (petitions.c.received_on.desc(), petitions.c.id.desc())
    )
    query = select(petitions).where(*conditions).order_by(*order)
    with ps.store.connect() as conn:
        page = fetch_page(conn, query, offset, limit)
    rows = Page([_shown(ps, r, today, full=False) for r in page], page.total, offset, limit)
    audit.record_list_view(
        ps.store,
        user.name,
        PETITION,
        {"view": view, "department": department, "reception_day": reception_day},
        [r["id"] for r in rows],
        offset=offset,
        limit=limit,
        total=page.total,
    )
    return rows


def counts(ps: Petitions, user: User, today: dt.date) -> dict[str, int]:
    """How many petitions each view holds for the user (not audited: numbers only)."""
    scope = petition_scope(user, ps.intake_department)
    out = {}
    with ps.store.connect() as conn:
        for view in VIEWS:
            cond = _view_condition(view, today)
            query = select(func.count()).select_from(petitions).where(scope.condition())
            if cond is not None:
                query = query.where(cond)
            out[view] = int(conn.execute(query).scalar_one())
    return out


def get_petition(ps: Petitions, user: User, today: dt.date, pid: int) -> dict[str, Any]:
    """One petition with its steps, as its handlers see it (a minor named in full on this page
    only); audited."""
    scope = petition_scope(user, ps.intake_department)
    d = rules.declarations()
    with ps.store.connect() as conn:
        row = _row(conn, pid, scope)
        events = [
            dict(e._mapping)
            for e in conn.execute(
                select(petition_events)
                .where(petition_events.c.petition_id == pid)
                .order_by(petition_events.c.id)
            )
        ]
        day = None
        if row.reception_day_id is not None:
            found = conn.execute(
                select(reception_days).where(reception_days.c.id == row.reception_day_id)
            ).first()
            day = dict(found._mapping) if found else None
    out = _shown(ps, dict(row._mapping), today, full=True)
    labels = {
        "received": "登记",
        "routed": "分流",
        "procedural_reply": "程序性回复",
        "result_reply": "答复",
        "feedback": "回访评价",
        "leader_case": "领导包案",
        RECOMPUTE: "重新计算期限",
    }
    for e in events:
        detail = e["detail"] or {}
        e["label"] = labels.get(e["kind"], e["kind"])
        if e["kind"] == "result_reply":
            e["label"] = d.result_kinds.get(detail.get("kind", ""), "答复") + "答复"
        if e["kind"] == "procedural_reply":
            e["label"] += "：" + d.procedural_outcomes.get(detail.get("outcome", ""), "")
        if e["kind"] == "feedback":
            e["label"] += "：" + d.feedback.get(detail.get("value", ""), "")
        if e["kind"] == "routed":
            e["label"] += f"至{detail.get('department')}" + (
                f"（{detail['handler']}承办）" if detail.get("handler") else ""
            )
        if e["kind"] == "leader_case":
            e["label"] += f"：{detail.get('leader')}"
        if e["kind"] == RECOMPUTE:
            e["label"] += (
                f"：{d.deadlines[detail['deadline']].label} {detail['old_due']} → "
                f"{detail['new_due']}"
            )
        e["in_time"] = detail.get("in_time")
    out["events"] = events
    out["reception"] = day
    audit.record_view(ps.store, user.name, PETITION, pid, {"events": len(events)})
    return out


def list_reception_days(
    ps: Petitions, user: User, since: dt.date | None = None, until: dt.date | None = None
) -> list[dict[str, Any]]:
    """The 检察长接待日 recorded, newest first, each with how many visits it received (of those
    the user sees); audited."""
    scope = petition_scope(user, ps.intake_department)
    received = (
        select(petitions.c.reception_day_id, func.count().label("visits"))
        .where(petitions.c.reception_day_id.is_not(None), scope.condition())
        .group_by(petitions.c.reception_day_id)
        .subquery()
    )
    query = (
        select(reception_days, func.coalesce(received.c.visits, 0).label("visits"))
        .outerjoin(received, received.c.reception_day_id == reception_days.c.id)
        .order_by(reception_days.c.on_date.desc(), reception_days.c.id.desc())
    )
    if since:
        query = query.where(reception_days.c.on_date >= since)
    if until:
        query = query.where(reception_days.c.on_date <= until)
    with ps.store.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    audit.record_list_view(
        ps.store, user.name, RECEPTION_DAY, {}, [r["id"] for r in rows], total=len(rows)
    )
    return rows


@dataclass(frozen=True)
class Figures:
    """The figures of the petitions received in a period, by one dimension."""

    by: str
    since: dt.date | None
    until: dt.date | None
    as_of: dt.date
    rows: list[dict[str, Any]]

    @property
    def period(self) -> str:
        start = self.since.isoformat() if self.since else "最早"
        end = self.until.isoformat() if self.until else self.as_of.isoformat()
        return f"收到日期 {start} 至 {end}；回复、办结和评价截至 {self.as_of.isoformat()}"


def figures(
    ps: Petitions,
    user: User,
    today: dt.date,
    *,
    by: str = "department",
    since: dt.date | None = None,
    until: dt.date | None = None,
    audit_as: str = "view",
) -> Figures:
    """回复率, 办结率, 满意率 … of the petitions received from `since` to `until` (both
    included) that the user sees, as they stand today (a reply made after `until` to a petition
    received in the period counts); audited (`audit_as="export"` for a file)."""
    if by not in rules.DIMENSIONS:
        raise UserError(
            f"统计维度“{by}”不对，可选：{'、'.join(rules.DIMENSIONS)}。", code="bad_choice"
        )
    if since and until and since > until:
        raise UserError("起始日期晚于截止日期。", code="bad_period")
    scope = petition_scope(user, ps.intake_department)
    query = select(petitions).where(scope.condition())
    if since:
        query = query.where(petitions.c.received_on >= since)
    if until:
        query = query.where(petitions.c.received_on <= until)
    as_of = today
    with ps.store.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    audit.record_view(
        ps.store,
        user.name,
        "petition_stats",
        by,
        {
            "since": since and since.isoformat(),
            "until": until and until.isoformat(),
            "petitions": len(rows),
        },
        action=audit_as,
    )
    return Figures(by, since, until, as_of, rules.table(rows, by, as_of))


# --- the calendar changed ----------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """A reply's stored last day that is not the one the workspace's calendar now gives."""

    petition_id: int
    kind: str
    label: str
    old: dt.date
    new: dt.date
    provisional: tuple[int, ...]


def pending_moves(ps: Petitions) -> list[Move]:
    """Replies still owed whose stored last day differs from what the calendar gives today —
    counted on provisional days before the year's notice was added. Nothing is written."""
    d = rules.declarations()
    query = select(petitions).where(
        petitions.c.state != "closed",
        or_(petitions.c.procedural_on.is_(None), petitions.c.result_on.is_(None)),
    )
    with ps.store.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query.order_by(petitions.c.id))]
    moves = []
    for r in rows:
        due = rules.due_dates(r["received_on"], ps.calendar)
        for kind, new in ((rules.PROCEDURAL, due.procedural), (rules.RESULT, due.result)):
            if r[f"{kind}_on"] is None and r[f"{kind}_due"] != new:
                years = provisional_years(ps.calendar, r["received_on"], new)
                moves.append(
                    Move(r["id"], kind, d.deadlines[kind].label, r[f"{kind}_due"], new, years)
                )
    return moves


def recompute(ps: Petitions, user: User, today: dt.date) -> list[Move]:
    """Move every reply's last day to the one the calendar now gives (`pending_moves`), in one
    transaction; each move is a step of its petition and an audit entry. A date that changed in
    the meantime (another user's step) is left alone."""
    check_intake(user, ps.intake_department)
    done = []
    with ps.store.begin() as conn:
        for m in pending_moves(ps):
            due = getattr(petitions.c, f"{m.kind}_due")
            changed = conn.execute(
                update(petitions)
                .where(petitions.c.id == m.petition_id, due == m.old)
                .values({f"{m.kind}_due": m.new, "updated_at": now()})
            ).rowcount
            if not changed:
                continue
            _event(conn, m.petition_id, today, RECOMPUTE, user, "按现行节假日日历重新计算期限",
                   {f"{m.kind}_due"}, deadline=m.kind, old_due=m.old.isoformat(),
                   new_due=m.new.isoformat())  # fmt: skip
            done.append(m)
    return done
