"""The 督促监护令 as a .docx: content object + wording template → GB/T 9704 document.

A pure renderer, like `recommendation.py`: the issuing service (`juvenile.guardianship.orders`)
gathers and checks the content; nothing here reads a store. The document is addressed to one
guardian (主送), and in order gives: the title (the procuratorate, 督促监护令), the 文号, the
guardian, the opening (the case in which the guardian's failure came to light, the child named
once by name, the guardian's relation), the facts found, the legal basis and the duties ordered
as numbered items, the 家庭教育指导 ordered (when ordered), the follow-up schedule (months after
issue), what follows a failure to comply, the contact, the signature and date.

Privacy (未成年人保护法 art. 103, `disclosure.py`): the content carries no ID number at all —
`check_disclosure` refuses one anywhere in the text, and any other minor of the register named in
it (the issuing service passes their names) — and a mobile number is cut to its tail.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
from docx.document import Document
from docx.text.paragraph import Paragraph

from shujian.cases.documents import layout, tables
from shujian.cases.documents.disclosure import ID_IN_TEXT, MOBILE_IN_TEXT
from shujian.cases.documents.numerals import chinese_date, chinese_numeral
from shujian.cases.documents.package import save_docx
from shujian.cases.documents.wording import Part, Scheme, Wording, load_wording
from shujian.errors import UserError

TEMPLATES_DIR = Path(__file__).parent / "templates" / "guardianship"
TEMPLATE = "order"

PARTS: dict[str, Part] = {
    "title": Part("标题（每行一行，居中）"),
    "number": Part("文号行"),
    "salutation": Part("主送（监护人）行"),
    "opening": Part("开头：发现的案件和监护人的身份"),
    "basis": Part("法律依据和责令事项的引语"),
    "item": Part("监护事项格式（两项以上时编号）", placeholders=("n", "text")),
    "guidance": Part("责令接受家庭教育指导（有时）", placeholders=("guidance",)),
    "follow_up": Part("回访安排"),
    "consequence": Part("不履行的后果", required=False),
    "contact": Part("联系人及电话（有联系人时）"),
    "closing": Part("结束语"),
    "signature": Part("署名"),
    "date": Part("成文日期"),
}

PLACEHOLDERS: dict[str, str] = {
    "procuratorate": "检察院名称",
    "number": "文号",
    "guardian": "监护人姓名",
    "relation": "监护人与未成年人的关系（父亲、母亲、祖父……）",
    "child": "未成年人的姓名（只写在开头和回访安排中）",
    "basis": "法律依据（如《中华人民共和国家庭教育促进法》第四十九条）",
    "schedule": "回访安排（如一个月、三个月、六个月）",
    "issued_on": "成文日期（汉字，如二〇二六年十二月一日）",
    "contact": "联系人及电话",
}

SCHEME = Scheme("督促监护令", PARTS, PLACEHOLDERS, {"name": "名称"})

_TEMPLATE_ID = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class OrderContent:
    """What a 督促监护令 says; the template supplies the sentences around it."""

    procuratorate: str
    number: str
    guardian: str
    relation: str
    child: str
    issued_on: dt.date
    facts: tuple[str, ...]
    basis: tuple[str, ...]
    """The provisions the order rests on, as cited (《…》第N条)."""
    items: tuple[str, ...]
    """The duties ordered."""
    follow_up_months: tuple[int, ...]
    guidance: str = ""
    """The 家庭教育指导 ordered (empty: none)."""
    contact: str = ""
    template: str = TEMPLATE


def find_template(template: str, template_dirs: Sequence[Path] = ()) -> Path:
    """`<template>.yaml` from the first of `template_dirs` that has it, else the bundled one."""
    if not _TEMPLATE_ID.match(template):
        raise UserError(
            f"督促监护令模板名“{template}”不合法：只能由字母、数字、下划线和连字符组成。"
        )
    for folder in (*template_dirs, TEMPLATES_DIR):
        candidate = Path(folder) / f"{template}.yaml"
        if candidate.is_file():
            return candidate
    raise UserError(f"没有督促监护令模板“{template}”。")


def schedule_text(months: Iterable[int]) -> str:
    """(1, 3, 6) → 一个月、三个月、六个月."""
    return "、".join(f"{chinese_numeral(m)}个月" for m in months)


def _texts(content: OrderContent) -> list[tuple[str, str]]:
    named = [
        ("监护人姓名", content.guardian),
        ("关系", content.relation),
        ("未成年人姓名", content.child),
        ("联系人及电话", content.contact),
        ("家庭教育指导", content.guidance),
    ]
    named += [("事实", t) for t in content.facts]
    named += [("监护事项", t) for t in content.items]
    return named


def check_disclosure(content: OrderContent, other_minors: Iterable[str] = ()) -> None:
    """Refuse content that would disclose what the order must not: an ID number anywhere (the
    guardian knows their child; nobody else's number belongs in it), or the name of another minor
    of the register (`other_minors`, the child's own name excluded by the caller).

    Raises:
        UserError: code `id_number_in_document` or `other_minor_named`, naming the part.
    """
    for where, text in _texts(content):
        if ID_IN_TEXT.search(text or ""):
            raise UserError(
                f"督促监护令的“{where}”中有公民身份号码：文书不写任何人的公民身份号码，请删去。",
                code="id_number_in_document",
            )
    others = sorted({n.strip() for n in other_minors if n and len(n.strip()) >= 2})
    for where, text in _texts(content):
        if where == "未成年人姓名":
            continue
        for name in others:
            if name and name != content.child and name in (text or ""):
                raise UserError(
                    f"督促监护令的“{where}”写有另一名未成年人的姓名“{name}”：督促监护令只送达"
                    "监护人本人，不得写明其子女以外的未成年人（未成年人保护法第一百零三条）。"
                    "同案人、被害人等请以“他人”等表述代替。",
                    code="other_minor_named",
                )


def _check(content: OrderContent) -> None:
    missing = [
        label
        for label, value in (
            ("检察院名称", content.procuratorate),
            ("文号", content.number),
            ("监护人姓名", content.guardian),
            ("监护人与未成年人的关系", content.relation),
            ("未成年人姓名", content.child),
        )
        if not value.strip()
    ]
    if not any(f.strip() for f in content.facts):
        missing.append("监护人未依法履行监护职责的事实")
    if not any(i.strip() for i in content.items):
        missing.append("责令履行的监护事项")
    if not content.basis:
        missing.append("法律依据")
    if not content.follow_up_months:
        missing.append("回访安排")
    if missing:
        raise UserError(f"督促监护令缺少：{'、'.join(missing)}。", code="order_incomplete")


def _values(content: OrderContent) -> dict[str, Any]:
    values = {
        "procuratorate": content.procuratorate,
        "number": content.number,
        "guardian": content.guardian,
        "relation": content.relation,
        "child": content.child,
        "basis": "、".join(content.basis),
        "schedule": schedule_text(content.follow_up_months),
        "issued_on": chinese_date(content.issued_on),
        "contact": content.contact,
    }
    return {k: tables.clean(v).strip() for k, v in values.items()}


class _Writer:
    def __init__(self, doc: Document, wording: Wording, values: dict[str, Any]) -> None:
        self.doc, self.wording, self.values = doc, wording, values

    def para(self, text: str, style: str, font: str = layout.FANGSONG) -> Paragraph:
        paragraph = self.doc.add_paragraph(style=style)
        if text:
            text = tables.clean(text)
            run = layout.set_run(paragraph.add_run(text), font)
            if style in ("文书正文", "主送"):
                indent = 2.0 if style == "文书正文" else 0.0
                delta = layout.last_line_adjustment(text, tables.text_width, indent)
                if delta:
                    layout.set_character_spacing(run, delta)
        return paragraph

    def part(
        self, part: str, style: str, font: str = layout.FANGSONG, **extra: Any
    ) -> list[Paragraph]:
        return [
            self.para(line, style, font)
            for line in self.wording.lines(part, **self.values, **extra)
        ]

    def blank(self) -> Paragraph:
        return self.doc.add_paragraph(style="文书正文")


def _signature(w: _Writer) -> list[Paragraph]:
    """署名 and date (`tables.signature_block`)."""
    signature = w.wording.text("signature", **w.values)
    return tables.signature_block(w.para, signature, w.wording.text("date", **w.values))


def _lines(text: str) -> list[str]:
    text = tables.clean(text.replace("\r\n", "\n").replace("\r", "\n"))
    return [line.strip() for line in text.split("\n") if line.strip()]


def render_guardianship_order(
    content: OrderContent, out: Path, template_dirs: Sequence[Path] = ()
) -> Path:
    """Write the .docx to `out` (parent created), return `out`.

    Raises:
        UserError: unknown or faulty template, or content missing a required element.
    """
    _check(content)
    wording = load_wording(find_template(content.template, template_dirs), SCHEME)
    doc = docx.Document()
    layout.setup_styles(doc)
    layout.setup_page(doc)
    w = _Writer(doc, wording, _values(content))

    w.part("title", "文书标题", layout.XIAOBIAOSONG)
    w.part("number", "文号")
    w.part("salutation", "主送")
    w.part("opening", "文书正文")
    for fact in content.facts:
        for line in _lines(fact):
            w.para(line, "文书正文")
    w.part("basis", "文书正文")
    items = [tables.clean(i).strip() for i in content.items if i.strip()]
    if len(items) == 1:
        w.para(items[0], "文书正文")
    else:
        for i, item in enumerate(items, 1):
            w.part("item", "文书正文", n=chinese_numeral(i), text=item)
    if content.guidance.strip():
        w.part("guidance", "文书正文", guidance=tables.clean(content.guidance).strip())
    w.part("follow_up", "文书正文")
    if wording.has("consequence"):
        w.part("consequence", "文书正文")
    if content.contact.strip():
        w.part("contact", "文书正文")
    ending = w.part("closing", "文书正文")
    ending += [w.blank(), w.blank(), *_signature(w)]
    for paragraph in ending[:-1]:
        paragraph.paragraph_format.keep_with_next = True

    layout.declare_fonts(doc)
    props = doc.core_properties
    props.author = props.last_modified_by = content.procuratorate
    props.title = tables.clean(f"督促监护令 {content.number}").strip()
    props.subject = props.keywords = props.comments = props.category = ""
    out.parent.mkdir(parents=True, exist_ok=True)
    save_docx(doc, out, content.issued_on)
    return out


def scrub_mobile(text: str) -> str:
    """A mobile number in free text, cut to its tail (as `disclosure.scrub` does)."""
    return MOBILE_IN_TEXT.sub(lambda m: f"尾号{m.group()[-4:]}的电话", text)
