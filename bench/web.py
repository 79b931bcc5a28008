"""Load benchmark of the web application over a case store of 1,000,000 leads (not a test).

Builds (once) the demonstration county with `shujian demo`, opens accounts of every role in four
departments, and bulk-writes leads cloned from the demo's real ones (their evidence, parameters and
batches, each under a subject of its own) until the store holds `--leads`, spread over the models,
two years and the statuses 待研判 / 已分派 / 不成案, with a few thousand 成案 through the real
`open_case`. Then serves the workspace with the real `shujian serve`, signs in over HTTP (CSRF
token and all) and measures:

1. latency, one request at a time: the lead list (first page, page 500, filters, each role's
   scope) and the lead page, against the targets (p95 < 300 ms and < 150 ms);
2. load: `--users` simulated users for `--seconds`, each signing in once from its own loopback
   address and then cycling list → lead → home → stats → cases, with no errors allowed.

    uv run python bench/web.py                      # SQLite; generates bench/out/web-sqlite once
    uv run python bench/web.py --fresh              # regenerate the store
    uv run python bench/web.py --store postgresql   # the same on PostgreSQL (127.0.0.1:5432)
    uv run python bench/web.py --skip-load          # latency only

Generated data stays in bench/out/ (ignored by git). Traffic goes to 127.0.0.0/8 only.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
PASSWORD = "Shujian#2026"  # the demo's; meets the password policy
PG_SERVER = os.environ.get("SHUJIAN_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")
PG_DATABASE = "shujian_webbench"

LIST_TARGET_MS = 300.0
LEAD_TARGET_MS = 150.0
DEEP_PAGE = 500

DEPARTMENTS = {
    "未成年人检察部": "未检",
    "公益诉讼检察部": "公益",
    "行政检察部": "行政",
    "刑事检察部": "刑检",
}
"""The departments models send leads to, with the short name their accounts carry."""
PROSECUTORS_PER_DEPARTMENT = 10

MODEL_WEIGHTS = {
    # leads per model of the city-scale run (docs/benchmark.md): a realistic, uneven spread
    "benefit.deceased": 4723,
    "benefit.in_custody": 958,
    "campus.entertainment": 14586,
    "campus.internet_cafe": 4596,
    "campus.tobacco_alcohol_lottery": 1132,
    "hotel.esports_minor": 3000,
    "hotel.minor_guest": 3000,
    "kindergarten.name": 300,
    "medbeauty.unlicensed": 6088,
    "report.mandatory": 793,
    "soil.fee_unpaid": 2377,
    "staff.barred_offence": 1741,
    "tattoo.scope": 2021,
    "transfer.not_transferred": 665,
    "transfer.review": 400,
    "wage.deposit_missing": 2932,
}

FIRST_DAY = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
LAST_DAY = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)


def load_average() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def say(text: str) -> None:
    print(text, flush=True)


# ---- the workspace --------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    department: str | None


def accounts() -> list[Account]:
    """Two 院领导 and, per department, a head, an assistant and ten prosecutors: 50 in all."""
    out = [Account("院领导甲", "chief", None), Account("院领导乙", "chief", None)]
    for department, short in DEPARTMENTS.items():
        out.append(Account(f"{short}部门负责人", "department_head", department))
        out.append(Account(f"{short}检察官助理", "assistant", department))
        out += [
            Account(f"{short}检察官{k}", "prosecutor", department)
            for k in range(1, PROSECUTORS_PER_DEPARTMENT + 1)
        ]
    return out


def store_url(kind: str) -> str | None:
    return f"{PG_SERVER}/{PG_DATABASE}" if kind == "postgresql" else None


def workspace_dir(kind: str) -> Path:
    return OUT / f"web-{kind}" / "workspace"


def prepare(kind: str, total: int, cases: int, fresh: bool, seed: int) -> Path:
    """The benchmark's workspace, generated unless a finished one of the same size is there."""
    root = OUT / f"web-{kind}"
    marker = root / "ready.json"
    if not fresh and marker.exists():
        made = json.loads(marker.read_text())
        if made.get("leads") == total:
            say(f"reusing {root} ({made['leads']:,} leads, generated {made['at']})")
            # a store made by an older revision is upgraded, as an administrator would
            subprocess.run(
                [sys.executable, "-m", "shujian.cli.main", "-w", str(workspace_dir(kind)), "db",
                 "upgrade"],
                check=True,
                env=_env(kind),
            )  # fmt: skip
            return workspace_dir(kind)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    if kind == "postgresql":
        _recreate_pg_database()
    started = time.perf_counter()
    say(f"building the demonstration county in {root} …")
    subprocess.run(
        [sys.executable, "-m", "shujian.cli.main", "demo", str(root)],
        check=True,
        stdout=subprocess.DEVNULL,
        env=_env(kind),
    )
    say(f"  demo: {time.perf_counter() - started:.1f} s")
    ws_dir = workspace_dir(kind)
    figures = generate(ws_dir, total, cases, seed)
    marker.write_text(
        json.dumps(
            {"leads": total, "at": dt.datetime.now().isoformat(timespec="seconds"), **figures}
        )
    )
    return ws_dir


def _env(kind: str) -> dict[str, str]:
    env = dict(os.environ)
    url = store_url(kind)
    if url:
        env["SHUJIAN_STORE_URL"] = url
    return env


def _recreate_pg_database() -> None:
    import psycopg

    with psycopg.connect(PG_SERVER.replace("+psycopg", "") + "/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {PG_DATABASE}")


@dataclass
class Template:
    """One real lead of the demo: what a generated lead of its model is cloned from."""

    subject: str
    title: str
    evidence: str
    """The evidence as JSON with every value equal to the subject replaced by `SLOT`."""
    evidence_rows: int
    parameters: str
    batches: str
    town: str | None


SLOT = "@@subject@@"


def _templates(conn: Any) -> dict[str, list[Template]]:
    from sqlalchemy import select

    from shujian.leads.store import leads

    out: dict[str, list[Template]] = {}
    for r in conn.execute(select(leads).order_by(leads.c.id)):
        evidence = [
            {k: SLOT if v == r.subject else v for k, v in row.items()} for row in r.evidence
        ]
        out.setdefault(r.model_id, []).append(
            Template(
                r.subject,
                r.title,
                json.dumps(evidence, ensure_ascii=False),
                r.evidence_rows,
                json.dumps(r.parameters, ensure_ascii=False),
                json.dumps(r.batches),
                r.town,
            )
        )
    return out


ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-Z]{10}$")
BASE31 = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def new_subject(template: str, n: int) -> str:
    """A subject of the template's form, unique for each `n`: an ID number with its check
    character, a credit code with both check characters, else the last number replaced."""
    from shujian.demo.identifiers import make_id_number, make_uscc

    if ID_NUMBER.match(template):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=n % 20_000)
        return make_id_number(template[:6], birth, n // 20_000 % 1000)
    if CREDIT_CODE.match(template):
        body, rest = "", n
        for _ in range(5):
            body = BASE31[rest % 31] + body
            rest //= 31
        return make_uscc(template[:2], template[2:8], "MA6" + body)
    digits = list(re.finditer(r"\d+", template))
    if not digits:
        return f"{template}-{n}"
    last = digits[-1]
    return f"{template[: last.start()]}{n}{template[last.end() :]}"


def generate(ws_dir: Path, total: int, cases: int, seed: int) -> dict[str, Any]:
    """Open the accounts, then write leads until the store holds `total`."""
    from sqlalchemy import func, insert, select

    from shujian.leads.queue import homes
    from shujian.leads.store import leads, runs
    from shujian.models.spec import load_library
    from shujian.users import User, departments_of
    from shujian.users.accounts import add_user
    from shujian.users.passwords import set_password
    from shujian.workspace import open_workspace

    ws = open_workspace(ws_dir)
    store = ws.store
    admin = User("演示管理员", ws.region.procuratorate_name, None, frozenset({"admin"}))
    departments = departments_of(ws)
    t = time.perf_counter()
    for a in accounts():
        add_user(store, admin, a.name, a.department, [a.role], departments)
        set_password(store, admin, a.name, PASSWORD)
    say(f"  {len(accounts())} accounts: {time.perf_counter() - t:.1f} s")

    library = load_library(ws.models_dir)
    home = homes(library, departments)
    with store.connect() as conn:
        templates = _templates(conn)
        existing = int(conn.execute(select(func.count()).select_from(leads)).scalar_one())
        first_id = int(conn.execute(select(func.max(leads.c.id))).scalar_one()) + 1
    models = [m for m in MODEL_WEIGHTS if m in templates]
    weights = [MODEL_WEIGHTS[m] for m in models]
    rng = random.Random(seed)
    wanted = total - existing
    say(f"  writing {wanted:,} leads over {len(models)} models …")

    # one run per month, as a monthly schedule would have left them
    months = []
    day = FIRST_DAY
    while day <= LAST_DAY:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    with store.begin() as conn:
        run_ids = [
            int(
                conn.execute(
                    insert(runs)
                    .values(
                        started_at=m,
                        finished_at=m + dt.timedelta(minutes=3),
                        as_of=m.date(),
                        engine="duckdb",
                        models=models,
                    )
                    .returning(runs.c.id)
                ).scalar_one()
            )
            for m in months
        ]

    # the department's prosecutors take most leads; its assistant (检察官助理) some
    prosecutors = {
        d: [
            a.name
            for a in accounts()
            if a.department == d and a.role in ("prosecutor", "assistant")
        ]
        for d in DEPARTMENTS
    }
    reasons = ["经核实不存在违法情形", "数据错误或信息不全", "已自行整改到位", "与已有线索重复"]
    span = (LAST_DAY - FIRST_DAY).total_seconds()
    lead_rows: list[tuple[Any, ...]] = []
    event_rows: list[tuple[Any, ...]] = []
    dispatch_rows: list[tuple[Any, ...]] = []
    open_for_cases: list[tuple[int, str, str, dt.datetime]] = []
    counts = {"new": 0, "dispatched": 0, "dismissed": 0, "stale": 0}
    serial = {m: 0 for m in models}
    writer = _Writer(store)
    t = time.perf_counter()
    for k in range(wanted):
        lead_id = first_id + k
        model = rng.choices(models, weights)[0]
        n = serial[model] = serial[model] + 1
        tpl = templates[model][n % len(templates[model])]
        subject = new_subject(tpl.subject, 100_000 + n)
        created = FIRST_DAY + dt.timedelta(seconds=span * k / wanted + rng.random() * 600)
        run_id = run_ids[min(len(run_ids) - 1, (created.year - 2025) * 12 + created.month - 1)]
        age_days = (LAST_DAY - created).days
        u = rng.random()
        # older leads are mostly triaged; the newest mostly wait
        triaged = u < min(0.9, 0.15 + age_days / 400)
        dismissed = triaged and rng.random() < 0.62
        dispatched = triaged and (not dismissed or rng.random() < 0.8)
        active = rng.random() > 0.08
        status = "dismissed" if dismissed else "new"
        department = prosecutor = None
        if dispatched:
            department = home.get(model) or "刑事检察部"
            prosecutor = rng.choice(prosecutors[department])
        lead_rows.append(
            (
                lead_id,
                model,
                subject,
                tpl.title.replace(tpl.subject, subject),
                status,
                active,
                tpl.evidence.replace(SLOT, subject),
                f"{lead_id:064x}",
                tpl.evidence_rows,
                tpl.parameters,
                tpl.batches,
                run_id,
                run_id,
                created,
                created,
                department,
                prosecutor,
                tpl.town,
                None,  # decided_at: set below when the lead is dismissed
            )
        )
        event_rows.append(
            (
                lead_id,
                run_id,
                created,
                "created",
                "system",
                json.dumps({"evidence_hash": f"{lead_id:064x}"}),
            )
        )
        when = created
        if department is not None and prosecutor is not None:
            when = created + dt.timedelta(days=rng.randint(1, 10), minutes=rng.randint(0, 600))
            head = f"{DEPARTMENTS[department]}部门负责人"
            dispatch_rows.append((lead_id, department, prosecutor, when, head))
            event_rows.append(
                (
                    lead_id,
                    None,
                    when,
                    "dispatched",
                    head,
                    json.dumps(
                        {"department": department, "prosecutor": prosecutor, "previous": None},
                        ensure_ascii=False,
                    ),
                )
            )
            if not dismissed and active and age_days > 30 and rng.random() < 0.05:
                open_for_cases.append((lead_id, department, prosecutor, when))
        if dismissed:
            when = when + dt.timedelta(days=rng.randint(1, 30))
            lead_rows[-1] = (*lead_rows[-1][:-1], when)
            event_rows.append(
                (
                    lead_id,
                    None,
                    when,
                    "dismissed",
                    prosecutor or f"{DEPARTMENTS.get(home.get(model, ''), '刑检')}部门负责人",
                    json.dumps({"reason": rng.choice(reasons), "note": ""}, ensure_ascii=False),
                )
            )
        counts["dismissed" if dismissed else "dispatched" if dispatched else "new"] += 1
        counts["stale"] += not active
        if len(lead_rows) >= 20_000:
            writer.write(lead_rows, event_rows, dispatch_rows)
            lead_rows, event_rows, dispatch_rows = [], [], []
    writer.write(lead_rows, event_rows, dispatch_rows)
    writer.finish()
    say(f"  leads written: {time.perf_counter() - t:.1f} s ({counts})")

    t = time.perf_counter()
    opened = _open_cases(ws, open_for_cases, cases, rng, home)
    say(f"  {opened:,} cases through open_case: {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    _analyze(store)
    say(f"  analyze: {time.perf_counter() - t:.1f} s")
    store.dispose()
    return {"counts": counts, "cases": opened}


class _Writer:
    """Bulk insert in the store's own driver: executemany on SQLite, COPY on PostgreSQL."""

    LEADS = (
        "id, model_id, subject, title, status, active, evidence, evidence_hash, evidence_rows, "
        "parameters, batches, first_run_id, last_run_id, created_at, updated_at, "
        "dispatch_department, dispatch_prosecutor, town, decided_at"
    )
    EVENTS = "lead_id, run_id, at, kind, actor, detail"
    DISPATCHES = "lead_id, department, prosecutor, dispatched_at, actor"

    def __init__(self, store: Any) -> None:
        self.store = store
        self.pg = store.dialect.name == "postgresql"
        self.raw = store.raw_connection()
        if not self.pg:
            self.raw.driver_connection.execute("PRAGMA synchronous=OFF")

    def write(
        self,
        lead_rows: Sequence[tuple[Any, ...]],
        event_rows: Sequence[tuple[Any, ...]],
        dispatch_rows: Sequence[tuple[Any, ...]],
    ) -> None:
        for table, columns, rows in (
            ("leads", self.LEADS, lead_rows),
            ("lead_events", self.EVENTS, event_rows),
            ("lead_dispatches", self.DISPATCHES, dispatch_rows),
        ):
            if not rows:
                continue
            cursor = self.raw.cursor()
            if self.pg:
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" * len(rows[0]))
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                    [tuple(_sqlite(v) for v in row) for row in rows],
                )
            cursor.close()
        self.raw.commit()

    def finish(self) -> None:
        if self.pg:
            cursor = self.raw.cursor()
            for table in ("leads", "lead_events"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            cursor.close()
            self.raw.commit()
        self.raw.close()


def _sqlite(value: Any) -> Any:
    """A value as SQLAlchemy stores it in SQLite (datetimes as text, booleans as 0/1)."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, bool):
        return int(value)
    return value


def _open_cases(
    ws: Any,
    candidates: Sequence[tuple[int, str, str, dt.datetime]],
    wanted: int,
    rng: random.Random,
    home: dict[str, str],
) -> int:
    """成案 through the real service: one to three leads of one prosecutor per case."""
    from shujian.cases.service import open_case
    from shujian.users import User

    place = ws.region.procuratorate_name
    by_owner: dict[tuple[str, str], list[tuple[int, dt.datetime]]] = {}
    for lead_id, department, prosecutor, when in candidates:
        by_owner.setdefault((department, prosecutor), []).append((lead_id, when))
    opened = 0
    groups = list(by_owner.items())
    rng.shuffle(groups)
    while opened < wanted and groups:
        for (department, prosecutor), pending in groups:
            if opened >= wanted or not pending:
                continue
            size = min(len(pending), rng.choice((1, 1, 1, 2, 3)))
            batch, pending[:] = pending[:size], pending[size:]
            head = User(
                f"{DEPARTMENTS[department]}部门负责人",
                place,
                department,
                frozenset({"department_head"}),
            )
            on = max(w for _, w in batch).date() + dt.timedelta(days=rng.randint(3, 20))
            open_case(
                ws.store,
                [i for i, _ in batch],
                department,
                prosecutor,
                head,
                "经审查，线索反映的问题属实，依法立案办理",
                min(on, dt.date(2026, 12, 1)),
                departments=None,
                calendar=ws.calendar,
                home=home,
            )
            opened += 1
        groups = [g for g in groups if g[1]]
    return opened


def _analyze(store: Any) -> None:
    """PostgreSQL: what autovacuum would have done after the bulk load (statistics and the
    visibility map). SQLite: nothing — a store in use is never ANALYZEd by the program, so the
    planner works without statistics, as it would at a procuratorate."""
    if store.dialect.name != "postgresql":
        return
    raw = store.raw_connection()
    raw.driver_connection.autocommit = True
    raw.driver_connection.execute("VACUUM ANALYZE")
    raw.close()


# ---- the server -----------------------------------------------------------------------------


@contextmanager
def serving(ws_dir: Path, kind: str, port: int) -> Iterator[str]:
    """`shujian -w WS serve --port PORT` as a subprocess, until the block ends."""
    log = open(ws_dir.parent / "serve.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "shujian.cli.main", "-w", str(ws_dir), "serve", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=_env(kind),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"the server stopped: see {ws_dir.parent / 'serve.log'}")
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start within 60 s")
            time.sleep(0.3)
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def sign_in(client: httpx.Client, name: str) -> None:
    page = client.get("/login")
    token = CSRF.search(page.text)
    assert token, "no CSRF token on /login"
    done = client.post(
        "/login",
        data={"name": name, "password": PASSWORD, "next": "/", "csrf_token": token.group(1)},
    )
    if done.status_code != 303:
        raise SystemExit(f"sign-in as {name} refused ({done.status_code})")


async def sign_in_async(client: httpx.AsyncClient, name: str) -> None:
    page = await client.get("/login")
    token = CSRF.search(page.text)
    assert token, "no CSRF token on /login"
    done = await client.post(
        "/login",
        data={"name": name, "password": PASSWORD, "next": "/", "csrf_token": token.group(1)},
    )
    if done.status_code != 303:
        raise RuntimeError(f"sign-in as {name} refused ({done.status_code})")


# ---- latency, one request at a time ---------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


@dataclass
class Measured:
    label: str
    target: float | None
    times: list[float] = field(default_factory=list)
    total: str = ""
    load: str = ""

    @property
    def p95(self) -> float:
        return percentile(self.times, 95)

    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "PASS" if self.p95 < self.target else "FAIL"


TOTAL = re.compile(r'id="lead-total">(\d+)<')


def timed_get(client: httpx.Client, path: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = client.get(path)
    return (time.perf_counter() - started) * 1000, response


def list_scenarios(model: str, month: tuple[str, str]) -> list[tuple[str, str]]:
    since, until = month
    return [
        ("待研判, first page", "/leads"),
        (f"待研判, page {DEEP_PAGE}", f"/leads?page={DEEP_PAGE}"),
        ("全部状态, first page", "/leads?status=all"),
        (f"全部状态, page {DEEP_PAGE}", f"/leads?status=all&page={DEEP_PAGE}"),
        ("不成案", "/leads?status=dismissed"),
        ("成案", "/leads?status=accepted"),
        (f"model {model}", f"/leads?status=all&model={model}"),
        (f"model, page {DEEP_PAGE}", f"/leads?status=all&model={model}&page={DEEP_PAGE}"),
        (f"dates {since}..{until}", f"/leads?status=all&since={since}&until={until}"),
        ("dates + 待研判 + newest", f"/leads?since={since}&until={until}&order=newest"),
        ("newest first, page 50", "/leads?status=all&order=newest&page=50"),
    ]


ROLES = (
    ("院领导 (procuratorate)", "院领导甲", "campus.entertainment"),
    ("部门负责人 未检 (department)", "未检部门负责人", "campus.entertainment"),
    ("部门负责人 行政 (department)", "行政部门负责人", "medbeauty.unlicensed"),
    ("检察官 未检 (own)", "未检检察官3", "hotel.minor_guest"),
    ("检察官助理 公益 (assigned)", "公益检察官助理", "benefit.deceased"),
)


def _dispatch_one(ws_dir: Path, kind: str) -> None:
    """A change, as a department head makes it: one lead waiting undispatched is dispatched
    (through the real service, audited; the server's kept figures no longer hold)."""
    from sqlalchemy import select

    from shujian.leads import triage
    from shujian.leads.queue import homes
    from shujian.leads.store import leads
    from shujian.models.spec import load_library
    from shujian.users import User, departments_of
    from shujian.workspace import open_workspace

    os.environ.update(_env(kind))
    ws = open_workspace(ws_dir)
    try:
        with ws.store.connect() as conn:
            row = conn.execute(
                select(leads.c.id, leads.c.model_id)
                .where(leads.c.dispatch_department.is_(None), leads.c.status == "new")
                .order_by(leads.c.id)
                .limit(1)
            ).one()
        home = homes(load_library(ws.models_dir), departments_of(ws))
        department = home.get(row.model_id) or "刑事检察部"
        short = DEPARTMENTS[department]
        head = User(
            f"{short}部门负责人", ws.region.procuratorate_name, department,
            frozenset({"department_head"}),
        )  # fmt: skip
        prosecutor = f"{short}检察官1"
        triage.dispatch(ws.store, [row.id], department, prosecutor, head, home=home)
    finally:
        ws.store.dispose()


def latency(base: str, samples: int, ws_dir: Path, kind: str) -> list[Measured]:
    out: list[Measured] = []
    month = ("2026-03-01", "2026-03-31")
    with httpx.Client(base_url=base, timeout=300) as client:
        # the first 首页 and 统计 after the server started add the leads up (kept until the
        # next change: `cases.stats`); every later one reads what is kept
        sign_in(client, ROLES[0][1])
        for page in ("/", "/stats"):
            m = Measured(f"first {page} after start (adds the leads up)", None)
            ms, response = timed_get(client, page)
            if response.status_code != 200:
                raise SystemExit(f"{page}: {response.status_code}")
            m.times.append(ms)
            m.load = load_average()
            out.append(m)
            say(_row(m))
        # the first 首页 and 统计 after a change (a dispatch) add the tallies up again
        for page in ("/", "/stats"):
            m = Measured(f"{page} right after a change (a dispatch)", None)
            for _ in range(max(3, samples // 4)):
                _dispatch_one(ws_dir, kind)
                ms, response = timed_get(client, page)
                if response.status_code != 200:
                    raise SystemExit(f"{page}: {response.status_code}")
                m.times.append(ms)
            m.load = load_average()
            out.append(m)
            say(_row(m))
    for role, name, model in ROLES:
        with httpx.Client(base_url=base, timeout=60) as client:
            sign_in(client, name)
            ids: list[int] = []
            for label, path in list_scenarios(model, month):
                m = Measured(f"{role}: /leads {label}", LIST_TARGET_MS)
                timed_get(client, path)  # warm-up: templates, the model library
                for _ in range(samples):
                    ms, response = timed_get(client, path)
                    if response.status_code != 200:
                        raise SystemExit(f"{path} as {name}: {response.status_code}")
                    m.times.append(ms)
                found = TOTAL.search(response.text)
                m.total = found.group(1) if found else "0"
                m.load = load_average()
                ids += [int(i) for i in re.findall(r'href="/leads/(\d+)"', response.text)]
                out.append(m)
                say(_row(m))
            # lead pages: leads this user's lists showed (in their scope)
            ids = sorted(set(ids))
            rng = random.Random(7)
            picks = [rng.choice(ids) for _ in range(samples)] if ids else []
            m = Measured(f"{role}: /leads/{{id}}", LEAD_TARGET_MS)
            for lead_id in picks:
                ms, response = timed_get(client, f"/leads/{lead_id}")
                if response.status_code != 200:
                    raise SystemExit(f"/leads/{lead_id} as {name}: {response.status_code}")
                m.times.append(ms)
            m.total = f"{len(set(picks))} leads"
            m.load = load_average()
            out.append(m)
            say(_row(m))
            for page in ("/", "/stats"):
                m = Measured(f"{role}: {page}", None)
                for _ in range(samples):
                    ms, response = timed_get(client, page)
                    if response.status_code != 200:
                        raise SystemExit(f"{page} as {name}: {response.status_code}")
                    m.times.append(ms)
                m.load = load_average()
                out.append(m)
                say(_row(m))
    return out


def _row(m: Measured) -> str:
    target = f"< {m.target:.0f}" if m.target else ""
    return (
        f"{m.label:<58}{m.total:>9}  p50 {percentile(m.times, 50):7.1f}  p95 {m.p95:7.1f}  "
        f"max {max(m.times, default=0):7.1f} ms  {target:>6} {m.verdict():<4}  load {m.load}"
    )


# ---- load: concurrent users -----------------------------------------------------------------


@dataclass
class LoadFigures:
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    requests: int = 0


async def one_user(
    index: int, name: str, base: str, until: float, figures: LoadFigures, max_requests: int
) -> None:
    """Sign in once from 127.0.0.(10+index), then cycle through the pages until `until`."""
    transport = httpx.AsyncHTTPTransport(local_address=f"127.0.0.{10 + index}")
    rng = random.Random(index)
    async with httpx.AsyncClient(base_url=base, transport=transport, timeout=120) as client:

        async def get(page: str, path: str, headers: dict[str, str] | None = None) -> str:
            started = time.perf_counter()
            try:
                response = await client.get(path, headers=headers)
            except httpx.HTTPError as error:
                figures.errors.append(f"{page} {path}: {type(error).__name__}")
                return ""
            figures.times.setdefault(page, []).append((time.perf_counter() - started) * 1000)
            figures.requests += 1
            if response.status_code != 200:
                figures.errors.append(f"{page} {path}: {response.status_code}")
                return ""
            return response.text

        started = time.perf_counter()
        try:
            await sign_in_async(client, name)
        except (httpx.HTTPError, RuntimeError) as error:
            figures.errors.append(f"sign-in {name}: {error}")
            return
        figures.times.setdefault("sign-in (GET+POST /login)", []).append(
            (time.perf_counter() - started) * 1000
        )
        statuses = ("new", "new", "all", "dismissed")
        done = 0
        while time.monotonic() < until and done < max_requests:
            status = rng.choice(statuses)
            page = rng.choice((1, 1, 1, 2, 3, 10))
            text = await get("/leads", f"/leads?status={status}&page={page}")
            # the next page as htmx asks for it (the list fragment only)
            await get(
                "/leads (htmx page)",
                f"/leads?status={status}&page={page + 1}",
                {"HX-Request": "true", "HX-Target": "lead-list"},
            )
            ids = re.findall(r'href="/leads/(\d+)"', text)
            if ids:
                await get("/leads/{id}", f"/leads/{rng.choice(ids)}")
            await get("/ (home)", "/")
            await get("/stats", "/stats")
            await get("/cases", "/cases")
            done += 6


def warm_up(base: str) -> None:
    """What a server that has been up has done: the model library read, the templates compiled,
    the leads added up for 首页 and 统计 (`cases.stats`)."""
    with httpx.Client(base_url=base, timeout=300) as client:
        sign_in(client, ROLES[0][1])
        for page in ("/", "/stats", "/leads", "/cases"):
            client.get(page)


async def load(
    base: str, names: Sequence[str], seconds: float, max_requests: int
) -> tuple[LoadFigures, float]:
    figures = LoadFigures()
    started = time.monotonic()
    until = started + seconds
    await asyncio.gather(
        *(one_user(i, n, base, until, figures, max_requests) for i, n in enumerate(names))
    )
    return figures, time.monotonic() - started


def report_load(figures: LoadFigures, wall: float, users: int) -> None:
    say(
        f"\n{users} users, {wall:.1f} s: {figures.requests:,} requests, "
        f"{figures.requests / wall:.1f} requests/s, {len(figures.errors)} errors; "
        f"load {load_average()}"
    )
    say(f"{'page':<30}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for page, times in figures.times.items():
        say(
            f"{page:<30}{len(times):>9}{percentile(times, 50):>9.0f}{percentile(times, 95):>9.0f}"
            f"{percentile(times, 99):>9.0f}{max(times):>9.0f}"
        )
    for e in figures.errors[:20]:
        say(f"  error: {e}")
    say(f"load test: {'PASS' if not figures.errors else 'FAIL'} (0 errors required)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=3_000, help="成案 through open_case")
    parser.add_argument("--fresh", action="store_true", help="regenerate the store")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--samples", type=int, default=30, help="requests per latency figure")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=5_000, help="per user, a bound")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()
    if args.users > 240:
        parser.error("at most 240 users (one loopback address each)")

    os.environ.update(_env(args.store))  # this process writes the store too
    ws_dir = prepare(args.store, args.leads, args.cases, args.fresh, args.seed)
    if args.skip_latency and args.skip_load:
        return
    say(f"store: {args.store}; load average {load_average()}")
    failed = False
    with serving(ws_dir, args.store, args.port) as base:
        if not args.skip_latency:
            say(f"\nlatency, one request at a time ({args.samples} samples each):")
            figures = latency(base, args.samples, ws_dir, args.store)
            failed |= any(m.verdict() == "FAIL" for m in figures)
            say(
                f"targets: {sum(m.verdict() == 'PASS' for m in figures)} PASS, "
                f"{sum(m.verdict() == 'FAIL' for m in figures)} FAIL"
            )
        if not args.skip_load:
            names = [a.name for a in accounts()]
            users = [names[i % len(names)] for i in range(args.users)]
            warm_up(base)
            figures_load, wall = asyncio.run(load(base, users, args.seconds, args.max_requests))
            report_load(figures_load, wall, args.users)
            failed |= bool(figures_load.errors)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
