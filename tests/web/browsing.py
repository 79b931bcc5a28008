"""What the web tests share: the accounts of their workspace, the running server, a browser tab.
(Imported as `web.browsing`: `tests/` is on the path.)"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn

from shujian.users import User, departments_of
from shujian.users.accounts import add_user
from shujian.users.passwords import set_password
from shujian.web.app import create_app
from shujian.web.assets import missing_vendor_files
from shujian.workspace import Region, Workspace, init_workspace

PASSWORD = "Qinglan#2026"
CHROMIUM = Path("/usr/bin/chromium")
XSS = "<script>alert(1)</script>"

ACCOUNTS = (
    ("管理员", None, "admin"),
    ("张检察官", "未成年人检察部", "prosecutor"),
    ("李助理", "未成年人检察部", "assistant"),
    ("锁定测试", "未成年人检察部", "prosecutor"),
    ("退出测试", "未成年人检察部", "prosecutor"),
    (XSS, "未成年人检察部", "prosecutor"),
    ("公益检察官", "公益诉讼检察部", "prosecutor"),
    ("民事检察官", "民事检察部", "prosecutor"),
)
"""Name, department, role; each test that changes an account's state has its own account."""

HELPERS = (("刘帮扶", "青岚县妇联"), ("钱帮扶", "青岚县团委"))
"""Accounts of helping units (包保单位工作人员): name, unit."""


def make_workspace(root: Path) -> Workspace:
    ws = init_workspace(root, region=Region(province="贵州省", city="六盘水市", county="青岚县"))
    admin = User("管理员", ws.region.procuratorate_name, None, frozenset({"admin"}))
    departments = departments_of(ws)
    for name, department, role in ACCOUNTS:
        add_user(ws.store, admin, name, department, [role], departments)
        set_password(ws.store, admin, name, PASSWORD)
    for name, unit in HELPERS:
        add_user(ws.store, admin, name, None, ["helper"], departments, unit=unit)
        set_password(ws.store, admin, name, PASSWORD)
    return ws


@dataclass
class Server:
    url: str
    workspace: Workspace
    requests: list[str] = field(default_factory=list)
    """Every URL any page of the run asked for."""


@dataclass
class Visit:
    """One test's browser tab, with what it asked for and what the console said."""

    page: object
    url: str
    requests: list[str]
    console: list[str]
    dialogs: list[str]

    def go(self, path: str) -> object:
        return self.page.goto(self.url + path)  # type: ignore[attr-defined]

    def sign_in(self, name: str, password: str = PASSWORD) -> None:
        self.go("/login")
        self.page.fill("#name", name)  # type: ignore[attr-defined]
        self.page.fill("#password", password)  # type: ignore[attr-defined]
        with self.page.expect_navigation():  # type: ignore[attr-defined]
            self.page.click("button[type=submit]")  # type: ignore[attr-defined]


# ---- screenshots: kept in $SHUJIAN_SCREENSHOTS when set (to look at them), else in tmp_path ----

SHOTS_ENV = "SHUJIAN_SCREENSHOTS"


def _shot_path(name: str, tmp_path: Path) -> Path:
    folder = Path(os.environ.get(SHOTS_ENV) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"


def shot(visit: Visit, name: str, tmp_path: Path) -> Path:
    """The whole page as the browser shows it."""
    path = _shot_path(name, tmp_path)
    visit.page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


def wide_shot(visit: Visit, name: str, tmp_path: Path, height: int | None = None) -> Path:
    """The page 1200 px wide, as docs/web.md shows it (its top `height` px, else all of it)."""
    path = _shot_path(name, tmp_path)
    visit.page.set_viewport_size({"width": 1200, "height": 800})  # type: ignore[attr-defined]
    clip = {"x": 0, "y": 0, "width": 1200, "height": height} if height else None
    visit.page.screenshot(path=str(path), full_page=True, clip=clip)  # type: ignore[attr-defined]
    return path


def docs_shot(visit: Visit, name: str, height: int) -> None:
    """With $SHUJIAN_DOCS_SHOTS set: the top of the page 1200 px wide, for docs/web.md."""
    folder = os.environ.get("SHUJIAN_DOCS_SHOTS")
    if not folder:
        return
    page = visit.page
    page.set_viewport_size({"width": 1200, "height": height})  # type: ignore[attr-defined]
    page.evaluate("window.scrollTo(0, 0)")  # type: ignore[attr-defined]
    page.screenshot(path=str(Path(folder) / f"{name}.png"))  # type: ignore[attr-defined]
    page.set_viewport_size({"width": 1280, "height": 800})  # type: ignore[attr-defined]


# ---- the server ------------------------------------------------------------------------------


@contextmanager
def serving(ws: Workspace) -> Iterator[Server]:
    """`ws` served on a free port of 127.0.0.1 by uvicorn in a background thread, until the end
    of the block. (A test module whose data must meet no other test's overrides `server` with a
    workspace of its own served by this.)"""
    missing = missing_vendor_files()
    if missing:
        pytest.fail(f"front-end files missing ({', '.join(missing)}): run `make setup`")
    app = create_app(ws, login_attempts_per_address=1000)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert uv.started, "the server did not start"
    try:
        yield Server(f"http://127.0.0.1:{port}", ws)
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        sock.close()
