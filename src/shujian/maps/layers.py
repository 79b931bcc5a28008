"""What the map draws: schools, venues, the distance rings of the rules and the venues' leads.

Rows are read as the models read them (`engine.duckdb.DuckDBEngine`: the current batches, the
newest row per record key), with the coordinates the importer stored: WGS-84, whatever system
the agency's file was in. Leads come from the lead queue (`leads.queue.queue`) for the signed-in
user, so a venue shows only the leads in the user's scope; a user without `view_leads` (the
系统管理员) sees the places without any lead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from shujian.data.datasets import Dataset
from shujian.data.fields.geo import wgs84_to_gcj02
from shujian.data.warehouse import Warehouse
from shujian.engine.duckdb import DuckDBEngine
from shujian.errors import UserError
from shujian.leads.queue import queue
from shujian.leads.service import status_label
from shujian.models.parameters import parameters_in_force
from shujian.models.spec import ModelSpec
from shujian.users import User
from shujian.users.access import can
from shujian.workspace import Workspace

RING_MODEL = "campus.internet_cafe"
RING_PARAMETER = "max_distance_m"
"""The rule whose distance is drawn around each school (校园周边网吧: 200 米 by default)."""


@dataclass(frozen=True)
class Ring:
    metres: float
    model: str
    label: str
    source: str


def distance_ring(ws: Workspace, library: Mapping[str, ModelSpec]) -> Ring | None:
    """The distance in force (an override of the workspace counts), with its source."""
    spec = library.get(RING_MODEL)
    if spec is None:
        return None
    params = parameters_in_force(spec, ws.overrides, ws.additions)
    if RING_PARAMETER not in params:
        return None
    p = params[RING_PARAMETER]
    return Ring(float(p.value), spec.id, spec.name, p.source)


def _rows(
    ws: Workspace, datasets: Mapping[str, Dataset], sql: str, ids: list[str]
) -> list[dict[str, Any]]:
    present = [d for d in ids if d in datasets]
    if len(present) < len(ids):
        return []
    with DuckDBEngine(Warehouse(ws.warehouse_dir, ws.store), datasets) as db:
        db.register(present)
        return list(db.query(sql).to_dicts())


def places(ws: Workspace) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(schools, venues) with coordinates, WGS-84, as stored by the importer."""
    datasets = ws.datasets()
    schools = _rows(
        ws,
        datasets,
        "SELECT name, uscc, school_type, address, lon, lat FROM schools "
        "WHERE lon IS NOT NULL AND lat IS NOT NULL ORDER BY uscc",
        ["schools"],
    )
    venues = _rows(
        ws,
        datasets,
        "SELECT name, uscc, venue_type, status, address, lon, lat FROM venues "
        "WHERE lon IS NOT NULL AND lat IS NOT NULL ORDER BY uscc, venue_type",
        ["venues"],
    )
    return schools, venues


def venue_leads(
    ws: Workspace, user: User, library: Mapping[str, ModelSpec], home: Mapping[str, str]
) -> dict[str, list[dict[str, Any]]]:
    """Venue credit code → its leads in the user's scope (every status), from the models whose
    subject is a venue."""
    if not can(user, "view_leads"):
        return {}
    found: dict[str, list[dict[str, Any]]] = {}
    for spec in library.values():
        if spec.subject_dataset != "venues":
            continue
        try:
            page = queue(ws.store, user, status=None, model_id=spec.id, home=home)
        except UserError:
            continue
        for lead in page:
            found.setdefault(str(lead["subject"]), []).append(
                {
                    "id": lead["id"],
                    "title": lead["title"],
                    "model": spec.name,
                    "status": status_label(lead["status"], bool(lead["active"])),
                }
            )
    return found


def map_data(
    ws: Workspace,
    user: User,
    library: Mapping[str, ModelSpec],
    home: Mapping[str, str],
    outline: dict[str, Any] | None,
) -> dict[str, Any]:
    """Everything the map page draws, as JSON-ready values."""
    schools, venues = places(ws)
    leads = venue_leads(ws, user, library, home)
    ring = distance_ring(ws, library)
    return {
        "outline": outline,
        "ring": None
        if ring is None
        else {"metres": ring.metres, "model": ring.label, "source": ring.source},
        "schools": [
            {
                "name": s["name"],
                "type": s["school_type"],
                "address": s["address"] or "",
                "lon": s["lon"],
                "lat": s["lat"],
            }
            for s in schools
        ],
        "venues": [
            {
                "name": v["name"],
                "type": v["venue_type"],
                "status": v["status"] or "",
                "address": v["address"] or "",
                "lon": v["lon"],
                "lat": v["lat"],
                "leads": [
                    {**lead, "url": f"/leads/{lead['id']}"} for lead in leads.get(v["uscc"], [])
                ],
            }
            for v in venues
        ],
    }


def _shift(coords: Any, convert: Any) -> Any:
    if isinstance(coords[0], int | float):
        lon, lat = convert(np.array([coords[0]]), np.array([coords[1]]))
        return [round(float(lon[0]), 6), round(float(lat[0]), 6)]
    return [_shift(c, convert) for c in coords]


def to_tile_crs(data: dict[str, Any], crs: str) -> dict[str, Any]:
    """The map's WGS-84 data moved into the tile server's system, so that it lies on its tiles
    (a GCJ-02 server draws every street 300–700 m off WGS-84)."""
    if crs != "GCJ02":
        return data
    out = dict(data)
    for layer in ("schools", "venues"):
        moved = []
        for place in data[layer]:
            lon, lat = _shift([place["lon"], place["lat"]], wgs84_to_gcj02)
            moved.append({**place, "lon": lon, "lat": lat})
        out[layer] = moved
    outline = data.get("outline")
    if outline:
        geometry = outline.get("geometry", outline)
        shifted = {**geometry, "coordinates": _shift(geometry["coordinates"], wgs84_to_gcj02)}
        out["outline"] = {**outline, "geometry": shifted} if "geometry" in outline else shifted
    return out
