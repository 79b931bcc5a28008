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


E = "e" * 64
"""The digest of the same facts under an earlier rule of what counts as a fact."""

BRIDGED = [
    # a lead stored under the earlier rule is the same lead, not a change
    (("dismissed", E, True), A, (E,), "suppressed"),
    (("new", E, True), A, (E,), "unchanged"),
    (("dismissed", E, False), A, (E,), "found_again"),
    # other facts are still a change, whichever rule hashed them
    (("dismissed", B, True), A, (E,), "reopened"),
    (("accepted", B, True), A, (E,), "refreshed"),
]


@pytest.mark.parametrize(("stored", "found", "earlier", "verdict"), BRIDGED)
def test_classify_recognises_a_lead_hashed_by_an_earlier_rule(
    stored: tuple[str, str, bool], found: str, earlier: tuple[str, ...], verdict: str
):
    assert classify(Known(*stored), found, earlier) == verdict


def test_a_lead_neither_stored_nor_found_is_a_programming_error():
    with pytest.raises(ValueError):
        classify(None, None)
