"""`request_id`s of create calls (AIP-155): a retried create returns what the first one made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.errors import InvalidArgumentError, Violation
from .models import IdempotencyKeyRow

REQUEST_ID_FIELD = "request_id"
MAX_REQUEST_ID_LENGTH = 255


@dataclass(frozen=True)
class IdempotencyRecord:
    resource_name: str
    revision_id: str | None


def check_request_id(request_id: str | None) -> str | None:
    """None for "no request id" (None or ""); INVALID_ARGUMENT if too long or not a string."""
    if request_id is None or request_id == "":
        return None
    if not isinstance(request_id, str) or len(request_id) > MAX_REQUEST_ID_LENGTH:
        raise InvalidArgumentError(
            [Violation(REQUEST_ID_FIELD, f"must be a string of at most {MAX_REQUEST_ID_LENGTH} characters")]
        )
    return request_id


async def lookup(session: AsyncSession, method: str, request_id: str) -> IdempotencyRecord | None:
    row = await session.scalar(
        select(IdempotencyKeyRow).where(IdempotencyKeyRow.method == method, IdempotencyKeyRow.request_id == request_id)
    )
    return None if row is None else IdempotencyRecord(row.resource_name, row.revision_id)


def record(
    session: AsyncSession,
    method: str,
    request_id: str,
    resource_name: str,
    revision_id: str | None,
    create_time: datetime,
) -> None:
    """Add the key to the session (flushed with the resource it belongs to)."""
    session.add(
        IdempotencyKeyRow(
            method=method,
            request_id=request_id,
            resource_name=resource_name,
            revision_id=revision_id,
            create_time=create_time,
        )
    )


async def purge_idempotency_keys(session: AsyncSession, older_than: datetime) -> int:
    """Forget request ids recorded before `older_than`; returns how many."""
    result = await session.execute(delete(IdempotencyKeyRow).where(IdempotencyKeyRow.create_time < older_than))
    await session.flush()
    return int(getattr(result, "rowcount", 0) or 0)
