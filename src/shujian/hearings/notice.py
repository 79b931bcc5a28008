"""The 听证会公告 of a public hearing as a .docx (规定第十条第四项: 公开听证的，发布听证会公告),
in the GB/T 9704 layout of the other documents. Not numbered: the rule gives a notice no 文号.

Rendered from the hearing as recorded, whenever asked for. A public notice names the hearing's
time, place, matter, host and 听证员 (adults who serve in public); the matter is free text and is
scrubbed of ID and telephone numbers (`cases.documents.disclosure.scrub`); a case marked juvenile
gets no public notice unless its public hearing was reasoned (规定第五条).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx

from shujian.cases.documents import layout
from shujian.cases.documents.disclosure import scrub
from shujian.cases.documents.numerals import chinese_date
from shujian.cases.documents.package import save_docx


@dataclass(frozen=True)
class NoticeContent:
    procuratorate: str
    held_on: dt.date
    place: str
    matter: str
    host: str
    members: tuple[str, ...]
    """姓名（身份）."""
    announced_on: dt.date

    @classmethod
    def of(cls, procuratorate: str, hearing: dict[str, Any]) -> NoticeContent:
        return cls(
            procuratorate=procuratorate,
            held_on=hearing["scheduled_on"],
            place=hearing["place"],
            matter=scrub(hearing["matter"]),
            host=hearing["host"],
            members=tuple(f"{m['name']}（{m['identity']}）" for m in hearing["members"]),
            announced_on=hearing["announced_on"],
        )

    def paragraphs(self) -> list[str]:
        c = self
        return [
            f"本院定于{chinese_date(c.held_on)}在{c.place}召开公开听证会，"
            f"就{c.matter.rstrip('。')}听取听证员和其他参加人的意见。",
            f"听证会由{c.host}主持，听证员为{'、'.join(c.members)}。",
            "欢迎社会各界人士旁听。旁听人员应当遵守听证会纪律。",
            "特此公告。",
        ]


def render_notice(content: NoticeContent, out: Path, template_dirs: Sequence[Path] = ()) -> Path:
    """Write the .docx to `out` (parent created), return `out`."""
    doc = docx.Document()
    layout.setup_styles(doc)
    layout.setup_page(doc)

    def para(text: str, style: str, font: str = layout.FANGSONG) -> Any:
        paragraph = doc.add_paragraph(style=style)
        layout.set_run(paragraph.add_run(text), font)
        return paragraph

    para(content.procuratorate, "文书标题", layout.XIAOBIAOSONG)
    para("听证会公告", "文书标题", layout.XIAOBIAOSONG)
    for text in content.paragraphs():
        para(text, "文书正文")
    ending = [para("", "文书正文"), para("", "文书正文")]
    ending.append(para(content.procuratorate, "署名"))
    ending.append(para(chinese_date(content.announced_on), "署名"))
    for paragraph in ending[:-1]:
        paragraph.paragraph_format.keep_with_next = True
    layout.declare_fonts(doc)
    props = doc.core_properties
    props.author = props.last_modified_by = content.procuratorate
    props.title = "听证会公告"
    props.subject = props.keywords = props.comments = props.category = ""
    out.parent.mkdir(parents=True, exist_ok=True)
    save_docx(doc, out, content.announced_on)
    return out
