"""一月一暗访: each month, a random sample of the assigned minors for unannounced checks, and
what each check found.

The population of a month is the minors on the register on its first day with an assignment
covering that day; it is split into strata (by town by default, or by unit: `declarations.yaml`)
and from each stratum `percent` (rounded up, at least `minimum`) is drawn by the lowest scores
of `rules.spot_score` — an HMAC under this workspace's secret (`spot-check.key`, made once, 0600)
over the month and the number. So the draw is reproducible (the same data and secret give the
same sample: `reproduced` says whether they still do) and no helping unit, which does not have
the secret, can tell which of its minors will be checked.

A month is drawn once, by a user who may do 督办, from its first day on: the sample is stored
(`spot_checks`, never changed) so that a later import does not move it under the checks already
made. Each check's result — visited as reported, not visited, could not be checked — is appended
to `spot_check_results` (the newest stands, the earlier stay as history). Drawing and recording
are audited changes; the list and its .xlsx are audited views.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import IntegrityError

from shujian import audit, keyfile
from shujian.errors import UserError
from shujian.juvenile.register import Month
from shujian.juvenile.service import Register
from shujian.juvenile.supervision import workbook
from shujian.juvenile.supervision.access import check_supervise, check_view
from shujian.juvenile.supervision.facts import assigned_on
from shujian.juvenile.supervision.rules import declarations, draw_sample
from shujian.juvenile.supervision.store import spot_check_results, spot_checks
from shujian.models.labels import mask_id_card
from shujian.store import now
from shujian.users.access import require
from shujian.users.user import User

KEY_FILE = "spot-check.key"
SPOT_CHECK = "spot_check"
"""The object type of a sample and its checks in the audit log."""

NO_TOWN = "（未填乡镇）"
BY_LABELS = {"town": "乡镇（街道）", "unit": "包保单位"}

RESULT_WORDS = {
    "属实": "as_reported",
    "走访属实": "as_reported",
    "不实": "not_visited",
    "未走访": "not_visited",
    "走访不实": "not_visited",
    "无法核实": "unreachable",
    "无法联系": "unreachable",
    "未见到": "unreachable",
}
"""Short ways of typing a result (the codes and the declared labels are accepted too)."""


def secret(register: Register) -> str:
    """The workspace's sampling secret (made once, readable by its owner only)."""
    return keyfile.secret(register.ws.root / KEY_FILE, lambda: secrets.token_hex(32))


def result_code(text: str) -> str:
    """A result as typed (code, label or a short word) → its code; refused in Chinese else."""
    labels = declarations().spot_check.results
    text = (text or "").strip()
    if text in labels:
        return text
    for code, label in labels.items():
        if text == label:
            return code
    if text in RESULT_WORDS:
        return RESULT_WORDS[text]
    listed = "、".join(labels.values())
    raise UserError(f"核查结果“{text}”不可识别，应为：{listed}。", code="bad_result")


def population(register: Register, month: Month, by: str) -> dict[str, dict[str, Any]]:
    """Number → town, units and stratum, for the minors on the register on the month's first day
    with an assignment covering it."""
    rows = assigned_on(register, month.first).filter(pl.col("unit").is_not_null())
    out: dict[str, dict[str, Any]] = {}
    for r in rows.sort("id_card", "unit").iter_rows(named=True):
        entry = out.setdefault(r["id_card"], {"town": r["town"], "units": []})
        entry["units"].append(r["unit"])
    for entry in out.values():
        entry["stratum"] = (entry["town"] or NO_TOWN) if by == "town" else entry["units"][0]
    return out


@dataclass
class Drawn:
    month: Month
    population: int
    strata: dict[str, tuple[int, int]]
    """Stratum → (minors in it, drawn)."""

    @property
    def drawn(self) -> int:
        return sum(n for _, n in self.strata.values())


def draw(
    register: Register,
    user: User,
    month: Month,
    today: dt.date,
    *,
    percent: float | None = None,
    minimum: int | None = None,
) -> Drawn:
    """Draw the month's sample and keep it; refused before the month's first day and for a month
    already drawn (a sample is drawn once: no one picks the draw they like)."""
    check_supervise(user, register.juvenile_department)
    rule = declarations().spot_check
    percent = rule.percent if percent is None else percent
    minimum = rule.minimum if minimum is None else minimum
    if month.first > today:
        raise UserError(
            f"{month.label} 尚未开始：当月的暗访样本从 {month.first.isoformat()} 起抽取。",
            code="month_not_started",
        )
    people = population(register, month, rule.by)
    if not people:
        raise UserError(
            f"{month.first.isoformat()} 没有在册且落实包保的未成年人，无从抽取。",
            code="empty_population",
        )
    chosen = draw_sample(
        {i: p["stratum"] for i, p in people.items()}, secret(register), month, percent, minimum
    )
    sizes: dict[str, tuple[int, int]] = {}
    for i in people:
        stratum = people[i]["stratum"]
        total, _ = sizes.get(stratum, (0, 0))
        sizes[stratum] = (total + 1, len(chosen.get(stratum, [])))
    try:
        _keep(register, user, month, people, chosen, sizes, percent, minimum, rule.by)
    except IntegrityError:  # drawn by someone else a moment ago (the unique month + number)
        raise _already_drawn(month) from None
    return Drawn(month, len(people), sizes)


def _already_drawn(month: Month) -> UserError:
    return UserError(f"{month.label} 的暗访样本已经抽取，不能重新抽取。", code="already_drawn")


def _keep(
    register: Register,
    user: User,
    month: Month,
    people: dict[str, dict[str, Any]],
    chosen: dict[str, list[str]],
    sizes: dict[str, tuple[int, int]],
    percent: float,
    minimum: int,
    by: str,
) -> None:
    """Store the drawn minors and audit the draw, in one transaction."""
    stamp = now()
    with register.store.begin() as conn:
        if _drawn_count(conn, month):
            raise _already_drawn(month)
        conn.execute(
            insert(spot_checks),
            [
                {
                    "month": month.label,
                    "id_card": i,
                    "stratum": stratum,
                    "town": people[i]["town"],
                    "units": people[i]["units"],
                    "percent": percent,
                    "minimum": minimum,
                    "by": by,
                    "drawn_at": stamp,
                    "drawn_by": user.name,
                }
                for stratum, ids in chosen.items()
                for i in ids
            ],
        )
        audit.record(
            conn,
            user.name,
            "draw_spot_checks",
            SPOT_CHECK,
            month.label,
            {
                "percent": percent,
                "minimum": minimum,
                "by": by,
                "population": len(people),
                "strata": {s: list(v) for s, v in sizes.items()},
                "minor_ids": [i for ids in chosen.values() for i in ids],
            },
        )


def _drawn_count(conn: Connection, month: Month) -> int:
    return int(
        conn.execute(
            select(func.count()).select_from(spot_checks).where(spot_checks.c.month == month.label)
        ).scalar_one()
    )


def _latest_results(conn: Connection, month: Month | None = None) -> dict[int, dict[str, Any]]:
    """Check id → its newest result (of one month's checks, or of all)."""
    r = spot_check_results.c
    newest = select(r.check_id, func.max(r.id).label("id")).group_by(r.check_id)
    if month is not None:
        newest = newest.select_from(
            spot_check_results.join(spot_checks, spot_checks.c.id == r.check_id)
        ).where(spot_checks.c.month == month.label)
    chosen = newest.subquery()
    rows = conn.execute(
        select(spot_check_results).join(chosen, spot_check_results.c.id == chosen.c.id)
    )
    return {row.check_id: dict(row._mapping) for row in rows}


def _rows(register: Register, month: Month) -> list[dict[str, Any]]:
    """The month's drawn minors with their newest result (numbers not yet masked)."""
    with register.store.connect() as conn:
        rows = [
            dict(r._mapping)
            for r in conn.execute(
                select(spot_checks)
                .where(spot_checks.c.month == month.label)
                .order_by(spot_checks.c.stratum, spot_checks.c.id)
            )
        ]
        latest = _latest_results(conn, month)
    labels = declarations().spot_check.results
    registry = register.registry_rows()
    found = (
        registry.filter(pl.col("id_card").is_in([r["id_card"] for r in rows]))
        .sort("identified_on")
        .unique("id_card", keep="first")
    )
    places = {r["id_card"]: r for r in found.iter_rows(named=True)}
    for r in rows:
        place = places.get(r["id_card"], {})
        r["name"] = place.get("name", "")
        r["village"] = place.get("village")
        result = latest.get(r["id"])
        r["result"] = result
        r["result_label"] = labels.get(result["result"], "") if result else ""
    return rows


@dataclass
class Sample:
    month: Month
    rows: list[dict[str, Any]]
    percent: float | None
    minimum: int | None
    by: str | None
    drawn_at: dt.datetime | None
    drawn_by: str | None
    reproduced: bool | None
    """Whether drawing again from today's data gives the same sample (None: not drawn)."""

    @property
    def drawn(self) -> bool:
        return bool(self.rows)

    @property
    def checked(self) -> int:
        return sum(1 for r in self.rows if r["result"])

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.rows:
            if r["result"]:
                out[r["result"]["result"]] = out.get(r["result"]["result"], 0) + 1
        return out


def reproduce(register: Register, month: Month, percent: float, minimum: int, by: str) -> set[str]:
    """The numbers a draw with these parameters would take from today's data."""
    people = population(register, month, by)
    chosen = draw_sample(
        {i: p["stratum"] for i, p in people.items()}, secret(register), month, percent, minimum
    )
    return {i for ids in chosen.values() for i in ids}


def sample(register: Register, user: User, month: Month) -> Sample:
    """The month's sample with each check's result, numbers masked; audited as a list view."""
    check_view(user, register.juvenile_department)
    rows = _rows(register, month)
    first = rows[0] if rows else None
    reproduced = None
    if first is not None:
        again = reproduce(register, month, first["percent"], first["minimum"], first["by"])
        reproduced = again == {r["id_card"] for r in rows}
    audit.record_list_view(
        register.store,
        user.name,
        SPOT_CHECK,
        {"month": month.label},
        [r["id_card"] for r in rows],
    )
    for r in rows:
        r["ref"] = register.ref(r["id_card"])
        r["id_card"] = mask_id_card(r["id_card"])
    return Sample(
        month,
        rows,
        first["percent"] if first else None,
        first["minimum"] if first else None,
        first["by"] if first else None,
        first["drawn_at"] if first else None,
        first["drawn_by"] if first else None,
        reproduced,
    )


def record_result(
    register: Register,
    user: User,
    check_id: int,
    today: dt.date,
    *,
    result: str,
    checked_on: dt.date,
    note: str = "",
) -> None:
    """Record what an unannounced check found (a later record replaces it, the earlier stays in
    the history); audited."""
    check_supervise(user, register.juvenile_department)
    code = result_code(result)
    note = (note or "").strip()
    limit = declarations().text_limit
    if len(note) > limit:
        raise UserError(f"核查说明最多 {limit} 字，现有 {len(note)} 字。", code="text_too_long")
    if code != "as_reported" and not note:
        raise UserError("走访不实或无法核实的，请写明核查情况。", code="text_required")
    with register.store.begin() as conn:
        row = conn.execute(select(spot_checks).where(spot_checks.c.id == check_id)).first()
        if row is None:
            raise UserError(f"找不到暗访核查 {check_id}。", code="not_found")
        month = Month.parse(row.month)
        if checked_on > today:
            raise UserError(
                f"核查日期 {checked_on.isoformat()} 晚于今天（{today.isoformat()}）。",
                code="date_in_future",
            )
        if checked_on < month.first:
            raise UserError(
                f"核查日期 {checked_on.isoformat()} 早于样本所属月份（{month.label}）。",
                code="date_too_early",
            )
        conn.execute(
            insert(spot_check_results).values(
                check_id=check_id,
                at=now(),
                checked_on=checked_on,
                result=code,
                note=note,
                actor=user.name,
            )
        )
        audit.record(
            conn,
            user.name,
            "record_spot_check",
            SPOT_CHECK,
            check_id,
            {
                "month": row.month,
                "id_card": row.id_card,
                "result": code,
                "checked_on": checked_on.isoformat(),
                "note": note,
            },
        )


HEADERS = (
    "序号",
    "分组",
    "姓名",
    "公民身份号码",
    "乡镇（街道）",
    "村（社区）",
    "包保单位",
    "核查结果",
    "核查日期",
    "核查人",
    "核查情况",
)


def write_xlsx(register: Register, user: User, month: Month, path: Path) -> tuple[Sample, Path]:
    """The month's sample and results as .xlsx (numbers masked); audited as an export."""
    check_view(user, register.juvenile_department)
    require(user, "export")
    rows = _rows(register, month)
    if not rows:
        raise UserError(f"{month.label} 的暗访样本尚未抽取。", code="not_drawn")
    listed = [r["id_card"] for r in rows]
    first = rows[0]
    by = BY_LABELS.get(first["by"], first["by"])
    table = [
        (
            i,
            r["stratum"],
            r["name"],
            mask_id_card(r["id_card"]),
            r["town"] or "",
            r["village"] or "",
            "、".join(r["units"]),
            r["result_label"] or "未核查",
            r["result"]["checked_on"].isoformat() if r["result"] else "",
            r["result"]["actor"] if r["result"] else "",
            r["result"]["note"] if r["result"] else "",
        )
        for i, r in enumerate(rows, start=1)
    ]
    sheet = workbook.Sheet(
        name="暗访样本",
        title=f"一月一暗访：{month.first.year}年{month.first.month}月抽查名单及核查结果",
        headers=HEADERS,
        rows=table,
        lines=(
            f"{register.ws.region.procuratorate_name}　抽取：{first['drawn_by']}"
            f"　按{by}分组，各抽 {first['percent']:g}%（向上取整，每组至少 {first['minimum']} 人）",
            f"样本 {len(rows)} 人，已核查 {sum(1 for r in rows if r['result'])} 人。",
        ),
        notes=("公民身份号码已遮蔽。暗访名单仅供本院使用，不得向包保单位透露。",),
        widths={0: 6, 1: 14, 2: 10, 3: 22, 4: 14, 5: 14, 6: 18, 7: 18, 8: 12, 9: 10, 10: 40},
    )
    workbook.write(path, [sheet])
    audit.record_view(
        register.store,
        user.name,
        SPOT_CHECK,
        month.label,
        {"file": str(path), "minor_ids": listed, "revealed": False},
        action="export",
    )
    return sample_from(rows, month), path


def sample_from(rows: list[dict[str, Any]], month: Month) -> Sample:
    first = rows[0]
    return Sample(
        month,
        rows,
        first["percent"],
        first["minimum"],
        first["by"],
        first["drawn_at"],
        first["drawn_by"],
        None,
    )


def all_checks(register: Register) -> list[dict[str, Any]]:
    """Every drawn minor with the newest result (unscoped, unaudited: for the quarterly
    figures)."""
    with register.store.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(spot_checks))]
        latest = _latest_results(conn)
    for r in rows:
        r["result"] = latest.get(r["id"])
    return rows
