"""A batch's record keys as a sorted array of 64-bit numbers: which stored batches may hold a
new file's events, answered without reading them.

An import compares each new event with the events already stored (`steps.read_stored_keys`).
A province's cities send files of the same year, so the period of a new file meets every
stored batch's, and the comparison used to read every stored batch's record keys: the hundredth
file read ninety-nine files' keys. Beside each batch of events the warehouse now keeps its keys'
first 64 bits (a record key is an MD5 in hexadecimal, `#n` after it for a repeated row), sorted,
in `.record-keys/` (`Warehouse.stored_keys`). A new file's keys are looked up in each such
array by binary search (about 30 ms for a million against a million); only a batch where one
is found is read, and its keys are compared whole, so two keys sharing their first 64 bits are
told apart there. A batch with no array, or one that does not match the batch (a file cut short,
another batch's), is read as before.

The arrays are derived data, like `.cache/`: written by the platform for the batches it stores,
never backed up (a backup copies only the listed Parquet files), rebuilt when missing.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import polars as pl

PREFIX_CHARS = 16
"""Hexadecimal characters of a record key that make its 64-bit number."""

SLICE_ROWS = 1_000_000
"""Keys of a batch file read at a time to make its index (`batch_numbers`)."""


def key_numbers(keys: pl.Series, *, sort: bool = True) -> np.ndarray | None:
    """The keys' first 64 bits (uint64), sorted unless `sort` is false; None when a key does not
    start with 16 hexadecimal digits (such keys are compared whole, as before)."""
    import polars as pl

    prefixes = keys.str.slice(0, PREFIX_CHARS)
    if (prefixes.str.len_chars() < PREFIX_CHARS).any():
        return None
    numbers = prefixes.str.to_integer(base=16, dtype=pl.UInt64, strict=False)
    if numbers.null_count():
        return None
    return (numbers.sort() if sort else numbers).to_numpy()


def batch_numbers(path: Path, rows: int) -> np.ndarray | None:
    """The sorted key numbers of the batch file at `path`, read `SLICE_ROWS` keys at a time so
    that only the numbers (8 bytes a row) are held, not the keys (a 12 M-row batch's keys took
    an import's peak from about 950 MiB to 1.3 GiB at its very end); None as `key_numbers` says, or
    when the file does not hold `rows` keys."""
    import polars as pl

    keys = pl.scan_parquet(path).select("_record_key")
    parts = []
    for offset in range(0, rows, SLICE_ROWS):
        part = key_numbers(keys.slice(offset, SLICE_ROWS).collect()["_record_key"], sort=False)
        if part is None:
            return None
        parts.append(part)
    numbers = np.concatenate(parts) if parts else np.empty(0, dtype=np.uint64)
    if len(numbers) != rows or keys.slice(rows, 1).collect().height:
        return None
    numbers.sort()
    return numbers


def meets(index: np.ndarray, wanted: np.ndarray) -> bool:
    """Whether a sorted `index` holds any of the sorted numbers `wanted`."""
    if len(index) == 0 or len(wanted) == 0:
        return False
    at = np.searchsorted(index, wanted)
    at[at == len(index)] = 0
    return bool((index[at] == wanted).any())


def write(path: Path, numbers: np.ndarray) -> None:
    """Store sorted `numbers` at `path`: written aside, flushed, then renamed into place, so a
    crash leaves the old state or the whole array, never a part of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    try:
        with tmp.open("wb") as fh:
            np.save(fh, np.ascontiguousarray(numbers, dtype="<u8"), allow_pickle=False)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.rename(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read(path: Path, rows: int) -> np.ndarray | None:
    """The array at `path` if it is one of `rows` numbers; None otherwise (missing, damaged or
    not this batch's: the caller reads the batch itself)."""
    try:
        numbers = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    if numbers.dtype != np.dtype("<u8") or numbers.ndim != 1 or len(numbers) != rows:
        return None
    if len(numbers) > 1 and not bool((numbers[1:] >= numbers[:-1]).all()):
        return None  # not written by `write`: binary search would miss keys in it
    return numbers
