"""Where each output column of a model's query comes from: dataset columns and parameters.

Two promises rest on this, and neither can rest on column names, which an author chooses
freely:

* a lead's identity and its change detection use the facts a model reads from agency data,
  never text rendered from the run date (`:as_of`) — `checks.py` refuses a model whose evidence
  or title carries `:as_of`;
* an ID number is masked wherever it flows, whatever the output column is called — `labels.py`
  masks the columns that carry a dataset column of type `id_card`.

The walk is our own, over the tree sqlglot's `qualify` leaves (every column bound to its table,
every `*` expanded), because `sqlglot.lineage` neither reports `:name` placeholders nor says
*how* a source reaches the output. Each source is tagged with how it reaches the column:

``value``      its value is carried into the output (a plain column, CASE … THEN x, COALESCE,
               ``||``/CONCAT, UPPER/TRIM, MIN/MAX/ARG_MIN/list aggregation, UNION branches):
               an ID number selected this way is still an ID number;
``derived``    the output is computed from it (SUBSTRING, arithmetic, COUNT, window partitions):
               an ID number used this way is no longer shown;
``birth``      the output is a birth date or an age computed from it (``age_on(id, day)``,
               MAKE_DATE, a cast to DATE): beside a masked ID it restores the hidden digits;
``condition``  it only decides between values (CASE WHEN, comparisons, IN, LIKE): a comparison
               with `:as_of` flips once, when a date passes, which is a change of the facts.

WHERE, JOIN ON, GROUP BY and HAVING only choose rows; they are not lineage of a value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, build_scope

from shujian.data.datasets import Dataset
from shujian.data.steps import RAW_SUFFIX, stored_schema
from shujian.engine.dialects import CALENDAR_TABLE, parse
from shujian.models.spec import ModelSpec

How = Literal["value", "derived", "birth", "condition"]


@dataclass(frozen=True, order=True)
class Source:
    """One thing an output column derives from: a dataset column or a parameter."""

    kind: Literal["column", "parameter"]
    name: str
    """The column id (for the `_raw` original of a column, the declared column's id) or the
    parameter name (`as_of` for the run date)."""
    dataset: str = ""
    how: How = "value"


Lineage = dict[str, frozenset[Source]]
"""Output column → what it derives from."""


class LineageError(ValueError):
    """A query whose columns cannot be bound to datasets (the checker reports why, in Chinese)."""


_TO_DATE = (exp.DataType.Type.DATE, exp.DataType.Type.TIMESTAMP, exp.DataType.Type.DATETIME)
_BIRTH_FUNCTIONS = (exp.DateFromParts, exp.StrToDate, exp.TsOrDsToDate, exp.StrToTime)
_VALUE_ANONYMOUS = {"array_to_string", "list", "string_agg", "array_sort", "array_distinct"}


def schema_of(datasets: Iterable[Dataset]) -> dict[str, object]:
    """The SQL schema the engine gives a model: stored columns of each dataset, and the calendar."""
    schema: dict[str, object] = {
        d.id: {c: sql_type(t) for c, t in stored_schema(d).items()} for d in datasets
    }
    schema[CALENDAR_TABLE] = {"day": "DATE", "is_working_day": "BOOLEAN", "working_day_no": "INT"}
    return schema


def sql_type(dtype: object) -> str:
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


_KEPT: dict[tuple[str, int], tuple[Mapping[str, Dataset], Lineage]] = {}
"""Lineages computed in this process, by query and the identity of the datasets mapping (kept
with it, so the identity cannot be reused): a run checks each model and then reads its deciding
facts, two walks of the same query on the same datasets."""
_KEEP = 64


def query_lineage(sql: str, datasets: Mapping[str, Dataset]) -> Lineage:
    """Every output column of `sql` (a model query) → its sources.

    Domain functions (`age_on`, `haversine_m`, …) are kept as calls rather than expanded, so
    that `age_on` can be recognised; their arguments are ordinary lineage. The same query on the
    same (unchanged) mapping of datasets is walked once per process.
    """
    kept = _KEPT.get((sql, id(datasets)))
    if kept is not None and kept[0] is datasets:
        return kept[1]
    lineage = _query_lineage(sql, datasets)
    if len(_KEPT) >= _KEEP:
        del _KEPT[next(iter(_KEPT))]
    _KEPT[(sql, id(datasets))] = (datasets, lineage)
    return lineage


def _query_lineage(sql: str, datasets: Mapping[str, Dataset]) -> Lineage:
    tree = parse(sql)
    tables = {t.name for t in tree.find_all(exp.Table)}
    schema = schema_of(d for d in datasets.values() if d.id in tables)
    try:
        qualified = qualify(
            tree.copy(), schema=schema, dialect="duckdb", validate_qualify_columns=True
        )
    except sqlglot.errors.OptimizeError as error:
        raise LineageError(str(error)) from error
    root = build_scope(qualified)
    if root is None:
        raise LineageError("not a query")
    try:
        outputs = _Walker(datasets).outputs(root)
    except (AssertionError, KeyError, AttributeError, sqlglot.errors.SqlglotError) as error:
        # a shape of query the walk does not know: the checker reports it rather than crash
        raise LineageError(f"unsupported query shape: {error!r}") from error
    return {name: frozenset(srcs) for name, srcs in outputs.items()}


class _Walker:
    def __init__(self, datasets: Mapping[str, Dataset]) -> None:
        self.datasets = datasets
        self._cache: dict[tuple[int, str], set[Source]] = {}

    def outputs(self, scope: Scope) -> dict[str, set[Source]]:
        select = self._first_select(scope)
        return {p.alias_or_name: self.column(scope, p.alias_or_name) for p in select.expressions}

    @staticmethod
    def _first_select(scope: Scope) -> exp.Select:
        node = scope.expression
        while isinstance(node, exp.SetOperation):
            node = node.this
        if isinstance(node, exp.Subquery):
            node = node.unnest()
        assert isinstance(node, exp.Select)
        return node

    def column(self, scope: Scope, name: str) -> set[Source]:
        key = (id(scope), name)
        if key in self._cache:
            return self._cache[key]
        self._cache[key] = set()  # a recursive CTE refers to itself: stop there
        if scope.set_operation_scopes:
            found = set().union(*(self.column(s, name) for s in scope.set_operation_scopes))
        else:
            found = set()
            expression = scope.expression
            if isinstance(expression, exp.Select):
                for projection in expression.expressions:
                    if projection.alias_or_name == name:
                        found = self.expr(scope, projection, "value")
                        break
        self._cache[key] = found
        return found

    def expr(self, scope: Scope, node: exp.Expression, how: How) -> set[Source]:
        if isinstance(node, exp.Column):
            return self._resolve(scope, node, how)
        if isinstance(node, exp.Placeholder):
            return {Source("parameter", node.name, how=how)}
        if isinstance(node, exp.Subquery | exp.Select):
            return self._subquery(scope, node, how)
        if isinstance(node, exp.Predicate | exp.Connector | exp.Not) or (
            isinstance(node, exp.Anonymous) and node.name.lower() == "contains_any"
        ):
            return self._children(scope, node, "condition")
        if isinstance(node, exp.Anonymous) and node.name.lower() == "age_on":
            args = node.expressions
            aged = self.expr(scope, args[0], _birth(how)) if args else set()
            for arg in args[1:]:
                aged |= self.expr(scope, arg, _derive(how))
            return aged
        if isinstance(node, _BIRTH_FUNCTIONS) or (
            isinstance(node, exp.Cast) and node.to.this in _TO_DATE
        ):
            return self._children(scope, node, _birth(how))
        carried = _carried(node)
        if carried is None:
            return self._children(scope, node, _derive(how))
        out: set[Source] = set()
        for key, child in _args(node):
            if key in carried:
                out |= self.expr(scope, child, how)
            elif isinstance(node, exp.Case | exp.If | exp.Nullif | exp.Filter):
                out |= self.expr(scope, child, "condition")
            else:
                out |= self.expr(scope, child, _derive(how))
        return out

    def _children(self, scope: Scope, node: exp.Expression, how: How) -> set[Source]:
        out: set[Source] = set()
        for _, child in _args(node):
            out |= self.expr(scope, child, how)
        return out

    def _resolve(self, scope: Scope, column: exp.Column, how: How) -> set[Source]:
        source = None
        current: Scope | None = scope
        while current is not None and source is None:  # correlated columns: outer scopes
            source = current.sources.get(column.table)
            current = current.parent
        if isinstance(source, exp.Table):
            if source.name == CALENDAR_TABLE or source.name not in self.datasets:
                return set()
            name = column.name
            if name.endswith(RAW_SUFFIX):
                name = name[: -len(RAW_SUFFIX)]
            return {Source("column", name, source.name, how)}
        if isinstance(source, Scope):
            return {_compose(how, s) for s in self.column(source, column.name)}
        return set()

    def _subquery(self, scope: Scope, node: exp.Expression, how: How) -> set[Source]:
        """A scalar subquery's value is its projection; everything else in it decides it."""
        inner = node.unnest() if isinstance(node, exp.Subquery) else node
        child = next((s for s in scope.subquery_scopes if s.expression is inner), None)
        if child is None:
            return set()
        out: set[Source] = set()
        select = self._first_select(child)
        for projection in select.expressions[:1]:
            out |= self.expr(child, projection, how)
        for column in inner.find_all(exp.Column):
            owner = _scope_of(child, column)
            out |= self._resolve(owner, column, _derive(how))
        for placeholder in inner.find_all(exp.Placeholder):
            out.add(Source("parameter", placeholder.name, how=_derive(how)))
        return out


def _scope_of(scope: Scope, column: exp.Column) -> Scope:
    for s in scope.traverse():
        if any(c is column for c in s.columns):
            return s
    return scope


def _args(node: exp.Expression) -> list[tuple[str, exp.Expression]]:
    out = []
    for key, value in node.args.items():
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, exp.Expression) and not isinstance(child, exp.DataType):
                out.append((key, child))
    return out


def _carried(node: exp.Expression) -> frozenset[str] | None:
    """The argument keys whose value the node passes on; None when it computes a new value."""
    if isinstance(node, exp.Alias | exp.Paren | exp.Cast | exp.Upper | exp.Lower | exp.Trim):
        return frozenset({"this"})
    if isinstance(node, exp.Coalesce | exp.Greatest | exp.Least):
        return frozenset({"this", "expressions"})
    if isinstance(node, exp.Case):
        return frozenset({"ifs", "default"})
    if isinstance(node, exp.If):
        return frozenset({"true", "false"})
    if isinstance(node, exp.Concat | exp.ConcatWs | exp.Array | exp.Distinct):
        return frozenset({"expressions"})
    if isinstance(node, exp.DPipe):
        return frozenset({"this", "expression"})
    if isinstance(node, exp.Replace | exp.RegexpReplace | exp.Nullif | exp.Filter):
        return frozenset({"this"})
    if isinstance(
        node,
        exp.Min
        | exp.Max
        | exp.First
        | exp.Last
        | exp.AnyValue
        | exp.ArgMin
        | exp.ArgMax
        | exp.ArrayAgg
        | exp.GroupConcat
        | exp.ArrayToString
        | exp.ArraySort
        | exp.ArrayDistinct
        | exp.IgnoreNulls
        | exp.RespectNulls
        | exp.Window
        | exp.Ordered
        | exp.Explode
        | exp.WithinGroup,
    ):
        return frozenset({"this"})
    if isinstance(node, exp.Anonymous) and node.name.lower() in _VALUE_ANONYMOUS:
        return frozenset({"expressions"})
    return None


def _derive(how: How) -> How:
    return how if how in ("birth", "condition") else "derived"


def _birth(how: How) -> How:
    return "birth" if how in ("value", "birth") else how


def _compose(outer: How, source: Source) -> Source:
    """`source` reached `how` inside a CTE or subquery, read `outer` by the enclosing query."""
    inner = source.how
    if outer == "value":
        how = inner
    elif outer == "condition":
        how = "condition"
    elif outer == "birth":
        how = "birth" if inner == "value" else inner
    else:  # derived
        how = inner if inner in ("birth", "condition") else "derived"
    return Source(source.kind, source.name, source.dataset, how)


def deciding_facts(spec: ModelSpec, datasets: Mapping[str, Dataset]) -> tuple[str, ...]:
    """The columns a lead's facts are: `deciding:` as declared, else every evidence column that
    carries something read from agency data.

    A column holding only a parameter or a constant (`:max_distance_m AS max_distance_m`)
    restates the rule, not the facts: when a procuratorate adjusts the parameter, a dismissed
    lead whose data did not change must stay dismissed. Without a lineage (a query the walk
    cannot bind) every evidence column counts, as before.
    """
    if spec.declared_deciding:
        return spec.declared_deciding
    try:
        lineage = query_lineage(spec.query, datasets)
    except LineageError:
        return spec.deciding
    return tuple(
        c for c in spec.deciding if c not in lineage or any(s.kind == "column" for s in lineage[c])
    )
