"""线索 pages through the application (no browser): the queue's order and date window as the
service gives them, the htmx fragment, refusals in Chinese, and a reveal that needs a reason."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from helpers import AS_OF, LIBRARY, load_fixture_data
from shujian import audit
from shujian.beijing import CHINA
from shujian.errors import UserError
from shujian.leads.queue import homes, queue
from shujian.models.runner import run_models
from shujian.users import User, departments_of
from shujian.workspace import Workspace
from web.browsing import PASSWORD

MODEL = "staff.barred_offence"
READER = User("张检察官", "青岚县人民检察院", "未成年人检察部", frozenset({"prosecutor"}))


@pytest.fixture
def with_leads(web_ws: Workspace, tmp_path: Path) -> Workspace:
    load_fixture_data(web_ws, tmp_path, None, MODEL)
    run_models(web_ws, LIBRARY, [MODEL], AS_OF)
    return web_ws


def signed_in(client: TestClient, name: str = "张检察官") -> TestClient:
    page = client.get("/login")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert token
    client.post(
        "/login",
        data={"name": name, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    return client


def beijing_date(moment: dt.datetime) -> dt.date:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(CHINA).date()


def token_of(html: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert found
    return found.group(1)


def test_the_queue_lists_newest_first_and_within_dates(with_leads: Workspace) -> None:
    home = homes(LIBRARY, departments_of(with_leads))
    by_model = queue(with_leads.store, READER, home=home)
    newest = queue(with_leads.store, READER, home=home, order="newest")
    assert [r["id"] for r in newest] == sorted((r["id"] for r in by_model), reverse=True)
    found_on = beijing_date(by_model[0]["created_at"])  # the filter counts Beijing days
    assert queue(with_leads.store, READER, home=home, since=found_on).total == by_model.total
    later = found_on + dt.timedelta(days=1)
    assert queue(with_leads.store, READER, home=home, since=later).total == 0
    with pytest.raises(UserError, match="排序方式"):
        queue(with_leads.store, READER, home=home, order="random")


def test_a_filter_asked_by_htmx_gets_the_list_only(with_leads: Workspace, client) -> None:
    signed_in(client)
    whole = client.get("/leads")
    assert whole.status_code == 200 and "<html" in whole.text and 'id="lead-filters"' in whole.text
    part = client.get(
        f"/leads?model={MODEL}", headers={"HX-Request": "true", "HX-Target": "lead-list"}
    )
    assert part.status_code == 200
    assert part.text.lstrip().startswith('<section id="lead-list"') and "<html" not in part.text


def test_a_date_that_is_not_one_is_refused_in_chinese(with_leads: Workspace, client) -> None:
    signed_in(client)
    page = client.get("/leads?since=2026-13-01")
    assert page.status_code == 400
    assert "起始日期“2026-13-01”不是日期" in page.text


def test_the_whole_number_needs_a_reason(with_leads: Workspace, client) -> None:
    signed_in(client)
    page = client.get("/leads/1")
    assert page.status_code == 200
    refused = client.post(
        "/leads/1/reveal", data={"reason": " ", "csrf_token": token_of(page.text)}
    )
    assert refused.status_code == 400 and "须填写查看理由" in refused.text
    views = audit.query(with_leads.store, object_type="lead", object_id=1, action="view")
    assert not any(v["detail"]["revealed"] for v in views)


def test_a_prosecutor_cannot_dispatch(with_leads: Workspace, client) -> None:
    signed_in(client)
    page = client.get("/leads")
    assert 'id="dispatch-selected"' not in page.text  # no button for a role without 分派
    assert 'id="accept-selected"' in page.text and 'id="dismiss-selected"' in page.text
    refused = client.post(
        "/leads/dispatch",
        data={
            "lead_ids": ["1"],
            "department": "未成年人检察部",
            "prosecutor": "张检察官",
            "csrf_token": token_of(page.text),
        },
    )
    assert refused.status_code == 403 and "分派" in refused.text  # a role's refusal
