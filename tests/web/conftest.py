"""The web application under test: a workspace whose accounts are made through the real
services, the application on it (for TestClient), and for the browser tests one server in a
background thread and ONE Chromium for the whole run.

Browser tests carry `@pytest.mark.xdist_group("browser")` (pyproject runs xdist with
`--dist loadgroup`): under `pytest -n 2` one worker runs them all, so one browser starts.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shujian.web.app import create_app
from shujian.workspace import Workspace, open_workspace
from web.browsing import CHROMIUM, Server, Visit, make_workspace, serving


@pytest.fixture(scope="session")
def made_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workspace with its accounts, made once (migrations and argon2 take their time)."""
    ws = make_workspace(tmp_path_factory.mktemp("made") / "ws")
    ws.store.dispose()
    return ws.root


@pytest.fixture
def web_ws(made_once: Path, tmp_path: Path) -> Workspace:
    """A fresh copy of that workspace, for tests that change what is stored."""
    return open_workspace(Path(shutil.copytree(made_once, tmp_path / "ws")))


@pytest.fixture
def app(web_ws: Workspace) -> FastAPI:
    return create_app(web_ws)


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1")


# ---- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The application on a free port of 127.0.0.1, served by uvicorn in a background thread."""
    with serving(make_workspace(tmp_path_factory.mktemp("web") / "ws")) as running:
        yield running


def only_browser_of_the_run(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Under xdist, fail when a second worker starts a browser: the group mark is not honoured
    (as with pytest 9.2 and pytest-xdist 3.8, pytest-xdist#1386) and every worker would pay for
    a browser of its own."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    run = tmp_path_factory.getbasetemp().parent  # pytest-N, shared by this run's workers
    try:
        fd = os.open(run / "browser-worker", os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    except FileExistsError:
        first = (run / "browser-worker").read_text()
        pytest.fail(
            f"a second browser in this run ({worker}; {first} has one): xdist_group ignored"
        )
    with os.fdopen(fd, "w") as out:
        out.write(worker)


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One Chromium (Debian's: Playwright's own download cannot work offline) for the run."""
    only_browser_of_the_run(tmp_path_factory)
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} missing: run scripts/install-test-deps (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",  # root in CI
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-domain-reliability",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def visit(browser, server: Server) -> Iterator[Visit]:  # type: ignore[no-untyped-def]
    """A fresh browser context (no cookies) on the server; every request it makes is recorded,
    and none may leave 127.0.0.1."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    seen = Visit(page, server.url, [], [], [])
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("console", lambda message: seen.console.append(f"{message.type}: {message.text}"))

    def on_dialog(dialog) -> None:  # type: ignore[no-untyped-def]
        seen.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        yield seen
    finally:
        context.close()
        server.requests.extend(seen.requests)
    elsewhere = [u for u in seen.requests if urlsplit(u).hostname not in ("127.0.0.1", None)]
    assert elsewhere == [], f"requests left 127.0.0.1: {elsewhere}"
