"""Leads keep their identity across runs, respect dismissals, and behave the same on every store."""

from __future__ import annotations

from sqlalchemy import select

from helpers import AS_OF, LIBRARY, load_fixture_data, person
from shujian.data.warehouse import Warehouse
from shujian.leads.service import list_leads
from shujian.leads.store import lead_events
from shujian.leads.triage import dismiss
from shujian.models.runner import run_models
from shujian.workspace import init_workspace


def snapshot(ws):
    return [
        {k: r[k] for k in ("model_id", "subject", "title", "status", "evidence_hash", "evidence")}
        for r in list_leads(ws.store)
    ]


def test_rerun_refreshes_and_never_duplicates(workspace, tmp_path):
    load_fixture_data(workspace, tmp_path)
    first = run_models(workspace, LIBRARY, ["campus.internet_cafe"], AS_OF)
    before = snapshot(workspace)
    second = run_models(workspace, LIBRARY, ["campus.internet_cafe"], AS_OF)
    assert first.outcomes[0].counts.new == 2
    assert (second.outcomes[0].counts.new, second.outcomes[0].counts.unchanged) == (0, 2)
    assert snapshot(workspace) == before


def test_dismissed_lead_is_not_pushed_again_unless_its_evidence_changes(workspace, tmp_path):
    load_fixture_data(workspace, tmp_path)
    run_models(workspace, LIBRARY, ["campus.internet_cafe"], AS_OF)
    lead = list_leads(workspace.store)[0]
    dismiss(
        workspace.store, lead["id"], "经核实不存在违法情形", person("检察官甲"), note="该网吧已停业"
    )

    again = run_models(workspace, LIBRARY, ["campus.internet_cafe"], AS_OF)
    assert again.outcomes[0].counts.suppressed == 1
    assert {r["id"]: r["status"] for r in list_leads(workspace.store)}[lead["id"]] == "dismissed"

    def move_school(dataset_id, rows):  # the school file is corrected: the school moved 20 m
        if dataset_id == "schools":
            rows[0]["经度"] = float(rows[0]["经度"]) + 0.0002

    load_fixture_data(workspace, tmp_path, move_school)
    third = run_models(workspace, LIBRARY, ["campus.internet_cafe"], AS_OF)
    assert third.outcomes[0].counts.reopened == 1
    status = {r["id"]: r["status"] for r in list_leads(workspace.store)}
    assert status[lead["id"]] == "new"
    with workspace.store.connect() as conn:
        kinds = [
            r.kind
            for r in conn.execute(
                select(lead_events.c.kind)
                .where(lead_events.c.lead_id == lead["id"])
                .order_by(lead_events.c.id)
            )
        ]
    assert kinds == ["created", "dismissed", "evidence_changed", "reopened"]


def test_every_lead_traces_to_the_batches_of_its_rows(workspace, tmp_path):
    load_fixture_data(workspace, tmp_path)
    run_models(workspace, LIBRARY, ["campus.internet_cafe"], AS_OF)
    batches = {
        b.dataset: b.id for b in Warehouse(workspace.warehouse_dir, workspace.store).batches()
    }
    for lead in list_leads(workspace.store):
        assert lead["batches"] == {"venues": [batches["venues"]], "schools": [batches["schools"]]}
        assert lead["parameters"]["max_distance_m"]["value"] == 200
        assert "默认值" in lead["parameters"]["max_distance_m"]["source"]


def test_sqlite_and_postgresql_case_stores_give_the_same_leads(tmp_path, pg_url, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    sqlite_ws = init_workspace(tmp_path / "sqlite")
    load_fixture_data(sqlite_ws, tmp_path / "a")
    monkeypatch.setenv("SHUJIAN_STORE_URL", pg_url)
    pg_ws = init_workspace(tmp_path / "pg")
    assert pg_ws.store.dialect.name == "postgresql"
    load_fixture_data(pg_ws, tmp_path / "b")
    for ws in (sqlite_ws, pg_ws):
        run_models(ws, LIBRARY, ["campus.internet_cafe"], AS_OF)
        run_models(ws, LIBRARY, ["campus.internet_cafe"], AS_OF)
    assert snapshot(sqlite_ws) == snapshot(pg_ws)
    assert len(snapshot(pg_ws)) == 2
    pg_ws.store.dispose()
