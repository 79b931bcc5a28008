"""Free text: names, addresses, categories.

Agencies type the same name in different ways: full-width letters, traditional characters
(common in systems fed from Hong Kong or Taiwan input methods), doubled or ideographic
spaces. Matching across datasets only works on one spelling, so every text cell is brought
to the same form; the importer keeps the original beside it.
"""

from __future__ import annotations

from functools import cache
from typing import ClassVar

import polars as pl
from opencc import OpenCC

from shujian.data.fields.base import (
    ZERO_WIDTH_PATTERN,
    FieldType,
    Parsed,
    nfkc,
    nulls,
    via_distinct,
)

# Characters that OpenCC's t2s changes only inside a phrase (深沈 → 深沉, 答覆 → 答复,
# 藉口 → 借口), never on their own. Found by dumping TSPhrases.ocd2 with the `opencc_dict`
# tool shipped in the wheel; tests/data/fields/test_field_text.py re-checks this list against it.
PHRASE_ONLY_TRIGGERS = "哩坏沈甦瞭藉衹覆"

_CJK_BLOCKS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0x20000, 0x2A6DF), (0x2A700, 0x2EBEF))


@cache
def _t2s() -> OpenCC:
    return OpenCC("t2s")


@cache
def _traditional_pattern() -> str:
    """A regex class of every character that t2s may change.

    Built once by asking OpenCC itself to convert each CJK ideograph (one call, ~40 ms),
    so it follows whatever dictionary the installed OpenCC carries.
    """
    chars = [chr(c) for lo, hi in _CJK_BLOCKS for c in range(lo, hi + 1)]
    converted = _t2s().convert("\n".join(chars)).split("\n")
    changed = {a for a, b in zip(chars, converted, strict=True) if a != b}
    changed.update(PHRASE_ONLY_TRIGGERS)
    return "[" + "".join(sorted(changed)) + "]"


def to_simplified(series: pl.Series) -> pl.Series:
    """Traditional → simplified Chinese with OpenCC, called once per column.

    OpenCC has no vectorised API and converts about 2 million characters a second, so only
    the distinct values holding a character it would change are converted: joined with
    newlines, in one call, then mapped back. Values must not contain newlines
    (`normalise_text` collapses them first).
    """
    todo = series.filter(series.str.contains(_traditional_pattern()).fill_null(False)).unique()
    if todo.len() == 0:
        return series
    before = todo.to_list()
    after = _t2s().convert("\n".join(before)).split("\n")
    if len(after) != len(before):  # defensive: never let values slip out of line
        after = [_t2s().convert(v) for v in before]
    return series.replace(before, after)


# A cell already in canonical form: ASCII or CJK ideographs (both NFKC-stable), single
# spaces, no leading or trailing space. Most cells are; only the others are cleaned.
_CANONICAL = r"^[\x21-\x7e\u3400-\u4dbf\u4e00-\u9fff]+(?: [\x21-\x7e\u3400-\u4dbf\u4e00-\u9fff]+)*$"


def _clean(series: pl.Series) -> pl.Series:
    v = pl.col("v")
    v = v.str.replace_all(ZERO_WIDTH_PATTERN, "").str.replace_all(r"\s+", " ").str.strip_chars()
    return nfkc(series).to_frame("v").select(pl.when(v != "").then(v)).to_series()


def normalise_text(series: pl.Series) -> pl.Series:
    """The one canonical spelling of a text column.

    NFKC (full-width → half-width, compatibility forms), zero-width characters dropped,
    runs of any whitespace (tabs, newlines, the ideographic space U+3000) collapsed to one
    space, trimmed, then traditional → simplified. Empty results become null.

    Two regex scans over the column, run in parallel, find the cells that need any work;
    the rest pass through untouched, which keeps a million rows well under a second.
    """
    out = series.cast(pl.Utf8).clone()
    flags = (
        out.to_frame("v")
        .lazy()
        .select(
            dirty=~pl.col("v").str.contains(_CANONICAL).fill_null(True),
            traditional=pl.col("v").str.contains(_traditional_pattern()).fill_null(False),
        )
        .collect(engine="streaming")
    )
    dirty = flags["dirty"].arg_true()
    if dirty.len():
        out.scatter(dirty, _clean(out.gather(dirty)))
    todo = (flags["dirty"] | flags["traditional"]).arg_true()
    if todo.len():
        out.scatter(todo, to_simplified(out.gather(todo)))
    return out.alias(series.name)


TEXT_DISTINCT_SHARE = 0.05
"""Normalising a plain cell costs about 0.1 µs, so the distinct values are parsed apart only
when they are few: a benefit file's categories (4 in 500,000 cells: 0.053 → 0.029 s) and names
(13,744: 0.050 → 0.037 s), not a hotel file's guests (92,933: 0.043 s directly, 0.125 s apart)."""


class TextField(FieldType):
    """Any text. Never rejects: what the text means is checked by vocabularies elsewhere."""

    name: ClassVar[str] = "text"
    label: ClassVar[str] = "文本"
    dtype: ClassVar[pl.DataType] = pl.Utf8()

    def prepare(self) -> None:
        _traditional_pattern()

    def parse(self, raw: pl.Series) -> Parsed:
        """Normalise every cell, each distinct text once where texts repeat (a category, a
        town); the error column is all null."""
        return via_distinct(raw, self._parse, share=TEXT_DISTINCT_SHARE)

    def _parse(self, raw: pl.Series) -> Parsed:
        value = normalise_text(raw).alias(raw.name)
        return Parsed(value=value, error=nulls(len(raw), pl.Utf8).alias(raw.name))
