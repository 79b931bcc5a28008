"""公开听证 attached to a 检察建议 case, walked on SQLite and PostgreSQL: too few 听证员 refused,
a late notice refused, held with its record, opinions, a decision against the majority refused
without the 检察长's consent, decided, counted per department and case kind; and the pure rules
by table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest
from sqlalchemy import text

from helpers import AS_OF, LIBRARY, load_fixture_data, person
from shujian.cases.service import open_case
from shujian.errors import UserError
from shujian.hearings import rules, service
from shujian.hearings.rules import Member
from shujian.leads.service import list_leads
from shujian.models.runner import run_models
from shujian.workspace import Workspace, init_workspace

D = dt.date
ACTOR = person("检察官甲", "未成年人检察部")
PANEL = [
    Member("周人大", "人大代表", D(1970, 3, 1)),
    Member("吴政协", "政协委员", D(1965, 7, 9)),
    Member("郑监督", "人民监督员", D(1980, 1, 20)),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def either(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    if request.param == "postgresql":
        monkeypatch.setenv("SHUJIAN_STORE_URL", request.getfixturevalue("pg_url"))
    return init_workspace(tmp_path / "ws")


def a_case(ws: Workspace, tmp_path: Path) -> int:
    load_fixture_data(ws, tmp_path)
    run_models(ws, LIBRARY, ["campus.internet_cafe"], AS_OF)
    ids = [lead["id"] for lead in list_leads(ws.store)]
    return open_case(ws.store, ids, "未成年人检察部", "检察官甲", ACTOR, "网吧距学校不足200米",
                     D(2026, 10, 8))  # fmt: skip


def schedule(ws: Workspace, case_id: int, **changes) -> int:
    args = dict(matter="是否制发检察建议", public=True, place="本院检察听证室", host="检察官甲",
                held_on=D(2026, 11, 10), notified_on=D(2026, 11, 6), members=PANEL,
                announced_on=D(2026, 11, 5))  # fmt: skip
    args.update(changes)
    return service.schedule(ws, ACTOR, case_id, **args)


def test_a_hearing_on_a_recommendation_case_from_panel_to_count(either: Workspace, tmp_path):
    ws = either
    cid = a_case(ws, tmp_path)
    with pytest.raises(UserError, match="听证员只有2人，至少应为3人") as refused:
        schedule(ws, cid, members=PANEL[:2])
    assert refused.value.code == "hearing_members"
    with pytest.raises(UserError, match="至迟应于2026-11-07告知"):
        schedule(ws, cid, notified_on=D(2026, 11, 8))
    with pytest.raises(UserError, match="听证会公告"):
        schedule(ws, cid, announced_on=None)
    hid = schedule(ws, cid, matter="是否制发检察建议（举报人电话13812345678）")
    with pytest.raises(UserError, match="不能登记听证员意见"):
        service.record_opinion(ws, ACTOR, hid, "周人大", "agree", "同意")
    service.hold(ws, ACTOR, hid, D(2026, 11, 10), "承办检察官介绍案情；听证员提问；当事人陈述。")
    service.record_opinion(ws, ACTOR, hid, "周人大", "同意承办检察官的处理意见", "应当制发检察建议")
    service.record_opinion(ws, ACTOR, hid, "2", "agree", "同意")
    service.record_opinion(ws, ACTOR, hid, "郑监督", "disagree", "可先行督促")
    with pytest.raises(UserError, match="不是本次听证会的听证员"):
        service.record_opinion(ws, ACTOR, hid, "王五", "agree", "同意")
    with pytest.raises(UserError, match="检察长报告并获同意") as refused:
        service.decide(ws, ACTOR, hid, D(2026, 11, 12), "暂不制发检察建议", follows_majority=False)
    assert refused.value.code == "hearing_needs_consent"
    service.decide(ws, ACTOR, hid, D(2026, 11, 12), "制发检察建议", follows_majority=True)
    shown = service.get_hearing(ws, ACTOR, hid)
    assert shown["state_label"] == "已作出决定" and shown["majority"] == "同意承办检察官的处理意见"
    assert [m["opinion"]["stance"] for m in shown["members"]] == ["agree", "agree", "disagree"]
    assert [s["kind"] for s in shown["steps"]] == [
        "scheduled", "held", "opinion", "opinion", "opinion", "decided"]  # fmt: skip
    # a second, private hearing; its decision against the majority with the chief's consent
    other = schedule(ws, cid, public=False, announced_on=None, held_on=D(2026, 11, 20),
                     notified_on=D(2026, 11, 16))  # fmt: skip
    service.hold(ws, ACTOR, other, D(2026, 11, 20), "笔录")
    service.record_opinion(ws, ACTOR, other, "1", "disagree", "不同意")
    service.decide(ws, ACTOR, other, D(2026, 11, 21), "维持原处理意见", follows_majority=False,
                   chief_consent="检察长张某于2026年11月21日同意")  # fmt: skip
    rows = service.counts(ws, ACTOR, D(2026, 11, 1), D(2026, 11, 30))
    assert rows == [
        {"department": "未成年人检察部", "case_kind": "检察建议", "held": 2, "public": 1,
         "members": 6, "decided": 2, "not_majority": 1},
        {"department": "合计", "case_kind": "", "held": 2, "public": 1, "members": 6,
         "decided": 2, "not_majority": 1},
    ]  # fmt: skip
    assert service.counts(ws, ACTOR, D(2026, 12, 1))[-1]["held"] == 0
    assert len(service.case_hearings(ws, ACTOR, cid)) == 2
    notice = service.public_notice(ws, ACTOR, hid, tmp_path / "公告.docx")
    words = "\n".join(p.text for p in docx.Document(str(notice)).paragraphs)
    assert (
        "听证会公告" in words and "周人大（人大代表）" in words and "二〇二六年十一月十日" in words
    )
    with pytest.raises(UserError, match="不公开举行"):
        service.public_notice(ws, ACTOR, other, tmp_path / "x.docx")
    # who cannot see the case cannot see its hearings, exactly as a missing one
    stranger = person("检察官乙", "第一检察部", "prosecutor")
    with pytest.raises(UserError) as hidden:
        service.get_hearing(ws, stranger, hid)
    assert hidden.value.code == "not_found"
    with ws.store.begin() as conn, pytest.raises(Exception, match="append-only"):
        conn.execute(text("DELETE FROM hearing_events"))


HELD = D(2026, 11, 10)


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        (PANEL, None),
        ([*PANEL, *(Member(f"听证员{i}", "律师", D(1980, 1, 1)) for i in range(4))], None),
        (PANEL[:2], "听证员只有2人，至少应为3人"),
        ([*PANEL, *(Member(f"听证员{i}", "其他社会人士", D(1980, 1, 1)) for i in range(5))],
         "听证员有8人，至多为7人"),
        ([*PANEL[:2], Member("周人大", "律师", D(1980, 1, 1))], "听证员“周人大”重复"),
        ([*PANEL[:2], Member("小青年", "其他社会人士", D(2003, 11, 11))], "未满23周岁"),
        ([*PANEL[:2], Member("刚满", "其他社会人士", D(2003, 11, 10))], None),  # 23 that day
        ([*PANEL[:2], Member("某某", "检察官", D(1980, 1, 1))], "身份应为"),
        ([*PANEL[:2], Member("利害", "律师", D(1980, 1, 1), no_interest=False)], "利害关系"),
        ([*PANEL[:2], Member("受罚", "律师", D(1980, 1, 1), no_exclusion=False)], "受过刑事处罚"),
    ],
)  # fmt: skip
def test_check_members(members: list[Member], problem: str | None) -> None:
    if problem is None:
        rules.check_members(members, HELD, 3, 7)
        return
    with pytest.raises(UserError, match=problem):
        rules.check_members(members, HELD, 3, 7)


@pytest.mark.parametrize(
    ("notified", "held", "ok"),
    [(D(2026, 11, 7), HELD, True), (D(2026, 11, 8), HELD, False), (D(2026, 11, 1), HELD, True),
     (HELD, HELD, False), (D(2026, 12, 29), D(2027, 1, 1), True)],
)  # fmt: skip
def test_check_notice(notified: dt.date, held: dt.date, ok: bool) -> None:
    if ok:
        rules.check_notice(notified, held, 3)
    else:
        with pytest.raises(UserError):
            rules.check_notice(notified, held, 3)


@pytest.mark.parametrize(
    ("stances", "top"),
    [(["agree", "agree", "disagree"], "agree"), (["agree", "disagree"], None), ([], None),
     (["other", "other", "agree", "disagree"], None), (["disagree"] * 4 + ["agree"], "disagree")],
)  # fmt: skip
def test_majority(stances: list[str], top: str | None) -> None:
    assert rules.majority(stances) == top


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [(D(2003, 11, 10), D(2026, 11, 10), 23), (D(2003, 11, 11), D(2026, 11, 10), 22),
     (D(2004, 2, 29), D(2027, 2, 28), 22), (D(2004, 2, 29), D(2027, 3, 1), 23)],
)  # fmt: skip
def test_age_on(born: dt.date, on: dt.date, age: int) -> None:
    assert rules.age_on(born, on) == age


def test_a_public_notice_never_names_a_protected_person_of_the_case(either: Workspace, tmp_path):
    """未成年人保护法第一百零三条: the 听证事项 is printed in a public 公告, so a name the case
    recorded for a minor — in its leads' evidence (hotel.minor_guest's guests) or as a minor
    applicant — is refused when the public hearing is set, with the form to write instead."""
    ws = either
    load_fixture_data(ws, tmp_path, model_id="hotel.minor_guest")
    run_models(ws, LIBRARY, ["hotel.minor_guest"], AS_OF)
    lead = list_leads(ws.store)[0]
    guest = str(lead["evidence"][0]["guest_name"])
    cid = open_case(ws.store, [lead["id"]], "未成年人检察部", "检察官甲", ACTOR,
                    "旅馆接待未成年人未询问监护人", D(2026, 10, 8))  # fmt: skip
    with pytest.raises(UserError) as refused:
        schedule(ws, cid, matter=f"某旅馆接待未成年人{guest}入住一案是否制发检察建议")
    assert refused.value.code == "disclosure"
    assert f"“{guest}”应写作“{guest[0]}某”" in refused.value.message
    # not public: the matter stays inside the procuratorate
    schedule(ws, cid, matter=f"某旅馆接待未成年人{guest}入住一案", public=False, announced_on=None)
    hid = schedule(ws, cid, matter=f"某旅馆接待未成年人{guest[0]}某入住一案是否制发检察建议")
    out = service.public_notice(ws, ACTOR, hid, tmp_path / "notice.docx")
    body = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert guest not in body and f"{guest[0]}某" in body


@pytest.mark.parametrize(
    ("steps", "names"),
    [
        ([{"applicant": "郭小明", "applicant_category": "未成年人"}], {"郭小明"}),
        ([{"applicant": "王大军", "applicant_category": "农民工"}], set()),
        ([{"reason": "申请"}, {"applicant": "李小红", "applicant_minor": True}], {"李小红"}),
        ([{"applicant": "李红", "applicant_minor": False}], set()),
    ],
)
def test_minor_applicants(steps, names) -> None:
    from shujian.cases.protected import minor_applicants

    assert minor_applicants(steps) == names


@pytest.mark.parametrize(
    ("text", "names", "found"),
    [
        ("郭小明诉某公司一案", {"郭小明", "郭"}, ["郭小明"]),  # one character is not a name
        ("郭某诉某公司一案", {"郭小明"}, []),
        ("欧阳娜娜与欧阳娜一案", {"欧阳娜", "欧阳娜娜"}, ["欧阳娜娜", "欧阳娜"]),
    ],
)
def test_named_in(text: str, names: set[str], found: list[str]) -> None:
    from shujian.cases.protected import named_in

    assert named_in(text, names) == found
