"""首页: the dashboard shows what is in the user's scope, as the statistics count it, and the
deadlines due and overdue, linked to their cases; the 系统管理员 sees no case data."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from fastapi.testclient import TestClient

from helpers import load_fixture_data
from shujian.cases.service import open_case
from shujian.leads.queue import homes
from shujian.leads.service import list_leads
from shujian.models.runner import run_models
from shujian.models.spec import load_library
from shujian.users import User, departments_of
from shujian.users.accounts import add_user
from shujian.users.passwords import set_password
from shujian.web.app import create_app
from shujian.workspace import Workspace
from web.browsing import PASSWORD
from web.test_security import sign_in


def _with_a_case(ws: Workspace, tmp_path: Path) -> int:
    """The 网吧 fixture imported and run; one lead opened by 张检察官 long ago (overdue)."""
    folder = tmp_path / "files"
    folder.mkdir()
    load_fixture_data(ws, folder)
    library = load_library(ws.models_dir)
    run_models(ws, library, ["campus.internet_cafe"], dt.date(2026, 6, 1))
    zhang = User(
        "张检察官", ws.region.procuratorate_name, "未成年人检察部", frozenset({"prosecutor"})
    )
    lead = list_leads(ws.store, "campus.internet_cafe")[0]
    return open_case(
        ws.store,
        [lead["id"]],
        "未成年人检察部",
        zhang.name,
        zhang,
        "网吧距学校不足200米",
        dt.date(2026, 6, 2),
        home=homes(library, departments_of(ws)),
    )


def test_the_prosecutor_sees_the_funnel_charts_and_the_overdue_case(
    web_ws: Workspace, tmp_path: Path
) -> None:
    case_id = _with_a_case(web_ws, tmp_path)
    client = TestClient(create_app(web_ws), base_url="http://127.0.0.1")
    assert sign_in(client).status_code == 303
    page = client.get("/").text
    funnel = re.search(r'<ol class="funnel" id="funnel-figures">(.*?)</ol>', page, re.S)
    assert funnel is not None
    figures = dict(re.findall(r"<span>(.+?)</span><strong>(\d+)</strong>", funnel.group(1)))
    assert figures["成案"] == "1" and int(figures["线索"]) >= 1
    for chart in ("chart-funnel", "chart-models", "chart-months"):
        assert f'id="{chart}"' in page
    assert "校园周边网吧" in page  # leads per model, by the model's name
    # investigation period (two months from 2026-06-02) is over by now: overdue, linked
    assert re.search(rf'<tr class="late"><td><a href="/cases/{case_id}">{case_id}</a>', page)
    assert "<script>" not in page.split("</head>")[1]  # the CSP: no inline script


def test_home_counts_leads_as_the_statistics_do_review_items_apart(
    web_ws: Workspace, tmp_path: Path
) -> None:
    """A hit of a review model (待核对) is not a 线索: 首页's funnel says what 统计 says."""
    from shujian.cases import stats
    from shujian.leads.queue import review_models

    _with_a_case(web_ws, tmp_path)
    review = tmp_path / "review"
    review.mkdir()
    load_fixture_data(web_ws, review, model_id="transfer.review")
    library = load_library(web_ws.models_dir)
    run_models(web_ws, library, ["transfer.review"], dt.date(2026, 6, 1))
    chief = User("院领导", web_ws.region.procuratorate_name, None, frozenset({"chief"}))
    admin = User("管理员", web_ws.region.procuratorate_name, None, frozenset({"admin"}))
    add_user(web_ws.store, admin, chief.name, None, ["chief"], departments_of(web_ws))
    set_password(web_ws.store, admin, chief.name, PASSWORD)
    totals = stats.statistics(
        web_ws.store,
        "model",
        home=homes(library, departments_of(web_ws)),
        review_models=review_models(library),
        user=chief,
    )[-1]
    assert totals["review_items"] > 0 and totals["leads"] > 0
    client = TestClient(create_app(web_ws), base_url="http://127.0.0.1")
    assert sign_in(client, "院领导").status_code == 303
    funnel = re.search(
        r'<ol class="funnel" id="funnel-figures">(.*?)</ol>', client.get("/").text, re.S
    )
    assert funnel is not None
    figures = dict(re.findall(r"<span>(.+?)</span><strong>(\d+)</strong>", funnel.group(1)))
    assert int(figures["线索"]) == totals["leads"]


def test_the_administrator_sees_no_case_data(web_ws: Workspace, tmp_path: Path) -> None:
    _with_a_case(web_ws, tmp_path)
    client = TestClient(create_app(web_ws), base_url="http://127.0.0.1")
    assert sign_in(client, "管理员").status_code == 303
    page = client.get("/").text
    assert "不查看线索和案件" in page and "funnel" not in page and "/cases/" not in page


def test_a_quiet_month_is_on_the_trend_as_zero() -> None:
    from shujian.cases.dashboard import _every_month

    assert _every_month({"2026-10": (34, 0, 1), "2026-12": (1, 1, 0)}) == (
        ("2026-10", 34, 0, 1),
        ("2026-11", 0, 0, 0),
        ("2026-12", 1, 1, 0),
    )
    assert _every_month({"2026-12": (1, 0, 0), "2027-01": (2, 0, 0)})[-1][0] == "2027-01"
    assert _every_month({}) == ()


def test_an_assistant_with_nothing_assigned_sees_figures_not_empty_charts(
    web_ws: Workspace, tmp_path: Path
) -> None:
    """All six figures 0: the page says so instead of drawing a funnel of six equal bars."""
    _with_a_case(web_ws, tmp_path)
    client = TestClient(create_app(web_ws), base_url="http://127.0.0.1")
    assert sign_in(client, "李助理").status_code == 303
    page = client.get("/").text
    funnel = re.search(r'<ol class="funnel" id="funnel-figures">(.*?)</ol>', page, re.S)
    assert funnel is not None
    assert set(re.findall(r"<strong>(\d+)</strong>", funnel.group(1))) == {"0"}
    assert 'id="no-leads"' in page and 'id="chart-funnel"' not in page
