"""An import run a part of the file at a time: memory bounded by a part, not by the file.

`run_parts` reads the file in parts (`readers.read_grid_parts`: a CSV file `CSV_PART_ROWS` rows
at a time, an Excel sheet whole) and runs the steps of `steps.py` on each part: the header is
found in the first part and serves the others; each part's rows are parsed, checked, keyed and
refused by their own cells, with the file's row numbers. What depends on the whole file is
carried from part to part or done once at the end, so that the batch is exactly what one pass
over the whole file makes:

- an event's key counts its content's occurrences from the top of the file
  (`ImportState.earlier_digests`, 16 bytes a row);
- an event already stored is found among the stored keys of its part's period, streamed past
  the part's own keys (`steps.read_stored_keys`: each part reads its period, and holds only the
  stored keys it repeats, never the history);
- a snapshot's record listed twice keeps its later row wherever the two rows are
  (`keep_last_per_key` and `keep_stored_values` on the record keys of the whole file, the rows
  themselves left in the parts);
- the batch's period, counts, refusals and skipped rows (totals rows, then superseded rows, as
  one pass lists them) are summed.

Every part but the last is staged as a Parquet file in `staging` (a temporary folder, not the
warehouse); nothing is published until the whole file has been read, so a file refused or
failing in its last part leaves the warehouse as it was. The warehouse writes the batch's one
file from the staged parts (`Warehouse.new_batch`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from shujian.data import readers
from shujian.data.datasets import normalise_header
from shujian.data.readers import Grid
from shujian.data.rejections import Rejection
from shujian.data.steps import (
    STEPS,
    ImportRequest,
    ImportState,
    Step,
    drop_non_data_rows,
    drop_stored_duplicates,
    event_period,
    keep_last_per_key,
    keep_stored_values,
    locate_header,
    prepare_field_types,
    read_stored_keys,
    run_steps,
    split_rejected,
    to_stored_shape,
)
from shujian.data.warehouse import Period

PART_STEPS: tuple[Step, ...] = STEPS[
    STEPS.index(drop_non_data_rows) : STEPS.index(to_stored_shape) + 1
]
"""The steps each part runs alone, in `STEPS`' order: after the header is found
(`locate_header`, first part) up to its keys; then `split_rejected`, and what the mode asks
across parts (`run_parts`)."""


@dataclass
class Outcome:
    """What reading the whole file made: the batch's rows and its record's figures."""

    header_row: int
    """The header's row number as the user sees it in the file."""
    headers: list[str]
    """The file's header cells, normalised."""
    encoding: str | None
    sheet: str | None
    columns: Mapping[str, str]
    extras: Mapping[str, str]
    rows_read: int
    imported: int
    rejected: int
    duplicates: int
    skipped: tuple[Mapping[str, object], ...]
    rejections: tuple[Rejection, ...]
    period: Period | None
    rows: pl.DataFrame | pl.LazyFrame
    """The batch's rows in their stored shape, without `_batch`: in memory for a file of one
    part, else read from the staged parts when the batch is written."""

    def lazy(self) -> pl.LazyFrame:
        """The batch's rows as a lazy frame (an import hook's argument)."""
        return self.rows.lazy()


def run_parts(request: ImportRequest, staging: Path, part_rows: int | None = None) -> Outcome:
    """The import of `request`'s file, a part at a time (see the module docstring); `part_rows`
    for a CSV file, `readers.CSV_PART_ROWS` when not given. Raises UserError as one pass would."""
    options = request.options
    grids = readers.read_grid_parts(
        request.path, options.sheet, options.encoding, request.limits, part_rows
    )
    try:
        return _run(request, staging, grids)
    finally:
        grids.close()  # the reader's temporary files go now, a part refused or not


def _run(request: ImportRequest, staging: Path, grids: Iterator[Grid]) -> Outcome:
    dataset = request.dataset
    with ThreadPoolExecutor(max_workers=1) as pool:
        # the field types' one-off tables are built while the file is read
        prepared = pool.submit(prepare_field_types, dataset)
        try:
            first = next(grids)
        finally:
            prepared.result()
    located = locate_header(ImportState(request, grid=first))
    header_row = int(first.row_numbers[located.header_at])
    headers = [
        normalise_header(v)
        for v in first.frame.row(located.header_at)
        if v is not None and str(v).strip()
    ]
    encoding, sheet = first.encoding, first.sheet
    # the later parts have no header row: their rows are all below it
    base = replace(located, grid=Grid(pl.DataFrame(), pl.Series("row", [], pl.Int64)))
    totals: list[Mapping[str, object]] = []
    rejections: list[Rejection] = []
    earlier: list[pl.DataFrame] = []
    keys: list[pl.DataFrame] = []
    staged: list[Path] = []
    pending: pl.DataFrame | None = None
    rows_read = rejected = duplicates = imported = 0
    periods: list[Period | None] = []
    columns: Mapping[str, str] = base.columns
    todo: ImportState | None = located
    del first, located  # a part's cells are let go once its rows are made
    while True:
        if todo is None:
            grid = next(grids, None)
            if grid is None:
                break
            todo = replace(base, grid=grid, header_at=-1)
            del grid
        state = run_steps(replace(todo, earlier_digests=tuple(earlier)), PART_STEPS)
        todo = None
        if dataset.mode == "events":
            earlier.append(state.digests)
        state = split_rejected(state)
        if dataset.mode == "events" and not state.table.is_empty():
            state = drop_stored_duplicates(read_stored_keys(state))
            periods.append(event_period(state.table, dataset))
        if dataset.mode == "snapshot":
            keys.append(_key_columns(state))
        columns = state.columns  # with the constants' columns (`add_constants`)
        rows_read += state.body.height
        rejected += state.rejected
        duplicates += state.duplicates
        imported += state.table.height
        totals.extend(state.skipped)
        rejections.extend(state.rejections)
        if pending is not None:
            staged.append(_stage(pending, staging, len(staged)))
        pending = state.table
        del state
    assert pending is not None  # a file is read as one part at least
    rows: pl.DataFrame | pl.LazyFrame = pending
    if staged:
        staged.append(_stage(pending, staging, len(staged)))
        rows = pl.scan_parquet(staged)
        del pending
    skipped: tuple[Mapping[str, object], ...] = tuple(totals)
    if dataset.mode == "snapshot":
        whole = replace(base, columns=columns, table=pl.concat(keys), skipped=skipped)
        kept = keep_last_per_key(whole)
        keep_stored_values(kept)
        if kept.table.height != whole.table.height:
            gone = whole.table.filter(~pl.col("_row").is_in(kept.table["_row"].implode()))
            rows = rows.filter(~pl.col("_row").is_in(gone["_row"].implode()))
        imported, skipped = kept.table.height, kept.skipped
        period = event_period(kept.table, dataset)
    else:
        period = _whole_period(periods, dataset.time_column)
    return Outcome(
        header_row=header_row,
        headers=headers,
        encoding=encoding,
        sheet=sheet,
        columns=columns,
        extras=base.extras,
        rows_read=rows_read,
        imported=imported,
        rejected=rejected,
        duplicates=duplicates,
        skipped=skipped,
        rejections=tuple(rejections),
        period=period,
        rows=rows,
    )


def _stage(table: pl.DataFrame, staging: Path, n: int) -> Path:
    """A part's rows kept aside until the batch is written (not in the warehouse): neither
    compressed nor with statistics, since they are read once, whole, soon after."""
    path = staging / f"part-{n:05d}.parquet"
    table.write_parquet(path, compression="uncompressed", statistics=False)
    return path


def _key_columns(state: ImportState) -> pl.DataFrame:
    """Of a snapshot part's rows, what the whole file's `keep_last_per_key` and
    `keep_stored_values` read: the record key, the row, the time column, and for each declared
    column the file lacks whether it has a value (a constant, a coordinate system given)."""
    dataset, table = state.request.dataset, state.table
    present = set(state.columns.values())
    time = [dataset.time_column] if dataset.time_column in table.columns else []
    return table.select(
        "_record_key",
        "_row",
        *time,
        *[
            pl.when(pl.col(c.id).is_not_null()).then(True).alias(c.id)
            for c in dataset.columns
            if c.id not in present and c.id not in time
        ],
    )


def _whole_period(periods: list[Period | None], column: str | None) -> Period | None:
    """`event_period` of the whole file from its parts' (parts with no rows left out)."""
    if column is None or any(p is None for p in periods):
        return None
    known = [p for p in periods if p is not None and p.first is not None]
    if not known:
        return Period(column, None, None)
    return Period(column, min(p.first for p in known), max(p.last for p in known))
