"""What the monthly prompt and the quarterly review count, read once from the register.

A month's visits are the register's: each minor due a visit that month (`Register.judged`, the
rule of the due and late lists and of `juvenile.visit_missing`) with the targets still missing.
A minor-month belongs to the unit (包保单位) whose assignment covers the month's **last day** —
the unit in charge when the month closed, which is the one a month's missing visit is put to.
A minor with no assignment covering that day belongs to no unit (their month is counted for the
town, and listed apart as 未落实包保); a minor assigned to two units that day is in both units'
lists, and counted once in the totals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from shujian.juvenile.register import Month
from shujian.juvenile.service import Register

MONTH_COLUMNS = (
    "id_card",
    "first",
    "last",
    "name",
    "town",
    "village",
    "has_school",
    "missing",
)


def _covers(day: pl.Expr) -> pl.Expr:
    """An assignment covers `day` (register.covers)."""
    return (pl.col("started_on") <= day) & (
        pl.col("ended_on").is_null() | (pl.col("ended_on") >= day)
    )


def month_units(register: Register, months: Sequence[Month]) -> pl.DataFrame:
    """One row per due minor-month and unit (`unit` null: no assignment covered the month's last
    day), with `responsible` (the unit's persons for the minor, joined by 、) and `missing`."""
    judged = register.judged(months).select(MONTH_COLUMNS)
    assignments = register.assignment_rows().select(
        "id_card", "unit", "responsible", "started_on", "ended_on"
    )
    matched = (
        judged.join(assignments, on="id_card", how="inner")
        .filter(_covers(pl.col("last")))
        .group_by([*MONTH_COLUMNS, "unit"])
        .agg(pl.col("responsible").unique().sort().str.join("、"))
    )
    alone = judged.join(
        matched.select("id_card", "first").unique(), on=["id_card", "first"], how="anti"
    )
    alone = alone.with_columns(
        pl.lit(None, dtype=pl.String).alias("unit"),
        pl.lit(None, dtype=pl.String).alias("responsible"),
    )
    return pl.concat([matched, alone], how="diagonal_relaxed").sort(
        "first", "unit", "town", "village", "name", "id_card", nulls_last=True
    )


def assigned_on(register: Register, day: dt.date) -> pl.DataFrame:
    """The minors on the register on `day` with their town and the units whose assignment covers
    `day` (one row per minor and unit; `unit` null for a minor with none)."""
    _, minors = register.active_on(day)
    units = (
        register.assignment_rows().filter(_covers(pl.lit(day))).select("id_card", "unit").unique()
    )
    return minors.select("id_card", "name", "town", "village").join(units, on="id_card", how="left")
