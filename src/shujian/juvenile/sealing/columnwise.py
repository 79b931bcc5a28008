"""The sealing rule and the record key over a file's columns: what `rule.decide` and
`records.record_key` give row by row, without a Python object per row.

A million-row export handed its 300,000 rows that the rule may seal to Python one at a time: a
dict per row, the rule, the key's text and its SHA-256 were a quarter of the import. Here:

* whether the person was a minor at the act (`rule.minor_at_act`) is arithmetic on the birth
  date in the ID number, in polars (`counting.age_on`);
* the ground is decided by the rule itself, `rule.decide_for`, once per distinct (outcome,
  minor, sentence): an export has a few hundred;
* the key's text (`records._text` of each key column) is made in polars with Python's own
  whitespace (`str.strip`) and digits (`str.isdigit`), and digested by DuckDB's sha256.

`exact` says when this gives what the row path gives: the columns of the types an import
stores, ASCII ID numbers (Python's `isdigit` takes other digits too), a decision date on every
row, in years of four digits (`date.isoformat`). Any other frame goes through the row path.
tests/juvenile/test_sealing_columnwise.py holds the two equal, row for row.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

import polars as pl

from shujian.data.steps import digesting
from shujian.juvenile.counting import age_on
from shujian.juvenile.register import ADULT_AGE
from shujian.juvenile.sealing.records import KEY_COLUMNS
from shujian.juvenile.sealing.rule import UNKNOWN_ACT_YEARS, decide_for

_TEXT = (pl.String, pl.Null)


def exact(frame: pl.DataFrame) -> bool:
    """Whether `wanted` gives for `frame` what the row path gives (see the module)."""
    schema = frame.schema
    if schema.get("decided_on") != pl.Date or schema.get("act_date") not in (pl.Date, pl.Null):
        return False
    texts = ("id_card", "outcome", "offence", "document_no", "sentence")
    if any(schema.get(c) not in _TEXT for c in texts):
        return False
    if frame.is_empty():
        return True
    decided = frame.get_column("decided_on")
    if decided.null_count():
        return False  # a required column: left to the row path, as anything unforeseen
    years = decided.dt.year()
    ids = frame.get_column("id_card").cast(pl.String)
    return bool(
        years.min() >= 1000  # type: ignore[operator]
        and years.max() <= 9999  # type: ignore[operator]
        and not ids.str.contains(r"[^\x00-\x7F]").any()
    )


def wanted(frame: pl.DataFrame) -> dict[str, tuple[Mapping[str, Any], str]]:
    """The rows the rule seals, by record key: the first row of each key, with its ground (what
    `records._wanted` makes of the same rows). `frame` must be `exact`."""
    minor = frame.select(minor_at_act().alias("minor")).get_column("minor")
    decided = _grounds(frame.get_column("outcome"), minor, frame.get_column("sentence"))
    keyed = frame.with_columns(_ground=decided, _key=record_keys(frame))
    chosen = keyed.filter(pl.col("_ground").is_not_null() & pl.col("_key").is_not_null()).unique(
        "_key", keep="first", maintain_order=True
    )
    keys = chosen.get_column("_key").to_list()
    grounds = chosen.get_column("_ground").to_list()
    rows = chosen.drop("_ground", "_key").to_dicts()
    return dict(zip(keys, zip(rows, grounds, strict=True), strict=True))


# ----------------------------------------------------------------------------- the rule


def minor_at_act() -> pl.Expr:
    """`rule.minor_at_act` of each row: true, false, or null where it is not known."""
    on_act = age_on("id_card", "act_date")
    on_decision = age_on("id_card", "decided_on")
    return (
        pl.when(pl.col("act_date").is_not_null())
        .then((on_act < ADULT_AGE).fill_null(False))
        .when(on_decision.is_null())
        .then(False)
        .when(on_decision < ADULT_AGE)
        .then(True)
        .when(on_decision < ADULT_AGE + UNKNOWN_ACT_YEARS)
        .then(None)
        .otherwise(False)
    )


def _grounds(outcome: pl.Series, minor: pl.Series, sentence: pl.Series) -> pl.Series:
    """Each row's ground (null: not sealed), the rule asked once per distinct triple."""
    facts = pl.DataFrame({"outcome": outcome, "minor": minor, "sentence": sentence})
    triples = facts.unique(maintain_order=True)
    grounds = []
    for o, m, s in triples.iter_rows():
        decision = decide_for(str(o), m, s)
        grounds.append(decision.ground if decision.sealed else None)
    decided = triples.with_columns(_ground=pl.Series(grounds, dtype=pl.String))
    return facts.join(
        decided,
        on=["outcome", "minor", "sentence"],
        how="left",
        nulls_equal=True,
        maintain_order="left",
    ).get_column("_ground")


# ----------------------------------------------------------------------------- the key


SCANNED_PLANES = 0x20000
"""The code points searched for Python's whitespace and digits: Unicode's planes 0 and 1, where
every one of them is (the last digit is U+1FBF9; the whole range took 0.11 s to scan, these
two planes 0.015 s, in every process that seals). tests/juvenile/test_sealing_columnwise.py
scans the whole range and compares, so a Python with a newer Unicode that adds one beyond fails
there."""


@functools.cache
def _python_whitespace() -> str:
    """What `str.strip()` strips: Python's whitespace (the ASCII separators \\x1c–\\x1f too)."""
    return "".join(filter(str.isspace, map(chr, range(SCANNED_PLANES))))


@functools.cache
def _python_digits() -> str:
    """Every character `str.isdigit` takes: superscripts, full-width and other digits too."""
    return "".join(filter(str.isdigit, map(chr, range(SCANNED_PLANES))))


@functools.cache
def _four_digits() -> str:
    """A pattern of four characters `str.isdigit` takes."""
    return f"^[{re.escape(_python_digits())}]{{4}}$"


def _key_text(name: str, dtype: Any) -> pl.Expr:
    """`records._text` of a column: a date as ISO text; text stripped, and cut to its first ten
    characters where it begins like a date (2024-03-01 08:00)."""
    column = pl.col(name)
    if dtype == pl.Date:
        return column.dt.strftime("%Y-%m-%d").fill_null("")
    if dtype == pl.Null:
        return pl.lit("", dtype=pl.String)
    text = column.str.strip_chars(_python_whitespace())
    looks_like_date = (
        (text.str.len_chars() >= 10)
        & (text.str.slice(4, 1) == "-")
        & (text.str.slice(7, 1) == "-")
        & text.str.slice(0, 4).str.contains(_four_digits())
    )
    return pl.when(looks_like_date).then(text.str.slice(0, 10)).otherwise(text).fill_null("")


def record_keys(frame: pl.DataFrame) -> pl.Series:
    """`records.record_key` of each row (null where the row lacks the ID number, the decision
    date or the outcome)."""
    schema = frame.schema
    text = pl.concat_str(
        [_key_text(c, schema.get(c, pl.Null)) for c in KEY_COLUMNS], separator="\x1f"
    )
    present = (
        pl.col("id_card").is_not_null()
        & (pl.col("id_card") != "")
        & pl.col("decided_on").is_not_null()
        & pl.col("outcome").is_not_null()
        & (pl.col("outcome") != "")
    )
    texts = frame.select(pl.when(present).then(text).alias("t"), pl.int_range(pl.len()).alias("i"))
    con = digesting()
    con.register("texts", texts)
    try:
        keyed = con.sql("SELECT substr(sha256(t), 1, 32) AS k FROM texts ORDER BY i").pl()
    finally:
        con.unregister("texts")  # the connection is the thread's, kept for the next file
    return keyed.get_column("k").alias("_key")
