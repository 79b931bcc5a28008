"""The warehouse: imported rows as Parquet, one immutable file per batch.

Visibility is decided by the case store's `batches` table, not by the files on disk: a batch
exists once its row is committed, and only then. The Parquet file is written to a temporary
name, flushed, renamed into place and only then is the batch row committed — so a crash or a
Ctrl-C at any point leaves the warehouse as it was. Files left behind by a killed import belong
to no batch; `sweep` removes them before the next import.
"""

from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    UniqueConstraint,
    insert,
    select,
)

from shujian.store import metadata, now

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
    UniqueConstraint("dataset", "file_sha256", name="uq_batch_file"),
)


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


class Warehouse:
    def __init__(self, root: Path, store: Engine) -> None:
        self.root = root
        self.store = store

    # ----------------------------------------------------------------- reading

    def batches(self, dataset: str | None = None, *, sha256: str | None = None) -> list[Batch]:
        query = select(batches).order_by(batches.c.id)
        if dataset is not None:
            query = query.where(batches.c.dataset == dataset)
        if sha256 is not None:
            query = query.where(batches.c.file_sha256 == sha256)
        with self.store.connect() as conn:
            return [
                Batch(
                    id=r.id,
                    dataset=r.dataset,
                    file_name=r.file_name,
                    file_sha256=r.file_sha256,
                    agency=r.agency,
                    imported_at=r.imported_at,
                    imported=r.imported,
                    rejected=r.rejected,
                    parquet=r.parquet,
                )
                for r in conn.execute(query)
            ]

    def find_file(self, dataset: str, sha256: str) -> Batch | None:
        """The batch that already holds this file, if any (a re-import changes nothing)."""
        found = self.batches(dataset, sha256=sha256)
        return found[0] if found else None

    def files(self, dataset: str) -> list[Path]:
        """Parquet files of the committed batches of `dataset`, oldest first."""
        return [self.root / b.parquet for b in self.batches(dataset)]

    def read_column(self, dataset: str, column: str) -> pl.Series:
        files = self.files(dataset)
        if not files:
            return pl.Series(column, [], dtype=pl.Utf8)
        return pl.scan_parquet(files).select(column).collect()[column]

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

    def commit_batch(
        self, frame_for: Callable[[int], pl.DataFrame], record: dict[str, object]
    ) -> int:
        """Register a batch and store its rows, atomically.

        `frame_for(batch_id)` returns the rows to store (they carry the batch id). The batch row
        is inserted in an open transaction, the file is written and renamed, then the
        transaction commits; any failure before the commit rolls back and the file, having no
        batch, is invisible.
        """
        dataset = str(record["dataset"])
        folder = self.root / dataset
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{uuid.uuid4().hex}.parquet"
        final = folder / name
        tmp = folder / f".tmp-{name}"
        try:
            with self.store.begin() as conn:
                result = conn.execute(
                    insert(batches).values(**record, parquet=f"{dataset}/{name}", imported_at=now())
                )
                batch_id = int(result.inserted_primary_key[0])  # type: ignore[index]
                frame = frame_for(batch_id)
                frame.write_parquet(tmp, compression="lz4")
                with tmp.open("rb+") as fh:
                    os.fsync(fh.fileno())
                tmp.rename(final)
                _fsync_dir(folder)
        except BaseException:
            tmp.unlink(missing_ok=True)
            if final.exists() and not self._registered(f"{dataset}/{name}"):
                final.unlink()
            raise
        return batch_id

    def _registered(self, parquet: str) -> bool:
        with self.store.connect() as conn:
            return (
                conn.execute(select(batches.c.id).where(batches.c.parquet == parquet)).first()
                is not None
            )

    def sweep(self) -> list[Path]:
        """Remove files that belong to no committed batch (left by a killed import)."""
        known = {b.parquet for b in self.batches()}
        removed: list[Path] = []
        if not self.root.exists():
            return removed
        for path in self.root.glob("*/*.parquet"):
            rel = f"{path.parent.name}/{path.name}"
            if rel not in known:
                path.unlink(missing_ok=True)
                removed.append(path)
        for path in self.root.glob("*/.tmp-*"):
            path.unlink(missing_ok=True)
            removed.append(path)
        return removed


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
