"""分级干预 on the web: the form setting a minor's intervention tier (or ending the
intervention), reached from the minor's page (一人一档) and from a warning's lead page.

The routes call the services `shujian minors tier` calls (`juvenile.tiers.service`) with the
signed-in user: only the 未成年人检察部's heads and prosecutors (`juvenile_work`, seeing the whole
register) set a tier; a minor is named by reference, never by ID number, which the page masks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from shujian.errors import UserError
from shujian.juvenile.tiers import service
from shujian.juvenile.tiers.access import check_decide
from shujian.juvenile.tiers.rules import Change, declarations
from shujian.web.auth import SignedInUser
from shujian.web.minors import _Context
from shujian.web.pages import form_date, refusal_status, render

router = APIRouter()


def choices() -> dict[str, Any]:
    """The form's choices: the tiers; the items and the measures grouped by article, each
    group saying which tiers it serves (a measure shared by two tiers is listed once)."""
    dec = declarations()
    items: dict[str, list[tuple[str, str]]] = {}
    for code, item in dec.items.items():
        article = item.article.partition("条")[0] + "条"
        items.setdefault(article, []).append((code, item.text))
    measures: dict[str, dict[str, Any]] = {}
    for tier in dec.tiers:
        for m in tier.measures:
            group = measures.setdefault(m.article, {"tiers": [], "values": []})
            if tier.title not in group["tiers"]:
                group["tiers"].append(tier.title)
            if m.value not in group["values"]:
                group["values"].append(m.value)
    return {
        "tiers": [(t.id, t.title, t.basis) for t in dec.tiers],
        "items": items,
        "measures": measures,
        "law": dec.law,
    }


def _form(
    request: Request, ctx: _Context, ref: str, form: Mapping[str, Any], error: str = ""
) -> Response:
    register = ctx.register
    try:
        check_decide(ctx.user, register.juvenile_department)
        id_card = register.resolve_ref(ctx.user, ref)
        file = register.minor_file(ctx.user, id_card, ctx.today)
        found = service.history(register, ctx.user, id_card)
    except UserError as refusal:
        return ctx.refused(refusal)
    return render(
        request,
        "minors/tier.html",
        {
            "m": file,
            "form": form,
            "choices": choices(),
            "warnings": service.warnings_to_take_up(file["warnings"]),
            "history": found,
            "today": ctx.today,
            "error": error,
            "tab": "",
        },
        status_code=400 if error else 200,
    )


@router.get("/minors/{ref}/tier")
def tier_form(request: Request, user: SignedInUser, ref: str, lead: str = "") -> Response:
    ctx = _Context(request, user)
    blank = {
        "tier": "",
        "decided_on": ctx.today.isoformat(),
        "items": [],
        "measures": [],
        "reason": "",
        "lead": lead if lead.isdigit() else "",
    }
    return _form(request, ctx, ref, blank)


@router.post("/minors/{ref}/tier")
def set_tier(
    request: Request,
    user: SignedInUser,
    ref: str,
    tier: Annotated[str, Form()] = "",
    decided_on: Annotated[str, Form()] = "",
    items: Annotated[list[str] | None, Form()] = None,
    measures: Annotated[list[str] | None, Form()] = None,
    reason: Annotated[str, Form()] = "",
    lead: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request, user)
    typed = {
        "tier": tier,
        "decided_on": decided_on,
        "items": items or [],
        "measures": measures or [],
        "reason": reason,
        "lead": lead,
    }
    register = ctx.register
    try:
        check_decide(ctx.user, register.juvenile_department)
        id_card = register.resolve_ref(ctx.user, ref)
    except UserError as refusal:
        return ctx.refused(refusal)
    try:
        if not tier:
            raise UserError("请选择干预等级。", code="unknown_tier")
        day = form_date(decided_on, "决定日期")
        if day is None:
            raise UserError("请填写决定日期。", code="no_date")
        if lead.strip() and not lead.strip().isdigit():
            raise UserError(f"预警“{lead}”应为线索编号。", code="bad_lead")
        change = Change(
            tier=tier,
            decided_on=day,
            items=tuple(typed["items"]),
            reason=reason,
            measures=tuple(typed["measures"]),
            lead_id=int(lead) if lead.strip() else None,
        )
        service.set_tier(register, ctx.user, id_card, change, ctx.today)
    except UserError as refusal:
        if refusal_status(refusal) != 400:
            return ctx.refused(refusal)
        return _form(request, ctx, ref, typed, error=refusal.message)
    return RedirectResponse(f"/minors/{ref}?done=tier#tiers", status_code=303)
