"""12309 信访 in the demonstration: ten petitions across the four channels and the departments.

As the demo's 控告申诉检察部 prosecutor (the intake) and, for the petitions routed to a department
that has a demo account, as that department's prosecutor, through the petitions service (each
step audited), this plants the petitions `PLAN` declares: received over the hundred days before
the demo's date, routed, most with the 7-day procedural reply in time, one late, one never made
(so the overdue list shows it); some with the 3-month result reply and the petitioner's feedback
(满意, 基本满意, 不满意), one with a progress reply; two visits received on a 检察长接待日, one of
them taken as a 领导包案 by the demo's 院领导. One petitioner is a minor, shown as 某 outside the
petition's own page.

Every date is a working day counted from the demo's date (the manifest's `as_of`), none after it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from shujian.demo.accounts import ACCOUNTS, demo_user
from shujian.demo.names import person_name, phone_number
from shujian.demo.workdays import on_or_after
from shujian.petitions import service
from shujian.petitions.service import Intake, Petitions
from shujian.workspace import Workspace

INTAKE = "演示控申检察官"
LEADER = "演示院领导"
RECEPTION_DAY = -62
"""The 检察长接待日, in days from the demo's date."""


@dataclass(frozen=True)
class Planned:
    """One petition: received `received` days from the demo's date; each reply `n` days after
    the receipt (None: not made)."""

    received: int
    channel: str
    category: str
    matter: str
    department: str | None
    procedural: tuple[str, int] | None = None
    result: tuple[str, int] | None = None
    feedback: str | None = None
    minor: bool = False
    reception_day: bool = False
    leader: bool = False


PLAN = (
    Planned(-100, "来信", "申诉", "不服本县人民法院一审刑事判决，认为量刑畸重，请求检察机关提出抗诉",
            "刑事检察部", ("受理", 3), ("result", 70), "满意"),
    Planned(-95, "来信", "申诉", "不服县人力资源和社会保障局作出的不予认定工伤决定，诉讼败诉后申请行政诉讼监督",
            "行政检察部", ("受理", 2), ("result", 80), "不满意"),
    Planned(RECEPTION_DAY, "来访", "控告", "反映某建筑劳务公司拖欠其与同乡工友工资，向人社部门投诉后仍未支付",
            "民事检察部", ("受理", 0), ("result", 45), "基本满意", reception_day=True),
    Planned(RECEPTION_DAY, "来访", "求决", "反映其子在看守所羁押期间患病未得到及时治疗，请求检察机关监督",
            "刑事执行检察部", ("受理", 1), ("progress", 60), reception_day=True, leader=True),
    Planned(-45, "电话", "咨询", "咨询遭受犯罪侵害、无法获得赔偿的，如何申请国家司法救助",
            None, ("当场答复", 0), ("result", 0), "满意"),
    Planned(-40, "网络", "举报", "举报某村垃圾填埋场渗滤液直排河道，污染下游饮用水源",
            "公益诉讼检察部", ("受理", 10)),
    Planned(-20, "网络", "举报", "反映学校附近网吧接纳未成年人上网，夜间也不查验身份证件",
            "未成年人检察部", ("受理", 2), minor=True),
    Planned(-12, "电话", "求决", "反映用人单位拖欠工资八个月，询问能否请求检察机关支持起诉",
            "民事检察部", ("受理", 1)),
    Planned(-6, "网络", "咨询", "咨询不服生效刑事判决提出申诉需要提交哪些材料",
            "控告申诉检察部", ("告知补充材料", 2)),
    Planned(-3, "来信", "申诉", "不服县公安局不予立案决定，请求检察机关监督立案", None),
)  # fmt: skip
"""The petitions, in the order received: the late procedural reply is the 网络 举报 received 40
days before (replied on the tenth day), the one still owed the letter received 3 days before."""


@dataclass(frozen=True)
class DemoPetitions:
    ids: tuple[int, ...]
    """The petitions in `PLAN`'s order."""
    reception_day: int
    visits: int
    """Petitions received on the 检察长接待日."""
    leader_case: int
    late: int
    """The petition whose procedural reply came after its 7 days."""
    owed: int
    """The petition still owed its procedural reply, now overdue."""


def _handler(department: str | None) -> str:
    """Who replies: the department's demo prosecutor, else the intake."""
    account = next(
        (a for a in ACCOUNTS if a.role == "prosecutor" and a.department == department), None
    )
    return account.name if account is not None else INTAKE


def plant_petitions(
    ws: Workspace, as_of: dt.date, today: dt.date, rng: random.Random
) -> DemoPetitions:
    ps = Petitions(ws)
    intake = demo_user(ws, INTAKE)

    def day(offset: int) -> dt.date:
        return on_or_after(ws, as_of + dt.timedelta(days=offset))

    reception = service.add_reception_day(
        ps, intake, today, on=day(RECEPTION_DAY), leader=LEADER, place="本院检察服务中心接待室",
        note="检察长接待日",
    )  # fmt: skip
    ids = []
    for p in PLAN:
        received = day(p.received)
        handler = _handler(p.department)
        pid = service.receive(
            ps,
            intake,
            today,
            Intake(
                received_on=received,
                channel=p.channel,
                category=p.category,
                name=person_name(rng, rng.random() < 0.5),
                matter=p.matter,
                contact=phone_number(rng),
                minor=p.minor,
                reception_day=reception if p.reception_day else None,
                department=p.department,
                handler=handler if p.department and handler != INTAKE else None,
            ),
        )
        ids.append(pid)
        if p.leader:
            service.take_as_leader(ps, intake, today, pid, leader=LEADER, on=received,
                                   text="信访人多次来访，院领导包案化解")  # fmt: skip
        user = demo_user(ws, handler)
        if p.procedural is not None:
            outcome, after = p.procedural
            service.procedural_reply(ps, user, today, pid, outcome=outcome,
                                     text=f"已{outcome}，电话告知信访人",
                                     on=on_or_after(ws, received + dt.timedelta(days=after)))  # fmt: skip
        if p.result is not None:
            kind, after = p.result
            replied = on_or_after(ws, received + dt.timedelta(days=after))
            text = (
                "已书面答复办理结果" if kind == "result" else "案件尚在审查，已告知信访人办理进展"
            )
            service.result_reply(ps, user, today, pid, kind=kind, text=text, on=replied)
            if p.feedback is not None:
                service.record_feedback(ps, user, today, pid, value=p.feedback, text="电话回访",
                                        on=on_or_after(ws, replied + dt.timedelta(days=3)))  # fmt: skip
    late = next(i for i, p in zip(ids, PLAN, strict=True) if p.procedural and p.procedural[1] > 7)
    owed = next(i for i, p in zip(ids, PLAN, strict=True) if p.procedural is None)
    leader = next(i for i, p in zip(ids, PLAN, strict=True) if p.leader)
    visits = sum(p.reception_day for p in PLAN)
    return DemoPetitions(tuple(ids), reception, visits, leader, late, owed)
