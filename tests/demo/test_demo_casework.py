"""The demonstration's 12309 信访, 支持起诉, 公开听证 and 国家司法救助 (demo/casework.py), through the
`demo` command itself.

The demo is built once for the module by the command's real entry point (`shujian demo DIR`), then
read back as its accounts through the services the pages call: the petitions across channels and
departments with their replies in time, late and owed, the feedback, the 检察长接待日 and the
领导包案; the 支持起诉 case from a wage lead up to the court's 立案 and the application left in
审查 past its period; the held hearing with its opinions and decision and the one set for today;
the two aid decisions against the cap, the minor applicant never named in the document. Each step
is in the audit log, the log verifies, and the figures commands count them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from shujian import audit
from shujian.beijing import today_in_china
from shujian.cases import deadlines
from shujian.cases import support_prosecution as sp
from shujian.cases.recommendations import case_leads_of
from shujian.cases.service import case_row, history
from shujian.cli.main import cli
from shujian.demo.accounts import demo_user
from shujian.demo.casework import MONTHLY_WAGE
from shujian.demo.manifest import MANIFEST_FILE, DemoManifest
from shujian.demo.petitions_work import PLAN
from shujian.errors import UserError
from shujian.hearings import service as hearings
from shujian.judicial_aid import service as aid
from shujian.juvenile import service
from shujian.leads.service import list_leads
from shujian.petitions import service as petitions
from shujian.petitions.service import Petitions
from shujian.users.user import User
from shujian.workspace import Workspace, open_workspace


@dataclass(frozen=True)
class Built:
    output: str
    root: Path
    ws: Workspace
    as_of: dt.date
    today: dt.date

    def user(self, name: str) -> User:
        return demo_user(self.ws, name)

    def run(self, *args: str) -> str:
        result = CliRunner().invoke(
            cli, ["-w", str(self.ws.root), "-u", "演示院领导", *args], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        return result.output


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    directory = tmp_path_factory.mktemp("demo-casework") / "demo"
    result = CliRunner().invoke(cli, ["demo", str(directory)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    service.forget()
    ws = open_workspace(directory / "workspace")
    manifest = DemoManifest.load(directory / "agency-files" / MANIFEST_FILE)
    return Built(result.output, directory, ws, manifest.as_of, today_in_china())


def _paragraph(built: Built) -> str:
    return built.output.split("信访、支持起诉、听证、司法救助示例")[1].split("督办示例")[0]


def _total(table: str, first: str = "合计") -> dict[str, str]:
    """The row `first` of a tab-separated table the CLI prints, by its header."""
    lines = [line.split("\t") for line in table.splitlines() if "\t" in line]
    header = lines[0]
    (row,) = [r for r in lines if r[0] == first]
    return dict(zip(header, row, strict=True))


def test_the_printed_paragraph_names_the_pages_and_commands(built: Built) -> None:
    text = _paragraph(built)
    for where in ("/petitions", "/petitions/stats", "petitions list --view overdue",
                  "stats --of petitions", "cases overdue", "stats --by applicant_category",
                  "/stats/hearings", "hearings show", "stats --of hearings",
                  "/stats/judicial-aid", "aid document", "stats --of judicial_aid"):  # fmt: skip
        assert where in text, where
    assert re.search(r"支持起诉意见书 青检民支〔\d{4}〕3号", text)
    for name in ("演示控申检察官", "演示民事检察官"):
        assert name in built.output.split("演示账号")[1]


def test_the_petitions_come_by_every_channel_to_many_departments_and_are_answered(
    built: Built,
) -> None:
    ps = Petitions(built.ws)
    intake = built.user("演示控申检察官")
    shown = petitions.list_petitions(ps, intake, built.today, view="all", limit=None)
    rows = {r["id"]: petitions.get_petition(ps, intake, built.today, r["id"]) for r in shown}
    assert 8 <= len(rows) <= 12
    assert {r["channel"] for r in rows.values()} == {"letter", "visit", "phone", "online"}
    assert len({r["department"] for r in rows.values()} - {None}) >= 5
    for r in rows.values():
        assert r["received_on"] <= built.as_of
        days = [e["on_date"] for e in r["events"]]
        assert days == sorted(days) and days[-1] <= built.today, r["id"]
    in_time = [r for r in rows.values() if r["procedural_in_time"]]
    late = [r for r in rows.values() if r["procedural_in_time"] is False]
    owed = [r for r in rows.values() if r["procedural_on"] is None]
    assert len(in_time) >= 6 and len(late) == 1 and len(owed) == 1
    overdue = petitions.list_petitions(ps, intake, built.today, view="overdue", limit=None)
    assert owed[0]["id"] in {r["id"] for r in overdue}
    assert owed[0]["owed"][0]["kind"] == "procedural" and owed[0]["owed"][0]["overdue"]
    answered = [r for r in rows.values() if r["result_on"] is not None]
    assert len(answered) >= 3 and all(r["result_in_time"] for r in answered)
    assert {r["feedback"] for r in rows.values()} - {None} == {
        "satisfied", "fairly_satisfied", "dissatisfied"
    }  # fmt: skip
    (leader,) = [r for r in rows.values() if r["leader"]]
    assert leader["leader"] == "演示院领导" and leader["state"] != "closed"
    (day,) = petitions.list_reception_days(ps, intake)
    visits = [r for r in rows.values() if r["reception_day_id"] == day["id"]]
    assert day["visits"] == len(visits) >= 1
    assert all(r["channel"] == "visit" and r["received_on"] == day["on_date"] for r in visits)
    # the minor petitioner: named only on the petition's own page
    (minor,) = [r for r in rows.values() if r["minor"]]
    listed = next(r for r in shown if r["id"] == minor["id"])
    assert listed["name"].endswith("某（未成年人）") and minor["name"] not in built.output
    # the 未检 prosecutor sees the petition routed to the department, and only those
    juvenile = petitions.list_petitions(
        ps, built.user("演示检察官"), built.today, view="all", limit=None
    )
    assert [r["department"] for r in juvenile] == ["未成年人检察部"]


def test_the_wage_lead_becomes_a_supported_suit_filed_in_court(built: Built) -> None:
    civil = built.user("演示民事检察官")
    number = re.search(r"支持起诉意见书 (青检民支〔\d{4}〕3号)", _paragraph(built))
    assert number is not None
    (case_id,) = [
        int(c) for c in re.findall(r"线索 \d+ 经申请成案（案件 (\d+)）", _paragraph(built))
    ]
    case = case_row(built.ws.store, case_id, civil)
    assert case["case_kind"] == "support_prosecution" and case["state"] == "court_filed"
    steps = history(built.ws.store, case_id, civil)
    actions = [s["action"] for s in steps]
    assert actions == ["apply", "accept", "collect_evidence", "collect_evidence",
                       "decide_support", "issue_opinion", "court_file"]  # fmt: skip
    days = [s["on_date"] for s in steps]
    assert days == sorted(days) and days[0] > built.as_of and days[-1] <= built.today
    application = sp.application_of(built.ws.store, case_id)
    assert application["applicant_category"] == "农民工" and application["channel"] == "模型线索"
    taken = [r for r in list_leads(built.ws.store, "wage.support_prosecution")
             if r["status"] != "new"]  # fmt: skip
    assert (
        len(taken) == 1 and str(taken[0]["evidence"][0]["employer"]) == (application["respondent"])
    )
    (opinion,) = sp.opinions_of(built.ws, civil, case_id)
    assert opinion["number"] == number.group(1) and opinion["numbering"] == "entered"
    assert opinion["document_sha256"] and (built.ws.root / opinion["document"]).is_file()
    assert re.fullmatch(r"（\d{4}）黔\d{4}民初\d+号", steps[-1]["fields"]["court_case_no"])


def test_the_elderly_application_is_left_in_review_past_its_period(built: Built) -> None:
    civil = built.user("演示民事检察官")
    late = deadlines.overdue(built.ws.store, built.today, calendar=built.ws.calendar, user=civil)
    (row,) = late
    case = case_row(built.ws.store, row["id"], civil)
    assert case["state"] == "reviewing" and row["deadline_label"] == "审查期限"
    application = sp.application_of(built.ws.store, row["id"])
    assert application["applicant_category"] == "老年人"
    assert application["channel"] == "12309检察服务中心"
    with pytest.raises(UserError, match="没有线索"):
        case_leads_of(built.ws.store, row["id"])


def test_a_hearing_was_held_and_decided_and_another_is_set_for_today(built: Built) -> None:
    civil = built.user("演示民事检察官")
    match = re.search(r"案件 (\d+) 的听证会（听证 (\d+)）已举行.*?案件 (\d+) 的听证会（听证 (\d+)）",
                      _paragraph(built))  # fmt: skip
    assert match is not None
    held = hearings.get_hearing(built.ws, civil, int(match.group(2)))
    assert held["case_id"] == int(match.group(1)) and held["state"] == "decided"
    assert held["public"] and held["announced_on"] is not None
    assert 3 <= len(held["members"]) <= 5
    assert all(m["opinion"] is not None for m in held["members"])
    assert held["majority"] == "同意承办检察官的处理意见" and held["follows_majority"]
    assert held["notified_on"] <= held["held_on"] - dt.timedelta(days=3)
    assert held["held_on"] <= held["decided_on"] <= built.today
    owner = built.user("演示检察官")
    scheduled = hearings.get_hearing(built.ws, owner, int(match.group(4)))
    assert scheduled["case_id"] == int(match.group(3))
    assert scheduled["state"] == "scheduled" and scheduled["held_on"] is None
    assert scheduled["notified_on"] <= scheduled["scheduled_on"] - dt.timedelta(days=3)
    assert scheduled["scheduled_on"] <= today_in_china()
    assert not scheduled["public"]  # the sample case is a 未检 case (规定第五条)


def test_aid_is_decided_within_the_cap_and_the_fast_track_paid(built: Built) -> None:
    chief = built.user("演示院领导")
    text = _paragraph(built)
    ordinary = re.search(r"案件 (\d+) 决定救助 ([\d,.]+) 元.*?决定书 (青检救〔\d{4}〕\d+号)", text)
    fast = re.search(
        r"快速救助（案件 (\d+)）([\d,.]+) 元已发放，决定书 (青检救〔\d{4}〕\d+号)", text
    )
    assert ordinary is not None and fast is not None
    limits = aid.Limits.of(built.ws)
    assert limits.monthly_wage == MONTHLY_WAGE and "演示数据" in limits.source
    cap = limits.cap()
    case = case_row(built.ws.store, int(ordinary.group(1)), chief)
    assert case["case_kind"] == "judicial_aid" and case["state"] == "approved"
    steps = history(built.ws.store, case["id"], chief)
    approve = next(s for s in steps if s["action"] == "approve")
    assert Decimal(approve["fields"]["amount"]) <= cap == Decimal(approve["fields"]["cap"])
    assert approve["fields"]["fast_track"] is False
    review = next(s for s in steps if s["action"] == "review")
    assert review["fields"]["applicant_minor"] is True
    name = str(review["fields"]["applicant"])
    path = built.ws.root / "documents" / str(approve["on_date"].year) / f"{ordinary.group(3)}.docx"
    document = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert f"救助申请人：{name[0]}某" in document and name not in document
    assert name not in built.output
    paid = case_row(built.ws.store, int(fast.group(1)), chief)
    assert paid["state"] == "paid"
    fast_steps = history(built.ws.store, paid["id"], chief)
    decided = next(s for s in fast_steps if s["action"] == "approve")
    assert decided["fields"]["fast_track"] is True
    assert Decimal(decided["fields"]["amount"]) <= limits.fast_limit
    assert decided["on_date"] == paid["opened_on"] <= built.today
    for s in steps + fast_steps:
        assert s["on_date"] <= built.today


def test_each_step_is_audited_and_the_log_verifies(built: Built) -> None:
    def count(action: str) -> int:
        return len(audit.query(built.ws.store, action=action))

    assert count("petition_received") == len(PLAN)
    assert count("petition_procedural_reply") == sum(p.procedural is not None for p in PLAN)
    assert count("petition_feedback") == sum(p.feedback is not None for p in PLAN)
    assert count("add_reception_day") == 1
    assert count("petition_leader_case") == 1
    assert count("issue_support_opinion") == 1
    assert count("schedule_hearing") == 2 and count("hearing_opinion") >= 3
    assert count("issue_judicial_aid_decision") == 2
    out = built.run("audit", "verify")
    assert "审计日志完整" in out


def test_the_figures_count_them(built: Built) -> None:
    petitions_total = _total(built.run("stats", "--of", "petitions"))
    assert int(petitions_total["受理信访件"]) >= 8 and int(petitions_total["办结"]) >= 3
    assert int(petitions_total["领导包案"]) == 1 and int(petitions_total["检察长接待日接待"]) >= 1
    hearing_total = _total(built.run("stats", "--of", "hearings"))
    assert int(hearing_total["听证会（次）"]) >= 1 and int(hearing_total["已作出决定"]) >= 1
    aid_total = _total(built.run("stats", "--of", "judicial_aid"))
    assert int(aid_total["决定救助件数"]) == 2 and int(aid_total["其中快速救助件数"]) == 1
    support_total = _total(built.run("stats", "--by", "applicant_category"))
    assert int(support_total["支持起诉件数"]) == 1 and int(support_total["支持起诉申请"]) == 2
    assert int(support_total["法院立案"]) == 1
