"""One procuratorate's workspace: its configuration, warehouse and case store.

Layout of a workspace directory::

    shujian.toml        region and model-parameter overrides (each with its source document)
    warehouse/          imported data as Parquet, one file per batch
    reports/            rejection reports of imports
    models/             the procuratorate's own models (optional)
    datasets/           the procuratorate's own dataset declarations (optional)
    case_store.sqlite   runs, leads, cases — unless `store.url` names another database
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from shujian.errors import UserError

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

[store]
# 案件库。默认是工作区内的 SQLite 文件；也可以写 PostgreSQL 地址，例如
# url = "postgresql+psycopg://user@127.0.0.1/shujian"
url = "sqlite:///case_store.sqlite"

# 模型参数的地方性调整：每一项都必须写明依据文件。例如：
# [[overrides]]
# model = "campus.tobacco_alcohol_lottery"
# parameter = "tobacco_m"
# value = 50
# source = "某市烟草制品零售点合理布局规划（2021年）第五条"
"""


@dataclass(frozen=True)
class Override:
    model: str
    parameter: str
    value: Any
    source: str


@dataclass(frozen=True)
class Region:
    province: str = ""
    city: str = ""
    county: str = ""
    code: str = ""
    procuratorate: str = ""


@dataclass
class Workspace:
    root: Path
    region: Region
    store_url: str
    overrides: tuple[Override, ...] = field(default_factory=tuple)

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

    @cached_property
    def store(self) -> Engine:
        from shujian.store import open_store

        return open_store(self.store_url)

    def datasets(self):  # type: ignore[no-untyped-def]
        from shujian.data.datasets import load_datasets

        return load_datasets(self.datasets_dir)


def init_workspace(root: Path, *, region: Region | None = None) -> Workspace:
    """Create a workspace (idempotent for an existing one: nothing is overwritten)."""
    root = root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    config = root / CONFIG_NAME
    if not config.exists():
        r = region or Region()
        config.write_text(
            CONFIG_TEMPLATE.format(
                province=r.province,
                city=r.city,
                county=r.county,
                code=r.code,
                procuratorate=r.procuratorate,
            ),
            encoding="utf-8",
        )
    for sub in ("warehouse", "reports", "models", "datasets"):
        (root / sub).mkdir(exist_ok=True)
    ws = open_workspace(root)
    ws.store  # noqa: B018 - creates the case store's tables
    return ws


def open_workspace(root: Path | None = None) -> Workspace:
    """Open the workspace at `root`, else $SHUJIAN_WORKSPACE, else the current directory."""
    root = (root or Path(os.environ.get("SHUJIAN_WORKSPACE", "."))).resolve()
    config = root / CONFIG_NAME
    if not config.exists():
        raise UserError(
            f"{root} 不是数检工作区（找不到 {CONFIG_NAME}）。请先运行 shujian init {root}。"
        )
    try:
        raw = tomllib.loads(config.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"配置文件 {config} 格式有误：{exc}") from exc
    region = Region(
        **{k: str(v) for k, v in raw.get("region", {}).items() if k in Region.__annotations__}
    )
    url = os.environ.get(STORE_URL_ENV) or raw.get("store", {}).get(
        "url", "sqlite:///case_store.sqlite"
    )
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        url = f"sqlite:///{root / url.removeprefix('sqlite:///')}"
    overrides = []
    for item in raw.get("overrides", []):
        missing = [k for k in ("model", "parameter", "value", "source") if k not in item]
        if missing or not str(item.get("source", "")).strip():
            raise UserError(
                f"配置文件 {config} 中的参数调整缺少必填项（model、parameter、value、source），"
                f"每一项调整都必须写明依据文件：{item}"
            )
        overrides.append(Override(item["model"], item["parameter"], item["value"], item["source"]))
    return Workspace(root=root, region=region, store_url=url, overrides=tuple(overrides))
