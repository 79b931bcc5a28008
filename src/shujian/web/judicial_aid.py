"""国家司法救助 on the web: 统计 › 国家司法救助 (figures per ground, the cap and its source, the
xlsx, and the form that 受理 an application), and the 国家司法救助 section of an aid case's page
(审查认定, 决定救助 with the amount checked against the cap, 快速救助, 发放, the 决定书).

Routes call the services `shujian aid …` calls (`judicial_aid/service.py`) with the signed-in
user; 不予救助 and 结案 are the case page's own steps. A refusal is shown in Chinese.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from shujian import audit
from shujian.cases.service import get_case
from shujian.errors import UserError
from shujian.judicial_aid import rules, service
from shujian.judicial_aid.store import judicial_aid_decisions
from shujian.users.access import can
from shujian.users.departments import departments_of
from shujian.web.auth import SignedInUser
from shujian.web.cases import back, refused_on_page
from shujian.web.pages import form_date, form_date_or_today, refusal_status, render, workspace_of

router = APIRouter()

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _limits(request: Request) -> dict[str, Any]:
    limits = service.Limits.of(workspace_of(request))
    try:
        cap: Decimal | None = limits.cap()
        unset = None
    except UserError as e:
        cap, unset = None, e.message
    return {"limits": limits, "cap": rules.yuan(cap) if cap is not None else None,
            "cap_unset": unset, "fast_limit": rules.yuan(Decimal(limits.fast_limit))}  # fmt: skip


def section(request: Request, user: SignedInUser, case_id: int) -> dict[str, Any]:
    """What an aid case's page shows in its 国家司法救助 section."""
    ws = workspace_of(request)
    with ws.store.connect() as conn:
        decision = conn.execute(
            select(judicial_aid_decisions.c.number, judicial_aid_decisions.c.content).where(
                judicial_aid_decisions.c.case_id == case_id
            )
        ).first()
    return {
        "grounds": rules.declarations().grounds,
        "decision": dict(decision._mapping) if decision else None,
        "may_act": can(user, "act_on_case"),
        **_limits(request),
    }


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def _refused(request: Request, e: UserError) -> Response:
    code = refusal_status(e)
    title = {404: "找不到", 403: "无权操作"}.get(code, "未能完成")
    return render(request, "error.html", {"title": title, "message": e.message}, code)


def _page(request: Request, user: SignedInUser, since: str, until: str, error: str | None = None,
          form: dict[str, str] | None = None, status: int = 200) -> Response:  # fmt: skip
    ws = workspace_of(request)
    rows = None
    if can(user, "view_stats"):
        rows = service.figures(ws, user, form_date(since, "起始日期"), form_date(until, "截止日期"))
        audit.record_view(ws.store, user.name, "stats", "judicial_aid",
                          {"since": since, "until": until})  # fmt: skip
    ctx = {
        "rows": rows, "figures": rules.FIGURES, "since": since, "until": until,
        "may_apply": can(user, "open_case"), "departments": departments_of(ws).names,
        "error": error, "form": form or {}, "grounds": rules.declarations().grounds,
        "rule": rules.declarations().rule, **_limits(request),
    }  # fmt: skip
    return render(request, "judicial_aid/page.html", ctx, status_code=status)


@router.get("/stats/judicial-aid")
def figures_page(
    request: Request, user: SignedInUser, since: str = "", until: str = ""
) -> Response:
    try:
        return _page(request, user, since, until)
    except UserError as e:
        return _refused(request, e)


@router.get("/stats/judicial-aid.xlsx")
def figures_xlsx(
    request: Request, user: SignedInUser, since: str = "", until: str = ""
) -> Response:
    from shujian.judicial_aid.workbook import export_xlsx

    ws = workspace_of(request)
    try:
        rows = service.figures(ws, user, form_date(since, "起始日期"), form_date(until, "截止日期"))
    except UserError as e:
        return _refused(request, e)
    folder = Path(tempfile.mkdtemp(prefix="shujian-aid-"))
    path = folder / "国家司法救助统计.xlsx"
    export_xlsx(rows, path)
    audit.record_view(ws.store, user.name, "stats", "judicial_aid",
                      {"since": since, "until": until, "file": path.name}, action="export")  # fmt: skip
    return FileResponse(path, media_type=XLSX, filename=path.name,
                        background=BackgroundTask(_remove, folder))  # fmt: skip


@router.post("/stats/judicial-aid/apply")
async def apply(request: Request, user: SignedInUser) -> Response:
    """受理 an application: a new aid case, then its page."""
    f = {k: str(v) for k, v in (await request.form()).items()}
    try:
        cid = service.apply(
            workspace_of(request), user, department=f.get("department", ""),
            prosecutor=f.get("prosecutor", ""), reason=f.get("reason", ""),
            received_on=form_date_or_today(f.get("on_date"), "受理日期"),
            juvenile=f.get("juvenile") == "是",
        )  # fmt: skip
    except UserError as e:
        status = refusal_status(e)
        try:
            return _page(request, user, "", "", error=e.message, form=f, status=status)
        except UserError as again:
            return _refused(request, again)
    return RedirectResponse(f"/cases/{cid}?done=已受理国家司法救助申请。#top", status_code=303)


@router.post("/cases/{case_id}/aid/{step}")
async def aid_step(request: Request, user: SignedInUser, case_id: int, step: str) -> Response:
    ws = workspace_of(request)
    f = {k: str(v) for k, v in (await request.form()).items()}
    on = f.get("on_date")
    try:
        if step == "review":
            service.review(ws, user, case_id, form_date_or_today(on, "审查认定日期"),
                           ground=f.get("ground", ""), applicant=f.get("applicant", ""),
                           people=f.get("people", "1") or "1", minor=f.get("minor") == "是")  # fmt: skip
            done = "已审查认定。"
        elif step == "approve":
            made = service.approve(ws, user, case_id, form_date_or_today(on, "决定日期"),
                                   amount=f.get("amount", ""),
                                   exceed_approval=f.get("exceed_approval", ""),
                                   damages=f.get("damages") or None)  # fmt: skip
            done = f"已决定救助，{made.number}。"
        elif step == "fast":
            made = service.fast_track(ws, user, case_id, form_date_or_today(on, "日期"),
                                      ground=f.get("ground", ""), applicant=f.get("applicant", ""),
                                      amount=f.get("amount", ""), people=f.get("people", "1") or "1",
                                      minor=f.get("minor") == "是")  # fmt: skip
            done = f"已快速救助，{made.number}。"
        else:
            return _refused(request, UserError("找不到该操作。", code="not_found"))
    except UserError as e:
        return refused_on_page(request, user, case_id, e, {"aid": f, "aid_step": step})
    return back(case_id, done)


@router.get("/cases/{case_id}/aid/decision.docx")
def decision(request: Request, user: SignedInUser, case_id: int) -> Response:
    ws = workspace_of(request)
    try:
        get_case(ws.store, case_id, user)  # outside the scope: 404, as a missing case
    except UserError as e:
        return _refused(request, e)
    with ws.store.connect() as conn:
        number = conn.execute(
            select(judicial_aid_decisions.c.number).where(
                judicial_aid_decisions.c.case_id == case_id
            )
        ).scalar()
    folder = Path(tempfile.mkdtemp(prefix="shujian-aid-"))
    try:
        if number is None:
            raise UserError(f"案件 {case_id} 没有国家司法救助决定书。", code="not_found")
        path = service.render(ws, user, number, folder / f"{number}.docx")
    except UserError as e:
        _remove(folder)
        return _refused(request, e)
    return FileResponse(path, media_type=DOCX, filename=path.name,
                        background=BackgroundTask(_remove, folder))  # fmt: skip
