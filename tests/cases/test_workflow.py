"""Cases: opened from leads, walked through the declared 检察建议 workflow, with legal deadlines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from helpers import AS_OF, LIBRARY, load_fixture_data, numbered_by_counter, person
from shujian.cases.deadlines import deadline, overdue
from shujian.cases.recommendations import file_with_superior, issue_recommendation
from shujian.cases.service import (
    add_leads_to_case,
    get_case,
    history,
    open_case,
    transition,
)
from shujian.cases.workflow import load_workflow
from shujian.errors import UserError
from shujian.leads.service import list_leads
from shujian.leads.store import lead_events
from shujian.leads.triage import dismiss
from shujian.models.runner import run_models
from shujian.workspace import Workspace, init_workspace

D = dt.date
ACTOR = person("检察官甲", "未成年人检察部")


@pytest.fixture
def workspace(workspace: Workspace) -> Workspace:
    """The workflow is under test here, not the 文号: the platform's counter gives them."""
    return numbered_by_counter(workspace)


def leads_of(ws: Workspace, tmp_path: Path) -> list[dict[str, Any]]:
    """Import the campus.internet_cafe fixture and run its model: two new leads."""
    load_fixture_data(ws, tmp_path)
    run_models(ws, LIBRARY, ["campus.internet_cafe"], AS_OF)
    found = list_leads(ws.store)
    assert len(found) == 2
    return found


def walk_to_closed(ws: Workspace, lead_ids: list[int]) -> int:
    store = ws.store
    case_id = open_case(
        store, lead_ids, "未成年人检察部", "检察官甲", ACTOR, "网吧距学校不足200米", D(2024, 8, 1)
    )
    assert get_case(store, case_id, ACTOR)["deadline_due"] == D(2024, 10, 8)  # 10-01 → after 国庆
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("investigate", "", {}),
        ("draft_recommendation", "", {"recipient": "某区文化和旅游局", "juvenile": True}),
        ("serve", "", {"service_method": "宣告送达"}),
        ("await_reply", "", {}),
        ("record_reply", "", {"reply_result": "采纳"}),
        ("follow_up", "", {}),
        ("confirm_rectified", "回头看：网吧已关停", {}),
        ("close", "整改到位", {}),
    ]
    dates = [D(2024, 8, 2), D(2024, 9, 20), D(2024, 12, 28), D(2024, 12, 30)]
    dates += [D(2025, 1, 20), D(2025, 2, 10), D(2025, 3, 10), D(2025, 3, 11)]
    for (action, reason, fields), on in zip(steps, dates, strict=True):
        if action == "draft_recommendation":
            issue_recommendation(ws, LIBRARY, case_id, ACTOR, on, **fields)
            continue
        transition(store, case_id, action, ACTOR, reason, on, **fields)
        if action == "serve":
            # juvenile recommendation, 1 month from 2024-12-28 = 2025-01-28, in 春节 → 02-05
            assert get_case(store, case_id, ACTOR)["deadline_due"] == D(2025, 2, 5)
    return case_id


def test_a_case_walks_every_state_to_closed_and_its_leads_are_accepted(workspace, tmp_path):
    found = leads_of(workspace, tmp_path)
    ids = [lead["id"] for lead in found]
    case_id = walk_to_closed(workspace, ids)

    case = get_case(workspace.store, case_id, ACTOR)
    assert (case["state"], case["state_label"], case["lead_ids"]) == ("closed", "结案", ids)
    steps = history(workspace.store, case_id, ACTOR)
    assert [s["to_state"] for s in steps] == [
        "opened",
        "investigating",
        "recommendation_drafted",
        "served",
        "awaiting_reply",
        "replied",
        "follow_up",
        "rectified",
        "closed",
    ]
    assert steps[0]["from_state"] is None and steps[0]["reason"] == "网吧距学校不足200米"
    assert steps[5]["fields"] == {
        "reply_result": "采纳",
        "ended_deadline": {"kind": "reply", "due": "2025-02-05", "in_time": True},
    }
    assert steps[5]["action_label"] == "登记回复"
    assert all(s["actor"] == ACTOR.name for s in steps)
    assert {r["status"] for r in list_leads(workspace.store)} == {"accepted"}
    with workspace.store.connect() as conn:
        kinds = [
            r.kind
            for r in conn.execute(
                select(lead_events.c.kind)
                .where(lead_events.c.lead_id == ids[0])
                .order_by(lead_events.c.id)
            )
        ]
    assert kinds == ["created", "accepted"]


def test_a_case_with_no_change_goes_to_public_interest_suit(workspace, tmp_path):
    first, second = leads_of(workspace, tmp_path)
    store = workspace.store
    case_id = open_case(
        store, [first["id"]], "公益诉讼检察部", "检察官乙", ACTOR, "线索成案", D(2025, 1, 2)
    )
    add_leads_to_case(store, case_id, [second["id"]], ACTOR, "同一主管机关", D(2025, 1, 3))
    assert get_case(store, case_id, ACTOR)["lead_ids"] == [first["id"], second["id"]]
    transition(store, case_id, "investigate", ACTOR, "", D(2025, 1, 3))
    issued = issue_recommendation(
        workspace, LIBRARY, case_id, ACTOR, D(2025, 1, 10), "某区市场监管局", urgent=True
    )
    transition(store, case_id, "serve", ACTOR, "", D(2025, 1, 13), service_method="书面送达")
    # 备案 within 5 days of issue (art. 21): 01-10 + 5 = 01-15; listed as overdue from 01-16
    assert overdue(store, D(2025, 1, 15)) == []
    (late_filing,) = overdue(store, D(2025, 1, 16))
    assert late_filing["deadline_label"] == f"备案期限（{issued.number}）"
    assert late_filing["days_overdue"] == 1
    assert not file_with_superior(store, issued.number, ACTOR, D(2025, 1, 16), "市院公益诉讼检察部")
    with pytest.raises(UserError, match="已于 2025-01-16 备案"):
        file_with_superior(store, issued.number, ACTOR, D(2025, 1, 17), "市院公益诉讼检察部")
    # urgent: 15 days from 01-13 = 01-28, in 春节 → 02-05
    assert get_case(store, case_id, ACTOR)["deadline_due"] == D(2025, 2, 5)
    transition(store, case_id, "await_reply", ACTOR, "", D(2025, 1, 14))
    assert [c["id"] for c in overdue(store, D(2025, 2, 5))] == []
    late = overdue(store, D(2025, 2, 6))
    assert [(c["id"], c["days_overdue"], c["deadline_label"]) for c in late] == [
        (case_id, 1, "书面回复期限")
    ]
    transition(store, case_id, "sue", ACTOR, "逾期未回复，违法行为仍在持续", D(2025, 2, 10))
    case = get_case(store, case_id, ACTOR)
    assert (case["state"], case["state_label"], case["deadline_due"]) == (
        "public_interest_suit",
        "提起公益诉讼",
        None,
    )
    assert overdue(store, D(2025, 12, 31)) == []
    steps = history(store, case_id, ACTOR)
    assert [s["action"] for s in steps][:2] == ["open", "add_leads"]
    filing = next(s for s in steps if s["action"] == "file_record")
    assert filing["action_label"] == "报上一级院备案" and filing["fields"]["in_time"] is False
    assert filing["from_state"] == filing["to_state"] == "served"


def test_refused_transitions_name_the_state_and_allowed_actions(workspace, tmp_path):
    found = leads_of(workspace, tmp_path)
    store = workspace.store
    case_id = open_case(
        store, [found[0]["id"]], "民事检察部", "检察官丙", ACTOR, "成案", D(2024, 3, 1)
    )

    with pytest.raises(UserError) as e:
        transition(store, case_id, "close", ACTOR, "想直接结案", D(2024, 3, 2))
    assert "当前状态为“已立案”" in e.value.message and "“结案”" in e.value.message
    assert "“开始调查核实”（investigate）" in e.value.message

    with pytest.raises(UserError, match="未知操作“fly”"):
        transition(store, case_id, "fly", ACTOR, "", D(2024, 3, 2))
    with pytest.raises(UserError, match="不能执行“立案”"):
        transition(store, case_id, "open", ACTOR, "再次立案", D(2024, 3, 2))
    transition(store, case_id, "investigate", ACTOR, "", D(2024, 3, 2))
    with pytest.raises(UserError, match="须同时制发并编号检察建议书"):
        transition(store, case_id, "draft_recommendation", ACTOR, "", D(2024, 3, 5), recipient="甲")
    with pytest.raises(UserError, match="必须填写被建议单位"):
        issue_recommendation(workspace, LIBRARY, case_id, ACTOR, D(2024, 3, 5), " ")
    with pytest.raises(UserError, match="早于案件上一步的日期"):
        issue_recommendation(workspace, LIBRARY, case_id, ACTOR, D(2024, 3, 1), "甲")
    issue_recommendation(workspace, LIBRARY, case_id, ACTOR, D(2024, 3, 5), "甲")
    with pytest.raises(UserError, match="不接受以下字段"):
        transition(
            store, case_id, "serve", ACTOR, "", D(2024, 3, 6), service_method="书面送达", x="1"
        )
    with pytest.raises(UserError, match="送达方式只能是"):
        transition(store, case_id, "serve", ACTOR, "", D(2024, 3, 6), service_method="口头")
    transition(store, case_id, "serve", ACTOR, "", D(2024, 3, 6), service_method="书面送达")
    transition(store, case_id, "await_reply", ACTOR, "", D(2024, 3, 6))
    with pytest.raises(UserError, match="回复结果只能是"):
        transition(store, case_id, "record_reply", ACTOR, "", D(2024, 4, 1), reply_result="好")
    with pytest.raises(UserError, match="必须填写理由"):
        transition(store, case_id, "sue", ACTOR, " ", D(2024, 4, 1))
    transition(
        store, case_id, "transfer", ACTOR, "属纪检监察管辖", D(2024, 4, 1), transferred_to="区纪委监委"
    )  # fmt: skip
    with pytest.raises(UserError, match="案件已经结束，没有可执行的操作"):
        transition(store, case_id, "follow_up", ACTOR, "", D(2024, 4, 2))
    with pytest.raises(UserError, match="不能再并入线索"):
        add_leads_to_case(store, case_id, [found[1]["id"]], ACTOR, "补充")

    # leads: an accepted lead cannot go into a second case; a dismissed one cannot be accepted
    with pytest.raises(UserError, match="只有待研判的线索可以成案"):
        open_case(store, [found[0]["id"]], "民事检察部", "丙", ACTOR, "再立", D(2024, 5, 1))
    dismiss(store, found[1]["id"], "其他", ACTOR, note="已停业")
    with pytest.raises(UserError, match="“不成案”"):
        open_case(store, [found[1]["id"]], "民事检察部", "丙", ACTOR, "立案", D(2024, 5, 1))
    with pytest.raises(UserError, match="找不到线索 99999。"):
        open_case(store, [99999], "民事检察部", "丙", ACTOR, "立案", D(2024, 5, 1))
    with pytest.raises(UserError, match="立案理由不能为空"):
        open_case(store, [found[1]["id"]], "民事检察部", "丙", ACTOR, "", D(2024, 5, 1))
    with pytest.raises(UserError, match="找不到案件 424242。"):
        transition(store, 424242, "investigate", ACTOR, "", D(2024, 5, 1))


@pytest.mark.parametrize(
    ("kind", "start", "urgent", "juvenile", "due"),
    [
        # month ends (民法典 art. 202): no corresponding day → last day of the month
        ("reply", D(2024, 1, 31), False, True, D(2024, 2, 29)),
        ("reply", D(2023, 1, 31), False, True, D(2023, 2, 28)),
        ("investigation", D(2023, 12, 31), False, False, D(2024, 2, 29)),
        # Spring Festival 2025 (01-28 … 02-04 off): the period ends on the next working day
        ("reply", D(2024, 12, 28), False, True, D(2025, 2, 5)),
        ("reply", D(2024, 11, 28), False, False, D(2025, 2, 5)),
        ("reply", D(2025, 1, 13), True, False, D(2025, 2, 5)),
        # 2025-01-26 is a Sunday made a working day (调休): the period ends on it
        ("reply", D(2025, 1, 11), True, False, D(2025, 1, 26)),
        # National Day 2024 (10-01 … 10-07 off), and its make-up Sunday 09-29
        ("investigation", D(2024, 8, 1), False, False, D(2024, 10, 8)),
        ("investigation", D(2024, 7, 29), False, False, D(2024, 9, 29)),
        ("reply", D(2024, 9, 20), True, False, D(2024, 10, 8)),
        # an ordinary weekend: 2024-06-15 is a Saturday → Monday 06-17
        ("reply", D(2024, 4, 15), False, False, D(2024, 6, 17)),
        # both special rules: the stricter (earlier) date governs
        ("reply", D(2024, 3, 1), True, True, D(2024, 3, 18)),
    ],
)
def test_deadlines(kind, start, urgent, juvenile, due):
    assert deadline(kind, start, urgent=urgent, juvenile=juvenile) == due


def test_the_workflow_is_declared_data():
    wf = load_workflow()
    assert [s.label for s in wf.states.values()][:9] == [
        "已立案", "调查核实", "制发检察建议", "送达", "等待回复", "已回复", "跟进监督", "整改到位", "结案"
    ]  # fmt: skip
    escalations = {
        t.action: set(t.sources) for t in wf.transitions if t.action in ("sue", "transfer")
    }
    assert escalations == {
        k: {"awaiting_reply", "replied", "follow_up"} for k in ("sue", "transfer")
    }
    assert wf.fields["reply_result"].choices == ("采纳", "部分采纳", "不采纳", "提出异议")
    assert "第十五条" in wf.deadlines["investigation"].standard.basis
    assert wf.deadlines["reply"].urgent is not None and wf.deadlines["reply"].urgent.days == 15


def test_cases_on_postgresql(tmp_path, pg_url, monkeypatch):
    monkeypatch.setenv("SHUJIAN_STORE_URL", pg_url)
    ws = numbered_by_counter(init_workspace(tmp_path / "pg"))
    assert ws.store.dialect.name == "postgresql"
    (tmp_path / "data").mkdir()
    ids = [lead["id"] for lead in leads_of(ws, tmp_path / "data")]
    case_id = walk_to_closed(ws, ids)
    assert get_case(ws.store, case_id, ACTOR)["state"] == "closed"
    assert len(history(ws.store, case_id, ACTOR)) == 9
    assert {r["status"] for r in list_leads(ws.store)} == {"accepted"}
