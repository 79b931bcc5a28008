"""The demonstration county 青岚县: its state while being built, and its tables.

The county is fictional, but its identifiers are real enough to pass validation: it borrows the
administrative code 520203 (六枝特区, 六盘水市, 贵州) and that area's coordinates, so ID numbers
and credit codes carry a region code that exists in GB/T 2260.

The build has two stages. The *background* (`campus.py`, `people.py`, `projects.py`,
`hotels.py`, `registry.py`, `health.py`, `soil.py`, `penalties.py`, `benefits.py`) is the
ordinary county, everything that must produce no lead: schools at least `SCHOOL_SPACING_M` apart,
venues at least `BACKGROUND_CLEARANCE_M` from every school, staff with clean records, projects
with their wage deposits and soil fees paid, minors registered with a guardian's number, tattoo
scopes annotated, children's visits without a watched diagnosis, penalties under the criminal
thresholds, nobody paid in prison or after death. The *plants* (`plants.py`,
`plants_minors.py`, `plants_admin.py`) then add the planted cases next to specific schools,
hotels, people and projects, where they cannot interfere with each other. The juvenile datasets
(`juvenile.py`, their plants in `plants_juvenile.py` and `plants_netcafe.py`) come last, after
the rows are put in order, so that adding them changed no earlier file.

Tables use the canonical Chinese headers of the dataset contract and clean values (dates as dates,
amounts as decimals). Columns whose name starts with `_` are generator metadata (true WGS-84
positions, how a value is to be mangled on writing) and never reach a file; making the files look
like real agency exports is `files.py`'s job.

The wage arrears of labour inspection (`arrears.py`, plants in `plants_arrears.py`) come after
those, for the same reason.

To add a dataset: add its schema to `SCHEMAS`, a `build_*` function to `generate.BACKGROUND`, a
writer to `files.WRITERS`, and its plants to `plants.PLANTERS` (or both to a stage at the end of
`generate.build_county`, like `generate.JUVENILE` with its row order in `arrange_juvenile`, to
leave the other files as they are).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from shujian.calendar import is_working_day
from shujian.demo import geo, names
from shujian.demo import identifiers as ids
from shujian.demo.manifest import Plant

AS_OF = dt.date(2026, 10, 20)
"""The fixed "today" of the demonstration: run the models with `--as-of 2026-10-20`."""

REGION_CODE = "520203"
"""GB/T 2260 code borrowed for 青岚县 (六枝特区, a current code) so identifiers validate."""

CENTRE = (105.48, 26.21)
"""County seat (lon, lat), WGS-84."""

SCHOOL_SPACING_M = 700.0
"""No two schools closer than this, so a venue planted ≤ 215 m from one school is far from all
others."""

BACKGROUND_CLEARANCE_M = 300.0
"""Ordinary venues stay this far from every school: beyond every distance rule plus a margin."""

CRS_LABELS = {"WGS84": "WGS84", "GPS": "WGS84", "GCJ02": "GCJ02", "火星坐标": "GCJ02"}
"""Values written in a 坐标系 column and the CRS each means."""

SCHEMAS: dict[str, dict[str, Any]] = {
    "schools": {
        "学校名称": pl.Utf8,
        "学校类型": pl.Utf8,
        "办学性质": pl.Utf8,
        "统一社会信用代码": pl.Utf8,
        "地址": pl.Utf8,
        "经度": pl.Float64,
        "纬度": pl.Float64,
        "_note": pl.Utf8,
        "_style": pl.Utf8,
    },
    "venues": {
        "场所名称": pl.Utf8,
        "统一社会信用代码": pl.Utf8,
        "场所类型": pl.Utf8,
        "许可证号": pl.Utf8,
        "地址": pl.Utf8,
        "经度": pl.Float64,
        "纬度": pl.Float64,
        "坐标系": pl.Utf8,
        "经营状态": pl.Utf8,
        "联系电话": pl.Utf8,
        "_wgs84_lon": pl.Float64,
        "_wgs84_lat": pl.Float64,
        "_style": pl.Utf8,
    },
    "staff_roster": {
        "单位名称": pl.Utf8,
        "单位统一社会信用代码": pl.Utf8,
        "单位类别": pl.Utf8,
        "姓名": pl.Utf8,
        "公民身份号码": pl.Utf8,
        "岗位": pl.Utf8,
        "入职日期": pl.Date,
        "_unit_order": pl.Int32,
        "_style": pl.Utf8,
    },
    "offence_records": {
        "姓名": pl.Utf8,
        "公民身份号码": pl.Utf8,
        "罪名或违法行为": pl.Utf8,
        "处理结果": pl.Utf8,
        "处理日期": pl.Date,
        "文书编号": pl.Utf8,
        "_style": pl.Utf8,
    },
    "construction_projects": {
        "项目编号": pl.Utf8,
        "项目名称": pl.Utf8,
        "施工总承包单位": pl.Utf8,
        "总承包单位统一社会信用代码": pl.Utf8,
        "合同金额": pl.Decimal(18, 2),
        "施工许可日期": pl.Date,
        "开工日期": pl.Date,
        "竣工日期": pl.Date,
        "项目状态": pl.Utf8,
        "项目类型": pl.Utf8,
        "占地面积": pl.Float64,
    },
    "wage_deposits": {
        "项目编号": pl.Utf8,
        "缴存单位统一社会信用代码": pl.Utf8,
        "缴存方式": pl.Utf8,
        "缴存金额": pl.Decimal(18, 2),
        "缴存日期": pl.Date,
    },
    "hotel_checkins": {
        "旅馆名称": pl.Utf8,
        "旅馆统一社会信用代码": pl.Utf8,
        "房间号": pl.Utf8,
        "房间类型": pl.Utf8,
        "姓名": pl.Utf8,
        "公民身份号码": pl.Utf8,
        "入住时间": pl.Datetime("us"),
        "退房时间": pl.Datetime("us"),
        "监护人联系方式": pl.Utf8,
        "同住人关系": pl.Utf8,
        "_style": pl.Utf8,
    },
    "business_registry": {
        "企业名称": pl.Utf8,
        "统一社会信用代码": pl.Utf8,
        "市场主体类型": pl.Utf8,
        "法定代表人": pl.Utf8,
        "经营范围": pl.Utf8,
        "住所": pl.Utf8,
        "成立日期": pl.Date,
        "登记状态": pl.Utf8,
        "_style": pl.Utf8,
    },
    "medical_licenses": {
        "机构名称": pl.Utf8,
        "统一社会信用代码": pl.Utf8,
        "执业许可证号": pl.Utf8,
        "诊疗科目": pl.Utf8,
        "有效期至": pl.Date,
    },
    "hospital_visits": {
        "医疗机构名称": pl.Utf8,
        "医疗机构统一社会信用代码": pl.Utf8,
        "患者姓名": pl.Utf8,
        "公民身份号码": pl.Utf8,
        "就诊日期": pl.Date,
        "诊断名称": pl.Utf8,
        "诊断编码": pl.Utf8,
        "_style": pl.Utf8,
    },
    "mandatory_reports": {
        "报告单位": pl.Utf8,
        "报告单位统一社会信用代码": pl.Utf8,
        "被害人公民身份号码": pl.Utf8,
        "报告日期": pl.Date,
    },
    "soil_plans": {
        "项目编号": pl.Utf8,
        "批复文号": pl.Utf8,
        "批复日期": pl.Date,
        "防治责任范围面积": pl.Float64,
        "核定补偿费": pl.Decimal(18, 2),
    },
    "soil_fee_payments": {
        "项目编号": pl.Utf8,
        "缴费单位统一社会信用代码": pl.Utf8,
        "应缴金额": pl.Decimal(18, 2),
        "实缴金额": pl.Decimal(18, 2),
        "缴费日期": pl.Date,
    },
    "admin_penalties": {
        "处罚决定书文号": pl.Utf8,
        "执法机关": pl.Utf8,
        "当事人": pl.Utf8,
        "当事人证件号码": pl.Utf8,
        "违法类型": pl.Utf8,
        "涉案金额": pl.Decimal(18, 2),
        "罚没金额": pl.Decimal(18, 2),
        "处罚日期": pl.Date,
        "_style": pl.Utf8,
    },
    "case_transfers": {
        "处罚决定书文号": pl.Utf8,
        "移送日期": pl.Date,
        "接收机关": pl.Utf8,
    },
    # One row per worker per labour-inspection case; 处理状态 canonical, `_written` as the file
    # writes it (已结清, 未付, 已移送公安机关), `_style` how the credit code is written.
    "wage_arrears": {
        "监察案件编号": pl.Utf8,
        "用人单位": pl.Utf8,
        "用人单位统一社会信用代码": pl.Utf8,
        "劳动者姓名": pl.Utf8,
        "公民身份号码": pl.Utf8,
        "拖欠月数": pl.Int32,
        "拖欠金额": pl.Decimal(18, 2),
        "责令支付文书号": pl.Utf8,
        "责令支付日期": pl.Date,
        "限期支付日期": pl.Date,
        "已支付金额": pl.Decimal(18, 2),
        "处理状态": pl.Utf8,
        "登记日期": pl.Date,
        "_written": pl.Utf8,
        "_style": pl.Utf8,
    },
    "benefit_payments": {
        "姓名": pl.Utf8,
        "公民身份号码": pl.Utf8,
        "待遇类型": pl.Utf8,
        "发放年月": pl.Date,
        "发放金额": pl.Decimal(18, 2),
        "_style": pl.Utf8,
    },
    "custody_records": {
        "姓名": pl.Utf8,
        "公民身份号码": pl.Utf8,
        "羁押类型": pl.Utf8,
        "收押日期": pl.Date,
        "释放日期": pl.Date,
    },
    "death_records": {
        "姓名": pl.Utf8,
        "公民身份号码": pl.Utf8,
        "死亡日期": pl.Date,
    },
    # The juvenile datasets (护苗 / 预警): 类别 holds the category's code, 走访对象 the four targets
    # as stored (本人、家庭), 行为类别 and 学段 their canonical values, 包保方式 its own; `_written`
    # holds the value as the agency's file writes it (单亲离异, 家长、老师, 一般不良行为, 八年级, 1对1).
    "key_minors": {
        "姓名": pl.Utf8,
        "公民身份号码": pl.Utf8,
        "类别": pl.Utf8,
        "细类": pl.Utf8,
        "认定日期": pl.Date,
        "所属乡镇（街道）": pl.Utf8,
        "村（社区）": pl.Utf8,
        "就读学校": pl.Utf8,
        "监护人姓名": pl.Utf8,
        "监护人公民身份号码": pl.Utf8,
        "监护人联系电话": pl.Utf8,
        "退出日期": pl.Date,
        "退出原因": pl.Utf8,
        "_written": pl.Utf8,
        "_style": pl.Utf8,
    },
    "minor_assignments": {
        "公民身份号码": pl.Utf8,
        "包保单位": pl.Utf8,
        "包保责任人": pl.Utf8,
        "责任人联系电话": pl.Utf8,
        "包保方式": pl.Utf8,
        "开始日期": pl.Date,
        "结束日期": pl.Date,
        "_written": pl.Utf8,
    },
    "minor_visits": {
        "公民身份号码": pl.Utf8,
        "走访日期": pl.Date,
        "走访对象": pl.Utf8,
        "走访人": pl.Utf8,
        "帮扶内容": pl.Utf8,
        "帮扶措施": pl.Utf8,
        "记录": pl.Utf8,
        "_written": pl.Utf8,
    },
    "minor_conduct": {
        "姓名": pl.Utf8,
        "公民身份号码": pl.Utf8,
        "行为日期": pl.Date,
        "行为类别": pl.Utf8,
        "行为": pl.Utf8,
        "处置措施": pl.Utf8,
        "处置单位": pl.Utf8,
        "_written": pl.Utf8,
    },
    "school_dropouts": {
        "姓名": pl.Utf8,
        "公民身份号码": pl.Utf8,
        "学校": pl.Utf8,
        "学段": pl.Utf8,
        "离校日期": pl.Date,
        "劝返日期": pl.Date,
        "原因": pl.Utf8,
        "_written": pl.Utf8,
    },
    "netcafe_logins": {
        "场所名称": pl.Utf8,
        "场所统一社会信用代码": pl.Utf8,
        "姓名": pl.Utf8,
        "公民身份号码": pl.Utf8,
        "上机时间": pl.Datetime("us"),
        "下机时间": pl.Datetime("us"),
        "_style": pl.Utf8,
    },
}
"""Per dataset: canonical headers (and `_` metadata columns) with their types, in file order."""

BROKEN_STYLES = frozenset({"excel_truncated", "wrong_check", "letter_o"})
"""`_style` values that make a row invalid: the importer must reject these rows."""


@dataclass(frozen=True)
class School:
    """A school or kindergarten and where it stands (WGS-84, rounded as written)."""

    name: str
    school_type: str
    nature: str
    uscc: str
    town: names.Town
    street: str
    lon: float
    lat: float


@dataclass(frozen=True)
class Unit:
    """An employer on the staff roster (a 密切接触未成年人单位)."""

    name: str
    uscc: str
    category: str
    order: int
    school: School | None = None


@dataclass(frozen=True)
class Hotel:
    """A hotel of the venues list that reports its guests to the police (宾馆 or 电竞酒店).

    `esports_rooms` marks an ordinary hotel with an 电竞房 area, which the 2023 notice treats
    like an e-sports hotel for those rooms.
    """

    name: str
    uscc: str
    venue_type: str
    town: names.Town
    esports_rooms: bool


@dataclass(frozen=True)
class Institution:
    """A medical institution on the licence list (`kind` is 医院, 卫生院, 诊所 …)."""

    name: str
    uscc: str
    kind: str


@dataclass(frozen=True)
class Person:
    """A synthetic person with a valid ID number."""

    name: str
    id_number: str
    birth: dt.date
    male: bool


@dataclass
class County:
    """The county being built: rows per dataset, the truth behind them, and the plants."""

    seed: int
    rng: random.Random
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    schools: list[School] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    contractors: list[tuple[str, str]] = field(default_factory=list)
    developers: list[tuple[str, str]] = field(default_factory=list)
    hotels: list[Hotel] = field(default_factory=list)
    hospitals: list[Institution] = field(default_factory=list)
    unit_staff: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """Per helping unit (包保单位): its staff who take on minors, (name, phone)."""
    plants: list[Plant] = field(default_factory=list)
    _ids: set[str] = field(default_factory=set)
    _usccs: set[str] = field(default_factory=set)
    _taken_schools: set[str] = field(default_factory=set)
    _taken_units: set[str] = field(default_factory=set)
    _taken_hotels: set[str] = field(default_factory=set)

    @classmethod
    def empty(cls, seed: int) -> County:
        """A county with no rows yet; everything random flows from `seed`."""
        return cls(seed=seed, rng=random.Random(seed), rows={name: [] for name in SCHEMAS})

    # ---- identities ----------------------------------------------------------------------

    def new_person(
        self,
        born_from: dt.date,
        born_to: dt.date,
        male: bool | None = None,
        region: str | None = None,
    ) -> Person:
        """A person born in [born_from, born_to] with an ID number no one else in the county has."""
        rng = self.rng
        male = rng.random() < 0.5 if male is None else male
        while True:
            birth = born_from + dt.timedelta(days=rng.randint(0, (born_to - born_from).days))
            code = region or ids.random_region(rng)
            id_number = ids.make_id_number(code, birth, ids.random_sequence(rng, male))
            if id_number not in self._ids:
                self._ids.add(id_number)
                return Person(names.person_name(rng, male), id_number, birth, male)

    def claim_id(self, id_number: str) -> None:
        """Reserve an ID number built elsewhere (e.g. a planted near-duplicate)."""
        if id_number in self._ids:
            raise ValueError(f"ID number already issued: {id_number}")
        self._ids.add(id_number)

    def new_uscc(self, kind: str, region: str = REGION_CODE, prefix: str = "MA6") -> str:
        """A credit code unique in the county; `kind` is positions 1–2 (91, 92, 12, 52 …)."""
        while True:
            code = ids.make_uscc(kind, region, ids.random_org_body(self.rng, prefix))
            if code not in self._usccs:
                self._usccs.add(code)
                return code

    def take_hotel(self, venue_type: str, esports_rooms: bool = False) -> Hotel:
        """A hotel of `venue_type` (宾馆/电竞酒店) not yet used by another plant.

        Ordinary hotels are taken with or without an 电竞房 area as `esports_rooms` says.
        """
        free = [
            h
            for h in self.hotels
            if h.venue_type == venue_type
            and (venue_type != "宾馆" or h.esports_rooms == esports_rooms)
            and h.uscc not in self._taken_hotels
        ]
        if not free:
            raise RuntimeError(f"no unused hotel of type {venue_type} left for a plant")
        hotel = self.rng.choice(free)
        self._taken_hotels.add(hotel.uscc)
        return hotel

    # ---- places ---------------------------------------------------------------------------

    def point_in(self, town: names.Town, spread_m: float) -> tuple[float, float]:
        """A uniformly random WGS-84 point within `spread_m` of the town centre."""
        r = spread_m * math.sqrt(self.rng.random())
        bearing = self.rng.uniform(0.0, 360.0)
        return geo.destination(*town_centre(town), bearing, r)

    def nearest_school_m(self, lon: float, lat: float) -> float:
        """Distance to the nearest school, any type (inf when there is none yet)."""
        return min(
            (geo.haversine_m(lon, lat, s.lon, s.lat) for s in self.schools), default=math.inf
        )

    def take_school(self, *school_types: str) -> School:
        """A school of one of `school_types` not yet used by another plant."""
        free = [
            s
            for s in self.schools
            if s.school_type in school_types and s.uscc not in self._taken_schools
        ]
        if not free:
            raise RuntimeError(f"no unused school of type {school_types} left for a plant")
        school = self.rng.choice(free)
        self._taken_schools.add(school.uscc)
        return school

    def take_unit(self, *categories: str, school_types: tuple[str, ...] = ()) -> Unit:
        """An employer of one of `categories` (and school type) not yet used by a staff plant."""
        free = [
            u
            for u in self.units
            if u.category in categories
            and u.uscc not in self._taken_units
            and (
                not school_types or (u.school is not None and u.school.school_type in school_types)
            )
        ]
        if not free:
            raise RuntimeError(f"no unused unit of category {categories} left for a plant")
        unit = self.rng.choice(free)
        self._taken_units.add(unit.uscc)
        return unit

    # ---- output ---------------------------------------------------------------------------

    def frame(self, dataset: str, metadata: bool = False) -> pl.DataFrame:
        """The dataset as a clean table with canonical headers, before any file mangling.

        With `metadata`, the generator's `_` columns (true WGS-84 positions, write styles) too.
        """
        schema = {c: t for c, t in SCHEMAS[dataset].items() if metadata or not c.startswith("_")}
        rows = [{col: row.get(col) for col in schema} for row in self.rows[dataset]]
        return pl.DataFrame(rows, schema=schema, orient="row")


def town_centre(town: names.Town) -> tuple[float, float]:
    """WGS-84 centre of a town, placed by its east/north offset from the county seat."""
    distance = math.hypot(town.east_m, town.north_m)
    bearing = math.degrees(math.atan2(town.east_m, town.north_m))
    return geo.destination(*CENTRE, bearing, distance)


def round_coord(value: float) -> float:
    """Six decimals (~0.1 m), as GPS devices and map exports write them."""
    return round(value, 6)


def random_working_day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    """A working day in [first, last]: permits and deposits happen on working days."""
    while True:
        day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
        if is_working_day(day):
            return day


def arrange(county: County) -> None:
    """Put rows in the order an agency's export would have them, with plants mixed in."""
    rows = county.rows
    county.rng.shuffle(rows["venues"])
    rows["staff_roster"].sort(key=lambda r: (r["_unit_order"], r["入职日期"], r["公民身份号码"]))
    rows["offence_records"].sort(key=lambda r: (r["处理日期"], r["公民身份号码"]))
    rows["construction_projects"].sort(key=lambda r: (r["施工许可日期"], r["项目编号"]))
    rows["wage_deposits"].sort(key=lambda r: (r["缴存日期"], r["项目编号"]))
    rows["hotel_checkins"].sort(
        key=lambda r: (r["入住时间"], r["旅馆统一社会信用代码"], r["房间号"], r["公民身份号码"])
    )
    rows["business_registry"].sort(key=lambda r: (r["成立日期"], r["统一社会信用代码"]))
    rows["hospital_visits"].sort(key=lambda r: (r["就诊日期"], r["医疗机构统一社会信用代码"]))
    rows["mandatory_reports"].sort(key=lambda r: (r["报告日期"], r["被害人公民身份号码"]))
    rows["soil_plans"].sort(key=lambda r: (r["批复日期"], r["项目编号"]))
    rows["soil_fee_payments"].sort(key=lambda r: (r["缴费日期"], r["项目编号"]))
    rows["admin_penalties"].sort(key=lambda r: (r["处罚日期"], r["处罚决定书文号"]))
    rows["case_transfers"].sort(key=lambda r: (r["移送日期"], r["处罚决定书文号"]))
    rows["benefit_payments"].sort(key=lambda r: (r["发放年月"], r["待遇类型"], r["公民身份号码"]))
    rows["custody_records"].sort(key=lambda r: (r["收押日期"], r["公民身份号码"]))
    rows["death_records"].sort(key=lambda r: (r["死亡日期"], r["公民身份号码"]))


def arrange_arrears(county: County) -> None:
    """Labour inspection's export in case order; the transfer platform's, with the new lines."""
    rows = county.rows
    rows["wage_arrears"].sort(key=lambda r: (r["登记日期"], r["监察案件编号"]))
    rows["case_transfers"].sort(key=lambda r: (r["移送日期"], r["处罚决定书文号"]))


def arrange_juvenile(county: County) -> None:
    """Put the juvenile datasets' rows in the order of the agencies' exports."""
    rows = county.rows
    rows["key_minors"].sort(key=lambda r: (r["认定日期"], r["公民身份号码"], r["类别"]))
    rows["minor_assignments"].sort(
        key=lambda r: (r["开始日期"], r["公民身份号码"], r["包保责任人"])
    )
    rows["minor_visits"].sort(key=lambda r: (r["走访日期"], r["公民身份号码"], r["走访人"]))
    rows["minor_conduct"].sort(key=lambda r: (r["行为日期"], r["处置单位"], r["公民身份号码"]))
    rows["school_dropouts"].sort(key=lambda r: (r["离校日期"], r["学校"], r["公民身份号码"]))
    rows["netcafe_logins"].sort(
        key=lambda r: (r["场所统一社会信用代码"], r["上机时间"], r["公民身份号码"])
    )
