"""国家司法救助 in the demonstration: one ordinary application, one on the fast track.

Through the judicial-aid service (each step audited, each decision a numbered 国家司法救助决定书):

* as the demo's 未检 prosecutor, the application for the child of a man killed in a crime, the
  offender unable to pay: accepted, 审查认定 (被害人死亡, two people: the child and the grandmother
  who raises them; the applicant a minor, so the decision names them by surname and 某 only),
  决定救助 for an amount checked against the cap (the workspace's `[judicial_aid] monthly_wage`
  × `cap_months`, demo/casework.py);
* as the demo's 控告申诉检察部 prosecutor, a fast-track aid (危及生命急需救治) decided on the day
  of 受理 within `fast_limit`, and paid the next working day.

Dates are working days counted from the demo's date, in the order of the steps.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from shujian.demo.accounts import ACCOUNTS, demo_user
from shujian.demo.names import person_name
from shujian.demo.workdays import on_or_after
from shujian.judicial_aid import service as aid
from shujian.workspace import Workspace

FAST = "演示控申检察官"
AMOUNT = Decimal(60000)
FAST_AMOUNT = Decimal(8000)


@dataclass(frozen=True)
class DemoAid:
    case_id: int
    number: str
    amount: Decimal
    cap: Decimal
    fast_case_id: int
    fast_number: str
    fast_amount: Decimal


def plant_aid(ws: Workspace, as_of: dt.date, rng: random.Random) -> DemoAid:
    def day(offset: int) -> dt.date:
        return on_or_after(ws, as_of + dt.timedelta(days=offset))

    juvenile = demo_user(ws, next(a.name for a in ACCOUNTS if a.role == "prosecutor"))
    case_id = aid.apply(
        ws, juvenile, department=str(juvenile.department), prosecutor=juvenile.name,
        reason="被害人遇害身亡，其未成年子女由祖母抚养，加害人无赔偿能力，生活困难",
        received_on=day(-20), juvenile=True,
    )  # fmt: skip
    aid.review(ws, juvenile, case_id, day(-15), ground="被害人死亡",
               applicant=person_name(rng, False), people=2, minor=True,
               reason="走访核实家庭经济状况，加害人无财产可供执行")  # fmt: skip
    approved = aid.approve(ws, juvenile, case_id, day(-8), amount=AMOUNT)

    intake = demo_user(ws, FAST)
    received = day(-5)
    fast_id = aid.apply(
        ws, intake, department=str(intake.department), prosecutor=intake.name,
        reason="被害人受犯罪侵害重伤住院，急需救治，无力承担医疗费用", received_on=received,
    )  # fmt: skip
    fast = aid.fast_track(ws, intake, fast_id, received, ground="危及生命急需救治",
                          applicant=person_name(rng, True), amount=FAST_AMOUNT)  # fmt: skip
    aid.pay(ws, intake, fast_id, on_or_after(ws, received + dt.timedelta(days=1)),
            method="银行转账")  # fmt: skip
    return DemoAid(case_id, approved.number, approved.amount, approved.cap, fast_id,
                   fast.number, fast.amount)  # fmt: skip
