"""One lead of the demonstration taken on to a served 检察建议书, so the demo shows the whole flow.

The source reports tell of a kindergarten-name lead taken from discovery to rectification in five
days; the demo does the first part of that with its own 幼儿园 lead: dispatched, accepted into a
case, investigated, the recommendation issued to the county's education bureau, served and
filed with the upper procuratorate. The
case is left 等待回复 for the user to carry on with the commands the demo prints.

As at a real procuratorate, the recommendation bears the 文号 the 统一业务应用系统 gave it
(《人民检察院检察建议工作规定》 art. 7), typed in at issue: the demo workspace keeps the default
`numbering = "entered"`, and the number is made up in the county's own form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from shujian.cases.categories import declarations
from shujian.cases.documents.kinds import document_kind
from shujian.cases.numbering import format_number
from shujian.cases.recommendations import file_with_superior, issue_recommendation
from shujian.cases.service import open_case, transition
from shujian.leads.queue import homes
from shujian.leads.service import list_leads
from shujian.leads.triage import dispatch
from shujian.models.spec import ModelSpec
from shujian.users import User, departments_of
from shujian.workspace import Workspace

MODEL = "kindergarten.name"
DEPARTMENT = "未成年人检察部"
PROSECUTOR = "演示检察官"
OFFICIAL_SEQ = 7
"""N of the demo case's 文号 in the 统一业务应用系统 (the county's seventh 未检 recommendation of
the year there: the platform does not number it)."""


def official_number(ws: Workspace, on: dt.date) -> str:
    """The 文号 the unified system gave the demo case: 青检未建〔2026〕7号 for 青岚县."""
    code = declarations().category("juvenile").code
    return format_number(
        document_kind("recommendation"), ws.region.short, code, on.year, OFFICIAL_SEQ
    )


@dataclass(frozen=True)
class DemoCase:
    case_id: int
    lead_id: int
    number: str
    document: Path
    reply_period: str


def walk_sample_case(
    ws: Workspace, library: dict[str, ModelSpec], county: str, as_of: dt.date
) -> DemoCase | None:
    """Take the first kindergarten-name lead to a served recommendation (None if there is none)."""
    found = [r for r in list_leads(ws.store, MODEL) if r["status"] == "new"]
    if not found:
        return None
    lead = found[0]
    store = ws.store
    procuratorate = ws.region.procuratorate_name
    head = User("演示部门负责人", procuratorate, DEPARTMENT, frozenset({"department_head"}))
    prosecutor = User(PROSECUTOR, procuratorate, DEPARTMENT, frozenset({"prosecutor"}))
    departments = departments_of(ws)
    home = homes(library, departments)
    dispatch(store, [lead["id"]], DEPARTMENT, PROSECUTOR, head, departments=departments, home=home)
    case_id = open_case(
        store,
        [lead["id"]],
        DEPARTMENT,
        PROSECUTOR,
        prosecutor,
        "幼儿园名称违规，线索成案",
        as_of,
        departments=departments,
        calendar=ws.calendar,
        home=home,
    )
    transition(
        store,
        case_id,
        "investigate",
        prosecutor,
        "调取办学许可证、实地查看",
        as_of,
        calendar=ws.calendar,
    )
    issued_on = as_of + dt.timedelta(days=1)
    issued = issue_recommendation(
        ws,
        library,
        case_id,
        prosecutor,
        issued_on,
        f"{county}教育局",
        number=official_number(ws, issued_on),
        category="未检",
        items=(
            "督促该幼儿园依法规范名称，撤除含有“国际”“双语”等字样的牌匾和宣传内容。",
            "对辖区幼儿园名称开展专项排查，建立办园名称审核常态化机制。",
        ),
    )
    transition(
        store,
        case_id,
        "serve",
        prosecutor,
        "",
        as_of + dt.timedelta(days=2),
        calendar=ws.calendar,
        service_method="书面送达",
    )
    transition(
        store,
        case_id,
        "await_reply",
        prosecutor,
        "",
        as_of + dt.timedelta(days=2),
        calendar=ws.calendar,
    )
    file_with_superior(
        store,
        issued.number,
        prosecutor,
        as_of + dt.timedelta(days=3),
        "上一级人民检察院未成年人检察部",
    )
    return DemoCase(case_id, lead["id"], issued.number, issued.document, issued.reply_due_text)
