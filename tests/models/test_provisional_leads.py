"""A working-day model on provisional days: it runs, says so in its leads, and the notice
confirming the same days later changes nothing about them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from helpers import LIBRARY, load_fixture_data
from shujian.calendar import YearSchedule
from shujian.leads.service import list_leads
from shujian.models.runner import run_models
from shujian.workspace import Workspace

WAGE = "wage.deposit_missing"
AS_OF = dt.date(2027, 1, 8)
STATUTORY_2027 = frozenset(
    dt.date.fromisoformat(d)
    for d in ("2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08",
              "2027-04-05", "2027-05-01", "2027-05-02", "2027-06-09", "2027-09-15",
              "2027-10-01", "2027-10-02", "2027-10-03")
)  # fmt: skip
"""The days 《全国年节及纪念日放假办法》 gives off in 2027, counted by hand."""


def _permit_in_december(dataset: str, rows: list[dict[str, Any]]) -> None:
    # QL-2024-001 (no deposit) permitted on Friday 2026-12-04: its 20th working day is
    # 12-07..12-31 (19 days), then 2027-01-01 (元旦, provisional) and the weekend → Monday 01-04.
    if dataset == "construction_projects":
        for r in rows:
            if r["项目编号"] == "QL-2024-001":
                r["施工许可日期"] = "2026-12-04"


def _leads(ws: Workspace) -> dict[str, dict[str, Any]]:
    return {r["subject"]: r for r in list_leads(ws.store) if r["model_id"] == WAGE}


def test_leads_counted_on_provisional_days_say_so_and_survive_the_confirming_notice(
    workspace: Workspace, tmp_path: Path
) -> None:
    load_fixture_data(workspace, tmp_path, _permit_in_december, model_id=WAGE)
    report = run_models(workspace, LIBRARY, [WAGE], AS_OF)
    assert not report.outcomes[0].refused
    leads = _leads(workspace)
    provisional = leads["QL-2024-001"]
    assert provisional["evidence"][0]["deadline"] == "2027-01-04"
    assert provisional["title"].endswith("（期限按2027年暂定节假日计算）")
    assert "暂定" not in leads["QL-2024-002"]["title"]  # its deadline fell in October 2024

    # The notice gives 01-01..01-03 off, as the statutory day and the weekend already did.
    notice = YearSchedule(
        2027,
        STATUTORY_2027 | {dt.date(2027, 1, 2), dt.date(2027, 1, 3)},
        frozenset(),
        "测试用通知",
    )
    confirmed = dataclasses.replace(workspace, calendar=workspace.calendar.with_year(notice))
    again = run_models(confirmed, LIBRARY, [WAGE], AS_OF)
    assert again.outcomes[0].counts.new == 0 and again.outcomes[0].counts.refreshed == 0
    assert _leads(confirmed)["QL-2024-001"]["evidence_hash"] == provisional["evidence_hash"]
    assert "暂定" not in _leads(confirmed)["QL-2024-001"]["title"]  # the mark drops with the notice


def test_a_notice_that_moves_the_deadline_refreshes_the_lead_without_the_mark(
    workspace: Workspace, tmp_path: Path
) -> None:
    load_fixture_data(workspace, tmp_path, _permit_in_december, model_id=WAGE)
    run_models(workspace, LIBRARY, [WAGE], AS_OF)
    notice = YearSchedule(
        2027,
        STATUTORY_2027 | {dt.date(2027, 1, 4)},
        frozenset(),
        "测试用通知（元旦后的周一也放假）",
    )
    moved = dataclasses.replace(workspace, calendar=workspace.calendar.with_year(notice))
    again = run_models(moved, LIBRARY, [WAGE], AS_OF)
    assert again.outcomes[0].counts.refreshed == 1
    lead = _leads(moved)["QL-2024-001"]
    assert lead["evidence"][0]["deadline"] == "2027-01-05"
    assert "暂定" not in lead["title"]
