"""Running a model against its fixture: a few rows per dataset and the expected subjects.

The fixture's rows use the agencies' Chinese headers; they go through the real importer into a
throw-away workspace, so a fixture proves the whole path an agency file takes.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from shujian.data.importer import ImportOptions, import_file
from shujian.data.warehouse import Warehouse
from shujian.errors import UserError
from shujian.leads.service import Finding
from shujian.models.runner import evaluate
from shujian.models.spec import ModelSpec
from shujian.workspace import Override, init_workspace


@dataclass
class FixtureResult:
    model: str
    expected: list[str]
    not_expected: list[str]
    found: dict[str, Finding]
    rejected: dict[str, int] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        return [s for s in self.expected if s not in self.found]

    @property
    def false_positives(self) -> list[str]:
        return [s for s in self.not_expected if s in self.found]

    @property
    def unexpected(self) -> list[str]:
        listed = set(self.expected) | set(self.not_expected)
        return [s for s in self.found if s not in listed]

    @property
    def passed(self) -> bool:
        return not (self.missing or self.false_positives or self.unexpected)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def load_fixture(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(f"无法读取测试样例 {path}：{exc}") from exc
    for key in ("model", "as_of", "datasets", "expect"):
        if key not in raw:
            raise UserError(f"测试样例 {path} 缺少 {key}。")
    return raw


def run_fixture(spec: ModelSpec, path: Path, overrides: tuple[Override, ...] = ()) -> FixtureResult:
    fixture = load_fixture(path)
    as_of = fixture["as_of"]
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    with tempfile.TemporaryDirectory(prefix="shujian-fixture-") as tmp:
        ws = init_workspace(Path(tmp) / "ws")
        ws.overrides = overrides
        datasets = ws.datasets()
        warehouse = Warehouse(ws.warehouse_dir, ws.store)
        rejected = {}
        for dataset_id, rows in fixture["datasets"].items():
            headers = list(dict.fromkeys(h for row in rows for h in row))
            file = Path(tmp) / f"{dataset_id}.csv"
            with file.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(headers)
                for row in rows:
                    writer.writerow([_text(row.get(h)) for h in headers])
            result = import_file(
                warehouse,
                ws.reports_dir,
                datasets[dataset_id],
                file,
                ImportOptions(agency="测试样例"),
            )
            rejected[dataset_id] = result.rejected
        (outcome,) = evaluate(ws, datasets, [spec], as_of, "duckdb")
        ws.store.dispose()
    expect = fixture["expect"]
    return FixtureResult(
        model=spec.id,
        expected=[str(s) for s in expect.get("leads", [])],
        not_expected=[str(s) for s in expect.get("not_leads", [])],
        found={f.subject: f for f in outcome.findings},
        rejected=rejected,
    )
