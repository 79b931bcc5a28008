"""Exporting leads: one record per lead, for prosecutors' spreadsheets and other systems.

A file leaves the platform's control, so ID numbers are masked in every format (by the field
type the model's lineage finds, not by column name) unless the user asks to reveal them; a
reveal is recorded in the audit log with the leads and fields it showed whole.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

import xlsxwriter
from sqlalchemy import Engine, select

from shujian import audit, formulas
from shujian.errors import UserError
from shujian.juvenile.sealing import visibility as sealing_visibility
from shujian.leads import parameter_sets
from shujian.leads.queue import lead_scope
from shujian.leads.service import status_label
from shujian.leads.store import lead_dispatches, leads
from shujian.models.labels import Masking
from shujian.users.access import Scope, require, scope_of
from shujian.users.user import User

FIELDS = (
    ("id", "线索编号"),
    ("model", "模型"),
    ("subject", "监督对象"),
    ("title", "标题"),
    ("status", "状态"),
    ("status_label", "状态（中文）"),
    ("active", "最近一次运行仍命中"),
    ("evidence", "证据"),
    ("evidence_rows", "证据行数"),
    ("parameters", "现行参数"),
    ("batches", "来源批次"),
    ("first_run", "首次发现运行"),
    ("last_run", "最近运行"),
    ("created_at", "发现时间"),
    ("updated_at", "更新时间"),
)


def lead_records(
    store: Engine,
    model_id: str | None = None,
    *,
    reveal: bool = False,
    masking: Masking | None = None,
    scope: Scope | None = None,
    home: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One record per lead (in `scope`, where undispatched leads wait in their `home`
    department; every lead when no scope is given), ID numbers masked unless `reveal` (see the
    module docstring)."""
    masking = masking or Masking()
    query = (
        select(leads)
        .select_from(leads.outerjoin(lead_dispatches))
        .order_by(leads.c.model_id, leads.c.id)
    )
    if model_id:
        query = query.where(leads.c.model_id == model_id)
    scoped = lead_scope(scope, home or {}) if scope is not None else None
    if scoped is not None:
        query = query.where(scoped)
    with store.connect() as conn:
        hidden = sealing_visibility.sealed_now(conn).lead_ids
        if hidden:  # resting on a sealed juvenile record: in no export
            query = query.where(leads.c.id.not_in(hidden))
        found = [dict(row._mapping) for row in conn.execute(query)]
        parameter_sets.fill(conn, found)
    records = []
    for lead in found:
        r = lead if reveal else masking.lead(lead)
        records.append(
            {
                "id": r["id"],
                "model": r["model_id"],
                "subject": r["subject"],
                "title": r["title"],
                "status": r["status"],
                "status_label": status_label(r["status"], bool(r["active"])),
                "active": bool(r["active"]),
                "evidence": r["evidence"],
                "evidence_rows": r["evidence_rows"],
                "parameters": {k: v["value"] for k, v in r["parameters"].items()},
                "batches": r["batches"],
                "first_run": r["first_run_id"],
                "last_run": r["last_run_id"],
                "created_at": r["created_at"].isoformat(),
                "updated_at": r["updated_at"].isoformat(),
            }
        )
    return records


def export_leads(
    store: Engine,
    fmt: str,
    output: Path | TextIO,
    user: User,
    model_id: str | None = None,
    *,
    reveal: bool = False,
    masking: Masking | None = None,
    home: Mapping[str, str] | None = None,
) -> int:
    """Write every lead (of one model) in the user's scope (`home`: where undispatched leads
    wait, `leads.queue.homes`) as jsonl, csv or xlsx to a file or an open text stream (jsonl
    and csv only); the export is audited."""
    require(user, "view_leads")
    require(user, "export")
    if reveal:
        require(user, "reveal_id")
    masking = masking or Masking()
    records = lead_records(
        store, model_id, reveal=reveal, masking=masking, scope=scope_of(user), home=home
    )
    detail: dict[str, Any] = {
        "format": fmt,
        "model": model_id,
        "file": str(output) if isinstance(output, Path) else None,
        "lead_ids": [r["id"] for r in records],
        "revealed": reveal,
    }
    if reveal:
        detail["revealed_fields"] = _revealed(records, masking)
    audit.record_view(store, user.name, "lead", None, detail, action="export")
    if fmt == "xlsx":
        if not isinstance(output, Path):
            raise UserError("导出 xlsx 时必须指定输出文件。", code="xlsx_needs_file")
        _write_xlsx(output, records)
        return len(records)
    if not isinstance(output, Path):
        _write_text(output, fmt, records)
    else:
        with output.open("w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as fh:
            _write_text(fh, fmt, records)
    return len(records)


def _revealed(records: list[dict[str, Any]], masking: Masking) -> list[dict[str, Any]]:
    """Per model: the fields shown whole and the leads they were shown for."""
    by_model: dict[str, list[int]] = {}
    for r in records:
        by_model.setdefault(r["model"], []).append(r["id"])
    out = []
    for model, ids in by_model.items():
        privacy = masking.of(model)
        fields = ["*（按号码形状）"] if privacy.by_shape else privacy.fields()
        if fields:
            out.append({"model": model, "fields": fields, "lead_ids": ids})
    return out


def _cell(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def _write_text(fh: TextIO, fmt: str, records: list[dict[str, Any]]) -> None:
    if fmt == "jsonl":
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        return
    writer = csv.writer(fh)
    writer.writerow([key for key, _ in FIELDS])
    for r in records:
        writer.writerow([formulas.csv_cell(_cell(r[key])) for key, _ in FIELDS])


CELL_LIMIT = 32_767
"""Characters an Excel cell holds; xlsxwriter cuts a longer string without a word."""
CUT_NOTE = "……（以下超过 Excel 单元格 32,767 字的上限，从略；完整内容请以 jsonl 或 csv 格式导出）"


def _fitted(text: str) -> str:
    """`text` as one Excel cell: whole, or cut where the cell ends with a note saying so (a lead's
    evidence of fifty long rows can pass the limit; a silent cut would lose the rows unseen)."""
    if len(text) <= CELL_LIMIT:
        return text
    return text[: CELL_LIMIT - len(CUT_NOTE)] + CUT_NOTE


def _write_xlsx(path: Path, records: list[dict[str, Any]]) -> None:
    # rows go to the file as they are written (constant_memory): a city's 48,000 leads with
    # their evidence held the whole sheet in memory beside the records (905 against 721 MB)
    book = xlsxwriter.Workbook(str(path), {**formulas.XLSX_OPTIONS, "constant_memory": True})
    try:
        sheet = book.add_worksheet("线索")
        bold = book.add_format({"bold": True})
        for j, (key, label) in enumerate(FIELDS):
            sheet.write_string(0, j, label, bold)
            sheet.write_comment(0, j, key)
        for i, r in enumerate(records, start=1):
            for j, (key, _) in enumerate(FIELDS):
                value = r[key]
                if isinstance(value, int) and not isinstance(value, bool):
                    sheet.write_number(i, j, value)
                else:
                    sheet.write_string(i, j, _fitted(_cell(value)))
        sheet.freeze_panes(1, 0)
        sheet.set_column(3, 3, 60)
        sheet.set_column(7, 7, 80)
    finally:
        book.close()
