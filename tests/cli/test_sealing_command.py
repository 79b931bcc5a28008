"""`shujian sealed …` through the real entry point: the list (no name, no offence), one record
only with --reason, a query request due in seven days, answered, listed and overdue, and
unsealing by 规则第四百八十五条 — and a prosecutor without the right refused every one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner, Result

from juvenile.test_sealing_import import MINOR, NONPROS, _import, messy_gbk_csv
from shujian.beijing import today_in_china
from shujian.cli.main import cli
from shujian.models.labels import mask_id_card
from shujian.users.accounts import add_user
from shujian.users.departments import departments_of
from shujian.users.user import User
from shujian.workspace import Workspace


def shujian(ws: Workspace, *args: str, user: str = "未检主任", code: int = 0) -> Result:
    result = CliRunner().invoke(cli, ["-w", str(ws.root), "-u", user, *args])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


def test_the_sealed_commands(workspace: Workspace, tmp_path: Path) -> None:
    admin = User("管理员", workspace.region.procuratorate_name, None, frozenset({"admin"}))
    add_user(workspace.store, admin, "管理员", None, ["admin"], departments_of(workspace))
    for name, role in (("未检主任", "department_head"), ("张检察官", "prosecutor")):
        add_user(workspace.store, admin, name, "未成年人检察部", [role], departments_of(workspace))
    _import(workspace, messy_gbk_csv(tmp_path / "records.csv"))
    listed = shujian(workspace, "sealed", "list").output
    assert mask_id_card(MINOR) in listed and "王小明" not in listed and "盗窃罪" not in listed
    assert "共 3 条" in listed
    one = shujian(workspace, "sealed", "list", "--id-card", MINOR).output
    record = one.split()[0]
    assert "须说明理由" in shujian(workspace, "sealed", "show", record, code=2).output
    shown = shujian(workspace, "sealed", "show", record, "--reason", "答复法院查询").output
    assert "王小明" in shown and "有期徒刑1年6个月" in shown and "查阅" in shown
    today = today_in_china()
    received = (today - dt.timedelta(days=20)).isoformat()
    asked = shujian(workspace, "sealed", "request", record, "--unit", "青岚县人民法院",
                    "--judicial", "--basis", "办案需要", "--purpose", "审理案件",
                    "--received", received).output  # fmt: skip
    assert "已登记查询申请 1" in asked
    assert "已逾期未答复" in shujian(workspace, "sealed", "overdue").output
    answered = shujian(workspace, "sealed", "answer", "1", "--result", "grant",
                       "--text", "提供判决书复印件").output  # fmt: skip
    assert "许可，逾期" in answered
    assert "没有逾期未答复" in shujian(workspace, "sealed", "overdue").output
    assert "逾期答复" in shujian(workspace, "sealed", "requests").output
    (nonpros,) = [
        line.split()[0]
        for line in shujian(workspace, "sealed", "list", "--id-card", NONPROS).output.splitlines()[
            :1
        ]
    ]
    shujian(workspace, "sealed", "request", nonpros, "--unit", "某幼儿园", "--basis",
            "未成年人保护法第六十二条", "--purpose", "入职查询")  # fmt: skip
    refused = shujian(
        workspace, "sealed", "answer", "2", "--result", "grant", "--text", "x", code=2
    )
    assert "第四百八十六条" in refused.output
    short = shujian(workspace, "sealed", "unseal", record, "--ground", "new_crime", "--decision",
                    "（2026）黔0221刑初7号", "--sentence", "有期徒刑三年", code=2)  # fmt: skip
    assert "不符合解除封存的条件" in short.output
    done = shujian(workspace, "sealed", "unseal", record, "--ground", "new_crime", "--decision",
                   "（2026）黔0221刑初7号", "--sentence", "有期徒刑五年")  # fmt: skip
    assert "已解除" in done.output
    assert "已解除封存" in shujian(workspace, "sealed", "list", "--id-card", MINOR).output
    for command in (["list"], ["requests"], ["overdue"], ["show", record, "--reason", "看看"]):
        denied = shujian(workspace, "sealed", *command, user="张检察官", code=2)
        assert "王小明" not in denied.output


def test_a_record_entered_is_sealed_as_an_imported_one(workspace: Workspace) -> None:
    admin = User("管理员", workspace.region.procuratorate_name, None, frozenset({"admin"}))
    add_user(workspace.store, admin, "管理员", None, ["admin"], departments_of(workspace))
    for name, role in (("未检主任", "department_head"), ("张检察官", "prosecutor")):
        add_user(workspace.store, admin, name, "未成年人检察部", [role], departments_of(workspace))
    args = ["sealed", "enter", "--name", "钱某", "--id-card", NONPROS, "--offence", "盗窃罪",
            "--outcome", "酌定不起诉", "--decided", "2024-07-01",
            "--document-no", "青检未刑不诉(2024)3号", "--act-date", "2024-05-01"]  # fmt: skip
    denied = shujian(workspace, *args, user="张检察官", code=2)
    assert "钱某" not in denied.output
    entered = shujian(workspace, *args).output
    assert "已登记并封存（封存记录 1）" in entered
    assert "已经登记过" in shujian(workspace, *args).output
    adult = shujian(workspace, "sealed", "enter", "--name", "成年人", "--id-card", MINOR,
                    "--offence", "盗窃罪", "--outcome", "有罪判决", "--decided", "2025-07-01",
                    "--act-date", "2025-03-02", "--sentence", "拘役三个月").output  # fmt: skip
    assert "不予封存" in adult
    bad = shujian(workspace, "sealed", "enter", "--name", "某", "--id-card", MINOR, "--offence",
                  "盗窃罪", "--outcome", "不起诉", "--decided", "2024-07-01", code=2)  # fmt: skip
    assert "退回" in bad.output
