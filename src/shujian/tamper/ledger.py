"""`state_digests`: the record of every tracked row as the platform last wrote it.

A write transaction calls `track` after its writes and hands the rows to `audit.record`, which
stores them under its own entry's number and states their count and joint hash in the entry's
hashed detail (`STATE_KEY`). Rows are only added (append-only triggers, migration 0019): a row's
record now is the one with the highest entry number. A run that finds 100,000 leads again records
nothing for those whose material columns did not change.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Connection, Index, Integer, String, Table, Text, select

from shujian.store import chunks, insert_many, metadata
from shujian.tamper.policy import TRACKED, column_digest, digests_of, group_digest, merge

STATE_KEY = "state_digests"
"""The key of a change entry's detail that states the records it made: {"rows", "sha256"}."""

state_digests = Table(
    "state_digests",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),  # the change entry's number
    Column("kind", String(32), primary_key=True),
    Column("object_id", Integer, primary_key=True),
    Column("digest", Text, nullable=False),
    Index("ix_state_digests_object", "kind", "object_id"),
)


@dataclass(frozen=True)
class StateRow:
    """One row's record, to be stored under the change entry that is about to be written."""

    kind: str
    object_id: int
    digest: str


def track(
    conn: Connection,
    kind: str,
    ids: Iterable[int],
    written: Collection[str] | None = None,
    absent: Collection[str] = (),
) -> list[StateRow]:
    """The records of rows `ids` of `kind` after the caller wrote `written` of their columns
    (None: the caller made the rows): only those that differ from the row's last record.

    Only the written columns are read back (`policy.merge`), so a run that touches 100,000 leads
    reads their titles and flags, not their evidence, unless it rewrote the evidence. `absent`:
    tracked columns the table does not have yet (a migration's baseline, run on the schema of
    its revision, before a later one adds them nullable): read as NULL, as they will be."""
    tracked = TRACKED[kind]
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return []
    names = [c for c in tracked.names if written is None or c in written]
    read = [c for c in names if c not in absent]
    nulls = {c: column_digest(c, None) for c in names if c in absent}
    table = metadata.tables[tracked.table]
    current: dict[int, dict[str, str]] = {}
    for part in chunks(wanted):
        query = select(table.c.id, *(table.c[n] for n in read)).where(table.c.id.in_(part))
        for row in conn.execute(query):
            current[int(row[0])] = {**digests_of(read, row[1:]), **nulls}
    before = recorded(conn, kind, list(current))
    out = []
    for object_id, digests in current.items():
        previous = before.get(object_id)
        record = merge(tracked, previous, digests, written)
        if record is not None and record != previous:
            out.append(StateRow(kind, object_id, record))
    return out


def made(kind: str, rows: Iterable[tuple[int, Mapping[str, Any]]]) -> list[StateRow]:
    """The records of rows of `kind` the caller has just inserted, from the values it inserted
    (`id`, {column: value} with every tracked column): what `track(conn, kind, ids)` would read
    back, without reading 14,000 leads' evidence back from the store and decoding it.

    The values must be those the store returns for them (JSON values of plain lists, dicts,
    strings, numbers; booleans as booleans), or a run's evidence encoded ahead
    (`jsontext.EncodedJSON`, whose canonical text is the digest's input): `verify` recomputes
    each record from the stored row, so a value that came back otherwise would show as a
    difference there. A scalar's digest is computed once per value (a run's leads share their
    model, status and flags)."""
    tracked = TRACKED[kind]
    made = list(rows)
    columns = []
    for column in tracked.names:
        known: dict[tuple[type, Any], str] = {}
        digests = []
        for _, values in made:
            value = values[column]
            if type(value) in _SCALARS:
                key = (type(value), value)  # True == 1: the type keeps them apart
                digest = known.get(key)
                if digest is None:
                    digest = known[key] = column_digest(column, value)
            else:
                digest = column_digest(column, value)
            digests.append(digest)
        columns.append(digests)
    return [
        StateRow(kind, int(object_id), "".join(record))
        for (object_id, _), record in zip(made, zip(*columns, strict=True), strict=True)
    ]


_SCALARS = (str, int, bool, type(None))
"""Values whose digest `made` computes once per column and value."""


def recorded(conn: Connection, kind: str, ids: Sequence[int]) -> dict[int, str]:
    """The last record of each of `ids` (rows never recorded are absent)."""
    last: dict[int, tuple[int, str]] = {}
    t = state_digests
    for part in chunks(sorted(ids)):
        for r in conn.execute(
            select(t.c.object_id, t.c.seq, t.c.digest).where(
                t.c.kind == kind, t.c.object_id.in_(part)
            )
        ):
            if r.object_id not in last or r.seq > last[r.object_id][0]:
                last[int(r.object_id)] = (int(r.seq), str(r.digest))
    return {i: d for i, (_, d) in last.items()}


def statement(rows: Sequence[StateRow]) -> dict[str, Any]:
    """What the change entry says of its records, inside its hashed detail."""
    return {
        "rows": len(rows),
        "sha256": group_digest((r.kind, r.object_id, r.digest) for r in rows),
    }


def store_rows(conn: Connection, seq: int, rows: Sequence[StateRow]) -> None:
    """Store the records under change entry `seq` (called by `audit.record`)."""
    insert_many(
        conn,
        state_digests,
        [{"seq": seq, "kind": r.kind, "object_id": r.object_id, "digest": r.digest} for r in rows],
    )
