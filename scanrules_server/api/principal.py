"""Who is calling: set by the authentication interceptor, read by rate limiting, audit and permissions."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

ANONYMOUS = "anonymous"

#: The authenticated principal of the RPC being handled; "anonymous" until an interceptor sets it.
current_principal: ContextVar[str] = ContextVar("scanrules_principal", default=ANONYMOUS)


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: `key:<key id>` for an API key, `user:<sub>` for a JWT; its role's permissions."""

    name: str
    role: str
    permissions: frozenset[str] = frozenset()

    def can(self, permission: str) -> bool:
        return permission in self.permissions


#: The whole principal (role, permissions) of the RPC being handled; None outside an authenticated call.
current_identity: ContextVar[Principal | None] = ContextVar("scanrules_identity", default=None)
