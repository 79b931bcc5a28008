"""Passwords: the policy, argon2id hashes, and signing in with a lock-out after repeated failures.

等保 2.0 (level 3) asks for identification with a password of some strength, a limit on failed
attempts and an audit of every sign-in. So:

- a password has at least ten characters of three kinds (upper, lower, digit, symbol) and is
  not the account's name (`check_policy`); refusals are Chinese and name the rule broken;
- it is stored as an argon2id hash (argon2-cffi's defaults, rehashed on sign-in when they rise);
- five failed sign-ins within fifteen minutes lock the account for fifteen minutes. The count and
  the lock are columns of `users`, so a lock survives a restart of the server and holds in every
  process serving the workspace;
- a failure says the same whether the account exists, lacks a password, is deactivated or the
  password is wrong (`BAD_CREDENTIALS`), and costs the same time: an unknown name is checked
  against a dummy hash;
- every success, failure and lock is a change in the audit log (the failure counter changes).

A per-address rate limit is the web application's (it knows the address; this module does not).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select, update

from shujian import audit
from shujian.errors import UserError
from shujian.store import now
from shujian.users.store import account_user, users
from shujian.users.user import User

MIN_LENGTH = 10
MIN_KINDS = 3
LOCK_AFTER = 5
"""Failed sign-ins within `FAILURE_WINDOW` that lock an account."""
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCK_FOR = dt.timedelta(minutes=15)

BAD_CREDENTIALS = "账号或密码不正确。"
LOCKED = f"登录失败次数过多，账号已暂时锁定，请 {LOCK_FOR.seconds // 60} 分钟后再试。"

_hasher = PasswordHasher()  # argon2id


@cache
def _dummy_hash() -> str:
    """Verified against when there is no such account, so that a wrong name takes as long as a
    wrong password; made on first need (a quarter of a second), not when the module loads."""
    return _hasher.hash("没有这个账号时也要花同样的时间")


def check_policy(name: str, password: str) -> None:
    """Refuse, in Chinese, a password the policy does not allow."""
    kinds = {
        "大写字母": any(c.isupper() for c in password),
        "小写字母": any(c.islower() for c in password),
        "数字": any(c.isdigit() for c in password),
        "符号": any(not c.isalnum() for c in password),
    }
    rule = (
        f"密码至少 {MIN_LENGTH} 个字符，并含大写字母、小写字母、数字、符号中的至少 {MIN_KINDS} 种"
    )
    if len(password) < MIN_LENGTH:
        raise UserError(f"{rule}；这个密码只有 {len(password)} 个字符。", code="weak_password")
    if sum(kinds.values()) < MIN_KINDS:
        has = "、".join(k for k, v in kinds.items() if v) or "无"
        raise UserError(f"{rule}；这个密码只含：{has}。", code="weak_password")
    if password.strip().casefold() == name.strip().casefold():
        raise UserError("密码不能与账号姓名相同。", code="weak_password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def stamp(password_hash: str | None) -> str:
    """A short fingerprint of the stored hash: a session records it at sign-in and ends when it
    changes (the password was changed), without the session carrying the hash itself."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


def set_password(
    store: Engine, actor: User, name: str, password: str, *, hashed: str | None = None
) -> None:
    """Set an account's password (audited, the password never): its owner or a 系统管理员.

    Setting a password also lifts a lock: the administrator who resets it has spoken to the owner.
    `hashed` is the password's hash made beforehand with `hash_password` (the demonstration
    hashes its accounts' passwords in a thread while it builds the county); made here when not
    given.
    """
    name = (name or "").strip()
    check_policy(name, password)
    if actor.name != name and not actor.has("admin"):
        raise UserError(
            f"只有系统管理员或本人可以设置“{name}”的密码；“{actor.name}”不是系统管理员。",
            code="not_admin",
        )
    digest = hashed if hashed is not None else hash_password(password)
    with store.begin() as conn:
        row = conn.execute(select(users).where(users.c.name == name).with_for_update()).first()
        if row is None:
            raise UserError(f"没有账号“{name}”。", code="unknown_user")
        conn.execute(
            update(users)
            .where(users.c.id == row.id)
            .values(
                password_hash=digest,
                password_changed_at=now(),
                failed_logins=0,
                first_failed_at=None,
                locked_until=None,
            )
        )
        audit.record(
            conn,
            actor.name,
            "set_password",
            "user",
            name,
            {"had_password": bool(row.password_hash)},
        )


@dataclass(frozen=True)
class SignedIn:
    """Who signed in, and the fingerprint of their password for the session (`stamp`)."""

    user: User
    password_stamp: str


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives back naive datetimes for what was written in UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def authenticate(
    store: Engine,
    name: str,
    password: str,
    procuratorate: str,
    *,
    source: str = "",
    at: dt.datetime | None = None,
) -> SignedIn:
    """Sign `name` in, or refuse with `BAD_CREDENTIALS` (code `bad_credentials`) or `LOCKED`
    (code `account_locked`). Each outcome is written to the audit log with `source` (the
    client's address)."""
    name = (name or "").strip()[:128]
    at = at or now()
    detail = {"source": source}
    with store.begin() as conn:
        row = conn.execute(select(users).where(users.c.name == name).with_for_update()).first()
        if row is None or not row.password_hash:
            _verify(_dummy_hash(), password)
            reason = "unknown_user" if row is None else "no_password"
            audit.record(
                conn, name or "—", "login_failed", "user", name, {**detail, "reason": reason}
            )
            failure: UserError = UserError(BAD_CREDENTIALS, code="bad_credentials")
        else:
            locked_until = _aware(row.locked_until)
            if locked_until is not None and locked_until > at:
                audit.record(
                    conn,
                    name,
                    "login_refused_locked",
                    "user",
                    name,
                    {**detail, "locked_until": locked_until.isoformat()},
                )
                failure = UserError(LOCKED, code="account_locked")
            elif not _verify(row.password_hash, password) or not row.active:
                failure = _count_failure(conn, row, at, detail)
            else:
                changes: dict[str, object] = {
                    "failed_logins": 0,
                    "first_failed_at": None,
                    "locked_until": None,
                }
                digest = row.password_hash
                if _hasher.check_needs_rehash(digest):
                    digest = changes["password_hash"] = hash_password(password)
                conn.execute(update(users).where(users.c.id == row.id).values(**changes))
                audit.record(conn, name, "login", "user", name, detail)
                return SignedIn(account_user(row, procuratorate), stamp(digest))
    raise failure


def _count_failure(conn, row, at: dt.datetime, detail: dict[str, str]) -> UserError:  # type: ignore[no-untyped-def]
    first = _aware(row.first_failed_at)
    count = row.failed_logins or 0
    if first is None or at - first > FAILURE_WINDOW:
        first, count = at, 0
    count += 1
    reason = "inactive" if not row.active else "wrong_password"
    if count >= LOCK_AFTER:
        until = at + LOCK_FOR
        conn.execute(
            update(users)
            .where(users.c.id == row.id)
            .values(failed_logins=0, first_failed_at=None, locked_until=until)
        )
        audit.record(conn, row.name, "login_failed", "user", row.name, {**detail, "reason": reason})
        audit.record(
            conn,
            row.name,
            "account_locked",
            "user",
            row.name,
            {**detail, "locked_until": until.isoformat(), "failures": count},
        )
        return UserError(LOCKED, code="account_locked")
    conn.execute(
        update(users).where(users.c.id == row.id).values(failed_logins=count, first_failed_at=first)
    )
    audit.record(
        conn,
        row.name,
        "login_failed",
        "user",
        row.name,
        {**detail, "reason": reason, "failures": count},
    )
    return UserError(BAD_CREDENTIALS, code="bad_credentials")


def _verify(digest: str, password: str) -> bool:
    try:
        return _hasher.verify(digest, password)
    except (VerificationError, InvalidHashError):
        return False


def session_user(store: Engine, name: str, password_stamp: str, procuratorate: str) -> User | None:
    """The user a session names, if the account is still active and its password unchanged since
    the session began; None ends the session (deactivated, password changed, roster gone)."""
    with store.connect() as conn:
        row = conn.execute(select(users).where(users.c.name == name)).first()
    if (
        row is None
        or not row.active
        or not row.password_hash
        or stamp(row.password_hash) != password_stamp
    ):
        return None
    return account_user(row, procuratorate)


def sign_out(store: Engine, user: User, *, source: str = "") -> None:
    """Record that `user` signed out (the session itself is the front end's)."""
    with store.begin() as conn:
        audit.record(conn, user.name, "logout", "user", user.name, {"source": source})
