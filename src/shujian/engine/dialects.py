"""Every difference between the engines, in one place.

A model's query is written once, in DuckDB-flavoured SQL, with `:name` parameters and a few
domain functions. Compiling it means: bind the parameters as literals, expand the domain
functions into plain SQL that every engine evaluates the same way, then let sqlglot write the
target dialect. Expanding (rather than registering engine-side functions) is deliberate: the
great-circle distance and the 周岁 age are then the same arithmetic on DuckDB and on Spark.

Domain functions available to models:

``haversine_m(lon1, lat1, lon2, lat2)``
    great-circle distance in metres on a sphere of the mean Earth radius (WGS-84 degrees).
``grid_cell(coord, size_m)``
    integer cell index of a coordinate for cells at least `size_m` wide in both axes inside
    China (1° of longitude ≥ 65 km up to 54° N), for non-quadratic distance joins: join on equal
    cells of the 3×3 neighbourhood, then filter by `haversine_m`.
``age_on(id_card, day)``
    age in 周岁 on `day` from the birth date in an 18-digit ID number, reached on the day
    *after* the birthday (最高法 未成年人刑事案件解释 art. 2).
``contains_any(text, :list)``
    true when `text` contains any of the words of a list parameter (a keyword rule such as
    罪名 lists), expanded into `LIKE` tests so that no engine's regex flavour matters; on DuckDB
    a long list of words made only of letters and digits becomes one alternation instead
    (`_regex_alternation`), which means the same in every regex flavour.
``add_working_days(day, n)``
    the n-th Chinese working day after `day` (holidays and make-up days from `calendar.py`),
    looked up in the `workday_calendar` table the engine provides.
``document_key(number)``
    a 文号 or 案号 without spaces and brackets (`DOCUMENT_NUMBER_MARKS`), for matching one
    agency's record of a document with another's: 〔2025〕, [2025] and （2025） are one number.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, cast

import sqlglot
from sqlglot import exp

EARTH_RADIUS_M = 6371008.8
"""Mean Earth radius (IUGG R1). Must equal `fields.geo.EARTH_RADIUS_M` used in Python."""

GRID_DEGREES_PER_METRE = 1 / 60000.0
"""A cell of `size_m * this` degrees is ≥ size_m wide: 1° lat ≈ 111 km, 1° lon ≥ 65 km ≤ 54° N."""

SOURCE_DIALECT = "duckdb"
ENGINES = {"duckdb": "duckdb", "spark": "spark", "postgres": "postgres"}

CALENDAR_TABLE = "workday_calendar"


class CompileError(ValueError):
    """A model query that cannot be compiled; the message is Chinese."""


def parse(sql: str) -> exp.Expression:
    """The one statement of `sql`, parsed once per process: a run checks, traces and compiles
    each model's query, four parses of the same text before. The tree is shared: never change
    it in place (copy it first, as `bind` and sqlglot's `transform` do)."""
    return _parsed(sql)


@functools.lru_cache(maxsize=256)
def _parsed(sql: str) -> exp.Expression:
    try:
        statements = [s for s in sqlglot.parse(sql, read=SOURCE_DIALECT) if s is not None]
    except sqlglot.errors.ParseError as error:
        raise CompileError(
            f"查询语句有语法错误：{error.errors[0]['description'] if error.errors else error}"
        ) from error
    if len(statements) != 1:
        raise CompileError(f"查询必须是一条 SELECT 语句，实际有 {len(statements)} 条。")
    return cast(exp.Expression, statements[0])


# ----------------------------------------------------------------------------- parameters


def literal(value: Any) -> exp.Expression:
    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float | Decimal):
        return exp.Literal.number(value)
    if isinstance(value, dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.Type.DATE)
    return exp.Literal.string(str(value))


def bind(tree: exp.Expression, params: Mapping[str, Any], engine: str = "duckdb") -> exp.Expression:
    """Replace `:name` placeholders with literals; a list fills an `IN (:name)` list."""
    missing: set[str] = set()

    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous) and node.name.lower() == "contains_any":
            return _contains_any(node, params, missing, engine)
        if isinstance(node, exp.In):
            items = node.expressions
            if len(items) == 1 and isinstance(items[0], exp.Placeholder):
                name = items[0].name
                if name not in params:
                    missing.add(name)
                    return node
                value = params[name]
                values = value if isinstance(value, list | tuple) else [value]
                if not values:
                    return exp.false()
                node.set("expressions", [literal(v) for v in values])
            return node
        if isinstance(node, exp.Placeholder):
            if node.name not in params:
                missing.add(node.name)
                return node
            value = params[node.name]
            if isinstance(value, list | tuple):
                raise CompileError(f"参数 {node.name} 是列表，只能用在 IN (:{node.name}) 中。")
            return literal(value)
        return node

    bound = tree.transform(replace)  # on a copy: `tree` is left as it is
    if missing:
        raise CompileError(f"查询用到了未声明的参数：{'、'.join(sorted(missing))}")
    return bound


REGEX_MIN_WORDS = 8
"""From this many words on, DuckDB tests a `contains_any` list as one RE2 alternation: one pass
over the text instead of one per word (medbeauty.unlicensed's 25 keywords and 18 negations over
two million real-length business scopes: its query 4.68 → 1.42 s). Below it the `LIKE` tests are
cheaper (about 15 ms per word per 2 M values against a flat 100 ms for the regex). Measured in
docs/benchmark.md."""


def _contains_any(
    node: exp.Anonymous, params: Mapping[str, Any], missing: set[str], engine: str
) -> exp.Expression:
    if len(node.expressions) != 2 or not isinstance(node.expressions[1], exp.Placeholder):
        raise CompileError("contains_any 的用法是 contains_any(列, :列表参数)。")
    text, placeholder = node.expressions
    if placeholder.name not in params:
        missing.add(placeholder.name)
        return node
    words = params[placeholder.name]
    words = [str(w) for w in (words if isinstance(words, list | tuple) else [words])]
    for word in words:
        _refuse_wildcards(word)
    if not words:
        return exp.false()
    pattern = _regex_alternation(words) if engine == "duckdb" else None
    if pattern is not None:
        return exp.RegexpLike(this=text.copy(), expression=exp.Literal.string(pattern))
    tests: list[exp.Expression] = [
        exp.Like(this=text.copy(), expression=exp.Literal.string(f"%{w}%")) for w in words
    ]
    return exp.paren(exp.or_(*tests))


def _regex_alternation(words: list[str]) -> str | None:
    """`w1|w2|…` when it tests exactly what the words' `LIKE '%w%'` tests do: at least
    `REGEX_MIN_WORDS` words, none empty, and none holding an ASCII character other than a letter
    or a digit. Every regex metacharacter of RE2 (DuckDB), Java (Spark) and PostgreSQL is ASCII
    punctuation, so such a word is a literal in each, and an alternation of literals matches
    wherever one of them occurs. Otherwise None (the `LIKE` tests are kept)."""
    if len(words) < REGEX_MIN_WORDS:
        return None
    for word in words:
        if not word or any(c.isascii() and not c.isalnum() for c in word):
            return None
    return "|".join(words)


def _refuse_wildcards(word: str) -> None:
    # Keywords are plain Chinese words; refuse LIKE wildcards rather than escape per dialect.
    if "%" in word or "_" in word:
        raise CompileError(f"关键词“{word}”中不能含有 % 或 _。")


def placeholders(tree: exp.Expression) -> set[str]:
    return {p.name for p in tree.find_all(exp.Placeholder)}


# ----------------------------------------------------------------------------- functions


def _radians(e: exp.Expression) -> exp.Expression:
    return exp.Mul(this=exp.paren(e.copy()), expression=exp.Literal.number("0.017453292519943295"))


def _haversine(args: list[exp.Expression]) -> exp.Expression:
    lon1, lat1, lon2, lat2 = (_radians(a) for a in args)
    half_dlat = exp.Div(
        this=exp.paren(exp.Sub(this=lat2, expression=lat1)), expression=exp.Literal.number(2)
    )
    half_dlon = exp.Div(
        this=exp.paren(exp.Sub(this=lon2.copy(), expression=lon1.copy())),
        expression=exp.Literal.number(2),
    )
    a = exp.Add(
        this=exp.Pow(
            this=exp.Anonymous(this="SIN", expressions=[half_dlat]),
            expression=exp.Literal.number(2),
        ),
        expression=exp.Mul(
            this=exp.Mul(
                this=exp.Anonymous(this="COS", expressions=[lat1.copy()]),
                expression=exp.Anonymous(this="COS", expressions=[lat2.copy()]),
            ),
            expression=exp.Pow(
                this=exp.Anonymous(this="SIN", expressions=[half_dlon]),
                expression=exp.Literal.number(2),
            ),
        ),
    )
    # LEAST(1, a) guards ASIN against rounding just above 1 for antipodal points.
    clipped = exp.Least(this=exp.Literal.number(1), expressions=[a])
    asin = exp.Anonymous(this="ASIN", expressions=[exp.Sqrt(this=clipped)])
    return exp.paren(exp.Mul(this=exp.Literal.number(2 * EARTH_RADIUS_M), expression=asin))


def _grid_cell(args: list[exp.Expression]) -> exp.Expression:
    coord, size_m = args
    width = exp.Mul(
        this=exp.paren(size_m.copy()), expression=exp.Literal.number(repr(GRID_DEGREES_PER_METRE))
    )
    cell = exp.Floor(this=exp.Div(this=exp.paren(coord.copy()), expression=exp.paren(width)))
    return exp.cast(cell, exp.DataType.Type.BIGINT)


def _ymd(day: exp.Expression) -> exp.Expression:
    y = exp.Mul(this=exp.Year(this=day.copy()), expression=exp.Literal.number(10000))
    m = exp.Mul(this=exp.Month(this=day.copy()), expression=exp.Literal.number(100))
    return exp.Add(this=exp.Add(this=y, expression=m), expression=exp.Day(this=day.copy()))


def _age_on(args: list[exp.Expression]) -> exp.Expression:
    id_card, day = args
    birth = exp.cast(
        exp.Substring(
            this=id_card.copy(), start=exp.Literal.number(7), length=exp.Literal.number(8)
        ),
        exp.DataType.Type.INT,
    )
    # floor((yyyymmdd(day) - yyyymmdd(birth) - 1) / 10000): the "- 1" makes the age change on
    # the day after the birthday, as the judicial convention requires.
    diff = exp.Sub(this=exp.Sub(this=_ymd(day), expression=birth), expression=exp.Literal.number(1))
    return exp.cast(
        exp.Floor(this=exp.Div(this=exp.paren(diff), expression=exp.Literal.number(10000))),
        exp.DataType.Type.INT,
    )


_WORKING_DAY_LOOKUP = f"""
SELECT MIN(_wd_end.day)
FROM {CALENDAR_TABLE} AS _wd_start
JOIN {CALENDAR_TABLE} AS _wd_end
  ON _wd_end.working_day_no = _wd_start.working_day_no + __n__ AND _wd_end.is_working_day
WHERE _wd_start.day = CAST(__day__ AS DATE)
"""


def _add_working_days(args: list[exp.Expression]) -> exp.Expression:
    # The n-th working day after `day` is the first working day whose running count is the
    # count on `day` plus n; the count on a holiday equals that of the last working day before
    # it, so a start on a holiday counts from the next working day, as the law counts periods.
    day, n = args
    query = sqlglot.parse_one(_WORKING_DAY_LOOKUP, read=SOURCE_DIALECT)

    def fill(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and node.name in ("__n__", "__day__"):
            return exp.paren(n.copy()) if node.name == "__n__" else day.copy()
        return node

    return exp.Subquery(this=query.transform(fill))


DOCUMENT_NUMBER_MARKS = (" ", "〔", "〕", "[", "]", "(", ")", "（", "）", "【", "】")
"""What agencies write differently in one document's number. The import gives round brackets
back as full-width （） (`fields.document_number`), so both kinds are listed."""


def _document_key(args: list[exp.Expression]) -> exp.Expression:
    key = args[0].copy()
    for mark in DOCUMENT_NUMBER_MARKS:
        key = exp.Anonymous(
            this="REPLACE",
            expressions=[key, exp.Literal.string(mark), exp.Literal.string("")],
        )
    return key


FUNCTIONS: dict[str, tuple[int, Callable[[list[exp.Expression]], exp.Expression]]] = {
    "haversine_m": (4, _haversine),
    "grid_cell": (2, _grid_cell),
    "age_on": (2, _age_on),
    "add_working_days": (2, _add_working_days),
    "document_key": (1, _document_key),
}


def expand_functions(tree: exp.Expression, *, copy: bool = True) -> exp.Expression:
    """The platform's functions (haversine_m, age_on …) written out in SQL; `copy=False`
    rewrites a tree the caller owns in place (a deep copy costs as much as the rewrite)."""

    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous) and node.name.lower() in FUNCTIONS:
            arity, build = FUNCTIONS[node.name.lower()]
            if len(node.expressions) != arity:
                raise CompileError(
                    f"函数 {node.name} 需要 {arity} 个参数，实际 {len(node.expressions)} 个。"
                )
            return build(list(node.expressions))
        return node

    return tree.transform(replace, copy=copy)


def _defined_ties(node: exp.ArgMax | exp.ArgMin) -> exp.Expression:
    """`arg_max(x, k)` with its ties decided: among the rows of the greatest `k`, the greatest
    `x` (the least for `arg_min`), on every engine. Which of several rows with the same `k`
    either engine picks otherwise depends on the order it reads them in. Rows without `k` are
    skipped as before (the key is NULL then, not a struct holding a NULL)."""
    if node.args.get("count") is not None:
        return node  # arg_max(x, k, n) returns a list: refused by `portability`
    value, key = node.this, node.expression
    struct = exp.Struct(
        expressions=[
            exp.PropertyEQ(this=exp.to_identifier("k"), expression=key.copy()),
            exp.PropertyEQ(this=exp.to_identifier("v"), expression=value.copy()),
        ]
    )
    present = exp.Not(this=exp.Is(this=key.copy(), expression=exp.null()))
    keyed = exp.Case(ifs=[exp.If(this=present, true=struct)])
    return type(node)(this=value.copy(), expression=keyed)


def decide_ties(tree: exp.Expression, *, copy: bool = True) -> exp.Expression:
    """Aggregates whose answer among ties would depend on the order of the rows, made exact
    (`_defined_ties`): part of every engine's query, so DuckDB and Spark agree. `copy=False`
    rewrites a tree the caller owns in place."""

    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.ArgMax | exp.ArgMin) and not isinstance(node.expression, exp.Case):
            return _defined_ties(node)
        return node

    return tree.transform(replace, copy=copy)


def uses_calendar(tree: exp.Expression) -> bool:
    return any(
        isinstance(n, exp.Anonymous) and n.name.lower() == "add_working_days"
        for n in tree.find_all(exp.Anonymous)
    )


# ----------------------------------------------------------------------------- Spark


def _double(e: exp.Expression) -> exp.Expression:
    return exp.cast(exp.paren(e.copy()) if not isinstance(e, exp.Column) else e.copy(), "DOUBLE")


def _spark_division(node: exp.Div) -> exp.Expression:
    """DuckDB's `/` always divides as DOUBLE (DECIMAL / DECIMAL included, where Spark keeps a
    DECIMAL of another scale) and gives ±infinity (NaN for 0 / 0) for a zero divisor, where
    Spark with ANSI on raises an error: the same on Spark, written out."""
    left, right = _double(node.this), _double(node.expression)
    infinite = exp.Mul(
        this=left.copy(), expression=exp.cast(exp.Literal.string("Infinity"), "DOUBLE")
    )
    quotient = exp.Anonymous(this="TRY_DIVIDE", expressions=[left, right])
    zero = exp.EQ(this=right.copy(), expression=exp.Literal.number(0))
    return exp.paren(exp.Case(ifs=[exp.If(this=zero, true=infinite)], default=quotient))


def _distinct_text(node: exp.GroupConcat) -> exp.Expression | None:
    """`string_agg(DISTINCT x, sep ORDER BY x)` as Spark can run it: Spark's
    `LISTAGG(DISTINCT …) WITHIN GROUP` fails inside its planner (a ClassCastException), so the
    distinct values are sorted as an array and joined; NULL when there is none, as on DuckDB.
    None when the aggregate is not of that form (left as written)."""
    order = node.this
    if not isinstance(order, exp.Order) or not isinstance(order.this, exp.Distinct):
        return None
    values = order.this.expressions
    keys = order.expressions
    if len(values) != 1 or len(keys) != 1 or keys[0].this != values[0]:
        return None
    value = values[0]
    ordered = exp.Anonymous(
        this="SORT_ARRAY",
        expressions=[
            exp.Anonymous(this="COLLECT_SET", expressions=[value.copy()]),
            exp.Boolean(this=not keys[0].args.get("desc")),
        ],
    )
    separator = node.args.get("separator") or exp.Literal.string(",")
    joined = exp.Anonymous(this="ARRAY_JOIN", expressions=[ordered, separator.copy()])
    none = exp.EQ(this=exp.Count(this=value.copy()), expression=exp.Literal.number(0))
    return exp.paren(exp.Case(ifs=[exp.If(this=none, true=exp.null())], default=joined))


def for_spark(tree: exp.Expression, *, copy: bool = True) -> exp.Expression:
    """A model's expanded query with DuckDB's meaning kept where sqlglot's translation to Spark
    would change it silently (`engine.portability` refuses what cannot be kept this way)."""

    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Div):
            return _spark_division(node)
        if isinstance(node, exp.GroupConcat):
            return _distinct_text(node) or node
        if isinstance(node, exp.CTE) and node.args.get("materialized"):
            # AS MATERIALIZED is DuckDB's hint to compute a CTE once (medbeauty.unlicensed);
            # Spark SQL has no such syntax, and the rows are the same without it
            node.set("materialized", None)
        return node

    return tree.transform(replace, copy=copy)


def compile_query(sql: str, params: Mapping[str, Any], engine: str = "duckdb") -> str:
    """Model SQL + parameters → SQL text for `engine`."""
    if engine not in ENGINES:
        raise CompileError(f"未知的计算引擎：{engine}（可选：{'、'.join(ENGINES)}）")
    # one copy of the shared parsed tree (made by `bind`), rewritten in place from then on
    tree = decide_ties(expand_functions(bind(parse(sql), params, engine), copy=False), copy=False)
    if engine == "spark":
        tree = for_spark(tree, copy=False)
    return tree.sql(dialect=ENGINES[engine], unsupported_level=sqlglot.ErrorLevel.RAISE)
