"""Lists come a page at a time: the page knows how many matched, and its audit entry says which
page, which filters and which ids were shown."""

from __future__ import annotations

from click.testing import CliRunner

from helpers import AS_OF, LIBRARY, load_fixture_data, person
from shujian import audit
from shujian.cli.main import cli
from shujian.leads.queue import queue
from shujian.models.runner import run_models

MODELS = ["campus.internet_cafe", "campus.entertainment", "kindergarten.name", "tattoo.scope"]


def _workspace_with_leads(workspace, tmp_path):  # type: ignore[no-untyped-def]
    for model in MODELS:
        folder = tmp_path / model
        folder.mkdir()
        load_fixture_data(workspace, folder, model_id=model)
    run_models(workspace, LIBRARY, MODELS, AS_OF)
    return workspace


def test_a_page_of_the_queue_knows_the_whole(workspace, tmp_path) -> None:
    ws = _workspace_with_leads(workspace, tmp_path)
    reader = person("检察官甲")
    everything = queue(ws.store, reader)
    assert everything.total == len(everything) >= 6
    second = queue(ws.store, reader, offset=2, limit=2)
    assert [r["id"] for r in second] == [r["id"] for r in everything[2:4]]
    assert (second.total, second.number, second.pages) == (
        len(everything),
        2,
        -(-len(everything) // 2),
    )
    entry = audit.query(ws.store, action="list")[-1]
    assert entry["detail"]["page"] == {"offset": 2, "limit": 2}
    assert entry["detail"]["lead_ids"] == [r["id"] for r in second]
    assert (entry["detail"]["shown"], entry["detail"]["total"]) == (2, len(everything))


def test_the_command_line_shows_a_page_and_where_the_next_is(workspace, tmp_path) -> None:
    ws = _workspace_with_leads(workspace, tmp_path)
    total = len(queue(ws.store, person("检察官甲")))
    run = CliRunner().invoke(
        cli, ["-w", str(ws.root), "leads", "list", "--per-page", "3", "--page", "2"]
    )
    assert run.exit_code == 0, run.output
    assert f"共 {total} 条，第 2/{-(-total // 3)} 页。" in run.output
    assert len([line for line in run.output.splitlines() if "待研判" in line]) == 3
    beyond = CliRunner().invoke(cli, ["-w", str(ws.root), "leads", "list", "--page", "99"])
    assert "第 99 页没有线索" in beyond.output
    refused = CliRunner().invoke(cli, ["-w", str(ws.root), "leads", "list", "--per-page", "0"])
    assert refused.exit_code == 2 and "每页条数" in refused.output
