"""Coordinates: degrees, coordinate systems, conversion to WGS-84, and distance."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from shujian.data.fields.geo import (
    EARTH_RADIUS_M,
    UNKNOWN_CRS,
    CrsField,
    LatField,
    LonField,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    haversine_m,
    to_wgs84,
    wgs84_to_gcj02,
)


def parse(field: LonField | LatField | CrsField, *cells: str | None) -> list[tuple]:
    parsed = field.parse(pl.Series("c", list(cells), dtype=pl.Utf8))
    return list(zip(parsed.value.to_list(), parsed.error.to_list(), strict=True))


# WGS-84 → GCJ-02 pairs published as test vectors by googollee/eviltransform
# (python/test.py, go/transform_test.go): (wgs lat, wgs lon, gcj lat, gcj lon).
EVILTRANSFORM_PAIRS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # 上海
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # 深圳
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # 北京
]

CITIES = {  # WGS-84 city centres (lon, lat)
    "北京": (116.397, 39.909),
    "上海": (121.474, 31.230),
    "广州": (113.264, 23.129),
    "成都": (104.066, 30.572),
    "西安": (108.940, 34.340),
    "哈尔滨": (126.535, 45.803),
    "昆明": (102.830, 24.880),
    "三亚": (109.512, 18.252),
}


@pytest.mark.parametrize(
    "written",
    ["116.397", " 116.397 ", "１１６．３９７", "116.397°", "E116.397", "116.397E", "东经116.397"],
)
def test_longitude_in_written_forms_is_read(written: str) -> None:
    assert parse(LonField(), written) == [(pytest.approx(116.397), None)]


@pytest.mark.parametrize("written", ["116°23′49″", "116°23'49\"", "116度23分49秒", "116°23′49.0″"])
def test_degrees_minutes_seconds_are_converted(written: str) -> None:
    assert parse(LonField(), written) == [(pytest.approx(116 + 23 / 60 + 49 / 3600), None)]


def test_latitude_in_written_forms_is_read() -> None:
    assert (
        parse(LatField(), "39.909", "北纬39.909", "39.909N", "39°54′32.4″")
        == [(pytest.approx(39.909), None)] * 4
    )


def test_coordinates_outside_china_are_rejected() -> None:
    assert (
        parse(LonField(), "200", "0", "-116.4", "72.9")
        == [(None, "经度超出中国范围（73–136）")] * 4
    )
    assert parse(LatField(), "60", "2.9", "-39.9") == [(None, "纬度超出中国范围（3–54）")] * 3


def test_swapped_longitude_and_latitude_get_a_hint() -> None:
    assert parse(LonField(), "39.909") == [(None, "经度超出中国范围（73–136），可能与纬度填反了")]
    assert parse(LatField(), "116.397") == [(None, "纬度超出中国范围（3–54），可能与经度填反了")]


def test_non_numeric_coordinates_are_rejected() -> None:
    assert parse(LonField(), "abc", "116.4.5") == [(None, "经度不是数字")] * 2
    assert parse(LatField(), "见附件") == [(None, "纬度不是数字")]


@pytest.mark.parametrize(
    ("written", "crs"),
    [
        ("WGS84", "WGS84"),
        ("WGS-84", "WGS84"),
        ("wgs84", "WGS84"),
        ("ＷＧＳ８４", "WGS84"),
        ("GPS", "WGS84"),
        ("CGCS2000", "WGS84"),
        ("GCJ02", "GCJ02"),
        ("GCJ-02", "GCJ02"),
        ("gcj_02", "GCJ02"),
        ("火星坐标", "GCJ02"),
        ("火星坐标系", "GCJ02"),
        ("国测局坐标", "GCJ02"),
        ("高德", "GCJ02"),
        ("高德地图", "GCJ02"),
        ("腾讯", "GCJ02"),
        ("BD09", "BD09"),
        ("BD-09", "BD09"),
        ("bd09ll", "BD09"),
        ("百度坐标", "BD09"),
        ("百度", "BD09"),
    ],
)
def test_coordinate_system_names_people_use_are_understood(written: str, crs: str) -> None:
    assert parse(CrsField(), written) == [(crs, None)]


def test_unknown_coordinate_system_is_rejected_not_guessed() -> None:
    assert parse(CrsField(), "北京54", "xyz") == [(None, UNKNOWN_CRS)] * 2


@pytest.mark.parametrize(("wgs_lat", "wgs_lon", "gcj_lat", "gcj_lon"), EVILTRANSFORM_PAIRS)
def test_published_gcj02_pairs_are_reproduced(
    wgs_lat: float, wgs_lon: float, gcj_lat: float, gcj_lon: float
) -> None:
    lon, lat = wgs84_to_gcj02(np.array([wgs_lon]), np.array([wgs_lat]))
    assert haversine_m(lon, lat, gcj_lon, gcj_lat)[0] < 0.01
    lon, lat = gcj02_to_wgs84(np.array([gcj_lon]), np.array([gcj_lat]))
    assert haversine_m(lon, lat, wgs_lon, wgs_lat)[0] < 0.01


def _china_grid() -> tuple[np.ndarray, np.ndarray]:
    lon, lat = np.meshgrid(np.arange(74.0, 135.0, 0.73), np.arange(18.0, 53.0, 0.61))
    return lon.ravel(), lat.ravel()


def test_gcj02_round_trip_is_within_a_centimetre_everywhere_in_china() -> None:
    lon, lat = _china_grid()
    gcj_lon, gcj_lat = wgs84_to_gcj02(lon, lat)
    crs = pl.Series(["GCJ02"] * len(lon))
    back_lon, back_lat = to_wgs84(pl.Series(gcj_lon), pl.Series(gcj_lat), crs)
    assert haversine_m(back_lon.to_numpy(), back_lat.to_numpy(), lon, lat).max() < 0.01


def test_bd09_round_trip_is_within_half_a_metre_everywhere_in_china() -> None:
    lon, lat = _china_grid()
    bd_lon, bd_lat = gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))
    crs = pl.Series(["BD09"] * len(lon))
    back_lon, back_lat = to_wgs84(pl.Series(bd_lon), pl.Series(bd_lat), crs)
    assert haversine_m(back_lon.to_numpy(), back_lat.to_numpy(), lon, lat).max() < 0.5


@pytest.mark.parametrize("city", sorted(CITIES))
def test_gcj02_offset_in_chinese_cities_is_300_to_700_metres(city: str) -> None:
    lon, lat = CITIES[city]
    gcj_lon, gcj_lat = wgs84_to_gcj02(np.array([lon]), np.array([lat]))
    assert 300 < haversine_m(lon, lat, gcj_lon, gcj_lat)[0] < 700


def test_to_wgs84_converts_each_row_by_its_own_system_and_keeps_nulls() -> None:
    lon, lat = CITIES["北京"]
    gcj_lon, gcj_lat = (v[0] for v in wgs84_to_gcj02(np.array([lon]), np.array([lat])))
    bd_lon, bd_lat = (v[0] for v in gcj02_to_bd09(np.array([gcj_lon]), np.array([gcj_lat])))
    out_lon, out_lat = to_wgs84(
        pl.Series("经度", [lon, gcj_lon, bd_lon, lon, None]),
        pl.Series("纬度", [lat, gcj_lat, bd_lat, lat, lat]),
        pl.Series("坐标系", ["WGS84", "GCJ02", "BD09", None, "GCJ02"]),
    )
    assert (out_lon.name, out_lat.name) == ("经度", "纬度")
    distances = haversine_m(out_lon[:4].to_numpy(), out_lat[:4].to_numpy(), lon, lat)
    assert distances.max() < 0.5
    assert out_lon[4] is None


def test_haversine_uses_the_mean_earth_radius() -> None:
    # One degree of latitude is R·π/180; the engine's SQL distance must use the same R.
    assert EARTH_RADIUS_M == 6_371_008.8
    assert haversine_m(116.0, 39.0, 116.0, 40.0) == pytest.approx(EARTH_RADIUS_M * math.pi / 180)
    assert haversine_m(116.4, 39.9, 116.4, 39.9) == 0.0


def test_haversine_takes_longitude_first_and_is_symmetric() -> None:
    there = haversine_m(116.397, 39.909, 121.474, 31.230)
    back = haversine_m(121.474, 31.230, 116.397, 39.909)
    assert there == pytest.approx(back)
    assert 1_060_000 < there < 1_075_000  # 北京–上海 great-circle distance ≈ 1,067 km


def test_parses_and_converts_a_million_coordinates_in_bulk() -> None:
    n = 1_000_000
    rng = np.random.default_rng(0)
    lon = pl.Series(rng.uniform(115.0, 118.0, n)).round(6).cast(pl.Utf8)
    lat = pl.Series(rng.uniform(38.0, 41.0, n)).round(6).cast(pl.Utf8)
    crs = pl.Series(np.array(["WGS84", "GCJ-02", "百度坐标"])[rng.integers(0, 3, n)])
    parsed_lon, parsed_lat, parsed_crs = (
        LonField().parse(lon),
        LatField().parse(lat),
        CrsField().parse(crs),
    )
    wgs_lon, wgs_lat = to_wgs84(parsed_lon.value, parsed_lat.value, parsed_crs.value)
    assert parsed_lon.error.null_count() == parsed_crs.error.null_count() == n
    assert wgs_lon.null_count() == wgs_lat.null_count() == 0
