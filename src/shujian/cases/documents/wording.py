"""The wording of a 检察建议书: one YAML file per category of recommendation, parts in Jinja2.

A procuratorate edits the wording without touching code, so a template is checked whole when it
is loaded: every required part present, no unknown part (a misspelt key would silently drop a
sentence), and no placeholder outside those the part may use (a misspelt placeholder would only
fail in the branch that renders it, e.g. when a contact is given). Every problem is a `UserError`
whose Chinese message names the file, the part and what is allowed.

Parts are rendered with a sandboxed Jinja2 environment (the files come from outside the code),
`StrictUndefined` and no autoescaping: the output is text for python-docx, which escapes it for
XML itself. Each non-empty line of a rendered part is one paragraph.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from shujian import yamlfile
from shujian.errors import UserError

# Placeholders every part may use (filled from the content object; see docs/recommendations.md).
COMMON_PLACEHOLDERS: dict[str, str] = {
    "procuratorate": "检察院名称",
    "number": "文号",
    "recipient": "被建议单位",
    "issued_on": "成文日期（汉字，如二〇二六年十二月一日）",
    "source": "案件或者问题的来源",
    "objection_period": "提出异议的期限",
    "reply_period": "书面回复的期限",
    "reply_basis": "回复期限所依据的规定（如《中华人民共和国未成年人保护法》第一百一十四条）",
    "urgency": "情况紧急时为“鉴于情况紧急，”，否则为空",
    "contact": "联系人及电话",
    "copy_to": "抄送单位（以逗号连接）",
    "evidence_count": "证据清单中的表格数",
}


@dataclass(frozen=True)
class Part:
    label: str  # Chinese name of the part, for messages and docs
    required: bool = True
    placeholders: tuple[str, ...] = ()  # extra placeholders beyond COMMON_PLACEHOLDERS


# The parts of a template, in document order. Keys under `headings:` are written `headings.x`.
PARTS: dict[str, Part] = {
    "title": Part("标题（每行一行，居中）"),
    "number": Part("文号行"),
    "salutation": Part("主送（被建议单位）行"),
    "opening": Part("开头：案件或者问题的来源（要素一）"),
    "heading": Part("一级标题格式（有标题时）", required=False, placeholders=("n", "text")),
    "headings.facts": Part("标题：事实及证据（可选，要素二）", required=False),
    "headings.violations": Part("标题：违法情形或者隐患（可选，要素三）", required=False),
    "headings.recommendations": Part("标题：检察建议（可选，要素四）", required=False),
    "recommendations_lead": Part("建议内容引语：所依据的规定（要素四）"),
    "recommendation_item": Part("建议事项格式（两项以上时编号）", placeholders=("n", "text")),
    "headings.terms": Part("标题：异议和回复期限（可选）", required=False),
    "objection": Part("异议期限（要素五）"),
    "reply": Part("回复期限（要素六）"),
    "headings.other": Part("标题：其他需要说明的事项（可选，要素七）", required=False),
    "contact": Part("联系人及电话（有联系人时）"),
    "closing": Part("结束语"),
    "attachment_note": Part("附件说明（有证据清单时）"),
    "signature": Part("署名"),
    "date": Part("成文日期"),
    "attachment_label": Part("附件标识"),
    "attachment_title": Part("附件标题"),
    "evidence_title": Part("证据表标题", placeholders=("n", "title")),
    "truncated_note": Part("证据表未列全时的说明", placeholders=("total_rows", "shown_rows")),
    "copy_to": Part("抄送行（有抄送单位时）"),
}

# Plain-text keys (not rendered).
META_KEYS = {"name": "类别名称"}


def allowed_placeholders(part: str) -> tuple[str, ...]:
    return RECOMMENDATION.allowed(part)


@dataclass(frozen=True)
class Scheme:
    """What a kind of document's templates may hold: its parts, the placeholders every part may
    use and its plain-text keys (the 检察建议书's are `RECOMMENDATION`; the 督促监护令 declares
    its own in `documents.guardianship_order`)."""

    label: str
    """The document's Chinese name, for messages (检察建议书)."""
    parts: Mapping[str, Part]
    common: Mapping[str, str]
    meta: Mapping[str, str]

    def allowed(self, part: str) -> tuple[str, ...]:
        return (*self.common, *self.parts[part].placeholders)


RECOMMENDATION = Scheme("检察建议书", PARTS, COMMON_PLACEHOLDERS, META_KEYS)


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


@dataclass(frozen=True)
class Wording:
    """A loaded, checked template: `lines(part, **values)` gives the paragraphs of one part."""

    path: Path
    name: str
    templates: Mapping[str, jinja2.Template]
    scheme: Scheme = RECOMMENDATION

    def has(self, part: str) -> bool:
        return part in self.templates

    def text(self, part: str, **values: Any) -> str:
        try:
            return self.templates[part].render(**values).strip()
        except jinja2.UndefinedError as e:
            label = self.scheme.parts[part].label
            raise UserError(
                f"{self.scheme.label}模板 {self.path} 的“{part}”（{label}）无法填写：{e.message}。"
            ) from e
        except jinja2.TemplateError as e:
            label = self.scheme.parts[part].label
            raise UserError(
                f"{self.scheme.label}模板 {self.path} 的“{part}”（{label}）无法填写：{e}。"
            ) from e

    def lines(self, part: str, **values: Any) -> list[str]:
        """The rendered part split into paragraphs: one per non-empty line."""
        lines = self.text(part, **values).split("\n")
        return [line.strip() for line in lines if line.strip()]


def _flatten(raw: Mapping[str, Any], path: Path, doc: str = "检察建议书") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "headings":
            if not isinstance(value, Mapping):
                raise UserError(f"{doc}模板 {path} 的 headings 应为“标题名: 文字”的映射。")
            for sub, text in value.items():
                flat[f"headings.{sub}"] = text
        else:
            flat[str(key)] = value
    return flat


def load_wording(path: Path, scheme: Scheme = RECOMMENDATION) -> Wording:
    """Load and check one template file.

    Raises:
        UserError: unreadable YAML, a missing required part, an unknown part, a part that is not
            text, a Jinja2 syntax error or a placeholder the part may not use.
    """
    doc, parts, meta_keys = scheme.label, scheme.parts, scheme.meta
    try:
        raw = yamlfile.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        hint = (
            '\n提示：以 {{ 开头的文字要用英文引号括起来，如 number: "{{ number }}"。'
            if isinstance(e, yaml.YAMLError)
            else ""
        )
        raise UserError(f"无法读取{doc}模板 {path}：{e}{hint}") from e
    if not isinstance(raw, Mapping):
        raise UserError(f"{doc}模板 {path} 应为 YAML 映射（部分名: 文字）。")
    flat = _flatten(raw, path, doc)

    unknown = [k for k in flat if k not in parts and k not in meta_keys]
    if unknown:
        known = "、".join([*meta_keys, *parts])
        raise UserError(
            f"{doc}模板 {path} 含有未知的部分：{'、'.join(unknown)}。可用的部分：{known}。"
        )
    missing = [f"{k}（{p.label}）" for k, p in parts.items() if p.required and k not in flat] + [
        f"{k}（{label}）" for k, label in meta_keys.items() if k not in flat
    ]
    if missing:
        raise UserError(f"{doc}模板 {path} 缺少必需的部分：{'、'.join(missing)}。")

    env = _environment()
    templates: dict[str, jinja2.Template] = {}
    for key, source in flat.items():
        if key in meta_keys:
            continue
        label = parts[key].label
        if not isinstance(source, str) or not source.strip():
            raise UserError(f"{doc}模板 {path} 的“{key}”（{label}）应为非空的文字。")
        try:
            ast = env.parse(source)
        except jinja2.TemplateSyntaxError as e:
            raise UserError(
                f"{doc}模板 {path} 的“{key}”（{label}）第{e.lineno}行语法错误：{e.message}。"
            ) from e
        allowed = scheme.allowed(key)
        unknown_vars = sorted(meta.find_undeclared_variables(ast) - set(allowed))
        if unknown_vars:
            names = "、".join("{{ " + v + " }}" for v in unknown_vars)
            raise UserError(
                f"{doc}模板 {path} 的“{key}”（{label}）使用了未知的占位符 {names}。"
                f"可用的占位符：{'、'.join(allowed)}。"
            )
        templates[key] = env.from_string(source)
    return Wording(path=path, name=str(flat["name"]), templates=templates, scheme=scheme)
