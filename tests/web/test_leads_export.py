"""线索: the 待核对 list beside the queue, and the .xlsx export of the leads a user may see."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from helpers import AS_OF, LIBRARY, load_fixture_data
from shujian import audit
from shujian.models.runner import run_models
from shujian.users import User, departments_of
from shujian.users.accounts import add_user
from shujian.users.passwords import set_password
from shujian.web.app import create_app
from shujian.workspace import Workspace
from web.browsing import PASSWORD
from web.test_leads_pages import signed_in

QUEUE_MODEL = "staff.barred_offence"
REVIEW_MODEL = "transfer.review"
ID_NUMBER = re.compile(r"\d{17}[\dX]")


@pytest.fixture
def with_both(web_ws: Workspace, tmp_path: Path) -> Workspace:
    for model in (QUEUE_MODEL, REVIEW_MODEL):
        (tmp_path / model).mkdir()
        load_fixture_data(web_ws, tmp_path / model, None, model)
    run_models(web_ws, LIBRARY, [QUEUE_MODEL, REVIEW_MODEL], AS_OF)
    return web_ws


def _ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'href="/leads/(\d+)"', html)}


def test_review_items_are_listed_apart_from_the_queue(with_both: Workspace) -> None:
    admin = User("管理员", with_both.region.procuratorate_name, None, frozenset({"admin"}))
    add_user(with_both.store, admin, "王院长", None, ["chief"], departments_of(with_both))
    set_password(with_both.store, admin, "王院长", PASSWORD)  # sees every department's
    client = signed_in(TestClient(create_app(with_both), base_url="http://127.0.0.1"), "王院长")
    queue_page = client.get("/leads", params={"status": "all"}).text
    review_page = client.get("/leads", params={"status": "all", "review": "1"}).text
    assert 'id="review-note"' in review_page and 'id="review-note"' not in queue_page
    queued, reviewed = _ids(queue_page), _ids(review_page)
    assert queued and reviewed and not queued & reviewed
    assert "待核对清单" in queue_page  # the tab that leads there
    # the model filter offers the review models there, the queue's models here
    assert f'value="{REVIEW_MODEL}"' in review_page and f'value="{REVIEW_MODEL}"' not in queue_page


def test_the_export_holds_the_users_leads_masked_and_is_audited(with_both: Workspace) -> None:
    client = signed_in(TestClient(create_app(with_both), base_url="http://127.0.0.1"))
    answer = client.get("/leads.xlsx", params={"model": QUEUE_MODEL})
    assert answer.status_code == 200
    assert "attachment" in answer.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert body
    subjects = [str(r[header.index("监督对象")]) for r in body]
    assert all("*" in s for s in subjects)  # the people's ID numbers, masked
    cells = " ".join(str(c) for r in body for c in r if c is not None)
    assert not ID_NUMBER.search(cells)  # every ID number masked
    (entry,) = audit.query(with_both.store, action="export", object_type="lead")
    assert entry["actor"] == "张检察官" and len(entry["detail"]["lead_ids"]) == len(body)
    assert entry["detail"]["revealed"] is False


def test_an_administrator_exports_nothing(with_both: Workspace) -> None:
    client = signed_in(TestClient(create_app(with_both), base_url="http://127.0.0.1"), "管理员")
    answer = client.get("/leads.xlsx")
    assert answer.status_code == 403 and "无权" in answer.text
