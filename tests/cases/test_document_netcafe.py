"""The 检察建议书 of netcafe.minor_admitted, drafted from its fixture's leads, read as the 文化和旅游
局 would: the venue named, the minors it admitted pseudonymised (未成年人保护法 art. 103), only
verified law quoted.

The demonstration county does not plant 网吧 logins yet (tests/helpers.py), so the test over every
model's document does not read this one; this test does, on the fixture's data.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import docx

from helpers import LIBRARY, load_fixture_data, person
from shujian.cases.recommendations import draft_document
from shujian.cases.service import open_case, transition
from shujian.leads.service import list_leads
from shujian.models.fixtures import load_fixture
from shujian.models.runner import run_models
from shujian.workspace import Region, init_workspace

MODEL = "netcafe.minor_admitted"
PROSECUTOR = person("张检察官", "未成年人检察部")


def _text(path: Path) -> str:
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def test_the_venue_is_named_and_the_minors_it_admitted_are_not(tmp_path: Path):
    region = Region("贵州省", "六盘水市", "青岚县", "520203", "青岚县人民检察院", "青")
    ws = init_workspace(tmp_path / "ws", region=region)
    spec = LIBRARY[MODEL]
    assert spec.fixture_path is not None
    fixture = load_fixture(spec.fixture_path)
    as_of = dt.date.fromisoformat(str(fixture["as_of"]))
    (tmp_path / "data").mkdir()
    load_fixture_data(ws, tmp_path / "data", model_id=MODEL)
    run_models(ws, LIBRARY, [MODEL], as_of)
    (lead,) = [r for r in list_leads(ws.store, MODEL) if r["subject"] == "92520203MA6NA1001Q"]
    case_id = open_case(
        ws.store, [lead["id"]], "未成年人检察部", PROSECUTOR.name, PROSECUTOR, "成案", as_of
    )
    transition(ws.store, case_id, "investigate", PROSECUTOR, "调查核实", as_of)
    out = draft_document(
        ws, LIBRARY, case_id, PROSECUTOR, as_of, "青岚县文化旅游局", tmp_path / "d.docx"
    )
    text = _text(out)

    assert "星际网咖" in text and "92520203MA6NA1001Q" in text
    assert "青岚县文化旅游局" in text
    assert "《互联网上网服务营业场所管理条例》第二十一条" in text
    assert "未成年人保护法》第一百一十四条" in text
    # the minors are 孙某甲 / 孙某乙 (two share a surname), nothing else of them
    assert "孙某甲" in text and "孙某乙" in text
    for row in fixture["datasets"]["netcafe_logins"]:
        name, id_card = row["姓名"], str(row["公民身份号码"])
        if row["场所名称"] != "星际网咖":
            continue
        assert name not in text and id_card not in text
        birth = id_card[6:14]
        assert f"{birth[:4]}-{birth[4:6]}-{birth[6:]}" not in text
    assert not re.search(r"(?<!\d)\d{17}[\dX](?!\d)", text)
    assert "孙大成" not in text  # the adult at the venue is not in the evidence at all
