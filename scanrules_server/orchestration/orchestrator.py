"""The orchestrator: plans jobs into durable work units and drives them through an executor.

Priority, per-source concurrency, retries with exponential back-off and jitter, unit timeouts and
cancellation live here; the executor only runs `run_unit`. A unit's findings and execution record are
written in the transaction that marks it SUCCEEDED, so a crash loses at most the units in flight, which go
back to PENDING on the next start (`start()` -> `reset_running_units`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ..api.context import Database
from ..domain.errors import InvalidArgumentError, ScanRulesError, Violation
from ..domain.resources import parse_rule_name, rule_set_name
from ..engine.compiler import CompiledRuleSet, RuleSpec, builtin_rule_specs, compile_rules
from ..persistence import data_sources as source_repo
from ..persistence import rule_sets as rule_set_repo
from ..persistence import rules as rule_repo
from ..persistence import scan_jobs as repo
from ..persistence.models import ScanJobRow, WorkUnitRow
from ..secretbox import SecretBox
from ..services.data_sources import discover
from ..services.patterns import pattern_catalog
from .executors import Executor, LocalExecutor
from .worker import UnitSpec, table_to_spec

log = logging.getLogger("scanrules.orchestration")

DEFAULT_CONCURRENCY_PER_SOURCE = 2
WATCH_QUEUE_SIZE = 64
MAX_COMPILED = 32  # compiled rule set revisions kept in memory
SWEEP_SECONDS = 5.0


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Event:
    kind: str  # STATE_CHANGED, PROGRESS, UNIT_FINISHED
    detail: str = ""
    work_unit: str = ""
    terminal: bool = False


@dataclass
class Compiled:
    key: str
    data: bytes
    labels: dict[str, str] = field(default_factory=dict)  # rule name -> sensitivity label


@dataclass
class InFlight:
    job_id: str
    source_id: str
    future: Any


def backoff_seconds(retry: dict[str, Any], attempt: int, rng: Callable[[], float] = random.random) -> float:
    """Exponential back-off with jitter: base * multiplier^(attempt-1), capped, times a factor in [0.5, 1)."""
    base = float(retry.get("initial_backoff_seconds") or 1.0)
    cap = float(retry.get("max_backoff_seconds") or 60.0)
    multiplier = float(retry.get("backoff_multiplier") or 2.0)
    return float(min(cap, base * multiplier ** max(0, attempt - 1)) * (0.5 + rng() / 2))


class Orchestrator:
    def __init__(
        self, db: Database, box: SecretBox, executor: Executor | None = None, *, workers: int = 2, tick: float = 0.25
    ) -> None:
        self.db = db
        self.box = box
        self._executor = executor
        self.workers = workers
        self.tick = tick
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._inflight: dict[int, InFlight] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._compiled: dict[str, Compiled] = {}
        self._watchers: dict[str, set[asyncio.Queue[Event]]] = {}
        self._last_sweep = 0.0

    @property
    def executor(self) -> Executor:
        if self._executor is None:
            self._executor = LocalExecutor(self.workers)
        return self._executor

    # ---- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        async with self.db.transaction() as session:
            await self._resume(session)
        self._task = asyncio.create_task(self._loop(), name="scanrules-orchestrator")

    async def _resume(self, session: AsyncSession) -> None:
        # Units RUNNING in a job already terminal (cancelled) are done with; the rest rerun.
        finished_jobs = repo.select_job_ids(sorted(repo.TERMINAL))
        await session.execute(
            update(WorkUnitRow)
            .where(WorkUnitRow.state == repo.RUNNING, WorkUnitRow.scan_job_id.in_(finished_jobs))
            .values(state=repo.CANCELLED)
            .execution_options(synchronize_session=False)
        )
        resumed = await repo.reset_running_units(session)
        if resumed:
            log.info("event=resume units=%d", resumed)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for task in list(self._tasks):
            task.cancel()
        if self._executor is not None:
            self._executor.shutdown()

    def wake(self) -> None:
        self._wake.set()

    # ---- watchers --------------------------------------------------------------------------------

    def subscribe(self, job_id: str) -> asyncio.Queue[Event]:
        queue: asyncio.Queue[Event] = asyncio.Queue(WATCH_QUEUE_SIZE)
        self._watchers.setdefault(job_id, set()).add(queue)
        return queue

    def unsubscribe(self, job_id: str, queue: asyncio.Queue[Event]) -> None:
        queues = self._watchers.get(job_id)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self._watchers[job_id]

    def publish(self, job_id: str, event: Event) -> None:
        """Never blocks: a full queue drops progress events (watchers re-read the job), never a terminal one."""
        for queue in self._watchers.get(job_id, ()):
            if queue.full():
                if not event.terminal:
                    continue
                while not queue.empty():
                    queue.get_nowait()
            queue.put_nowait(event)

    # ---- compiling -------------------------------------------------------------------------------

    async def compiled(self, session: AsyncSession, rule_set_revision: str) -> Compiled:
        """The rule set revision compiled once per server (revisions are immutable)."""
        cached = self._compiled.get(rule_set_revision)
        if cached is not None:
            return cached
        base, _, revision = rule_set_revision.removeprefix("ruleSets/").partition("@")
        rule_set = await rule_set_repo.get_rule_set(session, base, revision or None)
        specs: list[RuleSpec] = []
        labels: dict[str, str] = {}
        threshold = float(rule_set.policy.get("confidence_threshold") or 0.0)
        for pinned in rule_set.rules:
            parsed = parse_rule_name(pinned)
            if parsed is None:
                continue
            rule = await rule_repo.get_rule(session, parsed[0], parsed[1])
            if not rule.is_active:
                continue
            specs.append(RuleSpec(pinned, rule.classification, rule.expression, rule.confidence_threshold or threshold))
            labels[pinned] = rule.sensitivity_label
        if rule_set.policy.get("include_builtin"):
            specs.extend(builtin_rule_specs())
        patterns = await pattern_catalog(session)
        ruleset: CompiledRuleSet = await asyncio.to_thread(compile_rules, specs, patterns)
        compiled = Compiled(rule_set_revision, await asyncio.to_thread(ruleset.dumps), labels)
        while len(self._compiled) >= MAX_COMPILED:
            self._compiled.pop(next(iter(self._compiled)))  # the oldest
        self._compiled[rule_set_revision] = compiled
        return compiled

    # ---- planning --------------------------------------------------------------------------------

    async def resolve_rule_set(self, session: AsyncSession, name: str) -> str:
        """`ruleSets/x` -> `ruleSets/x@<latest>`; `ruleSets/x@N` checked. NotFoundError otherwise."""
        if not name.startswith("ruleSets/"):
            raise InvalidArgumentError([Violation("scan_job.rule_set", "expected ruleSets/{rule_set}[@{revision}]")])
        base, _, revision = name.removeprefix("ruleSets/").partition("@")
        rule_set = await rule_set_repo.get_rule_set(session, base, revision or None)
        return rule_set_name(rule_set.rule_set_id, rule_set.revision_id)

    async def plan_units(self, session: AsyncSession, source_ids: list[str]) -> list[repo.UnitPlan]:
        """One unit per discovered table of each source (after its include/exclude)."""
        units: list[repo.UnitPlan] = []
        for source_id in source_ids:
            source = await source_repo.get_data_source(session, source_id)
            tables = await discover(source, self.box)
            for table in tables:  # already narrowed by the source's include/exclude
                units.append(repo.UnitPlan(source_id, table.schema, table.name, table_to_spec(table)))
        return units

    # ---- the scheduling loop ---------------------------------------------------------------------

    async def _loop(self) -> None:
        while True:
            try:
                await self._schedule()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("event=schedule_failed")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.tick)

    async def _sweep(self) -> None:
        """Units RUNNING in the database but not in flight here (their finish failed) go back to PENDING;
        unfinished jobs without open units are settled. Safe with one orchestrator per database."""
        async with self.db.transaction() as session:
            await repo.lock_jobs(session)
            inflight = set(self._inflight)
            orphans = [u for u in await repo.running_units(session) if u.seq not in inflight]
            for unit in orphans:
                unit.state, unit.next_attempt_time = repo.PENDING, None
            settled = []
            for job in await repo.open_jobs_without_open_units(session):
                state = await self._settle(session, job)
                if state:
                    settled.append((job.scan_job_id, state))
        for job_id, state in settled:
            self.publish(job_id, Event("STATE_CHANGED", state, terminal=True))
        if orphans:
            log.warning("event=orphan_units_requeued units=%d", len(orphans))

    async def _schedule(self) -> None:
        now = asyncio.get_running_loop().time()
        if now - self._last_sweep >= SWEEP_SECONDS:
            self._last_sweep = now
            await self._sweep()
        capacity = self.workers * 2 - len(self._inflight)
        if capacity <= 0:
            return
        async with self.db.transaction(write=False) as session:
            candidates = await repo.runnable_units(session, utcnow(), max(capacity * 20, 50))
        running: dict[tuple[str, str], int] = {}
        per_job: dict[str, int] = {}
        for flight in self._inflight.values():
            running[(flight.job_id, flight.source_id)] = running.get((flight.job_id, flight.source_id), 0) + 1
            per_job[flight.job_id] = per_job.get(flight.job_id, 0) + 1
        chosen: list[tuple[WorkUnitRow, ScanJobRow]] = []
        for unit, job in candidates:
            if len(chosen) >= capacity or unit.seq in self._inflight:
                continue
            limit = job.max_concurrency_per_source or DEFAULT_CONCURRENCY_PER_SOURCE
            if job.strategy == "SEQUENTIAL" and per_job.get(job.scan_job_id, 0) >= 1:
                continue
            key = (job.scan_job_id, unit.data_source_id)
            if running.get(key, 0) >= limit:
                continue
            running[key] = running.get(key, 0) + 1
            per_job[job.scan_job_id] = per_job.get(job.scan_job_id, 0) + 1
            chosen.append((unit, job))
        for unit, job in chosen:
            await self._start_unit(unit.seq, job.scan_job_id, job.rule_set)

    async def _start_unit(self, unit_seq: int, job_id: str, rule_set: str) -> None:
        try:
            if rule_set not in self._compiled:  # compile outside the write transaction (after a restart)
                async with self.db.transaction(write=False) as session:
                    await self.compiled(session, rule_set)
            async with self.db.transaction() as session:
                await repo.lock_jobs(session)
                job = await repo.get_job(session, job_id, lock=True)
                unit = await repo.get_unit(session, unit_seq)
                if unit is None or unit.state != repo.PENDING or job.state in repo.TERMINAL:
                    return
                compiled = await self.compiled(session, job.rule_set)
                source = await source_repo.get_data_source(session, unit.data_source_id)
                now = utcnow()
                unit.state, unit.attempts, unit.start_time, unit.next_attempt_time = (
                    repo.RUNNING,
                    unit.attempts + 1,
                    now,
                    None,
                )
                became_running = job.state == repo.PENDING
                if became_running:
                    job.state = repo.RUNNING
                job.start_time = job.start_time or now
                job.update_time = now
                policy = job.policy
                strategy = policy.get("sampling_strategy") or "RANDOM"
                sampling = {
                    "strategy": strategy,
                    "rows": int(policy.get("sample_size") or 0),
                    "percent": float(policy.get("sample_percent") or 0.0),
                }
                spec = UnitSpec(
                    unit_seq=unit_seq,
                    uri=source.uri,
                    password=self.box.open(source.secret) or None,
                    table=unit.table_spec,
                    sampling=sampling,
                    compiled_key=compiled.key,
                    compiled=compiled.data,
                )
                attempt, source_id = unit.attempts, unit.data_source_id
                timeout = float(policy.get("unit_timeout_seconds") or 0.0)
        except ScanRulesError as exc:
            await self._fail_job(job_id, f"could not start a work unit: {exc}")
            return
        try:
            future = self.executor.submit(spec)
        except Exception as exc:  # the unit is RUNNING in the database: record the failed attempt
            log.exception("event=submit_failed unit=%d", unit_seq)
            await self._finish(unit_seq, job_id, attempt, now, None, f"could not submit: {type(exc).__name__}: {exc}")
            return
        self._inflight[unit_seq] = InFlight(job_id, source_id, future)
        if became_running:
            self.publish(job_id, Event("STATE_CHANGED", "RUNNING"))
        self.publish(job_id, Event("PROGRESS", "unit started", unit_name(job_id, unit_seq)))
        task = asyncio.create_task(self._await_unit(unit_seq, job_id, attempt, future, now, timeout))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _await_unit(
        self, unit_seq: int, job_id: str, attempt: int, future: Any, started: datetime, timeout: float
    ) -> None:
        result: dict[str, Any] | None = None
        error = ""
        try:
            waiting = asyncio.wrap_future(future)
            result = await (asyncio.wait_for(waiting, timeout) if timeout > 0 else waiting)
        except TimeoutError:
            error = f"timed out after {timeout:g} s"
        except asyncio.CancelledError:
            if future.cancelled():
                error = "cancelled"
            else:
                raise
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:2000]
        try:
            await self._finish(unit_seq, job_id, attempt, started, result, error)
        except Exception:
            log.exception("event=finish_failed unit=%d", unit_seq)
        finally:
            self._inflight.pop(unit_seq, None)
            self.wake()

    async def _finish(
        self, unit_seq: int, job_id: str, attempt: int, started: datetime, result: dict[str, Any] | None, error: str
    ) -> None:
        ended = utcnow()
        terminal_state = ""
        async with self.db.transaction() as session:
            await repo.lock_jobs(session)
            job = await repo.get_job(session, job_id, lock=True)
            unit = await repo.get_unit(session, unit_seq)
            if unit is None or unit.state != repo.RUNNING:
                return
            source = f"dataSources/{unit.data_source_id}"
            common = {
                "scan_job_id": job_id,
                "work_unit_seq": unit_seq,
                "rule": job.rule_set,
                "data_source": source,
                "attempt": attempt,
                "start_time": started,
                "end_time": ended,
                "duration_seconds": (ended - started).total_seconds(),
            }
            if job.state == repo.CANCELLED:
                unit.state, unit.end_time = repo.CANCELLED, ended
                repo.add_execution(session, status="CANCELLED", **_stats(None), finding_count=0, error="", **common)
            elif result is not None:
                labels = self._compiled[job.rule_set].labels if job.rule_set in self._compiled else {}
                for f in result["findings"]:
                    repo.add_finding(
                        session,
                        scan_job_id=job_id,
                        work_unit_seq=unit_seq,
                        data_source=source,
                        table_name=f["table"],
                        column_name=f["column"],
                        column_type=f.get("column_type", ""),
                        classification=f["classification"],
                        confidence=float(f["confidence"]),
                        match_ratio=float(f["match_ratio"]),
                        validated_ratio=float(f["validated_ratio"]),
                        validated_estimated=bool(f["validated_estimated"]),
                        sampled=int(f["sampled"]),
                        non_null=int(f["non_null"]),
                        distinct=int(f["distinct"]),
                        matched=int(f["matched"]),
                        validated=int(f["validated"]),
                        sampling_strategy=str(f.get("sampling_strategy", "")),
                        explanation=f["explanation"],
                        evidence=list(f.get("evidence") or []),
                        rule=f["rule"],
                        rule_set_revision=job.rule_set,
                        sensitivity_label=labels.get(f["rule"], ""),
                        create_time=ended,
                    )
                unit.state, unit.end_time, unit.error = repo.SUCCEEDED, ended, ""
                unit.rows_read = int(result["rows_read"])
                repo.add_execution(
                    session,
                    status="SUCCEEDED",
                    **_stats(result),
                    finding_count=len(result["findings"]),
                    error="",
                    **common,
                )
            else:
                retry = job.policy.get("retry_policy") or {}
                max_attempts = int(retry.get("max_attempts") or 1)
                repo.add_execution(session, status="FAILED", **_stats(None), finding_count=0, error=error, **common)
                unit.error = error
                if attempt < max_attempts and error != "cancelled":
                    unit.state = repo.PENDING
                    unit.next_attempt_time = ended + timedelta(seconds=backoff_seconds(retry, attempt))
                else:
                    unit.state, unit.end_time = repo.FAILED, ended
            await session.flush()
            terminal_state = await self._settle(session, job)
        self.publish(job_id, Event("UNIT_FINISHED", error or "unit finished", unit_name(job_id, unit_seq)))
        if terminal_state:
            self.publish(job_id, Event("STATE_CHANGED", terminal_state, terminal=True))

    async def _settle(self, session: AsyncSession, job: ScanJobRow) -> str:
        """Move the job to its terminal state once no unit is open; the new state, or ""."""
        if job.state in repo.TERMINAL:
            return ""
        counts = await repo.counts(session, job.scan_job_id)
        if counts.of(repo.PENDING) or counts.of(repo.RUNNING):
            return ""
        failed, succeeded = counts.of(repo.FAILED), counts.of(repo.SUCCEEDED)
        if failed == 0:
            job.state = repo.SUCCEEDED
        else:
            job.state = repo.FAILED if succeeded == 0 else repo.PARTIALLY_SUCCEEDED
            errors = [u.error for u in await repo.units_of(session, job.scan_job_id, [repo.FAILED]) if u.error]
            job.error_message = f"{failed} of {counts.total} work units failed" + (
                f"; first: {errors[0]}" if errors else ""
            )
        job.end_time = job.update_time = utcnow()
        return job.state

    async def _fail_job(self, job_id: str, message: str) -> None:
        async with self.db.transaction() as session:
            await repo.lock_jobs(session)
            job = await repo.get_job(session, job_id, lock=True)
            if job.state in repo.TERMINAL:
                return
            now = utcnow()
            for unit in await repo.units_of(session, job_id, [repo.PENDING]):
                unit.state, unit.end_time, unit.error = repo.FAILED, now, message
            job.state, job.error_message, job.end_time, job.update_time = repo.FAILED, message, now, now
        self.publish(job_id, Event("STATE_CHANGED", repo.FAILED, terminal=True))

    def cancel_inflight(self, job_id: str) -> None:
        """Cancel units of the job not yet started by a worker; running ones finish and are discarded."""
        for flight in list(self._inflight.values()):
            if flight.job_id == job_id:
                flight.future.cancel()


def unit_name(job_id: str, unit_seq: int) -> str:
    return f"scanJobs/{job_id}/workUnits/{unit_seq}"


def _stats(result: dict[str, Any] | None) -> dict[str, Any]:
    if result is None:
        return {"rows_read": 0, "matches": 0, "cpu_seconds": 0.0, "peak_memory_bytes": 0}
    return {
        "rows_read": int(result["rows_read"]),
        "matches": sum(int(f["validated"]) for f in result["findings"]),
        "cpu_seconds": float(result["cpu_seconds"]),
        "peak_memory_bytes": int(result["peak_memory_bytes"]),
    }
