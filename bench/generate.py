"""City-scale synthetic workload for the benchmark (not part of the tests).

Vectorised with numpy: ten million check-ins are generated in seconds. Coordinates fall in a
city-sized box; identifiers carry valid check characters so that nothing is rejected and the
benchmark measures the import of good data (the common case).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
ID_CHECK = np.array(list("10X98765432"))
USCC_ALPHABET = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"))
USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)])
REGIONS = np.array(["520201", "520203", "520221", "520281", "520102", "520103"])
CENTRE = (104.83, 26.59)
SCHOOL_TYPES = np.array(["幼儿园", "小学", "初中", "高中", "九年一贯制学校", "中等职业学校"])
VENUE_TYPES = np.array(
    ["网吧", "歌舞娱乐", "游艺娱乐", "酒吧", "烟草零售", "酒类零售", "彩票销售", "宾馆", "其他"]
)
SURNAMES = np.array(
    list(
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    )
)
GIVEN = np.array(
    list(
        "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍建国红梅鑫宇浩然子轩梓涵一诺欣怡"
    )
)
OFFENCES = np.array(
    [
        "盗窃罪",
        "诈骗罪",
        "危险驾驶罪",
        "赌博",
        "寻衅滋事罪",
        "故意伤害罪",
        "强制猥亵罪",
        "猥亵儿童罪",
        "强奸罪",
        "猥亵",
        "交通肇事罪",
        "殴打他人",
    ]
)
OUTCOMES = np.array(["有罪判决", "相对不起诉", "行政处罚"])
USCC_PREFIX = "91520203"


@dataclass(frozen=True)
class City:
    """Where one city of the workload lies and what sets its identifiers apart from another
    city's (`bench/province.py` writes a province as several cities): the region codes of its
    people's ID numbers, the prefix of its entities' credit codes, its centre, the first of its
    running numbers (names, licence, project and decision numbers) and its size (1.0: the city
    benchmark)."""

    regions: tuple[str, ...] = tuple(REGIONS.tolist())
    uscc_prefix: str = USCC_PREFIX
    centre: tuple[float, float] = CENTRE
    first: int = 0
    fraction: float = 1.0

    def size(self, n: int) -> int:
        return max(1, round(n * self.fraction))


CITY = City()

# What `write_all` writes, in its order.
DATASETS = (
    "schools",
    "venues",
    "business_registry",
    "medical_licenses",
    "staff_roster",
    "offence_records",
    "construction_projects",
    "wage_deposits",
    "soil_plans",
    "soil_fee_payments",
    "hospital_visits",
    "mandatory_reports",
    "benefit_payments",
    "custody_records",
    "death_records",
    "admin_penalties",
    "case_transfers",
    "hotel_checkins",
)


def id_numbers(
    rng: np.random.Generator,
    n: int,
    year_lo: int = 1950,
    year_hi: int = 2012,
    regions: np.ndarray = REGIONS,
) -> np.ndarray:
    region = regions[rng.integers(0, len(regions), n)]
    days = rng.integers(0, (year_hi - year_lo) * 365, n)
    birth = (np.datetime64(f"{year_lo}-01-01") + days.astype("timedelta64[D]")).astype(str)
    ymd = np.char.replace(birth, "-", "")
    seq = np.char.zfill(rng.integers(0, 1000, n).astype(str), 3)
    first17 = np.char.add(np.char.add(region, ymd), seq)
    digits = np.frombuffer("".join(first17.tolist()).encode(), dtype=np.uint8).reshape(n, 17) - 48
    check = ID_CHECK[(digits * ID_WEIGHTS).sum(axis=1) % 11]
    return np.char.add(first17, check)


def usccs(rng: np.random.Generator, n: int, prefix_text: str = USCC_PREFIX) -> np.ndarray:
    body = rng.integers(0, 31, (n, 9))
    prefix = np.frombuffer(prefix_text.encode(), dtype=np.uint8) - 48
    idx = np.concatenate([np.tile(prefix, (n, 1)), body], axis=1)
    check = (31 - (idx * USCC_WEIGHTS).sum(axis=1) % 31) % 31
    chars = USCC_ALPHABET[np.concatenate([idx, check[:, None]], axis=1)]
    return np.array(["".join(r) for r in chars]) if n < 1000 else _join_rows(chars)


def _join_rows(chars: np.ndarray) -> np.ndarray:
    flat = chars.astype("<U1").view(np.uint32).reshape(chars.shape)
    return flat.copy().view(f"<U{chars.shape[1]}").ravel()


def names(rng: np.random.Generator, n: int) -> np.ndarray:
    s = SURNAMES[rng.integers(0, len(SURNAMES), n)]
    g1 = GIVEN[rng.integers(0, len(GIVEN), n)]
    g2 = np.where(rng.random(n) < 0.6, GIVEN[rng.integers(0, len(GIVEN), n)], "")
    return np.char.add(np.char.add(s, g1), g2)


def coords(
    rng: np.random.Generator, n: int, spread: float = 0.35, centre: tuple[float, float] = CENTRE
) -> tuple[np.ndarray, np.ndarray]:
    return (centre[0] + rng.uniform(-spread, spread, n)).round(6), (
        centre[1] + rng.uniform(-spread, spread, n)
    ).round(6)


def schools(rng: np.random.Generator, n: int = 5000, city: City = CITY) -> pl.DataFrame:
    lon, lat = coords(rng, n, centre=city.centre)
    return pl.DataFrame(
        {
            "学校名称": [f"第{city.first + i}学校" for i in range(n)],
            "学校类型": SCHOOL_TYPES[rng.integers(0, len(SCHOOL_TYPES), n)],
            "统一社会信用代码": usccs(rng, n, city.uscc_prefix),
            "经度": lon,
            "纬度": lat,
            "坐标系": "WGS84",  # a file with coordinates names its system (import.md, require_crs)
        }
    )


def venues(rng: np.random.Generator, n: int = 500_000, city: City = CITY) -> pl.DataFrame:
    lon, lat = coords(rng, n, centre=city.centre)
    return pl.DataFrame(
        {
            "场所名称": [f"场所{city.first + i}" for i in range(n)],
            "统一社会信用代码": usccs(rng, n, city.uscc_prefix),
            "场所类型": VENUE_TYPES[rng.integers(0, len(VENUE_TYPES), n)],
            "经度": lon,
            "纬度": lat,
            "坐标系": np.where(rng.random(n) < 0.3, "GCJ02", "WGS84"),
            "经营状态": np.where(rng.random(n) < 0.9, "在营", "注销"),
        }
    )


_FILLER_TEXT = """日用杂品销售 五金产品零售 家用电器销售 服装服饰零售 鞋帽零售 针纺织品销售 文具用品零售 办公用品销售
    体育用品及器材零售 玩具销售 母婴用品销售 化妆品零售 个人卫生用品销售 珠宝首饰零售 工艺美术品及收藏品零售
    乐器零售 礼品花卉销售 宠物食品及用品零售 农副产品销售 水产品零售 鲜肉零售 新鲜水果零售 酒类经营 茶具销售
    电子产品销售 计算机软硬件及辅助设备零售 通讯设备销售 汽车零配件零售 机动车修理和维护 洗车服务 停车场服务
    道路货物运输 普通货物仓储服务 国内货物运输代理 装卸搬运 包装服务 会议及展览服务 企业管理咨询 市场营销策划
    广告设计、代理 广告制作 图文设计制作 摄影扩印服务 婚庆礼仪服务 组织文化艺术交流活动 票务代理服务 家政服务
    洗染服务 理发服务 保洁服务 物业管理 房地产经纪 住房租赁 园林绿化工程施工 室内装饰装修 建筑装饰材料销售
    金属材料销售 塑料制品销售 纸制品销售 货物进出口 技术进出口 技术服务、技术开发、技术咨询 数据处理服务
    网络技术服务 互联网销售（除销售需要许可的商品） 人力资源服务 劳务服务（不含劳务派遣） 健身休闲活动
    棋牌室服务 足浴服务 专业保洁、清洗、消毒服务 食用农产品零售 粮油零售 烟草制品零售 出版物零售 眼镜销售
    钟表销售 自行车修理 电动自行车销售 家具销售 灯具销售 卫生洁具销售 建筑用石加工"""
FILLER_ITEMS = np.array(_FILLER_TEXT.split())
"""Ordinary scope items, none of them a medical-beauty or tattoo word or negation. A registry's
scopes are lists of such items: 2 M entities get about 660,000 different scopes of 97 characters
on average (83 items, a prime number, see `registry`)."""


def _own_generator(rng: np.random.Generator) -> np.random.Generator:
    """A generator of its own, spawned from `rng`'s seed, for a column added to a table later:
    its draws leave `rng`'s, and so every other table's, as they were."""
    return np.random.default_rng(rng.bit_generator.seed_seq.spawn(1)[0])  # type: ignore[attr-defined]


@functools.cache
def _filler_tails() -> np.ndarray:
    """Every list of ordinary items a scope can end with, each with its leading "；": the
    `count` items from `start` by `step` (modulo the prime number of items) at
    `(start * items + step) * 25 + count`. 174,000 strings: the scopes are built from them
    without a matrix of two million by 24 items (9.8 GiB)."""
    items = len(FILLER_ITEMS)
    tails = np.empty(items * items * 25, dtype=object)
    for start in range(items):
        for step in range(items):
            tail, at = "", (start * items + step) * 25
            tails[at] = tail
            for count in range(1, 25):
                tail += "；" + str(FILLER_ITEMS[(start + (count - 1) * step) % items])
                tails[at + count] = tail
    return tails


def registry(rng: np.random.Generator, n: int = 2_000_000, city: City = CITY) -> pl.DataFrame:
    # Shares as in a real registry: tattoo and medical-beauty businesses are a fraction of a
    # percent of all market entities.
    scopes = np.array(
        [
            "日用百货销售；食品销售",
            "餐饮服务",
            "美容服务（不含医疗美容）；美甲服务",
            "文身服务",
            "文身服务（除面向未成年人）",
            "医疗美容服务；美容服务",
            "建筑工程施工；建筑材料销售",
            "软件开发；信息技术咨询服务",
        ]
    )
    share = np.array([0.35, 0.2, 0.05, 0.001, 0.001, 0.003, 0.2, 0.195])
    codes = usccs(rng, n, city.uscc_prefix)  # drawn in the order they always were
    first = scopes[rng.choice(len(scopes), n, p=share / share.sum())]
    # Then 0 to 24 ordinary items, distinct within a scope (a start and a step modulo the prime
    # number of items), from their own generator so that the draws above and every later table
    # stay as they were. With eight scopes only, DuckDB's Parquet reader tested keyword filters
    # once per dictionary entry, which no real registry allows.
    more = _own_generator(rng)
    items = len(FILLER_ITEMS)
    count = more.integers(0, 25, n)
    start = more.integers(0, items, n)
    step = more.integers(1, items, n)
    return pl.DataFrame(
        {
            "企业名称": [f"企业{city.first + i}有限公司" for i in range(n)],
            "统一社会信用代码": codes,
            "经营范围": pl.Series(first)
            + pl.Series(_filler_tails()[(start * items + step) * 25 + count]),
            "成立日期": days(rng, "2000-01-01", 9000, n),
        }
    )


def staff(
    rng: np.random.Generator,
    people: np.ndarray,
    n: int = 200_000,
    employers_n: int = 4000,
    prefix: str = USCC_PREFIX,
) -> pl.DataFrame:
    employers = usccs(rng, employers_n, prefix)
    pick = rng.integers(0, len(employers), n)
    return pl.DataFrame(
        {
            "单位名称": [f"单位{i}" for i in pick],
            "单位统一社会信用代码": employers[pick],
            "单位类别": np.array(["学校", "幼儿园", "校外培训机构", "托育机构"])[pick % 4],
            "姓名": names(rng, n),
            "公民身份号码": people[:n],
            "入职日期": (
                np.datetime64("2005-01-01") + rng.integers(0, 7000, n).astype("timedelta64[D]")
            ).astype(str),
        }
    )


def offences(
    rng: np.random.Generator, people: np.ndarray, n: int = 1_000_000, staff_n: int = 200_000
) -> pl.DataFrame:
    # About 2 % of the staff appear among the offenders; the rest are other people.
    who = np.where(
        rng.random(n) < 0.004,
        people[rng.integers(0, staff_n, n)],
        people[rng.integers(staff_n, len(people), n)],
    )
    return pl.DataFrame(
        {
            "姓名": names(rng, n),
            "公民身份号码": who,
            "罪名或违法行为": OFFENCES[rng.integers(0, len(OFFENCES), n)],
            "处理结果": OUTCOMES[rng.integers(0, len(OUTCOMES), n)],
            "处理日期": (
                np.datetime64("2000-01-01") + rng.integers(0, 9000, n).astype("timedelta64[D]")
            ).astype(str),
        }
    )


def checkins(
    rng: np.random.Generator, people: np.ndarray, hotels: np.ndarray, n: int
) -> pl.DataFrame:
    start = np.datetime64("2024-01-01T00:00") + rng.integers(0, 366 * 24 * 60, n).astype(
        "timedelta64[m]"
    )
    return pl.DataFrame(
        {
            "旅馆名称": "宾馆",
            "旅馆统一社会信用代码": hotels[rng.integers(0, len(hotels), n)],
            "房间号": rng.integers(100, 1000, n).astype(str),
            "房间类型": np.where(rng.random(n) < 0.05, "电竞房", "标准间"),
            "姓名": names(rng, n),
            "公民身份号码": people[rng.integers(0, len(people), n)],
            "入住时间": np.char.replace(start.astype(str), "T", " "),
            "监护人联系方式": np.where(rng.random(n) < 0.97, "13800000000", ""),
            "同住人关系": np.where(rng.random(n) < 0.98, "父子", ""),
        }
    )


def projects(
    rng: np.random.Generator, n: int = 20_000, city: City = CITY
) -> tuple[pl.DataFrame, pl.DataFrame]:
    nos = np.array([f"P{city.first + i:07d}" for i in range(n)])
    contractors = usccs(rng, n, city.uscc_prefix)
    amount = rng.integers(1_000_000, 200_000_000, n)
    permit = (
        np.datetime64("2024-01-01") + rng.integers(0, 700, n).astype("timedelta64[D]")
    ).astype(str)
    has = rng.random(n) < 0.9
    ratio = np.where(rng.random(n) < 0.95, 0.012, 0.004)
    p = pl.DataFrame(
        {
            "项目编号": nos,
            "项目名称": [f"工程{city.first + i}" for i in range(n)],
            "施工总承包单位": "建设公司",
            "总承包单位统一社会信用代码": contractors,
            "合同金额": amount.astype(str),
            "施工许可日期": permit,
        }
    )
    d = pl.DataFrame(
        {
            "项目编号": nos[has],
            "缴存单位统一社会信用代码": contractors[has],
            "缴存方式": "现金",
            "缴存金额": (amount[has] * ratio[has]).round(2).astype(str),
            "缴存日期": permit[has],
        }
    )
    return p, d


def days(rng: np.random.Generator, start: str, span: int, n: int) -> np.ndarray:
    return (np.datetime64(start) + rng.integers(0, span, n).astype("timedelta64[D]")).astype(str)


def medical(
    rng: np.random.Generator, registry_codes: np.ndarray, n: int = 20_000, city: City = CITY
) -> pl.DataFrame:
    subjects = np.array(
        ["内科；外科", "医疗美容科；美容外科", "口腔科", "美容皮肤科", "预防保健科"]
    )
    return pl.DataFrame(
        {
            "机构名称": [f"医疗机构{city.first + i}" for i in range(n)],
            "统一社会信用代码": registry_codes[rng.integers(0, len(registry_codes), n)],
            "执业许可证号": [f"PDY{city.first + i:08d}" for i in range(n)],
            "诊疗科目": subjects[rng.integers(0, len(subjects), n)],
            "有效期至": days(rng, "2024-01-01", 2000, n),
        }
    )


_DIAGNOSIS_TEXT = """急性上呼吸道感染 慢性胃炎 急性胃肠炎 支气管炎 肺炎 扁桃体炎 咽炎 鼻窦炎 过敏性鼻炎 支气管哮喘 腹泻 便秘
    阑尾炎 胆囊炎 肾结石 尿路感染 高血压 糖尿病 冠心病 心律失常 贫血 头痛 偏头痛 失眠 腰椎间盘突出 颈椎病
    关节炎 桡骨下端骨折 胫骨骨折 踝关节扭伤 软组织挫伤 头皮裂伤 面部擦伤 手指切割伤 犬咬伤 烫伤 湿疹 荨麻疹
    痤疮 皮炎 龋齿 牙周炎 结膜炎 近视 中耳炎 水痘 手足口病 流行性感冒 发热 腹痛 咳嗽 晕厥 脑震荡 鼻出血
    牙外伤 肱骨髁上骨折 锁骨骨折 腕关节扭伤 膝关节挫伤"""
DIAGNOSES = np.array(_DIAGNOSIS_TEXT.split())
"""Diagnosis names, none of them a word report.mandatory looks for: a visit's diagnosis is one
to three of them (about 200,000 different texts in 2 M visits; it was one word for all)."""


def hospital_visits(
    rng: np.random.Generator, people: np.ndarray, hospitals: np.ndarray, n: int = 2_000_000
) -> pl.DataFrame:
    codes = np.array(["J06.9", "K29.7", "O04.9", "Z32.1", "T74.1", "A54.9", "S52.5", "I10"])
    weights = np.array([0.4, 0.3, 0.01, 0.01, 0.002, 0.003, 0.1, 0.175])
    frame = pl.DataFrame(
        {
            "医疗机构名称": "医院",
            "医疗机构统一社会信用代码": hospitals[rng.integers(0, len(hospitals), n)],
            "患者姓名": names(rng, n),
            "公民身份号码": people[rng.integers(0, len(people), n)],
            "就诊日期": days(rng, "2025-01-01", 540, n),
            "诊断编码": codes[rng.choice(len(codes), n, p=weights / weights.sum())],
        }
    )
    more = _own_generator(rng)
    count = more.integers(1, 4, n)
    first, second, third = (
        pl.Series(DIAGNOSES[more.integers(0, len(DIAGNOSES), n)]) for _ in "abc"
    )
    diagnosis = (
        pl.select(
            pl.when(pl.lit(count) == 1)
            .then(pl.lit(first))
            .when(pl.lit(count) == 2)
            .then(pl.concat_str(pl.lit(first), pl.lit(second), separator="，"))
            .otherwise(pl.concat_str(pl.lit(first), pl.lit(second), pl.lit(third), separator="，"))
        )
        .to_series()
        .alias("诊断名称")
    )
    return frame.insert_column(5, diagnosis)


def mandatory_reports(
    rng: np.random.Generator, visits: pl.DataFrame, n: int = 20_000
) -> pl.DataFrame:
    pick = visits.sample(n, seed=int(rng.integers(0, 1 << 30)))
    return pl.DataFrame(
        {
            "报告单位": "医院",
            "报告单位统一社会信用代码": pick["医疗机构统一社会信用代码"],
            "被害人公民身份号码": pick["公民身份号码"],
            "报告日期": pick["就诊日期"],
        }
    )


def benefits(
    rng: np.random.Generator, people: np.ndarray, n_people: int = 250_000, months: int = 24
) -> pl.DataFrame:
    who = people[rng.integers(0, len(people), n_people)]
    month = (np.datetime64("2024-07") + np.arange(months)).astype(str)
    kinds = np.array(["城乡低保", "城乡居民养老金", "职工养老金", "高龄补贴"])
    kind = kinds[rng.integers(0, len(kinds), n_people)]
    return pl.DataFrame(
        {
            "姓名": np.repeat(names(rng, n_people), months),
            "公民身份号码": np.repeat(who, months),
            "待遇类型": np.repeat(kind, months),
            "发放年月": np.tile(month, n_people),
            "发放金额": np.repeat(rng.integers(300, 4000, n_people).astype(str), months),
        }
    )


def custody(rng: np.random.Generator, people: np.ndarray, n: int = 30_000) -> pl.DataFrame:
    kinds = np.array(["有期徒刑", "拘役", "缓刑", "社区矫正", "刑事拘留"])
    start = np.datetime64("2023-01-01") + rng.integers(0, 1000, n).astype("timedelta64[D]")
    end = start + rng.integers(30, 1500, n).astype("timedelta64[D]")
    return pl.DataFrame(
        {
            "姓名": names(rng, n),
            "公民身份号码": people[rng.integers(0, len(people), n)],
            "羁押类型": kinds[rng.integers(0, len(kinds), n)],
            "收押日期": start.astype(str),
            "释放日期": np.where(rng.random(n) < 0.3, "", end.astype(str)),
        }
    )


def deaths(rng: np.random.Generator, people: np.ndarray, n: int = 60_000) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "姓名": names(rng, n),
            "公民身份号码": people[rng.integers(0, len(people), n)],
            "死亡日期": days(rng, "2023-01-01", 1300, n),
        }
    )


def penalties(
    rng: np.random.Generator, n: int = 200_000, city: City = CITY
) -> tuple[pl.DataFrame, pl.DataFrame]:
    kinds = np.array(
        ["销售伪劣产品", "非法经营卷烟", "无照经营", "超范围经营", "生产、销售伪劣产品"]
    )
    amounts = np.round(rng.lognormal(mean=8.5, sigma=1.3, size=n)).astype(np.int64) + 100
    nos = np.array([f"某市监罚〔2025〕{city.first + i}号" for i in range(n)])
    p = pl.DataFrame(
        {
            "处罚决定书文号": nos,
            "执法机关": "市场监督管理局",
            "当事人": [f"当事人{city.first + i}" for i in range(n)],
            "违法类型": kinds[rng.integers(0, len(kinds), n)],
            # Most penalties are small; a few percent reach a criminal threshold.
            "涉案金额": amounts.astype(str),
            "处罚日期": days(rng, "2024-01-01", 900, n),
        }
    )
    # Agencies transfer most, not all, of the cases that reach a threshold.
    moved = (amounts >= 50_000) & (rng.random(n) < 0.9)
    t = pl.DataFrame(
        {"处罚决定书文号": nos[moved], "移送日期": days(rng, "2024-03-01", 900, int(moved.sum()))}
    )
    return p, t


def soil(
    rng: np.random.Generator, project_nos: np.ndarray, city: City = CITY
) -> tuple[pl.DataFrame, pl.DataFrame]:
    n = len(project_nos) // 2
    nos = project_nos[:n]
    fee = rng.integers(10_000, 2_000_000, n)
    plans = pl.DataFrame(
        {
            "项目编号": nos,
            "批复文号": [f"水保许〔2024〕{city.first + i}号" for i in range(n)],
            "批复日期": days(rng, "2023-06-01", 500, n),
            "核定补偿费": fee.astype(str),
        }
    )
    paid = rng.random(n) < 0.85
    pays = pl.DataFrame(
        {
            "项目编号": nos[paid],
            "缴费单位统一社会信用代码": usccs(rng, int(paid.sum()), city.uscc_prefix),
            "实缴金额": np.where(
                rng.random(int(paid.sum())) < 0.9, fee[paid], fee[paid] // 2
            ).astype(str),
            "缴费日期": days(rng, "2024-01-01", 500, int(paid.sum())),
        }
    )
    return plans, pays


def write_all(
    out: Path, seed: int = 1, city: City = CITY, only: frozenset[str] | None = None
) -> dict[str, list[Path]]:
    """Write every dataset as CSV files (check-ins as monthly-sized files of 1M rows); a
    `city` other than the benchmark's is another city of a province (`bench/province.py`).

    With `only`, just those datasets are written. The others are still generated (each draws
    from the one random generator in turn), so what is written equals the full run's files."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    n = city.size
    prefix = city.uscc_prefix
    people = id_numbers(rng, n(3_000_000), regions=np.array(city.regions))
    files: dict[str, list[Path]] = {}

    def save(dataset: str, frame: pl.DataFrame, part: int = 0) -> None:
        if only is not None and dataset not in only:
            return
        path = out / f"{dataset}-{part:02d}.csv"
        frame.write_csv(path)
        files.setdefault(dataset, []).append(path)

    save("schools", schools(rng, n(5000), city))
    save("venues", venues(rng, n(500_000), city))
    reg = registry(rng, n(2_000_000), city)
    save("business_registry", reg)
    registry_codes = reg["统一社会信用代码"].to_numpy()[: n(200_000)]
    del reg
    save("medical_licenses", medical(rng, registry_codes, n(20_000), city))
    save("staff_roster", staff(rng, people, n(200_000), n(4000), prefix))
    save("offence_records", offences(rng, people, n(1_000_000), n(200_000)))
    p, d = projects(rng, n(20_000), city)
    save("construction_projects", p)
    save("wage_deposits", d)
    plans, pays = soil(rng, p["项目编号"].to_numpy(), city)
    save("soil_plans", plans)
    save("soil_fee_payments", pays)
    visits = hospital_visits(rng, people, usccs(rng, n(300), prefix), n(2_000_000))
    save("hospital_visits", visits)
    save("mandatory_reports", mandatory_reports(rng, visits, n(20_000)))
    del visits
    save("benefit_payments", benefits(rng, people, n(250_000)))
    save("custody_records", custody(rng, people, n(30_000)))
    save("death_records", deaths(rng, people, n(60_000)))
    pen, moved = penalties(rng, n(200_000), city)
    save("admin_penalties", pen)
    save("case_transfers", moved)
    hotels = usccs(rng, n(3000), prefix)
    for part in range(10):
        save("hotel_checkins", checkins(rng, people, hotels, n(1_000_000)), part)
    return files


def write_xlsx(path: Path, rows: int = 1_000_000, seed: int = 2) -> Path:
    """A 1,000,000-row staff roster as an agency would export it from Excel.

    Text goes to the shared-string table, as Excel and WPS write it (xlsxwriter's
    constant_memory mode would write inline strings, a larger and slower-to-read sheet).
    """
    import xlsxwriter

    rng = np.random.default_rng(seed)
    frame = staff(rng, id_numbers(rng, rows), rows)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("从业人员")
    sheet.write_string(0, 0, "某市2024年密切接触未成年人单位从业人员名单")
    for j, h in enumerate(frame.columns):
        sheet.write_string(1, j, h)
    for i, row in enumerate(frame.iter_rows(), start=2):
        for j, v in enumerate(row):
            sheet.write_string(i, j, v)
    book.close()
    return path
