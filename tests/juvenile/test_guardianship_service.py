"""督促监护令, 训诫 and 家庭教育指导 on a real workspace (the 督办 county, imported through the
importer) and real stores: the .docx rendered, read back with python-docx and checked for its
GB/T 9704 elements, its wording and what it must not disclose; numbers from the order's own series
(not the 检察建议书's), on SQLite and PostgreSQL; re-printed byte for byte with the wording kept
at issue; histories append-only; every change audited; the minor's file; who may do what."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from sqlalchemy import select, text

from juvenile.people import send
from juvenile.supervision_county import Minor, build
from shujian import audit
from shujian.cases.documents.kinds import document_kind
from shujian.cases.numbering import next_seq
from shujian.cases.store import document_counters
from shujian.errors import UserError
from shujian.juvenile import service, statistics
from shujian.juvenile.counting import TOTAL
from shujian.juvenile.guardianship import orders, records
from shujian.juvenile.guardianship.store import guardianship_orders
from shujian.juvenile.own_records import own_records
from shujian.juvenile.service import Register
from shujian.users.user import User
from shujian.workspace import Workspace, init_workspace, open_workspace

D = dt.date
P = "青岚县人民检察院"
JUV = "未成年人检察部"
TODAY = D(2026, 12, 6)

PROSECUTOR = User("张检察官", P, JUV, frozenset({"prosecutor"}))
HEAD = User("周主任", P, JUV, frozenset({"department_head"}))
CHIEF = User("王检察长", P, None, frozenset({"chief"}))
OTHER = User("公益检察官", P, "公益诉讼检察部", frozenset({"prosecutor"}))
HELPER = User("刘帮扶", P, None, frozenset({"helper"}), unit="县妇联")


def configure(ws: Workspace, numbering: str = "counter", months: str = "[1, 3, 6]") -> Workspace:
    path = ws.root / "shujian.toml"
    body = path.read_text(encoding="utf-8")
    body = body.replace('county = ""', 'county = "青岚县"', 1)
    body = body.replace('procuratorate = ""', f'procuratorate = "{P}"', 1)
    body = body.replace('abbreviation = ""', 'abbreviation = "青"', 1)
    body += f'\n[juvenile]\norder_numbering = "{numbering}"\norder_followup_months = {months}\n'
    path.write_text(body, encoding="utf-8")
    return open_workspace(ws.root)


@pytest.fixture
def county(tmp_path: Path) -> tuple[Register, dict[str, Minor]]:
    ws = init_workspace(tmp_path / "ws")
    minors = build(ws, tmp_path / "files")
    return Register(configure(ws)), minors


@pytest.fixture(params=["sqlite", "postgresql"])
def either(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Register, dict[str, Minor]]:
    if request.param == "postgresql":
        monkeypatch.setenv("SHUJIAN_STORE_URL", request.getfixturevalue("pg_url"))
    ws = init_workspace(tmp_path / "ws")
    minors = build(ws, tmp_path / "files")
    return Register(configure(ws)), minors


def issue(register: Register, minor: Minor, on: dt.date, **changes: object) -> orders.Issued:
    wording: dict[str, object] = {
        "guardian": "安大山",
        "relation": "父亲",
        "facts": ["长期在外务工，对孩子疏于管教，未及时发现其多次夜不归宿、结交不良人员。"],
        "items": [
            "每周与孩子沟通不少于两次，了解其学习、生活和交友情况。",
            "不得让孩子脱离监护单独居住。",
        ],
        "basis": ["49", "61"],
        "guidance": "自收到本令之日起三个月内参加家庭教育指导不少于四次。",
        "on_date": on,
        "contact": "李检察官 0858-1234567",
    }
    wording.update(changes)
    return orders.issue_order(
        register,
        PROSECUTOR,
        TODAY,
        register.ref(minor.number),
        **wording,  # type: ignore[arg-type]
    )


def body_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


# ---------------------------------------------------------------------------- the document


def test_the_order_read_back(county) -> None:  # type: ignore[no-untyped-def]
    register, m = county
    issued = issue(register, m["A2"], D(2026, 11, 2))
    assert issued.number == "青检未督监〔2026〕1号"
    document = docx.Document(str(issued.document))
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    texts = [p.text for p in paragraphs]
    # title (two lines), 文号, 主送 = the named guardian
    assert texts[:4] == [P, "督促监护令", "青检未督监〔2026〕1号", "安大山："]
    assert [p.style.name for p in paragraphs[:4]] == ["文书标题", "文书标题", "文号", "主送"]
    assert texts[4] == (
        "本院在办理涉及未成年人安二的案件中发现，你作为安二的父亲，未依法履行监护职责，存在以下情形："
    )
    assert texts[5].startswith("长期在外务工")
    assert texts[6] == (
        "根据《中华人民共和国家庭教育促进法》第四十九条、《中华人民共和国预防未成年人犯罪法》"
        "第六十一条的规定，为督促你依法履行监护职责，保护未成年人健康成长，本院责令你做到以下事项："
    )
    assert texts[7].startswith("一、每周与孩子沟通") and texts[8].startswith("二、不得让孩子")
    assert (
        texts[9]
        == "本院责令你接受家庭教育指导：自收到本令之日起三个月内参加家庭教育指导不少于四次。"
    )
    assert "本令制发后一个月、三个月、六个月，分别对你履行监护职责" in texts[10]
    assert texts[-4:] == [
        "联系人及电话：李检察官 0858-1234567",
        "特此督促。",
        P,
        "二〇二六年十一月二日",
    ]
    assert [p.style.name for p in paragraphs[-2:]] == ["署名", "署名"]
    # GB/T 9704: A4, the 22 × 28 grid, 小标宋 title, 仿宋 body
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    assert section._sectPr.find(qn("w:docGrid")).get(qn("w:type")) == "linesAndChars"
    title = paragraphs[0].runs[0]._r.rPr.rFonts.get(qn("w:eastAsia"))
    body = paragraphs[5].runs[0]._r.rPr.rFonts.get(qn("w:eastAsia"))
    assert (title, body) == ("方正小标宋简体", "仿宋_GB2312")
    assert document.core_properties.title == "督促监护令 青检未督监〔2026〕1号"
    # Nothing it must not disclose: no minor's ID number (nor its birth digits), no other minor.
    xml = body_xml(issued.document)
    for minor in m.values():
        assert minor.number not in xml and minor.number[6:14] not in xml
        if minor.key != "A2":
            assert minor.name not in xml
    assert not re.search(r"\d{15,}", "".join(p.text for p in document.paragraphs))


def test_what_the_order_must_not_disclose_is_refused_before_a_number(county) -> None:  # type: ignore[no-untyped-def]
    register, m = county
    with pytest.raises(UserError, match="另一名未成年人的姓名“白二”") as e:
        issue(register, m["A2"], D(2026, 11, 2), facts=["与白二等人结伙夜不归宿。"])
    assert e.value.code == "other_minor_named"
    with pytest.raises(UserError, match="公民身份号码") as e:
        issue(register, m["A2"], D(2026, 11, 2), items=[f"核对 {m['A2'].number} 的户籍。"])
    assert e.value.code == "id_number_in_document"
    with pytest.raises(UserError, match="晚于今天"):
        issue(register, m["A2"], D(2026, 12, 7))
    with pytest.raises(UserError, match="名册中找不到"):
        orders.issue_order(register, PROSECUTOR, TODAY, "0" * 16, guardian="甲", relation="父亲",
                           facts=["x"], items=["y"])  # fmt: skip
    # No number was used: the first order is 1.
    assert issue(register, m["A2"], D(2026, 11, 2)).number == "青检未督监〔2026〕1号"


def test_a_mobile_number_in_the_facts_is_cut_to_its_tail(county) -> None:  # type: ignore[no-untyped-def]
    register, m = county
    issued = issue(register, m["A1"], D(2026, 11, 2), facts=["监护人电话13812345678长期关机。"])
    assert "尾号5678的电话" in body_xml(issued.document)
    assert "13812345678" not in body_xml(issued.document)


def test_the_orders_own_series_on_either_store(either) -> None:  # type: ignore[no-untyped-def]
    register, m = either
    numbers = [issue(register, m[k], D(2026, 11, d)).number for k, d in (("A1", 2), ("A2", 3))]
    assert numbers == ["青检未督监〔2026〕1号", "青检未督监〔2026〕2号"]
    with pytest.raises(UserError, match="早于已制发的 青检未督监〔2026〕2号") as e:
        issue(register, m["A3"], D(2026, 11, 2))
    assert e.value.code == "date_before_previous_number"
    with register.store.connect() as conn:
        kinds = {r.kind: r.last for r in conn.execute(select(document_counters))}
        assert kinds == {"guardianship_order": 2}
        # The 检察建议书's series of the same procuratorate, category and year is untouched.
        assert next_seq(conn, document_kind("recommendation"), P, "juvenile", 2026) == 1
        conn.rollback()
    orders.record_follow_up(register, PROSECUTOR, numbers[0], TODAY, on_date=D(2026, 12, 2),
                            outcome="监护到位", note="")  # fmt: skip
    with register.store.begin() as conn, pytest.raises(Exception, match="append-only"):
        conn.execute(text("UPDATE order_follow_ups SET outcome = 'improved'"))


def test_reprinted_byte_for_byte_with_the_wording_kept_at_issue(county, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    register, m = county
    issued = issue(register, m["A1"], D(2026, 11, 2))
    recorded = hashlib.sha256(issued.document.read_bytes()).hexdigest()
    # The procuratorate changes its wording afterwards: the issued order is not affected.
    own = register.ws.templates_dir / "guardianship"
    own.mkdir(parents=True)
    bundled = document_kind("guardianship_order").templates / "order.yaml"
    (own / "order.yaml").write_text(
        bundled.read_text(encoding="utf-8").replace("特此督促。", "此令。"), encoding="utf-8"
    )
    out = tmp_path / "a.docx"
    assert orders.render_again(register, CHIEF, issued.number, out).archive == "intact"
    assert hashlib.sha256(out.read_bytes()).hexdigest() == recorded
    issued.document.unlink()
    assert orders.render_again(register, CHIEF, issued.number, out).archive == "missing"
    assert hashlib.sha256(out.read_bytes()).hexdigest() == recorded
    issued.document.write_bytes(b"altered")
    assert orders.render_again(register, CHIEF, issued.number, out).archive == "altered"
    assert hashlib.sha256(out.read_bytes()).hexdigest() == recorded
    assert issued.document.read_bytes() == b"altered"  # evidence, never overwritten
    # The next order takes the new wording.
    second = issue(register, m["A2"], D(2026, 11, 3))
    texts = [p.text for p in docx.Document(str(second.document)).paragraphs]
    assert "此令。" in texts and "特此督促。" not in texts


def test_follow_ups_reprimands_and_guidance_audited_and_in_the_file(county) -> None:  # type: ignore[no-untyped-def]
    register, m = county
    issued = issue(register, m["A2"], D(2025, 12, 31))
    number = issued.number
    with pytest.raises(UserError, match="早于督促监护令的制发日期"):
        orders.record_follow_up(register, PROSECUTOR, number, TODAY, on_date=D(2025, 12, 30),
                                outcome="监护到位", note="")  # fmt: skip
    first = orders.record_follow_up(register, PROSECUTOR, number, TODAY, on_date=D(2026, 2, 2),
                                    outcome="有所改善", note="每周通话")  # fmt: skip
    assert (first["visit"], first["late"]) == (1, False)
    second = orders.record_follow_up(register, HEAD, number, TODAY, on_date=D(2026, 4, 3),
                                     outcome="未改善", note="仍夜不归宿")  # fmt: skip
    assert (second["visit"], second["late"]) == (2, True)
    # A correction of the second visit is a new row; the newest stands.
    orders.record_follow_up(register, HEAD, number, TODAY, on_date=D(2026, 4, 3), visit=2,
                            outcome="有所改善", note="更正：已按时回家")  # fmt: skip
    shown = orders.get_order(register, CHIEF, number, TODAY)
    assert [v["status"] for v in shown["visits"]] == ["on_time", "late", "overdue"]
    assert shown["visits"][1]["outcome_label"] == "有所改善"
    assert len(shown["visits"][1]["history"]) == 2
    rid = records.record_reprimand(register, PROSECUTOR, TODAY, register.ref(m["A2"].number),
                                   guardian="安大山", relation="父亲", on_date=D(2026, 4, 7),
                                   ground="61", text="责令依法履行监护职责", order=number)  # fmt: skip
    sid = records.record_guidance(register, PROSECUTOR, TODAY, register.ref(m["A2"].number),
                                  guardians=["安大山", "李小红"], on_date=D(2026, 4, 10),
                                  form="线下", content="亲子沟通", order=number)  # fmt: skip
    with pytest.raises(UserError, match="不是对这名未成年人制发的"):
        records.record_guidance(register, PROSECUTOR, TODAY, register.ref(m["A1"].number),
                                guardians=["安大山"], on_date=D(2026, 4, 10), form="线上",
                                content="x", order=number)  # fmt: skip
    with pytest.raises(UserError, match="指导形式"):
        records.record_guidance(register, PROSECUTOR, TODAY, register.ref(m["A2"].number),
                                guardians=["安大山"], on_date=D(2026, 4, 10), form="电话",
                                content="x")  # fmt: skip
    actions = [e["action"] for e in audit.query(register.store)]
    for action in ("issue_guardianship_order", "render_guardianship_order",
                   "follow_up_guardianship_order", "reprimand_guardian",
                   "record_guidance_session"):  # fmt: skip
        assert action in actions
    for table in ("order_follow_ups", "guardian_reprimands", "guidance_sessions"):
        with register.store.begin() as conn, pytest.raises(Exception, match="append-only"):
            conn.execute(text(f"DELETE FROM {table}"))
    with register.store.connect() as conn:
        entries = own_records(conn, m["A2"].number)["guardianship"]
    assert [(e.on, e.kind) for e in entries] == [
        (D(2025, 12, 31), "督促监护令"),
        (D(2026, 2, 2), "督促监护令回访"),
        (D(2026, 4, 3), "督促监护令回访"),
        (D(2026, 4, 7), "训诫"),
        (D(2026, 4, 10), "家庭教育指导"),
    ]
    assert "更正：已按时回家" in entries[2].summary
    assert all(m["A2"].number not in e.summary for e in entries)
    assert rid and sid


def test_who_may_do_what(county) -> None:  # type: ignore[no-untyped-def]
    register, m = county
    issued = issue(register, m["A1"], D(2026, 11, 2))
    assert orders.list_orders(register, CHIEF, TODAY)[0]["number"] == issued.number
    for who in (CHIEF, HELPER, OTHER):
        with pytest.raises(UserError) as e:
            orders.issue_order(register, who, TODAY, register.ref(m["A2"].number),
                               guardian="甲", relation="父亲", facts=["x"], items=["y"])  # fmt: skip
        assert e.value.code == "forbidden"
    for who in (HELPER, OTHER):
        with pytest.raises(UserError) as e:
            orders.list_orders(register, who, TODAY)
        assert e.value.code == "forbidden"
    with pytest.raises(UserError) as e:
        orders.record_follow_up(register, CHIEF, issued.number, TODAY, on_date=TODAY,
                                outcome="监护到位", note="")  # fmt: skip
    assert e.value.code == "forbidden"
    with register.store.connect() as conn:
        assert conn.execute(select(guardianship_orders.c.actor)).scalars().all() == ["张检察官"]


def test_the_statistics_add_guidance_to_visits_without_counting_a_day_twice(
    county, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    register, m = county
    send(register.ws, "minor_visits", [
        {"公民身份号码": m["A2"].number, "走访日期": "2026-04-10", "走访对象": "家庭",
         "走访人": "安二的帮扶人", "帮扶措施": "家庭教育指导"},
    ], tmp_path / "visits")  # fmt: skip
    service.forget()
    ref = register.ref(m["A2"].number)
    for day, guardians in ((D(2026, 4, 10), ["安大山", "李小红"]), (D(2026, 4, 12), ["安大山"])):
        records.record_guidance(register, PROSECUTOR, TODAY, ref, guardians=guardians,
                                on_date=day, form="线下", content="亲子沟通")  # fmt: skip
    first = issue(register, m["A2"], D(2025, 12, 31))
    issue(register, m["A1"], D(2026, 3, 2))
    orders.record_follow_up(register, PROSECUTOR, first.number, TODAY, on_date=D(2026, 2, 2),
                            outcome="监护到位", note="")  # fmt: skip
    orders.record_follow_up(register, PROSECUTOR, first.number, TODAY, on_date=D(2026, 4, 1),
                            outcome="监护到位", note="")  # fmt: skip
    stats = statistics.compute(register, HEAD, D(2026, 1, 1), D(2026, 6, 30), TODAY)
    total = next(r for r in stats.tables["town"] if r["key"] == TOTAL)
    # 4-10: a visit and a session with two guardians, one 人次; 4-12: one more
    assert total["family_education"] == 2
    # the order of 2025-12-31 is outside the period; its first visit (due 2-2) was on time,
    # its second (due 3-31) late; the order of 3-2's first visit (due 4-2) was never recorded
    assert (total["guardianship_orders"], total["guardianship_follow_ups_on_time"]) == (1, 1)
    months = {r["key"]: r for r in stats.tables["month"]}
    assert months["2026-02"]["guardianship_follow_ups_on_time"] == 1
    assert months["2026-03"]["guardianship_orders"] == 1
    # A new record is counted at once: the kept answer is not reused.
    records.record_guidance(register, PROSECUTOR, TODAY, ref, guardians=["安大山"],
                            on_date=D(2026, 5, 6), form="线上", content="回访后指导")  # fmt: skip
    again = statistics.compute(register, HEAD, D(2026, 1, 1), D(2026, 6, 30), TODAY)
    assert next(r for r in again.tables["town"] if r["key"] == TOTAL)["family_education"] == 3


def test_concurrent_issues_take_consecutive_numbers_on_postgresql(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pg_url: str
) -> None:
    monkeypatch.setenv("SHUJIAN_STORE_URL", pg_url)
    ws = init_workspace(tmp_path / "ws")
    m = build(ws, tmp_path / "files")
    register = Register(configure(ws))
    keys = ["A1", "A2", "A3", "A4", "B1", "B2"]
    refs = {k: register.ref(m[k].number) for k in keys}  # resolved before the threads start
    barrier = threading.Barrier(len(keys))
    numbers: list[str] = []
    failures: list[BaseException] = []

    def one(key: str) -> None:
        try:
            barrier.wait()
            issued = orders.issue_order(
                Register(register.ws), PROSECUTOR, TODAY, refs[key], guardian="家长",
                relation="母亲", facts=["疏于管教。"], items=["加强管教。"], on_date=D(2026, 11, 2),
            )  # fmt: skip
            numbers.append(issued.number)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=one, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert sorted(numbers) == sorted(f"青检未督监〔2026〕{n}号" for n in range(1, 7))
    with register.store.connect() as conn:
        rows = conn.execute(
            select(guardianship_orders.c.number, guardianship_orders.c.document_sha256)
        ).all()
    assert len(rows) == 6 and all(r.document_sha256 for r in rows)


def test_a_file_that_could_not_be_written_keeps_its_number_and_is_rendered_later(county) -> None:  # type: ignore[no-untyped-def]
    register, m = county
    blocked = register.ws.documents_dir / "2026"
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_text("not a folder", encoding="utf-8")
    with pytest.raises(UserError, match="已制发并编号，但文书未能生成") as e:
        issue(register, m["A1"], D(2026, 11, 2))
    assert e.value.code == "document_not_rendered"
    shown = orders.get_order(register, CHIEF, "青检未督监〔2026〕1号", TODAY)
    assert not shown["rendered"] and shown["render_error"]
    with pytest.raises(UserError) as e:
        orders.render_again(register, CHIEF, "青检未督监〔2026〕1号", register.ws.root / "x.docx")
    assert e.value.code == "document_not_rendered"
    blocked.unlink()
    path = orders.render_issued(register, PROSECUTOR, "青检未督监〔2026〕1号")
    assert docx.Document(str(path)).paragraphs[2].text == "青检未督监〔2026〕1号"
    assert issue(register, m["A2"], D(2026, 11, 3)).number == "青检未督监〔2026〕2号"
