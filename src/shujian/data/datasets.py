"""Dataset declarations: what each agency file must contain.

One YAML file per dataset in `datasets/` (shipped) or in a workspace's `datasets/` folder (a
procuratorate's own). A declaration is data — columns, Chinese labels, field types, aliases,
the record key — and this module only loads and checks it.

Two ways a newer batch relates to older ones, declared per dataset as `mode`:

* `snapshot` — registries (schools, venues, projects...). Agencies send their whole current
  list, or the changed part of it. The newest batch wins for each `record_key`; a record that a
  later file does not mention is kept (absence is not proof of closure — a 注销 status is).
* `events` — things that happened (check-ins, payments, deposits...). Batches are appended;
  a row identical to one already stored (overlapping exports such as Jan–Mar then Jan–Jun) is
  not stored twice, so sums never double count.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from shujian import yamlfile

SHIPPED_DIR = Path(__file__).parent / "datasets"

LIST_SEPARATORS = re.compile(r"[、,，;；/／|｜\s]+")
"""What separates the items of a list cell (`multiple: true`), as agencies type them."""


@dataclass(frozen=True)
class Column:
    id: str
    label: str
    type: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    synonyms: dict[str, str] = field(default_factory=dict)
    ambiguous: dict[str, str] = field(default_factory=dict)
    """Words that could mean more than one value, each with the question that settles it.

    A synonym maps one word to one value; a word such as a bare 不起诉 names several values
    that the rules treat differently, so it is refused with that question, never mapped."""
    multiple: bool = False
    """A cell holds a list of values (帮扶措施: 心理辅导、劝返回校): each item is checked against
    the vocabulary and the cell is stored as its values in declared order, joined by 、."""
    value_labels: dict[str, str] = field(default_factory=dict)
    """Chinese names of values that are codes (single_parent → 单亲、离异家庭未成年人), for
    messages and listings; the stored value is the code."""

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header that maps to this column without configuration."""
        return (self.label, *self.aliases)


@dataclass(frozen=True)
class Dataset:
    id: str
    label: str
    agency: str
    mode: Literal["snapshot", "events"]
    columns: tuple[Column, ...]
    subject: str
    record_key: tuple[str, ...] = ()
    coordinates: dict[str, str] | None = None
    source: Path | None = None
    on_import: str | None = None
    """"module:function" called with each imported batch in the transaction that records it
    (`data.importer.ImportHook`): offence_records seals a minor's records as they come in."""

    def column(self, column_id: str) -> Column:
        for col in self.columns:
            if col.id == column_id:
                return col
        raise KeyError(f"dataset {self.id} has no column {column_id}")

    @property
    def column_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.columns)

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    @property
    def time_column(self) -> str | None:
        """The first required date or time column of an events dataset: a stored event equal to
        a new one has the same value in it (an event's identity is its whole content), so a new
        file is compared only with the stored events of its own period (`steps.read_stored_keys`)."""
        if self.mode != "events":
            return None
        return next((c.id for c in self.required if c.type in TIME_TYPES), None)

    def header_index(self) -> dict[str, str]:
        """Normalised header → column id, for labels and aliases."""
        index: dict[str, str] = {}
        for col in self.columns:
            index[normalise_header(col.id)] = col.id
            for header in col.headers:
                index.setdefault(normalise_header(header), col.id)
        return index


TIME_TYPES = ("date", "datetime", "month")

INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\x00")
"""Zero-width space, non-joiner and joiner, word joiner, byte-order mark (zero-width no-break
space) and NUL: invisible in a spreadsheet, but part of the header's text."""

HEADER_NOISE = (" ", "\t", "\n", "\r", "*", "\u3000", *INVISIBLE)
"""Characters removed before headers compare: spaces, required-marks, line breaks, and the
invisible ones an export leaves behind (`INVISIBLE`)."""


def normalise_header(header: str) -> str:
    """Headers compare after NFKC, with spaces, required-marks, line breaks, zero-width
    characters, byte-order marks and NUL removed."""
    text = unicodedata.normalize("NFKC", str(header))
    for ch in HEADER_NOISE:
        text = text.replace(ch, "")
    return text.lower()


def _load_file(path: Path) -> Dataset:
    raw = yamlfile.load(path.read_text(encoding="utf-8"))
    columns = tuple(
        Column(
            id=c["id"],
            label=c["label"],
            type=c["type"],
            required=bool(c.get("required", False)),
            aliases=tuple(c.get("aliases", ()) or ()),
            values=tuple(c.get("values", ()) or ()),
            synonyms=dict(c.get("synonyms", {}) or {}),
            ambiguous=dict(c.get("ambiguous", {}) or {}),
            multiple=bool(c.get("multiple", False)),
            value_labels=dict(c.get("value_labels", {}) or {}),
        )
        for c in raw["columns"]
    )
    dataset = Dataset(
        id=raw["id"],
        label=raw["label"],
        agency=raw.get("agency", ""),
        mode=raw["mode"],
        columns=columns,
        subject=raw["subject"],
        record_key=tuple(raw.get("record_key", ()) or ()),
        coordinates=raw.get("coordinates"),
        source=path,
        on_import=raw.get("on_import"),
    )
    check_dataset(dataset)
    return dataset


def check_dataset(dataset: Dataset) -> None:
    """A declaration that cannot work is a programming error: fail at load time."""
    from shujian.data.fields.registry import FIELD_TYPES

    ids = dataset.column_ids
    if len(set(ids)) != len(ids):
        raise ValueError(f"{dataset.id}: duplicate column ids")
    if dataset.mode not in ("snapshot", "events"):
        raise ValueError(f"{dataset.id}: mode must be snapshot or events")
    if dataset.mode == "snapshot" and not dataset.record_key:
        raise ValueError(f"{dataset.id}: a snapshot dataset needs a record_key")
    for name in (*dataset.record_key, dataset.subject):
        if name not in ids:
            raise ValueError(f"{dataset.id}: key column {name} is not declared")
    for col in dataset.columns:
        if col.type not in FIELD_TYPES:
            raise ValueError(f"{dataset.id}.{col.id}: unknown field type {col.type}")
        if not col.label:
            raise ValueError(f"{dataset.id}.{col.id}: missing Chinese label")
        _check_vocabulary(dataset.id, col)
    seen: dict[str, str] = {}
    for col in dataset.columns:
        for header in col.headers:
            key = normalise_header(header)
            if key in seen and seen[key] != col.id:
                raise ValueError(f"{dataset.id}: header {header} maps to {seen[key]} and {col.id}")
            seen[key] = col.id


def _check_vocabulary(dataset_id: str, col: Column) -> None:
    """A synonym must name a declared value, and no word may be both a synonym and ambiguous."""
    where = f"{dataset_id}.{col.id}"
    if (col.synonyms or col.ambiguous or col.multiple or col.value_labels) and not col.values:
        raise ValueError(f"{where}: synonyms, ambiguous words, lists and labels need values")
    for value in col.value_labels:
        if value not in col.values:
            raise ValueError(f"{where}: label for undeclared value {value}")
    if col.multiple:
        for word in (*col.values, *col.synonyms, *col.ambiguous):
            if LIST_SEPARATORS.search(word):
                raise ValueError(f"{where}: list item {word} contains a list separator")
    for word, target in col.synonyms.items():
        if target not in col.values:
            raise ValueError(f"{where}: synonym {word} maps to undeclared value {target}")
    for word in col.ambiguous:
        if word in col.synonyms or word in col.values:
            raise ValueError(f"{where}: {word} is declared ambiguous and also accepted")


@cache
def _shipped() -> dict[str, Dataset]:
    return {d.id: d for d in (_load_file(p) for p in sorted(SHIPPED_DIR.glob("*.yaml")))}


def load_datasets(extra_dir: Path | None = None) -> dict[str, Dataset]:
    """Shipped declarations plus a workspace's own (which may add, not replace, datasets)."""
    datasets = dict(_shipped())
    if extra_dir is not None and extra_dir.is_dir():
        for path in sorted(extra_dir.glob("*.yaml")):
            dataset = _load_file(path)
            if dataset.id in datasets:
                raise ValueError(f"数据集 {dataset.id} 已内置，不能重复声明（{path}）")
            datasets[dataset.id] = dataset
    return datasets
