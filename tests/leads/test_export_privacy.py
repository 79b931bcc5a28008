"""`shujian leads export` masks minors' ID numbers in every format unless an audited reveal."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from helpers import LIBRARY, load_fixture_data, person
from shujian import audit
from shujian.cli.main import cli
from shujian.leads.service import list_leads
from shujian.leads.triage import get_lead
from shujian.models.fixtures import load_fixture
from shujian.models.runner import run_models
from shujian.workspace import Workspace

MODEL = "hotel.minor_guest"
FULL_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9A-Z])")
REGION_ONLY = re.compile(r"^[0-9]{6}\*{12}$")


@pytest.fixture
def hotel_ws(workspace: Workspace, tmp_path: Path) -> Workspace:
    load_fixture_data(workspace, tmp_path, model_id=MODEL)
    run_models(workspace, LIBRARY, [MODEL], dt.date(2026, 6, 1))
    return workspace


def guest_ids() -> set[str]:
    fixture = load_fixture(LIBRARY[MODEL].fixture_path)  # type: ignore[arg-type]
    return {str(r["公民身份号码"]) for r in fixture["datasets"]["hotel_checkins"]}


def export(ws: Workspace, fmt: str, out: Path, *extra: str) -> str:
    result = CliRunner().invoke(
        cli,
        ["-w", str(ws.root), "--user", "检察官甲", "leads", "export", "--format", fmt,
         "-o", str(out), *extra],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    if fmt == "xlsx":
        book = openpyxl.load_workbook(out)
        return "\n".join(
            str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None
        )
    return out.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "xlsx"])
def test_an_export_of_minor_guests_holds_no_full_id_number(
    hotel_ws: Workspace, tmp_path: Path, fmt: str
):
    text = export(hotel_ws, fmt, tmp_path / f"leads.{fmt}")
    assert list_leads(hotel_ws.store), "the fixture yields leads"
    leaked = {i for i in guest_ids() if i in text}
    assert leaked == set()
    assert FULL_ID.findall(text) == []


def test_an_id_beside_a_birth_date_shows_only_its_region(hotel_ws: Workspace, tmp_path: Path):
    text = export(hotel_ws, "jsonl", tmp_path / "leads.jsonl")
    records = [json.loads(line) for line in text.splitlines()]
    rows = [row for r in records for row in r["evidence"]]
    assert rows and all(row["birth_date"] for row in rows)
    assert all(REGION_ONLY.fullmatch(row["id_card"]) for row in rows), rows[0]["id_card"]
    lead = list_leads(hotel_ws.store)[0]
    shown = get_lead(hotel_ws.store, lead["id"], person("检察官甲"))
    assert REGION_ONLY.fullmatch(shown["evidence"][0]["id_card"])


def test_a_revealed_export_is_whole_and_audited_with_its_fields(
    hotel_ws: Workspace, tmp_path: Path
):
    text = export(hotel_ws, "jsonl", tmp_path / "leads.jsonl", "--reveal")
    assert any(i in text for i in guest_ids())
    (entry,) = audit.query(hotel_ws.store, object_type="lead", action="export")
    ids = [r["id"] for r in list_leads(hotel_ws.store)]
    assert entry["detail"]["revealed"] is True
    assert entry["detail"]["revealed_fields"] == [
        {"model": MODEL, "fields": ["evidence.id_card"], "lead_ids": ids}
    ]


def test_a_masked_export_says_so_in_the_audit(hotel_ws: Workspace, tmp_path: Path):
    export(hotel_ws, "csv", tmp_path / "leads.csv")
    (entry,) = audit.query(hotel_ws.store, object_type="lead", action="export")
    assert entry["detail"]["revealed"] is False
    assert "revealed_fields" not in entry["detail"]
