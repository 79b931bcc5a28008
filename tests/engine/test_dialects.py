"""The domain functions expand to the same arithmetic on every engine."""

from __future__ import annotations

import datetime as dt
import math
import random

import duckdb
import pytest
import sqlglot

from shujian import calendar
from shujian.engine.dialects import CompileError, compile_query


def duck(sql: str, params: dict | None = None):
    return duckdb.sql(compile_query(sql, params or {}, "duckdb")).fetchall()


def python_haversine(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(a))


def test_haversine_in_sql_matches_python_to_a_millimetre():
    rng = random.Random(1)
    for _ in range(50):
        lon1, lat1 = rng.uniform(73, 136), rng.uniform(3, 54)
        lon2, lat2 = lon1 + rng.uniform(-0.01, 0.01), lat1 + rng.uniform(-0.01, 0.01)
        ((got,),) = duck(f"SELECT haversine_m({lon1}, {lat1}, {lon2}, {lat2}) AS d")
        assert got == pytest.approx(python_haversine(lon1, lat1, lon2, lat2), abs=1e-3)


@pytest.mark.parametrize(
    ("day", "age"),
    [
        ("2024-10-01", 17),  # the 18th birthday itself: still a minor
        ("2024-10-02", 18),  # the day after: an adult
        ("2024-09-30", 17),
        ("2025-10-01", 18),
    ],
)
def test_age_is_reached_on_the_day_after_the_birthday(day: str, age: int):
    ((got,),) = duck(f"SELECT age_on('520203200610011234', DATE '{day}') AS a")
    assert got == age


def test_age_of_a_leap_day_baby():
    rows = duck(
        "SELECT age_on('520203200802291234', DATE '2026-02-28') AS a, "
        "age_on('520203200802291234', DATE '2026-03-01') AS b"
    )
    assert rows == [(17, 18)]


def test_list_parameter_fills_in_list_and_contains_any():
    rows = duck(
        "SELECT x FROM (VALUES ('强制猥亵罪'), ('盗窃罪'), ('猥亵儿童罪')) AS t(x) "
        "WHERE contains_any(x, :words) AND x IN (:allowed) ORDER BY x",
        {"words": ["猥亵"], "allowed": ["强制猥亵罪", "盗窃罪"]},
    )
    assert rows == [("强制猥亵罪",)]


TEXTS = [
    "美容服务（不含医疗美容）；美甲服务",
    "医疗美容服务；美容服务",
    "SPA养生；足浴服务",
    "spa养生",
    "C++培训；软件开发",
    "机动车修理(A.B级)",
    "",
    None,
]
LONG_WORDS = ["医疗美容", "医美", "美容外科", "玻尿酸", "肉毒", "水光针", "线雕", "吸脂", "SPA"]


@pytest.mark.parametrize(
    ("words", "form"),
    [
        (["医疗美容", "SPA"], "LIKE"),  # short list: LIKE tests are cheaper
        (LONG_WORDS, "REGEXP_MATCHES"),  # long list of letters and digits: one alternation
        ([*LONG_WORDS, "C++"], "LIKE"),  # `+` is a regex metacharacter: LIKE tests kept
        ([*LONG_WORDS, "(A.B"], "LIKE"),  # so are `(` and `.`
        ([*LONG_WORDS, "美甲 服务"], "LIKE"),  # and an ASCII space is not a letter
        ([*LONG_WORDS, "（不含"], "REGEXP_MATCHES"),  # full-width brackets are literals everywhere
    ],
)
def test_contains_any_is_substring_search_whatever_form_it_takes(words: list[str], form: str):
    sql = compile_query("SELECT x, contains_any(x, :words) AS hit FROM t", {"words": words})
    assert form in sql.upper()
    con = duckdb.connect()
    con.execute("CREATE TABLE t (x VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [(x,) for x in TEXTS])
    got = dict(con.execute(sql).fetchall())
    want = {x: None if x is None else any(w in x for w in words) for x in TEXTS}
    assert got == want  # case-sensitive ("spa" is not "SPA"), NULL stays NULL


def test_contains_any_stays_like_tests_on_spark():
    sql = compile_query(
        "SELECT contains_any(x, :words) AS hit FROM t", {"words": LONG_WORDS}, "spark"
    )
    assert "RLIKE" not in sql.upper() and sql.upper().count(" LIKE ") == len(LONG_WORDS)


def test_an_undeclared_parameter_is_refused():
    with pytest.raises(CompileError, match="未声明的参数"):
        compile_query("SELECT 1 AS a WHERE 1 < :missing", {}, "duckdb")


def test_working_day_deadline_in_sql_matches_the_calendar():
    con = duckdb.connect()
    con.register("frame", calendar.working_day_table(range(2024, 2026)))
    con.execute("CREATE TABLE workday_calendar AS SELECT * FROM frame")
    start = dt.date(2024, 9, 1)
    for i in range(90):
        day = start + dt.timedelta(days=i)
        sql = compile_query(f"SELECT add_working_days(DATE '{day}', 20) AS d", {}, "duckdb")
        ((got,),) = con.execute(sql).fetchall()
        assert got == calendar.add_working_days(day, 20), day


def test_national_day_2024_pushes_the_deadline():
    # 2024-09-20 + 20 working days: 9-29 and 10-12 are make-up working days, 10-1..10-7 off.
    assert calendar.add_working_days(dt.date(2024, 9, 20), 20) == dt.date(2024, 10, 23)


def test_domain_functions_compile_for_spark():
    sql = compile_query(
        "SELECT haversine_m(a, b, c, d) AS m, grid_cell(a, 200) AS g, age_on(i, DATE '2024-01-01') AS y "
        "FROM t",
        {},
        "spark",
    )
    assert sqlglot.parse_one(sql, read="spark") is not None
    assert "ASIN" in sql and "SUBSTRING" in sql


def test_a_materialized_cte_loses_only_its_hint_on_spark():
    # medbeauty.unlicensed computes its bracket-stripped items once with AS MATERIALIZED, which
    # Spark SQL cannot parse (the differential test failed with 查询出错)
    sql = "WITH a AS MATERIALIZED (SELECT 1 AS x) SELECT x FROM a"
    assert "MATERIALIZED" in compile_query(sql, {}, "duckdb")
    spark = compile_query(sql, {}, "spark")
    assert "MATERIALIZED" not in spark and "WITH a AS (SELECT 1 AS x)" in spark
