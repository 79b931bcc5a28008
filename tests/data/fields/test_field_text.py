"""Text: one spelling for names and addresses typed in many ways."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import opencc
import polars as pl
import pytest

from shujian.data.fields.text import (
    PHRASE_ONLY_TRIGGERS,
    TextField,
    _traditional_pattern,
    normalise_text,
)


def parse(*cells: str | None) -> list[str | None]:
    parsed = TextField().parse(pl.Series("名称", list(cells), dtype=pl.Utf8))
    assert parsed.error.null_count() == len(cells)  # text never rejects
    return parsed.value.to_list()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ网吧１２３号", "ABC网吧123号"),
        ("阳光（ＫＴＶ）", "阳光(KTV)"),
        ("臺灣體育館", "台湾体育馆"),
        ("張三", "张三"),
        ("歡樂時光網咖", "欢乐时光网咖"),
        ("深沈的答覆", "深沉的答复"),
        ("乾隆大酒店", "乾隆大酒店"),
        ("  幸福路\u3000\u300012号  ", "幸福路 12号"),
        ("北京市\t朝阳区\n建国路", "北京市 朝阳区 建国路"),
        ("张\u200b三\ufeff", "张三"),
        ("阳光  网吧", "阳光 网吧"),
        ("Internet Cafe", "Internet Cafe"),
    ],
)
def test_messy_text_gets_one_canonical_spelling(raw: str, expected: str) -> None:
    assert parse(raw) == [expected]


def test_empty_and_blank_text_is_null() -> None:
    assert parse(None, "", "   ", "\u3000", "\u200b") == [None] * 5


def test_normalise_text_is_usable_on_its_own_and_keeps_the_name() -> None:
    out = normalise_text(pl.Series("学校名称", ["  實驗小學 ", "实验小学"]))
    assert out.name == "学校名称"
    assert out.to_list() == ["实验小学", "实验小学"]


def test_phrase_only_triggers_cover_every_phrase_opencc_would_change(tmp_path: Path) -> None:
    # Values are sent to OpenCC only if they hold a character it may change. Characters
    # changed only inside phrases (沈 in 深沈) are listed by hand in PHRASE_ONLY_TRIGGERS;
    # this re-derives that list from the dictionary shipped with the installed OpenCC.
    share = Path(opencc.__file__).parent / "clib"
    dump = tmp_path / "TSPhrases.txt"
    subprocess.run(
        [
            str(share / "bin" / "opencc_dict"),
            "-i",
            str(share / "share" / "opencc" / "TSPhrases.ocd2"),
            "-o",
            str(dump),
            "-f",
            "ocd2",
            "-t",
            "text",
        ],
        check=True,
    )
    single = set(_traditional_pattern()[1:-1])
    needed = set()
    for line in dump.read_text(encoding="utf-8").splitlines():
        phrase, targets = line.split("\t", 1)
        target = targets.split(" ")[0]
        if phrase != target and not single & set(phrase):
            needed |= {a for a, b in zip(phrase, target, strict=False) if a != b}
    assert needed <= set(PHRASE_ONLY_TRIGGERS)


def test_parses_a_million_cells_in_bulk() -> None:
    n = 1_000_000
    rng = np.random.default_rng(0)
    chars = np.array(list("北京市朝阳区建国路幸福小区学校网吧歌舞厅张王李赵刘陈杨黄周吴"))
    names = pl.Series(chars[rng.integers(0, len(chars), (n, 10))].view("<U10").ravel())
    cells = (names + pl.Series(np.arange(n)).cast(pl.Utf8) + "号").to_list()
    for i in range(0, n, 100):  # a few percent need work: traditional, wide, spaces
        cells[i] = "臺灣" + cells[i]
        cells[i + 1] = "\u3000" + cells[i + 1] + "  Ａ座"
        cells[i + 2] = " " + cells[i + 2]
    raw = pl.Series(cells)
    parsed = TextField().parse(raw)
    assert parsed.value[0].startswith("台湾")
    assert parsed.value[1].endswith(" A座")
