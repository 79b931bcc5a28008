"""Import of one agency file into the warehouse as one batch.

`import_file` only guards the workspace (lock, identity, sweep, already imported?), runs the
ordered steps of `steps.py` and commits their result as one batch together with its rejection
report, its audit entry and the header mappings typed for it.

The same file imported again changes nothing when asked for the same way; asked for with other
options (`ImportOptions.record`: coordinate system, mapping, sheet, encoding, constants) it
replaces its earlier batch, which is kept but no longer read — a file imported with a forgotten
`--crs` must be correctable without editing the file to change its hash.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from sqlalchemy import Connection

from shujian import audit, gcpause
from shujian.data import mappings
from shujian.data.datasets import Dataset
from shujian.data.fields.registry import get_field_type
from shujian.data.limits import ReadLimits
from shujian.data.parts import Outcome, run_parts
from shujian.data.rejections import write_report
from shujian.data.steps import (
    ImportOptions,
    ImportRequest,
    resolve_constants,
)
from shujian.data.warehouse import SMALL_BATCH, Compaction, Warehouse, period_record
from shujian.errors import UserError
from shujian.identity import ensure_identity
from shujian.users.access import require
from shujian.users.user import SYSTEM, User

ImportHook = Callable[[Connection, Dataset, pl.LazyFrame, int, User], None]
"""What a dataset's `on_import` names: called with the transaction recording the batch, the
dataset, the rows kept (typed, as stored; lazily, so that a hook collects only the rows and
columns it needs, not a million-row file whole), the batch id and the importing user. What it
writes commits with the batch or not at all."""


def import_hook(dataset: Dataset) -> ImportHook | None:
    """The function a dataset's `on_import` names, if it names one."""
    if not dataset.on_import:
        return None
    module, _, name = dataset.on_import.partition(":")
    hook: ImportHook = getattr(importlib.import_module(module), name)
    return hook


@dataclass
class ImportResult:
    dataset: str
    file: str
    sha256: str
    batch_id: int | None
    rows_read: int
    imported: int
    rejected: int
    skipped: int
    duplicates: int
    report: Path | None
    header_row: int | None
    columns: dict[str, str]
    extra_columns: list[str]
    already_imported: bool = False
    moved_aside: list[Path] = field(default_factory=list)
    """Files no batch listed, found in the warehouse and moved aside (never deleted)."""
    agency: str = ""
    replaced: int | None = None
    """The batch this import replaced (the same file, imported before with other options)."""
    saved_mappings_used: dict[str, str] = field(default_factory=dict)
    """Header → column label: saved mappings of the agency that matched a header of the file."""
    mappings_saved: dict[str, str] = field(default_factory=dict)
    """Header → column label: mappings typed for this import and saved for the agency."""
    constants: dict[str, str] = field(default_factory=dict)
    """Column label → the value given to every row."""

    @property
    def all_rejected(self) -> bool:
        """Every data row was refused: "0 imported" would read as "nothing found"."""
        return self.rows_read > 0 and self.rejected == self.rows_read

    def as_json(self) -> dict[str, object]:
        return {
            "dataset": self.dataset,
            "file": self.file,
            "sha256": self.sha256,
            "batch": self.batch_id,
            "rows_read": self.rows_read,
            "imported": self.imported,
            "rejected": self.rejected,
            "skipped": self.skipped,
            "duplicates": self.duplicates,
            "report": str(self.report) if self.report else None,
            "header_row": self.header_row,
            "columns": self.columns,
            "extra_columns": self.extra_columns,
            "already_imported": self.already_imported,
            "moved_aside": [str(p) for p in self.moved_aside],
            "all_rejected": self.all_rejected,
            "replaced": self.replaced,
            "saved_mappings_used": self.saved_mappings_used,
            "mappings_saved": self.mappings_saved,
            "constants": self.constants,
        }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# ----------------------------------------------------------------------------- state


@gcpause.paused()
def import_file(
    warehouse: Warehouse,
    reports_dir: Path,
    dataset: Dataset,
    path: Path,
    options: ImportOptions | None = None,
    *,
    user: User = SYSTEM,
    file_name: str | None = None,
    permission: str = "import_data",
    limits: ReadLimits | None = None,
) -> ImportResult:
    """Import `path` as one batch of `dataset`. Raises UserError when the file is refused.

    The steps run under the workspace's import lock, after the identity check and the sweep,
    because `read_stored_keys` must see exactly the batches this one will be compared with.
    The batch, the end of the batch it replaces, the agency's newly typed mappings and the audit
    entry naming `user` commit together: an import is never half recorded.

    `file_name` is the name the sender gave the file, recorded as it is and never used as a path
    (an upload is stored under a generated name); `path`'s own name when not given.

    `permission` is the action the user's role must allow: importing an agency's file, or for a
    visit a helping unit records in the platform (`juvenile.visits`), `record_visit` — the
    visit is a batch like any other, but its recorder may not import anything else.

    `limits` bound what reading the file may cost (`[import]` in shujian.toml, `read_limits`);
    the defaults when not given.
    """
    require(user, permission)
    options = options or ImportOptions()
    name = file_name if file_name is not None else path.name
    if not path.is_file():
        raise UserError(f"找不到文件：{path}")
    sha = file_sha256(path)
    typed = mappings.resolve(dataset, options.mapping)
    with warehouse.lock():
        # The pair is checked again here, whoever built `warehouse`: the sweep moves files.
        ensure_identity(warehouse.root, warehouse.store)
        moved_aside = warehouse.sweep().moved
        saved = (
            {
                m.header: m.column_id
                for m in mappings.saved(warehouse.store, options.agency, dataset.id)
            }
            if options.agency
            else {}
        )
        asked = options_record(dataset, options, saved)
        previous = warehouse.find_file(dataset.id, sha)
        if previous is not None and _asked_for(previous.details) == asked:
            found = _already_imported(dataset, name, sha, previous.id, moved_aside)
            found.agency = options.agency
            return found
        replaces = previous.id if previous is not None else None
        request = ImportRequest(
            dataset, path, options, warehouse, saved, replaces, name, limits or ReadLimits()
        )
        with tempfile.TemporaryDirectory(prefix="shujian-import-") as staging:
            done = run_parts(request, Path(staging))
            record = batch_record(request, done, sha)
            used = {h: c for h, c in saved.items() if h in set(done.headers) and h not in typed}
            with warehouse.new_batch(done.rows, record, replaces=replaces) as batch:
                report = rejection_report_path(reports_dir, dataset.id, batch.id)
                write_report(report, dataset, name, record, done.rejections, done.skipped)
                newly_saved = (
                    mappings.save(batch.conn, options.agency, dataset.id, typed, user.name)
                    if options.agency
                    else {}
                )
                audit.record(
                    batch.conn,
                    user.name,
                    "reimport" if replaces is not None else "import",
                    "batch",
                    batch.id,
                    audit_detail(record, replaces, newly_saved),
                )
                hook = import_hook(dataset)
                if hook is not None:
                    hook(batch.conn, dataset, done.lazy(), batch.id, user)
        if dataset.mode == "events":
            # the next import of this dataset looks its keys up here (`Warehouse.stored_keys`)
            warehouse.index_keys(batch.id)
        if done.imported <= SMALL_BATCH:
            # a visit recorded in the platform is a one-row batch: they are compacted by the
            # hundred, so that readers do not open a file per visit
            warehouse.compact_when_due(dataset.id, user.name)
    return ImportResult(
        dataset=dataset.id,
        file=name,
        sha256=sha,
        batch_id=batch.id,
        rows_read=done.rows_read,
        imported=done.imported,
        rejected=done.rejected,
        skipped=len(done.skipped),
        duplicates=done.duplicates,
        report=report,
        header_row=done.header_row,
        columns=dict(done.columns),
        extra_columns=list(done.extras.values()),
        moved_aside=moved_aside,
        agency=options.agency,
        replaced=replaces,
        saved_mappings_used={h: dataset.column(c).label for h, c in used.items()},
        mappings_saved={h: dataset.column(c).label for h, c in newly_saved.items()},
        constants={
            dataset.column(c).label: v
            for c, v in resolve_constants(dataset, options.constants).items()
        },
    )


def compact(warehouse: Warehouse, dataset: Dataset, *, user: User = SYSTEM) -> Compaction | None:
    """Compact every small batch of `dataset` into one file now (`Warehouse.compact`); None when
    there is nothing to compact. Imports compact by the hundred on their own; this is for an
    administrator who wants it done at once. It writes to the warehouse: `import_data`."""
    require(user, "import_data")
    return warehouse.compact(dataset.id, everything=True, actor=user.name)


def options_record(
    dataset: Dataset, options: ImportOptions, saved: Mapping[str, str]
) -> dict[str, object]:
    """How the file was asked to be read, in a canonical form: two imports of one file that
    compare equal here make the same batch, so the second changes nothing; any difference (a
    coordinate system given at last, a mapping, a sheet, an encoding, a constant) replaces it.

    The agency is not part of it: who sent a file does not change its rows. Its saved mappings
    are, as the mapping in force.
    """
    crs = options.crs
    if crs is not None:
        parsed = get_field_type("crs").parse(pl.Series([crs]))
        crs = parsed.value[0] if parsed.error[0] is None else crs
    return {
        "crs": crs,
        "mapping": dict(sorted({**saved, **mappings.resolve(dataset, options.mapping)}.items())),
        "sheet": options.sheet,
        "encoding": options.encoding,
        "constants": dict(sorted(resolve_constants(dataset, options.constants).items())),
    }


def _asked_for(details: Mapping[str, object]) -> dict[str, object]:
    """The options a stored batch was imported with. A batch recorded before they were kept
    (migration 0006) knows only its coordinate system; the rest was the default, or not
    remembered — then a re-import with any option replaces it, which loses nothing."""
    recorded = details.get("options")
    if isinstance(recorded, dict):
        return recorded
    return {
        "crs": details.get("crs"),
        "mapping": {},
        "sheet": None,
        "encoding": "auto",
        "constants": {},
    }


def _already_imported(
    dataset: Dataset, name: str, sha: str, batch_id: int, moved_aside: list[Path]
) -> ImportResult:
    return ImportResult(
        dataset=dataset.id,
        file=name,
        sha256=sha,
        batch_id=batch_id,
        rows_read=0,
        imported=0,
        rejected=0,
        skipped=0,
        duplicates=0,
        report=None,
        header_row=None,
        columns={},
        extra_columns=[],
        already_imported=True,
        moved_aside=moved_aside,
    )


def audit_detail(
    record: Mapping[str, object], replaces: int | None, mappings_saved: Mapping[str, str]
) -> dict[str, object]:
    """What the audit log keeps of an import: who sent which file, how it was read, what came
    of it, and what it replaced."""
    details = record["details"]
    assert isinstance(details, dict)
    return {
        "dataset": record["dataset"],
        "file_name": record["file_name"],
        "file_sha256": record["file_sha256"],
        "agency": record["agency"],
        "rows_read": record["rows_read"],
        "imported": record["imported"],
        "rejected": record["rejected"],
        "skipped": record["skipped"],
        "duplicates": record["duplicates"],
        "options": details["options"],
        "replaces": replaces,
        "mappings_saved": dict(mappings_saved),
    }


def batch_record(request: ImportRequest, done: Outcome, sha256: str) -> dict[str, object]:
    """The batch's row in the case store: what was read, kept, refused, and how."""
    return {
        "dataset": request.dataset.id,
        "file_name": request.name,
        "file_sha256": sha256,
        "agency": request.options.agency,
        "rows_read": done.rows_read,
        "imported": done.imported,
        "rejected": done.rejected,
        "skipped": len(done.skipped),
        "duplicates": done.duplicates,
        "details": {
            "header_row": done.header_row,
            "columns": dict(done.columns),
            "extra_columns": list(done.extras.values()),
            "encoding": done.encoding,
            "sheet": done.sheet,
            "crs": request.options.crs,
            "constants": resolve_constants(request.dataset, request.options.constants),
            "options": options_record(request.dataset, request.options, request.saved_mapping),
            "replaces": request.replaces,
            "skipped_rows": list(done.skipped),
            "period": period_record(done.period),
        },
    }


def rejection_report_path(reports_dir: Path, dataset_id: str, batch_id: int) -> Path:
    """Where a batch's rejection report is: derived from the batch, so not stored with it."""
    return reports_dir / f"{dataset_id}-批次{batch_id}-退回记录.xlsx"


# ----------------------------------------------------------------------------- stored shape


def summary_json(result: ImportResult) -> str:
    return json.dumps(result.as_json(), ensure_ascii=False)
