"""首页: the signed-in user's dashboard — the funnel, leads per model, the monthly trend (ECharts,
drawn by static/charts.js from the figures in data-* attributes: the CSP allows no inline
script) and the deadlines due this week and overdue, each linked to its case.

A 系统管理员 sees no case data: their 首页 says who they are and where to manage accounts. A
helping unit's account (包保单位工作人员) has no 首页: it is sent to its register (未成年人).
"""

from __future__ import annotations

import json

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from shujian.beijing import today_in_china
from shujian.cases.dashboard import dashboard
from shujian.errors import UserError
from shujian.leads.queue import homes
from shujian.models.spec import load_library
from shujian.users import departments_of
from shujian.users.access import can
from shujian.users.user import User
from shujian.web.auth import SignedInUser
from shujian.web.pages import render
from shujian.workspace import Workspace

router = APIRouter()


@router.get("/")
def home(request: Request, user: SignedInUser) -> Response:
    if not can(user, "view_stats") and can(user, "view_minors"):
        # a helping unit's account: its pages are the register of its minors
        return RedirectResponse("/minors", status_code=303)
    ws = request.app.state.workspace
    library = load_library(ws.models_dir)
    figures = dashboard(
        ws.store,
        user,
        today_in_china(),
        library,
        homes(library, departments_of(ws)),
        ws.calendar,
    )
    charts = None
    if figures is not None:
        charts = {
            "funnel": json.dumps([{"name": n, "value": v} for n, v in figures.funnel]),
            "models": json.dumps(
                {
                    "names": [m for m, _, _ in figures.by_model],
                    "leads": [n for _, n, _ in figures.by_model],
                    "accepted": [a for _, _, a in figures.by_model],
                },
                ensure_ascii=False,
            ),
            "months": json.dumps(
                {
                    "months": [m for m, *_ in figures.by_month],
                    "leads": [n for _, n, _, _ in figures.by_month],
                    "accepted": [a for _, _, a, _ in figures.by_month],
                    "recommendations": [r for *_, r in figures.by_month],
                }
            ),
        }
    return render(
        request,
        "home/dashboard.html",
        {"figures": figures, "charts": charts, "petitions": _petitions(ws, user)},
    )


def _petitions(ws: Workspace, user: User) -> dict[str, int] | None:
    """The user's 信访 owed a reply: overdue and due soon (None without 信访)."""
    if not can(user, "view_petitions"):
        return None
    from shujian.petitions import service as petitions

    try:
        counts = petitions.counts(petitions.Petitions(ws), user, today_in_china())
    except UserError:  # a role that may see petitions but not in this procuratorate's set-up
        return None
    return {view: counts[view] for view in ("overdue", "due_soon", "open")}
