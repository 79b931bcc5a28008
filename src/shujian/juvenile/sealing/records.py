"""Sealed records: sealing on import, what is sealed now, the one way to see a sealed record
(a reason, audited), and unsealing.

A record's identity is its `record_key`: the digest of the person's ID number, the decision's
date, outcome, offence and document number — the columns the offence record, and every lead
copied from it (`staff.barred_offence`'s evidence), carry alike. So a copy made before the
sealing (a lead's stored evidence, a case built on the lead, its 检察建议书) is recognised as
resting on a sealed record whenever it is viewed (`visibility.py`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, func, insert, select

from shujian import audit
from shujian.beijing import today_in_china
from shujian.errors import UserError
from shujian.juvenile.register import under_18_on
from shujian.juvenile.sealing.rule import (
    GROUNDS,
    SEALABLE,
    UNKNOWN_ACT_YEARS,
    UNSEAL_GROUNDS,
    decide,
    unseal_allowed,
)
from shujian.juvenile.sealing.store import sealed_record_events, sealed_records
from shujian.leads.store import leads
from shujian.models.labels import mask_id_card
from shujian.store import chunks, insert_many
from shujian.users.access import not_found, require
from shujian.users.user import User

if TYPE_CHECKING:  # the import pipeline's types; a command that only lists leads loads neither
    import polars as pl

    from shujian.data.datasets import Dataset

KEY_COLUMNS = ("id_card", "decided_on", "outcome", "offence", "document_no")
"""The columns of an offence record that make its identity."""

EVENT_LABELS = {"sealed": "封存", "viewed": "查阅", "unsealed": "解除封存"}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()[:10] if _looks_like_date(value) else str(value).strip()


def _looks_like_date(value: Any) -> bool:
    text = str(value).strip()
    return len(text) >= 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit()


def record_key(row: Mapping[str, Any]) -> str | None:
    """The identity of the offence record `row` holds (None: it lacks the ID number, date or
    outcome, so it is not an offence record's copy)."""
    if not row.get("id_card") or not row.get("decided_on") or not row.get("outcome"):
        return None
    text = "\x1f".join(_text(row.get(c)) for c in KEY_COLUMNS)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


# ----------------------------------------------------------------------------- sealing


SEALED_COLUMNS = (
    *KEY_COLUMNS,
    "act_date",
    "sentence",
    "name",
)
"""The columns of an offence record that sealing reads (`seal_rows`)."""


def seal_imported(
    conn: Connection, dataset: Dataset, rows: pl.LazyFrame, batch_id: int, user: User
) -> None:
    """`offence_records`' `on_import`: seal the batch's rows the rule selects, in the batch's
    transaction. A record already sealed (the same file again, an overlapping export) keeps
    its seal; one unsealed stays unsealed (its identity is known).

    Only the rows whose outcome the rule can seal (`rule.SEALABLE`, the rule's own first test)
    are read, with only the columns sealing uses (a million-row export once held a Python dict
    per row, 2.4 GiB at its peak). The rule and the record keys are then applied column-wise
    (`columnwise`), or row by row where that could differ; only the rows sealed become dicts."""
    import polars as pl

    from shujian.juvenile.sealing import columnwise

    del dataset
    candidates = (
        rows.filter(pl.col("outcome").is_in(list(SEALABLE)) & ~_adult_well_past_18())
        .select(SEALED_COLUMNS)
        .collect(engine="streaming")
    )
    if columnwise.exact(candidates):
        chosen = columnwise.wanted(candidates)
    else:
        chosen = _wanted(candidates.iter_rows(named=True))
    found = _seal_wanted(conn, chosen, batch_id, user.name, today_in_china())
    if found:
        detail = {"sealed_records": len(found), "ids": audit.id_ranges(found)}
        audit.record(conn, user.name, "seal_records", "batch", batch_id, detail)


ADULT_MARGIN_YEARS = 1
"""How far past the rule's own line `_adult_well_past_18` draws its own: a birthday, a leap day
or the 周岁 rule's day after cannot move a person across a whole year."""


def _adult_well_past_18() -> pl.Expr:
    """Rows the rule certainly does not seal, read in polars before any row reaches Python: the
    person was 18 + `ADULT_MARGIN_YEARS` or older on the act date, or, without an act date, on
    the decision date that old past the precaution's years (`rule.UNKNOWN_ACT_YEARS`). The rule
    (`decide`) still decides every other row; this only spares it the adults, who are most of an
    export (a million-row export's 667,000 sealable outcomes were handed over one by one). An ID
    number without a readable birth date is left to the rule."""
    import polars as pl

    from shujian.juvenile.counting import age_on

    past = 18 + ADULT_MARGIN_YEARS
    return (
        pl.when(pl.col("act_date").is_not_null())
        .then(age_on("id_card", "act_date") >= past)
        .otherwise(age_on("id_card", "decided_on") >= past + UNKNOWN_ACT_YEARS)
        .fill_null(False)
    )


def seal_rows(
    conn: Connection,
    rows: Iterable[Mapping[str, Any]],
    batch_id: int | None,
    actor: str,
    today: dt.date,
) -> list[int]:
    """Seal each row the rule selects that is not known yet; the new sealed records' ids."""
    return _seal_wanted(conn, _wanted(rows), batch_id, actor, today)


def _wanted(rows: Iterable[Mapping[str, Any]]) -> dict[str, tuple[Mapping[str, Any], str]]:
    """The rows the rule seals, by record key: the first row of each key, with its ground."""
    wanted: dict[str, tuple[Mapping[str, Any], str]] = {}
    for row in rows:
        decision = decide(
            str(row["id_card"]),
            str(row["outcome"]),
            row["decided_on"],
            row.get("act_date"),
            row.get("sentence"),
        )
        if not decision.sealed or decision.ground is None:
            continue
        key = record_key(row)
        if key is not None:
            wanted.setdefault(key, (row, decision.ground))
    return wanted


def _seal_wanted(
    conn: Connection,
    wanted: Mapping[str, tuple[Mapping[str, Any], str]],
    batch_id: int | None,
    actor: str,
    today: dt.date,
) -> list[int]:
    """Seal the rows `wanted` names that are not known yet; the new sealed records' ids."""
    if not wanted:
        return []
    known = ids_by_key(conn, wanted)
    at = _now()
    fresh = [(key, row, ground) for key, (row, ground) in wanted.items() if key not in known]
    if not fresh:
        return []
    # the new records and their events through the driver's executemany (`insert_many`): a
    # batch of a large export seals a couple of hundred thousand, and SQLAlchemy's own
    # conversion of each row's values was most of the import's time. The record key is unique,
    # so the records newer than the newest before are this call's, found by their keys.
    before = conn.execute(select(func.coalesce(func.max(sealed_records.c.id), 0))).scalar_one()
    insert_many(
        conn,
        sealed_records,
        [
            {
                "record_key": key,
                "id_card": row["id_card"],
                "name": row.get("name") or "",
                "offence": row.get("offence") or "",
                "outcome": row["outcome"],
                "decided_on": row["decided_on"],
                "act_date": row.get("act_date"),
                "sentence": row.get("sentence"),
                "document_no": row.get("document_no"),
                "batch_id": batch_id,
                "ground": ground,
                "sealed_on": today,
                "sealed_by": actor,
                "created_at": at,
            }
            for key, row, ground in fresh
        ],
    )
    ids = dict(
        conn.execute(
            select(sealed_records.c.record_key, sealed_records.c.id).where(
                sealed_records.c.id > before
            )
        ).all()
    )
    made = [int(ids[key]) for key, _, _ in fresh]
    details: dict[str, dict[str, Any]] = {}  # one per ground, its JSON written once
    insert_many(
        conn,
        sealed_record_events,
        [
            {
                "record_id": new_id,
                "at": at,
                "kind": "sealed",
                "actor": actor,
                "reason": GROUNDS[ground],
                "detail": details.setdefault(ground, {"ground": ground, "batch": batch_id}),
            }
            for new_id, (_, _, ground) in zip(made, fresh, strict=True)
        ],
    )
    return made


# ----------------------------------------------------------------------------- reading


KEYS_PER_QUERY = 500
"""Record keys per `IN (…)` list: a batch may hold tens of thousands."""


def ids_by_key(conn: Connection, keys: Iterable[str]) -> dict[str, int]:
    """The records of these record keys, sealed now or since unsealed, with their ids."""
    ids: dict[str, int] = {}
    for part in chunks(sorted(set(keys)), KEYS_PER_QUERY):
        ids.update(
            (str(key), int(record_id))
            for key, record_id in conn.execute(
                select(sealed_records.c.record_key, sealed_records.c.id).where(
                    sealed_records.c.record_key.in_(part)
                )
            )
        )
    return ids


def sealed_by_key(conn: Connection, keys: Iterable[str]) -> dict[str, int]:
    """Of these record keys, those of records sealed now (not unsealed), with their ids."""
    ids = ids_by_key(conn, keys)
    gone: set[int] = set()
    for part in chunks(sorted(ids.values())):
        gone.update(
            conn.execute(
                select(sealed_record_events.c.record_id).where(
                    sealed_record_events.c.kind == "unsealed",
                    sealed_record_events.c.record_id.in_(part),
                )
            ).scalars()
        )
    return {key: record_id for key, record_id in ids.items() if record_id not in gone}


def unsealed_ids(conn: Connection) -> set[int]:
    return set(
        conn.execute(
            select(sealed_record_events.c.record_id).where(
                sealed_record_events.c.kind == "unsealed"
            )
        ).scalars()
    )


def current(conn: Connection) -> list[dict[str, Any]]:
    """Every record sealed now (not unsealed), oldest first, whole; a user's list is
    `list_sealed`, and the view-time checks look keys up (`sealed_by_key`)."""
    gone = unsealed_ids(conn)
    rows = conn.execute(select(sealed_records).order_by(sealed_records.c.id))
    return [dict(r._mapping) for r in rows if r.id not in gone]


def _shown(row: Mapping[str, Any], unsealed: bool) -> dict[str, Any]:
    out = dict(row)
    out["id_card_masked"] = mask_id_card(str(row["id_card"]))
    out["ground_label"] = GROUNDS.get(str(row["ground"]), str(row["ground"]))
    out["state"] = "unsealed" if unsealed else "sealed"
    out["state_label"] = "已解除封存" if unsealed else "封存中"
    return out


def list_sealed(store: Engine, user: User, id_card: str | None = None) -> list[dict[str, Any]]:
    """The sealed records as a list for those who handle sealing: number, masked ID number,
    decision date, ground and state — no name, no offence (those only `show_sealed` with a
    reason); `id_card` (a full number, typed from a request) keeps that person's. Audited."""
    require(user, "view_sealed")
    query = select(sealed_records).order_by(sealed_records.c.id)
    if id_card:
        query = query.where(sealed_records.c.id_card == id_card.strip().upper())
    with store.connect() as conn:
        gone = unsealed_ids(conn)
        rows = [_shown(dict(r._mapping), r.id in gone) for r in conn.execute(query)]
    listed = [
        {
            "id": r["id"],
            "id_card_masked": r["id_card_masked"],
            "decided_on": r["decided_on"],
            "sealed_on": r["sealed_on"],
            "ground": r["ground"],
            "ground_label": r["ground_label"],
            "state": r["state"],
            "state_label": r["state_label"],
        }
        for r in rows
    ]
    audit.record_view(
        store,
        user.name,
        "sealed_record",
        None,
        {"ids": [r["id"] for r in listed], "searched": bool(id_card)},
        action="list",
    )
    return listed


def _need_reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise UserError(
            "查阅封存的未成年人犯罪记录须说明理由（如办案需要、答复查询申请），理由记入审计日志。",
            code="sealed_reason_required",
        )
    return text


def show_sealed(store: Engine, record_id: int, user: User, reason: str) -> dict[str, Any]:
    """One sealed record in full — only with `view_sealed` and a reason; the view is recorded
    as the record's event and in the audit log, with the reason. The leads and documents that
    rest on it are listed with it."""
    require(user, "view_sealed")
    text = _need_reason(reason)
    from shujian.juvenile.sealing.visibility import resting_on

    with store.begin() as conn:
        row = conn.execute(select(sealed_records).where(sealed_records.c.id == record_id)).first()
        if row is None:
            raise not_found("sealed_record", record_id)
        conn.execute(
            insert(sealed_record_events).values(
                record_id=record_id,
                at=_now(),
                kind="viewed",
                actor=user.name,
                reason=text,
                detail={},
            )
        )
        audit.record(conn, user.name, "view_sealed", "sealed_record", record_id, {"reason": text})
        gone = unsealed_ids(conn)
        out = _shown(dict(row._mapping), record_id in gone)
        out["events"] = [
            {**dict(e._mapping), "kind_label": EVENT_LABELS.get(e.kind, e.kind)}
            for e in conn.execute(
                select(sealed_record_events)
                .where(sealed_record_events.c.record_id == record_id)
                .order_by(sealed_record_events.c.id)
            )
        ]
        out["resting"] = resting_on(conn, str(row.record_key))
        out["lead_titles"] = {
            int(i): str(t)
            for i, t in conn.execute(
                select(leads.c.id, leads.c.title).where(leads.c.id.in_(out["resting"]["leads"]))
            )
        }
    return out


def may_view_sealed(store: Engine, user: User, record_ids: Iterable[int], reason: str) -> bool:
    """Whether `user` sees the sealed records `record_ids` in a lead, a case or a document now:
    with `view_sealed` and a reason, which is recorded as each record's event and audited.
    Without either, False: the caller shows what everybody else sees."""
    from shujian.users.access import can

    ids = sorted(set(record_ids))
    text = (reason or "").strip()
    if not ids or not text or not can(user, "view_sealed"):
        return False
    with store.begin() as conn:
        at = _now()
        for record_id in ids:
            conn.execute(
                insert(sealed_record_events).values(
                    record_id=record_id,
                    at=at,
                    kind="viewed",
                    actor=user.name,
                    reason=text,
                    detail={},
                )
            )
            audit.record(
                conn, user.name, "view_sealed", "sealed_record", record_id, {"reason": text}
            )
    return True


# ----------------------------------------------------------------------------- unsealing


def unseal(
    store: Engine,
    record_id: int,
    user: User,
    *,
    ground: str,
    decision: str,
    new_sentence: str | None = None,
    act_date: dt.date | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Unseal a record on a ground of 规则第四百八十五条 (the combined sentence recorded), or
    release a precautionary seal once the fact it waited for is known. `decision` names the
    judgment or the verification (文书、核实情况). `handle_sealing`; audited."""
    require(user, "handle_sealing")
    what = (decision or "").strip()
    if not what:
        raise UserError(
            "须写明解除封存所依据的判决书或核实情况（文书编号、法院、日期）。",
            code="unseal_needs_decision",
        )
    day = today or today_in_china()
    with store.begin() as conn:
        row = conn.execute(select(sealed_records).where(sealed_records.c.id == record_id)).first()
        if row is None:
            raise not_found("sealed_record", record_id)
        if record_id in unsealed_ids(conn):
            raise UserError(f"封存记录 {record_id} 已解除封存。", code="already_unsealed")
        refused = unseal_allowed(ground, new_sentence, str(row.ground))
        if refused:
            raise UserError(refused + "。", code="unseal_refused")
        if ground == "adult_at_act":
            if act_date is None:
                raise UserError("须写明核实的行为日期。", code="unseal_needs_act_date")
            if act_date > day:
                raise UserError("行为日期不能晚于今天。", code="future_date")
            if under_18_on(str(row.id_card), act_date):
                raise UserError(
                    f"行为日期 {act_date.isoformat()} 时未满十八周岁，应当继续封存。",
                    code="unseal_refused",
                )
        sentence_text = None
        if new_sentence:
            from shujian.data.sentences import parse_sentence

            read = parse_sentence(new_sentence)
            sentence_text = read.text if not isinstance(read, str) else new_sentence
        detail = {
            "ground": ground,
            "sentence": sentence_text,
            "act_date": act_date.isoformat() if act_date else None,
            "on": day.isoformat(),
        }
        conn.execute(
            insert(sealed_record_events).values(
                record_id=record_id,
                at=_now(),
                kind="unsealed",
                actor=user.name,
                reason=f"{UNSEAL_GROUNDS[ground]}；{what}",
                detail=detail,
            )
        )
        audit.record(
            conn,
            user.name,
            "unseal_record",
            "sealed_record",
            record_id,
            {**detail, "decision": what},
        )
    return {"id": record_id, **detail, "ground_label": UNSEAL_GROUNDS[ground]}
