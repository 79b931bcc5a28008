"""Checks a model must pass before it runs, each failure explained in Chinese.

The query must parse, be a single SELECT, write nothing, read only its declared datasets
(and the working-day calendar), use only declared parameters, and return its subject, its
evidence columns and the batch columns that trace every evidence row to its file. A model's
own `labels` may only name its evidence columns, and its `deciding` and `town` columns must be
evidence.

No subject, evidence, deciding or title column may carry the run date: a value computed from
`:as_of` ("截至2026-06-01未见…", days overdue as of today) changes every day, so every lead a
prosecutor dismissed would come back the next morning. Comparing a date of the data with
`:as_of` in a condition is allowed: its answer changes once, when that date passes.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.qualify import qualify

from shujian import yamlfile
from shujian.data.datasets import Dataset
from shujian.engine import portability
from shujian.engine.dialects import CALENDAR_TABLE, CompileError, expand_functions, parse
from shujian.models.authoring import template_leftovers
from shujian.models.document import check_document
from shujian.models.lineage import LineageError, query_lineage, schema_of
from shujian.models.spec import CATEGORIES, TAGS, ModelSpec

MODEL_KINDS = ("lead", "review")
"""What a model's hits are: leads (accusations) or review items (待核对, not yet accusations)."""

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

REFUSED_FUNCTIONS_PATH = Path(__file__).with_name("refused_functions.yaml")


def check_model(spec: ModelSpec, datasets: Mapping[str, Dataset]) -> list[str]:
    """All problems found, in Chinese; an empty list means the model may run."""
    problems = [f"尚未填写（仍是模板内容）：{item}" for item in template_leftovers(spec)]
    if not re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+", spec.id):
        problems.append(
            f"模型编号“{spec.id}”格式不对：应为“领域.名称”，小写英文字母、数字和下划线，如 campus.internet_cafe。"
        )
    if spec.kind not in MODEL_KINDS:
        problems.append(
            f"kind 应为 {'、'.join(MODEL_KINDS)} 之一（lead 线索，review 待核对清单），实际为“{spec.kind}”。"
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
    trace = set(spec.trace.values())
    for col in spec.declared_deciding:
        if col not in spec.evidence or col in trace:
            problems.append(
                f"deciding 中的“{col}”不是证据列：只能从 evidence 中选取（溯源批次列除外）。"
            )
    if spec.town and (spec.town not in spec.evidence or spec.town in trace):
        problems.append(
            f"town 中的“{spec.town}”不是证据列：乡镇须取自 evidence 中列出的列"
            "（所属乡镇或含乡镇的地址）。"
        )
    for col, label in spec.labels.items():
        if col not in spec.evidence:
            problems.append(f"labels 中的“{col}”不是证据列：只能为 evidence 中列出的列写中文标签。")
        elif not label:
            problems.append(f"labels 中证据列“{col}”的中文标签是空的。")
    if spec.document is not None:
        problems += check_document(
            spec.document,
            spec.evidence,
            [p.name for p in spec.parameters],
            spec.legal_basis,
        )
    try:
        tree = parse(spec.query)
    except CompileError as error:
        return [*problems, str(error)]
    problems += _check_read_only(tree)
    problems += portability.problems(tree)
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
    if not problems:
        problems += _check_run_date(spec, datasets)
    return problems


def _check_run_date(spec: ModelSpec, datasets: Mapping[str, Dataset]) -> list[str]:
    """Refuse columns a lead is shown or judged by whose value is computed from `:as_of`."""
    problems = []
    if "as_of" in _TEMPLATE_FIELD.findall(spec.title):
        problems.append(
            "线索标题模板直接写入了运行日期 {as_of}：标题每天都会不同。"
            "请改写数据中的日期（如报告期限、施工许可日期）。"
        )
    try:
        lineage = query_lineage(spec.query, datasets)
    except LineageError as error:
        columns = _declared_columns(datasets, spec)
        return [f"无法追溯查询结果各列的来源：{_translate(str(error), columns)}"]
    in_title = [f for f in _TEMPLATE_FIELD.findall(spec.title) if f in lineage]
    roles = {
        spec.subject_column: "监督对象列",
        **{c: "线索标题中的列" for c in in_title},
        **{c: "证据列" for c in spec.evidence},
    }
    for column, role in roles.items():
        if any(
            s.kind == "parameter" and s.name == "as_of" and s.how != "condition"
            for s in lineage.get(column, ())
        ):
            problems.append(
                f"{role}“{column}”的值取自运行日期 :as_of，每天运行都会变化，"
                "已作不成案处理的线索会因此每天重新推送。请改为列出数据中的日期或事实"
                "（如就诊日期、报告期限、最早报告日期）；与运行日期的比较只能写在 WHERE 或 CASE WHEN 条件中。"
            )
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
    for lateral in tree.find_all(exp.Lateral):
        if not isinstance(lateral.this, exp.Subquery):
            return [
                "查询只能读取数据集，不能直接读取文件或调用表函数（LATERAL 之后只能是子查询）。"
            ]
    return _check_functions(tree)


@functools.cache
def refused_functions() -> tuple[frozenset[str], tuple[str, ...]]:
    """The names and name prefixes of the functions no model may call (`refused_functions.yaml`)."""
    raw = yamlfile.load(REFUSED_FUNCTIONS_PATH.read_text(encoding="utf-8"))
    return frozenset(raw["names"]), tuple(raw["prefixes"])


def _check_functions(tree: exp.Expression) -> list[str]:
    """Refuse a call of a function that reads the server rather than a dataset, and any
    function named with its catalog or schema (`system.main.current_setting`)."""
    names, prefixes = refused_functions()
    for node in tree.walk():
        if not isinstance(node, exp.Func):
            continue
        name = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
        if isinstance(node.parent, exp.Dot) and node.arg_key == "expression":
            return [f"查询调用函数 {name} 时带了库名或模式名：模型只能调用普通函数。"]
        if name in names or name.startswith(prefixes):
            return [
                f"查询调用了 {name}：它读取服务器的设置、环境、文件或数据库信息，"
                "模型只能读取 datasets 中声明的数据集。"
            ]
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
    schema = schema_of(datasets[d] for d in spec.datasets)
    # one copy of the parsed tree (made by the first transform), rewritten in place from then on
    expanded = expand_functions(
        tree.transform(lambda n: exp.null() if isinstance(n, exp.Placeholder) else n), copy=False
    )
    try:
        qualified = qualify(
            expanded, schema=schema, dialect="duckdb", validate_qualify_columns=True, identify=False
        )
    except sqlglot.errors.OptimizeError as error:
        columns = _declared_columns(datasets, spec)
        return [f"查询中的列无法对应到数据集的字段：{_translate(str(error), columns)}"]
    return portability.typed_problems(qualified, schema)


def _declared_columns(datasets: Mapping[str, Dataset], spec: ModelSpec) -> list[str]:
    """The columns the model's query may name: those of its declared datasets."""
    schema = schema_of(datasets[d] for d in spec.datasets if d in datasets)
    return sorted({c for table in schema.values() if isinstance(table, dict) for c in table})


def _translate(message: str, columns: Sequence[str] = ()) -> str:
    """sqlglot's English refusal as a Chinese sentence naming the column and, when one is
    close, the declared column the author probably meant (`adress` → `address`)."""
    place = re.search(r"Line: (\d+), Col: (\d+)", message)
    at = f"（查询第 {place[1]} 行第 {place[2]} 列）" if place else ""
    column = re.search(r"Column '(.+?)' could not be resolved(?: for table: '(.+?)')?", message)
    unknown = re.match(r"Unknown column: (\S+)", message)
    if column or unknown:
        name, table = column.groups() if column else (unknown[1] if unknown else "", None)
        text = f"找不到列 {name}" + (f"（表 {table}）" if table else "") + at
        close = [c for c in difflib.get_close_matches(name, columns, n=2) if c != name]
        return text + (f"，是否想写 {close[0]}？" if close else "。")
    if table := re.match(r"Unknown table: (\S+)", message):
        return f"找不到表 {table[1]}{at}。"
    if message.startswith(("unsupported query shape", "not a query")):
        return (
            "查询的写法超出了检查程序能追溯的范围，请改写得更直接（例如把子查询改为 WITH 子句）。"
        )
    return message
