"""The one table from domain errors to gRPC status codes, and the rich status they carry.

Every error leaves with `google.rpc.ErrorInfo(reason, domain="scanrules.dev")`; invalid
input adds `google.rpc.BadRequest` field violations. Unexpected exceptions are logged
with a reference id and answered INTERNAL without internals in the message.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn, TypeVar

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2

from ..domain.errors import (
    AlreadyExistsError,
    EtagMismatchError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    RuleError,
    RuleSetError,
    ScanRulesError,
    SourceError,
    Violation,
    ViolationsError,
)

DOMAIN = "scanrules.dev"
log = logging.getLogger("scanrules.api")

#: Domain error class -> gRPC code. The first matching class (in order) wins.
ERROR_CODES: tuple[tuple[type[ScanRulesError], grpc.StatusCode], ...] = (
    (RuleError, grpc.StatusCode.INVALID_ARGUMENT),
    (InvalidArgumentError, grpc.StatusCode.INVALID_ARGUMENT),
    (RuleSetError, grpc.StatusCode.INVALID_ARGUMENT),
    (NotFoundError, grpc.StatusCode.NOT_FOUND),
    (AlreadyExistsError, grpc.StatusCode.ALREADY_EXISTS),
    (EtagMismatchError, grpc.StatusCode.ABORTED),
    (FailedPreconditionError, grpc.StatusCode.FAILED_PRECONDITION),
    (SourceError, grpc.StatusCode.FAILED_PRECONDITION),
)


class Unimplemented(ScanRulesError):
    """An RPC declared in the contract whose capability lands with a later issue."""

    reason = "NOT_IMPLEMENTED"


def code_for(error: ScanRulesError) -> grpc.StatusCode:
    if isinstance(error, Unimplemented):
        return grpc.StatusCode.UNIMPLEMENTED
    for kind, code in ERROR_CODES:
        if isinstance(error, kind):
            return code
    return grpc.StatusCode.FAILED_PRECONDITION


def _violations(error: ScanRulesError) -> list[Violation]:
    if isinstance(error, ViolationsError):
        return error.violations
    return []


def _packed(message: Any) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


#: What an error may echo back, in UTF-8 bytes. The message and details travel in trailing metadata, which gRPC
#: clients refuse beyond 8 KiB (the caller would get RESOURCE_EXHAUSTED instead of the error): an error about a
#: huge input quotes only its start, and a long list of violations ends with a count of those left out.
MAX_MESSAGE_BYTES = 512
MAX_DESCRIPTION_BYTES = 300
MAX_FIELD_BYTES = 128
MAX_VIOLATIONS_BYTES = 2_500
MAX_METADATA_VALUE_BYTES = 256


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-8 bytes, ending with "…" when cut."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", "ignore") + "…"


def rich_status(
    code: grpc.StatusCode,
    message: str,
    reason: str,
    metadata: dict[str, str] | None = None,
    violations: list[Violation] | None = None,
    retry_delay: float | None = None,
) -> status_pb2.Status:
    status = status_pb2.Status(code=code.value[0], message=clip(message, MAX_MESSAGE_BYTES))
    metadata = {k: clip(v, MAX_METADATA_VALUE_BYTES) for k, v in (metadata or {}).items()}
    status.details.append(_packed(error_details_pb2.ErrorInfo(reason=reason, domain=DOMAIN, metadata=metadata)))
    if retry_delay is not None:
        info = error_details_pb2.RetryInfo()
        info.retry_delay.FromNanoseconds(max(0, round(retry_delay * 1e9)))
        status.details.append(_packed(info))
    if violations:
        bad = error_details_pb2.BadRequest()
        budget = MAX_VIOLATIONS_BYTES
        for i, v in enumerate(violations):
            description = v.description
            if v.line:
                description = f"line {v.line}, column {v.column}: {description}"
            field, description = clip(v.field, MAX_FIELD_BYTES), clip(description, MAX_DESCRIPTION_BYTES)
            size = len(field.encode("utf-8")) + len(description.encode("utf-8"))
            if bad.field_violations and size > budget:
                bad.field_violations.add(field=field, description=f"… and {len(violations) - i} more problem(s)")
                break
            budget -= size
            bad.field_violations.add(field=field, description=description)
        status.details.append(_packed(bad))
    return status


def status_for(error: ScanRulesError) -> status_pb2.Status:
    metadata: dict[str, str] = {}
    resource = getattr(error, "resource_name", None)
    if isinstance(resource, str):
        metadata["resource"] = resource
    return rich_status(code_for(error), str(error) or error.reason, error.reason, metadata, _violations(error))


async def abort_with(context: grpc.aio.ServicerContext[Any, Any], status: status_pb2.Status) -> NoReturn:
    code = next(c for c in grpc.StatusCode if c.value[0] == status.code)
    await context.abort(
        code, status.message, trailing_metadata=(("grpc-status-details-bin", status.SerializeToString()),)
    )
    raise AssertionError("abort returned")  # pragma: no cover - abort always raises


Req = TypeVar("Req")
Resp = TypeVar("Resp")
Handler = Callable[[Any, Req, grpc.aio.ServicerContext[Req, Resp]], Awaitable[Resp]]


def mapped_errors(method: Handler[Req, Resp]) -> Handler[Req, Resp]:
    """Wrap a unary servicer method: domain errors become their status, the rest INTERNAL."""

    @functools.wraps(method)
    async def wrapper(self: Any, request: Req, context: grpc.aio.ServicerContext[Req, Resp]) -> Resp:
        try:
            return await method(self, request, context)
        except ScanRulesError as exc:
            log.info("rpc=%s outcome=%s reason=%s", method.__name__, code_for(exc).name, exc.reason)
            await abort_with(context, status_for(exc))
        except grpc.aio.AbortError:
            raise
        except Exception:
            ref = uuid.uuid4().hex[:12]
            log.exception("rpc=%s outcome=INTERNAL ref=%s", method.__name__, ref)
            await abort_with(
                context,
                rich_status(grpc.StatusCode.INTERNAL, f"internal error (ref {ref})", "INTERNAL", {"ref": ref}),
            )

    return wrapper


assert code_pb2.OK == 0  # the numeric codes of google.rpc and grpc agree
