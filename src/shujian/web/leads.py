"""线索: the queue of the user's scope and the page of one lead, with the triage the user's role
allows (分派, 成案 into a new or an existing case, 不成案 with a reason) — of one lead on its
page, of the leads ticked in the list at once (all of them or none: the services refuse the
whole request when one lead cannot be triaged).

Every route calls the services `shujian leads …` calls (`leads.queue.queue`,
`leads.triage`, `cases.service.open_case` / `add_leads_to_case`), with the signed-in user and the
workspace's home departments, so the page shows exactly what the user's scope holds; a lead
outside it answers 404 like a missing one. ID numbers are masked in the list and on the page;
the whole number is shown only after a POST that gives a reason (audited by `get_lead`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from shujian.beijing import today_in_china
from shujian.cases.service import add_leads_to_case, case_of_lead, list_cases, open_case
from shujian.cases.workflow import load_workflow
from shujian.data.warehouse import Warehouse
from shujian.errors import UserError
from shujian.juvenile.service import Register
from shujian.juvenile.tiers import service as tiers
from shujian.leads import triage
from shujian.leads.queue import ORDERS, homes, queue, review_models
from shujian.leads.service import STATUS_LABELS
from shujian.leads.town import NO_TOWN, towns_present
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

LIST_DONE = {
    "dispatched": "已分派 {n} 条线索。",
    "accepted": "{n} 条线索已成案：新立案件 {case}。",
    "merged": "{n} 条线索已成案：并入案件 {case}。",
    "dismissed": "{n} 条线索已作不成案处理：证据不变时，模型不再推送这些线索。",
}
"""Messages above the list after a bulk step (named by key; the counts are digits only)."""


def _filters(raw: Mapping[str, str]) -> dict[str, str]:
    """The list's filters from a query string, each value one the form offers (or free text)."""
    status = raw.get("status", "new")
    order = raw.get("order", "model")
    return {
        "status": status if status in STATUSES else "new",
        "model": raw.get("model", ""),
        "town": raw.get("town", "").strip(),
        "department": raw.get("department", ""),
        "prosecutor": raw.get("prosecutor", "").strip(),
        "undispatched": "1" if raw.get("undispatched") else "",
        "order": order if order in ORDERS else "model",
        "since": raw.get("since", ""),
        "until": raw.get("until", ""),
        "review": "1" if raw.get("review") else "",
    }


def _back(back: str) -> dict[str, str]:
    """The filters of the list a bulk form was sent from (its hidden `back` query string)."""
    return _filters(dict(parse_qsl(back.lstrip("?"))))


@router.get("/leads")
def lead_list(request: Request, user: SignedInUser, page: int = 1) -> Response:
    params = request.query_params
    notice = None
    done, n, case = params.get("done", ""), params.get("n", ""), params.get("case", "")
    with_case = done in ("accepted", "merged")
    if done in LIST_DONE and n.isdigit() and (case.isdigit() or not with_case):
        notice = {
            "text": LIST_DONE[done].format(n=n, case=case),
            "case": case if with_case else None,
        }
    return _list_page(request, user, _filters(params), page, notice=notice)


def _list_page(
    request: Request,
    user: User,
    filters: dict[str, str],
    page: int = 1,
    *,
    notice: dict[str, Any] | None = None,
    problem: UserError | None = None,
    picked: Sequence[int] = (),
    form: Mapping[str, str] | None = None,
) -> Response:
    """The queue with `filters`; after a refused bulk step, with the refusal (`problem`), the
    leads that were ticked and what was typed."""
    ctx = _Context(request)
    spec = ctx.library.get(filters["model"])
    no_town_model = spec is not None and not spec.town
    error, refused_with = None, 200
    try:
        rows = queue(
            ctx.ws.store,
            user,
            status=None if filters["status"] == "all" else filters["status"],
            department=filters["department"] or None,
            prosecutor=filters["prosecutor"] or None,
            model_id=filters["model"] or None,
            undispatched=bool(filters["undispatched"]),
            home=ctx.home,
            offset=(max(page, 1) - 1) * PER_PAGE,
            limit=PER_PAGE,
            review_models=review_models(ctx.library),
            order=filters["order"],
            since=form_date(filters["since"], "起始日期"),
            until=form_date(filters["until"], "截止日期"),
            town=None if no_town_model else filters["town"] or None,
            review=bool(filters["review"]),
        )
    except UserError as refused:
        rows, error, refused_with = None, refused.message, refusal_status(refused)
    masking = ctx.masking()
    shown = [masking.lead(r) for r in rows] if rows is not None else []
    for r in shown:
        lead_spec = ctx.library.get(r["model_id"])
        r["model_name"] = lead_spec.name if lead_spec else r["model_id"]
    may = {a: can(user, a) for a in ("dispatch", "triage", "open_case")}
    fragment = request.headers.get("hx-target") == "lead-list"
    context = {
        "rows": shown,
        "page": rows,
        "filters": filters,
        "error": error,
        "notice": notice,
        "problem": problem.message if problem else None,
        "picked": set(picked),
        "form": form or {},
        "statuses": STATUSES,
        "orders": ORDERS,
        "models": sorted(
            (
                (m, s.name)
                for m, s in ctx.library.items()
                if (s.kind == "review") == bool(filters["review"])
            ),
            key=lambda x: x[0],
        ),
        "may_export": can(user, "export"),
        "towns": towns_present(ctx.ws.store),
        "no_town": NO_TOWN,
        "no_town_model": no_town_model,
        "department_names": ctx.departments.names,
        "reasons": triage.reasons_of(ctx.ws),
        "may": may,
        "may_pick": any(may.values()),
        "back": _query(filters, {}),
        "query": lambda **change: _query(filters, change),
        "fragment": fragment,
    }
    template = "leads/_list.html" if fragment else "leads/index.html"
    if problem and refused_with == 200:
        refused_with = refusal_status(problem)  # 403 for a role's refusal, else 400
    return render(request, template, context, status_code=refused_with)


def _query(filters: dict[str, str], change: dict[str, Any]) -> str:
    """The query string of the list with `change` applied (paging links keep the filters)."""
    merged = {**filters, **{k: str(v) for k, v in change.items()}}
    return "?" + urlencode({k: v for k, v in merged.items() if v})


def _bulk_done(back: str, done: str, n: int, case: int | None = None) -> Response:
    """Back to the list the bulk form was sent from, saying what was done."""
    change: dict[str, Any] = {"done": done, "n": n, **({"case": case} if case else {})}
    return RedirectResponse("/leads" + _query(_back(back), change), status_code=303)


def _bulk_refused(
    request: Request,
    user: User,
    refused: UserError,
    back: str,
    lead_ids: Sequence[int],
    form: Mapping[str, str],
) -> Response:
    """A refused bulk step changed nothing: leads outside the scope (or missing) answer 404
    like one lead does; any other refusal is shown above the list with the ticks kept."""
    _not_found_as_404(refused)
    return _list_page(request, user, _back(back), problem=refused, picked=lead_ids, form=form)


@router.post("/leads/dispatch")
def dispatch_many(
    request: Request,
    user: SignedInUser,
    lead_ids: Annotated[list[int] | None, Form()] = None,
    department: Annotated[str, Form()] = "",
    prosecutor: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    """分派 of the leads ticked in the list (a department head's)."""
    ctx = _Context(request)
    ids = lead_ids or []
    try:
        n = triage.dispatch(
            ctx.ws.store,
            ids,
            department,
            prosecutor,
            user,
            departments=ctx.departments,
            home=ctx.home,
        )
    except UserError as refused:
        form = {"department": department, "prosecutor": prosecutor}
        return _bulk_refused(request, user, refused, back, ids, form)
    return _bulk_done(back, "dispatched", n)


@router.post("/leads/accept")
def accept_many(
    request: Request,
    user: SignedInUser,
    lead_ids: Annotated[list[int] | None, Form()] = None,
    into: Annotated[str, Form()] = "new",
    case_id: Annotated[str, Form()] = "",
    case_department: Annotated[str, Form()] = "",
    case_prosecutor: Annotated[str, Form()] = "",
    accept_reason: Annotated[str, Form()] = "",
    urgent: Annotated[str, Form()] = "",
    juvenile: Annotated[str, Form()] = "",
    confirm_stale: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    """成案 of the leads ticked in the list: together into one new case, or into an existing
    case the user may add to — all of them or none (`open_case` / `add_leads_to_case`)."""
    ctx = _Context(request)
    ids = lead_ids or []
    form = {
        "into": into,
        "case_id": case_id,
        "case_department": case_department,
        "case_prosecutor": case_prosecutor,
        "accept_reason": accept_reason,
        **({"urgent": "1"} if urgent else {}),
        **({"juvenile": "1"} if juvenile else {}),
    }
    try:
        if into == "existing":
            if not case_id.strip().isdigit():
                raise UserError("并入已有案件须选择一个案件。", code="bad_case_id")
            add_leads_to_case(
                ctx.ws.store,
                int(case_id),
                ids,
                user,
                accept_reason,
                confirm_stale=bool(confirm_stale),
                home=ctx.home,
            )
            return _bulk_done(back, "merged", len(ids), int(case_id))
        new_case = open_case(
            ctx.ws.store,
            ids,
            case_department,
            case_prosecutor.strip(),
            user,
            accept_reason,
            today_in_china(),
            urgent=bool(urgent),
            juvenile=bool(juvenile),
            departments=ctx.departments,
            calendar=ctx.ws.calendar,
            confirm_stale=bool(confirm_stale),
            home=ctx.home,
        )
    except UserError as refused:
        return _bulk_refused(request, user, refused, back, ids, form)
    return _bulk_done(back, "accepted", len(ids), new_case)


@router.post("/leads/dismiss")
def dismiss_many(
    request: Request,
    user: SignedInUser,
    lead_ids: Annotated[list[int] | None, Form()] = None,
    dismiss_reason: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    """不成案 of the leads ticked in the list, one reason for all (`triage.dismiss`)."""
    ctx = _Context(request)
    ids = lead_ids or []
    try:
        n = triage.dismiss(
            ctx.ws.store,
            ids,
            dismiss_reason,
            user,
            note,
            reasons=triage.reasons_of(ctx.ws),
            home=ctx.home,
        )
    except UserError as refused:
        form = {"dismiss_reason": dismiss_reason, "note": note}
        return _bulk_refused(request, user, refused, back, ids, form)
    return _bulk_done(back, "dismissed", n)


OPEN_CASES_LOOKED_AT = 200
"""The newest cases of the user's scope among which the 成案 form offers those not ended."""


@router.get("/leads/open-cases")
def open_cases(request: Request, user: SignedInUser) -> Response:
    """The cases the ticked leads may join (in the user's scope, not ended), as the options of
    the 成案 form's case list; asked for when the user chooses 并入已有案件 (the list view is
    audited by `list_cases`)."""
    ws = request.app.state.workspace
    found = list_cases(ws.store, user, offset=0, limit=OPEN_CASES_LOOKED_AT)
    cases = [c for c in found if not load_workflow(c["case_kind"]).is_terminal(c["state"])]
    return render(request, "leads/_open_cases.html", {"cases": cases})


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
        "set_tier": tiers.take_up_path(Register(ctx.ws, ctx.library), user, lead_id),
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
