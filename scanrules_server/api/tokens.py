"""API key management: create (the key is returned once), list, revoke, and the first-start admin key.

Every operation writes an audit event in the same transaction as its change.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.errors import InvalidArgumentError, Violation
from ..domain.security import ApiKey
from ..persistence import api_keys as repo
from ..persistence import audit as audit_repo
from .context import Database
from .permissions import ADMIN, ROLES

log = logging.getLogger("scanrules.tokens")

BOOTSTRAP_PRINCIPAL = "system:first-start"
RPC_CREATE = "scanrules token create"
RPC_REVOKE = "scanrules token revoke"
RPC_BOOTSTRAP = "scanrules serve (first start)"

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> timedelta:
    """`90s`, `15m`, `12h`, `30d`, `2w` -> timedelta; ValueError otherwise (or for zero)."""
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"expected a positive duration like 12h, 30d or 2w, not {text!r}")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2).lower()])


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidArgumentError([Violation("role", f"unknown role {role!r}; one of {', '.join(ROLES)}")])
    return role


async def _create(
    session: AsyncSession, role: str, description: str, expires: timedelta | None, creator: str, rpc: str
) -> tuple[ApiKey, str]:
    now = datetime.now(UTC)
    record, key = await repo.create_api_key(
        session,
        check_role(role),
        description=description,
        expire_time=now + expires if expires is not None else None,
        creator=creator,
        now=now,
    )
    await audit_repo.append_event(session, principal=creator, rpc=rpc, resource=record.name, outcome="OK")
    return record, key


async def create_token(
    db: Database, role: str, *, description: str = "", expires: timedelta | None = None, creator: str
) -> tuple[ApiKey, str]:
    """A new API key: its record and the key itself, which exists nowhere else afterwards."""
    async with db.transaction() as session:
        return await _create(session, role, description, expires, creator, RPC_CREATE)


async def revoke_token(db: Database, key_id: str, *, revoker: str) -> ApiKey:
    async with db.transaction() as session:
        record = await repo.revoke_api_key(session, key_id)
        await audit_repo.append_event(session, principal=revoker, rpc=RPC_REVOKE, resource=record.name, outcome="OK")
    return record


async def list_tokens(db: Database) -> list[ApiKey]:
    async with db.transaction(write=False) as session:
        return await repo.list_api_keys(session)


async def ensure_admin_key(db: Database) -> str | None:
    """On first start (no API key in the database at all, revoked ones included) create an admin key and
    return it; otherwise None. Safe against two servers starting at once on the same database."""
    async with db.transaction() as session:
        await repo.lock_api_keys(session)
        if await repo.any_api_keys(session):
            return None
        record, key = await _create(session, ADMIN, "created on first start", None, BOOTSTRAP_PRINCIPAL, RPC_BOOTSTRAP)
    log.warning(
        "first start: created admin API key %s; it is printed once on stdout, store it now "
        "(more keys: `scanrules token create --role ...`)",
        record.key_id,
    )
    return key
