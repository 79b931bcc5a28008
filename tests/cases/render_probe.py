"""A real renderer for tests, declared by name in a test's own kinds file: before writing the
检察建议书 it takes a number from the same counter on another connection, which waits (and
times out) if the issuing transaction still holds the counter's lock."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import text

from shujian.cases.documents.recommendation import RecommendationContent, render_recommendation
from shujian.cases.numbering import next_seq

PROBE: dict[str, Any] = {}
"""Set by the test: engine, kind, procuratorate, category, year; `taken` is filled in."""


def render_while_another_takes_a_number(
    content: RecommendationContent, out: Path, template_dirs: Sequence[Path] = ()
) -> Path:
    engine = PROBE["engine"]
    with engine.connect() as conn:
        trans = conn.begin()
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL lock_timeout = '2s'"))
        PROBE["taken"] = next_seq(
            conn, PROBE["kind"], PROBE["procuratorate"], PROBE["category"], PROBE["year"]
        )
        trans.rollback()  # only proving it could: the series is left as it was
    return render_recommendation(content, out, template_dirs)
