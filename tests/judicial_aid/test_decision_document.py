"""The 国家司法救助决定书 as a recipient sees it: rendered, converted by LibreOffice and read back —
one page, the 文号 and the date, the fonts declared, the properties the procuratorate's, no line of
one character; a minor applicant by surname and 某 only, no free text; the rule cited by title and
no article (its article numbers in the revised text are not verified)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zipfile
from pathlib import Path

import docx
from docx.oxml.ns import qn
from lxml import etree

from helpers import pdf_lines
from shujian.cases.documents.preview import to_pdf
from shujian.judicial_aid import rules
from shujian.judicial_aid.decision import DecisionContent, render_decision

BASE = DecisionContent(
    procuratorate="青岚县人民检察院",
    number="青检救〔2026〕1号",
    applicant="李某",
    accepted_on=dt.date(2026, 11, 2),
    ground=rules.declarations().grounds[2].text,
    people=3,
    amount="50,000.00",
    rule=rules.declarations().rule,
    fast=True,
    issued_on=dt.date(2026, 11, 10),
)
PUNCTUATION = set("，。、；：？！）》」』”’〕】…—（《「『“‘〔【,.;:?!()")


def test_the_decision_reads_as_issued(tmp_path: Path) -> None:
    path = render_decision(BASE, tmp_path / "d.docx")
    pdf = to_pdf(path, tmp_path)
    assert pdf is not None, "LibreOffice is installed on this machine kind and in CI"
    pages = pdf_lines(pdf)
    assert len([p for p in pages if p]) == 1
    lines = [line.replace(" ", "") for line in pages[0]]
    assert lines[:3] == ["青岚县人民检察院", "国家司法救助决定书", "青检救〔2026〕1号"]
    assert "二〇二六年十一月十日" in lines
    text = "".join(lines)
    assert "国家司法救助金人民币50,000.00元" in text and "共三人" in text
    assert "的的" not in text and "本案按快速救助办理" in text
    short = [
        line
        for line in lines
        if not line.startswith("—") and len([c for c in line if c not in PUNCTUATION]) <= 1
    ]
    assert not short
    # law cited only as verified: the rule by its title, never an article number
    assert "《人民检察院开展国家司法救助工作细则》的有关规定" in text
    assert not re.search(r"第[一二三四五六七八九十百零〇\d]+条", text)


def test_fonts_and_properties_are_the_procuratorate_s(tmp_path: Path) -> None:
    path = render_decision(BASE, tmp_path / "d.docx")
    with zipfile.ZipFile(path) as z:
        table = etree.fromstring(z.read("word/fontTable.xml"))
        document = etree.fromstring(z.read("word/document.xml"))
        core = z.read("docProps/core.xml")
    used = {
        f.get(qn(f"w:{a}"))
        for f in document.iter(qn("w:rFonts"))
        for a in ("ascii", "hAnsi", "eastAsia")
    } - {None}
    assert used <= {f.get(qn("w:name")) for f in table}
    assert b"python-docx" not in core
    props = docx.Document(str(path)).core_properties
    assert (props.author, props.title) == (
        "青岚县人民检察院",
        "国家司法救助决定书 青检救〔2026〕1号",
    )


def test_rendering_the_same_content_gives_the_same_bytes(tmp_path: Path) -> None:
    one = render_decision(BASE, tmp_path / "1.docx").read_bytes()
    two = render_decision(DecisionContent.from_json(BASE.to_json()), tmp_path / "2.docx")
    assert one == two.read_bytes()
    other = render_decision(dataclasses.replace(BASE, people=1, fast=False), tmp_path / "3.docx")
    words = "\n".join(p.text for p in docx.Document(str(other)).paragraphs)
    assert "共" not in words.split("。")[0] and "快速救助" not in words
