"""Who may see and do 督办: pure policy (table tests in tests/juvenile/test_supervision_rules.py).

督办 is the 未成年人检察部's supervision of the helping units' work, so it is seen by those who
see the whole register — 院领导 and the 未成年人检察部's heads and prosecutors
(`juvenile.access.register_scope`) — and done (items opened, followed up and closed; a month's
sample drawn and its checks recorded; the monthly prompts made) by those of them who hold
`supervise_minors`: the department's heads and prosecutors, not 院领导. A helping unit's account
sees its own minors only and nothing of 督办: not the sample its minors may be in, not the items
about its work.
"""

from __future__ import annotations

from shujian.errors import UserError
from shujian.juvenile.access import JUVENILE_DEPARTMENT, register_scope
from shujian.users.access import require
from shujian.users.user import User

SUPERVISE = "supervise_minors"


def check_view(user: User, juvenile_department: str | None) -> None:
    """Refuse (code `forbidden`) anyone who does not see the whole register."""
    if not register_scope(user, juvenile_department).everything:
        where = juvenile_department or JUVENILE_DEPARTMENT
        raise UserError(
            f"督办由{where}办理；“{user.name}”（{user.role_labels}）不能查看。",
            code="forbidden",
        )


def check_supervise(user: User, juvenile_department: str | None) -> None:
    """Refuse anyone who may not do 督办 (code `forbidden`)."""
    check_view(user, juvenile_department)
    require(user, SUPERVISE)
