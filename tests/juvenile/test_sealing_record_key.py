"""The identity of a sealed offence record (`records.record_key`) is stored: a key that changed
would seal again a record already sealed, or one an officer unsealed. These keys were made by
the code that sealed the records on file; the first is spelt out."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from shujian.juvenile.sealing.records import record_key

FIRST = {
    "id_card": "110105200801011234",
    "decided_on": dt.date(2024, 3, 1),
    "outcome": "有罪判决",
    "offence": "盗窃",
    "document_no": "青刑初〔2024〕7号",
}


def test_the_key_is_the_sha256_of_the_record_s_fields():
    text = "110105200801011234\x1f2024-03-01\x1f有罪判决\x1f盗窃\x1f青刑初〔2024〕7号"
    assert record_key(FIRST) == hashlib.sha256(text.encode()).hexdigest()[:32]


@pytest.mark.parametrize(
    ("row", "key"),
    [
        (FIRST, "24acfb554439193f4ae1269d201ef15a"),
        (  # spaces around; a time of day; nothing for the offence and document
            {
                "id_card": " 110105200801011234 ",
                "decided_on": dt.datetime(2024, 3, 1, 9, 30),
                "outcome": "有罪判决 ",
                "offence": None,
                "document_no": None,
            },
            "1a91211e960e9dc8be0e4d87a6e7f5ab",
        ),
        (  # a date as text with a time, an offence that begins like a date, a blank document
            {
                "id_card": "110105200801011234",
                "decided_on": "2024-03-01 00:00:00",
                "outcome": "相对不起诉",
                "offence": "2024-03-01T08:00 抢夺",
                "document_no": "  ",
            },
            "c96c7787120cf0591e63b12e69648fbb",
        ),
        (  # full-width spaces, a number for the document
            {
                "id_card": "110105200801011234",
                "decided_on": "2024-03-01",
                "outcome": "附条件不起诉",
                "offence": "\u3000寻衅滋事\u3000",
                "document_no": 12,
            },
            "ca435e61a16dd3135f7e96c0a36d73dc",
        ),
        (  # text that is not a date though it has dashes
            {
                "id_card": "11010520080101123X",
                "decided_on": dt.date(2024, 3, 1),
                "outcome": "有罪判决",
                "offence": "2024年3月",
                "document_no": "abcd-ef-ghij",
            },
            "14b3df0bc0b399724ab6742b9923b265",
        ),
        ({"id_card": "", "decided_on": dt.date(2024, 3, 1), "outcome": "有罪判决"}, None),
        ({"id_card": "110105200801011234", "decided_on": None, "outcome": "有罪判决"}, None),
    ],
)
def test_keys_of_records_on_file_stay_the_same(row, key):
    assert record_key(row) == key
