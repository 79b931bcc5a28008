"""A helping unit's account (包保单位工作人员, role `helper`) from the shell: it names its unit,
belongs to no department, holds no other role, and may do nothing but see its minors and record
their visits."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from shujian import audit
from shujian.cli.main import cli
from shujian.users.access import can, scope_of
from shujian.users.accounts import resolve
from shujian.users.passwords import authenticate, session_user, set_password
from shujian.users.user import User
from shujian.workspace import init_workspace, open_workspace

P = "青岚县人民检察院"
PASSWORD = "Qinglan#2026"


def shujian(ws: Path, *args: str, user: str = "管理员", code: int = 0):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["-w", str(ws), "-u", user, *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = init_workspace(tmp_path / "ws").root
    shujian(root, "users", "add", "管理员", "--role", "admin")
    return root


def test_a_helper_account_names_its_unit_and_acts_with_it(ws: Path) -> None:
    out = shujian(ws, "users", "add", "刘帮扶", "--role", "helper", "--unit", " 县妇联 ").output
    assert "已开通账号：刘帮扶（包保单位：县妇联，包保单位工作人员）" in out
    assert "（县妇联）" in shujian(ws, "users", "list").output
    store = open_workspace(ws).store
    helper = resolve(store, "刘帮扶", P)
    assert (helper.unit, helper.department, helper.roles) == ("县妇联", None, {"helper"})
    assert scope_of(helper).kind == "records"
    assert can(helper, "view_minors") and can(helper, "record_visit")
    for action in ("view_leads", "view_cases", "view_stats", "import_data", "export", "reveal_id"):
        assert not can(helper, action)
    added = [e for e in audit.query(store) if e["action"] == "add_user"][-1]
    assert added["detail"]["unit"] == "县妇联"


def test_signing_in_gives_the_unit_too(ws: Path) -> None:
    shujian(ws, "users", "add", "刘帮扶", "--role", "包保单位工作人员", "--unit", "县妇联")
    store = open_workspace(ws).store
    admin = User("管理员", P, None, frozenset({"admin"}))
    set_password(store, admin, "刘帮扶", PASSWORD)
    signed = authenticate(store, "刘帮扶", PASSWORD, P)
    assert signed.user.unit == "县妇联"
    again = session_user(store, "刘帮扶", signed.password_stamp, P)
    assert again is not None and again.unit == "县妇联"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--role", "helper"], "必须写明包保单位"),
        (["--role", "helper", "--unit", "  "], "必须写明包保单位"),
        (["--role", "helper", "--role", "prosecutor", "--unit", "县妇联",
          "--department", "未成年人检察部"], "不能兼有其他角色"),
        (["--role", "helper", "--unit", "县妇联", "--department", "未成年人检察部"], "不填所属部门"),
        (["--role", "prosecutor", "--department", "未成年人检察部", "--unit", "县妇联"],
         "只有包保单位工作人员的账号填写包保单位"),
    ],
)  # fmt: skip
def test_a_helper_account_is_refused_without_its_unit_or_with_more(
    ws: Path, args: list[str], says: str
) -> None:
    out = shujian(ws, "users", "add", "某人", *args, code=2).output
    assert says in out and "Traceback" not in out
    assert "某人" not in shujian(ws, "users", "list").output
