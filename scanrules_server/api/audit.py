"""Writing the audit trail from the RPC layer.

Every mutation (and every scan start) calls `audit(session, rpc, resource, ...)` inside the transaction
that makes the change, so the event commits or rolls back with it. A failed mutation rolls its
transaction back; `@audited(SERVICE)` (placed under `@mapped_errors`) then records the failure, with the
status code as outcome, in a transaction of its own. Calls refused PERMISSION_DENIED by the
authentication interceptor are recorded by it (`record_failure`) when the method is a mutation.

The principal comes from `principal.current_principal`; the RPC's peer and start time from
`current_call`, both set by the authentication interceptor.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import grpc
from google.protobuf import descriptor_pb2
from google.protobuf.message import Message
from scanrules.v1 import monitoring_service_pb2, orchestration_service_pb2, rule_service_pb2
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.errors import ScanRulesError
from ..persistence import audit as audit_repo
from .context import Database
from .errors import code_for
from .principal import current_principal

log = logging.getLogger("scanrules.audit")

RULE_SERVICE = "scanrules.v1.RuleService"
ORCHESTRATION_SERVICE = "scanrules.v1.OrchestrationService"
MONITORING_SERVICE = "scanrules.v1.MonitoringService"


@dataclass(frozen=True)
class Call:
    """The RPC being handled: full method name, peer, and when it was received."""

    method: str
    peer: str = ""
    received: datetime = field(default_factory=lambda: datetime.now(UTC))
    started: float = field(default_factory=time.perf_counter)


current_call: ContextVar[Call | None] = ContextVar("scanrules_call", default=None)


def rpc_name(service: str, method: str) -> str:
    """`("scanrules.v1.RuleService", "CreateRule")` -> `/scanrules.v1.RuleService/CreateRule`."""
    return f"/{service}/{method}"


def _mutating_methods() -> frozenset[str]:
    """Full names of every RPC not declared `idempotency_level = NO_SIDE_EFFECTS`."""
    names = set()
    for module in (rule_service_pb2, orchestration_service_pb2, monitoring_service_pb2):
        for service in module.DESCRIPTOR.services_by_name.values():
            for method in service.methods:
                if method.GetOptions().idempotency_level != descriptor_pb2.MethodOptions.NO_SIDE_EFFECTS:
                    names.add(rpc_name(service.full_name, method.name))
    return frozenset(names)


MUTATING_METHODS = _mutating_methods()

#: `<x>_id` request fields of create methods -> the collection of the resource they name.
_ID_FIELDS = {
    "rule_id": "rules",
    "rule_set_id": "ruleSets",
    "pattern_id": "patterns",
    "data_source_id": "dataSources",
    "scan_job_id": "scanJobs",
    "schedule_id": "schedules",
}


def resource_of(request: Any) -> str:
    """The resource a request acts on: its `name`, `<collection>/<x_id>` of a create, or the `name` of the
    resource message it carries (updates); "" when there is none."""
    if not isinstance(request, Message):
        return ""
    fields = request.DESCRIPTOR.fields_by_name
    if "name" in fields and isinstance(getattr(request, "name", None), str) and request.name:  # type: ignore[attr-defined]
        return str(request.name)  # type: ignore[attr-defined]
    for id_field, collection in _ID_FIELDS.items():
        if id_field in fields and getattr(request, id_field):
            return f"{collection}/{getattr(request, id_field)}"
    for f in request.DESCRIPTOR.fields:
        if f.message_type is None or f.is_repeated or not request.HasField(f.name):
            continue
        inner = getattr(request, f.name)
        if "name" in inner.DESCRIPTOR.fields_by_name and isinstance(inner.name, str) and inner.name:
            return str(inner.name)
    return ""


def request_id_of(request: Any) -> str:
    value: object = getattr(request, "request_id", "")
    return value if isinstance(value, str) else ""


async def audit(
    session: AsyncSession, rpc: str, resource: str, outcome: str = "OK", *, request_id: str | None = ""
) -> None:
    """Append an audit event to `session`'s transaction: the current principal did `rpc` on `resource`."""
    call = current_call.get()
    await audit_repo.append_event(
        session,
        principal=current_principal.get(),
        rpc=rpc,
        resource=resource,
        outcome=outcome,
        request_id=request_id or "",
        peer=call.peer if call else "",
        latency_seconds=time.perf_counter() - call.started if call else 0.0,
        create_time=call.received if call else None,
    )


async def record_failure(db: Database, rpc: str, request: Any, outcome: str) -> None:
    """Audit a failed mutation in its own transaction; never raises (the caller's error matters more)."""
    try:
        async with db.transaction() as session:
            await audit(session, rpc, resource_of(request), outcome, request_id=request_id_of(request))
    except Exception:
        log.exception("could not write the audit event of a failed call rpc=%s outcome=%s", rpc, outcome)


def outcome_of(error: BaseException) -> str:
    if isinstance(error, ScanRulesError):
        return str(code_for(error).name)
    return "INTERNAL"


Req = TypeVar("Req")
Resp = TypeVar("Resp")
Handler = Callable[[Any, Req, grpc.aio.ServicerContext[Req, Resp]], Awaitable[Resp]]


def audited(service: str) -> Callable[[Handler[Req, Resp]], Handler[Req, Resp]]:
    """Decorator for mutating servicer methods (under `@mapped_errors`; the servicer has `.db`): a call that
    fails is audited with its status code. Validate-only requests change nothing and are not audited."""

    def decorate(method: Handler[Req, Resp]) -> Handler[Req, Resp]:
        rpc = rpc_name(service, method.__name__)

        @functools.wraps(method)
        async def wrapper(self: Any, request: Req, context: grpc.aio.ServicerContext[Req, Resp]) -> Resp:
            try:
                return await method(self, request, context)
            except grpc.aio.AbortError:
                raise
            except Exception as exc:
                if not getattr(request, "validate_only", False):
                    await record_failure(self.db, rpc, request, outcome_of(exc))
                raise

        wrapper.audited = True  # type: ignore[attr-defined]  # checked by tests/security/test_audit.py
        return wrapper

    return decorate
