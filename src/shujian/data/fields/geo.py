"""Coordinates: longitude, latitude, the coordinate system they are in, and distance.

Chinese map products publish GCJ-02 (高德, 腾讯) or BD-09 (百度) coordinates; GPS devices
give WGS-84. The offset between them is 300–700 m, more than the 200 m and 50 m distances
the models enforce, so every coordinate is converted to WGS-84 (`to_wgs84`) before any
distance is measured (`haversine_m`).

The GCJ-02 formulas are the public reconstruction (semi-major axis a = 6378245.0 of the
Krasovsky 1940 ellipsoid, ee = 0.00669342162296594323) used by every open-source
converter. GCJ-02 has no closed-form inverse; it is inverted here by fixed-point
iteration to under a millimetre, far inside the 0.5 m the models can tolerate.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import polars as pl

from shujian.data.fields.base import (
    ZERO_WIDTH,
    FieldType,
    Parsed,
    first_reason,
    nfkc,
    nulls,
    via_distinct,
)

EARTH_RADIUS_M = 6_371_008.8
"""Mean earth radius (IUGG R1 = (2a + b) / 3). The SQL distance in the engine layer must
use the same constant, so that a lead found in DuckDB is the lead found here."""

LON_RANGE = (73.0, 136.0)
LAT_RANGE = (3.0, 54.0)
CRS_VALUES = ("WGS84", "GCJ02", "BD09")
UNKNOWN_CRS = "未知的坐标系（应为WGS84、GCJ02或BD09）"

_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0

# After lower-casing and removing spaces, dashes, underscores and a trailing
# 坐标系/坐标/地图. CGCS2000 (天地图, the national geodetic system) differs from WGS-84 by
# centimetres, far below anything the models measure, so it is treated as WGS-84.
_CRS_ALIASES = {
    "wgs84": "WGS84",
    "wgs1984": "WGS84",
    "gps": "WGS84",
    "epsg:4326": "WGS84",
    "4326": "WGS84",
    "cgcs2000": "WGS84",
    "天地图": "WGS84",
    "2000国家大地": "WGS84",
    "gcj02": "GCJ02",
    "gcj": "GCJ02",
    "火星": "GCJ02",
    "国测局": "GCJ02",
    "高德": "GCJ02",
    "腾讯": "GCJ02",
    "bd09": "BD09",
    "bd09ll": "BD09",
    "百度": "BD09",
    "baidu": "BD09",
}

_PLAIN = r"^-?[0-9]+(?:\.[0-9]+)?$"
_DECIMAL = r"^(?P<num>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))°?$"
_DMS = (
    r"^(?P<deg>[0-9]+)[°度]"
    r"(?:(?P<min>[0-9]+(?:\.[0-9]+)?)(?:'|′|分))?"
    r"(?:(?P<sec>[0-9]+(?:\.[0-9]+)?)(?:\"|″|′′|''|秒))?$"
)


class _DegreesField(FieldType):
    axis: ClassVar[str]
    bounds: ClassVar[tuple[float, float]]
    other_bounds: ClassVar[tuple[float, float]]
    hemisphere: ClassVar[str]  # regex of the hemisphere markers that may surround the number

    def parse(self, raw: pl.Series) -> Parsed:
        """Decimal degrees (or degrees-minutes-seconds) inside China's bounding box."""
        return via_distinct(raw, self._parse)

    def _parse(self, raw: pl.Series) -> Parsed:
        raw = raw.cast(pl.Utf8)
        plain = raw.str.contains(_PLAIN).fill_null(False)
        degrees = pl.select(pl.when(plain).then(raw.cast(pl.Float64, strict=False))).to_series()
        early = nulls(len(raw), pl.Utf8)
        other = (~plain & raw.is_not_null()).arg_true()
        if other.len():
            value, reason = self._parse_written(raw.gather(other))
            degrees.scatter(other, value)
            early.scatter(other, reason)
        lo, hi = self.bounds
        label = "经度" if self.axis == "lon" else "纬度"
        other_label = "纬度" if self.axis == "lon" else "经度"
        out_of_range = f"{label}超出中国范围（{lo:g}–{hi:g}）"
        frame = pl.DataFrame({"v": degrees, "early": early}).select(
            v="v",
            error=first_reason(
                (pl.col("early").is_not_null(), pl.col("early")),
                (
                    pl.col("v").is_between(*self.other_bounds) & ~pl.col("v").is_between(lo, hi),
                    f"{out_of_range}，可能与{other_label}填反了",
                ),
                (~pl.col("v").is_between(lo, hi), out_of_range),
            ),
        )
        value = frame.select(pl.when(pl.col("error").is_null()).then("v")).to_series()
        return Parsed(value=value.alias(raw.name), error=frame["error"].alias(raw.name))

    def _parse_written(self, raw: pl.Series) -> tuple[pl.Series, pl.Series]:
        """Full-width digits, spaces, °, 东经/北纬 or E/N markers, degrees-minutes-seconds."""
        label = "经度" if self.axis == "lon" else "纬度"
        v = (
            pl.col("v")
            .str.replace_all(f"[\\s{ZERO_WIDTH}]", "")
            .str.to_uppercase()
            .str.replace(f"^(?:{self.hemisphere})", "")
            .str.replace(f"(?:{self.hemisphere})$", "")
        )
        text = nfkc(raw).to_frame("v").select(v).to_series()
        decimal = text.str.extract(_DECIMAL).cast(pl.Float64, strict=False)
        dms = text.str.extract_groups(_DMS).struct.unnest()
        from_dms = dms.select(
            pl.col("deg").cast(pl.Float64)
            + pl.col("min").cast(pl.Float64).fill_null(0) / 60
            + pl.col("sec").cast(pl.Float64).fill_null(0) / 3600
        ).to_series()
        out = pl.DataFrame({"t": text, "d": decimal, "dms": from_dms}).select(
            v=pl.coalesce("d", "dms"),
            error=first_reason(
                (pl.col("t") == "", pl.lit(None, dtype=pl.Utf8)),
                (pl.coalesce("d", "dms").is_null(), f"{label}不是数字"),
            ),
        )
        return out["v"], out["error"]


class LonField(_DegreesField):
    """Longitude in decimal degrees, east positive."""

    name: ClassVar[str] = "lon"
    label: ClassVar[str] = "经度"
    dtype: ClassVar[pl.DataType] = pl.Float64()
    axis: ClassVar[str] = "lon"
    bounds: ClassVar[tuple[float, float]] = LON_RANGE
    other_bounds: ClassVar[tuple[float, float]] = LAT_RANGE
    hemisphere: ClassVar[str] = "东经|E"


class LatField(_DegreesField):
    """Latitude in decimal degrees, north positive."""

    name: ClassVar[str] = "lat"
    label: ClassVar[str] = "纬度"
    dtype: ClassVar[pl.DataType] = pl.Float64()
    axis: ClassVar[str] = "lat"
    bounds: ClassVar[tuple[float, float]] = LAT_RANGE
    other_bounds: ClassVar[tuple[float, float]] = LON_RANGE
    hemisphere: ClassVar[str] = "北纬|N"


class CrsField(FieldType):
    """Coordinate system of a row: one of WGS84, GCJ02, BD09, from the names people use."""

    name: ClassVar[str] = "crs"
    label: ClassVar[str] = "坐标系"
    dtype: ClassVar[pl.DataType] = pl.Utf8()

    def parse(self, raw: pl.Series) -> Parsed:
        """Map every spelling to the canonical name; anything else is refused, not guessed."""
        return via_distinct(raw, self._parse)

    def _parse(self, raw: pl.Series) -> Parsed:
        key = (
            nfkc(raw.cast(pl.Utf8))
            .to_frame("v")
            .select(
                pl.col("v")
                .str.to_lowercase()
                .str.replace_all(f"[\\s\\-_{ZERO_WIDTH}]", "")
                .str.replace(r"(?:坐标系统|坐标系|坐标|地图)$", "")
            )
            .to_series()
        )
        value = key.replace_strict(_CRS_ALIASES, default=None, return_dtype=pl.Utf8)
        error = pl.select(
            pl.when((key != "") & value.is_null()).then(pl.lit(UNKNOWN_CRS))
        ).to_series()
        return Parsed(value=value.alias(raw.name), error=error.alias(raw.name))


# --- conversion ---------------------------------------------------------------------------


def _out_of_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    # The bounding box the GCJ-02 algorithm itself uses: outside it no offset is applied.
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _gcj_offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 minus WGS-84 at a WGS-84 point, in degrees (zero outside China)."""
    x, y = lon - 105.0, lat - 35.0
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += common
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += common
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad) * np.pi)
    outside = _out_of_china(lon, lat)
    return np.where(outside, 0.0, dlon), np.where(outside, 0.0, dlat)


def wgs84_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 → GCJ-02 (what 高德 and 腾讯 display)."""
    dlon, dlat = _gcj_offset(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 → WGS-84 by fixed-point iteration of the forward formula.

    Start from the GCJ point and correct by the remaining error. The offset changes by a
    few metres per kilometre, so each step shrinks the error about 200-fold: after one
    step it is metres (the usual one-shot approximation), after three under a millimetre
    (measured: 0.2 mm at worst on a 0.7° grid over China).
    """
    wlon, wlat = lon, lat
    for _ in range(3):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        wlon, wlat = wlon - (glon - lon), wlat - (glat - lat)
    return wlon, wlat


def gcj02_to_bd09(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 → BD-09 (what 百度 displays), the published formula with x_pi = π·3000/180."""
    z = np.hypot(lon, lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 → GCJ-02: the published closed form, refined by iterating the forward one.

    The closed form alone is off by up to ~1e-6 degrees (0.1 m); two corrections make the
    round trip exact to floating-point noise.
    """
    x, y = lon - 0.0065, lat - 0.006
    z = np.hypot(x, y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    glon, glat = z * np.cos(theta), z * np.sin(theta)
    for _ in range(2):
        blon, blat = gcj02_to_bd09(glon, glat)
        glon, glat = glon - (blon - lon), glat - (blat - lat)
    return glon, glat


def to_wgs84(lon: pl.Series, lat: pl.Series, crs: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Convert each row from its own coordinate system to WGS-84.

    `crs` holds canonical names (WGS84, GCJ02, BD09, as `CrsField` produces); a null CRS
    means WGS-84. Rows with a null coordinate stay null. Whole columns are converted with
    numpy at once; there is no per-row Python.
    """
    x = lon.cast(pl.Float64).to_numpy().astype(np.float64, copy=True)
    y = lat.cast(pl.Float64).to_numpy().astype(np.float64, copy=True)
    system = crs.cast(pl.Utf8).fill_null("WGS84")
    for name, convert in (("GCJ02", gcj02_to_wgs84), ("BD09", _bd09_to_wgs84)):
        rows = (system == name).to_numpy()
        if rows.any():
            x[rows], y[rows] = convert(x[rows], y[rows])
    return (
        pl.Series(lon.name, x, nan_to_null=True),
        pl.Series(lat.name, y, nan_to_null=True),
    )


def _bd09_to_wgs84(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def haversine_m(
    lon1: np.ndarray | pl.Series | float,
    lat1: np.ndarray | pl.Series | float,
    lon2: np.ndarray | pl.Series | float,
    lat2: np.ndarray | pl.Series | float,
) -> np.ndarray:
    """Great-circle distance in metres on a sphere of radius `EARTH_RADIUS_M`.

    Argument order is (lon, lat) throughout, unlike DuckDB's ST_Distance_Sphere (lat, lon).
    The spherical error against the ellipsoid is under 0.5 %, i.e. under 1 m at 200 m.
    """
    p1, p2 = np.radians(np.asarray(lat1, dtype=float)), np.radians(np.asarray(lat2, dtype=float))
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
