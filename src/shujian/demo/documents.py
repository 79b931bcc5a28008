"""A 检察建议书 for every model and every kind its leads support, from the demonstration county.

Used by the test that reads every such document for minors' identities, restorable numbers,
unverified law and leftovers of software (tests/cases/test_document_every_model.py), and by
`scripts/document-samples`, which writes them with PDF and PNG pages for a person to read (the
pages in docs/recommendations.md come from it).

Each model's first new leads (up to `LEADS_PER_CASE`) are accepted into one case in the model's
department; the document of each kind the case's models declare is drafted (rendered with
文号待编, nothing issued), so every kind of every model is rendered by the code that issues.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from shujian.cases.recommendations import case_leads_of, draft_document, offered_categories
from shujian.cases.service import open_case, transition
from shujian.leads.service import list_leads
from shujian.leads.triage import dispatch
from shujian.models.spec import ModelSpec
from shujian.users import User, departments_of
from shujian.workspace import Workspace

LEADS_PER_CASE = 3


@dataclass(frozen=True)
class Sample:
    model_id: str
    category: str
    """The kind's label (刑事、行政、公益诉讼、未检)."""
    case_id: int
    lead_ids: tuple[int, ...]
    document: Path


def recipient_for(ws: Workspace, model: ModelSpec) -> str:
    """The county body a model's documents usually go to: 县级卫生健康主管部门 → 青岚县卫生健康局."""
    hint = model.document.recipient if model.document else "有关单位"
    place = ws.region.county or ws.region.city
    for generic, body in (
        ("县级", place),
        ("主管部门", "局"),
        ("行政部门", "局"),
    ):
        hint = hint.replace(generic, body)
    return hint


def draft_samples(
    ws: Workspace, library: dict[str, ModelSpec], as_of: dt.date, out_dir: Path
) -> list[Sample]:
    """Open one case per model from its first new leads and draft its document of each kind."""
    procuratorate = ws.region.procuratorate_name
    departments = departments_of(ws)
    samples: list[Sample] = []
    for model in library.values():
        if model.kind != "lead" or model.document is None:
            continue
        new = [r for r in list_leads(ws.store, model.id) if r["status"] == "new"]
        ids = [int(r["id"]) for r in new[:LEADS_PER_CASE]]
        if not ids:
            continue
        department = model.department or "第八检察部"
        head = User("演示部门负责人", procuratorate, department, frozenset({"department_head"}))
        prosecutor = User("演示检察官", procuratorate, department, frozenset({"prosecutor"}))
        # the demonstration's head sees the model's leads wherever the workspace sends them
        home = {model.id: department}
        dispatch(
            ws.store, ids, department, prosecutor.name, head, departments=departments, home=home
        )
        case_id = open_case(
            ws.store,
            ids,
            department,
            prosecutor.name,
            prosecutor,
            f"{model.name}线索成案",
            as_of,
            departments=departments,
            calendar=ws.calendar,
            home=home,
        )
        transition(
            ws.store, case_id, "investigate", prosecutor, "调查核实", as_of, calendar=ws.calendar
        )
        found = case_leads_of(ws.store, case_id)
        for kind in offered_categories(library, found):
            out = out_dir / f"{model.id}.{kind.id}.docx"
            draft_document(
                ws,
                library,
                case_id,
                prosecutor,
                as_of,
                recipient_for(ws, model),
                out,
                category=kind.id,
                copy_to=(f"{ws.region.county}人民政府",),
            )
            samples.append(Sample(model.id, kind.label, case_id, tuple(ids), out))
    return samples
