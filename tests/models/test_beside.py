"""`shujian demo`'s second process evaluates every other model of the run
(`beside.SecondProcess`, `runner.run_models(beside=…)`): the run writes the same leads, in the
same order, as a run in one process, and a second process that cannot help changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from helpers import AS_OF, LIBRARY, load_fixture_data
from shujian.leads.store import leads
from shujian.leads.store import run_models as run_model_table
from shujian.models.beside import SecondProcess
from shujian.models.runner import run_models
from shujian.workspace import Workspace, init_workspace

MODELS = [
    "campus.internet_cafe",
    "hotel.minor_guest",
    "staff.barred_offence",
    "tattoo.scope",
    "report.mandatory",
]


def _workspace(root: Path) -> Workspace:
    ws = init_workspace(root / "ws")
    for i, model in enumerate(MODELS):
        (root / f"files-{i}").mkdir()
        load_fixture_data(ws, root / f"files-{i}", None, model)
    return ws


def _written(ws: Workspace) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with ws.store.connect() as conn:
        made = conn.execute(
            select(leads.c.id, leads.c.model_id, leads.c.subject, leads.c.evidence_hash).order_by(
                leads.c.id
            )
        ).all()
        ran = conn.execute(
            select(run_model_table.c.model_id, run_model_table.c.rows, run_model_table.c.new)
        ).all()
    return [tuple(r) for r in made], [tuple(r) for r in ran]


@pytest.fixture(scope="module")
def alone(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[object], list[object]]:
    ws = _workspace(tmp_path_factory.mktemp("alone"))
    run_models(ws, LIBRARY, MODELS, AS_OF)
    return _written(ws)


def test_a_run_shared_with_a_second_process_writes_what_one_process_writes(
    tmp_path: Path, alone: tuple[list[object], list[object]]
) -> None:
    ws = _workspace(tmp_path)
    specs = [LIBRARY[m] for m in MODELS]
    with SecondProcess(specs, ws.datasets()) as beside:
        report = run_models(ws, LIBRARY, MODELS, AS_OF, beside=beside)
    assert [o.model.id for o in report.outcomes] == MODELS
    assert all(o.findings for o in report.outcomes)
    assert _written(ws) == alone


def test_a_second_process_that_is_gone_leaves_the_run_to_this_one(
    tmp_path: Path, alone: tuple[list[object], list[object]]
) -> None:
    ws = _workspace(tmp_path)
    beside = SecondProcess([LIBRARY[m] for m in MODELS], ws.datasets())
    beside.close()
    run_models(ws, LIBRARY, MODELS, AS_OF, beside=beside)
    assert _written(ws) == alone
