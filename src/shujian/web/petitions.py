"""信访 (12309): the list (未办结、回复逾期、即将到期、已办结、领导包案), registering a petition,
one petition's page with its two deadlines, its steps and a form for each step still open, the
检察长接待日, and the figures (回复率、办结率、满意率) as a table and an .xlsx download.

Every route calls the services `shujian petitions …` calls (`petitions.service`) with the
signed-in user. Fixed paths are declared before `/petitions/{pid}`. ID numbers are masked; a
minor petitioner is named in full only on the petition's own page.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from shujian.beijing import today_in_china
from shujian.errors import UserError
from shujian.petitions import rules, service
from shujian.petitions.access import HANDLE, petition_scope
from shujian.users.access import can
from shujian.users.user import User
from shujian.web.auth import SignedInUser
from shujian.web.pages import form_date, refusal_status, render

router = APIRouter()

BASE = "/petitions"
PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

NOTICES = {
    "received": "已登记信访件。",
    "routed": "已分流。",
    "procedural": "已登记程序性回复。",
    "result": "已登记答复。",
    "feedback": "已登记评价。",
    "leader": "已登记领导包案。",
}


class _Context:
    def __init__(self, request: Request, user: User) -> None:
        self.request = request
        self.user = user
        self.today = today_in_china()
        self.ps = service.Petitions(request.app.state.workspace)

    @property
    def intake(self) -> bool:
        """Whether the user registers and routes petitions (the intake department's)."""
        try:
            return (
                can(self.user, HANDLE)
                and petition_scope(self.user, self.ps.intake_department).intake
            )
        except UserError:
            return False

    def page(self, name: str, context: dict[str, Any], status: int = 200) -> Response:
        d = rules.declarations()
        return render(
            self.request,
            f"petitions/{name}.html",
            {
                "today": self.today,
                "may_handle": can(self.user, HANDLE),
                "may_register": self.intake,
                "channels": d.channels,
                "categories": d.categories,
                "outcomes": d.procedural_outcomes,
                "result_kinds": d.result_kinds,
                "feedback_values": d.feedback,
                "deadlines": d.deadlines,
                "departments": self.ps.departments.names,
                "views": service.VIEWS,
                **context,
            },
            status_code=status,
        )

    def refused(self, error: UserError) -> Response:
        status = refusal_status(error)
        if status == 404:
            raise HTTPException(status_code=404) from error
        return render(
            self.request,
            "error.html",
            {"title": "无权访问" if status == 403 else "未能完成", "message": error.message},
            status_code=status,
        )


@router.get(BASE)
def list_page(
    request: Request,
    user: SignedInUser,
    view: str = "open",
    page: str = "1",
    reception_day: str = "",
) -> Response:
    ctx = _Context(request, user)
    chosen = view if view in service.VIEWS else "open"
    number = int(page) if page.isdigit() and int(page) > 0 else 1
    day = int(reception_day) if reception_day.isdigit() else None
    try:
        rows = service.list_petitions(
            ctx.ps,
            ctx.user,
            ctx.today,
            view="all" if day else chosen,
            reception_day=day,
            offset=(number - 1) * PER_PAGE,
            limit=PER_PAGE,
        )
        counts = service.counts(ctx.ps, ctx.user, ctx.today)
    except UserError as error:
        return ctx.refused(error)

    def query(**change: Any) -> str:
        asked = {"view": chosen, **({"reception_day": day} if day else {}), **change}
        return "?" + urlencode(asked)

    return ctx.page(
        "list",
        {
            "rows": rows,
            "page": rows,
            "view": chosen,
            "counts": counts,
            "reception_day": day,
            "due_soon_days": service.DUE_SOON_DAYS,
            "query": query,
        },
    )


@router.get(BASE + "/new")
def new_page(request: Request, user: SignedInUser) -> Response:
    ctx = _Context(request, user)
    if not ctx.intake:
        return ctx.refused(UserError("信访件由控告申诉检察部登记。", code="forbidden"))
    return ctx.page("new", {"form": {}, "error": "", "days": _days(ctx)})


def _days(ctx: _Context) -> list[dict[str, Any]]:
    return service.list_reception_days(ctx.ps, ctx.user)[:20]


@router.post(BASE + "/new")
def receive(
    request: Request,
    user: SignedInUser,
    received_on: Annotated[str, Form()] = "",
    channel: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    id_card: Annotated[str, Form()] = "",
    contact: Annotated[str, Form()] = "",
    minor: Annotated[str, Form()] = "",
    no_contact: Annotated[str, Form()] = "",
    matter: Annotated[str, Form()] = "",
    reception_day: Annotated[str, Form()] = "",
    department: Annotated[str, Form()] = "",
    handler: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request, user)
    typed = {
        "received_on": received_on,
        "channel": channel,
        "category": category,
        "name": name,
        "contact": contact,
        "minor": minor,
        "no_contact": no_contact,
        "matter": matter,
        "reception_day": reception_day,
        "department": department,
        "handler": handler,
    }
    try:
        pid = service.receive(
            ctx.ps,
            ctx.user,
            ctx.today,
            service.Intake(
                received_on=form_date(received_on, "收到日期") or ctx.today,
                channel=channel,
                category=category,
                name=name,
                matter=matter,
                id_card=id_card,
                contact=contact,
                minor=bool(minor),
                no_contact=bool(no_contact),
                reception_day=int(reception_day) if reception_day.isdigit() else None,
                department=department or None,
                handler=handler or None,
            ),
        )
    except UserError as refusal:
        if refusal_status(refusal) != 400:
            return ctx.refused(refusal)
        # the ID number typed is not sent back in the page: it is typed again
        return ctx.page(
            "new", {"form": typed, "error": refusal.message, "days": _days(ctx)}, status=400
        )
    return RedirectResponse(f"{BASE}/{pid}?done=received", status_code=303)


@router.get(BASE + "/reception-days")
def reception_days_page(request: Request, user: SignedInUser, error: str = "") -> Response:
    ctx = _Context(request, user)
    try:
        days = service.list_reception_days(ctx.ps, ctx.user)
    except UserError as refusal:
        return ctx.refused(refusal)
    return ctx.page("reception_days", {"days": days, "error": error}, status=400 if error else 200)


@router.post(BASE + "/reception-days")
def add_reception_day(
    request: Request,
    user: SignedInUser,
    on: Annotated[str, Form()] = "",
    leader: Annotated[str, Form()] = "",
    place: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request, user)
    try:
        service.add_reception_day(
            ctx.ps,
            ctx.user,
            ctx.today,
            on=form_date(on, "接待日期") or ctx.today,
            leader=leader,
            place=place,
            note=note,
        )
    except UserError as refusal:
        if refusal_status(refusal) != 400:
            return ctx.refused(refusal)
        return reception_days_page(request, user, error=refusal.message)
    return RedirectResponse(f"{BASE}/reception-days", status_code=303)


def _figures(ctx: _Context, by: str, since: str, until: str, audit_as: str) -> service.Figures:
    return service.figures(
        ctx.ps,
        ctx.user,
        ctx.today,
        by=by,
        since=form_date(since, "起始日期"),
        until=form_date(until, "截止日期"),
        audit_as=audit_as,
    )


@router.get(BASE + "/stats")
def stats_page(
    request: Request,
    user: SignedInUser,
    by: str = "department",
    since: str = "",
    until: str = "",
) -> Response:
    ctx = _Context(request, user)
    asked = {"by": by, "since": since, "until": until}
    common = {
        "asked": asked,
        "dimensions": rules.DIMENSIONS,
        "figure_labels": rules.FIGURES,
        "rates": rules.RATES,
        "definitions": rules.DEFINITIONS,
    }
    try:
        result = _figures(ctx, by, since, until, "view")
    except UserError as refusal:
        if refusal_status(refusal) != 400:
            return ctx.refused(refusal)
        return ctx.page("stats", {**common, "refusal": refusal.message}, status=400)
    return ctx.page("stats", {**common, "result": result, "download": urlencode(asked)})


@router.get(BASE + "/stats.xlsx")
def stats_xlsx(
    request: Request,
    user: SignedInUser,
    by: str = "department",
    since: str = "",
    until: str = "",
) -> Response:
    from shujian.petitions.workbook import export_xlsx

    ctx = _Context(request, user)
    folder = Path(tempfile.mkdtemp(prefix="shujian-petitions-"))
    try:
        result = _figures(ctx, by, since, until, "export")
        export_xlsx(result, folder / "stats.xlsx")
    except UserError as refusal:
        shutil.rmtree(folder, ignore_errors=True)
        if refusal_status(refusal) != 400:
            return ctx.refused(refusal)
        return stats_page(request, user, by, since, until)
    name = f"信访统计-{rules.DIMENSIONS[by]}-{ctx.today.isoformat()}.xlsx"
    return FileResponse(
        folder / "stats.xlsx",
        filename=name,
        media_type=XLSX,
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


def _petition_page(ctx: _Context, pid: int, notice: str = "", error: str = "") -> Response:
    try:
        p = service.get_petition(ctx.ps, ctx.user, ctx.today, pid)
    except UserError as refusal:
        return ctx.refused(refusal)
    return ctx.page(
        "petition", {"p": p, "notice": notice, "error": error}, status=400 if error else 200
    )


@router.get(BASE + "/{pid}")
def petition_page(request: Request, user: SignedInUser, pid: int, done: str = "") -> Response:
    return _petition_page(_Context(request, user), pid, notice=NOTICES.get(done, ""))


def _step(ctx: _Context, pid: int, done: str, act: Callable[[], Any]) -> Response:
    try:
        act()
    except UserError as refusal:
        if refusal_status(refusal) != 400:
            return ctx.refused(refusal)
        return _petition_page(ctx, pid, error=refusal.message)
    return RedirectResponse(f"{BASE}/{pid}?done={done}", status_code=303)


@router.post(BASE + "/{pid}/route")
def route_step(
    request: Request,
    user: SignedInUser,
    pid: int,
    department: Annotated[str, Form()] = "",
    handler: Annotated[str, Form()] = "",
    on: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request, user)
    return _step(
        ctx,
        pid,
        "routed",
        lambda: service.route(
            ctx.ps,
            ctx.user,
            ctx.today,
            pid,
            department,
            handler=handler,
            on=form_date(on, "分流日期"),
            text=note,
        ),
    )


@router.post(BASE + "/{pid}/procedural")
def procedural_step(
    request: Request,
    user: SignedInUser,
    pid: int,
    outcome: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    on: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request, user)
    return _step(
        ctx,
        pid,
        "procedural",
        lambda: service.procedural_reply(
            ctx.ps,
            ctx.user,
            ctx.today,
            pid,
            outcome=outcome,
            text=text,
            on=form_date(on, "回复日期"),
        ),
    )


@router.post(BASE + "/{pid}/result")
def result_step(
    request: Request,
    user: SignedInUser,
    pid: int,
    kind: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    on: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request, user)
    return _step(
        ctx,
        pid,
        "result",
        lambda: service.result_reply(
            ctx.ps, ctx.user, ctx.today, pid, kind=kind, text=text, on=form_date(on, "答复日期")
        ),
    )


@router.post(BASE + "/{pid}/feedback")
def feedback_step(
    request: Request,
    user: SignedInUser,
    pid: int,
    value: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    on: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request, user)
    return _step(
        ctx,
        pid,
        "feedback",
        lambda: service.record_feedback(
            ctx.ps, ctx.user, ctx.today, pid, value=value, text=note, on=form_date(on, "回访日期")
        ),
    )


@router.post(BASE + "/{pid}/leader")
def leader_step(
    request: Request,
    user: SignedInUser,
    pid: int,
    leader: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    on: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request, user)
    return _step(
        ctx,
        pid,
        "leader",
        lambda: service.take_as_leader(
            ctx.ps, ctx.user, ctx.today, pid, leader=leader, text=note, on=form_date(on, "包案日期")
        ),
    )
