"""The demonstration's 未检 work (demo/juvenile_work.py), through the `demo` command itself.

The demo is built once for the module by the command's real entry point (`shujian demo DIR`), and
read back as the demo's 未检 prosecutor through the services the pages call: the T2 tier taking up
a warning, the 督促监护令 with its overdue first follow-up and a 家庭教育指导 session, the
probation in its period (and the ended one with its 考察意见书), dates in order and none after
today; the statistics count them; the printed paragraph names the pages and no full ID number.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from shujian.beijing import today_in_china
from shujian.cli.main import cli
from shujian.juvenile import service
from shujian.juvenile.counting import TOTAL
from shujian.juvenile.guardianship import orders, records
from shujian.juvenile.probation import service as probation
from shujian.juvenile.service import Register
from shujian.juvenile.statistics import compute
from shujian.juvenile.tiers.service import history
from shujian.users.user import User
from shujian.workspace import Workspace, open_workspace

FULL_ID = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")


@dataclass(frozen=True)
class Built:
    output: str
    ws: Workspace
    register: Register
    user: User
    today: dt.date


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    directory = tmp_path_factory.mktemp("demo-work") / "demo"
    result = CliRunner().invoke(cli, ["demo", str(directory)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    service.forget()
    ws = open_workspace(directory / "workspace")
    user = User(
        "演示检察官", ws.region.procuratorate_name, "未成年人检察部", frozenset({"prosecutor"})
    )
    return Built(result.output, ws, Register(ws), user, today_in_china())


def _paragraph(built: Built) -> str:
    return built.output.split("未检工作示例")[1].split("演示账号")[0]


def test_the_printed_paragraph_names_the_pages_and_no_full_id_number(built: Built) -> None:
    text = _paragraph(built)
    for where in ("/minors/orders", "/minors/probation/", "/sealed", "/minors/stats",
                  "minors order overdue", "minors probation show"):  # fmt: skip
        assert where in text, where
    assert re.search(r"/minors/[0-9a-f]{16}", text)
    assert not FULL_ID.search(built.output)


def test_the_tier_takes_up_a_warning_of_a_minor_other_than_the_supervision_items(
    built: Built,
) -> None:
    ref = re.search(r"/minors/([0-9a-f]{16})", _paragraph(built))
    assert ref is not None
    id_card = built.register.resolve_ref(built.user, ref.group(1))
    tiers = history(built.register, built.user, id_card)
    assert tiers["current"] == "T2 严重不良行为"
    (change,) = tiers["changes"]
    assert change["item_codes"][0].startswith("38.") and change["lead_id"] is not None
    assert change["measures"]  # the police's 训诫、责令具结悔过 (art. 41)
    assert change["decided_on"] <= built.today
    supervised = re.search(r"督办示例：预警（线索 (\d+)", built.output)
    assert supervised is not None and int(supervised.group(1)) != change["lead_id"]
    # the minor's file shows the tier, the order and the session on its timeline, in date order
    file = built.register.minor_file(built.user, id_card, built.today)
    kinds = [e.kind for e in file["timeline"]]
    assert {"干预等级", "督促监护令", "家庭教育指导"} <= set(kinds)
    days = [e.on for e in file["timeline"]]
    assert days == sorted(days) and max(days) <= built.today


def test_the_order_is_to_the_registered_guardian_and_its_first_follow_up_is_overdue(
    built: Built,
) -> None:
    (order,) = orders.list_orders(built.register, built.user, built.today)
    number = order["number"]
    assert re.fullmatch(r"青检未督监〔\d{4}〕1号", number)
    ref, _ = orders.order_minor(built.register, built.user, number)
    id_card = built.register.resolve_ref(built.user, ref)
    file = built.register.minor_file(built.user, id_card, built.today)
    assert order["guardian"] in {r["guardian_name"] for r in file["registry"]}
    assert 38 <= (built.today - order["issued_on"]).days <= 45
    (late,) = orders.overdue(built.register, built.user, built.today)
    assert late["order"]["number"] == number and late["visit"] == 1
    assert order["issued_on"] < late["due"] < built.today
    (session,) = records.sessions_of(built.register, built.user, id_card)
    assert order["issued_on"] < session["on_date"] <= built.today
    assert (built.ws.root / order["document"]).is_file()


def test_the_probation_is_in_its_period_and_the_earlier_one_ended_with_its_opinion(
    built: Built,
) -> None:
    shown = {
        p["state"]: p
        for p in probation.list_probations(built.register, built.user, built.today, view="all")
    }
    current = probation.get_probation(built.register, built.user, shown["probation"]["id"],
                                      built.today)  # fmt: skip
    assert current["state_label"] == "考验期中" and current["months"] == 6
    assert current["check"].verdict == "eligible"
    assert current["charge"] == "盗窃罪"
    steps = {e["kind"]: e["on_date"] for e in current["events"]}
    assert steps["opened"] < steps["decide"] <= steps["serve"] < steps["report"] <= built.today
    assert steps["serve"] <= current["service_due"] and not current["service_late"]
    assert 55 <= (built.today - current["decided_on"]).days <= 75
    assert current["missed"] >= 1
    ended = probation.get_probation(built.register, built.user, shown["not_prosecuted"]["id"],
                                    built.today)  # fmt: skip
    assert ended["opinion"] is not None and ended["opinion"]["number"] in built.output
    days = [e["on_date"] for e in ended["events"]]
    assert days == sorted(days) and days[-1] <= built.today


def test_the_statistics_count_them(built: Built) -> None:
    stats = compute(
        built.register,
        built.register.with_grants(built.user, built.today),
        dt.date(built.today.year, 1, 1),
        built.today,
        built.today,
    )
    (total,) = [r for r in stats.tables["category"] if r["key"] == TOTAL]
    assert total["early_intervention"] == 1
    assert total["guardianship_orders"] == 1
    assert total["conditional_non_prosecution_on_probation"] == 1
    assert total["conditional_non_prosecution_ended"] == 1


def test_the_documents_name_no_full_id_number(built: Built, tmp_path: Path) -> None:
    import docx

    (order,) = orders.list_orders(built.register, built.user, built.today)
    ended = [p for p in probation.list_probations(built.register, built.user, built.today,
                                                  view="ended")]  # fmt: skip
    opinion = probation.render_opinion(built.register, built.user, ended[0]["id"],
                                       tmp_path / "opinion.docx")  # fmt: skip
    for path, must in ((built.ws.root / order["document"], order["guardian"]),
                       (opinion, "考察意见书")):  # fmt: skip
        text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
        assert must in text
        assert not FULL_ID.search(text)
