"""The 检察建议书 as a recipient sees it: rendered, converted by LibreOffice and read back from the
PDF (GB/T 9704-2012 版记 at the foot of the last page, no orphan lines, fonts, metadata)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree

from helpers import PdfWord, pdf_lines, pdf_words
from shujian.cases.documents import EvidenceTable, RecommendationContent, render_recommendation
from shujian.cases.documents.layout import MARGINS_MM, PAGE_MM
from shujian.cases.documents.preview import FONTS_CONF, to_pdf

PT_PER_MM = 72 / 25.4
TYPE_AREA_TOP = MARGINS_MM["top"] * PT_PER_MM
TYPE_AREA_BOTTOM = (PAGE_MM[1] - MARGINS_MM["bottom"]) * PT_PER_MM
LINE = (TYPE_AREA_BOTTOM - TYPE_AREA_TOP) / 22  # one line of the 22-line grid, in points

BASE = RecommendationContent(
    template="administrative",
    procuratorate="青岚县人民检察院",
    number="青检行建〔2026〕7号",
    recipient="青岚县市场监督管理局",
    issued_on=dt.date(2026, 11, 3),
    source="本院在履行行政检察职责中发现，你局对部分食品经营许可到期未延续的经营者未依法处理。",
    facts=("青岚县共有12家食品经营者许可证到期后仍在经营。",),
    evidence=(),
    violations=("你局未依法对许可证到期后仍在经营的经营者进行查处。",),
    legal_basis=("《中华人民共和国食品安全法》第三十五条：从事食品经营应当依法取得许可。",),
    recommendations=("依法查处许可证到期后仍在经营的食品经营者。",),
    objection_period="收到本检察建议书之日起十日内",
    reply_period="收到本检察建议书之日起两个月内",
    copy_to=("青岚县人民政府",),
)
FACT_LINE = "本院查明，上述情况属实。"  # one line of the body


def _units(n: int) -> tuple[str, ...]:
    return tuple(f"青岚县第{i}中心小学教育发展联合委员会" for i in range(1, n + 1))


def _evidence(rows: int) -> tuple[EvidenceTable, ...]:
    return (
        EvidenceTable(
            title="线索1：许可证到期后仍在经营的食品经营者",
            columns=("经营者", "许可证编号", "到期日期"),
            rows=tuple(
                (f"青岚县某某食品店{i}", f"JY1370281{i:07d}", "2026-06-30") for i in range(rows)
            ),
            total_rows=rows,
        ),
    )


def _pdf(content: RecommendationContent, folder: Path, name: str) -> Path:
    pdf = to_pdf(render_recommendation(content, folder / f"{name}.docx"), folder / "pdf")
    assert pdf is not None, "LibreOffice is installed on this machine kind and in CI"
    return pdf


def _is_page_number(word: PdfWord) -> bool:
    return word.y0 > TYPE_AREA_BOTTOM and all(c in "—-0123456789 " for c in word.text)


def _docx_text(path: Path) -> str:
    return "".join(t.text or "" for t in docx.Document(str(path)).element.body.iter(qn("w:t")))


# -- 版记 at the foot of the last page ---------------------------------------------------------

COPY_TO_CASES = {
    "short, one unit": BASE,
    "short, eight units": dataclasses.replace(BASE, copy_to=_units(8)),
    "long body, three units": dataclasses.replace(
        BASE, facts=(BASE.facts[0] * 6,) * 12, copy_to=_units(3)
    ),
    "attachment, two units": dataclasses.replace(BASE, evidence=_evidence(3), copy_to=_units(2)),
    # Evidence tables hold at most 20 rows (recommendations.EVIDENCE_ROWS_IN_DOCUMENT).
    "long attachment, one unit": dataclasses.replace(BASE, evidence=_evidence(20) * 3),
}


def _check_copy_to_at_the_foot(pages: list[list[PdfWord]], docx_text: str) -> float:
    """Assert the GB/T 9704 版记 rules on a PDF; return the top of the 抄送 box (points)."""
    starts = [(i, w) for i, page in enumerate(pages) for w in page if w.text.startswith("抄送")]
    assert len(starts) == 1, starts
    page_no, first = starts[0]
    assert page_no == len(pages) - 1, "the 抄送 box is on the last page"
    box = [w for w in pages[page_no] if w.y0 >= first.y0 - 1 and not _is_page_number(w)]
    # Its last line sits on the foot of the type area (the rule below it is the type area's edge).
    assert max(w.y1 for w in box) == pytest.approx(TYPE_AREA_BOTTOM - 4, abs=LINE / 2)
    # Text above it, on every page: never a page holding only the box.
    for i, page in enumerate(pages):
        text = [w for w in page if not _is_page_number(w) and (i != page_no or w.y0 < first.y0)]
        assert text, f"page {i + 1} holds nothing but the 抄送 box"
    # Nothing lost on the way.
    got = "".join(w.text for page in pages for w in page)
    wanted = "".join(docx_text.split())
    missing = {c for c in set(wanted) if got.count(c) < wanted.count(c)}
    assert not missing
    return first.y0


@pytest.mark.parametrize("case", list(COPY_TO_CASES))
def test_copy_to_sits_at_the_foot_of_the_last_page(case: str, tmp_path: Path) -> None:
    pdf = _pdf(COPY_TO_CASES[case], tmp_path, "doc")
    _check_copy_to_at_the_foot(pdf_words(pdf), _docx_text(tmp_path / "doc.docx"))


def test_copy_to_without_room_takes_the_last_lines_of_the_text_to_the_next_page(
    tmp_path: Path,
) -> None:
    """A box of eight lines (4号) after bodies 1, 7, 13 and 19 lines longer: with the closing
    lines, signature and date kept with it, it needs about thirteen of the page's 22 lines, and
    the text's end falls on every sixth line of a page, so some bodies leave room for it and some
    do not; those take the closing lines, signature and date along to the box's page."""
    moved = fitted = 0
    for extra in range(1, 20, 6):
        content = dataclasses.replace(BASE, facts=(FACT_LINE,) * extra, copy_to=_units(10))
        pdf = _pdf(content, tmp_path, f"doc{extra}")
        pages = pdf_words(pdf)
        box_top = _check_copy_to_at_the_foot(pages, _docx_text(tmp_path / f"doc{extra}.docx"))
        last = pages[-1]
        assert any(w.text == "二〇二六年十一月三日" and w.y1 < box_top for w in last)
        before = [w for w in pages[-2] if not _is_page_number(w)]
        if max(w.y1 for w in before) < TYPE_AREA_BOTTOM - 2 * LINE:
            moved += 1  # the previous page ended early: the ending went to the box's page
        else:
            fitted += 1
    assert moved and fitted


@pytest.mark.parametrize("evidence", [0, 3])
def test_without_copy_to_units_no_box_and_no_empty_page(evidence: int, tmp_path: Path) -> None:
    content = dataclasses.replace(
        BASE, copy_to=(), evidence=_evidence(evidence) if evidence else ()
    )
    pages = pdf_words(_pdf(content, tmp_path, "doc"))
    assert not any(w.text.startswith("抄送") for page in pages for w in page)
    for page in pages:
        assert [w for w in page if not _is_page_number(w)]


# -- fonts Word and WPS can find -----------------------------------------------------------------

# What a Windows PC without the official fonts should use instead (the first it has).
WINDOWS_ALTERNATIVES = {
    "仿宋_GB2312": ("仿宋",),
    "楷体_GB2312": ("楷体",),
    "方正小标宋简体": ("华文中宋", "宋体"),
}


def _xml(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name))


def test_font_table_declares_every_font_the_runs_name_with_windows_alternatives(
    tmp_path: Path,
) -> None:
    evidence = (dataclasses.replace(_evidence(3)[0], total_rows=30),)  # 楷体 note
    path = render_recommendation(
        dataclasses.replace(BASE, evidence=evidence, copy_to=_units(2)), tmp_path / "doc.docx"
    )
    with zipfile.ZipFile(path) as z:
        parts = [n for n in z.namelist() if n.startswith("word/") and n.endswith(".xml")]
    used = {
        rfonts.get(qn(f"w:{attr}"))
        for part in parts
        for rfonts in _xml(path, part).iter(qn("w:rFonts"))
        for attr in ("ascii", "hAnsi", "eastAsia", "cs")
    } - {None}
    assert {"仿宋_GB2312", "楷体_GB2312", "方正小标宋简体", "黑体"} <= used
    table = {f.get(qn("w:name")): f for f in _xml(path, "word/fontTable.xml")}
    assert used <= set(table), "every font a run names is declared"
    for name, alternatives in WINDOWS_ALTERNATIVES.items():
        alt = table[name].find(qn("w:altName"))
        assert alt is not None, name
        assert tuple(a.strip() for a in alt.get(qn("w:val")).split(",")) == alternatives
    for name in ("仿宋_GB2312", "楷体_GB2312", "方正小标宋简体", "黑体"):
        assert table[name].find(qn("w:charset")).get(qn("w:val")) == "86"  # GB2312
    assert table["黑体"].find(qn("w:panose1")) is not None


@pytest.mark.parametrize(
    "font",
    [*WINDOWS_ALTERNATIVES, "黑体", *(a for alts in WINDOWS_ALTERNATIVES.values() for a in alts)],
)
def test_fonts_conf_gives_libreoffice_a_noto_cjk_face_for(font: str) -> None:
    """The PDF preview's substitutes cover the official fonts and their Windows alternatives."""
    found = subprocess.run(
        ["fc-match", "-f", "%{family}", font],
        env={**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Noto S" in found and "CJK" in found, found


# -- metadata ------------------------------------------------------------------------------------


def test_document_properties_name_the_procuratorate_and_the_number_not_python_docx(
    tmp_path: Path,
) -> None:
    path = render_recommendation(BASE, tmp_path / "doc.docx")
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        core_xml, app_xml = z.read("docProps/core.xml"), z.read("docProps/app.xml")
    for xml in (core_xml, app_xml):
        assert b"python-docx" not in xml and b"Macintosh" not in xml
    core = {el.tag.rsplit("}", 1)[-1]: (el.text or "") for el in etree.fromstring(core_xml)}
    assert core["creator"] == core["lastModifiedBy"] == "青岚县人民检察院"
    assert core["title"] == "检察建议书 青检行建〔2026〕7号"
    for empty in ("subject", "keywords", "description", "category"):
        assert core.get(empty, "") == "", empty
    app = {el.tag.rsplit("}", 1)[-1]: (el.text or "") for el in etree.fromstring(app_xml)}
    assert app["Company"] == "青岚县人民检察院"
    assert "Word" not in app.get("Application", "") and not app.get("AppVersion")
    assert "Pages" not in app and "Words" not in app  # counts of an empty template page
    assert not any("thumbnail" in n for n in names)
    # python-docx reads them back as the procuratorate's.
    props = docx.Document(str(path)).core_properties
    assert (props.author, props.title) == ("青岚县人民检察院", "检察建议书 青检行建〔2026〕7号")


# -- no orphan last lines --------------------------------------------------------------------------

PUNCTUATION = set("，。、；：？！）》」』”’〕】…—（《「『“‘〔【,.;:?!()")
SENTENCE = "本院在履行法律监督职责中发现有关单位存在违法情形应当依法予以纠正并加强监督管理工作"


def _paragraph(n: int) -> str:
    """`n` characters of running text ending with "。"."""
    return (SENTENCE * (n // len(SENTENCE) + 1))[: n - 1] + "。"


# With the first line two characters in, a line holds 26 then 28 characters: these lengths leave
# one character and the full stop, or the full stop alone (which takes the character before it
# along, since no line may start with it), on a last line of their own.
ORPHAN_LENGTHS = (27, 28, 29, 55, 56, 83, 84, 111, 112)
MIXED = (
    "本院于2026年10月18日会同公安机关到场检查，发现青岚县极速网吧有3名未成年人上网，"
    "负责人为张某某，联系电话0532-8888XXXX，已责令整改到位并督促落实查。"
)


def test_body_styles_keep_widows_and_orphans_off_page_edges(tmp_path: Path) -> None:
    doc = docx.Document(str(render_recommendation(BASE, tmp_path / "doc.docx")))
    for style in ("文书正文", "一级标题", "主送"):
        assert doc.styles[style].paragraph_format.widow_control is True, style


def test_no_line_of_the_pdf_is_one_character_and_its_punctuation(tmp_path: Path) -> None:
    facts = (*(_paragraph(n) for n in ORPHAN_LENGTHS), MIXED)
    pdf = _pdf(dataclasses.replace(BASE, facts=facts), tmp_path, "doc")
    lines = [line.replace(" ", "") for page in pdf_lines(pdf) for line in page]
    assert any(SENTENCE[:20] in line for line in lines)  # the paragraphs are there
    short = [
        line
        for line in lines
        if not line.startswith("—") and len([c for c in line if c not in PUNCTUATION]) <= 1
    ]
    assert not short
