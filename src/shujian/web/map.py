"""地图: schools, venues and the rule's distance rings on the county outline, venues with leads
highlighted and linked to them — drawn by `static/map.js` (Leaflet, from /static/vendor) from
`/map/data.json`; the CSP allows no inline script and no request outside the server.

No tile comes from the internet: the map is a blank layer under the outline, unless the
workspace names an intranet tile server (`[map] tile_url`, with its `tile_crs`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from shujian.leads.queue import homes
from shujian.maps.layers import map_data, to_tile_crs
from shujian.maps.outline import county_outline
from shujian.models.spec import load_library
from shujian.users import departments_of
from shujian.users.access import require
from shujian.web.auth import SignedInUser
from shujian.web.pages import render
from shujian.workspace import Workspace

router = APIRouter()


def tile_origin(ws: Workspace) -> str:
    """The intranet tile server's origin (scheme://host[:port]) the CSP must allow, or ""."""
    url = str(ws.setting("map.tile_url") or "")
    if not url:
        return ""
    parts = urlsplit(url.replace("{", "").replace("}", ""))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


@router.get("/map")
def map_page(request: Request, user: SignedInUser) -> Response:
    require(
        user, "view_leads"
    )  # the agencies' places are there for case work, not for a 系统管理员
    ws: Workspace = request.app.state.workspace
    return render(
        request,
        "map/page.html",
        {
            "tile_url": ws.setting("map.tile_url") or "",
            "tile_crs": ws.setting("map.tile_crs"),
        },
    )


@router.get("/map/data.json")
def map_json(request: Request, user: SignedInUser) -> Response:
    require(user, "view_leads")
    ws: Workspace = request.app.state.workspace
    library = load_library(ws.models_dir)
    data: dict[str, Any] = map_data(
        ws,
        user,
        library,
        homes(library, departments_of(ws)),
        county_outline(ws.root, ws.region.code),
    )
    if ws.setting("map.tile_url"):
        data = to_tile_crs(data, str(ws.setting("map.tile_crs")))
    return JSONResponse(data)
