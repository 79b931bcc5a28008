"""模型: the library (name, category, department, supervision point), each model's page (its rule
in words, legal basis with how far each provision is verified, the parameters in force with their
source, its run history) and running one or all models as of a date — the services of `shujian
models show`, `models stats` and `run`, which checks the permission (run_models) and audits.

A run is synchronous: the demonstration county's sixteen models take seconds. Progress for a
province's runs belongs with the Spark engine.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from starlette.requests import Request
from starlette.responses import Response

from shujian.data.fields.id_card import today_in_china
from shujian.errors import UserError
from shujian.models.parameters import parameters_in_force
from shujian.models.runner import run_models
from shujian.models.spec import TAGS, load_library
from shujian.models.stats import model_run_stats
from shujian.users.access import can, require
from shujian.web.auth import SignedInUser
from shujian.web.pages import form_date, refusal_status, render

router = APIRouter()


def _library(request: Request):  # type: ignore[no-untyped-def]
    return load_library(request.app.state.workspace.models_dir)


@router.get("/models")
def library_page(request: Request, user: SignedInUser) -> Response:
    require(user, "view_leads")
    ws = request.app.state.workspace
    library = _library(request)
    datasets_of = {m: spec.datasets for m, spec in library.items()}
    return render(
        request,
        "models/library.html",
        {
            "models": list(library.values()),
            "may_run": can(user, "run_models"),
            "today": today_in_china().isoformat(),
            "history": model_run_stats(ws.store, None, 5, datasets_of),
            "names": {m: s.name for m, s in library.items()},
        },
    )


@router.get("/models/{model_id}")
def model_page(request: Request, user: SignedInUser, model_id: str) -> Response:
    require(user, "view_leads")
    ws = request.app.state.workspace
    library = _library(request)
    spec = library.get(model_id)
    if spec is None:
        return render(request, "error.html", {"message": f"没有编号为 {model_id} 的模型。"}, 404)
    return render(
        request,
        "models/model.html",
        {
            "spec": spec,
            "tags": TAGS,
            "parameters": list(parameters_in_force(spec, ws.overrides, ws.additions).values()),
            "history": model_run_stats(ws.store, model_id, 10, {model_id: spec.datasets}),
            "may_run": can(user, "run_models"),
            "today": today_in_china().isoformat(),
        },
    )


@router.post("/models/run")
def run(
    request: Request,
    user: SignedInUser,
    as_of: Annotated[str, Form()] = "",
    model: Annotated[list[str] | None, Form()] = None,
) -> Response:
    ws = request.app.state.workspace
    library = _library(request)
    try:
        require(user, "run_models")
        day = form_date(as_of, "基准日")
        if day is None:
            raise UserError("请填写基准日。", code="bad_date")
        if day > today_in_china():
            raise UserError(f"基准日 {day.isoformat()} 晚于今天，不能按未来的日期运行模型。")
        ids = [m for m in (model or []) if m in library] or list(library)
        report = run_models(ws, library, ids, day, user=user)
    except UserError as refusal:
        return render(request, "error.html", {"message": refusal.message}, refusal_status(refusal))
    return render(request, "models/ran.html", {"report": report})
