"""Document kinds and their numbers: declared kinds, one series per kind, and a document rendered
after the transaction that took its number — on real SQLite and PostgreSQL stores."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from helpers import LIBRARY, lead_copies, numbered_by_counter, person
from shujian.cases.documents import kinds as kinds_module
from shujian.cases.documents.kinds import document_kind, load_document_kinds, parse_kinds
from shujian.cases.documents.recommendation import TEMPLATES_DIR
from shujian.cases.numbering import format_number, next_seq
from shujian.cases.recommendations import (
    DocumentNotRendered,
    issue_recommendation,
    list_recommendations,
    render_issued,
)
from shujian.cases.service import get_case, history, open_case, transition
from shujian.cases.store import document_counters
from shujian.errors import UserError
from shujian.workspace import Region, Workspace, init_workspace

# The module the declared renderer name imports (tests/ is on the path), not a second copy.
PROBE = importlib.import_module("cases.render_probe").PROBE

D = dt.date
PROSECUTOR = person("张检察官", "公益诉讼检察部")
PROCURATORATE = "青岚县人民检察院"

TWO_KINDS = """
recommendation:
  label: 检察建议书
  number: "{abbr}检{dept}建〔{year}〕{seq}号"
  templates: %(templates)s
  workspace_templates: "."
  renderer: shujian.cases.documents.recommendation:render_recommendation
guardianship_order:
  label: 督促监护令
  number: "{abbr}检{dept}督〔{year}〕{seq}号"
  templates: %(templates)s
  renderer: shujian.cases.documents.recommendation:render_recommendation
"""


def two_kinds(tmp_path: Path, renderer: str | None = None) -> Path:
    text = TWO_KINDS % {"templates": TEMPLATES_DIR}
    if renderer:
        text = text.replace(
            "shujian.cases.documents.recommendation:render_recommendation", renderer, 1
        )
    path = tmp_path / "kinds.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def workspace_at(tmp_path: Path) -> Workspace:
    region = Region("贵州省", "六盘水市", "青岚县", "520203", PROCURATORATE, "青")
    return numbered_by_counter(init_workspace(tmp_path / "ws", region=region))


def cases_in_investigation(ws: Workspace, tmp_path: Path, n: int) -> list[int]:
    """`n` cases in 调查核实, each from its own copy of one campus.internet_cafe lead."""
    copies = lead_copies(ws, tmp_path / "data", n)
    out = []
    for lead_id in copies:
        case_id = open_case(
            ws.store,
            [lead_id],
            "公益诉讼检察部",
            PROSECUTOR.name,
            PROSECUTOR,
            "成案",
            D(2026, 3, 2),
        )
        transition(ws.store, case_id, "investigate", PROSECUTOR, "", D(2026, 3, 2))
        out.append(case_id)
    return out


# -- the declaration -------------------------------------------------------------------------


def test_the_recommendation_is_a_declared_kind_with_its_number_pattern():
    kind = document_kind("检察建议书")
    assert kind.id == "recommendation" and kind.templates == TEMPLATES_DIR
    assert format_number(kind, "青", "行公", 2026, 3) == "青检行公建〔2026〕3号"
    assert kind.template_dirs(Path("/ws/templates")) == (Path("/ws/templates"), TEMPLATES_DIR)
    order = document_kind("督促监护令")
    assert order.id == "guardianship_order"
    assert format_number(order, "青", "", 2026, 3) == "青检未督监〔2026〕3号"
    opinion = document_kind("支持起诉意见书")
    assert opinion.id == "support_prosecution_opinion"
    assert format_number(opinion, "青", "民", 2026, 3) == "青检民支〔2026〕3号"
    with pytest.raises(UserError, match="未知的文书种类“信访答复书”") as e:
        document_kind("信访答复书")
    assert e.value.code == "unknown_document_kind"


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("{abbr}检{dept}建〔{year}〕{n}号", "unknown placeholder"),
        ("{abbr}检{dept}建〔{year}〕号", "needs {year} and {seq}"),
        ("{abbr}检{dept}建{seq}号", "needs {year} and {seq}"),
    ],
)
def test_a_number_pattern_that_could_repeat_or_not_fill_is_refused(number, message):
    raw = {"x": {"label": "某书", "number": number, "templates": "t", "renderer": "m:f"}}
    with pytest.raises(ValueError, match=message):
        parse_kinds(raw, Path("."))


def test_a_second_kind_has_its_own_folder_inside_the_workspace_templates(tmp_path):
    kinds = load_document_kinds(two_kinds(tmp_path))
    order = kinds["guardianship_order"]
    assert order.number("青", "未", 2026, 1) == "青检未督〔2026〕1号"
    own = order.template_dirs(tmp_path / "templates")[0]
    assert own == tmp_path / "templates" / "guardianship_order"


# -- one series per kind ---------------------------------------------------------------------


def test_two_kinds_in_the_same_procuratorate_category_and_year_number_independently(tmp_path):
    ws = workspace_at(tmp_path)
    kinds = load_document_kinds(two_kinds(tmp_path))
    with ws.store.begin() as conn:
        taken = [
            (k, next_seq(conn, kinds[k], PROCURATORATE, "juvenile", 2026))
            for k in ("recommendation", "guardianship_order", "guardianship_order",
                      "recommendation", "guardianship_order")
        ]  # fmt: skip
        # another year and another category start their own series
        assert next_seq(conn, kinds["guardianship_order"], PROCURATORATE, "juvenile", 2027) == 1
        assert next_seq(conn, kinds["guardianship_order"], PROCURATORATE, "civil", 2026) == 1
    assert taken == [
        ("recommendation", 1), ("guardianship_order", 1), ("guardianship_order", 2),
        ("recommendation", 2), ("guardianship_order", 3),
    ]  # fmt: skip


def test_two_kinds_have_no_gap_and_no_duplicate_under_concurrent_issue_on_postgresql(
    tmp_path, pg_url, monkeypatch
):
    """Six 检察建议书 issued through the service and six 督促监护令 numbers taken from the same
    procuratorate, category and year, all at the same moment from twelve threads."""
    monkeypatch.setenv("SHUJIAN_STORE_URL", pg_url)
    ws = workspace_at(tmp_path)
    assert ws.store.dialect.name == "postgresql"
    order = load_document_kinds(two_kinds(tmp_path))["guardianship_order"]
    case_ids = cases_in_investigation(ws, tmp_path, 6)
    barrier = threading.Barrier(12)
    issued: list[str] = []
    orders: list[int] = []
    errors: list[BaseException] = []

    def issue(case_id: int) -> None:
        barrier.wait()
        try:
            number = issue_recommendation(
                ws, LIBRARY, case_id, person(f"检察官{case_id}"), D(2026, 3, 3), "某局"
            ).number
            issued.append(number)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def take_order() -> None:
        barrier.wait()
        try:
            with ws.store.begin() as conn:
                seq = next_seq(conn, order, PROCURATORATE, "public_interest", 2026)
                time.sleep(0.05)  # hold the lock a little, as an issuing transaction would
            orders.append(seq)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=issue, args=(c,)) for c in case_ids]
    threads += [threading.Thread(target=take_order) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(issued) == sorted(f"青检行公建〔2026〕{i}号" for i in range(1, 7))
    assert sorted(orders) == list(range(1, 7))
    with ws.store.connect() as conn:
        counters = {
            r.kind: r.last
            for r in conn.execute(
                select(document_counters).where(document_counters.c.category == "public_interest")
            )
        }
    assert counters == {"recommendation": 6, "guardianship_order": 6}
    for rec in list_recommendations(ws.store):  # every file written and recorded
        path = ws.root / rec["document"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == rec["document_sha256"]


# -- rendering after the number is taken -----------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_counter_is_not_locked_while_the_document_is_rendered(
    backend, tmp_path, request, monkeypatch
):
    if backend == "postgresql":
        monkeypatch.setenv("SHUJIAN_STORE_URL", request.getfixturevalue("pg_url"))
    ws = workspace_at(tmp_path)
    (case_id,) = cases_in_investigation(ws, tmp_path, 1)
    path = two_kinds(tmp_path, "cases.render_probe:render_while_another_takes_a_number")
    monkeypatch.setattr(kinds_module, "KINDS_FILE", path)
    PROBE.clear()
    PROBE.update(
        engine=ws.store,
        kind=document_kind("recommendation"),
        procuratorate=PROCURATORATE,
        category="public_interest",
        year=2026,
    )
    issued = issue_recommendation(ws, LIBRARY, case_id, PROSECUTOR, D(2026, 3, 3), "某局")
    assert issued.number == "青检行公建〔2026〕1号"
    # while the document was rendered, another user could take the next number at once
    assert PROBE["taken"] == 2
    assert issued.document.is_file()


def test_a_failed_rendering_keeps_the_number_shows_the_failure_and_can_be_rendered_again(
    tmp_path,
):
    ws = workspace_at(tmp_path)
    first, second = cases_in_investigation(ws, tmp_path, 2)
    ws.documents_dir.mkdir(parents=True, exist_ok=True)
    blocker = ws.documents_dir / "2026"
    blocker.write_text("not a folder", encoding="utf-8")  # the year's folder cannot be made

    with pytest.raises(DocumentNotRendered) as e:
        issue_recommendation(ws, LIBRARY, first, PROSECUTOR, D(2026, 3, 3), "某局")
    assert e.value.number == "青检行公建〔2026〕1号"
    assert e.value.code == "document_not_rendered"
    assert "已制发并编号，但文书未能生成" in e.value.message
    assert "shujian" not in e.value.message  # the command line adds its own hint
    # the issue stands: the case moved, the number and content are recorded, the failure visible
    assert get_case(ws.store, first, PROSECUTOR)["state"] == "recommendation_drafted"
    assert history(ws.store, first, PROSECUTOR)[-1]["action"] == "draft_recommendation"
    (rec,) = list_recommendations(ws.store)
    assert rec["number"] == "青检行公建〔2026〕1号" and rec["document_sha256"] is None
    assert "FileExistsError" in rec["render_error"]
    assert not list(ws.documents_dir.rglob("*.part"))  # no half-written file left behind

    # the next issue takes the next number: no gap, no reuse
    blocker.unlink()
    assert (
        issue_recommendation(ws, LIBRARY, second, PROSECUTOR, D(2026, 3, 4), "某局").number
        == "青检行公建〔2026〕2号"
    )
    out = render_issued(
        ws, "青检行公建〔2026〕1号", person("李部长", "公益诉讼检察部", "department_head")
    )
    assert out == ws.root / rec["document"] and out.is_file()
    (rec, _) = list_recommendations(ws.store)
    assert rec["render_error"] is None
    assert rec["document_sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    with pytest.raises(UserError, match="的文书已生成") as again:
        render_issued(
            ws, "青检行公建〔2026〕1号", person("李部长", "公益诉讼检察部", "department_head")
        )
    assert again.value.code == "document_already_rendered"
    with pytest.raises(UserError, match="找不到文号"):
        render_issued(
            ws, "青检行公建〔2026〕9号", person("李部长", "公益诉讼检察部", "department_head")
        )
