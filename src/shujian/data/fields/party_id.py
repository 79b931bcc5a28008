"""`uscc_or_id_card`: the 当事人证件号码 of a penalty, which names a unit or a person.

An 18-character value is read as a credit code when it passes GB 32100, else as an ID number;
the rejection reason names both checks when it passes neither.
"""

from __future__ import annotations

import polars as pl

from shujian.data.fields.base import FieldType, Parsed
from shujian.data.fields.id_card import IdCardField
from shujian.data.fields.uscc import UsccField


class UsccOrIdCardField(FieldType):
    name = "uscc_or_id_card"
    label = "统一社会信用代码或公民身份号码"
    dtype = pl.Utf8()

    def prepare(self) -> None:
        IdCardField().prepare()

    def parse(self, raw: pl.Series) -> Parsed:
        as_uscc = UsccField().parse(raw)
        as_id = IdCardField().parse(raw)
        use_uscc = as_uscc.value.is_not_null()
        value = pl.select(
            pl.when(pl.lit(use_uscc)).then(pl.lit(as_uscc.value)).otherwise(pl.lit(as_id.value))
        ).to_series()
        both_failed = as_uscc.error.is_not_null() & as_id.error.is_not_null()
        error = pl.select(
            pl.when(pl.lit(both_failed))
            .then(
                pl.format(
                    "既不是有效的统一社会信用代码（{}），也不是有效的公民身份号码（{}）",
                    pl.lit(as_uscc.error),
                    pl.lit(as_id.error),
                )
            )
            .otherwise(None)
        ).to_series()
        return Parsed(value=value, error=error)
