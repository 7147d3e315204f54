"""API keys. A key is `sr_` + 43 random urlsafe characters (`secrets.token_urlsafe(32)`, 256 bits), shown once
by whoever creates it; the table holds its SHA-256 hash, looked up by equality (a hash of a 256-bit random value
needs no salt or slow hash: it cannot be guessed, only stolen along with the key itself)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.errors import InvalidArgumentError, NotFoundError, Violation
from ..domain.security import API_KEY_PREFIX, API_KEYS, ApiKey
from .models import ApiKeyRow

__all__ = [
    "any_api_keys",
    "create_api_key",
    "find_by_key",
    "generate_key",
    "get_api_key",
    "hash_key",
    "list_api_keys",
    "lock_api_keys",
    "revoke_api_key",
    "touch_api_key",
]


def generate_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _key(row: ApiKeyRow) -> ApiKey:
    return ApiKey(
        key_id=row.key_id,
        key_hash=row.key_hash,
        role=row.role,
        description=row.description,
        creator=row.creator,
        create_time=row.create_time,
        expire_time=row.expire_time,
        revoke_time=row.revoke_time,
        last_used_time=row.last_used_time,
    )


async def lock_api_keys(session: AsyncSession) -> None:
    """Serialise "create the first key" decisions: SQLite's write transactions are serial already
    (BEGIN IMMEDIATE); PostgreSQL takes a transaction-scoped advisory lock."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(0x5CA9_4E1E)))


async def create_api_key(
    session: AsyncSession,
    role: str,
    *,
    description: str = "",
    expire_time: datetime | None = None,
    creator: str = "",
    now: datetime | None = None,
) -> tuple[ApiKey, str]:
    """A new key for `role`: its stored record, and the key itself (to show once, never stored)."""
    now = now or datetime.now(UTC)
    if expire_time is not None and expire_time <= now:
        raise InvalidArgumentError([Violation("expire_time", "must be in the future")])
    key = generate_key()
    row = ApiKeyRow(
        key_id=secrets.token_hex(8),
        key_hash=hash_key(key),
        role=role,
        description=description,
        creator=creator,
        create_time=now,
        expire_time=expire_time,
        revoke_time=None,
        last_used_time=None,
    )
    session.add(row)
    await session.flush()
    return _key(row), key


async def find_by_key(session: AsyncSession, key: str) -> ApiKey | None:
    """The record of `key` (revoked and expired ones included: the caller decides), or None."""
    row = await session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_hash == hash_key(key)))
    return None if row is None else _key(row)


async def get_api_key(session: AsyncSession, key_id: str) -> ApiKey:
    row = await session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_id == key_id))
    if row is None:
        raise NotFoundError(f"{API_KEYS}/{key_id}")
    return _key(row)


async def list_api_keys(session: AsyncSession) -> list[ApiKey]:
    """Every key, oldest first (hashes included: callers show key ids, never hashes)."""
    return [_key(r) for r in (await session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.seq))).all()]


async def any_api_keys(session: AsyncSession) -> bool:
    return bool(await session.scalar(select(func.count()).select_from(ApiKeyRow)))


async def revoke_api_key(session: AsyncSession, key_id: str, now: datetime | None = None) -> ApiKey:
    """Revoke `key_id` (NotFoundError if there is none); revoking a revoked key keeps its first revoke time."""
    row = await session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_id == key_id).with_for_update())
    if row is None:
        raise NotFoundError(f"{API_KEYS}/{key_id}")
    if row.revoke_time is None:
        row.revoke_time = now or datetime.now(UTC)
        await session.flush()
    return _key(row)


async def touch_api_key(session: AsyncSession, key_id: str, when: datetime) -> None:
    row = await session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_id == key_id))
    if row is not None:
        row.last_used_time = when
        await session.flush()
