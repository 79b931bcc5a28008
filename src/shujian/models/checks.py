"""Checks a model must pass before it runs, each failure explained in Chinese.

The query must parse, be a single SELECT, write nothing, read only its declared datasets
(and the working-day calendar), use only declared parameters, and return its subject, its
evidence columns and the batch columns that trace every evidence row to its file. A model's
own `labels` may only name its evidence columns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.qualify import qualify

from shujian.data.datasets import Dataset
from shujian.data.importer import stored_schema
from shujian.engine.dialects import CALENDAR_TABLE, CompileError, expand_functions, parse
from shujian.models.authoring import template_leftovers
from shujian.models.spec import CATEGORIES, TAGS, ModelSpec

BUILTIN_PARAMETERS = {"as_of"}
"""Supplied by every run: the date the run treats as today (`--as-of`)."""

_WRITES = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.Merge,
    exp.Command,
    exp.Copy,
    exp.Set,
    exp.TruncateTable,
    exp.Pragma,
    exp.Use,
)
_TEMPLATE_FIELD = re.compile(r"{([^{}:!]+)")


def check_model(spec: ModelSpec, datasets: Mapping[str, Dataset]) -> list[str]:
    """All problems found, in Chinese; an empty list means the model may run."""
    problems = [f"尚未填写（仍是模板内容）：{item}" for item in template_leftovers(spec)]
    if not re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+", spec.id):
        problems.append(
            f"模型编号“{spec.id}”格式不对：应为“领域.名称”，小写英文字母、数字和下划线，如 campus.internet_cafe。"
        )
    for c in spec.category:
        if c not in CATEGORIES:
            problems.append(f"类别“{c}”不在 {'、'.join(CATEGORIES)} 之中。")
    for basis in spec.legal_basis:
        if basis.tag not in TAGS:
            problems.append(
                f"法律依据《{basis.law}》的核实标记应为 V、S 或 U，实际为“{basis.tag}”。"
            )
    unknown = [d for d in spec.datasets if d not in datasets]
    for d in unknown:
        problems.append(f"未知的数据集“{d}”（可用：{'、'.join(sorted(datasets))}）。")
    for col, label in spec.labels.items():
        if col not in spec.evidence:
            problems.append(f"labels 中的“{col}”不是证据列：只能为 evidence 中列出的列写中文标签。")
        elif not label:
            problems.append(f"labels 中证据列“{col}”的中文标签是空的。")
    try:
        tree = parse(spec.query)
    except CompileError as error:
        return [*problems, str(error)]
    problems += _check_read_only(tree)
    if problems:
        return problems
    problems += _check_tables(tree, spec)
    declared = {p.name for p in spec.parameters} | BUILTIN_PARAMETERS
    used = {p.name for p in tree.find_all(exp.Placeholder)}
    for name in sorted(used - declared):
        problems.append(f"查询用到了参数 :{name}，但 parameters 中没有声明它。")
    problems += _check_output(tree, spec)
    if not problems and not unknown:
        problems += _check_columns(tree, spec, datasets)
    return problems


def _check_read_only(tree: exp.Expression) -> list[str]:
    if not isinstance(tree, exp.Query):
        return ["查询必须是一条 SELECT 语句（可以带 WITH 子句），不能是其他语句。"]
    for node in tree.walk():
        if isinstance(node, _WRITES):
            return [f"查询中含有写入或修改操作（{node.key.upper()}）：模型只能读取数据。"]
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            return ["查询只能读取数据集，不能直接读取文件或调用表函数。"]
    return []


def _cte_names(tree: exp.Expression) -> set[str]:
    return {cte.alias_or_name for cte in tree.find_all(exp.CTE)}


def _check_tables(tree: exp.Expression, spec: ModelSpec) -> list[str]:
    ctes = _cte_names(tree)
    allowed = set(spec.datasets) | {CALENDAR_TABLE}
    problems = []
    for table in tree.find_all(exp.Table):
        name = table.name
        if name in ctes:
            continue
        if table.args.get("db") or table.args.get("catalog"):
            problems.append(f"查询读取了“{table.sql()}”：只能读取数据集，不能指定库名。")
        elif name not in allowed:
            problems.append(f"查询读取了未在 datasets 中声明的数据集“{name}”。")
    return problems


def output_columns(tree: exp.Expression) -> list[str | None]:
    query = tree
    while isinstance(query, exp.SetOperation):
        query = query.this
    if not isinstance(query, exp.Select):
        return []
    names: list[str | None] = []
    for projection in query.expressions:
        if isinstance(projection, exp.Star) or (
            isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
        ):
            names.append("*")
        else:
            names.append(projection.alias_or_name or None)
    return names


def _check_output(tree: exp.Expression, spec: ModelSpec) -> list[str]:
    names = output_columns(tree)
    problems = []
    if "*" in names:
        problems.append("最外层 SELECT 不能用 *：请逐一列出线索需要的列并起好列名。")
    if None in names:
        problems.append("最外层 SELECT 的每一列都必须有列名（用 AS 起名）。")
    have = {n for n in names if n}
    if spec.subject_column not in have:
        problems.append(f"查询结果中没有监督对象列“{spec.subject_column}”（subject.column）。")
    for col in spec.evidence:
        if col not in have:
            problems.append(f"证据列“{col}”不在查询结果中。")
    for dataset, col in spec.trace.items():
        if dataset not in spec.datasets:
            problems.append(f"trace 中的数据集“{dataset}”没有在 datasets 中声明。")
        if col not in have:
            problems.append(f"溯源列“{col}”（{dataset} 的批次号）不在查询结果中。")
    params = {p.name for p in spec.parameters} | BUILTIN_PARAMETERS
    for field in _TEMPLATE_FIELD.findall(spec.title):
        if field not in have and field not in params:
            problems.append(f"线索标题模板中的“{{{field}}}”既不是查询结果的列，也不是参数。")
    return problems


def _check_columns(
    tree: exp.Expression, spec: ModelSpec, datasets: Mapping[str, Dataset]
) -> list[str]:
    schema: dict[str, object] = {}
    for d in spec.datasets:
        schema[d] = {c: _sql_type(t) for c, t in stored_schema(datasets[d]).items()}
    schema[CALENDAR_TABLE] = {"day": "DATE", "is_working_day": "BOOLEAN", "working_day_no": "INT"}
    expanded = expand_functions(
        tree.copy().transform(lambda n: exp.null() if isinstance(n, exp.Placeholder) else n)
    )
    try:
        qualify(
            expanded, schema=schema, dialect="duckdb", validate_qualify_columns=True, identify=False
        )
    except sqlglot.errors.OptimizeError as error:
        return [f"查询中的列无法对应到数据集的字段：{_translate(str(error))}"]
    return []


def _translate(message: str) -> str:
    match = re.search(r"Column '(.+?)' could not be resolved(?: for table: '(.+?)')?", message)
    if match:
        column, table = match.groups()
        return f"找不到列 {column}" + (f"（表 {table}）" if table else "")
    return message


def _sql_type(dtype: object) -> str:
    text = str(dtype).lower()
    if text.startswith("decimal"):
        return "DECIMAL(20,2)"
    return {
        "string": "VARCHAR",
        "utf8": "VARCHAR",
        "float64": "DOUBLE",
        "int64": "BIGINT",
        "int32": "INT",
        "date": "DATE",
        "boolean": "BOOLEAN",
    }.get(text, "TIMESTAMP" if text.startswith("datetime") else "VARCHAR")
