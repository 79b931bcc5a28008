"""Leads: what models found, one per (model, subject), and what prosecutors decided about them.

A re-run refreshes a lead's evidence and never duplicates it. A lead a prosecutor dismissed
(不成案) stays dismissed while the model keeps finding the same evidence; when the evidence
changes, the lead comes back as new, with the reason in its history.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, select, update

from shujian.leads.store import lead_events, leads
from shujian.store import now

STATUS_LABELS = {"new": "待研判", "accepted": "成案", "dismissed": "不成案"}


@dataclass
class Finding:
    subject: str
    title: str
    evidence: list[dict[str, Any]]
    batches: dict[str, list[int]] = field(default_factory=dict)
    trace_columns: tuple[str, ...] = ()
    evidence_rows: int = 0
    """Rows the model returned for this subject (the evidence keeps the first of them)."""
    evidence_hash: str = ""
    """Digest of the facts (evidence without its trace columns, and the row count): the same
    facts re-sent in a new file are not a change. Computed column-wise by the runner."""


def evidence_digest(facts_text: str, rows: int) -> str:
    return hashlib.sha256(f"{rows}\x1d{facts_text}".encode()).hexdigest()


@dataclass
class RecordCounts:
    found: int = 0
    new: int = 0
    refreshed: int = 0
    unchanged: int = 0
    suppressed: int = 0
    reopened: int = 0


def record_findings(
    conn: Connection,
    run_id: int,
    model_id: str,
    findings: Sequence[Finding],
    parameters: dict[str, Any],
) -> RecordCounts:
    """Write one model's findings of one run (inside the caller's transaction).

    Statements are batched (one INSERT for the new leads, one UPDATE per kind of change, one
    INSERT for the events), so a model with tens of thousands of leads writes in seconds.
    """
    counts = RecordCounts(found=len(findings))
    existing = {
        row.subject: row
        for row in conn.execute(
            select(
                leads.c.id, leads.c.subject, leads.c.status, leads.c.active, leads.c.evidence_hash
            ).where(leads.c.model_id == model_id)
        )
    }
    stamp = now()
    events: list[dict[str, Any]] = []
    fresh: list[Finding] = []
    seen_again: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    seen: set[str] = set()
    for f in findings:
        seen.add(f.subject)
        digest = f.evidence_hash
        old = existing.get(f.subject)
        if old is None:
            fresh.append(f)
            continue
        if old.evidence_hash == digest:
            if old.status == "dismissed":
                counts.suppressed += 1
            else:
                counts.unchanged += 1
            seen_again.append({"_id": old.id})
            if not old.active:
                events.append(_event(old.id, run_id, stamp, "found_again", {}))
            continue
        status = "new" if old.status == "dismissed" else old.status
        changed.append(
            {
                "_id": old.id,
                "title": f.title,
                "evidence": f.evidence,
                "evidence_rows": f.evidence_rows,
                "evidence_hash": digest,
                "parameters": parameters,
                "batches": f.batches,
                "status": status,
            }
        )
        events.append(
            _event(
                old.id, run_id, stamp, "evidence_changed", {"from": old.evidence_hash, "to": digest}
            )
        )
        if old.status == "dismissed":
            events.append(
                _event(old.id, run_id, stamp, "reopened", {"reason": "证据发生变化，重新推送"})
            )
            counts.reopened += 1
        else:
            counts.refreshed += 1
    if fresh:
        conn.execute(
            insert(leads),
            [
                {
                    "model_id": model_id,
                    "subject": f.subject,
                    "title": f.title,
                    "status": "new",
                    "active": True,
                    "evidence": f.evidence,
                    "evidence_rows": f.evidence_rows,
                    "evidence_hash": f.evidence_hash,
                    "parameters": parameters,
                    "batches": f.batches,
                    "first_run_id": run_id,
                    "last_run_id": run_id,
                    "created_at": stamp,
                    "updated_at": stamp,
                }
                for f in fresh
            ],
        )
        counts.new = len(fresh)
        ids = dict(
            conn.execute(
                select(leads.c.subject, leads.c.id).where(
                    leads.c.model_id == model_id, leads.c.first_run_id == run_id
                )
            ).all()
        )
        events += [
            _event(ids[f.subject], run_id, stamp, "created", {"evidence_hash": f.evidence_hash})
            for f in fresh
        ]
    target = leads.c.id == bindparam("_id")
    if seen_again:
        conn.execute(
            update(leads).where(target).values(last_run_id=run_id, active=True), seen_again
        )
    if changed:
        conn.execute(
            update(leads)
            .where(target)
            .values(
                last_run_id=run_id,
                active=True,
                updated_at=stamp,
                title=bindparam("title"),
                evidence=bindparam("evidence"),
                evidence_hash=bindparam("evidence_hash"),
                evidence_rows=bindparam("evidence_rows"),
                parameters=bindparam("parameters"),
                batches=bindparam("batches"),
                status=bindparam("status"),
            ),
            changed,
        )
    gone = [
        {"_id": old.id} for subject, old in existing.items() if subject not in seen and old.active
    ]
    if gone:
        conn.execute(update(leads).where(target).values(active=False), gone)
        events += [_event(g["_id"], run_id, stamp, "no_longer_found", {}) for g in gone]
    if events:
        conn.execute(insert(lead_events), events)
    return counts


def _event(
    lead_id: int,
    run_id: int | None,
    at: datetime,
    kind: str,
    detail: dict[str, Any],
    actor: str = "system",
) -> dict[str, Any]:
    return {
        "lead_id": lead_id,
        "run_id": run_id,
        "at": at,
        "kind": kind,
        "actor": actor,
        "detail": detail,
    }


def list_leads(store: Engine, model_id: str | None = None) -> list[dict[str, Any]]:
    query = select(leads).order_by(leads.c.model_id, leads.c.id)
    if model_id:
        query = query.where(leads.c.model_id == model_id)
    with store.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]
