"""Who sees and who sets intervention tiers: pure policy (table tests in
tests/juvenile/test_tier_rules.py).

分级干预 is the 未成年人检察部's own juvenile case work, so it is seen by those who see the whole
register — 院领导 and the 未成年人检察部's heads and prosecutors (`juvenile.access.register_scope`)
— and set by those of them who hold `juvenile_work` (the department's heads and prosecutors, not
院领导). A helping unit's account sees nothing of it, not even on its minors' files.
"""

from __future__ import annotations

from shujian.errors import UserError
from shujian.juvenile.access import JUVENILE_DEPARTMENT, register_scope
from shujian.users.access import can, require
from shujian.users.user import User

DECIDE = "juvenile_work"


def sees_tiers(user: User, juvenile_department: str | None) -> bool:
    """The user sees the whole register (and so the procuratorate's own records)."""
    if not can(user, "view_minors"):
        return False
    try:
        return register_scope(user, juvenile_department).everything
    except UserError:
        return False


def check_view(user: User, juvenile_department: str | None) -> None:
    """Refuse (code `forbidden`) anyone who does not see the whole register."""
    if not sees_tiers(user, juvenile_department):
        where = juvenile_department or JUVENILE_DEPARTMENT
        raise UserError(
            f"分级干预由{where}办理；“{user.name}”（{user.role_labels}）不能查看。",
            code="forbidden",
        )


def check_decide(user: User, juvenile_department: str | None) -> None:
    """Refuse anyone who may not set a tier (code `forbidden`)."""
    check_view(user, juvenile_department)
    require(user, DECIDE)


def may_decide(user: User, juvenile_department: str | None) -> bool:
    return sees_tiers(user, juvenile_department) and can(user, DECIDE)
