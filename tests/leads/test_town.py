"""A lead's town (乡镇): read from the column its model declares, stored on the lead by each run,
and the queue's filter by it (leads of models that declare none are 未登记乡镇)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from helpers import AS_OF, CAFE, LIBRARY, load_fixture_data, person
from shujian.data.datasets import load_datasets
from shujian.leads.queue import queue
from shujian.leads.service import list_leads
from shujian.leads.town import NO_TOWN, town_of, towns_present
from shujian.models.checks import check_model
from shujian.models.runner import run_models
from shujian.workspace import Workspace, init_workspace


@pytest.mark.parametrize(
    ("text", "town"),
    [
        ("新场镇", "新场镇"),                                         # a 所属乡镇 column
        ("岚城街道", "岚城街道"),
        ("青岚县新场镇兴业路117号", "新场镇"),                        # the demo's addresses
        ("贵州省六盘水市青岚县岚城街道人民路12号", "岚城街道"),
        ("岚城街道人民路12号", "岚城街道"),                           # no county before it
        ("青岚县猴场苗族乡政府路3号", "猴场苗族乡"),                  # 民族乡
        ("某某旗巴彦乌拉苏木", "巴彦乌拉苏木"),                       # 苏木
        ("内蒙古自治区锡林郭勒盟阿巴嘎旗别力古台镇", "别力古台镇"),
        ("北京市朝阳区望京街道", "望京街道"),
        ("高新区新场镇兴业路", "新场镇"),
        ("青岚县新市镇兴业路1号", "新市镇"),                          # a 市 inside the name
        ("贵州省安顺市镇宁布依族苗族自治县城关镇南街3号", "城关镇"),  # 镇 inside the county
        ("四川省甘孜藏族自治州乡城县青德镇", "青德镇"),              # 乡 inside the county
        ("青岚县乡村振兴大道8号", None),                              # 乡 of a street name
        ("青岚县人民路18号", None),                                   # an address naming no town
        ("", None),
        (None, None),
        (12, None),
    ],
)  # fmt: skip
def test_the_town_is_read_from_a_town_or_an_address(text: object, town: str | None) -> None:
    assert town_of(text) == town


def test_the_town_column_must_be_evidence() -> None:
    datasets = load_datasets()
    cafe = LIBRARY[CAFE]
    assert check_model(cafe, datasets) == []
    for wrong in ("address", "venue_batch"):  # not an output column; a trace column
        problems = check_model(dataclasses.replace(cafe, town=wrong), datasets)
        assert problems == [
            f"town 中的“{wrong}”不是证据列：乡镇须取自 evidence 中列出的列"
            "（所属乡镇或含乡镇的地址）。"
        ]


ADDRESSES = {"极速网吧": "青岚县新场镇兴业路117号", "星际网咖": "青岚县白岩镇滨河路8号"}


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def _addresses(dataset: str, rows: list[dict]) -> None:
    if dataset == "venues":
        for r in rows:
            if r["场所名称"] in ADDRESSES:
                r["地址"] = ADDRESSES[r["场所名称"]]


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_a_run_stores_each_leads_town_and_the_queue_filters_by_it(
    tmp_path: Path, store: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if store == "postgresql":
        monkeypatch.setenv("SHUJIAN_STORE_URL", request.getfixturevalue("pg_url"))
    workspace = init_workspace(tmp_path / "ws")
    reader = person("张检察官")
    load_fixture_data(workspace, _folder(tmp_path / "cafe"), _addresses)
    load_fixture_data(workspace, _folder(tmp_path / "hotel"), None, "hotel.minor_guest")
    run_models(workspace, LIBRARY, [CAFE, "hotel.minor_guest"], AS_OF)

    found = list_leads(workspace.store)
    cafes = {x["evidence"][0]["venue_name"]: x for x in found if x["model_id"] == CAFE}
    assert cafes["极速网吧"]["town"] == "新场镇"
    assert cafes["星际网咖"]["town"] == "白岩镇"
    hotel = [x for x in found if x["model_id"] == "hotel.minor_guest"]
    assert hotel and all(x["town"] is None for x in hotel)  # the model declares no town
    assert towns_present(workspace.store) == ["新场镇", "白岩镇"]

    in_town = queue(workspace.store, reader, town="白岩镇")
    assert [r["id"] for r in in_town] == [cafes["星际网咖"]["id"]]
    assert in_town[0]["town"] == "白岩镇"
    without = queue(workspace.store, reader, town=NO_TOWN)
    assert {r["id"] for r in without} == {x["id"] for x in hotel}
    assert queue(workspace.store, reader, town="清水镇").total == 0
    assert queue(workspace.store, reader).total == len(found)


def test_a_lead_found_again_gets_the_town_its_data_names_now(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Leads stored before their model declared a town (or before migration 0009) get it on the
    next run that finds them, though nothing else about them changed."""
    load_fixture_data(workspace, _folder(tmp_path / "first"), _addresses)
    no_town = {**LIBRARY, CAFE: dataclasses.replace(LIBRARY[CAFE], town="")}
    run_models(workspace, no_town, [CAFE], AS_OF)
    assert {x["town"] for x in list_leads(workspace.store)} == {None}
    report = run_models(workspace, LIBRARY, [CAFE], AS_OF)
    assert report.outcomes[0].counts.unchanged == 2
    assert {x["town"] for x in list_leads(workspace.store)} == {"新场镇", "白岩镇"}
