"""判处刑罚 as a field type: each cell read by `shujian.data.sentences.parse_sentence` (the pure
reading, table tests: tests/data/fields/test_field_sentence.py) into its canonical form, or refused
with the reason."""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from shujian.data.fields.base import FieldType, Parsed
from shujian.data.fields.text import normalise_text
from shujian.data.sentences import Sentence, parse_sentence

__all__ = ["Sentence", "SentenceField", "parse_sentence"]


class SentenceField(FieldType):
    """判处刑罚 as written in a judgment; stored in its canonical form (`Sentence.text`)."""

    name: ClassVar[str] = "sentence"
    label: ClassVar[str] = "判处刑罚"
    dtype: ClassVar[pl.DataType] = pl.Utf8()

    def parse(self, raw: pl.Series) -> Parsed:
        cleaned = normalise_text(raw)
        values: list[str | None] = []
        errors: list[str | None] = []
        for cell in cleaned.to_list():
            if cell is None or not str(cell).strip():
                values.append(None)
                errors.append(None)
                continue
            read = parse_sentence(str(cell))
            if isinstance(read, Sentence):
                values.append(read.text)
                errors.append(None)
            else:
                values.append(None)
                errors.append(read)
        return Parsed(
            value=pl.Series(raw.name, values, dtype=pl.Utf8),
            error=pl.Series(raw.name, errors, dtype=pl.Utf8),
        )
