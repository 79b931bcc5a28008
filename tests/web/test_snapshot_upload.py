"""数据 page: a venues file without 经营状态, after one that said a 网吧 was 注销, is refused in
Chinese (nothing stored); the same file with 经营状态 given for the whole file is imported."""

from __future__ import annotations

from pathlib import Path

from data.test_snapshot_columns import CANCELLED, STATUS, leads, venue_rows, write_venues
from helpers import load_fixture_data
from shujian.data.warehouse import Warehouse
from shujian.workspace import Workspace
from web.test_data_page import _client


def _post(client, csrf: str, body: bytes, **fields):  # type: ignore[no-untyped-def]
    form = {"dataset": "venues", "agency": "青岚县文旅局", "crs": "WGS84", **fields}
    return client.post(
        "/data/upload",
        data=form,
        files={"file": ("经营场所.csv", body, "text/csv")},
        headers={"X-CSRF-Token": csrf, "HX-Request": "true"},
    )


def test_a_file_without_the_status_is_refused_and_may_be_given_it(
    web_ws: Workspace, tmp_path: Path
) -> None:
    (tmp_path / "first").mkdir()
    load_fixture_data(web_ws, tmp_path / "first")
    batches = len(Warehouse(web_ws.warehouse_dir, web_ws.store).files("venues"))
    body = write_venues(tmp_path / "later.csv", venue_rows(), {STATUS: ""}).read_bytes()
    client, csrf = _client(web_ws)
    refused = _post(client, csrf, body)
    assert "整份文件未导入" in refused.text and "“经营状态”" in refused.text, refused.text
    assert len(Warehouse(web_ws.warehouse_dir, web_ws.store).files("venues")) == batches
    assert CANCELLED not in leads(web_ws)
    given = _post(client, csrf, body, set_column="经营状态", set_value="注销")
    assert "整份文件统一取值：经营状态=注销" in given.text, given.text
    assert len(Warehouse(web_ws.warehouse_dir, web_ws.store).files("venues")) == batches + 1
