"""The front-end libraries: installed from npm at set-up, served from the package at run time.

`scripts/build-static` (run by `make setup`) runs `npm ci` on the committed package-lock.json
and copies only these files into `static/vendor/`, which git ignores: no minified copy is
committed, and nothing is fetched while the application runs (no CDN).
"""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).with_name("static")
VENDOR = STATIC / "vendor"

VENDOR_FILES = (
    "htmx.min.js",
    "echarts.min.js",
    "leaflet/leaflet.js",
    "leaflet/leaflet.css",
    "leaflet/images/marker-icon.png",
    "leaflet/images/marker-icon-2x.png",
    "leaflet/images/marker-shadow.png",
    "leaflet/images/layers.png",
    "leaflet/images/layers-2x.png",
)
"""Paths under `static/vendor/`; `scripts/build-static` copies the same list."""


def missing_vendor_files(vendor: Path | None = None) -> list[str]:
    folder = vendor or VENDOR
    return [name for name in VENDOR_FILES if not (folder / name).is_file()]
