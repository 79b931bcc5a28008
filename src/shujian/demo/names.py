"""Names of people, places and businesses in the fictional 青岚县.

People's surnames follow their frequency in China (the 2020 census ranking, approximate shares,
with the Guizhou-heavy 杨, 吴, 罗, 龙, 石 nudged up), so a roster reads like a real one and common
name clashes (two 王伟) happen as they do in real data — which is exactly why models must match on
ID numbers, never on names. Place names are invented; the county itself is fictional.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

COUNTY = "青岚县"

SURNAMES: dict[str, float] = {
    "王": 7.1, "李": 7.0, "张": 6.7, "刘": 5.4, "陈": 4.6, "杨": 4.2, "黄": 2.3, "赵": 2.0,
    "吴": 2.4, "周": 1.9, "徐": 1.5, "孙": 1.5, "马": 1.4, "朱": 1.3, "胡": 1.3, "郭": 1.2,
    "何": 1.2, "林": 1.0, "罗": 1.5, "高": 1.0, "郑": 0.9, "梁": 0.9, "谢": 0.8, "宋": 0.7,
    "唐": 0.7, "许": 0.6, "韩": 0.6, "冯": 0.6, "邓": 0.6, "曹": 0.6, "彭": 0.6, "曾": 0.5,
    "肖": 0.5, "田": 0.6, "董": 0.5, "潘": 0.5, "袁": 0.5, "蔡": 0.4, "蒋": 0.4, "余": 0.4,
    "于": 0.4, "杜": 0.4, "叶": 0.4, "程": 0.4, "魏": 0.4, "苏": 0.4, "吕": 0.4, "丁": 0.3,
    "任": 0.3, "卢": 0.3, "姚": 0.3, "沈": 0.3, "钟": 0.3, "姜": 0.3, "崔": 0.3, "谭": 0.3,
    "陆": 0.3, "范": 0.3, "汪": 0.3, "廖": 0.3, "石": 0.6, "金": 0.2, "韦": 0.4, "贾": 0.2,
    "夏": 0.2, "付": 0.2, "方": 0.2, "邹": 0.2, "熊": 0.2, "白": 0.2, "孟": 0.2, "秦": 0.2,
    "邱": 0.2, "侯": 0.2, "江": 0.2, "尹": 0.2, "薛": 0.2, "雷": 0.2, "龙": 0.5, "黎": 0.2,
    "陶": 0.2, "贺": 0.2, "毛": 0.2, "顾": 0.1, "龚": 0.2, "邵": 0.1, "万": 0.1, "覃": 0.1,
    "戴": 0.1, "严": 0.1, "莫": 0.1, "向": 0.1, "安": 0.2, "申": 0.1, "班": 0.1, "蒙": 0.1,
}  # fmt: skip

_MALE_CHARS = "伟强磊军勇杰涛明超刚平辉鹏华飞斌宇浩凯健俊帆帅旭宁龙林阳波亮成峰海东文志勤松"
_FEMALE_CHARS = "芳娟敏静丽艳娜燕玲霞婷雪慧琳莉萍红梅兰英倩颖洁晶璐瑶欣悦怡婕妍蓉佳雯琴"
_NEUTRAL_CHARS = "子思雨晨一嘉安心家天诗俊春秋德永清正光兴华国建明金玉小"

_TRADITIONAL = str.maketrans(
    dict(
        zip(
            "陈张刘黄赵吴杨郑许冯邓谢罗龙韩钟苏卢兰丽华国兴东凤阳红艳伟刚军强涛辉鹏飞宁帅园桥区镇"
            "乡县门业宾馆网电乐厅艺场发广汉风岚际纹务饰销医疗诊",
            "陳張劉黃趙吳楊鄭許馮鄧謝羅龍韓鍾蘇盧蘭麗華國興東鳳陽紅艷偉剛軍強濤輝鵬飛寧帥園橋區鎮"
            "鄉縣門業賓館網電樂廳藝場發廣漢風嵐際紋務飾銷醫療診",
            strict=True,
        )
    )
)


def person_name(rng: random.Random, male: bool) -> str:
    """A plausible full name: a surname by frequency and one or two given-name characters."""
    surname = rng.choices(list(SURNAMES), weights=list(SURNAMES.values()))[0]
    pool = _MALE_CHARS if male else _FEMALE_CHARS
    if rng.random() < 0.3:
        return surname + rng.choice(pool)
    first = rng.choice(_NEUTRAL_CHARS + pool)
    return surname + first + rng.choice(pool)


_MOBILE_PREFIXES = (
    "134", "135", "136", "138", "139", "147", "150", "151", "152", "157", "158", "172", "178",
    "182", "183", "187", "188", "195", "198",  # 移动
    "130", "131", "132", "155", "156", "166", "175", "176", "185", "186",  # 联通
    "133", "153", "173", "177", "180", "181", "189", "191", "199",  # 电信
)  # fmt: skip


def phone_number(rng: random.Random) -> str:
    """A mobile number with a China Mobile, Unicom or Telecom prefix."""
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"


def to_traditional(text: str) -> str:
    """Traditional characters, as a few clerks' input methods still produce them."""
    return text.translate(_TRADITIONAL)


@dataclass(frozen=True)
class Town:
    """A 街道 or 镇 of the county: its name, centre (WGS-84), built-up radius and streets."""

    name: str
    east_m: float
    north_m: float
    radius_m: float
    streets: tuple[str, ...]


TOWNS: tuple[Town, ...] = (
    Town("岚城街道", 0, 0, 1900, ("人民路", "解放路", "建设路", "文化路", "岚山大道", "东风路")),
    Town("青山街道", 2600, 1200, 1500, ("青山路", "迎宾大道", "沿河路", "新华路", "钟鼓楼路")),
    Town("翠屏街道", -2300, -1500, 1400, ("翠屏路", "育才路", "红旗路", "兴隆街")),
    Town("新场镇", 11000, 6000, 900, ("新场中街", "兴业路", "农贸街")),
    Town("白岩镇", -9000, 8000, 800, ("白岩街", "滨河路", "学府路")),
    Town("石门镇", 6000, -12000, 800, ("石门大街", "龙井路", "商贸街")),
    Town("清水镇", -13000, -7000, 800, ("清水街", "平安路", "府前路")),
    Town("龙潭镇", 17000, -4000, 700, ("龙潭街", "振兴路")),
    Town("木岗镇", -4000, 15000, 700, ("木岗街", "团结路")),
)
"""The county seat's three 街道 around the centre and six 镇 out to ~18 km."""


def address(rng: random.Random, town: Town, full: bool = False) -> str:
    """A street address in `town`: 青岚县 + 街道/镇 + street + number."""
    number = rng.randint(1, 320)
    prefix = "贵州省" + COUNTY if full else COUNTY
    return f"{prefix}{town.name}{rng.choice(town.streets)}{number}号"


_SHOP_WORDS = "金鑫顺发隆盛兴旺佳乐福星宏达恒通鸿运永利安康华强明珠新时代天成万家瑞祥"

_VENUE_PATTERNS: dict[str, tuple[str, ...]] = {
    "网吧": ("{w}网咖", "{w}网吧", "极速{w}网络会所"),
    "歌舞娱乐": ("{w}KTV", "{w}歌舞厅", "{w}量贩式KTV"),
    "游艺娱乐": ("{w}电玩城", "{w}游艺厅"),
    "酒吧": ("{w}酒吧", "{w}清吧", "{w}音乐酒吧"),
    "烟草零售": ("{w}烟酒店", "{w}便利店", "{w}百货商店", "{w}副食店"),
    "酒类零售": ("{w}酒行", "{w}名酒专卖", "{w}酒业商行"),
    "彩票销售": ("中国福利彩票{n}号投注站", "中国体育彩票{n}号销售网点"),
    "宾馆": ("{w}宾馆", "{w}酒店", "{w}快捷酒店", "{w}旅社"),
    "电竞酒店": ("{w}电竞酒店", "{w}电竞主题酒店"),
    "文身": ("{w}刺青工作室", "{w}纹身店"),
    "桌球": ("{w}台球俱乐部", "{w}桌球室"),
    "其他": ("{w}超市", "{w}餐馆", "{w}理发店", "{w}五金店", "{w}药房", "{w}奶茶店"),
}


def venue_name(rng: random.Random, venue_type: str, town: Town) -> str:
    """A shop sign: town or a lucky word, plus the trade (e.g. 新场镇鑫隆网咖)."""
    pattern = rng.choice(_VENUE_PATTERNS[venue_type])
    word = rng.choice(_SHOP_WORDS) + rng.choice(_SHOP_WORDS)
    if venue_type != "彩票销售" and rng.random() < 0.3:
        word = town.name[:2] + word
    if rng.random() < 0.25:
        return f"{COUNTY}{pattern.format(w=word, n=rng.randint(100, 999))}"
    return pattern.format(w=word, n=f"520203{rng.randint(100, 999)}")


def company_name(rng: random.Random, trade: str) -> str:
    """A limited company name such as 贵州鸿运建设工程有限公司."""
    word = rng.choice(_SHOP_WORDS) + rng.choice(_SHOP_WORDS)
    place = rng.choice(("贵州", "六盘水", "青岚", "贵州省", "黔西"))
    return f"{place}{word}{trade}有限公司"


VILLAGES: dict[str, tuple[str, ...]] = {
    "岚城街道": ("人民路社区", "解放路社区", "东关社区", "文化社区"),
    "青山街道": ("青山社区", "迎宾社区", "沿河社区", "钟鼓楼社区"),
    "翠屏街道": ("翠屏社区", "育才社区", "兴隆社区"),
    "新场镇": ("新场社区", "兴业村", "大坪村", "岩脚村"),
    "白岩镇": ("白岩社区", "河坝村", "龙洞村"),
    "石门镇": ("石门社区", "龙井村", "松林村"),
    "清水镇": ("清水社区", "平安村", "水口村"),
    "龙潭镇": ("龙潭社区", "振兴村", "坪寨村"),
    "木岗镇": ("木岗社区", "团结村", "高峰村"),
}
"""The 村 and 社区 of each town (a 街道 has 社区 only; a 镇 its seat's 社区 and villages)."""


def village_committee(village: str) -> str:
    """The 村（居）民委员会 of a 村 or 社区: 兴业村村民委员会, 青山社区居民委员会."""
    return f"{village}居民委员会" if village.endswith("社区") else f"{village}村民委员会"
