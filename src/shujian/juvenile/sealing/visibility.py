"""What rests on a sealed record, decided when it is viewed.

A lead whose stored evidence holds a row of a sealed record (the row's `record_key`, as
`records.record_key` computes it from the columns the evidence copied) rests on it; so does a
case the lead was accepted into, and every 检察建议书 issued in that case. Those are hidden from
every list, count, export, page and document of every user — with `view_sealed`, a user sees
them only through a view that gives a reason (`records.may_view_sealed`, `show_sealed`).

The check reads the leads that can hold a sealed record's rows — those of the models whose leads
were built from offence records (`batches` names the dataset), whose evidence rows are keyed as
the sealed records are — and looks their rows' keys up among the records sealed now. The answer is kept until a seal, a
lead, a case, a document or a run changes (`_version`, read from primary keys' ends), so a page
view after no change reads no lead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, String, cast, func, select

from shujian.cases.store import case_events, case_leads, recommendations
from shujian.juvenile.sealing.records import record_key, sealed_by_key
from shujian.juvenile.sealing.store import sealed_record_events, sealed_records
from shujian.leads.store import lead_events, leads, runs

OFFENCE_RECORDS = "offence_records"


@dataclass(frozen=True)
class Sealed:
    """What is hidden now: lead id → the sealed records it rests on; case id → the same."""

    leads: dict[int, frozenset[int]] = field(default_factory=dict)
    cases: dict[int, frozenset[int]] = field(default_factory=dict)
    numbers: dict[str, frozenset[int]] = field(default_factory=dict)
    """检察建议书 文号 → the sealed records its case rests on."""

    @property
    def lead_ids(self) -> list[int]:
        return sorted(self.leads)

    @property
    def case_ids(self) -> list[int]:
        return sorted(self.cases)

    def __bool__(self) -> bool:
        return bool(self.leads)


NOTHING = Sealed()


def _evidence_rows(evidence: Any) -> list[dict[str, Any]]:
    if isinstance(evidence, dict):
        return [evidence]
    if isinstance(evidence, list):
        return [r for r in evidence if isinstance(r, dict)]
    return []


_KEPT: dict[tuple[Any, ...], Sealed] = {}
"""The last answers per store and version (`_version`): views read them until something changes."""
_MODELS: dict[tuple[Any, ...], tuple[str, ...]] = {}
"""Per store and latest run: the models whose leads were built from offence records."""


def _latest(conn: Connection, table: Any) -> int:
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one())


def _version(conn: Connection) -> tuple[Any, ...]:
    """What the answer depends on, each read from a primary key's end: a seal or an unseal (its
    event), a lead found or changed (its event), a case given leads (its event), a document
    issued, a run."""
    tables = (sealed_record_events, lead_events, case_events, recommendations, runs)
    # one statement for the five ends: this runs on every list request
    ends = select(*(select(func.coalesce(func.max(t.c.id), 0)).scalar_subquery() for t in tables))
    return (str(conn.engine.url), *(int(v) for v in conn.execute(ends).one()))


def _offence_models(conn: Connection) -> tuple[str, ...]:
    """The models with leads built from `offence_records` batches (their `batches` name it):
    read once per run, so that the evidence is searched in their leads only."""
    key = (str(conn.engine.url), _latest(conn, runs))
    if key not in _MODELS:
        if len(_MODELS) > 32:
            _MODELS.clear()
        found = conn.execute(
            select(leads.c.model_id)
            .where(cast(leads.c.batches, String).contains(f'"{OFFENCE_RECORDS}"'))
            .distinct()
        ).scalars()
        _MODELS[key] = tuple(sorted(found))
    return _MODELS[key]


def sealed_now(conn: Connection) -> Sealed:
    """The leads, cases and documents resting on a record sealed now."""
    version = _version(conn)
    if version not in _KEPT:
        if len(_KEPT) > 32:
            _KEPT.clear()
        _KEPT[version] = _sealed_now(conn)
    return _KEPT[version]


def _sealed_now(conn: Connection) -> Sealed:
    if conn.execute(select(sealed_records.c.id).limit(1)).first() is None:
        return NOTHING  # nothing was ever sealed
    models = _offence_models(conn)
    if not models:
        return NOTHING
    # every lead of those models is read and its evidence rows keyed here (the models that read
    # offence records have few leads); then only those keys are looked up among the sealed
    # records. Reading every sealed record first (a city's offence export seals tens of
    # thousands) made each `leads list` take two seconds.
    query = select(leads.c.id, leads.c.evidence).where(leads.c.model_id.in_(models))
    rests: dict[int, set[str]] = {}
    for lead_id, evidence in conn.execute(query):
        keys = {k for row in _evidence_rows(evidence) if (k := record_key(row)) is not None}
        if keys:
            rests[int(lead_id)] = keys
    sealed_ids = sealed_by_key(conn, {k for keys in rests.values() for k in keys})
    found: dict[int, frozenset[int]] = {}
    for lead_id, keys in rests.items():
        hit = frozenset(sealed_ids[k] for k in keys if k in sealed_ids)
        if hit:
            found[lead_id] = hit
    if not found:
        return NOTHING
    by_case: dict[int, set[int]] = {}
    for case_id, lead_id in conn.execute(
        select(case_leads.c.case_id, case_leads.c.lead_id).where(
            case_leads.c.lead_id.in_(list(found))
        )
    ):
        by_case.setdefault(int(case_id), set()).update(found[int(lead_id)])
    numbers: dict[str, frozenset[int]] = {}
    if by_case:
        for number, case_id in conn.execute(
            select(recommendations.c.number, recommendations.c.case_id).where(
                recommendations.c.case_id.in_(list(by_case))
            )
        ):
            numbers[str(number)] = frozenset(by_case[int(case_id)])
    return Sealed(found, {c: frozenset(s) for c, s in by_case.items()}, numbers)


def sealed(store: Engine) -> Sealed:
    with store.connect() as conn:
        return sealed_now(conn)


def resting_on(conn: Connection, key: str) -> dict[str, list[Any]]:
    """The leads, cases and 文号 resting on the sealed record `key` (for its own page)."""
    now = sealed_now(conn)
    ids = set(sealed_by_key(conn, {key}).values())
    return {
        "leads": sorted(i for i, s in now.leads.items() if s & ids),
        "cases": sorted(i for i, s in now.cases.items() if s & ids),
        "documents": sorted(n for n, s in now.numbers.items() if s & ids),
    }


def case_is_sealed(conn: Connection, case_id: int) -> frozenset[int]:
    """The sealed records a case rests on (empty: none)."""
    return sealed_now(conn).cases.get(case_id, frozenset())


__all__ = ["NOTHING", "Sealed", "case_is_sealed", "resting_on", "sealed", "sealed_now"]
