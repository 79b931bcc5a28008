"""国家司法救助 on the case machinery: 受理 (a case of kind `judicial_aid`, opened from the
application with no lead), 审查认定, 决定救助 with the amount checked against the cap and the
numbered 国家司法救助决定书, the fast track, 发放, and the figures per ground.

Each step is the case service's transition, in its transaction, audited and in `case_events`; 决定
救助 reserves the 文号 from the kind's own counter and, in the same transaction as the step,
renders the 决定书 into the workspace's documents folder and records its content, the file's place
and its SHA-256 (`shujian audit verify` compares the file with it). The row is append-only, so
the hash cannot be filled in after the commit as the 检察建议书's is: the file is written first
(a short rendering, no free text to check), put in place before the commit, and removed again if
the transaction does not commit — a recorded decision always has its file. Who may: the case
actions (`open_case`, `act_on_case`, and `issue_document` for the decision); who sees: the case's
scope.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from shujian import audit
from shujian.beijing import today_in_china
from shujian.cases import policy
from shujian.cases.documents.disclosure import surname
from shujian.cases.documents.kinds import document_kind
from shujian.cases.numbering import next_seq, refuse_taken
from shujian.cases.outcomes import parse_amount
from shujian.cases.scope import case_scope
from shujian.cases.service import apply_transition, open_case, visible_case
from shujian.cases.store import case_events, cases
from shujian.errors import UserError
from shujian.judicial_aid import rules
from shujian.judicial_aid.decision import DecisionContent, render_decision
from shujian.judicial_aid.store import judicial_aid_decisions
from shujian.names import document_file, partial_file, remove_partials
from shujian.store import now
from shujian.tamper import ledger
from shujian.users.access import require, scope_of
from shujian.users.departments import departments_of
from shujian.users.user import User
from shujian.workspace import Workspace

KIND = "judicial_aid"
DOCUMENT = "judicial_aid_decision"
CATEGORY = "judicial_aid"


@dataclass(frozen=True)
class Limits:
    """What the workspace sets: the cap and where its base comes from, the fast track's most."""

    monthly_wage: int | None
    source: str
    months: int
    fast_limit: int

    @classmethod
    def of(cls, ws: Workspace) -> Limits:
        return cls(
            monthly_wage=ws.setting("judicial_aid.monthly_wage"),
            source=str(ws.setting("judicial_aid.monthly_wage_source") or ""),
            months=int(ws.setting("judicial_aid.cap_months")),
            fast_limit=int(ws.setting("judicial_aid.fast_limit")),
        )

    def cap(self) -> Decimal:
        return rules.cap(self.monthly_wage, self.months, self.source)


@dataclass(frozen=True)
class Approved:
    case_id: int
    number: str
    amount: Decimal
    cap: Decimal
    document: Path


def apply(
    ws: Workspace,
    user: User,
    *,
    department: str,
    prosecutor: str,
    reason: str,
    received_on: dt.date,
    juvenile: bool = False,
) -> int:
    """受理 an application: a new case of kind 国家司法救助 with no lead; returns its id.
    `juvenile`: the applicant (or the victim) is a minor — the case is marked 涉未成年人, so
    that its hearings are not public without a reason and its figures count it."""
    return open_case(
        ws.store,
        [],
        department,
        prosecutor,
        user,
        reason,
        received_on,
        case_kind=KIND,
        departments=departments_of(ws),
        calendar=ws.calendar,
        juvenile=juvenile,
    )


def _aid_case(conn: Connection, case_id: int, user: User) -> Any:
    row = visible_case(conn, case_id, user)
    if row.case_kind != KIND:
        raise UserError(f"案件 {case_id} 不是国家司法救助案件。", code="not_judicial_aid")
    return row


def _review_fields(ground: str, applicant: str, people: object, minor: bool) -> dict[str, Any]:
    rules.declarations().ground(ground)
    return {
        "ground": ground,
        "applicant": policy.need_text(applicant, "救助申请人"),
        "people": rules.parse_people(people),
        "applicant_minor": bool(minor),
    }


def review(
    ws: Workspace,
    user: User,
    case_id: int,
    on: dt.date,
    *,
    ground: str,
    applicant: str,
    people: object = 1,
    minor: bool = False,
    reason: str = "",
) -> None:
    """审查认定: the ground (细则 art. 7, declared), the applicant and the people helped."""
    fields = _review_fields(ground, applicant, people, minor)
    with ws.store.begin() as conn:
        _aid_case(conn, case_id, user)
        apply_transition(conn, case_id, "review", user, reason, on, fields, calendar=ws.calendar)


def _amount(text: object) -> Decimal:
    if isinstance(text, Decimal):
        return text
    try:
        return parse_amount(str(text))
    except UserError as e:
        raise UserError(f"救助金额：{e.message}", code="aid_amount") from None


def _latest(conn: Connection, case_id: int, action: str) -> Any:
    return conn.execute(
        select(case_events)
        .where(case_events.c.case_id == case_id, case_events.c.action == action)
        .order_by(case_events.c.id.desc())
        .limit(1)
    ).first()


def approve(
    ws: Workspace,
    user: User,
    case_id: int,
    on: dt.date,
    *,
    amount: object,
    exceed_approval: str = "",
    damages: object | None = None,
    reason: str = "",
    _fast: dict[str, Any] | None = None,
) -> Approved:
    """决定救助: check the amount against the cap (and its lawful excess), move the case, number,
    render and record the 国家司法救助决定书 with its file's SHA-256, in one transaction.

    Raises:
        UserError: refused before anything was recorded (no number used, no file left).
    """
    require(user, "issue_document")
    limits = Limits.of(ws)
    limit = limits.cap()
    value = _amount(amount)
    excess = _amount(damages) if damages not in (None, "") else None
    rules.check_amount(
        value,
        limit,
        months=limits.months,
        exceed_approval=exceed_approval,
        damages=excess,
        fast=_fast is not None,
        fast_limit=limits.fast_limit,
    )
    policy.check_not_future(on, today_in_china(), "决定日期")
    kind = document_kind(DOCUMENT)
    region = ws.region
    written: list[Path] = []
    try:
        with ws.store.begin() as conn:
            row = _aid_case(conn, case_id, user)
            if _fast is not None:
                if on != row.opened_on:
                    raise UserError(
                        "快速救助应在受理当日审查认定并作出决定："
                        f"本案于{row.opened_on.isoformat()}受理。",
                        code="aid_fast_day",
                    )
                apply_transition(conn, case_id, "review", user, "快速救助", on, _fast,
                                 calendar=ws.calendar)  # fmt: skip
            reviewed = _latest(conn, case_id, "review")
            fields: dict[str, Any] = {
                "amount": str(value),
                "fast_track": _fast is not None,
            }
            seq = next_seq(conn, kind, region.procuratorate_name, CATEGORY, on.year)
            number = kind.number(region.short, "", on.year, seq)
            recorded = {
                "number": number,
                "cap": str(limit),
                "monthly_wage": limits.monthly_wage,
                "monthly_wage_source": limits.source,
                "cap_months": limits.months,
                **({"exceed_approval": exceed_approval.strip()} if value > limit else {}),
                **({"damages": str(excess)} if value > limit and excess is not None else {}),
            }
            apply_transition(conn, case_id, "approve", user, reason, on, {**fields, **recorded},
                             document=DOCUMENT, calendar=ws.calendar)  # fmt: skip
            rf = reviewed.fields if reviewed is not None else {}
            applicant = str(rf.get("applicant", ""))
            content = DecisionContent(
                procuratorate=region.procuratorate_name,
                number=number,
                applicant=f"{surname(applicant)}某" if rf.get("applicant_minor") else applicant,
                accepted_on=row.opened_on,
                ground=rules.declarations().ground(str(rf.get("ground"))).text,
                people=rules.parse_people(rf.get("people", 1)),
                amount=rules.yuan(value),
                rule=rules.declarations().rule,
                fast=_fast is not None,
                issued_on=on,
            )
            target = document_path(ws, number, on.year)
            # its file is another decision's: never overwritten
            refuse_taken(conn, judicial_aid_decisions, number, "国家司法救助决定书", TAKEN_HINT,
                         by_case=True)  # fmt: skip
            digest = _write(content, target, written)
            decision_id = conn.execute(
                insert(judicial_aid_decisions).values(
                    case_id=case_id, number=number, year=on.year, seq=seq, issued_on=on,
                    content=content.to_json(), document=str(target.relative_to(ws.root)),
                    document_sha256=digest, actor=user.name, at=now(),
                ).returning(judicial_aid_decisions.c.id)
            ).scalar_one()  # fmt: skip
            audit.record(conn, user.name, "issue_judicial_aid_decision", "case", case_id,
                         {"number": number, "amount": str(value), "cap": str(limit),
                          "document": str(target), "sha256": digest},
                         state=ledger.track(conn, "judicial_aid_decision", [decision_id]))  # fmt: skip
    except BaseException:
        for path in written:  # the file this call put in place, and nothing else
            path.unlink(missing_ok=True)
        raise
    remove_partials(target)
    return Approved(case_id, number, value, limit, target)


TAKEN_HINT = "而本院的编号计数未记到该号：案件库的编号记录不一致，请联系管理员核验审计记录。"


def _write(content: DecisionContent, target: Path, written: list[Path]) -> str:
    """Render the 决定书 under a name of its own beside `target` (`names.partial_file`), move it
    to `target` and return its SHA-256; `target` is added to `written` once it is there."""
    partial = partial_file(target)
    try:
        render_decision(content, partial)
        digest = hashlib.sha256(partial.read_bytes()).hexdigest()
        os.replace(partial, target)
        written.append(target)
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    return digest


def fast_track(
    ws: Workspace,
    user: User,
    case_id: int,
    on: dt.date,
    *,
    ground: str,
    applicant: str,
    amount: object,
    people: object = 1,
    minor: bool = False,
) -> Approved:
    """快速救助: 审查认定 and 决定救助 on the day of 受理, in one transaction, for an amount within
    the procuratorate's `fast_limit` (and never above the cap)."""
    fields = _review_fields(ground, applicant, people, minor)
    return approve(ws, user, case_id, on, amount=amount, _fast=fields)


def document_path(ws: Workspace, number: str, year: int) -> Path:
    """Where the 决定书 numbered `number` is archived: `documents/<year>/<文号>.docx`."""
    return document_file(ws.documents_dir / str(year), number)


def render(ws: Workspace, user: User, number: str, out: Path) -> Path:
    """The 决定书 of `number` rendered again from its recorded content, to `out`."""
    require(user, "view_cases")
    with ws.store.connect() as conn:
        row = conn.execute(
            select(judicial_aid_decisions).where(judicial_aid_decisions.c.number == number)
        ).first()
        if row is None:
            raise UserError(f"找不到国家司法救助决定书 {number}。", code="not_found")
        visible_case(conn, row.case_id, user)
    return render_decision(DecisionContent.from_json(row.content), out)


def pay(ws: Workspace, user: User, case_id: int, on: dt.date, *, method: str) -> None:
    """发放救助金 (the amount decided)."""
    with ws.store.begin() as conn:
        _aid_case(conn, case_id, user)
        apply_transition(conn, case_id, "pay", user, "", on, {"payment_method": method},
                         calendar=ws.calendar)  # fmt: skip


def figures(
    ws: Workspace, user: User, since: dt.date | None = None, until: dt.date | None = None
) -> list[dict[str, object]]:
    """Per ground (件数, 人数, 金额, of which fast and paid) of the aid decided within the period
    (by the decision's date), of the cases in the user's scope."""
    require(user, "view_stats")
    with ws.store.connect() as conn:
        visible = select(cases.c.id).where(cases.c.case_kind == KIND)
        scope = case_scope(scope_of(user))
        if scope is not None:
            visible = visible.where(scope)
        events = conn.execute(
            select(case_events.c.case_id, case_events.c.action, case_events.c.on_date,
                   case_events.c.fields)
            .where(case_events.c.case_id.in_(visible),
                   case_events.c.action.in_(["review", "approve", "pay"]))
            .order_by(case_events.c.id)
        ).all()  # fmt: skip
    reviewed: dict[int, dict[str, Any]] = {}
    approved: dict[int, tuple[dt.date, dict[str, Any]]] = {}
    paid: set[int] = set()
    for e in events:
        if e.action == "review":
            reviewed[e.case_id] = e.fields or {}
        elif e.action == "approve":
            approved[e.case_id] = (e.on_date, e.fields or {})
        else:
            paid.add(e.case_id)
    decided = [
        rules.Decided(
            ground=str(reviewed[cid]["ground"]),
            people=rules.parse_people(reviewed[cid]["people"]),
            amount=Decimal(str(f["amount"])),
            fast=bool(f.get("fast_track")),
            paid=cid in paid,
        )
        for cid, (on, f) in approved.items()
        if not ((since and on < since) or (until and on > until))
    ]
    return rules.figures(decided)
