"""首页 figures for one user: what is in their scope, as the statistics and deadline lists count it.

- the funnel 线索 → 已研判 → 成案 → 检察建议 → 回复 → 整改到位 (totals of `stats.statistics`;
  hits of review models are 待核对 items, not 线索, as on 统计);
- leads and 成案 per model;
- the monthly trend of leads, 成案 and recommendations;
- the cases of the other kinds (支持起诉, 国家司法救助), by their own declared counts;
- deadlines due within seven days, and those overdue (`deadlines.due_soon`, `deadlines.overdue`).

No SQL here: the figures are the statistics' and the deadlines' own, so the page, `shujian stats`
and `shujian cases due` always agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from shujian.calendar import HolidayCalendar
from shujian.cases import deadlines, stats
from shujian.cases.workflow import DEFAULT_CASE_KIND, case_kinds
from shujian.leads.queue import review_models
from shujian.models.spec import ModelSpec
from shujian.users.access import can
from shujian.users.user import User

FUNNEL = (
    ("leads", "线索"),
    ("triaged", "已研判"),
    ("accepted", "成案"),
    ("recommendations", "检察建议"),
    ("replies", "回复"),
    ("rectified", "整改到位"),
)

WEEK = 7


@dataclass(frozen=True)
class Dashboard:
    funnel: tuple[tuple[str, int], ...]
    by_model: tuple[tuple[str, int, int], ...]
    """(model name, leads, 成案), most leads first."""
    by_month: tuple[tuple[str, int, int, int], ...]
    """(YYYY-MM, leads, 成案, recommendations), in order."""
    due: tuple[dict[str, Any], ...]
    overdue: tuple[dict[str, Any], ...]
    other_kinds: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = ()
    """Cases of the other kinds (支持起诉, 国家司法救助 …), whose steps the funnel (a lead's way
    to a 检察建议 and its rectification) does not follow, and which may begin without a lead (an
    application, a 控申 referral): (kind, its declared counts), for the kinds with any."""


def dashboard(
    store: Engine,
    user: User,
    today: dt.date,
    library: Mapping[str, ModelSpec],
    home: Mapping[str, str],
    calendar: HolidayCalendar,
) -> Dashboard | None:
    """The user's figures, or None for a user who may not see case data (系统管理员)."""
    if not can(user, "view_stats"):
        return None
    figures = stats.tables(
        store,
        ("model", "month", "kind"),
        home=home,
        review_models=review_models(library),
        user=user,
    )
    *models, totals = figures["model"]
    months = figures["month"][:-1]
    return Dashboard(
        funnel=tuple((label, int(totals.get(key) or 0)) for key, label in FUNNEL),
        by_model=tuple(
            sorted(
                (
                    (_name(library, r["key"]), int(r["leads"]), int(r["accepted"]))
                    for r in models
                    if r["leads"] or r["accepted"]
                ),
                key=lambda t: (-t[1], t[0]),
            )
        ),
        by_month=_every_month(
            {
                r["key"]: (int(r["leads"]), int(r["accepted"]), int(r.get("recommendations") or 0))
                for r in months
            }
        ),
        due=tuple(deadlines.due_soon(store, today, WEEK, calendar=calendar, user=user)),
        overdue=tuple(deadlines.overdue(store, today, calendar=calendar, user=user)),
        other_kinds=_other_kinds(figures["kind"][:-1]),
    )


def _other_kinds(rows: list[dict[str, Any]]) -> tuple[tuple[str, tuple[tuple[str, int], ...]], ...]:
    """Each kind other than 检察建议 with cases in scope, and the counts its workflow declares
    (rates and sums left out: the 统计 page has them)."""
    by_label = {r["key"]: r for r in rows}
    out = []
    for kind, label in case_kinds().items():
        row = by_label.get(label)
        if kind == DEFAULT_CASE_KIND or row is None:
            continue
        counts = tuple(
            (label, int(row.get(key) or 0)) for key, label in stats.declared_counts(kind)
        )
        if any(n for _, n in counts):
            out.append((label, counts))
    return tuple(out)


def _name(library: Mapping[str, ModelSpec], model_id: str) -> str:
    return library[model_id].name if model_id in library else model_id


def _every_month(
    figures: Mapping[str, tuple[int, int, int]],
) -> tuple[tuple[str, int, int, int], ...]:
    """Every month from the first to the last with figures, a quiet month as zeros (a trend
    that skipped it would join October to December)."""
    if not figures:
        return ()
    first, last = min(figures), max(figures)
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        key = f"{year:04d}-{month:02d}"
        out.append((key, *figures.get(key, (0, 0, 0))))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(out)
