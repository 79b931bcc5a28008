"""Time each field type on 1,000,000 values (printed, not asserted: timing belongs here)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate

from shujian.data.fields import get_field_type
from shujian.data.fields.geo import to_wgs84


def main() -> None:
    rng = np.random.default_rng(3)
    n = 1_000_000
    lon, lat = generate.coords(rng, n)
    samples = {
        "text": pl.Series(generate.names(rng, n)),
        "id_card": pl.Series(generate.id_numbers(rng, n)),
        "uscc": pl.Series(generate.usccs(rng, n)),
        "date": pl.Series(np.where(rng.random(n) < 0.5, "2024-03-01", "2024年3月1日")),
        "datetime": pl.Series(["2024-05-01 21:30:00"] * n),
        "money_yuan": pl.Series(np.where(rng.random(n) < 0.5, "1,234.50", "6.5万元")),
        "lon": pl.Series(lon.astype(str)),
        "crs": pl.Series(np.where(rng.random(n) < 0.5, "GCJ02", "WGS84")),
    }
    print(f"{'field type':<14}{'values':>12}{'seconds':>10}{'rejected':>10}")
    for name, raw in samples.items():
        started = time.perf_counter()
        parsed = get_field_type(name).parse(raw)
        print(
            f"{name:<14}{n:>12,}{time.perf_counter() - started:>10.2f}{parsed.error.drop_nulls().len():>10}"
        )
    crs = pl.Series(np.where(rng.random(n) < 0.66, "GCJ02", "WGS84"))
    started = time.perf_counter()
    to_wgs84(pl.Series(lon), pl.Series(lat), crs)
    print(f"{'to_wgs84':<14}{n:>12,}{time.perf_counter() - started:>10.2f}")


if __name__ == "__main__":
    main()
