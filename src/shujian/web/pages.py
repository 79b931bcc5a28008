"""The templates, and what every page is given: the signed-in user, the procuratorate, the
navigation and the CSRF token.

A page family renders with `render(request, "family/page.html", {...})`. Jinja2 escapes every
value (autoescape is on for .html): a venue named `<script>…` shows as text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from shujian import beijing as beijing_time
from shujian.data.fields.id_card import today_in_china
from shujian.errors import UserError
from shujian.users import User
from shujian.users.access import can
from shujian.web.security import csrf_token

TEMPLATES = Path(__file__).with_name("templates")

NAV = (
    ("/", "首页", ()),
    ("/leads", "线索", ("view_leads",)),
    ("/cases", "案件", ("view_cases",)),
    ("/models", "模型", ("view_leads",)),
    ("/data", "数据", ("view_leads", "import_data")),
    ("/map", "地图", ("view_leads",)),
    ("/stats", "统计", ("view_stats",)),
    ("/admin", "系统管理", ("manage_users", "view_audit")),
)
"""The main navigation: path, label and the actions (users/declarations.yaml) any one of which
lets a user open the page family; empty for every signed-in user. A link the user's roles cannot
use is not shown (the route refuses it anyway)."""


def navigation(user: User | None) -> list[tuple[str, str]]:
    """The links of `NAV` the user may follow."""
    if user is None:
        return []
    return [
        (path, label) for path, label, grant in NAV if not grant or any(can(user, a) for a in grant)
    ]


templates = Jinja2Templates(directory=str(TEMPLATES))
assert templates.env.autoescape, "Jinja2 must escape every value"

CHINA = beijing_time.CHINA


def beijing(moment: dt.datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A stored instant as Beijing time (the stores keep UTC; a naive value is UTC), for the
    templates' `beijing` filter: `{{ lead.created_at | beijing }}`."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(CHINA).strftime(pattern)


templates.env.filters["beijing"] = beijing


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    """A page: the template with the request's user, procuratorate, navigation and token."""
    ws = request.app.state.workspace
    page = {
        "procuratorate": ws.region.procuratorate_name,
        "user": getattr(request.state, "user", None),
        "nav": navigation(getattr(request.state, "user", None)),
        "here": request.url.path,
        "csrf_token": csrf_token(request),
        **(context or {}),
    }
    return templates.TemplateResponse(request, name, page, status_code=status_code)


def form_date(text: str | None, what: str) -> dt.date | None:
    """A date field of a form or query (YYYY-MM-DD, as <input type=date> sends it); None when
    empty. Refused in Chinese, naming the field, when it is not a date."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{what}“{text}”不是日期，应写作 2026-12-01。", code="bad_date") from None


def form_date_or_today(text: str | None, what: str) -> dt.date:
    """`form_date`, today in China when the field is empty (the services refuse later days)."""
    return form_date(text, what) or today_in_china()


def refusal_status(refusal: UserError) -> int:
    """The HTTP status of a service's refusal: 404 outside the scope or missing (the same
    answer), 403 for a role's refusal, 400 for anything the user can correct."""
    if refusal.code == "not_found":
        return 404
    if refusal.code in ("forbidden", "not_admin"):
        return 403
    return 400
