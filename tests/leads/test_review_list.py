"""A 待核对 item is not an accusation: it never stands in the lead queue, only in its own list."""

from __future__ import annotations

import re

from click.testing import CliRunner

from helpers import LIBRARY, load_fixture_data
from shujian.cli.main import cli
from shujian.models.runner import run_models
from shujian.users import SYSTEM

TRANSFER, REVIEW = "transfer.not_transferred", "transfer.review"


def test_review_items_stay_out_of_the_lead_queue(workspace, tmp_path) -> None:
    assert LIBRARY[REVIEW].kind == "review" and LIBRARY[TRANSFER].kind == "lead"
    load_fixture_data(workspace, tmp_path, model_id=REVIEW)
    run_models(workspace, LIBRARY, [TRANSFER, REVIEW], dt_as_of())

    def listed(*args: str) -> str:
        run = CliRunner().invoke(cli, ["-w", str(workspace.root), "leads", "list", *args])
        assert run.exit_code == 0, run.output
        return run.output

    queue, review = listed(), listed("--review")
    assert TRANSFER in queue and REVIEW not in queue
    assert REVIEW in review and TRANSFER not in review
    assert "待核对清单" in review
    assert re.search(r"未在当地烟草批发企业进货", review)


def dt_as_of():  # type: ignore[no-untyped-def]
    import datetime as dt

    from shujian.models.fixtures import load_fixture

    value = load_fixture(LIBRARY[REVIEW].fixture_path)["as_of"]
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def test_review_items_are_counted_apart_from_leads(workspace, tmp_path) -> None:
    from shujian.cases.stats import statistics
    from shujian.leads.queue import review_models
    from shujian.leads.service import list_leads

    load_fixture_data(workspace, tmp_path, model_id=REVIEW)
    run_models(workspace, LIBRARY, [TRANSFER, REVIEW], dt_as_of())
    found = list_leads(workspace.store)
    leads = sum(1 for r in found if r["model_id"] == TRANSFER)
    items = sum(1 for r in found if r["model_id"] == REVIEW)
    assert leads and items
    total = statistics(workspace.store, "model", review_models=review_models(LIBRARY), user=SYSTEM)[
        -1
    ]
    assert (total["leads"], total["review_items"]) == (leads, items)
