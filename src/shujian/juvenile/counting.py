"""The counting rules of the juvenile statistics, as pure functions over frames of facts (table
tests: tests/juvenile/test_counting.py).

A **fact** is one thing a figure counts: a minor on the register on a day, a visit, a measure
of a conduct record, a warning. It carries the minor (`id_card`), the day it counts on (`day`),
the days over which the minor's place on the register is looked up (`a`..`b`: the day itself,
or the month of a monthly 四访), a `record` (what a figure counting records counts), and the
category and town it counts under.

* **The period**: from `since` to `until`, never after today (a later `until` is read as today);
  by default this year up to today. The **statistics day** (统计日) of a state figure (在册, 包保,
  四访五帮) is the period's last day; in the table by month, each month's last day, or the
  period's last day for its last month. Events count on their own date, inside the period; the
  monthly 四访 of every month the period touches counts whole.
* **Where a fact counts**: a registry row gives its own category and town; any other fact counts
  under the categories and towns of the minor's registry rows on the register at some day of
  `a`..`b` (认定日期 ≤ b, no 退出日期 or one after a, under 18 on b), and under 未在册 when
  there is none (a warning about a minor not on the register, a visit after withdrawal).
* **Counting once**: a figure counts each of its tokens (a minor; a minor and a day; a minor and
  a month; a record) at most once in a row of the table. A minor in two categories counts in
  both rows; **合计 counts them once** — it is the period's count, not the sum of the rows.
  In the table by month, 合计 of a state figure is its value on the period's last day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from shujian.errors import UserError
from shujian.juvenile.figures import COUNTS, Figure
from shujian.juvenile.register import ADULT_AGE, FOUR_VISITS, SCHOOL, Month

UNREGISTERED = "未在册"
"""The row of facts about minors who were not on the register when they happened."""

UNFILLED = "（未填）"
"""The row of registry rows without a town (所属乡镇 is required: only old batches lack it)."""

TOTAL = "合计"

DIMENSIONS = {"category": "类别", "town": "乡镇（街道）", "month": "月份"}

FACTS = {
    "figure": pl.Utf8,
    "id_card": pl.Utf8,
    "day": pl.Date,
    "a": pl.Date,
    "b": pl.Date,
    "record": pl.Utf8,
    "category": pl.Utf8,
    "town": pl.Utf8,
}
"""The columns of a frame of facts."""


@dataclass(frozen=True)
class Period:
    since: dt.date
    until: dt.date
    """The period's last day: the statistics day of its state figures (never after today)."""
    asked_until: dt.date
    """The last day asked for (later than `until` when it was after today)."""

    @property
    def months(self) -> tuple[Month, ...]:
        """Every month the period touches, oldest first."""
        months = [Month.of(self.since)]
        while months[-1].next().first <= self.until:
            months.append(months[-1].next())
        return tuple(months)

    def as_of(self, month: Month) -> dt.date:
        """The statistics day of a month: its last day, or the period's last day if earlier."""
        return min(month.last, self.until)

    @property
    def as_of_days(self) -> tuple[dt.date, ...]:
        return tuple(self.as_of(m) for m in self.months)

    @property
    def label(self) -> str:
        return f"{self.since.isoformat()} 至 {self.until.isoformat()}"


def period(since: dt.date | None, until: dt.date | None, today: dt.date) -> Period:
    """The period asked for (this year up to today by default), refused in Chinese when it
    starts after it ends or after today."""
    asked = until or today
    last = min(asked, today)
    first = since or dt.date(last.year, 1, 1)
    if first > today:
        raise UserError(
            f"起始日期 {first.isoformat()} 晚于今天（{today.isoformat()}）。", code="bad_period"
        )
    if first > last:
        raise UserError(
            f"起始日期 {first.isoformat()} 晚于截止日期 {last.isoformat()}。", code="bad_period"
        )
    return Period(first, last, asked)


# ---- facts ----------------------------------------------------------------------------------


def facts(frame: pl.DataFrame, figure: str) -> pl.DataFrame:
    """A reader's frame (id_card, day; a, b, record, category, town when it has them) as facts
    of `figure`, with the columns of `FACTS` in order."""
    have = set(frame.columns)
    return frame.select(
        pl.lit(figure, pl.Utf8).alias("figure"),
        pl.col("id_card").cast(pl.Utf8),
        pl.col("day").cast(pl.Date),
        (pl.col("a") if "a" in have else pl.col("day")).cast(pl.Date).alias("a"),
        (pl.col("b") if "b" in have else pl.col("day")).cast(pl.Date).alias("b"),
        (pl.col("record") if "record" in have else pl.lit("")).cast(pl.Utf8).alias("record"),
        (pl.col("category") if "category" in have else pl.lit(None))
        .cast(pl.Utf8)
        .alias("category"),
        (pl.col("town") if "town" in have else pl.lit(None)).cast(pl.Utf8).alias("town"),
    )


def no_facts() -> pl.DataFrame:
    return pl.DataFrame(schema=FACTS)


def _day(day: str | dt.date) -> pl.Expr:
    return pl.col(day) if isinstance(day, str) else pl.lit(day, pl.Date)


def age_on(id_card: str, day: str | dt.date) -> pl.Expr:
    """`register.age_on` in polars: 周岁 on `day` (a column, or a date) from the birth date in an
    18-character ID number, reached the day after the birthday; null where the number holds
    none. The register's figures and the sealing of an import (`sealing.columnwise`) use it."""
    number = pl.col(id_card).cast(pl.String)
    digits = number.str.slice(6, 8)
    born = pl.when((number.str.len_chars() == 18) & digits.str.contains(r"^[0-9]{8}$")).then(
        digits.cast(pl.Int64, strict=False)
    )
    on = _day(day)
    day_number = (
        on.dt.year().cast(pl.Int64) * 10000
        + on.dt.month().cast(pl.Int64) * 100
        + on.dt.day().cast(pl.Int64)
    )
    return (day_number - born - 1) // 10000


def under_18(id_card: str, day: str | dt.date) -> pl.Expr:
    """Under 18 on `day` (a column, or a date) by the 周岁 rule (`age_on`); a number without a
    birth date is not a minor's (its age is null)."""
    return (age_on(id_card, day) < ADULT_AGE).fill_null(False)


def on_register_between(a: str | dt.date, b: str | dt.date) -> pl.Expr:
    """A registry row is on the register at some day of a..b: 认定日期 ≤ b, no 退出日期 or one
    after a, under 18 on b (for a = b: `register.on_register`)."""
    return (
        (pl.col("identified_on") <= _day(b))
        & (pl.col("withdrawn_on").is_null() | (pl.col("withdrawn_on") > _day(a)))
        & under_18("id_card", b)
    )


def covering(day: dt.date) -> pl.Expr:
    """An assignment covers `day` (`register.covers`): 开始日期 ≤ day, no 结束日期 or one on
    or after it."""
    return (pl.col("started_on") <= _day(day)) & (
        pl.col("ended_on").is_null() | (pl.col("ended_on") >= _day(day))
    )


def on_register(registry: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    """The registry rows on the register on `day`, with the day (`id_card`, `category`, `town`,
    `day`): the facts of a state figure counted per row."""
    return (
        registry.filter(on_register_between(day, day))
        .select("id_card", "category", "town")
        .with_columns(day=pl.lit(day, pl.Date))
    )


def attribute(found: pl.DataFrame, registry: pl.DataFrame) -> pl.DataFrame:
    """Facts without a category and town, placed under those of the minor's registry rows on the
    register at some day of a..b (认定日期 ≤ b, no 退出日期 or one after a, under 18 on b): one
    fact per such row; a fact with none counts under 未在册 (both dimensions)."""
    numbered = found.drop("category", "town").with_row_index("_fact")
    rows = registry.select("id_card", "category", "town", "identified_on", "withdrawn_on")
    placed = numbered.join(rows, on="id_card", how="inner").filter(on_register_between("a", "b"))
    lone = numbered.join(placed.select("_fact").unique(), on="_fact", how="anti").with_columns(
        category=pl.lit(UNREGISTERED), town=pl.lit(UNREGISTERED)
    )
    placed = placed.with_columns(
        pl.when(pl.col("town").is_null() | (pl.col("town").str.strip_chars() == ""))
        .then(pl.lit(UNFILLED))
        .otherwise(pl.col("town"))
        .alias("town")
    )
    columns = list(FACTS)
    return pl.concat([placed.select(columns), lone.select(columns)])


def done_months(due: pl.DataFrame, visits: pl.DataFrame) -> pl.DataFrame:
    """The due minor-months (`id_card`, `first`: the month's first day, `has_school`) with
    `done`: the month's visits (`id_card`, `visited_on`, `target`: 本人、家庭 …) reached every
    required target — 本人, 家庭, 社区, and 学校 when there is a school (register.py's rule)."""
    seen = (
        visits.with_columns(first=pl.col("visited_on").dt.truncate("1mo"))
        .group_by("id_card", "first")
        .agg(
            pl.col("target").str.contains(t, literal=True).any().alias(f"_saw_{i}")
            for i, t in enumerate(FOUR_VISITS)
        )
    )
    joined = due.join(seen, on=["id_card", "first"], how="left")
    required = [
        pl.col(f"_saw_{i}").fill_null(False)
        | (~pl.col("has_school").fill_null(False) if t == SCHOOL else pl.lit(False))
        for i, t in enumerate(FOUR_VISITS)
    ]
    return joined.with_columns(done=pl.all_horizontal(required)).drop(
        *(f"_saw_{i}" for i in range(len(FOUR_VISITS)))
    )


# ---- the table ------------------------------------------------------------------------------


_DAY_BITS = 20
"""Bits of a token's day (days since 1970 + 2^19, 0 for none): a number packs a minor and a day."""


def _packed(who: pl.Expr, when: pl.Expr) -> pl.Expr:
    """A minor's token as one 128-bit number — its 18-character ID number (17 digits and a check
    character, 0–9 or X) times 2^20, plus its day — exactly one number per token, counted far
    faster than text; None for a number of another shape (counted as text instead)."""
    check = who.str.slice(17, 1)
    number = (
        who.str.slice(0, 17).cast(pl.Int64, strict=False) * 11
        + pl.when(check == "X").then(10).otherwise(check.cast(pl.Int64, strict=False))
    ).cast(pl.Int128)
    day = (when.cast(pl.Int32).cast(pl.Int64) + (1 << (_DAY_BITS - 1))).fill_null(0)
    # 18 bytes, a digit first: then the cast reads 17 digits or gives None (no sign, no space)
    shaped = (who.str.len_bytes() == 18) & who.str.slice(0, 1).is_in(list("0123456789"))
    return pl.when(shaped).then(number * (1 << _DAY_BITS) + day.cast(pl.Int128))


def with_tokens(found: pl.DataFrame, figures: Sequence[Figure]) -> pl.DataFrame:
    """The facts as counted: their figure, category, town and month, and what each counts as by
    its figure's `count` — `_who` (the minor, or the record) and `_when` (the day, the month's
    first day, or none): a minor; a minor and a day; a minor and a month; a record — with a
    minor's token packed in one number (`_packed`; a record's stays text)."""
    ids = {count: [f.id for f in figures if f.count == count] for count in COUNTS}
    figure = pl.col("figure")
    records = figure.is_in(ids["records"])
    tokens = found.select(
        pl.col("figure", "category", "town").cast(pl.Categorical),
        pl.col("day").dt.month_start().alias("month"),
        pl.col("day"),
        pl.when(records).then(pl.col("record")).otherwise(pl.col("id_card")).alias("_who"),
        pl.when(figure.is_in(ids["minor_days"]))
        .then(pl.col("day"))
        .when(figure.is_in(ids["minor_months"]))
        .then(pl.col("day").dt.month_start())
        .otherwise(pl.lit(None, pl.Date))
        .alias("_when"),
        records.alias("_record"),
    )
    return tokens.with_columns(
        _packed=pl.when(~pl.col("_record")).then(_packed(pl.col("_who"), pl.col("_when")))
    ).drop("_record")


def _counts(tokens: pl.DataFrame, keys: Sequence[str]) -> dict[Any, dict[str, int]]:
    """Each figure's distinct tokens per value of `keys` (none: the whole): key → figure → n.
    Packed tokens and text ones are counted apart and added: a token is always one or the other."""
    packed = pl.col("_packed").is_not_null()
    counted = pl.concat(
        [
            tokens.filter(packed)
            .group_by(*keys, "figure")
            .agg(pl.col("_packed").n_unique().alias("n")),
            tokens.filter(~packed)
            .group_by(*keys, "figure")
            .agg(pl.struct("_who", "_when").n_unique().alias("n")),
        ]
    )
    out: dict[Any, dict[str, int]] = {}
    for row in counted.iter_rows():
        key = row[0] if keys else TOTAL
        if isinstance(key, dt.date):
            key = key.strftime("%Y-%m")
        figure = str(row[-2])
        out.setdefault(key, {})[figure] = out.get(key, {}).get(figure, 0) + int(row[-1])
    return out


def _finish(values: Mapping[str, int], figures: Sequence[Figure]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in figures:
        if f.rate:
            top, bottom = (values.get(part, 0) for part in f.rate)
            out[f.id] = round(top / bottom, 4) if bottom else None
        else:
            out[f.id] = values.get(f.id, 0)
    return out


def tables(
    found: pl.DataFrame,
    figures: Sequence[Figure],
    period: Period,
    orders: Mapping[str, Sequence[tuple[str, str]]],
    month_states: Mapping[str, Mapping[str, int]] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The table by each dimension of `orders` (category, town, month → its declared keys and
    labels): one row per key — the declared ones first, every one of them even when nothing
    counts there, then the others found — and the 合计 row (`key` 合计). Each row holds every
    figure of `figures`: counts, and rates (None where the denominator is 0).

    State figures count on the period's last day. By month, each month's count is on its own
    statistics day (`Period.as_of`): read from the facts of that day, or from `month_states`
    (month → state figure → minors), counted apart so that the state of every month need not
    be placed by category and town; 合计 is the period's last day's."""
    counted = [f for f in figures if not f.rate]
    state = [f.id for f in counted if f.as_of]
    tokens = with_tokens(found.filter(pl.col("figure").is_in([f.id for f in counted])), counted)
    is_state = pl.col("figure").cast(pl.Utf8).is_in(state)
    on_last_day = tokens.filter(~is_state | (pl.col("day") == period.until))
    total = _counts(on_last_day, []).get(TOTAL, {})
    out = {}
    for by, order in orders.items():
        if by != "month":
            cells = _counts(on_last_day, [by])
        else:
            cells = _counts(
                tokens.filter(~is_state) if month_states is not None else tokens, ["month"]
            )
            for key, values in (month_states or {}).items():
                cells.setdefault(key, {}).update(values)
        labels = dict(order)
        last = (UNFILLED, UNREGISTERED)
        others = sorted(
            (k for k in cells if k not in labels),
            key=lambda k: (k in last, last.index(k) if k in last else 0, k),
        )
        rows = [
            {"key": key, "label": labels.get(key, key), **_finish(cells.get(key, {}), figures)}
            for key in [*labels, *others]
        ]
        rows.append({"key": TOTAL, "label": TOTAL, **_finish(total, figures)})
        out[by] = rows
    return out


def tally(
    found: pl.DataFrame,
    figures: Sequence[Figure],
    by: str,
    period: Period,
    order: Sequence[tuple[str, str]] = (),
    month_states: Mapping[str, Mapping[str, int]] | None = None,
) -> list[dict[str, Any]]:
    """The table by one dimension (`tables`)."""
    return tables(found, figures, period, {by: order}, month_states)[by]
