"""成效: what a case achieved — money recovered or paid, people reached, businesses rectified.

Outcomes are facts recorded on a case by the prosecutor (the source reports count "¥1.9 M of fees
recovered" and "¥4 M paid to 136 workers"); statistics sum them. Rows are appended, never edited:
a correction is a further entry (a negative amount) with its note, so the record reads forwards.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import Engine, insert, select

from shujian import audit
from shujian.beijing import today_in_china
from shujian.cases import policy
from shujian.cases.categories import declarations
from shujian.cases.service import visible_case
from shujian.cases.store import case_outcomes
from shujian.cases.workflow import load_workflow
from shujian.data.fields.money import MoneyYuanField
from shujian.errors import UserError
from shujian.store import now
from shujian.users.access import require
from shujian.users.user import User


def parse_amount(text: str) -> Decimal:
    """An amount as a prosecutor writes it (1900000, 190万, 190万元, ¥1,900,000.00), in yuan.

    Uses the import's money field type, so the command line and agency files read amounts alike.
    """
    negative = text.strip().startswith("-")
    parsed = MoneyYuanField().parse(pl.Series([text.strip().lstrip("-")], dtype=pl.Utf8))
    if parsed.error[0] is not None or parsed.value[0] is None:
        raise UserError(f"金额“{text}”无法识别：{parsed.error[0] or '请填写数字，例如 190万元'}")
    value = Decimal(str(parsed.value[0]))
    return -value if negative else value


def record_outcome(
    store: Engine,
    case_id: int,
    kind: str,
    user: User,
    on_date: dt.date,
    *,
    amount: Decimal | None = None,
    people: int | None = None,
    count: int | None = None,
    note: str = "",
) -> int:
    """Append one outcome to a case; returns its id. Money kinds need an amount.

    An outcome is something achieved, so `on_date` may not be after today. The case must be in
    the user's scope."""
    require(user, "act_on_case")
    spec = declarations().outcome(kind)
    policy.check_not_future(on_date, today_in_china(), "成效日期")
    if spec.money and amount is None:
        raise UserError(f"“{spec.label}”必须填写金额（元）。")
    if not spec.money and amount is not None:
        raise UserError(f"“{spec.label}”不登记金额。")
    if people is not None and (not spec.people or people < 0):
        raise UserError(f"“{spec.label}”不登记人数，或人数不能为负。")
    if count is not None and count < 0:
        raise UserError("数量不能为负。")
    if spec.id == "other" and not note.strip():
        raise UserError("“其他成效”必须写明说明。")
    with store.begin() as conn:
        case = visible_case(conn, case_id, user)
        workflow = load_workflow(case.case_kind)
        if not workflow.records_outcomes:
            raise UserError(
                f"{workflow.kind_label}案件不登记成效：其结果在办案步骤中记录。",
                code="no_outcomes",
            )
        outcome_id = conn.execute(
            insert(case_outcomes)
            .values(
                case_id=case_id,
                kind=spec.id,
                amount_yuan=amount,
                people=people,
                count=count,
                note=note.strip(),
                on_date=on_date,
                actor=user.name,
                at=now(),
            )
            .returning(case_outcomes.c.id)
        ).scalar_one()
        audit.record(
            conn,
            user.name,
            "record_outcome",
            "case",
            case_id,
            {
                "kind": spec.id,
                "amount_yuan": None if amount is None else str(amount),
                "people": people,
                "count": count,
                "note": note.strip(),
                "on_date": on_date.isoformat(),
            },
        )
    return int(outcome_id)


def outcomes_of(store: Engine, case_id: int) -> list[dict[str, Any]]:
    decl = declarations()
    with store.connect() as conn:
        rows = [
            dict(r._mapping)
            for r in conn.execute(
                select(case_outcomes)
                .where(case_outcomes.c.case_id == case_id)
                .order_by(case_outcomes.c.id)
            )
        ]
    for r in rows:
        r["kind_label"] = decl.outcomes[r["kind"]].label
    return rows
