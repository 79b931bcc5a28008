"""支持起诉 and 公开听证 in the demonstration.

As the demo's 民事检察部 prosecutor, through the services `shujian cases apply --lead`, `cases act`,
`cases support-opinion` and `shujian hearings` call (each step audited):

* the `wage.support_prosecution` lead with the most workers unpaid becomes a 支持起诉 case: the
  workers' application registered from it, accepted, evidence gathered twice, a public hearing on
  whether to support the suit (five 听证员, notified and announced four days before, held, each
  听证员's opinion, the decision following the majority), decided to support with legal aid
  arranged, the 支持起诉意见书 issued under the 文号 the 统一业务应用系统 gave it (the workspace
  keeps `opinion_numbering = "entered"`, like the sample case's 检察建议书), the court's 立案;
* an elderly applicant's application for support (赡养费), without a lead: accepted and evidence
  gathered, then left 审查中 past its 审查期限, so `cases overdue` shows it.

Then, on the sample case (a 未检 case: not public, 规定第五条), a hearing on the rectification is
set for today with its notice given four days before, not yet held. Every other date is a working
day counted from the demo's date, in the order of the steps.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shujian.cases import support_prosecution as sp
from shujian.cases.documents.kinds import document_kind
from shujian.demo.accounts import ACCOUNTS, demo_user
from shujian.demo.names import person_name
from shujian.demo.workdays import on_or_after, on_or_before
from shujian.hearings import service as hearings
from shujian.hearings.rules import Member
from shujian.leads.queue import homes
from shujian.leads.service import list_leads
from shujian.models.spec import ModelSpec
from shujian.users import departments_of
from shujian.workspace import Workspace

MODEL = "wage.support_prosecution"
PROSECUTOR = "演示民事检察官"
OPINION_SEQ = 3
"""N of the 支持起诉意见书's 文号 in the 统一业务应用系统 (entered at issue, like the sample case's)."""
COURT_SEQ = 1187
"""N of the court's 案号 for the suit (（2026）黔0203民初1187号 in 青岚县)."""

PANEL = (
    ("人大代表", dt.date(1968, 4, 12)),
    ("政协委员", dt.date(1975, 9, 3)),
    ("人民监督员", dt.date(1982, 1, 27)),
    ("律师", dt.date(1986, 6, 15)),
    ("基层群众代表", dt.date(1971, 11, 8)),
)
"""The 听证员 of the held hearing (identity, birth date); their names are drawn."""

OPINIONS = (
    ("agree", "劳动者追索劳动报酬诉讼能力不足，行政途径已用尽，检察机关支持起诉于法有据"),
    ("agree", "欠薪事实有人社部门责令支付文书和工资表佐证，同意支持起诉"),
    ("agree", "同意支持起诉，建议同时协调法律援助"),
    ("agree", "同意承办检察官的意见"),
    ("other", "同意支持起诉，建议先行组织调解，促成用人单位尽快支付"),
)


@dataclass(frozen=True)
class DemoSupport:
    case_id: int
    lead_id: int
    opinion_number: str
    court_case_no: str
    pending_case_id: int
    """The elderly applicant's, 审查中 past its 审查期限."""
    hearing_id: int
    """The held and decided hearing (on `case_id`)."""
    scheduled_hearing_id: int
    """Set for today on the sample case, not yet held."""
    scheduled_case_id: int
    """The sample case (or the elderly applicant's, in a county without one)."""


def _lead(ws: Workspace) -> dict[str, Any] | None:
    """The new lead of the model with the most workers unpaid (the first of them on a tie)."""
    found = [r for r in list_leads(ws.store, MODEL) if r["status"] == "new"]
    if not found:
        return None
    return max(found, key=lambda r: (int(r["evidence"][0]["workers_unpaid"]), -int(r["id"])))


def _panel(rng: random.Random, count: int) -> list[Member]:
    return [
        Member(person_name(rng, rng.random() < 0.5), identity, born)
        for identity, born in PANEL[:count]
    ]


def plant_support(
    ws: Workspace,
    library: dict[str, ModelSpec],
    as_of: dt.date,
    today: dt.date,
    rng: random.Random,
    sample_case_id: int | None,
) -> DemoSupport | None:
    lead = _lead(ws)
    if lead is None:
        return None
    user = demo_user(ws, PROSECUTOR)
    department = str(user.department)

    def day(offset: int) -> dt.date:
        return on_or_after(ws, as_of + dt.timedelta(days=offset))

    facts = lead["evidence"][0]
    workers = int(facts["workers_unpaid"])
    first = str(facts["unpaid_workers"]).split("（")[0]
    applicant = first if workers == 1 else f"{first}等{workers}人"
    case_id = sp.apply(
        ws,
        user,
        applicant=applicant,
        applicant_category="农民工",
        respondent=str(facts["employer"]),
        claim="判令被申请人支付拖欠的劳动报酬",
        reason="经责令支付逾期仍未支付，劳动者申请检察机关支持起诉",
        department=department,
        prosecutor=user.name,
        on_date=day(1),
        amount_claimed=str(facts["total_unpaid"]),
        people=workers,
        lead_ids=[int(lead["id"])],
        home=homes(library, departments_of(ws)),
    )
    sp.act(ws, user, case_id, "accept", "", day(3))
    sp.act(ws, user, case_id, "collect_evidence", "", day(6),
           evidence=f"调取劳动保障监察案卷及{facts['order_nos']}")  # fmt: skip
    sp.act(ws, user, case_id, "collect_evidence", "", day(8),
           evidence="询问劳动者，核对考勤记录和工资欠条")  # fmt: skip

    held_on = day(11)
    notified = on_or_before(ws, held_on - dt.timedelta(days=4))
    hid = hearings.schedule(
        ws, user, case_id, matter="是否支持劳动者向人民法院起诉追索劳动报酬", public=True,
        place="本院听证室", host=user.name, held_on=held_on, notified_on=notified,
        members=_panel(rng, len(PANEL)), announced_on=notified,
    )  # fmt: skip
    hearings.hold(ws, user, hid, held_on,
                  "承办检察官介绍案件情况；申请人陈述被拖欠工资的经过；被申请人到场说明资金困难；"
                  "听证员提问后休会评议并发表意见；主持人总结。")  # fmt: skip
    for seq, (stance, text) in enumerate(OPINIONS, start=1):
        hearings.record_opinion(ws, user, hid, str(seq), stance, text)
    hearings.decide(ws, user, hid, day(12), "决定支持起诉，并协调法律援助",
                    follows_majority=True)  # fmt: skip

    sp.act(ws, user, case_id, "decide_support", "申请人诉讼能力较弱，行政途径未能实现", day(13),
           legal_aid=True)  # fmt: skip
    issued_on = day(14)
    issued = sp.issue_opinion(
        ws,
        user,
        case_id,
        court=f"{ws.region.county}人民法院",
        facts=(
            f"{facts['employer']}拖欠{workers}名劳动者劳动报酬共计{Decimal(facts['total_unpaid']):,}元，"
            f"经{ws.region.county}人力资源和社会保障局以{facts['order_nos']}责令限期支付，逾期仍未支付。",
        ),
        reasons=(
            "申请人系进城务工人员，诉讼能力较弱，行政途径已用尽；被申请人拖欠劳动报酬的事实有人社部门"
            "责令支付文书和工资表等证据证实。",
        ),
        on_date=issued_on,
        number=document_kind(sp.KIND).number(
            ws.region.short, sp.DEPT_CODE, issued_on.year, OPINION_SEQ
        ),
    )
    filed_on = day(21)
    court_no = f"（{filed_on.year}）黔{ws.region.code[2:6]}民初{COURT_SEQ}号"
    sp.act(ws, user, case_id, "court_file", "", filed_on, court_case_no=court_no)

    # the elderly applicant's: 审查中, its 审查期限 past
    elder = person_name(rng, True)
    son = elder[0] + person_name(rng, True)[1:]  # the son takes his father's surname
    pending = sp.apply(
        ws,
        user,
        applicant=elder,
        applicant_category="老年人",
        respondent=son,
        claim="判令被申请人每月支付赡养费八百元",
        reason="申请人年逾七十、独居无收入，子女拒不支付赡养费",
        department=department,
        prosecutor=user.name,
        on_date=day(2),
        amount_claimed="9600",
        people=1,
        channel="12309检察服务中心",
    )
    sp.act(ws, user, pending, "accept", "", day(5))
    sp.act(ws, user, pending, "collect_evidence", "", day(9),
           evidence="走访村民委员会，了解申请人生活状况和子女收入")  # fmt: skip

    # a hearing set for today, notified four days before: on the sample case's rectification
    # (a 未检 case: not public), or, in a county without one, on the elderly applicant's
    if sample_case_id is not None:
        owner = demo_user(ws, next(a.name for a in ACCOUNTS if a.role == "prosecutor"))
        target, matter, public = sample_case_id, "检察建议整改落实情况", False
    else:
        owner, target, matter, public = user, pending, "是否支持申请人追索赡养费起诉", True
    notified = on_or_before(ws, today - dt.timedelta(days=4))
    scheduled = hearings.schedule(
        ws, owner, target, matter=matter, public=public, place="本院听证室", host=owner.name,
        held_on=today, notified_on=notified, members=_panel(rng, 3),
        announced_on=notified if public else None,
    )  # fmt: skip
    return DemoSupport(case_id, int(lead["id"]), issued.number, court_no, pending, hid, scheduled,
                       target)  # fmt: skip
