"""分级干预's declaration and pure rules: every tier × every measure allowed or refused, every
refusal of a change, the items and measures reused from the dataset minor_conduct, and who sees
and sets tiers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml

from shujian.data.datasets import load_datasets
from shujian.errors import UserError
from shujian.juvenile.tiers import access
from shujian.juvenile.tiers.rules import (
    DECLARATIONS,
    ENDED,
    Change,
    DeclarationError,
    Previous,
    check_change,
    current,
    declarations,
    item_of,
    parse,
    tier_of,
)
from shujian.users.user import User

D = dt.date
TODAY = D(2026, 12, 6)
DEC = declarations()
ALL_MEASURES = [*sorted({m.value for t in DEC.tiers for m in t.measures}), "没有这种措施"]

ALLOWED = {
    "misconduct": {
        "予以训导", "要求遵守特定的行为规范", "要求参加特定的专题教育", "要求参加校内服务活动",
        "要求接受社会工作者或者其他专业人员的心理辅导和行为干预", "其他适当的管理教育措施",
    },
    "serious_misconduct": {
        "训诫", "责令赔礼道歉", "责令赔偿损失", "责令具结悔过", "责令定期报告活动情况",
        "责令遵守特定行为规范", "责令接受心理辅导", "责令参加社会服务活动", "社会观护", "其他",
        "送专门学校",
    },
    "underage_offence": {
        "训诫", "责令赔礼道歉", "责令赔偿损失", "责令具结悔过", "责令定期报告活动情况",
        "责令遵守特定行为规范", "责令接受心理辅导", "责令参加社会服务活动", "社会观护", "其他",
        "送专门学校", "专门矫治教育",
    },
    "crime": set(),
    "ended": set(),
}  # fmt: skip
"""The law's measures per tier, written out by hand from arts. 31, 41, 43-45."""

REASON = {
    "misconduct": ("28.2",),
    "serious_misconduct": ("38.4",),
    "underage_offence": ("38.0", "38.3"),
    "crime": (),
    "ended": (),
}
ACTIVE = Previous("misconduct", D(2026, 1, 5))


def change(tier: str, **kw: Any) -> Change:
    base: dict[str, Any] = {
        "tier": tier,
        "decided_on": D(2026, 3, 1),
        "items": REASON[tier],
        "reason": "经核实，多次旷课。",
    }
    return Change(**{**base, **kw})


def test_the_tiers_in_order_with_their_titles() -> None:
    assert [(t.id, t.title) for t in DEC.tiers] == [
        ("misconduct", "T1 不良行为"),
        ("serious_misconduct", "T2 严重不良行为"),
        ("underage_offence", "触法"),
        ("crime", "T3 犯罪"),
        ("ended", "结束干预"),
    ]
    assert set(ALLOWED) == {t.id for t in DEC.tiers}


@pytest.mark.parametrize("tier", sorted(ALLOWED))
@pytest.mark.parametrize("measure", ALL_MEASURES)
def test_every_tier_and_measure(tier: str, measure: str) -> None:
    asked = change(tier, measures=(measure,))
    if measure in ALLOWED[tier]:
        assert check_change(DEC, asked, ACTIVE, TODAY).measures == (measure,)
    else:
        with pytest.raises(UserError) as refused:
            check_change(DEC, asked, ACTIVE, TODAY)
        assert refused.value.code == "measure_not_of_tier"
        assert measure in refused.value.message


def test_the_articles_of_measures() -> None:
    t2 = DEC.tier("serious_misconduct")
    assert t2.measure("训诫").article == "第四十一条"  # type: ignore[union-attr]
    assert t2.measure("送专门学校").article == "第四十三条、第四十四条"  # type: ignore[union-attr]
    assert DEC.tier("underage_offence").measure("专门矫治教育").article == "第四十五条"  # type: ignore[union-attr]
    assert DEC.tier("misconduct").measure("予以训导").article == "第三十一条"  # type: ignore[union-attr]
    with pytest.raises(UserError) as refused:
        check_change(DEC, change("misconduct", measures=("训诫",)), ACTIVE, TODAY)
    assert "“训诫”（第四十一条）不是T1 不良行为可以采取的措施" in refused.value.message


def test_the_dataset_minor_conduct_is_the_one_source_of_classes_and_measures() -> None:
    conduct = load_datasets()["minor_conduct"]
    classes = conduct.column("conduct_class").values
    measures = conduct.column("measures").values
    assert [t.label for t in DEC.tiers[:3]] == list(classes)
    assert ALLOWED["underage_offence"] == set(measures)


REFUSALS = [
    # (tier, changes to the asked change, previous, code)
    ("misconduct", {"decided_on": D(2026, 12, 7)}, None, "date_in_future"),
    ("misconduct", {"decided_on": D(2026, 1, 4)}, ACTIVE, "date_before_previous"),
    ("misconduct", {"reason": "  "}, None, "reason_required"),
    ("misconduct", {"reason": "字" * 2001}, None, "text_too_long"),
    ("misconduct", {"items": ()}, None, "item_required"),
    ("misconduct", {"items": ("38.4",)}, None, "item_not_of_tier"),
    ("serious_misconduct", {"items": ("28.1",)}, None, "item_not_of_tier"),
    ("serious_misconduct", {"items": ("38.0",)}, None, "item_not_of_tier"),
    ("underage_offence", {"items": ("38.3",)}, None, "item_required"),
    ("crime", {"items": ("38.4",)}, None, "item_not_of_tier"),
    ("misconduct", {"items": ("99.9",)}, None, "unknown_item"),
    ("ended", {}, None, "not_in_intervention"),
    ("ended", {}, Previous(ENDED, D(2026, 2, 1)), "not_in_intervention"),
    ("ended", {"lead_id": 7}, ACTIVE, "warning_for_ended"),
    ("crime", {"measures": ("训诫",)}, None, "measure_not_of_tier"),
    ("nonsense", {}, None, "unknown_tier"),
]


@pytest.mark.parametrize(("tier", "changes", "previous", "code"), REFUSALS)
def test_every_refusal(
    tier: str, changes: dict[str, Any], previous: Previous | None, code: str
) -> None:
    asked = Change(
        **{**change(tier if tier in REASON else "misconduct").__dict__, "tier": tier, **changes}
    )
    with pytest.raises(UserError) as refused:
        check_change(DEC, asked, previous, TODAY)
    assert refused.value.code == code
    assert refused.value.message  # Chinese, naming what is wrong


def test_a_change_accepted_is_put_in_order() -> None:
    asked = change(
        "underage_offence",
        items=("38.3", "38.0", "38.3"),
        measures=("专门矫治教育", "训诫", "训诫"),
        reason="  殴打同学致轻微伤，未满十二周岁。 ",
        decided_on=D(2026, 1, 5),  # the same day as the previous change: allowed
        lead_id=12,
    )
    done = check_change(DEC, asked, ACTIVE, TODAY)
    assert done.items == ("38.0", "38.3")
    assert done.measures == ("训诫", "专门矫治教育")
    assert done.reason == "殴打同学致轻微伤，未满十二周岁。"
    assert done.lead_id == 12
    assert check_change(DEC, change("ended", decided_on=TODAY), ACTIVE, TODAY).tier == ENDED
    assert check_change(DEC, change("crime"), None, TODAY).measures == ()
    as_typed = Change("T1", D(2026, 3, 1), ("28.2",), "多次旷课。")  # a grade, not the id
    assert check_change(DEC, as_typed, None, TODAY).tier == "misconduct"


def test_the_tier_now() -> None:
    assert current(None) is None
    assert current(ACTIVE) == "misconduct"
    assert current(Previous(ENDED, D(2026, 2, 1))) is None


@pytest.mark.parametrize(
    ("typed", "tier"),
    [("T1", "misconduct"), ("t2", "serious_misconduct"), ("触法", "underage_offence"),
     ("T3", "crime"), ("犯罪", "crime"), ("结束干预", "ended"), ("不良行为", "misconduct"),
     ("严重不良行为", "serious_misconduct"), ("T1 不良行为", "misconduct")],
)  # fmt: skip
def test_tiers_as_typed(typed: str, tier: str) -> None:
    assert tier_of(DEC, typed).id == tier


def test_items_as_typed() -> None:
    assert item_of(DEC, "28.1") == "28.1"
    assert item_of(DEC, "吸烟、饮酒") == "28.1"
    with pytest.raises(UserError) as refused:
        item_of(DEC, "抽烟")
    assert refused.value.code == "unknown_item"
    with pytest.raises(UserError) as unknown:
        tier_of(DEC, "T9")
    assert (
        unknown.value.code == "unknown_tier"
        and "T1 不良行为（misconduct）" in unknown.value.message
    )


def _raw() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(DECLARATIONS.read_text(encoding="utf-8"))
    return loaded


def test_a_measure_not_of_the_dataset_is_a_declaration_error() -> None:
    raw = _raw()
    raw["tiers"][1]["measures"][0]["values"].append("罚款")
    with pytest.raises(DeclarationError, match="罚款"):
        parse(raw)


def test_a_label_not_of_the_dataset_is_a_declaration_error() -> None:
    raw = _raw()
    raw["tiers"][0]["label"] = "一般不良"
    with pytest.raises(DeclarationError, match="一般不良"):
        parse(raw)


def test_an_unknown_item_is_a_declaration_error() -> None:
    raw = _raw()
    raw["tiers"][0]["items"].append("28.10")
    with pytest.raises(DeclarationError, match=r"28\.10"):
        parse(raw)


def test_the_end_of_intervention_is_declared_once() -> None:
    raw = _raw()
    raw["tiers"] = raw["tiers"][:-1]
    with pytest.raises(DeclarationError, match="ended"):
        parse(raw)


P = "青岚县人民检察院"
JUV = "未成年人检察部"


@pytest.mark.parametrize(
    ("user", "sees", "decides"),
    [
        (User("周主任", P, JUV, frozenset({"department_head"})), True, True),
        (User("张检察官", P, JUV, frozenset({"prosecutor"})), True, True),
        (User("王检察长", P, None, frozenset({"chief"})), True, False),
        (User("李助理", P, JUV, frozenset({"assistant"})), False, False),
        (User("公益检察官", P, "公益诉讼检察部", frozenset({"prosecutor"})), False, False),
        (User("刘帮扶", P, None, frozenset({"helper"}), unit="县妇联"), False, False),
        (User("管理员", P, None, frozenset({"admin"})), False, False),
    ],
)
def test_who_sees_and_sets_tiers(user: User, sees: bool, decides: bool) -> None:
    assert access.sees_tiers(user, JUV) is sees
    assert access.may_decide(user, JUV) is decides
    if decides:
        access.check_decide(user, JUV)
    else:
        with pytest.raises(UserError) as refused:
            access.check_decide(user, JUV)
        assert refused.value.code == "forbidden"
