"""Passwords: the policy refuses weak ones in Chinese, hashes are argon2id, five failures in
fifteen minutes lock an account for fifteen minutes (stored), and every sign-in is audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from shujian import audit
from shujian.cli.main import cli
from shujian.errors import UserError
from shujian.store import now
from shujian.users import User, departments_of
from shujian.users.accounts import add_user
from shujian.users.passwords import (
    BAD_CREDENTIALS,
    LOCKED,
    authenticate,
    check_policy,
    session_user,
    set_password,
    stamp,
)
from shujian.users.store import users
from shujian.workspace import Workspace, open_workspace

GOOD = "Qinglan#2026"
ADMIN = User("管理员", "人民检察院", None, frozenset({"admin"}))


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("Ab1#", "只有 4 个字符"),
        ("abcdefghijk", "只含：小写字母"),
        ("abcdefgh12", "只含：小写字母、数字"),
        ("张检察官Ab1#xyz", None),
        ("Abcdefgh12", None),
        ("abcdefgh1!", None),
        ("Qinglan#2026", None),
    ],
)
def test_the_policy_asks_ten_characters_of_three_kinds(password: str, says: str | None) -> None:
    if says is None:
        check_policy("张检察官", password)
        return
    with pytest.raises(UserError, match=says) as refused:
        check_policy("张检察官", password)
    assert refused.value.code == "weak_password"
    assert "至少 10 个字符" in refused.value.message


def test_a_password_equal_to_the_name_is_refused() -> None:
    with pytest.raises(UserError, match="不能与账号姓名相同"):
        check_policy("Admin#2026x", "admin#2026X")


@pytest.fixture
def roster(workspace: Workspace) -> Workspace:
    departments = departments_of(workspace)
    add_user(workspace.store, ADMIN, "管理员", None, ["admin"], departments)
    add_user(workspace.store, ADMIN, "张检察官", "未成年人检察部", ["prosecutor"], departments)
    set_password(workspace.store, ADMIN, "张检察官", GOOD)
    return workspace


def _row(ws: Workspace, name: str):  # type: ignore[no-untyped-def]
    with ws.store.connect() as conn:
        return conn.execute(select(users).where(users.c.name == name)).one()


def test_the_hash_is_argon2id_and_the_password_is_nowhere(roster: Workspace) -> None:
    row = _row(roster, "张检察官")
    assert row.password_hash.startswith("$argon2id$")
    entries = audit.query(roster.store)
    assert "set_password" in [e["action"] for e in entries]
    assert GOOD not in repr(entries)


def test_signing_in_gives_the_user_the_services_take(roster: Workspace) -> None:
    signed = authenticate(roster.store, "张检察官", GOOD, "人民检察院", source="127.0.0.1")
    assert signed.user == User(
        "张检察官", "人民检察院", "未成年人检察部", frozenset({"prosecutor"})
    )
    assert signed.password_stamp == stamp(_row(roster, "张检察官").password_hash)
    login = [e for e in audit.query(roster.store) if e["action"] == "login"]
    assert login and login[0]["detail"]["source"] == "127.0.0.1"


@pytest.mark.parametrize(
    ("name", "password"),
    [("张检察官", "Wrong#2026x"), ("没有此人", GOOD), ("管理员", GOOD)],  # 管理员 has no password
    ids=["wrong password", "unknown name", "no password set"],
)
def test_a_failure_says_the_same_whatever_went_wrong(
    roster: Workspace, name: str, password: str
) -> None:
    with pytest.raises(UserError) as refused:
        authenticate(roster.store, name, password, "人民检察院")
    assert (refused.value.message, refused.value.code) == (BAD_CREDENTIALS, "bad_credentials")
    failed = [e for e in audit.query(roster.store) if e["action"] == "login_failed"]
    assert [e["object_id"] for e in failed] == [name]


def test_five_failures_lock_the_account_for_fifteen_minutes_across_restarts(
    roster: Workspace,
) -> None:
    start = now()
    for i in range(4):
        with pytest.raises(UserError, match=BAD_CREDENTIALS):
            authenticate(
                roster.store, "张检察官", "Wrong#2026x", "", at=start + dt.timedelta(minutes=i)
            )
    with pytest.raises(UserError, match=LOCKED):
        authenticate(
            roster.store, "张检察官", "Wrong#2026x", "", at=start + dt.timedelta(minutes=4)
        )
    # a restart: a new engine on the same store still sees the lock, even for the right password
    roster.store.dispose()
    reopened = open_workspace(roster.root)
    with pytest.raises(UserError, match=LOCKED) as refused:
        authenticate(reopened.store, "张检察官", GOOD, "", at=start + dt.timedelta(minutes=18))
    assert refused.value.code == "account_locked"
    signed = authenticate(reopened.store, "张检察官", GOOD, "", at=start + dt.timedelta(minutes=20))
    assert signed.user.name == "张检察官"
    actions = [e["action"] for e in audit.query(reopened.store) if e["object_id"] == "张检察官"]
    assert actions.count("login_failed") == 5
    assert "account_locked" in actions and "login_refused_locked" in actions


def test_failures_further_apart_than_the_window_do_not_lock(roster: Workspace) -> None:
    start = now()
    for i in range(6):
        with pytest.raises(UserError, match=BAD_CREDENTIALS):
            at = start + dt.timedelta(minutes=4 * i)  # never five within fifteen minutes
            authenticate(roster.store, "张检察官", "Wrong#2026x", "", at=at)


def test_a_success_clears_the_count(roster: Workspace) -> None:
    for _ in range(4):
        with pytest.raises(UserError):
            authenticate(roster.store, "张检察官", "Wrong#2026x", "")
    authenticate(roster.store, "张检察官", GOOD, "")
    with pytest.raises(UserError, match=BAD_CREDENTIALS):
        authenticate(roster.store, "张检察官", "Wrong#2026x", "")


def test_a_session_ends_when_the_password_changes_or_the_account_is_disabled(
    roster: Workspace,
) -> None:
    signed = authenticate(roster.store, "张检察官", GOOD, "人民检察院")
    assert session_user(roster.store, "张检察官", signed.password_stamp, "人民检察院") is not None
    set_password(roster.store, ADMIN, "张检察官", "Another#2026")
    assert session_user(roster.store, "张检察官", signed.password_stamp, "人民检察院") is None


def test_only_an_administrator_or_the_owner_sets_a_password(roster: Workspace) -> None:
    someone = User("张检察官", "人民检察院", "未成年人检察部", frozenset({"prosecutor"}))
    with pytest.raises(UserError, match="只有系统管理员或本人") as refused:
        set_password(roster.store, someone, "管理员", GOOD)
    assert refused.value.code == "not_admin"
    set_password(roster.store, someone, "张检察官", "Mine#2026abc")


# ---- the command line ----------------------------------------------------------------------


def shujian(ws: Path, *args: str, user: str = "管理员", stdin: str | None = None, code: int = 0):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["-w", str(ws), "-u", user, *args], input=stdin)
    assert result.exit_code == code, result.output
    return result


def test_the_first_administrator_is_made_with_a_password_from_the_command_line(
    workspace: Workspace,
) -> None:
    root = workspace.root
    out = shujian(root, "users", "add", "管理员", "--role", "系统管理员", "--password-stdin",
                  stdin=GOOD + "\n").output  # fmt: skip
    assert "已设置登录密码" in out
    authenticate(workspace.store, "管理员", GOOD, "")
    weak = shujian(root, "users", "add", "张检察官", "--role", "检察官", "--department",
                   "未成年人检察部", "--password-stdin", stdin="short\n", code=2).output  # fmt: skip
    assert "至少 10 个字符" in weak
    assert "张检察官" not in shujian(root, "users", "list").output  # refused before it was added
    # without a password (a script, no terminal): added, and told how to set one
    out = shujian(root, "users", "add", "张检察官", "--role", "检察官", "--department",
                  "未成年人检察部").output  # fmt: skip
    assert "users passwd 张检察官" in out
    assert "未设密码" in shujian(root, "users", "list").output


def test_passwd_prompts_twice_and_disable_ends_signing_in(workspace: Workspace) -> None:
    root = workspace.root
    shujian(root, "users", "add", "管理员", "--role", "admin", "--password-stdin", stdin=GOOD)
    shujian(
        root, "users", "add", "张检察官", "--role", "prosecutor", "--department", "未成年人检察部"
    )
    mismatch = shujian(root, "users", "passwd", "张检察官", stdin="Zhang#2026a\nZhang#2026b\n"
                       "Zhang#2026a\nZhang#2026a\n").output  # fmt: skip
    assert "两次输入不一致" in mismatch
    authenticate(workspace.store, "张检察官", "Zhang#2026a", "")
    shujian(root, "users", "passwd", "张检察官", "--password-stdin", stdin="Zhang#2026c\n")
    authenticate(workspace.store, "张检察官", "Zhang#2026c", "")
    nothing = shujian(root, "users", "passwd", "张检察官", stdin="", code=2).output
    assert "没有输入密码" in nothing and "Aborted" not in nothing
    shujian(root, "users", "disable", "张检察官")
    with pytest.raises(UserError, match=BAD_CREDENTIALS):
        authenticate(workspace.store, "张检察官", "Zhang#2026c", "")
    assert "已停用" in shujian(root, "users", "deactivate", "张检察官", code=2).output  # the alias
