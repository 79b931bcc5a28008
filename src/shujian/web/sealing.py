"""封存记录: sealed juvenile criminal records (docs/sealing.md) — the list (no name, no offence),
one record shown only after a reason is given in a form (recorded, audited), with the leads,
cases and 检察建议书 resting on it and each document's download (with the same reason), query
requests (recorded, answered, overdue first) and unsealing.

Every route calls the services `shujian sealed …` calls (`juvenile.sealing`) with the signed-in
user. A user with neither `view_sealed` nor `handle_sealing` is answered 404 on every page here:
they do not learn which records are sealed, nor that any are.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from shujian.beijing import today_in_china
from shujian.cases import recommendations
from shujian.errors import UserError
from shujian.juvenile.sealing import records, requests
from shujian.juvenile.sealing.rule import UNSEAL_GROUNDS
from shujian.users.access import can
from shujian.users.user import User
from shujian.web.auth import SignedInUser
from shujian.web.pages import form_date, form_date_or_today, refusal_status, render, workspace_of

router = APIRouter()

BASE = "/sealed"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _may_enter(user: User) -> None:
    if not (can(user, "view_sealed") or can(user, "handle_sealing")):
        raise HTTPException(status_code=404)


def _refused(request: Request, error: UserError) -> Response:
    status = refusal_status(error)
    if status == 404:
        raise HTTPException(status_code=404) from error
    return render(
        request,
        "error.html",
        {"title": "无权访问" if status == 403 else "未能完成", "message": error.message},
        status_code=status,
    )


def _page(
    request: Request, user: User, name: str, context: dict[str, Any], status: int = 200
) -> Response:
    return render(
        request,
        f"sealing/{name}.html",
        {
            "may_view": can(user, "view_sealed"),
            "may_handle": can(user, "handle_sealing"),
            "today": today_in_china(),
            **context,
        },
        status_code=status,
    )


@router.get(BASE)
def sealed_list(request: Request, user: SignedInUser, id_card: str = "") -> Response:
    _may_enter(user)
    ws = workspace_of(request)
    try:
        rows = records.list_sealed(ws.store, user, id_card.strip() or None)
    except UserError as e:
        return _refused(request, e)
    return _page(request, user, "list", {"rows": rows, "searched": id_card.strip()})


@router.get(BASE + "/requests")
def requests_page(
    request: Request, user: SignedInUser, notice: str = "", overdue: bool = False
) -> Response:
    _may_enter(user)
    ws = workspace_of(request)
    try:
        rows = requests.list_requests(ws.store, user, today_in_china(), overdue_only=overdue)
    except UserError as e:
        return _refused(request, e)
    return _page(request, user, "requests", {"rows": rows, "notice": notice, "overdue": overdue})


@router.post(BASE + "/requests")
def record_request(
    request: Request,
    user: SignedInUser,
    record_id: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "",
    judicial: Annotated[str, Form()] = "",
    basis: Annotated[str, Form()] = "",
    purpose: Annotated[str, Form()] = "",
    received_on: Annotated[str, Form()] = "",
) -> Response:
    _may_enter(user)
    ws = workspace_of(request)
    try:
        if not record_id.strip().isdigit():
            raise UserError("须填写封存记录编号。", code="missing_field")
        made = requests.record_request(
            ws.store,
            user,
            ws.calendar,
            record_id=int(record_id),
            unit=unit,
            judicial=bool(judicial),
            basis=basis,
            purpose=purpose,
            received_on=form_date_or_today(received_on, "收到申请的日期"),
            today=today_in_china(),
        )
    except UserError as e:
        return _refused(request, e)
    notice = f"已登记查询申请 {made['id']}，应于 {made['due_on']} 前答复。"
    return RedirectResponse(f"{BASE}/requests?notice={notice}", status_code=303)


@router.post(BASE + "/requests/{request_id}/answer")
def answer_request(
    request: Request,
    user: SignedInUser,
    request_id: int,
    granted: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    answered_on: Annotated[str, Form()] = "",
) -> Response:
    _may_enter(user)
    ws = workspace_of(request)
    try:
        if granted not in ("yes", "no"):
            raise UserError("请选择许可或不予许可。", code="missing_field")
        done = requests.answer_request(
            ws.store,
            user,
            request_id,
            granted=granted == "yes",
            text=text,
            answered_on=form_date_or_today(answered_on, "答复日期"),
            today=today_in_china(),
        )
    except UserError as e:
        return _refused(request, e)
    timing = "按期" if done["on_time"] else "逾期"
    notice = f"已答复查询申请 {request_id}（{timing}）。"
    return RedirectResponse(f"{BASE}/requests?notice={notice}", status_code=303)


@router.get(BASE + "/{record_id}")
def ask_reason(request: Request, user: SignedInUser, record_id: int) -> Response:
    """The record's page before a reason: nothing of it but its number, and the form."""
    _may_enter(user)
    if not can(user, "view_sealed"):
        raise HTTPException(status_code=404)
    return _page(request, user, "reason", {"record_id": record_id, "error": ""})


@router.post(BASE + "/{record_id}")
def show_record(
    request: Request,
    user: SignedInUser,
    record_id: int,
    reason: Annotated[str, Form()] = "",
) -> Response:
    _may_enter(user)
    ws = workspace_of(request)
    try:
        shown = records.show_sealed(ws.store, record_id, user, reason)
    except UserError as e:
        if e.code == "sealed_reason_required":
            return _page(request, user, "reason", {"record_id": record_id, "error": e.message}, 400)
        return _refused(request, e)
    return _page(
        request,
        user,
        "record",
        {"r": shown, "reason": reason.strip(), "grounds": UNSEAL_GROUNDS},
    )


@router.post(BASE + "/{record_id}/document")
def download_document(
    request: Request,
    user: SignedInUser,
    record_id: int,
    number: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """A 检察建议书 resting on the record, re-printed byte for byte — with the reason given."""
    _may_enter(user)
    ws = workspace_of(request)
    folder = tempfile.TemporaryDirectory(prefix="shujian-web-")
    out = Path(folder.name) / "document.docx"
    try:
        recommendations.render_again(ws, number, out, user, reason)
    except UserError as e:
        folder.cleanup()
        return _refused(request, e)
    return FileResponse(
        out, media_type=DOCX, filename=f"{number}.docx", background=BackgroundTask(folder.cleanup)
    )


@router.post(BASE + "/{record_id}/unseal")
def unseal(
    request: Request,
    user: SignedInUser,
    record_id: int,
    ground: Annotated[str, Form()] = "",
    decision: Annotated[str, Form()] = "",
    sentence: Annotated[str, Form()] = "",
    act_date: Annotated[str, Form()] = "",
) -> Response:
    _may_enter(user)
    ws = workspace_of(request)
    try:
        records.unseal(
            ws.store,
            record_id,
            user,
            ground=ground,
            decision=decision,
            new_sentence=sentence.strip() or None,
            act_date=form_date(act_date, "行为日期"),
            today=today_in_china(),
        )
    except UserError as e:
        return _refused(request, e)
    return RedirectResponse(BASE, status_code=303)
