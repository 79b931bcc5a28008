"""The workflow's decisions as pure functions, each checked by a table of cases: no database,
no calendar — the declaration and the facts in, a decision or a Chinese refusal out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from shujian.cases import policy
from shujian.cases.workflow import (
    WORKFLOWS_DIR,
    FieldSpec,
    case_kinds,
    field_label,
    field_text,
    load_workflow,
    parse_field_pairs,
    parse_field_value,
    parse_workflow,
    read_workflow,
)
from shujian.errors import UserError

D = dt.date
WF = load_workflow()


# -- is the step allowed ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "action", "allowed"),
    [
        ("opened", "investigate", True),
        ("opened", "开始调查核实", True),  # by its Chinese label
        ("opened", "close", False),
        ("opened", "open", False),  # the opening step never again
        ("investigating", "draft_recommendation", True),
        ("served", "withdraw", True),
        ("recommendation_drafted", "withdraw", False),
        ("replied", "uphold_objection", True),
        ("awaiting_reply", "sue", True),
        ("closed", "follow_up", False),  # terminal: nothing
        ("opened", "fly", False),  # unknown
    ],
)
def test_a_step_is_allowed_only_from_its_declared_states(state, action, allowed):
    if allowed:
        assert policy.check_allowed(WF, 7, state, action).action in (
            action,
            WF.by_action(action).action,
        )
    else:
        with pytest.raises(UserError) as e:
            policy.check_allowed(WF, 7, state, action)
        assert e.value.code == "transition_not_allowed"
        assert f"案件 7 当前状态为“{WF.label(state)}”" in e.value.message


@pytest.mark.parametrize(
    ("state", "expected_tail"),
    [
        ("opened", "当前可执行的操作：“开始调查核实”（investigate）。"),
        ("closed", "案件已经结束，没有可执行的操作。"),
    ],
)
def test_a_refusal_names_what_may_be_done_instead(state, expected_tail):
    assert policy.refusal_message(WF, 1, state, "fly").endswith(expected_tail)
    assert "未知操作“fly”" in policy.refusal_message(WF, 1, state, "fly")


UNGUARDED = ("withdraw", "sue", "transfer")
"""The steps out of 已回复 other than 跟进监督 that need no particular answer."""


@pytest.mark.parametrize(
    ("state", "latest", "expected"),
    [
        ("replied", {"reply_result": "采纳"}, ["follow_up", *UNGUARDED]),
        ("replied", {}, ["follow_up", *UNGUARDED]),  # no answer recorded: no objection either
        (
            "replied",
            {"reply_result": "提出异议"},
            ["follow_up", "uphold_objection", "reject_objection", *UNGUARDED],
        ),
        ("opened", {"reply_result": "提出异议"}, ["investigate"]),  # a guard never adds a step
        ("closed", {}, []),
    ],
)
def test_only_steps_whose_guard_holds_are_available(state, latest, expected):
    assert [t.action for t in WF.available(state, latest)] == expected


def test_a_refusal_after_a_reply_without_objection_offers_no_objection_step():
    message = policy.refusal_message(WF, 1, "replied", "close", {"reply_result": "采纳"})
    assert "“跟进监督”（follow_up）" in message and "withdraw" in message
    assert "objection" not in message
    with pytest.raises(UserError) as e:
        policy.check_allowed(WF, 1, "replied", "close", {"reply_result": "不采纳"})
    assert "异议" not in e.value.message


# -- guards ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latest", "passes"),
    [
        ({"reply_result": "提出异议"}, True),
        ({"reply_result": "采纳"}, False),
        ({}, False),  # never answered
    ],
)
def test_an_objection_step_needs_the_latest_reply_to_be_an_objection(latest, passes):
    tr = WF.by_action("uphold_objection")
    if passes:
        policy.check_guard(WF, 3, tr, latest)
    else:
        with pytest.raises(UserError, match="回复结果不是“提出异议”") as e:
            policy.check_guard(WF, 3, tr, latest)
        assert e.value.code == "guard_failed"


def test_an_unguarded_step_ignores_earlier_answers():
    policy.check_guard(WF, 3, WF.by_action("follow_up"), {})


# -- the document a step issues --------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "document", "passes"),
    [
        ("draft_recommendation", "recommendation", True),
        ("draft_recommendation", None, False),  # only the service that numbers it
        ("serve", None, True),
        ("serve", "recommendation", False),  # that service takes no other step
    ],
)
def test_a_step_that_issues_a_document_is_taken_only_by_its_service(action, document, passes):
    tr = WF.by_action(action)
    if passes:
        policy.check_document(tr, document, "检察建议书")
    else:
        with pytest.raises(UserError) as e:
            policy.check_document(tr, document, "检察建议书")
        assert e.value.code == "needs_document_service"
        assert "命令行" not in e.value.message and "shujian" not in e.value.message


# -- fields ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "reason", "fields", "expected"),
    [
        ("serve", "", {"service_method": "书面送达"}, {"service_method": "书面送达"}),
        ("serve", "", {"service_method": " 宣告送达 "}, {"service_method": "宣告送达"}),
        ("serve", "", {"service_method": "口头"}, "送达方式只能是：书面送达、宣告送达。"),
        ("serve", "", {}, "“送达检察建议书”必须填写送达方式。"),
        ("serve", "", {"service_method": "书面送达", "x": "1"}, "不接受以下字段：x"),
        ("close", "  ", {}, "“结案”必须填写理由。"),
        ("close", "整改到位", {}, {}),  # the reason is recorded apart
        ("draft_recommendation", "", {"recipient": "某局", "urgent": "是"}, "情况紧急只能是"),
        (
            "draft_recommendation",
            "",
            {"recipient": "某局", "urgent": True, "juvenile": None},
            {"recipient": "某局", "urgent": True},
        ),
        ("transfer", "属纪检监察管辖", {"transferred_to": "区纪委监委"}, {"transferred_to": "区纪委监委"}),
    ],
)  # fmt: skip
def test_step_fields_are_checked_against_the_declaration(action, reason, fields, expected):
    tr = WF.by_action(action)
    if isinstance(expected, dict):
        assert policy.check_fields(WF, tr, reason, fields) == expected
    else:
        with pytest.raises(UserError) as e:
            policy.check_fields(WF, tr, reason, fields)
        assert expected in e.value.message
        assert e.value.code in ("bad_field_value", "missing_field", "unknown_field")


# -- dates and flags -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "last", "passes"),
    [(D(2024, 3, 2), D(2024, 3, 1), True), (D(2024, 3, 1), D(2024, 3, 1), True),
     (D(2024, 2, 29), D(2024, 3, 1), False)],
)  # fmt: skip
def test_history_reads_forwards(on, last, passes):
    if passes:
        policy.check_date(on, last)
    else:
        with pytest.raises(UserError, match="早于案件上一步的日期 2024-03-01"):
            policy.check_date(on, last)


@pytest.mark.parametrize(
    ("clean", "before", "after"),
    [
        ({}, (True, False), (True, False)),  # a step without them keeps them
        ({"urgent": True}, (False, False), (True, False)),
        ({"urgent": False, "juvenile": True}, (True, False), (False, True)),
    ],
)
def test_urgent_and_juvenile_are_kept_unless_a_step_sets_them(clean, before, after):
    assert policy.flags_after(clean, *before) == after


# -- deadlines: start, end or carry over -----------------------------------------------------


@pytest.mark.parametrize(
    ("action", "on", "running", "expected"),
    [
        ("open", D(2024, 8, 1), (None, None), policy.DeadlinePlan(start="investigation")),
        ("serve", D(2024, 3, 6), (None, None), policy.DeadlinePlan(start="reply")),
        # starting replaces whatever runs
        ("serve", D(2024, 3, 6), ("investigation", D(2024, 5, 6)), policy.DeadlinePlan(start="reply")),
        ("investigate", D(2024, 3, 2), ("investigation", D(2024, 5, 6)), policy.DeadlinePlan()),
        ("await_reply", D(2024, 3, 6), ("reply", D(2024, 5, 6)), policy.DeadlinePlan()),
        # ending on the last day is in time; the day after is not
        ("record_reply", D(2024, 5, 6), ("reply", D(2024, 5, 6)),
         policy.DeadlinePlan(end=True, ended={"kind": "reply", "due": "2024-05-06", "in_time": True})),
        ("record_reply", D(2024, 5, 7), ("reply", D(2024, 5, 6)),
         policy.DeadlinePlan(end=True, ended={"kind": "reply", "due": "2024-05-06", "in_time": False})),
        # ending when nothing runs records nothing
        ("withdraw", D(2024, 5, 7), (None, None), policy.DeadlinePlan(end=True)),
    ],
)  # fmt: skip
def test_a_step_starts_ends_or_carries_the_running_deadline(action, on, running, expected):
    assert policy.plan_deadline(WF.by_action(action), on, *running) == expected


@pytest.mark.parametrize(
    ("on", "today", "passes"),
    [
        (D(2026, 12, 5), D(2026, 12, 5), True),  # today
        (D(2026, 12, 4), D(2026, 12, 5), True),
        (D(2024, 3, 1), D(2026, 12, 5), True),
        (D(2026, 12, 6), D(2026, 12, 5), False),  # tomorrow
        (D(2026, 12, 22), D(2026, 12, 5), False),  # a case "closed" in a fortnight
        (D(2027, 1, 1), D(2026, 12, 31), False),
    ],
)
def test_nothing_is_recorded_as_having_happened_after_today(on, today, passes):
    if passes:
        policy.check_not_future(on, today, "结案日期")
    else:
        with pytest.raises(UserError) as e:
            policy.check_not_future(on, today, "结案日期")
        assert e.value.code == "date_in_future"
        assert e.value.message.startswith(f"结案日期 {on.isoformat()} 晚于今天（{today}）")


# -- leads -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lead_ids", "statuses", "refusal"),
    [
        ([1, 2], {1: "new", 2: "new"}, None),
        ([], {}, "至少需要一条线索才能立案。"),
        ([1, 1], {1: "new"}, "线索编号重复。"),
        ([1, 9], {1: "new"}, "线索 9 不存在。"),
        ([1], {1: "dismissed"}, "线索 1 当前为“不成案”，只有待研判的线索可以成案。"),
        ([1], {1: "accepted"}, "只有待研判的线索可以成案"),
    ],
)
def test_only_leads_awaiting_triage_can_be_accepted(lead_ids, statuses, refusal):
    if refusal is None:
        policy.check_leads_acceptable(lead_ids, statuses)
    else:
        with pytest.raises(UserError) as e:
            policy.check_leads_acceptable(lead_ids, statuses)
        assert refusal in e.value.message


@pytest.mark.parametrize(
    ("lead_ids", "stale", "confirmed", "refused"),
    [
        ([1, 2], set(), False, False),
        ([1, 2], {2}, False, True),  # one lead no longer found: the whole request waits
        ([1, 2], {2}, True, False),
        ([1], {2}, False, False),  # a stale lead not asked for is no concern
    ],
)
def test_a_lead_no_longer_found_is_accepted_only_when_confirmed(
    lead_ids, stale, confirmed, refused
):
    statuses = {1: "new", 2: "new"}
    if not refused:
        policy.check_leads_acceptable(lead_ids, statuses, stale, confirm_stale=confirmed)
    else:
        with pytest.raises(UserError) as e:
            policy.check_leads_acceptable(lead_ids, statuses, stale, confirm_stale=confirmed)
        assert e.value.code == "stale_leads_unconfirmed"
        assert e.value.message.startswith("线索 2 不再命中")


@pytest.mark.parametrize(("value", "ok"), [("张检察官", True), (" 张 ", True), ("", False), ("  ", False), (None, False)])  # fmt: skip
def test_required_text_is_stripped_or_refused(value, ok):
    if ok:
        assert policy.need_text(value, "承办检察官") == value.strip()
    else:
        with pytest.raises(UserError, match="承办检察官不能为空"):
            policy.need_text(value, "承办检察官")


# -- statistics declared in the workflow -----------------------------------------------------


@pytest.mark.parametrize(
    ("action", "fields", "figures"),
    [
        ("open", {"lead_ids": [1]}, ["cases"]),
        ("draft_recommendation", {"recipient": "某局"}, ["recommendations"]),
        ("record_reply", {"reply_result": "采纳", "ended_deadline": {"in_time": True}},
         ["replies", "replies_on_time", "adopted"]),
        # a reply recorded before 回复结果 was renamed from `outcome` counts the same
        ("record_reply", {"outcome": "采纳", "ended_deadline": {"in_time": True}},
         ["replies", "replies_on_time", "adopted"]),
        ("record_reply", {"outcome": "部分采纳", "ended_deadline": {"in_time": False}},
         ["replies", "adopted"]),
        ("record_reply", {"reply_result": "不采纳"}, ["replies"]),
        ("record_reply", {"outcome": "提出异议", "ended_deadline": {"in_time": True}},
         ["replies", "replies_on_time"]),
        ("confirm_rectified", {}, ["rectified"]),
        ("sue", {}, ["suits"]),
        ("transfer", {"transferred_to": "区纪委监委"}, ["transferred"]),
        ("withdraw", {}, ["withdrawn"]),
        ("uphold_objection", {}, ["withdrawn"]),
        ("close", {}, ["closed"]),
        ("serve", {"service_method": "书面送达"}, []),
        ("file_record", {"in_time": True}, []),
    ],
)  # fmt: skip
def test_each_step_counts_for_the_figures_its_workflow_declares(action, fields, figures):
    assert policy.figures_of_step(WF, action, fields) == figures


def test_the_statistics_columns_keep_their_order():
    assert [f.id for f in WF.statistics] == [
        "cases", "recommendations", "replies", "replies_on_time", "adopted", "rectified",
        "suits", "transferred", "withdrawn", "closed",
    ]  # fmt: skip


# -- the declaration is checked on load ------------------------------------------------------


def _raw() -> dict[str, Any]:
    return yaml.safe_load((WORKFLOWS_DIR / "recommendation.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["statistics"].append({"id": "x", "label": "某", "actions": ["fly"]}),
         "unknown action 'fly'"),
        (lambda r: r["statistics"].append({"id": "x", "label": "某", "actions": ["serve"], "in_time": True}),
         "ends no deadline"),
        (lambda r: r["statistics"].append({"id": "x", "label": "某", "actions": ["record_reply"],
                                           "when": {"reply_result": ["很好"]}}),
         "bad condition"),
        (lambda r: r["statistics"].append(dict(r["statistics"][0])), "duplicate statistic"),
        (lambda r: r["transitions"][1].update({"from": []}), "exactly one transition must open"),
        (lambda r: r["transitions"][2].update({"document": "guardianship_order"}),
         "unknown document kind"),
    ],
)  # fmt: skip
def test_a_faulty_workflow_fails_on_load(change, message):
    raw = _raw()
    change(raw)
    with pytest.raises(ValueError, match=message):
        parse_workflow(raw, "recommendation", {"recommendation"})


def test_case_kinds_are_the_files_in_the_workflows_folder():
    kinds = case_kinds()
    assert kinds["recommendation"] == "检察建议"
    assert kinds["support_prosecution"] == "支持起诉"
    assert load_workflow("检察建议") is load_workflow("recommendation")
    assert load_workflow("支持起诉") is load_workflow("support_prosecution")
    with pytest.raises(
        UserError, match=r"未知的办案类型“税务”。可选：.*检察建议（recommendation）"
    ) as e:
        load_workflow("税务")
    assert e.value.code == "unknown_case_kind"


PETITION = """
label: 信访
states:
  - {id: received, label: 登记}
  - {id: answered, label: 答复, terminal: true}
deadlines:
  answer: {label: 答复期限, days: 60, basis: 《信访工作条例》第三十二条}
fields:
  reason: {label: 理由}
  channel: {label: 来访方式, choices: [来信, 来访, 网上]}
statistics:
  - {id: cases, label: 立案数, actions: [receive]}
  - {id: answered, label: 已答复, actions: [answer], in_time: true}
transitions:
  - {action: receive, label: 登记信访, from: [], to: received, requires: [reason, channel],
     starts_deadline: answer}
  - {action: answer, label: 答复, from: [received], to: answered, requires: [reason],
     ends_deadline: true}
"""


def test_a_new_case_kind_is_a_file_and_the_same_policy_applies(tmp_path: Path):
    path = tmp_path / "petition.yaml"
    path.write_text(PETITION, encoding="utf-8")
    wf = read_workflow(path, {"recommendation"})
    assert (wf.kind, wf.kind_label, wf.opening.action) == ("petition", "信访", "receive")
    tr = policy.check_allowed(wf, 1, "received", "答复")
    ended = policy.plan_deadline(tr, D(2026, 3, 1), "answer", D(2026, 3, 2))
    assert ended.ended == {"kind": "answer", "due": "2026-03-02", "in_time": True}
    assert policy.figures_of_step(wf, "answer", {"ended_deadline": ended.ended}) == ["answered"]
    assert parse_field_pairs(wf, ["来访方式=来信"]) == {"channel": "来信"}


# -- step fields as text: parsing and labels -------------------------------------------------


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        (["送达方式=宣告送达"], {"service_method": "宣告送达"}),
        (["service_method = 书面送达"], {"service_method": "书面送达"}),
        (["回复结果=采纳"], {"reply_result": "采纳"}),
        (["outcome=采纳"], {"reply_result": "采纳"}),  # the id it had before
        (["情况紧急=是", "juvenile=否"], {"urgent": True, "juvenile": False}),
        (["urgent=true"], {"urgent": True}),
        (["被建议单位=某局=分局"], {"recipient": "某局=分局"}),  # only the first = splits
        (["送达方式"], "格式不对，应为 字段=值"),
        (["颜色=红"], "未知字段“颜色”。可用字段：理由（reason）"),
        (["情况紧急=对"], "情况紧急只能是“是”或“否”。"),
    ],
)
def test_step_fields_are_read_from_text_by_id_or_chinese_label(pairs, expected):
    if isinstance(expected, dict):
        assert parse_field_pairs(WF, pairs) == expected
    else:
        with pytest.raises(UserError) as e:
            parse_field_pairs(WF, pairs)
        assert expected in e.value.message


@pytest.mark.parametrize(
    ("key", "value", "label", "text"),
    [
        ("service_method", "书面送达", "送达方式", "书面送达"),
        ("urgent", True, "情况紧急", "是"),
        ("juvenile", False, "未成年人保护检察建议", "否"),
        ("lead_ids", [3, 4], "线索", "3、4"),
        ("ended_deadline", {"kind": "reply", "due": "2024-05-06", "in_time": False}, "期限",
         "2024-05-06 届满，逾期"),
        ("number", "青检行建〔2024〕1号", "文号", "青检行建〔2024〕1号"),  # declared by the kind
        ("filed_with", "市院", "备案单位", "市院"),
        ("something_new", 1, "something_new", "1"),  # shown as it is rather than hidden
    ],
)  # fmt: skip
def test_recorded_values_are_shown_with_their_chinese_labels(key, value, label, text):
    assert (field_label(WF, key), field_text(value)) == (label, text)


# -- 支持起诉: a step ending one period and starting the next, sums, rates, money fields ---------

SP = load_workflow("support_prosecution")


@pytest.mark.parametrize(
    ("action", "on", "running", "expected"),
    [
        # 受理 ends the time to accept (in time on its last day) and starts the time to review
        ("accept", D(2026, 11, 9), ("acceptance", D(2026, 11, 9)),
         policy.DeadlinePlan(start="review", ended={"kind": "acceptance", "due": "2026-11-09", "in_time": True})),
        ("accept", D(2026, 11, 10), ("acceptance", D(2026, 11, 9)),
         policy.DeadlinePlan(start="review", ended={"kind": "acceptance", "due": "2026-11-09", "in_time": False})),
        ("decide_support", D(2026, 12, 8), ("review", D(2026, 12, 7)),
         policy.DeadlinePlan(end=True, ended={"kind": "review", "due": "2026-12-07", "in_time": False})),
        ("collect_evidence", D(2026, 12, 1), ("review", D(2026, 12, 7)), policy.DeadlinePlan()),
        ("withdraw_application", D(2026, 12, 1), (None, None), policy.DeadlinePlan(end=True)),
    ],
)  # fmt: skip
def test_support_prosecution_periods(action, on, running, expected):
    assert policy.plan_deadline(SP.by_action(action), on, *running) == expected


@pytest.mark.parametrize(
    ("action", "fields", "values"),
    [
        ("accept", {"ended_deadline": {"in_time": True}}, [("sp_accepted", 1), ("sp_accepted_on_time", 1)]),
        ("accept", {"ended_deadline": {"in_time": False}}, [("sp_accepted", 1)]),
        ("close", {"people_helped": 17, "amount_recovered": "290000.00"},
         [("sp_people", 17), ("sp_recovered", Decimal("290000.00")), ("sp_closed", 1)]),
        ("close", {"people_helped": 1}, [("sp_people", 1), ("sp_closed", 1)]),
        ("issue_opinion", {"court": "青岚县人民法院"}, [("sp_supported", 1)]),
    ],
)  # fmt: skip
def test_a_step_adds_its_count_or_its_number_to_the_figures(action, fields, values):
    assert policy.figure_values(SP, action, fields) == values


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        ("money", "29万元", "290000.00"),
        ("money", "¥1,900,000.00", "1900000.00"),
        ("count", "17", 17),
        ("count", "17人", 17),
        ("count", "-1", None),
        ("count", "十七", None),
        ("money", "-5元", None),
        ("money", "很多", None),
        ("count", "0", 0),
        ("count at least 1", "0", None),
        ("count at least 1", "0人", None),
        ("count at least 1", "1人", 1),
    ],
)
def test_money_and_counts_are_read_like_agency_files_or_refused(kind, text, value):
    minimum = 1 if kind.endswith("at least 1") else 0
    kind = kind.split()[0]
    spec = FieldSpec("x", "金额" if kind == "money" else "人数", kind=kind, minimum=minimum)
    if value is None:
        with pytest.raises(UserError) as e:
            parse_field_value(spec, text)
        assert e.value.code == "bad_field_value"
    else:
        assert parse_field_value(spec, text) == value


@pytest.mark.parametrize(
    ("figure", "message"),
    [
        ({"id": "r", "label": "率", "ratio": ["cases", "nothing"]}, "ratio of undeclared"),
        ({"id": "r", "label": "率", "ratio": ["cases"]}, "names two figures"),
        ({"id": "s", "label": "和", "actions": ["open"], "sum": "reason"}, "not a numeric field"),
    ],
)
def test_a_faulty_rate_or_sum_fails_on_load(figure, message):
    raw = _raw()
    raw["statistics"].append(figure)
    with pytest.raises(ValueError, match=message):
        parse_workflow(raw, "recommendation", {"recommendation"})


def test_only_a_count_field_takes_a_minimum():
    raw = _raw()
    raw["fields"]["reason"]["min"] = 1
    with pytest.raises(ValueError, match="only a count field takes a minimum"):
        parse_workflow(raw, "recommendation", {"recommendation"})
