"""案号 and 文号 are quoted as their issuers wrote them: cleaned like text, brackets kept."""

from __future__ import annotations

import polars as pl
import pytest

from shujian.data.fields.registry import get_field_type

CASES = [
    # as the agency's file has it → as stored
    ("（2016）黔0221刑初56号", "（2016）黔0221刑初56号"),  # a court's 案号, full-width brackets
    ("(2016)黔0221刑初56号", "（2016）黔0221刑初56号"),  # typed with ASCII brackets
    ("（２０１６）黔０２２１刑初５６号", "（2016）黔0221刑初56号"),  # full-width digits
    ("青市监处罚〔2024〕12号", "青市监处罚〔2024〕12号"),  # a 文号's 〔〕 untouched
    ("青检刑不诉〔2026〕3号 ", "青检刑不诉〔2026〕3号"),  # trailing space dropped
    ("盤州市監處罰〔2024〕7號", "盘州市监处罚〔2024〕7号"),  # traditional characters
    ("", None),
]


@pytest.mark.parametrize(("raw", "stored"), CASES)
def test_a_document_number_keeps_its_issuer_s_brackets(raw: str, stored: str | None) -> None:
    parsed = get_field_type("document_number").parse(pl.Series("n", [raw]))
    assert parsed.value.to_list() == [stored]
    assert parsed.error.to_list() == [None]


def test_plain_text_would_have_given_the_court_number_ascii_brackets() -> None:
    """Why the type exists: text cleaning alone rewrites the court's brackets."""
    text = get_field_type("text").parse(pl.Series("n", ["（2016）黔0221刑初56号"]))
    assert text.value.to_list() == ["(2016)黔0221刑初56号"]
