"""Numbers of official documents: 案号 of the courts, 文号 of decisions and approvals.

They are text, cleaned like any text, with one exception: brackets. Text cleaning (NFKC) turns
the full-width （） of a court's 案号 into ASCII ( ), so “（2016）黔0221刑初56号” came out as
“(2016)黔0221刑初56号”, a number the court never wrote: 最高人民法院《关于人民法院案件案号的若干
规定》 puts the year of a 案号 in full-width （）. Here round brackets are always given back as
（）. The 〔〕 of a 文号 (GB/T 9704) and any other bracket are kept as the agency wrote them — a
document's own number is quoted, never re-styled.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from shujian.data.fields.base import FieldType, Parsed, nulls
from shujian.data.fields.text import normalise_text


def normalise_document_number(series: pl.Series) -> pl.Series:
    """Text cleaning, then ASCII round brackets back to full-width （）."""
    cleaned = normalise_text(series)
    return cleaned.str.replace_all("(", "（", literal=True).str.replace_all(")", "）", literal=True)


class DocumentNumberField(FieldType):
    """A 案号 or 文号. Never rejects: a number is quoted as written, only cleaned."""

    name: ClassVar[str] = "document_number"
    label: ClassVar[str] = "文书编号"
    dtype: ClassVar[pl.DataType] = pl.Utf8()

    def parse(self, raw: pl.Series) -> Parsed:
        value = normalise_document_number(raw).alias(raw.name)
        return Parsed(value=value, error=nulls(len(raw), pl.Utf8).alias(raw.name))
