"""What protects every page, checked over HTTP (TestClient): the headers on every response, the
CSRF token on every state-changing request, the session cookie's flags and idle timeout, the
limit on sign-in attempts per address, no open redirect, values escaped."""

from __future__ import annotations

import datetime as dt
import re
import stat
import time

import itsdangerous
import pytest
from fastapi.testclient import TestClient

from shujian.users import User
from shujian.users.accounts import deactivate_user
from shujian.users.passwords import BAD_CREDENTIALS, set_password
from shujian.web.app import SESSION_COOKIE, create_app
from shujian.web.security import CSP, KEY_FILE
from shujian.workspace import Workspace
from web.browsing import PASSWORD, XSS

ADMIN = User("管理员", "青岚县人民检察院", None, frozenset({"admin"}))


def token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def sign_in(client: TestClient, name: str = "张检察官", password: str = PASSWORD):  # type: ignore[no-untyped-def]
    form = {"name": name, "password": password, "csrf_token": token(client.get("/login").text)}
    return client.post("/login", data=form, follow_redirects=False)


@pytest.mark.parametrize(
    "path", ["/", "/login", "/static/app.css", "/static/app.js", "/no-such-page"]
)
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "'unsafe-inline'" not in CSP and "frame-ancestors 'none'" in CSP


def test_no_page_has_inline_script_or_style(client: TestClient) -> None:
    sign_in(client)
    for page in (client.get("/login").text, client.get("/").text):
        assert not re.search(r"<script(?![^>]*\bsrc=)", page)
        assert " style=" not in page and "<style" not in page and " on" not in page.lower()


def test_a_post_without_the_token_is_refused(client: TestClient) -> None:
    assert sign_in(client).status_code == 303
    refused = client.post("/logout", follow_redirects=False)
    assert refused.status_code == 403
    assert "安全令牌" in refused.text and refused.headers["content-security-policy"] == CSP
    wrong = client.post("/logout", headers={"X-CSRF-Token": "forged"}, follow_redirects=False)
    assert wrong.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200  # still signed in
    for method in ("put", "patch", "delete"):
        assert client.request(method, "/", follow_redirects=False).status_code == 403


def test_the_token_in_the_header_is_what_htmx_sends(client: TestClient) -> None:
    sign_in(client)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text)
    assert csrf
    out = client.post("/logout", headers={"X-CSRF-Token": csrf.group(1)}, follow_redirects=False)
    assert (out.status_code, out.headers["location"]) == (303, "/login?bye=1")


def test_a_login_without_the_token_is_refused(client: TestClient) -> None:
    form = {"name": "张检察官", "password": PASSWORD}
    assert client.post("/login", data=form).status_code == 403


def test_the_session_cookie_is_http_only_and_same_site_strict(client: TestClient) -> None:
    cookie = sign_in(client).headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    assert "Max-Age=1800" in cookie  # [web] idle_minutes = 30


def test_a_page_without_a_session_goes_to_login_and_back(client: TestClient) -> None:
    away = client.get("/?tab=1", follow_redirects=False)
    assert (away.status_code, away.headers["location"]) == (303, "/login?next=%2F%3Ftab%3D1")
    htmx = client.get("/", headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.headers["hx-redirect"] == "/login"
    form = {"name": "张检察官", "password": PASSWORD, "next": "/?tab=1"}
    form["csrf_token"] = token(client.get("/login?next=%2F%3Ftab%3D1").text)
    back = client.post("/login", data=form, follow_redirects=False)
    assert back.headers["location"] == "/?tab=1"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil"])
def test_sign_in_never_sends_the_browser_elsewhere(client: TestClient, target: str) -> None:
    form = {"name": "张检察官", "password": PASSWORD, "next": target}
    form["csrf_token"] = token(client.get("/login").text)
    assert client.post("/login", data=form, follow_redirects=False).headers["location"] == "/"


def test_an_idle_session_ends(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    sign_in(client)
    assert client.get("/", follow_redirects=False).status_code == 200
    later = time.time() + 31 * 60
    monkeypatch.setattr(time, "time", lambda: later)  # itsdangerous' clock and ours
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_a_session_signed_with_another_key_is_nobody(client: TestClient, web_ws: Workspace) -> None:
    signer = itsdangerous.TimestampSigner("not the workspace's key")
    forged = signer.sign(b"eyJ1c2VyIjogIlx1N2JhMVx1NzQwNlx1NTQ1OCJ9").decode()  # {"user": "管理员"}
    client.cookies.set(SESSION_COOKIE, forged)
    assert client.get("/", follow_redirects=False).status_code == 303
    key = web_ws.root / KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_disabling_an_account_or_changing_its_password_ends_its_sessions(
    client: TestClient, web_ws: Workspace
) -> None:
    sign_in(client)
    set_password(web_ws.store, ADMIN, "张检察官", "Changed#2026")
    assert client.get("/", follow_redirects=False).status_code == 303
    sign_in(client, password="Changed#2026")
    deactivate_user(web_ws.store, ADMIN, "张检察官")
    assert client.get("/", follow_redirects=False).status_code == 303
    assert BAD_CREDENTIALS in sign_in(client, password="Changed#2026").text


def test_too_many_attempts_from_one_address_are_refused(web_ws: Workspace) -> None:
    client = TestClient(create_app(web_ws, login_attempts_per_address=3))
    for _ in range(3):
        assert sign_in(client, password="Wrong#2026x").status_code == 401
    refused = sign_in(client)  # even the right password
    assert refused.status_code == 429 and "过于频繁" in refused.text


def test_an_unknown_name_locks_as_a_real_one_does(client: TestClient) -> None:
    """The lock message must not tell which names exist."""
    messages = [sign_in(client, "没有此人", "Wrong#2026x").text for _ in range(5)]
    assert "暂时锁定" not in messages[3] and "暂时锁定" in messages[4]


def test_values_are_escaped(client: TestClient) -> None:
    sign_in(client, XSS)
    page = client.get("/").text
    assert XSS not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_page_not_built_yet_answers_404_in_chinese(client: TestClient) -> None:
    """A page that does not exist (yet) answers 404 in Chinese."""
    sign_in(client)
    missing = client.get("/no-such-family")
    assert missing.status_code == 404 and "页面不存在" in missing.text


def test_the_api_pages_that_would_load_a_cdn_are_off(client: TestClient) -> None:
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert client.get(path).status_code == 404


def test_the_session_key_is_made_once(web_ws: Workspace) -> None:
    create_app(web_ws)
    key = (web_ws.root / KEY_FILE).read_text()
    create_app(web_ws)
    assert (web_ws.root / KEY_FILE).read_text() == key


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (dt.datetime(2026, 12, 5, 17, 30), "2026-12-06 01:30"),  # naive: stored UTC
        (dt.datetime(2026, 12, 5, 17, 30, tzinfo=dt.UTC), "2026-12-06 01:30"),
        (
            dt.datetime(2026, 12, 31, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=8))),
            "2026-12-31 23:59",
        ),
        (None, ""),
    ],
)
def test_pages_show_beijing_time(moment: dt.datetime | None, shown: str) -> None:
    from shujian.beijing import shown as beijing
    from shujian.web.pages import templates

    assert beijing(moment) == shown
    assert templates.env.filters["beijing"] is beijing
