"""地图 in a real browser: the county outline, the schools with their rings and the venues drawn
by Leaflet (not empty), venues with leads marked and linked, a venue named as markup shown as
text in its popup, and not one request leaving 127.0.0.1 (no tiles from anywhere)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from helpers import AS_OF, LIBRARY, load_fixture_data
from shujian.maps.outline import SHIPPED, WORKSPACE_OUTLINE
from shujian.models.runner import run_models
from web.browsing import XSS, Server, Visit, docs_shot, shot

pytestmark = pytest.mark.xdist_group("browser")

MODEL = "campus.internet_cafe"


@pytest.fixture(scope="module")
def mapped(server: Server, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The 网吧 fixture imported into the server's workspace (the first venue renamed to markup)
    and run; the demo county's outline put in the workspace (its region has no code)."""
    ws = server.workspace

    def markup_venue(dataset: str, rows: list[dict]) -> None:
        if dataset == "venues":
            rows[0]["场所名称"] = XSS
            # another browser test may have imported these venues with their 地址 first: a
            # snapshot file lacking a column its stored records have is refused, so give it
            for row in rows:
                row.setdefault("地址", "青岚县城关镇")

    load_fixture_data(ws, tmp_path_factory.mktemp("map"), markup_venue, MODEL)
    run_models(ws, LIBRARY, [MODEL], AS_OF)
    own = ws.root / WORKSPACE_OUTLINE
    own.parent.mkdir(exist_ok=True)
    shutil.copy(SHIPPED / "520203.geojson", own)


def test_the_map_draws_outline_schools_rings_and_venues_offline(
    visit: Visit, mapped: None, server: Server, tmp_path: Path
) -> None:
    visit.sign_in("张检察官")
    visit.go("/map")
    page = visit.page
    expect(page.locator("#map[data-ready='1']")).to_have_count(1)  # type: ignore[attr-defined]
    data = page.request.get(visit.url + "/map/data.json").json()  # type: ignore[attr-defined]
    paths = page.locator("#map path.leaflet-interactive")  # type: ignore[attr-defined]
    assert paths.count() >= 1 + len(data["schools"]) + len(data["venues"])
    assert page.locator("#map path.venue-lead").count() >= 1  # type: ignore[attr-defined]
    drawn = page.eval_on_selector_all(  # type: ignore[attr-defined]
        "#map path.venue", "els => els.map(e => e.classList.contains('venue-lead'))"
    )
    assert drawn == sorted(drawn)  # venues with leads on top: no other marker covers one
    assert page.locator("#map svg path").count() > paths.count()  # the rings  # type: ignore[attr-defined]
    assert "有线索的" in page.inner_text("#map-status")  # type: ignore[attr-defined]
    shot(visit, "map", tmp_path)
    docs_shot(visit, "web-map", 820)

    index = next(i for i, v in enumerate(data["venues"]) if v["name"] == XSS)
    page.locator(f"#map path.venue-{index}").dispatch_event("click")  # type: ignore[attr-defined]
    popup = page.locator(".leaflet-popup-content h3")  # type: ignore[attr-defined]
    expect(popup).to_have_text(XSS)
    assert visit.dialogs == []
    venue = data["venues"][index]
    if venue["leads"]:
        link = page.locator(".leaflet-popup-content a").first  # type: ignore[attr-defined]
        assert link.get_attribute("href") == venue["leads"][0]["url"]
    shot(visit, "map-popup", tmp_path)
    docs_shot(visit, "web-map-popup", 820)
    assert all(u.startswith(server.url) or u.startswith("data:") for u in visit.requests)
