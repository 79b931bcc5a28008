"""Where a lead waits before it is dispatched (分派): its model's department, as the procuratorate
names it."""

from __future__ import annotations

import pytest

from shujian.leads.queue import home_department
from shujian.users import Departments

STANDARD = Departments.bundled()
COUNTY = Departments(
    ("第一检察部", "第二检察部", "第三检察部", "综合业务部"),
    {"未成年人检察部": "第二检察部", "公益诉讼检察部": "第三检察部"},
)
OWN_AND_STANDARD = Departments(("未成年人检察部", "第三检察部"), {"公益诉讼检察部": "第三检察部"})


@pytest.mark.parametrize(
    ("model_department", "departments", "home"),
    [
        ("未成年人检察部", STANDARD, "未成年人检察部"),   # bundled list: the name itself
        ("公益诉讼检察部", COUNTY, "第三检察部"),         # mapped to the county's own name
        ("未成年人检察部", COUNTY, "第二检察部"),
        ("行政检察部", COUNTY, None),                     # neither mapped nor listed: no queue
        ("未成年人检察部", OWN_AND_STANDARD, "未成年人检察部"),  # listed under its standard name
        ("公益诉讼检察部", OWN_AND_STANDARD, "第三检察部"),
        ("", STANDARD, None),                             # a model that declares none
        (None, COUNTY, None),
        ("第二检察部", COUNTY, "第二检察部"),             # a local model naming a local department
    ],
)  # fmt: skip
def test_an_undispatched_lead_waits_in_its_models_home_department(
    model_department: str | None, departments: Departments, home: str | None
) -> None:
    assert home_department(model_department, departments) == home
