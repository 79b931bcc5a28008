"""Background administrative penalties and the cases transferred to the police.

The county's enforcement agencies decide about 170 penalties in 2025–2026. Where a violation type
has a criminal threshold in the transfer model's table (伪劣产品, 非法经营, 卷烟), the amount
involved stays below ¥40,000, well under the ¥50,000 thresholds; other violation types keep to
amounts that no criminal threshold of the table speaks of. A few penalties were transferred to
the police anyway (the transfer platform holds them), as happens when an agency suspects more
than it can prove. So `transfer.not_transferred` finds nothing here, and neither does the review
list `transfer.review` (the types that only resemble a thresholded one, such as 违反规定异地购进卷烟,
stay below the thresholds too).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shujian.demo import names
from shujian.demo.county import AS_OF, County, random_working_day

FIRST_DAY = dt.date(2025, 1, 2)
POLICE = f"{names.COUNTY}公安局"


@dataclass(frozen=True)
class Agency:
    """An enforcement agency: its name and how its decision numbers read."""

    name: str
    number: str
    """Decision-number pattern with {year} and {n}."""


AGENCIES = {
    "市场监管": Agency(f"{names.COUNTY}市场监督管理局", "青市监处罚〔{year}〕{n}号"),
    "烟草": Agency(f"{names.COUNTY}烟草专卖局", "青烟罚〔{year}〕第{n}号"),
    "交通": Agency(f"{names.COUNTY}交通运输局", "青交执罚〔{year}〕{n}号"),
    "环境": Agency("六盘水市生态环境局青岚分局", "六环罚〔{year}〕青{n}号"),
    "应急": Agency(f"{names.COUNTY}应急管理局", "（青）应急罚〔{year}〕{n}号"),
    "文旅": Agency(f"{names.COUNTY}文化旅游局", "青文旅罚〔{year}〕{n}号"),
    "农业": Agency(f"{names.COUNTY}农业农村局", "青农罚〔{year}〕{n}号"),
    "自然资源": Agency(f"{names.COUNTY}自然资源局", "青自然资罚〔{year}〕{n}号"),
}

# (agency, 违法类型, 涉案金额 range in yuan, fine as a multiple of it (or a flat range), weight)
_CASES: tuple[tuple[str, str, tuple[int, int], tuple[float, float], int], ...] = (
    ("市场监管", "销售过期食品", (300, 12_000), (2.0, 5.0), 14),
    ("市场监管", "未取得食品经营许可从事食品经营", (1_000, 25_000), (1.0, 3.0), 10),
    ("市场监管", "销售伪劣产品", (2_000, 38_000), (0.5, 2.0), 8),
    ("市场监管", "销售不合格产品", (800, 20_000), (0.5, 2.0), 6),
    ("市场监管", "发布虚假广告", (1_000, 30_000), (1.0, 3.0), 4),
    ("市场监管", "不明码标价", (0, 0), (500, 5_000), 5),
    ("烟草", "无烟草专卖零售许可证经营烟草制品零售业务", (600, 18_000), (0.1, 0.5), 10),
    ("烟草", "非法经营卷烟", (3_000, 35_000), (0.5, 1.0), 6),
    ("烟草", "违反规定异地购进卷烟", (1_500, 22_000), (0.05, 0.2), 5),
    ("交通", "车辆超限运输", (0, 0), (500, 30_000), 18),
    ("交通", "未取得道路运输经营许可擅自从事道路客运", (200, 8_000), (3.0, 10.0), 8),
    ("环境", "超标排放大气污染物", (0, 0), (100_000, 300_000), 3),
    ("环境", "未批先建", (0, 0), (50_000, 200_000), 2),
    ("应急", "未按规定对从业人员进行安全生产教育培训", (0, 0), (10_000, 50_000), 5),
    ("文旅", "互联网上网服务营业场所接纳未成年人", (0, 0), (2_000, 15_000), 4),
    ("农业", "销售假农药", (500, 9_000), (5.0, 10.0), 3),
    ("自然资源", "非法占用土地建房", (0, 0), (3_000, 40_000), 5),
)  # fmt: skip

_RECEIVERS = (POLICE, POLICE, f"{POLICE}经济犯罪侦查大队", f"{POLICE}食品药品环境犯罪侦查大队")


def decision_number(county: County, agency: Agency, year: int) -> str:
    """The agency's next decision number of `year`."""
    prefix = agency.number.split("{year}")[0]
    count = sum(
        1
        for r in county.rows["admin_penalties"]
        if r["处罚决定书文号"].startswith(prefix) and f"〔{year}〕" in r["处罚决定书文号"]
    )
    return agency.number.format(year=year, n=count + 1)


def penalty_row(
    county: County,
    *,
    agency: Agency,
    party: str,
    party_id: str,
    violation: str,
    involved: Decimal,
    fine: Decimal,
    decided: dt.date,
    style: str = "plain",
) -> dict[str, Any]:
    """One decision line; `style` says how the 涉案金额 is written (plain, wan, commas)."""
    return {
        "处罚决定书文号": decision_number(county, agency, decided.year),
        "执法机关": agency.name,
        "当事人": party,
        "当事人证件号码": party_id,
        "违法类型": violation,
        "涉案金额": involved,
        "罚没金额": fine,
        "处罚日期": decided,
        "_style": style,
    }


def transfer_row(decision_no: str, day: dt.date, receiver: str = POLICE) -> dict[str, Any]:
    """One line of the transfer platform."""
    return {"处罚决定书文号": decision_no, "移送日期": day, "接收机关": receiver}


_PARTIES: dict[str, tuple[float, tuple[str, ...]]] = {
    "市场监管": (0.8, ("食品", "日用百货", "药品", "五金", "餐饮")),
    "烟草": (0.5, ("烟草",)),
    "交通": (0.2, ("建设工程施工",)),
    "环境": (1.0, ("建设工程施工",)),
    "应急": (1.0, ("建设工程施工", "食品销售")),
    "文旅": (1.0, ("互联网上网服务", "娱乐性经营", "游艺娱乐")),
    "农业": (0.5, ("农副产品",)),
    "自然资源": (0.1, ("建设工程施工",)),
}
"""Per agency: the share of parties that are businesses, and words of their business scope."""


def party(county: County, agency: str) -> tuple[str, str]:
    """A party the agency would deal with: a business of its trade (credit code) or a person."""
    rng = county.rng
    share, words = _PARTIES[agency]
    if rng.random() < share:
        fitting = [
            e
            for e in county.rows["business_registry"]
            if e["登记状态"] == "存续" and any(w in e["经营范围"] for w in words)
        ]
        if fitting:
            entity = rng.choice(fitting)
            return entity["企业名称"], entity["统一社会信用代码"]
    person = county.new_person(dt.date(1960, 1, 1), dt.date(2002, 12, 31), male=rng.random() < 0.75)
    return person.name, person.id_number


def _amount(low: int, high: int, rng_value: float) -> Decimal:
    if high == 0:
        return Decimal(0)
    return Decimal(round(low + (high - low) * rng_value, -1 if high < 5_000 else -2))


def build_penalties(county: County) -> None:
    """About 170 decisions of 2025-01 … 2026-10, and eight transfers among them."""
    rng = county.rng
    for _ in range(170):
        key, violation, (low, high), (f_low, f_high), _w = rng.choices(
            _CASES, weights=[c[4] for c in _CASES]
        )[0]
        involved = _amount(low, high, rng.random())
        if involved:
            fine = (involved * Decimal(str(round(rng.uniform(f_low, f_high), 1)))).quantize(
                Decimal(1)
            )
        else:
            fine = Decimal(round(rng.uniform(f_low, f_high), -2))
        name, party_id = party(county, key)
        decided = random_working_day(rng, FIRST_DAY, AS_OF - dt.timedelta(days=3))
        style = rng.choices(["plain", "commas", "wan"], [60, 30, 10])[0]
        county.rows["admin_penalties"].append(
            penalty_row(
                county,
                agency=AGENCIES[key],
                party=name,
                party_id=party_id,
                violation=violation,
                involved=involved,
                fine=fine,
                decided=decided,
                style=style,
            )
        )
    candidates = [r for r in county.rows["admin_penalties"] if r["涉案金额"] >= 10_000]
    for row in rng.sample(candidates, min(8, len(candidates))):
        day = min(row["处罚日期"] + dt.timedelta(days=rng.randint(1, 20)), AS_OF)
        county.rows["case_transfers"].append(
            transfer_row(row["处罚决定书文号"], day, rng.choice(_RECEIVERS))
        )
