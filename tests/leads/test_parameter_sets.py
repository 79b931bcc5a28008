"""A run's parameters are stored once and named by each lead; leads stored before keep their copy.
The records of tamper evidence a run makes for its new leads (from the values it wrote) are those
`track` computes from the rows as stored, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from helpers import AS_OF, LIBRARY, load_fixture_data
from shujian.leads import parameter_sets as sets
from shujian.leads.service import list_leads
from shujian.leads.store import leads, parameter_sets
from shujian.models.runner import run_models
from shujian.tamper import ledger
from shujian.workspace import init_workspace

MODELS = ["campus.internet_cafe", "campus.entertainment"]


def test_each_parameter_set_is_stored_once_and_every_reader_gets_it(workspace, tmp_path):
    load_fixture_data(workspace, tmp_path)
    report = run_models(workspace, LIBRARY, MODELS, AS_OF)
    run_models(workspace, LIBRARY, MODELS, AS_OF)  # the same sets again: nothing more stored
    expected = {
        o.model.id: {k: v.as_json() for k, v in o.parameters.items()} for o in report.outcomes
    }
    with workspace.store.connect() as conn:
        stored = dict(
            conn.execute(select(parameter_sets.c.digest, parameter_sets.c.parameters)).all()
        )
        raw = conn.execute(select(leads.c.model_id, leads.c.parameters, leads.c.parameter_set))
        rows = raw.all()
    assert stored == {sets.digest_of(p): p for p in expected.values()}
    assert rows and all(r.parameters is None for r in rows)  # JSON null, no copy
    assert {r.model_id: r.parameter_set for r in rows} == {
        m: sets.digest_of(p) for m, p in expected.items() if any(r.model_id == m for r in rows)
    }
    for lead in list_leads(workspace.store):
        assert lead["parameters"] == expected[lead["model_id"]]


def test_a_lead_stored_with_its_own_copy_keeps_it(workspace, tmp_path):
    load_fixture_data(workspace, tmp_path)
    run_models(workspace, LIBRARY, ["campus.internet_cafe"], AS_OF)
    copy = {"max_distance_m": {"value": 150, "source": "旧版本运行时的参数"}}
    with workspace.store.begin() as conn:  # as a lead written before migration 0023 holds it
        conn.execute(update(leads).values(parameters=copy, parameter_set=None))
    assert {str(lead["parameters"]) for lead in list_leads(workspace.store)} == {str(copy)}


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_records_of_new_leads_are_those_of_the_rows_as_stored(
    store, tmp_path, request, monkeypatch
):
    if store == "postgresql":
        monkeypatch.setenv("SHUJIAN_STORE_URL", request.getfixturevalue("pg_url"))
    ws = init_workspace(tmp_path / "ws")
    load_fixture_data(ws, tmp_path)
    run_models(ws, LIBRARY, MODELS, AS_OF)
    with ws.store.connect() as conn:
        ids = [int(i) for i in conn.execute(select(leads.c.id)).scalars()]
        made = ledger.recorded(conn, "lead", ids)
        # what a fresh read of the stored rows gives: a row never recorded, or recorded
        # otherwise than as it is, would be listed here
        assert ledger.track(conn, "lead", ids) == []
        assert conn.execute(select(func.count()).select_from(leads)).scalar_one() == len(made)
    assert ids
    ws.store.dispose()
