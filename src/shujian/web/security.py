"""What protects every page: security headers, the CSRF check, the session key.

- Every response carries a Content-Security-Policy that allows no inline script and nothing from
  another origin, and the headers that forbid framing and MIME sniffing (`SecurityHeaders`).
- Every state-changing request (POST, PUT, PATCH, DELETE) carries the session's CSRF token, in
  the `X-CSRF-Token` header (htmx sends it on every request: `static/app.js` copies it from the
  page's meta tag into `hx-headers`) or in a form's `csrf_token` field (a plain form, such as
  the sign-in page's). Without it the answer is 403 (`CSRFCheck`). A multipart form (an upload)
  must send the header, i.e. be posted by htmx: its body is not read here.
- The session cookie is signed with a key generated once per workspace and kept in it, readable
  by its owner only (`session_key`).

The token is kept in the session (a synchronizer token) rather than in a second cookie
(starlette-csrf's double submit): the page must know the token when it is rendered, on the first
visit too, and starlette-csrf only sets its cookie after the response is made and reads the
header only, which a plain form cannot send.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shujian import keyfile

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
CSRF_SESSION_KEY = "csrf"
MAX_FORM_BYTES = 1 << 20
"""A url-encoded form larger than this is refused before it is read (uploads are multipart)."""

KEY_FILE = "web-session.key"


class SecurityHeaders:
    """Adds `HEADERS` to every response, error pages and static files included."""

    def __init__(self, app: ASGIApp, img_source: str = "") -> None:
        self.app = app
        # an intranet tile server (`[map] tile_url`): its images only, nothing else of it
        self.headers = dict(HEADERS)
        if img_source:
            self.headers["Content-Security-Policy"] = CSP.replace(
                "img-src 'self' data:", f"img-src 'self' data: {img_source}"
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use (a page that shows a form needs it)."""
    token = request.session.get(CSRF_SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = request.session[CSRF_SESSION_KEY] = secrets.token_urlsafe(32)
    return token


FORBIDDEN = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>请求被拒绝</title><link rel="stylesheet" href="/static/app.css"></head>
<body><main class="narrow"><h1>请求被拒绝</h1>
<p>这个请求缺少或带有无效的安全令牌（可能页面已打开太久，或登录已过期）。请<a href="/">返回首页</a>，刷新后再试。</p>
</main></body></html>"""


class CSRFCheck:
    """Refuses (403) a state-changing request whose token is not the session's.

    Runs inside the session middleware (it reads `scope["session"]`).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        expected = scope.get("session", {}).get(CSRF_SESSION_KEY)
        submitted = request.headers.get(CSRF_HEADER)
        content_type = request.headers.get("content-type", "").split(";")[0].strip()
        if not submitted and content_type == "application/x-www-form-urlencoded":
            length = int(request.headers.get("content-length") or 0)
            if length > MAX_FORM_BYTES:
                await HTMLResponse("表单过大。", status_code=413)(scope, receive, send)
                return
            body, receive = await _read_body(receive)
            fields = parse_qs(body.decode("utf-8", "replace"))
            submitted = (fields.get(CSRF_FIELD) or [""])[0]
        if not expected or not submitted or not secrets.compare_digest(expected, submitted):
            await HTMLResponse(FORBIDDEN, status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _read_body(receive: Receive) -> tuple[bytes, Receive]:
    """The whole body, and a `receive` that gives it again to the application."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if sum(map(len, chunks)) > MAX_FORM_BYTES or not message.get("more_body"):
            break
    body = b"".join(chunks)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


def session_key(root: Path) -> str:
    """The workspace's session signing key: made once (0600), then read. Replacing the file
    signs everyone out."""
    return keyfile.secret(root / KEY_FILE, lambda: secrets.token_urlsafe(48))
