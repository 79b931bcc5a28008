"""The charges of 刑法分则 chapters 4, 5 and 6 (`juvenile/probation/charges.yaml`): every
article in its chapter's range, the counts per chapter and per section of chapter 6, known
charges found by name and by article, ambiguity and unknown names refused, never guessed."""

from __future__ import annotations

import pytest

from shujian.errors import UserError
from shujian.juvenile.probation.charges import Article, charge_table, parse_table


def test_every_charge_lies_in_its_chapters_range() -> None:
    table = charge_table()
    for charge in table.charges:
        chapter = table.chapters[charge.chapter]
        assert chapter.holds(charge.article), charge
        # and in no other eligible chapter
        assert table.chapter_of(charge.article) == charge.chapter, charge


def test_the_counts_per_chapter_and_section() -> None:
    table = charge_table()
    per = {n: [c for c in table.charges if c.chapter == n] for n in (4, 5, 6)}
    assert {n: len(v) for n, v in per.items()} == {4: 43, 5: 13, 6: 146}
    sections = [(277, 304, 56), (305, 317, 20), (318, 323, 8), (324, 329, 10), (330, 337, 13),
                (338, 346, 16), (347, 357, 12), (358, 362, 6), (363, 367, 5)]  # fmt: skip
    for first, last, expected in sections:
        found = [c for c in per[6] if first <= c.article.number <= last]
        assert len(found) == expected, (first, last)


def test_no_charge_is_declared_twice_and_abolished_ones_are_absent() -> None:
    names = [c.name for c in charge_table().charges]
    assert len(names) == len(set(names))
    for gone in ("嫖宿幼女罪", "转化的抢劫罪", "包庇罪", "强制猥亵、侮辱妇女罪"):
        assert gone not in names


@pytest.mark.parametrize(
    ("typed", "name", "article", "chapter"),
    [
        ("盗窃罪", "盗窃罪", "264", 5),
        ("盗窃", "盗窃罪", "264", 5),
        ("264", "盗窃罪", "264", 5),
        ("故意伤害罪", "故意伤害罪", "234", 4),
        ("第234条", "故意伤害罪", "234", 4),
        ("寻衅滋事罪", "寻衅滋事罪", "293", 6),
        ("抢劫罪", "抢劫罪", "263", 5),
        ("强奸罪", "强奸罪", "236", 4),
        ("聚众斗殴罪", "聚众斗殴罪", "292", 6),
        ("故意杀人罪", "故意杀人罪", "232", 4),
        ("妨害公务罪", "妨害公务罪", "277", 6),
        ("262之二", "组织未成年人进行违反治安管理活动罪", "262之二", 4),
        ("第262条之二", "组织未成年人进行违反治安管理活动罪", "262之二", 4),
        ("危险驾驶罪", "危险驾驶罪", "133之一", 2),
        ("133之一", "危险驾驶罪", "133之一", 2),
    ],
)
def test_known_charges_by_name_or_article(
    typed: str, name: str, article: str, chapter: int
) -> None:
    found = charge_table().find(typed)
    assert (found.name, str(found.article), found.chapter) == (name, article, chapter)
    assert found.eligible == (chapter in (4, 5, 6))


def test_an_article_with_several_charges_asks_for_the_name() -> None:
    with pytest.raises(UserError, match="强制猥亵、侮辱罪、猥亵儿童罪") as caught:
        charge_table().find("237")
    assert caught.value.code == "ambiguous_article"


def test_an_unknown_name_is_refused_saying_what_to_enter() -> None:
    with pytest.raises(UserError, match="填写全称") as caught:
        charge_table().find("打人罪")
    assert caught.value.code == "unknown_charge"


def test_an_article_outside_chapters_4_to_6_is_not_eligible_whatever_its_charge() -> None:
    found = charge_table().find("第100条")
    assert found.chapter == 0 and not found.eligible


def test_a_bad_article_is_refused() -> None:
    with pytest.raises(UserError) as caught:
        Article.parse("二百六十四")
    assert caught.value.code == "bad_article"
    assert Article(262, 2) > Article(262) > Article(261, 1)


def test_a_charge_declared_twice_fails_on_load() -> None:
    raw = {
        "chapters": {5: {"title": "侵犯财产罪", "first": "263", "last": "276之一"}},
        "charges": {5: [["盗窃罪", "264"], ["盗窃罪", "264"]]},
    }
    with pytest.raises(ValueError, match="盗窃罪"):
        parse_table(raw)
