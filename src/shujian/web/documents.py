"""The 检察建议书 on the case page: the draft (nothing recorded), 制发 with its 文号, the
document downloaded again byte for byte as issued or as a PDF preview, and 报上一级院备案.

Each route calls `cases.recommendations` with the signed-in user; a refusal is shown on the case
page (`web.cases.refused_on_page`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from shujian.cases import recommendations
from shujian.cases.documents import preview
from shujian.errors import UserError
from shujian.web.auth import SignedInUser
from shujian.web.cases import back, refused_on_page
from shujian.web.pages import form_date_or_today, library_of, workspace_of

router = APIRouter()

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


Text = Annotated[str, Form()]


@dataclass(frozen=True)
class RecommendationForm:
    """What the case page's 检察建议书 form sends, for the draft and for 制发 alike."""

    recipient: str
    category: str
    items: str
    facts: str
    urgent: str
    juvenile: str
    on_date: str
    number: str

    def content(self) -> dict[str, Any]:
        """The document's content as `cases.recommendations` takes it."""
        return {
            "category": self.category or None,
            "items": _lines(self.items),
            "facts": _lines(self.facts),
            "urgent": self.urgent == "是",
            "juvenile": {"是": True, "否": False}.get(self.juvenile),
        }

    def kept(self, *, number: bool) -> dict[str, str]:
        """What the page shows again above a refusal (the 文号 only after 制发)."""
        kept = {
            "recipient": self.recipient,
            "category": self.category,
            "items": self.items,
            "facts": self.facts,
        }
        return {**kept, "number": self.number} if number else kept


def _recommendation_form(
    recipient: Text = "",
    category: Text = "",
    items: Text = "",
    facts: Text = "",
    urgent: Text = "",
    juvenile: Text = "",
    on_date: Text = "",
    number: Text = "",
) -> RecommendationForm:
    return RecommendationForm(recipient, category, items, facts, urgent, juvenile, on_date, number)


Filled = Annotated[RecommendationForm, Depends(_recommendation_form)]


def _temp_file(suffix: str) -> tuple[Path, tempfile.TemporaryDirectory[str]]:
    """A file in a folder of its own, removed once the response is sent (or on a refusal)."""
    folder = tempfile.TemporaryDirectory(prefix="shujian-web-")
    return Path(folder.name) / f"document{suffix}", folder


def _download(
    path: Path, name: str, media: str, folder: tempfile.TemporaryDirectory[str]
) -> Response:
    return FileResponse(
        path, media_type=media, filename=name, background=BackgroundTask(folder.cleanup)
    )


@router.post("/cases/{case_id}/draft")
def draft(request: Request, user: SignedInUser, case_id: int, form: Filled) -> Response:
    """The 检察建议书 as it would be issued, （文号待编）: nothing is recorded."""
    out, cleanup = _temp_file(".docx")
    try:
        recommendations.draft_document(
            workspace_of(request),
            library_of(request),
            case_id,
            user,
            form_date_or_today(form.on_date, "拟制发日期"),
            form.recipient,
            out,
            **form.content(),
        )
    except UserError as e:
        cleanup.cleanup()
        return refused_on_page(request, user, case_id, e, form.kept(number=False))
    return _download(out, f"案件{case_id}检察建议书草稿.docx", DOCX, cleanup)


@router.post("/cases/{case_id}/recommend")
def recommend(request: Request, user: SignedInUser, case_id: int, form: Filled) -> Response:
    """制发: the case moves to 制发检察建议, the 文号 is recorded and the document written."""
    try:
        issued = recommendations.issue_recommendation(
            workspace_of(request),
            library_of(request),
            case_id,
            user,
            form_date_or_today(form.on_date, "制发日期"),
            form.recipient,
            number=form.number if form.number.strip() else None,
            **form.content(),
        )
    except UserError as e:
        return refused_on_page(request, user, case_id, e, form.kept(number=True))
    return back(case_id, f"已制发检察建议书 {issued.number}（回复期限：{issued.reply_due_text}）。")


@router.get("/cases/{case_id}/document")
def document(
    request: Request, user: SignedInUser, case_id: int, number: str, pdf: bool = False
) -> Response:
    """The issued 检察建议书 again, byte for byte as issued (`render_again` checks its sha256),
    or its PDF preview."""
    ws = workspace_of(request)
    out, cleanup = _temp_file(".docx")
    try:
        recs = recommendations.list_recommendations(ws.store, case_id, user=user)
        if number not in {r["number"] for r in recs}:
            raise UserError(f"找不到检察建议书“{number}”。", code="not_found")
        recommendations.render_again(ws, number, out, user)
        if pdf:
            made = preview.to_pdf(out, out.parent)
            if made is None:
                raise UserError(
                    "服务器未安装 LibreOffice，无法生成 PDF 预览；请下载 .docx 文书查看。",
                    code="no_libreoffice",
                )
            return _download(made, f"{number}.pdf", "application/pdf", cleanup)
    except (UserError, preview.PreviewError) as e:
        cleanup.cleanup()
        if isinstance(e, preview.PreviewError):
            e = UserError("PDF 预览生成失败，请下载 .docx 文书查看。", code="preview_failed")
        return refused_on_page(request, user, case_id, e, {})
    return _download(out, f"{number}.docx", DOCX, cleanup)


@router.post("/cases/{case_id}/file")
def file_record(
    request: Request,
    user: SignedInUser,
    case_id: int,
    number: Text = "",
    filed_with: Text = "",
    on_date: Text = "",
) -> Response:
    """报上一级院备案."""
    ws = workspace_of(request)
    try:
        recs = recommendations.list_recommendations(ws.store, case_id, user=user)
        if number not in {r["number"] for r in recs}:
            raise UserError(f"找不到检察建议书“{number}”。", code="not_found")
        in_time = recommendations.file_with_superior(
            ws.store, number, user, form_date_or_today(on_date, "备案日期"), filed_with
        )
    except UserError as e:
        return refused_on_page(request, user, case_id, e, {"filed_with": filed_with})
    return back(
        case_id, f"检察建议书 {number} 已备案（{'按期' if in_time else '已超过五日备案期限'}）。"
    )
