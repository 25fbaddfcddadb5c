"""Photo ledger: the picture's signature, so a new etag with the same picture is not a new photo version.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("photo_ledger") as batch:
        batch.add_column(sa.Column("picture", sa.String(32)))


def downgrade() -> None:
    with op.batch_alter_table("photo_ledger") as batch:
        batch.drop_column("picture")
