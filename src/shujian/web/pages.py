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
from shujian.beijing import today_in_china
from shujian.data.warehouse import Warehouse
from shujian.errors import UserError
from shujian.models.spec import ModelSpec, load_library
from shujian.users.access import can, scope_of
from shujian.users.user import User
from shujian.web.security import csrf_token
from shujian.workspace import Workspace

TEMPLATES = Path(__file__).with_name("templates")

NAV = (
    ("/", "首页", ("view_stats", "manage_users", "view_audit")),
    ("/leads", "线索", ("view_leads",)),
    ("/cases", "案件", ("view_cases",)),
    ("/models", "模型", ("view_leads",)),
    ("/data", "数据", ("view_leads", "import_data")),
    ("/map", "地图", ("view_leads",)),
    ("/stats", "统计", ("view_stats",)),
    ("/minors", "未成年人", ("view_minors",)),
    ("/sealed", "封存记录", ("view_sealed", "handle_sealing")),
    ("/petitions", "信访", ("view_petitions",)),
    ("/admin", "系统管理", ("manage_users", "view_audit")),
)
"""The main navigation: path and label of each page family, and the actions of which a user
needs one to be shown it (and, for a role of scope `records`, to open it at all: `may_open`)."""

OPEN_TO_ALL = ("/", "/login", "/logout")
"""Paths every signed-in user may open: 首页 (which sends a helper to 未成年人), signing in and
out."""


def navigation(user: User | None, sees_register: bool = True) -> list[tuple[str, str]]:
    """The families the user may use, in order (none before sign-in). `sees_register`: whether
    the user's department may open the register of minors (`juvenile.access.register_scope`:
    a prosecutor of 控告申诉检察部 has `view_minors` by role but is refused the register, so the
    entry is not shown to lead to a refusal)."""
    if user is None:
        return []
    return [
        (path, label)
        for path, label, needs in NAV
        if any(can(user, a) for a in needs) and (path != "/minors" or sees_register)
    ]


def _sees_register(ws: Workspace, user: User | None) -> bool:
    if user is None or not can(user, "view_minors"):
        return False
    from shujian.juvenile.access import JUVENILE_DEPARTMENT, register_scope
    from shujian.leads.queue import home_department
    from shujian.users.departments import departments_of

    try:
        register_scope(user, home_department(JUVENILE_DEPARTMENT, departments_of(ws)))
    except UserError:
        return False
    return True


def family_of(path: str) -> tuple[str, str, tuple[str, ...]] | None:
    """The navigation entry a path belongs to (its family's path or a path below it)."""
    found = None
    for entry in NAV:
        root = entry[0]
        if path == root or (root != "/" and path.startswith(root + "/")):
            found = entry
    return found


def may_open(user: User, path: str) -> bool:
    """Whether a user of scope `records` (a helping unit's account, who must see nothing of the
    procuratorate's but the records granted) may open `path`: only the families of their
    navigation, and signing in and out. Everyone else is answered by each page's own checks."""
    if scope_of(user).kind != "records":
        return True
    if path in OPEN_TO_ALL:
        return True
    entry = family_of(path)
    return entry is not None and any(can(user, a) for a in entry[2])


templates = Jinja2Templates(directory=str(TEMPLATES))
assert templates.env.autoescape, "Jinja2 must escape every value"

templates.env.filters["beijing"] = beijing_time.shown  # {{ lead.created_at | beijing }}


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    """A page: the template with the request's user, procuratorate, navigation and token."""
    ws = request.app.state.workspace
    page = {
        "procuratorate": ws.region.procuratorate_name,
        "user": getattr(request.state, "user", None),
        "nav": navigation(
            getattr(request.state, "user", None),
            _sees_register(ws, getattr(request.state, "user", None)),
        ),
        "here": request.url.path,
        "csrf_token": csrf_token(request),
        **(context or {}),
    }
    return templates.TemplateResponse(request, name, page, status_code=status_code)


def workspace_of(request: Request) -> Workspace:
    """The workspace the application serves."""
    return request.app.state.workspace  # type: ignore[no-any-return]


def library_of(request: Request) -> dict[str, ModelSpec]:
    """The workspace's model library (`load_library` keeps it and re-reads a changed file)."""
    return load_library(workspace_of(request).models_dir)


def warehouse_of(request: Request) -> Warehouse:
    """The workspace's warehouse of imported batches."""
    ws = workspace_of(request)
    return Warehouse(ws.warehouse_dir, ws.store)


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
