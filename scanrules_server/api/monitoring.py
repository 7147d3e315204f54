"""MonitoringService: the audit log now; dashboards, metrics, status and compliance answer UNIMPLEMENTED
(see `pending.py`) until their issues build them.

The audit log is read-only through the API: this servicer lists events and nothing else, and no RPC of any
service updates or deletes one.
"""

from __future__ import annotations

from scanrules.v1 import audit_event_pb2, monitoring_service_pb2

from ..domain.security import AuditEvent
from ..persistence import audit as audit_repo
from .context import Ctx, Database
from .convert import duration, timestamp
from .errors import mapped_errors
from .pending import MonitoringServicer as PendingMonitoring


def audit_event_to_proto(event: AuditEvent) -> audit_event_pb2.AuditEvent:
    return audit_event_pb2.AuditEvent(
        name=event.name,
        principal=event.principal,
        rpc=event.rpc,
        resource=event.resource,
        request_id=event.request_id,
        outcome=event.outcome,
        create_time=timestamp(event.create_time),
        latency=duration(event.latency_seconds),
        peer=event.peer,
    )


class MonitoringServicer(PendingMonitoring):  # type: ignore[misc]
    def __init__(self, db: Database) -> None:
        self.db = db

    @mapped_errors
    async def ListAuditEvents(
        self, request: monitoring_service_pb2.ListAuditEventsRequest, context: Ctx
    ) -> monitoring_service_pb2.ListAuditEventsResponse:
        async with self.db.transaction(write=False) as session:
            events, token, total = await audit_repo.list_audit_events(
                session, request.page_size, request.page_token, request.filter, request.order_by
            )
        return monitoring_service_pb2.ListAuditEventsResponse(
            audit_events=[audit_event_to_proto(e) for e in events], next_page_token=token, total_size=total
        )
