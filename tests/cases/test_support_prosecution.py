"""支持起诉 walked end to end on real SQLite and PostgreSQL stores: an application without a lead →
受理 → 协助收集证据 → 决定支持起诉 → the numbered 支持起诉意见书 (rendered, read back from its PDF)
→ 法院立案 → 调解 → 申请执行 → 结案 with the people helped and the money recovered; a minor's
application named by pseudonym; the centre's speed targets (configurable) in the overdue list;
the figures by 申请人类别."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpers import pdf_lines, person
from shujian.cases import deadlines, stats
from shujian.cases import support_prosecution as sp
from shujian.cases.documents.preview import to_pdf
from shujian.cases.service import history, list_cases
from shujian.cases.store import document_counters, support_opinions
from shujian.errors import UserError
from shujian.workspace import Workspace, init_workspace, open_workspace

D = dt.date
PROSECUTOR = person("李检察官", "民事检察部")
P = "青岚县人民检察院"


def configure(ws: Workspace, extra: str = "") -> Workspace:
    path = ws.root / "shujian.toml"
    body = path.read_text(encoding="utf-8")
    body = body.replace('county = ""', 'county = "青岚县"', 1)
    body = body.replace('procuratorate = ""', f'procuratorate = "{P}"', 1)
    body = body.replace('abbreviation = ""', 'abbreviation = "青"', 1)
    body += '\n[support_prosecution]\nopinion_numbering = "counter"\n' + extra
    path.write_text(body, encoding="utf-8")
    return open_workspace(ws.root)


@pytest.fixture(params=["sqlite", "postgresql"])
def ws(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Workspace:
    if request.param == "postgresql":
        monkeypatch.setenv("SHUJIAN_STORE_URL", request.getfixturevalue("pg_url"))
    return configure(init_workspace(tmp_path / "ws"))


def application(ws: Workspace, on: D, **changes: object) -> int:
    values: dict[str, object] = {
        "applicant": "王大军",
        "applicant_category": "农民工",
        "respondent": "青岚县宏达建筑工程有限公司",
        "claim": "判令被申请人支付拖欠的劳动报酬",
        "reason": "农民工申请支持起诉追索劳动报酬",
        "department": "民事检察部",
        "prosecutor": "李检察官",
        "on_date": on,
        "amount_claimed": "29万元",
        "people": "17",
    }
    values.update(changes)
    return sp.apply(ws, PROSECUTOR, **values)  # type: ignore[arg-type]


FACTS = [
    "2025年3月至12月，申请人等十七人在被申请人承建的青岚县某小区工地务工，被申请人拖欠其劳动报酬共计29万元；"
    "青岚县人力资源和社会保障局责令限期支付后，被申请人逾期仍未支付。联系电话13812345678。"
]
REASONS = [
    "申请人系农民工，诉讼能力较弱，经行政机关处理后劳动报酬仍未实现，具有起诉维权意愿，符合支持起诉的条件。"
]


def test_a_wage_application_walks_to_its_end_with_the_document_and_the_figures(
    ws: Workspace, tmp_path: Path
) -> None:
    case_id = application(ws, D(2026, 11, 2))
    assert sp.act(ws, PROSECUTOR, case_id, "受理", on_date=D(2026, 11, 6)) == "accepted"
    sp.act(ws, PROSECUTOR, case_id, "collect_evidence", on_date=D(2026, 11, 10),
           evidence="调取劳动保障监察案卷及责令支付文书")  # fmt: skip
    sp.act(ws, PROSECUTOR, case_id, "collect_evidence", on_date=D(2026, 11, 12),
           evidence="询问班组长并制作笔录，固定务工人员名单和工资结算单")  # fmt: skip
    # the document step is the issuing service's alone
    with pytest.raises(UserError) as refused:
        sp.act(ws, PROSECUTOR, case_id, "decide_support", on_date=D(2026, 11, 20))
    assert refused.value.code == "missing_field"
    sp.act(ws, PROSECUTOR, case_id, "decide_support", "符合支持起诉条件", D(2026, 11, 20),
           legal_aid=True)  # fmt: skip
    with pytest.raises(UserError) as refused:
        sp.act(ws, PROSECUTOR, case_id, "issue_opinion", on_date=D(2026, 11, 23), court="法院")
    assert refused.value.code == "needs_document_service"

    issued = sp.issue_opinion(ws, PROSECUTOR, case_id, court="青岚县人民法院", facts=FACTS,
                              reasons=REASONS, on_date=D(2026, 11, 23))  # fmt: skip
    assert issued.number == "青检民支〔2026〕1号"
    assert issued.document.is_file()
    with zipfile.ZipFile(issued.document) as z:
        assert b"python-docx" not in z.read("docProps/core.xml")
    pdf = to_pdf(issued.document, tmp_path)
    text = "\n".join(line for page in pdf_lines(pdf) for line in page)
    flat = text.replace("\n", "").replace(" ", "")
    for expected in ("支持起诉意见书", "青检民支〔2026〕1号", "青岚县人民法院：", "王大军等十七人（农民工）",
                     "调取劳动保障监察案卷及责令支付文书", "《中华人民共和国民事诉讼法》第十五条",
                     "本院已协调为申请人提供法律援助", "尾号5678"):  # fmt: skip
        assert expected in flat, expected
    assert "13812345678" not in flat

    for action, fields in (
        ("court_file", {"court_case_no": "（2026）黔0201民初1234号"}),
        ("court_mediate", {"amount_awarded": "29万元"}),
        ("apply_enforcement", {}),
    ):
        sp.act(ws, PROSECUTOR, case_id, action, on_date=D(2026, 11, 25), **fields)
    assert sp.act(ws, PROSECUTOR, case_id, "close", "执行到位", D(2026, 12, 4),
                  people_helped="17", amount_recovered="29万元") == "closed"  # fmt: skip
    steps = [h["action"] for h in history(ws.store, case_id, PROSECUTOR)]
    assert steps == ["apply", "accept", "collect_evidence", "collect_evidence", "decide_support",
                     "issue_opinion", "court_file", "court_mediate", "apply_enforcement", "close"]  # fmt: skip
    accepted = history(ws.store, case_id, PROSECUTOR)[1]["fields"]
    assert accepted["ended_deadline"] == {
        "kind": "acceptance",
        "due": "2026-11-09",
        "in_time": True,
    }
    assert accepted["deadline_due"] == "2026-12-07"  # 30 days from 11-06 is a Sunday

    # A minor's application, accepted late, not supported; a third still waiting past its time.
    minor = application(ws, D(2026, 11, 2), applicant="郭小花", applicant_category="未成年人",
                        respondent="郭某强", claim="判令被申请人支付抚养费", amount_claimed=None,
                        people=None)  # fmt: skip
    sp.act(ws, PROSECUTOR, minor, "accept", on_date=D(2026, 11, 16))
    waiting = application(ws, D(2026, 11, 20), applicant="张老汉", applicant_category="老年人",
                          claim="判令被申请人支付赡养费", amount_claimed=None, people="1")  # fmt: skip
    late = deadlines.overdue(ws.store, D(2026, 12, 6), calendar=ws.calendar, user=PROSECUTOR)
    assert [(r["id"], r["deadline_label"], r["deadline_due"]) for r in late] == [
        (waiting, "受理期限", D(2026, 11, 27))
    ]

    # The minor is named by pseudonym; writing the real name is refused before a number is used.
    sp.act(ws, PROSECUTOR, minor, "decide_support", "符合条件", D(2026, 11, 20))
    with pytest.raises(UserError) as refused:
        sp.issue_opinion(ws, PROSECUTOR, minor, court="青岚县人民法院",
                         facts=["郭小花的父亲郭某强未支付抚养费。"], reasons=REASONS,
                         on_date=D(2026, 11, 24))  # fmt: skip
    assert refused.value.code == "disclosure"
    with ws.store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(support_opinions)).scalar() == 1
        assert conn.execute(select(document_counters.c.last)).scalar() == 1
    second = sp.issue_opinion(ws, PROSECUTOR, minor, court="青岚县人民法院",
                              facts=["申请人的父亲郭某强离婚后未支付抚养费。"], reasons=REASONS,
                              on_date=D(2026, 11, 24))  # fmt: skip
    assert second.number == "青检民支〔2026〕2号"
    flat = "".join(
        line for page in pdf_lines(to_pdf(second.document, tmp_path)) for line in page
    ).replace(" ", "")
    assert "申请人郭某（未成年人）" in flat and "郭小花" not in flat

    assert [c["id"] for c in list_cases(ws.store, PROSECUTOR, case_kind="支持起诉")] == [
        waiting,
        minor,
        case_id,
    ]

    # The figures, by 申请人类别 and in total.
    table = stats.tables(ws.store, ("applicant_category",), user=PROSECUTOR)["applicant_category"]
    rows = {r["key"]: r for r in table}
    worker, child, total = rows["农民工"], rows["未成年人"], rows["合计"]
    assert (worker["sp_applications"], worker["sp_accepted"], worker["sp_accept_rate"]) == (
        1,
        1,
        1.0,
    )
    assert (worker["sp_evidence"], worker["sp_supported"], worker["sp_court_filed"]) == (2, 1, 1)
    assert (worker["sp_people"], worker["sp_recovered"]) == (17, Decimal("290000.00"))
    assert (worker["sp_reviewed_on_time"], worker["sp_review_rate"]) == (1, 1.0)
    assert (child["sp_accepted"], child["sp_accepted_on_time"], child["sp_accept_rate"]) == (
        1,
        0,
        0.0,
    )
    assert rows["老年人"]["sp_accept_rate"] is None  # nothing accepted yet: no rate, not 0%
    assert (total["sp_applications"], total["sp_supported"], total["sp_accept_rate"]) == (3, 2, 0.5)
    out = tmp_path / "统计.xlsx"
    stats.export_xlsx(table, "applicant_category", out)
    import openpyxl

    sheet = openpyxl.load_workbook(out).active
    headers = [c.value for c in sheet[1]]
    assert headers[0] == "申请人类别" and "支持起诉件数" in headers and "追回金额（元）" in headers


def test_the_centre_sets_its_own_times_and_a_case_opens_only_where_its_opener_sees(
    tmp_path: Path,
) -> None:
    ws = configure(init_workspace(tmp_path / "ws"), "accept_days = 3\nreview_days = 10\n")
    case_id = application(ws, D(2026, 11, 2))
    opened = history(ws.store, case_id, PROSECUTOR)[0]
    assert opened["fields"]["applicant_category"] == "农民工"
    assert opened["fields"]["amount_claimed"] == "290000.00"
    assert opened["fields"]["people"] == 17
    assert deadlines.due_soon(ws.store, D(2026, 11, 2), 30, calendar=ws.calendar)[0][
        "deadline_due"
    ] == D(2026, 11, 5)
    # recounting with the same settings moves nothing
    assert deadlines.pending_moves(ws.store, ws.calendar, deadlines.periods_of(ws)) == []
    sp.act(ws, PROSECUTOR, case_id, "accept", on_date=D(2026, 11, 5))
    row = list_cases(ws.store, PROSECUTOR)[0]
    assert (row["deadline_kind"], row["deadline_due"]) == (
        "review",
        D(2026, 11, 16),
    )  # 15th: Sunday
    with pytest.raises(UserError) as refused:
        application(ws, D(2026, 11, 3), applicant_category="学生")
    assert refused.value.code == "bad_field_value"
    with pytest.raises(UserError) as refused:
        application(ws, D(2026, 11, 3), amount_claimed="很多")
    assert refused.value.code == "bad_field_value"
    # a prosecutor of another department may not register one for the 民事检察部
    other = person("赵检察官", "刑事检察部", "prosecutor")
    with pytest.raises(UserError) as refused:
        sp.apply(
            ws, other, applicant="王某", applicant_category="农民工", respondent="某公司",
            claim="支付工资", reason="申请", department="民事检察部", prosecutor="李检察官",
            on_date=D(2026, 11, 3),
        )  # fmt: skip
    assert refused.value.code == "forbidden"


def test_a_wage_lead_becomes_a_support_case_on_the_command_line(tmp_path: Path) -> None:
    """wage.support_prosecution's lead of an employer, taken into a 支持起诉 case by `cases apply
    --lead`: the lead is accepted (成案) and the case lists it; a lead already taken is refused."""
    from click.testing import CliRunner

    from helpers import LIBRARY, load_fixture_data
    from shujian.cli.main import cli
    from shujian.leads.service import list_leads
    from shujian.models.runner import run_models

    ws = configure(init_workspace(tmp_path / "ws"))
    (tmp_path / "files").mkdir()
    load_fixture_data(ws, tmp_path / "files", model_id="wage.support_prosecution")
    run_models(ws, LIBRARY, ["wage.support_prosecution"], D(2026, 6, 30))
    lead = next(lead for lead in list_leads(ws.store) if lead["subject"] == "91520203MA6WG0001J")
    assert "3名劳动者" in lead["title"]

    def shujian(*args: str) -> str:
        result = CliRunner().invoke(cli, ["-w", str(ws.root), "-u", "李检察官", *args])
        assert result.exit_code in (0, 1, 2), result.output
        return result.output

    out = shujian("cases", "apply", "--applicant", "王大军等三人", "--category", "农民工",
                  "--respondent", "青岚县宏达建筑工程有限公司", "--claim", "支付拖欠的劳动报酬",
                  "--prosecutor", "李检察官", "--lead", str(lead["id"]), "--on", "2026-07-02")  # fmt: skip
    assert "已登记支持起诉申请：案件 1（1 条线索成案）" in out
    shown = shujian("cases", "show", "1")
    assert f"线索：{lead['id']}" in shown and "来源：模型线索" in shown
    again = shujian("cases", "apply", "--applicant", "李小兵", "--category", "农民工",
                    "--respondent", "某公司", "--claim", "支付工资", "--prosecutor", "李检察官",
                    "--lead", str(lead["id"]))  # fmt: skip
    assert "只有待研判的线索可以成案" in again
