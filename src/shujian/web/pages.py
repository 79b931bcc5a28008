"""The templates, and what every page is given: the signed-in user, the procuratorate, the
navigation and the CSRF token.

A page family renders with `render(request, "family/page.html", {...})`. Jinja2 escapes every
value (autoescape is on for .html): a venue named `<script>…` shows as text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from shujian.web.security import csrf_token

TEMPLATES = Path(__file__).with_name("templates")

NAV = (
    ("/", "首页"),
    ("/leads", "线索"),
    ("/cases", "案件"),
    ("/models", "模型"),
    ("/data", "数据"),
    ("/map", "地图"),
    ("/stats", "统计"),
    ("/admin", "系统管理"),
)
"""The main navigation: path and label of each page family."""

templates = Jinja2Templates(directory=str(TEMPLATES))
assert templates.env.autoescape, "Jinja2 must escape every value"


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    """A page: the template with the request's user, procuratorate, navigation and token."""
    ws = request.app.state.workspace
    page = {
        "procuratorate": ws.region.procuratorate_name,
        "user": getattr(request.state, "user", None),
        "nav": NAV,
        "here": request.url.path,
        "csrf_token": csrf_token(request),
        **(context or {}),
    }
    return templates.TemplateResponse(request, name, page, status_code=status_code)
