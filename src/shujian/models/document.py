"""What a model says in a 检察建议书: its `document:` block, declared beside its query.

A lead is evidence for a prosecutor; a 检察建议书 is an argument to another body. So each model
declares, for documents:

    document:
      recipient: 县级文化和旅游主管部门      # who such a recommendation usually goes to (a hint)
      fact: >-                              # one sentence per evidence row (Jinja2, see below)
        {{ venue_name }}位于{{ venue_address }}，与{{ school_name }}直线距离{{ distance_m }}米
      violation: 上述网吧在中学、小学校园周围二百米范围内经营  # what the facts amount to
      duty: 你单位负有…的职责                 # the recipient's duty the facts show unmet
      provisions: [互联网上网服务营业场所管理条例第九条]  # legal_basis entries (verified) to quote
      items: [依法责令上述网吧停止经营或者迁址，并依法予以处罚]  # default recommendations
      evidence: [学校名录, 互联网上网服务营业场所名录]   # kinds of evidence named in the body
      attachment: [venue_name, school_name, distance_m] # evidence columns of the 证据清单
      persons:                               # natural persons in the rows and how they are named
        - {name: patient_name, role: minor, private: [id_card, birth_date]}

`fact` is a Jinja2 expression over one evidence row (`per: lead`: a lead's first row, with all its
rows as `rows`), the run's parameters and `recipient`; values are
formatted the way a document writes them (`shujian.cases.documents.values`; amounts in yuan
with `{{ amount | yuan }}` → 6万元) and a person's name
is already replaced by the name the document uses for them (`disclosure`). `role` is `minor` or
`victim` (named 郭某, nothing else printed that identifies them: the `private` columns and the
name and ID columns may appear neither in `fact` nor in `attachment`) or `adult` (named in full,
ID number shown only by its last four characters).

`provisions` name legal_basis entries by law and article; only verified entries (tag V) may be
named, and a local rule (`applies_in`) is quoted only to a procuratorate of that region. The
checks here run when a model is loaded, so a model that could print a minor's identity or quote
an unverified note as law never reaches a document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

ROLES = {"minor": "未成年人", "victim": "被害人", "adult": "成年人"}
"""How a person in a model's rows is named in a document."""

PROTECTED_ROLES = ("minor", "victim")
"""Named 郭某 in documents; nothing else that identifies them is printed (未保法 art. 103)."""


class DocumentSpecError(ValueError):
    """A model's `document:` block is wrong; the message is Chinese and names the key."""


@dataclass(frozen=True)
class Person:
    name: str
    """The output column holding the person's name."""
    role: str
    id: str = ""
    """The output column holding the person's ID number, if any."""
    private: tuple[str, ...] = ()
    """Output columns a document never prints for a protected person."""

    @property
    def protected(self) -> bool:
        return self.role in PROTECTED_ROLES

    @property
    def hidden(self) -> tuple[str, ...]:
        """Columns a document may not print at all (a protected person's name is replaced)."""
        own = (self.id,) if self.id and self.protected else ()
        return (*own, *self.private)


@dataclass(frozen=True)
class DocumentSpec:
    recipient: str
    fact: str
    violation: str
    duty: str
    provisions: tuple[str, ...]
    items: tuple[str, ...]
    evidence: tuple[str, ...]
    attachment: tuple[str, ...]
    persons: tuple[Person, ...] = ()
    per: str = "row"
    """`row`: one fact sentence per evidence row; `lead`: one per lead, over its first row with
    all rows as `rows` (for models whose rows are payments or visits of one person)."""

    @property
    def hidden(self) -> frozenset[str]:
        return frozenset(c for p in self.persons for c in p.hidden)


_ENV = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)
_ENV.filters["yuan"] = str  # parsed only here; the document's environment formats amounts


def template_fields(source: str) -> set[str]:
    """The names a fact template reads."""
    return set(meta.find_undeclared_variables(_ENV.parse(source)))


def _strings(raw: Any, key: str, *, required: bool = True) -> tuple[str, ...]:
    if raw is None and not required:
        return ()
    if not isinstance(raw, list) or not all(isinstance(v, str) and v.strip() for v in raw):
        raise DocumentSpecError(f"document.{key} 必须是非空文字的列表。")
    if required and not raw:
        raise DocumentSpecError(f"document.{key} 至少要有一项。")
    return tuple(v.strip() for v in raw)


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise DocumentSpecError(f"document.{key} 必须填写。")
    return " ".join(value.split()) if key != "fact" else value.strip()


def parse_document(raw: Any) -> DocumentSpec:
    """The `document:` block as written (its references are checked by `check_document`)."""
    if not isinstance(raw, dict):
        raise DocumentSpecError("document 必须是一个映射（recipient、fact、violation……）。")
    unknown = set(raw) - {
        "recipient",
        "fact",
        "violation",
        "duty",
        "provisions",
        "items",
        "evidence",
        "attachment",
        "persons",
        "per",
    }
    if unknown:
        raise DocumentSpecError(f"document 中有未知的项：{'、'.join(sorted(unknown))}。")
    persons = []
    for p in raw.get("persons") or ():
        if not isinstance(p, dict) or not p.get("name") or p.get("role") not in ROLES:
            raise DocumentSpecError(
                "document.persons 的每一项都要写明 name（姓名列）和 role"
                f"（{'、'.join(f'{k}={v}' for k, v in ROLES.items())}）。"
            )
        persons.append(
            Person(
                name=str(p["name"]),
                role=str(p["role"]),
                id=str(p.get("id", "") or ""),
                private=_strings(p.get("private"), "persons.private", required=False),
            )
        )
    return DocumentSpec(
        recipient=_text(raw, "recipient"),
        fact=_text(raw, "fact"),
        violation=_text(raw, "violation"),
        duty=_text(raw, "duty"),
        provisions=_strings(raw.get("provisions"), "provisions"),
        items=_strings(raw.get("items"), "items"),
        evidence=_strings(raw.get("evidence"), "evidence"),
        attachment=_strings(raw.get("attachment"), "attachment"),
        persons=tuple(persons),
        per=_per(raw.get("per", "row")),
    )


def _per(value: Any) -> str:
    if value not in ("row", "lead"):
        raise DocumentSpecError("document.per 只能是 row（每行证据一句）或 lead（每条线索一句）。")
    return str(value)


_NOTE = re.compile(r"据二手资料|未核实|未确认|未规定具体|待核|参见|见湖南|另见")
"""Research notes that may sit in a basis text; never quoted as law."""


def check_document(
    spec: DocumentSpec,
    evidence: Sequence[str],
    parameters: Sequence[str],
    basis: Sequence[Any],
) -> list[str]:
    """Problems of a model's document block against its evidence, parameters and legal basis
    (Chinese; empty when none)."""
    problems: list[str] = []
    known = set(evidence)
    for p in spec.persons:
        for c in (p.name, p.id, *p.private):
            if c and c not in known:
                problems.append(f"document.persons：“{c}”不是证据列。")
    try:
        used = template_fields(spec.fact)
    except jinja2.TemplateSyntaxError as exc:
        return [*problems, f"document.fact 模板有语法错误：{exc.message}"]
    unknown = used - known - set(parameters) - {"recipient", "rows"}
    if unknown:
        problems.append(f"document.fact 用到的“{'、'.join(sorted(unknown))}”不是证据列或参数。")
    for where, columns in (("fact", used), ("attachment", set(spec.attachment))):
        leaked = columns & spec.hidden
        if leaked:
            problems.append(
                f"document.{where} 不得使用受保护人员的身份信息列：{'、'.join(sorted(leaked))}。"
            )
    bad = [c for c in spec.attachment if c not in known]
    if bad:
        problems.append(f"document.attachment：“{'、'.join(bad)}”不是证据列。")
    by_cite = {f"{b.law}{b.article}": b for b in basis}
    for cite in spec.provisions:
        entry = by_cite.get(cite.strip("《》").replace("》", ""))
        if entry is None:
            problems.append(f"document.provisions：“{cite}”不在该模型的 legal_basis 中。")
        elif entry.tag != "V":
            problems.append(
                f"document.provisions：“{cite}”未经核实（tag {entry.tag}），不得在文书中引用。"
            )
        elif not entry.text or _NOTE.search(entry.text):
            problems.append(f"document.provisions：“{cite}”没有可引用的条文原文。")
    return problems
