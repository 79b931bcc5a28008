"""The demonstration's accounts: one per role, so a newcomer can sign in to the web pages as each,
and a prosecutor of the 控告申诉检察部 and one of the 民事检察部, who do the demo's petitions,
支持起诉 and part of its judicial aid (demo/casework.py).

The password is the same for all and printed by the demo (and in the README): it is a
demonstration, on 127.0.0.1. It meets the password policy like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shujian.demo.manifest import DemoManifest, Plant
from shujian.demo.minors import HELPER_UNIT
from shujian.users import User, departments_of
from shujian.users.accounts import add_user
from shujian.users.passwords import hash_password, set_password
from shujian.users.user import roles
from shujian.workspace import Workspace

PASSWORD = "Shujian#2026"
DEPARTMENT = "未成年人检察部"


@dataclass(frozen=True)
class DemoAccount:
    name: str
    role: str
    department: str | None
    unit: str | None = None
    """The 包保单位 of a helping unit's account (role `helper`)."""

    @property
    def role_label(self) -> str:
        return roles()[self.role]


ACCOUNTS = (
    DemoAccount("演示管理员", "admin", None),  # the first account must be a 系统管理员
    DemoAccount("演示院领导", "chief", None),
    DemoAccount("演示部门负责人", "department_head", DEPARTMENT),
    DemoAccount("演示检察官", "prosecutor", DEPARTMENT),
    DemoAccount("演示检察官助理", "assistant", DEPARTMENT),
    # registers and routes the 12309 petitions, handles a fast 国家司法救助 (demo/petitions_work.py,
    # demo/aid_work.py)
    DemoAccount("演示控申检察官", "prosecutor", "控告申诉检察部"),
    # takes a wage.support_prosecution lead into a 支持起诉 case with its hearing (support_work.py)
    DemoAccount("演示民事检察官", "prosecutor", "民事检察部"),
    # sees the minors its unit helps: the county seat's single-parent minors, some of them also
    # 严重不良行为 minors visited monthly, one with a month's 四访 left to record (plants_juvenile.py)
    DemoAccount("演示包保单位工作人员", "helper", None, HELPER_UNIT),
)


def demo_user(ws: Workspace, name: str) -> User:
    """The demo account `name` as the services see it acting (its department and role)."""
    account = next(a for a in ACCOUNTS if a.name == name)
    return User(
        account.name, ws.region.procuratorate_name, account.department, frozenset({account.role})
    )


def hash_demo_passwords() -> list[str]:
    """The hash of `PASSWORD` for each account: one hash (a quarter of a second of argon2, run by
    the demo in a thread beside the building of the county) shared by every account. The demo
    accounts' password is published in the README, so one salt for all of them hides nothing a
    salt per account would; each account's first password change hashes with its own salt."""
    return [hash_password(PASSWORD)] * len(ACCOUNTS)


def open_demo_accounts(
    ws: Workspace, hashes: Sequence[str] | None = None
) -> tuple[DemoAccount, ...]:
    """Open every demo account with `PASSWORD`, as the demo's 系统管理员 (audited as any);
    `hashes` are `hash_demo_passwords()` when made beforehand."""
    admin = User(ACCOUNTS[0].name, ws.region.procuratorate_name, None, frozenset({"admin"}))
    departments = departments_of(ws)
    for i, account in enumerate(ACCOUNTS):
        add_user(
            ws.store,
            admin,
            account.name,
            account.department,
            [account.role],
            departments,
            unit=account.unit,
        )
        hashed = hashes[i] if hashes is not None else None
        set_password(ws.store, admin, account.name, PASSWORD, hashed=hashed)
    return ACCOUNTS


def helper_warning(manifest: DemoManifest) -> Plant | None:
    """The planted 四访 warning the helper account can clear: a minor of its unit with a month's
    visits missing (None in a county without one)."""
    return next(
        (
            p
            for p in manifest.plants
            if p.model == "juvenile.visit_missing"
            and p.lead
            and p.figures.get("helper_unit") == HELPER_UNIT
        ),
        None,
    )
