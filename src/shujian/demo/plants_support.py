"""Planted cases of `wage.support_prosecution`: workers still unpaid 30 days after the deadline of
the order to pay, a lead for 支持起诉.

The rule followed is the model's page (docs/models/wage.support_prosecution.md) with its default
(`unpaid_days` 30): an employer with a worker whose 限期支付日期 plus 30 days is before the run
date, still owed something (拖欠金额 − 已支付金额 > 0) and not 已支付 — 已移送公安 included.

Three employers are planted for it, with three near misses just on the other side (the 30th day
falls on the run date itself; paid in full while the status still says 部分支付; 已结清 with no
amount written). The county's other arrears are not made up for this model: every employer of the
background and of `wage.refusal_not_transferred`'s plants whose workers are still unpaid so long
after the order *is* a 支持起诉 lead, and is listed as one (`_listed`), each with what decides it.
Planted after every other arrears case, so the earlier files and plants stay as they were.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

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

MODEL = "wage.support_prosecution"
UNPAID_DAYS = 30

Worker = tuple[int, str, str | None, str, str]
"""(拖欠月数, 拖欠金额, 已支付金额 or None, 处理状态, 处理状态 as written)."""


@dataclass(frozen=True)
class SupportCase:
    workers: tuple[Worker, ...]
    pay_by_days_before: int
    """How many days before the run date the order's deadline was."""
    lead: bool
    description: str


SUPPORT = (
    SupportCase(((2, "9600", None, "未支付", "未支付"), (2, "8800", None, "未支付", "未付"),
                 (1, "4300", None, "未支付", "未支付")),
                UNPAID_DAYS + 1, True,
                "三名劳动者限期届满后第31日仍未支付（期满加三十日早于运行日一天）"),
    SupportCase(((3, "12600", "5000", "部分支付", "部分支付"), (2, "8000", "8000", "已支付", "已结清")),
                75, True,
                "一名劳动者已付5,000元仍欠7,600元，限期届满两个多月（同案另一人已结清，不列入）"),
    SupportCase(((4, "16800", None, "已移送公安", "已移送公安机关"), (4, "15600", None, "已移送公安", "已移送公安机关")),
                120, True,
                "两名劳动者的欠薪已移送公安机关，工资至今未付：刑事追究不代替追索报酬，仍是支持起诉线索"),
    SupportCase(((2, "9000", None, "未支付", "未支付"),),
                UNPAID_DAYS, False,
                "限期届满后第30日恰为运行日，尚未“逾期三十日以上”"),
    SupportCase(((3, "13500", "13500", "部分支付", "部分支付"),),
                90, False,
                "已支付金额等于拖欠金额（处理状态仍写“部分支付”），已无欠薪"),
    SupportCase(((2, "7200", None, "已支付", "已结清"),),
                90, False,
                "处理状态为“已结清”（未填已支付金额），不再拖欠"),
)  # fmt: skip
"""wage.support_prosecution: three leads and three near misses, one on each side of each condition."""


def _yuan(amount: Decimal) -> str:
    return f"{amount:.2f}"


def plant_wage_support(county: County) -> None:
    """Plant `SUPPORT`, then list every other employer the rule selects (see the docstring)."""
    planted: set[str] = set()
    for case in SUPPORT:
        employer = free_employer(county, len(case.workers))
        pay_by = AS_OF - dt.timedelta(days=case.pay_by_days_before)
        ordered = pay_by - dt.timedelta(days=15)
        recorded = ordered - dt.timedelta(days=10)
        n = next_case_number(county, recorded.year)
        order_no = ORDER_NUMBER.format(year=recorded.year, n=n)
        unpaid = []
        for i, (months, amount, paid, status, written) in enumerate(case.workers):
            person = worker(county)
            county.rows["wage_arrears"].append(
                arrears_row(
                    case_no=CASE_NUMBER.format(year=recorded.year, n=n),
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
                    recorded=recorded,
                    style="lower" if i == 1 else "plain",
                )
            )
            owed = Decimal(amount) - Decimal(paid or 0)
            if status != "已支付" and owed > 0:
                unpaid.append((person.name, owed))
        planted.add(employer[1])
        county.plants.append(
            Plant(
                MODEL,
                employer[1],
                case.lead,
                f"{employer[0]}（{order_no}，限期{pay_by.isoformat()}）：{case.description}",
                _figures(employer[0], order_no, pay_by, unpaid),
            )
        )
    for uscc, (name, orders, pay_by, unpaid) in sorted(_selected(county).items()):
        if uscc in planted:
            continue
        county.plants.append(
            Plant(
                MODEL,
                uscc,
                True,
                f"{name}（{'、'.join(orders)}，限期{pay_by.isoformat()}）："
                f"{len(unpaid)}名劳动者限期届满三十日后仍未支付（县里的其他欠薪案件，同为支持起诉线索）",
                _figures(name, "、".join(orders), pay_by, unpaid),
            )
        )


def _figures(
    employer: str, order_no: str, pay_by: dt.date, unpaid: list[tuple[str, Decimal]]
) -> dict[str, Any]:
    return {
        "employer": employer,
        "order_no": order_no,
        "pay_by": pay_by.isoformat(),
        "unpaid_days": UNPAID_DAYS,
        "workers_unpaid": len(unpaid),
        "total_unpaid_yuan": _yuan(sum((o for _, o in unpaid), Decimal(0))),
        "unpaid_workers": [f"{n}（{_yuan(o)}元）" for n, o in unpaid],
    }


def _selected(
    county: County,
) -> dict[str, tuple[str, list[str], dt.date, list[tuple[str, Decimal]]]]:
    """Employer → (name, order numbers, first deadline, unpaid workers) by the page's rule."""
    out: dict[str, Any] = {}
    by_worker: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for r in county.rows["wage_arrears"]:
        pay_by, ordered = r["限期支付日期"], r["责令支付日期"]
        owed = r["拖欠金额"] - (r["已支付金额"] or Decimal(0))
        if (
            not r["责令支付文书号"]
            or pay_by is None
            or ordered is None
            or ordered > AS_OF
            or pay_by + dt.timedelta(days=UNPAID_DAYS) >= AS_OF
            or r["处理状态"] == "已支付"
            or owed <= 0
        ):
            continue
        uscc = r["用人单位统一社会信用代码"]
        name, orders, first, _ = out.get(uscc, (r["用人单位"], [], pay_by, []))
        if r["责令支付文书号"] not in orders:
            orders.append(r["责令支付文书号"])
        out[uscc] = (name, orders, min(first, pay_by), [])
        by_worker[(uscc, r["劳动者姓名"])] += owed
    for (uscc, name), owed in by_worker.items():
        out[uscc][3].append((name, owed))
    return out
