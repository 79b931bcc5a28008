"""Where a lead is dispatched (分派) is written on the lead too, in the same transaction as its
`lead_dispatches` row, and the queue reads it there: its scope, filters, page and counts follow
every dispatch and re-dispatch."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from helpers import AS_OF, LIBRARY, load_fixture_data, person
from shujian.leads import triage
from shujian.leads.queue import homes, queue
from shujian.leads.service import list_leads
from shujian.leads.store import lead_dispatches, leads
from shujian.models.runner import run_models
from shujian.users import Departments
from shujian.workspace import Workspace, init_workspace

HOME = homes(LIBRARY, Departments.bundled())
HEAD = person("李部长")
MINORS = person("未检部长", "未成年人检察部", "department_head")
PUBLIC = person("公益部长", "公益诉讼检察部", "department_head")
ASSISTANT = person("王助理", "公益诉讼检察部", "assistant")


def where(ws: Workspace) -> dict[int, tuple[str | None, str | None, str | None, str | None]]:
    """Lead id → (department, prosecutor) on the lead, then on its `lead_dispatches` row."""
    with ws.store.connect() as conn:
        rows = conn.execute(
            select(
                leads.c.id,
                leads.c.dispatch_department,
                leads.c.dispatch_prosecutor,
                lead_dispatches.c.department,
                lead_dispatches.c.prosecutor,
            ).select_from(leads.outerjoin(lead_dispatches))
        )
        return {r[0]: tuple(r[1:]) for r in rows}


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_the_queue_follows_a_dispatch_and_a_re_dispatch(
    tmp_path: Path, store: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if store == "postgresql":
        monkeypatch.setenv("SHUJIAN_STORE_URL", request.getfixturevalue("pg_url"))
    ws = init_workspace(tmp_path / "ws")
    load_fixture_data(ws, tmp_path)
    run_models(ws, LIBRARY, ["campus.internet_cafe"], AS_OF)
    first, second = (r["id"] for r in list_leads(ws.store))
    assert where(ws) == {first: (None,) * 4, second: (None,) * 4}

    def ids(user, **filters) -> list[int]:  # type: ignore[no-untyped-def]
        return [r["id"] for r in queue(ws.store, user, home=HOME, status=None, **filters)]

    assert ids(MINORS) == [first, second]  # both wait in their model's department
    assert ids(PUBLIC) == []

    triage.dispatch(ws.store, [first], "公益诉讼检察部", "王助理", HEAD, home=HOME)
    assert where(ws)[first] == ("公益诉讼检察部", "王助理") * 2
    assert ids(MINORS) == [second]
    assert ids(PUBLIC) == ids(ASSISTANT) == [first]
    assert ids(HEAD, prosecutor="王助理") == [first]
    assert ids(HEAD, undispatched=True) == [second]

    triage.dispatch(ws.store, [first, second], "未成年人检察部", "赵检察官", HEAD, home=HOME)
    assert where(ws) == {
        first: ("未成年人检察部", "赵检察官") * 2,
        second: ("未成年人检察部", "赵检察官") * 2,
    }
    assert ids(MINORS) == [first, second]
    assert ids(PUBLIC) == ids(ASSISTANT) == ids(HEAD, undispatched=True) == []

    # a page shorter than the whole counts the whole: total and 不再命中 of every match
    page = queue(ws.store, MINORS, home=HOME, status=None, limit=1, offset=1)
    assert ([r["id"] for r in page], page.total, page.stale) == ([second], 2, 0)
    assert [r["prosecutor"] for r in page] == ["赵检察官"]
    assert page[0]["dispatched"] is True
