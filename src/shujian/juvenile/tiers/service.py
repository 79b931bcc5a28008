"""分级干预: setting a minor's intervention tier, its history, and its entries on the minor's file.

A change (`rules.Change`) is checked by the pure rules (`rules.check_change`: the tier's items
and measures, the date not after today nor before the minor's previous change) and here against
the store and the register: the minor is on the register on the day decided (an end of
intervention only needs the minor known to the register) and seen by the user; the warning taken
up is a lead of a juvenile model (figures.yaml `warning_models`), seen by the user, whose subject
is this minor, found no later than the day decided. Each change is one new row of
`intervention_tiers` (append-only) and its audit entry, in one transaction; every view of the
history is audited.

A warning taken up into a tier is an early intervention (提前干预): `facts` gives the statistics
the changes dated in a period (`juvenile.statistics` READERS `tiers_set`, `early_intervention`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from sqlalchemy import Connection, func, insert, select, text

from shujian import audit, beijing
from shujian.cases.documents.disclosure import ID_IN_TEXT
from shujian.errors import UserError
from shujian.juvenile.access import MINOR, not_on_register
from shujian.juvenile.figures import declaration as figures_declaration
from shujian.juvenile.own_records import FileEntry
from shujian.juvenile.register import on_register
from shujian.juvenile.service import Register
from shujian.juvenile.tiers.access import check_decide, check_view, may_decide
from shujian.juvenile.tiers.rules import (
    ENDED,
    Change,
    Declarations,
    Previous,
    check_change,
    current,
    declarations,
)
from shujian.juvenile.tiers.store import intervention_tiers
from shujian.leads.queue import check_visible, homes
from shujian.leads.store import leads
from shujian.models.labels import mask_id_card
from shujian.store import now
from shujian.users.departments import departments_of
from shujian.users.user import User

SECTION = "tiers"
"""The section of the minor's file (`own_records.READERS`)."""

KIND = "干预等级"
"""The kind of the file's entries."""


def _lock_minor(conn: Connection, id_card: str) -> None:
    """Serialise the changes of one minor's tier until the transaction ends, so that the
    previous change a new one is checked against is the newest (PostgreSQL: an advisory lock on
    the minor, taken before the previous change is read; on SQLite the store's write
    transactions already take their turn in the process: `store._serialise_writes`)."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"intervention_tiers/{id_card}"},
        )


def _previous(conn: Connection, id_card: str) -> Previous | None:
    query = (
        select(intervention_tiers.c.tier, intervention_tiers.c.decided_on)
        .where(intervention_tiers.c.id_card == id_card)
        .order_by(intervention_tiers.c.id.desc())
        .limit(1)
    )
    row = conn.execute(query).first()
    return None if row is None else Previous(row.tier, row.decided_on)


def _check_minor(register: Register, id_card: str, tier: str, day: dt.date) -> None:
    """The minor is known to the register (a registry row or an assignment) and, unless the
    change ends intervention, on the register on the day decided."""
    rows = register.registry_rows().filter(pl.col("id_card") == id_card)
    known = rows.height > 0 or register.assignment_rows()["id_card"].eq(id_card).any()
    if not known:
        raise not_on_register(mask_id_card(id_card))
    if tier == ENDED:
        return
    if not any(
        on_register(id_card, r["identified_on"], r["withdrawn_on"], day) for r in rows.to_dicts()
    ):
        raise UserError(
            f"未成年人 {mask_id_card(id_card)} 于 {day.isoformat()} 不在册（未认定、已退出或已满"
            "十八周岁），不能确定干预等级。",
            code="not_on_register_on_day",
        )


def _check_warning(
    conn: Connection,
    register: Register,
    user: User,
    lead_id: int,
    id_card: str,
    decided_on: dt.date,
) -> None:
    """The lead exists and the user sees it (else not found, like a missing one), it is a
    warning of a juvenile model, its subject is this minor, and it was found (Beijing day) no
    later than the day decided: a decision cannot take up a warning that did not exist yet."""
    check_visible(conn, user, [lead_id], homes(register.library, departments_of(register.ws)))
    lead = conn.execute(
        select(leads.c.model_id, leads.c.subject, leads.c.created_at).where(leads.c.id == lead_id)
    ).one()
    models = figures_declaration().warning_models
    if lead.model_id not in models:
        names = "、".join(register.library[m].name if m in register.library else m for m in models)
        raise UserError(
            f"线索 {lead_id} 不是对某一名未成年人的预警（预警：{names}）。",
            code="not_a_warning",
        )
    if str(lead.subject).partition("/")[0] != id_card:
        raise UserError(
            f"线索 {lead_id} 不是对未成年人 {mask_id_card(id_card)} 的预警。",
            code="warning_not_this_minor",
        )
    found_on = beijing.day_of(lead.created_at)
    if decided_on < found_on:
        raise UserError(
            f"决定日期 {decided_on.isoformat()} 早于预警（线索 {lead_id}）的发现日期"
            f"（{found_on.isoformat()}）：承接预警的决定不能早于预警。",
            code="decided_before_warning",
        )


def set_tier(register: Register, user: User, id_card: str, change: Change, today: dt.date) -> int:
    """Record the change (a new row, audited in the same transaction); returns its number."""
    check_decide(user, register.juvenile_department)
    if not register.scope(user).sees(id_card):
        raise not_on_register(mask_id_card(id_card))
    dec = declarations()
    with register.store.begin() as conn:
        _lock_minor(conn, id_card)
        checked = check_change(dec, change, _previous(conn, id_card), today)
        _check_minor(register, id_card, checked.tier, checked.decided_on)
        if checked.lead_id is not None:
            _check_warning(conn, register, user, checked.lead_id, id_card, checked.decided_on)
        row_id = conn.execute(
            insert(intervention_tiers)
            .values(
                id_card=id_card,
                tier=checked.tier,
                decided_on=checked.decided_on,
                items=list(checked.items),
                reason=checked.reason,
                measures=list(checked.measures),
                lead_id=checked.lead_id,
                decided_by=user.name,
                at=now(),
            )
            .returning(intervention_tiers.c.id)
        ).scalar_one()
        audit.record(
            conn,
            user.name,
            "set_intervention_tier",
            MINOR,
            id_card,
            {
                "change": int(row_id),
                "tier": checked.tier,
                "decided_on": checked.decided_on.isoformat(),
                "items": list(checked.items),
                "measures": list(checked.measures),
                "lead_id": checked.lead_id,
                "reason": checked.reason,
            },
        )
    return int(row_id)


def _rows(conn: Connection, id_card: str) -> list[dict[str, Any]]:
    query = (
        select(intervention_tiers)
        .where(intervention_tiers.c.id_card == id_card)
        .order_by(intervention_tiers.c.id)
    )
    return [dict(r._mapping) for r in conn.execute(query)]


def described(dec: Declarations, row: dict[str, Any]) -> dict[str, Any]:
    """A change as pages and the command line show it: no ID number (one typed into the reason
    is masked; the stored reason and its audit entry keep it as typed)."""
    tier = dec.tier(row["tier"])
    return {
        "id": row["id"],
        "tier": tier.id,
        "tier_title": tier.title,
        "decided_on": row["decided_on"],
        "items": [dec.items[c].label for c in row["items"] if c in dec.items],
        "item_codes": list(row["items"]),
        "reason": ID_IN_TEXT.sub(lambda found: mask_id_card(found.group()), row["reason"]),
        "measures": [dec.measures[m].label if m in dec.measures else m for m in row["measures"]],
        "lead_id": row["lead_id"],
        "decided_by": row["decided_by"],
        "at": row["at"],
        "ends": tier.ends,
    }


def history(register: Register, user: User, id_card: str) -> dict[str, Any]:
    """The minor's changes, oldest first, and the tier now; the view is audited."""
    check_view(user, register.juvenile_department)
    if not register.scope(user).sees(id_card):
        raise not_on_register(mask_id_card(id_card))
    dec = declarations()
    with register.store.connect() as conn:
        rows = _rows(conn, id_card)
    changes = [described(dec, r) for r in rows]
    now_tier = current(Previous(rows[-1]["tier"], rows[-1]["decided_on"]) if rows else None)
    audit.record_view(
        register.store, user.name, MINOR, id_card, {"tiers": len(changes)}, action="tiers"
    )
    return {
        "changes": changes,
        "current": None if now_tier is None else dec.tier(now_tier).title,
    }


def file_entries(conn: Connection, id_card: str) -> list[FileEntry]:
    """The minor's changes as entries of their file (`own_records.READERS`)."""
    dec = declarations()
    out = []
    for row in _rows(conn, id_card):
        d = described(dec, row)
        parts = [d["tier_title"]]
        if d["items"]:
            parts.append("理由：" + "；".join(d["items"]))
        parts.append(d["reason"])
        if d["measures"]:
            parts.append("措施：" + "、".join(d["measures"]))
        if d["lead_id"] is not None:
            parts.append(f"承接预警（线索 {d['lead_id']}）")
        parts.append(f"决定人：{d['decided_by']}")
        out.append(
            FileEntry(
                on=row["decided_on"],
                kind=KIND,
                summary="；".join(parts),
                link=None if d["lead_id"] is None else f"/leads/{d['lead_id']}",
                detail=d,
            )
        )
    return out


def facts(conn: Connection, since: dt.date, until: dt.date, *, warned: bool) -> pl.DataFrame:
    """The changes that set a tier (not an end of intervention) decided from `since` to
    `until` — with `warned`, only those taking up a warning — as statistics facts: `id_card`,
    `day` (the day decided) and `record` (the change's number)."""
    query = select(
        intervention_tiers.c.id_card, intervention_tiers.c.decided_on, intervention_tiers.c.id
    ).where(
        intervention_tiers.c.tier != ENDED,
        intervention_tiers.c.decided_on >= since,
        intervention_tiers.c.decided_on <= until,
    )
    if warned:
        query = query.where(intervention_tiers.c.lead_id.is_not(None))
    found = [(r[0], r[1], str(r[2])) for r in conn.execute(query)]
    return pl.DataFrame(
        found, schema={"id_card": pl.Utf8, "day": pl.Date, "record": pl.Utf8}, orient="row"
    )


def newest_change(conn: Connection) -> int | None:
    """The number of the newest change (what a kept statistics answer depends on)."""
    found = conn.execute(select(func.max(intervention_tiers.c.id))).scalar()
    return None if found is None else int(found)


def warnings_to_take_up(warnings: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Of a minor's file's warnings (those the user sees, masked), the juvenile models' ones: the
    choices of a form setting a tier."""
    models = figures_declaration().warning_models
    return [w for w in warnings or () if w["model_id"] in models]


def take_up_path(register: Register, user: User, lead_id: int) -> str | None:
    """Where a warning's page offers 确定干预等级: the tier form of its minor with the warning
    chosen, for a user who may set tiers, when the lead is a juvenile warning whose minor is known
    to the register (None otherwise). The caller has shown the lead to the user (checked its
    scope); no ID number is in the path, only the minor's reference."""
    if not may_decide(user, register.juvenile_department):
        return None
    with register.store.connect() as conn:
        row = conn.execute(
            select(leads.c.model_id, leads.c.subject).where(leads.c.id == lead_id)
        ).first()
    if row is None or row.model_id not in figures_declaration().warning_models:
        return None
    id_card = str(row.subject).partition("/")[0]
    known = register.registry_rows()["id_card"].eq(id_card).any()
    if not known:
        return None
    return f"/minors/{register.ref(id_card)}/tier?lead={lead_id}"
