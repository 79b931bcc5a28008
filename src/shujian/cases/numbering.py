"""Document numbers (文号) that run per document kind, procuratorate, category and year, with no
gap and no duplicate.

The counter is one row per (kind, procuratorate, category, year), incremented by a single
INSERT … ON CONFLICT DO UPDATE … RETURNING inside the transaction that records the issued
document. The row stays locked until that transaction ends, so two users issuing at the same
moment get consecutive numbers; if the transaction fails, the increment is rolled back with it and
the number is not lost (a gap in 文号 would need explaining to the 案件管理 department). Because the
lock is held for the whole transaction, that transaction must be short: the issuing services
reserve the number, move the case and record the document in it, and render the file after it
commits (see `recommendations`). The kind is part of the key so that each kind of document
(检察建议书, 督促监护令 …) keeps its own series.
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from shujian.cases.documents.kinds import DocumentKind
from shujian.cases.store import document_counters


def next_seq(
    conn: Connection, kind: DocumentKind, procuratorate: str, category: str, year: int
) -> int:
    """Take the next number of the year for this kind, procuratorate and category (1, 2, 3 …)."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        stmt: postgresql.Insert | sqlite.Insert = postgresql.insert(document_counters)
    elif dialect == "sqlite":
        stmt = sqlite.insert(document_counters)
    else:
        raise RuntimeError(f"document numbering is not implemented for {dialect}")
    stmt = stmt.values(
        kind=kind.id, procuratorate=procuratorate, category=category, year=year, last=1
    )
    upsert = stmt.on_conflict_do_update(
        index_elements=["kind", "procuratorate", "category", "year"],
        set_={"last": document_counters.c.last + 1},
    ).returning(document_counters.c.last)
    return int(conn.execute(upsert).scalar_one())


def format_number(kind: DocumentKind, abbreviation: str, code: str, year: int, seq: int) -> str:
    """The 文号 by the kind's declared pattern: 青 + 行公 + 2026 + 3 → 青检行公建〔2026〕3号."""
    return kind.number(abbreviation, code, year, seq)
