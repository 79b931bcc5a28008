"""The web application in a real browser (Debian's Chromium through Playwright): signing in
and out, the wrong password, the lock-out, the Content-Security-Policy with no violation, values
shown as text, and not one request leaving 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from shujian.users.passwords import BAD_CREDENTIALS, LOCKED
from shujian.web.security import CSP
from web.browsing import XSS, Server, Visit, shot

pytestmark = pytest.mark.xdist_group("browser")

"""A folder to keep the screenshots in (to look at them); else they go to the test's tmp dir."""


def text(visit: Visit, selector: str) -> str:
    return str(visit.page.inner_text(selector))  # type: ignore[attr-defined]


def test_sign_in_see_home_and_sign_out(visit: Visit, tmp_path: Path) -> None:
    visit.go("/")
    assert visit.page.url == visit.url + "/login"  # type: ignore[attr-defined]
    shot(visit, "login", tmp_path)
    visit.sign_in("退出测试")
    assert visit.page.url == visit.url + "/"  # type: ignore[attr-defined]
    assert text(visit, "#home-name") == "退出测试"
    assert text(visit, "#home-roles") == "检察官"
    assert "青岚县人民检察院" in text(visit, "header")
    nav = text(visit, "header nav")
    for label in ("首页", "线索", "案件", "模型", "数据", "地图", "统计", "未成年人"):
        assert label in nav
    assert "系统管理" not in nav  # a prosecutor neither manages accounts nor reads the audit log
    shot(visit, "home", tmp_path)
    with visit.page.expect_navigation():  # type: ignore[attr-defined]
        visit.page.click("#logout")  # type: ignore[attr-defined]
    assert "已退出登录" in text(visit, "main")
    visit.go("/")
    assert visit.page.url == visit.url + "/login"  # type: ignore[attr-defined]


def test_a_wrong_password_says_so_without_saying_whether_the_account_exists(
    visit: Visit,
) -> None:
    visit.sign_in("张检察官", "Wrong#2026x")
    wrong = text(visit, ".error")
    visit.sign_in("没有这个人", "Wrong#2026x")
    assert text(visit, ".error") == wrong == BAD_CREDENTIALS
    assert visit.page.input_value("#name") == "没有这个人"  # type: ignore[attr-defined]


def test_five_failures_lock_the_account(visit: Visit, server: Server) -> None:
    for _ in range(4):
        visit.sign_in("锁定测试", "Wrong#2026x")
        assert text(visit, ".error") == BAD_CREDENTIALS
    visit.sign_in("锁定测试", "Wrong#2026x")
    assert text(visit, ".error") == LOCKED
    visit.sign_in("锁定测试")  # the right password, too late
    assert text(visit, ".error") == LOCKED
    assert visit.page.url.endswith("/login")  # type: ignore[attr-defined]


def test_the_home_page_has_the_policy_and_breaks_none_of_it(visit: Visit) -> None:
    visit.sign_in("张检察官")
    response = visit.go("/")
    assert response.headers["content-security-policy"] == CSP  # type: ignore[attr-defined]
    assert response.headers["x-frame-options"] == "DENY"  # type: ignore[attr-defined]
    # htmx loaded from /static/vendor and wired with the token by static/app.js
    assert visit.page.evaluate("typeof htmx") == "object"  # type: ignore[attr-defined]
    headers = visit.page.get_attribute("body", "hx-headers")  # type: ignore[attr-defined]
    token = visit.page.get_attribute('meta[name="csrf-token"]', "content")  # type: ignore[attr-defined]
    assert token and token in headers
    violations = [m for m in visit.console if "Content Security Policy" in m or "Refused" in m]
    assert violations == []
    assert any(u.endswith("/static/vendor/htmx.min.js") for u in visit.requests)


def test_a_name_that_is_markup_shows_as_text(visit: Visit) -> None:
    visit.sign_in(XSS)
    assert text(visit, "#home-name") == XSS
    assert XSS in text(visit, "header")
    assert visit.dialogs == []


def test_no_request_of_the_run_left_this_machine(visit: Visit, server: Server) -> None:
    """Each tab checks its own requests; this one looks at all of them after the others ran."""
    visit.sign_in("张检察官")
    visit.go("/no-such-page")
    assert "页面不存在" in text(visit, "main")
    everything = server.requests + visit.requests
    assert everything and all(u.startswith(server.url) or u.startswith("data:") for u in everything)


def test_the_fonts_for_chinese_are_installed() -> None:
    """Without Noto CJK every Chinese character of a screenshot is a box."""
    import subprocess

    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    assert "Noto Sans CJK" in fonts or "Noto Serif CJK" in fonts
