"""线索, 导出: the leads the user may see (of one model, or all) as the .xlsx `shujian leads
export --format xlsx` writes — ID numbers masked (the web offers no reveal), the export audited
by the service with every lead id it held.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from fastapi import APIRouter
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from shujian.beijing import today_in_china
from shujian.errors import UserError
from shujian.leads.export import export_leads
from shujian.leads.queue import homes
from shujian.models.labels import Masking
from shujian.models.spec import load_library
from shujian.users import departments_of
from shujian.web.auth import SignedInUser
from shujian.web.pages import refusal_status, render

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/leads.xlsx")
def export_xlsx(request: Request, user: SignedInUser, model: str = "") -> Response:
    ws = request.app.state.workspace
    library = load_library(ws.models_dir)
    if model and model not in library:
        model = ""  # an unknown id exports nothing it could name; the whole scope instead
    folder = Path(tempfile.mkdtemp(prefix="shujian-leads-"))
    path = folder / "leads.xlsx"
    name = (
        f"线索-{library[model].name if model else '全部模型'}-{today_in_china().isoformat()}.xlsx"
    )
    try:
        export_leads(
            ws.store,
            "xlsx",
            path,
            user,
            model or None,
            masking=Masking(library, ws.datasets()),
            home=homes(library, departments_of(ws)),
        )
    except UserError as refusal:
        shutil.rmtree(folder, ignore_errors=True)
        return render(
            request,
            "error.html",
            {"title": "未能导出", "message": refusal.message, "back": "/leads"},
            status_code=refusal_status(refusal),
        )
    return FileResponse(
        path,
        filename=name,
        media_type=XLSX,
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )
