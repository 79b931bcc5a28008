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


def _run_row(conn) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import insert

    from shujian.leads.store import runs
    from shujian.store import now

    return int(
        conn.execute(
            insert(runs).values(started_at=now(), as_of=AS_OF, engine="duckdb", models=[])
        ).inserted_primary_key[0]
    )


def _leads_and_records(ws):  # type: ignore[no-untyped-def]
    from shujian.leads.store import leads
    from shujian.tamper.ledger import state_digests

    with ws.store.connect() as conn:
        rows = {r.subject: dict(r._mapping) for r in conn.execute(select(leads))}
        records = conn.execute(
            select(state_digests.c.object_id, state_digests.c.digest).where(
                state_digests.c.kind == "lead"
            )
        ).all()
    return rows, sorted(records)


def test_a_lead_found_again_as_stored_learns_only_the_run_and_a_changed_title_is_written(
    workspace, tmp_path
):
    """A daily run finds most leads exactly as they are: only their `last_run_id` is written (no
    record of unchanged columns, as writing the same values gave none); a lead found with a new
    title (the same facts) has its title written and recorded; `audit verify` agrees throughout."""
    import dataclasses

    from shujian import audit
    from shujian.leads.service import record_findings
    from shujian.models.runner import evaluate
    from shujian.tamper import ledger

    load_fixture_data(workspace, tmp_path)
    run_models(workspace, LIBRARY, ["campus.internet_cafe"], AS_OF)
    before, records = _leads_and_records(workspace)
    second = run_models(workspace, LIBRARY, ["campus.internet_cafe"], AS_OF)
    assert second.outcomes[0].counts.unchanged == 2
    after, records_after = _leads_and_records(workspace)
    assert records_after == records
    assert {s: r.pop("last_run_id") for s, r in after.items()} == dict.fromkeys(
        after, second.run_id
    )
    assert after == {
        s: {k: v for k, v in r.items() if k != "last_run_id"} for s, r in before.items()
    }
    assert audit.verify(workspace.store).problems == ()

    outcome = evaluate(workspace, workspace.datasets(), [LIBRARY["campus.internet_cafe"]],
                       AS_OF, "duckdb")[0]  # fmt: skip
    renamed = dataclasses.replace(outcome.findings[0], title="新的标题")
    with workspace.store.begin() as conn:
        run = _run_row(conn)
        counts = record_findings(conn, run, "campus.internet_cafe",
                                 [renamed, *outcome.findings[1:]], {})  # fmt: skip
        ids = [i for _, written in counts.written for i in written]
        state = ledger.track(
            conn, "lead", ids, frozenset({"active", "evidence_hash", "title", "town"})
        )
        audit.record(conn, "system", "run_models", "run", run, {}, state=state)
    third, records_third = _leads_and_records(workspace)
    assert third[renamed.subject]["title"] == "新的标题"
    assert [r["last_run_id"] for r in third.values()] == [run, run]
    assert len(records_third) == len(records) + 1  # the renamed lead's new record, only
    assert audit.verify(workspace.store).problems == ()
