"""Signing in and out, and who the request is from.

The session (a signed cookie, `SessionMiddleware`) holds the account's name, the fingerprint of
its password at sign-in and when it was last used. Each request checks the account again: a
deactivated account, a changed password or a session idle longer than the workspace's
`[web] idle_minutes` ends it. Routes take the user with `Depends(current_user)`; without one the
browser is sent to /login and comes back afterwards.

Failed sign-ins lock the account (`users.passwords`, stored); this module adds a limit per client
address (`Throttle`), kept in memory: it slows one machine trying many names, which no account's
lock sees, and it makes an unknown name lock as a real one does, so that the lock message does not
tell which names exist.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from shujian.errors import UserError
from shujian.users import User, passwords
from shujian.web.pages import render

router = APIRouter()


class NotSignedIn(Exception):
    """Raised by `current_user`; the application answers with a redirect to /login."""


@dataclass
class Throttle:
    """Sign-in attempts per client address, and failures per name, in a sliding window."""

    per_address: int = 30
    window: float = passwords.FAILURE_WINDOW.total_seconds()
    attempts: dict[str, deque[float]] = field(default_factory=dict)
    failures: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, table: dict[str, deque[float]], key: str, now: float) -> deque[float]:
        times = table.setdefault(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        if len(table) > 10_000:  # forget the oldest keys rather than grow without end
            for stale in list(table)[:1000]:
                if stale != key:
                    del table[stale]
        return times

    def allow(self, address: str) -> bool:
        now = time.monotonic()
        times = self._recent(self.attempts, address, now)
        if len(times) >= self.per_address:
            return False
        times.append(now)
        return True

    def failed(self, name: str) -> bool:
        """Count a failure of `name`; True when it has failed as often as locks an account."""
        now = time.monotonic()
        times = self._recent(self.failures, name, now)
        times.append(now)
        return len(times) >= passwords.LOCK_AFTER


TOO_MANY = "登录尝试过于频繁，请稍后再试。"


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def signed_in(request: Request) -> User | None:
    """The session's user, or None (and the session cleared) when it has ended."""
    if hasattr(request.state, "user"):
        return request.state.user  # type: ignore[no-any-return]
    session = request.session
    name, stamp, seen = session.get("user"), session.get("pw"), session.get("seen")
    user = None
    if isinstance(name, str) and isinstance(stamp, str) and isinstance(seen, int | float):
        ws = request.app.state.workspace
        idle = request.app.state.idle_seconds
        if time.time() - seen <= idle:
            user = passwords.session_user(ws.store, name, stamp, ws.region.procuratorate_name)
    if user is None:
        if name is not None:
            session.pop("user", None)
            session.pop("pw", None)
            session.pop("seen", None)
    else:
        session["seen"] = int(time.time())  # re-signs the cookie: the idle time starts again
    request.state.user = user
    return user


def current_user(request: Request) -> User:
    """The signed-in `User` (the one the services take); a dependency of every page but /login."""
    user = signed_in(request)
    if user is None:
        raise NotSignedIn
    return user


SignedInUser = Annotated[User, Depends(current_user)]
"""A route's parameter `user: SignedInUser` is the signed-in user; without one, /login."""


def to_login(request: Request) -> Response:
    """Where a request without a session goes: /login, then back to the page it wanted."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    url = "/login" if target == "/" else f"/login?next={quote(target, safe='')}"
    if request.headers.get("hx-request"):  # htmx: replace the whole page, not a fragment
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never //host or a scheme): no open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    if signed_in(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    notice = "已退出登录。" if request.query_params.get("bye") else None
    return render(request, "login.html", {"next": _safe_next(next), "notice": notice})


@router.post("/login")
def login(
    request: Request,
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    throttle: Throttle = request.app.state.throttle
    address = client_address(request)
    name = name.strip()
    context = {"next": _safe_next(next), "name": name}
    if not throttle.allow(address):
        return render(request, "login.html", {**context, "error": TOO_MANY}, status_code=429)
    ws = request.app.state.workspace
    try:
        result = passwords.authenticate(
            ws.store, name, password, ws.region.procuratorate_name, source=address
        )
    except UserError as error:
        message = error.message
        if error.code == "bad_credentials" and throttle.failed(name):
            message = passwords.LOCKED
        return render(request, "login.html", {**context, "error": message}, status_code=401)
    request.session.clear()  # a new session: nothing from before sign-in carries over
    request.session.update(
        {"user": result.user.name, "pw": result.password_stamp, "seen": int(time.time())}
    )
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, user: SignedInUser) -> Response:
    ws = request.app.state.workspace
    passwords.sign_out(ws.store, user, source=client_address(request))
    request.session.clear()
    return RedirectResponse("/login?bye=1", status_code=303)
