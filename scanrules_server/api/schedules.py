"""OrchestrationService: schedules (CreateSchedule, ListSchedules, UpdateSchedule, DeleteSchedule).

Mixed into `orchestration.OrchestrationServicer`, which provides `db`, `orchestrator` and `scheduler`. "Now"
(for `next_run_time`) is the scheduler's clock, so tests that move it see consistent times. The jobs
themselves are created by `orchestration.scheduler.Scheduler`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.protobuf import field_mask_pb2
from scanrules.v1 import orchestration_service_pb2, schedule_pb2

from ..orchestration.orchestrator import Orchestrator
from ..orchestration.scheduler import Scheduler
from ..persistence import schedules as repo
from ..persistence.idempotency import check_request_id
from .audit import ORCHESTRATION_SERVICE, audit, audited, rpc_name
from .context import Ctx, Database, check_order_by, resource_id
from .convert import mask_paths, timestamp
from .errors import mapped_errors

_audited = audited(ORCHESTRATION_SERVICE)

WRITABLE = repo.WRITABLE_FIELDS
OUTPUT_ONLY = ("name", "next_run_time", "last_run_time", "last_scan_job", "etag", "create_time", "update_time")


def _rpc(method: str) -> str:
    return rpc_name(ORCHESTRATION_SERVICE, method)


def schedule_to_proto(s: repo.Schedule) -> schedule_pb2.Schedule:
    return schedule_pb2.Schedule(
        name=s.name,
        display_name=s.display_name,
        rule_set=s.rule_set,
        data_sources=[f"dataSources/{d}" for d in s.data_sources],
        cron=s.cron,
        time_zone=s.time_zone,
        paused=s.paused,
        next_run_time=timestamp(s.next_run_time),
        last_run_time=timestamp(s.last_run_time),
        last_scan_job=f"scanJobs/{s.last_scan_job}" if s.last_scan_job else "",
        priority=s.priority,
        etag=s.etag,
        create_time=timestamp(s.create_time),
        update_time=timestamp(s.update_time),
    )


def schedule_fields(message: schedule_pb2.Schedule, paths: tuple[str, ...] = WRITABLE) -> dict[str, Any]:
    """The writable fields of `message` named by `paths`, as the repository takes them."""
    return {p: list(message.data_sources) if p == "data_sources" else getattr(message, p) for p in paths}


class ScheduleRpcs:
    db: Database
    orchestrator: Orchestrator
    scheduler: Scheduler

    def _now(self) -> datetime:
        return self.scheduler.now()

    @mapped_errors
    @_audited
    async def CreateSchedule(
        self, request: orchestration_service_pb2.CreateScheduleRequest, context: Ctx
    ) -> orchestration_service_pb2.CreateScheduleResponse:
        request_id = check_request_id(request.request_id)
        fields = schedule_fields(request.schedule)
        async with self.db.transaction(rollback=request.validate_only) as session:
            schedule = await repo.create_schedule(session, request.schedule_id, fields, request_id, now=self._now())
            await audit(session, _rpc("CreateSchedule"), schedule.name, request_id=request_id)
        if not request.validate_only:
            self.scheduler.wake()
        return orchestration_service_pb2.CreateScheduleResponse(schedule=schedule_to_proto(schedule))

    @mapped_errors
    async def ListSchedules(
        self, request: orchestration_service_pb2.ListSchedulesRequest, context: Ctx
    ) -> orchestration_service_pb2.ListSchedulesResponse:
        check_order_by(request.order_by)
        async with self.db.transaction(write=False) as session:
            items, token, total = await repo.list_schedules(
                session, request.page_size, request.page_token, request.filter
            )
        return orchestration_service_pb2.ListSchedulesResponse(
            schedules=[schedule_to_proto(s) for s in items], next_page_token=token, total_size=total
        )

    @mapped_errors
    @_audited
    async def UpdateSchedule(
        self, request: orchestration_service_pb2.UpdateScheduleRequest, context: Ctx
    ) -> orchestration_service_pb2.UpdateScheduleResponse:
        schedule_id = resource_id(request.schedule.name, repo.SCHEDULES, "schedule.name")
        mask = request.update_mask if request.update_mask.paths else field_mask_pb2.FieldMask(paths=["*"])
        paths = mask_paths(mask, WRITABLE, OUTPUT_ONLY, "schedule")
        async with self.db.transaction() as session:
            schedule = await repo.update_schedule(
                session,
                schedule_id,
                schedule_fields(request.schedule, paths),
                request.schedule.etag or None,
                now=self._now(),
            )
            await audit(session, _rpc("UpdateSchedule"), schedule.name)
        self.scheduler.wake()
        return orchestration_service_pb2.UpdateScheduleResponse(schedule=schedule_to_proto(schedule))

    @mapped_errors
    @_audited
    async def DeleteSchedule(
        self, request: orchestration_service_pb2.DeleteScheduleRequest, context: Ctx
    ) -> orchestration_service_pb2.DeleteScheduleResponse:
        schedule_id = resource_id(request.name, repo.SCHEDULES)
        async with self.db.transaction() as session:
            await repo.delete_schedule(session, schedule_id, request.etag or None)
            await audit(session, _rpc("DeleteSchedule"), request.name)
        return orchestration_service_pb2.DeleteScheduleResponse()
