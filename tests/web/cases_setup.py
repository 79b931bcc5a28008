"""Cases for the web tests of the 案件 pages, made through the real services on a workspace of
`web.browsing.make_workspace`: one opened case of 张检察官, one in 调查核实 of 李助理 (an
assistant's own case), one of another department. (Imported as `web.cases_setup`.)"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from helpers import lead_copies
from shujian.cases.service import open_case, transition
from shujian.users import User, departments_of
from shujian.users.accounts import add_user
from shujian.users.user import SYSTEM
from shujian.workspace import Workspace

OTHER_DEPARTMENT = "公益诉讼检察部"
OTHER_PROSECUTOR = "王检察官"
OPENED_ON = dt.date(2026, 3, 2)


@dataclass(frozen=True)
class Cases:
    own: int
    """张检察官's, just opened (立案)."""
    assistants: int
    """李助理's (检察官助理), in 调查核实."""
    elsewhere: int
    """王检察官's of 公益诉讼检察部."""


def make_cases(ws: Workspace, folder: Path) -> Cases:
    admin = User("管理员", ws.region.procuratorate_name, None, frozenset({"admin"}))
    add_user(
        ws.store, admin, OTHER_PROSECUTOR, OTHER_DEPARTMENT, ["prosecutor"], departments_of(ws)
    )
    copies = lead_copies(ws, folder, 3)
    made = []
    for lead_id, (department, prosecutor) in zip(
        copies,
        [
            ("未成年人检察部", "张检察官"),
            ("未成年人检察部", "李助理"),
            (OTHER_DEPARTMENT, OTHER_PROSECUTOR),
        ],
        strict=True,
    ):
        made.append(
            open_case(
                ws.store, [lead_id], department, prosecutor, SYSTEM, "经初查符合立案条件",
                OPENED_ON, departments=departments_of(ws), calendar=ws.calendar,
            )
        )  # fmt: skip
    transition(ws.store, made[1], "investigate", SYSTEM, "", OPENED_ON, calendar=ws.calendar)
    return Cases(*made)
