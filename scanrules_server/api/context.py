"""What every servicer shares: the database and helpers for request fields."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import grpc
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ..domain.errors import InvalidArgumentError, Violation

#: The servicer context type every handler takes.
Ctx: TypeAlias = grpc.aio.ServicerContext[Any, Any]


class Rollback(Exception):
    """Raised inside a transaction to undo it (validate-only requests)."""


@dataclass
class Database:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    #: SQLite writers of this process queue here, in order, instead of polling SQLite's busy handler: under
    #: load (hundreds of concurrent creates) busy_timeout ran out ("database is locked").
    _sqlite_writers: asyncio.Lock = field(default_factory=asyncio.Lock)

    @asynccontextmanager
    async def transaction(self, *, rollback: bool = False, write: bool = True) -> AsyncIterator[AsyncSession]:
        """One transaction per RPC: committed when the block ends, rolled back on error or on request.

        Writing transactions on SQLite start with BEGIN IMMEDIATE (one writer at a time, the rest wait).
        Write transactions must not nest (on SQLite the inner one would wait for the outer forever).
        """
        if write and self.engine.dialect.name == "sqlite":
            async with self._sqlite_writers, self._transaction(rollback, write) as session:
                yield session
        else:
            async with self._transaction(rollback, write) as session:
                yield session

    @asynccontextmanager
    async def _transaction(self, rollback: bool, write: bool) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            try:
                async with session.begin():
                    if write:
                        await session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
                    yield session
                    if rollback:
                        raise Rollback
            except Rollback:
                pass


def resource_id(name: str, collection: str, field: str = "name") -> str:
    """`collection/{id}` -> id; INVALID_ARGUMENT naming `field` otherwise."""
    prefix = collection + "/"
    if not name.startswith(prefix) or len(name) == len(prefix) or "/" in name[len(prefix) :]:
        raise InvalidArgumentError([Violation(field, f"expected {collection}/{{id}}, got {name!r}")])
    return name[len(prefix) :]


def split_revision(resource: str) -> tuple[str, str | None]:
    """`id@3` -> ("id", "3")."""
    base, _, revision = resource.partition("@")
    return base, revision or None


def check_order_by(order_by: str) -> None:
    """Lists come in creation order; say so for any other order asked for."""
    if order_by.strip() not in ("", "create_time", "create_time asc"):
        raise InvalidArgumentError(
            [Violation("order_by", f"only create_time (oldest first) is supported so far, not {order_by!r}")]
        )
