"""How a document names people and shows numbers (未成年人保护法 art. 103), and how it writes
dates, amounts and punctuation."""

from __future__ import annotations

import datetime as dt

import pytest

from shujian.cases.documents import values
from shujian.cases.documents.disclosure import (
    Pseudonyms,
    disclosed_rows,
    id_tail,
    register_people,
    scrub,
    surname,
)
from shujian.models.document import Person, parse_document

SPEC = parse_document(
    {
        "recipient": "县级卫生健康主管部门",
        "fact": "{{ patient_name }}",
        "violation": "v",
        "duty": "d",
        "provisions": ["x"],
        "items": ["i"],
        "evidence": ["e"],
        "attachment": ["patient_name"],
        "persons": [
            {"name": "patient_name", "id": "id_card", "role": "minor", "private": ["birth_date"]}
        ],
    }
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("郭小花", "郭"), ("欧阳娜娜", "欧阳"), ("司马光", "司马"), ("王五", "王"), ("上官", "上")],
)
def test_surname_knows_the_compound_surnames(name: str, expected: str) -> None:
    assert surname(name) == expected


def _disclose(spec, leads):
    """Both passes, as build_argument runs them: register everyone, then print."""
    p = Pseudonyms()
    for lead_id, rows in leads:
        register_people(spec, rows, lead_id, p)
    names = p.names()
    return [disclosed_rows(spec, rows, names) for _, rows in leads], p


def test_a_minor_is_named_surname_mou_and_nothing_else_is_printed() -> None:
    row = {"patient_name": "郭小花", "id_card": "520203201203050028", "birth_date": "2012-03-05"}
    ((shown,),), p = _disclose(SPEC, [(7, [row])])
    assert shown == {"patient_name": "郭某"}
    assert p.audit_links() == [{"pseudonym": "郭某", "lead_id": 7, "row": 0}]


def test_two_minors_of_one_surname_are_jia_and_yi_and_one_child_stays_one_name() -> None:
    a = {"patient_name": "郭小花", "id_card": "520203201203050028"}
    b = {"patient_name": "郭大宝", "id_card": "520203201104050011"}
    (first, second), p = _disclose(SPEC, [(1, [a]), (2, [b, a])])
    assert [r["patient_name"] for r in first + second] == ["郭某甲", "郭某乙", "郭某甲"]
    assert [link["pseudonym"] for link in p.audit_links()] == ["郭某甲", "郭某乙", "郭某甲"]


def test_an_adult_keeps_the_name_and_only_the_tail_of_the_number() -> None:
    spec = SPEC.__class__(**{**SPEC.__dict__, "persons": (Person("name", "adult", "id_card"),)})
    row = {"name": "张三", "id_card": "520203198001010015", "birth_date": "1980-01-01"}
    (shown,) = disclosed_rows(spec, [row], {}, frozenset({"birth_date"}))
    assert shown == {"name": "张三", "id_card": "尾号0015"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("身份证520203198001010015，电话13912345678", "身份证尾号0015，电话尾号5678的电话"),
        ("信用代码92520203MA6BJ1XG5U", "信用代码92520203MA6BJ1XG5U"),
    ],
)
def test_numbers_in_free_text_are_scrubbed(text: str, expected: str) -> None:
    assert scrub(text) == expected


def test_id_tail_never_shows_more_than_four() -> None:
    assert id_tail("52020319800101001X") == "尾号001X"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2026, 10, 20), "2026年10月20日"),
        (dt.datetime(2026, 10, 20, 23, 5, 11), "2026年10月20日23时05分"),
        ("2026-10-20", "2026年10月20日"),
        ("入住2026-10-20 23:05:11", "入住2026年10月20日23时05分"),
        (150.0, "150"),
        (True, "是"),
        (None, ""),
        (["甲", "乙"], "甲、乙"),
        ("(2026)黔0102民初123号", "（2026）黔0102民初123号"),
        ("单位:某局,地址(城关镇)", "单位：某局，地址（城关镇）"),
        ("坐标 106.5,26.5", "坐标 106.5,26.5"),
        ('旅馆接待未成年人未履行"五必须"', "旅馆接待未成年人未履行“五必须”"),
    ],
)
def test_values_are_written_as_a_document_writes_them(value: object, expected: str) -> None:
    assert values.plain(value) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(60000, "6万元"), (1900000, "190万元"), (12345.5, "12,345.50元"), (60001, "60,001元")],
)
def test_amounts(amount: float, expected: str) -> None:
    assert values.yuan(amount) == expected


def test_a_quotation_inside_a_quotation_takes_single_marks() -> None:
    assert values.inner_quotes('旅馆未履行"五必须"') == "旅馆未履行‘五必须’"
    assert values.inner_quotes("未履行“五必须”") == "未履行‘五必须’"


def test_an_id_tail_is_kept_whole_in_the_evidence_list() -> None:
    from shujian.cases.documents.tables import plan_columns

    columns, _ = plan_columns(
        ["姓名", "公民身份号码", "地址"], [["张三", "尾号087X", "青岚县翠屏街道兴隆街86号"] * 1]
    )
    assert columns[1].rigid and not columns[2].rigid
