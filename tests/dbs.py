"""Throwaway test databases, for any test package (persistence, integration, ...).

PostgreSQL: a fresh, uniquely named database on the server at `SCANRULES_TEST_PG_ADMIN_URL`
(default `postgresql://postgres@127.0.0.1:5432/postgres`, a role allowed to CREATE DATABASE),
dropped afterwards. Shared databases (e.g. `test`) are never touched, so concurrent runs are safe.
SQLite: a file under a pytest `tmp_path`.

    with temporary_database("postgresql", tmp_path) as url:   # or "sqlite"
        ...  # url is an async SQLAlchemy URL, not migrated yet

`migrated_postgres_database()` makes a database migrated to head, to share (emptied between tests by
`truncate_postgres_database`) or to copy from (CREATE DATABASE ... TEMPLATE), both much faster than
migrating a database per test.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

KINDS = ("sqlite", "postgresql")
ADMIN_URL_ENV = "SCANRULES_TEST_PG_ADMIN_URL"
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE_PREFIX = "scanrules_test_"


def admin_url() -> str:
    return os.environ.get(ADMIN_URL_ENV, DEFAULT_ADMIN_URL)


async def _execute(url_text: str, sql: str) -> None:
    url = make_url(url_text)
    connection = await asyncpg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        database=url.database or "postgres",
        timeout=10,
    )
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _admin_execute(sql: str) -> None:
    await _execute(admin_url(), sql)


async def acreate_postgres_database(prefix: str = DATABASE_PREFIX, template: str | None = None) -> str:
    """Create a database with a unique name, empty or a copy of the database at URL `template` (which
    nobody may be connected to); return its `postgresql+asyncpg://` URL."""
    name = f"{prefix}{uuid.uuid4().hex[:16]}"
    copy = f' TEMPLATE "{make_url(template).database}"' if template else ""
    await _admin_execute(f'CREATE DATABASE "{name}"{copy}')
    url = make_url(admin_url()).set(drivername="postgresql+asyncpg", database=name)
    return url.render_as_string(hide_password=False)


async def adrop_postgres_database(url: str) -> None:
    """Drop a database made by `create_postgres_database` (closing any connection still open to it)."""
    name = make_url(url).database
    if not name or not name.startswith(DATABASE_PREFIX):
        raise ValueError(f"refusing to drop {name!r}: not a test database")
    await _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Sync twins, for sync fixtures of any scope (each runs on its own short-lived event loop; do not call
# them while a loop runs in this thread: use the async versions there).
def create_postgres_database(prefix: str = DATABASE_PREFIX, template: str | None = None) -> str:
    return asyncio.run(acreate_postgres_database(prefix, template))


def drop_postgres_database(url: str) -> None:
    asyncio.run(adrop_postgres_database(url))


def sqlite_url(directory: Path) -> str:
    return f"sqlite+aiosqlite:///{directory / 'scanrules-test.db'}"


@contextmanager
def temporary_database(kind: str, tmp_path: Path, *, postgres_template: str | None = None) -> Iterator[str]:
    """A database of `kind` ("sqlite" or "postgresql") for the duration of the block: empty, or for
    PostgreSQL a copy of `postgres_template` (e.g. a database migrated once per test session)."""
    if kind == "sqlite":
        yield sqlite_url(tmp_path)
    elif kind == "postgresql":
        url = create_postgres_database(template=postgres_template)
        try:
            yield url
        finally:
            drop_postgres_database(url)
    else:
        raise ValueError(f"unknown database kind {kind!r}; expected one of {KINDS}")


_TRUNCATE_ALL = """
DO $$
DECLARE tables text;
BEGIN
    SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') INTO tables
    FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version';
    IF tables IS NOT NULL THEN
        EXECUTE 'TRUNCATE ' || tables || ' RESTART IDENTITY CASCADE';
    END IF;
END $$;
"""


async def atruncate_postgres_database(url: str) -> None:
    """Empty every table but alembic_version (sequences restart), keeping the schema."""
    if not (make_url(url).database or "").startswith(DATABASE_PREFIX):
        raise ValueError(f"refusing to truncate {url!r}: not a test database")
    await _execute(url, "SET lock_timeout = '10s';" + _TRUNCATE_ALL)


def truncate_postgres_database(url: str) -> None:
    asyncio.run(atruncate_postgres_database(url))


@contextmanager
def migrated_postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database migrated to head (no connection is left open to it, so it can also
    serve as `postgres_template`). Dropped at the end of the block."""
    from scanrules_server.persistence.migrate import run_upgrade

    url = create_postgres_database(prefix=f"{DATABASE_PREFIX}tmpl_")
    try:
        run_upgrade(url)
        yield url
    finally:
        drop_postgres_database(url)
