"""An offence record entered in the platform (登记): a one-row batch of `offence_records`.

The 未成年人检察部 enters records it holds itself — its own 不起诉 decisions, a judgment received
on paper — besides the agencies' files. The record is written as a one-row file with the
dataset's own headers and imported through the importer, so it is read, checked, audited and
sealed on import exactly as a file's row is (`records.seal_imported`): entry and import cannot
disagree on the rule. Entering needs `handle_sealing`.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from shujian.data.importer import ImportOptions, import_file
from shujian.data.warehouse import Warehouse
from shujian.errors import UserError
from shujian.juvenile.sealing.store import sealed_records
from shujian.limits import check_year
from shujian.users.access import require
from shujian.users.user import User
from shujian.workspace import Workspace

ENTERED = "平台录入"
"""The file name of an entered record's batch."""


@dataclass(frozen=True)
class Entered:
    batch_id: int | None
    sealed_record: int | None
    """The sealed record's number, when the rule sealed it (None: not sealed)."""
    already: bool
    """The same record was entered before (nothing changed)."""


def enter_record(ws: Workspace, user: User, values: dict[str, str], today: dt.date) -> Entered:
    """Enter one offence record (`values`: column id → text as a file would hold it)."""
    require(user, "handle_sealing")
    dataset = ws.datasets()["offence_records"]
    for column in ("decided_on", "act_date"):
        text = (values.get(column) or "").strip()
        if text:
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                raise UserError(
                    f"{dataset.column(column).label}“{text}”不是日期，应写作 2026-12-01。",
                    code="bad_date",
                ) from None
            check_year(day, dataset.column(column).label, text)
            if day > today:
                raise UserError(
                    f"{dataset.column(column).label} {text} 晚于今天。", code="future_date"
                )
    with tempfile.TemporaryDirectory(prefix="shujian-offence-") as folder:
        path = Path(folder) / "offence.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow([c.label for c in dataset.columns])
            writer.writerow([(values.get(c.id) or "").strip() for c in dataset.columns])
        result = import_file(
            Warehouse(ws.warehouse_dir, ws.store),
            ws.reports_dir,
            dataset,
            path,
            ImportOptions(agency=user.department or ""),
            user=user,
            file_name=ENTERED,
            permission="handle_sealing",
        )
    if result.rejected:
        raise UserError(
            f"记录未能登记：导入时被退回（退回报告 {result.report}），请按退回原因改正后重新登记。",
            code="record_rejected",
        )
    with ws.store.connect() as conn:
        sealed = conn.execute(
            select(sealed_records.c.id).where(sealed_records.c.batch_id == result.batch_id)
        ).scalar()
    return Entered(result.batch_id, sealed, result.already_imported)
