"""`create_app(workspace)`: one procuratorate's workspace served as a web application.

One application serves one workspace; it is made by `shujian serve` and by the tests. Every
response passes, outermost first: the security headers, the session (signed cookie), the CSRF
check, then the routes of the page families in `FAMILIES`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import Depends, FastAPI
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

from shujian.errors import UserError
from shujian.web import (
    admin,
    auth,
    cases,
    data,
    documents,
    guardianship,
    hearings,
    home,
    judicial_aid,
    lead_export,
    leads,
    minor_stats,
    minors,
    models,
    petitions,
    probation,
    sealing,
    stats,
    supervision,
    support,
    tiers,
    upload,
)
from shujian.web import map as map_family
from shujian.web.assets import STATIC
from shujian.web.pages import may_open, refusal_status, render
from shujian.web.security import HEADERS, CSRFCheck, SecurityHeaders, session_key
from shujian.workspace import Workspace, open_workspace

FAMILIES = (
    auth,
    home,
    leads,
    lead_export,
    cases,
    documents,
    support,  # 支持起诉: /support/apply, /cases/{id}/support-opinion
    models,
    data,
    upload,
    map_family,
    stats,
    hearings,
    judicial_aid,
    sealing,
    supervision,  # before minors: /minors/supervision… is not a minor's reference
    guardianship,  # before minors: /minors/orders…, /minors/guidance are not references
    probation,  # before minors: /minors/probation… is not a minor's reference
    minor_stats,  # before minors: its /minors/{ref} would take /minors/stats
    tiers,  # 分级干预: /minors/{ref}/tier
    minors,
    petitions,  # 12309 信访
    admin,
)
"""Modules with a `router`: one per page family (leads, cases, models, data, map, stats, minors,
admin join here)."""


def fence(request: Request) -> None:
    """A helping unit's account (scope `records`) opens only the families of its navigation —
    the 未成年人 pages — and everything else answers 404, as a page that does not exist: it
    learns nothing of the procuratorate's other data, not even which pages there are."""
    user = auth.signed_in(request)
    if user is not None and not may_open(user, request.url.path):
        raise HTTPException(status_code=404)


SESSION_COOKIE = "shujian_session"

log = logging.getLogger("shujian.web")


def create_app(workspace: Path | Workspace, *, login_attempts_per_address: int = 30) -> FastAPI:
    """The application serving `workspace` (a path, or a workspace already open)."""
    ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace)
    ws.store  # noqa: B018 - refuses a store of another version before the first request
    idle_seconds = int(ws.setting("web.idle_minutes")) * 60

    app = FastAPI(
        title="数检",
        docs_url=None,  # no API pages: they load scripts from a CDN
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(fence)],
    )
    app.state.workspace = ws
    app.state.idle_seconds = idle_seconds
    app.state.throttle = auth.Throttle(per_address=login_attempts_per_address)

    # add_middleware wraps: the last added is the outermost.
    app.add_middleware(CSRFCheck)
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_key(ws.root),
        session_cookie=SESSION_COOKIE,
        max_age=idle_seconds,
        same_site="strict",
        https_only=False,  # served on 127.0.0.1 or behind the procuratorate's HTTPS proxy
    )
    app.add_middleware(SecurityHeaders, img_source=map_family.tile_origin(ws))

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for family in FAMILIES:
        app.include_router(family.router)

    app.add_exception_handler(auth.NotSignedIn, _not_signed_in)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(UserError, _refused)
    app.add_exception_handler(Exception, _internal_error)
    return app


def _not_signed_in(request: Request, _error: Exception) -> Response:
    return auth.to_login(request)


TITLES = {
    400: "请求有误",
    403: "无权访问",
    404: "页面不存在",
    405: "不支持这种请求",
    413: "内容过大",
    429: "请求过于频繁",
}


def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    title = TITLES.get(error.status_code, "请求未能完成")
    message = {
        404: "没有这个页面，或您无权查看它。",
        405: "这个地址不接受这种请求。",
    }.get(error.status_code, title + "。")
    return render(
        request,
        "error.html",
        {"title": title, "message": message, "user": auth.signed_in(request)},
        status_code=error.status_code,
    )


def _refused(request: Request, error: Exception) -> Response:
    """A service's refusal that no page handled itself: its Chinese message."""
    assert isinstance(error, UserError)
    status = refusal_status(error)
    return render(
        request,
        "error.html",
        {
            "title": TITLES[status] if status != 400 else "未能完成",
            "message": error.message,
            "user": auth.signed_in(request),
        },
        status_code=status,
    )


INTERNAL_ERROR = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>内部错误</title><link rel="stylesheet" href="/static/app.css"></head>
<body><main class="narrow"><h1>内部错误</h1>
<p>程序遇到了未预料的情况，详情已写入服务器日志。请把发生的时间告诉系统管理员。</p>
<p><a href="/">返回首页</a></p></main></body></html>"""


def _internal_error(request: Request, error: Exception) -> Response:
    """Starlette answers this outside every middleware: a fixed page, its headers set here."""
    log.exception("internal error on %s %s", request.method, request.url.path, exc_info=error)
    return HTMLResponse(INTERNAL_ERROR, status_code=500, headers=HEADERS)
