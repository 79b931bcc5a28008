"""Run statistics: what each model found in each run, and how long it took."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, select

from shujian.leads.store import run_models as run_model_table
from shujian.leads.store import runs


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


def model_run_stats(
    store: Engine, model_id: str | None = None, last: int = 20
) -> list[ModelRunStats]:
    """The latest `last` runs (newest first), one line per model run in them."""
    recent = select(runs.c.id).order_by(runs.c.id.desc()).limit(last).subquery()
    query = (
        select(run_model_table, runs.c.as_of, runs.c.engine)
        .join(runs, runs.c.id == run_model_table.c.run_id)
        .where(run_model_table.c.run_id.in_(select(recent.c.id)))
        .order_by(run_model_table.c.run_id.desc(), run_model_table.c.model_id)
    )
    if model_id:
        query = query.where(run_model_table.c.model_id == model_id)
    with store.connect() as conn:
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
            )
            for r in conn.execute(query)
        ]
