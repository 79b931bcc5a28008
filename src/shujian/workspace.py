"""One procuratorate's workspace: its configuration, warehouse and case store.

Layout of a workspace directory::

    shujian.toml        region and model-parameter overrides (each with its source document)
    warehouse/          imported data as Parquet, one file per batch; WORKSPACE_ID (identity.py)
    reports/            rejection reports of imports
    models/             the procuratorate's own models (optional)
    datasets/           the procuratorate's own dataset declarations (optional)
    templates/recommendations/  the procuratorate's own 检察建议书 templates (optional)
    documents/          generated documents (检察建议书 .docx and PDF previews)
    case_store.sqlite   runs, leads, cases — unless `store.url` names another database
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from shujian import settings as declared
from shujian.calendar import HolidayCalendar
from shujian.errors import UserError
from shujian.names import check_abbreviation

CONFIG_NAME = "shujian.toml"
STORE_URL_ENV = "SHUJIAN_STORE_URL"

CONFIG_TEMPLATE = """\
# 数检 shujian 工作区配置
[region]
province = "{province}"
city = "{city}"
county = "{county}"
code = "{code}"                 # 行政区划代码（GB/T 2260）
procuratorate = "{procuratorate}"
abbreviation = "{abbreviation}"           # 院简称，用于文号，例如“青检行公建〔2026〕3号”中的“青”

[store]
# 案件库。默认是工作区内的 SQLite 文件；也可以写 PostgreSQL 地址，例如
# url = "postgresql+psycopg://user@127.0.0.1/shujian"
url = "sqlite:///case_store.sqlite"

# 本院的部门（不写则用内置的标准部门名称：刑事检察部、民事检察部、行政检察部、
# 公益诉讼检察部、未成年人检察部 ……）。部门名称不同的院写出自己的清单，并把模型使用的
# 标准部门名称对应到本院的部门（未对应的线索待在同名部门；本院没有同名部门时不归任何部门）：
# [departments]
# names = ["第一检察部", "第二检察部", "第三检察部", "第四检察部", "综合业务部"]
# [departments.mapping]
# "刑事检察部" = "第一检察部"
# "未成年人检察部" = "第二检察部"
# "民事检察部" = "第三检察部"
# "行政检察部" = "第三检察部"
# "公益诉讼检察部" = "第四检察部"

# 线索研判：不成案理由清单（不写则用内置清单），例如：
# [triage]
# dismiss_reasons = ["经核实不存在违法情形", "数据错误或信息不全", "已自行整改到位", "其他"]
# needs_note = ["其他"]

# 检察建议书：提出异议的期限（日）和联系人；文号默认在制发时填写统一业务应用系统编定的文号
# （检察建议工作规定第七条），由本平台编号的院写 numbering = "counter"。例如：
# [recommendations]
# objection_days = 10
# contact = "联系人：张某某，电话：0851-12345678"
# numbering = "entered"

# 节假日日历尚未收录的年份，期限先按《全国年节及纪念日放假办法》规定的放假日暂定计算（标“暂定”）。
# 国务院办公厅的通知公布后，按通知补充该年，再运行 shujian cases deadlines --recompute。
# holidays 必须包含放假办法规定的全部放假日（元旦、春节除夕至初三、清明、劳动节两天、端午、
# 中秋、国庆三天），缺少的会被拒绝。例如（日期仅为示意，以通知为准）：
# [[calendar]]
# year = 2027
# source = "国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕×号）"
# holidays = ["2027-01-01..2027-01-03", "2027-02-05..2027-02-12", "2027-04-03..2027-04-05",
#   "2027-05-01..2027-05-05", "2027-06-09", "2027-09-15", "2027-10-01..2027-10-08"]  # 放假的日子，可写区间
# workdays = ["2027-01-31", "2027-02-20", "2027-04-25", "2027-09-26", "2027-10-09"]     # 调休上班的周末

# 模型参数的地方性调整：每一项都必须写明依据文件。例如：
# [[overrides]]
# model = "campus.tobacco_alcohol_lottery"
# parameter = "tobacco_m"
# value = 50
# source = "某市烟草制品零售点合理布局规划（2021年）第五条"

# 列表参数的增补（如本地执法机关对门槛表中违法类型的写法），每一项都必须写明依据，例如：
# [[additions]]
# parameter = "illegal_business_types"
# value = "非法经营成品油"
# source = "某县人民法院（2024）某0203刑初×号判决；本院与县商务局会签的行刑衔接工作办法第×条"
"""


@dataclass(frozen=True)
class Override:
    model: str
    parameter: str
    value: Any
    source: str

    def toml(self) -> str:
        """The entry as written in shujian.toml, so a refusal shows what the administrator
        typed (and where to look), not a Python object."""
        return "\n".join(
            [
                "[[overrides]]",
                *(
                    f"{key} = {declared.toml_value(getattr(self, key))}"
                    for key in ("model", "parameter", "value", "source")
                ),
            ]
        )


@dataclass(frozen=True)
class Addition:
    """One item added to a list parameter of every model declaring it, with its own source.

    An override replaces a whole list under one source; an addition extends it item by item, so
    each local word (a 违法类型 as this county's agencies write it) says which document made it
    count, and the shipped defaults keep theirs."""

    parameter: str
    value: str
    source: str


@dataclass(frozen=True)
class Region:
    province: str = ""
    city: str = ""
    county: str = ""
    code: str = ""
    procuratorate: str = ""
    abbreviation: str = ""

    @property
    def short(self) -> str:
        """The abbreviation used in document numbers (文号): as configured, else the county's
        (or city's) first character, as in 青岚县 → 青."""
        if self.abbreviation:
            return self.abbreviation
        name = self.county or self.city or self.province
        return name[:1] if name else "本"

    @property
    def procuratorate_name(self) -> str:
        if self.procuratorate:
            return self.procuratorate
        place = self.county or self.city or self.province
        return f"{place}人民检察院" if place else "人民检察院"


@dataclass
class Workspace:
    root: Path
    region: Region
    store_url: str
    overrides: tuple[Override, ...] = field(default_factory=tuple)
    additions: tuple[Addition, ...] = field(default_factory=tuple)
    calendar: HolidayCalendar = field(default_factory=HolidayCalendar)
    """Working days: the bundled years and the years this procuratorate added ([[calendar]])."""
    settings: dict[str, Any] = field(default_factory=dict)
    """shujian.toml as written, checked against `shujian.settings` (read it with `setting`)."""

    @property
    def warehouse_dir(self) -> Path:
        return self.root / "warehouse"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def datasets_dir(self) -> Path:
        return self.root / "datasets"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates" / "recommendations"

    @property
    def documents_dir(self) -> Path:
        return self.root / "documents"

    def setting(self, key: str) -> Any:
        """A declared setting (`"triage.dismiss_reasons"`): as written, else its default."""
        from shujian.settings import value

        return value(self.settings, key)

    def section(self, name: str) -> dict[str, Any]:
        """One section of shujian.toml as written (its keys were checked when it was read)."""
        value = self.settings.get(name, {})
        return value if isinstance(value, dict) else {}

    @cached_property
    def store(self) -> Engine:
        """The case store — refused when it is not this warehouse's (`identity.py`): with another
        store the warehouse's batches would be invisible, and an import would build on that."""
        from shujian.identity import ensure_identity
        from shujian.store import open_store

        try:
            engine = open_store(self.store_url)
        except UserError as error:
            if error.code not in ("bad_store_url", "store_unreachable"):
                raise
            source = (
                f"环境变量 {STORE_URL_ENV}"
                if os.environ.get(STORE_URL_ENV)
                else f"配置文件 {self.root / CONFIG_NAME} 的 [store] url"
            )
            raise UserError(f"{error.message}地址取自{source}。", code=error.code) from error
        try:
            ensure_identity(self.warehouse_dir, engine)
        except BaseException:
            engine.dispose()
            raise
        return engine

    def datasets(self):  # type: ignore[no-untyped-def]
        from shujian.data.datasets import load_datasets

        return load_datasets(self.datasets_dir)


def init_workspace(root: Path, *, region: Region | None = None) -> Workspace:
    """Create a workspace (idempotent for an existing one: nothing is overwritten)."""
    root = root.resolve()
    r = region or Region()
    check_abbreviation(r.short, "院简称")
    root.mkdir(parents=True, exist_ok=True)
    config = root / CONFIG_NAME
    if not config.exists():
        config.write_text(
            CONFIG_TEMPLATE.format(
                province=r.province,
                city=r.city,
                county=r.county,
                code=r.code,
                procuratorate=r.procuratorate,
                abbreviation=r.abbreviation,
            ),
            encoding="utf-8",
        )
    for sub in ("warehouse", "reports", "models", "datasets"):
        (root / sub).mkdir(exist_ok=True)
    ws = open_workspace(root)
    from shujian.store import create_store

    create_store(ws.store_url).dispose()  # an empty store's tables, made by the migrations
    ws.store  # noqa: B018 - checks the store's version, stamps the workspace identity
    return ws


def open_workspace(root: Path | None = None) -> Workspace:
    """Open the workspace at `root`, else $SHUJIAN_WORKSPACE, else the current directory."""
    root = (root or Path(os.environ.get("SHUJIAN_WORKSPACE", "."))).resolve()
    config = root / CONFIG_NAME
    if not config.exists():
        raise UserError(f"{root} 不是数检工作区（找不到 {CONFIG_NAME}）。", code="not_a_workspace")
    text = config.read_text(encoding="utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(_toml_error(config, text, str(exc)), code="bad_config") from exc
    declared.check(raw, str(config))
    region = Region(**{k: declared.value(raw, f"region.{k}") for k in Region.__annotations__})
    _check_region_code(config, region.code)
    _check_short(config, region)
    url = os.environ.get(STORE_URL_ENV) or declared.value(raw, "store.url")
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        url = f"sqlite:///{root / url.removeprefix('sqlite:///')}"
    overrides = []
    for item in raw.get("overrides", []):
        override = Override(item["model"], item["parameter"], item["value"], item["source"])
        if not str(item["source"]).strip():
            raise UserError(
                f"配置文件 {config} 中的参数调整必须写明依据文件（source）：\n{override.toml()}"
            )
        overrides.append(override)
    additions = []
    for item in raw.get("additions", []):
        if not str(item["source"]).strip():
            raise UserError(
                f"配置文件 {config} 中的参数增补必须写明依据文件（source）："
                f"{item['parameter']} = {declared.toml_value(item['value'])}"
            )
        additions.append(Addition(item["parameter"], item["value"], item["source"]))
    return Workspace(
        root=root,
        region=region,
        store_url=url,
        overrides=tuple(overrides),
        additions=tuple(additions),
        settings=raw,
        calendar=_calendar(config, raw.get("calendar", [])),
    )


TOML_REASONS = (
    ("Cannot overwrite a value", "同一项写了两次"),
    ("Cannot declare", "同一个表写了两次"),
    ("Cannot mutate immutable namespace", "同一个表写了两次"),
    ("Cannot redefine namespace", "同一个表写了两次"),
    ("Duplicate inline table key", "同一项写了两次"),
    ("Expected '=' after a key", "项名之后应有等号“=”（文字的值要加英文双引号）"),
    ("Expected ']' at the end of a table declaration", "表名之后缺少“]”"),
    ("Expected ']]' at the end of an array declaration", "表格数组名之后缺少“]]”"),
    ("Invalid date or datetime", "日期或时间的写法不对"),
    ("Invalid initial character for a key part", "项名的开头字符不对"),
    ("Invalid statement", "无法识别这一行"),
    ("Invalid value", '值的写法不对（文字要加英文双引号，如 "青岚县"）'),
    ("Unclosed array", "列表缺少结尾的“]”"),
    ("Unclosed inline table", "缺少结尾的“}”"),
    ("Unterminated string", "引号没有配对"),
    ("Unescaped", "文字中的反斜杠“\\”要写成“\\\\”"),
    ("Illegal character", "含有不允许的字符（如中文引号或全角符号）"),
    ("Found invalid character", "含有不允许的字符（如中文引号或全角符号）"),
    ("Escaped character", "转义字符不对"),
    ("Invalid hex value", "转义字符不对"),
    ("Expected", "缺少应有的符号"),
)
"""tomllib's reasons (English, with no code to tell them apart) → what to fix, in Chinese."""


def _toml_error(config: Path, text: str, message: str) -> str:
    """A TOML syntax error as the administrator needs it: line, column, that line, the fix."""
    reason = next((zh for en, zh in TOML_REASONS if message.startswith(en)), "写法不对")
    place = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if not place:
        return f"配置文件 {config} 末尾{reason}（文件不完整？）。"
    line, column = int(place[1]), int(place[2])
    lines = text.splitlines()
    shown = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return f"配置文件 {config} 第 {line} 行第 {column} 列：{reason}。" + (
        f"该行为：{shown}" if shown else ""
    )


def _check_region_code(config: Path, code: str) -> None:
    """The 行政区划代码, when given, is a GB/T 2260 code (a typo would name another county)."""
    if not code:
        return
    from shujian.data.fields.regions import is_region_code

    if not is_region_code(code):
        raise UserError(
            f"配置文件 {config} 的 [region] code “{code}”不是有效的行政区划代码"
            "（GB/T 2260 六位数字，如 520203）。"
        )


def _check_short(config: Path, region: Region) -> None:
    """The 院简称 begins every 文号 numbered here, and a 文号 names the document's file: it
    must be Chinese characters only (`names.check_abbreviation`), whether written or taken from
    the county's name."""
    if region.abbreviation:
        where = f"配置文件 {config} 的 [region] abbreviation "
    else:
        key = "county" if region.county else "city" if region.city else "province"
        where = f"配置文件 {config} 未写 [region] abbreviation，由 {key} 的第一个字得出的 "
    check_abbreviation(region.short, where)


def _days(config: Path, values: list[Any]) -> frozenset[date]:
    out: set[date] = set()
    for value in values:
        text = str(value)
        try:
            if ".." in text:
                first, last = (date.fromisoformat(p.strip()) for p in text.split("..", 1))
                if (last - first).days > 366:
                    raise UserError(
                        f"配置文件 {config} 的 [[calendar]] 中日期区间“{text}”超过一年"
                        "（每年的安排写在该年的 [[calendar]] 中）。"
                    )
                out.update(first + timedelta(days=i) for i in range((last - first).days + 1))
            else:
                out.add(date.fromisoformat(text.strip()))
        except ValueError as exc:
            raise UserError(
                f"配置文件 {config} 的 [[calendar]] 中“{text}”不是 YYYY-MM-DD 日期或日期区间。"
            ) from exc
    return frozenset(out)


def _calendar(config: Path, entries: list[dict[str, Any]]) -> HolidayCalendar:
    """The workspace's holiday calendar: the bundled years and its `[[calendar]]` entries."""
    from shujian.calendar import BUNDLED, YearSchedule

    calendar = BUNDLED
    for entry in sorted(entries, key=lambda e: int(e["year"])):
        schedule = YearSchedule(
            year=int(entry["year"]),
            holidays=_days(config, list(entry.get("holidays", []))),
            workdays=_days(config, list(entry.get("workdays", []))),
            source=str(entry["source"]),
        )
        try:
            calendar = calendar.with_year(schedule)
        except ValueError as exc:
            raise UserError(f"配置文件 {config}：{exc}") from exc
    return calendar
