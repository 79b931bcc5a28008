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
from typing import Any, Literal

from sqlalchemy import Connection, Engine, bindparam, literal_column, select, update
from sqlalchemy.sql.expression import ColumnClause

from shujian.jsontext import EncodedJSON
from shujian.leads import parameter_sets, tallies
from shujian.leads.store import lead_events, leads
from shujian.store import chunks, insert_many, now

STATUS_LABELS = {"new": "待研判", "accepted": "成案", "dismissed": "不成案"}

STALE_LABEL = "不再命中"
"""A lead the latest run of its model no longer found (`active` false)."""


def status_label(status: str, active: bool = True) -> str:
    """The status a reader sees: a lead the latest run no longer found says so beside its status,
    in every list, so that it is never mistaken for one the data still shows."""
    label = STATUS_LABELS.get(status, status)
    return label if active else f"{label}（{STALE_LABEL}）"


@dataclass
class Finding:
    subject: str
    title: str
    evidence: list[dict[str, Any]] | EncodedJSON
    """The rows the model returned for the subject (the first `EVIDENCE_ROW_LIMIT`), as dicts,
    or encoded ahead by the runner (`jsontext`); `evidence_list` reads either."""
    batches: dict[str, list[int]] = field(default_factory=dict)
    trace_columns: tuple[str, ...] = ()
    evidence_rows: int = 0
    """Rows the model returned for this subject (the evidence keeps the first of them)."""
    evidence_hash: str = ""
    """Digest of the facts (evidence without its trace columns, and the row count): the same
    facts re-sent in a new file are not a change. Computed column-wise by the runner."""
    earlier_hashes: tuple[str, ...] = ()
    """Digests of the same facts under an earlier rule of what counts as a fact: a lead stored
    with one of them has not changed (its stored digest is brought up to date)."""
    town: str | None = None
    """The town (乡镇) the subject is in, when the model declares where to read it
    (`leads.town`). Not a fact: written on every run that finds the lead, never compared."""

    def evidence_list(self) -> list[dict[str, Any]]:
        if isinstance(self.evidence, EncodedJSON):
            rows: list[dict[str, Any]] = self.evidence.value()
            return rows
        return self.evidence


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
    gone: int = 0
    """Leads this run no longer found (they become 不再命中), counted apart from the others."""
    written: list[tuple[frozenset[str] | None, list[int]]] = field(default_factory=list, repr=False)
    """Which leads the run wrote and which of their columns (None: made them), for the records
    of tamper evidence (`tamper.ledger.track`)."""
    made: list[tuple[int, dict[str, Any]]] = field(default_factory=list, repr=False)
    """The leads the run made, with the tracked columns as written (`tamper.ledger.made`)."""


Verdict = Literal["new", "unchanged", "suppressed", "refreshed", "reopened", "gone", "found_again"]


@dataclass(frozen=True)
class Known:
    """What the store knows of a lead before this run: all the suppression policy looks at."""

    status: str
    evidence_hash: str
    active: bool


def classify(
    known: Known | None, evidence_hash: str | None, earlier: tuple[str, ...] = ()
) -> Verdict | None:
    """What one run means for one (model, subject): the whole suppression policy, pure.

    `known` is the stored lead (None: never found before); `evidence_hash` the digest of its
    deciding facts in this run (None: not found this run), `earlier` the digests of the same
    facts under earlier hashing rules. None means nothing happens (a lead
    already gone stays gone). A dismissed (不成案) lead found with the same facts is
    suppressed; with other facts it is reopened and awaits triage again. Any other lead with
    other facts is refreshed in place, keeping its status (an accepted lead stays accepted).
    """
    if known is None:
        if evidence_hash is None:
            raise ValueError("a lead neither stored nor found")
        return "new"
    if evidence_hash is None:
        return "gone" if known.active else None
    if known.evidence_hash in (evidence_hash, *earlier):
        if not known.active:
            return "found_again"
        return "suppressed" if known.status == "dismissed" else "unchanged"
    return "reopened" if known.status == "dismissed" else "refreshed"


SEEN_AGAIN_COLUMNS = frozenset({"active", "evidence_hash", "title", "town"})
"""The material columns a run writes of a lead it finds again with the same facts."""
CHANGED_COLUMNS = frozenset(
    {"active", "title", "evidence", "evidence_hash", "evidence_rows", "status", "town"}
)
"""The material columns a run writes of a lead whose facts changed."""


def record_findings(
    conn: Connection,
    run_id: int,
    model_id: str,
    findings: Sequence[Finding],
    parameters: dict[str, Any],
) -> RecordCounts:
    """Write one model's findings of one run (inside the caller's transaction): classify each
    subject, then write each kind of change.

    Statements are batched (one INSERT for the new leads, one UPDATE per kind of change, one
    INSERT for the events), so a model with tens of thousands of leads writes in seconds.
    """
    existing = {
        row.subject: row
        for row in conn.execute(
            select(
                leads.c.id,
                leads.c.subject,
                leads.c.status,
                leads.c.active,
                leads.c.evidence_hash,
                leads.c.title,
                leads.c.town,
            ).where(leads.c.model_id == model_id)
        )
    }
    found = {f.subject: f for f in findings}
    verdicts: dict[Verdict, list[str]] = {}
    for subject in [*found, *(s for s in existing if s not in found)]:
        old = existing.get(subject)
        known = Known(old.status, old.evidence_hash, bool(old.active)) if old else None
        finding = found.get(subject)
        verdict = classify(
            known,
            finding.evidence_hash if finding else None,
            finding.earlier_hashes if finding else (),
        )
        if verdict is not None:
            verdicts.setdefault(verdict, []).append(subject)
    stamp = now()
    # the run's parameters are stored once and named by each lead it writes (migration 0023)
    writes_parameters = any(verdicts.get(v) for v in ("new", "refreshed", "reopened"))
    params_key = parameter_sets.store(conn, parameters) if writes_parameters else ""
    made = _write_new(
        conn, run_id, model_id, [found[s] for s in verdicts.get("new", [])], params_key, stamp
    )
    events = [
        _event(i, run_id, stamp, "created", {"evidence_hash": row["evidence_hash"]})
        for i, row in made
    ]
    written: list[tuple[frozenset[str] | None, list[int]]] = []
    target = leads.c.id == bindparam("_id")
    seen_again = [
        s for v in ("unchanged", "suppressed", "found_again") for s in verdicts.get(v, [])
    ]
    # A lead found again exactly as it is stored (a daily run finds most of them so) only learns
    # the run: one UPDATE of `last_run_id` by id, which no index or tally reads; its material
    # columns are not written, so they have no new record (writing the same values gave none).
    as_stored = [s for s in seen_again if _as_stored(existing[s], found[s])]
    for part in chunks([existing[s].id for s in as_stored]):
        conn.execute(update(leads).where(leads.c.id.in_(part)).values(last_run_id=run_id))
    kept = set(as_stored)
    seen_again = [s for s in seen_again if s not in kept]
    if seen_again:
        conn.execute(
            update(leads)
            .where(target)
            .values(
                last_run_id=run_id,
                active=True,
                evidence_hash=bindparam("evidence_hash"),
                title=bindparam("title"),
                town=bindparam("town"),
            ),
            [
                {
                    "_id": existing[s].id,
                    "evidence_hash": found[s].evidence_hash,
                    # the title is not a fact: it follows the run (a 暂定 mark drops when the
                    # year's notice confirms the same dates)
                    "title": found[s].title,
                    "town": found[s].town,
                }
                for s in seen_again
            ],
        )
        written.append((SEEN_AGAIN_COLUMNS, [existing[s].id for s in seen_again]))
    events += [
        _event(existing[s].id, run_id, stamp, "found_again", {})
        for s in verdicts.get("found_again", [])
    ]
    changed = [*verdicts.get("refreshed", []), *verdicts.get("reopened", [])]
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
                parameters=_JSON_NULL,
                parameter_set=params_key,
                batches=bindparam("batches"),
                status=bindparam("status"),
                town=bindparam("town"),
            ),
            [
                {
                    "_id": existing[s].id,
                    "title": found[s].title,
                    "evidence": found[s].evidence,
                    "evidence_rows": found[s].evidence_rows,
                    "evidence_hash": found[s].evidence_hash,
                    "batches": found[s].batches,
                    "status": "new" if existing[s].status == "dismissed" else existing[s].status,
                    "town": found[s].town,
                }
                for s in changed
            ],
        )
        written.append((CHANGED_COLUMNS, [existing[s].id for s in changed]))
    for s in changed:
        old, digest = existing[s], found[s].evidence_hash
        events.append(
            _event(
                old.id, run_id, stamp, "evidence_changed", {"from": old.evidence_hash, "to": digest}
            )
        )
    events += [
        _event(existing[s].id, run_id, stamp, "reopened", {"reason": "证据发生变化，重新推送"})
        for s in verdicts.get("reopened", [])
    ]
    gone = verdicts.get("gone", [])
    if gone:
        conn.execute(
            update(leads).where(target).values(active=False),
            [{"_id": existing[s].id} for s in gone],
        )
        written.append((frozenset({"active"}), [existing[s].id for s in gone]))
        events += [_event(existing[s].id, run_id, stamp, "no_longer_found", {}) for s in gone]
    insert_many(conn, lead_events, events)
    counts = _counts(verdicts, existing, len(findings))
    counts.written = written
    counts.made = made
    return counts


def _as_stored(row: Any, finding: Finding) -> bool:
    """Whether a lead found again would be written as it already is: still found, with the
    same evidence digest, title and town (what `SEEN_AGAIN_COLUMNS` writes)."""
    return (
        bool(row.active)
        and row.evidence_hash == finding.evidence_hash
        and row.title == finding.title
        and row.town == finding.town
    )


def _write_new(
    conn: Connection,
    run_id: int,
    model_id: str,
    fresh: Sequence[Finding],
    params_key: str,
    stamp: datetime,
) -> list[tuple[int, dict[str, Any]]]:
    """Insert the leads found for the first time; each one's id and the tracked columns as
    written are returned (in the order of `fresh`)."""
    if not fresh:
        return []
    rows = [
        {
            "model_id": model_id,
            "subject": f.subject,
            "title": f.title,
            "status": "new",
            "active": True,
            "evidence": f.evidence,
            "evidence_rows": f.evidence_rows,
            "evidence_hash": f.evidence_hash,
            "town": f.town,
            "dispatch_department": None,
            "dispatch_prosecutor": None,
        }
        for f in fresh
    ]
    written = {
        "parameter_set": params_key,
        "parameters": None,  # JSON null: the run's parameters are named by `parameter_set`
        "first_run_id": run_id,
        "last_run_id": run_id,
        "created_at": stamp,
        "updated_at": stamp,
    }
    with tallies.counted_at_end(conn, model_id, run_id):
        insert_many(
            conn,
            leads,
            [{**r, **written, "batches": f.batches} for r, f in zip(rows, fresh, strict=True)],
        )
    ids = dict(
        conn.execute(
            select(leads.c.subject, leads.c.id).where(
                leads.c.model_id == model_id, leads.c.first_run_id == run_id
            )
        ).all()
    )
    return [(int(ids[r["subject"]]), r) for r in rows]


_JSON_NULL: ColumnClause[Any] = literal_column("'null'")
"""JSON null, written as SQL text once per statement (a bound `JSON.NULL` is encoded per row)."""


def _counts(
    verdicts: dict[Verdict, list[str]], existing: dict[str, Any], found: int
) -> RecordCounts:
    """Counts as runs report them: a lead found again counts as unchanged, or suppressed when it
    was dismissed."""
    again = verdicts.get("found_again", [])
    dismissed_again = sum(1 for s in again if existing[s].status == "dismissed")
    return RecordCounts(
        found=found,
        new=len(verdicts.get("new", [])),
        refreshed=len(verdicts.get("refreshed", [])),
        unchanged=len(verdicts.get("unchanged", [])) + len(again) - dismissed_again,
        suppressed=len(verdicts.get("suppressed", [])) + dismissed_again,
        reopened=len(verdicts.get("reopened", [])),
        gone=len(verdicts.get("gone", [])),
    )


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
        found = [dict(row._mapping) for row in conn.execute(query)]
        parameter_sets.fill(conn, found)
    return found
