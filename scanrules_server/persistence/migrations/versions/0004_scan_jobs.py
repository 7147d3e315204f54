"""Scan orchestration: scan jobs, durable work units, findings, executions and finding feedback.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _time(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "scan_jobs",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scan_job_id", sa.String(length=63), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("rule_set", sa.String(length=255), nullable=False),
        sa.Column("data_sources", _json(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("strategy", sa.String(length=32), nullable=False),
        sa.Column("max_concurrency_per_source", sa.Integer(), nullable=False),
        sa.Column("policy", _json(), nullable=False),
        sa.Column("executor", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("error_message", sa.Text(), nullable=False),
        sa.Column("retry_count", sa.Integer(), nullable=False),
        sa.Column("labels", _json(), nullable=False),
        _time("create_time"),
        _time("update_time"),
        _time("start_time", True),
        _time("end_time", True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_scan_jobs")),
        sa.UniqueConstraint("scan_job_id", name=op.f("uq_scan_jobs_scan_job_id")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_scan_jobs_rule_set"), "scan_jobs", ["rule_set"], unique=False)
    op.create_index(op.f("ix_scan_jobs_state"), "scan_jobs", ["state"], unique=False)
    op.create_table(
        "work_units",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scan_job_id", sa.String(length=63), nullable=False),
        sa.Column("data_source_id", sa.String(length=63), nullable=False),
        sa.Column("table_schema", sa.Text(), nullable=False),
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("table_spec", _json(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        _time("next_attempt_time", True),
        _time("start_time", True),
        _time("end_time", True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_work_units")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_work_units_scan_job_id"), "work_units", ["scan_job_id"], unique=False)
    op.create_index(op.f("ix_work_units_state"), "work_units", ["state"], unique=False)
    op.create_table(
        "findings",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("finding_id", sa.String(length=32), nullable=False),
        sa.Column("scan_job_id", sa.String(length=63), nullable=False),
        sa.Column("work_unit_seq", sa.Integer(), nullable=False),
        sa.Column("data_source", sa.String(length=255), nullable=False),
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("column_name", sa.Text(), nullable=False),
        sa.Column("column_type", sa.Text(), nullable=False),
        sa.Column("classification", sa.String(length=128), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("match_ratio", sa.Float(), nullable=False),
        sa.Column("validated_ratio", sa.Float(), nullable=False),
        sa.Column("validated_estimated", sa.Boolean(), nullable=False),
        sa.Column("sampled", sa.Integer(), nullable=False),
        sa.Column("non_null", sa.Integer(), nullable=False),
        sa.Column("distinct", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("validated", sa.Integer(), nullable=False),
        sa.Column("sampling_strategy", sa.String(length=32), nullable=False),
        sa.Column("explanation", _json(), nullable=False),
        sa.Column("evidence", _json(), nullable=False),
        sa.Column("rule", sa.String(length=255), nullable=False),
        sa.Column("rule_set_revision", sa.String(length=255), nullable=False),
        sa.Column("sensitivity_label", sa.String(length=64), nullable=False),
        sa.Column("verdict", sa.String(length=32), nullable=False),
        sa.Column("reviewer", sa.String(length=255), nullable=False),
        sa.Column("review_note", sa.Text(), nullable=False),
        _time("review_time", True),
        _time("create_time"),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_findings")),
        sa.UniqueConstraint("finding_id", name=op.f("uq_findings_finding_id")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_findings_scan_job_id"), "findings", ["scan_job_id"], unique=False)
    op.create_table(
        "executions",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("execution_id", sa.String(length=32), nullable=False),
        sa.Column("scan_job_id", sa.String(length=63), nullable=False),
        sa.Column("work_unit_seq", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=255), nullable=False),
        sa.Column("data_source", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        _time("start_time"),
        _time("end_time"),
        sa.Column("duration_seconds", sa.Float(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("matches", sa.Integer(), nullable=False),
        sa.Column("cpu_seconds", sa.Float(), nullable=False),
        sa.Column("peak_memory_bytes", sa.BigInteger(), nullable=False),
        sa.Column("finding_count", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_executions")),
        sa.UniqueConstraint("execution_id", name=op.f("uq_executions_execution_id")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_executions_scan_job_id"), "executions", ["scan_job_id"], unique=False)
    op.create_table(
        "finding_feedback",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("finding_id", sa.String(length=32), nullable=False),
        sa.Column("verdict", sa.String(length=32), nullable=False),
        sa.Column("reviewer", sa.String(length=255), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _time("create_time"),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_finding_feedback")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_finding_feedback_finding_id"), "finding_feedback", ["finding_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_finding_feedback_finding_id"), table_name="finding_feedback")
    op.drop_table("finding_feedback")
    op.drop_index(op.f("ix_executions_scan_job_id"), table_name="executions")
    op.drop_table("executions")
    op.drop_index(op.f("ix_findings_scan_job_id"), table_name="findings")
    op.drop_table("findings")
    op.drop_index(op.f("ix_work_units_state"), table_name="work_units")
    op.drop_index(op.f("ix_work_units_scan_job_id"), table_name="work_units")
    op.drop_table("work_units")
    op.drop_index(op.f("ix_scan_jobs_state"), table_name="scan_jobs")
    op.drop_index(op.f("ix_scan_jobs_rule_set"), table_name="scan_jobs")
    op.drop_table("scan_jobs")
