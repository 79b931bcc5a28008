"""A lead the latest run no longer finds (不再命中) is marked so wherever it is listed, counted
apart, and taken into a case only when the user confirms it knowingly — which is recorded."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from helpers import AS_OF, LIBRARY, load_fixture_data, person
from shujian.cases.service import add_leads_to_case, history, open_case
from shujian.errors import UserError
from shujian.leads.export import export_leads
from shujian.leads.queue import queue
from shujian.leads.service import list_leads
from shujian.leads.store import lead_events
from shujian.leads.triage import get_lead
from shujian.models.runner import run_models
from shujian.models.stats import model_run_stats
from shujian.workspace import Workspace

PROSECUTOR = person("张检察官", "公益诉讼检察部")
D = dt.date


def close_first_cafe(dataset_id: str, rows: list[dict[str, Any]]) -> None:
    """The agency's corrected venue list: the first 网吧 has closed (注销)."""
    if dataset_id == "venues":
        rows[0]["经营状态"] = "注销"


def one_stale_lead(ws: Workspace, tmp_path: Path) -> tuple[int, int]:
    """(the lead the second run no longer found, the lead it found again)."""
    load_fixture_data(ws, tmp_path)
    run_models(ws, LIBRARY, ["campus.internet_cafe"], AS_OF)
    load_fixture_data(ws, tmp_path, close_first_cafe)
    report = run_models(ws, LIBRARY, ["campus.internet_cafe"], AS_OF)
    assert report.outcomes[0].counts.gone == 1
    stale = [r["id"] for r in list_leads(ws.store) if not r["active"]]
    live = [r["id"] for r in list_leads(ws.store) if r["active"]]
    assert len(stale) == 1 and len(live) == 1
    return stale[0], live[0]


def test_a_lead_no_longer_found_is_marked_and_counted_apart_in_every_list(
    workspace: Workspace, tmp_path: Path
) -> None:
    stale, live = one_stale_lead(workspace, tmp_path)

    page = queue(workspace.store, PROSECUTOR)
    labels = {r["id"]: r["status_label"] for r in page}
    assert labels == {stale: "待研判（不再命中）", live: "待研判"}
    assert (page.total, page.stale) == (2, 1)
    assert queue(workspace.store, PROSECUTOR, limit=1).stale == 1  # the whole list, not a page

    assert get_lead(workspace.store, stale, PROSECUTOR)["status_label"] == "待研判（不再命中）"
    kinds = [e["kind_label"] for e in get_lead(workspace.store, stale, PROSECUTOR)["events"]]
    assert kinds[-1] == "不再命中"

    out = io.StringIO()
    export_leads(workspace.store, "jsonl", out, PROSECUTOR)
    exported = {r["id"]: r["status_label"] for r in map(json.loads, out.getvalue().splitlines())}
    assert exported == {stale: "待研判（不再命中）", live: "待研判"}

    (latest, first) = model_run_stats(workspace.store)
    assert (latest.gone, first.gone) == (1, 0)


def test_a_stale_lead_is_taken_into_a_case_only_when_confirmed_and_that_is_recorded(
    workspace: Workspace, tmp_path: Path
) -> None:
    stale, live = one_stale_lead(workspace, tmp_path)
    opening = ("公益诉讼检察部", "张检察官", PROSECUTOR, "网吧距学校不足200米", D(2026, 6, 2))

    with pytest.raises(UserError) as refused:
        open_case(workspace.store, [live, stale], *opening)
    assert refused.value.code == "stale_leads_unconfirmed"
    assert f"线索 {stale} 不再命中" in refused.value.message
    assert {r["id"]: r["status"] for r in list_leads(workspace.store)} == {
        stale: "new",
        live: "new",
    }  # nothing half done

    case_id = open_case(workspace.store, [live], *opening)
    with pytest.raises(UserError) as refused:
        add_leads_to_case(workspace.store, case_id, [stale], PROSECUTOR, "同一经营者")
    assert refused.value.code == "stale_leads_unconfirmed"

    add_leads_to_case(
        workspace.store, case_id, [stale], PROSECUTOR, "已核实仍在营业", confirm_stale=True
    )
    step = history(workspace.store, case_id, PROSECUTOR)[-1]
    assert step["action"] == "add_leads" and step["fields"]["confirmed_stale"] == [stale]
    with workspace.store.connect() as conn:
        accepted = conn.execute(
            select(lead_events.c.detail).where(
                lead_events.c.lead_id == stale, lead_events.c.kind == "accepted"
            )
        ).scalar_one()
    assert accepted["confirmed_stale"] is True


def test_opening_a_case_from_a_confirmed_stale_lead_records_it_on_the_opening_step(
    workspace: Workspace, tmp_path: Path
) -> None:
    stale, live = one_stale_lead(workspace, tmp_path)
    case_id = open_case(
        workspace.store,
        [stale, live],
        "公益诉讼检察部",
        "张检察官",
        PROSECUTOR,
        "已核实",
        D(2026, 6, 2),
        confirm_stale=True,
    )
    opening = history(workspace.store, case_id, PROSECUTOR)[0]
    assert opening["fields"]["confirmed_stale"] == [stale]
