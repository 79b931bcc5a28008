"""Who sees and who records 督促监护令, 训诫 and 家庭教育指导: pure policy.

These are the procuratorate's own juvenile case work (`juvenile.own_records`), so they are seen
by those who see the whole register — 院领导 and the 未成年人检察部's heads and prosecutors
(`juvenile.access.register_scope`) — and recorded (a follow-up visit, a 训诫, a guidance session)
by those of them who hold `juvenile_work`; issuing the 督促监护令, a numbered document, needs
`issue_document` besides. A helping unit's account sees none of them.
"""

from __future__ import annotations

from shujian.errors import UserError
from shujian.juvenile.access import JUVENILE_DEPARTMENT, register_scope
from shujian.users.access import require
from shujian.users.user import User

WORK = "juvenile_work"
ISSUE = "issue_document"


def check_view(user: User, juvenile_department: str | None) -> None:
    """Refuse (code `forbidden`) anyone who does not see the whole register."""
    if not register_scope(user, juvenile_department).everything:
        where = juvenile_department or JUVENILE_DEPARTMENT
        raise UserError(
            f"督促监护令、训诫和家庭教育指导由{where}办理；“{user.name}”（{user.role_labels}）"
            "不能查看。",
            code="forbidden",
        )


def check_work(user: User, juvenile_department: str | None) -> None:
    """Refuse anyone who may not record them (code `forbidden`)."""
    check_view(user, juvenile_department)
    require(user, WORK)


def check_issue(user: User, juvenile_department: str | None) -> None:
    """Refuse anyone who may not issue a 督促监护令 (code `forbidden`)."""
    check_work(user, juvenile_department)
    require(user, ISSUE)
