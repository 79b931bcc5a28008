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


def test_an_intranet_gcj02_tile_server_gets_the_data_moved_onto_its_tiles(
    with_leads: Workspace, tmp_path: Path
) -> None:
    """With `[map] tile_url` and `tile_crs = "GCJ02"`, the page names the tile server, the CSP
    allows images from that origin only, and every point moves by the GCJ-02 offset (300–700 m),
    so that it lies on the server's streets; with no tile server nothing moves."""
    from shujian.data.fields.geo import wgs84_to_gcj02
    from shujian.web.app import create_app
    from shujian.workspace import open_workspace

    plain = signed_in(TestClient(create_app(with_leads), base_url="http://127.0.0.1"))
    before = plain.get("/map/data.json").json()
    config = with_leads.root / "shujian.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[map]\ntile_url = "http://10.0.0.5:8080/tiles/{z}/{x}/{y}.png"\ntile_crs = "GCJ02"\n',
        encoding="utf-8",
    )
    tiled = signed_in(
        TestClient(create_app(open_workspace(with_leads.root)), base_url="http://127.0.0.1")
    )
    page = tiled.get("/map")
    assert "http://10.0.0.5:8080/tiles/{z}/{x}/{y}.png" in page.text
    csp = page.headers["content-security-policy"]
    assert "img-src 'self' data: http://10.0.0.5:8080" in csp
    after = tiled.get("/map/data.json").json()
    for layer in ("schools", "venues"):
        for was, now in zip(before[layer], after[layer], strict=True):
            lon, lat = wgs84_to_gcj02(was["lon"], was["lat"])
            assert (
                abs(now["lon"] - float(lon)) < 2e-6 and abs(now["lat"] - float(lat)) < 2e-6
            )  # 6 decimals
            assert abs(now["lon"] - was["lon"]) > 0.001  # hundreds of metres, not nothing
