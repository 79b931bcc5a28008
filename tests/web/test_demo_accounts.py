"""The demonstration's accounts: one for every role (and prosecutors of the departments the demo's
casework needs), each able to sign in with the printed password, and the README's table says the
same."""

from __future__ import annotations

from pathlib import Path

from shujian.demo.accounts import ACCOUNTS, PASSWORD, open_demo_accounts
from shujian.users.passwords import authenticate
from shujian.users.user import roles
from shujian.workspace import init_workspace

README = Path(__file__).parents[2] / "README.md"


def test_a_demo_account_for_every_role_signs_in_with_the_readme_password(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    opened = open_demo_accounts(ws)
    assert {a.role for a in opened} == set(roles())
    assert len({a.name for a in opened}) == len(opened)
    # beyond one per role: prosecutors of other departments, for petitions and 支持起诉
    extra = [a for a in opened if a.role == "prosecutor" and a.department != "未成年人检察部"]
    assert len(opened) == len(roles()) + len(extra)
    readme = README.read_text(encoding="utf-8")
    assert f"`{PASSWORD}`" in readme
    for account in ACCOUNTS:
        signed = authenticate(ws.store, account.name, PASSWORD, "")
        assert signed.user.roles == {account.role}
        assert f"| {account.role_label} | {account.name} |" in readme
