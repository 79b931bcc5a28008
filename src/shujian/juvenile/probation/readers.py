"""What other parts of the juvenile half read from 附条件不起诉's records: the minor's 一人一档
section (`juvenile.own_records.READERS`) and the facts of three statistics figures
(`juvenile.statistics.READERS`, declared in `juvenile/figures.yaml`).

* 附条件不起诉考验期中人数 (state, on the statistics day): decided on or before the day, the day
  not after the period's last day, and not closed (不起诉、撤销) on or before it;
* 考验期满不起诉人数: the decision 不起诉 (state `not_prosecuted`) dated in the period;
* 撤销附条件不起诉人数: revocations (state `revoked`) dated in the period.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from sqlalchemy import Connection, and_, func, or_, select

from shujian.juvenile.own_records import FileEntry
from shujian.juvenile.probation import rules
from shujian.juvenile.probation.store import probation_events, probations

SCHEMA = {"id_card": pl.Utf8, "day": pl.Date, "record": pl.Utf8}


def file_entries(conn: Connection, id_card: str) -> list[FileEntry]:
    """The minor's probations, one entry per step (no ID number in the text)."""
    d = rules.declarations()
    rows = conn.execute(
        select(probations.c.id, probations.c.charge, probation_events.c.on_date,
               probation_events.c.kind, probation_events.c.detail)
        .join(probation_events, probation_events.c.probation_id == probations.c.id)
        .where(probations.c.id_card == id_card)
        .order_by(probation_events.c.on_date, probation_events.c.id)
    )  # fmt: skip
    out = []
    for r in rows:
        step = d.steps[r.kind].label if r.kind in d.steps else r.kind
        summary = f"附条件不起诉考察 {r.id}（{r.charge or '罪名未记录'}）：{step}"
        if r.kind == "decide":
            summary += f"，考验期{r.detail.get('months')}个月，至{r.detail.get('ends_on')}"
        out.append(FileEntry(r.on_date, "附条件不起诉", summary, f"/minors/probation/{r.id}"))
    return out


def changes() -> Any:
    """A scalar subquery whose value changes with every step recorded (the statistics kept per
    process are computed again after one)."""
    return select(func.max(probation_events.c.id)).scalar_subquery()


def _frame(rows: list[tuple[str, dt.date, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def _read(r: Any, *where: Any) -> list[Any]:
    with r.register.store.connect() as conn:
        return list(conn.execute(select(probations.c.id, probations.c.id_card,
                                        probations.c.closed_on).where(*where)))  # fmt: skip


def on_probation(r: Any, _: Any) -> pl.DataFrame:
    day: dt.date = r.day
    p = probations.c
    found = _read(r, p.decided_on <= day, p.ends_on >= day,
                  or_(p.closed_on.is_(None), p.closed_on > day))  # fmt: skip
    return _frame([(x.id_card, day, str(x.id)) for x in found])


def _closed(r: Any, state: str) -> pl.DataFrame:
    p = probations.c
    found = _read(r, and_(p.state == state, p.closed_on >= r.period.since,
                          p.closed_on <= r.period.until))  # fmt: skip
    return _frame([(x.id_card, x.closed_on, str(x.id)) for x in found])


def not_prosecuted(r: Any, _: Any) -> pl.DataFrame:
    return _closed(r, "not_prosecuted")


def revoked(r: Any, _: Any) -> pl.DataFrame:
    return _closed(r, "revoked")
