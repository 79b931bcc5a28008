"""An issued 检察建议书 is frozen: the same content renders to the same bytes, the wording it was
issued with is kept with it, and re-printing it gives the very document issued — from the archive
when that is intact, else rendered again and checked against the recorded hash, never a different
document. Real stores (SQLite and PostgreSQL) and real rendering."""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from sqlalchemy import update

from helpers import LIBRARY, investigated_cases, person
from shujian.cases.documents import recommendation as renderer_module
from shujian.cases.documents.package import issue_instant, save_docx
from shujian.cases.documents.recommendation import TEMPLATES_DIR
from shujian.cases.recommendations import (
    DocumentNotRendered,
    issue_recommendation,
    list_recommendations,
    render_again,
    render_issued,
)
from shujian.cases.store import recommendations
from shujian.cli.main import cli
from shujian.errors import UserError
from shujian.workspace import Region, Workspace, init_workspace

D = dt.date
PROSECUTOR = person("张检察官", "公益诉讼检察部")
ISSUED_ON = D(2026, 3, 3)
HEAD = person("李部长", "公益诉讼检察部", "department_head")
OLD_CLOSING = "特此建议。"
NEW_CLOSING = "特此建议，请依法办理。"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def text_of(path: Path) -> str:
    return "\n".join(p.text for p in Document(str(path)).paragraphs)


@pytest.fixture(params=["sqlite", "postgresql"])
def ws(request, tmp_path: Path, monkeypatch) -> Workspace:
    if request.param == "postgresql":
        monkeypatch.setenv("SHUJIAN_STORE_URL", request.getfixturevalue("pg_url"))
    region = Region("贵州省", "六盘水市", "青岚县", "520203", "青岚县人民检察院", "青")
    return init_workspace(tmp_path / "ws", region=region)


def issue(ws: Workspace, case_id: int, n: int, on: dt.date = ISSUED_ON):  # type: ignore[no-untyped-def]
    return issue_recommendation(
        ws, LIBRARY, case_id, PROSECUTOR, on, "青岚县文化广电旅游局", number=f"青检行公建〔2026〕{n}号"
    )  # fmt: skip


def recorded_hash(ws: Workspace, number: str) -> str:
    (rec,) = [r for r in list_recommendations(ws.store) if r["number"] == number]
    return str(rec["document_sha256"])


def own_template(ws: Workspace, closing: str) -> Path:
    """The workspace's own copy of the 公益诉讼 template, with another closing sentence."""
    bundled = (TEMPLATES_DIR / "public_interest.yaml").read_text(encoding="utf-8")
    assert f"closing: {OLD_CLOSING}" in bundled
    ws.templates_dir.mkdir(parents=True, exist_ok=True)
    path = ws.templates_dir / "public_interest.yaml"
    path.write_text(bundled.replace(f"closing: {OLD_CLOSING}", f"closing: {closing}"), "utf-8")
    return path


# -- the same content, the same bytes ---------------------------------------------------------


def test_a_saved_document_carries_its_issue_date_not_the_clock(tmp_path):
    doc = Document()
    doc.add_paragraph("检察建议书")
    out = save_docx(doc, tmp_path / "a.docx", D(2026, 3, 3))
    with zipfile.ZipFile(out) as z:
        infos = z.infolist()
        core = z.read("docProps/core.xml").decode()
    names = [i.filename for i in infos]
    assert names[0] == "[Content_Types].xml" and names[1:] == sorted(names[1:])
    assert {i.date_time for i in infos} == {(2026, 3, 3, 0, 0, 0)}
    assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}
    # 00:00 in China is 16:00 UTC the day before
    assert issue_instant(D(2026, 3, 3)) == dt.datetime(2026, 3, 2, 16, tzinfo=dt.UTC)
    assert '<dcterms:created xsi:type="dcterms:W3CDTF">2026-03-02T16:00:00Z' in core
    assert '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-03-02T16:00:00Z' in core
    assert "<cp:revision>1</cp:revision>" in core
    doc2 = Document()
    doc2.add_paragraph("检察建议书")
    save_docx(doc2, tmp_path / "b.docx", D(2026, 3, 3))
    assert (tmp_path / "b.docx").read_bytes() == out.read_bytes()


def test_issuing_then_re_printing_gives_the_same_bytes(ws, tmp_path):
    (case_id,) = investigated_cases(ws, tmp_path / "data", 1)
    issued = issue(ws, case_id, 3)
    recorded = recorded_hash(ws, issued.number)
    assert sha256(issued.document) == recorded
    again = render_again(ws, issued.number, tmp_path / "again.docx", HEAD)
    assert again.archive == "intact" and again.notice == ""
    assert sha256(again.path) == recorded
    # rendered from the stored content, not copied, the bytes are the same too
    issued.document.unlink()
    rendered = render_again(ws, issued.number, tmp_path / "rendered.docx", HEAD)
    assert rendered.archive == "missing" and sha256(rendered.path) == recorded


# -- the wording it was issued with ---------------------------------------------------------


def test_a_template_change_affects_only_later_documents(ws, tmp_path):
    first, second = investigated_cases(ws, tmp_path / "data", 2)
    own_template(ws, OLD_CLOSING)  # the workspace's own copy, as issued
    issued = issue(ws, first, 3)
    recorded = recorded_hash(ws, issued.number)
    (rec,) = list_recommendations(ws.store)
    kept = (ws.templates_dir / "public_interest.yaml").read_text(encoding="utf-8")
    assert rec["template_text"] == kept
    assert rec["template_sha256"] == hashlib.sha256(kept.encode()).hexdigest()

    own_template(ws, NEW_CLOSING)  # the procuratorate edits its wording
    assert sha256(render_again(ws, issued.number, tmp_path / "a.docx", HEAD).path) == recorded
    issued.document.unlink()  # even rendered again, it has the words it was issued with
    again = render_again(ws, issued.number, tmp_path / "b.docx", HEAD)
    assert sha256(again.path) == recorded
    assert OLD_CLOSING in text_of(again.path) and NEW_CLOSING not in text_of(again.path)

    later = issue(ws, second, 4, D(2026, 3, 4))
    assert NEW_CLOSING in text_of(later.document)


def test_a_document_rendered_after_a_failure_has_the_wording_it_was_issued_with(ws, tmp_path):
    (case_id,) = investigated_cases(ws, tmp_path / "data", 1)
    ws.documents_dir.mkdir(parents=True, exist_ok=True)
    blocker = ws.documents_dir / "2026"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(DocumentNotRendered):
        issue(ws, case_id, 3)
    with pytest.raises(UserError) as refused:  # nothing to re-print yet
        render_again(ws, "青检行公建〔2026〕3号", tmp_path / "x.docx", HEAD)
    assert refused.value.code == "document_not_rendered"
    blocker.unlink()
    own_template(ws, NEW_CLOSING)  # changed after the issue, before the file was written
    out = render_issued(ws, "青检行公建〔2026〕3号", HEAD)
    assert OLD_CLOSING in text_of(out) and NEW_CLOSING not in text_of(out)


# -- re-printing a missing or altered archive -------------------------------------------------


def test_an_altered_archive_is_reported_not_used_and_not_overwritten(ws, tmp_path):
    (case_id,) = investigated_cases(ws, tmp_path / "data", 1)
    issued = issue(ws, case_id, 3)
    recorded = recorded_hash(ws, issued.number)
    tampered = issued.document.read_bytes()[:-10] + b"0123456789"
    issued.document.write_bytes(tampered)
    again = render_again(ws, issued.number, tmp_path / "again.docx", HEAD)
    assert again.archive == "altered"
    assert "已被改动" in again.notice and "未采用也未覆盖" in again.notice
    assert sha256(again.path) == recorded  # the document as issued
    assert issued.document.read_bytes() == tampered  # the evidence is left as found
    with pytest.raises(UserError) as refused:  # nor may the re-print be written over it
        render_again(ws, issued.number, issued.document, HEAD)
    assert refused.value.code == "output_is_archive"
    assert issued.document.read_bytes() == tampered


def test_a_document_that_cannot_be_reproduced_is_refused_not_replaced(ws, tmp_path, monkeypatch):
    (case_id,) = investigated_cases(ws, tmp_path / "data", 1)
    issued = issue(ws, case_id, 3)
    issued.document.unlink()

    def a_newer_layout(doc, out, issued_on):  # type: ignore[no-untyped-def]
        doc.core_properties.title = "检察建议书"  # what a later release might change
        return save_docx(doc, out, issued_on)

    monkeypatch.setattr(renderer_module, "save_docx", a_newer_layout)
    out = tmp_path / "again.docx"
    with pytest.raises(UserError) as refused:
        render_again(ws, issued.number, out, HEAD)
    assert refused.value.code == "document_not_reproducible"
    message = refused.value.message
    assert "存档文书缺失" in message and "无法重现存档文书" in message
    assert "版本已变化" in message and "未生成任何文件" in message
    assert not out.exists()


def test_a_document_issued_before_the_wording_was_kept_is_rendered_with_the_current_one(
    ws, tmp_path
):
    (case_id,) = investigated_cases(ws, tmp_path / "data", 1)
    issued = issue(ws, case_id, 3)
    with ws.store.begin() as conn:  # as migration 0007 leaves an older recommendation
        conn.execute(update(recommendations).values(template_text=None, template_sha256=None))
    issued.document.unlink()
    again = render_again(ws, issued.number, tmp_path / "again.docx", HEAD)
    assert sha256(again.path) == recorded_hash(ws, issued.number)


def test_the_document_command_says_where_the_re_print_came_from(tmp_path):
    region = Region("贵州省", "六盘水市", "青岚县", "520203", "青岚县人民检察院", "青")
    ws = init_workspace(tmp_path / "ws", region=region)
    (case_id,) = investigated_cases(ws, tmp_path / "data", 1)
    issued = issue(ws, case_id, 3)
    ws.store.dispose()

    def document(out: str) -> str:
        args = ["-w", str(ws.root), "-u", "李部长", "cases", "document", issued.number, "-o", out]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        return result.output

    assert "已生成（复制自存档文书）" in document(str(tmp_path / "a.docx"))
    issued.document.write_bytes(b"not the document")
    out = document(str(tmp_path / "b.docx"))
    assert "存档文书" in out and "已被改动" in out and "按存档重新生成，与存档一致" in out
    assert sha256(tmp_path / "b.docx") == sha256(tmp_path / "a.docx")
