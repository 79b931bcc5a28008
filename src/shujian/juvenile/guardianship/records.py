"""训诫 and 家庭教育指导 records, and what reads them: a minor's file, the statistics.

* A 训诫 (reprimand) of a guardian: the day, the guardian and their relation, the ground (one
  of `rules.GROUNDS`), what was said or found, by whom, optionally the order it follows.
* A 家庭教育指导 session: the day, the guardian(s) attending, the minor, the form (线下 / 线上),
  the content, by whom, optionally the order it follows.

Both are append-only (`store.APPEND_ONLY`), each recorded with its audit entry in one
transaction; a wrong record is answered by a new one, never an edit.

**人次** (`sessions_people`): the platform counts 家庭教育指导 the way the register counts it from
visits — one 人次 per minor and day: the guardians of one minor guided on one day are one 人次
however many of them attend, however many sessions or sources (a visit recording 家庭教育指导 and
a session recorded here) fall on that day. So the figure 家庭教育指导人次 adds the sessions to the
visits without counting one day's guidance twice; the number of guardians attending is shown with
each session but not counted separately.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine, func, insert, select

from shujian import audit
from shujian.calendar import HolidayCalendar
from shujian.cases.policy import check_not_future
from shujian.errors import UserError
from shujian.juvenile.guardianship import rules
from shujian.juvenile.guardianship.access import check_view, check_work
from shujian.juvenile.guardianship.orders import (
    NAME_LIMIT,
    RELATION_LIMIT,
    _row,
    _text,
    minor_name,
)
from shujian.juvenile.guardianship.store import (
    guardian_reprimands,
    guardianship_orders,
    guidance_sessions,
    order_follow_ups,
)
from shujian.juvenile.own_records import FileEntry
from shujian.juvenile.service import Register
from shujian.store import now
from shujian.users.user import User

REPRIMAND = "guardian_reprimand"
SESSION = "guidance_session"
"""Object types in the audit log."""


def _order_id(conn: Connection, order: str | None, id_card: str) -> int | None:
    if not order:
        return None
    row = _row(conn, order)
    if row["id_card"] != id_card:
        raise UserError(
            f"督促监护令 {row['number']} 不是对这名未成年人制发的。", code="order_of_another_minor"
        )
    return int(row["id"])


def record_reprimand(
    register: Register,
    user: User,
    today: dt.date,
    minor: str,
    *,
    guardian: str,
    relation: str,
    on_date: dt.date,
    ground: str,
    text: str,
    by: str | None = None,
    order: str | None = None,
) -> int:
    """训诫 a guardian of `minor` (a 编号 or an ID number); returns the record's id."""
    check_work(user, register.juvenile_department)
    check_not_future(on_date, today, "训诫日期")
    gid = rules.ground_id(ground)
    if gid is None:
        listed = "、".join(rules.GROUNDS.values())
        raise UserError(f"训诫的依据应为：{listed}，收到：“{ground}”。", code="unknown_ground")
    id_card = register.find(user, minor)
    guardian = _text(guardian, "被训诫的监护人姓名", limit=NAME_LIMIT)
    relation = _text(relation, "监护人与未成年人的关系", limit=RELATION_LIMIT)
    text = _text(text, "训诫内容")
    by = _text(by or user.name, "训诫人", limit=128)
    with register.store.begin() as conn:
        order_id = _order_id(conn, order, id_card)
        rid = conn.execute(
            insert(guardian_reprimands)
            .values(
                id_card=id_card,
                guardian=guardian,
                relation=relation,
                on_date=on_date,
                ground=gid,
                text=text,
                order_id=order_id,
                by_whom=by,
                actor=user.name,
                at=now(),
            )
            .returning(guardian_reprimands.c.id)
        ).scalar_one()
        audit.record(
            conn,
            user.name,
            "reprimand_guardian",
            REPRIMAND,
            rid,
            {
                "ref": register.ref(id_card),
                "guardian": guardian,
                "relation": relation,
                "on_date": on_date.isoformat(),
                "ground": gid,
                "order_id": order_id,
                "by": by,
            },
        )
    return int(rid)


def parse_form(text: str) -> str:
    form = (text or "").strip()
    if form in ("offline", "线下"):
        return "线下"
    if form in ("online", "线上"):
        return "线上"
    raise UserError(
        f"指导形式应为：{'、'.join(rules.FORMS)}，收到：“{text}”。", code="unknown_form"
    )


def record_guidance(
    register: Register,
    user: User,
    today: dt.date,
    minor: str,
    *,
    guardians: Sequence[str],
    on_date: dt.date,
    form: str,
    content: str,
    by: str | None = None,
    order: str | None = None,
) -> int:
    """A 家庭教育指导 session given to the guardian(s) of `minor`; returns the record's id."""
    check_work(user, register.juvenile_department)
    check_not_future(on_date, today, "指导日期")
    names = list(
        dict.fromkeys(
            _text(g, "接受指导的监护人", limit=NAME_LIMIT) for g in guardians if g.strip()
        )
    )
    if not names:
        raise UserError("请填写接受指导的监护人。", code="text_required")
    chosen = parse_form(form)
    content = _text(content, "指导内容")
    by = _text(by or user.name, "指导人", limit=128)
    id_card = register.find(user, minor)
    with register.store.begin() as conn:
        order_id = _order_id(conn, order, id_card)
        sid = conn.execute(
            insert(guidance_sessions)
            .values(
                id_card=id_card,
                guardians=names,
                on_date=on_date,
                form=chosen,
                content=content,
                order_id=order_id,
                by_whom=by,
                actor=user.name,
                at=now(),
            )
            .returning(guidance_sessions.c.id)
        ).scalar_one()
        audit.record(
            conn,
            user.name,
            "record_guidance_session",
            SESSION,
            sid,
            {
                "ref": register.ref(id_card),
                "guardians": names,
                "on_date": on_date.isoformat(),
                "form": chosen,
                "order_id": order_id,
                "by": by,
            },
        )
    return int(sid)


def list_sessions(
    register: Register,
    user: User,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Guidance sessions, latest first, with the minor's name and 编号 (never the number);
    audited as a list view."""
    check_view(user, register.juvenile_department)
    query = select(guidance_sessions, guardianship_orders.c.number).outerjoin(
        guardianship_orders, guardianship_orders.c.id == guidance_sessions.c.order_id
    )
    if since is not None:
        query = query.where(guidance_sessions.c.on_date >= since)
    if until is not None:
        query = query.where(guidance_sessions.c.on_date <= until)
    query = query.order_by(guidance_sessions.c.on_date.desc(), guidance_sessions.c.id.desc())
    with register.store.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    out = []
    for r in rows:
        id_card = r.pop("id_card")
        out.append({**r, "ref": register.ref(id_card), "name": minor_name(register, id_card)})
    audit.record_list_view(
        register.store,
        user.name,
        SESSION,
        {
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
        },
        [r["id"] for r in out],
        total=len(out),
    )
    return out


def reprimands_of(register: Register, user: User, id_card: str) -> list[dict[str, Any]]:
    check_view(user, register.juvenile_department)
    with register.store.connect() as conn:
        rows = conn.execute(
            select(guardian_reprimands)
            .where(guardian_reprimands.c.id_card == id_card)
            .order_by(guardian_reprimands.c.on_date, guardian_reprimands.c.id)
        )
        return [
            {**dict(r._mapping), "id_card": None, "ground_label": rules.GROUNDS[r.ground]}
            for r in rows
        ]


def sessions_of(register: Register, user: User, id_card: str) -> list[dict[str, Any]]:
    check_view(user, register.juvenile_department)
    with register.store.connect() as conn:
        rows = conn.execute(
            select(guidance_sessions)
            .where(guidance_sessions.c.id_card == id_card)
            .order_by(guidance_sessions.c.on_date, guidance_sessions.c.id)
        )
        return [{**dict(r._mapping), "id_card": None} for r in rows]


# ---------------------------------------------------------------------------- 一人一档


def file_entries(conn: Connection, id_card: str) -> list[FileEntry]:
    """The minor's orders, their follow-up visits (standing records), 训诫 and guidance sessions
    as entries of the minor's file (`juvenile.own_records` reader `guardianship`)."""
    out: list[FileEntry] = []
    orders = conn.execute(
        select(guardianship_orders).where(guardianship_orders.c.id_card == id_card)
    ).all()
    numbers = {o.id: o.number for o in orders}
    for o in orders:
        out.append(
            FileEntry(
                o.issued_on,
                "督促监护令",
                f"{o.number}：向{o.relation}{o.guardian}制发，{_months(o.follow_up_months)}回访",
                f"/minors/orders/{o.id}",
                {"number": o.number, "guardian": o.guardian, "relation": o.relation},
            )
        )
    if numbers:
        rows = [
            dict(r._mapping)
            for r in conn.execute(
                select(order_follow_ups)
                .where(order_follow_ups.c.order_id.in_(list(numbers)))
                .order_by(order_follow_ups.c.id)
            )
        ]
        by_order: dict[int, list[dict[str, Any]]] = {}
        for r in rows:
            by_order.setdefault(r["order_id"], []).append(r)
        for order_id, records in by_order.items():
            for visit, f in sorted(rules.standing(records).items()):
                outcome = rules.OUTCOMES.get(str(f["outcome"]), str(f["outcome"]))
                out.append(
                    FileEntry(
                        f["visited_on"],  # type: ignore[arg-type]
                        "督促监护令回访",
                        f"{numbers[order_id]} 第{visit}次回访：{outcome}。{f['note']}".rstrip("。")
                        + "。",
                        f"/minors/orders/{order_id}",
                        {"visit": visit, "outcome": f["outcome"]},
                    )
                )
    for p in conn.execute(
        select(guardian_reprimands).where(guardian_reprimands.c.id_card == id_card)
    ):
        out.append(
            FileEntry(
                p.on_date,
                "训诫",
                f"训诫{p.relation}{p.guardian}（{rules.GROUNDS.get(p.ground, p.ground)}）：{p.text}",
                f"/minors/orders/{p.order_id}" if p.order_id else None,
                {"ground": p.ground},
            )
        )
    for g in conn.execute(select(guidance_sessions).where(guidance_sessions.c.id_card == id_card)):
        out.append(
            FileEntry(
                g.on_date,
                "家庭教育指导",
                f"{g.form}指导{'、'.join(g.guardians)}：{g.content}",
                f"/minors/orders/{g.order_id}" if g.order_id else None,
                {"form": g.form, "guardians": len(g.guardians)},
            )
        )
    return sorted(out, key=lambda e: e.on)


def _months(months: Sequence[int]) -> str:
    return "、".join(f"第{m}个月" for m in months)


# ---------------------------------------------------------------------------- statistics


def version(conn: Connection) -> tuple[int | None, ...]:
    """The newest row of each table the statistics count: a new order, visit or session changes
    it (the rows are never updated in what the figures read), so a kept answer is not reused."""
    return tuple(
        conn.execute(select(func.max(t.c.id))).scalar()
        for t in (guardianship_orders, order_follow_ups, guidance_sessions)
    )


_FACT_SCHEMA = {"id_card": pl.Utf8, "day": pl.Date, "record": pl.Utf8}


def _frame(rows: list[tuple[str, dt.date, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=_FACT_SCHEMA, orient="row")


def order_facts(store: Engine, since: dt.date, until: dt.date) -> pl.DataFrame:
    """督促监护令制发数: one fact per order issued in the period (day: the issue date)."""
    o = guardianship_orders.c
    with store.connect() as conn:
        rows = conn.execute(
            select(o.id_card, o.issued_on, o.number).where(o.issued_on.between(since, until))
        ).all()
    return _frame([(r.id_card, r.issued_on, r.number) for r in rows])


def on_time_facts(
    store: Engine, calendar: HolidayCalendar, since: dt.date, until: dt.date
) -> pl.DataFrame:
    """督促监护令按期回访数: one fact per scheduled visit due in the period whose standing record
    is dated on or before its due date (day: the due date)."""
    with store.connect() as conn:
        orders = [dict(r._mapping) for r in conn.execute(select(guardianship_orders))]
        records: dict[int, list[dict[str, Any]]] = {}
        for r in conn.execute(select(order_follow_ups).order_by(order_follow_ups.c.id)):
            records.setdefault(r.order_id, []).append(dict(r._mapping))
    found = []
    for o in orders:
        standing = rules.standing(records.get(o["id"], []))
        for due in rules.schedule(o["issued_on"], o["follow_up_months"], calendar):
            record = standing.get(due.visit)
            visited = record["visited_on"] if record is not None else None
            if since <= due.on <= until and isinstance(visited, dt.date) and visited <= due.on:
                found.append((o["id_card"], due.on, f"{o['number']}/{due.visit}"))
    return _frame(found)


def session_facts(store: Engine, since: dt.date, until: dt.date) -> pl.DataFrame:
    """家庭教育指导 sessions in the period: one fact per session (day: its date); the figure
    counts them per minor and day (see the module docstring on 人次)."""
    s = guidance_sessions.c
    with store.connect() as conn:
        rows = conn.execute(
            select(s.id_card, s.on_date, s.id).where(s.on_date.between(since, until))
        ).all()
    return _frame([(r.id_card, r.on_date, f"guidance/{r.id}") for r in rows])
