"""Initial schema: rules, rule sets and their revisions, patterns, idempotency keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _time(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _seq() -> sa.Column[Any]:
    return sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False)


def upgrade() -> None:
    op.create_table(
        "rules",
        _seq(),
        sa.Column("rule_id", sa.String(length=63), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("expression", sa.Text(), nullable=False),
        sa.Column("classification", sa.String(length=255), nullable=False),
        sa.Column("pattern_type", sa.String(length=64), nullable=False),
        sa.Column("complexity_level", sa.String(length=64), nullable=False),
        sa.Column("confidence_threshold", sa.Float(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("compliance_tags", _json(), nullable=False),
        sa.Column("labels", _json(), nullable=False),
        sa.Column("sensitivity_label", sa.String(length=255), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("etag", sa.String(length=64), nullable=False),
        _time("create_time"),
        _time("update_time"),
        _time("revision_create_time"),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_rules")),
        sa.UniqueConstraint("rule_id", name=op.f("uq_rules_rule_id")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "rule_revisions",
        _seq(),
        sa.Column("rule_id", sa.String(length=63), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("snapshot", _json(), nullable=False),
        _time("create_time"),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_rule_revisions")),
        sa.UniqueConstraint("rule_id", "revision", name=op.f("uq_rule_revisions_rule_id_revision")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "rule_sets",
        _seq(),
        sa.Column("rule_set_id", sa.String(length=63), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("rules", _json(), nullable=False),
        sa.Column("policy", _json(), nullable=False),
        sa.Column("read_only", sa.Boolean(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("etag", sa.String(length=64), nullable=False),
        _time("create_time"),
        _time("update_time"),
        _time("revision_create_time"),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_rule_sets")),
        sa.UniqueConstraint("rule_set_id", name=op.f("uq_rule_sets_rule_set_id")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "rule_set_revisions",
        _seq(),
        sa.Column("rule_set_id", sa.String(length=63), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("snapshot", _json(), nullable=False),
        _time("create_time"),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_rule_set_revisions")),
        sa.UniqueConstraint("rule_set_id", "revision", name=op.f("uq_rule_set_revisions_rule_set_id_revision")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "patterns",
        _seq(),
        sa.Column("pattern_id", sa.String(length=63), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("regex", sa.Text(), nullable=False),
        sa.Column("validator", sa.String(length=255), nullable=False),
        sa.Column("keywords", _json(), nullable=False),
        sa.Column("exclusions", _json(), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("usage_count", sa.Integer(), nullable=False),
        sa.Column("measured_precision", sa.Float(), nullable=True),
        sa.Column("etag", sa.String(length=64), nullable=False),
        _time("create_time"),
        _time("update_time"),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_patterns")),
        sa.UniqueConstraint("pattern_id", name=op.f("uq_patterns_pattern_id")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "idempotency_keys",
        _seq(),
        sa.Column("method", sa.String(length=128), nullable=False),
        sa.Column("request_id", sa.String(length=255), nullable=False),
        sa.Column("resource_name", sa.String(length=255), nullable=False),
        sa.Column("revision_id", sa.String(length=32), nullable=True),
        _time("create_time"),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("method", "request_id", name=op.f("uq_idempotency_keys_method_request_id")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_idempotency_keys_create_time"), "idempotency_keys", ["create_time"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_idempotency_keys_create_time"), table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_table("patterns")
    op.drop_table("rule_set_revisions")
    op.drop_table("rule_sets")
    op.drop_table("rule_revisions")
    op.drop_table("rules")
