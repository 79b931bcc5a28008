"""`shujian minors probation …` walked end to end on a real workspace (dates counted back from
today in China, so that every step is in the past as the services require): a suspect not on
the register checked, opened, refused while facts are missing, completed, decided, served;
reports on the schedule with one window missed and the next report late; the alert before the
end; the 考察意见书 issued and its .docx read back; 不起诉. A second probation revoked with its
ground. The ID number never shown whole; another department and a helping unit refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from juvenile.people import id_card
from shujian import audit
from shujian.beijing import today_in_china
from shujian.calendar import add_months
from shujian.cli.main import cli
from shujian.juvenile.probation import rules
from shujian.juvenile.probation.store import probation_events, probations
from shujian.models.labels import mask_id_card
from shujian.users.accounts import add_user
from shujian.users.departments import departments_of
from shujian.users.user import User
from shujian.workspace import Workspace, init_workspace

D = dt.date


def shujian(ws: Path, *args: str, user: str = "张检察官", code: int = 0):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["-w", str(ws), "-u", user, *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    ws = init_workspace(tmp_path / "ws")
    admin = User("管理员", ws.region.procuratorate_name, None, frozenset({"admin"}))
    deps = departments_of(ws)
    add_user(ws.store, admin, "管理员", None, ["admin"], deps)
    add_user(ws.store, admin, "张检察官", "未成年人检察部", ["prosecutor"], deps)
    add_user(ws.store, admin, "公益检察官", "公益诉讼检察部", ["prosecutor"], deps)
    add_user(ws.store, admin, "刘帮扶", None, ["helper"], deps, unit="县妇联")
    return ws


def test_a_probation_from_check_to_non_prosecution(ws: Workspace, tmp_path: Path) -> None:
    today = today_in_china()
    decided = add_months(today, -7)
    suspect = id_card(decided - dt.timedelta(days=16 * 365))  # about 16 at the act
    act_on = decided - dt.timedelta(days=60)
    root = ws.root

    # 审查: the check without recording, then opened with facts missing
    said = shujian(root, "minors", "probation", "check", "--id", suspect, "--act-on",
                   act_on.isoformat(), "--charge", "264", "--sentence", "8").output  # fmt: skip
    assert "[符合] 行为时未满十八周岁" in said
    assert "[符合] 涉嫌刑法分则第四、五、六章规定的犯罪：盗窃罪（刑法第264条，第五章）" in said
    assert "[未记录] 符合起诉条件" in said and "结论：尚不能判断" in said
    opened = shujian(
        root, "minors", "probation", "open", "--id", suspect, "--name", "郭小明", "--on",
        (decided - dt.timedelta(days=20)).isoformat(), "--act-on", act_on.isoformat(),
        "--charge", "盗窃罪", "--sentence", "有期徒刑8个月", "--prosecutable", "--remorse",
        "--heard", "公安机关、被害人", "--objection", "仅对条件或期限",
    ).output  # fmt: skip
    assert "已登记附条件不起诉考察 1：郭小明" in opened and mask_id_card(suspect) in opened
    refused = shujian(root, "minors", "probation", "decide", "1", "--on", decided.isoformat(),
                      "--months", "6", "--agency", "县检察院未检部", code=2).output  # fmt: skip
    assert "以下条件尚未记录" in refused and "听取辩护人的意见" in refused
    completed = shujian(root, "minors", "probation", "facts", "1", "--heard",
                        "未成年犯罪嫌疑人、法定代理人、辩护人").output  # fmt: skip
    assert "结论：符合附条件不起诉的条件" in completed
    assert "仅对所附条件或考验期限有异议，不影响作出附条件不起诉的决定" in completed

    # 决定 and 送达
    ends = rules.period_end(decided, 6)
    due = rules.service_deadline(decided, ws.calendar)
    made = shujian(root, "minors", "probation", "decide", "1", "--on", decided.isoformat(),
                   "--months", "6", "--agency", "县检察院未检部", "--mentor", "李老师",
                   "--measure", "education", "--measure", "向社区或者公益团体提供公益劳动").output  # fmt: skip
    assert f"考验期 6 个月，至 {ends.isoformat()}" in made
    assert f"应于 {due.isoformat()} 前送达、公开宣布" in made
    served = shujian(root, "minors", "probation", "serve", "1", "--on", due.isoformat()).output
    assert "考验期进行中" in served and "逾期" not in served

    # reports: one in each window but the third; the fourth's is then late
    windows = rules.report_windows(decided, ends, 30, ws.calendar)
    for w in windows:
        if w.no == 3:
            continue
        said = shujian(root, "minors", "probation", "report", "1", "--on", w.due.isoformat(),
                       "--text", f"第{w.no}期：在校学习，参加公益劳动").output  # fmt: skip
        assert ("逾期报告" if w.no == 4 else "已报告") in said
    shown = shujian(root, "minors", "probation", "show", suspect).output
    assert "第3期报告" in shown and "逾期未报告" in shown
    assert "报告活动情况（逾期）" in shown
    assert "补充审查情况：听取意见" in shown
    assert suspect not in shown and mask_id_card(suspect) in shown
    late = shujian(root, "minors", "probation", "list", "--view", "late").output
    assert "郭小明" in late and "逾期未报告 1 期" in late
    overdue = shujian(root, "minors", "probation", "overdue").output
    assert "逾期未报告（1 件）" in overdue and "考验期已满、尚未作出决定（1 件）" in overdue

    # the end: refused without the 考察意见书, then the opinion, its .docx, 不起诉
    early = shujian(root, "minors", "probation", "end", "1", code=2).output
    assert "应先出具考察意见书" in early
    out = tmp_path / "opinion.docx"
    issued = shujian(root, "minors", "probation", "opinion", "1", "--performance",
                     "考验期内遵守规定，按时报告（一次逾期），积极参加公益劳动。",
                     "--victim", "被害人表示谅解，同意不起诉。", "-o", str(out)).output  # fmt: skip
    number = f"青检未考〔{today.year}〕1号" if ws.region.short == "青" else None
    assert "已出具考察意见书" in issued and (number is None or number in issued)
    document = docx.Document(str(out))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "附条件不起诉考察意见书" in body
    assert mask_id_card(suspect) in body and suspect not in body
    assert "涉嫌盗窃罪" in body and "其中逾期报告一次，逾期未报告一期" in body
    assert "综上，建议作出不起诉决定。" in body
    assert "接受相关教育" in body and "遵守法律法规，服从监督" in body
    assert document.sections[0].page_width is not None
    again = tmp_path / "again.docx"
    shujian(root, "minors", "probation", "document", "1", "-o", str(again))
    assert [p.text for p in docx.Document(str(again)).paragraphs] == [
        p.text for p in document.paragraphs
    ]
    ended = shujian(root, "minors", "probation", "end", "1").output
    assert "考验期满，已作出不起诉决定" in ended
    assert "郭小明" in shujian(root, "minors", "probation", "list", "--view", "ended").output

    # history is append-only; every step audited
    with ws.store.connect() as conn:
        kinds = [r.kind for r in conn.execute(select(probation_events.c.kind).order_by(
            probation_events.c.id))]  # fmt: skip
        assert kinds[:4] == ["opened", "facts", "decide", "serve"]
        assert kinds[-2:] == ["opinion", "end"]
        state = conn.execute(select(probations.c.state)).scalar()
    assert state == "not_prosecuted"
    with ws.store.begin() as conn, pytest.raises(Exception, match="append-only"):
        conn.execute(text("UPDATE probation_events SET text = 'x'"))
    actions = {e["action"] for e in audit.query(ws.store)}
    assert {"open_probation", "decide_probation", "serve_probation", "probation_report",
            "issue_probation_opinion", "end_probation"} <= actions  # fmt: skip


def test_a_revocation_with_its_ground_and_the_alert_before_the_end(ws: Workspace) -> None:
    today = today_in_china()
    decided = add_months(today, -6) + dt.timedelta(days=8)
    suspect = id_card(decided - dt.timedelta(days=15 * 365))
    root = ws.root
    shujian(root, "minors", "probation", "open", "--id", suspect, "--name", "安小红", "--on",
            decided.isoformat(), "--act-on", (decided - dt.timedelta(days=30)).isoformat(),
            "--charge", "寻衅滋事罪", "--sentence", "拘役", "--prosecutable", "--remorse",
            "--heard", "公安机关、被害人=无、未成年犯罪嫌疑人、法定代理人、辩护人",
            "--objection", "无")  # fmt: skip
    shujian(root, "minors", "probation", "decide", "1", "--on", decided.isoformat(), "--months",
            "6", "--agency", "县检察院未检部")  # fmt: skip
    shujian(root, "minors", "probation", "serve", "1", "--on", decided.isoformat())
    ends = rules.period_end(decided, 6)
    soon = shujian(root, "minors", "probation", "list", "--ending-within", "15").output
    assert ("安小红" in soon) == ((ends - today).days <= 15)
    assert "安小红" in shujian(root, "minors", "probation", "list", "--view", "ending").output
    shujian(root, "minors", "probation", "violation", "1", "--on", today.isoformat(), "--text",
            "多次进入营业性娱乐场所")  # fmt: skip
    bad = shujian(root, "minors", "probation", "revoke", "1", "--ground", "不听话", "--text", "x",
                  code=2).output  # fmt: skip
    assert "撤销的理由应为下列之一" in bad
    revoked = shujian(root, "minors", "probation", "revoke", "1", "--ground", "supervision_rules",
                      "--text", "多次违反考察机关关于不得进入特定场所的规定").output  # fmt: skip
    assert "已撤销（违反考察机关有关附条件不起诉的监督管理规定" in revoked and "提起公诉" in revoked
    again = shujian(root, "minors", "probation", "report", "1", "--text", "x", code=2).output
    assert "此案已办结" in again
    listed = shujian(root, "minors", "probation", "list", "--view", "revoked").output
    assert "安小红" in listed and suspect not in listed


def test_an_objection_to_the_decision_forces_prosecution(ws: Workspace) -> None:
    today = today_in_china()
    suspect = id_card(D(today.year - 16, 3, 3))
    root = ws.root
    shujian(root, "minors", "probation", "open", "--id", suspect, "--name", "田某", "--act-on",
            (today - dt.timedelta(days=40)).isoformat(), "--charge", "故意伤害罪", "--sentence",
            "6", "--prosecutable", "--remorse", "--heard",
            "公安机关、被害人、未成年犯罪嫌疑人、法定代理人、辩护人", "--objection", "对决定")  # fmt: skip
    refused = shujian(root, "minors", "probation", "decide", "1", "--months", "6", "--agency",
                      "县检察院未检部", code=2).output  # fmt: skip
    assert "应当作出起诉的决定" in refused
    shujian(
        root, "minors", "probation", "prosecute", "1", "--reason", "法定代理人对附条件不起诉有异议"
    )
    assert "作出起诉决定" in shujian(root, "minors", "probation", "show", "1").output


def test_outsiders_are_refused_and_bad_input_is_answered_in_chinese(ws: Workspace) -> None:
    root = ws.root
    for who in ("刘帮扶", "公益检察官"):
        said = shujian(root, "minors", "probation", "list", user=who, code=2).output
        assert "错误" in said
    bad = shujian(root, "minors", "probation", "open", "--id", "520203200901010000", "--name",
                  "某", code=2).output  # fmt: skip
    assert "校验码不对" in bad and "520203200901010000" not in bad
    wrong = shujian(root, "minors", "probation", "check", "--id", id_card(D(2010, 1, 1)),
                    "--charge", "打人", code=2).output  # fmt: skip
    assert "罪名表中没有“打人”" in wrong
    future = today_in_china() + dt.timedelta(days=1)
    ahead = shujian(root, "minors", "probation", "open", "--id", id_card(D(2010, 1, 1)),
                    "--name", "某", "--on", future.isoformat(), code=2).output  # fmt: skip
    assert "晚于今天" in ahead


def test_the_report_interval_is_a_setting_and_a_bad_one_is_refused(ws: Workspace) -> None:
    today = today_in_china()
    decided = add_months(today, -2)
    suspect = id_card(decided - dt.timedelta(days=15 * 365))
    root = ws.root
    shujian(root, "minors", "probation", "open", "--id", suspect, "--name", "宋某", "--on",
            decided.isoformat(), "--act-on", (decided - dt.timedelta(days=9)).isoformat(),
            "--charge", "诈骗罪", "--sentence", "管制", "--prosecutable", "--remorse", "--heard",
            "公安机关、被害人、未成年犯罪嫌疑人、法定代理人、辩护人=无", "--objection", "无")  # fmt: skip
    shujian(root, "minors", "probation", "decide", "1", "--on", decided.isoformat(), "--months",
            "12", "--agency", "县检察院未检部")  # fmt: skip
    shujian(root, "minors", "probation", "serve", "1", "--on", decided.isoformat())
    config = root / "shujian.toml"
    original = config.read_text(encoding="utf-8")
    config.write_text(original + "\n[juvenile]\nprobation_report_days = 7\n", encoding="utf-8")
    weekly = shujian(root, "minors", "probation", "show", "1").output
    assert "第8期报告" in weekly  # about nine weeks since the decision, every 7 days
    config.write_text(original + "\n[juvenile]\nprobation_report_days = 0\n", encoding="utf-8")
    bad = shujian(root, "minors", "probation", "show", "1", code=2).output
    assert "probation_report_days 应为 1 至 366 日" in bad
