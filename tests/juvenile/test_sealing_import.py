"""Sealed on import: offence records sent as agencies send them — a messy GBK CSV (a title row,
headers by their aliases, Chinese numerals, a sentence nobody can read, a totals row) and an
Excel file carrying the new columns — are imported through the real importer, and the rows the
rule selects are recorded as sealed in the same transaction as the batch; the same file again
seals nothing twice. Then the query requests and unsealing, as `handle_sealing` does them."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select, text

from juvenile.people import id_card
from shujian import audit
from shujian.data.importer import ImportOptions, ImportResult, import_file
from shujian.data.warehouse import Warehouse
from shujian.errors import UserError
from shujian.juvenile.sealing import records as sealing
from shujian.juvenile.sealing import requests
from shujian.juvenile.sealing.store import sealed_record_events, sealed_records
from shujian.users.user import SYSTEM, User
from shujian.workspace import Workspace, init_workspace

D = dt.date
TODAY = D(2026, 12, 4)
HEAD = User("未检主任", "青岚县人民检察院", "未成年人检察部", frozenset({"department_head"}))
PROSECUTOR = User("张检察官", "青岚县人民检察院", "未成年人检察部", frozenset({"prosecutor"}))

MINOR = id_card(D(2006, 3, 1))  # 17 in 2023
ADULT = id_card(D(1990, 3, 1))
YOUNG = id_card(D(2005, 1, 1))  # 19 at a 2024 decision without an act date: precaution
NONPROS = id_card(D(2007, 8, 8))


def _import(ws: Workspace, path: Path, **options: object) -> ImportResult:
    return import_file(
        Warehouse(ws.warehouse_dir, ws.store),
        ws.reports_dir,
        ws.datasets()["offence_records"],
        path,
        ImportOptions(**options),  # type: ignore[arg-type]
    )


def messy_gbk_csv(path: Path) -> Path:
    lines = [
        "青岚县公安局违法犯罪记录（2024年）,,,,,,,,",
        "当事人,身份证号,罪名,处理结论,判决日期,案号,犯罪日期,刑罚",
        f"王小明,{MINOR},盗窃罪,有罪判决,2024-03-05,（2024）黔0221刑初12号,2023-06-01,有期徒刑一年零六个月",
        f"李成年,{ADULT},强奸罪,判决有罪,2024-04-01,（2024）黔0221刑初20号,2023-12-01,有期徒刑三年",
        f"赵某,{YOUNG},故意伤害罪,有罪判决,2024-06-01,（2024）黔0221刑初30号,,拘役五个月",
        f"钱某,{NONPROS},盗窃罪,酌定不起诉,2024-07-01,青检未刑不诉〔2024〕3号,2024-05-01,",
        f"孙某,{MINOR},抢劫罪,有罪判决,2024-08-01,（2024）黔0221刑初40号,2024-01-01,有期徒刑好几年",
        "合计,,,,,,,,",
    ]
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    return path


def excel(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", "公民身份号码", "罪名或违法行为", "处理结果", "处理日期", "文书编号",
                  "行为日期", "判处刑罚"])  # fmt: skip
    sheet.append(["周某", MINOR, "寻衅滋事罪", "有罪判决", D(2025, 2, 1), "（2025）黔0221刑初5号",
                  D(2023, 9, 1), "有期徒刑六年"])  # fmt: skip
    sheet.append(["吴某", MINOR, "故意毁坏财物罪", "免予刑事处罚", D(2025, 3, 1),
                  "（2025）黔0221刑初9号", D(2023, 10, 1), "免予刑事处罚"])  # fmt: skip
    book.save(path)
    return path


def _gbk_csv(path: Path, rows: list[list[str]]) -> Path:
    """The rows under the dataset's own headers, as a GBK CSV."""
    with path.open("w", encoding="gbk", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["姓名", "公民身份号码", "罪名或违法行为", "处理结果", "处理日期",
                         "文书编号", "行为日期", "判处刑罚"])  # fmt: skip
        writer.writerows(rows)
    return path


def _sealed(ws: Workspace) -> dict[str, str]:
    with ws.store.connect() as conn:
        return {
            r.document_no: r.ground
            for r in conn.execute(select(sealed_records.c.document_no, sealed_records.c.ground))
        }


def test_a_messy_gbk_csv_seals_a_minors_records_on_import(
    workspace: Workspace, tmp_path: Path
) -> None:
    result = _import(workspace, messy_gbk_csv(tmp_path / "records.csv"))
    assert result.imported == 4 and result.rejected == 1
    assert {"act_date", "sentence"} <= set(result.columns.values())  # 犯罪日期, 刑罚
    book = openpyxl.load_workbook(result.report, read_only=True)  # type: ignore[arg-type]
    refused = [r for r in book["退回记录"].iter_rows(min_row=2, values_only=True)]
    assert any("刑期无法识别" in str(cell) for r in refused for cell in r)
    assert _sealed(workspace) == {
        "（2024）黔0221刑初12号": "sentence",
        "（2024）黔0221刑初30号": "act_unknown",
        "青检未刑不诉〔2024〕3号": "non_prosecution",
    }
    with workspace.store.connect() as conn:
        stored = conn.execute(select(sealed_records).where(sealed_records.c.id_card == MINOR)).one()
        events = conn.execute(select(sealed_record_events.c.kind)).scalars().all()
    assert stored.sentence == "有期徒刑1年6个月" and stored.act_date == D(2023, 6, 1)
    assert stored.name == "王小明" and stored.batch_id == result.batch_id
    assert events == ["sealed", "sealed", "sealed"]
    logged = audit.query(workspace.store, action="seal_records")
    assert [e["object_id"] for e in logged] == [str(result.batch_id)]
    with workspace.store.connect() as conn:
        ids = sorted(conn.execute(select(sealed_records.c.id)).scalars())
    # the count and every id, as runs of consecutive ids
    assert logged[0]["detail"] == {"sealed_records": 3, "ids": [[ids[0], ids[-1]]]}
    assert ids == list(range(ids[0], ids[-1] + 1))
    # the same file again (with another encoding asked for: a new batch replacing the first)
    again = _import(workspace, tmp_path / "records.csv", encoding="gbk")
    assert again.replaced == result.batch_id
    assert len(_sealed(workspace)) == 3


def test_an_excel_file_with_the_new_columns(workspace: Workspace, tmp_path: Path) -> None:
    result = _import(workspace, excel(tmp_path / "records.xlsx"))
    assert result.imported == 2 and result.rejected == 0
    assert _sealed(workspace) == {"（2025）黔0221刑初9号": "exempted"}


def test_the_history_of_sealing_is_append_only(workspace: Workspace, tmp_path: Path) -> None:
    _import(workspace, messy_gbk_csv(tmp_path / "records.csv"))
    for statement in ("UPDATE sealed_records SET ground = 'x'", "DELETE FROM sealed_record_events"):
        with pytest.raises(Exception, match="append-only"), workspace.store.begin() as conn:
            conn.execute(text(statement))


def test_requests_and_unsealing(workspace: Workspace, tmp_path: Path) -> None:
    _import(workspace, messy_gbk_csv(tmp_path / "records.csv"))
    (conviction,) = [r["id"] for r in sealing.list_sealed(workspace.store, HEAD, MINOR)]
    (nonpros,) = [r["id"] for r in sealing.list_sealed(workspace.store, HEAD, NONPROS)]
    with pytest.raises(UserError) as refused:
        sealing.list_sealed(workspace.store, PROSECUTOR)
    assert refused.value.code == "forbidden"
    # received on Friday 2026-11-27: seven days end on Friday 2026-12-04 (a working day)
    made = requests.record_request(
        workspace.store, HEAD, workspace.calendar, record_id=conviction, unit="青岚县教育局",
        judicial=False, basis="未成年人保护法第六十二条", purpose="入职查询",
        received_on=D(2026, 11, 27), today=TODAY,
    )  # fmt: skip
    assert made["due_on"] == D(2026, 12, 4)
    # received on Sunday 2026-11-29: the seventh day is Sunday 2026-12-06, moved to Monday
    late = requests.record_request(
        workspace.store, HEAD, workspace.calendar, record_id=nonpros, unit="某幼儿园",
        judicial=False, basis="未成年人保护法第六十二条", purpose="入职查询",
        received_on=D(2026, 11, 24), today=TODAY,
    )  # fmt: skip
    assert late["due_on"] == D(2026, 12, 1)
    overdue = requests.list_requests(workspace.store, HEAD, TODAY, overdue_only=True)
    assert [r["id"] for r in overdue] == [late["id"]]
    # a non-prosecution record is never given to a unit that is not a 司法机关
    with pytest.raises(UserError) as never:
        requests.answer_request(workspace.store, HEAD, late["id"], granted=True,
                                text="提供记录", answered_on=TODAY, today=TODAY)  # fmt: skip
    assert never.value.code == "non_prosecution_not_given"
    requests.answer_request(workspace.store, HEAD, late["id"], granted=False,
                            text=requests.NON_PROSECUTION_REFUSAL, answered_on=TODAY, today=TODAY)  # fmt: skip
    answered = requests.answer_request(
        workspace.store, HEAD, made["id"], granted=True, text="书面告知有犯罪记录，要求保密",
        answered_on=D(2026, 12, 3), today=TODAY,
    )  # fmt: skip
    assert answered["on_time"] is True
    states = {r["id"]: r["state"] for r in requests.list_requests(workspace.store, HEAD, TODAY)}
    assert states == {made["id"]: "on_time", late["id"]: "late"}
    with pytest.raises(UserError) as twice:
        requests.answer_request(workspace.store, HEAD, made["id"], granted=False, text="x",
                                answered_on=TODAY, today=TODAY)  # fmt: skip
    assert twice.value.code == "already_answered"
    # unsealing: four years eleven months combined is not enough; five years is
    with pytest.raises(UserError) as short:
        sealing.unseal(workspace.store, conviction, HEAD, ground="new_crime",
                       decision="（2026）黔0221刑初7号", new_sentence="有期徒刑四年十一个月")  # fmt: skip
    assert short.value.code == "unseal_refused"
    with pytest.raises(UserError):
        sealing.unseal(workspace.store, conviction, PROSECUTOR, ground="new_crime",
                       decision="（2026）黔0221刑初7号", new_sentence="有期徒刑五年")  # fmt: skip
    done = sealing.unseal(workspace.store, conviction, HEAD, ground="new_crime",
                          decision="（2026）黔0221刑初7号", new_sentence="有期徒刑五年")  # fmt: skip
    assert done["sentence"] == "有期徒刑5年"
    with workspace.store.connect() as conn:
        assert conviction not in {r["id"] for r in sealing.current(conn)}
    assert audit.query(workspace.store, action="unseal_record")
    # a precautionary seal is released when the act date shows an adult, not otherwise
    (young,) = [r["id"] for r in sealing.list_sealed(workspace.store, HEAD, YOUNG)]
    with pytest.raises(UserError):
        sealing.unseal(workspace.store, young, HEAD, ground="adult_at_act", decision="核实",
                       act_date=D(2022, 12, 1))  # fmt: skip
    sealing.unseal(workspace.store, young, HEAD, ground="adult_at_act",
                   decision="公安机关来函核实行为日期", act_date=D(2023, 2, 1))  # fmt: skip
    assert SYSTEM.name


def test_the_figures(workspace: Workspace, tmp_path: Path) -> None:
    """封存记录数 by the day sealed; 查询申请按期答复数 counts the requests answered within seven
    days only; neither column is shown to a user who may not see sealed records."""
    from shujian.beijing import today_in_china
    from shujian.juvenile import statistics
    from shujian.juvenile.counting import TOTAL
    from shujian.juvenile.service import Register

    _import(workspace, messy_gbk_csv(tmp_path / "records.csv"))
    today = today_in_china()  # the day the import sealed them
    ids = [r["id"] for r in sealing.list_sealed(workspace.store, HEAD)]
    answered = []
    for record_id, received, answered_on in ((ids[0], -3, -1), (ids[1], -12, -2)):
        made = requests.record_request(
            workspace.store, HEAD, workspace.calendar, record_id=record_id, unit="某法院",
            judicial=True, basis="办案需要", purpose="审理案件",
            received_on=today + dt.timedelta(days=received), today=today,
        )  # fmt: skip
        answered.append(
            requests.answer_request(
                workspace.store,
                HEAD,
                made["id"],
                granted=True,
                text="提供判决书",
                answered_on=today + dt.timedelta(days=answered_on),
                today=today,
            )["on_time"]
        )
    assert answered == [True, False]
    register = Register(workspace)
    stats = statistics.compute(register, HEAD, today - dt.timedelta(days=30), today, today)
    (total,) = [r for r in stats.tables["category"] if r["key"] == TOTAL]
    assert (total["sealed_records"], total["sealing_requests_on_time"]) == (3, 1)
    hidden = statistics.compute(register, PROSECUTOR, None, today, today)
    assert {"sealed_records", "sealing_requests_on_time"} <= {f.id for f in hidden.hidden}


def test_a_kept_answer_counts_a_new_seal_and_a_new_answer_at_once(
    workspace: Workspace, tmp_path: Path
) -> None:
    """The statistics kept per process are computed again after a seal or an answer (neither
    is a register batch or a lead: both are in `statistics._own_records_now`)."""
    from shujian.beijing import today_in_china
    from shujian.juvenile import statistics
    from shujian.juvenile.counting import TOTAL
    from shujian.juvenile.service import Register

    today = today_in_china()
    register = Register(workspace)

    def counted() -> tuple[int, int]:
        stats = statistics.compute(register, HEAD, today - dt.timedelta(days=30), today, today)
        (total,) = [r for r in stats.tables["category"] if r["key"] == TOTAL]
        return total["sealed_records"], total["sealing_requests_on_time"]

    assert counted() == (0, 0)
    _import(workspace, messy_gbk_csv(tmp_path / "records.csv"))
    assert counted() == (3, 0)
    record_id = sealing.list_sealed(workspace.store, HEAD)[0]["id"]
    made = requests.record_request(
        workspace.store, HEAD, workspace.calendar, record_id=record_id, unit="某法院",
        judicial=True, basis="办案需要", purpose="审理案件", received_on=today, today=today,
    )  # fmt: skip
    requests.answer_request(
        workspace.store, HEAD, made["id"], granted=True, text="提供判决书",
        answered_on=today, today=today,
    )  # fmt: skip
    assert counted() == (3, 1)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_ws(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Workspace:
    if request.param == "postgresql":
        monkeypatch.setenv("SHUJIAN_STORE_URL", request.getfixturevalue("pg_url"))
    ws = init_workspace(tmp_path / "ws")
    assert ws.store.dialect.name == request.param
    return ws


def test_a_large_batch_is_sealed_at_once_each_event_naming_its_own_record(
    store_ws: Workspace,
) -> None:
    """A province's export seals tens of thousands of rows in one statement (more rows than one
    multi-row INSERT takes, 1,000): every record gets its event, with its own ground."""
    rows = []
    for i in range(1500):
        convicted = i % 3 != 0
        rows.append(
            {
                "id_card": id_card(D(2006, 1, 1) + dt.timedelta(days=i % 300)),
                "name": f"某{i}",
                "offence": "盗窃罪",
                "outcome": "有罪判决" if convicted else "相对不起诉",
                "decided_on": D(2024, 3, 1),
                "act_date": D(2023, 6, 1),
                "sentence": "有期徒刑一年" if convicted else None,
                "document_no": f"（2024）黔0221刑初{i}号",
            }
        )
    with store_ws.store.begin() as conn:
        made = sealing.seal_rows(conn, rows, None, "系统", TODAY)
        again = sealing.seal_rows(conn, rows[:10], None, "系统", TODAY)
    assert len(made) == 1500 and again == []
    with store_ws.store.connect() as conn:
        stored = {
            r.id: (r.document_no, r.ground)
            for r in conn.execute(
                select(sealed_records.c.id, sealed_records.c.document_no, sealed_records.c.ground)
            )
        }
        events = conn.execute(
            select(sealed_record_events.c.record_id, sealed_record_events.c.detail)
        ).all()
    # the ids come back in the order of the rows
    assert [stored[i][0] for i in made] == [r["document_no"] for r in rows]
    assert sorted(e.record_id for e in events) == sorted(made)
    assert all(e.detail["ground"] == stored[e.record_id][1] for e in events)
    assert {g for _, g in stored.values()} == {"sentence", "non_prosecution"}


OUTCOMES = ("有罪判决", "相对不起诉", "无罪判决", "法定不起诉", "免予刑事处罚", "存疑不起诉", "行政处罚",
            "附条件不起诉", "撤销案件")  # fmt: skip
"""Every outcome sealing may seal (`rule.SEALABLE`), among others."""


@pytest.mark.parametrize("part_rows", [40, 1_000_000])
def test_a_file_read_in_parts_seals_what_the_rule_selects_row_by_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, part_rows: int
) -> None:
    """Sealing reads only the rows of a sealable outcome, part after part of a large file: the
    records sealed are those the rule selects applied to every row of the file, one at a time."""
    from shujian.data import readers
    from shujian.juvenile.sealing.rule import SEALABLE, decide

    monkeypatch.setattr(readers, "CSV_PART_ROWS", part_rows)
    assert set(SEALABLE) < set(OUTCOMES)
    rows = []
    for i in range(170):
        born = D(2004 + i % 5, 1 + i % 12, 1)
        outcome = OUTCOMES[i % len(OUTCOMES)]
        act = None if i % 7 == 0 else D(2022, 1 + i % 12, 10)
        sentence = ("有期徒刑一年", "有期徒刑六年", "")[i // 9 % 3] if outcome == "有罪判决" else ""
        rows.append(
            [
                f"某{i}",
                id_card(born),
                "盗窃罪",
                outcome,
                "2024-06-01",
                f"（2024）黔0221刑初{i}号",
                "" if act is None else act.isoformat(),
                sentence,
            ]
        )
    path = _gbk_csv(tmp_path / "记录.csv", rows)
    expected = {}
    for r in rows:
        act = dt.date.fromisoformat(r[6]) if r[6] else None
        decision = decide(r[1], r[3], D(2024, 6, 1), act, r[7] or None)
        if decision.sealed:
            expected[r[5]] = decision.ground
    ws = init_workspace(tmp_path / "ws")
    assert _import(ws, path).imported == 170
    assert _sealed(ws) == expected
    assert len(set(expected.values())) >= 4 and 30 < len(expected) < 170


def _near_the_lines() -> list[tuple[dt.date, dt.date | None, dt.date]]:
    """(born, act date, decision date) around every line the rule and the pre-test draw: 18,
    19 and 20 at the act; 21, 22 and 23 at the decision without one; leap-day births; each
    birthday's day before, day, day after."""
    cases = []
    decided = D(2024, 6, 1)
    for act in (D(2023, 2, 28), D(2023, 3, 1), D(2024, 2, 29), None):
        anchor = act or decided
        for years in (17, 18, 19, 20, 21, 22, 23, 24):
            for month, day in ((2, 28), (2, 29), (3, 1), (anchor.month, anchor.day)):
                year = anchor.year - years
                try:
                    birthday = D(year, month, day)
                except ValueError:  # 29 February of a common year
                    continue
                for shift in (-1, 0, 1):
                    cases.append((birthday + dt.timedelta(days=shift), act, decided))
    return cases


def test_the_pre_test_in_polars_only_ever_leaves_out_rows_the_rule_does_not_seal() -> None:
    """`_adult_well_past_18` spares the rule the adults: every row it leaves out, the rule (for
    every sealable outcome, with or without a sentence) does not seal; and it does leave out
    the ones well past the line, or it would spare nothing."""
    import polars as pl

    from shujian.juvenile.sealing.rule import SEALABLE, decide

    cases = _near_the_lines()
    frame = pl.DataFrame(
        {
            "id_card": [id_card(born) for born, _, _ in cases] + ["52020120O6010112X4", ""],
            "act_date": [act for _, act, _ in cases] + [None, None],
            "decided_on": [decided for _, _, decided in cases] + [D(2024, 6, 1)] * 2,
        },
        schema={"id_card": pl.Utf8, "act_date": pl.Date, "decided_on": pl.Date},
    )
    left_out = frame.select(sealing._adult_well_past_18()).to_series().to_list()
    for (id_no, act, decided), out in zip(frame.iter_rows(), left_out, strict=True):
        if out:
            for outcome in SEALABLE:
                for sentence in (None, "有期徒刑一年"):
                    assert not decide(id_no, outcome, decided, act, sentence).sealed, (id_no, act)
    ages = [
        (decided.year - born.year, act is None)
        for (born, act, decided), out in zip(cases, left_out, strict=False)
        if out
    ]
    assert any(not no_act for _, no_act in ages) and any(no_act for _, no_act in ages)
    assert all(
        out
        for (born, act, decided), out in zip(cases, left_out, strict=False)
        if ((act or decided).year - born.year) >= (21 if act else 24)
    )
    assert left_out[-2:] == [False, False]  # no readable birth date: left to the rule


def test_an_import_near_the_lines_seals_what_the_rule_selects_row_by_row(tmp_path: Path) -> None:
    """The same rows as a file through the real importer: what is sealed is exactly what the rule
    selects row by row, the pre-test leaving out only adults."""
    from shujian.juvenile.sealing.rule import decide

    rows, expected = [], {}
    for i, (born, act, decided) in enumerate(_near_the_lines()):
        outcome = ("有罪判决", "相对不起诉", "免予刑事处罚")[i % 3]
        number = f"（2024）黔0221刑初{i}号"
        rows.append([f"某{i}", id_card(born), "盗窃罪", outcome, decided.isoformat(), number,
                     "" if act is None else act.isoformat(), "有期徒刑一年"])  # fmt: skip
        decision = decide(id_card(born), outcome, decided, act, "有期徒刑一年")
        if decision.sealed:
            expected[number] = decision.ground
    path = _gbk_csv(tmp_path / "记录.csv", rows)
    ws = init_workspace(tmp_path / "ws")
    assert _import(ws, path).imported == len(rows)
    assert _sealed(ws) == expected
    assert 0 < len(expected) < len(rows)
