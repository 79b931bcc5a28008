"""12309 信访 walked end to end on a real store, SQLite and PostgreSQL: a letter received,
routed, answered procedurally within seven days and with the result within three months, the
petitioner's feedback, and the figures; a visit on a 检察长接待日 taken by a leader; the overdue
and coming-due lists (a date into 2027 marked 暂定); a minor named by surname only outside their
petition's page; who may register and who sees which; the histories append-only; every view
audited. Then the same walk from the shell, with `shujian stats --of petitions` to xlsx."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from juvenile.people import id_card
from shujian import audit
from shujian.cli.main import cli
from shujian.errors import UserError
from shujian.petitions import service
from shujian.petitions.service import Intake, Petitions
from shujian.users.user import User
from shujian.workspace import Workspace, init_workspace

D = dt.date
P = "青岚县人民检察院"
TODAY = D(2026, 12, 6)
INTAKE = User("赵控申", P, "控告申诉检察部", frozenset({"prosecutor"}))
CIVIL = User("钱民事", P, "民事检察部", frozenset({"prosecutor"}))
CRIMINAL = User("孙刑检", P, "刑事检察部", frozenset({"department_head"}))
CHIEF = User("王检察长", P, None, frozenset({"chief"}))
ADULT = id_card(D(1980, 5, 17))
CHILD = id_card(D(2011, 4, 2))


@pytest.fixture(params=["sqlite", "postgresql"])
def ws(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Workspace:
    if request.param == "postgresql":
        monkeypatch.setenv("SHUJIAN_STORE_URL", request.getfixturevalue("pg_url"))
    return init_workspace(tmp_path / "ws")


def letter(**over: object) -> Intake:
    values: dict[str, object] = {
        "received_on": D(2026, 9, 28), "channel": "来信", "category": "申诉", "name": "王大山",
        "matter": "不服民事判决，申请监督", "id_card": ADULT, "contact": "13800000000",
    }  # fmt: skip
    values.update(over)
    return Intake(**values)  # type: ignore[arg-type]


def test_a_petition_walked_end_to_end(ws: Workspace) -> None:
    ps = Petitions(ws)
    pid = service.receive(ps, INTAKE, TODAY, letter())
    p = service.get_petition(ps, INTAKE, TODAY, pid)
    # received before 国庆: day 7 (10-05) is a holiday, the reply is due on 10-08
    assert (p["procedural_due"], p["result_due"]) == (D(2026, 10, 8), D(2026, 12, 28))
    assert p["state"] == "received" and p["id_card"] == ADULT[:7] + "********" + ADULT[-3:]

    # routed to the 民事检察部: its prosecutor sees it, the 刑事检察部 does not
    service.route(ps, INTAKE, TODAY, pid, "民事检察部", handler="钱民事", on=D(2026, 9, 29))
    assert [r["id"] for r in service.list_petitions(ps, CIVIL, TODAY, view="all")] == [pid]
    assert service.list_petitions(ps, CRIMINAL, TODAY, view="all") == []
    with pytest.raises(UserError) as hidden:
        service.get_petition(ps, CRIMINAL, TODAY, pid)
    assert hidden.value.code == "not_found"

    assert service.procedural_reply(ps, CIVIL, TODAY, pid, outcome="受理", text="电话告知已受理",
                                    on=D(2026, 10, 8))  # fmt: skip
    with pytest.raises(UserError, match="已于 2026-10-08 程序性回复"):
        service.procedural_reply(ps, CIVIL, TODAY, pid, outcome="受理", text="再次", on=TODAY)
    with pytest.raises(UserError, match="尚未办结"):
        service.record_feedback(ps, INTAKE, TODAY, pid, value="满意", on=TODAY)
    assert service.result_reply(ps, CIVIL, TODAY, pid, kind="办理进展", text="正在审查",
                                on=D(2026, 12, 1))  # fmt: skip
    assert service.get_petition(ps, CIVIL, TODAY, pid)["state"] == "routed"
    assert service.result_reply(ps, CIVIL, TODAY, pid, kind="办理结果", text="已提出再审检察建议",
                                on=D(2026, 12, 4))  # fmt: skip
    service.record_feedback(ps, INTAKE, TODAY, pid, value="基本满意", on=D(2026, 12, 5))
    p = service.get_petition(ps, CHIEF, TODAY, pid)
    assert (p["state"], p["closed_on"], p["feedback_label"]) == (
        "closed",
        D(2026, 12, 4),
        "基本满意",
    )
    assert [e["kind"] for e in p["events"]] == [
        "received", "routed", "procedural_reply", "result_reply", "result_reply", "feedback",
    ]  # fmt: skip
    assert p["procedural_in_time"] and p["result_in_time"] and p["owed"] == []

    # a late one: received 11-02, answered on 11-10 (due 11-09), nothing more
    late = service.receive(ps, INTAKE, TODAY, letter(received_on=D(2026, 11, 2),
                                                     department="民事检察部"))  # fmt: skip
    assert not service.procedural_reply(ps, CIVIL, TODAY, late, outcome="materials",
                                        text="告知补充材料", on=D(2026, 11, 10))  # fmt: skip
    f = service.figures(ps, CHIEF, TODAY, by="department")
    civil, total = f.rows
    assert civil["key"] == "民事检察部" and total["key"] == "合计"
    assert (total["received"], total["procedural_counted"], total["procedural_in_time"]) == (
        2,
        2,
        1,
    )
    assert total["procedural_rate"] == 0.5
    assert (total["result_counted"], total["result_rate"]) == (1, 1.0)
    assert (total["closed"], total["closed_rate"], total["satisfaction_rate"]) == (1, 0.5, 1.0)
    # the 民事检察部 counts its own; a period leaves the other out
    assert service.figures(ps, CIVIL, TODAY, by="channel").rows[-1]["received"] == 2
    assert service.figures(ps, CHIEF, TODAY, since=D(2026, 11, 1)).rows[-1]["received"] == 1

    entries = audit.query(ws.store, object_type="petition")
    actions = {e["action"] for e in entries}
    assert {"petition_received", "petition_routed", "petition_procedural_reply",
            "petition_result_reply", "petition_feedback", "view", "list"} <= actions  # fmt: skip
    with pytest.raises(Exception, match="append-only"), ws.store.begin() as conn:
        conn.execute(text("UPDATE petition_events SET text = 'x'"))


def test_reception_day_leader_case_and_the_lists(ws: Workspace) -> None:
    ps = Petitions(ws)
    day = service.add_reception_day(ps, INTAKE, TODAY, on=D(2026, 12, 2), leader="王检察长",
                                    place="控告申诉接待大厅")  # fmt: skip
    visit = service.receive(ps, INTAKE, TODAY, letter(
        received_on=D(2026, 12, 2), channel="来访", category="控告", name="郭小明", id_card=CHILD,
        reception_day=day, matter="控告某网吧容留未成年人"))  # fmt: skip
    with pytest.raises(UserError, match="只能登记当天接待的来访"):
        service.receive(ps, INTAKE, TODAY, letter(received_on=D(2026, 12, 1), channel="来访",
                                                  reception_day=day))  # fmt: skip
    service.take_as_leader(ps, INTAKE, TODAY, visit, leader="王检察长", on=D(2026, 12, 2))
    assert service.list_reception_days(ps, CHIEF)[0]["visits"] == 1

    # a minor: surname only in lists and figures, in full on the petition's page
    listed = service.list_petitions(ps, CHIEF, TODAY, view="leader")
    assert [(r["id"], r["petitioner"], r["leader"]) for r in listed] == [
        (visit, "郭某（未成年人）", "王检察长")]  # fmt: skip
    assert "郭小明" not in repr(listed)
    assert service.get_petition(ps, INTAKE, TODAY, visit)["petitioner"] == "郭小明"
    names = [e["detail"].get("petitioner") for e in audit.query(ws.store, object_type="petition")
             if e["action"] == "petition_received"]  # fmt: skip
    assert names == ["郭某（未成年人）"]

    # overdue: 11-20's seven days ended 11-27; coming due: 12-02's end on 12-09
    overdue = service.receive(ps, INTAKE, TODAY, letter(received_on=D(2026, 11, 20)))
    service.receive(ps, INTAKE, TODAY, letter(received_on=D(2026, 11, 1), no_contact=True,
                                              name="", contact=""))  # fmt: skip
    rows = service.list_petitions(ps, INTAKE, TODAY, view="overdue")
    assert [r["id"] for r in rows] == [overdue]
    (owed_procedural, owed_result) = rows[0]["owed"]
    assert owed_procedural["overdue"] and owed_procedural["due"] == D(2026, 11, 27)
    assert owed_result["due"] == D(2027, 2, 22) and owed_result["provisional"] == (2027,)
    soon = service.list_petitions(ps, INTAKE, D(2026, 12, 7), view="due_soon")
    assert [r["id"] for r in soon] == [visit]
    counts = service.counts(ps, INTAKE, TODAY)
    assert (counts["overdue"], counts["leader"], counts["all"]) == (1, 1, 3)


def test_who_may_do_what(ws: Workspace) -> None:
    ps = Petitions(ws)
    with pytest.raises(UserError, match="控告申诉检察部登记") as refused:
        service.receive(ps, CIVIL, TODAY, letter())
    assert refused.value.code == "forbidden"
    with pytest.raises(UserError) as refused:
        service.receive(ps, CHIEF, TODAY, letter())
    assert refused.value.code == "forbidden"
    pid = service.receive(ps, INTAKE, TODAY, letter(department="刑事检察部"))
    with pytest.raises(UserError) as refused:
        service.procedural_reply(ps, CIVIL, TODAY, pid, outcome="受理", text="x")
    assert refused.value.code == "not_found"
    for bad, message in [
        (letter(channel="传真"), "信访渠道“传真”不对"),
        (letter(received_on=D(2026, 12, 7)), "晚于今天"),
        (letter(id_card="520203198005171234"), "校验码不对"),
        (letter(contact=""), "联系方式"),
        (letter(matter=" "), "请填写信访事项"),
        (letter(department="第九检察部"), "不是本院的部门"),
    ]:
        with pytest.raises(UserError, match=message):
            service.receive(ps, INTAKE, TODAY, bad)
    with pytest.raises(UserError, match="早于收到日期"):
        service.procedural_reply(ps, INTAKE, TODAY, pid, outcome="受理", text="x",
                                 on=D(2026, 9, 1))  # fmt: skip
    with pytest.raises(UserError, match="尚未程序性回复"):
        service.result_reply(ps, INTAKE, TODAY, pid, kind="办理结果", text="x")
    with ws.store.connect() as conn:
        from shujian.petitions.store import petitions

        assert conn.execute(select(petitions.c.id)).scalars().all() == [pid]


def shujian(ws: Path, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(cli, ["-w", str(ws), "-u", "赵控申", *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def test_from_the_shell(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert CliRunner().invoke(cli, ["init", str(root), "--county", "青岚县"]).exit_code == 0
    out = shujian(root, "petitions", "receive", "--on", "2026-09-28", "--channel", "电话",
                  "--category", "举报", "--name", "王大山", "--contact", "13800000000",
                  "--matter", "举报非法采砂")  # fmt: skip
    assert "已登记信访件 1" in out and "程序性回复期限：2026-10-08" in out
    out = shujian(root, "petitions", "receive", "--on", "2026-12-04", "--channel", "网络",
                  "--category", "求决", "--name", "李四", "--contact", "某村",
                  "--matter", "讨薪")  # fmt: skip
    assert "2027-03-04（暂定：2027年节假日安排未公布" in out
    shujian(root, "petitions", "route", "1", "--department", "公益诉讼检察部", "--on", "2026-09-29")
    shujian(root, "petitions", "reply", "1", "--procedural", "受理", "--text", "已受理",
            "--on", "2026-09-30")  # fmt: skip
    out = shujian(root, "petitions", "reply", "1", "--result", "--text", "已立案",
                  "--on", "2026-11-30")  # fmt: skip
    assert "已办结" in out and "按期" in out
    shujian(root, "petitions", "feedback", "1", "不满意", "--on", "2026-12-01")
    assert "电话（12309热线）" in shujian(root, "petitions", "show", "1")
    out = shujian(root, "petitions", "reply", "2", "--text", "x", code=2)
    assert "请选择一种回复" in out
    listed = shujian(root, "petitions", "list", "--view", "all")
    assert "李四" in listed and "（未分流）" in listed
    out = shujian(root, "stats", "--of", "petitions", "--by", "channel")
    assert "七日内程序性回复率" in out and "合计\t2\t1\t1\t100.0%" in out
    book = tmp_path / "信访.xlsx"
    shujian(root, "stats", "--of", "petitions", "-o", str(book))
    sheet = openpyxl.load_workbook(book).worksheets[0]
    assert sheet.cell(2, 1).value == "承办部门"
    total = [c.value for c in sheet[sheet.max_row]]
    assert total[0] == "合计" and total[1] == 2
    labels = [c.value for c in sheet[2]]
    assert total[labels.index("满意率")] == 0
    assert "--by" in shujian(root, "stats", "--of", "petitions", "--by", "model", code=2)


def test_a_notice_added_moves_the_provisional_dates(tmp_path: Path) -> None:
    """Counted on 2027's provisional holidays (春节 = 除夕 to 初三), a reply due on 2027-02-09
    moves to 02-15 once the year's notice (02-05…02-12 off) is in shujian.toml; the move is a
    step of the petition, and a reply already made is not touched."""
    from helpers import NOTICE_2027

    root = tmp_path / "ws"
    assert CliRunner().invoke(cli, ["init", str(root), "--county", "青岚县"]).exit_code == 0
    for on in ("2026-11-05", "2026-11-06"):
        shujian(root, "petitions", "receive", "--on", on, "--channel", "来信", "--category",
                "咨询", "--name", "李四", "--contact", "某村", "--matter", "咨询")  # fmt: skip
    shujian(root, "petitions", "reply", "2", "--procedural", "当场答复", "--text", "已答复",
            "--on", "2026-11-06")  # fmt: skip
    shujian(root, "petitions", "reply", "2", "--result", "--text", "已答复", "--on", "2026-11-06")
    # answered by the intake department itself
    assert "承办：控告申诉检察部 赵控申" in shujian(root, "petitions", "show", "2")
    assert "2027-02-09（暂定" in shujian(root, "petitions", "show", "1")
    assert shujian(root, "petitions", "deadlines") == "没有需要重新计算的期限。\n"
    config = root / "shujian.toml"
    config.write_text(config.read_text(encoding="utf-8") + NOTICE_2027, encoding="utf-8")
    out = shujian(root, "petitions", "deadlines")
    assert "信访件 1  办理过程或结果答复期限  2027-02-09 → 2027-02-15" in out
    assert "信访件 2" not in out
    shujian(root, "petitions", "deadlines", "--recompute")
    shown = shujian(root, "petitions", "show", "1")
    assert "办理过程或结果答复期限 2027-02-15：" in shown
    assert "重新计算期限：办理过程或结果答复期限 2027-02-09 → 2027-02-15" in shown
    assert shujian(root, "petitions", "deadlines") == "没有需要重新计算的期限。\n"
