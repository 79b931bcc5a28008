"""The demonstration's casework beyond the sample case: 12309 信访, 支持起诉, 公开听证 and 国家司法救助,
so that their pages, lists and figures are not empty when a newcomer opens the demo.

`build_demo` calls `plant_casework` after the sample case; each part is its own module
(petitions_work, support_work, aid_work), acting through the services a user's command or page
calls, as the demo's accounts (demo/accounts.py), so the audit log records every step. Names are
drawn from the demo's seed; dates are counted from the demo's date (the manifest's `as_of`), and
none is after today.

The judicial aid's cap needs the province's 上一年度职工月平均工资 and its source in shujian.toml:
`configure_workspace` writes them into the demo workspace's file (`AID_SETTINGS`), labelled as the
demo's own figure.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from shujian.beijing import today_in_china
from shujian.demo.aid_work import DemoAid, plant_aid
from shujian.demo.petitions_work import DemoPetitions, plant_petitions
from shujian.demo.support_work import DemoSupport, plant_support
from shujian.models.spec import ModelSpec
from shujian.workspace import CONFIG_NAME, Workspace

MONTHLY_WAGE = 9000
"""元: a plausible figure for 贵州省's 上一年度职工月平均工资 (年平均工资约十万元 ÷ 12), not a
published one: no published figure could be checked, so the source says it is the demo's."""

AID_SETTINGS = f"""
# 国家司法救助的限额基准（演示工作区）：数额为演示数据，不是公布的统计数字。
# 正式使用时，请改为本省统计部门公布的上一年度职工平均工资 ÷ 12，并写明出处（docs/judicial_aid.md）。
[judicial_aid]
monthly_wage = {MONTHLY_WAGE}
monthly_wage_source = "演示数据：按贵州省职工年平均工资约十万元估算的示意数额，未核实，不是统计部门公布的数字"
"""


def configure_workspace(root: Path) -> None:
    """Add the demo's `[judicial_aid]` settings to the workspace's shujian.toml (re-open the
    workspace to read them)."""
    config = root / CONFIG_NAME
    with config.open("a", encoding="utf-8") as fh:
        fh.write(AID_SETTINGS)


@dataclass(frozen=True)
class DemoCasework:
    """What the demo command prints: numbers, 文号 and places — never a minor's name."""

    petitions: DemoPetitions
    support: DemoSupport | None
    aid: DemoAid


LATEST = 30
"""Days after the demo's date of the last step planted from it (the court's 立案, with working
days): a demo date closer to today than this is moved back, so that nothing is dated after
today."""


def plant_casework(
    ws: Workspace,
    library: dict[str, ModelSpec],
    as_of: dt.date,
    seed: int,
    sample_case_id: int | None,
) -> DemoCasework:
    today = today_in_china()
    anchor = min(as_of, today - dt.timedelta(days=LATEST))
    rng = random.Random(f"casework-{seed}")
    petitions = plant_petitions(ws, anchor, today, rng)
    support = plant_support(ws, library, anchor, today, rng, sample_case_id)
    aid = plant_aid(ws, anchor, rng)
    return DemoCasework(petitions, support, aid)
