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

import copy
import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlalchemy import Connection, Engine, func, null, select

from shujian import beijing, formulas
from shujian.audit import audit_log
from shujian.cases.categories import declarations
from shujian.cases.policy import figure_values
from shujian.cases.store import case_events, case_leads, case_outcomes, cases
from shujian.cases.workflow import DEFAULT_CASE_KIND, case_kinds, load_workflow
from shujian.errors import UserError
from shujian.leads.store import (
    NOT_DISPATCHED,
    lead_decision_tallies,
    lead_events,
    lead_tallies,
    leads,
)
from shujian.users.access import CaseRef, LeadRef, Scope, require, scope_of, visible
from shujian.users.user import User

BASE_DIMENSIONS = {
    "model": "模型",
    "department": "部门",
    "prosecutor": "检察官",
    "month": "月份",
    "kind": "案件类别",
}


def _declared_dimensions() -> dict[str, str]:
    """The fields of an opening step a case kind lets the statistics group by (申请人类别 …)."""
    out: dict[str, str] = {}
    for kind in case_kinds():
        for fid, label in load_workflow(kind).dimensions.items():
            if out.setdefault(fid, label) != label:
                raise ValueError(f"dimension {fid}: two kinds give it different labels")
    return out


DIMENSIONS = {**BASE_DIMENSIONS, **_declared_dimensions()}
"""Every way the statistics group: the five of every figure, then a case kind's own (a lead or
a case of another kind counts under 不适用 there; under 案件类别 a lead's figures do)."""
NOT_APPLICABLE = "（不适用）"
LEADS_OF_NO_KIND = "线索（不分案件类别）"
"""The row of the leads' own figures under 案件类别: a lead is of no kind until it is a case."""
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
    `statistics:`), in declared order, kinds in turn (检察建议 first, its columns as they were
    before other kinds came); a figure two kinds share is one column."""
    out: dict[str, str] = {}
    for kind in sorted(case_kinds(), key=lambda k: k != DEFAULT_CASE_KIND):
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
    tags: tuple[tuple[str, str], ...] = ()
    """The case's values of the declared dimensions (申请人类别 → 农民工)."""
    kind: str = ""
    """The case's kind (`case_kinds`: 检察建议, 支持起诉 …); empty for a lead's figure."""


@dataclass(frozen=True)
class KindView:
    """What a dimension of one case kind (申请人类别 of 支持起诉) shows: that kind's own figures,
    not the leads' and other kinds' (which all count under 不适用 there), and the two counts
    its chart draws."""

    kind_label: str
    columns: list[tuple[str, str]]
    charted: tuple[tuple[str, str], ...]


def kind_view(by: str) -> KindView | None:
    """The view of `by` when it is a case kind's own dimension (None for the five of every
    figure: model, department, prosecutor, month, case kind)."""
    if by in BASE_DIMENSIONS:
        return None
    for kind in case_kinds():
        workflow = load_workflow(kind)
        if by in workflow.dimensions:
            figures = [(f.id, f.label) for f in workflow.statistics]
            return KindView(workflow.kind_label, figures, tuple(declared_counts(kind)[:2]))
    return None


def declared_counts(kind: str) -> list[tuple[str, str]]:
    """(key, Chinese header) of the counts a case kind's workflow declares, in order: its
    figures less the rates and the sums."""
    return [
        (f.id, f.label) for f in load_workflow(kind).statistics if f.ratio is None and not f.sum
    ]


def ratios() -> dict[str, tuple[str, str]]:
    """The declared rates (受理按期率 …): figure id → (numerator, denominator)."""
    return {
        fig.id: fig.ratio
        for kind in case_kinds()
        for fig in load_workflow(kind).statistics
        if fig.ratio is not None
    }


def is_rate(key: str) -> bool:
    """A figure shown as a percentage (成案率, a declared rate)."""
    return key == "acceptance_rate" or key in ratios()


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


def _in_window(on: dt.date, since: dt.date | None, until: dt.date | None) -> bool:
    return not ((since and on < since) or (until and on > until))


def _month(column: Any, dialect: str) -> Any:
    """The Beijing month (YYYY-MM) of a stored instant, as the database reads it (the stores
    keep UTC; SQLite keeps timestamps as text) — the month the tallies count in (migration
    0012)."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("Asia/Shanghai", column), "YYYY-MM")
    return func.strftime("%Y-%m", column, "+8 hours")


def _window(column: Any, since: dt.date | None, until: dt.date | None) -> list[Any]:
    """`column` on or after `since` and on or before `until` (Beijing days, as the lead queue's
    `since` and `until`)."""
    out = []
    if since:
        out.append(column >= beijing.day_start(since))
    if until:
        out.append(column < beijing.day_after(until))
    return out


def _tallied(conn: Connection, since: dt.date | None, until: dt.date | None) -> list[Any]:
    """The leads not accepted (成案) and the leads dismissed (不成案), as rows shaped like
    `_lead_facts`' own, added up from the tallies the database keeps (`leads.store`)."""
    t, d = lead_tallies, lead_decision_tallies

    def dispatched(table: Any) -> list[Any]:
        return [
            func.nullif(table.c.dispatch_department, NOT_DISPATCHED),
            func.nullif(table.c.dispatch_prosecutor, NOT_DISPATCHED),
        ]

    created = conn.execute(
        select(t.c.model_id, *dispatched(t), null(), null(), t.c.found_month, func.sum(t.c.n))
        .where(t.c.status != "accepted", *beijing.month_window(t.c.found_month, since, until))
        .group_by(t.c.model_id, t.c.dispatch_department, t.c.dispatch_prosecutor, t.c.found_month)
        .having(func.sum(t.c.n) > 0)
    ).all()
    decided = conn.execute(
        select(
            d.c.model_id,
            *dispatched(d),
            null(),
            null(),
            d.c.status,
            d.c.decided_month,
            func.sum(d.c.n),
        )
        .where(d.c.status == "dismissed", *beijing.month_window(d.c.decided_month, since, until))
        .group_by(
            d.c.model_id,
            d.c.dispatch_department,
            d.c.dispatch_prosecutor,
            d.c.status,
            d.c.decided_month,
        )
        .having(func.sum(d.c.n) > 0)
    ).all()
    return [created, decided]


def _lead_facts(
    conn: Connection,
    home: Mapping[str, str],
    review_models: Collection[str],
    since: dt.date | None,
    until: dt.date | None,
    lead_ids: Collection[int] | None,
) -> Iterator[Fact]:
    """The figures of leads, added up by the database: one fact per group of leads that share
    all a figure depends on (model, where the lead is attributed, month), its value the group's
    count. With a million leads, one fact per lead took tens of seconds, and adding up the
    leads themselves 15–24 s: the leads not accepted are read from the tallies the database
    keeps (migration 0012) when the period is whole months, and only the accepted ones, joined
    to their cases, from the leads. `lead_ids` (a user who sees single records) keeps those
    leads only, one fact each, read from the leads.

    A lead counts where its case is, else where it is dispatched, else in its model's home
    department; it is in a case only once accepted (成案), so only accepted leads are joined to
    their cases. It counts as found in the Beijing month it was first found, as decided in the
    Beijing month of its last decision (`leads.decided_at`)."""
    dialect = conn.dialect.name
    per_lead = [leads.c.id] if lead_ids is not None else []
    narrowed = [leads.c.id.in_(list(lead_ids))] if lead_ids is not None else []
    where = [
        leads.c.model_id,
        leads.c.dispatch_department,
        leads.c.dispatch_prosecutor,
        cases.c.department,
        cases.c.prosecutor,
        *per_lead,
    ]
    in_case = leads.outerjoin(case_leads, case_leads.c.lead_id == leads.c.id).outerjoin(
        cases, cases.c.id == case_leads.c.case_id
    )
    found = _month(leads.c.created_at, dialect)
    decided_in = _month(leads.c.decided_at, dialect)
    created_accepted = conn.execute(
        select(*where, found, func.count())
        .select_from(in_case)
        .where(leads.c.status == "accepted", *narrowed, *_window(leads.c.created_at, since, until))
        .group_by(*where, found)
    ).all()
    decided_accepted = conn.execute(
        select(*where, leads.c.status, decided_in, func.count())
        .select_from(in_case)
        .where(
            leads.c.status == "accepted",
            leads.c.decided_at.is_not(None),
            *narrowed,
            *_window(leads.c.decided_at, since, until),
        )
        .group_by(*where, leads.c.status, decided_in)
    ).all()
    if lead_ids is None and beijing.whole_months(since, until):
        created_other, decided_other = _tallied(conn, since, until)
    else:
        created_other = conn.execute(
            select(*where[:3], null(), null(), *per_lead, found, func.count())
            .where(
                leads.c.status != "accepted", *narrowed, *_window(leads.c.created_at, since, until)
            )
            .group_by(*where[:3], *per_lead, found)
        ).all()
        decided_other = conn.execute(
            select(*where[:3], null(), null(), *per_lead, leads.c.status, decided_in, func.count())
            .where(
                leads.c.status == "dismissed",
                leads.c.decided_at.is_not(None),
                *narrowed,
                *_window(leads.c.decided_at, since, until),
            )
            .group_by(*where[:3], *per_lead, leads.c.status, decided_in)
        ).all()

    def attributed(row: Any) -> tuple[str, str, LeadRef]:
        model, dispatch_department, dispatch_prosecutor, case_department, case_prosecutor = row[:5]
        lead_id = row[5] if lead_ids is not None else 0
        if case_department is not None:
            return (
                case_department,
                case_prosecutor,
                LeadRef(lead_id, case_department, case_prosecutor),
            )
        if dispatch_department is not None:
            return (
                dispatch_department,
                dispatch_prosecutor,
                LeadRef(lead_id, dispatch_department, dispatch_prosecutor),
            )
        return (
            home.get(model, UNDISPATCHED),
            UNDISPATCHED,
            LeadRef(lead_id, home=home.get(model)),
        )

    for row in [*created_other, *created_accepted]:
        month, n = row[-2], int(row[-1])
        dept, pros, ref = attributed(row)
        metric = "review_items" if row[0] in review_models else "leads"
        yield Fact(metric, _first_day(month), (row[0],), dept, pros, n, ref)
    for row in [*decided_other, *decided_accepted]:
        if row[0] in review_models:
            continue
        status, month, n = row[-3], row[-2], int(row[-1])
        dept, pros, ref = attributed(row)
        yield Fact("triaged", _first_day(month), (row[0],), dept, pros, n, ref)
        yield Fact(status, _first_day(month), (row[0],), dept, pros, n, ref)


def _first_day(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:7]), 1)


_lead_figures: dict[tuple[Any, ...], tuple[tuple[Any, ...], list[Fact]]] = {}
_lead_figures_lock = threading.Lock()
KEPT = 16
"""Lead figures kept per process (distinct stores, home mappings and periods)."""


def _store_version(conn: Connection) -> tuple[Any, ...]:
    """What changes whenever a lead figure may change: every such change (a run, 分派, 不成案,
    成案, a step of a case) is audited in its own transaction, and change entries are numbered
    in commit order (`audit._take_head`). Entries about accounts (signing in and out,
    passwords) change no figure and are passed over. The newest lead and lead event are added
    for a store restored from a backup."""
    return tuple(
        conn.execute(
            select(
                select(audit_log.c.seq)
                .where(audit_log.c.object_type != "user")
                .order_by(audit_log.c.seq.desc())
                .limit(1)
                .scalar_subquery(),
                select(func.max(leads.c.id)).scalar_subquery(),
                select(func.max(lead_events.c.id)).scalar_subquery(),
            )
        ).one()
    )


def _kept_lead_facts(
    conn: Connection,
    home: Mapping[str, str],
    review_models: Collection[str],
    since: dt.date | None,
    until: dt.date | None,
    version: tuple[Any, ...],
) -> list[Fact]:
    """`_lead_facts`, computed once per version of the store (`_store_version`) and kept: a
    dashboard read by many users between two changes adds the leads up once. The first reading
    after a change waits for the one computing it."""
    key = (
        str(conn.engine.url),
        tuple(sorted(home.items())),
        tuple(sorted(review_models)),
        since,
        until,
    )
    with _lead_figures_lock:
        kept = _lead_figures.get(key)
        if kept is not None and kept[0] == version:
            return kept[1]
        facts = list(_lead_facts(conn, home, review_models, since, until, None))
        _lead_figures.pop(key, None)
        while len(_lead_figures) >= KEPT:
            _lead_figures.pop(next(iter(_lead_figures)))
        _lead_figures[key] = (version, facts)
        return facts


def _facts(
    store: Engine,
    home: Mapping[str, str],
    review_models: Collection[str] = (),
    since: dt.date | None = None,
    until: dt.date | None = None,
    lead_ids: Collection[int] | None = None,
    version: tuple[Any, ...] | None = None,
) -> Iterable[Fact]:
    """Every figure within the period (`since`, `until`), each on the day it counts for (the
    leads' on the first day of their month: `_lead_facts`)."""
    with store.connect() as conn:
        if lead_ids is None:
            kept = version if version is not None else _store_version(conn)
            yield from _kept_lead_facts(conn, home, review_models, since, until, kept)
        else:
            yield from _lead_facts(conn, home, review_models, since, until, lead_ids)
        case_rows = {r.id: r for r in conn.execute(select(cases))}
        case_models: dict[int, set[str]] = defaultdict(set)
        for case_id, model_id in conn.execute(
            select(case_leads.c.case_id, leads.c.model_id).join(
                leads, leads.c.id == case_leads.c.lead_id
            )
        ):
            case_models[case_id].add(model_id)
        tagged = [load_workflow(k) for k in case_kinds() if load_workflow(k).dimensions]
        counted = sorted(
            {a for k in case_kinds() for f in load_workflow(k).statistics for a in f.actions}
            | {w.opening.action for w in tagged}
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

    def owner_of_case(case_id: int) -> tuple[str, str]:
        c = case_rows[case_id]
        return c.department, c.prosecutor

    tags: dict[int, tuple[tuple[str, str], ...]] = {}
    for e in events:
        workflow = load_workflow(case_rows[e.case_id].case_kind)
        if workflow.dimensions and e.action == workflow.opening.action:
            tags[e.case_id] = tuple(
                (d, str((e.fields or {}).get(d) or "未填写")) for d in workflow.dimensions
            )

    labels = case_kinds()

    def case_fact(metric: str, case_id: int, on: dt.date, value: Decimal | int = 1) -> Fact:
        dept, pros = owner_of_case(case_id)
        ref = CaseRef(case_id, dept, pros)
        models = tuple(sorted(case_models[case_id]))
        kind = labels.get(case_rows[case_id].case_kind, case_rows[case_id].case_kind)
        return Fact(metric, on, models, dept, pros, value, ref, tags.get(case_id, ()), kind)

    for e in events:
        if not _in_window(e.on_date, since, until):
            continue
        workflow = load_workflow(case_rows[e.case_id].case_kind)
        for metric, value in figure_values(workflow, e.action, e.fields or {}):
            yield case_fact(metric, e.case_id, e.on_date, value)
    kinds = declarations().outcomes
    for o in outcomes:
        kind, case_id, on = o["kind"], o["case_id"], o["on_date"]
        if not _in_window(on, since, until):
            continue
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
    if by == "month":
        return (fact.on.strftime("%Y-%m"),)
    if by == "kind":
        return (fact.kind or LEADS_OF_NO_KIND,)
    return (dict(fact.tags).get(by, NOT_APPLICABLE),)


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
    return tables(store, (by,), since, until, home, review_models, user=user)[by]


def tables(
    store: Engine,
    dimensions: Sequence[str],
    since: dt.date | None = None,
    until: dt.date | None = None,
    home: Mapping[str, str] | None = None,
    review_models: Collection[str] = (),
    *,
    user: User,
) -> dict[str, list[dict[str, Any]]]:
    """`statistics` by each of `dimensions` at once, from one reading of the store."""
    require(user, "view_stats")
    scope = scope_of(user)
    for by in dimensions:
        if by not in DIMENSIONS:
            raise UserError(
                f"统计维度只能是：{'、'.join(f'{v}（{k}）' for k, v in DIMENSIONS.items())}。"
            )
    home = home or {}
    with store.connect() as conn:
        version = _store_version(conn)
    key = (
        str(store.url),
        scope,
        tuple(dimensions),
        since,
        until,
        tuple(sorted(home.items())),
        tuple(sorted(review_models)),
    )
    with _tables_lock:
        kept = _tables.get(key)
    if kept is not None and kept[0] == version:
        return copy.deepcopy(kept[1])
    out = _tables_of(store, scope, dimensions, since, until, home, review_models, version)
    with _tables_lock:
        _tables.pop(key, None)
        while len(_tables) >= KEPT_TABLES:
            _tables.pop(next(iter(_tables)))
        _tables[key] = (version, copy.deepcopy(out))
    return out


_tables: dict[tuple[Any, ...], tuple[tuple[Any, ...], dict[str, list[dict[str, Any]]]]] = {}
_tables_lock = threading.Lock()
KEPT_TABLES = 64
"""Tables kept per process (scopes × dimensions × periods): 首页 and 统计 read by many users
between two changes are added up once per scope, not once per view."""


def _tables_of(
    store: Engine,
    scope: Scope,
    dimensions: Sequence[str],
    since: dt.date | None,
    until: dt.date | None,
    home: Mapping[str, str],
    review_models: Collection[str],
    version: tuple[Any, ...],
) -> dict[str, list[dict[str, Any]]]:
    keys = [k for k, _ in columns()]
    table: dict[str, dict[str, dict[str, Any]]] = {by: {} for by in dimensions}
    total: dict[str, Any] = defaultdict(int)
    granted = (
        {int(i) for kind, i in scope.grants if kind == "lead"} if scope.kind == "records" else None
    )
    for fact in _facts(store, home, review_models, since, until, granted, version):
        if fact.ref is not None and not visible(scope, fact.ref):
            continue
        for by in dimensions:
            for key in _keys(fact, by):
                row = table[by].setdefault(key, defaultdict(int))
                row[fact.metric] += fact.value
        total[fact.metric] += fact.value
    out = {}
    for by in dimensions:
        rows = [{"key": k, **_finish(v, keys)} for k, v in sorted(table[by].items())]
        rows.append({"key": "合计", **_finish(total, keys)})
        out[by] = rows
    return out


def _finish(values: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    out = {k: values.get(k, 0) for k in keys}
    out["acceptance_rate"] = round(out["accepted"] / out["triaged"], 4) if out["triaged"] else None
    for key, (a, b) in ratios().items():
        out[key] = round(out[a] / out[b], 4) if out[b] else None
    return out


def export_xlsx(rows: list[dict[str, Any]], by: str, path: Path) -> None:
    """The statistics as a workbook with Chinese headers (成案率 as a percentage)."""
    book = xlsxwriter.Workbook(str(path), formulas.XLSX_OPTIONS)
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
                elif is_rate(key):
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
