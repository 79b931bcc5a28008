"""The lead queue: where a lead waits until it is dispatched (分派), and the list of one queue.

A lead not yet dispatched waits in the queue of its model's department, so that a department
head sees what awaits dispatch there. Models declare a standard department name (公益诉讼检察部);
a procuratorate whose departments are named otherwise (第四检察部) maps the standard names to its
own in shujian.toml. `home_department` is that policy, a pure function; the queue and the
statistics both use it, so a lead waits and counts in the same place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    Table,
    case,
    false,
    func,
    or_,
    select,
)

from shujian import audit, beijing
from shujian.errors import UserError
from shujian.juvenile.sealing import visibility as sealing_visibility
from shujian.leads.service import status_label
from shujian.leads.store import NOT_DISPATCHED, lead_tallies, leads
from shujian.leads.town import NO_TOWN
from shujian.models.spec import ModelSpec
from shujian.paging import Page, check_window
from shujian.users.access import LeadRef, Scope, missing_or_hidden, require, scope_of, visible
from shujian.users.departments import Departments
from shujian.users.user import User


def home_department(model_department: str | None, departments: Departments) -> str | None:
    """The department where an undispatched lead of a model declaring `model_department` waits.

    The procuratorate's mapping first, else the department of the same name when it has one,
    else none (the lead waits in no department's queue, only in the whole queue).
    """
    if not model_department:
        return None
    mapped = departments.mapping.get(model_department)
    if mapped is not None:
        return mapped
    return model_department if model_department in departments.names else None


def homes(library: Mapping[str, ModelSpec], departments: Departments) -> dict[str, str]:
    """Model id → the department where its undispatched leads wait (and are counted)."""
    out = {}
    for model_id, spec in library.items():
        home = home_department(spec.department, departments)
        if home is not None:
            out[model_id] = home
    return out


def review_models(library: Mapping[str, ModelSpec]) -> frozenset[str]:
    """Models whose hits are 待核对 items, listed apart from the lead queue."""
    return frozenset(m for m, spec in library.items() if spec.kind == "review")


def _undispatched(t: Table) -> ColumnElement[bool]:
    """A lead waiting undispatched, in `leads` (NULL) or in `lead_tallies` ('')."""
    column = t.c.dispatch_department
    return column == NOT_DISPATCHED if t is lead_tallies else column.is_(None)


def _department_parts(
    department: str, home: Mapping[str, str], t: Table = leads
) -> list[ColumnElement[bool]]:
    """A lead dispatched to `department`; one waiting undispatched in its queue."""
    own = [m for m, d in home.items() if d == department]
    parts = [t.c.dispatch_department == department]
    if own:
        parts.append(_undispatched(t) & t.c.model_id.in_(own))
    return parts


def scope_parts(
    scope: Scope, home: Mapping[str, str], t: Table = leads
) -> list[ColumnElement[bool]] | None:
    """`lead_scope` as conditions of which no two hold for one lead (None: every lead), each
    one range of an index (`leads.store`): a count adds up one range each, where their OR
    would be tested on every lead. `t` is `leads`, or `lead_tallies` for a scope that is not of
    single records (a tally row has no lead id)."""
    if scope.everything:
        return None
    if scope.nothing:
        return [false()]
    if scope.kind == "records":
        return [t.c.id.in_([int(i) for i in scope.granted("lead")])]
    mine = t.c.dispatch_prosecutor == scope.prosecutor
    if scope.kind == "assigned":
        return [mine]
    if scope.department is None:
        return [mine] if scope.kind == "own" else [false()]
    parts = _department_parts(scope.department, home, t)
    if scope.kind == "own":  # and what is dispatched to the user in another department
        parts.append(mine & (t.c.dispatch_department != scope.department))
    return parts


def lead_scope(scope: Scope, home: Mapping[str, str]) -> ColumnElement[bool] | None:
    """`users.access.visible` for leads, as a condition on `leads` alone (None: every lead):
    where a lead is dispatched is on the lead (`dispatch_department`, `dispatch_prosecutor`).
    `home` is `homes(library, departments)`."""
    parts = scope_parts(scope, home)
    return None if parts is None else or_(*parts)


def lead_refs(
    conn: Connection, lead_ids: Sequence[int], home: Mapping[str, str]
) -> dict[int, LeadRef]:
    """Where each of the leads that exist is (for `users.access.visible`)."""
    rows = conn.execute(
        select(
            leads.c.id,
            leads.c.model_id,
            leads.c.dispatch_department,
            leads.c.dispatch_prosecutor,
        ).where(leads.c.id.in_(list(lead_ids)))
    )
    return {
        r.id: LeadRef(r.id, r.dispatch_department, r.dispatch_prosecutor, home.get(r.model_id))
        for r in rows
    }


def check_visible(
    conn: Connection, user: User, lead_ids: Sequence[int], home: Mapping[str, str]
) -> None:
    """Refuse, as not found, leads that do not exist, are outside the user's scope or rest on
    a sealed juvenile record (nobody dispatches, accepts or dismisses them) — in one answer, so
    that which of them exist is not disclosed."""
    scope = scope_of(user)
    refs = lead_refs(conn, lead_ids, home)
    sealed = sealing_visibility.sealed_now(conn).leads  # resting on a sealed juvenile record
    hidden = [i for i in lead_ids if i not in refs or not visible(scope, refs[i]) or i in sealed]
    if hidden:
        raise missing_or_hidden("lead", hidden)


ORDERS = {"model": "按模型", "newest": "最新发现在前", "oldest": "最早发现在前"}
"""The orders a queue can be listed in, with their Chinese labels."""


def _ordering(order: str) -> tuple[Any, ...]:
    if order == "newest":
        return (leads.c.created_at.desc(), leads.c.id.desc())
    if order == "oldest":
        return (leads.c.created_at, leads.c.id)
    if order == "model":
        return (leads.c.model_id, leads.c.id)
    raise UserError(
        f"排序方式“{order}”无效。可选：{'、'.join(ORDERS.values())}。", code="bad_order"
    )


class LeadPage(Page):
    """One page of the queue that also knows how many of the leads matched (on every page, not
    only this one) the latest run no longer found: they are counted apart, since a queue of
    "42 leads" of which 30 the data no longer shows reads otherwise as 42 live ones."""

    def __init__(
        self, rows: list[dict[str, Any]], total: int, offset: int, limit: int | None, stale: int
    ) -> None:
        super().__init__(rows, total, offset, limit)
        self.stale = stale


def _any_of(parts: list[ColumnElement[bool]], dialect: str) -> ColumnElement[bool]:
    """Any of `parts`, for the page. SQLite answers an OR of terms that indexes hold by reading
    each term's index range and sorting their union: for a department's 600,000 leads that
    takes a second, where walking the index of the list's order and testing each lead stops
    after the page. The same test as a CASE is not read from an index."""
    if len(parts) == 1 or dialect != "sqlite":
        return or_(*parts)
    return case(*((p, 1) for p in parts), else_=0) == 1


COLUMNS = (
    leads.c.id,
    leads.c.model_id,
    leads.c.subject,
    leads.c.title,
    leads.c.status,
    leads.c.active,
    leads.c.evidence_rows,
    leads.c.created_at,
    leads.c.town,
    leads.c.dispatch_department.label("department"),
    leads.c.dispatch_prosecutor.label("prosecutor"),
)
"""What a row of the queue shows (no evidence)."""


def _fetch(
    store: Engine,
    query: Select[Any],
    ordering: tuple[Any, ...],
    parts: list[ColumnElement[bool]] | None,
    offset: int,
    limit: int | None,
    tallied: tuple[list[ColumnElement[bool]], list[ColumnElement[bool]] | None] | None = None,
    untallied: Select[Any] | None = None,
) -> LeadPage:
    """One page of `query` (leads' ids, filtered, in `ordering`) narrowed to any of `parts`
    (`scope_parts`: no lead in two), with how many leads matched and how many of them are
    不再命中.

    The page's ids are found first, from an index alone; only the rows shown are read (a lead
    row carries its evidence: PostgreSQL would read every row it passes to test the filters).
    Both counts are taken in one pass per part and added up, and only when the page does not
    already show every match (a first page shorter than its limit is the whole list). With
    `tallied` (the same filters and `parts` on `lead_tallies`) the counts add up tally rows;
    else every column the queue filters on is in its indexes (`leads.store`), so a count reads
    an index, never the lead rows. `untallied` are leads the tallies count but the list leaves
    out (those resting on a sealed record, a handful) matching the same filters: their count is
    taken off the tallies'."""
    check_window(offset, limit)
    listed = query.where(_any_of(parts, store.dialect.name)) if parts is not None else query
    listed = listed.order_by(*ordering)
    if limit is None and not offset:
        window = listed.with_only_columns(*COLUMNS)
    else:
        ids = listed.offset(offset) if offset else listed
        if limit is not None:
            ids = ids.limit(limit)
        window = select(*COLUMNS).where(leads.c.id.in_(ids)).order_by(*ordering)
    with store.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(window)]
        if offset == 0 and (limit is None or len(rows) < limit):
            total, stale = len(rows), sum(1 for r in rows if not r["active"])
        elif tallied is not None:
            total, stale = _tally_counts(conn, *tallied)
            if untallied is not None:
                n, gone = _index_counts(conn, untallied, parts)
                total, stale = total - n, stale - gone
        else:
            total, stale = _index_counts(conn, query, parts)
    return LeadPage(rows, total, offset, limit, stale)


def _index_counts(
    conn: Connection, query: Select[Any], parts: list[ColumnElement[bool]] | None
) -> tuple[int, int]:
    """How many leads `query` matches in any of `parts`, and how many of them are 不再命中:
    one count per part (no lead is in two), added up."""
    total = stale = 0
    for part in parts if parts is not None else [None]:
        counted = query.with_only_columns(
            func.count(),
            func.coalesce(func.sum(case((leads.c.active.is_(False), 1), else_=0)), 0),
            maintain_column_froms=True,
        ).order_by(None)
        if part is not None:
            counted = counted.where(part)
        n, gone = conn.execute(counted).one()
        total, stale = total + int(n), stale + int(gone)
    return total, stale


def _tally_counts(
    conn: Connection,
    where: list[ColumnElement[bool]],
    parts: list[ColumnElement[bool]] | None,
) -> tuple[int, int]:
    """How many leads, and how many of them 不再命中, the tally rows matching `where` and any
    of `parts` count."""
    t = lead_tallies
    counted = select(
        func.coalesce(func.sum(t.c.n), 0),
        func.coalesce(func.sum(case((t.c.active.is_(False), t.c.n), else_=0)), 0),
    ).where(*where)
    if parts is not None:
        counted = counted.where(or_(*parts))
    n, gone = conn.execute(counted).one()
    return int(n), int(gone)


def queue(
    store: Engine,
    user: User,
    *,
    status: str | None = "new",
    department: str | None = None,
    prosecutor: str | None = None,
    model_id: str | None = None,
    undispatched: bool = False,
    home: Mapping[str, str] | None = None,
    offset: int = 0,
    limit: int | None = None,
    review: bool = False,
    review_models: Collection[str] = (),
    order: str = "model",
    since: dt.date | None = None,
    until: dt.date | None = None,
    town: str | None = None,
) -> LeadPage:
    """The lead queue (one list per department or prosecutor), without evidence; audited.

    `home` is `homes(library, departments)`: a lead not yet dispatched is in its model's home
    department's queue, shown with that department and `dispatched` false. `offset` and `limit`
    choose one page (all rows when `limit` is None); the page knows how many matched, and how
    many of them are 不再命中 (`LeadPage.stale`). `order` is one of `ORDERS`; `since` and `until`
    keep the leads first found on or after, on or before those days (Beijing days); `town` those
    in that town (乡镇), or without one when it is `leads.town.NO_TOWN`. Hits of the `review_models` (`review_models()`:
    models of kind `review`, 待核对 items that are not accusations yet) are never in the lead
    queue; `review=True` lists them instead. Only the leads in the user's scope are listed
    (`lead_scope`), so the page and its total are the user's.
    """
    require(user, "view_leads")
    home = home or {}
    ordering = _ordering(order)
    scope = scope_of(user)

    def conditions(t: Table) -> tuple[list[ColumnElement[bool]], list[ColumnElement[bool]] | None]:
        where: list[ColumnElement[bool]] = []
        if review:
            where.append(t.c.model_id.in_(list(review_models)))
        elif review_models:
            where.append(t.c.model_id.not_in(list(review_models)))
        if status:
            where.append(t.c.status == status)
        if prosecutor:
            where.append(t.c.dispatch_prosecutor == prosecutor)
        if model_id:
            where.append(t.c.model_id == model_id)
        if undispatched:
            where.append(_undispatched(t))
        parts = scope_parts(scope, home, t)
        if department:
            chosen = _department_parts(department, home, t)
            parts = [p & c for p in parts for c in chosen] if parts is not None else chosen
        return where, parts

    where, parts = conditions(leads)
    if since:
        where.append(leads.c.created_at >= beijing.day_start(since))
    if until:
        where.append(leads.c.created_at < beijing.day_after(until))
    if town:
        where.append(leads.c.town.is_(None) if town == NO_TOWN else leads.c.town == town)
    # the tallies count by Beijing month, not by day or town, and have no lead ids
    tallied = None
    if not town and scope.kind != "records" and beijing.whole_months(since, until):
        in_tally, tally_parts = conditions(lead_tallies)
        in_tally += beijing.month_window(lead_tallies.c.found_month, since, until)
        tallied = (in_tally, tally_parts)
    # leads resting on a sealed juvenile record are in nobody's list, nor in its total: the
    # tallies count them, so the few of them the filters match are taken off the tallies' count
    hidden = sorted(sealing_visibility.sealed(store).lead_ids)
    matched = select(leads.c.id).select_from(leads).where(*where)
    query = matched.where(leads.c.id.not_in(hidden)) if hidden else matched
    sealed_matches = matched.where(leads.c.id.in_(hidden)) if hidden else None
    rows = _fetch(store, query, ordering, parts, offset, limit, tallied, sealed_matches)
    for r in rows:
        r["status_label"] = status_label(r["status"], bool(r["active"]))
        r["dispatched"] = r["department"] is not None
        if r["department"] is None:
            r["department"] = home.get(r["model_id"])
    filters = {
        "status": status,
        "department": department,
        "prosecutor": prosecutor,
        "model": model_id,
        "undispatched": undispatched,
        "review": review,
        **({"order": order} if order != "model" else {}),
        **({"since": since.isoformat()} if since else {}),
        **({"until": until.isoformat()} if until else {}),
        **({"town": town} if town else {}),
    }
    audit.record_page_view(store, user.name, "lead", filters, rows)
    return rows
