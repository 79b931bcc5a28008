"""未成年人: the register of key minors — counts per category, town and village, the paged list,
one minor's page (一人一档), who is due a visit this month and who is late, and the visit form.

Every route calls the services `shujian minors …` calls (`juvenile.service.Register`,
`juvenile.visits.record_visit`) with the signed-in user, whose grants are filled for the day
(`Register.with_grants`): a helping unit's account sees and records only the minors assigned to
its unit, and any other minor answers 404 like one not on the register. A minor is named in
addresses by their reference (`juvenile.refs`), never by the ID number, which is masked on every
page unless a user who may reveal it gives a reason (audited).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from shujian.errors import UserError
from shujian.juvenile import visits
from shujian.juvenile.register import Month
from shujian.juvenile.service import Counts
from shujian.juvenile.tiers.access import may_decide
from shujian.users.access import can, require
from shujian.web.auth import SignedInUser
from shujian.web.pages import form_date, refusal_status, render
from shujian.web.register_context import RegisterContext

router = APIRouter()

PER_PAGE = 50


class _Context(RegisterContext):
    """The register and the user with their grants for today, once per request."""


def _page_number(text: str) -> int:
    return int(text) if text.isdigit() and int(text) > 0 else 1


def pivot(counts: Counts, town: str | None, labels: Mapping[str, str]) -> dict[str, Any]:
    """The counts as a table: one row per town (or, for one town, per village), one column per
    category, with row and column totals (minor-category pairs: a minor in two categories is
    in both columns)."""
    categories = [c for c in labels if c in counts.categories]
    rows: dict[str, dict[str, int]] = {}
    for r in counts.rows:
        if town and r["town"] != town:
            continue
        key = r["village"] if town else r["town"]
        rows.setdefault(key, {})[r["category"]] = (
            rows.get(key, {}).get(r["category"], 0) + r["minors"]
        )
    table = [
        (place, [cells.get(c, 0) for c in categories]) for place, cells in sorted(rows.items())
    ]
    return {
        "categories": [(c, labels[c]) for c in categories],
        "rows": [{"place": p, "cells": cells, "total": sum(cells)} for p, cells in table],
        "totals": [sum(cells[i] for _, cells in table) for i in range(len(categories))],
    }


def _query(base: Mapping[str, Any], **changes: Any) -> str:
    merged = {k: v for k, v in {**base, **changes}.items() if v not in (None, "", 1)}
    return "?" + urlencode(merged) if merged else ""


@router.get("/minors")
def register_page(
    request: Request,
    user: SignedInUser,
    category: str = "",
    town: str = "",
    village: str = "",
    on: str = "",
    page: str = "1",
) -> Response:
    ctx = _Context(request, user)
    register = ctx.register
    try:
        day = form_date(on, "在册日期") or ctx.today
        chosen = register.category_code(category) if category else None
        counts = register.counts(ctx.user, day)
        number = _page_number(page)
        rows = register.minors(
            ctx.user,
            day,
            category=chosen,
            town=town or None,
            village=village or None,
            offset=(number - 1) * PER_PAGE,
            limit=PER_PAGE,
        )
    except UserError as error:
        return ctx.refused(error)
    labels = register.category_labels()
    filters = {"category": chosen or "", "town": town, "village": village, "on": on}
    return render(
        request,
        "minors/register.html",
        {
            "counts": counts,
            "pivot": pivot(counts, town or None, labels),
            "labels": labels,
            "places": register.places(ctx.user, day),
            "rows": rows,
            "page": rows,
            "filters": filters,
            "day": day,
            "today": ctx.today,
            "query": lambda **changes: _query(filters, **changes),
            "may_record": can(ctx.user, "record_visit"),
            "helper": ctx.user.unit,
            "tab": "register",
        },
    )


@router.post("/minors/find")
def find(request: Request, user: SignedInUser, number: Annotated[str, Form()] = "") -> Response:
    """A minor by the number typed (sent in the body, so it is in no address), to their page."""
    ctx = _Context(request, user)
    try:
        id_card = ctx.register.find(ctx.user, number)
        ref = ctx.register.ref(id_card)
    except UserError as error:
        if error.code != "not_found":
            return ctx.refused(error)
        return render(
            request,
            "error.html",
            {"title": "找不到", "message": error.message},
            status_code=404,
        )
    return RedirectResponse(f"/minors/{ref}", status_code=303)


def _visit_list(
    request: Request,
    ctx: _Context,
    late: bool,
    month: str,
    page: str,
) -> Response:
    register = ctx.register
    try:
        number = _page_number(page)
        offset = (number - 1) * PER_PAGE
        if late:
            chosen = None
            rows = register.late(ctx.user, ctx.today, offset=offset, limit=PER_PAGE)
        else:
            chosen = Month.parse(month) if month else Month.of(ctx.today)
            rows = register.due(ctx.user, chosen, ctx.today, offset=offset, limit=PER_PAGE)
    except UserError as error:
        return ctx.refused(error)
    filters = {"month": month}
    return render(
        request,
        "minors/visits.html",
        {
            "rows": rows,
            "page": rows,
            "late": late,
            "month": chosen,
            "months": [m.label for m in _recent_months(ctx.today)],
            "query": lambda **changes: _query(filters, **changes),
            "may_record": can(ctx.user, "record_visit"),
            "helper": ctx.user.unit,
            "tab": "late" if late else "due",
            "late_months": register.rule.late_months,
        },
    )


def _recent_months(today: dt.date, count: int = 12) -> Sequence[Month]:
    months = [Month.of(today)]
    while len(months) < count:
        months.append(months[-1].previous())
    return months


@router.get("/minors/due")
def due_page(request: Request, user: SignedInUser, month: str = "", page: str = "1") -> Response:
    return _visit_list(request, _Context(request, user), False, month, page)


@router.get("/minors/late")
def late_page(request: Request, user: SignedInUser, page: str = "1") -> Response:
    return _visit_list(request, _Context(request, user), True, "", page)


# ---- one minor ------------------------------------------------------------------------------


def _minor_page(
    request: Request,
    ctx: _Context,
    ref: str,
    *,
    reveal_reason: str = "",
    error: str = "",
    notice: str = "",
) -> Response:
    register = ctx.register
    try:
        id_card = register.resolve_ref(ctx.user, ref)
        file = register.minor_file(
            ctx.user,
            id_card,
            ctx.today,
            reveal=bool(reveal_reason.strip()),
            reason=reveal_reason,
        )
    except UserError as refusal:
        return ctx.refused(refusal)
    return render(
        request,
        "minors/minor.html",
        {
            "m": file,
            "error": error,
            "notice": notice,
            "may_reveal": can(ctx.user, "reveal_id"),
            "may_record": can(ctx.user, "record_visit"),
            "may_supervise": can(ctx.user, "supervise_minors"),
            "may_set_tier": may_decide(ctx.user, register.juvenile_department),
            "tab": "",
        },
        status_code=400 if error else 200,
    )


DONE = {
    "visit": "已登记走访。下次模型运行即读到这次走访。",
    "again": "这次走访已经登记过，未重复登记。",
    "tier": "已登记分级干预记录。",
}


@router.get("/minors/{ref}")
def minor_page(request: Request, user: SignedInUser, ref: str, done: str = "") -> Response:
    return _minor_page(request, _Context(request, user), ref, notice=DONE.get(done, ""))


@router.post("/minors/{ref}/reveal")
def reveal(
    request: Request, user: SignedInUser, ref: str, reason: Annotated[str, Form()] = ""
) -> Response:
    """显示完整号码: only with a reason, which the audit entry of the view keeps."""
    ctx = _Context(request, user)
    if not reason.strip():
        return _minor_page(request, ctx, ref, error="显示完整号码须填写查看理由（记入审计日志）。")
    return _minor_page(request, ctx, ref, reveal_reason=reason)


def _visit_form(
    request: Request,
    ctx: _Context,
    ref: str,
    form: Mapping[str, Any],
    error: str = "",
) -> Response:
    register = ctx.register
    try:
        require(ctx.user, "record_visit")
        id_card = register.resolve_ref(ctx.user, ref)
        file = register.minor_file(ctx.user, id_card, ctx.today)
    except UserError as refusal:
        return ctx.refused(refusal)
    return render(
        request,
        "minors/visit.html",
        {
            "m": file,
            "form": form,
            "choices": visits.choices(register),
            "today": ctx.today,
            "error": error,
            "tab": "",
        },
        status_code=400 if error else 200,
    )


@router.get("/minors/{ref}/visit")
def visit_form(request: Request, user: SignedInUser, ref: str) -> Response:
    ctx = _Context(request, user)
    blank = {"visited_on": ctx.today.isoformat(), "visitor": ctx.user.name, "targets": []}
    return _visit_form(request, ctx, ref, blank)


@router.post("/minors/{ref}/visit")
def record(
    request: Request,
    user: SignedInUser,
    ref: str,
    visited_on: Annotated[str, Form()] = "",
    target: Annotated[list[str] | None, Form()] = None,
    visitor: Annotated[str, Form()] = "",
    help_content: Annotated[list[str] | None, Form()] = None,
    measures: Annotated[list[str] | None, Form()] = None,
    notes: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request, user)
    typed = {
        "visited_on": visited_on,
        "targets": target or [],
        "visitor": visitor,
        "help_content": help_content or [],
        "measures": measures or [],
        "notes": notes,
    }
    register = ctx.register
    try:
        id_card = register.resolve_ref(ctx.user, ref)
    except UserError as refusal:
        return ctx.refused(refusal)
    try:
        day = form_date(visited_on, "走访日期")
        if day is None:
            raise UserError("请填写走访日期。", code="no_visit_date")
        result = visits.record_visit(
            register,
            ctx.user,
            id_card,
            visits.VisitForm(
                visited_on=day,
                targets=tuple(typed["targets"]),
                visitor=visitor.strip(),
                help_content=tuple(typed["help_content"]),
                measures=tuple(typed["measures"]),
                notes=notes,
            ),
            today=ctx.today,
        )
    except UserError as refusal:
        if refusal_status(refusal) != 400:
            return ctx.refused(refusal)
        return _visit_form(request, ctx, ref, typed, error=refusal.message)
    done = "again" if result.already_imported else "visit"
    return RedirectResponse(f"/minors/{ref}?done={done}", status_code=303)
