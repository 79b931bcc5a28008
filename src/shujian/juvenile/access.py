"""Who sees which minors of the register: pure policy (table tests in tests/juvenile/).

* 院领导 and the platform (scope `procuratorate`) see every minor;
* a 部门负责人 or 检察官 sees every minor when they work in the 未成年人检察部 (or the department
  the procuratorate's [departments] mapping sends it to), and is refused the register otherwise;
* a helping unit's account (role `helper`, scope `records`) sees the minors granted to it — those
  whose assignment (包保帮扶责任) covering the day names its unit (`service.Register.with_grants`
  computes them from the warehouse) — and nothing else;
* everyone else (系统管理员, 检察官助理) is refused.

A minor outside what a user sees is answered exactly as one that is not on the register
(`not_found`), so that a helper cannot learn who else is.
"""

from __future__ import annotations

from dataclasses import dataclass

from shujian.errors import UserError
from shujian.users.access import require, scope_of
from shujian.users.user import User

MINOR = "minor"
"""The object type of a minor in grants and in the audit log (its id is the ID number)."""

JUVENILE_DEPARTMENT = "未成年人检察部"
"""The standard department whose register this is (the models' `department:`)."""


@dataclass(frozen=True)
class RegisterScope:
    """The minors a user sees: all of them, or only `ids`."""

    everything: bool
    ids: frozenset[str] = frozenset()

    def sees(self, id_card: str) -> bool:
        return self.everything or id_card in self.ids


def register_scope(user: User, juvenile_department: str | None) -> RegisterScope:
    """The user's view of the register; refused (code `forbidden`) to whom it does not belong.

    `juvenile_department` is where the procuratorate keeps the standard 未成年人检察部
    (`leads.queue.home_department`); None when it has no such department, and then only a
    procuratorate-wide scope sees the register.
    """
    require(user, "view_minors")
    scope = scope_of(user)
    if scope.everything:
        return RegisterScope(True)
    if scope.kind == "records":
        return RegisterScope(False, frozenset(scope.granted(MINOR)))
    if scope.kind in ("department", "own", "assigned") and (
        juvenile_department is not None and user.department == juvenile_department
    ):
        return RegisterScope(True)
    where = juvenile_department or JUVENILE_DEPARTMENT
    raise UserError(
        f"重点未成年人名册由{where}和院领导查看；“{user.name}”（{user.department or '不属于部门'}）"
        "不能查看。",
        code="forbidden",
    )


def not_on_register(shown: str) -> UserError:
    """The one answer for a minor not on the register or outside the user's view."""
    return UserError(f"名册中找不到未成年人 {shown}。", code="not_found")
