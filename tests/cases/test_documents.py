"""The 检察建议书 as a .docx (GB/T 9704 layout, seven elements, editable wording) and its previews."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import struct
import subprocess
from pathlib import Path

import docx
import pytest
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Length
from docx.table import Table

from shujian.cases.documents import (
    EvidenceTable,
    RecommendationContent,
    render_recommendation,
    template_ids,
)
from shujian.cases.documents.numerals import chinese_date, chinese_numeral
from shujian.cases.documents.preview import PreviewError, libreoffice, to_pdf, to_png
from shujian.cases.documents.recommendation import TEMPLATES_DIR
from shujian.cases.documents.wording import COMMON_PLACEHOLDERS, PARTS
from shujian.errors import UserError

MASKED_ID = "370281201********2317"

CAFE = RecommendationContent(
    template="juvenile",
    procuratorate="青岚县人民检察院",
    number="青检未建〔2026〕5号",
    recipient="青岚县文化和旅游局",
    issued_on=dt.date(2026, 12, 1),
    source="本院在开展校园周边环境专项监督中，运用“校园周边网吧”大数据法律监督模型比对学校名录与经营场所登记信息，发现你局审批的部分网吧距中小学校不足200米。",
    facts=(
        "青岚县星际网咖位于城关镇人民路118号，距青岚县第一实验小学校门约150米，现仍在营业。",
        "2026年10月，本院会同公安机关到场检查，发现青岚县极速网吧有3名未成年人上网。",
    ),
    evidence=(
        EvidenceTable(
            title="线索1：青岚县星际网咖距青岚县第一实验小学仅150米",
            columns=("场所名称", "地址", "学校", "距离（米）"),
            rows=(("青岚县星际网咖", "城关镇人民路118号", "青岚县第一实验小学", "150"),),
            total_rows=1,
        ),
        EvidenceTable(
            title="线索2：青岚县极速网吧接纳未成年人上网",
            columns=("姓名", "公民身份号码", "上网时间"),
            rows=(
                ("张某某", MASKED_ID, "2026-10-18 21:40"),
                ("李某", "370281201********101X", "2026-10-18 22:05"),
                ("王某某", "370281201********0528", "2026-10-18 22:31"),
            ),
            total_rows=12,
        ),
    ),
    violations=("你局对距中小学校不足200米的场所核发许可证，未尽到未成年人保护监督管理职责。",),
    legal_basis=(
        "《互联网上网服务营业场所管理条例》第九条：中学、小学校园周围200米范围内不得设立互联网上网服务营业场所。",
    ),
    recommendations=(
        "依法复查青岚县星际网咖的许可，对不符合设立条件的依法撤销。",
        "对接纳未成年人的违法行为依法查处。",
    ),
    objection_period="收到本检察建议书之日起七日内",
    reply_period="收到本检察建议书之日起一个月内",
    other_matters=("本院将对整改情况进行跟进监督。",),
    contact="检察官 刘某某，0532-8888XXXX",
    copy_to=("青岚县人民政府", "青岚县教育局"),
)

WAGE = RecommendationContent(
    template="public_interest",
    procuratorate="青岚县人民检察院",
    number="青检行公建〔2026〕3号",
    recipient="青岚县人力资源和社会保障局",
    issued_on=dt.date(2026, 10, 20),
    source="本院在履行公益诉讼检察职责中发现部分在建工程项目未依法存储农民工工资保证金。",
    facts=("青岚县共有7个工程建设项目在开工前未存储农民工工资保证金。",),
    evidence=(),
    violations=("你局未依法督促施工总承包单位存储工资保证金。",),
    legal_basis=(
        "《保障农民工工资支付条例》第三十二条：施工总承包单位应当按照有关规定存储工资保证金。",
    ),
    recommendations=("依法督促施工总承包单位限期存储农民工工资保证金。",),
    objection_period="收到本检察建议书之日起十日内",
    reply_period="收到本检察建议书之日起十五日内",
)


def _text(doc: Document) -> str:
    """All text of the body, tables included, in order."""
    return "\n".join(t.text or "" for t in doc.element.body.iter(qn("w:t")))


def _mm(length: Length | None) -> float:
    assert length is not None
    return length.mm


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_recommendation(CAFE, tmp_path_factory.mktemp("doc") / "建议书" / "cafe.docx")


@pytest.fixture(scope="module")
def document(rendered: Path) -> Document:
    return docx.Document(str(rendered))


@pytest.fixture(scope="module")
def pdf(rendered: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one LibreOffice conversion of this module."""
    out = to_pdf(rendered, tmp_path_factory.mktemp("pdf"))
    assert out is not None, "LibreOffice is installed on this machine kind and in CI"
    return out


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


# -- numerals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "一"), (10, "十"), (11, "十一"), (20, "二十"), (31, "三十一"), (105, "一百零五"),
     (114, "一百一十四"), (1001, "一千零一"), (2026, "二千零二十六")],
)  # fmt: skip
def test_chinese_ordinals(n: int, expected: str) -> None:
    assert chinese_numeral(n) == expected


def test_chinese_dates_write_the_year_digit_by_digit() -> None:
    assert chinese_date(dt.date(2026, 12, 1)) == "二〇二六年十二月一日"
    assert chinese_date(dt.date(2030, 1, 31)) == "二〇三〇年一月三十一日"
    assert chinese_date(dt.date(2026, 10, 20)) == "二〇二六年十月二十日"


# -- content ---------------------------------------------------------------------------------


def test_docx_carries_the_seven_elements_of_article_16(document: Document) -> None:
    text = _text(document)
    assert CAFE.source in text  # 1 source
    for fact in CAFE.facts:  # 2 facts (evidence: see the attachment test)
        assert fact in text
    assert CAFE.violations[0] in text  # 3 illegality or hazard, argued with the law quoted
    # 4 the recommendations, numbered when there are several, and the provision they rest on
    assert (
        "根据《中华人民共和国未成年人保护法》第一百一十四条的规定，本院提出如下检察建议：" in text
    )
    assert f"一、{CAFE.recommendations[0]}" in text
    assert f"二、{CAFE.recommendations[1]}" in text
    assert f"请于{CAFE.objection_period}向本院书面提出" in text  # 5 objection period
    assert f"请你单位于{CAFE.reply_period}" in text  # 6 reply period
    assert CAFE.other_matters[0] in text  # 7 other matters and contact
    assert f"联系人及电话：{CAFE.contact}" in text
    # The body runs as a procuratorate's own documents do: no section headings.
    assert not [p.text for p in document.paragraphs if p.style.name == "一级标题"]


def test_a_single_recommendation_is_not_numbered(tmp_path: Path) -> None:
    one = dataclasses.replace(CAFE, recommendations=("依法查处上述网吧。",))
    text = _text(docx.Document(str(render_recommendation(one, tmp_path / "one.docx"))))
    assert "本院提出如下检察建议：\n依法查处上述网吧。" in text
    assert "一、依法查处" not in text


def test_docx_opens_with_title_number_and_recipient_and_ends_with_the_chinese_date(
    document: Document,
) -> None:
    paragraphs = [p for p in document.paragraphs if p.text]
    assert [p.text for p in paragraphs[:4]] == [
        "青岚县人民检察院",
        "检察建议书",
        "青检未建〔2026〕5号",
        "青岚县文化和旅游局：",
    ]
    assert paragraphs[0].style.name == paragraphs[1].style.name == "文书标题"
    assert paragraphs[0].style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert paragraphs[2].style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    signature, date = (p for p in paragraphs if p.style.name == "署名")
    assert (signature.text, date.text) == ("青岚县人民检察院", "二〇二六年十二月一日")
    assert _mm(date.paragraph_format.right_indent) == pytest.approx(4 * 16 * 0.3528, abs=0.2)


def test_juvenile_template_cites_article_114_and_public_interest_article_25(
    document: Document, tmp_path: Path
) -> None:
    assert "《中华人民共和国未成年人保护法》第一百一十四条" in _text(document)
    wage = _text(docx.Document(str(render_recommendation(WAGE, tmp_path / "wage.docx"))))
    assert "《中华人民共和国行政诉讼法》第二十五条第四款" in wage
    assert "提起行政公益诉讼" in wage


def test_periods_come_from_the_content_not_the_template(tmp_path: Path) -> None:
    text = _text(docx.Document(str(render_recommendation(WAGE, tmp_path / "wage.docx"))))
    assert "收到本检察建议书之日起十五日内" in text
    assert "收到本检察建议书之日起十日内" in text
    assert "两个月" not in text and "二个月" not in text


def test_evidence_is_an_attachment_on_a_new_page_with_masked_values(document: Document) -> None:
    label = next(p for p in document.paragraphs if p.text == "附件")
    assert label.paragraph_format.page_break_before
    assert "附件：证据清单" in [p.text for p in document.paragraphs]
    texts = [p.text for p in document.paragraphs]
    assert texts.index("附件：证据清单") < texts.index("二〇二六年十二月一日") < texts.index("附件")
    first, second = document.tables[0], document.tables[1]
    # A header may wrap before its unit.
    headers = ["".join(c.text.split()) for c in first.rows[0].cells]
    assert headers == ["场所名称", "地址", "学校", "距离（米）"]
    assert [c.text for c in second.rows[1].cells] == ["张某某", MASKED_ID, "2026-10-18 21:40"]
    assert len(second.rows) == 1 + 3
    text = _text(document)
    assert "（共12条，列出前3条。）" in text
    assert text.count("列出前") == 1  # the complete table says nothing
    assert first.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on each page
    sizes = {r.font.size.pt for c in second.rows[1].cells for p in c.paragraphs for r in p.runs}
    assert sizes <= {14.0, 12.0}  # 4号 or 小四


def test_copy_to_closes_the_document(document: Document) -> None:
    # The 版记's table sits in a text box at the foot of the page, not in the body's flow.
    last = Table(list(document.element.body.iter(qn("w:tbl")))[-1], document)
    assert last.rows[0].cells[0].text == "抄送：青岚县人民政府，青岚县教育局。"


def test_no_attachment_without_evidence(tmp_path: Path) -> None:
    doc = docx.Document(str(render_recommendation(WAGE, tmp_path / "wage.docx")))
    assert "附件" not in _text(doc)
    assert not doc.tables


# -- layout ----------------------------------------------------------------------------------


def test_page_is_a4_with_the_gbt_9704_margins(document: Document) -> None:
    section = document.sections[0]
    assert (_mm(section.page_width), _mm(section.page_height)) == pytest.approx((210, 297), abs=0.1)
    assert _mm(section.top_margin) == pytest.approx(37, abs=0.1)
    assert _mm(section.bottom_margin) == pytest.approx(35, abs=0.1)
    assert _mm(section.left_margin) == pytest.approx(28, abs=0.1)
    assert _mm(section.right_margin) == pytest.approx(26, abs=0.1)


def test_document_grid_is_22_lines_of_28_characters(document: Document) -> None:
    grid = document.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    assert int(grid.get(qn("w:linePitch"))) == 579  # 225 mm / 22 lines
    # The cell is 156 mm / 28 characters, a little under 16 pt: charSpace is negative.
    pitch_pt = 16 + int(grid.get(qn("w:charSpace"))) / 4096
    assert pitch_pt * 28 == pytest.approx(156 / 25.4 * 72, abs=0.5)
    body = document.styles["文书正文"].paragraph_format
    assert body.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert body.line_spacing.twips == 579
    assert body.first_line_indent.pt == 32  # two characters of 三号


def test_body_title_and_headings_name_their_east_asian_fonts(document: Document) -> None:
    def east_asia(style: str) -> str:
        return document.styles[style].element.rPr.rFonts.get(qn("w:eastAsia"))

    assert east_asia("文书正文") == "仿宋_GB2312"
    assert east_asia("文书标题") == "方正小标宋简体"
    assert east_asia("一级标题") == "黑体"
    assert document.styles["文书正文"].font.size.pt == 16
    assert document.styles["文书标题"].font.size.pt == 22
    title_run = document.paragraphs[0].runs[0]
    assert title_run._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    body_run = next(p for p in document.paragraphs if p.text == CAFE.facts[0]).runs[0]
    assert body_run._r.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    # No theme font left in the defaults to override the names (Word prefers theme fonts).
    defaults = next(document.styles.element.find(qn("w:docDefaults")).iter(qn("w:rFonts")))
    assert defaults.get(qn("w:eastAsiaTheme")) is None
    assert defaults.get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_page_numbers_are_page_fields_between_dashes_on_the_outer_side(document: Document) -> None:
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment == align
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        instr = [el.text for el in paragraph._p.iter(qn("w:instrText"))]
        assert [i.strip() for i in instr] == ["PAGE"]
        fonts = {r._r.rPr.rFonts.get(qn("w:eastAsia")) for r in paragraph.runs}
        assert fonts == {"宋体"}
        assert {r.font.size.pt for r in paragraph.runs} == {14}


def test_control_characters_in_agency_data_are_dropped(tmp_path: Path) -> None:
    content = dataclasses.replace(WAGE, facts=("青岚县共有7个\x0b工程建设项目\x00未存储保证金。",))
    text = _text(docx.Document(str(render_recommendation(content, tmp_path / "w.docx"))))
    assert "青岚县共有7个工程建设项目未存储保证金。" in text


# -- templates -------------------------------------------------------------------------------


def test_bundled_templates_are_the_five_categories() -> None:
    assert set(template_ids()) == {
        "criminal",
        "civil",
        "administrative",
        "public_interest",
        "juvenile",
    }


@pytest.mark.parametrize("template", template_ids())
def test_every_bundled_template_renders(template: str, tmp_path: Path) -> None:
    content = dataclasses.replace(CAFE, template=template)
    text = _text(docx.Document(str(render_recommendation(content, tmp_path / "d.docx"))))
    assert CAFE.recommendations[0] in text and CAFE.reply_period in text


def _workspace_template(tmp_path: Path, name: str, edit: dict[str, str]) -> Path:
    folder = tmp_path / "templates" / "recommendations"
    folder.mkdir(parents=True, exist_ok=True)
    lines = (TEMPLATES_DIR / f"{name}.yaml").read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        key = line.split(":", 1)[0]
        if key in edit:
            if edit[key]:
                out.append(f"{key}: {edit[key]}")
        else:
            out.append(line)
    (folder / f"{name}.yaml").write_text("\n".join(out) + "\n", encoding="utf-8")
    return folder


def test_every_part_and_placeholder_is_documented() -> None:
    page = (Path(__file__).parents[2] / "docs" / "recommendations.md").read_text(encoding="utf-8")
    names = [
        *PARTS,
        *COMMON_PLACEHOLDERS,
        *(p for part in PARTS.values() for p in part.placeholders),
    ]
    undocumented = [name for name in names if f"`{name}`" not in page]
    assert not undocumented


def test_a_workspace_template_overrides_the_bundled_wording(tmp_path: Path) -> None:
    folder = _workspace_template(
        tmp_path,
        "juvenile",
        {"closing": "特此建议，请予支持。", "signature": '"{{ procuratorate }}（院印）"'},
    )
    other = tmp_path / "empty"
    other.mkdir()
    doc = docx.Document(str(render_recommendation(CAFE, tmp_path / "d.docx", (other, folder))))
    texts = [p.text for p in doc.paragraphs]
    assert "特此建议，请予支持。" in texts
    assert "特此建议。" not in texts
    assert "青岚县人民检察院（院印）" in texts
    # Other categories still come from the bundled templates.
    render_recommendation(WAGE, tmp_path / "w.docx", (folder,))


def test_a_template_with_an_unknown_placeholder_is_refused_in_chinese(tmp_path: Path) -> None:
    folder = _workspace_template(tmp_path, "juvenile", {"contact": "承办检察官：{{ prosecutor }}"})
    with pytest.raises(UserError) as refused:
        render_recommendation(CAFE, tmp_path / "d.docx", (folder,))
    message = refused.value.message
    assert "未知的占位符" in message and "prosecutor" in message
    assert "contact" in message and "可用的占位符" in message and "procuratorate" in message
    assert str(folder / "juvenile.yaml") in message
    assert not (tmp_path / "d.docx").exists()


def test_a_template_missing_a_required_part_is_refused(tmp_path: Path) -> None:
    folder = _workspace_template(tmp_path, "juvenile", {"reply": ""})
    with pytest.raises(UserError, match="缺少必需的部分：reply（回复期限（要素六））"):
        render_recommendation(CAFE, tmp_path / "d.docx", (folder,))


def test_a_template_with_a_misspelt_part_is_refused(tmp_path: Path) -> None:
    folder = _workspace_template(tmp_path, "juvenile", {})
    with (folder / "juvenile.yaml").open("a", encoding="utf-8") as f:
        f.write("closng: 特此建议。\n")
    with pytest.raises(UserError, match="未知的部分：closng"):
        render_recommendation(CAFE, tmp_path / "d.docx", (folder,))


def test_an_unquoted_placeholder_gets_a_hint(tmp_path: Path) -> None:
    folder = _workspace_template(tmp_path, "juvenile", {"number": "{{ number }}"})
    with pytest.raises(UserError, match="要用英文引号括起来"):
        render_recommendation(CAFE, tmp_path / "d.docx", (folder,))


def test_a_template_with_a_syntax_error_is_refused(tmp_path: Path) -> None:
    folder = _workspace_template(tmp_path, "juvenile", {"closing": "特此建议{{ 。"})
    with pytest.raises(UserError, match="语法错误"):
        render_recommendation(CAFE, tmp_path / "d.docx", (folder,))


def test_an_unknown_template_is_refused_naming_the_available_ones(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="没有检察建议书模板“tax”。可用的模板：administrative"):
        render_recommendation(dataclasses.replace(CAFE, template="tax"), tmp_path / "d.docx")
    with pytest.raises(UserError, match="不合法"):
        render_recommendation(dataclasses.replace(CAFE, template="../x"), tmp_path / "d.docx")


def test_content_missing_an_element_is_refused(tmp_path: Path) -> None:
    content = dataclasses.replace(CAFE, recommendations=(" ",), reply_period="")
    with pytest.raises(UserError, match="缺少必备内容：书面回复的期限、建议的具体内容"):
        render_recommendation(content, tmp_path / "d.docx")


# -- previews --------------------------------------------------------------------------------


def test_libreoffice_is_found() -> None:
    found = libreoffice()
    assert found is not None and Path(found).name in ("soffice", "libreoffice")


def test_pdf_preview_shows_the_whole_text_in_noto_cjk(pdf: Path, document: Document) -> None:
    text = _pdf_text(pdf)
    assert "青岚县人民检察院" in text and "检察建议书" in text
    assert "青检未建〔2026〕5" in text
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    names = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert any("NotoSerifCJK" in n and "Bold" in n for n in names)  # 方正小标宋 → bold Song
    assert any("NotoSerifCJK" in n and "Bold" not in n for n in names)  # 仿宋, 宋体
    assert any("NotoSansCJK" in n for n in names)  # 黑体 headings
    assert all("CJK" in n for n in names), names  # no fallback face without Chinese glyphs
    # Every character of the document reaches the PDF (a hanging comma once did not).
    wanted = "".join(_text(document).split())
    got = "".join(text.split())
    missing = [c for c in set(wanted) if got.count(c) < wanted.count(c)]
    assert not missing


def test_pdf_preview_keeps_28_characters_a_line(pdf: Path) -> None:
    lines = [line for line in _pdf_text(pdf).splitlines() if line and line.isascii() is False]
    full = [line for line in lines if len(line) == 28 and " " not in line]
    assert full, "LibreOffice laid the grid out with fewer characters a line"
    assert max(len(line) for line in lines if " " not in line) <= 28


def test_png_preview_has_one_a4_image_per_page(pdf: Path, tmp_path: Path) -> None:
    pages = to_png(pdf, tmp_path, dpi=40)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    count = int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])
    assert count >= 2  # the attachment starts a page of its own
    assert [p.name for p in pages] == [f"{pdf.stem}-{i}.png" for i in range(1, count + 1)]
    header = pages[0].read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    assert (width, height) == pytest.approx((round(210 / 25.4 * 40), round(297 / 25.4 * 40)), abs=2)
    assert to_png(pdf, tmp_path, dpi=40) == pages  # again: the same files, no leftovers


def test_to_pdf_refuses_a_file_that_is_not_a_docx(tmp_path: Path) -> None:
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(PreviewError):
        to_pdf(broken, tmp_path / "out")


def test_poppler_tools_are_installed() -> None:
    for tool in ("pdftoppm", "pdftotext", "pdffonts"):
        assert shutil.which(tool), tool


def test_a_wide_evidence_table_is_turned_on_its_side_three_rows_a_table():
    from shujian.cases.documents.tables import fit_to_page

    narrow = fit_to_page(("甲", "乙"), (("1", "2"),))
    assert narrow == [(("甲", "乙"), (("1", "2"),))]
    columns = tuple(f"列{i}" for i in range(15))
    rows = tuple(tuple(f"{r}-{c}" for c in range(15)) for r in range(4))
    blocks = fit_to_page(columns, rows)
    assert [b[0] for b in blocks] == [("项目", "第1条", "第2条", "第3条"), ("项目", "第4条")]
    first_rows = blocks[0][1]
    assert len(first_rows) == 15 and first_rows[0] == ("列0", "0-0", "1-0", "2-0")
    assert blocks[1][1][14] == ("列14", "3-14")
