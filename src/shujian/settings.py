"""Every setting of `shujian.toml`, declared in one list: name, type, default, Chinese help.

A procuratorate's IT administrator edits the file by hand. A key the program does not know — a
typo such as `objection_day`, or a section of another version — used to be ignored in silence,
leaving the default in force while the administrator believed otherwise. Now the file is read
against this list: an unknown section or key, or a value of the wrong type, is refused with its
place in the file and the keys that are allowed there.

The `[[overrides]]` (model parameters adjusted locally), `[[additions]]` (items added to a list
parameter, such as a local spelling of a 违法类型 in the transfer models' threshold table) and
`[[calendar]]` (a year's holidays) arrays are declared here too, entry by entry; their meaning is
checked where they are used (`models/parameters.py`, `calendar.py`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shujian.engine.connect import connect_problem
from shujian.errors import UserError
from shujian.limits import FIRST_YEAR, LAST_YEAR


@dataclass(frozen=True)
class Setting:
    section: str
    name: str
    kind: str
    """`text`, `int`, `texts` (a list of text), `ints` (a list of positive integers), `mapping`
    (a table of text to text), `any` (a parameter's value) or `days` (dates)."""
    default: Any
    help: str
    required: bool = False
    """Only for the entries of an array of tables: the key must be present."""
    choices: tuple[str, ...] = ()
    """For a `text` setting that takes one of a few words: the words allowed."""
    between: tuple[int, int] | None = None
    """For an `int` or `ints` setting: the least and the most allowed (each item of `ints`)."""
    unit: str = ""
    """What an `int` counts, for the refusal of one out of `between` (日, 分钟, MB…)."""
    check: Callable[[Any], str] | None = None
    """For a value whose form is checked further: why it is refused (Chinese, the value as
    received included), else empty."""

    @property
    def key(self) -> str:
        return f"{self.section}.{self.name}"


SETTINGS: tuple[Setting, ...] = (
    Setting("region", "province", "text", "", "省份，例如“贵州省”"),
    Setting("region", "city", "text", "", "市（州），例如“六盘水市”"),
    Setting("region", "county", "text", "", "县（区），例如“青岚县”；市级院留空"),
    Setting("region", "code", "text", "", "行政区划代码（GB/T 2260，六位数字）"),
    Setting("region", "procuratorate", "text", "", "院名全称，例如“青岚县人民检察院”；留空则由地名推出"),
    Setting("region", "abbreviation", "text", "", "院简称，用于文号，例如“青检行公建〔2026〕3号”中的“青”"),
    Setting("store", "url", "text", "sqlite:///case_store.sqlite", "案件库地址：默认工作区内的 SQLite 文件，也可写 PostgreSQL 地址"),
    Setting("departments", "names", "texts", None, "本院的部门清单（不写则用内置的标准部门名称，见 README）"),
    Setting("departments", "mapping", "mapping", None, "模型声明的标准部门名称 → 本院的部门，例如 \"公益诉讼检察部\" = \"第三检察部\""),
    Setting("triage", "dismiss_reasons", "texts", None, "不成案理由清单（不写则用内置清单）"),
    Setting("triage", "needs_note", "texts", None, "选择后必须另写具体说明的不成案理由"),
    Setting("recommendations", "objection_days", "int", None, "被建议单位提出异议的期限（日；不写则用内置的 10 日）", between=(1, 365), unit=" 日"),
    Setting("recommendations", "contact", "text", "", "检察建议书末尾的联系人和电话"),
    Setting("recommendations", "numbering", "text", "entered", "检察建议书文号的来源：entered 为制发时填写统一业务应用系统编定的文号（检察建议工作规定第七条：以院名义统一编号）；counter 为由本平台按院、类别、年度顺序编号。两种方式不能混用", choices=("entered", "counter")),
    Setting("web", "idle_minutes", "int", 30, "网页端登录后无操作多长时间（分钟）自动退出", between=(1, 10080), unit=" 分钟"),
    Setting("map", "tile_url", "text", "", "地图底图：本院内网瓦片服务地址，例如 http://10.0.0.5/tiles/{z}/{x}/{y}.png；留空则不加载任何底图，只画县界"),
    Setting("map", "tile_crs", "text", "WGS84", "内网瓦片服务的坐标系：WGS84（含 CGCS2000、天地图）或 GCJ02（高德、腾讯式）", choices=("WGS84", "GCJ02")),
    Setting("web", "upload_max_mb", "int", 200, "网页端上传一份数据文件的大小上限（MB）", between=(1, 102400), unit=" MB"),
    Setting("juvenile", "order_followup_months", "ints", [1, 3, 6], "督促监护令制发后第几个月回访（按月计算，到期日为休息日的顺延至下一个工作日），例如 [1, 3, 6]", between=(1, 120), unit=" 个月"),
    Setting("juvenile", "order_numbering", "text", "entered", "督促监护令文号的来源：entered 为制发时填写统一业务应用系统编定的文号；counter 为由本平台按院、年度顺序编号（自成一个序列，不与检察建议书混编）。两种方式不能混用", choices=("entered", "counter")),
    Setting("juvenile", "probation_report_days", "int", 30, "附条件不起诉考验期内被考察人报告活动情况的间隔（日）：自决定之日起每满该日数应报告一次，到期日遇休息日顺延（刑事诉讼法第二百八十三条第三款第二项由考察机关规定报告方式，默认每月一次）", between=(1, 366), unit=" 日"),
    Setting("juvenile", "probation_alert_days", "int", 15, "附条件不起诉考验期届满前多少日起列为“即将期满”，提醒准备考察意见书", between=(0, 366), unit=" 日"),
    Setting("models", "max_seconds", "int", 600, "一个模型一次运行的查询最长可用多少秒，超过即中止，本次运行不写入任何线索", between=(1, 86400), unit=" 秒"),
    Setting("models", "max_memory_mb", "int", 4096, "一个模型一次运行的查询最多可用多少内存（MB），超过即中止，本次运行不写入任何线索", between=(64, 1048576), unit=" MB"),
    Setting("import", "max_inflated_mb", "int", 1024, "导入的 xlsx 文件解压后的总大小上限（MB）：超过即拒绝导入（防“压缩炸弹”）", between=(1, 1048576), unit=" MB"),
    Setting("import", "max_cells", "int", 50_000_000, "导入的 xlsx 工作表从第一个到最后一个单元格所占的格数（行数×列数）上限：超过即拒绝导入", between=(1, 17_179_869_184), unit=" 格"),
    Setting("engine.duckdb", "temp_directory", "text", "", "DuckDB 计算引擎（默认引擎）在一个模型的查询超出 [models] max_memory_mb 时把中间结果暂存到磁盘的文件夹（查询结束即删去暂存文件）：省级数据量须指向空间足够的磁盘；相对路径从工作区文件夹算起；留空则为运行命令时所在文件夹下的 .tmp（DuckDB 的默认）"),
    Setting("engine.spark", "master", "text", "local[*]", "Spark 计算引擎（shujian run --engine spark）的集群地址：local[*] 为本机全部核心；spark://主机:7077 为独立集群；yarn 为 Hadoop YARN；sc://主机:15002 为 Spark Connect 服务", check=connect_problem),
    Setting("engine.spark", "warehouse", "text", "", "集群读取数据仓库的位置，须是各节点都能读到的共享存储，例如 hdfs://nn:8020/shujian/warehouse 或 s3a://桶/shujian/warehouse（其内容与工作区的 warehouse 文件夹相同）；留空则读工作区的 warehouse 文件夹（仅限本机）"),
    Setting("engine.spark", "driver_memory", "text", "2g", "Spark 驱动程序的内存（spark.driver.memory），例如 2g；使用 Spark Connect 时由服务端决定"),
    Setting("engine.spark", "executor_memory", "text", "2g", "每个 Spark 执行器的内存（spark.executor.memory），例如 8g"),
    Setting("engine.spark", "shuffle_partitions", "int", 8, "Spark 汇总、连接时的分区数（spark.sql.shuffle.partitions）：本机宜为核心数的 2–4 倍，集群宜为执行器核心总数的 2–3 倍", between=(1, 100000), unit=" 个"),
    Setting("engine.spark", "conf", "mapping", None, "其他 Spark 配置，原样传给 Spark，例如 \"spark.executor.cores\" = \"4\""),
    Setting("import", "max_field_chars", "int", 100_000, "导入文件中一个单元格的字符数上限：超过即拒绝导入（CSV 中多为引号没有配对）", between=(1, 1 << 30), unit=" 个字符"),
    Setting("hearings", "min_members", "int", 3, "一次听证会的听证员至少几人（最高检听证规定的实践口径为三至七人，见 docs/hearings.md），少于此数的听证会不予登记", between=(1, 99), unit=" 人"),
    Setting("hearings", "max_members", "int", 7, "一次听证会的听证员至多几人", between=(1, 99), unit=" 人"),
    Setting("hearings", "notice_days", "int", 3, "至迟在听证几日前告知听证会参加人案由、时间和地点（《人民检察院审查案件听证工作规定》第十条：听证三日前）", between=(0, 366), unit=" 日"),
    Setting("judicial_aid", "monthly_wage", "int", None, "本省（自治区、直辖市）上一年度职工月平均工资（元）：国家司法救助金以此为基准，一般不超过 cap_months 个月的总额；不写则不能决定救助"),
    Setting("judicial_aid", "monthly_wage_source", "text", "", "上一年度职工月平均工资的出处，例如“贵州省统计局 2026 年 5 月公布的 2025 年城镇非私营单位就业人员年平均工资 ÷ 12”；写入国家司法救助决定的记录"),
    Setting("judicial_aid", "cap_months", "int", 36, "救助金一般不超过多少个月的上一年度职工月平均工资（《人民检察院国家司法救助工作细则》：一般不超过三十六个月）", between=(1, 120), unit=" 个月"),
    Setting("judicial_aid", "fast_limit", "int", 10000, "快速救助（受理后当日审查并决定）的金额上限（元）：本院自定（细则中未找到快速救助的金额标准）", between=(0, 10_000_000), unit=" 元"),
    Setting("support_prosecution", "accept_days", "int", 7, "支持起诉：收到申请之日起多少日内决定是否受理（本院办案中心的时限，无法定期限；默认七日，与人民法院审查起诉决定立案的七日一致），到期日遇休息日顺延", between=(1, 90), unit=" 日"),
    Setting("support_prosecution", "review_days", "int", 30, "支持起诉：受理之日起多少日内审查终结、决定是否支持起诉（本院办案中心的时限，无法定期限；默认三十日），到期日遇休息日顺延", between=(1, 180), unit=" 日"),
    Setting("support_prosecution", "opinion_numbering", "text", "entered", "支持起诉意见书文号的来源：entered 为制发时填写统一业务应用系统编定的文号；counter 为由本平台按院、年度顺序编号（自成一个序列，如“青检民支〔2026〕1号”）。两种方式不能混用", choices=("entered", "counter")),
)  # fmt: skip

ARRAYS: dict[str, tuple[Setting, ...]] = {
    "overrides": (
        Setting("overrides", "model", "text", None, "模型编号", required=True),
        Setting("overrides", "parameter", "text", None, "参数名", required=True),
        Setting("overrides", "value", "any", None, "调整后的值", required=True),
        Setting(
            "overrides", "source", "text", None, "依据文件：每一项调整都必须写明", required=True
        ),
    ),
    "additions": (
        Setting(
            "additions",
            "parameter",
            "text",
            None,
            "列表参数名，例如门槛表的违法类型 tobacco_types",
            required=True,
        ),
        Setting(
            "additions",
            "value",
            "text",
            None,
            "增补的一项，例如本地执法机关的案由写法",
            required=True,
        ),
        Setting(
            "additions", "source", "text", None, "依据文件：每一项增补都必须写明", required=True
        ),
    ),
    "calendar": (
        Setting(
            "calendar", "year", "int", None, "年份", required=True, between=(FIRST_YEAR, LAST_YEAR)
        ),
        Setting("calendar", "source", "text", None, "依据的国务院办公厅通知", required=True),
        Setting("calendar", "holidays", "days", (), "放假的日子，可写区间 2027-02-06..2027-02-12"),
        Setting("calendar", "workdays", "days", (), "调休上班的周末"),
    ),
}


def _check_value(setting: Setting, value: Any, where: str) -> None:
    ok = {
        "text": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "texts": isinstance(value, list) and all(isinstance(v, str) for v in value),
        "ints": isinstance(value, list)
        and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value),
        "mapping": isinstance(value, dict) and all(isinstance(v, str) for v in value.values()),
        "days": isinstance(value, list),
        "any": True,
    }[setting.kind]
    if not ok:
        wanted = {
            "text": "文字（加引号）",
            "int": "整数",
            "texts": "文字列表",
            "ints": "正整数列表",
            "mapping": "“名称 = 名称”的表",
            "days": "日期列表",
        }
        raise UserError(
            f"{where}{setting.name} 应当是{wanted[setting.kind]}（{setting.help}），"
            f"收到：{toml_value(value)}。"
        )
    if setting.between is not None:
        least, most = setting.between
        numbers = value if isinstance(value, list) else [value]
        if any(not least <= n <= most for n in numbers):
            raise UserError(
                f"{where}{setting.name} 应为 {least} 至 {most}{setting.unit}"
                f"（{setting.help}），收到：{toml_value(value)}。",
                code="bad_config",
            )
    if setting.check is not None and (problem := setting.check(value)):
        raise UserError(f"{where}{setting.name} {problem}。", code="bad_config")
    if setting.choices and value not in setting.choices:
        allowed = "、".join(toml_value(c) for c in setting.choices)
        raise UserError(
            f"{where}{setting.name} 只能写 {allowed}（{setting.help}），收到：{toml_value(value)}。",
            code="bad_config",
        )


def toml_value(value: Any) -> str:
    """A value as it is written in shujian.toml, for messages: the administrator should see
    `"二百"` or `[50, 100]`, the way they typed it, not Python's `'二百'` or `{'a': 1}`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(str(value), ensure_ascii=False)


def _unknown(name: str, allowed: list[str], where: str) -> UserError:
    close = difflib.get_close_matches(name, allowed, n=1)
    hint = f"是否想写“{close[0]}”？" if close else ""
    return UserError(
        f"{where}没有“{name}”这一项。{hint}可写的项：{'、'.join(allowed)}。", code="unknown_setting"
    )


def check(raw: dict[str, Any], config: str) -> None:
    """Refuse an unknown section or key and a value of the wrong type, naming its place."""
    sections = {s.section for s in SETTINGS}
    for section, body in raw.items():
        where = f"配置文件 {config} 的 [{section}] 中"
        if section in ARRAYS:
            if not isinstance(body, list):
                raise UserError(f"配置文件 {config} 中的 {section} 应写成 [[{section}]] 表格数组。")
            declared = {s.name: s for s in ARRAYS[section]}
            for i, entry in enumerate(body, start=1):
                at = f"配置文件 {config} 的第 {i} 个 [[{section}]] 中"
                for key, value in entry.items():
                    if key not in declared:
                        raise _unknown(key, list(declared), at)
                    _check_value(declared[key], value, at)
                missing = [
                    f"{s.name}（{s.help}）"
                    for s in ARRAYS[section]
                    if s.required and s.name not in entry
                ]
                if missing:
                    raise UserError(f"{at}缺少必填项：{'、'.join(missing)}。")
            continue
        if section not in sections and isinstance(body, dict) and _nested(section, sections):
            # [engine.spark]: a table of tables, each checked as its own section
            for sub, table in body.items():
                check({f"{section}.{sub}": table}, config)
            continue
        if section not in sections:
            raise _unknown(section, sorted(sections | set(ARRAYS)), f"配置文件 {config} ")
        if not isinstance(body, dict):
            raise UserError(f"配置文件 {config} 中的 [{section}] 应当是一个表。")
        declared = {s.name: s for s in SETTINGS if s.section == section}
        for key, value in body.items():
            if key not in declared:
                raise _unknown(key, list(declared), where)
            _check_value(declared[key], value, where)


def _nested(section: str, sections: set[str]) -> bool:
    """Whether `section` holds declared sections (`engine` holds `engine.spark`)."""
    return any(s.startswith(section + ".") for s in sections)


def value(raw: dict[str, Any], key: str) -> Any:
    """The setting's value as written, else its declared default."""
    section, name = key.rsplit(".", 1)
    setting = next((s for s in SETTINGS if s.key == key), None)
    if setting is None:
        raise KeyError(key)
    table: Any = raw
    for part in section.split("."):
        table = table.get(part, {}) if isinstance(table, dict) else {}
    return table.get(name, setting.default) if isinstance(table, dict) else setting.default


def documentation() -> str:
    """The settings as a Markdown table (docs/settings.md is checked against it)."""
    lines = ["| 项 | 类型 | 默认值 | 说明 |", "|---|---|---|---|"]
    kinds = {
        "text": "文字",
        "int": "整数",
        "texts": "文字列表",
        "ints": "整数列表",
        "mapping": "对照表",
        "days": "日期列表",
        "any": "任意",
    }
    for s in (*SETTINGS, *(s for entries in ARRAYS.values() for s in entries)):
        name = f"[{s.section}] {s.name}" if s.section not in ARRAYS else f"[[{s.section}]] {s.name}"
        default = (
            "（必填）" if s.required else ("—" if s.default in (None, "", ()) else f"`{s.default}`")
        )
        lines.append(f"| `{name}` | {kinds[s.kind]} | {default} | {s.help} |")
    return "\n".join(lines) + "\n"
