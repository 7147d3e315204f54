"""The standard methods, once, for every stored resource kind; `rules`, `rule_sets` and `patterns` wrap it.

A versioned kind keeps its current state in one table and an immutable JSON snapshot per revision in
another; revision numbers keep increasing across delete and re-create of the same id, so a pinned
`rules/x@3` always means the same content.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import false, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from ..domain.errors import AlreadyExistsError, EtagMismatchError, InvalidArgumentError, NotFoundError, Violation
from ..domain.filtering import canonical, parse_filter
from ..domain.resources import RESOURCE_ID_PATTERN, is_valid_resource_id
from . import idempotency
from ._checks import Check, checked, fresh
from .filters import FilterField, build_where
from .paging import decode_page_token, encode_page_token, fingerprint, keyset_page, page_size_or_default

D = TypeVar("D")

_REVISION_ID = re.compile(r"^[1-9][0-9]{0,9}$")
#: Revisions are 32-bit integer columns; a larger revision id names no revision.
MAX_REVISION = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_etag() -> str:
    return secrets.token_urlsafe(12)


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: fresh(value)


def _is_time(field_name: str) -> bool:
    return field_name.endswith("_time")


@dataclass(frozen=True)
class Spec(Generic[D]):
    resource: type[D]
    collection: str  # "rules": resource names are f"{collection}/{id}"
    noun: str  # "rule", for messages
    id_field: str  # "rule_id": the dataclass field, the row column and the argument name
    row: type[Any]
    revision_row: type[Any] | None  # None: not versioned
    checks: Mapping[str, Check]  # settable fields and how to check them
    filter_fields: Mapping[str, FilterField]
    create_method: str  # idempotency key namespace, e.g. "CreateRule"


class Store(Generic[D]):
    def __init__(self, spec: Spec[D]) -> None:
        self.spec = spec
        self._fields = [f.name for f in dataclasses.fields(spec.resource)]  # type: ignore[arg-type]
        self._defaults: dict[str, Callable[[], Any]] = {}
        for f in dataclasses.fields(spec.resource):  # type: ignore[arg-type]
            if f.default is not dataclasses.MISSING:
                self._defaults[f.name] = _constant(f.default)
            elif f.default_factory is not dataclasses.MISSING:
                self._defaults[f.name] = f.default_factory

    # -- names, rows, conversion -------------------------------------------------------------------

    @property
    def versioned(self) -> bool:
        return self.spec.revision_row is not None

    def name(self, resource_id: str, revision_id: str | None = None) -> str:
        base = f"{self.spec.collection}/{resource_id}"
        return f"{base}@{revision_id}" if revision_id else base

    def _id_column(self, row_class: type[Any]) -> InstrumentedAttribute[str]:
        column: InstrumentedAttribute[str] = getattr(row_class, self.spec.id_field)
        return column

    def resource_of(self, row: Any) -> D:
        values = {
            name: str(row.revision) if name == "revision_id" else fresh(getattr(row, name)) for name in self._fields
        }
        return self.spec.resource(**values)

    def snapshot_of(self, resource: D) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self._fields:
            value = getattr(resource, name)
            out[name] = value.isoformat() if isinstance(value, datetime) else fresh(value)
        return out

    def resource_from_snapshot(self, snapshot: Mapping[str, Any]) -> D:
        values = {
            name: datetime.fromisoformat(value).astimezone(UTC) if _is_time(name) else fresh(value)
            for name, value in snapshot.items()
            if name in self._fields
        }
        return self.spec.resource(**values)

    async def row(self, session: AsyncSession, resource_id: str, *, lock: bool = False) -> Any | None:
        stmt = select(self.spec.row).where(self._id_column(self.spec.row) == resource_id)
        if lock:
            # Re-read even if the session holds the row already: the etag check must see the latest state.
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return await session.scalar(stmt)

    async def lock_for_write(self, session: AsyncSession) -> None:
        """On SQLite, take the database write lock now, before this transaction reads anything.

        SQLite has no row locks: a transaction that reads, then writes after another writer committed,
        fails with "database is locked" (its snapshot is stale). A no-op UPDATE as the first statement
        waits (busy_timeout) for the lock instead and then reads fresh data, so etag checks and
        existence checks hold. PostgreSQL uses SELECT ... FOR UPDATE and unique indexes instead.
        """
        if session.get_bind().dialect.name == "sqlite":
            table = self.spec.row.__table__
            await session.execute(update(table).where(false()).values(seq=table.c.seq))

    async def existing_row(self, session: AsyncSession, resource_id: str, *, lock: bool = False) -> Any:
        row = await self.row(session, resource_id, lock=lock)
        if row is None:
            raise NotFoundError(self.name(resource_id))
        return row

    def check_etag(self, row: Any, etag: str | None) -> None:
        if etag and etag != row.etag:
            raise EtagMismatchError(self.name(getattr(row, self.spec.id_field)))

    def checked(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return checked(values, self.spec.checks, what=self.spec.noun)

    def with_defaults(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """`values` plus the resource's default for every other field that has one."""
        return {name: values[name] if name in values else default() for name, default in self._defaults.items()}

    # -- standard methods --------------------------------------------------------------------------

    async def create(
        self,
        session: AsyncSession,
        resource_id: str,
        fields: Mapping[str, Any],
        request_id: str | None = None,
        *,
        system: Mapping[str, Any] | None = None,
    ) -> D:
        request_id = idempotency.check_request_id(request_id)
        await self.lock_for_write(session)
        if request_id is not None:
            done = await idempotency.lookup(session, self.spec.create_method, request_id)
            if done is not None:
                return await self._replay(session, done)
        if not isinstance(resource_id, str) or not is_valid_resource_id(resource_id):
            raise InvalidArgumentError(
                [Violation(self.spec.id_field, f"{resource_id!r} is not a valid id (must match {RESOURCE_ID_PATTERN})")]
            )
        values = self.with_defaults(self.checked(fields))
        values.update(system or {})
        name = self.name(resource_id)
        if await self.row(session, resource_id) is not None:
            raise AlreadyExistsError(name)
        now = utcnow()
        times: dict[str, Any] = {"create_time": now, "update_time": now}
        if self.versioned:
            times.update(revision=await self._next_revision(session, resource_id), revision_create_time=now)
        row = self.spec.row(**{self.spec.id_field: resource_id}, **values, **times, etag=new_etag())
        resource = self.resource_of(row)
        try:
            async with session.begin_nested():
                session.add(row)
                if self.versioned:
                    self._add_revision(session, resource_id, row.revision, resource, now)
                if request_id is not None:
                    revision_id = str(row.revision) if self.versioned else None
                    idempotency.record(session, self.spec.create_method, request_id, name, revision_id, now)
        except IntegrityError:
            # Lost a race: the same request_id or the same id was created concurrently.
            if request_id is not None:
                done = await idempotency.lookup(session, self.spec.create_method, request_id)
                if done is not None:
                    return await self._replay(session, done)
            raise AlreadyExistsError(name) from None
        return resource

    async def _replay(self, session: AsyncSession, done: idempotency.IdempotencyRecord) -> D:
        resource_id = done.resource_name.split("/", 1)[1]
        return await self.get(session, resource_id, done.revision_id)

    async def _next_revision(self, session: AsyncSession, resource_id: str) -> int:
        revision_row = self.spec.revision_row
        assert revision_row is not None
        latest = await session.scalar(
            select(func.max(revision_row.revision)).where(self._id_column(revision_row) == resource_id)
        )
        return int(latest or 0) + 1

    def _add_revision(
        self, session: AsyncSession, resource_id: str, revision: int, resource: D, create_time: datetime
    ) -> None:
        assert self.spec.revision_row is not None
        session.add(
            self.spec.revision_row(
                **{self.spec.id_field: resource_id},
                revision=revision,
                snapshot=self.snapshot_of(resource),
                create_time=create_time,
            )
        )

    async def get(self, session: AsyncSession, resource_id: str, revision_id: str | None = None) -> D:
        if not revision_id:
            return self.resource_of(await self.existing_row(session, resource_id))
        revision_row = self.spec.revision_row
        name = self.name(resource_id, revision_id)
        if revision_row is None or not _REVISION_ID.match(revision_id) or int(revision_id) > MAX_REVISION:
            raise NotFoundError(name)
        snapshot = await session.scalar(
            select(revision_row.snapshot).where(
                self._id_column(revision_row) == resource_id, revision_row.revision == int(revision_id)
            )
        )
        if snapshot is None:
            raise NotFoundError(name)
        return self.resource_from_snapshot(snapshot)

    async def list_resources(
        self, session: AsyncSession, page_size: int | None, page_token: str | None, filter: str | None
    ) -> tuple[list[D], str]:
        size = page_size_or_default(page_size)
        expr = parse_filter(filter or "")
        where = build_where(expr, self.spec.filter_fields)
        query = fingerprint(self.spec.collection, canonical(expr))
        after = decode_page_token(page_token, query)
        rows, last = await keyset_page(session, self.spec.row, self.spec.row.seq, where, size, after)
        token = encode_page_token(last, query) if last is not None else ""
        return [self.resource_of(r) for r in rows], token

    def apply(self, session: AsyncSession, row: Any, values: Mapping[str, Any]) -> D:
        """Set `values` on `row` and stamp a new etag, update time and (if versioned) revision."""
        for key, value in values.items():
            setattr(row, key, value)
        now = utcnow()
        row.etag = new_etag()
        row.update_time = now
        if self.versioned:
            row.revision = row.revision + 1
            row.revision_create_time = now
        resource = self.resource_of(row)
        if self.versioned:
            self._add_revision(session, getattr(row, self.spec.id_field), row.revision, resource, now)
        return resource

    async def update(
        self,
        session: AsyncSession,
        resource_id: str,
        changes: Mapping[str, Any],
        etag: str | None,
        *,
        guard: Callable[[Any], None] | None = None,
    ) -> D:
        values = self.checked(changes)
        await self.lock_for_write(session)
        row = await self.existing_row(session, resource_id, lock=True)
        if guard is not None:
            guard(row)
        self.check_etag(row, etag)
        resource = self.apply(session, row, values)
        await session.flush()
        return resource

    async def delete(
        self,
        session: AsyncSession,
        resource_id: str,
        etag: str | None,
        *,
        guard: Callable[[Any], None] | None = None,
    ) -> None:
        await self.lock_for_write(session)
        row = await self.existing_row(session, resource_id, lock=True)
        if guard is not None:
            guard(row)
        self.check_etag(row, etag)
        await session.delete(row)
        await session.flush()

    async def list_revisions(
        self, session: AsyncSession, resource_id: str, page_size: int | None, page_token: str | None
    ) -> tuple[list[D], str]:
        """Revisions newest first (including those of a deleted resource); NOT_FOUND if it never existed."""
        revision_row = self.spec.revision_row
        assert revision_row is not None
        size = page_size_or_default(page_size)
        query = fingerprint(f"{self.name(resource_id)}/revisions")
        after = decode_page_token(page_token, query)
        where = self._id_column(revision_row) == resource_id
        rows, last = await keyset_page(
            session, revision_row, revision_row.revision, where, size, after, descending=True
        )
        if not rows and after is None:
            raise NotFoundError(self.name(resource_id))
        token = encode_page_token(last, query) if last is not None else ""
        return [self.resource_from_snapshot(r.snapshot) for r in rows], token
