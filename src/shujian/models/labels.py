"""Chinese labels of evidence columns, and the masking of the values holding ID numbers.

Labels come from the model's own `labels:` mapping, else from the shared dictionary
`evidence_labels.yaml`, else the column id itself.

Masking follows the field type, not the column name: an output column is masked when the
query's lineage traces its value to a dataset column of type `id_card` (or `uscc_or_id_card`,
whose person numbers are masked and unit codes shown), whatever the author called it. Lists,
exports and documents show 5202031********234; beside a birth date or an age (which restore the
hidden digits) only the region, 520203************.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from shujian import yamlfile
from shujian.data.datasets import Dataset, load_datasets
from shujian.models.spec import ModelSpec, load_library

LABELS_PATH = Path(__file__).with_name("evidence_labels.yaml")
_USCC = re.compile(r"[0-9A-HJ-NP-RTUW-Y]{18}")
_ID_SHAPED = re.compile(r"[0-9]{17}[0-9Xx]")


@cache
def _shared() -> tuple[dict[str, str]]:
    raw: dict[str, Any] = yamlfile.load(LABELS_PATH.read_text(encoding="utf-8")) or {}
    return ({str(k): str(v) for k, v in (raw.get("labels") or {}).items()},)


def shared_labels() -> dict[str, str]:
    """The shared dictionary {column: 中文标签} (a copy)."""
    return dict(_shared()[0])


def evidence_label(model: ModelSpec, column: str) -> str:
    """The Chinese label of an evidence column: the model's own, else the shared, else the id."""
    return model.labels.get(column) or _shared()[0].get(column) or column


def mask_id_card(value: str, region_only: bool = False) -> str:
    """5202031********234: the first 7 characters (6 of a 15-digit old number) and the last 3.

    With `region_only` (the ID sits beside a birth date or an age, which would restore the
    hidden birth digits, and the check digit the last one): 520203************.

    An empty value stays empty. A valid 统一社会信用代码 that could not be an ID number (it has
    letters; 当事人证件号码 holds either) is a unit's code, not a person's, and is returned
    unchanged; every other value is masked, so a malformed number never shows whole.
    """
    if not value or _is_unit_code(value):
        return value
    if region_only:
        return value[:6] + "*" * (len(value) - 6) if len(value) > 6 else "*" * len(value)
    keep = 6 if len(value) == 15 else 7
    if len(value) <= keep + 3:
        return "*" * len(value)
    return value[:keep] + "*" * (len(value) - keep - 3) + value[-3:]


_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")
_BARE = re.compile(r"[0-9A-Za-z]+")

SENSITIVE_TYPES = ("id_card", "uscc_or_id_card")
"""Field types whose values are (or may be) citizens' ID numbers: masked wherever they flow."""


def _mask_value(value: Any, region_only: bool) -> Any:
    """An ID column's value masked: a bare number whole (malformed ones too), and every ID
    number inside a longer text ("身份证：5202…") or a list."""
    if value is None:
        return None
    if isinstance(value, list):
        return [_mask_value(v, region_only) for v in value]
    text = str(value)
    if _BARE.fullmatch(text):
        return mask_id_card(text, region_only)
    return _ID_IN_TEXT.sub(lambda m: mask_id_card(m.group(), region_only), text)


@dataclass(frozen=True)
class EvidencePrivacy:
    """Which outputs of one model carry ID numbers, and which would restore their hidden digits.

    Computed from the query's lineage (`lineage.py`), so it follows the data's field types,
    not the names an author gave the output columns.
    """

    id_columns: frozenset[str] = frozenset()
    """Output columns whose value carries a column of type id_card (or uscc_or_id_card)."""
    restoring: frozenset[str] = frozenset()
    """Output columns holding a birth date or an age: computed from an ID number, or copied from
    a dataset's birth-date column."""
    subject_is_id: bool = False
    title_has_id: bool = False
    by_shape: bool = False
    """The lineage is unknown (the model is gone, or reads a dataset not loaded): every value
    shaped like an ID number is masked, down to its region."""

    def region_only(self, rows: Sequence[Mapping[str, Any]]) -> bool:
        """True when a masked ID would sit beside a birth date or an age in these rows."""
        return self.by_shape or any(
            row.get(c) not in (None, "") for row in rows for c in self.restoring
        )

    def rows(self, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        short = self.region_only(rows)
        if self.by_shape:
            return [
                {c: _mask_value(v, True) if _has_id(v) else v for c, v in r.items()} for r in rows
            ]
        return [
            {c: _mask_value(v, short) if c in self.id_columns else v for c, v in r.items()}
            for r in rows
        ]

    def lead(self, lead: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of a lead (subject, title, evidence) as lists, exports and documents show it.

        The subject and title are masked alongside the evidence, so when any evidence row
        carries a birth date or age, the subject keeps only its region too. A subject made of an
        ID number and more (5202…/2026-04: a minor and a month) has the number masked inside it.
        """
        out = dict(lead)
        evidence = list(lead.get("evidence") or [])
        short = self.region_only(evidence)
        out["evidence"] = self.rows(evidence)
        subject = lead.get("subject")
        if isinstance(subject, str) and (
            self.subject_is_id or (self.by_shape and _ID_IN_TEXT.search(subject))
        ):
            out["subject"] = _mask_value(subject, short)
        title = lead.get("title")
        if isinstance(title, str) and (self.title_has_id or self.by_shape):
            out["title"] = _ID_IN_TEXT.sub(lambda m: mask_id_card(m.group(), short), title)
        return out

    def fields(self) -> list[str]:
        """The fields a reveal shows whole (for the audit log)."""
        return (
            (["subject"] if self.subject_is_id else [])
            + (["title"] if self.title_has_id else [])
            + [f"evidence.{c}" for c in sorted(self.id_columns)]
        )


BY_SHAPE = EvidencePrivacy(by_shape=True)


def _has_id(value: Any) -> bool:
    if isinstance(value, list):
        return any(_has_id(v) for v in value)
    return isinstance(value, str) and bool(_ID_IN_TEXT.search(value))


_PRIVACY: dict[tuple[Any, ...], EvidencePrivacy] = {}


def privacy_of(model: ModelSpec, datasets: Mapping[str, Dataset] | None = None) -> EvidencePrivacy:
    """The model's `EvidencePrivacy`, computed once per query and dataset declarations."""
    datasets = load_datasets() if datasets is None else datasets
    used = tuple(
        (d.id, tuple((c.id, c.type, c.label) for c in d.columns))
        for d in (datasets.get(i) for i in model.datasets)
        if d is not None
    )
    key = (model.query, model.subject_column, model.title, used)
    if key not in _PRIVACY:
        _PRIVACY[key] = _compute(model, datasets)
    return _PRIVACY[key]


def _compute(model: ModelSpec, datasets: Mapping[str, Dataset]) -> EvidencePrivacy:
    # sqlglot and the import pipeline load here, not when a command that only masks loads
    from shujian.engine.dialects import CompileError
    from shujian.models.lineage import LineageError, query_lineage

    try:
        lineage = query_lineage(model.query, datasets)
    except (LineageError, CompileError):
        return BY_SHAPE
    ids, restoring = set(), set()
    for column, sources in lineage.items():
        for s in sources:
            if s.kind != "column" or s.dataset not in datasets:
                continue
            try:
                declared = datasets[s.dataset].column(s.name)
            except KeyError:
                continue
            if declared.type in SENSITIVE_TYPES and s.how == "value":
                ids.add(column)
            elif (declared.type in SENSITIVE_TYPES and s.how == "birth") or (
                declared.type == "date"
                and s.how in ("value", "birth")
                and ("birth" in declared.id or "出生" in declared.label)
            ):
                restoring.add(column)
    in_title = set(_TEMPLATE_FIELD.findall(model.title))
    return EvidencePrivacy(
        id_columns=frozenset(ids),
        restoring=frozenset(restoring - ids),
        subject_is_id=model.subject_column in ids,
        title_has_id=bool(in_title & ids),
    )


_TEMPLATE_FIELD = re.compile(r"{([^{}:!]+)")


class Masking:
    """The privacy of every model of a library, for one command or request.

    A lead whose model is not in the library (removed since it ran) is masked by shape.
    """

    def __init__(
        self,
        library: Mapping[str, ModelSpec] | None = None,
        datasets: Mapping[str, Dataset] | None = None,
    ) -> None:
        self.library = load_library() if library is None else library
        self.datasets = load_datasets() if datasets is None else datasets

    def of(self, model_id: str) -> EvidencePrivacy:
        model = self.library.get(model_id)
        return BY_SHAPE if model is None else privacy_of(model, self.datasets)

    def lead(self, lead: Mapping[str, Any]) -> dict[str, Any]:
        return self.of(str(lead["model_id"])).lead(lead)


def _is_unit_code(value: str) -> bool:
    if _ID_SHAPED.fullmatch(value) or not _USCC.fullmatch(value):
        return False
    # the field types load polars and numpy: only here, when a value looks like a 信用代码
    from shujian.data.fields.uscc import ALPHABET as USCC_ALPHABET
    from shujian.data.fields.uscc import WEIGHTS as USCC_WEIGHTS

    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(value[:17], USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31] == value[17]
