"""未成年人 › 附条件不起诉: the list (考验期中、即将期满、报告逾期、审查中、不起诉、已撤销), a new
审查, and one probation's page with its eligibility check, conditions, measures, report schedule,
timeline and 考察意见书 (download), and a form for each step the state allows.

Every route calls the services `shujian minors probation …` calls (`juvenile.probation.service`)
with the signed-in user. Addresses carry the probation's number, never an ID number; a list of one
minor's probations is asked for by the minor's reference (编号). A helping unit's account is
answered 404 here, as everywhere outside its own minors. The family is included before
`web.minors` (`web.app.FAMILIES`) so that /minors/probation is not read as a reference.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from shujian.errors import UserError
from shujian.juvenile.probation import rules, service
from shujian.juvenile.probation.eligibility import OBJECTIONS, PARTIES
from shujian.juvenile.probation.opinion import CONCLUSIONS
from shujian.users.access import can
from shujian.web.auth import SignedInUser
from shujian.web.pages import form_date, refusal_status, render
from shujian.web.register_context import OwnWorkContext

router = APIRouter()

BASE = "/minors/probation"
PER_PAGE = 50
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

NOTICES = {
    "opened": "已登记审查。",
    "facts": "已补充审查情况。",
    "decide": "已决定附条件不起诉。",
    "prosecute": "已作出起诉决定。",
    "serve": "已登记送达、宣布。",
    "report": "已登记报告。",
    "violation": "已登记违反规定的情况。",
    "opinion": "已出具考察意见书。",
    "end": "考验期满，已作出不起诉决定。",
    "revoke": "已撤销附条件不起诉，提起公诉。",
}


class _Context(OwnWorkContext):
    def page(self, name: str, context: dict[str, Any], status: int = 200) -> Response:
        d = rules.declarations()
        return render(
            self.request,
            f"minors/probation/{name}.html",
            {
                "tab": "probation",
                "helper": None,
                "may_act": can(self.user, service.ACT),
                "may_issue": can(self.user, service.ACT) and can(self.user, "issue_document"),
                "today": self.today,
                "parties": PARTIES,
                "objections": OBJECTIONS,
                "measures": d.measures,
                "grounds": d.grounds,
                "conclusions": CONCLUSIONS,
                "views": service.VIEWS,
                "min_months": d.min_months,
                "max_months": d.max_months,
                "report_days": service.report_days(self.register.ws),
                **context,
            },
            status_code=status,
        )


def _flag(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _facts(form: dict[str, str], heard: list[str]) -> service.FactsInput:
    return service.FactsInput(
        act_on=form_date(form.get("act_on"), "行为日期"),
        charge=(form.get("charge") or "").strip() or None,
        sentence=(form.get("sentence") or "").strip() or None,
        prosecutable=_flag(form.get("prosecutable", "")),
        remorse=_flag(form.get("remorse", "")),
        heard={p: v for p, v in zip(PARTIES, heard, strict=False) if v} or None,
        objection=(form.get("objection") or "").strip() or None,
    )


@router.get(BASE)
def list_page(
    request: Request, user: SignedInUser, view: str = "active", minor: str = "", page: str = "1"
) -> Response:
    ctx = _Context(request, user)
    chosen = view if view in service.VIEWS else "active"
    number = int(page) if page.isdigit() and int(page) > 0 else 1
    try:
        id_card = ctx.register.resolve_ref(ctx.user, minor) if minor else None
        if id_card:
            chosen = "all"
        rows = service.list_probations(
            ctx.register, ctx.user, ctx.today, view=chosen, id_card=id_card,
            offset=(number - 1) * PER_PAGE, limit=PER_PAGE,
        )  # fmt: skip
        counts = service.counts(ctx.register, ctx.user, ctx.today)
    except UserError as error:
        return ctx.refused(error)
    alert = service.alert_days(ctx.register.ws)
    return ctx.page("list", {"rows": rows, "page": rows, "view": chosen, "counts": counts,
                             "minor": minor, "alert_days": alert,
                             "query": lambda **c: "?" + "&".join(f"{k}={v}" for k, v in
                                                                 {"view": chosen, **c}.items())})  # fmt: skip


@router.get(BASE + "/new")
def new_page(request: Request, user: SignedInUser) -> Response:
    ctx = _Context(request, user)
    if not can(ctx.user, service.ACT):
        return ctx.refused(UserError("没有办理附条件不起诉考察的权限。", code="forbidden"))
    return ctx.page("new", {"form": {}, "error": ""})


@router.post(BASE + "/new")
def open_probation(
    request: Request,
    user: SignedInUser,
    id_card: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    opened_on: Annotated[str, Form()] = "",
    act_on: Annotated[str, Form()] = "",
    charge: Annotated[str, Form()] = "",
    sentence: Annotated[str, Form()] = "",
    prosecutable: Annotated[str, Form()] = "",
    remorse: Annotated[str, Form()] = "",
    heard: Annotated[list[str] | None, Form()] = None,
    objection: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request, user)
    typed = {"id_card": "", "name": name, "opened_on": opened_on, "act_on": act_on,
             "charge": charge, "sentence": sentence, "prosecutable": prosecutable,
             "remorse": remorse, "objection": objection}  # fmt: skip
    try:
        pid = service.open_probation(
            ctx.register, ctx.user, ctx.today, id_card=id_card, name=name,
            facts=_facts(typed, heard or []), opened_on=form_date(opened_on, "审查日期"),
        )  # fmt: skip
    except UserError as refusal:
        if refusal_status(refusal) != 400:
            return ctx.refused(refusal)
        # the ID number typed is not sent back in the page: it is typed again
        return ctx.page("new", {"form": typed, "error": refusal.message}, status=400)
    return RedirectResponse(f"{BASE}/{pid}?done=opened", status_code=303)


def _probation_page(ctx: _Context, pid: int, notice: str = "", error: str = "") -> Response:
    try:
        p = service.get_probation(ctx.register, ctx.user, pid, ctx.today)
    except UserError as refusal:
        return ctx.refused(refusal)
    steps = {s.id for s in p["steps"]}
    return ctx.page("probation", {"p": p, "steps": steps, "notice": notice, "error": error},
                    status=400 if error else 200)  # fmt: skip


@router.get(BASE + "/{pid}")
def probation_page(request: Request, user: SignedInUser, pid: int, done: str = "") -> Response:
    return _probation_page(_Context(request, user), pid, notice=NOTICES.get(done, ""))


@router.get(BASE + "/{pid}/opinion.docx")
def opinion_docx(request: Request, user: SignedInUser, pid: int) -> Response:
    ctx = _Context(request, user)
    folder = Path(tempfile.mkdtemp(prefix="probation-"))
    try:
        p = service.get_probation(ctx.register, ctx.user, pid, ctx.today)
        if not p["opinion"]:
            raise UserError("尚未出具考察意见书。", code="not_found")
        path = service.render_opinion(ctx.register, ctx.user, pid, folder / "opinion.docx")
    except UserError as refusal:
        shutil.rmtree(folder, ignore_errors=True)
        return ctx.refused(refusal)
    name = f"附条件不起诉考察意见书-{p['opinion']['number']}.docx"
    return FileResponse(path, filename=name, media_type=DOCX,
                        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))  # fmt: skip


def _step(ctx: _Context, pid: int, done: str, act: Callable[[], Any]) -> Response:
    try:
        act()
    except UserError as refusal:
        if refusal_status(refusal) != 400:
            return ctx.refused(refusal)
        return _probation_page(ctx, pid, error=refusal.message)
    return RedirectResponse(f"{BASE}/{pid}?done={done}", status_code=303)


def _day(ctx: _Context, text: str, what: str) -> dt.date:
    return form_date(text, what) or ctx.today


@router.post(BASE + "/{pid}/facts")
def facts_step(
    request: Request,
    user: SignedInUser,
    pid: int,
    act_on: Annotated[str, Form()] = "",
    charge: Annotated[str, Form()] = "",
    sentence: Annotated[str, Form()] = "",
    prosecutable: Annotated[str, Form()] = "",
    remorse: Annotated[str, Form()] = "",
    heard: Annotated[list[str] | None, Form()] = None,
    objection: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request, user)
    typed = {"act_on": act_on, "charge": charge, "sentence": sentence,
             "prosecutable": prosecutable, "remorse": remorse, "objection": objection}  # fmt: skip
    return _step(ctx, pid, "facts", lambda: service.record_facts(
        ctx.register, ctx.user, pid, ctx.today, _facts(typed, heard or []), note))  # fmt: skip


@router.post(BASE + "/{pid}/decide")
def decide_step(
    request: Request,
    user: SignedInUser,
    pid: int,
    decided_on: Annotated[str, Form()] = "",
    months: Annotated[str, Form()] = "",
    agency: Annotated[str, Form()] = "",
    mentor: Annotated[str, Form()] = "",
    measure: Annotated[list[str] | None, Form()] = None,
    note: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request, user)

    def act() -> None:
        if not months.strip().isdigit():
            raise UserError(f"考验期月数“{months}”应为6至12的整数。", code="bad_period")
        service.decide(ctx.register, ctx.user, pid, ctx.today,
                       decided_on=_day(ctx, decided_on, "决定日期"), months=int(months),
                       agency=agency, mentor=mentor, measures=measure or [], note=note)  # fmt: skip

    return _step(ctx, pid, "decide", act)


@router.post(BASE + "/{pid}/prosecute")
def prosecute_step(
    request: Request, user: SignedInUser, pid: int,
    on: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    ctx = _Context(request, user)
    return _step(ctx, pid, "prosecute", lambda: service.prosecute(
        ctx.register, ctx.user, pid, ctx.today, on=_day(ctx, on, "日期"), reason=reason))  # fmt: skip


@router.post(BASE + "/{pid}/serve")
def serve_step(
    request: Request, user: SignedInUser, pid: int,
    on: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    ctx = _Context(request, user)
    return _step(ctx, pid, "serve", lambda: service.serve(
        ctx.register, ctx.user, pid, ctx.today, served_on=_day(ctx, on, "送达日期"), note=note))  # fmt: skip


@router.post(BASE + "/{pid}/report")
def report_step(
    request: Request, user: SignedInUser, pid: int,
    on: Annotated[str, Form()] = "", text: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    ctx = _Context(request, user)
    return _step(ctx, pid, "report", lambda: service.record_report(
        ctx.register, ctx.user, pid, ctx.today, on=_day(ctx, on, "报告日期"), text=text))  # fmt: skip


@router.post(BASE + "/{pid}/violation")
def violation_step(
    request: Request, user: SignedInUser, pid: int,
    on: Annotated[str, Form()] = "", text: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    ctx = _Context(request, user)
    return _step(ctx, pid, "violation", lambda: service.record_violation(
        ctx.register, ctx.user, pid, ctx.today, on=_day(ctx, on, "日期"), text=text))  # fmt: skip


@router.post(BASE + "/{pid}/opinion")
def opinion_step(
    request: Request, user: SignedInUser, pid: int,
    on: Annotated[str, Form()] = "", performance: Annotated[str, Form()] = "",
    victim: Annotated[str, Form()] = "", conclusion: Annotated[str, Form()] = "not_prosecute",
) -> Response:  # fmt: skip
    ctx = _Context(request, user)
    return _step(ctx, pid, "opinion", lambda: service.issue_opinion(
        ctx.register, ctx.user, pid, ctx.today, issued_on=_day(ctx, on, "出具日期"),
        performance=performance, victim_opinion=victim, conclusion=conclusion))  # fmt: skip


@router.post(BASE + "/{pid}/end")
def end_step(
    request: Request, user: SignedInUser, pid: int,
    on: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    ctx = _Context(request, user)
    return _step(ctx, pid, "end", lambda: service.end_probation(
        ctx.register, ctx.user, pid, ctx.today, on=_day(ctx, on, "不起诉决定日期"), note=note))  # fmt: skip


@router.post(BASE + "/{pid}/revoke")
def revoke_step(
    request: Request, user: SignedInUser, pid: int,
    on: Annotated[str, Form()] = "", ground: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    ctx = _Context(request, user)
    return _step(ctx, pid, "revoke", lambda: service.revoke(
        ctx.register, ctx.user, pid, ctx.today, on=_day(ctx, on, "撤销日期"), ground=ground,
        text=text))  # fmt: skip
