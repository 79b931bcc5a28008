"""The suppression policy as a table: what one run means for one (model, subject)."""

from __future__ import annotations

import pytest

from shujian.leads.service import Known, classify

A, B = "a" * 64, "b" * 64

CASES = [
    # stored lead (status, hash, active) | hash found this run | verdict
    (None, A, "new"),
    (("new", A, True), A, "unchanged"),
    (("accepted", A, True), A, "unchanged"),
    (("dismissed", A, True), A, "suppressed"),
    (("new", A, True), B, "refreshed"),
    (("accepted", A, True), B, "refreshed"),
    (("dismissed", A, True), B, "reopened"),
    (("new", A, False), A, "found_again"),
    (("dismissed", A, False), A, "found_again"),
    (("dismissed", A, False), B, "reopened"),
    (("accepted", A, False), B, "refreshed"),
    (("new", A, True), None, "gone"),
    (("dismissed", A, True), None, "gone"),
    (("accepted", A, True), None, "gone"),
    (("new", A, False), None, None),
    (("dismissed", A, False), None, None),
]


@pytest.mark.parametrize(("stored", "found", "verdict"), CASES)
def test_classify(stored: tuple[str, str, bool] | None, found: str | None, verdict: str | None):
    known = Known(*stored) if stored else None
    assert classify(known, found) == verdict


def test_a_lead_neither_stored_nor_found_is_a_programming_error():
    with pytest.raises(ValueError):
        classify(None, None)
