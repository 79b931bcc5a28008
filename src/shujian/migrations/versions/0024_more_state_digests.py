"""Tamper evidence over 支持起诉, 国家司法救助, 公开听证 and 12309 信访 (`tamper.policy.TRACKED`):
a baseline of their rows.

From this revision on the platform records every row it writes of `support_opinions`,
`judicial_aid_decisions`, `hearings`, `hearing_members`, `hearing_events`, `reception_days`,
`petitions` and `petition_events`, as 0019 did for leads, cases, case events and
recommendations. The rows a store already holds get their record now, under one change entry
`baseline_state` (建立状态摘要基线) naming this revision: from here on a change made behind the
platform's back is named by `shujian audit verify`; what happened to these rows before the
upgrade cannot be proven, and verify says so. A store with none of these rows gets no entry.
No table changes.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06
"""

from __future__ import annotations

from shujian.migrations.shared import baseline_state

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

KINDS = (
    "support_opinion",
    "judicial_aid_decision",
    "hearing",
    "hearing_member",
    "hearing_event",
    "reception_day",
    "petition",
    "petition_event",
)
"""The kinds this revision starts to track (their tables: migrations 0020 to 0022)."""


def upgrade() -> None:
    baseline_state(revision, KINDS)


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
