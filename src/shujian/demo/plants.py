"""Planted cases: what each supervision model must find in 青岚县, and what it must not.

Each model gets leads that break its rule by a clear or a narrow margin, and near misses that sit
just on the lawful side of each condition: 204 m rather than 197 m, a 注销 licence, a kindergarten
where the rule names only schools, a deposit of exactly 1 %, a permit whose 20 working days run
past the run date only because of the National Day holiday. A model that gets any of these wrong
shows up in `shujian demo`.

The cases are declared in tables (one row per plant); the functions below only place them. Every
campus plant gets a school of its own (schools are ≥ 700 m apart), so no planted venue is within
reach of a second school; every staff plant a unit of its own; every wage plant a project of its
own. The rules followed are those of `models.md` with default parameters.

The minors' models (kindergarten names, hotels, tattoo scopes, mandatory reports) are planted in
`plants_minors.py`, the administrative ones (soil fees, medical beauty, case transfers, benefits)
in `plants_admin.py`. To plant cases for another model: declare its table, write one `plant_*`
function, add it to `PLANTERS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from shujian.calendar import add_working_days, is_working_day
from shujian.demo import geo
from shujian.demo.campus import venue_row
from shujian.demo.county import AS_OF, BACKGROUND_CLEARANCE_M, County, Person
from shujian.demo.identifiers import make_id_number
from shujian.demo.manifest import Plant
from shujian.demo.people import offence_row, staff_row
from shujian.demo.plants_admin import (
    plant_benefit_deceased,
    plant_benefit_in_custody,
    plant_medbeauty_unlicensed,
    plant_soil_fee_unpaid,
    plant_transfer_not_transferred,
)
from shujian.demo.plants_minors import (
    plant_esports_minor,
    plant_kindergarten_name,
    plant_mandatory_report,
    plant_minor_guest,
    plant_tattoo_scope,
)
from shujian.demo.projects import deposit_row, project_number, project_row

# ---- campus surroundings -------------------------------------------------------------------


@dataclass(frozen=True)
class NearSchool:
    """A venue planted `distance_m` (straight line, WGS-84) from a school of its own.

    `description` may use {school}, {type}, {d} (true distance) and {naive} (the distance one
    would get by taking the file's GCJ-02 coordinates for WGS-84).
    """

    venue_type: str
    school_type: str
    distance_m: float
    threshold_m: float
    lead: bool
    description: str
    status: str = "在营"
    crs_label: str = "WGS84"


_IN = "在营{v}距{school}（{type}）{d:.1f}米，在{limit}米范围内"
_OUT = "在营{v}距{school}（{type}）{d:.1f}米，超出{limit}米"

INTERNET_CAFE = (
    NearSchool("网吧", "小学", 150, 200, True, _IN),
    NearSchool("网吧", "初中", 197, 200, True, _IN + "（接近边界）"),
    NearSchool(
        "网吧", "小学", 190, 200, True,
        "网吧坐标按GCJ-02（高德）填报，换算为WGS-84后距{school}（{type}）{d:.1f}米；"
        "若不换算直接比较，会误算为{naive:.0f}米",
        crs_label="GCJ02",
    ),
    NearSchool("网吧", "中等职业学校", 170, 200, True, _IN + "（中职学校同样适用）"),
    NearSchool("网吧", "小学", 204, 200, False, _OUT),
    NearSchool("网吧", "初中", 150, 200, False, "{v}距{school}（{type}）{d:.1f}米，但已注销",
               status="注销"),
    NearSchool("网吧", "幼儿园", 150, 200, False,
               "在营{v}距{school}（{type}）{d:.1f}米，200米内没有中小学；网吧200米规则不含幼儿园"),
)  # fmt: skip
"""campus.internet_cafe: a 网吧 in business within 200 m of a 中小学 (not a 幼儿园)."""

ENTERTAINMENT = (
    NearSchool("歌舞娱乐", "初中", 120, 200, True, _IN),
    NearSchool("酒吧", "高中", 185, 200, True, _IN),
    NearSchool("游艺娱乐", "幼儿园", 80, 100, True, _IN),
    NearSchool("歌舞娱乐", "幼儿园", 150, 100, False, _OUT + "，200米内也没有学校"),
    NearSchool("酒吧", "小学", 205, 200, False, _OUT),
    NearSchool("歌舞娱乐", "小学", 120, 200, False, "{v}距{school}（{type}）{d:.1f}米，但已吊销",
               status="吊销"),
)  # fmt: skip
"""campus.entertainment: 歌舞娱乐/游艺娱乐/酒吧 within 200 m of a school or 100 m of a 幼儿园."""

TOBACCO_ALCOHOL_LOTTERY = (
    NearSchool("烟草零售", "小学", 40, 50, True, _IN),
    NearSchool("彩票销售", "幼儿园", 45, 50, True, _IN),
    NearSchool("酒类零售", "初中", 30, 50, True, _IN),
    NearSchool("烟草零售", "小学", 55, 50, False, _OUT),
    NearSchool("酒类零售", "幼儿园", 52, 50, False, _OUT),
    NearSchool("彩票销售", "初中", 60, 50, False, _OUT),
)  # fmt: skip
"""campus.tobacco_alcohol_lottery: an outlet within 50 m of a school or 幼儿园."""

_VENUE_WORDS = {
    "网吧": "网吧", "歌舞娱乐": "歌舞娱乐场所", "游艺娱乐": "游艺娱乐场所", "酒吧": "酒吧",
    "烟草零售": "烟草零售点", "酒类零售": "酒类零售店", "彩票销售": "彩票销售网点",
}  # fmt: skip


def _plant_near_school(county: County, model: str, case: NearSchool) -> None:
    school = county.take_school(case.school_type)
    if case.crs_label == "GCJ02":
        # Along the direction of the GCJ-02 shift, so the unconverted position looks far away.
        shifted = geo.wgs84_to_gcj02(school.lon, school.lat)
        bearing = geo.bearing_deg(school.lon, school.lat, *shifted)
    else:
        bearing = county.rng.uniform(0.0, 360.0)
    lon, lat = geo.destination(school.lon, school.lat, bearing, case.distance_m)
    row = venue_row(
        county,
        venue_type=case.venue_type,
        lon=lon,
        lat=lat,
        town=school.town,
        status=case.status,
        crs_label=case.crs_label,
        street=school.street,
    )
    county.rows["venues"].append(row)
    true_lon, true_lat = row["_wgs84_lon"], row["_wgs84_lat"]
    d = geo.haversine_m(school.lon, school.lat, true_lon, true_lat)
    naive = geo.haversine_m(school.lon, school.lat, row["经度"], row["纬度"])
    for other in county.schools:
        clearance = geo.haversine_m(other.lon, other.lat, true_lon, true_lat)
        if other is not school and clearance <= BACKGROUND_CLEARANCE_M:
            raise AssertionError(f"plant near {school.name} is also near {other.name}")
    figures = {
        "venue_type": case.venue_type,
        "status": case.status,
        "crs": case.crs_label,
        "school": school.name,
        "school_type": school.school_type,
        "school_uscc": school.uscc,
        "school_lon": school.lon,
        "school_lat": school.lat,
        "venue_lon_wgs84": true_lon,
        "venue_lat_wgs84": true_lat,
        "distance_m": round(d, 1),
        "threshold_m": case.threshold_m,
    }
    if case.crs_label != "WGS84":
        figures["distance_if_unconverted_m"] = round(naive, 1)
    text = case.description.format(
        v=_VENUE_WORDS[case.venue_type],
        school=school.name,
        type=school.school_type,
        d=d,
        naive=naive,
        limit=f"{case.threshold_m:g}",
    )
    county.plants.append(Plant(model, row["统一社会信用代码"], case.lead, text, figures))


def plant_internet_cafe(county: County) -> None:
    """Plant `INTERNET_CAFE`."""
    for case in INTERNET_CAFE:
        _plant_near_school(county, "campus.internet_cafe", case)


def plant_entertainment(county: County) -> None:
    """Plant `ENTERTAINMENT`."""
    for case in ENTERTAINMENT:
        _plant_near_school(county, "campus.entertainment", case)


def plant_tobacco_alcohol_lottery(county: County) -> None:
    """Plant `TOBACCO_ALCOHOL_LOTTERY`."""
    for case in TOBACCO_ALCOHOL_LOTTERY:
        _plant_near_school(county, "campus.tobacco_alcohol_lottery", case)


# ---- background checks of staff ------------------------------------------------------------


@dataclass(frozen=True)
class StaffCase:
    """A staff member of a unit of their own, with one record in the police/court data.

    `description` may use {unit}, {post}, {name}. `roster_style` says how the roster writes the
    ID number (`want_x` picks a person whose check character is X, to show it in lower case).
    `written_outcome` is how the record writes `outcome` when the agency uses another name of it
    (酌定不起诉 for 相对不起诉); the lead states the outcome's own name.
    """

    category: str
    school_type: str | None
    post: str
    male: bool
    offence: str
    outcome: str
    record: dt.date
    hired: dt.date
    lead: bool
    description: str
    roster_style: str = "plain"
    want_x: bool = False
    written_outcome: str | None = None


D = dt.date

BARRED_OFFENCE = (
    StaffCase("学校", "小学", "教师", True, "强奸", "有罪判决", D(2009, 6, 18), D(2016, 9, 1), True,
              "{unit}{post}{name}有强奸罪有罪判决，入职前已有记录；花名册上身份证号末位写成小写x",
              roster_style="lower_x", want_x=True),
    StaffCase("幼儿园", None, "保安", True, "猥亵儿童", "相对不起诉", D(2024, 11, 12),
              D(2019, 3, 1), True,
              "{unit}{post}{name}因猥亵儿童被相对不起诉，记录在入职之后（年度复查应发现）"),
    StaffCase("学校", "初中", "保安", True, "猥亵", "行政处罚", D(2018, 7, 5), D(2021, 9, 1), True,
              "{unit}{post}{name}曾因猥亵受行政处罚，入职前已有记录"),
    StaffCase("学校", "小学", "校车驾驶员", True, "故意伤害", "有罪判决", D(2012, 4, 20),
              D(2020, 8, 17), True,
              "{unit}{post}{name}有故意伤害罪有罪判决（默认罪名清单含暴力伤害）"),
    StaffCase("校外培训机构", None, "培训教师", True, "强制猥亵", "有罪判决", D(2015, 10, 9),
              D(2023, 2, 20), True,
              "{unit}（校外培训机构）{post}{name}有强制猥亵罪有罪判决；"
              "花名册上身份证号为全角数字",
              roster_style="fullwidth"),
    StaffCase("学校", "小学", "教师", False, "盗窃", "有罪判决", D(2011, 3, 2), D(2017, 9, 1),
              False, "{unit}{post}{name}有盗窃罪有罪判决，盗窃不在入职查询罪名清单内"),
    StaffCase("幼儿园", None, "厨师", True, "赌博", "行政处罚", D(2020, 1, 15), D(2021, 5, 10),
              False, "{unit}{post}{name}曾因赌博受行政处罚，赌博不在清单内"),
    StaffCase("学校", "小学", "校车驾驶员", True, "强奸", "存疑不起诉", D(2019, 6, 10),
              D(2022, 3, 1), False,
              "{unit}{post}{name}的强奸案被存疑不起诉（证据不足），没有认定犯罪，不是线索"),
    StaffCase("幼儿园", None, "保安", True, "猥亵儿童", "法定不起诉", D(2020, 4, 2), D(2022, 3, 1),
              False, "{unit}{post}{name}的猥亵儿童案被法定不起诉（没有犯罪事实），不是线索"),
    StaffCase("学校", "初中", "教师", True, "强制猥亵", "相对不起诉", D(2017, 8, 21),
              D(2020, 9, 1), True,
              "{unit}{post}{name}因强制猥亵被不起诉，记录写作“酌定不起诉”即相对不起诉，认定了犯罪",
              written_outcome="酌定不起诉"),
)  # fmt: skip
"""staff.barred_offence: staff of a 密切接触未成年人单位 with a 性侵/虐待/拐卖/暴力伤害 record;
plus `_plant_namesake` below."""


def _plant_staff(county: County, case: StaffCase) -> None:
    school_types = (case.school_type,) if case.school_type else ()
    unit = county.take_unit(case.category, school_types=school_types)
    born = (dt.date(1972, 1, 1), dt.date(1992, 12, 31))
    person = county.new_person(*born, male=case.male)
    while case.want_x and not person.id_number.endswith("X"):
        person = county.new_person(*born, male=case.male)
    county.rows["staff_roster"].append(
        staff_row(unit, person, case.post, case.hired, case.roster_style)
    )
    county.rows["offence_records"].append(
        offence_row(
            county.rng,
            person,
            case.offence,
            case.written_outcome or case.outcome,
            case.record,
            "plain",
        )
    )
    figures = {
        "unit": unit.name,
        "unit_category": unit.category,
        "post": case.post,
        "name": person.name,
        "offence": case.offence,
        "outcome": case.outcome,
        "record_date": case.record.isoformat(),
        "hire_date": case.hired.isoformat(),
        "record_predates_hire": case.record < case.hired,
    }
    text = case.description.format(unit=unit.name, post=case.post, name=person.name)
    county.plants.append(Plant("staff.barred_offence", person.id_number, case.lead, text, figures))


def _plant_namesake(county: County) -> None:
    """A teacher whose namesake, born the same day in the same place, has a 强制猥亵 conviction.

    The two ID numbers differ only in the sequence code (and therefore the check character), so
    a model that matched on name and birth date, or fuzzily on the number, would wrongly flag the
    teacher. Two valid ID numbers cannot differ in a single character: MOD 11-2 catches every
    single-digit change.
    """
    unit = county.take_unit("学校", school_types=("初中",))
    teacher = county.new_person(dt.date(1980, 1, 1), dt.date(1990, 12, 31), male=True)
    sequence = int(teacher.id_number[14:17])
    other_sequence = sequence + 2 if sequence <= 997 else sequence - 2
    namesake_id = make_id_number(teacher.id_number[:6], teacher.birth, other_sequence)
    county.claim_id(namesake_id)
    namesake = Person(teacher.name, namesake_id, teacher.birth, True)
    county.rows["staff_roster"].append(staff_row(unit, teacher, "教师", dt.date(2014, 9, 1)))
    record = dt.date(2016, 5, 23)
    county.rows["offence_records"].append(
        offence_row(county.rng, namesake, "强制猥亵", "有罪判决", record, "plain")
    )
    figures = {
        "unit": unit.name,
        "unit_category": unit.category,
        "name": teacher.name,
        "staff_id": teacher.id_number,
        "record_id": namesake_id,
        "offence": "强制猥亵",
        "outcome": "有罪判决",
        "record_date": record.isoformat(),
    }
    text = (
        f"{unit.name}教师{teacher.name}与一名强制猥亵罪被判决人同名、同籍贯、同生日，"
        f"但身份证号顺序码不同（{teacher.id_number[14:17]}≠{namesake_id[14:17]}，"
        "校验码随之不同），不是同一人"
    )
    county.plants.append(Plant("staff.barred_offence", teacher.id_number, False, text, figures))


def plant_barred_offence(county: County) -> None:
    """Plant `BARRED_OFFENCE` and the namesake near miss."""
    for case in BARRED_OFFENCE:
        _plant_staff(county, case)
    _plant_namesake(county)


# ---- migrant-worker wage deposits ----------------------------------------------------------

DEPOSIT_DAYS = 20
MIN_RATIO = Decimal("0.01")
EXEMPT_BELOW = Decimal(3_000_000)


@dataclass(frozen=True)
class ProjectCase:
    """A project of its own with `deposits` (yuan, 缴存方式, working days after the permit).

    `description` may use {contract}, {permit}, {deadline}, {total}, {ratio} and {naive} (the
    deadline a holiday-blind Monday–Friday count would give).
    """

    contract: int
    permit: dt.date
    deposits: tuple[tuple[int, str, int], ...]
    lead: bool
    kind: str
    name: str
    description: str


WAGE_DEPOSIT_MISSING = (
    ProjectCase(42_000_000, D(2026, 6, 15), (), True, "房屋建筑", "青岚县鸿景华府住宅小区（二期）",
                "合同金额{contract}，施工许可{permit}，缴存期限{deadline}已过，未缴存保证金"),
    ProjectCase(28_600_000, D(2026, 3, 10), ((200_000, "现金", 10),), True, "市政",
                "岚城街道解放路改造提升工程",
                "合同金额{contract}，保证金合计{total}，仅为{ratio}，低于1%"),
    ProjectCase(15_800_000, D(2026, 9, 15), (), True, "学校", "青岚县第二小学风雨操场建设项目",
                "施工许可{permit}，20个工作日期限按中秋、国庆假期和调休顺延后为{deadline}，"
                "即运行日前一天，已逾期且未缴存保证金"),
    ProjectCase(3_000_000, D(2026, 5, 11), (), True, "市政", "白岩镇滨河路人行道改造工程",
                "合同金额恰为{contract}（不低于300万元，不适用豁免），缴存期限{deadline}已过，"
                "未缴存保证金"),
    ProjectCase(2_800_000, D(2026, 5, 20), (), False, "水利", "木岗镇集镇供水管网延伸工程",
                "合同金额{contract}，低于300万元豁免线，未缴存不构成线索"),
    ProjectCase(36_500_000, D(2026, 9, 18), (), False, "保障性住房",
                "翠屏街道棚户区改造安置房建设项目（三期）",
                "施工许可{permit}，20个工作日期限为{deadline}（中秋、国庆假期不计，9月20日、"
                "10月10日调休上班计入），运行日尚未届满；若只按周一至周五计算会误为{naive}"),
    ProjectCase(9_800_000, D(2026, 9, 16), (), False, "医院", "石门镇卫生院业务用房建设项目",
                "施工许可{permit}，20个工作日期限的最后一日{deadline}就是运行日，当日尚未逾期"),
    ProjectCase(6_500_000, D(2026, 4, 8), ((65_000, "银行保函", 12),), False, "学校",
                "新场镇中心小学学生宿舍改造工程",
                "合同金额{contract}，保证金{total}，恰为{ratio}，不低于1%"),
    ProjectCase(126_000_000, D(2025, 11, 3), ((756_000, "银行保函", 8), (630_000, "现金", 15)),
                False, "交通", "S212线青岚段改扩建工程（二标段）",
                "合同金额{contract}，两笔保证金单笔均不足1%，合计{total}为{ratio}，达到1%"),
)  # fmt: skip
"""wage.deposit_missing: no deposit within 20 working days of the permit, or deposits below 1 %
of the contract; exempt below ¥3 M."""


def _wan(amount: Decimal) -> str:
    """¥6,500,000 → 650万元; ¥126,000,000 → 1.26亿元."""
    if amount >= 100_000_000:
        return f"{(amount / 100_000_000).normalize():f}亿元"
    return f"{(amount / 10_000).normalize():f}万元"


def weekday_only_deadline(start: dt.date, n: int) -> dt.date:
    """The deadline a holiday-blind count (Monday–Friday) would give, to show why holidays matter.

    Deliberately wrong; never use it for a real deadline.
    """
    day = start
    while n:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _plant_project(county: County, case: ProjectCase) -> None:
    if not is_working_day(case.permit):
        raise AssertionError(f"permit on a rest day: {case.permit}")
    contract = Decimal(case.contract)
    project = project_row(
        county,
        number=project_number(county, case.permit.year),
        name=case.name,
        kind=case.kind,
        contractor=county.rng.choice(county.contractors),
        contract=contract,
        permit=case.permit,
    )
    county.rows["construction_projects"].append(project)
    total = Decimal(0)
    for amount, method, after in case.deposits:
        paid = add_working_days(case.permit, after)
        county.rows["wage_deposits"].append(deposit_row(project, Decimal(amount), method, paid))
        total += amount
    deadline = add_working_days(case.permit, DEPOSIT_DAYS)
    ratio = total / contract
    figures = {
        "contract_yuan": f"{contract:.2f}",
        "deposit_total_yuan": f"{total:.2f}",
        "deposit_ratio": f"{ratio:.4f}",
        "min_ratio": f"{MIN_RATIO}",
        "exempt_below_yuan": f"{EXEMPT_BELOW:.2f}",
        "permit_date": case.permit.isoformat(),
        "deadline": deadline.isoformat(),
        "as_of": AS_OF.isoformat(),
    }
    text = case.description.format(
        contract=_wan(contract),
        permit=case.permit.isoformat(),
        deadline=deadline.isoformat(),
        total=_wan(total),
        ratio=f"{ratio:.2%}",
        naive=weekday_only_deadline(case.permit, DEPOSIT_DAYS).isoformat(),
    )
    county.plants.append(
        Plant("wage.deposit_missing", project["项目编号"], case.lead, text, figures)
    )


def plant_wage_deposit_missing(county: County) -> None:
    """Plant `WAGE_DEPOSIT_MISSING`."""
    for case in WAGE_DEPOSIT_MISSING:
        _plant_project(county, case)


PLANTERS: tuple[Callable[[County], None], ...] = (
    plant_internet_cafe,
    plant_entertainment,
    plant_tobacco_alcohol_lottery,
    plant_barred_offence,
    plant_wage_deposit_missing,
    plant_kindergarten_name,
    plant_minor_guest,
    plant_esports_minor,
    plant_tattoo_scope,
    plant_mandatory_report,
    plant_soil_fee_unpaid,
    plant_medbeauty_unlicensed,
    plant_transfer_not_transferred,
    plant_benefit_in_custody,
    plant_benefit_deceased,
)
"""One function per model; each adds its rows and records its plants."""
