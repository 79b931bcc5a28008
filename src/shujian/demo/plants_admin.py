"""Planted cases of the administrative models: soil fees, medical beauty, case transfers, benefits.

As in `plants.py`, every case is one row of a table with a subject of its own: a new project, a
new market entity, a new penalty decision, a new person. Soil-fee projects also deposit their
migrant-worker wage guarantee on time, so `wage.deposit_missing` stays quiet about them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from shujian.calendar import add_working_days, is_working_day
from shujian.demo import names
from shujian.demo.benefits import custody_row, death_row, month_starts, pay_monthly
from shujian.demo.county import AS_OF, County, Institution
from shujian.demo.manifest import Plant
from shujian.demo.penalties import AGENCIES, party, penalty_row, transfer_row
from shujian.demo.projects import deposit_row, project_number, project_row
from shujian.demo.registry import licence_row, registry_row
from shujian.demo.soil import builder_for, fee_for, payment_row, plan_row

D = dt.date


def _yuan(amount: Decimal) -> str:
    """¥186420.00 → 186,420.00元."""
    return f"{amount:,.2f}元"


# ---- soil and water conservation fee -------------------------------------------------------


@dataclass(frozen=True)
class SoilCase:
    """A project of its own with an approved plan; `payments` are (yuan, days after approval).

    `started` is the 开工日期 written in the project list (None: not written).
    """

    kind: str
    name: str
    permit: dt.date
    started: dt.date | None
    area_m2: float
    payments: tuple[tuple[str, int], ...]
    lead: bool
    description: str


SOIL_FEE_UNPAID = (
    SoilCase("房屋建筑", "青岚县锦泰华府住宅小区（一期）", D(2026, 3, 16), D(2026, 4, 2), 143_400,
             (("120000", 20),), True,
             "{started}，核定补偿费{fee}，只缴了{paid}，少缴{short}"),
    SoilCase("其他", "青岚县瑞达物流园仓储用房", D(2025, 11, 10), D(2025, 11, 24), 73_600, (), True,
             "{started}，核定补偿费{fee}，分文未缴"),
    SoilCase("房屋建筑", "青岚县宏源名苑住宅小区", D(2026, 9, 28), None, 58_200, (), True,
             "项目清单未填开工日期，但{permit}已取得施工许可，视为已开工；核定补偿费{fee}未缴"),
    SoilCase("学校", "青岚县第二中学迁建工程", D(2026, 2, 9), D(2026, 2, 25), 52_000, (), False,
             "{started}，核定补偿费{fee}未缴，但项目类型为学校，依法免征"),
    SoilCase("保障性住房", "青山街道公共租赁住房建设项目", D(2025, 12, 15), D(2026, 1, 6), 86_900,
             (), False, "{started}，核定补偿费{fee}未缴，但项目类型为保障性住房，依法免征"),
    SoilCase("房屋建筑", "青岚县鸿福锦城住宅小区（二期）", D(2026, 5, 11), D(2026, 5, 25), 98_000,
             (("80000", 15), ("47400", 40)), False,
             "{started}，核定补偿费{fee}，两笔缴纳合计{paid}，已足额"),
    SoilCase("市政", "新场镇农贸市场改造工程", D(2026, 11, 2), None, 61_200, (), False,
             "方案已批复、核定补偿费{fee}未缴，但施工许可日期{permit}在运行日之后、未开工，尚未到缴费时点"),
)  # fmt: skip
"""soil.fee_unpaid: a started project with an approved plan that paid less than the fee."""


def _working_day_from(day: dt.date) -> dt.date:
    """`day`, or the next working day when it is a rest day (offices close at weekends)."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _plant_soil(county: County, case: SoilCase) -> None:
    if not is_working_day(case.permit):
        raise AssertionError(f"permit on a rest day: {case.permit}")
    rng = county.rng
    contract = Decimal(rng.randrange(8_000_000, 60_000_000, 10_000))
    project = project_row(
        county,
        number=project_number(county, case.permit.year),
        name=case.name,
        kind=case.kind,
        contractor=rng.choice(county.contractors),
        contract=contract,
        permit=case.permit,
    )
    project["开工日期"] = case.started
    project["竣工日期"] = None
    project["项目状态"] = "在建" if case.permit <= AS_OF else None
    project["占地面积"] = float(round(case.area_m2 / 1.25, -1))
    county.rows["construction_projects"].append(project)
    if case.permit <= AS_OF:  # the wage guarantee is paid on time: no wage lead
        deposit = (contract * Decimal("0.015")).quantize(Decimal(100))
        paid = add_working_days(case.permit, rng.randint(3, 12))
        county.rows["wage_deposits"].append(deposit_row(project, deposit, "银行保函", paid))
    approved = _working_day_from(case.permit - dt.timedelta(days=63))
    fee = fee_for(case.area_m2)
    county.rows["soil_plans"].append(
        plan_row(county, project["项目编号"], approved, case.area_m2, fee)
    )
    payer = builder_for(county, project)
    total = Decimal(0)
    for amount, after in case.payments:
        day = _working_day_from(approved + dt.timedelta(days=after))
        county.rows["soil_fee_payments"].append(
            payment_row(project["项目编号"], payer, fee, Decimal(amount), day)
        )
        total += Decimal(amount)
    started_text = (
        f"已于{case.started.isoformat()}开工"
        if case.started
        else f"{case.permit.isoformat()}取得施工许可"
    )
    figures = {
        "project_type": case.kind,
        "approved_on": approved.isoformat(),
        "area_m2": case.area_m2,
        "fee_due_yuan": f"{fee:.2f}",
        "paid_total_yuan": f"{total:.2f}",
        "permit_date": case.permit.isoformat(),
        "started_on": case.started.isoformat() if case.started else None,
        "as_of": AS_OF.isoformat(),
    }
    text = case.description.format(
        started=started_text,
        permit=case.permit.isoformat(),
        fee=_yuan(fee),
        paid=_yuan(total),
        short=_yuan(fee - total),
    )
    county.plants.append(
        Plant("soil.fee_unpaid", project["项目编号"], case.lead, f"{case.name}：{text}", figures)
    )


def plant_soil_fee_unpaid(county: County) -> None:
    """Plant `SOIL_FEE_UNPAID`."""
    for case in SOIL_FEE_UNPAID:
        _plant_soil(county, case)


# ---- medical beauty ------------------------------------------------------------------------


@dataclass(frozen=True)
class BeautyCase:
    """A market entity with `scope` and, if `subjects` is set, a medical licence."""

    name: str
    kind: str
    scope: str
    subjects: str | None
    valid_until: dt.date | None
    lead: bool
    description: str


MEDBEAUTY_UNLICENSED = (
    BeautyCase("青岚县悦颜美容美体有限公司", "91",
               "一般项目：生活美容服务；美甲服务；医疗美容服务", None, None, True,
               "经营范围含“医疗美容服务”，卫生健康部门无其医疗机构执业许可证"),
    BeautyCase("青岚县康美口腔诊所", "92", "许可项目：诊所服务；医疗美容服务",
               "口腔科；医学影像科", D(2029, 6, 30), True,
               "经营范围含“医疗美容服务”，执业许可证诊疗科目只有口腔科、医学影像科，没有医疗美容科"),
    BeautyCase("青岚县韩美医疗美容门诊部有限公司", "91",
               "许可项目：医疗美容服务。一般项目：生活美容服务",
               "医疗美容科；美容外科；美容皮肤科；麻醉科", D(2026, 3, 31), True,
               "执业许可证核准医疗美容科，但有效期至{valid}，已过期"),
    BeautyCase("青岚县颜究所皮肤管理工作室", "92", "一般项目：生活美容服务；皮肤护理服务；激光美容",
               None, None, True, "经营范围含“激光美容”（医疗美容项目），无执业许可证"),
    BeautyCase("青岚县美丽缘医疗美容诊所", "92", "许可项目：医疗美容服务",
               "医疗美容科；美容皮肤科；美容中医科", D(2029, 12, 31), False,
               "执业许可证核准医疗美容科，有效期至{valid}"),
    BeautyCase("青岚县丽人美容美发店", "92", "一般项目：理发服务；美容服务（不含医疗美容）；美甲服务",
               None, None, False, "经营范围为“美容服务（不含医疗美容）”，属生活美容，无须医疗机构执业许可"),
    BeautyCase("青岚县伊美医疗美容诊所", "92", "许可项目：医疗美容服务", "医疗美容科、美容外科",
               AS_OF, False, "执业许可证核准医疗美容科，有效期至{valid}即运行日当天，仍在有效期内"),
)  # fmt: skip
"""medbeauty.unlicensed: a 医疗美容 scope without a valid licence that names 医疗美容科."""


def plant_medbeauty_unlicensed(county: County) -> None:
    """Plant `MEDBEAUTY_UNLICENSED` (new entities on the register, licences where they hold one)."""
    rng = county.rng
    for case in MEDBEAUTY_UNLICENSED:
        uscc = county.new_uscc(case.kind)
        town = rng.choice(names.TOWNS[:3])
        county.rows["business_registry"].append(
            registry_row(
                county,
                name=case.name,
                uscc=uscc,
                scope=case.scope,
                address=names.address(rng, town),
                founded=D(2018, 1, 1) + dt.timedelta(days=rng.randint(0, 2200)),
            )
        )
        if case.subjects is not None and case.valid_until is not None:
            kind = "门诊部" if "门诊部" in case.name else "诊所"
            county.rows["medical_licenses"].append(
                licence_row(
                    rng, Institution(case.name, uscc, kind), case.subjects, case.valid_until
                )
            )
        figures = {
            "name": case.name,
            "business_scope": case.scope,
            "licence_subjects": case.subjects,
            "licence_valid_until": case.valid_until.isoformat() if case.valid_until else None,
            "as_of": AS_OF.isoformat(),
        }
        valid = case.valid_until.isoformat() if case.valid_until else ""
        text = case.description.format(valid=valid)
        county.plants.append(
            Plant("medbeauty.unlicensed", uscc, case.lead, f"{case.name}：{text}", figures)
        )


# ---- administrative-to-criminal transfer ---------------------------------------------------


@dataclass(frozen=True)
class PenaltyCase:
    """A penalty decision; `written` is how the file writes 涉案金额 (plain, commas, wan).

    `transferred_after` is days to the transfer (None: never transferred); the transfer platform
    writes the decision number with square brackets when `square_brackets`. `lead` and `review`
    say whether the decision is a lead of `transfer.not_transferred` and an item of the review
    list `transfer.review` (None: not planted for that model).
    """

    agency: str
    violation: str
    involved: str
    written: str
    decided: dt.date
    transferred_after: int | None
    lead: bool | None
    review: bool | None
    description: str
    square_brackets: bool = False


THRESHOLD = Decimal(50_000)

TRANSFER_NOT_TRANSFERRED = (
    PenaltyCase("市场监管", "销售伪劣产品", "60000", "wan", D(2026, 4, 21), None, True, False,
                "销售伪劣产品，涉案金额写作“6万元”即60,000元，达到5万元追诉标准，未移送"
                "（违法类型在门槛表中，是线索，不列入待核对清单）"),
    PenaltyCase("烟草", "非法经营卷烟", "80000", "commas", D(2026, 6, 17), None, True, None,
                "非法经营卷烟，涉案金额80,000元，达到5万元追诉标准，未移送"),
    PenaltyCase("市场监管", "以次充好", "50000", "plain", D(2026, 8, 5), None, True, None,
                "以次充好，涉案金额恰为50,000元，达到（不低于）5万元追诉标准，未移送"),
    PenaltyCase("市场监管", "销售伪劣产品", "45000", "wan", D(2026, 2, 26), None, False, None,
                "销售伪劣产品，涉案金额45,000元，低于5万元追诉标准"),
    PenaltyCase("烟草", "非法经营卷烟", "120000", "commas", D(2026, 5, 20), 7, False, None,
                "非法经营卷烟，涉案金额120,000元，已于{transferred}移送公安机关"
                "（移送平台把文号中的〔〕写成了[]）", square_brackets=True),
    PenaltyCase("市场监管", "发布虚假广告", "150000", "wan", D(2026, 7, 9), None, False, False,
                "发布虚假广告，涉案金额150,000元，但虚假广告不在门槛表中，也不近似门槛表中的罪名"),
    PenaltyCase("烟草", "未在当地烟草批发企业进货", "90000", "commas", D(2026, 3, 11), None, False,
                True,
                "持证零售户未在当地烟草批发企业进货，涉案金额90,000元：违法类型含“烟草”但不在门槛表中"
                "（〔2011〕刑他字第21号批复：超范围、超地域经营不宜按非法经营罪处理），"
                "不是线索，列入待核对清单"),
    PenaltyCase("市场监管", "销售以次充好的电线电缆", "62000", "plain", D(2026, 6, 2), None, False,
                True,
                "销售以次充好的电线电缆，涉案金额62,000元：违法类型近似生产、销售伪劣产品但不在门槛表中，"
                "不是线索，列入待核对清单"),
    PenaltyCase("市场监管", "非法经营成品油", "300000", "wan", D(2026, 5, 8), None, False, True,
                "非法经营成品油，涉案金额300,000元：违法类型含“非法经营”但不在门槛表中（无证经营成品油"
                "是否属非法经营罪各地不一，院可依本地依据增补），不是线索，列入待核对清单"),
    PenaltyCase("烟草", "违反规定异地购进卷烟", "40000", "plain", D(2026, 7, 22), None, None, False,
                "违反规定异地购进卷烟，涉案金额40,000元：近似烟草类但低于5万元追诉标准，不列入待核对清单"),
)  # fmt: skip
"""transfer.not_transferred: a penalty of a thresholded 违法类型 meeting the threshold, not
transferred; transfer.review: one whose 违法类型 only resembles a thresholded one."""


def plant_transfer_not_transferred(county: County) -> None:
    """Plant `TRANSFER_NOT_TRANSFERRED` for both transfer models."""
    for case in TRANSFER_NOT_TRANSFERRED:
        name, party_id = party(county, case.agency)
        involved = Decimal(case.involved)
        row = penalty_row(
            county,
            agency=AGENCIES[case.agency],
            party=name,
            party_id=party_id,
            violation=case.violation,
            involved=involved,
            fine=(involved * Decimal("0.8")).quantize(Decimal(1)),
            decided=case.decided,
            style=case.written,
        )
        county.rows["admin_penalties"].append(row)
        number = row["处罚决定书文号"]
        transferred = None
        if case.transferred_after is not None:
            transferred = case.decided + dt.timedelta(days=case.transferred_after)
            written = (
                number.replace("〔", "[").replace("〕", "]") if case.square_brackets else number
            )
            county.rows["case_transfers"].append(transfer_row(written, transferred))
        figures = {
            "authority": row["执法机关"],
            "violation_type": case.violation,
            "amount_involved_yuan": f"{involved:.2f}",
            "threshold_yuan": f"{THRESHOLD:.2f}",
            "decided_on": case.decided.isoformat(),
            "transferred_on": transferred.isoformat() if transferred else None,
        }
        text = f"{number}：{case.description.format(transferred=transferred)}"
        for model, lead in (
            ("transfer.not_transferred", case.lead),
            ("transfer.review", case.review),
        ):
            if lead is not None:
                county.plants.append(Plant(model, number, lead, text, figures))


# ---- benefits: custody and death -----------------------------------------------------------


@dataclass(frozen=True)
class CustodyCase:
    """A beneficiary with one custody record; paid monthly `paid` (first, last) except `paused`."""

    benefit: str
    amount: str
    custody: str
    admitted: dt.date
    released: dt.date | None
    paid: tuple[dt.date, dt.date]
    born: tuple[int, int]
    lead: bool
    description: str
    paused: tuple[dt.date, dt.date] | None = None


STOPPING_TYPES = ("有期徒刑", "无期徒刑", "拘役")

BENEFIT_IN_CUSTODY = (
    CustodyCase("城乡居民养老金", "213", "有期徒刑", D(2025, 3, 18), D(2026, 8, 5),
                (D(2025, 1, 1), D(2026, 10, 1)), (1955, 1963), True,
                "{custody}{admitted}收押、{released}释放，整月在押的{months}个月仍领取{benefit}，"
                "共{total}"),
    CustodyCase("城乡低保", "585", "拘役", D(2026, 4, 28), D(2026, 8, 3),
                (D(2025, 6, 1), D(2026, 10, 1)), (1972, 1995), True,
                "{custody}{admitted}收押、{released}释放，5至7月整月在押仍领取{benefit}，共{total}"),
    CustodyCase("职工养老金", "3580", "无期徒刑", D(2026, 1, 9), None,
                (D(2025, 1, 1), D(2026, 10, 1)), (1956, 1962), True,
                "{custody}{admitted}收押、至今在押，2月起整月在押的{months}个月仍领取{benefit}，"
                "共{total}"),
    CustodyCase("城乡低保", "640", "有期徒刑", D(2026, 3, 16), None,
                (D(2025, 1, 1), D(2026, 3, 1)), (1968, 1992), False,
                "{admitted}月中收押，当月{benefit}不算违规，次月起已停发"),
    CustodyCase("职工养老金", "3260", "缓刑", D(2025, 9, 10), None,
                (D(2025, 1, 1), D(2026, 10, 1)), (1956, 1964), False,
                "被判缓刑，缓刑不停发待遇，每月领取{benefit}不违规"),
    CustodyCase("特困供养", "1020", "拘役", D(2026, 1, 20), D(2026, 6, 12),
                (D(2025, 1, 1), D(2026, 10, 1)), (1962, 1985), False,
                "{custody}{admitted}收押、{released}释放，整月在押的2至5月已停发，"
                "收押、释放当月照发不违规", paused=(D(2026, 2, 1), D(2026, 5, 1))),
    CustodyCase("城乡居民养老金", "189", "逮捕", D(2026, 5, 29), None,
                (D(2025, 1, 1), D(2026, 10, 1)), (1950, 1962), False,
                "{admitted}被逮捕、尚未判决，判决前羁押不属停发情形（无罪应补发），照发不构成线索"),
)  # fmt: skip
"""benefit.in_custody: a payment for a month fully inside a 有期徒刑/无期徒刑/拘役 period."""


def _months_inside(
    admitted: dt.date, released: dt.date | None, months: list[dt.date]
) -> list[dt.date]:
    """The months of `months` that lie wholly inside the custody period."""
    inside = []
    for month in months:
        last_day = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        if month >= admitted and (released is None or last_day <= released) and month <= AS_OF:
            inside.append(month)
    return inside


def plant_benefit_in_custody(county: County) -> None:
    """Plant `BENEFIT_IN_CUSTODY`."""
    for case in BENEFIT_IN_CUSTODY:
        person = county.new_person(D(case.born[0], 1, 1), D(case.born[1], 12, 31), male=True)
        amount = Decimal(case.amount)
        pay_monthly(county, person, case.benefit, amount, *case.paid, skip=case.paused)
        county.rows["custody_records"].append(
            custody_row(person, case.custody, case.admitted, case.released)
        )
        paid = [
            m
            for m in month_starts(*case.paid)
            if not (case.paused and case.paused[0] <= m <= case.paused[1])
        ]
        inside = _months_inside(case.admitted, case.released, paid)
        counted = inside if case.custody in STOPPING_TYPES else []
        total = amount * len(counted)
        figures = {
            "benefit_type": case.benefit,
            "monthly_amount_yuan": f"{amount:.2f}",
            "custody_type": case.custody,
            "admitted_on": case.admitted.isoformat(),
            "released_on": case.released.isoformat() if case.released else None,
            "months_paid_fully_inside": [m.strftime("%Y-%m") for m in inside],
            "overpaid_yuan": f"{total:.2f}",
        }
        text = case.description.format(
            custody=case.custody,
            admitted=case.admitted.isoformat(),
            released=case.released.isoformat() if case.released else "",
            months=len(counted),
            benefit=case.benefit,
            total=_yuan(total),
        )
        county.plants.append(
            Plant(
                "benefit.in_custody", person.id_number, case.lead, f"{person.name}：{text}", figures
            )
        )


@dataclass(frozen=True)
class DeathCase:
    """A beneficiary who died on `died` and was paid monthly from `first` to `last`.

    `also` is a second benefit (type, amount) paid over the same months.
    """

    benefit: str
    amount: str
    born: tuple[int, int]
    died: dt.date
    first: dt.date
    last: dt.date
    lead: bool
    description: str
    also: tuple[str, str] | None = None


BENEFIT_DECEASED = (
    DeathCase("职工养老金", "4120", (1938, 1948), D(2026, 4, 9), D(2025, 1, 1), D(2026, 8, 1), True,
              "{died}死亡，此后{after}个月仍发放{benefit}共{total}"),
    DeathCase("城乡低保", "520", (1950, 1965), D(2025, 12, 28), D(2025, 1, 1), D(2026, 1, 1), True,
              "{died}死亡，次月（跨年）仍发放{benefit}{total}"),
    DeathCase("城乡居民养老金", "198", (1930, 1944), D(2026, 8, 15), D(2025, 1, 1), D(2026, 10, 1),
              True, "{died}死亡，此后{after}个月仍发放{benefit}和高龄补贴共{total}",
              also=("高龄补贴", "100")),
    DeathCase("城乡居民养老金", "176", (1935, 1950), D(2026, 6, 20), D(2025, 1, 1), D(2026, 6, 1),
              False, "{died}死亡，{benefit}发放到死亡当月为止"),
    DeathCase("高龄补贴", "100", (1930, 1942), D(2026, 7, 31), D(2025, 1, 1), D(2026, 7, 1), False,
              "{died}（月末）死亡，{benefit}发放到当月为止"),
    DeathCase("特困供养", "1060", (1940, 1960), D(2026, 10, 6), D(2025, 1, 1), D(2026, 10, 1), False,
              "{died}死亡，{benefit}最后一笔是死亡当月（2026年10月）的"),
)  # fmt: skip
"""benefit.deceased: a payment for a month after the month of death."""


def plant_benefit_deceased(county: County) -> None:
    """Plant `BENEFIT_DECEASED`."""
    for case in BENEFIT_DECEASED:
        person = county.new_person(D(case.born[0], 1, 1), D(case.born[1], 12, 31))
        amount = Decimal(case.amount)
        pay_monthly(county, person, case.benefit, amount, case.first, case.last)
        monthly = amount
        if case.also:
            pay_monthly(county, person, case.also[0], Decimal(case.also[1]), case.first, case.last)
            monthly += Decimal(case.also[1])
        county.rows["death_records"].append(death_row(person, case.died))
        after = [m for m in month_starts(case.first, case.last) if m > case.died]
        total = monthly * len(after)
        figures = {
            "benefit_type": case.benefit + (f"、{case.also[0]}" if case.also else ""),
            "monthly_amount_yuan": f"{monthly:.2f}",
            "died_on": case.died.isoformat(),
            "last_paid_month": case.last.strftime("%Y-%m"),
            "months_paid_after_death": [m.strftime("%Y-%m") for m in after],
            "overpaid_yuan": f"{total:.2f}",
        }
        text = case.description.format(
            died=case.died.isoformat(), after=len(after), benefit=case.benefit, total=_yuan(total)
        )
        county.plants.append(
            Plant(
                "benefit.deceased", person.id_number, case.lead, f"{person.name}：{text}", figures
            )
        )
