"""The 支持起诉意见书 as a .docx (GB/T 9704 layout, `cases.documents.layout`).

A pure renderer, like `recommendation.py` and `guardianship_order.py`: the issuing service
(`cases.support_prosecution`) gathers the content from the case and checks it
(`check_disclosure`); nothing here reads a store. Addressed to the court (主送), it gives in
order: the title (the procuratorate, 支持起诉意见书), the 文号, the court, the opening (who applied,
against whom, when, accepted and reviewed), 一、基本案情 (the facts the prosecutor wrote), 二、本院
协助收集的证据 (each 协助收集证据 step of the case), 三、支持起诉的理由和依据 (本院认为 …, then only
the verified provision: 民事诉讼法第十五条), the request to the court, the contact, the signature and
the date.

Privacy: a minor applicant (申请人类别 未成年人) is named by pseudonym (郭某) everywhere, and their
name may appear nowhere in the text (refused before a number is taken); no ID number at all; a
mobile number is cut to its tail.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx

from shujian.cases.documents import layout, tables
from shujian.cases.documents.disclosure import ID_IN_TEXT, MOBILE_IN_TEXT, surname
from shujian.cases.documents.numerals import chinese_date, chinese_numeral
from shujian.cases.documents.package import save_docx
from shujian.cases.documents.recommendation import _properties as recommendation_properties
from shujian.errors import UserError

TITLE = "支持起诉意见书"

BASIS = (
    (
        "《中华人民共和国民事诉讼法》第十五条",
        "机关、社会团体、企业事业单位对损害国家、集体或者个人民事权益的行为，"
        "可以支持受损害的单位或者个人向人民法院起诉。",
    ),
)
"""The provisions the document cites, each verified from its text (docs/support_prosecution.md,
法律依据 V). Nothing unverified is ever cited."""

MINOR = "未成年人"


def pseudonym(name: str) -> str:
    """郭小花 → 郭某 (欧阳娜娜 → 欧阳某): how the document names a minor applicant."""
    return f"{surname(name) or '某'}某"


@dataclass(frozen=True)
class SupportOpinionContent:
    procuratorate: str
    number: str
    court: str
    applicant: str
    """As the document names them: a minor by pseudonym."""
    applicant_category: str
    respondent: str
    claim: str
    applied_on: dt.date
    accepted_on: dt.date | None
    people: int | None
    amount_claimed: str | None
    """Yuan, exact text ("52000.00"), or None."""
    facts: tuple[str, ...]
    evidence: tuple[str, ...]
    reasons: tuple[str, ...]
    legal_aid: bool
    contact: str
    issued_on: dt.date
    basis: tuple[tuple[str, str], ...] = BASIS

    def to_json(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        for key in ("applied_on", "accepted_on", "issued_on"):
            value = getattr(self, key)
            out[key] = value.isoformat() if value else None
        out["basis"] = [list(b) for b in self.basis]
        for key in ("facts", "evidence", "reasons"):
            out[key] = list(out[key])
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SupportOpinionContent:
        values = dict(data)
        for key in ("applied_on", "accepted_on", "issued_on"):
            values[key] = dt.date.fromisoformat(values[key]) if values.get(key) else None
        for key in ("facts", "evidence", "reasons"):
            values[key] = tuple(values.get(key) or ())
        values["basis"] = tuple(tuple(b) for b in values.get("basis") or BASIS)
        return cls(**values)

    def paragraphs(self) -> list[tuple[str, str]]:
        """(style, text) in order: what the document says below the 主送 line."""
        c = self
        who = c.applicant
        if c.people and c.people > 1 and "等" not in who:
            who = f"{who}等{chinese_numeral(c.people)}人"
        opening = (
            f"申请人{who}（{c.applicant_category}）因与{c.respondent}之间的民事纠纷，"
            f"于{chinese_date(c.applied_on)}向本院申请支持起诉。"
        )
        if c.accepted_on:
            opening += f"本院于{chinese_date(c.accepted_on)}受理，并依法进行了审查。"
        opening += "现将本院意见函告如下："
        claim = f"申请人的诉讼请求：{c.claim.rstrip('。')}"
        if c.amount_claimed:
            claim += f"（请求金额{_yuan(c.amount_claimed)}）"
        out = [
            ("文书正文", opening),
            ("一级标题", "一、基本案情"),
            ("文书正文", claim + "。"),
            *(("文书正文", f) for f in c.facts),
            ("一级标题", "二、本院协助收集的证据"),
        ]
        if c.evidence:
            out += [
                ("文书正文", f"（{chinese_numeral(i)}）{e.rstrip('。；;')}。")
                for i, e in enumerate(c.evidence, 1)
            ]
        else:
            out.append(("文书正文", "申请人提交的证据材料已经本院审查。"))
        basis = "、".join(name for name, _ in c.basis)
        out += [
            ("一级标题", "三、支持起诉的理由和依据"),
            *(("文书正文", r if r.startswith("本院认为") else f"本院认为，{r}") for r in c.reasons),
            (
                "文书正文",
                f"依照{basis}的规定，本院支持申请人{who}向你院提起民事诉讼，请依法受理、审理。"
                + ("本院已协调为申请人提供法律援助。" if c.legal_aid else ""),
            ),
        ]
        if c.contact.strip():
            out.append(("文书正文", f"联系人及电话：{c.contact.strip()}。"))
        return out


def _yuan(text: str) -> str:
    value = float(text)
    if value >= 10000 and value % 10000 == 0:
        return f"{int(value // 10000)}万元"
    return f"{int(value)}元" if value == int(value) else f"{value:.2f}元"


def check_disclosure(content: SupportOpinionContent, minor_name: str | None) -> None:
    """Refuse (code `disclosure`) a document that would identify a minor or print a number.

    `minor_name` is the real name of a minor applicant (None for an adult): it may appear
    nowhere; no ID number may appear at all (an adult's is not needed to support a suit), and a
    mobile number only by its tail (the service scrubs free text before this check).
    """
    texts = [content.applicant, content.respondent, content.claim, content.court]
    texts += [t for _, t in content.paragraphs()]
    for text in texts:
        if ID_IN_TEXT.search(text):
            raise UserError(
                "支持起诉意见书中不能出现公民身份号码，请删去后再制发。", code="disclosure"
            )
        if MOBILE_IN_TEXT.search(text):
            raise UserError("支持起诉意见书中不能出现完整的手机号码。", code="disclosure")
        if minor_name and minor_name.strip() and minor_name.strip() in text:
            raise UserError(
                f"申请人是未成年人，文书中只能写作“{pseudonym(minor_name)}”，"
                "不能出现其真实姓名：请修改案情或理由中的写法。",
                code="disclosure",
            )


def render_support_opinion(
    content: SupportOpinionContent, out: Path, template_dirs: Sequence[Path] = ()
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
    para(TITLE, "文书标题", layout.XIAOBIAOSONG)
    para(content.number, "文号")
    para(f"{content.court}：", "主送")
    fonts = {"一级标题": layout.HEITI, "文书正文": layout.FANGSONG}
    for style, text in content.paragraphs():
        para(text, style, fonts[style])
    ending = [para("", "文书正文"), para("", "文书正文")]
    ending.append(para(content.procuratorate, "署名"))
    ending.append(para(chinese_date(content.issued_on), "署名"))
    for paragraph in ending[:-1]:
        paragraph.paragraph_format.keep_with_next = True
    layout.declare_fonts(doc)
    # the procuratorate as author and company, no trace of python-docx's template (as the
    # 检察建议书's), titled with this kind and its number
    recommendation_properties(doc, content)  # type: ignore[arg-type]
    doc.core_properties.title = tables.clean(f"{TITLE} {content.number}").strip()
    out.parent.mkdir(parents=True, exist_ok=True)
    save_docx(doc, out, content.issued_on)
    return out
