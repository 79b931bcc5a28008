"""Run statistics: what each model found in each run, and how long it took.

Two figures are read beside the counts each run stored, so that a count is never read for more
than it says: how many leads the run no longer found (不再命中, from the leads' history), and
which of the model's datasets held no imported row when the run started (无数据, from the
import batches) — a 0 over empty data means nothing was looked at, not that nothing was found.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, Engine, func, select

from shujian.data.warehouse import batches
from shujian.leads.store import lead_events, leads, runs
from shujian.leads.store import run_models as run_model_table


@dataclass(frozen=True)
class ModelRunStats:
    run_id: int
    as_of: date
    engine: str
    model_id: str
    rows: int
    leads_found: int
    new: int
    refreshed: int
    unchanged: int
    suppressed: int
    reopened: int
    seconds: float
    gone: int = 0
    """Leads this run no longer found (they became 不再命中)."""
    empty_datasets: tuple[str, ...] = ()
    """The model's datasets with no imported row when the run started (无数据)."""


def model_run_stats(
    store: Engine,
    model_id: str | None = None,
    last: int = 20,
    datasets_of: Mapping[str, Sequence[str]] | None = None,
) -> list[ModelRunStats]:
    """The latest `last` runs (newest first), one line per model run in them.

    `datasets_of` (model id → its datasets, from the library) lets each line name the datasets
    that were empty when it ran; without it none are named.
    """
    recent = select(runs.c.id).order_by(runs.c.id.desc()).limit(last).subquery()
    query = (
        select(run_model_table, runs.c.as_of, runs.c.engine, runs.c.started_at)
        .join(runs, runs.c.id == run_model_table.c.run_id)
        .where(run_model_table.c.run_id.in_(select(recent.c.id)))
        .order_by(run_model_table.c.run_id.desc(), run_model_table.c.model_id)
    )
    if model_id:
        query = query.where(run_model_table.c.model_id == model_id)
    with store.connect() as conn:
        rows = list(conn.execute(query))
        gone = _gone(conn, {r.run_id for r in rows})
        first_data = _first_data(conn)
    datasets_of = datasets_of or {}
    return [
        ModelRunStats(
            run_id=r.run_id,
            as_of=r.as_of,
            engine=r.engine,
            model_id=r.model_id,
            rows=r.rows,
            leads_found=r.leads_found,
            new=r.new,
            refreshed=r.refreshed,
            unchanged=r.unchanged,
            suppressed=r.suppressed,
            reopened=r.reopened,
            seconds=r.seconds,
            gone=gone.get((r.run_id, r.model_id), 0),
            empty_datasets=tuple(
                d
                for d in datasets_of.get(r.model_id, ())
                if d not in first_data or first_data[d] > _utc(r.started_at)
            ),
        )
        for r in rows
    ]


def _gone(conn: Connection, run_ids: set[int]) -> dict[tuple[int, str], int]:
    """(run, model) → leads the run no longer found."""
    if not run_ids:
        return {}
    query = (
        select(lead_events.c.run_id, leads.c.model_id, func.count())
        .join(leads, leads.c.id == lead_events.c.lead_id)
        .where(lead_events.c.kind == "no_longer_found", lead_events.c.run_id.in_(run_ids))
        .group_by(lead_events.c.run_id, leads.c.model_id)
    )
    return {(run_id, model): int(n) for run_id, model, n in conn.execute(query)}


def _first_data(conn: Connection) -> dict[str, datetime]:
    """Dataset → when its first batch with an imported row came in."""
    query = (
        select(batches.c.dataset, func.min(batches.c.imported_at))
        .where(batches.c.imported > 0)
        .group_by(batches.c.dataset)
    )
    return {dataset: _utc(at) for dataset, at in conn.execute(query)}


def _utc(at: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; they were written in UTC."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)
