"""统一社会信用代码 (GB 32100-2015): the key of every organisation in the datasets.

Why not `stdnum.cn.uscc.validate`: it requires the first eight characters to be digits
and so rejects correctly checksummed codes whose 登记管理部门代码 is a letter: A (中央军委
改革和编制办公室), N (农业部门: 农村集体经济组织, codes starting N2/N3) and Y (其他). The
check character is computed here; positions 1–2 are not restricted beyond the alphabet.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import polars as pl

from shujian.data.fields.base import (
    EXCEL_NUMBER_PATTERN,
    FieldType,
    Parsed,
    byte_matrix,
    compact_code,
    first_reason,
    nfkc,
    nulls,
    via_distinct,
)

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 code characters, in value order (no I, O, S, V, Z)."""
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
"""w_i = 3^(i-1) mod 31: 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28."""

TRUNCATED_BY_EXCEL = (
    "统一社会信用代码被Excel存成了数字，末位已丢失，无法恢复，请将该列设为文本后重新导出"
)
BAD_CHECK = "校验码错误"

_CANONICAL = r"^[0-9A-HJ-NP-RTUW-Y]{18}$"
_NOT_IN_ALPHABET = r"[0-9A-HJ-NP-RTUW-Y]"
_W = np.array(WEIGHTS, dtype=np.int32)
_VALUE = np.full(256, -1, dtype=np.int32)
_VALUE[np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)] = np.arange(31)
_ALPHABET_BYTES = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)


def uscc_check_char(body17: pl.Series) -> pl.Series:
    """The GB 32100 check character of each 17-character body; null if not in the alphabet."""
    out = nulls(len(body17), pl.Utf8).alias(body17.name)
    idx = body17.str.contains(r"^[0-9A-HJ-NP-RTUW-Y]{17}$").fill_null(False).arg_true()
    if idx.len():
        values = _VALUE[byte_matrix(body17.gather(idx), 17)]
        check = pl.Series((31 - values @ _W % 31) % 31)
        out.scatter(idx, check.replace_strict(dict(enumerate(ALPHABET)), return_dtype=pl.Utf8))
    return out


def _check_holds(codes: pl.Series) -> np.ndarray:
    """Whether the 18th character is the check character; all codes must be canonical."""
    m = byte_matrix(codes, 18)
    expected = _ALPHABET_BYTES[(31 - _VALUE[m[:, :17]] @ _W % 31) % 31]
    return expected == m[:, 17]


class UsccField(FieldType):
    """18-character unified social credit code, upper case."""

    name: ClassVar[str] = "uscc"
    label: ClassVar[str] = "统一社会信用代码"
    dtype: ClassVar[pl.DataType] = pl.Utf8()

    def parse(self, raw: pl.Series) -> Parsed:
        """Each distinct code once: a roster or a check-in list names few employers or hotels."""
        return via_distinct(raw, self._parse)

    def _parse(self, raw: pl.Series) -> Parsed:
        """Normalise and validate; canonical cells skip the normalisation entirely."""
        raw = raw.cast(pl.Utf8)
        code = raw.clone()
        error = nulls(len(raw), pl.Utf8)
        unusual = (~raw.str.contains(_CANONICAL).fill_null(True)).arg_true()
        if unusual.len():
            cleaned, reason = _clean_unusual(raw.gather(unusual))
            code.scatter(unusual, cleaned)
            error.scatter(unusual, reason)
        checked = code.is_not_null().arg_true()
        if checked.len():
            holds = pl.Series(_check_holds(code.gather(checked)))
            error.scatter(checked, pl.select(pl.when(~holds).then(pl.lit(BAD_CHECK))).to_series())
        value = pl.select(pl.when(error.is_null()).then(code)).to_series()
        return Parsed(value=value.alias(raw.name), error=error.alias(raw.name))


def _clean_unusual(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Normalise non-canonical cells: a canonical code (or null) and a reason (or null)."""
    trimmed = nfkc(raw).str.strip_chars().str.to_uppercase()
    frame = pl.DataFrame({"t": trimmed, "c": compact_code(trimmed)})
    length = pl.col("c").str.len_chars()
    bad_chars = pl.col("c").str.replace_all(_NOT_IN_ALPHABET, "")
    canonical = pl.col("c").str.contains(_CANONICAL)
    out = frame.select(
        code=pl.when(canonical).then(pl.col("c")),
        error=first_reason(
            (pl.col("c") == "", pl.lit(None, dtype=pl.Utf8)),  # only markers: empty cell
            (pl.col("t").str.contains(EXCEL_NUMBER_PATTERN), TRUNCATED_BY_EXCEL),
            (length != 18, pl.format("长度不是18位（实为{}位）", length)),
            (
                ~canonical,
                pl.format("含有不允许的字符“{}”（代码中不使用I、O、S、V、Z）", bad_chars),
            ),
        ),
    )
    return out["code"], out["error"]
