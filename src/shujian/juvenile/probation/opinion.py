"""The 附条件不起诉考察意见书 as a .docx (GB/T 9704 layout, `cases.documents.layout`).

A pure renderer: `service.issue_opinion` gathers the content (the ID number masked) and records it
with its 文号; the file is rendered from the recorded content whenever it is asked for, so that
the same content always gives the same document.

The document is internal to the case file (规则第四百七十七条: the 考察 is concluded with an
opinion before the decision); it names the minor, as the file does, but never shows the full ID
number.
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

CONCLUSIONS = {
    "not_prosecute": "建议作出不起诉决定",
    "revoke": "建议撤销附条件不起诉决定，提起公诉",
}


@dataclass(frozen=True)
class OpinionContent:
    procuratorate: str
    number: str
    name: str
    id_card: str
    """Masked."""
    charge: str
    decided_on: dt.date
    months: int
    ends_on: dt.date
    agency: str
    mentor: str
    conditions: tuple[str, ...]
    measures: tuple[str, ...]
    reports: int
    late_reports: int
    missed_reports: int
    violations: tuple[str, ...]
    performance: str
    victim_opinion: str
    conclusion: str
    issued_on: dt.date

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("decided_on", "ends_on", "issued_on"):
            out[key] = out[key].isoformat()
        for key in ("conditions", "measures", "violations"):
            out[key] = list(out[key])
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OpinionContent:
        values = dict(data)
        for key in ("decided_on", "ends_on", "issued_on"):
            values[key] = dt.date.fromisoformat(values[key])
        for key in ("conditions", "measures", "violations"):
            values[key] = tuple(values[key])
        return cls(**values)

    def paragraphs(self) -> list[tuple[str, str]]:
        """(style, text) in order: what the document says, also what a page shows."""
        c = self
        out = [
            ("一级标题", "一、被考察人基本情况"),
            ("文书正文", f"被考察人{c.name}，公民身份号码{c.id_card}，涉嫌{c.charge}。"),
            ("一级标题", "二、附条件不起诉决定及考验期"),
            (
                "文书正文",
                f"本院于{chinese_date(c.decided_on)}对被考察人作出附条件不起诉决定，"
                f"考验期{chinese_numeral(c.months)}个月，自决定之日起计算，"
                f"至{chinese_date(c.ends_on)}届满。考察机关为{c.agency}"
                + (f"，帮教人员为{c.mentor}" if c.mentor else "")
                + "。",
            ),
            ("文书正文", "被考察人应当遵守下列规定：" + "；".join(
                f"（{chinese_numeral(i)}）{t}" for i, t in enumerate(c.conditions, 1)) + "。"),
        ]  # fmt: skip
        if c.measures:
            out.append(("文书正文", "所附考察措施：" + "；".join(
                f"（{chinese_numeral(i)}）{t}" for i, t in enumerate(c.measures, 1)) + "。"))  # fmt: skip
        if c.reports:
            report = f"考验期内，被考察人报告活动情况{chinese_numeral(c.reports)}次"
        else:
            report = "考验期内，被考察人未报告活动情况"
        lapses = [f"逾期报告{chinese_numeral(n)}次" for n in (c.late_reports,) if n] + [
            f"逾期未报告{chinese_numeral(n)}期" for n in (c.missed_reports,) if n
        ]
        if lapses:
            report += "，其中" + "，".join(lapses) if c.reports else "，" + "，".join(lapses)
        out += [("一级标题", "三、考验期内的表现"), ("文书正文", report + "。")]
        if c.violations:
            out.append(("文书正文", "违反规定的情况：" + "；".join(c.violations) + "。"))
        else:
            out.append(("文书正文", "考验期内未发现违反规定的情况。"))
        if c.performance.strip():
            out.append(("文书正文", c.performance.strip()))
        out += [
            ("一级标题", "四、被害人的意见"),
            ("文书正文", c.victim_opinion.strip() or "本案无被害人。"),
            ("一级标题", "五、考察意见"),
            ("文书正文", f"综上，{CONCLUSIONS[c.conclusion]}。"),
        ]
        return out


def render_opinion(content: OpinionContent, out: Path, template_dirs: Sequence[Path] = ()) -> Path:
    """Write the .docx to `out` (parent created), return `out`."""
    doc = docx.Document()
    layout.setup_styles(doc)
    layout.setup_page(doc)

    def para(text: str, style: str, font: str = layout.FANGSONG) -> Any:
        paragraph = doc.add_paragraph(style=style)
        layout.set_run(paragraph.add_run(text), font)
        return paragraph

    para(content.procuratorate, "文书标题", layout.XIAOBIAOSONG)
    para("附条件不起诉考察意见书", "文书标题", layout.XIAOBIAOSONG)
    para(content.number, "文号")
    fonts = {"一级标题": layout.HEITI, "文书正文": layout.FANGSONG}
    for style, text in content.paragraphs():
        para(text, style, fonts[style])
    ending = [para("", "文书正文"), para("", "文书正文")]
    ending.append(para(content.procuratorate, "署名"))
    ending.append(para(chinese_date(content.issued_on), "署名"))
    for paragraph in ending[:-1]:
        paragraph.paragraph_format.keep_with_next = True
    layout.declare_fonts(doc)
    doc.core_properties.title = "附条件不起诉考察意见书"
    doc.core_properties.identifier = content.number
    out.parent.mkdir(parents=True, exist_ok=True)
    save_docx(doc, out, content.issued_on)
    return out
