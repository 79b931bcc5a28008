"""The 国家司法救助决定书 as a .docx (GB/T 9704 layout, `cases.documents.layout`).

A pure renderer: `service.approve` gathers the content — the applicant named as a document names
them (a minor by surname and 某 only, `cases.documents.disclosure`), and no free text at all (the
受理理由 a prosecutor typed may name a child) — and records it with its 文号; the file is rendered from the recorded content
whenever it is asked for, so the same content always gives the same document. The rule is cited
by its title only: its article numbers in the revised text are not verified (docs/judicial_aid.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import docx

from shujian.cases.documents import layout
from shujian.cases.documents.numerals import chinese_date, chinese_numeral
from shujian.cases.documents.package import save_docx


@dataclass(frozen=True)
class DecisionContent:
    procuratorate: str
    number: str
    applicant: str
    """As the document names them: a minor as 张某."""
    accepted_on: dt.date
    ground: str
    """The ground as the rule words it."""
    people: int
    amount: str
    """Yuan, written 12,345.00."""
    rule: str
    fast: bool
    issued_on: dt.date

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("accepted_on", "issued_on"):
            out[key] = out[key].isoformat()
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DecisionContent:
        values = dict(data)
        for key in ("accepted_on", "issued_on"):
            values[key] = dt.date.fromisoformat(values[key])
        return cls(**values)

    def paragraphs(self) -> list[tuple[str, str]]:
        """(style, text) in order: what the document says, also what a page shows."""
        c = self
        people = f"（共{chinese_numeral(c.people)}人）" if c.people > 1 else ""
        return [
            ("文书正文", f"救助申请人：{c.applicant}{people}。"),
            (
                "文书正文",
                f"本院于{chinese_date(c.accepted_on)}受理救助申请人提出的国家司法救助申请。",
            ),
            (
                "文书正文",
                f"经审查，救助申请人的情况属于{c.ground.removesuffix('的')}的情形，"
                "符合国家司法救助条件。",
            ),
            (
                "文书正文",
                f"根据{c.rule}的有关规定，本院决定给予救助申请人国家司法救助金人民币{c.amount}元，"
                "一次性发放。" + ("本案按快速救助办理。" if c.fast else ""),
            ),
        ]


def render_decision(
    content: DecisionContent, out: Path, template_dirs: Sequence[Path] = ()
) -> Path:
    """Write the .docx to `out` (parent created), return `out`."""
    doc = docx.Document()
    layout.setup_styles(doc)
    layout.setup_page(doc)

    def para(text: str, style: str, font: str = layout.FANGSONG) -> Any:
        paragraph = doc.add_paragraph(style=style)
        layout.set_run(paragraph.add_run(text), font)
        return paragraph

    para(content.procuratorate, "文书标题", layout.XIAOBIAOSONG)
    para("国家司法救助决定书", "文书标题", layout.XIAOBIAOSONG)
    para(content.number, "文号")
    for style, text in content.paragraphs():
        para(text, style)
    ending = [para("", "文书正文"), para("", "文书正文")]
    ending.append(para(content.procuratorate, "署名"))
    ending.append(para(chinese_date(content.issued_on), "署名"))
    for paragraph in ending[:-1]:
        paragraph.paragraph_format.keep_with_next = True
    layout.declare_fonts(doc)
    props = doc.core_properties
    props.author = props.last_modified_by = content.procuratorate
    props.title = f"国家司法救助决定书 {content.number}"
    props.subject = props.keywords = props.comments = props.category = ""
    out.parent.mkdir(parents=True, exist_ok=True)
    save_docx(doc, out, content.issued_on)
    return out
