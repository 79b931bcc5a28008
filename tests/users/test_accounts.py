"""Accounts from the shell: a workspace without them works as a single-user workspace; once one
exists, only its active accounts act and only a department's accounts take its leads and cases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from shujian import audit
from shujian.cli.main import cli
from shujian.workspace import CONFIG_NAME, open_workspace


def shujian(ws: Path, *args: str, user: str = "张检察官", code: int = 0):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["-w", str(ws), "-u", user, *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


@pytest.fixture
def ws(tmp_path: Path, fixture_csvs) -> Path:  # type: ignore[no-untyped-def]
    root = tmp_path / "ws"
    init = ["init", str(root), "--county", "青岚县", "--procuratorate", "青岚县人民检察院"]
    assert CliRunner().invoke(cli, init).exit_code == 0
    for dataset, path in fixture_csvs("campus.internet_cafe", tmp_path).items():
        shujian(root, "import", dataset, str(path), "--agency", "青岚县教育局")
    shujian(root, "run", "campus.internet_cafe", "--as-of", "2026-06-01")
    return root


def lead_ids(ws: Path, user: str = "张检察官") -> list[str]:
    out = shujian(ws, "leads", "list", user=user).output
    return re.findall(r"^\s+(\d+)\s+待研判", out, re.M)


def with_roster(ws: Path) -> None:
    shujian(ws, "users", "add", "管理员", "--role", "admin", user="管理员")
    for name, department, role in (
        ("李部长", "公益诉讼检察部", "部门负责人"),
        ("张检察官", "公益诉讼检察部", "检察官"),
        ("王检察官", "未成年人检察部", "prosecutor"),
    ):
        shujian(ws, "users", "add", name, "--department", department, "--role", role,
                user="管理员")  # fmt: skip


def test_a_single_user_workspace_works_as_before_with_any_name(ws: Path) -> None:
    assert "还没有账号" in shujian(ws, "users", "list").output
    first, second = lead_ids(ws)
    shujian(ws, "leads", "dispatch", first, "--department", "公益诉讼检察部",
            "--prosecutor", "任意一位检察官", user="随便谁")  # fmt: skip
    assert "公益诉讼检察部/任意一位检察官" in shujian(ws, "leads", "list").output
    shujian(ws, "leads", "accept", second, "--department", "未成年人检察部",
            "--prosecutor", "另一位检察官", "--reason", "成案", "--on", "2026-06-02", user="又一人")  # fmt: skip
    actors = {e["actor"] for e in audit.query(open_workspace(ws).store)}
    assert {"随便谁", "又一人", "张检察官"} <= actors


def test_the_old_assign_command_still_dispatches(ws: Path) -> None:
    first, _ = lead_ids(ws)
    out = shujian(ws, "leads", "assign", first, "--department", "公益诉讼检察部",
                  "--prosecutor", "张检察官").output  # fmt: skip
    assert "分派给 公益诉讼检察部 张检察官" in out
    assert "assign" not in shujian(ws, "leads", "--help").output
    entry = audit.query(open_workspace(ws).store, object_type="lead")[-1]
    assert entry["action"] == "dispatch"
    assert "分派" in shujian(ws, "leads", "show", first).output


def test_a_dispatch_to_an_unknown_department_is_refused_until_shujian_toml_lists_it(
    ws: Path,
) -> None:
    first, _ = lead_ids(ws)
    args = ("leads", "dispatch", first, "--department", "第九检察部", "--prosecutor", "张检察官")
    refused = shujian(ws, *args, code=2).output
    assert "“第九检察部”不是本院的部门" in refused and "公益诉讼检察部" in refused
    config = ws / CONFIG_NAME
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[departments]\nnames = ["第一检察部", "第九检察部"]\n'
        + '[departments.mapping]\n"未成年人检察部" = "第一检察部"\n',
        encoding="utf-8",
    )
    shujian(ws, *args)
    assert "第九检察部/张检察官" in shujian(ws, "leads", "list").output
    # the model's 未成年人检察部 leads now wait in the county's own 第一检察部
    waiting = shujian(ws, "leads", "list", "--department", "第一检察部").output
    assert "未分派（第一检察部）" in waiting
    refused = shujian(ws, "leads", "accept", lead_ids(ws)[0], "--department", "未成年人检察部",
                      "--prosecutor", "张检察官", "--reason", "成案", "--on", "2026-06-02", code=2).output  # fmt: skip
    assert "“未成年人检察部”不是本院的部门。本院的部门：第一检察部、第九检察部" in refused


def test_a_workspace_with_accounts_refuses_an_unknown_or_deactivated_name(ws: Path) -> None:
    with_roster(ws)
    refused = shujian(ws, "leads", "list", user="陌生人", code=2).output
    assert "“陌生人”不是本工作区的账号" in refused and "-u" in refused
    assert "公益诉讼检察部" in shujian(ws, "users", "list", user="李部长").output
    shujian(ws, "users", "deactivate", "张检察官", user="管理员")
    assert "“张检察官”已停用" in shujian(ws, "leads", "list", code=2).output
    actions = [e["action"] for e in audit.query(open_workspace(ws).store, object_type="user")]
    assert actions == ["add_user"] * 4 + ["list", "deactivate_user"]


def test_a_dispatch_or_case_goes_only_to_an_active_prosecutor_of_that_department(ws: Path) -> None:
    with_roster(ws)
    # the model's leads wait in 未成年人检察部: its head dispatches them, its prosecutor accepts
    shujian(ws, "users", "add", "周部长", "--department", "未成年人检察部", "--role", "部门负责人",
            user="管理员")  # fmt: skip
    first, second = lead_ids(ws, user="周部长")
    refused = shujian(ws, "leads", "dispatch", first, "--department", "公益诉讼检察部",
                      "--prosecutor", "王检察官", user="周部长", code=2).output  # fmt: skip
    assert "承办检察官“王检察官”属于未成年人检察部，不能承办公益诉讼检察部的线索或案件" in refused
    refused = shujian(ws, "leads", "dispatch", first, "--department", "公益诉讼检察部",
                      "--prosecutor", "赵某", user="周部长", code=2).output  # fmt: skip
    assert "承办检察官“赵某”不是本工作区的账号" in refused
    shujian(ws, "leads", "dispatch", first, "--department", "公益诉讼检察部",
            "--prosecutor", "张检察官", user="周部长")  # fmt: skip
    refused = shujian(ws, "leads", "accept", second, "--department", "公益诉讼检察部",
                      "--prosecutor", "王检察官", "--reason", "成案", "--on", "2026-06-02",
                      user="王检察官", code=2).output  # fmt: skip
    assert "王检察官”属于未成年人检察部" in refused
    shujian(ws, "leads", "accept", second, "--department", "未成年人检察部",
            "--prosecutor", "王检察官", "--reason", "成案", "--on", "2026-06-02",
            user="王检察官")  # fmt: skip


def test_accounts_are_managed_by_an_administrator_only(ws: Path) -> None:
    refused = shujian(ws, "users", "add", "张检察官", "--department", "公益诉讼检察部",
                      "--role", "检察官", code=2).output  # fmt: skip
    assert "第一个账号必须具有“系统管理员”角色" in refused
    with_roster(ws)
    refused = shujian(ws, "users", "add", "新人", "--department", "公益诉讼检察部",
                      "--role", "检察官", user="李部长", code=2).output  # fmt: skip
    assert "只有系统管理员可以添加账号" in refused
    refused = shujian(ws, "users", "add", "新人", "--role", "检察官", user="管理员", code=2)
    assert "检察官必须属于一个部门" in refused.output
    refused = shujian(ws, "users", "add", "新人", "--department", "公益部", "--role", "检察官",
                      user="管理员", code=2)  # fmt: skip
    assert "“公益部”不是本院的部门" in refused.output
    refused = shujian(ws, "users", "add", "新人", "--department", "公益诉讼检察部",
                      "--role", "科员", user="管理员", code=2)  # fmt: skip
    assert "没有“科员”这一角色" in refused.output
    assert "已存在" in shujian(ws, "users", "add", "张检察官", "--department", "公益诉讼检察部",
                               "--role", "检察官", user="管理员", code=2).output  # fmt: skip
    refused = shujian(ws, "users", "deactivate", "管理员", user="管理员", code=2).output
    assert "最后一个有效的系统管理员" in refused
