"""Tables of supervision cases in the case store.

`cases` holds each case's current state and running deadline (a projection, updated in place so
lists and the overdue check are one query); `case_events` is the history, append-only: rows are
added, never updated or deleted. `case_leads` links the leads accepted (成案) into a case; a lead
belongs to at most one case; each case follows the workflow of its `case_kind`.
`document_counters` holds the last number issued per document kind, procuratorate, category and
year (see `numbering`); `recommendations` each issued 检察建议书 with the content and the wording
it was rendered from (so that it can be rendered again, identically) and whether its file has
been rendered yet; `case_outcomes` what a case achieved (money recovered or paid, people reached).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    text,
)

from shujian.store import metadata

cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # The declared workflow the case follows (a file in cases/workflows/); cases made before
    # kinds existed are 检察建议 cases.
    Column(
        "case_kind",
        String(32),
        nullable=False,
        default="recommendation",
        server_default="recommendation",
        index=True,
    ),
    Column("department", String(64), nullable=False),
    Column("prosecutor", String(128), nullable=False),
    Column("state", String(32), nullable=False, index=True),
    Column("urgent", Boolean, nullable=False, default=False),
    Column("juvenile", Boolean, nullable=False, default=False),
    Column("deadline_kind", String(32)),
    Column("deadline_start", Date),
    Column("deadline_due", Date),
    Column("opened_on", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

case_leads = Table(
    "case_leads",
    metadata,
    Column("case_id", Integer, ForeignKey("cases.id"), primary_key=True),
    Column("lead_id", Integer, ForeignKey("leads.id"), primary_key=True, unique=True),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("actor", String(128), nullable=False),
)

case_events = Table(
    "case_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("on_date", Date, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(32), nullable=False),
    Column("from_state", String(32)),
    Column("to_state", String(32), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("fields", JSON, nullable=False, default=dict),
)

document_counters = Table(
    "document_counters",
    metadata,
    # The document kind (documents/kinds.yaml) leads the key: each kind has its own series.
    Column("kind", String(32), primary_key=True, server_default="recommendation"),
    Column("procuratorate", String(128), primary_key=True),
    Column("category", String(32), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last", Integer, nullable=False),
)

recommendations = Table(
    "recommendations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("procuratorate", String(128), nullable=False),
    Column("category", String(32), nullable=False),
    Column("year", Integer, nullable=False),
    Column("seq", Integer, nullable=False),  # N of the 文号, entered or taken from the counter
    # The 文号 as written (〔〕, no spaces): unique across the store, however it was given.
    Column("number", String(64), nullable=False, unique=True),
    # How the number was given: `entered` from the 统一业务应用系统, or taken from the `counter`
    # (the only way before 0007). See `numbering`.
    Column("numbering", String(16), nullable=False, server_default="counter"),
    Column("recipient", String(256), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("content", JSON, nullable=False),
    # The wording template the document was rendered with, as it was at issue (its YAML text and
    # SHA-256), so that rendering it again gives the same words after the template file changed.
    # NULL for recommendations issued before 0007: they are rendered with the current template.
    Column("template_text", Text),
    Column("template_sha256", String(64)),
    Column("document", String(512), nullable=False),  # where the file is (or is to be) written
    # NULL until the file is rendered: the number is recorded first, the file written after (see
    # `recommendations`); a failed rendering leaves its reason in `render_error`.
    Column("document_sha256", String(64)),
    Column("render_error", Text),
    Column("filing_due", Date, nullable=False),
    Column("filed_on", Date),
    Column("actor", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # The counter's series has no duplicate N. Entered numbers are not in it: two official
    # numbers of one category and year may share N under different 代字 (青检行公建〔2026〕3号,
    # 青检公建〔2026〕3号), and `number` is what must be unique.
    Index(
        "uq_recommendation_counter_seq",
        "procuratorate",
        "category",
        "year",
        "seq",
        unique=True,
        sqlite_where=text("numbering = 'counter'"),
        postgresql_where=text("numbering = 'counter'"),
    ),
)

case_outcomes = Table(
    "case_outcomes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("amount_yuan", Numeric(18, 2)),
    Column("people", Integer),
    Column("count", Integer),
    Column("note", Text, nullable=False, default=""),
    Column("on_date", Date, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

support_opinions = Table(
    "support_opinions",
    metadata,
    # Each 支持起诉意见书 issued from a 支持起诉 case (`cases.support_prosecution`): its 文号 (its
    # own series, or entered from the 统一业务应用系统), the content and where its file is. The
    # number is recorded first, in the transaction that moves the case; the file is rendered after
    # it commits, and its SHA-256 (or the reason it failed) recorded then.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("procuratorate", String(128), nullable=False),
    Column("year", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("number", String(64), nullable=False, unique=True),
    Column("numbering", String(16), nullable=False),
    Column("court", String(256), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("content", JSON, nullable=False),
    Column("document", String(512), nullable=False),
    Column("document_sha256", String(64)),
    Column("render_error", Text),
    Column("actor", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index(
        "uq_support_opinion_counter_seq",
        "procuratorate",
        "year",
        "seq",
        unique=True,
        sqlite_where=text("numbering = 'counter'"),
        postgresql_where=text("numbering = 'counter'"),
    ),
)
