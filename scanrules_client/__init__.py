"""Python SDK for the scanrules API: an async client, a blocking twin, typed errors and retries.

Depends only on the generated ``scanrules.v1`` messages, grpcio, grpcio-status, protobuf and
googleapis-common-protos. See ``docs/client.md``.
"""

from ._aio import AsyncResponseStream
from ._client import Connecting, ScanRulesClient
from ._errors import (
    AbortedError,
    AlreadyExistsError,
    DeadlineExceededError,
    FailedPreconditionError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    ResourceExhaustedError,
    ScanRulesError,
    UnauthenticatedError,
    UnavailableError,
    UnimplementedError,
    error_from_rpc,
)
from ._retry import RetryPolicy
from ._services import MonitoringClient, OrchestrationClient, RulesClient
from ._sync import SyncScanRulesClient
from ._sync_services import SyncMonitoringClient, SyncOrchestrationClient, SyncRulesClient
from ._sync_transport import ResponseStream

__all__ = [
    "AbortedError",
    "AlreadyExistsError",
    "AsyncResponseStream",
    "Connecting",
    "DeadlineExceededError",
    "FailedPreconditionError",
    "InternalError",
    "InvalidArgumentError",
    "MonitoringClient",
    "NotFoundError",
    "OrchestrationClient",
    "PermissionDeniedError",
    "ResourceExhaustedError",
    "ResponseStream",
    "RetryPolicy",
    "RulesClient",
    "ScanRulesClient",
    "ScanRulesError",
    "SyncMonitoringClient",
    "SyncOrchestrationClient",
    "SyncRulesClient",
    "SyncScanRulesClient",
    "UnauthenticatedError",
    "UnavailableError",
    "UnimplementedError",
    "error_from_rpc",
]
