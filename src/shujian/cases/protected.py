"""The real names a document about a case may not print (未成年人保护法 art. 103), wherever the
case recorded them: the protected persons of its leads' evidence (as each model's document
declares them: `persons` with a protected role) and a minor applicant recorded by a step
(支持起诉's 申请人类别 未成年人, 司法救助's 申请人系未成年人).

A document the platform writes from its own records renames them (郭某); free text a user typed
for an outward document (a 听证会公告's 听证事项) is checked with `named_in` and refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, select

from shujian.cases.documents.support_opinion import MINOR
from shujian.cases.store import case_events, case_leads
from shujian.leads.store import leads
from shujian.models.spec import ModelSpec


def minor_applicants(fields_of_steps: Iterable[Mapping[str, Any]]) -> set[str]:
    """The applicants the case's steps recorded as minors (pure)."""
    found: set[str] = set()
    steps = list(fields_of_steps)
    minor = any(
        f.get("applicant_category") == MINOR or f.get("applicant_minor") is True for f in steps
    )
    if minor:
        found |= {
            str(f["applicant"]).strip() for f in steps if str(f.get("applicant") or "").strip()
        }
    return found


def evidence_names(spec: ModelSpec | None, evidence: Iterable[Mapping[str, Any]]) -> set[str]:
    """The protected persons' names in one lead's evidence rows (pure)."""
    if spec is None or spec.document is None:
        return set()
    names: set[str] = set()
    for row in evidence:
        for person in spec.document.persons:
            real = row.get(person.name)
            if person.protected and real not in (None, ""):
                names.add(str(real).strip())
    return names


def named_in(text: str, names: Iterable[str]) -> list[str]:
    """The names (two characters or more) that appear in `text`, longest first (pure)."""
    return sorted({n for n in names if len(n) >= 2 and n in text}, key=lambda n: (-len(n), n))


def case_protected_names(
    conn: Connection, case_id: int, library: Mapping[str, ModelSpec]
) -> set[str]:
    """Every protected real name the case has recorded (its leads' and its steps')."""
    found = minor_applicants(
        r.fields or {}
        for r in conn.execute(select(case_events.c.fields).where(case_events.c.case_id == case_id))
    )
    rows = conn.execute(
        select(leads.c.model_id, leads.c.evidence)
        .join(case_leads, case_leads.c.lead_id == leads.c.id)
        .where(case_leads.c.case_id == case_id)
    )
    for model_id, evidence in rows:
        found |= evidence_names(library.get(str(model_id)), evidence or [])
    return found
