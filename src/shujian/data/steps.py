"""The import's ordered steps: what `import_file` runs, from the agency's file to the rows stored.

`STEPS` is the import, in order; each step takes the `ImportState` built so far and returns a
new one with its own part filled in. Two steps read (the file, the keys already stored); the
others are pure, so each can be run and tested alone on a state made by hand
(tests/data/test_import_steps.py; docs/import.md lists them and is checked against `STEPS`).

Every step works on whole columns. A file that cannot be mapped to the dataset's required
columns is refused whole; a bad row is rejected with its reasons and the rest imports.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import duckdb
import numpy as np
import polars as pl

from shujian.data import mappings, readers
from shujian.data.datasets import LIST_SEPARATORS, Column, Dataset, normalise_header
from shujian.data.fields.base import Parsed, nulls, via_distinct
from shujian.data.fields.geo import to_wgs84
from shujian.data.fields.registry import get_field_type
from shujian.data.fields.text import normalise_text
from shujian.data.limits import ReadLimits
from shujian.data.readers import HEADER_SCAN_ROWS, Grid
from shujian.data.rejections import Rejection
from shujian.data.warehouse import Period, Warehouse
from shujian.errors import UserError

RAW_SUFFIX = "__raw"
"""Stored beside each declared column: the agency's original text."""

PARSE_THREADS = 2
"""Columns parsed at once (this machine class has two cores)."""

PARSE_SLICE_ROWS = 1_000_000
"""Rows of a column parsed at a time (`parse_fields`), at most."""

PARSE_SLICE_BYTES = 32 * 2**20
"""Text of a column parsed at a time, at most (`parse_slice_rows`): a field type makes several
intermediate columns of its slice, and a registry's business scopes (97 characters a cell) in
slices of a million rows took the import of two million entities to 1.8 GiB."""

_PARSE_COST = {"id_card": 3, "uscc_or_id_card": 4, "uscc": 2}
"""Time to parse a million cells relative to text (bench/fields.py): costliest go first."""

_Rows = TypeVar("_Rows", pl.DataFrame, pl.Series)

_TOTALS = re.compile(r"^\s*(?:合\s*计|总\s*计|小\s*计|共\s*计|总合计)\s*[:：]?.{0,8}$")


@dataclass
class ImportOptions:
    sheet: str | None = None
    encoding: str = "auto"
    crs: str | None = None
    """The coordinate system of the whole file; a file with coordinates and no 坐标系 column
    needs it (`require_crs`)."""
    mapping: dict[str, str] = field(default_factory=dict)
    """表头 → 字段 as typed for this file; saved under `agency` when the import succeeds."""
    agency: str = ""
    constants: dict[str, str] = field(default_factory=dict)
    """字段 → value for every row, for a column the file lacks (one kindergarten's roster has
    no 单位名称: it is the kindergarten's)."""


@dataclass(frozen=True)
class ImportRequest:
    """What was asked for; the same for every step."""

    dataset: Dataset
    path: Path
    options: ImportOptions
    warehouse: Warehouse
    """Read by `read_stored_keys` only (events already stored are not stored again)."""
    saved_mapping: Mapping[str, str] = field(default_factory=dict)
    """Normalised header → column id: the agency's saved mappings (`data/mappings.py`); a
    header typed in `options.mapping` wins."""
    replaces: int | None = None
    """The batch this import will replace: its rows are not "already stored"."""
    file_name: str = ""
    """The file's name as its sender named it (an upload is stored under a generated name);
    `path`'s name when empty."""
    limits: ReadLimits = field(default_factory=ReadLimits)
    """How much reading the file may cost (`[import]` in shujian.toml)."""

    @property
    def name(self) -> str:
        return self.file_name or self.path.name


def _empty_grid() -> Grid:
    return Grid(frame=pl.DataFrame(), row_numbers=pl.Series("row", [], dtype=pl.Int64))


@dataclass(frozen=True)
class ImportState:
    """What the import knows so far. Each step returns a copy with its own fields filled in.

    Frames and series are never changed in place, so a state can be handed to the next step,
    kept by a test, or run through a step twice, and stays what it was.
    """

    request: ImportRequest
    grid: Grid = field(default_factory=_empty_grid)
    """Every cell of the sheet as text (`read_grid`)."""
    header_at: int = -1
    """Index in `grid` of the header row (`locate_header`)."""
    columns: Mapping[str, str] = field(default_factory=dict)
    """Grid column → declared column id (`locate_header`)."""
    extras: Mapping[str, str] = field(default_factory=dict)
    """Grid column → its header, for headers matching no declared column (`locate_header`)."""
    body: pl.DataFrame = field(default_factory=pl.DataFrame)
    """The data rows, grid columns, agency's text (`drop_non_data_rows`)."""
    rows: pl.Series = field(default_factory=lambda: pl.Series("row", [], dtype=pl.Int64))
    """Each data row's number as the user sees it in the file (`drop_non_data_rows`)."""
    skipped: tuple[Mapping[str, object], ...] = ()
    """Rows not imported and not errors — totals rows, superseded repeats — with the reason."""
    values: Mapping[str, pl.Series] = field(default_factory=dict)
    """Normalised values by column id (`parse_fields`, `validate`, `coordinates_to_wgs84`)."""
    errors: Mapping[str, pl.Series] = field(default_factory=dict)
    """By column id: the reason a cell is refused, or null (`parse_fields`, `validate`)."""
    table: pl.DataFrame = field(default_factory=pl.DataFrame)
    """The rows in their stored shape (`to_stored_shape`); the steps after it only drop rows,
    and what is left at the end is the batch."""
    rejections: tuple[Rejection, ...] = ()
    """One per refused cell, by row and column (`split_rejected`)."""
    rejected: int = 0
    """Rows refused (`split_rejected`)."""
    stored_keys: pl.Series = field(default_factory=lambda: pl.Series([], dtype=pl.Utf8))
    """`_record_key`s already stored for an events dataset that the new rows have too
    (`read_stored_keys`)."""
    duplicates: int = 0
    """Rows already stored by an earlier batch, not stored again (`drop_stored_duplicates`)."""
    earlier_digests: tuple[pl.DataFrame, ...] = ()
    """For a file read in parts (`parts.py`), events only: the content digest of every row of
    the earlier parts, refused rows too (`digests`, below); a row repeating one counts on from there
    (`to_stored_shape`), exactly as in one pass over the whole file."""
    digests: pl.DataFrame = field(default_factory=pl.DataFrame)
    """Events only: each row's content digest as two 64-bit halves (`digest_halves`), in the
    rows' order before any is refused (`to_stored_shape`); what the later parts count on from."""


Step = Callable[[ImportState], ImportState]


# ----------------------------------------------------------------------------- steps


def read_grid(state: ImportState) -> ImportState:
    """Read every cell as text (I/O: the agency's file). See `readers.py`."""
    request = state.request
    with ThreadPoolExecutor(max_workers=1) as pool:
        # the field types' one-off tables are built while the file is read
        prepared = pool.submit(prepare_field_types, request.dataset)
        grid = readers.read_grid(
            request.path, request.options.sheet, request.options.encoding, request.limits
        )
        prepared.result()
    return replace(state, grid=grid)


def prepare_field_types(dataset: Dataset) -> None:
    """Build the one-off tables of every field type the dataset uses (`FieldType.prepare`)."""
    for name in {col.type for col in dataset.columns}:
        get_field_type(name).prepare()


def locate_header(state: ImportState) -> ImportState:
    """Find the header row among the first rows and map its cells to column ids.

    The header is the row that names the most declared columns; title rows above it
    ("青岚县2024年在建工程项目清单") name none. A header matching no column is an extra column,
    kept verbatim. Refuses the whole file when a required column is missing, naming it.
    """
    dataset, grid = state.request.dataset, state.grid
    index = dataset.header_index()
    user = {
        **state.request.saved_mapping,
        **mappings.resolve(dataset, state.request.options.mapping),
    }
    lookup = {**index, **user}
    head = grid.frame.head(HEADER_SCAN_ROWS)
    best_row, best_hits = -1, 0
    for i, row in enumerate(head.iter_rows()):
        hits = len(
            {lookup[normalise_header(v)] for v in row if v and normalise_header(v) in lookup}
        )
        if hits > best_hits:
            best_row, best_hits = i, hits
    if best_row < 0:
        missing = "、".join(c.label for c in dataset.required)
        raise UserError(
            f"文件 {state.request.name} 中找不到“{dataset.label}”的表头：前{HEADER_SCAN_ROWS}行中"
            f"没有任何一列能对应到本数据集的字段（必填：{missing}）。整份文件未导入。",
            code="header_not_found",
        )
    mapping: dict[str, str] = {}
    extras: dict[str, str] = {}
    for name, value in zip(grid.frame.columns, head.row(best_row), strict=True):
        if value is None or not str(value).strip():
            continue
        column_id = lookup.get(normalise_header(value))
        if column_id is None or column_id in mapping.values():
            extras[name] = str(value).strip()
        else:
            mapping[name] = column_id
    constant = set(resolve_constants(dataset, state.request.options.constants))
    missing_cols = [
        c for c in dataset.required if c.id not in mapping.values() and c.id not in constant
    ]
    if missing_cols:
        names = "、".join(c.label for c in missing_cols)
        raise UserError(
            f"文件 {state.request.name} 缺少“{dataset.label}”的必填列：{names}。整份文件未导入。",
            code="missing_columns",
        )
    return replace(state, header_at=best_row, columns=mapping, extras=extras)


def drop_non_data_rows(state: ImportState) -> ImportState:
    """Keep the rows below the header, less blank rows and totals rows (which are reported:
    nothing disappears silently)."""
    body = state.grid.frame.slice(state.header_at + 1)
    rows = state.grid.row_numbers.slice(state.header_at + 1)
    # One select: polars runs both scans over all columns side by side.
    flags = body.select(
        blank=pl.all_horizontal(
            [pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in body.columns]
        ),
        totals=pl.any_horizontal(
            [pl.col(c).str.contains(_TOTALS.pattern).fill_null(False) for c in body.columns]
        ),
    )
    blank, totals = flags["blank"], flags["totals"]
    skipped = tuple(
        {"row": int(r), "reason": "合计/总计行，不是数据行，已跳过"}
        for r in rows.filter(totals & ~blank)
    )
    drop = blank | totals
    return replace(
        state,
        body=_without(body, drop),
        rows=_without(rows, drop),
        skipped=(*state.skipped, *skipped),
    )


CONSTANT_PREFIX = "__set__"
"""Name of the grid column holding a constant (`add_constants`); no sheet column is so named."""


def resolve_constants(dataset: Dataset, constants: Mapping[str, str]) -> dict[str, str]:
    """`字段=值` pairs as typed → column id → value; refuses an unknown 字段 or an empty value."""
    resolved = {}
    for name, value in constants.items():
        column_id = mappings.column_named(dataset, name)
        if column_id is None:
            raise UserError(
                f"整份文件统一取值“{name}={value}”：数据集“{dataset.label}”没有名为“{name}”的字段。",
                code="unknown_constant_column",
            )
        if not str(value).strip():
            raise UserError(f"整份文件统一取值“{name}=”没有给出值。", code="empty_constant")
        resolved[column_id] = str(value).strip()
    return resolved


def add_constants(state: ImportState) -> ImportState:
    """Give every row the value asked for a column the file lacks (`ImportOptions.constants`).

    A constant for a column the file has is refused: which of the two would be meant cannot be
    told, and overwriting the agency's own cells is what the platform never does. A value its
    field type or vocabulary refuses is refused here, for the whole file, rather than row by row:
    it is the command that is wrong, not the agency's rows.
    """
    dataset = state.request.dataset
    constants = resolve_constants(dataset, state.request.options.constants)
    if not constants:
        return state
    present = {col_id: name for name, col_id in state.columns.items()}
    for column_id, value in constants.items():
        col = dataset.column(column_id)
        if column_id in present:
            header = state.grid.frame[present[column_id]][state.header_at]
            raise UserError(
                f"文件中已有“{col.label}”列（表头“{header}”），不能再为它指定整份文件统一的值。",
                code="constant_for_present_column",
            )
        reason = constant_refusal(col, value)
        if reason is not None:
            raise UserError(
                f"整份文件统一取值“{col.label}={value}”：{reason}。",
                code="bad_constant",
            )
    n = state.body.height
    body = state.body.with_columns(
        pl.repeat(value, n, dtype=pl.Utf8, eager=True).alias(CONSTANT_PREFIX + column_id)
        for column_id, value in constants.items()
    )
    columns = {**state.columns, **{CONSTANT_PREFIX + c: c for c in constants}}
    return replace(state, body=body, columns=columns)


def constant_refusal(col: Column, value: str) -> str | None:
    """Why `value` cannot be every row's value of `col` (its field type or vocabulary refuses
    it), or None. A form asks it before the file is sent."""
    parsed = get_field_type(col.type).parse(pl.Series([value]))
    reason = parsed.error[0]
    if reason is None and col.values:
        _, vocabulary = _check_vocabulary(parsed.value, col)
        reason = vocabulary[0]
    return None if reason is None else str(reason)


def require_crs(state: ImportState) -> ImportState:
    """Refuse a file with coordinates whose coordinate system nobody stated.

    高德 and 腾讯 give GCJ-02, 百度 BD-09, GPS devices WGS-84; the offset between them (300–700 m)
    is more than the 200 m the models measure, so a guessed system makes false leads and misses
    real ones. The file must say it (a 坐标系 column) or the user must (`ImportOptions.crs`).
    """
    dataset = state.request.dataset
    if not dataset.coordinates or state.request.options.crs is not None:
        return state
    mapped = set(state.columns.values())
    if dataset.coordinates.get("crs") in mapped:
        return state
    if not {dataset.coordinates["lon"], dataset.coordinates["lat"]} & mapped:
        return state
    raise UserError(
        f"文件 {state.request.name} 中有经纬度，但既没有“坐标系”列，也没有指定整份文件的坐标系。"
        "坐标来自哪里？高德地图、腾讯地图 → GCJ02；百度地图 → BD09；GPS 设备、天地图、北斗 → "
        "WGS84。几种坐标系相差 300–700 米，超过模型判断的距离，不能默认。整份文件未导入。",
        code="crs_unknown",
    )


def _without(rows: _Rows, drop: pl.Series) -> _Rows:
    """`rows` less those where `drop` holds; most files drop none, and then nothing is copied."""
    return rows.filter(~drop) if drop.any() else rows


def _present(state: ImportState) -> list[Column]:
    """The declared columns the file has, in declaration order."""
    mapped = set(state.columns.values())
    return [col for col in state.request.dataset.columns if col.id in mapped]


def _raw(state: ImportState) -> dict[str, pl.Series]:
    """The agency's text of each mapped column, by column id."""
    return {col_id: state.body[name] for name, col_id in state.columns.items()}


def _side_by_side(
    columns: list[Column], work: Callable[[Column], tuple[pl.Series, pl.Series]]
) -> dict[str, tuple[pl.Series, pl.Series]]:
    """`work` on each column, two at a time, the costliest field types first.

    Field types run polars expressions that release the GIL, so two columns are parsed side by
    side; starting with the costliest lets the two threads finish together.
    """
    order = sorted(columns, key=lambda c: -_PARSE_COST.get(c.type, 1))
    with ThreadPoolExecutor(max_workers=PARSE_THREADS) as pool:
        done = dict(zip((c.id for c in order), pool.map(work, order), strict=True))
    return {col.id: done[col.id] for col in columns}


def parse_slice_rows(column: pl.Series) -> int:
    """Rows of `column` parsed at a time: `PARSE_SLICE_ROWS`, fewer where that many cells hold
    more than `PARSE_SLICE_BYTES` of text (the slice then holds about that much)."""
    text = int(column.str.len_bytes().sum()) if column.dtype == pl.Utf8 else 0
    if text <= PARSE_SLICE_BYTES:
        return PARSE_SLICE_ROWS
    return max(1, min(PARSE_SLICE_ROWS, PARSE_SLICE_BYTES * column.len() // text))


def parse_fields(state: ImportState) -> ImportState:
    """Parse each mapped column with its field type (`data/fields/`): values and reasons.

    A column is parsed a slice of rows at a time (`parse_slice_rows`): a cell's value and reason
    depend on the cell alone, and a field type's intermediate columns over six million rows (two
    columns at once) were 700 MB of the import's peak memory. The slices of every column go to
    `PARSE_THREADS` threads (field types run polars expressions that release the GIL), the
    costliest first, so that one long column (a registry's business scopes) keeps both busy.
    """
    raw = _raw(state)
    columns = _present(state)
    slices: list[tuple[Column, int, int]] = []
    for col in columns:
        rows = parse_slice_rows(raw[col.id])
        slices += [(col, start, rows) for start in range(0, max(raw[col.id].len(), 1), rows)]

    def cost(piece: tuple[Column, int, int]) -> int:
        col, _, rows = piece
        return _PARSE_COST.get(col.type, 1) * min(rows, raw[col.id].len())

    def parse(piece: tuple[Column, int, int]) -> Parsed:
        col, start, rows = piece
        return get_field_type(col.type).parse(raw[col.id].slice(start, rows))

    order = sorted(range(len(slices)), key=lambda i: -cost(slices[i]))
    with ThreadPoolExecutor(max_workers=PARSE_THREADS) as pool:
        parsed = dict(zip(order, pool.map(parse, [slices[i] for i in order]), strict=True))
    values: dict[str, list[pl.Series]] = {col.id: [] for col in columns}
    errors: dict[str, list[pl.Series]] = {col.id: [] for col in columns}
    for i, (col, _, _) in enumerate(slices):  # each column's slices in the file's order
        values[col.id].append(parsed[i].value)
        errors[col.id].append(parsed[i].error)
    return replace(
        state,
        values={k: _joined(v).alias(k) for k, v in values.items()},
        errors={k: _compact(_joined(e)).alias(k) for k, e in errors.items()},
    )


def _joined(pieces: list[pl.Series]) -> pl.Series:
    return pieces[0] if len(pieces) == 1 else pl.concat(pieces, rechunk=True)


def validate(state: ImportState) -> ImportState:
    """Apply what the dataset declares beyond the type: vocabularies and required cells.

    A declared synonym is mapped to its value (网咖 → 网吧); any other value outside the
    vocabulary is refused naming the allowed ones, never guessed. An empty required cell is
    refused as such, whatever else is wrong with the row. The first reason of a cell is kept:
    empty, then the type's, then the vocabulary's.
    """
    raw, n = _raw(state), state.body.height
    checked = [col for col in _present(state) if col.values or col.required]

    def check(col: Column) -> tuple[pl.Series, pl.Series]:
        parsed, error = state.values[col.id], state.errors[col.id]
        value = parsed
        if col.values:
            value, vocab_error = _vocabulary_per_value(parsed, col)
            error = _first_error(error, vocab_error)
        if col.required:
            # every field type gives an empty cell no value (tests/data/fields), so only the
            # cells without one are looked at
            without = parsed.is_null().arg_true()
            if without.len():
                cells = raw[col.id].gather(without)
                empty = without.filter(cells.str.strip_chars().replace("", None).is_null())
                if empty.len():
                    reason = nulls(n, pl.Utf8).scatter(empty, "必填项为空")
                    error = _first_error(reason, error)
        return value.alias(col.id), error.alias(col.id)

    done = _side_by_side(checked, check)
    return replace(
        state,
        values={**state.values, **{k: value for k, (value, _) in done.items()}},
        errors={**state.errors, **{k: error for k, (_, error) in done.items()}},
    )


def _first_error(a: pl.Series, b: pl.Series) -> pl.Series:
    return _compact(pl.select(pl.coalesce(a, b)).to_series())


def _compact(reasons: pl.Series) -> pl.Series:
    """A column of reasons with none in it as an all-null column that holds no text buffers
    (most columns of most files: each such column of six million rows held some 100 MB)."""
    if reasons.null_count() == reasons.len():
        return nulls(reasons.len(), reasons.dtype).alias(reasons.name)
    return reasons


def _vocabulary_per_value(value: pl.Series, col: Column) -> tuple[pl.Series, pl.Series]:
    """`_check_vocabulary`, each distinct value once where values repeat (a category column of
    a million rows holds a handful)."""
    if value.dtype != pl.Utf8:
        return _check_vocabulary(value, col)
    checked = via_distinct(value, lambda distinct: Parsed(*_check_vocabulary(distinct, col)))
    return checked.value, checked.error


def _check_vocabulary(value: pl.Series, col: Column) -> tuple[pl.Series, pl.Series]:
    """Map synonyms to the declared value; anything else is rejected, not guessed. A list cell
    (`multiple`) is checked item by item."""
    if col.multiple:
        return _check_list(value, col)
    synonyms = {normalise_text(pl.Series([k]))[0]: v for k, v in col.synonyms.items()}
    mapped = value.replace(synonyms) if synonyms else value
    bad = mapped.is_not_null() & ~mapped.is_in(list(col.values))
    error = pl.select(
        pl.when(pl.lit(bad))
        .then(
            pl.format(
                "“{}”不是规定的{}（应为：{}）",
                pl.lit(value),
                pl.lit(col.label),
                pl.lit(allowed_values(col)),
            )
        )
        .otherwise(None)
    ).to_series()
    if col.ambiguous:  # a word naming several values is refused with the question it raises
        questions = {normalise_text(pl.Series([k]))[0]: v for k, v in col.ambiguous.items()}
        asked = value.replace_strict(questions, default=None, return_dtype=pl.Utf8)
        error = pl.select(pl.coalesce(asked, error)).to_series()
    return mapped, error


def allowed_values(col: Column) -> str:
    """The values a message names: 一对一、一对多 …, or for codes 单亲、离异家庭未成年人（single_parent）；…"""
    if col.value_labels:
        return "；".join(
            f"{col.value_labels[v]}（{v}）" if v in col.value_labels else v for v in col.values
        )
    return "、".join(col.values)


def _check_list(value: pl.Series, col: Column) -> tuple[pl.Series, pl.Series]:
    """A list cell (心理辅导，劝返回校 / 帮学业、法治): split on 、,;/| and spaces, each item mapped
    or refused as a single value is, then stored as its distinct values in declared order joined
    by 、. The first refused item gives the cell's reason; the rejection report shows the cell."""
    n = value.len()
    items = (
        pl.DataFrame({"i": pl.int_range(n, eager=True), "item": value.cast(pl.Utf8)})
        .with_columns(
            pl.col("item")
            .str.replace_all(LIST_SEPARATORS.pattern, "、")
            .str.strip_chars("、")
            .str.split("、")
        )
        .explode("item")
        .filter(pl.col("item").is_not_null() & (pl.col("item") != ""))
    )
    single = replace(col, multiple=False)
    mapped, error = _check_vocabulary(items["item"], single)
    order = {v: k for k, v in enumerate(col.values)}
    checked = items.with_columns(
        mapped.alias("value"),
        error.alias("error"),
        mapped.replace_strict(order, default=None, return_dtype=pl.Int64).alias("order"),
    )
    cells = (
        checked.sort("i", "order", nulls_last=True)
        .group_by("i")
        .agg(
            pl.col("value")
            .filter(pl.col("order").is_not_null())
            .unique(maintain_order=True)
            .str.join("、"),
            pl.col("error").drop_nulls().first(),
        )
    )
    back = (
        pl.DataFrame({"i": pl.int_range(n, eager=True), "raw": value.cast(pl.Utf8)})
        .join(cells, on="i", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("raw").is_not_null() & pl.col("value").is_null())
            .then(pl.format("“{}”中没有可识别的{}", pl.col("raw"), pl.lit(col.label)))
            .otherwise(pl.col("error"))
            .alias("error")
        )
        .with_columns(pl.when(pl.col("error").is_null()).then(pl.col("value")).alias("value"))
    )
    return back["value"].alias(value.name), back["error"].alias(value.name)


def coordinates_to_wgs84(state: ImportState) -> ImportState:
    """Convert coordinates to WGS-84 from each row's 坐标系, else `--crs`.

    A row with coordinates whose 坐标系 cell is empty, in a file given no `--crs`, is rejected:
    guessing WGS-84 is how a GCJ-02 venue 450 m away became a lead "55 m" away. The file's own
    coordinates are kept as `<lon>_source` / `<lat>_source`: a lead's distance can always be
    checked against what the agency sent.
    """
    dataset, n = state.request.dataset, state.body.height
    if not dataset.coordinates:
        return state
    default_crs = state.request.options.crs
    lon_id, lat_id = dataset.coordinates["lon"], dataset.coordinates["lat"]
    crs_id = dataset.coordinates.get("crs", "")
    if default_crs is not None:
        parsed_default = get_field_type("crs").parse(pl.Series([default_crs]))
        if parsed_default.error[0] is not None:
            raise UserError(
                f"坐标系“{default_crs}”：{parsed_default.error[0]}。可选：WGS84、GCJ02、BD09。",
                code="bad_crs",
            )
        default = parsed_default.value[0]
    else:
        default = None
    values, errors = dict(state.values), dict(state.errors)
    crs = values.get(crs_id, nulls(n, pl.Utf8))
    if default is not None:
        crs = crs.fill_null(default)
    elif crs_id in values and lon_id in values:
        earlier = errors.get(crs_id, nulls(n, pl.Utf8))
        unstated = crs.is_null() & values[lon_id].is_not_null() & earlier.is_null()
        if unstated.any():
            reason = nulls(n, pl.Utf8).set(unstated, "坐标系为空，无法判断坐标来自哪里")
            errors[crs_id] = _first_error(earlier, reason).alias(crs_id)
    if crs_id:
        values[crs_id] = crs.alias(crs_id)
    if lon_id in values and lat_id in values:
        lon, lat = to_wgs84(values[lon_id], values[lat_id], crs)
        values[f"{lon_id}_source"] = values[lon_id].alias(f"{lon_id}_source")
        values[f"{lat_id}_source"] = values[lat_id].alias(f"{lat_id}_source")
        values[lon_id] = lon.alias(lon_id)
        values[lat_id] = lat.alias(lat_id)
    return replace(state, values=values, errors=errors)


def to_stored_shape(state: ImportState) -> ImportState:
    """Every declared column (null when the file lacks it) with its original text beside it,
    the source row number, the extra columns as one JSON text, and the record's identity."""
    dataset, body, n = state.request.dataset, state.body, state.body.height
    raw = _raw(state)
    out: dict[str, pl.Series] = {}
    for col in dataset.columns:
        dtype = get_field_type(col.type).dtype
        out[col.id] = state.values.get(col.id, nulls(n, dtype).alias(col.id))
        out[col.id + RAW_SUFFIX] = raw.get(col.id, nulls(n, pl.Utf8)).alias(col.id + RAW_SUFFIX)
    for key, value in state.values.items():
        if key.endswith("_source"):
            out[key] = value
    out["_row"] = state.rows.alias("_row")
    if state.extras:
        extra = body.select(
            pl.struct([pl.col(c).alias(h) for c, h in state.extras.items()]).struct.json_encode()
        ).to_series()
    else:
        extra = nulls(n, pl.Utf8)
    out["_extra"] = extra.alias("_extra")
    frame = pl.DataFrame(out)
    keys, digests = _record_key(frame, dataset, state.earlier_digests)
    frame = frame.with_columns(keys.alias("_record_key"))
    schema = stored_schema(dataset)
    table = frame.select([pl.col(c).cast(t) for c, t in schema.items() if c != "_batch"])
    return replace(state, table=table, digests=digests)


def split_rejected(state: ImportState) -> ImportState:
    """A row with any refused cell is rejected whole; each refused cell is reported with its row
    number, column label, original value and reason. The rest goes on."""
    raw, dataset = _raw(state), state.request.dataset
    rejections: list[Rejection] = []
    for col_id, error in state.errors.items():
        mask = error.is_not_null()
        if col_id not in raw or not mask.any():
            continue
        label = dataset.column(col_id).label
        for row, value, reason in zip(
            state.rows.filter(mask), raw[col_id].filter(mask), error.filter(mask), strict=True
        ):
            rejections.append(Rejection(row=int(row), column=label, value=value, reason=reason))
    rejections.sort(key=lambda r: (r.row, r.column))
    if state.errors:
        bad = pl.DataFrame(list(state.errors.values())).select(
            pl.any_horizontal(pl.all().is_not_null())
        )
        bad_rows = bad.to_series()
    else:
        bad_rows = pl.repeat(False, state.table.height, eager=True)
    return replace(
        state,
        table=_without(state.table, bad_rows),
        rejections=tuple(rejections),
        rejected=int(bad_rows.sum()),
    )


def keep_last_per_key(state: ImportState) -> ImportState:
    """A registry file that lists the same record twice: its later row stands (and is reported)."""
    dataset, frame = state.request.dataset, state.table
    if dataset.mode != "snapshot" or frame.is_empty():
        return state
    last = _is_last_of_key(frame["_record_key"])
    if last.all():
        return state
    kept = frame.filter(last)
    superseded = frame.filter(~last).select("_record_key", "_row")
    later = dict(
        kept.filter(pl.col("_record_key").is_in(superseded["_record_key"].implode()))
        .select("_record_key", "_row")
        .iter_rows()
    )
    labels = "、".join(dataset.column(c).label for c in dataset.record_key)
    repeated = tuple(
        {"row": int(r), "reason": f"与第{later[k]}行的{labels}相同，以后出现的一行为准"}
        for k, r in superseded.iter_rows()
    )
    return replace(state, table=kept, skipped=(*state.skipped, *repeated))


def keep_stored_values(state: ImportState) -> ImportState:
    """Refuse a snapshot file that lacks a declared column whose value is stored for one of its
    records (I/O: the warehouse).

    A snapshot's newer row replaces the older one whole, so a file without 经营状态 would read
    as 经营状态 unknown for every record it names, erasing a stored 注销. Such a file is
    refused; the column may be given for the whole file (`ImportOptions.constants`), or the
    agency's full file imported instead. A column no stored row of these records has a value in
    is lost by nothing, and its absence is allowed.
    """
    dataset = state.request.dataset
    if dataset.mode != "snapshot" or state.table.is_empty():
        return state
    present = set(state.columns.values())
    # a column the file lacks but the import filled (the coordinate system from the file's
    # `crs` option) is not missing
    missing = [
        c.id
        for c in dataset.columns
        if c.id not in present and state.table[c.id].null_count() == state.table.height
    ]
    if not missing:
        return state
    warehouse = state.request.warehouse
    found = warehouse.sources(dataset.id, excluding=state.request.replaces)
    if not found.files:
        return state
    keys = state.table["_record_key"].unique().implode()
    parts = []
    for f in found.files:
        scan = pl.scan_parquet(f)
        names = scan.collect_schema().names()
        parts.append(
            scan.select(
                "_batch",
                "_row",
                "_record_key",
                *[
                    (pl.col(c).is_not_null() if c in names else pl.lit(False)).alias(c)
                    for c in missing
                ],
            )
        )
    rows = pl.concat(parts)
    if found.skip:
        rows = rows.filter(~pl.col("_batch").is_in(list(found.skip)))
    place = pl.col("_batch").replace_strict(
        dict(found.places), default=pl.col("_batch"), return_dtype=pl.Int64
    )
    newest = (
        rows.filter(pl.col("_record_key").is_in(keys))
        .sort(place, "_row")
        .group_by("_record_key")
        .last()
        .collect()
    )
    held = [c for c in missing if newest.height and bool(newest[c].any())]
    if not held:
        return state
    labels = "、".join(f"“{dataset.column(c).label}”" for c in held)
    records = newest.filter(pl.any_horizontal(*[pl.col(c) for c in held])).height
    raise UserError(
        f"文件中没有{labels}列，而此前导入的数据中有 {records} 条记录（按{_key_labels(dataset)}）"
        f"在这些列有值。{dataset.label}按快照导入，新文件的一行会整行取代旧的一行，"
        "这些值会被清空（例如已注销的场所会被当作经营状态不明）。"
        "请导入含有这些列的完整文件，或导入时为整份文件统一指定这些列的值。"
        f"文件 {state.request.name} 未导入。",
        code="snapshot_lacks_column",
    )


def _key_labels(dataset: Dataset) -> str:
    return "、".join(dataset.column(c).label for c in dataset.record_key)


def read_stored_keys(state: ImportState) -> ImportState:
    """The record keys already stored for an events dataset that the new rows repeat (I/O: the
    warehouse): only the stored batches whose key index holds one of the new keys are read, and
    of them only the keys found are held, whatever the history (`Warehouse.stored_keys`).

    Only events are compared with what is stored: a snapshot's newer row replaces the older
    one when read, so it is stored again on purpose.
    """
    dataset = state.request.dataset
    if dataset.mode != "events" or state.table.is_empty():
        return state
    keys = state.request.warehouse.stored_keys(
        dataset.id,
        state.table["_record_key"],
        excluding=state.request.replaces,
        within=event_period(state.table, dataset),
    )
    return replace(state, stored_keys=keys)


def event_period(table: pl.DataFrame, dataset: Dataset) -> Period | None:
    """The span of the new events in their time column, or None (compare with every stored
    event) when the dataset has none or a value in it is empty.

    A daily file is then compared with the stored events of its own day, which the Parquet
    files' statistics find without reading the rest: importing the hundredth daily file costs
    what the first did, not a hundred times the history.
    """
    column = dataset.time_column
    if column is None or column not in table.columns or table[column].null_count():
        return None
    return Period(column, table[column].min(), table[column].max())


def drop_stored_duplicates(state: ImportState) -> ImportState:
    """Events already stored by an earlier batch are not stored again (agencies' exports overlap:
    January–March, then January–June), and are counted as duplicates."""
    if state.request.dataset.mode != "events" or state.stored_keys.is_empty():
        return state
    fresh = state.table.filter(~pl.col("_record_key").is_in(state.stored_keys.implode()))
    return replace(state, table=fresh, duplicates=state.table.height - fresh.height)


STEPS: tuple[Step, ...] = (
    read_grid,
    locate_header,
    drop_non_data_rows,
    add_constants,
    require_crs,
    parse_fields,
    validate,
    coordinates_to_wgs84,
    to_stored_shape,
    split_rejected,
    keep_last_per_key,
    keep_stored_values,
    read_stored_keys,
    drop_stored_duplicates,
)
"""The import, in order: the one place that says which step runs when."""


def run_steps(state: ImportState, steps: tuple[Step, ...] = STEPS) -> ImportState:
    """Each step's state handed to the next."""
    for step in steps:
        state = step(state)
    return state


# ----------------------------------------------------------------------------- import


def stored_schema(dataset: Dataset) -> dict[str, pl.DataType]:
    """Columns of a stored batch, in order (the engine builds empty views from this)."""
    schema: dict[str, pl.DataType] = {}
    for col in dataset.columns:
        schema[col.id] = get_field_type(col.type).dtype
        schema[col.id + RAW_SUFFIX] = pl.Utf8()
    if dataset.coordinates:
        schema[f"{dataset.coordinates['lon']}_source"] = pl.Float64()
        schema[f"{dataset.coordinates['lat']}_source"] = pl.Float64()
    schema.update(
        {"_row": pl.Int64(), "_extra": pl.Utf8(), "_record_key": pl.Utf8(), "_batch": pl.Int64()}
    )
    return schema


KEY_SLICE_ROWS = 500_000
"""Rows whose content is joined and digested at a time (`_record_key`)."""


def _record_key(
    frame: pl.DataFrame, dataset: Dataset, earlier: Sequence[pl.DataFrame] = ()
) -> tuple[pl.Series, pl.DataFrame]:
    """Identity of a stored record: its key (snapshots) or its full content (events), counted
    on from the `earlier` parts of the file (`ImportState.earlier_digests`); for events, each
    row's content digest as well (`digest_halves`; an empty frame for snapshots).

    The content hash uses DuckDB's md5, which is stable across versions (polars' hash is not),
    because keys are compared with rows stored by earlier imports.
    """
    if dataset.mode == "snapshot":
        parts = [pl.col(c).cast(pl.Utf8).fill_null("") for c in dataset.record_key]
        return frame.select(pl.concat_str(parts, separator="\x1f")).to_series(), pl.DataFrame()
    parts = [pl.col(c.id).cast(pl.Utf8).fill_null("\x00") for c in dataset.columns]
    con = digesting()
    keys = []
    try:
        # a slice of rows at a time: the joined content text (and DuckDB's copy of it) of six
        # million rows held at once was some 800 MB of the import's peak memory. Each key is
        # made as a first occurrence ('#1'), as nearly every one is; where digests repeat, the
        # occurrences are counted below. One column of six million keys is held, not two.
        for start in range(0, max(frame.height, 1), KEY_SLICE_ROWS):
            joined = frame.slice(start, KEY_SLICE_ROWS).select(
                pl.concat_str(parts, separator="\x1f").alias("k")
            )
            con.register("joined", joined)
            keys.append(con.sql("SELECT md5(k) || '#1' AS h FROM joined").pl()["h"])
            con.unregister("joined")
            del joined
    except BaseException:
        con.unregister("joined")  # the connection is kept: nothing of this file stays in it
        raise
    key = keys[0] if len(keys) == 1 else pl.concat(keys, rechunk=True)
    del keys
    halves = digest_halves(key)
    if not _any_repeat(halves) and _earlier_counts(halves, earlier).is_empty():
        return key, halves  # every key a first occurrence, as made
    digest = key.str.head(-2)  # the md5 without its '#1'
    return digest + "#" + _occurrence(halves, earlier).alias(key.name), halves


_DIGESTING = threading.local()


def digesting() -> duckdb.DuckDBPyConnection:
    """This thread's in-memory DuckDB connection for record keys (an import's, and the sealed
    records' of `sealing.columnwise`), opened once (opening one costs 10–15 ms, most of a small
    file's key): it holds no data between calls."""
    con = getattr(_DIGESTING, "con", None)
    if con is None:
        con = duckdb.connect()
        # a projection keeps the rows' order (preserve_insertion_order, set here explicitly)
        con.execute("SET preserve_insertion_order = true")
        _DIGESTING.con = con
    return con


def _may_repeat(texts: pl.Series) -> pl.Series:
    """Whether each text's 64-bit hash repeats: every repeated text, plus the odd collision
    (comparing a million 32-character digests costs several times as much as their hashes)."""
    return texts.hash().is_duplicated()


def occurrence(digests: pl.Series, earlier: Sequence[pl.DataFrame] = ()) -> pl.Series:
    """The n-th time each digest appears, counted from 1 in file order, as text; with `earlier`
    (`digest_halves` of the file's earlier parts), counted on from their rows."""
    return _occurrence(digest_halves(digests), earlier).alias(digests.name)


def _occurrence(halves: pl.DataFrame, earlier: Sequence[pl.DataFrame]) -> pl.Series:
    """`occurrence` of the digests given as `digest_halves`.

    Identical events in one file are rare: only when a digest repeats are the occurrences
    counted by group (a window over the long row text, with a sort back to file order, was 44 %
    of a large CSV's import).
    """
    before = _earlier_counts(halves, earlier)
    if not _any_repeat(halves) and before.is_empty():
        return pl.repeat("1", halves.height, eager=True, dtype=pl.Utf8)
    return (
        halves.join(before, on=["hi", "lo"], how="left", maintain_order="left")
        .select(
            (pl.int_range(1, pl.len() + 1).over("hi", "lo") + pl.col("before").fill_null(0))
            .cast(pl.Utf8)
            .alias("occurrence")
        )
        .to_series()
    )


_HALVES = {"hi": pl.UInt64, "lo": pl.UInt64}
"""The columns of `digest_halves`."""


def _earlier_counts(halves: pl.DataFrame, earlier: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """Each digest of `halves` that the `earlier` parts hold, with how many times (`before`):
    one pass over the earlier digests, most often finding none.

    A part pays for the parts before it: for six million rows (twelve parts) this is 0.9 s of
    CPU in all, for twelve million 2.7 s, for twenty-four million 9.9 s. A bitmap of the earlier
    digests with sorted runs to search (tried 2026-12-07) cost more up to twelve million rows
    (sorting each part and setting its bits, 60 ms a part) and saved only beyond."""
    if not earlier:
        return pl.DataFrame(schema={**_HALVES, "before": pl.UInt32})
    return (
        pl.concat(earlier, rechunk=False)
        .lazy()
        .join(halves.lazy(), on=["hi", "lo"], how="semi")
        .group_by("hi", "lo")
        .len("before")
        .collect()
    )


def _any_repeat(halves: pl.DataFrame) -> bool:
    """Whether a digest's first half repeats: every repeated digest, plus the odd pair that
    shares its first 64 bits (counted apart by the whole digest)."""
    return bool(halves["hi"].n_unique() < halves.height)


def digest_halves(digests: pl.Series) -> pl.DataFrame:
    """md5 digests (their first 32 hexadecimal digits: a key's '#n' is left) as their two 64-bit
    halves, exactly: what the later parts of a file compare their rows with, 16 bytes a row
    rather than 32 characters. The digits are read as one text (`bytes.fromhex`: half the cost
    of parsing each half as a number)."""
    digits = digests.str.slice(0, 32).str.join("").item() if digests.len() else ""
    packed = bytes.fromhex(digits)
    if len(packed) != 16 * digests.len():
        raise ValueError("digest_halves: not every digest has 32 hexadecimal digits")
    pairs = np.frombuffer(packed, dtype=">u8").reshape(-1, 2).astype(np.uint64)
    return pl.DataFrame({"hi": pairs[:, 0], "lo": pairs[:, 1]}, schema=_HALVES)


def _is_last_of_key(keys: pl.Series) -> pl.Series:
    """Whether each row is the last with its key, exactly as `is_last_distinct` says.

    Repeated keys are rare, and comparing a million 37-character keys costs three times
    as much as comparing their 64-bit hashes: only rows whose hash repeats (every repeated
    key, plus the odd collision) have their keys compared.
    """
    candidates = _may_repeat(keys)
    if not candidates.any():
        return pl.repeat(True, keys.len(), eager=True)
    idx = candidates.arg_true()
    last = pl.repeat(True, keys.len(), eager=True)
    return last.scatter(idx, keys.gather(idx).is_last_distinct())
