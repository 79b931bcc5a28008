"""Each forgery an insider with write access to the case store could make, made for real (raw
SQL on the store, the document file edited on disk) on a workspace built through the real
commands, and named by `shujian audit verify`: the table, the row, what differs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from helpers import write_fixture_csvs
from shujian.cli.main import cli
from tamper.forging import SPOILS, forge, problems, scalar, shujian, spoil

NUMBER = "青检行公建〔2026〕1号"
DOCUMENT = f"documents/2026/{NUMBER}.docx"


def build(root: Path, data: Path) -> Path:
    """A workspace as a procuratorate uses it: leads found by a run, one dispatched, one
    dismissed, one accepted into a case that issued a 检察建议书 (its .docx rendered) and filed
    it, the case moved on — every step through the commands."""
    init = ["init", str(root), "--county", "青岚县", "--procuratorate", "青岚县人民检察院"]
    assert CliRunner().invoke(cli, init).exit_code == 0
    data.mkdir(parents=True, exist_ok=True)
    for dataset, path in write_fixture_csvs("campus.internet_cafe", data).items():
        shujian(root, "import", dataset, str(path), "--agency", "青岚县教育局")
    shujian(root, "run", "campus.internet_cafe", "--as-of", "2026-06-01")
    first, second = re.findall(r"^\s+(\d+)\s+待研判", shujian(root, "leads", "list").output, re.M)
    shujian(root, "leads", "dispatch", f"{first}-{second}", "--department", "公益诉讼检察部",
            "--prosecutor", "张检察官", user="李部长")  # fmt: skip
    shujian(root, "leads", "dismiss", second, "--reason", "其他", "--note", "学校已迁址")
    shujian(root, "leads", "accept", first, "--department", "公益诉讼检察部",
            "--prosecutor", "张检察官", "--reason", "网吧距学校不足200米",
            "--on", "2026-03-02")  # fmt: skip
    shujian(root, "cases", "act", "1", "investigate", "--on", "2026-03-03")
    shujian(root, "cases", "recommend", "1", "--recipient", "青岚县文化广电旅游局",
            "--category", "公益诉讼", "--item", "依法查处该网吧。", "--on", "2026-03-20",
            "--number", NUMBER)  # fmt: skip
    shujian(root, "cases", "file", NUMBER, "--to", "六盘水市人民检察院公益诉讼检察部",
            "--on", "2026-03-24")  # fmt: skip
    shujian(root, "cases", "act", "1", "送达检察建议书", "--set", "送达方式=宣告送达",
            "--on", "2026-03-23")  # fmt: skip
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("built")
    return build(base / "ws", base / "data")


@pytest.fixture
def ws(built: Path, tmp_path: Path) -> Path:
    """A copy of the built workspace for one forgery (SQLite: the store is a file in it)."""
    return Path(shutil.copytree(built, tmp_path / "ws"))


def test_an_untampered_workspace_verifies_clean(ws: Path) -> None:
    out = shujian(ws, "audit", "verify", user="管理员").output
    assert "审计日志完整" in out
    events = scalar(ws, "SELECT count(*) FROM case_events")
    leads = scalar(ws, "SELECT count(*) FROM leads")
    assert (
        f"数据与审计记录一致：线索 {leads} 条、案件 1 条、办案记录 {events} 条、检察建议书 1 条；"
        "文书文件 1 份" in out
    )
    assert "说明" not in out  # a workspace made by this version has no unproven history


def test_a_lead_s_evidence_edited_in_the_store_is_named(ws: Path) -> None:
    lead = scalar(ws, "SELECT min(id) FROM leads")
    forge(ws, f"UPDATE leads SET evidence = json_set(evidence, '$[0].distance_m', '距学校仅35米') "
              f"WHERE id = {lead}")  # fmt: skip
    (found,) = problems(ws)
    assert re.fullmatch(
        rf"线索 #{lead}（表 leads）的证据与审计记录（变更记录链第 \d+ 条）不符（被直接改动）。",
        found,
    )


def test_a_lead_s_title_edited_and_a_lead_deleted_and_inserted_are_each_named(ws: Path) -> None:
    first, last = scalar(ws, "SELECT min(id) FROM leads"), scalar(ws, "SELECT max(id) FROM leads")
    forge(
        ws,
        f"UPDATE leads SET title = '已注销网吧距第一小学仅35米' WHERE id = {first}",
        "INSERT INTO leads (model_id, subject, title, status, active, evidence, evidence_hash, "
        "evidence_rows, parameters, batches, first_run_id, last_run_id, created_at, updated_at) "
        "VALUES ('campus.internet_cafe', '伪造网吧', '伪造线索', 'new', 1, '[]', 'x', 1, '{}', "
        "'{}', 1, 1, '2026-06-01', '2026-06-01')",
        f"DELETE FROM lead_events WHERE lead_id = {last}",
        f"DELETE FROM case_leads WHERE lead_id = {last}",
        f"DELETE FROM leads WHERE id = {last}",
    )
    found = problems(ws)
    assert f"线索 #{first}（表 leads）的标题与审计记录" in found[0]
    assert found[1] == f"线索 #{last + 1}（表 leads）没有审计记录（被直接插入数据库）。"
    assert found[2].startswith(f"线索 #{last}（表 leads）已不在库中，而审计记录有它")
    assert "被直接删除" in found[2] and len(found) == 3


def test_a_case_s_state_changed_in_the_store_is_named(ws: Path) -> None:
    forge(ws, "UPDATE cases SET state = 'closed', deadline_due = NULL WHERE id = 1")
    (found,) = problems(ws)
    assert found.startswith("案件 #1（表 cases）的办理状态、期限届满日与审计记录")


def test_a_recommendation_changed_or_deleted_in_the_store_is_named(ws: Path) -> None:
    forge(ws, "UPDATE recommendations SET recipient = '某公司', filed_on = NULL")
    (found,) = problems(ws)
    assert found.startswith(
        f"检察建议书 {NUMBER}（#1）（表 recommendations）的被建议单位、备案日期"
    )
    forge(ws, "DELETE FROM recommendations")
    (found,) = problems(ws)
    assert found.startswith("检察建议书 #1（表 recommendations）已不在库中")
    assert "制发检察建议书 案件 1" in found or "报上一级院备案 案件 1" in found


def test_the_last_case_event_deleted_is_named_with_its_case(ws: Path) -> None:
    last = scalar(ws, "SELECT max(id) FROM case_events")
    forge(ws, f"DELETE FROM case_events WHERE id = {last}")
    (found,) = problems(ws)
    assert found == (
        f"办案记录 #{last}（表 case_events）已不在库中，而审计记录有它（最后记于变更记录链第 "
        f"{scalar(ws, 'SELECT max(seq) FROM audit_log')} 条，案件流转 案件 1）：被直接删除。"
    )


@pytest.mark.parametrize("how", SPOILS)
def test_a_stored_document_file_edited_replaced_or_deleted_is_named(ws: Path, how: str) -> None:
    spoil(ws / DOCUMENT, how)
    (found,) = problems(ws)
    if how == "deleted":
        assert found == f"检察建议书 {NUMBER}（#1）的文书文件 {DOCUMENT} 已不存在（被删除或移走）。"
    else:
        assert found.startswith(
            f"检察建议书 {NUMBER}（#1）的文书文件 {DOCUMENT} 与写入时记录的 SHA-256 不符"
        )
        assert found.endswith("文件被改动或替换。")


def test_a_recorded_document_hash_rewritten_to_match_a_replaced_file_is_named(ws: Path) -> None:
    import hashlib

    forged = b"PK\x03\x04 another document"
    (ws / DOCUMENT).write_bytes(forged)
    forge(
        ws, f"UPDATE recommendations SET document_sha256 = '{hashlib.sha256(forged).hexdigest()}'"
    )
    (found,) = problems(ws)
    assert found.startswith(
        f"检察建议书 {NUMBER}（#1）（表 recommendations）的文书文件 SHA-256与审计记录"
    )


def test_the_records_themselves_forged_are_named_by_their_change_entry(ws: Path) -> None:
    lead = scalar(ws, "SELECT min(id) FROM leads")
    seq = scalar(
        ws, f"SELECT max(seq) FROM state_digests WHERE kind = 'lead' AND object_id = {lead}"
    )
    forge(ws, f"UPDATE leads SET title = '伪造' WHERE id = {lead}",
              f"UPDATE state_digests SET digest = 'x' || substr(digest, 2) "
              f"WHERE kind = 'lead' AND object_id = {lead} AND seq = {seq}")  # fmt: skip
    found = problems(ws)
    assert found[0].startswith(f"变更记录链第 {seq} 条记录登记了")
    assert "与登记不符（摘要被改动或删除）" in found[0]


def test_a_forged_lead_survives_no_run_unnamed(ws: Path) -> None:
    """The evidence of the dismissed lead forged, its digest left: the next run finds the same
    facts and keeps the lead suppressed — verify still names the forged evidence after the run
    (the run records only the columns it wrote, never the forged one as its own)."""
    lead = scalar(ws, "SELECT min(id) FROM leads WHERE status = 'dismissed'")
    forge(ws, f"UPDATE leads SET evidence = json_set(evidence, '$[0].distance_m', '距学校仅35米') "
              f"WHERE id = {lead}")  # fmt: skip
    shujian(ws, "run", "campus.internet_cafe", "--as-of", "2026-06-02")
    (found,) = problems(ws)
    assert found.startswith(f"线索 #{lead}（表 leads）的证据与审计记录")


def test_a_cut_tail_with_its_head_rewritten_is_caught_only_against_an_earlier_anchor(
    ws: Path, tmp_path: Path
) -> None:
    """The last change (an import, which writes no tracked row) deleted and the head rewritten
    to the entry before it: nothing inside the store contradicts that — an anchor taken before
    the cut does."""
    data = tmp_path / "again"
    data.mkdir()
    schools = write_fixture_csvs("campus.internet_cafe", data, "gb18030")["schools"]
    shujian(ws, "import", "schools", str(schools), "--agency", "青岚县教育局")
    anchor = tmp_path / "锚点.txt"
    shujian(ws, "audit", "anchor", "--output", str(anchor), user="管理员")
    paper = anchor.read_text(encoding="utf-8")
    assert paper.startswith("数检审计锚点") and "变更记录链  第 " in paper
    head = scalar(ws, "SELECT seq FROM audit_head WHERE id = 1")
    forge(
        ws,
        f"DELETE FROM audit_log WHERE seq = {head}",
        f"UPDATE audit_head SET seq = {head - 1}, hash = (SELECT hash FROM audit_log "
        f"WHERE seq = {head - 1}) WHERE id = 1",
    )
    assert "审计日志完整" in shujian(ws, "audit", "verify", user="管理员").output
    cut = (
        f"锚点记下的变更记录链第 {head} 条记录已不存在：记录链在锚点之后被截断"
        "（末尾的记录被删除，头记录被改写）。"
    )
    assert problems(ws, "--anchor", str(anchor)) == [cut]
    # the anchor typed back from paper: the change chain's line alone is enough
    line = next(x for x in paper.splitlines() if x.startswith("变更记录链"))
    assert problems(ws, "--anchor", line) == [cut]


def test_an_anchor_that_holds_verifies_and_one_unreadable_is_refused_in_chinese(
    ws: Path, tmp_path: Path
) -> None:
    printed = shujian(ws, "audit", "anchor", user="管理员").output
    out = shujian(ws, "audit", "verify", "--anchor", printed, user="管理员").output
    assert "与锚点一致：锚点记下的 2 条记录均在，哈希相同。" in out
    garbage = tmp_path / "锚点.txt"
    garbage.write_text("变更记录链 第 3 条", encoding="utf-8")
    refused = shujian(ws, "audit", "verify", "--anchor", str(garbage), user="管理员", code=2)
    assert "锚点中没有可核对的内容" in refused.output
    missing = shujian(
        ws, "audit", "verify", "--anchor", str(tmp_path / "无"), user="管理员", code=2
    )
    assert "不存在" in missing.output
    shujian(ws, "audit", "anchor", "--output", str(garbage), user="管理员", code=2)


def test_forgeries_on_a_postgresql_store_are_named_the_same_way(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHUJIAN_STORE_URL", pg_url)
    ws = build(tmp_path / "ws", tmp_path / "data")
    assert "数据与审计记录一致" in shujian(ws, "audit", "verify", user="管理员").output
    engine = create_engine(pg_url)
    try:
        with engine.begin() as conn:
            lead = conn.execute(text("SELECT min(id) FROM leads")).scalar_one()
            last = conn.execute(text("SELECT max(id) FROM case_events")).scalar_one()
            conn.execute(text("ALTER TABLE case_events DISABLE TRIGGER USER"))
            conn.execute(
                text("UPDATE leads SET evidence = CAST(:e AS json) WHERE id = :i"),
                {"e": '[{"distance_m": "距学校仅35米"}]', "i": lead},
            )
            conn.execute(text("DELETE FROM case_events WHERE id = :i"), {"i": last})
    finally:
        engine.dispose()
    found = problems(ws)
    assert found[0].startswith(f"线索 #{lead}（表 leads）的证据与审计记录")
    assert found[1].startswith(f"办案记录 #{last}（表 case_events）已不在库中")
    assert len(found) == 2
