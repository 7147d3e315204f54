"""The scheduler: creates the scan jobs of due schedules.

Every few seconds (and when woken) `tick()` reads the schedules whose `next_run_time` has passed and fires
each one: the job is created through `jobs.submit_job` (so it is checked and planned like any other job),
and in the SAME transaction the schedule is locked, checked to be still due for that fire time, and moved
on (`last_run_time`, `last_scan_job`, `next_run_time`). Both commit together or not at all. The job's id
and request id are derived from the schedule and the fire time, so a crash, a retry or a second server on
the same database never makes two jobs for one fire time.

`next_run_time` moves to the first fire time after *now*: runs missed while the server was down fire
once, not as a burst. A scheduled job is an incremental rescan (`force=False`): unchanged tables reuse
their last results. When a job cannot be created (e.g. a data source was deleted) the error is logged and
audited (principal `system:scheduler`, outcome the status code) and the schedule still moves on.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ..api.context import Database
from ..api.errors import clip, code_for
from ..domain.errors import ScanRulesError
from ..persistence import audit as audit_repo
from ..persistence import schedules as repo
from ..persistence.models import ScanJobRow
from .jobs import JobRequest, submit_job
from .orchestrator import Orchestrator

log = logging.getLogger("scanrules.scheduler")

#: The audit principal and "rpc" of the jobs the scheduler creates (or fails to).
SCHEDULER_PRINCIPAL = "system:scheduler"
RPC_FIRE = "scanrules scheduler (fire)"
POLL_SECONDS = 2.0

#: Returns the current time as an aware UTC datetime; injectable so tests move time without sleeping.
Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def fire_request_id(schedule_id: str, fire_time: datetime) -> str:
    """The request id of the job for one fire time: the same on every attempt."""
    return f"schedule:{schedule_id}:{fire_time.astimezone(UTC).isoformat()}"


def scheduled_job_id(schedule_id: str, fire_time: datetime) -> str:
    """`{schedule}-{yyyymmdd}t{hhmm}` (UTC); a long schedule id is cut and a hash of it keeps it unique."""
    stamp = fire_time.astimezone(UTC).strftime("%Y%m%dt%H%M")
    if len(schedule_id) <= 63 - 1 - len(stamp):
        return f"{schedule_id}-{stamp}"
    digest = hashlib.sha256(schedule_id.encode()).hexdigest()[:8]
    return f"{schedule_id[:40]}-{digest}-{stamp}"


@dataclass(frozen=True)
class Fired:
    """What one fire did: the job created (its id), or the error; `skipped` when someone else fired it or the
    schedule changed in between."""

    schedule_id: str
    fire_time: datetime
    scan_job_id: str = ""
    error: str = ""
    skipped: bool = False


class _NoLongerDue(Exception):
    """Raised in the creating transaction to roll the job back: the schedule changed or fired meanwhile."""


class Scheduler:
    def __init__(
        self, db: Database, orchestrator: Orchestrator, clock: Clock = utcnow, *, interval: float = POLL_SECONDS
    ) -> None:
        self.db = db
        self.orchestrator = orchestrator
        self.clock = clock
        self.interval = interval
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    def now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("the scheduler's clock must return an aware datetime")
        return now.astimezone(UTC)

    # ---- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="scanrules-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self) -> None:
        """Look for due schedules now rather than at the next poll (a schedule was created or changed)."""
        self._wake.set()

    async def _loop(self) -> None:
        while True:
            try:
                fired = await self.tick()
                if len(fired) >= repo.DUE_BATCH and any(not f.skipped for f in fired):
                    continue  # a full batch made progress: more may be due, no pause
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("event=scheduler_tick_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()

    # ---- firing ----------------------------------------------------------------------------------

    async def tick(self) -> list[Fired]:
        """Fire every schedule due now (by the clock), one transaction each; returns what happened."""
        async with self._lock:
            now = self.now()
            async with self.db.transaction(write=False) as session:
                due = await repo.due(session, now)
            return [await self._fire(schedule, now) for schedule in due]

    async def _fire(self, schedule: repo.Schedule, now: datetime) -> Fired:
        fire_time = schedule.next_run_time
        assert fire_time is not None  # `due` returns schedules with a next run time
        schedule_id = schedule.schedule_id
        request_id = fire_request_id(schedule_id, fire_time)
        req = JobRequest(
            job_id=scheduled_job_id(schedule_id, fire_time),
            source_ids=list(schedule.data_sources),
            rule_set=schedule.rule_set,  # unpinned: the latest revision now; pinned stays pinned
            display_name=schedule.display_name or schedule.name,
            priority=schedule.priority,
            force=False,  # an incremental rescan
            schedule=schedule_id,
            request_id=request_id,
            field_prefix="schedule",
        )
        recorded: list[repo.Schedule] = []

        async def on_create(session: AsyncSession, job: ScanJobRow) -> None:
            moved = await repo.record_fire(session, schedule_id, fire_time, now=now, scan_job_id=job.scan_job_id)
            if moved is None:
                raise _NoLongerDue
            recorded.append(moved)
            await self._audit(session, schedule.name, request_id, "OK")

        try:
            job, _ = await submit_job(self.db, self.orchestrator, req, on_create)
        except _NoLongerDue:
            log.info("event=schedule_fire_skipped schedule=%s fire_time=%s", schedule_id, fire_time.isoformat())
            return Fired(schedule_id, fire_time, skipped=True)
        except Exception as exc:
            return await self._failed(schedule, fire_time, now, request_id, exc)
        if not recorded:
            # The job already existed (another server, or a retry after a crash): it moved the schedule on in
            # the transaction that created the job; make sure (a no-op when it did).
            async with self.db.transaction() as session:
                await repo.record_fire(session, schedule_id, fire_time, now=now, scan_job_id=job.scan_job_id)
            return Fired(schedule_id, fire_time, job.scan_job_id, skipped=True)
        log.info(
            "event=schedule_fired schedule=%s fire_time=%s scan_job=%s next_run_time=%s",
            schedule_id,
            fire_time.isoformat(),
            job.scan_job_id,
            recorded[0].next_run_time.isoformat() if recorded[0].next_run_time else "",
        )
        return Fired(schedule_id, fire_time, job.scan_job_id)

    async def _failed(
        self, schedule: repo.Schedule, fire_time: datetime, now: datetime, request_id: str, exc: Exception
    ) -> Fired:
        """The job could not be created: log and audit it, and still move the schedule on (no retry storm)."""
        if isinstance(exc, ScanRulesError):
            outcome, message = code_for(exc).name, clip(str(exc) or exc.reason, 300)
            log.warning(
                "event=schedule_fire_failed schedule=%s fire_time=%s outcome=%s reason=%s error=%r",
                schedule.schedule_id,
                fire_time.isoformat(),
                outcome,
                exc.reason,
                message,
            )
        else:
            outcome, message = "INTERNAL", type(exc).__name__
            log.exception(
                "event=schedule_fire_failed schedule=%s fire_time=%s outcome=INTERNAL",
                schedule.schedule_id,
                fire_time.isoformat(),
            )
        try:
            async with self.db.transaction() as session:
                moved = await repo.record_fire(session, schedule.schedule_id, fire_time, now=now, scan_job_id=None)
                if moved is not None:
                    await self._audit(session, schedule.name, request_id, outcome)
        except Exception:
            log.exception("event=schedule_advance_failed schedule=%s", schedule.schedule_id)
            moved = None
        return Fired(schedule.schedule_id, fire_time, error=message, skipped=moved is None)

    async def _audit(self, session: AsyncSession, resource: str, request_id: str, outcome: str) -> None:
        await audit_repo.append_event(
            session,
            principal=SCHEDULER_PRINCIPAL,
            rpc=RPC_FIRE,
            resource=resource,
            request_id=request_id,
            outcome=outcome,
        )
