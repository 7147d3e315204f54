"""The orchestrator: plans jobs into durable work units and drives them through an executor.

Priority, per-source concurrency, dependencies, retries with exponential back-off and jitter, unit
timeouts and cancellation live here; an executor only runs `run_unit`. A unit's findings and execution
record are written in the transaction that marks it SUCCEEDED, so a crash loses at most the units in
flight, which go back to PENDING on the next start (`start()` -> `reset_running_units`).

A large table is planned as several partition units; each stores mergeable column statistics
(`engine.partials`) and the table's last partition to finish merges them into findings, in its own
transaction. A unit whose table fingerprint and rules are unchanged since the table's last successful
scan reuses that scan's results (incremental rescans) unless the job is `force`d.
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
from ..domain.resources import RuleSet, parse_rule_name
from ..engine.compiler import CompiledRuleSet, RuleSpec, builtin_rule_specs, compile_rules
from ..engine.partials import merge_partials
from ..persistence import data_sources as source_repo
from ..persistence import rule_sets as rule_set_repo
from ..persistence import rules as rule_repo
from ..persistence import scan_jobs as repo
from ..persistence.models import ScanJobRow, WorkUnitRow
from ..secretbox import SecretBox
from ..services.patterns import pattern_catalog
from . import planning
from .executors import Executor, LocalExecutor
from .worker import UnitSpec, table_from_spec

log = logging.getLogger("scanrules.orchestration")

DEFAULT_CONCURRENCY_PER_SOURCE = 2
WATCH_QUEUE_SIZE = 64
MAX_COMPILED = 32  # compiled rule set revisions kept in memory
SWEEP_SECONDS = 5.0
MAX_BACKOFF_SECONDS = 366 * 86_400  # policies are checked against it too; a bound here whatever is stored


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Event:
    kind: str  # STATE_CHANGED, PROGRESS, UNIT_FINISHED, FINDING
    detail: str = ""
    work_unit: str = ""
    terminal: bool = False
    finding: str = ""  # FINDING: the finding's id


@dataclass
class Compiled:
    key: str
    data: bytes
    ruleset: CompiledRuleSet = field(repr=False)
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
    try:
        delay = min(cap, base * multiplier ** max(0, attempt - 1))
    except OverflowError:
        delay = cap
    return float(min(delay, MAX_BACKOFF_SECONDS) * (0.5 + rng() / 2))


class Orchestrator:
    def __init__(
        self,
        db: Database,
        box: SecretBox,
        executors: dict[str, Executor] | None = None,
        *,
        default_executor: str = "local",
        workers: int = 2,
        tick: float = 0.25,
    ) -> None:
        self.db = db
        self.box = box
        self._executors: dict[str, Executor] = dict(executors or {})
        self.default_executor = default_executor
        self.workers = workers
        self.tick = tick
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._inflight: dict[int, InFlight] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._compiled: dict[str, Compiled] = {}
        self._watchers: dict[str, set[asyncio.Queue[Event]]] = {}
        self._last_sweep = 0.0
        self._dependencies_changed = False

    @property
    def executors(self) -> tuple[str, ...]:
        """Names of the executors jobs may ask for (`local` always: its pool starts on first use)."""
        return tuple(sorted({"local", *self._executors}))

    def executor_for(self, name: str) -> Executor:
        if name not in self._executors:
            if name != "local":
                raise KeyError(name)
            self._executors["local"] = LocalExecutor(self.workers)
        return self._executors[name]

    @property
    def capacity(self) -> int:
        """Units kept in flight: enough to keep every executor's workers busy."""
        workers = sum(e.workers for e in self._executors.values()) or self.workers
        return max(workers, self.workers) * 2

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
        for executor in self._executors.values():
            executor.shutdown()

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

    async def compiled(
        self, session: AsyncSession, key: str, *, rules: list[str] | None = None, include_builtin: bool = False
    ) -> Compiled:
        """The rules of a job compiled once per server: `key` is a rule set revision (immutable), or the
        ad hoc key of pinned `rules` (rule revisions are immutable too)."""
        cached = self._compiled.get(key)
        if cached is not None:
            return cached
        specs: list[RuleSpec] = []
        labels: dict[str, str] = {}
        threshold = 0.0
        if key.startswith("ruleSets/"):
            base, _, revision = key.removeprefix("ruleSets/").partition("@")
            rule_set = await rule_set_repo.get_rule_set(session, base, revision or None)
            threshold = float(rule_set.policy.get("confidence_threshold") or 0.0)
            rules, include_builtin = list(rule_set.rules), bool(rule_set.policy.get("include_builtin"))
        for pinned in rules or []:
            parsed = parse_rule_name(pinned)
            if parsed is None:
                continue
            rule = await rule_repo.get_rule(session, parsed[0], parsed[1])
            if not rule.is_active:
                continue
            specs.append(RuleSpec(pinned, rule.classification, rule.expression, rule.confidence_threshold or threshold))
            labels[pinned] = rule.sensitivity_label
        if include_builtin:
            specs.extend(builtin_rule_specs())
        patterns = await pattern_catalog(session)
        ruleset: CompiledRuleSet = await asyncio.to_thread(compile_rules, specs, patterns)
        compiled = Compiled(key, await asyncio.to_thread(ruleset.dumps), ruleset, labels)
        while len(self._compiled) >= MAX_COMPILED:
            self._compiled.pop(next(iter(self._compiled)))  # the oldest
        self._compiled[key] = compiled
        return compiled

    async def compiled_for(self, session: AsyncSession, job: ScanJobRow, rules_key: str) -> Compiled:
        key = planning.compile_key(rules_key)
        return await self.compiled(session, key, rules=list(job.rules), include_builtin=job.include_builtin)

    # ---- planning --------------------------------------------------------------------------------

    async def resolve_rule_set(self, session: AsyncSession, name: str, field: str = "scan_job.rule_set") -> RuleSet:
        """`ruleSets/x` -> its latest revision; `ruleSets/x@N` -> that one. NotFoundError otherwise."""
        if not name.startswith("ruleSets/"):
            raise InvalidArgumentError([Violation(field, "expected ruleSets/{rule_set}[@{revision}]")])
        base, _, revision = name.removeprefix("ruleSets/").partition("@")
        return await rule_set_repo.get_rule_set(session, base, revision or None)

    async def plan_units(
        self, session: AsyncSession, source_ids: list[str], policy: dict[str, Any], strategy: str
    ) -> list[repo.UnitPlan]:
        """Units of every discovered table of each source (after its include/exclude); large tables are split
        into partitions. ADAPTIVE orders and sizes them from the cost history (see `planning`)."""
        units: list[repo.UnitPlan] = []
        for source_id in source_ids:
            source = await source_repo.get_data_source(session, source_id)
            history = await planning.table_history(session, source_id) if strategy == "ADAPTIVE" else None
            rows_per_partition = planning.partition_rows(policy, strategy, history)
            tables = await planning.discover_partitioned(source, self.box, policy, rows_per_partition)
            if strategy == "ADAPTIVE":
                tables = planning.adaptive_order(tables, history)
            for table, partitions in tables:
                units.extend(planning.unit_plans(source_id, table, partitions))
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
            inflight = set(self._inflight)
            orphans = [u for u in await repo.running_units(session) if u.seq not in inflight]
            for unit in orphans:
                unit.state, unit.next_attempt_time = repo.PENDING, None
            released, failed = await self._check_dependencies(session)
            settled = []
            for job in await repo.open_jobs_without_open_units(session):
                state = await self._settle(session, job)
                if state:
                    settled.append((job.scan_job_id, state))
        for job_id, state in [*settled, *((j, repo.FAILED) for j in failed)]:
            self.publish(job_id, Event("STATE_CHANGED", state, terminal=True))
        if released:
            self.wake()
        if orphans:
            log.warning("event=orphan_units_requeued units=%d", len(orphans))

    async def _check_dependencies(self, session: AsyncSession) -> tuple[list[str], list[str]]:
        """Blocked jobs whose dependencies all succeeded are released; a dependency that ended otherwise
        fails the job with the reason. Returns (released, failed) job ids."""
        released: list[str] = []
        failed: list[str] = []
        for job in await repo.blocked_jobs(session):
            states = await repo.job_states(session, job.depends_on)
            bad = [(d, states.get(d, "DELETED")) for d in job.depends_on if states.get(d) != repo.SUCCEEDED]
            ended = [(d, state) for d, state in bad if state not in repo.UNIT_OPEN]
            if ended:
                dep, state = ended[0]
                await self._fail_in(session, job, f"dependency scanJobs/{dep} ended {state}")
                failed.append(job.scan_job_id)
            elif not bad:
                await repo.set_blocked(session, job, False)
                job.update_time = utcnow()
                released.append(job.scan_job_id)
        return released, failed

    async def _schedule(self) -> None:
        now = asyncio.get_running_loop().time()
        if now - self._last_sweep >= SWEEP_SECONDS or self._dependencies_changed:
            self._last_sweep = now
            self._dependencies_changed = False
            await self._sweep()
        capacity = self.capacity - len(self._inflight)
        if capacity <= 0:
            return
        async with self.db.transaction(write=False) as session:
            candidates = await repo.runnable_units(session, utcnow(), max(capacity * 20, 50))
        running: dict[tuple[str, str], int] = {}
        per_job: dict[str, int] = {}
        for flight in self._inflight.values():
            running[(flight.job_id, flight.source_id)] = running.get((flight.job_id, flight.source_id), 0) + 1
            per_job[flight.job_id] = per_job.get(flight.job_id, 0) + 1
        chosen: list[repo.Runnable] = []
        for unit in candidates:
            if len(chosen) >= capacity or unit.unit_seq in self._inflight:
                continue
            limit = unit.max_concurrency_per_source or DEFAULT_CONCURRENCY_PER_SOURCE
            if unit.strategy == "SEQUENTIAL" and per_job.get(unit.scan_job_id, 0) >= 1:
                continue
            key = (unit.scan_job_id, unit.data_source_id)
            if running.get(key, 0) >= limit:
                continue
            running[key] = running.get(key, 0) + 1
            per_job[unit.scan_job_id] = per_job.get(unit.scan_job_id, 0) + 1
            chosen.append(unit)
        for unit in chosen:
            await self._start_unit(unit.unit_seq, unit.scan_job_id, unit.rules_key)

    async def _start_unit(self, unit_seq: int, job_id: str, rules_key: str) -> None:
        try:
            if (
                planning.compile_key(rules_key) not in self._compiled
            ):  # compile outside the write transaction (after a restart)
                async with self.db.transaction(write=False) as session:
                    await self.compiled_for(session, await repo.get_job(session, job_id), rules_key)
            async with self.db.transaction() as session:
                job = await repo.get_job(session, job_id, lock=True)
                unit = await repo.get_unit(session, unit_seq)
                if unit is None or unit.state != repo.PENDING or job.state in repo.TERMINAL or job.blocked:
                    return
                compiled = await self.compiled_for(session, job, unit.rules_key)
                source = await source_repo.get_data_source(session, unit.data_source_id)
                previous = None if job.force else await repo.last_scan_of(session, unit)
                if previous is not None and unit.partition_count > 1 and previous.partial is None:
                    previous = None  # nothing to merge from: scan it
                now = utcnow()
                unit.state, unit.attempts, unit.start_time, unit.next_attempt_time = (
                    repo.RUNNING,
                    unit.attempts + 1,
                    now,
                    None,
                )
                became_running = job.state == repo.PENDING
                if became_running:  # only a state change touches the job row
                    job.state, job.update_time = repo.RUNNING, now
                    job.start_time = job.start_time or now
                policy = job.policy
                spec = UnitSpec(
                    unit_seq=unit_seq,
                    uri=source.uri,
                    password=self.box.open(source.secret) or None,
                    table=unit.table_spec,
                    sampling=planning.unit_sampling(policy, unit.partition_count),
                    compiled_key=compiled.key,
                    compiled=compiled.data,
                    partition=unit.partition,
                    partial=unit.partition_count > 1,
                    skip_if_fingerprint=previous.fingerprint if previous is not None else "",
                    reuse_unit=(previous.reused_from or previous.seq) if previous is not None else 0,
                )
                attempt, source_id, executor = unit.attempts, unit.data_source_id, job.executor
                table = table_label(unit)
                timeout = float(policy.get("unit_timeout_seconds") or 0.0)
        except ScanRulesError as exc:
            await self._fail_job(job_id, f"could not start a work unit: {exc}")
            return
        try:
            future = self.executor_for(executor).submit(spec)
        except Exception as exc:  # the unit is RUNNING in the database: record the failed attempt
            log.exception("event=submit_failed unit=%d", unit_seq)
            await self._finish(unit_seq, job_id, attempt, now, None, f"could not submit: {type(exc).__name__}: {exc}")
            return
        self._inflight[unit_seq] = InFlight(job_id, source_id, future)
        if became_running:
            self.publish(job_id, Event("STATE_CHANGED", "RUNNING"))
        self.publish(job_id, Event("PROGRESS", f"{table} started", unit_name(job_id, unit_seq)))
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
            job = await repo.get_job(session, job_id, lock=True)
            unit = await repo.get_unit(session, unit_seq)
            if unit is None or unit.state != repo.RUNNING:
                return
            source = f"dataSources/{unit.data_source_id}"
            common = {
                "scan_job_id": job_id,
                "work_unit_seq": unit_seq,
                "rule": job.rule_set or planning.compile_key(unit.rules_key),
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
                findings = await self._record_result(session, job, unit, result, ended)
                unit.state, unit.end_time, unit.error = repo.SUCCEEDED, ended, ""
                unit.rows_read = int(result["rows_read"])
                unit.fingerprint = str(result.get("fingerprint") or "")
                execution = repo.add_execution(
                    session, status="SUCCEEDED", **_stats(result), finding_count=findings, error="", **common
                )
                if unit.partition_count > 1:
                    await session.flush()
                    merged = await self._merge_partitions(session, job, unit, ended)
                    if merged is not None:  # the table's last partition: the table's findings are this unit's
                        execution.finding_count = merged
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
            watched = result is not None and bool(self._watchers.get(job_id))
            new_findings = await repo.finding_ids_of_unit(session, job_id, unit_seq) if watched else []
            table = table_label(unit)
            outcome = unit.state if not error else f"{unit.state}: {error}"
            terminal_state = await self._settle(session, job)
        name = unit_name(job_id, unit_seq)
        self.publish(job_id, Event("UNIT_FINISHED", f"{table} {outcome}", name))
        for finding_id in new_findings:
            self.publish(job_id, Event("FINDING", table, name, finding=finding_id))
        if terminal_state:
            self.publish(job_id, Event("STATE_CHANGED", terminal_state, terminal=True))
            self._dependencies_changed = True

    async def _record_result(
        self, session: AsyncSession, job: ScanJobRow, unit: WorkUnitRow, result: dict[str, Any], ended: datetime
    ) -> int:
        """Store a finished unit's results; returns the number of findings written."""
        if result.get("unchanged"):  # the scan `reuse_unit` (chosen at start) still describes the table
            origin_seq = int(result["reuse_unit"])
            unit.reused_from = origin_seq
            if unit.partition_count > 1:
                origin = await repo.get_unit(session, origin_seq)
                unit.partial = origin.partial if origin is not None else None
                return 0
            return await repo.copy_findings(session, origin_seq, job.scan_job_id, unit.seq, ended)
        if unit.partition_count > 1:
            unit.partial = result["partial"]
            return 0
        compiled = self._compiled.get(planning.compile_key(unit.rules_key))
        labels = compiled.labels if compiled is not None else {}
        source = f"dataSources/{unit.data_source_id}"
        for f in result["findings"]:
            repo.add_finding(session, **_finding_values(f, job, unit, source, labels, ended))
        return len(result["findings"])

    async def _merge_partitions(
        self, session: AsyncSession, job: ScanJobRow, unit: WorkUnitRow, ended: datetime
    ) -> int | None:
        """When every partition of the unit's table succeeded, merge their statistics into findings."""
        siblings = await repo.partitions_of(session, unit)
        if len(siblings) != unit.partition_count or any(s.state != repo.SUCCEEDED for s in siblings):
            return None
        compiled = await self.compiled_for(session, job, unit.rules_key)
        table = table_from_spec(unit.table_spec)
        partials = [s.partial for s in siblings if s.partial is not None]
        result = await asyncio.to_thread(merge_partials, compiled.ruleset, table.qualified, table.columns, partials)
        source = f"dataSources/{unit.data_source_id}"
        strategy = planning.unit_sampling(job.policy, unit.partition_count)["strategy"]
        for finding in result.findings:
            values = {**finding.to_dict(), "sampling_strategy": strategy}
            values["column_type"] = next((c.type for c in table.columns if c.name == finding.column), "")
            repo.add_finding(session, **_finding_values(values, job, unit, source, compiled.labels, ended))
        return len(result.findings)

    async def _settle(self, session: AsyncSession, job: ScanJobRow) -> str:
        """Move the job to its terminal state once no unit is open; the new state, or ""."""
        if job.state in repo.TERMINAL or await repo.has_open_units(session, job.scan_job_id):
            return ""
        counts = await repo.counts(session, job.scan_job_id)
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
            job = await repo.get_job(session, job_id, lock=True)
            if job.state in repo.TERMINAL:
                return
            await self._fail_in(session, job, message)
        self.publish(job_id, Event("STATE_CHANGED", repo.FAILED, terminal=True))
        self._dependencies_changed = True

    @staticmethod
    async def _fail_in(session: AsyncSession, job: ScanJobRow, message: str) -> None:
        now = utcnow()
        for unit in await repo.units_of(session, job.scan_job_id, [repo.PENDING]):
            unit.state, unit.end_time, unit.error = repo.FAILED, now, message
        job.state, job.error_message, job.end_time, job.update_time = repo.FAILED, message, now, now
        job.blocked = False

    def cancel_inflight(self, job_id: str) -> None:
        """Cancel units of the job not yet started by a worker; running ones finish and are discarded."""
        for flight in list(self._inflight.values()):
            if flight.job_id == job_id:
                flight.future.cancel()


def table_label(unit: WorkUnitRow) -> str:
    """`dataSources/shop: public.customers` (with `#2/8` for a partition), for watchers and logs."""
    qualified = f"{unit.table_schema}.{unit.table_name}" if unit.table_schema else unit.table_name
    part = f" #{unit.partition_index + 1}/{unit.partition_count}" if unit.partition_count > 1 else ""
    return f"dataSources/{unit.data_source_id}: {qualified}{part}"


def unit_name(job_id: str, unit_seq: int) -> str:
    return f"scanJobs/{job_id}/workUnits/{unit_seq}"


def _finding_values(
    f: dict[str, Any], job: ScanJobRow, unit: WorkUnitRow, source: str, labels: dict[str, str], ended: datetime
) -> dict[str, Any]:
    return {
        "scan_job_id": job.scan_job_id,
        "work_unit_seq": unit.seq,
        "data_source": source,
        "table_name": f["table"],
        "column_name": f["column"],
        "column_type": f.get("column_type", ""),
        "classification": f["classification"],
        "confidence": float(f["confidence"]),
        "match_ratio": float(f["match_ratio"]),
        "validated_ratio": float(f["validated_ratio"]),
        "validated_estimated": bool(f["validated_estimated"]),
        "sampled": int(f["sampled"]),
        "non_null": int(f["non_null"]),
        "distinct": int(f["distinct"]),
        "matched": int(f["matched"]),
        "validated": int(f["validated"]),
        "sampling_strategy": str(f.get("sampling_strategy", "")),
        "explanation": f["explanation"],
        "evidence": list(f.get("evidence") or []),
        "rule": f["rule"],
        "rule_set_revision": job.rule_set,
        "sensitivity_label": labels.get(f["rule"], ""),
        "origin_scan_job": "",
        "create_time": ended,
    }


def _stats(result: dict[str, Any] | None) -> dict[str, Any]:
    if result is None:
        return {"rows_read": 0, "matches": 0, "cpu_seconds": 0.0, "peak_memory_bytes": 0}
    return {
        "rows_read": int(result["rows_read"]),
        "matches": sum(int(f["validated"]) for f in result.get("findings") or ()),
        "cpu_seconds": float(result["cpu_seconds"]),
        "peak_memory_bytes": int(result["peak_memory_bytes"]),
    }
