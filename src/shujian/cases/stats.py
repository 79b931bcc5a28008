"""统计: leads, triage, cases, recommendations, replies, rectification and outcomes, grouped by
model, department, prosecutor or month.

Each figure is counted from the event that makes it true, on that event's date: a lead in the
month it was found, a 成案/不成案 in the month it was decided, a recommendation in the month it was
issued, a reply in the month it came (on time when on or before its deadline's last day), an
outcome on the date recorded. Which case step counts as which figure (立案, 制发检察建议, 按期回复,
整改到位, 提起公益诉讼 …) is declared by each case kind's workflow (`statistics:` in
`workflows/<kind>.yaml`), not here: this module only adds them up. So a month's row says what
happened in that month, and a period filter (`since`, `until`) applies to every figure the same
way. A case counts for every model
that found one of its leads; a lead counts for the department and prosecutor of its case, else
of its dispatch (分派), else of its model's home department (`leads.queue.home_department`),
else 未分派. A user sees the figures of what is in their scope (`users.access.visible`), as each
figure is attributed: a department head their department's, a prosecutor their department's
leads and their own cases.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlalchemy import Engine, select

from shujian.cases.categories import declarations
from shujian.cases.policy import figures_of_step
from shujian.cases.store import case_events, case_leads, case_outcomes, cases
from shujian.cases.workflow import case_kinds, load_workflow
from shujian.errors import UserError
from shujian.leads.store import lead_dispatches, lead_events, leads
from shujian.users.access import CaseRef, LeadRef, require, scope_of, visible
from shujian.users.user import User

DIMENSIONS = {"model": "模型", "department": "部门", "prosecutor": "检察官", "month": "月份"}
UNDISPATCHED = "未分派"

LEAD_COUNTS = (
    ("leads", "线索数"),
    ("triaged", "已研判"),
    ("accepted", "成案"),
    ("dismissed", "不成案"),
    ("acceptance_rate", "成案率"),
    ("review_items", "待核对"),
)
"""Figures of leads and their triage, the same for every kind of case. Hits of review models
(待核对 items, `kind: review`) are not leads: they are counted apart, in `review_items`, until a
prosecutor takes one into a case (then its case counts like any other)."""


def case_counts() -> list[tuple[str, str]]:
    """(key, Chinese header) of the case figures each case kind's workflow declares (its
    `statistics:`), in declared order, kinds in turn; a figure two kinds share is one column."""
    out: dict[str, str] = {}
    for kind in case_kinds():
        for fig in load_workflow(kind).statistics:
            if out.setdefault(fig.id, fig.label) != fig.label:
                raise ValueError(f"statistic {fig.id}: two kinds give it different labels")
    return list(out.items())


@dataclass(frozen=True)
class Fact:
    metric: str
    on: dt.date
    models: tuple[str, ...]
    department: str
    prosecutor: str
    value: Decimal | int = 1
    ref: LeadRef | CaseRef | None = None
    """What the figure is of, where it is attributed (for the user's scope)."""


def columns() -> list[tuple[str, str]]:
    """(key, Chinese header) of every figure, outcome kinds included."""
    out = [*LEAD_COUNTS, *case_counts()]
    for o in declarations().outcomes.values():
        if o.money:
            out.append((f"amount:{o.id}", f"{o.label}（元）"))
        if o.people:
            out.append((f"people:{o.id}", f"{o.label}（人）"))
        if o.count:
            out.append((f"count:{o.id}", o.label))
        if not (o.money or o.people or o.count):
            out.append((f"entries:{o.id}", o.label))
    return out


def _day(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _facts(
    store: Engine, home: Mapping[str, str], review_models: Collection[str] = ()
) -> Iterable[Fact]:
    with store.connect() as conn:
        case_rows = {r.id: r for r in conn.execute(select(cases))}
        lead_case = dict(conn.execute(select(case_leads.c.lead_id, case_leads.c.case_id)).all())
        dispatched = {
            r.lead_id: (r.department, r.prosecutor) for r in conn.execute(select(lead_dispatches))
        }
        lead_rows = conn.execute(
            select(leads.c.id, leads.c.model_id, leads.c.status, leads.c.created_at)
        ).all()
        decided: dict[int, dt.date] = {}
        for decision in conn.execute(
            select(lead_events.c.lead_id, lead_events.c.at)
            .where(lead_events.c.kind.in_(("accepted", "dismissed")))
            .order_by(lead_events.c.id)
        ):
            decided[decision.lead_id] = _day(decision.at)
        counted = sorted(
            {a for k in case_kinds() for f in load_workflow(k).statistics for a in f.actions}
        )
        events = conn.execute(
            select(
                case_events.c.case_id,
                case_events.c.action,
                case_events.c.on_date,
                case_events.c.fields,
            )
            .where(case_events.c.action.in_(counted))
            .order_by(case_events.c.id)
        ).all()
        outcomes = [dict(r._mapping) for r in conn.execute(select(case_outcomes))]

    case_models: dict[int, set[str]] = defaultdict(set)
    for lead in lead_rows:
        if lead.id in lead_case:
            case_models[lead_case[lead.id]].add(lead.model_id)

    def owner_of_case(case_id: int) -> tuple[str, str]:
        c = case_rows[case_id]
        return c.department, c.prosecutor

    for lead in lead_rows:
        if lead.id in lead_case:
            dept, pros = owner_of_case(lead_case[lead.id])
            ref = LeadRef(lead.id, dept, pros)
        elif lead.id in dispatched:
            dept, pros = dispatched[lead.id]
            ref = LeadRef(lead.id, dept, pros)
        else:
            dept, pros = home.get(lead.model_id, UNDISPATCHED), UNDISPATCHED
            ref = LeadRef(lead.id, home=home.get(lead.model_id))
        models = (lead.model_id,)
        if lead.model_id in review_models:
            yield Fact("review_items", _day(lead.created_at), models, dept, pros, ref=ref)
            continue
        yield Fact("leads", _day(lead.created_at), models, dept, pros, ref=ref)
        if lead.status in ("accepted", "dismissed") and lead.id in decided:
            yield Fact("triaged", decided[lead.id], models, dept, pros, ref=ref)
            yield Fact(lead.status, decided[lead.id], models, dept, pros, ref=ref)

    def case_fact(metric: str, case_id: int, on: dt.date, value: Decimal | int = 1) -> Fact:
        dept, pros = owner_of_case(case_id)
        ref = CaseRef(case_id, dept, pros)
        return Fact(metric, on, tuple(sorted(case_models[case_id])), dept, pros, value, ref)

    for e in events:
        workflow = load_workflow(case_rows[e.case_id].case_kind)
        for metric in figures_of_step(workflow, e.action, e.fields or {}):
            yield case_fact(metric, e.case_id, e.on_date)
    kinds = declarations().outcomes
    for o in outcomes:
        kind, case_id, on = o["kind"], o["case_id"], o["on_date"]
        spec = kinds[kind]
        if spec.money and o["amount_yuan"] is not None:
            yield case_fact(f"amount:{kind}", case_id, on, Decimal(o["amount_yuan"]))
        if spec.people and o["people"] is not None:
            yield case_fact(f"people:{kind}", case_id, on, int(o["people"]))
        if spec.count and o["count"] is not None:
            yield case_fact(f"count:{kind}", case_id, on, int(o["count"]))
        if not (spec.money or spec.people or spec.count):
            yield case_fact(f"entries:{kind}", case_id, on)


def _keys(fact: Fact, by: str) -> tuple[str, ...]:
    if by == "model":
        return fact.models or ("（无）",)
    if by == "department":
        return (fact.department,)
    if by == "prosecutor":
        return (fact.prosecutor,)
    return (fact.on.strftime("%Y-%m"),)


def statistics(
    store: Engine,
    by: str,
    since: dt.date | None = None,
    until: dt.date | None = None,
    home: Mapping[str, str] | None = None,
    review_models: Collection[str] = (),
    *,
    user: User,
) -> list[dict[str, Any]]:
    """One row per value of `by` (model id, department, prosecutor or YYYY-MM), plus 合计, of
    what is in the user's scope.

    `home` maps a model to its home department (`leads.queue.homes`), where its undispatched
    leads are counted; hits of `review_models` (`leads.queue.review_models`) count as 待核对,
    not as leads.
    """
    require(user, "view_stats")
    scope = scope_of(user)
    if by not in DIMENSIONS:
        raise UserError(
            f"统计维度只能是：{'、'.join(f'{v}（{k}）' for k, v in DIMENSIONS.items())}。"
        )
    keys = [k for k, _ in columns()]
    table: dict[str, dict[str, Any]] = {}
    total: dict[str, Any] = defaultdict(int)
    for fact in _facts(store, home or {}, review_models):
        if (since and fact.on < since) or (until and fact.on > until):
            continue
        if fact.ref is not None and not visible(scope, fact.ref):
            continue
        for key in _keys(fact, by):
            row = table.setdefault(key, defaultdict(int))
            row[fact.metric] += fact.value
        total[fact.metric] += fact.value
    rows = [{"key": k, **_finish(v, keys)} for k, v in sorted(table.items())]
    rows.append({"key": "合计", **_finish(total, keys)})
    return rows


def _finish(values: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    out = {k: values.get(k, 0) for k in keys}
    out["acceptance_rate"] = round(out["accepted"] / out["triaged"], 4) if out["triaged"] else None
    return out


def export_xlsx(rows: list[dict[str, Any]], by: str, path: Path) -> None:
    """The statistics as a workbook with Chinese headers (成案率 as a percentage)."""
    book = xlsxwriter.Workbook(str(path))
    try:
        sheet = book.add_worksheet(f"按{DIMENSIONS[by]}统计")
        bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        percent = book.add_format({"num_format": "0.0%"})
        money = book.add_format({"num_format": "#,##0.00"})
        figures = columns()
        sheet.write_string(0, 0, DIMENSIONS[by], bold)
        for j, (_, label) in enumerate(figures, start=1):
            sheet.write_string(0, j, label, bold)
        for i, row in enumerate(rows, start=1):
            sheet.write_string(i, 0, str(row["key"]))
            for j, (key, _) in enumerate(figures, start=1):
                value = row[key]
                if value is None:
                    sheet.write_blank(i, j, None)
                elif key == "acceptance_rate":
                    sheet.write_number(i, j, float(value), percent)
                elif key.startswith("amount:"):
                    sheet.write_number(i, j, float(value), money)
                else:
                    sheet.write_number(i, j, value)
        sheet.freeze_panes(1, 1)
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, len(figures), 12)
    finally:
        book.close()
