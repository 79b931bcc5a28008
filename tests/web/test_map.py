"""地图 through the application (no browser): /map/data.json draws the imported schools and
venues with the rule's distance in force, and links only the leads in the user's scope."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from helpers import AS_OF, LIBRARY, load_fixture_data
from shujian.models.runner import run_models
from shujian.workspace import Workspace
from web.test_leads_pages import signed_in

MODEL = "campus.internet_cafe"


@pytest.fixture
def with_leads(web_ws: Workspace, tmp_path: Path) -> Workspace:
    load_fixture_data(web_ws, tmp_path)
    run_models(web_ws, LIBRARY, [MODEL], AS_OF)
    return web_ws


def _links(data: dict) -> list[str]:
    return [lead["url"] for v in data["venues"] for lead in v["leads"]]


def test_the_department_sees_schools_venues_rings_and_its_leads(
    with_leads: Workspace, client: TestClient
) -> None:
    signed_in(client, "张检察官")
    page = client.get("/map")
    assert page.status_code == 200 and 'id="map"' in page.text and "/static/map.js" in page.text
    data = client.get("/map/data.json").json()
    assert data["schools"] and data["venues"]
    assert data["ring"]["metres"] == 200
    assert _links(data) and all(u.startswith("/leads/") for u in _links(data))


def test_an_assistant_sees_no_lead_outside_their_scope(
    with_leads: Workspace, client: TestClient
) -> None:
    signed_in(client, "李助理")  # 未成年人检察部, nothing dispatched to them
    data = client.get("/map/data.json").json()
    assert data["venues"]  # the places are there
    assert _links(data) == []  # but none of the department's leads


def test_the_administrator_has_no_map(with_leads: Workspace, client: TestClient) -> None:
    """A 系统管理员 manages accounts and settings, not case work: no map, no link to it."""
    signed_in(client, "管理员")
    assert client.get("/map/data.json").status_code == 403
    page = client.get("/map")
    assert page.status_code == 403 and "无权查看线索" in page.text
    assert 'href="/map"' not in page.text and 'href="/leads"' not in page.text
    assert 'href="/admin"' in page.text


def test_the_map_asks_to_sign_in(client: TestClient) -> None:
    assert client.get("/map/data.json", follow_redirects=False).status_code in (302, 303)
