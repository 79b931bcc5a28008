"""数据, uploading: an agency file for import (`shujian import`) with the options a clerk needs
(encoding, a value for a column the file lacks, the sheet of a workbook, the coordinate system),
and the column-mapping form when its headers are not the dataset's.

An upload is stored under a generated name in the workspace's `uploads/` folder, the platform's own: the
sender's file name is only metadata (`import_file(file_name=…)`), never part of a path. Its kind
is read off its first bytes, not its name. The file is removed once imported or refused; a file
that waits for a choice — the sheet of a workbook with several, or the mapping of its headers —
is kept (named in the session) until the form that asks for it imports it.
"""

from __future__ import annotations

import codecs
import secrets
import time
from collections.abc import Mapping, Sequence
from itertools import zip_longest
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from shujian.data import mappings
from shujian.data.datasets import Dataset, normalise_header
from shujian.data.importer import ImportOptions, import_file
from shujian.data.limits import read_limits
from shujian.data.readers import detect_encoding, sheet_names
from shujian.data.steps import constant_refusal, resolve_constants
from shujian.errors import UserError
from shujian.users.access import require
from shujian.users.user import User
from shujian.web.auth import SignedInUser
from shujian.web.pages import render, warehouse_of

router = APIRouter()


UPLOADS = "uploads"
"""The workspace's folder where uploads wait for their import, under generated names only (the
platform's own folder: nothing else is ever written there, so the sweep of stale files deletes
only what the platform wrote)."""


def uploads_of(request: Request) -> Path:
    return Path(request.app.state.workspace.root) / UPLOADS


PENDING = "data_upload"
"""Session key: the upload waiting for a choice (its sheet, or the mapping of its headers)."""
STALE_SECONDS = 6 * 3600
HEADER_CODES = ("header_not_found", "missing_columns")
SET_ROWS = 3
"""Pairs of 字段 = 值 the upload form offers for columns the file lacks (the CLI's --set)."""
ENCODINGS = (
    ("auto", "自动识别"),
    ("gbk", "GBK"),
    ("utf-8", "UTF-8"),
    ("gb18030", "GB18030"),
)
CRS_CHOICES = (
    ("WGS84", "WGS84（GPS、天地图、北斗）"),
    ("GCJ02", "GCJ02（高德、腾讯）"),
    ("BD09", "BD09（百度）"),
)
CRS_FROM_FILE = "file"
"""The coordinate-system choice that means: each row's 坐标系 column says it."""


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


def upload_options(
    datasets: Mapping[str, Dataset],
    dataset_id: str,
    *,
    agency: str = "",
    encoding: str = "",
    crs: str = "",
    set_columns: Sequence[str] = (),
    set_values: Sequence[str] = (),
) -> dict[str, Any]:
    """The upload form's choices, checked before the file is stored: each refused in Chinese.

    Returned as the session keeps them for a file that waits (`PENDING`): the dataset, agency,
    encoding, coordinate system ("" when the file's 坐标系 column says it) and the constants
    (column id → value, the CLI's --set).
    """
    if dataset_id not in datasets:
        raise UserError("请选择数据集。", code="unknown_dataset")
    dataset = datasets[dataset_id]
    encoding = encoding.strip() or "auto"
    if encoding not in dict(ENCODINGS):
        raise UserError(
            f"编码“{encoding}”不是可选的编码：请选择自动识别、GBK、UTF-8 或 GB18030。",
            code="bad_encoding",
        )
    crs = crs.strip()
    if not dataset.coordinates:
        crs = ""
    elif not crs:
        raise UserError(f"“{dataset.label}”有经纬度：请选择文件所用的坐标系。", code="crs_unknown")
    elif crs not in (CRS_FROM_FILE, *dict(CRS_CHOICES)):
        raise UserError(
            f"坐标系“{crs}”不是可选的坐标系：请选择 WGS84、GCJ02 或 BD09，或“文件中有‘坐标系’列”。",
            code="bad_crs",
        )
    typed: dict[str, str] = {}
    chosen: set[str] = set()
    for column, value in zip_longest(set_columns, set_values, fillvalue=""):
        column, value = column.strip(), value.strip()
        if not column and not value:
            continue
        if not column:
            raise UserError(
                f"整份文件统一取值“{value}”：请选择这个值填入哪个字段。",
                code="constant_without_column",
            )
        column_id = mappings.column_named(dataset, column)
        if column_id is not None and column_id in chosen:
            raise UserError(
                f"整份文件统一取值：字段“{dataset.column(column_id).label}”选了两次。",
                code="constant_twice",
            )
        chosen.add(column_id or column)
        typed[column] = value
    constants = resolve_constants(dataset, typed)  # an unknown column, an empty value
    for column_id, value in constants.items():
        refused = constant_refusal(dataset.column(column_id), value)
        if refused is not None:
            raise UserError(
                f"整份文件统一取值“{dataset.column(column_id).label}={value}”：{refused}。",
                code="bad_constant",
            )
    return {
        "dataset": dataset_id,
        "agency": agency.strip(),
        "encoding": encoding,
        "crs": "" if crs == CRS_FROM_FILE else crs,
        "constants": constants,
        "sheet": "",
    }


def _sweep_stale(folder: Path) -> None:
    if not folder.is_dir():
        return
    for old in folder.iterdir():
        if old.is_file() and time.time() - old.stat().st_mtime > STALE_SECONDS:
            old.unlink(missing_ok=True)


def _pending_path(folder: Path, pending: dict[str, Any]) -> Path | None:
    token, suffix = str(pending.get("token", "")), str(pending.get("suffix", ""))
    if not (token.isalnum() and suffix in (".xlsx", ".xls", ".csv")):
        return None
    path = folder / f"{token}{suffix}"
    return path if path.is_file() else None


def _waiting(request: Request) -> tuple[Path, dict[str, Any]]:
    """The upload waiting for a choice, named in the session; refused when there is none."""
    pending = request.session.get(PENDING)
    path = _pending_path(uploads_of(request), pending) if isinstance(pending, dict) else None
    if path is None or not isinstance(pending, dict):
        raise UserError("没有等待导入的上传文件（可能已过期），请重新上传。", code="no_upload")
    return path, pending


async def _store_upload(upload: UploadFile, limit: int, folder: Path) -> tuple[Path, str]:
    """The upload written under a generated name; refused when too large or not a table."""
    name = upload.filename or "（未命名）"
    head = await upload.read(64 * 1024)
    suffix = sniff(head)
    if suffix is None:
        raise UserError(
            f"文件“{name}”不是 xlsx、xls 或 csv 表格（按文件内容识别），未导入。",
            code="not_a_table",
        )
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(16)}{suffix}"
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


def _refused(request: Request, error: UserError, name: str = "") -> Response:
    """A refusal of the upload, shown in place of the result (a fragment)."""
    return render(
        request, "data/refused.html", {"message": error.message, "name": name}, _status(error)
    )


def _sheets_or_import(
    request: Request, user: User, path: Path, pending: dict[str, Any]
) -> Response:
    """A workbook with several sheets, none chosen: ask which (the file waits); else import."""
    name = str(pending["name"])
    try:
        sheets = sheet_names(path, read_limits(request.app.state.workspace.setting))
    except UserError as error:
        path.unlink(missing_ok=True)
        return _refused(request, UserError(error.message.replace(path.name, name)), name)
    if len(sheets) > 1 and not pending.get("sheet"):
        request.session[PENDING] = pending
        return _sheet_form(request, pending, sheets)
    return _import(request, user, path, pending, {})


def _sheet_form(
    request: Request,
    pending: dict[str, Any],
    sheets: list[str],
    error: str | None = None,
) -> Response:
    context = {"name": pending["name"], "sheets": sheets, "error": error}
    return render(request, "data/sheet.html", context, 400 if error else 200)


def _encoding_hint(path: Path, chosen: str) -> str:
    """When a CSV refused for its headers was read in an encoding other than its own, say so:
    its headers would be garbled, and no mapping mends that."""
    if path.suffix != ".csv" or chosen == "auto":
        return ""
    try:
        found = detect_encoding(path)
    except UserError:
        return ""
    asked = "gb18030" if chosen == "gbk" else chosen
    if found.replace("-sig", "") == asked:
        return ""
    return (
        f"按所选编码 {chosen.upper()} 读取，而文件看来是 {found.upper()} 编码："
        "如下面的表头是乱码，请改选“自动识别”后重新上传。"
    )


def _import(
    request: Request,
    user: User,
    path: Path,
    pending: dict[str, Any],
    typed: dict[str, str],
) -> Response:
    """Import the stored upload; the result, the mapping form, or the refusal (a fragment)."""
    ws = request.app.state.workspace
    datasets: dict[str, Dataset] = ws.datasets()
    dataset = datasets[pending["dataset"]]
    name = str(pending["name"])
    options = ImportOptions(
        sheet=pending.get("sheet") or None,
        encoding=pending.get("encoding") or "auto",
        crs=pending.get("crs") or None,
        agency=pending.get("agency", ""),
        mapping=typed,
        constants={str(k): str(v) for k, v in (pending.get("constants") or {}).items()},
    )
    keep = False
    try:
        result = import_file(
            warehouse_of(request),
            ws.reports_dir,
            dataset,
            path,
            options,
            user=user,
            file_name=name,
            limits=read_limits(ws.setting),
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
            headers = mappings.file_headers(path, options.sheet, options.encoding)
            context = {
                "message": message,
                "hint": _encoding_hint(path, options.encoding),
                "dataset": dataset,
                "name": name,
                "headers": [
                    (h, saved.get(normalise_header(h)) or mappings.column_named(dataset, h) or "")
                    for h in headers
                ],
                "agency": options.agency,
            }
            return render(request, "data/mapping.html", context, 400)
        return _refused(request, UserError(message, code=error.code), name)
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
        form = await request.form(max_files=1, max_fields=10 + 2 * SET_ROWS)
        options = upload_options(
            ws.datasets(),
            str(form.get("dataset", "")),
            agency=str(form.get("agency", "")),
            encoding=str(form.get("encoding", "")),
            crs=str(form.get("crs", "")),
            set_columns=[str(v) for v in form.getlist("set_column")],
            set_values=[str(v) for v in form.getlist("set_value")],
        )
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise UserError("请选择要上传的文件。", code="no_file")
        _sweep_stale(uploads_of(request))
        path, name = await _store_upload(upload, limit, uploads_of(request))
    except UserError as error:
        return _refused(request, error)
    pending = {**options, "token": path.stem, "suffix": path.suffix, "name": name}
    if path.suffix != ".csv":
        pending["encoding"] = "auto"  # an encoding is a CSV file's; a workbook has its own
    return await run_in_threadpool(_sheets_or_import, request, user, path, pending)


@router.post("/data/sheet")
def choose_sheet(
    request: Request, user: SignedInUser, sheet: Annotated[str, Form()] = ""
) -> Response:
    """Import the workbook waiting for its sheet, with the sheet chosen (one it has)."""
    try:
        require(user, "import_data")
        path, pending = _waiting(request)
        sheets = sheet_names(path, read_limits(request.app.state.workspace.setting))
    except UserError as error:
        return _refused(request, error)
    if sheet not in sheets:
        message = (
            f"文件“{pending['name']}”中没有名为“{sheet}”的工作表，请从下列工作表中选择。"
            if sheet
            else "请选择要导入的工作表。"
        )
        return _sheet_form(request, pending, sheets, message)
    return _import(request, user, path, {**pending, "sheet": sheet}, {})


@router.post("/data/remap")
def remap(
    request: Request, user: SignedInUser, map: Annotated[list[str] | None, Form()] = None
) -> Response:
    """Import the upload refused for its headers again, with the headers mapped as chosen."""
    try:
        require(user, "import_data")
        path, pending = _waiting(request)
    except UserError as error:
        return _refused(request, error)
    typed = {}
    for pair in map or []:
        if "=" in pair:
            header, column_id = pair.rsplit("=", 1)
            if column_id:
                typed[header] = column_id
    return _import(request, user, path, pending, typed)
