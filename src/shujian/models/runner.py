"""Running models as of a date and turning their rows into leads.

All models of a run are evaluated first; their leads are then written in one transaction, so
a crash mid-run leaves the previous leads exactly as they were.

A model that counts working days (`add_working_days`) runs on the workspace's calendar,
provisional years included (`shujian.calendar`): its leads whose dates fall in such a year say
so in their title, which is not one of the lead's facts, so the notice confirming the same days
later changes nothing about the lead. Only a model whose run date lies beyond even the
provisional years is refused — alone: the run's other models go on.

A model whose query fails while it runs (a cast that the data defeats, memory run out) fails
alone too (`failures.py`): the others run and their leads are written, the failed model's
leads are left as they were (none is marked 不再命中 by a run that could not look), the audit
entry of the run names it under `failed`, and the user reads a Chinese reason without any of the
data (DuckDB's own message quotes the offending value, an ID number as often as not).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import re
import string
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
from sqlalchemy import insert, update

from shujian import audit, gcpause
from shujian.calendar import CalendarYearUnknownError, HolidayCalendar
from shujian.data.datasets import Dataset
from shujian.data.warehouse import Warehouse
from shujian.engine.dialects import parse, uses_calendar
from shujian.engine.duckdb import FreshConnections, QueryStopped
from shujian.errors import UserError
from shujian.jsontext import EncodedJSON, encodable, rows_json
from shujian.leads.service import Finding, RecordCounts, evidence_digest, record_findings
from shujian.leads.store import run_models as run_model_table
from shujian.leads.store import runs
from shujian.leads.town import town_of
from shujian.models.beside import SecondProcess
from shujian.models.check_cache import CheckCache, verdict
from shujian.models.check_cache import key as check_key
from shujian.models.failures import ModelFailure, log_failure, model_failure
from shujian.models.lineage import deciding_facts
from shujian.models.parameters import ParameterInForce, check_additions, parameters_in_force
from shujian.models.spec import ModelSpec
from shujian.store import now
from shujian.tamper import ledger
from shujian.users.access import require
from shujian.users.user import SYSTEM, User
from shujian.workspace import Workspace

if TYPE_CHECKING:
    from shujian.engine.duckdb import DuckDBEngine
    from shujian.engine.spark import SparkEngine


@dataclass
class ModelOutcome:
    model: ModelSpec
    parameters: dict[str, ParameterInForce]
    rows: int
    findings: list[Finding]
    seconds: float
    counts: RecordCounts = field(default_factory=RecordCounts)
    empty_datasets: tuple[str, ...] = ()
    """The model's datasets with no imported row: its count then means 无数据, not "nothing
    found" (and a model that looks for what is missing from one finds everything)."""

    refused: str = ""
    """Why the model did not run (its leads are left as they were); empty when it ran."""

    failed: ModelFailure | None = None
    """Why the model's query failed while running (its leads are left as they were)."""

    @property
    def ran(self) -> bool:
        return not self.refused and self.failed is None


@dataclass
class RunReport:
    run_id: int
    as_of: date
    engine: str
    outcomes: list[ModelOutcome]


@dataclass(frozen=True)
class RunProgress:
    """Where a run is, as told to a `progress` callback: `done` of `total` models evaluated,
    the one being evaluated now (None once all are and the leads are being written) and the
    leads found so far (subjects, before they are compared with the stored leads)."""

    done: int
    total: int
    model: ModelSpec | None
    leads_found: int

    @property
    def writing(self) -> bool:
        return self.model is None


Progress = Callable[[RunProgress], None]


@gcpause.paused()
def run_models(
    ws: Workspace,
    library: Mapping[str, ModelSpec],
    model_ids: Sequence[str],
    as_of: date,
    engine: str = "duckdb",
    user: User = SYSTEM,
    progress: Progress | None = None,
    beside: SecondProcess | None = None,
) -> RunReport:
    """Run models as of a date and write their leads in one transaction (audited as the run).

    `progress`, when given, is told before each model is evaluated and once more before the
    leads are written (`RunProgress`); it runs in the caller's thread and must return quickly.
    `beside`: a second process (`shujian demo`) that evaluates every other model meanwhile
    (on DuckDB; `progress` then counts only the models evaluated here).
    """
    require(user, "run_models")
    datasets = ws.datasets()
    check_additions(library.values(), ws.additions)
    specs = [_get(library, m) for m in model_ids]
    facts = checked(ws, specs, datasets)
    outcomes = _evaluate_shared(ws, datasets, specs, as_of, engine, progress, facts, beside)
    refused = {o.model.id: o.refused for o in outcomes if o.refused}
    if len(refused) == len(outcomes):
        raise UserError(next(iter(refused.values())), code="calendar_year_unknown")
    failed = {o.model.id: o.failed.code for o in outcomes if o.failed is not None}
    ran = [o for o in outcomes if o.ran]
    if progress is not None:
        progress(RunProgress(len(specs), len(specs), None, sum(len(o.findings) for o in ran)))
    with ws.store.begin() as conn:
        run_id = conn.execute(
            insert(runs).values(
                started_at=now(), as_of=as_of, engine=engine, models=[o.model.id for o in ran]
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        state: list[ledger.StateRow] = []
        for o in ran:
            params = {k: v.as_json() for k, v in o.parameters.items()}
            o.counts = record_findings(conn, run_id, o.model.id, o.findings, params)
            state += ledger.made("lead", o.counts.made)
            for columns, ids in o.counts.written:
                state += ledger.track(conn, "lead", ids, columns)
            conn.execute(
                insert(run_model_table).values(
                    run_id=run_id,
                    model_id=o.model.id,
                    parameters=params,
                    rows=o.rows,
                    leads_found=o.counts.found,
                    new=o.counts.new,
                    refreshed=o.counts.refreshed,
                    unchanged=o.counts.unchanged,
                    suppressed=o.counts.suppressed,
                    reopened=o.counts.reopened,
                    seconds=o.seconds,
                )
            )
        conn.execute(update(runs).where(runs.c.id == run_id).values(finished_at=now()))
        audit.record(
            conn,
            user.name,
            "run_models",
            "run",
            run_id,
            {
                "as_of": as_of.isoformat(),
                "engine": engine,
                "models": {
                    o.model.id: {
                        "found": o.counts.found,
                        "new": o.counts.new,
                        "refreshed": o.counts.refreshed,
                        "reopened": o.counts.reopened,
                        "no_longer_found": o.counts.gone,
                        **({"empty_datasets": list(o.empty_datasets)} if o.empty_datasets else {}),
                    }
                    for o in ran
                },
                **({"refused": refused} if refused else {}),
                **({"failed": failed} if failed else {}),
            },
            state=state,
        )
    return RunReport(run_id=run_id, as_of=as_of, engine=engine, outcomes=outcomes)


def _evaluate_shared(
    ws: Workspace,
    datasets: Mapping[str, Dataset],
    specs: Sequence[ModelSpec],
    as_of: date,
    engine: str,
    progress: Progress | None,
    facts: Mapping[str, tuple[str, ...]],
    beside: SecondProcess | None,
) -> list[ModelOutcome]:
    """`evaluate`, shared with the second process when there is one; the outcomes in the order
    of `specs`.

    The second process takes the models one at a time from the end, this one from the start,
    until this one reaches a model the other has begun: each process does as much as its
    speed allows. When the second process fails to give a model in the time a model may take
    (and `SecondProcess.grace`), it is closed and this one evaluates the rest.
    """
    ids = [s.id for s in specs]
    if beside is None or engine != "duckdb" or len(specs) < 2 or len(set(ids)) != len(ids):
        return evaluate(ws, datasets, specs, as_of, engine, progress, facts)
    theirs = {}
    for spec in reversed(specs):
        share = beside.evaluate(ws.root, [spec], as_of, engine, facts)
        if share is None:
            break
        theirs[spec.id] = share
    if len(theirs) != len(specs):
        for share in theirs.values():
            share.cancel()
        return evaluate(ws, datasets, specs, as_of, engine, progress, facts)
    # a model is this process's if the other has not begun it (a queued call can be cancelled)
    mine = evaluate(
        ws, datasets, specs, as_of, engine, progress, facts, claim=lambda s: theirs[s.id].cancel()
    )
    outcomes = list(mine)
    max_seconds, _ = run_limits(ws)
    for spec in specs[len(mine) :]:
        given = beside.answer(theirs[spec.id], max_seconds)
        if given is None or [o.model.id for o in given] != [spec.id]:
            # the second process failed, or is stuck: the rest is evaluated here, at once
            beside.close()
            rest = specs[len(outcomes) :]
            return outcomes + evaluate(ws, datasets, rest, as_of, engine, progress, facts)
        outcomes += given
    return outcomes


def checked(
    ws: Workspace, specs: Sequence[ModelSpec], datasets: Mapping[str, Dataset]
) -> dict[str, tuple[str, ...]]:
    """Each model's deciding facts, once it has passed its checks (refused in Chinese
    otherwise); a check passed before on the same declarations and code is not redone
    (`check_cache`)."""
    cache = CheckCache(ws.root)
    facts: dict[str, tuple[str, ...]] = {}
    for spec in specs:
        name = check_key(spec, datasets)
        kept = cache.passed(name)
        if kept is None:
            problems, kept = verdict(spec, datasets)
            if problems:
                raise UserError(
                    f"模型 {spec.id} 未通过检查：\n- " + "\n- ".join(problems),
                    code="model_check_failed",
                )
            cache.keep(name, kept)
        facts[spec.id] = kept
    return facts


def _get(library: Mapping[str, ModelSpec], model_id: str) -> ModelSpec:
    if model_id not in library:
        raise UserError(f"没有编号为 {model_id} 的模型。", code="unknown_model")
    return library[model_id]


def evaluate(
    ws: Workspace,
    datasets: Mapping[str, Dataset],
    specs: Sequence[ModelSpec],
    as_of: date,
    engine: str,
    progress: Progress | None = None,
    facts: Mapping[str, tuple[str, ...]] | None = None,
    claim: Callable[[ModelSpec], bool] | None = None,
) -> list[ModelOutcome]:
    """Run each model's query and group its rows into findings (nothing is written).

    `claim`, when given, is asked before each model whether this process is to evaluate it; at
    the first no, the evaluation stops (the rest are another process's, `_evaluate_shared`),
    and the outcomes are those of the models before it.

    A model that counts working days on a date its calendar cannot count, even provisionally,
    comes back `refused`, without findings; the others run. `progress` is told before each
    model (see `run_models`). `facts`: the deciding facts already found for some models
    (`checked`); the others' are traced here.
    """
    if engine not in ENGINES:
        raise UserError(
            f"未知的计算引擎：{engine}（可选：{'、'.join(ENGINES)}）。", code="unknown_engine"
        )
    warehouse = Warehouse(ws.warehouse_dir, ws.store)
    empty = empty_datasets(warehouse, {d for spec in specs for d in spec.datasets})
    max_seconds, memory_mb = run_limits(ws)
    outcomes: list[ModelOutcome] = []
    calendar_table: pl.DataFrame | None = None
    # DuckDB: each model's new connection is opened while the one before it runs
    connections = FreshConnections() if engine == "duckdb" and len(specs) > 1 else None
    with connections if connections is not None else contextlib.nullcontext():
        for done, spec in enumerate(specs):
            if claim is not None and not claim(spec):
                break
            if progress is not None:
                found = sum(len(o.findings) for o in outcomes)
                progress(RunProgress(done, len(specs), spec, found))
            params = parameters_in_force(spec, ws.overrides, ws.additions)
            values: dict[str, Any] = {k: v.value for k, v in params.items()}
            values["as_of"] = as_of
            counts_working_days = uses_calendar(parse(spec.query))
            if counts_working_days:
                try:
                    ws.calendar.ensure_countable(as_of)
                except CalendarYearUnknownError as error:
                    outcomes.append(ModelOutcome(spec, params, 0, [], 0.0, refused=str(error)))
                    continue
            # each model on its own connection (DuckDB) or views (Spark), sealed before its SQL runs
            # (`DuckDBEngine.seal`): it reads its own declared datasets' files and nothing else,
            # within the run's limits
            with open_engine(engine, ws, warehouse, datasets, connections) as db:
                sql = db.compile(spec.query, values)
                if counts_working_days:
                    if calendar_table is None:
                        calendar_table = ws.calendar.working_day_table(
                            ws.calendar.countable_years()
                        )
                    db.provide_calendar(calendar_table)
                db.register(spec.datasets)
                db.seal(memory_mb)
                started = time.perf_counter()
                try:
                    frame = db.query(sql, max_seconds)
                    deciding = (facts or {}).get(spec.id)
                    if deciding is None:
                        deciding = deciding_facts(spec, datasets)
                    findings = to_findings(spec, frame, values, deciding)
                except Exception as error:
                    # the model fails alone (time or memory limit, a refused read, a failing query):
                    # the others still run; the user reads the kind of failure, never the data
                    failure = model_failure(error, max_seconds, memory_mb)
                    if failure is None:
                        raise
                    original = error.error if isinstance(error, QueryStopped) else None
                    log_failure(ws.root / "logs", spec.id, as_of, original or error)
                    outcomes.append(ModelOutcome(spec, params, 0, [], 0.0, failed=failure))
                    continue
            if counts_working_days:
                findings = mark_provisional(spec, frame, findings, ws.calendar)
            outcomes.append(
                ModelOutcome(
                    model=spec,
                    parameters=params,
                    rows=frame.height,
                    findings=findings,
                    seconds=time.perf_counter() - started,
                    empty_datasets=tuple(d for d in spec.datasets if d in empty),
                )
            )
    return outcomes


ENGINES = ("duckdb", "spark")
"""The engines a run may use (`--engine`)."""


def open_engine(
    engine: str,
    ws: Workspace,
    warehouse: Warehouse,
    datasets: Mapping[str, Dataset],
    connections: FreshConnections | None = None,
) -> DuckDBEngine | SparkEngine:
    """A model's engine: DuckDB in this process (its connection from `connections` when a run
    opens them ahead), or views on the process's Spark session (started on first use from
    `[engine.spark]`)."""
    if engine == "spark":
        from shujian.engine.spark import SparkEngine, SparkSettings

        return SparkEngine(warehouse, datasets, SparkSettings.of(ws.setting))
    from shujian.engine.duckdb import DuckDBEngine

    return DuckDBEngine(warehouse, datasets, duckdb_temp_directory(ws), connections)


def duckdb_temp_directory(ws: Workspace) -> Path | None:
    """Where DuckDB spills a query larger than its memory limit (`[engine.duckdb]
    temp_directory`, relative to the workspace folder); None: DuckDB's own default."""
    written = ws.setting("engine.duckdb.temp_directory")
    return ws.root / written if written else None


def run_limits(ws: Workspace) -> tuple[int, int]:
    """The time (seconds) and memory (MB) one model's query may take (`[models]` in
    shujian.toml), each refused unless positive."""
    limits = []
    for key in ("models.max_seconds", "models.max_memory_mb"):
        value = ws.setting(key)
        if value <= 0:
            raise UserError(
                f"配置文件中 [models] {key.split('.')[1]} 应当是正整数，收到：{value}。",
                code="bad_config",
            )
        limits.append(value)
    return limits[0], limits[1]


def empty_datasets(warehouse: Warehouse, wanted: set[str]) -> set[str]:
    """Those of `wanted` without a committed batch holding at least one imported row (no file,
    or files whose every row was rejected)."""
    return {d for d in wanted if not warehouse.has_rows(d)}


def mark_provisional(
    spec: ModelSpec, frame: pl.DataFrame, findings: list[Finding], calendar: HolidayCalendar
) -> list[Finding]:
    """Findings whose evidence shows a date in a provisional year, their titles saying that
    the working days were counted on provisional holidays (期限按暂定节假日计算).

    A working-day date is never earlier than the day it is counted from, so a lead whose count
    ran into a provisional year shows a date in it (the deadline a model shows). The title is
    the place because it is not among the lead's facts (`deciding_facts`, `evidence_hash`):
    when the notice confirms the same days the lead is unchanged, and when it moves a deadline
    the lead is refreshed with the new date and a title without the mark.
    """
    subject = spec.subject_column
    dates = [c for c, t in frame.schema.items() if t == pl.Date and c in spec.evidence]
    if frame.is_empty() or not dates or not calendar.provisional_years():
        return findings
    provisional = list(calendar.provisional_years())
    years = (
        frame.filter(pl.col(subject).is_not_null())
        .select(
            pl.col(subject).cast(pl.Utf8),
            pl.concat_list([pl.col(c).dt.year() for c in dates]).alias("_years"),
        )
        .explode("_years")
        .filter(pl.col("_years").is_in(provisional))
        .group_by(subject)
        .agg(pl.col("_years").unique().sort())
    )
    by_subject: dict[str, list[int]] = dict(years.iter_rows())
    out = []
    for f in findings:
        marked = by_subject.get(f.subject)
        if marked:
            named = "、".join(f"{y}年" for y in marked)
            f = dataclasses.replace(f, title=f"{f.title}（期限按{named}暂定节假日计算）")
        out.append(f)
    return out


EVIDENCE_ROW_LIMIT = 50
"""Evidence rows kept on one lead (the first, in the query's order); the total is kept too.

A hotel with thousands of unregistered minors is one lead; its first fifty check-ins show the
pattern and the count says how large it is. Reading every row is the raw data's job."""


def to_findings(
    spec: ModelSpec,
    frame: pl.DataFrame,
    params: Mapping[str, Any],
    deciding: Sequence[str] | None = None,
) -> list[Finding]:
    """One finding per subject; its evidence is the rows the model returned for it.

    Rows keep the query's order, so the first row of a subject (e.g. the nearest school) names
    the lead. Capping happens in polars before any row becomes a Python object.
    """
    if frame.is_empty():
        return []
    subject = spec.subject_column
    keep = list(dict.fromkeys([subject, *spec.evidence, *spec.trace.values()]))
    in_title = [f for f in _TITLE_FIELD.findall(spec.title) if f in frame.columns and f not in keep]
    frame = frame.filter(pl.col(subject).is_not_null()).with_columns(pl.col(subject).cast(pl.Utf8))
    totals = dict(frame.group_by(subject).len().iter_rows())
    capped = frame.filter(pl.int_range(pl.len()).over(subject) < EVIDENCE_ROW_LIMIT)
    plain = _plain(capped.select(keep + in_title))
    trace = tuple(spec.trace.values())
    # The subject and the deciding facts only: columns a model shows but does not decide on
    # (a figure restating a parameter, say) never bring a dismissed lead back.
    facts = _fact_columns(subject, deciding if deciding is not None else spec.deciding, trace)
    facts_text = _facts_text(plain, subject, facts)
    # Leads stored before parameter-only columns left the facts were hashed over every evidence
    # column; that digest is kept beside the new one so those leads are recognised, not reopened.
    earlier = _fact_columns(subject, spec.deciding, trace)
    earlier_text = _facts_text(plain, subject, earlier) if earlier != facts else {}
    # one row per subject, in the order of its first row: its evidence rows (the `keep`
    # columns, as dicts), its first row's title fields, the towns its rows name, its batches
    town = spec.town if spec.town in (*keep, *in_title) else None
    title_fields = [f for f in dict.fromkeys(_TITLE_FIELD.findall(spec.title)) if f in plain]
    # the evidence as JSON made column-wise (stored and canonical forms), where polars writes
    # it as Python would; else its rows as dicts, encoded by the store and the ledger
    encoded = encodable(plain.select(keep))
    evidence = (
        [
            pl.format("[{}]", rows_json(keep).str.join(",")).alias("_stored"),
            pl.format("[{}]", rows_json(keep, sort_keys=True).str.join(",")).alias("_canonical"),
        ]
        if encoded
        else [pl.struct(keep).alias("_evidence")]
    )
    per_subject = plain.group_by(subject, maintain_order=True).agg(
        *evidence,
        *(pl.col(f).first().alias(f"_title_{f}") for f in title_fields),
        *((pl.col(town).alias("_towns"),) if town else ()),
    )
    titles = render_titles(
        spec.title,
        per_subject.select(pl.col(f"_title_{f}").alias(f) for f in title_fields),
        params,
        per_subject.height,
    )
    if titles is None:  # a template only `render_title` takes apart: from each first row
        first_rows = plain.group_by(subject, maintain_order=True).first()
        titles = [render_title(spec.title, r, params) for r in first_rows.iter_rows(named=True)]
    batches_of = {
        dataset: _by_subject(
            frame.group_by(subject).agg(pl.col(col).drop_nulls().unique().sort().cast(pl.Int64))
        )
        for dataset, col in spec.trace.items()
    }
    towns = per_subject["_towns"].to_list() if town else None
    if encoded:
        rows_of: list[Any] = [
            EncodedJSON(stored, canonical)
            for stored, canonical in zip(
                per_subject["_stored"].to_list(), per_subject["_canonical"].to_list(), strict=True
            )
        ]
    else:
        rows_of = per_subject["_evidence"].to_list()
    # leads from the same batches share one dict, which the store encodes once (`_converter`)
    shared_batches: dict[tuple[Any, ...], dict[str, list[int]]] = {}
    findings = []
    for i, (key, rows) in enumerate(zip(per_subject[subject].to_list(), rows_of, strict=True)):
        batches = {d: by[key] for d, by in batches_of.items()}
        batches = shared_batches.setdefault(tuple((d, *ids) for d, ids in batches.items()), batches)
        findings.append(
            Finding(
                subject=key,
                title=titles[i],
                evidence=rows,
                batches=batches,
                trace_columns=trace,
                evidence_rows=totals[key],
                evidence_hash=evidence_digest(facts_text[key], totals[key]),
                earlier_hashes=(
                    (evidence_digest(earlier_text[key], totals[key]),) if earlier_text else ()
                ),
                town=_first_town(towns[i]) if towns is not None else None,
            )
        )
    findings.sort(key=lambda f: f.subject)
    return findings


def _by_subject(frame: pl.DataFrame) -> dict[Any, Any]:
    """A two-column frame (subject, value) as a dict."""
    keys, values = frame.get_columns()
    return dict(zip(keys.to_list(), values.to_list(), strict=True))


def _first_town(values: Sequence[Any]) -> str | None:
    """The subject's town: the first its rows' `town` column names."""
    return next((t for t in map(town_of, values) if t), None)


def _fact_columns(subject: str, deciding: Sequence[str], trace: Sequence[str]) -> list[str]:
    return [c for c in dict.fromkeys([subject, *deciding]) if c not in trace]


def _facts_text(plain: pl.DataFrame, subject: str, facts: Sequence[str]) -> dict[str, str]:
    """Per subject, its evidence rows' fact columns as one text (the digest's input)."""
    row_text = pl.concat_str(
        [pl.col(c).cast(pl.Utf8).fill_null("\x00") for c in facts], separator="\x1f"
    )
    return dict(
        plain.group_by(subject, maintain_order=True)
        .agg(row_text.str.join("\x1e").alias("_facts"))
        .iter_rows()
    )


def _plain(frame: pl.DataFrame) -> pl.DataFrame:
    """Columns as JSON-ready values, converted column-wise (dates as ISO text, amounts as text)."""
    casts = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            casts.append(pl.col(name).dt.to_string("%Y-%m-%d"))
        elif isinstance(dtype, pl.Datetime):
            casts.append(pl.col(name).dt.to_string("%Y-%m-%d %H:%M:%S"))
        elif isinstance(dtype, pl.Decimal):
            casts.append(pl.col(name).cast(pl.Utf8))
        elif dtype in (pl.Float32, pl.Float64):
            casts.append(pl.col(name).round(6))
    return frame.with_columns(casts) if casts else frame


_TITLE_FIELD = re.compile(r"{([^{}:!]+)")


class _TitleFormatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if value is None:
            return "—"
        if isinstance(value, float) and not format_spec:
            return f"{value:.1f}".rstrip("0").rstrip(".")
        if isinstance(value, Decimal) and not format_spec:
            return f"{value:,.2f}"
        if isinstance(value, list):
            return "、".join(str(v) for v in value)
        return super().format_field(value, format_spec)


_FORMATTER = _TitleFormatter()


@functools.lru_cache(maxsize=256)
def _title_parts(
    template: str,
) -> tuple[tuple[str, str | None, str | None, str | None], ...] | None:
    """The template parsed once: (literal, field, format spec, conversion) parts; None when a
    field is more than a name (an attribute, an index, a nested spec) and the full formatter is
    needed."""
    parts = tuple(string.Formatter().parse(template))
    for _, name, spec, _ in parts:
        if name is not None and (not name or any(c in name for c in ".[") or "{" in (spec or "")):
            return None
    return parts


def render_titles(
    template: str, rows: pl.DataFrame, params: Mapping[str, Any], height: int
) -> list[str] | None:
    """`render_title` of each of `height` rows (`rows`: the title's fields that are columns),
    built column-wise: a text or integer field without a format spec is the column itself (—
    where empty), a parameter is formatted once, any other field value by value as
    `render_title` does. None for a template with a field that is more than a name, a conversion
    or a field found nowhere: the caller renders those with `render_title`, row by row."""
    parts = _title_parts(template)
    if parts is None or any(
        n is not None and (conversion or (n not in rows.columns and n not in params))
        for _, n, _, conversion in parts
    ):
        return None
    pieces: list[pl.Expr] = []
    for literal, name, spec, _ in parts:
        if literal:
            pieces.append(pl.lit(literal, dtype=pl.Utf8))
        if name is None:
            continue
        if name not in rows.columns:
            pieces.append(pl.lit(_FORMATTER.format_field(params[name], spec or ""), pl.Utf8))
            continue
        column = rows[name]
        if not spec and (column.dtype == pl.Utf8 or column.dtype.is_integer()):
            pieces.append(pl.col(name).cast(pl.Utf8).fill_null("—"))
        else:
            shown = [_FORMATTER.format_field(v, spec or "") for v in column.to_list()]
            pieces.append(pl.lit(pl.Series(shown, dtype=pl.Utf8)))
    if not rows.columns:  # no field from the rows: one title for all
        return [pl.select(pl.concat_str(pieces)).item() if pieces else ""] * height
    return rows.select(pl.concat_str(pieces).alias("_title"))["_title"].to_list()


def render_title(template: str, row: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """The title of a lead: the template's fields from its first evidence row, else from the
    parameters (a model with tens of thousands of leads renders as many titles: the template is
    parsed once, not for each)."""
    parts = _title_parts(template)
    if parts is None or any(
        n is not None and n not in row and n not in params for _, n, _, _ in parts
    ):
        return _FORMATTER.vformat(template, (), {**params, **row})
    out = []
    for literal, name, spec, conversion in parts:
        out.append(literal)
        if name is None:
            continue
        value = row[name] if name in row else params[name]
        if conversion:
            value = _FORMATTER.convert_field(value, conversion)
        out.append(_FORMATTER.format_field(value, spec or ""))
    return "".join(out)
