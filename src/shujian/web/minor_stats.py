"""未成年人 › 统计: the juvenile figures by category, town or month for the user's minors, as a
table and a chart, and the .xlsx download — the service of `shujian minors stats`
(`juvenile.statistics`), audited the same way (a view, or an export naming the file).

Its routes are registered before those of `web.minors`, whose `/minors/{ref}` would otherwise
take `/minors/stats` for a minor's reference."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from shujian.errors import UserError
from shujian.juvenile import statistics
from shujian.juvenile.counting import DIMENSIONS
from shujian.juvenile.workbook import MONTH_NOTE, TOTAL_NOTE, UNREGISTERED_NOTE, period_line
from shujian.web.auth import SignedInUser
from shujian.web.minors import _Context
from shujian.web.pages import form_date, refusal_status, render

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(ctx: _Context, by: str, since: str | None, until: str | None) -> dict[str, Any]:
    """What the page shows whatever the answer: the tabs, the form as it was filled."""
    return {
        "tab": "stats",
        "helper": ctx.user.unit,
        "asked": {"by": by, "since": since or "", "until": until or ""},
        "dimensions": DIMENSIONS,
        "today": ctx.today,
    }


def _refused(ctx: _Context, refusal: UserError, page: dict[str, Any]) -> Response:
    """A date or dimension the user can correct: the form again with the reason (400); else
    the register's refusal (403, 404)."""
    if refusal_status(refusal) != 400:
        return ctx.refused(refusal)
    return render(
        ctx.request, "minors/stats.html", {**page, "refusal": refusal.message}, status_code=400
    )


@router.get("/minors/stats")
def stats_page(
    request: Request,
    user: SignedInUser,
    by: str = "category",
    since: str | None = None,
    until: str | None = None,
) -> Response:
    ctx = _Context(request, user)
    page = _page(ctx, by, since, until)
    try:
        stats = statistics.view(
            ctx.register,
            ctx.user,
            by,
            form_date(since, "起始日期"),
            form_date(until, "截止日期"),
            ctx.today,
        )
    except UserError as refusal:
        return _refused(ctx, refusal, page)
    return render(
        request,
        "minors/stats.html",
        {
            **page,
            "stats": stats,
            "rows": stats.tables[by],
            "period_line": period_line(stats),
            "notes": [TOTAL_NOTE, *([MONTH_NOTE] if by == "month" else []), UNREGISTERED_NOTE],
            "chart": json.dumps(statistics.chart(stats, by), ensure_ascii=False),
        },
    )


@router.get("/minors/stats.xlsx")
def stats_xlsx(
    request: Request,
    user: SignedInUser,
    by: str = "category",
    since: str | None = None,
    until: str | None = None,
) -> Response:
    ctx = _Context(request, user)
    folder = Path(tempfile.mkdtemp(prefix="shujian-minor-stats-"))
    path = folder / "stats.xlsx"
    name = f"未成年人统计-{DIMENSIONS.get(by, by)}-{ctx.today.isoformat()}.xlsx"
    try:
        statistics.export(
            ctx.register,
            ctx.user,
            by,
            form_date(since, "起始日期"),
            form_date(until, "截止日期"),
            ctx.today,
            path,
            name,
        )
    except UserError as refusal:
        _remove(folder)
        return _refused(ctx, refusal, _page(ctx, by, since, until))
    return FileResponse(
        path, filename=name, media_type=XLSX, background=BackgroundTask(_remove, folder)
    )


def _remove(folder: Path) -> None:
    """The platform's own temporary file, written for this download only."""
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()
