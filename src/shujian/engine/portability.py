"""SQL whose meaning differs between the engines a model may run on: refused before it runs.

A model is written once in DuckDB's SQL and must give the same leads on DuckDB and on Spark
(`dialects.compile_query` translates it with sqlglot). Some constructs translate without an
error but mean something else there, or mean nothing fixed on either engine. Each is declared
below with what to write instead; `problems` finds them in a parsed query. The catalogue's
models are written without them, and a procuratorate's own models get the same check
(`models.checks.check_model`, so `shujian models validate` and every run).

Some differences are not refused but written away by `dialects.compile_query`, so a model need
not care: `/` divides as DOUBLE on both engines (DuckDB's DECIMAL / DECIMAL is a DOUBLE, Spark's a
DECIMAL) with DuckDB's ±infinity for a zero divisor (Spark raises an error), `arg_min` /
`arg_max` decide their ties by the value itself, `string_agg(DISTINCT …)` is written the way
Spark's planner can run, and a result's column types are DuckDB's on either engine
(`engine.spark`). Others depend on the types of the operands (`typed_findings`, run once the
query's columns are bound to the declared datasets): DATE − DATE (an integer on DuckDB, an
interval on Spark) and a cast of a fraction to an integer (DuckDB rounds, Spark truncates).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlglot import exp


@dataclass(frozen=True)
class Trap:
    code: str
    construct: str
    why: str
    instead: str


TRAPS = {
    t.code: t
    for t in (
        Trap(
            "ordered_list",
            "list(… ORDER BY …) / array_agg(… ORDER BY …)",
            "Spark 的 collect_list 不保留排序，拼出的文字次序会不同",
            "改用 string_agg(列, '、' ORDER BY 排序列)",
        ),
        Trap(
            "unordered_text",
            "不带 ORDER BY 的 string_agg / group_concat / listagg",
            "拼接的次序没有规定，同一数据在不同引擎、不同分区下可能拼出不同的文字",
            "写明次序：string_agg(列, '、' ORDER BY 排序列)",
        ),
        Trap(
            "unordered_list_text",
            "把不带排序的 list / array_agg 转成文字",
            "列表元素的次序没有规定，转成的文字在不同引擎、不同分区下可能不同",
            "改用 string_agg(列, '、' ORDER BY 排序列)，或先 array_sort 再转成文字",
        ),
        Trap(
            "regexp_replace_first",
            "不带 'g' 标志的 regexp_replace",
            "DuckDB 只替换第一处匹配，Spark 替换全部匹配",
            "写明 regexp_replace(列, 模式, 替换, 'g')（替换全部匹配）",
        ),
        Trap(
            "qualify",
            "QUALIFY",
            "译到 Spark 时多出一个辅助列",
            "在子查询中算出窗口函数的值，再在外层 WHERE 中筛选",
        ),
        Trap(
            "date_minus_date",
            "日期减日期（DATE − DATE）",
            "DuckDB 得到相差的天数（整数），Spark 得到时间间隔",
            "改用 date_diff('day', 较早日期, 较晚日期)",
        ),
        Trap(
            "fraction_to_integer",
            "把小数 CAST 为整数",
            "DuckDB 四舍五入，Spark 截去小数部分",
            "写明取整方式：CAST(round(值) AS INT)、CAST(floor(值) AS INT) 或 CAST(trunc(值) AS INT)",
        ),
        Trap(
            "arg_list",
            "带第三个参数（个数）的 arg_min / arg_max",
            "取出的多行在并列时的次序没有规定，Spark 也没有对应的写法",
            "改用 string_agg(列, '、' ORDER BY 排序列) 或窗口函数 row_number() 取前几行",
        ),
        Trap(
            "divide_by_zero",
            "除以常数 0",
            "DuckDB 得到空值或无穷大，Spark 报错",
            "去掉除以 0 的写法，或用 CASE WHEN 除数 = 0 THEN NULL ELSE … END",
        ),
    )
}


def message(code: str, snippet: str) -> str:
    trap = TRAPS[code]
    return (
        f"查询中的“{snippet}”用了 {trap.construct}：{trap.why}。请{trap.instead}"
        "（模型须在 DuckDB 和 Spark 上得到相同的线索）。"
    )


def _ordered(node: exp.Expression) -> bool:
    return isinstance(node.this, exp.Order)


def _sorted_above(node: exp.Expression) -> bool:
    """Whether the list is sorted before anything reads its order (array_sort around it)."""
    parent = node.parent
    while parent is not None and not isinstance(parent, exp.Select):
        if isinstance(parent, exp.ArraySort) or (
            isinstance(parent, exp.Anonymous) and parent.name.lower() in {"list_sort", "array_sort"}
        ):
            return True
        parent = parent.parent
    return False


def _made_text(node: exp.Expression) -> bool:
    """Whether the list becomes text (array_to_string, a cast to text) within its expression."""
    parent = node.parent
    while parent is not None and not isinstance(parent, exp.Select):
        if isinstance(parent, exp.ArrayToString) or (
            isinstance(parent, exp.Cast) and parent.to.is_type(*exp.DataType.TEXT_TYPES)
        ):
            return True
        parent = parent.parent
    return False


_AUTHORS_NAMES = {"LISTAGG(": "string_agg(", "ARRAY_AGG(": "list("}
"""sqlglot writes DuckDB's string_agg and list under other names: shown as the author wrote."""


def _snippet(node: exp.Expression, limit: int = 60) -> str:
    text = " ".join(node.sql(dialect="duckdb").split())
    for written, authors in _AUTHORS_NAMES.items():
        if text.startswith(written):
            text = authors + text[len(written) :]
    return text if len(text) <= limit else text[: limit - 1] + "…"


def findings(tree: exp.Expression) -> list[tuple[str, str]]:
    """(trap code, the SQL it was found in) for every trap in the query, in query order."""
    found: list[tuple[str, str]] = []
    for node in tree.walk():
        if isinstance(node, exp.ArrayAgg):
            if _ordered(node):
                found.append(("ordered_list", _snippet(node)))
            elif _made_text(node) and not _sorted_above(node):
                found.append(("unordered_list_text", _snippet(node)))
        elif isinstance(node, exp.GroupConcat) and not _ordered(node):
            found.append(("unordered_text", _snippet(node)))
        elif isinstance(node, exp.RegexpReplace):
            flags = node.args.get("modifiers")
            if not (isinstance(flags, exp.Literal) and "g" in flags.this):
                found.append(("regexp_replace_first", _snippet(node)))
        elif isinstance(node, exp.ArgMax | exp.ArgMin) and node.args.get("count") is not None:
            found.append(("arg_list", _snippet(node)))
        elif isinstance(node, exp.Qualify):
            found.append(("qualify", _snippet(node)))
        elif isinstance(node, exp.Div | exp.IntDiv | exp.Mod):
            divisor = node.expression
            zero = isinstance(divisor, exp.Literal) and not divisor.is_string
            if zero and float(divisor.this) == 0:
                found.append(("divide_by_zero", _snippet(node)))
    return found


def problems(tree: exp.Expression) -> list[str]:
    """The traps found, each as a Chinese sentence naming the construct and what to write."""
    return [message(code, snippet) for code, snippet in findings(tree)]


_INTEGERS = (
    exp.DataType.Type.TINYINT,
    exp.DataType.Type.SMALLINT,
    exp.DataType.Type.INT,
    exp.DataType.Type.BIGINT,
    exp.DataType.Type.INT128,
)
_FRACTIONS = (
    exp.DataType.Type.FLOAT,
    exp.DataType.Type.DOUBLE,
    exp.DataType.Type.DECIMAL,
)


def _typed(node: exp.Expression, *types: Any) -> bool:
    kind = node.type
    return kind is not None and kind.is_type(*types)


def typed_findings(qualified: exp.Expression, schema: dict[str, object]) -> list[tuple[str, str]]:
    """The traps that depend on the operands' types, in a query whose columns are bound to the
    datasets (`sqlglot.optimizer.qualify`) with `schema`: (trap code, the SQL it was found in).
    An operand whose type sqlglot cannot tell is not refused. The tree is annotated in place
    (its nodes gain their types): pass a copy to keep it as it was."""
    from sqlglot.optimizer.annotate_types import annotate_types

    try:
        annotated = annotate_types(qualified, schema=schema, dialect="duckdb")
    except Exception:  # a shape sqlglot cannot type: the differential tests are the net
        return []
    found: list[tuple[str, str]] = []
    for node in annotated.walk():
        if isinstance(node, exp.Sub) and all(
            _typed(side, exp.DataType.Type.DATE) for side in (node.this, node.expression)
        ):
            found.append(("date_minus_date", _snippet(node)))
        elif (
            isinstance(node, exp.Cast)
            and node.to.is_type(*_INTEGERS)
            and _typed(node.this, *_FRACTIONS)
            and not isinstance(node.this, exp.Round | exp.Floor | exp.Ceil)
            and not (isinstance(node.this, exp.Anonymous) and node.this.name.lower() == "trunc")
        ):
            found.append(("fraction_to_integer", _snippet(node)))
    return found


def typed_problems(qualified: exp.Expression, schema: dict[str, object]) -> list[str]:
    """`typed_findings` as Chinese sentences."""
    return [message(code, snippet) for code, snippet in typed_findings(qualified, schema)]


def adjustments(tree: exp.Expression) -> list[str]:
    """What `dialects.compile_query` writes differently in this query so that both engines
    agree (told to the author by `shujian models validate`), in Chinese."""
    notes = []
    if any(isinstance(n, exp.Div) for n in tree.walk()):
        notes.append(
            "除法（/）在两种引擎上都按 DOUBLE 计算，除数为 0 时得到无穷大（与 DuckDB 相同）"
        )
    if any(isinstance(n, exp.ArgMax | exp.ArgMin) for n in tree.walk()):
        notes.append("arg_max / arg_min 遇到排序值并列时，取被取值本身最大（arg_min 为最小）的一行")
    if any(
        isinstance(n, exp.GroupConcat)
        and isinstance(n.this, exp.Order)
        and isinstance(n.this.this, exp.Distinct)
        for n in tree.walk()
    ):
        notes.append("string_agg(DISTINCT …) 在 Spark 上改写为排序后的去重数组再拼接")
    return notes


def pairwise_joins(tree: exp.Expression) -> list[str]:
    """Joins whose condition has an equality naming three or more tables at once, in Chinese:
    one warning per join (told by `shujian models validate`), not a refusal — the leads are
    right on both engines.

    `s.gx = v.gx + n.dx` (the schools' cell against a venue's cell moved by a neighbour offset)
    names three relations. DuckDB plans it as a hash join, but Spark's join reordering can
    place `schools` beside `venues` before the offsets are joined, and then no side of the
    equality belongs to one input alone: Spark compares every venue with every school (a nested
    loop; at ten times a city's data, more than a quarter of an hour for one model). Computing
    the moved cell in a CTE of its own first (`near`, as the shipped campus models do) leaves a
    plain equality between two relations. Only qualified columns (`v.gx`) are counted.
    """
    found: dict[int, tuple[list[exp.EQ], set[str]]] = {}
    for eq in tree.find_all(exp.EQ):
        condition = _join_condition_of(eq)
        if condition is None:
            continue
        sides = [
            {c.table for c in side.find_all(exp.Column) if c.table} for side in (eq.left, eq.right)
        ]
        named = sides[0] | sides[1]
        if len(named) >= 3 and sides[0] and sides[1]:
            equalities, tables = found.setdefault(id(condition), ([], set()))
            equalities.append(eq)
            tables |= named
    return [
        f"连接条件 {'、'.join(_snippet(eq) for eq in equalities)} 同时涉及 {len(tables)} 张表"
        f"（{'、'.join(sorted(tables))}）：在 Spark 上可能无法按等值连接执行，而是把两边的记录逐对比较，"
        "数据量大时极慢（DuckDB 上不受影响，结果在两种引擎上相同）。请先在单独的 CTE 中算出一侧的值"
        "（如把学校展开到周围九格），再用只涉及两张表的等式连接，见 docs/authoring.md。"
        for equalities, tables in found.values()
    ]


def _join_condition_of(node: exp.Expression) -> exp.Expression | None:
    """The JOIN (whose ON holds `node`) or the WHERE (an implicit join) that `node` is part of,
    outside any subquery of it; None when it is in neither."""
    child: object = node
    parent = node.parent
    while parent is not None:
        if isinstance(parent, exp.Join):
            return parent if child is parent.args.get("on") else None
        if isinstance(parent, exp.Where):
            return parent
        if isinstance(parent, exp.Select | exp.Subquery):
            return None
        child, parent = parent, parent.parent
    return None
