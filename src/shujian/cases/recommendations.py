"""制发检察建议: number, fill and render the 检察建议书 of a case, in one step of its workflow.

The content is built from the case and its leads — the model that found each lead (source and
legal basis), each lead's title and evidence rows (facts and evidence, ID numbers masked), the
agencies whose files the evidence came from — plus what the prosecutor writes (the specific
recommendations, further facts). It covers the seven elements of 《人民检察院检察建议工作规定》
art. 16; the reply period is the one the workflow's deadline rule gives (2 months; 1 month under
未成年人保护法 art. 114; 15 days when urgent), so the document and the case's deadline agree.

Issuing is one transaction: the `draft_recommendation` transition, the next 文号 of the year, the
rendered .docx and the `recommendations` row with the content it was rendered from. If anything
fails — a bad template, a refused transition — nothing is issued and no number is used.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, update

from shujian import audit
from shujian.cases.categories import Category, declarations
from shujian.cases.deadlines import binding_rule, deadline_or_refuse
from shujian.cases.documents.numerals import chinese_numeral
from shujian.cases.documents.recommendation import (
    EvidenceTable,
    RecommendationContent,
    render_recommendation,
)
from shujian.cases.numbering import format_number, next_seq
from shujian.cases.service import apply_transition
from shujian.cases.store import case_events, case_leads, cases, recommendations
from shujian.cases.workflow import PeriodRule
from shujian.data.warehouse import batches
from shujian.errors import UserError
from shujian.leads.store import leads
from shujian.models.labels import BY_SHAPE, evidence_label, privacy_of
from shujian.models.spec import ModelSpec
from shujian.store import now
from shujian.workspace import Workspace

EVIDENCE_ROWS_IN_DOCUMENT = 20
"""Rows of each lead's evidence printed in the attachment; the total is always stated."""


@dataclass(frozen=True)
class Issued:
    case_id: int
    number: str
    document: Path
    reply_due_text: str


def period_text(rule: PeriodRule) -> str:
    """二个月内 / 一个月内 / 十五日内, counted from receipt, as the document states it."""
    if rule.months is not None:
        return f"收到本检察建议书之日起{chinese_numeral(rule.months)}个月内"
    return f"收到本检察建议书之日起{chinese_numeral(rule.days or 0)}日内"


def case_leads_of(store: Engine, case_id: int) -> list[dict[str, Any]]:
    """The case's leads with their evidence and the agencies whose files that evidence came
    from (refused when the case has none: a recommendation rests on its leads)."""
    with store.connect() as conn:
        rows = conn.execute(
            select(leads)
            .join(case_leads, case_leads.c.lead_id == leads.c.id)
            .where(case_leads.c.case_id == case_id)
            .order_by(leads.c.id)
        ).all()
        found = [dict(r._mapping) for r in rows]
        ids = sorted({b for r in found for ids in r["batches"].values() for b in ids})
        agencies = dict(
            conn.execute(select(batches.c.id, batches.c.agency).where(batches.c.id.in_(ids))).all()
        )
    if not found:
        raise UserError(f"案件 {case_id} 没有线索，无法生成检察建议书。")
    for r in found:
        r["agencies"] = sorted(
            {agencies.get(b, "") for ids in r["batches"].values() for b in ids} - {""}
        )
    return found


def _cell(value: Any) -> str:
    """A value as the document prints it (masked upstream): 150.0 as 150, nothing as blank."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def evidence_table(n: int, lead: dict[str, Any], model: ModelSpec | None) -> EvidenceTable:
    # ID numbers masked by the lineage of each column (down to the region beside a birth date)
    lead = (privacy_of(model) if model else BY_SHAPE).lead(lead)
    rows: list[dict[str, Any]] = lead["evidence"] or []
    columns = [c for c in (model.evidence if model else (rows[0].keys() if rows else ()))]
    labels = tuple(evidence_label(model, c) if model else c for c in columns)
    shown = rows[:EVIDENCE_ROWS_IN_DOCUMENT]
    return EvidenceTable(
        title=f"线索{chinese_numeral(n)}：{lead['title']}",
        columns=labels,
        rows=tuple(tuple(_cell(r.get(c)) for c in columns) for r in shown),
        total_rows=max(int(lead["evidence_rows"] or 0), len(rows)),
    )


def _legal_basis(models: Sequence[ModelSpec]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for m in models:
        for b in m.legal_basis:
            key = b.cite()
            if key not in seen:
                seen[key] = f"{key}：{b.text}" if b.text else key
    return tuple(seen.values())


def build_content(
    ws: Workspace,
    library: dict[str, ModelSpec],
    found: Sequence[dict[str, Any]],
    category: Category,
    recipient: str,
    issued_on: dt.date,
    number: str,
    *,
    items: Sequence[str] = (),
    facts: Sequence[str] = (),
    urgent: bool = False,
    juvenile: bool = False,
    other: Sequence[str] = (),
    copy_to: Sequence[str] = (),
) -> RecommendationContent:
    """The document's content from the case's leads (`case_leads`) and what the prosecutor
    wrote."""
    models = [library[m] for m in dict.fromkeys(r["model_id"] for r in found) if m in library]
    agencies = sorted({a for r in found for a in r["agencies"]})
    model_names = "、".join(f"“{m.name}”" for m in models) or "大数据"
    from_whom = f"对{'、'.join(agencies)}提供的数据" if agencies else "对有关部门提供的数据"
    source = (
        f"本院在履行法律监督职责中，运用{model_names}法律监督模型，{from_whom}进行比对分析，"
        f"发现线索{chinese_numeral(len(found))}条。"
    )
    fact_lines = [f"{chinese_numeral(i)}是{r['title']}。" for i, r in enumerate(found, start=1)]
    violations = tuple(
        f"根据{'、'.join(b.cite() for b in m.legal_basis)}的规定，{m.supervision_point}。"
        f"上述情形违反了上述规定，相关监管职责未依法全面履行，应当依法予以纠正。"
        for m in models
    )
    recommendation_items = tuple(i.strip() for i in items if i.strip()) or (
        f"依法对上述{chinese_numeral(len(found))}处问题逐一核查，依法处理，督促整改到位。",
        "举一反三，开展专项排查，建立健全常态化监管机制，防止类似问题再次发生。",
    )
    settings = ws.section("recommendations")
    objection_days = int(settings.get("objection_days", declarations().objection_days))
    contact = str(settings.get("contact", ""))
    return RecommendationContent(
        template=category.template,
        procuratorate=ws.region.procuratorate_name,
        number=number,
        recipient=recipient,
        issued_on=issued_on,
        source=source,
        facts=(*(f.strip() for f in facts if f.strip()), *fact_lines),
        evidence=tuple(
            evidence_table(i, r, library.get(r["model_id"])) for i, r in enumerate(found, start=1)
        ),
        violations=violations,
        legal_basis=_legal_basis(models),
        recommendations=recommendation_items,
        objection_period=f"收到本检察建议书之日起{chinese_numeral(objection_days)}日内",
        reply_period=period_text(binding_rule("reply", issued_on, urgent, juvenile)),
        other_matters=tuple(o.strip() for o in other if o.strip()),
        contact=contact,
        copy_to=tuple(copy_to),
    )


def default_category(library: dict[str, ModelSpec], found: Sequence[dict[str, Any]]) -> Category:
    """The kind of the case's first lead's model (its first declared 类别)."""
    decl = declarations()
    for r in found:
        model = library.get(r["model_id"])
        if model and model.category:
            return decl.category(model.category[0])
    return decl.category("administrative")


def issue_recommendation(
    ws: Workspace,
    library: dict[str, ModelSpec],
    case_id: int,
    actor: str,
    on_date: dt.date,
    recipient: str,
    *,
    category: str | None = None,
    items: Sequence[str] = (),
    facts: Sequence[str] = (),
    urgent: bool = False,
    juvenile: bool | None = None,
    reason: str = "",
    other: Sequence[str] = (),
    copy_to: Sequence[str] = (),
) -> Issued:
    """制发检察建议: move the case to 制发检察建议, number and render its 检察建议书.

    `juvenile` defaults to true for the 未检 kind (未成年人保护法 art. 114: reply within a month).
    """
    if not recipient or not recipient.strip():
        raise UserError("制发检察建议必须填写被建议单位。")
    recipient = recipient.strip()
    found = case_leads_of(ws.store, case_id)
    kind = declarations().category(category) if category else None
    kind = kind or default_category(library, found)
    is_juvenile = kind.id == "juvenile" if juvenile is None else juvenile
    store = ws.store
    procuratorate = ws.region.procuratorate_name
    year = on_date.year
    target: Path | None = None
    try:
        with store.begin() as conn:
            apply_transition(
                conn,
                case_id,
                "draft_recommendation",
                actor,
                reason,
                on_date,
                {"recipient": recipient, "urgent": urgent, "juvenile": is_juvenile},
                document="recommendation",
            )
            seq = next_seq(conn, procuratorate, kind.id, year)
            number = format_number(ws.region.short, kind.code, year, seq)
            content = build_content(
                ws,
                library,
                found,
                kind,
                recipient,
                on_date,
                number,
                items=items,
                facts=facts,
                urgent=urgent,
                juvenile=is_juvenile,
                other=other,
                copy_to=copy_to,
            )
            target = ws.documents_dir / str(year) / f"{number}.docx"
            render_recommendation(content, target, (ws.templates_dir,))
            digest = hashlib.sha256(target.read_bytes()).hexdigest()
            conn.execute(
                insert(recommendations).values(
                    case_id=case_id,
                    procuratorate=procuratorate,
                    category=kind.id,
                    year=year,
                    seq=seq,
                    number=number,
                    recipient=recipient,
                    issued_on=on_date,
                    content=_jsonable(content),
                    document=str(target.relative_to(ws.root)),
                    document_sha256=digest,
                    filing_due=deadline_or_refuse("filing", on_date),
                    actor=actor,
                    created_at=now(),
                )
            )
            audit.record(
                conn,
                actor,
                "issue_recommendation",
                "case",
                case_id,
                {"number": number, "recipient": recipient, "sha256": digest},
            )
    except BaseException:
        if target is not None:
            target.unlink(missing_ok=True)
        raise
    return Issued(case_id, number, target, content.reply_period)


def file_with_superior(
    store: Engine, number: str, actor: str, on_date: dt.date, filed_with: str
) -> bool:
    """报上一级院备案 (检察建议工作规定 art. 21: within five days of issue); returns whether in time.

    Recorded as a step of the case (its state does not change) and on the recommendation.
    """
    if not filed_with.strip():
        raise UserError("备案必须写明备案单位（上一级人民检察院的部门）。")
    if not actor.strip():
        raise UserError("操作人不能为空。")
    with store.begin() as conn:
        rec = conn.execute(
            select(recommendations).where(recommendations.c.number == number).with_for_update()
        ).first()
        if rec is None:
            raise UserError(f"找不到文号为“{number}”的检察建议书。")
        if rec.filed_on is not None:
            raise UserError(f"检察建议书 {number} 已于 {rec.filed_on.isoformat()} 备案。")
        if on_date < rec.issued_on:
            raise UserError(
                f"备案日期 {on_date.isoformat()} 早于制发日期 {rec.issued_on.isoformat()}。"
            )
        state = conn.execute(select(cases.c.state).where(cases.c.id == rec.case_id)).scalar_one()
        in_time = on_date <= rec.filing_due
        conn.execute(
            update(recommendations).where(recommendations.c.id == rec.id).values(filed_on=on_date)
        )
        fields = {
            "number": number,
            "filed_with": filed_with.strip(),
            "due": rec.filing_due.isoformat(),
            "in_time": in_time,
        }
        conn.execute(
            insert(case_events).values(
                case_id=rec.case_id,
                at=now(),
                on_date=on_date,
                actor=actor.strip(),
                action="file_record",
                from_state=state,
                to_state=state,
                reason="",
                fields=fields,
            )
        )
        audit.record(conn, actor.strip(), "file_record", "case", rec.case_id, fields)
    return in_time


def _jsonable(content: RecommendationContent) -> dict[str, Any]:
    data = dataclasses.asdict(content)
    data["issued_on"] = content.issued_on.isoformat()
    return data


def content_from_record(data: dict[str, Any]) -> RecommendationContent:
    """The content a recommendation was rendered from, as stored (to render it again)."""
    raw = dict(data)
    raw["issued_on"] = dt.date.fromisoformat(raw["issued_on"])
    raw["evidence"] = tuple(
        EvidenceTable(
            title=e["title"],
            columns=tuple(e["columns"]),
            rows=tuple(tuple(r) for r in e["rows"]),
            total_rows=int(e["total_rows"]),
        )
        for e in raw["evidence"]
    )
    for key in (
        "facts",
        "violations",
        "legal_basis",
        "recommendations",
        "other_matters",
        "copy_to",
    ):
        raw[key] = tuple(raw.get(key) or ())
    return RecommendationContent(**raw)


def list_recommendations(store: Engine, case_id: int | None = None) -> list[dict[str, Any]]:
    q = select(recommendations).order_by(recommendations.c.id)
    if case_id is not None:
        q = q.where(recommendations.c.case_id == case_id)
    with store.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


def render_again(ws: Workspace, number: str, out: Path, actor: str) -> Path:
    """Render an issued recommendation again from its stored content (same wording, same 文号)."""
    with ws.store.connect() as conn:
        row = conn.execute(
            select(recommendations).where(recommendations.c.number == number)
        ).first()
    if row is None:
        raise UserError(f"找不到文号为“{number}”的检察建议书。")
    render_recommendation(content_from_record(row.content), out, (ws.templates_dir,))
    audit.record_view(ws.store, actor, "case", row.case_id, {"document": number}, action="export")
    return out
