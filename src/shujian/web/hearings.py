"""公开听证 on the web: the 听证 section of a case page (set a hearing with its 听证员, record it
held with its 笔录, each 听证员's opinion, the decision; the 听证会公告 of a public hearing), and
the counts per department and case kind (统计 › 公开听证, with its xlsx).

Routes call the services `shujian hearings …` calls (`hearings/service.py`) with the signed-in
user: a hearing is seen by whoever sees its case (else 404), recorded by who may act on it; a
refusal is shown on the case page in Chinese.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from shujian import audit
from shujian.errors import UserError
from shujian.hearings import rules, service
from shujian.users.access import can
from shujian.web.auth import SignedInUser
from shujian.web.cases import back, refused_on_page
from shujian.web.pages import form_date, form_date_or_today, refusal_status, render, workspace_of

router = APIRouter()

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def section(request: Request, user: SignedInUser, case_id: int) -> dict[str, Any]:
    """What the case page's 听证 section shows (its hearings, the identities and stances)."""
    ws = workspace_of(request)
    d = rules.declarations()
    return {
        "hearings": service.case_hearings(ws, user, case_id),
        "identities": d.identities,
        "stances": d.stances,
        "limits": service.Limits.of(ws),
        "may_act": can(user, "act_on_case"),
    }


def _members(text: str) -> list[rules.Member]:
    out = []
    for n, line in enumerate((t for t in text.splitlines() if t.strip()), start=1):
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if len(parts) != 3:
            raise UserError(f"听证员第{n}行应写作“姓名,身份,出生日期”，收到“{line.strip()}”。")
        born = form_date(parts[2], f"听证员{parts[0]}的出生日期")
        if born is None:
            raise UserError(f"听证员{parts[0]}的出生日期未填写。")
        out.append(rules.Member(parts[0], parts[1], born))
    return out


async def _form(request: Request) -> dict[str, str]:
    data = await request.form()
    return {k: str(v) for k, v in data.items()}


@router.post("/cases/{case_id}/hearings")
async def schedule(request: Request, user: SignedInUser, case_id: int) -> Response:
    ws = workspace_of(request)
    f = await _form(request)
    try:
        held_on = form_date(f.get("held_on"), "听证日期")
        notified = form_date(f.get("notified_on"), "告知日期")
        if held_on is None or notified is None:
            raise UserError("请填写听证日期和告知日期。")
        hid = service.schedule(
            ws, user, case_id, matter=f.get("matter", ""), public=f.get("public") == "是",
            place=f.get("place", ""), host=f.get("host", ""), held_on=held_on,
            notified_on=notified, members=_members(f.get("members", "")),
            announced_on=form_date(f.get("announced_on"), "公告日期"),
            juvenile_reason=f.get("juvenile_reason", ""),
        )  # fmt: skip
    except UserError as e:
        return refused_on_page(request, user, case_id, e, {"hearing": f})
    return back(case_id, f"已登记听证会 {hid}。")


def _case_of(request: Request, user: SignedInUser, hid: int) -> int:
    return int(service.get_hearing(workspace_of(request), user, hid)["case_id"])


def _refused(request: Request, e: UserError) -> Response:
    code = refusal_status(e)
    title = {404: "找不到", 403: "无权操作"}.get(code, "未能完成")
    return render(request, "error.html", {"title": title, "message": e.message}, code)


@router.post("/hearings/{hid}/{step}")
async def step(request: Request, user: SignedInUser, hid: int, step: str) -> Response:
    ws = workspace_of(request)
    f = await _form(request)
    try:
        case_id = _case_of(request, user, hid)
    except UserError as e:
        return _refused(request, e)
    try:
        if step == "hold":
            service.hold(ws, user, hid, form_date_or_today(f.get("on_date"), "听证日期"),
                         f.get("record", ""))  # fmt: skip
            done = f"听证会 {hid} 已登记举行。"
        elif step == "opinion":
            service.record_opinion(ws, user, hid, f.get("member", ""), f.get("stance", ""),
                                   f.get("text", ""))  # fmt: skip
            done = "已登记听证员意见。"
        elif step == "decide":
            service.decide(ws, user, hid, form_date_or_today(f.get("on_date"), "决定日期"),
                           f.get("decision", ""), follows_majority=f.get("follows") != "否",
                           chief_consent=f.get("chief_consent", ""))  # fmt: skip
            done = f"听证会 {hid} 已作出决定。"
        else:
            return _refused(request, UserError("找不到该操作。", code="not_found"))
    except UserError as e:
        return refused_on_page(request, user, case_id, e, {"hearing_step": step})
    return back(case_id, done)


@router.get("/hearings/{hid}/notice.docx")
def notice(request: Request, user: SignedInUser, hid: int) -> Response:
    ws = workspace_of(request)
    folder = Path(tempfile.mkdtemp(prefix="shujian-notice-"))
    try:
        path = service.public_notice(ws, user, hid, folder / f"听证会公告{hid}.docx")
    except UserError as e:
        return _refused(request, e)
    return FileResponse(path, media_type=DOCX, filename=path.name,
                        background=BackgroundTask(_remove, folder))  # fmt: skip


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


@router.get("/stats/hearings")
def counts_page(request: Request, user: SignedInUser, since: str = "", until: str = "") -> Response:
    ws = workspace_of(request)
    try:
        rows = service.counts(ws, user, form_date(since, "起始日期"), form_date(until, "截止日期"))
    except UserError as e:
        return _refused(request, e)
    audit.record_view(ws.store, user.name, "stats", "hearings", {"since": since, "until": until})
    return render(request, "hearings/stats.html", {"rows": rows, "figures": service.FIGURES,
                                                   "since": since, "until": until})  # fmt: skip


@router.get("/stats/hearings.xlsx")
def counts_xlsx(request: Request, user: SignedInUser, since: str = "", until: str = "") -> Response:
    from shujian.hearings.workbook import export_xlsx

    ws = workspace_of(request)
    try:
        rows = service.counts(ws, user, form_date(since, "起始日期"), form_date(until, "截止日期"))
    except UserError as e:
        return _refused(request, e)
    folder = Path(tempfile.mkdtemp(prefix="shujian-hearings-"))
    path = folder / "公开听证统计.xlsx"
    export_xlsx(rows, path)
    audit.record_view(ws.store, user.name, "stats", "hearings",
                      {"since": since, "until": until, "file": path.name}, action="export")  # fmt: skip
    return FileResponse(path, media_type=XLSX, filename=path.name,
                        background=BackgroundTask(_remove, folder))  # fmt: skip
