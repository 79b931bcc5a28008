"""From a model's lead to a closed case (and to 提起公益诉讼): triage, every state, the numbered
检察建议书, outcomes, statistics and the audit trail — on real SQLite and PostgreSQL stores."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from docx import Document
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from helpers import AS_OF, LIBRARY, load_fixture_data, numbered_by_counter, person
from shujian import audit
from shujian.cases import stats
from shujian.cases.deadlines import due_soon
from shujian.cases.outcomes import parse_amount, record_outcome
from shujian.cases.recommendations import (
    issue_recommendation,
    list_recommendations,
    render_again,
)
from shujian.cases.service import get_case, history, open_case, transition
from shujian.cases.store import recommendations
from shujian.cases.workflow import load_workflow
from shujian.errors import UserError
from shujian.leads import triage
from shujian.leads.queue import homes, queue
from shujian.leads.service import list_leads
from shujian.models.runner import run_models
from shujian.users import Departments
from shujian.workspace import Workspace, init_workspace

D = dt.date
PROSECUTOR = "张检察官"
HEAD = "李部长"
AS_PROSECUTOR = person(PROSECUTOR, "公益诉讼检察部")
AS_HEAD = person(HEAD, "公益诉讼检察部")
"""Actors of a workspace without accounts (they may do everything); tests/users/test_access.py
is where roles limit what a user sees and does."""
READER = person("查阅人")


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def cafe_leads(ws: Workspace, tmp_path: Path) -> list[dict[str, Any]]:
    """The campus.internet_cafe fixture: two 网吧 within 200 m of schools."""
    load_fixture_data(ws, tmp_path)
    run_models(ws, LIBRARY, ["campus.internet_cafe"], AS_OF)
    found = list_leads(ws.store)
    assert len(found) == 2
    return found


def workspace_at(tmp_path: Path, name: str = "ws") -> Workspace:
    from shujian.workspace import Region

    return numbered_by_counter(
        init_workspace(
            tmp_path / name,
            region=Region("贵州省", "六盘水市", "青岚县", "520203", "青岚县人民检察院", "青"),
        )
    )


def test_a_lead_walks_from_triage_to_a_closed_case_with_its_recommendation(tmp_path):
    ws = workspace_at(tmp_path)
    store = ws.store
    first, second = cafe_leads(ws, tmp_path)
    ids = [first["id"], second["id"]]

    # triage: the head dispatches both leads, the prosecutor accepts them into one case
    assert triage.dispatch(store, ids, "公益诉讼检察部", PROSECUTOR, AS_HEAD) == 2
    mine = queue(store, AS_PROSECUTOR, prosecutor=PROSECUTOR)
    assert [r["id"] for r in mine] == ids
    case_id = open_case(
        store,
        ids,
        "公益诉讼检察部",
        PROSECUTOR,
        AS_PROSECUTOR,
        "两家网吧距学校不足200米",
        D(2024, 9, 2),
    )
    # 调查核实 within 2 months: 2024-11-02 is a Saturday → the next working day
    assert get_case(store, case_id, AS_PROSECUTOR)["deadline_due"] == D(2024, 11, 4)
    transition(store, case_id, "investigate", AS_PROSECUTOR, "调取营业执照", D(2024, 9, 3))

    issued = issue_recommendation(
        ws,
        LIBRARY,
        case_id,
        AS_PROSECUTOR,
        D(2024, 9, 27),
        "青岚县文化广电旅游局",
        category="公益诉讼",
        items=("依法查处距学校不足200米的两家网吧。", "建立校园周边经营场所常态化巡查机制。"),
        facts=("经实地测量，两家网吧均在营业。",),
    )
    assert issued.number == "青检行公建〔2024〕1号"
    assert issued.document.is_file()
    assert issued.document.parent == ws.documents_dir / "2024"
    body = docx_text(issued.document)
    # the seven elements of 检察建议工作规定 art. 16, filled from the case and its leads
    assert "校园周边网吧" in body  # 1. source: the model that found it
    assert "经实地测量，两家网吧均在营业。" in body  # 2. facts: the prosecutor's, then
    assert "经查，一是" in body and "直线距离仅199米" in body  # the model's, argued
    assert "本院认为，《互联网上网服务营业场所管理条例》第九条规定：“" in body
    assert "互联网上网服务营业场所管理条例" in body and "第九条" in body  # 3./4. basis
    assert "依法查处距学校不足200米的两家网吧。" in body  # 4. the recommendations
    assert "收到本检察建议书之日起十日内" in body  # 5. objection period
    assert "收到本检察建议书之日起二个月内" in body  # 6. reply period (standard)
    assert "青岚县文化广电旅游局" in body and "青检行公建〔2024〕1号" in body
    assert "二〇二四年九月二十七日" in body
    (row,) = list_recommendations(store, case_id)
    assert row["number"] == issued.number and row["recipient"] == "青岚县文化广电旅游局"
    assert row["content"]["reply_period"] == "收到本检察建议书之日起二个月内"

    # served on the day before National Day: 2 months → 2024-11-30 (Saturday) → 12-02
    transition(
        store, case_id, "serve", AS_PROSECUTOR, "", D(2024, 9, 30), service_method="书面送达"
    )
    assert get_case(store, case_id, AS_PROSECUTOR)["deadline_due"] == D(2024, 12, 2)
    transition(store, case_id, "await_reply", AS_PROSECUTOR, "", D(2024, 9, 30))
    assert [c["id"] for c in due_soon(store, D(2024, 11, 28), 7, PROSECUTOR)] == [case_id]
    assert due_soon(store, D(2024, 11, 28), 3) == []
    transition(
        store, case_id, "record_reply", AS_PROSECUTOR, "", D(2024, 11, 20), reply_result="采纳"
    )
    transition(store, case_id, "follow_up", AS_PROSECUTOR, "回头看", D(2024, 12, 20))
    record_outcome(
        store,
        case_id,
        "businesses_rectified",
        AS_PROSECUTOR,
        D(2024, 12, 20),
        count=2,
        note="两家网吧已关停",
    )
    record_outcome(
        store,
        case_id,
        "fines_imposed",
        AS_PROSECUTOR,
        D(2024, 12, 20),
        amount=parse_amount("3万元"),
    )
    transition(
        store, case_id, "confirm_rectified", AS_PROSECUTOR, "两家网吧已关停", D(2024, 12, 21)
    )
    transition(store, case_id, "close", AS_HEAD, "整改到位，结案", D(2024, 12, 23))

    assert [s["to_label"] for s in history(store, case_id, AS_HEAD)] == [
        "已立案", "调查核实", "制发检察建议", "送达", "等待回复", "已回复", "跟进监督", "整改到位", "结案"
    ]  # fmt: skip
    assert {r["status"] for r in list_leads(store)} == {"accepted"}

    # statistics: per model, department, prosecutor and month
    by_model = {r["key"]: r for r in stats.statistics(store, "model", user=READER)}
    cafe = by_model["campus.internet_cafe"]
    assert (cafe["leads"], cafe["triaged"], cafe["accepted"], cafe["acceptance_rate"]) == (
        2,
        2,
        2,
        1.0,
    )
    assert (cafe["cases"], cafe["recommendations"], cafe["replies"], cafe["replies_on_time"]) == (
        1, 1, 1, 1
    )  # fmt: skip
    assert (cafe["adopted"], cafe["rectified"], cafe["closed"]) == (1, 1, 1)
    assert cafe["amount:fines_imposed"] == Decimal("30000.00")
    assert cafe["count:businesses_rectified"] == 2
    by_month = {r["key"]: r for r in stats.statistics(store, "month", user=READER)}
    assert by_month["2024-09"]["recommendations"] == 1 and by_month["2024-11"]["replies"] == 1
    assert by_month["2024-12"]["rectified"] == 1
    by_prosecutor = {r["key"]: r for r in stats.statistics(store, "prosecutor", user=READER)}
    assert by_prosecutor[PROSECUTOR]["cases"] == 1
    out = tmp_path / "统计.xlsx"
    stats.export_xlsx(stats.statistics(store, "department", user=READER), "department", out)
    sheet = openpyxl.load_workbook(out).active
    headers = [c.value for c in sheet[1]]
    assert headers[:6] == ["部门", "线索数", "已研判", "成案", "不成案", "成案率"]
    assert "行政罚款（元）" in headers
    assert sheet["A2"].value == "公益诉讼检察部" and sheet["B2"].value == 2

    # the audit log saw every change and view, and its chain holds
    entries = audit.query(store, object_type="case", object_id=case_id)
    actions = [e["action"] for e in entries]
    assert actions[0] == "open_case" and "issue_recommendation" in actions
    assert actions.count("transition") == 8 and "record_outcome" in actions
    assert "view" in actions
    assert {e["actor"] for e in entries} == {PROSECUTOR, HEAD}
    assert audit.verify(store).ok

    # the document can be rendered again from what was stored, same number and wording
    again = render_again(ws, issued.number, tmp_path / "again.docx", AS_HEAD)
    assert docx_text(again.path) == body


def test_a_case_with_no_rectification_goes_to_public_interest_suit(tmp_path):
    ws = workspace_at(tmp_path)
    store = ws.store
    first, second = cafe_leads(ws, tmp_path)
    case_id = open_case(
        store,
        [first["id"]],
        "未成年人检察部",
        PROSECUTOR,
        AS_PROSECUTOR,
        "网吧距小学不足200米",
        D(2025, 1, 2),
    )
    transition(store, case_id, "investigate", AS_PROSECUTOR, "", D(2025, 1, 3))
    issued = issue_recommendation(
        ws, LIBRARY, case_id, AS_PROSECUTOR, D(2025, 1, 6), "青岚县文化广电旅游局", category="未检"
    )
    # the juvenile kind: its own number series, and one month to reply (未保法 art. 114)
    assert issued.number == "青检未建〔2025〕1号"
    assert issued.reply_due_text == "收到本检察建议书之日起一个月内"
    assert "收到本检察建议书之日起一个月内" in docx_text(issued.document)
    transition(store, case_id, "serve", AS_PROSECUTOR, "", D(2025, 1, 7), service_method="宣告送达")
    # 1 month from 2025-01-07 = 02-07, a working day after the Spring Festival
    assert get_case(store, case_id, AS_PROSECUTOR)["deadline_due"] == D(2025, 2, 7)
    transition(store, case_id, "await_reply", AS_PROSECUTOR, "", D(2025, 1, 7))
    transition(
        store, case_id, "record_reply", AS_PROSECUTOR, "", D(2025, 2, 20), reply_result="不采纳"
    )
    transition(store, case_id, "follow_up", AS_PROSECUTOR, "", D(2025, 3, 20))
    transition(
        store, case_id, "sue", AS_HEAD, "回复后仍未整改，未成年人权益持续受损", D(2025, 4, 1)
    )
    case = get_case(store, case_id, AS_HEAD)
    assert (case["state"], case["state_label"]) == ("public_interest_suit", "提起公益诉讼")
    assert [s["to_state"] for s in history(store, case_id, AS_HEAD)] == [
        "opened", "investigating", "recommendation_drafted", "served", "awaiting_reply",
        "replied", "follow_up", "public_interest_suit",
    ]  # fmt: skip
    row = {r["key"]: r for r in stats.statistics(store, "model", user=READER)}[
        "campus.internet_cafe"
    ]
    assert (row["replies"], row["replies_on_time"], row["adopted"], row["suits"]) == (1, 0, 0, 1)
    # the other lead was dismissed with a listed reason; 成案率 counts both decisions
    triage.dismiss(store, [second["id"]], "已由其他机关依法处理", AS_PROSECUTOR)
    row = {r["key"]: r for r in stats.statistics(store, "model", user=READER)}[
        "campus.internet_cafe"
    ]
    assert (row["triaged"], row["accepted"], row["dismissed"], row["acceptance_rate"]) == (
        2, 1, 1, 0.5
    )  # fmt: skip


def walk_state_by_state(
    ws: Workspace, case_id: int, path: list[str], reply: str = "部分采纳"
) -> list[tuple[str, str]]:
    """Take `path` one action at a time; in every state, try every action the state does not
    allow and collect (state, action) pairs that were refused."""
    workflow = load_workflow()
    store = ws.store
    refused: list[tuple[str, str]] = []
    day = D(2024, 3, 1)
    fields = {
        "serve": {"service_method": "书面送达"},
        "record_reply": {"reply_result": reply},
        "transfer": {"transferred_to": "区纪委监委"},
    }
    for step in [*path, None]:
        state = get_case(store, case_id, AS_PROSECUTOR)["state"]
        allowed = {t.action for t in workflow.allowed(state)}
        for tr in workflow.transitions:
            if tr.action in allowed:
                continue
            with pytest.raises(UserError) as e:
                transition(
                    store,
                    case_id,
                    tr.action,
                    AS_PROSECUTOR,
                    "试图越级",
                    day,
                    **fields.get(tr.action, {}),
                )
            assert f"当前状态为“{workflow.label(state)}”" in e.value.message
            assert f"不能执行“{tr.label}”" in e.value.message
            assert get_case(store, case_id, AS_PROSECUTOR)["state"] == state  # nothing changed
            refused.append((state, tr.action))
        if step is None:
            break
        day += dt.timedelta(days=1)
        if step == "draft_recommendation":
            issue_recommendation(ws, LIBRARY, case_id, AS_PROSECUTOR, day, "某局")
        else:
            transition(store, case_id, step, AS_PROSECUTOR, "理由", day, **fields.get(step, {}))
    return refused


def test_every_transition_the_workflow_does_not_allow_is_refused(tmp_path):
    ws = workspace_at(tmp_path)
    first, second = cafe_leads(ws, tmp_path)
    workflow = load_workflow()
    to_closed = [
        "investigate", "draft_recommendation", "serve", "await_reply", "record_reply",
        "follow_up", "confirm_rectified", "close",
    ]  # fmt: skip
    case_a = open_case(
        ws.store, [first["id"]], "民事检察部", PROSECUTOR, AS_PROSECUTOR, "成案", D(2024, 3, 1)
    )
    refused = walk_state_by_state(ws, case_a, to_closed)
    case_b = open_case(
        ws.store, [second["id"]], "民事检察部", PROSECUTOR, AS_PROSECUTOR, "成案", D(2024, 3, 1)
    )
    to_withdrawn = [
        "investigate", "draft_recommendation", "serve", "await_reply", "record_reply",
        "uphold_objection",
    ]  # fmt: skip
    refused += walk_state_by_state(ws, case_b, to_withdrawn, reply="提出异议")
    # every (state, action) pair outside the declaration was tried in the states visited
    visited = {s for s, _ in refused}
    expected = {(s, t.action) for s in visited for t in workflow.transitions if s not in t.sources}
    assert set(refused) == expected
    assert visited == set(workflow.states) - {"public_interest_suit", "transferred"}
    # a terminal state allows nothing at all
    assert {a for s, a in refused if s == "closed"} == {t.action for t in workflow.transitions}


def test_an_objection_is_reviewed_and_only_an_objection_can_be(tmp_path):
    """检察建议工作规定 art. 23: an objection is reviewed at once — upheld (the recommendation is
    withdrawn) or rejected with reasons (follow-up goes on); art. 22: a recommendation may be
    withdrawn while it is pending."""
    ws = workspace_at(tmp_path)
    store = ws.store
    first, second = cafe_leads(ws, tmp_path)
    a = open_case(
        store, [first["id"]], "行政检察部", PROSECUTOR, AS_PROSECUTOR, "成案", D(2024, 3, 1)
    )
    b = open_case(
        store, [second["id"]], "行政检察部", PROSECUTOR, AS_PROSECUTOR, "成案", D(2024, 3, 1)
    )
    for case_id, outcome in ((a, "部分采纳"), (b, "提出异议")):
        transition(store, case_id, "investigate", AS_PROSECUTOR, "", D(2024, 3, 2))
        issue_recommendation(ws, LIBRARY, case_id, AS_PROSECUTOR, D(2024, 3, 5), "某局")
        transition(
            store, case_id, "serve", AS_PROSECUTOR, "", D(2024, 3, 6), service_method="书面送达"
        )
        transition(store, case_id, "await_reply", AS_PROSECUTOR, "", D(2024, 3, 6))
        transition(
            store, case_id, "record_reply", AS_PROSECUTOR, "", D(2024, 4, 1), reply_result=outcome
        )
    with pytest.raises(UserError, match="回复结果不是“提出异议”，不能执行“异议不成立并说明理由”"):
        transition(store, a, "reject_objection", AS_PROSECUTOR, "理由", D(2024, 4, 2))
    assert get_case(store, a, AS_PROSECUTOR)["state"] == "replied"
    transition(store, b, "reject_objection", AS_PROSECUTOR, "经复核，异议理由不成立", D(2024, 4, 2))
    assert get_case(store, b, AS_PROSECUTOR)["state"] == "follow_up"
    transition(store, b, "withdraw", AS_HEAD, "被建议单位已另行整改，撤回", D(2024, 4, 20))
    case = get_case(store, b, AS_HEAD)
    assert (case["state"], case["state_label"]) == ("withdrawn", "撤回检察建议")
    total = stats.statistics(store, "model", user=READER)[-1]
    assert (total["key"], total["replies"], total["withdrawn"], total["adopted"]) == (
        "合计",
        2,
        1,
        1,
    )


def test_bulk_triage_is_all_or_nothing_and_reasons_come_from_the_list(tmp_path):
    ws = workspace_at(tmp_path)
    first, second = cafe_leads(ws, tmp_path)
    store = ws.store
    with pytest.raises(UserError, match="找不到线索 999。"):
        triage.dispatch(store, [first["id"], 999], "未成年人检察部", PROSECUTOR, AS_HEAD)
    assert queue(store, AS_HEAD, undispatched=True)[0]["id"] == first["id"]  # untouched
    with pytest.raises(UserError, match="不在理由清单中"):
        triage.dismiss(store, [first["id"]], "看着不像", AS_PROSECUTOR)
    with pytest.raises(UserError, match="必须填写具体说明"):
        triage.dismiss(store, [first["id"]], "其他", AS_PROSECUTOR)
    triage.dismiss(store, [first["id"]], "其他", AS_PROSECUTOR, note="学校已迁址")
    with pytest.raises(UserError, match=r"以下线索不能作不成案处理：\d+（不成案）"):
        triage.dismiss(store, [second["id"], first["id"]], "与已有线索重复", AS_PROSECUTOR)
    assert {r["id"]: r["status"] for r in list_leads(store)} == {
        first["id"]: "dismissed",
        second["id"]: "new",
    }
    # a procuratorate's own list in shujian.toml replaces the bundled one
    config = ws.root / "shujian.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[triage]\ndismiss_reasons = ["本院自定理由", "其他"]\nneeds_note = ["其他"]\n',
        encoding="utf-8",
    )
    from shujian.workspace import open_workspace

    custom = triage.reasons_of(open_workspace(ws.root))
    assert custom.reasons == ("本院自定理由", "其他")
    with pytest.raises(UserError, match="不在理由清单中"):
        triage.dismiss(store, [second["id"]], "与已有线索重复", AS_PROSECUTOR, reasons=custom)
    triage.dismiss(store, [second["id"]], "本院自定理由", AS_PROSECUTOR, reasons=custom)


def test_a_failed_issue_uses_no_number(tmp_path):
    ws = workspace_at(tmp_path)
    first, second = cafe_leads(ws, tmp_path)
    store = ws.store
    a = open_case(
        store, [first["id"]], "行政检察部", PROSECUTOR, AS_PROSECUTOR, "成案", D(2024, 3, 1)
    )
    b = open_case(
        store, [second["id"]], "行政检察部", PROSECUTOR, AS_PROSECUTOR, "成案", D(2024, 3, 1)
    )
    transition(store, a, "investigate", AS_PROSECUTOR, "", D(2024, 3, 2))
    # case b is still 立案: refused, and the refused attempt consumes no number
    with pytest.raises(UserError, match="不能执行“制发检察建议”"):
        issue_recommendation(
            ws, LIBRARY, b, AS_PROSECUTOR, D(2024, 3, 3), "某局", category="公益诉讼"
        )
    # a kind none of the case's models declares: refused before anything else
    with pytest.raises(UserError, match="不支持“行政”类检察建议：可选 公益诉讼、未检"):
        issue_recommendation(ws, LIBRARY, a, AS_PROSECUTOR, D(2024, 3, 3), "某局", category="行政")
    # a template the procuratorate broke: refused in Chinese, nothing issued, nothing written
    ws.templates_dir.mkdir(parents=True, exist_ok=True)
    bundled = (
        Path(__file__).parents[2] / "src/shujian/cases/documents/templates/public_interest.yaml"
    )
    broken = bundled.read_text(encoding="utf-8").replace("{{ number }}", "{{ no_such_field }}")
    (ws.templates_dir / "public_interest.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(UserError, match="no_such_field"):
        issue_recommendation(
            ws, LIBRARY, a, AS_PROSECUTOR, D(2024, 3, 3), "某局", category="公益诉讼"
        )
    assert get_case(store, a, AS_PROSECUTOR)["state"] == "investigating"
    assert list_recommendations(store) == []
    assert not list((ws.documents_dir).rglob("*.docx"))
    (ws.templates_dir / "public_interest.yaml").unlink()
    issued = issue_recommendation(
        ws, LIBRARY, a, AS_PROSECUTOR, D(2024, 3, 4), "某局", category="公益诉讼"
    )
    assert issued.number == "青检行公建〔2024〕1号"


def issue_concurrently(ws: Workspace, n: int) -> list[str]:
    """`n` cases in 调查核实, issued from `n` threads at the same moment."""
    store = ws.store
    (lead,) = [r for r in list_leads(store) if r["status"] == "new"][:1]
    cases = []
    # one lead per case: reuse the same lead's content through fresh cases is not allowed, so
    # each case gets its own copy of the lead (same model, distinct subject)
    with store.begin() as conn:
        from shujian.leads.store import leads

        row = dict(conn.execute(select(leads).where(leads.c.id == lead["id"])).one()._mapping)
        row.pop("id")
        copies = []
        for i in range(n):
            copies.append(
                conn.execute(
                    leads.insert()
                    .values(**{**row, "subject": f"{row['subject']}-{i}"})
                    .returning(leads.c.id)
                ).scalar_one()
            )
    for lead_id in copies:
        case_id = open_case(
            store, [lead_id], "公益诉讼检察部", PROSECUTOR, AS_PROSECUTOR, "成案", D(2026, 3, 2)
        )
        transition(store, case_id, "investigate", AS_PROSECUTOR, "", D(2026, 3, 2))
        cases.append(case_id)
    barrier = threading.Barrier(n)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def issue(case_id: int) -> None:
        barrier.wait()
        try:
            numbers.append(
                issue_recommendation(
                    ws, LIBRARY, case_id, person(f"检察官{case_id}"), D(2026, 3, 3), "某局"
                ).number
            )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=issue, args=(c,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return numbers


def test_numbers_have_no_gap_and_no_duplicate_under_concurrent_issue_on_postgresql(
    tmp_path, pg_url, monkeypatch
):
    monkeypatch.setenv("SHUJIAN_STORE_URL", pg_url)
    ws = workspace_at(tmp_path)
    assert ws.store.dialect.name == "postgresql"
    (tmp_path / "data").mkdir()
    cafe_leads(ws, tmp_path / "data")
    numbers = issue_concurrently(ws, 12)
    expected = {f"青检行公建〔2026〕{i}号" for i in range(1, 13)}
    assert sorted(numbers) == sorted(expected) and len(set(numbers)) == 12
    with ws.store.connect() as conn:
        seqs = sorted(conn.execute(select(recommendations.c.seq)).scalars())
    assert seqs == list(range(1, 13))
    assert audit.verify(ws.store).ok  # the audit chain stayed linear under concurrent writers


def drop_append_only_triggers(store) -> None:
    """What someone with direct write access to the database would do first."""
    with store.begin() as conn:
        if store.dialect.name == "sqlite":
            for op in ("update", "delete"):
                conn.execute(text(f"DROP TRIGGER audit_log_no_{op}"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_audit_chain_detects_an_edited_a_deleted_and_a_cut_entry(
    tmp_path, backend, request, monkeypatch
):
    if backend == "postgresql":
        monkeypatch.setenv("SHUJIAN_STORE_URL", request.getfixturevalue("pg_url"))
    ws = workspace_at(tmp_path)
    store = ws.store
    assert store.dialect.name == backend
    (tmp_path / "data").mkdir()
    first, _ = cafe_leads(ws, tmp_path / "data")
    triage.dispatch(store, [first["id"]], "未成年人检察部", PROSECUTOR, AS_HEAD)
    triage.get_lead(store, first["id"], AS_PROSECUTOR)
    case_id = open_case(
        store, [first["id"]], "未成年人检察部", PROSECUTOR, AS_PROSECUTOR, "成案", D(2024, 3, 1)
    )
    transition(store, case_id, "investigate", AS_PROSECUTOR, "", D(2024, 3, 2))
    good = audit.verify(store)
    assert good.ok and good.entries >= 5 and good.problems == ()
    entries = [e for e in audit.query(store) if e["action"] != "import"]  # the fixture's files
    assert [e["action"] for e in entries[:3]] == ["run_models", "dispatch", "view"]

    def tamper(sql: str, **params: Any) -> audit.Verification:
        with store.begin() as conn:
            conn.execute(text(sql), params)
        return audit.verify(store)

    # the database itself refuses to change or remove a history row …
    for sql in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log",
                "UPDATE case_events SET actor = 'x'", "DELETE FROM lead_events"):  # fmt: skip
        with pytest.raises(DBAPIError, match="append-only"), store.begin() as conn:
            conn.execute(text(sql))
    assert audit.verify(store).ok
    # … so someone with direct access drops the guard, then quietly changes who assigned the lead
    drop_append_only_triggers(store)
    target = entries[1]  # a change (views have their own chain, tests/test_audit.py)
    result = tamper("UPDATE audit_log SET actor = '某人' WHERE seq = :s", s=target["seq"])
    assert not result.ok
    assert any(f"第 {target['seq']} 条记录的内容与其哈希值不符" in p for p in result.problems)
    tamper("UPDATE audit_log SET actor = :a WHERE seq = :s", a=target["actor"], s=target["seq"])
    assert audit.verify(store).ok
    # an entry removed from the middle
    with store.begin() as conn:
        saved = dict(
            conn.execute(select(audit.audit_log).where(audit.audit_log.c.seq == 2)).one()._mapping
        )
    result = tamper("DELETE FROM audit_log WHERE seq = 2")
    assert any("缺失" in p for p in result.problems)
    with store.begin() as conn:
        conn.execute(audit.audit_log.insert().values(**saved))
    assert audit.verify(store).ok
    # the newest entry cut off the end
    result = tamper("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)")
    assert any("截断" in p for p in result.problems)
    # rewriting the head to hide the cut is caught by the head hash
    with store.begin() as conn:
        last = conn.execute(select(audit.audit_log).order_by(audit.audit_log.c.seq.desc())).first()
        conn.execute(update(audit.audit_head).values(seq=last.seq))
    assert any("哈希值与最后一条记录不符" in p for p in audit.verify(store).problems)


def test_views_of_leads_and_cases_are_audited(tmp_path):
    ws = workspace_at(tmp_path)
    store = ws.store
    first, second = cafe_leads(ws, tmp_path)
    queue(store, READER, status=None)
    triage.get_lead(store, second["id"], READER)
    case_id = open_case(
        store, [first["id"]], "未成年人检察部", PROSECUTOR, AS_PROSECUTOR, "成案", D(2024, 3, 1)
    )
    get_case(store, case_id, READER)
    history(store, case_id, READER)
    seen = audit.query(store, actor="查阅人")
    assert [(e["action"], e["object_type"], e["object_id"]) for e in seen] == [
        ("list", "lead", ""),
        ("view", "lead", str(second["id"])),
        ("view", "case", str(case_id)),
        ("view", "case", str(case_id)),
    ]
    assert seen[0]["detail"]["lead_ids"] == [first["id"], second["id"]]


def test_undispatched_leads_wait_in_their_models_department(tmp_path):
    ws = workspace_at(tmp_path)
    store = ws.store
    first, second = cafe_leads(ws, tmp_path)
    home = homes(LIBRARY, Departments.bundled())
    assert home["campus.internet_cafe"] == "未成年人检察部"
    waiting = queue(store, AS_HEAD, department="未成年人检察部", home=home)
    assert [(r["id"], r["dispatched"], r["department"]) for r in waiting] == [
        (first["id"], False, "未成年人检察部"),
        (second["id"], False, "未成年人检察部"),
    ]
    triage.dispatch(store, [first["id"]], "公益诉讼检察部", PROSECUTOR, AS_HEAD)
    assert [r["id"] for r in queue(store, AS_HEAD, department="未成年人检察部", home=home)] == [
        second["id"]
    ]
    assert [r["id"] for r in queue(store, AS_HEAD, department="公益诉讼检察部", home=home)] == [
        first["id"]
    ]
    by_department = {
        r["key"]: r["leads"] for r in stats.statistics(store, "department", home=home, user=READER)
    }
    assert by_department == {"公益诉讼检察部": 1, "未成年人检察部": 1, "合计": 2}
