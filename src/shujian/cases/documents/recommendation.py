"""The 检察建议书 as a .docx: content object + category template → GB/T 9704 document.

A pure renderer: the case service gathers the content (masking ID numbers in the evidence) and
calls `render_recommendation`; nothing here reads the case store.

The body follows the seven elements of 《人民检察院检察建议工作规定》 art. 16 in order: the
source (opening paragraph); facts with their evidence (the evidence tables go to an attachment,
附件：证据清单, on a new page after the date); the illegality or hazard; the legal basis and the
numbered recommendations; the objection period; the reply period; other matters and the contact.
The wording around them comes from the category's template (`templates/<id>.yaml`, or a
workspace's own copy), so a procuratorate can change the sentences without touching code.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Twips
from docx.text.paragraph import Paragraph

from shujian.cases.documents import layout, tables
from shujian.cases.documents.numerals import chinese_date, chinese_numeral
from shujian.cases.documents.package import save_docx
from shujian.cases.documents.wording import Wording, load_wording
from shujian.errors import UserError

TEMPLATES_DIR = Path(__file__).parent / "templates"

_TEMPLATE_ID = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class EvidenceTable:
    """One table of the evidence list (附件): rows already formatted and masked upstream."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total_rows: int  # rows the model found; more than len(rows) when the list was cut


@dataclass(frozen=True)
class RecommendationContent:
    """What a 检察建议书 says; the template supplies the sentences around it."""

    template: str  # category id: criminal | civil | administrative | public_interest | juvenile
    procuratorate: str
    number: str  # 文号
    recipient: str  # 被建议单位
    issued_on: dt.date
    source: str  # element 1
    facts: tuple[str, ...]  # element 2
    evidence: tuple[EvidenceTable, ...]  # element 2, as the attachment
    violations: tuple[str, ...]  # element 3
    legal_basis: tuple[str, ...]  # element 4: the provisions quoted in the argument
    recommendations: tuple[str, ...]  # element 4
    objection_period: str  # element 5
    reply_period: str  # element 6
    other_matters: tuple[str, ...] = ()  # element 7
    contact: str = ""  # element 7
    copy_to: tuple[str, ...] = ()  # 抄送
    reply_basis: str = ""  # the provision the reply period rests on (《…》第N条)
    urgent: bool = False  # the reply period is shortened because the matter is urgent
    pseudonyms: tuple[dict[str, Any], ...] = ()
    """Which lead and evidence row each 郭某 of the text stands for: stored, never printed."""


def template_ids() -> tuple[str, ...]:
    """The bundled category templates."""
    return tuple(sorted(p.stem for p in TEMPLATES_DIR.glob("*.yaml")))


def find_template(template: str, template_dirs: Sequence[Path] = ()) -> Path:
    """`<template>.yaml` from the first of `template_dirs` that has it, else the bundled one."""
    if not _TEMPLATE_ID.match(template):
        raise UserError(
            f"检察建议书模板名“{template}”不合法：只能由字母、数字、下划线和连字符组成。"
        )
    for folder in (*template_dirs, TEMPLATES_DIR):
        candidate = Path(folder) / f"{template}.yaml"
        if candidate.is_file():
            return candidate
    raise UserError(f"没有检察建议书模板“{template}”。可用的模板：{'、'.join(template_ids())}。")


_REQUIRED_TEXT = {
    "procuratorate": "检察院名称",
    "number": "文号",
    "recipient": "被建议单位",
    "source": "案件或者问题的来源",
    "objection_period": "提出异议的期限",
    "reply_period": "书面回复的期限",
}
_REQUIRED_ITEMS = {
    "facts": "经调查核实的事实",
    "violations": "存在的违法情形或者应当消除的隐患",
    "recommendations": "建议的具体内容",
}


def _check(content: RecommendationContent) -> None:
    missing = [label for f, label in _REQUIRED_TEXT.items() if not getattr(content, f).strip()]
    missing += [
        label
        for f, label in _REQUIRED_ITEMS.items()
        if not any(item.strip() for item in getattr(content, f))
    ]
    if missing:
        raise UserError(f"检察建议书缺少必备内容：{'、'.join(missing)}。")
    for table in content.evidence:
        for row in table.rows:
            if len(row) != len(table.columns):
                raise UserError(
                    f"证据表“{table.title}”有一行 {len(row)} 项，与表头 {len(table.columns)} 列不符。"
                )


def check_renderable(content: RecommendationContent, template_dirs: Sequence[Path] = ()) -> None:
    """Refuse, before anything is issued, content missing an element or a template that cannot
    be found or loaded (unknown placeholders, syntax errors): what `render_recommendation` would
    refuse, without writing a document.

    Raises:
        UserError: as `render_recommendation`.
    """
    _check(content)
    load_wording(find_template(content.template, template_dirs))


def _lines(text: str) -> list[str]:
    """Non-empty lines of `text`, split at newlines only (not at the vertical tabs and form feeds
    that `str.splitlines` also breaks at: those are dropped as XML-invalid)."""
    text = tables.clean(text.replace("\r\n", "\n").replace("\r", "\n"))
    return [line.strip() for line in text.split("\n") if line.strip()]


# Styles of running text, by first-line indent (characters): their last line must not be a lone
# character and its punctuation (see `layout.last_line_adjustment`).
_RUNNING_TEXT = {"文书正文": 2.0, "一级标题": 2.0, "主送": 0.0}


class _Writer:
    """Appends paragraphs in the document's styles; each run gets its East Asian font too."""

    def __init__(self, doc: Document, wording: Wording, values: dict[str, Any]) -> None:
        self.doc = doc
        self.wording = wording
        self.values = values

    def para(self, text: str, style: str, font: str = layout.FANGSONG) -> Paragraph:
        paragraph = self.doc.add_paragraph(style=style)
        if text:
            text = tables.clean(text)
            run = layout.set_run(paragraph.add_run(text), font)
            if style in _RUNNING_TEXT:
                delta = layout.last_line_adjustment(text, tables.text_width, _RUNNING_TEXT[style])
                if delta:
                    layout.set_character_spacing(run, delta)
        return paragraph

    def paras(self, texts: Sequence[str], style: str, font: str = layout.FANGSONG) -> None:
        """One paragraph per item, and per line within an item."""
        for text in texts:
            for line in _lines(text):
                self.para(line, style, font)

    def part(
        self, part: str, style: str, font: str = layout.FANGSONG, **extra: Any
    ) -> list[Paragraph]:
        return [
            self.para(line, style, font)
            for line in self.wording.lines(part, **self.values, **extra)
        ]

    def blank(self) -> Paragraph:
        return self.doc.add_paragraph(style="文书正文")


def _heading(w: _Writer, n: int, key: str) -> int:
    """Write heading `headings.<key>` numbered `n` if the template has it; return the next n."""
    if not w.wording.has(f"headings.{key}"):
        return n
    text = w.wording.text(f"headings.{key}", **w.values)
    w.part("heading", "一级标题", layout.HEITI, n=chinese_numeral(n), text=text)
    return n + 1


def _signature(w: _Writer) -> list[Paragraph]:
    """署名 and date (`tables.signature_block`)."""
    signature = w.wording.text("signature", **w.values)
    return tables.signature_block(w.para, signature, w.wording.text("date", **w.values))


def _attachment(w: _Writer, content: RecommendationContent) -> None:
    """附件 on a new page: "附件" flush left, the title centred, then each evidence table."""
    label = w.part("attachment_label", "附件标识", layout.HEITI)
    label[0].paragraph_format.page_break_before = True
    w.blank()
    w.part("attachment_title", "文书标题", layout.XIAOBIAOSONG)
    w.blank()
    for n, table in enumerate(content.evidence, 1):
        if n > 1:
            w.blank()
        w.part(
            "evidence_title", "证据表标题", layout.HEITI, n=chinese_numeral(n), title=table.title
        )
        if table.total_rows > len(table.rows):
            w.part(
                "truncated_note",
                "证据表说明",
                layout.KAITI,
                total_rows=table.total_rows,
                shown_rows=len(table.rows),
            )
        for k, (columns, rows) in enumerate(tables.fit_to_page(table.columns, table.rows)):
            if k:
                w.blank()
            tables.add_data_table(w.doc, columns, rows)


def _copy_to(w: _Writer) -> None:
    """抄送 (版记, GB/T 9704 7.4): 4号 仿宋 one character in, wrapped lines under the first
    unit's name, between two rules as wide as the type area (a one-cell table carries them, since
    a paragraph's rules stop at its indents), at the foot of the last page.

    The table sits in a text box pinned to the foot of the type area (`layout.foot_box`),
    anchored in a last, empty paragraph as tall as the box and a line above it. That paragraph
    keeps the text from running under the box; when it does not fit below the text, it moves
    to the next page like any paragraph, and the last lines of the text, kept with it, go along
    (see `layout`'s module docstring).
    """
    lines = w.wording.lines("copy_to", **w.values)
    box = w.doc.add_table(rows=1, cols=1)
    box.alignment = WD_TABLE_ALIGNMENT.CENTER
    box.autofit = False
    tbl_pr = box._tbl.tblPr
    layout.table_width(tbl_pr, layout.text_width_twips())
    layout.table_cell_margins(tbl_pr, top=_COPY_TO_MARGIN, bottom=_COPY_TO_MARGIN)
    layout.table_rules(tbl_pr, top=0.35, bottom=0.35)
    box.columns[0].width = Twips(layout.text_width_twips())
    cell = box.rows[0].cells[0]
    cell.width = Twips(layout.text_width_twips())
    first = cell.paragraphs[0]
    for i, line in enumerate(lines):
        paragraph = first if i == 0 else cell.add_paragraph()
        paragraph.style = w.doc.styles["抄送"]
        layout.set_run(paragraph.add_run(tables.clean(line)), layout.FANGSONG)
        ppr = paragraph._p.get_or_add_pPr()
        layout.indent_chars(ppr, left=4, hanging=3, right=1, size_pt=layout.SIZE_4)
    _keep_with_next(box._tbl.getprevious())
    height = _copy_to_height(lines)
    anchor = w.doc.add_paragraph(style="版记")
    anchor.paragraph_format.line_spacing = Twips(height + layout.line_pitch_twips())
    layout.foot_box(anchor, [box._tbl], height, "版记")


_COPY_TO_MARGIN = 40  # twips above and below the text, inside the rules
_COPY_TO_LINE = round(layout.SIZE_4 * 1.8 * 20)  # the 抄送 style's line, twips


def _copy_to_height(lines: Sequence[str]) -> int:
    """The height of the 抄送 box in twips, rounded up: each line wraps at the type area less
    the indents (first line 1 character in, the others 4, 1 off the right) in 4号."""
    per_line = layout.text_width_twips() / layout.chars_twips(1, layout.SIZE_4)
    first, rest = per_line - 2, per_line - 5
    count = sum(1 + max(0, math.ceil((tables.text_width(line) - first) / rest)) for line in lines)
    rules = 2 * 20
    return count * _COPY_TO_LINE + 2 * _COPY_TO_MARGIN + rules + 40


def _keep_with_next(element: Any) -> None:
    """Keep the body element before the 版记 (a paragraph, or a table's last row) with it."""
    if element is None:
        return
    if element.tag == qn("w:tbl"):
        rows = element.findall(qn("w:tr"))
        paragraphs = rows[-1].iter(qn("w:p")) if rows else iter(())
    elif element.tag == qn("w:p"):
        paragraphs = iter((element,))
    else:
        return
    for p in paragraphs:
        p.get_or_add_pPr().keepNext_val = True


def _values(content: RecommendationContent) -> dict[str, Any]:
    values: dict[str, Any] = {
        "procuratorate": content.procuratorate,
        "number": content.number,
        "recipient": content.recipient,
        "issued_on": chinese_date(content.issued_on),
        "source": content.source,
        "objection_period": content.objection_period,
        "reply_period": content.reply_period,
        "contact": content.contact,
        "copy_to": "，".join(content.copy_to),
        "reply_basis": content.reply_basis or "《人民检察院检察建议工作规定》第十九条",
        "urgency": "鉴于情况紧急，" if content.urgent else "",
    }
    values = {k: tables.clean(v).strip() for k, v in values.items()}
    values["evidence_count"] = len(content.evidence)
    return values


_EXTENDED = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
_APP_PROPERTIES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
    xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
    ><Template>Normal.dotm</Template><Application>shujian</Application
    ><DocSecurity>0</DocSecurity><Company></Company></Properties>"""


def _properties(doc: Document, content: RecommendationContent) -> None:
    """Who wrote the document and what it is, in place of python-docx's template's own words
    ("python-docx", "generated by python-docx", "Microsoft Macintosh Word", a blank thumbnail).

    The extended properties keep only what is true of a generated file: no page or word counts
    (Word recounts them), the application, the procuratorate as the company.
    """
    props = doc.core_properties
    props.author = props.last_modified_by = content.procuratorate
    props.title = tables.clean(f"检察建议书 {content.number}").strip()
    props.subject = props.keywords = props.comments = props.category = ""
    props.content_status = props.identifier = props.language = props.version = ""
    package = doc.part.package
    for r_id, rel in list(package.rels.items()):
        if rel.reltype == RT.EXTENDED_PROPERTIES:
            app = parse_xml(_APP_PROPERTIES.encode())
            app.find(f"{{{_EXTENDED}}}Company").text = tables.clean(content.procuratorate)
            rel.target_part._blob = serialize_part_xml(app)
        elif rel.reltype == RT.THUMBNAIL:  # a picture of python-docx's empty template page
            package.rels.pop(r_id)


def render_recommendation(
    content: RecommendationContent, out: Path, template_dirs: Sequence[Path] = ()
) -> Path:
    """Write the .docx to `out` (parent created), return `out`.

    Raises:
        UserError: unknown or faulty template, or content missing one of the required elements.
    """
    _check(content)
    wording = load_wording(find_template(content.template, template_dirs))
    doc = docx.Document()
    layout.setup_styles(doc)
    layout.setup_page(doc)
    # The default template starts with no paragraphs; everything below is appended in order.
    w = _Writer(doc, wording, _values(content))

    w.part("title", "文书标题", layout.XIAOBIAOSONG)
    w.part("number", "文号")
    w.part("salutation", "主送")
    # Element 1: source.
    w.part("opening", "文书正文")
    n = 1
    # Element 2: facts and evidence ("经查……上述事实，有……等证据证实。").
    n = _heading(w, n, "facts")
    w.paras(content.facts, "文书正文")
    # Element 3: the illegality or hazard, argued ("本院认为……", provisions quoted inline).
    n = _heading(w, n, "violations")
    w.paras(content.violations, "文书正文")
    # Element 4: the recommendations and the provisions they rest on.
    n = _heading(w, n, "recommendations")
    w.part("recommendations_lead", "文书正文")
    items = [tables.clean(r).strip() for r in content.recommendations if r.strip()]
    if len(items) == 1:
        w.para(items[0], "文书正文")
    else:
        for i, item in enumerate(items, 1):
            w.part("recommendation_item", "文书正文", n=chinese_numeral(i), text=item)
    # Elements 5 and 6: periods.
    n = _heading(w, n, "terms")
    w.part("objection", "文书正文")
    w.part("reply", "文书正文")
    # Element 7: other matters, contact.
    if content.other_matters or content.contact.strip():
        n = _heading(w, n, "other")
        w.paras(content.other_matters, "文书正文")
        if content.contact.strip():
            w.part("contact", "文书正文")
    ending = w.part("closing", "文书正文")
    if content.evidence:
        ending += [w.blank(), *w.part("attachment_note", "文书正文")]
    # Room for the seal: it presses on signature and date, its top within a line of the text.
    ending += [w.blank(), w.blank(), *_signature(w)]
    # The last lines of the text stay on the page of the signature and date (GB/T 9704 7.3.5).
    for paragraph in ending[:-1]:
        paragraph.paragraph_format.keep_with_next = True
    if content.evidence:
        _attachment(w, content)
    if content.copy_to:
        _copy_to(w)

    layout.declare_fonts(doc)
    _properties(doc, content)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_docx(doc, out, content.issued_on)
    return out
