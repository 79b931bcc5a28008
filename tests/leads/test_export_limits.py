"""An xlsx export never cuts a cell silently: evidence longer than an Excel cell holds (32,767
characters) ends with a note saying it was cut and where the whole is; jsonl keeps all of it."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from sqlalchemy import update

from helpers import AS_OF, LIBRARY, load_fixture_data
from shujian.cli.main import cli
from shujian.leads.export import CELL_LIMIT, CUT_NOTE
from shujian.leads.store import leads
from shujian.models.runner import run_models
from shujian.workspace import Workspace


def _export(ws: Workspace, fmt: str, out: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["-w", str(ws.root), "--user", "检察官甲", "leads", "export", "--format", fmt,
         "-o", str(out)],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_evidence_longer_than_a_cell_is_cut_with_a_note_and_whole_in_jsonl(
    workspace: Workspace, tmp_path: Path
) -> None:
    load_fixture_data(workspace, tmp_path)
    run_models(workspace, LIBRARY, ["campus.internet_cafe"], AS_OF)
    long_rows = [{"school_name": f"第{i}小学", "note": "长" * 1000} for i in range(40)]
    with workspace.store.begin() as conn:
        lead_id = conn.execute(leads.select().limit(1)).first().id  # type: ignore[union-attr]
        conn.execute(update(leads).where(leads.c.id == lead_id).values(evidence=long_rows))
    _export(workspace, "xlsx", tmp_path / "leads.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "leads.xlsx").active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    cell = rows[lead_id][header.index("证据")]
    whole = json.dumps(long_rows, ensure_ascii=False)
    assert len(whole) > CELL_LIMIT
    assert len(cell) == CELL_LIMIT and cell.endswith(CUT_NOTE)
    assert whole.startswith(cell[: -len(CUT_NOTE)])
    # the other leads' evidence whole, as before
    assert all(
        not str(r[header.index("证据")]).endswith(CUT_NOTE) for i, r in rows.items() if i != lead_id
    )
    _export(workspace, "jsonl", tmp_path / "leads.jsonl")
    exported = [json.loads(line) for line in (tmp_path / "leads.jsonl").read_text().splitlines()]
    assert next(r for r in exported if r["id"] == lead_id)["evidence"] == long_rows
