"""Chinese labels of evidence columns, and the masking of the columns holding ID numbers.

Labels come from the model's own `labels:` mapping, else from the shared dictionary
`evidence_labels.yaml`, else the column id itself. The same file's `masked:` map names the
columns that hold citizens' ID numbers, which lists and documents show as 5202031********234.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from shujian.data.fields.uscc import ALPHABET as USCC_ALPHABET
from shujian.data.fields.uscc import WEIGHTS as USCC_WEIGHTS
from shujian.models.spec import ModelSpec

LABELS_PATH = Path(__file__).with_name("evidence_labels.yaml")
ID_CARD = "id_card"
"""The masked kind of a column holding 公民身份号码."""

_USCC = re.compile(r"[0-9A-HJ-NP-RTUW-Y]{18}")
_ID_SHAPED = re.compile(r"[0-9]{17}[0-9Xx]")


@cache
def _shared() -> tuple[dict[str, str], dict[str, str]]:
    raw: dict[str, Any] = yaml.safe_load(LABELS_PATH.read_text(encoding="utf-8")) or {}
    labels = {str(k): str(v) for k, v in (raw.get("labels") or {}).items()}
    masked = {str(k): str(v) for k, v in (raw.get("masked") or {}).items()}
    return labels, masked


def shared_labels() -> dict[str, str]:
    """The shared dictionary {column: 中文标签} (a copy)."""
    return dict(_shared()[0])


def evidence_label(model: ModelSpec, column: str) -> str:
    """The Chinese label of an evidence column: the model's own, else the shared, else the id."""
    return model.labels.get(column) or _shared()[0].get(column) or column


def masked_kind(column: str) -> str | None:
    """`"id_card"` for a column holding citizens' ID numbers, else None."""
    return _shared()[1].get(column)


def mask_id_card(value: str) -> str:
    """5202031********234: the first 7 characters (6 of a 15-digit old number) and the last 3.

    An empty value stays empty. A valid 统一社会信用代码 that could not be an ID number (it has
    letters; 当事人证件号码 holds either) is a unit's code, not a person's, and is returned
    unchanged; every other value is masked, so a malformed number never shows whole.
    """
    if not value or _is_unit_code(value):
        return value
    keep = 6 if len(value) == 15 else 7
    if len(value) <= keep + 3:
        return "*" * len(value)
    return value[:keep] + "*" * (len(value) - keep - 3) + value[-3:]


ID_CARD_SHAPE = re.compile(r"[0-9]{17}[0-9Xx]|[0-9]{15}")
"""A citizen's ID number as a subject holds it (18 digits, or an old 15-digit one)."""


def mask_if_id_card(value: str) -> str:
    """`value` masked when it has the shape of an ID number (a lead's subject may be one)."""
    return mask_id_card(value) if ID_CARD_SHAPE.fullmatch(value) else value


def mask_evidence(column: str, value: Any) -> Any:
    """The value as lists and documents may show it: ID-number columns masked, others as they are."""
    if value is None or masked_kind(column) != ID_CARD:
        return value
    return mask_id_card(str(value))


def _is_unit_code(value: str) -> bool:
    if _ID_SHAPED.fullmatch(value) or not _USCC.fullmatch(value):
        return False
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(value[:17], USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31] == value[17]
