"""The 未成年人检察部's own work in the demonstration, so that its pages are not empty.

After the run (like `supervision.open_demo_item`), as the demo's 未检 prosecutor and through the
services a user's page calls (no SQL), this plants:

* 分级干预: a minor on the register as 严重不良行为 whose 四访 warning is not the one the 督办
  item uses is set at T2 (严重不良行为), the item of 预防未成年人犯罪法第三十八条 read from the
  minor's police conduct record, the measures of 第四十一条 the police took, taking up that warning
  (a decision cannot be older than the warning it takes up: it is dated today);
* 督促监护令 to that minor's guardian as the register records them, issued about 40 days ago
  with a number in this workspace's entered form, so that its first (1-month) follow-up visit is
  overdue; a 家庭教育指导 session following it a week later;
* 附条件不起诉: a minor of the register who was 16 or 17 at a 盗窃 (刑法第二百六十四条, chapter
  5), 拘役 likely, all conditions recorded at 审查, decided about two months ago for six months,
  served two days later, a first report on time and the second window left unreported; and, so
  that the demo also has a 考察意见书, a second, earlier probation run to its end (reports every
  month, the opinion on the last day, 不起诉 after it).

Every date is a working day no later than today (Asia/Shanghai), in the order of the steps.
Nothing here names an ID number: what the demo command prints comes from `DemoWork`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from shujian.beijing import today_in_china
from shujian.calendar import add_months
from shujian.cases.documents.kinds import document_kind
from shujian.demo.accounts import ACCOUNTS, DEPARTMENT, helper_warning
from shujian.demo.manifest import DemoManifest
from shujian.demo.workdays import on_or_after, on_or_before
from shujian.juvenile.guardianship import orders, records
from shujian.juvenile.probation import service as probation
from shujian.juvenile.probation.rules import Window, missed, report_windows, schedule
from shujian.juvenile.probation.service import FactsInput
from shujian.juvenile.register import age_on, on_register
from shujian.juvenile.service import Register
from shujian.juvenile.tiers.rules import Change
from shujian.juvenile.tiers.service import set_tier
from shujian.leads.service import list_leads
from shujian.users.user import User
from shujian.workspace import Workspace

WARNING_MODEL = "juvenile.visit_missing"
"""The warnings one of which the tier takes up (the 督办 item takes the helper unit's)."""

ITEM_OF_ACT = {
    "寻衅滋事": "38.1",
    "故意伤害": "38.3",
    "殴打他人": "38.3",
    "盗窃": "38.4",
    "抢夺": "38.4",
    "赌博": "38.8",
}
"""A police record's 行为 → the item of 预防未成年人犯罪法第三十八条 it falls under."""

MEASURES_41 = ("训诫", "责令赔礼道歉", "责令赔偿损失", "责令具结悔过", "责令定期报告活动情况",
               "责令遵守特定行为规范", "责令接受心理辅导", "责令参加社会服务活动", "社会观护")  # fmt: skip
"""The measures of 第四十一条 as the tier declarations list them (a police record's 处置措施 is
split on 、 and kept where it is one of them)."""

ORDER_SEQ = 1
"""N of the demo order's number in the 统一业务应用系统 (entered at issue, like the demo case's)."""

EVERYONE_HEARD = {
    "police": "heard",
    "victim": "heard",
    "suspect": "heard",
    "guardian": "heard",
    "defender": "none",
}
AGENCY = "人民检察院未成年人检察部"


@dataclass(frozen=True)
class DemoWork:
    """What the demo command prints: names, numbers and references — never an ID number."""

    name: str
    """The minor of the tier, the order and the guidance session."""
    ref: str
    """Their register reference (the web path /minors/{ref})."""
    tier: str
    order_number: str
    order_issued_on: dt.date
    follow_up_due: dt.date
    probation_id: int
    probation_name: str
    probation_ends_on: dt.date
    missed_reports: int
    """Report periods of the probation past their due day with no report."""
    ended_probation_id: int | None
    opinion_number: str | None


def _prosecutor(ws: Workspace) -> User:
    account = next(a for a in ACCOUNTS if a.role == "prosecutor")
    return User(account.name, ws.region.procuratorate_name, DEPARTMENT, frozenset({account.role}))


def _tier_minor(
    register: Register, user: User, manifest: DemoManifest, today: dt.date
) -> tuple[str, int, dict[str, Any]] | None:
    """The first 四访 warning (by lead number) of a minor on the register today as 严重不良行为
    with a recorded guardian and a police conduct record, other than the 督办 item's minor: its
    ID number, the lead and the minor's file (as the prosecutor sees it, masked)."""
    helper = helper_warning(manifest)
    taken = helper.subject.partition("/")[0] if helper is not None else None
    rows = register.registry_rows()
    for lead in sorted(list_leads(register.store, WARNING_MODEL), key=lambda r: r["id"]):
        id_card = str(lead["subject"]).partition("/")[0]
        if id_card == taken:
            continue
        mine = rows.filter(pl.col("id_card") == id_card).to_dicts()
        if not any(
            r["category"] == "serious_misconduct"
            and on_register(id_card, r["identified_on"], r["withdrawn_on"], today)
            for r in mine
        ):
            continue
        file = register.minor_file(user, id_card, today)
        guardian = next((r for r in file["registry"] if r.get("guardian_name")), None)
        acts = [c for c in file["conduct"] if c["act"] in ITEM_OF_ACT]
        if guardian is not None and acts:
            return id_card, int(lead["id"]), file
    return None


def _relation(masked_guardian_id: str) -> str:
    """父亲 or 母亲 from the sex digit (17th) of the guardian's ID number, which the masked form
    keeps (last three characters). The register does not record the relation; the demo's
    guardians of 严重不良行为 minors are parents."""
    digit = masked_guardian_id[-2:-1]
    return "父亲" if digit.isdigit() and int(digit) % 2 else "母亲"


def _suspects(register: Register, exclude: set[str], act_on: dt.date, count: int) -> list[str]:
    """Minors of the register (严重不良行为 or 不良行为, by ID number) aged 16 or 17 on `act_on`:
    of an age to answer for a 盗窃 (刑法第十七条) and under 18 at the act."""
    rows = register.registry_rows().filter(
        pl.col("category").is_in(["serious_misconduct", "misconduct"])
    )
    found = []
    for id_card in sorted(set(rows["id_card"].to_list()) - exclude):
        age = age_on(id_card, act_on)
        if age is not None and 16 <= age <= 17:
            found.append(id_card)
        if len(found) == count:
            break
    return found


def _probation(
    register: Register,
    user: User,
    today: dt.date,
    id_card: str,
    decided_on: dt.date,
    note: str,
) -> tuple[int, list[Window]]:
    """Open 审查 with every condition recorded (a 盗窃 a month before, 拘役 likely), decide six
    months, served the next working day (the same day when a holiday would make that late). Returns its number and its report periods."""
    ws = register.ws
    act_on = on_or_before(ws, decided_on - dt.timedelta(days=40))
    opened_on = on_or_before(ws, decided_on - dt.timedelta(days=12))
    pid = probation.open_probation(
        register,
        user,
        today,
        id_card=id_card,
        facts=FactsInput(
            act_on=act_on,
            charge="盗窃罪",
            sentence="拘役",
            prosecutable=True,
            remorse=True,
            heard=EVERYONE_HEARD,
            objection="none",
        ),
        opened_on=opened_on,
        note=note,
    )
    decided = probation.decide(
        register,
        user,
        pid,
        today,
        decided_on=decided_on,
        months=6,
        agency=f"{ws.region.procuratorate_name}未成年人检察部",
        mentor="县关工委帮教志愿者",
        measures=["education", "restitution"],
        note="犯罪嫌疑人及其法定代理人对附条件不起诉决定无异议",
    )
    # the next working day, or the day decided when a holiday would take that past the deadline
    served = ws.calendar.add_working_days(decided_on, 1)
    if served > decided["service_due"]:
        served = decided_on
    probation.serve(
        register, user, pid, today, served_on=served, note="向被附条件不起诉人及其法定代理人宣布"
    )
    every = probation.report_days(ws)
    return pid, report_windows(decided_on, decided["ends_on"], every, ws.calendar)


def plant_juvenile_work(ws: Workspace, manifest: DemoManifest) -> DemoWork | None:
    """Plant the tier, the order with its guidance, and the probations (None in a county without
    a minor to take them)."""
    register = Register(ws)
    user = _prosecutor(ws)
    today = today_in_china()
    found = _tier_minor(register, user, manifest, today)
    if found is None:
        return None
    id_card, lead_id, file = found
    month = next(w["subject"] for w in file["warnings"] if w["id"] == lead_id).partition("/")[2]
    name = str(file["name"])
    conduct = max(
        (c for c in file["conduct"] if c["act"] in ITEM_OF_ACT), key=lambda c: c["act_on"]
    )
    measures = tuple(m for m in str(conduct["measures"] or "").split("、") if m in MEASURES_41)
    set_tier(
        register,
        user,
        id_card,
        Change(
            tier="serious_misconduct",
            decided_on=today,
            items=(ITEM_OF_ACT[conduct["act"]],),
            reason=f"{conduct['act_on'].isoformat()}{conduct['act']}，公安机关已处置；"
            f"{month}四访未落实（预警），提前干预",
            measures=measures,
            lead_id=lead_id,
        ),
        today,
    )

    guardian = next(r for r in file["registry"] if r.get("guardian_name"))
    issued_on = on_or_before(ws, today - dt.timedelta(days=40))
    number = document_kind(orders.KIND).number(ws.region.short, "", issued_on.year, ORDER_SEQ)
    issued = orders.issue_order(
        register,
        user,
        today,
        register.ref(id_card),
        guardian=str(guardian["guardian_name"]),
        relation=_relation(str(guardian.get("guardian_id_card") or "")),
        facts=[
            f"{name}于{conduct['act_on'].year}年{conduct['act_on'].month}月"
            f"{conduct['act_on'].day}日实施{conduct['act']}行为，经公安机关处置。",
            "经走访核实，你长期在外务工，对其日常生活和交友情况疏于了解和管教。",
        ],
        items=[
            "每日掌握未成年人的行踪和交友情况，不得放任其夜不归宿；",
            "每周与学校或者村（居）民委员会沟通一次，配合开展帮教；",
            "按时参加人民检察院组织或者委托开展的家庭教育指导。",
        ],
        guidance="由县妇联家庭教育指导服务站对你开展家庭教育指导，不少于三次。",
        on_date=issued_on,
        number=number,
    )
    guided_on = on_or_after(ws, issued_on + dt.timedelta(days=7))
    records.record_guidance(
        register,
        user,
        today,
        register.ref(id_card),
        guardians=[str(guardian["guardian_name"])],
        on_date=guided_on,
        form="线下",
        content="讲解监护职责和家庭教育促进法的要求，指导监护人与孩子沟通、约定作息",
        order=issued.number,
    )

    # the probation in its 考验期: decided about two months ago
    decided_on = on_or_before(ws, add_months(today, -2))
    ended_decided = on_or_before(ws, add_months(today, -8))
    picked = _suspects(
        register, {id_card}, on_or_before(ws, ended_decided - dt.timedelta(days=40)), 2
    )
    if len(picked) < 2:
        return None
    current_id, ended_id = picked
    pid, current = _probation(register, user, today, current_id, decided_on, "公安机关移送审查起诉")
    # the first period reported three days before it ends; the second one (due about now) not
    report_on = on_or_before(ws, current[0].due - dt.timedelta(days=3))
    probation.record_report(
        register, user, pid, today, on=report_on, text="按时到院报告学习和生活情况，在校表现良好"
    )

    # an earlier one run to its end, for the 考察意见书: every period reported two days early
    ended, windows = _probation(
        register, user, today, ended_id, ended_decided, "公安机关移送审查起诉"
    )
    for window in windows:
        on = on_or_before(ws, window.due - dt.timedelta(days=2))
        if window.opens < on <= today:
            probation.record_report(
                register, user, ended, today, on=on, text="按时报告活动情况，遵守考察规定"
            )
    ended_on = windows[-1].due
    opinion = None
    if ended_on < today:
        opinion = probation.issue_opinion(
            register,
            user,
            ended,
            today,
            issued_on=on_or_before(ws, ended_on),
            performance="考验期内遵守法律法规，按时报告活动情况，接受教育，表现良好。",
            victim_opinion="被害人已获赔偿，对作出不起诉决定无异议。",
        )
        end_on = min(ws.calendar.add_working_days(ended_on, 2), today)
        probation.end_probation(register, user, ended, today, on=end_on)
    return DemoWork(
        name=name,
        ref=register.ref(id_card),
        tier="严重不良行为（T2）",
        order_number=issued.number,
        order_issued_on=issued_on,
        follow_up_due=issued.due[0].on,
        probation_id=pid,
        probation_name=orders.minor_name(register, current_id),
        probation_ends_on=current[-1].due,
        missed_reports=missed(schedule(current, [report_on], today)),
        ended_probation_id=ended,
        opinion_number=opinion,
    )
