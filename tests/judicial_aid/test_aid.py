"""国家司法救助 walked end to end on SQLite and PostgreSQL: 受理 without a lead → 审查认定 → an
amount above the cap refused → 决定救助 with its numbered 决定书 → 发放 → figures per ground; the
fast track; and the pure rules by table."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from helpers import person
from shujian.cases import stats
from shujian.cases.dashboard import dashboard
from shujian.cases.service import get_case, history, transition
from shujian.cases.workflow import load_workflow
from shujian.errors import UserError
from shujian.judicial_aid import rules, service
from shujian.judicial_aid.store import judicial_aid_decisions
from shujian.workspace import Region, Workspace, init_workspace

D = dt.date
CLERK = person("控申检察官", "控告申诉检察部")
WAGE = """
[judicial_aid]
monthly_wage = 8000
monthly_wage_source = "贵州省统计局公布的2025年城镇非私营单位就业人员年平均工资 96,000 元 ÷ 12"
fast_limit = 10000
"""


def with_wage(ws: Workspace) -> Workspace:
    config = ws.root / "shujian.toml"
    config.write_text(config.read_text(encoding="utf-8") + WAGE, encoding="utf-8")
    ws.settings["judicial_aid"] = {
        "monthly_wage": 8000,
        "monthly_wage_source": "贵州省统计局公布的2025年城镇非私营单位就业人员年平均工资 96,000 元 ÷ 12",
        "fast_limit": 10000,
    }
    return ws


@pytest.fixture(params=["sqlite", "postgresql"])
def either(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    if request.param == "postgresql":
        monkeypatch.setenv("SHUJIAN_STORE_URL", request.getfixturevalue("pg_url"))
    region = Region("贵州省", "六盘水市", "青岚县", "520203", "青岚县人民检察院", "青")
    return with_wage(init_workspace(tmp_path / "ws", region=region))


def docx_text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_an_application_walks_to_payment_and_the_figures(either: Workspace) -> None:
    ws = either
    cid = service.apply(ws, CLERK, department="控告申诉检察部", prosecutor="控申检察官",
                        reason="被害人王某某因故意伤害致重伤，加害人无赔偿能力", received_on=D(2026, 11, 2))  # fmt: skip
    case = get_case(ws.store, cid, CLERK)
    assert case["case_kind"] == "judicial_aid" and case["state"] == "accepted"
    service.review(ws, CLERK, cid, D(2026, 11, 5), ground="重伤或严重残疾",
                   applicant="王某某", people="2人")  # fmt: skip
    # 36 months of 8,000 yuan = 288,000: one yuan more is refused, naming the cap
    with pytest.raises(UserError, match=r"超过救助限额 288,000\.00 元") as refused:
        service.approve(ws, CLERK, cid, D(2026, 11, 10), amount="288001")
    assert refused.value.code == "aid_above_cap"
    # an approved excess still may not pass what a court would award
    with pytest.raises(UserError, match=r"赔偿数额 300,000\.00 元"):
        service.approve(ws, CLERK, cid, D(2026, 11, 10), amount="31万",
                        exceed_approval="经市院批准", damages="30万")  # fmt: skip
    assert get_case(ws.store, cid, CLERK)["state"] == "eligible"  # nothing recorded
    done = service.approve(ws, CLERK, cid, D(2026, 11, 10), amount="5万元")
    assert done.number == "青检救〔2026〕1号" and done.cap == Decimal(288000)
    words = docx_text(done.document)
    assert "国家司法救助决定书" in words and "人民币50,000.00元" in words
    with ws.store.connect() as conn:  # the archived file and its hash, recorded with the number
        kept = conn.execute(select(judicial_aid_decisions).where(
            judicial_aid_decisions.c.case_id == cid)).one()  # fmt: skip
    assert kept.document == "documents/2026/青检救〔2026〕1号.docx"
    assert ws.root / kept.document == done.document
    assert kept.document_sha256 == hashlib.sha256(done.document.read_bytes()).hexdigest()
    again = service.render(ws, CLERK, done.number, ws.root / "again.docx")  # `aid document`
    assert again.read_bytes() == done.document.read_bytes()
    assert "《人民检察院开展国家司法救助工作细则》的有关规定" in words
    # only the service decides: a plain step is refused
    with pytest.raises(UserError):
        transition(ws.store, cid, "approve", CLERK, "", D(2026, 11, 11), amount="1")
    service.pay(ws, CLERK, cid, D(2026, 11, 20), method="银行转账")
    transition(ws.store, cid, "close", CLERK, "救助金已发放", D(2026, 11, 21))
    steps = [h["action"] for h in history(ws.store, cid, CLERK)]
    assert steps == ["open", "review", "approve", "pay", "close"]
    # the fast track: same day as 受理, within the procuratorate's limit
    fast = service.apply(ws, CLERK, department="控告申诉检察部", prosecutor="控申检察官",
                         reason="被害人急需救治", received_on=D(2026, 11, 12))  # fmt: skip
    with pytest.raises(UserError, match=r"快速救助的金额不超过 10,000\.00 元"):
        service.fast_track(ws, CLERK, fast, D(2026, 11, 12), ground="危及生命急需救治",
                           applicant="李小明", amount="12000", minor=True)  # fmt: skip
    with pytest.raises(UserError, match="受理当日"):
        service.fast_track(ws, CLERK, fast, D(2026, 11, 13), ground="危及生命急需救治",
                           applicant="李小明", amount="8000", minor=True)  # fmt: skip
    quick = service.fast_track(ws, CLERK, fast, D(2026, 11, 12), ground="危及生命急需救治",
                               applicant="李小明", amount="8000", minor=True)  # fmt: skip
    assert quick.number == "青检救〔2026〕2号"
    words = docx_text(quick.document)
    assert "李某" in words and "李小明" not in words and "快速救助" in words
    refused_case = service.apply(ws, CLERK, department="控告申诉检察部", prosecutor="控申检察官",
                                 reason="申请人对案件发生有重大过错", received_on=D(2026, 11, 12))  # fmt: skip
    transition(ws.store, refused_case, "refuse", CLERK, "对案件发生有重大过错", D(2026, 11, 13))
    rows = service.figures(ws, CLERK, D(2026, 11, 1), D(2026, 11, 30))
    assert rows == [
        {"ground": "重伤或严重残疾", "cases": 1, "people": 2, "amount": Decimal(50000), "fast": 0,
         "paid_cases": 1, "paid_amount": Decimal(50000)},
        {"ground": "危及生命急需救治", "cases": 1, "people": 1, "amount": Decimal(8000), "fast": 1,
         "paid_cases": 0, "paid_amount": Decimal(0)},
        {"ground": "合计", "cases": 2, "people": 3, "amount": Decimal(58000), "fast": 1,
         "paid_cases": 1, "paid_amount": Decimal(50000)},
    ]  # fmt: skip
    assert service.figures(ws, CLERK, D(2026, 12, 1), None)[-1]["cases"] == 0
    with ws.store.begin() as conn, pytest.raises(Exception, match="append-only"):
        conn.execute(text("UPDATE judicial_aid_decisions SET number = 'x'"))
    with ws.store.connect() as conn:
        numbers = conn.execute(select(judicial_aid_decisions.c.number)).scalars().all()
    assert sorted(numbers) == ["青检救〔2026〕1号", "青检救〔2026〕2号"]


def _reviewed(ws: Workspace, applicant: str) -> int:
    cid = service.apply(ws, CLERK, department="控告申诉检察部", prosecutor="控申检察官",
                        reason="申请", received_on=D(2026, 11, 2))  # fmt: skip
    service.review(ws, CLERK, cid, D(2026, 11, 3), ground="其他情形", applicant=applicant)
    return cid


def _decision_inserted(ws: Workspace, case_id: int, number: str) -> None:
    """A decision row written behind the platform's back (INSERT is not refused by the table's
    append-only triggers), its number not taken from the counter."""
    with ws.store.begin() as conn:
        conn.execute(insert(judicial_aid_decisions).values(
            case_id=case_id, number=number, year=2026, seq=1, issued_on=D(2026, 11, 3),
            content={}, actor="伪造", at=dt.datetime(2026, 11, 3, tzinfo=dt.UTC)))  # fmt: skip


def test_a_decision_whose_transaction_fails_leaves_no_file(either: Workspace) -> None:
    """The file is written before the row: when the row then cannot be written (here: the case
    already has a decision row, inserted behind the platform's back), the file this approval
    wrote is removed with everything else it did, and no partial file is left."""
    ws = either
    cid = _reviewed(ws, "张三")
    _decision_inserted(ws, cid, "青检救〔2026〕9号")
    with pytest.raises(IntegrityError):
        service.approve(ws, CLERK, cid, D(2026, 11, 4), amount="1000")
    assert sorted(p.name for p in ws.documents_dir.rglob("*") if p.is_file()) == []
    assert get_case(ws.store, cid, CLERK)["state"] == "eligible"
    other = _reviewed(ws, "李四")  # the number was not used
    assert service.approve(ws, CLERK, other, D(2026, 11, 4), amount="1000").number == (
        "青检救〔2026〕1号"
    )


def test_a_number_already_on_a_decision_is_refused_and_its_file_kept(either: Workspace) -> None:
    """The counter behind the decisions (a row inserted behind the platform's back with the next
    number): refused before anything is written, the file already there left as it is."""
    ws = either
    first, second = _reviewed(ws, "张三"), _reviewed(ws, "李四")
    _decision_inserted(ws, first, "青检救〔2026〕1号")
    archived = ws.documents_dir / "2026" / "青检救〔2026〕1号.docx"
    archived.parent.mkdir(parents=True)
    archived.write_bytes(b"PK\x03\x04 the archived one")
    with pytest.raises(UserError, match="文号 青检救〔2026〕1号 已被案件") as refused:
        service.approve(ws, CLERK, second, D(2026, 11, 4), amount="1000")
    assert refused.value.code == "number_taken"
    assert archived.read_bytes() == b"PK\x03\x04 the archived one"
    assert [p.name for p in archived.parent.iterdir()] == [archived.name]
    assert get_case(ws.store, second, CLERK)["state"] == "eligible"


def test_an_aid_case_is_opened_only_where_the_user_could_see_it(workspace: Workspace) -> None:
    other = person("检察官乙", "第一检察部", "prosecutor")
    with pytest.raises(UserError) as refused:
        service.apply(with_wage(workspace), other, department="控告申诉检察部",
                      prosecutor="控申检察官", reason="申请", received_on=D(2026, 11, 2))  # fmt: skip
    assert refused.value.code in ("forbidden", "unknown_department")


def test_without_the_wage_set_no_amount_is_decided(workspace: Workspace) -> None:
    cid = service.apply(workspace, CLERK, department="控告申诉检察部", prosecutor="控申检察官",
                        reason="申请", received_on=D(2026, 11, 2))  # fmt: skip
    service.review(workspace, CLERK, cid, D(2026, 11, 3), ground="其他情形", applicant="张三")
    with pytest.raises(UserError, match="monthly_wage") as refused:
        service.approve(workspace, CLERK, cid, D(2026, 11, 4), amount="1000")
    assert refused.value.code == "aid_wage_unset"


def test_the_grounds_of_the_workflow_are_the_declared_ones() -> None:
    field = load_workflow("judicial_aid").fields["ground"]
    assert list(field.choices) == [g.label for g in rules.declarations().grounds]
    assert all(g.tag == "V" for g in rules.declarations().grounds)


CAP = Decimal(288000)


@pytest.mark.parametrize(
    ("amount", "kwargs", "code"),
    [
        (Decimal(288000), {}, None),  # exactly the cap
        (Decimal("288000.01"), {}, "aid_above_cap"),
        (Decimal(0), {}, "aid_amount"),
        (Decimal(-5), {}, "aid_amount"),
        (Decimal(300000), {"exceed_approval": "经批准"}, "aid_above_cap"),  # no damages given
        (Decimal(300000), {"exceed_approval": "经批准", "damages": Decimal(300000)}, None),
        (Decimal(300001), {"exceed_approval": "经批准", "damages": Decimal(300000)}, "aid_above_damages"),
        (Decimal(300000), {"exceed_approval": "  ", "damages": Decimal(400000)}, "aid_above_cap"),
        (Decimal(10000), {"fast": True, "fast_limit": 10000}, None),
        (Decimal(10001), {"fast": True, "fast_limit": 10000}, "aid_fast_limit"),
        # the fast track never exceeds the cap, approval or not
        (Decimal(300000), {"fast": True, "fast_limit": 500000, "exceed_approval": "x",
                           "damages": Decimal(400000)}, "aid_above_cap"),
    ],
)  # fmt: skip
def test_check_amount(amount: Decimal, kwargs: dict, code: str | None) -> None:
    if code is None:
        rules.check_amount(amount, CAP, months=36, **kwargs)
        return
    with pytest.raises(UserError) as refused:
        rules.check_amount(amount, CAP, months=36, **kwargs)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("wage", "months", "source", "expected"),
    [(8000, 36, "统计局", Decimal(288000)), (7350, 24, "统计局", Decimal(176400)),
     (None, 36, "统计局", None), (0, 36, "统计局", None), (8000, 36, " ", None)],
)  # fmt: skip
def test_cap(wage: int | None, months: int, source: str, expected: Decimal | None) -> None:
    if expected is None:
        with pytest.raises(UserError):
            rules.cap(wage, months, source)
    else:
        assert rules.cap(wage, months, source) == expected


@pytest.mark.parametrize(("text", "people"), [("1", 1), ("3人", 3), (" 2名 ", 2), (4, 4)])
def test_people(text: object, people: int) -> None:
    assert rules.parse_people(text) == people


@pytest.mark.parametrize("text", ["0", "两人", "-1", "1.5", ""])
def test_people_refused(text: str) -> None:
    with pytest.raises(UserError):
        rules.parse_people(text)


def test_the_generic_step_refuses_no_one_helped_as_the_aid_command_does(
    workspace: Workspace,
) -> None:
    """`cases act N review --set people=0` goes through the case machinery, not `aid review`: the
    declared `min: 1` refuses it there too (before, it was recorded and the figures per ground
    then failed on the 0 they could not read)."""
    ws = with_wage(workspace)
    cid = service.apply(ws, CLERK, department="控告申诉检察部", prosecutor="控申检察官",
                        reason="申请", received_on=D(2026, 11, 2))  # fmt: skip
    for people in ("0", "0人"):
        with pytest.raises(UserError, match="救助人数应为不小于 1 的整数") as refused:
            transition(ws.store, cid, "review", CLERK, "", D(2026, 11, 3), calendar=ws.calendar,
                       ground="其他情形", applicant="张三", people=people)  # fmt: skip
        assert refused.value.code == "bad_field_value"
    transition(ws.store, cid, "审查认定", CLERK, "", D(2026, 11, 3), calendar=ws.calendar,
               ground="其他情形", applicant="张三", people="2人")  # fmt: skip
    service.approve(ws, CLERK, cid, D(2026, 11, 4), amount="1000")
    assert [r["people"] for r in service.figures(ws, CLERK) if r["ground"] == "其他情形"] == [2]


def test_an_aid_case_records_no_outcome(workspace: Workspace) -> None:
    """司法救助 declares `outcomes: false`: its result is the amount decided and paid, so a 成效
    (`shujian cases outcome`) is refused on it, not counted twice in the figures."""
    from shujian.cases import outcomes

    cid = service.apply(with_wage(workspace), CLERK, department="控告申诉检察部",
                        prosecutor="控申检察官", reason="申请", received_on=D(2026, 11, 2))  # fmt: skip
    with pytest.raises(UserError) as refused:
        outcomes.record_outcome(workspace.store, cid, "other", CLERK, D(2026, 11, 3), note="x")
    assert refused.value.code == "no_outcomes"
    assert "国家司法救助案件不登记成效" in refused.value.message


def test_aid_cases_count_under_their_kind_and_beside_the_funnel(either: Workspace) -> None:
    """统计 by 案件类别 and 首页 count the aid cases, which begin without a lead and which the
    funnel (a lead's way to a 检察建议) does not follow."""
    ws = either
    for day in (2, 3):
        service.apply(ws, CLERK, department="控告申诉检察部", prosecutor="控申检察官",
                      reason="被害人重伤，加害人无赔偿能力", received_on=D(2026, 11, day))  # fmt: skip
    tables = stats.tables(ws.store, ("kind", "model"), user=CLERK)
    by_kind = {r["key"]: r for r in tables["kind"]}
    assert set(by_kind) == {"国家司法救助", "合计"}
    assert by_kind["国家司法救助"]["cases"] == 2 == tables["model"][-1]["cases"]
    assert by_kind["国家司法救助"]["leads"] == 0
    board = dashboard(ws.store, CLERK, D(2026, 11, 20), {}, {}, ws.calendar)
    assert board is not None and dict(board.funnel)["成案"] == 0
    ((kind, counts),) = board.other_kinds
    assert kind == "国家司法救助" and counts[:2] == (("立案数", 2), ("决定司法救助", 0))
