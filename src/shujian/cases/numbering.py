"""Document numbers (文号) that run per procuratorate, per kind and per year, with no gap and no
duplicate.

The counter is one row per (procuratorate, kind, year), incremented by a single
INSERT … ON CONFLICT DO UPDATE … RETURNING inside the transaction that issues the document. The
row stays locked until that transaction ends, so two users issuing at the same moment get
consecutive numbers; if the issuing transaction fails, the increment is rolled back with it and
the number is not lost (a gap in 文号 would need explaining to the 案件管理 department).
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from shujian.cases.store import document_counters


def next_seq(conn: Connection, procuratorate: str, category: str, year: int) -> int:
    """Take the next number of the year for this procuratorate and kind (1, 2, 3 …)."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        stmt: postgresql.Insert | sqlite.Insert = postgresql.insert(document_counters)
    elif dialect == "sqlite":
        stmt = sqlite.insert(document_counters)
    else:
        raise RuntimeError(f"document numbering is not implemented for {dialect}")
    stmt = stmt.values(procuratorate=procuratorate, category=category, year=year, last=1)
    upsert = stmt.on_conflict_do_update(
        index_elements=["procuratorate", "category", "year"],
        set_={"last": document_counters.c.last + 1},
    ).returning(document_counters.c.last)
    return int(conn.execute(upsert).scalar_one())


def format_number(abbreviation: str, code: str, year: int, seq: int) -> str:
    """青 + 行公 + 2026 + 3 → 青检行公建〔2026〕3号 (the 检察建议书 文号 pattern)."""
    return f"{abbreviation}检{code}建〔{year}〕{seq}号"
