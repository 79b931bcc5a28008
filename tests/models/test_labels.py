"""Every evidence column has a Chinese label; ID numbers are masked by field type, not name."""

from __future__ import annotations

import dataclasses
import re

import pytest
import yaml

from shujian.data.datasets import load_datasets
from shujian.models.checks import check_model
from shujian.models.labels import (
    BY_SHAPE,
    LABELS_PATH,
    evidence_label,
    mask_id_card,
    privacy_of,
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


def test_the_shared_file_has_labels_only_masking_follows_field_types():
    assert set(RAW) == {"labels"}
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
    assert privacy_of(LIBRARY["staff.barred_offence"]).rows([{"id_card": None}]) == [
        {"id_card": None}
    ]


def test_a_malformed_number_never_shows_whole():
    assert mask_id_card("52020319900101123") == "5202031*******123"
    assert mask_id_card("1234") == "****"


def test_beside_a_birth_date_only_the_region_is_kept():
    assert mask_id_card("520203199001011234", region_only=True) == "520203************"
    assert mask_id_card("520203900101123", region_only=True) == "520203*********"


def test_party_id_masks_a_persons_number_and_shows_a_units_credit_code():
    privacy = privacy_of(LIBRARY["transfer.not_transferred"])
    assert privacy.id_columns == {"party_id"}
    rows = [
        {"party_id": "520203198003140112"},
        {"party_id": "91520203MA6107MB8U"},
        # a code with letters but a wrong check character is not taken for a credit code
        {"party_id": "91520203MA6107MB8V"},
    ]
    assert [r["party_id"] for r in privacy.rows(rows)] == [
        "5202031********112",
        "91520203MA6107MB8U",
        "9152020********B8V",
    ]


def test_other_columns_are_not_masked():
    privacy = privacy_of(LIBRARY["hotel.minor_guest"])
    assert "hotel_uscc" not in privacy.id_columns and "guest_name" not in privacy.id_columns
    row = {"hotel_uscc": "91520203MA6107MB8U", "guest_name": "张小雨"}
    assert privacy.rows([row]) == [row]


def test_the_models_whose_subject_is_a_person_mask_it():
    people = {m.id for m in LIBRARY.values() if privacy_of(m).subject_is_id}
    assert people == {
        "benefit.deceased",
        "benefit.in_custody",
        "report.mandatory",
        "staff.barred_offence",
        "juvenile.visit_missing",
        "juvenile.unassigned",
        "juvenile.escalation",
        "juvenile.dropout_not_returned",
        "juvenile.netcafe_frequent",
    }


MONTHLY = "520203200804300112/2026-04"
"""A juvenile.visit_missing subject: a minor's ID number and a month."""


def test_a_minor_and_month_subject_has_its_number_masked():
    privacy = privacy_of(LIBRARY["juvenile.visit_missing"])
    assert privacy.subject_is_id
    lead = {"subject": MONTHLY, "title": "郑杰2026-04四访未落实", "evidence": [{"id_card": None}]}
    assert privacy.lead(lead)["subject"] == "5202032********112/2026-04"
    # beside the age at the month's end only the region is kept
    lead["evidence"] = [{"id_card": MONTHLY[:18], "age_at_month_end": 17}]
    shown = privacy.lead(lead)
    assert shown["subject"] == "520203************/2026-04"
    assert shown["evidence"][0]["id_card"] == "520203************"


def test_a_minor_and_month_subject_of_an_unknown_model_is_masked_by_shape():
    shown = BY_SHAPE.lead({"subject": MONTHLY, "title": "", "evidence": []})
    assert shown["subject"] == "520203************/2026-04"
    unit = BY_SHAPE.lead({"subject": "91520203MA6107MB8U", "title": "", "evidence": []})
    assert unit["subject"] == "91520203MA6107MB8U"


@pytest.mark.parametrize("model_id", sorted(LIBRARY))
def test_every_evidence_column_copying_an_id_number_is_masked(model_id: str):
    model = LIBRARY[model_id]
    privacy = privacy_of(model)
    for column in model.evidence:
        if column in ("id_card", "party_id"):
            assert column in privacy.id_columns, column
    for column in ("birth_date", "age_on_day", "age_on_visit"):
        if column in model.evidence:
            assert column in privacy.restoring, column


def renamed(query: str, evidence: list[str]) -> dict:
    return {
        "id": "local.renamed",
        "name": "改名的身份号码列",
        "category": ["未检"],
        "supervision_point": "示例",
        "legal_basis": [{"law": "示例法", "tag": "U"}],
        "datasets": ["staff_roster"],
        "subject": {"column": "单位", "dataset": "staff_roster"},
        "title": "{单位}",
        "evidence": evidence,
        "query": query,
    }


def test_an_id_number_under_another_name_or_inside_a_text_is_masked():
    spec = spec_from_dict(
        renamed(
            "SELECT s.employer_uscc AS 单位, s.name AS 姓名, s.id_card AS 证件,"
            " CONCAT('身份证：', s.id_card, '（', s.name, '）') AS 说明,"
            " SUBSTRING(s.id_card, 1, 6) AS 籍贯代码"
            " FROM staff_roster AS s",
            ["单位", "姓名", "证件", "说明", "籍贯代码"],
        )
    )
    assert check_model(spec, load_datasets()) == []
    privacy = privacy_of(spec)
    assert privacy.id_columns == {"证件", "说明"}
    (row,) = privacy.rows(
        [
            {
                "单位": "52520203MA65UAJF7X",
                "姓名": "张三",
                "证件": "520203199001011234",
                "说明": "身份证：520203199001011234（张三）",
                "籍贯代码": "520203",
            }
        ]
    )
    assert row["证件"] == "5202031********234"
    assert row["说明"] == "身份证：5202031********234（张三）"
    assert row["单位"] == "52520203MA65UAJF7X" and row["籍贯代码"] == "520203"


def test_an_id_beside_an_age_computed_from_it_keeps_only_its_region():
    spec = spec_from_dict(
        renamed(
            "SELECT s.employer_uscc AS 单位, s.id_card AS 证件,"
            " age_on(s.id_card, s.hired_on) AS 入职年龄 FROM staff_roster AS s",
            ["单位", "证件", "入职年龄"],
        )
    )
    privacy = privacy_of(spec)
    assert privacy.restoring == {"入职年龄"}
    lead = {
        "model_id": spec.id,
        "subject": "52520203MA65UAJF7X",
        "title": "t",
        "evidence": [{"单位": "52520203MA65UAJF7X", "证件": "520203199001011234", "入职年龄": 30}],
    }
    assert privacy.lead(lead)["evidence"][0]["证件"] == "520203************"
