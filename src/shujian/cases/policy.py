"""The decisions of the case workflow, as pure functions of the declaration and the facts.

The service (`service`, `recommendations`) reads the case store, asks these functions, and writes
what they decided; nothing here touches a database or the calendar. Keeping the policy apart
means every rule — which step a state allows, a guard on an earlier answer, the fields a step
needs, whether a date may be recorded, whether a deadline starts, ends or runs on, which leads
may be accepted, which figures a step counts for — is tested by a table of cases
(`tests/cases/test_workflow_policy.py`) instead of by walking a case through a database.

Refusals are `UserError`s in Chinese with a `code`, so a front end can add its own hint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shujian.cases.workflow import NUMERIC, Transition, Workflow, numeric_value
from shujian.errors import UserError
from shujian.leads.service import STATUS_LABELS


def need_text(value: str | None, what: str) -> str:
    """`value` stripped; refused when empty."""
    if not value or not value.strip():
        raise UserError(f"{what}不能为空。", code="missing_text")
    return value.strip()


def check_leads_acceptable(
    lead_ids: Sequence[int],
    statuses: Mapping[int, str],
    stale: Collection[int] = (),
    *,
    confirm_stale: bool = False,
) -> None:
    """成案 takes leads awaiting triage only: refuse none, duplicates, unknown or decided leads.

    `statuses` maps each lead id found in the store to its status; `stale` are the leads the
    latest run of their model no longer found (不再命中). Those are an accusation the data no
    longer makes, so they are taken into a case only when the user confirmed it knowingly
    (`confirm_stale`); the service records that confirmation.
    """
    if not lead_ids:
        raise UserError("至少需要一条线索才能立案。", code="no_leads")
    if len(set(lead_ids)) != len(lead_ids):
        raise UserError("线索编号重复。", code="duplicate_leads")
    for lead_id in lead_ids:
        status = statuses.get(lead_id)
        if status is None:
            raise UserError(f"线索 {lead_id} 不存在。", code="unknown_lead")
        if status != "new":
            label = STATUS_LABELS.get(status, status)
            raise UserError(
                f"线索 {lead_id} 当前为“{label}”，只有待研判的线索可以成案。",
                code="lead_not_new",
            )
    unconfirmed = [i for i in lead_ids if i in stale]
    if unconfirmed and not confirm_stale:
        raise UserError(
            f"线索 {'、'.join(map(str, unconfirmed))} 不再命中：模型最近一次运行已不再发现，"
            "数据可能已经更正或情况已经消除。请先核实；确认仍要成案的，须明确确认不再命中。",
            code="stale_leads_unconfirmed",
        )


def refusal_message(
    workflow: Workflow,
    case_id: int,
    state: str,
    action: str,
    latest: Mapping[str, Any] | None = None,
) -> str:
    """Why `action` cannot be taken in `state`, and what can (the same list a case page shows:
    `Workflow.available`, so no step offered there is then refused)."""
    allowed = workflow.available(state, latest or {})
    here = f"案件 {case_id} 当前状态为“{workflow.label(state)}”"
    if allowed:
        options = "、".join(f"“{t.label}”（{t.action}）" for t in allowed)
        tail = f"当前可执行的操作：{options}。"
    elif workflow.is_terminal(state):
        tail = "案件已经结束，没有可执行的操作。"
    else:
        tail = "当前没有可执行的操作。"
    known = workflow.by_action(action)
    what = f"“{known.label}”" if known else f"未知操作“{action}”"
    return f"{here}，不能执行{what}。{tail}"


def check_allowed(
    workflow: Workflow,
    case_id: int,
    state: str,
    action: str,
    latest: Mapping[str, Any] | None = None,
) -> Transition:
    """The transition `action` (id or label) names, if the case's `state` allows it.

    `latest` (the latest recorded value of the guarded fields) only shapes the list of what may
    be done instead; the guard itself is `check_guard`'s, with its own refusal.
    """
    tr = workflow.by_action(action)
    if tr is None or state not in tr.sources:
        raise UserError(
            refusal_message(workflow, case_id, state, action, latest),
            code="transition_not_allowed",
        )
    return tr


def check_guard(
    workflow: Workflow, case_id: int, tr: Transition, latest: Mapping[str, Any]
) -> None:
    """A guarded step (异议成立 …) only when the latest recorded answers are what it needs.

    `latest` maps each guarded field to its latest value recorded on the case (absent: never).
    """
    for f, wanted in tr.when:
        if latest.get(f) != wanted:
            spec = workflow.fields[f]
            raise UserError(
                f"案件 {case_id} 的{spec.label}不是“{wanted}”，不能执行“{tr.label}”。",
                code="guard_failed",
            )


def check_document(tr: Transition, document: str | None, document_label: str = "文书") -> None:
    """A step that issues a numbered document is taken only by the service that issues it,
    and that service takes no other step."""
    if tr.document != document:
        raise UserError(
            f"“{tr.label}”须同时制发并编号{document_label}，请使用{tr.label}功能。",
            code="needs_document_service",
        )


def check_fields(
    workflow: Workflow, tr: Transition, reason: str, fields: Mapping[str, Any]
) -> dict[str, Any]:
    """The step's fields, checked against the declaration and stripped; `reason` is the
    `reason` field when the step requires one (it is recorded apart, not among the fields)."""
    unknown = set(fields) - set(tr.requires) - set(tr.optional)
    if unknown:
        names = "、".join(sorted(unknown))
        raise UserError(f"“{tr.label}”不接受以下字段：{names}。", code="unknown_field")
    clean: dict[str, Any] = {}
    for fid in (*tr.requires, *tr.optional):
        spec = workflow.fields[fid]
        value = reason if fid == "reason" else fields.get(fid)
        if isinstance(value, str):
            value = value.strip()  # before the choices: " 书面送达" is 书面送达
        if value is None or (isinstance(value, str) and not value.strip()):
            if fid in tr.requires:
                raise UserError(f"“{tr.label}”必须填写{spec.label}。", code="missing_field")
            continue
        if spec.kind == "bool":
            if not isinstance(value, bool):
                raise UserError(f"{spec.label}只能是“是”或“否”。", code="bad_field_value")
        elif spec.kind in NUMERIC:
            value = numeric_value(spec, value)
        elif spec.choices and value not in spec.choices:
            raise UserError(
                f"{spec.label}只能是：{'、'.join(spec.choices)}。", code="bad_field_value"
            )
        if fid != "reason":
            clean[fid] = value
    return clean


def check_date(on_date: dt.date, last: dt.date) -> None:
    """History reads forwards: a step may not be dated before the case's last state change."""
    if on_date < last:
        raise UserError(
            f"日期 {on_date.isoformat()} 早于案件上一步的日期 {last.isoformat()}。",
            code="date_before_last_step",
        )


def check_not_future(on_date: dt.date, today: dt.date, what: str = "日期") -> None:
    """What is recorded has happened: a date after today (in China) is refused.

    A step dated ahead reads as done when it is not (a case "closed" next month), and every real
    step dated today is then refused as earlier than it. `today` is the caller's: the services
    pass today in Beijing time, whatever the server's clock zone.
    """
    if on_date > today:
        raise UserError(
            f"{what} {on_date.isoformat()} 晚于今天（{today.isoformat()}）："
            "只能登记已经发生的事，请填写实际发生的日期。",
            code="date_in_future",
        )


def flags_after(clean: Mapping[str, Any], urgent: bool, juvenile: bool) -> tuple[bool, bool]:
    """(urgent, juvenile) after a step: a step may set them; otherwise they stay as they were."""
    return bool(clean.get("urgent", urgent)), bool(clean.get("juvenile", juvenile))


@dataclass(frozen=True)
class DeadlinePlan:
    """What a step does to the case's running deadline."""

    start: str | None = None
    """The deadline kind that starts on the step's date (its due date is the calendar's)."""
    end: bool = False
    """The running deadline (if any) ends."""
    ended: dict[str, Any] | None = None
    """Recorded on the step when a running deadline ended: kind, due date, in time or not."""


def plan_deadline(
    tr: Transition, on_date: dt.date, running_kind: str | None, running_due: dt.date | None
) -> DeadlinePlan:
    """Start, end or carry over: a step starting a deadline replaces the running one; a step
    ending it records whether it ended in time (its last day still counts); any other step
    leaves it running into the next state."""
    ended = None
    if tr.ends_deadline and running_due is not None:
        ended = {
            "kind": running_kind,
            "due": running_due.isoformat(),
            "in_time": on_date <= running_due,
        }
    if tr.starts_deadline:
        # a step may end one period and start the next (支持起诉: 受理 ends the time to accept
        # and starts the time to review); whether the first ended in time is recorded too
        return DeadlinePlan(start=tr.starts_deadline, ended=ended)
    if tr.ends_deadline:
        return DeadlinePlan(end=True, ended=ended)
    return DeadlinePlan()


def figures_of_step(workflow: Workflow, action: str, fields: Mapping[str, Any]) -> list[str]:
    """The statistics figures (declared in the workflow) a recorded step counts for."""
    return [fid for fid, _ in figure_values(workflow, action, fields)]


def figure_values(
    workflow: Workflow, action: str, fields: Mapping[str, Any]
) -> list[tuple[str, Decimal | int]]:
    """(figure, value) a recorded step adds: 1 for a count, the field's number for a sum (a
    step that did not record it adds nothing)."""
    out: list[tuple[str, Decimal | int]] = []
    for fig in workflow.statistics:
        if action not in fig.actions:
            continue
        if any(str(workflow.recorded(fields, f)) not in values for f, values in fig.when):
            continue
        if fig.in_time and not (fields.get("ended_deadline") or {}).get("in_time"):
            continue
        if fig.sum is None:
            out.append((fig.id, 1))
            continue
        raw = workflow.recorded(fields, fig.sum)
        if raw is None or raw == "":
            continue
        out.append(
            (fig.id, Decimal(str(raw)) if workflow.fields[fig.sum].kind == "money" else int(raw))
        )
    return out
