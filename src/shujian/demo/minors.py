"""The county's children and the rows of the juvenile datasets (护苗 / 预警) that concern them.

A `Minor` is a child of the county with a town, a village (村 or 社区), the school of their age
in that town (or none) and a guardian; the helping units are the categories' lead units in the
minor's town (`lead_unit`). The row builders (`register`, `assign`, `visit`, `conduct`,
`dropout`, `login`) write one line of a dataset each, with clean values in the canonical columns
and, in `_written`, the words the agency's file uses. The background (`juvenile.py`) and the
plants (`plants_juvenile.py`, `plants_netcafe.py`) are built from them.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from shujian.demo import names
from shujian.demo.county import AS_OF, REGION_CODE, County, Person, School

D = dt.date

HELPER_UNIT = "青岚县妇联"
"""The helping unit of the demonstration's helper account: the seat's single-parent minors."""

LAST_DAY = AS_OF - dt.timedelta(days=1)
"""The agencies exported their files on the run date: nothing in them is dated later than this."""

FOUR = ("本人", "家庭", "学校", "社区")

CATEGORY_NAMES = {
    "single_parent": "单亲、离异家庭未成年人",
    "care_gap": "孤儿、事实无人抚养儿童、困境儿童、农村留守儿童",
    "idle_after_school": "完成义务教育阶段后待业未成年人",
    "misconduct": "不良行为未成年人",
    "serious_misconduct": "严重不良行为未成年人",
    "corrections": "社区矫正和刑满释放未成年人",
}

SUBCATEGORIES: dict[str, tuple[tuple[str, int], ...]] = {
    "single_parent": (("单亲", 40), ("离异", 60)),
    "care_gap": (("农村留守儿童", 60), ("困境儿童", 25), ("事实无人抚养儿童", 10), ("孤儿", 5)),
    "idle_after_school": (("初中毕业未升学", 70), ("辍学", 30)),
    "misconduct": (("沉迷网络", 25), ("多次旷课、逃学", 25), ("吸烟、饮酒", 20), ("夜不归宿", 20),
                   ("进入未成年人不宜进入的场所", 10)),
    "serious_misconduct": (("盗窃", 35), ("寻衅滋事", 25), ("殴打、辱骂、恐吓他人", 15),
                           ("携带管制刀具", 10), ("吸食毒品", 5), ("触法", 10)),
    "corrections": (("社区矫正", 70), ("刑满释放", 30)),
}  # fmt: skip
"""细类 per category, with weights; each is also a form the file may write in 类别."""

WRITTEN: dict[str, tuple[str, ...]] = {
    "single_parent": ("单亲、离异家庭未成年人", "单亲离异", "單親離異"),
    "care_gap": ("孤儿、事实无人抚养儿童、困境儿童、农村留守儿童", "困境留守"),
    "idle_after_school": ("完成义务教育阶段后待业未成年人", "待业"),
    "misconduct": ("不良行为未成年人", "不良行为", "不良行為"),
    "serious_misconduct": ("严重不良行为未成年人", "严重不良行为", "嚴重不良行為"),
    "corrections": ("社区矫正和刑满释放未成年人",),
}
"""How the lead units write 类别 besides the 细类: full name, short name, traditional characters."""

_WITHDRAWAL_REASONS = {
    "single_parent": ("家庭情况好转", "迁出本县"),
    "care_gap": ("父母返乡照料", "迁出本县", "家庭情况好转"),
    "idle_after_school": ("已就业", "已复学（就读中职）"),
    "misconduct": ("帮教期满，表现良好",),
    "serious_misconduct": ("帮教期满，表现良好",),
    "corrections": ("矫正期满",),
}


# ---- ages -----------------------------------------------------------------------------------


def age_on(birth: dt.date, day: dt.date) -> int:
    """周岁 on `day`: an age is reached on the day after the birthday (datasets.md)."""
    return day.year - birth.year - ((day.month, day.day) <= (birth.month, birth.day))


def birthday(birth: dt.date, years: int) -> dt.date:
    """The `years`th birthday (29 February's is 28 February in a non-leap year: 民法典 art. 202)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return D(birth.year + years, 2, 28)


def last_minor_day(birth: dt.date) -> dt.date:
    """The 18th birthday: the last day on which the person is still a minor."""
    return birthday(birth, 18)


def month_firsts(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of the months from `first`'s to `last`'s, inclusive."""
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def month_last(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


# ---- minors and their places ------------------------------------------------------------------


@dataclass(frozen=True)
class Minor:
    """A child of the county: where they live, go to school, and who answers for them."""

    person: Person
    town: names.Town
    village: str
    school: str
    """就读学校 as the register writes it ("" when not at school)."""
    guardian: Person | None
    guardian_name: str
    guardian_phone: str

    @property
    def id_number(self) -> str:
        return self.person.id_number

    @property
    def name(self) -> str:
        return self.person.name


def pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([w for w, _ in weighted], [n for _, n in weighted])[0]


def town_of(rng: random.Random) -> names.Town:
    """A town, weighted as the county's population is (the seat's 街道 most)."""
    return rng.choices(names.TOWNS, weights=(6, 4, 4, 2, 1.5, 1.5, 1.5, 1, 1))[0]


def real_schools(county: County) -> list[School]:
    """The schools of the list, but those planted for the kindergarten-name rule."""
    planted = {p.subject for p in county.plants if p.model == "kindergarten.name"}
    return [s for s in county.schools if s.uscc not in planted]


def school_for(county: County, town: names.Town, birth: dt.date, on: dt.date = AS_OF) -> str:
    """The school a child born on `birth` goes to in `town` on `on` (nearest kind, same town)."""
    age = age_on(birth, on)
    if age < 6:
        return ""
    if age < 12:
        kinds: tuple[str, ...] = ("小学", "九年一贯制学校")
    elif age < 15:
        kinds = ("初中", "九年一贯制学校", "完全中学")
    else:
        kinds = ("高中", "完全中学", "中等职业学校")
    schools = [s for s in real_schools(county) if s.school_type in kinds]
    local = [s for s in schools if s.town == town]
    return county.rng.choice(local or schools).name


def new_minor(
    county: County,
    born_from: dt.date,
    born_to: dt.date,
    *,
    town: names.Town | None = None,
    male: bool | None = None,
    school: str | None = None,
    grandparent: bool = False,
) -> Minor:
    """A child born in [born_from, born_to], mostly born in the county, with a guardian.

    `school` None: the school of the child's age in the town (none from 15 on, four times in
    ten); a string: that school ("" for none).
    """
    rng = county.rng
    region = REGION_CODE if rng.random() < 0.8 else None
    person = county.new_person(born_from, born_to, male=male, region=region)
    town = town or town_of(rng)
    village = rng.choice(names.VILLAGES[town.name])
    if school is None:
        teen = age_on(person.birth, AS_OF) >= 15
        school = "" if teen and rng.random() < 0.4 else school_for(county, town, person.birth)
    years = (48, 62) if grandparent else (22, 38)
    parent_born = person.birth.year - rng.randint(*years)
    guardian = county.new_person(
        D(parent_born, 1, 1), D(parent_born, 12, 28), region=region or REGION_CODE
    )
    guardian_name = guardian.name
    if guardian.male:  # the father's surname is the child's
        guardian_name = person.name[0] + guardian.name[1:]
        guardian = Person(guardian_name, guardian.id_number, guardian.birth, guardian.male)
    return Minor(person, town, village, school, guardian, guardian_name, names.phone_number(rng))


def minor_born(county: County, birth: dt.date, **kw: Any) -> Minor:
    """A child born exactly on `birth`."""
    return new_minor(county, birth, birth, **kw)


# ---- helping units ---------------------------------------------------------------------------


def police_station(town: names.Town) -> str:
    return f"青岚县公安局{town.name[:2]}派出所"


def lead_unit(category: str, town: names.Town) -> str:
    """The unit that takes on a minor of `category` in `town` (the category's lead unit there)."""
    seat = town.name.endswith("街道")
    return {
        "single_parent": HELPER_UNIT if seat else f"{town.name}妇联",
        "care_gap": "青岚县民政局" if seat else f"{town.name}人民政府",
        "idle_after_school": "青岚县教育局" if seat else f"{town.name}人民政府",
        "misconduct": police_station(town),
        "serious_misconduct": police_station(town),
        "corrections": f"青岚县司法局{town.name[:2]}司法所",
    }[category]


def staff_of(county: County, unit: str) -> tuple[str, str]:
    """One of `unit`'s staff who take on minors (name, phone): two to four per unit."""
    rng = county.rng
    staff = county.unit_staff.get(unit)
    if staff is None:
        staff = [
            (names.person_name(rng, rng.random() < 0.45), names.phone_number(rng))
            for _ in range(rng.randint(2, 4))
        ]
        county.unit_staff[unit] = staff
    return rng.choice(staff)


_MODES = {
    "一对一": ("一对一", "一对一", "1对1", "一对一帮扶"),
    "一对多": ("一对多", "一对多包保"),
    "多对一": ("多对一", "多对1"),
}


# ---- rows --------------------------------------------------------------------------------------


def register(
    county: County,
    minor: Minor,
    category: str,
    identified: dt.date,
    *,
    subcategory: str | None = None,
    withdrawn: dt.date | None = None,
    reason: str = "",
    written: str | None = None,
    style: str = "plain",
) -> dict[str, Any]:
    """One register line: `minor` in `category` from `identified` (until `withdrawn`)."""
    rng = county.rng
    sub = subcategory or pick(rng, SUBCATEGORIES[category])
    if withdrawn is not None and not reason:
        reason = rng.choice(_WITHDRAWAL_REASONS[category])
    row = {
        "姓名": minor.name,
        "公民身份号码": minor.id_number,
        "类别": category,
        "细类": sub,
        "认定日期": identified,
        "所属乡镇（街道）": minor.town.name,
        "村（社区）": minor.village,
        "就读学校": minor.school,
        "监护人姓名": minor.guardian_name,
        "监护人公民身份号码": minor.guardian.id_number if minor.guardian else "",
        "监护人联系电话": minor.guardian_phone,
        "退出日期": withdrawn,
        "退出原因": reason if withdrawn else "",
        "_written": written or rng.choice((*WRITTEN[category], sub)),
        "_style": style,
    }
    county.rows["key_minors"].append(row)
    return row


def assign(
    county: County,
    minor: Minor,
    unit: str,
    started: dt.date,
    ended: dt.date | None = None,
    *,
    mode: str = "一对一",
    responsible: tuple[str, str] | None = None,
) -> tuple[str, str]:
    """One assignment of `minor` to `unit` (one of its staff, or `responsible`); returns who."""
    name, phone = responsible or staff_of(county, unit)
    county.rows["minor_assignments"].append(
        {
            "公民身份号码": minor.id_number,
            "包保单位": unit,
            "包保责任人": name,
            "责任人联系电话": phone,
            "包保方式": mode,
            "开始日期": started,
            "结束日期": ended,
            "_written": county.rng.choice(_MODES[mode]),
        }
    )
    return name, phone


def _target_words(minor: Minor) -> dict[str, tuple[str, ...]]:
    committee = "居委会" if minor.village.endswith("社区") else "村委会"
    return {
        "本人": ("本人", "本人", "未成年人本人", "帮扶对象本人"),
        "家庭": ("家长", "家长", "监护人", "家庭成员", "父母"),
        "学校": ("老师", "班主任", "学校老师", "学校"),
        "社区": (committee, committee, "村（居）委会", "社区（村）负责人"),
    }


_SEPARATORS = ("、", "、", "、", "，", "/", " ")
_HELPS = ("帮学业", "帮技能", "帮法治", "帮安全", "帮习惯")
_MEASURES = ("", "", "", "", "心理辅导", "家庭教育指导", "矫治教育", "心理疏导", "家庭教育")
_NOTES = (
    "了解近期学习生活情况，情绪稳定",
    "与监护人沟通，督促落实监护责任",
    "班主任反映在校表现有进步",
    "讲解法律常识，签订帮扶承诺书",
    "村（居）委会反映近期无不良行为",
    "提醒远离网吧等不适宜场所",
    "开展心理疏导，建立联系台账",
    "",
)


def visit(
    county: County,
    minor: Minor,
    day: dt.date,
    targets: tuple[str, ...],
    visitor: str,
    *,
    written: str | None = None,
) -> None:
    """One visit of `minor` on `day` that met `targets` (of the four), worded as the helper did."""
    rng = county.rng
    if written is None:
        words = _target_words(minor)
        written = rng.choice(_SEPARATORS).join(rng.choice(words[t]) for t in targets)
    helps = rng.sample(_HELPS, rng.randint(0, 2))
    if rng.random() < 0.3:  # written without 帮, or the older 法制
        helps = [h.removeprefix("帮").replace("法治", "法制") for h in helps]
    county.rows["minor_visits"].append(
        {
            "公民身份号码": minor.id_number,
            "走访日期": day,
            "走访对象": "、".join(t for t in FOUR if t in targets),
            "走访人": visitor,
            "帮扶内容": "、".join(helps),
            "帮扶措施": rng.choice(_MEASURES),
            "记录": rng.choice(_NOTES),
            "_written": written,
        }
    )


def visit_month(
    county: County,
    minor: Minor,
    first: dt.date,
    last: dt.date,
    visitors: tuple[str, str],
    school: bool,
) -> None:
    """The 四访 of one month, all required targets, on days in [first, last].

    `visitors` are the main helper and the one of the village (or the same twice). The visits
    come as one joint visit, two (the minor and family; school and village) or three.
    """
    rng = county.rng
    span = (last - first).days
    targets = tuple(t for t in FOUR if school or t != "学校")
    if span < 2:
        visit(county, minor, first, targets, visitors[0])
        return
    days = sorted(first + dt.timedelta(days=d) for d in rng.sample(range(span + 1), 3))
    shape = rng.choices(("joint", "two", "three"), (25, 50, 25))[0]
    if shape == "joint":
        visit(county, minor, days[1], targets, visitors[0])
    elif shape == "two":
        visit(county, minor, days[0], ("本人", "家庭"), visitors[0])
        visit(county, minor, days[2], targets[2:], visitors[1])
    else:
        visit(county, minor, days[0], ("本人",), visitors[0])
        visit(county, minor, days[1], ("家庭",), visitors[0])
        visit(county, minor, days[2], targets[2:], visitors[1])


def visit_every_month(
    county: County,
    minor: Minor,
    first: dt.date,
    last: dt.date,
    visitors: tuple[str, str],
    skip: frozenset[dt.date] = frozenset(),
) -> None:
    """Complete 四访 in every month from `first`'s to `last`'s (within [first, last]), but the
    months whose first days are in `skip`."""
    for month in month_firsts(first, last):
        if month in skip:
            continue
        a, b = max(first, month), min(last, month_last(month))
        visit_month(county, minor, a, b, visitors, bool(minor.school))


def conduct(
    county: County,
    minor: Minor,
    day: dt.date,
    conduct_class: str,
    act: str,
    *,
    measures: str = "",
    written: str | None = None,
) -> None:
    """One police record of `minor`'s conduct, handled by the station of the minor's town."""
    county.rows["minor_conduct"].append(
        {
            "姓名": minor.name,
            "公民身份号码": minor.id_number,
            "行为日期": day,
            "行为类别": conduct_class,
            "行为": act,
            "处置措施": measures,
            "处置单位": police_station(minor.town),
            "_written": written or conduct_class,
        }
    )


def dropout(
    county: County,
    minor: Minor,
    school: str,
    stage: str,
    left: dt.date,
    returned: dt.date | None,
    reason: str,
    *,
    written: str | None = None,
) -> None:
    """One line of the 控辍保学 ledger: `minor` left `school` (学段 `stage`) on `left`."""
    county.rows["school_dropouts"].append(
        {
            "姓名": minor.name,
            "公民身份号码": minor.id_number,
            "学校": school,
            "学段": stage,
            "离校日期": left,
            "劝返日期": returned,
            "原因": reason,
            "_written": written or stage,
        }
    )


def login(
    county: County,
    venue: dict[str, Any],
    person: Person,
    started: dt.datetime,
    ended: dt.datetime | None,
    style: str = "plain",
) -> None:
    """One 上网实名登记 line: `person` at the 网吧 `venue` (a venues row)."""
    county.rows["netcafe_logins"].append(
        {
            "场所名称": venue["场所名称"],
            "场所统一社会信用代码": venue["统一社会信用代码"],
            "姓名": person.name,
            "公民身份号码": person.id_number,
            "上机时间": started,
            "下机时间": ended,
            "_style": style,
        }
    )


# ---- schools and 网吧 ---------------------------------------------------------------------------

_GRADES = "一二三四五六"


def stage_of(birth: dt.date, day: dt.date) -> tuple[str, str]:
    """(学段, grade as a teacher writes it) of a pupil born on `birth` on `day`."""
    age = age_on(birth, day)
    if age < 12:
        grade = min(max(age - 6, 0), 5)
        return "小学", f"{_GRADES[grade]}年级"
    grade = min(age - 12, 2)
    return "初中", ("初一", "初二", "初三", "七年级", "八年级", "九年级")[grade + 3 * (age % 2)]


def open_netcafes(county: County) -> list[dict[str, Any]]:
    """The 网吧 of the venues list in business, but those planted near schools."""
    planted = {p.subject for p in county.plants}
    return [
        v for v in county.rows["venues"]
        if v["场所类型"] == "网吧" and v["经营状态"] == "在营"
        and v["统一社会信用代码"] not in planted and v["_style"] == "plain"
    ]  # fmt: skip
