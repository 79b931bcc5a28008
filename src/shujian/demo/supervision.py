"""The demonstration's 督办 item: the planted 四访 warning of the helper account's unit taken up
by the 未成年人检察部's head, so that 未成年人 › 督办 has an item to follow up and close."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from shujian.beijing import today_in_china
from shujian.demo.accounts import ACCOUNTS, DEPARTMENT, helper_warning
from shujian.demo.manifest import DemoManifest
from shujian.juvenile.service import Register
from shujian.juvenile.supervision import items
from shujian.leads.store import leads
from shujian.users.user import User
from shujian.workspace import Workspace


@dataclass(frozen=True)
class DemoItem:
    item_id: int
    lead_id: int
    name: str
    unit: str
    deadline: str


def open_demo_item(ws: Workspace, manifest: DemoManifest) -> DemoItem | None:
    """Take the helper's planted warning up as an item (None in a county without one)."""
    plant = helper_warning(manifest)
    if plant is None:
        return None
    with ws.store.connect() as conn:
        lead_id = conn.execute(
            select(leads.c.id).where(
                leads.c.model_id == plant.model, leads.c.subject == plant.subject
            )
        ).scalar()
    if lead_id is None:
        return None
    head = next(a for a in ACCOUNTS if a.role == "department_head")
    user = User(head.name, ws.region.procuratorate_name, DEPARTMENT, frozenset({head.role}))
    register = Register(ws)
    today = today_in_china()
    unit = str(plant.figures["helper_unit"])
    item_id = items.open_item(
        register,
        user,
        int(lead_id),
        today,
        unit=unit,
        note=f"请{unit}补访{plant.figures['month']}的{plant.figures['missing_targets']}，并登记走访记录",
    )
    item = items.get_item(register, user, item_id, today)
    return DemoItem(
        item_id, int(lead_id), item["name"], unit, f"{item['deadline']}{item['provisional']}"
    )
