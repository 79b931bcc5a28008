"""A run tells its progress: before each model (i of n, its name, leads found so far), then once
more before the leads are written; the counts it tells are those it reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from helpers import AS_OF, CAFE, LIBRARY, load_fixture_data
from shujian.errors import UserError
from shujian.models.runner import RunProgress, run_models
from shujian.workspace import Workspace

HOTEL = "hotel.minor_guest"


def test_a_run_tells_model_i_of_n_and_the_leads_found_so_far(
    workspace: Workspace, tmp_path: Path
) -> None:
    for model in (CAFE, HOTEL):
        folder = tmp_path / model
        folder.mkdir()
        load_fixture_data(workspace, folder, None, model)
    told: list[RunProgress] = []
    report = run_models(workspace, LIBRARY, [CAFE, HOTEL], AS_OF, progress=told.append)
    cafe, hotel = (len(o.findings) for o in report.outcomes)
    assert cafe and hotel
    assert [(p.done, p.total, p.model and p.model.id, p.leads_found) for p in told] == [
        (0, 2, CAFE, 0),
        (1, 2, HOTEL, cafe),
        (2, 2, None, cafe + hotel),
    ]
    assert [p.writing for p in told] == [False, False, True]


def test_a_refused_run_tells_nothing_of_writing(workspace: Workspace) -> None:
    """A run whose every model is refused (a date its calendar cannot count) writes nothing and
    never says it is writing."""
    told: list[RunProgress] = []
    with pytest.raises(UserError) as refused:
        run_models(
            workspace, LIBRARY, ["wage.deposit_missing"], dt.date(1990, 1, 1), progress=told.append
        )
    assert refused.value.code == "calendar_year_unknown"
    assert [p.writing for p in told] == [False]
