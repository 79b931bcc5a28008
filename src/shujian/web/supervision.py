"""未成年人 › 督办: the 未成年人检察部's supervision of the helping units' work on its four rules —
督办事项 (一案一督办: items taken up from warnings, followed up, moved, closed; overdue first),
一月一提示 (each unit's list of minors missing last month's visits, one .xlsx per unit or all in a
.zip), 一季一督导 (a quarter's figures per town and unit, with its .xlsx) and 一月一暗访 (a
month's sample, drawn once, and each check's result, with its .xlsx).

Every route calls the services `shujian minors supervise …` calls (`juvenile.supervision`) with
the signed-in user. A helping unit's account (scope `records`) is answered 404 on every page here,
as on any page outside its own minors: it does not learn that 督办 exists, nor who is sampled.
Paths sit under /minors/supervision, a reference (编号) being 16 hex digits: the family is
included before `web.minors` (`web.app.FAMILIES`) so that its paths are matched first.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, HTTPException
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from shujian.errors import UserError
from shujian.juvenile.register import Month
from shujian.juvenile.supervision import items, prompts, quarterly, spot_checks
from shujian.juvenile.supervision.rules import Quarter, declarations
from shujian.users.access import can
from shujian.users.user import User
from shujian.web.auth import SignedInUser
from shujian.web.pages import form_date, refusal_status, render
from shujian.web.register_context import OwnWorkContext

router = APIRouter()

BASE = "/minors/supervision"
PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP = "application/zip"


class _Context(OwnWorkContext):
    """The register, the user and today, once per request; a helping unit's account is 404."""

    @property
    def may_supervise(self) -> bool:
        return can(self.user, "supervise_minors")

    def page(self, name: str, tab: str, context: dict[str, Any], status: int = 200) -> Response:
        return render(
            self.request,
            f"minors/supervision/{name}.html",
            {
                "tab": "supervision",
                "subtab": tab,
                "helper": None,
                "may_supervise": self.may_supervise,
                "today": self.today,
                **context,
            },
            status_code=status,
        )


def _recent_months(today: dt.date, count: int = 12, *, this_month: bool) -> list[Month]:
    month = Month.of(today) if this_month else Month.of(today).previous()
    out = [month]
    while len(out) < count:
        out.append(out[-1].previous())
    return out


def _with(month: Month, months: list[Month]) -> list[str]:
    """The months a selector offers, and the month shown when it is not among them."""
    labels = [m.label for m in months]
    return labels if month.label in labels else sorted([*labels, month.label], reverse=True)


def _recent_quarters(today: dt.date, count: int = 8) -> list[Quarter]:
    out = [Quarter.of(today)]
    while len(out) < count:
        out.append(out[-1].previous())
    return out


def _download(path: Path, folder: Path, name: str, media_type: str) -> Response:
    return FileResponse(
        path,
        filename=name,
        media_type=media_type,
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


def _query(values: Mapping[str, Any]) -> str:
    kept = {k: v for k, v in values.items() if v not in (None, "", 1)}
    return "?" + urlencode(kept) if kept else ""


# ---------------------------------------------------------------------------- 督办事项


@router.get(BASE)
def items_page(
    request: Request, user: SignedInUser, state: str = "open", page: str = "1", done: str = ""
) -> Response:
    ctx = _Context(request, user)
    number = int(page) if page.isdigit() and int(page) > 0 else 1
    try:
        rows = items.list_items(
            ctx.register,
            ctx.user,
            ctx.today,
            state=state if state in items.STATES else "open",
            offset=(number - 1) * PER_PAGE,
            limit=PER_PAGE,
        )
    except UserError as error:
        return ctx.refused(error)
    chosen = state if state in items.STATES else "open"
    return ctx.page(
        "items",
        "items",
        {
            "rows": rows,
            "page": rows,
            "state": chosen,
            "states": items.STATES,
            "notice": NOTICES.get(done, ""),
            "query": lambda **changes: _query({"state": chosen, **changes}),
            "base": BASE,
            "working_days": declarations().working_days,
        },
    )


NOTICES = {
    "opened": "已列为督办事项。",
    "follow_up": "已登记跟进。",
    "deadline": "已变更期限。",
    "closed": "督办事项已办结。",
    "drawn": "已抽取本月的暗访样本。",
    "checked": "已登记核查结果。",
}


def _new_form(
    ctx: _Context, lead: int, typed: Mapping[str, Any], error: str = "", status: int = 200
) -> Response:
    try:
        proposal = items.propose(ctx.register, ctx.user, lead, ctx.today)
    except UserError as refusal:
        if refusal.code == "not_found" or refusal_status(refusal) == 400:
            return ctx.page(
                "new",
                "items",
                {"proposal": None, "form": typed, "error": refusal.message, "lead": lead},
                status=404 if refusal.code == "not_found" else 400,
            )
        return ctx.refused(refusal)
    form = {
        "unit": proposal["units"][0] if len(proposal["units"]) == 1 else "",
        "mode": "days",
        "working_days": proposal["working_days"],
        "deadline": "",
        "note": "",
        **typed,
    }
    return ctx.page(
        "new",
        "items",
        {"proposal": proposal, "form": form, "error": error, "lead": lead},
        status=status,
    )


@router.get(BASE + "/new")
def new_item(request: Request, user: SignedInUser, lead: str = "") -> Response:
    ctx = _Context(request, user)
    if not lead.strip().isdigit():
        return ctx.page(
            "new",
            "items",
            {"proposal": None, "form": {}, "error": f"线索编号“{lead}”应为数字。", "lead": lead},
            status=400,
        )
    return _new_form(ctx, int(lead), {})


@router.post(BASE + "/new")
def open_item(
    request: Request,
    user: SignedInUser,
    lead: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "",
    mode: Annotated[str, Form()] = "days",
    working_days: Annotated[str, Form()] = "",
    deadline: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request, user)
    if not lead.strip().isdigit():
        raise HTTPException(status_code=400)
    lead_id = int(lead)
    typed = {
        "unit": unit,
        "mode": mode,
        "working_days": working_days,
        "deadline": deadline,
        "note": note,
    }
    try:
        if mode == "date":
            due = form_date(deadline, "期限")
            if due is None:
                raise UserError("请填写期限。", code="bad_deadline")
            item_id = items.open_item(
                ctx.register, ctx.user, lead_id, ctx.today, unit=unit, deadline=due, note=note
            )
        else:
            days = working_days.strip()
            if not days.isdigit():
                raise UserError(f"工作日数“{days}”应为正整数。", code="bad_deadline")
            item_id = items.open_item(
                ctx.register,
                ctx.user,
                lead_id,
                ctx.today,
                unit=unit,
                working_days=int(days),
                note=note,
            )
    except UserError as refusal:
        if refusal_status(refusal) == 403:
            return ctx.refused(refusal)
        return _new_form(ctx, lead_id, typed, error=refusal.message, status=400)
    return RedirectResponse(f"{BASE}/items/{item_id}?done=opened", status_code=303)


def _item_page(ctx: _Context, item_id: int, notice: str = "", error: str = "") -> Response:
    try:
        item = items.get_item(ctx.register, ctx.user, item_id, ctx.today)
    except UserError as refusal:
        return ctx.refused(refusal)
    return ctx.page(
        "item",
        "items",
        {"item": item, "notice": notice, "error": error},
        status=400 if error else 200,
    )


@router.get(BASE + "/items/{item_id}")
def item_page(request: Request, user: SignedInUser, item_id: int, done: str = "") -> Response:
    return _item_page(_Context(request, user), item_id, notice=NOTICES.get(done, ""))


def _change(ctx: _Context, item_id: int, done: str, act: Callable[[], None]) -> Response:
    try:
        act()
    except UserError as refusal:
        if refusal_status(refusal) != 400:
            return ctx.refused(refusal)
        return _item_page(ctx, item_id, error=refusal.message)
    return RedirectResponse(f"{BASE}/items/{item_id}?done={done}", status_code=303)


def _date_or_today(ctx: _Context, text: str, what: str) -> dt.date:
    return form_date(text, what) or ctx.today


@router.post(BASE + "/items/{item_id}/follow-up")
def follow_up(
    request: Request,
    user: SignedInUser,
    item_id: int,
    on_date: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    by: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request, user)
    return _change(
        ctx,
        item_id,
        "follow_up",
        lambda: items.follow_up(
            ctx.register,
            ctx.user,
            item_id,
            ctx.today,
            on_date=_date_or_today(ctx, on_date, "跟进日期"),
            text=text,
            by=by or None,
        ),
    )


@router.post(BASE + "/items/{item_id}/deadline")
def move_deadline(
    request: Request,
    user: SignedInUser,
    item_id: int,
    deadline: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request, user)

    def act() -> None:
        due = form_date(deadline, "期限")
        if due is None:
            raise UserError("请填写新的期限。", code="bad_deadline")
        items.move_deadline(ctx.register, ctx.user, item_id, ctx.today, deadline=due, reason=reason)

    return _change(ctx, item_id, "deadline", act)


@router.post(BASE + "/items/{item_id}/close")
def close_item(
    request: Request,
    user: SignedInUser,
    item_id: int,
    closed_on: Annotated[str, Form()] = "",
    result: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request, user)
    return _change(
        ctx,
        item_id,
        "closed",
        lambda: items.close_item(
            ctx.register,
            ctx.user,
            item_id,
            ctx.today,
            closed_on=_date_or_today(ctx, closed_on, "办结日期"),
            result=result,
        ),
    )


# ---------------------------------------------------------------------------- 一月一提示


def _month_or_last(text: str, today: dt.date) -> Month:
    return Month.parse(text) if text else Month.of(today).previous()


@router.get(BASE + "/prompts")
def prompts_page(request: Request, user: SignedInUser, month: str = "") -> Response:
    ctx = _Context(request, user)
    try:
        chosen = _month_or_last(month, ctx.today)
        made = prompts.overview(ctx.register, ctx.user, chosen, ctx.today)
    except UserError as refusal:
        if refusal_status(refusal) != 400:
            return ctx.refused(refusal)
        return ctx.page(
            "prompts",
            "prompts",
            {"made": None, "error": refusal.message, "months": _months(ctx), "month": month},
            status=400,
        )
    return ctx.page(
        "prompts",
        "prompts",
        {
            "made": made,
            "error": "",
            "months": _months(ctx, chosen),
            "month": chosen.label,
            "unit_link": lambda unit: (
                f"{BASE}/prompts/{chosen.label}/unit.xlsx?unit={quote(unit, safe='')}"
            ),
        },
    )


def _months(ctx: _Context, shown: Month | None = None) -> Sequence[str]:
    recent = _recent_months(ctx.today, this_month=False)
    return _with(shown, recent) if shown else [m.label for m in recent]


def _prompt_file(request: Request, user: User, month: str, unit: str | None) -> Response:
    ctx = _Context(request, user)
    folder = Path(tempfile.mkdtemp(prefix="shujian-prompts-"))
    try:
        chosen = Month.parse(month)
        if unit is None:
            made, path = prompts.write_zip(
                ctx.register, ctx.user, chosen, ctx.today, folder / "prompts.zip"
            )
            return _download(path, folder, prompts.zip_name(made), ZIP)
        made, [path] = prompts.write_folder(
            ctx.register, ctx.user, chosen, ctx.today, folder, unit=unit
        )
        return _download(path, folder, path.name, XLSX)
    except UserError as refusal:
        shutil.rmtree(folder, ignore_errors=True)
        return ctx.refused(refusal)


@router.get(BASE + "/prompts/{month}.zip")
def prompts_zip(request: Request, user: SignedInUser, month: str) -> Response:
    return _prompt_file(request, user, month, None)


@router.get(BASE + "/prompts/{month}/unit.xlsx")
def prompt_xlsx(request: Request, user: SignedInUser, month: str, unit: str = "") -> Response:
    return _prompt_file(request, user, month, unit)


# ---------------------------------------------------------------------------- 一季一督导


@router.get(BASE + "/quarter")
def quarter_page(request: Request, user: SignedInUser, quarter: str = "") -> Response:
    ctx = _Context(request, user)
    quarters = _recent_quarters(ctx.today)
    try:
        chosen = Quarter.parse(quarter) if quarter else Quarter.of(ctx.today)
        review = quarterly.review(ctx.register, ctx.user, chosen, ctx.today)
    except UserError as refusal:
        if refusal_status(refusal) != 400:
            return ctx.refused(refusal)
        return ctx.page(
            "quarter",
            "quarter",
            {"review": None, "error": refusal.message, "quarters": quarters, "chosen": None},
            status=400,
        )
    return ctx.page(
        "quarter",
        "quarter",
        {
            "review": review,
            "error": "",
            "quarters": quarters,
            "chosen": chosen,
            "explain": quarterly.explain(review),
            "may_export": can(ctx.user, "export"),
        },
    )


@router.get(BASE + "/quarter.xlsx")
def quarter_xlsx(request: Request, user: SignedInUser, quarter: str = "") -> Response:
    ctx = _Context(request, user)
    folder = Path(tempfile.mkdtemp(prefix="shujian-quarter-"))
    try:
        chosen = Quarter.parse(quarter) if quarter else Quarter.of(ctx.today)
        _, path = quarterly.write_xlsx(
            ctx.register, ctx.user, chosen, ctx.today, folder / "quarter.xlsx"
        )
    except UserError as refusal:
        shutil.rmtree(folder, ignore_errors=True)
        return ctx.refused(refusal)
    return _download(path, folder, f"一季一督导-{chosen.code}.xlsx", XLSX)


# ---------------------------------------------------------------------------- 一月一暗访


def _sample_page(
    ctx: _Context, month: str, notice: str = "", error: str = "", status: int = 200
) -> Response:
    try:
        chosen = Month.parse(month) if month else Month.of(ctx.today)
        found = spot_checks.sample(ctx.register, ctx.user, chosen)
    except UserError as refusal:
        if refusal_status(refusal) != 400:
            return ctx.refused(refusal)
        return ctx.page(
            "spot_checks",
            "spot_checks",
            {"sample": None, "error": refusal.message, "months": [], "month": month},
            status=400,
        )
    rule = declarations().spot_check
    return ctx.page(
        "spot_checks",
        "spot_checks",
        {
            "sample": found,
            "month": chosen.label,
            "months": _with(chosen, _recent_months(ctx.today, this_month=True)),
            "results": rule.results,
            "rule": rule,
            "by_label": spot_checks.BY_LABELS,
            "notice": notice,
            "error": error,
            "may_export": can(ctx.user, "export"),
            "started": chosen.first <= ctx.today,
        },
        status=status,
    )


@router.get(BASE + "/spot-checks")
def spot_checks_page(
    request: Request, user: SignedInUser, month: str = "", done: str = ""
) -> Response:
    return _sample_page(_Context(request, user), month, notice=NOTICES.get(done, ""))


@router.post(BASE + "/spot-checks/draw")
def draw(request: Request, user: SignedInUser, month: Annotated[str, Form()] = "") -> Response:
    ctx = _Context(request, user)
    try:
        chosen = Month.parse(month)
        spot_checks.draw(ctx.register, ctx.user, chosen, ctx.today)
    except UserError as refusal:
        if refusal_status(refusal) != 400:
            return ctx.refused(refusal)
        return _sample_page(ctx, month, error=refusal.message, status=400)
    return RedirectResponse(f"{BASE}/spot-checks?month={chosen.label}&done=drawn", status_code=303)


@router.post(BASE + "/spot-checks/{check_id}/result")
def record_result(
    request: Request,
    user: SignedInUser,
    check_id: int,
    month: Annotated[str, Form()] = "",
    result: Annotated[str, Form()] = "",
    checked_on: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    ctx = _Context(request, user)
    try:
        spot_checks.record_result(
            ctx.register,
            ctx.user,
            check_id,
            ctx.today,
            result=result,
            checked_on=_date_or_today(ctx, checked_on, "核查日期"),
            note=note,
        )
    except UserError as refusal:
        if refusal_status(refusal) != 400:
            return ctx.refused(refusal)
        return _sample_page(ctx, month, error=refusal.message, status=400)
    return RedirectResponse(
        f"{BASE}/spot-checks?month={quote(month)}&done=checked#check-{check_id}", status_code=303
    )


@router.get(BASE + "/spot-checks.xlsx")
def spot_checks_xlsx(request: Request, user: SignedInUser, month: str = "") -> Response:
    ctx = _Context(request, user)
    folder = Path(tempfile.mkdtemp(prefix="shujian-sample-"))
    try:
        chosen = Month.parse(month) if month else Month.of(ctx.today)
        spot_checks.write_xlsx(ctx.register, ctx.user, chosen, folder / "sample.xlsx")
    except UserError as refusal:
        shutil.rmtree(folder, ignore_errors=True)
        return ctx.refused(refusal)
    return _download(folder / "sample.xlsx", folder, f"一月一暗访-{chosen.label}.xlsx", XLSX)
