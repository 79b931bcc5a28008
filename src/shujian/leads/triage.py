"""研判 (triage): dispatching leads (分派) to a department and prosecutor, and dismissing them
(不成案).

Accepting a lead (成案) opens or extends a case, so it lives with the cases
(`shujian.cases.service.open_case` / `add_leads_to_case`). Every operation here takes many leads
at once and is all-or-nothing: one lead that cannot be triaged refuses the whole request, naming
it, so a bulk decision is never half applied. Each change is one lead event and one audit entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from shujian import audit, yamlfile
from shujian.errors import UserError
from shujian.juvenile.sealing import records as sealing_records
from shujian.juvenile.sealing import visibility as sealing_visibility
from shujian.leads import parameter_sets
from shujian.leads.queue import check_visible, lead_refs
from shujian.leads.service import STATUS_LABELS, status_label
from shujian.leads.store import lead_dispatches, lead_events, leads
from shujian.models.labels import Masking
from shujian.store import now
from shujian.tamper import ledger
from shujian.users.access import not_found, require, scope_of, visible
from shujian.users.accounts import check_prosecutor
from shujian.users.departments import Departments
from shujian.users.user import User
from shujian.workspace import Workspace

EVENT_LABELS = {
    "created": "模型发现",
    "found_again": "再次发现",
    "evidence_changed": "证据变化",
    "reopened": "重新推送",
    "no_longer_found": "不再命中",
    "dispatched": "分派",
    "assigned": "分派",
    "accepted": "成案",
    "dismissed": "不成案",
}
"""Chinese labels of lead event kinds; `assigned` is the kind 分派 had before migration 0004."""

TRIAGE_FILE = Path(__file__).with_name("triage.yaml")


@dataclass(frozen=True)
class DismissReasons:
    """The configurable list of 不成案 reasons; those in `needs_note` need free text too."""

    reasons: tuple[str, ...]
    needs_note: tuple[str, ...] = ()

    def check(self, reason: str, note: str) -> None:
        if reason not in self.reasons:
            raise UserError(
                f"不成案理由“{reason}”不在理由清单中。可选：{'、'.join(self.reasons)}。"
            )
        if reason in self.needs_note and not note.strip():
            raise UserError(f"选择“{reason}”作为不成案理由时，必须填写具体说明。")


@lru_cache(maxsize=1)
def default_reasons() -> DismissReasons:
    raw = yamlfile.load(TRIAGE_FILE.read_text(encoding="utf-8"))
    return DismissReasons(tuple(raw["dismiss_reasons"]), tuple(raw.get("needs_note", ())))


def reasons_of(ws: Workspace) -> DismissReasons:
    """The workspace's [triage] list when its shujian.toml has one, else the bundled list."""
    reasons = ws.setting("triage.dismiss_reasons")
    if reasons is None:
        return default_reasons()
    if not reasons:
        raise UserError("配置文件 [triage] 中的 dismiss_reasons 不能为空。")
    return DismissReasons(tuple(reasons), tuple(ws.setting("triage.needs_note") or ()))


def _need(value: str, what: str) -> str:
    if not value or not value.strip():
        raise UserError(f"{what}不能为空。")
    return value.strip()


def _lock_leads(
    conn: Connection,
    lead_ids: Sequence[int],
    allowed: set[str],
    doing: str,
    user: User,
    home: Mapping[str, str],
) -> None:
    """Refuse unless every lead exists, is in the user's scope (both refused alike, as not
    found) and is in an allowed status (rows locked on PostgreSQL)."""
    if not lead_ids:
        raise UserError("请至少指定一条线索。")
    if len(set(lead_ids)) != len(lead_ids):
        raise UserError("线索编号重复。")
    found = dict(
        conn.execute(
            select(leads.c.id, leads.c.status).where(leads.c.id.in_(lead_ids)).with_for_update()
        ).all()
    )
    check_visible(conn, user, lead_ids, home)
    wrong = [i for i in lead_ids if found[i] not in allowed]
    if wrong:
        shown = "、".join(f"{i}（{STATUS_LABELS.get(found[i], found[i])}）" for i in wrong)
        allowed_labels = "、".join(STATUS_LABELS[s] for s in sorted(allowed))
        raise UserError(f"以下线索不能{doing}：{shown}；只有“{allowed_labels}”的线索可以{doing}。")


def dispatch(
    store: Engine,
    lead_ids: Sequence[int],
    department: str,
    prosecutor: str,
    user: User,
    *,
    departments: Departments | None = None,
    home: Mapping[str, str] | None = None,
) -> int:
    """分派: give leads awaiting triage to a department and prosecutor (dispatching again is
    allowed). The department must be one of `departments` (default: the bundled list); in a
    workspace with accounts the prosecutor must be an active account of that department.
    The user must be allowed to dispatch, and the leads be in their scope (`home`: where
    undispatched leads wait, `leads.queue.homes`)."""
    require(user, "dispatch")
    department = (departments or Departments.bundled()).check(department, "承办部门")
    prosecutor = _need(prosecutor, "承办检察官")
    stamp = now()
    with store.begin() as conn:
        _lock_leads(conn, lead_ids, {"new"}, "分派", user, home or {})
        check_prosecutor(conn, department, prosecutor)
        before = dict(
            conn.execute(
                select(lead_dispatches.c.lead_id, lead_dispatches.c.prosecutor).where(
                    lead_dispatches.c.lead_id.in_(lead_ids)
                )
            ).all()
        )
        values = {
            "department": department,
            "prosecutor": prosecutor,
            "dispatched_at": stamp,
            "actor": user.name,
        }
        fresh = [i for i in lead_ids if i not in before]
        if fresh:
            conn.execute(insert(lead_dispatches), [{"lead_id": i, **values} for i in fresh])
        again = [i for i in lead_ids if i in before]
        if again:
            conn.execute(
                update(lead_dispatches).where(lead_dispatches.c.lead_id.in_(again)).values(**values)
            )
        # the lead says where it is too: the queue filters on it (`leads.store`)
        conn.execute(
            update(leads)
            .where(leads.c.id.in_(lead_ids))
            .values(dispatch_department=department, dispatch_prosecutor=prosecutor)
        )
        conn.execute(
            insert(lead_events),
            [
                {
                    "lead_id": i,
                    "run_id": None,
                    "at": stamp,
                    "kind": "dispatched",
                    "actor": user.name,
                    "detail": {
                        "department": department,
                        "prosecutor": prosecutor,
                        "previous": before.get(i),
                    },
                }
                for i in lead_ids
            ],
        )
        audit.record(
            conn,
            user.name,
            "dispatch",
            "lead",
            _ids_text(lead_ids),
            {"lead_ids": list(lead_ids), "department": department, "prosecutor": prosecutor},
            state=ledger.track(conn, "lead", lead_ids, DISPATCH_COLUMNS),
        )
    return len(lead_ids)


def dismiss(
    store: Engine,
    lead_ids: Sequence[int] | int,
    reason: str,
    user: User,
    note: str = "",
    reasons: DismissReasons | None = None,
    *,
    home: Mapping[str, str] | None = None,
) -> int:
    """不成案 with a reason from the list: the model will not push these leads again unless their
    evidence changes (see `leads.service.record_findings`). The leads must be in the user's
    scope (`home` as for `dispatch`)."""
    require(user, "triage")
    ids = [lead_ids] if isinstance(lead_ids, int) else list(lead_ids)
    (reasons or default_reasons()).check(reason, note)
    stamp = now()
    with store.begin() as conn:
        _lock_leads(conn, ids, {"new"}, "作不成案处理", user, home or {})
        conn.execute(
            update(leads)
            .where(leads.c.id.in_(ids))
            .values(status="dismissed", updated_at=stamp, decided_at=stamp)
        )
        detail = {"reason": reason, "note": note.strip()}
        conn.execute(
            insert(lead_events),
            [
                {
                    "lead_id": i,
                    "run_id": None,
                    "at": stamp,
                    "kind": "dismissed",
                    "actor": user.name,
                    "detail": detail,
                }
                for i in ids
            ],
        )
        audit.record(
            conn,
            user.name,
            "dismiss",
            "lead",
            _ids_text(ids),
            {"lead_ids": ids, **detail},
            state=ledger.track(conn, "lead", ids, {"status"}),
        )
    return len(ids)


DISPATCH_COLUMNS = frozenset({"dispatch_department", "dispatch_prosecutor"})


def _ids_text(ids: Sequence[int]) -> str:
    text = ",".join(map(str, ids))
    return text if len(text) <= 120 else text[:117] + "..."


def get_lead(
    store: Engine,
    lead_id: int,
    user: User,
    *,
    reveal: bool = False,
    masking: Masking | None = None,
    home: Mapping[str, str] | None = None,
    reason: str = "",
) -> dict[str, Any]:
    """One lead with its evidence, dispatch and history; the view is audited.

    ID numbers (wherever the model's lineage puts them: subject, title, evidence) are masked
    unless `reveal` is asked for (which the user's role must allow), and the audit entry records
    which was shown and, on a reveal, which fields and the `reason` given for it. `masking` knows the workspace's models
    (default: the shipped ones). A lead outside the user's scope (`home` as for `dispatch`) is
    not found, exactly like one that does not exist.
    """
    require(user, "view_leads")
    if reveal:
        require(user, "reveal_id")
    with store.connect() as conn:
        row = conn.execute(select(leads).where(leads.c.id == lead_id)).first()
        ref = lead_refs(conn, [lead_id], home or {}).get(lead_id)
        if row is None or ref is None or not visible(scope_of(user), ref):
            raise not_found("lead", lead_id)
        resting = sealing_visibility.sealed_now(conn).leads.get(lead_id)
        out = dict(row._mapping)
        parameter_sets.fill(conn, [out])
        dispatched = conn.execute(
            select(lead_dispatches).where(lead_dispatches.c.lead_id == lead_id)
        ).first()
        out["dispatch"] = dict(dispatched._mapping) if dispatched else None
        out["events"] = [
            dict(e._mapping)
            for e in conn.execute(
                select(lead_events)
                .where(lead_events.c.lead_id == lead_id)
                .order_by(lead_events.c.id)
            )
        ]
    # a lead resting on a sealed juvenile record is not found, unless the user may see sealed
    # records and gave a reason (recorded on each record and audited)
    if resting and not sealing_records.may_view_sealed(store, user, resting, reason):
        raise not_found("lead", lead_id)
    out["sealed_records"] = sorted(resting or ())
    out["status_label"] = status_label(out["status"], bool(out["active"]))
    privacy = (masking or Masking()).of(out["model_id"])
    detail: dict[str, Any] = {"revealed": reveal}
    if reveal:
        detail["fields"] = privacy.fields()
        if reason.strip():
            detail["reason"] = reason.strip()
    else:
        out = privacy.lead(out)
    for e in out["events"]:
        e["kind_label"] = EVENT_LABELS.get(e["kind"], e["kind"])
    audit.record_view(store, user.name, "lead", lead_id, detail)
    return out
