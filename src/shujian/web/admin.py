"""系统管理: accounts (open, set a password, disable), the parameters in force by the workspace's
overrides, and the audit log with filters and the verification of its chains.

The 系统管理员 manages accounts and settings and sees no case data; 院领导 may read and verify the
audit log. Every action goes through the same services as `shujian users …` and `shujian audit …`,
which check the permission and write the audit log themselves.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from shujian import audit
from shujian.errors import UserError
from shujian.tamper import verify as tamper_verify
from shujian.users import departments_of
from shujian.users.access import can, require
from shujian.users.accounts import add_user, deactivate_user, list_users
from shujian.users.passwords import check_policy, set_password
from shujian.users.user import User, roles
from shujian.web.auth import SignedInUser
from shujian.web.pages import form_date, refusal_status, render

router = APIRouter()

AUDIT_ROWS = 200
"""Entries a page of the audit log shows, newest first."""

ASSIGNABLE = ("admin", "chief", "department_head", "prosecutor", "assistant", "helper")
"""The roles an account may be given (the platform's own, system and single_user, are not)."""


def _accounts_page(
    request: Request, user: User, message: str = "", refusal: str = "", status: int = 200
) -> Response:
    ws = request.app.state.workspace
    require(user, "manage_users")
    labels = roles()
    return render(
        request,
        "admin/accounts.html",
        {
            "accounts": list_users(ws.store, user),
            "roles": [(r, labels[r]) for r in ASSIGNABLE if r in labels],
            "departments": departments_of(ws).names,
            "overrides": ws.overrides,
            "message": message,
            "refusal": refusal,
            "may_audit": can(user, "view_audit"),
        },
        status_code=status,
    )


@router.get("/admin")
def admin_home(request: Request, user: SignedInUser) -> Response:
    if not can(user, "manage_users"):
        if can(user, "view_audit"):
            return RedirectResponse("/admin/audit", status_code=303)
        return render(request, "error.html", {"message": "您无权管理账号和参数。"}, 403)
    return _accounts_page(request, user)


def _done(request: Request, user: User, call: Any, message: str) -> Response:
    try:
        call()
    except UserError as refusal:
        if refusal_status(refusal) == 403:
            return render(request, "error.html", {"message": refusal.message}, 403)
        return _accounts_page(request, user, refusal=refusal.message, status=400)
    return _accounts_page(request, user, message=message)


@router.post("/admin/users")
def open_account(
    request: Request,
    user: SignedInUser,
    name: Annotated[str, Form()] = "",
    department: Annotated[str, Form()] = "",
    role: Annotated[list[str] | None, Form()] = None,
    password: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "",
) -> Response:
    ws = request.app.state.workspace

    def call() -> None:
        require(user, "manage_users")
        if not password:
            raise UserError("请为新账号设置初始密码。", code="password_required")
        # The password is checked before the account is opened: a refused password must not
        # leave an account behind without one.
        check_policy(name.strip(), password)
        add_user(
            ws.store,
            user,
            name,
            department or None,
            role or [],
            departments_of(ws),
            unit=unit or None,
        )
        set_password(ws.store, user, name.strip(), password)

    return _done(request, user, call, f"已开通账号“{name.strip()}”。")


@router.post("/admin/users/{name}/password")
def reset_password(
    request: Request, user: SignedInUser, name: str, password: Annotated[str, Form()] = ""
) -> Response:
    ws = request.app.state.workspace
    return _done(
        request,
        user,
        lambda: set_password(ws.store, user, name, password),
        f"已为“{name}”设置新密码，其已登录的会话随之失效。",
    )


@router.post("/admin/users/{name}/disable")
def disable_account(request: Request, user: SignedInUser, name: str) -> Response:
    ws = request.app.state.workspace
    return _done(
        request, user, lambda: deactivate_user(ws.store, user, name), f"已停用账号“{name}”。"
    )


@router.get("/admin/audit")
def audit_log(
    request: Request,
    user: SignedInUser,
    actor: str = "",
    object_type: str = "",
    action: str = "",
    since: str = "",
    until: str = "",
) -> Response:
    ws = request.app.state.workspace
    filters = {
        "actor": actor,
        "object_type": object_type,
        "action": action,
        "since": since,
        "until": until,
    }
    try:
        entries = audit.query(
            ws.store,
            actor=actor or None,
            object_type=object_type or None,
            action=action or None,
            since=form_date(since, "起始日期"),
            until=form_date(until, "截止日期"),
            limit=AUDIT_ROWS,
            user=user,
        )
    except UserError as refusal:
        status = 403 if refusal.code == "forbidden" else 400
        return render(
            request,
            "admin/audit.html",
            {"refusal": refusal.message, **_choices(), **filters},
            status,
        )
    for e in entries:
        detail = e["detail"]
        e["detail_text"] = shown_detail(
            detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)
        )
    return render(
        request,
        "admin/audit.html",
        {"entries": list(reversed(entries)), "shown": AUDIT_ROWS, **_choices(), **filters},
    )


DETAIL_CHARS = 2000
"""How much of one entry's content the audit page shows."""


def shown_detail(text: str) -> str:
    """An entry's content as the page shows it: at most `DETAIL_CHARS` characters, saying how
    long it is and where to read the whole. An entry written before sealing named its records
    as runs held the ids of every record a batch sealed (1.4 MB for a million-row export),
    and the page printed all of it."""
    if len(text) <= DETAIL_CHARS:
        return text
    return (
        f"{text[:DETAIL_CHARS]}……（共 {len(text):,} 字，页面只显示前 {DETAIL_CHARS:,} 字；"
        "完整内容：shujian audit log --json）"
    )


def _choices() -> dict[str, Any]:
    """The filter's choices: each kind of object and each action by its Chinese name (查看 and
    查看列表 first: most entries are views)."""
    actions = sorted(audit.ACTION_LABELS.items(), key=lambda item: item[0] not in ("view", "list"))
    return {
        "object_labels": audit.OBJECT_LABELS,
        "action_labels": [a for a in actions if a[0] != "assign"],
    }


@router.post("/admin/audit/verify")
def verify_audit(request: Request, user: SignedInUser) -> Response:
    ws = request.app.state.workspace
    try:
        result = tamper_verify.verify(ws.store, ws.root, user=user).result
    except UserError as refusal:
        return render(request, "admin/audit.html", {"refusal": refusal.message}, 403)
    return render(request, "admin/audit.html", {"verification": result, "entries": []})
