"""Services whose behaviour lands with later issues: every RPC answers UNIMPLEMENTED,
naming the capability it waits for, instead of fake data."""

from __future__ import annotations

from typing import Any

from scanrules.v1 import monitoring_service_pb2_grpc, orchestration_service_pb2_grpc

from .context import Ctx
from .errors import Unimplemented, mapped_errors

#: RPC-name prefix or name -> the missing capability.
CAPABILITIES: dict[str, str] = {
    "DataSource": "data sources and connectors (issue: Data sources and connectors)",
    "ScanJob": "scan orchestration (issue: Scan orchestration)",
    "ExecuteRules": "scan orchestration (issue: Scan orchestration)",
    "Execution": "scan orchestration (issue: Scan orchestration)",
    "Finding": "scan orchestration (issue: Scan orchestration)",
    "Schedule": "scan schedules (issue: Scan orchestration)",
    "AuditEvents": "the audit trail (issue: Security)",
    "PerformanceDashboard": "monitoring (a later issue)",
    "Metrics": "monitoring (a later issue)",
    "SystemStatus": "monitoring (a later issue)",
    "ComplianceReport": "compliance reporting (a later issue)",
}


def capability(rpc: str) -> str:
    for key, what in CAPABILITIES.items():
        if key in rpc:
            return what
    return "a later issue"


def _pending(rpc: str) -> Any:
    async def handler(self: Any, request: Any, context: Ctx) -> Any:
        raise Unimplemented(f"{rpc} is declared but not built yet: it needs {capability(rpc)}")

    handler.__name__ = rpc
    return mapped_errors(handler)


def _rpc_names(base: type) -> list[str]:
    return [n for n in vars(base) if n[:1].isupper()]


OrchestrationServicer = type(
    "OrchestrationServicer",
    (orchestration_service_pb2_grpc.OrchestrationServiceServicer,),
    {n: _pending(n) for n in _rpc_names(orchestration_service_pb2_grpc.OrchestrationServiceServicer)},
)
MonitoringServicer = type(
    "MonitoringServicer",
    (monitoring_service_pb2_grpc.MonitoringServiceServicer,),
    {n: _pending(n) for n in _rpc_names(monitoring_service_pb2_grpc.MonitoringServiceServicer)},
)
