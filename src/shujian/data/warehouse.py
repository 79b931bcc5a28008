"""The warehouse: imported rows as Parquet, one immutable file per batch.

Visibility is decided by the case store's `batches` table, not by the files on disk: a batch
exists once its row is committed, and only then. The Parquet file is written to a temporary
name, flushed, renamed into place and only then is the batch row committed — so a crash or a
Ctrl-C at any point leaves the warehouse as it was.

A file imported again with other options (a coordinate system forgotten the first time, a
mapping, a sheet) *replaces* its batch: the earlier batch is marked superseded — kept, its row and
its Parquet file, because leads and cases cite it — and is no longer read (`files`). The
replacement stands where the batch it replaced stood in the order of a snapshot's batches
(`places`), so re-importing last year's list with the right option does not make it newer than
this year's.

Nothing the platform did not itself just write is ever deleted. Before the temporary file is
created, a journal entry naming it (and its final name) is written and flushed to
`.journal/`; it is removed once the batch row is committed. `sweep`, before the next import,
deletes only what a journal entry names and no batch lists — the leftovers of a killed import.
A Parquet file that no batch lists and no journal names is someone else's: a batch of another
case store, a file copied in by hand. It is moved aside into `.unclaimed/<time>/`, never deleted,
and the import reports it, because a store that does not list a file is no proof the file is
worthless (pointing the workspace at another store once made the next import erase every batch).

Small batches are compacted (`compact`). A visit recorded in the platform is a batch of one row
and one file, and DuckDB opens each file it reads (about a millisecond each): a year of such
visits would make every model run open tens of thousands of files. A compaction copies the rows of
many small batches, each row keeping its `_batch`, into one more Parquet file and records which
batches it holds (`compactions`, `compacted_batches`); readers then open that file instead of
theirs (`sources`). Nothing else changes: every batch keeps its row, its hash, its audit entry
and its own file, which is never deleted; a batch replaced after its compaction is skipped in the
compacted file by its `_batch`. Compactions of one level are merged into one of the next level
(`COMPACT_MERGE`), so the files a reader opens stay few however many batches there are.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    func,
    insert,
    select,
    text,
    update,
)

from shujian import audit
from shujian.paging import fetch_page
from shujian.store import metadata, now

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # the case store registers the tables below on every command; polars loads
    import polars as pl  # only when a batch is written or read

batches = Table(
    "batches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dataset", String(64), nullable=False, index=True),
    Column("file_name", String(512), nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("agency", String(256), nullable=False, default=""),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("imported", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("skipped", Integer, nullable=False),
    Column("duplicates", Integer, nullable=False),
    Column("parquet", String(256), nullable=False),
    Column("details", JSON, nullable=False, default=dict),
    # the batch this one replaced (same file, other options); migration 0006
    Column("replaces", Integer, nullable=True),
    # set on a replaced batch: kept, never read again
    Column("superseded_by", Integer, nullable=True),
    Column("superseded_at", DateTime(timezone=True), nullable=True),
    # a file may have several batches in its history, never two current ones
    Index(
        "uq_batch_current_file",
        "dataset",
        "file_sha256",
        unique=True,
        sqlite_where=text("superseded_at IS NULL"),
        postgresql_where=text("superseded_at IS NULL"),
    ),
)


compactions = Table(
    "compactions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dataset", String(64), nullable=False, index=True),
    # 0: small batches; n + 1: compactions of level n merged
    Column("level", Integer, nullable=False),
    Column("parquet", String(256), nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("batches", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # set when merged into a compaction of a higher level: kept, never read again
    Column("superseded_by", Integer, nullable=True),
    Column("superseded_at", DateTime(timezone=True), nullable=True),
)
"""Files holding the rows of many small batches (migration 0014): see the module docstring."""

compacted_batches = Table(
    "compacted_batches",
    metadata,
    Column("compaction_id", Integer, ForeignKey("compactions.id"), primary_key=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), primary_key=True),
    Index("ix_compacted_batches_batch", "batch_id"),
)
"""Which batches' rows each compaction holds (rows are added, never changed)."""

SMALL_BATCH = 50
"""A batch of at most this many rows is small: a visit recorded in the platform (one row), a
correction sent alone. Small batches are compacted; larger ones are read from their own file."""

COMPACT_LOOSE = 100
"""Small batches in no compaction that make an import compact them (`compact_when_due`)."""

COMPACT_MERGE = 10
"""Compactions of one level that are merged into one of the next level."""


@dataclass(frozen=True)
class Batch:
    id: int
    dataset: str
    file_name: str
    file_sha256: str
    agency: str
    imported_at: datetime
    imported: int
    rejected: int
    parquet: str
    details: dict[str, object] = field(default_factory=dict)
    replaces: int | None = None
    superseded_by: int | None = None
    rows_read: int = 0
    skipped: int = 0
    duplicates: int = 0

    @property
    def current(self) -> bool:
        return self.superseded_by is None


def _batch(r: Mapping[Any, Any]) -> Batch:
    return Batch(
        id=r["id"],
        dataset=r["dataset"],
        file_name=r["file_name"],
        file_sha256=r["file_sha256"],
        agency=r["agency"],
        imported_at=r["imported_at"],
        imported=r["imported"],
        rejected=r["rejected"],
        parquet=r["parquet"],
        details=dict(r["details"] or {}),
        replaces=r["replaces"],
        superseded_by=r["superseded_by"],
        rows_read=r["rows_read"],
        skipped=r["skipped"],
        duplicates=r["duplicates"],
    )


@dataclass(frozen=True)
class Stored:
    """A current batch as readers need it (`Warehouse.sources`): listed from four columns of the
    store, not the whole record, since a dataset of visits recorded in the platform has a batch
    per visit and every reader lists them."""

    id: int
    parquet: str
    imported: int
    replaces: int | None = None


@dataclass(frozen=True)
class Period:
    """A closed span of a dataset's time column (`Dataset.time_column`)."""

    column: str
    first: Any
    last: Any


def period_record(period: Period | None) -> dict[str, str] | None:
    """A batch's period as its `details` keep it (ISO text), or None."""
    if period is None:
        return None
    return {"column": period.column, "first": str(period.first), "last": str(period.last)}


def overlaps(recorded: object, period: Period) -> bool:
    """Whether a batch whose `details["period"]` is `recorded` may hold events of `period`: yes
    unless both are known, of the same column, and disjoint (a batch imported before periods
    were recorded, or with an empty time in it, is always read)."""
    if not isinstance(recorded, dict) or recorded.get("column") != period.column:
        return True
    return not (
        str(recorded["last"]) < str(period.first) or str(recorded["first"]) > str(period.last)
    )


@dataclass(frozen=True)
class Sources:
    """What a reader opens for a dataset's current batches (`Warehouse.sources`)."""

    files: tuple[Path, ...]
    """The batches' own files, or for compacted batches the compaction's file (once)."""
    batches: tuple[Stored, ...]
    """The current batches whose rows these files hold, oldest first."""
    skip: tuple[int, ...] = ()
    """Batches whose rows a compaction's file holds but that are not to be read: replaced since
    the compaction, or excluded by the caller."""
    compacted: Mapping[int, Path] = field(default_factory=dict)
    """Batch → the compaction's file that holds its rows (the current batches' only)."""
    places: Mapping[int, int] = field(default_factory=dict)
    """Current replacement batch → the batch whose place it takes (`Warehouse.places`)."""


@dataclass(frozen=True)
class Compaction:
    """A compaction just written (`Warehouse.compact`)."""

    id: int
    dataset: str
    level: int
    parquet: str
    rows: int
    batches: int
    merged: tuple[int, ...] = ()
    """The compactions it merged (superseded by it)."""


@dataclass(frozen=True)
class BatchWrite:
    """A batch being written: its id, and the open transaction that will commit it."""

    id: int
    conn: Connection


class Warehouse:
    def __init__(
        self,
        root: Path,
        store: Engine,
        *,
        compact_loose: int | None = None,
        compact_merge: int | None = None,
    ) -> None:
        self.root = root
        self.store = store
        # when imports compact (`compact_when_due`); the module's constants unless given
        self.compact_loose = compact_loose or COMPACT_LOOSE
        self.compact_merge = compact_merge or COMPACT_MERGE

    # ----------------------------------------------------------------- reading

    def batches(
        self, dataset: str | None = None, *, sha256: str | None = None, current: bool = False
    ) -> list[Batch]:
        """Batches, oldest first; superseded ones too unless `current` (their files are still
        the workspace's: the sweep and the identity check must know them)."""
        query = select(batches).order_by(batches.c.id)
        if dataset is not None:
            query = query.where(batches.c.dataset == dataset)
        if sha256 is not None:
            query = query.where(batches.c.file_sha256 == sha256)
        if current:
            query = query.where(batches.c.superseded_at.is_(None))
        with self.store.connect() as conn:
            return [_batch(r._mapping) for r in conn.execute(query)]

    def batch(self, batch_id: int) -> Batch | None:
        """One batch by its number, superseded or not; None when there is none."""
        with self.store.connect() as conn:
            row = conn.execute(select(batches).where(batches.c.id == batch_id)).first()
        return _batch(row._mapping) if row is not None else None

    def batch_page(
        self, dataset: str | None = None, *, offset: int = 0, limit: int = 20
    ) -> tuple[list[Batch], int]:
        """One page of the batches, newest first, and how many there are: what a list shows
        (a dataset imported every week for years has hundreds)."""
        query = select(batches).order_by(batches.c.id.desc())
        if dataset is not None:
            query = query.where(batches.c.dataset == dataset)
        with self.store.connect() as conn:
            page = fetch_page(conn, query, offset, limit)
        return [_batch(r) for r in page], page.total

    def has_rows(self, dataset: str) -> bool:
        """Whether any batch of `dataset` holds an imported row (one query, no listing)."""
        query = (
            select(batches.c.id)
            .where(batches.c.dataset == dataset, batches.c.imported > 0)
            .limit(1)
        )
        with self.store.connect() as conn:
            return conn.execute(query).first() is not None

    def current_counts(self) -> dict[str, int]:
        """Dataset → how many of its batches are current (read by the models)."""
        query = (
            select(batches.c.dataset, func.count())
            .where(batches.c.superseded_at.is_(None))
            .group_by(batches.c.dataset)
        )
        with self.store.connect() as conn:
            return {str(d): int(n) for d, n in conn.execute(query)}

    def find_file(self, dataset: str, sha256: str) -> Batch | None:
        """The current batch that holds this file, if any (the importer decides whether a
        re-import changes nothing or replaces it)."""
        found = self.batches(dataset, sha256=sha256, current=True)
        return found[0] if found else None

    def files(self, dataset: str, *, excluding: int | None = None) -> list[Path]:
        """Parquet files of the current batches of `dataset`, oldest first: what models read.

        `excluding` leaves out one more batch: the one an import is about to replace.
        """
        return [
            self.root / b.parquet for b in self.batches(dataset, current=True) if b.id != excluding
        ]

    def sources(self, dataset: str, *, excluding: int | None = None) -> Sources:
        """The files to read for `dataset`'s current batches (`excluding` one more, as `files`):
        each uncompacted batch's own file and each compaction's file once, oldest first, with
        the batches a compaction's file holds that must not be read."""
        listing = (
            select(
                batches.c.id,
                batches.c.parquet,
                batches.c.imported,
                batches.c.replaces,
                batches.c.superseded_at,
            )
            .where(batches.c.dataset == dataset)
            .order_by(batches.c.id)
        )
        with self.store.connect() as conn:
            every = conn.execute(listing).all()
        current = [
            Stored(int(r.id), r.parquet, int(r.imported), r.replaces)
            for r in every
            if r.superseded_at is None and r.id != excluding
        ]
        places = _places({int(r.id): r.replaces for r in every}, {b.id for b in current})
        held = self.compacted(dataset)
        wanted = {b.id for b in current}
        files: list[Path] = []
        opened: set[Path] = set()
        for b in current:
            path = held.get(b.id)
            if path is None:
                files.append(self.root / b.parquet)
            elif path not in opened:
                opened.add(path)
                files.append(path)
        skip = tuple(sorted(i for i, p in held.items() if p in opened and i not in wanted))
        compacted = {i: p for i, p in held.items() if i in wanted}
        return Sources(tuple(files), tuple(current), skip, compacted, places)

    def compacted(self, dataset: str) -> dict[int, Path]:
        """Batch → the file of the current compaction holding its rows (replaced batches too)."""
        query = (
            select(compacted_batches.c.batch_id, compactions.c.parquet)
            .join(compactions, compactions.c.id == compacted_batches.c.compaction_id)
            .where(compactions.c.dataset == dataset, compactions.c.superseded_at.is_(None))
        )
        with self.store.connect() as conn:
            rows = conn.execute(query).all()
        # one path per file, not per batch: thousands of batches share a few files
        paths = {p: self.root / p for p in {p for _, p in rows}}
        return {int(b): paths[p] for b, p in rows}

    def places(self, dataset: str) -> dict[int, int]:
        """Current replacement batch → the batch id whose place it takes in the order.

        A replacement stands where the first batch of its file stood: re-importing an old file
        with the right option corrects it, it does not make it the newest. Only replacements
        are listed; every other batch stands at its own id.
        """
        every = self.batches(dataset)
        return _places({b.id: b.replaces for b in every}, {b.id for b in every if b.current})

    def read_column(
        self,
        dataset: str,
        column: str,
        *,
        excluding: int | None = None,
        within: Period | None = None,
        among: pl.Series | None = None,
    ) -> pl.Series:
        """One column of every current row of `dataset`; `within` only the rows whose time
        column lies in the period (files and row groups outside it are skipped by their
        statistics, unread); `among` only the values that are among these.

        With `among`, the stored values stream past a set of the given ones and only those
        found are held: the memory is that of `among`, not of the history."""
        found = self.sources(dataset, excluding=excluding)
        batches = found.batches if within is None else self._overlapping(dataset, found, within)
        return self._read(found, batches, column, within, among)

    def stored_keys(
        self,
        dataset: str,
        keys: pl.Series,
        *,
        excluding: int | None = None,
        within: Period | None = None,
    ) -> pl.Series:
        """The record keys among `keys` that `dataset`'s current batches already hold (an
        import's duplicate check; `excluding` and `within` as `read_column`).

        A batch is read only when its key index (`key_index`) holds one of the keys' first 64
        bits, or when it has none: a province's hundredth file of the same year looks its keys
        up in ninety-nine sorted arrays instead of reading ninety-nine files' keys. A batch of
        more than `SMALL_BATCH` rows without an index (stored before indexes were kept) gets
        one here, from its own file: this runs under the import lock."""
        from shujian.data import key_index

        found = self.sources(dataset, excluding=excluding)
        batches = found.batches if within is None else self._overlapping(dataset, found, within)
        wanted = key_index.key_numbers(keys) if batches else None
        if wanted is not None:
            batches = tuple(
                b
                for b in batches
                if (index := self._key_index(b)) is None or key_index.meets(index, wanted)
            )
        return self._read(found, batches, "_record_key", within, keys)

    def index_keys(self, batch_id: int) -> None:
        """Write the key index of a batch of events from its own file (an import, once the
        batch is committed); nothing for a small batch, or keys that are not digests."""
        batch = self.batch(batch_id)
        if batch is None:
            return
        try:
            self._key_index(Stored(batch.id, batch.parquet, batch.imported))
        except OSError:
            # derived data: the batch is committed; the next import builds the index or reads
            # the batch itself
            log.warning("key index of batch %s not written", batch_id, exc_info=True)

    def _key_index(self, batch: Stored) -> Any:
        """`batch`'s key index (sorted uint64), written first when missing; None for a small
        batch or keys that make none."""
        from shujian.data import key_index

        if batch.imported <= SMALL_BATCH:
            return None
        path = self.root / KEY_INDEX_DIR / f"{batch.parquet}.npy"
        index = key_index.read(path, batch.imported)
        if index is not None:
            return index
        numbers = key_index.batch_numbers(self.root / batch.parquet, batch.imported)
        if numbers is None:
            return None
        key_index.write(path, numbers)
        return numbers

    def _read(
        self,
        found: Sources,
        batches: tuple[Stored, ...],
        column: str,
        within: Period | None,
        among: pl.Series | None,
    ) -> pl.Series:
        """`column` of the rows of `batches` (of `found`), as `read_column` says."""
        import polars as pl

        files: list[Path] = []
        for b in batches:
            path = found.compacted.get(b.id, self.root / b.parquet)
            if path not in files:
                files.append(path)
        if not files:
            return pl.Series(column, [], dtype=pl.Utf8)
        # file by file: a compaction's file may hold columns a batch's own file lacks
        parts = []
        for f in files:
            scan = pl.scan_parquet(f)
            if within is not None and within.column in scan.collect_schema().names():
                scan = scan.filter(pl.col(within.column).is_between(within.first, within.last))
            parts.append(scan.select("_batch", column))
        rows = pl.concat(parts)
        if found.skip or any(b.id in found.compacted for b in batches):
            # a compaction's file holds other batches too: only these batches' rows
            rows = rows.filter(pl.col("_batch").is_in([b.id for b in batches]))
        if among is None:
            return rows.select(column).collect()[column]
        wanted = among.unique().implode()
        return (
            rows.filter(pl.col(column).is_in(wanted))
            .select(column)
            .collect(engine="streaming")[column]
        )

    def _overlapping(self, dataset: str, found: Sources, within: Period) -> tuple[Stored, ...]:
        """The batches of `found` whose recorded period meets `within`: a daily file's
        duplicate check opens the files of its own days, not the history."""
        query = select(batches.c.id, batches.c.details).where(
            batches.c.dataset == dataset, batches.c.superseded_at.is_(None)
        )
        with self.store.connect() as conn:
            periods = {int(r.id): (r.details or {}).get("period") for r in conn.execute(query)}
        return tuple(b for b in found.batches if overlaps(periods.get(b.id), within))

    # ----------------------------------------------------------------- writing

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Imports into one workspace run one at a time."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    @contextmanager
    def new_batch(
        self,
        rows: pl.DataFrame | pl.LazyFrame,
        record: dict[str, object],
        *,
        replaces: int | None = None,
    ) -> Iterator[BatchWrite]:
        """Register a batch and store its rows, atomically; yields the new batch's id and its
        open transaction.

        The batch row is inserted in an open transaction and handed to the block, which
        writes whatever must exist as soon as the batch does (the importer's rejection report,
        named after the batch; its audit entry, in the transaction). With `replaces`, that batch
        is marked superseded by this one in the same transaction: the replacement and the end of
        the batch it replaces are one change. When the block ends, the rows, each carrying the batch id in
        `_batch`, are written to a temporary file, flushed and renamed into place, and only
        then does the transaction commit. Any failure before the commit, in the block or here,
        rolls back, and the file, having no batch, is invisible.

        `rows` lazy (a large file's parts, staged by the importer) are written to the one file
        as they are read, never held whole.
        """
        import polars as pl

        dataset = str(record["dataset"])
        folder = self.root / dataset
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{uuid.uuid4().hex}.parquet"
        final = folder / name
        tmp = folder / f".tmp-{name}"
        journal = self._journal([f"{dataset}/.tmp-{name}", f"{dataset}/{name}"])
        try:
            with self.store.begin() as conn:
                at = now()
                if replaces is not None:
                    # first, so that the file has one current batch at every moment
                    ended = conn.execute(
                        update(batches)
                        .where(batches.c.id == replaces, batches.c.superseded_at.is_(None))
                        .values(superseded_at=at)
                    )
                    if ended.rowcount != 1:
                        raise RuntimeError(f"batch {replaces} is not current: cannot replace it")
                result = conn.execute(
                    insert(batches).values(
                        **record, parquet=f"{dataset}/{name}", imported_at=at, replaces=replaces
                    )
                )
                batch_id = int(result.inserted_primary_key[0])  # type: ignore[index]
                if replaces is not None:
                    conn.execute(
                        update(batches)
                        .where(batches.c.id == replaces)
                        .values(superseded_by=batch_id)
                    )
                yield BatchWrite(batch_id, conn)
                stored = rows.with_columns(pl.lit(batch_id, dtype=pl.Int64).alias("_batch"))
                if isinstance(stored, pl.LazyFrame):
                    stored.sink_parquet(tmp, compression="lz4", maintain_order=True)
                else:
                    stored.write_parquet(tmp, compression="lz4")
                with tmp.open("rb+") as fh:
                    os.fsync(fh.fileno())
                tmp.rename(final)
                _fsync_dir(folder)
        except BaseException:
            tmp.unlink(missing_ok=True)
            if final.exists() and not self._registered(f"{dataset}/{name}"):
                final.unlink()
            # Reached only when the cleanup above succeeded; otherwise the entry stays for `sweep`.
            journal.unlink(missing_ok=True)
            raise
        journal.unlink(missing_ok=True)

    # ----------------------------------------------------------------- compaction

    def compact(
        self, dataset: str, *, everything: bool = False, actor: str = "system"
    ) -> Compaction | None:
        """Compact `dataset`'s small batches now, under the import lock (see the module
        docstring); None when there is nothing to do.

        By default as an import does (`compact_when_due`); with `everything`, every small
        batch and every compaction of the dataset into one file.
        """
        with self.lock():
            return self._compact(dataset, everything=everything, actor=actor)

    def compact_when_due(self, dataset: str, actor: str = "system") -> Compaction | None:
        """After an import, with the import lock held: compact the small batches in no
        compaction once there are `compact_loose` of them (`COMPACT_LOOSE`), and merge
        `compact_merge` compactions of a level (`COMPACT_MERGE`) into one of the next. Cheap when
        nothing is due: two counts, not every batch read."""
        if not self._due(dataset):
            return None
        return self._compact(dataset, everything=False, actor=actor)

    def _due(self, dataset: str) -> bool:
        """Whether `compact_when_due` has anything to do (counted in the store)."""
        held = (
            select(compacted_batches.c.batch_id)
            .join(compactions, compactions.c.id == compacted_batches.c.compaction_id)
            .where(compactions.c.dataset == dataset, compactions.c.superseded_at.is_(None))
        )
        loose = (
            select(func.count())
            .select_from(batches)
            .where(
                batches.c.dataset == dataset,
                batches.c.superseded_at.is_(None),
                batches.c.imported <= SMALL_BATCH,
                batches.c.id.not_in(held),
            )
        )
        levels = (
            select(func.count())
            .select_from(compactions)
            .where(compactions.c.dataset == dataset, compactions.c.superseded_at.is_(None))
            .group_by(compactions.c.level)
        )
        with self.store.connect() as conn:
            if int(conn.execute(loose).scalar_one()) >= self.compact_loose:
                return True
            return any(int(n) >= self.compact_merge for (n,) in conn.execute(levels))

    def _compact(self, dataset: str, *, everything: bool, actor: str) -> Compaction | None:
        """Compact (the lock held): with `everything`, every loose small batch and every
        compaction into one file; else the loose ones once there are enough of them, then each
        level's compactions into the next once there are enough of them. The last written."""
        current = {b.id: b for b in self.batches(dataset, current=True)}
        live = self._compactions(dataset)
        held = {batch for c in live for batch in c["batch_ids"]}
        loose = [b for b in current.values() if b.imported <= SMALL_BATCH and b.id not in held]
        if everything:
            stale = any(i not in current for c in live for i in c["batch_ids"])
            if not loose and (len(live) < 2 and not stale):
                return None
            level = max((c["level"] for c in live), default=-1) + 1
            return self._write_compaction(dataset, level, loose, live, current, actor)
        done = None
        if len(loose) >= self.compact_loose:
            done = self._write_compaction(dataset, 0, loose, [], current, actor)
            live = self._compactions(dataset)
        level = 0
        while True:
            same = [c for c in live if c["level"] == level]
            if not same and not any(c["level"] > level for c in live):
                return done
            if len(same) >= self.compact_merge:
                done = self._write_compaction(dataset, level + 1, [], same, current, actor)
                live = self._compactions(dataset)
            level += 1

    def _compactions(self, dataset: str) -> list[dict[str, Any]]:
        """The dataset's current compactions, oldest first, each with the batches it holds."""
        query = (
            select(compactions.c.id, compactions.c.level, compactions.c.parquet)
            .where(compactions.c.dataset == dataset, compactions.c.superseded_at.is_(None))
            .order_by(compactions.c.id)
        )
        members = (
            select(compacted_batches.c.compaction_id, compacted_batches.c.batch_id)
            .join(compactions, compactions.c.id == compacted_batches.c.compaction_id)
            .where(compactions.c.dataset == dataset, compactions.c.superseded_at.is_(None))
        )
        with self.store.connect() as conn:
            found = {r.id: {**r._mapping, "batch_ids": set()} for r in conn.execute(query)}
            for compaction_id, batch_id in conn.execute(members):
                found[compaction_id]["batch_ids"].add(int(batch_id))
        return list(found.values())

    def _write_compaction(
        self,
        dataset: str,
        level: int,
        loose: list[Batch],
        merged: list[dict[str, Any]],
        current: Mapping[int, Batch],
        actor: str,
    ) -> Compaction:
        """One file holding the rows of `loose` batches and of the `merged` compactions' current
        batches, exactly as stored (each row keeps its `_batch` and `_row`), and its record.

        Written as a batch is: journal, temporary file, flush, rename, and only then the commit
        of its record, the end of the compactions it merges and its audit entry. A batch's row
        count is checked against its record before anything is committed."""
        import polars as pl

        parts = [pl.read_parquet(self.root / b.parquet) for b in loose]
        for c in merged:
            keep = sorted(i for i in c["batch_ids"] if i in current)
            if keep:
                parts.append(
                    pl.read_parquet(self.root / c["parquet"]).filter(pl.col("_batch").is_in(keep))
                )
        rows = (
            pl.concat(parts, how="diagonal_relaxed").sort("_batch", "_row")
            if parts
            else pl.DataFrame()
        )
        ids = sorted(
            {b.id for b in loose} | {i for c in merged for i in c["batch_ids"] if i in current}
        )
        counted = dict(rows.group_by("_batch").len().iter_rows()) if rows.height else {}
        wrong = [i for i in ids if counted.get(i, 0) != current[i].imported]
        if wrong:
            raise RuntimeError(f"compaction of {dataset}: batch {wrong[0]} has not its rows")
        folder = self.root / dataset
        name = f"compacted-{uuid.uuid4().hex}.parquet"
        final = folder / name
        tmp = folder / f".tmp-{name}"
        parquet = f"{dataset}/{name}"
        journal = self._journal([f"{dataset}/.tmp-{name}", parquet])
        try:
            with self.store.begin() as conn:
                at = now()
                rows.write_parquet(tmp, compression="lz4")
                with tmp.open("rb+") as fh:
                    os.fsync(fh.fileno())
                sha = _sha256(tmp)
                compaction_id = int(
                    conn.execute(
                        insert(compactions).values(
                            dataset=dataset,
                            level=level,
                            parquet=parquet,
                            file_sha256=sha,
                            rows=rows.height,
                            batches=len(ids),
                            created_at=at,
                        )
                    ).inserted_primary_key[0]  # type: ignore[index]
                )
                if ids:
                    conn.execute(
                        insert(compacted_batches),
                        [{"compaction_id": compaction_id, "batch_id": i} for i in ids],
                    )
                for c in merged:
                    ended = conn.execute(
                        update(compactions)
                        .where(compactions.c.id == c["id"], compactions.c.superseded_at.is_(None))
                        .values(superseded_by=compaction_id, superseded_at=at)
                    )
                    if ended.rowcount != 1:
                        raise RuntimeError(f"compaction {c['id']} is not current: cannot merge it")
                audit.record(
                    conn,
                    actor,
                    "compact",
                    "compaction",
                    compaction_id,
                    {
                        "dataset": dataset,
                        "level": level,
                        "parquet": parquet,
                        "file_sha256": sha,
                        "rows": rows.height,
                        "batches": ids,
                        "merged": [c["id"] for c in merged],
                    },
                )
                tmp.rename(final)
                _fsync_dir(folder)
        except BaseException:
            tmp.unlink(missing_ok=True)
            if final.exists() and not self._registered(parquet):
                final.unlink()
            journal.unlink(missing_ok=True)
            raise
        journal.unlink(missing_ok=True)
        return Compaction(
            compaction_id,
            dataset,
            level,
            parquet,
            rows.height,
            len(ids),
            tuple(c["id"] for c in merged),
        )

    def _journal(self, files: list[str]) -> Path:
        """Record, durably, the files about to be written — before any of them exists.

        Flushed with its folder, so that after a crash every file this write may have left is
        named by an entry, and `sweep` can tell our own leftovers from anybody's data.
        """
        folder = self.root / JOURNAL_DIR
        new_folder = not folder.exists()
        folder.mkdir(parents=True, exist_ok=True)
        if new_folder:
            _fsync_dir(self.root)
        entry = folder / f"{uuid.uuid4().hex}.json"
        with entry.open("w", encoding="utf-8") as fh:
            json.dump({"files": files, "started_at": now().isoformat()}, fh)
            fh.flush()
            os.fsync(fh.fileno())
        _fsync_dir(folder)
        return entry

    def _registered(self, parquet: str) -> bool:
        """A batch or a compaction lists this file."""
        with self.store.connect() as conn:
            return (
                conn.execute(select(batches.c.id).where(batches.c.parquet == parquet)).first()
                is not None
                or conn.execute(
                    select(compactions.c.id).where(compactions.c.parquet == parquet)
                ).first()
                is not None
            )

    def _known(self) -> set[str]:
        """Every file a batch or a compaction lists (superseded ones too: they are kept)."""
        with self.store.connect() as conn:
            listed = [p for (p,) in conn.execute(select(batches.c.parquet))]
            listed += [p for (p,) in conn.execute(select(compactions.c.parquet))]
        return set(listed)

    def data_files(self) -> list[Path]:
        """Every Parquet file in the dataset folders, committed or not (asides excluded)."""
        if not self.root.exists():
            return []
        return sorted(
            p
            for p in self.root.glob("*/*.parquet")
            if not p.parent.name.startswith(".") and not p.name.startswith(".")
        )

    def sweep(self) -> Sweep:
        """Before an import: undo what a killed import left, set aside what is not ours.

        Files a journal entry names and no batch lists were written by an import that never
        committed: they are deleted. Any other file in a dataset folder that no batch lists is
        moved into `.unclaimed/<time>/<dataset>/` and reported — it may be another store's
        batch, and deleting it would lose data the user still has no other copy of.
        """
        done = Sweep()
        if not self.root.exists():
            return done
        known = self._known()
        journal = self.root / JOURNAL_DIR
        for entry in sorted(journal.glob("*.json")) if journal.exists() else []:
            for rel in _journaled(entry):
                path = self.root / rel
                if rel not in known and path.is_file():
                    path.unlink()
                    done.removed.append(path)
            entry.unlink()
        # by name first, then the file system's own entry type: no stat per file (a warehouse
        # holds a file per visit recorded in the platform, thousands of them)
        unclaimed = [
            Path(entry.path)
            for folder in os.scandir(self.root)
            if folder.is_dir() and not folder.name.startswith(".")
            for entry in os.scandir(folder.path)
            if (entry.name.endswith(".parquet") or entry.name.startswith(".tmp-"))
            and f"{folder.name}/{entry.name}" not in known
            and entry.is_file()
        ]
        if unclaimed:
            aside = self.root / UNCLAIMED_DIR / now().astimezone().strftime("%Y%m%d-%H%M%S")
            for path in sorted(unclaimed):
                target = aside / path.parent.name / path.name
                target.parent.mkdir(parents=True, exist_ok=True)
                while target.exists():
                    target = target.with_name(f"{uuid.uuid4().hex[:8]}-{path.name}")
                path.rename(target)
                done.moved.append(target)
            _fsync_dir(self.root)
        return done


JOURNAL_DIR = ".journal"
"""Entries naming the files an import is writing; each is removed once its batch commits."""

KEY_INDEX_DIR = ".record-keys"
"""Each batch of events' key index (`key_index`), derived from its file: `<parquet>.npy`."""

UNCLAIMED_DIR = ".unclaimed"
"""Where files that no batch lists and no journal names are moved to (never deleted)."""


@dataclass
class Sweep:
    """What `Warehouse.sweep` did: leftovers of killed imports deleted, unknown files set aside."""

    removed: list[Path] = field(default_factory=list)
    moved: list[Path] = field(default_factory=list)


def _journaled(entry: Path) -> list[str]:
    """The files a journal entry names, as paths inside the warehouse.

    An entry cut short by a crash names nothing: it was flushed before any file it would name was
    created, so no such file exists. Names that would leave the warehouse are ignored.
    """
    try:
        files = json.loads(entry.read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [
        f
        for f in files
        if isinstance(f, str) and f.count("/") == 1 and ".." not in f and not f.startswith("/")
    ]


def _places(replaces: Mapping[int, int | None], current: set[int]) -> dict[int, int]:
    """Each current batch that replaced another → the first batch of its chain of replacements
    (`Warehouse.places`); `replaces` maps every batch of the dataset to the one it replaced."""
    places = {}
    for batch in current:
        if replaces.get(batch) is None:
            continue
        first = batch
        while (earlier := replaces.get(first)) is not None and earlier in replaces:
            first = earlier
        places[batch] = first
    return places


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
