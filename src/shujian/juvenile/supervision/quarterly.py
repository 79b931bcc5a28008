"""一季一督导: a quarter's figures per town (乡镇（街道）) and per helping unit (包保单位).

For each town and unit: the minors (on the register on the quarter's last day, or today while the
quarter lasts) and those assigned; the quarter's visits — minor-months due and done in its months
that have ended (`facts.month_units`, the register's rule), the done rate, the minors with a
month missing; the 督办 items opened, closed and overdue in the quarter (an item is overdue in
the quarter of its deadline: `rules.overdue_in`); the unannounced checks made in the quarter and
those that found the visits not made.

A minor-month and an item count for the minor's town; for the unit whose assignment covers the
month's last day (an item: its responsible unit; a check: the units assigned when it was drawn).
A row is each town or unit that has anything to count; totals count each minor (or minor-month)
once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shujian import audit
from shujian.errors import UserError
from shujian.juvenile.register import Month
from shujian.juvenile.service import Register
from shujian.juvenile.supervision import workbook
from shujian.juvenile.supervision.access import check_view
from shujian.juvenile.supervision.facts import assigned_on, month_units
from shujian.juvenile.supervision.items import all_items
from shujian.juvenile.supervision.rules import Quarter, done_rate, ended_months, overdue_in
from shujian.juvenile.supervision.spot_checks import all_checks
from shujian.users.access import require
from shujian.users.user import User

NO_TOWN = "（未填乡镇）"
NO_UNIT = "（未落实包保）"


@dataclass
class Figures:
    """One row of the review (a town, a unit, or the total)."""

    name: str
    minors: set[str] = field(default_factory=set)
    assigned: set[str] = field(default_factory=set)
    due: set[tuple[str, dt.date]] = field(default_factory=set)
    done: set[tuple[str, dt.date]] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)
    opened: set[int] = field(default_factory=set)
    closed: set[int] = field(default_factory=set)
    overdue: set[int] = field(default_factory=set)
    checks: set[int] = field(default_factory=set)
    not_visited: set[int] = field(default_factory=set)

    @property
    def rate(self) -> str:
        return done_rate(len(self.due), len(self.done))

    def cells(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "minors": len(self.minors),
            "assigned": len(self.assigned),
            "due": len(self.due),
            "done": len(self.done),
            "rate": self.rate,
            "missing": len(self.missing),
            "opened": len(self.opened),
            "closed": len(self.closed),
            "overdue": len(self.overdue),
            "checks": len(self.checks),
            "not_visited": len(self.not_visited),
        }


@dataclass
class Review:
    quarter: Quarter
    day: dt.date
    """The day the minors are counted on (the quarter's last day, or today while it lasts)."""
    months: tuple[Month, ...]
    """The quarter's months whose visits are counted (those ended by today)."""
    towns: list[dict[str, Any]]
    units: list[dict[str, Any]]
    total: dict[str, Any]

    @property
    def pending(self) -> tuple[Month, ...]:
        return tuple(m for m in self.quarter.months if m not in self.months)


class _Table:
    def __init__(self) -> None:
        self.rows: dict[str, Figures] = {}

    def __getitem__(self, name: str) -> Figures:
        if name not in self.rows:
            self.rows[name] = Figures(name)
        return self.rows[name]

    def sorted(self, last: Iterable[str]) -> list[dict[str, Any]]:
        tail = set(last)
        order = sorted(self.rows, key=lambda n: (n in tail, n))
        return [self.rows[n].cells() for n in order]


def review(register: Register, user: User, quarter: Quarter, today: dt.date) -> Review:
    """The quarter's figures; the view is audited (figures only: no minor is named)."""
    out = _compute(register, user, quarter, today)
    audit.record_view(
        register.store,
        user.name,
        "stats",
        None,
        {"quarterly_review": quarter.code, "towns": len(out.towns), "units": len(out.units)},
    )
    return out


def _compute(register: Register, user: User, quarter: Quarter, today: dt.date) -> Review:
    check_view(user, register.juvenile_department)
    if quarter.first > today:
        raise UserError(
            f"{quarter.label}尚未开始（{quarter.first.isoformat()} 起）。",
            code="quarter_not_started",
        )
    day = min(quarter.last, today)
    months = ended_months(quarter, today)
    towns, units, total = _Table(), _Table(), Figures("合计")

    people = assigned_on(register, day)
    for r in people.iter_rows(named=True):
        town = towns[r["town"] or NO_TOWN]
        for row in (town, total):
            row.minors.add(r["id_card"])
        if r["unit"] is not None:
            town.assigned.add(r["id_card"])
            total.assigned.add(r["id_card"])
            units[r["unit"]].minors.add(r["id_card"])
            units[r["unit"]].assigned.add(r["id_card"])

    if months:
        visits = month_units(register, list(months))
        for r in visits.iter_rows(named=True):
            key = (r["id_card"], r["first"])
            rows = [towns[r["town"] or NO_TOWN], total, units[r["unit"] or NO_UNIT]]
            for row in rows:
                row.due.add(key)
                if r["missing"]:
                    row.missing.add(r["id_card"])
                else:
                    row.done.add(key)

    for item in all_items(register):
        rows = [towns[item["town"] or NO_TOWN], units[item["unit"]], total]
        opened = quarter.first <= item["opened_on"] <= quarter.last
        closed = (
            item["closed_on"] is not None and quarter.first <= item["closed_on"] <= quarter.last
        )
        late = overdue_in(item["deadline"], item["closed_on"], quarter.first, quarter.last, today)
        for row in rows:
            if opened:
                row.opened.add(item["id"])
            if closed:
                row.closed.add(item["id"])
            if late:
                row.overdue.add(item["id"])

    for check in all_checks(register):
        result = check["result"]
        if result is None or not quarter.first <= result["checked_on"] <= quarter.last:
            continue
        rows = [towns[check["town"] or NO_TOWN], total, *(units[u] for u in check["units"])]
        for row in rows:
            row.checks.add(check["id"])
            if result["result"] == "not_visited":
                row.not_visited.add(check["id"])

    return Review(
        quarter,
        day,
        months,
        towns.sorted([NO_TOWN]),
        units.sorted([NO_UNIT]),
        total.cells(),
    )


TOWN_HEADERS = (
    "乡镇（街道）",
    "在册人数",
    "落实包保人数",
    "应走访人次",
    "已落实人次",
    "落实率",
    "未落实人数",
    "督办新增",
    "督办办结",
    "督办逾期",
    "暗访核查",
    "走访不实",
)
UNIT_HEADERS = ("包保单位", "包保人数", *TOWN_HEADERS[3:])
TOWN_KEYS = (
    "name",
    "minors",
    "assigned",
    "due",
    "done",
    "rate",
    "missing",
    "opened",
    "closed",
    "overdue",
    "checks",
    "not_visited",
)
UNIT_KEYS = ("name", "minors", *TOWN_KEYS[3:])


def explain(r: Review) -> list[str]:
    """What the figures cover, in the sheet's and the page's words."""
    counted = "、".join(m.label for m in r.months) or "无"
    lines = [
        f"人数按 {r.day.isoformat()} 计；走访按已结束的月份计：{counted}。",
        "应走访人次：应当每月“四访”的未成年人，每人每月计一次；未落实人数：有一个月尚有对象未走访的人数。",
        "督办逾期：期限在本季度内、到期未办结（或期限后才办结）的督办事项。走访不实：暗访核查发现未走访的。",
    ]
    if r.pending:
        lines.insert(1, f"{'、'.join(m.label for m in r.pending)} 尚未结束，其走访不计入。")
    return lines


def write_xlsx(
    register: Register, user: User, quarter: Quarter, today: dt.date, path: Path
) -> tuple[Review, Path]:
    """The review as .xlsx (two sheets: by town, by unit); audited as an export."""
    out = _compute(register, user, quarter, today)
    require(user, "export")
    title = f"一季一督导：{quarter.label}重点未成年人帮扶工作情况"
    lines = [register.ws.region.procuratorate_name, *explain(out)]
    towns = [[r[k] for k in TOWN_KEYS] for r in [*out.towns, out.total]]
    units = [[r[k] for k in UNIT_KEYS] for r in out.units]
    workbook.write(
        path,
        [
            workbook.Sheet("按乡镇（街道）", title, TOWN_HEADERS, towns, lines, widths={0: 16}),
            workbook.Sheet("按包保单位", title, UNIT_HEADERS, units, lines, widths={0: 22}),
        ],
    )
    audit.record_view(
        register.store,
        user.name,
        "stats",
        None,
        {"quarterly_review": quarter.code, "file": str(path)},
        action="export",
    )
    return out, path
