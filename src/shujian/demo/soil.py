"""Background soil-and-water conservation plans and compensation-fee payments.

Most projects of the county had a 水土保持方案 approved by the water bureau before their permit.
The approval fixes the compensation fee by the area of the prevention-responsibility zone; exempt
projects (schools, hospitals, affordable housing) are approved with a fee of nought. Every fee is
paid in full before construction starts (in one sum, occasionally two), by the project's builder
(建设单位), so `soil.fee_unpaid` finds nothing here.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shujian.demo import names
from shujian.demo.county import County, random_working_day

FEE_PER_M2 = Decimal("1.30")
"""Fee per square metre of the responsibility zone used by the demo (provinces set their own)."""

EXEMPT_TYPES = ("学校", "医院", "保障性住房")
"""Background project types that the fee rules exempt (the model's list is longer)."""

_BUILDERS = (
    ("城市建设投资", 3), ("交通建设投资", 1), ("水务投资", 1), ("房地产开发", 5), ("置业", 3),
)  # fmt: skip


def build_developers(county: County) -> None:
    """Builders that pay the fee: the county's investment companies and some developers."""
    rng = county.rng
    for trade, count in _BUILDERS:
        for _ in range(count):
            if trade.endswith("投资"):
                name = f"{names.COUNTY}{trade}有限责任公司"
                if any(n == name for n, _ in county.developers):
                    continue
            else:
                name = names.company_name(rng, trade)
            county.developers.append((name, county.new_uscc("91")))


def builder_for(county: County, project: dict[str, Any]) -> str:
    """Credit code of the builder who pays for `project` (a public company for public works)."""
    kind = project["项目类型"]
    public = {"市政": 0, "交通": 1, "水利": 2}
    if kind in public:
        return county.developers[public[kind]][1]
    key = sum(ord(c) for c in project["项目编号"])
    private = county.developers[3:]
    return private[key % len(private)][1]


def approval_number(county: County, year: int) -> str:
    """The next 批复文号 of `year`: 青水保许〔2025〕12号."""
    count = sum(1 for r in county.rows["soil_plans"] if f"〔{year}〕" in r["批复文号"])
    return f"青水保许〔{year}〕{count + 1}号"


def plan_row(
    county: County, project_no: str, approved: dt.date, area_m2: float, fee: Decimal
) -> dict[str, Any]:
    """One approval line."""
    return {
        "项目编号": project_no,
        "批复文号": approval_number(county, approved.year),
        "批复日期": approved,
        "防治责任范围面积": area_m2,
        "核定补偿费": fee,
    }


def payment_row(
    project_no: str, payer: str, due: Decimal | None, paid: Decimal, day: dt.date
) -> dict[str, Any]:
    """One tax-receipt line."""
    return {
        "项目编号": project_no,
        "缴费单位统一社会信用代码": payer,
        "应缴金额": due,
        "实缴金额": paid,
        "缴费日期": day,
    }


def fee_for(area_m2: float) -> Decimal:
    """核定补偿费 for a responsibility zone of `area_m2`."""
    return (Decimal(str(area_m2)) * FEE_PER_M2).quantize(Decimal("0.01"), ROUND_HALF_UP)


def build_soil(county: County) -> None:
    """Plans for about 70 % of the projects, approved before the permit; fees paid in full."""
    rng = county.rng
    for project in list(county.rows["construction_projects"]):
        if rng.random() < 0.3:
            continue
        permit: dt.date = project["施工许可日期"]
        approved = random_working_day(
            rng, permit - dt.timedelta(days=150), permit - dt.timedelta(days=30)
        )
        area = round(project["占地面积"] * rng.uniform(1.1, 1.4), -1)
        exempt = project["项目类型"] in EXEMPT_TYPES
        fee = Decimal("0.00") if exempt else fee_for(area)
        county.rows["soil_plans"].append(plan_row(county, project["项目编号"], approved, area, fee))
        if exempt:
            continue
        payer = builder_for(county, project)
        paid_on = random_working_day(rng, approved + dt.timedelta(days=5), permit)
        if rng.random() < 0.15:
            first = (fee * Decimal("0.6")).quantize(Decimal("0.01"))
            second_day = random_working_day(rng, paid_on, permit + dt.timedelta(days=2))
            county.rows["soil_fee_payments"].append(
                payment_row(project["项目编号"], payer, fee, first, paid_on)
            )
            county.rows["soil_fee_payments"].append(
                payment_row(project["项目编号"], payer, fee, fee - first, second_day)
            )
        else:
            county.rows["soil_fee_payments"].append(
                payment_row(project["项目编号"], payer, fee, fee, paid_on)
            )
