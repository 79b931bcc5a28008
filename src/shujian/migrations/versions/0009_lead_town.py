"""Leads know their town (乡镇), for the queue's 乡镇 filter.

- `leads.town`: the 乡, 镇 or 街道 the lead's subject is in, read by the runner from the evidence
  column its model declares (`town:` in the model's YAML; `leads.town.town_of`); NULL for models
  that declare none. Indexed: the queue filters on it and lists the towns present.

Leads stored before this revision have no town until their model runs again: every run writes the
town of each lead it finds (new, unchanged or changed alike).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-12
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("town", sa.String(64), nullable=True))
    op.create_index("ix_leads_town", "leads", ["town"])


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
