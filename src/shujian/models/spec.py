"""A supervision model is one declared YAML file; this module loads it.

    id, name (名称), category, supervision_point, description
    legal_basis: [{law, article, tag (V/S/U), text}]
    datasets: [dataset ids the query reads]
    subject: {column: <output column>, dataset: <dataset>, label: 中文}
    parameters: {name: {default, label, unit, source}}
    title: a template over output columns and parameters ("{venue_name}距{school_name}{distance_m}米")
    evidence: [output columns shown to the prosecutor]
    deciding: [evidence columns whose values decide the lead] (optional; default: every evidence
              column that is not a trace column and carries agency data — `lineage.deciding_facts`
              leaves out columns made of parameters or constants only). A lead's change detection hashes the subject
              and these columns only: when none of them changes, a lead dismissed as 不成案 stays
              dismissed. Leave out figures that restate a parameter or that the run date would
              change; `checks.py` refuses evidence, deciding or title columns whose value is
              computed from `:as_of` (comparing a data date with `:as_of` in a condition is fine).
    labels: {evidence column: 中文标签} (optional; overrides `evidence_labels.yaml` for this model)
    town: <evidence column> whose value is the subject's town (乡镇) or an address naming it
          (optional; `leads.town.town_of` reads it; without it the model's leads have no town)
    trace: {dataset: <output column holding the batch id of that dataset's row>}
    query: one read-only SELECT

The shipped models live in `catalogue/<id>.yaml` with their fixtures in `catalogue/<id>.fixture.yaml`;
a procuratorate's own models sit in the workspace's `models/` folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from shujian import yamlfile
from shujian.errors import UserError, os_reason
from shujian.models.document import DocumentSpec, DocumentSpecError, parse_document

CATALOGUE_DIR = Path(__file__).parent / "catalogue"
CATEGORIES = ("刑事", "民事", "行政", "公益诉讼", "未检")
TAGS = {"V": "已核实", "S": "二手来源", "U": "未确认"}


@dataclass(frozen=True)
class LegalBasis:
    law: str
    article: str
    tag: str
    text: str = ""
    applies_in: str = ""
    """For a local rule: the region it binds (湖南省, 合肥市); empty for national law. A document
    quotes it only to a procuratorate whose region names that place."""

    def cite(self) -> str:
        article = self.article if self.tag != "U" and self.article else ""
        return f"《{self.law}》{article}"


@dataclass(frozen=True)
class Parameter:
    name: str
    default: Any
    label: str
    unit: str = ""
    source: str = ""


@dataclass(frozen=True)
class ModelSpec:
    id: str
    name: str
    category: tuple[str, ...]
    supervision_point: str
    description: str
    legal_basis: tuple[LegalBasis, ...]
    datasets: tuple[str, ...]
    subject_column: str
    subject_dataset: str
    subject_label: str
    parameters: tuple[Parameter, ...]
    title: str
    evidence: tuple[str, ...]
    trace: dict[str, str]
    query: str
    path: Path | None = None
    department: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)
    labels: dict[str, str] = field(default_factory=dict)
    """Chinese labels of evidence columns for this model only; see `shujian.models.labels`."""
    declared_deciding: tuple[str, ...] = ()
    document: DocumentSpec | None = None
    """What a 检察建议书 says of this model's leads (`shujian.models.document`)."""
    town: str = ""
    """The evidence column that places the subject in a town (乡镇), or empty (see `leads.town`)."""
    kind: str = "lead"
    """`lead` (an accusation, pushed to the lead queue) or `review` (a 待核对 item a prosecutor
    must check before it may become one: listed apart, never in the lead queue)."""
    """The `deciding:` key as written (empty when the model does not declare it)."""

    @property
    def deciding(self) -> tuple[str, ...]:
        """The evidence columns a lead's identity of facts rests on (see the module docstring)."""
        if self.declared_deciding:
            return self.declared_deciding
        trace = set(self.trace.values())
        return tuple(c for c in self.evidence if c not in trace)

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)

    @property
    def fixture_path(self) -> Path | None:
        if self.path is None:
            return None
        return self.path.with_name(self.path.name.replace(".yaml", ".fixture.yaml"))


class ModelFileError(UserError):
    pass


def load_model(path: Path) -> ModelSpec:
    try:
        raw = yamlfile.load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ModelFileError(f"无法读取模型文件 {path}：{os_reason(exc)}。") from exc
    except UnicodeDecodeError as exc:
        raise ModelFileError(
            f"模型文件 {path} 不是 UTF-8 编码的 YAML 文本（第 {exc.start + 1} 个字节无法解码）。"
        ) from exc
    except yaml.YAMLError as exc:
        raise ModelFileError(f"无法读取模型文件 {path}：{exc}") from exc
    if not isinstance(raw, dict):
        raise ModelFileError(f"模型文件 {path} 不是一个 YAML 映射。")
    return spec_from_dict(raw, path)


_REQUIRED = (
    "id",
    "name",
    "category",
    "supervision_point",
    "legal_basis",
    "datasets",
    "subject",
    "title",
    "evidence",
    "query",
)
_LABELS = {
    "id": "模型编号 id",
    "name": "名称 name",
    "category": "类别 category",
    "supervision_point": "监督点 supervision_point",
    "legal_basis": "法律依据 legal_basis",
    "datasets": "数据集 datasets",
    "subject": "监督对象 subject",
    "title": "线索标题 title",
    "evidence": "证据列 evidence",
    "query": "查询 query",
}


def spec_from_dict(raw: dict[str, Any], path: Path | None = None) -> ModelSpec:
    missing = [_LABELS[k] for k in _REQUIRED if not raw.get(k)]
    if missing:
        where = f"模型文件 {path}" if path else "模型"
        raise ModelFileError(f"{where}缺少必填项：{'、'.join(missing)}。")
    category = raw["category"]
    subject = raw["subject"]
    if not isinstance(subject, dict) or "column" not in subject:
        raise ModelFileError("subject 必须写明 column（查询结果中作为监督对象的列）。")
    basis = []
    for item in raw["legal_basis"]:
        if not isinstance(item, dict) or not item.get("law"):
            raise ModelFileError("legal_basis 的每一项都必须写明 law（法律法规名称）。")
        basis.append(
            LegalBasis(
                law=str(item["law"]).strip("《》"),
                article=str(item.get("article", "") or ""),
                tag=str(item.get("tag", "U")),
                text=str(item.get("text", "") or ""),
                applies_in=str(item.get("applies_in", "") or ""),
            )
        )
    labels = raw.get("labels") or {}
    if not isinstance(labels, dict):
        raise ModelFileError("labels 必须写成“证据列: 中文标签”的映射，如 {venue_name: 场所名称}。")
    params = []
    for name, p in (raw.get("parameters") or {}).items():
        p = p if isinstance(p, dict) else {"default": p}
        params.append(
            Parameter(
                name=name,
                default=p.get("default"),
                label=str(p.get("label", name)),
                unit=str(p.get("unit", "") or ""),
                source=str(p.get("source", "") or ""),
            )
        )
    return ModelSpec(
        id=str(raw["id"]),
        name=str(raw["name"]),
        category=tuple(category if isinstance(category, list) else [category]),
        supervision_point=str(raw["supervision_point"]),
        description=str(raw.get("description", "") or ""),
        legal_basis=tuple(basis),
        datasets=tuple(raw["datasets"]),
        subject_column=str(subject["column"]),
        subject_dataset=str(subject.get("dataset", "")),
        subject_label=str(subject.get("label", "")),
        parameters=tuple(params),
        title=str(raw["title"]),
        evidence=tuple(raw["evidence"]),
        trace=dict(raw.get("trace") or {}),
        query=str(raw["query"]),
        path=path,
        department=str(raw.get("department", "") or ""),
        notes=tuple(raw.get("notes") or ()),
        labels={str(k): "" if v is None else str(v).strip() for k, v in labels.items()},
        declared_deciding=_deciding(raw.get("deciding")),
        town=str(raw.get("town", "") or ""),
        kind=str(raw.get("kind", "lead")),
        document=_document(raw.get("document"), path),
    )


def _document(raw: Any, path: Path | None) -> DocumentSpec | None:
    if raw is None:
        return None
    try:
        return parse_document(raw)
    except DocumentSpecError as exc:
        where = f"模型文件 {path}：" if path else ""
        raise ModelFileError(f"{where}{exc}") from exc


def _deciding(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ModelFileError(
            "deciding 必须写成证据列的列表，如 [visited_on, icd10]（不写则为全部证据列）。"
        )
    return tuple(value)


def _model_files(folder: Path | None) -> list[Path]:
    if folder is None or not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.yaml") if not p.name.endswith(".fixture.yaml"))


def _fingerprint(files: list[Path]) -> tuple[tuple[str, int, int], ...]:
    out = []
    for path in files:
        try:
            stat = path.stat()
        except FileNotFoundError:  # removed while listing: the next call sees the new set
            continue
        out.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(out)


_library_cache: dict[
    Path | None, tuple[tuple[tuple[str, int, int], ...], dict[str, ModelSpec]]
] = {}
"""Per models folder: the fingerprint of its files when read, and the models read."""


def load_library(extra_dir: Path | None = None) -> dict[str, ModelSpec]:
    """Shipped models plus a workspace's own (which may not reuse a shipped id).

    Read once and kept: a long-running process (the web application) answers from memory, and
    re-reads when a model file is added, removed or changed (each call compares the files' size
    and modification time, a few stat calls). `reload_library` forgets everything read.
    """
    key = extra_dir.resolve() if extra_dir is not None else None
    files = _model_files(CATALOGUE_DIR) + _model_files(extra_dir)
    fingerprint = _fingerprint(files)
    cached = _library_cache.get(key)
    if cached is not None and cached[0] == fingerprint:
        return dict(cached[1])
    models: dict[str, ModelSpec] = {}
    for path in files:  # shipped models first
        model = load_model(path)
        if model.id in models:
            raise ModelFileError(f"模型编号 {model.id} 与内置模型重复（{path}）。")
        models[model.id] = model
    _library_cache[key] = (fingerprint, models)
    return dict(models)


def reload_library() -> None:
    """Forget every library read (the next `load_library` reads the files again)."""
    _library_cache.clear()
