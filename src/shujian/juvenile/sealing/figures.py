"""The statistics' readers of sealing (`juvenile/figures.yaml`: 封存记录数, 查询申请按期答复数).

Each turns the case store's records into facts of a minor on a day (`juvenile.statistics`): the
sealed person's ID number, the day, and the record counted. The figures are declared with
`needs` (`view_sealed`, `handle_sealing`): a column counting sealed records by town and category
could point at a person in a small cell, so only those who may see sealed records see it.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import select

from shujian.juvenile.sealing.store import sealed_records, sealing_answers, sealing_requests

SCHEMA = {"id_card": pl.Utf8, "day": pl.Date, "record": pl.Utf8}


def _frame(rows: list[tuple[Any, ...]], reading: Any) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema=SCHEMA, orient="row")
    if not reading.scope.everything:
        frame = frame.filter(pl.col("id_card").is_in(sorted(reading.scope.ids)))
    return frame


def sealed_in_period(reading: Any, _: Any) -> pl.DataFrame:
    """Records sealed in the period (by the day sealed), unsealed later or not."""
    period = reading.period
    query = select(sealed_records.c.id_card, sealed_records.c.sealed_on, sealed_records.c.id).where(
        sealed_records.c.sealed_on.between(period.since, period.until)
    )
    with reading.register.store.connect() as conn:
        rows = [(c, d, f"sealed/{i}") for c, d, i in conn.execute(query)]
    return _frame(rows, reading)


def requests_answered_on_time(reading: Any, _: Any) -> pl.DataFrame:
    """Query requests answered in the period within their seven days (by the answer's day)."""
    period = reading.period
    query = (
        select(sealed_records.c.id_card, sealing_answers.c.answered_on, sealing_requests.c.id)
        .select_from(
            sealing_requests.join(sealing_answers).join(
                sealed_records, sealed_records.c.id == sealing_requests.c.record_id
            )
        )
        .where(
            sealing_answers.c.answered_on.between(period.since, period.until),
            sealing_answers.c.answered_on <= sealing_requests.c.due_on,
        )
    )
    with reading.register.store.connect() as conn:
        rows = [(c, d, f"request/{i}") for c, d, i in conn.execute(query)]
    return _frame(rows, reading)
