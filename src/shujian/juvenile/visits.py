"""A visit recorded in the platform (走访登记): a batch of `minor_visits` like any import.

A helping unit's staff record their visits in the web application (or with the command line)
besides the exports of the city's 护苗 system. The visit is written as a one-row file with the
dataset's own headers and imported through the importer (`import_file`): the same parsing and
validation (the targets, the five helps and the measures checked against the declaration), the
same batch record (agency = the helper's unit, file name 平台录入), the same lineage into leads
and the same audit entry naming who recorded it. So the next model run reads it, and a warning
whose missing visit it supplies is no longer found.

Recording needs `record_visit`, not `import_data`: a helper may record a visit of a minor
assigned to their unit, and import nothing else. A minor the user does not see is answered as
one not on the register.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from shujian.data.importer import ImportOptions, ImportResult, import_file
from shujian.errors import UserError
from shujian.juvenile.access import not_on_register
from shujian.juvenile.register import FOUR_VISITS
from shujian.juvenile.service import VISITS, Register
from shujian.models.labels import mask_id_card
from shujian.users.access import require
from shujian.users.user import User

ENTERED = "平台录入"
"""The file name of a visit's batch: it was typed into the platform, not sent as a file."""

NOTES_LIMIT = 2000
"""Characters of 记录 kept (a visit's account, not a report)."""


@dataclass(frozen=True)
class VisitForm:
    """One visit as the form gives it."""

    visited_on: dt.date
    targets: tuple[str, ...]
    visitor: str
    help_content: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    notes: str = ""


def choices(register: Register) -> dict[str, tuple[str, ...]]:
    """What the form offers: the declared targets (四访), helps (五帮) and measures."""
    dataset = register.datasets[VISITS]
    return {
        "targets": dataset.column("target").values,
        "help_content": dataset.column("help_content").values,
        "measures": dataset.column("measures").values,
    }


def check_form(form: VisitForm, today: dt.date, offered: dict[str, tuple[str, ...]]) -> None:
    """Refuse, in Chinese, a visit the form should not have sent (the importer checks the values
    again, as for any file)."""
    if form.visited_on > today:
        raise UserError(
            f"走访日期 {form.visited_on.isoformat()} 晚于今天（{today.isoformat()}）。",
            code="future_visit",
        )
    if not form.targets:
        raise UserError(
            f"请选择走访对象（{'、'.join(FOUR_VISITS)}，可多选）。", code="no_visit_target"
        )
    if not form.visitor.strip():
        raise UserError("请填写走访人。", code="no_visitor")
    for field, label in (
        ("targets", "走访对象"),
        ("help_content", "帮扶内容"),
        ("measures", "帮扶措施"),
    ):
        unknown = [v for v in getattr(form, field) if v not in offered[field]]
        if unknown:
            raise UserError(
                f"{label}“{'、'.join(unknown)}”不在可选范围内（{'、'.join(offered[field])}）。",
                code="bad_choice",
            )
    if len(form.notes) > NOTES_LIMIT:
        raise UserError(
            f"走访记录最多 {NOTES_LIMIT} 字，现有 {len(form.notes)} 字。", code="notes_too_long"
        )


def record_visit(
    register: Register, user: User, id_card: str, form: VisitForm, *, today: dt.date
) -> ImportResult:
    """Record a visit of `id_card` as a batch of `minor_visits` (audited by the importer).

    `user` carries their grants (`Register.with_grants`). The same visit recorded twice is the
    same file: the second changes nothing (`ImportResult.already_imported`)."""
    require(user, "record_visit")
    if not register.scope(user).sees(id_card):
        raise not_on_register(mask_id_card(id_card))
    offered = choices(register)
    check_form(form, today, offered)
    dataset = register.datasets[VISITS]
    values = {
        "id_card": id_card,
        "visited_on": form.visited_on.isoformat(),
        "target": "、".join(t for t in offered["targets"] if t in form.targets),
        "visitor": form.visitor.strip(),
        "help_content": "、".join(v for v in offered["help_content"] if v in form.help_content),
        "measures": "、".join(v for v in offered["measures"] if v in form.measures),
        "notes": form.notes.strip(),
    }
    agency = user.unit or user.department or ""
    with tempfile.TemporaryDirectory(prefix="shujian-visit-") as folder:
        path = Path(folder) / "visit.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow([c.label for c in dataset.columns])
            writer.writerow([values.get(c.id, "") for c in dataset.columns])
        result = import_file(
            register.warehouse,
            register.ws.reports_dir,
            dataset,
            path,
            ImportOptions(agency=agency),
            user=user,
            file_name=ENTERED,
            permission="record_visit",
        )
    if result.imported == 0 and not result.already_imported:
        # checked above, so only a value the declaration changed since could do this
        raise UserError(
            f"走访未能登记：导入时被退回（批次 {result.batch_id}，退回报告 {result.report}）。",
            code="visit_rejected",
        )
    return result
