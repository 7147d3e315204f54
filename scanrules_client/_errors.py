"""Typed errors: one exception class per gRPC status code, with the rich `google.rpc.Status` details parsed.

The server attaches a `google.rpc.Status` to every error (trailing metadata `grpc-status-details-bin`) carrying a
`google.rpc.ErrorInfo` (machine-readable `reason`, `domain`, `metadata`) and, for validation errors, a
`google.rpc.BadRequest` with field violations; UNAVAILABLE may carry a `google.rpc.RetryInfo`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import grpc
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

__all__ = [
    "AbortedError",
    "AlreadyExistsError",
    "DeadlineExceededError",
    "FailedPreconditionError",
    "InternalError",
    "InvalidArgumentError",
    "NotFoundError",
    "PermissionDeniedError",
    "ResourceExhaustedError",
    "ScanRulesError",
    "UnauthenticatedError",
    "UnavailableError",
    "UnimplementedError",
    "error_from_rpc",
]

STATUS_DETAILS_KEY = "grpc-status-details-bin"


class ScanRulesError(Exception):
    """An RPC failed. Subclasses exist per status code; catch this class to handle them all.

    Attributes:
        code: the `grpc.StatusCode`.
        message: the status message, human-readable.
        reason: `google.rpc.ErrorInfo.reason`, e.g. ``RULE_NOT_FOUND``; empty when the server sent none.
        domain: `google.rpc.ErrorInfo.domain`, e.g. ``scanrules.dev``.
        metadata: `google.rpc.ErrorInfo.metadata`, e.g. ``{"name": "rules/x"}``.
        field_violations: ``(field, description)`` pairs from `google.rpc.BadRequest`.
        retry_delay: `google.rpc.RetryInfo.retry_delay`, when the server suggested one.
        status: the full `google.rpc.Status`, when the server sent one.
    """

    grpc_code: ClassVar[grpc.StatusCode] = grpc.StatusCode.UNKNOWN

    code: grpc.StatusCode
    message: str
    reason: str
    domain: str
    metadata: dict[str, str]
    field_violations: list[tuple[str, str]]
    retry_delay: datetime.timedelta | None
    status: status_pb2.Status | None

    def __init__(
        self,
        message: str,
        *,
        code: grpc.StatusCode | None = None,
        reason: str = "",
        domain: str = "",
        metadata: Mapping[str, str] | None = None,
        field_violations: Iterable[tuple[str, str]] = (),
        retry_delay: datetime.timedelta | None = None,
        status: status_pb2.Status | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code if code is not None else self.grpc_code
        self.message = message
        self.reason = reason
        self.domain = domain
        self.metadata = dict(metadata or {})
        self.field_violations = list(field_violations)
        self.retry_delay = retry_delay
        self.status = status

    def __str__(self) -> str:
        return f"{self.code.name}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code.name}, message={self.message!r}, reason={self.reason!r})"


class InvalidArgumentError(ScanRulesError):
    """INVALID_ARGUMENT: the request is malformed; see `field_violations`."""

    grpc_code = grpc.StatusCode.INVALID_ARGUMENT


class NotFoundError(ScanRulesError):
    """NOT_FOUND: the named resource does not exist."""

    grpc_code = grpc.StatusCode.NOT_FOUND


class AlreadyExistsError(ScanRulesError):
    """ALREADY_EXISTS: a resource with that id exists."""

    grpc_code = grpc.StatusCode.ALREADY_EXISTS


class PermissionDeniedError(ScanRulesError):
    """PERMISSION_DENIED: the caller may not do this."""

    grpc_code = grpc.StatusCode.PERMISSION_DENIED


class UnauthenticatedError(ScanRulesError):
    """UNAUTHENTICATED: no or an invalid token."""

    grpc_code = grpc.StatusCode.UNAUTHENTICATED


class FailedPreconditionError(ScanRulesError):
    """FAILED_PRECONDITION: the system is not in a state that allows this, e.g. deleting a rule still in use."""

    grpc_code = grpc.StatusCode.FAILED_PRECONDITION


class AbortedError(ScanRulesError):
    """ABORTED: a concurrency conflict, e.g. an etag mismatch; re-read and retry."""

    grpc_code = grpc.StatusCode.ABORTED


class ResourceExhaustedError(ScanRulesError):
    """RESOURCE_EXHAUSTED: a quota or size limit was hit."""

    grpc_code = grpc.StatusCode.RESOURCE_EXHAUSTED


class UnavailableError(ScanRulesError):
    """UNAVAILABLE: the server cannot be reached or is overloaded (already retried by the client)."""

    grpc_code = grpc.StatusCode.UNAVAILABLE


class DeadlineExceededError(ScanRulesError):
    """DEADLINE_EXCEEDED: the call's deadline (``timeout``) passed before it completed."""

    grpc_code = grpc.StatusCode.DEADLINE_EXCEEDED


class UnimplementedError(ScanRulesError):
    """UNIMPLEMENTED: the server does not implement this RPC."""

    grpc_code = grpc.StatusCode.UNIMPLEMENTED


class InternalError(ScanRulesError):
    """INTERNAL: a server bug; the message carries no internals."""

    grpc_code = grpc.StatusCode.INTERNAL


_BY_CODE: dict[grpc.StatusCode, type[ScanRulesError]] = {
    cls.grpc_code: cls
    for cls in (
        InvalidArgumentError,
        NotFoundError,
        AlreadyExistsError,
        PermissionDeniedError,
        UnauthenticatedError,
        FailedPreconditionError,
        AbortedError,
        ResourceExhaustedError,
        UnavailableError,
        DeadlineExceededError,
        UnimplementedError,
        InternalError,
    )
}


def error_class(code: grpc.StatusCode) -> type[ScanRulesError]:
    """The exception class for `code`; `ScanRulesError` itself for codes without a subclass."""
    return _BY_CODE.get(code, ScanRulesError)


def make_error(code: grpc.StatusCode, message: str, status: status_pb2.Status | None = None) -> ScanRulesError:
    """Builds the typed error for `code`, parsing `ErrorInfo`, `BadRequest` and `RetryInfo` out of `status`."""
    reason = domain = ""
    metadata: dict[str, str] = {}
    violations: list[tuple[str, str]] = []
    retry_delay: datetime.timedelta | None = None
    for detail in status.details if status is not None else ():
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason, domain, metadata = info.reason, info.domain, dict(info.metadata)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad_request = error_details_pb2.BadRequest()
            detail.Unpack(bad_request)
            violations.extend((v.field, v.description) for v in bad_request.field_violations)
        elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            retry_info = error_details_pb2.RetryInfo()
            detail.Unpack(retry_info)
            retry_delay = retry_info.retry_delay.ToTimedelta()
    return error_class(code)(
        message,
        code=code,
        reason=reason,
        domain=domain,
        metadata=metadata,
        field_violations=violations,
        retry_delay=retry_delay,
        status=status,
    )


def _rich_status(error: grpc.RpcError) -> status_pb2.Status | None:
    if isinstance(error, grpc.aio.AioRpcError):
        # An AioRpcError is a snapshot: its trailing metadata is already there, no awaiting needed.
        for key, value in error.trailing_metadata() or ():
            if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
                return status_pb2.Status.FromString(value)
        return None
    try:
        status: Any = rpc_status.from_call(error)
    except ValueError:
        # The status proto disagrees with the transport status: trust the transport, keep the details.
        for key, value in error.trailing_metadata() or ():
            if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
                return status_pb2.Status.FromString(value)
        return None
    return status if isinstance(status, status_pb2.Status) else None


def error_from_rpc(error: grpc.RpcError) -> ScanRulesError:
    """Converts a `grpc.RpcError` (sync) or `grpc.aio.AioRpcError` into the matching `ScanRulesError` subclass."""
    code: grpc.StatusCode = error.code()
    message: str = error.details() or ""
    try:
        status = _rich_status(error)
    except Exception:  # a malformed details blob must not hide the real error
        status = None
    return make_error(code, message or (status.message if status is not None else ""), status)
