"""The cyclic collector is paused for an import and a run, and on again afterwards."""

from __future__ import annotations

import datetime
import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import hotel_checkins_csv, load_fixture_data
from shujian import gcpause
from shujian.data.importer import ImportOptions, import_file
from shujian.data.warehouse import Warehouse
from shujian.models.runner import run_models
from shujian.models.spec import load_library
from shujian.workspace import Workspace


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generation of every collection that starts while the test runs."""
    seen: list[int] = []

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    assert gc.isenabled()
    gc.callbacks.append(note)
    try:
        yield seen
    finally:
        gc.callbacks.remove(note)
        gc.enable()  # a failing test leaves the next one as it should find it


def _allocate() -> list[list[int]]:
    """Enough container objects kept alive to pass the collector's first threshold many times."""
    return [[i] for i in range(20_000)]


@pytest.mark.parametrize(
    "before, inside, after",
    [
        (True, False, True),  # the usual case: paused, then on again
        (False, False, False),  # already off (a caller's own pause): left off
    ],
)
def test_paused_restores_what_it_found(before: bool, inside: bool, after: bool) -> None:
    if not before:
        gc.disable()
    try:
        with gcpause.paused():
            assert gc.isenabled() is inside
        assert gc.isenabled() is after
    finally:
        gc.enable()


def test_paused_ends_on_error_and_nested_pauses_end_where_they_began() -> None:
    with pytest.raises(RuntimeError), gcpause.paused():
        raise RuntimeError("stop")
    assert gc.isenabled()
    with gcpause.paused():
        with gcpause.paused():
            pass
        assert not gc.isenabled()  # the inner pause did not end the outer one
    assert gc.isenabled()


def test_no_collection_inside_a_pause_and_collections_again_after(
    collections: list[int],
) -> None:
    collections.clear()
    with gcpause.paused():
        kept = _allocate()
        assert collections == []
    # the collection the allocations made due runs as soon as the pause ends
    kept += _allocate()
    assert collections  # the collector runs again once the pause is over
    assert len(kept) == 40_000


def _during(collections: list[int], work: Callable[[], Any]) -> tuple[Any, list[int]]:
    """What `work` returns, and the collections that ran while it did: with the pause, at most
    the one that its allocations made due, which runs as the pause ends (without it, an import
    of 3,000 rows saw dozens)."""
    collections.clear()
    result = work()
    during = list(collections)
    assert gc.isenabled()
    return result, during


def test_an_import_runs_without_collections(
    workspace: Workspace, tmp_path: Path, collections: list[int]
) -> None:
    # a GBK file, as the 公安 system exports it
    utf8 = hotel_checkins_csv(tmp_path / "utf8.csv", 3_000)
    gbk = tmp_path / "旅馆入住登记.csv"
    gbk.write_bytes(utf8.read_text(encoding="utf-8").encode("gbk"))
    warehouse = Warehouse(workspace.warehouse_dir, workspace.store)
    dataset = workspace.datasets()["hotel_checkins"]
    result, during = _during(
        collections,
        lambda: import_file(warehouse, workspace.reports_dir, dataset, gbk, ImportOptions()),
    )
    assert result.imported == 3_000
    assert len(during) <= 1, during
    _allocate()
    assert collections  # and the collector is back for what follows


def test_a_run_writing_leads_runs_without_collections(
    workspace: Workspace, tmp_path: Path, collections: list[int]
) -> None:
    load_fixture_data(workspace, tmp_path)
    library = load_library()
    report, during = _during(
        collections,
        lambda: run_models(workspace, library, ["campus.internet_cafe"], datetime.date(2026, 6, 1)),
    )
    assert report.outcomes[0].counts.new > 0
    assert len(during) <= 1, during
