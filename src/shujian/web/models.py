"""模型: the library (name, category, department, supervision point), each model's page (its rule
in words, legal basis with how far each provision is verified, the parameters in force with their
source, its run history), the history of runs, and running one or all models as of a date.

A run started from the page goes on in a background thread of its own (`PageRuns`): the page
shows model i of n, its name and the leads found so far, asking every second (htmx), then the
run's summary. The thread calls `models.runner.run_models` — the service of `shujian run`, which
checks the permission (run_models), writes the leads in one transaction and audits — with a
progress callback. One run at a time: a second is refused while one runs. The runs' state lives
in this process (`shujian serve` is one process): a reload of the page finds the run; a restart of
the server forgets its progress, not its result, which the run history keeps.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from shujian import beijing
from shujian.beijing import today_in_china
from shujian.errors import UserError
from shujian.models.labels import evidence_label
from shujian.models.parameters import parameters_in_force
from shujian.models.runner import RunProgress, RunReport, run_models
from shujian.models.spec import TAGS, ModelSpec
from shujian.models.stats import ModelRunStats, model_run_stats
from shujian.store import now
from shujian.users import User
from shujian.users.access import can, require
from shujian.web.auth import SignedInUser
from shujian.web.pages import form_date, library_of, refusal_status, render
from shujian.workspace import Workspace

router = APIRouter()
log = logging.getLogger("shujian.web")

FAILED = "运行失败：程序遇到了未预料的情况，详情已写入服务器日志。请把发生的时间告诉系统管理员。"
"""What the page says of a run that failed otherwise than by a refusal in Chinese."""


RUNS_SHOWN = 10
"""Runs listed in the library's run history."""


# ---- runs started from the page -------------------------------------------------------------


@dataclass
class PageRun:
    """One run started from the page: what it was asked, where it is, and how it ended."""

    number: int
    by: str
    as_of: date
    total: int
    started_at: datetime
    done: int = 0
    current: str = ""
    leads_found: int = 0
    writing: bool = False
    finished_at: datetime | None = None
    report: RunReport | None = None
    error: str | None = None
    models: tuple[str, ...] = field(default_factory=tuple)

    @property
    def running(self) -> bool:
        return self.finished_at is None

    @property
    def seconds(self) -> int:
        return int(((self.finished_at or now()) - self.started_at).total_seconds())

    @property
    def started_local(self) -> str:
        return self.started_at.astimezone(beijing.CHINA).strftime("%H:%M:%S")

    @property
    def found(self) -> int:
        """Leads the finished run found (its models that ran)."""
        ran = self.report.outcomes if self.report else []
        return sum(len(o.findings) for o in ran if not o.refused)

    @property
    def new(self) -> int:
        ran = self.report.outcomes if self.report else []
        return sum(o.counts.new for o in ran if not o.refused)

    def tell(self, progress: RunProgress) -> None:
        """The progress callback `run_models` calls (from the run's thread)."""
        self.done, self.total = progress.done, progress.total
        self.current = progress.model.name if progress.model is not None else ""
        self.leads_found = progress.leads_found
        self.writing = progress.writing


class PageRuns:
    """The runs started from the 模型 page in this process, at most one running at a time."""

    KEEP = 20
    """Finished runs whose page is still answered (older ones: their result is in the history)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[int, PageRun] = {}
        self._last = 0

    def start(
        self,
        ws: Workspace,
        library: Mapping[str, ModelSpec],
        model_ids: Sequence[str],
        as_of: date,
        user: User,
    ) -> PageRun:
        """Start the run in a thread of its own; refused while another runs."""
        with self._lock:
            busy = self._running()
            if busy is not None:
                raise UserError(
                    f"{busy.by} 于 {busy.started_at.astimezone(beijing.CHINA):%H:%M} 开始的模型运行"
                    f"（基准日 {busy.as_of.isoformat()}）尚未结束，请等它结束后再运行。",
                    code="run_in_progress",
                )
            self._last += 1
            run = PageRun(
                self._last, user.name, as_of, len(model_ids), now(), models=tuple(model_ids)
            )
            self._runs[run.number] = run
            for old in sorted(self._runs)[: -self.KEEP]:
                del self._runs[old]
        worker = threading.Thread(
            target=self._work,
            args=(run, ws, library, list(model_ids), as_of, user),
            name=f"model-run-{run.number}",
            daemon=True,
        )
        worker.start()
        return run

    @staticmethod
    def _work(
        run: PageRun,
        ws: Workspace,
        library: Mapping[str, ModelSpec],
        model_ids: list[str],
        as_of: date,
        user: User,
    ) -> None:
        try:
            run.report = run_models(ws, library, model_ids, as_of, user=user, progress=run.tell)
        except UserError as refused:
            run.error = refused.message
        except Exception:
            log.exception("model run %d failed", run.number)
            run.error = FAILED
        finally:
            run.finished_at = now()

    def get(self, number: int) -> PageRun | None:
        with self._lock:
            return self._runs.get(number)

    def running(self) -> PageRun | None:
        with self._lock:
            return self._running()

    def _running(self) -> PageRun | None:
        return next((r for r in self._runs.values() if r.running), None)


_runs_lock = threading.Lock()


def page_runs(request: Request) -> PageRuns:
    """The application's runs (made on first use)."""
    state = request.app.state
    with _runs_lock:
        if not hasattr(state, "model_runs"):
            state.model_runs = PageRuns()
        runs: PageRuns = state.model_runs
    return runs


# ---- the run history ------------------------------------------------------------------------


@dataclass(frozen=True)
class RunSummary:
    """One run of the history: its models' lines, and their sums."""

    run_id: int
    as_of: date
    lines: tuple[ModelRunStats, ...]

    @property
    def leads_found(self) -> int:
        return sum(s.leads_found for s in self.lines)

    @property
    def new(self) -> int:
        return sum(s.new for s in self.lines)

    @property
    def gone(self) -> int:
        return sum(s.gone for s in self.lines)

    @property
    def seconds(self) -> float:
        return sum(s.seconds for s in self.lines)


def by_run(lines: Sequence[ModelRunStats]) -> list[RunSummary]:
    """The lines of `model_run_stats` (one per model of a run) grouped by run, newest first."""
    grouped: dict[int, list[ModelRunStats]] = {}
    for s in lines:
        grouped.setdefault(s.run_id, []).append(s)
    return [
        RunSummary(run_id, found[0].as_of, tuple(found))
        for run_id, found in sorted(grouped.items(), reverse=True)
    ]


# ---- pages ----------------------------------------------------------------------------------


@router.get("/models")
def library_page(request: Request, user: SignedInUser) -> Response:
    require(user, "view_leads")
    ws = request.app.state.workspace
    library = library_of(request)
    datasets_of = {m: spec.datasets for m, spec in library.items()}
    return render(
        request,
        "models/library.html",
        {
            "models": list(library.values()),
            "may_run": can(user, "run_models"),
            "today": today_in_china().isoformat(),
            "runs": by_run(model_run_stats(ws.store, None, RUNS_SHOWN, datasets_of)),
            "names": {m: s.name for m, s in library.items()},
            "town_labels": {m: evidence_label(s, s.town) for m, s in library.items() if s.town},
            "run": page_runs(request).running(),
        },
    )


@router.get("/models/runs/{number}")
def run_page(request: Request, user: SignedInUser, number: int) -> Response:
    """A run started from the page: its progress while it runs, then its summary."""
    require(user, "view_leads")
    run = page_runs(request).get(number)
    if run is None:
        return render(
            request,
            "error.html",
            {
                "title": "没有这次运行的进度",
                "message": "运行进度只保留在本次启动的服务中；运行的结果见“模型”页的运行记录。",
            },
            status_code=404,
        )
    return render(request, "models/run.html", {"run": run})


@router.get("/models/runs/{number}/progress")
def run_progress(request: Request, user: SignedInUser, number: int) -> Response:
    """The run's panel alone, asked for every second while it runs (htmx)."""
    require(user, "view_leads")
    run = page_runs(request).get(number)
    if run is None:
        return render(request, "error.html", {"message": "没有这次运行。"}, status_code=404)
    return render(request, "models/_run.html", {"run": run})


@router.get("/models/{model_id}")
def model_page(request: Request, user: SignedInUser, model_id: str) -> Response:
    require(user, "view_leads")
    ws = request.app.state.workspace
    library = library_of(request)
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
            "town_label": evidence_label(spec, spec.town) if spec.town else "",
            "run": page_runs(request).running(),
        },
    )


@router.post("/models/run")
def run(
    request: Request,
    user: SignedInUser,
    as_of: Annotated[str, Form()] = "",
    model: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Start a run of the models named (all when none is) as of a date; its page follows it."""
    ws = request.app.state.workspace
    library = library_of(request)
    try:
        require(user, "run_models")
        day = form_date(as_of, "基准日")
        if day is None:
            raise UserError("请填写基准日。", code="bad_date")
        if day > today_in_china():
            raise UserError(f"基准日 {day.isoformat()} 晚于今天，不能按未来的日期运行模型。")
        unknown = [m for m in model or [] if m not in library]
        if unknown:
            raise UserError(f"没有编号为 {'、'.join(unknown)} 的模型。", code="unknown_model")
        started = page_runs(request).start(ws, library, model or list(library), day, user)
    except UserError as refusal:
        status = 409 if refusal.code == "run_in_progress" else refusal_status(refusal)
        return render(
            request, "error.html", {"title": "未能运行", "message": refusal.message}, status
        )
    return RedirectResponse(f"/models/runs/{started.number}", status_code=303)
