"""统计: the statistics by model, department, prosecutor or month for the user's scope, as a
table and a chart, and the .xlsx download — the figures of `shujian stats`, audited the same way
(a view, or an export with the file's name)."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from shujian import audit
from shujian.cases import stats
from shujian.errors import UserError
from shujian.leads.queue import homes, review_models
from shujian.models.spec import load_library
from shujian.users import User, departments_of
from shujian.web.auth import SignedInUser
from shujian.web.pages import form_date, refusal_status, render

router = APIRouter()


def _rows(
    request: Request, user: User, by: str, since: dt.date | None, until: dt.date | None
) -> list[dict[str, Any]]:
    ws = request.app.state.workspace
    library = load_library(ws.models_dir)
    rows = stats.statistics(
        ws.store,
        by,
        since,
        until,
        home=homes(library, departments_of(ws)),
        review_models=review_models(library),
        user=user,
    )
    if by == "model":
        for r in rows:
            r["label"] = library[r["key"]].name if r["key"] in library else r["key"]
    else:
        for r in rows:
            r["label"] = r["key"]
    return rows


@router.get("/stats")
def statistics_page(
    request: Request,
    user: SignedInUser,
    by: str = "model",
    since: str | None = None,
    until: str | None = None,
) -> Response:
    try:
        start, end = form_date(since, "起始日期"), form_date(until, "截止日期")
        rows = _rows(request, user, by, start, end)
    except UserError as refusal:
        return render(
            request,
            "stats/page.html",
            {"refusal": refusal.message, "by": by},
            status_code=refusal_status(refusal),
        )
    ws = request.app.state.workspace
    audit.record_view(
        ws.store, user.name, "stats", by, {"since": since, "until": until, "file": None}
    )
    columns = stats.columns()
    series: tuple[tuple[str, str], ...] = (("leads", "线索"), ("accepted", "成案"))
    view = stats.kind_view(by)
    if view is not None:
        # a kind's own dimension: its figures only; the row of what it does not apply to goes
        # when none of them counts there (the leads and other kinds' cases are not its own)
        columns, series = view.columns, view.charted
        keys = [k for k, _ in columns]
        rows = [
            r for r in rows
            if r["key"] != stats.NOT_APPLICABLE or any(r.get(k) for k in keys)
        ]  # fmt: skip
    body = [r for r in rows if r["key"] != "合计"]
    # by 案件类别 no chart: each kind counts its own figures (立案数, 支持起诉申请 …), and no
    # one pair of them is every kind's
    chart = (
        None
        if by == "kind"
        else json.dumps(
            {
                "names": [r["label"] for r in body],
                "labels": [label for _, label in series],
                "leads": [r[series[0][0]] for r in body],
                "accepted": [r[series[1][0]] for r in body] if len(series) > 1 else [],
            },
            ensure_ascii=False,
        )
    )
    return render(
        request,
        "stats/page.html",
        {
            "rows": rows,
            "columns": columns,
            "kind_label": view.kind_label if view else None,
            "rates": {"acceptance_rate", *stats.ratios()},
            "dimensions": stats.DIMENSIONS,
            "by": by,
            "since": since or "",
            "until": until or "",
            "chart": chart,
        },
    )


@router.get("/stats.xlsx")
def statistics_xlsx(
    request: Request,
    user: SignedInUser,
    by: str = "model",
    since: str | None = None,
    until: str | None = None,
) -> Response:
    try:
        rows = _rows(request, user, by, form_date(since, "起始日期"), form_date(until, "截止日期"))
    except UserError as refusal:
        return render(
            request,
            "stats/page.html",
            {"refusal": refusal.message, "by": by},
            status_code=refusal_status(refusal),
        )
    name = f"统计-{stats.DIMENSIONS[by]}-{dt.date.today().isoformat()}.xlsx"
    folder = Path(tempfile.mkdtemp(prefix="shujian-stats-"))
    path = folder / "stats.xlsx"
    stats.export_xlsx(rows, by, path)
    ws = request.app.state.workspace
    audit.record_view(
        ws.store,
        user.name,
        "stats",
        by,
        {"since": since, "until": until, "file": name},
        action="export",
    )
    return FileResponse(
        path,
        filename=name,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        background=BackgroundTask(_remove, folder),
    )


def _remove(folder: Path) -> None:
    """The platform's own temporary file, written for this download only."""
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()
