"""Every shipped model gives the same leads on DuckDB and on Spark.

Each model runs on its fixture and on the demonstration county, once on each engine, and the
findings must be equal in everything a lead shows or is compared by: subjects, titles, evidence
rows and their figures, row counts, the digest of the deciding facts, traced batches and town.

Order must not decide anything, so the inputs are disordered on both sides: the county's stored
Parquet files are rewritten with their rows shuffled and cut into several row groups (DuckDB
reads them with two threads), and Spark spreads every dataset over three partitions
(`spark.shujian.scatter`) and splits files into small pieces. A query whose answer depends on
the order it reads rows in (an aggregate without ORDER BY, a tie broken by position) then
differs between the engines, or from run to run.

One Spark session serves the whole test run (`spark` in conftest.py); these tests share one
xdist group so they run on one worker, in one JVM.
"""

from __future__ import annotations

import dataclasses
import random
import time
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from shujian.data.warehouse import Warehouse
from shujian.demo.generate import DEFAULT_SEED, generate_county
from shujian.demo.showcase import import_county
from shujian.engine.dialects import parse, uses_calendar
from shujian.engine.portability import pairwise_joins
from shujian.engine.spark import SparkEngine
from shujian.engine.superseded import FOLDER as SUPERSEDED_FOLDER
from shujian.models.fixtures import run_fixture
from shujian.models.parameters import parameters_in_force
from shujian.models.runner import evaluate
from shujian.models.spec import load_library
from shujian.workspace import Region, Workspace, init_workspace

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]

LIBRARY = load_library()
MODELS = sorted(LIBRARY)


def comparable(findings: list[Any]) -> list[dict[str, Any]]:
    """Findings as plain data, in subject order."""
    return [dataclasses.asdict(f) for f in sorted(findings, key=lambda f: f.subject)]


def shuffle_files(warehouse: Path, seed: int = 15) -> int:
    """Rewrite every stored batch file with its rows in a random order, in row groups of about
    a third of its rows; the number of files rewritten."""
    rng = random.Random(seed)
    files = [p for p in warehouse.rglob("*.parquet") if SUPERSEDED_FOLDER not in p.parts]
    for path in files:
        frame = pl.read_parquet(path)
        if frame.height < 2:
            continue
        shuffled = frame.sample(fraction=1.0, shuffle=True, seed=rng.randrange(1 << 30))
        shuffled.write_parquet(path, row_group_size=max(1, frame.height // 3 + 1))
    return len(files)


@dataclasses.dataclass(frozen=True)
class County:
    ws: Workspace
    as_of: Any


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> County:
    """The demonstration county, generated and imported once, its stored files shuffled."""
    root = tmp_path_factory.mktemp("spark-county")
    manifest = generate_county(root / "files", DEFAULT_SEED)
    ws = init_workspace(
        root / "ws",
        region=Region(province="贵州省", city="六盘水市", county=manifest.county),
    )
    import_county(ws, root / "files", manifest)
    assert shuffle_files(ws.warehouse_dir) >= len(manifest.datasets)
    return County(ws, manifest.as_of)


@pytest.mark.parametrize("model_id", MODELS)
def test_the_model_finds_the_same_leads_on_its_fixture(spark: Any, model_id: str):
    spec = LIBRARY[model_id]
    assert spec.fixture_path is not None
    result = run_fixture(spec, spec.fixture_path, also_on=("spark",))
    assert result.passed, result.problems
    on_spark = list(result.elsewhere["spark"].values())
    assert comparable(on_spark) == comparable(list(result.found.values()))


def test_every_model_finds_the_same_leads_in_the_county(spark: Any, county: County):
    datasets = county.ws.datasets()
    specs = [LIBRARY[m] for m in MODELS]
    started = time.perf_counter()
    on_duckdb = evaluate(county.ws, datasets, specs, county.as_of, "duckdb")
    duckdb_seconds = time.perf_counter() - started
    started = time.perf_counter()
    on_spark = evaluate(county.ws, datasets, specs, county.as_of, "spark")
    spark_seconds = time.perf_counter() - started
    print(f"\ncounty: DuckDB {duckdb_seconds:.1f} s, Spark {spark_seconds:.1f} s")
    differing = []
    for a, b in zip(on_duckdb, on_spark, strict=True):
        assert a.ran and b.ran, (a.model.id, a.failed, b.failed)
        assert a.findings, a.model.id  # every model is planted in the county
        if comparable(a.findings) != comparable(b.findings) or a.rows != b.rows:
            differing.append(a.model.id)
    assert differing == []


NESTED_LOOPS = ("BroadcastNestedLoopJoin", "CartesianProduct")


def _children(node: Any) -> list[Any]:
    seq = node.children()
    return [seq.apply(i) for i in range(seq.size())]


def _reads_a_dataset(node: Any) -> bool:
    """Whether a physical plan's subtree scans stored data (`Scan parquet`…), not a VALUES list."""
    return str(node.nodeName()).startswith("Scan") or any(
        _reads_a_dataset(c) for c in _children(node)
    )


def nested_loops_between_datasets(node: Any) -> list[str]:
    """The joins of a Spark physical plan that compare every row of one dataset with every row
    of another (a nested loop or a cartesian product with stored data on both sides)."""
    found = []
    if str(node.nodeName()) in NESTED_LOOPS and all(_reads_a_dataset(c) for c in _children(node)):
        found.append(str(node.simpleString(200)))
    for child in _children(node):
        found += nested_loops_between_datasets(child)
    return found


def test_no_model_compares_every_row_with_every_row_on_spark(spark: Any, county: County):
    """The distance models join on grid cells so that a school is compared with the venues of
    the nine cells around it, not with every venue. Spark plans a join only as written: a join
    condition naming three relations (`s.gx = v.gx + n.dx`) became a nested loop over every
    venue and every school, with the distance computed for each pair (the ×10 province's
    campus.internet_cafe was stopped unfinished after 16 minutes on one core). Every model's plan
    is checked on the county's data: no join compares two stored datasets row by row."""
    datasets = county.ws.datasets()
    warehouse = Warehouse(county.ws.warehouse_dir, county.ws.store)
    calendar = county.ws.calendar.working_day_table(county.ws.calendar.countable_years())
    offenders = {}
    for model_id in MODELS:
        spec = LIBRARY[model_id]
        params = parameters_in_force(spec, county.ws.overrides, county.ws.additions)
        values: dict[str, Any] = {k: v.value for k, v in params.items()}
        values["as_of"] = county.as_of
        with SparkEngine(warehouse, datasets) as db:
            sql = db.compile(spec.query, values)
            if uses_calendar(parse(spec.query)):
                db.provide_calendar(calendar)
            db.register(spec.datasets)
            plan = db.spark.sql(sql)._jdf.queryExecution().sparkPlan()
            if found := nested_loops_between_datasets(plan):
                offenders[model_id] = found
    assert offenders == {}


THREE_RELATION_JOIN = """
WITH s AS (
  SELECT name, uscc, school_type, lon, lat, _batch,
         grid_cell(lon, :max_distance_m) AS gx, grid_cell(lat, :max_distance_m) AS gy
  FROM schools
  WHERE school_type IN (:school_types)
),
v AS (
  SELECT name, uscc, venue_type, status, address, lon, lat, crs, _batch,
         grid_cell(lon, :max_distance_m) AS gx, grid_cell(lat, :max_distance_m) AS gy
  FROM venues
  WHERE venue_type = '网吧' AND status IN (:active_statuses)
),
neighbours AS (
  SELECT dx, dy FROM (VALUES (-1), (0), (1)) AS a(dx) CROSS JOIN (VALUES (-1), (0), (1)) AS b(dy)
),
pairs AS (
  SELECT v.name AS venue_name, v.uscc AS venue_uscc, v.venue_type, v.status AS venue_status,
         v.address AS venue_address, v.lon AS venue_lon, v.lat AS venue_lat, v.crs AS venue_crs,
         v._batch AS venue_batch,
         s.name AS school_name, s.uscc AS school_uscc, s.school_type, s.lon AS school_lon,
         s.lat AS school_lat, s._batch AS school_batch,
         haversine_m(v.lon, v.lat, s.lon, s.lat) AS metres
  FROM v
  CROSS JOIN neighbours AS n
  JOIN s ON s.gx = v.gx + n.dx AND s.gy = v.gy + n.dy
)
SELECT venue_name, venue_uscc, venue_type, venue_status, venue_address, venue_lon, venue_lat,
       venue_crs, school_name, school_uscc, school_type, school_lon, school_lat,
       ROUND(metres, 1) AS distance_m, :max_distance_m AS max_distance_m,
       venue_batch, school_batch
FROM pairs
WHERE metres <= :max_distance_m
ORDER BY venue_uscc, metres
"""
"""campus.internet_cafe's distance join as it was written before 6acb864 (`git show 6acb864^`)."""


def test_models_validate_warns_of_the_join_spark_runs_pair_by_pair(spark: Any, county: County):
    """`portability.pairwise_joins` (a warning of `shujian models validate`) names the
    three-relation equality that Spark plans as a nested loop over two stored datasets, and
    says nothing of the shipped models, whose plans have none (the test above)."""
    spec = LIBRARY["campus.internet_cafe"]
    params = parameters_in_force(spec, county.ws.overrides, county.ws.additions)
    values: dict[str, Any] = {k: v.value for k, v in params.items()}
    values["as_of"] = county.as_of
    datasets = county.ws.datasets()
    with SparkEngine(Warehouse(county.ws.warehouse_dir, county.ws.store), datasets) as db:
        sql = db.compile(THREE_RELATION_JOIN, values)
        db.register(["schools", "venues"])
        plan = db.spark.sql(sql)._jdf.queryExecution().sparkPlan()
        assert nested_loops_between_datasets(plan)
    warned = pairwise_joins(parse(THREE_RELATION_JOIN))
    assert len(warned) == 1 and "s.gx = v.gx + n.dx、s.gy = v.gy + n.dy" in warned[0]
    assert "3 张表（n、s、v）" in warned[0]
    assert {m: pairwise_joins(parse(LIBRARY[m].query)) for m in MODELS} == {m: [] for m in MODELS}


CONSTRUCTS = [
    # DuckDB divides as DOUBLE (DECIMAL / DECIMAL too) and gives ±inf for a zero divisor
    "SELECT CAST(a AS DECIMAL(20, 2)) / CAST(b AS DECIMAL(20, 2)) AS q, a / b AS r, 7 / 2 AS s"
    " FROM (VALUES (3, 2), (1, 0), (-1, 0), (NULL, 1)) AS t(a, b) ORDER BY a NULLS LAST, b",
    # ties of arg_max / arg_min are decided by the value itself; rows without a key are skipped
    "SELECT g, arg_max(x, k) AS hi, arg_min(x, k) AS lo FROM (VALUES (1, 'q', 2), (1, 'p', 2),"
    " (1, 'r', NULL), (2, 'z', 1), (2, 'a', 1)) AS t(g, x, k) GROUP BY g ORDER BY g",
    # string_agg(DISTINCT …) in order, NULL when there is nothing to join
    "SELECT g, string_agg(DISTINCT x, '、' ORDER BY x) AS xs FROM (VALUES (1, 'b'), (1, 'a'),"
    " (1, 'b'), (2, NULL)) AS t(g, x) GROUP BY g ORDER BY g",
]


@pytest.mark.parametrize("sql", CONSTRUCTS)
def test_a_construct_compiled_for_each_engine_gives_the_same_rows(spark: Any, sql: str):
    import duckdb

    from shujian.engine.dialects import compile_query

    expected = duckdb.sql(compile_query(sql, {}, "duckdb")).fetchall()
    rows = spark.sql(compile_query(sql, {}, "spark")).collect()
    assert [tuple(r) for r in rows] == expected
