"""The audit trail: append and list, nothing else.

There is deliberately no function here that updates or deletes an event, and the migration (0003) adds
triggers that make the database refuse UPDATE and DELETE on `audit_events`. Events are written with
`append_event` in the caller's transaction, so an event exists exactly when the change it records does.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.errors import InvalidArgumentError, Violation
from ..domain.filtering import canonical, parse_filter
from ..domain.security import AUDIT_EVENTS, AuditEvent
from .filters import FieldKind, FilterField, build_where
from .models import AuditEventRow
from .paging import decode_page_token, encode_page_token, fingerprint, keyset_page, page_size_or_default

__all__ = ["AUDIT_FILTER_FIELDS", "append_event", "list_audit_events"]

AUDIT_FILTER_FIELDS: dict[str, FilterField] = {
    "principal": FilterField(AuditEventRow.principal, FieldKind.STRING),
    "rpc": FilterField(AuditEventRow.rpc, FieldKind.STRING),
    "resource": FilterField(AuditEventRow.resource, FieldKind.STRING),
    "request_id": FilterField(AuditEventRow.request_id, FieldKind.STRING),
    "outcome": FilterField(AuditEventRow.outcome, FieldKind.STRING),
    "peer": FilterField(AuditEventRow.peer, FieldKind.STRING),
    "create_time": FilterField(AuditEventRow.create_time, FieldKind.TIMESTAMP),
}

#: Length limits of the columns; longer values are cut (an audit write must never fail on its input).
_LIMITS = {"principal": 255, "rpc": 255, "request_id": 255, "outcome": 32, "peer": 255, "resource": 2048}


def _event(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(
        event_id=row.event_id,
        principal=row.principal,
        rpc=row.rpc,
        resource=row.resource,
        request_id=row.request_id,
        outcome=row.outcome,
        peer=row.peer,
        latency_seconds=row.latency_seconds,
        create_time=row.create_time,
    )


async def append_event(
    session: AsyncSession,
    *,
    principal: str,
    rpc: str,
    outcome: str,
    resource: str = "",
    request_id: str = "",
    peer: str = "",
    latency_seconds: float = 0.0,
    create_time: datetime | None = None,
) -> AuditEvent:
    """Add one event to the caller's transaction (flushed, not committed)."""
    values = {
        "principal": principal,
        "rpc": rpc,
        "outcome": outcome,
        "resource": resource,
        "request_id": request_id,
        "peer": peer,
    }
    cut = {key: str(value)[: _LIMITS[key]] for key, value in values.items()}
    row = AuditEventRow(
        event_id=uuid.uuid4().hex,
        latency_seconds=max(0.0, float(latency_seconds)),
        create_time=create_time or datetime.now(UTC),
        **cut,
    )
    session.add(row)
    await session.flush()
    return _event(row)


def _descending(order_by: str) -> bool:
    text = " ".join(order_by.split()).lower()
    if text in ("", "create_time desc"):
        return True
    if text in ("create_time", "create_time asc"):
        return False
    raise InvalidArgumentError(
        [Violation("order_by", f"only `create_time desc` (the default) or `create_time asc`, not {order_by!r}")]
    )


async def list_audit_events(
    session: AsyncSession,
    page_size: int | None = 0,
    page_token: str | None = "",
    filter: str | None = "",
    order_by: str = "",
) -> tuple[list[AuditEvent], str, int]:
    """A page of events (newest first by default), the next page token, and how many match the filter.

    Filterable: principal, rpc, resource, request_id, outcome, peer (strings) and create_time (compared with
    an RFC 3339 string, e.g. `create_time >= "2026-01-01T00:00:00Z"`).
    """
    descending = _descending(order_by)
    size = page_size_or_default(page_size)
    expr = parse_filter(filter or "")
    where = build_where(expr, AUDIT_FILTER_FIELDS)
    query = fingerprint(f"{AUDIT_EVENTS}:{'desc' if descending else 'asc'}", canonical(expr))
    after = decode_page_token(page_token, query)
    rows, last = await keyset_page(session, AuditEventRow, AuditEventRow.seq, where, size, after, descending=descending)
    total = int(await session.scalar(select(func.count()).select_from(AuditEventRow).where(where)) or 0)
    token = encode_page_token(last, query) if last is not None else ""
    return [_event(r) for r in rows], token, total
