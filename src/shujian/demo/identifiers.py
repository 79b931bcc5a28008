"""Valid (and deliberately broken) 公民身份号码 and 统一社会信用代码 for synthetic people and units.

Everything the importer validates must pass here, or the demo would drown in rejected rows:
ID numbers carry a GB 11643 MOD 11-2 check character, a real GB/T 2260 region code and a possible
birth date; credit codes carry the GB 32100 check character and a real region code, and their
embedded organisation code (主体标识码) carries its own GB 11714 check character as real ones do.
The broken forms imitate the damage agencies' files really show (Excel's truncation of long
numbers, a mistyped digit, the letter O typed for zero) so that the importer's rejection report
has something true to say.
"""

from __future__ import annotations

import datetime as dt
import random

# GB 11643-1999 (ISO 7064 MOD 11-2).
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# GB 32100-2015.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

# GB 11714-1997 organisation code: 8 body characters (digits or capital letters) + check.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

ID_REGION_CODES: dict[str, str] = {
    "520203": "六枝特区",
    "520201": "钟山区",
    "520221": "水城县",  # replaced by 520208 水城区 in 2020; older cards keep it
    "520222": "盘县",  # became 520281 盘州市 in 2017
    "520281": "盘州市",
    "520102": "南明区",
    "520103": "云岩区",
    "520402": "西秀区",
    "520424": "关岭布依族苗族自治县",
    "522401": "毕节市（县级）",  # became 520502 七星关区 in 2011
    "520502": "七星关区",
}
"""Guizhou county codes used for birthplaces; historical ones included because an ID number keeps
the code in force when it was issued, and the importer must accept those."""

_ID_REGION_WEIGHTS = (40, 8, 8, 3, 4, 3, 3, 4, 3, 2, 2)


def id_check_char(first17: str) -> str:
    """GB 11643 check character for the first 17 digits of an ID number."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def make_id_number(region: str, birth: dt.date, sequence: int) -> str:
    """An 18-character ID number; `sequence` (0–999) is odd for men and even for women."""
    if not 0 <= sequence <= 999:
        raise ValueError("sequence must be 0–999")
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


def random_region(rng: random.Random) -> str:
    """A birthplace code, mostly the demo county's own."""
    return rng.choices(list(ID_REGION_CODES), weights=_ID_REGION_WEIGHTS)[0]


def random_sequence(rng: random.Random, male: bool) -> int:
    """A sequence code of the right parity (odd = male, GB 11643)."""
    return rng.randrange(1 if male else 2, 1000, 2)


def to_id15(id18: str) -> str:
    """The first-generation 15-digit form (two-digit year, no check) of an ID of someone born
    in the 1900s, as old records still carry it."""
    if id18[6:8] != "19":
        raise ValueError("only people born 1900–1999 had 15-digit numbers")
    return id18[:6] + id18[8:17]


def uscc_check_char(first17: str) -> str:
    """GB 32100 check character for the first 17 characters of a credit code."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(body8: str) -> str:
    """GB 11714 check character of an 8-character organisation-code body."""
    total = sum(int(c, 36) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def make_uscc(department_and_kind: str, region: str, org_body: str) -> str:
    """A credit code from its parts: e.g. ("91", "520203", "MA6DK3Q2") → 18 characters.

    `department_and_kind` is positions 1–2 (91 企业, 92 个体工商户, 12 事业单位, 52 民办非企业单位);
    the organisation code gets its own GB 11714 check character before the GB 32100 one.
    """
    first17 = f"{department_and_kind}{region}{org_body}{org_code_check_char(org_body)}"
    if len(first17) != 17 or any(c not in USCC_ALPHABET for c in first17):
        raise ValueError(f"not a credit-code body: {first17}")
    return first17 + uscc_check_char(first17)


def random_org_body(rng: random.Random, prefix: str = "MA6") -> str:
    """An 8-character organisation-code body starting with `prefix`.

    Codes issued since 2015 start with "M" and a registry letter (Guizhou companies "MA6",
    民办非企业单位 "MJ"); units registered earlier keep an all-digit code (`prefix=""`).
    """
    alphabet = USCC_ALPHABET if prefix else "0123456789"
    return prefix + "".join(rng.choice(alphabet) for _ in range(8 - len(prefix)))


# ---- deliberately broken forms -------------------------------------------------------------


def excel_truncated(id18: str) -> str:
    """What Excel shows after turning an 18-digit ID into a number: "5.20203E+17".

    Only the first six significant digits survive; the row must be rejected, never repaired.
    """
    return f"{float(id18[:17]) * 10:.5E}"


def with_wrong_check(code: str) -> str:
    """The same ID number or credit code with a wrong check character (a mistyped digit)."""
    alphabet = _ID_CHECK if code[:17].isdigit() and len(code) == 18 else USCC_ALPHABET
    right = code[-1]
    wrong = next(c for c in alphabet if c != right and c.isdigit())
    return code[:-1] + wrong


def with_letter_o(uscc: str) -> str:
    """A credit code with the first 0 typed as the letter O, which the code alphabet excludes."""
    index = uscc.index("0", 2)
    return uscc[:index] + "O" + uscc[index + 1 :]


FULLWIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")
"""Half-width → full-width digits, as Chinese input methods in full-width mode type them."""
