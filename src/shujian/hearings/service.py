"""公开听证 attached to a case: set it with its 听证员 and notice, record that it was held with
its record (笔录), each 听证员's opinion, the decision; list a case's hearings; count them per
department and case kind.

A hearing belongs to its case: who sees the case sees its hearings (`cases.service.visible_case`,
else 找不到), who may act on the case (`act_on_case`) records them. Each change is one
transaction that writes the hearing row, appends a `hearing_events` row and an audit entry. The
rules (who may serve, how many, the notice period, the majority) are `rules`'s pure functions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update

from shujian import audit
from shujian.beijing import today_in_china
from shujian.cases import policy
from shujian.cases.documents.disclosure import surname
from shujian.cases.scope import case_scope
from shujian.cases.service import visible_case
from shujian.cases.store import cases
from shujian.cases.workflow import case_kinds
from shujian.errors import UserError
from shujian.hearings import rules
from shujian.hearings.store import hearing_events, hearing_members, hearings
from shujian.store import now
from shujian.tamper import ledger
from shujian.users.access import require, scope_of
from shujian.users.user import User
from shujian.workspace import Workspace

STATES = {"scheduled": "已定期", "held": "已举行", "decided": "已作出决定"}
EVENT_LABELS = {
    "scheduled": "决定召开听证会",
    "held": "举行听证会",
    "opinion": "听证员发表意见",
    "decided": "作出处理决定",
}


@dataclass(frozen=True)
class Limits:
    least: int
    most: int
    notice_days: int

    @classmethod
    def of(cls, ws: Workspace) -> Limits:
        return cls(
            int(ws.setting("hearings.min_members")),
            int(ws.setting("hearings.max_members")),
            int(ws.setting("hearings.notice_days")),
        )


def _check_public_matter(ws: Workspace, conn: Connection, case_id: int, matter: str) -> None:
    """A public hearing's 听证事项 is printed in its 公告: it may not name a minor or another
    protected person the case recorded (未成年人保护法第一百零三条)."""
    from shujian.cases.protected import case_protected_names, named_in
    from shujian.models.spec import load_library

    named = named_in(matter, case_protected_names(conn, case_id, load_library(ws.models_dir)))
    if named:
        shown = "、".join(f"“{n}”应写作“{surname(n)}某”" for n in named)
        raise UserError(
            f"听证事项将印在公开的听证会公告中，不能出现案件中未成年人等受保护人员的真实姓名：{shown}。",
            code="disclosure",
        )


def _event(
    conn: Connection, hid: int, on: dt.date, kind: str, actor: str, detail: dict[str, Any]
) -> list[ledger.StateRow]:
    """Append the step; returns its record for the step's audit entry."""
    eid = conn.execute(
        insert(hearing_events)
        .values(hearing_id=hid, at=now(), on_date=on, kind=kind, actor=actor, detail=detail)
        .returning(hearing_events.c.id)
    ).scalar_one()
    return ledger.track(conn, "hearing_event", [eid])


def schedule(
    ws: Workspace,
    user: User,
    case_id: int,
    *,
    matter: str,
    public: bool,
    place: str,
    host: str,
    held_on: dt.date,
    notified_on: dt.date,
    members: Sequence[rules.Member],
    announced_on: dt.date | None = None,
    juvenile_reason: str = "",
) -> int:
    """决定召开听证会: the 听证员 (number and who, 规定第七条), the notice (三日前, 第十条), the
    public notice of a public hearing (第十条第四项); returns the hearing's id."""
    require(user, "act_on_case")
    limits = Limits.of(ws)
    matter = policy.need_text(matter, "听证事项")
    place = policy.need_text(place, "听证地点")
    host = policy.need_text(host, "主持人")
    today = today_in_china()
    policy.check_not_future(notified_on, today, "告知日期")
    rules.check_members(members, held_on, limits.least, limits.most)
    rules.check_notice(notified_on, held_on, limits.notice_days)
    if public and announced_on is None:
        raise UserError("公开听证的，应发布听证会公告：请写明公告日期。", code="hearing_announce")
    if announced_on is not None:
        policy.check_not_future(announced_on, today, "公告日期")
    with ws.store.begin() as conn:
        case = visible_case(conn, case_id, user)
        if public and case.juvenile and not juvenile_reason.strip():
            raise UserError(
                "当事人是未成年人的案件，听证会一般不公开举行（规定第五条）："
                "确需公开的，应写明理由。",
                code="hearing_juvenile_public",
            )
        if public:
            _check_public_matter(ws, conn, case_id, matter)
        stamp = now()
        hid = int(
            conn.execute(
                insert(hearings)
                .values(
                    case_id=case_id, matter=matter, public=public, place=place, host=host,
                    scheduled_on=held_on, notified_on=notified_on, announced_on=announced_on,
                    state="scheduled", created_by=user.name, created_at=stamp, updated_at=stamp,
                )
                .returning(hearings.c.id)
            ).scalar_one()
        )  # fmt: skip
        conn.execute(
            insert(hearing_members),
            [
                {"hearing_id": hid, "seq": i, "name": m.name.strip(), "identity": m.identity,
                 "born_on": m.born_on}
                for i, m in enumerate(members, start=1)
            ],
        )  # fmt: skip
        panel = (
            conn.execute(select(hearing_members.c.id).where(hearing_members.c.hearing_id == hid))
            .scalars()
            .all()
        )
        detail = {
            "matter": matter, "public": public, "held_on": held_on.isoformat(),
            "notified_on": notified_on.isoformat(),
            "members": [f"{m.name.strip()}（{m.identity}）" for m in members],
            **({"juvenile_reason": juvenile_reason.strip()} if juvenile_reason.strip() else {}),
        }  # fmt: skip
        state = [
            *ledger.track(conn, "hearing", [hid]),
            *ledger.track(conn, "hearing_member", panel),
            *_event(conn, hid, notified_on, "scheduled", user.name, detail),
        ]
        audit.record(
            conn,
            user.name,
            "schedule_hearing",
            "case",
            case_id,
            {"hearing": hid, **detail},
            state=state,
        )
    return hid


def _hearing(conn: Connection, hid: int, user: User, *, lock: bool = False) -> Any:
    query = select(hearings).where(hearings.c.id == hid)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise UserError(f"找不到听证会 {hid}。", code="not_found")
    try:
        visible_case(conn, row.case_id, user)
    except UserError:
        raise UserError(f"找不到听证会 {hid}。", code="not_found") from None
    return row


def _need_state(row: Any, state: str, what: str) -> None:
    if row.state != state:
        raise UserError(
            f"听证会 {row.id} 当前为“{STATES[row.state]}”，不能{what}。", code="hearing_state"
        )


def hold(ws: Workspace, user: User, hid: int, held_on: dt.date, record: str) -> None:
    """举行听证会: the day and the record (笔录). Held on another day than set, the notice
    period is checked again against the day it was held."""
    require(user, "act_on_case")
    record = policy.need_text(record, "听证笔录")
    policy.check_not_future(held_on, today_in_china(), "听证日期")
    with ws.store.begin() as conn:
        row = _hearing(conn, hid, user, lock=True)
        _need_state(row, "scheduled", "登记举行")
        rules.check_notice(row.notified_on, held_on, Limits.of(ws).notice_days)
        values = {"state": "held", "held_on": held_on, "record": record}
        conn.execute(
            update(hearings).where(hearings.c.id == hid).values(updated_at=now(), **values)
        )
        state = [
            *ledger.track(conn, "hearing", [hid], set(values)),
            *_event(conn, hid, held_on, "held", user.name, {"record": record}),
        ]
        audit.record(conn, user.name, "hold_hearing", "case", row.case_id,
                     {"hearing": hid, "held_on": held_on.isoformat()}, state=state)  # fmt: skip


def record_opinion(
    ws: Workspace, user: User, hid: int, member: str, stance: str, text: str
) -> None:
    """An 听证员's opinion (by name or number on the panel) and its stance; a later one for the
    same 听证员 replaces it in the count, the first is kept in the history."""
    require(user, "act_on_case")
    stances = rules.declarations().stances
    key = next((k for k, label in stances.items() if stance in (k, label)), None)
    if key is None:
        raise UserError(f"意见只能是：{'、'.join(stances.values())}。", code="bad_field_value")
    text = policy.need_text(text, "听证员意见")
    with ws.store.begin() as conn:
        row = _hearing(conn, hid, user, lock=True)
        _need_state(row, "held", "登记听证员意见")
        panel = conn.execute(
            select(hearing_members).where(hearing_members.c.hearing_id == hid)
        ).all()
        found = [m for m in panel if member.strip() in (m.name, str(m.seq))]
        if not found:
            names = "、".join(f"{m.seq}.{m.name}" for m in panel)
            raise UserError(f"“{member}”不是本次听证会的听证员（{names}）。", code="not_a_member")
        m = found[0]
        state = _event(conn, hid, row.held_on, "opinion", user.name,
                       {"seq": m.seq, "name": m.name, "stance": key, "text": text})  # fmt: skip
        audit.record(conn, user.name, "hearing_opinion", "case", row.case_id,
                     {"hearing": hid, "member": m.seq, "stance": key}, state=state)  # fmt: skip


def _opinions(conn: Connection, hid: int) -> dict[int, dict[str, Any]]:
    """The latest opinion of each 听证员 (by panel number)."""
    out: dict[int, dict[str, Any]] = {}
    for e in conn.execute(
        select(hearing_events.c.detail)
        .where(hearing_events.c.hearing_id == hid, hearing_events.c.kind == "opinion")
        .order_by(hearing_events.c.id)
    ):
        out[int(e.detail["seq"])] = dict(e.detail)
    return out


def decide(
    ws: Workspace,
    user: User,
    hid: int,
    on: dt.date,
    decision: str,
    *,
    follows_majority: bool,
    chief_consent: str = "",
) -> None:
    """作出处理决定 after the hearing: at least one opinion heard; a decision that does not follow
    the majority of the 听证员 needs the 检察长's consent (who and when)."""
    require(user, "act_on_case")
    decision = policy.need_text(decision, "处理决定")
    policy.check_not_future(on, today_in_china(), "决定日期")
    with ws.store.begin() as conn:
        row = _hearing(conn, hid, user, lock=True)
        _need_state(row, "held", "作出决定")
        policy.check_date(on, row.held_on)
        opinions = _opinions(conn, hid)
        if not opinions:
            raise UserError("尚未登记任何听证员意见，不能作出决定。", code="hearing_no_opinion")
        top = rules.majority(o["stance"] for o in opinions.values())
        if rules.needs_consent(follows_majority, top) and not chief_consent.strip():
            raise UserError(
                f"听证员多数意见为“{rules.declarations().stances[str(top)]}”，拟不采纳的，"
                "应当向检察长报告并获同意后作出决定：请写明检察长同意的情况。",
                code="hearing_needs_consent",
            )
        values = {"state": "decided", "decision": decision, "decided_on": on,
                  "follows_majority": follows_majority,
                  "chief_consent": chief_consent.strip() or None}  # fmt: skip
        conn.execute(
            update(hearings).where(hearings.c.id == hid).values(updated_at=now(), **values)
        )
        detail = {"decision": decision, "follows_majority": follows_majority, "majority": top,
                  **({"chief_consent": chief_consent.strip()} if chief_consent.strip() else {})}  # fmt: skip
        state = [
            *ledger.track(conn, "hearing", [hid], set(values)),
            *_event(conn, hid, on, "decided", user.name, detail),
        ]
        audit.record(conn, user.name, "decide_hearing", "case", row.case_id,
                     {"hearing": hid, **detail}, state=state)  # fmt: skip


def get_hearing(ws: Workspace, user: User, hid: int) -> dict[str, Any]:
    """A hearing with its panel (each 听证员's latest opinion) and its steps."""
    require(user, "view_cases")
    with ws.store.connect() as conn:
        row = _hearing(conn, hid, user)
        opinions = _opinions(conn, hid)
        panel = [
            {**dict(m._mapping), "opinion": opinions.get(m.seq)}
            for m in conn.execute(
                select(hearing_members)
                .where(hearing_members.c.hearing_id == hid)
                .order_by(hearing_members.c.seq)
            )
        ]
        steps = [
            {**dict(e._mapping), "label": EVENT_LABELS[e.kind]}
            for e in conn.execute(
                select(hearing_events)
                .where(hearing_events.c.hearing_id == hid)
                .order_by(hearing_events.c.id)
            )
        ]
    stances = rules.declarations().stances
    top = rules.majority(o["stance"] for o in opinions.values())
    out = dict(row._mapping)
    out.update(
        state_label=STATES[row.state], members=panel, steps=steps,
        majority=stances[top] if top else None, stances=stances,
    )  # fmt: skip
    return out


def case_hearings(ws: Workspace, user: User, case_id: int) -> list[dict[str, Any]]:
    """The hearings of a case, in order (the case page's section)."""
    require(user, "view_cases")
    with ws.store.connect() as conn:
        visible_case(conn, case_id, user)
        ids = conn.execute(
            select(hearings.c.id).where(hearings.c.case_id == case_id).order_by(hearings.c.id)
        ).scalars()
        found = list(ids)
    return [get_hearing(ws, user, hid) for hid in found]


FIGURES = (
    ("held", "听证会（次）"),
    ("public", "其中公开听证"),
    ("members", "听证员（人次）"),
    ("decided", "已作出决定"),
    ("not_majority", "未采纳多数意见"),
)


def counts(
    ws: Workspace, user: User, since: dt.date | None = None, until: dt.date | None = None
) -> list[dict[str, Any]]:
    """Hearings held within the period (by the day held), per department and case kind, of the
    cases in the user's scope, then 合计."""
    require(user, "view_stats")
    query = (
        select(hearings.c.id, hearings.c.public, hearings.c.state, hearings.c.follows_majority,
               hearings.c.held_on, cases.c.department, cases.c.case_kind)
        .join(cases, cases.c.id == hearings.c.case_id)
        .where(hearings.c.held_on.is_not(None))
    )  # fmt: skip
    if since:
        query = query.where(hearings.c.held_on >= since)
    if until:
        query = query.where(hearings.c.held_on <= until)
    scope = case_scope(scope_of(user))
    if scope is not None:
        query = query.where(scope)
    with ws.store.connect() as conn:
        rows = conn.execute(query).all()
        sizes: dict[int, int] = defaultdict(int)
        if rows:
            for hid in conn.execute(
                select(hearing_members.c.hearing_id).where(
                    hearing_members.c.hearing_id.in_([r.id for r in rows])
                )
            ).scalars():
                sizes[hid] += 1
    kinds = case_kinds()
    table: dict[tuple[str, str], dict[str, int]] = {}
    total = dict.fromkeys((k for k, _ in FIGURES), 0)
    for r in rows:
        key = (r.department, kinds.get(r.case_kind, r.case_kind))
        cell = table.setdefault(key, dict.fromkeys((k for k, _ in FIGURES), 0))
        for target in (cell, total):
            target["held"] += 1
            target["public"] += int(r.public)
            target["members"] += sizes[r.id]
            target["decided"] += int(r.state == "decided")
            target["not_majority"] += int(r.state == "decided" and not r.follows_majority)
    out = [{"department": d, "case_kind": k, **v} for (d, k), v in sorted(table.items())]
    return [*out, {"department": "合计", "case_kind": "", **total}]


def public_notice(ws: Workspace, user: User, hid: int, out: Path) -> Path:
    """The 听证会公告 of a public hearing, rendered to `out`."""
    from shujian.hearings.notice import NoticeContent, render_notice

    hearing = get_hearing(ws, user, hid)
    if not hearing["public"] or hearing["announced_on"] is None:
        raise UserError(f"听证会 {hid} 不公开举行，没有听证会公告。", code="hearing_not_public")
    with ws.store.connect() as conn:
        case = visible_case(conn, hearing["case_id"], user)
        reasoned = conn.execute(
            select(hearing_events.c.detail).where(
                hearing_events.c.hearing_id == hid, hearing_events.c.kind == "scheduled"
            )
        ).scalar_one()
        if case.juvenile and not reasoned.get("juvenile_reason"):
            raise UserError("未成年人案件的听证会不发布公告。", code="hearing_not_public")
        _check_public_matter(ws, conn, hearing["case_id"], hearing["matter"])
    content = NoticeContent.of(ws.region.procuratorate_name, hearing)
    return render_notice(content, out)
