"""`shujian demo`'s second process evaluates every other model of the run
(`beside.SecondProcess`, `runner.run_models(beside=…)`): the run writes the same leads, in the
same order, as a run in one process, and a second process that cannot help changes nothing."""

from __future__ import annotations

import multiprocessing
import os
import signal
from pathlib import Path

import pytest
from sqlalchemy import select

from helpers import AS_OF, LIBRARY, load_fixture_data
from shujian.leads.store import leads
from shujian.leads.store import run_models as run_model_table
from shujian.models.beside import SecondProcess
from shujian.models.check_cache import CheckCache
from shujian.models.runner import run_models
from shujian.workspace import CONFIG_NAME, Workspace, init_workspace, open_workspace

MODELS = [
    "campus.internet_cafe",
    "hotel.minor_guest",
    "staff.barred_offence",
    "tattoo.scope",
    "report.mandatory",
]


def _workspace(root: Path, settings: str = "") -> Workspace:
    ws = init_workspace(root / "ws")
    if settings:
        config = ws.root / CONFIG_NAME
        config.write_text(config.read_text(encoding="utf-8") + settings, encoding="utf-8")
        ws.store.dispose()
        ws = open_workspace(ws.root)
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


def test_a_second_process_that_is_stuck_leaves_the_rest_to_this_one(
    tmp_path: Path, alone: tuple[list[object], list[object]]
) -> None:
    """A second process that stops answering (here: stopped by SIGSTOP once its checks are
    done) holds the run up no longer than a model may take (`[models] max_seconds`) and the
    grace; then this process evaluates what was left to it."""
    ws = _workspace(tmp_path, "\n[models]\nmax_seconds = 2\n")
    specs = [LIBRARY[m] for m in MODELS]
    beside = SecondProcess(specs, ws.datasets(), grace=0.5)
    assert beside.keep_into(CheckCache(ws.root)) == len(MODELS)
    (worker,) = multiprocessing.active_children()
    os.kill(worker.pid, signal.SIGSTOP)
    try:
        report = run_models(ws, LIBRARY, MODELS, AS_OF, beside=beside)
    finally:
        os.kill(worker.pid, signal.SIGCONT)
        beside.close()
    assert [o.model.id for o in report.outcomes] == MODELS
    assert _written(ws) == alone
