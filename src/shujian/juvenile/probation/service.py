"""附条件不起诉考察: a minor suspect's conditional non-prosecution from 审查 to 不起诉 or 撤销.

审查 records the facts the eligibility check weighs (`eligibility.check`); 决定 needs every
condition met and fixes the period (6–12 months → its last day on the calendar), the four
conditions of 刑诉法第二百八十三条, the chosen measures of 规则第四百七十六条, the 考察机关 and the
帮教人员; 送达、宣布 is due within three days (late flagged); in the 考验期 reports are recorded
against their schedule (`[juvenile] probation_report_days`) and violations as they happen; at the
end a 考察意见书 (numbered, .docx) and the decision 不起诉; at any time before, revocation with
its ground → 提起公诉.

Every change appends an event (`probation_events`, append-only) and its audit entry in the same
transaction; dates are never after today in China nor before the step they follow; every view is
audited. Who: those who see the whole register (`juvenile.access.register_scope`) see; those of
them holding `juvenile_work` act; a 考察意见书 also needs `issue_document`. A helping unit's account
sees nothing of it. The suspect need not be on the register of key minors: a probation is found by
its number or by the suspect's ID number, and the ID number is masked everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from shujian import audit
from shujian.cases.deadlines import provisional_note
from shujian.cases.documents.kinds import document_kind
from shujian.cases.documents.numerals import chinese_date
from shujian.cases.numbering import next_seq
from shujian.cases.policy import check_not_future
from shujian.data.fields.id_card import check_char
from shujian.errors import UserError
from shujian.juvenile.access import JUVENILE_DEPARTMENT, register_scope
from shujian.juvenile.probation import rules
from shujian.juvenile.probation.charges import Charge, charge_table
from shujian.juvenile.probation.eligibility import (
    OBJECTIONS,
    PARTIES,
    Check,
    Facts,
    Sentence,
    check,
)
from shujian.juvenile.probation.opinion import CONCLUSIONS, OpinionContent
from shujian.juvenile.probation.store import probation_events, probation_opinions, probations
from shujian.juvenile.service import Register
from shujian.juvenile.texts import entered_text
from shujian.models.labels import mask_id_card
from shujian.paging import Page, check_window
from shujian.store import now
from shujian.users.access import require
from shujian.users.user import User
from shujian.workspace import Workspace

PROBATION = "probation"
"""The object type of a probation in the audit log."""

ACT = "juvenile_work"
KIND = "probation_opinion"
CATEGORY = "未检"
DEPT_CODE = "未"

EVENT_LABELS = {k: s.label for k, s in rules.declarations().steps.items()}

FACT_LABELS = {"act_on": "行为日期", "charge": "涉嫌罪名", "sentence": "可能判处的刑罚",
               "prosecutable": "符合起诉条件", "remorse": "悔罪表现", "heard": "听取意见",
               "objection": "异议"}  # fmt: skip

VIEWS = {
    "active": "考验期中",
    "ending": "即将期满",
    "late": "报告逾期",
    "review": "审查中",
    "ended": "考验期满不起诉",
    "revoked": "已撤销",
    "all": "全部",
}


# ---------------------------------------------------------------------------- access


def check_view(user: User, juvenile_department: str | None) -> None:
    """Refuse (code `forbidden`) anyone who does not see the whole register."""
    if not register_scope(user, juvenile_department).everything:
        where = juvenile_department or JUVENILE_DEPARTMENT
        raise UserError(
            f"附条件不起诉考察由{where}办理；“{user.name}”（{user.role_labels}）不能查看。",
            code="forbidden",
        )


def check_act(user: User, juvenile_department: str | None) -> None:
    check_view(user, juvenile_department)
    require(user, ACT)


# ---------------------------------------------------------------------------- settings


def report_days(ws: Workspace) -> int:
    """`[juvenile] probation_report_days`: 1 to 366 (refused in Chinese otherwise)."""
    days = int(ws.setting("juvenile.probation_report_days"))
    if not 1 <= days <= 366:
        raise UserError(
            f"shujian.toml 中 [juvenile] probation_report_days 应为 1 至 366 日，现为 {days}。",
            code="bad_setting",
        )
    return days


def alert_days(ws: Workspace) -> int:
    """`[juvenile] probation_alert_days`: 0 to 366 (refused in Chinese otherwise)."""
    days = int(ws.setting("juvenile.probation_alert_days"))
    if not 0 <= days <= 366:
        raise UserError(
            f"shujian.toml 中 [juvenile] probation_alert_days 应为 0 至 366 日，现为 {days}。",
            code="bad_setting",
        )
    return days


# ---------------------------------------------------------------------------- input


def _text(value: str | None, what: str, *, required: bool = True) -> str:
    return entered_text(value, what, rules.declarations().text_limit, required=required)


def check_id_card(text: str) -> str:
    """An 18-character ID number with a valid check character (refused in Chinese otherwise)."""
    value = (text or "").strip().upper()
    shown = mask_id_card(value) if value else "（空）"
    if len(value) != 18 or not value[:17].isdigit():
        raise UserError(f"公民身份号码 {shown} 应为18位。", code="bad_id_card")
    expected = check_char(pl.Series([value[:17]]))[0]
    if expected != value[17]:
        raise UserError(f"公民身份号码 {shown} 的校验码不对，请核对。", code="bad_id_card")
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise UserError(f"公民身份号码 {shown} 中的出生日期不存在。", code="bad_id_card") from None
    return value


def _on(day: dt.date, what: str, today: dt.date, *, not_before: dt.date | None, after: str) -> None:
    check_not_future(day, today, what)
    if not_before is not None and day < not_before:
        raise UserError(
            f"{what} {day.isoformat()} 早于{after}（{not_before.isoformat()}）。",
            code="date_too_early",
        )


@dataclass(frozen=True)
class FactsInput:
    """What a prosecutor enters in 审查; None leaves a fact as it is (not recorded at first)."""

    act_on: dt.date | None = None
    charge: str | None = None
    sentence: str | None = None
    prosecutable: bool | None = None
    remorse: bool | None = None
    heard: dict[str, str] | None = None
    objection: str | None = None


def _facts_json(old: dict[str, Any], new: FactsInput) -> tuple[dict[str, Any], dict[str, Any]]:
    """The facts after the change, and what changed."""
    changed: dict[str, Any] = {}
    if new.charge is not None:
        charge = charge_table().find(new.charge)
        changed["charge"] = {
            "name": charge.name,
            "article": str(charge.article),
            "chapter": charge.chapter,
        }
    if new.sentence is not None:
        changed["sentence"] = Sentence.parse(new.sentence).to_json()
    if new.act_on is not None:
        changed["act_on"] = new.act_on.isoformat()
    for key in ("prosecutable", "remorse"):
        value = getattr(new, key)
        if value is not None:
            changed[key] = bool(value)
    if new.heard:
        changed["heard"] = {**(old.get("heard") or {}), **new.heard}
    if new.objection is not None:
        if new.objection not in OBJECTIONS:
            raise UserError(f"未知的异议情形“{new.objection}”。", code="bad_objection")
        changed["objection"] = new.objection
    return {**old, **changed}, changed


def facts_of(row: dict[str, Any]) -> Facts:
    f = row["facts"] or {}
    charge = None
    if f.get("charge"):
        c = f["charge"]
        table = charge_table()
        found = next((x for x in (*table.charges, *table.outside) if x.name == c["name"]), None)
        charge = found or Charge(c["name"], _article(c["article"]), int(c["chapter"]))
    sentence = None
    if f.get("sentence"):
        sentence = Sentence(f["sentence"]["kind"], f["sentence"].get("months"))
    return Facts(
        id_card=row["id_card"],
        act_on=dt.date.fromisoformat(f["act_on"]) if f.get("act_on") else None,
        charge=charge,
        sentence=sentence,
        prosecutable=f.get("prosecutable"),
        remorse=f.get("remorse"),
        heard=dict(f.get("heard") or {}),
        objection=f.get("objection"),
    )


def _article(text: str) -> Any:
    from shujian.juvenile.probation.charges import Article

    return Article.parse(text)


def preview(id_card: str, facts: FactsInput) -> Check:
    """The eligibility check of facts not recorded (pure: nothing is stored or audited)."""
    number = check_id_card(id_card)
    merged, _ = _facts_json({}, facts)
    return check(facts_of({"id_card": number, "facts": merged}))


# ---------------------------------------------------------------------------- steps


def _event(
    conn: Connection,
    pid: int,
    at: dt.datetime,
    on_date: dt.date,
    kind: str,
    actor: str,
    text: str,
    detail: dict[str, Any],
) -> None:
    conn.execute(
        insert(probation_events).values(
            probation_id=pid, at=at, on_date=on_date, kind=kind, actor=actor, text=text,
            detail=detail,
        )
    )  # fmt: skip


def _row(conn: Connection, pid: int, *, lock: bool = False) -> dict[str, Any]:
    query = select(probations).where(probations.c.id == pid)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise UserError(f"找不到附条件不起诉考察 {pid}。", code="not_found")
    return dict(row._mapping)


def _minor_name(register: Register, id_card: str) -> str:
    rows = register.registry_rows().filter(pl.col("id_card") == id_card).sort("identified_on")
    return str(rows["name"][0]) if rows.height else ""


def open_probation(
    register: Register,
    user: User,
    today: dt.date,
    *,
    id_card: str,
    name: str = "",
    facts: FactsInput,
    opened_on: dt.date | None = None,
    note: str = "",
) -> int:
    """Open 审查 for a minor suspect (on the register or not); returns its number."""
    check_act(user, register.juvenile_department)
    number = check_id_card(id_card)
    opened_on = opened_on or today
    _on(opened_on, "审查日期", today, not_before=None, after="")
    shown_name = (name or "").strip() or _minor_name(register, number)
    if not shown_name:
        raise UserError(
            f"{mask_id_card(number)} 不在重点未成年人名册中，请填写其姓名。", code="name_required"
        )
    if len(shown_name) > 64:
        raise UserError("姓名过长（最多64字）。", code="text_too_long")
    note = _text(note, "说明", required=False)
    merged, _ = _facts_json({}, facts)
    if facts.act_on is not None:
        _on(facts.act_on, "行为日期", today, not_before=None, after="")
    stamp = now()
    with register.store.begin() as conn:
        open_one = conn.execute(
            select(probations.c.id).where(
                probations.c.id_card == number,
                probations.c.state.notin_(rules.declarations().terminal),
            )
        ).scalar()
        if open_one is not None:
            raise UserError(
                f"{mask_id_card(number)} 已有未办结的附条件不起诉考察 {open_one}，请在其中办理。",
                code="already_open",
            )
        pid = conn.execute(
            insert(probations)
            .values(
                id_card=number, name=shown_name, act_on=facts.act_on,
                charge=(merged.get("charge") or {}).get("name"),
                article=(merged.get("charge") or {}).get("article"),
                chapter=(merged.get("charge") or {}).get("chapter"),
                facts=merged, state="review", opened_on=opened_on, opened_by=user.name,
                created_at=stamp, updated_at=stamp,
            )
            .returning(probations.c.id)
        ).scalar_one()  # fmt: skip
        _event(conn, pid, stamp, opened_on, "opened", user.name, note, {"facts": merged})
        audit.record(
            conn, user.name, "open_probation", PROBATION, pid,
            {"id_card": mask_id_card(number), "facts": merged, "note": note},
        )  # fmt: skip
    return int(pid)


def record_facts(
    register: Register, user: User, pid: int, today: dt.date, facts: FactsInput, note: str = ""
) -> Check:
    """Record more of 审查 (a hearing, the objection …): the facts after it and their check."""
    check_act(user, register.juvenile_department)
    note = _text(note, "说明", required=False)
    if facts.act_on is not None:
        _on(facts.act_on, "行为日期", today, not_before=None, after="")
    with register.store.begin() as conn:
        row = _row(conn, pid, lock=True)
        rules.check_step(row["state"], "facts")
        merged, changed = _facts_json(row["facts"] or {}, facts)
        if not changed:
            raise UserError("没有要补充的审查情况。", code="nothing_to_record")
        stamp = now()
        values: dict[str, Any] = {"facts": merged, "updated_at": stamp}
        if "charge" in changed:
            values |= {"charge": changed["charge"]["name"], "article": changed["charge"]["article"],
                       "chapter": changed["charge"]["chapter"]}  # fmt: skip
        if facts.act_on is not None:
            values["act_on"] = facts.act_on
        conn.execute(update(probations).where(probations.c.id == pid).values(**values))
        _event(conn, pid, stamp, today, "facts", user.name, note, {"changed": changed})
        audit.record(conn, user.name, "record_probation_facts", PROBATION, pid,
                     {"changed": changed, "note": note})  # fmt: skip
        row["facts"] = merged
    return check(facts_of(row))


def _refuse_unless_eligible(result: Check) -> None:
    if result.must_prosecute:
        raise UserError(
            "未成年犯罪嫌疑人或其法定代理人对附条件不起诉决定有异议，人民检察院应当作出起诉的决定"
            "（刑事诉讼法第二百八十二条第三款），不能决定附条件不起诉。",
            code="must_prosecute",
        )
    if result.verdict == "not_eligible":
        raise UserError(
            f"不符合附条件不起诉的条件：{'、'.join(result.failed())}。", code="not_eligible"
        )
    if result.verdict == "incomplete":
        raise UserError(
            f"以下条件尚未记录，不能决定附条件不起诉：{'、'.join(result.missing())}。",
            code="facts_missing",
        )


def decide(
    register: Register,
    user: User,
    pid: int,
    today: dt.date,
    *,
    decided_on: dt.date,
    months: int,
    agency: str,
    mentor: str = "",
    measures: list[str] | tuple[str, ...] = (),
    note: str = "",
) -> dict[str, Any]:
    """决定附条件不起诉: refused unless every condition is met. Returns the period's last day
    and the service deadline."""
    check_act(user, register.juvenile_department)
    d = rules.declarations()
    rules.check_months(months)
    agency = _text(agency, "考察机关")[:128]
    mentor = _text(mentor, "帮教人员", required=False)[:128]
    note = _text(note, "说明", required=False)
    chosen = _measures(measures)
    calendar = register.ws.calendar
    with register.store.begin() as conn:
        row = _row(conn, pid, lock=True)
        rules.check_step(row["state"], "decide")
        _on(decided_on, "决定日期", today, not_before=row["opened_on"], after="审查日期")
        _refuse_unless_eligible(check(facts_of(row)))
        ends_on = rules.period_end(decided_on, months)
        due = rules.service_deadline(decided_on, calendar)
        stamp = now()
        conn.execute(
            update(probations).where(probations.c.id == pid).values(
                state="decided", decided_on=decided_on, months=months, ends_on=ends_on,
                service_due=due, agency=agency, mentor=mentor or None, measures=chosen,
                updated_at=stamp,
            )
        )  # fmt: skip
        detail = {
            "months": months, "ends_on": ends_on.isoformat(), "service_due": due.isoformat(),
            "agency": agency, "mentor": mentor, "conditions": list(d.conditions),
            "measures": chosen,
        }  # fmt: skip
        _event(conn, pid, stamp, decided_on, "decide", user.name, note, detail)
        audit.record(conn, user.name, "decide_probation", PROBATION, pid, {**detail, "note": note})
    return {"ends_on": ends_on, "service_due": due}


def _measures(given: list[str] | tuple[str, ...]) -> list[str]:
    d = rules.declarations()
    out: list[str] = []
    for m in given:
        m = m.strip()
        if not m:
            continue
        key = m if m in d.measures else next((k for k, v in d.measures.items() if v == m), None)
        if key is None:
            listed = "；".join(f"{k}：{v}" for k, v in d.measures.items())
            raise UserError(
                f"没有“{m}”这一考察措施（人民检察院刑事诉讼规则第四百七十六条）。可选：{listed}。",
                code="unknown_measure",
            )
        if key not in out:
            out.append(key)
    return out


def serve(
    register: Register, user: User, pid: int, today: dt.date, *, served_on: dt.date, note: str = ""
) -> bool:
    """送达、公开宣布 on `served_on`; returns whether it was late (after the deadline)."""
    check_act(user, register.juvenile_department)
    note = _text(note, "送达、宣布情况", required=False)
    with register.store.begin() as conn:
        row = _row(conn, pid, lock=True)
        rules.check_step(row["state"], "serve")
        _on(served_on, "送达日期", today, not_before=row["decided_on"], after="决定日期")
        late = served_on > row["service_due"]
        stamp = now()
        conn.execute(update(probations).where(probations.c.id == pid).values(
            state="probation", served_on=served_on, updated_at=stamp))  # fmt: skip
        detail = {"late": late, "due": row["service_due"].isoformat()}
        _event(conn, pid, stamp, served_on, "serve", user.name, note, detail)
        audit.record(conn, user.name, "serve_probation", PROBATION, pid,
                     {**detail, "served_on": served_on.isoformat(), "note": note})  # fmt: skip
    return late


def _plain_step(
    register: Register,
    user: User,
    pid: int,
    today: dt.date,
    step: str,
    on: dt.date,
    text: str,
    detail: dict[str, Any],
    what: str,
) -> dict[str, Any]:
    with register.store.begin() as conn:
        row = _row(conn, pid, lock=True)
        rules.check_step(row["state"], step)
        _on(on, what, today, not_before=row["decided_on"], after="决定日期")
        if row["ends_on"] is not None and step in ("report", "violation"):
            last = rules.last_day_for(step, row["ends_on"], register.ws.calendar)
            if on > last:
                moved = "" if last == row["ends_on"] else f"，最后一期报告顺延至 {last.isoformat()}"
                raise UserError(
                    f"{what} {on.isoformat()} 晚于考验期届满日（{row['ends_on'].isoformat()}"
                    f"{moved}）。",
                    code="after_period",
                )
        stamp = now()
        _event(conn, pid, stamp, on, step, user.name, text, detail)
        conn.execute(update(probations).where(probations.c.id == pid).values(updated_at=stamp))
        audit.record(conn, user.name, f"probation_{step}", PROBATION, pid,
                     {**detail, "on": on.isoformat(), "text": text})  # fmt: skip
        return row


def record_report(
    register: Register, user: User, pid: int, today: dt.date, *, on: dt.date, text: str
) -> str:
    """A report of the suspect's activities (按照考察机关的规定报告); returns its window's status
    label (已报告 / 逾期报告)."""
    check_act(user, register.juvenile_department)
    text = _text(text, "报告内容")
    row = _plain_step(register, user, pid, today, "report", on, text, {}, "报告日期")
    every = report_days(register.ws)
    windows = rules.report_windows(row["decided_on"], row["ends_on"], every, register.ws.calendar)
    with register.store.connect() as conn:
        days = _days(conn, pid, "report")
    scheduled = rules.schedule(windows, days, today)
    hit = next((s for s in scheduled if s.report_on == on), None)
    return hit.label if hit else "已报告（同期另有报告）"


def record_violation(
    register: Register, user: User, pid: int, today: dt.date, *, on: dt.date, text: str
) -> None:
    """A violation of the law or of the 考察机关's rules (what, when); revocation is a separate
    step, for the prosecutor to judge (情节严重 / 造成严重后果 / 多次, 规则第四百七十九条)."""
    check_act(user, register.juvenile_department)
    text = _text(text, "违反规定的情况")
    _plain_step(register, user, pid, today, "violation", on, text, {}, "违反规定的日期")


def _days(conn: Connection, pid: int, kind: str) -> list[dt.date]:
    e = probation_events.c
    rows = conn.execute(
        select(e.on_date).where(e.probation_id == pid, e.kind == kind).order_by(e.on_date)
    )
    return [r.on_date for r in rows]


def issue_opinion(
    register: Register,
    user: User,
    pid: int,
    today: dt.date,
    *,
    issued_on: dt.date,
    performance: str,
    victim_opinion: str,
    conclusion: str = "not_prosecute",
) -> str:
    """出具考察意见书 (规则第四百七十七条): numbered from the kind's own counter, its content
    recorded; returns the 文号. Issued from the alert window before the end onward."""
    check_act(user, register.juvenile_department)
    require(user, "issue_document")
    if conclusion not in CONCLUSIONS:
        raise UserError(f"考察意见应为：{'、'.join(CONCLUSIONS.values())}。", code="bad_conclusion")
    performance = _text(performance, "考验期内表现的评价")
    victim_opinion = _text(victim_opinion, "被害人的意见（无被害人的写“本案无被害人”）")
    kind = document_kind(KIND)
    ws = register.ws
    alert = alert_days(ws)
    every = report_days(ws)
    with register.store.begin() as conn:
        row = _row(conn, pid, lock=True)
        rules.check_step(row["state"], "opinion")
        earliest = row["ends_on"] - dt.timedelta(days=alert)
        _on(issued_on, "考察意见书日期", today, not_before=earliest,
            after=f"考验期届满前{alert}日")  # fmt: skip
        if conn.execute(select(probation_opinions.c.number).where(
                probation_opinions.c.probation_id == pid)).scalar() is not None:  # fmt: skip
            raise UserError(f"附条件不起诉考察 {pid} 已出具考察意见书。", code="already_issued")
        reports = _days(conn, pid, "report")
        violations = [
            f"{chinese_date(r.on_date)}，{r.text.rstrip('。；;')}"
            for r in conn.execute(
                select(probation_events.c.on_date, probation_events.c.text)
                .where(
                    probation_events.c.probation_id == pid, probation_events.c.kind == "violation"
                )
                .order_by(probation_events.c.on_date)
            )
        ]
        windows = rules.report_windows(row["decided_on"], row["ends_on"], every, ws.calendar)
        scheduled = rules.schedule(windows, reports, issued_on)
        d = rules.declarations()
        facts = facts_of(row)
        year = issued_on.year
        seq = next_seq(conn, kind, ws.region.procuratorate_name, CATEGORY, year)
        number = kind.number(ws.region.short, DEPT_CODE, year, seq)
        content = OpinionContent(
            procuratorate=ws.region.procuratorate_name, number=number, name=row["name"],
            id_card=mask_id_card(row["id_card"]),
            charge=facts.charge.name if facts.charge else "",
            decided_on=row["decided_on"], months=row["months"], ends_on=row["ends_on"],
            agency=row["agency"] or "", mentor=row["mentor"] or "",
            conditions=d.conditions, measures=tuple(d.measures[m] for m in row["measures"] or []),
            reports=len(reports), late_reports=len(rules.late_report_days(scheduled)),
            missed_reports=rules.missed(scheduled), violations=tuple(violations),
            performance=performance, victim_opinion=victim_opinion, conclusion=conclusion,
            issued_on=issued_on,
        )  # fmt: skip
        stamp = now()
        try:
            conn.execute(insert(probation_opinions).values(
                probation_id=pid, number=number, year=year, seq=seq, issued_on=issued_on,
                content=content.to_json(), actor=user.name, at=stamp))  # fmt: skip
        except IntegrityError:
            raise UserError(f"文号 {number} 已被使用。", code="number_taken") from None
        _event(conn, pid, stamp, issued_on, "opinion", user.name, CONCLUSIONS[conclusion],
               {"number": number})  # fmt: skip
        conn.execute(update(probations).where(probations.c.id == pid).values(updated_at=stamp))
        audit.record(conn, user.name, "issue_probation_opinion", PROBATION, pid,
                     {"number": number, "conclusion": conclusion})  # fmt: skip
    return number


def render_opinion(register: Register, user: User, pid: int, out: Path) -> Path:
    """Write the probation's 考察意见书 to `out` from its recorded content (audited view)."""
    check_view(user, register.juvenile_department)
    with register.store.connect() as conn:
        _row(conn, pid)
        found = conn.execute(
            select(probation_opinions).where(probation_opinions.c.probation_id == pid)
        ).first()
    if found is None:
        raise UserError(f"附条件不起诉考察 {pid} 尚未出具考察意见书。", code="no_opinion")
    content = OpinionContent.from_json(found.content)
    kind = document_kind(KIND)
    kind.renderer()(content, out, kind.template_dirs(register.ws.templates_dir))
    audit.record_view(register.store, user.name, PROBATION, pid,
                      {"document": found.number}, action="download")  # fmt: skip
    return out


def end_probation(
    register: Register, user: User, pid: int, today: dt.date, *, on: dt.date, note: str = ""
) -> None:
    """考验期满，作出不起诉的决定 (刑诉法第二百八十四条第二款): after the last day, with the
    考察意见书 issued."""
    check_act(user, register.juvenile_department)
    note = _text(note, "说明", required=False)
    with register.store.begin() as conn:
        row = _row(conn, pid, lock=True)
        rules.check_step(row["state"], "end")
        _on(on, "不起诉决定日期", today, not_before=row["ends_on"] + dt.timedelta(days=1),
            after="考验期届满的次日")  # fmt: skip
        opinion = conn.execute(
            select(probation_opinions.c.number, probation_opinions.c.content)
            .where(probation_opinions.c.probation_id == pid)
        ).first()  # fmt: skip
        if opinion is None:
            raise UserError("考验期满作出不起诉决定前，应先出具考察意见书。", code="no_opinion")
        if opinion.content["conclusion"] != "not_prosecute":
            raise UserError(
                f"考察意见书 {opinion.number} 的意见是“{CONCLUSIONS[opinion.content['conclusion']]}”，"
                "与不起诉决定不一致。",
                code="opinion_disagrees",
            )
        stamp = now()
        conn.execute(update(probations).where(probations.c.id == pid).values(
            state="not_prosecuted", closed_on=on, updated_at=stamp))  # fmt: skip
        _event(conn, pid, stamp, on, "end", user.name, note, {"opinion": opinion.number})
        audit.record(conn, user.name, "end_probation", PROBATION, pid,
                     {"on": on.isoformat(), "opinion": opinion.number, "note": note})  # fmt: skip


def revoke(
    register: Register,
    user: User,
    pid: int,
    today: dt.date,
    *,
    on: dt.date,
    ground: str,
    text: str,
) -> None:
    """撤销附条件不起诉，提起公诉, on one of the declared grounds."""
    check_act(user, register.juvenile_department)
    d = rules.declarations()
    key = (
        ground
        if ground in d.grounds
        else next((k for k, v in d.grounds.items() if v == ground), None)
    )
    if key is None:
        listed = "；".join(f"{k}：{v}" for k, v in d.grounds.items())
        raise UserError(f"撤销的理由应为下列之一：{listed}。", code="unknown_ground")
    text = _text(text, "撤销的事实")
    with register.store.begin() as conn:
        row = _row(conn, pid, lock=True)
        rules.check_step(row["state"], "revoke")
        _on(on, "撤销日期", today, not_before=row["decided_on"], after="决定日期")
        stamp = now()
        conn.execute(update(probations).where(probations.c.id == pid).values(
            state="revoked", closed_on=on, ground=key, updated_at=stamp))  # fmt: skip
        _event(conn, pid, stamp, on, "revoke", user.name, text, {"ground": key})
        audit.record(conn, user.name, "revoke_probation", PROBATION, pid,
                     {"on": on.isoformat(), "ground": key, "text": text})  # fmt: skip


def prosecute(
    register: Register, user: User, pid: int, today: dt.date, *, on: dt.date, reason: str
) -> None:
    """作出起诉决定 in 审查 (not eligible, or an objection to the decision itself)."""
    check_act(user, register.juvenile_department)
    reason = _text(reason, "起诉的理由")
    with register.store.begin() as conn:
        row = _row(conn, pid, lock=True)
        rules.check_step(row["state"], "prosecute")
        _on(on, "起诉决定日期", today, not_before=row["opened_on"], after="审查日期")
        stamp = now()
        conn.execute(update(probations).where(probations.c.id == pid).values(
            state="prosecuted", closed_on=on, updated_at=stamp))  # fmt: skip
        _event(conn, pid, stamp, on, "prosecute", user.name, reason, {})
        audit.record(conn, user.name, "prosecute_instead_of_probation", PROBATION, pid,
                     {"on": on.isoformat(), "reason": reason})  # fmt: skip


# ---------------------------------------------------------------------------- reading


def _shown(
    register: Register, row: dict[str, Any], today: dt.date, reports: list[dt.date]
) -> dict[str, Any]:
    """A probation as lists and pages show it: masked number, state, period, schedule, flags."""
    d = rules.declarations()
    ws = register.ws
    out = dict(row)
    out["id_card"] = mask_id_card(row["id_card"])
    out["state_label"] = d.states[row["state"]]
    out["scheduled"] = []
    out["missed"] = 0
    out["ending_soon"] = False
    out["days_left"] = None
    out["service_late"] = False
    out["service_overdue"] = False
    out["provisional"] = out["service_provisional"] = ""
    out["past_end"] = False
    out["opinion_open"] = False
    if row["decided_on"] is not None:
        # the end day is never moved (rules.period_end); the service and report due days are,
        # and those in a year whose holidays are not published yet are provisional
        out["provisional"] = provisional_note(
            ws.calendar.provisional_in(row["decided_on"], row["ends_on"])
        )
        out["service_provisional"] = provisional_note(
            ws.calendar.provisional_in(row["decided_on"], row["service_due"])
        )
        out["service_late"] = row["served_on"] is not None and row["served_on"] > row["service_due"]
        out["service_overdue"] = row["state"] == "decided" and today > row["service_due"]
    if row["state"] == "probation":
        every = report_days(ws)
        alert = alert_days(ws)
        windows = rules.report_windows(row["decided_on"], row["ends_on"], every, ws.calendar)
        scheduled = rules.schedule(windows, reports, today)
        out["scheduled"] = scheduled
        out["missed"] = rules.missed(scheduled)
        out["late_reports"] = sorted(rules.late_report_days(scheduled))
        out["days_left"] = rules.days_left(row["ends_on"], today)
        out["ending_soon"] = rules.ending_soon(row["ends_on"], today, alert)
        out["past_end"] = today > row["ends_on"]
        out["opinion_open"] = today >= row["ends_on"] - dt.timedelta(days=alert)
    out["measure_labels"] = [d.measures[m] for m in row["measures"] or []]
    out["ground_label"] = d.grounds.get(row["ground"] or "", "")
    return out


def _reports(conn: Connection, ids: list[int]) -> dict[int, list[dt.date]]:
    out: dict[int, list[dt.date]] = {i: [] for i in ids}
    if not ids:
        return out
    e = probation_events.c
    for r in conn.execute(
        select(e.probation_id, e.on_date).where(e.probation_id.in_(ids), e.kind == "report")
    ):
        out[r.probation_id].append(r.on_date)
    return out


def _in_view(view: str, p: dict[str, Any]) -> bool:
    state = p["state"]
    if view == "active":
        return state in ("decided", "probation")
    if view == "ending":
        return state == "probation" and (p["ending_soon"] or p["past_end"])
    if view == "late":
        return bool(p["missed"]) or p["service_overdue"]
    if view == "review":
        return state == "review"
    if view == "ended":
        return state == "not_prosecuted"
    if view == "revoked":
        return state == "revoked"
    return True


def list_probations(
    register: Register,
    user: User,
    today: dt.date,
    *,
    view: str = "active",
    id_card: str | None = None,
    ending_within: int | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Page:
    """Probations of one view (`VIEWS`), ending first; optionally one suspect's (by full ID
    number) or those ending within `ending_within` days. One page, audited."""
    check_view(user, register.juvenile_department)
    check_window(offset, limit)
    if view not in VIEWS:
        listed = "、".join(f"{k}（{v}）" for k, v in VIEWS.items())
        raise UserError(f"列表应为 {listed}。", code="bad_view")
    query = select(probations).order_by(
        probations.c.ends_on.is_(None), probations.c.ends_on, probations.c.id
    )
    if id_card:
        query = query.where(probations.c.id_card == check_id_card(id_card))
    with register.store.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
        reports = _reports(conn, [r["id"] for r in rows])
    shown = [_shown(register, r, today, reports[r["id"]]) for r in rows]
    chosen = [p for p in shown if _in_view(view, p)]
    if ending_within is not None:
        chosen = [p for p in chosen if p["state"] == "probation"
                  and rules.days_left(p["ends_on"], today) <= ending_within]  # fmt: skip
    window = chosen[offset : None if limit is None else offset + limit]
    audit.record_list_view(
        register.store, user.name, PROBATION,
        {"view": view, "id_card": mask_id_card(id_card) if id_card else None, "ending_within": ending_within},
        [p["id"] for p in window], offset=offset, limit=limit, total=len(chosen),
    )  # fmt: skip
    return Page(window, len(chosen), offset, limit)


def counts(register: Register, user: User, today: dt.date) -> dict[str, int]:
    """How many probations each view holds (for the list's tabs; unaudited counts)."""
    check_view(user, register.juvenile_department)
    with register.store.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(probations))]
        reports = _reports(conn, [r["id"] for r in rows])
    shown = [_shown(register, r, today, reports[r["id"]]) for r in rows]
    return {v: sum(1 for p in shown if _in_view(v, p)) for v in VIEWS}


def get_probation(register: Register, user: User, pid: int, today: dt.date) -> dict[str, Any]:
    """One probation with its check, schedule, events and 考察意见书; the view is audited."""
    check_view(user, register.juvenile_department)
    with register.store.connect() as conn:
        row = _row(conn, pid)
        events = [dict(r._mapping) for r in conn.execute(
            select(probation_events).where(probation_events.c.probation_id == pid)
            .order_by(probation_events.c.on_date, probation_events.c.id))]  # fmt: skip
        opinion = conn.execute(
            select(probation_opinions).where(probation_opinions.c.probation_id == pid)
        ).first()
        reports = _days(conn, pid, "report")
    out = _shown(register, row, today, reports)
    out["check"] = check(facts_of(row))
    out["facts_view"] = _facts_view(row)
    late = set(out.get("late_reports") or [])
    for e in events:
        e["kind_label"] = EVENT_LABELS.get(e["kind"], e["kind"])
        if e["kind"] == "facts" and not e["text"]:
            changed = e["detail"].get("changed") or {}
            e["text"] = "、".join(FACT_LABELS.get(k, k) for k in changed)
        e["late"] = (e["kind"] == "report" and e["on_date"] in late) or (
            e["kind"] == "serve" and bool(e["detail"].get("late"))
        )
    out["events"] = events
    out["reports"] = [e for e in events if e["kind"] == "report"]
    out["violations"] = [e for e in events if e["kind"] == "violation"]
    out["opinion"] = None
    if opinion is not None:
        content = OpinionContent.from_json(opinion.content)
        out["opinion"] = {"number": opinion.number, "issued_on": opinion.issued_on,
                          "conclusion": CONCLUSIONS[content.conclusion],
                          "paragraphs": content.paragraphs()}  # fmt: skip
    out["conditions"] = list(rules.declarations().conditions)
    out["steps"] = [s for s in rules.declarations().steps.values() if row["state"] in s.sources]
    out["on_register"] = bool(register.registry_rows()["id_card"].eq(row["id_card"]).any())
    out["ref"] = register.ref(row["id_card"]) if out["on_register"] else None
    audit.record_view(register.store, user.name, PROBATION, pid, {"events": len(events)})
    return out


def _facts_view(row: dict[str, Any]) -> list[tuple[str, str]]:
    f = row["facts"] or {}
    heard = f.get("heard") or {}
    values = {"heard": "已听取", "not_heard": "尚未听取", "none": "无此方"}
    out = [
        ("行为日期", f.get("act_on") or "未记录"),
        ("涉嫌罪名", (f.get("charge") or {}).get("name") or "未记录"),
        ("可能判处", Sentence(f["sentence"]["kind"], f["sentence"].get("months")).label
         if f.get("sentence") else "未记录"),
        ("符合起诉条件", _yes(f.get("prosecutable"), "是", "否")),
        ("悔罪表现", _yes(f.get("remorse"), "有", "无")),
    ]  # fmt: skip
    out += [(f"听取{n}意见", values.get(heard.get(k, ""), "未记录")) for k, n in PARTIES.items()]
    out.append(("异议", OBJECTIONS.get(f.get("objection") or "", "未记录")))
    return out


def _yes(value: bool | None, yes: str, no: str) -> str:
    return "未记录" if value is None else (yes if value else no)


def overdue(register: Register, user: User, today: dt.date) -> dict[str, list[dict[str, Any]]]:
    """What is late today: decisions not served in time, missed reports, periods ended without
    a decision. Audited as a list view."""
    check_view(user, register.juvenile_department)
    with register.store.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(
            select(probations).where(probations.c.state.in_(("decided", "probation")))
            .order_by(probations.c.ends_on, probations.c.id))]  # fmt: skip
        reports = _reports(conn, [r["id"] for r in rows])
    shown = [_shown(register, r, today, reports[r["id"]]) for r in rows]
    out = {
        "service": [p for p in shown if p["service_overdue"]],
        "reports": [p for p in shown if p["missed"]],
        "ended": [p for p in shown if p["past_end"]],
    }
    ids = sorted({p["id"] for group in out.values() for p in group})
    audit.record_list_view(register.store, user.name, PROBATION, {"overdue": True}, ids,
                           offset=0, limit=None, total=len(ids))  # fmt: skip
    return out


def find(register: Register, user: User, text: str) -> int:
    """A probation by its number, or the latest one of a suspect by full ID number."""
    check_view(user, register.juvenile_department)
    t = (text or "").strip()
    if t.isdigit() and len(t) < 10:
        return int(t)
    number = check_id_card(t)
    with register.store.connect() as conn:
        found = conn.execute(
            select(func.max(probations.c.id)).where(probations.c.id_card == number)
        ).scalar()
    if found is None:
        raise UserError(f"{mask_id_card(number)} 没有附条件不起诉考察记录。", code="not_found")
    return int(found)
