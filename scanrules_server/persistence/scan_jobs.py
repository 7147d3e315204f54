"""Scan jobs, their durable work units, findings, executions and finding feedback.

Job counts (units succeeded, failed, running, findings, rows) are computed from the units and findings
tables, never stored twice. Everything here runs inside the caller's transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.errors import AlreadyExistsError, NotFoundError
from ..domain.filtering import canonical, parse_filter
from . import idempotency
from ._store import utcnow
from .filters import FieldKind, FilterField, build_where, json_list_contains
from .models import ExecutionRow, FindingFeedbackRow, FindingRow, ScanJobRow, ScheduleRow, WorkUnitRow
from .paging import decode_page_token, encode_page_token, fingerprint, keyset_page, page_size_or_default

CREATE_SCAN_JOB_METHOD = "CreateScanJob"

# Job states
PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED, PARTIALLY_SUCCEEDED = (
    "PENDING",
    "RUNNING",
    "SUCCEEDED",
    "FAILED",
    "CANCELLED",
    "PARTIALLY_SUCCEEDED",
)
TERMINAL = frozenset({SUCCEEDED, FAILED, CANCELLED, PARTIALLY_SUCCEEDED})
#: `WorkUnitRow.queue_rank` of the units of a job waiting for its dependencies (priorities rank 0-9)
BLOCKED_RANK = 100
UNIT_OPEN = (PENDING, RUNNING)

JOB_FILTER_FIELDS: dict[str, FilterField] = {
    "state": FilterField(ScanJobRow.state, FieldKind.STRING),
    "rule_set": FilterField(ScanJobRow.rule_set, FieldKind.STRING),
    "display_name": FilterField(ScanJobRow.display_name, FieldKind.STRING),
    "create_time": FilterField(ScanJobRow.create_time, FieldKind.TIMESTAMP),
    "data_source": FilterField(ScanJobRow.data_sources, FieldKind.MEMBER, "dataSources/"),
    "priority": FilterField(ScanJobRow.priority, FieldKind.NUMBER),
}

FINDING_FILTER_FIELDS: dict[str, FilterField] = {
    "classification": FilterField(FindingRow.classification, FieldKind.STRING),
    "table": FilterField(FindingRow.table_name, FieldKind.STRING),
    "column": FilterField(FindingRow.column_name, FieldKind.STRING),
    "data_source": FilterField(FindingRow.data_source, FieldKind.STRING),
    "confidence": FilterField(FindingRow.confidence, FieldKind.NUMBER),
    "rule": FilterField(FindingRow.rule, FieldKind.STRING),
    "verdict": FilterField(FindingRow.verdict, FieldKind.STRING),
}

EXECUTION_FILTER_FIELDS: dict[str, FilterField] = {
    "status": FilterField(ExecutionRow.status, FieldKind.STRING),
    "data_source": FilterField(ExecutionRow.data_source, FieldKind.STRING),
}


def new_id() -> str:
    return secrets.token_hex(8)


@dataclass
class JobCounts:
    total: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    findings: int = 0
    rows: int = 0
    skipped: int = 0  # units that reused an earlier scan of an unchanged table

    def of(self, state: str) -> int:
        return self.by_state.get(state, 0)


@dataclass
class UnitPlan:
    data_source_id: str
    table_schema: str
    table_name: str
    table_spec: dict[str, Any]
    partition: dict[str, Any] | None = None
    partition_index: int = 0
    partition_count: int = 1


async def replay(session: AsyncSession, request_id: str | None) -> ScanJobRow | None:
    """The job a previous CreateScanJob with this request id made, if any."""
    if request_id is None:
        return None
    done = await idempotency.lookup(session, CREATE_SCAN_JOB_METHOD, request_id)
    if done is None:
        return None
    return await get_job(session, done.resource_name.split("/", 1)[1])


async def create_job(
    session: AsyncSession,
    scan_job_id: str,
    values: dict[str, Any],
    units: Sequence[UnitPlan],
    request_id: str | None,
    rules_key: str,
) -> tuple[ScanJobRow, bool]:
    """The job and ALL its units, in the caller's transaction (nothing runs before they are stored); (job, True),
    or (the job a concurrent call with the same request id made, False)."""
    if await session.scalar(select(ScanJobRow.seq).where(ScanJobRow.scan_job_id == scan_job_id)) is not None:
        # The same request committed by a concurrent call since the caller's replay check is a replay too.
        again = await replay(session, request_id)
        if again is not None:
            return again, False
        raise AlreadyExistsError(f"scanJobs/{scan_job_id}")
    now = utcnow()
    row = ScanJobRow(
        scan_job_id=scan_job_id,
        state=PENDING,
        error_message="",
        retry_count=0,
        create_time=now,
        update_time=now,
        **values,
    )
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()  # the job's seq orders its units in the queue
            for unit in units:
                session.add(
                    WorkUnitRow(
                        scan_job_id=scan_job_id,
                        queue_rank=BLOCKED_RANK if row.blocked else 10 - int(row.priority),
                        job_seq=row.seq,
                        data_source_id=unit.data_source_id,
                        table_schema=unit.table_schema,
                        table_name=unit.table_name,
                        table_spec=unit.table_spec,
                        state=PENDING,
                        attempts=0,
                        error="",
                        rows_read=0,
                        partition=unit.partition,
                        partition_index=unit.partition_index,
                        partition_count=unit.partition_count,
                        fingerprint="",
                        rules_key=rules_key,
                    )
                )
            if request_id is not None:
                idempotency.record(session, CREATE_SCAN_JOB_METHOD, request_id, f"scanJobs/{scan_job_id}", None, now)
    except IntegrityError:
        again = await replay(session, request_id)
        if again is not None:
            return again, False
        raise AlreadyExistsError(f"scanJobs/{scan_job_id}") from None
    return row, True


async def get_job(session: AsyncSession, scan_job_id: str, *, lock: bool = False) -> ScanJobRow:
    stmt = select(ScanJobRow).where(ScanJobRow.scan_job_id == scan_job_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    row = await session.scalar(stmt)
    if row is None:
        raise NotFoundError(f"scanJobs/{scan_job_id}")
    return row


async def counts(session: AsyncSession, scan_job_id: str) -> JobCounts:
    out = JobCounts()
    reused = case((WorkUnitRow.reused_from.is_not(None), 1), else_=0)
    result = await session.execute(
        select(
            WorkUnitRow.state,
            func.count(),
            func.coalesce(func.sum(WorkUnitRow.rows_read), 0),
            func.coalesce(func.sum(reused), 0),
        )
        .where(WorkUnitRow.scan_job_id == scan_job_id)
        .group_by(WorkUnitRow.state)
    )
    for state, n, rows, skipped in result.all():
        out.by_state[str(state)] = int(n)
        out.total += int(n)
        out.rows += int(rows)
        out.skipped += int(skipped)
    out.findings = int(
        await session.scalar(select(func.count()).select_from(FindingRow).where(FindingRow.scan_job_id == scan_job_id))
        or 0
    )
    return out


async def has_open_units(session: AsyncSession, scan_job_id: str) -> bool:
    """Whether a unit of the job is PENDING or RUNNING (cheaper than `counts` on every unit's end)."""
    stmt = select(WorkUnitRow.seq).where(WorkUnitRow.scan_job_id == scan_job_id, WorkUnitRow.state.in_(UNIT_OPEN))
    return await session.scalar(stmt.limit(1)) is not None


async def list_jobs(
    session: AsyncSession, page_size: int | None, page_token: str | None, filter: str | None
) -> tuple[list[ScanJobRow], str]:
    size = page_size_or_default(page_size)
    expr = parse_filter(filter or "")
    where = build_where(expr, JOB_FILTER_FIELDS)
    query = fingerprint("scanJobs", canonical(expr))
    rows, last = await keyset_page(
        session, ScanJobRow, ScanJobRow.seq, where, size, decode_page_token(page_token, query)
    )
    return rows, encode_page_token(last, query) if last is not None else ""


async def units_of(session: AsyncSession, scan_job_id: str, states: Sequence[str] | None = None) -> list[WorkUnitRow]:
    stmt = select(WorkUnitRow).where(WorkUnitRow.scan_job_id == scan_job_id)
    if states is not None:
        stmt = stmt.where(WorkUnitRow.state.in_(states))
    return list((await session.scalars(stmt.order_by(WorkUnitRow.seq))).all())


def select_job_ids(states: Sequence[str]) -> Select[Any]:
    """A subquery of the ids of jobs in `states`."""
    return select(ScanJobRow.scan_job_id).where(ScanJobRow.state.in_(states))


async def reset_running_units(session: AsyncSession) -> int:
    """After a crash: units left RUNNING (their results were never committed) go back to PENDING."""
    result = await session.execute(
        update(WorkUnitRow)
        .where(WorkUnitRow.state == RUNNING)
        .values(state=PENDING, next_attempt_time=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def running_units(session: AsyncSession) -> list[WorkUnitRow]:
    """RUNNING units of unfinished jobs."""
    stmt = select(WorkUnitRow).where(
        WorkUnitRow.state == RUNNING, WorkUnitRow.scan_job_id.in_(select_job_ids(UNIT_OPEN))
    )
    return list((await session.scalars(stmt)).all())


async def open_jobs_without_open_units(session: AsyncSession) -> list[ScanJobRow]:
    """PENDING/RUNNING jobs none of whose units is PENDING or RUNNING (to be settled)."""
    open_units = select(WorkUnitRow.scan_job_id).where(WorkUnitRow.state.in_(UNIT_OPEN))
    stmt = select(ScanJobRow).where(
        ScanJobRow.state.in_(UNIT_OPEN), ScanJobRow.blocked.is_(False), ScanJobRow.scan_job_id.not_in(open_units)
    )
    return list((await session.scalars(stmt)).all())


@dataclass(frozen=True)
class Runnable:
    """What the scheduling loop needs of a runnable unit and its job (no JSON columns to decode)."""

    unit_seq: int
    data_source_id: str
    rules_key: str
    scan_job_id: str
    strategy: str
    max_concurrency_per_source: int


async def runnable_units(session: AsyncSession, now: datetime, limit: int) -> list[Runnable]:
    """PENDING units of unfinished, unblocked jobs that may start now: highest job priority first, then job
    age, then plan order.

    One table, read in `ix_work_units_queue` order: a join with the jobs let PostgreSQL plan a nested loop over
    every open job (0.7 s a pick with 12,000 units queued before its statistics caught up). PENDING units
    exist only in open jobs (cancel and failure close them), and a blocked job's units wait at BLOCKED_RANK.
    """
    stmt = (
        select(WorkUnitRow.seq, WorkUnitRow.data_source_id, WorkUnitRow.rules_key, WorkUnitRow.scan_job_id)
        .where(
            WorkUnitRow.state == PENDING,
            WorkUnitRow.queue_rank < BLOCKED_RANK,
            (WorkUnitRow.next_attempt_time.is_(None)) | (WorkUnitRow.next_attempt_time <= now),
        )
        .order_by(WorkUnitRow.queue_rank, WorkUnitRow.job_seq, WorkUnitRow.seq)
        .limit(limit)
    )
    units = (await session.execute(stmt)).all()
    jobs = {
        str(job_id): (str(strategy), int(limit_per_source))
        for job_id, strategy, limit_per_source in (
            await session.execute(
                select(ScanJobRow.scan_job_id, ScanJobRow.strategy, ScanJobRow.max_concurrency_per_source).where(
                    ScanJobRow.scan_job_id.in_({u.scan_job_id for u in units}),
                    ScanJobRow.state.in_(UNIT_OPEN),
                    ScanJobRow.blocked.is_(False),
                )
            )
        ).all()
    }
    return [
        Runnable(seq, source, rules_key, job_id, *jobs[job_id])
        for seq, source, rules_key, job_id in units
        if job_id in jobs
    ]


async def set_blocked(session: AsyncSession, job: ScanJobRow, blocked: bool) -> None:
    """Block or release a job: its PENDING units move to the back of the queue (BLOCKED_RANK) or to their
    priority's place."""
    job.blocked = blocked
    rank = BLOCKED_RANK if blocked else 10 - int(job.priority)
    await session.execute(
        update(WorkUnitRow)
        .where(WorkUnitRow.scan_job_id == job.scan_job_id, WorkUnitRow.state == PENDING)
        .values(queue_rank=rank)
        .execution_options(synchronize_session=False)
    )


async def users_of_source(session: AsyncSession, source_id: str, limit: int = 5) -> list[str]:
    """Names of unfinished jobs and of schedules that scan the data source (it may not be deleted)."""
    jobs = await session.scalars(
        select(ScanJobRow.scan_job_id)
        .where(ScanJobRow.state.in_(UNIT_OPEN), json_list_contains(ScanJobRow.data_sources, source_id))
        .order_by(ScanJobRow.seq)
        .limit(limit)
    )
    schedules = await session.scalars(
        select(ScheduleRow.schedule_id)
        .where(json_list_contains(ScheduleRow.data_sources, source_id))
        .order_by(ScheduleRow.seq)
        .limit(limit)
    )
    return [f"scanJobs/{j}" for j in jobs] + [f"schedules/{s}" for s in schedules]


async def blocked_jobs(session: AsyncSession) -> list[ScanJobRow]:
    """Open jobs waiting for dependencies."""
    stmt = select(ScanJobRow).where(ScanJobRow.blocked.is_(True), ScanJobRow.state.in_(UNIT_OPEN))
    return list((await session.scalars(stmt.order_by(ScanJobRow.seq))).all())


async def job_states(session: AsyncSession, job_ids: Sequence[str]) -> dict[str, str]:
    rows = await session.execute(
        select(ScanJobRow.scan_job_id, ScanJobRow.state).where(ScanJobRow.scan_job_id.in_(list(job_ids)))
    )
    return {str(job_id): str(state) for job_id, state in rows.all()}


async def last_scan_of(session: AsyncSession, unit: WorkUnitRow) -> WorkUnitRow | None:
    """The latest successful unit of another job over the same table (and partition) with the same rules:
    what an incremental rescan may reuse if the table's fingerprint is unchanged."""
    stmt = (
        select(WorkUnitRow)
        .where(
            WorkUnitRow.data_source_id == unit.data_source_id,
            WorkUnitRow.table_schema == unit.table_schema,
            WorkUnitRow.table_name == unit.table_name,
            WorkUnitRow.rules_key == unit.rules_key,
            WorkUnitRow.partition_index == unit.partition_index,
            WorkUnitRow.partition_count == unit.partition_count,
            WorkUnitRow.state == SUCCEEDED,
            WorkUnitRow.fingerprint != "",
            WorkUnitRow.scan_job_id != unit.scan_job_id,
        )
        .order_by(WorkUnitRow.seq.desc())
        .limit(1)
    )
    found = await session.scalar(stmt)
    if found is None or found.partition != unit.partition or found.table_spec != unit.table_spec:
        return None  # a re-planned partition or a changed schema is a different scan
    return found


async def copy_findings(session: AsyncSession, origin_seq: int, scan_job_id: str, unit_seq: int, now: datetime) -> int:
    """Carry the findings of unit `origin_seq` over to a unit that reused its scan; returns how many."""
    origin = list(
        await session.scalars(select(FindingRow).where(FindingRow.work_unit_seq == origin_seq).order_by(FindingRow.seq))
    )
    # Reviews belong to the finding reviewed, not to its copies; ids are new.
    skip = {"seq", "finding_id", "scan_job_id", "work_unit_seq", "verdict", "reviewer", "review_note", "review_time"}
    columns = [c.key for c in FindingRow.__table__.columns if c.key not in skip]
    for f in origin:
        values = {k: getattr(f, k) for k in columns}
        values.update(origin_scan_job=f.origin_scan_job or f.scan_job_id, create_time=now)
        add_finding(session, scan_job_id=scan_job_id, work_unit_seq=unit_seq, **values)
    return len(origin)


async def finding_ids_of_unit(session: AsyncSession, scan_job_id: str, unit_seq: int) -> list[str]:
    stmt = select(FindingRow.finding_id).where(
        FindingRow.scan_job_id == scan_job_id, FindingRow.work_unit_seq == unit_seq
    )
    return [str(f) for f in await session.scalars(stmt.order_by(FindingRow.seq))]


async def partitions_of(session: AsyncSession, unit: WorkUnitRow) -> list[WorkUnitRow]:
    """Every partition unit of the unit's table in its job, in partition order."""
    stmt = select(WorkUnitRow).where(
        WorkUnitRow.scan_job_id == unit.scan_job_id,
        WorkUnitRow.data_source_id == unit.data_source_id,
        WorkUnitRow.table_schema == unit.table_schema,
        WorkUnitRow.table_name == unit.table_name,
    )
    return sorted((await session.scalars(stmt)).all(), key=lambda u: u.partition_index)


async def get_unit(session: AsyncSession, seq: int) -> WorkUnitRow | None:
    return await session.scalar(
        select(WorkUnitRow).where(WorkUnitRow.seq == seq).execution_options(populate_existing=True)
    )


def add_execution(session: AsyncSession, **values: Any) -> ExecutionRow:
    row = ExecutionRow(execution_id=new_id(), **values)
    session.add(row)
    return row


def add_finding(session: AsyncSession, **values: Any) -> FindingRow:
    row = FindingRow(
        finding_id=new_id(),
        verdict="FEEDBACK_VERDICT_UNSPECIFIED",
        reviewer="",
        review_note="",
        review_time=None,
        **values,
    )
    session.add(row)
    return row


async def _page(
    session: AsyncSession,
    model: Any,
    fields: dict[str, FilterField],
    collection: str,
    scan_job_id: str | None,
    page_size: int | None,
    page_token: str | None,
    filter: str | None,
) -> tuple[list[Any], str]:
    """One keyset page of `model` rows, of one job or of every job (`scan_job_id` None)."""
    expr = parse_filter(filter or "")
    where = build_where(expr, fields)
    if scan_job_id is not None:
        scoped = model.scan_job_id == scan_job_id
        where = scoped if where is None else scoped & where
    query = fingerprint(f"scanJobs/{scan_job_id or '-'}/{collection}", canonical(expr))
    rows, last = await keyset_page(
        session, model, model.seq, where, page_size_or_default(page_size), decode_page_token(page_token, query)
    )
    return rows, encode_page_token(last, query) if last is not None else ""


async def list_findings(
    session: AsyncSession, scan_job_id: str | None, page_size: int | None, page_token: str | None, filter: str | None
) -> tuple[list[FindingRow], str]:
    """Findings of one job, or of every job for `scan_job_id` None."""
    return await _page(
        session, FindingRow, FINDING_FILTER_FIELDS, "findings", scan_job_id, page_size, page_token, filter
    )


async def get_finding(session: AsyncSession, scan_job_id: str, finding_id: str) -> FindingRow:
    row = await session.scalar(
        select(FindingRow).where(FindingRow.scan_job_id == scan_job_id, FindingRow.finding_id == finding_id)
    )
    if row is None:
        raise NotFoundError(f"scanJobs/{scan_job_id}/findings/{finding_id}")
    return row


async def add_feedback(
    session: AsyncSession, finding: FindingRow, verdict: str, reviewer: str, note: str
) -> FindingFeedbackRow:
    now = utcnow()
    feedback = FindingFeedbackRow(
        finding_id=finding.finding_id, verdict=verdict, reviewer=reviewer, note=note, create_time=now
    )
    session.add(feedback)
    finding.verdict, finding.reviewer, finding.review_note, finding.review_time = verdict, reviewer, note, now
    await session.flush()
    return feedback


async def feedback_of(session: AsyncSession, finding_id: str) -> list[FindingFeedbackRow]:
    stmt = (
        select(FindingFeedbackRow).where(FindingFeedbackRow.finding_id == finding_id).order_by(FindingFeedbackRow.seq)
    )
    return list((await session.scalars(stmt)).all())


async def list_executions(
    session: AsyncSession, scan_job_id: str | None, page_size: int | None, page_token: str | None, filter: str | None
) -> tuple[list[ExecutionRow], str]:
    """Executions of one job, or of every job for `scan_job_id` None."""
    return await _page(
        session, ExecutionRow, EXECUTION_FILTER_FIELDS, "executions", scan_job_id, page_size, page_token, filter
    )


async def get_execution(session: AsyncSession, scan_job_id: str, execution_id: str) -> ExecutionRow:
    row = await session.scalar(
        select(ExecutionRow).where(ExecutionRow.scan_job_id == scan_job_id, ExecutionRow.execution_id == execution_id)
    )
    if row is None:
        raise NotFoundError(f"scanJobs/{scan_job_id}/executions/{execution_id}")
    return row
