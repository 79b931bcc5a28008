"""The 入职查询 decision (docs/sealing.md): a kindergarten worker's sealed juvenile records are
still found by `staff.barred_offence` (the procuratorate's own supervision, 司法机关为办案需要),
but the lead is nobody's to list, act on or build a 检察建议书 on — the record may reach the
kindergarten or its regulator only through a written query request answered within seven days;
a sealed non-prosecution never reaches a unit that is not a 司法机关 (规则第四百八十六条), a sealed
conviction may (有关单位根据国家规定: 未成年人保护法第六十二条)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpers import LIBRARY, numbered_by_counter
from juvenile.people import id_card
from shujian.cases.recommendations import SEALED_DOCUMENT, draft_document, issue_recommendation
from shujian.cases.service import open_case, transition
from shujian.data.importer import ImportOptions, import_file
from shujian.data.warehouse import Warehouse
from shujian.errors import UserError
from shujian.juvenile.sealing import records as sealing
from shujian.juvenile.sealing import requests
from shujian.leads.queue import homes, queue
from shujian.leads.store import leads
from shujian.leads.triage import dispatch
from shujian.models.runner import run_models
from shujian.users import User, departments_of
from shujian.users.user import SYSTEM
from shujian.workspace import Workspace, init_workspace

D = dt.date
HEAD = User("未检主任", "青岚县人民检察院", "未成年人检察部", frozenset({"department_head"}))
PROSECUTOR = User("张检察官", "青岚县人民检察院", "未成年人检察部", frozenset({"prosecutor"}))
CONVICTED = id_card(D(2003, 4, 1))  # 16 at the act
NOT_PROSECUTED = id_card(D(2004, 7, 1))  # 17 at the act
TODAY = D(2026, 12, 4)


def _import(
    ws: Workspace, dataset: str, path: Path, header: list[str], rows: list[list[str]]
) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    result = import_file(
        Warehouse(ws.warehouse_dir, ws.store), ws.reports_dir, ws.datasets()[dataset], path,
        ImportOptions(),
    )  # fmt: skip
    assert result.rejected == 0


@pytest.fixture(params=["sqlite", "postgresql"])
def ws(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Workspace:
    """On both stores: what rests on a sealed record is found by reading the leads' evidence as
    text (`visibility.sealed_now`), which each dialect casts its own way."""
    if request.param == "postgresql":
        monkeypatch.setenv("SHUJIAN_STORE_URL", request.getfixturevalue("pg_url"))
    ws = numbered_by_counter(init_workspace(tmp_path / "ws"))
    assert ws.store.dialect.name == request.param
    _import(ws, "staff_roster", tmp_path / "roster.csv",
            ["单位名称", "单位统一社会信用代码", "单位类别", "姓名", "公民身份号码", "岗位", "入职日期"],
            [["青岚县幸福幼儿园", "92520203MA61YM2QXQ", "幼儿园", "甲", CONVICTED, "保育员", "2025-09-01"],
             ["青岚县幸福幼儿园", "92520203MA61YM2QXQ", "幼儿园", "乙", NOT_PROSECUTED, "厨师", "2025-09-01"]])  # fmt: skip
    _import(ws, "offence_records", tmp_path / "records.csv",
            ["姓名", "公民身份号码", "罪名或违法行为", "处理结果", "处理日期", "文书编号", "行为日期", "判处刑罚"],
            [["甲", CONVICTED, "猥亵儿童罪", "有罪判决", "2020-06-01", "（2020）黔0221刑初7号", "2019-05-01", "有期徒刑二年"],
             ["乙", NOT_PROSECUTED, "强制猥亵罪", "相对不起诉", "2022-03-01", "青检未刑不诉〔2022〕2号", "2021-12-01", ""]])  # fmt: skip
    return ws


def test_the_model_still_finds_them_but_nobody_lists_or_acts_on_them(ws: Workspace) -> None:
    report = run_models(ws, LIBRARY, ["staff.barred_offence"], D(2026, 11, 2))
    (outcome,) = report.outcomes
    assert {f.subject for f in outcome.findings} == {CONVICTED, NOT_PROSECUTED}
    home = homes(LIBRARY, departments_of(ws))
    for user in (PROSECUTOR, HEAD):
        page = queue(ws.store, user, home=home, status=None)
        assert (page.total, list(page)) == (0, [])
    with ws.store.connect() as conn:
        ids = list(conn.execute(select(leads.c.id)).scalars())
    with pytest.raises(UserError) as hidden:
        dispatch(ws.store, ids, "未成年人检察部", "张检察官", HEAD, home=home)
    assert hidden.value.code == "not_found"
    with pytest.raises(UserError) as accepted:
        open_case(ws.store, ids[:1], "未成年人检察部", "张检察官", HEAD, "立案", D(2026, 11, 3),
                  departments=departments_of(ws), calendar=ws.calendar, home=home)  # fmt: skip
    assert accepted.value.code == "not_found"


def test_not_even_the_platform_opens_a_case_on_a_sealed_record(ws: Workspace) -> None:
    run_models(ws, LIBRARY, ["staff.barred_offence"], D(2026, 11, 2))
    with ws.store.connect() as conn:
        lead = conn.execute(select(leads.c.id).where(leads.c.subject == CONVICTED)).scalar_one()
    with pytest.raises(UserError) as refused:
        open_case(ws.store, [lead], "未成年人检察部", "张检察官", SYSTEM, "立案", D(2026, 11, 3),
                  departments=departments_of(ws), calendar=ws.calendar)  # fmt: skip
    assert refused.value.code == "not_found"


def test_query_requests_decide_what_an_employer_may_be_given(ws: Workspace) -> None:
    (conviction,) = [r["id"] for r in sealing.list_sealed(ws.store, HEAD, CONVICTED)]
    (non_prosecution,) = [r["id"] for r in sealing.list_sealed(ws.store, HEAD, NOT_PROSECUTED)]
    asked = {}
    for record_id in (conviction, non_prosecution):
        asked[record_id] = requests.record_request(
            ws.store, HEAD, ws.calendar, record_id=record_id, unit="青岚县教育局", judicial=False,
            basis="未成年人保护法第六十二条", purpose="幼儿园教职员工入职查询",
            received_on=D(2026, 12, 1), today=TODAY,
        )["id"]  # fmt: skip
    granted = requests.answer_request(
        ws.store, HEAD, asked[conviction], granted=True,
        text="书面告知有性侵害犯罪记录，并告知依法保密", answered_on=TODAY, today=TODAY,
    )  # fmt: skip
    assert granted["granted"] and granted["on_time"]
    with pytest.raises(UserError) as never:
        requests.answer_request(ws.store, HEAD, asked[non_prosecution], granted=True,
                                text="提供", answered_on=TODAY, today=TODAY)  # fmt: skip
    assert never.value.code == "non_prosecution_not_given"
    assert "第四百八十六条" in never.value.message
    # a 司法机关 for 办案需要 may be given a sealed non-prosecution
    court = requests.record_request(
        ws.store, HEAD, ws.calendar, record_id=non_prosecution, unit="青岚县人民法院",
        judicial=True, basis="办案需要", purpose="审理（2026）黔0221刑初3号案",
        received_on=D(2026, 12, 2), today=TODAY,
    )  # fmt: skip
    assert requests.answer_request(ws.store, HEAD, court["id"], granted=True,
                                   text="提供不起诉决定书", answered_on=TODAY, today=TODAY)["granted"]  # fmt: skip


def test_the_refusal_says_why(ws: Workspace, tmp_path: Path) -> None:
    """The case made before the sealing: the offence file first came without the act date
    (the person 21 at the decision: not sealed), the case opened and a recommendation issued;
    then the court's file with the act date sealed it."""
    late = id_card(D(1999, 1, 1))  # 17 on 2016-06-01, 21 on the 2020-02-01 judgment
    _import(ws, "staff_roster", tmp_path / "roster2.csv",
            ["单位名称", "单位统一社会信用代码", "单位类别", "姓名", "公民身份号码", "岗位", "入职日期"],
            [["青岚县幸福幼儿园", "92520203MA61YM2QXQ", "幼儿园", "丙", late, "司机", "2025-09-01"]])  # fmt: skip
    header = ["姓名", "公民身份号码", "罪名或违法行为", "处理结果", "处理日期", "文书编号"]
    row = ["丙", late, "强奸罪", "有罪判决", "2020-02-01", "（2020）黔0221刑初1号"]
    _import(ws, "offence_records", tmp_path / "first.csv", header, [row])
    run_models(ws, LIBRARY, ["staff.barred_offence"], D(2026, 11, 2))
    with ws.store.connect() as conn:
        lead = conn.execute(select(leads.c.id).where(leads.c.subject == late)).scalar_one()
    case_id = open_case(ws.store, [lead], "未成年人检察部", "张检察官", SYSTEM, "立案",
                        D(2026, 11, 3), departments=departments_of(ws), calendar=ws.calendar)  # fmt: skip
    transition(
        ws.store, case_id, "investigate", PROSECUTOR, "", D(2026, 11, 4), calendar=ws.calendar
    )
    draft = draft_document(ws, LIBRARY, case_id, PROSECUTOR, D(2026, 11, 5), "青岚县教育局",
                           tmp_path / "draft.docx")  # fmt: skip
    assert draft.exists()
    _import(ws, "offence_records", tmp_path / "court.csv", [*header, "行为日期", "判处刑罚"],
            [[*row, "2016-06-01", "有期徒刑四年"]])  # fmt: skip
    with pytest.raises(UserError) as told:
        issue_recommendation(ws, LIBRARY, case_id, HEAD, D(2026, 11, 5), "青岚县教育局")
    assert told.value.code == "sealed_record_in_document" and told.value.message == SEALED_DOCUMENT
    with pytest.raises(UserError) as missing:
        draft_document(ws, LIBRARY, case_id, PROSECUTOR, D(2026, 11, 5), "青岚县教育局",
                       tmp_path / "again.docx")  # fmt: skip
    assert missing.value.code == "not_found"


def test_a_page_shorter_than_the_matches_counts_them_from_the_tallies_less_the_sealed(
    ws: Workspace, tmp_path: Path
) -> None:
    """A full page's total comes from the trigger-kept tallies, which count the sealed leads
    too: the sealed leads the filters match are taken off, so the total is still the rows'."""
    adult = id_card(D(1985, 2, 1))  # 33 at the act: nothing to seal
    _import(ws, "staff_roster", tmp_path / "roster2.csv",
            ["单位名称", "单位统一社会信用代码", "单位类别", "姓名", "公民身份号码", "岗位", "入职日期"],
            [["青岚县幸福幼儿园", "92520203MA61YM2QXQ", "幼儿园", "丙", adult, "门卫", "2025-09-01"]])  # fmt: skip
    _import(ws, "offence_records", tmp_path / "records2.csv",
            ["姓名", "公民身份号码", "罪名或违法行为", "处理结果", "处理日期", "文书编号", "行为日期", "判处刑罚"],
            [["丙", adult, "强制猥亵罪", "有罪判决", "2019-06-01", "（2019）黔0221刑初3号", "2018-05-01", "有期徒刑一年"]])  # fmt: skip
    run_models(ws, LIBRARY, ["staff.barred_offence"], D(2026, 11, 2))
    home = homes(LIBRARY, departments_of(ws))
    with ws.store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(leads)).scalar_one() == 3
    first = queue(ws.store, HEAD, home=home, status=None, limit=1)
    assert [r["subject"] for r in first] == [adult] and first.total == 1
    second = queue(ws.store, HEAD, home=home, status=None, offset=1, limit=1)
    assert (list(second), second.total) == ([], 1)


def test_thousands_of_sealed_people_do_not_break_the_check(ws: Workspace, tmp_path: Path) -> None:
    """A city seals thousands of records: the check keys the offence models' leads' evidence
    rather than asking the database one condition per sealed person (1,500 conditions exceeded
    SQLite's expression depth of 1000)."""
    people = [id_card(D(2005, 1, 1) + dt.timedelta(days=i // 900), serial=i % 900 + 100)
              for i in range(1500)]  # fmt: skip
    _import(ws, "offence_records", tmp_path / "many.csv",
            ["姓名", "公民身份号码", "罪名或违法行为", "处理结果", "处理日期", "文书编号", "行为日期", "判处刑罚"],
            [["某", p, "盗窃罪", "有罪判决", "2022-06-01", f"（2022）黔0221刑初{i + 100}号", "2021-05-01",
              "拘役三个月"] for i, p in enumerate(people)])  # fmt: skip
    with ws.store.connect() as conn:
        assert len(sealing.current(conn)) == 1502
    run_models(ws, LIBRARY, ["staff.barred_offence"], D(2026, 11, 2))
    home = homes(LIBRARY, departments_of(ws))
    assert queue(ws.store, HEAD, home=home, status=None).total == 0


def test_a_thousand_and_more_leads_on_sealed_records_are_all_hidden_until_one_is_unsealed(
    ws: Workspace, tmp_path: Path
) -> None:
    """The check looks the offence models' evidence up among the sealed records by key, several
    hundred keys at a time: 1,200 kindergarten staff with a sealed juvenile record of a barred
    offence give 1,200 leads, all hidden; unsealing one record shows its one lead."""
    from shujian.juvenile.sealing.visibility import sealed

    people = [id_card(D(2005, 1, 1) + dt.timedelta(days=i // 900), serial=i % 900 + 100)
              for i in range(1200)]  # fmt: skip
    _import(ws, "staff_roster", tmp_path / "roster-many.csv",
            ["单位名称", "单位统一社会信用代码", "单位类别", "姓名", "公民身份号码", "岗位", "入职日期"],
            [["青岚县幸福幼儿园", "92520203MA61YM2QXQ", "幼儿园", f"某{i}", p, "保育员", "2025-09-01"]
             for i, p in enumerate(people)])  # fmt: skip
    _import(ws, "offence_records", tmp_path / "records-many.csv",
            ["姓名", "公民身份号码", "罪名或违法行为", "处理结果", "处理日期", "文书编号", "行为日期", "判处刑罚"],
            [[f"某{i}", p, "强制猥亵罪", "有罪判决", "2022-06-01", f"（2022）黔0221刑初{i + 100}号",
              "2021-05-01", "有期徒刑一年"] for i, p in enumerate(people)])  # fmt: skip
    run_models(ws, LIBRARY, ["staff.barred_offence"], D(2026, 11, 2))
    home = homes(LIBRARY, departments_of(ws))
    with ws.store.connect() as conn:
        made = set(conn.execute(select(leads.c.id).where(leads.c.subject.in_(people))).scalars())
    assert len(made) == 1200
    assert made <= set(sealed(ws.store).leads)  # every one of them hidden
    shown = queue(ws.store, HEAD, home=home, status=None).total
    (record,) = [r["id"] for r in sealing.list_sealed(ws.store, HEAD, people[700])]
    sealing.unseal(ws.store, record, HEAD, ground="new_crime",
                   decision="（2026）黔0221刑初7号", new_sentence="有期徒刑五年")  # fmt: skip
    assert len(made - set(sealed(ws.store).leads)) == 1
    assert queue(ws.store, HEAD, home=home, status=None).total == shown + 1
