"""SQL that would mean something else on Spark (or nothing fixed anywhere) is found and named.

Each trap is tried as authors write it, in the places a query hides it (a CTE, a subquery, a
CASE); each portable way of writing the same thing passes. The catalogue's models pass.
"""

from __future__ import annotations

import pytest

from shujian.engine import portability
from shujian.engine.dialects import parse
from shujian.models.spec import load_library


@pytest.mark.parametrize(
    ("sql", "codes"),
    [
        ("SELECT list(x ORDER BY i) FROM t", ["ordered_list"]),
        ("SELECT array_agg(x ORDER BY i) FROM t", ["ordered_list"]),
        (
            "WITH w AS (SELECT k, array_to_string(list(x ORDER BY i), '、') AS s FROM t GROUP BY k)"
            " SELECT * FROM w",
            ["ordered_list"],
        ),
        ("SELECT array_to_string(list(x), '、') FROM t", ["unordered_list_text"]),
        ("SELECT CAST(array_agg(x) AS VARCHAR) FROM t", ["unordered_list_text"]),
        ("SELECT string_agg(x, '、') FROM t", ["unordered_text"]),
        ("SELECT k, (SELECT group_concat(y) FROM u) FROM t", ["unordered_text"]),
        ("SELECT regexp_replace(a, '[;,]+', ';') FROM t", ["regexp_replace_first"]),
        ("SELECT regexp_replace(a, 'x', 'y', 'i') FROM t", ["regexp_replace_first"]),
        ("SELECT a FROM t QUALIFY row_number() OVER (PARTITION BY k ORDER BY a) = 1", ["qualify"]),
        ("SELECT arg_max(a, b, 2) FROM t", ["arg_list"]),
        ("SELECT CASE WHEN b > 0 THEN a / 0 END FROM t", ["divide_by_zero"]),
        ("SELECT a % 0.0 FROM t", ["divide_by_zero"]),
        (
            "SELECT string_agg(x, '、'), regexp_replace(a, 'x', 'y') FROM t",
            ["unordered_text", "regexp_replace_first"],
        ),
        # the portable ways of writing the same
        ("SELECT string_agg(x, '、' ORDER BY i) FROM t", []),
        ("SELECT string_agg(DISTINCT x, '、' ORDER BY x) FROM t", []),
        ("SELECT array_to_string(array_sort(array_distinct(list(x))), '；') FROM t", []),
        ("SELECT len(list(x)), list_contains(list(x), 'a') FROM t", []),
        ("SELECT regexp_replace(a, '[;,]+', ';', 'g') FROM t", []),
        ("SELECT a / 2, a / NULLIF(b, 0) FROM t", []),
        (
            "SELECT * FROM (SELECT a, row_number() OVER (PARTITION BY k ORDER BY a) AS n FROM t)"
            " WHERE n = 1",
            [],
        ),
    ],
)
def test_each_trap_is_found_where_it_hides(sql: str, codes: list[str]) -> None:
    assert [code for code, _ in portability.findings(parse(sql))] == codes


def test_the_message_names_the_construct_as_written_and_what_to_write() -> None:
    [problem] = portability.problems(
        parse("SELECT array_to_string(list(x ORDER BY i), '、') FROM t")
    )
    assert "list(x ORDER BY i)" in problem
    assert "Spark" in problem and "string_agg(列, '、' ORDER BY 排序列)" in problem


def test_every_catalogue_model_is_portable() -> None:
    found = {
        m.id: portability.findings(parse(m.query))
        for m in load_library().values()
        if portability.findings(parse(m.query))
    }
    assert found == {}


SCHEMA = {
    "t": {
        "d1": "DATE",
        "d2": "DATE",
        "amount": "DECIMAL(20,2)",
        "ratio": "DOUBLE",
        "n": "BIGINT",
        "code": "VARCHAR",
    }
}


def typed(sql: str) -> list[str]:
    from sqlglot.optimizer.qualify import qualify

    tree = qualify(parse(sql), schema=SCHEMA, dialect="duckdb")
    return [code for code, _ in portability.typed_findings(tree, SCHEMA)]


@pytest.mark.parametrize(
    ("sql", "codes"),
    [
        ("SELECT d2 - d1 AS days FROM t", ["date_minus_date"]),
        ("SELECT * FROM t WHERE d2 - d1 > 30", ["date_minus_date"]),
        ("SELECT CAST(amount AS INT) FROM t", ["fraction_to_integer"]),
        (
            "WITH w AS (SELECT ratio * 2 AS r FROM t) SELECT CAST(r AS BIGINT) FROM w",
            ["fraction_to_integer"],
        ),
        # the portable ways of writing the same
        ("SELECT date_diff('day', d1, d2) AS days FROM t", []),
        ("SELECT d1 - 3 AS earlier FROM t", []),
        ("SELECT CAST(round(amount) AS INT), CAST(floor(ratio) AS BIGINT) FROM t", []),
        ("SELECT CAST(n AS INT), CAST(substring(code, 1, 4) AS INT) FROM t", []),
    ],
)
def test_traps_that_depend_on_types_are_found_with_the_declared_schema(
    sql: str, codes: list[str]
) -> None:
    assert typed(sql) == codes


PAIRWISE = [
    # (query, the tables each warning names, in order): one warning per join
    ("SELECT 1 FROM a JOIN b ON a.k = b.k", []),
    ("SELECT 1 FROM a JOIN b ON a.k = b.k JOIN c ON c.k = a.k + b.k", ["a、b、c"]),
    (
        "SELECT 1 FROM a CROSS JOIN n JOIN s ON s.gx = a.gx + n.dx AND s.gy = a.gy + n.dy",
        ["a、n、s"],
    ),
    # two joins, each with its own three-table equality: two warnings
    (
        "SELECT 1 FROM a CROSS JOIN n JOIN s ON s.x = a.x + n.d JOIN t ON t.y = s.y + n.d",
        ["a、n、s", "n、s、t"],
    ),
    # an implicit join in WHERE counts, a subquery's too (as its own join)
    ("SELECT 1 FROM a, b, c WHERE a.k = b.k + c.k", ["a、b、c"]),
    (
        "SELECT 1 FROM a JOIN b ON a.k IN (SELECT c.k FROM c, d, e WHERE c.k = d.k + e.k)",
        ["c、d、e"],
    ),
    # an equality in a SELECT list is no join condition
    ("SELECT a.k = b.k + c.k AS same FROM a, b, c", []),
    # a one-sided expression is a filter, not a join; unqualified columns are not counted
    ("SELECT 1 FROM a JOIN b ON a.k = b.k AND a.x + b.x + c.x = 1", []),
    ("SELECT 1 FROM a JOIN b ON k = x + y", []),
]


@pytest.mark.parametrize(("sql", "tables"), PAIRWISE)
def test_a_join_naming_three_tables_in_one_equality_is_warned_of_once(
    sql: str, tables: list[str]
) -> None:
    warnings = portability.pairwise_joins(parse(sql))
    assert [w[w.index("（") + 1 : w.index("）")] for w in warnings] == tables
