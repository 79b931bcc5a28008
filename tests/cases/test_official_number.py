"""The official 文号: entered from the 统一业务应用系统 by default (检察建议工作规定 art. 7), checked
for form and uniqueness, or — where a procuratorate chooses it — taken from the platform's
counter, whose numbers never run against their dates. Real stores, SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from helpers import COUNTER_NUMBERING, investigated_cases, numbered_by_counter, person
from helpers import LIBRARY as LIB
from shujian import audit
from shujian.cases.numbering import parse_entered_number
from shujian.cases.recommendations import issue_recommendation, list_recommendations
from shujian.cases.service import get_case, history
from shujian.cases.store import document_counters, recommendations
from shujian.cli.main import cli
from shujian.errors import UserError
from shujian.workspace import CONFIG_NAME, Region, Workspace, init_workspace, open_workspace

D = dt.date
PROSECUTOR = person("张检察官", "公益诉讼检察部")
ISSUED_ON = D(2026, 3, 3)
EXAMPLE = "青检行公建〔2026〕3号"


def workspace_at(tmp_path: Path) -> Workspace:
    region = Region("贵州省", "六盘水市", "青岚县", "520203", "青岚县人民检察院", "青")
    return init_workspace(tmp_path / "ws", region=region)


def issue(ws: Workspace, case_id: int, on: dt.date = ISSUED_ON, **kwargs):  # type: ignore[no-untyped-def]
    return issue_recommendation(ws, LIB, case_id, PROSECUTOR, on, "某局", **kwargs)


def state(ws: Workspace, case_id: int) -> str:
    return str(get_case(ws.store, case_id, PROSECUTOR)["state"])


# -- the form of an entered number -------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("青检行公建〔2026〕3号", "青检行公建〔2026〕3号"),
        ("青检建〔2026〕3号", "青检建〔2026〕3号"),  # no department code
        ("黔南检公建〔2026〕12号", "黔南检公建〔2026〕12号"),  # the unified system's codes
        ("六检未建〔2026〕105号", "六检未建〔2026〕105号"),
        ("青检行公建[2026]3号", "青检行公建〔2026〕3号"),
        ("青检行公建［2026］3号", "青检行公建〔2026〕3号"),
        ("青检行公建(2026)3号", "青检行公建〔2026〕3号"),
        ("青检行公建（2026）3号", "青检行公建〔2026〕3号"),
        ("青检行公建﹝2026﹞3号", "青检行公建〔2026〕3号"),
        ("青检行公建【2026】3号", "青检行公建〔2026〕3号"),
        ("青检行公建 〔 2026 〕 3号", "青检行公建〔2026〕3号"),
        ("  青检行公建〔2026〕3号\n", "青检行公建〔2026〕3号"),
        ("青检行公建（2026〕3号", "青检行公建〔2026〕3号"),  # mixed halves of a typed pair
        ("青检行公建\u3000〔2026〕\u30003号", "青检行公建〔2026〕3号"),  # full-width spaces
        ("青检行公建〔２０２６〕３号", "青检行公建〔2026〕3号"),  # full-width digits
    ],
)  # fmt: skip
def test_an_entered_number_in_a_typed_variant_is_written_with_its_brackets(typed, written):
    entered = parse_entered_number(typed, 2026, EXAMPLE)
    assert entered.number == written
    assert entered.year == 2026


def test_an_entered_number_is_read_into_its_parts():
    entered = parse_entered_number("黔南检公建〔2026〕12号", 2026, EXAMPLE)
    assert (entered.agency, entered.department, entered.seq) == ("黔南", "公", 12)
    assert parse_entered_number("青检建〔2026〕3号", 2026, EXAMPLE).department == ""


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("", "文号为空"),
        ("   ", "文号为空"),
        ("青检行公建〔2025〕3号", "年份 2025 与制发日期的年份 2026 不一致"),
        ("青检行公建〔2027〕3号", "年份 2027 与制发日期的年份 2026 不一致"),
        ("青检行公建〔2026〕03号", "序号“03”应为正整数，不以 0 开头"),
        ("青检行公建〔2026〕0号", "序号“0”应为正整数"),
        ("青检行公建〔2026〕3", "应以“号”结尾"),
        ("青检行公建〔2026〕3號", "应以“号”结尾"),
        ("青检行公建〔2026〕-3号", "代字应为汉字"),
        ("青检行公建〔2026〕三号", "代字应为汉字"),
        ("青检行公建〔26〕3号", "年份应为四位数字"),
        ("青检行公建2026年3号", "年份应为四位数字"),
        ("青检行公建〔2026〕第3号", "代字应为汉字"),
        ("青行公建〔2026〕3号", "缺少“检”字或“建”字"),
        ("青检行公诉〔2026〕3号", "缺少“检”字或“建”字"),
        ("青检行公督〔2026〕3号", "缺少“检”字或“建”字"),
        ("检行公建〔2026〕3号", "“检”字前应有机关代字"),
        ("QJ检行公建〔2026〕3号", "代字应为汉字"),
        ("青检行公建〔2026〕3号〔2026〕4号", "代字应为汉字"),
        ("青检-行公建〔2026〕3号", "代字应为汉字"),
        ("青检行公建<2026>3号", "年份应为四位数字"),
    ],
)  # fmt: skip
def test_an_entered_number_of_another_form_is_refused_with_an_example(typed, why):
    with pytest.raises(UserError) as refused:
        parse_entered_number(typed, 2026, EXAMPLE)
    assert refused.value.code == "bad_number"
    assert why in refused.value.message
    assert f"例如“{EXAMPLE}”" in refused.value.message


# -- entered (the default) and counter ------------------------------------------------------


def test_by_default_the_number_is_entered_and_issuing_without_one_is_refused(tmp_path):
    ws = workspace_at(tmp_path)
    assert ws.setting("recommendations.numbering") == "entered"
    (case_id,) = investigated_cases(ws, tmp_path / "data", 1)
    with pytest.raises(UserError) as refused:
        issue(ws, case_id)
    assert refused.value.code == "number_required"
    message = refused.value.message
    assert "统一业务应用系统" in message and "第七条" in message
    assert 'numbering = "counter"' in message
    assert state(ws, case_id) == "investigating" and list_recommendations(ws.store) == []

    issued = issue(ws, case_id, number="青检公建[2026]12号")
    assert issued.number == "青检公建〔2026〕12号"
    assert issued.document == ws.documents_dir / "2026" / "青检公建〔2026〕12号.docx"
    (rec,) = list_recommendations(ws.store)
    assert (rec["numbering"], rec["seq"], rec["year"]) == ("entered", 12, 2026)
    assert rec["content"]["number"] == "青检公建〔2026〕12号"
    with ws.store.connect() as conn:  # the counter is not touched by an entered number
        assert conn.execute(select(func.count()).select_from(document_counters)).scalar() == 0
    detail = audit.query(ws.store, object_type="case", object_id=case_id)
    assert any(e["detail"].get("numbering") == "entered" for e in detail)


def test_a_wrongly_formed_number_uses_nothing(tmp_path):
    ws = workspace_at(tmp_path)
    (case_id,) = investigated_cases(ws, tmp_path / "data", 1)
    with pytest.raises(UserError, match="年份 2025 与制发日期的年份 2026 不一致") as refused:
        issue(ws, case_id, number="青检行公建〔2025〕3号")
    # the example is in this workspace's and this category's form
    assert "例如“青检行公建〔2026〕3号”" in refused.value.message
    assert state(ws, case_id) == "investigating" and list_recommendations(ws.store) == []


def test_with_the_counter_an_entered_number_is_refused(tmp_path):
    ws = numbered_by_counter(workspace_at(tmp_path))
    first, second = investigated_cases(ws, tmp_path / "data", 2)
    with pytest.raises(UserError) as refused:
        issue(ws, first, number="青检行公建〔2026〕3号")
    assert refused.value.code == "number_not_allowed"
    assert "混用" in refused.value.message
    assert state(ws, first) == "investigating"
    assert issue(ws, first).number == "青检行公建〔2026〕1号"
    assert issue(ws, second).number == "青检行公建〔2026〕2号"
    assert [r["numbering"] for r in list_recommendations(ws.store)] == ["counter", "counter"]


def test_a_numbering_that_is_neither_is_refused_when_the_file_is_read(tmp_path):
    ws = workspace_at(tmp_path)
    ws.store.dispose()
    config = ws.root / CONFIG_NAME
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[recommendations]\nnumbering = "auto"\n',
        encoding="utf-8",
    )
    with pytest.raises(UserError, match='numbering 只能写 "entered"、"counter"') as refused:
        open_workspace(ws.root)
    assert refused.value.code == "bad_config"


# -- uniqueness ----------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_number_already_used_is_refused_before_the_case_moves(
    backend, tmp_path, request, monkeypatch
):
    if backend == "postgresql":
        monkeypatch.setenv("SHUJIAN_STORE_URL", request.getfixturevalue("pg_url"))
    ws = workspace_at(tmp_path)
    assert ws.store.dialect.name == backend
    first, second, third = investigated_cases(ws, tmp_path / "data", 3)
    issue(ws, first, number="青检行公建〔2026〕3号")
    steps = len(history(ws.store, second, PROSECUTOR))
    with pytest.raises(UserError) as refused:
        issue(
            ws, second, D(2026, 3, 4), number="青检行公建（2026）3号"
        )  # the same, typed otherwise
    assert refused.value.code == "number_taken"
    assert f"已被本院另一份检察建议书使用（案件 {first}，2026-03-03 制发）" in refused.value.message
    assert state(ws, second) == "investigating"
    assert len(history(ws.store, second, PROSECUTOR)) == steps
    assert len(list_recommendations(ws.store)) == 1
    # the same N under other 代字, in the same category and year, is another number
    issue(ws, second, D(2026, 3, 4), number="青检公建〔2026〕3号")
    issue(ws, third, D(2026, 3, 4), number="黔南检行公建〔2026〕3号")
    rows = list_recommendations(ws.store)
    assert [(r["category"], r["year"], r["seq"]) for r in rows] == [
        ("public_interest", 2026, 3)
    ] * 3


def test_two_issuers_racing_for_one_number_on_postgresql_one_wins_the_other_is_refused_whole(
    tmp_path, pg_url, monkeypatch
):
    """Both pass the check before either records; the database's unique number decides, and
    the loser's transaction — its case's step and audit entry — is rolled back whole."""
    monkeypatch.setenv("SHUJIAN_STORE_URL", pg_url)
    ws = workspace_at(tmp_path)
    cases = investigated_cases(ws, tmp_path / "data", 2)
    barrier = threading.Barrier(2)
    won: list[str] = []
    refused: list[UserError] = []
    errors: list[BaseException] = []

    def race(case_id: int) -> None:
        barrier.wait()
        try:
            won.append(issue(ws, case_id, number="青检行公建〔2026〕7号").number)
        except UserError as exc:
            refused.append(exc)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=race, args=(c,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert won == ["青检行公建〔2026〕7号"] and len(refused) == 1
    assert refused[0].code == "number_taken"
    (rec,) = list_recommendations(ws.store)
    loser = next(c for c in cases if c != rec["case_id"])
    assert state(ws, loser) == "investigating"
    assert "draft_recommendation" not in [s["action"] for s in history(ws.store, loser, PROSECUTOR)]
    assert audit.verify(ws.store).ok


def test_a_number_recorded_after_the_check_is_refused_and_rolled_back_on_postgresql(
    tmp_path, pg_url, monkeypatch
):
    """The race made certain: another process records the number after this issue checked it
    and before its insert. The insert waits on the other's uncommitted row, fails on the unique
    number once it commits, and the issue is refused in the same words, leaving no half state."""
    monkeypatch.setenv("SHUJIAN_STORE_URL", pg_url)
    ws = workspace_at(tmp_path)
    first, second = investigated_cases(ws, tmp_path / "data", 2)
    number = "青检行公建〔2026〕8号"
    other = psycopg.connect(pg_url.replace("+psycopg", ""))
    other.execute(
        "INSERT INTO recommendations (case_id, procuratorate, category, year, seq, number, "
        "numbering, recipient, issued_on, content, document, filing_due, actor, created_at) "
        "VALUES (%s, '青岚县人民检察院', 'public_interest', 2026, 8, %s, 'entered', '某局', "
        "'2026-03-03', '{}', 'documents/x.docx', '2026-03-09', '另一检察官', now())",
        (first, number),
    )
    outcome: list[BaseException | str] = []

    def issue_second() -> None:
        try:
            outcome.append(issue(ws, second, number=number).number)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=issue_second)
    thread.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not _waiting_on_a_lock(pg_url):
        time.sleep(0.05)
    assert _waiting_on_a_lock(pg_url), "the issue should wait on the other's row"
    other.commit()
    other.close()
    thread.join()
    (result,) = outcome
    assert isinstance(result, UserError) and result.code == "number_taken", result
    assert f"文号 {number} 已被本院另一份检察建议书使用" in result.message
    assert state(ws, second) == "investigating"
    assert "draft_recommendation" not in [
        s["action"] for s in history(ws.store, second, PROSECUTOR)
    ]
    with ws.store.connect() as conn:
        owners = conn.execute(select(recommendations.c.case_id)).scalars().all()
    assert owners == [first]
    actions = [e["action"] for e in audit.query(ws.store, object_type="case", object_id=second)]
    assert "issue_recommendation" not in actions and audit.verify(ws.store).ok


def _waiting_on_a_lock(pg_url: str) -> bool:
    name = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(pg_url.replace("+psycopg", "")) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
            (name,),
        ).fetchone()
    return bool(row and row[0])


# -- the counter: numbers follow their dates ------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_with_the_counter_a_date_before_the_previous_number_s_is_refused(
    backend, tmp_path, request, monkeypatch
):
    if backend == "postgresql":
        monkeypatch.setenv("SHUJIAN_STORE_URL", request.getfixturevalue("pg_url"))
    ws = numbered_by_counter(workspace_at(tmp_path))
    first, second, third = investigated_cases(ws, tmp_path / "data", 3)
    assert issue(ws, first, D(2026, 3, 5)).number == "青检行公建〔2026〕1号"
    with pytest.raises(UserError) as refused:
        issue(ws, second, D(2026, 3, 4))
    assert refused.value.code == "date_before_previous_number"
    assert "制发日期 2026-03-04 早于本院公益诉讼类已制发的 青检行公建〔2026〕1号（2026-03-05）" in (
        refused.value.message
    )
    assert state(ws, second) == "investigating"
    # the refusal took no number: the next issue, on the same day as 1号, is 2号
    assert issue(ws, second, D(2026, 3, 5)).number == "青检行公建〔2026〕2号"
    assert issue(ws, third, D(2026, 3, 6)).number == "青检行公建〔2026〕3号"


# -- the command line ----------------------------------------------------------------------


def test_the_command_line_takes_the_number_and_says_where_it_comes_from(tmp_path):
    ws = workspace_at(tmp_path)
    first, second = (str(c) for c in investigated_cases(ws, tmp_path / "data", 2))
    ws.store.dispose()

    def shujian(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(cli, ["-w", str(ws.root), "-u", "张检察官", *args])
        assert result.exit_code == code, result.output
        return result.output

    base = ["cases", "recommend", first, "--recipient", "某局", "--on", "2026-03-03"]
    refused = shujian(*base, code=2)
    assert "须填写文号" in refused and "--number 文号" in refused
    assert "例如“青检行公建〔2026〕3号”" in shujian(*base, "--number", "青检行公建2026-3号", code=2)
    out = shujian(*base, "--number", "青检行公建［2026］5号")
    assert "已制发检察建议书 青检行公建〔2026〕5号" in out
    again = ["cases", "recommend", second, "--recipient", "某局", "--on", "2026-03-03"]
    assert "已被本院另一份检察建议书使用" in shujian(
        *again, "--number", "青检行公建〔2026〕5号", code=2
    )
    config = ws.root / CONFIG_NAME
    config.write_text(config.read_text(encoding="utf-8") + COUNTER_NUMBERING, encoding="utf-8")
    assert "混用" in shujian(*again, "--number", "青检行公建〔2026〕6号", code=2)
    assert "已制发检察建议书 青检行公建〔2026〕1号" in shujian(*again)
