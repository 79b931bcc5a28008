"""案件: the list of the user's cases with their deadlines, and the case page — its leads, its
timeline, the steps the declared workflow allows this user now, the reply and the outcomes.
The 检察建议书's routes (draft, issue, download, PDF preview, 备案) are in `web/documents.py`.

Routes call the services `cli/cases.py` calls, with the signed-in user: the services scope
every read and refuse every step outside the user's role or scope; a refusal is shown on the
case page in Chinese (404 outside the scope, 403 for a role's refusal, else 400).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from shujian.beijing import shown, today_in_china
from shujian.cases import deadlines, outcomes, recommendations, service
from shujian.cases.categories import declarations
from shujian.cases.numbering import COUNTER, numbering_mode
from shujian.cases.workflow import (
    Transition,
    Workflow,
    field_label,
    field_text,
    load_workflow,
    parse_field_value,
)
from shujian.errors import UserError
from shujian.models.labels import Masking
from shujian.users.access import can
from shujian.web.auth import SignedInUser
from shujian.web.pages import (
    form_date_or_today,
    library_of,
    refusal_status,
    render,
    workspace_of,
)
from shujian.workspace import Workspace

router = APIRouter()
AID_STEPS = ("review", "approve")
"""国家司法救助's steps taken in its own section of the page (web/judicial_aid.py)."""

PER_PAGE = 20


def _due(ws: Workspace, start: dt.date | None, due: dt.date | None, state: str, wf: Workflow):  # type: ignore[no-untyped-def]
    """A running deadline as the pages show it: due date, 暂定 mark, overdue."""
    if due is None:
        return None
    today = today_in_china()
    return {
        "due": due,
        "provisional": bool(deadlines.provisional_years(ws.calendar, start, due)),
        "overdue": due < today and not wf.is_terminal(state),
        "days": (due - today).days,
    }


# ---- the list -------------------------------------------------------------------------------


@router.get("/cases")
def case_list(request: Request, user: SignedInUser, state: str = "", page: int = 1) -> Response:
    ws = workspace_of(request)
    page = max(page, 1)
    try:
        rows = service.list_cases(
            ws.store,
            user,
            state=state or None,
            offset=(page - 1) * PER_PAGE,
            limit=PER_PAGE,
        )
        error = None
    except UserError as e:
        if e.code == "forbidden":
            return _refusal(request, e)
        rows, error = None, e.message
    for r in rows or ():
        wf = load_workflow(r["case_kind"])
        r["deadline"] = _due(ws, r["deadline_start"], r["deadline_due"], r["state"], wf)
        kind = r["deadline_kind"]
        r["deadline_label"] = wf.deadlines[kind].label if kind in wf.deadlines else ""
        r["kind_label"] = wf.kind_label
    states = list(dict.fromkeys(s.label for s in load_workflow().states.values()))
    states += [
        s.label
        for s in load_workflow("support_prosecution").states.values()
        if s.label not in states
    ]
    ctx = {
        "rows": rows,
        "state": state,
        "states": states,
        "error": error,
        "can_apply": can(user, "open_case"),
    }
    partial = request.headers.get("hx-request") and not request.headers.get(
        "hx-history-restore-request"
    )
    name = "cases/_table.html" if partial else "cases/list.html"
    return render(request, name, ctx)


# ---- the case page --------------------------------------------------------------------------


def _field_form(wf: Workflow, t: Transition) -> list[dict[str, Any]]:
    """The inputs of a step's form: its required then optional fields (reason apart)."""
    out = []
    for key in (*t.requires, *t.optional):
        if key == "reason":
            continue
        spec = wf.fields[key]
        out.append(
            {
                "id": key,
                "label": spec.label,
                "choices": spec.choices,
                "bool": spec.kind == "bool",
                "required": key in t.requires,
            }
        )
    return out


def hearings_section(request: Request, user: SignedInUser, case_id: int) -> dict[str, Any]:
    from shujian.web.hearings import section

    return section(request, user, case_id)


def aid_section(request: Request, user: SignedInUser, case_id: int) -> dict[str, Any]:
    from shujian.web.judicial_aid import section

    return section(request, user, case_id)


def _case_page(
    request: Request,
    user: SignedInUser,
    case_id: int,
    *,
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
    form: dict[str, Any] | None = None,
) -> Response:
    ws = workspace_of(request)
    library = library_of(request)
    case = service.get_case(ws.store, case_id, user)
    wf = load_workflow(case["case_kind"])
    steps = service.history(ws.store, case_id, user)
    for s in steps:
        s["at_local"] = shown(s["at"])
        s["field_texts"] = [
            (field_label(wf, k), field_text(v))
            for k, v in s["fields"].items()
            if v not in ([], None) and k not in wf.hidden_fields
        ]
    allowed = service.available_actions(ws.store, case_id, user)
    issuing = next((t for t in allowed if t.document), None)
    own = AID_STEPS if case["case_kind"] == "judicial_aid" else ()
    actions = [
        {"t": t, "fields": _field_form(wf, t)}
        for t in allowed
        if not t.document and t.action not in own
    ]
    try:
        found = recommendations.case_leads_of(ws.store, case_id)
    except UserError:
        found = []
    masking = Masking(library, ws.datasets())
    leads = [masking.lead(r) for r in found]
    recs = recommendations.list_recommendations(ws.store, case_id, user=user)
    for r in recs:
        r["filing"] = _due(ws, r["issued_on"], r["filing_due"], case["state"], wf)
    kind = case["deadline_kind"]
    ctx = {
        "case": case,
        "wf": wf,
        "deadline": _due(ws, case["deadline_start"], case["deadline_due"], case["state"], wf),
        "deadline_label": wf.deadlines[kind].label if kind in wf.deadlines else "",
        "deadline_basis": wf.deadlines[kind].standard.basis if kind in wf.deadlines else "",
        "steps": steps,
        "actions": actions,
        "issuing": issuing,
        "categories": recommendations.offered_categories(library, found),
        "entered": numbering_mode(ws) != COUNTER,
        "leads": leads,
        "model_names": {m: spec.name for m, spec in library.items()},
        "recs": recs,
        "outcomes": outcomes.outcomes_of(ws.store, case_id),
        "outcome_kinds": list(declarations().outcomes.values()),
        "today": today_in_china().isoformat(),
        "error": error,
        "notice": notice or request.query_params.get("done"),
        "form": form or {},
        # 成效 and hearings are recorded by who may act on the case, while it is open or has
        # steps left; a kind that records its own results has no 成效 section
        "can_record": can(user, "act_on_case")
        and (bool(allowed) or not wf.is_terminal(case["state"])),
        "records_outcomes": wf.records_outcomes,
        "hearing": hearings_section(request, user, case_id),
        "aid": aid_section(request, user, case_id) if own else None,
        "opinions": [],
    }
    if case["case_kind"] == "support_prosecution":
        from shujian.web.support import support_context

        ctx.update(support_context(request, user, case_id))
    return render(request, "cases/case.html", ctx, status_code=status_code)


@router.get("/cases/{case_id}")
def case_page(request: Request, user: SignedInUser, case_id: int) -> Response:
    try:
        return _case_page(request, user, case_id)
    except UserError as e:  # outside the scope: 404, as if it did not exist
        return _refusal(request, e)


def _refusal(request: Request, e: UserError) -> Response:
    code = refusal_status(e)
    title = {404: "找不到", 403: "无权操作"}.get(code, "未能完成")
    return render(request, "error.html", {"title": title, "message": e.message}, code)


def refused_on_page(
    request: Request, user: SignedInUser, case_id: int, e: UserError, form: dict[str, Any]
) -> Response:
    """The case page again with the refusal above it; outside the scope, the 404 page."""
    status = refusal_status(e)
    if status == 404:
        return _refusal(request, e)
    try:
        return _case_page(request, user, case_id, error=e.message, status_code=status, form=form)
    except UserError as again:
        return _refusal(request, again)


def back(case_id: int, done: str) -> Response:
    return RedirectResponse(f"/cases/{case_id}?done={quote(done)}#top", status_code=303)


@router.post("/cases/{case_id}/act")
async def act(request: Request, user: SignedInUser, case_id: int) -> Response:
    """One step of the workflow: its fields come from the form the case page built for it."""
    ws = workspace_of(request)
    data = await request.form()
    action = str(data.get("action", ""))
    try:
        wf = service.workflow_of(ws.store, case_id, user)
        tr = wf.by_action(action)
        fields: dict[str, Any] = {}
        for key in (*tr.requires, *tr.optional) if tr else ():
            if key == "reason":
                continue
            spec = wf.fields[key]
            if spec.kind == "bool":
                fields[key] = data.get(key) == "是"
            elif str(data.get(key, "")).strip():
                fields[key] = parse_field_value(spec, str(data[key]).strip())
        state = service.transition(
            ws.store,
            case_id,
            action,
            user,
            str(data.get("reason", "")),
            form_date_or_today(str(data.get("on_date", "")), "日期"),
            calendar=ws.calendar,
            periods=deadlines.periods_of(ws),
            **fields,
        )
    except UserError as e:
        return refused_on_page(request, user, case_id, e, {"action": action})
    return back(case_id, f"已{wf.action_label(action)}，案件现为“{wf.label(state)}”。")


Text = Annotated[str, Form()]


@router.post("/cases/{case_id}/outcome")
def outcome(
    request: Request,
    user: SignedInUser,
    case_id: int,
    kind: Text = "",
    amount: Text = "",
    people: Text = "",
    count: Text = "",
    note: Text = "",
    on_date: Text = "",
) -> Response:
    """登记成效."""
    ws = workspace_of(request)
    try:
        outcomes.record_outcome(
            ws.store,
            case_id,
            kind,
            user,
            form_date_or_today(on_date, "成效日期"),
            amount=outcomes.parse_amount(amount) if amount.strip() else None,
            people=_whole(people, "人数"),
            count=_whole(count, "数量"),
            note=note,
        )
    except UserError as e:
        return refused_on_page(request, user, case_id, e, {"note": note})
    return back(case_id, "已登记成效。")


def _whole(text: str, what: str) -> int | None:
    if not text.strip():
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise UserError(f"{what}“{text}”应为整数。") from None
