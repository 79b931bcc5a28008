"""A model reads its workspace's declared datasets and nothing else, within a time and a memory
limit.

Two lines of defence, each proved on its own with the same table of hostile models run on a
real workspace (the 网吧 fixture imported):
- the checker (`models/checks.py`) refuses every one of them before anything runs
  (`run_models`: code `model_check_failed`, nothing written);
- DuckDB itself, on the sealed connection a model's SQL runs on (`DuckDBEngine.seal`): the same
  models evaluated *without* the checker are refused by DuckDB (no file outside the model's own
  datasets, no extension, no write, no change of a setting) or come back harmless (no server
  data in any lead). Reading a setting (`current_setting`) is the one thing DuckDB cannot
  refuse: those models are marked `checker_only` and are proved refused by the checker.

A runaway model (a recursive CTE without end, a cross join of ranges) is interrupted at the
workspace's time limit with a Chinese message naming it, and the run writes no lead — also for a
workspace's own model run by `shujian run`; a model over the memory limit is stopped the same way.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import func, select

from helpers import AS_OF, CAFE, LIBRARY, load_fixture_data
from shujian.cli.main import cli
from shujian.data.warehouse import Warehouse
from shujian.engine.dialects import CompileError
from shujian.engine.duckdb import DuckDBEngine, QueryStopped
from shujian.errors import UserError
from shujian.leads.store import leads
from shujian.models.checks import check_model
from shujian.models.runner import evaluate, run_models
from shujian.models.spec import ModelSpec, spec_from_dict
from shujian.workspace import CONFIG_NAME, Workspace, init_workspace, open_workspace

SECRET = "他院机密场所"
"""A venue name only the other workspace's warehouse holds."""

FILE = "/etc/passwd"
SERVER_DATA = ("root:", SECRET, "/root", "stored_secrets", "/etc/")
"""Text that must never reach a lead: the server's files, the other workspace's rows, the
server's folders."""

COPY_TARGET = f"/tmp/shujian-sandbox-{time.time_ns()}.csv"
"""Where a hostile model tries to write (`COPY`): never written."""

ROW = "SELECT v.uscc AS venue_uscc, {leak} AS leak, v._batch AS venue_batch FROM venues AS v"

# (name, query, checker_only) — {other} is a Parquet file of another workspace, {schools} one of
# this workspace's files of a dataset the model does not declare, {raw} an agency's raw file.
HOSTILE: list[tuple[str, str, bool]] = [
    ("read_text 横向连接", ROW.format(leak="f.content") + f", LATERAL read_text('{FILE}') AS f", False),
    ("read_text 标量子查询", ROW.format(leak=f"(SELECT content FROM read_text('{FILE}'))"), False),
    ("read_blob", ROW.format(leak=f"(SELECT content::VARCHAR FROM read_blob('{FILE}'))"), False),
    ("glob 列目录", ROW.format(leak="g.file") + ", glob('/etc/*') AS g", False),
    ("read_csv 服务器文件", ROW.format(leak="c.column0") + f", read_csv('{FILE}', header = false) AS c", False),
    ("read_csv_auto 原始文件", ROW.format(leak="c.name") + ", read_csv_auto('{raw}') AS c", False),
    ("read_json", ROW.format(leak="j.json::VARCHAR") + ", read_json_objects('{raw}') AS j", False),
    ("read_parquet 他院工作区", ROW.format(leak="o.name") + ", read_parquet('{other}') AS o", False),
    ("read_parquet 未声明的数据集", ROW.format(leak="o.name") + ", read_parquet('{schools}') AS o", False),
    ("文件名当表名（字符串）", ROW.format(leak="o.name") + ", '{other}' AS o", False),
    ("文件名当表名（带引号的标识符）", ROW.format(leak="o.name") + ', "{other}" AS o', False),
    ("parquet_metadata", ROW.format(leak="m.file_name") + ", parquet_metadata('{other}') AS m", False),
    ("注释中夹带", ROW.format(leak="f.content") + f", /* 只是注释 */ LATERAL read_text(/* x */ '{FILE}') AS f", False),
    ("拼接路径", ROW.format(leak="(SELECT content FROM read_text('/etc/' || 'passwd'))"), False),
    ("chr 拼出路径", ROW.format(leak="(SELECT content FROM read_text(chr(47) || 'etc' || chr(47) || 'passwd'))"), False),
    ("WITH 子句中读文件", f"WITH f AS (SELECT content FROM read_text('{FILE}')) " + ROW.format(leak="f.content") + ", f", False),
    ("递归 CTE 中读文件", f"WITH RECURSIVE f(c, n) AS (SELECT content, 1 FROM read_text('{FILE}') UNION ALL SELECT c, n + 1 FROM f WHERE n < 2) " + ROW.format(leak="f.c") + ", f", False),
    ("query() 表函数", ROW.format(leak="q.c") + f", query('SELECT content AS c FROM read_text(''{FILE}'')') AS q", False),
    ("sqlite_scan 扩展", ROW.format(leak="s.x::VARCHAR") + ", sqlite_scan('/tmp/x.db', 't') AS s", False),
    ("第二条语句 ATTACH", ROW.format(leak="v.name") + "; ATTACH '/tmp/x.db' AS x", False),
    ("第二条语句 INSTALL", ROW.format(leak="v.name") + "; INSTALL httpfs", False),
    ("LOAD 扩展", "LOAD httpfs", False),
    ("COPY 写文件", f"COPY (SELECT 1) TO '{COPY_TARGET}'", False),
    ("SET 打开文件访问", "SET enable_external_access = true", False),
    ("RESET", "RESET memory_limit", False),
    ("PRAGMA", "PRAGMA memory_limit = '100GB'", False),
    ("第二条语句 SET", ROW.format(leak="v.name") + "; SET lock_configuration = false", False),
    ("建表写入", "CREATE TABLE stolen AS " + ROW.format(leak="v.name"), False),
    ("duckdb_settings()", ROW.format(leak="s.value") + ", duckdb_settings() AS s", True),
    ("current_setting", ROW.format(leak="current_setting('secret_directory')"), True),
    ("current_setting 限定库名", ROW.format(leak="system.main.current_setting('temp_directory')"), True),
    ("getenv", ROW.format(leak="getenv('HOME')"), True),
    ("duckdb_databases()", ROW.format(leak="d.path") + ", duckdb_databases() AS d", True),
    ("getvariable", ROW.format(leak="getvariable('x')::VARCHAR"), True),
]  # fmt: skip

NOT_REFUSED_BY_SANDBOX = {
    "第二条语句 ATTACH": "not_compiled",  # sqlglot compiles one statement only
    "第二条语句 INSTALL": "not_compiled",
    "第二条语句 SET": "not_compiled",
    "sqlite_scan 扩展": "query",  # the extension is not loaded, and cannot be
    "getenv": "query",  # no such function in DuckDB's Python package
}
"""How DuckDB alone stops the hostile models it does not refuse as out of its sandbox (the
model's failure `sandbox_refused`); the `checker_only` ones run and must show nothing of the
server."""


def hostile(query: str) -> ModelSpec:
    return spec_from_dict(hostile_raw(query))


def hostile_raw(query: str, model_id: str = "test.hostile") -> dict[str, Any]:
    return {
        "id": model_id,
        "name": "恶意模型",
        "category": ["公益诉讼"],
        "supervision_point": "测试：模型只能读取声明的数据集",
        "legal_basis": [{"law": "测试", "tag": "U"}],
        "datasets": ["venues"],
        "subject": {"column": "venue_uscc", "dataset": "venues"},
        "title": "{venue_uscc}",
        "evidence": ["venue_uscc", "leak"],
        "trace": {"venues": "venue_batch"},
        "query": query,
    }


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A workspace with the 网吧 fixture imported, and another with a venue only it holds."""
    root = tmp_path_factory.mktemp("sandbox")
    other = init_workspace(root / "other")
    (root / "other-csv").mkdir()

    def secret(dataset: str, rows: list[dict[str, Any]]) -> None:
        if dataset == "venues":
            for row in rows:
                row["name"] = SECRET

    load_fixture_data(other, root / "other-csv", secret)
    ws = init_workspace(root / "ws")
    (root / "csv").mkdir()
    load_fixture_data(ws, root / "csv")
    warehouse = Warehouse(ws.warehouse_dir, ws.store)
    return {
        "ws": ws,
        "other": str(Warehouse(other.warehouse_dir, other.store).files("venues")[0]),
        "schools": str(warehouse.files("schools")[0]),
        "raw": str(next((root / "csv").glob("venues-*.csv"))),
    }


def _query(query: str, places: dict[str, Any]) -> str:
    return query.format(other=places["other"], schools=places["schools"], raw=places["raw"])


def _lead_count(ws: Workspace) -> int:
    with ws.store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(leads)).scalar_one())


def test_the_table_is_large_enough() -> None:
    assert len(HOSTILE) >= 25
    assert len({name for name, _, _ in HOSTILE}) == len(HOSTILE)


def test_a_plain_model_still_runs_on_the_sealed_connection(places: dict[str, Any]) -> None:
    """The seal leaves a model's own datasets readable: the harmless twin of the table's rows
    passes the checker and finds the fixture's venues."""
    spec = hostile(ROW.format(leak="v.name"))
    assert check_model(spec, places["ws"].datasets()) == []
    outcome = evaluate(places["ws"], places["ws"].datasets(), [spec], AS_OF, "duckdb")[0]
    assert outcome.findings
    assert SECRET not in str([f.evidence_list() for f in outcome.findings])


@pytest.mark.parametrize(("name", "query", "checker_only"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_the_checker_refuses_every_hostile_model(
    places: dict[str, Any], name: str, query: str, checker_only: bool
) -> None:
    ws: Workspace = places["ws"]
    spec = hostile(_query(query, places))
    before = _lead_count(ws)
    with pytest.raises(UserError) as refused:
        run_models(ws, {spec.id: spec, **LIBRARY}, [spec.id], AS_OF)
    assert refused.value.code == "model_check_failed"
    assert refused.value.message.startswith("模型 test.hostile 未通过检查")
    assert _lead_count(ws) == before


@pytest.mark.parametrize(("name", "query", "checker_only"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_duckdb_alone_refuses_or_disarms_every_hostile_model(
    places: dict[str, Any], name: str, query: str, checker_only: bool
) -> None:
    """Without the checker (`evaluate` runs a model as given), the sealed connection refuses
    the model or it finds nothing of the server's."""
    ws: Workspace = places["ws"]
    spec = hostile(_query(query, places))
    try:
        (outcome,) = evaluate(ws, ws.datasets(), [spec], AS_OF, "duckdb")
    except CompileError as error:
        assert NOT_REFUSED_BY_SANDBOX.get(name) == "not_compiled", error
        return
    outcomes = [outcome]
    if outcome.failed is not None:
        assert not Path(COPY_TARGET).exists() and not outcome.findings
        assert outcome.failed.code == NOT_REFUSED_BY_SANDBOX.get(name, "sandbox_refused"), name
        return
    assert checker_only, f"{name}: DuckDB ran it"
    shown = str([(f.title, f.evidence_list()) for o in outcomes for f in o.findings])
    for text in SERVER_DATA:
        assert text not in shown, f"{name}: {text} reached a lead"


def test_models_run_together_are_each_sealed_on_a_connection_of_their_own(
    places: dict[str, Any],
) -> None:
    """A run of several models opens each one's connection while the one before runs
    (`FreshConnections`): after a model that read `schools`, a model declaring only `venues`
    still cannot read the schools' file, and every hostile model of the table ends exactly as
    when it runs alone."""
    ws: Workspace = places["ws"]
    reads_schools = spec_from_dict(
        {
            **hostile_raw(
                "SELECT v.uscc AS venue_uscc, s.name AS leak, v._batch AS venue_batch, "
                "s._batch AS school_batch FROM venues AS v, schools AS s",
                "test.schools",
            ),
            "datasets": ["venues", "schools"],
            "trace": {"venues": "venue_batch", "schools": "school_batch"},
        }
    )
    compiled = []
    for name, query, _ in HOSTILE:
        spec = spec_from_dict(hostile_raw(_query(query, places), f"test.{len(compiled)}"))
        try:
            alone = evaluate(ws, ws.datasets(), [spec], AS_OF, "duckdb")[0]
        except CompileError:
            continue
        compiled.append((name, spec, alone))
    assert len(compiled) > 20
    together = evaluate(
        ws, ws.datasets(), [reads_schools, *(c[1] for c in compiled)], AS_OF, "duckdb"
    )
    assert together[0].failed is None and together[0].findings
    for (name, _, alone), outcome in zip(compiled, together[1:], strict=True):
        assert (outcome.failed and outcome.failed.code) == (alone.failed and alone.failed.code)
        assert [f.evidence_list() for f in outcome.findings] == [
            f.evidence_list() for f in alone.findings
        ]
        if name == "read_parquet 未声明的数据集":
            assert outcome.failed is not None and outcome.failed.code == "sandbox_refused"


@pytest.mark.parametrize(
    "second",
    ["ATTACH '/tmp/x.db' AS x", "INSTALL httpfs", "SET lock_configuration = false", "SELECT 2"],
)
def test_the_sealed_engine_runs_one_select_statement_only(
    places: dict[str, Any], second: str
) -> None:
    """DuckDB's own parser decides: a second statement, whatever it is, is refused."""
    ws: Workspace = places["ws"]
    with DuckDBEngine(Warehouse(ws.warehouse_dir, ws.store), ws.datasets()) as db:
        db.register(["venues"])
        db.seal(256)
        assert db.query("SELECT count(*) AS n FROM venues").item() > 0
        with pytest.raises(QueryStopped) as stopped:
            db.query(f"SELECT count(*) AS n FROM venues; {second}")
        assert stopped.value.reason == "refused"
        with pytest.raises(RuntimeError):
            db.register(["schools"])


RUNAWAYS = [
    (
        "递归 CTE 无终止条件",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
        "SELECT v.uscc AS venue_uscc, r.n AS leak, v._batch AS venue_batch "
        "FROM venues AS v, r WHERE r.n < 0",
    ),
    (
        "range 交叉连接",
        "SELECT v.uscc AS venue_uscc, a.range + b.range AS leak, v._batch AS venue_batch "
        "FROM venues AS v, range(1000000000) AS a, range(1000000000) AS b "
        "WHERE a.range * b.range = -1",
    ),
]


@pytest.mark.parametrize(("name", "query"), RUNAWAYS, ids=[r[0] for r in RUNAWAYS])
def test_a_runaway_model_is_interrupted_at_the_time_limit_and_writes_nothing(
    tmp_path: Path, name: str, query: str
) -> None:
    ws = init_workspace(tmp_path / "ws")
    config = ws.root / CONFIG_NAME
    config.write_text(
        config.read_text(encoding="utf-8") + "\n[models]\nmax_seconds = 2\n", encoding="utf-8"
    )
    ws.store.dispose()
    ws = open_workspace(ws.root)
    (tmp_path / "csv").mkdir()
    load_fixture_data(ws, tmp_path / "csv")
    spec = hostile(query)
    started = time.perf_counter()
    # the runaway first: it is stopped at the limit and fails alone, the cafe model still runs
    stopped, cafe = evaluate(ws, ws.datasets(), [spec, LIBRARY[CAFE]], AS_OF, "duckdb")
    seconds = time.perf_counter() - started
    assert stopped.failed is not None and stopped.failed.code == "time_limit"
    assert stopped.failed.reason.startswith("运行超过 2 秒，已中止") and not stopped.findings
    assert cafe.failed is None and cafe.findings
    assert seconds < 10, seconds


def test_shujian_run_stops_a_workspace_model_that_runs_away(tmp_path: Path) -> None:
    """A procuratorate's own model (the workspace's models/ folder) that passes the checker but
    recurses without end: `shujian run` exits 2 with the Chinese message naming it, no lead."""
    ws = init_workspace(tmp_path / "ws")
    config = ws.root / CONFIG_NAME
    config.write_text(
        config.read_text(encoding="utf-8") + "\n[models]\nmax_seconds = 2\n", encoding="utf-8"
    )
    (tmp_path / "csv").mkdir()
    load_fixture_data(ws, tmp_path / "csv")
    raw = hostile_raw(RUNAWAYS[0][1], "local.runaway")
    (ws.root / "models").mkdir(exist_ok=True)
    (ws.root / "models" / "local.runaway.yaml").write_text(
        yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["-w", str(ws.root), "run", CAFE, "local.runaway"])
    assert result.exit_code == 2, result.output
    assert "local.runaway" in result.output and "运行超过 2 秒，已中止" in result.output
    assert "Traceback" not in result.output
    assert _lead_count(ws) > 0  # the cafe model's leads: the runaway failed alone


def test_the_memory_limit_stops_a_model_with_its_name(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    config = ws.root / CONFIG_NAME
    config.write_text(
        config.read_text(encoding="utf-8") + "\n[models]\nmax_memory_mb = 64\n", encoding="utf-8"
    )
    ws.store.dispose()
    ws = open_workspace(ws.root)
    (tmp_path / "csv").mkdir()
    load_fixture_data(ws, tmp_path / "csv")
    spec = hostile(
        "SELECT v.uscc AS venue_uscc, (SELECT list(range) FROM range(100000000))::VARCHAR AS leak, "
        "v._batch AS venue_batch FROM venues AS v"
    )
    (stopped,) = evaluate(ws, ws.datasets(), [spec], AS_OF, "duckdb")
    assert stopped.failed is not None and stopped.failed.code == "memory_limit"
    assert "所需内存超过 64 MB" in stopped.failed.reason


def test_a_limit_that_is_not_positive_is_refused(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    ws.settings.setdefault("models", {})["max_seconds"] = 0
    with pytest.raises(UserError) as refused:
        evaluate(ws, ws.datasets(), [LIBRARY[CAFE]], AS_OF, "duckdb")
    assert refused.value.code == "bad_config"
