"""数据: the datasets and their batches (what `shujian datasets list` and the batch records say),
uploading an agency file for import (`shujian import`), the column-mapping form when its headers
are not the dataset's, and each batch's rejection report.

An upload is stored under a generated name in a temporary folder of the platform's own: the
sender's file name is only metadata (`import_file(file_name=…)`), never part of a path. Its kind
is read off its first bytes, not its name. The file is removed once imported or refused; a file
refused for its headers is kept (named in the session) until the mapping form re-imports it.
"""

from __future__ import annotations

import codecs
import secrets
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from shujian.data import mappings
from shujian.data.datasets import Dataset, normalise_header
from shujian.data.importer import ImportOptions, import_file, rejection_report_path
from shujian.data.warehouse import Warehouse
from shujian.errors import UserError
from shujian.users.access import can, require
from shujian.users.user import User
from shujian.web.auth import SignedInUser
from shujian.web.pages import render

router = APIRouter()

UPLOADS = Path(tempfile.gettempdir()) / "shujian-uploads"
"""Where uploads wait for their import, under generated names only."""
PENDING = "data_upload"
"""Session key: the upload refused for its headers, waiting for the mapping form."""
STALE_SECONDS = 6 * 3600
HEADER_CODES = ("header_not_found", "missing_columns")
CRS_CHOICES = (
    ("WGS84", "WGS84（GPS、天地图、北斗）"),
    ("GCJ02", "GCJ02（高德、腾讯）"),
    ("BD09", "BD09（百度）"),
)


def _may_see(user: User) -> None:
    if not can(user, "view_leads"):
        require(user, "import_data")


def _warehouse(request: Request) -> Warehouse:
    ws = request.app.state.workspace
    return Warehouse(ws.warehouse_dir, ws.store)


@router.get("/data")
def data_page(request: Request, user: SignedInUser, dataset: str = "") -> Response:
    _may_see(user)
    ws = request.app.state.workspace
    datasets: dict[str, Dataset] = ws.datasets()
    shown = dataset if dataset in datasets else None
    batches = list(reversed(_warehouse(request).batches(shown)))
    reports = {
        b.id: rejection_report_path(ws.reports_dir, b.dataset, b.id).is_file() for b in batches
    }
    counts: dict[str, int] = {}
    for b in batches:
        if b.current:
            counts[b.dataset] = counts.get(b.dataset, 0) + 1
    return render(
        request,
        "data/index.html",
        {
            "datasets": list(datasets.values()),
            "shown": shown,
            "batches": batches,
            "reports": reports,
            "counts": counts,
            "labels": {d.id: d.label for d in datasets.values()},
            "may_import": can(user, "import_data"),
            "crs_choices": CRS_CHOICES,
            "limit_mb": int(ws.setting("web.upload_max_mb")),
        },
    )


@router.get("/data/batches/{batch_id}/report")
def report(request: Request, user: SignedInUser, batch_id: int) -> Response:
    require(user, "import_data")
    ws = request.app.state.workspace
    found = [b for b in _warehouse(request).batches() if b.id == batch_id]
    path = rejection_report_path(ws.reports_dir, found[0].dataset, batch_id) if found else None
    if path is None or not path.is_file():
        return render(request, "error.html", {"message": f"批次 {batch_id} 没有退回报告。"}, 404)
    return FileResponse(path, filename=path.name)


# ---- uploading ------------------------------------------------------------------------------


def sniff(head: bytes) -> str | None:
    """The suffix the reader needs, read off the file's first bytes; None for anything else."""
    if head.startswith(b"PK\x03\x04"):
        return ".xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return ".xls"
    if not head or b"\x00" in head:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return ".csv"
    return None


def _sweep_stale() -> None:
    if not UPLOADS.is_dir():
        return
    for old in UPLOADS.iterdir():
        if old.is_file() and time.time() - old.stat().st_mtime > STALE_SECONDS:
            old.unlink(missing_ok=True)


def _pending_path(pending: dict[str, Any]) -> Path | None:
    token, suffix = str(pending.get("token", "")), str(pending.get("suffix", ""))
    if not (token.isalnum() and suffix in (".xlsx", ".xls", ".csv")):
        return None
    path = UPLOADS / f"{token}{suffix}"
    return path if path.is_file() else None


async def _store_upload(upload: UploadFile, limit: int) -> tuple[Path, str]:
    """The upload written under a generated name; refused when too large or not a table."""
    name = upload.filename or "（未命名）"
    head = await upload.read(64 * 1024)
    suffix = sniff(head)
    if suffix is None:
        raise UserError(
            f"文件“{name}”不是 xlsx、xls 或 csv 表格（按文件内容识别），未导入。",
            code="not_a_table",
        )
    UPLOADS.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = UPLOADS / f"{secrets.token_hex(16)}{suffix}"
    size = len(head)
    with path.open("wb") as out:
        out.write(head)
        while chunk := await upload.read(1 << 20):
            size += len(chunk)
            if size > limit:
                out.close()
                path.unlink(missing_ok=True)
                raise UserError(_too_large(name, limit), code="too_large")
            out.write(chunk)
    return path, name


def _too_large(name: str, limit: int) -> str:
    return f"文件“{name}”超过上传大小上限 {limit // (1 << 20)} MB，未导入。请拆分后分别上传。"


def _status(error: UserError) -> int:
    return {"forbidden": 403, "too_large": 413}.get(error.code or "", 400)


def _import(
    request: Request,
    user: User,
    path: Path,
    name: str,
    pending: dict[str, Any],
    typed: dict[str, str],
) -> Response:
    """Import the stored upload; the result, the mapping form, or the refusal (a fragment)."""
    ws = request.app.state.workspace
    datasets: dict[str, Dataset] = ws.datasets()
    dataset = datasets[pending["dataset"]]
    options = ImportOptions(
        sheet=pending.get("sheet") or None,
        crs=pending.get("crs") or None,
        agency=pending.get("agency", ""),
        mapping=typed,
    )
    keep = False
    try:
        result = import_file(
            _warehouse(request), ws.reports_dir, dataset, path, options, user=user, file_name=name
        )
    except UserError as error:
        message = error.message.replace(path.name, name)
        if error.code in HEADER_CODES:
            keep = True
            request.session[PENDING] = pending
            saved = {
                m.header: m.column_id
                for m in mappings.saved(ws.store, options.agency or None, dataset.id)
            }
            headers = mappings.file_headers(path, options.sheet)
            context = {
                "message": message,
                "dataset": dataset,
                "name": name,
                "headers": [
                    (h, saved.get(normalise_header(h)) or mappings.column_named(dataset, h) or "")
                    for h in headers
                ],
                "agency": options.agency,
            }
            return render(request, "data/mapping.html", context, 400)
        return render(
            request, "data/refused.html", {"message": message, "name": name}, _status(error)
        )
    finally:
        if not keep:
            path.unlink(missing_ok=True)
            request.session.pop(PENDING, None)
    return render(request, "data/result.html", {"r": result, "dataset": dataset})


@router.post("/data/upload")
async def upload(request: Request, user: SignedInUser) -> Response:
    ws = request.app.state.workspace
    limit = int(ws.setting("web.upload_max_mb")) << 20
    try:
        require(user, "import_data")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit + (64 << 10):
            raise UserError(_too_large("上传的文件", limit), code="too_large")
        form = await request.form(max_files=1, max_fields=10)
        datasets: dict[str, Dataset] = ws.datasets()
        dataset_id = str(form.get("dataset", ""))
        if dataset_id not in datasets:
            raise UserError("请选择数据集。", code="unknown_dataset")
        crs = str(form.get("crs", "")).strip()
        if datasets[dataset_id].coordinates and not crs:
            raise UserError(
                f"“{datasets[dataset_id].label}”有经纬度：请选择文件所用的坐标系。",
                code="crs_unknown",
            )
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise UserError("请选择要上传的文件。", code="no_file")
        _sweep_stale()
        path, name = await _store_upload(upload, limit)
    except UserError as error:
        return render(request, "data/refused.html", {"message": error.message}, _status(error))
    pending = {
        "token": path.stem,
        "suffix": path.suffix,
        "name": name,
        "dataset": dataset_id,
        "agency": str(form.get("agency", "")).strip(),
        "sheet": str(form.get("sheet", "")).strip(),
        "crs": "" if crs == "file" else crs,
    }
    return await run_in_threadpool(_import, request, user, path, name, pending, {})


@router.post("/data/remap")
def remap(
    request: Request, user: SignedInUser, map: Annotated[list[str] | None, Form()] = None
) -> Response:
    """Import the upload refused for its headers again, with the headers mapped as chosen."""
    try:
        require(user, "import_data")
        pending = request.session.get(PENDING)
        path = _pending_path(pending) if isinstance(pending, dict) else None
        if path is None or not isinstance(pending, dict):
            raise UserError(
                "没有等待对应表头的上传文件（可能已过期），请重新上传。", code="no_upload"
            )
        typed = {}
        for pair in map or []:
            if "=" in pair:
                header, column_id = pair.rsplit("=", 1)
                if column_id:
                    typed[header] = column_id
    except UserError as error:
        return render(request, "data/refused.html", {"message": error.message}, _status(error))
    return _import(request, user, path, str(pending.get("name", "")), pending, typed)
