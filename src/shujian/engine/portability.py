"""SQL whose meaning differs between the engines a model may run on: refused before it runs.

A model is written once in DuckDB's SQL and must give the same leads on DuckDB and on Spark
(`dialects.compile_query` translates it with sqlglot). Some constructs translate without an
error but mean something else there, or mean nothing fixed on either engine. Each is declared
below with what to write instead; `problems` finds them in a parsed query. The catalogue's
models are written without them, and a procuratorate's own models get the same check
(`models.checks.check_model`, so `shujian models validate` and every run).

Not yet detected (the author's care, docs/authoring.md): DECIMAL / DECIMAL (DOUBLE on DuckDB,
DECIMAL on Spark), DATE − DATE (an integer vs an interval), and arg_min / arg_max with ties.
"""

from __future__ import annotations

from dataclasses import dataclass

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
