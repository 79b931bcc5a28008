"""Who sees and handles which petitions: pure policy (table tests: tests/petitions/test_rules.py).

* 院领导 and the platform (scope `procuratorate`) see every petition; so does everyone of the
  intake department (控告申诉检察部, or the department the procuratorate's [departments] mapping
  sends it to), which registers and routes them;
* a 部门负责人 or 检察官 of another department sees the petitions routed to that department; a
  检察官助理 those of them given to them to handle;
* registering a petition, routing it, a reception day and 领导包案 are the intake department's
  (`handle_petitions` there); replies and feedback are the intake department's and the handling
  department's (`handle_petitions` on a petition it sees).

A petition outside what a user sees is answered exactly as one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, true

from shujian.errors import UserError
from shujian.petitions.store import petitions
from shujian.users.access import require, scope_of
from shujian.users.user import User

PETITION = "petition"
"""The object type of a petition in the audit log."""

VIEW = "view_petitions"
HANDLE = "handle_petitions"


@dataclass(frozen=True)
class PetitionScope:
    """The petitions a user sees: all of them, or those routed to `department` (and given to
    `handler`, when set)."""

    everything: bool
    intake: bool = False
    department: str | None = None
    handler: str | None = None

    def sees(self, row: Any) -> bool:
        if self.everything:
            return True
        if row.department != self.department:
            return False
        return self.handler is None or row.handler == self.handler

    def condition(self) -> Any:
        """The same as `sees`, as a condition on `petitions` (lists and counts in SQL)."""
        if self.everything:
            return true()
        cond = petitions.c.department == self.department
        if self.handler is not None:
            cond = and_(cond, petitions.c.handler == self.handler)
        return cond


def petition_scope(user: User, intake_department: str | None) -> PetitionScope:
    """The user's view of the petitions; refused (code `forbidden`) without `view_petitions`.

    `intake_department` is where the procuratorate keeps the standard 控告申诉检察部 (None when it
    has none: then only a procuratorate-wide scope sees every petition)."""
    require(user, VIEW)
    scope = scope_of(user)
    if scope.everything:
        return PetitionScope(True, intake=True)
    if intake_department is not None and user.department == intake_department:
        return PetitionScope(True, intake=True)
    if scope.kind in ("department", "own") and user.department:
        return PetitionScope(False, department=user.department)
    if scope.kind == "assigned" and user.department:
        return PetitionScope(False, department=user.department, handler=user.name)
    raise UserError(f"“{user.name}”不能查看信访件。", code="forbidden")


def check_intake(user: User, intake_department: str | None) -> PetitionScope:
    """Registering and routing: `handle_petitions` in the intake department (or everywhere)."""
    require(user, HANDLE)
    scope = petition_scope(user, intake_department)
    if not scope.intake:
        where = intake_department or "控告申诉检察部"
        raise UserError(
            f"信访件由{where}登记、分流；“{user.name}”（{user.department or '不属于部门'}）"
            "只能办理分流到本部门的信访件。",
            code="forbidden",
        )
    return scope


def not_found(pid: int | str) -> UserError:
    """The one answer for a petition that does not exist or is outside the user's view."""
    return UserError(f"找不到信访件 {pid}。", code="not_found")
