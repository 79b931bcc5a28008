"""Background market-entity register and medical-institution licences.

Every venue, contractor and training company of the county is a market entity with a business
scope (经营范围) worded in the style of the 经营范围规范表述目录. The five background tattoo studios
carry "文身服务（除面向未成年人）" as the 2022 tattoo rules require, and no background scope names
医疗美容, injections, 整形 or 激光美容; so `tattoo.scope` and `medbeauty.unlicensed` only find
plants. The licences are those of the county's hospitals, township health centres and clinics.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from shujian.demo import names
from shujian.demo.county import REGION_CODE, County, Institution

# ---- business register -----------------------------------------------------------------------

_SCOPES: dict[str, tuple[str, ...]] = {
    "网吧": ("许可项目：互联网上网服务；食品销售。一般项目：日用百货销售；计算机软硬件及辅助设备零售",),
    "歌舞娱乐": ("许可项目：娱乐性经营（歌舞娱乐）；酒类经营；餐饮服务。一般项目：食品销售（仅销售预包装食品）",),
    "游艺娱乐": ("许可项目：游艺娱乐活动。一般项目：玩具销售；日用百货销售",),
    "酒吧": ("许可项目：酒类经营；餐饮服务。一般项目：食品销售（仅销售预包装食品）",),
    "烟草零售": ("许可项目：烟草制品零售；食品销售。一般项目：日用百货销售；文具用品零售",),
    "酒类零售": ("许可项目：酒类经营。一般项目：食品销售（仅销售预包装食品）",),
    "彩票销售": ("一般项目：彩票代销；日用百货销售",),
    "宾馆": ("许可项目：住宿服务；餐饮服务。一般项目：会议及展览服务",),
    "电竞酒店": ("许可项目：住宿服务。一般项目：电子竞技赛事活动组织；会议及展览服务",),
    "文身": ("一般项目：文身服务（除面向未成年人）；美甲服务",
             "一般项目：文身服务（除面向未成年人）；服装服饰零售"),
    "桌球": ("一般项目：台球活动；体育用品及器材零售",),
}  # fmt: skip

_OTHER_SCOPES = {
    "超市": "许可项目：食品销售。一般项目：日用百货销售；农副产品销售",
    "餐馆": "许可项目：餐饮服务。一般项目：食品销售（仅销售预包装食品）",
    "理发店": "一般项目：理发服务；生活美容服务；美甲服务",
    "五金店": "一般项目：五金产品零售；建筑材料销售",
    "药房": "许可项目：药品零售。一般项目：第二类医疗器械销售；保健食品（预包装）销售",
    "奶茶店": "许可项目：餐饮服务。一般项目：食品销售（仅销售预包装食品）",
}

_STATUS = {"在营": "存续", "停业": "存续", "注销": "注销", "吊销": "吊销，未注销"}


def registry_row(
    county: County,
    *,
    name: str,
    uscc: str,
    scope: str,
    address: str,
    founded: dt.date,
    status: str = "存续",
    style: str = "plain",
) -> dict[str, Any]:
    """One register line; the entity type follows from the credit code (91 company, 92 个体)."""
    rng = county.rng
    kind = {
        "91": "有限责任公司（自然人投资或控股）",
        "92": "个体工商户",
        "52": "民办非企业单位",
    }.get(uscc[:2], "其他")
    return {
        "企业名称": name,
        "统一社会信用代码": uscc,
        "市场主体类型": kind,
        "法定代表人": names.person_name(rng, rng.random() < 0.6),
        "经营范围": scope,
        "住所": address,
        "成立日期": founded,
        "登记状态": status,
        "_style": style,
    }


def founding_date(rng: random.Random, earliest: int = 2008) -> dt.date:
    """A registration date between `earliest` and mid-2025."""
    start = dt.date(earliest, 1, 1)
    return start + dt.timedelta(days=rng.randint(0, (dt.date(2025, 6, 30) - start).days))


def _company_name(venue: dict[str, Any]) -> str:
    """个体工商户 trade under the shop sign; companies add 有限公司 to it."""
    sign = venue["场所名称"]
    if venue["统一社会信用代码"].startswith("91"):
        return sign if sign.startswith(names.COUNTY) else f"{names.COUNTY}{sign}有限公司"
    return sign


def build_registry(county: County) -> None:
    """About 450 entities: the venues, the contractors and the training companies."""
    rng = county.rng
    seen: set[str] = set()
    for venue in county.rows["venues"]:
        uscc = venue["统一社会信用代码"]
        if uscc in seen:
            continue
        seen.add(uscc)
        kind = venue["场所类型"]
        if kind == "其他":
            scope = next(
                (s for word, s in _OTHER_SCOPES.items() if venue["场所名称"].endswith(word)),
                "一般项目：日用百货销售",
            )
        else:
            scope = rng.choice(_SCOPES[kind])
        county.rows["business_registry"].append(
            registry_row(
                county,
                name=_company_name(venue),
                uscc=uscc,
                scope=scope,
                address=venue["地址"],
                founded=founding_date(rng),
                status=_STATUS[venue["经营状态"]],
            )
        )
    for name, uscc in county.contractors:
        if uscc[2:8] != REGION_CODE:
            continue  # registered elsewhere in the province
        county.rows["business_registry"].append(
            registry_row(
                county,
                name=name,
                uscc=uscc,
                scope="许可项目：建设工程施工；公路管理与养护；建筑劳务分包。"
                "一般项目：园林绿化工程施工；建筑材料销售",
                address=names.address(rng, rng.choice(names.TOWNS[:3]), full=True),
                founded=founding_date(rng, 2003),
            )
        )
    for unit in county.units:
        if unit.category == "校外培训机构" and unit.uscc.startswith("91"):
            county.rows["business_registry"].append(
                registry_row(
                    county,
                    name=unit.name,
                    uscc=unit.uscc,
                    scope="一般项目：教育咨询服务（不含涉许可审批的教育培训活动）；"
                    "组织文化艺术交流活动",
                    address=names.address(rng, rng.choice(names.TOWNS[:3])),
                    founded=founding_date(rng, 2016),
                )
            )


# ---- medical-institution licences ------------------------------------------------------------

_HOSPITAL_SUBJECTS = (
    "预防保健科；内科；外科；妇产科；妇科专业；产科专业；儿科；眼科；耳鼻咽喉科；口腔科；皮肤科；"
    "医疗美容科；美容外科；急诊医学科；康复医学科；麻醉科；医学检验科；病理科；医学影像科；中医科"
)
_TCM_SUBJECTS = (
    "内科；外科；妇产科；儿科；针灸科；推拿科；康复医学科；医学检验科；医学影像科；中医科"
)
_MCH_SUBJECTS = (
    "妇女保健科；儿童保健科；妇产科；妇科专业；产科专业；儿科；计划生育专业；医学检验科；医学影像科"
)
_CENTRE_SUBJECTS = (
    "预防保健科；全科医疗科；内科；外科；妇产科；儿科；中医科；医学检验科；医学影像科"
)

_CLINICS: tuple[tuple[str, str], ...] = (
    ("{s}氏口腔诊所", "口腔科"),
    ("{s}{g}中医诊所", "中医科"),
    ("{s}{g}内科诊所", "内科"),
    ("{w}口腔门诊部", "口腔科、医学影像科"),
    ("{s}{g}中医诊所", "中医科；针灸科"),
    ("{w}妇科诊所", "妇产科,妇科专业"),
    ("{s}{g}儿科诊所", "儿科"),
    ("{w}中西医结合诊所", "中西医结合科；内科"),
)
"""Private clinics: name pattern and licensed subjects (written with the separators clerks use)."""


def licence_number(rng: random.Random, uscc: str, kind: str) -> str:
    """A 登记号: organisation code, region code, category code and a serial."""
    category = {"医院": "11", "中医医院": "12", "妇幼保健院": "51", "卫生院": "21", "门诊部": "31"}
    return f"{uscc[8:17]}{REGION_CODE}{category.get(kind, '42')}{rng.choice('ABCD')}{rng.randint(1001, 9999)}"


def licence_row(
    rng: random.Random, institution: Institution, subjects: str, valid_until: dt.date
) -> dict[str, Any]:
    """One licence line."""
    return {
        "机构名称": institution.name,
        "统一社会信用代码": institution.uscc,
        "执业许可证号": licence_number(rng, institution.uscc, institution.kind),
        "诊疗科目": subjects,
        "有效期至": valid_until,
    }


def _valid_until(rng: random.Random) -> dt.date:
    """Licences run five years; background ones are all still valid on the run date."""
    return dt.date(rng.randint(2027, 2031), rng.choice((3, 6, 9, 12)), rng.choice((1, 15, 28)))


def build_medical(county: County) -> None:
    """Licences of the county's hospitals, health centres and clinics (about 25)."""
    rng = county.rng
    public = (
        (f"{names.COUNTY}人民医院", "医院", _HOSPITAL_SUBJECTS),
        (f"{names.COUNTY}中医医院", "中医医院", _TCM_SUBJECTS),
        (f"{names.COUNTY}妇幼保健院", "妇幼保健院", _MCH_SUBJECTS),
    )
    for name, kind, subjects in public:
        institution = Institution(name, county.new_uscc("12", prefix=""), kind)
        county.hospitals.append(institution)
        county.rows["medical_licenses"].append(
            licence_row(rng, institution, subjects, _valid_until(rng))
        )
    for town in names.TOWNS:
        seat = town.name.endswith("街道")
        name = f"{names.COUNTY}{town.name}{'社区卫生服务中心' if seat else '卫生院'}"
        institution = Institution(name, county.new_uscc("12", prefix=""), "卫生院")
        county.hospitals.append(institution)
        county.rows["medical_licenses"].append(
            licence_row(rng, institution, _CENTRE_SUBJECTS, _valid_until(rng))
        )
    for k, (pattern, subjects) in enumerate(_CLINICS * 2):
        surname = rng.choice(list(names.SURNAMES)[:40])
        name = names.COUNTY + pattern.format(
            s=surname, g=rng.choice("德仁春康济安"), w=rng.choice(("仁爱", "康宁", "博爱", "济民"))
        )
        if any(h.name == name for h in county.hospitals):
            continue
        company = "门诊部" in name or k % 4 == 3
        uscc = county.new_uscc("91" if company else "92")
        institution = Institution(name, uscc, "门诊部" if "门诊部" in name else "诊所")
        county.hospitals.append(institution)
        county.rows["medical_licenses"].append(
            licence_row(rng, institution, subjects, _valid_until(rng))
        )
        town = rng.choice(names.TOWNS[:4])
        county.rows["business_registry"].append(
            registry_row(
                county,
                name=name,
                uscc=uscc,
                scope="许可项目：诊所服务；医疗服务。一般项目：健康咨询服务（不含诊疗服务）",
                address=names.address(rng, town),
                founded=founding_date(rng, 2010),
            )
        )
