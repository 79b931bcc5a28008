"""未成年人 › 督促监护令: the orders (overdue follow-ups first), one order (its visits, the .docx,
the forms to record a follow-up, a 训诫 and a guidance session), the issue form, and the
家庭教育指导 sessions.

Every route calls the services `shujian minors order …` calls (`juvenile.guardianship`) with the
signed-in user. A helping unit's account (scope `records`) is answered 404 on every page here. A
minor is named in addresses by its reference (编号), never its number. Paths sit under
/minors/orders and /minors/guidance: the family is included before `web.minors`
(`web.app.FAMILIES`) so that its paths are matched first.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from shujian.beijing import today_in_china
from shujian.errors import UserError
from shujian.juvenile.guardianship import orders, records, rules
from shujian.users.access import can
from shujian.web.auth import SignedInUser
from shujian.web.pages import form_date, refusal_status, render
from shujian.web.register_context import OwnWorkContext

router = APIRouter()

BASE = "/minors/orders"
GUIDANCE = "/minors/guidance"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

NOTICES = {
    "issued": "已制发督促监护令，文书已存档。",
    "follow_up": "已登记回访。",
    "reprimand": "已登记训诫。",
    "guidance": "已登记家庭教育指导。",
}


class _Context(OwnWorkContext):
    """The register, the user and today, once per request; a helping unit's account is 404."""

    def page(self, name: str, context: dict[str, Any], status: int = 200) -> Response:
        return render(
            self.request,
            f"minors/guardianship/{name}.html",
            {
                "tab": "orders",
                "helper": None,
                "may_work": can(self.user, "juvenile_work"),
                "may_issue": can(self.user, "juvenile_work") and can(self.user, "issue_document"),
                "today": self.today,
                "outcomes": rules.OUTCOMES,
                "grounds": rules.GROUNDS,
                "forms": rules.FORMS,
                **context,
            },
            status_code=status,
        )

    def minor(self, ref: str) -> tuple[str, str]:
        """The number and name behind a reference (not found as the register answers)."""
        id_card = self.register.resolve_ref(self.user, ref)
        return id_card, orders.minor_name(self.register, id_card)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# ---------------------------------------------------------------------------- the list


@router.get(BASE)
def orders_page(request: Request, user: SignedInUser, minor: str = "", done: str = "") -> Response:
    ctx = _Context(request, user)
    try:
        if minor:
            id_card, name = ctx.minor(minor)
            rows = orders.list_orders(ctx.register, ctx.user, ctx.today, id_card=id_card)
            reprimands = records.reprimands_of(ctx.register, ctx.user, id_card)
            sessions = records.sessions_of(ctx.register, ctx.user, id_card)
            late: list[dict[str, Any]] = []
        else:
            name, reprimands, sessions = "", [], []
            rows = orders.list_orders(ctx.register, ctx.user, ctx.today)
            late = orders.overdue(ctx.register, ctx.user, ctx.today)
    except UserError as error:
        return ctx.refused(error)
    return ctx.page(
        "orders",
        {
            "rows": rows,
            "late": late,
            "minor": minor,
            "name": name,
            "reprimands": reprimands,
            "sessions": sessions,
            "notice": NOTICES.get(done, ""),
        },
    )


# ---------------------------------------------------------------------------- issuing


def _issue_form(
    ctx: _Context, minor: str, typed: dict[str, Any], error: str = "", status: int = 200
) -> Response:
    try:
        _, name = ctx.minor(minor)
    except UserError as refusal:
        return ctx.refused(refusal)
    months = orders.follow_up_months(ctx.register)
    schedule = rules.schedule(ctx.today, months, ctx.register.ws.calendar)
    form = {"basis": ["family_education_49"], "on_date": ctx.today.isoformat(), **typed}
    return ctx.page(
        "new",
        {
            "minor": minor,
            "name": name,
            "form": form,
            "error": error,
            "entered": orders.numbering_mode(ctx.register) == "entered",
            "schedule": schedule,
        },
        status=status,
    )


@router.get(BASE + "/new")
def new_order(request: Request, user: SignedInUser, minor: str = "") -> Response:
    ctx = _Context(request, user)
    if not (can(user, "juvenile_work") and can(user, "issue_document")):
        return ctx.refused(UserError(f"“{user.name}”不能制发督促监护令。", code="forbidden"))
    return _issue_form(ctx, minor, {})


@router.post(BASE + "/new")
def issue_order(
    request: Request,
    user: SignedInUser,
    minor: Annotated[str, Form()] = "",
    guardian: Annotated[str, Form()] = "",
    relation: Annotated[str, Form()] = "",
    facts: Annotated[str, Form()] = "",
    items: Annotated[str, Form()] = "",
    basis: Annotated[list[str] | None, Form()] = None,
    guidance: Annotated[str, Form()] = "",
    number: Annotated[str, Form()] = "",
    on_date: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request, user)
    typed = {
        "guardian": guardian,
        "relation": relation,
        "facts": facts,
        "items": items,
        "basis": basis or [],
        "guidance": guidance,
        "number": number,
        "on_date": on_date,
    }
    try:
        issued = orders.issue_order(
            ctx.register,
            ctx.user,
            ctx.today,
            minor,
            guardian=guardian,
            relation=relation,
            facts=_lines(facts),
            items=_lines(items),
            basis=basis or [],
            guidance=guidance,
            on_date=form_date(on_date, "制发日期"),
            number=number or None,
        )
    except UserError as refusal:
        if refusal_status(refusal) != 400:
            return ctx.refused(refusal)
        return _issue_form(ctx, minor, typed, error=refusal.message, status=400)
    return RedirectResponse(f"{BASE}/{issued.id}?done=issued", status_code=303)


# ---------------------------------------------------------------------------- one order


def _order_page(ctx: _Context, order_id: int, notice: str = "", error: str = "") -> Response:
    try:
        order = orders.get_order(ctx.register, ctx.user, order_id, ctx.today)
    except UserError as refusal:
        return ctx.refused(refusal)
    pending = [v["visit"] for v in order["visits"] if v["record"] is None]
    return ctx.page(
        "order",
        {
            "o": order,
            "notice": notice,
            "error": error,
            "next_visit": pending[0] if pending else None,
        },
        status=400 if error else 200,
    )


@router.get(BASE + "/{order_id}")
def order_page(request: Request, user: SignedInUser, order_id: int, done: str = "") -> Response:
    return _order_page(_Context(request, user), order_id, notice=NOTICES.get(done, ""))


@router.get(BASE + "/{order_id}/document")
def order_document(request: Request, user: SignedInUser, order_id: int) -> Response:
    ctx = _Context(request, user)
    folder = Path(tempfile.mkdtemp(prefix="shujian-order-"))
    try:
        _, number = orders.order_minor(ctx.register, ctx.user, order_id)
        printed = orders.render_again(ctx.register, ctx.user, number, folder / "order.docx")
    except UserError as refusal:
        shutil.rmtree(folder, ignore_errors=True)
        return ctx.refused(refusal)
    return FileResponse(
        printed.path,
        filename=f"督促监护令{number}.docx",
        media_type=DOCX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(f'{number}.docx')}"},
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


def _change(ctx: _Context, order_id: int, done: str, act: Any) -> Response:
    try:
        act()
    except UserError as refusal:
        if refusal_status(refusal) != 400:
            return ctx.refused(refusal)
        return _order_page(ctx, order_id, error=refusal.message)
    return RedirectResponse(f"{BASE}/{order_id}?done={done}", status_code=303)


def _day(text: str, what: str) -> dt.date:
    return form_date(text, what) or today_in_china()


@router.post(BASE + "/{order_id}/follow-up")
def follow_up(
    request: Request,
    user: SignedInUser,
    order_id: int,
    visit: Annotated[str, Form()] = "",
    on_date: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    by: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request, user)
    return _change(
        ctx,
        order_id,
        "follow_up",
        lambda: orders.record_follow_up(
            ctx.register,
            ctx.user,
            order_id,
            ctx.today,
            on_date=_day(on_date, "回访日期"),
            outcome=outcome,
            note=note,
            visit=int(visit) if visit.strip().isdigit() else None,
            by=by or None,
        ),
    )


@router.post(BASE + "/{order_id}/reprimand")
def reprimand(
    request: Request,
    user: SignedInUser,
    order_id: int,
    guardian: Annotated[str, Form()] = "",
    relation: Annotated[str, Form()] = "",
    on_date: Annotated[str, Form()] = "",
    ground: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    by: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request, user)

    def act() -> None:
        ref, number = orders.order_minor(ctx.register, ctx.user, order_id)
        records.record_reprimand(
            ctx.register, ctx.user, ctx.today, ref, guardian=guardian, relation=relation,
            on_date=_day(on_date, "训诫日期"), ground=ground, text=text, by=by or None,
            order=number,
        )  # fmt: skip

    return _change(ctx, order_id, "reprimand", act)


@router.post(BASE + "/{order_id}/guidance")
def order_guidance(
    request: Request,
    user: SignedInUser,
    order_id: int,
    guardians: Annotated[str, Form()] = "",
    on_date: Annotated[str, Form()] = "",
    form: Annotated[str, Form()] = "",
    content: Annotated[str, Form()] = "",
    by: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request, user)

    def act() -> None:
        ref, number = orders.order_minor(ctx.register, ctx.user, order_id)
        records.record_guidance(
            ctx.register, ctx.user, ctx.today, ref, guardians=_names(guardians),
            on_date=_day(on_date, "指导日期"), form=form, content=content, by=by or None,
            order=number,
        )  # fmt: skip

    return _change(ctx, order_id, "guidance", act)


def _names(text: str) -> list[str]:
    for sep in ("，", ",", "、", "\n"):
        text = text.replace(sep, " ")
    return [n for n in text.split() if n]


# ---------------------------------------------------------------------------- 家庭教育指导


@router.get(GUIDANCE)
def guidance_page(
    request: Request, user: SignedInUser, minor: str = "", done: str = ""
) -> Response:
    ctx = _Context(request, user)
    return _guidance(ctx, minor, notice=NOTICES.get(done, ""))


def _guidance(
    ctx: _Context,
    minor: str,
    *,
    notice: str = "",
    error: str = "",
    typed: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    try:
        name = ctx.minor(minor)[1] if minor else ""
        sessions = records.list_sessions(ctx.register, ctx.user)
    except UserError as refusal:
        return ctx.refused(refusal)
    return ctx.page(
        "guidance",
        {
            "tab": "guidance",
            "sessions": sessions,
            "minor": minor,
            "name": name,
            "notice": notice,
            "error": error,
            "form": typed or {"on_date": ctx.today.isoformat()},
            "people": sum(len(s["guardians"]) for s in sessions),
        },
        status=status,
    )


@router.post(GUIDANCE)
def record_guidance(
    request: Request,
    user: SignedInUser,
    minor: Annotated[str, Form()] = "",
    guardians: Annotated[str, Form()] = "",
    on_date: Annotated[str, Form()] = "",
    form: Annotated[str, Form()] = "",
    content: Annotated[str, Form()] = "",
    by: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request, user)
    typed = {"guardians": guardians, "on_date": on_date, "form": form, "content": content, "by": by}
    try:
        records.record_guidance(
            ctx.register, ctx.user, ctx.today, minor, guardians=_names(guardians),
            on_date=_day(on_date, "指导日期"), form=form, content=content, by=by or None,
        )  # fmt: skip
    except UserError as refusal:
        if refusal_status(refusal) != 400:
            return ctx.refused(refusal)
        return _guidance(ctx, minor, error=refusal.message, typed=typed, status=400)
    return RedirectResponse(f"{GUIDANCE}?minor={minor}&done=guidance", status_code=303)
