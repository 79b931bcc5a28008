"""The contract every field type meets.

A field type turns one column of raw text, exactly as it came out of the agency's file, into
normalised values plus a parallel column of rejection reasons. It works on whole columns
(polars expressions), never row by row: an import of a million rows must not loop in Python.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, cast

import numpy as np
import polars as pl


@dataclass(frozen=True)
class Parsed:
    """Result of parsing one column.

    Attributes:
        value: normalised values, same length as the input; null where the input was empty
            or invalid.
        error: a Utf8 column of the same length: null where the value is acceptable (or the
            input was empty), otherwise the reason in Chinese, for the rejection report.
    """

    value: pl.Series
    error: pl.Series


class FieldType:
    """Base class of a field type. Subclasses set the class attributes and `parse`."""

    name: ClassVar[str]
    """Identifier used in dataset declarations (`id_card`, `uscc`, `date`, ...)."""
    label: ClassVar[str]
    """Chinese name shown to users."""
    dtype: ClassVar[pl.DataType]
    """Polars dtype of `Parsed.value`."""

    def parse(self, raw: pl.Series) -> Parsed:
        """Parse a Utf8 column (null = empty cell). Empty input gives null value, null error."""
        raise NotImplementedError

    def prepare(self) -> None:
        """Build the tables `parse` looks values up in, ahead of the first call.

        The importer calls this while the agency's file is still being read, so that a
        one-off cost (a region-code table, a regex of traditional characters) falls on an
        otherwise idle core instead of on the parse itself.
        """


def blank_to_null(raw: pl.Series) -> pl.Series:
    """Cells holding only whitespace count as empty."""
    return raw.cast(pl.Utf8).str.strip_chars().replace("", None)


# --- small shared helpers for the field types -------------------------------------------------

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
"""Zero-width characters and the BOM that copy-paste from web pages and Word leaves behind."""
ZERO_WIDTH_PATTERN = f"[{ZERO_WIDTH}]"

EXCEL_NUMBER_PATTERN = r"^[+-]?[0-9]+(?:\.[0-9]*)?[eE][+-]?[0-9]+$|^[0-9]+\.[0-9]+$"
"""A code that Excel (or pandas) turned into a number: scientific notation or a decimal part."""

_NFKC_UNCHANGED = r"^[\x00-\x7f\u3400-\u4dbf\u4e00-\u9fff]*$"
"""ASCII and the CJK ideograph blocks have no compatibility decomposition."""


def nfkc(series: pl.Series) -> pl.Series:
    """Unicode NFKC: full-width digits/letters/punctuation → ASCII, ideographic space → space.

    NFKC is the most expensive step of parsing a column, and most cells are plain ASCII or
    plain Chinese, which it leaves unchanged; so only the other cells are normalised.
    """
    series = series.cast(pl.Utf8)
    needs = ~series.str.contains(_NFKC_UNCHANGED).fill_null(True)
    if not needs.any():
        return series
    idx = needs.arg_true()
    return series.scatter(idx, series.gather(idx).str.normalize("NFKC"))


def compact_code(series: pl.Series) -> pl.Series:
    """Normalise an identifier typed by hand or exported from Excel.

    Full-width digits and letters become ASCII (NFKC), every space disappears (people type
    IDs in groups of digits), Excel's text markers go (a leading apostrophe, or the
    ``="…"`` formula CSV exporters use to keep leading zeros), and letters become upper case.
    """
    return (
        nfkc(series)
        .to_frame("v")
        .select(
            pl.col("v")
            .str.replace_all(r"\s+", "")
            .str.replace_all(ZERO_WIDTH_PATTERN, "")
            .str.replace(r'^="(.*)"$', "$1")
            .str.strip_chars("'\"`")
            .str.to_uppercase()
        )
        .to_series()
        .alias(series.name)
    )


def nulls(n: int, dtype: pl.DataType | type[pl.DataType]) -> pl.Series:
    """An all-null column of length `n` (named `literal`), to be filled with `scatter`.

    One null repeated by index: `pl.repeat(…, eager=True)` builds and runs a query for it
    (0.13 ms against 0.007 ms), and an import calls this some forty times per file.
    """
    if n == 0:
        return pl.Series("literal", [], dtype=dtype)
    return pl.Series("literal", [None], dtype=dtype).new_from_index(0, n)


def first_reason(*rules: tuple[pl.Expr, str | pl.Expr]) -> pl.Expr:
    """The reason of the first rule whose condition holds, else null.

    Rules are listed from the most to the least fundamental, so a row gets the one reason
    that explains it best (a truncated number, not also a wrong check digit).
    """
    expr = pl.lit(None, dtype=pl.Utf8)
    for cond, reason in reversed(rules):
        expr = pl.when(cond).then(_as_expr(reason)).otherwise(expr)
    return expr


def _as_expr(reason: str | pl.Expr) -> pl.Expr:
    return pl.lit(reason, dtype=pl.Utf8) if isinstance(reason, str) else reason


def via_distinct(
    raw: pl.Series, parse: Callable[[pl.Series], Parsed], share: float = 0.5
) -> Parsed:
    """Parse each distinct value once when a column repeats itself: when its distinct values
    are at most `share` of its cells.

    Dates, categories, coordinate systems and amounts repeat heavily in a million-row
    import; parsing the distinct values and joining back is then much cheaper than
    parsing every row. Mostly-unique columns are parsed directly, since there the join
    would cost more than it saves; a type that is cheap per cell asks for a smaller `share`.
    """
    raw = raw.cast(pl.Utf8)
    approx_distinct = cast(int, raw.approx_n_unique())  # HyperLogLog: ~20 ms per million
    if approx_distinct > raw.len() * share:
        return parse(raw)
    distinct = raw.unique()
    parsed = parse(distinct)
    table = pl.DataFrame({"k": distinct, "value": parsed.value, "error": parsed.error})
    back = raw.to_frame("k").join(table, on="k", how="left", maintain_order="left")
    return Parsed(value=back["value"].alias(raw.name), error=back["error"].alias(raw.name))


def byte_matrix(codes: pl.Series, width: int) -> np.ndarray:
    """UTF-8 bytes of fixed-width codes as an (n, width) uint8 matrix.

    Check digits are weighted sums over positions; on a matrix they are one vectorised
    product instead of `width` string slices per row. Every value must be exactly `width`
    bytes long (the caller filters first, e.g. on ``str.len_bytes()``).
    """
    if codes.len() == 0:
        return np.zeros((0, width), dtype=np.uint8)
    joined = codes.str.join("").item().encode("utf-8")
    if len(joined) != codes.len() * width:
        raise ValueError(f"byte_matrix: not every value is {width} bytes long")
    return np.frombuffer(joined, dtype=np.uint8).reshape(-1, width)
