"""Engines and sessions: `sqlite+aiosqlite:///…` by default, `postgresql+asyncpg://…` in production."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./scanrules.db"

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
}

SQLITE_BUSY_TIMEOUT_MS = 5000


def normalize_url(url: str | URL) -> URL:
    """The async-driver form of a database URL: `sqlite:///x` -> `sqlite+aiosqlite:///x`,
    `postgresql://…` / `postgres://…` -> `postgresql+asyncpg://…`; async URLs are returned unchanged."""
    parsed = make_url(url)
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    return parsed.set(drivername=driver) if driver else parsed


def url_to_string(url: str | URL) -> str:
    """The normalised URL as text, password included (for tools that want a string)."""
    return normalize_url(url).render_as_string(hide_password=False)


def _on_sqlite_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _on_sqlite_begin): the driver's legacy mode would run
    # SELECTs outside the transaction, break SAVEPOINT and autocommit DDL.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: a commit is durable once in the WAL (a killed process loses nothing; only a power cut
        # can lose the last commits, never consistency). FULL fsyncs every commit: two per work unit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def _on_sqlite_begin(connection: Connection) -> None:
    # A writing transaction asks for BEGIN IMMEDIATE (execution option `sqlite_begin`): it takes the
    # write lock up front, waiting up to busy_timeout, instead of failing later when it upgrades a
    # read snapshot that another writer has made stale.
    mode = connection.get_execution_options().get("sqlite_begin", "")
    connection.exec_driver_sql(f"BEGIN {mode}".strip())


def make_engine(url: str | URL = DEFAULT_DATABASE_URL, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url` (plain `sqlite:///` and `postgresql://` URLs are accepted too).

    SQLite connections get `foreign_keys=ON`, WAL journaling and a 5 s busy timeout, and real
    transactions (BEGIN at the first statement, so reads and SAVEPOINTs are transactional).
    The caller disposes of the engine (`await engine.dispose()`).
    """
    normalized = normalize_url(url)
    if normalized.get_backend_name() == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_async_engine(normalized, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
        event.listen(engine.sync_engine, "begin", _on_sqlite_begin)
    return engine


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded attributes after commit (`expire_on_commit=False`)."""
    return async_sessionmaker(engine, expire_on_commit=False)
