"""A dismissed lead stays dismissed unless its evidence changes — for every shipped model.

Each model runs on its own fixture; every lead is dismissed; the model runs again the next day
and a month later (nothing may come back), then one deciding fact of one lead is corrected in
the agency's file (exactly that lead must come back).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from helpers import LIBRARY, load_fixture_data, person
from shujian.data.datasets import load_datasets
from shujian.leads.service import list_leads
from shujian.leads.store import lead_events
from shujian.leads.triage import dismiss
from shujian.models.fixtures import load_fixture
from shujian.models.lineage import query_lineage
from shujian.models.runner import run_models
from shujian.workspace import Workspace

DATASETS = load_datasets()


def _as_of(model_id: str) -> dt.date:
    fixture_path = LIBRARY[model_id].fixture_path
    assert fixture_path is not None
    value = load_fixture(fixture_path)["as_of"]
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _statuses(ws: Workspace, model_id: str) -> dict[str, str]:
    return {r["subject"]: r["status"] for r in list_leads(ws.store, model_id)}


def _reopened(ws: Workspace) -> list[int]:
    with ws.store.connect() as conn:
        return [
            r.lead_id
            for r in conn.execute(
                select(lead_events.c.lead_id).where(lead_events.c.kind == "reopened")
            )
        ]


def _correctable_fact(model_id: str, evidence: dict[str, Any]) -> tuple[str, str, str]:
    """(dataset, Chinese header, value) of a deciding fact copied from a text column of the data,
    as the fixture's file spells it.

    Found through the query's lineage, so the test follows the model rather than naming columns.
    """
    spec = LIBRARY[model_id]
    assert spec.fixture_path is not None
    files = load_fixture(spec.fixture_path)["datasets"]
    lineage = query_lineage(spec.query, DATASETS)
    for column in spec.deciding:
        # copied from one column, whatever conditions chose the row it was copied from (an
        # ARG_MIN by 认定日期, a school preferred to a placeholder)
        values = [x for x in lineage[column] if x.how == "value"]
        if column == spec.subject_column or len(values) != 1 or evidence.get(column) is None:
            continue
        (source,) = values
        if source.kind != "column" or source.name.startswith("_"):
            continue
        declared = DATASETS[source.dataset].column(source.name)
        value = str(evidence[column])
        in_file = any(
            str(row.get(declared.label, "")).strip() == value
            for row in files.get(source.dataset, [])
        )
        if declared.type == "text" and source.name != DATASETS[source.dataset].subject and in_file:
            return source.dataset, declared.label, value
    raise AssertionError(f"{model_id}: no deciding fact copied from a text column")


@pytest.mark.parametrize("model_id", sorted(LIBRARY))
def test_dismissed_leads_stay_dismissed_until_a_deciding_fact_changes(
    model_id: str, workspace: Workspace, tmp_path: Path
):
    as_of = _as_of(model_id)
    load_fixture_data(workspace, tmp_path, model_id=model_id)
    run_models(workspace, LIBRARY, [model_id], as_of)
    leads = list_leads(workspace.store, model_id)
    assert leads, "the fixture yields leads"
    dismiss(workspace.store, [r["id"] for r in leads], "经核实不存在违法情形", person("检察官甲"))

    for later in (as_of + dt.timedelta(days=1), as_of + dt.timedelta(days=30)):
        report = run_models(workspace, LIBRARY, [model_id], later)
        assert report.outcomes[0].counts.reopened == 0, later
        statuses = _statuses(workspace, model_id)
        assert all(statuses[r["subject"]] == "dismissed" for r in leads), (later, statuses)
    assert _reopened(workspace) == []

    target = min(leads, key=lambda r: r["subject"])
    dataset, header, value = _correctable_fact(model_id, target["evidence"][0])

    def correct(dataset_id: str, rows: list[dict[str, Any]]) -> None:
        if dataset_id == dataset:
            for row in rows:
                if str(row.get(header, "")).strip() == value:
                    row[header] = value + "（更正）"

    (tmp_path / "corrected").mkdir()
    load_fixture_data(workspace, tmp_path / "corrected", correct, model_id=model_id)
    report = run_models(workspace, LIBRARY, [model_id], as_of)
    assert report.outcomes[0].counts.reopened == 1
    statuses = _statuses(workspace, model_id)
    assert statuses[target["subject"]] == "new"
    assert all(statuses[r["subject"]] == "dismissed" for r in leads if r is not target)
    assert _reopened(workspace) == [target["id"]]


CAFE = "campus.internet_cafe"


def _cafe_dismissed(ws: Workspace, tmp_path: Path) -> tuple[dt.date, set[str]]:
    load_fixture_data(ws, tmp_path, model_id=CAFE)
    as_of = _as_of(CAFE)
    run_models(ws, LIBRARY, [CAFE], as_of)
    ids = [r["id"] for r in list_leads(ws.store, CAFE)]
    dismiss(ws.store, ids, "已自行整改到位", person("检察官甲"))
    return as_of, set(_statuses(ws, CAFE))


def test_adjusting_a_parameter_brings_no_dismissed_lead_back(workspace, tmp_path) -> None:
    """The limit a lead shows (`max_distance_m`) restates the rule, not the facts: a
    procuratorate that widens it has not changed what the agency's data says about a 网吧."""
    as_of, dismissed = _cafe_dismissed(workspace, tmp_path)
    config = workspace.root / "shujian.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[[overrides]]\nmodel = "campus.internet_cafe"\nparameter = "max_distance_m"\n'
        'value = 250\nsource = "某市网吧布局规划（测试用）"\n',
        encoding="utf-8",
    )
    from shujian.workspace import open_workspace

    widened = open_workspace(workspace.root)
    run_models(widened, LIBRARY, [CAFE], as_of + dt.timedelta(days=1))
    statuses = _statuses(widened, CAFE)
    assert {s: statuses[s] for s in dismissed} == dict.fromkeys(dismissed, "dismissed")
    assert _reopened(widened) == []


def test_a_lead_hashed_over_every_evidence_column_is_recognised(workspace, tmp_path) -> None:
    """Leads stored before parameter-only columns left the facts carry a digest of every
    evidence column: the next run recognises them (suppressed, not reopened) and stores the
    digest of the facts."""
    from sqlalchemy import update

    from shujian.leads.store import leads
    from shujian.models.runner import evaluate

    as_of, dismissed = _cafe_dismissed(workspace, tmp_path)
    (outcome,) = evaluate(workspace, DATASETS, [LIBRARY[CAFE]], as_of, "duckdb")
    old_style = {f.subject: f.earlier_hashes for f in outcome.findings}
    assert all(len(h) == 1 for h in old_style.values())
    with workspace.store.begin() as conn:  # as the previous version stored them
        for subject, (digest,) in old_style.items():
            conn.execute(
                update(leads).where(leads.c.subject == subject).values(evidence_hash=digest)
            )
    report = run_models(workspace, LIBRARY, [CAFE], as_of + dt.timedelta(days=1))
    assert report.outcomes[0].counts.suppressed == len(dismissed)
    assert _reopened(workspace) == []
    current = {f.subject: f.evidence_hash for f in outcome.findings}
    assert {r["subject"]: r["evidence_hash"] for r in list_leads(workspace.store, CAFE)} == current
