"""线索: the queue of the user's scope and the page of one lead, with the triage the user's role
allows (分派, 成案 into a new or an existing case, 不成案 with a reason).

Every route calls the services `shujian leads …` calls (`leads.queue.queue`,
`leads.triage`, `cases.service.open_case` / `add_leads_to_case`), with the signed-in user and the
workspace's home departments, so the page shows exactly what the user's scope holds; a lead
outside it answers 404 like a missing one. ID numbers are masked in the list and on the page;
the whole number is shown only after a POST that gives a reason (audited by `get_lead`).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from shujian.cases.service import add_leads_to_case, case_of_lead, open_case
from shujian.data.fields.id_card import today_in_china
from shujian.data.warehouse import Warehouse
from shujian.errors import UserError
from shujian.leads import triage
from shujian.leads.queue import ORDERS, homes, queue, review_models
from shujian.leads.service import STATUS_LABELS
from shujian.models.labels import Masking, evidence_label
from shujian.models.parameters import parameters_in_force
from shujian.models.spec import ModelSpec, load_library
from shujian.users import User, departments_of
from shujian.users.access import can
from shujian.web.auth import SignedInUser
from shujian.web.pages import form_date, refusal_status, render
from shujian.workspace import Workspace

router = APIRouter()

PER_PAGE = 20
STATUSES = {**STATUS_LABELS, "all": "全部"}
DONE = {
    "dispatched": "已分派。",
    "dismissed": "已作不成案处理：证据不变时，模型不再推送这条线索。",
    "accepted": "已成案：新立案件 {case}。",
    "merged": "已成案：并入案件 {case}。",
}
"""Messages after a triage step (the redirect names one by its key, never by free text)."""


class _Context:
    """What the routes need of the workspace, looked up once per request."""

    def __init__(self, request: Request) -> None:
        self.ws: Workspace = request.app.state.workspace
        self.library: dict[str, ModelSpec] = load_library(self.ws.models_dir)
        self.departments = departments_of(self.ws)
        self.home = homes(self.library, self.departments)

    def masking(self) -> Masking:
        return Masking(self.library, self.ws.datasets())


def _not_found_as_404(error: UserError) -> None:
    """A lead outside the scope and a missing one answer with the same 404 page."""
    if error.code == "not_found":
        raise HTTPException(status_code=404) from error


# ---- the queue ------------------------------------------------------------------------------


@router.get("/leads")
def lead_list(
    request: Request,
    user: SignedInUser,
    status: str = "new",
    model: str = "",
    department: str = "",
    prosecutor: str = "",
    undispatched: str = "",
    order: str = "model",
    since: str = "",
    until: str = "",
    page: int = 1,
    done: str = "",
) -> Response:
    ctx = _Context(request)
    filters = {
        "status": status if status in STATUSES else "new",
        "model": model,
        "department": department,
        "prosecutor": prosecutor.strip(),
        "undispatched": "1" if undispatched else "",
        "order": order if order in ORDERS else "model",
        "since": since,
        "until": until,
    }
    error, refused_with = None, 200
    try:
        rows = queue(
            ctx.ws.store,
            user,
            status=None if filters["status"] == "all" else filters["status"],
            department=department or None,
            prosecutor=filters["prosecutor"] or None,
            model_id=model or None,
            undispatched=bool(undispatched),
            home=ctx.home,
            offset=(max(page, 1) - 1) * PER_PAGE,
            limit=PER_PAGE,
            review_models=review_models(ctx.library),
            order=filters["order"],
            since=form_date(since, "起始日期"),
            until=form_date(until, "截止日期"),
        )
    except UserError as refused:
        rows, error, refused_with = None, refused.message, refusal_status(refused)
    masking = ctx.masking()
    shown = [masking.lead(r) for r in rows] if rows is not None else []
    for r in shown:
        spec = ctx.library.get(r["model_id"])
        r["model_name"] = spec.name if spec else r["model_id"]
    context = {
        "rows": shown,
        "page": rows,
        "filters": filters,
        "error": error,
        "notice": DONE["dispatched"] if done == "dispatched" else None,
        "statuses": STATUSES,
        "orders": ORDERS,
        "models": sorted(
            ((m, s.name) for m, s in ctx.library.items() if s.kind != "review"),
            key=lambda x: x[0],
        ),
        "department_names": ctx.departments.names,
        "may_dispatch": can(user, "dispatch"),
        "query": lambda **change: _query(filters, change),
    }
    fragment = request.headers.get("hx-target") == "lead-list"
    template = "leads/_list.html" if fragment else "leads/index.html"
    return render(request, template, context, status_code=refused_with)


def _query(filters: dict[str, str], change: dict[str, Any]) -> str:
    """The query string of the list with `change` applied (paging links keep the filters)."""
    merged = {**filters, **{k: str(v) for k, v in change.items()}}
    return "?" + urlencode({k: v for k, v in merged.items() if v})


@router.post("/leads/dispatch")
def dispatch_many(
    request: Request,
    user: SignedInUser,
    lead_ids: Annotated[list[int] | None, Form()] = None,
    department: Annotated[str, Form()] = "",
    prosecutor: Annotated[str, Form()] = "",
) -> Response:
    """分派 of the leads ticked in the list (a department head's)."""
    ctx = _Context(request)
    try:
        triage.dispatch(
            ctx.ws.store,
            lead_ids or [],
            department,
            prosecutor,
            user,
            departments=ctx.departments,
            home=ctx.home,
        )
    except UserError as refused:
        return render(
            request,
            "error.html",
            {"title": "未能分派", "message": refused.message, "back": "/leads"},
            status_code=404 if refused.code == "not_found" else 400,
        )
    return RedirectResponse("/leads?done=dispatched", status_code=303)


# ---- one lead -------------------------------------------------------------------------------


def _lead_page(
    request: Request,
    user: User,
    lead_id: int,
    *,
    reveal_reason: str = "",
    error: str | None = None,
    form: dict[str, str] | None = None,
    done: str = "",
) -> Response:
    ctx = _Context(request)
    try:
        lead = triage.get_lead(
            ctx.ws.store,
            lead_id,
            user,
            reveal=bool(reveal_reason),
            reason=reveal_reason,
            masking=ctx.masking(),
            home=ctx.home,
        )
    except UserError as refused:
        _not_found_as_404(refused)
        raise
    spec = ctx.library.get(lead["model_id"])
    case = case_of_lead(ctx.ws.store, lead_id)
    context = {
        "lead": lead,
        "spec": spec,
        "case": case,
        "revealed": bool(reveal_reason),
        "parameters": _parameters(ctx, spec, lead),
        **_evidence(ctx, spec, lead),
        "error": error,
        "notice": DONE[done].format(case=case["id"] if case else "") if done in DONE else None,
        "form": form or {},
        "reasons": triage.reasons_of(ctx.ws),
        "department_names": ctx.departments.names,
        "may": {
            action: can(user, action) for action in ("dispatch", "triage", "open_case", "reveal_id")
        },
        "today": today_in_china().isoformat(),
    }
    return render(request, "leads/lead.html", context, status_code=400 if error else 200)


def _parameters(
    ctx: _Context, spec: ModelSpec | None, lead: dict[str, Any]
) -> list[dict[str, Any]]:
    """The parameters in force now, with their source, beside the value the lead was found with
    (a run stores each parameter as `ParameterInForce.as_json`)."""
    used = {
        name: p.get("value") if isinstance(p, dict) else p
        for name, p in (lead.get("parameters") or {}).items()
    }
    if spec is None:
        return [
            {"label": k, "value": _shown(v), "used": _shown(v), "source": ""}
            for k, v in used.items()
        ]
    unit = {p.name: p.unit for p in spec.parameters}
    return [
        {
            "label": p.label,
            "value": _shown(p.value) + unit.get(p.name, ""),
            "used": _shown(used[p.name]) + unit.get(p.name, "") if p.name in used else "—",
            "source": p.source,
            "changed": p.name in used and used[p.name] != p.value,
        }
        for p in parameters_in_force(spec, ctx.ws.overrides, ctx.ws.additions).values()
    ]


def _shown(value: Any) -> str:
    """A parameter's value as a reader writes it (a list as 甲、乙, not Python's repr)."""
    if isinstance(value, list | tuple):
        return "、".join(f"“{v}”" if isinstance(v, str) else str(v) for v in value)
    return str(value)


ROW_COLUMNS = ("source_row",)
"""Evidence columns that carry the row of the agency's file (models that keep it)."""


def _evidence(ctx: _Context, spec: ModelSpec | None, lead: dict[str, Any]) -> dict[str, Any]:
    """The evidence table: Chinese headers, the deciding columns marked, and for each row the
    batch, file and row it comes from (the model's `trace` columns name the batches)."""
    rows = lead.get("evidence") or []
    trace = dict(spec.trace) if spec else {}
    hidden = set(trace.values()) | set(ROW_COLUMNS)
    columns = [c for c in dict.fromkeys(c for r in rows for c in r) if c not in hidden]
    deciding = set(spec.deciding) if spec else set()
    batches = {b.id: b for b in Warehouse(ctx.ws.warehouse_dir, ctx.ws.store).batches()}
    datasets = ctx.ws.datasets()
    sources = []
    for r in rows:
        found = []
        for dataset, column in trace.items():
            ids = r.get(column)
            for batch_id in ids if isinstance(ids, list) else [ids]:
                if batch_id is None:
                    continue
                batch = batches.get(int(batch_id))
                found.append(
                    {
                        "dataset": datasets[dataset].label if dataset in datasets else dataset,
                        "batch": batch_id,
                        "file": batch.file_name if batch else "（批次已不存在）",
                        "row": next((r[c] for c in ROW_COLUMNS if r.get(c) is not None), None)
                        if dataset == (spec.subject_dataset if spec else None)
                        else None,
                    }
                )
        sources.append(found)
    return {
        "columns": [
            {
                "id": c,
                "label": evidence_label(spec, c) if spec else c,
                "deciding": c in deciding,
            }
            for c in columns
        ],
        "evidence": list(zip(rows, sources, strict=True)),
    }


@router.get("/leads/{lead_id}")
def lead_page(request: Request, user: SignedInUser, lead_id: int, done: str = "") -> Response:
    return _lead_page(request, user, lead_id, done=done)


@router.post("/leads/{lead_id}/reveal")
def reveal(
    request: Request, user: SignedInUser, lead_id: int, reason: Annotated[str, Form()] = ""
) -> Response:
    """显示完整号码: only with a reason, which the audit entry of the view keeps."""
    if not reason.strip():
        return _lead_page(
            request, user, lead_id, error="显示完整号码须填写查看理由（记入审计日志）。"
        )
    return _lead_page(request, user, lead_id, reveal_reason=reason)


def _after(lead_id: int, done: str) -> Response:
    return RedirectResponse(f"/leads/{lead_id}?done={done}", status_code=303)


@router.post("/leads/{lead_id}/dispatch")
def dispatch_one(
    request: Request,
    user: SignedInUser,
    lead_id: int,
    department: Annotated[str, Form()] = "",
    prosecutor: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request)
    try:
        triage.dispatch(
            ctx.ws.store,
            [lead_id],
            department,
            prosecutor,
            user,
            departments=ctx.departments,
            home=ctx.home,
        )
    except UserError as refused:
        _not_found_as_404(refused)
        form = {"department": department, "prosecutor": prosecutor}
        return _lead_page(request, user, lead_id, error=refused.message, form=form)
    return _after(lead_id, "dispatched")


@router.post("/leads/{lead_id}/dismiss")
def dismiss(
    request: Request,
    user: SignedInUser,
    lead_id: int,
    reason: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request)
    try:
        triage.dismiss(
            ctx.ws.store,
            [lead_id],
            reason,
            user,
            note,
            reasons=triage.reasons_of(ctx.ws),
            home=ctx.home,
        )
    except UserError as refused:
        _not_found_as_404(refused)
        form = {"dismiss_reason": reason, "note": note}
        return _lead_page(request, user, lead_id, error=refused.message, form=form)
    return _after(lead_id, "dismissed")


@router.post("/leads/{lead_id}/accept")
def accept(
    request: Request,
    user: SignedInUser,
    lead_id: int,
    into: Annotated[str, Form()] = "new",
    case_id: Annotated[str, Form()] = "",
    department: Annotated[str, Form()] = "",
    prosecutor: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    urgent: Annotated[str, Form()] = "",
    juvenile: Annotated[str, Form()] = "",
    confirm_stale: Annotated[str, Form()] = "",
) -> Response:
    """成案: a new case (department, prosecutor, reason) or into an existing one."""
    ctx = _Context(request)
    form = {
        "into": into,
        "case_id": case_id,
        "department": department,
        "prosecutor": prosecutor,
        "accept_reason": reason,
    }
    try:
        if into == "existing":
            if not case_id.strip().isdigit():
                raise UserError("并入已有案件须填写案件编号（数字）。", code="bad_case_id")
            add_leads_to_case(
                ctx.ws.store,
                int(case_id),
                [lead_id],
                user,
                reason,
                confirm_stale=bool(confirm_stale),
                home=ctx.home,
            )
            return _after(lead_id, "merged")
        open_case(
            ctx.ws.store,
            [lead_id],
            department,
            prosecutor.strip(),
            user,
            reason,
            today_in_china(),
            urgent=bool(urgent),
            juvenile=bool(juvenile),
            departments=ctx.departments,
            calendar=ctx.ws.calendar,
            confirm_stale=bool(confirm_stale),
            home=ctx.home,
        )
    except UserError as refused:
        if refused.code == "not_found" and into != "existing":
            _not_found_as_404(refused)
        return _lead_page(request, user, lead_id, error=refused.message, form=form)
    return _after(lead_id, "accepted")
