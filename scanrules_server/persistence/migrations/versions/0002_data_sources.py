"""Data sources: connection URIs without passwords, encrypted secrets, include/exclude globs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "data_sources",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("data_source_id", sa.String(length=63), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("uri", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("include", _json(), nullable=False),
        sa.Column("exclude", _json(), nullable=False),
        sa.Column("labels", _json(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("etag", sa.String(length=64), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("update_time", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_data_sources")),
        sa.UniqueConstraint("data_source_id", name=op.f("uq_data_sources_data_source_id")),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("data_sources")
