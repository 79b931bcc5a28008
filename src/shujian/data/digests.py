"""The content digests of a file's earlier parts, looked up at a cost that does not grow with
them.

An event's record key counts its content's occurrences from the top of the file
(`steps.occurrence`), so each part of a large file asks which of its digests the earlier parts
hold, and how often. Joining a part with every earlier digest made the n-th part pay for the
n-1 before it: the whole file cost grew with the square of its length (0.9 s of CPU for six
million rows, about 90 s for sixty million). Here each part asks a bitmap first — one bit per
slot, set for every earlier digest's slot — and only the part's rows whose slot is set (every
repeated digest, plus about one row in sixteen by chance) are looked up exactly, by binary
search in each earlier part's digests, kept sorted.

`Seen` is never changed: `add` returns a new one. The bitmap is shared and only ever gains bits,
so an older `Seen` may find more candidates than its own digests give, never fewer; each is
then checked against its own parts only, and the counts stay exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

SLOTS_PER_DIGEST = 16
"""The bitmap keeps at least this many slots per digest held: about one row in sixteen of a new
part is looked up although no earlier part holds it."""

_MIN_BITS = 1 << 20


@dataclass(frozen=True)
class _Run:
    """One earlier part's digests (two 64-bit halves), sorted by (hi, lo)."""

    hi: np.ndarray
    lo: np.ndarray


@dataclass(frozen=True)
class _Bitmap:
    words: np.ndarray
    shift: int
    """A digest's slot is its first half shifted right by this many bits."""

    @classmethod
    def for_digests(cls, digests: int) -> _Bitmap:
        """Room for twice `digests`: rebuilt once the digests held outgrow it."""
        exponent = max(_MIN_BITS.bit_length() - 1, (digests * SLOTS_PER_DIGEST * 2).bit_length())
        return cls(np.zeros((1 << exponent) // 64, dtype=np.uint64), 64 - exponent)

    @property
    def bits(self) -> int:
        return self.words.size * 64

    def _slots(self, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        slot = hi >> np.uint64(self.shift)
        return slot >> np.uint64(6), np.uint64(1) << (slot & np.uint64(63))

    def set(self, hi: np.ndarray) -> None:
        word, bit = self._slots(hi)
        np.bitwise_or.at(self.words, word, bit)

    def maybe(self, hi: np.ndarray) -> np.ndarray:
        word, bit = self._slots(hi)
        return (self.words[word] & bit) != 0


@dataclass(frozen=True)
class Seen:
    """The digests (`steps.digest_halves`: columns hi, lo) of a file's earlier parts."""

    runs: tuple[_Run, ...] = ()
    rows: int = 0
    _bitmap: _Bitmap | None = field(default=None, repr=False)

    def add(self, halves: pl.DataFrame) -> Seen:
        """These digests held as well (one part's, refused rows too)."""
        ordered = halves.select("hi", "lo").sort("hi", "lo")
        run = _Run(ordered["hi"].to_numpy(), ordered["lo"].to_numpy())
        runs, rows = (*self.runs, run), self.rows + halves.height
        bitmap = self._bitmap
        if bitmap is None or rows * SLOTS_PER_DIGEST > bitmap.bits:
            bitmap = _Bitmap.for_digests(rows)
            for each in runs:
                bitmap.set(each.hi)
        else:
            bitmap.set(run.hi)
        return Seen(runs, rows, bitmap)

    def counts(self, halves: pl.DataFrame) -> pl.DataFrame:
        """Each digest of `halves` that the earlier parts hold (hi, lo), with how many times
        (`before`); none for most parts."""
        empty = pl.DataFrame(schema={"hi": pl.UInt64, "lo": pl.UInt64, "before": pl.UInt32})
        if self._bitmap is None or halves.is_empty():
            return empty
        hi = halves["hi"].to_numpy()
        asked = np.unique(hi[self._bitmap.maybe(hi)])
        if asked.size == 0:
            return empty
        found_hi, found_lo = [], []
        for run in self.runs:
            start = np.searchsorted(run.hi, asked, side="left")
            end = np.searchsorted(run.hi, asked, side="right")
            lengths = end - start
            total = int(lengths.sum())
            if total == 0:
                continue
            # every index in [start, end) of each asked first half, in one vector
            offsets = np.repeat(np.cumsum(lengths) - lengths, lengths)
            at = np.repeat(start, lengths) + (np.arange(total) - offsets)
            found_hi.append(run.hi[at])
            found_lo.append(run.lo[at])
        if not found_hi:
            return empty
        found = pl.DataFrame(
            {"hi": np.concatenate(found_hi), "lo": np.concatenate(found_lo)},
            schema={"hi": pl.UInt64, "lo": pl.UInt64},
        )
        return (
            found.join(halves.select("hi", "lo").unique(), on=["hi", "lo"], how="semi")
            .group_by("hi", "lo")
            .len("before")
        )
