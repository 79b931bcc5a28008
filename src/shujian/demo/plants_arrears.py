"""Planted cases of `wage.refusal_not_transferred`: arrears after an order to pay, not transferred.

Each case is one labour-inspection case of an employer of its own (a company of the register no
other arrears case uses). The rule followed is the model's page (docs/models/
wage.refusal_not_transferred.md) with default parameters: an order to pay whose deadline is
before the run date, and still unpaid either one worker owed three months or more and at least
¥20,000, or ten workers or more owed at least ¥100,000 together; no transfer of the order on the
衔接平台 by the run date, and no 已移送公安 in the file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from shujian.demo.arrears import (
    CASE_NUMBER,
    ORDER_NUMBER,
    arrears_row,
    free_employer,
    next_case_number,
    worker,
)
from shujian.demo.county import AS_OF, County
from shujian.demo.manifest import Plant
from shujian.demo.penalties import transfer_row

D = dt.date

MIN_MONTHS = 3
SINGLE_THRESHOLD = Decimal(20_000)
MIN_WORKERS = 10
TOTAL_THRESHOLD = Decimal(100_000)

STATUS = {"未付": "未支付", "已移送公安机关": "已移送公安", "已结清": "已支付"}
"""Statuses as the file writes them → the dataset's values (others are written as they are)."""

Worker = tuple[int, str, str | None, str]
"""(拖欠月数, 拖欠金额, 已支付金额 or None, 处理状态 as written)."""


def _crew(
    months: int, amounts: tuple[int, ...], written: tuple[str, ...] = ("未支付",)
) -> tuple[Worker, ...]:
    """Workers each owed `months` months, the amounts given, statuses written in turn."""
    return tuple((months, str(a), None, written[i % len(written)]) for i, a in enumerate(amounts))


@dataclass(frozen=True)
class RefusalCase:
    """One case: recorded on `recorded`, ordered `order_after` days later, `pay_days` to pay.

    `transferred_after` is days after the deadline the 衔接平台 records the order's transfer
    (None: never), with the order number's 〔〕 written [] as the platform's clerk typed it.
    `standard` is the standard a lead meets (单人, 合计), as the lead's evidence states it.
    """

    workers: tuple[Worker, ...]
    recorded: dt.date
    order_after: int
    pay_days: int
    transferred_after: int | None
    lead: bool
    standard: str | None
    description: str


WAGE_REFUSAL = (
    RefusalCase(((5, "26500", None, "未支付"), (2, "8600", "8600", "已支付"),
                 (1, "4300", "4300", "已结清")),
                D(2026, 6, 8), 10, 15, None, True, "单人",
                "一名劳动者拖欠5个月工资26,500元，限期届满未付（同案另两名劳动者已付清），"
                "达到单人二万元标准，未移送"),
    RefusalCase(_crew(2, (9600, 9200, 9800, 8800, 9400, 9000, 9600, 9200, 9800, 9000, 9400, 10600),
                      ("未支付", "未付")),
                D(2026, 7, 20), 7, 15, None, True, "合计",
                "12名劳动者各拖欠2个月工资，合计113,400元，限期届满未付，达到十人十万元合计标准，未移送"),
    RefusalCase(((3, "28000", "8000", "部分支付"),),
                D(2026, 8, 3), 8, 10, None, True, "单人",
                "一名劳动者拖欠3个月工资28,000元，已付8,000元，未付恰为20,000元（达到即够标准），未移送"),
    RefusalCase(((4, "27980", "8000", "部分支付"),),
                D(2026, 5, 18), 9, 15, None, False, None,
                "一名劳动者拖欠4个月，未付19,980元，比单人二万元标准少20元"),
    RefusalCase(_crew(2, (9400, 8800, 9200, 9600, 9000, 8600, 9400, 9200, 8800, 9150, 8800)),
                D(2026, 6, 22), 8, 15, None, False, None,
                "11名劳动者合计未付99,950元，比十万元合计标准少50元"),
    RefusalCase(((2, "24000", None, "未支付"),),
                D(2026, 4, 13), 10, 15, None, False, None,
                "一名劳动者未付24,000元，但只拖欠2个月，不足三个月"),
    RefusalCase(_crew(2, (12000,) * 9),
                D(2026, 7, 6), 9, 15, None, False, None,
                "9名劳动者合计未付108,000元，但不足十人，且各人只拖欠2个月"),
    RefusalCase(((5, "32500", None, "未支付"),),
                D(2026, 9, 21), 14, 15, None, False, None,
                "一名劳动者拖欠5个月32,500元，但限期支付日期恰为运行日期，限期尚未届满"),
    RefusalCase(((6, "38400", None, "未支付"),),
                D(2026, 5, 11), 7, 15, 12, False, None,
                "一名劳动者拖欠6个月38,400元，限期届满未付，但已于{transferred}移送公安机关"
                "（衔接平台把文号中的〔〕写成了[]，处理状态仍为未支付）"),
    RefusalCase(_crew(3, (11200, 9800, 10400, 10600, 9600, 10200, 11000, 10800, 9400, 10600,
                          11800, 10600), ("已移送公安机关",)),
                D(2026, 3, 16), 10, 15, None, False, None,
                "12名劳动者合计拖欠126,000元，处理状态为“已移送公安机关”（线下移送，衔接平台无记录）"),
)  # fmt: skip
"""wage.refusal_not_transferred: three leads (单人, 合计, exactly ¥20,000 unpaid) and a near miss
just on the lawful side of each condition."""


def _yuan(amount: Decimal) -> str:
    return f"{amount:.2f}"


def plant_wage_refusal(county: County) -> None:
    """Plant `WAGE_REFUSAL`."""
    for case in WAGE_REFUSAL:
        employer = free_employer(county, len(case.workers))
        n = next_case_number(county, case.recorded.year)
        case_no = CASE_NUMBER.format(year=case.recorded.year, n=n)
        order_no = ORDER_NUMBER.format(year=case.recorded.year, n=n)
        ordered = case.recorded + dt.timedelta(days=case.order_after)
        pay_by = ordered + dt.timedelta(days=case.pay_days)
        unpaid: list[tuple[str, int, Decimal]] = []
        for i, (months, amount, paid, written) in enumerate(case.workers):
            person = worker(county)
            owed = Decimal(amount) - Decimal(paid or 0)
            status = STATUS.get(written, written)
            if status not in ("已支付", "已移送公安") and owed > 0:
                unpaid.append((person.name, months, owed))
            county.rows["wage_arrears"].append(
                arrears_row(
                    case_no=case_no,
                    employer=employer,
                    person=person,
                    months=months,
                    amount=Decimal(amount),
                    order_no=order_no,
                    ordered=ordered,
                    pay_by=pay_by,
                    paid=Decimal(paid) if paid is not None else None,
                    status=status,
                    written=written,
                    recorded=case.recorded,
                    style="lower" if i % 5 == 3 else "plain",
                )
            )
        transferred = None
        if case.transferred_after is not None:
            transferred = pay_by + dt.timedelta(days=case.transferred_after)
            assert transferred <= AS_OF
            written_no = order_no.replace("〔", "[").replace("〕", "]")
            county.rows["case_transfers"].append(transfer_row(written_no, transferred))
        total = sum((owed for _, _, owed in unpaid), Decimal(0))
        qualifying = [
            f"{name}（{months}个月，{_yuan(owed)}元）"
            for name, months, owed in unpaid
            if months >= MIN_MONTHS and owed >= SINGLE_THRESHOLD
        ]
        figures = {
            "employer": employer[0],
            "case_no": case_no,
            "order_no": order_no,
            "ordered_on": ordered.isoformat(),
            "pay_by": pay_by.isoformat(),
            "workers_unpaid": len(unpaid),
            "total_unpaid_yuan": _yuan(total),
            "qualifying_workers": qualifying,
            "standard_met": case.standard,
            "single_threshold_yuan": _yuan(SINGLE_THRESHOLD),
            "total_threshold_yuan": _yuan(TOTAL_THRESHOLD),
            "transferred_on": transferred.isoformat() if transferred else None,
        }
        text = f"{employer[0]}（{order_no}，限期{pay_by.isoformat()}）：" + case.description.format(
            transferred=transferred
        )
        county.plants.append(
            Plant("wage.refusal_not_transferred", employer[1], case.lead, text, figures)
        )
