"""Rows a model returns become one finding per subject, with capped evidence and full counts."""

from __future__ import annotations

import polars as pl

from shujian.models.runner import EVIDENCE_ROW_LIMIT, to_findings
from shujian.models.spec import load_library

SPEC = load_library()["hotel.minor_guest"]


def test_evidence_is_capped_but_the_count_and_batches_are_whole():
    n = EVIDENCE_ROW_LIMIT + 70
    frame = pl.DataFrame({c: [f"{c}{i}" for i in range(n)] for c in SPEC.evidence}).with_columns(
        hotel_uscc=pl.lit("91110000600037341L"),
        checkin_batch=pl.Series([1] * (n - 1) + [2]),
        checkins_flagged=pl.lit(n),
    )
    (finding,) = to_findings(SPEC, frame, {})
    assert finding.evidence_rows == n
    assert len(finding.evidence_list()) == EVIDENCE_ROW_LIMIT
    assert finding.evidence_list()[0]["guest_name"] == "guest_name0"  # query order kept
    assert finding.batches == {"hotel_checkins": [1, 2]}
    assert str(n) in finding.title


def test_a_change_in_the_count_beyond_the_cap_is_a_change_of_evidence():
    base = pl.DataFrame({c: [f"{c}{i}" for i in range(60)] for c in SPEC.evidence}).with_columns(
        hotel_uscc=pl.lit("91110000600037341L"),
        checkin_batch=pl.lit(1),
        checkins_flagged=pl.lit(60),
    )
    (a,) = to_findings(SPEC, base, {})
    (b,) = to_findings(SPEC, pl.concat([base, base.tail(1)]), {})
    assert a.evidence == b.evidence and a.evidence_hash != b.evidence_hash
