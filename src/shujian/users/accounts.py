"""Accounts: who may act in a workspace, and who may be given a lead or a case.

A workspace with no accounts is a single-user workspace, as every workspace was before accounts
existed: whoever runs a command is a prosecutor of no particular department, named as they say
(`resolve`). Once one account exists the workspace has a roster, and a name must be an active
account's — to act, and to be made the prosecutor of a dispatch or a case (of that department).
The first account must be a 系统管理员, and only a 系统管理员 adds or deactivates accounts
afterwards, so that a roster, once started, can always be managed and is never open to all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from shujian import audit
from shujian.errors import UserError
from shujian.names import check_actor_name
from shujian.store import now
from shujian.users.access import can
from shujian.users.departments import Departments
from shujian.users.store import account_user, users
from shujian.users.user import User, role_id, roles

NEEDS_DEPARTMENT = frozenset({"prosecutor", "assistant", "department_head"})
"""Roles that work inside a department (a 检察长 or 系统管理员 may have none)."""

NEEDS_UNIT = frozenset({"helper"})
"""Roles of a helping unit's staff (包保单位工作人员): they name their unit, belong to no
department of the procuratorate and hold no other role (their scope is the minors assigned to
their unit; another role's wider scope would open everything else)."""

SINGLE_USER_ROLES = frozenset({"single_user"})
"""Whoever acts in a workspace without accounts: anyone may type any name there, so they may do
everything (`users.access`)."""


def has_accounts(conn: Connection) -> bool:
    return bool(conn.execute(select(func.count()).select_from(users)).scalar())


def resolve(store: Engine, name: str, procuratorate: str) -> User:
    """The acting user named `name`: an active account's, or in a single-user workspace, a
    prosecutor of no department (the procuratorate is the workspace's)."""
    name = (name or "").strip()
    check_actor_name(name)
    with store.connect() as conn:
        row = conn.execute(select(users).where(users.c.name == name)).first()
        roster = row is not None or has_accounts(conn)
    if not roster:
        return User(name, procuratorate, None, SINGLE_USER_ROLES)
    if row is None or not row.active:
        state = "已停用" if row is not None else "不是本工作区的账号"
        raise UserError(
            f"“{name}”{state}，不能操作。本工作区已建立账号，操作人必须是有效账号；"
            "如需开通，请联系系统管理员。",
            code="unknown_user",
        )
    return account_user(row, procuratorate)


def check_prosecutor(conn: Connection, department: str, prosecutor: str) -> None:
    """In a workspace with accounts, the prosecutor must be an active account of `department`."""
    row = conn.execute(select(users).where(users.c.name == prosecutor)).first()
    if row is None and not has_accounts(conn):
        return
    if row is None or not row.active:
        state = "已停用" if row is not None else "不是本工作区的账号"
        raise UserError(f"承办检察官“{prosecutor}”{state}。", code="unknown_prosecutor")
    if row.department != department:
        own = f"属于{row.department}" if row.department else "不属于任何部门"
        raise UserError(
            f"承办检察官“{prosecutor}”{own}，不能承办{department}的线索或案件。",
            code="prosecutor_of_other_department",
        )


def _role_ids(given: Iterable[str]) -> frozenset[str]:
    out = frozenset(role_id(r) for r in given)
    if not out:
        raise UserError(f"请至少指定一个角色。可选：{'、'.join(roles().values())}。")
    return out


def _require_admin(conn: Connection, actor: User, doing: str) -> None:
    if has_accounts(conn) and not can(actor, "manage_users"):
        raise UserError(
            f"只有系统管理员可以{doing}；“{actor.name}”不是系统管理员。", code="not_admin"
        )


def add_user(
    store: Engine,
    actor: User,
    name: str,
    department: str | None,
    role_names: Iterable[str],
    departments: Departments,
    *,
    unit: str | None = None,
) -> User:
    """Open an account (audited). The first account of a workspace must be a 系统管理员.

    A helping unit's account (role `helper`) names its `unit` (包保单位) and nothing else."""
    name = (name or "").strip()
    if not name:
        raise UserError("账号姓名不能为空。")
    check_actor_name(name)
    granted = _role_ids(role_names)
    unit = check_unit(granted, unit, department)
    dept = departments.check(department, "所属部门") if department else None
    if dept is None and granted & NEEDS_DEPARTMENT:
        labels = "、".join(roles()[r] for r in roles() if r in granted & NEEDS_DEPARTMENT)
        raise UserError(f"{labels}必须属于一个部门。", code="missing_department")
    with store.begin() as conn:
        if not has_accounts(conn) and "admin" not in granted:
            raise UserError(
                "本工作区还没有账号：第一个账号必须具有“系统管理员”角色，以便之后管理账号。",
                code="first_account_not_admin",
            )
        _require_admin(conn, actor, "添加账号")
        if conn.execute(select(users.c.id).where(users.c.name == name)).first() is not None:
            raise UserError(f"账号“{name}”已存在。", code="user_exists")
        ordered = [r for r in roles() if r in granted]
        conn.execute(
            insert(users).values(
                name=name, department=dept, roles=ordered, active=True, created_at=now(), unit=unit
            )
        )
        detail: dict[str, Any] = {"department": dept, "roles": ordered}
        if unit is not None:
            detail["unit"] = unit
        audit.record(conn, actor.name, "add_user", "user", name, detail)
    return User(name, actor.procuratorate, dept, granted, unit=unit)


def check_unit(granted: frozenset[str], unit: str | None, department: str | None) -> str | None:
    """The 包保单位 of a helper's account, stripped; refused in Chinese when a helper has none,
    holds another role or a department, or when another role is given a unit."""
    unit = (unit or "").strip() or None
    helper = granted & NEEDS_UNIT
    if not helper:
        if unit is not None:
            raise UserError(
                "只有包保单位工作人员的账号填写包保单位；本院人员的账号不填。",
                code="unit_not_needed",
            )
        return None
    label = "、".join(roles()[r] for r in roles() if r in helper)
    if unit is None:
        raise UserError(f"{label}的账号必须写明包保单位（如：县妇联）。", code="missing_unit")
    if granted - NEEDS_UNIT:
        raise UserError(
            f"{label}的账号不能兼有其他角色：它只能看到本单位包保的未成年人。", code="helper_alone"
        )
    if department and department.strip():
        raise UserError(f"{label}不属于本院的部门，不填所属部门。", code="helper_department")
    return unit


def deactivate_user(store: Engine, actor: User, name: str) -> None:
    """Deactivate an account (audited); the last active 系统管理员 cannot be deactivated."""
    name = (name or "").strip()
    with store.begin() as conn:
        _require_admin(conn, actor, "停用账号")
        row = conn.execute(select(users).where(users.c.name == name).with_for_update()).first()
        if row is None:
            raise UserError(f"没有账号“{name}”。", code="unknown_user")
        if not row.active:
            raise UserError(f"账号“{name}”已停用。", code="user_inactive")
        admins = [
            r.name
            for r in conn.execute(select(users.c.name, users.c.roles).where(users.c.active))
            if "admin" in r.roles
        ]
        if admins == [name]:
            raise UserError(
                f"“{name}”是最后一个有效的系统管理员，停用后将无人能管理账号。"
                "请先为另一人开通系统管理员账号。",
                code="last_admin",
            )
        conn.execute(update(users).where(users.c.id == row.id).values(active=False))
        audit.record(conn, actor.name, "deactivate_user", "user", name, {})


def list_users(store: Engine, actor: User) -> list[dict[str, Any]]:
    """Every account, active ones first, in the order they were opened, with Chinese role labels; the view is audited."""
    with store.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(users).order_by(users.c.id))]
    labels = roles()
    for r in rows:
        r["has_password"] = bool(r.pop("password_hash"))  # the hash never leaves the store
        r["role_labels"] = "、".join(labels[x] for x in r["roles"] if x in labels)
    rows.sort(key=lambda r: (not r["active"], r["id"]))
    audit.record_view(
        store, actor.name, "user", None, {"names": [r["name"] for r in rows]}, action="list"
    )
    return rows
