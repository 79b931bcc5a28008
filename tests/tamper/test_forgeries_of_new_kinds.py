"""The tables of 支持起诉, 国家司法救助, 公开听证 and 12309 信访 under tamper evidence: a workspace
walked through every step of each with the real services verifies clean; then each forgery an
insider could make on each table (a material column changed, a row deleted, a row inserted, the
支持起诉意见书's or the 国家司法救助决定书's archived file changed), made for real on the store or
on disk, is named by `shujian audit verify` in Chinese: the table, the row, the column."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from helpers import NOTICE_2027, person
from shujian.beijing import today_in_china
from shujian.cases import support_prosecution as sp
from shujian.hearings import service as hearings
from shujian.hearings.rules import Member
from shujian.judicial_aid import service as aid
from shujian.petitions import service as petitions
from shujian.petitions.service import Intake, Petitions
from shujian.workspace import Region, init_workspace, open_workspace
from tamper.forging import SPOILS, forge, problems, scalar, shujian, spoil

D = dt.date
USER = person("李检察官", "民事检察部")
REGION = Region("贵州省", "六盘水市", "青岚县", "520203", "青岚县人民检察院", "青")
SETTINGS = """
[support_prosecution]
opinion_numbering = "counter"

[judicial_aid]
monthly_wage = 8000
monthly_wage_source = "贵州省统计局公布的2025年城镇非私营单位就业人员年平均工资 96,000 元 ÷ 12"
"""
OPINION = "青检民支〔2026〕1号"
DECISION = "青检救〔2026〕1号"
PANEL = [
    Member("周人大", "人大代表", D(1970, 3, 1)),
    Member("吴政协", "政协委员", D(1965, 7, 9)),
    Member("郑监督", "人民监督员", D(1980, 1, 20)),
]


def build(root: Path) -> Path:
    """Every step of each: a 支持起诉 case to its 支持起诉意见书 (rendered) and 法院立案; a
    国家司法救助 case to its 决定书 and 发放; a hearing on the 支持起诉 case set, held, heard and
    decided; a 检察长接待日, a visit received on it taken by a leader, a letter routed, re-routed,
    answered and assessed, a third petition's last day moved when 2027's notice arrives."""
    ws = init_workspace(root, region=REGION)
    config = root / "shujian.toml"
    config.write_text(config.read_text(encoding="utf-8") + SETTINGS, encoding="utf-8")
    ws = open_workspace(root)

    case = sp.apply(ws, USER, applicant="王大军", applicant_category="农民工",
                    respondent="青岚县宏达建筑工程有限公司", claim="判令被申请人支付拖欠的劳动报酬",
                    reason="农民工申请支持起诉", department="民事检察部", prosecutor="李检察官",
                    on_date=D(2026, 11, 2), amount_claimed="29万元", people="17")  # fmt: skip
    sp.act(ws, USER, case, "受理", on_date=D(2026, 11, 6))
    sp.act(ws, USER, case, "collect_evidence", on_date=D(2026, 11, 10), evidence="调取监察案卷")
    sp.act(ws, USER, case, "decide_support", "符合支持起诉条件", D(2026, 11, 20), legal_aid=True)
    issued = sp.issue_opinion(ws, USER, case, court="青岚县人民法院", reasons=["诉讼能力较弱。"],
                              facts=["被申请人拖欠劳动报酬共计29万元。"], on_date=D(2026, 11, 23))  # fmt: skip
    assert issued.number == OPINION
    sp.act(
        ws, USER, case, "court_file", on_date=D(2026, 11, 25), court_case_no="（2026）黔0201民初1号"
    )

    helped = aid.apply(ws, USER, department="控告申诉检察部", prosecutor="李检察官",
                       reason="被害人因故意伤害致重伤", received_on=D(2026, 11, 2))  # fmt: skip
    aid.review(ws, USER, helped, D(2026, 11, 5), ground="重伤或严重残疾", applicant="王某某")
    assert aid.approve(ws, USER, helped, D(2026, 11, 10), amount="5万元").number == DECISION
    aid.pay(ws, USER, helped, D(2026, 11, 12), method="银行转账")

    hid = hearings.schedule(ws, USER, case, matter="是否支持起诉", public=True, place="听证室",
                            host="李检察官", held_on=D(2026, 11, 16), notified_on=D(2026, 11, 12),
                            announced_on=D(2026, 11, 11), members=PANEL)  # fmt: skip
    hearings.hold(ws, USER, hid, D(2026, 11, 16), "承办检察官介绍案情；听证员提问。")
    for member, stance in (("周人大", "agree"), ("2", "agree"), ("郑监督", "disagree")):
        hearings.record_opinion(ws, USER, hid, member, stance, "意见")
    hearings.decide(ws, USER, hid, D(2026, 11, 18), "支持起诉", follows_majority=True)

    ps = Petitions(ws)
    today = today_in_china()
    day = petitions.add_reception_day(ps, USER, today, on=D(2026, 11, 16), leader="王检察长",
                                      place="来访接待室")  # fmt: skip
    visit = petitions.receive(ps, USER, today, Intake(D(2026, 11, 16), "来访", "控告", "张三",
                              "反映工程款被拖欠", contact="13900000000", reception_day=day))  # fmt: skip
    petitions.take_as_leader(ps, USER, today, visit, leader="王检察长", on=D(2026, 11, 16))
    letter = petitions.receive(ps, USER, today, Intake(D(2026, 11, 17), "来信", "申诉", "王大山",
                               "不服民事判决", contact="某村", department="刑事检察部"))  # fmt: skip
    petitions.route(ps, USER, today, letter, "民事检察部", handler="李检察官", on=D(2026, 11, 18))
    petitions.procedural_reply(ps, USER, today, letter, outcome="受理", text="已受理",
                               on=D(2026, 11, 19))  # fmt: skip
    petitions.result_reply(ps, USER, today, letter, kind="办理结果", text="依法审查，不支持监督申请",
                           on=D(2026, 11, 30))  # fmt: skip
    petitions.record_feedback(ps, USER, today, letter, value="满意", on=D(2026, 12, 1))
    petitions.receive(ps, USER, today, Intake(D(2026, 11, 5), "来信", "咨询", "李四", "咨询",
                                              contact="某村"))  # fmt: skip
    config.write_text(config.read_text(encoding="utf-8") + NOTICE_2027, encoding="utf-8")
    moved = petitions.recompute(Petitions(open_workspace(root)), USER, today)
    assert [m.petition_id for m in moved] == [3]
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("built") / "ws")


@pytest.fixture
def ws(built: Path, tmp_path: Path) -> Path:
    """A copy of the built workspace for one forgery (SQLite: the store is a file in it)."""
    return Path(shutil.copytree(built, tmp_path / "ws"))


def test_every_step_of_each_verifies_clean(ws: Path) -> None:
    out = shujian(ws, "audit", "verify", user="管理员").output
    count = {
        t: scalar(ws, f"SELECT count(*) FROM {t}")
        for t in ("case_events", "hearing_events", "petition_events")
    }
    assert (
        f"数据与审计记录一致：案件 2 条、办案记录 {count['case_events']} 条、支持起诉意见书 1 条、"
        f"国家司法救助决定书 1 条、听证会 1 条、听证员 3 条、听证记录 {count['hearing_events']} 条、"
        f"检察长接待日 1 条、信访件 3 条、信访办理记录 {count['petition_events']} 条；文书文件 2 份"
    ) in out
    assert count["hearing_events"] == 6 and count["petition_events"] == 10
    assert "说明" not in out  # made by this version: no baseline, nothing unproven


@dataclass(frozen=True)
class Table:
    """One tracked table: the row forged, how it is named, a material change and its labels,
    the values that keep a copied row apart from the original, what its last entry was."""

    table: str
    label: str
    row: str
    """The id of the row forged (SQL)."""
    named: str
    """How verify names it: a template over the row's columns."""
    change: str
    labels: str
    last_entry: str
    """“，<action> <object>” of the entry that last recorded the row (named when it is deleted)."""
    copy: dict[str, str] = field(default_factory=dict)


TABLES = [
    Table("support_opinions", "支持起诉意见书", "1", "支持起诉意见书 {number}（#{id}）",
          "court = '青岚县中级人民法院', content = json_set(content, '$.court', '某法院')",
          "受诉法院、内容", "，生成支持起诉意见书文书 支持起诉意见书 1",
          {"number": "'青检民支〔2026〕9号'", "seq": "9"}),
    Table("judicial_aid_decisions", "国家司法救助决定书", "1", "国家司法救助决定书 {number}（#{id}）",
          "content = json_set(content, '$.amount', '500,000.00')", "内容",
          "，制发国家司法救助决定书 案件 2", {"number": "'青检救〔2026〕9号'", "case_id": "1"}),
    Table("hearings", "听证会", "1", "案件 #{case_id} 的听证会 #{id}",
          "follows_majority = 0, decision = '不支持起诉'", "处理决定、是否采纳多数意见",
          "，作出听证处理决定 案件 1"),
    Table("hearing_members", "听证员", "2", "听证会 #{hearing_id} 的听证员 #{id}",
          "identity = '律师'", "身份", "，决定召开听证会 案件 1", {"seq": "9"}),
    Table("hearing_events", "听证记录", "(SELECT max(id) FROM hearing_events WHERE kind = 'opinion')",
          "听证会 #{hearing_id} 的听证记录 #{id}",
          "detail = json_set(detail, '$.stance', 'agree')", "内容", "，登记听证员意见 案件 1"),
    Table("reception_days", "检察长接待日", "1", "检察长接待日 #{id}", "on_date = '2026-11-17'",
          "接待日期", "，登记检察长接待日 检察长接待日 1"),
    Table("petitions", "信访件", "2", "信访件 #{id}", "feedback = 'unsatisfied', state = 'routed'",
          "办理状态、回访评价", "，信访回访评价 信访件 2"),
    Table("petition_events", "信访办理记录",
          "(SELECT id FROM petition_events WHERE kind = 'procedural_reply')",
          "信访件 #{petition_id} 的办理记录 #{id}", "on_date = '2026-11-18', text = '当场答复'",
          "日期、内容", "，信访程序性回复 信访件 2"),
]  # fmt: skip


def _row(ws: Path, t: Table) -> sqlite3.Row:
    con = sqlite3.connect(ws / "case_store.sqlite")
    con.row_factory = sqlite3.Row
    try:
        return con.execute(f"SELECT * FROM {t.table} WHERE id = {t.row}").fetchone()
    finally:
        con.close()


def _copy(ws: Path, t: Table) -> str:
    """An INSERT of a copy of the forged row under a new id."""
    con = sqlite3.connect(ws / "case_store.sqlite")
    try:
        names = [r[1] for r in con.execute(f"PRAGMA table_info({t.table})") if r[1] != "id"]
    finally:
        con.close()
    values = ", ".join(t.copy.get(n, n) for n in names)
    return (
        f"INSERT INTO {t.table} ({', '.join(names)}) SELECT {values} FROM {t.table} "
        f"WHERE id = {t.row}"
    )


@pytest.mark.parametrize("t", TABLES, ids=[t.table for t in TABLES])
def test_a_material_column_changed_in_the_store_is_named(ws: Path, t: Table) -> None:
    row = _row(ws, t)
    forge(ws, f"UPDATE {t.table} SET {t.change} WHERE id = {row['id']}")
    (found,) = problems(ws)
    name = t.named.format(**dict(row))
    assert found.startswith(f"{name}（表 {t.table}）的{t.labels}与审计记录（变更记录链第 "), found
    assert found.endswith("条）不符（被直接改动）。")


@pytest.mark.parametrize("t", TABLES, ids=[t.table for t in TABLES])
def test_a_row_deleted_from_the_store_is_named(ws: Path, t: Table) -> None:
    oid = _row(ws, t)["id"]
    forge(ws, f"DELETE FROM {t.table} WHERE id = {oid}")
    (found,) = problems(ws)
    assert found.startswith(f"{t.label} #{oid}（表 {t.table}）已不在库中，而审计记录有它"), found
    assert found.endswith(f"{t.last_entry}）：被直接删除。"), found


@pytest.mark.parametrize("t", TABLES, ids=[t.table for t in TABLES])
def test_a_row_inserted_into_the_store_is_named(ws: Path, t: Table) -> None:
    forge(ws, _copy(ws, t))
    new = scalar(ws, f"SELECT max(id) FROM {t.table}")
    con = sqlite3.connect(ws / "case_store.sqlite")
    con.row_factory = sqlite3.Row
    row = dict(con.execute(f"SELECT * FROM {t.table} WHERE id = {new}").fetchone())
    con.close()
    (found,) = problems(ws)
    assert found == f"{t.named.format(**row)}（表 {t.table}）没有审计记录（被直接插入数据库）。"


@dataclass(frozen=True)
class Archived:
    """A kind whose archived file verify compares: its table, its name, its 文号."""

    table: str
    label: str
    number: str

    @property
    def where(self) -> str:
        return f"documents/2026/{self.number}.docx"


ARCHIVED = [
    Archived("support_opinions", "支持起诉意见书", OPINION),
    Archived("judicial_aid_decisions", "国家司法救助决定书", DECISION),
]


@pytest.mark.parametrize("how", SPOILS)
@pytest.mark.parametrize("a", ARCHIVED, ids=[a.table for a in ARCHIVED])
def test_an_archived_file_changed_or_deleted_is_named(ws: Path, a: Archived, how: str) -> None:
    assert scalar(ws, f"SELECT count(*) FROM {a.table} WHERE document = '{a.where}'") == 1
    spoil(ws / a.where, how)
    (found,) = problems(ws)
    if how == "deleted":
        assert found == f"{a.label} {a.number}（#1）的文书文件 {a.where} 已不存在（被删除或移走）。"
    else:
        assert found.startswith(
            f"{a.label} {a.number}（#1）的文书文件 {a.where} 与写入时记录的 SHA-256 不符"
        ), found


@pytest.mark.parametrize("a", ARCHIVED, ids=[a.table for a in ARCHIVED])
def test_an_archived_file_s_recorded_hash_rewritten_to_match_a_new_file_is_named(
    ws: Path, a: Archived
) -> None:
    forged = b"PK\x03\x04 another document"
    (ws / a.where).write_bytes(forged)
    forge(ws, f"UPDATE {a.table} SET document_sha256 = '{hashlib.sha256(forged).hexdigest()}'")
    (found,) = problems(ws)
    assert found.startswith(
        f"{a.label} {a.number}（#1）（表 {a.table}）的文书文件 SHA-256与审计记录"
    ), found


def test_the_aid_decision_pointed_at_another_file_is_named(ws: Path) -> None:
    """The row moved to a forged file with its true hash beside it: the place is a column."""
    forged = Path(ws / "documents/2026/伪造.docx")
    forged.write_bytes((ws / f"documents/2026/{DECISION}.docx").read_bytes())
    forge(ws, "UPDATE judicial_aid_decisions SET document = 'documents/2026/伪造.docx'")
    (found,) = problems(ws)
    assert found.startswith(
        f"国家司法救助决定书 {DECISION}（#1）（表 judicial_aid_decisions）的文书文件位置与审计记录"
    ), found


def test_forgeries_of_the_new_kinds_on_a_postgresql_store_are_named(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHUJIAN_STORE_URL", pg_url)
    ws = build(tmp_path / "ws")
    out = shujian(ws, "audit", "verify", user="管理员").output
    assert "数据与审计记录一致" in out and "信访件 3 条" in out and "文书文件 2 份" in out
    engine = create_engine(pg_url)
    try:
        with engine.begin() as conn:
            for table in ("hearing_events", "judicial_aid_decisions"):
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            conn.execute(text("UPDATE petitions SET state = 'closed' WHERE id = 1"))
            conn.execute(
                text("UPDATE judicial_aid_decisions SET content = CAST(:c AS json)"),
                {"c": '{"amount": "500,000.00"}'},
            )
            last = conn.execute(text("SELECT max(id) FROM hearing_events")).scalar_one()
            conn.execute(text("DELETE FROM hearing_events WHERE id = :i"), {"i": last})
            conn.execute(
                text("INSERT INTO reception_days (on_date, leader, place, note, actor, at) "
                     "VALUES ('2026-11-20', '王检察长', '接待室', '', '伪造', now())")
            )  # fmt: skip
    finally:
        engine.dispose()
    decision = f"documents/2026/{DECISION}.docx"
    spoil(ws / decision, "edited")
    found = problems(ws)
    assert found[0].startswith(
        f"国家司法救助决定书 {DECISION}（#1）（表 judicial_aid_decisions）的内容"
    )
    assert found[1].startswith(
        f"国家司法救助决定书 {DECISION}（#1）的文书文件 {decision} 与写入时记录的 SHA-256 不符"
    )
    assert found[2].startswith(f"听证记录 #{last}（表 hearing_events）已不在库中")
    assert found[3] == "检察长接待日 #2（表 reception_days）没有审计记录（被直接插入数据库）。"
    assert found[4].startswith("信访件 #1（表 petitions）的办理状态与审计记录")
    assert len(found) == 5
