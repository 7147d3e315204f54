"""OrchestrationService: scan jobs, work-unit progress, findings, executions and feedback (issue 5).

Mixed into `orchestration.OrchestrationServicer`, which provides `db`, `box` and `orchestrator`.
Schedules are in `schedules.py` (their jobs come through `submit_job` too, from `orchestration.scheduler`).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from scanrules.v1 import execution_pb2, finding_pb2, orchestration_service_pb2, rule_set_pb2, scan_job_pb2
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.errors import FailedPreconditionError, InvalidArgumentError, ScanRulesError, Violation
from ..domain.resources import is_valid_resource_id
from ..orchestration.jobs import JobRequest, submit_job
from ..orchestration.orchestrator import Event, Orchestrator
from ..persistence import scan_jobs as repo
from ..persistence.idempotency import check_request_id
from ..persistence.models import ExecutionRow, FindingRow, ScanJobRow
from .audit import ORCHESTRATION_SERVICE, audit, audited, rpc_name
from .context import Ctx, Database, check_order_by, resource_id
from .convert import duration, explanation, policy_from_proto, policy_to_proto, timestamp
from .errors import abort_with, mapped_errors, status_for
from .principal import current_principal

_audited = audited(ORCHESTRATION_SERVICE)
_STRATEGIES = {"STRATEGY_UNSPECIFIED": "ADAPTIVE", "STRATEGY_PARALLEL": "PARALLEL"}
_STRATEGIES |= {"STRATEGY_SEQUENTIAL": "SEQUENTIAL", "STRATEGY_ADAPTIVE": "ADAPTIVE"}
_VERDICTS = ("FEEDBACK_VERDICT_CONFIRMED", "FEEDBACK_VERDICT_REJECTED")


def _rpc(method: str) -> str:
    return rpc_name(ORCHESTRATION_SERVICE, method)


def job_to_proto(job: ScanJobRow, counts: repo.JobCounts) -> scan_job_pb2.ScanJob:
    finished = counts.of(repo.SUCCEEDED) + counts.of(repo.FAILED) + counts.of(repo.CANCELLED)
    progress = 100.0 if job.state in repo.TERMINAL else (100.0 * finished / counts.total if counts.total else 0.0)
    message = scan_job_pb2.ScanJob(
        name=f"scanJobs/{job.scan_job_id}",
        display_name=job.display_name,
        rule_set=job.rule_set,
        data_sources=[f"dataSources/{s}" for s in job.data_sources],
        priority=job.priority,
        state=f"STATE_{job.state}",
        progress_percent=progress,
        units_total=counts.total,
        units_succeeded=counts.of(repo.SUCCEEDED),
        units_failed=counts.of(repo.FAILED),
        units_running=counts.of(repo.RUNNING),
        finding_count=counts.findings,
        rows_scanned=counts.rows,
        create_time=timestamp(job.create_time),
        start_time=timestamp(job.start_time),
        end_time=timestamp(job.end_time),
        strategy=f"STRATEGY_{job.strategy}",
        max_concurrency_per_source=job.max_concurrency_per_source,
        executor=job.executor,
        error_message=job.error_message,
        retry_count=job.retry_count,
        labels=job.labels,
        rules=job.rules,
        schedule=f"schedules/{job.schedule}" if job.schedule else "",
        depends_on=[f"scanJobs/{d}" for d in job.depends_on],
        force=job.force,
        units_skipped=counts.skipped,
        policy_override=policy_to_proto(job.policy),
    )
    if job.state not in repo.TERMINAL and job.start_time is not None and 0 < finished < counts.total:
        elapsed = (datetime.now(UTC) - job.start_time).total_seconds()
        message.eta.CopyFrom(duration(elapsed / finished * (counts.total - finished)))
    return message


def finding_to_proto(f: FindingRow) -> finding_pb2.Finding:
    return finding_pb2.Finding(
        name=f"scanJobs/{f.scan_job_id}/findings/{f.finding_id}",
        data_source=f.data_source,
        table=f.table_name,
        column=f.column_name,
        classification=f.classification,
        confidence=f.confidence,
        match_ratio=f.match_ratio,
        sampled=f.sampled,
        non_null=f.non_null,
        distinct=f.distinct,
        matched=f.matched,
        validated=f.validated,
        sampling_strategy=f"SAMPLING_STRATEGY_{f.sampling_strategy or 'UNSPECIFIED'}",
        explanation=explanation(f.explanation),
        evidence=f.evidence,
        rule=f.rule,
        rule_set_revision=f.rule_set_revision,
        create_time=timestamp(f.create_time),
        validated_ratio=f.validated_ratio,
        validated_estimated=f.validated_estimated,
        column_type=f.column_type,
        verdict=f.verdict,
        reviewer=f.reviewer,
        review_note=f.review_note,
        review_time=timestamp(f.review_time),
        sensitivity_label=f.sensitivity_label,
        origin_scan_job=f"scanJobs/{f.origin_scan_job}" if f.origin_scan_job else "",
    )


def execution_to_proto(e: ExecutionRow) -> execution_pb2.Execution:
    return execution_pb2.Execution(
        name=f"scanJobs/{e.scan_job_id}/executions/{e.execution_id}",
        rule=e.rule,
        data_source=e.data_source,
        status=f"STATE_{e.status}",
        start_time=timestamp(e.start_time),
        end_time=timestamp(e.end_time),
        duration=duration(e.duration_seconds),
        rows_read=e.rows_read,
        matches=e.matches,
        cpu_seconds=e.cpu_seconds,
        peak_memory_bytes=e.peak_memory_bytes,
        error=e.error,
        finding_count=e.finding_count,
        attempt=e.attempt,
    )


def _child(name: str, collection: str, field: str = "name") -> tuple[str, str]:
    """`scanJobs/{job}/{collection}/{id}` -> (job, id)."""
    parts = name.split("/")
    if len(parts) != 4 or parts[0] != "scanJobs" or parts[2] != collection or not parts[1] or not parts[3]:
        raise InvalidArgumentError(
            [Violation(field, f"expected scanJobs/{{scan_job}}/{collection}/{{id}}, got {name!r}")]
        )
    return parts[1], parts[3]


class ScanJobRpcs:
    db: Database
    orchestrator: Orchestrator

    async def _job_proto(self, job_id: str) -> scan_job_pb2.ScanJob:
        async with self.db.transaction(write=False) as session:
            job = await repo.get_job(session, job_id)
            return job_to_proto(job, await repo.counts(session, job_id))

    @mapped_errors
    @_audited
    async def CreateScanJob(
        self, request: orchestration_service_pb2.CreateScanJobRequest, context: Ctx
    ) -> orchestration_service_pb2.CreateScanJobResponse:
        request_id = check_request_id(request.request_id)
        spec = request.scan_job
        job_id = request.scan_job_id or f"job-{uuid.uuid4().hex[:12]}"
        problems = []
        if not is_valid_resource_id(job_id):
            problems.append(Violation("scan_job_id", "1-63 characters: a letter, then letters, digits, '-' or '_'"))
        if not spec.rule_set:
            problems.append(Violation("scan_job.rule_set", "required: ruleSets/{rule_set}[@{revision}]"))
        if spec.rules:
            problems.append(Violation("scan_job.rules", "output only: ad hoc rules come with ExecuteRules"))
        problems += _common_problems(spec, "scan_job.")
        if problems:
            raise InvalidArgumentError(problems)
        req = JobRequest(
            job_id=job_id,
            source_ids=_source_ids(spec.data_sources, "scan_job.data_sources"),
            rule_set=spec.rule_set,
            policy=policy_from_proto(rule_set_pb2.RuleSet(policy=spec.policy_override), "scan_job.policy_override"),
            display_name=spec.display_name,
            priority=spec.priority,
            strategy=_STRATEGIES[_enum_name(scan_job_pb2.ScanJob.Strategy, spec.strategy)],
            max_concurrency_per_source=spec.max_concurrency_per_source,
            executor=spec.executor,
            labels=dict(spec.labels),
            depends_on=[resource_id(n, "scanJobs", f"scan_job.depends_on[{i}]") for i, n in enumerate(spec.depends_on)],
            force=spec.force,
            request_id=request_id,
            validate_only=request.validate_only,
        )

        async def on_create(session: AsyncSession, job: ScanJobRow) -> None:
            await audit(session, _rpc("CreateScanJob"), f"scanJobs/{job.scan_job_id}", request_id=request_id)

        job, counts = await submit_job(self.db, self.orchestrator, req, on_create)
        return orchestration_service_pb2.CreateScanJobResponse(scan_job=job_to_proto(job, counts))

    @mapped_errors
    @_audited
    async def ExecuteRules(
        self, request: orchestration_service_pb2.ExecuteRulesRequest, context: Ctx
    ) -> orchestration_service_pb2.ExecuteRulesResponse:
        request_id = check_request_id(request.request_id)
        job_id = request.scan_job_id or f"run-{uuid.uuid4().hex[:12]}"
        problems = []
        if not is_valid_resource_id(job_id):
            problems.append(Violation("scan_job_id", "1-63 characters: a letter, then letters, digits, '-' or '_'"))
        if not request.rules and not request.include_builtin:
            problems.append(Violation("rules", "name at least one rule, or set include_builtin"))
        if not request.data_sources:
            problems.append(Violation("data_sources", "name at least one data source"))
        if problems:
            raise InvalidArgumentError(problems)
        req = JobRequest(
            job_id=job_id,
            source_ids=_source_ids(request.data_sources, "data_sources"),
            rules=list(request.rules),
            include_builtin=request.include_builtin,
            policy=policy_from_proto(rule_set_pb2.RuleSet(policy=request.policy), "policy"),
            strategy="PARALLEL",
            request_id=request_id,
            field_prefix="",
        )

        async def on_create(session: AsyncSession, job: ScanJobRow) -> None:
            await audit(session, _rpc("ExecuteRules"), f"scanJobs/{job.scan_job_id}", request_id=request_id)

        job, counts = await submit_job(self.db, self.orchestrator, req, on_create)
        return orchestration_service_pb2.ExecuteRulesResponse(scan_job=job_to_proto(job, counts))

    @mapped_errors
    async def GetScanJob(
        self, request: orchestration_service_pb2.GetScanJobRequest, context: Ctx
    ) -> orchestration_service_pb2.GetScanJobResponse:
        return orchestration_service_pb2.GetScanJobResponse(
            scan_job=await self._job_proto(resource_id(request.name, "scanJobs"))
        )

    @mapped_errors
    async def ListScanJobs(
        self, request: orchestration_service_pb2.ListScanJobsRequest, context: Ctx
    ) -> orchestration_service_pb2.ListScanJobsResponse:
        check_order_by(request.order_by)
        async with self.db.transaction(write=False) as session:
            rows, token = await repo.list_jobs(session, request.page_size, request.page_token, request.filter)
            jobs = [job_to_proto(r, await repo.counts(session, r.scan_job_id)) for r in rows]
        return orchestration_service_pb2.ListScanJobsResponse(scan_jobs=jobs, next_page_token=token)

    @mapped_errors
    @_audited
    async def CancelScanJob(
        self, request: orchestration_service_pb2.CancelScanJobRequest, context: Ctx
    ) -> orchestration_service_pb2.CancelScanJobResponse:
        job_id = resource_id(request.name, "scanJobs")
        cancelled = False
        async with self.db.transaction() as session:
            job = await repo.get_job(session, job_id, lock=True)
            if job.state != repo.CANCELLED:
                if job.state in repo.TERMINAL:
                    raise FailedPreconditionError(f"{request.name} already ended ({job.state})")
                now = datetime.now(UTC)
                for unit in await repo.units_of(session, job_id, [repo.PENDING]):
                    unit.state, unit.end_time = repo.CANCELLED, now
                job.state, job.end_time, job.update_time = repo.CANCELLED, now, now
                job.error_message = request.reason or "cancelled"
                cancelled = True
            await session.flush()
            await audit(session, _rpc("CancelScanJob"), request.name)
            proto = job_to_proto(job, await repo.counts(session, job_id))
        if cancelled:
            self.orchestrator.cancel_inflight(job_id)
            self.orchestrator.publish(job_id, Event("STATE_CHANGED", repo.CANCELLED, terminal=True))
        return orchestration_service_pb2.CancelScanJobResponse(scan_job=proto)

    @mapped_errors
    @_audited
    async def RetryScanJob(
        self, request: orchestration_service_pb2.RetryScanJobRequest, context: Ctx
    ) -> orchestration_service_pb2.RetryScanJobResponse:
        job_id = resource_id(request.name, "scanJobs")
        request_id = check_request_id(request.request_id)
        async with self.db.transaction() as session:
            job = await repo.get_job(session, job_id, lock=True)
            if job.state not in (repo.FAILED, repo.PARTIALLY_SUCCEEDED, repo.CANCELLED):
                raise FailedPreconditionError(
                    f"{request.name} is {job.state}: only FAILED, PARTIALLY_SUCCEEDED or CANCELLED jobs retry"
                )
            failed = await repo.units_of(session, job_id, [repo.FAILED, repo.CANCELLED])
            for unit in failed:
                unit.state, unit.attempts, unit.error = repo.PENDING, 0, ""
                unit.next_attempt_time = unit.start_time = unit.end_time = None
            now = datetime.now(UTC)
            job.state = repo.PENDING if failed else job.state
            job.end_time = None if failed else job.end_time
            job.error_message = "" if failed else job.error_message
            job.retry_count += 1
            job.update_time = now
            await session.flush()
            # re-queued units wait for (or fail again on) the job's dependencies
            await repo.set_blocked(session, job, bool(failed and job.depends_on))
            await audit(session, _rpc("RetryScanJob"), request.name, request_id=request_id)
            proto = job_to_proto(job, await repo.counts(session, job_id))
        self.orchestrator.publish(job_id, Event("STATE_CHANGED", job.state))
        self.orchestrator.wake()
        return orchestration_service_pb2.RetryScanJobResponse(scan_job=proto)

    async def WatchScanJob(
        self, request: orchestration_service_pb2.WatchScanJobRequest, context: Ctx
    ) -> AsyncIterator[orchestration_service_pb2.WatchScanJobResponse]:
        Response = orchestration_service_pb2.WatchScanJobResponse
        try:
            job_id = resource_id(request.name, "scanJobs")
            queue = self.orchestrator.subscribe(job_id)
        except ScanRulesError as exc:
            await abort_with(context, status_for(exc))
        try:
            try:
                snapshot = await self._job_proto(job_id)
            except ScanRulesError as exc:
                await abort_with(context, status_for(exc))
            yield Response(scan_job=snapshot, event_type=Response.EVENT_TYPE_SNAPSHOT, event_time=_now())
            if snapshot.state in _TERMINAL_PROTO:
                return
            kinds = {
                "STATE_CHANGED": Response.EVENT_TYPE_STATE_CHANGED,
                "UNIT_FINISHED": Response.EVENT_TYPE_UNIT_FINISHED,
                "FINDING": Response.EVENT_TYPE_FINDING,
            }
            while True:
                event = await queue.get()
                async with self.db.transaction(write=False) as session:
                    row = await repo.get_job(session, job_id)
                    job = job_to_proto(row, await repo.counts(session, job_id))
                    found = await repo.get_finding(session, job_id, event.finding) if event.finding else None
                yield Response(
                    scan_job=job,
                    event_type=kinds.get(event.kind, Response.EVENT_TYPE_PROGRESS),
                    event_time=_now(),
                    detail=event.detail,
                    work_unit=event.work_unit,
                    finding=finding_to_proto(found) if found is not None else None,
                )
                # The events already queued (the last unit's findings) still go out; the terminal one ends it.
                if event.terminal or (job.state in _TERMINAL_PROTO and queue.empty()):
                    return
        finally:
            self.orchestrator.unsubscribe(job_id, queue)

    @mapped_errors
    async def ListFindings(
        self, request: orchestration_service_pb2.ListFindingsRequest, context: Ctx
    ) -> orchestration_service_pb2.ListFindingsResponse:
        check_order_by(request.order_by)
        job_id = resource_id(request.parent, "scanJobs", "parent")
        async with self.db.transaction(write=False) as session:
            if job_id != "-":
                await repo.get_job(session, job_id)
            rows, token = await repo.list_findings(
                session, None if job_id == "-" else job_id, request.page_size, request.page_token, request.filter
            )
        return orchestration_service_pb2.ListFindingsResponse(
            findings=[finding_to_proto(r) for r in rows], next_page_token=token
        )

    @mapped_errors
    async def GetFinding(
        self, request: orchestration_service_pb2.GetFindingRequest, context: Ctx
    ) -> orchestration_service_pb2.GetFindingResponse:
        job_id, finding_id = _child(request.name, "findings")
        async with self.db.transaction(write=False) as session:
            row = await repo.get_finding(session, job_id, finding_id)
        return orchestration_service_pb2.GetFindingResponse(finding=finding_to_proto(row))

    @mapped_errors
    @_audited
    async def SubmitFindingFeedback(
        self, request: orchestration_service_pb2.SubmitFindingFeedbackRequest, context: Ctx
    ) -> orchestration_service_pb2.SubmitFindingFeedbackResponse:
        job_id, finding_id = _child(request.name, "findings")
        verdict = _enum_name(finding_pb2.FeedbackVerdict, request.verdict)
        if verdict not in _VERDICTS:
            raise InvalidArgumentError(
                [Violation("verdict", "FEEDBACK_VERDICT_CONFIRMED or FEEDBACK_VERDICT_REJECTED")]
            )
        async with self.db.transaction() as session:
            row = await repo.get_finding(session, job_id, finding_id)
            await repo.add_feedback(session, row, verdict, request.reviewer or current_principal.get(), request.note)
            await audit(session, _rpc("SubmitFindingFeedback"), request.name)
            proto = finding_to_proto(row)
        return orchestration_service_pb2.SubmitFindingFeedbackResponse(finding=proto)

    @mapped_errors
    async def GetExecution(
        self, request: orchestration_service_pb2.GetExecutionRequest, context: Ctx
    ) -> orchestration_service_pb2.GetExecutionResponse:
        job_id, execution_id = _child(request.name, "executions")
        async with self.db.transaction(write=False) as session:
            row = await repo.get_execution(session, job_id, execution_id)
        return orchestration_service_pb2.GetExecutionResponse(execution=execution_to_proto(row))

    @mapped_errors
    async def ListExecutions(
        self, request: orchestration_service_pb2.ListExecutionsRequest, context: Ctx
    ) -> orchestration_service_pb2.ListExecutionsResponse:
        check_order_by(request.order_by)
        job_id = resource_id(request.parent, "scanJobs", "parent")
        async with self.db.transaction(write=False) as session:
            if job_id != "-":  # `scanJobs/-`: the executions of every job
                await repo.get_job(session, job_id)
            rows, token = await repo.list_executions(
                session, None if job_id == "-" else job_id, request.page_size, request.page_token, request.filter
            )
        return orchestration_service_pb2.ListExecutionsResponse(
            executions=[execution_to_proto(r) for r in rows], next_page_token=token
        )


_TERMINAL_PROTO = frozenset(scan_job_pb2.ScanJob.State.Value(f"STATE_{s}") for s in repo.TERMINAL)


def _common_problems(spec: scan_job_pb2.ScanJob, prefix: str) -> list[Violation]:
    problems = []
    if not spec.data_sources:
        problems.append(Violation(f"{prefix}data_sources", "name at least one data source"))
    if not 0 <= spec.priority <= 10:
        problems.append(Violation(f"{prefix}priority", "must be between 1 and 10 (0: the rule set's)"))
    if spec.max_concurrency_per_source < 0:
        problems.append(Violation(f"{prefix}max_concurrency_per_source", "must not be negative"))
    if _enum_name(scan_job_pb2.ScanJob.Strategy, spec.strategy) not in _STRATEGIES:
        problems.append(Violation(f"{prefix}strategy", "PARALLEL, SEQUENTIAL or ADAPTIVE"))
    if len(spec.depends_on) > 100:
        problems.append(Violation(f"{prefix}depends_on", "at most 100 dependencies"))
    return problems


def _source_ids(names: Any, field: str) -> list[str]:
    return [resource_id(n, "dataSources", f"{field}[{i}]") for i, n in enumerate(names)]


def _enum_name(enum: Any, value: int) -> str:
    """The enum value's name, or "" for a number the contract does not define."""
    try:
        return str(enum.Name(value))
    except ValueError:
        return ""


def _now() -> Any:
    return timestamp(datetime.now(UTC))
