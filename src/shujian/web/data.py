"""数据: the datasets and their batches (what `shujian datasets list` and the batch records say)
and each batch's page with its rejected rows. Uploading a file is `web/upload.py`.

The rejection report holds the agency's cells as sent, ID numbers whole. The batch page shows its
first rows with ID numbers masked (the view audited); the report itself is downloaded only by a
user who may import, after giving a reason, which the audit entry keeps with the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from shujian import audit
from shujian.data.datasets import Dataset
from shujian.data.importer import rejection_report_path
from shujian.data.rejections import Rejection, read_excerpt
from shujian.data.warehouse import Batch
from shujian.errors import UserError
from shujian.models.labels import BY_SHAPE, SENSITIVE_TYPES, EvidencePrivacy
from shujian.users.access import can, require
from shujian.users.user import User
from shujian.web import upload
from shujian.web.auth import SignedInUser
from shujian.web.pages import refusal_status, render, warehouse_of

router = APIRouter()

PER_PAGE = 20
"""Batches a page of the list shows."""
EXCERPT_ROWS = 50
"""Refused cells (and skipped rows) the batch page shows; the report lists them all."""
ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8（带 BOM）",
    "gb18030": "GB18030（兼容 GBK）",
    "utf-16": "UTF-16",
}
"""The encodings the reader names (`Grid.encoding`), as a batch's page shows them."""


def _may_see(user: User) -> None:
    if not can(user, "view_leads"):
        require(user, "import_data")


def _refused_page(request: Request, error: UserError) -> Response:
    """A refusal as a whole page: 403 for a role's, 404 for a missing object, else 400."""
    return render(
        request,
        "error.html",
        {"title": "未能完成", "message": error.message},
        refusal_status(error),
    )


# ---- the list -------------------------------------------------------------------------------


@router.get("/data")
def data_page(request: Request, user: SignedInUser, dataset: str = "", page: int = 1) -> Response:
    _may_see(user)
    ws = request.app.state.workspace
    datasets: dict[str, Dataset] = ws.datasets()
    shown = dataset if dataset in datasets else None
    warehouse = warehouse_of(request)
    number = max(page, 1)
    batches, total = warehouse.batch_page(shown, offset=(number - 1) * PER_PAGE, limit=PER_PAGE)
    return render(
        request,
        "data/index.html",
        {
            "datasets": list(datasets.values()),
            "shown": shown,
            "batches": batches,
            "total": total,
            "number": number,
            "pages": max(1, -(-total // PER_PAGE)),
            "counts": warehouse.current_counts(),
            "labels": {d.id: d.label for d in datasets.values()},
            "may_import": can(user, "import_data"),
            "crs_choices": upload.CRS_CHOICES,
            "encodings": upload.ENCODINGS,
            "set_rows": upload.SET_ROWS,
            "limit_mb": int(ws.setting("web.upload_max_mb")),
        },
    )


# ---- one batch: its rejected rows, masked, and the report for a reason -----------------------


_ID_CELL = EvidencePrivacy(id_columns=frozenset({"value"}))
"""A cell of an ID column: masked whatever its shape (a malformed number never shows whole)."""


def masked_rejections(rejections: Sequence[Rejection], dataset: Dataset | None) -> list[Rejection]:
    """The refused cells as a list shows them: a cell of an ID column (`id_card`,
    `uscc_or_id_card`) masked as lead lists mask it, any ID number inside another cell or a
    reason masked down to its region. A batch of a dataset no longer declared masks every cell
    as an ID column's."""
    ids = (
        {c.label for c in dataset.columns if c.type in SENSITIVE_TYPES}
        if dataset is not None
        else None
    )
    out = []
    for r in rejections:
        privacy = _ID_CELL if ids is None or r.column in ids else BY_SHAPE
        value = privacy.rows([{"value": r.value}])[0]["value"]
        reason = BY_SHAPE.rows([{"reason": r.reason}])[0]["reason"]
        out.append(Rejection(r.row, r.column, value, reason))
    return out


def _batch_page(
    request: Request, user: User, batch_id: int, *, error: str | None = None
) -> Response:
    require(user, "import_data")
    ws = request.app.state.workspace
    batch = warehouse_of(request).batch(batch_id)
    if batch is None:
        raise HTTPException(status_code=404)
    datasets: dict[str, Dataset] = ws.datasets()
    dataset = datasets.get(batch.dataset)
    path = rejection_report_path(ws.reports_dir, batch.dataset, batch.id)
    excerpt = read_excerpt(path, EXCERPT_ROWS) if path.is_file() else None
    rows = masked_rejections(excerpt.rejections, dataset) if excerpt else []
    if rows:  # the agency's cells, masked: a view of personal data
        assert excerpt is not None
        audit.record_view(
            ws.store,
            user.name,
            "batch",
            batch.id,
            {
                "what": "rejections",
                "dataset": batch.dataset,
                "shown": len(rows),
                "total": excerpt.rejected_cells,
                "revealed": False,
            },
        )
    context = {
        "batch": batch,
        "label": dataset.label if dataset else batch.dataset,
        "options": _options_shown(batch, dataset),
        "excerpt": excerpt,
        "rows": rows,
        "error": error,
        "report": path.name if excerpt else None,
    }
    return render(request, "data/batch.html", context, 400 if error else 200)


def _options_shown(batch: Batch, dataset: Dataset | None) -> list[tuple[str, str]]:
    """How the file was read, in words: what the import's options and the reader found."""
    details = batch.details
    out = []
    if details.get("sheet"):
        out.append(("工作表", str(details["sheet"])))
    if details.get("encoding"):
        found = str(details["encoding"])
        shown = ENCODING_LABELS.get(found, found.upper())
        asked = details.get("options")
        if isinstance(asked, dict) and asked.get("encoding") == "auto":
            shown += "，自动识别"
        out.append(("编码", shown))
    if details.get("header_row"):
        out.append(("表头所在行", f"第 {details['header_row']} 行"))
    if dataset is not None and dataset.coordinates:
        crs = details.get("crs")
        out.append(("坐标系", str(crs) if crs else "按文件中的“坐标系”列"))
    constants = details.get("constants")
    if isinstance(constants, dict) and constants:
        named = {c.id: c.label for c in dataset.columns} if dataset else {}
        out.append(("统一取值", "、".join(f"{named.get(k, k)}={v}" for k, v in constants.items())))
    extra = details.get("extra_columns")
    if isinstance(extra, list) and extra:
        out.append(("未对应的列", "、".join(map(str, extra)) + "（原样保存）"))
    return out


@router.get("/data/batches/{batch_id}")
def batch_page(request: Request, user: SignedInUser, batch_id: int) -> Response:
    try:
        return _batch_page(request, user, batch_id)
    except UserError as error:
        return _refused_page(request, error)


REASON_NEEDED = (
    "下载退回报告须填写理由（记入审计日志）：报告中是机关报送的原始值，身份证号码不遮蔽。"
)


@router.post("/data/batches/{batch_id}/report")
def report(
    request: Request, user: SignedInUser, batch_id: int, reason: Annotated[str, Form()] = ""
) -> Response:
    """The rejection report, whole: only for a user who may import, and only with a reason,
    which the audit entry keeps with the batch and the user."""
    try:
        require(user, "import_data")
        ws = request.app.state.workspace
        batch = warehouse_of(request).batch(batch_id)
        if batch is None:
            raise HTTPException(status_code=404)
        path = rejection_report_path(ws.reports_dir, batch.dataset, batch.id)
        if not path.is_file():
            return render(
                request, "error.html", {"message": f"批次 {batch_id} 没有退回报告。"}, 404
            )
        if not reason.strip():
            return _batch_page(request, user, batch_id, error=REASON_NEEDED)
    except UserError as error:
        return _refused_page(request, error)
    audit.record_view(
        ws.store,
        user.name,
        "batch",
        batch.id,
        {
            "what": "rejection_report",
            "dataset": batch.dataset,
            "file_name": batch.file_name,
            "rejected": batch.rejected,
            "reason": reason.strip(),
        },
        action="export",
    )
    return FileResponse(path, filename=path.name)
