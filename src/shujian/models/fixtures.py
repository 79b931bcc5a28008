"""Running a model against its fixture: a few rows per dataset and the expected subjects.

The fixture's rows use the agencies' Chinese headers; they go through the real importer into a
throw-away workspace, so a fixture proves the whole path an agency file takes. The throw-away
workspace has its own warehouse and its own SQLite case store in a temporary folder: testing a
model never reads or writes a real workspace's data or leads, whatever `SHUJIAN_STORE_URL` says.

The result keeps what an author needs to see why a fixture fails: for each subject the query and
the fixture disagree about, the figures of the query's evidence (距离、年龄、金额…) or, when the
query did not return it, the fixture's own rows naming it and any reason the importer refused them.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from shujian import yamlfile
from shujian.data.datasets import Dataset
from shujian.data.importer import ImportOptions, ImportResult, import_file
from shujian.data.readers import read_grid
from shujian.data.rejections import Rejection
from shujian.data.warehouse import Warehouse
from shujian.errors import UserError
from shujian.leads.service import Finding
from shujian.models.labels import evidence_label
from shujian.models.runner import evaluate
from shujian.models.spec import ModelSpec
from shujian.store import create_store
from shujian.workspace import Override, Region, Workspace

FIXTURE_AGENCY = "测试样例"

SUBJECT_PARTS = "/"
"""Joins the parts of a composite subject (a minor and a month: 5202…/2026-04); a fixture's row
names such a subject when it names its first part."""


@dataclass(frozen=True)
class FixtureRow:
    """One row the fixture planted, as the author wrote it, with the importer's verdict on it."""

    dataset: str
    number: int
    """1-based position among the fixture's rows of that dataset."""
    values: dict[str, Any]
    rejections: tuple[Rejection, ...] = ()
    """Why the importer refused the row (empty when it was taken)."""


@dataclass(frozen=True)
class SubjectReport:
    """One subject, with what decides it: the query's evidence, else the fixture's rows."""

    subject: str
    finding: Finding | None
    """What the query returned for the subject; None when it did not return it."""
    figures: tuple[tuple[tuple[str, Any], ...], ...]
    """Each evidence row as (中文标签, value) pairs, trace columns left out."""
    fixture_rows: tuple[FixtureRow, ...]
    """The fixture's rows in which the subject appears."""


@dataclass
class FixtureResult:
    model: str
    expected: list[str]
    not_expected: list[str]
    found: dict[str, Finding]
    rejected: dict[str, int] = field(default_factory=dict)
    spec: ModelSpec | None = None
    path: Path | None = None
    as_of: dt.date | None = None
    rows: tuple[FixtureRow, ...] = ()
    problems: list[str] = field(default_factory=list)
    elsewhere: dict[str, dict[str, Finding]] = field(default_factory=dict)
    """Engine → what the query returned there on the same rows (`run_fixture(also_on=…)`)."""
    """What makes the fixture itself unfit to prove anything (no positive, a refused row…)."""

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
    def rejections(self) -> list[FixtureRow]:
        return [r for r in self.rows if r.rejections]

    @property
    def passed(self) -> bool:
        return not (self.missing or self.false_positives or self.unexpected or self.problems)

    def explain(self, subject: str) -> SubjectReport:
        """The figures behind one subject, for an author reading why the fixture failed."""
        finding = self.found.get(subject)
        figures: list[tuple[tuple[str, Any], ...]] = []
        if finding is not None and self.spec is not None:
            columns = [c for c in self.spec.evidence if c not in finding.trace_columns]
            for row in finding.evidence_list():
                figures.append(
                    tuple((evidence_label(self.spec, c), row.get(c)) for c in columns if c in row)
                )
        keys = {_comparable(subject), _comparable(subject.split(SUBJECT_PARTS, 1)[0])}
        naming = tuple(
            r for r in self.rows if any(_comparable(v) in keys for v in r.values.values())
        )
        return SubjectReport(
            subject=subject, finding=finding, figures=tuple(figures), fixture_rows=naming
        )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _comparable(value: Any) -> str:
    """A cell as the importer would key it: NFKC, no spaces, upper case (x → X in ID numbers)."""
    return unicodedata.normalize("NFKC", _text(value)).replace(" ", "").upper()


def load_fixture(path: Path) -> dict[str, Any]:
    try:
        raw = yamlfile.load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(f"无法读取测试样例 {path}：{exc}") from exc
    if not isinstance(raw, dict):
        raise UserError(f"测试样例 {path} 不是一个 YAML 映射。")
    for key in ("model", "as_of", "datasets", "expect"):
        if key not in raw:
            raise UserError(f"测试样例 {path} 缺少 {key}。")
    if not isinstance(raw["datasets"], dict) or not all(
        isinstance(rows, list) and all(isinstance(r, dict) for r in rows)
        for rows in raw["datasets"].values()
    ):
        raise UserError(
            f"测试样例 {path} 的 datasets 应写成“数据集编号: [每行一个“中文表头: 值”映射]”。"
        )
    if not isinstance(raw["expect"], dict):
        raise UserError(f"测试样例 {path} 的 expect 应写明 leads 和 not_leads 两个列表。")
    return raw


def _scratch_workspace(folder: Path) -> Workspace:
    """A workspace in `folder` with its own SQLite store, built directly rather than through
    `open_workspace`, which would follow `SHUJIAN_STORE_URL` to a real store."""
    root = folder / "ws"
    for sub in ("warehouse", "reports", "models", "datasets"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{root / 'store.sqlite'}"
    create_store(url).dispose()
    return Workspace(root=root, region=Region(), store_url=url)


def _read_rejections(report: Path | None) -> dict[int, list[Rejection]]:
    """File row → the reasons the importer gave, read back from its rejection report."""
    if report is None or not report.exists():
        return {}
    grid = read_grid(report, "退回记录")
    out: dict[int, list[Rejection]] = {}
    for row, column, value, reason in grid.frame.slice(1).iter_rows():
        if row is None:
            continue
        out.setdefault(int(float(row)), []).append(
            Rejection(row=int(float(row)), column=column or "", value=value, reason=reason or "")
        )
    return out


def _as_of(fixture: Mapping[str, Any], path: Path) -> dt.date:
    as_of = fixture["as_of"]
    if isinstance(as_of, dt.date):
        return as_of
    try:
        return dt.date.fromisoformat(str(as_of))
    except ValueError as exc:
        raise UserError(f"测试样例 {path} 的 as_of 应为 YYYY-MM-DD 格式的日期。") from exc


def _import_rows(
    ws: Workspace, dataset: Dataset, rows: list[dict[str, Any]], folder: Path
) -> tuple[ImportResult, list[FixtureRow]]:
    """The rows as the CSV file an agency would send, through the real importer."""
    headers = list(dict.fromkeys(h for row in rows for h in row))
    file = folder / f"{dataset.id}.csv"
    with file.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_text(row.get(h)) for h in headers])
    warehouse = Warehouse(ws.warehouse_dir, ws.store)
    # A fixture's coordinates are WGS-84 unless its row names another 坐标系 (an agency's file
    # must say which; a fixture is written by the model's author, in the system the docs use).
    options = ImportOptions(agency=FIXTURE_AGENCY, crs="WGS84")
    try:
        result = import_file(warehouse, ws.reports_dir, dataset, file, options)
    except UserError as error:
        raise UserError(f"测试样例中“{dataset.id}”的数据无法导入：{error.message}") from error
    refused = _read_rejections(result.report)
    # the CSV's first line is the header, so fixture row n is file row n + 1
    planted = [
        FixtureRow(dataset.id, n, dict(row), tuple(refused.get(n + 1, ())))
        for n, row in enumerate(rows, start=1)
    ]
    return result, planted


def _import_problems(spec: ModelSpec, result: ImportResult) -> list[str]:
    """What makes a dataset's rows unfit to prove anything about the model."""
    problems = []
    if result.dataset not in spec.datasets:
        problems.append(f"测试样例中有数据集“{result.dataset}”的数据，但模型的 datasets 中没有它。")
    for header in result.extra_columns:
        problems.append(
            f"测试样例中“{result.dataset}”的表头“{header}”对应不到数据集的任何字段"
            f"（请对照该数据集的中文表头和别名）。"
        )
    if result.rejected:
        problems.append(
            f"测试样例中“{result.dataset}”有 {result.rejected} 行在导入时被退回，没有进入查询。"
        )
    return problems


def _expectation_problems(result: FixtureResult) -> list[str]:
    """A fixture proves something only with a positive and a near miss that is really there."""
    problems = []
    if not result.expected:
        problems.append("expect.leads 是空的：至少写一个应当命中的监督对象。")
    if not result.not_expected:
        problems.append(
            "expect.not_leads 是空的：至少写一个“差一点”但不应命中的监督对象（近似反例）。"
        )
    for subject in result.not_expected:
        if subject not in result.found and not result.explain(subject).fixture_rows:
            problems.append(
                f"近似反例 {subject} 在测试样例的数据中没有出现，它不命中什么也证明不了："
                "请核对 expect.not_leads 中的号码。"
            )
    return problems


def run_fixture(
    spec: ModelSpec,
    path: Path,
    overrides: tuple[Override, ...] = (),
    datasets: Mapping[str, Dataset] | None = None,
    engine: str = "duckdb",
    also_on: Sequence[str] = (),
) -> FixtureResult:
    """Import the fixture's rows into a throw-away workspace, run the model, compare.

    `datasets` are the declarations in force (a workspace may declare its own); the shipped
    ones by default; `engine` runs the query (`models.runner.ENGINES`), and each engine of
    `also_on` runs it again on the same imported rows (`FixtureResult.elsewhere`). Parameters
    are the model's defaults unless `overrides` are given: a fixture plants its near misses
    against the values the model file declares.
    """
    fixture = load_fixture(path)
    as_of = _as_of(fixture, path)
    if str(fixture["model"]) != spec.id:
        raise UserError(
            f"测试样例 {path} 写的是模型 {fixture['model']}，不是 {spec.id}：请改正 model 一项。"
        )
    problems: list[str] = []
    rows: list[FixtureRow] = []
    rejected: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="shujian-fixture-") as tmp:
        ws = _scratch_workspace(Path(tmp))
        ws.overrides = overrides
        declared = dict(datasets) if datasets is not None else ws.datasets()
        try:
            for dataset_id, dataset_rows in fixture["datasets"].items():
                if dataset_id not in declared:
                    raise UserError(
                        f"测试样例 {path} 中的数据集“{dataset_id}”不存在"
                        f"（可用：{'、'.join(sorted(declared))}）。"
                    )
                imported, planted = _import_rows(ws, declared[dataset_id], dataset_rows, Path(tmp))
                rejected[dataset_id] = imported.rejected
                rows += planted
                problems += _import_problems(spec, imported)
            (outcome,) = evaluate(ws, declared, [spec], as_of, engine)
            elsewhere = {
                other: {
                    f.subject: f for f in evaluate(ws, declared, [spec], as_of, other)[0].findings
                }
                for other in also_on
            }
        finally:
            ws.store.dispose()
    expect = fixture["expect"]
    result = FixtureResult(
        model=spec.id,
        expected=[str(s) for s in expect.get("leads") or []],
        not_expected=[str(s) for s in expect.get("not_leads") or []],
        found={f.subject: f for f in outcome.findings},
        rejected=rejected,
        spec=spec,
        path=path,
        as_of=as_of,
        rows=tuple(rows),
        problems=problems,
        elsewhere=elsewhere,
    )
    result.problems += _expectation_problems(result)
    return result
