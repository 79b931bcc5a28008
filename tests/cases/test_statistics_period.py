"""The statistics add leads up in the database: a lead counts in the month it was found, its
decision in the month it was made, and a period keeps the days on or between its ends — months
and days of Beijing time (the stores keep UTC), the same on SQLite (timestamps as text) and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import update

from helpers import AS_OF, LIBRARY, load_fixture_data, person
from shujian.beijing import CHINA
from shujian.cases import stats
from shujian.leads import triage
from shujian.leads.queue import homes
from shujian.leads.service import list_leads
from shujian.leads.store import leads
from shujian.models.runner import run_models
from shujian.users import Departments
from shujian.workspace import init_workspace

HOME = homes(LIBRARY, Departments.bundled())
CHIEF = person("院领导", None, "chief")
MINORS = person("未检部长", "未成年人检察部", "department_head")
PUBLIC = person("公益部长", "公益诉讼检察部", "department_head")
HEAD = person("李部长")
UTC = dt.UTC


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_leads_and_decisions_count_in_their_own_months_and_periods(
    tmp_path: Path, store: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if store == "postgresql":
        monkeypatch.setenv("SHUJIAN_STORE_URL", request.getfixturevalue("pg_url"))
    ws = init_workspace(tmp_path / "ws")
    load_fixture_data(ws, tmp_path)
    run_models(ws, LIBRARY, ["campus.internet_cafe"], AS_OF)
    january, february = (r["id"] for r in list_leads(ws.store))
    with ws.store.begin() as conn:  # found on the first and the last moment of their months
        for lead_id, at in (
            (january, dt.datetime(2026, 1, 1, 0, 0, 1, tzinfo=CHINA)),  # 2025-12-31 in UTC
            (february, dt.datetime(2026, 2, 28, 23, 59, 59, tzinfo=CHINA)),
        ):  # stored in UTC, as the platform writes every instant (`store.now`)
            conn.execute(
                update(leads).where(leads.c.id == lead_id).values(created_at=at.astimezone(UTC))
            )

    def figures(by: str, user=CHIEF, **period) -> dict[str, tuple[int, int, int]]:  # type: ignore[no-untyped-def]
        rows = stats.statistics(ws.store, by, home=HOME, user=user, **period)
        return {r["key"]: (r["leads"], r["triaged"], r["dismissed"]) for r in rows}

    assert figures("department")["未成年人检察部"] == (2, 0, 0)
    # the figures kept between two changes are not kept past one
    triage.dispatch(ws.store, [february], "公益诉讼检察部", "赵检察官", HEAD, home=HOME)
    triage.dismiss(ws.store, [january], "已自行整改到位", MINORS, home=HOME)
    decided = dt.datetime.now(CHINA).strftime("%Y-%m")

    assert figures("month") == {
        "2026-01": (1, 0, 0),
        "2026-02": (1, 0, 0),
        decided: (0, 1, 1),
        "合计": (2, 1, 1),
    }
    assert figures("department") == {
        "未成年人检察部": (1, 1, 1),  # waiting in its model's department when dismissed
        "公益诉讼检察部": (1, 0, 0),  # dispatched there
        "合计": (2, 1, 1),
    }
    assert figures("prosecutor")["赵检察官"] == (1, 0, 0)
    # a period keeps whole days at both ends, whatever the hour
    feb = {"since": dt.date(2026, 2, 28), "until": dt.date(2026, 2, 28)}
    assert figures("model", **feb) == {"campus.internet_cafe": (1, 0, 0), "合计": (1, 0, 0)}
    assert figures("month", until=dt.date(2026, 1, 1))["合计"] == (1, 0, 0)
    assert figures("month", since=dt.date(2026, 3, 1))["合计"] == (0, 1, 1)
    # each sees their own department's figures
    assert figures("month", MINORS)["合计"] == (1, 1, 1)
    assert figures("month", PUBLIC)["合计"] == (1, 0, 0)
    both = stats.tables(ws.store, ("model", "month"), home=HOME, user=PUBLIC)
    assert both["model"] == stats.statistics(ws.store, "model", home=HOME, user=PUBLIC)
    assert both["month"] == stats.statistics(ws.store, "month", home=HOME, user=PUBLIC)
