"""The body of a 检察建议书 from a case's leads: "经查" facts, "本院认为" argument, default items.

Each model declares what its documents say (`shujian.models.document`); this module turns the
case's leads, their evidence rows as a document may print them (`disclosure`), and the
procuratorate's region into paragraphs:

- facts: "经查，" then one sentence per evidence row from the model's `fact` (up to
  `FACTS_IN_BODY`, the rest "等N处，详见附件"), "一是…二是…" only when there is a second, and
  "上述事实，有…等证据证实。" naming the kinds of evidence — never a file name, a row number, a
  run date or a coordinate;
- argument: "本院认为，" then each verified provision quoted inline (《…》第N条规定：“…”), what
  the facts amount to, and the recipient's duty; a local rule only for a procuratorate of its
  region;
- items: the models' default recommendations (the prosecutor may write their own);
- an attachment table per lead of the model's `attachment` columns, values formatted.

Pure: no store, no files. Tested over every model of the catalogue in
tests/cases/test_document_every_model.py.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from shujian.cases.documents import values
from shujian.cases.documents.disclosure import Pseudonyms, disclosed_rows, register_people
from shujian.cases.documents.numerals import chinese_numeral
from shujian.data.datasets import load_datasets
from shujian.engine.dialects import CompileError
from shujian.models.document import DocumentSpec
from shujian.models.labels import evidence_label, privacy_of
from shujian.models.lineage import LineageError, query_lineage
from shujian.models.spec import LegalBasis, ModelSpec

FACTS_IN_BODY = 6
"""Evidence rows told in the body; the rest are counted and left to the attachment."""

ROWS_IN_ATTACHMENT = 20
"""Rows of each lead printed in the attachment; the total is always stated."""

_ENV = SandboxedEnvironment(
    undefined=jinja2.StrictUndefined, autoescape=False, finalize=values.plain
)
_ENV.filters["yuan"] = values.yuan  # {{ amount | yuan }} → 6万元, 60,001元


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total_rows: int


@dataclass(frozen=True)
class Argument:
    facts: tuple[str, ...]
    reasoning: tuple[str, ...]
    items: tuple[str, ...]
    tables: tuple[Table, ...]
    provisions: tuple[str, ...]
    """The provisions quoted (《…》第N条), in order."""
    pseudonyms: tuple[dict[str, Any], ...]
    """Which lead and row each 郭某 stands for: kept by the platform, never printed."""


class FactNotWritten(ValueError):
    """A lead's evidence does not fit its model's fact sentence (the model changed since the
    lead was found, or a value is missing): the document cannot state the fact."""

    def __init__(self, model_id: str, reason: str) -> None:
        super().__init__(model_id, reason)
        self.model_id = model_id
        self.reason = reason


class DocumentNotDeclared(ValueError):
    """A model without a `document:` block: no document can be argued from its leads."""


def applies_here(basis: LegalBasis, region: Sequence[str]) -> bool:
    """A national provision, or a local one of a place the procuratorate's region names."""
    return not basis.applies_in or any(basis.applies_in in r for r in region if r)


def quoted(model: ModelSpec, region: Sequence[str]) -> list[LegalBasis]:
    """The verified provisions of the model's document that bind in this region, as declared."""
    spec = _spec(model)
    by_cite = {f"{b.law}{b.article}": b for b in model.legal_basis}
    out = []
    for cite in spec.provisions:
        b = by_cite.get(cite.replace("《", "").replace("》", ""))
        if b is not None and b.tag == "V" and b.text and applies_here(b, region):
            out.append(b)
    return out


def _spec(model: ModelSpec) -> DocumentSpec:
    if model.document is None:
        raise DocumentNotDeclared(model.id)
    return model.document


_CJK_SPACE = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")


def _sentence(text: str) -> str:
    """One sentence without its final stop: whitespace that YAML folding left between Chinese
    characters removed, ASCII punctuation made full width."""
    text = _CJK_SPACE.sub("", " ".join(text.split()))
    return values.full_width(text).rstrip("。；，")


def _enumerate(sentences: Sequence[str]) -> str:
    """ "一是…；二是…。" when there are several, the sentence alone when one."""
    if len(sentences) == 1:
        return f"{sentences[0]}。"
    parts = [f"{chinese_numeral(i)}是{s}" for i, s in enumerate(sentences, 1)]
    return "；".join(parts) + "。"


_KINDS: dict[str, dict[str, str]] = {}


def column_kinds(model: ModelSpec) -> dict[str, str]:
    """Output columns that copy a dataset column of type money_yuan or month (by the query's
    lineage), so a document writes 6万元 and 2026年1月 rather than 60000.00 and 2026-01-01.
    Computed once per query (tracing the lineage takes tens of milliseconds)."""
    if model.query not in _KINDS:
        _KINDS[model.query] = _column_kinds(model)
    return _KINDS[model.query]


def _column_kinds(model: ModelSpec) -> dict[str, str]:
    datasets = load_datasets()
    try:
        lineage = query_lineage(model.query, datasets)
    except (LineageError, CompileError):
        return {}
    kinds: dict[str, str] = {}
    for column, sources in lineage.items():
        types = set()
        for src in sources:
            if src.kind != "column" or src.how != "value" or src.dataset not in datasets:
                continue
            try:
                types.add(datasets[src.dataset].column(src.name).type)
            except KeyError:
                continue
        if len(types) == 1 and (t := types.pop()) in ("money_yuan", "month"):
            kinds[column] = t
    return kinds


def _typed_row(row: Mapping[str, Any], kinds: Mapping[str, str]) -> dict[str, Any]:
    out = {}
    for k, v in row.items():
        kind = kinds.get(k)
        out[k] = (
            values.money(v)
            if kind == "money_yuan"
            else values.month(v)
            if kind == "month"
            else values.typed(v)
        )
    return out


def _fact(
    model: ModelSpec,
    rows: Sequence[Mapping[str, Any]],
    parameters: Mapping[str, Any],
    recipient: str,
) -> str:
    context: dict[str, Any] = {k: values.typed(v) for k, v in parameters.items()}
    context.update(rows[0])
    context.update(recipient=recipient, rows=list(rows))
    try:
        return _sentence(_ENV.from_string(_spec(model).fact).render(context))
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError) as exc:
        raise FactNotWritten(model.id, str(exc)) from exc


def _cell(value: Any, kind: str | None) -> str:
    if kind == "money_yuan" and isinstance(value, Decimal):
        return values.yuan(value)
    return values.plain(value)


def build_argument(
    library: Mapping[str, ModelSpec],
    leads: Sequence[Mapping[str, Any]],
    region: Sequence[str],
    recipient: str = "",
) -> Argument:
    """Facts, argument, default items and attachment tables of a case's `leads` (each with
    model_id, id, evidence, evidence_rows, parameters).

    Raises:
        DocumentNotDeclared: a lead's model declares no document.
    """
    by_model: dict[str, list[Mapping[str, Any]]] = {}
    for lead in leads:
        _spec(library[str(lead["model_id"])])
        by_model.setdefault(str(lead["model_id"]), []).append(lead)
    # First pass: every protected person, in the order the document tells them, so that 郭某甲
    # and 郭某乙 are settled before any sentence is written.
    pseudonyms = Pseudonyms()
    for model_id, model_leads in by_model.items():
        for lead in model_leads:
            register_people(
                _spec(library[model_id]), lead["evidence"] or [], int(lead["id"]), pseudonyms
            )
    names = pseudonyms.names()
    facts: list[str] = []
    reasoning: list[str] = []
    items: dict[str, None] = {}
    tables: list[Table] = []
    provisions: list[str] = []
    for k, (model_id, found) in enumerate(by_model.items()):
        model = library[model_id]
        spec = _spec(model)
        kinds = column_kinds(model)
        settled = []
        for lead in found:
            evidence = list(lead["evidence"] or [])
            rows = disclosed_rows(spec, evidence, names, birth_dates(model, evidence))
            settled.append((lead, [_typed_row(r, kinds) for r in rows]))
        groups = [
            (lead, rows if spec.per == "lead" else [row])
            for lead, rows in settled
            for row in (rows[:1] if spec.per == "lead" else rows)
            if rows
        ]
        sentences = [
            _fact(model, rows, lead.get("parameters") or {}, recipient) for lead, rows in groups
        ]
        total = (
            len(settled)
            if spec.per == "lead"
            else sum(max(int(lead.get("evidence_rows") or 0), len(rows)) for lead, rows in settled)
        )
        told = sentences[:FACTS_IN_BODY]
        text = _enumerate(told)
        if total > len(told):
            text = text.rstrip("。") + f"；以上共{total}项，其余详见附件。"
        opener = "经查，" if k == 0 else "另查明，"
        facts.append(f"{opener}{text}")
        facts.append(f"上述事实，有{'、'.join(spec.evidence)}等证据证实。")
        quotes = quoted(model, region)
        provisions += [b.cite() for b in quotes if b.cite() not in provisions]
        body = "".join(f"{b.cite()}规定：“{b.text.strip().rstrip('。；')}。”" for b in quotes)
        lead_in = "本院认为，" if k == 0 else "同时，"
        reasoning.append(f"{lead_in}{body}{_sentence(spec.violation)}。{_sentence(spec.duty)}。")
        for item in spec.items:
            items.setdefault(_sentence(item) + "。", None)
        # One table per model: every lead's rows under one header (the first rows of each
        # lead, so a lead with many rows does not crowd out the others).
        per_lead = max(1, ROWS_IN_ATTACHMENT // max(1, len(settled)))
        shown = [r for _, rows in settled for r in rows[:per_lead]]
        tables.append(
            Table(
                title=values.full_width(model.name),
                columns=tuple(evidence_label(model, c) for c in spec.attachment),
                rows=tuple(
                    tuple(_cell(r.get(c), kinds.get(c)) for c in spec.attachment) for r in shown
                ),
                total_rows=sum(
                    max(int(lead.get("evidence_rows") or 0), len(rows)) for lead, rows in settled
                ),
            )
        )
    return Argument(
        facts=tuple(facts),
        reasoning=tuple(reasoning),
        items=tuple(items),
        tables=tuple(tables),
        provisions=tuple(provisions),
        pseudonyms=tuple(pseudonyms.audit_links()),
    )


def birth_dates(model: ModelSpec, rows: Sequence[Mapping[str, Any]]) -> frozenset[str]:
    """Columns that hold a birth date (by the query's lineage; ages are not dates)."""
    restoring = privacy_of(model).restoring
    return frozenset(
        c for c in restoring if any(isinstance(values.typed(r.get(c)), dt.date) for r in rows)
    )
