"""Every evidence column has a Chinese label; ID-number columns are masked."""

from __future__ import annotations

import dataclasses
import re

import pytest
import yaml

from shujian.data.datasets import load_datasets
from shujian.models.checks import check_model
from shujian.models.labels import (
    LABELS_PATH,
    evidence_label,
    mask_evidence,
    mask_id_card,
    masked_kind,
    shared_labels,
)
from shujian.models.spec import ModelFileError, load_library, spec_from_dict

LIBRARY = load_library()
CJK = re.compile(r"[\u4e00-\u9fff]")
RAW = yaml.safe_load(LABELS_PATH.read_text(encoding="utf-8"))


@pytest.mark.parametrize("model_id", sorted(LIBRARY))
def test_every_evidence_column_has_a_chinese_label(model_id: str):
    model = LIBRARY[model_id]
    shared = shared_labels()
    missing = [c for c in model.evidence if c not in model.labels and c not in shared]
    assert missing == [], f"{model_id}: add these to evidence_labels.yaml or the model's labels"
    for column in model.evidence:
        assert CJK.search(evidence_label(model, column)), (model_id, column)


def test_every_label_is_chinese():
    labels = {**shared_labels()}
    for model in LIBRARY.values():
        labels |= {f"{model.id}:{c}": label for c, label in model.labels.items()}
    assert labels
    not_chinese = {c: label for c, label in labels.items() if not CJK.search(label)}
    assert not_chinese == {}


def test_the_shared_file_has_labels_and_masked_maps_only():
    assert set(RAW) == {"labels", "masked"}
    assert all(isinstance(v, str) and v.strip() for v in RAW["labels"].values())


def test_a_models_own_label_wins_over_the_shared_one():
    staff = LIBRARY["staff.barred_offence"]
    assert evidence_label(staff, "name") == "姓名"
    assert evidence_label(LIBRARY["medbeauty.unlicensed"], "name") == "市场主体名称"
    relabelled = dataclasses.replace(staff, labels={"name": "从业人员姓名"})
    assert evidence_label(relabelled, "name") == "从业人员姓名"
    assert evidence_label(relabelled, "id_card") == "公民身份号码"


def test_a_column_without_any_label_is_shown_by_its_id():
    model = LIBRARY["staff.barred_offence"]
    assert evidence_label(model, "no_such_column") == "no_such_column"


def test_labels_are_loaded_from_the_model_file():
    raw = {
        "id": "local.example",
        "name": "示例",
        "category": ["行政"],
        "supervision_point": "示例",
        "legal_basis": [{"law": "示例法", "tag": "U"}],
        "datasets": ["venues"],
        "subject": {"column": "venue_uscc"},
        "title": "{venue_name}",
        "evidence": ["venue_name", "venue_uscc"],
        "labels": {"venue_name": "网点名称"},
        "query": "SELECT name AS venue_name, uscc AS venue_uscc FROM venues",
    }
    spec = spec_from_dict(raw)
    assert spec.labels == {"venue_name": "网点名称"}
    assert evidence_label(spec, "venue_name") == "网点名称"
    assert spec_from_dict({k: v for k, v in raw.items() if k != "labels"}).labels == {}
    with pytest.raises(ModelFileError, match="labels"):
        spec_from_dict({**raw, "labels": ["venue_name"]})


def test_validation_refuses_a_label_for_a_column_that_is_not_evidence():
    model = LIBRARY["campus.internet_cafe"]
    wrong = dataclasses.replace(model, labels={"venue_batch": "批次", "venue_name": ""})
    problems = check_model(wrong, load_datasets())
    assert any("venue_batch" in p and "不是证据列" in p for p in problems)
    assert any("venue_name" in p and "空" in p for p in problems)


def test_an_18_digit_id_number_keeps_its_first_7_and_last_3():
    assert mask_id_card("520203199001011234") == "5202031********234"
    assert mask_id_card("52020320101010064X") == "5202032********64X"


def test_a_15_digit_old_number_keeps_its_first_6_and_last_3():
    assert mask_id_card("520203900101123") == "520203******123"


def test_an_empty_value_stays_empty():
    assert mask_id_card("") == ""
    assert mask_evidence("id_card", None) is None


def test_a_malformed_number_never_shows_whole():
    assert mask_id_card("52020319900101123") == "5202031*******123"
    assert mask_id_card("1234") == "****"


def test_party_id_masks_a_persons_number_and_shows_a_units_credit_code():
    assert masked_kind("party_id") == "id_card"
    assert mask_evidence("party_id", "520203198003140112") == "5202031********112"
    assert mask_evidence("party_id", "91520203MA6107MB8U") == "91520203MA6107MB8U"
    # a code with letters but a wrong check character is not taken for a credit code
    assert mask_evidence("party_id", "91520203MA6107MB8V") == "9152020********B8V"


def test_other_columns_are_not_masked():
    assert masked_kind("venue_uscc") is None
    assert mask_evidence("hotel_uscc", "91520203MA6107MB8U") == "91520203MA6107MB8U"
    assert mask_evidence("guest_name", "张小雨") == "张小雨"


def test_masked_columns_are_evidence_of_some_shipped_model():
    masked = RAW["masked"]
    assert masked
    used = {c for model in LIBRARY.values() for c in model.evidence}
    assert set(masked) <= used
    assert set(masked.values()) == {"id_card"}
    assert all(masked_kind(c) == "id_card" for c in masked)


def test_every_id_number_subject_is_masked():
    for model in LIBRARY.values():
        if model.subject_column.endswith("id_card"):
            assert masked_kind(model.subject_column) == "id_card", model.id
