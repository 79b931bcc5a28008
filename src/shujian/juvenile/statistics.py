"""统计: the juvenile figures in the reports' own terms, per category, town and month.

The figures are declared in `figures.yaml` (`figures.py`); each names its readers here
(`READERS`): a reader turns the warehouse's rows (read through `service.Register`, as the
register's pages and the models read them) or the case store's warnings into facts, and
`counting.py`'s pure rules place and count them. So the figures of part 2 (分级干预, 督促监护令,
家庭教育指导, 附条件不起诉) come as a declaration and a reader each.

A user sees the figures of the minors they see on the register (`access.register_scope`): a
helping unit's account those assigned to its unit today; the warnings only with `view_leads`,
and only the leads of their lead scope. Every view and export is audited (object type `minor`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Connection, func, select

from shujian import audit, beijing
from shujian.errors import UserError
from shujian.juvenile import counting
from shujian.juvenile.access import MINOR, RegisterScope
from shujian.juvenile.counting import DIMENSIONS, UNREGISTERED, Period
from shujian.juvenile.figures import Declaration, Figure, Source, declaration
from shujian.juvenile.probation import readers as probation_readers
from shujian.juvenile.sealing import figures as sealing_figures
from shujian.juvenile.service import (
    ASSIGNMENTS,
    CONDUCT,
    REGISTRY,
    VISITS,
    Register,
    _Kept,
)
from shujian.juvenile.tiers import service as tiers
from shujian.juvenile.workbook import write_workbook
from shujian.leads.queue import homes, lead_scope
from shujian.leads.store import lead_events, leads
from shujian.users.access import can, scope_of
from shujian.users.departments import departments_of
from shujian.users.user import User

DROPOUTS = "school_dropouts"


@dataclass
class Statistics:
    """The tables of one period for one user: by category, town and month (rows of
    `counting.tally`), the figures shown (in column order) and those waiting."""

    period: Period
    figures: tuple[Figure, ...]
    pending: tuple[Figure, ...]
    tables: dict[str, list[dict[str, Any]]]
    unit: str | None = None
    """A helping unit's account: its unit (the figures are of its minors only)."""
    hidden: tuple[Figure, ...] = ()
    """Figures the user may not see (the warnings without `view_leads`)."""


# ---- readers: the facts of each source -------------------------------------------------------


@dataclass
class _Reading:
    """What the readers of one computation share: the register, the period, the user's scope,
    the statistics day a state figure is read on (`day`: the period's last day, then each
    month's for the table by month), and the rows read once for several figures."""

    register: Register
    period: Period
    user: User
    scope: RegisterScope
    library_models: tuple[str, ...]
    day: dt.date
    _on_register: dict[dt.date, pl.DataFrame] = field(default_factory=dict)

    def read(self, dataset: str, columns: str, dated: str, since: dt.date) -> pl.DataFrame:
        """A dataset's current rows dated (`dated`, a record-key column) from `since` to the
        period's end, of the user's minors only (read so from the files: a helper's figures do
        not read the city's)."""
        params: dict[str, Any] = {"lo": since, "hi": self.period.until}
        where = f"{dated} BETWEEN $lo AND $hi"
        if not self.scope.everything:
            params["ids"] = sorted(self.scope.ids)
            where += " AND id_card IN (SELECT unnest($ids::VARCHAR[]))"
        return self.register.current(dataset, columns, where, params)

    @cached_property
    def visits(self) -> pl.DataFrame:
        """The visits of every month the period touches (the monthly 四访 needs whole months)."""
        return self.read(
            VISITS,
            "id_card, visited_on, target, visitor, measures",
            "visited_on",
            self.period.months[0].first,
        )

    @cached_property
    def visits_in_period(self) -> pl.DataFrame:
        return self.visits.filter(pl.col("visited_on") >= self.period.since)

    @cached_property
    def visit_measures(self) -> pl.DataFrame:
        """The period's visits with a measure, one row per visit and measure."""
        return (
            self.visits_in_period.filter(pl.col("measures").is_not_null())
            .with_columns(measure=pl.col("measures").str.split("、"))
            .explode("measure")
        )

    @cached_property
    def due(self) -> pl.DataFrame:
        """(minor, month) due a visit in each month of the period, with `done`."""
        months = self.period.months
        due = self.register.due_rows(months).select("id_card", "first", "last", "has_school")
        if not self.scope.everything:
            due = due.filter(pl.col("id_card").is_in(sorted(self.scope.ids)))
        done = counting.done_months(due, self.visits.select("id_card", "visited_on", "target"))
        as_of = {m.first: self.period.as_of(m) for m in months}
        return done.with_columns(
            day=pl.col("first").replace_strict(as_of, return_dtype=pl.Date),
            a=pl.col("first"),
            b=pl.col("last"),
        )

    def _mine(self, rows: pl.DataFrame) -> pl.DataFrame:
        if self.scope.everything:
            return rows
        return rows.filter(pl.col("id_card").is_in(sorted(self.scope.ids)))

    @cached_property
    def registry(self) -> pl.DataFrame:
        """key_minors' current rows of the user's minors (`Register.registry_rows`)."""
        return self._mine(self.register.registry_rows())

    @cached_property
    def with_assignments(self) -> pl.DataFrame:
        """The registry rows of the user's minors beside each of their assignments."""
        assignments = self._mine(self.register.assignment_rows()).select(
            "id_card", "started_on", "ended_on"
        )
        return self.registry.join(assignments, on="id_card", how="inner")

    def on_register(self) -> pl.DataFrame:
        """Registry rows on the register on the statistics day (counted here rather than
        through `Register.active_on`, whose per-day results the months of a long period would
        push every other page's out of the register's small store)."""
        if self.day not in self._on_register:
            self._on_register[self.day] = counting.on_register(self.registry, self.day)
        return self._on_register[self.day]


def _on_register(r: _Reading, _: Source) -> pl.DataFrame:
    return r.on_register()


def _identified(r: _Reading, _: Source) -> pl.DataFrame:
    return _registry_events(r, "identified_on")


def _withdrawn(r: _Reading, _: Source) -> pl.DataFrame:
    return _registry_events(r, "withdrawn_on")


def _registry_events(r: _Reading, column: str) -> pl.DataFrame:
    return r.registry.filter(pl.col(column).is_between(r.period.since, r.period.until)).select(
        "id_card", "category", "town", pl.col(column).alias("day")
    )


def _assigned(r: _Reading, _: Source) -> pl.DataFrame:
    """Registry rows on the register on the day whose minor has an assignment covering it."""
    return (
        r.with_assignments.filter(
            counting.on_register_between(r.day, r.day) & counting.covering(r.day)
        )
        .select("id_card", "category", "town")
        .unique()
        .with_columns(day=pl.lit(r.day, pl.Date))
    )


def _due_on_day(r: _Reading, _: Source) -> pl.DataFrame:
    return r.due.filter(pl.col("day") == r.day).select("id_card", "day", "a", "b")


def _visits_due(r: _Reading, _: Source) -> pl.DataFrame:
    return r.due.select("id_card", "day", "a", "b")


def _visits_done(r: _Reading, _: Source) -> pl.DataFrame:
    return r.due.filter("done").select("id_card", "day", "a", "b")


def _visit_record(*more: pl.Expr) -> pl.Expr:
    return pl.concat_str(
        pl.col("id_card"),
        pl.col("visited_on").cast(pl.Utf8),
        pl.col("target"),
        pl.col("visitor"),
        *more,
        separator="/",
    )


def _visits(r: _Reading, _: Source) -> pl.DataFrame:
    return r.visits_in_period.select(
        "id_card", pl.col("visited_on").alias("day"), _visit_record().alias("record")
    )


def _visit_measures(r: _Reading, source: Source) -> pl.DataFrame:
    """Visits whose 帮扶措施 list one of the source's values: one fact per visit and value."""
    return r.visit_measures.filter(pl.col("measure").is_in(list(source.values))).select(
        "id_card",
        pl.col("visited_on").alias("day"),
        _visit_record(pl.col("measure")).alias("record"),
    )


def _conduct_measures(r: _Reading, source: Source) -> pl.DataFrame:
    """Conduct records dated in the period whose 处置措施 list one of the source's values: one
    fact per record and value."""
    rows = r.read(CONDUCT, "id_card, act_on, act, measures", "act_on", r.period.since)
    return (
        rows.with_columns(measure=pl.col("measures").str.split("、"))
        .explode("measure")
        .filter(pl.col("measure").is_in(list(source.values)))
        .select(
            "id_card",
            pl.col("act_on").alias("day"),
            pl.concat_str(
                pl.col("id_card"),
                pl.col("act_on").cast(pl.Utf8),
                pl.col("act"),
                pl.col("measure"),
                separator="/",
            ).alias("record"),
        )
    )


def _dropouts_returned(r: _Reading, _: Source) -> pl.DataFrame:
    """控辍保学台账 rows whose 劝返日期 is in the period (read whole: a newer version of a row
    brings the 劝返日期, so no condition may come before the newest is chosen)."""
    rows = r.register.current(DROPOUTS, "id_card, left_on, returned_on")
    return rows.filter(pl.col("returned_on").is_between(r.period.since, r.period.until)).select(
        "id_card",
        pl.col("returned_on").alias("day"),
        pl.concat_str(pl.col("id_card"), pl.col("left_on").cast(pl.Utf8), separator="/").alias(
            "record"
        ),
    )


def _warnings(r: _Reading, handled: bool) -> pl.DataFrame:
    """Warnings (leads of the declared models in the user's lead scope) found in the period, or
    whose latest 成案 / 不成案 is in it and still stands; the minor is the subject's number."""
    ws = r.register.ws
    start, end = beijing.day_start(r.period.since), beijing.day_after(r.period.until)
    wanted: list[ColumnElement[bool]] = [leads.c.model_id.in_(list(r.library_models))]
    scoped = lead_scope(scope_of(r.user), homes(r.register.library, departments_of(ws)))
    if scoped is not None:
        wanted.append(scoped)
    if handled:
        last = (
            select(lead_events.c.lead_id, func.max(lead_events.c.id).label("id"))
            .where(lead_events.c.kind.in_(("accepted", "dismissed")))
            .group_by(lead_events.c.lead_id)
            .subquery()
        )
        decision = lead_events.alias("decision")
        query = (
            select(leads.c.id, leads.c.subject, decision.c.at)
            .select_from(
                leads.join(last, last.c.lead_id == leads.c.id).join(
                    decision, decision.c.id == last.c.id
                )
            )
            .where(
                *wanted,
                leads.c.status.in_(("accepted", "dismissed")),
                decision.c.at >= start,
                decision.c.at < end,
            )
        )
    else:
        query = select(leads.c.id, leads.c.subject, leads.c.created_at).where(
            *wanted, leads.c.created_at >= start, leads.c.created_at < end
        )
    with r.register.store.connect() as conn:
        found = [
            (str(subject).partition("/")[0], beijing.day_of(at), str(lead_id))
            for lead_id, subject, at in conn.execute(query)
        ]
    return pl.DataFrame(
        found, schema={"id_card": pl.Utf8, "day": pl.Date, "record": pl.Utf8}, orient="row"
    )


def _warnings_issued(r: _Reading, _: Source) -> pl.DataFrame:
    return _warnings(r, handled=False)


def _warnings_handled(r: _Reading, _: Source) -> pl.DataFrame:
    return _warnings(r, handled=True)


def _own_records(r: _Reading, read: Callable[[], pl.DataFrame]) -> pl.DataFrame:
    """The procuratorate's own records (`juvenile.own_records`): read only for a user who sees
    the whole register; anyone else gets none of them."""
    if not r.scope.everything:
        return pl.DataFrame(schema={"id_card": pl.Utf8, "day": pl.Date, "record": pl.Utf8})
    return read()


def _guardianship_orders(r: _Reading, _: Source) -> pl.DataFrame:
    from shujian.juvenile.guardianship import records

    store, since, until = r.register.store, r.period.since, r.period.until
    return _own_records(r, lambda: records.order_facts(store, since, until))


def _order_visits_on_time(r: _Reading, _: Source) -> pl.DataFrame:
    from shujian.juvenile.guardianship import records

    store, calendar = r.register.store, r.register.ws.calendar
    since, until = r.period.since, r.period.until
    return _own_records(r, lambda: records.on_time_facts(store, calendar, since, until))


def _guidance_sessions(r: _Reading, _: Source) -> pl.DataFrame:
    from shujian.juvenile.guardianship import records

    store, since, until = r.register.store, r.period.since, r.period.until
    return _own_records(r, lambda: records.session_facts(store, since, until))


def _tiers(r: _Reading, warned: bool) -> pl.DataFrame:
    """Tiers set (分级干预) decided in the period — with `warned`, those taking up a warning
    (提前干预) — of a user who sees the whole register (the procuratorate's own records)."""
    if not r.scope.everything:
        return pl.DataFrame(schema={"id_card": pl.Utf8, "day": pl.Date, "record": pl.Utf8})
    with r.register.store.connect() as conn:
        return tiers.facts(conn, r.period.since, r.period.until, warned=warned)


def _tiers_set(r: _Reading, _: Source) -> pl.DataFrame:
    return _tiers(r, warned=False)


def _early_intervention(r: _Reading, _: Source) -> pl.DataFrame:
    return _tiers(r, warned=True)


READERS: dict[str, Callable[[_Reading, Source], pl.DataFrame]] = {
    "on_register": _on_register,
    "identified": _identified,
    "withdrawn": _withdrawn,
    "assigned": _assigned,
    "due_on_day": _due_on_day,
    "visits_due": _visits_due,
    "visits_done": _visits_done,
    "visits": _visits,
    "visit_measures": _visit_measures,
    "conduct_measures": _conduct_measures,
    "dropouts_returned": _dropouts_returned,
    "warnings_issued": _warnings_issued,
    "warnings_handled": _warnings_handled,
    "guardianship_orders": _guardianship_orders,
    "order_visits_on_time": _order_visits_on_time,
    "guidance_sessions": _guidance_sessions,
    "tiers_set": _tiers_set,
    "early_intervention": _early_intervention,
    "on_probation": probation_readers.on_probation,
    "probation_not_prosecuted": probation_readers.not_prosecuted,
    "probation_revoked": probation_readers.revoked,
    "sealed_records": sealing_figures.sealed_in_period,
    "sealing_requests_on_time": sealing_figures.requests_answered_on_time,
}
"""Reader id (`sources: reader:` in figures.yaml) → its facts: a frame of `id_card` and `day`,
with `record` when what it counts is a record, `a`..`b` when the minor's place on the register
is looked up over more than the day, and `category` and `town` when its rows say them."""

SOURCE_DATASETS: Mapping[str, tuple[str, str]] = {
    "visit_measures": (VISITS, "measures"),
    "conduct_measures": (CONDUCT, "measures"),
}
"""Readers whose values are those of a dataset's column (checked against its declaration)."""


# ---- the service -----------------------------------------------------------------------------


def shown_figures(dec: Declaration, user: User) -> tuple[tuple[Figure, ...], tuple[Figure, ...]]:
    """The counted figures the user sees (in column order), and those hidden from them."""
    shown = tuple(f for f in dec.counted if f.needs is None or can(user, f.needs))
    hidden = tuple(f for f in dec.counted if f not in shown)
    return shown, hidden


def _orders(register: Register, period: Period) -> dict[str, list[tuple[str, str]]]:
    return {
        "category": list(register.category_labels().items()),
        "town": [],
        "month": [(m.label, m.label) for m in period.months],
    }


_RESULTS = _Kept(size=16)
"""Statistics computed lately, per everything they depend on (`_inputs`): a city's take
seconds, and a page, its other dimensions and its download ask for the same."""


def _inputs(
    register: Register, user: User, scope: RegisterScope, span: Period, today: dt.date
) -> tuple[Any, ...]:
    """What a computation's answer depends on: the workspace; the current batches of the
    datasets read (an import makes new ones); the leads and their history (a run, a 分派, a
    研判 each add an event); the rule of the monthly visits (the model's parameters); who
    asks (their minors, their lead scope); the period and the day; the procuratorate's own
    records counted (each adds a row)."""
    batches = tuple(
        tuple((b.parquet, b.replaces) for b in register.warehouse.batches(d, current=True))
        for d in (REGISTRY, ASSIGNMENTS, VISITS, CONDUCT, DROPOUTS)
    )
    with register.store.connect() as conn:
        leads_now = conn.execute(
            select(
                select(func.max(leads.c.id)).scalar_subquery(),
                select(func.max(lead_events.c.id)).scalar_subquery(),
            )
        ).one()
        own = _own_records_now(conn)
    who = (user.name, user.department, tuple(sorted(user.roles)), user.unit)
    return (
        str(register.warehouse.root),
        batches,
        tuple(leads_now),
        own,
        register.rule,
        who,
        scope,
        (span.since, span.until, span.asked_until),
        today,
    )


def _own_records_now(conn: Connection) -> tuple[Any, ...]:
    """The newest of each of the procuratorate's own records counted (a new one changes the
    answer): tiers (分级干预); 督促监护令, its visits and 家庭教育指导; 附条件不起诉's steps; sealed
    records, their events and the answers to query requests."""
    from shujian.juvenile.guardianship.records import version as guardianship_version
    from shujian.juvenile.sealing.store import sealed_record_events, sealing_answers

    newest = [
        conn.execute(select(func.max(t.c.id))).scalar()
        for t in (sealed_record_events, sealing_answers)
    ]
    return (
        tiers.newest_change(conn),
        guardianship_version(conn),
        conn.execute(select(probation_readers.changes())).scalar(),
        *newest,
    )


def compute(
    register: Register,
    user: User,
    since: dt.date | None,
    until: dt.date | None,
    today: dt.date,
    *,
    dec: Declaration | None = None,
) -> Statistics:
    """The tables by category, town and month of the period (this year up to today by default)
    for the minors `user` sees (`user` with their grants: `Register.with_grants`); not audited
    (`view` and `export` are). Kept per process until what it depends on changes (`_inputs`)."""
    dec = dec or declaration()
    scope = register.scope(user)
    span = counting.period(since, until, today)
    key = (id(dec), *_inputs(register, user, scope, span, today))
    return _RESULTS.get(  # type: ignore[no-any-return]
        key, lambda: _compute(register, user, scope, span, dec), dec
    )


def forget() -> None:
    """Drop the statistics kept (for measuring)."""
    _RESULTS.clear()


def _compute(
    register: Register, user: User, scope: RegisterScope, span: Period, dec: Declaration
) -> Statistics:
    shown, hidden = shown_figures(dec, user)
    reading = _Reading(
        register,
        span,
        user,
        scope,
        tuple(m for m in dec.warning_models if m in register.library),
        span.until,
    )

    def facts_of(figure: Figure) -> list[pl.DataFrame]:
        frames = [READERS[source.reader](reading, source) for source in figure.sources]
        if not scope.everything:
            frames = [f.filter(pl.col("id_card").is_in(sorted(scope.ids))) for f in frames]
        return frames

    found = pl.concat(
        [counting.facts(frame, f.id) for f in shown for frame in facts_of(f)]
        or [counting.no_facts()]
    )
    placed = found.filter(pl.col("category").is_not_null())
    loose = found.filter(pl.col("category").is_null())
    if loose.height:
        placed = pl.concat([placed, counting.attribute(loose, register.registry_rows())])
    # the table by month: each month's state on its own statistics day, the minors counted once
    # (a minor's place on the register is not needed for a count by month)
    state = [f for f in shown if f.as_of and not f.is_rate]
    month_states: dict[str, dict[str, int]] = {}
    for month in span.months:
        reading.day = span.as_of(month)
        month_states[month.label] = {
            f.id: pl.concat([fr.select("id_card") for fr in facts_of(f)])["id_card"].n_unique()
            for f in state
        }
    orders = _orders(register, span)
    tables = counting.tables(placed, shown, span, orders, month_states)
    return Statistics(
        span,
        shown,
        dec.pending,
        tables,
        unit=user.unit if not scope.everything else None,
        hidden=hidden,
    )


def _audit(register: Register, user: User, stats: Statistics, by: str, file: str | None) -> None:
    total = next(r for r in stats.tables[by] if r["key"] == counting.TOTAL)
    audit.record_view(
        register.store,
        user.name,
        MINOR,
        None,
        {
            "by": by,
            "since": stats.period.since.isoformat(),
            "until": stats.period.until.isoformat(),
            "rows": len(stats.tables[by]) - 1,
            "minors": total.get("active"),
            "file": file,
        },
        action="export" if file else "stats",
    )


def view(
    register: Register,
    user: User,
    by: str,
    since: dt.date | None,
    until: dt.date | None,
    today: dt.date,
) -> Statistics:
    """`compute`, the view audited (action `stats`: the dimension, the period, the 合计 of 在册)."""
    check_dimension(by)
    stats = compute(register, user, since, until, today)
    _audit(register, user, stats, by, None)
    return stats


def export(
    register: Register,
    user: User,
    by: str,
    since: dt.date | None,
    until: dt.date | None,
    today: dt.date,
    path: Path,
    name: str | None = None,
) -> Statistics:
    """`compute` written to `path` as a workbook (the `by` sheet first), audited as an export
    naming the file (`name`, else the path)."""
    check_dimension(by)
    stats = compute(register, user, since, until, today)
    write_workbook(stats, by, path, today)
    _audit(register, user, stats, by, name or str(path))
    return stats


def check_dimension(by: str) -> None:
    if by not in DIMENSIONS:
        listed = "、".join(f"{label}（{key}）" for key, label in DIMENSIONS.items())
        raise UserError(f"统计维度只能是：{listed}。", code="bad_dimension")


def body(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The rows without 合计 (and, for a chart, without 未在册)."""
    return [r for r in rows if r["key"] not in (counting.TOTAL, UNREGISTERED)]


def chart(stats: Statistics, by: str) -> dict[str, Any]:
    """What the page's chart draws: by category or town, 在册 / 落实包保 / 四访五帮 per row; by
    month, 应走访 and 已落实 with the 走访落实率."""
    rows = body(stats.tables[by])
    shown = {f.id: f for f in stats.figures}
    if by == "month":
        wanted = [k for k in ("visits_due", "visits_done") if k in shown]
        return {
            "axis": "month",
            "names": [r["label"] for r in rows],
            "series": [{"name": shown[k].label, "data": [r[k] for r in rows]} for k in wanted],
            "rate": {
                "name": shown["visit_rate"].label,
                "data": [
                    None if r["visit_rate"] is None else round(r["visit_rate"] * 100, 1)
                    for r in rows
                ],
            }
            if "visit_rate" in shown
            else None,
        }
    state = [k for k in ("active", "assigned", "under_visits") if k in shown]
    return {
        "axis": "category",
        "names": [r["label"] for r in rows],
        "series": [{"name": shown[k].label, "data": [r[k] for r in rows]} for k in state],
        "rate": None,
    }
