"""Every field type by the name a dataset declaration gives it (`id_card`, `uscc`, `date`, ...)."""

from __future__ import annotations

from shujian.data.fields.base import FieldType
from shujian.data.fields.dates import DateField, DateTimeField, MonthField
from shujian.data.fields.document_number import DocumentNumberField
from shujian.data.fields.geo import CrsField, LatField, LonField
from shujian.data.fields.id_card import IdCardField
from shujian.data.fields.money import MoneyYuanField, NumberField
from shujian.data.fields.party_id import UsccOrIdCardField
from shujian.data.fields.sentence import SentenceField
from shujian.data.fields.text import TextField
from shujian.data.fields.uscc import UsccField

FIELD_TYPES: dict[str, FieldType] = {
    field.name: field
    for field in (
        TextField(),
        DocumentNumberField(),
        IdCardField(),
        UsccField(),
        DateField(),
        DateTimeField(),
        MonthField(),
        MoneyYuanField(),
        NumberField(),
        LonField(),
        LatField(),
        CrsField(),
        UsccOrIdCardField(),
        SentenceField(),
    )
}


def get_field_type(name: str) -> FieldType:
    """The field type called `name`; KeyError naming the known types otherwise."""
    try:
        return FIELD_TYPES[name]
    except KeyError:
        known = ", ".join(sorted(FIELD_TYPES))
        raise KeyError(f"unknown field type {name!r}; known types: {known}") from None
