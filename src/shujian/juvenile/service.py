"""The register read from the warehouse: counts, the list, one minor's file, due and late visits.

Everything is read the way the models read it — DuckDB over the Parquet files of the current
batches, a snapshot dataset reduced to the newest row per record key (`engine.duckdb.current_rows`)
— so that a page and a model see the same facts. What keeps a page of a register of 420,000 minors
and 2,900,000 visits well under a second (bench/juvenile.py, docs/juvenile.md):

* key_minors and minor_assignments are reduced once per batch set and kept in memory (`_Kept`),
  with the rows and minors on the register per day, and their counts; a new file of either makes
  a new batch set, read at the next request;
* one minor's rows are found with the condition on the record key (their number) applied to the
  stored rows *before* the newest row per key is chosen;
* the due and late lists read the visits of their months from the stored rows without choosing
  newest versions at all: every version of a visit has the same minor, date and target.

The rules are `register.py`'s, written here as SQL (and compared with it in the tests). Every
view is audited; every ID number (the minor's, the guardian's, one inside a warning's subject
`ID/YYYY-MM`) is masked unless a user who may reveal it gives a reason, which the audit keeps.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
from sqlalchemy import or_, select

from shujian import audit
from shujian.data.datasets import Dataset
from shujian.data.steps import stored_schema
from shujian.data.warehouse import SMALL_BATCH, Sources, Stored, Warehouse
from shujian.engine.dialects import expand_functions, parse
from shujian.engine.duckdb import (
    newest_per_key,
    parquet_source,
    stored_rows,
    without_superseded,
)
from shujian.errors import UserError
from shujian.juvenile.access import (
    JUVENILE_DEPARTMENT,
    MINOR,
    RegisterScope,
    not_on_register,
    register_scope,
)
from shujian.juvenile.own_records import FileEntry, own_records
from shujian.juvenile.refs import REMEMBERED, is_ref, minor_ref, ref_key
from shujian.juvenile.register import (
    ADULT_AGE,
    DUE_CATEGORIES,
    FOUR_VISITS,
    LATE_MONTHS,
    NO_SCHOOL_VALUES,
    SCHOOL,
    STATUS_LABELS,
    Month,
    due_in_month,
    late_months,
    missing_targets,
    on_register,
    required_targets,
    school_required,
    visit_status,
    visited_targets,
)
from shujian.juvenile.sealing import visibility as sealing_visibility
from shujian.juvenile.timeline import timeline
from shujian.leads.queue import home_department, homes, lead_scope
from shujian.leads.service import status_label
from shujian.leads.store import lead_dispatches, leads
from shujian.models.labels import SENSITIVE_TYPES, Masking, mask_id_card
from shujian.models.parameters import parameters_in_force
from shujian.models.spec import ModelSpec, load_library
from shujian.paging import Page, check_window
from shujian.users.access import can, require, scope_of
from shujian.users.departments import departments_of
from shujian.users.user import User
from shujian.workspace import Workspace

REGISTRY = "key_minors"
ASSIGNMENTS = "minor_assignments"
VISITS = "minor_visits"
CONDUCT = "minor_conduct"

VISIT_MODEL = "juvenile.visit_missing"
"""The model whose parameters (categories, placeholders of 就读学校, look-back) the due and late
lists follow when the library has it, so that the register and the warnings agree."""


@dataclass(frozen=True)
class VisitRule:
    """Who is visited every month and what counts as no school (the model's, else the contract's)."""

    categories: tuple[str, ...] = DUE_CATEGORIES
    no_school: tuple[str, ...] = NO_SCHOOL_VALUES
    late_months: int = LATE_MONTHS


@dataclass
class Counts:
    """Active minors per category × town × village on a day (a minor in two categories counts
    in each), with the number of distinct minors."""

    day: dt.date
    rows: list[dict[str, Any]]
    minors: int
    categories: dict[str, int] = field(default_factory=dict)
    """Category code → active minors in it."""


class VisitPage(Page):
    """A page of a due or late list, with the figures of the whole list: minor-months due, and
    of them done (every required target visited)."""

    def __init__(self, page: Page, due: int, done: int) -> None:
        super().__init__(list(page), page.total, page.offset, page.limit)
        self.due = due
        self.done = done


_SMALL: dict[tuple[str, str], tuple[frozenset[str], pl.DataFrame]] = {}
_SMALL_LOCK = threading.Lock()


def _small_rows(
    warehouse: Warehouse,
    dataset: Dataset,
    batches: Sequence[Stored],
    compacted: Mapping[int, Path],
) -> pl.DataFrame:
    """The rows of these small batches, kept per dataset: a batch read before is not read again,
    only the batches new since (a batch no longer current is dropped by reading all again).
    Compacted batches are read from their compaction's file, once for all of them."""
    key = (str(warehouse.root), dataset.id)
    # by file: a file's name is unique (a workspace made anew at the same place reuses batch ids)
    wanted = frozenset(b.parquet for b in batches)
    with _SMALL_LOCK:
        known, rows = _SMALL.get(key, (frozenset(), pl.DataFrame(schema=stored_schema(dataset))))
    if known == wanted:
        return rows
    if not known <= wanted:
        known, rows = frozenset(), pl.DataFrame(schema=stored_schema(dataset))
    new: list[pl.DataFrame] = []
    together: dict[Path, list[int]] = {}
    for b in batches:
        if b.parquet in known:
            continue
        if b.id in compacted:
            together.setdefault(compacted[b.id], []).append(b.id)
        else:
            new.append(pl.read_parquet(warehouse.root / b.parquet))
    for path, ids in together.items():
        new.append(pl.read_parquet(path).filter(pl.col("_batch").is_in(ids)))
    read = pl.concat([rows, *new], how="diagonal_relaxed").select(list(stored_schema(dataset)))
    read = read.rechunk()  # one chunk: a frame of a thousand one-row chunks is slow to scan
    with _SMALL_LOCK:
        _SMALL[key] = (wanted, read)
    return read


REGISTRY_COLUMNS = "name, id_card, category, town, village, school, identified_on, withdrawn_on"
ASSIGNMENT_COLUMNS = "id_card, unit, responsible, assignment_mode, started_on, ended_on"


def _covering(day: dt.date) -> pl.Expr:
    """An assignment covers `day` (register.covers)."""
    return (pl.col("started_on") <= day) & (
        pl.col("ended_on").is_null() | (pl.col("ended_on") >= day)
    )


class _Kept:
    """What is costly to read and changes only with an import: key_minors' current rows per batch
    set, the rows and minors on the register per batch set and day. A few of each are kept per
    process (the newest); an import makes a new batch set, and the next request reads it."""

    def __init__(self, size: int = 10) -> None:
        self.size = size
        self._kept: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], make: Any, holding: Any = None) -> Any:
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key][0]
        value = make()
        with self._lock:
            # `holding`: what the key names by id(), kept alive with the value
            self._kept[key] = (value, holding)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


_KEPT = _Kept()


def forget() -> None:
    """Drop what this process keeps (registry and assignment rows, small batches' rows,
    references shown): for measuring, and for tests that make a workspace anew."""
    _KEPT.clear()
    with _SMALL_LOCK:
        _SMALL.clear()
    REMEMBERED.clear()


@lru_cache(maxsize=64)
def _age_sql(id_column: str, day: str) -> str:
    """The engine's `age_on` (周岁) as DuckDB SQL over the given column and day expressions."""
    tree = expand_functions(parse("SELECT age_on(__id__, __day__)"))
    sql = tree.expressions[0].sql(dialect="duckdb")  # type: ignore[attr-defined]
    return str(sql).replace("__id__", id_column).replace("__day__", day)


def _active(day: str, alias: str = "") -> str:
    """SQL: the row is on the register on `day` (register.on_register)."""
    p = f"{alias}." if alias else ""
    return (
        f"{p}identified_on <= {day} AND ({p}withdrawn_on IS NULL OR {p}withdrawn_on > {day}) "
        f"AND {_age_sql(f'{p}id_card', day)} < {ADULT_AGE}"
    )


def _contains(column: str, target: str) -> str:
    """SQL: a 走访对象 cell (its targets in declared order, joined by 、) names `target` (none of
    the four is a part of another)."""
    return f"contains({column}, '{target}')"


def _judged_sql(stored: str) -> str:
    """SQL of the due (minor, month) pairs judged: the CTEs `judged` — each row of the registered
    table `due` (`Register.due_rows`) with `missing`, the required targets no visit of `stored`
    reached that month (joined by 、, empty when done) — and `figures` (due_total, done).

    Every version of a visit has the same minor, date and target (they are its record key): the
    stored rows tell which targets were visited without choosing the newest version of each."""
    seen = ", ".join(
        f"bool_or({_contains('v.target', t)}) AS saw_{i}" for i, t in enumerate(FOUR_VISITS)
    )
    needed = " ".join(
        f", CASE WHEN NOT coalesce(s.saw_{i}, false)"
        f"{' AND d.has_school' if t == SCHOOL else ''} THEN '{t}' END"
        for i, t in enumerate(FOUR_VISITS)
    )
    return f"""
        WITH visits AS (SELECT id_card, visited_on, target FROM {stored}),
        seen AS (
          SELECT v.id_card, CAST(date_trunc('month', v.visited_on) AS DATE) AS first,
                 {seen}
          FROM visits AS v
          GROUP BY ALL
        ),
        judged AS MATERIALIZED (
          SELECT d.*, concat_ws('、'{needed}) AS missing
          FROM due AS d LEFT JOIN seen AS s ON s.id_card = d.id_card AND s.first = d.first
        ),
        figures AS (
          SELECT count(*) AS due_total, count(*) FILTER (WHERE missing = '') AS done
          FROM judged
        )
    """


class Register:
    """The register of one workspace (cheap to make: one per command or request)."""

    def __init__(self, ws: Workspace, library: Mapping[str, ModelSpec] | None = None) -> None:
        self.ws = ws
        self.store = ws.store
        self.warehouse = Warehouse(ws.warehouse_dir, ws.store)
        self._library = library
        self._con: duckdb.DuckDBPyConnection | None = None

    # ------------------------------------------------------------------ configuration

    @cached_property
    def datasets(self) -> dict[str, Dataset]:
        found: dict[str, Dataset] = self.ws.datasets()
        return found

    @cached_property
    def library(self) -> Mapping[str, ModelSpec]:
        return self._library if self._library is not None else load_library(self.ws.models_dir)

    @cached_property
    def juvenile_department(self) -> str | None:
        return home_department(JUVENILE_DEPARTMENT, departments_of(self.ws))

    @cached_property
    def rule(self) -> VisitRule:
        spec = self.library.get(VISIT_MODEL)
        if spec is None:
            return VisitRule()
        values = {
            k: v.value
            for k, v in parameters_in_force(spec, self.ws.overrides, self.ws.additions).items()
        }
        return VisitRule(
            categories=tuple(values.get("categories") or DUE_CATEGORIES),
            no_school=tuple(values.get("no_school_values") or NO_SCHOOL_VALUES),
            late_months=int(values.get("lookback_months") or LATE_MONTHS),
        )

    @cached_property
    def key(self) -> str:
        return ref_key(self.ws.root)

    def category_labels(self) -> dict[str, str]:
        column = self.datasets[REGISTRY].column("category")
        return {v: column.value_labels.get(v, v) for v in column.values}

    def category_code(self, text: str) -> str:
        """A category as a user types it (code, name, short name or 细类) → its code."""
        column = self.datasets[REGISTRY].column("category")
        text = (text or "").strip()
        if text in column.values:
            return text
        for code, label in column.value_labels.items():
            if text == label:
                return code
        if text in column.synonyms:
            return column.synonyms[text]
        listed = "、".join(f"{column.value_labels.get(v, v)}（{v}）" for v in column.values)
        raise UserError(f"没有“{text}”这一类别。可选：{listed}。", code="unknown_category")

    def scope(self, user: User) -> RegisterScope:
        return register_scope(user, self.juvenile_department)

    # ------------------------------------------------------------------ grants

    def with_grants(self, user: User, today: dt.date) -> User:
        """The user with their grants filled: for a helping unit's account, the minors whose
        assignment covering `today` names its unit; anyone else unchanged.

        Computed from the warehouse, and kept per (unit, day, batches of minor_assignments): a
        new assignment file changes the batches, and so the grants, at the next request."""
        if scope_of(user).kind != "records":
            return user
        ids = self.unit_minors(user.unit, today) if user.unit else frozenset()
        return replace(user, grants=frozenset((MINOR, i) for i in ids))

    def unit_minors(self, unit: str, day: dt.date) -> frozenset[str]:
        """The minors whose assignment covering `day` names `unit` (from the assignments kept
        per batch set: a new assignment file changes them at the next request)."""
        rows = self.assignment_rows().filter((pl.col("unit") == unit) & _covering(day))
        return frozenset(rows["id_card"].to_list())

    # ------------------------------------------------------------------ reading

    @contextmanager
    def _connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The register's DuckDB connection (in memory; one per Register, made when first used)."""
        if self._con is None:
            self._con = duckdb.connect(":memory:")
            self._con.execute("SET threads TO 2").fetchall()
        yield self._con

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def _rows(
        self, con: duckdb.DuckDBPyConnection, dataset_id: str, where: str | None, columns: str
    ) -> str:
        """A table expression of the dataset's current rows meeting `where` (record-key columns
        only, see `engine.duckdb.current_rows`): the stored rows (`_stored`), the newest per
        record key of a snapshot."""
        dataset = self.datasets[dataset_id]
        source, found = self._stored(con, dataset_id, where)
        several = len(found.batches) > 1
        if where is None and several and dataset.mode == "snapshot":
            # every row (a whole registry): less the replaced ones, found once per batch set
            return f"({without_superseded(con, self.warehouse, dataset, found, source, columns)})"
        # a replacement stands where the batch it replaced stood; without one, each at its id
        replacing = several and any(b.replaces is not None for b in found.batches)
        places = found.places if replacing else {}
        return f"({newest_per_key(dataset, source, places, several, columns)})"

    def _stored(
        self, con: duckdb.DuckDBPyConnection, dataset_id: str, where: str | None
    ) -> tuple[str, Sources]:
        """Every stored row of the dataset's current batches meeting `where`, as a table
        expression, and what they were read from.

        Large batches are read from their Parquet files with `where` pushed down. Small ones —
        the visits recorded in the platform, one row and one file each, thousands of them in a
        year — are read from memory: their rows are read once and kept per process (a batch's
        file never changes), so that a page does not open every one of their files
        (bench/juvenile.py: 2,000 of them made one minor's page take a second); those compacted
        together are read from their compaction's one file (`Warehouse.compact`)."""
        dataset = self.datasets[dataset_id]
        found = self.warehouse.sources(dataset_id)
        batches = list(found.batches)
        condition = f" WHERE {where}" if where else ""
        large = [self.warehouse.root / b.parquet for b in batches if b.imported > SMALL_BATCH]
        small = [b for b in batches if b.imported <= SMALL_BATCH]
        parts = []
        if large:
            parts.append(f"SELECT * FROM {parquet_source(large)}{condition}")
        if small or not large:
            name = f"_small_{dataset_id}"
            con.register(name, _small_rows(self.warehouse, dataset, small, found.compacted))
            parts.append(f"SELECT * FROM {name}{condition}")
        return "(" + " UNION ALL BY NAME ".join(parts) + ")", found

    @staticmethod
    def _ids_condition(scope: RegisterScope, params: dict[str, Any]) -> str | None:
        if scope.everything:
            return None
        params["ids"] = sorted(scope.ids)
        return "id_card IN (SELECT unnest($ids::VARCHAR[]))"

    # ---- the registry, reduced once per batch set and kept (see `_Kept`)

    def registry_rows(self) -> pl.DataFrame:
        """key_minors' current rows (newest per minor and category), kept per batch set."""
        batches = tuple(
            (b.parquet, b.replaces) for b in self.warehouse.batches(REGISTRY, current=True)
        )
        key = ("registry", str(self.warehouse.root), batches)

        def read() -> pl.DataFrame:
            with self._connect() as con:
                source = self._rows(con, REGISTRY, None, REGISTRY_COLUMNS)
                return con.sql(f"SELECT * FROM {source}").pl()

        return _KEPT.get(key, read)

    def active_on(self, day: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The registry rows on the register on `day`, and the minors they make (one row each,
        in list order), kept per batch set and day."""
        registry = self.registry_rows()
        no_school = self.rule.no_school
        key = ("active", id(registry), day, no_school)

        def compute() -> tuple[pl.DataFrame, pl.DataFrame]:
            with self._connect() as con:
                con.register("registry", registry)
                rows = _frame(con, f"SELECT * FROM registry WHERE {_active('$day')}", {"day": day})
                con.register("active", rows)
                # the school named in any row, else the placeholder (register.shown_school)
                minors = _frame(
                    con,
                    """
                    SELECT id_card, arg_min(name, identified_on) AS name,
                           list_sort(list_distinct(list(category))) AS categories,
                           arg_min(town, identified_on) AS town,
                           arg_min(village, identified_on) AS village,
                           coalesce(max(school) FILTER (
                                      WHERE trim(school) <> ''
                                        AND trim(school) <> ALL ($no_school::VARCHAR[])),
                                    max(school)) AS school,
                           min(identified_on) AS identified_on
                    FROM active GROUP BY id_card
                    ORDER BY town NULLS LAST, village NULLS LAST, name, id_card
                    """,
                    {"no_school": list(no_school)},
                )
            return rows, minors

        return _KEPT.get(key, compute, registry)

    def counts(self, user: User, day: dt.date) -> Counts:
        """Active minors per category × town × village on `day` (the user's minors only); the
        view is audited."""
        scope = self.scope(user)
        rows, minors_on = self.active_on(day)
        if scope.everything:
            grouped, minors = _KEPT.get(
                ("counts", id(rows)), lambda: _grouped(rows, minors_on.height), rows
            )
        else:
            mine = rows.filter(pl.col("id_card").is_in(sorted(scope.ids)))
            grouped, minors = _grouped(mine, mine["id_card"].n_unique())
        grouped = [dict(r) for r in grouped]
        labels = self.category_labels()
        order = {c: i for i, c in enumerate(labels)}
        grouped.sort(key=lambda r: (order.get(r["category"], len(order)), r["town"], r["village"]))
        per_category: dict[str, int] = {}
        for r in grouped:
            r["category_label"] = labels.get(r["category"], r["category"])
            per_category[r["category"]] = per_category.get(r["category"], 0) + r["minors"]
        audit.record_view(
            self.store,
            user.name,
            MINOR,
            None,
            {"as_of": day.isoformat(), "groups": len(grouped), "minors": minors},
            action="count",
        )
        return Counts(day, grouped, minors, per_category)

    def minors(
        self,
        user: User,
        day: dt.date,
        *,
        category: str | None = None,
        town: str | None = None,
        village: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> Page:
        """The minors on the register on `day` (one row each: name, masked number, categories,
        town, village, school, the assignment covering the day), filtered by a category, town
        and village that one registry row of the minor has; one page of them, audited."""
        check_window(offset, limit)
        scope = self.scope(user)
        rows, minors = self.active_on(day)
        if not scope.everything:
            minors = minors.filter(pl.col("id_card").is_in(sorted(scope.ids)))
        wanted = [
            pl.col(column) == value
            for column, value in (("category", category), ("town", town), ("village", village))
            if value
        ]
        if wanted:
            matching = rows.filter(pl.all_horizontal(wanted))["id_card"].unique()
            minors = minors.filter(pl.col("id_card").is_in(matching.implode()))
        total = minors.height
        shown = minors.slice(offset, limit).to_dicts()
        assigned = self._assignments_on([r["id_card"] for r in shown], day)
        labels = self.category_labels()
        for r in shown:
            r["category_labels"] = [labels.get(c, c) for c in self._ordered(r["categories"])]
            r["assignments"] = assigned.get(r["id_card"], [])
        page = Page(shown, total, offset, limit)
        self._shown(page)
        audit.record_list_view(
            self.store,
            user.name,
            MINOR,
            {"as_of": day.isoformat(), "category": category, "town": town, "village": village},
            [r["id_card"] for r in shown],
            offset=offset,
            limit=limit,
            total=total,
        )
        return self._masked_page(page)

    def places(self, user: User, day: dt.date) -> dict[str, list[str]]:
        """Town → its villages, among the user's registry rows on the register on `day` (for
        the filters: a helper is not shown where other units' minors live)."""
        scope = self.scope(user)
        rows, _ = self.active_on(day)
        if not scope.everything:
            rows = rows.filter(pl.col("id_card").is_in(sorted(scope.ids)))
        pairs = rows.select("town", "village").unique().drop_nulls("town").sort("town", "village")
        out: dict[str, list[str]] = {}
        for town, village in pairs.iter_rows():
            out.setdefault(town, [])
            if village:
                out[town].append(village)
        return out

    def _ordered(self, categories: Iterable[str]) -> list[str]:
        order = list(self.category_labels())
        return sorted(categories, key=lambda c: order.index(c) if c in order else len(order))

    def assignment_rows(self) -> pl.DataFrame:
        """minor_assignments' current rows (newest per record), kept per batch set."""
        batches = tuple(
            (b.parquet, b.replaces) for b in self.warehouse.batches(ASSIGNMENTS, current=True)
        )
        key = ("assignments", str(self.warehouse.root), batches)

        def read() -> pl.DataFrame:
            with self._connect() as con:
                source = self._rows(con, ASSIGNMENTS, None, ASSIGNMENT_COLUMNS)
                return con.sql(f"SELECT * FROM {source}").pl()

        return _KEPT.get(key, read)

    def current(
        self,
        dataset_id: str,
        columns: str,
        where: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> pl.DataFrame:
        """A dataset's current rows (the newest per record key of a snapshot) meeting `where`,
        as the models read them. `where` is applied before the newest row is chosen: it may name
        record-key columns only (a visit's date, a conduct record's date), never a column a
        newer version may change."""
        with self._connect() as con:
            source = self._rows(con, dataset_id, where, columns)
            return _frame(con, f"SELECT * FROM {source}", params or {})

    def _assignments_on(self, ids: Sequence[str], day: dt.date) -> dict[str, list[dict[str, Any]]]:
        """The assignments covering `day` of the given minors: id → [{unit, responsible, …}]."""
        if not ids:
            return {}
        rows = (
            self.assignment_rows()
            .filter(pl.col("id_card").is_in(list(ids)) & _covering(day))
            .sort("started_on", "unit", "responsible")
            .to_dicts()
        )
        out: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            out.setdefault(r.pop("id_card"), []).append(r)
        return out

    # ------------------------------------------------------------------ one minor

    def resolve_ref(self, user: User, ref: str) -> str:
        """The ID number behind a reference, among the minors the user sees; not found else."""
        scope = self.scope(user)
        if not is_ref(ref):
            raise not_on_register(ref)
        if not scope.everything:
            for id_card in scope.ids:
                if minor_ref(self.key, id_card) == ref:
                    return id_card
            raise not_on_register(ref)
        known = REMEMBERED.get(self.key, ref)
        if known is not None:
            return known
        dataset = self.datasets[REGISTRY]
        stored = stored_rows(self.warehouse, dataset)
        if stored is not None:
            with self._connect() as con:
                found = con.execute(
                    f"SELECT DISTINCT id_card FROM {stored} "
                    f"WHERE substr(sha256($key || id_card), 1, {len(ref)}) = $ref",
                    {"key": self.key, "ref": ref},
                ).fetchall()
            if found:
                REMEMBERED.add(self.key, ref, found[0][0])
                return str(found[0][0])
        raise not_on_register(ref)

    def find(self, user: User, text: str) -> str:
        """A minor as typed: a reference, or a full ID number; its number (not found when the
        user does not see it, or it is on neither the register nor an assignment)."""
        text = (text or "").strip().upper()
        if is_ref(text.lower()):
            return self.resolve_ref(user, text.lower())
        scope = self.scope(user)
        known = self.registry_rows()["id_card"].eq(text).any() or (
            self.assignment_rows()["id_card"].eq(text).any()
        )
        if not scope.sees(text) or not known:
            raise not_on_register(mask_id_card(text))
        return text

    def ref(self, id_card: str) -> str:
        ref = minor_ref(self.key, id_card)
        REMEMBERED.add(self.key, ref, id_card)
        return ref

    def minor_file(
        self,
        user: User,
        id_card: str,
        today: dt.date,
        *,
        reveal: bool = False,
        reason: str = "",
    ) -> dict[str, Any]:
        """一人一档: the minor's registry rows, assignments, visits (with help and measures),
        conduct records and warnings, each in date order, with this month's 四访; the
        procuratorate's own records (`own`: section → entries, `own_records`) for a user who sees
        the whole register (None for anyone else); and all of them on one `timeline` in date
        order — masked unless `reveal` (the role must allow it and a reason be given); the view
        is audited, with the number of each section's rows."""
        scope = self.scope(user)
        shown = mask_id_card(id_card)
        if not scope.sees(id_card):
            raise not_on_register(shown)
        if reveal:
            require(user, "reveal_id")
            if not reason.strip():
                raise UserError(
                    "显示完整的公民身份号码须说明理由（记入审计日志）。", code="reason_required"
                )
        one = "id_card = $id"
        params = {"id": id_card}
        with self._connect() as con:

            def read(dataset_id: str, order: str) -> list[dict[str, Any]]:
                columns = ", ".join(self.datasets[dataset_id].column_ids) + ", _batch, _row"
                source = self._rows(con, dataset_id, one, columns)
                return _dicts(con, f"SELECT * FROM {source} ORDER BY {order}", params)

            registry = read(REGISTRY, "identified_on, category")
            assignments = read(ASSIGNMENTS, "started_on, responsible")
            visits = read(VISITS, "visited_on, target, visitor")
            conduct = read(CONDUCT, "act_on, act")
        if not registry and not assignments:
            raise not_on_register(shown)
        labels = self.category_labels()
        for r in registry:
            r["category_label"] = labels.get(r["category"], r["category"])
            r["on_register"] = on_register(id_card, r["identified_on"], r["withdrawn_on"], today)
        warnings = self._warnings(user, id_card) if can(user, "view_leads") else None
        own: dict[str, list[FileEntry]] | None = None
        if scope.everything:  # the procuratorate's own records: never a helping unit's
            with self.store.connect() as conn:
                own = own_records(conn, id_card)
        out: dict[str, Any] = {
            "id_card": id_card,
            "ref": self.ref(id_card),
            "name": next((r["name"] for r in registry), None)
            or next((r["name"] for r in conduct), ""),
            "registry": registry,
            "assignments": assignments,
            "visits": visits,
            "conduct": conduct,
            "warnings": warnings,
            "own": own,
            "on_register": any(r["on_register"] for r in registry),
            "month": self._month_check(id_card, registry, visits, Month.of(today), today),
            "revealed": reveal,
        }
        detail: dict[str, Any] = {
            "revealed": reveal,
            "registry_rows": len(registry),
            "assignments": len(assignments),
            "visits": len(visits),
            "conduct": len(conduct),
            "warnings": None if warnings is None else [w["id"] for w in warnings],
            "own": None if own is None else {k: len(v) for k, v in own.items()},
        }
        if reveal:
            detail["reason"] = reason.strip()
        audit.record_view(self.store, user.name, MINOR, id_card, detail)
        shown_file = out if reveal else self._masked_file(out)
        shown_file["timeline"] = timeline(shown_file)
        return shown_file

    def _month_check(
        self,
        id_card: str,
        registry: Sequence[Mapping[str, Any]],
        visits: Sequence[Mapping[str, Any]],
        month: Month,
        today: dt.date,
    ) -> dict[str, Any] | None:
        """This month's 四访 of the minor (register.py's rules), None when none is due."""
        rule = self.rule
        due = [
            r
            for r in registry
            if r["category"] in rule.categories
            and due_in_month(id_card, r["identified_on"], r["withdrawn_on"], month)
        ]
        if not due:
            return None
        required = required_targets(school_required((r["school"] for r in due), rule.no_school))
        seen = visited_targets(
            v["target"] for v in visits if month.first <= v["visited_on"] <= month.last
        )
        missing = missing_targets(required, seen)
        status = visit_status(month, today, missing)
        return {
            "month": month.label,
            "required": required,
            "visited": [t for t in FOUR_VISITS if t in seen],
            "missing": missing,
            "status": status,
            "status_label": STATUS_LABELS[status],
        }

    def _warnings(self, user: User, id_card: str) -> list[dict[str, Any]]:
        """Leads (预警) whose subject is this minor — the number, or `number/YYYY-MM` for a
        monthly rule — among those the user sees, oldest first."""
        home = homes(self.library, departments_of(self.ws))
        query = (
            select(
                leads.c.id,
                leads.c.model_id,
                leads.c.subject,
                leads.c.title,
                leads.c.status,
                leads.c.active,
                leads.c.evidence,
                leads.c.created_at,
                leads.c.updated_at,
            )
            .select_from(leads.outerjoin(lead_dispatches))
            .where(leads.c.model_id.in_(list(self.library)))
            .where(
                or_(
                    leads.c.subject == id_card,
                    # ID/YYYY-MM: '/' sorts just below '0', so this range is exactly the prefix
                    (leads.c.subject >= f"{id_card}/") & (leads.c.subject < f"{id_card}0"),
                )
            )
            .order_by(leads.c.created_at, leads.c.id)
        )
        scoped = lead_scope(scope_of(user), home)
        if scoped is not None:
            query = query.where(scoped)
        with self.store.connect() as conn:
            hidden = sealing_visibility.sealed_now(conn).lead_ids
            if hidden:  # resting on a sealed juvenile record: not on anybody's file
                query = query.where(leads.c.id.not_in(hidden))
            rows = [dict(r._mapping) for r in conn.execute(query)]
        for r in rows:
            spec = self.library.get(r["model_id"])
            r["model_name"] = spec.name if spec else r["model_id"]
            r["status_label"] = status_label(r["status"], bool(r["active"]))
        return rows

    # ------------------------------------------------------------------ due and late

    def due(
        self,
        user: User,
        month: Month,
        today: dt.date,
        *,
        offset: int = 0,
        limit: int | None = None,
        everyone: bool = False,
    ) -> VisitPage:
        """The minors due a visit in `month` with a target still missing (all of them due with
        `everyone`): 待走访 while the month lasts, 逾期未走访 after it; audited."""
        return self._visits_check(
            user, [month], today, offset, limit, everyone, {"month": month.label}
        )

    def late(
        self, user: User, today: dt.date, *, offset: int = 0, limit: int | None = None
    ) -> VisitPage:
        """The complete months before this one (the model's look-back, 3 by default) in which a
        due minor's visits missed a target: one row per minor and month; audited."""
        months = list(late_months(today, self.rule.late_months))
        return self._visits_check(
            user, months, today, offset, limit, False, {"late": [m.label for m in months]}
        )

    def due_rows(self, months: Sequence[Month]) -> pl.DataFrame:
        """(minor, month) pairs due a visit in `months` (register.due_in_month over the rows of
        the due categories), with what the lists show; kept per batch set of key_minors."""
        rule = self.rule
        registry = self.registry_rows()
        key = ("due", id(registry), tuple(months), rule)

        def compute() -> pl.DataFrame:
            spans = ", ".join(
                f"(DATE '{m.first.isoformat()}', DATE '{m.last.isoformat()}')" for m in months
            )
            rows = registry.filter(pl.col("category").is_in(list(rule.categories)))
            with self._connect() as con:
                con.register("registry", rows)
                return _frame(
                    con,
                    f"""
                    WITH months(first, last) AS (VALUES {spans})
                    SELECT r.id_card, m.first, m.last,
                           arg_min(r.name, r.identified_on) AS name,
                           arg_min(r.town, r.identified_on) AS town,
                           arg_min(r.village, r.identified_on) AS village,
                           coalesce(max(r.school) FILTER (WHERE r.names_school),
                                    max(r.school)) AS school,
                           bool_or(r.names_school) AS has_school,
                           min(r.identified_on) AS identified_on
                    FROM (
                      SELECT *, (school IS NOT NULL AND trim(school) <> ''
                                 AND trim(school) <> ALL ($no_school::VARCHAR[])) AS names_school
                      FROM registry
                    ) AS r CROSS JOIN months AS m
                    WHERE r.identified_on <= m.first
                      AND (r.withdrawn_on IS NULL OR r.withdrawn_on >= m.last)
                      AND {_age_sql("r.id_card", "m.last")} < {ADULT_AGE}
                    GROUP BY r.id_card, m.first, m.last
                    """,
                    {"no_school": list(rule.no_school)},
                )

        return _KEPT.get(key, compute, registry)

    def judged(self, months: Sequence[Month]) -> pl.DataFrame:
        """Every (minor, month) due a visit in `months`, with the targets still missing — the
        due and late lists' rule (`missing`: joined by 、, empty when done; `first`: the month's
        first day), for every minor on the register.

        An internal read, not a user's view: unscoped and unaudited, for the services that
        count or export from it (juvenile.supervision), which check the user and audit what they
        show."""
        due = self.due_rows(months)
        params: dict[str, Any] = {
            "lo": min(m.first for m in months),
            "hi": max(m.last for m in months),
        }
        with self._connect() as con:
            con.register("due", due)
            stored, _ = self._stored(con, VISITS, "visited_on BETWEEN $lo AND $hi")
            return _frame(
                con,
                f"{_judged_sql(stored)} SELECT * FROM judged ORDER BY first, town NULLS LAST, "
                "village NULLS LAST, name, id_card",
                params,
            )

    def _visits_check(
        self,
        user: User,
        months: Sequence[Month],
        today: dt.date,
        offset: int,
        limit: int | None,
        everyone: bool,
        filters: dict[str, Any],
    ) -> VisitPage:
        check_window(offset, limit)
        scope = self.scope(user)
        due = self.due_rows(months)
        params: dict[str, Any] = {
            "lo": min(m.first for m in months),
            "hi": max(m.last for m in months),
        }
        ids = self._ids_condition(scope, params)
        if ids:
            due = due.filter(pl.col("id_card").is_in(sorted(scope.ids)))
        and_ids = f" AND {ids}" if ids else ""
        window = f"LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
        if limit is None and offset:
            window = f"OFFSET {int(offset)}"
        with self._connect() as con:
            con.register("due", due)
            stored, _ = self._stored(con, VISITS, f"visited_on BETWEEN $lo AND $hi{and_ids}")
            sql = _judged_sql(stored)
            listed = "" if everyone else "WHERE j.missing <> ''"
            rows = _dicts(
                con,
                f"{sql} SELECT j.*, f.due_total, f.done, count(*) OVER () AS _total "
                f"FROM judged AS j CROSS JOIN figures AS f {listed} ORDER BY j.first DESC, "
                "j.town NULLS LAST, j.village NULLS LAST, j.name, j.id_card "
                f"{window}",
                params,
            )
            if rows:
                total, due_total, done = rows[0]["_total"], rows[0]["due_total"], rows[0]["done"]
            else:
                counted = _dicts(
                    con,
                    f"{sql} SELECT (SELECT count(*) FROM judged AS j {listed}) AS total, "
                    "due_total, done FROM figures",
                    params,
                )[0]
                total, due_total, done = counted["total"], counted["due_total"], counted["done"]
        for r in rows:
            for extra in ("_total", "due_total", "done", "saw_0", "saw_1", "saw_2", "saw_3"):
                r.pop(extra, None)
            month = Month(r.pop("first"))
            r.pop("last")
            r["month"] = month.label
            r["required"] = list(required_targets(bool(r.pop("has_school"))))
            r["missing"] = [t for t in (r["missing"] or "").split("、") if t]
            r["status"] = visit_status(month, today, r["missing"])
            r["status_label"] = STATUS_LABELS[r["status"]]
        assigned = self._assignments_on(
            sorted({r["id_card"] for r in rows}), min(today, max(m.last for m in months))
        )
        for r in rows:
            r["assignments"] = assigned.get(r["id_card"], [])
        page = VisitPage(Page(rows, int(total), offset, limit), int(due_total), int(done))
        self._shown(page)
        audit.record_list_view(
            self.store,
            user.name,
            MINOR,
            {**filters, "everyone": everyone},
            [f"{r['id_card']}/{r['month']}" for r in rows],
            offset=offset,
            limit=limit,
            total=int(total),
            action="list_visits_due",
        )
        masked = self._masked_page(page)
        return VisitPage(masked, page.due, page.done)

    # ------------------------------------------------------------------ masking

    def _shown(self, rows: Iterable[dict[str, Any]]) -> None:
        for r in rows:
            r["ref"] = self.ref(r["id_card"])

    def _masked_page(self, page: Page) -> Page:
        return Page([_mask_row(r) for r in page], page.total, page.offset, page.limit)

    def _masked_file(self, file: dict[str, Any]) -> dict[str, Any]:
        out = dict(file)
        out["id_card"] = mask_id_card(file["id_card"])
        for section, dataset_id in (
            ("registry", REGISTRY),
            ("assignments", ASSIGNMENTS),
            ("visits", VISITS),
            ("conduct", CONDUCT),
        ):
            sensitive = {
                c.id for c in self.datasets[dataset_id].columns if c.type in SENSITIVE_TYPES
            }
            out[section] = [
                {
                    k: mask_id_card(v) if k in sensitive and isinstance(v, str) else v
                    for k, v in r.items()
                }
                for r in file[section]
            ]
        if file["warnings"] is not None:
            masking = Masking(self.library, self.datasets)
            out["warnings"] = [_masked_warning(masking, w) for w in file["warnings"]]
        return out


def _grouped(rows: pl.DataFrame, minors: int) -> tuple[list[dict[str, Any]], int]:
    """Registry rows counted per category × town × village (minors, not rows), and `minors`."""
    grouped = (
        rows.with_columns(pl.col("town", "village").fill_null(""))
        .group_by("category", "town", "village")
        .agg(pl.col("id_card").n_unique().alias("minors"))
        .to_dicts()
    )
    return grouped, minors


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any]) -> pl.DataFrame:
    return con.sql(sql, params=dict(params)).pl()


def _dicts(
    con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any]
) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description or ()]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def _mask_row(row: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(row)
    out["id_card"] = mask_id_card(str(row["id_card"]))
    return out


def _masked_warning(masking: Masking, warning: Mapping[str, Any]) -> dict[str, Any]:
    """A warning as lists show it: the model's masking, and the number of its subject (the
    minor's, or `number/YYYY-MM` of a monthly rule) masked whatever the model's lineage says."""
    out = masking.lead(warning)
    number, sep, rest = str(warning["subject"]).partition("/")
    out["subject"] = mask_id_card(number) + sep + rest
    return out
