"""A visit recorded in the platform is a batch of minor_visits like an imported file: the same
validation, the batch record (agency = the helper's unit, file 平台录入), the audit entry naming
the helper; and only for a minor assigned to the helper's unit, never by anyone else."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from juvenile.people import id_card, send
from shujian import audit
from shujian.data.importer import ImportOptions, import_file
from shujian.data.warehouse import Warehouse
from shujian.errors import UserError
from shujian.juvenile import service
from shujian.juvenile.service import Register
from shujian.juvenile.visits import ENTERED, VisitForm, record_visit
from shujian.users.user import User
from shujian.workspace import Workspace, init_workspace

D = dt.date
P = "青岚县人民检察院"
TODAY = D(2026, 5, 20)
MINE = id_card(D(2010, 3, 15))
THEIRS = id_card(D(2011, 4, 16))


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    ws = init_workspace(tmp_path / "ws")
    registry = [
        {"姓名": name, "公民身份号码": number, "类别": "严重不良行为", "认定日期": "2025-01-01",
         "所属乡镇（街道）": "城关镇", "就读学校": "一中"}
        for name, number in (("甲", MINE), ("乙", THEIRS))
    ]  # fmt: skip
    send(ws, "key_minors", registry, tmp_path / "files")
    send(ws, "minor_assignments", [
        {"公民身份号码": MINE, "包保单位": "县妇联", "包保责任人": "刘帮扶", "开始日期": "2025-01-01"},
        {"公民身份号码": THEIRS, "包保单位": "县团委", "包保责任人": "钱七", "开始日期": "2025-01-01"},
    ], tmp_path / "files")  # fmt: skip
    service.forget()
    return ws


def helper(register: Register, unit: str = "县妇联") -> User:
    return register.with_grants(User("刘帮扶", P, None, frozenset({"helper"}), unit=unit), TODAY)


FORM = VisitForm(
    visited_on=D(2026, 5, 19),
    targets=("学校", "本人"),
    visitor="刘帮扶",
    help_content=("帮法治", "帮学业"),
    measures=("心理辅导",),
    notes="与班主任谈话，了解出勤情况",
)


def test_a_visit_is_a_batch_of_minor_visits_and_reaches_the_register(ws: Workspace) -> None:
    register = Register(ws)
    me = helper(register)
    result = record_visit(register, me, MINE, FORM, today=TODAY)
    assert (result.imported, result.rejected, result.agency, result.file) == (
        1,
        0,
        "县妇联",
        ENTERED,
    )
    [batch] = Warehouse(ws.warehouse_dir, ws.store).batches("minor_visits")
    assert (batch.file_name, batch.agency, batch.imported) == (ENTERED, "县妇联", 1)
    entry = [e for e in audit.query(ws.store) if e["action"] == "import"][-1]
    assert entry["actor"] == "刘帮扶" and entry["detail"]["dataset"] == "minor_visits"
    [visit] = register.minor_file(me, MINE, TODAY)["visits"]
    assert visit["target"] == "本人、学校"  # in the declared order
    assert visit["help_content"] == "帮学业、帮法治"
    assert visit["notes"] == "与班主任谈话,了解出勤情况"  # normalised as every text cell
    month = register.minor_file(me, MINE, TODAY)["month"]
    assert month["missing"] == ("家庭", "社区")
    again = record_visit(register, me, MINE, FORM, today=TODAY)
    assert again.already_imported and len(Warehouse(ws.warehouse_dir, ws.store).batches()) == 3


def test_another_units_minor_is_not_found_for_the_helper(ws: Workspace) -> None:
    register = Register(ws)
    with pytest.raises(UserError) as hidden:
        record_visit(register, helper(register), THEIRS, FORM, today=TODAY)
    assert hidden.value.code == "not_found" and THEIRS not in hidden.value.message
    assert Warehouse(ws.warehouse_dir, ws.store).batches("minor_visits") == []


def test_only_a_helper_records_visits_and_a_helper_imports_nothing_else(
    ws: Workspace, tmp_path: Path
) -> None:
    register = Register(ws)
    prosecutor = User("张检察官", P, "未成年人检察部", frozenset({"prosecutor"}))
    with pytest.raises(UserError) as refused:
        record_visit(register, prosecutor, MINE, FORM, today=TODAY)
    assert refused.value.code == "forbidden" and "无权登记走访帮扶" in refused.value.message
    csv = tmp_path / "visits.csv"
    csv.write_text(f"公民身份号码,走访日期,走访对象,走访人\n{MINE},2026-05-01,本人,刘帮扶\n")
    with pytest.raises(UserError) as no_import:
        import_file(
            Warehouse(ws.warehouse_dir, ws.store),
            ws.reports_dir,
            ws.datasets()["minor_visits"],
            csv,
            ImportOptions(agency="县妇联"),
            user=helper(register),
        )
    assert (
        no_import.value.code == "forbidden" and "无权导入机关报送的数据" in no_import.value.message
    )


@pytest.mark.parametrize(
    ("change", "code", "says"),
    [
        ({"visited_on": D(2026, 5, 21)}, "future_visit", "晚于今天"),
        ({"targets": ()}, "no_visit_target", "请选择走访对象"),
        ({"visitor": "  "}, "no_visitor", "请填写走访人"),
        ({"targets": ("本人", "邻居")}, "bad_choice", "走访对象“邻居”不在可选范围内"),
        ({"help_content": ("帮就业",)}, "bad_choice", "帮扶内容“帮就业”"),
        ({"measures": ("罚款",)}, "bad_choice", "帮扶措施“罚款”"),
        ({"notes": "字" * 2001}, "notes_too_long", "最多 2000 字"),
    ],
)
def test_a_visit_the_form_should_not_send_is_refused_and_nothing_is_stored(
    ws: Workspace, change: dict[str, object], code: str, says: str
) -> None:
    register = Register(ws)
    form = VisitForm(**{**FORM.__dict__, **change})  # type: ignore[arg-type]
    with pytest.raises(UserError) as refused:
        record_visit(register, helper(register), MINE, form, today=TODAY)
    assert refused.value.code == code and says in refused.value.message
    assert Warehouse(ws.warehouse_dir, ws.store).batches("minor_visits") == []
