"""A lead's detail view masks citizens' ID numbers unless asked, and says which in the audit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from shujian import audit
from shujian.data.importer import ImportOptions, import_file
from shujian.data.warehouse import Warehouse
from shujian.leads.queue import homes
from shujian.leads.service import list_leads
from shujian.leads.triage import get_lead
from shujian.models.runner import run_models
from shujian.models.spec import load_library
from shujian.users import Departments, User

LIBRARY = load_library()
MODEL = "staff.barred_offence"
READER = User("检察官甲", "人民检察院", "未成年人检察部", frozenset({"prosecutor"}))
HOME = homes(LIBRARY, Departments.bundled())
"""The model's leads wait in 未成年人检察部, the reader's department: in the reader's scope."""


def load_staff_fixture(workspace, tmp_path: Path, write_csvs) -> None:
    for dataset_id, path in write_csvs(MODEL, tmp_path).items():
        import_file(
            Warehouse(workspace.warehouse_dir, workspace.store),
            workspace.reports_dir,
            workspace.datasets()[dataset_id],
            path,
            ImportOptions(),
        )
    run_models(workspace, LIBRARY, [MODEL], dt.date(2026, 6, 1))


def test_id_numbers_are_masked_in_a_lead_unless_revealed(workspace, tmp_path: Path, fixture_csvs):
    load_staff_fixture(workspace, tmp_path, fixture_csvs)
    lead = list_leads(workspace.store)[0]
    full_id = lead["subject"]
    assert len(full_id) == 18

    shown = get_lead(workspace.store, lead["id"], READER, home=HOME)
    assert shown["subject"] == full_id[:7] + "*" * 8 + full_id[-3:]
    assert shown["evidence"][0]["id_card"] == shown["subject"]
    assert full_id not in repr(shown["evidence"])
    assert shown["evidence"][0]["name"] == lead["evidence"][0]["name"]  # other columns as they are

    revealed = get_lead(workspace.store, lead["id"], READER, reveal=True, home=HOME)
    assert revealed["subject"] == full_id and revealed["evidence"][0]["id_card"] == full_id
    views = audit.query(workspace.store, object_type="lead", object_id=lead["id"], action="view")
    assert [v["detail"]["revealed"] for v in views] == [False, True]


def test_the_recommendation_prints_only_the_tail_of_an_adults_number(
    workspace, tmp_path: Path, fixture_csvs
):
    from docx import Document

    from shujian.cases.recommendations import issue_recommendation
    from shujian.cases.service import open_case, transition

    load_staff_fixture(workspace, tmp_path, fixture_csvs)
    lead = list_leads(workspace.store)[0]
    full_id = lead["subject"]
    case_id = open_case(
        workspace.store,
        [lead["id"]],
        "未成年人检察部",
        READER.name,
        READER,
        "成案",
        dt.date(2026, 6, 2),
        home=HOME,
    )
    transition(workspace.store, case_id, "investigate", READER, "", dt.date(2026, 6, 2))
    issued = issue_recommendation(
        workspace,
        LIBRARY,
        case_id,
        READER,
        dt.date(2026, 6, 3),
        "青岚县教育局",
        category="未检",
        number="青检未建〔2026〕1号",
    )
    doc = Document(str(issued.document))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    text = "\n".join([p.text for p in doc.paragraphs] + cells)
    # A document shows an adult's number only by its tail, never with the birth date
    assert f"尾号{full_id[-4:]}" in text
    assert full_id not in text and full_id[:7] not in text
    assert f"{int(full_id[6:10])}年{int(full_id[10:12])}月{int(full_id[12:14])}日" not in text
