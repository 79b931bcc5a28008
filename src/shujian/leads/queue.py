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

from sqlalchemy import ColumnElement, Connection, Engine, false, select

from shujian import audit, beijing
from shujian.errors import UserError
from shujian.leads.service import status_label
from shujian.leads.store import lead_dispatches, leads
from shujian.leads.town import NO_TOWN
from shujian.models.spec import ModelSpec
from shujian.paging import Page, count, fetch_page
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


def _in_department(department: str, home: Mapping[str, str]) -> ColumnElement[bool]:
    """A lead dispatched to `department`, or waiting undispatched in its queue."""
    own = [m for m, d in home.items() if d == department]
    mine = lead_dispatches.c.department == department
    # Without models of its own a department's queue is what was dispatched to it: one
    # condition the department index answers (an OR would scan every lead).
    if not own:
        return mine
    return mine | (lead_dispatches.c.lead_id.is_(None) & leads.c.model_id.in_(own))


def lead_scope(scope: Scope, home: Mapping[str, str]) -> ColumnElement[bool] | None:
    """`users.access.visible` for leads, as a condition on `leads` outer-joined to
    `lead_dispatches` (None: every lead). `home` is `homes(library, departments)`."""
    if scope.everything:
        return None
    if scope.nothing:
        return false()
    if scope.kind == "records":
        return leads.c.id.in_([int(i) for i in scope.granted("lead")])
    mine = lead_dispatches.c.prosecutor == scope.prosecutor
    if scope.kind == "assigned":
        return mine
    department = _in_department(scope.department, home) if scope.department is not None else false()
    return department | mine if scope.kind == "own" else department


def lead_refs(
    conn: Connection, lead_ids: Sequence[int], home: Mapping[str, str]
) -> dict[int, LeadRef]:
    """Where each of the leads that exist is (for `users.access.visible`)."""
    rows = conn.execute(
        select(
            leads.c.id, leads.c.model_id, lead_dispatches.c.department, lead_dispatches.c.prosecutor
        )
        .select_from(leads.outerjoin(lead_dispatches))
        .where(leads.c.id.in_(list(lead_ids)))
    )
    return {r.id: LeadRef(r.id, r.department, r.prosecutor, home.get(r.model_id)) for r in rows}


def check_visible(
    conn: Connection, user: User, lead_ids: Sequence[int], home: Mapping[str, str]
) -> None:
    """Refuse, as not found, leads that do not exist or are outside the user's scope — in one
    answer, so that which of them exist is not disclosed."""
    scope = scope_of(user)
    refs = lead_refs(conn, lead_ids, home)
    hidden = [i for i in lead_ids if i not in refs or not visible(scope, refs[i])]
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

    def __init__(self, page: Page, stale: int) -> None:
        super().__init__(list(page), page.total, page.offset, page.limit)
        self.stale = stale


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
    query = (
        select(
            leads.c.id,
            leads.c.model_id,
            leads.c.subject,
            leads.c.title,
            leads.c.status,
            leads.c.active,
            leads.c.evidence_rows,
            leads.c.created_at,
            leads.c.town,
            lead_dispatches.c.department,
            lead_dispatches.c.prosecutor,
        )
        .select_from(leads.outerjoin(lead_dispatches))
        .order_by(*_ordering(order))
    )
    if since:
        query = query.where(leads.c.created_at >= beijing.day_start(since))
    if until:
        query = query.where(leads.c.created_at < beijing.day_after(until))
    if review:
        query = query.where(leads.c.model_id.in_(list(review_models)))
    elif review_models:
        query = query.where(leads.c.model_id.not_in(list(review_models)))
    if status:
        query = query.where(leads.c.status == status)
    scoped = lead_scope(scope_of(user), home)
    if scoped is not None:
        query = query.where(scoped)
    if department:
        query = query.where(_in_department(department, home))
    if prosecutor:
        query = query.where(lead_dispatches.c.prosecutor == prosecutor)
    if model_id:
        query = query.where(leads.c.model_id == model_id)
    if undispatched:
        query = query.where(lead_dispatches.c.lead_id.is_(None))
    if town:
        query = query.where(leads.c.town.is_(None) if town == NO_TOWN else leads.c.town == town)
    with store.connect() as conn:
        page = fetch_page(conn, query, offset, limit)
        stale = (
            sum(1 for r in page if not r["active"])
            if len(page) == page.total
            else count(conn, query.where(leads.c.active.is_(False)))
        )
    rows = LeadPage(page, stale)
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
