"""API keys and audit events, as the layers above persistence see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

API_KEYS = "apiKeys"
AUDIT_EVENTS = "auditEvents"
#: Every API key starts with this, so that a leaked one is recognisable (secret scanners, logs).
API_KEY_PREFIX = "sr_"


@dataclass(frozen=True, kw_only=True)
class ApiKey:
    """A stored API key: never the key itself, only its SHA-256 hash."""

    key_id: str
    key_hash: str
    role: str
    description: str = ""
    creator: str = ""
    create_time: datetime
    expire_time: datetime | None = None
    revoke_time: datetime | None = None
    last_used_time: datetime | None = None

    @property
    def name(self) -> str:
        return f"{API_KEYS}/{self.key_id}"

    @property
    def principal(self) -> str:
        return f"key:{self.key_id}"

    def state(self, now: datetime) -> str:
        """ACTIVE, REVOKED or EXPIRED at `now`."""
        if self.revoke_time is not None:
            return "REVOKED"
        if self.expire_time is not None and self.expire_time <= now:
            return "EXPIRED"
        return "ACTIVE"


@dataclass(frozen=True, kw_only=True)
class AuditEvent:
    """One append-only record: who called which RPC on what, and how it ended."""

    event_id: str
    principal: str
    rpc: str
    resource: str = ""
    request_id: str = ""
    outcome: str
    peer: str = ""
    latency_seconds: float = 0.0
    create_time: datetime

    @property
    def name(self) -> str:
        return f"{AUDIT_EVENTS}/{self.event_id}"
