"""Background wage-arrears cases of the county's labour inspection (人社劳动保障监察).

About thirty employers, each with one case of one to eight workers. Most cases end paid after the
order to pay (已支付, often written 已结清 or 已付清); some are partly paid, or were small and
never paid, with every worker's unpaid remainder under ¥10,000 and never ten workers in one case;
a few have an order whose deadline has not yet passed on the run date, and a few were recorded
so lately that no order has been issued. So `wage.refusal_not_transferred` finds nothing here,
not even with Guizhou's lower standards (¥10,000 for one worker, ¥50,000 for ten or more).

The employers are companies of the business register (credit codes starting 91, 存续); the
workers are adults born 1962–2004, most from the county, some from elsewhere.

Built after the juvenile datasets (see `generate.ARREARS`), so adding them left every earlier
file as it was.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from shujian.demo.county import AS_OF, County, Person, random_working_day

FIRST_DAY = dt.date(2025, 3, 3)
INSPECTION = "青岚县人力资源和社会保障局"

CASE_NUMBER = "青人社监立〔{year}〕{n}号"
ORDER_NUMBER = "青人社监令〔{year}〕{n}号"

PAID_WRITTEN = ("已支付", "已支付", "已结清", "已付清")
"""How the clerks write 已支付 (the dataset declares the synonyms)."""

BUILDER_CREW = 9

SMALL = Decimal(10_000)
"""Every background worker still owed anything is owed less than this."""


def free_employer(county: County, crew: int = 1) -> tuple[str, str]:
    """A company of the register (91, 存续) with no arrears case yet: (name, credit code).

    A crew of `BUILDER_CREW` or more works for a builder (建设工程施工 in its scope) while one
    is free, as the large wage cases of a county mostly do."""
    taken = {r["用人单位统一社会信用代码"] for r in county.rows["wage_arrears"]}
    companies = sorted(
        (e["企业名称"], e["统一社会信用代码"], "建设工程施工" in e["经营范围"])
        for e in county.rows["business_registry"]
        if e["统一社会信用代码"].startswith("91")
        and e["登记状态"] == "存续"
        and e["统一社会信用代码"] not in taken
    )
    builders = [c for c in companies if c[2]] if crew >= BUILDER_CREW else []
    if not companies:
        raise RuntimeError("no company of the register left for a wage-arrears case")
    name, uscc, _builder = county.rng.choice(builders or companies)
    return name, uscc


def next_case_number(county: County, year: int) -> int:
    """The inspection's next case number of `year` (case and order share it)."""
    prefix = f"〔{year}〕"
    return 1 + len(
        {r["监察案件编号"] for r in county.rows["wage_arrears"] if prefix in r["监察案件编号"]}
    )


def worker(county: County) -> Person:
    """An adult worker with an ID number of his or her own."""
    return county.new_person(dt.date(1962, 1, 1), dt.date(2004, 12, 31))


def arrears_row(
    *,
    case_no: str,
    employer: tuple[str, str],
    person: Person,
    months: int,
    amount: Decimal,
    order_no: str | None,
    ordered: dt.date | None,
    pay_by: dt.date | None,
    paid: Decimal | None,
    status: str,
    written: str,
    recorded: dt.date,
    style: str = "plain",
) -> dict[str, Any]:
    """One worker's line of a case; `written` is the 处理状态 as the file writes it."""
    return {
        "监察案件编号": case_no,
        "用人单位": employer[0],
        "用人单位统一社会信用代码": employer[1],
        "劳动者姓名": person.name,
        "公民身份号码": person.id_number,
        "拖欠月数": months,
        "拖欠金额": amount,
        "责令支付文书号": order_no,
        "责令支付日期": ordered,
        "限期支付日期": pay_by,
        "已支付金额": paid,
        "处理状态": status,
        "登记日期": recorded,
        "_written": written,
        "_style": style,
    }


# (kind, weight): paid in full, partly paid (remainder small), small and unpaid after the order
_KINDS = (("paid", 20), ("partial", 4), ("small", 3))


def _background_case(county: County, kind: str, recorded: dt.date) -> None:
    rng = county.rng
    crew = rng.choices((1, 2, 3, 4, 5, 6, 8), (25, 20, 15, 15, 10, 10, 5))[0]
    employer = free_employer(county, crew)
    n = next_case_number(county, recorded.year)
    case_no = CASE_NUMBER.format(year=recorded.year, n=n)
    ordered: dt.date | None = recorded + dt.timedelta(days=rng.randint(5, 20))
    if kind == "no_order":
        ordered = None
    elif kind == "not_due":
        ordered = AS_OF - dt.timedelta(days=rng.randint(1, 8))
    assert ordered is None or ordered <= AS_OF
    pay_by = ordered + dt.timedelta(days=rng.choice((10, 15, 15, 30))) if ordered else None
    order_no = ORDER_NUMBER.format(year=recorded.year, n=n) if ordered else None
    for _ in range(crew):
        months = rng.randint(1, 2) if kind == "small" else rng.randint(1, 6)
        monthly = Decimal(rng.randrange(3_000, 4_900 if kind == "small" else 6_500, 100))
        amount = monthly * months
        paid: Decimal | None = None
        status, written = "未支付", "未支付"
        if kind == "paid":
            paid, status = amount, "已支付"
            written = rng.choice(PAID_WRITTEN)
        elif kind == "partial":
            remainder = min(amount - 500, Decimal(rng.randrange(500, 9_000, 100)))
            paid, status, written = amount - remainder, "部分支付", "部分支付"
        assert kind in ("not_due", "no_order", "paid") or amount - (paid or 0) < SMALL
        county.rows["wage_arrears"].append(
            arrears_row(
                case_no=case_no,
                employer=employer,
                person=worker(county),
                months=months,
                amount=amount,
                order_no=order_no,
                ordered=ordered,
                pay_by=pay_by,
                paid=paid,
                status=status,
                written=written,
                recorded=recorded,
                style=rng.choice(("plain", "plain", "plain", "lower")),
            )
        )


def build_arrears(county: County) -> None:
    """About thirty cases of 2025-03 … 2026-10: none an employer the model should report."""
    rng = county.rng
    early = sorted(
        random_working_day(rng, FIRST_DAY, AS_OF - dt.timedelta(days=60)) for _ in range(26)
    )
    for recorded in early:
        kind = rng.choices([k for k, _ in _KINDS], [w for _, w in _KINDS])[0]
        _background_case(county, kind, recorded)
    late = sorted(
        random_working_day(rng, AS_OF - dt.timedelta(days=25), AS_OF - dt.timedelta(days=9))
        for _ in range(5)
    )
    for kind, recorded in zip(
        ("not_due", "no_order", "not_due", "no_order", "not_due"), late, strict=True
    ):
        _background_case(county, kind, recorded)
