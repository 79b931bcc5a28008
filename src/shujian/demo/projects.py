"""Background building projects and wage deposits: every deposit due is paid, and in full.

Projects of ¥3 M or more deposit 1.2–3 % of the contract within 20 working days of the permit;
a few smaller, exempt projects deposit nothing.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import ROUND_CEILING, Decimal
from typing import Any

from shujian.calendar import add_working_days
from shujian.demo import names
from shujian.demo.county import AS_OF, REGION_CODE, County, random_working_day

_PROJECT_KINDS: tuple[tuple[str, str, int], ...] = (
    ("{school}教学综合楼建设项目", "学校", 8),
    ("{town}卫生院业务用房建设项目", "医院", 4),
    ("{county}人民医院住院综合楼建设项目", "医院", 1),
    ("{town}棚户区改造安置房建设项目（{k}期）", "保障性住房", 8),
    ("{town}{street}改造提升工程", "市政", 10),
    ("S{road}线{county}段改扩建工程", "交通", 4),
    ("{town}供水管网改造工程", "水利", 5),
    ("{word}{estate}住宅小区（{k}期）", "房屋建筑", 14),
    ("{county}{word}物流园仓储用房", "其他", 4),
)
_ESTATES = ("花园", "华府", "名苑", "锦城", "御景", "新城")


def _project_name(rng: random.Random, county: County, template: str) -> str:
    town = rng.choice(names.TOWNS)
    return template.format(
        school=rng.choice(county.schools).name,
        town=town.name,
        county=names.COUNTY,
        street=rng.choice(town.streets),
        k=rng.choice("一二三"),
        road=rng.randint(200, 320),
        word=rng.choice("鸿盛锦泰宏福瑞") + rng.choice("景源达安和城"),
        estate=rng.choice(_ESTATES),
    )


def project_row(
    county: County,
    *,
    number: str,
    name: str,
    kind: str,
    contractor: tuple[str, str],
    contract: Decimal,
    permit: dt.date,
) -> dict[str, Any]:
    """One project line; start, status and completion follow from the permit date."""
    rng = county.rng
    started = permit + dt.timedelta(days=rng.randint(3, 40))
    started_known = started < AS_OF and rng.random() < 0.85
    status, completed = "在建", None
    if started_known and permit < dt.date(2025, 6, 1) and rng.random() < 0.5:
        completed = min(started + dt.timedelta(days=rng.randint(200, 500)), AS_OF)
        status = "竣工"
    elif started_known and rng.random() < 0.06:
        status = "停工"
    return {
        "项目编号": number,
        "项目名称": name,
        "施工总承包单位": contractor[0],
        "总承包单位统一社会信用代码": contractor[1],
        "合同金额": contract,
        "施工许可日期": permit,
        "开工日期": started if started_known else None,
        "竣工日期": completed,
        "项目状态": status,
        "项目类型": kind,
        "占地面积": float(rng.randrange(1500, 80000, 10)),
    }


def project_number(county: County, year: int) -> str:
    """The next 项目编号 of `year` (JS520203-2026-007)."""
    count = sum(1 for r in county.rows["construction_projects"] if f"-{year}-" in r["项目编号"])
    return f"JS{REGION_CODE}-{year}-{count + 1:03d}"


def build_contractors(county: County) -> None:
    """General contractors: local and provincial companies."""
    rng = county.rng
    for _ in range(20):
        trade = rng.choice(
            ("建设工程", "建筑工程", "建工集团", "路桥工程", "市政工程", "建筑安装工程")
        )
        region = rng.choices(["520203", "520200", "520201", "520100", "520000"], [5, 2, 1, 2, 1])[0]
        county.contractors.append((names.company_name(rng, trade), county.new_uscc("91", region)))


def build_projects(county: County) -> None:
    """About 54 projects permitted 2024-01 … 2026-08, a few below the ¥3 M exemption line."""
    rng = county.rng
    for k in range(54):
        template, kind, _w = rng.choices(_PROJECT_KINDS, weights=[p[2] for p in _PROJECT_KINDS])[0]
        if k < 6:
            contract = Decimal(rng.randrange(800_000, 2_900_000, 10_000))
        else:
            contract = Decimal(round(math.exp(rng.uniform(math.log(3.2e6), math.log(3.0e8))), -3))
            if rng.random() < 0.3:
                contract += Decimal(rng.randrange(1, 99_999)) / 100
        permit = random_working_day(rng, dt.date(2024, 1, 2), dt.date(2026, 8, 31))
        county.rows["construction_projects"].append(
            project_row(
                county,
                number=project_number(county, permit.year),
                name=_project_name(rng, county, template),
                kind=kind,
                contractor=rng.choice(county.contractors),
                contract=contract,
                permit=permit,
            )
        )


_DEPOSIT_METHODS = (("现金", 40), ("银行保函", 45), ("保证保险", 10), ("工程担保", 5))


def deposit_row(
    project: dict[str, Any], amount: Decimal, method: str, paid: dt.date
) -> dict[str, Any]:
    """One deposit line for `project`, paid by its general contractor."""
    return {
        "项目编号": project["项目编号"],
        "缴存单位统一社会信用代码": project["总承包单位统一社会信用代码"],
        "缴存方式": method,
        "缴存金额": amount,
        "缴存日期": paid,
    }


def build_deposits(county: County) -> None:
    """Deposits of 1.2–3 % for every background project of ¥3 M or more, paid on time.

    Some are split over two payments; half the small (exempt) projects deposit anyway.
    """
    rng = county.rng
    for project in list(county.rows["construction_projects"]):
        contract: Decimal = project["合同金额"]
        if contract < 3_000_000 and rng.random() < 0.5:
            continue
        ratio = Decimal(str(round(rng.uniform(0.012, 0.03), 4)))
        total = (contract * ratio / 100).quantize(Decimal(1), rounding=ROUND_CEILING) * 100
        parts = [total] if rng.random() < 0.85 else [total * 6 / 10, total * 4 / 10]
        for part in parts:
            paid = add_working_days(project["施工许可日期"], rng.randint(2, 19))
            method = rng.choices(
                [m for m, _ in _DEPOSIT_METHODS], [w for _, w in _DEPOSIT_METHODS]
            )[0]
            county.rows["wage_deposits"].append(deposit_row(project, part, method, paid))
