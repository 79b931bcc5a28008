"""`digests.Seen`: which digests of a part a file's earlier parts hold, and how often, found
through a bitmap and sorted runs; checked against counting every earlier digest."""

from __future__ import annotations

from collections import Counter

import numpy as np
import polars as pl
import pytest

from shujian.data import digests
from shujian.data.digests import Seen


def halves(hi: np.ndarray, lo: np.ndarray) -> pl.DataFrame:
    return pl.DataFrame({"hi": hi, "lo": lo}, schema={"hi": pl.UInt64, "lo": pl.UInt64})


def counted(found: pl.DataFrame) -> dict[tuple[int, int], int]:
    return {(int(hi), int(lo)): int(n) for hi, lo, n in found.iter_rows()}


def brute(earlier: list[pl.DataFrame], part: pl.DataFrame) -> dict[tuple[int, int], int]:
    held = Counter(pair for frame in earlier for pair in frame.iter_rows())
    return {pair: held[pair] for pair in set(part.iter_rows()) if held[pair]}


def random_parts(seed: int, parts: int, rows: int) -> list[pl.DataFrame]:
    """Random digests, with repeats planted within and across parts, and pairs that share their
    first half but not their second."""
    rng = np.random.default_rng(seed)
    made: list[pl.DataFrame] = []
    for _ in range(parts):
        hi = rng.integers(0, 2**64 - 1, rows, dtype=np.uint64, endpoint=True)
        lo = rng.integers(0, 2**64 - 1, rows, dtype=np.uint64, endpoint=True)
        if made:
            earlier = pl.concat(made)
            take = rng.integers(0, earlier.height, rows // 50)
            where = rng.choice(rows, rows // 50, replace=False)
            hi[where] = earlier["hi"].to_numpy()[take]
            lo[where] = earlier["lo"].to_numpy()[take]
            twin = rng.choice(rows, rows // 100, replace=False)  # same first half only
            hi[twin] = earlier["hi"].to_numpy()[rng.integers(0, earlier.height, twin.size)]
        inside = rng.choice(rows, rows // 100, replace=False)  # repeats within the part
        hi[inside[1:]], lo[inside[1:]] = hi[inside[0]], lo[inside[0]]
        made.append(halves(hi, lo))
    return made


@pytest.mark.parametrize(("parts", "rows"), [(4, 500), (6, 30_000)])
def test_counts_are_those_of_every_earlier_digest(parts, rows):
    """The second case holds 150,000 digests: the bitmap grows past its first size (65,536
    digests at sixteen slots each) and is rebuilt from the runs."""
    made = random_parts(7, parts, rows)
    seen = Seen()
    for i, part in enumerate(made):
        assert counted(seen.counts(part)) == brute(made[:i], part)
        seen = seen.add(part)
    assert seen.rows == parts * rows


def test_an_older_seen_counts_only_its_own_parts():
    """`add` shares the bitmap, which gains the later bits: an older `Seen` still counts its
    own parts exactly."""
    made = random_parts(11, 3, 2_000)
    first = Seen().add(made[0])
    second = first.add(made[1])
    second.add(made[2])  # sets the third part's bits in the shared bitmap
    assert counted(first.counts(made[2])) == brute(made[:1], made[2])
    assert counted(second.counts(made[2])) == brute(made[:2], made[2])
    assert counted(second.counts(made[2])) != counted(first.counts(made[2]))


def test_digests_sharing_their_first_half_are_counted_apart():
    hi = np.array([5, 5, 5, 9], dtype=np.uint64)
    earlier = halves(hi, np.array([1, 2, 2, 3], dtype=np.uint64))
    part = halves(np.array([5, 5, 9, 5], dtype=np.uint64), np.array([2, 4, 3, 2], dtype=np.uint64))
    assert counted(Seen().add(earlier).counts(part)) == {(5, 2): 2, (9, 3): 1}


def test_a_part_looks_up_few_of_its_rows_exactly():
    """The bitmap is what keeps the cost flat: of a part holding none of the earlier digests,
    only about one row in `SLOTS_PER_DIGEST` reaches the exact look-up."""
    made = random_parts(3, 2, 50_000)
    fresh = np.random.default_rng(5).integers(0, 2**63, 50_000, dtype=np.uint64)
    seen = Seen().add(made[0]).add(made[1])
    assert seen._bitmap is not None
    assert seen._bitmap.maybe(fresh).sum() < 50_000 * 2 / digests.SLOTS_PER_DIGEST
    assert seen._bitmap.maybe(made[1]["hi"].to_numpy()).all()
