"""ORM models. Repositories map these to `domain.resources` dataclasses; nothing above persistence sees them.

Every table has an integer surrogate `seq` (monotonic: SERIAL on PostgreSQL, AUTOINCREMENT on SQLite) that
List methods page on. Revision tables have no foreign key to their resource: revisions outlive deletion,
because rule set revisions pin rule revisions by name.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType: TypeEngine[Any] = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend.

    PostgreSQL stores `timestamptz`; SQLite has no time zones, so the value is stored as naive UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime: pass an aware datetime (UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _seq() -> Mapped[int]:
    return mapped_column(Integer, primary_key=True, autoincrement=True)


class RuleRow(Base):
    """The current state of each live rule."""

    __tablename__ = "rules"
    __table_args__ = (UniqueConstraint("rule_id"), {"sqlite_autoincrement": True})

    seq: Mapped[int] = _seq()
    rule_id: Mapped[str] = mapped_column(String(63))
    display_name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    expression: Mapped[str] = mapped_column(Text)
    classification: Mapped[str] = mapped_column(String(255))
    pattern_type: Mapped[str] = mapped_column(String(64))
    complexity_level: Mapped[str] = mapped_column(String(64))
    confidence_threshold: Mapped[float] = mapped_column(Float)
    is_active: Mapped[bool] = mapped_column(Boolean)
    owner: Mapped[str] = mapped_column(String(255))
    compliance_tags: Mapped[list[str]] = mapped_column(JSONType)
    labels: Mapped[dict[str, str]] = mapped_column(JSONType)
    sensitivity_label: Mapped[str] = mapped_column(String(255))
    revision: Mapped[int] = mapped_column(Integer)
    etag: Mapped[str] = mapped_column(String(64))
    create_time: Mapped[datetime] = mapped_column(UTCDateTime)
    update_time: Mapped[datetime] = mapped_column(UTCDateTime)
    revision_create_time: Mapped[datetime] = mapped_column(UTCDateTime)


class RuleRevisionRow(Base):
    """One immutable snapshot per rule revision (the whole resource, as JSON)."""

    __tablename__ = "rule_revisions"
    __table_args__ = (UniqueConstraint("rule_id", "revision"), {"sqlite_autoincrement": True})

    seq: Mapped[int] = _seq()
    rule_id: Mapped[str] = mapped_column(String(63))
    revision: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType)
    create_time: Mapped[datetime] = mapped_column(UTCDateTime)


class RuleSetRow(Base):
    __tablename__ = "rule_sets"
    __table_args__ = (UniqueConstraint("rule_set_id"), {"sqlite_autoincrement": True})

    seq: Mapped[int] = _seq()
    rule_set_id: Mapped[str] = mapped_column(String(63))
    display_name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    rules: Mapped[list[str]] = mapped_column(JSONType)
    policy: Mapped[dict[str, Any]] = mapped_column(JSONType)
    read_only: Mapped[bool] = mapped_column(Boolean)
    revision: Mapped[int] = mapped_column(Integer)
    etag: Mapped[str] = mapped_column(String(64))
    create_time: Mapped[datetime] = mapped_column(UTCDateTime)
    update_time: Mapped[datetime] = mapped_column(UTCDateTime)
    revision_create_time: Mapped[datetime] = mapped_column(UTCDateTime)


class RuleSetRevisionRow(Base):
    __tablename__ = "rule_set_revisions"
    __table_args__ = (UniqueConstraint("rule_set_id", "revision"), {"sqlite_autoincrement": True})

    seq: Mapped[int] = _seq()
    rule_set_id: Mapped[str] = mapped_column(String(63))
    revision: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType)
    create_time: Mapped[datetime] = mapped_column(UTCDateTime)


class PatternRow(Base):
    __tablename__ = "patterns"
    __table_args__ = (UniqueConstraint("pattern_id"), {"sqlite_autoincrement": True})

    seq: Mapped[int] = _seq()
    pattern_id: Mapped[str] = mapped_column(String(63))
    display_name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    regex: Mapped[str] = mapped_column(Text)
    validator: Mapped[str] = mapped_column(String(255))
    keywords: Mapped[list[str]] = mapped_column(JSONType)
    exclusions: Mapped[list[str]] = mapped_column(JSONType)
    builtin: Mapped[bool] = mapped_column(Boolean)
    usage_count: Mapped[int] = mapped_column(Integer)
    measured_precision: Mapped[float | None] = mapped_column(Float, nullable=True)
    etag: Mapped[str] = mapped_column(String(64))
    create_time: Mapped[datetime] = mapped_column(UTCDateTime)
    update_time: Mapped[datetime] = mapped_column(UTCDateTime)


class IdempotencyKeyRow(Base):
    """`request_id`s already served by a create method, and the resource (revision) that create made."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("method", "request_id"), {"sqlite_autoincrement": True})

    seq: Mapped[int] = _seq()
    method: Mapped[str] = mapped_column(String(128))
    request_id: Mapped[str] = mapped_column(String(255))
    resource_name: Mapped[str] = mapped_column(String(255))
    revision_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    create_time: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class DataSourceRow(Base):
    __tablename__ = "data_sources"
    __table_args__ = (UniqueConstraint("data_source_id"), {"sqlite_autoincrement": True})

    seq: Mapped[int] = _seq()
    data_source_id: Mapped[str] = mapped_column(String(63))
    display_name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    uri: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    include: Mapped[list[str]] = mapped_column(JSONType)
    exclude: Mapped[list[str]] = mapped_column(JSONType)
    labels: Mapped[dict[str, str]] = mapped_column(JSONType)
    secret: Mapped[str] = mapped_column(Text)
    etag: Mapped[str] = mapped_column(String(64))
    create_time: Mapped[datetime] = mapped_column(UTCDateTime)
    update_time: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiKeyRow(Base):
    """API keys: only the SHA-256 hash of each key is stored, never the key."""

    __tablename__ = "api_keys"
    __table_args__ = (UniqueConstraint("key_id"), UniqueConstraint("key_hash"), {"sqlite_autoincrement": True})

    seq: Mapped[int] = _seq()
    key_id: Mapped[str] = mapped_column(String(32))
    key_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    creator: Mapped[str] = mapped_column(String(255))
    create_time: Mapped[datetime] = mapped_column(UTCDateTime)
    expire_time: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoke_time: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_time: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AuditEventRow(Base):
    """The audit trail. Append-only: no repository function updates or deletes a row, and the migration adds
    triggers that refuse UPDATE and DELETE on both backends."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("event_id"), {"sqlite_autoincrement": True})

    seq: Mapped[int] = _seq()
    event_id: Mapped[str] = mapped_column(String(32))
    principal: Mapped[str] = mapped_column(String(255), index=True)
    rpc: Mapped[str] = mapped_column(String(255))
    resource: Mapped[str] = mapped_column(Text)
    request_id: Mapped[str] = mapped_column(String(255))
    outcome: Mapped[str] = mapped_column(String(32))
    peer: Mapped[str] = mapped_column(String(255))
    latency_seconds: Mapped[float] = mapped_column(Float)
    create_time: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


# ---- scan orchestration (issue 5): jobs, durable work units, findings, executions, feedback ----------


class ScanJobRow(Base):
    """A scan job; its counts are computed from its work units (one source of truth)."""

    __tablename__ = "scan_jobs"
    __table_args__ = (UniqueConstraint("scan_job_id"), {"sqlite_autoincrement": True})

    seq: Mapped[int] = _seq()
    scan_job_id: Mapped[str] = mapped_column(String(63))
    display_name: Mapped[str] = mapped_column(Text)
    rule_set: Mapped[str] = mapped_column(String(255), index=True)
    data_sources: Mapped[list[str]] = mapped_column(JSONType)
    priority: Mapped[int] = mapped_column(Integer)
    strategy: Mapped[str] = mapped_column(String(32))
    max_concurrency_per_source: Mapped[int] = mapped_column(Integer)
    policy: Mapped[dict[str, Any]] = mapped_column(JSONType)
    executor: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(32), index=True)
    error_message: Mapped[str] = mapped_column(Text)
    retry_count: Mapped[int] = mapped_column(Integer)
    labels: Mapped[dict[str, str]] = mapped_column(JSONType)
    #: rule revision names of an ad hoc job (ExecuteRules); its `rule_set` is empty
    rules: Mapped[list[str]] = mapped_column(JSONType, server_default=text("'[]'"))
    include_builtin: Mapped[bool] = mapped_column(Boolean, server_default=false())
    #: job ids that must succeed before this job's units may run
    depends_on: Mapped[list[str]] = mapped_column(JSONType, server_default=text("'[]'"))
    force: Mapped[bool] = mapped_column(Boolean, server_default=false())
    #: True while a dependency has not succeeded yet; its units wait
    blocked: Mapped[bool] = mapped_column(Boolean, server_default=false())
    schedule: Mapped[str] = mapped_column(String(63), server_default=text("''"))
    create_time: Mapped[datetime] = mapped_column(UTCDateTime)
    update_time: Mapped[datetime] = mapped_column(UTCDateTime)
    start_time: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    end_time: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WorkUnitRow(Base):
    """One table (or file, or partition of a large table) of one data source of a job:
    PENDING -> RUNNING -> SUCCEEDED | FAILED | CANCELLED."""

    __tablename__ = "work_units"
    __table_args__ = (
        Index("ix_work_units_data_source_id_table_schema_table_name", "data_source_id", "table_schema", "table_name"),
        # The scheduling loop's queue: PENDING units in (job priority, job age, plan order) straight off the
        # index, no sort of every pending unit (which cost PostgreSQL ~80 ms a pick with 12,000 queued).
        Index("ix_work_units_queue", "state", "queue_rank", "job_seq", "seq"),
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = _seq()
    scan_job_id: Mapped[str] = mapped_column(String(63), index=True)
    data_source_id: Mapped[str] = mapped_column(String(63))
    table_schema: Mapped[str] = mapped_column(Text)
    table_name: Mapped[str] = mapped_column(Text)
    #: the discovered TableSchema (columns, keys) as JSON, so a worker needs no discovery
    table_spec: Mapped[dict[str, Any]] = mapped_column(JSONType)
    state: Mapped[str] = mapped_column(String(32), index=True)
    #: copies of the job's (immutable) priority as 10 - priority, so ascending is highest first, and of its seq
    queue_rank: Mapped[int] = mapped_column(Integer, server_default="5")
    job_seq: Mapped[int] = mapped_column(Integer, server_default="0")
    attempts: Mapped[int] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text)
    rows_read: Mapped[int] = mapped_column(Integer)
    #: `connectors.base.Partition.to_dict()` for one partition of a large table; None for a whole table
    partition: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    #: index of the partition and count of partitions of its table (0 and 1 for a whole table)
    partition_index: Mapped[int] = mapped_column(Integer, server_default="0")
    partition_count: Mapped[int] = mapped_column(Integer, server_default="1")
    #: a partition's mergeable column statistics (`engine.partials`), until its table's last one merges them
    partial: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    #: the table's content fingerprint when the unit read it (`Connector.fingerprint`)
    fingerprint: Mapped[str] = mapped_column(Text, server_default=text("''"))
    #: the unit whose findings were carried over because nothing changed since (incremental rescan)
    reused_from: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: the rule set revision (or ad hoc rules key) the unit ran, to decide whether a rescan can skip it
    rules_key: Mapped[str] = mapped_column(String(255), server_default=text("''"))
    next_attempt_time: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    start_time: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    end_time: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class FindingRow(Base):
    __tablename__ = "findings"
    __table_args__ = (UniqueConstraint("finding_id"), {"sqlite_autoincrement": True})

    seq: Mapped[int] = _seq()
    finding_id: Mapped[str] = mapped_column(String(32))
    scan_job_id: Mapped[str] = mapped_column(String(63), index=True)
    work_unit_seq: Mapped[int] = mapped_column(Integer)
    data_source: Mapped[str] = mapped_column(String(255))
    table_name: Mapped[str] = mapped_column(Text)
    column_name: Mapped[str] = mapped_column(Text)
    column_type: Mapped[str] = mapped_column(Text)
    classification: Mapped[str] = mapped_column(String(128))
    confidence: Mapped[float] = mapped_column(Float)
    match_ratio: Mapped[float] = mapped_column(Float)
    validated_ratio: Mapped[float] = mapped_column(Float)
    validated_estimated: Mapped[bool] = mapped_column(Boolean)
    sampled: Mapped[int] = mapped_column(Integer)
    non_null: Mapped[int] = mapped_column(Integer)
    distinct: Mapped[int] = mapped_column(Integer)
    matched: Mapped[int] = mapped_column(Integer)
    validated: Mapped[int] = mapped_column(Integer)
    sampling_strategy: Mapped[str] = mapped_column(String(32))
    explanation: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    evidence: Mapped[list[str]] = mapped_column(JSONType)
    rule: Mapped[str] = mapped_column(String(255))
    rule_set_revision: Mapped[str] = mapped_column(String(255))
    sensitivity_label: Mapped[str] = mapped_column(String(64))
    origin_scan_job: Mapped[str] = mapped_column(String(63), server_default=text("''"))
    verdict: Mapped[str] = mapped_column(String(32))
    reviewer: Mapped[str] = mapped_column(String(255))
    review_note: Mapped[str] = mapped_column(Text)
    review_time: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    create_time: Mapped[datetime] = mapped_column(UTCDateTime)


class ExecutionRow(Base):
    """One attempt of one work unit: the rule set revision run over one table of one source."""

    __tablename__ = "executions"
    __table_args__ = (
        UniqueConstraint("execution_id"),
        # ADAPTIVE planning reads a source's latest executions (its cost history) on every create.
        Index("ix_executions_data_source_seq", "data_source", "seq"),
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = _seq()
    execution_id: Mapped[str] = mapped_column(String(32))
    scan_job_id: Mapped[str] = mapped_column(String(63), index=True)
    work_unit_seq: Mapped[int] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(255))
    data_source: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32))
    attempt: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[datetime] = mapped_column(UTCDateTime)
    end_time: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_seconds: Mapped[float] = mapped_column(Float)
    rows_read: Mapped[int] = mapped_column(Integer)
    matches: Mapped[int] = mapped_column(Integer)
    cpu_seconds: Mapped[float] = mapped_column(Float)
    peak_memory_bytes: Mapped[int] = mapped_column(BigInteger)
    finding_count: Mapped[int] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text)


class FindingFeedbackRow(Base):
    """Every verdict given on a finding (the finding row keeps the latest), for the optimizer."""

    __tablename__ = "finding_feedback"
    __table_args__ = ({"sqlite_autoincrement": True},)

    seq: Mapped[int] = _seq()
    finding_id: Mapped[str] = mapped_column(String(32), index=True)
    verdict: Mapped[str] = mapped_column(String(32))
    reviewer: Mapped[str] = mapped_column(String(255))
    note: Mapped[str] = mapped_column(Text)
    create_time: Mapped[datetime] = mapped_column(UTCDateTime)


class ScheduleRow(Base):
    """A cron schedule creating scan jobs; `next_run_time` is None while paused."""

    __tablename__ = "schedules"
    __table_args__ = (UniqueConstraint("schedule_id"), {"sqlite_autoincrement": True})

    seq: Mapped[int] = _seq()
    schedule_id: Mapped[str] = mapped_column(String(63))
    display_name: Mapped[str] = mapped_column(Text)
    rule_set: Mapped[str] = mapped_column(String(255))
    data_sources: Mapped[list[str]] = mapped_column(JSONType)
    cron: Mapped[str] = mapped_column(String(255))
    time_zone: Mapped[str] = mapped_column(String(64))
    paused: Mapped[bool] = mapped_column(Boolean)
    priority: Mapped[int] = mapped_column(Integer)
    next_run_time: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    last_run_time: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_scan_job: Mapped[str] = mapped_column(String(63))
    etag: Mapped[str] = mapped_column(String(64))
    create_time: Mapped[datetime] = mapped_column(UTCDateTime)
    update_time: Mapped[datetime] = mapped_column(UTCDateTime)
