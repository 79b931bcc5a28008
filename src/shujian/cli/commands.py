"""The top-level commands of `shujian`, declared as data: name, module, one-line help.

A command's module (and the libraries it needs: SQLAlchemy, polars, DuckDB, the web stack) is
imported only when that command runs, so `shujian --help` and a quick `shujian leads list` do not
pay for every other command. The one-line help is written here so that the top-level help lists
every command without importing any; a test keeps each line equal to its command's own help.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Declared:
    name: str
    module: str
    """Under shujian.cli; its `register(group)` adds this command (and maybe others) to a group."""
    summary: str


COMMANDS: tuple[Declared, ...] = (
    Declared(
        "aid",
        "aid",
        "国家司法救助：受理申请、审查认定、决定救助（限额核对、决定书）、快速救助、发放和统计。",
    ),
    Declared("audit", "audit", "审计日志：谁在何时查看或改动了什么。"),
    Declared(
        "backup",
        "backup",
        "备份工作区（数据仓库、案件库、文书、配置和审计日志链头）到一个新目录；使用中也可备份。",
    ),
    Declared("cases", "cases", "案件：流转、检察建议书、成效登记和期限。"),
    Declared("datasets", "data", "数据集：机关报送的数据及其字段（中文表头、类型、别名、取值）。"),
    Declared("db", "db", "案件库的结构版本与升级（管理员）。"),
    Declared(
        "demo",
        "demo",
        "生成演示县的数据，导入、运行全部模型，核对发现的线索，并为每种角色开通演示账号。",
    ),
    Declared(
        "hearings",
        "hearings",
        "公开听证：决定召开（听证员、告知、公告）、举行和笔录、听证员意见、处理决定和统计。",
    ),
    Declared("import", "data", "导入一份数据文件（xlsx、xls、csv）。"),
    Declared("init", "data", "创建工作区：配置文件、数据仓库和案件库。"),
    Declared("leads", "leads", "线索：队列、分派、研判（成案 / 不成案）和导出。"),
    Declared(
        "minors",
        "minors",
        "重点未成年人名册：在册人数、名单、一人一档、本月应走访和逾期名单、登记走访帮扶。",
    ),
    Declared("models", "models", "监督模型库。"),
    Declared(
        "restore",
        "backup",
        "把备份恢复为一个新的工作区（目标目录须为新目录或空目录），并核对审计日志和各表行数。",
    ),
    Declared(
        "petitions",
        "petitions",
        "12309信访：登记、分流、程序性回复、办理过程或结果答复、回访评价、领导包案、检察长接待日和统计。",
    ),
    Declared("run", "run", "运行监督模型，生成线索。"),
    Declared(
        "sealed",
        "sealing",
        "未成年人犯罪记录封存：封存记录、查询申请、解除封存（未成年人检察部负责人）。",
    ),
    Declared(
        "serve",
        "serve",
        "启动网页端：在浏览器中打开显示的地址，用账号和密码登录；按 Ctrl-C 停止。",
    ),
    Declared("stats", "stats", "线索、成案率、检察建议、按期回复、采纳、整改和成效的统计。"),
    Declared(
        "users",
        "users",
        "账号：开通、列出、停用。没有账号的工作区是单人工作区，任何姓名都以检察官身份操作。",
    ),
)

BY_NAME = {c.name: c for c in COMMANDS}
