"""Import of one agency file into the warehouse, as an ordered list of small steps.

    read grid → locate header → map columns → drop non-data rows → parse fields
    → validate (required, vocabularies) → coordinates to WGS-84 → split accepted / rejected
    → de-duplicate against stored rows → store atomically → write the rejection report

Every step works on whole columns. A file that cannot be mapped to the dataset's required
columns is refused whole; a bad row is rejected with its reasons and the rest imports.
"""

from __future__ import annotations

import hashlib
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import duckdb
import polars as pl

from shujian.data.datasets import Column, Dataset, normalise_header
from shujian.data.fields import get_field_type
from shujian.data.fields.base import nulls
from shujian.data.fields.geo import to_wgs84
from shujian.data.fields.text import normalise_text
from shujian.data.readers import HEADER_SCAN_ROWS, Grid, read_grid
from shujian.data.rejections import Rejection, write_report
from shujian.data.warehouse import Warehouse
from shujian.errors import UserError
from shujian.identity import ensure_identity

RAW_SUFFIX = "__raw"
"""Stored beside each declared column: the agency's original text."""

PARSE_THREADS = 2
"""Columns parsed at once (this machine class has two cores)."""

_PARSE_COST = {"id_card": 3, "uscc_or_id_card": 4, "uscc": 2}
"""Time to parse a million cells relative to text (bench/fields.py): costliest go first."""

_Rows = TypeVar("_Rows", pl.DataFrame, pl.Series)

_TOTALS = re.compile(r"^\s*(?:合\s*计|总\s*计|小\s*计|共\s*计|总合计)\s*[:：]?.{0,8}$")


@dataclass
class ImportOptions:
    sheet: str | None = None
    encoding: str = "auto"
    crs: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    agency: str = ""


@dataclass
class ImportResult:
    dataset: str
    file: str
    sha256: str
    batch_id: int | None
    rows_read: int
    imported: int
    rejected: int
    skipped: int
    duplicates: int
    report: Path | None
    header_row: int | None
    columns: dict[str, str]
    extra_columns: list[str]
    already_imported: bool = False
    moved_aside: list[Path] = field(default_factory=list)
    """Files no batch listed, found in the warehouse and moved aside (never deleted)."""

    def as_json(self) -> dict[str, object]:
        return {
            "dataset": self.dataset,
            "file": self.file,
            "sha256": self.sha256,
            "batch": self.batch_id,
            "rows_read": self.rows_read,
            "imported": self.imported,
            "rejected": self.rejected,
            "skipped": self.skipped,
            "duplicates": self.duplicates,
            "report": str(self.report) if self.report else None,
            "header_row": self.header_row,
            "columns": self.columns,
            "extra_columns": self.extra_columns,
            "already_imported": self.already_imported,
            "moved_aside": [str(p) for p in self.moved_aside],
        }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def import_file(
    warehouse: Warehouse,
    reports_dir: Path,
    dataset: Dataset,
    path: Path,
    options: ImportOptions | None = None,
) -> ImportResult:
    """Import `path` as one batch of `dataset`. Raises UserError when the file is refused."""
    options = options or ImportOptions()
    if not path.is_file():
        raise UserError(f"找不到文件：{path}")
    sha = file_sha256(path)
    with warehouse.lock():
        # The pair is checked again here, whoever built `warehouse`: the sweep moves files.
        ensure_identity(warehouse.root, warehouse.store)
        moved_aside = warehouse.sweep().moved
        previous = warehouse.find_file(dataset.id, sha)
        if previous is not None:
            return ImportResult(
                dataset=dataset.id,
                file=path.name,
                sha256=sha,
                batch_id=previous.id,
                rows_read=0,
                imported=0,
                rejected=0,
                skipped=0,
                duplicates=0,
                report=None,
                header_row=None,
                columns={},
                extra_columns=[],
                already_imported=True,
                moved_aside=moved_aside,
            )
        with ThreadPoolExecutor(max_workers=1) as pool:
            # the field types' one-off tables are built while the file is read
            prepared = pool.submit(prepare_field_types, dataset)
            grid = read_grid(path, options.sheet, options.encoding)
            prepared.result()
        header_at, mapping, extras = locate_header(grid, dataset, options.mapping)
        body, rows, skipped = data_rows(grid, header_at)
        parsed, errors = parse_columns(body, mapping, dataset, options.crs)
        rejections = collect_rejections(body, rows, mapping, dataset, errors)
        bad = errors.select(pl.any_horizontal(pl.all().is_not_null())).to_series()
        accepted = _without(assemble(parsed, body, rows, mapping, extras, dataset), bad)
        accepted, repeated = keep_last_per_key(dataset, accepted)
        skipped += repeated
        accepted, duplicates = drop_stored_duplicates(warehouse, dataset, accepted)
        rejected = int(bad.sum())
        header_row = int(grid.row_numbers[header_at])
        extra_columns = list(extras.values())
        record = {
            "dataset": dataset.id,
            "file_name": path.name,
            "file_sha256": sha,
            "agency": options.agency,
            "rows_read": body.height,
            "imported": accepted.height,
            "rejected": rejected,
            "skipped": len(skipped),
            "duplicates": duplicates,
            "details": {
                "header_row": header_row,
                "columns": mapping,
                "extra_columns": extra_columns,
                "encoding": grid.encoding,
                "sheet": grid.sheet,
                "crs": options.crs,
                "skipped_rows": skipped,
            },
        }
        report_path: Path | None = None

        def frame_for(batch_id: int) -> pl.DataFrame:
            nonlocal report_path
            report_path = rejection_report_path(reports_dir, dataset.id, batch_id)
            write_report(report_path, dataset, path.name, record, rejections, skipped)
            return accepted.with_columns(pl.lit(batch_id, dtype=pl.Int64).alias("_batch"))

        batch_id = warehouse.commit_batch(frame_for, record)
    return ImportResult(
        dataset=dataset.id,
        file=path.name,
        sha256=sha,
        batch_id=batch_id,
        rows_read=body.height,
        imported=accepted.height,
        rejected=rejected,
        skipped=len(skipped),
        duplicates=duplicates,
        report=report_path,
        header_row=header_row,
        columns=mapping,
        extra_columns=extra_columns,
        moved_aside=moved_aside,
    )


def rejection_report_path(reports_dir: Path, dataset_id: str, batch_id: int) -> Path:
    """Where a batch's rejection report is: derived from the batch, so not stored with it."""
    return reports_dir / f"{dataset_id}-批次{batch_id}-退回记录.xlsx"


# ----------------------------------------------------------------------------- steps


def prepare_field_types(dataset: Dataset) -> None:
    """Build the one-off tables of every field type the dataset uses (`FieldType.prepare`)."""
    for name in {col.type for col in dataset.columns}:
        get_field_type(name).prepare()


def locate_header(
    grid: Grid, dataset: Dataset, user_map: dict[str, str]
) -> tuple[int, dict[str, str], dict[str, str]]:
    """Find the header row among the first rows and map its cells to column ids.

    Returns (row index in grid, {grid column → column id}, {grid column → extra header}).
    The header is the row that names the most declared columns; title rows above it
    ("青岚县2024年在建工程项目清单") name none.
    """
    index = dataset.header_index()
    label_index = {normalise_header(c.label): c.id for c in dataset.columns}
    user = {}
    for header, target in user_map.items():
        key = normalise_header(target)
        column_id = index.get(key) or label_index.get(key)
        if column_id is None:
            raise UserError(
                f"--map {header}={target}：数据集“{dataset.label}”没有名为“{target}”的字段。"
            )
        user[normalise_header(header)] = column_id
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
            f"文件中找不到“{dataset.label}”的表头：前{HEADER_SCAN_ROWS}行中没有任何一列能对应到"
            f"本数据集的字段（必填：{missing}）。如表头名称不同，请用 --map 表头=字段 指定。"
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
    missing_cols = [c for c in dataset.required if c.id not in mapping.values()]
    if missing_cols:
        names = "、".join(c.label for c in missing_cols)
        raise UserError(
            f"文件缺少“{dataset.label}”的必填列：{names}。整份文件未导入。"
            f"如这些列在文件中用了别的表头，请用 --map 表头=字段 指定。"
        )
    return best_row, mapping, extras


def data_rows(
    grid: Grid, header_at: int
) -> tuple[pl.DataFrame, pl.Series, list[dict[str, object]]]:
    """Rows below the header, without blank rows and totals rows (which are reported)."""
    body = grid.frame.slice(header_at + 1)
    rows = grid.row_numbers.slice(header_at + 1)
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
    skipped = [
        {"row": int(r), "reason": "合计/总计行，不是数据行，已跳过"}
        for r in rows.filter(totals & ~blank)
    ]
    drop = blank | totals
    return _without(body, drop), _without(rows, drop), skipped


def _without(rows: _Rows, drop: pl.Series) -> _Rows:
    """`rows` less those where `drop` holds; most files drop none, and then nothing is copied."""
    return rows.filter(~drop) if drop.any() else rows


def parse_columns(
    body: pl.DataFrame, mapping: dict[str, str], dataset: Dataset, default_crs: str | None
) -> tuple[dict[str, pl.Series], pl.DataFrame]:
    """Parse every mapped column; returns values by column id and a frame of error reasons."""
    by_id = {col_id: name for name, col_id in mapping.items()}
    values: dict[str, pl.Series] = {}
    errors: dict[str, pl.Series] = {}
    n = body.height

    def parse(col: Column) -> tuple[pl.Series, pl.Series]:
        raw = body[by_id[col.id]]
        parsed = get_field_type(col.type).parse(raw)
        value, error = parsed.value, parsed.error
        if col.values:
            value, vocab_error = _check_vocabulary(value, col)
            error = _first_error(error, vocab_error)
        if col.required:
            empty = raw.str.strip_chars().replace("", None).is_null()
            error = _first_error(nulls(n, pl.Utf8).set(empty, "必填项为空"), error)
        return value.alias(col.id), error.alias(col.id)

    present = [col for col in dataset.columns if col.id in by_id]
    # Field types run polars expressions that release the GIL: parse columns side by side,
    # the costliest types first so that the two threads finish together.
    order = sorted(present, key=lambda c: -_PARSE_COST.get(c.type, 1))
    with ThreadPoolExecutor(max_workers=PARSE_THREADS) as pool:
        results = dict(zip((c.id for c in order), pool.map(parse, order), strict=True))
    for col in present:
        values[col.id], errors[col.id] = results[col.id]
    if dataset.coordinates:
        _convert_coordinates(values, errors, dataset, default_crs, n)
    return values, pl.DataFrame(errors) if errors else pl.DataFrame({"_": nulls(n, pl.Utf8)})


def _first_error(a: pl.Series, b: pl.Series) -> pl.Series:
    return pl.select(pl.coalesce(a, b)).to_series()


def _check_vocabulary(value: pl.Series, col: Column) -> tuple[pl.Series, pl.Series]:
    """Map synonyms to the declared value; anything else is rejected, not guessed."""
    synonyms = {normalise_text(pl.Series([k]))[0]: v for k, v in col.synonyms.items()}
    mapped = value.replace(synonyms) if synonyms else value
    bad = mapped.is_not_null() & ~mapped.is_in(list(col.values))
    allowed = "、".join(col.values)
    error = pl.select(
        pl.when(pl.lit(bad))
        .then(
            pl.format(
                "“{}”不是规定的{}（应为：{}）", pl.lit(value), pl.lit(col.label), pl.lit(allowed)
            )
        )
        .otherwise(None)
    ).to_series()
    return mapped, error


def _convert_coordinates(
    values: dict[str, pl.Series],
    errors: dict[str, pl.Series],
    dataset: Dataset,
    default_crs: str | None,
    n: int,
) -> None:
    spec = dataset.coordinates or {}
    lon_id, lat_id, crs_id = spec["lon"], spec["lat"], spec.get("crs", "")
    if default_crs is not None:
        parsed_default = get_field_type("crs").parse(pl.Series([default_crs]))
        if parsed_default.error[0] is not None:
            raise UserError(
                f"--crs {default_crs}：{parsed_default.error[0]}。可选：WGS84、GCJ02、BD09。"
            )
        default = parsed_default.value[0]
    else:
        default = "WGS84"
    crs = values.get(crs_id, nulls(n, pl.Utf8)).fill_null(default)
    values[crs_id] = crs.alias(crs_id) if crs_id else crs
    if lon_id in values and lat_id in values:
        lon, lat = to_wgs84(values[lon_id], values[lat_id], crs)
        values[f"{lon_id}_source"] = values[lon_id].alias(f"{lon_id}_source")
        values[f"{lat_id}_source"] = values[lat_id].alias(f"{lat_id}_source")
        values[lon_id] = lon.alias(lon_id)
        values[lat_id] = lat.alias(lat_id)


def collect_rejections(
    body: pl.DataFrame,
    rows: pl.Series,
    mapping: dict[str, str],
    dataset: Dataset,
    errors: pl.DataFrame,
) -> list[Rejection]:
    """One entry per bad cell: row number, column label, original value, reason."""
    by_id = {col_id: name for name, col_id in mapping.items()}
    out: list[Rejection] = []
    for col_id in errors.columns:
        if col_id not in by_id:
            continue
        mask = errors[col_id].is_not_null()
        if not mask.any():
            continue
        label = dataset.column(col_id).label
        for row, value, reason in zip(
            rows.filter(mask),
            body[by_id[col_id]].filter(mask),
            errors[col_id].filter(mask),
            strict=True,
        ):
            out.append(Rejection(row=int(row), column=label, value=value, reason=reason))
    out.sort(key=lambda r: (r.row, r.column))
    return out


def assemble(
    values: dict[str, pl.Series],
    body: pl.DataFrame,
    rows: pl.Series,
    mapping: dict[str, str],
    extras: dict[str, str],
    dataset: Dataset,
) -> pl.DataFrame:
    """The stored shape: every declared column (null when the file lacks it), its original text
    beside it, the source row number and the extra columns as one JSON text."""
    n = body.height
    by_id = {col_id: name for name, col_id in mapping.items()}
    out: dict[str, pl.Series] = {}
    for col in dataset.columns:
        dtype = get_field_type(col.type).dtype
        out[col.id] = values.get(col.id, nulls(n, dtype).alias(col.id))
        raw = body[by_id[col.id]] if col.id in by_id else nulls(n, pl.Utf8)
        out[col.id + RAW_SUFFIX] = raw.alias(col.id + RAW_SUFFIX)
    for key in values:
        if key.endswith("_source"):
            out[key] = values[key]
    out["_row"] = rows.alias("_row")
    if extras:
        extra = body.select(
            pl.struct([pl.col(c).alias(h) for c, h in extras.items()]).struct.json_encode()
        ).to_series()
    else:
        extra = nulls(n, pl.Utf8)
    out["_extra"] = extra.alias("_extra")
    frame = pl.DataFrame(out)
    frame = frame.with_columns(_record_key(frame, dataset).alias("_record_key"))
    schema = stored_schema(dataset)
    return frame.select([pl.col(c).cast(t) for c, t in schema.items() if c != "_batch"])


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


def _record_key(frame: pl.DataFrame, dataset: Dataset) -> pl.Series:
    """Identity of a stored record: its key (snapshots) or its full content (events).

    The content hash uses DuckDB's md5, which is stable across versions (polars' hash is not),
    because keys are compared with rows stored by earlier imports.
    """
    if dataset.mode == "snapshot":
        parts = [pl.col(c).cast(pl.Utf8).fill_null("") for c in dataset.record_key]
        return frame.select(pl.concat_str(parts, separator="\x1f")).to_series()
    parts = [pl.col(c.id).cast(pl.Utf8).fill_null("\x00") for c in dataset.columns]
    joined = frame.select(
        pl.concat_str(parts, separator="\x1f").alias("k"), pl.int_range(pl.len()).alias("i")
    )
    con = duckdb.connect()
    con.register("joined", joined)
    try:
        hashed = con.sql(
            "SELECT md5(k) || '#' || CAST(row_number() OVER (PARTITION BY k ORDER BY i) AS VARCHAR) "
            "AS h FROM joined ORDER BY i"
        ).pl()
    finally:
        con.close()
    return hashed["h"]


def keep_last_per_key(
    dataset: Dataset, frame: pl.DataFrame
) -> tuple[pl.DataFrame, list[dict[str, object]]]:
    """A registry file that lists the same record twice: its later row stands (and is reported)."""
    if dataset.mode != "snapshot" or frame.is_empty():
        return frame, []
    last = _is_last_of_key(frame["_record_key"])
    if last.all():
        return frame, []
    kept = frame.filter(last)
    superseded = frame.filter(~last).select("_record_key", "_row")
    later = dict(
        kept.filter(pl.col("_record_key").is_in(superseded["_record_key"].implode()))
        .select("_record_key", "_row")
        .iter_rows()
    )
    labels = "、".join(dataset.column(c).label for c in dataset.record_key)
    return kept, [
        {"row": int(r), "reason": f"与第{later[k]}行的{labels}相同，以后出现的一行为准"}
        for k, r in superseded.iter_rows()
    ]


def _is_last_of_key(keys: pl.Series) -> pl.Series:
    """Whether each row is the last with its key, exactly as `is_last_distinct` says.

    Repeated keys are rare, and comparing a million 37-character keys costs three times
    as much as comparing their 64-bit hashes: only rows whose hash repeats (every repeated
    key, plus the odd collision) have their keys compared.
    """
    candidates = keys.hash().is_duplicated()
    if not candidates.any():
        return pl.repeat(True, keys.len(), eager=True)
    idx = candidates.arg_true()
    last = pl.repeat(True, keys.len(), eager=True)
    return last.scatter(idx, keys.gather(idx).is_last_distinct())


def drop_stored_duplicates(
    warehouse: Warehouse, dataset: Dataset, frame: pl.DataFrame
) -> tuple[pl.DataFrame, int]:
    """Events already stored by an earlier batch are not stored again."""
    if dataset.mode != "events" or frame.is_empty():
        return frame, 0
    stored = warehouse.read_column(dataset.id, "_record_key")
    if stored.is_empty():
        return frame, 0
    fresh = frame.filter(~pl.col("_record_key").is_in(stored.implode()))
    return fresh, frame.height - fresh.height


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """`--map 表头=字段` pairs from the command line."""
    mapping = {}
    for pair in pairs:
        if "=" not in pair:
            raise UserError(f"--map 的格式应为 表头=字段，收到：{pair}")
        header, target = pair.split("=", 1)
        mapping[header.strip()] = target.strip()
    return mapping


def summary_json(result: ImportResult) -> str:
    return json.dumps(result.as_json(), ensure_ascii=False)
