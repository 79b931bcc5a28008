"""支持起诉 in the web application: the application form (登记支持起诉申请, with or without leads),
and the 支持起诉意见书 of a case — draft, issue, download.

Every other step (受理, 协助收集证据, 决定, 法院立案, 调解, 判决, 执行, 结案 with the people
helped and the money recovered) is the case page's generic step form, as declared by the
workflow. Routes call `cases.support_prosecution` with the signed-in user, as `cli/support.py`
does; refusals are shown in Chinese on the form or the case page.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from shujian.beijing import today_in_china
from shujian.cases import support_prosecution as sp
from shujian.cases.workflow import load_workflow
from shujian.errors import UserError
from shujian.leads.queue import homes
from shujian.users import departments_of
from shujian.web.auth import SignedInUser
from shujian.web.cases import back, refused_on_page
from shujian.web.pages import form_date_or_today, library_of, refusal_status, render, workspace_of

router = APIRouter()

Text = Annotated[str, Form()]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _ids(text: str) -> list[int]:
    out = []
    for part in text.replace("，", ",").replace("、", ",").split(","):
        if part.strip():
            if not part.strip().isdigit():
                raise UserError(f"线索编号“{part.strip()}”应为数字。", code="bad_ids")
            out.append(int(part.strip()))
    return out


def _apply_page(
    request: Request, user: SignedInUser, form: dict[str, str], error: str | None, status: int
) -> Response:
    wf = load_workflow(sp.CASE_KIND)
    ctx = {
        "form": form,
        "error": error,
        "categories": wf.fields["applicant_category"].choices,
        "channels": wf.fields["channel"].choices,
        "today": today_in_china().isoformat(),
        "department": user.department or sp.DEPARTMENT,
        "accept_days": workspace_of(request).setting("support_prosecution.accept_days"),
    }
    return render(request, "support/apply.html", ctx, status_code=status)


@router.get("/support/apply")
def apply_form(request: Request, user: SignedInUser, lead: str = "") -> Response:
    return _apply_page(request, user, {"leads": lead, "prosecutor": user.name}, None, 200)


@router.post("/support/apply")
def apply(
    request: Request,
    user: SignedInUser,
    applicant: Text = "",
    applicant_category: Text = "",
    respondent: Text = "",
    claim: Text = "",
    amount_claimed: Text = "",
    people: Text = "",
    channel: Text = "",
    reason: Text = "",
    department: Text = "",
    prosecutor: Text = "",
    leads: Text = "",
    on_date: Text = "",
) -> Response:
    """登记支持起诉申请 → the new case's page."""
    form = dict(
        applicant=applicant, applicant_category=applicant_category, respondent=respondent,
        claim=claim, amount_claimed=amount_claimed, people=people, channel=channel,
        reason=reason, department=department, prosecutor=prosecutor, leads=leads,
        on_date=on_date,
    )  # fmt: skip
    ws = workspace_of(request)
    try:
        ids = _ids(leads)
        case_id = sp.apply(
            ws,
            user,
            applicant=applicant,
            applicant_category=applicant_category,
            respondent=respondent,
            claim=claim,
            reason=reason or "申请支持起诉",
            department=department or sp.DEPARTMENT,
            prosecutor=prosecutor,
            on_date=form_date_or_today(on_date, "收到申请的日期"),
            amount_claimed=amount_claimed or None,
            people=people or None,
            channel=channel or None,
            lead_ids=ids,
            home=homes(library_of(request), departments_of(ws)) if ids else None,
        )
    except UserError as e:
        return _apply_page(request, user, form, e.message, refusal_status(e))
    return back(case_id, "已登记支持起诉申请。")


@router.post("/cases/{case_id}/support-opinion")
def issue(
    request: Request,
    user: SignedInUser,
    case_id: int,
    court: Text = "",
    facts: Text = "",
    reasons: Text = "",
    number: Text = "",
    on_date: Text = "",
    draft: Text = "",
) -> Response:
    """制发支持起诉意见书, or (`draft`) download it as it would be issued, nothing recorded."""
    ws = workspace_of(request)
    kept = {"court": court, "facts": facts, "reasons": reasons, "number": number}
    day = form_date_or_today(on_date, "制发日期")
    if draft:
        folder = tempfile.TemporaryDirectory(prefix="shujian-web-")
        out = Path(folder.name) / "draft.docx"
        try:
            sp.draft_opinion(ws, user, case_id, out, court=court, facts=_lines(facts),
                             reasons=_lines(reasons), on_date=day)  # fmt: skip
        except UserError as e:
            folder.cleanup()
            return refused_on_page(request, user, case_id, e, kept)
        return FileResponse(
            out, media_type=DOCX, filename=f"案件{case_id}支持起诉意见书草稿.docx",
            background=BackgroundTask(folder.cleanup),
        )  # fmt: skip
    try:
        issued = sp.issue_opinion(ws, user, case_id, court=court, facts=_lines(facts),
                                  reasons=_lines(reasons), on_date=day,
                                  number=number or None)  # fmt: skip
    except UserError as e:
        return refused_on_page(request, user, case_id, e, kept)
    return back(case_id, f"已制发支持起诉意见书 {issued.number}。")


@router.get("/cases/{case_id}/support-opinion")
def download(request: Request, user: SignedInUser, case_id: int, number: str) -> Response:
    """The issued 支持起诉意见书, the archived file when its hash is the one recorded."""
    ws = workspace_of(request)
    try:
        found = [o for o in sp.opinions_of(ws, user, case_id) if o["number"] == number]
        if not found or not found[0]["document_sha256"]:
            raise UserError(f"找不到支持起诉意见书“{number}”的文书。", code="not_found")
        path = ws.root / found[0]["document"]
        data = path.read_bytes() if path.is_file() else b""
        if hashlib.sha256(data).hexdigest() != found[0]["document_sha256"]:
            raise UserError(
                f"支持起诉意见书 {number} 的存档文书缺失或已被改动，请从备份恢复。",
                code="document_not_reproducible",
            )
    except UserError as e:
        return refused_on_page(request, user, case_id, e, {})
    return FileResponse(path, media_type=DOCX, filename=f"{number}.docx")


def support_context(request: Request, user: SignedInUser, case_id: int) -> dict[str, object]:
    """What the case page shows of a 支持起诉 case: its opinions and how they are numbered."""
    ws = workspace_of(request)
    return {
        "opinions": sp.opinions_of(ws, user, case_id),
        "opinion_entered": sp.numbering_mode(ws) != "counter",
    }


__all__ = ["RedirectResponse", "router", "support_context"]
