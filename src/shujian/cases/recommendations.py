"""制发检察建议: number, fill and render the 检察建议书 of a case, in one step of its workflow.

The content is built from the case and its leads — the model that found each lead (source and
legal basis), each lead's title and evidence rows (facts and evidence, ID numbers masked), the
agencies whose files the evidence came from — plus what the prosecutor writes (the specific
recommendations, further facts). It covers the seven elements of 《人民检察院检察建议工作规定》
art. 16; the reply period is the one the workflow's deadline rule gives (2 months; 1 month under
未成年人保护法 art. 114; 15 days when urgent), so the document and the case's deadline agree.

Issuing takes three steps, so that the lock on the 文号 counter is never held while a document
is rendered (rendering takes far longer than the rest, and every other issue of the year waits
on that lock):

1. *Draft*, outside any transaction: gather the content and check it against the template
   (content elements present, template found, readable and using known placeholders only).
   Anything refused here — a missing recipient, a broken template — uses no number.
2. *Reserve*, one short transaction: the `draft_recommendation` transition (which re-checks
   everything about the case), the 文号 — the one the 统一业务应用系统 gave, entered and checked
   unique, or the counter's next (see `numbering`) — and the `recommendations` row with the full
   content, the wording template as it is now (kept, so that the document is rendered with it
   ever after) and the file's place, its hash still empty. A refusal here rolls the counter
   back with everything else: no gap.
3. *Render*, after the commit: the .docx is written under a temporary name beside its place and
   moved there in the short transaction that records its hash.

If rendering fails (a full disk, a template error that only shows when filling it), the number
stays issued — numbers are never given back, since another user may already hold the next one —
and the failure is recorded on the recommendation (`render_error`), shown with the case, and
refused with the number (`DocumentNotRendered`); `render_issued` writes the file from the stored
content once the cause is fixed. A process stopped between steps 2 and 3 leaves the same visible
state (hash empty). The alternative — rendering first and taking the number last — would print a
number the document did not yet have; taking the number and rendering inside one transaction
(the earlier design) made every issuer wait on the slowest rendering.

An issued document is frozen: the renderer saves the same content as the same bytes
(`documents.package`), and `render_again` hands out the archived file when its hash is the one
recorded, else the document rendered again from the kept content and wording — only if that
gives the recorded hash.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from shujian import audit
from shujian.beijing import today_in_china
from shujian.cases import policy
from shujian.cases.categories import Category, declarations
from shujian.cases.deadlines import binding_rule, deadline_or_refuse
from shujian.cases.documents import values
from shujian.cases.documents.argument import DocumentNotDeclared, FactNotWritten, build_argument
from shujian.cases.documents.disclosure import scrub
from shujian.cases.documents.kinds import DocumentKind, document_kind
from shujian.cases.documents.numerals import chinese_numeral
from shujian.cases.documents.recommendation import (
    EvidenceTable,
    RecommendationContent,
    check_renderable,
    find_template,
)
from shujian.cases.numbering import (
    COUNTER,
    ENTERED,
    EnteredNumber,
    format_number,
    next_seq,
    numbering_mode,
    parse_entered_number,
)
from shujian.cases.service import apply_transition, case_ref, case_scope, visible_case
from shujian.cases.store import case_events, case_leads, cases, recommendations
from shujian.cases.workflow import PeriodRule
from shujian.data.warehouse import batches
from shujian.errors import UserError
from shujian.juvenile.sealing import records as sealing_records
from shujian.juvenile.sealing import visibility as sealing_visibility
from shujian.leads import parameter_sets
from shujian.leads.store import leads
from shujian.models.spec import ModelSpec
from shujian.names import document_file, partial_file, remove_partials
from shujian.store import now
from shujian.tamper import ledger
from shujian.users.access import RecommendationRef, can, not_found, require, scope_of, visible
from shujian.users.user import User
from shujian.workspace import Workspace

UNNUMBERED = "（文号待编）"
"""The 文号 of a draft while its content is checked, before a number is taken."""


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
        parameter_sets.fill(conn, found)  # leads written since migration 0023 name their set
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
    """The document's content from the case's leads (`case_leads_of`) and what the prosecutor
    wrote: the models' declared facts, argument and items (`documents.argument`), people named
    as the law allows (`documents.disclosure`), the reply period with the provision it rests on.

    Raises:
        UserError: a lead's model is gone or declares no document wording.
    """
    missing = sorted({r["model_id"] for r in found} - set(library))
    if missing:
        raise UserError(
            f"案件的线索来自已不存在的模型：{'、'.join(missing)}，无法生成检察建议书。",
            code="model_missing",
        )
    region = (ws.region.province, ws.region.city, ws.region.county, ws.region.procuratorate_name)
    try:
        argued = build_argument(library, found, region, recipient)
    except FactNotWritten as exc:
        raise UserError(
            f"模型“{library[exc.model_id].name}”的线索证据与其文书写法不符（{exc.reason}），"
            "无法写出事实：模型可能在线索发现后修改过，请重新运行模型后再制发。",
            code="fact_not_written",
        ) from exc
    except DocumentNotDeclared as exc:
        raise UserError(
            f"模型“{library[str(exc)].name}”没有声明检察建议书的写法（document），"
            "无法由其线索生成检察建议书。",
            code="document_not_declared",
        ) from exc
    models = [library[m] for m in dict.fromkeys(r["model_id"] for r in found)]
    agencies = sorted({a for r in found for a in r["agencies"]})
    model_names = "、".join(f"“{values.inner_quotes(m.name)}”" for m in models)
    from_whom = f"对{'、'.join(agencies)}提供的数据" if agencies else "对有关部门提供的数据"
    source = (
        f"本院在履行法律监督职责中，运用{model_names}大数据法律监督模型，{from_whom}进行比对分析，"
        "发现相关问题线索。"
    )
    written = tuple(i.strip() for i in items if i.strip())
    settings = ws.section("recommendations")
    objection_days = int(settings.get("objection_days", declarations().objection_days))
    contact = str(settings.get("contact", ""))
    reply = binding_rule(
        "reply", issued_on, urgent, juvenile, calendar=ws.calendar, category=category.id
    )
    return RecommendationContent(
        template=category.template,
        procuratorate=ws.region.procuratorate_name,
        number=number,
        recipient=recipient,
        issued_on=issued_on,
        source=source,
        facts=(*(scrub(f.strip()) for f in facts if f.strip()), *argued.facts),
        evidence=tuple(
            EvidenceTable(t.title, t.columns, t.rows, t.total_rows) for t in argued.tables
        ),
        violations=argued.reasoning,
        legal_basis=argued.provisions,
        recommendations=written or argued.items,
        objection_period=f"收到本检察建议书之日起{chinese_numeral(objection_days)}日内",
        reply_period=period_text(reply),
        other_matters=tuple(o.strip() for o in other if o.strip()),
        contact=contact,
        copy_to=tuple(copy_to),
        reply_basis=reply.cite,
        urgent=urgent,
        pseudonyms=argued.pseudonyms,
    )


def offered_categories(
    library: dict[str, ModelSpec], found: Sequence[dict[str, Any]]
) -> list[Category]:
    """The kinds of recommendation the case's leads support: the categories their models
    declare, in the order declared (the first lead's model first). A kind no model of the case
    declares — 民事 for leads no model makes civil — is not offered."""
    decl = declarations()
    offered: dict[str, Category] = {}
    for r in found:
        model = library.get(r["model_id"])
        for label in model.category if model else ():
            kind = decl.category(label)
            offered.setdefault(kind.id, kind)
    return list(offered.values())


def default_category(library: dict[str, ModelSpec], found: Sequence[dict[str, Any]]) -> Category:
    """The kind of the case's first lead's model (its first declared 类别)."""
    offered = offered_categories(library, found)
    return offered[0] if offered else declarations().category("administrative")


def chosen_category(
    library: dict[str, ModelSpec], found: Sequence[dict[str, Any]], asked: str | None
) -> Category:
    """The kind asked for, if the case's models declare it; else the default one.

    Raises:
        UserError: a kind none of the case's models declares.
    """
    if not asked:
        return default_category(library, found)
    kind = declarations().category(asked)
    offered = offered_categories(library, found)
    if kind.id not in {k.id for k in offered}:
        names = "、".join(k.label for k in offered) or "（无）"
        raise UserError(
            f"本案线索的模型不支持“{kind.label}”类检察建议：可选 {names}。"
            "检察建议的类别随模型的类别确定。",
            code="category_not_offered",
        )
    return kind


def is_juvenile(category: Category, juvenile: bool | None) -> bool:
    """Whether the shorter 未成年人保护 reply period applies: as asked, else for the 未检 kind
    (未成年人保护法 art. 114: reply within a month)."""
    return category.id == "juvenile" if juvenile is None else juvenile


@dataclass(frozen=True)
class Draft:
    """Everything an issue needs, gathered and checked before any number is taken."""

    case_id: int
    kind: DocumentKind
    category: Category
    recipient: str
    on_date: dt.date
    urgent: bool
    juvenile: bool
    content: RecommendationContent
    """Complete but for its 文号, which the reservation fills in."""
    template_dirs: tuple[Path, ...]


@dataclass(frozen=True)
class Reserved:
    """An issued recommendation, numbered and recorded, whose file is still to be written."""

    id: int
    case_id: int
    number: str
    content: RecommendationContent
    target: Path
    template_text: str | None = None
    """The wording template as it was at issue (None for recommendations issued before it was
    kept): the document is rendered with it, never with the template file as it is now."""


SEALED_DOCUMENT = (
    "本案线索所依据的违法犯罪记录是已封存的未成年人犯罪记录，不能写入发往其他单位的文书："
    "封存的犯罪记录不得向任何单位和个人提供（刑事诉讼法第二百八十六条），有关单位根据国家规定"
    "查询的，应当向封存记录的人民检察院提出书面申请，由检察院在七日以内决定是否许可"
    "（人民检察院刑事诉讼规则第四百八十四条）；不起诉记录只能由司法机关为办案需要查询（第四百八十六条）。"
)
"""Why no 检察建议书 is drafted or issued from a case resting on a sealed juvenile record (the
入职查询 decision, docs/sealing.md)."""


def _refuse_sealed(conn: Connection, case_id: int, user: User) -> None:
    """A case resting on a sealed juvenile record issues no 检察建议书. Who may see sealed
    records is told why (`SEALED_DOCUMENT`); anybody else is answered as for a missing case."""
    if sealing_visibility.case_is_sealed(conn, case_id):
        if can(user, "view_sealed"):
            raise UserError(SEALED_DOCUMENT, code="sealed_record_in_document")
        raise not_found("case", case_id)


def _draft(
    ws: Workspace,
    library: dict[str, ModelSpec],
    case_id: int,
    on_date: dt.date,
    recipient: str,
    category: str | None,
    urgent: bool,
    juvenile: bool | None,
    wording: dict[str, Sequence[str]],
) -> Draft:
    """Gather the content and check it renders with this template, outside any transaction: a
    refused content or a broken template must fail before a number is taken."""
    if not recipient or not recipient.strip():
        raise UserError("制发检察建议必须填写被建议单位。", code="missing_recipient")
    recipient = recipient.strip()
    found = case_leads_of(ws.store, case_id)
    with ws.store.connect() as conn:
        if sealing_visibility.case_is_sealed(conn, case_id):
            raise UserError(SEALED_DOCUMENT, code="sealed_record_in_document")
    kind = chosen_category(library, found, category)
    juvenile_ = is_juvenile(kind, juvenile)
    document = document_kind("recommendation")
    template_dirs = document.template_dirs(ws.templates_dir)
    content = build_content(
        ws,
        library,
        found,
        kind,
        recipient,
        on_date,
        UNNUMBERED,
        urgent=urgent,
        juvenile=juvenile_,
        **wording,
    )
    check_renderable(content, template_dirs)
    return Draft(
        case_id, document, kind, recipient, on_date, urgent, juvenile_, content, template_dirs
    )


@dataclass(frozen=True)
class WordingSnapshot:
    """The wording template a document is rendered with, kept on its recommendation."""

    text: str
    sha256: str


def wording_snapshot(template: str, template_dirs: Sequence[Path]) -> WordingSnapshot:
    """The text of the template file the document would be rendered with now (the workspace's
    copy, else the bundled one), as `documents.recommendation.find_template` finds it."""
    data = find_template(template, template_dirs).read_bytes()
    return WordingSnapshot(data.decode("utf-8"), hashlib.sha256(data).hexdigest())


@contextlib.contextmanager
def frozen_wording(
    template: str, text: str | None, fallback: Sequence[Path]
) -> Iterator[Sequence[Path]]:
    """Template folders that give the kept wording `text` of `template`: a temporary folder
    holding only that snapshot, which the renderer finds before any file of the workspace. A
    recommendation issued before snapshots were kept (`text` None) gets `fallback`, the current
    templates."""
    if text is None:
        yield fallback
        return
    with tempfile.TemporaryDirectory(prefix="shujian-wording-") as folder:
        (Path(folder) / f"{template}.yaml").write_text(text, encoding="utf-8")
        yield (Path(folder),)


def _number_taken(conn: Connection, number: str) -> UserError | None:
    """The refusal of a 文号 another recommendation of the store already has, if one has."""
    taken = conn.execute(
        select(recommendations.c.case_id, recommendations.c.issued_on).where(
            recommendations.c.number == number
        )
    ).first()
    if taken is None:
        return None
    return UserError(
        f"文号 {number} 已被本院另一份检察建议书使用（案件 {taken.case_id}，"
        f"{taken.issued_on.isoformat()} 制发）。文号以院名义统一编号，不能重复："
        "请核对统一业务应用系统中为本案编定的文号。",
        code="number_taken",
    )


def _check_date_order(
    conn: Connection, procuratorate: str, category: Category, year: int, on_date: dt.date
) -> None:
    """Refuse a counter number dated before the latest of its series: 3号 may not bear a date
    before 2号's. Called with the counter row locked, so no issue of the series slips between."""
    latest = conn.execute(
        select(recommendations.c.number, recommendations.c.issued_on)
        .where(
            recommendations.c.procuratorate == procuratorate,
            recommendations.c.category == category.id,
            recommendations.c.year == year,
            recommendations.c.numbering == COUNTER,
        )
        .order_by(recommendations.c.issued_on.desc(), recommendations.c.seq.desc())
        .limit(1)
    ).first()
    if latest is not None and on_date < latest.issued_on:
        raise UserError(
            f"制发日期 {on_date.isoformat()} 早于本院{category.label}类已制发的 {latest.number}"
            f"（{latest.issued_on.isoformat()}）。由本平台编号时，文号按制发先后顺序编排，"
            "后编的文号不能早于前一号的日期：请填写不早于该日的制发日期。",
            code="date_before_previous_number",
        )


def _reserve(
    ws: Workspace,
    draft: Draft,
    user: User,
    reason: str,
    entered: EnteredNumber | None = None,
) -> Reserved:
    """One short transaction: move the case, take the 文号 — the one entered, or the next of the
    counter — and record the recommendation with the content and the wording it will be
    rendered from. The counter row stays locked only for this.

    An entered number already used is refused before the case moves; one taken by another
    issuer at the same moment fails on the unique `number` and is refused the same way, the
    whole transaction rolled back."""
    procuratorate = ws.region.procuratorate_name
    year = draft.on_date.year
    wording = wording_snapshot(draft.content.template, draft.template_dirs)
    # The file may have changed since the draft was checked: the snapshot is what will be used.
    with frozen_wording(draft.content.template, wording.text, ()) as dirs:
        check_renderable(draft.content, dirs)
    try:
        with ws.store.begin() as conn:
            if entered is not None:
                refusal = _number_taken(conn, entered.number)
                if refusal is not None:
                    raise refusal
            apply_transition(
                conn,
                draft.case_id,
                "draft_recommendation",
                user,
                reason,
                draft.on_date,
                {"recipient": draft.recipient, "urgent": draft.urgent, "juvenile": draft.juvenile},
                document=draft.kind.id,
                calendar=ws.calendar,
            )
            if entered is not None:
                seq, number, numbering = entered.seq, entered.number, ENTERED
            else:
                seq = next_seq(conn, draft.kind, procuratorate, draft.category.id, year)
                _check_date_order(conn, procuratorate, draft.category, year, draft.on_date)
                number = format_number(draft.kind, ws.region.short, draft.category.code, year, seq)
                numbering = COUNTER
            content = dataclasses.replace(draft.content, number=number)
            target = document_file(ws.documents_dir / str(year), number)
            rec_id = conn.execute(
                insert(recommendations)
                .values(
                    case_id=draft.case_id,
                    procuratorate=procuratorate,
                    category=draft.category.id,
                    year=year,
                    seq=seq,
                    number=number,
                    numbering=numbering,
                    recipient=draft.recipient,
                    issued_on=draft.on_date,
                    content=_jsonable(content),
                    template_text=wording.text,
                    template_sha256=wording.sha256,
                    document=str(target.relative_to(ws.root)),
                    document_sha256=None,
                    filing_due=deadline_or_refuse("filing", draft.on_date, calendar=ws.calendar),
                    actor=user.name,
                    created_at=now(),
                )
                .returning(recommendations.c.id)
            ).scalar_one()
            audit.record(
                conn,
                user.name,
                "issue_recommendation",
                "case",
                draft.case_id,
                {
                    "number": number,
                    "numbering": numbering,
                    "recipient": draft.recipient,
                    "document": str(target),
                    "template_sha256": wording.sha256,
                    # 郭某 → the lead and row it stands for: the link the document must not print.
                    "pseudonyms": list(draft.content.pseudonyms),
                },
                state=ledger.track(conn, "recommendation", [rec_id]),
            )
    except IntegrityError as exc:
        # Another issuer recorded the same number between the check and the insert.
        if entered is not None:
            with ws.store.connect() as conn:
                refusal = _number_taken(conn, entered.number)
            if refusal is not None:
                raise refusal from exc
        raise
    return Reserved(int(rec_id), draft.case_id, number, content, target, wording.text)


def _render_recorded(
    ws: Workspace, rec: Reserved, actor: str, template_dirs: Sequence[Path]
) -> Path:
    """Write the file of a recorded recommendation, after its transaction has committed.

    The file is rendered with the wording kept on the recommendation (`template_dirs` only for
    one issued before that was kept) under a temporary name beside its place, then moved there
    in the short transaction that records its hash — only if no one recorded one meanwhile, so
    the file on disk and the hash in the store always agree. A failure is recorded on the
    recommendation (its number stays issued) and refused with the number, so the file can be
    rendered again.
    """
    render = document_kind("recommendation").renderer()
    partial = partial_file(rec.target)
    try:
        with frozen_wording(rec.content.template, rec.template_text, template_dirs) as dirs:
            render(rec.content, partial, dirs)
        digest = hashlib.sha256(partial.read_bytes()).hexdigest()
        with ws.store.begin() as conn:
            claimed = conn.execute(
                update(recommendations)
                .where(recommendations.c.id == rec.id, recommendations.c.document_sha256.is_(None))
                .values(document_sha256=digest, render_error=None)
            ).rowcount
            if claimed:
                os.replace(partial, rec.target)
                remove_partials(rec.target)
                audit.record(
                    conn,
                    actor,
                    "render_document",
                    "case",
                    rec.case_id,
                    {"number": rec.number, "sha256": digest},
                    state=ledger.track(conn, "recommendation", [rec.id], {"document_sha256"}),
                )
    except Exception as exc:
        _record_render_failure(ws, rec, actor, exc)
        raise DocumentNotRendered(rec.number, exc) from exc
    finally:
        with contextlib.suppress(OSError):  # its folder may be what failed
            partial.unlink(missing_ok=True)
    if not claimed:
        raise UserError(
            f"检察建议书 {rec.number} 的文书已由他人生成。", code="document_already_rendered"
        )
    return rec.target


def _failure_text(exc: BaseException) -> str:
    return exc.message if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"


def _record_render_failure(ws: Workspace, rec: Reserved, actor: str, exc: BaseException) -> None:
    reason = _failure_text(exc)
    with ws.store.begin() as conn:
        conn.execute(
            update(recommendations)
            .where(recommendations.c.id == rec.id, recommendations.c.document_sha256.is_(None))
            .values(render_error=reason)
        )
        audit.record(
            conn,
            actor,
            "render_failed",
            "case",
            rec.case_id,
            {"number": rec.number, "error": reason},
        )


class DocumentNotRendered(UserError):
    """The recommendation is issued and numbered but its file could not be written.

    Not a refusal of the issue: the number, the case's step and the content stand, and the file
    can be rendered again from the stored content (`render_issued`) once the cause is fixed.
    """

    def __init__(self, number: str, cause: BaseException) -> None:
        super().__init__(
            f"检察建议书 {number} 已制发并编号，但文书未能生成：{_failure_text(cause)}。"
            "文号和案件流转均已记录；排除原因后可按存档内容重新生成，文号不变。",
            code="document_not_rendered",
        )
        self.number = number


def issue_recommendation(
    ws: Workspace,
    library: dict[str, ModelSpec],
    case_id: int,
    user: User,
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
    number: str | None = None,
) -> Issued:
    """制发检察建议: move the case to 制发检察建议, number and render its 检察建议书.

    Three steps (see the module docstring): draft and check, reserve in one short transaction,
    render after it. `juvenile` defaults to true for the 未检 kind (未成年人保护法 art. 114).
    `number` is the 文号 the 统一业务应用系统 gave: required when the workspace's numbering is
    `entered` (the default), refused when it is `counter` (see `numbering`).

    Raises:
        UserError: refused before anything was recorded (no number used).
        DocumentNotRendered: issued and numbered, but the file could not be written.
    """
    require(user, "issue_document")
    with ws.store.connect() as conn:
        _refuse_sealed(conn, case_id, user)
        visible_case(conn, case_id, user)
    # Before the content is gathered and rendered: the transition would refuse it too.
    policy.check_not_future(on_date, today_in_china(), "制发日期")
    entered_text = _entered_or_refuse(ws, number)
    wording = {"items": items, "facts": facts, "other": other, "copy_to": copy_to}
    draft = _draft(ws, library, case_id, on_date, recipient, category, urgent, juvenile, wording)
    entered = None
    if entered_text is not None:
        example = format_number(draft.kind, ws.region.short, draft.category.code, on_date.year, 3)
        entered = parse_entered_number(entered_text, on_date.year, example)
    reserved = _reserve(ws, draft, user, reason, entered)
    document = _render_recorded(ws, reserved, user.name, draft.template_dirs)
    return Issued(case_id, reserved.number, document, reserved.content.reply_period)


def draft_document(
    ws: Workspace,
    library: dict[str, ModelSpec],
    case_id: int,
    user: User,
    on_date: dt.date,
    recipient: str,
    out: Path,
    *,
    category: str | None = None,
    items: Sequence[str] = (),
    facts: Sequence[str] = (),
    urgent: bool = False,
    juvenile: bool | None = None,
    other: Sequence[str] = (),
    copy_to: Sequence[str] = (),
) -> Path:
    """Render the 检察建议书 the case would issue, numbered （文号待编）, to `out`, for reading
    before it is issued: no number is taken and the case does not move. Audited as a view.
    Drafting is working on the case (an assistant drafts what a prosecutor issues)."""
    require(user, "act_on_case")
    with ws.store.connect() as conn:
        _refuse_sealed(conn, case_id, user)
        visible_case(conn, case_id, user)
    wording = {"items": items, "facts": facts, "other": other, "copy_to": copy_to}
    draft = _draft(ws, library, case_id, on_date, recipient, category, urgent, juvenile, wording)
    draft.kind.renderer()(draft.content, out, draft.template_dirs)
    audit.record_view(
        ws.store,
        user.name,
        "case",
        case_id,
        {"document": "draft", "category": draft.category.id},
        action="export",
    )
    return out


def _entered_or_refuse(ws: Workspace, number: str | None) -> str | None:
    """The entered 文号, if the workspace's numbering wants one; refuse a missing one (entered)
    or a given one (counter: the counter would later hand out the same number)."""
    given = number if number is not None and number.strip() else None
    if numbering_mode(ws) == ENTERED:
        if given is None:
            raise UserError(
                "制发检察建议书须填写文号。依《人民检察院检察建议工作规定》第七条，检察建议在"
                "统一业务应用系统中制发，以院名义统一编号：请先在统一业务应用系统中取得本案的"
                "文号（如青检行公建〔2026〕3号），制发时填写。本院如由本平台编号，管理员可在"
                '工作区配置文件 shujian.toml 的 [recommendations] 中写 numbering = "counter"。',
                code="number_required",
            )
        return given
    if given is not None:
        raise UserError(
            f'本院的检察建议书由本平台编号（[recommendations] numbering = "counter"），'
            f"不能另行填写文号“{given.strip()}”：填写的文号与本平台编出的文号混用会重复。"
            '如文号由统一业务应用系统编定，管理员可把 numbering 改为 "entered"。',
            code="number_not_allowed",
        )
    return None


def render_issued(ws: Workspace, number: str, user: User) -> Path:
    """Write the file of an issued recommendation whose rendering failed or never happened (the
    process stopped after the number was recorded), from its stored content, to its recorded
    place; the 文号 and wording are those issued (the template kept at issue, not the file as it
    is now)."""
    require(user, "act_on_case")
    with ws.store.connect() as conn:
        row = _visible_recommendation(conn, number, user)
    if row.document_sha256 is not None:
        raise UserError(
            f"检察建议书 {number} 的文书已生成：{ws.root / row.document}。",
            code="document_already_rendered",
        )
    dirs = document_kind("recommendation").template_dirs(ws.templates_dir)
    return _render_recorded(ws, _reserved_of(ws, row), user.name, dirs)


def _visible_recommendation(
    conn: Connection, number: str, user: User, lock: bool = False, *, sealed_ok: bool = False
) -> Any:
    """The recommendation numbered `number`, if it exists and its case is in the user's scope
    and rests on no sealed juvenile record (`sealed_ok`: the caller checks that itself); else
    not found, the same answer either way."""
    query = select(recommendations).where(recommendations.c.number == number)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise not_found("recommendation", number)
    owner = conn.execute(select(cases).where(cases.c.id == row.case_id)).first()
    if owner is None or not visible(scope_of(user), RecommendationRef(number, case_ref(owner))):
        raise not_found("recommendation", number)
    if not sealed_ok and sealing_visibility.case_is_sealed(conn, int(row.case_id)):
        raise not_found("recommendation", number)
    return row


def _reserved_of(ws: Workspace, row: Any) -> Reserved:
    """A recorded recommendation as it is rendered: its stored content and kept wording."""
    content = content_from_record(row.content)
    return Reserved(
        row.id, row.case_id, row.number, content, ws.root / row.document, row.template_text
    )


def file_with_superior(
    store: Engine, number: str, user: User, on_date: dt.date, filed_with: str
) -> bool:
    """报上一级院备案 (检察建议工作规定 art. 21: within five days of issue); returns whether in time.

    Recorded as a step of the case (its state does not change) and on the recommendation;
    `on_date` may not be after today.
    """
    require(user, "act_on_case")
    policy.check_not_future(on_date, today_in_china(), "备案日期")
    if not filed_with.strip():
        raise UserError("备案必须写明备案单位（上一级人民检察院的部门）。")
    with store.begin() as conn:
        rec = _visible_recommendation(conn, number, user, lock=True)
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
        event_id = conn.execute(
            insert(case_events)
            .values(
                case_id=rec.case_id,
                at=now(),
                on_date=on_date,
                actor=user.name,
                action="file_record",
                from_state=state,
                to_state=state,
                reason="",
                fields=fields,
            )
            .returning(case_events.c.id)
        ).scalar_one()
        audit.record(
            conn,
            user.name,
            "file_record",
            "case",
            rec.case_id,
            fields,
            state=[
                *ledger.track(conn, "recommendation", [rec.id], {"filed_on"}),
                *ledger.track(conn, "case_event", [event_id]),
            ],
        )
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
        "pseudonyms",
    ):
        raw[key] = tuple(raw.get(key) or ())
    return RecommendationContent(**raw)


def list_recommendations(
    store: Engine, case_id: int | None = None, *, user: User | None = None
) -> list[dict[str, Any]]:
    """Issued recommendations (of one case), oldest first: those of cases in the user's scope
    when a user is given (no user: internal use, every one)."""
    q = select(recommendations).order_by(recommendations.c.id)
    if case_id is not None:
        q = q.where(recommendations.c.case_id == case_id)
    if user is not None:
        require(user, "view_cases")
        scoped = case_scope(scope_of(user))
        if scoped is not None:
            q = q.join(cases, cases.c.id == recommendations.c.case_id).where(scoped)
    with store.connect() as conn:
        if user is not None:
            hidden = sealing_visibility.sealed_now(conn).case_ids
            if hidden:  # issued in a case resting on a sealed juvenile record: in no list
                q = q.where(recommendations.c.case_id.not_in(hidden))
        return [dict(r._mapping) for r in conn.execute(q)]


@dataclass(frozen=True)
class Reprint:
    """A re-printed recommendation: where it was written and the state of the archived file."""

    path: Path
    number: str
    archive: str
    """`intact` (the archived file, copied byte for byte), `missing` or `altered` (the document
    rendered again from what was kept at issue, identical to the recorded hash)."""
    archive_path: Path

    @property
    def notice(self) -> str:
        """What the user must be told besides the file (empty when the archive is intact)."""
        if self.archive == "missing":
            return (
                f"存档文书 {self.archive_path} 缺失，已按制发时存档的内容和措辞重新生成，"
                "与制发时记录的文书完全一致（SHA-256 相同）。请从备份恢复存档文书。"
            )
        if self.archive == "altered":
            return (
                f"注意：存档文书 {self.archive_path} 已被改动，与制发时记录的 SHA-256 不符，"
                "未采用也未覆盖该文件；已按制发时存档的内容和措辞重新生成，与制发时记录的文书"
                "完全一致。请核查改动的来源，并从备份恢复存档文书。"
            )
        return ""


def render_again(ws: Workspace, number: str, out: Path, user: User, reason: str = "") -> Reprint:
    """Re-print an issued recommendation: the very document issued, byte for byte.

    The archived file is copied when its SHA-256 is the one recorded at issue. When it is
    missing or altered, the document is rendered again from the stored content and the wording
    kept at issue, and handed out only if its SHA-256 is the recorded one — otherwise refused: a
    different document is never handed out in its place. An altered archive is reported, never
    overwritten (it is evidence of what happened to it).

    Raises:
        UserError: unknown number; the document was never rendered (`document_not_rendered`);
            `out` is the archived file itself; the document cannot be reproduced
            (`document_not_reproducible`); a number not found or of a case outside the user's
            scope (`not_found`, the same answer).
    """
    require(user, "view_cases")
    require(user, "export")
    with ws.store.connect() as conn:
        row = _visible_recommendation(conn, number, user, sealed_ok=True)
        resting = sealing_visibility.case_is_sealed(conn, int(row.case_id))
    # issued before the record it rests on was sealed: re-printed only for a user who may see
    # sealed records and gives a reason (recorded, audited); for everybody else it is not found
    if resting and not sealing_records.may_view_sealed(ws.store, user, resting, reason):
        raise not_found("recommendation", number)
    if row.document_sha256 is None:
        why = f"：{row.render_error}" if row.render_error else ""
        raise UserError(
            f"检察建议书 {number} 的存档文书尚未生成{why}，无法按存档重新打印。"
            "请先生成存档文书（文号和内容不变）。",
            code="document_not_rendered",
        )
    archive = ws.root / row.document
    if out.resolve() == archive.resolve():
        raise UserError(
            f"输出文件不能是存档文书本身（{archive}）：请另选输出位置。", code="output_is_archive"
        )
    data = archive.read_bytes() if archive.is_file() else None
    if data is not None and hashlib.sha256(data).hexdigest() == row.document_sha256:
        state = "intact"
    else:
        state = "missing" if data is None else "altered"
        data = _reproduce(ws, row, state)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    audit.record_view(
        ws.store,
        user.name,
        "case",
        row.case_id,
        {"document": number, "archive": state},
        action="export",
    )
    return Reprint(out, number, state, archive)


def _reproduce(ws: Workspace, row: Any, state: str) -> bytes:
    """The issued document rendered again from what was kept, if it is the one recorded."""
    rec = _reserved_of(ws, row)
    kind = document_kind("recommendation")
    with (
        frozen_wording(
            rec.content.template, rec.template_text, kind.template_dirs(ws.templates_dir)
        ) as dirs,
        tempfile.TemporaryDirectory(prefix="shujian-reprint-") as folder,
    ):
        path = kind.renderer()(rec.content, Path(folder) / "document.docx", dirs)
        data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest == row.document_sha256:
        return data
    archive = "缺失" if state == "missing" else "已被改动（与制发时记录的 SHA-256 不符）"
    wording = (
        "制发时存档的措辞"
        if rec.template_text is not None
        else "现行模板（该文书制发时尚未存档措辞，模板可能已修改）"
    )
    raise UserError(
        f"检察建议书 {row.number} 的存档文书{archive}，按存档内容和{wording}重新生成的文书与"
        f"制发时记录的不一致（记录 {row.document_sha256[:12]}…，重新生成 {digest[:12]}…），"
        "无法重现存档文书：很可能是本程序或其排版组件的版本已变化。为免交出与制发时不同的文书，"
        "未生成任何文件。请从备份恢复存档文书。",
        code="document_not_reproducible",
    )
