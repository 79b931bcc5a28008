"""`shujian hearings …` and `shujian aid …` on a real workspace, with `shujian stats --of` to the
screen and to xlsx: too few 听证员 refused in Chinese, a hearing held, opinions, decided, counted;
an aid application accepted, an amount above the cap refused, approved with its .docx, paid,
counted per ground; the fast track."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from helpers import AS_OF, LIBRARY, load_fixture_data, person
from shujian.cases.service import open_case
from shujian.cli.main import cli
from shujian.leads.service import list_leads
from shujian.models.runner import run_models
from shujian.workspace import init_workspace

D = dt.date
WAGE = (
    '\n[judicial_aid]\nmonthly_wage = 8000\nmonthly_wage_source = "省统计局 2025 年平均工资 ÷ 12"\n'
)


def shujian(ws: Path, *args: str, code: int = 0):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["-w", str(ws), "-u", "检察官甲", *args])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


def test_hearings_and_aid_on_the_command_line(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    (ws.root / "shujian.toml").write_text(
        (ws.root / "shujian.toml").read_text(encoding="utf-8") + WAGE, encoding="utf-8"
    )
    load_fixture_data(ws, tmp_path)
    run_models(ws, LIBRARY, ["campus.internet_cafe"], AS_OF)
    ids = [lead["id"] for lead in list_leads(ws.store)]
    cid = open_case(ws.store, ids, "未成年人检察部", "检察官甲", person("检察官甲"), "网吧",
                    D(2026, 10, 8))  # fmt: skip
    root = ws.root
    panel = ["--member", "周某,人大代表,1970-03-01", "--member", "吴某,政协委员,1965-07-09"]
    told = shujian(root, "hearings", "schedule", str(cid), "--matter", "是否制发检察建议",
                   "--on", "2026-11-10", "--notified", "2026-11-06", "--announced", "2026-11-05",
                   "--host", "检察官甲", *panel, code=2)  # fmt: skip
    assert "听证员只有2人，至少应为3人" in told.output
    shujian(root, "hearings", "schedule", str(cid), "--matter", "是否制发检察建议",
            "--on", "2026-11-10", "--notified", "2026-11-06", "--announced", "2026-11-05",
            "--host", "检察官甲", *panel, "--member", "郑某,人民监督员,1980-01-20")  # fmt: skip
    shujian(root, "hearings", "hold", "1", "--on", "2026-11-10", "--record", "笔录摘要")
    for member, stance in (("1", "agree"), ("2", "agree"), ("3", "disagree")):
        shujian(root, "hearings", "opinion", "1", member, "--stance", stance, "--text", "意见")
    shujian(root, "hearings", "decide", "1", "--on", "2026-11-11", "--decision", "制发检察建议",
            "--majority", "follows")  # fmt: skip
    shown = shujian(root, "hearings", "show", "1").output
    assert "多数意见：同意承办检察官的处理意见" in shown and "郑某（人民监督员）" in shown
    out = shujian(root, "stats", "--of", "hearings", "--since", "2026-11-01").output
    assert "未成年人检察部\t检察建议\t1\t1\t3\t1\t0" in out

    shujian(root, "aid", "apply", "--department", "控告申诉检察部", "--prosecutor", "检察官甲",
            "--reason", "被害人重伤，加害人无赔偿能力", "--on", "2026-11-02")  # fmt: skip
    case = str(cid + 1)
    shujian(root, "aid", "review", case, "--ground", "重伤或严重残疾", "--applicant", "王某某",
            "--people", "2", "--on", "2026-11-03")  # fmt: skip
    plain = shujian(root, "cases", "act", case, "approve", "--set", "amount=1000", code=2)
    assert f"命令行：shujian aid approve {case} --amount 金额" in plain.output
    shown = shujian(root, "cases", "show", case).output
    assert "线索：无（依申请立案）" in shown and "线索：，" not in shown
    over = shujian(root, "aid", "approve", case, "--amount", "30万", "--on", "2026-11-04", code=2)
    assert "超过救助限额 288,000.00 元" in over.output
    done = shujian(root, "aid", "approve", case, "--amount", "5万元", "--on", "2026-11-04")
    number = re.search(r"\S*检救〔2026〕1号", done.output)
    assert number is not None, done.output
    shujian(root, "aid", "pay", case, "--method", "银行转账", "--on", "2026-11-05")
    shujian(root, "aid", "apply", "--department", "控告申诉检察部", "--prosecutor", "检察官甲",
            "--reason", "急需救治", "--on", "2026-11-06")  # fmt: skip
    shujian(root, "aid", "fast", str(cid + 2), "--ground", "危及生命急需救治", "--applicant",
            "李某", "--amount", "8000", "--on", "2026-11-06")  # fmt: skip
    figures = shujian(root, "stats", "--of", "judicial_aid").output
    assert "重伤或严重残疾\t1\t2\t50000.00\t0\t1\t50000.00" in figures
    assert "合计\t2\t3\t58000.00\t1\t1\t50000.00" in figures
    book = tmp_path / "救助.xlsx"
    shujian(root, "stats", "--of", "judicial_aid", "-o", str(book))
    sheet = openpyxl.load_workbook(book).active
    assert [c.value for c in sheet[1]][:4] == [
        "救助情形",
        "决定救助件数",
        "救助人数",
        "救助金额（元）",
    ]
    assert [c.value for c in sheet[4]][:4] == ["合计", 2, 3, 58000]
    xlsx = tmp_path / "听证.xlsx"
    shujian(root, "hearings", "stats", "-o", str(xlsx))
    assert openpyxl.load_workbook(xlsx).active["C2"].value == 1
    shujian(root, "aid", "document", number.group(0).removeprefix("已决定救助："),
            "-o", str(tmp_path / "again.docx"))  # fmt: skip
    assert (tmp_path / "again.docx").read_bytes() == Path(
        done.output.split("决定书：")[1].strip()
    ).read_bytes()
