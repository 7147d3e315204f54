"""Orchestration, part two: schedules, job dependencies, ad hoc rules, partitions, incremental rescans.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _time(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("scan_jobs") as batch:
        batch.add_column(sa.Column("rules", _json(), nullable=False, server_default=sa.text("'[]'")))
        batch.add_column(sa.Column("include_builtin", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("depends_on", _json(), nullable=False, server_default=sa.text("'[]'")))
        batch.add_column(sa.Column("force", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("blocked", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("schedule", sa.String(length=63), nullable=False, server_default=sa.text("''")))
    with op.batch_alter_table("work_units") as batch:
        batch.add_column(sa.Column("partition", _json(), nullable=True))
        batch.add_column(sa.Column("partition_index", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("partition_count", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("partial", _json(), nullable=True))
        batch.add_column(sa.Column("fingerprint", sa.Text(), nullable=False, server_default=sa.text("''")))
        batch.add_column(sa.Column("reused_from", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("rules_key", sa.String(length=255), nullable=False, server_default=sa.text("''")))
        batch.add_column(sa.Column("queue_rank", sa.Integer(), nullable=False, server_default="5"))
        batch.add_column(sa.Column("job_seq", sa.Integer(), nullable=False, server_default="0"))
    op.create_index(
        "ix_work_units_data_source_id_table_schema_table_name",
        "work_units",
        ["data_source_id", "table_schema", "table_name"],
        unique=False,
    )
    # Units of jobs made before this revision take their job's priority and seq.
    op.execute(
        "UPDATE work_units SET "
        "queue_rank = 10 - (SELECT priority FROM scan_jobs WHERE scan_jobs.scan_job_id = work_units.scan_job_id), "
        "job_seq = (SELECT seq FROM scan_jobs WHERE scan_jobs.scan_job_id = work_units.scan_job_id) "
        "WHERE EXISTS (SELECT 1 FROM scan_jobs WHERE scan_jobs.scan_job_id = work_units.scan_job_id)"
    )
    op.create_index("ix_work_units_queue", "work_units", ["state", "queue_rank", "job_seq", "seq"], unique=False)
    op.create_index("ix_executions_data_source_seq", "executions", ["data_source", "seq"], unique=False)
    with op.batch_alter_table("findings") as batch:
        batch.add_column(
            sa.Column("origin_scan_job", sa.String(length=63), nullable=False, server_default=sa.text("''"))
        )
    op.create_table(
        "schedules",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("schedule_id", sa.String(length=63), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("rule_set", sa.String(length=255), nullable=False),
        sa.Column("data_sources", _json(), nullable=False),
        sa.Column("cron", sa.String(length=255), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        _time("next_run_time", True),
        _time("last_run_time", True),
        sa.Column("last_scan_job", sa.String(length=63), nullable=False),
        sa.Column("etag", sa.String(length=64), nullable=False),
        _time("create_time"),
        _time("update_time"),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_schedules")),
        sa.UniqueConstraint("schedule_id", name=op.f("uq_schedules_schedule_id")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_schedules_next_run_time"), "schedules", ["next_run_time"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_schedules_next_run_time"), table_name="schedules")
    op.drop_table("schedules")
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("origin_scan_job")
    op.drop_index("ix_executions_data_source_seq", table_name="executions")
    op.drop_index("ix_work_units_queue", table_name="work_units")
    op.drop_index("ix_work_units_data_source_id_table_schema_table_name", table_name="work_units")
    with op.batch_alter_table("work_units") as batch:
        for name in ("job_seq", "queue_rank", "rules_key", "reused_from", "fingerprint", "partial"):
            batch.drop_column(name)
        for name in ("partition_count", "partition_index", "partition"):
            batch.drop_column(name)
    with op.batch_alter_table("scan_jobs") as batch:
        for name in ("schedule", "blocked", "force", "depends_on", "include_builtin", "rules"):
            batch.drop_column(name)
