"""Header mappings an agency's files need, saved per agency and dataset.

Agencies export from their own systems, and a system names its columns the same way every month:
a kindergarten's roster says 职工姓名 where the dataset says 姓名. A mapping typed once for an
import (`--map 职工姓名=姓名`, or the web form) is saved under the agency and the dataset when
that import succeeds, and applied to the agency's next file of the same dataset — a mapping that
had to be typed again every month would be typed wrong one month. A mapping typed for the file at
hand wins over a saved one for the same header. Without an agency nothing is saved: a mapping
cannot be remembered for nobody.

Headers are stored normalised (`normalise_header`), so 职工 姓名 and 职工姓名 are one mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    UniqueConstraint,
    delete,
    insert,
    select,
)

from shujian import audit
from shujian.data.datasets import Dataset, normalise_header
from shujian.errors import UserError
from shujian.store import metadata, now
from shujian.users.user import User

import_mappings = Table(
    "import_mappings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agency", String(256), nullable=False),
    Column("dataset", String(64), nullable=False),
    Column("header", String(256), nullable=False),  # normalised (`normalise_header`)
    Column("column_id", String(64), nullable=False),
    Column("saved_at", DateTime(timezone=True), nullable=False),
    Column("saved_by", String(128), nullable=False),
    UniqueConstraint("agency", "dataset", "header", name="uq_import_mapping"),
)


@dataclass(frozen=True)
class SavedMapping:
    agency: str
    dataset: str
    header: str
    column_id: str
    saved_at: datetime
    saved_by: str


def column_named(dataset: Dataset, name: str) -> str | None:
    """The column a user means by `name`: its id, Chinese label or any alias."""
    return dataset.header_index().get(normalise_header(name))


def resolve(dataset: Dataset, mapping: Mapping[str, str]) -> dict[str, str]:
    """`表头=字段` pairs as typed → normalised header → column id; refuses an unknown 字段."""
    resolved = {}
    for header, target in mapping.items():
        column_id = column_named(dataset, target)
        if column_id is None:
            raise UserError(
                f"表头对应关系“{header}={target}”：数据集“{dataset.label}”没有名为“{target}”的字段。",
                code="unknown_mapping_target",
            )
        resolved[normalise_header(header)] = column_id
    return resolved


def saved(
    conn: Connection | Engine, agency: str | None = None, dataset: str | None = None
) -> list[SavedMapping]:
    """Saved mappings, by agency, dataset and header; all of them unless narrowed."""
    query = select(import_mappings).order_by(
        import_mappings.c.agency, import_mappings.c.dataset, import_mappings.c.header
    )
    if agency is not None:
        query = query.where(import_mappings.c.agency == agency)
    if dataset is not None:
        query = query.where(import_mappings.c.dataset == dataset)
    if isinstance(conn, Engine):
        with conn.connect() as c:
            rows = c.execute(query).all()
    else:
        rows = conn.execute(query).all()
    return [
        SavedMapping(r.agency, r.dataset, r.header, r.column_id, r.saved_at, r.saved_by)
        for r in rows
    ]


def save(
    conn: Connection, agency: str, dataset: str, mapping: Mapping[str, str], actor: str
) -> dict[str, str]:
    """Save resolved mappings (normalised header → column id) in the caller's transaction.

    Returns those that are new or changed (header → column id); a mapping saved as it was is
    left alone, so its first saver and time stay.
    """
    before = {m.header: m.column_id for m in saved(conn, agency, dataset)}
    changed = {h: c for h, c in mapping.items() if before.get(h) != c}
    for header, column_id in changed.items():
        conn.execute(
            delete(import_mappings).where(
                import_mappings.c.agency == agency,
                import_mappings.c.dataset == dataset,
                import_mappings.c.header == header,
            )
        )
        conn.execute(
            insert(import_mappings).values(
                agency=agency,
                dataset=dataset,
                header=header,
                column_id=column_id,
                saved_at=now(),
                saved_by=actor,
            )
        )
    return changed


def forget(conn: Connection, agency: str, dataset: str, headers: list[str]) -> list[str]:
    """Delete saved mappings by header (as typed); returns the normalised headers deleted."""
    gone = []
    for header in headers:
        key = normalise_header(header)
        result = conn.execute(
            delete(import_mappings).where(
                import_mappings.c.agency == agency,
                import_mappings.c.dataset == dataset,
                import_mappings.c.header == key,
            )
        )
        if result.rowcount:
            gone.append(key)
    return gone


def set_mappings(
    store: Engine, user: User, agency: str, dataset: Dataset, mapping: Mapping[str, str]
) -> dict[str, str]:
    """Save (or correct) an agency's header mappings for a dataset, audited; returns those
    that changed (normalised header → column id)."""
    agency = agency.strip()
    resolved = resolve(dataset, mapping)
    with store.begin() as conn:
        changed = save(conn, agency, dataset.id, resolved, user.name)
        if changed:
            audit.record(
                conn,
                user.name,
                "save_mappings",
                "mapping",
                f"{agency}/{dataset.id}",
                {"agency": agency, "dataset": dataset.id, "mappings": changed},
            )
    return changed


def delete_mappings(
    store: Engine, user: User, agency: str, dataset: Dataset, headers: list[str]
) -> list[str]:
    """Delete an agency's saved mappings by header, audited; refuses headers none is saved for."""
    agency = agency.strip()
    with store.begin() as conn:
        gone = forget(conn, agency, dataset.id, headers)
        if gone:
            audit.record(
                conn,
                user.name,
                "delete_mappings",
                "mapping",
                f"{agency}/{dataset.id}",
                {"agency": agency, "dataset": dataset.id, "headers": gone},
            )
    if not gone:
        raise UserError(
            f"报送单位“{agency}”的“{dataset.label}”没有保存这些表头的对应关系："
            f"{'、'.join(headers)}。",
            code="unknown_mapping",
        )
    return gone


def file_headers(path: Path, sheet: str | None = None, encoding: str = "auto") -> list[str]:
    """The header cells of a file the importer refused for its headers, for a mapping form: the
    row among the first rows with the most filled cells (a title row above it fills one)."""
    from shujian.data.readers import read_grid_parts
    from shujian.data.steps import HEADER_SCAN_ROWS

    # the first part holds the rows the header is looked for in: a large file is not read whole
    parts = read_grid_parts(path, sheet, encoding)
    try:
        head = next(parts).frame.head(HEADER_SCAN_ROWS)
    finally:
        parts.close()
    best: list[str] = []
    for row in head.iter_rows():
        cells = [str(v).strip() for v in row if v is not None and str(v).strip()]
        if len(cells) > len(best):
            best = cells
    return list(dict.fromkeys(best))
