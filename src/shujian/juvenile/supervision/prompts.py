"""一月一提示: on the first working day of each month, each helping unit's list of its minors
whose visits were missing last month, one .xlsx per unit.

The list goes to the helping unit, which knows the child it helps: the minor's name is on it,
the ID number is masked. Who is listed is the register's rule (`facts.month_units`). Before the
month has ended nothing is made (its visits cannot be judged yet); from its last day to the first
working day of the next month the files are a preview (预览), marked in their title and file
names. Making them is an export: audited with the month, the units and every minor listed.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from shujian import audit
from shujian.errors import UserError
from shujian.juvenile.access import JUVENILE_DEPARTMENT, MINOR
from shujian.juvenile.register import FOUR_VISITS, Month, required_targets
from shujian.juvenile.service import Register
from shujian.juvenile.supervision import workbook
from shujian.juvenile.supervision.access import check_supervise, check_view
from shujian.juvenile.supervision.facts import month_units
from shujian.juvenile.supervision.rules import (
    PromptTiming,
    file_names,
    prompt_timing,
    refuse_unfinished,
)
from shujian.models.labels import mask_id_card
from shujian.users.user import User

HEADERS = (
    "序号",
    "姓名",
    "公民身份号码",
    "乡镇（街道）",
    "村（社区）",
    "包保责任人",
    "应走访对象",
    "未走访对象",
)


@dataclass
class UnitPrompt:
    """One unit's prompt: its minors with visits missing in the month (masked), and how many of
    its minors were due."""

    unit: str
    rows: list[dict[str, Any]]
    due: int

    @property
    def missing(self) -> int:
        return len(self.rows)


@dataclass
class Prompts:
    """A month's prompts: the units to prompt (by name), the units whose minors were all visited,
    and the minor-months missing a visit with no unit to prompt."""

    timing: PromptTiming
    units: list[UnitPrompt]
    done_units: list[str]
    unassigned: list[dict[str, Any]]
    due: int
    done: int
    _ids: dict[str, list[str]] = field(default_factory=dict, repr=False)
    """Unit → the numbers it lists (for the audit entry; never shown)."""
    _unassigned_ids: list[str] = field(default_factory=list, repr=False)

    @property
    def month(self) -> Month:
        return self.timing.month

    def unit(self, name: str) -> UnitPrompt:
        for u in self.units:
            if u.unit == name:
                return u
        raise UserError(
            f"{self.month.label} 没有“{name}”需要提示的未成年人（该单位包保的未成年人都已走访，"
            "或没有这个包保单位）。",
            code="no_prompt",
        )


def prepare(register: Register, user: User, month: Month, today: dt.date) -> Prompts:
    """The month's prompts, for a user who may do 督办 (who makes and sends them); refused
    before the month has ended."""
    check_supervise(user, register.juvenile_department)
    return _prepare(register, month, today)


def _prepare(register: Register, month: Month, today: dt.date) -> Prompts:
    timing = prompt_timing(month, today, register.ws.calendar)
    refuse_unfinished(timing)
    rows = month_units(register, [month])
    missing = rows.filter(pl.col("missing") != "")
    due_minors = rows["id_card"].n_unique()
    done = rows.group_by("id_card").agg((pl.col("missing") == "").all().alias("ok"))["ok"].sum()
    units: list[UnitPrompt] = []
    ids: dict[str, list[str]] = {}
    per_unit_due = dict(
        rows.filter(pl.col("unit").is_not_null())
        .group_by("unit")
        .agg(pl.col("id_card").n_unique())
        .iter_rows()
    )
    for (unit,), group in missing.filter(pl.col("unit").is_not_null()).group_by(
        "unit", maintain_order=True
    ):
        listed = group.sort("town", "village", "name", "id_card", nulls_last=True).to_dicts()
        ids[str(unit)] = [r["id_card"] for r in listed]
        units.append(UnitPrompt(str(unit), [_shown(r) for r in listed], per_unit_due[unit]))
    units.sort(key=lambda u: u.unit)
    done_units = sorted(set(per_unit_due) - {u.unit for u in units})
    alone = missing.filter(pl.col("unit").is_null()).to_dicts()
    unassigned = [_shown(r) for r in alone]
    return Prompts(
        timing,
        units,
        done_units,
        unassigned,
        due_minors,
        int(done or 0),
        ids,
        [r["id_card"] for r in alone],
    )


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    required = required_targets(bool(row["has_school"]))
    return {
        "name": row["name"],
        "id_card": mask_id_card(row["id_card"]),
        "town": row["town"],
        "village": row["village"],
        "responsible": row["responsible"],
        "required": "、".join(required),
        "missing": row["missing"],
    }


def overview(register: Register, user: User, month: Month, today: dt.date) -> Prompts:
    """The month's prompts for whoever sees 督办 (院领导 too, who do not make them), the view
    audited: the units, their counts and the names of the minors listed."""
    check_view(user, register.juvenile_department)
    prompts = _prepare(register, month, today)
    label = month.label
    listed = [i for u in prompts.units for i in prompts._ids[u.unit]] + prompts._unassigned_ids
    audit.record_list_view(
        register.store,
        user.name,
        MINOR,
        {
            "monthly_prompt": label,
            "preview": prompts.timing.preview,
            "units": {u.unit: u.missing for u in prompts.units},
        },
        [f"{i}/{label}" for i in listed],
        action="list_visits_due",
    )
    return prompts


def _sheet(
    prompts: Prompts, unit: UnitPrompt, procuratorate: str, department: str
) -> workbook.Sheet:
    month = prompts.month
    timing = prompts.timing
    title = f"一月一提示：{month.first.year}年{month.first.month}月重点未成年人走访未落实名单"
    if timing.preview:
        title += "（预览）"
    provisional = "（暂定：按法定节假日推算）" if timing.provisional else ""
    lines = [
        f"包保单位：{unit.unit}",
        f"提示日期：{timing.day.isoformat()}（{month.next().label} 第一个工作日）{provisional}"
        f"　发出：{procuratorate}{department}",
        f"本单位包保的未成年人中，{month.label} 应每月“四访”（{'、'.join(FOUR_VISITS)}；没有就读学校的不访学校）"
        f"的 {unit.due} 人，有 {unit.missing} 人尚有对象未走访，列于下表。请核实，落实走访帮扶，并及时登记走访记录。",
    ]
    if timing.preview:
        lines.append(
            f"预览：生成于提示日之前，当月走访记录可能尚未报齐；正式提示以 {timing.day.isoformat()} 及以后生成的为准。"
        )
    rows = [
        (
            i,
            r["name"],
            r["id_card"],
            r["town"] or "",
            r["village"] or "",
            r["responsible"] or "",
            r["required"],
            r["missing"],
        )
        for i, r in enumerate(unit.rows, start=1)
    ]
    return workbook.Sheet(
        name="走访未落实名单",
        title=title,
        headers=HEADERS,
        rows=rows,
        lines=lines,
        notes=(
            "公民身份号码已遮蔽。本表发给包保单位落实帮扶工作使用，不得公开、不得转发其他单位。",
        ),
        widths={0: 6, 1: 10, 2: 22, 3: 14, 4: 14, 5: 14, 6: 22, 7: 18},
    )


def _names(prompts: Prompts, units: list[UnitPrompt]) -> dict[str, str]:
    prefix = "预览-" if prompts.timing.preview else ""
    return {k: prefix + v for k, v in file_names(u.unit for u in units).items()}


def _audit_export(
    register: Register, user: User, prompts: Prompts, units: list[UnitPrompt], target: Path
) -> None:
    audit.record_view(
        register.store,
        user.name,
        MINOR,
        None,
        {
            "monthly_prompt": prompts.month.label,
            "preview": prompts.timing.preview,
            "file": str(target),
            "units": [u.unit for u in units],
            "minor_ids": [
                f"{i}/{prompts.month.label}" for u in units for i in prompts._ids[u.unit]
            ],
            "revealed": False,
        },
        action="export",
    )


def _department(register: Register) -> str:
    return register.juvenile_department or JUVENILE_DEPARTMENT


def write_folder(
    register: Register,
    user: User,
    month: Month,
    today: dt.date,
    folder: Path,
    unit: str | None = None,
) -> tuple[Prompts, list[Path]]:
    """One .xlsx per unit to prompt (or only `unit`'s) in `folder`, named after the unit;
    audited as an export."""
    prompts = prepare(register, user, month, today)
    chosen = [prompts.unit(unit)] if unit is not None else prompts.units
    folder.mkdir(parents=True, exist_ok=True)
    names = _names(prompts, chosen)
    procuratorate = register.ws.region.procuratorate_name
    paths = [
        workbook.write(
            folder / names[u.unit], [_sheet(prompts, u, procuratorate, _department(register))]
        )
        for u in chosen
    ]
    _audit_export(register, user, prompts, chosen, folder)
    return prompts, paths


def write_zip(
    register: Register, user: User, month: Month, today: dt.date, path: Path
) -> tuple[Prompts, Path]:
    """Every unit's .xlsx in one .zip at `path`; audited as one export."""
    prompts = prepare(register, user, month, today)
    names = _names(prompts, prompts.units)
    procuratorate = register.ws.region.procuratorate_name
    scratch = path.with_name(path.name + ".parts")
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for u in prompts.units:
                one = workbook.write(
                    scratch / names[u.unit],
                    [_sheet(prompts, u, procuratorate, _department(register))],
                )
                archive.write(one, arcname=names[u.unit])
                one.unlink()
    finally:
        scratch.rmdir()
    _audit_export(register, user, prompts, prompts.units, path)
    return prompts, path


def zip_name(prompts: Prompts) -> str:
    preview = "（预览）" if prompts.timing.preview else ""
    return f"一月一提示-{prompts.month.label}{preview}.zip"


def folder_name(prompts: Prompts) -> str:
    preview = "（预览）" if prompts.timing.preview else ""
    return f"一月一提示-{prompts.month.label}{preview}"
