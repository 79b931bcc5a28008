"""支持起诉: register an application (with or without a lead), take its declared steps with the
workspace's own speed targets, and issue the numbered 支持起诉意见书.

The case kind is declared (`workflows/support_prosecution.yaml`): every step but the document is
the generic `cases.service.transition`, given the workspace's periods (`[support_prosecution]
accept_days`, `review_days`: `deadlines.periods_of`), so the overdue and due lists
(`cases.deadlines`) show a late 受理 or 审查 like any case deadline.

Issuing the document follows `cases/recommendations.py` in three steps, so that the lock on the
文号 counter is never held while a document is rendered:

1. *Draft*, outside any transaction: the content from the case (the application recorded on the
   opening step, the 受理 date, each 协助收集证据 step, 协调法律援助), the facts and reasons the
   prosecutor writes, scrubbed of ID and mobile numbers; a minor applicant named by pseudonym and
   their name refused anywhere in the text (`support_opinion.check_disclosure`); rendered once to
   a temporary file. Anything refused here uses no number.
2. *Reserve*, one short transaction: the case moves (制发支持起诉意见书, which only this service
   may take), the 文号 — entered from the 统一业务应用系统 and checked unique, or the next of the
   kind's own counter series ([support_prosecution] opinion_numbering) — and the
   `support_opinions` row with the content and the file's place, its hash still empty; audited.
3. *Render*, after the commit: the .docx written under a temporary name and moved to its place in
   the short transaction that records its hash. A failure is recorded on the row (`render_error`)
   and `render_issued` writes it later; the number stays issued.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from shujian import audit
from shujian.beijing import today_in_china
from shujian.cases import policy
from shujian.cases.deadlines import periods_of
from shujian.cases.documents.disclosure import scrub
from shujian.cases.documents.kinds import document_kind
from shujian.cases.documents.support_opinion import (
    MINOR,
    SupportOpinionContent,
    check_disclosure,
    pseudonym,
)
from shujian.cases.numbering import (
    COUNTER,
    ENTERED,
    MODES,
    check_date_order,
    next_seq,
    normalise_number,
    parse_entered_seq,
    refuse_taken,
)
from shujian.cases.service import apply_transition, case_row, history, open_case, transition
from shujian.cases.store import case_events, support_opinions
from shujian.errors import UserError
from shujian.names import document_file, partial_file, remove_partials
from shujian.store import now
from shujian.tamper import ledger
from shujian.users import departments_of
from shujian.users.user import User
from shujian.workspace import Workspace

CASE_KIND = "support_prosecution"
KIND = "support_prosecution_opinion"
CATEGORY = "civil"
"""The counter's category: the series is (support_prosecution_opinion, procuratorate, civil,
year); 民 is the 民事 department's code in the 文号."""
DEPT_CODE = "民"
DEPARTMENT = "民事检察部"
UNNUMBERED = "（文号待编）"
TEXT_LIMIT = 4000


@dataclass(frozen=True)
class Issued:
    id: int
    case_id: int
    number: str
    document: Path


# ---------------------------------------------------------------------------- settings


def numbering_mode(ws: Workspace) -> str:
    mode = str(ws.setting("support_prosecution.opinion_numbering"))
    if mode not in MODES:
        raise UserError(
            f"[support_prosecution] opinion_numbering 应为 “entered” 或 “counter”，收到：“{mode}”。",
            code="bad_config",
        )
    return mode


# ---------------------------------------------------------------------------- the application


def apply(
    ws: Workspace,
    user: User,
    *,
    applicant: str,
    applicant_category: str,
    respondent: str,
    claim: str,
    reason: str,
    department: str,
    prosecutor: str,
    on_date: dt.date,
    amount_claimed: str | None = None,
    people: int | str | None = None,
    channel: str | None = None,
    lead_ids: Sequence[int] = (),
    confirm_stale: bool = False,
    home: Mapping[str, str] | None = None,
) -> int:
    """登记支持起诉申请: open a 支持起诉 case from an application, with the leads it came from
    (`wage.support_prosecution` …) or none. Returns the case id; the time to accept starts."""
    fields: dict[str, Any] = {
        "applicant": applicant,
        "applicant_category": applicant_category,
        "respondent": respondent,
        "claim": claim,
        "channel": channel or ("模型线索" if lead_ids else "当事人申请"),
    }
    if amount_claimed not in (None, ""):
        fields["amount_claimed"] = amount_claimed
    if people not in (None, ""):
        fields["people"] = people
    return open_case(
        ws.store,
        list(lead_ids),
        department,
        prosecutor,
        user,
        reason,
        on_date,
        case_kind=CASE_KIND,
        departments=departments_of(ws),
        calendar=ws.calendar,
        periods=periods_of(ws),
        home=home,
        confirm_stale=confirm_stale,
        fields=fields,
    )


def act(
    ws: Workspace,
    user: User,
    case_id: int,
    action: str,
    reason: str = "",
    on_date: dt.date | None = None,
    **fields: Any,
) -> str:
    """A declared step of the case (受理, 协助收集证据, 决定支持起诉, 登记法院立案 …) with the
    workspace's periods; returns the new state."""
    return transition(
        ws.store,
        case_id,
        action,
        user,
        reason,
        on_date or today_in_china(),
        calendar=ws.calendar,
        periods=periods_of(ws),
        **fields,
    )


# ---------------------------------------------------------------------------- the document


def _text(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if len(text) > TEXT_LIMIT:
        raise UserError(f"{what}过长（{len(text)} 字，最多 {TEXT_LIMIT} 字）。", code="too_long")
    return scrub(text)


def _texts(values: Sequence[str], what: str) -> tuple[str, ...]:
    return tuple(_text(v, what) for v in values if v and v.strip())


@dataclass(frozen=True)
class Draft:
    case_id: int
    content: SupportOpinionContent
    minor_name: str | None


def _recorded(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What the case's steps recorded: the application, 受理 date, evidence, legal aid."""
    out: dict[str, Any] = {"evidence": [], "legal_aid": False}
    for r in rows:
        fields = r["fields"] or {}
        if r["action"] == "apply":
            out["application"] = fields
            out["applied_on"] = r["on_date"]
        elif r["action"] == "accept":
            out["accepted_on"] = r["on_date"]
        elif r["action"] == "collect_evidence" and fields.get("evidence"):
            out["evidence"].append(str(fields["evidence"]))
        elif r["action"] == "decide_support":
            out["legal_aid"] = bool(fields.get("legal_aid"))
    return out


def _draft(
    ws: Workspace,
    user: User,
    case_id: int,
    day: dt.date,
    *,
    court: str,
    facts: Sequence[str],
    reasons: Sequence[str],
    contact: str | None,
) -> Draft:
    case = case_row(ws.store, case_id, user)
    if case["case_kind"] != CASE_KIND:
        raise UserError(
            f"案件 {case_id} 是{case['case_kind_label']}案件，不能制发支持起诉意见书。",
            code="wrong_case_kind",
        )
    done = _recorded(history(ws.store, case_id, user))
    app = done.get("application") or {}
    real = str(app.get("applicant") or "").strip()
    category = str(app.get("applicant_category") or "")
    minor = category == MINOR
    people = app.get("people")
    content = SupportOpinionContent(
        procuratorate=ws.region.procuratorate_name,
        number=UNNUMBERED,
        court=policy.need_text(_text(court, "受诉法院"), "受诉法院"),
        applicant=pseudonym(real) if minor else real,
        applicant_category=category,
        respondent=str(app.get("respondent") or ""),
        claim=_text(str(app.get("claim") or ""), "诉讼请求"),
        applied_on=done.get("applied_on") or case["opened_on"],
        accepted_on=done.get("accepted_on"),
        people=int(people) if people not in (None, "") else None,
        amount_claimed=app.get("amount_claimed"),
        facts=_texts(facts, "基本案情"),
        evidence=tuple(_text(e, "协助收集的证据") for e in done["evidence"]),
        reasons=_texts(reasons, "支持起诉的理由"),
        legal_aid=done["legal_aid"],
        contact=_text(
            contact if contact is not None else str(ws.setting("recommendations.contact")),
            "联系人",
        ),
        issued_on=day,
    )
    if not content.facts:
        raise UserError("请写明基本案情（至少一段）。", code="missing_text")
    if not content.reasons:
        raise UserError("请写明支持起诉的理由（本院认为……）。", code="missing_text")
    check_disclosure(content, real if minor else None)
    _check_renderable(content)
    return Draft(case_id, content, real if minor else None)


def _check_renderable(content: SupportOpinionContent) -> None:
    with tempfile.TemporaryDirectory(prefix="shujian-support-check-") as folder:
        document_kind(KIND).renderer()(content, Path(folder) / "check.docx", ())


def draft_opinion(
    ws: Workspace,
    user: User,
    case_id: int,
    out: Path,
    *,
    court: str,
    facts: Sequence[str],
    reasons: Sequence[str],
    on_date: dt.date | None = None,
    contact: str | None = None,
) -> Path:
    """The document as it would be issued, （文号待编）: nothing is recorded but the view."""
    day = on_date or today_in_china()
    draft = _draft(
        ws, user, case_id, day, court=court, facts=facts, reasons=reasons, contact=contact
    )
    document_kind(KIND).renderer()(draft.content, out, ())
    audit.record_view(ws.store, user.name, "case", case_id, {"what": "support_opinion_draft"})
    return out


def _entered_or_refuse(ws: Workspace, number: str | None) -> str | None:
    given = number.strip() if number and number.strip() else None
    if numbering_mode(ws) == ENTERED:
        if given is None:
            raise UserError(
                "制发支持起诉意见书须填写文号：本院的支持起诉意见书文号由统一业务应用系统编定"
                '（[support_prosecution] opinion_numbering = "entered"），请先在统一业务应用系统中'
                '取得文号，制发时填写。如由本平台编号，管理员可改为 "counter"。',
                code="number_required",
            )
        return given
    if given is not None:
        raise UserError(
            '本院的支持起诉意见书由本平台编号（[support_prosecution] opinion_numbering = "counter"），'
            f"不能另行填写文号“{given}”：填写的文号与本平台编出的文号混用会重复。",
            code="number_not_allowed",
        )
    return None


def issue_opinion(
    ws: Workspace,
    user: User,
    case_id: int,
    *,
    court: str,
    facts: Sequence[str],
    reasons: Sequence[str],
    on_date: dt.date | None = None,
    number: str | None = None,
    contact: str | None = None,
) -> Issued:
    """制发支持起诉意见书: draft and check, reserve the number with the case's step, render (see
    the module docstring).

    Raises:
        UserError: refused before anything was recorded (no number used), or
            `document_not_rendered` (issued and numbered, its file not written).
    """
    today = today_in_china()
    day = on_date or today
    policy.check_not_future(day, today, "制发日期")
    entered_text = _entered_or_refuse(ws, number)
    kind = document_kind(KIND)
    example = kind.number(ws.region.short, DEPT_CODE, day.year, 3)
    entered = (
        parse_entered_seq(entered_text, day.year, example, "支持起诉意见书")
        if entered_text
        else None
    )
    draft = _draft(
        ws, user, case_id, day, court=court, facts=facts, reasons=reasons, contact=contact
    )
    procuratorate = ws.region.procuratorate_name
    try:
        with ws.store.begin() as conn:
            if entered is not None:
                refuse_taken(conn, support_opinions, entered[0], "支持起诉意见书")
            apply_transition(
                conn,
                case_id,
                "issue_opinion",
                user,
                "",
                day,
                {"court": draft.content.court},
                document=KIND,
                calendar=ws.calendar,
                periods=periods_of(ws),
            )
            if entered is not None:
                number_, seq, numbering = entered[0], entered[1], ENTERED
            else:
                seq = next_seq(conn, kind, procuratorate, CATEGORY, day.year)
                check_date_order(conn, support_opinions, procuratorate, day)
                number_ = kind.number(ws.region.short, DEPT_CODE, day.year, seq)
                numbering = COUNTER
            content = dataclasses.replace(draft.content, number=number_)
            target = document_file(ws.documents_dir / str(day.year), number_)
            opinion_id = conn.execute(
                support_opinions.insert()
                .values(
                    case_id=case_id,
                    procuratorate=procuratorate,
                    year=day.year,
                    seq=seq,
                    number=number_,
                    numbering=numbering,
                    court=content.court,
                    issued_on=day,
                    content=content.to_json(),
                    document=str(target.relative_to(ws.root)),
                    document_sha256=None,
                    actor=user.name,
                    created_at=now(),
                )
                .returning(support_opinions.c.id)
            ).scalar_one()
            audit.record(
                conn,
                user.name,
                "issue_support_opinion",
                "case",
                case_id,
                {
                    "number": number_,
                    "numbering": numbering,
                    "court": content.court,
                    "document": str(target),
                    # the pseudonym's link to the real applicant stays here, never in the file
                    **({"pseudonym": content.applicant} if draft.minor_name else {}),
                },
                state=ledger.track(conn, "support_opinion", [opinion_id]),
            )
    except IntegrityError:
        if entered is not None:
            with ws.store.connect() as conn:
                refuse_taken(conn, support_opinions, entered[0], "支持起诉意见书")
        raise
    path = _render_recorded(ws.store, int(opinion_id), number_, content, target, user.name)
    return Issued(int(opinion_id), case_id, number_, path)


def _render_recorded(
    store: Engine,
    opinion_id: int,
    number: str,
    content: SupportOpinionContent,
    target: Path,
    actor: str,
) -> Path:
    """Write the file after the reservation committed; record its hash (or the failure)."""
    partial = partial_file(target)
    claimed = 0
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        document_kind(KIND).renderer()(content, partial, ())
        digest = hashlib.sha256(partial.read_bytes()).hexdigest()
        with store.begin() as conn:
            claimed = conn.execute(
                update(support_opinions)
                .where(
                    support_opinions.c.id == opinion_id,
                    support_opinions.c.document_sha256.is_(None),
                )
                .values(document_sha256=digest, render_error=None)
            ).rowcount
            if claimed:
                os.replace(partial, target)
                remove_partials(target)
                audit.record(
                    conn,
                    actor,
                    "render_support_opinion",
                    "support_opinion",
                    opinion_id,
                    {"number": number, "sha256": digest},
                    state=ledger.track(conn, "support_opinion", [opinion_id], {"document_sha256"}),
                )
    except Exception as exc:
        reason = exc.message if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
        with store.begin() as conn:
            conn.execute(
                update(support_opinions)
                .where(
                    support_opinions.c.id == opinion_id,
                    support_opinions.c.document_sha256.is_(None),
                )
                .values(render_error=reason)
            )
            audit.record(
                conn,
                actor,
                "render_failed",
                "support_opinion",
                opinion_id,
                {"number": number, "error": reason},
            )
        raise UserError(
            f"支持起诉意见书 {number} 已制发并编号，但文书未能生成：{reason}。文号已记录，"
            "排除原因后可按存档内容重新生成，文号不变。",
            code="document_not_rendered",
        ) from exc
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    if not claimed:
        raise UserError(
            f"支持起诉意见书 {number} 的文书已由他人生成。", code="document_already_rendered"
        )
    return target


def render_issued(ws: Workspace, user: User, number: str) -> Path:
    """Write the file of an issued opinion whose rendering failed or never happened."""
    row = _row(ws.store, number)
    case_row(ws.store, row["case_id"], user)  # in the user's scope, else not found
    if row["document_sha256"] is not None:
        raise UserError(f"支持起诉意见书 {number} 的文书已生成。", code="document_already_rendered")
    content = SupportOpinionContent.from_json(row["content"])
    return _render_recorded(
        ws.store, row["id"], row["number"], content, ws.root / row["document"], user.name
    )


def _row(store: Engine, number: str) -> dict[str, Any]:
    text = normalise_number(number)
    with store.connect() as conn:
        row = conn.execute(
            select(support_opinions).where(support_opinions.c.number == text)
        ).first()
    if row is None:
        raise UserError(f"找不到支持起诉意见书 {number}。", code="not_found")
    return dict(row._mapping)


def opinions_of(ws: Workspace, user: User, case_id: int) -> list[dict[str, Any]]:
    """The 支持起诉意见书 of a case (in the user's scope), oldest first."""
    case_row(ws.store, case_id, user)
    with ws.store.connect() as conn:
        rows = conn.execute(
            select(support_opinions)
            .where(support_opinions.c.case_id == case_id)
            .order_by(support_opinions.c.id)
        ).all()
    return [dict(r._mapping) for r in rows]


def application_of(store: Engine, case_id: int) -> dict[str, Any]:
    """The application as the opening step recorded it (internal use: the case page)."""
    with store.connect() as conn:
        fields = conn.execute(
            select(case_events.c.fields)
            .where(case_events.c.case_id == case_id, case_events.c.action == "apply")
            .order_by(case_events.c.id)
            .limit(1)
        ).scalar()
    return dict(fields or {})
